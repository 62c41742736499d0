//! [`ConnectorPool`]: a bounded set of logged-in [`Connector`]s lent one at a
//! time, over one or several proxy addresses.
//!
//! The lending rules are those of the HBase
//! [`ConnectionPool`](crate::ConnectionPool) (the same code): at most `size`
//! connectors lent at once, [`ConnectorPool::get`] waits at most the acquire
//! timeout and then fails with
//! [`Error::NoConnectionsAvailable`](crate::Error::NoConnectionsAvailable);
//! a connector whose socket broke while lent is dropped on return; one whose
//! socket the proxy closed while idle opens a new socket before it is lent
//! (its login token stays valid: the proxy checks it on every call); new
//! connectors go to the address that last worked, then to the next ones.
//!
//! Each new connector logs in once, with the pool's principal and login
//! properties.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::connection::ConnectionBuilder;
use super::connector::Connector;
use crate::error::Result;
use crate::network::pool::{
    pool_lending, pool_setters, pooled_type, Lent, Member, Opener, Pool, PoolSettings,
};

/// Default number of connectors of a pool.
pub const DEFAULT_POOL_SIZE: usize = 10;
/// Default longest wait for a free connector.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// A pool of logged-in connectors to one or several Accumulo Proxies.
///
/// Cheap to clone: clones share the connectors. See the
/// [module documentation](self) for how broken, idle-closed and refused
/// connections are handled.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// use hbase_orm::accumulo::{ConnectorPool, Mutation};
///
/// let pool = ConnectorPool::builder()
///     .address("proxy-a.internal", 42424)
///     .address("proxy-b.internal", 42424)
///     .login("root", "secret")
///     .size(4)
///     .build();
/// let connector = pool.get().await?;
/// connector.update_and_flush("events", [Mutation::new("e1").put("f", "q", "v")]).await?;
/// drop(connector); // back to the pool
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ConnectorPool {
    inner: Arc<Pool<ProxyTarget>>,
}

/// One proxy address and the login made on each new connection to it.
#[derive(Clone)]
struct ProxyTarget {
    connection: ConnectionBuilder,
    principal: String,
    properties: BTreeMap<String, String>,
}

impl Opener for ProxyTarget {
    type Member = Connector;

    fn addr(&self) -> String {
        self.connection.clone().build().addr().to_owned()
    }

    async fn open(&self) -> Result<Connector> {
        let conn = self.connection.clone().connect().await?;
        conn.login_with(self.principal.clone(), self.properties.clone())
            .await
    }
}

impl Member for Connector {
    fn addr(&self) -> &str {
        self.connection().addr()
    }

    fn is_open(&self) -> bool {
        self.connection().is_open()
    }

    fn reopen(&self) -> impl Future<Output = Result<()>> + Send {
        let conn = self.connection().clone();
        async move { conn.open().await }
    }
}

impl fmt::Debug for ConnectorPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorPool")
            .field("addresses", &self.addresses())
            .field("current", &self.current_address())
            .field("size", &self.size())
            .field("idle", &self.idle_connections())
            .field("in_use", &self.connections_in_use())
            .finish()
    }
}

/// Configures a [`ConnectorPool`].
///
/// Defaults: 10 connectors, a 30 s acquire timeout, the defaults of
/// [`ConnectionBuilder`] for each connection (`localhost:42424`, framed
/// transport, compact protocol, 30 s call timeout), principal `root` with an
/// empty password.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use hbase_orm::accumulo::{Connection, ConnectorPool};
///
/// let pool = ConnectorPool::builder()
///     .connection_builder(Connection::builder().timeout(Duration::from_secs(5)))
///     .address("10.0.0.1", 42424)
///     .address("10.0.0.2", 42424)
///     .login("app", "pw")
///     .size(4)
///     .build();
/// assert_eq!(pool.size(), 4);
/// assert_eq!(pool.addresses(), ["10.0.0.1:42424", "10.0.0.2:42424"]);
/// ```
#[derive(Clone)]
pub struct ConnectorPoolBuilder {
    connection: ConnectionBuilder,
    pool: PoolSettings,
    principal: String,
    properties: BTreeMap<String, String>,
}

