//! [`Scan`]: a range scan as a stream of rows.

use std::collections::BTreeMap;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, Stream};
use hbase_orm_idl::hbase::{
    HbaseScannerCloseArgs, HbaseScannerGetListArgs, HbaseScannerOpenWithScanArgs, TScan,
};

use bytes::Bytes;
use tokio::time::Instant;

use super::column::{columns_of, ColumnUse};
use super::connection::Connection;
use super::table::Table;
use super::view::Viewed;
pub use super::view::{Cells, RowView, RowViews};
use crate::error::{Error, Result};
use crate::network::Sent;
use crate::value::{DecodeRow, Row};

/// Default number of rows fetched per round trip.
///
/// # Examples
/// ```
/// assert_eq!(hbase_orm::scan::DEFAULT_BATCH_SIZE, 1000);
/// ```
pub const DEFAULT_BATCH_SIZE: u32 = 1000;

/// A scan over a table: a [`Stream`] of [`Row`]s, built by
/// [`Table::scan`](crate::Table::scan) and configured with the methods below
/// before it is first polled.
///
/// The options are HappyBase's: a range (`row_start` inclusive, `row_stop`
/// exclusive) or a `row_prefix`, `columns`, a `filter` in the HBase filter
/// language, a `timestamp` (exclusive upper bound), `batch_size` (rows per
/// round trip, default 1000), `scan_batching` (cells per result: wide rows
/// come in several results with the same key), `limit`, `sorted_columns` and
/// `reverse`.
///
/// While the rows of one round trip are consumed, the next round trip is
/// already under way, so a scan of N rows costs about N / `batch_size`
/// round trips, overlapped with the caller's work, and memory is bounded by
/// two pages of `batch_size` rows. The server-side scanner is closed when the stream ends,
/// fails, reaches its limit, or is dropped before its end (the close is then
/// sent in the background).
///
/// # Failures and resumption
/// When fetching the next rows fails with a retryable error (a dropped
/// connection, a timed-out attempt) or because the gateway forgot the
/// scanner (it expired, or the gateway restarted: `IllegalArgument`
/// "scanner ID is invalid"), the scan reopens a scanner just after the last
/// result it returned, with the same options, as the connection's
/// [`RetryPolicy`](crate::RetryPolicy) allows (attempts, backoff, and the
/// deadline, which bounds each fetch of rows with its reopenings). No row is
/// repeated or skipped: forward scans reopen at the smallest key after the
/// last one; reverse scans reopen at the last key and skip it; with
/// `scan_batching`, a row cut between two of its pieces resumes at the cell
/// after the last one returned. Rows written meanwhile may or may not be
/// seen, as with any scan; a stateful filter (`PageFilter`,
/// `WhileMatchFilter`, `ColumnCountGetFilter`) starts afresh on the
/// reopened scanner.
///
/// # Errors
/// The stream yields [`Error::InvalidInput`] for conflicting or zero options,
/// [`Error::Server`] for a missing table, [`Error::Application`] for a bad
/// filter string, and connection errors (after resumption failed, as
/// above); it ends after an error.
///
/// # Examples
/// ```no_run
/// use futures::TryStreamExt;
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// let mut scan = table
///     .scan()
///     .row_start("user:100")
///     .row_stop("user:200")
///     .columns(["cf:name"])
///     .filter("SingleColumnValueFilter('cf', 'active', =, 'binary:yes')")
///     .batch_size(500);
/// while let Some(row) = scan.try_next().await? {
///     println!("{:?}", row.key);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a scan does nothing until it is polled"]
pub struct Scan {
    table: Table,
    options: Options,
    stream: Option<BoxStream<'static, Result<Row>>>,
}

#[derive(Debug, Clone, Default)]
struct Options {
    row_start: Option<Vec<u8>>,
    row_stop: Option<Vec<u8>>,
    row_prefix: Option<Vec<u8>>,
    columns: Option<Result<Vec<Vec<u8>>, String>>,
    filter: Option<Vec<u8>>,
    timestamp: Option<i64>,
    batch_size: Option<u32>,
    scan_batching: Option<u32>,
    limit: Option<u64>,
    sorted_columns: bool,
    reverse: bool,
    cache_blocks: Option<bool>,
}

