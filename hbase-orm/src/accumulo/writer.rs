//! Writing: [`Mutation`]s of one row, sent at once with
//! [`Connector::update_and_flush`] or through a [`Writer`].

use std::collections::BTreeMap;
use std::fmt;

use hbase_orm_idl::accumulo as proxy;

pub use proxy::Durability;

use super::connector::Connector;
use super::visibility::ColumnVisibility;
use crate::error::{AccumuloError, AccumuloErrorKind, Error, Result};
use crate::protocol::Method;

/// The changes to one row: puts and deletes of cells.
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::Mutation;
///
/// let m = Mutation::new("ann")
///     .put("info", "name", "Ann")
///     .put_labelled("info", "ssn", "A&B", "123")?
///     .put_at("info", "age", 7, "40")
///     .delete("info", "old");
/// assert_eq!(m.len(), 4);
/// # Ok::<(), hbase_orm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutation {
    row: Vec<u8>,
    updates: Vec<proxy::ColumnUpdate>,
}

impl Mutation {
    /// An empty mutation of `row`.
    pub fn new(row: impl AsRef<[u8]>) -> Self {
        Mutation {
            row: row.as_ref().to_vec(),
            updates: Vec::new(),
        }
    }

    /// The row.
    pub fn row(&self) -> &[u8] {
        &self.row
    }

    /// How many cell changes it holds.
    pub fn len(&self) -> usize {
        self.updates.len()
    }

    /// Whether it holds no change.
    pub fn is_empty(&self) -> bool {
        self.updates.is_empty()
    }

    /// Adds one cell change; an empty `visibility` is sent as none.
    fn push(
        mut self,
        family: &[u8],
        qualifier: &[u8],
        visibility: &ColumnVisibility,
        timestamp: Option<i64>,
        value: Option<&[u8]>,
    ) -> Self {
        self.updates.push(proxy::ColumnUpdate {
            col_family: Some(family.to_vec()),
            col_qualifier: Some(qualifier.to_vec()),
            col_visibility: (!visibility.is_empty()).then(|| visibility.as_bytes().to_vec()),
            timestamp,
            delete_cell: value.is_none().then_some(true),
            value: value.map(<[u8]>::to_vec),
        });
        self
    }

    /// Puts `value` in `family:qualifier`, unlabelled, at the server's time.
    pub fn put(
        self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Self {
        self.put_cell(family, qualifier, &ColumnVisibility::empty(), None, value)
    }

    /// Puts `value` at timestamp `timestamp`.
    pub fn put_at(
        self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        timestamp: i64,
        value: impl AsRef<[u8]>,
    ) -> Self {
        let unlabelled = ColumnVisibility::empty();
        self.put_cell(family, qualifier, &unlabelled, Some(timestamp), value)
    }

    /// Puts `value` labelled with visibility expression `visibility`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a malformed expression.
    pub fn put_labelled(
        self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        visibility: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<Self> {
        let vis = ColumnVisibility::parse(visibility)?;
        Ok(self.put_cell(family, qualifier, &vis, None, value))
    }

    /// Puts `value` with a checked visibility and an optional timestamp.
    pub fn put_cell(
        self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        visibility: &ColumnVisibility,
        timestamp: Option<i64>,
        value: impl AsRef<[u8]>,
    ) -> Self {
        let (f, q) = (family.as_ref(), qualifier.as_ref());
        self.push(f, q, visibility, timestamp, Some(value.as_ref()))
    }

    /// Deletes the unlabelled cell `family:qualifier` (every version up to
    /// the server's time).
    pub fn delete(self, family: impl AsRef<[u8]>, qualifier: impl AsRef<[u8]>) -> Self {
        self.delete_cell(family, qualifier, &ColumnVisibility::empty(), None)
    }

    /// Deletes the cell with visibility `visibility`, at `timestamp` when
    /// given (a delete hides the versions at and before its timestamp).
    pub fn delete_cell(
        self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        visibility: &ColumnVisibility,
        timestamp: Option<i64>,
    ) -> Self {
        let (f, q) = (family.as_ref(), qualifier.as_ref());
        self.push(f, q, visibility, timestamp, None)
    }

    /// Checks what the proxy would refuse less clearly.
    pub(crate) fn check(&self) -> Result<()> {
        if self.row.is_empty() {
            return Err(Error::InvalidInput(
                "a mutation needs a non-empty row".to_owned(),
            ));
        }
        if self.updates.is_empty() {
            return Err(Error::InvalidInput(format!(
                "the mutation of row {:?} holds no change",
                String::from_utf8_lossy(&self.row)
            )));
        }
        Ok(())
    }

    pub(crate) fn into_parts(self) -> (Vec<u8>, Vec<proxy::ColumnUpdate>) {
        (self.row, self.updates)
    }
}

/// Groups mutations by row as the proxy takes them, checking each.
pub(crate) fn cells(
    mutations: impl IntoIterator<Item = Mutation>,
) -> Result<BTreeMap<Vec<u8>, Vec<proxy::ColumnUpdate>>> {
    let mut cells: BTreeMap<Vec<u8>, Vec<proxy::ColumnUpdate>> = BTreeMap::new();
    for m in mutations {
        m.check()?;
        let (row, updates) = m.into_parts();
        cells.entry(row).or_default().extend(updates);
    }
    Ok(cells)
}

/// Settings of a [`Writer`]; `None` leaves the proxy's default.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use hbase_orm::accumulo::{Durability, WriterOptions};
///
/// let opts = WriterOptions::default()
///     .max_memory(1 << 20)
///     .latency(Duration::from_millis(100))
///     .threads(2)
///     .durability(Durability::SYNC);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriterOptions {
    max_memory: Option<i64>,
    latency_ms: Option<i64>,
    timeout_ms: Option<i64>,
    threads: Option<i32>,
    durability: Option<Durability>,
}

fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl WriterOptions {
    /// Bytes the proxy's writer buffers before it sends.
    pub fn max_memory(mut self, bytes: i64) -> Self {
        self.max_memory = Some(bytes);
        self
    }

    /// How long a mutation may wait in the buffer.
    pub fn latency(mut self, latency: std::time::Duration) -> Self {
        self.latency_ms = Some(millis(latency));
        self
    }

    /// How long the proxy's writer retries a server before it fails.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout_ms = Some(millis(timeout));
        self
    }

