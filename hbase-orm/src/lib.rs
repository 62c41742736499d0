//! Typed Rust structs over Apache HBase, through its Thrift gateway.
//!
//! Two layers, both public:
//!
//! - **The typed layer.** `#[derive(HRow)]` maps a struct to a row key and
//!   `family:qualifier` cells (every attribute is documented on the [`HRow`]
//!   trait); [`Repo`] gives typed get / put / scan / delete / update /
//!   increment / append, key-prefix and range scans ([`RepoScan`]) and typed
//!   server-side filters ([`filter`]). Values go through [`codec`]s, keys
//!   through the order-preserving [`row_key`] encoding.
//! - **The raw layer.** An async (tokio) client of the HBase Thrift1 gateway
//!   with everything HappyBase offers: [`Connection`] (admin calls, table
//!   prefix), [`Table`] (rows, cells, puts, deletes, counters, append,
//!   check-and-put), [`Scan`] streams, [`Batch`]es and a [`ConnectionPool`];
//!   and, with the default `blocking` feature, the same API without async in
//!   [`blocking`].
//!
//! Every failure is an [`Error`]; [`Error::is_retryable`] tells which ones a
//! retry may cure.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use hbase_orm::{Connection, HRow, Repo};
//!
//! #[derive(Debug, HRow)]
//! #[hbase(table = "users", family = "cf")]
//! struct User {
//!     #[hbase(row_key)]
//!     id: String,
//!     name: String,
//!     #[hbase(counter)]
//!     logins: i64,
//! }
//!
//! # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
//! let conn = Connection::builder().host("localhost").port(9090).connect().await?;
//! let users: Repo<User> = Repo::new(&conn);
//! users.create_table().await?;
//! users.put(&User { id: "ann".into(), name: "Ann".into(), logins: 0 }).await?;
//! let ann: Option<User> = users.get("ann").await?;
//! let all: Vec<User> = users.scan().try_collect().await?;
//!
//! // The raw layer stays at hand.
//! let row = conn.table("users").row("ann").columns(["cf:name"]).await?;
//! # Ok(()) }
//! ```
//!
//! # Features
//!
//! - `derive` (default): `#[derive(HRow)]`.
//! - `blocking` (default): the [`blocking`] module.
//! - `tls`: TLS to the gateway with rustls (`ConnectionBuilder::tls` and
//!   the `tls` module).
//!
//! The `hbase-emulator` crate provides an in-process gateway for tests and
//! examples; the repository's README shows how to point the client at a real
//! gateway.

// The layers, bottom up (ARCHITECTURE.md at the repository root has the
// map): each may import only the ones above it in this list.
#[cfg(feature = "accumulo")]
pub mod accumulo;
pub mod backend;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod error;
mod network;
mod protocol;
pub mod store;
mod thrift1;
pub mod thrift2;
mod typed;
mod value;

// ---- the raw layer: the HBase Thrift1 client ----
#[cfg(feature = "tls")]
pub use network::tls;
pub use thrift1::{batch, connection, pool, retry, scan, table};

pub use hbase_orm_idl::wire::{Protocol, Transport};
pub use thrift1::{
    Batch, ColumnFamily, Connection, ConnectionBuilder, ConnectionPool, ConnectionPoolBuilder,
    PooledConnection, RetryPolicy, Scan, Table,
};
pub use value::{Cell, Region, Row};

// ---- the typed layer ----
pub use typed::{codec, filter, repo, row, row_key};

#[doc(hidden)]
pub mod __private;

#[doc(hidden)]
pub mod __bench;

#[cfg(test)]
mod layering;

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
