//! Shared helpers of the integration tests.
//!
//! - [`Combo`] and [`COMBOS`]: the four transport × protocol combinations a
//!   gateway can speak.
//! - [`start`] / [`start_blocking`] / [`builder`]: an in-process emulator
//!   speaking one combination on a free loopback port.
//! - [`client`]: the generated synchronous client ([`SyncClient`]) over a
//!   `std` socket, speaking one combination; [`client_over`] and
//!   [`thrift2_client`] over any [`Wire`] (a socket, or Thrift over HTTP:
//!   [`http`]).
//! - [`RawConn`] and [`call_bytes`]: a raw socket for feeding the server exact
//!   (or wrong) bytes and reading back whole replies or the close.
//!
//! - [`target`]: whether the suites run on the emulator or on a real gateway
//!   named by the environment (`HBASE_THRIFT_ADDR` and friends).
//!
//! The synchronous client blocks the thread it runs on: use it from plain
//! `#[test]`s against [`start_blocking`], or from
//! `#[tokio::test(flavor = "multi_thread")]` inside `spawn_blocking`.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

pub mod accumulo;
pub mod fault_proxy;
pub mod http;
pub mod target;

pub use hbase_emulator::{Emulator, EmulatorBuilder, Protocol, Transport};
pub use hbase_orm_idl::{hbase, hbase2, thrift, wire};

use hbase_orm_idl::hbase::{ColumnDescriptor, HbaseSyncClient};
use hbase_orm_idl::hbase2::THBaseServiceSyncClient;
use thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TCompactInputProtocol, TCompactOutputProtocol,
    TInputProtocol, TOutputProtocol,
};
use thrift::transport::{
    TBufferedReadTransport, TBufferedWriteTransport, TFramedReadTransport, TFramedWriteTransport,
    TIoChannel, TTcpChannel,
};

/// How long a test socket waits for a reply before giving up, so a broken
/// server fails a test instead of hanging it.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// One transport × protocol combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Combo {
    /// How messages are delimited.
    pub transport: Transport,
    /// How values are encoded.
    pub protocol: Protocol,
}

impl Combo {
    /// The gateway's default: buffered transport, binary protocol.
    pub const DEFAULT: Combo = Combo {
        transport: Transport::Buffered,
        protocol: Protocol::Binary,
    };
}

impl fmt::Display for Combo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.transport, self.protocol)
    }
}

/// The four combinations, the gateway's default first.
pub const COMBOS: [Combo; 4] = [
    Combo::DEFAULT,
    Combo {
        transport: Transport::Buffered,
        protocol: Protocol::Compact,
    },
    Combo {
        transport: Transport::Framed,
        protocol: Protocol::Binary,
    },
    Combo {
        transport: Transport::Framed,
        protocol: Protocol::Compact,
    },
];

/// A builder for an emulator speaking `combo` on a free loopback port.
pub fn builder(combo: Combo) -> EmulatorBuilder {
    Emulator::builder()
        .transport(combo.transport)
        .protocol(combo.protocol)
}

/// Starts an emulator speaking `combo` on the current tokio runtime.
///
/// # Panics
/// When it cannot start.
pub async fn start(combo: Combo) -> Emulator {
    builder(combo)
        .start()
        .await
        .unwrap_or_else(|e| panic!("emulator ({combo}) did not start: {e}"))
}

/// Starts an emulator speaking `combo` on a thread of its own, for blocking
/// tests.
///
/// # Panics
/// When it cannot start.
pub fn start_blocking(combo: Combo) -> Emulator {
    builder(combo)
        .start_blocking()
        .unwrap_or_else(|e| panic!("emulator ({combo}) did not start: {e}"))
}

/// The generated synchronous client, over any transport and protocol.
pub type SyncClient =
    HbaseSyncClient<Box<dyn TInputProtocol + Send>, Box<dyn TOutputProtocol + Send>>;

/// How a test client reaches a Thrift gateway: a socket speaking one
/// transport × protocol combination, or Thrift over HTTP (always the binary
/// protocol, as the gateway's HTTP mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wire {
    /// A TCP socket speaking the combination.
    Socket(Combo),
    /// One HTTP POST per call ([`http`]).
    Http,
}

impl fmt::Display for Wire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wire::Socket(combo) => combo.fmt(f),
            Wire::Http => f.write_str("http/binary"),
        }
    }
}

/// The protocols of the generated clients, boxed.
pub type Protocols = (
    Box<dyn TInputProtocol + Send>,
    Box<dyn TOutputProtocol + Send>,
);

