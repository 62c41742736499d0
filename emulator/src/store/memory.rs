//! The in-memory [`Store`]: one ordered map of rows per table, each table
//! behind its own lock.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;

use super::{
    now_ms, Cell, Clock, EditOp, FamilySpec, Query, RowEdit, ScanChunk, ScanRange, Store,
    StoreError, StoreResult, TableInfo,
};

/// How many rows without visible cells one scan call examines, at most,
/// beyond the rows it returns (bounds the time a table lock is held).
const MAX_SKIPPED_ROWS_PER_CALL: usize = 4096;

/// Storage in memory, lost when the process ends.
#[derive(Debug, Default)]
pub(crate) struct MemStore {
    clock: Clock,
    tables: RwLock<BTreeMap<Bytes, Arc<RwLock<Table>>>>,
}

/// One table with all its rows (what a snapshot holds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Table {
    pub(super) name: Bytes,
    pub(super) enabled: bool,
    pub(super) region_id: i64,
    pub(super) families: BTreeMap<Bytes, FamilySpec>,
    pub(super) rows: BTreeMap<Bytes, Row>,
}

/// One row: its families, each with its columns.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Row {
    pub(super) families: BTreeMap<Bytes, FamilyCells>,
}

/// The cells of one family in one row.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct FamilyCells {
    /// Family delete marker: versions `<=` this are deleted.
    pub(super) deleted_up_to: Option<i64>,
    pub(super) columns: BTreeMap<Bytes, Column>,
}

/// The versions of one column in one row.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Column {
    /// Column delete marker: versions `<=` this are deleted.
    pub(super) deleted_up_to: Option<i64>,
    /// Versions, newest first.
    pub(super) versions: Vec<(i64, Bytes)>,
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

/// Whether a cell of `timestamp` has outlived the family's time to live.
fn expired(spec: &FamilySpec, timestamp: i64, now: i64) -> bool {
    spec.time_to_live != i32::MAX
        && timestamp < now.saturating_sub(i64::from(spec.time_to_live) * 1000)
}

fn max_versions(spec: &FamilySpec) -> usize {
    usize::try_from(spec.max_versions).unwrap_or(1).max(1)
}

impl Table {
    fn info(&self) -> TableInfo {
        TableInfo {
            name: self.name.clone(),
            enabled: self.enabled,
            region_id: self.region_id,
            families: self.families.values().cloned().collect(),
        }
    }

    fn check_enabled(&self) -> StoreResult<()> {
        if self.enabled {
            Ok(())
        } else {
            Err(StoreError::TableNotEnabled(self.name.clone()))
        }
    }

    fn check_family(&self, family: &Bytes) -> StoreResult<&FamilySpec> {
        self.families
            .get(family)
            .ok_or_else(|| StoreError::NoSuchFamily {
                table: self.name.clone(),
                family: family.clone(),
            })
    }

    fn check_query(&self, query: &Query) -> StoreResult<()> {
        if let Some(columns) = &query.columns {
            for family in columns.keys() {
                self.check_family(family)?;
            }
        }
        Ok(())
    }

    fn check_edit(&self, edit: &RowEdit) -> StoreResult<()> {
        for op in &edit.ops {
            if let Some(family) = op.family() {
                self.check_family(family)?;
            }
        }
        Ok(())
    }

