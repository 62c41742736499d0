//! The blocking Thrift2 client: [`crate::thrift2`] with every `async fn`
//! turned into a blocking one, on the runtime of the blocking API (the
//! same code path, the same errors).
//!
//! # Examples
//! ```no_run
//! use hbase_orm::blocking::thrift2::Connection;
//! use hbase_orm::thrift2::{FamilyDescriptor, Get, Put, TableDescriptor};
//!
//! # fn main() -> hbase_orm::Result<()> {
//! let conn = Connection::builder().host("localhost").port(9090).connect()?;
//! conn.create_table(&TableDescriptor::new("docs").family(FamilyDescriptor::new("cf")), &[])?;
//! let docs = conn.table("docs");
//! docs.put(Put::new("d1").value("cf", "body", "hi").visibility("staff"))?;
//! let row = docs.get(Get::new("d1").authorizations(["staff"]))?;
//! for row in docs.scan(Default::default()) {
//!     println!("{:?}", row?.key);
//! }
//! # let _ = row; Ok(()) }
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::{blocking_calls, blocking_twin, Runtime};
use crate::error::Result;
use crate::network::pool::pooled_type;
use crate::thrift2::{
    self as t2, Append, CompareOp, Delete, FamilyDescriptor, Get, Increment, Mutation,
    NamespaceDescriptor, Put, RegionLocation, RowResult, ScanOptions, ServerType, TableDescriptor,
};
use crate::{Protocol, Transport};

blocking_twin! {
    /// A blocking Thrift2 connection: [`t2::Connection`] with blocking calls.
    /// Cheap to clone; clones share the socket and the runtime.
    ///
    /// # Panics
    /// Every method that builds a connection or makes a call panics when called
    /// from an async task (see [the blocking module](super)).
    #[derive(Clone)]
    pub struct Connection(t2::Connection) as "blocking::thrift2::Connection";
}

super::forward_setters! {
    /// Configures a blocking Thrift2 [`Connection`]; the settings of
    /// [`t2::ConnectionBuilder`].
    pub struct ConnectionBuilder(t2::ConnectionBuilder);
    /// Host name or IP address of the gateway.
    host(host: impl Into<String>);
    /// Port of the gateway.
    port(port: u16);
    /// Host and port.
    addr(addr: SocketAddr);
    /// How long one attempt of a call may take.
    timeout(timeout: Duration);
    /// The Thrift transport.
    transport(transport: Transport);
    /// The Thrift protocol.
    protocol(protocol: Protocol);
    /// TLS to the gateway.
    #[cfg(feature = "tls")]
    tls(tls: crate::tls::TlsConfig);
    /// The largest reply accepted.
    max_message_bytes(max: usize);
    /// The retry policy.
    retry_policy(policy: crate::RetryPolicy);
    /// The longest a call may take, retries included.
    deadline(deadline: Duration);
    /// Thrift over HTTP.
    http();
    /// The HTTP path.
    http_path(path: impl Into<String>);
    /// A header of every HTTP call.
    http_header(name: impl Into<String>, value: impl Into<String>);
}

super::blocking_connection!(
    t2::Connection,
    "gateway",
    "hbase_orm::blocking::thrift2::Connection"
);

impl Connection {
    /// Table `name`, to read and write. Nothing is sent.
    pub fn table(&self, name: impl Into<String>) -> Table {
        Table::wrap(self.inner.table(name), Arc::clone(&self.rt))
    }

