//! The filters themselves, modelled on HBase's per-cell filter protocol.
//!
//! Each [`Node`] answers the same questions a region server asks an HBase
//! filter: is the whole scan done (`filter_all_remaining`), is this row key
//! rejected (`filter_row_key`), what to do with one cell (`filter_cell`,
//! returning a [`ReturnCode`] that may skip the rest of a column or family),
//! how to rewrite an included cell (`transform_cell`), and finally whether to
//! drop the assembled row (`filter_row_cells`, `filter_row`). The row driver in
//! `mod.rs` plays the region server's part. Reproducing the protocol rather
//! than approximating each filter's effect keeps the quirks clients observe:
//! a `PrefixFilter` ends the scan once rows sort past the prefix, `WHILE`
//! stops at the first rejected cell, `SKIP` does not see row-key filters, and
//! `OR` lists combine the sub-filters' return codes the way HBase does.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};

use bytes::Bytes;

use super::compare::{Comparator, CompareOp};
use super::KeyValue;

/// What a filter wants done with one cell (HBase `Filter.ReturnCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReturnCode {
    /// Include the cell and look at the next one.
    Include,
    /// Include the cell and skip the rest of its column.
    IncludeAndNextCol,
    /// Include the cell and skip the rest of its family in this row.
    IncludeAndSeekNextRow,
    /// Leave the cell out and look at the next one.
    Skip,
    /// Leave the cell out and skip the rest of its column.
    NextCol,
    /// Leave the cell out and skip the rest of its family in this row.
    NextRow,
    /// Leave the cell out and seek to the filter's hint.
    SeekNextUsingHint,
}

/// How far a return code moves the scanner, for merging codes in lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Cell,
    Column,
    Family,
    Hint,
}

impl ReturnCode {
    /// Whether the cell is included.
    pub(crate) fn includes(self) -> bool {
        matches!(
            self,
            ReturnCode::Include | ReturnCode::IncludeAndNextCol | ReturnCode::IncludeAndSeekNextRow
        )
    }

    fn step(self) -> Step {
        match self {
            ReturnCode::Include | ReturnCode::Skip => Step::Cell,
            ReturnCode::IncludeAndNextCol | ReturnCode::NextCol => Step::Column,
            ReturnCode::IncludeAndSeekNextRow | ReturnCode::NextRow => Step::Family,
            ReturnCode::SeekNextUsingHint => Step::Hint,
        }
    }

    fn from_parts(include: bool, step: Step) -> ReturnCode {
        match (include, step) {
            (true, Step::Cell) => ReturnCode::Include,
            (true, Step::Column) => ReturnCode::IncludeAndNextCol,
            (true, Step::Family) => ReturnCode::IncludeAndSeekNextRow,
            (false, Step::Cell) => ReturnCode::Skip,
            (false, Step::Column) => ReturnCode::NextCol,
            (false, Step::Family) => ReturnCode::NextRow,
            // An included cell never seeks; HBase's tables never produce it.
            (_, Step::Hint) => ReturnCode::SeekNextUsingHint,
        }
    }

    /// Merge for AND lists: included only if all include, and take the
    /// largest step (HBase's "maximal step rule").
    fn merge_and(self, local: ReturnCode) -> ReturnCode {
        if self == ReturnCode::SeekNextUsingHint || local == ReturnCode::SeekNextUsingHint {
            return ReturnCode::SeekNextUsingHint;
        }
        ReturnCode::from_parts(
            self.includes() && local.includes(),
            self.step().max(local.step()),
        )
    }

    /// Merge for OR lists: included if any includes, and take the smallest
    /// step; a hint seek only survives if both sides seek (HBase's "minimal
    /// step rule", where an unknown seek distance counts as one cell).
    fn merge_or(self, local: ReturnCode) -> ReturnCode {
        if self == ReturnCode::SeekNextUsingHint && local == ReturnCode::SeekNextUsingHint {
            return ReturnCode::SeekNextUsingHint;
        }
        let step = |c: ReturnCode| match c.step() {
            Step::Hint => Step::Cell,
            s => s,
        };
        ReturnCode::from_parts(
            self.includes() || local.includes(),
            step(self).min(step(local)),
        )
    }
}

/// A seek target: the first cell of a column (before all its versions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Hint {
    pub(crate) family: Bytes,
    pub(crate) qualifier: Bytes,
}

