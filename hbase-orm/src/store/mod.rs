//! The store boundary under [`Repo`](crate::Repo): what the typed layer
//! needs of a backend, in traits shaped like sqlx's `Database`.
//!
//! - [`Store`]: a connection to one backend, which hands out tables;
//! - [`StoreTable`]: what every backend can do with one table: create it
//!   (DDL), reads of rows and cell versions, row writes (single and batched), row deletes,
//!   and scans with an optional [`FilterExpr`];
//! - capabilities beyond that, each in its own trait: [`Counters`],
//!   [`Appends`], [`CheckAndPut`]. A `Repo` method that needs one exists
//!   only for backends whose table implements it: calling it on another
//!   backend does not compile.
//!
//! ```
//! use hbase_orm::{repo::Repo, store::{Counters, Store, StoreTable}, HRow};
//!
//! #[derive(HRow)]
//! #[hbase(table = "users", family = "cf")]
//! struct User {
//!     #[hbase(row_key)]
//!     id: String,
//!     #[hbase(counter)]
//!     logins: i64,
//! }
//!
//! // Any backend with counters.
//! async fn bump<S: Store>(users: &Repo<User, S>) -> hbase_orm::Result<i64>
//! where
//!     S::Table: Counters,
//! {
//!     users.increment("ann", User::fields().logins(), 1).await
//! }
//! ```
//!
//! Without the capability, `increment` does not exist for the backend:
//!
//! ```compile_fail
//! use hbase_orm::{repo::Repo, store::Store, HRow};
//!
//! #[derive(HRow)]
//! #[hbase(table = "users", family = "cf")]
//! struct User {
//!     #[hbase(row_key)]
//!     id: String,
//!     #[hbase(counter)]
//!     logins: i64,
//! }
//!
//! async fn bump<S: Store>(users: &Repo<User, S>) -> hbase_orm::Result<i64> {
//!     users.increment("ann", User::fields().logins(), 1).await
//! }
//! ```
//!
//! Reads the typed layer decodes go through [`StoreTable::get_row_decoded`],
//! [`StoreTable::get_rows_decoded`] and [`StoreTable::scan_decoded`] with a
//! [`DecodeRow`]: a backend that can decodes the rows straight from the
//! bytes it received (the HBase Thrift1 backend), the others through
//! [`Row`]s, which is what those methods do by default.
//!
//! Filters reach the backend as an expression tree ([`FilterExpr`]) that
//! each backend translates into its own filter language, or refuses with
//! [`Error::Unsupported`](crate::Error::Unsupported) (never ignores).
//!
//! The HBase Thrift1 gateway ([`Connection`](crate::Connection) and
//! [`Table`](crate::Table)) implements every trait here.
//!
//! This module may use the value types and [`Error`](crate::Error) only: a
//! backend depends on it, never the other way round.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::ops::Range;

use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt};

use crate::error::Result;
use crate::value::{Cell, Row};
pub use crate::value::{CellRef, DecodeRow};

mod filter;
mod labels;

pub use filter::{CompareOp, FilterExpr};
pub use labels::CellLabels;

/// A connection to one backend: hands out [`StoreTable`]s.
pub trait Store: Clone + Send + Sync + fmt::Debug + 'static {
    /// The table handle of this backend.
    type Table: StoreTable;

    /// A handle on table `name` (the backend applies its own naming, such as
    /// a table prefix). Makes no call.
    fn store_table(&self, name: &str) -> Self::Table;
}