    blocking_calls! {
        /// Blocking [`t2::Connection::server_type`].
        fn server_type(&self) -> Result<ServerType>;
        /// Blocking [`t2::Connection::cluster_id`].
        fn cluster_id(&self) -> Result<String>;
        /// Blocking [`t2::Connection::create_table`].
        fn create_table(&self, table: &TableDescriptor, split_keys: &[Vec<u8>]) -> Result<()>;
        /// Blocking [`t2::Connection::delete_table`].
        fn delete_table(&self, name: &str) -> Result<()>;
        /// Blocking [`t2::Connection::truncate_table`].
        fn truncate_table(&self, name: &str, preserve_splits: bool) -> Result<()>;
        /// Blocking [`t2::Connection::enable_table`].
        fn enable_table(&self, name: &str) -> Result<()>;
        /// Blocking [`t2::Connection::disable_table`].
        fn disable_table(&self, name: &str) -> Result<()>;
        /// Blocking [`t2::Connection::table_exists`].
        fn table_exists(&self, name: &str) -> Result<bool>;
        /// Blocking [`t2::Connection::is_table_enabled`].
        fn is_table_enabled(&self, name: &str) -> Result<bool>;
        /// Blocking [`t2::Connection::is_table_disabled`].
        fn is_table_disabled(&self, name: &str) -> Result<bool>;
        /// Blocking [`t2::Connection::is_table_available`].
        fn is_table_available(&self, name: &str) -> Result<bool>;
        /// Blocking [`t2::Connection::table_descriptor`].
        fn table_descriptor(&self, name: &str) -> Result<TableDescriptor>;
        /// Blocking [`t2::Connection::table_descriptors`].
        fn table_descriptors(&self, names: &[&str]) -> Result<Vec<TableDescriptor>>;
        /// Blocking [`t2::Connection::table_descriptors_matching`].
        fn table_descriptors_matching(&self, regex: &str, include_system: bool)
            -> Result<Vec<TableDescriptor>>;
        /// Blocking [`t2::Connection::table_descriptors_in`].
        fn table_descriptors_in(&self, namespace: &str) -> Result<Vec<TableDescriptor>>;
        /// Blocking [`t2::Connection::table_names_matching`].
        fn table_names_matching(&self, regex: &str, include_system: bool) -> Result<Vec<String>>;
        /// Blocking [`t2::Connection::table_names_in`].
        fn table_names_in(&self, namespace: &str) -> Result<Vec<String>>;
        /// Blocking [`t2::Connection::modify_table`].
        fn modify_table(&self, table: &TableDescriptor) -> Result<()>;
        /// Blocking [`t2::Connection::add_family`].
        fn add_family(&self, table: &str, family: &FamilyDescriptor) -> Result<()>;
        /// Blocking [`t2::Connection::modify_family`].
        fn modify_family(&self, table: &str, family: &FamilyDescriptor) -> Result<()>;
        /// Blocking [`t2::Connection::delete_family`].
        fn delete_family(&self, table: &str, family: &[u8]) -> Result<()>;
        /// Blocking [`t2::Connection::create_namespace`].
        fn create_namespace(&self, namespace: &NamespaceDescriptor) -> Result<()>;
        /// Blocking [`t2::Connection::modify_namespace`].
        fn modify_namespace(&self, namespace: &NamespaceDescriptor) -> Result<()>;
        /// Blocking [`t2::Connection::delete_namespace`].
        fn delete_namespace(&self, name: &str) -> Result<()>;
        /// Blocking [`t2::Connection::namespace`].
        fn namespace(&self, name: &str) -> Result<NamespaceDescriptor>;
        /// Blocking [`t2::Connection::namespaces`].
        fn namespaces(&self) -> Result<Vec<NamespaceDescriptor>>;
        /// Blocking [`t2::Connection::namespace_names`].
        fn namespace_names(&self) -> Result<Vec<String>>;
    }
}

blocking_twin! {
    /// A blocking Thrift2 table: [`t2::Table`] with blocking calls.
    #[derive(Clone)]
    pub struct Table(t2::Table) as "blocking::thrift2::Table";
}

impl Table {
    /// The table's name.
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// A scan: an [`Iterator`] of rows (see [`t2::Scanner`]).
    pub fn scan(&self, options: ScanOptions) -> Scanner {
        Scanner::wrap(self.inner.scan(options), Arc::clone(&self.rt))
    }

