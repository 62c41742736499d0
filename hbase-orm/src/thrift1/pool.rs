//! [`ConnectionPool`]: a bounded set of [`Connection`]s lent one at a time,
//! over one or several gateway addresses.
//!
//! A [`Connection`] already serves any number of concurrent calls over one
//! socket; a pool spreads the load over several sockets (a Thrift gateway
//! handles one connection's calls one after another), bounds how many are
//! open, and fails over between gateways.
//!
//! What the pool does:
//! - it lends at most `size` connections at a time; [`ConnectionPool::get`]
//!   waits for one to be returned for at most the acquire timeout, then fails
//!   with [`Error::NoConnectionsAvailable`](crate::Error::NoConnectionsAvailable);
//! - connections are opened on demand and returned when the
//!   [`PooledConnection`] is dropped;
//! - a connection whose socket failed while it was lent (a transport or
//!   protocol error, a timed-out call) is not handed out again: it is dropped
//!   on return and a new one takes its place on a later `get`;
//! - a connection whose socket the gateway closed while it sat idle
//!   (gateways drop idle connections after about a minute) is re-opened
//!   before it is lent;
//! - with several addresses, new connections go to the address that last
//!   worked; when it refuses a connection the next one is tried, and the one
//!   that works is remembered.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::connection::{Connection, ConnectionBuilder};
use crate::error::Result;
use crate::network::pool::{
    pool_lending, pool_setters, pooled_type, Lent, Member, Opener, Pool, PoolSettings,
};
use crate::{Protocol, Transport};

/// Default number of connections of a pool.
pub const DEFAULT_POOL_SIZE: usize = 10;
/// Default longest wait for a free connection.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// A pool of connections to one or several Thrift gateways.
///
/// Cheap to clone: clones share the connections. [`ConnectionPool::get`]
/// lends a connection until the returned [`PooledConnection`] is dropped
/// (HappyBase's `with pool.connection() as conn:`), and
/// [`ConnectionPool::run`] runs an async closure with one. See the
/// [module documentation](self) for how broken, idle-closed and refused
/// connections are handled.
///
/// # Examples
/// ```no_run
/// use std::time::Duration;
/// use hbase_orm::ConnectionPool;
///
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// let pool = ConnectionPool::builder()
///     .address("thrift-a.internal", 9090)
///     .address("thrift-b.internal", 9090)
///     .size(8)
///     .acquire_timeout(Duration::from_secs(5))
///     .table_prefix("app")
///     .build();
///
/// let conn = pool.get().await?;
/// conn.table("users").put("u1", [("cf:name", "Ann")]).await?;
/// drop(conn); // back to the pool
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ConnectionPool {
    inner: Arc<Pool<ConnectionBuilder>>,
}

/// A pool opens a connection to one gateway by building and opening it.
impl Opener for ConnectionBuilder {
    type Member = Connection;

    fn addr(&self) -> String {
        self.clone().build().addr().to_owned()
    }

    async fn open(&self) -> Result<Connection> {
        let conn = self.clone().build();
        conn.open().await?;
        Ok(conn)
    }
}

impl Member for Connection {
    fn addr(&self) -> &str {
        Connection::addr(self)
    }

    fn is_open(&self) -> bool {
        Connection::is_open(self)
    }

    async fn reopen(&self) -> Result<()> {
        // The connection opens a new socket itself.
        self.open().await
    }
}

impl fmt::Debug for ConnectionPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionPool")
            .field("addresses", &self.inner.addresses())
            .field("current", &self.current_address())
            .field("size", &self.inner.size())
            .field("idle", &self.idle_connections())
            .field("in_use", &self.connections_in_use())
            .field("acquire_timeout", &self.inner.acquire_timeout())
            .finish()
    }
}

