//! The I/O side of a [`Connection`](crate::Connection): one background task
//! per connection owns the socket.
//!
//! Callers encode a request (once, into a pooled buffer) and hand it over an
//! unbounded channel with a oneshot for the reply. The writer task writes the
//! queued requests back to back (coalescing small ones into one write), after
//! recording each one in the pending queue of the socket. While the writer
//! has nothing queued it lends its (plain TCP) socket to the callers: a
//! caller then records its request and writes it itself, without waiting and
//! without waking the writer task; what the socket does not take at once,
//! the writer writes. A reader task per
//! socket splits the incoming bytes into replies (a resumable walk on the
//! buffered transport, the frame header on the framed one), checks each
//! reply's sequence id against the oldest pending request (the gateway
//! answers one connection's requests in order) and hands the reply's bytes,
//! undecoded, to the caller, which decodes them once.
//!
//! A caller that gives up (timeout, drop) only drops its receiver: the reply
//! is still read and discarded, so the stream never desyncs. A socket the
//! gateway closed while idle is replaced before the next request is written.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::BytesMut;
use hbase_orm_idl::wire;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::config::Config;
use super::framing::{next_frame, Splitter};
use super::http::HttpClient;
use super::mismatch::{self, eof_error};
use super::socket::{self, ReadHalf, WriteHalf};
use crate::error::{Error, Result};
use crate::protocol::binary;
use crate::protocol::method::{self, Method};
use crate::protocol::places::Frame;
use crate::protocol::rows::header;

/// Time [`Handle::open`] gives the writer on top of the timeout, so that
/// the writer's own timeout error (which may name the TLS handshake) wins.
const OPEN_GRACE: Duration = Duration::from_millis(250);
/// Requests written in one go at most.
const MAX_COALESCED: usize = 128;
/// Requests at least this long are written directly, not copied.
const DIRECT_WRITE: usize = 32 * 1024;
/// Read buffer growth step.
const READ_CHUNK: usize = 64 * 1024;
/// Encoding buffers kept for reuse.
const POOLED_BUFFERS: usize = 64;
/// Encoding buffers larger than this are not kept.
const POOLED_MAX_CAPACITY: usize = 256 * 1024;
/// How long a socket must have gone without a request before the writer
/// peeks at it (one system call) to see whether the gateway closed it.
/// Gateways close idle sockets after about a minute; a close the reader has
/// already seen needs no peek, and one that races a call sooner fails that
/// call with a transport error, which the retry policy handles.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// What the caller gets back: the reply message, undecoded (with the
/// places of its rows where they were found while it was read).
type Reply = Result<Frame>;

/// A call sent and not yet answered.
pub(crate) struct Sent<M> {
    seq: i32,
    reply: oneshot::Receiver<Reply>,
    deadline: tokio::time::Instant,
    /// The time allowed to this attempt, for the timeout error.
    timeout: Duration,
    method: PhantomData<fn() -> M>,
}

impl<M> fmt::Debug for Sent<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sent").field("seq", &self.seq).finish()
    }
}

/// One encoded request on its way to the writer.
struct Request {
    seq: i32,
    method: &'static str,
    bytes: Vec<u8>,
    /// `None` for fire-and-forget requests, whose reply is discarded.
    reply: Option<oneshot::Sender<Reply>>,
    /// A Thrift `oneway` call: the gateway sends no reply, so nothing waits
    /// for one in the pending queue.
    oneway: bool,
    /// The rest of a request a caller began to write itself (see
    /// [`write_direct`]): already in the pending queue of the socket whose
    /// `dead` flag this is, and to be written on that socket only.
    started_on: Option<Arc<AtomicBool>>,
}

enum Msg {
    Call(Request),
    Open(oneshot::Sender<Result<()>>),
    Close(oneshot::Sender<()>),
    /// A caller timed out waiting for `seq`: drop the socket it was written on.
    Reset {
        seq: i32,
    },
}

/// A request written and waiting for its reply.
struct Pending {
    seq: i32,
    method: &'static str,
    reply: Option<oneshot::Sender<Reply>>,
}

/// The writer's socket, lent to the callers while the writer has nothing to
/// write: a caller then writes its request itself, with no hop to the
/// writer task (see [`write_direct`]).
#[derive(Default)]
struct Slot {
    /// The open socket, while the writer task is not using it.
    live: Option<Live>,
    /// Messages handed to the writer task and not yet handled (calls not
    /// yet written, resets not yet done). Callers write directly only when
    /// this is zero, so requests keep their order and never go to a socket
    /// a reset is about to drop.
    queued: usize,
}

impl fmt::Debug for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slot")
            .field("lent", &self.live.is_some())
            .field("queued", &self.queued)
            .finish()
    }
}

