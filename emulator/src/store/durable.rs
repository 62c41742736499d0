//! A [`Store`] that survives restarts: the in-memory store plus a
//! write-ahead log and snapshots in a data directory.
//!
//! # Files
//! - `LOCK`: held with an exclusive `flock` while a store has the directory
//!   open, so a second emulator on the same directory fails to start with a
//!   clear error. The kernel drops the lock when the process dies, even by
//!   `kill -9`. (Only on Unix; elsewhere the file is written but not
//!   locked.)
//! - `wal-<generation>.log`: the log (format in `wal`): one checksummed
//!   frame per change, each holding a record (format in `codec`).
//! - `snapshot-<generation>.snap`: the whole store at the start of
//!   `wal-<generation>.log` (format in `snapshot`).
//!
//! # Writes
//! Every change (table admin, edits, increments, appends, a successful
//! check-and-put) is worked out under one store-wide writer lock without
//! touching memory: resolved into a [`Record`] (edits with their final
//! timestamps, the new table's region id, the server clock's high-water
//! mark) and appended to the log with one `write`. The lock is then
//! released (table admin keeps it until it is applied, since later changes
//! are checked against the tables it leaves), the record is synced as the
//! policy says, and only then applied to memory, in log order, with the
//! same code that replays the log at recovery. So the log order is the order
//! of the changes, replaying it reproduces the state, timestamps included,
//! and no reader, on any connection, sees a change before it is in the log
//! (synced, under [`FsyncPolicy::Always`]): a crash cannot take back what a
//! reader saw. Reads take no writer lock. A read-modify-write (increment,
//! append, check-and-put) first waits for the logged changes of its row to
//! be applied, since it reads the row.
//!
//! If appending or syncing fails (disk full, I/O error), the failing call
//! returns [`StoreError::Storage`] and every later change is refused with
//! the same error until restart: memory may then hold a change the log does
//! not, and the log is the truth.
//!
//! # Durability
//! See [`FsyncPolicy`]. With [`FsyncPolicy::Always`] concurrent writers share
//! `fsync` calls (group commit): one of the waiting writers syncs the log for
//! all the records written so far, the others wait for it.
//!
//! # Recovery
//! Opening a directory loads the newest snapshot and replays every log of
//! that generation or later, in order. Only what a crash can leave at the
//! end of the last log is cut off, with a warning: part of a frame header,
//! a frame shorter than its length says (and not a complete frame whose
//! length field alone is wrong), or zeros. Any other damage (a frame
//! followed by an intact one, found at any offset; a complete frame with a
//! wrong checksum or length; a damaged snapshot; a record that does not
//! decode) is an error naming the file and the offset, and nothing is cut:
//! acknowledged data is never dropped, silently or not (see `wal::scan`).
//! After replay the server clock is above every server timestamp handed out
//! before the restart (each record carries the clock as it stood).
//!
//! Edits are replayed at the time of recovery, so cells that outlived their
//! family's time to live in the meantime are pruned during replay rather
//! than when read: reads return the same cells either way.
//!
//! # Compaction
//! When the current log reaches [`DurableOptions::compact_after`] bytes, the
//! writer that crossed the line, once its own change is applied, waits for
//! every logged change to be applied, syncs that log, starts the next
//! generation's log and copies the store's tables in memory, all under the
//! writer lock (so writers wait for one in-memory copy of the store, which
//! is the pause this emulator accepts). Then, without the lock, it writes the snapshot to
//! a temporary file, syncs it, renames it into place, syncs the directory,
//! and deletes the older logs and snapshots. A crash at any point leaves a
//! directory that recovers to the same state.

mod codec;
mod snapshot;
mod wal;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tracing::{error, info, warn};

use self::codec::{decode_record, encode_record, LoggedRecord, Record};
use super::memory::Table;
use super::{
    Cell, FamilySpec, MemStore, Query, RowEdit, ScanChunk, ScanRange, Store, StoreError,
    StoreResult, TableInfo,
};

