//! One client connection: find whole messages, answer them in order.
//!
//! Bytes are read into one growing buffer. On the buffered transport a
//! [`MessageScanner`] walks the buffer as it grows (resuming where it stopped,
//! so a message arriving in many reads is walked once); on the framed
//! transport the 4-byte length says where the frame ends, and the frame's
//! content is walked once it is complete, so garbage inside a frame is caught
//! the same way. Every declared length is checked against the limit before
//! anything is reserved for it.
//!
//! Each whole message is decoded straight from the buffer, handed to the
//! service, and its reply written from one reusable output buffer.

use std::fmt;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, BytesMut};
use hbase_orm_idl::thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TCompactInputProtocol, TCompactOutputProtocol,
    TInputProtocol, TMessageIdentifier, TMessageType, TOutputProtocol,
};
use hbase_orm_idl::thrift::{self, TConfiguration};
use hbase_orm_idl::wire::{self, MessageScanner, Protocol, Transport, WireError};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tracing::warn;

use super::lane::{self, Lane};
use super::service::Service;
use crate::limits::ConnectionId;

/// Read buffer size a connection starts with, and the least free space
/// offered to one read.
const READ_CHUNK: usize = 16 * 1024;

/// Buffers grown past this by a large message are given back once it has
/// been answered.
const SHRINK_ABOVE: usize = 1024 * 1024;

/// Deepest nesting the readers accept (the scanner refuses deeper first).
const MAX_DEPTH: usize = 64;

/// What a connection needs to know about the server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnConfig {
    /// How messages are delimited.
    pub(crate) transport: Transport,
    /// How values are encoded.
    pub(crate) protocol: Protocol,
    /// Largest message accepted.
    pub(crate) max_message_bytes: usize,
    /// How long a partially received message may wait for more bytes, and
    /// a reply for the client to take it.
    pub(crate) read_timeout: Duration,
    /// How long the connection may sit idle between two messages; `None`
    /// for ever.
    pub(crate) idle_timeout: Option<Duration>,
    /// Largest reply sent (frame header not counted); a larger one is
    /// replaced by an error for the client.
    pub(crate) max_reply_bytes: usize,
}

/// Why a connection was closed by the server.
#[derive(Debug)]
pub(crate) enum ConnError {
    /// The bytes are not a message of the configured transport and protocol.
    Wire(WireError),
    /// The client closed its side in the middle of a message.
    ClosedMidMessage {
        /// Bytes of the incomplete message received.
        received: usize,
        /// What those bytes look like, when they look like something else.
        hint: Option<&'static str>,
    },
    /// A partially received message got no more bytes for too long.
    Stalled {
        /// Bytes of the incomplete message received.
        received: usize,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// The client did not take a reply for too long (it sends without
    /// reading).
    NotReading {
        /// Length of the reply.
        pending: usize,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// No message came for too long.
    Idle {
        /// The timeout that expired.
        timeout: Duration,
    },
    /// Reading or writing the socket failed.
    Io(io::Error),
    /// The service could not produce a reply.
    Process(thrift::Error),
    /// The service panicked while answering.
    Panicked,
}

impl fmt::Display for ConnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnError::Wire(e) => write!(f, "bad message: {e}"),
            ConnError::ClosedMidMessage { received, hint } => {
                write!(
                    f,
                    "the client closed the connection after {received} bytes of an incomplete message"
                )?;
                if let Some(hint) = hint {
                    write!(f, " ({hint})")?;
                }
                Ok(())
            }
            ConnError::Stalled { received, timeout } => write!(
                f,
                "no more bytes for {timeout:?} after {received} bytes of an incomplete message"
            ),
            ConnError::NotReading { pending, timeout } => write!(
                f,
                "the client did not take a {pending}-byte reply within {timeout:?}"
            ),
            ConnError::Idle { timeout } => write!(
                f,
                "idle for {timeout:?} (--idle-timeout-secs); the client may reconnect"
            ),
            ConnError::Io(e) => write!(f, "socket error: {e}"),
            ConnError::Process(e) => write!(f, "could not answer a call: {e}"),
            ConnError::Panicked => f.write_str("the handler panicked while answering a call"),
        }
    }
}

impl From<WireError> for ConnError {
    fn from(e: WireError) -> Self {
        ConnError::Wire(e)
    }
}

impl From<io::Error> for ConnError {
    fn from(e: io::Error) -> Self {
        ConnError::Io(e)
    }
}