/// What every backend can do with one table.
///
/// Keys, column names (`family:qualifier`) and values are bytes; the typed
/// layer above encodes and decodes them.
pub trait StoreTable: Clone + Send + Sync + fmt::Debug + 'static {
    /// The rows of a scan.
    type Rows: Stream<Item = Result<Row>> + Send + Unpin + 'static;
    /// A buffer of row writes sent in few calls.
    type Writer: StoreWriter;

    /// The table's name, as the model names it.
    fn table_name(&self) -> &str;

    /// This handle, writing each cell with the visibility label `labels`
    /// give it ([`CellLabels::of`]); [`Repo`](crate::Repo) hands its
    /// model's labels over here. A backend without cell visibility keeps
    /// them and refuses every write of a labelled model with
    /// [`Error::Unsupported`](crate::Error::Unsupported) before sending
    /// anything: a label is never dropped silently.
    fn with_cell_labels(self, labels: CellLabels) -> Self;

    /// Creates the table with column families `families`.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`](crate::Error::AlreadyExists) when it exists,
    /// or whatever the backend fails with.
    fn create(&self, families: &[FamilySpec]) -> impl Future<Output = Result<()>> + Send;

    /// Row `key`, only `columns` (families or `family:qualifier`; all when
    /// empty); `None` when it has none of them. The read of
    /// [`StoreTable::get_row_with`] with no range.
    fn get_row(
        &self,
        key: &[u8],
        columns: &[&[u8]],
    ) -> impl Future<Output = Result<Option<Row>>> + Send {
        self.get_row_with(key, columns, GetSpec::new())
    }

    /// Row `key` as [`StoreTable::get_row`] reads it, narrowed by `spec`
    /// (a time range).
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) when the backend
    /// cannot read exactly what `spec` asks for, before anything is sent.
    fn get_row_with(
        &self,
        key: &[u8],
        columns: &[&[u8]],
        spec: GetSpec,
    ) -> impl Future<Output = Result<Option<Row>>> + Send;

    /// The rows of `keys` that exist (each key once, in any order), only
    /// `columns` (all when empty).
    fn get_rows(
        &self,
        keys: &[&[u8]],
        columns: &[&[u8]],
    ) -> impl Future<Output = Result<Vec<Row>>> + Send;

    /// Row `key` as [`StoreTable::get_row`] reads it, decoded by `D`. A
    /// backend that can decodes it straight from the bytes it received,
    /// without building the [`Row`] (the HBase Thrift1 backend); by
    /// default it is decoded from the row.
    ///
    /// # Errors
    /// As [`StoreTable::get_row`]; what `D` fails with.
    fn get_row_decoded<D: DecodeRow>(
        &self,
        key: &[u8],
        columns: &[&[u8]],
    ) -> impl Future<Output = Result<Option<D::Output>>> + Send {
        async move {
            match self.get_row(key, columns).await? {
                Some(row) => row.decode::<D>().map(Some),
                None => Ok(None),
            }
        }
    }

    /// The rows of [`StoreTable::get_rows`], each decoded by `D` (straight
    /// from the reply where the backend can, as
    /// [`StoreTable::get_row_decoded`]): its key and its value, or the error
    /// decoding it.
    ///
    /// # Errors
    /// As [`StoreTable::get_rows`].
    fn get_rows_decoded<D: DecodeRow>(
        &self,
        keys: &[&[u8]],
        columns: &[&[u8]],
    ) -> impl Future<Output = Result<Vec<(Bytes, Result<D::Output>)>>> + Send {
        async move {
            let rows = self.get_rows(keys, columns).await?;
            Ok(rows
                .iter()
                .map(|row| (row.key.clone(), row.decode::<D>()))
                .collect())
        }
    }

    /// Up to `n` versions of one cell, newest first.
    fn get_versions(
        &self,
        key: &[u8],
        column: &[u8],
        n: u32,
    ) -> impl Future<Output = Result<Vec<Cell>>> + Send;

    /// Applies `write` to row `key`: its puts and deletes together, then its
    /// timestamped puts.
    fn write_row(&self, key: &[u8], write: &RowWrite) -> impl Future<Output = Result<()>> + Send;

    /// A writer that buffers row writes and sends them `batch_size` rows at
    /// a time.
    fn writer(&self, batch_size: usize) -> Self::Writer;

    /// Deletes row `key` whole.
    fn delete_row(&self, key: &[u8]) -> impl Future<Output = Result<()>> + Send;

    /// Starts a scan.
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) when the backend
    /// cannot serve a part of `scan` (a filter it cannot translate), before
    /// anything is sent.
    fn scan_rows(&self, scan: ScanSpec) -> Result<Self::Rows>;

    /// A scan whose rows are decoded by `D` (straight from the replies
    /// where the backend can, as [`StoreTable::get_row_decoded`]). A row
    /// that does not decode is an error item; the stream goes on after it.
    ///
    /// # Errors
    /// As [`StoreTable::scan_rows`].
    fn scan_decoded<D>(&self, scan: ScanSpec) -> Result<BoxStream<'static, Result<D::Output>>>
    where
        D: DecodeRow + 'static,
        D::Output: Send + 'static,
    {
        let rows = self.scan_rows(scan)?;
        Ok(rows
            .map(|row| row.and_then(|row| row.decode::<D>()))
            .boxed())
    }
}

