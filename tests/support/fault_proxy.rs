//! [`FaultProxy`]: a TCP proxy between a client and the emulator that
//! injects faults: added delays, connections dropped at random (cut in the
//! middle of a message), replies cut after some bytes, refused connections,
//! stalls.
//!
//! Its decisions come from a seeded generator (one per connection and
//! direction, derived from the proxy's seed), so a failing run can be
//! replayed with the same seed (the interleaving of tasks still varies). It
//! runs on the current tokio runtime and stops, with every connection it
//! holds, when dropped.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// Bytes read at once from either side.
const CHUNK: usize = 16 * 1024;
/// How often a stalled connection looks whether the stall is over.
const STALL_POLL: Duration = Duration::from_millis(5);

/// The faults to inject, changeable while the proxy runs
/// ([`FaultProxy::set_faults`]). The default injects none.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Each chunk forwarded waits a random time up to this long.
    pub max_delay: Duration,
    /// Chance, per chunk forwarded (either direction), that the connection
    /// is cut after a random part of the chunk: a cut mid-message.
    pub drop_chance: f64,
    /// The next this-many chunks from the gateway (replies) are cut after
    /// half their bytes, and their connection closed. Decremented as used.
    pub cut_replies: u32,
    /// The next this-many chunks from the client (requests) are cut after
    /// half their bytes, and their connection closed: the gateway never
    /// sees a whole request. Decremented as used.
    pub cut_requests: u32,
    /// New connections are accepted and closed at once.
    pub refuse: bool,
    /// Bytes are held, in both directions, until this is turned off.
    pub stall: bool,
}

/// What the proxy did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Connections accepted and forwarded.
    pub accepted: u64,
    /// Connections closed at once while refusing.
    pub refused: u64,
    /// Connections cut mid-message (random drops and counted cuts).
    pub cut: u64,
    /// Connections closed by [`FaultProxy::cut_all`].
    pub cut_by_hand: u64,
    /// Chunks that were held back by a delay.
    pub delayed: u64,
    /// Bytes forwarded, both directions.
    pub bytes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    accepted: AtomicU64,
    refused: AtomicU64,
    cut: AtomicU64,
    cut_by_hand: AtomicU64,
    delayed: AtomicU64,
    bytes: AtomicU64,
}

#[derive(Debug)]
struct State {
    faults: Mutex<Faults>,
    counters: Counters,
    upstream: SocketAddr,
    seed: u64,
}

impl State {
    fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A fault-injecting TCP proxy in front of one upstream address.
///
/// # Examples
/// ```no_run
/// # async fn f(emulator: hbase_orm_tests::Emulator) {
/// use hbase_orm_tests::fault_proxy::{FaultProxy, Faults};
/// let proxy = FaultProxy::start(emulator.addr(), 7).await;
/// proxy.set_faults(Faults { drop_chance: 0.05, ..Faults::default() });
/// // connect the client to proxy.addr() ...
/// proxy.cut_all();
/// # }
/// ```
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<State>,
    generation: watch::Sender<u64>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port, forwarding to `upstream`,
    /// with no faults yet and decisions seeded by `seed`.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start(upstream: SocketAddr, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fault proxy: bind a loopback port");
        let addr = listener.local_addr().expect("fault proxy: local address");
        let state = Arc::new(State {
            faults: Mutex::new(Faults::default()),
            counters: Counters::default(),
            upstream,
            seed,
        });
        let (generation, _) = watch::channel(0u64);
        let task = tokio::spawn(accept_loop(
            listener,
            Arc::clone(&state),
            generation.subscribe(),
        ));
        FaultProxy {
            addr,
            state,
            generation,
            task,
        }
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replaces the faults injected from now on.
    pub fn set_faults(&self, faults: Faults) {
        *self.state.faults() = faults;
    }

