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
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;

use super::{forward_setters, Runtime};
use crate::accumulo as client;
use crate::error::Result;

pub use crate::accumulo::{
    all_scopes, following_prefix, quote_term, Authorizations, BatchScanOptions, ColumnVisibility,
    Condition, ConditionalMutation, ConditionalStatus, ConditionalWriterOptions, Durability, Entry,
    IteratorScope, IteratorSetting, Key, Mutation, PartialKey, Range, ScanOptions,
    SystemPermission, TablePermission, TimeType, WriterOptions,
};

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
pub struct Connection {
    inner: client::Connection,
    rt: Arc<Runtime>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::accumulo::Connection")
            .field(&self.inner)
            .finish()
    }
}

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
#[derive(Debug, Clone, Default)]
pub struct ConnectionBuilder {
    inner: client::ConnectionBuilder,
}

impl ConnectionBuilder {
    forward_setters! {
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

    /// The connection, which opens its socket on first use.
    ///
    /// # Panics
    /// When called from an async task; when the runtime's thread cannot start.
    #[track_caller]
    pub fn build(self) -> Connection {
        Connection {
            rt: Runtime::new(),
            inner: self.inner.build(),
        }
    }

    /// The connection, with its socket opened.
    ///
    /// # Errors
    /// As [`crate::accumulo::ConnectionBuilder::connect`].
    ///
    /// # Panics
    /// As [`ConnectionBuilder::build`].
    #[track_caller]
    pub fn connect(self) -> Result<Connection> {
        let conn = self.build();
        conn.open()?;
        Ok(conn)
    }
}

impl Connection {
    /// A builder with the defaults.
    pub fn builder() -> ConnectionBuilder {
        ConnectionBuilder::default()
    }

    /// Wraps an async connection, with a runtime of its own (the async
    /// connection must not be in use on another runtime).
    ///
    /// # Panics
    /// As [`ConnectionBuilder::build`].
    #[track_caller]
    pub fn from_async(inner: client::Connection) -> Connection {
        Connection {
            rt: Runtime::new(),
            inner,
        }
    }

    /// The async connection this one blocks on.
    pub fn as_async(&self) -> &client::Connection {
        &self.inner
    }

    /// Runs a future of the async API to completion on this connection's
    /// runtime, blocking the thread: the way to call what has no blocking
    /// counterpart.
    ///
    /// # Panics
    /// When called from an async task.
    #[track_caller]
    pub fn block_on<F: IntoFuture>(&self, future: F) -> F::Output {
        self.rt.block_on(future.into_future())
    }

    /// `host:port` of the proxy.
    pub fn addr(&self) -> &str {
        self.inner.addr()
    }

    /// The time one call may take.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout()
    }

    /// Whether a socket to the proxy is open.
    pub fn is_open(&self) -> bool {
        self.inner.is_open()
    }

    /// Opens the socket now.
    ///
    /// # Errors
    /// As [`crate::accumulo::Connection::open`].
    #[track_caller]
    pub fn open(&self) -> Result<()> {
        self.rt.block_on(self.inner.open())
    }

    /// Closes the socket after the replies already asked for have arrived.
    #[track_caller]
    pub fn close(&self) {
        self.rt.block_on(self.inner.close());
    }

    /// Logs in with a password.
    ///
    /// # Errors
    /// As [`crate::accumulo::Connection::login`].
    #[track_caller]
    pub fn login(
        &self,
        principal: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Connector> {
        let inner = self.rt.block_on(self.inner.login(principal, password))?;
        Ok(Connector::new(inner, Arc::clone(&self.rt)))
    }

    /// Logs in with any login properties.
    ///
    /// # Errors
    /// As [`crate::accumulo::Connection::login_with`].
    #[track_caller]
    pub fn login_with(
        &self,
        principal: impl Into<String>,
        properties: BTreeMap<String, String>,
    ) -> Result<Connector> {
        let inner = self
            .rt
            .block_on(self.inner.login_with(principal, properties))?;
        Ok(Connector::new(inner, Arc::clone(&self.rt)))
    }
}

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
pub struct Connector {
    inner: client::Connector,
    rt: Arc<Runtime>,
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::accumulo::Connector")
            .field(&self.inner)
            .finish()
    }
}

