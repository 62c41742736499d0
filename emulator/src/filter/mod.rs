//! The gateway's filter language: parsing a filter string and applying the
//! parsed filter to the rows of a scan.
//!
//! Interface used by the scanner code (keep it stable):
//! - [`parse`] turns a filter string into a [`Filter`], or a [`FilterError`]
//!   whose message names the problem. [`parse_bytes`] does the same for the
//!   raw bytes of a Thrift `Text` field (row keys in filters need not be
//!   UTF-8).
//! - A [`Filter`] is stateful (page counts, WHILE) and used by one scanner:
//!   [`Filter::filter_row`] is called once per row, in scan order, with the
//!   row's cells sorted by family, qualifier, then newest timestamp first.
//!   Once it returns [`RowOutcome::IncludeThenStop`] or [`RowOutcome::Stop`],
//!   [`Filter::is_done`] is true and later calls return `Stop`.
//! - For reversed scans call [`Filter::set_reversed`] before the first row.
//!
//! Inside, `parser` builds a tree of `filters::Node`s that follow HBase's
//! per-cell filter protocol, and [`Filter::filter_row`] plays the region
//! server's part for one row.
//!
//! Known differences from a real gateway:
//! - `regexstring:` uses the `regex` crate, not `java.util.regex`: no
//!   look-around or back-references (the parse fails with "Invalid regular
//!   expression"), and `\w`, `\d` are Unicode-aware.
//! - Any ASCII whitespace separates tokens (HBase: space and tab only), and
//!   text directly after a closing quote is an error rather than ignored.

mod budget;
mod compare;
mod filters;
mod parser;

#[cfg(test)]
mod tests;

use bytes::Bytes;

use filters::{Node, ReturnCode};

/// One cell as the filter sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyValue {
    pub(crate) family: Bytes,
    pub(crate) qualifier: Bytes,
    pub(crate) timestamp: i64,
    pub(crate) value: Bytes,
}

/// What a filter decided about one row.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RowOutcome {
    /// Return these cells (possibly fewer or transformed, e.g. KeyOnlyFilter).
    /// An empty list means the row is left out.
    Include(Vec<KeyValue>),
    /// Return these cells, then end the scan (e.g. InclusiveStopFilter, PageFilter).
    IncludeThenStop(Vec<KeyValue>),
    /// Leave this row out and end the scan (e.g. WHILE failed).
    Stop,
}

/// A parse error with a message that names the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterError(pub(crate) String);

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FilterError {}

/// A parsed filter.
#[derive(Debug)]
pub(crate) struct Filter {
    root: Node,
    done: bool,
    /// Bytes its compiled regular expressions were charged.
    memory: usize,
}

/// Why [`parse_within`] gave no filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParseRefusal {
    /// The filter string is wrong.
    Invalid(FilterError),
    /// The filter would hold more memory than its budget.
    OverBudget(FilterError),
}

/// Parses a filter string.
#[allow(dead_code, reason = "agreed interface; the scanner uses parse_bytes")]
pub(crate) fn parse(input: &str) -> Result<Filter, FilterError> {
    parse_bytes(input.as_bytes())
}

/// Parses a filter string given as raw bytes (the Thrift field is binary).
pub(crate) fn parse_bytes(input: &[u8]) -> Result<Filter, FilterError> {
    parse_within(input, usize::MAX)
        .map_err(|(ParseRefusal::Invalid(e) | ParseRefusal::OverBudget(e))| e)
}

/// Parses a filter string given as raw bytes whose compiled regular
/// expressions may take at most `budget` bytes (an estimate that includes
/// the caches they may grow while matching).
pub(crate) fn parse_within(input: &[u8], budget: usize) -> Result<Filter, ParseRefusal> {
    let budget = budget::Budget::new(budget);
    match parser::parse_filter_within(input, &budget) {
        Ok(root) => Ok(Filter {
            root,
            done: false,
            memory: budget.used(),
        }),
        Err(e) if budget.exceeded() => Err(ParseRefusal::OverBudget(e)),
        Err(e) => Err(ParseRefusal::Invalid(e)),
    }
}

