//! Blocking [`Table`], its request builders, and [`Scan`] as an iterator.

use std::fmt;
use std::sync::Arc;

use super::{blocking_calls, blocking_options, blocking_twin, Batch, Connection, Runtime};
use crate::connection::ColumnFamily;
use crate::error::Result;
use crate::table::{Cell, Region, Row};

/// A blocking handle on one table: [`crate::Table`] with every `async fn`
/// turned into a blocking one. Made by [`Connection::table`]; cheap to clone.
///
/// Requests with options ([`row`](Table::row), [`rows`](Table::rows),
/// [`cells`](Table::cells), [`put`](Table::put), [`delete`](Table::delete),
/// [`check_and_put`](Table::check_and_put)) are builders that run with
/// `.run()`.
///
/// # Examples
/// ```no_run
/// # fn main() -> hbase_orm::Result<()> {
/// let conn = hbase_orm::blocking::Connection::builder().build();
/// let table = conn.table("users");
/// table.put("u1", [("cf:name", "Ann"), ("cf:city", "Oslo")]).run()?;
/// let row = table.row("u1").columns(["cf:name"]).run()?.expect("just written");
/// assert_eq!(row.get("cf:name").map(|v| &v[..]), Some(&b"Ann"[..]));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Table {
    conn: Connection,
    inner: crate::Table,
    rt: Arc<Runtime>,
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Table").field(&self.inner).finish()
    }
}

impl Table {
    pub(crate) fn new(conn: Connection, inner: crate::Table) -> Table {
        let rt = Arc::clone(conn.runtime());
        Table { conn, inner, rt }
    }

    /// The table name, without the connection's table prefix.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// assert_eq!(conn.table("t").name(), "t");
    /// ```
    pub fn name(&self) -> &str {
        self.inner.name()
    }

    /// The table name the gateway knows, with the prefix.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().table_prefix("p").build();
    /// assert_eq!(conn.table("t").full_name(), "p_t");
    /// ```
    pub fn full_name(&self) -> &str {
        self.inner.full_name()
    }

    /// The connection of this table.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// assert_eq!(conn.table("t").connection().addr(), conn.addr());
    /// ```
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The async table this one blocks on.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// assert_eq!(conn.table("t").as_async().name(), "t");
    /// ```
    pub fn as_async(&self) -> &crate::Table {
        &self.inner
    }