impl Hint {
    /// Orders a cell relative to this hint.
    pub(crate) fn cell_cmp(&self, kv: &KeyValue) -> Ordering {
        (kv.family.as_ref(), kv.qualifier.as_ref())
            .cmp(&(self.family.as_ref(), self.qualifier.as_ref()))
            // The hint sorts before every version of its own column.
            .then(Ordering::Greater)
    }
}

fn same_column(a: &KeyValue, b: &KeyValue) -> bool {
    a.family == b.family && a.qualifier == b.qualifier
}

/// State kept by an OR list for one sub-filter (HBase's prevCell/prevCode).
#[derive(Debug, Clone)]
pub(crate) struct OrMemory {
    cell: KeyValue,
    code: ReturnCode,
}

/// One filter of a parsed filter tree.
#[derive(Debug)]
pub(crate) enum Node {
    /// `KeyOnlyFilter([lenAsVal])`.
    KeyOnly { len_as_value: bool },
    /// `FirstKeyOnlyFilter()`.
    FirstKeyOnly { found: bool },
    /// `PrefixFilter('prefix')`.
    Prefix {
        prefix: Vec<u8>,
        passed: bool,
        filter_row: bool,
        reversed: bool,
    },
    /// `ColumnPrefixFilter('prefix')`.
    ColumnPrefix { prefix: Vec<u8> },
    /// `MultipleColumnPrefixFilter('p1', 'p2', ...)`.
    MultipleColumnPrefix {
        prefixes: BTreeSet<Vec<u8>>,
        hint: Option<Vec<u8>>,
    },
    /// `InclusiveStopFilter('row')`.
    InclusiveStop {
        stop: Vec<u8>,
        done: bool,
        reversed: bool,
    },
    /// `ColumnCountGetFilter(n)`.
    ColumnCountGet { limit: i64, count: i64 },
    /// `PageFilter(n)`.
    Page { size: i64, accepted: i64 },
    /// `ColumnPaginationFilter(limit, offset)`.
    ColumnPagination { limit: i64, offset: i64, count: i64 },
    /// `TimestampsFilter(ts, ...)`.
    Timestamps { set: BTreeSet<i64> },
    /// `RowFilter(op, comparator)`.
    Row {
        op: CompareOp,
        cmp: Comparator,
        filter_out: bool,
    },
    /// `FamilyFilter(op, comparator)`.
    Family { op: CompareOp, cmp: Comparator },
    /// `QualifierFilter(op, comparator)`.
    Qualifier { op: CompareOp, cmp: Comparator },
    /// `ValueFilter(op, comparator)`.
    Value { op: CompareOp, cmp: Comparator },
    /// `ColumnRangeFilter(min, minInclusive, max, maxInclusive)`.
    ColumnRange {
        min: Option<Vec<u8>>,
        min_inclusive: bool,
        max: Option<Vec<u8>>,
        max_inclusive: bool,
    },
    /// `SingleColumnValueFilter` and `SingleColumnValueExcludeFilter`.
    SingleColumnValue {
        family: Vec<u8>,
        qualifier: Vec<u8>,
        op: CompareOp,
        cmp: Comparator,
        filter_if_missing: bool,
        latest_version_only: bool,
        exclude_column: bool,
        found: bool,
        matched: bool,
    },
    /// `DependentColumnFilter(fam, qual [, drop [, op, comparator]])`.
    DependentColumn {
        family: Vec<u8>,
        qualifier: Vec<u8>,
        drop_dependent: bool,
        condition: Option<(CompareOp, Comparator)>,
        stamps: HashSet<i64>,
    },
    /// `ColumnValueFilter(fam, qual, op, comparator)`.
    ColumnValue {
        family: Vec<u8>,
        qualifier: Vec<u8>,
        op: CompareOp,
        cmp: Comparator,
        found: bool,
    },
    /// `SKIP filter`.
    Skip { inner: Box<Node>, filter_row: bool },
    /// `WHILE filter`.
    While {
        inner: Box<Node>,
        all_remaining: bool,
    },
    /// `a AND b AND ...` (HBase `FilterList` with `MUST_PASS_ALL`).
    And {
        children: Vec<Node>,
        included: Vec<bool>,
        hinting: Vec<usize>,
    },
    /// `a OR b OR ...` (HBase `FilterList` with `MUST_PASS_ONE`).
    Or {
        children: Vec<Node>,
        included: Vec<bool>,
        memory: Vec<Option<OrMemory>>,
    },
}