/// Configures a [`ConnectionPool`].
///
/// Defaults: 10 connections, a 30 s acquire timeout, and the defaults of
/// [`ConnectionBuilder`] for each connection (`localhost:9090`, buffered
/// transport, binary protocol, 30 s call timeout, no table prefix).
///
/// Addresses are added with [`address`](Self::address) or
/// [`addr`](Self::addr), in failover order; without any, the host and port
/// of the connection builder are used.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use hbase_orm::{Connection, ConnectionPool, Protocol, Transport};
///
/// let pool = ConnectionPool::builder()
///     .connection_builder(Connection::builder().timeout(Duration::from_secs(5)))
///     .transport(Transport::Framed)
///     .protocol(Protocol::Compact)
///     .address("10.0.0.1", 9090)
///     .address("10.0.0.2", 9090)
///     .size(4)
///     .build();
/// assert_eq!(pool.size(), 4);
/// assert_eq!(pool.addresses(), ["10.0.0.1:9090", "10.0.0.2:9090"]);
/// ```
#[derive(Debug, Clone)]
pub struct ConnectionPoolBuilder {
    connection: ConnectionBuilder,
    pool: PoolSettings,
}

impl Default for ConnectionPoolBuilder {
    fn default() -> Self {
        ConnectionPoolBuilder {
            connection: ConnectionBuilder::default(),
            pool: PoolSettings::new(DEFAULT_POOL_SIZE, DEFAULT_ACQUIRE_TIMEOUT),
        }
    }
}

impl ConnectionPoolBuilder {
    /// Its connections speak Thrift over HTTP; see
    /// [`ConnectionBuilder::http`](crate::ConnectionBuilder::http).
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::ConnectionPool::builder().http().build();
    /// # let _ = pool;
    /// ```
    pub fn http(mut self) -> Self {
        self.connection = self.connection.http();
        self
    }

    /// The path of HTTP calls; see
    /// [`ConnectionBuilder::http_path`](crate::ConnectionBuilder::http_path).
    pub fn http_path(mut self, path: impl Into<String>) -> Self {
        self.connection = self.connection.http_path(path);
        self
    }