impl fmt::Debug for Scan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scan")
            .field("table", &self.table.full_name())
            .field("options", &self.options)
            .field("started", &self.stream.is_some())
            .finish()
    }
}

impl Scan {
    pub(crate) fn new(table: Table) -> Scan {
        Scan {
            table,
            options: Options::default(),
            stream: None,
        }
    }

    /// Starts at this row key (inclusive). Default: the first row (the last
    /// one when reversed).
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let rows = table.scan().row_start("b");
    /// # drop(rows);
    /// ```
    pub fn row_start(mut self, key: impl AsRef<[u8]>) -> Self {
        self.options.row_start = Some(key.as_ref().to_vec());
        self
    }

    /// Stops before this row key (exclusive). Default: the table end.
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let rows = table.scan().row_start("a").row_stop("b");
    /// # drop(rows);
    /// ```
    pub fn row_stop(mut self, key: impl AsRef<[u8]>) -> Self {
        self.options.row_stop = Some(key.as_ref().to_vec());
        self
    }

    /// Scans only the rows whose key starts with `prefix` (not with
    /// `row_start` or `row_stop`).
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let users = table.scan().row_prefix("user:");
    /// # drop(users);
    /// ```
    pub fn row_prefix(mut self, prefix: impl AsRef<[u8]>) -> Self {
        self.options.row_prefix = Some(prefix.as_ref().to_vec());
        self
    }

    /// Returns only these families (`cf`) and columns (`cf:q`).
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let names = table.scan().columns(["cf:name", "meta"]);
    /// # drop(names);
    /// ```
    pub fn columns<I, C>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: AsRef<[u8]>,
    {
        self.options.columns =
            Some(columns_of(columns, ColumnUse::Read).map_err(|e| e.to_string()));
        self
    }

    /// A filter in the HBase filter language, for example
    /// `"KeyOnlyFilter() AND PrefixFilter('a')"`.
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let keys = table.scan().filter("KeyOnlyFilter() AND FirstKeyOnlyFilter()");
    /// # drop(keys);
    /// ```
    pub fn filter(mut self, filter: impl AsRef<[u8]>) -> Self {
        self.options.filter = Some(filter.as_ref().to_vec());
        self
    }

    /// Returns only versions older than `timestamp` (exclusive bound).
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let old = table.scan().timestamp(1_700_000_000_000);
    /// # drop(old);
    /// ```
    pub fn timestamp(mut self, timestamp: i64) -> Self {
        self.options.timestamp = Some(timestamp);
        self
    }

    /// Rows fetched per round trip (default 1000, at least 1).
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let small_pages = table.scan().batch_size(100);
    /// # drop(small_pages);
    /// ```
    pub fn batch_size(mut self, rows: u32) -> Self {
        self.options.batch_size = Some(rows);
        self
    }

    /// Cells per result (at least 1): a row with more cells comes as several
    /// results with the same key. Default: whole rows.
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let pieces = table.scan().scan_batching(50);
    /// # drop(pieces);
    /// ```
    pub fn scan_batching(mut self, cells: u32) -> Self {
        self.options.scan_batching = Some(cells);
        self
    }

    /// Yields at most `n` results.
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let first_ten = table.scan().limit(10);
    /// # drop(first_ten);
    /// ```
    pub fn limit(mut self, n: u64) -> Self {
        self.options.limit = Some(n);
        self
    }

    /// Asks the gateway for the cells as an ordered list rather than a map.
    /// The cells of a [`Row`] are always in byte order of their names, so
    /// this changes only the wire format.
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let sorted = table.scan().sorted_columns(true);
    /// # drop(sorted);
    /// ```
    pub fn sorted_columns(mut self, sorted: bool) -> Self {
        self.options.sorted_columns = sorted;
        self
    }

    /// Scans from high keys to low keys: `row_start` is then the high key
    /// (inclusive) and `row_stop` the low key (exclusive).
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let newest_first = table.scan().reverse(true).row_start("k9").row_stop("k0");
    /// # drop(newest_first);
    /// ```
    pub fn reverse(mut self, reverse: bool) -> Self {
        self.options.reverse = reverse;
        self
    }

