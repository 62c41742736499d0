//! Keys and ranges with Accumulo's semantics.
//!
//! A key is (row, column family, column qualifier, column visibility,
//! timestamp). Keys sort by row, family, qualifier and visibility as bytes,
//! then by timestamp from newest to oldest, so the first key of a row is
//! `Key::row(r)` (empty columns, the largest timestamp). A [`Range`] runs
//! from a start key to a stop key, each inclusive or exclusive, or without
//! bound; the row-level constructors turn row bounds into key bounds the
//! way Accumulo's own `Range(startRow, inclusive, endRow, inclusive)` does.

use std::cmp::Ordering;

use hbase_orm_idl::accumulo as proxy;

/// The parts of a key a following key moves past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PartialKey {
    /// The row.
    Row,
    /// Row and column family.
    RowColfam,
    /// Row, family and qualifier.
    RowColfamColqual,
    /// Row, family, qualifier and visibility.
    RowColfamColqualColvis,
    /// Every part, the timestamp included.
    RowColfamColqualColvisTime,
}

/// One key.
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::{Key, PartialKey};
///
/// let k = Key::row("r1").family("f").qualifier("q");
/// assert!(Key::row("r1") < k);
/// assert!(k < k.following(PartialKey::RowColfamColqual));
/// assert_eq!(Key::row("r1").following(PartialKey::Row), Key::row(b"r1\0"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// The row.
    pub row: Vec<u8>,
    /// The column family.
    pub family: Vec<u8>,
    /// The column qualifier.
    pub qualifier: Vec<u8>,
    /// The column visibility expression.
    pub visibility: Vec<u8>,
    /// The timestamp; [`i64::MAX`] sorts first.
    pub timestamp: i64,
}

impl Key {
    /// The first key of `row`: empty columns, the largest timestamp.
    pub fn row(row: impl AsRef<[u8]>) -> Self {
        Key {
            row: row.as_ref().to_vec(),
            family: Vec::new(),
            qualifier: Vec::new(),
            visibility: Vec::new(),
            timestamp: i64::MAX,
        }
    }

    /// This key with column family `family`.
    pub fn family(mut self, family: impl AsRef<[u8]>) -> Self {
        self.family = family.as_ref().to_vec();
        self
    }

    /// This key with column qualifier `qualifier`.
    pub fn qualifier(mut self, qualifier: impl AsRef<[u8]>) -> Self {
        self.qualifier = qualifier.as_ref().to_vec();
        self
    }

    /// This key with visibility `visibility`.
    pub fn visibility(mut self, visibility: impl AsRef<[u8]>) -> Self {
        self.visibility = visibility.as_ref().to_vec();
        self
    }

    /// This key with timestamp `timestamp`.
    pub fn timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = timestamp;
        self
    }

    /// The smallest key after every key that shares this key's `part`:
    /// the part's last element with a zero byte appended (and later parts
    /// emptied), or for the whole key, the next older timestamp.
    pub fn following(&self, part: PartialKey) -> Key {
        fn zero(mut bytes: Vec<u8>) -> Vec<u8> {
            bytes.push(0);
            bytes
        }
        match part {
            PartialKey::Row => Key::row(zero(self.row.clone())),
            PartialKey::RowColfam => Key::row(&self.row).family(zero(self.family.clone())),
            PartialKey::RowColfamColqual => Key::row(&self.row)
                .family(&self.family)
                .qualifier(zero(self.qualifier.clone())),
            PartialKey::RowColfamColqualColvis => Key::row(&self.row)
                .family(&self.family)
                .qualifier(&self.qualifier)
                .visibility(zero(self.visibility.clone())),
            PartialKey::RowColfamColqualColvisTime => {
                if self.timestamp == i64::MIN {
                    self.following(PartialKey::RowColfamColqualColvis)
                } else {
                    let mut next = self.clone();
                    next.timestamp -= 1;
                    next
                }
            }
        }
    }

    pub(crate) fn to_wire(&self) -> proxy::Key {
        proxy::Key::new(
            self.row.clone(),
            self.family.clone(),
            self.qualifier.clone(),
            self.visibility.clone(),
            self.timestamp,
        )
    }

    pub(crate) fn from_wire(key: proxy::Key) -> Key {
        Key {
            row: key.row.unwrap_or_default(),
            family: key.col_family.unwrap_or_default(),
            qualifier: key.col_qualifier.unwrap_or_default(),
            visibility: key.col_visibility.unwrap_or_default(),
            timestamp: key.timestamp.unwrap_or(i64::MAX),
        }
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.row
            .cmp(&other.row)
            .then_with(|| self.family.cmp(&other.family))
            .then_with(|| self.qualifier.cmp(&other.qualifier))
            .then_with(|| self.visibility.cmp(&other.visibility))
            .then_with(|| other.timestamp.cmp(&self.timestamp))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The smallest row after every row that starts with `prefix`, or `None`
/// when there is none (the prefix is empty or all `0xff`).
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::following_prefix;
///
/// assert_eq!(following_prefix(b"ab"), Some(b"ac".to_vec()));
/// assert_eq!(following_prefix(b"a\xff"), Some(b"b".to_vec()));
/// assert_eq!(following_prefix(b"\xff\xff"), None);
/// ```
pub fn following_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&b| b != 0xff)?;
    let mut next = prefix[..=last].to_vec();
    next[last] += 1;
    Some(next)
}