impl Node {
    /// Builds an AND list.
    pub(crate) fn and(children: Vec<Node>) -> Node {
        let n = children.len();
        Node::And {
            children,
            included: vec![false; n],
            hinting: Vec::new(),
        }
    }

    /// Builds an OR list.
    pub(crate) fn or(children: Vec<Node>) -> Node {
        let n = children.len();
        Node::Or {
            children,
            included: vec![false; n],
            memory: vec![None; n],
        }
    }

    /// Tells row-key filters that the scan runs backwards.
    pub(crate) fn set_reversed(&mut self, value: bool) {
        match self {
            Node::Prefix { reversed, .. } | Node::InclusiveStop { reversed, .. } => {
                *reversed = value
            }
            Node::Skip { inner, .. } | Node::While { inner, .. } => inner.set_reversed(value),
            Node::And { children, .. } | Node::Or { children, .. } => {
                children.iter_mut().for_each(|c| c.set_reversed(value))
            }
            _ => {}
        }
    }

    /// Clears per-row state; called between rows.
    pub(crate) fn reset(&mut self) {
        match self {
            Node::FirstKeyOnly { found } => *found = false,
            Node::Prefix { filter_row, .. } => *filter_row = true,
            Node::ColumnCountGet { count, .. } | Node::ColumnPagination { count, .. } => *count = 0,
            Node::Row { filter_out, .. } => *filter_out = false,
            Node::SingleColumnValue { found, matched, .. } => {
                *found = false;
                *matched = false;
            }
            Node::DependentColumn { stamps, .. } => stamps.clear(),
            Node::ColumnValue { found, .. } => *found = false,
            Node::Skip { inner, filter_row } => {
                inner.reset();
                *filter_row = false;
            }
            Node::While { inner, .. } => inner.reset(),
            Node::And {
                children, hinting, ..
            } => {
                children.iter_mut().for_each(Node::reset);
                hinting.clear();
            }
            Node::Or {
                children,
                included,
                memory,
            } => {
                children.iter_mut().for_each(Node::reset);
                included.iter_mut().for_each(|b| *b = false);
                memory.iter_mut().for_each(|m| *m = None);
            }
            _ => {}
        }
    }

    /// Whether the whole rest of the scan is rejected.
    pub(crate) fn filter_all_remaining(&self) -> bool {
        match self {
            Node::Prefix { passed, .. } => *passed,
            Node::InclusiveStop { done, .. } => *done,
            Node::ColumnCountGet { limit, count } => count > limit,
            Node::Page { size, accepted } => accepted >= size,
            Node::While {
                inner,
                all_remaining,
            } => *all_remaining || inner.filter_all_remaining(),
            Node::And { children, .. } => children.iter().any(Node::filter_all_remaining),
            Node::Or { children, .. } => {
                !children.is_empty() && children.iter().all(Node::filter_all_remaining)
            }
            _ => false,
        }
    }

    /// Whether the row with this key is rejected before its cells are read.
    pub(crate) fn filter_row_key(&mut self, row: &[u8]) -> bool {
        if self.filter_all_remaining()
            && matches!(
                self,
                Node::Prefix { .. }
                    | Node::InclusiveStop { .. }
                    | Node::ColumnCountGet { .. }
                    | Node::Page { .. }
                    | Node::While { .. }
            )
        {
            return true;
        }
        match self {
            Node::Prefix {
                prefix,
                passed,
                filter_row,
                reversed,
            } => {
                if row.len() < prefix.len() {
                    return true;
                }
                let cmp = row[..prefix.len()].cmp(prefix.as_slice());
                if (!*reversed && cmp == Ordering::Greater) || (*reversed && cmp == Ordering::Less)
                {
                    *passed = true;
                }
                *filter_row = cmp != Ordering::Equal;
                *filter_row
            }
            Node::InclusiveStop {
                stop,
                done,
                reversed,
            } => {
                let cmp = row.cmp(stop.as_slice());
                *done = if *reversed {
                    cmp == Ordering::Less
                } else {
                    cmp == Ordering::Greater
                };
                *done
            }
            Node::Row {
                op,
                cmp,
                filter_out,
            } => {
                if !cmp.matches(*op, row) {
                    *filter_out = true;
                }
                *filter_out
            }
            Node::While {
                inner,
                all_remaining,
            } => {
                let value = inner.filter_row_key(row);
                *all_remaining |= value;
                value
            }
            Node::And { children, .. } => {
                let mut rejected = false;
                for child in children.iter_mut() {
                    if child.filter_all_remaining() || child.filter_row_key(row) {
                        rejected = true;
                    }
                }
                rejected
            }
            Node::Or { children, .. } => {
                let mut rejected = true;
                for child in children.iter_mut() {
                    if !child.filter_all_remaining() && !child.filter_row_key(row) {
                        rejected = false;
                    }
                }
                rejected
            }
            _ => false,
        }
    }

