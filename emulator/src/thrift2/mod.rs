//! The Thrift2 service handler (`THBaseService`, HBase 2.6's
//! `thrift2.ThriftServer`) over the same [`Store`] as the Thrift1 handler.
//!
//! - `read`: get, exists, getMultiple and the scanners, with time ranges
//!   (whole read or per family), versions, filter strings and visibility.
//! - `write`: put, delete, the check-and-mutate family, mutateRow,
//!   increment and append.
//! - `admin`: table and namespace descriptors, regions, cluster calls.
//! - `visibility`: visibility expressions and the labels cells carry.
//!
//! Errors follow the gateway: what HBase raises as an `IOException` is a
//! [`TIOError`] whose message starts like the Java exception's; what the
//! gateway lets escape (a bad filter string, an empty row) is an
//! `ApplicationError` of kind `InternalError`.
//!
//! Known differences from a real gateway:
//! - Visibility expressions are kept beside the store, in memory, for the
//!   cells written through Thrift2 (`--data-dir` does not keep them), and
//!   only Thrift2 reads evaluate them; every label is defined (there is no
//!   label registry to check against).
//! - A delete of one version (`DELETE_COLUMN`, `DELETE_FAMILY_VERSION`),
//!   `filterBytes` (a serialized Java filter), adding, modifying or
//!   deleting a column family of an existing table and `modifyTable` are
//!   answered with a `TIOError` naming what is not supported.
//! - Split keys are ignored (every table has one region); `batchSize`,
//!   `caching`, consistency, replica ids, `storeLimit`/`storeOffset`,
//!   attributes and durability are accepted and have no effect.
//! - Namespaces live in memory (the `default` and `hbase` namespaces always
//!   exist); tables named `ns:t` through Thrift1 are not checked against
//!   them.

mod admin;
mod read;
pub(crate) mod visibility;
mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use hbase_orm_idl::hbase2::{
    TAppend, TColumnFamilyDescriptor, TCompareOp, TDelete, TGet, THBaseServiceSyncHandler,
    THRegionLocation, TIOError, TIllegalArgument, TIncrement, TLogQueryFilter,
    TNamespaceDescriptor, TOnlineLogRecord, TPut, TResult, TRowMutations, TScan, TServerName,
    TTableDescriptor, TTableName, TThriftServerType,
};
use hbase_orm_idl::thrift::{self, ApplicationError, ApplicationErrorKind};

use crate::store::{Cell, Store, StoreError};

use read::Scanners;
use visibility::Labels;

/// The cluster id both gateways report.
const CLUSTER_ID: &str = "5ca1ab1e-0000-4000-8000-00000000e4b5";

/// The Cell type code of a put, as results carry it.
const PUT_TYPE: i8 = 4;

/// The handler of the `THBaseService` service. Cheap to clone: clones
/// share the store, the scanners, the namespaces and the labels.
#[derive(Clone)]
pub(crate) struct Thrift2Handler {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    scanners: Scanners,
    labels: Labels,
    /// Namespace name to configuration.
    namespaces: Mutex<BTreeMap<String, BTreeMap<String, String>>>,
    server_name: String,
    port: i32,
}

impl fmt::Debug for Thrift2Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Thrift2Handler")
            .field("server_name", &self.inner.server_name)
            .field("port", &self.inner.port)
            .field("open_scanners", &self.open_scanners())
            .finish()
    }
}

impl Thrift2Handler {
    /// A handler over `store`; region locations name `server_name:port`.
    pub(crate) fn with_store(
        store: Arc<dyn Store>,
        scanner_timeout: Duration,
        server_name: String,
        port: i32,
    ) -> Self {
        let namespaces = ["default", "hbase"]
            .into_iter()
            .map(|n| (n.to_owned(), BTreeMap::new()))
            .collect();
        Thrift2Handler {
            inner: Arc::new(Inner {
                store,
                scanners: Scanners::new(scanner_timeout),
                labels: Labels::default(),
                namespaces: Mutex::new(namespaces),
                server_name,
                port,
            }),
        }
    }