    /// A header sent with every HTTP call; see
    /// [`ConnectionBuilder::http_header`](crate::ConnectionBuilder::http_header).
    pub fn http_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.connection = self.connection.http_header(name, value);
        self
    }

    pool_setters! {
        /// Most connections lent at once (at least 1). Default 10.
        ///
        /// # Examples
        /// ```
        /// let pool = hbase_orm::ConnectionPool::builder().size(4).build();
        /// assert_eq!(pool.size(), 4);
        /// ```
        size;
        /// Longest [`ConnectionPool::get`] waits for a free connection before
        /// failing with [`Error::NoConnectionsAvailable`](crate::Error::NoConnectionsAvailable). Default 30 s.
        ///
        /// Opening a new connection is bounded by the connection timeout, on
        /// top of this.
        ///
        /// # Examples
        /// ```
        /// use std::time::Duration;
        /// let pool = hbase_orm::ConnectionPool::builder().acquire_timeout(Duration::from_secs(2)).build();
        /// assert_eq!(pool.acquire_timeout(), Duration::from_secs(2));
        /// ```
        acquire_timeout;
        /// Adds a gateway address. Addresses are tried in the order they are
        /// added.
        ///
        /// # Examples
        /// ```
        /// let pool = hbase_orm::ConnectionPool::builder().address("a", 9090).address("b", 9090).build();
        /// assert_eq!(pool.addresses(), ["a:9090", "b:9090"]);
        /// ```
        address;
        /// Adds a gateway address from a socket address.
        ///
        /// # Examples
        /// ```
        /// let addr: std::net::SocketAddr = "127.0.0.1:9090".parse().unwrap();
        /// let pool = hbase_orm::ConnectionPool::builder().addr(addr).build();
        /// assert_eq!(pool.addresses(), ["127.0.0.1:9090"]);
        /// ```
        addr;
        /// The pool, with one connection opened (to the first address that
        /// accepts) and left idle in it: this checks a gateway is reachable.
        ///
        /// # Errors
        /// The error of the last address tried when none accepts
        /// ([`Error::Transport`](crate::Error::Transport), [`Error::Timeout`](crate::Error::Timeout)).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// let pool = hbase_orm::ConnectionPool::builder().address("localhost", 9090).connect().await?;
        /// assert_eq!(pool.idle_connections(), 1);
        /// # Ok(()) }
        /// ```
        connect -> ConnectionPool;
    }

    /// The settings of each connection (transport, protocol, timeout, table
    /// prefix, ...). Its host and port are used only when no address is
    /// added.
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{Connection, ConnectionPool};
    /// let pool = ConnectionPool::builder()
    ///     .connection_builder(Connection::builder().host("gw").port(9091))
    ///     .build();
    /// assert_eq!(pool.addresses(), ["gw:9091"]);
    /// ```
    pub fn connection_builder(mut self, builder: ConnectionBuilder) -> Self {
        self.connection = builder;
        self
    }

    /// The Thrift transport of the gateways; see
    /// [`ConnectionBuilder::transport`].
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::ConnectionPool::builder().transport(hbase_orm::Transport::Framed).build();
    /// # let _ = pool;
    /// ```
    pub fn transport(mut self, transport: Transport) -> Self {
        self.connection = self.connection.transport(transport);
        self
    }

    /// The Thrift protocol of the gateways; see
    /// [`ConnectionBuilder::protocol`].
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::ConnectionPool::builder().protocol(hbase_orm::Protocol::Compact).build();
    /// # let _ = pool;
    /// ```
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.connection = self.connection.protocol(protocol);
        self
    }

    /// Speaks TLS to the gateways (feature `tls`); see
    /// [`ConnectionBuilder::tls`]. Each address's certificate is checked
    /// against its own host name unless a server name is set.
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::{tls::TlsConfig, ConnectionPool};
    /// let ca = std::fs::read("ca.pem").unwrap();
    /// let pool = ConnectionPool::builder()
    ///     .address("gw1.internal", 9090)
    ///     .address("gw2.internal", 9090)
    ///     .tls(TlsConfig::new().root_certificates_pem(ca))
    ///     .build();
    /// # let _ = pool;
    /// ```
    #[cfg(feature = "tls")]
    pub fn tls(mut self, tls: crate::tls::TlsConfig) -> Self {
        self.connection = self.connection.tls(tls);
        self
    }

    /// The timeout of every call (and of opening a connection); see
    /// [`ConnectionBuilder::timeout`].
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::ConnectionPool::builder().timeout(std::time::Duration::from_secs(5)).build();
    /// # let _ = pool;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.connection = self.connection.timeout(timeout);
        self
    }

    /// How failed calls are retried; see [`ConnectionBuilder::retry_policy`].
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{ConnectionPool, RetryPolicy};
    /// let pool = ConnectionPool::builder().retry_policy(RetryPolicy::new().max_attempts(3)).build();
    /// # let _ = pool;
    /// ```
    pub fn retry_policy(mut self, policy: crate::RetryPolicy) -> Self {
        self.connection = self.connection.retry_policy(policy);
        self
    }

    /// Longest a call may take, retries included; see
    /// [`ConnectionBuilder::deadline`].
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::ConnectionPool::builder().deadline(std::time::Duration::from_secs(10)).build();
    /// # let _ = pool;
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.connection = self.connection.deadline(deadline);
        self
    }

    /// The table name prefix; see [`ConnectionBuilder::table_prefix`].
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::ConnectionPool::builder().table_prefix("app").build();
    /// # let _ = pool;
    /// ```
    pub fn table_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.connection = self.connection.table_prefix(prefix);
        self
    }

    /// The pool. No connection is opened until one is asked for.
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::ConnectionPool::builder().size(2).build();
    /// assert_eq!(pool.idle_connections(), 0);
    /// ```
    pub fn build(self) -> ConnectionPool {
        let targets = self
            .pool
            .per_address(self.connection, |c, host, port| c.host(host).port(port));
        ConnectionPool {
            inner: self.pool.pool(targets),
        }
    }
}

impl ConnectionPool {
    /// A builder with the defaults.
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::ConnectionPool::builder().address("localhost", 9090).build();
    /// # let _ = pool;
    /// ```
    pub fn builder() -> ConnectionPoolBuilder {
        ConnectionPoolBuilder::default()
    }

