//! [`Connection`]: one connection to a Thrift gateway, and table administration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hbase_orm_idl::hbase::{
    ColumnDescriptor, HbaseCompactArgs, HbaseCreateTableArgs, HbaseDeleteTableArgs,
    HbaseDisableTableArgs, HbaseEnableTableArgs, HbaseGetTableNamesArgs, HbaseIsTableEnabledArgs,
    HbaseMajorCompactArgs,
};
use hbase_orm_idl::wire::{Protocol, Transport, DEFAULT_MAX_MESSAGE_BYTES};

use super::retry::{self, RetryPolicy};
use crate::error::{Error, Result};
use crate::network::config::endpoint_setters;
use crate::network::{Endpoint, Handle, Sent};
use crate::protocol::Method;

/// Default port of the Thrift gateway.
///
/// # Examples
/// ```
/// assert!(hbase_orm::Connection::builder().build().addr().ends_with(":9090"));
/// assert_eq!(hbase_orm::connection::DEFAULT_PORT, 9090);
/// ```
pub const DEFAULT_PORT: u16 = 9090;
/// Default timeout of every call.
///
/// # Examples
/// ```
/// use hbase_orm::connection::DEFAULT_TIMEOUT;
/// assert_eq!(hbase_orm::Connection::builder().build().timeout(), DEFAULT_TIMEOUT);
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Shortest attempt worth making before a deadline.
const MIN_ATTEMPT: Duration = Duration::from_millis(5);

/// A connection to an HBase Thrift1 gateway.
///
/// Cheap to clone: clones share one socket, and any number of tasks may call
/// through it at once. Requests are pipelined: they are written back to back
/// and the replies, which the gateway sends in order, are matched to their
/// callers. The socket is opened on first use (or by [`Connection::open`]);
/// when the gateway closes it (gateways drop idle connections after about a
/// minute), the next call opens a new one transparently.
///
/// Failed calls are retried by the connection's [`RetryPolicy`] (on by
/// default): reads, scans, puts and deletes are sent again after a dropped
/// connection, a timed-out attempt or a server error flagged `canRetry`,
/// with exponential backoff and jitter; counter increments, appends,
/// `checkAndPut` and admin writes are not, unless the policy opts in
/// ([`Connection::with_retry_policy`] gives a handle with another policy on
/// the same socket). A call that was not retried and whose reply was lost
/// with the socket fails with [`Error::Transport`]; one that gave up after
/// retries with [`Error::RetriesExhausted`]. See [`crate::retry`].
///
/// Every attempt is bounded by the timeout of the builder (default 30 s),
/// and every call by its deadline (default twice the timeout), retries
/// included: no call outlives its deadline, whatever the gateway does.
/// Table names are prefixed with `table_prefix` and the separator when a
/// prefix is set, and the prefix is stripped from names the gateway returns,
/// as HappyBase does.
///
/// Connections must be used inside a tokio runtime; the socket is served by a
/// task of the runtime that first uses it.
///
/// # Examples
/// ```no_run
/// use hbase_orm::{ColumnFamily, Connection};
///
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// let conn = Connection::builder().host("localhost").port(9090).table_prefix("app").build();
/// conn.create_table("users", [ColumnFamily::new("cf").max_versions(1)]).await?;
/// let users = conn.table("users"); // "app_users" on the server
/// users.put("alice", [("cf:email", "alice@example.com")]).await?;
/// assert_eq!(conn.tables().await?, ["users"]);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Connection {
    inner: Arc<Inner>,
    retry: RetryPolicy,
}

struct Inner {
    handle: Handle,
    table_prefix: Option<String>,
    separator: String,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = self.inner.handle.config();
        f.debug_struct("Connection")
            .field("addr", &config.addr)
            .field("transport", &config.transport)
            .field("protocol", &config.protocol)
            .field("table_prefix", &self.inner.table_prefix)
            .field("tls", &self.is_tls())
            .field("retry", &self.retry)
            .field("open", &self.is_open())
            .finish()
    }
}