/// Row writes buffered and sent in few calls ([`StoreTable::writer`]).
///
/// A writer dropped with writes in it loses them: call
/// [`StoreWriter::flush`] last.
pub trait StoreWriter: Send {
    /// Adds the writes of row `key`, sending what is buffered when the
    /// batch is full.
    fn write_row(
        &mut self,
        key: &[u8],
        write: &RowWrite,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Adds the writes of row `key` that `row` fills in, as
    /// [`StoreWriter::write_row`] adds those of the [`RowWrite`] they would
    /// fill. By default they are filled into `scratch` (emptied first, so
    /// one `RowWrite` serves row after row) and written by `write_row`; a
    /// backend may take them straight into its buffered request instead
    /// (the HBase Thrift1 backend: each value is copied once, into the
    /// encoded call).
    ///
    /// # Errors
    /// What `row` fails with (nothing of the row is buffered then), and
    /// the errors of `write_row`.
    fn write_filled<F: FillRow + ?Sized>(
        &mut self,
        key: &[u8],
        row: &F,
        scratch: &mut RowWrite,
    ) -> impl Future<Output = Result<()>> + Send {
        scratch.clear();
        let filled = row.fill(scratch);
        async move {
            filled?;
            self.write_row(key, scratch).await
        }
    }

    /// Sends everything buffered.
    fn flush(&mut self) -> impl Future<Output = Result<()>> + Send;
}

/// What fills in the writes of one row, cell by cell (a model's fields:
/// [`Repo`](crate::Repo) hands its values over as this to
/// [`StoreWriter::write_filled`]).
pub trait FillRow {
    /// Gives the row's cells to `cells`.
    ///
    /// # Errors
    /// When a cell cannot be produced (a value that does not encode); the
    /// writer then buffers nothing of the row.
    fn fill<C: RowCells>(&self, cells: &mut C) -> Result<()>;

