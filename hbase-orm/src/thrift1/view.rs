//! [`RowView`]: a row read in place, in the reply it came in.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::stream::{BoxStream, Stream};
use hbase_orm_idl::thrift;
use hbase_orm_idl::thrift::protocol::{TInputProtocol, TOutputProtocol};
use hbase_orm_idl::wire::Protocol;

use crate::error::Result;
use crate::protocol::places::{self, Frame, RowPlaces};
use crate::protocol::{Method, Retry};
use crate::value::{Cell, CellRef, Row};

/// One reply's rows: the reply and where each row is in it, shared by the
/// views of its rows.
struct Page {
    bytes: Bytes,
    places: RowPlaces,
}

/// One row read where it lies in the reply it came in: its key,
/// column names and values are borrowed from that reply, and nothing is
/// built per row (no map, no reference count per cell), where a [`Row`]
/// makes a map entry and two shared slices per cell.
///
/// [`Scan::views`](crate::Scan::views) yields them, and
/// [`RowRequest::view`](crate::table::RowRequest::view) and
/// [`RowsRequest::views`](crate::table::RowsRequest::views) read rows so. The cells are those a
/// [`Row`] of the same reply holds, in the same order: once per column,
/// in byte order of the column names. A view keeps its whole page of the
/// scan (the one reply) in memory while it lives; [`RowView::to_row`]
/// makes a [`Row`] of it, whose bytes share the page as well.
///
/// # Examples
/// ```
/// use hbase_orm::{scan::RowView, Cell, Row};
///
/// let mut row = Row::new("user1");
/// row.cells.insert("cf:name".into(), Cell { value: "Ann".into(), timestamp: 7 });
/// row.cells.insert("cf:age".into(), Cell { value: "41".into(), timestamp: 7 });
/// let view = RowView::try_from(&row)?;
/// assert_eq!(view.key(), b"user1");
/// assert_eq!(view.get("cf:name"), Some(&b"Ann"[..]));
/// let columns: Vec<&[u8]> = view.cells().map(|c| c.column).collect();
/// assert_eq!(columns, [&b"cf:age"[..], b"cf:name"]);
/// assert_eq!(view.to_row(), row);
/// # Ok::<(), hbase_orm::Error>(())
/// ```
#[derive(Clone)]
pub struct RowView {
    page: Arc<Page>,
    row: u32,
    /// Cells of the row left out at its front (a row cut by
    /// `scan_batching` and resumed after a failure).
    skip: u32,
}

impl RowView {
    /// The views of every row of `page`.
    fn page(bytes: Bytes, places: RowPlaces) -> Vec<RowView> {
        let rows = places.len();
        let page = Arc::new(Page { bytes, places });
        (0..rows)
            .map(|row| RowView {
                page: Arc::clone(&page),
                // A reply's rows number fewer than its bytes, which fit in u32.
                row: row as u32,
                skip: 0,
            })
            .collect()
    }

    fn slice(&self, at: Range<usize>) -> &[u8] {
        &self.page.bytes[at]
    }

    fn cell_range(&self) -> Range<usize> {
        let all = self.page.places.cells_of(self.row as usize);
        (all.start + self.skip as usize).min(all.end)..all.end
    }

    /// The row key.
    ///
    /// # Examples
    /// ```
    /// let view = hbase_orm::scan::RowView::try_from(&hbase_orm::Row::new("k"))?;
    /// assert_eq!(view.key(), b"k");
    /// # Ok::<(), hbase_orm::Error>(())
    /// ```
    pub fn key(&self) -> &[u8] {
        self.slice(self.page.places.key(self.row as usize))
    }

    /// The row key as [`Bytes`] sharing the page (no copy).
    ///
    /// # Examples
    /// ```
    /// let view = hbase_orm::scan::RowView::try_from(&hbase_orm::Row::new("k"))?;
    /// assert_eq!(view.key_bytes(), "k");
    /// # Ok::<(), hbase_orm::Error>(())
    /// ```
    pub fn key_bytes(&self) -> Bytes {
        self.page
            .bytes
            .slice(self.page.places.key(self.row as usize))
    }

