//! Thrift2 scans: [`ScanOptions`] and the [`Scanner`] stream.

use std::collections::BTreeMap;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream};
use hbase_orm_idl::hbase2::{
    self as idl, TColumn, THBaseServiceCloseScannerArgs, THBaseServiceGetScannerRowsArgs,
    THBaseServiceOpenScannerArgs, TScan,
};

use super::connection::Connection;
use super::request::{attribute, authorizations, bytes, Consistency, TimeRange};
use super::result::RowResult;
use crate::error::{Error, Result};

/// Rows fetched per round trip unless [`ScanOptions::caching`] says
/// otherwise.
pub const DEFAULT_CACHING: i32 = 1000;

/// How region servers read a scan's files: `DEFAULT`, `STREAM`, `PREAD`.
pub type ReadType = idl::TReadType;

/// What a scan reads: a key range (start included, stop excluded), columns,
/// versions, time ranges, a filter, authorizations, direction, limit.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::ScanOptions;
/// let scan = ScanOptions::new()
///     .start("user:0")
///     .stop("user:9")
///     .family("cf")
///     .time_range(0, 1_000)
///     .family_time_range("meta", 500, 600)
///     .filter("KeyOnlyFilter()")
///     .reversed(false)
///     .limit(10)
///     .caching(100)
///     .batch_size(5);
/// assert_eq!(scan.wire().limit, Some(10));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOptions(TScan);

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions::new()
    }
}

impl ScanOptions {
    /// The whole table, every column, the newest version.
    pub fn new() -> ScanOptions {
        // Every field unset: the generated `Default` fills in the IDL's
        // defaults and zeros, which the gateway would take as asked for.
        ScanOptions(TScan {
            start_row: None,
            stop_row: None,
            columns: None,
            caching: None,
            max_versions: None,
            time_range: None,
            filter_string: None,
            batch_size: None,
            attributes: None,
            authorizations: None,
            reversed: None,
            cache_blocks: None,
            col_fam_time_range_map: None,
            read_type: None,
            limit: None,
            consistency: None,
            target_replica_id: None,
            filter_bytes: None,
        })
    }

    /// The first row key read (included; the last one for a reversed
    /// scan).
    pub fn start(mut self, row: impl AsRef<[u8]>) -> Self {
        self.0.start_row = Some(bytes(row));
        self
    }

    /// The row key the scan stops at (excluded).
    pub fn stop(mut self, row: impl AsRef<[u8]>) -> Self {
        self.0.stop_row = Some(bytes(row));
        self
    }

    /// The rows whose key starts with `prefix` (forward scans).
    pub fn prefix(mut self, prefix: impl AsRef<[u8]>) -> Self {
        let prefix = prefix.as_ref();
        self.0.start_row = Some(prefix.to_vec());
        self.0.stop_row = crate::thrift1::scan::prefix_end(prefix);
        self
    }

    /// Reads every column of `family`.
    pub fn family(mut self, family: impl AsRef<[u8]>) -> Self {
        self.0.columns.get_or_insert_with(Vec::new).push(TColumn {
            family: bytes(family),
            qualifier: None,
            timestamp: None,
        });
        self
    }

    /// Reads column `family:qualifier`.
    pub fn column(mut self, family: impl AsRef<[u8]>, qualifier: impl AsRef<[u8]>) -> Self {
        self.0.columns.get_or_insert_with(Vec::new).push(TColumn {
            family: bytes(family),
            qualifier: Some(bytes(qualifier)),
            timestamp: None,
        });
        self
    }

    /// Up to `n` versions of each column (default 1).
    pub fn max_versions(mut self, n: i32) -> Self {
        self.0.max_versions = Some(n);
        self
    }

    /// Only cells with a timestamp in `min..max`.
    pub fn time_range(mut self, min: i64, max: i64) -> Self {
        self.0.time_range = Some(TimeRange::new(min, max).wire());
        self
    }

    /// Only cells of `family` with a timestamp in `min..max` (other
    /// families keep the scan's time range).
    pub fn family_time_range(mut self, family: impl AsRef<[u8]>, min: i64, max: i64) -> Self {
        self.0
            .col_fam_time_range_map
            .get_or_insert_with(BTreeMap::new)
            .insert(bytes(family), TimeRange::new(min, max).wire());
        self
    }

    /// A server-side filter in the HBase filter language.
    pub fn filter(mut self, filter: impl AsRef<[u8]>) -> Self {
        self.0.filter_string = Some(bytes(filter));
        self
    }

    /// A server-side filter as a serialized protobuf `Filter`.
    pub fn filter_bytes(mut self, filter: impl AsRef<[u8]>) -> Self {
        self.0.filter_bytes = Some(bytes(filter));
        self
    }

    /// Rows per round trip, both between the region server and the
    /// gateway and between the gateway and the client (default
    /// [`DEFAULT_CACHING`]).
    pub fn caching(mut self, rows: i32) -> Self {
        self.0.caching = Some(rows);
        self
    }

    /// At most `cells` cells per result: a wider row comes in several
    /// results with the same key, each [`partial`](RowResult::partial).
    pub fn batch_size(mut self, cells: i32) -> Self {
        self.0.batch_size = Some(cells);
        self
    }

    /// Newest keys first. The start key is then the largest key read.
    pub fn reversed(mut self, reversed: bool) -> Self {
        self.0.reversed = Some(reversed);
        self
    }

    /// At most `rows` rows.
    pub fn limit(mut self, rows: i32) -> Self {
        self.0.limit = Some(rows);
        self
    }