    /// Whether [`FillRow::fill`] puts each column at most once (a model
    /// whose fields name distinct columns), so a writer need not look for
    /// repeats. By default `false`: a writer looks.
    fn distinct_columns(&self) -> bool {
        false
    }
}

/// Receives the cells of one row write as a [`FillRow`] gives them: a
/// [`RowWrite`] keeps them; a backend's writer may encode them as they come.
pub trait RowCells {
    /// Puts `value` at `column`.
    fn put(&mut self, column: Cow<'static, [u8]>, value: &[u8]);

    /// Puts at `column` the bytes `encode` appends to the buffer it is
    /// given (which may hold other bytes before them); nothing when it
    /// fails.
    ///
    /// # Errors
    /// What `encode` fails with.
    fn put_with<E>(
        &mut self,
        column: Cow<'static, [u8]>,
        encode: impl FnOnce(&mut Vec<u8>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E>;

    /// Puts `value` at `column` with timestamp `timestamp`.
    fn put_version(&mut self, column: Cow<'static, [u8]>, timestamp: i64, value: Vec<u8>);

    /// Deletes every version of `column`.
    fn delete(&mut self, column: Cow<'static, [u8]>);
}

impl RowCells for RowWrite {
    fn put(&mut self, column: Cow<'static, [u8]>, value: &[u8]) {
        RowWrite::put(self, column, value);
    }
    fn put_with<E>(
        &mut self,
        column: Cow<'static, [u8]>,
        encode: impl FnOnce(&mut Vec<u8>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        RowWrite::put_with(self, column, encode)
    }
    fn put_version(&mut self, column: Cow<'static, [u8]>, timestamp: i64, value: Vec<u8>) {
        RowWrite::put_version(self, column, timestamp, value);
    }
    fn delete(&mut self, column: Cow<'static, [u8]>) {
        RowWrite::delete(self, column);
    }
}

/// Tables with atomic counters (64-bit big-endian cells).
pub trait Counters: StoreTable {
    /// Adds `by` to the counter at `key`/`column` and returns its new value.
    fn increment(
        &self,
        key: &[u8],
        column: &[u8],
        by: i64,
    ) -> impl Future<Output = Result<i64>> + Send;
}

/// Tables that append bytes to a cell atomically.
pub trait Appends: StoreTable {
    /// Appends `value` to the cell at `key`/`column` and returns the cell
    /// after the append, if the backend returns it.
    fn append(
        &self,
        key: &[u8],
        column: &[u8],
        value: &[u8],
    ) -> impl Future<Output = Result<Option<Cell>>> + Send;
}

/// Tables with conditional writes.
pub trait CheckAndPut: StoreTable {
    /// Puts `put` (column, value) in row `key` only when `check` holds;
    /// whether it did.
    fn check_and_put(
        &self,
        key: &[u8],
        check: Check<'_>,
        put: ColumnValue<'_>,
    ) -> impl Future<Output = Result<bool>> + Send;
}

/// Tables that apply a row write only when one cell of the row compares
/// as asked: compare-and-set on a field, optimistic locking.
pub trait ConditionalWrites: StoreTable {
    /// Applies `write` to row `key` when the newest value of `column`
    /// (`family:qualifier`) compares with `value` by `op`, read as
    /// `stored op value`; with `value` `None`, when the cell is absent
    /// (`op` [`CompareOp::Equal`]) or present (`op`
    /// [`CompareOp::NotEqual`]). Whether it was applied.
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) when the backend
    /// has no such write.
    fn write_row_if(
        &self,
        key: &[u8],
        column: &[u8],
        op: CompareOp,
        value: Option<&[u8]>,
        write: &RowWrite,
    ) -> impl Future<Output = Result<bool>> + Send;
}

/// The condition of a [`CheckAndPut::check_and_put`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check<'a> {
    /// The column checked (`family:qualifier`).
    pub column: &'a [u8],
    /// The value it must hold; `None`: it must have no value.
    pub expected: Option<&'a [u8]>,
}

/// One column family of a table to create.
///
/// The options are hints a backend applies where it has them (HBase has
/// them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FamilySpec {
    /// The family name.
    pub name: &'static str,
    /// Versions kept (`max_versions`); `None` = the server's default.
    pub max_versions: Option<i32>,
    /// Time to live in seconds; `None` = forever.
    pub ttl: Option<i32>,
    /// Compression (`"NONE"`, `"GZ"`, `"SNAPPY"`, ...).
    pub compression: Option<&'static str>,
    /// Bloom filter type (`"NONE"`, `"ROW"`, `"ROWCOL"`).
    pub bloom_filter: Option<&'static str>,
    /// Keep in memory.
    pub in_memory: Option<bool>,
    /// Use the block cache.
    pub block_cache: Option<bool>,
}

impl FamilySpec {
    /// A family with the server's default options.
    pub const fn new(name: &'static str) -> Self {
        FamilySpec {
            name,
            max_versions: None,
            ttl: None,
            compression: None,
            bloom_filter: None,
            in_memory: None,
            block_cache: None,
        }
    }
    /// Sets `max_versions`.
    pub const fn max_versions(mut self, n: i32) -> Self {
        self.max_versions = Some(n);
        self
    }
    /// Sets the time to live, in seconds.
    pub const fn ttl(mut self, seconds: i32) -> Self {
        self.ttl = Some(seconds);
        self
    }
    /// Sets the compression.
    pub const fn compression(mut self, c: &'static str) -> Self {
        self.compression = Some(c);
        self
    }
    /// Sets the bloom filter type.
    pub const fn bloom_filter(mut self, b: &'static str) -> Self {
        self.bloom_filter = Some(b);
        self
    }
    /// Sets whether the family is kept in memory.
    pub const fn in_memory(mut self, v: bool) -> Self {
        self.in_memory = Some(v);
        self
    }
    /// Sets whether the block cache is used.
    pub const fn block_cache(mut self, v: bool) -> Self {
        self.block_cache = Some(v);
        self
    }
}

/// What a scan asks for: a key range or prefix, columns, a filter, and how
/// the rows come.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ScanSpec {
    /// First key (inclusive).
    pub start: Option<Vec<u8>>,
    /// Last key (exclusive).
    pub stop: Option<Vec<u8>>,
    /// Only keys starting with these bytes.
    pub prefix: Option<Vec<u8>>,
    /// Only these columns (families or `family:qualifier`); all when empty.
    pub columns: Vec<Vec<u8>>,
    /// Rows at most.
    pub limit: Option<u64>,
    /// Keys in descending order.
    pub reverse: bool,
    /// Rows fetched per round trip (the backend's default when `None`).
    pub batch_size: Option<u32>,
    /// Only rows that match.
    pub filter: Option<FilterExpr>,
    /// Only cells with a timestamp in this range (all when `None`). A
    /// backend that cannot read exactly this range refuses the scan with
    /// [`Error::Unsupported`](crate::Error::Unsupported).
    pub time_range: Option<TimeRange>,
}

/// The timestamps a read sees: `min` (inclusive) to `max` (exclusive), in
/// the store's unit (HBase and Accumulo: milliseconds since the epoch).
///
/// ```
/// use hbase_orm::store::TimeRange;
/// let range = TimeRange::new(10, 20);
/// assert!(range.contains(10) && !range.contains(20));
/// assert_eq!(TimeRange::before(5), TimeRange::new(0, 5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    /// The smallest timestamp seen.
    pub min: i64,
    /// The first timestamp past the range.
    pub max: i64,
}

impl TimeRange {
    /// Timestamps in `min..max`.
    pub const fn new(min: i64, max: i64) -> TimeRange {
        TimeRange { min, max }
    }

