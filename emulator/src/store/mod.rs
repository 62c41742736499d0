//! Storage behind the handler.
//!
//! Everything the protocol code needs from storage goes through the [`Store`]
//! trait, so that another implementation (a durable one with a write-ahead
//! log) can replace the in-memory [`MemStore`] without touching the handler.
//!
//! Every change is a self-contained value: a [`RowEdit`] lists the operations
//! on one row with their timestamps already resolved, so it can be logged and
//! replayed as is. Read-modify-write operations (increment, append,
//! check-and-put) are resolved into such edits under the row's lock.

mod durable;
mod memory;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Bound;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

pub use durable::FsyncPolicy;
pub(crate) use durable::{DurableOptions, DurableStore};
pub(crate) use memory::MemStore;

/// Result of a storage operation.
pub(crate) type StoreResult<T> = Result<T, StoreError>;

/// Why a storage operation failed. The handler maps each kind to the error
/// HBase raises in that case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoreError {
    /// No table of that name.
    TableNotFound(Bytes),
    /// A table of that name exists already.
    TableExists(Bytes),
    /// The table is disabled.
    TableNotEnabled(Bytes),
    /// The table is enabled (and should not be).
    TableNotDisabled(Bytes),
    /// The table has no such column family.
    NoSuchFamily {
        /// The table.
        table: Bytes,
        /// The unknown family.
        family: Bytes,
    },
    /// A counter cell does not hold 8 bytes.
    NotALong(usize),
    /// The durable store could not log or sync a change (disk full, I/O
    /// error); it refuses every later change until restarted.
    Storage(String),
}

/// Settings of one column family, as given to `createTable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FamilySpec {
    /// Family name, without the trailing colon.
    pub(crate) name: Bytes,
    /// How many versions of a cell are kept (at least 1).
    pub(crate) max_versions: i32,
    /// Compression algorithm name as HBase prints it (`NONE`, `GZ`, ...).
    pub(crate) compression: String,
    /// The in-memory flag (stored, no effect).
    pub(crate) in_memory: bool,
    /// Bloom filter type (`NONE`, `ROW`, `ROWCOL`, ...), stored, no effect.
    pub(crate) bloom_filter_type: String,
    /// The block cache flag (stored, no effect).
    pub(crate) block_cache_enabled: bool,
    /// Time to live of cells in seconds; `i32::MAX` means forever.
    pub(crate) time_to_live: i32,
}

/// What the admin calls see of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableInfo {
    /// Table name.
    pub(crate) name: Bytes,
    /// Whether the table is enabled.
    pub(crate) enabled: bool,
    /// Id of the table's single region (its creation time in ms).
    pub(crate) region_id: i64,
    /// Column families, ordered by name.
    pub(crate) families: Vec<FamilySpec>,
}

/// One cell version as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    /// Column family.
    pub(crate) family: Bytes,
    /// Column qualifier.
    pub(crate) qualifier: Bytes,
    /// Version timestamp in ms.
    pub(crate) timestamp: i64,
    /// The value.
    pub(crate) value: Bytes,
}

/// One operation on a row, with its timestamp resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EditOp {
    /// Writes one cell version (replacing a version with the same timestamp).
    Put {
        /// Column family.
        family: Bytes,
        /// Column qualifier.
        qualifier: Bytes,
        /// Version timestamp.
        timestamp: i64,
        /// The value.
        value: Bytes,
    },
    /// Deletes every version `<= up_to` of one column, including versions
    /// written later with such a timestamp.
    DeleteColumn {
        /// Column family.
        family: Bytes,
        /// Column qualifier.
        qualifier: Bytes,
        /// Inclusive bound.
        up_to: i64,
    },
    /// Deletes every version `<= up_to` of every column of a family.
    DeleteFamily {
        /// Column family.
        family: Bytes,
        /// Inclusive bound.
        up_to: i64,
    },
    /// Deletes every version `<= up_to` of every family of the row.
    DeleteRow {
        /// Inclusive bound.
        up_to: i64,
    },
}

impl EditOp {
    fn family(&self) -> Option<&Bytes> {
        match self {
            EditOp::Put { family, .. }
            | EditOp::DeleteColumn { family, .. }
            | EditOp::DeleteFamily { family, .. } => Some(family),
            EditOp::DeleteRow { .. } => None,
        }
    }
}

/// Operations on one row, applied atomically and in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RowEdit {
    /// The row key.
    pub(crate) row: Bytes,
    /// The operations, in order.
    pub(crate) ops: Vec<EditOp>,
}

/// Which columns a read returns: per family, `None` for the whole family or
/// the set of qualifiers.
pub(crate) type ColumnSelection = BTreeMap<Bytes, Option<BTreeSet<Bytes>>>;

/// What a read returns of each row.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    /// Selected columns; `None` means all.
    pub(crate) columns: Option<ColumnSelection>,
    /// Exclusive upper bound of timestamps (`i64::MAX` for no bound).
    pub(crate) max_timestamp: i64,
    /// How many versions per column at most (further capped by the family's
    /// `max_versions`).
    pub(crate) versions: usize,
}

#[cfg(test)]
impl Query {
    /// The latest version of every column.
    pub(crate) fn latest() -> Self {
        Query {
            columns: None,
            max_timestamp: i64::MAX,
            versions: 1,
        }
    }
}

