//! Thrift2 reads: `get` and friends, and the scanners.
//!
//! The store is asked for every stored version of the selected columns;
//! time ranges (of the whole read or per family), visibility and the
//! version limit are then applied here, in that order, and the filter last.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hbase_orm_idl::hbase2::{TColumn, TGet, TResult, TScan, TTimeRange};
use hbase_orm_idl::thrift;

use super::{
    bytes, check_row, illegal_argument, internal_error, io_error, result, store_error, unsupported,
    Thrift2Handler,
};
use crate::filter::{self, Filter, KeyValue, RowOutcome};
use crate::store::{Cell, ColumnSelection, Query, ScanRange};

/// What a read keeps of the stored versions.
#[derive(Debug, Clone)]
struct Shape {
    /// `[min, max)` of the whole read.
    range: (i64, i64),
    /// `[min, max)` per family, overriding `range`.
    per_family: BTreeMap<Bytes, (i64, i64)>,
    /// Versions per column.
    versions: usize,
    /// The reader's labels.
    labels: BTreeSet<String>,
}

fn time_range(tr: &TTimeRange) -> thrift::Result<(i64, i64)> {
    if tr.min_stamp < 0 || tr.max_stamp < tr.min_stamp {
        return Err(internal_error(format!(
            "java.lang.IllegalArgumentException: maxStamp is smaller than minStamp: {} > {}",
            tr.min_stamp, tr.max_stamp
        )));
    }
    Ok((tr.min_stamp, tr.max_stamp))
}

fn selection(columns: Option<Vec<TColumn>>) -> Option<ColumnSelection> {
    let columns = columns.filter(|c| !c.is_empty())?;
    let mut sel = ColumnSelection::new();
    for c in columns {
        let family = bytes(c.family);
        match c.qualifier {
            None => {
                sel.insert(family, None);
            }
            Some(q) => {
                // A family selected whole stays whole.
                if let Some(set) = sel.entry(family).or_insert_with(|| Some(BTreeSet::new())) {
                    set.insert(bytes(q));
                }
            }
        }
    }
    Some(sel)
}

fn parse_filter(
    text: Option<Vec<u8>>,
    raw: Option<Vec<u8>>,
    reversed: bool,
) -> thrift::Result<Option<Filter>> {
    if raw.is_some_and(|b| !b.is_empty()) {
        return Err(unsupported(
            "filterBytes (a serialized Java filter; use filterString)",
        ));
    }
    match text {
        // A set but empty filter string is a parse error on HBase (an
        // undeclared IllegalArgumentException: an internal error).
        Some(text) if text.iter().all(u8::is_ascii_whitespace) => Err(internal_error(
            "java.lang.IllegalArgumentException: Incorrect filter string",
        )),
        Some(text) => {
            let mut filter = filter::parse_bytes(&text).map_err(|e| internal_error(e.0))?;
            filter.set_reversed(reversed);
            Ok(Some(filter))
        }
        None => Ok(None),
    }
}

fn versions(n: Option<i32>) -> usize {
    n.and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n > 0)
        .unwrap_or(1)
}