    /// Decides what to do with one cell.
    pub(crate) fn filter_cell(&mut self, kv: &KeyValue) -> ReturnCode {
        use ReturnCode::*;
        match self {
            Node::KeyOnly { .. } | Node::Page { .. } => Include,
            Node::FirstKeyOnly { found } => {
                if *found {
                    NextRow
                } else {
                    *found = true;
                    Include
                }
            }
            Node::Prefix { filter_row, .. } => {
                if *filter_row {
                    NextRow
                } else {
                    Include
                }
            }
            Node::ColumnPrefix { prefix } => {
                let q = kv.qualifier.as_ref();
                if q.len() < prefix.len() {
                    if q <= prefix.as_slice() {
                        SeekNextUsingHint
                    } else {
                        NextRow
                    }
                } else {
                    match q[..prefix.len()].cmp(prefix.as_slice()) {
                        Ordering::Less => SeekNextUsingHint,
                        Ordering::Greater => NextRow,
                        Ordering::Equal => Include,
                    }
                }
            }
            Node::MultipleColumnPrefix { prefixes, hint } => {
                if prefixes.is_empty() {
                    return Include;
                }
                let q = kv.qualifier.as_ref();
                // The largest prefix sorting at or before the qualifier; like
                // HBase, only that one is tried.
                let largest = prefixes
                    .range::<[u8], _>((std::ops::Bound::Unbounded, std::ops::Bound::Included(q)))
                    .next_back();
                match largest {
                    Some(p) if q.starts_with(p) => Include,
                    Some(p) => {
                        let next = prefixes
                            .range::<[u8], _>((
                                std::ops::Bound::Excluded(p.as_slice()),
                                std::ops::Bound::Unbounded,
                            ))
                            .next();
                        match next {
                            Some(n) => {
                                *hint = Some(n.clone());
                                SeekNextUsingHint
                            }
                            None => NextRow,
                        }
                    }
                    None => {
                        *hint = prefixes.iter().next().cloned();
                        SeekNextUsingHint
                    }
                }
            }
            Node::InclusiveStop { done, .. } => {
                if *done {
                    NextRow
                } else {
                    Include
                }
            }
            Node::ColumnCountGet { limit, count } => {
                *count += 1;
                if *count > *limit {
                    NextCol
                } else {
                    IncludeAndNextCol
                }
            }
            Node::ColumnPagination {
                limit,
                offset,
                count,
            } => {
                if *count >= *offset + *limit {
                    return NextRow;
                }
                let code = if *count < *offset {
                    NextCol
                } else {
                    IncludeAndNextCol
                };
                *count += 1;
                code
            }
            Node::Timestamps { set } => {
                let min = set.iter().next().copied().unwrap_or(i64::MAX);
                if set.contains(&kv.timestamp) {
                    Include
                } else if kv.timestamp < min {
                    NextCol
                } else {
                    Skip
                }
            }
            Node::Row { filter_out, .. } => {
                if *filter_out {
                    NextRow
                } else {
                    Include
                }
            }
            Node::Family { op, cmp } => {
                if !kv.family.is_empty() && !cmp.matches(*op, &kv.family) {
                    NextRow
                } else {
                    Include
                }
            }
            // Like HBase, an empty qualifier is never compared.
            Node::Qualifier { op, cmp } => {
                if kv.qualifier.is_empty() || cmp.matches(*op, &kv.qualifier) {
                    Include
                } else {
                    Skip
                }
            }
            Node::Value { op, cmp } => {
                if cmp.matches(*op, &kv.value) {
                    Include
                } else {
                    Skip
                }
            }
            Node::ColumnRange {
                min,
                min_inclusive,
                max,
                max_inclusive,
            } => {
                let q = kv.qualifier.as_ref();
                let cmp_min = min
                    .as_ref()
                    .map_or(Ordering::Greater, |m| q.cmp(m.as_slice()));
                if cmp_min == Ordering::Less {
                    return SeekNextUsingHint;
                }
                if !*min_inclusive && cmp_min == Ordering::Equal {
                    return NextCol;
                }
                let Some(max) = max else {
                    return Include;
                };
                let cmp_max = q.cmp(max.as_slice());
                if cmp_max == Ordering::Less || (*max_inclusive && cmp_max == Ordering::Equal) {
                    Include
                } else {
                    NextRow
                }
            }
            Node::SingleColumnValue {
                family,
                qualifier,
                op,
                cmp,
                latest_version_only,
                found,
                matched,
                ..
            } => {
                if *matched {
                    return Include;
                }
                if *latest_version_only && *found {
                    return NextRow;
                }
                if kv.family.as_ref() != family.as_slice()
                    || kv.qualifier.as_ref() != qualifier.as_slice()
                {
                    return Include;
                }
                *found = true;
                if !cmp.matches(*op, &kv.value) {
                    return if *latest_version_only {
                        NextRow
                    } else {
                        Include
                    };
                }
                *matched = true;
                Include
            }
            Node::DependentColumn {
                family,
                qualifier,
                drop_dependent,
                condition,
                stamps,
            } => {
                if kv.family.as_ref() != family.as_slice()
                    || kv.qualifier.as_ref() != qualifier.as_slice()
                {
                    return Include;
                }
                if let Some((op, cmp)) = condition {
                    if !cmp.matches(*op, &kv.value) {
                        return Skip;
                    }
                }
                stamps.insert(kv.timestamp);
                if *drop_dependent {
                    Skip
                } else {
                    Include
                }
            }
            Node::ColumnValue {
                family,
                qualifier,
                op,
                cmp,
                found,
            } => {
                if kv.family.as_ref() != family.as_slice()
                    || kv.qualifier.as_ref() != qualifier.as_slice()
                {
                    return if *found { NextRow } else { NextCol };
                }
                *found = true;
                if cmp.matches(*op, &kv.value) {
                    Include
                } else {
                    Skip
                }
            }
            Node::Skip { inner, filter_row } => {
                let code = inner.filter_cell(kv);
                *filter_row |= code != Include;
                code
            }
            Node::While {
                inner,
                all_remaining,
            } => {
                let code = inner.filter_cell(kv);
                *all_remaining |= code != Include;
                code
            }
            Node::And {
                children,
                included,
                hinting,
            } => {
                hinting.clear();
                included.iter_mut().for_each(|b| *b = false);
                let mut rc = Include;
                for (i, child) in children.iter_mut().enumerate() {
                    if child.filter_all_remaining() {
                        return NextRow;
                    }
                    let local = child.filter_cell(kv);
                    rc = rc.merge_and(local);
                    included[i] = local.includes();
                    if local == SeekNextUsingHint {
                        hinting.push(i);
                    }
                }
                if hinting.is_empty() {
                    rc
                } else {
                    SeekNextUsingHint
                }
            }
            Node::Or {
                children,
                included,
                memory,
            } => {
                let mut rc: Option<ReturnCode> = None;
                for (i, child) in children.iter_mut().enumerate() {
                    included[i] = false;
                    if child.filter_all_remaining() {
                        continue;
                    }
                    let remembered = memory[i].as_ref().and_then(|m| match m.code {
                        Include | Skip => None,
                        SeekNextUsingHint => child
                            .next_cell_hint(&m.cell)
                            .filter(|h| h.cell_cmp(kv) == Ordering::Less)
                            .map(|_| SeekNextUsingHint),
                        NextCol | IncludeAndNextCol => same_column(&m.cell, kv).then_some(NextCol),
                        NextRow | IncludeAndSeekNextRow => {
                            (m.cell.family == kv.family).then_some(NextRow)
                        }
                    });
                    let local = match remembered {
                        Some(code) => code,
                        None => child.filter_cell(kv),
                    };
                    memory[i] = match local {
                        Include | Skip => None,
                        code => Some(OrMemory {
                            cell: kv.clone(),
                            code,
                        }),
                    };
                    rc = Some(match rc {
                        None => local,
                        Some(prev) => prev.merge_or(local),
                    });
                    included[i] = local.includes();
                }
                rc.unwrap_or(Skip)
            }
        }
    }

