//! The blocking Accumulo Proxy client: [`crate::accumulo`] with every
//! `async fn` turned into a blocking one, on the runtime machinery of the
//! HBase blocking API (one code path: each call blocks on the async one and
//! returns the same [`Error`](crate::Error)).
//!
//! | async                                 | blocking                  |
//! |---------------------------------------|---------------------------|
//! | [`crate::accumulo::Connection`]       | [`Connection`]            |
//! | [`crate::accumulo::Connector`]        | [`Connector`]             |
//! | [`crate::accumulo::Writer`]           | [`Writer`]                |
//! | [`crate::accumulo::ConditionalWriter`]| [`ConditionalWriter`]     |
//! | [`crate::accumulo::Scanner`] (a `Stream`) | [`Scanner`] (an `Iterator`) |
//! | [`crate::accumulo::ConnectorPool`]    | [`ConnectorPool`]         |
//!
//! The value types (mutations, ranges, options, visibilities) are the async
//! client's, re-exported here.
//!
//! # Panics
//! As everywhere in [`crate::blocking`]: building a connection or making a
//! call from an async task panics (use the async client there; a
//! `spawn_blocking` thread is fine).
//!
//! # Examples
//! ```no_run
//! use hbase_orm::blocking::accumulo::*;
//!
//! # fn main() -> hbase_orm::Result<()> {
//! let connector = Connection::builder().host("localhost").connect()?.login("root", "secret")?;
//! if !connector.table_exists("docs")? {
//!     connector.create_table("docs", true, TimeType::MILLIS)?;
//! }
//! connector.update_and_flush("docs", [Mutation::new("d1").put("f", "q", "v")])?;
//! for entry in connector.scanner("docs", ScanOptions::new(Range::prefix("d")))? {
//!     println!("{:?}", entry?.key);
//! }
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::{blocking_calls, blocking_pool, blocking_twin, forward_setters};
use crate::accumulo as client;
use crate::error::Result;
use crate::network::pool::pooled_type;

pub use crate::accumulo::{
    all_scopes, following_prefix, quote_term, Authorizations, BatchScanOptions, ColumnVisibility,
    Condition, ConditionalMutation, ConditionalStatus, ConditionalWriterOptions, Durability, Entry,
    IteratorScope, IteratorSetting, Key, Mutation, PartialKey, Range, ScanOptions,
    SystemPermission, TablePermission, TimeType, WriterOptions,
};

blocking_twin! {
    /// A blocking connection to an Accumulo Proxy:
    /// [`crate::accumulo::Connection`] with blocking methods, on a runtime of
    /// its own (one worker thread, which serves the socket between calls).
    ///
    /// Cheap to clone: clones share the socket and the runtime.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::blocking::accumulo::Connection::builder().host("localhost").build();
    /// let connector = conn.login("root", "secret")?;
    /// # Ok(()) }
    /// ```
    #[derive(Clone)]
    pub struct Connection(client::Connection) as "blocking::accumulo::Connection";
}

forward_setters! {
    /// Configures a blocking [`Connection`]; the options are those of
    /// [`crate::accumulo::ConnectionBuilder`].
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use hbase_orm::blocking::accumulo::Connection;
    ///
    /// let conn = Connection::builder()
    ///     .host("proxy.internal")
    ///     .protocol(hbase_orm::Protocol::Binary)
    ///     .timeout(Duration::from_secs(5))
    ///     .build();
    /// assert_eq!(conn.addr(), "proxy.internal:42424");
    /// ```
    pub struct ConnectionBuilder(client::ConnectionBuilder);
    /// Host name or IP address of the proxy. Default `localhost`.
    host(host: impl Into<String>);
    /// Port of the proxy. Default 42424.
    port(port: u16);
    /// Host and port from one socket address.
    addr(addr: SocketAddr);
    /// How long one call, the connect and the TLS handshake may take.
    /// Default 30 s.
    timeout(timeout: Duration);
    /// The Thrift transport the proxy speaks. Default framed.
    transport(transport: crate::Transport);
    /// The Thrift protocol the proxy speaks. Default compact.
    protocol(protocol: crate::Protocol);
    /// The largest reply accepted.
    max_message_bytes(max: usize);
    /// TLS to a proxy behind a TLS terminator (feature `tls`).
    #[cfg(feature = "tls")]
    tls(tls: crate::tls::TlsConfig);
}

