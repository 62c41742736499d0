//! The gateway's filter language: parsing a filter string and applying the
//! parsed filter to the rows of a scan.
//!
//! Interface used by the scanner code (keep it stable):
//! - [`parse`] turns a filter string into a [`Filter`], or a [`FilterError`]
//!   whose message names the problem.
//! - A [`Filter`] is stateful (page counts, WHILE) and used by one scanner:
//!   [`Filter::filter_row`] is called once per row, in scan order, with the
//!   row's cells sorted by family, qualifier, then newest timestamp first.

use bytes::Bytes;

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

/// A parsed filter.
#[derive(Debug)]
pub(crate) struct Filter {
    _todo: (),
}

/// Parses a filter string.
pub(crate) fn parse(_input: &str) -> Result<Filter, FilterError> {
    Err(FilterError("filters are not implemented yet".into()))
}

impl Filter {
    /// Applies the filter to one row.
    pub(crate) fn filter_row(&mut self, _row: &[u8], cells: Vec<KeyValue>) -> RowOutcome {
        RowOutcome::Include(cells)
    }
}
