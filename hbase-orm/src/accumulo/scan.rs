//! Scanning: a [`Scanner`] over one range, a batch scanner over many, both
//! `futures::Stream`s of [`Entry`]s.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use hbase_orm_idl::accumulo as proxy;

use super::connection::Connection;
use super::connector::Connector;
use super::iterator::{self, IteratorSetting};
use super::key::{Key, Range};
use super::visibility::Authorizations;
use crate::error::{Error, Result};

/// Entries fetched per `nextK` call unless a buffer size is set.
pub const DEFAULT_BATCH: i32 = 1000;

/// One key and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key.
    pub key: Key,
    /// The value.
    pub value: Vec<u8>,
}

/// What a scan reads besides its ranges: columns, authorizations and
/// scan-time iterators, shared by [`ScanOptions`] and [`BatchScanOptions`].
#[derive(Debug, Clone, Default, PartialEq)]
struct Common {
    authorizations: Option<Authorizations>,
    columns: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    iterators: Vec<IteratorSetting>,
}

impl Common {
    fn authorizations(&self) -> Result<Option<std::collections::BTreeSet<Vec<u8>>>> {
        self.authorizations
            .as_ref()
            .map(Authorizations::to_wire)
            .transpose()
    }

    fn columns(&self) -> Result<Option<Vec<proxy::ScanColumn>>> {
        if self.columns.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(self.columns.len());
        for (family, qualifier) in &self.columns {
            if family.is_empty() {
                return Err(Error::InvalidInput(
                    "a scan column needs a non-empty family".to_owned(),
                ));
            }
            out.push(proxy::ScanColumn::new(family.clone(), qualifier.clone()));
        }
        Ok(Some(out))
    }

    fn iterators(&self) -> Result<Option<Vec<proxy::IteratorSetting>>> {
        if self.iterators.is_empty() {
            return Ok(None);
        }
        iterator::to_wire_list(&self.iterators).map(Some)
    }
}

macro_rules! common_setters {
    () => {
        /// Reads with these authorizations (a subset of the user's; by
        /// default all of the user's).
        pub fn authorizations(mut self, auths: Authorizations) -> Self {
            self.common.authorizations = Some(auths);
            self
        }

        /// Reads only column family `family` (may be given several times).
        pub fn family(mut self, family: impl AsRef<[u8]>) -> Self {
            self.common.columns.push((family.as_ref().to_vec(), None));
            self
        }

        /// Reads only column `family:qualifier` (may be given several times).
        pub fn column(mut self, family: impl AsRef<[u8]>, qualifier: impl AsRef<[u8]>) -> Self {
            self.common
                .columns
                .push((family.as_ref().to_vec(), Some(qualifier.as_ref().to_vec())));
            self
        }

        /// Applies `iterator` to this scan only.
        pub fn iterator(mut self, iterator: IteratorSetting) -> Self {
            self.common.iterators.push(iterator);
            self
        }
    };
}

/// Settings of a [`Scanner`].
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::{Authorizations, Range, ScanOptions};
///
/// let opts = ScanOptions::new(Range::prefix("user_"))
///     .authorizations(Authorizations::from_iter(["A"]))
///     .column("info", "name")
///     .buffer_size(100);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanOptions {
    range: Range,
    common: Common,
    buffer_size: Option<i32>,
}

impl ScanOptions {
    /// A scan of `range`.
    pub fn new(range: Range) -> Self {
        ScanOptions {
            range,
            ..ScanOptions::default()
        }
    }

    common_setters!();

    /// Entries fetched per round trip (default [`DEFAULT_BATCH`]).
    pub fn buffer_size(mut self, size: i32) -> Self {
        self.buffer_size = Some(size);
        self
    }

    fn batch(&self) -> Result<i32> {
        match self.buffer_size {
            Some(n) if n <= 0 => Err(Error::InvalidInput(format!(
                "the scan buffer size must be above 0, not {n}"
            ))),
            Some(n) => Ok(n),
            None => Ok(DEFAULT_BATCH),
        }
    }
}

/// Settings of a batch scanner: many ranges read in parallel, entries in
/// no particular order across ranges.
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::{BatchScanOptions, Range};
///
/// let opts = BatchScanOptions::new([Range::exact_row("a"), Range::prefix("b")]).threads(4);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchScanOptions {
    ranges: Vec<Range>,
    common: Common,
    threads: Option<i32>,
}

impl BatchScanOptions {
    /// A batch scan of `ranges`.
    pub fn new(ranges: impl IntoIterator<Item = Range>) -> Self {
        BatchScanOptions {
            ranges: ranges.into_iter().collect(),
            ..BatchScanOptions::default()
        }
    }

    common_setters!();

    /// Query threads the proxy uses.
    pub fn threads(mut self, threads: i32) -> Self {
        self.threads = Some(threads);
        self
    }

    /// These ranges read as `scan` reads its range: its columns,
    /// authorizations and iterators.
    pub(crate) fn reading_as(mut self, scan: ScanOptions) -> Self {
        self.common = scan.common;
        self
    }
}

type Fetch = Pin<Box<dyn Future<Output = Result<proxy::ScanResult>> + Send>>;

