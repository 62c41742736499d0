//! The connection to an Accumulo Proxy, and logging in on it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hbase_orm_idl::wire::{Protocol, Transport, DEFAULT_MAX_MESSAGE_BYTES};

use crate::error::Result;
use crate::network::config::endpoint_setters;
use crate::network::{Endpoint, Handle};
use crate::protocol::Method;

/// The Accumulo Proxy's default port.
pub const DEFAULT_PORT: u16 = 42424;

/// The default time one call may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A connection to an Accumulo Proxy: one socket, pipelined, shared by
/// clones. Log in with [`Connection::login`] to get a
/// [`Connector`](super::Connector).
///
/// Calls are made once (no retry): most Accumulo Proxy calls move state on
/// the proxy (scanners, writers), so resending is left to the caller.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// use hbase_orm::accumulo::Connection;
///
/// let conn = Connection::builder().host("localhost").connect().await?;
/// let connector = conn.login("root", "secret").await?;
/// assert!(connector.table_exists("accumulo.root").await? || true);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Connection {
    handle: Arc<Handle>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("accumulo::Connection")
            .field("addr", &self.addr())
            .field("open", &self.is_open())
            .finish()
    }
}

/// Builds a [`Connection`]: the framed transport and compact protocol of
/// the Accumulo Proxy by default, port 42424.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use hbase_orm::accumulo::Connection;
/// use hbase_orm::Protocol;
///
/// let conn = Connection::builder()
///     .host("proxy.internal")
///     .protocol(Protocol::Binary)
///     .timeout(Duration::from_secs(5))
///     .build();
/// assert_eq!(conn.addr(), "proxy.internal:42424");
/// ```
#[derive(Debug, Clone)]
pub struct ConnectionBuilder {
    endpoint: Endpoint,
}

impl Default for ConnectionBuilder {
    fn default() -> Self {
        ConnectionBuilder {
            endpoint: Endpoint::new(
                DEFAULT_PORT,
                DEFAULT_TIMEOUT,
                Transport::Framed,
                Protocol::Compact,
                DEFAULT_MAX_MESSAGE_BYTES,
            ),
        }
    }
}

impl ConnectionBuilder {
    endpoint_setters! {
        /// Host name or IP address of the proxy. Default `localhost`.
        host;
        /// Port of the proxy. Default 42424.
        port;
        /// Host and port from one socket address.
        addr;
        /// How long one call, the connect and the TLS handshake may take.
        /// Default 30 s.
        timeout;
        /// The Thrift transport the proxy speaks. Default framed, as the proxy
        /// ships.
        transport;
        /// The Thrift protocol the proxy speaks (`protocolFactory` in its
        /// properties). Default compact.
        protocol;
        /// The largest reply accepted. Default 16 MiB.
        max_message_bytes;
        /// TLS to a proxy behind a TLS terminator, as for HBase
        /// ([`ConnectionBuilder::tls`](crate::ConnectionBuilder::tls)).
        tls;
    }

    /// The connection, which opens its socket on first use.
    pub fn build(self) -> Connection {
        Connection {
            handle: Arc::new(Handle::new(self.endpoint.into_config())),
        }
    }

    /// The connection, with its socket opened.
    ///
    /// # Errors
    /// [`Error::Transport`](crate::Error::Transport) when the proxy cannot
    /// be reached, [`Error::Timeout`](crate::Error::Timeout) when it does
    /// not accept in time.
    pub async fn connect(self) -> Result<Connection> {
        let conn = self.build();
        conn.handle.open().await?;
        Ok(conn)
    }
}

impl Connection {
    /// A builder with the defaults.
    pub fn builder() -> ConnectionBuilder {
        ConnectionBuilder::default()
    }

    /// `host:port` of the proxy.
    pub fn addr(&self) -> &str {
        &self.handle.config().addr
    }

    /// The time one call may take.
    pub fn timeout(&self) -> Duration {
        self.handle.config().timeout
    }

    /// Whether a socket to the proxy is open right now.
    pub fn is_open(&self) -> bool {
        self.handle.is_open()
    }

    /// Opens the socket now (or again, after the proxy closed it), instead
    /// of on the next call.
    ///
    /// # Errors
    /// [`Error::Transport`](crate::Error::Transport) when the proxy cannot
    /// be reached, [`Error::Timeout`](crate::Error::Timeout) when it does
    /// not accept in time.
    pub async fn open(&self) -> Result<()> {
        self.handle.open().await
    }

    /// Closes the socket after the replies already asked for have arrived;
    /// the next call opens a new one.
    pub async fn close(&self) {
        self.handle.close().await;
    }

    /// Makes one call and waits for its reply, within the timeout.
    pub(crate) async fn call<M: Method>(&self, args: &M) -> Result<M::Output> {
        let sent = self.handle.start_with(args, self.timeout())?;
        self.handle.finish(sent).await
    }

    /// Sends a `oneway` call.
    pub(crate) fn send_oneway<M: Method>(&self, args: &M) -> Result<()> {
        self.handle.send_oneway(args)
    }

    /// Sends a call without waiting for its reply (closes from `Drop`).
    pub(crate) fn call_detached<M: Method>(&self, args: &M) {
        self.handle.call_detached(args);
    }

    /// Sockets opened so far (see `Handle::sockets_opened`).
    pub(crate) fn sockets_opened(&self) -> u64 {
        self.handle.sockets_opened()
    }
}