/// When the emulator's write-ahead log is synced to disk (`fsync`).
///
/// Either way an acknowledged change has been written to the log file (handed
/// to the operating system) before the reply is sent, so it survives the
/// emulator process being killed, `kill -9` included. The policies differ on
/// a crash of the machine (power loss, kernel panic).
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use hbase_emulator::FsyncPolicy;
///
/// assert_eq!("always".parse::<FsyncPolicy>(), Ok(FsyncPolicy::Always));
/// assert_eq!(
///     "grouped:20".parse::<FsyncPolicy>(),
///     Ok(FsyncPolicy::Grouped { max_delay: Duration::from_millis(20) })
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FsyncPolicy {
    /// The log is synced before each change is acknowledged: an acknowledged
    /// change survives a machine crash. Concurrent writers share one sync.
    #[default]
    Always,
    /// A background thread syncs the log every `max_delay`; changes are
    /// acknowledged without waiting for it. After a machine crash, changes
    /// acknowledged in the last `max_delay` (plus the duration of one sync)
    /// may be missing, in which case recovery keeps a prefix of the log
    /// (or, when the disk kept later blocks of the unsynced end but not
    /// earlier ones, refuses to start and names the damaged offset).
    Grouped {
        /// Longest time between two syncs.
        max_delay: Duration,
    },
}

impl fmt::Display for FsyncPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsyncPolicy::Always => f.write_str("always"),
            FsyncPolicy::Grouped { max_delay } => write!(f, "grouped:{}", max_delay.as_millis()),
        }
    }
}

impl FromStr for FsyncPolicy {
    type Err = String;

    /// `always`, or `grouped:MS` with the longest delay in milliseconds.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("always") {
            return Ok(FsyncPolicy::Always);
        }
        if let Some(ms) = s.strip_prefix("grouped:") {
            return match ms.parse::<u64>() {
                Ok(ms) if ms > 0 => Ok(FsyncPolicy::Grouped {
                    max_delay: Duration::from_millis(ms),
                }),
                _ => Err(format!(
                    "`{ms}` is not a delay in milliseconds (a whole number above 0)"
                )),
            };
        }
        Err(format!(
            "unknown fsync policy `{s}`: expected `always` or `grouped:MS`"
        ))
    }
}

/// How a [`DurableStore`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DurableOptions {
    /// When the log is synced.
    pub(crate) fsync: FsyncPolicy,
    /// Size of the current log, in bytes, that triggers a snapshot and a new
    /// log.
    pub(crate) compact_after: u64,
    /// Tests: how long each sync of the log takes at least (a slow disk).
    #[cfg(test)]
    pub(crate) sync_delay: Duration,
}

/// Default log size that triggers compaction: 64 MiB.
pub(crate) const DEFAULT_COMPACT_AFTER: u64 = 64 << 20;

impl Default for DurableOptions {
    fn default() -> Self {
        DurableOptions {
            fsync: FsyncPolicy::Always,
            compact_after: DEFAULT_COMPACT_AFTER,
            #[cfg(test)]
            sync_delay: Duration::ZERO,
        }
    }
}

/// The in-memory store made durable by a write-ahead log.
pub(crate) struct DurableStore {
    mem: MemStore,
    dir: PathBuf,
    options: DurableOptions,
    writer: Mutex<Writer>,
    sync: Arc<SyncShared>,
    visible: Visibility,
    flusher: Option<JoinHandle<()>>,
    compacting: AtomicBool,
    /// Held for the store's lifetime.
    _lock: DirLock,
}

impl fmt::Debug for DurableStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DurableStore")
            .field("dir", &self.dir)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// The log being appended to; guarded by the writer lock.
struct Writer {
    file: Arc<File>,
    generation: u64,
    /// Bytes in the current log file.
    len: u64,
    /// Log size at which to compact next.
    compact_at: u64,
    /// Records appended since the store was opened.
    seq: u64,
    /// Why changes are refused, after a failed append.
    failed: Option<String>,
}