    /// Whether the region servers cache the blocks read (HBase default true;
    /// turn off for one-off full scans).
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let full = table.scan().cache_blocks(false);
    /// # drop(full);
    /// ```
    pub fn cache_blocks(mut self, cache: bool) -> Self {
        self.options.cache_blocks = Some(cache);
        self
    }

    fn start(&mut self) -> BoxStream<'static, Result<Row>> {
        let options = std::mem::take(&mut self.options);
        Box::pin(start(self.table.clone(), options, |view| Ok(view.to_row())))
    }

    /// The scan as a stream of [`RowView`]s: each row read where it lies in
    /// the reply it came in, with no [`Row`] built (no map, no shared slice
    /// per cell). The same rows, cells and options as the scan's stream of
    /// [`Row`]s, `scan_batching` and resumption after failures included;
    /// [`RowView::to_row`] makes a [`Row`] of a view. For scans that read
    /// every row once, this is the cheaper way.
    ///
    /// A scan already polled as a stream of rows yields one
    /// [`Error::InvalidInput`].
    ///
    /// # Examples
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let mut views = table.scan().row_prefix("user:").views();
    /// let mut bytes = 0;
    /// while let Some(row) = views.try_next().await? {
    ///     bytes += row.get("cf:name").map_or(0, <[u8]>::len);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn views(self) -> RowViews {
        if self.stream.is_some() {
            let e = Error::InvalidInput(
                "a scan read as row views must not have been polled as a stream of rows".to_owned(),
            );
            return RowViews {
                stream: Box::pin(stream::once(async move { Err(e) })),
            };
        }
        RowViews {
            stream: Box::pin(start(self.table, self.options, Ok)),
        }
    }

    /// The scan as a stream of its rows decoded by `D`, each row straight
    /// from its place in its reply (no [`Row`] is built). A row that does not decode is
    /// an error item, and the stream goes on after it. A scan with
    /// `scan_batching` (whose results are pieces of rows) yields
    /// [`Error::InvalidInput`].
    pub(crate) fn decoded<D>(self) -> BoxStream<'static, Result<D::Output>>
    where
        D: DecodeRow + 'static,
        D::Output: Send + 'static,
    {
        if self.options.scan_batching.is_some() || self.stream.is_some() {
            let e = Error::InvalidInput(
                "a scan decoded row by row takes no scan_batching and must not have started"
                    .to_owned(),
            );
            return Box::pin(stream::once(async move { Err(e) }));
        }
        Box::pin(start(self.table, self.options, |view| {
            D::decode_row(view.key(), view.cells())
        }))
    }
}

/// The rows of a scan with `options`, each read as a [`RowView`] and
/// yielded as `output` makes it of the view (the view itself, a [`Row`], a
/// decoded model), as it is returned: what a row allocates is then made,
/// and freed by a caller that drops it, one row at a time, not a page at a
/// time.
fn start<T, F>(table: Table, options: Options, output: F) -> Results<F>
where
    F: Fn(RowView) -> Result<T>,
{
    let (cursor, error) = match Cursor::new(table, options) {
        Ok(cursor) => (cursor.map(Box::new), None),
        Err(e) => (None, Some(e)),
    };
    Results {
        cursor,
        fetching: None,
        error,
        output,
    }
}

/// The results of a running scan as a stream: the ones of the page at hand
/// straight from the cursor, a future only for the round trips between
/// pages (the cursor, boxed, moves into it and back).
struct Results<F> {
    /// The cursor, while no round trip is under way and the scan goes on.
    cursor: Option<Box<Cursor>>,
    /// The round trips under way, and the cursor they give back.
    fetching: Option<Fetching>,
    /// The one item of a scan whose options are refused.
    error: Option<Error>,
    /// What a result is yielded as.
    output: F,
}

impl<T, F: Fn(RowView) -> Result<T> + Unpin> Stream for Results<F> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(fetching) = this.fetching.as_mut() {
            let (item, cursor) = std::task::ready!(fetching.as_mut().poll(cx));
            this.fetching = None;
            this.cursor = Some(cursor);
            return Poll::Ready(item.map(|item| item.and_then(&this.output)));
        }
        if let Some(e) = this.error.take() {
            return Poll::Ready(Some(Err(e)));
        }
        // A finished cursor is dropped: the stream has ended.
        let Some(mut cursor) = this.cursor.take().filter(|c| !c.finished) else {
            return Poll::Ready(None);
        };
        if let Some(item) = cursor.take_ready() {
            this.cursor = Some(cursor);
            return Poll::Ready(Some(item.and_then(&this.output)));
        }
        this.fetching = Some(Box::pin(async move {
            let item = cursor.next().await;
            (item, cursor)
        }));
        self.poll_next(cx)
    }
}

