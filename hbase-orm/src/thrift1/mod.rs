//! The client of HBase's Thrift1 gateway (service `Hbase`): [`Connection`]
//! (admin calls), [`Table`] (rows, cells, puts, deletes, counters,
//! check-and-put), [`Scan`] streams, [`Batch`]es, the [`ConnectionPool`] and
//! the [`RetryPolicy`] every call goes through.
//!
//! It may use the network and protocol layers, the value types and
//! [`Error`](crate::Error); the typed layer and the blocking API build on it.
//! Within it, imports go one way: `retry`, `column`, `request` ←
//! `connection`, `view` ← `table` ← `scan`, `batch` ← `pool`.

pub mod batch;
pub(crate) mod column;
pub mod connection;
pub mod pool;
pub(crate) mod request;
pub mod retry;
pub mod scan;
pub mod table;
pub(crate) mod view;

pub use batch::Batch;
pub use connection::{ColumnFamily, Connection, ConnectionBuilder};
pub use pool::{ConnectionPool, ConnectionPoolBuilder, PooledConnection};
pub use retry::RetryPolicy;
pub use scan::Scan;
pub use table::Table;