    /// Reads one row; see [`crate::Table::row`]. Options `.columns(..)` and
    /// `.timestamp(..)`; `.run()` returns `None` when the row has no
    /// (matching) cell.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// if let Some(row) = table.row("k").columns(["cf:a"]).run()? {
    ///     println!("{:?}", row.get("cf:a"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn row(&self, key: impl AsRef<[u8]>) -> RowRequest<'_> {
        RowRequest {
            inner: self.inner.row(key),
            rt: &self.rt,
        }
    }

    /// Reads several rows in one call; see [`crate::Table::rows`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// for row in table.rows(["a", "b"]).columns(["cf"]).run()? {
    ///     println!("{:?}", row.key);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn rows<I, K>(&self, keys: I) -> RowsRequest<'_>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        RowsRequest {
            inner: self.inner.rows(keys),
            rt: &self.rt,
        }
    }

    /// Reads the versions of one cell, newest first; see
    /// [`crate::Table::cells`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let history = table.cells("k", "cf:price").versions(5).run()?;
    /// # Ok(()) }
    /// ```
    pub fn cells(&self, key: impl AsRef<[u8]>, column: impl AsRef<[u8]>) -> CellsRequest<'_> {
        CellsRequest {
            inner: self.inner.cells(key, column),
            rt: &self.rt,
        }
    }

    /// Starts a scan: an iterator of rows; see [`Scan`] for the options.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let rows = table.scan().row_prefix("user:").limit(10).collect::<Result<Vec<_>, _>>()?;
    /// # Ok(()) }
    /// ```
    pub fn scan(&self) -> Scan {
        Scan::wrap(self.inner.scan(), Arc::clone(&self.rt))
    }

    /// Writes cells of one row; see [`crate::Table::put`]. Options
    /// `.timestamp(..)` and `.wal(..)`.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// table.put("k", [("cf:a", "1"), ("cf:b", "2")]).timestamp(1234).run()?;
    /// # Ok(()) }
    /// ```
    pub fn put<I, C, V>(&self, key: impl AsRef<[u8]>, data: I) -> PutRequest<'_>
    where
        I: IntoIterator<Item = (C, V)>,
        C: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        PutRequest {
            inner: self.inner.put(key, data),
            rt: &self.rt,
        }
    }

    /// Deletes a row, or some of its families or columns; see
    /// [`crate::Table::delete`]. Options `.columns(..)`, `.timestamp(..)`
    /// and `.wal(..)`.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// table.delete("k").columns(["cf:a"]).run()?;
    /// table.delete("k").run()?; // the whole row
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, key: impl AsRef<[u8]>) -> DeleteRequest<'_> {
        DeleteRequest {
            inner: self.inner.delete(key),
            rt: &self.rt,
        }
    }

    /// A batch of puts, deletes and counter increments; see [`Batch`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let mut batch = table.batch().batch_size(1000);
    /// for i in 0..10_000 {
    ///     batch.put(format!("row{i}"), [("cf:n", i.to_string())])?;
    /// }
    /// batch.send()?;
    /// # Ok(()) }
    /// ```
    pub fn batch(&self) -> Batch {
        Batch::wrap(self.inner.batch(), Arc::clone(&self.rt))
    }

    blocking_calls! {
        /// The value of a counter column (0 when it does not exist).
        ///
        /// # Errors
        /// As [`crate::Table::counter_get`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let visits = table.counter_get("page1", "stats:visits")?;
        /// # Ok(()) }
        /// ```
        fn counter_get(&self, key: impl AsRef<[u8]>, column: impl AsRef<[u8]>) -> Result<i64>;

        /// Sets a counter column to `value`.
        ///
        /// # Errors
        /// As [`crate::Table::counter_set`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// table.counter_set("page1", "stats:visits", 100)?;
        /// # Ok(()) }
        /// ```
        fn counter_set(&self, key: impl AsRef<[u8]>, column: impl AsRef<[u8]>, value: i64)
            -> Result<()>;

        /// Adds `value` to a counter column and returns the new value.
        ///
        /// # Errors
        /// As [`crate::Table::counter_inc`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let n = table.counter_inc("page1", "stats:visits", 1)?;
        /// # Ok(()) }
        /// ```
        fn counter_inc(&self, key: impl AsRef<[u8]>, column: impl AsRef<[u8]>, value: i64)
            -> Result<i64>;

        /// Subtracts `value` from a counter column and returns the new value.
        ///
        /// # Errors
        /// As [`crate::Table::counter_dec`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let left = table.counter_dec("stock", "cf:apples", 3)?;
        /// # Ok(()) }
        /// ```
        fn counter_dec(&self, key: impl AsRef<[u8]>, column: impl AsRef<[u8]>, value: i64)
            -> Result<i64>;

        /// Appends bytes to cells and returns the resulting cells.
        ///
        /// # Errors
        /// As [`crate::Table::append`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let cells = table.append("k", [("cf:log", ",event")])?;
        /// # Ok(()) }
        /// ```
        fn append<I: IntoIterator<Item = (C, V)>, C: AsRef<[u8]>, V: AsRef<[u8]>>(
            &self,
            key: impl AsRef<[u8]>,
            data: I,
        ) -> Result<Vec<Cell>>;
    }

    /// Atomically puts `value` into `column` if a check passes; see
    /// [`crate::Table::check_and_put`]. Options `.if_equals(..)`,
    /// `.check_column(..)` and `.wal(..)`; `.run()` returns whether the put
    /// was made.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let moved = table.check_and_put("job1", "cf:state", "running").if_equals("queued").run()?;
    /// # Ok(()) }
    /// ```
    pub fn check_and_put(
        &self,
        key: impl AsRef<[u8]>,
        column: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> CheckAndPutRequest<'_> {
        CheckAndPutRequest {
            inner: self.inner.check_and_put(key, column, value),
            rt: &self.rt,
        }
    }

    blocking_calls! {
        /// The column families of the table, with their options, by name.
        ///
        /// # Errors
        /// As [`crate::Table::families`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// for family in table.families()? {
        ///     println!("{} keeps {} versions", family.name, family.max_versions);
        /// }
        /// # Ok(()) }
        /// ```
        fn families(&self) -> Result<Vec<ColumnFamily>>;

        /// The regions of the table (empty for a missing table).
        ///
        /// # Errors
        /// As [`crate::Table::regions`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let regions = table.regions()?;
        /// # Ok(()) }
        /// ```
        fn regions(&self) -> Result<Vec<Region>>;
    }
}