/// The input and output protocols of a generated client talking to `addr`
/// over `wire`. Socket reads and writes time out after [`IO_TIMEOUT`]; so
/// does an HTTP call.
///
/// # Panics
/// When a socket cannot connect (an HTTP channel connects at its first
/// call).
pub fn protocols(addr: SocketAddr, wire: Wire) -> Protocols {
    let combo = match wire {
        Wire::Socket(combo) => combo,
        Wire::Http => {
            let (read, write) = http::halves(addr);
            return (
                Box::new(TBinaryInputProtocol::new(read, true)),
                Box::new(TBinaryOutputProtocol::new(write, true)),
            );
        }
    };
    let stream =
        TcpStream::connect(addr).unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"));
    stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
    stream.set_nodelay(true).expect("nodelay");
    let (read, write) = TTcpChannel::with_stream(stream)
        .split()
        .expect("split a tcp channel");
    let (read, write): (Box<dyn Read + Send>, Box<dyn Write + Send>) = match combo.transport {
        Transport::Buffered => (
            Box::new(TBufferedReadTransport::new(read)),
            Box::new(TBufferedWriteTransport::new(write)),
        ),
        Transport::Framed => (
            Box::new(TFramedReadTransport::new(read)),
            Box::new(TFramedWriteTransport::new(write)),
        ),
    };
    match combo.protocol {
        Protocol::Binary => (
            Box::new(TBinaryInputProtocol::new(read, true)),
            Box::new(TBinaryOutputProtocol::new(write, true)),
        ),
        Protocol::Compact => (
            Box::new(TCompactInputProtocol::new(read)),
            Box::new(TCompactOutputProtocol::new(write)),
        ),
    }
}

/// Connects the generated synchronous client to `addr`, speaking `combo`.
///
/// Reads and writes time out after [`IO_TIMEOUT`].
///
/// # Panics
/// When it cannot connect.
pub fn client(addr: SocketAddr, combo: Combo) -> SyncClient {
    client_over(addr, Wire::Socket(combo))
}

/// The generated synchronous Thrift1 client talking to `addr` over `wire`.
///
/// # Panics
/// As [`protocols`].
pub fn client_over(addr: SocketAddr, wire: Wire) -> SyncClient {
    let (input, output) = protocols(addr, wire);
    HbaseSyncClient::new(input, output)
}

/// The generated synchronous Thrift2 (`THBaseService`) client.
pub type Thrift2Client =
    THBaseServiceSyncClient<Box<dyn TInputProtocol + Send>, Box<dyn TOutputProtocol + Send>>;

/// The generated synchronous Thrift2 client talking to `addr` over `wire`.
///
/// # Panics
/// As [`protocols`].
pub fn thrift2_client(addr: SocketAddr, wire: Wire) -> Thrift2Client {
    let (input, output) = protocols(addr, wire);
    THBaseServiceSyncClient::new(input, output)
}

/// A column family descriptor with the IDL's defaults and `name` (`"cf"` or
/// `"cf:"`).
pub fn family(name: &str) -> ColumnDescriptor {
    ColumnDescriptor {
        name: Some(name.as_bytes().to_vec()),
        max_versions: Some(3),
        compression: Some("NONE".to_owned()),
        in_memory: Some(false),
        bloom_filter_type: Some("NONE".to_owned()),
        bloom_filter_vector_size: Some(0),
        bloom_filter_nb_hashes: Some(0),
        block_cache_enabled: Some(false),
        time_to_live: Some(-1),
    }
}

/// Encodes one call of `method` with sequence id `seq` as `combo` puts it on
/// the wire (with the frame header when framed).
///
/// ```
/// use hbase_orm_tests::{call_bytes, hbase::HbaseGetTableNamesArgs, Combo};
/// let bytes = call_bytes(Combo::DEFAULT, "getTableNames", 1, |o| {
///     HbaseGetTableNamesArgs {}.write_to_out_protocol(o)
/// });
/// assert_eq!(&bytes[..2], &[0x80, 0x01]);
/// ```
///
/// # Panics
/// When `args` fails.
pub fn call_bytes(
    combo: Combo,
    method: &str,
    seq: i32,
    args: impl FnOnce(&mut dyn TOutputProtocol) -> thrift::Result<()>,
) -> Vec<u8> {
    let mut out = Vec::new();
    wire::encode_call(combo.protocol, combo.transport, method, seq, &mut out, args)
        .expect("encode a call");
    out
}

/// A `getTableNames` call as `combo` puts it on the wire.
pub fn get_table_names_call(combo: Combo, seq: i32) -> Vec<u8> {
    call_bytes(combo, "getTableNames", seq, |o| {
        hbase::HbaseGetTableNamesArgs {}.write_to_out_protocol(o)
    })
}

