//! Thrift over HTTP for the generated synchronous clients, as a gateway
//! started with `hbase.regionserver.thrift.http=true` speaks it: every
//! flushed message is one `POST /` with the binary-protocol bytes as its
//! body, and the answer's body is the reply the client then reads.
//!
//! HTTP is spoken by hyper, on a current-thread runtime the channel owns;
//! the connection is kept alive and replaced when the server closes it.
//! [`halves`] gives the reading and the writing half of one channel, to
//! wrap in the binary protocol (see [`crate::protocols`]).

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{ACCEPT, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;

use crate::IO_TIMEOUT;

/// The content type of Thrift bodies.
const THRIFT: &str = "application/x-thrift";

/// The state both halves share.
struct Channel {
    addr: SocketAddr,
    runtime: tokio::runtime::Runtime,
    sender: Option<SendRequest<Full<Bytes>>>,
    /// The request being written.
    request: Vec<u8>,
    /// The last answer's body and how much of it was read.
    reply: Vec<u8>,
    read: usize,
}

/// The half the protocol reads replies from.
#[derive(Debug)]
pub struct HttpReader(Arc<Mutex<Channel>>);

/// The half the protocol writes calls to; `flush` sends them.
#[derive(Debug)]
pub struct HttpWriter(Arc<Mutex<Channel>>);

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel").field("addr", &self.addr).finish()
    }
}

/// The two halves of a Thrift-over-HTTP channel to the gateway at `addr`.
///
/// Nothing is sent before the first flush, so this does not fail.
///
/// # Panics
/// When a tokio runtime cannot be built.
pub fn halves(addr: SocketAddr) -> (HttpReader, HttpWriter) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for an HTTP channel");
    let channel = Arc::new(Mutex::new(Channel {
        addr,
        runtime,
        sender: None,
        request: Vec::new(),
        reply: Vec::new(),
        read: 0,
    }));
    (HttpReader(channel.clone()), HttpWriter(channel))
}

fn lock(channel: &Mutex<Channel>) -> MutexGuard<'_, Channel> {
    channel.lock().unwrap_or_else(|e| e.into_inner())
}

impl Read for HttpReader {
    /// Reads from the last answer; at its end, 0 (the reply is shorter than
    /// the client expects: the protocol reports an end of stream).
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut channel = lock(&self.0);
        let start = channel.read;
        let n = buf.len().min(channel.reply.len() - start);
        buf[..n].copy_from_slice(&channel.reply[start..start + n]);
        channel.read += n;
        Ok(n)
    }
}

impl Write for HttpWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        lock(&self.0).request.extend_from_slice(buf);
        Ok(buf.len())
    }

    /// Sends what was written as one POST and keeps the answer for the
    /// reader.
    fn flush(&mut self) -> io::Result<()> {
        let mut channel = lock(&self.0);
        if channel.request.is_empty() {
            return Ok(());
        }
        let body = Bytes::from(std::mem::take(&mut channel.request));
        let reply = channel.post(body)?;
        channel.reply = reply;
        channel.read = 0;
        Ok(())
    }
}

impl Channel {
    /// One POST of `body`; the answer's body when the status is 200.
    fn post(&mut self, body: Bytes) -> io::Result<Vec<u8>> {
        let addr = self.addr;
        let sender = self.sender.take();
        let call = async move {
            let mut sender = match sender {
                Some(mut s) if !s.is_closed() => match s.ready().await {
                    Ok(()) => s,
                    Err(_) => connect(addr).await?,
                },
                _ => connect(addr).await?,
            };
            let request = Request::builder()
                .method(Method::POST)
                .uri("/")
                .header(HOST, addr.to_string())
                .header(CONTENT_TYPE, THRIFT)
                .header(ACCEPT, THRIFT)
                .body(Full::new(body))
                .map_err(io::Error::other)?;
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| io::Error::other(format!("HTTP POST to {addr}: {e}")))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| io::Error::other(format!("HTTP answer from {addr}: {e}")))?
                .to_bytes();
            if status != StatusCode::OK {
                let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                return Err(io::Error::other(format!(
                    "HTTP {status} from {addr}: {text:?}"
                )));
            }
            Ok::<_, io::Error>((sender, body.to_vec()))
        };
        let (sender, reply) = self
            .runtime
            .block_on(async { tokio::time::timeout(IO_TIMEOUT, call).await })
            .map_err(|_| {
                io::Error::new(io::ErrorKind::TimedOut, format!("HTTP call to {addr}"))
            })??;
        self.sender = Some(sender);
        Ok(reply)
    }
}

/// A new kept-alive HTTP/1.1 connection to `addr`, driven on the current
/// runtime.
async fn connect(addr: SocketAddr) -> io::Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| io::Error::other(format!("HTTP handshake with {addr}: {e}")))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}