/// Configures a [`Connection`].
///
/// Defaults: `localhost:9090`, buffered transport, binary protocol (the
/// gateway's defaults), a 30 s timeout, no table prefix, separator `_`.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use hbase_orm::{Connection, Protocol, Transport};
///
/// let builder = Connection::builder()
///     .host("hbase-thrift.internal")
///     .port(9090)
///     .transport(Transport::Framed)
///     .protocol(Protocol::Compact)
///     .timeout(Duration::from_secs(5))
///     .table_prefix("staging");
/// # let _ = builder;
/// ```
#[derive(Debug, Clone)]
pub struct ConnectionBuilder {
    endpoint: Endpoint,
    table_prefix: Option<String>,
    separator: String,
    retry: RetryPolicy,
}

impl Default for ConnectionBuilder {
    fn default() -> Self {
        ConnectionBuilder {
            endpoint: Endpoint::new(
                DEFAULT_PORT,
                DEFAULT_TIMEOUT,
                Transport::Buffered,
                Protocol::Binary,
                DEFAULT_MAX_MESSAGE_BYTES,
            ),
            table_prefix: None,
            separator: "_".to_owned(),
            retry: RetryPolicy::default(),
        }
    }
}

impl ConnectionBuilder {
    /// How failed calls are retried. Default [`RetryPolicy::default`]: up to
    /// 4 attempts of idempotent calls, with backoff and jitter, within a
    /// deadline of twice the timeout; see [`crate::retry`].
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{Connection, RetryPolicy};
    /// let conn = Connection::builder().retry_policy(RetryPolicy::new().max_attempts(2)).build();
    /// assert_eq!(conn.retry_policy().max_attempts, 2);
    /// let once = Connection::builder().retry_policy(RetryPolicy::none()).build();
    /// assert_eq!(once.retry_policy().max_attempts, 1);
    /// ```
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Longest a call may take, retries and their delays included (the
    /// [`timeout`](ConnectionBuilder::timeout) bounds each attempt). Sets
    /// [`RetryPolicy::deadline`] of the retry policy; set it after
    /// [`retry_policy`](ConnectionBuilder::retry_policy). Default: twice the
    /// timeout.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let conn = hbase_orm::Connection::builder()
    ///     .timeout(Duration::from_secs(2))
    ///     .deadline(Duration::from_secs(5))
    ///     .build();
    /// assert_eq!(conn.deadline(), Duration::from_secs(5));
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.retry = self.retry.deadline(deadline);
        self
    }

