//! [`Connection`] to a Thrift2 gateway and its [`ConnectionBuilder`]: the
//! Thrift1 connection's socket, HTTP, TLS, pipelining and retry code, with
//! the Thrift2 methods on top.

use std::time::Duration;

use hbase_orm_idl::hbase2::{
    THBaseServiceGetClusterIdArgs, THBaseServiceGetThriftServerTypeArgs, TThriftServerType,
};
use hbase_orm_idl::wire::{Protocol, Transport};

use crate::error::{ApplicationErrorKind, Error, Result};
use crate::network::config::forward_setters;
use crate::protocol::Method;
use crate::thrift1::{self, RetryPolicy};

/// A connection to an HBase Thrift2 gateway
/// (`org.apache.hadoop.hbase.thrift2.ThriftServer`, service `THBaseService`).
///
/// It is the Thrift1 [`Connection`](crate::Connection) underneath: one
/// socket (or kept-alive HTTP connections), pipelined, shared by clones,
/// opened on first use and reopened after the gateway closed it; calls
/// retried by its [`RetryPolicy`] (reads, puts, deletes; not increments,
/// appends, conditional writes or admin calls, unless the policy opts in);
/// every attempt bounded by the timeout and every call by the deadline.
///
/// # Examples
/// ```no_run
/// use hbase_orm::thrift2::{Connection, FamilyDescriptor, Get, Put, TableDescriptor};
///
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// let conn = Connection::builder().host("localhost").port(9090).connect().await?;
/// conn.create_table(&TableDescriptor::new("docs").family(FamilyDescriptor::new("cf")), &[])
///     .await?;
/// let docs = conn.table("docs");
/// docs.put(Put::new("d1").value("cf", "title", "Plans").visibility("staff")).await?;
/// let row = docs.get(Get::new("d1").authorizations(["staff"])).await?;
/// assert!(row.is_some());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Connection {
    inner: thrift1::Connection,
}

forward_setters! {
    /// Configures a Thrift2 [`Connection`]: the settings of the Thrift1
    /// [`ConnectionBuilder`](crate::ConnectionBuilder) (which this wraps),
    /// without the table prefix (Thrift2 has namespaces for that).
    ///
    /// Defaults: `localhost:9090` (the Thrift2 gateway's default port too),
    /// buffered transport, binary protocol, a 30 s timeout.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use hbase_orm::{Protocol, Transport};
    ///
    /// let conn = hbase_orm::thrift2::Connection::builder()
    ///     .host("hbase-thrift2.internal")
    ///     .port(9091)
    ///     .transport(Transport::Framed)
    ///     .protocol(Protocol::Compact)
    ///     .timeout(Duration::from_secs(5))
    ///     .build();
    /// assert_eq!(conn.addr(), "hbase-thrift2.internal:9091");
    /// ```
    pub struct ConnectionBuilder(thrift1::ConnectionBuilder);
    /// Host name or IP address of the gateway. Default `localhost`.
    host(host: impl Into<String>);
    /// Port of the gateway. Default 9090.
    port(port: u16);
    /// Host and port from one socket address.
    addr(addr: std::net::SocketAddr);
    /// How long one attempt of a call (and the connect, and the TLS
    /// handshake) may take. Default 30 s.
    timeout(timeout: Duration);
    /// The retry policy (see [`RetryPolicy`]).
    retry_policy(policy: RetryPolicy);
    /// The longest a call may take, retries included.
    deadline(deadline: Duration);
    /// The Thrift transport (`-f` on the gateway: framed). Default buffered.
    transport(transport: Transport);
    /// The Thrift protocol (`-c` on the gateway: compact). Default binary.
    protocol(protocol: Protocol);
    /// The largest reply accepted. Default 16 MiB.
    max_message_bytes(max: usize);
    /// TLS to the gateway, as for Thrift1
    /// ([`ConnectionBuilder::tls`](crate::ConnectionBuilder::tls)).
    #[cfg(feature = "tls")]
    tls(tls: crate::tls::TlsConfig);
    /// Thrift over HTTP (a gateway with
    /// `hbase.regionserver.thrift.http=true`), as for Thrift1
    /// ([`ConnectionBuilder::http`](crate::ConnectionBuilder::http)).
    http();
    /// The path HTTP calls are posted to; implies [`http`](Self::http).
    http_path(path: impl Into<String>);
    /// A header sent with every HTTP call (e.g. `doAs`); implies
    /// [`http`](Self::http).
    http_header(name: impl Into<String>, value: impl Into<String>);
}

