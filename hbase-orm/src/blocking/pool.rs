//! Blocking [`ConnectionPool`].

use std::net::SocketAddr;
use std::time::Duration;

use super::{blocking_pool, blocking_twin, Connection};
use crate::error::Result;
use crate::network::pool::pooled_type;
use crate::{Protocol, Transport};

blocking_twin! {
    /// A blocking pool of connections: [`crate::ConnectionPool`] with blocking
    /// methods, and the same lending rules (bounded size, acquire timeout,
    /// broken and idle-closed connections replaced, address failover).
    ///
    /// Cheap to clone; clones share the connections and one runtime, and may be
    /// used from many threads at once.
    ///
    /// # Panics
    /// Building the pool and [`ConnectionPool::get`] panic when called from an
    /// async task: use [`crate::ConnectionPool`] there (a `spawn_blocking`
    /// thread is fine).
    ///
    /// # Examples
    /// ```no_run
    /// use std::time::Duration;
    /// use hbase_orm::blocking::ConnectionPool;
    ///
    /// # fn main() -> hbase_orm::Result<()> {
    /// let pool = ConnectionPool::builder()
    ///     .address("thrift-a.internal", 9090)
    ///     .address("thrift-b.internal", 9090)
    ///     .size(8)
    ///     .acquire_timeout(Duration::from_secs(5))
    ///     .build();
    /// let handles: Vec<_> = (0..16)
    ///     .map(|i| {
    ///         let pool = pool.clone();
    ///         std::thread::spawn(move || -> hbase_orm::Result<()> {
    ///             let conn = pool.get()?;
    ///             conn.table("events").put(format!("e{i}"), [("cf:n", "1")]).run()
    ///         })
    ///     })
    ///     .collect();
    /// for handle in handles {
    ///     handle.join().expect("thread")?;
    /// }
    /// # Ok(()) }
    /// ```
    #[derive(Clone)]
    pub struct ConnectionPool(crate::ConnectionPool) as "blocking::ConnectionPool";
}

super::forward_setters! {
    /// Configures a blocking [`ConnectionPool`]; the options are those of
    /// [`crate::ConnectionPoolBuilder`].
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::blocking::{ConnectionPool, Transport};
    ///
    /// let pool = ConnectionPool::builder()
    ///     .address("10.0.0.1", 9090)
    ///     .address("10.0.0.2", 9090)
    ///     .transport(Transport::Framed)
    ///     .size(4)
    ///     .build();
    /// assert_eq!(pool.size(), 4);
    /// ```
    pub struct ConnectionPoolBuilder(crate::ConnectionPoolBuilder);
    /// Most connections lent at once (at least 1). Default 10.
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().size(4).build();
    /// assert_eq!(pool.size(), 4);
    /// ```
    size(size: usize);
    /// Longest [`ConnectionPool::get`] waits for a free connection.
    /// Default 30 s.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().acquire_timeout(Duration::from_secs(2)).build();
    /// assert_eq!(pool.acquire_timeout(), Duration::from_secs(2));
    /// ```
    acquire_timeout(timeout: Duration);
    /// Adds a gateway address (tried in the order added).
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().address("a", 9090).address("b", 9090).build();
    /// assert_eq!(pool.addresses(), ["a:9090", "b:9090"]);
    /// ```
    address(host: impl Into<String>, port: u16);
    /// Adds a gateway address from a socket address.
    ///
    /// # Examples
    /// ```
    /// let addr: std::net::SocketAddr = "127.0.0.1:9090".parse().unwrap();
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().addr(addr).build();
    /// assert_eq!(pool.addresses(), ["127.0.0.1:9090"]);
    /// ```
    addr(addr: SocketAddr);
    /// The settings of each connection.
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::blocking::ConnectionPool::builder()
    ///     .connection_builder(hbase_orm::Connection::builder().host("gw").port(9091))
    ///     .build();
    /// assert_eq!(pool.addresses(), ["gw:9091"]);
    /// ```
    connection_builder(builder: crate::ConnectionBuilder);
    /// The Thrift transport of the gateways.
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().transport(hbase_orm::Transport::Framed).build();
    /// # let _ = pool;
    /// ```
    transport(transport: Transport);
    /// The Thrift protocol of the gateways.
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().protocol(hbase_orm::Protocol::Compact).build();
    /// # let _ = pool;
    /// ```
    protocol(protocol: Protocol);
    /// Speaks TLS to the gateways (feature `tls`); see
    /// [`crate::ConnectionBuilder::tls`].
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::tls::TlsConfig;
    /// let ca = std::fs::read("ca.pem").unwrap();
    /// let pool = hbase_orm::blocking::ConnectionPool::builder()
    ///     .address("hbase-thrift.internal", 9090)
    ///     .tls(TlsConfig::new().root_certificates_pem(ca))
    ///     .build();
    /// # let _ = pool;
    /// ```
    #[cfg(feature = "tls")]
    tls(tls: crate::tls::TlsConfig);
    /// The timeout of every call and of opening a connection.
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().timeout(std::time::Duration::from_secs(5)).build();
    /// # let _ = pool;
    /// ```
    timeout(timeout: Duration);
    /// The table name prefix.
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().table_prefix("app").build();
    /// # let _ = pool;
    /// ```
    table_prefix(prefix: impl Into<String>);
    /// How failed calls are retried; see
    /// [`crate::ConnectionBuilder::retry_policy`].
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::RetryPolicy;
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().retry_policy(RetryPolicy::none()).build();
    /// # let _ = pool;
    /// ```
    retry_policy(policy: crate::RetryPolicy);
    /// Longest a call may take, retries included; see
    /// [`crate::ConnectionBuilder::deadline`].
    ///
    /// # Examples
    /// ```
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().deadline(std::time::Duration::from_secs(10)).build();
    /// # let _ = pool;
    /// ```
    deadline(deadline: Duration);
}

blocking_pool!(
    ConnectionPool(crate::ConnectionPool = "crate::ConnectionPool"),
    ConnectionPoolBuilder,
    PooledConnection(Connection from connection),
    "connection",
    "connections",
    "gateway",
    "hbase_orm::blocking::ConnectionPool"
);

impl ConnectionPool {
    /// Runs `f` with a pooled connection, returned to the pool afterwards.
    ///
    /// # Errors
    /// The errors of [`ConnectionPool::get`], or the error of `f`.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().build();
    /// let row = pool.run(|conn| conn.table("users").row("u1").run())?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn run<F, T>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T>,
    {
        let conn = self.get()?;
        f(&conn)
    }
}

pooled_type! {
    /// A blocking connection lent by a [`ConnectionPool`]; it goes back to the
    /// pool when dropped (or is discarded when its socket failed meanwhile).
    ///
    /// Dereferences to the blocking [`Connection`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().build();
    /// {
    ///     let conn = pool.get()?;
    ///     conn.table("users").put("u1", [("cf:name", "Ann")]).run()?;
    /// } // returned here
    /// # Ok(()) }
    /// ```
    pub struct PooledConnection(crate::PooledConnection) lends Connection
        as "blocking::PooledConnection";
    /// The lent connection.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().build();
    /// let conn = pool.get()?;
    /// let shared: hbase_orm::blocking::Connection = conn.connection().clone();
    /// # Ok(()) }
    /// ```
    fn connection;
    /// Drops this connection instead of returning it to the pool.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// let pool = hbase_orm::blocking::ConnectionPool::builder().build();
    /// pool.get()?.discard();
    /// assert_eq!(pool.idle_connections(), 0);
    /// # Ok(()) }
    /// ```
    fn discard;
}