/// Forwards the connector's calls to the async connector, blocking on each.
macro_rules! forward_calls {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        $(#[$doc])*
        #[track_caller]
        pub fn $name(&self, $($arg: $ty),*) -> Result<$ret> {
            self.rt.block_on(self.inner.$name($($arg),*))
        }
    )*};
}

impl Connector {
    fn new(inner: client::Connector, rt: Arc<Runtime>) -> Self {
        Connector { inner, rt }
    }

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

    /// A writer on `table`.
    ///
    /// # Errors
    /// As [`crate::accumulo::Connector::writer`].
    #[track_caller]
    pub fn writer(&self, table: &str, options: WriterOptions) -> Result<Writer> {
        let inner = self.rt.block_on(self.inner.writer(table, options))?;
        Ok(Writer {
            inner: Some(inner),
            rt: Arc::clone(&self.rt),
        })
    }

    /// A scanner over one range of `table`: an `Iterator` of entries.
    ///
    /// # Errors
    /// As [`crate::accumulo::Connector::scanner`].
    #[track_caller]
    pub fn scanner(&self, table: &str, options: ScanOptions) -> Result<Scanner> {
        let inner = self.rt.block_on(self.inner.scanner(table, options))?;
        Ok(Scanner {
            inner: Some(inner),
            rt: Arc::clone(&self.rt),
        })
    }

    /// A batch scanner over many ranges of `table` (entries in no set
    /// order).
    ///
    /// # Errors
    /// As [`crate::accumulo::Connector::batch_scanner`].
    #[track_caller]
    pub fn batch_scanner(&self, table: &str, options: BatchScanOptions) -> Result<Scanner> {
        let inner = self.rt.block_on(self.inner.batch_scanner(table, options))?;
        Ok(Scanner {
            inner: Some(inner),
            rt: Arc::clone(&self.rt),
        })
    }

    /// A conditional writer on `table`.
    ///
    /// # Errors
    /// As [`crate::accumulo::Connector::conditional_writer`].
    #[track_caller]
    pub fn conditional_writer(
        &self,
        table: &str,
        options: ConditionalWriterOptions,
    ) -> Result<ConditionalWriter> {
        let inner = self
            .rt
            .block_on(self.inner.conditional_writer(table, options))?;
        Ok(ConditionalWriter {
            inner: Some(inner),
            rt: Arc::clone(&self.rt),
        })
    }