/// What [`Results`] waits for between pages: the next result, and the
/// cursor back.
type Fetching = BoxFuture<'static, (Option<Result<RowView>>, Box<Cursor>)>;

/// A `scannerGetList` call, its page read as [`RowView`]s.
type GetPage = Viewed<HbaseScannerGetListArgs>;

/// The call fetching `nb_rows` results of scanner `id`.
fn fetch(id: i32, nb_rows: i32) -> GetPage {
    Viewed(HbaseScannerGetListArgs { id, nb_rows })
}

impl Table {
    /// Starts a scan: a stream of rows; see [`Scan`] for the options.
    ///
    /// # Examples
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let rows: Vec<_> = table.scan().row_prefix("user:").limit(10).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn scan(&self) -> Scan {
        Scan::new(self.clone())
    }
}

impl Stream for Scan {
    type Item = Result<Row>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.stream.is_none() {
            this.stream = Some(this.start());
        }
        match this.stream.as_mut() {
            Some(s) => s.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

/// The smallest key greater than every key starting with `prefix`, or `None`
/// when there is none (the prefix is empty or all `0xff`).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let keep = prefix.iter().rposition(|&b| b != 0xff)?;
    let mut end = prefix[..=keep].to_vec();
    end[keep] += 1;
    Some(end)
}

/// Closes the server-side scanner when dropped while it is open.
struct ScannerGuard {
    conn: Connection,
    id: Option<i32>,
}

impl ScannerGuard {
    /// Closes the scanner and waits for the gateway's answer.
    async fn close(&mut self) -> Result<()> {
        match self.id.take() {
            Some(id) => self.conn.call(&HbaseScannerCloseArgs { id }).await,
            None => Ok(()),
        }
    }

    /// Closes the scanner without waiting.
    fn close_detached(&mut self) {
        if let Some(id) = self.id.take() {
            self.conn.call_detached(&HbaseScannerCloseArgs { id });
        }
    }
}

impl Drop for ScannerGuard {
    fn drop(&mut self) {
        self.close_detached();
    }
}

/// The state of a running scan.
struct Cursor {
    table: Table,
    guard: ScannerGuard,
    /// The scan to open; taken when the scanner is opened.
    scan: Option<TScan>,
    page: std::vec::IntoIter<RowView>,
    /// The next page, asked for while the current one is consumed.
    next_page: Option<Sent<GetPage>>,
    batch_size: u32,
    limit: Option<u64>,
    returned: u64,
    /// The scanner has nothing more (or the limit is reached).
    exhausted: bool,
    /// The stream has ended.
    finished: bool,
    /// Reverse prefix scans stop at the first key without the prefix.
    reverse_prefix: Option<Vec<u8>>,
    /// The scan as asked for, to reopen it after a failure.
    base: TScan,
    /// The key of the last result returned, and how many of its cells were
    /// returned (several results share a key under `scan_batching`).
    last_key: Option<Bytes>,
    cells_done: usize,
    /// After a reopening: results with this key to skip (`None`: whole
    /// rows; `Some(n)`: their first `n` cells, returned before the failure).
    skip: Option<(Bytes, Option<usize>)>,
    /// Failed fetches since the last page that arrived.
    failures: u32,
    /// The deadline of the fetch under way, reopenings included.
    fetch_deadline: Option<Instant>,
    /// When the first fetch failure of the fetch under way happened.
    first_failure: Option<std::time::Instant>,
}

impl Cursor {
    fn new(table: Table, o: Options) -> Result<Option<Self>> {
        let batch_size = o.batch_size.unwrap_or(DEFAULT_BATCH_SIZE);
        if batch_size == 0 {
            return Err(Error::InvalidInput(
                "scan batch_size must be at least 1".to_owned(),
            ));
        }
        if o.scan_batching == Some(0) {
            return Err(Error::InvalidInput(
                "scan_batching must be at least 1".to_owned(),
            ));
        }
        if o.limit == Some(0) {
            return Ok(None);
        }
        let columns = match o.columns {
            Some(Ok(columns)) => Some(columns).filter(|c| !c.is_empty()),
            Some(Err(message)) => return Err(Error::InvalidInput(message)),
            None => None,
        };
        let mut reverse_prefix = None;
        let (start, stop) = match o.row_prefix {
            Some(prefix) => {
                if o.row_start.is_some() || o.row_stop.is_some() {
                    return Err(Error::InvalidInput(
                        "a scan takes row_prefix or row_start/row_stop, not both".to_owned(),
                    ));
                }
                if o.reverse {
                    // Reversed, the stop bound is exclusive and below the
                    // range: no key expresses "just below the prefix", so the
                    // end of the prefix range is found here.
                    let start = prefix_end(&prefix).unwrap_or_default();
                    reverse_prefix = Some(prefix);
                    (start, None)
                } else {
                    let stop = prefix_end(&prefix);
                    (prefix, stop)
                }
            }
            None => (o.row_start.unwrap_or_default(), o.row_stop),
        };
        let batch_i32 = i32::try_from(batch_size).unwrap_or(i32::MAX);
        let scan = TScan {
            start_row: Some(start),
            stop_row: stop,
            timestamp: o.timestamp,
            columns,
            caching: Some(batch_i32),
            filter_string: o.filter,
            batch_size: o
                .scan_batching
                .map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            sort_columns: o.sorted_columns.then_some(true),
            reversed: o.reverse.then_some(true),
            cache_blocks: o.cache_blocks,
        };
        Ok(Some(Cursor {
            base: scan.clone(),
            last_key: None,
            cells_done: 0,
            skip: None,
            failures: 0,
            fetch_deadline: None,
            first_failure: None,
            guard: ScannerGuard {
                conn: table.connection().clone(),
                id: None,
            },
            table,
            scan: Some(scan),
            page: Vec::new().into_iter(),
            next_page: None,
            batch_size,
            limit: o.limit,
            returned: 0,
            exhausted: false,
            finished: false,
            reverse_prefix,
        }))
    }

