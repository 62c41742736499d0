//! Keys, stored entries and ranges, ordered as Accumulo orders them.
//!
//! A key sorts by row, column family, qualifier and visibility (bytes,
//! ascending), then by timestamp, newest first. A stored entry adds the
//! delete flag (a delete sorts before a value with the same key) and a write
//! sequence number (later writes of an identical key sort first).

use std::cmp::Ordering;

use hbase_orm_idl::accumulo as wire;

/// The timestamp of a key that names none: the newest possible.
pub(crate) const NEWEST: i64 = i64::MAX;

/// A full key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) row: Vec<u8>,
    pub(crate) family: Vec<u8>,
    pub(crate) qualifier: Vec<u8>,
    pub(crate) visibility: Vec<u8>,
    pub(crate) timestamp: i64,
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

impl Key {
    /// The first key of `row`.
    pub(crate) fn row_start(row: &[u8]) -> Key {
        Key {
            row: row.to_vec(),
            family: Vec::new(),
            qualifier: Vec::new(),
            visibility: Vec::new(),
            timestamp: NEWEST,
        }
    }

    /// The key from the wire; missing parts are empty, a missing timestamp
    /// is the newest.
    pub(crate) fn from_wire(key: wire::Key) -> Key {
        Key {
            row: key.row.unwrap_or_default(),
            family: key.col_family.unwrap_or_default(),
            qualifier: key.col_qualifier.unwrap_or_default(),
            visibility: key.col_visibility.unwrap_or_default(),
            timestamp: key.timestamp.unwrap_or(NEWEST),
        }
    }

    /// The key for the wire, with every part set.
    pub(crate) fn to_wire(&self) -> wire::Key {
        wire::Key {
            row: Some(self.row.clone()),
            col_family: Some(self.family.clone()),
            col_qualifier: Some(self.qualifier.clone()),
            col_visibility: Some(self.visibility.clone()),
            timestamp: Some(self.timestamp),
        }
    }

    /// Whether both keys name the same column of the same row (timestamps
    /// aside).
    pub(crate) fn same_column(&self, other: &Key) -> bool {
        self.row == other.row
            && self.family == other.family
            && self.qualifier == other.qualifier
            && self.visibility == other.visibility
    }

    /// The smallest key after every key that shares `part` with this one
    /// (Accumulo's `followingKey`).
    pub(crate) fn following(&self, part: wire::PartialKey) -> Key {
        let next = |b: &[u8]| {
            let mut v = b.to_vec();
            v.push(0);
            v
        };
        let mut key = Key::row_start(b"");
        match part {
            wire::PartialKey::ROW => key.row = next(&self.row),
            wire::PartialKey::ROW_COLFAM => {
                key.row = self.row.clone();
                key.family = next(&self.family);
            }
            wire::PartialKey::ROW_COLFAM_COLQUAL => {
                key.row = self.row.clone();
                key.family = self.family.clone();
                key.qualifier = next(&self.qualifier);
            }
            wire::PartialKey::ROW_COLFAM_COLQUAL_COLVIS => {
                key.row = self.row.clone();
                key.family = self.family.clone();
                key.qualifier = self.qualifier.clone();
                key.visibility = next(&self.visibility);
            }
            _ => {
                key = self.clone();
                // One tick older; the oldest timestamp has nothing after it
                // but the delete-flag variant, which keeps the timestamp.
                if key.timestamp != i64::MIN {
                    key.timestamp -= 1;
                }
            }
        }
        key
    }
}

/// Where an entry sits in a table: the key, then deletes first, then the
/// latest write first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredKey {
    pub(crate) key: Key,
    pub(crate) delete: bool,
    pub(crate) seq: u64,
}

impl Ord for StoredKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .cmp(&other.key)
            .then_with(|| other.delete.cmp(&self.delete))
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for StoredKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl StoredKey {
    /// The first stored key at or after `key`.
    pub(crate) fn seek(key: &Key) -> StoredKey {
        StoredKey {
            key: key.clone(),
            delete: true,
            seq: u64::MAX,
        }
    }
}

/// A range of keys; `None` ends are infinite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) start: Option<Key>,
    pub(crate) start_inclusive: bool,
    pub(crate) stop: Option<Key>,
    pub(crate) stop_inclusive: bool,
}

impl Range {
    /// Every key.
    pub(crate) fn all() -> Range {
        Range {
            start: None,
            start_inclusive: true,
            stop: None,
            stop_inclusive: true,
        }
    }

    /// Checks a range as Accumulo's `Range` constructor does.
    ///
    /// # Errors
    /// The Java message when the start is after the stop.
    pub(crate) fn new(
        start: Option<Key>,
        start_inclusive: bool,
        stop: Option<Key>,
        stop_inclusive: bool,
    ) -> Result<Range, String> {
        if let (Some(a), Some(b)) = (&start, &stop) {
            if a > b {
                return Err(format!(
                    "java.lang.IllegalArgumentException: Start key must be less than end key in range ({} : {})",
                    describe(a),
                    describe(b)
                ));
            }
        }
        Ok(Range {
            start,
            start_inclusive,
            stop,
            stop_inclusive,
        })
    }

    /// The range of exactly one row (the proxy's `getRowRange`).
    pub(crate) fn row(row: &[u8]) -> Range {
        let start = Key::row_start(row);
        let stop = start.following(wire::PartialKey::ROW);
        Range {
            start: Some(start),
            start_inclusive: true,
            stop: Some(stop),
            stop_inclusive: false,
        }
    }