super::blocking_connection!(
    client::Connection,
    "proxy",
    "hbase_orm::blocking::accumulo::Connection"
);

impl Connection {
    /// The time one call may take.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout()
    }

    blocking_calls! {
        /// Logs in with a password.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connection::login`].
        fn login(&self, principal: impl Into<String>, password: impl Into<String>) -> twin Connector;
        /// Logs in with any login properties.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connection::login_with`].
        fn login_with(&self, principal: impl Into<String>, properties: BTreeMap<String, String>)
            -> twin Connector;
    }
}

blocking_twin! {
    /// A blocking logged-in connector: [`crate::accumulo::Connector`] with
    /// blocking methods. Cheap to clone.
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::blocking::accumulo::{Connection, Mutation, TimeType};
    ///
    /// # fn main() -> hbase_orm::Result<()> {
    /// let connector = Connection::builder().build().login("root", "secret")?;
    /// connector.create_table("events", true, TimeType::MILLIS)?;
    /// connector.update_and_flush("events", [Mutation::new("e1").put("f", "q", "v")])?;
    /// # Ok(()) }
    /// ```
    #[derive(Clone)]
    pub struct Connector(client::Connector) as "blocking::accumulo::Connector";
}

impl Connector {
    /// The async connector this one blocks on.
    pub fn as_async(&self) -> &client::Connector {
        &self.inner
    }

    /// The principal that logged in.
    pub fn principal(&self) -> &str {
        self.inner.principal()
    }

    /// The login token (for the generated low-level calls).
    pub fn token(&self) -> &[u8] {
        self.inner.token()
    }

    /// Runs a future of the async API on this connector's runtime.
    ///
    /// # Panics
    /// When called from an async task.
    #[track_caller]
    pub fn block_on<F: IntoFuture>(&self, future: F) -> F::Output {
        self.rt.block_on(future.into_future())
    }

    blocking_calls! {
        /// A writer on `table`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::writer`].
        fn writer(&self, table: &str, options: WriterOptions) -> twin Writer;
        /// A scanner over one range of `table`: an `Iterator` of entries.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::scanner`].
        fn scanner(&self, table: &str, options: ScanOptions) -> twin Scanner;
        /// A batch scanner over many ranges of `table` (entries in no set
        /// order).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::batch_scanner`].
        fn batch_scanner(&self, table: &str, options: BatchScanOptions) -> twin Scanner;
        /// A conditional writer on `table`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::conditional_writer`].
        fn conditional_writer(&self, table: &str, options: ConditionalWriterOptions)
            -> twin ConditionalWriter;
    }

