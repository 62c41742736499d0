//! Opening the socket of a connection: plain TCP, or TLS over it (feature
//! `tls`), split into the halves the reader and writer tasks own.
//!
//! The halves are enums rather than boxed streams: the plain TCP path stays
//! tokio's own owned halves, with one branch per read or write.

use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};

use socket2::SockRef;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use super::config::Config;
use crate::error::{Error, Result};

#[cfg(feature = "tls")]
type TlsStream = tokio_rustls::client::TlsStream<TcpStream>;

/// The read half of an open socket, owned by the reader task.
pub(crate) enum ReadHalf {
    /// Plain TCP.
    Tcp(OwnedReadHalf),
    /// TLS over TCP.
    #[cfg(feature = "tls")]
    Tls(tokio::io::ReadHalf<TlsStream>),
}

/// The write half of an open socket, owned by the writer task.
///
/// Writes may be buffered (TLS): flush after writing.
pub(crate) enum WriteHalf {
    /// Plain TCP.
    Tcp(OwnedWriteHalf),
    /// TLS over TCP, with a duplicate handle of the TCP socket to peek at.
    #[cfg(feature = "tls")]
    Tls {
        write: tokio::io::WriteHalf<TlsStream>,
        socket: socket2::Socket,
    },
}

impl WriteHalf {
    /// The plain TCP half, which can be written to without waiting (see
    /// `OwnedWriteHalf::try_write`); `None` over TLS.
    pub(crate) fn tcp(&self) -> Option<&OwnedWriteHalf> {
        match self {
            WriteHalf::Tcp(write) => Some(write),
            #[cfg(feature = "tls")]
            WriteHalf::Tls { .. } => None,
        }
    }

    /// Whether the gateway closed the socket (without waiting: a peek that
    /// finds the end of the stream). The reader notices it too, but possibly
    /// only after the next request is written; this avoids writing a request
    /// into a socket that is known to be closed.
    pub(crate) fn closed_by_peer(&self) -> bool {
        // A peek on the (non-blocking) socket itself: tokio's own `peek`
        // would first wait for the reactor to report readiness, which it may
        // not have done yet.
        let socket = match self {
            WriteHalf::Tcp(write) => {
                let stream: &TcpStream = write.as_ref();
                SockRef::from(stream)
            }
            #[cfg(feature = "tls")]
            WriteHalf::Tls { socket, .. } => SockRef::from(socket),
        };
        let mut probe = [MaybeUninit::<u8>::uninit(); 1];
        match socket.peek(&mut probe) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => {
                e.kind() != io::ErrorKind::WouldBlock && e.kind() != io::ErrorKind::Interrupted
            }
        }
    }
}

/// Opens a socket to the gateway of `config`: TCP, then the TLS handshake
/// when TLS is set, all within the connection's timeout.
///
/// # Errors
/// [`Error::Transport`] when the gateway cannot be reached or the handshake
/// fails, [`Error::Timeout`] when either takes too long,
/// [`Error::InvalidInput`] for bad TLS settings.
pub(crate) async fn open(config: &Config) -> Result<(ReadHalf, WriteHalf)> {
    match open_stream(config).await? {
        Stream::Tcp(stream) => {
            let (read, write) = stream.into_split();
            Ok((ReadHalf::Tcp(read), WriteHalf::Tcp(write)))
        }
        #[cfg(feature = "tls")]
        Stream::Tls { stream, socket } => {
            let (read, write) = tokio::io::split(*stream);
            Ok((ReadHalf::Tls(read), WriteHalf::Tls { write, socket }))
        }
    }
}

/// A whole open socket (for the HTTP transport, which does not split it).
pub(crate) enum Stream {
    /// Plain TCP.
    Tcp(TcpStream),
    /// TLS over TCP, with a duplicate handle of the TCP socket.
    #[cfg(feature = "tls")]
    Tls {
        stream: Box<TlsStream>,
        socket: socket2::Socket,
    },
}