fn labels(auth: Option<hbase_orm_idl::hbase2::TAuthorization>) -> BTreeSet<String> {
    auth.and_then(|a| a.labels)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// Every stored version of the selected columns.
fn all_versions(columns: Option<ColumnSelection>) -> Query {
    Query {
        columns,
        max_timestamp: i64::MAX,
        versions: usize::MAX,
    }
}

impl Thrift2Handler {
    /// Applies time ranges, visibility and the version limit to the cells
    /// of one row (sorted by column, newest first).
    fn shape(&self, table: &Bytes, row: &Bytes, cells: Vec<Cell>, shape: &Shape) -> Vec<Cell> {
        let labels_apply = !self.inner.labels.is_empty();
        let mut out = Vec::with_capacity(cells.len());
        let mut current: Option<(Bytes, Bytes)> = None;
        let mut kept = 0;
        for cell in cells {
            let (min, max) = shape
                .per_family
                .get(&cell.family)
                .copied()
                .unwrap_or(shape.range);
            if cell.timestamp < min || cell.timestamp >= max {
                continue;
            }
            if labels_apply {
                let at = (
                    table.clone(),
                    row.clone(),
                    cell.family.clone(),
                    cell.qualifier.clone(),
                    cell.timestamp,
                );
                if !self.inner.labels.visible(&at, &shape.labels) {
                    continue;
                }
            }
            let column = (cell.family.clone(), cell.qualifier.clone());
            if current.as_ref() != Some(&column) {
                current = Some(column);
                kept = 0;
            }
            if kept < shape.versions {
                kept += 1;
                out.push(cell);
            }
        }
        out
    }

    /// `get`: one row as a result (empty when nothing matches).
    pub(super) fn get(&self, table: &[u8], get: TGet) -> thrift::Result<TResult> {
        check_row(&get.row)?;
        // HBase's Get refuses a version count below 1 (an IOException).
        if get.max_versions.is_some_and(|n| n < 1) {
            return Err(io_error(
                "java.io.IOException: versions must be positive",
                false,
            ));
        }
        let range = match (get.timestamp, &get.time_range) {
            (Some(ts), _) => (ts, ts.saturating_add(1)),
            (None, Some(tr)) => time_range(tr)?,
            (None, None) => (0, i64::MAX),
        };
        let shape = Shape {
            range,
            per_family: BTreeMap::new(),
            versions: versions(get.max_versions),
            labels: labels(get.authorizations),
        };
        let mut filter = parse_filter(get.filter_string, get.filter_bytes, false)?;
        let table = Bytes::copy_from_slice(table);
        let row = bytes(get.row);
        let cells = self
            .store()
            .get(&table, &row, &all_versions(selection(get.columns)))
            .map_err(store_error)?;
        let cells = self.shape(&table, &row, cells, &shape);
        let cells = match &mut filter {
            Some(f) if !cells.is_empty() => apply_filter(f, &row, cells).0,
            _ => cells,
        };
        Ok(result(&row, &cells))
    }

    /// `openScanner`.
    pub(super) fn open_scanner(&self, table: &[u8], scan: TScan) -> thrift::Result<i32> {
        let scanner = self.scanner(table, scan)?;
        Ok(self.inner.scanners.add(scanner))
    }

    /// `getScannerRows`.
    pub(super) fn scanner_rows(&self, id: i32, num_rows: i32) -> thrift::Result<Vec<TResult>> {
        let Some(mut scanner) = self.inner.scanners.take(id) else {
            return Err(illegal_argument("Invalid scanner Id"));
        };
        let Ok(want) = usize::try_from(num_rows) else {
            self.inner.scanners.put_back(id, scanner);
            // HBase's ResultScanner.next(n) with n < 0 fails inside the
            // gateway (an undeclared exception: an internal error).
            return Err(internal_error(format!(
                "java.lang.IllegalArgumentException: negative number of rows {num_rows}"
            )));
        };
        let rows = self.read(&mut scanner, want);
        self.inner.scanners.put_back(id, scanner);
        rows
    }

    /// `getScannerResults`: opens, reads up to `num_rows`, closes.
    pub(super) fn scanner_results(
        &self,
        table: &[u8],
        scan: TScan,
        num_rows: i32,
    ) -> thrift::Result<Vec<TResult>> {
        let mut scanner = self.scanner(table, scan)?;
        self.read(&mut scanner, usize::try_from(num_rows).unwrap_or(0))
    }

    fn scanner(&self, table: &[u8], scan: TScan) -> thrift::Result<Scanner> {
        let reversed = scan.reversed.unwrap_or(false);
        let range = match &scan.time_range {
            Some(tr) => time_range(tr)?,
            None => (0, i64::MAX),
        };
        let mut per_family = BTreeMap::new();
        for (family, tr) in scan.col_fam_time_range_map.unwrap_or_default() {
            per_family.insert(bytes(family), time_range(&tr)?);
        }
        let shape = Shape {
            range,
            per_family,
            versions: versions(scan.max_versions),
            labels: labels(scan.authorizations),
        };
        let filter = parse_filter(scan.filter_string, scan.filter_bytes, reversed)?;
        let from = match scan.start_row {
            Some(start) if !start.is_empty() => Bound::Included(bytes(start)),
            _ => Bound::Unbounded,
        };
        let to = match scan.stop_row {
            Some(stop) if !stop.is_empty() => Bound::Excluded(bytes(stop)),
            _ => Bound::Unbounded,
        };
        let scanner = Scanner {
            table: Bytes::copy_from_slice(table),
            range: ScanRange { from, to, reversed },
            query: all_versions(selection(scan.columns)),
            shape,
            filter,
            left: scan
                .limit
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0),
            batch: scan
                .batch_size
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0),
            pending: VecDeque::new(),
            done: false,
        };
        // Checks the table and the families now, as HBase does.
        self.store()
            .scan(&scanner.table, &scanner.range, &scanner.query, 0)
            .map_err(store_error)?;
        Ok(scanner)
    }

    /// Reads up to `want` results.
    fn read(&self, scanner: &mut Scanner, want: usize) -> thrift::Result<Vec<TResult>> {
        let mut out = Vec::new();
        // The rest of a row cut by the batch size comes first.
        while out.len() < want {
            match scanner.pending.pop_front() {
                Some(part) => out.push(part),
                None => break,
            }
        }
        while out.len() < want && !scanner.done {
            let need = (want - out.len()).min(scanner.left.unwrap_or(usize::MAX));
            let chunk = self
                .store()
                .scan(&scanner.table, &scanner.range, &scanner.query, need.max(1))
                .map_err(store_error)?;
            let mut ended = chunk.exhausted;
            match &chunk.last_key {
                Some(last) => scanner.range.from = Bound::Excluded(last.clone()),
                None if !chunk.exhausted => ended = true,
                None => {}
            }
            for (key, cells) in chunk.rows {
                let cells = self.shape(&scanner.table, &key, cells, &scanner.shape);
                if cells.is_empty() {
                    continue;
                }
                let (cells, stop) = match &mut scanner.filter {
                    Some(f) => apply_filter(f, &key, cells),
                    None => (cells, false),
                };
                if !cells.is_empty() {
                    // A batch size cuts a row into results of at most that
                    // many cells (HBase's `Scan.setBatch`), all but the last
                    // flagged partial; a limit still counts rows.
                    let size = scanner.batch.unwrap_or(cells.len()).max(1);
                    let parts = cells.len().div_ceil(size);
                    for (i, chunk) in cells.chunks(size).enumerate() {
                        let mut part = result(&key, chunk);
                        part.partial = Some(i + 1 < parts);
                        if out.len() < want {
                            out.push(part);
                        } else {
                            scanner.pending.push_back(part);
                        }
                    }
                    if let Some(left) = &mut scanner.left {
                        *left -= 1;
                        if *left == 0 {
                            scanner.done = true;
                        }
                    }
                }
                if stop || scanner.done {
                    scanner.done = true;
                    break;
                }
            }
            if ended {
                scanner.done = true;
            }
        }
        Ok(out)
    }
}