    blocking_calls! {
        /// Whether table `table` exists.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::table_exists`].
        fn table_exists(&self, table: &str) -> Result<bool>;
        /// Creates a table, with the versioning iterator (one version kept, at
        /// scan and both compaction scopes) or without it (every version kept),
        /// and the time type of its timestamps.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::create_table`].
        fn create_table(&self, table: &str, versioning_iterator: bool, time_type: TimeType) -> Result<()>;
        /// Deletes a table and its data.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::delete_table`].
        fn delete_table(&self, table: &str) -> Result<()>;
        /// Every table's name, the system tables included.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_tables`].
        fn list_tables(&self) -> Result<BTreeSet<String>>;
        /// Renames a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::rename_table`].
        fn rename_table(&self, from: &str, to: &str) -> Result<()>;
        /// Clones a table (flushing it first when `flush`), setting and
        /// excluding properties on the clone.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::clone_table`].
        fn clone_table(&self, from: &str, to: &str, flush: bool, set: BTreeMap<String, String>, exclude: BTreeSet<String>) -> Result<()>;
        /// The table's properties (its own and the inherited ones).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::table_properties`].
        fn table_properties(&self, table: &str) -> Result<BTreeMap<String, String>>;
        /// Sets one table property.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::set_table_property`].
        fn set_table_property(&self, table: &str, key: &str, value: &str) -> Result<()>;
        /// Removes one table property.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::remove_table_property`].
        fn remove_table_property(&self, table: &str, key: &str) -> Result<()>;
        /// Adds split points to a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::add_splits`].
        fn add_splits(&self, table: &str, splits: impl IntoIterator<Item = impl AsRef<[u8]>>) -> Result<()>;
        /// The table's split points, at most `max` of them.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_splits`].
        fn list_splits(&self, table: &str, max: i32) -> Result<Vec<Vec<u8>>>;
        /// Flushes the table's memory to files for rows in `start..=end`
        /// (`None`: unbounded), waiting for it when `wait`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::flush_table`].
        fn flush_table(&self, table: &str, start: Option<&[u8]>, end: Option<&[u8]>, wait: bool) -> Result<()>;
        /// Compacts rows `start..=end` (`None`: unbounded) with `iterators`
        /// applied for this compaction, flushing first when `flush`, waiting
        /// for it when `wait`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::compact_table`].
        fn compact_table(&self, table: &str, start: Option<&[u8]>, end: Option<&[u8]>, iterators: &[IteratorSetting], flush: bool, wait: bool) -> Result<()>;
        /// Deletes the rows after `start` up to and including `end` (`None`:
        /// unbounded).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::delete_rows`].
        fn delete_rows(&self, table: &str, start: Option<&[u8]>, end: Option<&[u8]>) -> Result<()>;
        /// Attaches an iterator to a table at `scopes`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::attach_iterator`].
        fn attach_iterator(&self, table: &str, setting: &IteratorSetting, scopes: BTreeSet<IteratorScope>) -> Result<()>;
        /// Removes the iterator `name` from `scopes`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::remove_iterator`].
        fn remove_iterator(&self, table: &str, name: &str, scopes: BTreeSet<IteratorScope>) -> Result<()>;
        /// The table's iterators, by name, with their scopes.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_iterators`].
        fn list_iterators(&self, table: &str) -> Result<BTreeMap<String, BTreeSet<IteratorScope>>>;
        /// The setting of iterator `name` at `scope`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::iterator_setting`].
        fn iterator_setting(&self, table: &str, name: &str, scope: IteratorScope) -> Result<IteratorSetting>;
        /// Checks that attaching `setting` at `scopes` would not conflict with
        /// the table's iterators (same name, or same priority).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::check_iterator_conflicts`].
        fn check_iterator_conflicts(&self, table: &str, setting: &IteratorSetting, scopes: BTreeSet<IteratorScope>) -> Result<()>;
        /// The name of the system namespace (`accumulo`).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::system_namespace`].
        fn system_namespace(&self) -> Result<String>;
        /// The name of the default namespace (the empty string).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::default_namespace`].
        fn default_namespace(&self) -> Result<String>;
        /// Every namespace.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_namespaces`].
        fn list_namespaces(&self) -> Result<Vec<String>>;
        /// Whether namespace `name` exists.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::namespace_exists`].
        fn namespace_exists(&self, name: &str) -> Result<bool>;
        /// Creates a namespace; its tables are named `name.table`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::create_namespace`].
        fn create_namespace(&self, name: &str) -> Result<()>;
        /// Deletes an empty namespace.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::delete_namespace`].
        fn delete_namespace(&self, name: &str) -> Result<()>;
        /// Renames a namespace.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::rename_namespace`].
        fn rename_namespace(&self, from: &str, to: &str) -> Result<()>;
        /// The namespace's properties.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::namespace_properties`].
        fn namespace_properties(&self, name: &str) -> Result<BTreeMap<String, String>>;
        /// Sets one namespace property.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::set_namespace_property`].
        fn set_namespace_property(&self, name: &str, key: &str, value: &str) -> Result<()>;
        /// Creates a local user with a password.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::create_local_user`].
        fn create_local_user(&self, user: &str, password: &str) -> Result<()>;
        /// Drops a local user.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::drop_local_user`].
        fn drop_local_user(&self, user: &str) -> Result<()>;
        /// Every local user.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_local_users`].
        fn list_local_users(&self) -> Result<BTreeSet<String>>;
        /// Changes a local user's password.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::change_local_user_password`].
        fn change_local_user_password(&self, user: &str, password: &str) -> Result<()>;
        /// Whether `user` authenticates with `password`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::authenticate_user`].
        fn authenticate_user(&self, user: &str, password: &str) -> Result<bool>;
        /// Replaces the authorizations `user` holds.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::change_user_authorizations`].
        fn change_user_authorizations(&self, user: &str, auths: &Authorizations) -> Result<()>;
        /// The authorizations `user` holds.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::user_authorizations`].
        fn user_authorizations(&self, user: &str) -> Result<Authorizations>;
        /// Grants a system permission.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::grant_system_permission`].
        fn grant_system_permission(&self, user: &str, perm: SystemPermission) -> Result<()>;
        /// Revokes a system permission.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::revoke_system_permission`].
        fn revoke_system_permission(&self, user: &str, perm: SystemPermission) -> Result<()>;
        /// Whether `user` holds a system permission.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::has_system_permission`].
        fn has_system_permission(&self, user: &str, perm: SystemPermission) -> Result<bool>;
        /// Grants a permission on a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::grant_table_permission`].
        fn grant_table_permission(&self, user: &str, table: &str, perm: TablePermission) -> Result<()>;
        /// Revokes a permission on a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::revoke_table_permission`].
        fn revoke_table_permission(&self, user: &str, table: &str, perm: TablePermission) -> Result<()>;
        /// Whether `user` holds a permission on a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::has_table_permission`].
        fn has_table_permission(&self, user: &str, table: &str, perm: TablePermission) -> Result<bool>;
        /// Writes mutations at once and waits until they are applied.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::update_and_flush`].
        fn update_and_flush(&self, table: &str, mutations: impl IntoIterator<Item = Mutation>) -> Result<()>;
        /// Applies one conditional mutation to `table`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::update_row_conditionally`].
        fn update_row_conditionally(&self, table: &str, mutation: ConditionalMutation) -> Result<ConditionalStatus>;
    }
}