    /// Rewrites an included cell (KeyOnlyFilter strips values).
    pub(crate) fn transform_cell(&self, kv: KeyValue) -> KeyValue {
        match self {
            Node::KeyOnly { len_as_value } => {
                let value = if *len_as_value {
                    let len = i32::try_from(kv.value.len()).unwrap_or(i32::MAX);
                    Bytes::copy_from_slice(&len.to_be_bytes())
                } else {
                    Bytes::new()
                };
                KeyValue { value, ..kv }
            }
            Node::Skip { inner, .. } | Node::While { inner, .. } => inner.transform_cell(kv),
            Node::And {
                children, included, ..
            }
            | Node::Or {
                children, included, ..
            } => children
                .iter()
                .zip(included.iter())
                .filter(|(_, inc)| **inc)
                .fold(kv, |acc, (child, _)| child.transform_cell(acc)),
            _ => kv,
        }
    }

    /// Where to seek after this filter returned `SeekNextUsingHint` for `kv`.
    pub(crate) fn next_cell_hint(&self, kv: &KeyValue) -> Option<Hint> {
        let at = |qualifier: &[u8]| Hint {
            family: kv.family.clone(),
            qualifier: Bytes::copy_from_slice(qualifier),
        };
        match self {
            Node::ColumnPrefix { prefix } => Some(at(prefix)),
            Node::MultipleColumnPrefix { hint, .. } => hint.as_deref().map(at),
            Node::ColumnRange { min, .. } => Some(at(min.as_deref().unwrap_or_default())),
            Node::And {
                children, hinting, ..
            } => hinting
                .iter()
                .filter_map(|&i| children.get(i))
                .filter(|c| !c.filter_all_remaining())
                .filter_map(|c| c.next_cell_hint(kv))
                .max_by(|a, b| {
                    (a.family.as_ref(), a.qualifier.as_ref())
                        .cmp(&(b.family.as_ref(), b.qualifier.as_ref()))
                }),
            Node::Or { children, .. } => {
                let mut best: Option<Hint> = None;
                for child in children.iter().filter(|c| !c.filter_all_remaining()) {
                    let hint = child.next_cell_hint(kv)?;
                    let smaller = best.as_ref().map_or(true, |b| {
                        (hint.family.as_ref(), hint.qualifier.as_ref())
                            < (b.family.as_ref(), b.qualifier.as_ref())
                    });
                    if smaller {
                        best = Some(hint);
                    }
                }
                best
            }
            _ => None,
        }
    }