/// Runs the filter on one row; the flag says the scan ends after it.
fn apply_filter(filter: &mut Filter, row: &[u8], cells: Vec<Cell>) -> (Vec<Cell>, bool) {
    let kvs = cells
        .into_iter()
        .map(|c| KeyValue {
            family: c.family,
            qualifier: c.qualifier,
            timestamp: c.timestamp,
            value: c.value,
        })
        .collect();
    let (kvs, stop) = match filter.filter_row(row, kvs) {
        RowOutcome::Include(kvs) => (kvs, false),
        RowOutcome::IncludeThenStop(kvs) => (kvs, true),
        RowOutcome::Stop => (Vec::new(), true),
    };
    let cells = kvs
        .into_iter()
        .map(|kv| Cell {
            family: kv.family,
            qualifier: kv.qualifier,
            timestamp: kv.timestamp,
            value: kv.value,
        })
        .collect();
    (cells, stop || filter.is_done())
}

/// One open scan.
struct Scanner {
    table: Bytes,
    /// What is left to scan: `from` moves past each examined key.
    range: ScanRange,
    query: Query,
    shape: Shape,
    filter: Option<Filter>,
    /// Rows still allowed by `TScan.limit`.
    left: Option<usize>,
    /// Cells per result at most (`TScan.batchSize`).
    batch: Option<usize>,
    /// Parts of a row cut by `batch` not yet returned.
    pending: VecDeque<TResult>,
    done: bool,
}

/// The open scanners and their last use.
pub(super) struct Scanners {
    timeout: Duration,
    open: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    next_id: i32,
    /// `None` while a call reads the scanner.
    scanners: HashMap<i32, (Option<Scanner>, Instant)>,
}

impl Scanners {
    pub(super) fn new(timeout: Duration) -> Self {
        Scanners {
            timeout,
            open: Mutex::new(Registry::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn len(&self) -> usize {
        self.lock().scanners.len()
    }

    pub(super) fn reap(&self) {
        let timeout = self.timeout;
        self.lock()
            .scanners
            .retain(|_, (s, used)| s.is_none() || used.elapsed() <= timeout);
    }

    fn add(&self, scanner: Scanner) -> i32 {
        let mut registry = self.lock();
        let mut id = registry.next_id;
        while registry.scanners.contains_key(&id) {
            id = id.checked_add(1).unwrap_or(0);
        }
        registry.next_id = id.checked_add(1).unwrap_or(0);
        registry
            .scanners
            .insert(id, (Some(scanner), Instant::now()));
        id
    }

    /// Takes the scanner out for one call; `None` when unknown, expired or
    /// in use by another call.
    fn take(&self, id: i32) -> Option<Scanner> {
        self.reap();
        let mut registry = self.lock();
        let (slot, used) = registry.scanners.get_mut(&id)?;
        *used = Instant::now();
        slot.take()
    }

    /// Returns a scanner taken by [`Scanners::take`] (unless it was closed
    /// meanwhile).
    fn put_back(&self, id: i32, scanner: Scanner) {
        let mut registry = self.lock();
        if let Some((slot, used)) = registry.scanners.get_mut(&id) {
            *slot = Some(scanner);
            *used = Instant::now();
        }
    }

    pub(super) fn remove(&self, id: i32) {
        self.lock().scanners.remove(&id);
    }
}