blocking_twin! {
    /// A blocking [`crate::accumulo::Writer`]: updates are sent at once (the
    /// proxy's one-way `update`), rejections surface at [`Writer::flush`] and
    /// [`Writer::close`]. Dropped unclosed, it closes in the background and
    /// warns when rows were unflushed, as the async one does.
    pub struct Writer(closes client::Writer) as "blocking::accumulo::Writer";
    /// Flushes and closes the writer.
    ///
    /// # Errors
    /// As [`crate::accumulo::Writer::close`].
    fn close;
}

impl Writer {
    fn inner(&mut self) -> &mut client::Writer {
        // Only `close` and `drop` take it, and both consume the writer.
        self.inner
            .as_mut()
            .unwrap_or_else(|| unreachable!("a blocking writer is used after close"))
    }

    /// The writer's id on the proxy.
    pub fn id(&self) -> &str {
        self.inner.as_ref().map_or("", |w| w.id())
    }

    /// Rows sent since the last flush.
    pub fn unflushed_rows(&self) -> &[Vec<u8>] {
        self.inner.as_ref().map_or(&[], |w| w.unflushed_rows())
    }

    /// Sends `mutations` (checked first; nothing is sent when one is bad).
    ///
    /// # Errors
    /// As [`crate::accumulo::Writer::update`].
    #[track_caller]
    pub fn update(&mut self, mutations: impl IntoIterator<Item = Mutation>) -> Result<()> {
        let rt = Arc::clone(&self.rt);
        let _guard = rt.enter();
        self.inner().update(mutations)
    }

    /// Waits until everything sent is applied.
    ///
    /// # Errors
    /// As [`crate::accumulo::Writer::flush`]: rejected mutations, naming the
    /// rows sent since the last flush.
    #[track_caller]
    pub fn flush(&mut self) -> Result<()> {
        let rt = Arc::clone(&self.rt);
        rt.block_on(self.inner().flush())
    }
}