    /// Threads the proxy's writer sends with.
    pub fn threads(mut self, threads: i32) -> Self {
        self.threads = Some(threads);
        self
    }

    /// How durably the servers record each mutation.
    pub fn durability(mut self, durability: Durability) -> Self {
        self.durability = Some(durability);
        self
    }

    fn to_wire(&self) -> Result<proxy::WriterOptions> {
        for (name, v) in [
            ("max_memory", self.max_memory),
            ("latency", self.latency_ms),
            ("timeout", self.timeout_ms),
            ("threads", self.threads.map(i64::from)),
        ] {
            if v.is_some_and(|v| v <= 0) {
                return Err(Error::InvalidInput(format!(
                    "writer option `{name}` must be above 0"
                )));
            }
        }
        Ok(proxy::WriterOptions {
            max_memory: self.max_memory,
            latency_ms: self.latency_ms,
            timeout_ms: self.timeout_ms,
            threads: self.threads,
            durability: self.durability,
        })
    }
}

/// A writer open on the proxy, fed with [`Writer::update`].
///
/// The proxy's `update` is one-way: it has no reply, so a refused mutation
/// is reported only by the next [`Writer::flush`] or [`Writer::close`], as
/// an [`Error::Accumulo`] of kind
/// [`MutationsRejected`](AccumuloErrorKind::MutationsRejected) whose
/// [`rows`](AccumuloError::rows) are every row sent since the last
/// successful flush (the proxy does not say which of them failed). The
/// same holds when the socket was replaced between an update and the flush
/// (the update may never have arrived): the flush then fails with kind
/// `MutationsRejected` and says so.
///
/// Close a writer with [`Writer::close`], which flushes. A writer dropped
/// without it is closed on the proxy in the background, and one dropped
/// with unflushed updates logs a warning, as their fate is then unknown.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// use hbase_orm::accumulo::{Connection, Mutation, WriterOptions};
///
/// let connector = Connection::builder().connect().await?.login("root", "secret").await?;
/// let mut writer = connector.writer("events", WriterOptions::default()).await?;
/// writer.update([Mutation::new("r1").put("f", "q", "v")])?;
/// writer.close().await?;
/// # Ok(()) }
/// ```
pub struct Writer {
    connector: Connector,
    table: String,
    id: String,
    /// Rows sent since the last successful flush.
    unflushed: Vec<Vec<u8>>,
    /// `sockets_opened` when the first of `unflushed` was sent.
    socket_epoch: u64,
    closed: bool,
}

impl fmt::Debug for Writer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer")
            .field("table", &self.table)
            .field("id", &self.id)
            .field("unflushed_rows", &self.unflushed.len())
            .finish()
    }
}

impl Connector {
    /// Writes mutations at once and waits until they are applied.
    ///
    /// # Errors
    /// `InvalidInput` for an empty row or a mutation without change;
    /// `MutationsRejected`, `TableNotFound`, `Security` from the proxy.
    pub async fn update_and_flush(
        &self,
        table: &str,
        mutations: impl IntoIterator<Item = Mutation>,
    ) -> Result<()> {
        let cells = cells(mutations)?;
        if cells.is_empty() {
            return Ok(());
        }
        self.connection()
            .call(&proxy::AccumuloProxyUpdateAndFlushArgs {
                login: self.login(),
                table_name: table.to_owned(),
                cells,
            })
            .await
    }

