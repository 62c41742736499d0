//! The Hbase service handler: every call of the gateway's Thrift1 service,
//! with the behaviour and the errors of an HBase 2 gateway, over a [`Store`].
//!
//! - `admin`: tables, families, regions, compaction, cluster calls.
//! - `read`: `get*`.
//! - `write`: mutations, deletes, counters, append, check-and-put.
//! - `scanner`: scanners and their registry.
//!
//! Errors follow the gateway: failures HBase reports as an `IOException` are
//! an [`IOError`] whose message starts like the Java exception's
//! (`org.apache.hadoop.hbase.TableNotFoundException: t`); failures the gateway
//! lets escape (a bad filter string, a runtime exception) are an
//! `ApplicationError` of kind `InternalError`.
//!
//! Known differences from a real gateway:
//! - Versions beyond a family's `maxVersions` are dropped when written (as
//!   after a compaction), so a `*Ts` read never finds them, while HBase may
//!   until it compacts. Delete markers are kept for good (a put older than a
//!   marker stays hidden; HBase forgets markers at major compaction).
//! - A scanner reads the live table as it pages (rows written after its
//!   position are seen), where HBase reads a snapshot per region.
//! - Region names are `table,,<id>` (no encoded-name suffix); namespaces in
//!   table names are not checked against existing namespaces.
//! - Thrift cannot tell an absent field from a default here: a
//!   `ColumnDescriptor` with `maxVersions` 0 gets 3, an empty compression or
//!   bloom filter type means `NONE`; `checkAndPut` with an empty value checks
//!   "absent or empty", which is what HBase does for both unset and empty.

mod admin;
mod read;
mod registry;
mod scanner;
mod write;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hbase_orm_idl::hbase::{
    AlreadyExists, BatchMutation, ColumnDescriptor, HbaseSyncHandler, IOError, IllegalArgument,
    Mutation, ScannerID, TAccessControlEntity, TAppend, TCell, TColumn, TIncrement, TRegionInfo,
    TRowResult, TScan, TThriftServerType, Text,
};
use hbase_orm_idl::thrift::{self, ApplicationError, ApplicationErrorKind};

use crate::limits::{ConnectionId, Limits};
use crate::store::{Cell, ColumnSelection, Store, StoreError};

use scanner::Scanners;

/// HBase's `LATEST_TIMESTAMP`: "now, as the server sees it".
const LATEST_TIMESTAMP: i64 = i64::MAX;

/// The handler of the `Hbase` service. Cheap to clone: clones share the
/// store and the scanners.
#[derive(Clone)]
pub(crate) struct HbaseHandler {
    inner: Arc<Inner>,
    /// The connection the calls come from, which scanners are charged to
    /// (none outside a connection: no per-connection limits).
    connection: Option<ConnectionId>,
}

struct Inner {
    store: Arc<dyn Store>,
    limits: Limits,
    scanners: Scanners,
    server_name: String,
    port: i32,
}

impl fmt::Debug for HbaseHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HbaseHandler")
            .field("server_name", &self.inner.server_name)
            .field("port", &self.inner.port)
            .field("open_scanners", &self.open_scanners())
            .finish()
    }
}

impl HbaseHandler {
    /// A handler over a fresh in-memory store.
    ///
    /// `scanner_timeout` is how long a scanner may stay idle before it is
    /// dropped; `server_name` and `port` are what region infos report as the
    /// region server.
    #[cfg(test)]
    pub(crate) fn new(scanner_timeout: Duration, server_name: String, port: i32) -> Self {
        Self::with_store(
            Arc::new(crate::store::MemStore::new()),
            scanner_timeout,
            Limits::default(),
            server_name,
            port,
        )
    }

    /// A handler over the given store.
    pub(crate) fn with_store(
        store: Arc<dyn Store>,
        scanner_timeout: Duration,
        limits: Limits,
        server_name: String,
        port: i32,
    ) -> Self {
        HbaseHandler {
            inner: Arc::new(Inner {
                store,
                limits,
                scanners: Scanners::new(scanner_timeout, limits),
                server_name,
                port,
            }),
            connection: None,
        }
    }

    /// The same handler, answering the calls of `connection`.
    pub(crate) fn for_connection(&self, connection: ConnectionId) -> Self {
        HbaseHandler {
            inner: Arc::clone(&self.inner),
            connection: Some(connection),
        }
    }

