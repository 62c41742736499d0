//! The registry of open scanners: ids, idle expiry and the caps on how many
//! one connection and the whole server may hold.
//!
//! Every call on a scanner goes through one lock, so everything under it is
//! O(log n) in the number of open scanners: a hash map by id, and a set
//! ordered by last use from which expired scanners are taken at its front
//! (by any call and by the periodic reaper), never by a walk over all of
//! them. What each connection holds (scanners, bytes of compiled filters) is
//! counted here too, so the caps are checked under the same lock.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use hbase_orm_idl::hbase::ScannerID;

use crate::limits::{ConnectionId, Limits};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a scanner was not registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The server holds its maximum of open scanners.
    Total(usize),
    /// The connection holds its maximum of open scanners.
    PerConnection(usize),
    /// The connection's compiled filters would exceed their budget.
    FilterMemory {
        /// Bytes the connection's open scanners' filters hold.
        held: usize,
        /// Bytes the new scanner's filter needs.
        needed: usize,
        /// The per-connection budget.
        budget: usize,
    },
}

/// What one connection holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Usage {
    /// Open scanners.
    pub(super) scanners: usize,
    /// Bytes of the compiled filters of those scanners.
    pub(super) filter_bytes: usize,
}

/// The open scanners of type `S`, by id.
pub(super) struct Registry<S> {
    timeout: Duration,
    limits: Limits,
    state: Mutex<State<S>>,
}

struct State<S> {
    next_id: i32,
    open: HashMap<ScannerID, Entry<S>>,
    /// `(last use, id)` of every open scanner, oldest first.
    by_last_use: BTreeSet<(Instant, ScannerID)>,
    /// What each connection holding a scanner holds.
    usage: HashMap<ConnectionId, Usage>,
}

struct Entry<S> {
    scanner: Arc<Mutex<S>>,
    last_used: Instant,
    owner: Option<ConnectionId>,
    filter_bytes: usize,
}

impl<S> State<S> {
    /// Drops every scanner idle for longer than `timeout` at `now`; returns
    /// how many.
    fn expire(&mut self, now: Instant, timeout: Duration) -> usize {
        let mut dropped = 0;
        while let Some(&(used, id)) = self.by_last_use.first() {
            if now.saturating_duration_since(used) <= timeout {
                break;
            }
            self.by_last_use.pop_first();
            if let Some(entry) = self.open.remove(&id) {
                self.release(&entry);
            }
            dropped += 1;
        }
        dropped
    }

    /// Gives back what `entry` held to its connection's usage.
    fn release(&mut self, entry: &Entry<S>) {
        let Some(owner) = entry.owner else {
            return;
        };
        if let Some(usage) = self.usage.get_mut(&owner) {
            usage.scanners = usage.scanners.saturating_sub(1);
            usage.filter_bytes = usage.filter_bytes.saturating_sub(entry.filter_bytes);
            if usage.scanners == 0 {
                self.usage.remove(&owner);
            }
        }
    }
}

impl<S> Registry<S> {
    pub(super) fn new(timeout: Duration, limits: Limits) -> Self {
        Registry {
            timeout,
            limits,
            state: Mutex::new(State {
                next_id: 1,
                open: HashMap::new(),
                by_last_use: BTreeSet::new(),
                usage: HashMap::new(),
            }),
        }
    }

    /// How many scanners are open (expired ones are dropped first).
    pub(super) fn len(&self) -> usize {
        let mut state = lock(&self.state);
        state.expire(Instant::now(), self.timeout);
        state.open.len()
    }

    /// Drops the scanners idle for longer than the timeout; returns how many.
    pub(super) fn reap(&self) -> usize {
        lock(&self.state).expire(Instant::now(), self.timeout)
    }

    /// What `owner` holds now.
    pub(super) fn usage(&self, owner: ConnectionId) -> Usage {
        let mut state = lock(&self.state);
        state.expire(Instant::now(), self.timeout);
        state.usage.get(&owner).copied().unwrap_or_default()
    }