    forward_calls! {
        /// Whether table `table` exists.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::table_exists`].
        table_exists(table: &str) -> bool;
        /// Creates a table, with the versioning iterator (one version kept, at
        /// scan and both compaction scopes) or without it (every version kept),
        /// and the time type of its timestamps.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::create_table`].
        create_table(table: &str, versioning_iterator: bool, time_type: TimeType) -> ();
        /// Deletes a table and its data.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::delete_table`].
        delete_table(table: &str) -> ();
        /// Every table's name, the system tables included.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_tables`].
        list_tables() -> BTreeSet<String>;
        /// Renames a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::rename_table`].
        rename_table(from: &str, to: &str) -> ();
        /// Clones a table (flushing it first when `flush`), setting and
        /// excluding properties on the clone.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::clone_table`].
        clone_table(from: &str, to: &str, flush: bool, set: BTreeMap<String, String>, exclude: BTreeSet<String>) -> ();
        /// The table's properties (its own and the inherited ones).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::table_properties`].
        table_properties(table: &str) -> BTreeMap<String, String>;
        /// Sets one table property.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::set_table_property`].
        set_table_property(table: &str, key: &str, value: &str) -> ();
        /// Removes one table property.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::remove_table_property`].
        remove_table_property(table: &str, key: &str) -> ();
        /// Adds split points to a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::add_splits`].
        add_splits(table: &str, splits: impl IntoIterator<Item = impl AsRef<[u8]>>) -> ();
        /// The table's split points, at most `max` of them.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_splits`].
        list_splits(table: &str, max: i32) -> Vec<Vec<u8>>;
        /// Flushes the table's memory to files for rows in `start..=end`
        /// (`None`: unbounded), waiting for it when `wait`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::flush_table`].
        flush_table(table: &str, start: Option<&[u8]>, end: Option<&[u8]>, wait: bool) -> ();
        /// Compacts rows `start..=end` (`None`: unbounded) with `iterators`
        /// applied for this compaction, flushing first when `flush`, waiting
        /// for it when `wait`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::compact_table`].
        compact_table(table: &str, start: Option<&[u8]>, end: Option<&[u8]>, iterators: &[IteratorSetting], flush: bool, wait: bool) -> ();
        /// Deletes the rows after `start` up to and including `end` (`None`:
        /// unbounded).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::delete_rows`].
        delete_rows(table: &str, start: Option<&[u8]>, end: Option<&[u8]>) -> ();
        /// Attaches an iterator to a table at `scopes`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::attach_iterator`].
        attach_iterator(table: &str, setting: &IteratorSetting, scopes: BTreeSet<IteratorScope>) -> ();
        /// Removes the iterator `name` from `scopes`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::remove_iterator`].
        remove_iterator(table: &str, name: &str, scopes: BTreeSet<IteratorScope>) -> ();
        /// The table's iterators, by name, with their scopes.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_iterators`].
        list_iterators(table: &str) -> BTreeMap<String, BTreeSet<IteratorScope>>;
        /// The setting of iterator `name` at `scope`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::iterator_setting`].
        iterator_setting(table: &str, name: &str, scope: IteratorScope) -> IteratorSetting;
        /// Checks that attaching `setting` at `scopes` would not conflict with
        /// the table's iterators (same name, or same priority).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::check_iterator_conflicts`].
        check_iterator_conflicts(table: &str, setting: &IteratorSetting, scopes: BTreeSet<IteratorScope>) -> ();
        /// The name of the system namespace (`accumulo`).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::system_namespace`].
        system_namespace() -> String;
        /// The name of the default namespace (the empty string).
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::default_namespace`].
        default_namespace() -> String;
        /// Every namespace.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_namespaces`].
        list_namespaces() -> Vec<String>;
        /// Whether namespace `name` exists.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::namespace_exists`].
        namespace_exists(name: &str) -> bool;
        /// Creates a namespace; its tables are named `name.table`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::create_namespace`].
        create_namespace(name: &str) -> ();
        /// Deletes an empty namespace.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::delete_namespace`].
        delete_namespace(name: &str) -> ();
        /// Renames a namespace.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::rename_namespace`].
        rename_namespace(from: &str, to: &str) -> ();
        /// The namespace's properties.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::namespace_properties`].
        namespace_properties(name: &str) -> BTreeMap<String, String>;
        /// Sets one namespace property.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::set_namespace_property`].
        set_namespace_property(name: &str, key: &str, value: &str) -> ();
        /// Creates a local user with a password.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::create_local_user`].
        create_local_user(user: &str, password: &str) -> ();
        /// Drops a local user.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::drop_local_user`].
        drop_local_user(user: &str) -> ();
        /// Every local user.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::list_local_users`].
        list_local_users() -> BTreeSet<String>;
        /// Changes a local user's password.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::change_local_user_password`].
        change_local_user_password(user: &str, password: &str) -> ();
        /// Whether `user` authenticates with `password`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::authenticate_user`].
        authenticate_user(user: &str, password: &str) -> bool;
        /// Replaces the authorizations `user` holds.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::change_user_authorizations`].
        change_user_authorizations(user: &str, auths: &Authorizations) -> ();
        /// The authorizations `user` holds.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::user_authorizations`].
        user_authorizations(user: &str) -> Authorizations;
        /// Grants a system permission.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::grant_system_permission`].
        grant_system_permission(user: &str, perm: SystemPermission) -> ();
        /// Revokes a system permission.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::revoke_system_permission`].
        revoke_system_permission(user: &str, perm: SystemPermission) -> ();
        /// Whether `user` holds a system permission.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::has_system_permission`].
        has_system_permission(user: &str, perm: SystemPermission) -> bool;
        /// Grants a permission on a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::grant_table_permission`].
        grant_table_permission(user: &str, table: &str, perm: TablePermission) -> ();
        /// Revokes a permission on a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::revoke_table_permission`].
        revoke_table_permission(user: &str, table: &str, perm: TablePermission) -> ();
        /// Whether `user` holds a permission on a table.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::has_table_permission`].
        has_table_permission(user: &str, table: &str, perm: TablePermission) -> bool;
        /// Writes mutations at once and waits until they are applied.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::update_and_flush`].
        update_and_flush(table: &str, mutations: impl IntoIterator<Item = Mutation>) -> ();
        /// Applies one conditional mutation to `table`.
        ///
        /// # Errors
        /// As [`crate::accumulo::Connector::update_row_conditionally`].
        update_row_conditionally(table: &str, mutation: ConditionalMutation) -> ConditionalStatus;
    }
}