    /// How many cells the row has.
    ///
    /// # Examples
    /// ```
    /// let view = hbase_orm::scan::RowView::try_from(&hbase_orm::Row::new("k"))?;
    /// assert_eq!(view.len(), 0);
    /// # Ok::<(), hbase_orm::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.cell_range().len()
    }

    /// Whether the row has no cells.
    ///
    /// # Examples
    /// ```
    /// assert!(hbase_orm::scan::RowView::try_from(&hbase_orm::Row::new("k"))?.is_empty());
    /// # Ok::<(), hbase_orm::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.cell_range().is_empty()
    }

    /// The cells, in byte order of their columns.
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{scan::RowView, Cell, Row};
    ///
    /// let mut row = Row::new("k");
    /// row.cells.insert("cf:a".into(), Cell { value: "1".into(), timestamp: 3 });
    /// let view = RowView::try_from(&row)?;
    /// let total: usize = view.cells().map(|c| c.value.len()).sum();
    /// assert_eq!(total, 1);
    /// assert_eq!(view.cells().next().map(|c| c.timestamp), Some(3));
    /// # Ok::<(), hbase_orm::Error>(())
    /// ```
    pub fn cells(&self) -> Cells<'_> {
        Cells {
            view: self,
            at: self.cell_range(),
        }
    }

    /// The cell of column `family:qualifier`, if the row has it (a binary
    /// search: the cells are in column order).
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{scan::RowView, Cell, Row};
    ///
    /// let mut row = Row::new("k");
    /// row.cells.insert("cf:a".into(), Cell { value: "1".into(), timestamp: 3 });
    /// let view = RowView::try_from(&row)?;
    /// assert_eq!(view.cell("cf:a").map(|c| c.timestamp), Some(3));
    /// assert!(view.cell("cf:b").is_none());
    /// # Ok::<(), hbase_orm::Error>(())
    /// ```
    pub fn cell(&self, column: impl AsRef<[u8]>) -> Option<CellRef<'_>> {
        let column = column.as_ref();
        let places = &self.page.places;
        let Range {
            start: mut lo,
            end: mut hi,
        } = self.cell_range();
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.slice(places.cell(mid).column).cmp(column) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(self.cell_at(mid)),
            }
        }
        None
    }

    /// The value of column `family:qualifier`, if the row has it.
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{scan::RowView, Cell, Row};
    ///
    /// let mut row = Row::new("k");
    /// row.cells.insert("cf:a".into(), Cell { value: "1".into(), timestamp: 3 });
    /// assert_eq!(RowView::try_from(&row)?.get("cf:a"), Some(&b"1"[..]));
    /// # Ok::<(), hbase_orm::Error>(())
    /// ```
    pub fn get(&self, column: impl AsRef<[u8]>) -> Option<&[u8]> {
        self.cell(column).map(|c| c.value)
    }

    /// The row as a [`Row`], its key, columns and values slices of the page
    /// (no copy of their bytes).
    ///
    /// # Examples
    /// ```
    /// let row = hbase_orm::Row::new("k");
    /// assert_eq!(hbase_orm::scan::RowView::try_from(&row)?.to_row(), row);
    /// # Ok::<(), hbase_orm::Error>(())
    /// ```
    pub fn to_row(&self) -> Row {
        let places = &self.page.places;
        let bytes = &self.page.bytes;
        let mut row = Row::new(self.key_bytes());
        for i in self.cell_range() {
            let c = places.cell(i);
            row.cells.insert(
                bytes.slice(c.column),
                Cell {
                    value: bytes.slice(c.value),
                    timestamp: c.timestamp,
                },
            );
        }
        row
    }

    fn cell_at(&self, i: usize) -> CellRef<'_> {
        let c = self.page.places.cell(i);
        CellRef {
            column: self.slice(c.column),
            value: self.slice(c.value),
            timestamp: c.timestamp,
        }
    }

    /// Leaves out the first `n` cells, fewer than the row has.
    pub(crate) fn skip_cells(&mut self, n: usize) {
        self.skip = self
            .skip
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }
}

/// A one-row page holding a copy of `row`'s bytes; a row of 4 GiB or more
/// is [`Error::InvalidInput`](crate::Error::InvalidInput).
impl TryFrom<&Row> for RowView {
    type Error = crate::Error;

    fn try_from(row: &Row) -> Result<RowView> {
        let (bytes, places) = RowPlaces::of_rows(std::slice::from_ref(row))
            .map_err(|e| crate::Error::InvalidInput(e.to_string()))?;
        Ok(RowView {
            page: Arc::new(Page { bytes, places }),
            row: 0,
            skip: 0,
        })
    }
}

impl PartialEq for RowView {
    /// Same key and same cells (wherever their bytes are).
    fn eq(&self, other: &RowView) -> bool {
        self.key() == other.key() && self.cells().eq(other.cells())
    }
}

impl Eq for RowView {}

impl fmt::Debug for RowView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Lossy<'a>(&'a [u8]);
        impl fmt::Debug for Lossy<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", String::from_utf8_lossy(self.0))
            }
        }
        f.debug_struct("RowView")
            .field("key", &Lossy(self.key()))
            .field(
                "cells",
                &self
                    .cells()
                    .map(|c| (Lossy(c.column), Lossy(c.value), c.timestamp))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The cells of a [`RowView`], in column order: [`RowView::cells`].
#[derive(Debug, Clone)]
pub struct Cells<'a> {
    view: &'a RowView,
    at: Range<usize>,
}

impl<'a> Iterator for Cells<'a> {
    type Item = CellRef<'a>;

    #[inline]
    fn next(&mut self) -> Option<CellRef<'a>> {
        let i = self.at.next()?;
        Some(self.view.cell_at(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.at.size_hint()
    }
}

impl DoubleEndedIterator for Cells<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let i = self.at.next_back()?;
        Some(self.view.cell_at(i))
    }
}

