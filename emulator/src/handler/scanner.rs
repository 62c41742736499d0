//! Scanners: opening, paging, closing, and the registry that expires idle
//! ones.
//!
//! A scanner holds no table lock between calls: it remembers the last key it
//! examined and resumes after it with a range query, so a whole scan costs
//! O(N) however it is paged.

use std::collections::{HashMap, VecDeque};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hbase_orm_idl::hbase::{ScannerID, TRowResult, TScan, Text};
use hbase_orm_idl::thrift;

use super::read::time_bound;
use super::{
    illegal_argument, internal_error, row_result, selection_of, store_error, HbaseHandler,
};
use crate::filter::{self, Filter, KeyValue, RowOutcome};
use crate::store::{Cell, Query, ScanRange, Store};

const INVALID_ID: &str = "scanner ID is invalid";

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The open scanners, by id.
pub(super) struct Scanners {
    timeout: Duration,
    registry: Mutex<Registry>,
}

struct Registry {
    next_id: i32,
    open: HashMap<ScannerID, Entry>,
}

struct Entry {
    scanner: Arc<Mutex<Scanner>>,
    last_used: Instant,
}

impl Scanners {
    pub(super) fn new(timeout: Duration) -> Self {
        Scanners {
            timeout,
            registry: Mutex::new(Registry {
                next_id: 1,
                open: HashMap::new(),
            }),
        }
    }

    pub(super) fn len(&self) -> usize {
        lock(&self.registry).open.len()
    }

    /// Drops the scanners idle for longer than the timeout; returns how many.
    pub(super) fn reap(&self) -> usize {
        let mut registry = lock(&self.registry);
        let before = registry.open.len();
        let timeout = self.timeout;
        registry
            .open
            .retain(|_, entry| entry.last_used.elapsed() <= timeout);
        before - registry.open.len()
    }

    /// Registers a scanner under a fresh positive id.
    fn add(&self, scanner: Scanner) -> ScannerID {
        let mut registry = lock(&self.registry);
        let mut id = registry.next_id;
        while registry.open.contains_key(&id) {
            id = if id == i32::MAX { 1 } else { id + 1 };
        }
        registry.next_id = if id == i32::MAX { 1 } else { id + 1 };
        registry.open.insert(
            id,
            Entry {
                scanner: Arc::new(Mutex::new(scanner)),
                last_used: Instant::now(),
            },
        );
        id
    }

    /// The scanner of `id`, marked as used now.
    fn get(&self, id: ScannerID) -> Option<Arc<Mutex<Scanner>>> {
        let mut registry = lock(&self.registry);
        let timeout = self.timeout;
        registry
            .open
            .retain(|_, entry| entry.last_used.elapsed() <= timeout);
        let entry = registry.open.get_mut(&id)?;
        entry.last_used = Instant::now();
        Some(Arc::clone(&entry.scanner))
    }

    fn remove(&self, id: ScannerID) -> bool {
        lock(&self.registry).open.remove(&id).is_some()
    }
}

/// One open scan.
struct Scanner {
    table: Bytes,
    /// What is left to scan: `from` moves past each examined key.
    range: ScanRange,
    query: Query,
    filter: Option<Filter>,
    /// `scannerOpenWithPrefix`: the scan ends at the first key without it.
    prefix: Option<Bytes>,
    /// Most cells per result (`TScan.batchSize`).
    batch: Option<usize>,
    /// Fill `sortedColumns` instead of `columns`.
    sorted: bool,
    /// Results read but not yet returned.
    pending: VecDeque<TRowResult>,
    done: bool,
}

fn to_key_values(cells: Vec<Cell>) -> Vec<KeyValue> {
    cells
        .into_iter()
        .map(|c| KeyValue {
            family: c.family,
            qualifier: c.qualifier,
            timestamp: c.timestamp,
            value: c.value,
        })
        .collect()
}

fn from_key_values(kvs: Vec<KeyValue>) -> Vec<Cell> {
    kvs.into_iter()
        .map(|kv| Cell {
            family: kv.family,
            qualifier: kv.qualifier,
            timestamp: kv.timestamp,
            value: kv.value,
        })
        .collect()
}

/// The smallest key greater than every key starting with `prefix`, if any.
fn prefix_end(prefix: &[u8]) -> Option<Bytes> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(Bytes::from(end));
        }
    }
    None
}

impl Scanner {
    /// Reads until `want` results are pending or the scan is over.
    fn fill(&mut self, store: &dyn Store, want: usize) -> thrift::Result<()> {
        while self.pending.len() < want && !self.done {
            let need = want - self.pending.len();
            let chunk = store
                .scan(&self.table, &self.range, &self.query, need)
                .map_err(store_error)?;
            match &chunk.last_key {
                Some(last) => self.range.from = Bound::Excluded(last.clone()),
                None if !chunk.exhausted => self.done = true,
                None => {}
            }
            if chunk.exhausted {
                self.done = true;
            }
            for (key, cells) in chunk.rows {
                if let Some(prefix) = &self.prefix {
                    if !key.starts_with(prefix) {
                        self.done = true;
                        break;
                    }
                }
                let (cells, stop) = match &mut self.filter {
                    None => (cells, false),
                    Some(filter) => match filter.filter_row(&key, to_key_values(cells)) {
                        RowOutcome::Include(kvs) => (from_key_values(kvs), false),
                        RowOutcome::IncludeThenStop(kvs) => (from_key_values(kvs), true),
                        RowOutcome::Stop => (Vec::new(), true),
                    },
                };
                if !cells.is_empty() {
                    self.emit(&key, &cells);
                }
                if stop || self.filter.as_ref().is_some_and(Filter::is_done) {
                    self.done = true;
                    break;
                }
            }
        }
        Ok(())
    }

