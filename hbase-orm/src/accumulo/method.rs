//! The Accumulo Proxy methods the client calls, in one table: each method's
//! name, argument and result types, what its reply decodes to, and its
//! retry class (read by nothing yet: Accumulo calls are made once).

use std::collections::{BTreeMap, BTreeSet};

use hbase_orm_idl::accumulo::{self as proxy, ConditionalStatus, IteratorScope, IteratorSetting};
use hbase_orm_idl::thrift::protocol::{
    TFieldIdentifier, TInputProtocol, TListIdentifier, TOutputProtocol, TSerializable,
    TStructIdentifier, TType,
};
use hbase_orm_idl::thrift::{self, ApplicationError, ApplicationErrorKind};

use crate::protocol::{generated_methods, Method, Retry};

type Names = BTreeSet<String>;
type Properties = BTreeMap<String, String>;
type Iterators = BTreeMap<String, BTreeSet<IteratorScope>>;
type Statuses = BTreeMap<Vec<u8>, ConditionalStatus>;

generated_methods! {
    proxy;
    AccumuloProxyLoginArgs => AccumuloProxyLoginResult, "login", Idempotent, Vec<u8>;
    // Tables.
    AccumuloProxyTableExistsArgs => AccumuloProxyTableExistsResult, "tableExists", Idempotent, bool;
    AccumuloProxyCreateTableArgs => AccumuloProxyCreateTableResult, "createTable", NonIdempotent, ();
    AccumuloProxyDeleteTableArgs => AccumuloProxyDeleteTableResult, "deleteTable", NonIdempotent, ();
    AccumuloProxyListTablesArgs => AccumuloProxyListTablesResult, "listTables", Idempotent, Names;
    AccumuloProxyRenameTableArgs => AccumuloProxyRenameTableResult, "renameTable", NonIdempotent, ();
    AccumuloProxyCloneTableArgs => AccumuloProxyCloneTableResult, "cloneTable", NonIdempotent, ();
    AccumuloProxyGetTablePropertiesArgs => AccumuloProxyGetTablePropertiesResult,
        "getTableProperties", Idempotent, Properties;
    AccumuloProxySetTablePropertyArgs => AccumuloProxySetTablePropertyResult,
        "setTableProperty", Idempotent, ();
    AccumuloProxyRemoveTablePropertyArgs => AccumuloProxyRemoveTablePropertyResult,
        "removeTableProperty", Idempotent, ();
    AccumuloProxyAddSplitsArgs => AccumuloProxyAddSplitsResult, "addSplits", Idempotent, ();
    AccumuloProxyListSplitsArgs => AccumuloProxyListSplitsResult, "listSplits", Idempotent,
        Vec<Vec<u8>>;
    AccumuloProxyAttachIteratorArgs => AccumuloProxyAttachIteratorResult, "attachIterator",
        NonIdempotent, ();
    AccumuloProxyRemoveIteratorArgs => AccumuloProxyRemoveIteratorResult, "removeIterator",
        NonIdempotent, ();
    AccumuloProxyListIteratorsArgs => AccumuloProxyListIteratorsResult, "listIterators",
        Idempotent, Iterators;
    AccumuloProxyGetIteratorSettingArgs => AccumuloProxyGetIteratorSettingResult,
        "getIteratorSetting", Idempotent, IteratorSetting;
    AccumuloProxyCheckIteratorConflictsArgs => AccumuloProxyCheckIteratorConflictsResult,
        "checkIteratorConflicts", Idempotent, ();
    // Namespaces.
    AccumuloProxySystemNamespaceArgs => AccumuloProxySystemNamespaceResult, "systemNamespace",
        Idempotent, String;
    AccumuloProxyDefaultNamespaceArgs => AccumuloProxyDefaultNamespaceResult,
        "defaultNamespace", Idempotent, String;
    AccumuloProxyListNamespacesArgs => AccumuloProxyListNamespacesResult, "listNamespaces",
        Idempotent, Vec<String>;
    AccumuloProxyNamespaceExistsArgs => AccumuloProxyNamespaceExistsResult, "namespaceExists",
        Idempotent, bool;
    AccumuloProxyCreateNamespaceArgs => AccumuloProxyCreateNamespaceResult, "createNamespace",
        NonIdempotent, ();
    AccumuloProxyDeleteNamespaceArgs => AccumuloProxyDeleteNamespaceResult, "deleteNamespace",
        NonIdempotent, ();
    AccumuloProxyRenameNamespaceArgs => AccumuloProxyRenameNamespaceResult, "renameNamespace",
        NonIdempotent, ();
    AccumuloProxyGetNamespacePropertiesArgs => AccumuloProxyGetNamespacePropertiesResult,
        "getNamespaceProperties", Idempotent, Properties;
    AccumuloProxySetNamespacePropertyArgs => AccumuloProxySetNamespacePropertyResult,
        "setNamespaceProperty", Idempotent, ();
    // Users and permissions.
    AccumuloProxyCreateLocalUserArgs => AccumuloProxyCreateLocalUserResult, "createLocalUser",
        NonIdempotent, ();
    AccumuloProxyDropLocalUserArgs => AccumuloProxyDropLocalUserResult, "dropLocalUser",
        NonIdempotent, ();
    AccumuloProxyListLocalUsersArgs => AccumuloProxyListLocalUsersResult, "listLocalUsers",
        Idempotent, Names;
    AccumuloProxyChangeLocalUserPasswordArgs => AccumuloProxyChangeLocalUserPasswordResult,
        "changeLocalUserPassword", Idempotent, ();
    AccumuloProxyAuthenticateUserArgs => AccumuloProxyAuthenticateUserResult,
        "authenticateUser", Idempotent, bool;
    AccumuloProxyChangeUserAuthorizationsArgs => AccumuloProxyChangeUserAuthorizationsResult,
        "changeUserAuthorizations", Idempotent, ();
    AccumuloProxyGetUserAuthorizationsArgs => AccumuloProxyGetUserAuthorizationsResult,
        "getUserAuthorizations", Idempotent, Vec<Vec<u8>>;
    AccumuloProxyGrantSystemPermissionArgs => AccumuloProxyGrantSystemPermissionResult,
        "grantSystemPermission", Idempotent, ();
    AccumuloProxyRevokeSystemPermissionArgs => AccumuloProxyRevokeSystemPermissionResult,
        "revokeSystemPermission", Idempotent, ();
    AccumuloProxyHasSystemPermissionArgs => AccumuloProxyHasSystemPermissionResult,
        "hasSystemPermission", Idempotent, bool;
    AccumuloProxyGrantTablePermissionArgs => AccumuloProxyGrantTablePermissionResult,
        "grantTablePermission", Idempotent, ();
    AccumuloProxyRevokeTablePermissionArgs => AccumuloProxyRevokeTablePermissionResult,
        "revokeTablePermission", Idempotent, ();
    AccumuloProxyHasTablePermissionArgs => AccumuloProxyHasTablePermissionResult,
        "hasTablePermission", Idempotent, bool;
    // Scanning.
    AccumuloProxyCreateScannerArgs => AccumuloProxyCreateScannerResult, "createScanner",
        NonIdempotent, String;
    AccumuloProxyCreateBatchScannerArgs => AccumuloProxyCreateBatchScannerResult,
        "createBatchScanner", NonIdempotent, String;
    AccumuloProxyNextKArgs => AccumuloProxyNextKResult, "nextK", Never, proxy::ScanResult;
    AccumuloProxyCloseScannerArgs => AccumuloProxyCloseScannerResult, "closeScanner",
        Idempotent, ();
    // Writing.
    AccumuloProxyUpdateAndFlushArgs => AccumuloProxyUpdateAndFlushResult, "updateAndFlush",
        Idempotent, ();
    AccumuloProxyCreateWriterArgs => AccumuloProxyCreateWriterResult, "createWriter",
        NonIdempotent, String;
    AccumuloProxyFlushArgs => AccumuloProxyFlushResult, "flush", Never, ();
    AccumuloProxyCloseWriterArgs => AccumuloProxyCloseWriterResult, "closeWriter", Never, ();
    // Conditional writing.
    AccumuloProxyUpdateRowConditionallyArgs => AccumuloProxyUpdateRowConditionallyResult,
        "updateRowConditionally", NonIdempotent, ConditionalStatus;
    AccumuloProxyCreateConditionalWriterArgs => AccumuloProxyCreateConditionalWriterResult,
        "createConditionalWriter", NonIdempotent, String;
    AccumuloProxyUpdateRowsConditionallyArgs => AccumuloProxyUpdateRowsConditionallyResult,
        "updateRowsConditionally", NonIdempotent, Statuses;
    AccumuloProxyCloseConditionalWriterArgs => AccumuloProxyCloseConditionalWriterResult,
        "closeConditionalWriter", Idempotent, ();
}

