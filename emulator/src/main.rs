//! The `hbase-emulator` binary: an emulated HBase Thrift1 gateway on a TCP
//! port (and, with `--thrift2-bind`, the Thrift2 gateway on another), for
//! clients in any language.
//!
//! Prints `hbase-emulator listening on ADDR (TRANSPORT, PROTOCOL)` (with
//! `, TLS` after the protocol under `--tls-cert`) on standard output once it
//! accepts connections, logs to standard error (`RUST_LOG`,
//! default `info`), and exits with code 0 on SIGINT or SIGTERM.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hbase_emulator::{Emulator, FsyncPolicy, Protocol, Transport};
use tracing_subscriber::EnvFilter;

/// An emulator of the HBase Thrift1 gateway (service `Hbase`), in memory or
/// durable in a data directory.
///
/// Unmodified HBase Thrift1 clients (happybase, the hbase-orm client, ...)
/// work against it. Once listening it prints one line, `hbase-emulator
/// listening on ADDR (TRANSPORT, PROTOCOL)`, on standard output. Logs go to
/// standard error; set RUST_LOG (e.g. `RUST_LOG=debug`) to see more. SIGINT
/// or SIGTERM stops it with exit code 0. Without --data-dir all data is lost
/// when it stops.
#[derive(Debug, Parser)]
#[command(name = "hbase-emulator", version)]
struct Args {
    /// Address to listen on. Port 0 picks a free port (read it from the
    /// listening line). Use 0.0.0.0:9090 to accept connections from other
    /// hosts. Default 127.0.0.1:9090, unless --accumulo-bind is given
    /// without --bind: then only the Accumulo Proxy is served.
    #[arg(long, value_name = "ADDR")]
    bind: Option<SocketAddr>,

    /// Also serve the Accumulo Proxy (service AccumuloProxy, the 1.x proxy
    /// of Accumulo 1.9/1.10) on ADDR, with the framed transport; alone when
    /// --bind is not given. Its data lives in memory (also with
    /// --data-dir). It prints its own listening line.
    #[arg(long, value_name = "ADDR")]
    accumulo_bind: Option<SocketAddr>,

    /// Protocol of the Accumulo Proxy: `compact` (the proxy's default) or
    /// `binary`.
    #[arg(long, default_value = "compact", value_name = "compact|binary")]
    accumulo_protocol: Protocol,

    /// Password of the Accumulo Proxy's `root` user.
    #[arg(long, default_value = "secret", value_name = "PASSWORD")]
    accumulo_root_password: String,

    /// Also serve the Thrift2 gateway (service THBaseService, as HBase's
    /// thrift2.ThriftServer) on ADDR, over the same tables and with the same
    /// transport, protocol and TLS. Once listening it prints a second line,
    /// `hbase-emulator thrift2 listening on ADDR (...)`.
    #[arg(long, value_name = "ADDR")]
    thrift2_bind: Option<SocketAddr>,

    /// Transport: `buffered` (messages back to back, the gateway's default),
    /// `framed` (each message prefixed with its 4-byte length, as a gateway
    /// started with -hsha, -nonblocking, -threadedselector or -f) or `http`
    /// (each call an HTTP POST of one binary-protocol message, as a gateway
    /// with hbase.regionserver.thrift.http=true; HTTPS with --tls-cert).
    #[arg(long, default_value = "buffered", value_name = "buffered|framed|http")]
    transport: ListenTransport,

    /// Protocol: `binary` (the gateway's default) or `compact` (as a gateway
    /// started with -c).
    #[arg(long, default_value = "binary", value_name = "binary|compact")]
    protocol: Protocol,

    /// Largest message accepted, in bytes. A client declaring a longer
    /// message, frame, string or container is disconnected before anything
    /// is buffered for it.
    #[arg(long, default_value_t = hbase_emulator::DEFAULT_MAX_MESSAGE_BYTES, value_name = "N")]
    max_message_bytes: usize,

    /// Seconds an idle scanner lives before it is dropped (a call on it then
    /// fails with "scanner ID is invalid").
    #[arg(long, default_value_t = 120, value_name = "N")]
    scanner_timeout_secs: u64,

    /// Most client connections served at once. A connection past the cap
    /// has its calls answered with an error naming this flag for a few
    /// seconds, then is closed.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_connections: usize,