/// State shared by the callers and the tasks of one connection.
#[derive(Debug, Default)]
struct Shared {
    /// Whether any reply ever arrived (mismatch hints are given until then).
    got_reply: AtomicBool,
    /// The `dead` flag of the current socket, if there is one.
    current: Mutex<Option<Arc<AtomicBool>>>,
    /// Encoding buffers for reuse.
    buffers: Mutex<Vec<Vec<u8>>>,
    /// The socket lent by the writer, and the calls queued for it.
    slot: Mutex<Slot>,
    /// Sockets opened so far: a change between two calls tells that the
    /// first one may have been written to a socket that then failed.
    sockets_opened: std::sync::atomic::AtomicU64,
}

impl Shared {
    fn buffers(&self) -> MutexGuard<'_, Vec<Vec<u8>>> {
        self.buffers.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_current(&self, dead: Option<Arc<AtomicBool>>) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = dead;
    }

    fn take_buffer(&self) -> Vec<u8> {
        self.buffers().pop().unwrap_or_default()
    }

    fn give_buffer(&self, mut buf: Vec<u8>) {
        if buf.capacity() > POOLED_MAX_CAPACITY {
            return;
        }
        buf.clear();
        let mut pool = self.buffers();
        if pool.len() < POOLED_BUFFERS {
            pool.push(buf);
        }
    }
}

/// The caller side of a connection: cheap to share, safe from many tasks.
#[derive(Debug)]
pub(crate) struct Handle {
    config: Arc<Config>,
    shared: Arc<Shared>,
    seq: AtomicI32,
    tx: Mutex<Option<mpsc::UnboundedSender<Msg>>>,
    /// Set for Thrift over HTTP: calls go through it, not the writer task.
    http: Option<Arc<HttpClient>>,
}

impl Handle {
    pub(crate) fn new(config: Config) -> Handle {
        let config = Arc::new(config);
        let http = config
            .http
            .clone()
            .map(|settings| Arc::new(HttpClient::new(Arc::clone(&config), settings)));
        Handle {
            config,
            shared: Arc::default(),
            seq: AtomicI32::new(0),
            tx: Mutex::new(None),
            http,
        }
    }