/// `update` is `oneway`: it is sent with
/// [`Handle::send_oneway`](crate::network::Handle::send_oneway) and has no
/// reply to read.
impl Method for proxy::AccumuloProxyUpdateArgs {
    const NAME: &'static str = "update";
    const RETRY: Retry = Retry::Never;
    type Output = ();

    fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
        self.write_to_out_protocol(o)
    }

    fn read(_: &mut dyn TInputProtocol) -> thrift::Result<()> {
        Err(thrift::Error::Application(ApplicationError::new(
            ApplicationErrorKind::InvalidMessageType,
            "`update` is one-way and has no reply",
        )))
    }
}

/// The calls on a span of rows (`flushTable`, `compactTable`,
/// `deleteRows`), written by hand: the proxy reads a missing start or end
/// row as "unbounded", which the generated structs, whose row fields are
/// always written, cannot express (an empty row is not the same: the proxy
/// refuses an empty start equal to an empty end). A compaction is sent
/// without a compaction strategy, which the proxy then leaves at the
/// table's.
#[derive(Debug, Clone)]
pub(crate) struct RowSpanCall {
    pub(crate) kind: RowSpanKind,
    pub(crate) login: Vec<u8>,
    pub(crate) table: String,
    pub(crate) start: Option<Vec<u8>>,
    pub(crate) end: Option<Vec<u8>>,
}

