//! [`ConnectionPool`] of Thrift2 connections: the Thrift1 client's pool
//! (bounded, failover between addresses, broken connections replaced),
//! lending [`Connection`]s that make Thrift2 calls.

use std::net::SocketAddr;
use std::time::Duration;

use hbase_orm_idl::wire::{Protocol, Transport};

use super::connection::{Connection, ConnectionBuilder};
use crate::error::Result;
use crate::network::config::forward_setters;
use crate::network::pool::{pool_lending, pooled_type};
use crate::thrift1::{self, RetryPolicy};

/// A pool of Thrift2 connections to one or several gateways; see
/// [`crate::ConnectionPool`] for how it lends, waits, replaces broken
/// connections and fails over (it is that pool).
///
/// # Examples
/// ```no_run
/// use hbase_orm::thrift2::{ConnectionPool, Get};
///
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// let pool = ConnectionPool::builder()
///     .address("thrift2-a.internal", 9090)
///     .address("thrift2-b.internal", 9090)
///     .size(4)
///     .build();
/// let conn = pool.get().await?;
/// let row = conn.table("users").get(Get::new("u1")).await?;
/// # let _ = row; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ConnectionPool {
    inner: thrift1::ConnectionPool,
}

forward_setters! {
    /// Configures a Thrift2 [`ConnectionPool`]: size 10, acquire timeout 30 s,
    /// `localhost:9090` unless addresses are given.
    pub struct ConnectionPoolBuilder(thrift1::ConnectionPoolBuilder);
    /// At most `size` connections lent at once.
    size(size: usize);
    /// The longest [`ConnectionPool::get`] waits for a free connection.
    acquire_timeout(timeout: Duration);
    /// Adds a gateway address (failover goes through them in order).
    address(host: impl Into<String>, port: u16);
    /// Adds a gateway address.
    addr(addr: SocketAddr);
    /// The Thrift transport.
    transport(transport: Transport);
    /// The Thrift protocol.
    protocol(protocol: Protocol);
    /// TLS to the gateways.
    #[cfg(feature = "tls")]
    tls(tls: crate::tls::TlsConfig);
    /// Thrift over HTTP.
    http();
    /// The timeout of one attempt of a call.
    timeout(timeout: Duration);
    /// The retry policy of the connections.
    retry_policy(policy: RetryPolicy);
    /// The longest a call may take, retries included.
    deadline(deadline: Duration);
}

impl From<thrift1::ConnectionPoolBuilder> for ConnectionPoolBuilder {
    fn from(inner: thrift1::ConnectionPoolBuilder) -> Self {
        ConnectionPoolBuilder { inner }
    }
}

impl ConnectionPoolBuilder {
    /// The settings of every connection (its host and port are used when
    /// no address is given).
    pub fn connection_builder(self, builder: ConnectionBuilder) -> Self {
        self.inner.connection_builder(builder.into_thrift1()).into()
    }

    /// The pool; connections open on demand.
    pub fn build(self) -> ConnectionPool {
        ConnectionPool {
            inner: self.inner.build(),
        }
    }

    /// The pool, with one connection opened (a gateway is reachable).
    ///
    /// # Errors
    /// The error of the last address tried when none accepts.
    pub async fn connect(self) -> Result<ConnectionPool> {
        Ok(ConnectionPool {
            inner: self.inner.connect().await?,
        })
    }
}

impl ConnectionPool {
    /// A builder with the defaults.
    pub fn builder() -> ConnectionPoolBuilder {
        ConnectionPoolBuilder::default()
    }

    /// Lends a connection until the guard is dropped.
    ///
    /// # Errors
    /// [`Error::NoConnectionsAvailable`](crate::Error::NoConnectionsAvailable)
    /// after the acquire timeout; the last address's error when no gateway
    /// accepts.
    pub async fn get(&self) -> Result<PooledConnection> {
        let guard = self.inner.get().await?;
        let lent = Connection::from_thrift1(guard.connection());
        Ok(PooledConnection { guard, lent })
    }

    pool_lending! {
        PooledConnection of Connection;
        /// Runs `f` with a lent connection, returned when it is done.
        ///
        /// # Errors
        /// As [`ConnectionPool::get`], or what `f` returns.
        fn run;
    }

    crate::network::pool::pool_accessors!("connections", "gateway");
}

pooled_type! {
    /// A Thrift2 connection lent by a [`ConnectionPool`], returned on drop;
    /// dereferences to [`Connection`].
    pub struct PooledConnection(thrift1::PooledConnection) lends Connection
        as "thrift2::PooledConnection";
    /// The lent connection.
    fn connection;
    /// Drops this connection instead of returning it to the pool.
    fn discard;
}