    /// Sends one call over HTTP on a task of its own; its reply (or
    /// error) goes to `reply`.
    fn post(
        &self,
        http: &Arc<HttpClient>,
        bytes: Vec<u8>,
        reply: Option<oneshot::Sender<Reply>>,
    ) -> Result<()> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(self.config.transport_error(io::Error::other(
                "hbase-orm connections must be used inside a tokio runtime",
            )));
        }
        let http = Arc::clone(http);
        let shared = Arc::clone(&self.shared);
        tokio::spawn(async move {
            let result = http.call(bytes).await;
            if result.is_ok() {
                shared.got_reply.store(true, Ordering::Release);
            }
            if let Some(reply) = reply {
                let _ = reply.send(result.map(Frame::plain));
            }
        });
        Ok(())
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// Whether a socket to the gateway is open right now.
    pub(crate) fn is_open(&self) -> bool {
        if let Some(http) = &self.http {
            return http.is_open();
        }
        self.shared
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|dead| !dead.load(Ordering::Acquire))
    }

    /// Sends a message to the writer task, starting it when there is none (or
    /// when the runtime that ran it is gone). A call is written by the caller
    /// itself when the writer is idle and has lent its socket.
    ///
    /// The callers' lock on `tx` orders every message: a call is written
    /// directly only when every message handed to the writer is handled.
    fn send(&self, mut msg: Msg) -> Result<()> {
        let mut tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        let writer_alive = tx.as_ref().is_some_and(|sender| !sender.is_closed());
        {
            let mut slot = self.shared.slot();
            if !writer_alive {
                // What a writer that is gone lent is stale (its runtime
                // ended): the next writer opens a socket of its own.
                *slot = Slot::default();
            } else if slot.queued == 0 {
                if let (Some(live), Msg::Call(req)) = (slot.live.as_mut(), &mut msg) {
                    if write_direct(live, req) {
                        drop(slot);
                        self.shared.give_buffer(std::mem::take(&mut req.bytes));
                        return Ok(());
                    }
                }
            }
            slot.queued += 1;
        }
        let msg = match tx.as_ref() {
            Some(sender) => match sender.send(msg) {
                Ok(()) => return Ok(()),
                Err(mpsc::error::SendError(msg)) => msg,
            },
            None => msg,
        };
        *self.shared.slot() = Slot::default();
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(self.config.transport_error(io::Error::other(
                "hbase-orm connections must be used inside a tokio runtime",
            )));
        }
        self.shared.slot().queued = 1;
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(writer(
            Arc::clone(&self.config),
            Arc::clone(&self.shared),
            receiver,
        ));
        let sent = sender.send(msg).is_ok();
        *tx = Some(sender);
        if sent {
            Ok(())
        } else {
            Err(self
                .config
                .transport_error(io::Error::other("the connection task stopped")))
        }
    }

    /// How many sockets this connection has opened so far. A one-way call
    /// sent while this read `n` reached the gateway for sure only if a later
    /// answered call still reads `n`.
    pub(crate) fn sockets_opened(&self) -> u64 {
        self.shared.sockets_opened.load(Ordering::Acquire)
    }

    /// Sends a Thrift `oneway` call: written in order with the others, and
    /// no reply is expected. Errors only when it cannot be queued; whether
    /// it was applied shows only through a later answered call (see
    /// [`Handle::sockets_opened`]).
    pub(crate) fn send_oneway<M: Method>(&self, args: &M) -> Result<()> {
        let seq = self.next_seq();
        let mut bytes = self.shared.take_buffer();
        let ident = hbase_orm_idl::thrift::protocol::TMessageIdentifier::new(
            M::NAME,
            hbase_orm_idl::thrift::protocol::TMessageType::OneWay,
            seq,
        );
        wire::encode(
            self.config.protocol,
            self.config.transport,
            &ident,
            &mut bytes,
            |o| args.write(o),
        )
        .map_err(|e| Error::InvalidInput(format!("cannot encode `{}`: {e}", M::NAME)))?;
        self.send(Msg::Call(Request {
            seq,
            method: M::NAME,
            bytes,
            reply: None,
            oneway: true,
            started_on: None,
        }))
    }

    fn next_seq(&self) -> i32 {
        self.seq.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }

    fn encode<M: Method>(&self, args: &M) -> Result<(i32, Vec<u8>)> {
        let seq = self.next_seq();
        let mut bytes = self.shared.take_buffer();
        let result = match self.config.protocol {
            // The method's own binary writer (the generated one by default).
            wire::Protocol::Binary => {
                binary::call(self.config.transport, M::NAME, seq, &mut bytes, |out| {
                    args.write_binary(out)
                })
            }
            wire::Protocol::Compact => wire::encode_call(
                self.config.protocol,
                self.config.transport,
                M::NAME,
                seq,
                &mut bytes,
                |o| args.write(o),
            ),
        };
        if let Err(e) = result {
            self.shared.give_buffer(bytes);
            return Err(Error::InvalidInput(format!(
                "cannot encode `{}`: {e}",
                M::NAME
            )));
        }
        Ok((seq, bytes))
    }

    /// Sends a call now, to be answered within `timeout` (the configured
    /// timeout, or an attempt clipped to what is left of a call's deadline);
    /// [`Handle::finish`] waits for its result.
    pub(crate) fn start_with<M: Method>(&self, args: &M, timeout: Duration) -> Result<Sent<M>> {
        self.start_at(args, tokio::time::Instant::now(), timeout)
    }

    /// As [`Handle::start_with`], for a caller that has just read the
    /// clock: the call is to be answered within `timeout` of `now`.
    pub(crate) fn start_at<M: Method>(
        &self,
        args: &M,
        now: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<Sent<M>> {
        let deadline = now + timeout;
        let (seq, bytes) = self.encode(args)?;
        let (reply_tx, reply_rx) = oneshot::channel();
        match &self.http {
            Some(http) => self.post(http, bytes, Some(reply_tx))?,
            None => self.send(Msg::Call(Request {
                seq,
                method: M::NAME,
                bytes,
                reply: Some(reply_tx),
                oneway: false,
                started_on: None,
            }))?,
        }
        Ok(Sent {
            seq,
            reply: reply_rx,
            deadline,
            timeout,
            method: PhantomData,
        })
    }

    /// Waits for the result of a call sent by [`Handle::start_with`].
    pub(crate) async fn finish<M: Method>(&self, sent: Sent<M>) -> Result<M::Output> {
        let frame = match tokio::time::timeout_at(sent.deadline, sent.reply).await {
            Ok(Ok(reply)) => reply?,
            Ok(Err(_)) => {
                return Err(self.config.transport_error(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "the connection was closed before the reply arrived",
                )))
            }
            Err(_) => {
                // The socket may be stuck (a gateway speaking another protocol
                // waits forever): drop it so later calls start afresh.
                if self.http.is_none() {
                    let _ = self.send(Msg::Reset { seq: sent.seq });
                }
                // No reply ever came: a gateway speaking another transport or
                // protocol waits for bytes that never come, but so does a
                // slow one. Only a gateway that answers a probe in another
                // transport or protocol gets the mismatch hint.
                let hint = if self.shared.got_reply.load(Ordering::Acquire) {
                    None
                } else {
                    mismatch::diagnose(&self.config)
                        .await
                        .map(|(t, p)| mismatch::timeout_hint(t, p))
                };
                return Err(Error::Timeout {
                    method: M::NAME,
                    timeout: sent.timeout,
                    hint,
                });
            }
        };
        self.decode::<M>(frame)
    }

    /// Sends a call whose result nobody waits for (a scanner close from a
    /// `Drop`). Does nothing outside a runtime with no connection task.
    pub(crate) fn call_detached<M: Method>(&self, args: &M) {
        let Ok((seq, bytes)) = self.encode(args) else {
            return;
        };
        if let Some(http) = &self.http {
            if let Err(e) = self.post(http, bytes, None) {
                tracing::debug!("could not send `{}`: {e}", M::NAME);
            }
            return;
        }
        let sent = self.send(Msg::Call(Request {
            seq,
            method: M::NAME,
            bytes,
            reply: None,
            oneway: false,
            started_on: None,
        }));
        if let Err(e) = sent {
            tracing::debug!("could not send `{}`: {e}", M::NAME);
        }
    }

    fn decode<M: Method>(&self, mut frame: Frame) -> Result<M::Output> {
        method::decode_reply::<M>(self.config.protocol, &mut frame)
            .map_err(|e| self.decode_error(e, &frame))
    }

    /// The error for a reply that decoded to a thrift error, with advice when
    /// its bytes look like another transport or protocol.
    fn decode_error(&self, e: hbase_orm_idl::thrift::Error, frame: &[u8]) -> Error {
        match Error::from_thrift(e, &self.config.addr) {
            Error::Protocol { addr, message } => Error::Protocol {
                addr,
                message: format!("{message}{}", self.config.advice(wire::sniff(frame))),
            },
            other => other,
        }
    }

    /// Opens the socket now (it opens lazily otherwise).
    pub(crate) async fn open(&self) -> Result<()> {
        if let Some(http) = &self.http {
            return match tokio::time::timeout(self.config.timeout + OPEN_GRACE, http.open()).await {
                Ok(result) => result,
                Err(_) => Err(Error::Timeout {
                    method: "connect",
                    timeout: self.config.timeout,
                    hint: None,
                }),
            };
        }
        let (tx, rx) = oneshot::channel();
        self.send(Msg::Open(tx))?;
        // The writer bounds the connect and the TLS handshake by the timeout
        // itself, with a more precise error: this only guards against a
        // writer that does not get to it.
        match tokio::time::timeout(self.config.timeout + OPEN_GRACE, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(self
                .config
                .transport_error(io::Error::other("the connection task stopped"))),
            Err(_) => Err(Error::Timeout {
                method: "connect",
                timeout: self.config.timeout,
                hint: None,
            }),
        }
    }

    /// Closes the socket after the replies already asked for have arrived.
    pub(crate) async fn close(&self) {
        if let Some(http) = &self.http {
            http.close();
            return;
        }
        let (tx, rx) = oneshot::channel();
        if self.send(Msg::Close(tx)).is_ok() {
            let _ = tokio::time::timeout(self.config.timeout, rx).await;
        }
    }
}