/// Which row-span call, with its own arguments.
#[derive(Debug, Clone)]
pub(crate) enum RowSpanKind {
    /// `flushTable(..., wait)`.
    Flush { wait: bool },
    /// `compactTable(..., iterators, flush, wait)`.
    Compact {
        iterators: Vec<IteratorSetting>,
        flush: bool,
        wait: bool,
    },
    /// `deleteRows`.
    DeleteRows,
}

fn field(
    o: &mut dyn TOutputProtocol,
    name: &str,
    kind: TType,
    id: i16,
    body: impl FnOnce(&mut dyn TOutputProtocol) -> thrift::Result<()>,
) -> thrift::Result<()> {
    o.write_field_begin(&TFieldIdentifier::new(name, kind, id))?;
    body(o)?;
    o.write_field_end()
}

impl RowSpanCall {
    fn name(&self) -> &'static str {
        match self.kind {
            RowSpanKind::Flush { .. } => "flushTable",
            RowSpanKind::Compact { .. } => "compactTable",
            RowSpanKind::DeleteRows => "deleteRows",
        }
    }
}

/// One [`Method`] per call name, sharing [`RowSpanCall`]'s writer.
macro_rules! row_span_methods {
    ($($ty:ident => $result:ident, $name:literal, $retry:ident;)*) => {$(
        /// A [`RowSpanCall`] sent as `
        #[doc = $name]
        /// `.
        #[derive(Debug, Clone)]
        pub(crate) struct $ty(pub(crate) RowSpanCall);

        impl Method for $ty {
            const NAME: &'static str = $name;
            const RETRY: Retry = Retry::$retry;
            type Output = ();
            fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
                debug_assert_eq!(self.0.name(), $name);
                self.0.write(o)
            }
            fn read(i: &mut dyn TInputProtocol) -> thrift::Result<()> {
                proxy::$result::read_from_in_protocol(i)?.ok_or()
            }
        }
    )*};
}

row_span_methods! {
    FlushTable => AccumuloProxyFlushTableResult, "flushTable", Idempotent;
    CompactTable => AccumuloProxyCompactTableResult, "compactTable", NonIdempotent;
    DeleteRows => AccumuloProxyDeleteRowsResult, "deleteRows", Idempotent;
}

impl RowSpanCall {
    fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
        o.write_struct_begin(&TStructIdentifier::new("args"))?;
        field(o, "login", TType::String, 1, |o| o.write_bytes(&self.login))?;
        field(o, "tableName", TType::String, 2, |o| {
            o.write_string(&self.table)
        })?;
        if let Some(start) = &self.start {
            field(o, "startRow", TType::String, 3, |o| o.write_bytes(start))?;
        }
        if let Some(end) = &self.end {
            field(o, "endRow", TType::String, 4, |o| o.write_bytes(end))?;
        }
        match &self.kind {
            RowSpanKind::Flush { wait } => {
                field(o, "wait", TType::Bool, 5, |o| o.write_bool(*wait))?;
            }
            RowSpanKind::Compact {
                iterators,
                flush,
                wait,
            } => {
                field(o, "iterators", TType::List, 5, |o| {
                    let len = i32::try_from(iterators.len()).unwrap_or(i32::MAX);
                    o.write_list_begin(&TListIdentifier::new(TType::Struct, len))?;
                    for it in iterators {
                        it.write_to_out_protocol(o)?;
                    }
                    o.write_list_end()
                })?;
                field(o, "flush", TType::Bool, 6, |o| o.write_bool(*flush))?;
                field(o, "wait", TType::Bool, 7, |o| o.write_bool(*wait))?;
            }
            RowSpanKind::DeleteRows => {}
        }
        o.write_field_stop()?;
        o.write_struct_end()
    }
}