    /// Changes the faults injected from now on.
    pub fn update(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut self.state.faults());
    }

    /// The faults injected now (counted cuts left included).
    pub fn faults(&self) -> Faults {
        self.state.faults().clone()
    }

    /// Stops injecting faults (connections already cut stay cut).
    pub fn clear(&self) {
        self.set_faults(Faults::default());
    }

    /// Closes every connection open now, wherever its messages are.
    pub fn cut_all(&self) {
        self.generation.send_modify(|g| *g += 1);
    }

    /// What the proxy did so far.
    pub fn stats(&self) -> ProxyStats {
        let c = &self.state.counters;
        ProxyStats {
            accepted: c.accepted.load(Ordering::Relaxed),
            refused: c.refused.load(Ordering::Relaxed),
            cut: c.cut.load(Ordering::Relaxed),
            cut_by_hand: c.cut_by_hand.load(Ordering::Relaxed),
            delayed: c.delayed.load(Ordering::Relaxed),
            bytes: c.bytes.load(Ordering::Relaxed),
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // The accept task owns the connections' tasks (a `JoinSet`), which
        // are aborted with it.
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, generation: watch::Receiver<u64>) {
    let mut connections = JoinSet::new();
    let mut index = 0u64;
    loop {
        // Reap finished connections so the set stays small.
        while connections.try_join_next().is_some() {}
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        if state.faults().refuse {
            state.counters.refused.fetch_add(1, Ordering::Relaxed);
            drop(client);
            continue;
        }
        index += 1;
        state.counters.accepted.fetch_add(1, Ordering::Relaxed);
        let seed = state.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index;
        connections.spawn(serve(client, Arc::clone(&state), generation.clone(), seed));
    }
}

/// How a direction of a connection ended.
enum End {
    /// One side closed: close the other.
    Closed,
    /// The proxy cut it.
    Cut,
}

async fn serve(
    client: TcpStream,
    state: Arc<State>,
    mut generation: watch::Receiver<u64>,
    seed: u64,
) {
    let Ok(server) = TcpStream::connect(state.upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    generation.mark_unchanged();
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = pipe(
        client_read,
        server_write,
        Arc::clone(&state),
        StdRng::seed_from_u64(seed),
        Direction::Request,
    );
    let down = pipe(
        server_read,
        client_write,
        Arc::clone(&state),
        StdRng::seed_from_u64(seed ^ 0xDEAD_BEEF),
        Direction::Reply,
    );
    let end = tokio::select! {
        end = up => end,
        end = down => end,
        _ = generation.changed() => {
            state.counters.cut_by_hand.fetch_add(1, Ordering::Relaxed);
            End::Closed
        }
    };
    if let End::Cut = end {
        state.counters.cut.fetch_add(1, Ordering::Relaxed);
    }
    // Both sockets are dropped here: the client and the gateway see the
    // connection close.
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Reply,
}

/// Forwards `from` to `to`, injecting the faults of the moment.
async fn pipe(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    state: Arc<State>,
    mut rng: StdRng,
    direction: Direction,
) -> End {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return End::Closed,
            Ok(n) => n,
        };
        while state.faults().stall {
            tokio::time::sleep(STALL_POLL).await;
        }
        let (max_delay, cut_at) = {
            let mut faults = state.faults();
            let counted = match direction {
                Direction::Request => &mut faults.cut_requests,
                Direction::Reply => &mut faults.cut_replies,
            };
            let cut_at = if *counted > 0 {
                *counted -= 1;
                Some(n / 2)
            } else if faults.drop_chance > 0.0 && rng.gen_bool(faults.drop_chance.min(1.0)) {
                Some(rng.gen_range(0..n))
            } else {
                None
            };
            (faults.max_delay, cut_at)
        };
        if !max_delay.is_zero() {
            let delay = rng.gen_range(Duration::ZERO..=max_delay);
            if !delay.is_zero() {
                state.counters.delayed.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(delay).await;
            }
        }
        let send = cut_at.unwrap_or(n);
        if to.write_all(&buf[..send]).await.is_err() {
            return End::Closed;
        }
        state
            .counters
            .bytes
            .fetch_add(send as u64, Ordering::Relaxed);
        if cut_at.is_some() {
            let _ = to.flush().await;
            return End::Cut;
        }
    }
}