/// One open socket, seen from the writer.
struct Live {
    write: WriteHalf,
    pending: Arc<Mutex<VecDeque<Pending>>>,
    dead: Arc<AtomicBool>,
    reader: JoinHandle<()>,
    /// When requests were last queued on this socket.
    last_used: std::time::Instant,
}

fn lock(pending: &Mutex<VecDeque<Pending>>) -> MutexGuard<'_, VecDeque<Pending>> {
    pending.lock().unwrap_or_else(|e| e.into_inner())
}

/// Fails every pending request with `err`, the same error for each.
fn fail_all(pending: &Mutex<VecDeque<Pending>>, err: &Error) {
    let drained: Vec<Pending> = lock(pending).drain(..).collect();
    for p in drained {
        if let Some(reply) = p.reply {
            let _ = reply.send(Err(err.clone()));
        }
    }
}

async fn connect(config: &Config, shared: &Arc<Shared>) -> Result<Live> {
    let (read, write) = socket::open(config).await?;
    let pending = Arc::new(Mutex::new(VecDeque::new()));
    let dead = Arc::new(AtomicBool::new(false));
    shared.set_current(Some(Arc::clone(&dead)));
    shared.sockets_opened.fetch_add(1, Ordering::AcqRel);
    let reader = tokio::spawn(reader(
        read,
        Arc::new(config.clone()),
        Arc::clone(shared),
        Arc::clone(&pending),
        Arc::clone(&dead),
    ));
    tracing::debug!("connected to {}", config.addr);
    Ok(Live {
        write,
        pending,
        dead,
        reader,
        last_used: std::time::Instant::now(),
    })
}

/// Drops a socket at once, failing what waits on it.
fn kill(live: Live, shared: &Shared, err: &Error) {
    live.reader.abort();
    live.dead.store(true, Ordering::Release);
    shared.set_current(None);
    fail_all(&live.pending, err);
}