/// How a raw connection ended when we waited for the server to close it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The server closed it (end of stream or connection reset).
    ByServer,
    /// Nothing happened within [`IO_TIMEOUT`].
    StillOpen,
}

/// A raw client socket, for sending exact bytes and reading whole replies.
#[derive(Debug)]
pub struct RawConn {
    stream: TcpStream,
    /// Bytes read past the last reply.
    pending: Vec<u8>,
}

impl RawConn {
    /// Connects to `addr`; reads time out after [`IO_TIMEOUT`].
    ///
    /// # Panics
    /// When it cannot connect.
    pub fn connect(addr: SocketAddr) -> RawConn {
        let stream =
            TcpStream::connect(addr).unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"));
        stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
        stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
        stream.set_nodelay(true).expect("nodelay");
        RawConn {
            stream,
            pending: Vec::new(),
        }
    }

    /// Sends `bytes` as they are.
    ///
    /// # Errors
    /// When the socket fails (the server may have closed it).
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// Closes our sending side, as a client that stops writing.
    pub fn close_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Reads one whole reply message of `combo` and returns its bytes (without
    /// the frame header when framed).
    ///
    /// # Errors
    /// When the socket fails or closes before a whole message arrived, or the
    /// bytes are not a message.
    pub fn read_reply(&mut self, combo: Combo) -> io::Result<Vec<u8>> {
        let invalid = |e: wire::WireError| io::Error::new(io::ErrorKind::InvalidData, e);
        match combo.transport {
            Transport::Framed => {
                self.fill(4)?;
                let header = [
                    self.pending[0],
                    self.pending[1],
                    self.pending[2],
                    self.pending[3],
                ];
                let len =
                    wire::frame_len(header, wire::DEFAULT_MAX_MESSAGE_BYTES).map_err(invalid)?;
                self.fill(4 + len)?;
                let frame = self.pending[4..4 + len].to_vec();
                self.pending.drain(..4 + len);
                Ok(frame)
            }
            Transport::Buffered => {
                let mut scanner =
                    wire::MessageScanner::new(combo.protocol, wire::DEFAULT_MAX_MESSAGE_BYTES);
                loop {
                    if let Some(len) = scanner.scan(&self.pending).map_err(invalid)? {
                        let message = self.pending[..len].to_vec();
                        self.pending.drain(..len);
                        return Ok(message);
                    }
                    self.read_more()?;
                }
            }
        }
    }

    /// Reads until at least `n` bytes are pending.
    fn fill(&mut self, n: usize) -> io::Result<()> {
        while self.pending.len() < n {
            self.read_more()?;
        }
        Ok(())
    }

    /// Appends what one read returns to the pending bytes.
    fn read_more(&mut self) -> io::Result<()> {
        let mut chunk = [0; 8192];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.pending.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Sends `request` and reads one reply of `combo`.
    ///
    /// # Errors
    /// As [`RawConn::send`] and [`RawConn::read_reply`].
    pub fn call(&mut self, combo: Combo, request: &[u8]) -> io::Result<Vec<u8>> {
        self.send(request)?;
        self.read_reply(combo)
    }

    /// Waits for the server to close the connection, discarding anything it
    /// sends first.
    pub fn wait_closed(&mut self) -> Closed {
        let mut chunk = [0; 4096];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Closed::ByServer,
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Closed::StillOpen
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return Closed::ByServer,
            }
        }
    }

    /// Sets how long reads wait (default [`IO_TIMEOUT`]).
    pub fn set_read_timeout(&self, timeout: Duration) {
        self.stream
            .set_read_timeout(Some(timeout))
            .expect("set a read timeout");
    }
}

/// Decodes a reply message held in `bytes` (no frame header) with `body`,
/// which reads the result struct.
///
/// # Errors
/// When the message is an exception (as `thrift::Error::Application`) or
/// cannot be read.
pub fn decode_reply<T>(
    protocol: Protocol,
    bytes: &[u8],
    body: impl FnOnce(&mut dyn TInputProtocol) -> thrift::Result<T>,
) -> thrift::Result<T> {
    wire::decode(protocol, bytes, |ident, input| {
        if ident.message_type == thrift::protocol::TMessageType::Exception {
            let e = thrift::Error::read_application_error_from_in_protocol(input)?;
            return Err(thrift::Error::Application(e));
        }
        body(input)
    })
}

/// Checks that a fresh connection to `addr` is served: a `getTableNames`
/// round trip with the generated client succeeds.
///
/// # Panics
/// When it is not.
pub fn assert_serves(addr: SocketAddr, combo: Combo) {
    use hbase::THbaseSyncClient;
    let mut c = client(addr, combo);
    if let Err(e) = c.get_table_names() {
        panic!("a fresh {combo} connection to {addr} is not served: {e}");
    }
}