blocking_twin! {
    /// A blocking [`crate::accumulo::Scanner`]: an `Iterator` of entries, each
    /// page fetched when the previous one is used up. Closed on end, error and
    /// drop.
    pub struct Scanner(closes client::Scanner) as "blocking::accumulo::Scanner";
    yields Result<Entry>;
    /// Closes the scanner now.
    ///
    /// # Errors
    /// As [`crate::accumulo::Scanner::close`].
    fn close;
}

impl Scanner {
    /// The scanner's id on the proxy.
    pub fn id(&self) -> &str {
        self.inner.as_ref().map_or("", |s| s.id())
    }
}

blocking_twin! {
    /// A blocking [`crate::accumulo::ConditionalWriter`].
    pub struct ConditionalWriter(closes client::ConditionalWriter) as "blocking::accumulo::ConditionalWriter";
    /// Closes the writer.
    ///
    /// # Errors
    /// As [`crate::accumulo::ConditionalWriter::close`].
    fn close;
}

impl ConditionalWriter {
    /// Applies each mutation whose conditions hold; the status of each row.
    ///
    /// # Errors
    /// As [`crate::accumulo::ConditionalWriter::update`].
    #[track_caller]
    pub fn update(
        &self,
        mutations: impl IntoIterator<Item = ConditionalMutation>,
    ) -> Result<BTreeMap<Vec<u8>, ConditionalStatus>> {
        match &self.inner {
            Some(w) => self.rt.block_on(w.update(mutations)),
            None => unreachable!("a blocking conditional writer is used after close"),
        }
    }
}

blocking_twin! {
    /// A blocking pool of logged-in connectors:
    /// [`crate::accumulo::ConnectorPool`] with blocking methods and the same
    /// lending rules; one runtime for all its connectors.
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::blocking::accumulo::{ConnectorPool, Mutation};
    ///
    /// # fn main() -> hbase_orm::Result<()> {
    /// let pool = ConnectorPool::builder().address("localhost", 42424).login("root", "secret").build();
    /// let connector = pool.get()?;
    /// connector.update_and_flush("events", [Mutation::new("e1").put("f", "q", "v")])?;
    /// # Ok(()) }
    /// ```
    #[derive(Clone)]
    pub struct ConnectorPool(client::ConnectorPool) as "blocking::accumulo::ConnectorPool";
}

forward_setters! {
    /// Configures a blocking [`ConnectorPool`]; the options are those of
    /// [`crate::accumulo::ConnectorPoolBuilder`].
    pub struct ConnectorPoolBuilder(client::ConnectorPoolBuilder);
    /// Most connectors lent at once (at least 1). Default 10.
    size(size: usize);
    /// Longest [`ConnectorPool::get`] waits for a free connector.
    acquire_timeout(timeout: Duration);
    /// Adds a proxy address, tried in the order added.
    address(host: impl Into<String>, port: u16);
    /// Adds a proxy address from a socket address.
    addr(addr: SocketAddr);
    /// The settings of each connection.
    connection_builder(builder: client::ConnectionBuilder);
    /// The principal and password every connector logs in with.
    login(principal: impl Into<String>, password: impl Into<String>);
    /// The principal and login properties every connector logs in with.
    login_with(principal: impl Into<String>, properties: BTreeMap<String, String>);
}

blocking_pool!(
    ConnectorPool(client::ConnectorPool = "crate::accumulo::ConnectorPool"),
    ConnectorPoolBuilder,
    PooledConnector(Connector from connector),
    "connector",
    "connectors",
    "proxy",
    "hbase_orm::blocking::accumulo::ConnectorPool"
);

pooled_type! {
    /// A connector lent by a blocking [`ConnectorPool`]; back to the pool when
    /// dropped. Dereferences to the blocking [`Connector`].
    pub struct PooledConnector(client::PooledConnector) lends Connector
        as "blocking::accumulo::PooledConnector";
    /// The lent connector.
    fn connector;
    /// Drops this connector instead of returning it to the pool.
    fn discard;
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync + fmt::Debug + 'static>() {}
    check::<Connection>();
    check::<Connector>();
    check::<ConnectorPool>();
    check::<PooledConnector>();
}