/// Writes a call straight into the socket the writer lent, from the
/// caller's thread: no hop to the writer task. Only on plain TCP, on a live
/// socket used within [`IDLE_CHECK`] (older ones the writer checks first),
/// and only what the socket takes without waiting.
///
/// Returns whether the request is done with. When it is not, it was either
/// left untouched (the writer sends it as any other), or it is written in
/// part: then it is in the socket's pending queue, `req.bytes` holds the
/// rest and `req.started_on` names the socket, and the writer must write
/// the rest there before anything else.
fn write_direct(live: &mut Live, req: &mut Request) -> bool {
    let Some(write) = live.write.tcp() else {
        return false;
    };
    let now = std::time::Instant::now();
    if now.saturating_duration_since(live.last_used) >= IDLE_CHECK || live.reader.is_finished() {
        return false;
    }
    {
        // Queued under the queue's lock, and only while the reader is alive,
        // as the writer does (see `write_batch`).
        let mut pending = lock(&live.pending);
        if live.dead.load(Ordering::Acquire) {
            return false;
        }
        if !req.oneway {
            pending.push_back(Pending {
                seq: req.seq,
                method: req.method,
                reply: req.reply.take(),
            });
        }
    }
    live.last_used = now;
    let mut written = 0;
    while written < req.bytes.len() {
        match write.try_write(&req.bytes[written..]) {
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // The socket is full (or failing): the writer writes the rest,
            // and meets the error, if any, itself.
            Err(_) => break,
        }
    }
    if written == req.bytes.len() {
        return true;
    }
    req.bytes.drain(..written);
    req.started_on = Some(Arc::clone(&live.dead));
    false
}

/// The writer task: owns the write half and the channel of requests. While
/// it has nothing to write it lends the socket to the callers (in
/// [`Slot`]), who then write their requests themselves.
async fn writer(config: Arc<Config>, shared: Arc<Shared>, mut rx: mpsc::UnboundedReceiver<Msg>) {
    let mut live: Option<Live> = None;
    let mut wbuf: Vec<u8> = Vec::with_capacity(DIRECT_WRITE);
    let mut batch: Vec<Request> = Vec::new();
    let mut next: Option<Msg> = None;
    // Messages taken from the channel since the socket was last lent.
    let mut taken = 0usize;
    loop {
        let msg = match next.take() {
            Some(msg) => msg,
            None => match rx.try_recv() {
                Ok(msg) => msg,
                Err(mpsc::error::TryRecvError::Disconnected) => break,
                Err(mpsc::error::TryRecvError::Empty) => {
                    // Idle: lend the socket; every message taken is handled.
                    {
                        let mut slot = shared.slot();
                        slot.queued = slot.queued.saturating_sub(taken);
                        slot.live = live.take();
                    }
                    taken = 0;
                    let msg = rx.recv().await;
                    live = shared.slot().live.take();
                    match msg {
                        Some(msg) => msg,
                        None => break,
                    }
                }
            },
        };
        taken += 1;
        match msg {
            Msg::Call(req) => {
                batch.push(req);
                while batch.len() < MAX_COALESCED {
                    match rx.try_recv() {
                        Ok(Msg::Call(req)) => batch.push(req),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                taken += batch.len() - 1;
                write_batch(&config, &shared, &mut live, &mut wbuf, &mut batch).await;
            }
            Msg::Open(reply) => {
                let result = ensure_open(&config, &shared, &mut live).await.map(|_| ());
                let _ = reply.send(result);
            }
            Msg::Close(reply) => {
                if let Some(mut l) = live.take() {
                    // Half-close: the gateway answers what it has, then closes,
                    // and the reader delivers those replies before it ends.
                    let _ = l.write.shutdown().await;
                    shared.set_current(None);
                }
                let _ = reply.send(());
            }
            Msg::Reset { seq } => {
                let stuck = live
                    .as_ref()
                    .is_some_and(|l| lock(&l.pending).iter().any(|p| p.seq == seq));
                if stuck {
                    if let Some(l) = live.take() {
                        let err = config.transport_error(io::Error::new(
                            io::ErrorKind::ConnectionAborted,
                            "the connection was reset after a call on it timed out",
                        ));
                        kill(l, &shared, &err);
                    }
                }
            }
        }
    }
    if let Some(mut l) = live.take().or_else(|| shared.slot().live.take()) {
        let _ = l.write.shutdown().await;
    }
}

/// The live socket, opened (or reopened, when the gateway closed it) first.
async fn ensure_open<'a>(
    config: &Config,
    shared: &Arc<Shared>,
    live: &'a mut Option<Live>,
) -> Result<&'a mut Live> {
    if live.as_ref().is_some_and(|l| {
        l.dead.load(Ordering::Acquire)
            || (l.last_used.elapsed() >= IDLE_CHECK
                && lock(&l.pending).is_empty()
                && l.write.closed_by_peer())
    }) {
        tracing::debug!(
            "the gateway at {} closed the connection: reopening",
            config.addr
        );
        *live = None;
    }
    if live.is_none() {
        *live = Some(connect(config, shared).await?);
    }
    live.as_mut()
        .ok_or_else(|| config.transport_error(io::Error::other("no connection")))
}