/// Declares a blocking request: the async one and the runtime to run it on.
macro_rules! request {
    ($($(#[$doc:meta])* $name:ident => $out:ty;)*) => {$(
        $(#[$doc])*
        #[must_use = "a request does nothing until `.run()` is called"]
        pub struct $name<'a> {
            inner: crate::table::$name<'a>,
            rt: &'a Runtime,
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(concat!("blocking::", stringify!($name)))
                    .field(&self.inner)
                    .finish()
            }
        }

        impl $name<'_> {
            /// Makes the call and blocks until its result.
            ///
            /// # Errors
            /// As the async request.
            ///
            /// # Panics
            /// When called from an async task.
            ///
            /// # Examples
            /// ```no_run
            /// # fn main() -> hbase_orm::Result<()> {
            /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
            /// table.put("k", [("cf:a", "1")]).run()?;
            /// let row = table.row("k").run()?;
            /// # Ok(()) }
            /// ```
            #[track_caller]
            pub fn run(self) -> Result<$out> {
                self.rt.block_on(std::future::IntoFuture::into_future(self.inner))
            }
        }
    )*};
}

request! {
    /// Reads one row; built by [`Table::row`], runs with `.run()`.
    RowRequest => Option<Row>;
    /// Reads several rows; built by [`Table::rows`], runs with `.run()`.
    RowsRequest => Vec<Row>;
    /// Reads versions of one cell; built by [`Table::cells`], runs with
    /// `.run()`.
    CellsRequest => Vec<Cell>;
    /// Writes cells of one row; built by [`Table::put`], runs with `.run()`.
    PutRequest => ();
    /// Deletes a row or some of its cells; built by [`Table::delete`], runs
    /// with `.run()`.
    DeleteRequest => ();
    /// A conditional put; built by [`Table::check_and_put`], runs with
    /// `.run()`.
    CheckAndPutRequest => bool;
}

impl RowRequest<'_> {
    blocking_options! {
        /// Reads only these families (`cf`) and columns (`cf:q`).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.row("k").columns(["cf:a", "other"]);
        /// # drop(req);
        /// ```
        columns<I: IntoIterator<Item = C>, C: AsRef<[u8]>>(columns: I);
        /// Reads only versions older than `timestamp` (exclusive bound).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.row("k").timestamp(1_700_000_000_000);
        /// # drop(req);
        /// ```
        timestamp(timestamp: i64);
    }
}

impl RowRequest<'_> {
    /// Reads the row as a [`RowView`](crate::scan::RowView), with no
    /// [`Row`] built; see [`crate::table::RowRequest::view`].
    ///
    /// # Errors
    /// As the async request.
    ///
    /// # Panics
    /// When called from an async task.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let cells = table.row("k").view()?.map_or(0, |row| row.len());
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn view(self) -> Result<Option<crate::scan::RowView>> {
        self.rt.block_on(self.inner.view())
    }
}

impl RowsRequest<'_> {
    /// Reads the rows as [`RowView`](crate::scan::RowView)s, with no
    /// [`Row`] built; see [`crate::table::RowsRequest::views`].
    ///
    /// # Errors
    /// As the async request.
    ///
    /// # Panics
    /// When called from an async task.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let keys: Vec<Vec<u8>> = table.rows(["a", "b"]).views()?.iter().map(|r| r.key().to_vec()).collect();
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn views(self) -> Result<Vec<crate::scan::RowView>> {
        self.rt.block_on(self.inner.views())
    }
}