    /// Ends the stream with an error; the scanner is closed in the background.
    fn fail(&mut self, err: Error) -> Option<Result<RowView>> {
        self.guard.close_detached();
        self.finished = true;
        self.page = Vec::new().into_iter();
        self.next_page = None;
        Some(Err(err))
    }

    /// The next result of the page at hand, when it has one to return
    /// (no await: most results of a scan come so).
    fn take_ready(&mut self) -> Option<Result<RowView>> {
        while let Some(mut row) = self.page.next() {
            if !self.skip_returned(&mut row) {
                continue;
            }
            let key = row.key();
            if let Some(prefix) = &self.reverse_prefix {
                if !key.starts_with(prefix) {
                    if key > prefix.as_slice() {
                        // The one key equal to the end of the prefix range.
                        continue;
                    }
                    // Below the prefix range: done.
                    self.exhausted = true;
                    self.page = Vec::new().into_iter();
                    self.next_page = None;
                    continue;
                }
            }
            self.returned += 1;
            // Pieces of one row share its key only under scan_batching (so
            // whole rows do not compare keys).
            if self.base.batch_size.is_some() && self.last_key.as_deref() == Some(key) {
                self.cells_done += row.len();
            } else {
                self.last_key = Some(row.key_bytes());
                self.cells_done = row.len();
            }
            if self.limit.is_some_and(|l| self.returned >= l) {
                // Nothing more will be asked for: close now, without
                // making the caller wait for it.
                self.exhausted = true;
                self.page = Vec::new().into_iter();
                self.next_page = None;
                self.guard.close_detached();
            }
            return Some(Ok(row));
        }
        None
    }