/// A blocking [`crate::accumulo::Writer`]: updates are sent at once (the
/// proxy's one-way `update`), rejections surface at [`Writer::flush`] and
/// [`Writer::close`]. Dropped unclosed, it closes in the background and
/// warns when rows were unflushed, as the async one does.
pub struct Writer {
    inner: Option<client::Writer>,
    rt: Arc<Runtime>,
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::accumulo::Writer")
            .field(&self.inner)
            .finish()
    }
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

    /// Flushes and closes the writer.
    ///
    /// # Errors
    /// As [`crate::accumulo::Writer::close`].
    #[track_caller]
    pub fn close(mut self) -> Result<()> {
        match self.inner.take() {
            Some(w) => self.rt.block_on(w.close()),
            None => Ok(()),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // The async writer closes itself from its drop: within the runtime,
        // which serves the socket.
        let _guard = self.rt.enter();
        self.inner.take();
    }
}

/// A blocking [`crate::accumulo::Scanner`]: an `Iterator` of entries, each
/// page fetched when the previous one is used up. Closed on end, error and
/// drop.
pub struct Scanner {
    inner: Option<client::Scanner>,
    rt: Arc<Runtime>,
}

impl fmt::Debug for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::accumulo::Scanner")
            .field(&self.inner)
            .finish()
    }
}

impl Scanner {
    /// The scanner's id on the proxy.
    pub fn id(&self) -> &str {
        self.inner.as_ref().map_or("", |s| s.id())
    }

    /// Closes the scanner now.
    ///
    /// # Errors
    /// As [`crate::accumulo::Scanner::close`].
    #[track_caller]
    pub fn close(mut self) -> Result<()> {
        match self.inner.take() {
            Some(s) => self.rt.block_on(s.close()),
            None => Ok(()),
        }
    }
}

impl Iterator for Scanner {
    type Item = Result<Entry>;

    #[track_caller]
    fn next(&mut self) -> Option<Result<Entry>> {
        let scanner = self.inner.as_mut()?;
        self.rt.block_on(scanner.next())
    }
}

impl Drop for Scanner {
    fn drop(&mut self) {
        let _guard = self.rt.enter();
        self.inner.take();
    }
}

/// A blocking [`crate::accumulo::ConditionalWriter`].
pub struct ConditionalWriter {
    inner: Option<client::ConditionalWriter>,
    rt: Arc<Runtime>,
}