async fn write_batch(
    config: &Config,
    shared: &Arc<Shared>,
    live: &mut Option<Live>,
    wbuf: &mut Vec<u8>,
    batch: &mut Vec<Request>,
) {
    // Callers that gave up before their request was written need no answer.
    // (The rest of a request begun by its caller is always written: its
    // socket expects it.)
    batch.retain(|r| r.reply.as_ref().map_or(true, |tx| !tx.is_closed()));
    if batch.is_empty() {
        return;
    }
    // The requests are queued for the reader under the lock of its queue,
    // and only while it is alive: a reader that saw the gateway close an idle
    // socket ends under that same lock, so a request is never queued for a
    // reader that is gone (it goes to a new socket instead).
    let mut queued = false;
    for _ in 0..3 {
        let l = match ensure_open(config, shared, live).await {
            Ok(l) => l,
            Err(e) => {
                fail_batch(shared, batch, &e);
                return;
            }
        };
        let mut pending = lock(&l.pending);
        if l.dead.load(Ordering::Acquire) {
            continue;
        }
        l.last_used = std::time::Instant::now();
        for req in batch
            .iter_mut()
            .filter(|r| !r.oneway && r.started_on.is_none())
        {
            pending.push_back(Pending {
                seq: req.seq,
                method: req.method,
                reply: req.reply.take(),
            });
        }
        queued = true;
        break;
    }
    let l = match live.as_mut() {
        Some(l) if queued => l,
        _ => {
            let e = config.transport_error(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the gateway kept closing new connections",
            ));
            fail_batch(shared, batch, &e);
            return;
        }
    };
    let mut result = Ok(());
    for req in batch.drain(..) {
        // The rest of a request begun on a socket that has since died: its
        // caller hears of it from that socket's reader.
        let elsewhere = req
            .started_on
            .as_ref()
            .is_some_and(|dead| !Arc::ptr_eq(dead, &l.dead));
        if result.is_ok() && !elsewhere {
            if req.bytes.len() >= DIRECT_WRITE {
                if !wbuf.is_empty() {
                    result = write_all(config, &mut l.write, wbuf).await;
                    wbuf.clear();
                }
                if result.is_ok() {
                    result = write_all(config, &mut l.write, &req.bytes).await;
                }
            } else {
                wbuf.extend_from_slice(&req.bytes);
            }
        }
        shared.give_buffer(req.bytes);
    }
    if result.is_ok() && !wbuf.is_empty() {
        result = write_all(config, &mut l.write, wbuf).await;
    }
    wbuf.clear();
    if wbuf.capacity() > 4 * DIRECT_WRITE {
        wbuf.shrink_to(DIRECT_WRITE);
    }
    if let Err(e) = result {
        if let Some(l) = live.take() {
            kill(l, shared, &config.transport_error(e));
        }
    }
}

/// Writes `bytes` (and flushes them out of the TLS buffer), failing when the
/// gateway does not take them within the timeout (it stopped reading): the
/// writer never stalls for good.
async fn write_all(config: &Config, write: &mut WriteHalf, bytes: &[u8]) -> io::Result<()> {
    let written = async {
        write.write_all(bytes).await?;
        write.flush().await
    };
    match tokio::time::timeout(config.timeout, written).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the gateway stopped reading requests",
        )),
    }
}

/// Fails requests that could not be written.
fn fail_batch(shared: &Shared, batch: &mut Vec<Request>, err: &Error) {
    for req in batch.drain(..) {
        if let Some(reply) = req.reply {
            let _ = reply.send(Err(err.clone()));
        }
        shared.give_buffer(req.bytes);
    }
}