    /// The visibility labels the scan may see.
    pub fn authorizations<I, S>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0.authorizations = Some(authorizations(labels));
        self
    }

    /// Which replicas may answer.
    pub fn consistency(mut self, consistency: Consistency) -> Self {
        self.0.consistency = Some(consistency);
        self
    }

    /// The replica to read from.
    pub fn replica(mut self, id: i32) -> Self {
        self.0.target_replica_id = Some(id);
        self
    }

    /// Whether region servers cache the blocks read.
    pub fn cache_blocks(mut self, cache: bool) -> Self {
        self.0.cache_blocks = Some(cache);
        self
    }

    /// How region servers read the files.
    pub fn read_type(mut self, read_type: ReadType) -> Self {
        self.0.read_type = Some(read_type);
        self
    }

    /// An operation attribute.
    pub fn attribute(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        attribute(&mut self.0.attributes, name.as_ref(), value.as_ref());
        self
    }

    /// The gateway's struct this scan sends.
    pub fn wire(&self) -> &TScan {
        &self.0
    }

    pub(crate) fn into_wire(self) -> TScan {
        self.0
    }
}

/// A running scan: a [`Stream`] of [`RowResult`]s, opened on the gateway
/// at first poll.
///
/// Rows come [`caching`](ScanOptions::caching) at a time. The gateway's
/// scanner is closed when the stream ends, fails, reaches its limit, or is
/// dropped before its end (then in the background). A failed fetch ends
/// the stream with its error; the scan is not resumed (fetching rows moves
/// the gateway's scanner, so it is never resent).
///
/// # Examples
/// ```no_run
/// use futures::TryStreamExt;
/// use hbase_orm::thrift2::{Connection, ScanOptions};
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// let t = Connection::builder().build().table("events");
/// let rows: Vec<_> = t.scan(ScanOptions::new().prefix("2024-").limit(100)).try_collect().await?;
/// # Ok(()) }
/// ```
pub struct Scanner {
    stream: BoxStream<'static, Result<RowResult>>,
}

impl fmt::Debug for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scanner").finish_non_exhaustive()
    }
}

/// Closes the gateway's scanner when dropped while it is open.
struct Guard {
    conn: Connection,
    id: Option<i32>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.conn
                .call_detached(&THBaseServiceCloseScannerArgs { scanner_id: id });
        }
    }
}

struct State {
    guard: Guard,
    table: Vec<u8>,
    scan: Option<TScan>,
    page: std::vec::IntoIter<idl::TResult>,
    caching: i32,
    limit: Option<u64>,
    returned: u64,
    done: bool,
}

impl State {
    async fn next(mut self) -> Option<(Result<RowResult>, State)> {
        loop {
            if self.limit.is_some_and(|l| self.returned >= l) {
                self.done = true;
            }
            if !self.done {
                if let Some(r) = self.page.next() {
                    self.returned += 1;
                    return Some((Ok(RowResult::from_wire(r)), self));
                }
            }
            if self.done {
                if let Some(id) = self.guard.id.take() {
                    // An error of the close does not matter to the rows read.
                    let closed = self
                        .guard
                        .conn
                        .call(&THBaseServiceCloseScannerArgs { scanner_id: id })
                        .await;
                    if let Err(e) = closed {
                        tracing::debug!("closing a Thrift2 scanner failed: {e}");
                    }
                }
                return None;
            }
            match self.fetch().await {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    // The stream ends here; the scanner is closed by the
                    // next poll, or in the background when it is dropped.
                    self.done = true;
                    return Some((Err(e), self));
                }
            }
        }
    }

    /// Opens the scanner if needed and fetches a page; whether it had rows.
    async fn fetch(&mut self) -> Result<bool> {
        if let Some(tscan) = self.scan.take() {
            let id = self
                .guard
                .conn
                .call(&THBaseServiceOpenScannerArgs {
                    table: self.table.clone(),
                    tscan,
                })
                .await?;
            self.guard.id = Some(id);
        }
        let Some(id) = self.guard.id else {
            return Ok(false);
        };
        let rows = self
            .guard
            .conn
            .call(&THBaseServiceGetScannerRowsArgs {
                scanner_id: id,
                num_rows: self.caching,
            })
            .await?;
        if rows.is_empty() {
            return Ok(false);
        }
        self.page = rows.into_iter();
        Ok(true)
    }
}

impl Scanner {
    pub(crate) fn new(conn: Connection, table: Vec<u8>, options: ScanOptions) -> Scanner {
        let mut tscan = options.into_wire();
        let caching = *tscan.caching.get_or_insert(DEFAULT_CACHING);
        if caching <= 0 {
            let e = Error::InvalidInput(format!("scan caching must be positive, not {caching}"));
            return Scanner {
                stream: Box::pin(stream::once(async move { Err(e) })),
            };
        }
        let limit = match tscan.limit {
            Some(l) if l < 0 => {
                let e = Error::InvalidInput(format!("scan limit must not be negative, not {l}"));
                return Scanner {
                    stream: Box::pin(stream::once(async move { Err(e) })),
                };
            }
            Some(0) | None => None,
            Some(l) => Some(l as u64),
        };
        let state = State {
            guard: Guard { conn, id: None },
            table,
            scan: Some(tscan),
            page: Vec::new().into_iter(),
            caching,
            limit,
            returned: 0,
            done: false,
        };
        Scanner {
            stream: Box::pin(stream::unfold(state, State::next)),
        }
    }
}

impl Stream for Scanner {
    type Item = Result<RowResult>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }
}