    /// Prefix of every table name, joined with the separator. Default none.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().table_prefix("app").build();
    /// assert_eq!(conn.full_table_name("users"), "app_users");
    /// ```
    pub fn table_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.table_prefix = Some(prefix.into());
        self
    }

    /// Separator between the prefix and the table name. Default `_`.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder()
    ///     .table_prefix("app")
    ///     .table_prefix_separator(":")
    ///     .build();
    /// assert_eq!(conn.full_table_name("users"), "app:users");
    /// ```
    pub fn table_prefix_separator(mut self, separator: impl Into<String>) -> Self {
        self.separator = separator.into();
        self
    }

    endpoint_setters! {
        /// Host name or IP address of the gateway. Default `localhost`.
        ///
        /// # Examples
        /// ```
        /// let conn = hbase_orm::Connection::builder().host("hbase.internal").build();
        /// assert_eq!(conn.addr(), "hbase.internal:9090");
        /// ```
        host;
        /// Port of the gateway. Default 9090.
        ///
        /// # Examples
        /// ```
        /// let conn = hbase_orm::Connection::builder().port(9091).build();
        /// assert_eq!(conn.addr(), "localhost:9091");
        /// ```
        port;
        /// Host and port from a socket address.
        ///
        /// # Examples
        /// ```
        /// let addr: std::net::SocketAddr = "127.0.0.1:9090".parse().unwrap();
        /// let conn = hbase_orm::Connection::builder().addr(addr).build();
        /// assert_eq!(conn.addr(), "127.0.0.1:9090");
        /// ```
        addr;
        /// Longest a call (including opening the socket) may take. Default 30 s.
        ///
        /// A call that times out fails with [`Error::Timeout`], and the socket it
        /// was written on is closed (later calls open a new one).
        ///
        /// # Examples
        /// ```
        /// use std::time::Duration;
        /// let conn = hbase_orm::Connection::builder().timeout(Duration::from_secs(5)).build();
        /// assert_eq!(conn.timeout(), Duration::from_secs(5));
        /// ```
        timeout;
        /// The Thrift transport of the gateway. Default buffered; gateways
        /// started with `-hsha`, `-nonblocking`, `-threadedselector` or `-f` use
        /// the framed one.
        ///
        /// # Examples
        /// ```
        /// use hbase_orm::{Connection, Transport};
        /// let conn = Connection::builder().transport(Transport::Framed).build();
        /// # let _ = conn;
        /// ```
        transport;
        /// The Thrift protocol of the gateway. Default binary; gateways started
        /// with `-c` use compact.
        ///
        /// # Examples
        /// ```
        /// use hbase_orm::{Connection, Protocol};
        /// let conn = Connection::builder().protocol(Protocol::Compact).build();
        /// # let _ = conn;
        /// ```
        protocol;
        /// Largest reply accepted (a larger one fails the call with
        /// [`Error::Protocol`] and closes the socket). Default 64 MiB.
        ///
        /// # Examples
        /// ```
        /// let conn = hbase_orm::Connection::builder().max_message_bytes(16 << 20).build();
        /// # let _ = conn;
        /// ```
        max_message_bytes;
        /// Speaks TLS to the gateway (feature `tls`), as `tls` says: the roots
        /// the server's certificate is checked against, the name it must be
        /// valid for (default: the host), an optional client certificate. A
        /// gateway started with `--ssl` (`hbase.thrift.ssl.enabled`) needs it.
        ///
        /// The handshake is part of opening the socket, bounded by the
        /// [`timeout`](ConnectionBuilder::timeout). It fails with
        /// [`Error::Transport`] naming the cause (a certificate problem, a server
        /// that does not speak TLS); bad settings fail calls with
        /// [`Error::InvalidInput`]. See [`crate::tls`].
        ///
        /// # Examples
        /// ```no_run
        /// use hbase_orm::{tls::TlsConfig, Connection};
        /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// let ca = std::fs::read("ca.pem")?;
        /// let conn = Connection::builder()
        ///     .host("hbase-thrift.internal")
        ///     .tls(TlsConfig::new().root_certificates_pem(ca))
        ///     .connect()
        ///     .await?;
        /// assert!(conn.is_tls());
        /// # Ok(()) }
        /// ```
        tls;
        /// Speaks Thrift over HTTP, to a gateway started with
        /// `hbase.regionserver.thrift.http=true`: each call is one HTTP/1.1
        /// POST to `/` (see [`http_path`](ConnectionBuilder::http_path)) of one
        /// binary-protocol message, on kept-alive connections; with
        /// `tls` (feature `tls`) it is HTTPS. The transport and
        /// protocol settings do not apply (the gateway's HTTP mode always speaks
        /// the binary protocol).
        ///
        /// An answer that is not a Thrift reply is an [`Error::Protocol`] saying
        /// what came back: an HTML page, `401`/`403`, another status, or no HTTP
        /// at all (a socket-transport gateway).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// let conn = hbase_orm::Connection::builder()
        ///     .host("gateway.internal")
        ///     .http()
        ///     .http_header("doAs", "alice")
        ///     .connect()
        ///     .await?;
        /// # let _ = conn; Ok(()) }
        /// ```
        http;
        /// The path HTTP calls are posted to (default `/`; the gateway serves
        /// any). Implies [`http`](ConnectionBuilder::http).
        http_path;
        /// A header sent with every HTTP call, such as `doAs` to act as a proxy
        /// user (when the gateway allows it). Implies
        /// [`http`](ConnectionBuilder::http). A name or value HTTP does not
        /// allow fails each call with [`Error::InvalidInput`].
        http_header;
    }

    /// The connection, which opens its socket on first use.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().port(9090).build();
    /// assert!(!conn.is_open());
    /// ```
    pub fn build(self) -> Connection {
        Connection {
            inner: Arc::new(Inner {
                handle: Handle::new(self.endpoint.into_config()),
                table_prefix: self.table_prefix,
                separator: self.separator,
            }),
            retry: self.retry,
        }
    }

    /// The connection, with its socket opened.
    ///
    /// # Errors
    /// [`Error::Transport`] when the gateway cannot be reached,
    /// [`Error::Timeout`] when it does not accept within the timeout.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::Connection::builder().host("localhost").connect().await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(self) -> Result<Connection> {
        let conn = self.build();
        conn.open().await?;
        Ok(conn)
    }
}