/// An open scanner on the proxy, read as a stream of [`Entry`]s.
///
/// The scanner is closed on the proxy when the stream ends, fails, or is
/// dropped.
pub struct Scanner {
    conn: Connection,
    id: String,
    batch: i32,
    buffered: VecDeque<Entry>,
    fetch: Option<Fetch>,
    done: bool,
    closed: bool,
}

impl fmt::Debug for Scanner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scanner")
            .field("id", &self.id)
            .field("done", &self.done)
            .finish()
    }
}

impl Connector {
    /// Opens a scanner on `table`.
    ///
    /// # Errors
    /// `InvalidInput` for bad settings; `TableNotFound`, `Security`.
    /// Authorizations the user lacks are refused with `Security` by the
    /// first read of the stream.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// use futures::TryStreamExt;
    /// use hbase_orm::accumulo::{Connection, Range, ScanOptions};
    ///
    /// let connector = Connection::builder().connect().await?.login("root", "secret").await?;
    /// let entries: Vec<_> = connector
    ///     .scanner("events", ScanOptions::new(Range::prefix("2024-")))
    ///     .await?
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn scanner(&self, table: &str, options: ScanOptions) -> Result<Scanner> {
        let batch = options.batch()?;
        let wire = proxy::ScanOptions {
            authorizations: options.common.authorizations()?,
            range: Some(options.range.to_wire()),
            columns: options.common.columns()?,
            iterators: options.common.iterators()?,
            buffer_size: options.buffer_size,
        };
        let id = self
            .connection()
            .call(&proxy::AccumuloProxyCreateScannerArgs {
                login: self.login(),
                table_name: table.to_owned(),
                options: wire,
            })
            .await?;
        Ok(Scanner::new(self.connection().clone(), id, batch))
    }

    /// Opens a batch scanner on `table`: the entries of every range, in no
    /// particular order across ranges (overlapping ranges are merged by the
    /// server, so an entry is returned once).
    ///
    /// # Errors
    /// As [`Connector::scanner`]; `InvalidInput` for no range.
    pub async fn batch_scanner(&self, table: &str, options: BatchScanOptions) -> Result<Scanner> {
        if options.ranges.is_empty() {
            return Err(Error::InvalidInput(
                "a batch scan needs at least one range".to_owned(),
            ));
        }
        if options.threads.is_some_and(|t| t <= 0) {
            return Err(Error::InvalidInput(
                "a batch scan needs at least one thread".to_owned(),
            ));
        }
        let wire = proxy::BatchScanOptions {
            authorizations: options.common.authorizations()?,
            ranges: Some(options.ranges.iter().map(Range::to_wire).collect()),
            columns: options.common.columns()?,
            iterators: options.common.iterators()?,
            threads: options.threads,
        };
        let id = self
            .connection()
            .call(&proxy::AccumuloProxyCreateBatchScannerArgs {
                login: self.login(),
                table_name: table.to_owned(),
                options: wire,
            })
            .await?;
        Ok(Scanner::new(self.connection().clone(), id, DEFAULT_BATCH))
    }

    /// Reads with a scanner id the caller holds (from the generated
    /// low-level calls, or another client): a stream like
    /// [`Connector::scanner`]'s. An id the proxy does not know fails the
    /// first read with `UnknownScanner`.
    pub fn resume_scanner(&self, id: impl Into<String>) -> Scanner {
        Scanner::new(self.connection().clone(), id.into(), DEFAULT_BATCH)
    }
}

impl Scanner {
    fn new(conn: Connection, id: String, batch: i32) -> Self {
        Scanner {
            conn,
            id,
            batch,
            buffered: VecDeque::new(),
            fetch: None,
            done: false,
            closed: false,
        }
    }

    /// The scanner's id on the proxy.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Closes the scanner on the proxy now (dropping it does so in the
    /// background).
    ///
    /// # Errors
    /// `UnknownScanner` when the proxy no longer knows it.
    pub async fn close(mut self) -> Result<()> {
        self.closed = true;
        self.done = true;
        self.conn
            .call(&proxy::AccumuloProxyCloseScannerArgs {
                scanner: self.id.clone(),
            })
            .await
    }

    fn close_detached(&mut self) {
        if !self.closed {
            self.closed = true;
            self.conn
                .call_detached(&proxy::AccumuloProxyCloseScannerArgs {
                    scanner: self.id.clone(),
                });
        }
    }
}

impl Stream for Scanner {
    type Item = Result<Entry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(entry) = this.buffered.pop_front() {
                return Poll::Ready(Some(Ok(entry)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            let fetch = this.fetch.get_or_insert_with(|| {
                let conn = this.conn.clone();
                let args = proxy::AccumuloProxyNextKArgs {
                    scanner: this.id.clone(),
                    k: this.batch,
                };
                Box::pin(async move { conn.call(&args).await })
            });
            let result = match fetch.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => result,
            };
            this.fetch = None;
            match result {
                Ok(page) => {
                    let more = page.more.unwrap_or(false);
                    for kv in page.results.unwrap_or_default() {
                        this.buffered.push_back(Entry {
                            key: Key::from_wire(kv.key.unwrap_or_default()),
                            value: kv.value.unwrap_or_default(),
                        });
                    }
                    if !more {
                        this.done = true;
                        this.close_detached();
                    }
                }
                Err(e) => {
                    this.done = true;
                    this.close_detached();
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

impl Drop for Scanner {
    fn drop(&mut self) {
        self.close_detached();
    }
}