    blocking_calls! {
        /// Blocking [`t2::Table::get`].
        fn get(&self, get: Get) -> Result<Option<RowResult>>;
        /// Blocking [`t2::Table::get_many`].
        fn get_many(&self, gets: Vec<Get>) -> Result<Vec<Option<RowResult>>>;
        /// Blocking [`t2::Table::exists`].
        fn exists(&self, get: Get) -> Result<bool>;
        /// Blocking [`t2::Table::exists_many`].
        fn exists_many(&self, gets: Vec<Get>) -> Result<Vec<bool>>;
        /// Blocking [`t2::Table::put`].
        fn put(&self, put: Put) -> Result<()>;
        /// Blocking [`t2::Table::put_many`].
        fn put_many(&self, puts: Vec<Put>) -> Result<()>;
        /// Blocking [`t2::Table::delete`].
        fn delete(&self, delete: Delete) -> Result<()>;
        /// Blocking [`t2::Table::delete_many`].
        fn delete_many(&self, deletes: Vec<Delete>) -> Result<Vec<Delete>>;
        /// Blocking [`t2::Table::increment`].
        fn increment(&self, increment: Increment) -> Result<Option<RowResult>>;
        /// Blocking [`t2::Table::append`].
        fn append(&self, append: Append) -> Result<Option<RowResult>>;
        /// Blocking [`t2::Table::check_and_put`].
        fn check_and_put(&self, row: &[u8], family: &[u8], qualifier: &[u8],
            expected: Option<&[u8]>, put: Put) -> Result<bool>;
        /// Blocking [`t2::Table::check_and_delete`].
        fn check_and_delete(&self, row: &[u8], family: &[u8], qualifier: &[u8],
            expected: Option<&[u8]>, delete: Delete) -> Result<bool>;
        /// Blocking [`t2::Table::check_and_mutate`].
        fn check_and_mutate(&self, row: &[u8], family: &[u8], qualifier: &[u8], op: CompareOp,
            value: Option<&[u8]>, mutations: Vec<Mutation>) -> Result<bool>;
        /// Blocking [`t2::Table::mutate_row`].
        fn mutate_row(&self, row: &[u8], mutations: Vec<Mutation>) -> Result<()>;
        /// Blocking [`t2::Table::scan_once`].
        fn scan_once(&self, options: ScanOptions, n: usize) -> Result<Vec<RowResult>>;
        /// Blocking [`t2::Table::region_location`].
        fn region_location(&self, row: &[u8], reload: bool) -> Result<RegionLocation>;
        /// Blocking [`t2::Table::region_locations`].
        fn region_locations(&self) -> Result<Vec<RegionLocation>>;
    }
}

blocking_twin! {
    /// A blocking scan: an [`Iterator`] over [`t2::Scanner`]. Dropping it
    /// before the end closes the gateway's scanner in the background.
    pub struct Scanner(closes t2::Scanner) as "blocking::thrift2::Scanner";
    yields Result<RowResult>;
}

blocking_twin! {
    /// A blocking pool of Thrift2 connections: [`t2::ConnectionPool`] with a
    /// blocking `get`.
    #[derive(Clone)]
    pub struct ConnectionPool(t2::ConnectionPool) as "blocking::thrift2::ConnectionPool";
}

impl ConnectionPool {
    /// A pool over the async pool `builder` builds, with a runtime of its
    /// own.
    ///
    /// # Panics
    /// When called from an async task.
    #[track_caller]
    pub fn new(builder: t2::ConnectionPoolBuilder) -> ConnectionPool {
        let rt = Runtime::new();
        let inner = {
            let _guard = rt.enter();
            builder.build()
        };
        ConnectionPool::wrap(inner, rt)
    }

    /// Lends a connection until the guard is dropped.
    ///
    /// # Errors
    /// As [`t2::ConnectionPool::get`].
    #[track_caller]
    pub fn get(&self) -> Result<PooledConnection> {
        let guard = self.rt.block_on(self.inner.get())?;
        let lent = Connection::wrap(guard.connection().clone(), Arc::clone(&self.rt));
        Ok(PooledConnection { guard, lent })
    }

    crate::network::pool::pool_accessors!("connections", "gateway");
}

pooled_type! {
    /// A blocking Thrift2 connection lent by a [`ConnectionPool`]; returned
    /// on drop; dereferences to [`Connection`].
    pub struct PooledConnection(t2::PooledConnection) lends Connection
        as "blocking::thrift2::PooledConnection";
    /// The lent connection.
    fn connection;
    /// Drops this connection instead of returning it to the pool.
    fn discard;
}