/// The state of one connection: its buffers and where the walk stands.
pub(crate) struct Connection {
    config: ConnConfig,
    /// Which connection this is, for the service's per-connection limits.
    id: ConnectionId,
    /// Bytes received and not answered yet, starting at a message's first
    /// byte (or its frame header).
    input: BytesMut,
    /// The reply being written; reused from call to call.
    output: Vec<u8>,
    scanner: MessageScanner,
}

/// Where a whole message lies in the input buffer.
struct Found {
    /// Bytes before the message (the frame header).
    skip: usize,
    /// Length of the message.
    len: usize,
}

impl Connection {
    /// A connection with empty buffers.
    pub(crate) fn new(config: ConnConfig, id: ConnectionId) -> Self {
        Connection {
            config,
            id,
            input: BytesMut::with_capacity(READ_CHUNK),
            output: Vec::with_capacity(READ_CHUNK),
            scanner: MessageScanner::new(config.protocol, config.max_message_bytes),
        }
    }

    /// Answers messages until the client closes the connection between two
    /// messages (`Ok`) or something goes wrong (`Err`, the cause to log).
    pub(crate) async fn run<S>(
        &mut self,
        stream: &mut S,
        service: &Arc<dyn Service>,
    ) -> Result<(), ConnError>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        loop {
            let found = loop {
                if let Some(found) = self.next_message()? {
                    break found;
                }
                if !self.read_more(stream).await? {
                    return if self.input.is_empty() {
                        Ok(())
                    } else {
                        Err(ConnError::ClosedMidMessage {
                            received: self.input.len(),
                            hint: self.foreign_hint(),
                        })
                    };
                }
            };
            self.answer(&found, service).await?;
            let timeout = self.config.read_timeout;
            // Flushed: a TLS stream may hold back part of what it took.
            let written = async {
                stream.write_all(&self.output).await?;
                stream.flush().await
            };
            match tokio::time::timeout(timeout, written).await {
                Ok(written) => written?,
                Err(_) => {
                    return Err(ConnError::NotReading {
                        pending: self.output.len(),
                        timeout,
                    })
                }
            }
            self.scanner.reset();
            self.give_back_memory();
        }
    }

    /// Finds the next whole message at the start of the input buffer.
    fn next_message(&mut self) -> Result<Option<Found>, WireError> {
        let max = self.config.max_message_bytes;
        match self.config.transport {
            Transport::Buffered => {
                if self.scanner.walked() == 0 && looks_framed(&self.input) {
                    return Err(WireError {
                        message: "a frame length where a message was expected".to_owned(),
                        hint: wire::sniff(&self.input),
                    });
                }
                Ok(self
                    .scanner
                    .scan(&self.input)?
                    .map(|len| Found { skip: 0, len }))
            }
            Transport::Framed => {
                let Some(header) = self.input.first_chunk::<4>() else {
                    return Ok(None);
                };
                let len = wire::frame_len(*header, max)?;
                let Some(frame) = self.input.get(4..4 + len) else {
                    // The length is within the limit: room for the whole
                    // frame can be made at once.
                    self.input.reserve(4 + len - self.input.len());
                    return Ok(None);
                };
                let rehint = |e: WireError, all: &[u8]| WireError {
                    hint: wire::sniff(all).or(e.hint),
                    message: e.message,
                };
                match self.scanner.scan(frame) {
                    Ok(Some(n)) if n == len => Ok(Some(Found { skip: 4, len })),
                    Ok(Some(n)) => Err(rehint(
                        WireError {
                            message: format!(
                                "frame of {len} bytes holds a message of {n} bytes and {} more bytes",
                                len - n
                            ),
                            hint: None,
                        },
                        &self.input,
                    )),
                    Ok(None) => Err(rehint(
                        WireError {
                            message: format!("frame of {len} bytes ends inside a message"),
                            hint: None,
                        },
                        &self.input,
                    )),
                    Err(e) => Err(rehint(e, &self.input)),
                }
            }
        }
    }

    /// What the buffered bytes look like, when that is not what this server
    /// speaks.
    fn foreign_hint(&self) -> Option<&'static str> {
        let own: &[u8] = match (self.config.transport, self.config.protocol) {
            (Transport::Buffered, Protocol::Binary) => &[0x80, 0x01],
            (Transport::Buffered, Protocol::Compact) => &[0x82, 0x21],
            (Transport::Framed, Protocol::Binary) => &[0, 0, 0, 1, 0x80, 0x01],
            (Transport::Framed, Protocol::Compact) => &[0, 0, 0, 1, 0x82, 0x21],
        };
        wire::sniff(&self.input).filter(|&hint| Some(hint) != wire::sniff(own))
    }

    /// Reads what the socket has into the input buffer; `false` at the end
    /// of the stream. While part of a message is buffered, waits at most the
    /// read timeout.
    async fn read_more<S>(&mut self, stream: &mut S) -> Result<bool, ConnError>
    where
        S: AsyncRead + Unpin,
    {
        if self.input.capacity() - self.input.len() < READ_CHUNK / 4 {
            self.input.reserve(READ_CHUNK);
        }
        let n = if self.input.is_empty() {
            match self.config.idle_timeout {
                None => stream.read_buf(&mut self.input).await?,
                Some(timeout) => {
                    match tokio::time::timeout(timeout, stream.read_buf(&mut self.input)).await {
                        Ok(n) => n?,
                        Err(_) => return Err(ConnError::Idle { timeout }),
                    }
                }
            }
        } else {
            let timeout = self.config.read_timeout;
            match tokio::time::timeout(timeout, stream.read_buf(&mut self.input)).await {
                Ok(n) => n?,
                Err(_) => {
                    return Err(ConnError::Stalled {
                        received: self.input.len(),
                        timeout,
                    })
                }
            }
        };
        Ok(n > 0)
    }

    /// Answers the message into the output buffer, inline or on the
    /// blocking pool as the service says, and drops it from the input.
    async fn answer(&mut self, found: &Found, service: &Arc<dyn Service>) -> Result<(), ConnError> {
        let end = found.skip + found.len;
        let method = lane::method_name(self.config.protocol, &self.input[found.skip..end]);
        match service.lane(method, found.len) {
            Lane::Inline => {
                let message = &self.input[found.skip..end];
                let result =
                    answer_into(self.config, self.id, message, &**service, &mut self.output);
                self.input.advance(end);
                result
            }
            Lane::Blocking => {
                let message = self.input.split_to(end).freeze().slice(found.skip..);
                let mut output = std::mem::take(&mut self.output);
                let (config, id, service) = (self.config, self.id, Arc::clone(service));
                let (output, result) = tokio::task::spawn_blocking(move || {
                    let result = answer_into(config, id, &message, &*service, &mut output);
                    (output, result)
                })
                .await
                .map_err(|e| {
                    if e.is_panic() {
                        ConnError::Panicked
                    } else {
                        ConnError::Io(io::Error::other("the server is stopping"))
                    }
                })?;
                self.output = output;
                result
            }
        }
    }

    /// Replaces buffers a large message grew with small ones.
    fn give_back_memory(&mut self) {
        if self.input.capacity() > SHRINK_ABOVE && self.input.len() < READ_CHUNK {
            let mut fresh = BytesMut::with_capacity(READ_CHUNK);
            fresh.extend_from_slice(&self.input);
            self.input = fresh;
        }
        if self.output.capacity() > SHRINK_ABOVE {
            self.output = Vec::with_capacity(READ_CHUNK);
        }
    }
}

