//! An emulator of the HBase Thrift1 gateway, and optionally of the Thrift2
//! gateway over the same tables, in-process or as the `hbase-emulator`
//! binary.
//!
//! It speaks the gateway's wire protocol (binary or compact, buffered or
//! framed, or Thrift over HTTP as in the gateway's HTTP mode) and
//! reproduces the gateway's observable behaviour: multi-version cells,
//! timestamps, counters, scanners, the filter language and the admin calls,
//! with the errors HBase raises. The Thrift2 service
//! ([`EmulatorBuilder::thrift2_bind`]) adds visibility labels, conditional
//! row mutations with compare operators, time ranges, descriptors and
//! namespaces. Unmodified HBase clients work against
//! it, which makes it the embedded default behind tests and examples.

mod accumulo;
mod filter;
mod handler;
mod limits;
mod server;
mod store;
mod thrift2;

#[doc(hidden)]
pub mod __fuzz;

pub use hbase_orm_idl::wire::{Protocol, Transport, DEFAULT_MAX_MESSAGE_BYTES};
pub use server::{Emulator, EmulatorBuilder};
pub use store::FsyncPolicy;
