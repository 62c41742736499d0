//! An async client of the Apache Accumulo Proxy (1.x, service
//! `AccumuloProxy`), on the same network layer as the HBase client.
//!
//! - [`Connection`]: one pipelined socket to a proxy (framed transport and
//!   compact protocol by default, binary selectable, timeouts, TLS), and
//!   [`Connection::login`] to get a [`Connector`];
//! - [`Connector`]: tables (create with or without the versioning
//!   iterator, properties, splits, flush, compact, iterators), namespaces,
//!   users, authorizations and permissions; [`Connector::update_and_flush`],
//!   a [`Writer`] and a [`ConditionalWriter`]; a [`Scanner`] over a
//!   [`Range`] and a batch scanner over many;
//! - [`Key`], [`Range`] and [`PartialKey`] with Accumulo's semantics;
//!   [`ColumnVisibility`] and [`Authorizations`], checked before sending;
//!   [`IteratorSetting`];
//! - [`ConnectorPool`]: logged-in connectors lent one at a time, with the
//!   lending rules of the HBase pool (bounded, acquire timeout, broken
//!   sockets replaced, address failover);
//! - [`proxy`]: the generated wire types, for anything not wrapped (call
//!   them with [`Connector::token`] as the login).
//!
//! The proxy's exceptions arrive as [`Error::Accumulo`](crate::Error::Accumulo),
//! with [`Error::accumulo_kind`](crate::Error::accumulo_kind) telling
//! which.
//!
//! # Example
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
//! use futures::TryStreamExt;
//! use hbase_orm::accumulo::*;
//!
//! let connector = Connection::builder().host("localhost").connect().await?
//!     .login("root", "secret").await?;
//! if !connector.table_exists("docs").await? {
//!     connector.create_table("docs", true, TimeType::MILLIS).await?;
//! }
//! connector
//!     .update_and_flush("docs", [Mutation::new("d1").put_labelled("f", "body", "A&B", "hi")?])
//!     .await?;
//! let auths = Authorizations::from_iter(["A", "B"]);
//! let entries: Vec<Entry> = connector
//!     .scanner("docs", ScanOptions::new(Range::prefix("d")).authorizations(auths))
//!     .await?
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

mod conditional;
pub mod connection;
mod connector;
mod iterator;
mod key;
mod method;
pub mod pool;
mod scan;
mod visibility;
mod writer;

/// The generated Accumulo Proxy types (`hbase_orm_idl::accumulo`).
pub use hbase_orm_idl::accumulo as proxy;

pub use conditional::{
    Condition, ConditionalMutation, ConditionalStatus, ConditionalWriter, ConditionalWriterOptions,
};
pub use connection::{Connection, ConnectionBuilder};
pub use connector::Connector;
pub use iterator::{all_scopes, IteratorScope, IteratorSetting};
pub use key::{following_prefix, Key, PartialKey, Range};
pub use pool::{ConnectorPool, ConnectorPoolBuilder, PooledConnector};
pub use proxy::{SystemPermission, TablePermission, TimeType};
pub use scan::{BatchScanOptions, Entry, ScanOptions, Scanner, DEFAULT_BATCH};
pub use visibility::{quote_term, Authorizations, ColumnVisibility};
pub use writer::{Durability, Mutation, Writer, WriterOptions};