    /// The next result: from the page at hand, or after the round trips
    /// fetching the next page (the scanner opened first, closed at the
    /// end). `None` when the scan has ended.
    async fn next(&mut self) -> Option<Result<RowView>> {
        if self.finished {
            return None;
        }
        loop {
            if let Some(item) = self.take_ready() {
                return Some(item);
            }
            if self.exhausted {
                self.finished = true;
                if let Err(e) = self.guard.close().await {
                    tracing::debug!("closing a scanner failed: {e}");
                }
                return None;
            }
            if self.guard.id.is_none() {
                let Some(scan) = self.scan.take() else {
                    self.finished = true;
                    return None;
                };
                let deadline = self.fetch_deadline();
                let opened = self
                    .table
                    .connection()
                    .call_within(
                        &HbaseScannerOpenWithScanArgs {
                            table_name: self.table.name_bytes(),
                            scan,
                            attributes: BTreeMap::new(),
                        },
                        deadline,
                    )
                    .await;
                match opened {
                    Ok(id) => self.guard.id = Some(id),
                    Err(e) => return self.fail(e),
                }
            }
            let Some(id) = self.guard.id else {
                continue;
            };
            let sent = match self.next_page.take() {
                Some(sent) => Ok(sent),
                None => {
                    let deadline = self.fetch_deadline();
                    self.ask(id, deadline)
                }
            };
            let fetched = match sent {
                Ok(sent) => self.table.connection().finish(sent).await,
                Err(e) => Err(e),
            };
            if fetched.is_ok() {
                self.failures = 0;
                self.fetch_deadline = None;
                self.first_failure = None;
            }
            match fetched {
                Ok(rows) if rows.is_empty() => self.exhausted = true,
                Ok(rows) => {
                    // A full page: the scanner likely has more, so ask for
                    // the next page now, to have it while this one is used.
                    let full = rows.len() >= self.page_size() as usize;
                    let left = self
                        .limit
                        .map_or(u64::MAX, |l| l.saturating_sub(self.returned));
                    if full && (rows.len() as u64) < left {
                        self.next_page = self.ask_ahead(id, rows.len() as u64);
                    }
                    self.page = rows.into_iter();
                }
                Err(e) => match self.resume(e).await {
                    Ok(()) => {}
                    Err(e) => return self.fail(e),
                },
            }
        }
    }

    /// The deadline of the fetch under way, set when it starts.
    fn fetch_deadline(&mut self) -> Instant {
        let conn = self.table.connection();
        *self
            .fetch_deadline
            .get_or_insert_with(|| Instant::now() + conn.deadline())
    }

    /// Whether `row` is to be returned, after trimming the cells returned
    /// before the scanner was reopened.
    fn skip_returned(&mut self, row: &mut RowView) -> bool {
        let Some((key, cells)) = self.skip.as_mut() else {
            return true;
        };
        if row.key() != key.as_ref() {
            self.skip = None;
            return true;
        }
        let Some(done) = cells else {
            return false;
        };
        let n = row.len();
        if n <= *done {
            *done -= n;
            return false;
        }
        row.skip_cells(*done);
        self.skip = None;
        true
    }