    /// How many scanners are open (expired ones are dropped first).
    pub(crate) fn open_scanners(&self) -> usize {
        self.inner.scanners.reap();
        self.inner.scanners.len()
    }

    /// Drops the scanners idle for longer than the scanner timeout.
    pub(crate) fn reap_expired_scanners(&self) {
        self.inner.scanners.reap();
    }

    fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    fn namespaces(&self) -> MutexGuard<'_, BTreeMap<String, BTreeMap<String, String>>> {
        self.inner
            .namespaces
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

// ---------------------------------------------------------------------------
// Errors

fn io_error(message: impl Into<String>, can_retry: bool) -> thrift::Error {
    thrift::Error::User(Box::new(TIOError {
        message: Some(message.into()),
        can_retry: Some(can_retry),
    }))
}

fn illegal_argument(message: impl Into<String>) -> thrift::Error {
    thrift::Error::User(Box::new(TIllegalArgument {
        message: Some(message.into()),
    }))
}

fn internal_error(message: impl Into<String>) -> thrift::Error {
    thrift::Error::Application(ApplicationError::new(
        ApplicationErrorKind::InternalError,
        message.into(),
    ))
}

fn unsupported(what: &str) -> thrift::Error {
    io_error(
        format!(
            "java.lang.UnsupportedOperationException: {what} is not supported by hbase-emulator"
        ),
        false,
    )
}

/// A name as HBase prints it: printable ASCII as is, other bytes `\xNN`.
fn to_string_binary(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

fn store_error(e: StoreError) -> thrift::Error {
    let message = match e {
        StoreError::TableNotFound(t) => {
            format!("org.apache.hadoop.hbase.TableNotFoundException: {}", to_string_binary(&t))
        }
        StoreError::TableExists(t) => {
            format!("org.apache.hadoop.hbase.TableExistsException: {}", to_string_binary(&t))
        }
        StoreError::TableNotEnabled(t) => format!(
            "org.apache.hadoop.hbase.TableNotEnabledException: {} is disabled.",
            to_string_binary(&t)
        ),
        StoreError::TableNotDisabled(t) => format!(
            "org.apache.hadoop.hbase.TableNotDisabledException: {}",
            to_string_binary(&t)
        ),
        StoreError::NoSuchFamily { table, family } => format!(
            "org.apache.hadoop.hbase.regionserver.NoSuchColumnFamilyException: Column family {} does not exist in region {},, in table '{}'",
            to_string_binary(&family),
            to_string_binary(&table),
            to_string_binary(&table)
        ),
        StoreError::NotALong(len) => format!(
            "org.apache.hadoop.hbase.DoNotRetryIOException: Field is not a long, it's {len} bytes wide"
        ),
        StoreError::Storage(why) => return io_error(format!("java.io.IOException: {why}"), true),
    };
    io_error(message, false)
}

/// HBase refuses an empty row key before sending anything.
fn check_row(row: &[u8]) -> thrift::Result<()> {
    if row.is_empty() {
        return Err(internal_error(
            "java.lang.IllegalArgumentException: Row length is 0",
        ));
    }
    if row.len() > i16::MAX as usize {
        return Err(internal_error(format!(
            "java.lang.IllegalArgumentException: Row length {} is > {}",
            row.len(),
            i16::MAX
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Results

/// A result of one row: no row key and no cells when nothing was found.
fn result(row: &[u8], cells: &[Cell]) -> TResult {
    TResult {
        row: (!cells.is_empty()).then(|| row.to_vec()),
        column_values: cells.iter().map(column_value).collect(),
        stale: Some(false),
        partial: Some(false),
    }
}

fn column_value(cell: &Cell) -> hbase_orm_idl::hbase2::TColumnValue {
    hbase_orm_idl::hbase2::TColumnValue {
        family: cell.family.to_vec(),
        qualifier: cell.qualifier.to_vec(),
        value: cell.value.to_vec(),
        timestamp: Some(cell.timestamp),
        tags: None,
        type_: Some(PUT_TYPE),
    }
}

fn bytes(v: Vec<u8>) -> Bytes {
    Bytes::from(v)
}

impl THBaseServiceSyncHandler for Thrift2Handler {
    fn handle_exists(&self, table: Vec<u8>, tget: TGet) -> thrift::Result<bool> {
        Ok(!self.get(&table, tget)?.column_values.is_empty())
    }

    fn handle_exists_all(&self, table: Vec<u8>, tgets: Vec<TGet>) -> thrift::Result<Vec<bool>> {
        tgets
            .into_iter()
            .map(|g| Ok(!self.get(&table, g)?.column_values.is_empty()))
            .collect()
    }

    fn handle_get(&self, table: Vec<u8>, tget: TGet) -> thrift::Result<TResult> {
        self.get(&table, tget)
    }

    fn handle_get_multiple(
        &self,
        table: Vec<u8>,
        tgets: Vec<TGet>,
    ) -> thrift::Result<Vec<TResult>> {
        tgets.into_iter().map(|g| self.get(&table, g)).collect()
    }

    fn handle_put(&self, table: Vec<u8>, tput: TPut) -> thrift::Result<()> {
        self.put(&table, vec![tput])
    }

    fn handle_check_and_put(
        &self,
        table: Vec<u8>,
        row: Vec<u8>,
        family: Vec<u8>,
        qualifier: Vec<u8>,
        value: Vec<u8>,
        tput: TPut,
    ) -> thrift::Result<bool> {
        let mutations = TRowMutations::new(
            tput.row.clone(),
            vec![hbase_orm_idl::hbase2::TMutation::Put(tput)],
        );
        self.check_and_mutate(
            &table,
            row,
            family,
            qualifier,
            TCompareOp::EQUAL,
            value,
            mutations,
        )
    }

    fn handle_put_multiple(&self, table: Vec<u8>, tputs: Vec<TPut>) -> thrift::Result<()> {
        self.put(&table, tputs)
    }

    fn handle_delete_single(&self, table: Vec<u8>, tdelete: TDelete) -> thrift::Result<()> {
        self.delete(&table, vec![tdelete])
    }

    fn handle_delete_multiple(
        &self,
        table: Vec<u8>,
        tdeletes: Vec<TDelete>,
    ) -> thrift::Result<Vec<TDelete>> {
        self.delete(&table, tdeletes)?;
        Ok(Vec::new())
    }

    fn handle_check_and_delete(
        &self,
        table: Vec<u8>,
        row: Vec<u8>,
        family: Vec<u8>,
        qualifier: Vec<u8>,
        value: Vec<u8>,
        tdelete: TDelete,
    ) -> thrift::Result<bool> {
        let mutations = TRowMutations::new(
            tdelete.row.clone(),
            vec![hbase_orm_idl::hbase2::TMutation::DeleteSingle(tdelete)],
        );
        self.check_and_mutate(
            &table,
            row,
            family,
            qualifier,
            TCompareOp::EQUAL,
            value,
            mutations,
        )
    }

    fn handle_increment(&self, table: Vec<u8>, tincrement: TIncrement) -> thrift::Result<TResult> {
        self.increment(&table, tincrement)
    }

    fn handle_append(&self, table: Vec<u8>, tappend: TAppend) -> thrift::Result<TResult> {
        self.append(&table, tappend)
    }

    fn handle_open_scanner(&self, table: Vec<u8>, tscan: TScan) -> thrift::Result<i32> {
        self.open_scanner(&table, tscan)
    }

    fn handle_get_scanner_rows(
        &self,
        scanner_id: i32,
        num_rows: i32,
    ) -> thrift::Result<Vec<TResult>> {
        self.scanner_rows(scanner_id, num_rows)
    }

    fn handle_close_scanner(&self, scanner_id: i32) -> thrift::Result<()> {
        self.inner.scanners.remove(scanner_id);
        Ok(())
    }

    fn handle_mutate_row(
        &self,
        table: Vec<u8>,
        trow_mutations: TRowMutations,
    ) -> thrift::Result<()> {
        self.mutate_row(&table, trow_mutations)
    }

    fn handle_get_scanner_results(
        &self,
        table: Vec<u8>,
        tscan: TScan,
        num_rows: i32,
    ) -> thrift::Result<Vec<TResult>> {
        self.scanner_results(&table, tscan, num_rows)
    }

    fn handle_get_region_location(
        &self,
        table: Vec<u8>,
        _row: Vec<u8>,
        _reload: bool,
    ) -> thrift::Result<THRegionLocation> {
        self.region_location(&table)
    }

    fn handle_get_all_region_locations(
        &self,
        table: Vec<u8>,
    ) -> thrift::Result<Vec<THRegionLocation>> {
        // HBase's region locator finds no region of a missing table: an
        // empty list, not an error.
        match self.region_location(&table) {
            Ok(location) => Ok(vec![location]),
            Err(_) if self.store().table(&table).is_err() => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    fn handle_check_and_mutate(
        &self,
        table: Vec<u8>,
        row: Vec<u8>,
        family: Vec<u8>,
        qualifier: Vec<u8>,
        compare_op: TCompareOp,
        value: Vec<u8>,
        row_mutations: TRowMutations,
    ) -> thrift::Result<bool> {
        self.check_and_mutate(
            &table,
            row,
            family,
            qualifier,
            compare_op,
            value,
            row_mutations,
        )
    }

    fn handle_get_table_descriptor(&self, table: TTableName) -> thrift::Result<TTableDescriptor> {
        self.table_descriptor(&table)
    }

    fn handle_get_table_descriptors(
        &self,
        tables: Vec<TTableName>,
    ) -> thrift::Result<Vec<TTableDescriptor>> {
        Ok(tables
            .iter()
            .filter_map(|t| self.table_descriptor(t).ok())
            .collect())
    }

    fn handle_table_exists(&self, table_name: TTableName) -> thrift::Result<bool> {
        Ok(self.store().table(&admin::full_name(&table_name)).is_ok())
    }

    fn handle_get_table_descriptors_by_pattern(
        &self,
        regex: String,
        include_sys_tables: bool,
    ) -> thrift::Result<Vec<TTableDescriptor>> {
        self.descriptors_by_pattern(&regex, include_sys_tables)
    }

    fn handle_get_table_descriptors_by_namespace(
        &self,
        name: String,
    ) -> thrift::Result<Vec<TTableDescriptor>> {
        self.descriptors_in_namespace(&name)
    }

    fn handle_get_table_names_by_pattern(
        &self,
        regex: String,
        include_sys_tables: bool,
    ) -> thrift::Result<Vec<TTableName>> {
        Ok(self
            .descriptors_by_pattern(&regex, include_sys_tables)?
            .into_iter()
            .map(|d| d.table_name)
            .collect())
    }

    fn handle_get_table_names_by_namespace(&self, name: String) -> thrift::Result<Vec<TTableName>> {
        Ok(self
            .descriptors_in_namespace(&name)?
            .into_iter()
            .map(|d| d.table_name)
            .collect())
    }

    fn handle_create_table(
        &self,
        desc: TTableDescriptor,
        _split_keys: Vec<Vec<u8>>,
    ) -> thrift::Result<()> {
        self.create_table(desc)
    }

    fn handle_delete_table(&self, table_name: TTableName) -> thrift::Result<()> {
        let name = admin::full_name(&table_name);
        self.store().delete_table(&name).map_err(store_error)?;
        self.inner.labels.forget_table(&name);
        Ok(())
    }

    fn handle_truncate_table(
        &self,
        table_name: TTableName,
        _preserve_splits: bool,
    ) -> thrift::Result<()> {
        self.truncate_table(&table_name)
    }

    fn handle_enable_table(&self, table_name: TTableName) -> thrift::Result<()> {
        self.store()
            .set_enabled(&admin::full_name(&table_name), true)
            .map_err(store_error)
    }

    fn handle_disable_table(&self, table_name: TTableName) -> thrift::Result<()> {
        self.store()
            .set_enabled(&admin::full_name(&table_name), false)
            .map_err(store_error)
    }

    fn handle_is_table_enabled(&self, table_name: TTableName) -> thrift::Result<bool> {
        let info = self
            .store()
            .table(&admin::full_name(&table_name))
            .map_err(store_error)?;
        Ok(info.enabled)
    }

    fn handle_is_table_disabled(&self, table_name: TTableName) -> thrift::Result<bool> {
        let info = self
            .store()
            .table(&admin::full_name(&table_name))
            .map_err(store_error)?;
        Ok(!info.enabled)
    }

    fn handle_is_table_available(&self, table_name: TTableName) -> thrift::Result<bool> {
        Ok(self.store().table(&admin::full_name(&table_name)).is_ok())
    }

    fn handle_is_table_available_with_split(
        &self,
        table_name: TTableName,
        _split_keys: Vec<Vec<u8>>,
    ) -> thrift::Result<bool> {
        Ok(self.store().table(&admin::full_name(&table_name)).is_ok())
    }

    fn handle_add_column_family(
        &self,
        _table_name: TTableName,
        _column: TColumnFamilyDescriptor,
    ) -> thrift::Result<()> {
        Err(unsupported("adding a column family to an existing table"))
    }

    fn handle_delete_column_family(
        &self,
        _table_name: TTableName,
        _column: Vec<u8>,
    ) -> thrift::Result<()> {
        Err(unsupported("deleting a column family of an existing table"))
    }

    fn handle_modify_column_family(
        &self,
        _table_name: TTableName,
        _column: TColumnFamilyDescriptor,
    ) -> thrift::Result<()> {
        Err(unsupported(
            "modifying a column family of an existing table",
        ))
    }

    fn handle_modify_table(&self, _desc: TTableDescriptor) -> thrift::Result<()> {
        Err(unsupported("modifyTable"))
    }

    fn handle_create_namespace(&self, namespace_desc: TNamespaceDescriptor) -> thrift::Result<()> {
        self.create_namespace(namespace_desc)
    }

    fn handle_modify_namespace(&self, namespace_desc: TNamespaceDescriptor) -> thrift::Result<()> {
        self.modify_namespace(namespace_desc)
    }

    fn handle_delete_namespace(&self, name: String) -> thrift::Result<()> {
        self.delete_namespace(&name)
    }

    fn handle_get_namespace_descriptor(
        &self,
        name: String,
    ) -> thrift::Result<TNamespaceDescriptor> {
        self.namespace_descriptor(&name)
    }

    fn handle_list_namespace_descriptors(&self) -> thrift::Result<Vec<TNamespaceDescriptor>> {
        Ok(self
            .namespaces()
            .iter()
            .map(|(name, conf)| TNamespaceDescriptor::new(name.clone(), conf.clone()))
            .collect())
    }

    fn handle_list_namespaces(&self) -> thrift::Result<Vec<String>> {
        Ok(self.namespaces().keys().cloned().collect())
    }

    fn handle_get_thrift_server_type(&self) -> thrift::Result<TThriftServerType> {
        Ok(TThriftServerType::TWO)
    }

    fn handle_get_slow_log_responses(
        &self,
        _server_names: BTreeSet<TServerName>,
        _log_query_filter: TLogQueryFilter,
    ) -> thrift::Result<Vec<TOnlineLogRecord>> {
        Ok(Vec::new())
    }

    fn handle_clear_slow_log_responses(
        &self,
        server_names: BTreeSet<TServerName>,
    ) -> thrift::Result<Vec<bool>> {
        Ok(vec![true; server_names.len()])
    }

    fn handle_get_cluster_id(&self) -> thrift::Result<String> {
        Ok(CLUSTER_ID.to_owned())
    }
}