/// A range of keys: a start and a stop, each inclusive or exclusive, or
/// missing (no bound).
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::{Key, Range};
///
/// let r = Range::prefix("user_");
/// assert!(r.contains(&Key::row("user_ann").family("f")));
/// assert!(!r.contains(&Key::row("user`")));
/// let exact = Range::exact_row("ann");
/// assert!(exact.contains(&Key::row("ann").family("any")));
/// assert!(!exact.contains(&Key::row("ann\0")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Range {
    /// The start key, or `None` for no lower bound.
    pub start: Option<Key>,
    /// Whether the start key itself is in the range.
    pub start_inclusive: bool,
    /// The stop key, or `None` for no upper bound.
    pub stop: Option<Key>,
    /// Whether the stop key itself is in the range.
    pub stop_inclusive: bool,
}

impl Range {
    /// Every key.
    pub fn all() -> Self {
        Range {
            start: None,
            start_inclusive: true,
            stop: None,
            stop_inclusive: true,
        }
    }

    /// The keys from `start` to `stop`, with the given inclusiveness.
    pub fn keys(
        start: Option<Key>,
        start_inclusive: bool,
        stop: Option<Key>,
        stop_inclusive: bool,
    ) -> Self {
        Range {
            start,
            start_inclusive,
            stop,
            stop_inclusive,
        }
    }

    /// Every key of row `row`.
    pub fn exact_row(row: impl AsRef<[u8]>) -> Self {
        let start = Key::row(row);
        let stop = start.following(PartialKey::Row);
        Range::keys(Some(start), true, Some(stop), false)
    }

    /// Every key of `row` in column family `family`.
    pub fn exact_family(row: impl AsRef<[u8]>, family: impl AsRef<[u8]>) -> Self {
        let start = Key::row(row).family(family);
        let stop = start.following(PartialKey::RowColfam);
        Range::keys(Some(start), true, Some(stop), false)
    }

    /// Every key of `row` in column `family:qualifier` (all visibilities
    /// and timestamps).
    pub fn exact_column(
        row: impl AsRef<[u8]>,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
    ) -> Self {
        let start = Key::row(row).family(family).qualifier(qualifier);
        let stop = start.following(PartialKey::RowColfamColqual);
        Range::keys(Some(start), true, Some(stop), false)
    }

    /// Every key whose row starts with `prefix`.
    pub fn prefix(prefix: impl AsRef<[u8]>) -> Self {
        let prefix = prefix.as_ref();
        Range::keys(
            Some(Key::row(prefix)),
            true,
            following_prefix(prefix).map(Key::row),
            false,
        )
    }

    /// The rows from `start` to `stop` (`None`: no bound), each row bound
    /// inclusive or exclusive as a whole row.
    pub fn rows(
        start: Option<&[u8]>,
        start_inclusive: bool,
        stop: Option<&[u8]>,
        stop_inclusive: bool,
    ) -> Self {
        let start = start.map(|r| {
            let k = Key::row(r);
            if start_inclusive {
                k
            } else {
                k.following(PartialKey::Row)
            }
        });
        let stop = stop.map(|r| {
            let k = Key::row(r);
            if stop_inclusive {
                k.following(PartialKey::Row)
            } else {
                k
            }
        });
        Range::keys(start, true, stop, false)
    }