    /// Applies one edit (families already checked).
    fn apply(&mut self, edit: &RowEdit, now: i64) {
        let families = &self.families;
        let row = self.rows.entry(edit.row.clone()).or_default();
        for op in &edit.ops {
            match op {
                EditOp::Put {
                    family,
                    qualifier,
                    timestamp,
                    value,
                } => {
                    let Some(spec) = families.get(family) else {
                        continue;
                    };
                    let fam = row.families.entry(family.clone()).or_default();
                    if fam.deleted_up_to.is_some_and(|d| *timestamp <= d) {
                        continue;
                    }
                    let col = fam.columns.entry(qualifier.clone()).or_default();
                    if col.deleted_up_to.is_some_and(|d| *timestamp <= d) {
                        continue;
                    }
                    match col.versions.binary_search_by(|(ts, _)| timestamp.cmp(ts)) {
                        Ok(i) => col.versions[i].1 = value.clone(),
                        Err(i) => col.versions.insert(i, (*timestamp, value.clone())),
                    }
                    col.versions.truncate(max_versions(spec));
                    col.versions.retain(|(ts, _)| !expired(spec, *ts, now));
                }
                EditOp::DeleteColumn {
                    family,
                    qualifier,
                    up_to,
                } => {
                    let fam = row.families.entry(family.clone()).or_default();
                    let col = fam.columns.entry(qualifier.clone()).or_default();
                    col.deleted_up_to = Some(col.deleted_up_to.map_or(*up_to, |d| d.max(*up_to)));
                    col.versions.retain(|(ts, _)| ts > up_to);
                }
                EditOp::DeleteFamily { family, up_to } => {
                    delete_family(row, family, *up_to);
                }
                EditOp::DeleteRow { up_to } => {
                    for family in families.keys() {
                        delete_family(row, family, *up_to);
                    }
                }
            }
        }
        if row.families.is_empty() {
            self.rows.remove(&edit.row);
        }
    }