impl fmt::Debug for ConditionalWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::accumulo::ConditionalWriter")
            .field(&self.inner)
            .finish()
    }
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

    /// Closes the writer.
    ///
    /// # Errors
    /// As [`crate::accumulo::ConditionalWriter::close`].
    #[track_caller]
    pub fn close(mut self) -> Result<()> {
        match self.inner.take() {
            Some(w) => self.rt.block_on(w.close()),
            None => Ok(()),
        }
    }
}

impl Drop for ConditionalWriter {
    fn drop(&mut self) {
        let _guard = self.rt.enter();
        self.inner.take();
    }
}

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
pub struct ConnectorPool {
    inner: client::ConnectorPool,
    rt: Arc<Runtime>,
}

impl fmt::Debug for ConnectorPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::accumulo::ConnectorPool")
            .field(&self.inner)
            .finish()
    }
}

/// Configures a blocking [`ConnectorPool`]; the options are those of
/// [`crate::accumulo::ConnectorPoolBuilder`].
#[derive(Debug, Clone, Default)]
pub struct ConnectorPoolBuilder {
    inner: client::ConnectorPoolBuilder,
}

impl ConnectorPoolBuilder {
    forward_setters! {
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

    /// The pool; no connection is opened until one is asked for.
    ///
    /// # Panics
    /// When called from an async task.
    #[track_caller]
    pub fn build(self) -> ConnectorPool {
        ConnectorPool {
            rt: Runtime::new(),
            inner: self.inner.build(),
        }
    }

    /// The pool, with one connector opened and logged in.
    ///
    /// # Errors
    /// As [`crate::accumulo::ConnectorPoolBuilder::connect`].
    #[track_caller]
    pub fn connect(self) -> Result<ConnectorPool> {
        let pool = self.build();
        drop(pool.get()?);
        Ok(pool)
    }
}

impl ConnectorPool {
    /// A builder with the defaults.
    pub fn builder() -> ConnectorPoolBuilder {
        ConnectorPoolBuilder::default()
    }

    /// Lends a logged-in connector until the returned guard is dropped.
    ///
    /// # Errors
    /// As [`crate::accumulo::ConnectorPool::get`].
    #[track_caller]
    pub fn get(&self) -> Result<PooledConnector> {
        let lent = self.rt.block_on(self.inner.get())?;
        let connector = Connector::new(lent.connector().clone(), Arc::clone(&self.rt));
        Ok(PooledConnector {
            lent: Some(lent),
            connector,
        })
    }

    /// The async pool this one blocks on.
    pub fn as_async(&self) -> &client::ConnectorPool {
        &self.inner
    }

    /// Most connectors lent at once.
    pub fn size(&self) -> usize {
        self.inner.size()
    }

    /// `host:port` of each proxy, in failover order.
    pub fn addresses(&self) -> &[String] {
        self.inner.addresses()
    }

    /// How many connectors sit idle.
    pub fn idle_connections(&self) -> usize {
        self.inner.idle_connections()
    }

    /// How many connectors are lent right now.
    pub fn connections_in_use(&self) -> usize {
        self.inner.connections_in_use()
    }
}

/// A connector lent by a blocking [`ConnectorPool`]; back to the pool when
/// dropped. Dereferences to the blocking [`Connector`].
pub struct PooledConnector {
    lent: Option<client::PooledConnector>,
    connector: Connector,
}

impl fmt::Debug for PooledConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::accumulo::PooledConnector")
            .field(&self.connector)
            .finish()
    }
}

impl PooledConnector {
    /// The lent connector.
    pub fn connector(&self) -> &Connector {
        &self.connector
    }

    /// Drops this connector instead of returning it to the pool.
    pub fn discard(mut self) {
        if let Some(lent) = self.lent.take() {
            lent.discard();
        }
    }
}

impl Deref for PooledConnector {
    type Target = Connector;

    fn deref(&self) -> &Connector {
        &self.connector
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync + fmt::Debug + 'static>() {}
    check::<Connection>();
    check::<Connector>();
    check::<ConnectorPool>();
    check::<PooledConnector>();
}