/// What the syncing writers and the flusher share.
struct SyncShared {
    state: Mutex<SyncState>,
    changed: Condvar,
    #[cfg(test)]
    delay: Duration,
}

struct SyncState {
    /// The current log; logs before it are synced.
    file: Arc<File>,
    /// Records written (`Writer::seq` after the latest append).
    written: u64,
    /// Records known to be on disk.
    synced: u64,
    /// Whether a sync is running.
    syncing: bool,
    /// Why changes are refused, after a failed sync.
    failed: Option<String>,
    /// Tells the flusher to end.
    stop: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SyncShared {
    fn new(file: Arc<File>) -> Self {
        SyncShared {
            state: Mutex::new(SyncState {
                file,
                written: 0,
                synced: 0,
                syncing: false,
                failed: None,
                stop: false,
            }),
            changed: Condvar::new(),
            #[cfg(test)]
            delay: Duration::ZERO,
        }
    }

    fn failed(&self) -> Option<String> {
        lock(&self.state).failed.clone()
    }

    /// Records that `seq` records are written to the current log.
    fn wrote(&self, seq: u64) {
        lock(&self.state).written = seq;
    }

    /// Switches to a new log after the old one (holding `seq` records) was
    /// synced.
    fn rotated(&self, file: Arc<File>, seq: u64) {
        let mut st = lock(&self.state);
        st.file = file;
        st.synced = st.synced.max(seq);
        drop(st);
        self.changed.notify_all();
    }

    fn fail(&self, why: String) {
        let mut st = lock(&self.state);
        st.failed.get_or_insert(why);
        drop(st);
        self.changed.notify_all();
    }

    /// Returns once the first `seq` records are on disk: syncs the log
    /// itself (for every record written so far) unless another thread is
    /// syncing, in which case it waits for that sync and looks again.
    fn sync_until(&self, seq: u64) -> Result<(), String> {
        let mut st = lock(&self.state);
        loop {
            if let Some(why) = &st.failed {
                return Err(why.clone());
            }
            if st.synced >= seq {
                return Ok(());
            }
            if st.syncing {
                st = self
                    .changed
                    .wait(st)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            st.syncing = true;
            let target = st.written;
            let file = Arc::clone(&st.file);
            drop(st);
            #[cfg(test)]
            thread::sleep(self.delay);
            let result = file.sync_data();
            st = lock(&self.state);
            st.syncing = false;
            match result {
                Ok(()) => st.synced = st.synced.max(target),
                Err(e) => {
                    let why = format!("cannot sync the write-ahead log: {e}");
                    error!("{why}; refusing further changes");
                    st.failed.get_or_insert(why);
                }
            }
            self.changed.notify_all();
        }
    }
}

/// Which logged changes readers see: each record is applied to memory once
/// it is logged (and synced, under [`FsyncPolicy::Always`]), in log order.
#[derive(Default)]
struct Visibility {
    state: Mutex<VisibleState>,
    changed: Condvar,
}

#[derive(Default)]
struct VisibleState {
    /// The first `applied` records are applied to memory.
    applied: u64,
    /// Rows of logged records not applied yet, with the latest such
    /// record: a read-modify-write of one of them waits for it.
    pending_rows: HashMap<(Bytes, Bytes), u64>,
}

impl Visibility {
    /// Notes that record `seq` changes `rows`.
    fn pending(&self, seq: u64, rows: &[(Bytes, Bytes)]) {
        if rows.is_empty() {
            return;
        }
        let mut st = lock(&self.state);
        for row in rows {
            st.pending_rows.insert(row.clone(), seq);
        }
    }

    /// Waits until the first `seq` records are applied.
    fn wait_applied(&self, seq: u64) {
        let mut st = lock(&self.state);
        while st.applied < seq {
            st = self
                .changed
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Waits until no logged change of `row` of `table` is still to apply.
    fn wait_row(&self, table: &[u8], row: &[u8]) {
        let key = (Bytes::copy_from_slice(table), Bytes::copy_from_slice(row));
        let mut st = lock(&self.state);
        while st.pending_rows.contains_key(&key) {
            st = self
                .changed
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Runs `apply` for record `seq` once every record before it is
    /// applied, then marks it applied (and its `rows` no longer pending).
    fn apply_in_turn(&self, seq: u64, rows: &[(Bytes, Bytes)], apply: impl FnOnce()) {
        self.wait_applied(seq - 1);
        apply();
        let mut st = lock(&self.state);
        st.applied = seq;
        for row in rows {
            if st.pending_rows.get(row) == Some(&seq) {
                st.pending_rows.remove(row);
            }
        }
        drop(st);
        self.changed.notify_all();
    }
}

/// What a change waits for before it is worked out, under the writer lock.
enum Before {
    /// Nothing: edits whose values are given (puts, deletes).
    Nothing,
    /// Every logged change of this row applied: a read-modify-write reads
    /// the row.
    Row(Bytes, Bytes),
    /// Every logged change applied, and the writer lock held until this one
    /// is too: table admin, which later changes are checked against.
    All,
}

/// The background syncs of [`FsyncPolicy::Grouped`].
fn flusher(sync: Arc<SyncShared>, every: Duration) {
    let mut st = lock(&sync.state);
    let mut next = Instant::now() + every;
    loop {
        if st.stop {
            return;
        }
        let now = Instant::now();
        if now < next {
            st = sync
                .changed
                .wait_timeout(st, next - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            continue;
        }
        next = now + every;
        if st.written > st.synced && st.failed.is_none() {
            let target = st.written;
            drop(st);
            let _ = sync.sync_until(target);
            st = lock(&sync.state);
        }
    }
}

/// The exclusive lock on a data directory.
struct DirLock {
    _file: File,
}

impl DirLock {
    fn acquire(dir: &Path) -> io::Result<Self> {
        let path = dir.join("LOCK");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        #[cfg(unix)]
        {
            use rustix::fs::{flock, FlockOperation};
            if let Err(e) = flock(&file, FlockOperation::NonBlockingLockExclusive) {
                let e = io::Error::from(e);
                if e.kind() == io::ErrorKind::WouldBlock {
                    return Err(io::Error::new(
                        io::ErrorKind::WouldBlock,
                        format!(
                            "data directory {} is in use by another hbase-emulator \
                             (the lock on {} is held)",
                            dir.display(),
                            path.display()
                        ),
                    ));
                }
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot lock {}: {e}", path.display()),
                ));
            }
        }
        // For people looking at the directory; the lock is what counts.
        file.set_len(0)?;
        writeln!(file, "{}", std::process::id())?;
        Ok(DirLock { _file: file })
    }
}

fn invalid(path: &Path, offset: u64, what: impl fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{} is damaged at offset {offset}: {what}", path.display()),
    )
}

fn context(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Applies a logged change during recovery.
fn replay(mem: &MemStore, record: Record) -> StoreResult<()> {
    match record {
        Record::CreateTable {
            name,
            region_id,
            families,
        } => mem.restore_table(Table {
            name,
            enabled: true,
            region_id,
            families: families.into_iter().map(|f| (f.name.clone(), f)).collect(),
            rows: BTreeMap::new(),
        }),
        Record::DeleteTable { name } => mem.delete_table(&name),
        Record::SetEnabled { name, enabled } => mem.set_enabled(&name, enabled),
        Record::Apply { table, edits } => mem.apply(&table, edits),
    }
}

/// The files of a data directory, by generation.
#[derive(Debug, Default)]
struct DirListing {
    logs: Vec<u64>,
    snapshots: Vec<u64>,
}

fn list(dir: &Path) -> io::Result<DirListing> {
    let mut out = DirListing::default();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(g) = wal::parse_name(name) {
            out.logs.push(g);
        } else if let Some(g) = snapshot::parse_name(name) {
            out.snapshots.push(g);
        }
    }
    out.logs.sort_unstable();
    out.snapshots.sort_unstable();
    Ok(out)
}

/// Removes the snapshots and logs left under their temporary names by a
/// crash before they were renamed into place.
fn remove_temporaries(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if (name.starts_with("wal-") || name.starts_with("snapshot-")) && name.ends_with(".tmp") {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Removes the logs and snapshots older than `generation`.
fn remove_older(dir: &Path, generation: u64) -> io::Result<()> {
    let listing = list(dir)?;
    for g in listing.logs.into_iter().filter(|g| *g < generation) {
        fs::remove_file(dir.join(wal::file_name(g)))?;
    }
    for g in listing.snapshots.into_iter().filter(|g| *g < generation) {
        fs::remove_file(dir.join(snapshot::file_name(g)))?;
    }
    wal::sync_dir(dir)
}

/// A snapshot to write, taken under the writer lock.
struct PendingSnapshot {
    generation: u64,
    clock: i64,
    tables: Vec<Table>,
}

impl DurableStore {
    /// Opens (creating if need be) the data directory `dir` and recovers
    /// what it holds.
    ///
    /// # Errors
    /// When the directory is in use by another store (another emulator), on
    /// I/O errors, and when a snapshot or a log is damaged other than by a
    /// torn tail (the message names the file and the offset).
    pub(crate) fn open(dir: impl Into<PathBuf>, options: DurableOptions) -> io::Result<Self> {
        let dir = dir.into();
        let started = Instant::now();
        fs::create_dir_all(&dir).map_err(|e| context(&dir, e))?;
        let dir_lock = DirLock::acquire(&dir)?;
        remove_temporaries(&dir).map_err(|e| context(&dir, e))?;
        let listing = list(&dir).map_err(|e| context(&dir, e))?;

        let mem = MemStore::new();
        let mut clock = 0i64;
        let base = listing.snapshots.last().copied().unwrap_or(0);
        if let Some(&g) = listing.snapshots.last() {
            let path = dir.join(snapshot::file_name(g));
            let data = fs::read(&path).map_err(|e| context(&path, e))?;
            let snap = snapshot::decode(&data, g).map_err(|(o, w)| invalid(&path, o, w))?;
            clock = snap.clock;
            for table in snap.tables {
                mem.restore_table(table)
                    .map_err(|e| invalid(&path, 0, format!("{e:?}")))?;
            }
        }

        let logs: Vec<u64> = listing
            .logs
            .iter()
            .copied()
            .filter(|g| *g >= base)
            .collect();
        let mut records = 0u64;
        let mut last_len = wal::HEADER_LEN;
        for (i, &g) in logs.iter().enumerate() {
            let path = dir.join(wal::file_name(g));
            let data = fs::read(&path).map_err(|e| context(&path, e))?;
            let scan = wal::scan(&data, g).map_err(|c| invalid(&path, c.offset, c.what))?;
            drop(data);
            for (offset, payload) in scan.frames {
                let logged = decode_record(&payload)
                    .map_err(|e| invalid(&path, offset + 8 + e.offset as u64, e.what))?;
                clock = clock.max(logged.clock);
                replay(&mem, logged.record).map_err(|e| {
                    invalid(
                        &path,
                        offset,
                        format!("record does not apply to the recovered state: {e:?}"),
                    )
                })?;
                records += 1;
            }
            if let Some((offset, what)) = scan.torn {
                if i + 1 < logs.len() {
                    return Err(invalid(
                        &path,
                        offset,
                        format!("{what}, in a log followed by a newer log"),
                    ));
                }
                warn!(
                    "{}: cutting off a torn tail at offset {offset} ({what}): an append cut \
                     short by a crash or a power loss; the change it was writing is not \
                     replayed (it had not been acknowledged if the log was written with \
                     --fsync always)",
                    path.display()
                );
                let file = OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(|e| context(&path, e))?;
                file.set_len(offset).map_err(|e| context(&path, e))?;
                file.sync_all().map_err(|e| context(&path, e))?;
            }
            last_len = scan.valid_len;
        }
        mem.advance_clock(clock);

        let (file, generation, len) = match logs.last() {
            Some(&g) => {
                let path = dir.join(wal::file_name(g));
                let file = OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .map_err(|e| context(&path, e))?;
                (file, g, last_len)
            }
            None => {
                let (file, _) = wal::create(&dir, base).map_err(|e| context(&dir, e))?;
                (file, base, wal::HEADER_LEN)
            }
        };
        remove_older(&dir, base).map_err(|e| context(&dir, e))?;

        let file = Arc::new(file);
        #[allow(unused_mut, reason = "set in tests only")]
        let mut sync = SyncShared::new(Arc::clone(&file));
        #[cfg(test)]
        {
            sync.delay = options.sync_delay;
        }
        let sync = Arc::new(sync);
        let flusher = match options.fsync {
            FsyncPolicy::Always => None,
            FsyncPolicy::Grouped { max_delay } => {
                let sync = Arc::clone(&sync);
                let every = max_delay.max(Duration::from_millis(1));
                Some(
                    thread::Builder::new()
                        .name("hbase-emulator-wal-flusher".into())
                        .spawn(move || flusher(sync, every))?,
                )
            }
        };
        let compact_after = options.compact_after.max(wal::HEADER_LEN + 1);
        let store = DurableStore {
            mem,
            dir,
            options,
            writer: Mutex::new(Writer {
                file,
                generation,
                len,
                compact_at: compact_after,
                seq: 0,
                failed: None,
            }),
            sync,
            visible: Visibility::default(),
            flusher,
            compacting: AtomicBool::new(false),
            _lock: dir_lock,
        };
        info!(
            "opened {}: {} tables, {records} log records replayed in {:?} (fsync {})",
            store.dir.display(),
            store.mem.tables().len(),
            started.elapsed(),
            store.options.fsync
        );
        if len >= compact_after || logs.len() > 1 {
            if let Err(e) = store.compact() {
                warn!(
                    "{}: compaction failed, the log keeps growing: {e}",
                    store.dir.display()
                );
            }
        }
        Ok(store)
    }

    /// Writes a snapshot now and starts a new log; the older files are
    /// removed.
    ///
    /// # Errors
    /// When a file cannot be written.
    pub(crate) fn compact(&self) -> io::Result<()> {
        if self.compacting.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let pending = {
            let mut w = lock(&self.writer);
            // The snapshot copies memory: every logged change must be in it.
            self.visible.wait_applied(w.seq);
            self.rotate(&mut w)
        };
        let result = pending.and_then(|p| self.write_snapshot(p));
        self.compacting.store(false, Ordering::Release);
        result
    }

    /// Syncs the current log, starts the next one and copies the tables
    /// (under the writer lock).
    fn rotate(&self, w: &mut Writer) -> io::Result<PendingSnapshot> {
        if let Err(e) = w.file.sync_data() {
            let why = format!("cannot sync the write-ahead log: {e}");
            error!("{why}; refusing further changes");
            self.sync.fail(why);
            return Err(e);
        }
        let generation = w.generation + 1;
        let (file, _) = match wal::create(&self.dir, generation) {
            Ok(created) => created,
            Err(e) => {
                w.compact_at = w.len.saturating_add(self.options.compact_after);
                return Err(e);
            }
        };
        let file = Arc::new(file);
        w.file = Arc::clone(&file);
        w.generation = generation;
        w.len = wal::HEADER_LEN;
        w.compact_at = self.options.compact_after;
        self.sync.rotated(file, w.seq);
        Ok(PendingSnapshot {
            generation,
            clock: self.mem.clock_high_water(),
            tables: self.mem.export(),
        })
    }

    /// Writes a snapshot taken by [`Self::rotate`] and removes what it
    /// replaces (without the writer lock).
    fn write_snapshot(&self, p: PendingSnapshot) -> io::Result<()> {
        let bytes = snapshot::write(&self.dir, p.generation, p.clock, &p.tables)?;
        remove_older(&self.dir, p.generation)?;
        info!(
            "{}: snapshot {} written ({bytes} bytes), older logs removed",
            self.dir.display(),
            p.generation
        );
        Ok(())
    }

    /// Runs a change: `f` works it out from memory without changing it and
    /// returns what to log (nothing when nothing changes). The record is
    /// appended under the writer lock; then, once it is synced as the policy
    /// says, it is applied to memory in log order, so no reader sees a change
    /// before it is in the log.
    fn mutate<T>(
        &self,
        before: Before,
        f: impl FnOnce(&MemStore) -> (StoreResult<T>, Option<Record>),
    ) -> StoreResult<T> {
        let mut w = lock(&self.writer);
        if let Some(why) = w.failed.clone().or_else(|| self.sync.failed()) {
            return Err(StoreError::Storage(why));
        }
        match &before {
            Before::Nothing => {}
            Before::Row(table, row) => self.visible.wait_row(table, row),
            Before::All => self.visible.wait_applied(w.seq),
        }
        let (result, record) = f(&self.mem);
        let Some(record) = record else {
            return result;
        };
        let logged = LoggedRecord {
            clock: self.mem.clock_high_water(),
            record,
        };
        let frame = wal::frame(&encode_record(&logged));
        if let Err(e) = (&*w.file).write_all(&frame) {
            let why = format!(
                "cannot append to the write-ahead log in {}: {e}",
                self.dir.display()
            );
            error!("{why}; refusing further changes");
            w.failed = Some(why.clone());
            return Err(StoreError::Storage(why));
        }
        w.len += frame.len() as u64;
        w.seq += 1;
        let seq = w.seq;
        let rows = match &logged.record {
            Record::Apply { table, edits } => edits
                .iter()
                .map(|e| (table.clone(), e.row.clone()))
                .collect(),
            _ => Vec::new(),
        };
        self.visible.pending(seq, &rows);
        self.sync.wrote(seq);
        let compact = w.len >= w.compact_at && !self.compacting.swap(true, Ordering::AcqRel);
        // Table admin keeps later changes out until it is applied: they are
        // checked against the tables as it leaves them.
        let held = matches!(before, Before::All).then_some(w);
        let synced = match self.options.fsync {
            FsyncPolicy::Always => self.sync.sync_until(seq),
            FsyncPolicy::Grouped { .. } => Ok(()),
        };
        self.visible.apply_in_turn(seq, &rows, || {
            // After a failed sync nothing is applied (every later change is
            // refused): memory keeps to what is surely logged.
            if synced.is_ok() {
                if let Err(e) = replay(&self.mem, logged.record) {
                    error!("a logged change does not apply to memory: {e:?}");
                }
            }
        });
        drop(held);
        if compact {
            let pending = {
                let mut w = lock(&self.writer);
                self.visible.wait_applied(w.seq);
                self.rotate(&mut w)
            };
            if let Err(e) = pending.and_then(|p| self.write_snapshot(p)) {
                warn!(
                    "{}: compaction failed, the log keeps growing: {e}",
                    self.dir.display()
                );
            }
            self.compacting.store(false, Ordering::Release);
        }
        synced.map_err(StoreError::Storage)?;
        result
    }
}

impl Drop for DurableStore {
    fn drop(&mut self) {
        {
            let mut st = lock(&self.sync.state);
            st.stop = true;
        }
        self.sync.changed.notify_all();
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        let written = lock(&self.sync.state).written;
        let _ = self.sync.sync_until(written);
    }
}

impl Store for DurableStore {
    fn is_durable(&self) -> bool {
        true
    }

    fn next_timestamp(&self) -> i64 {
        self.mem.next_timestamp()
    }

    fn create_table(&self, name: Bytes, families: Vec<FamilySpec>) -> StoreResult<()> {
        self.mutate(Before::All, |mem| {
            if mem.table(&name).is_ok() {
                return (Err(StoreError::TableExists(name)), None);
            }
            let region_id = mem.next_timestamp();
            (
                Ok(()),
                Some(Record::CreateTable {
                    name,
                    region_id,
                    families,
                }),
            )
        })
    }

    fn delete_table(&self, name: &[u8]) -> StoreResult<()> {
        self.mutate(Before::All, |mem| match mem.table(name) {
            Err(e) => (Err(e), None),
            Ok(info) if info.enabled => (Err(StoreError::TableNotDisabled(info.name)), None),
            Ok(info) => (Ok(()), Some(Record::DeleteTable { name: info.name })),
        })
    }

    fn set_enabled(&self, name: &[u8], enabled: bool) -> StoreResult<()> {
        self.mutate(Before::All, |mem| match mem.table(name) {
            Err(e) => (Err(e), None),
            Ok(info) => match (info.enabled, enabled) {
                (true, true) => (Err(StoreError::TableNotDisabled(info.name)), None),
                (false, false) => (Err(StoreError::TableNotEnabled(info.name)), None),
                _ => (
                    Ok(()),
                    Some(Record::SetEnabled {
                        name: info.name,
                        enabled,
                    }),
                ),
            },
        })
    }

    fn tables(&self) -> Vec<TableInfo> {
        self.mem.tables()
    }

    fn table(&self, name: &[u8]) -> StoreResult<TableInfo> {
        self.mem.table(name)
    }

    fn apply(&self, table: &[u8], edits: Vec<RowEdit>) -> StoreResult<()> {
        self.mutate(Before::Nothing, |mem| {
            match mem.check_edits(table, &edits) {
                Ok(()) => (Ok(()), applied(table, edits)),
                Err(e) => (Err(e), None),
            }
        })
    }

    fn get(&self, table: &[u8], row: &[u8], query: &Query) -> StoreResult<Vec<Cell>> {
        self.mem.get(table, row, query)
    }

    fn scan(
        &self,
        table: &[u8],
        range: &ScanRange,
        query: &Query,
        max_rows: usize,
    ) -> StoreResult<ScanChunk> {
        self.mem.scan(table, range, query, max_rows)
    }

    fn increment(
        &self,
        table: &[u8],
        row: &[u8],
        deltas: &[(Bytes, Bytes, i64)],
    ) -> StoreResult<Vec<i64>> {
        self.mutate(the_row(table, row), |mem| {
            let mut edits = Vec::new();
            let result = mem.resolve_increment(table, row, deltas, &mut edits);
            (result, applied(table, edits))
        })
    }

    fn append(
        &self,
        table: &[u8],
        row: &[u8],
        values: &[(Bytes, Bytes, Bytes)],
    ) -> StoreResult<Vec<Cell>> {
        self.mutate(the_row(table, row), |mem| {
            let mut edits = Vec::new();
            let result = mem.resolve_append(table, row, values, &mut edits);
            (result, applied(table, edits))
        })
    }

    fn check_and_put(
        &self,
        table: &[u8],
        family: &Bytes,
        qualifier: &Bytes,
        expected: &[u8],
        edit: RowEdit,
    ) -> StoreResult<bool> {
        self.mutate(the_row(table, &edit.row), |mem| {
            match mem.resolve_check_and_put(table, family, qualifier, expected, &edit) {
                Ok(true) => (Ok(true), applied(table, vec![edit])),
                other => (other, None),
            }
        })
    }
}

/// What a read-modify-write of `row` waits for.
fn the_row(table: &[u8], row: &[u8]) -> Before {
    Before::Row(Bytes::copy_from_slice(table), Bytes::copy_from_slice(row))
}

/// The record of edits applied to `table`, if any.
fn applied(table: &[u8], edits: Vec<RowEdit>) -> Option<Record> {
    (!edits.is_empty()).then(|| Record::Apply {
        table: Bytes::copy_from_slice(table),
        edits,
    })
}