    /// Whether `filter_row`/`filter_row_cells` must see the assembled row.
    pub(crate) fn has_filter_row(&self) -> bool {
        match self {
            Node::Page { .. }
            | Node::SingleColumnValue { .. }
            | Node::DependentColumn { .. }
            | Node::Skip { .. }
            | Node::While { .. } => true,
            Node::And { children, .. } | Node::Or { children, .. } => {
                children.iter().any(Node::has_filter_row)
            }
            _ => false,
        }
    }

    /// Edits the assembled row's cells.
    pub(crate) fn filter_row_cells(&mut self, cells: &mut Vec<KeyValue>) {
        match self {
            Node::SingleColumnValue {
                family,
                qualifier,
                exclude_column: true,
                ..
            } => cells.retain(|kv| {
                kv.family.as_ref() != family.as_slice()
                    || kv.qualifier.as_ref() != qualifier.as_slice()
            }),
            Node::DependentColumn { stamps, .. } => {
                cells.retain(|kv| stamps.contains(&kv.timestamp))
            }
            Node::And { children, .. } | Node::Or { children, .. } => {
                children.iter_mut().for_each(|c| c.filter_row_cells(cells))
            }
            _ => {}
        }
    }

    /// Whether the assembled row is dropped.
    pub(crate) fn filter_row(&mut self) -> bool {
        match self {
            Node::Prefix { filter_row, .. } => *filter_row,
            Node::Page { size, accepted } => {
                *accepted = accepted.saturating_add(1);
                *accepted > *size
            }
            Node::Row { filter_out, .. } => *filter_out,
            Node::SingleColumnValue {
                filter_if_missing,
                found,
                matched,
                ..
            } => {
                if *found {
                    !*matched
                } else {
                    *filter_if_missing
                }
            }
            Node::Skip { filter_row, .. } => *filter_row,
            Node::While {
                inner,
                all_remaining,
            } => {
                let value = inner.filter_row();
                *all_remaining |= value;
                value
            }
            Node::And { children, .. } => children.iter_mut().any(Node::filter_row),
            Node::Or { children, .. } => children.iter_mut().all(Node::filter_row),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReturnCode::*;
    use super::*;

    const ALL: [ReturnCode; 7] = [
        Include,
        IncludeAndNextCol,
        IncludeAndSeekNextRow,
        Skip,
        NextCol,
        NextRow,
        SeekNextUsingHint,
    ];

    /// HBase's AND table, row = local code, column = accumulated code, in the
    /// order of `ALL`.
    const AND_TABLE: [[ReturnCode; 7]; 7] = [
        [
            Include,
            IncludeAndNextCol,
            IncludeAndSeekNextRow,
            Skip,
            NextCol,
            NextRow,
            SeekNextUsingHint,
        ],
        [
            IncludeAndNextCol,
            IncludeAndNextCol,
            IncludeAndSeekNextRow,
            NextCol,
            NextCol,
            NextRow,
            SeekNextUsingHint,
        ],
        [
            IncludeAndSeekNextRow,
            IncludeAndSeekNextRow,
            IncludeAndSeekNextRow,
            NextRow,
            NextRow,
            NextRow,
            SeekNextUsingHint,
        ],
        [
            Skip,
            NextCol,
            NextRow,
            Skip,
            NextCol,
            NextRow,
            SeekNextUsingHint,
        ],
        [
            NextCol,
            NextCol,
            NextRow,
            NextCol,
            NextCol,
            NextRow,
            SeekNextUsingHint,
        ],
        [
            NextRow,
            NextRow,
            NextRow,
            NextRow,
            NextRow,
            NextRow,
            SeekNextUsingHint,
        ],
        [SeekNextUsingHint; 7],
    ];

    /// HBase's OR table, same layout.
    const OR_TABLE: [[ReturnCode; 7]; 7] = [
        [Include; 7],
        [
            Include,
            IncludeAndNextCol,
            IncludeAndNextCol,
            Include,
            IncludeAndNextCol,
            IncludeAndNextCol,
            Include,
        ],
        [
            Include,
            IncludeAndNextCol,
            IncludeAndSeekNextRow,
            Include,
            IncludeAndNextCol,
            IncludeAndSeekNextRow,
            Include,
        ],
        [Include, Include, Include, Skip, Skip, Skip, Skip],
        [
            Include,
            IncludeAndNextCol,
            IncludeAndNextCol,
            Skip,
            NextCol,
            NextCol,
            Skip,
        ],
        [
            Include,
            IncludeAndNextCol,
            IncludeAndSeekNextRow,
            Skip,
            NextCol,
            NextRow,
            Skip,
        ],
        [
            Include,
            Include,
            Include,
            Skip,
            Skip,
            Skip,
            SeekNextUsingHint,
        ],
    ];

    #[test]
    fn and_merge_matches_hbase_table() {
        for (li, local) in ALL.iter().enumerate() {
            for (ri, rc) in ALL.iter().enumerate() {
                assert_eq!(
                    rc.merge_and(*local),
                    AND_TABLE[li][ri],
                    "rc {rc:?} local {local:?}"
                );
            }
        }
    }

    #[test]
    fn or_merge_matches_hbase_table() {
        for (li, local) in ALL.iter().enumerate() {
            for (ri, rc) in ALL.iter().enumerate() {
                assert_eq!(
                    rc.merge_or(*local),
                    OR_TABLE[li][ri],
                    "rc {rc:?} local {local:?}"
                );
            }
        }
    }

    #[test]
    fn hint_orders_before_its_column() {
        let hint = Hint {
            family: Bytes::from_static(b"cf"),
            qualifier: Bytes::from_static(b"b"),
        };
        let kv = |q: &'static [u8]| KeyValue {
            family: Bytes::from_static(b"cf"),
            qualifier: Bytes::from_static(q),
            timestamp: 1,
            value: Bytes::new(),
        };
        assert_eq!(hint.cell_cmp(&kv(b"a")), Ordering::Less);
        assert_eq!(hint.cell_cmp(&kv(b"b")), Ordering::Greater);
        assert_eq!(hint.cell_cmp(&kv(b"c")), Ordering::Greater);
    }
}