    pool_lending! {
        PooledConnection of Connection;
        /// Lends a connection, open, until the returned guard is dropped.
        ///
        /// An idle connection is reused when there is one (re-opened first if
        /// the gateway closed it meanwhile); otherwise, while fewer than `size`
        /// connections exist, a new one is opened, to the address that last
        /// worked and then to the next ones. When all `size` connections are
        /// lent, this waits for one to come back, at most the acquire timeout.
        ///
        /// # Errors
        /// [`Error::NoConnectionsAvailable`](crate::Error::NoConnectionsAvailable) when no connection came back within
        /// the acquire timeout; the error of the last address tried
        /// ([`Error::Transport`](crate::Error::Transport), [`Error::Timeout`](crate::Error::Timeout)) when no gateway accepts a
        /// new connection.
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// let pool = hbase_orm::ConnectionPool::builder().build();
        /// let conn = pool.get().await?;
        /// let names = conn.tables().await?;
        /// # Ok(()) }
        /// ```
        fn get;
        /// Runs `f` with a pooled connection (a clone of it; the connection goes
        /// back to the pool when `f`'s future completes).
        ///
        /// # Errors
        /// The errors of [`ConnectionPool::get`], or the error of `f`.
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// let pool = hbase_orm::ConnectionPool::builder().build();
        /// let row = pool
        ///     .run(|conn| async move { conn.table("users").row("u1").await })
        ///     .await?;
        /// # Ok(()) }
        /// ```
        fn run;
    }

    crate::network::pool::pool_accessors!("connections", "gateway");
}

pooled_type! {
    /// A connection lent by a [`ConnectionPool`]; it goes back to the pool when
    /// dropped.
    ///
    /// Dereferences to [`Connection`]. When its socket failed while it was lent
    /// (so [`Connection::is_open`] is false), it is discarded instead of going
    /// back, and the pool opens a new one when needed.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let pool = hbase_orm::ConnectionPool::builder().build();
    /// {
    ///     let conn = pool.get().await?;
    ///     let table = conn.table("users");
    ///     table.put("u1", [("cf:name", "Ann")]).await?;
    /// } // returned here
    /// # Ok(()) }
    /// ```
    pub struct PooledConnection(Lent<ConnectionBuilder>) lends Connection as "PooledConnection", via member;
    /// The lent connection.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let pool = hbase_orm::ConnectionPool::builder().build();
    /// let conn = pool.get().await?;
    /// let shared: hbase_orm::Connection = conn.connection().clone();
    /// # Ok(()) }
    /// ```
    fn connection;
    /// Drops this connection instead of returning it to the pool (for
    /// example after a call left it in a state the caller distrusts). The
    /// pool opens a new one when needed.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let pool = hbase_orm::ConnectionPool::builder().build();
    /// let conn = pool.get().await?;
    /// conn.discard();
    /// assert_eq!(pool.idle_connections(), 0);
    /// # Ok(()) }
    /// ```
    fn discard;
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync + fmt::Debug + 'static>() {}
    check::<ConnectionPool>();
    check::<PooledConnection>();
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;
    use crate::error::Error;

    #[test]
    fn builder_keeps_addresses_in_order() {
        let pool = ConnectionPool::builder()
            .address("a", 1)
            .addr(SocketAddr::from(([127, 0, 0, 1], 2)))
            .size(0)
            .build();
        assert_eq!(pool.addresses(), ["a:1", "127.0.0.1:2"]);
        assert_eq!(pool.size(), 1);
        assert_eq!(pool.current_address(), "a:1");
    }

    #[test]
    fn failure_moves_to_the_next_address_once() {
        let pool = ConnectionPool::builder()
            .address("a", 1)
            .address("b", 2)
            .address("c", 3)
            .build();
        pool.inner.failed(0);
        assert_eq!(pool.current_address(), "b:2");
        // A stale failure report of address 0 does not skip over b.
        pool.inner.failed(0);
        assert_eq!(pool.current_address(), "b:2");
        pool.inner.failed(1);
        pool.inner.failed(2);
        assert_eq!(pool.current_address(), "a:1");
    }

    #[tokio::test]
    async fn exhausted_pool_times_out_with_a_clear_error() {
        // A listener that accepts but never answers is enough to open sockets.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accept = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let pool = ConnectionPool::builder()
            .addr(addr)
            .size(1)
            .acquire_timeout(Duration::from_millis(50))
            .build();
        let first = pool.get().await.unwrap();
        assert_eq!(pool.connections_in_use(), 1);
        let err = pool.get().await.unwrap_err();
        assert!(matches!(err, Error::NoConnectionsAvailable { .. }), "{err}");
        assert!(err.is_retryable());
        drop(first);
        assert_eq!(pool.idle_connections(), 1);
        let again = pool.get().await.unwrap();
        assert_eq!(pool.idle_connections(), 0);
        drop(again);
        accept.abort();
    }
}