    /// Whether `key` comes before the start.
    pub(crate) fn before_start(&self, key: &Key) -> bool {
        match &self.start {
            None => false,
            Some(start) if self.start_inclusive => key < start,
            Some(start) => key <= start,
        }
    }

    /// Whether `key` comes after the stop.
    pub(crate) fn after_end(&self, key: &Key) -> bool {
        match &self.stop {
            None => false,
            Some(stop) if self.stop_inclusive => key > stop,
            Some(stop) => key >= stop,
        }
    }

    /// Whether `key` is inside.
    pub(crate) fn contains(&self, key: &Key) -> bool {
        !self.before_start(key) && !self.after_end(key)
    }

    /// The range on the wire.
    pub(crate) fn to_wire(&self) -> wire::Range {
        wire::Range {
            start: self.start.as_ref().map(Key::to_wire),
            start_inclusive: Some(self.start_inclusive),
            stop: self.stop.as_ref().map(Key::to_wire),
            stop_inclusive: Some(self.stop_inclusive),
        }
    }
}

/// Merges overlapping and touching ranges into a sorted, disjoint list, as a
/// batch scanner does before reading.
pub(crate) fn merge(mut ranges: Vec<Range>) -> Vec<Range> {
    ranges.sort_by(compare_starts);
    let mut out: Vec<Range> = Vec::with_capacity(ranges.len());
    for range in ranges {
        if let Some(last) = out.last_mut() {
            if overlaps_or_touches(last, &range) {
                if compare_stops(&range, last) == Ordering::Greater {
                    last.stop = range.stop;
                    last.stop_inclusive = range.stop_inclusive;
                }
                continue;
            }
        }
        out.push(range);
    }
    out
}

/// Start order: infinite first, then by key, inclusive before exclusive.
fn compare_starts(a: &Range, b: &Range) -> Ordering {
    match (&a.start, &b.start) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x
            .cmp(y)
            .then_with(|| b.start_inclusive.cmp(&a.start_inclusive)),
    }
}

/// Stop order: infinite last, then by key, exclusive before inclusive.
fn compare_stops(a: &Range, b: &Range) -> Ordering {
    match (&a.stop, &b.stop) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x
            .cmp(y)
            .then_with(|| a.stop_inclusive.cmp(&b.stop_inclusive)),
    }
}

/// Whether `next` (starting at or after `first`'s start) overlaps `first` or
/// begins right where it ends.
fn overlaps_or_touches(first: &Range, next: &Range) -> bool {
    let (Some(stop), Some(start)) = (&first.stop, &next.start) else {
        return true;
    };
    match start.cmp(stop) {
        Ordering::Less => true,
        Ordering::Equal => first.stop_inclusive || next.start_inclusive,
        Ordering::Greater => false,
    }
}

/// A key as Java's `Key.toString` prints it: `row cf:cq [cv] ts false`.
pub(crate) fn describe(key: &Key) -> String {
    format!(
        "{} {}:{} [{}] {} false",
        String::from_utf8_lossy(&key.row),
        String::from_utf8_lossy(&key.family),
        String::from_utf8_lossy(&key.qualifier),
        String::from_utf8_lossy(&key.visibility),
        key.timestamp
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(row: &str, cf: &str, cq: &str, ts: i64) -> Key {
        Key {
            row: row.into(),
            family: cf.into(),
            qualifier: cq.into(),
            visibility: Vec::new(),
            timestamp: ts,
        }
    }

    #[test]
    fn newest_timestamp_sorts_first() {
        assert!(key("a", "f", "q", 5) < key("a", "f", "q", 4));
        assert!(key("a", "f", "q", 1) < key("a", "f", "r", 9));
        assert!(key("a", "", "", NEWEST) < key("a", "f", "", NEWEST));
    }

    #[test]
    fn deletes_sort_before_values_with_the_same_key() {
        let value = StoredKey {
            key: key("a", "f", "q", 5),
            delete: false,
            seq: 9,
        };
        let delete = StoredKey {
            delete: true,
            seq: 1,
            ..value.clone()
        };
        assert!(delete < value);
    }

    #[test]
    fn row_range_holds_exactly_one_row() {
        let r = Range::row(b"b");
        assert!(r.contains(&key("b", "", "", NEWEST)));
        assert!(r.contains(&key("b", "zz", "q", 0)));
        assert!(!r.contains(&key("b\0", "", "", NEWEST)));
        assert!(!r.contains(&key("a", "z", "z", 0)));
    }

    #[test]
    fn ranges_merge_when_they_overlap_or_touch() {
        let r = |a: &str, b: &str| {
            Range::new(
                Some(Key::row_start(a.as_bytes())),
                true,
                Some(Key::row_start(b.as_bytes())),
                false,
            )
            .unwrap()
        };
        let merged = merge(vec![r("c", "e"), r("a", "c"), r("x", "z"), r("d", "f")]);
        assert_eq!(merged, vec![r("a", "f"), r("x", "z")]);
        assert_eq!(merge(vec![r("a", "b"), Range::all()]), vec![Range::all()]);
    }

    #[test]
    fn start_after_stop_is_refused() {
        let a = Some(Key::row_start(b"b"));
        let b = Some(Key::row_start(b"a"));
        assert!(Range::new(a, true, b, true).is_err());
    }
}