/// A range of row keys to scan, in scan order.
#[derive(Debug, Clone)]
pub(crate) struct ScanRange {
    /// Where to begin (in scan order: the low key forward, the high key
    /// reversed).
    pub(crate) from: Bound<Bytes>,
    /// Where to end (in scan order).
    pub(crate) to: Bound<Bytes>,
    /// Scan from high keys to low keys.
    pub(crate) reversed: bool,
}

/// One chunk of a scan.
#[derive(Debug, Default)]
pub(crate) struct ScanChunk {
    /// Rows with at least one visible cell, in scan order.
    pub(crate) rows: Vec<(Bytes, Vec<Cell>)>,
    /// The last key examined (returned or skipped): resume after it.
    pub(crate) last_key: Option<Bytes>,
    /// Whether the range has no more rows.
    pub(crate) exhausted: bool,
}

/// The storage interface the handler uses.
pub(crate) trait Store: Send + Sync + fmt::Debug {
    /// Whether changes wait for the disk (so they must not run on an async
    /// worker thread).
    fn is_durable(&self) -> bool {
        false
    }

    /// A server timestamp in ms, strictly greater than any returned before.
    fn next_timestamp(&self) -> i64;

    /// Creates an enabled table.
    ///
    /// # Errors
    /// `TableExists`.
    fn create_table(&self, name: Bytes, families: Vec<FamilySpec>) -> StoreResult<()>;
    /// Deletes a disabled table and its rows.
    ///
    /// # Errors
    /// `TableNotFound`, `TableNotDisabled`.
    fn delete_table(&self, name: &[u8]) -> StoreResult<()>;
    /// Enables or disables a table.
    ///
    /// # Errors
    /// `TableNotFound`; `TableNotDisabled` when enabling an enabled table,
    /// `TableNotEnabled` when disabling a disabled one.
    fn set_enabled(&self, name: &[u8], enabled: bool) -> StoreResult<()>;
    /// All tables, ordered by name.
    fn tables(&self) -> Vec<TableInfo>;
    /// One table.
    ///
    /// # Errors
    /// `TableNotFound`.
    fn table(&self, name: &[u8]) -> StoreResult<TableInfo>;

    /// Applies edits to an enabled table, each row atomically, in order.
    /// Nothing is applied when a family is unknown.
    ///
    /// # Errors
    /// `TableNotFound`, `TableNotEnabled`, `NoSuchFamily`.
    fn apply(&self, table: &[u8], edits: Vec<RowEdit>) -> StoreResult<()>;
    /// Reads one row: cells sorted by family, qualifier, newest first.
    ///
    /// # Errors
    /// `TableNotFound`, `TableNotEnabled`, `NoSuchFamily`.
    fn get(&self, table: &[u8], row: &[u8], query: &Query) -> StoreResult<Vec<Cell>>;
    /// Reads up to `max_rows` non-empty rows of a range.
    ///
    /// # Errors
    /// `TableNotFound`, `TableNotEnabled`, `NoSuchFamily`.
    fn scan(
        &self,
        table: &[u8],
        range: &ScanRange,
        query: &Query,
        max_rows: usize,
    ) -> StoreResult<ScanChunk>;

    /// Adds amounts to 8-byte big-endian counters of one row atomically;
    /// returns the new values in order.
    ///
    /// # Errors
    /// `TableNotFound`, `TableNotEnabled`, `NoSuchFamily`, `NotALong`.
    fn increment(
        &self,
        table: &[u8],
        row: &[u8],
        deltas: &[(Bytes, Bytes, i64)],
    ) -> StoreResult<Vec<i64>>;
    /// Appends bytes to cells of one row atomically; returns the new cells
    /// sorted by column.
    ///
    /// # Errors
    /// `TableNotFound`, `TableNotEnabled`, `NoSuchFamily`.
    fn append(
        &self,
        table: &[u8],
        row: &[u8],
        values: &[(Bytes, Bytes, Bytes)],
    ) -> StoreResult<Vec<Cell>>;
    /// Applies `edit` when the latest value of `family:qualifier` in its row
    /// equals `expected`; an empty `expected` matches a missing or empty cell.
    ///
    /// # Errors
    /// `TableNotFound`, `TableNotEnabled`, `NoSuchFamily`.
    fn check_and_put(
        &self,
        table: &[u8],
        family: &Bytes,
        qualifier: &Bytes,
        expected: &[u8],
        edit: RowEdit,
    ) -> StoreResult<bool>;
}

/// Wall-clock time in ms.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A clock of strictly increasing millisecond timestamps.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    last: AtomicI64,
}

impl Clock {
    /// `max(now, last + 1)`, stored as the new last.
    pub(crate) fn next(&self) -> i64 {
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let next = now_ms().max(last.saturating_add(1));
            match self
                .last
                .compare_exchange_weak(last, next, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }

    /// The last timestamp handed out (0 for a fresh clock).
    pub(crate) fn high_water(&self) -> i64 {
        self.last.load(Ordering::Acquire)
    }

    /// Makes every later timestamp greater than `to`.
    pub(crate) fn advance_to(&self, to: i64) {
        self.last.fetch_max(to, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_strictly_increasing() {
        let clock = Clock::default();
        let mut prev = clock.next();
        for _ in 0..10_000 {
            let t = clock.next();
            assert!(t > prev);
            prev = t;
        }
    }
}