    /// Queues the results of one row, split by the batch size.
    fn emit(&mut self, key: &[u8], cells: &[Cell]) {
        match self.batch {
            Some(batch) => {
                for part in cells.chunks(batch) {
                    self.pending.push_back(row_result(key, part, self.sorted));
                }
            }
            None => self.pending.push_back(row_result(key, cells, self.sorted)),
        }
    }
}

impl HbaseHandler {
    /// Checks the table and columns, then registers the scanner.
    fn open(&self, scanner: Scanner) -> thrift::Result<ScannerID> {
        self.store()
            .scan(&scanner.table, &scanner.range, &scanner.query, 0)
            .map_err(store_error)?;
        Ok(self.inner.scanners.add(scanner))
    }

    /// `scannerOpenWithScan`.
    pub(super) fn open_with_scan(&self, table: Text, scan: TScan) -> thrift::Result<ScannerID> {
        let max_timestamp = match scan.timestamp {
            Some(ts) => time_bound(ts)?,
            None => i64::MAX,
        };
        let reversed = scan.reversed.unwrap_or(false);
        let filter = match scan.filter_string {
            Some(text) if !text.is_empty() => {
                let mut filter = filter::parse_bytes(&text).map_err(|e| internal_error(e.0))?;
                filter.set_reversed(reversed);
                Some(filter)
            }
            _ => None,
        };
        let from = match scan.start_row {
            Some(start) if !start.is_empty() => Bound::Included(Bytes::from(start)),
            _ => Bound::Unbounded,
        };
        let to = match scan.stop_row {
            Some(stop) if !stop.is_empty() => Bound::Excluded(Bytes::from(stop)),
            _ => Bound::Unbounded,
        };
        self.open(Scanner {
            table: Bytes::from(table),
            range: ScanRange { from, to, reversed },
            query: Query {
                columns: selection_of(scan.columns.unwrap_or_default()),
                max_timestamp,
                versions: 1,
            },
            filter,
            prefix: None,
            batch: scan
                .batch_size
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0),
            sorted: scan.sort_columns.unwrap_or(false),
            pending: VecDeque::new(),
            done: false,
        })
    }

    /// `scannerOpen`, `scannerOpenWithStop`, `scannerOpenWithPrefix` (start
    /// at the prefix, end at the first key without it), `scannerOpenTs`,
    /// `scannerOpenWithStopTs`.
    pub(super) fn open_simple(
        &self,
        table: Text,
        start: Text,
        stop: Option<Text>,
        columns: Vec<Text>,
        timestamp: Option<i64>,
        is_prefix: bool,
    ) -> thrift::Result<ScannerID> {
        let max_timestamp = match timestamp {
            Some(ts) => time_bound(ts)?,
            None => i64::MAX,
        };
        let start = Bytes::from(start);
        let prefix = (is_prefix && !start.is_empty()).then(|| start.clone());
        let to = match (&prefix, stop) {
            (Some(prefix), _) => prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded),
            (None, Some(stop)) if !stop.is_empty() => Bound::Excluded(Bytes::from(stop)),
            _ => Bound::Unbounded,
        };
        let from = if start.is_empty() {
            Bound::Unbounded
        } else {
            Bound::Included(start)
        };
        self.open(Scanner {
            table: Bytes::from(table),
            range: ScanRange {
                from,
                to,
                reversed: false,
            },
            query: Query {
                columns: selection_of(columns),
                max_timestamp,
                versions: 1,
            },
            filter: None,
            prefix,
            batch: None,
            sorted: false,
            pending: VecDeque::new(),
            done: false,
        })
    }

    /// `scannerGet` / `scannerGetList`: up to `n` results, `[]` at the end.
    pub(super) fn scanner_get_list(
        &self,
        id: ScannerID,
        n: i32,
    ) -> thrift::Result<Vec<TRowResult>> {
        let scanner = self
            .inner
            .scanners
            .get(id)
            .ok_or_else(|| illegal_argument(INVALID_ID))?;
        let want = usize::try_from(n).unwrap_or(0);
        if want == 0 {
            return Ok(Vec::new());
        }
        let mut scanner = lock(&scanner);
        scanner.fill(self.store(), want)?;
        let take = want.min(scanner.pending.len());
        Ok(scanner.pending.drain(..take).collect())
    }

    /// `scannerClose`.
    pub(super) fn scanner_close(&self, id: ScannerID) -> thrift::Result<()> {
        if self.inner.scanners.remove(id) {
            Ok(())
        } else {
            Err(illegal_argument(INVALID_ID))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_skips_ff_bytes() {
        assert_eq!(prefix_end(b"ab"), Some(Bytes::from_static(b"ac")));
        assert_eq!(prefix_end(b"a\xff"), Some(Bytes::from_static(b"b")));
        assert_eq!(prefix_end(b"\xff\xff"), None);
    }
}