impl Connection {
    /// A builder with the defaults.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().host("localhost").build();
    /// # let _ = conn;
    /// ```
    pub fn builder() -> ConnectionBuilder {
        ConnectionBuilder::default()
    }

    /// `host:port` of the gateway.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().host("h").port(1).build();
    /// assert_eq!(conn.addr(), "h:1");
    /// ```
    pub fn addr(&self) -> &str {
        &self.inner.handle.config().addr
    }

    /// The table name prefix, if any.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().table_prefix("p").build();
    /// assert_eq!(conn.table_prefix(), Some("p"));
    /// ```
    pub fn table_prefix(&self) -> Option<&str> {
        self.inner.table_prefix.as_deref()
    }

    /// The timeout applied to every call.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let conn = hbase_orm::Connection::builder().timeout(Duration::from_secs(2)).build();
    /// assert_eq!(conn.timeout(), Duration::from_secs(2));
    /// ```
    pub fn timeout(&self) -> Duration {
        self.inner.handle.config().timeout
    }

    /// Whether the connection speaks TLS (set with `ConnectionBuilder::tls`,
    /// feature `tls`).
    ///
    /// # Examples
    /// ```
    /// assert!(!hbase_orm::Connection::builder().build().is_tls());
    /// ```
    pub fn is_tls(&self) -> bool {
        #[cfg(feature = "tls")]
        return self.inner.handle.config().tls.is_some();
        #[cfg(not(feature = "tls"))]
        return false;
    }

    /// The retry policy of this connection's calls.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().build();
    /// assert_eq!(*conn.retry_policy(), hbase_orm::RetryPolicy::default());
    /// ```
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The longest a call may take, retries included.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let conn = hbase_orm::Connection::builder().timeout(Duration::from_secs(3)).build();
    /// assert_eq!(conn.deadline(), Duration::from_secs(6));
    /// ```
    pub fn deadline(&self) -> Duration {
        self.retry.deadline_for(self.timeout())
    }

    /// This connection with another retry policy: it shares the socket,
    /// only its calls (and those of its tables) retry differently. Use it to
    /// opt in to retrying non-idempotent calls for some tables.
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{Connection, RetryPolicy};
    /// let conn = Connection::builder().build();
    /// let counters = conn
    ///     .with_retry_policy(RetryPolicy::new().retry_non_idempotent(true))
    ///     .table("counters");
    /// assert!(counters.connection().retry_policy().retry_non_idempotent);
    /// assert!(!conn.retry_policy().retry_non_idempotent);
    /// ```
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Connection {
        Connection {
            inner: Arc::clone(&self.inner),
            retry: policy,
        }
    }

    /// Opens the socket now, instead of on first use. Does nothing when it is
    /// open.
    ///
    /// # Errors
    /// [`Error::Transport`] when the gateway cannot be reached,
    /// [`Error::Timeout`] when it does not accept within the timeout.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::Connection::builder().build();
    /// conn.open().await?;
    /// assert!(conn.is_open());
    /// # Ok(()) }
    /// ```
    pub async fn open(&self) -> Result<()> {
        self.inner.handle.open().await
    }

    /// Closes the socket, once the replies to calls already made have
    /// arrived. A later call opens a new socket.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() {
    /// let conn = hbase_orm::Connection::builder().build();
    /// conn.close().await;
    /// assert!(!conn.is_open());
    /// # }
    /// ```
    pub async fn close(&self) {
        self.inner.handle.close().await;
    }

    /// Whether a socket to the gateway is open. It turns false when the
    /// gateway closes it (the next call then opens another).
    ///
    /// # Examples
    /// ```
    /// assert!(!hbase_orm::Connection::builder().build().is_open());
    /// ```
    pub fn is_open(&self) -> bool {
        self.inner.handle.is_open()
    }