    /// Timestamps before `max`: `0..max`.
    pub const fn before(max: i64) -> TimeRange {
        TimeRange { min: 0, max }
    }

    /// Whether `ts` is in the range.
    pub const fn contains(&self, ts: i64) -> bool {
        self.min <= ts && ts < self.max
    }
}

/// What a single-row read asks for beyond the key and the columns
/// ([`StoreTable::get_row_with`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetSpec {
    /// Only cells with a timestamp in this range (all when `None`).
    pub time_range: Option<TimeRange>,
}

impl GetSpec {
    /// A read of the newest cells, no range.
    pub const fn new() -> GetSpec {
        GetSpec { time_range: None }
    }

    /// Only cells with a timestamp in `range`.
    pub const fn time_range(mut self, range: TimeRange) -> GetSpec {
        self.time_range = Some(range);
        self
    }
}

/// The writes to one row: puts and deletes of columns, and puts at given
/// timestamps (versions).
///
/// Values are kept one after the other in one buffer, so filling the same
/// `RowWrite` for row after row reuses its memory.
#[derive(Debug, Default, Clone)]
pub struct RowWrite {
    values: Vec<u8>,
    puts: Vec<(Cow<'static, [u8]>, Range<usize>)>,
    deletes: Vec<Cow<'static, [u8]>>,
    versions: Vec<Version>,
}

/// A timestamped put: timestamp, column, value.
type Version = (i64, Cow<'static, [u8]>, Vec<u8>);

/// A column name and a value.
pub type ColumnValue<'a> = (&'a [u8], &'a [u8]);

impl RowWrite {
    /// An empty write.
    pub fn new() -> Self {
        RowWrite::default()
    }

    /// Empties it, keeping its memory.
    pub fn clear(&mut self) {
        self.values.clear();
        self.puts.clear();
        self.deletes.clear();
        self.versions.clear();
    }

    /// Puts `value` at `column`.
    pub fn put(&mut self, column: Cow<'static, [u8]>, value: &[u8]) {
        let start = self.values.len();
        self.values.extend_from_slice(value);
        self.puts.push((column, start..self.values.len()));
    }

    /// Puts the bytes `encode` appends at `column`; nothing when it fails.
    ///
    /// # Errors
    /// What `encode` fails with.
    pub fn put_with<E>(
        &mut self,
        column: Cow<'static, [u8]>,
        encode: impl FnOnce(&mut Vec<u8>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let start = self.values.len();
        if let Err(e) = encode(&mut self.values) {
            self.values.truncate(start);
            return Err(e);
        }
        self.puts.push((column, start..self.values.len()));
        Ok(())
    }

    /// Puts `value` at `column` with timestamp `timestamp`.
    pub fn put_version(&mut self, column: Cow<'static, [u8]>, timestamp: i64, value: Vec<u8>) {
        self.versions.push((timestamp, column, value));
    }

    /// Deletes every version of `column`.
    pub fn delete(&mut self, column: Cow<'static, [u8]>) {
        self.deletes.push(column);
    }

    /// The puts without a timestamp: column and value.
    pub fn puts(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.puts
            .iter()
            .map(|(c, r)| (&c[..], self.values.get(r.clone()).unwrap_or_default()))
    }

    /// The columns deleted.
    pub fn deletes(&self) -> &[Cow<'static, [u8]>] {
        &self.deletes
    }

    /// The timestamped puts, grouped by timestamp in ascending order:
    /// timestamp, then the columns and values put with it.
    pub fn versions(&self) -> Vec<(i64, Vec<ColumnValue<'_>>)> {
        if self.versions.is_empty() {
            // The common write: no versioned field.
            return Vec::new();
        }
        let mut sorted: Vec<&Version> = self.versions.iter().collect();
        sorted.sort_by_key(|v| v.0);
        let mut out: Vec<(i64, Vec<ColumnValue<'_>>)> = Vec::new();
        for (ts, column, value) in sorted {
            match out.last_mut() {
                Some((last, cells)) if last == ts => cells.push((column, value)),
                _ => out.push((*ts, vec![(&column[..], &value[..])])),
            }
        }
        out
    }

    /// Whether it writes nothing.
    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty() && self.versions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_encoding_puts_nothing() {
        let mut w = RowWrite::new();
        w.put(Cow::Borrowed(b"cf:a"), b"1");
        let failed = w.put_with(Cow::Borrowed(b"cf:b"), |out| {
            out.extend_from_slice(b"partial");
            Err("no encoding")
        });
        assert_eq!(failed, Err("no encoding"));
        w.put_with(Cow::Borrowed(b"cf:c"), |out| {
            out.extend_from_slice(b"3");
            Ok::<_, ()>(())
        })
        .unwrap();
        let puts: Vec<_> = w.puts().collect();
        assert_eq!(puts, [(&b"cf:a"[..], &b"1"[..]), (b"cf:c", b"3")]);
    }

    #[test]
    fn versions_are_grouped_by_timestamp_in_order() {
        let mut w = RowWrite::new();
        w.put_version(Cow::Borrowed(b"cf:a"), 5, b"x".to_vec());
        w.put_version(Cow::Borrowed(b"cf:b"), 2, b"y".to_vec());
        w.put_version(Cow::Borrowed(b"cf:c"), 5, b"z".to_vec());
        let v = w.versions();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].0, 2);
        assert_eq!(v[1], (5, vec![(&b"cf:a"[..], &b"x"[..]), (b"cf:c", b"z")]));
        assert!(!w.is_empty());
        w.clear();
        assert!(w.is_empty());
    }
}
