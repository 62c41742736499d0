//! The network side: listener, connections, transports.
//!
//! One tokio task accepts connections and runs one task per connection; a
//! connection answers its requests in order (see `connection`). The service
//! is synchronous: small in-memory calls run inline on the connection's
//! task, calls that may take long (large messages, scanner pages, filters,
//! changes that wait for the disk) on the runtime's blocking pool (see
//! `lane`), so no call holds an async worker that other connections need.

pub(crate) mod connection;
mod http;
mod lane;
pub(crate) mod service;
#[cfg(test)]
mod tests;
#[cfg(feature = "tls")]
mod tls;

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use hbase_orm_idl::wire::{Protocol, Transport};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};
use tracing::{debug, warn};

use self::connection::{ConnConfig, Connection};
use self::service::Service;
use crate::limits::{ConnectionId, Limits};
use crate::store::{DurableOptions, DurableStore, FsyncPolicy, MemStore, Store};

/// Default time a partially received message may wait for its next bytes.
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// How long dropping an emulator started with
/// [`EmulatorBuilder::start_blocking`] waits for its thread.
const DROP_WAIT: Duration = Duration::from_secs(10);

/// A running emulator. Dropping it shuts it down.
///
/// Start one with [`Emulator::start`] or [`Emulator::builder`]. It listens
/// until [`Emulator::shutdown`] or until dropped; dropping it closes every
/// client connection at once and stops the listener (immediately for
/// [`EmulatorBuilder::start_blocking`], at the runtime's next turn for
/// [`EmulatorBuilder::start`]).
///
/// # Examples
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let emulator = hbase_emulator::Emulator::start().await?;
/// println!("gateway at {}", emulator.addr());
/// emulator.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct Emulator {
    addr: SocketAddr,
    config: ConnConfig,
    shared: Arc<Shared>,
    /// Dropped to tell the accept loop to stop.
    stop: Option<watch::Sender<()>>,
    runner: Runner,
    /// The Accumulo Proxy listener, when it is served beside the gateway.
    accumulo: Option<(SocketAddr, Arc<Shared>)>,
    /// The Thrift2 listener's address and state, when there is one.
    thrift2: Option<(SocketAddr, Arc<Shared>)>,
}

/// Where the accept loop runs.
enum Runner {
    /// A task of the caller's runtime.
    Task(Option<JoinHandle<()>>),
    /// A thread with a runtime of its own; `done` fires when it has
    /// stopped, and `finished` too (for waiting outside a runtime).
    Thread {
        thread: Option<thread::JoinHandle<()>>,
        done: Option<oneshot::Receiver<()>>,
        finished: mpsc::Receiver<()>,
    },
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("transport", &self.config.transport)
            .field("protocol", &self.config.protocol)
            .field("connections", &self.shared.connection_count())
            .finish_non_exhaustive()
    }
}

/// Configures and starts an [`Emulator`].
///
/// # Examples
/// ```no_run
/// use hbase_emulator::{Emulator, Protocol, Transport};
/// # async fn run() -> std::io::Result<()> {
/// let emulator = Emulator::builder()
///     .transport(Transport::Framed)
///     .protocol(Protocol::Compact)
///     .start()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    bind: SocketAddr,
    transport: Transport,
    protocol: Protocol,
    max_message_bytes: usize,
    scanner_timeout: Duration,
    read_timeout: Duration,
    data_dir: Option<PathBuf>,
    durable: DurableOptions,
    limits: Limits,
    http: bool,
    thrift2_bind: Option<SocketAddr>,
    #[cfg(feature = "tls")]
    tls: Option<tls::Identity>,
    /// Whether the HBase gateway is served.
    hbase: bool,
    accumulo: Option<AccumuloConfig>,
}

/// How the Accumulo Proxy is served (see [`EmulatorBuilder::accumulo_bind`]).
#[derive(Debug, Clone)]
struct AccumuloConfig {
    bind: SocketAddr,
    protocol: Protocol,
    root_password: String,
    idle_timeout: Duration,
}

impl AccumuloConfig {
    fn new(bind: SocketAddr) -> Self {
        AccumuloConfig {
            bind,
            protocol: Protocol::Compact,
            root_password: "secret".to_owned(),
            idle_timeout: Duration::from_secs(600),
        }
    }
}

/// Listeners bound and services built, ready for their accept loops: the
/// main one (the gateway, or the Accumulo Proxy when it is served alone)
/// and the Accumulo Proxy beside the gateway.
/// The gateway's listener, and the Thrift2 one when asked for.
type Hbase = (
    (TcpListener, Arc<Shared>),
    Option<(TcpListener, Arc<Shared>)>,
);