    /// After a failed fetch: reopens the scanner just after the last result
    /// returned, when the error allows it and the retry policy has attempts
    /// and time left; otherwise the error to end the scan with.
    ///
    /// Forward scans of whole rows reopen at the last key followed by a zero
    /// byte, the smallest key after it. Reverse scans (whose start is an
    /// inclusive high key, with no "key just before" to name) reopen at the
    /// last key and skip that row. With `scan_batching`, a row comes in
    /// pieces, and the last one returned may not be its end: the scan
    /// reopens at the last key and skips as many of its cells as were
    /// returned, so no cell is repeated or lost (cells come in column order).
    async fn resume(&mut self, err: Error) -> Result<()> {
        let policy = *self.table.connection().retry_policy();
        let expired = matches!(&err, Error::IllegalArgument { message }
            if message.to_ascii_lowercase().contains("scanner"));
        if policy.max_attempts <= 1 || !(err.is_retryable() || expired) {
            return Err(err);
        }
        let first_failure = *self
            .first_failure
            .get_or_insert_with(std::time::Instant::now);
        self.failures += 1;
        let deadline = self.fetch_deadline();
        let delay = policy.backoff(self.failures);
        let left = deadline.saturating_duration_since(Instant::now());
        if self.failures >= policy.max_attempts
            || delay + std::time::Duration::from_millis(5) >= left
        {
            return Err(super::retry::give_up(
                "scannerGetList",
                self.failures,
                first_failure,
                err,
            ));
        }
        tracing::debug!(
            method = "scannerGetList",
            attempt = self.failures,
            delay_ms = delay.as_millis() as u64,
            error = %err,
            "reopening a scan of {} after the last row it returned",
            self.table.full_name()
        );
        self.guard.close_detached();
        self.next_page = None;
        self.page = Vec::new().into_iter();
        let mut scan = self.base.clone();
        if let Some(last) = &self.last_key {
            let batching = scan.batch_size.is_some();
            let reverse = scan.reversed == Some(true);
            if !batching && !reverse {
                let mut start = last.to_vec();
                start.push(0);
                scan.start_row = Some(start);
                self.skip = None;
            } else {
                scan.start_row = Some(last.to_vec());
                self.skip = Some((last.clone(), batching.then_some(self.cells_done)));
            }
        }
        self.scan = Some(scan);
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// Rows to ask for next: the batch size, or less near the limit.
    fn page_size(&self) -> u32 {
        let mut n = self.batch_size;
        if let Some(limit) = self.limit {
            let left = limit.saturating_sub(self.returned);
            n = n.min(u32::try_from(left).unwrap_or(u32::MAX)).max(1);
        }
        n
    }

    fn ask(&self, id: i32, deadline: Instant) -> Result<Sent<GetPage>> {
        let conn = self.table.connection();
        let left = deadline.saturating_duration_since(Instant::now());
        let nb_rows = i32::try_from(self.page_size()).unwrap_or(i32::MAX);
        conn.start_with(&fetch(id, nb_rows), conn.attempt_timeout().min(left))
    }

    /// Asks for the page after the `pending` rows not yet returned.
    fn ask_ahead(&self, id: i32, pending: u64) -> Option<Sent<GetPage>> {
        let mut n = u64::from(self.batch_size);
        if let Some(limit) = self.limit {
            n = n.min(limit.saturating_sub(self.returned + pending));
        }
        if n == 0 {
            return None;
        }
        let nb_rows = i32::try_from(n).unwrap_or(i32::MAX);
        self.table.connection().start(&fetch(id, nb_rows)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(b"abc"), Some(b"abd".to_vec()));
        assert_eq!(prefix_end(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff\xff"), None);
        assert_eq!(prefix_end(b""), None);
        assert_eq!(prefix_end(b"a\x00"), Some(b"a\x01".to_vec()));
    }

    fn cursor(scan: Scan) -> Result<Option<Cursor>> {
        Cursor::new(scan.table, scan.options)
    }

    #[test]
    fn options_become_a_tscan() {
        let table = Connection::builder().build().table("t");
        let c = cursor(
            table
                .scan()
                .row_prefix("ab")
                .columns(["cf:a", "cf2"])
                .filter("KeyOnlyFilter()")
                .timestamp(9)
                .batch_size(10)
                .scan_batching(2)
                .sorted_columns(true),
        )
        .unwrap()
        .unwrap();
        let s = c.scan.as_ref().unwrap();
        assert_eq!(s.start_row.as_deref(), Some(&b"ab"[..]));
        assert_eq!(s.stop_row.as_deref(), Some(&b"ac"[..]));
        assert_eq!(s.columns.as_ref().map(Vec::len), Some(2));
        assert_eq!(s.caching, Some(10));
        assert_eq!(s.batch_size, Some(2));
        assert_eq!(s.timestamp, Some(9));
        assert_eq!(s.sort_columns, Some(true));
        assert_eq!(s.reversed, None);

        let r = cursor(table.scan().row_prefix("ab").reverse(true))
            .unwrap()
            .unwrap();
        let s = r.scan.as_ref().unwrap();
        assert_eq!(s.start_row.as_deref(), Some(&b"ac"[..]));
        assert_eq!(s.stop_row, None);
        assert_eq!(s.reversed, Some(true));
        assert_eq!(r.reverse_prefix.as_deref(), Some(&b"ab"[..]));
    }

    #[test]
    fn bad_options_are_refused() {
        let table = Connection::builder().build().table("t");
        assert!(cursor(table.scan().row_prefix("a").row_start("b")).is_err());
        assert!(cursor(table.scan().batch_size(0)).is_err());
        assert!(cursor(table.scan().scan_batching(0)).is_err());
        assert!(cursor(table.scan().columns([":x"])).is_err());
        assert!(cursor(table.scan().limit(0)).unwrap().is_none());
    }
}
