//! The blocking API: the async client, driven by a runtime of its own.
//!
//! Every type here wraps its async counterpart and blocks the calling thread
//! on the async method, so both APIs share one code path and return the same
//! [`Error`] (the design of the `postgres` crate over `tokio-postgres`, and of
//! `reqwest::blocking`).
//!
//! | async                      | blocking                            |
//! |----------------------------|-------------------------------------|
//! | [`crate::Connection`]      | [`Connection`]                      |
//! | [`crate::Table`]           | [`Table`]                           |
//! | `table.row(k).await`       | `table.row(k).run()`                |
//! | [`crate::Scan`] (a `Stream`) | [`Scan`] (an `Iterator`)          |
//! | [`crate::Batch`]           | [`Batch`]                           |
//! | [`crate::ConnectionPool`]  | [`ConnectionPool`]                  |
//! | [`crate::repo::Repo`]      | [`Repo`] (scans: [`RepoScan`], an `Iterator`) |
//! | [`crate::accumulo`]        | [`accumulo`] (the Accumulo Proxy client) |
//!
//! Requests with options are builders, as in the async API; where the async
//! one is awaited, the blocking one ends with `.run()`.
//!
//! # Runtime
//! A [`Connection`] (or [`ConnectionPool`]) owns a small tokio runtime: one
//! worker thread, which keeps serving the socket between calls (it notices a
//! gateway closing an idle connection, reads replies of calls a caller gave
//! up on). Clones, and the tables, scans and batches made from them, share
//! that runtime; it stops when the last of them is dropped.
//!
//! # Panics
//! Blocking on a thread that drives async tasks would stall its runtime, so
//! every function of this module that builds a connection or makes a call
//! **panics when called from an async task** (a tokio worker thread, or a
//! future run by `block_on`), with a message saying so: use the async API
//! there. Everywhere tokio itself allows blocking, the blocking API works: a
//! plain thread, a `tokio::task::spawn_blocking` thread, the closure of
//! `tokio::task::block_in_place`, a thread that only entered a runtime's
//! context (`Handle::enter`). That is where a synchronous library called
//! by an async service runs.
//!
//! # Adding a blocking wrapper
//! A blocking counterpart of another async type holds the async value and a
//! [`Connection`], and runs each async method through
//! [`Connection::block_on`], as [`Repo`] does:
//! `fn get(&self, key: &K) -> Result<Option<T>> { self.conn.block_on(self.inner.get(key)) }`.
//! Inside this module, a twin is declared with `blocking_twin!` (the async
//! value and the runtime; closed within the runtime when dropped, for a
//! scanner or a writer), its methods written with `blocking_calls!` and its
//! option setters with `blocking_options!`.
//!
//! # Examples
//! ```no_run
//! use hbase_orm::blocking::Connection;
//! use hbase_orm::ColumnFamily;
//!
//! # fn main() -> hbase_orm::Result<()> {
//! let conn = Connection::builder().host("localhost").port(9090).connect()?;
//! conn.create_table("users", [ColumnFamily::new("cf")])?;
//! let users = conn.table("users");
//! users.put("u1", [("cf:name", "Ann")]).run()?;
//! let row = users.row("u1").run()?.expect("just written");
//! for row in users.scan().row_prefix("u") {
//!     println!("{:?}", row?.key);
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "accumulo")]
pub mod accumulo;
mod batch;
mod pool;
mod repo;
mod table;
pub mod thrift2;

pub use self::batch::Batch;
pub use self::pool::{ConnectionPool, ConnectionPoolBuilder, PooledConnection};
pub use self::repo::{Repo, RepoScan};
pub use self::table::{
    CellsRequest, CheckAndPutRequest, DeleteRequest, PutRequest, RowRequest, RowViews, RowsRequest,
    Scan, Table,
};
pub use crate::connection::ColumnFamily;
pub use crate::error::{Error, Result};
pub use crate::table::{Cell, Region, Row};
pub use crate::{Protocol, Transport};