    /// The tables of the gateway: with a prefix set, only the tables that
    /// carry it, with the prefix stripped.
    ///
    /// # Errors
    /// Connection errors, or [`Error::Server`] from the gateway.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::Connection::builder().build();
    /// for name in conn.tables().await? {
    ///     println!("{name}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn tables(&self) -> Result<Vec<String>> {
        let names = self.call(&HbaseGetTableNamesArgs {}).await?;
        Ok(names
            .into_iter()
            .filter_map(|n| {
                strip_prefix(
                    self.table_prefix(),
                    &self.inner.separator,
                    &String::from_utf8_lossy(&n),
                )
            })
            .collect())
    }

    /// Creates table `name` with the given column families.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] when the table exists,
    /// [`Error::IllegalArgument`] for a bad descriptor (no family, unknown
    /// compression or bloom filter type), [`Error::InvalidInput`] for an empty
    /// family name, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::ColumnFamily;
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::Connection::builder().build();
    /// conn.create_table("events", [
    ///     ColumnFamily::new("d").max_versions(1).compression("SNAPPY"),
    ///     ColumnFamily::new("meta").in_memory(true).time_to_live(86_400),
    /// ]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_table(
        &self,
        name: impl AsRef<str>,
        families: impl IntoIterator<Item = ColumnFamily>,
    ) -> Result<()> {
        let column_families = families
            .into_iter()
            .map(ColumnFamily::into_descriptor)
            .collect::<Result<Vec<_>>>()?;
        if column_families.is_empty() {
            return Err(Error::InvalidInput(
                "a table needs at least one column family".to_owned(),
            ));
        }
        self.call(&HbaseCreateTableArgs {
            table_name: self.full_table_name(name.as_ref()).into_bytes(),
            column_families,
        })
        .await
    }

    /// Deletes table `name`. HBase deletes only disabled tables: with
    /// `disable`, the table is disabled first when it is enabled.
    ///
    /// # Errors
    /// [`Error::Server`] when the table does not exist or is enabled (and
    /// `disable` is false), connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::Connection::builder().build();
    /// conn.delete_table("events", true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_table(&self, name: impl AsRef<str>, disable: bool) -> Result<()> {
        let name = name.as_ref();
        if disable && self.is_table_enabled(name).await? {
            self.disable_table(name).await?;
        }
        self.call(&HbaseDeleteTableArgs {
            table_name: self.full_table_name(name).into_bytes(),
        })
        .await
    }

    /// Enables table `name`.
    ///
    /// # Errors
    /// [`Error::Server`] when the table does not exist, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::Connection::builder().build();
    /// conn.enable_table("events").await?;
    /// # Ok(()) }
    /// ```
    pub async fn enable_table(&self, name: impl AsRef<str>) -> Result<()> {
        self.call(&HbaseEnableTableArgs {
            table_name: self.full_table_name(name.as_ref()).into_bytes(),
        })
        .await
    }

    /// Disables table `name`.
    ///
    /// # Errors
    /// [`Error::Server`] when the table does not exist, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::Connection::builder().build();
    /// conn.disable_table("events").await?;
    /// # Ok(()) }
    /// ```
    pub async fn disable_table(&self, name: impl AsRef<str>) -> Result<()> {
        self.call(&HbaseDisableTableArgs {
            table_name: self.full_table_name(name.as_ref()).into_bytes(),
        })
        .await
    }

    /// Whether table `name` is enabled.
    ///
    /// # Errors
    /// [`Error::Server`] when the table does not exist, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::Connection::builder().build();
    /// if !conn.is_table_enabled("events").await? {
    ///     conn.enable_table("events").await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn is_table_enabled(&self, name: impl AsRef<str>) -> Result<bool> {
        self.call(&HbaseIsTableEnabledArgs {
            table_name: self.full_table_name(name.as_ref()).into_bytes(),
        })
        .await
    }

    /// Asks for a compaction of table `name`: a major one with `major`.
    ///
    /// # Errors
    /// [`Error::Server`] when the table does not exist, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = hbase_orm::Connection::builder().build();
    /// conn.compact_table("events", true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn compact_table(&self, name: impl AsRef<str>, major: bool) -> Result<()> {
        let table_name_or_region_name = self.full_table_name(name.as_ref()).into_bytes();
        if major {
            self.call(&HbaseMajorCompactArgs {
                table_name_or_region_name,
            })
            .await
        } else {
            self.call(&HbaseCompactArgs {
                table_name_or_region_name,
            })
            .await
        }
    }

    /// The name the gateway knows table `name` by (with the prefix).
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().table_prefix("p").table_prefix_separator(":").build();
    /// assert_eq!(conn.full_table_name("t"), "p:t");
    /// ```
    pub fn full_table_name(&self, name: &str) -> String {
        add_prefix(self.table_prefix(), &self.inner.separator, name)
    }

    /// Makes one Thrift call on this connection, retried as its retry
    /// policy says, within the deadline. Every call of the crate but the
    /// scanner fetches (resumed by the scan instead) goes through here.
    pub(crate) async fn call<M: Method>(&self, args: &M) -> Result<M::Output> {
        let now = tokio::time::Instant::now();
        self.call_from(args, now, now + self.deadline()).await
    }

    /// As [`Connection::call`], giving up at `deadline`.
    pub(crate) async fn call_within<M: Method>(
        &self,
        args: &M,
        deadline: tokio::time::Instant,
    ) -> Result<M::Output> {
        self.call_from(args, tokio::time::Instant::now(), deadline)
            .await
    }

    /// As [`Connection::call_within`], the clock read at `now`, just
    /// before (the first attempt reads it no more).
    async fn call_from<M: Method>(
        &self,
        args: &M,
        mut now: tokio::time::Instant,
        deadline: tokio::time::Instant,
    ) -> Result<M::Output> {
        let started = now.into_std();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if attempt > 1 {
                now = tokio::time::Instant::now();
            }
            let left = deadline.saturating_duration_since(now);
            if left < MIN_ATTEMPT {
                // Only a first attempt gets here (retries stop earlier): its
                // deadline passed before anything was sent.
                return Err(Error::Timeout {
                    method: M::NAME,
                    timeout: left,
                    hint: None,
                });
            }
            let timeout = self.timeout().min(left);
            // No `Result<M::Output>` is kept across the awaits below (a
            // future holding one would be `Send` only for `Send` outputs).
            let err = match self.inner.handle.start_at(args, now, timeout) {
                Ok(sent) => match self.inner.handle.finish(sent).await {
                    Ok(output) => return Ok(output),
                    Err(err) => err,
                },
                Err(e) => e,
            };
            if attempt >= self.retry.max_attempts || !self.retry.should_retry(M::RETRY, &err) {
                return Err(retry::give_up(M::NAME, attempt, started, err));
            }
            let delay = self.retry.backoff(attempt);
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            // Another attempt needs some time after the delay to be worth it.
            if delay + MIN_ATTEMPT >= left {
                return Err(retry::give_up(M::NAME, attempt, started, err));
            }
            tracing::debug!(
                method = M::NAME,
                attempt,
                delay_ms = delay.as_millis() as u64,
                error = %err,
                "retrying a failed call to {}",
                self.addr()
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// The time allowed to one attempt: the timeout, clipped to the deadline.
    pub(crate) fn attempt_timeout(&self) -> Duration {
        self.timeout().min(self.deadline())
    }

    /// Sends a call now, to wait for its result later with
    /// [`Connection::finish`]. Not retried; bounded by the timeout clipped
    /// to the deadline.
    pub(crate) fn start<M: Method>(&self, args: &M) -> Result<Sent<M>> {
        self.inner.handle.start_with(args, self.attempt_timeout())
    }

    /// As [`Connection::start`], with this attempt's timeout.
    pub(crate) fn start_with<M: Method>(&self, args: &M, timeout: Duration) -> Result<Sent<M>> {
        self.inner.handle.start_with(args, timeout)
    }

    /// Waits for the result of a call sent with [`Connection::start`].
    pub(crate) async fn finish<M: Method>(&self, sent: Sent<M>) -> Result<M::Output> {
        self.inner.handle.finish(sent).await
    }

    /// Sends a call without waiting for its result.
    pub(crate) fn call_detached<M: Method>(&self, args: &M) {
        self.inner.handle.call_detached(args);
    }
}

fn add_prefix(prefix: Option<&str>, separator: &str, name: &str) -> String {
    match prefix {
        Some(prefix) => format!("{prefix}{separator}{name}"),
        None => name.to_owned(),
    }
}

fn strip_prefix(prefix: Option<&str>, separator: &str, name: &str) -> Option<String> {
    match prefix {
        Some(prefix) => name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(separator))
            .map(str::to_owned),
        None => Some(name.to_owned()),
    }
}