impl From<thrift1::ConnectionBuilder> for ConnectionBuilder {
    /// Takes the settings of a Thrift1 builder; its table prefix, if any,
    /// is not used.
    fn from(inner: thrift1::ConnectionBuilder) -> Self {
        ConnectionBuilder { inner }
    }
}

impl ConnectionBuilder {
    /// The Thrift1-layer builder underneath (pools take it).
    pub(crate) fn into_thrift1(self) -> thrift1::ConnectionBuilder {
        self.inner
    }

    /// The connection, which opens its socket on first use.
    pub fn build(self) -> Connection {
        Connection {
            inner: self.inner.build(),
        }
    }

    /// The connection, with its socket opened.
    ///
    /// # Errors
    /// [`Error::Transport`] when the gateway cannot be reached,
    /// [`Error::Timeout`] when it does not accept in time.
    pub async fn connect(self) -> Result<Connection> {
        let conn = self.build();
        conn.open().await?;
        Ok(conn)
    }
}

/// Which service a gateway runs, as it says itself
/// ([`Connection::server_type`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServerType {
    /// The Thrift1 gateway (`hbase thrift`): use [`crate::Connection`].
    Thrift1,
    /// The Thrift2 gateway (`hbase thrift2`).
    Thrift2,
}

impl Connection {
    /// A builder with the defaults.
    pub fn builder() -> ConnectionBuilder {
        ConnectionBuilder::default()
    }

    /// A Thrift2 connection on the socket and settings of a connection
    /// built by the Thrift1 layer's builders (such as one lent by a
    /// [`ConnectionPool`](crate::ConnectionPool) pointed at the Thrift2
    /// gateway's port). It makes Thrift2 calls only: the gateway must be
    /// a Thrift2 one.
    pub fn from_thrift1(conn: &thrift1::Connection) -> Connection {
        Connection {
            inner: conn.clone(),
        }
    }

    /// `host:port` of the gateway.
    pub fn addr(&self) -> &str {
        self.inner.addr()
    }

    /// The timeout of one attempt of a call.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout()
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        self.inner.retry_policy()
    }

    /// This connection with another retry policy, on the same socket.
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Connection {
        Connection {
            inner: self.inner.with_retry_policy(policy),
        }
    }

    /// Opens the socket now (it opens on first use otherwise).
    ///
    /// # Errors
    /// As [`ConnectionBuilder::connect`].
    pub async fn open(&self) -> Result<()> {
        self.inner.open().await
    }

    /// Closes the socket once the replies already asked for have arrived.
    pub async fn close(&self) {
        self.inner.close().await;
    }

    /// Whether a socket to the gateway is open.
    pub fn is_open(&self) -> bool {
        self.inner.is_open()
    }

    /// Which service the gateway runs. A Thrift1 gateway answers this call
    /// too (it has the same method), so this tells a misdirected
    /// connection apart.
    ///
    /// # Errors
    /// Connection errors.
    pub async fn server_type(&self) -> Result<ServerType> {
        let t = self.call(&THBaseServiceGetThriftServerTypeArgs {}).await?;
        Ok(if t == TThriftServerType::ONE {
            ServerType::Thrift1
        } else {
            ServerType::Thrift2
        })
    }

    /// The cluster id of the HBase behind the gateway.
    ///
    /// # Errors
    /// Connection errors.
    pub async fn cluster_id(&self) -> Result<String> {
        self.call(&THBaseServiceGetClusterIdArgs {}).await
    }

    /// Makes one call, retried as the policy says.
    pub(crate) async fn call<M: Method>(&self, args: &M) -> Result<M::Output> {
        self.inner.call(args).await.map_err(misdirected)
    }

    /// Sends a call without waiting for its result (scanner closes).
    pub(crate) fn call_detached<M: Method>(&self, args: &M) {
        self.inner.call_detached(args);
    }
}

/// Adds the likely cause to the error of a gateway that does not know a
/// Thrift2 method: it is a Thrift1 gateway.
fn misdirected(err: Error) -> Error {
    match err {
        Error::Application {
            kind:
                kind @ (ApplicationErrorKind::UnknownMethod | ApplicationErrorKind::WrongMethodName),
            message,
        } => Error::Application {
            kind,
            message: format!(
                "{message} (the gateway does not know this Thrift2 method: it is probably a \
                 Thrift1 gateway, `hbase thrift`; use hbase_orm::Connection for it, or point \
                 this connection at the Thrift2 gateway, `hbase thrift2`)"
            ),
        },
        Error::RetriesExhausted {
            method,
            attempts,
            elapsed,
            last,
        } => Error::RetriesExhausted {
            method,
            attempts,
            elapsed,
            last: Box::new(misdirected(*last)),
        },
        other => other,
    }
}