impl ExactSizeIterator for Cells<'_> {}

/// A scan as a [`Stream`] of [`RowView`]s: [`Scan::views`](crate::Scan::views).
#[must_use = "a scan does nothing until it is polled"]
pub struct RowViews {
    pub(crate) stream: BoxStream<'static, Result<RowView>>,
}

impl fmt::Debug for RowViews {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowViews").finish_non_exhaustive()
    }
}

impl Stream for RowViews {
    type Item = Result<RowView>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}

/// A call of `M`, one of the methods whose reply carries rows (a get, a
/// multi-get, a scanner's next page), whose reply's rows become
/// [`RowView`]s instead of [`Row`]s.
#[derive(Debug)]
pub(crate) struct Viewed<M>(pub(crate) M);

impl<M: Method<Output = Vec<Row>>> Method for Viewed<M> {
    const NAME: &'static str = M::NAME;
    const RETRY: Retry = M::RETRY;
    type Output = Vec<RowView>;

    fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
        self.0.write(o)
    }

    fn write_binary(&self, out: &mut Vec<u8>) -> thrift::Result<()> {
        self.0.write_binary(out)
    }

    /// The generated reader, then its rows copied into one page.
    fn read(i: &mut dyn TInputProtocol) -> thrift::Result<Vec<RowView>> {
        let rows = M::read(i)?;
        let (bytes, places) = RowPlaces::of_rows(&rows)?;
        Ok(RowView::page(bytes, places))
    }

    fn decode_frame(protocol: Protocol, frame: &mut Frame) -> Option<thrift::Result<Vec<RowView>>> {
        Some(
            places::decode_places(protocol, M::NAME, frame)
                .map(|(bytes, places)| RowView::page(bytes, places)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(key: &str, cells: &[(&str, &str, i64)]) -> Row {
        let mut row = Row::new(key.to_owned());
        for (column, value, timestamp) in cells {
            row.cells.insert(
                Bytes::copy_from_slice(column.as_bytes()),
                Cell {
                    value: Bytes::copy_from_slice(value.as_bytes()),
                    timestamp: *timestamp,
                },
            );
        }
        row
    }

    #[test]
    fn a_page_of_rows_reads_back_as_its_rows() {
        let rows = vec![
            row("a", &[("cf:x", "1", 1), ("cf:y", "", 2)]),
            row("b", &[]),
            row("", &[("f:", "v", -1)]),
        ];
        let (bytes, places) = RowPlaces::of_rows(&rows).unwrap();
        let views = RowView::page(bytes, places);
        let back: Vec<Row> = views.iter().map(RowView::to_row).collect();
        assert_eq!(back, rows);
        assert!(views[1].is_empty());
        assert_eq!(views[1].cells().next(), None);
        assert_eq!(views[0].get("cf:y"), Some(&b""[..]));
        assert_eq!(views[0].get("cf:z"), None);
        assert_eq!(views[2].cell("f:").map(|c| c.timestamp), Some(-1));
        assert_eq!(views[0], RowView::try_from(&rows[0]).unwrap());
        assert_ne!(views[0], views[1]);
        assert_eq!(
            format!("{:?}", views[0]),
            r#"RowView { key: "a", cells: [("cf:x", "1", 1), ("cf:y", "", 2)] }"#
        );
    }

    #[test]
    fn cells_left_out_at_the_front_are_gone_everywhere() {
        let mut view = RowView::try_from(&row(
            "k",
            &[("cf:a", "1", 1), ("cf:b", "2", 2), ("cf:c", "3", 3)],
        ))
        .unwrap();
        view.skip_cells(2);
        assert_eq!(view.len(), 1);
        assert_eq!(view.get("cf:a"), None);
        assert_eq!(view.get("cf:c"), Some(&b"3"[..]));
        assert_eq!(view.to_row(), row("k", &[("cf:c", "3", 3)]));
        view.skip_cells(5);
        assert!(view.is_empty());
        assert_eq!(view.cells().next_back(), None);
    }

    proptest! {
        /// Whatever the columns, a view finds each one a row has, and no
        /// other, as the row's map does.
        #[test]
        fn lookups_agree_with_the_map(
            columns in proptest::collection::btree_set(proptest::collection::vec(any::<u8>(), 0..4), 0..40),
            probes in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..4), 0..20),
        ) {
            let mut r = Row::new("k");
            for (i, c) in columns.iter().enumerate() {
                r.cells.insert(Bytes::from(c.clone()), Cell { value: Bytes::from(vec![i as u8]), timestamp: i as i64 });
            }
            let view = RowView::try_from(&r).unwrap();
            for probe in columns.iter().chain(&probes) {
                prop_assert_eq!(view.get(probe), r.get(probe).map(|v| &v[..]));
            }
            let back: Vec<CellRef<'_>> = view.cells().rev().collect();
            prop_assert_eq!(back.len(), r.cells.len());
            prop_assert!(back.iter().zip(r.cells.keys().rev()).all(|(c, k)| c.column == &k[..]));
        }
    }
}