type Prepared = (
    (TcpListener, Arc<Shared>),
    Option<(TcpListener, Arc<Shared>)>,
    Option<(TcpListener, Arc<Shared>)>,
);

/// The address and state of a prepared extra listener.
fn handle_of(
    listener: &Option<(TcpListener, Arc<Shared>)>,
) -> io::Result<Option<(SocketAddr, Arc<Shared>)>> {
    listener
        .as_ref()
        .map(|(l, s)| Ok((l.local_addr()?, Arc::clone(s))))
        .transpose()
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            transport: Transport::Buffered,
            protocol: Protocol::Binary,
            max_message_bytes: hbase_orm_idl::wire::DEFAULT_MAX_MESSAGE_BYTES,
            scanner_timeout: Duration::from_secs(120),
            read_timeout: DEFAULT_READ_TIMEOUT,
            data_dir: None,
            durable: DurableOptions::default(),
            limits: Limits::default(),
            http: false,
            thrift2_bind: None,
            #[cfg(feature = "tls")]
            tls: None,
            hbase: true,
            accumulo: None,
        }
    }
}

impl EmulatorBuilder {
    /// Address to listen on; port 0 picks a free port. Default `127.0.0.1:0`.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Transport to speak. Default buffered.
    ///
    /// A gateway started with `-hsha`, `-nonblocking`, `-threadedselector` or
    /// `-f` speaks the framed transport.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// Speaks Thrift over HTTP, as a gateway started with
    /// `hbase.regionserver.thrift.http=true`: each call is an HTTP/1.1 POST
    /// (any path) whose body is one message of the binary protocol, and the
    /// reply is the body of the answer; connections are kept alive. With
    /// [`EmulatorBuilder::tls`] it is HTTPS. The transport and protocol
    /// settings do not apply (the gateway's HTTP mode always speaks the
    /// binary protocol).
    ///
    /// A request that goes wrong gets an HTTP error status and its
    /// connection is closed: another method than POST (`405`), a body past
    /// [`EmulatorBuilder::max_message_bytes`] (`413`), a body that is not
    /// exactly one message (`400`), a body that does not arrive within the
    /// [`read_timeout`](EmulatorBuilder::read_timeout) (`408`).
    ///
    /// # Examples
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emulator = hbase_emulator::Emulator::builder().http().start().await?;
    /// println!("POST calls to http://{}/", emulator.addr());
    /// # Ok(())
    /// # }
    /// ```
    pub fn http(mut self) -> Self {
        self.http = true;
        self
    }

    /// Also serves the Thrift2 gateway (service `THBaseService`, as HBase's
    /// `thrift2.ThriftServer`) on `addr`, over the same tables, with the same
    /// transport, protocol, HTTP and TLS settings. Port 0 picks a free port
    /// ([`Emulator::thrift2_addr`]). Default: no Thrift2 listener.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emulator = hbase_emulator::Emulator::builder()
    ///     .thrift2_bind("127.0.0.1:0".parse().unwrap())
    ///     .start()
    ///     .await?;
    /// println!("Thrift2 at {}", emulator.thrift2_addr().unwrap());
    /// # Ok(())
    /// # }
    /// ```
    pub fn thrift2_bind(mut self, addr: SocketAddr) -> Self {
        self.thrift2_bind = Some(addr);
        self
    }

    /// Protocol to speak. Default binary; a gateway started with `-c` speaks
    /// the compact protocol.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Largest message accepted. Default 64 MiB.
    ///
    /// A message, frame, string or container declaring more closes the
    /// connection before anything is buffered for it.
    pub fn max_message_bytes(mut self, n: usize) -> Self {
        self.max_message_bytes = n;
        self
    }

    /// How long an idle scanner lives. Default 120 s.
    pub fn scanner_timeout(mut self, timeout: Duration) -> Self {
        self.scanner_timeout = timeout;
        self
    }

    /// Most scanners open on the server at once. Default 10,000.
    ///
    /// Opening one more fails with an `IOError` naming the limit (and one
    /// log line) until scanners are closed or expire.
    pub fn max_scanners(mut self, n: usize) -> Self {
        self.limits.scanners_total = n;
        self
    }

    /// Most scanners one connection may hold open at once. Default 1,000.
    ///
    /// Opening one more on that connection fails with an `IOError` naming
    /// the limit (and one log line); other connections are not affected.
    pub fn max_scanners_per_connection(mut self, n: usize) -> Self {
        self.limits.scanners_per_connection = n;
        self
    }

