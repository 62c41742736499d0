//! The lending machinery every connection pool of the crate shares (the
//! HBase [`ConnectionPool`](crate::ConnectionPool), the Accumulo
//! `ConnectorPool`): at most `size` members lent at once, an acquire
//! timeout, members whose socket broke while lent dropped on return, members
//! the server closed while idle re-opened before they are lent, and failover
//! between addresses.
//!
//! A pool's client says what a member is ([`Member`]) and how a new one is
//! opened to one address ([`Opener`]); everything else is here, once.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{Error, Result};

/// What a pool lends: a cheap-to-clone handle on one socket.
pub(crate) trait Member: Clone + Send + Sync + 'static {
    /// `host:port` of the server, for messages.
    fn addr(&self) -> &str;
    /// Whether its socket is open.
    fn is_open(&self) -> bool;
    /// Opens its socket again after the server closed it.
    fn reopen(&self) -> impl Future<Output = Result<()>> + Send;
}

/// How a new member is opened to one address.
pub(crate) trait Opener: Send + Sync + 'static {
    /// The members it opens.
    type Member: Member;
    /// `host:port` it opens to.
    fn addr(&self) -> String;
    /// A new member with its socket open (and, for a client with a login,
    /// logged in).
    fn open(&self) -> impl Future<Output = Result<Self::Member>> + Send;
}

/// The shared state of one pool.
pub(crate) struct Pool<O: Opener> {
    /// One opener per address, in failover order.
    targets: Vec<O>,
    /// `host:port` of each target, for messages.
    target_addrs: Vec<String>,
    /// Index of the target new members are opened to first.
    current: AtomicUsize,
    /// One permit per member that may be lent.
    permits: Arc<Semaphore>,
    /// Idle members, most recently returned last.
    idle: Mutex<Vec<Idle<O::Member>>>,
    size: usize,
    acquire_timeout: Duration,
}

/// An idle member and the index of the target it was opened to.
struct Idle<M> {
    member: M,
    target: usize,
}

impl<O: Opener> fmt::Debug for Pool<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("addresses", &self.target_addrs)
            .field("current", &self.current_address())
            .field("size", &self.size)
            .field("idle", &self.idle_connections())
            .field("in_use", &self.connections_in_use())
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}

impl<O: Opener> Pool<O> {
    /// A pool over `targets` (at least one), lending at most `size` (at
    /// least 1) members at once.
    pub(crate) fn new(targets: Vec<O>, size: usize, acquire_timeout: Duration) -> Arc<Self> {
        let size = size.max(1);
        let target_addrs = targets.iter().map(Opener::addr).collect();
        Arc::new(Pool {
            targets,
            target_addrs,
            current: AtomicUsize::new(0),
            permits: Arc::new(Semaphore::new(size)),
            idle: Mutex::new(Vec::new()),
            size,
            acquire_timeout,
        })
    }