/// Implements `AsyncRead` for a socket form by reading from its TCP or TLS
/// stream: `Form: TcpPattern, TlsPattern => stream`, the patterns binding
/// `stream`. A TLS stream that ends without a close_notify (a gateway that
/// just closes the TCP socket) ends as on plain TCP; a reply cut short is
/// still caught by the reader.
macro_rules! forward_read {
    ($ty:ty: $tcp:pat, $tls:pat => $io:ident) => {
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    $tcp => Pin::new($io).poll_read(cx, buf),
                    #[cfg(feature = "tls")]
                    $tls => match Pin::new($io).poll_read(cx, buf) {
                        Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                            Poll::Ready(Ok(()))
                        }
                        other => other,
                    },
                }
            }
        }
    };
}

/// Implements `AsyncWrite` for a socket form by writing to its TCP or TLS
/// stream, as [`forward_read!`] reads.
macro_rules! forward_write {
    ($ty:ty: $tcp:pat, $tls:pat => $io:ident) => {
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                match self.get_mut() {
                    $tcp => Pin::new($io).poll_write(cx, buf),
                    #[cfg(feature = "tls")]
                    $tls => Pin::new($io).poll_write(cx, buf),
                }
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    $tcp => Pin::new($io).poll_flush(cx),
                    #[cfg(feature = "tls")]
                    $tls => Pin::new($io).poll_flush(cx),
                }
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                match self.get_mut() {
                    $tcp => Pin::new($io).poll_shutdown(cx),
                    #[cfg(feature = "tls")]
                    $tls => Pin::new($io).poll_shutdown(cx),
                }
            }
        }
    };
}

forward_read!(ReadHalf: ReadHalf::Tcp(io), ReadHalf::Tls(io) => io);
forward_write!(WriteHalf: WriteHalf::Tcp(io), WriteHalf::Tls { write: io, .. } => io);
forward_read!(Stream: Stream::Tcp(io), Stream::Tls { stream: io, .. } => io);
forward_write!(Stream: Stream::Tcp(io), Stream::Tls { stream: io, .. } => io);

/// Opens a socket to the gateway of `config` as one stream: TCP, then the
/// TLS handshake when TLS is set, all within the connection's timeout.
///
/// # Errors
/// As [`open`].
pub(crate) async fn open_stream(config: &Config) -> Result<Stream> {
    let deadline = tokio::time::Instant::now() + config.timeout;
    let stream = match tokio::time::timeout_at(
        deadline,
        TcpStream::connect((config.host.as_str(), config.port)),
    )
    .await
    {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => {
            return Err(Error::Transport {
                addr: config.addr.clone(),
                source: e.into(),
            })
        }
        Err(_) => {
            return Err(Error::Timeout {
                method: "connect",
                timeout: config.timeout,
                hint: None,
            })
        }
    };
    stream.set_nodelay(true).map_err(|e| Error::Transport {
        addr: config.addr.clone(),
        source: e.into(),
    })?;
    #[cfg(feature = "tls")]
    if let Some(tls) = &config.tls {
        return handshake(config, tls, stream, deadline).await;
    }
    Ok(Stream::Tcp(stream))
}

/// The TLS handshake over an open TCP stream.
#[cfg(feature = "tls")]
async fn handshake(
    config: &Config,
    tls: &super::tls::TlsConfig,
    stream: TcpStream,
    deadline: tokio::time::Instant,
) -> Result<Stream> {
    let client_config = tls.client_config()?;
    let server_name = tls.server_name_for(&config.host)?;
    let socket = SockRef::from(&stream)
        .try_clone()
        .map_err(|e| Error::Transport {
            addr: config.addr.clone(),
            source: e.into(),
        })?;
    let connector = tokio_rustls::TlsConnector::from(client_config);
    let stream =
        match tokio::time::timeout_at(deadline, connector.connect(server_name, stream)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return Err(super::tls::handshake_error(&config.addr, e)),
            Err(_) => {
                return Err(Error::Timeout {
                    method: "connect",
                    timeout: config.timeout,
                    hint: Some(super::tls::HANDSHAKE_TIMEOUT_HINT),
                })
            }
        };
    Ok(Stream::Tls {
        stream: Box::new(stream),
        socket,
    })
}