/// A column family: its name and options, to create a table with, and as
/// [`Table::families`](crate::Table::families) describes them.
///
/// The options and their defaults are those of the gateway's
/// `ColumnDescriptor` (HappyBase's `create_table` options).
///
/// # Examples
/// ```
/// use hbase_orm::ColumnFamily;
///
/// let cf = ColumnFamily::new("cf")
///     .max_versions(10)
///     .compression("GZ")
///     .in_memory(true)
///     .bloom_filter_type("ROW")
///     .block_cache_enabled(true)
///     .time_to_live(3600);
/// assert_eq!(cf.max_versions, 10);
/// assert_eq!(cf.name, "cf");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnFamily {
    /// The family name, without the trailing colon.
    pub name: String,
    /// Versions kept per cell. Default 3.
    pub max_versions: i32,
    /// Compression: `NONE` (default), `GZ`, `LZO`, `SNAPPY`, `LZ4`, `BZIP2`,
    /// `ZSTD`.
    pub compression: String,
    /// Whether to favour keeping the family in the block cache. Default false.
    pub in_memory: bool,
    /// Bloom filter type: `NONE` (default), `ROW`, `ROWCOL`.
    pub bloom_filter_type: String,
    /// Bloom filter vector size. Default 0.
    pub bloom_filter_vector_size: i32,
    /// Bloom filter number of hashes. Default 0.
    pub bloom_filter_nb_hashes: i32,
    /// Whether blocks of this family are cached. Default false.
    pub block_cache_enabled: bool,
    /// Seconds a cell lives; `i32::MAX` (the default) or `<= 0` is forever.
    pub time_to_live: i32,
}