impl fmt::Debug for ConnectorPoolBuilder {
    // The login properties hold the password: not printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorPoolBuilder")
            .field("connection", &self.connection)
            .field("pool", &self.pool)
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

impl Default for ConnectorPoolBuilder {
    fn default() -> Self {
        ConnectorPoolBuilder {
            connection: ConnectionBuilder::default(),
            pool: PoolSettings::new(DEFAULT_POOL_SIZE, DEFAULT_ACQUIRE_TIMEOUT),
            principal: "root".to_owned(),
            properties: BTreeMap::from([("password".to_owned(), String::new())]),
        }
    }
}

impl ConnectorPoolBuilder {
    pool_setters! {
        /// Most connectors lent at once (at least 1). Default 10.
        size;
        /// Longest [`ConnectorPool::get`] waits for a free connector. Default
        /// 30 s (opening and logging in a new one is bounded by the call
        /// timeout, on top of this).
        acquire_timeout;
        /// Adds a proxy address; addresses are tried in the order they are
        /// added.
        address;
        /// Adds a proxy address from a socket address.
        addr;
        /// The pool, with one connector opened and logged in (to the first
        /// address that accepts) and left idle in it: this checks the proxy is
        /// reachable and the login works.
        ///
        /// # Errors
        /// The error of the last address tried when none accepts
        /// ([`Error::Transport`](crate::Error::Transport),
        /// [`Error::Timeout`](crate::Error::Timeout)), or the login's
        /// ([`Error::Accumulo`](crate::Error::Accumulo) of kind `Security` for a
        /// wrong password).
        connect -> ConnectorPool;
    }

    /// The settings of each connection (transport, protocol, timeout, TLS).
    /// Its host and port are used only when no address is added.
    pub fn connection_builder(mut self, builder: ConnectionBuilder) -> Self {
        self.connection = builder;
        self
    }

    /// The principal and password every connector logs in with.
    pub fn login(mut self, principal: impl Into<String>, password: impl Into<String>) -> Self {
        self.principal = principal.into();
        self.properties = BTreeMap::from([("password".to_owned(), password.into())]);
        self
    }

    /// The principal and login properties every connector logs in with (see
    /// [`Connection::login_with`](super::Connection::login_with)).
    pub fn login_with(
        mut self,
        principal: impl Into<String>,
        properties: BTreeMap<String, String>,
    ) -> Self {
        self.principal = principal.into();
        self.properties = properties;
        self
    }

    /// The pool. No connection is opened until one is asked for.
    pub fn build(self) -> ConnectorPool {
        let target = |connection: ConnectionBuilder| ProxyTarget {
            connection,
            principal: self.principal.clone(),
            properties: self.properties.clone(),
        };
        let targets = self
            .pool
            .per_address(self.connection.clone(), |c, host, port| {
                c.host(host).port(port)
            })
            .into_iter()
            .map(target)
            .collect();
        ConnectorPool {
            inner: self.pool.pool(targets),
        }
    }
}

impl ConnectorPool {
    /// A builder with the defaults.
    pub fn builder() -> ConnectorPoolBuilder {
        ConnectorPoolBuilder::default()
    }

    pool_lending! {
        PooledConnector of Connector;
        /// Lends a logged-in connector until the returned guard is dropped.
        ///
        /// # Errors
        /// [`Error::NoConnectionsAvailable`](crate::Error::NoConnectionsAvailable)
        /// when none came back within the acquire timeout; the error of the last
        /// address tried, or of the login, when a new one cannot be made.
        fn get;
        /// Runs `f` with a pooled connector (a clone of it; the connector goes
        /// back to the pool when `f`'s future completes).
        ///
        /// # Errors
        /// The errors of [`ConnectorPool::get`], or the error of `f`.
        fn run;
    }

    crate::network::pool::pool_accessors!("connectors", "proxy");
}

pooled_type! {
    /// A connector lent by a [`ConnectorPool`]; back to the pool when dropped
    /// (unless its socket broke while lent). Dereferences to [`Connector`].
    pub struct PooledConnector(Lent<ProxyTarget>) lends Connector as "PooledConnector", via member;
    /// The lent connector.
    fn connector;
    /// Drops this connector instead of returning it to the pool.
    fn discard;
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync + fmt::Debug + 'static>() {}
    check::<ConnectorPool>();
    check::<PooledConnector>();
}
