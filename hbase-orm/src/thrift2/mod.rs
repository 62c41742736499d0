//! An async client of HBase's Thrift2 gateway (`hbase thrift2`, service
//! `THBaseService`), on the same connection code as the Thrift1 client:
//! socket or HTTP transport, binary or compact protocol, framed or
//! buffered, TLS, pipelining, timeouts and the retry policy.
//!
//! What Thrift2 has that Thrift1 lacks: cell visibility labels
//! ([`Put::visibility`]) and read authorizations
//! ([`Get::authorizations`]), `checkAndMutate` with a compare operator
//! ([`Table::check_and_mutate`]), atomic row mutations
//! ([`Table::mutate_row`]), time ranges (per read and per family),
//! durability per write ([`Durability`]), `exists`, operation attributes,
//! timeline-consistent replica reads ([`Consistency`]), region locations,
//! and admin with full descriptors ([`TableDescriptor`],
//! [`FamilyDescriptor`]) and namespaces.
//!
//! - [`Connection`] (built by [`ConnectionBuilder`]): admin calls;
//! - [`Table`]: get/exists/put/delete (single and many), increment and
//!   append, check-and-put/delete/mutate, mutate-row, scans
//!   ([`Scanner`], a `Stream`), region locations;
//! - [`Get`], [`Put`], [`Delete`], [`Increment`], [`Append`],
//!   [`Mutation`], [`ScanOptions`]: builders over the gateway's structs;
//! - [`RowResult`]: every cell version a read returned;
//! - [`idl`]: the generated wire types, for anything not wrapped.
//!
//! The gateway's `TIOError` arrives as [`Error::Server`](crate::Error::Server)
//! (with its message and `canRetry`; a missing table has
//! [`ErrorKind::NotFound`](crate::error::ErrorKind::NotFound)) and
//! `TIllegalArgument` as
//! [`Error::IllegalArgument`](crate::Error::IllegalArgument). A Thrift1
//! gateway answers Thrift2 methods it lacks with an
//! [`Error::Application`](crate::Error::Application) saying so.
//!
//! # Example
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
//! use futures::TryStreamExt;
//! use hbase_orm::thrift2::*;
//!
//! let conn = Connection::builder().host("localhost").port(9090).connect().await?;
//! conn.create_table(&TableDescriptor::new("docs").family(FamilyDescriptor::new("cf")), &[])
//!     .await?;
//! let docs = conn.table("docs");
//! docs.put(Put::new("d1").value("cf", "body", "hi").visibility("A&B")).await?;
//! // Invisible without both labels.
//! assert!(docs.get(Get::new("d1").authorizations(["A"])).await?.is_none());
//! let seen = docs.get(Get::new("d1").authorizations(["A", "B"])).await?;
//! assert_eq!(seen.unwrap().value("cf", "body").unwrap(), "hi");
//! let rows: Vec<RowResult> = docs
//!     .scan(ScanOptions::new().prefix("d").authorizations(["A", "B"]))
//!     .try_collect()
//!     .await?;
//! # let _ = rows; Ok(()) }
//! ```

mod admin;
mod connection;
mod method;
mod pool;
mod request;
mod result;
mod scan;
mod table;
mod visibility;

/// The generated Thrift2 wire types (`hbase_orm_idl::hbase2`).
pub use hbase_orm_idl::hbase2 as idl;

pub use admin::{
    BloomFilter, Compression, DataBlockEncoding, FamilyDescriptor, KeepDeletedCells,
    NamespaceDescriptor, TableDescriptor,
};
pub use connection::{Connection, ConnectionBuilder, ServerType};
pub use pool::{ConnectionPool, ConnectionPoolBuilder, PooledConnection};
pub use request::{
    Append, CompareOp, Consistency, Delete, DeleteKind, Durability, Get, Increment, Mutation, Put,
    TimeRange,
};
pub use result::{CellValue, RegionLocation, RowResult};
pub use scan::{ReadType, ScanOptions, Scanner, DEFAULT_CACHING};
pub use table::Table;