/// The reader task of one socket.
async fn reader(
    mut read: ReadHalf,
    config: Arc<Config>,
    shared: Arc<Shared>,
    pending: Arc<Mutex<VecDeque<Pending>>>,
    dead: Arc<AtomicBool>,
) {
    let mut buf = BytesMut::with_capacity(READ_CHUNK);
    let mut splitter = Splitter::new(config.protocol, config.max_message_bytes);
    // The length of the last reply: replies on one connection tend to repeat
    // their size (pages of a scan), and room for a whole one saves growing
    // the buffer (a copy) several times per reply. Replies are handed out as
    // slices of the buffer, so it is seldom reclaimed in place anyway.
    let mut last_len = 0;
    let end: Error = loop {
        // Deliver every whole reply already buffered.
        let failed = loop {
            match next_frame(&config, &mut buf, &mut splitter) {
                Ok(Some(frame)) => {
                    last_len = frame.len();
                    if let Err(e) = deliver(&config, &shared, &pending, frame) {
                        break Some(e);
                    }
                }
                Ok(None) => break None,
                Err(e) => break Some(config.wire_error(&mismatch::rehint(e, &buf))),
            }
        };
        if let Some(e) = failed {
            break e;
        }
        // Room for the rest of the reply being read, taken as long as the
        // last one, made while little of it is here: growing the buffer
        // copies what it holds of the reply (the replies before it are
        // slices of the old buffer, which is left to them), and in the
        // middle of a long reply that is most of it.
        let room = last_len.saturating_sub(buf.len()).max(READ_CHUNK / 4);
        if buf.capacity() - buf.len() < room {
            buf.reserve(READ_CHUNK.max(buf.len()).max(last_len));
        }
        match read.read_buf(&mut buf).await {
            Ok(0) => {
                // Marked dead under the queue's lock: the writer queues
                // nothing more on this socket and opens another on next use.
                let waiting = {
                    let queue = lock(&pending);
                    dead.store(true, Ordering::Release);
                    queue.front().map(|p| p.method)
                };
                if waiting.is_none() && buf.is_empty() {
                    tracing::debug!("the gateway at {} closed an idle connection", config.addr);
                    return;
                }
                break eof_error(
                    &config,
                    shared.got_reply.load(Ordering::Acquire),
                    waiting,
                    &buf,
                )
                .await;
            }
            Ok(_) => {}
            Err(e) => break config.transport_error(e),
        }
    };
    dead.store(true, Ordering::Release);
    tracing::debug!("connection to {} failed: {end}", config.addr);
    fail_all(&pending, &end);
}