    /// Most memory, in bytes, the compiled filter of one scanner may hold.
    /// Default 32 MiB.
    ///
    /// Each `regexstring:` comparator is charged its compiled size plus the
    /// caches it may grow while matching (under 1 MiB for a simple
    /// pattern); a filter needing more is refused with an error naming the
    /// limit (and one log line) while it is parsed, so a flood of regular
    /// expressions costs no more than the budget.
    pub fn max_filter_bytes(mut self, bytes: usize) -> Self {
        self.limits.filter_bytes_per_scanner = bytes;
        self
    }

    /// Most memory, in bytes, the compiled filters of one connection's open
    /// scanners may hold together. Default 128 MiB.
    ///
    /// A scanner whose filter does not fit in what is left is refused with
    /// an error naming the limit (and one log line); closing scanners gives
    /// the room back.
    pub fn max_filter_bytes_per_connection(mut self, bytes: usize) -> Self {
        self.limits.filter_bytes_per_connection = bytes;
        self
    }

    /// Most client connections served at once. Default 1,000.
    ///
    /// A connection past the cap is accepted only to answer its calls with
    /// a `TApplicationException` naming the limit, for a few seconds, then
    /// closed (with one log line), so that idle or leaked connections cannot
    /// take every file descriptor.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.limits.connections = n;
        self
    }

    /// How long a connection may sit idle between two messages before the
    /// server closes it. Default 10 minutes; `None` keeps idle connections
    /// open for ever.
    ///
    /// Clients that pool connections (hbase-orm, happybase) reconnect when
    /// the server has closed an idle one.
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// Largest reply sent, in bytes. Default 64 MiB, and never more than
    /// [`EmulatorBuilder::max_message_bytes`].
    ///
    /// A scanner page stops early at a quarter of it (or at 1 MiB,
    /// whichever is smaller), so that `scannerGetList(id, 2^31-1)` does not
    /// build a huge reply; any other call whose reply would be larger gets
    /// a `TApplicationException` naming the limit instead (and one log
    /// line), which a client reads as a clear error rather than a frame it
    /// refuses.
    pub fn max_reply_bytes(mut self, n: usize) -> Self {
        self.limits.reply_bytes = n;
        self
    }

    /// How long a partially received message may wait for its next bytes.
    /// Default 60 s.
    ///
    /// A client that stops in the middle of a message has its connection
    /// closed after this long without a byte, so it cannot hold the buffer
    /// forever. A connection idle between two messages is governed by
    /// [`EmulatorBuilder::idle_timeout`] instead ([`Emulator::disconnect_all`]
    /// drops idle connections at once, as a gateway restart does).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Keeps the data in `dir` (created if missing) so that it survives a
    /// restart, a crash and `kill -9`. Default: in memory only.
    ///
    /// Every change is appended to a write-ahead log in `dir` before it is
    /// acknowledged, and synced as [`EmulatorBuilder::fsync_policy`] says;
    /// the log is compacted into a snapshot as it grows. Starting opens the
    /// directory and replays it; it fails when another emulator has the
    /// directory open or when its files are damaged (other than a torn last
    /// record, which is cut off with a warning). The directory is released
    /// once the emulator has stopped: when [`Emulator::shutdown`] returns, or
    /// when dropping an emulator started with
    /// [`EmulatorBuilder::start_blocking`] returns.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// When the log of [`EmulatorBuilder::data_dir`] is synced to disk.
    /// Default [`FsyncPolicy::Always`].
    pub fn fsync_policy(mut self, policy: FsyncPolicy) -> Self {
        self.durable.fsync = policy;
        self
    }

    /// Size in bytes the log of [`EmulatorBuilder::data_dir`] may reach
    /// before it is compacted into a snapshot. Default 64 MiB.
    pub fn wal_compaction_bytes(mut self, bytes: u64) -> Self {
        self.durable.compact_after = bytes;
        self
    }

    /// Speaks TLS (feature `tls`, on by default): every connection starts
    /// with a TLS handshake, presenting the certificate chain of
    /// `cert_chain_pem` (the server's certificate first, then any
    /// intermediates) with the private key of `key_pem` (PKCS#8, PKCS#1 or
    /// SEC1). Clients are not asked for a certificate.
    ///
    /// The PEM is checked when the emulator starts. A handshake that fails
    /// (a client that does not speak TLS, or refuses the certificate) closes
    /// only that connection, with one log line; a handshake is bounded by
    /// the [`read_timeout`](EmulatorBuilder::read_timeout).
    ///
    /// # Examples
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emulator = hbase_emulator::Emulator::builder()
    ///     .tls(std::fs::read("server.pem")?, std::fs::read("server.key")?)
    ///     .start()
    ///     .await?;
    /// assert!(emulator.is_tls());
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tls")]
    pub fn tls(mut self, cert_chain_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> Self {
        self.tls = Some(tls::Identity {
            cert_chain_pem: cert_chain_pem.into(),
            key_pem: key_pem.into(),
        });
        self
    }

    /// Also (or, with [`EmulatorBuilder::hbase`]`(false)`, only) serves the
    /// Accumulo Proxy (service `AccumuloProxy`, the 1.x proxy) on `addr`:
    /// framed transport, the compact protocol unless
    /// [`EmulatorBuilder::accumulo_protocol`] says otherwise, a `root` user
    /// with the password of [`EmulatorBuilder::accumulo_root_password`]. Its
    /// data lives in memory, also with a data directory. Port 0 picks a free
    /// port: read it from [`Emulator::accumulo_addr`].
    ///
    /// # Examples
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emulator = hbase_emulator::Emulator::builder()
    ///     .accumulo_bind("127.0.0.1:0".parse().unwrap())
    ///     .start()
    ///     .await?;
    /// println!("Accumulo Proxy at {:?}", emulator.accumulo_addr());
    /// # Ok(())
    /// # }
    /// ```
    pub fn accumulo_bind(mut self, addr: SocketAddr) -> Self {
        match &mut self.accumulo {
            Some(config) => config.bind = addr,
            None => self.accumulo = Some(AccumuloConfig::new(addr)),
        }
        self
    }

    /// Protocol of the Accumulo Proxy. Default compact, as the proxy's.
    /// Enables the proxy on a free loopback port if
    /// [`EmulatorBuilder::accumulo_bind`] was not called.
    pub fn accumulo_protocol(mut self, protocol: Protocol) -> Self {
        self.accumulo
            .get_or_insert_with(|| AccumuloConfig::new(SocketAddr::from(([127, 0, 0, 1], 0))))
            .protocol = protocol;
        self
    }

    /// Password of the Accumulo Proxy's `root` user. Default `secret`, as
    /// MiniAccumulo's. Enables the proxy on a free loopback port if
    /// [`EmulatorBuilder::accumulo_bind`] was not called.
    pub fn accumulo_root_password(mut self, password: impl Into<String>) -> Self {
        self.accumulo
            .get_or_insert_with(|| AccumuloConfig::new(SocketAddr::from(([127, 0, 0, 1], 0))))
            .root_password = password.into();
        self
    }

    /// How long an idle Accumulo scanner or writer lives. Default 10
    /// minutes, as the proxy's.
    pub fn accumulo_idle_timeout(mut self, timeout: Duration) -> Self {
        self.accumulo
            .get_or_insert_with(|| AccumuloConfig::new(SocketAddr::from(([127, 0, 0, 1], 0))))
            .idle_timeout = timeout;
        self
    }

    /// Whether the HBase gateway is served. Default true; `false` serves
    /// only the Accumulo Proxy (starting fails when that is not enabled
    /// either).
    pub fn hbase(mut self, serve: bool) -> Self {
        self.hbase = serve;
        self
    }

    fn conn_config(&self) -> ConnConfig {
        ConnConfig {
            transport: self.transport,
            protocol: self.protocol,
            max_message_bytes: self.max_message_bytes,
            read_timeout: self.read_timeout,
            idle_timeout: self.limits.idle_timeout,
            max_reply_bytes: self.effective_limits().reply_bytes,
        }
    }

    /// The limits, with replies no larger than the largest message.
    fn effective_limits(&self) -> Limits {
        Limits {
            reply_bytes: self.limits.reply_bytes.min(self.max_message_bytes),
            ..self.limits
        }
    }

    /// Opens the store (the data directory, if any).
    fn open_store(&self) -> io::Result<Arc<dyn Store>> {
        Ok(match &self.data_dir {
            Some(dir) => Arc::new(DurableStore::open(dir, self.durable)?),
            None => Arc::new(MemStore::new()),
        })
    }

    /// Opens the store, binds the listener and builds the service.
    async fn prepare(&self) -> io::Result<Prepared> {
        let accumulo = match &self.accumulo {
            Some(config) => Some(self.prepare_accumulo(config).await?),
            None => None,
        };
        if !self.hbase {
            return match accumulo {
                Some(accumulo) => Ok((accumulo, None, None)),
                None => Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "nothing to serve: the HBase gateway is off and the Accumulo Proxy is not on",
                )),
            };
        }
        let (hbase, thrift2) = self.prepare_hbase().await?;
        Ok((hbase, accumulo, thrift2))
    }

    /// Binds the Accumulo Proxy's listener and builds its service.
    async fn prepare_accumulo(
        &self,
        config: &AccumuloConfig,
    ) -> io::Result<(TcpListener, Arc<Shared>)> {
        let listener = TcpListener::bind(config.bind).await?;
        let service: Arc<dyn Service> = Arc::new(crate::accumulo::AccumuloService::new(
            config.root_password.as_bytes(),
            config.idle_timeout,
        ));
        let shared = Arc::new(Shared {
            service,
            config: ConnConfig {
                transport: Transport::Framed,
                protocol: config.protocol,
                ..self.conn_config()
            },
            max_connections: self.limits.connections,
            refusing: AtomicUsize::new(0),
            reap_every: reap_interval(config.idle_timeout),
            http: false,
            connections: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            #[cfg(feature = "tls")]
            tls: None,
        });
        Ok((listener, shared))
    }

    /// Opens the store, binds the gateway's listener and builds its service.
    async fn prepare_hbase(&self) -> io::Result<Hbase> {
        #[cfg(feature = "tls")]
        let tls = self.tls.as_ref().map(tls::Identity::acceptor).transpose()?;
        // Replaying and compacting a data directory reads and syncs files:
        // not on an async worker.
        let opener = self.clone();
        let store = tokio::task::spawn_blocking(move || opener.open_store())
            .await
            .map_err(|_| io::Error::other("opening the store was cancelled"))??;
        let listener = TcpListener::bind(self.bind).await?;
        let addr = listener.local_addr()?;
        let shared_with = |service| {
            Arc::new(Shared {
                service,
                config: self.conn_config(),
                max_connections: self.limits.connections,
                refusing: AtomicUsize::new(0),
                reap_every: reap_interval(self.scanner_timeout),
                http: self.http,
                connections: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
                #[cfg(feature = "tls")]
                tls: tls.clone(),
            })
        };
        let thrift2 = match self.thrift2_bind {
            Some(bind) => {
                let listener = TcpListener::bind(bind).await?;
                let addr = listener.local_addr()?;
                let service: Arc<dyn Service> = Arc::new(service::Thrift2Gateway::new(
                    Arc::clone(&store),
                    self.scanner_timeout,
                    addr,
                ));
                Some((listener, shared_with(service)))
            }
            None => None,
        };
        let service = new_service(store, self.scanner_timeout, self.effective_limits(), addr);
        Ok(((listener, shared_with(service)), thrift2))
    }

    /// Starts listening on the current tokio runtime.
    ///
    /// The accept loop and the connections are tasks of that runtime. A
    /// blocking client in the same test must not run on that runtime's only
    /// thread: use [`EmulatorBuilder::start_blocking`] for blocking code.
    ///
    /// # Errors
    /// When the address cannot be bound.
    ///
    /// # Panics
    /// When called outside a tokio runtime.
    pub async fn start(self) -> io::Result<Emulator> {
        let ((listener, shared), accumulo, thrift2) = self.prepare().await?;
        let thrift2_addr = handle_of(&thrift2)?;
        let addr = listener.local_addr()?;
        let accumulo_addr = match &accumulo {
            Some((l, s)) => Some((l.local_addr()?, Arc::clone(s))),
            None if !self.hbase => Some((addr, Arc::clone(&shared))),
            None => None,
        };
        let (stop, stopped) = watch::channel(());
        let task = tokio::spawn(accept_loops(
            listener,
            Arc::clone(&shared),
            accumulo,
            thrift2,
            stopped,
        ));
        Ok(Emulator {
            addr,
            config: shared.config,
            shared,
            stop: Some(stop),
            runner: Runner::Task(Some(task)),
            accumulo: accumulo_addr,
            thrift2: thrift2_addr,
        })
    }

    /// Starts on a thread of its own with its own runtime, for blocking code.
    ///
    /// Works inside or outside a tokio runtime. Dropping the emulator stops
    /// the thread and waits for it.
    ///
    /// # Errors
    /// When the address cannot be bound or the thread cannot start.
    pub fn start_blocking(self) -> io::Result<Emulator> {
        let (ready, started) = mpsc::channel();
        let (finished_tx, finished) = mpsc::channel();
        let (stop, stopped) = watch::channel(());
        let (done_tx, done) = oneshot::channel();
        let alone = !self.hbase;
        let thread = thread::Builder::new()
            .name("hbase-emulator".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match self.prepare().await {
                        Ok(((listener, shared), accumulo, thrift2)) => {
                            let addrs = listener.local_addr().and_then(|a| {
                                let extra = match &accumulo {
                                    Some((l, s)) => Some((l.local_addr()?, Arc::clone(s))),
                                    None if alone => Some((a, Arc::clone(&shared))),
                                    None => None,
                                };
                                Ok((a, Arc::clone(&shared), extra, handle_of(&thrift2)?))
                            });
                            let _ = ready.send(addrs);
                            accept_loops(listener, shared, accumulo, thrift2, stopped).await;
                        }
                        Err(e) => {
                            let _ = ready.send(Err(e));
                        }
                    }
                });
                drop(runtime);
                let _ = done_tx.send(());
                let _ = finished_tx.send(());
            })?;
        let (addr, shared, accumulo, thrift2) = match started.recv() {
            Ok(Ok(started)) => started,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(io::Error::other(
                    "the emulator thread ended before starting",
                ));
            }
        };
        Ok(Emulator {
            addr,
            config: shared.config,
            shared,
            stop: Some(stop),
            accumulo,
            thrift2,
            runner: Runner::Thread {
                thread: Some(thread),
                done: Some(done),
                finished,
            },
        })
    }
}