/// The message of the panic of a blocking call made from an async task.
const INSIDE_RUNTIME: &str = "hbase_orm::blocking was called from an async task, where \
     blocking would stall the runtime: use the async API (hbase_orm::Connection, \
     hbase_orm::ConnectionPool) there, or make the call from \
     tokio::task::spawn_blocking";

/// Whether the current thread may block on `rt`, by tokio's own rule.
///
/// tokio refuses to block only on a thread that is driving async tasks (a
/// worker thread, or inside `block_on`); it allows it on plain threads,
/// `spawn_blocking` threads and in `block_in_place`, although
/// `Handle::try_current` succeeds on most of these. tokio has no public query
/// for that state, so where a runtime context is present the answer comes
/// from tokio itself: blocking on a future that is already ready, which
/// tokio refuses (with a panic, caught here) before polling it exactly when
/// blocking is not allowed.
fn may_block(rt: &tokio::runtime::Runtime) -> bool {
    if tokio::runtime::Handle::try_current().is_err() {
        // No runtime context at all: a plain thread.
        return true;
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.block_on(async {}))).is_ok()
}

/// Panics with [`INSIDE_RUNTIME`] where blocking on `rt` is not allowed.
#[track_caller]
fn assert_may_block(rt: &tokio::runtime::Runtime) {
    if !may_block(rt) {
        panic!("{INSIDE_RUNTIME}");
    }
}

/// The runtime a blocking connection (and what is made from it) runs on.
pub(crate) struct Runtime {
    rt: Option<tokio::runtime::Runtime>,
}

impl Runtime {
    /// A runtime with one worker thread, which serves the connections'
    /// sockets between calls.
    ///
    /// Panics when called from an async task, or when the thread cannot be
    /// started.
    #[track_caller]
    pub(crate) fn new() -> Arc<Runtime> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hbase-orm-blocking")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("hbase_orm::blocking cannot start its runtime: {e}"));
        let rt = Runtime { rt: Some(rt) };
        // On refusal, `rt` is dropped in the background (see `Drop`).
        if let Some(inner) = &rt.rt {
            assert_may_block(inner);
        }
        Arc::new(rt)
    }

    /// Runs `future` to completion on this runtime, blocking the thread.
    ///
    /// Panics when called from an async task.
    #[track_caller]
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.rt {
            Some(rt) => {
                assert_may_block(rt);
                rt.block_on(future)
            }
            // Only `drop` takes the runtime.
            None => unreachable!("the blocking runtime is used after it was dropped"),
        }
    }

    /// Enters the runtime's context (for drops that may touch its timers or
    /// tasks). Works inside another runtime too.
    pub(crate) fn enter(&self) -> Option<tokio::runtime::EnterGuard<'_>> {
        self.rt.as_ref().map(tokio::runtime::Runtime::enter)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                // A blocking value dropped inside an async context: a runtime
                // may not block there, so it stops in the background.
                rt.shutdown_background();
            } else {
                drop(rt);
            }
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime").finish_non_exhaustive()
    }
}