/// Decodes `message` and writes the service's reply into `output` (with
/// its frame header when framed); a reply past the size limit is replaced
/// by an error for the client.
fn answer_into(
    config: ConnConfig,
    id: ConnectionId,
    message: &[u8],
    service: &dyn Service,
    output: &mut Vec<u8>,
) -> Result<(), ConnError> {
    output.clear();
    let framed = config.transport == Transport::Framed;
    let header = if framed { 4 } else { 0 };
    output.resize(header, 0);
    let read_limits = read_config(message.len());
    let result = catch_unwind(AssertUnwindSafe(|| match config.protocol {
        Protocol::Binary => service.process_in(
            id,
            &mut TBinaryInputProtocol::with_config(message, false, read_limits),
            &mut TBinaryOutputProtocol::new(&mut *output, true),
        ),
        Protocol::Compact => service.process_in(
            id,
            &mut TCompactInputProtocol::with_config(message, read_limits),
            &mut TCompactOutputProtocol::new(&mut *output),
        ),
    }));
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(ConnError::Process(e)),
        Err(_) => return Err(ConnError::Panicked),
    }
    if output.len() - header > config.max_reply_bytes {
        let size = output.len() - header;
        output.truncate(header);
        output.shrink_to(READ_CHUNK);
        reply_too_large(config, message, size, output)?;
    }
    if framed && output.len() == 4 {
        // A one-way call: no reply, not even an empty frame.
        output.clear();
    } else if framed {
        let len = i32::try_from(output.len() - 4).map_err(|_| {
            ConnError::Process(thrift::Error::Protocol(thrift::ProtocolError::new(
                thrift::ProtocolErrorKind::SizeLimit,
                format!(
                    "a reply of {} bytes does not fit in a frame",
                    output.len() - 4
                ),
            )))
        })?;
        output[..4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

/// Writes, after `output`'s frame header, a `TApplicationException` for
/// the call of `message`, whose reply of `size` bytes was over the limit;
/// logs it once.
fn reply_too_large(
    config: ConnConfig,
    message: &[u8],
    size: usize,
    output: &mut Vec<u8>,
) -> Result<(), ConnError> {
    let read_limits = read_config(message.len());
    let call = match config.protocol {
        Protocol::Binary => {
            TBinaryInputProtocol::with_config(message, false, read_limits).read_message_begin()
        }
        Protocol::Compact => {
            TCompactInputProtocol::with_config(message, read_limits).read_message_begin()
        }
    }
    .map_err(ConnError::Process)?;
    let why = format!(
        "the reply to {} would be {size} bytes, more than the server sends \
         ({} bytes, --max-reply-bytes / --max-message-bytes); ask for fewer rows, columns \
         or versions",
        call.name, config.max_reply_bytes
    );
    warn!("refusing a reply: {why}");
    let error = thrift::ApplicationError::new(thrift::ApplicationErrorKind::InternalError, why);
    let reply = TMessageIdentifier::new(call.name, TMessageType::Exception, call.sequence_number);
    let written = match config.protocol {
        Protocol::Binary => {
            let mut o = TBinaryOutputProtocol::new(&mut *output, true);
            o.write_message_begin(&reply)
                .and_then(|()| {
                    thrift::Error::write_application_error_to_out_protocol(&error, &mut o)
                })
                .and_then(|()| o.write_message_end())
                .and_then(|()| o.flush())
        }
        Protocol::Compact => {
            let mut o = TCompactOutputProtocol::new(&mut *output);
            o.write_message_begin(&reply)
                .and_then(|()| {
                    thrift::Error::write_application_error_to_out_protocol(&error, &mut o)
                })
                .and_then(|()| o.write_message_end())
                .and_then(|()| o.flush())
        }
    };
    written.map_err(ConnError::Process)
}

/// Whether the bytes at the start of a message are a frame length followed
/// by a message (a framed client talking to a buffered server).
///
/// A binary message in the old non-strict form starts with its name length,
/// as a frame does; but then the name would start with byte `0x80` or
/// `0x82`, which no method name does.
fn looks_framed(bytes: &[u8]) -> bool {
    match bytes {
        [0, a, _, _, 0x80, 0x01, ..] | [0, a, _, _, 0x82, _, ..] => *a < 0x80,
        _ => false,
    }
}

/// The limits the readers enforce while decoding one message of `len`
/// bytes: nothing inside it can be longer than the message itself.
fn read_config(len: usize) -> TConfiguration {
    let limit = Some(len.max(1));
    TConfiguration::builder()
        .max_message_size(limit)
        .max_frame_size(limit)
        .max_string_size(limit)
        .max_container_size(limit)
        .max_recursion_depth(Some(MAX_DEPTH))
        .build()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_header_is_recognised() {
        assert!(looks_framed(&[0, 0, 0, 30, 0x80, 0x01, 0, 1]));
        assert!(looks_framed(&[0, 0, 0, 30, 0x82, 0x21]));
        assert!(!looks_framed(&[0x80, 0x01, 0, 1, 0, 0]));
        // An old-style binary message: name length, then the name.
        assert!(!looks_framed(&[0, 0, 0, 3, b'g', b'e', b't']));
        assert!(!looks_framed(&[0, 0, 0]));
    }

    #[test]
    fn read_limits_are_valid() {
        let config = read_config(0);
        assert_eq!(config.max_string_size(), Some(1));
        let config = read_config(1 << 20);
        assert_eq!(config.max_container_size(), Some(1 << 20));
    }
}