impl Emulator {
    /// A builder with the defaults.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Starts with the defaults on a free loopback port.
    ///
    /// # Errors
    /// When no port can be bound.
    pub async fn start() -> io::Result<Emulator> {
        Self::builder().start().await
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The transport it speaks.
    pub fn transport(&self) -> Transport {
        self.config.transport
    }

    /// The protocol it speaks.
    pub fn protocol(&self) -> Protocol {
        self.config.protocol
    }

    /// Whether it speaks Thrift over HTTP ([`EmulatorBuilder::http`]).
    pub fn is_http(&self) -> bool {
        self.shared.http
    }

    /// Whether it speaks TLS ([`EmulatorBuilder::tls`]).
    ///
    /// # Examples
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let emulator = hbase_emulator::Emulator::start().await?;
    /// assert!(!emulator.is_tls());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_tls(&self) -> bool {
        #[cfg(feature = "tls")]
        return self.shared.tls.is_some();
        #[cfg(not(feature = "tls"))]
        return false;
    }

    /// How many scanners are open on the server (Thrift1 and, with
    /// [`EmulatorBuilder::thrift2_bind`], Thrift2).
    pub fn open_scanners(&self) -> usize {
        self.shared.service.open_scanners()
            + self
                .thrift2
                .as_ref()
                .map_or(0, |(_, shared)| shared.service.open_scanners())
    }