    fn idle(&self) -> MutexGuard<'_, Vec<Idle<O::Member>>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks `target` as failing: new members go to the next address,
    /// unless another caller moved on already.
    pub(crate) fn failed(&self, target: usize) {
        let next = (target + 1) % self.targets.len().max(1);
        let _ = self
            .current
            .compare_exchange(target, next, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Lends a member: an idle one (re-opened first if the server closed
    /// it), or a new one while fewer than `size` exist, waiting at most the
    /// acquire timeout for one to come back.
    pub(crate) async fn get(self: &Arc<Self>) -> Result<Lent<O>> {
        let permit = match tokio::time::timeout(
            self.acquire_timeout,
            Arc::clone(&self.permits).acquire_owned(),
        )
        .await
        {
            Ok(Ok(permit)) => permit,
            // The semaphore is never closed; treat it as exhausted anyway.
            Ok(Err(_)) | Err(_) => {
                return Err(Error::NoConnectionsAvailable {
                    timeout: self.acquire_timeout,
                })
            }
        };
        // Reuse an idle member; the lock is released before any await.
        loop {
            let idle = self.idle().pop();
            let Some(Idle { member, target }) = idle else {
                break;
            };
            if member.is_open() {
                return Ok(self.lend(member, target, permit));
            }
            match member.reopen().await {
                Ok(()) => return Ok(self.lend(member, target, permit)),
                Err(e) => {
                    tracing::debug!("pooled connection to {} cannot reopen: {e}", member.addr());
                    self.failed(target);
                }
            }
        }
        let (member, target) = self.open_new().await?;
        Ok(self.lend(member, target, permit))
    }

    fn lend(
        self: &Arc<Self>,
        member: O::Member,
        target: usize,
        permit: OwnedSemaphorePermit,
    ) -> Lent<O> {
        Lent {
            member,
            target,
            discarded: false,
            pool: Arc::clone(self),
            _permit: permit,
        }
    }

    /// Opens a new member, trying each address once, from the current one
    /// on.
    async fn open_new(&self) -> Result<(O::Member, usize)> {
        let count = self.targets.len();
        if count == 0 {
            return Err(Error::InvalidInput(
                "a connection pool needs at least one address".to_owned(),
            ));
        }
        let first = self.current.load(Ordering::Acquire) % count;
        let mut last_error = None;
        for i in 0..count {
            let target = (first + i) % count;
            match self.targets[target].open().await {
                Ok(member) => {
                    if i > 0 {
                        tracing::info!("failover: now using {}", member.addr());
                    }
                    self.current.store(target, Ordering::Release);
                    return Ok((member, target));
                }
                Err(e) => {
                    tracing::debug!(
                        "cannot open a pooled connection to {}: {e}",
                        self.target_addrs[target]
                    );
                    self.failed(target);
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| {
            Error::InvalidInput("a connection pool needs at least one address".to_owned())
        }))
    }

    /// Most members lent at once.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// The longest [`Pool::get`] waits for a free member.
    pub(crate) fn acquire_timeout(&self) -> Duration {
        self.acquire_timeout
    }

    /// `host:port` of each target, in failover order.
    pub(crate) fn addresses(&self) -> &[String] {
        &self.target_addrs
    }

    /// `host:port` of the target new members go to first.
    pub(crate) fn current_address(&self) -> &str {
        let current = self.current.load(Ordering::Acquire);
        self.target_addrs.get(current).map_or("", String::as_str)
    }

    /// Members sitting idle.
    pub(crate) fn idle_connections(&self) -> usize {
        self.idle().len()
    }

    /// Members lent right now.
    pub(crate) fn connections_in_use(&self) -> usize {
        self.size - self.permits.available_permits()
    }
}

/// A member lent by a [`Pool`]; back to the pool when dropped, unless its
/// socket broke while lent or it was discarded.
pub(crate) struct Lent<O: Opener> {
    member: O::Member,
    target: usize,
    discarded: bool,
    pool: Arc<Pool<O>>,
    // Dropped after `Drop::drop` put the member back, so a waiter that gets
    // this permit finds it idle.
    _permit: OwnedSemaphorePermit,
}

impl<O: Opener> Lent<O> {
    /// The lent member.
    pub(crate) fn member(&self) -> &O::Member {
        &self.member
    }

    /// Drops the member instead of returning it.
    pub(crate) fn discard(mut self) {
        self.discarded = true;
    }
}

impl<O: Opener> Drop for Lent<O> {
    fn drop(&mut self) {
        if self.discarded {
            return;
        }
        if self.member.is_open() {
            self.pool.idle().push(Idle {
                member: self.member.clone(),
                target: self.target,
            });
        } else {
            tracing::debug!(
                "pooled connection to {} lost its socket while lent: discarded",
                self.member.addr()
            );
        }
    }
}

/// What every pool builder sets alike: the addresses, the size and the
/// acquire timeout. A builder keeps them in a field named `pool` and writes
/// their setters with [`pool_setters!`].
#[derive(Debug, Clone)]
pub(crate) struct PoolSettings {
    pub(crate) addresses: Vec<(String, u16)>,
    pub(crate) size: usize,
    pub(crate) acquire_timeout: Duration,
}

impl PoolSettings {
    /// No address, with the client's defaults.
    pub(crate) fn new(size: usize, acquire_timeout: Duration) -> PoolSettings {
        PoolSettings {
            addresses: Vec::new(),
            size,
            acquire_timeout,
        }
    }

    /// The pool's targets: `base` moved to each address by `at`, or `base`
    /// alone when no address was given.
    pub(crate) fn per_address<T: Clone>(&self, base: T, at: impl Fn(T, &str, u16) -> T) -> Vec<T> {
        if self.addresses.is_empty() {
            return vec![base];
        }
        self.addresses
            .iter()
            .map(|(host, port)| at(base.clone(), host, *port))
            .collect()
    }

    /// The pool over `targets`, of this size and acquire timeout.
    pub(crate) fn pool<O: Opener>(&self, targets: Vec<O>) -> Arc<Pool<O>> {
        Pool::new(targets, self.size, self.acquire_timeout)
    }
}

/// Writes the setters a pool builder takes from its `pool` field
/// ([`PoolSettings`]): `size`, `acquire_timeout`, `address`, `addr`, and
/// `connect -> Pool` (the pool, with one member opened and left idle),
/// each named with the docs it has on that builder.
macro_rules! pool_setters {
    (@size $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn size(mut self, size: usize) -> Self {
            self.pool.size = size.max(1);
            self
        }
    };
    (@acquire_timeout $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn acquire_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.pool.acquire_timeout = timeout;
            self
        }
    };
    (@address $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn address(mut self, host: impl Into<String>, port: u16) -> Self {
            self.pool.addresses.push((host.into(), port));
            self
        }
    };
    (@addr $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn addr(self, addr: std::net::SocketAddr) -> Self {
            self.address(addr.ip().to_string(), addr.port())
        }
    };
    (@connect $pool:ty, $(#[$m:meta])*) => {
        $(#[$m])*
        pub async fn connect(self) -> $crate::Result<$pool> {
            let pool = self.build();
            drop(pool.get().await?);
            Ok(pool)
        }
    };
    ($($(#[$m:meta])* $name:ident $(-> $pool:ty)?;)*) => {
        $($crate::network::pool::pool_setters!(@$name $($pool,)? $(#[$m])*);)*
    };
}
pub(crate) use pool_setters;

/// Writes the accessors every pool type has (async and blocking, of every
/// client), each answered by its `inner` field (the shared [`Pool`], or the
/// pool it wraps, which has the same accessors): `size`,
/// `acquire_timeout`, `addresses`, `current_address`, `idle_connections`,
/// `connections_in_use`. `$what` is what the pool lends ("connections",
/// "connectors"), `$peer` the server ("gateway", "proxy").
macro_rules! pool_accessors {
    ($what:literal, $peer:literal) => {
        #[doc = concat!("Most ", $what, " lent at once.")]
        pub fn size(&self) -> usize {
            self.inner.size()
        }

        #[doc = concat!("The longest `get` waits for one of the ", $what, " to come back.")]
        pub fn acquire_timeout(&self) -> std::time::Duration {
            self.inner.acquire_timeout()
        }

        #[doc = concat!("`host:port` of each ", $peer, ", in failover order.")]
        pub fn addresses(&self) -> &[String] {
            self.inner.addresses()
        }

        #[doc = concat!("`host:port` of the ", $peer, " new ", $what, " go to first: ")]
        /// the one that last accepted one.
        pub fn current_address(&self) -> &str {
            self.inner.current_address()
        }

        #[doc = concat!("How many ", $what, " sit idle in the pool.")]
        pub fn idle_connections(&self) -> usize {
            self.inner.idle_connections()
        }

        #[doc = concat!("How many ", $what, " are lent right now.")]
        pub fn connections_in_use(&self) -> usize {
            self.inner.connections_in_use()
        }
    };
}
pub(crate) use pool_accessors;

/// Declares the guard a pool type's `get` returns: it dereferences to the
/// value lent (`$lent`), which `$accessor` returns too, goes back to the
/// pool when dropped, and `discard` drops it instead; each method with the
/// docs given here. A guard of the shared [`Pool`] holds its [`Lent`] and
/// reaches the value through it (`via member`); the guard of a pool that
/// wraps another holds the wrapped pool's guard and, beside it, the lent
/// value as its own client sees it.
macro_rules! pooled_type {
    (
        $(#[$m:meta])* pub struct $name:ident($guard:ty) lends $lent:ty as $label:literal $(, via $member:ident)?;
        $(#[$am:meta])* fn $accessor:ident;
        $(#[$dm:meta])* fn discard;
    ) => {
        $crate::network::pool::pooled_type!(@struct [$(#[$m])*] $name($guard) lends $lent, [$($member)?]);

        impl $name {
            $(#[$am])*
            pub fn $accessor(&self) -> &$lent {
                self.lent()
            }

            $(#[$dm])*
            pub fn discard(self) {
                self.guard.discard();
            }
        }

        impl std::ops::Deref for $name {
            type Target = $lent;

            fn deref(&self) -> &$lent {
                self.lent()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple($label).field(self.lent()).finish()
            }
        }
    };
    (@struct [$(#[$m:meta])*] $name:ident($guard:ty) lends $lent:ty, [$member:ident]) => {
        $(#[$m])* pub struct $name { guard: $guard }

        impl $name { fn lent(&self) -> &$lent { self.guard.$member() } }
    };
    (@struct [$(#[$m:meta])*] $name:ident($guard:ty) lends $lent:ty, []) => {
        $(#[$m])*
        pub struct $name {
            // Declared first: dropped (and so returned to the pool) first.
            guard: $guard,
            lent: $lent,
        }

        impl $name {
            fn lent(&self) -> &$lent {
                &self.lent
            }
        }
    };
}
pub(crate) use pooled_type;

/// Writes `get` and `run` of a pool type that lends a [`pooled_type!`]
/// (`$pooled`) of `$member`s, each with the docs given: `get` (for a pool
/// over the shared [`Pool`] in its `inner` field) wraps what the pool
/// lends; `run` runs a closure with a clone of the lent value, which goes
/// back to the pool when the closure's future completes.
macro_rules! pool_lending {
    ($pooled:ident of $member:ty; $(#[$g:meta])* fn get; $(#[$r:meta])* fn run;) => {
        $(#[$g])*
        pub async fn get(&self) -> $crate::Result<$pooled> {
            Ok($pooled {
                guard: self.inner.get().await?,
            })
        }

        $crate::network::pool::pool_lending!($pooled of $member; $(#[$r])* fn run;);
    };
    ($pooled:ident of $member:ty; $(#[$r:meta])* fn run;) => {
        $(#[$r])*
        pub async fn run<F, Fut, T>(&self, f: F) -> $crate::Result<T>
        where
            F: FnOnce($member) -> Fut,
            Fut: std::future::Future<Output = $crate::Result<T>>,
        {
            let pooled = self.get().await?;
            let result = f(pooled.lent().clone()).await;
            drop(pooled);
            result
        }
    };
}
pub(crate) use pool_lending;
