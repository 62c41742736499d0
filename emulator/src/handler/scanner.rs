//! Scanners: opening, paging, closing, and the registry that expires idle
//! ones.
//!
//! A scanner holds no table lock between calls: it remembers the last key it
//! examined and resumes after it with a range query, so a whole scan costs
//! O(N) however it is paged.

use std::collections::VecDeque;
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use hbase_orm_idl::hbase::{ScannerID, TRowResult, TScan, Text};
use hbase_orm_idl::thrift;
use tracing::warn;

use super::read::time_bound;
use super::registry::{Refusal, Registry};
use super::{
    illegal_argument, internal_error, io_error, reply_bytes, row_result, selection_of, store_error,
    HbaseHandler,
};
use crate::filter::{self, Filter, KeyValue, ParseRefusal, RowOutcome};
use crate::store::{Cell, Query, ScanRange, Store};

const INVALID_ID: &str = "scanner ID is invalid";

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The open scanners, by id.
pub(super) type Scanners = Registry<Scanner>;

/// One open scan.
pub(super) struct Scanner {
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
    /// Results read but not yet returned, with about how many bytes each
    /// takes in a reply.
    pending: VecDeque<(TRowResult, usize)>,
    /// The sum of those sizes.
    pending_bytes: usize,
    done: bool,
}

/// Bytes a scanner page stops at (it always holds at least one result): a
/// quarter of the reply limit, at most 1 MiB, so that a page of
/// `2^31 - 1` rows is not built.
fn page_bytes(reply_limit: usize) -> usize {
    (reply_limit / 4).clamp(1, 1 << 20)
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
    /// Reads until `want` results or `max_bytes` are pending, or the scan
    /// is over.
    fn fill(&mut self, store: &dyn Store, want: usize, max_bytes: usize) -> thrift::Result<()> {
        while self.pending.len() < want && self.pending_bytes < max_bytes && !self.done {
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
        let parts: Box<dyn Iterator<Item = &[Cell]>> = match self.batch {
            Some(batch) => Box::new(cells.chunks(batch)),
            None => Box::new(std::iter::once(cells)),
        };
        for part in parts {
            let bytes = reply_bytes(key, part);
            self.pending_bytes += bytes;
            self.pending
                .push_back((row_result(key, part, self.sorted), bytes));
        }
    }

    /// Takes up to `want` pending results, stopping once `max_bytes` are
    /// taken (always at least one, if any).
    fn take(&mut self, want: usize, max_bytes: usize) -> Vec<TRowResult> {
        let mut out = Vec::new();
        let mut bytes = 0;
        while out.len() < want && (out.is_empty() || bytes < max_bytes) {
            let Some((result, size)) = self.pending.pop_front() else {
                break;
            };
            bytes += size;
            self.pending_bytes -= size;
            out.push(result);
        }
        out
    }
}

impl HbaseHandler {
    /// Checks the table and columns, then registers the scanner (whose
    /// filter holds `filter_bytes`), unless a limit says no.
    fn open(&self, scanner: Scanner, filter_bytes: usize) -> thrift::Result<ScannerID> {
        self.store()
            .scan(&scanner.table, &scanner.range, &scanner.query, 0)
            .map_err(store_error)?;
        self.inner
            .scanners
            .add(scanner, self.connection, filter_bytes)
            .map_err(|refusal| self.refuse_scanner(&refusal))
    }

    /// The error for a scanner a limit refused, logged once.
    fn refuse_scanner(&self, refusal: &Refusal) -> thrift::Error {
        let why = match refusal {
            Refusal::Total(n) => format!(
                "too many open scanners on the server ({n}, --max-scanners); close scanners \
                 when done or wait for idle ones to expire"
            ),
            Refusal::PerConnection(n) => format!(
                "too many open scanners on this connection ({n}, \
                 --max-scanners-per-connection); close scanners when done"
            ),
            Refusal::FilterMemory {
                held,
                needed,
                budget,
            } => format!(
                "the filters of this connection's open scanners would hold {} bytes, more \
                 than {budget} (--max-filter-bytes-per-connection; {held} held, {needed} \
                 more asked); close scanners when done",
                held.saturating_add(*needed)
            ),
        };
        warn!(connection = ?self.connection, "refusing a scanner: {why}");
        io_error(format!("java.io.IOException: {why}"), false)
    }

    /// `scannerOpenWithScan`.
    pub(super) fn open_with_scan(&self, table: Text, scan: TScan) -> thrift::Result<ScannerID> {
        let max_timestamp = match scan.timestamp {
            Some(ts) => time_bound(ts)?,
            None => i64::MAX,
        };
        let reversed = scan.reversed.unwrap_or(false);
        // A filter string that is set is parsed, even when empty: HBase's
        // parser then fails ("Incorrect Filter String"), as it does here.
        let filter = match scan.filter_string {
            Some(text) if text.iter().all(u8::is_ascii_whitespace) => {
                return Err(internal_error(
                    "java.lang.IllegalArgumentException: Incorrect Filter String",
                ));
            }
            Some(text) => {
                let mut filter = self.parse_filter(&text)?;
                filter.set_reversed(reversed);
                Some(filter)
            }
            None => None,
        };
        let filter_bytes = filter.as_ref().map_or(0, Filter::memory_bytes);
        let from = match scan.start_row {
            Some(start) if !start.is_empty() => Bound::Included(Bytes::from(start)),
            _ => Bound::Unbounded,
        };
        let to = match scan.stop_row {
            Some(stop) if !stop.is_empty() => Bound::Excluded(Bytes::from(stop)),
            _ => Bound::Unbounded,
        };
        self.open(
            Scanner {
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
                pending_bytes: 0,
                done: false,
            },
            filter_bytes,
        )
    }

    /// Parses a scan's filter within what this connection may still spend
    /// on compiled filters.
    fn parse_filter(&self, text: &[u8]) -> thrift::Result<Filter> {
        let limits = &self.inner.limits;
        let held = self
            .connection
            .map_or(0, |c| self.inner.scanners.usage(c).filter_bytes);
        let left = limits.filter_bytes_per_connection.saturating_sub(held);
        let budget = limits.filter_bytes_per_scanner.min(left);
        match filter::parse_within(text, budget) {
            Ok(filter) => Ok(filter),
            Err(ParseRefusal::Invalid(e)) => Err(internal_error(e.0)),
            Err(ParseRefusal::OverBudget(e)) => {
                let flag = if budget < limits.filter_bytes_per_scanner {
                    format!(
                        "--max-filter-bytes-per-connection: this connection's open scanners \
                         hold {held} of {} bytes",
                        limits.filter_bytes_per_connection
                    )
                } else {
                    "--max-filter-bytes".to_owned()
                };
                let why = format!("{} ({flag})", e.0);
                warn!(connection = ?self.connection, "refusing a filter: {why}");
                Err(internal_error(why))
            }
        }
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
        self.open(
            Scanner {
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
                pending_bytes: 0,
                done: false,
            },
            0,
        )
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
        // HBase refuses a negative count (its scanner's next(n) throws).
        let want = usize::try_from(n).map_err(|_| {
            internal_error(format!(
                "java.lang.IllegalArgumentException: nbRows must be positive, not {n}"
            ))
        })?;
        if want == 0 {
            return Ok(Vec::new());
        }
        let mut scanner = lock(&scanner);
        let max_bytes = page_bytes(self.inner.limits.reply_bytes);
        scanner.fill(self.store(), want, max_bytes)?;
        Ok(scanner.take(want, max_bytes))
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