impl RowsRequest<'_> {
    blocking_options! {
        /// Reads only these families (`cf`) and columns (`cf:q`).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.rows(["a", "b"]).columns(["cf"]);
        /// # drop(req);
        /// ```
        columns<I: IntoIterator<Item = C>, C: AsRef<[u8]>>(columns: I);
        /// Reads only versions older than `timestamp` (exclusive bound).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.rows(["a", "b"]).timestamp(1_700_000_000_000);
        /// # drop(req);
        /// ```
        timestamp(timestamp: i64);
    }
}

impl CellsRequest<'_> {
    blocking_options! {
        /// Reads at most `n` versions (at least 1).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.cells("k", "cf:a").versions(3);
        /// # drop(req);
        /// ```
        versions(n: u32);
        /// Reads only versions older than `timestamp` (exclusive bound).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.cells("k", "cf:a").timestamp(1_700_000_000_000);
        /// # drop(req);
        /// ```
        timestamp(timestamp: i64);
    }
}

impl PutRequest<'_> {
    blocking_options! {
        /// Writes at `timestamp` instead of the server's time.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.put("k", [("cf:a", "1")]).timestamp(1234);
        /// # drop(req);
        /// ```
        timestamp(timestamp: i64);
        /// Whether to write to the write-ahead log (default true).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.put("k", [("cf:a", "1")]).wal(false);
        /// # drop(req);
        /// ```
        wal(wal: bool);
    }
}

impl DeleteRequest<'_> {
    blocking_options! {
        /// Deletes only these families (`cf`) and columns (`cf:q`).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.delete("k").columns(["cf:a"]);
        /// # drop(req);
        /// ```
        columns<I: IntoIterator<Item = C>, C: AsRef<[u8]>>(columns: I);
        /// Deletes only versions at or before `timestamp`.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.delete("k").timestamp(1234);
        /// # drop(req);
        /// ```
        timestamp(timestamp: i64);
        /// Whether to write to the write-ahead log (default true).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.delete("k").wal(false);
        /// # drop(req);
        /// ```
        wal(wal: bool);
    }
}

impl CheckAndPutRequest<'_> {
    blocking_options! {
        /// Puts only if the checked column holds `expected` (instead of: only
        /// if it has no value).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.check_and_put("job", "cf:state", "running").if_equals("queued");
        /// # drop(req);
        /// ```
        if_equals(expected: impl AsRef<[u8]>);
        /// Checks this column instead of the one written.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.check_and_put("job", "cf:owner", "me").check_column("cf:lock");
        /// # drop(req);
        /// ```
        check_column(column: impl AsRef<[u8]>);
        /// Whether to write to the write-ahead log (default true).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let req = table.check_and_put("k", "cf:a", "1").wal(false);
        /// # drop(req);
        /// ```
        wal(wal: bool);
    }
}

blocking_twin! {
    /// A blocking scan: an [`Iterator`] of rows, built by [`Table::scan`] and
    /// configured with the options of [`crate::Scan`] before the first
    /// `next()`.
    ///
    /// Each `next()` that needs a new round trip blocks on it; the rows of one
    /// round trip are held at a time. The server-side scanner is closed when the
    /// iteration ends, fails, reaches its limit, or when the scan is dropped
    /// before its end (as when a `for` loop breaks).
    ///
    /// # Errors
    /// Yields the errors of [`crate::Scan`], then ends.
    ///
    /// # Panics
    /// `next()` panics when called from an async task.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// for row in table.scan().row_start("user:100").row_stop("user:200").columns(["cf:name"]) {
    ///     let row = row?;
    ///     if row.key.starts_with(b"user:15") {
    ///         break; // the scanner is closed
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    #[must_use = "a scan does nothing until it is iterated"]
    pub struct Scan(closes crate::Scan) as "blocking::Scan";
    yields Result<Row>;
}