    /// How many scanners are open (expired ones are dropped first).
    pub(crate) fn open_scanners(&self) -> usize {
        self.inner.scanners.reap();
        self.inner.scanners.len()
    }

    /// Drops the scanners idle for longer than the scanner timeout; returns
    /// how many were dropped.
    pub(crate) fn reap_expired_scanners(&self) -> usize {
        self.inner.scanners.reap()
    }

    fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    /// Refuses, with an error naming the limit and one log line, a reply
    /// that would hold about `bytes` bytes when that is past the reply
    /// limit; `call` names the call.
    fn check_reply_size(&self, bytes: usize, call: &str) -> thrift::Result<()> {
        let limit = self.inner.limits.reply_bytes;
        if bytes <= limit {
            return Ok(());
        }
        let why = format!(
            "the reply to {call} would be more than {limit} bytes (--max-reply-bytes / \
             --max-message-bytes); ask for fewer rows, columns or versions"
        );
        tracing::warn!(connection = ?self.connection, "refusing a reply: {why}");
        Err(io_error(format!("java.io.IOException: {why}"), false))
    }

    /// `ts`, or a fresh server timestamp for [`LATEST_TIMESTAMP`].
    fn resolve_timestamp(&self, ts: i64) -> i64 {
        if ts == LATEST_TIMESTAMP {
            self.store().next_timestamp()
        } else {
            ts
        }
    }
}

// ---------------------------------------------------------------------------
// Errors

/// An `IOError` with a Java-like message.
fn io_error(message: impl Into<String>, can_retry: bool) -> thrift::Error {
    thrift::Error::User(Box::new(IOError::new(message.into(), can_retry)))
}

/// An `IllegalArgument`.
fn illegal_argument(message: impl Into<String>) -> thrift::Error {
    thrift::Error::User(Box::new(IllegalArgument::new(message.into())))
}

/// An `AlreadyExists`.
fn already_exists(message: impl Into<String>) -> thrift::Error {
    thrift::Error::User(Box::new(AlreadyExists::new(message.into())))
}

/// A failure the gateway does not declare: `TApplicationException(INTERNAL_ERROR)`.
fn internal_error(message: impl Into<String>) -> thrift::Error {
    thrift::Error::Application(ApplicationError::new(
        ApplicationErrorKind::InternalError,
        message.into(),
    ))
}