    /// Seconds a connection may sit idle between two messages before it is
    /// closed (clients that pool connections reconnect). 0 keeps idle
    /// connections open for ever.
    #[arg(long, default_value_t = 600, value_name = "N")]
    idle_timeout_secs: u64,

    /// Largest reply sent, in bytes (never more than --max-message-bytes).
    /// A scanner page stops early at a quarter of it (1 MiB at most); any
    /// other call whose reply would be larger gets an error naming this
    /// flag instead.
    #[arg(long, default_value_t = hbase_emulator::DEFAULT_MAX_MESSAGE_BYTES, value_name = "BYTES")]
    max_reply_bytes: usize,

    /// Most scanners open on the server at once; opening one more fails
    /// with an IOError naming this flag until scanners are closed or
    /// expire.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    max_scanners: usize,

    /// Most scanners one connection may hold open at once; one more fails
    /// on that connection with an IOError naming this flag.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_scanners_per_connection: usize,

    /// Most memory, in bytes, the compiled filter of one scanner may hold:
    /// each `regexstring:` comparator is charged its compiled size plus the
    /// caches it may grow while matching. A filter needing more is refused
    /// (an error naming this flag) while it is parsed.
    #[arg(long, default_value_t = 32 << 20, value_name = "BYTES")]
    max_filter_bytes: usize,

    /// Most memory, in bytes, the compiled filters of one connection's open
    /// scanners may hold together; a scanner whose filter does not fit is
    /// refused with an error naming this flag.
    #[arg(long, default_value_t = 128 << 20, value_name = "BYTES")]
    max_filter_bytes_per_connection: usize,

    /// Seconds a partially received message may wait for its next bytes
    /// before the connection is closed. Connections idle between messages
    /// stay open (see --idle-timeout-secs).
    #[arg(long, default_value_t = 60, value_name = "N")]
    read_timeout_secs: u64,

    /// Keep the data in DIR (created if missing), so it survives a restart,
    /// a crash or kill -9: every change is appended to a checksummed
    /// write-ahead log there before it is acknowledged, the log is compacted
    /// into snapshots as it grows, and a restart replays it (a torn last
    /// record is cut off with a warning; other damage stops the start with
    /// the file and offset). One emulator at a time may use a directory.
    /// Without it, data lives in memory only.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// With --data-dir, when the log is synced to disk. `always`: before
    /// each change is acknowledged (concurrent changes share a sync), so
    /// acknowledged changes survive a power loss. `grouped:MS`: in the
    /// background at least every MS milliseconds; acknowledged changes
    /// still survive the emulator being killed, but a power loss may take
    /// those of the last MS milliseconds.
    #[arg(long, default_value = "always", value_name = "always|grouped:MS")]
    fsync: FsyncPolicy,

    /// With --data-dir, the log size in bytes that triggers writing a
    /// snapshot and starting a new log.
    #[arg(long, default_value_t = 64 << 20, value_name = "BYTES")]
    wal_compaction_bytes: u64,