    /// Opens a writer on `table`.
    ///
    /// # Errors
    /// `TableNotFound`, `Security`; `InvalidInput` for an option at or
    /// below 0.
    pub async fn writer(&self, table: &str, options: WriterOptions) -> Result<Writer> {
        let id = self
            .connection()
            .call(&proxy::AccumuloProxyCreateWriterArgs {
                login: self.login(),
                table_name: table.to_owned(),
                opts: options.to_wire()?,
            })
            .await?;
        Ok(Writer {
            connector: self.clone(),
            table: table.to_owned(),
            id,
            unflushed: Vec::new(),
            socket_epoch: 0,
            closed: false,
        })
    }
}

impl Connector {
    /// A writer for an id the caller holds (from the generated low-level
    /// calls, or another client). An id the proxy does not know fails the
    /// next flush or close with `UnknownWriter`.
    pub fn resume_writer(&self, table: &str, id: impl Into<String>) -> Writer {
        Writer {
            connector: self.clone(),
            table: table.to_owned(),
            id: id.into(),
            unflushed: Vec::new(),
            socket_epoch: 0,
            closed: false,
        }
    }
}

impl Writer {
    /// The writer's id on the proxy.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The table it writes to.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Rows sent since the last successful flush.
    pub fn unflushed_rows(&self) -> &[Vec<u8>] {
        &self.unflushed
    }

    /// Sends mutations (one-way: nothing waits for the proxy).
    ///
    /// # Errors
    /// `InvalidInput` for an empty row or a mutation without change (then
    /// nothing is sent), or for a closed writer; a transport error when the
    /// connection's task is gone.
    pub fn update(&mut self, mutations: impl IntoIterator<Item = Mutation>) -> Result<()> {
        if self.closed {
            return Err(Error::InvalidInput(format!(
                "writer `{}` is closed",
                self.id
            )));
        }
        let cells = cells(mutations)?;
        if cells.is_empty() {
            return Ok(());
        }
        if self.unflushed.is_empty() {
            self.socket_epoch = self.connector.connection().sockets_opened();
        }
        let rows: Vec<Vec<u8>> = cells.keys().cloned().collect();
        self.connector
            .connection()
            .send_oneway(&proxy::AccumuloProxyUpdateArgs {
                writer: self.id.clone(),
                cells,
            })?;
        self.unflushed.extend(rows);
        Ok(())
    }

    /// Waits until every update sent so far is applied.
    ///
    /// # Errors
    /// `MutationsRejected` naming the rows sent since the last flush;
    /// `UnknownWriter` for a writer the proxy does not know (closed, or
    /// the proxy restarted).
    pub async fn flush(&mut self) -> Result<()> {
        let id = self.id.clone();
        self.settled(&proxy::AccumuloProxyFlushArgs { writer: id })
            .await
    }

    /// Flushes and closes the writer on the proxy.
    ///
    /// # Errors
    /// As [`Writer::flush`].
    pub async fn close(mut self) -> Result<()> {
        self.closed = true;
        let id = self.id.clone();
        self.settled(&proxy::AccumuloProxyCloseWriterArgs { writer: id })
            .await
    }

    /// Makes a flush or close call and turns its reply into the writer's
    /// result (see [`Writer::settle`]).
    async fn settled<M: Method<Output = ()>>(&mut self, call: &M) -> Result<()> {
        let result = self.connector.connection().call(call).await;
        self.settle(result)
    }

    /// Turns the reply of a flush or close into the writer's result, with
    /// the rows in doubt attached to a rejection.
    fn settle(&mut self, result: Result<()>) -> Result<()> {
        let rows = std::mem::take(&mut self.unflushed);
        let lost_socket =
            !rows.is_empty() && self.connector.connection().sockets_opened() != self.socket_epoch;
        match result {
            Ok(()) if lost_socket => Err(Error::Accumulo(Box::new(AccumuloError {
                kind: AccumuloErrorKind::MutationsRejected,
                message: "the connection was replaced after updates were sent to writer `"
                    .to_owned()
                    + &self.id
                    + "`: they may never have reached the proxy",
                rows,
            }))),
            Ok(()) => Ok(()),
            Err(Error::Accumulo(mut e)) if e.kind == AccumuloErrorKind::MutationsRejected => {
                e.rows = rows;
                Err(Error::Accumulo(e))
            }
            Err(e) => Err(e),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        if !self.unflushed.is_empty() {
            tracing::warn!(
                writer = %self.id,
                table = %self.table,
                rows = self.unflushed.len(),
                "an Accumulo writer was dropped with unflushed updates: close it to learn whether they were applied"
            );
        }
        self.connector
            .connection()
            .call_detached(&proxy::AccumuloProxyCloseWriterArgs {
                writer: self.id.clone(),
            });
    }
}