    /// How many client connections are open.
    pub fn connections(&self) -> usize {
        self.shared.connection_count()
            + self
                .thrift2
                .as_ref()
                .map_or(0, |(_, shared)| shared.connection_count())
    }

    /// The address of the Thrift2 gateway ([`EmulatorBuilder::thrift2_bind`]).
    pub fn thrift2_addr(&self) -> Option<SocketAddr> {
        self.thrift2.as_ref().map(|(addr, _)| *addr)
    }

    /// Closes every open client connection, as a gateway does with idle ones.
    ///
    /// The sockets are shut down before this returns: a client's next call
    /// on one of them fails. The listener keeps accepting new connections.
    pub fn disconnect_all(&self) {
        self.shared.disconnect_all();
        if let Some((_, accumulo)) = &self.accumulo {
            accumulo.disconnect_all();
        }
        if let Some((_, thrift2)) = &self.thrift2 {
            thrift2.disconnect_all();
        }
    }

    /// The address of the Accumulo Proxy served beside the gateway
    /// ([`EmulatorBuilder::accumulo_bind`]); when it is served alone, that
    /// of [`Emulator::addr`].
    pub fn accumulo_addr(&self) -> Option<SocketAddr> {
        self.accumulo.as_ref().map(|(addr, _)| *addr)
    }