/// Forwards scan options to the async scan.
macro_rules! scan_options {
    ($($(#[$doc:meta])* $name:ident $(<$($g:ident: $b:path),+>)? ($arg:ident: $ty:ty);)*) => {$(
        $(#[$doc])*
        pub fn $name $(<$($g: $b),+>)? (mut self, $arg: $ty) -> Self {
            self.inner = self.inner.take().map(|s| s.$name($arg));
            self
        }
    )*};
}

impl Scan {
    scan_options! {
        /// Starts at this row key (inclusive).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().row_start("b");
        /// # drop(scan);
        /// ```
        row_start(key: impl AsRef<[u8]>);
        /// Stops before this row key (exclusive).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().row_stop("m");
        /// # drop(scan);
        /// ```
        row_stop(key: impl AsRef<[u8]>);
        /// Scans only the rows whose key starts with `prefix`.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().row_prefix("user:");
        /// # drop(scan);
        /// ```
        row_prefix(prefix: impl AsRef<[u8]>);
        /// A filter in the HBase filter language.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().filter("KeyOnlyFilter()");
        /// # drop(scan);
        /// ```
        filter(filter: impl AsRef<[u8]>);
        /// Returns only versions older than `timestamp` (exclusive bound).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().timestamp(1_700_000_000_000);
        /// # drop(scan);
        /// ```
        timestamp(timestamp: i64);
        /// Rows fetched per round trip (default 1000, at least 1).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().batch_size(100);
        /// # drop(scan);
        /// ```
        batch_size(rows: u32);
        /// Cells per result: wider rows come as several results.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().scan_batching(50);
        /// # drop(scan);
        /// ```
        scan_batching(cells: u32);
        /// Yields at most `n` results.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().limit(10);
        /// # drop(scan);
        /// ```
        limit(n: u64);
        /// Asks the gateway for the cells as an ordered list.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().sorted_columns(true);
        /// # drop(scan);
        /// ```
        sorted_columns(sorted: bool);
        /// Scans from high keys to low keys.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().reverse(true);
        /// # drop(scan);
        /// ```
        reverse(reverse: bool);
        /// Whether the region servers cache the blocks read.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().cache_blocks(false);
        /// # drop(scan);
        /// ```
        cache_blocks(cache: bool);
        /// Returns only these families (`cf`) and columns (`cf:q`).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let scan = table.scan().columns(["cf:a", "other"]);
        /// # drop(scan);
        /// ```
        columns<I: IntoIterator<Item = C>, C: AsRef<[u8]>>(columns: I);
    }
}

impl Scan {
    /// The scan as an iterator of [`RowView`](crate::scan::RowView)s: rows
    /// read where they lie in their reply, with no [`Row`] built; see
    /// [`crate::Scan::views`].
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let mut cells = 0;
    /// for row in table.scan().row_prefix("user:").views() {
    ///     cells += row?.len();
    /// }
    /// # Ok(()) }
    /// ```
    pub fn views(mut self) -> RowViews {
        let rt = Arc::clone(&self.rt);
        match self.inner.take() {
            Some(scan) => RowViews::wrap(scan.views(), rt),
            None => RowViews { inner: None, rt },
        }
    }
}

blocking_twin! {
    /// A blocking scan read as row views: an [`Iterator`] of
    /// [`RowView`](crate::scan::RowView)s, built by [`Scan::views`].
    ///
    /// Each `next()` that needs a new round trip blocks on it. The
    /// server-side scanner is closed when the iteration ends, fails,
    /// reaches its limit, or when the iterator is dropped before its end.
    ///
    /// # Errors
    /// Yields the errors of [`crate::Scan`], then ends.
    ///
    /// # Panics
    /// `next()` panics when called from an async task.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// for row in table.scan().views() {
    ///     println!("{:?}", row?.key());
    /// }
    /// # Ok(()) }
    /// ```
    #[must_use = "a scan does nothing until it is iterated"]
    pub struct RowViews(closes crate::scan::RowViews) as "blocking::RowViews";
    yields Result<crate::scan::RowView>;
}