impl Filter {
    /// Bytes its compiled regular expressions were charged.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.memory
    }

    /// Tells the filter that the scan runs from high keys to low keys, which
    /// changes when PrefixFilter and InclusiveStopFilter end the scan.
    pub(crate) fn set_reversed(&mut self, reversed: bool) {
        self.root.set_reversed(reversed);
    }

    /// Whether the filter has ended the scan: every later row is rejected.
    #[allow(dead_code, reason = "part of the scanner interface; tested here")]
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// Applies the filter to one row.
    pub(crate) fn filter_row(&mut self, row: &[u8], cells: Vec<KeyValue>) -> RowOutcome {
        if self.done || self.root.filter_all_remaining() {
            self.done = true;
            return RowOutcome::Stop;
        }
        self.root.reset();

        if self.root.filter_row_key(row) {
            // Checked before the reset, as the region server does.
            if self.root.filter_all_remaining() {
                self.done = true;
                return RowOutcome::Stop;
            }
            self.root.reset();
            return RowOutcome::Include(Vec::new());
        }

        let (mut results, mut scan_ended) = self.filter_cells(&cells);
        // The store scanner reads the next row's first cell before the row is
        // finished, and stops (DONE_SCAN) if the filter is done by then (e.g.
        // ColumnCountGetFilter after a row wider than its limit).
        scan_ended |= self.root.filter_all_remaining();

        // The row-level decision (HBase's FilterWrapper and RegionScanner).
        let was_empty = results.is_empty();
        let mut excluded = false;
        if self.root.has_filter_row() {
            self.root.filter_row_cells(&mut results);
            if !results.is_empty() && self.root.filter_row() {
                excluded = true;
            }
        } else if !was_empty && self.root.filter_row() {
            excluded = true;
        }
        if was_empty || excluded {
            results.clear();
        }

        self.root.reset();
        if scan_ended || self.root.filter_all_remaining() {
            self.done = true;
            if results.is_empty() {
                RowOutcome::Stop
            } else {
                RowOutcome::IncludeThenStop(results)
            }
        } else {
            RowOutcome::Include(results)
        }
    }

    /// Runs the per-cell protocol over one row's cells. Returns the kept
    /// (transformed) cells and whether the scan ended inside the row.
    fn filter_cells(&mut self, cells: &[KeyValue]) -> (Vec<KeyValue>, bool) {
        let mut results = Vec::new();
        let mut i = 0;
        while let Some(kv) = cells.get(i) {
            if self.root.filter_all_remaining() {
                // The store scanners stop (DONE_SCAN): the rest of the row
                // and of the scan is never read.
                return (results, true);
            }
            let code = self.root.filter_cell(kv);
            if code.includes() {
                results.push(self.root.transform_cell(kv.clone()));
            }
            i = match code {
                ReturnCode::Include | ReturnCode::Skip => i + 1,
                ReturnCode::IncludeAndNextCol | ReturnCode::NextCol => skip_while(cells, i, |c| {
                    c.family == kv.family && c.qualifier == kv.qualifier
                }),
                // A family is a store of its own: "next row" only leaves the
                // current family; the other families of the row still follow.
                ReturnCode::IncludeAndSeekNextRow | ReturnCode::NextRow => {
                    skip_while(cells, i, |c| c.family == kv.family)
                }
                ReturnCode::SeekNextUsingHint => match self.root.next_cell_hint(kv) {
                    Some(hint) if hint.cell_cmp(kv) == std::cmp::Ordering::Less => {
                        skip_while(cells, i, |c| hint.cell_cmp(c) == std::cmp::Ordering::Less)
                    }
                    _ => i + 1,
                },
            };
        }
        (results, false)
    }
}

/// The index of the first cell after `i` for which `same` is false.
fn skip_while(cells: &[KeyValue], i: usize, same: impl Fn(&KeyValue) -> bool) -> usize {
    let mut j = i + 1;
    while cells.get(j).is_some_and(&same) {
        j += 1;
    }
    j
}