    /// Speak TLS, presenting the certificate chain in FILE (PEM: the
    /// server's certificate first, then any intermediates). Needs --tls-key.
    /// Clients then connect with TLS (hbase-orm: ConnectionBuilder::tls);
    /// a client that does not is disconnected with one log line.
    #[cfg(feature = "tls")]
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert, in FILE (PEM: PKCS#8, PKCS#1 or
    /// SEC1).
    #[cfg(feature = "tls")]
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

/// What `--transport` accepts: a socket transport, or HTTP.
#[derive(Debug, Clone, Copy)]
enum ListenTransport {
    Socket(Transport),
    Http,
}

impl std::str::FromStr for ListenTransport {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("http") {
            return Ok(ListenTransport::Http);
        }
        s.parse::<Transport>()
            .map(ListenTransport::Socket)
            .map_err(|_| format!("unknown transport `{s}` (expected buffered, framed or http)"))
    }
}

impl std::fmt::Display for ListenTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListenTransport::Socket(t) => t.fmt(f),
            ListenTransport::Http => f.write_str("http"),
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("hbase-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    // Listen for the signals before announcing the address: a script may
    // send one as soon as it has read the listening line.
    let stop = match StopSignal::listen() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("hbase-emulator: cannot listen for signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut builder = Emulator::builder()
        .fsync_policy(args.fsync)
        .wal_compaction_bytes(args.wal_compaction_bytes);
    if let Some(dir) = &args.data_dir {
        builder = builder.data_dir(dir);
    }
    #[cfg(feature = "tls")]
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        let read = |flag: &str, path: &PathBuf| {
            std::fs::read(path).map_err(|e| {
                eprintln!("hbase-emulator: cannot read {flag} {}: {e}", path.display());
            })
        };
        let (Ok(cert), Ok(key)) = (read("--tls-cert", cert), read("--tls-key", key)) else {
            return ExitCode::FAILURE;
        };
        builder = builder.tls(cert, key);
    }
    let serve_hbase = args.bind.is_some() || args.accumulo_bind.is_none();
    let bind = args
        .bind
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 9090)));
    if let Some(addr) = args.accumulo_bind {
        builder = builder
            .accumulo_bind(addr)
            .accumulo_protocol(args.accumulo_protocol)
            .accumulo_root_password(args.accumulo_root_password.clone());
    }
    match args.transport {
        ListenTransport::Socket(transport) => builder = builder.transport(transport),
        ListenTransport::Http if args.protocol != Protocol::Binary => {
            eprintln!(
                "hbase-emulator: --transport http always speaks the binary protocol (as the gateway's HTTP mode); drop --protocol {}",
                args.protocol
            );
            return ExitCode::FAILURE;
        }
        ListenTransport::Http => builder = builder.http(),
    }
    if let Some(addr) = args.thrift2_bind {
        builder = builder.thrift2_bind(addr);
    }
    let started = builder
        .hbase(serve_hbase)
        .bind(bind)
        .protocol(args.protocol)
        .max_message_bytes(args.max_message_bytes)
        .scanner_timeout(Duration::from_secs(args.scanner_timeout_secs))
        .max_connections(args.max_connections)
        .idle_timeout(
            (args.idle_timeout_secs > 0).then(|| Duration::from_secs(args.idle_timeout_secs)),
        )
        .max_reply_bytes(args.max_reply_bytes)
        .max_scanners(args.max_scanners)
        .max_scanners_per_connection(args.max_scanners_per_connection)
        .max_filter_bytes(args.max_filter_bytes)
        .max_filter_bytes_per_connection(args.max_filter_bytes_per_connection)
        .read_timeout(Duration::from_secs(args.read_timeout_secs))
        .start()
        .await;
    let emulator = match started {
        Ok(emulator) => emulator,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("hbase-emulator: cannot start: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            match &args.data_dir {
                Some(dir) => eprintln!(
                    "hbase-emulator: cannot listen on {} with data directory {}: {e}",
                    bind,
                    dir.display()
                ),
                None => eprintln!("hbase-emulator: cannot listen on {bind}: {e}"),
            }
            return ExitCode::FAILURE;
        }
    };
    let settings = format!(
        "({}, {}{})",
        args.transport,
        args.protocol,
        if emulator.is_tls() { ", TLS" } else { "" }
    );
    if serve_hbase {
        println!("hbase-emulator listening on {} {settings}", emulator.addr());
    }
    if let Some(addr) = emulator.accumulo_addr() {
        println!(
            "hbase-emulator listening on {addr} (framed, {}, Accumulo Proxy)",
            args.accumulo_protocol
        );
    }
    if let Some(addr) = emulator.thrift2_addr() {
        println!("hbase-emulator thrift2 listening on {addr} {settings}");
    }
    stop.wait().await;
    tracing::info!("stopping");
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

/// SIGINT and SIGTERM (Ctrl-C elsewhere), listened for from creation on.
#[cfg(unix)]
struct StopSignal {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl StopSignal {
    fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(StopSignal {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
        }
    }
}

/// Ctrl-C, listened for from creation on.
#[cfg(not(unix))]
struct StopSignal(tokio::signal::windows::CtrlC);

#[cfg(not(unix))]
impl StopSignal {
    fn listen() -> std::io::Result<Self> {
        Ok(StopSignal(tokio::signal::windows::ctrl_c()?))
    }

    async fn wait(mut self) {
        self.0.recv().await;
    }
}