/// A name or key as HBase prints it (`Bytes.toStringBinary`): printable
/// ASCII as is, other bytes as `\xHH`.
fn to_string_binary(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (b' '..=b'~').contains(&b) && b != b'\\' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// A table name as text.
fn table_text(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

fn table_not_found(name: &[u8]) -> thrift::Error {
    io_error(
        format!(
            "org.apache.hadoop.hbase.TableNotFoundException: {}",
            table_text(name)
        ),
        false,
    )
}

/// The error HBase raises for a storage failure.
fn store_error(e: StoreError) -> thrift::Error {
    match e {
        StoreError::TableNotFound(t) => table_not_found(&t),
        StoreError::TableExists(_) => already_exists("table name already in use"),
        StoreError::TableNotEnabled(t) => io_error(
            format!(
                "org.apache.hadoop.hbase.TableNotEnabledException: {} is disabled.",
                table_text(&t)
            ),
            false,
        ),
        StoreError::TableNotDisabled(t) => io_error(
            format!(
                "org.apache.hadoop.hbase.TableNotDisabledException: {}",
                table_text(&t)
            ),
            false,
        ),
        StoreError::NoSuchFamily { table, family } => io_error(
            format!(
                "org.apache.hadoop.hbase.regionserver.NoSuchColumnFamilyException: \
                 Column family {} does not exist in region {},, in table '{}'",
                to_string_binary(&family),
                table_text(&table),
                table_text(&table)
            ),
            false,
        ),
        StoreError::NotALong(len) => io_error(
            format!(
                "org.apache.hadoop.hbase.DoNotRetryIOException: \
                 Field is not a long, it's {len} bytes wide"
            ),
            false,
        ),
        StoreError::Storage(why) => io_error(format!("java.io.IOException: {why}"), false),
    }
}

// ---------------------------------------------------------------------------
// Columns and results

/// A column name as the gateway parses it: `"cf"` is the whole family,
/// `"cf:q"` one column (split at the first colon, so `"cf:"` is the empty
/// qualifier and `"cf:q:x"` the qualifier `q:x`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum ColumnName {
    Family(Bytes),
    Column(Bytes, Bytes),
}

fn parse_column(name: Bytes) -> ColumnName {
    match name.iter().position(|&b| b == b':') {
        None => ColumnName::Family(name),
        Some(i) => ColumnName::Column(name.slice(..i), name.slice(i + 1..)),
    }
}

/// Adds a column to a selection the way `Get.addFamily` / `addColumn` do: a
/// family replaces any columns of it; a column narrows a whole-family entry.
fn select(selection: &mut ColumnSelection, column: ColumnName) {
    match column {
        ColumnName::Family(family) => {
            selection.insert(family, None);
        }
        ColumnName::Column(family, qualifier) => {
            selection
                .entry(family)
                .or_insert(None)
                .get_or_insert_with(Default::default)
                .insert(qualifier);
        }
    }
}

/// The selection of a column list; `None` (all columns) when it is empty.
fn selection_of(columns: Vec<Text>) -> Option<ColumnSelection> {
    if columns.is_empty() {
        return None;
    }
    let mut selection = ColumnSelection::new();
    for column in columns {
        select(&mut selection, parse_column(Bytes::from(column)));
    }
    Some(selection)
}

/// `family:qualifier`.
fn column_key(family: &[u8], qualifier: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(family.len() + 1 + qualifier.len());
    key.extend_from_slice(family);
    key.push(b':');
    key.extend_from_slice(qualifier);
    key
}

/// About how many bytes the results of `cells` of `row` take in a reply.
fn reply_bytes(row: &[u8], cells: &[Cell]) -> usize {
    let per_cell: usize = cells
        .iter()
        .map(|c| c.family.len() + c.qualifier.len() + c.value.len() + 24)
        .sum();
    row.len() + 16 + per_cell
}

fn tcell(cell: &Cell) -> TCell {
    TCell::new(cell.value.to_vec(), cell.timestamp)
}

/// A `TRowResult` of a row's cells: `sortedColumns` in cell order when
/// `sorted`, else the `columns` map (the newest version of each column wins).
fn row_result(row: &[u8], cells: &[Cell], sorted: bool) -> TRowResult {
    if sorted {
        let columns = cells
            .iter()
            .map(|c| TColumn::new(column_key(&c.family, &c.qualifier), tcell(c)))
            .collect::<Vec<_>>();
        TRowResult::new(row.to_vec(), None, columns)
    } else {
        let mut columns = BTreeMap::new();
        // Cells come newest first per column: keep the first one seen.
        for c in cells {
            columns
                .entry(column_key(&c.family, &c.qualifier))
                .or_insert_with(|| tcell(c));
        }
        TRowResult::new(row.to_vec(), columns, None)
    }
}

// ---------------------------------------------------------------------------
// The service

impl HbaseSyncHandler for HbaseHandler {
    fn handle_enable_table(&self, table_name: Text) -> thrift::Result<()> {
        self.set_enabled(&table_name, true)
    }

    fn handle_disable_table(&self, table_name: Text) -> thrift::Result<()> {
        self.set_enabled(&table_name, false)
    }

    fn handle_is_table_enabled(&self, table_name: Text) -> thrift::Result<bool> {
        self.is_table_enabled(&table_name)
    }

    fn handle_compact(&self, table_name_or_region_name: Text) -> thrift::Result<()> {
        self.compact(&table_name_or_region_name)
    }

    fn handle_major_compact(&self, table_name_or_region_name: Text) -> thrift::Result<()> {
        self.compact(&table_name_or_region_name)
    }

    fn handle_get_table_names(&self) -> thrift::Result<Vec<Text>> {
        Ok(self.table_names())
    }

    fn handle_get_table_names_with_is_table_enabled(&self) -> thrift::Result<BTreeMap<Text, bool>> {
        Ok(self.table_names_with_enabled())
    }

    fn handle_get_column_descriptors(
        &self,
        table_name: Text,
    ) -> thrift::Result<BTreeMap<Text, ColumnDescriptor>> {
        self.column_descriptors(&table_name)
    }

    fn handle_get_table_regions(&self, table_name: Text) -> thrift::Result<Vec<TRegionInfo>> {
        Ok(self.table_regions(&table_name))
    }

    fn handle_create_table(
        &self,
        table_name: Text,
        column_families: Vec<ColumnDescriptor>,
    ) -> thrift::Result<()> {
        self.create_table(table_name, column_families)
    }

    fn handle_delete_table(&self, table_name: Text) -> thrift::Result<()> {
        self.delete_table(&table_name)
    }

    fn handle_get(
        &self,
        table_name: Text,
        row: Text,
        column: Text,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TCell>> {
        self.get_cells(&table_name, &row, column, LATEST_TIMESTAMP, 1)
    }

    fn handle_get_ver(
        &self,
        table_name: Text,
        row: Text,
        column: Text,
        num_versions: i32,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TCell>> {
        self.get_cells(&table_name, &row, column, LATEST_TIMESTAMP, num_versions)
    }

    fn handle_get_ver_ts(
        &self,
        table_name: Text,
        row: Text,
        column: Text,
        timestamp: i64,
        num_versions: i32,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TCell>> {
        self.get_cells(&table_name, &row, column, timestamp, num_versions)
    }

    fn handle_get_row(
        &self,
        table_name: Text,
        row: Text,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TRowResult>> {
        self.get_rows(&table_name, vec![row], Vec::new(), LATEST_TIMESTAMP)
    }

    fn handle_get_row_with_columns(
        &self,
        table_name: Text,
        row: Text,
        columns: Vec<Text>,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TRowResult>> {
        self.get_rows(&table_name, vec![row], columns, LATEST_TIMESTAMP)
    }

    fn handle_get_row_ts(
        &self,
        table_name: Text,
        row: Text,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TRowResult>> {
        self.get_rows(&table_name, vec![row], Vec::new(), timestamp)
    }

    fn handle_get_row_with_columns_ts(
        &self,
        table_name: Text,
        row: Text,
        columns: Vec<Text>,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TRowResult>> {
        self.get_rows(&table_name, vec![row], columns, timestamp)
    }

    fn handle_get_rows(
        &self,
        table_name: Text,
        rows: Vec<Text>,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TRowResult>> {
        self.get_rows(&table_name, rows, Vec::new(), LATEST_TIMESTAMP)
    }

    fn handle_get_rows_with_columns(
        &self,
        table_name: Text,
        rows: Vec<Text>,
        columns: Vec<Text>,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TRowResult>> {
        self.get_rows(&table_name, rows, columns, LATEST_TIMESTAMP)
    }

    fn handle_get_rows_ts(
        &self,
        table_name: Text,
        rows: Vec<Text>,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TRowResult>> {
        self.get_rows(&table_name, rows, Vec::new(), timestamp)
    }

    fn handle_get_rows_with_columns_ts(
        &self,
        table_name: Text,
        rows: Vec<Text>,
        columns: Vec<Text>,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<Vec<TRowResult>> {
        self.get_rows(&table_name, rows, columns, timestamp)
    }

    fn handle_mutate_row(
        &self,
        table_name: Text,
        row: Text,
        mutations: Vec<Mutation>,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<()> {
        self.mutate_row(&table_name, row, mutations, LATEST_TIMESTAMP)
    }

    fn handle_mutate_row_ts(
        &self,
        table_name: Text,
        row: Text,
        mutations: Vec<Mutation>,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<()> {
        self.mutate_row(&table_name, row, mutations, timestamp)
    }

    fn handle_mutate_rows(
        &self,
        table_name: Text,
        row_batches: Vec<BatchMutation>,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<()> {
        self.mutate_rows(&table_name, row_batches, LATEST_TIMESTAMP)
    }

    fn handle_mutate_rows_ts(
        &self,
        table_name: Text,
        row_batches: Vec<BatchMutation>,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<()> {
        self.mutate_rows(&table_name, row_batches, timestamp)
    }

    fn handle_atomic_increment(
        &self,
        table_name: Text,
        row: Text,
        column: Text,
        value: i64,
    ) -> thrift::Result<i64> {
        self.atomic_increment(&table_name, &row, column, value)
    }

    fn handle_delete_all(
        &self,
        table_name: Text,
        row: Text,
        column: Text,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<()> {
        self.delete_all(&table_name, row, column, LATEST_TIMESTAMP)
    }

    fn handle_delete_all_ts(
        &self,
        table_name: Text,
        row: Text,
        column: Text,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<()> {
        self.delete_all(&table_name, row, column, timestamp)
    }

    fn handle_delete_all_row(
        &self,
        table_name: Text,
        row: Text,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<()> {
        self.delete_all_row(&table_name, row, LATEST_TIMESTAMP)
    }

    fn handle_increment(&self, increment: TIncrement) -> thrift::Result<()> {
        self.increment(increment)
    }

    fn handle_increment_rows(&self, increments: Vec<TIncrement>) -> thrift::Result<()> {
        increments
            .into_iter()
            .try_for_each(|increment| self.increment(increment))
    }

    fn handle_delete_all_row_ts(
        &self,
        table_name: Text,
        row: Text,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<()> {
        self.delete_all_row(&table_name, row, timestamp)
    }

    fn handle_scanner_open_with_scan(
        &self,
        table_name: Text,
        scan: TScan,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<ScannerID> {
        self.open_with_scan(table_name, scan)
    }

    fn handle_scanner_open(
        &self,
        table_name: Text,
        start_row: Text,
        columns: Vec<Text>,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<ScannerID> {
        self.open_simple(table_name, start_row, None, columns, None, false)
    }

    fn handle_scanner_open_with_stop(
        &self,
        table_name: Text,
        start_row: Text,
        stop_row: Text,
        columns: Vec<Text>,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<ScannerID> {
        self.open_simple(table_name, start_row, Some(stop_row), columns, None, false)
    }

    fn handle_scanner_open_with_prefix(
        &self,
        table_name: Text,
        start_and_prefix: Text,
        columns: Vec<Text>,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<ScannerID> {
        self.open_simple(table_name, start_and_prefix, None, columns, None, true)
    }

    fn handle_scanner_open_ts(
        &self,
        table_name: Text,
        start_row: Text,
        columns: Vec<Text>,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<ScannerID> {
        self.open_simple(table_name, start_row, None, columns, Some(timestamp), false)
    }

    fn handle_scanner_open_with_stop_ts(
        &self,
        table_name: Text,
        start_row: Text,
        stop_row: Text,
        columns: Vec<Text>,
        timestamp: i64,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<ScannerID> {
        self.open_simple(
            table_name,
            start_row,
            Some(stop_row),
            columns,
            Some(timestamp),
            false,
        )
    }

    fn handle_scanner_get(&self, id: ScannerID) -> thrift::Result<Vec<TRowResult>> {
        self.scanner_get_list(id, 1)
    }

    fn handle_scanner_get_list(
        &self,
        id: ScannerID,
        nb_rows: i32,
    ) -> thrift::Result<Vec<TRowResult>> {
        self.scanner_get_list(id, nb_rows)
    }

    fn handle_scanner_close(&self, id: ScannerID) -> thrift::Result<()> {
        self.scanner_close(id)
    }

    fn handle_get_region_info(&self, row: Text) -> thrift::Result<TRegionInfo> {
        self.region_info(&row)
    }

    fn handle_append(&self, append: TAppend) -> thrift::Result<Vec<TCell>> {
        self.append(append)
    }

    fn handle_check_and_put(
        &self,
        table_name: Text,
        row: Text,
        column: Text,
        value: Text,
        mput: Mutation,
        _attributes: BTreeMap<Text, Text>,
    ) -> thrift::Result<bool> {
        self.check_and_put(&table_name, row, column, value, mput)
    }

    fn handle_get_thrift_server_type(&self) -> thrift::Result<TThriftServerType> {
        Ok(TThriftServerType::ONE)
    }

    fn handle_get_cluster_id(&self) -> thrift::Result<String> {
        Ok(admin::CLUSTER_ID.to_owned())
    }

    fn handle_grant(&self, _info: TAccessControlEntity) -> thrift::Result<bool> {
        Err(admin::security_not_available())
    }

    fn handle_revoke(&self, _info: TAccessControlEntity) -> thrift::Result<bool> {
        Err(admin::security_not_available())
    }
}

#[cfg(test)]
mod tests;
