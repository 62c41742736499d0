//! Typed Rust structs over Apache HBase, through its Thrift gateway.
//!
//! Two layers, both public:
//! - the raw layer: `Connection`, `Table`, `Batch`, `ConnectionPool` and
//!   scans, an async (tokio) client of the HBase Thrift1 gateway with everything
//!   HappyBase offers, plus a blocking API over the same code path;
//! - the typed layer: `#[derive(HRow)]` maps a struct to a row key and
//!   `family:qualifier` cells, and `Repo` gives typed get/put/scan/delete.
//!
//! (module overview and examples are filled in as the layers land)

// ---- raw layer (owned by the raw-client work) ----
pub mod batch;
pub mod connection;
pub mod error;
pub mod retry;
pub mod scan;
pub mod table;
#[cfg(feature = "tls")]
pub mod tls;
mod socket;
mod transport;

pub use batch::Batch;
pub use connection::{ColumnFamily, Connection, ConnectionBuilder};
pub use hbase_orm_idl::wire::{Protocol, Transport};
pub use retry::RetryPolicy;
pub use scan::Scan;
pub use table::{Cell, Region, Row, Table};

// ---- pool and blocking API (owned by the pool/blocking work) ----
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod pool;

pub use pool::{ConnectionPool, ConnectionPoolBuilder, PooledConnection};

// ---- typed layer (owned by the typed-mapping work) ----
pub mod codec;
pub mod filter;
pub mod repo;
pub mod row;
pub mod row_key;

#[doc(hidden)]
pub mod __private;

pub use error::{Error, Result};
pub use repo::{Repo, RepoScan};
pub use row::HRow;

/// Derives [`HRow`](trait@HRow) for a struct with named fields; the
/// attributes are documented on the trait.
#[cfg(feature = "derive")]
pub use hbase_orm_derive::HRow;

/// The README's code, compiled as doc tests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