    /// The visible cells of a row for a query (query already checked).
    fn read_row(&self, row: &Row, query: &Query, now: i64) -> Vec<Cell> {
        let mut out = Vec::new();
        match &query.columns {
            None => {
                for (family, cells) in &row.families {
                    if let Some(spec) = self.families.get(family) {
                        for (qualifier, col) in &cells.columns {
                            push_versions(&mut out, spec, family, qualifier, col, query, now);
                        }
                    }
                }
            }
            Some(selection) => {
                for (family, qualifiers) in selection {
                    let (Some(spec), Some(cells)) =
                        (self.families.get(family), row.families.get(family))
                    else {
                        continue;
                    };
                    match qualifiers {
                        None => {
                            for (qualifier, col) in &cells.columns {
                                push_versions(&mut out, spec, family, qualifier, col, query, now);
                            }
                        }
                        Some(qualifiers) => {
                            for qualifier in qualifiers {
                                if let Some(col) = cells.columns.get(qualifier) {
                                    push_versions(
                                        &mut out, spec, family, qualifier, col, query, now,
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The latest visible version of one column.
    fn latest(
        &self,
        row: &[u8],
        family: &Bytes,
        qualifier: &[u8],
        now: i64,
    ) -> Option<(i64, Bytes)> {
        let spec = self.families.get(family)?;
        let col = self
            .rows
            .get(row)?
            .families
            .get(family)?
            .columns
            .get(qualifier)?;
        col.versions
            .iter()
            .find(|(ts, _)| !expired(spec, *ts, now))
            .cloned()
    }
}

impl Table {
    /// Whether the latest value of `family:qualifier` in the row of `edit`
    /// is `expected` (empty: missing or empty), after checking the families.
    fn check_and_put_matches(
        &self,
        family: &Bytes,
        qualifier: &Bytes,
        expected: &[u8],
        edit: &RowEdit,
    ) -> StoreResult<bool> {
        self.check_family(family)?;
        self.check_edit(edit)?;
        Ok(match self.latest(&edit.row, family, qualifier, now_ms()) {
            None => expected.is_empty(),
            Some((_, value)) => value[..] == *expected,
        })
    }

    /// A copy of this table's settings with only `row` (if it exists): what
    /// a read-modify-write is worked out on without touching the table.
    fn scratch(&self, row: &[u8]) -> Table {
        Table {
            name: self.name.clone(),
            enabled: self.enabled,
            region_id: self.region_id,
            families: self.families.clone(),
            rows: self
                .rows
                .get_key_value(row)
                .map(|(k, r)| (k.clone(), r.clone()))
                .into_iter()
                .collect(),
        }
    }
}

fn delete_family(row: &mut Row, family: &Bytes, up_to: i64) {
    let fam = row.families.entry(family.clone()).or_default();
    fam.deleted_up_to = Some(fam.deleted_up_to.map_or(up_to, |d| d.max(up_to)));
    let marker = fam.deleted_up_to;
    fam.columns.retain(|_, col| {
        col.versions.retain(|(ts, _)| *ts > up_to);
        !col.versions.is_empty() || col.deleted_up_to > marker
    });
}

fn push_versions(
    out: &mut Vec<Cell>,
    spec: &FamilySpec,
    family: &Bytes,
    qualifier: &Bytes,
    col: &Column,
    query: &Query,
    now: i64,
) {
    let limit = query.versions.min(max_versions(spec));
    out.extend(
        col.versions
            .iter()
            .filter(|(ts, _)| *ts < query.max_timestamp && !expired(spec, *ts, now))
            .take(limit)
            .map(|(ts, value)| Cell {
                family: family.clone(),
                qualifier: qualifier.clone(),
                timestamp: *ts,
                value: value.clone(),
            }),
    );
}

/// Whether `(low, high)` bounds an empty key range (where `BTreeMap::range`
/// would panic or return nothing).
fn empty_range(low: &Bound<Bytes>, high: &Bound<Bytes>) -> bool {
    match (low, high) {
        (Bound::Included(l), Bound::Included(h)) => l > h,
        (Bound::Included(l), Bound::Excluded(h))
        | (Bound::Excluded(l), Bound::Included(h))
        | (Bound::Excluded(l), Bound::Excluded(h)) => l >= h,
        _ => false,
    }
}

impl MemStore {
    /// An empty store.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn handle(&self, name: &[u8]) -> StoreResult<Arc<RwLock<Table>>> {
        read(&self.tables)
            .get(name)
            .cloned()
            .ok_or_else(|| StoreError::TableNotFound(Bytes::copy_from_slice(name)))
    }

    /// Runs `f` on an enabled table under its write lock.
    fn with_table_mut<T>(
        &self,
        name: &[u8],
        f: impl FnOnce(&mut Table) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let handle = self.handle(name)?;
        let mut table = write(&handle);
        table.check_enabled()?;
        f(&mut table)
    }

    /// Runs `f` on an enabled table under its read lock.
    fn with_table<T>(
        &self,
        name: &[u8],
        f: impl FnOnce(&Table) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let handle = self.handle(name)?;
        let table = read(&handle);
        table.check_enabled()?;
        f(&table)
    }

    /// The last timestamp the clock handed out.
    pub(super) fn clock_high_water(&self) -> i64 {
        self.clock.high_water()
    }

    /// Makes every later server timestamp greater than `to`.
    pub(super) fn advance_clock(&self, to: i64) {
        self.clock.advance_to(to);
    }

    /// A copy of every table with its rows, ordered by name. Each table is
    /// copied under its read lock; the caller keeps writers out for a
    /// consistent image of the whole store.
    pub(super) fn export(&self) -> Vec<Table> {
        let handles: Vec<_> = read(&self.tables).values().cloned().collect();
        handles.iter().map(|h| read(h).clone()).collect()
    }

    /// Adds a table as it is (enabled or not, with its rows).
    ///
    /// # Errors
    /// `TableExists`.
    pub(super) fn restore_table(&self, table: Table) -> StoreResult<()> {
        let mut tables = write(&self.tables);
        if tables.contains_key(&table.name) {
            return Err(StoreError::TableExists(table.name));
        }
        tables.insert(table.name.clone(), Arc::new(RwLock::new(table)));
        Ok(())
    }

    /// [`Store::increment`], also pushing to `log` every edit applied (even
    /// when an error stops it part way: the edits before it stay applied).
    pub(super) fn increment_logged(
        &self,
        table: &[u8],
        row: &[u8],
        deltas: &[(Bytes, Bytes, i64)],
        log: &mut Vec<RowEdit>,
    ) -> StoreResult<Vec<i64>> {
        self.with_table_mut(table, |t| self.increment_in(t, row, deltas, log))
    }

    /// Works out [`Store::increment`] without changing the store: pushes to
    /// `log` the edits it would apply (as [`Self::increment_logged`] does)
    /// and returns what it would return.
    pub(super) fn resolve_increment(
        &self,
        table: &[u8],
        row: &[u8],
        deltas: &[(Bytes, Bytes, i64)],
        log: &mut Vec<RowEdit>,
    ) -> StoreResult<Vec<i64>> {
        self.with_table(table, |t| {
            self.increment_in(&mut t.scratch(row), row, deltas, log)
        })
    }

    fn increment_in(
        &self,
        t: &mut Table,
        row: &[u8],
        deltas: &[(Bytes, Bytes, i64)],
        log: &mut Vec<RowEdit>,
    ) -> StoreResult<Vec<i64>> {
        for (family, _, _) in deltas {
            t.check_family(family)?;
        }
        let now = now_ms();
        let row = Bytes::copy_from_slice(row);
        let mut results = Vec::with_capacity(deltas.len());
        for (family, qualifier, amount) in deltas {
            let current = t.latest(&row, family, qualifier, now);
            let (old, old_ts) = match &current {
                None => (0, i64::MIN),
                Some((ts, value)) => {
                    let bytes: [u8; 8] = value[..]
                        .try_into()
                        .map_err(|_| StoreError::NotALong(value.len()))?;
                    (i64::from_be_bytes(bytes), *ts)
                }
            };
            let new = old.wrapping_add(*amount);
            let op = EditOp::Put {
                family: family.clone(),
                qualifier: qualifier.clone(),
                timestamp: self.clock.next().max(old_ts.saturating_add(1)),
                value: Bytes::copy_from_slice(&new.to_be_bytes()),
            };
            // The resolved edit (what a durable store logs), applied one
            // at a time so that a column named twice adds up.
            let edit = RowEdit {
                row: row.clone(),
                ops: vec![op],
            };
            t.apply(&edit, now);
            log.push(edit);
            results.push(new);
        }
        Ok(results)
    }

    /// [`Store::append`], also pushing to `log` every edit applied.
    pub(super) fn append_logged(
        &self,
        table: &[u8],
        row: &[u8],
        values: &[(Bytes, Bytes, Bytes)],
        log: &mut Vec<RowEdit>,
    ) -> StoreResult<Vec<Cell>> {
        self.with_table_mut(table, |t| self.append_in(t, row, values, log))
    }

    /// Works out [`Store::append`] without changing the store, as
    /// [`Self::resolve_increment`] does.
    pub(super) fn resolve_append(
        &self,
        table: &[u8],
        row: &[u8],
        values: &[(Bytes, Bytes, Bytes)],
        log: &mut Vec<RowEdit>,
    ) -> StoreResult<Vec<Cell>> {
        self.with_table(table, |t| {
            self.append_in(&mut t.scratch(row), row, values, log)
        })
    }

    fn append_in(
        &self,
        t: &mut Table,
        row: &[u8],
        values: &[(Bytes, Bytes, Bytes)],
        log: &mut Vec<RowEdit>,
    ) -> StoreResult<Vec<Cell>> {
        for (family, _, _) in values {
            t.check_family(family)?;
        }
        let now = now_ms();
        let row = Bytes::copy_from_slice(row);
        let mut result: BTreeMap<(Bytes, Bytes), Cell> = BTreeMap::new();
        for (family, qualifier, suffix) in values {
            let current = t.latest(&row, family, qualifier, now);
            let (value, old_ts) = match current {
                None => (suffix.clone(), i64::MIN),
                Some((ts, old)) => {
                    let mut v = Vec::with_capacity(old.len() + suffix.len());
                    v.extend_from_slice(&old);
                    v.extend_from_slice(suffix);
                    (Bytes::from(v), ts)
                }
            };
            let timestamp = self.clock.next().max(old_ts.saturating_add(1));
            let op = EditOp::Put {
                family: family.clone(),
                qualifier: qualifier.clone(),
                timestamp,
                value: value.clone(),
            };
            let edit = RowEdit {
                row: row.clone(),
                ops: vec![op],
            };
            t.apply(&edit, now);
            log.push(edit);
            result.insert(
                (family.clone(), qualifier.clone()),
                Cell {
                    family: family.clone(),
                    qualifier: qualifier.clone(),
                    timestamp,
                    value,
                },
            );
        }
        Ok(result.into_values().collect())
    }

    /// Checks that `edits` would apply to `table` (enabled, families known)
    /// without applying them.
    pub(super) fn check_edits(&self, table: &[u8], edits: &[RowEdit]) -> StoreResult<()> {
        self.with_table(table, |t| edits.iter().try_for_each(|e| t.check_edit(e)))
    }

    /// Whether [`Store::check_and_put`] would apply `edit`, without
    /// applying it.
    pub(super) fn resolve_check_and_put(
        &self,
        table: &[u8],
        family: &Bytes,
        qualifier: &Bytes,
        expected: &[u8],
        edit: &RowEdit,
    ) -> StoreResult<bool> {
        self.with_table(table, |t| {
            t.check_and_put_matches(family, qualifier, expected, edit)
        })
    }
}

impl Store for MemStore {
    fn next_timestamp(&self) -> i64 {
        self.clock.next()
    }

    fn create_table(&self, name: Bytes, families: Vec<FamilySpec>) -> StoreResult<()> {
        let mut tables = write(&self.tables);
        if tables.contains_key(&name) {
            return Err(StoreError::TableExists(name));
        }
        let table = Table {
            name: name.clone(),
            enabled: true,
            region_id: self.clock.next(),
            families: families.into_iter().map(|f| (f.name.clone(), f)).collect(),
            rows: BTreeMap::new(),
        };
        tables.insert(name, Arc::new(RwLock::new(table)));
        Ok(())
    }

    fn delete_table(&self, name: &[u8]) -> StoreResult<()> {
        let mut tables = write(&self.tables);
        let handle = tables
            .get(name)
            .ok_or_else(|| StoreError::TableNotFound(Bytes::copy_from_slice(name)))?;
        if read(handle).enabled {
            return Err(StoreError::TableNotDisabled(Bytes::copy_from_slice(name)));
        }
        tables.remove(name);
        Ok(())
    }

    fn set_enabled(&self, name: &[u8], enabled: bool) -> StoreResult<()> {
        let handle = self.handle(name)?;
        let mut table = write(&handle);
        match (table.enabled, enabled) {
            (true, true) => Err(StoreError::TableNotDisabled(table.name.clone())),
            (false, false) => Err(StoreError::TableNotEnabled(table.name.clone())),
            _ => {
                table.enabled = enabled;
                Ok(())
            }
        }
    }

    fn tables(&self) -> Vec<TableInfo> {
        let handles: Vec<_> = read(&self.tables).values().cloned().collect();
        handles.iter().map(|h| read(h).info()).collect()
    }

    fn table(&self, name: &[u8]) -> StoreResult<TableInfo> {
        let handle = self.handle(name)?;
        let info = read(&handle).info();
        Ok(info)
    }

    fn apply(&self, table: &[u8], edits: Vec<RowEdit>) -> StoreResult<()> {
        self.with_table_mut(table, |t| {
            for edit in &edits {
                t.check_edit(edit)?;
            }
            let now = now_ms();
            for edit in &edits {
                t.apply(edit, now);
            }
            Ok(())
        })
    }

    fn get(&self, table: &[u8], row: &[u8], query: &Query) -> StoreResult<Vec<Cell>> {
        self.with_table(table, |t| {
            t.check_query(query)?;
            Ok(match t.rows.get(row) {
                Some(r) => t.read_row(r, query, now_ms()),
                None => Vec::new(),
            })
        })
    }

    fn scan(
        &self,
        table: &[u8],
        range: &ScanRange,
        query: &Query,
        max_rows: usize,
    ) -> StoreResult<ScanChunk> {
        self.with_table(table, |t| {
            t.check_query(query)?;
            let (low, high) = if range.reversed {
                (range.to.clone(), range.from.clone())
            } else {
                (range.from.clone(), range.to.clone())
            };
            let mut chunk = ScanChunk::default();
            if empty_range(&low, &high) || max_rows == 0 {
                chunk.exhausted = max_rows > 0 || empty_range(&low, &high);
                return Ok(chunk);
            }
            let now = now_ms();
            let range_iter = t.rows.range::<Bytes, _>((low, high));
            let iter: Box<dyn Iterator<Item = (&Bytes, &Row)>> = if range.reversed {
                Box::new(range_iter.rev())
            } else {
                Box::new(range_iter)
            };
            let mut skipped = 0;
            chunk.exhausted = true;
            for (key, row) in iter {
                if chunk.rows.len() >= max_rows || skipped >= MAX_SKIPPED_ROWS_PER_CALL {
                    chunk.exhausted = false;
                    break;
                }
                chunk.last_key = Some(key.clone());
                let cells = t.read_row(row, query, now);
                if cells.is_empty() {
                    skipped += 1;
                } else {
                    chunk.rows.push((key.clone(), cells));
                }
            }
            Ok(chunk)
        })
    }

    fn increment(
        &self,
        table: &[u8],
        row: &[u8],
        deltas: &[(Bytes, Bytes, i64)],
    ) -> StoreResult<Vec<i64>> {
        self.increment_logged(table, row, deltas, &mut Vec::new())
    }

    fn append(
        &self,
        table: &[u8],
        row: &[u8],
        values: &[(Bytes, Bytes, Bytes)],
    ) -> StoreResult<Vec<Cell>> {
        self.append_logged(table, row, values, &mut Vec::new())
    }

    fn check_and_put(
        &self,
        table: &[u8],
        family: &Bytes,
        qualifier: &Bytes,
        expected: &[u8],
        edit: RowEdit,
    ) -> StoreResult<bool> {
        self.with_table_mut(table, |t| {
            let matches = t.check_and_put_matches(family, qualifier, expected, &edit)?;
            if matches {
                t.apply(&edit, now_ms());
            }
            Ok(matches)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, max_versions: i32, ttl: i32) -> FamilySpec {
        FamilySpec {
            name: Bytes::copy_from_slice(name.as_bytes()),
            max_versions,
            compression: "NONE".into(),
            in_memory: false,
            bloom_filter_type: "NONE".into(),
            block_cache_enabled: false,
            time_to_live: ttl,
        }
    }

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn put(row: &str, q: &str, ts: i64, v: &str) -> RowEdit {
        RowEdit {
            row: b(row),
            ops: vec![EditOp::Put {
                family: b("f"),
                qualifier: b(q),
                timestamp: ts,
                value: b(v),
            }],
        }
    }

    fn store() -> MemStore {
        let s = MemStore::new();
        s.create_table(b("t"), vec![spec("f", 3, i32::MAX)])
            .expect("create");
        s
    }

    fn all_versions() -> Query {
        Query {
            columns: None,
            max_timestamp: i64::MAX,
            versions: usize::MAX,
        }
    }

    #[test]
    fn versions_are_capped_and_newest_first() {
        let s = store();
        for ts in 1..=5 {
            s.apply(b"t", vec![put("r", "q", ts, &ts.to_string())])
                .expect("put");
        }
        let cells = s.get(b"t", b"r", &all_versions()).expect("get");
        let ts: Vec<i64> = cells.iter().map(|c| c.timestamp).collect();
        assert_eq!(ts, vec![5, 4, 3]);
    }

    #[test]
    fn delete_marker_hides_later_put_with_older_timestamp() {
        let s = store();
        s.apply(b"t", vec![put("r", "q", 10, "a")]).expect("put");
        s.apply(
            b"t",
            vec![RowEdit {
                row: b("r"),
                ops: vec![EditOp::DeleteColumn {
                    family: b("f"),
                    qualifier: b("q"),
                    up_to: 20,
                }],
            }],
        )
        .expect("delete");
        s.apply(b"t", vec![put("r", "q", 15, "old")]).expect("put");
        assert!(s.get(b"t", b"r", &all_versions()).expect("get").is_empty());
        s.apply(b"t", vec![put("r", "q", 25, "new")]).expect("put");
        assert_eq!(s.get(b"t", b"r", &all_versions()).expect("get").len(), 1);
    }

    #[test]
    fn ttl_hides_old_cells() {
        let s = MemStore::new();
        s.create_table(b("t"), vec![spec("f", 3, 10)])
            .expect("create");
        s.apply(b"t", vec![put("r", "old", 1000, "x")])
            .expect("put");
        s.apply(b"t", vec![put("r", "new", now_ms(), "y")])
            .expect("put");
        let cells = s.get(b"t", b"r", &all_versions()).expect("get");
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].qualifier, b("new"));
    }

    #[test]
    fn scan_ranges_and_reverse() {
        let s = store();
        for k in ["a", "b", "c", "d"] {
            s.apply(b"t", vec![put(k, "q", 1, "v")]).expect("put");
        }
        let fwd = ScanRange {
            from: Bound::Included(b("b")),
            to: Bound::Excluded(b("d")),
            reversed: false,
        };
        let chunk = s.scan(b"t", &fwd, &Query::latest(), 10).expect("scan");
        let keys: Vec<_> = chunk.rows.iter().map(|r| r.0.clone()).collect();
        assert_eq!(keys, vec![b("b"), b("c")]);
        assert!(chunk.exhausted);
        let rev = ScanRange {
            from: Bound::Included(b("c")),
            to: Bound::Excluded(b("a")),
            reversed: true,
        };
        let chunk = s.scan(b"t", &rev, &Query::latest(), 10).expect("scan");
        let keys: Vec<_> = chunk.rows.iter().map(|r| r.0.clone()).collect();
        assert_eq!(keys, vec![b("c"), b("b")]);
        let inverted = ScanRange {
            from: Bound::Included(b("d")),
            to: Bound::Excluded(b("a")),
            reversed: false,
        };
        assert!(s
            .scan(b"t", &inverted, &Query::latest(), 10)
            .expect("scan")
            .rows
            .is_empty());
    }

    #[test]
    fn increment_rejects_non_long() {
        let s = store();
        s.apply(b"t", vec![put("r", "q", 1, "abc")]).expect("put");
        assert_eq!(
            s.increment(b"t", b"r", &[(b("f"), b("q"), 1)]),
            Err(StoreError::NotALong(3))
        );
        assert_eq!(
            s.increment(b"t", b"r", &[(b("f"), b("n"), 2), (b("f"), b("n"), 3)]),
            Ok(vec![2, 5])
        );
    }

    #[test]
    fn unknown_family_applies_nothing() {
        let s = store();
        let mut edit = put("r", "q", 1, "v");
        edit.ops.push(EditOp::DeleteFamily {
            family: b("nope"),
            up_to: 5,
        });
        assert!(matches!(
            s.apply(b"t", vec![edit]),
            Err(StoreError::NoSuchFamily { .. })
        ));
        assert!(s.get(b"t", b"r", &all_versions()).expect("get").is_empty());
    }
}

#[cfg(test)]
mod model_tests {
    //! The store against a naive model: every put and delete marker kept,
    //! the visible versions computed from scratch.

    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Put(u8, i64, u8),
        DeleteColumn(u8, i64),
        DeleteFamily(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..3, 0i64..20, any::<u8>()).prop_map(|(q, ts, v)| Op::Put(q, ts, v)),
            1 => (0u8..3, 0i64..20).prop_map(|(q, ts)| Op::DeleteColumn(q, ts)),
            1 => (0i64..20).prop_map(Op::DeleteFamily),
        ]
    }

    fn qualifier(q: u8) -> Bytes {
        Bytes::from(vec![b'q', q])
    }

    proptest! {
        #[test]
        fn store_matches_model(ops in proptest::collection::vec(op(), 0..40), max in 1i32..4, bound in 0i64..22) {
            let store = MemStore::new();
            let family = Bytes::from_static(b"f");
            store.create_table(Bytes::from_static(b"t"), vec![FamilySpec {
                name: family.clone(),
                max_versions: max,
                compression: "NONE".into(),
                in_memory: false,
                bloom_filter_type: "NONE".into(),
                block_cache_enabled: false,
                time_to_live: i32::MAX,
            }]).expect("create");
            // model: per qualifier, versions by timestamp (last write wins),
            // and delete markers
            let mut puts: BTreeMap<u8, BTreeMap<i64, u8>> = BTreeMap::new();
            let mut column_marker: BTreeMap<u8, i64> = BTreeMap::new();
            let mut family_marker = -1i64;
            // a put is hidden by any marker at or above its timestamp, which
            // also holds when the marker came first
            for op in &ops {
                let edit = match op {
                    Op::Put(q, ts, v) => {
                        let hidden = family_marker >= *ts
                            || column_marker.get(q).is_some_and(|m| m >= ts);
                        if !hidden {
                            puts.entry(*q).or_default().insert(*ts, *v);
                        }
                        EditOp::Put { family: family.clone(), qualifier: qualifier(*q), timestamp: *ts, value: Bytes::from(vec![*v]) }
                    }
                    Op::DeleteColumn(q, ts) => {
                        let m = column_marker.entry(*q).or_insert(-1);
                        *m = (*m).max(*ts);
                        if let Some(p) = puts.get_mut(q) {
                            p.retain(|t, _| t > ts);
                        }
                        EditOp::DeleteColumn { family: family.clone(), qualifier: qualifier(*q), up_to: *ts }
                    }
                    Op::DeleteFamily(ts) => {
                        family_marker = family_marker.max(*ts);
                        for p in puts.values_mut() {
                            p.retain(|t, _| t > ts);
                        }
                        EditOp::DeleteFamily { family: family.clone(), up_to: *ts }
                    }
                };
                // versions beyond max_versions are gone for good
                for p in puts.values_mut() {
                    while p.len() > max as usize {
                        let oldest = *p.keys().next().expect("non-empty");
                        p.remove(&oldest);
                    }
                }
                store.apply(b"t", vec![RowEdit { row: Bytes::from_static(b"r"), ops: vec![edit] }]).expect("apply");
            }
            let query = Query { columns: None, max_timestamp: bound, versions: usize::MAX };
            let got: Vec<(Bytes, i64, Bytes)> = store
                .get(b"t", b"r", &query)
                .expect("get")
                .into_iter()
                .map(|c| (c.qualifier, c.timestamp, c.value))
                .collect();
            let mut want = Vec::new();
            for (q, versions) in &puts {
                for (ts, v) in versions.iter().rev() {
                    if *ts < bound {
                        want.push((qualifier(*q), *ts, Bytes::from(vec![*v])));
                    }
                }
            }
            prop_assert_eq!(got, want);
        }
    }
}