impl ColumnFamily {
    /// A family with the default options. A trailing colon is dropped.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::ColumnFamily::new("cf:").name, "cf");
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        let mut name = name.into();
        if name.ends_with(':') {
            name.pop();
        }
        ColumnFamily {
            name,
            max_versions: 3,
            compression: "NONE".to_owned(),
            in_memory: false,
            bloom_filter_type: "NONE".to_owned(),
            bloom_filter_vector_size: 0,
            bloom_filter_nb_hashes: 0,
            block_cache_enabled: false,
            time_to_live: i32::MAX,
        }
    }

    /// Sets the versions kept per cell.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::ColumnFamily::new("cf").max_versions(1).max_versions, 1);
    /// ```
    pub fn max_versions(mut self, n: i32) -> Self {
        self.max_versions = n;
        self
    }

    /// Sets the compression (`NONE`, `GZ`, `LZO`, `SNAPPY`, ...).
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::ColumnFamily::new("cf").compression("GZ").compression, "GZ");
    /// ```
    pub fn compression(mut self, compression: impl Into<String>) -> Self {
        self.compression = compression.into();
        self
    }

    /// Sets whether the family is kept in memory.
    ///
    /// # Examples
    /// ```
    /// assert!(hbase_orm::ColumnFamily::new("cf").in_memory(true).in_memory);
    /// ```
    pub fn in_memory(mut self, in_memory: bool) -> Self {
        self.in_memory = in_memory;
        self
    }

    /// Sets the bloom filter type (`NONE`, `ROW`, `ROWCOL`).
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::ColumnFamily::new("cf").bloom_filter_type("ROW").bloom_filter_type, "ROW");
    /// ```
    pub fn bloom_filter_type(mut self, kind: impl Into<String>) -> Self {
        self.bloom_filter_type = kind.into();
        self
    }

    /// Sets the bloom filter vector size.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::ColumnFamily::new("cf").bloom_filter_vector_size(64).bloom_filter_vector_size, 64);
    /// ```
    pub fn bloom_filter_vector_size(mut self, size: i32) -> Self {
        self.bloom_filter_vector_size = size;
        self
    }

    /// Sets the bloom filter number of hashes.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::ColumnFamily::new("cf").bloom_filter_nb_hashes(3).bloom_filter_nb_hashes, 3);
    /// ```
    pub fn bloom_filter_nb_hashes(mut self, n: i32) -> Self {
        self.bloom_filter_nb_hashes = n;
        self
    }

    /// Sets whether blocks are cached.
    ///
    /// # Examples
    /// ```
    /// assert!(hbase_orm::ColumnFamily::new("cf").block_cache_enabled(true).block_cache_enabled);
    /// ```
    pub fn block_cache_enabled(mut self, enabled: bool) -> Self {
        self.block_cache_enabled = enabled;
        self
    }

    /// Sets the time to live of cells, in seconds.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::ColumnFamily::new("cf").time_to_live(60).time_to_live, 60);
    /// ```
    pub fn time_to_live(mut self, seconds: i32) -> Self {
        self.time_to_live = seconds;
        self
    }

    fn into_descriptor(self) -> Result<ColumnDescriptor> {
        if self.name.is_empty() || self.name.contains(':') {
            return Err(Error::InvalidInput(format!(
                "bad column family name `{}`: it must be non-empty and without a colon",
                self.name
            )));
        }
        let mut name = self.name.into_bytes();
        name.push(b':');
        Ok(ColumnDescriptor {
            name: Some(name),
            max_versions: Some(self.max_versions),
            compression: Some(self.compression),
            in_memory: Some(self.in_memory),
            bloom_filter_type: Some(self.bloom_filter_type),
            bloom_filter_vector_size: Some(self.bloom_filter_vector_size),
            bloom_filter_nb_hashes: Some(self.bloom_filter_nb_hashes),
            block_cache_enabled: Some(self.block_cache_enabled),
            time_to_live: Some(self.time_to_live),
        })
    }

    pub(crate) fn from_descriptor(d: ColumnDescriptor) -> Self {
        let name = d.name.map(Bytes::from).unwrap_or_default();
        let defaults = ColumnFamily::new(String::from_utf8_lossy(&name).into_owned());
        ColumnFamily {
            max_versions: d.max_versions.unwrap_or(defaults.max_versions),
            compression: d.compression.unwrap_or(defaults.compression.clone()),
            in_memory: d.in_memory.unwrap_or(defaults.in_memory),
            bloom_filter_type: d
                .bloom_filter_type
                .unwrap_or(defaults.bloom_filter_type.clone()),
            bloom_filter_vector_size: d
                .bloom_filter_vector_size
                .unwrap_or(defaults.bloom_filter_vector_size),
            bloom_filter_nb_hashes: d
                .bloom_filter_nb_hashes
                .unwrap_or(defaults.bloom_filter_nb_hashes),
            block_cache_enabled: d
                .block_cache_enabled
                .unwrap_or(defaults.block_cache_enabled),
            time_to_live: d.time_to_live.unwrap_or(defaults.time_to_live),
            name: defaults.name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_added_and_stripped() {
        assert_eq!(add_prefix(None, "_", "t"), "t");
        assert_eq!(add_prefix(Some("p"), "_", "t"), "p_t");
        assert_eq!(add_prefix(Some("p"), "", "t"), "pt");
        assert_eq!(strip_prefix(None, "_", "x_t").as_deref(), Some("x_t"));
        assert_eq!(strip_prefix(Some("p"), "_", "p_t").as_deref(), Some("t"));
        assert_eq!(strip_prefix(Some("p"), "_", "q_t"), None);
        assert_eq!(strip_prefix(Some("p"), "_", "pt"), None);
        assert_eq!(
            strip_prefix(Some("p"), "_", "p_a_b").as_deref(),
            Some("a_b")
        );
    }

    #[test]
    fn families_become_descriptors_with_a_colon() {
        let d = ColumnFamily::new("cf")
            .max_versions(7)
            .bloom_filter_nb_hashes(2)
            .into_descriptor()
            .unwrap();
        assert_eq!(d.name.as_deref(), Some(&b"cf:"[..]));
        assert_eq!(d.max_versions, Some(7));
        assert_eq!(d.bloom_filter_nb_hashes, Some(2));
        let back = ColumnFamily::from_descriptor(d);
        assert_eq!(
            back,
            ColumnFamily::new("cf")
                .max_versions(7)
                .bloom_filter_nb_hashes(2)
        );
        assert!(ColumnFamily::new("").into_descriptor().is_err());
        assert!(ColumnFamily::new("a:b").into_descriptor().is_err());
    }

    #[test]
    fn builder_defaults() {
        let conn = Connection::builder().build();
        assert_eq!(conn.addr(), "localhost:9090");
        assert_eq!(conn.timeout(), DEFAULT_TIMEOUT);
        assert_eq!(conn.full_table_name("t"), "t");
        assert!(!conn.is_open());
    }
}