/// Hands one reply to the oldest pending request.
fn deliver(
    config: &Config,
    shared: &Shared,
    pending: &Mutex<VecDeque<Pending>>,
    frame: Frame,
) -> Result<()> {
    let (name, seq) = match header(config.protocol, &frame) {
        Ok(header) => header,
        Err(_) => {
            // The generated reader, for its error message.
            let e = wire::decode(config.protocol, &frame, |ident, _| Ok(ident))
                .err()
                .map_or_else(|| "unreadable header".to_owned(), |e| e.to_string());
            return Err(config.protocol_error(format!(
                "reply header does not decode: {e}{}",
                config.advice(wire::sniff(&frame))
            )));
        }
    };
    let Some(p) = lock(pending).pop_front() else {
        return Err(config.protocol_error(format!(
            "unexpected message `{}` with no request waiting{}",
            String::from_utf8_lossy(name),
            config.advice(wire::sniff(&frame))
        )));
    };
    if seq != p.seq {
        let err = config.protocol_error(format!(
            "reply `{}` has sequence id {} where {} (`{}`) was expected{}",
            String::from_utf8_lossy(name),
            seq,
            p.seq,
            p.method,
            config.advice(wire::sniff(&frame))
        ));
        if let Some(reply) = p.reply {
            let _ = reply.send(Err(err.clone()));
        }
        return Err(err);
    }
    shared.got_reply.store(true, Ordering::Release);
    if name != p.method.as_bytes() {
        // The stream is in step (the sequence id matched): only this call
        // fails.
        let err = config.protocol_error(format!(
            "the reply to `{}` (sequence id {seq}) is a reply to `{}`",
            p.method,
            String::from_utf8_lossy(name)
        ));
        if let Some(reply) = p.reply {
            let _ = reply.send(Err(err));
        }
        return Ok(());
    }
    match p.reply {
        Some(reply) => {
            // The caller may have given up: the reply is then dropped here.
            let _ = reply.send(Ok(frame));
        }
        None => tracing::trace!("discarded the reply to `{}`", p.method),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hbase_orm_idl::hbase::{HbaseGetTableNamesArgs, HbaseGetTableNamesResult};
    use hbase_orm_idl::thrift::protocol::TMessageIdentifier;
    use hbase_orm_idl::thrift::protocol::TMessageType;
    use hbase_orm_idl::wire::{Protocol, Transport};

    fn config(transport: Transport, protocol: Protocol) -> Config {
        Config {
            host: "h".into(),
            port: 1,
            addr: "h:1".into(),
            transport,
            protocol,
            timeout: Duration::from_secs(1),
            max_message_bytes: 1 << 20,
            http: None,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    fn reply(transport: Transport, protocol: Protocol, seq: i32) -> Vec<u8> {
        let mut out = Vec::new();
        let ident = TMessageIdentifier::new("getTableNames", TMessageType::Reply, seq);
        wire::encode(protocol, transport, &ident, &mut out, |o| {
            HbaseGetTableNamesResult {
                result_value: Some(vec![b"t1".to_vec(), b"t2".to_vec()]),
                io: None,
            }
            .write_to_out_protocol(o)
        })
        .unwrap();
        out
    }

    #[test]
    fn replies_are_split_whole_from_a_trickle() {
        for transport in [Transport::Buffered, Transport::Framed] {
            for protocol in [Protocol::Binary, Protocol::Compact] {
                let config = config(transport, protocol);
                let mut stream = reply(transport, protocol, 1);
                stream.extend(reply(transport, protocol, 2));
                let mut buf = BytesMut::new();
                let mut splitter = Splitter::new(protocol, 1 << 20);
                let mut frames = Vec::new();
                for byte in stream {
                    buf.extend_from_slice(&[byte]);
                    while let Some(frame) = next_frame(&config, &mut buf, &mut splitter).unwrap() {
                        frames.push(frame);
                    }
                }
                assert!(buf.is_empty(), "{transport}/{protocol}");
                let seqs: Vec<i32> = frames
                    .iter()
                    .map(|f| {
                        wire::decode(protocol, f, |ident, _| Ok(ident.sequence_number)).unwrap()
                    })
                    .collect();
                assert_eq!(seqs, [1, 2], "{transport}/{protocol}");
                // The caller's decoding of a frame.
                let handle = Handle::new(config.clone());
                let names = handle
                    .decode::<HbaseGetTableNamesArgs>(frames[0].clone())
                    .unwrap();
                assert_eq!(names, [b"t1".to_vec(), b"t2".to_vec()]);
            }
        }
    }

    #[test]
    fn mismatched_replies_name_the_setting_to_change() {
        // A framed client reading a buffered server's reply.
        let config_framed = config(Transport::Framed, Protocol::Binary);
        let mut buf = BytesMut::from(&reply(Transport::Buffered, Protocol::Binary, 1)[..]);
        let mut splitter = Splitter::new(Protocol::Binary, 1 << 20);
        let err = next_frame(&config_framed, &mut buf, &mut splitter).unwrap_err();
        let err = config_framed.wire_error(&err).to_string();
        assert!(err.contains("set .transport(Transport::Buffered)"), "{err}");

        // A binary client reading a compact server's reply.
        let config_binary = config(Transport::Buffered, Protocol::Binary);
        let mut buf = BytesMut::from(&reply(Transport::Buffered, Protocol::Compact, 1)[..]);
        let err = next_frame(&config_binary, &mut buf, &mut splitter).unwrap_err();
        let err = config_binary.wire_error(&err).to_string();
        assert!(err.contains("set .protocol(Protocol::Compact)"), "{err}");

        // A buffered client reading a framed server's reply.
        let config_buffered = config(Transport::Buffered, Protocol::Binary);
        let framed = reply(Transport::Framed, Protocol::Binary, 1);
        let handle = Handle::new(config_buffered.clone());
        let advice = config_buffered.advice(wire::sniff(&framed));
        assert!(
            advice.contains("set .transport(Transport::Framed)"),
            "{advice}"
        );
        assert!(handle
            .decode::<HbaseGetTableNamesArgs>(Frame::plain(framed.into()))
            .is_err());

        assert_eq!(config_buffered.advice(None), "");
        assert!(config_buffered
            .advice(wire::sniff(b"HTTP/1.1 400"))
            .contains("HTTP"));
    }

    #[test]
    fn server_exceptions_decode_to_their_variants() {
        let config = config(Transport::Buffered, Protocol::Compact);
        let mut out = Vec::new();
        let ident = TMessageIdentifier::new("getTableNames", TMessageType::Reply, 1);
        wire::encode(config.protocol, config.transport, &ident, &mut out, |o| {
            HbaseGetTableNamesResult {
                result_value: None,
                io: Some(hbase_orm_idl::hbase::IOError::new("no".to_owned(), true)),
            }
            .write_to_out_protocol(o)
        })
        .unwrap();
        let handle = Handle::new(config);
        let err = handle
            .decode::<HbaseGetTableNamesArgs>(Frame::plain(out.into()))
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Server {
                    can_retry: true,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn one_failure_reaches_every_waiter_unchanged() {
        let pending = Mutex::new(VecDeque::new());
        let mut receivers = Vec::new();
        for seq in 0..3 {
            let (tx, rx) = oneshot::channel();
            lock(&pending).push_back(Pending {
                seq,
                method: "getRow",
                reply: Some(tx),
            });
            receivers.push(rx);
        }
        let err = Error::Server {
            message: "region moving".into(),
            can_retry: true,
        };
        fail_all(&pending, &err);
        for mut rx in receivers {
            let got = rx.try_recv().unwrap().unwrap_err();
            assert!(
                matches!(&got, Error::Server { can_retry: true, message } if message == "region moving"),
                "{got:?}"
            );
            assert!(got.is_retryable());
        }
        assert!(lock(&pending).is_empty());
    }

    #[test]
    fn pooled_buffers_are_reused_and_bounded() {
        let shared = Shared::default();
        let mut buf = shared.take_buffer();
        buf.extend_from_slice(b"abc");
        let cap = buf.capacity();
        shared.give_buffer(buf);
        let again = shared.take_buffer();
        assert!(again.is_empty());
        assert_eq!(again.capacity(), cap);
        shared.give_buffer(Vec::with_capacity(POOLED_MAX_CAPACITY + 1));
        assert!(shared.buffers().is_empty());
    }
}
