//! Scanners and batch scanners: a position in a table's ranges and the
//! entries read ahead of the client.
//!
//! A row is read whole: its delete entries hide the older versions of their
//! columns, then the range, the fetched columns and the visibilities decide
//! what the iterators see, and the iterator stack (table scan iterators and
//! the scan's own, by priority) decides what the client gets.

use std::collections::{BTreeSet, VecDeque};
use std::ops::Bound;
use std::time::Instant;

use super::catalog::Table;
use super::iterators::{Entry, Stack};
use super::key::{Key, Range, StoredKey};
use super::visibility;

/// A fetched column: a family, or a family and qualifier.
pub(crate) type Column = (Vec<u8>, Option<Vec<u8>>);

/// What decides which entries of a row the client sees.
#[derive(Debug)]
pub(crate) struct View {
    pub(crate) columns: Vec<Column>,
    pub(crate) authorizations: BTreeSet<Vec<u8>>,
    pub(crate) stack: Stack,
}

/// An open scanner.
#[derive(Debug)]
pub(crate) struct Scanner {
    /// The table's id when the scanner was made (a table deleted or
    /// recreated since fails the scan).
    pub(crate) table_id: String,
    pub(crate) table: String,
    ranges: Vec<Range>,
    range_index: usize,
    /// The row to continue from, inside the current range.
    resume: Option<Vec<u8>>,
    /// The view, or why reading fails (a security check, an iterator that
    /// does not load).
    view: Result<View, String>,
    buffer: VecDeque<Entry>,
    done: bool,
    pub(crate) last_used: Instant,
}

impl Scanner {
    /// A scanner over `ranges` (sorted and disjoint for a batch scanner).
    pub(crate) fn new(
        table: &str,
        table_id: &str,
        ranges: Vec<Range>,
        view: Result<View, String>,
    ) -> Scanner {
        Scanner {
            table_id: table_id.to_owned(),
            table: table.to_owned(),
            ranges,
            range_index: 0,
            resume: None,
            view,
            buffer: VecDeque::new(),
            done: false,
            last_used: Instant::now(),
        }
    }

    /// Reads ahead until `want` entries are buffered or the ranges end.
    ///
    /// # Errors
    /// Why the scan fails (the Java message).
    pub(crate) fn fill(&mut self, table: Option<&Table>, want: usize) -> Result<(), String> {
        self.last_used = Instant::now();
        let view = self.view.as_ref().map_err(Clone::clone)?;
        while self.buffer.len() < want && !self.done {
            let table = match table {
                Some(t) if t.id == self.table_id => t,
                _ => {
                    return Err(format!(
                        "java.lang.RuntimeException: org.apache.accumulo.core.client.TableDeletedException: Table ID {} was deleted",
                        self.table_id
                    ))
                }
            };
            let Some(range) = self.ranges.get(self.range_index) else {
                self.done = true;
                break;
            };
            let from = match (&self.resume, &range.start) {
                (Some(row), _) => Key::row_start(row),
                (None, Some(start)) => Key::row_start(&start.row),
                (None, None) => Key::row_start(b""),
            };
            let next_row = table
                .entries
                .range((Bound::Included(StoredKey::seek(&from)), Bound::Unbounded))
                .next()
                .map(|(k, _)| k.key.row.clone());
            let Some(row) = next_row else {
                self.range_index += 1;
                self.resume = None;
                continue;
            };
            if range.after_end(&Key::row_start(&row)) {
                self.range_index += 1;
                self.resume = None;
                continue;
            }
            let out = read_row(table, &row, range, view)?;
            self.buffer.extend(out);
            let mut after = row;
            after.push(0);
            self.resume = Some(after);
        }
        Ok(())
    }

    /// Takes up to `k` buffered entries.
    pub(crate) fn take(&mut self, k: usize) -> Vec<Entry> {
        let n = k.min(self.buffer.len());
        self.buffer.drain(..n).collect()
    }

    /// Whether an entry is buffered.
    pub(crate) fn has_buffered(&self) -> bool {
        !self.buffer.is_empty()
    }
}

/// The entries of `row` the view lets through, within `range`.
///
/// # Errors
/// An iterator failing on the data.
pub(crate) fn read_row(
    table: &Table,
    row: &[u8],
    range: &Range,
    view: &View,
) -> Result<Vec<Entry>, String> {
    let visible = live_entries(table, row)
        .into_iter()
        .filter(|(key, _)| range.contains(key))
        .filter(|(key, _)| fetched(&view.columns, key))
        .filter(|(key, _)| visibility::visible(&key.visibility, &view.authorizations))
        .collect();
    view.stack.apply(visible)
}

/// The entries of `row` that no delete entry hides, in key order.
pub(crate) fn live_entries(table: &Table, row: &[u8]) -> Vec<Entry> {
    let mut next = row.to_vec();
    next.push(0);
    let start = StoredKey::seek(&Key::row_start(row));
    let end = StoredKey::seek(&Key::row_start(&next));
    let mut out: Vec<Entry> = Vec::new();
    let mut deleted: Option<&Key> = None;
    for (stored, value) in table.entries.range(start..end) {
        if stored.delete {
            deleted = Some(&stored.key);
            continue;
        }
        if deleted.is_some_and(|d| d.same_column(&stored.key)) {
            continue;
        }
        out.push((stored.key.clone(), value.clone()));
    }
    out
}

fn fetched(columns: &[Column], key: &Key) -> bool {
    columns.is_empty()
        || columns.iter().any(|(family, qualifier)| {
            *family == key.family && qualifier.as_ref().map_or(true, |q| *q == key.qualifier)
        })
}