    /// Registers a scanner of `owner` (none for calls from outside a
    /// connection) whose filter holds `filter_bytes`, under a fresh positive
    /// id, unless a cap says no.
    pub(super) fn add(
        &self,
        scanner: S,
        owner: Option<ConnectionId>,
        filter_bytes: usize,
    ) -> Result<ScannerID, Refusal> {
        let now = Instant::now();
        let mut state = lock(&self.state);
        state.expire(now, self.timeout);
        if state.open.len() >= self.limits.scanners_total {
            return Err(Refusal::Total(self.limits.scanners_total));
        }
        if let Some(owner) = owner {
            let usage = state.usage.get(&owner).copied().unwrap_or_default();
            if usage.scanners >= self.limits.scanners_per_connection {
                return Err(Refusal::PerConnection(self.limits.scanners_per_connection));
            }
            let budget = self.limits.filter_bytes_per_connection;
            if usage.filter_bytes.saturating_add(filter_bytes) > budget {
                return Err(Refusal::FilterMemory {
                    held: usage.filter_bytes,
                    needed: filter_bytes,
                    budget,
                });
            }
            let usage = state.usage.entry(owner).or_default();
            usage.scanners += 1;
            usage.filter_bytes += filter_bytes;
        }
        let mut id = state.next_id;
        while state.open.contains_key(&id) {
            id = if id == i32::MAX { 1 } else { id + 1 };
        }
        state.next_id = if id == i32::MAX { 1 } else { id + 1 };
        state.open.insert(
            id,
            Entry {
                scanner: Arc::new(Mutex::new(scanner)),
                last_used: now,
                owner,
                filter_bytes,
            },
        );
        state.by_last_use.insert((now, id));
        Ok(id)
    }

    /// The scanner of `id`, marked as used now.
    pub(super) fn get(&self, id: ScannerID) -> Option<Arc<Mutex<S>>> {
        let now = Instant::now();
        let mut state = lock(&self.state);
        state.expire(now, self.timeout);
        let entry = state.open.get_mut(&id)?;
        let previous = std::mem::replace(&mut entry.last_used, now);
        let scanner = Arc::clone(&entry.scanner);
        state.by_last_use.remove(&(previous, id));
        state.by_last_use.insert((now, id));
        Some(scanner)
    }

    /// Closes the scanner of `id`; `false` when there is none.
    pub(super) fn remove(&self, id: ScannerID) -> bool {
        let mut state = lock(&self.state);
        let Some(entry) = state.open.remove(&id) else {
            return false;
        };
        state.by_last_use.remove(&(entry.last_used, id));
        state.release(&entry);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(total: usize, per_connection: usize, filter_bytes: usize) -> Limits {
        Limits {
            scanners_total: total,
            scanners_per_connection: per_connection,
            filter_bytes_per_connection: filter_bytes,
            ..Limits::default()
        }
    }

    #[test]
    fn caps_refuse_and_closing_gives_room_back() {
        let r = Registry::new(Duration::from_secs(60), limits(3, 2, 100));
        let a = ConnectionId(1);
        let b = ConnectionId(2);
        let first = r.add((), Some(a), 10).expect("first");
        r.add((), Some(a), 10).expect("second");
        assert_eq!(r.add((), Some(a), 10), Err(Refusal::PerConnection(2)));
        r.add((), Some(b), 10).expect("another connection");
        assert_eq!(r.add((), Some(b), 10), Err(Refusal::Total(3)));
        assert!(r.remove(first));
        assert_eq!(
            r.usage(a),
            Usage {
                scanners: 1,
                filter_bytes: 10
            }
        );
        assert_eq!(
            r.add((), Some(a), 95),
            Err(Refusal::FilterMemory {
                held: 10,
                needed: 95,
                budget: 100
            })
        );
        r.add((), Some(a), 90).expect("within the budget");
        assert!(!r.remove(first), "closed twice");
    }

    #[test]
    fn expiry_takes_only_the_idle_ones_and_frees_their_owner() {
        let r = Registry::new(Duration::ZERO, limits(10, 10, 100));
        let owner = ConnectionId(7);
        r.add((), Some(owner), 5).expect("add");
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(r.reap(), 1);
        assert_eq!(r.len(), 0);
        assert_eq!(r.usage(owner), Usage::default());

        let r = Registry::new(Duration::from_secs(60), limits(10, 10, 100));
        let id = r.add((), None, 0).expect("add");
        assert_eq!(r.reap(), 0);
        assert!(r.get(id).is_some());
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn ids_skip_the_ones_in_use_when_they_wrap() {
        let r = Registry::new(Duration::from_secs(60), limits(10, 10, 100));
        lock(&r.state).next_id = i32::MAX;
        assert_eq!(r.add((), None, 0), Ok(i32::MAX));
        assert_eq!(r.add((), None, 0), Ok(1));
    }
}