/// Declares a blocking twin of an async value: the struct, holding the
/// async value (`inner`) and the runtime it blocks on (`rt`); `wrap`, which
/// makes one; and a `Debug` showing the async value under `$label`.
///
/// A twin of `closes $async` holds its async value until it is closed or
/// dropped (`inner` is an `Option`, `None` once a consuming `close` took
/// it, or while the twin is dropped) and drops
/// it within the runtime: the async value (a scanner, a writer) sends its
/// close from its drop, through the socket the runtime serves. With
/// `yields $item`, such a twin of a stream is an `Iterator` of its items,
/// each one blocked on; with `fn close;`, it has a `close` blocking on the
/// async value's (with the docs given).
macro_rules! blocking_twin {
    (@declare [$(#[$m:meta])*] $name:ident($async:ty) in $field:ty, $wrap:path, $label:literal) => {
        $(#[$m])*
        pub struct $name {
            inner: $field,
            rt: std::sync::Arc<$crate::blocking::Runtime>,
        }

        impl $name {
            /// The twin of `inner`, blocking on `rt`.
            pub(crate) fn wrap(inner: $async, rt: std::sync::Arc<$crate::blocking::Runtime>) -> Self {
                $name { inner: $wrap(inner), rt }
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple($label).field(&self.inner).finish()
            }
        }
    };
    (
        $(#[$m:meta])* pub struct $name:ident(closes $async:ty) as $label:literal;
        $(yields $item:ty;)?
        $($(#[$c:meta])* fn close;)?
    ) => {
        $crate::blocking::blocking_twin!(@declare [$(#[$m])*] $name($async) in Option<$async>, Some, $label);

        impl Drop for $name {
            fn drop(&mut self) {
                let _guard = self.rt.enter();
                self.inner.take();
            }
        }

        $(
            impl Iterator for $name {
                type Item = $item;

                #[track_caller]
                fn next(&mut self) -> Option<$item> {
                    let stream = self.inner.as_mut()?;
                    self.rt.block_on(futures::StreamExt::next(stream))
                }
            }
        )?

        $(
            impl $name {
                $(#[$c])*
                #[track_caller]
                pub fn close(mut self) -> $crate::Result<()> {
                    match self.inner.take() {
                        Some(inner) => self.rt.block_on(inner.close()),
                        None => Ok(()),
                    }
                }
            }
        )?
    };
    ($(#[$m:meta])* pub struct $name:ident($async:ty) as $label:literal;) => {
        $crate::blocking::blocking_twin!(@declare [$(#[$m])*] $name($async) in $async, std::convert::identity, $label);
    };
}
pub(crate) use blocking_twin;

blocking_twin! {
    /// A blocking connection to an HBase Thrift1 gateway: [`crate::Connection`]
    /// with every `async fn` turned into a blocking one.
    ///
    /// Cheap to clone: clones share the socket and the runtime, and may be used
    /// from several threads at once (their calls are pipelined on the one
    /// socket, as in the async API). The socket is opened on first use (or by
    /// [`Connection::open`]) and re-opened transparently after the gateway
    /// closed it.
    ///
    /// # Panics
    /// Every method that builds a connection or makes a call panics when
    /// called from an async task: use [`crate::Connection`] there (a
    /// `spawn_blocking` thread is fine).
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::blocking::Connection;
    ///
    /// # fn main() -> hbase_orm::Result<()> {
    /// let conn = Connection::builder().host("localhost").table_prefix("app").connect()?;
    /// for name in conn.tables()? {
    ///     println!("{name}");
    /// }
    /// # Ok(()) }
    /// ```
    #[derive(Clone)]
    pub struct Connection(crate::Connection) as "blocking::Connection";
}

pub(crate) use crate::network::config::forward_setters;

/// Blocking forms of async methods, for every blocking twin: each blocks
/// on the async method of the same name of `self.inner`, on `self.rt`.
/// One list takes `&self` methods, another `&mut self` ones; type
/// parameters are written with their bounds inline (`fn f<I: Bound>(..)`).
/// A list of `fn f(&self, ..) -> twin Name;` hands out the async value the
/// call returns as its blocking twin `Name` (on the same runtime), in a
/// `Result<Name>`.
macro_rules! blocking_calls {
    // One method; `$s` is the receiver's `self`, given with the receiver.
    (@call ($($recv:tt)+) $s:ident [$(#[$doc:meta])*] $name:ident
        $(<$($g:ident: $b:path),+>)? ($($arg:ident: $ty:ty),*) -> $out:ty) => {
        $(#[$doc])*
        #[track_caller]
        pub fn $name $(<$($g: $b),+>)? ($($recv)+ $(, $arg: $ty)*) -> $out {
            $s.rt.block_on($s.inner.$name($($arg),*))
        }
    };
    ($($(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> twin $twin:ident;)*) => {$(
        $(#[$doc])*
        #[track_caller]
        pub fn $name(&self $(, $arg: $ty)*) -> $crate::Result<$twin> {
            let inner = self.rt.block_on(self.inner.$name($($arg),*))?;
            Ok($twin::wrap(inner, std::sync::Arc::clone(&self.rt)))
        }
    )*};
    ($($(#[$doc:meta])* fn $name:ident $(<$($g:ident: $b:path),+>)?
        (&self $(, $arg:ident: $ty:ty)* $(,)?) -> $out:ty;)*) => {$(
        $crate::blocking::blocking_calls!(@call (&self) self [$(#[$doc])*] $name
            $(<$($g: $b),+>)? ($($arg: $ty),*) -> $out);
    )*};
    ($($(#[$doc:meta])* fn $name:ident $(<$($g:ident: $b:path),+>)?
        (&mut self $(, $arg:ident: $ty:ty)* $(,)?) -> $out:ty;)*) => {$(
        $crate::blocking::blocking_calls!(@call (&mut self) self [$(#[$doc])*] $name
            $(<$($g: $b),+>)? ($($arg: $ty),*) -> $out);
    )*};
}
pub(crate) use blocking_calls;

/// Option setters of a blocking value holding its async one in `inner`
/// (and its runtime in `rt`): each hands its argument to the async setter
/// of the same name, `name(arg: Type);` or, generic,
/// `name<P: Bound>(arg: P);`, with the docs it has here.
macro_rules! blocking_options {
    ($($(#[$doc:meta])* $name:ident $(<$($g:ident: $b:path),+>)? ($arg:ident: $ty:ty);)*) => {$(
        $(#[$doc])*
        pub fn $name $(<$($g: $b),+>)? (self, $arg: $ty) -> Self {
            Self { inner: self.inner.$name($arg), rt: self.rt }
        }
    )*};
}
pub(crate) use blocking_options;

/// Writes what every blocking connection has over its async twin, for the
/// calling module's `Connection { inner, rt }` and `ConnectionBuilder {
/// inner }`: `ConnectionBuilder::{build, connect}` and
/// `Connection::{builder, from_async, as_async, block_on, addr, is_open,
/// open, close}`. Arguments: the async connection type, what is at the
/// other end ("gateway", "proxy"), and the blocking type's path for the
/// examples.
macro_rules! blocking_connection {
    ($async:ty, $peer:literal, $path:literal) => {
        impl ConnectionBuilder {
            /// The connection, which opens its socket on first use.
            ///
            /// # Panics
            /// When called from an async task; when the runtime's thread
            /// cannot start.
            ///
            /// # Examples
            /// ```
            #[doc = concat!("let conn = ", $path, "::builder().port(9090).build();")]
            /// assert!(!conn.is_open());
            /// ```
            #[track_caller]
            pub fn build(self) -> Connection {
                let rt = $crate::blocking::Runtime::new();
                Connection::wrap(self.inner.build(), rt)
            }

            /// The connection, with its socket opened.
            ///
            /// # Errors
            #[doc = concat!("[`Error::Transport`](crate::Error::Transport) when the ", $peer)]
            /// cannot be reached, [`Error::Timeout`](crate::Error::Timeout)
            /// when it does not accept within the timeout.
            ///
            /// # Panics
            /// As [`ConnectionBuilder::build`].
            ///
            /// # Examples
            /// ```no_run
            /// # fn main() -> hbase_orm::Result<()> {
            #[doc = concat!("let conn = ", $path, "::builder().host(\"localhost\").connect()?;")]
            /// # Ok(()) }
            /// ```
            #[track_caller]
            pub fn connect(self) -> $crate::Result<Connection> {
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

            /// Wraps an async connection, with a runtime of its own.
            ///
            /// The async connection must not have been used yet on another
            /// runtime that is still running, or its socket stays served by
            /// that runtime.
            ///
            /// # Panics
            /// As [`ConnectionBuilder::build`].
            #[track_caller]
            pub fn from_async(inner: $async) -> Connection {
                Connection::wrap(inner, $crate::blocking::Runtime::new())
            }

            /// The async connection this one blocks on.
            pub fn as_async(&self) -> &$async {
                &self.inner
            }

            /// Runs a future of the async API (or a request builder, which
            /// turns into one) to completion on this connection's runtime,
            /// blocking the thread: the way to call what has no blocking
            /// counterpart.
            ///
            /// # Panics
            /// When called from an async task.
            #[track_caller]
            pub fn block_on<F: std::future::IntoFuture>(&self, future: F) -> F::Output {
                self.rt.block_on(future.into_future())
            }

            #[doc = concat!("`host:port` of the ", $peer, ".")]
            ///
            /// # Examples
            /// ```
            #[doc = concat!("let conn = ", $path, "::builder().host(\"h\").port(1).build();")]
            /// assert_eq!(conn.addr(), "h:1");
            /// ```
            pub fn addr(&self) -> &str {
                self.inner.addr()
            }

            #[doc = concat!("Whether a socket to the ", $peer, " is open.")]
            pub fn is_open(&self) -> bool {
                self.inner.is_open()
            }

            /// Opens the socket now, instead of on first use.
            ///
            /// # Errors
            /// As [`ConnectionBuilder::connect`].
            #[track_caller]
            pub fn open(&self) -> $crate::Result<()> {
                self.rt.block_on(self.inner.open())
            }

            /// Closes the socket, once the replies to calls already made
            /// have arrived. A later call opens a new socket.
            #[track_caller]
            pub fn close(&self) {
                self.rt.block_on(self.inner.close());
            }
        }
    };
}
pub(crate) use blocking_connection;

/// Writes what every blocking pool with a builder has over its async twin,
/// for the calling module's `$pool` (a [`blocking_twin!`] of the async pool
/// `$async`, at `$async_path` for the docs) and `$builder { inner }`: `$builder::{build, connect}` and
/// `$pool::{builder, get, as_async}` with the pool accessors. `get` lends
/// a `$pooled` (a `pooled_type!`) holding the async guard and the blocking
/// `$twin` of what it lends (the guard's `$accessor`). Then: what is lent
/// ("connection", "connections"), the server ("gateway", "proxy"), and the
/// pool type's path for the examples.
macro_rules! blocking_pool {
    (
        $pool:ident($async:ty = $async_path:literal), $builder:ident,
        $pooled:ident($twin:ident from $accessor:ident),
        $what:literal, $whats:literal, $peer:literal, $path:literal
    ) => {
        impl $builder {
            #[doc = concat!("The pool. No ", $what, " is opened until one is asked for.")]
            ///
            /// # Panics
            /// When called from an async task; when the runtime's thread
            /// cannot start.
            ///
            /// # Examples
            /// ```
            #[doc = concat!("let pool = ", $path, "::builder().size(2).build();")]
            /// assert_eq!(pool.idle_connections(), 0);
            /// ```
            #[track_caller]
            pub fn build(self) -> $pool {
                let rt = $crate::blocking::Runtime::new();
                $pool::wrap(self.inner.build(), rt)
            }

            #[doc = concat!("The pool, with one ", $what, " opened and left idle in it.")]
            ///
            /// # Errors
            #[doc = concat!("As [`", $async_path, "Builder::connect`].")]
            ///
            /// # Panics
            #[doc = concat!("As [`", stringify!($builder), "::build`].")]
            ///
            /// # Examples
            /// ```no_run
            /// # fn main() -> hbase_orm::Result<()> {
            #[doc = concat!("let pool = ", $path, "::builder().connect()?;")]
            /// # Ok(()) }
            /// ```
            #[track_caller]
            pub fn connect(self) -> $crate::Result<$pool> {
                let pool = self.build();
                drop(pool.get()?);
                Ok(pool)
            }
        }

        impl $pool {
            /// A builder with the defaults.
            ///
            /// # Examples
            /// ```
            #[doc = concat!("let pool = ", $path, "::builder().size(4).build();")]
            /// assert_eq!(pool.size(), 4);
            /// ```
            pub fn builder() -> $builder {
                $builder::default()
            }

            #[doc = concat!("Lends a ", $what, " until the returned guard is dropped; see")]
            #[doc = concat!("[`", $async_path, "::get`].")]
            ///
            /// # Errors
            #[doc = concat!("As [`", $async_path, "::get`].")]
            ///
            /// # Examples
            /// ```no_run
            /// # fn main() -> hbase_orm::Result<()> {
            #[doc = concat!("let pool = ", $path, "::builder().build();")]
            /// let lent = pool.get()?;
            /// # Ok(()) }
            /// ```
            #[track_caller]
            pub fn get(&self) -> $crate::Result<$pooled> {
                let guard = self.rt.block_on(self.inner.get())?;
                let lent = $twin::wrap(guard.$accessor().clone(), std::sync::Arc::clone(&self.rt));
                Ok($pooled { guard, lent })
            }

            /// The async pool this one blocks on.
            ///
            /// # Examples
            /// ```
            #[doc = concat!("let pool = ", $path, "::builder().size(3).build();")]
            /// assert_eq!(pool.as_async().size(), 3);
            /// ```
            pub fn as_async(&self) -> &$async {
                &self.inner
            }

            $crate::network::pool::pool_accessors!($whats, $peer);
        }
    };
}
pub(crate) use blocking_pool;

forward_setters! {
    /// Configures a blocking [`Connection`]; the options are those of
    /// [`crate::ConnectionBuilder`].
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use hbase_orm::blocking::{Connection, Protocol, Transport};
    ///
    /// let conn = Connection::builder()
    ///     .host("hbase-thrift.internal")
    ///     .port(9090)
    ///     .transport(Transport::Framed)
    ///     .protocol(Protocol::Compact)
    ///     .timeout(Duration::from_secs(5))
    ///     .table_prefix("staging")
    ///     .build();
    /// assert_eq!(conn.addr(), "hbase-thrift.internal:9090");
    /// ```
    pub struct ConnectionBuilder(crate::ConnectionBuilder);
    /// Host name or IP address of the gateway. Default `localhost`.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().host("hbase.internal").build();
    /// assert_eq!(conn.addr(), "hbase.internal:9090");
    /// ```
    host(host: impl Into<String>);
    /// Port of the gateway. Default 9090.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().port(9091).build();
    /// assert_eq!(conn.addr(), "localhost:9091");
    /// ```
    port(port: u16);
    /// Host and port from a socket address.
    ///
    /// # Examples
    /// ```
    /// let addr: std::net::SocketAddr = "127.0.0.1:9090".parse().unwrap();
    /// let conn = hbase_orm::blocking::Connection::builder().addr(addr).build();
    /// assert_eq!(conn.addr(), "127.0.0.1:9090");
    /// ```
    addr(addr: SocketAddr);
    /// Longest a call (including opening the socket) may take. Default
    /// 30 s.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let conn = hbase_orm::blocking::Connection::builder().timeout(Duration::from_secs(5)).build();
    /// assert_eq!(conn.timeout(), Duration::from_secs(5));
    /// ```
    timeout(timeout: Duration);
    /// Prefix of every table name, joined with the separator. Default
    /// none.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().table_prefix("app").build();
    /// assert_eq!(conn.full_table_name("users"), "app_users");
    /// ```
    table_prefix(prefix: impl Into<String>);
    /// Separator between the prefix and the table name. Default `_`.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().table_prefix("app").table_prefix_separator(":").build();
    /// assert_eq!(conn.full_table_name("users"), "app:users");
    /// ```
    table_prefix_separator(separator: impl Into<String>);
    /// The Thrift transport of the gateway. Default buffered.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().transport(hbase_orm::Transport::Framed).build();
    /// # let _ = conn;
    /// ```
    transport(transport: Transport);
    /// The Thrift protocol of the gateway. Default binary.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().protocol(hbase_orm::Protocol::Compact).build();
    /// # let _ = conn;
    /// ```
    protocol(protocol: Protocol);
    /// Speaks Thrift over HTTP; see [`crate::ConnectionBuilder::http`].
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().http().build();
    /// # let _ = conn;
    /// ```
    http();
    /// The path of HTTP calls; see [`crate::ConnectionBuilder::http_path`].
    http_path(path: impl Into<String>);
    /// A header sent with every HTTP call; see
    /// [`crate::ConnectionBuilder::http_header`].
    http_header(name: impl Into<String>, value: impl Into<String>);
    /// Speaks TLS to the gateway (feature `tls`); see
    /// [`crate::ConnectionBuilder::tls`].
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::tls::TlsConfig;
    /// let ca = std::fs::read("ca.pem").unwrap();
    /// let conn = hbase_orm::blocking::Connection::builder()
    ///     .host("hbase-thrift.internal")
    ///     .tls(TlsConfig::new().root_certificates_pem(ca))
    ///     .build();
    /// assert!(conn.as_async().is_tls());
    /// ```
    #[cfg(feature = "tls")]
    tls(tls: crate::tls::TlsConfig);
    /// Largest reply accepted. Default 64 MiB.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().max_message_bytes(16 << 20).build();
    /// # let _ = conn;
    /// ```
    max_message_bytes(max: usize);
    /// How failed calls are retried; see
    /// [`crate::ConnectionBuilder::retry_policy`].
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::RetryPolicy;
    /// let conn = hbase_orm::blocking::Connection::builder().retry_policy(RetryPolicy::none()).build();
    /// assert_eq!(conn.as_async().retry_policy().max_attempts, 1);
    /// ```
    retry_policy(policy: crate::RetryPolicy);
    /// Longest a call may take, retries included; see
    /// [`crate::ConnectionBuilder::deadline`].
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let conn = hbase_orm::blocking::Connection::builder().deadline(Duration::from_secs(5)).build();
    /// assert_eq!(conn.as_async().deadline(), Duration::from_secs(5));
    /// ```
    deadline(deadline: Duration);
}

blocking_connection!(
    crate::Connection,
    "gateway",
    "hbase_orm::blocking::Connection"
);

impl Connection {
    pub(crate) fn runtime(&self) -> &Arc<Runtime> {
        &self.rt
    }

    /// The table name prefix, if any.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().table_prefix("p").build();
    /// assert_eq!(conn.table_prefix(), Some("p"));
    /// ```
    pub fn table_prefix(&self) -> Option<&str> {
        self.inner.table_prefix()
    }

    /// The timeout applied to every call.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let conn = hbase_orm::blocking::Connection::builder().timeout(Duration::from_secs(2)).build();
    /// assert_eq!(conn.timeout(), Duration::from_secs(2));
    /// ```
    pub fn timeout(&self) -> Duration {
        self.inner.timeout()
    }

    /// A handle on table `name` (prefixed with the table prefix). No call is
    /// made.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().table_prefix("app").build();
    /// let table = conn.table("users");
    /// assert_eq!(table.full_name(), "app_users");
    /// ```
    pub fn table(&self, name: impl AsRef<str>) -> Table {
        Table::new(self.clone(), self.inner.table(name))
    }

    /// The tables of the gateway (with a prefix set, those that carry it,
    /// with the prefix stripped).
    ///
    /// # Errors
    /// As [`crate::Connection::tables`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// let names: Vec<String> = conn.tables()?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn tables(&self) -> Result<Vec<String>> {
        self.rt.block_on(self.inner.tables())
    }

    /// Creates table `name` with the given column families.
    ///
    /// # Errors
    /// As [`crate::Connection::create_table`].
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::blocking::ColumnFamily;
    /// # fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// conn.create_table("events", [ColumnFamily::new("d").max_versions(1)])?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn create_table(
        &self,
        name: impl AsRef<str>,
        families: impl IntoIterator<Item = ColumnFamily>,
    ) -> Result<()> {
        self.rt.block_on(self.inner.create_table(name, families))
    }

    /// Deletes table `name`, disabling it first with `disable`.
    ///
    /// # Errors
    /// As [`crate::Connection::delete_table`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// conn.delete_table("events", true)?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn delete_table(&self, name: impl AsRef<str>, disable: bool) -> Result<()> {
        self.rt.block_on(self.inner.delete_table(name, disable))
    }

    /// Enables table `name`.
    ///
    /// # Errors
    /// As [`crate::Connection::enable_table`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// conn.enable_table("events")?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn enable_table(&self, name: impl AsRef<str>) -> Result<()> {
        self.rt.block_on(self.inner.enable_table(name))
    }

    /// Disables table `name`.
    ///
    /// # Errors
    /// As [`crate::Connection::disable_table`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// conn.disable_table("events")?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn disable_table(&self, name: impl AsRef<str>) -> Result<()> {
        self.rt.block_on(self.inner.disable_table(name))
    }

    /// Whether table `name` is enabled.
    ///
    /// # Errors
    /// As [`crate::Connection::is_table_enabled`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// if !conn.is_table_enabled("events")? {
    ///     conn.enable_table("events")?;
    /// }
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn is_table_enabled(&self, name: impl AsRef<str>) -> Result<bool> {
        self.rt.block_on(self.inner.is_table_enabled(name))
    }

    /// Asks for a compaction of table `name`: a major one with `major`.
    ///
    /// # Errors
    /// As [`crate::Connection::compact_table`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// conn.compact_table("events", false)?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn compact_table(&self, name: impl AsRef<str>, major: bool) -> Result<()> {
        self.rt.block_on(self.inner.compact_table(name, major))
    }

    /// The name the gateway knows table `name` by (with the prefix).
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().table_prefix("p").build();
    /// assert_eq!(conn.full_table_name("t"), "p_t");
    /// ```
    pub fn full_table_name(&self, name: &str) -> String {
        self.inner.full_table_name(name)
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync + fmt::Debug + 'static>() {}
    check::<Connection>();
    check::<ConnectionBuilder>();
    check::<Table>();
    check::<ConnectionPool>();
    check::<PooledConnection>();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_settings_reach_the_connection() {
        let conn = Connection::builder()
            .host("h")
            .port(7)
            .timeout(Duration::from_secs(3))
            .table_prefix("p")
            .table_prefix_separator(":")
            .build();
        assert_eq!(conn.addr(), "h:7");
        assert_eq!(conn.timeout(), Duration::from_secs(3));
        assert_eq!(conn.full_table_name("t"), "p:t");
        assert_eq!(conn.table("t").full_name(), "p:t");
        assert!(!conn.is_open());
    }

    #[test]
    fn calls_outside_a_runtime_run_on_the_own_runtime() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let conn = Connection::builder().addr(addr).build();
        conn.open().unwrap();
        assert!(conn.is_open());
        conn.close();
        drop(listener);
    }

    #[test]
    #[should_panic(expected = "hbase_orm::blocking was called from an async task")]
    fn building_inside_a_runtime_panics() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let _ = Connection::builder().build();
        });
    }

    #[test]
    fn a_connection_dropped_inside_a_runtime_does_not_panic() {
        let conn = Connection::builder().build();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async move { drop(conn) });
    }
}
