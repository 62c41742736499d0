//! The network side: listener, connections, transports.
//!
//! (being written; the public API below is the agreed shape)

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hbase_orm_idl::wire::{Protocol, Transport};

/// A running emulator. Dropping it shuts it down.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
}

/// Configures and starts an [`Emulator`].
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    bind: SocketAddr,
    transport: Transport,
    protocol: Protocol,
    max_message_bytes: usize,
    scanner_timeout: Duration,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            transport: Transport::Buffered,
            protocol: Protocol::Binary,
            max_message_bytes: hbase_orm_idl::wire::DEFAULT_MAX_MESSAGE_BYTES,
            scanner_timeout: Duration::from_secs(120),
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
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }
    /// Protocol to speak. Default binary.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }
    /// Largest message accepted. Default 64 MiB.
    pub fn max_message_bytes(mut self, n: usize) -> Self {
        self.max_message_bytes = n;
        self
    }
    /// How long an idle scanner lives. Default 120 s.
    pub fn scanner_timeout(mut self, timeout: Duration) -> Self {
        self.scanner_timeout = timeout;
        self
    }
    /// Starts listening on the current tokio runtime.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(self) -> io::Result<Emulator> {
        let _ = (self.transport, self.protocol, self.max_message_bytes, self.scanner_timeout);
        Err(io::Error::other("not written yet"))
    }
    /// Starts on a thread of its own with its own runtime, for blocking code.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub fn start_blocking(self) -> io::Result<Emulator> {
        Err(io::Error::other("not written yet"))
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
    /// How many scanners are open on the server.
    pub fn open_scanners(&self) -> usize {
        0
    }
    /// Closes every open client connection, as a gateway does with idle ones.
    pub fn disconnect_all(&self) {}
    /// Stops accepting, closes connections and waits for the tasks to end.
    pub async fn shutdown(self) {}
}