    /// Whether `key` falls in the range.
    pub fn contains(&self, key: &Key) -> bool {
        let after_start = match &self.start {
            None => true,
            Some(s) if self.start_inclusive => key >= s,
            Some(s) => key > s,
        };
        let before_stop = match &self.stop {
            None => true,
            Some(s) if self.stop_inclusive => key <= s,
            Some(s) => key < s,
        };
        after_start && before_stop
    }

    pub(crate) fn to_wire(&self) -> proxy::Range {
        proxy::Range::new(
            self.start.as_ref().map(Key::to_wire),
            self.start_inclusive,
            self.stop.as_ref().map(Key::to_wire),
            self.stop_inclusive,
        )
    }
}

impl Default for Range {
    fn default() -> Self {
        Range::all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_newest_first_within_a_column() {
        let old = Key::row("r").family("f").qualifier("q").timestamp(1);
        let new = Key::row("r").family("f").qualifier("q").timestamp(2);
        assert!(new < old);
        assert!(Key::row("r") < new);
        assert!(old < Key::row("r\0"));
    }

    #[test]
    fn following_keys_move_past_exactly_their_part() {
        let k = Key::row("r")
            .family("f")
            .qualifier("q")
            .visibility("v")
            .timestamp(5);
        let row = k.following(PartialKey::Row);
        assert!(k < row && Key::row("r\0") == row);
        let fam = k.following(PartialKey::RowColfam);
        assert!(k < fam && Key::row("r").family("g") > fam);
        assert!(k.following(PartialKey::RowColfamColqual) > k);
        assert!(k.following(PartialKey::RowColfamColqualColvis) > k);
        assert_eq!(
            k.following(PartialKey::RowColfamColqualColvisTime)
                .timestamp,
            4
        );
        let oldest = k.clone().timestamp(i64::MIN);
        assert_eq!(
            oldest.following(PartialKey::RowColfamColqualColvisTime),
            oldest.following(PartialKey::RowColfamColqualColvis)
        );
    }

    #[test]
    fn row_ranges_bound_whole_rows() {
        let r = |s: &str| Key::row(s).family("f").qualifier("q");
        let inclusive = Range::rows(Some(b"b"), true, Some(b"d"), true);
        assert!(!inclusive.contains(&r("a")));
        assert!(inclusive.contains(&Key::row("b")));
        assert!(inclusive.contains(&r("d")));
        assert!(!inclusive.contains(&r("d\0")));
        let exclusive = Range::rows(Some(b"b"), false, Some(b"d"), false);
        assert!(!exclusive.contains(&r("b")));
        assert!(exclusive.contains(&Key::row("b\0")));
        assert!(exclusive.contains(&r("c")));
        assert!(!exclusive.contains(&Key::row("d")));
        assert!(Range::rows(None, true, None, true).contains(&r("")));
    }

    #[test]
    fn prefixes_stop_at_the_following_prefix() {
        assert!(Range::prefix("a\u{7f}").contains(&Key::row("a\u{7f}zz")));
        let ff = Range::prefix(b"\xff");
        assert_eq!(ff.stop, None);
        assert!(ff.contains(&Key::row(b"\xff\xff\xff")));
        assert!(Range::prefix("").contains(&Key::row("anything")));
        assert!(!Range::prefix("ab").contains(&Key::row("ac")));
    }

    #[test]
    fn column_ranges_hold_only_their_column() {
        let fam = Range::exact_family("r", "f");
        assert!(fam.contains(&Key::row("r").family("f").qualifier("zz")));
        assert!(!fam.contains(&Key::row("r").family("f\0")));
        let col = Range::exact_column("r", "f", "q");
        assert!(col.contains(&Key::row("r").family("f").qualifier("q").timestamp(0)));
        assert!(!col.contains(&Key::row("r").family("f").qualifier("q\0")));
    }
}
