//! The embedded Accumulo Proxy: the `AccumuloProxy` Thrift service (the 1.x
//! proxy of Accumulo 1.9 and 1.10) with Accumulo's data model, served by the
//! same listener machinery as the HBase gateway.
//!
//! Layers, each importing only those above it:
//! - [`visibility`]: the column visibility language (parse, check, evaluate).
//! - [`key`]: keys, stored entries and ranges in Accumulo's order.
//! - [`combiner`] and [`iterators`]: the server-side iterators by class name.
//! - [`catalog`]: tables, namespaces and users.
//! - [`scan`] and [`write`]: reading rows through the iterators; mutations
//!   and conditions.
//! - [`errors`]: the proxy's exceptions and messages.
//! - [`handler`]: every call of the service; [`service`] plugs it into the
//!   listener.
//!
//! Data lives in memory: the store boundary under the HBase gateway is shaped
//! by HBase (declared families, no visibility, one value per timestamp), so
//! `--data-dir` keeps HBase data only.

mod catalog;
mod combiner;
mod errors;
mod handler;
mod iterators;
mod key;
mod scan;
mod service;
mod visibility;
mod write;

pub(crate) use service::AccumuloService;