    /// Stops accepting, closes connections and waits for the tasks to end.
    ///
    /// When it returns the port is closed.
    pub async fn shutdown(mut self) {
        self.stop.take();
        match &mut self.runner {
            Runner::Task(task) => {
                if let Some(task) = task.take() {
                    let _ = task.await;
                }
            }
            Runner::Thread { thread, done, .. } => {
                if let Some(done) = done.take() {
                    let _ = done.await;
                }
                if let Some(thread) = thread.take() {
                    let _ = thread.join();
                }
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if self.stop.take().is_none() {
            return;
        }
        self.disconnect_all();
        match &mut self.runner {
            // The task sees the stop at its runtime's next turn, or is
            // dropped with the runtime.
            Runner::Task(_) => {}
            Runner::Thread {
                thread, finished, ..
            } => {
                // The thread ends as soon as its tasks notice the stop; a
                // service call that never returns must not hang the caller.
                if finished.recv_timeout(DROP_WAIT).is_ok() {
                    if let Some(thread) = thread.take() {
                        let _ = thread.join();
                    }
                } else {
                    warn!("the emulator thread did not stop within {DROP_WAIT:?}; leaving it");
                }
            }
        }
    }
}

/// What the accept loop and the connection tasks share.
struct Shared {
    service: Arc<dyn Service>,
    config: ConnConfig,
    /// Most connections served at once.
    max_connections: usize,
    /// Connections past the cap being told so.
    refusing: AtomicUsize,
    reap_every: Duration,
    /// Whether connections speak Thrift over HTTP.
    http: bool,
    /// A duplicate handle of every open connection's socket, to shut it down
    /// from outside its task.
    connections: Mutex<HashMap<u64, std::net::TcpStream>>,
    next_id: AtomicU64,
    /// The TLS side of every connection, when TLS is on.
    #[cfg(feature = "tls")]
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl Shared {
    fn connection_count(&self) -> usize {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn disconnect_all(&self) {
        let all = std::mem::take(
            &mut *self
                .connections
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for socket in all.values() {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }

    /// Registers an accepted socket; the returned guard unregisters it.
    fn register(self: &Arc<Self>, stream: TcpStream) -> io::Result<(TcpStream, Registration)> {
        let stream = stream.into_std()?;
        let handle = stream.try_clone()?;
        let stream = TcpStream::from_std(stream)?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, handle);
        Ok((
            stream,
            Registration {
                shared: Arc::clone(self),
                id,
            },
        ))
    }
}

/// A connection's place in [`Shared::connections`], removed on drop.
struct Registration {
    shared: Arc<Shared>,
    id: u64,
}

impl Registration {
    /// Whether the connection is still registered (not disconnected by the
    /// server).
    fn is_registered(&self) -> bool {
        self.shared
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(&self.id)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.shared
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

/// How often expired scanners are looked for.
fn reap_interval(scanner_timeout: Duration) -> Duration {
    (scanner_timeout / 2).clamp(Duration::from_millis(10), Duration::from_secs(5))
}

/// Runs the main accept loop and, when served, the Accumulo Proxy's.
async fn accept_loops(
    listener: TcpListener,
    shared: Arc<Shared>,
    accumulo: Option<(TcpListener, Arc<Shared>)>,
    thrift2: Option<(TcpListener, Arc<Shared>)>,
    stopped: watch::Receiver<()>,
) {
    let extra = |listener: Option<(TcpListener, Arc<Shared>)>| {
        let stopped = stopped.clone();
        async move {
            if let Some((l, s)) = listener {
                accept_loop(l, s, stopped).await;
            }
        }
    };
    tokio::join!(
        accept_loop(listener, shared, stopped.clone()),
        extra(accumulo),
        extra(thrift2)
    );
}

/// Accepts connections until `stopped` fires, then closes them all.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<()>) {
    let mut connections = JoinSet::new();
    let mut reap = tokio::time::interval(shared.reap_every);
    reap.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) if shared.connection_count() >= shared.max_connections => {
                    refuse(&shared, &mut connections, stream, peer);
                }
                Ok((stream, peer)) => match shared.register(stream) {
                    Ok((stream, registration)) => {
                        let _ = stream.set_nodelay(true);
                        connections.spawn(serve(stream, peer, registration));
                    }
                    Err(e) => warn!(%peer, "dropping a connection that could not be set up: {e}"),
                },
                Err(e) => {
                    // Out of file descriptors and the like: wait a little
                    // rather than spin.
                    warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = reap.tick() => shared.service.reap_expired_scanners(),
        }
    }
    drop(listener);
    shared.disconnect_all();
    connections.shutdown().await;
}

/// Most connections past the cap told so at once; further ones are closed
/// at once.
const MAX_REFUSING: usize = 64;

/// How long a connection past the cap is answered before it is closed.
const REFUSAL_WINDOW: Duration = Duration::from_secs(5);

/// Tells a connection past the cap why it is refused: its calls are
/// answered with an error for a few seconds, then it is closed.
fn refuse(shared: &Arc<Shared>, tasks: &mut JoinSet<()>, stream: TcpStream, peer: SocketAddr) {
    let cap = shared.max_connections;
    let why = format!(
        "too many connections to this emulator ({cap}, --max-connections); close idle \
         connections or raise the limit"
    );
    warn!(%peer, "refusing a connection: {why}");
    if shared.refusing.fetch_add(1, Ordering::AcqRel) >= MAX_REFUSING {
        shared.refusing.fetch_sub(1, Ordering::AcqRel);
        return;
    }
    let shared = Arc::clone(shared);
    tasks.spawn(async move {
        let refusing = Arc::clone(&shared);
        let refusing = &refusing.refusing;
        let service: Arc<dyn Service> = Arc::new(service::Refusal::new(why));
        let config = ConnConfig {
            idle_timeout: Some(REFUSAL_WINDOW),
            read_timeout: shared.config.read_timeout.min(REFUSAL_WINDOW),
            ..shared.config
        };
        let answered = async move {
            let mut connection = Connection::new(config, ConnectionId(u64::MAX));
            #[cfg(feature = "tls")]
            if let Some(acceptor) = &shared.tls {
                if let Ok(stream) = acceptor.accept(stream).await {
                    let _ = connection.run(&mut tls::Stream(stream), &service).await;
                }
                return;
            }
            let mut stream = stream;
            let _ = connection.run(&mut stream, &service).await;
        };
        let _ = tokio::time::timeout(REFUSAL_WINDOW, answered).await;
        refusing.fetch_sub(1, Ordering::AcqRel);
    });
}

/// Serves one connection (after its TLS handshake, when TLS is on) and logs
/// why it ended.
async fn serve(mut stream: TcpStream, peer: SocketAddr, registration: Registration) {
    let shared = Arc::clone(&registration.shared);
    debug!(%peer, "connection opened");
    #[cfg(feature = "tls")]
    let outcome = match &shared.tls {
        Some(acceptor) => {
            let timeout = shared.config.read_timeout;
            let mut stream = match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => tls::Stream(stream),
                Ok(Err(_)) | Err(_) if !registration.is_registered() => {
                    debug!(%peer, "connection closed by disconnect_all");
                    return;
                }
                Ok(Err(e)) => {
                    warn!(%peer, "closing the connection: TLS handshake failed: {e}{}", tls::hint(&e));
                    return;
                }
                Err(_) => {
                    warn!(%peer, "closing the connection: TLS handshake did not complete within {timeout:?}");
                    return;
                }
            };
            if shared.http {
                return finish_http(
                    http::serve(stream, shared.config, Arc::clone(&shared.service)).await,
                    peer,
                    &registration,
                );
            }
            Connection::new(shared.config, ConnectionId(registration.id))
                .run(&mut stream, &shared.service)
                .await
        }
        None => {
            if shared.http {
                return finish_http(
                    http::serve(stream, shared.config, Arc::clone(&shared.service)).await,
                    peer,
                    &registration,
                );
            }
            Connection::new(shared.config, ConnectionId(registration.id))
                .run(&mut stream, &shared.service)
                .await
        }
    };
    #[cfg(not(feature = "tls"))]
    let outcome = if shared.http {
        return finish_http(
            http::serve(stream, shared.config, Arc::clone(&shared.service)).await,
            peer,
            &registration,
        );
    } else {
        Connection::new(shared.config, ConnectionId(registration.id))
            .run(&mut stream, &shared.service)
            .await
    };
    match outcome {
        Ok(()) => debug!(%peer, "connection closed by the client"),
        Err(_) if !registration.is_registered() => {
            debug!(%peer, "connection closed by disconnect_all")
        }
        Err(e) => warn!(%peer, "closing the connection: {e}"),
    }
}

/// Logs why an HTTP connection ended.
fn finish_http(outcome: Result<(), hyper::Error>, peer: SocketAddr, registration: &Registration) {
    match outcome {
        Ok(()) => debug!(%peer, "HTTP connection closed"),
        Err(_) if !registration.is_registered() => {
            debug!(%peer, "connection closed by disconnect_all")
        }
        Err(e) => warn!(%peer, "closing the HTTP connection: {}", http::describe(&e)),
    }
}

/// The service answering calls: the Hbase handler.
fn new_service(
    store: Arc<dyn Store>,
    scanner_timeout: Duration,
    limits: Limits,
    addr: SocketAddr,
) -> Arc<dyn Service> {
    Arc::new(service::Gateway::new(store, scanner_timeout, limits, addr))
}
