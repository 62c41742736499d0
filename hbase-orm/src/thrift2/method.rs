//! The Thrift2 gateway methods the client calls, in one table: each
//! method's name, argument and result types, what its reply decodes to, and
//! its retry class (read by the Thrift1 connection's retry loop, which
//! Thrift2 calls go through too).

use hbase_orm_idl::hbase2::{
    self as idl, TNamespaceDescriptor, TResult, TTableDescriptor, TTableName, TThriftServerType,
};
use hbase_orm_idl::thrift;
use hbase_orm_idl::thrift::protocol::{TInputProtocol, TOutputProtocol};

use crate::protocol::generated_methods;

type Results = Vec<TResult>;
type Descriptors = Vec<TTableDescriptor>;
type Names = Vec<TTableName>;

generated_methods! {
    idl;
    // Reads.
    THBaseServiceExistsArgs => THBaseServiceExistsResult, "exists", Idempotent, bool;
    THBaseServiceExistsAllArgs => THBaseServiceExistsAllResult, "existsAll", Idempotent,
        Vec<bool>;
    THBaseServiceGetArgs => THBaseServiceGetResult, "get", Idempotent, TResult;
    THBaseServiceGetMultipleArgs => THBaseServiceGetMultipleResult, "getMultiple", Idempotent,
        Results;
    // Writes. A put or delete sent twice has the effect of one (HBase
    // gives both the same timestamp only when one is set, but the cells
    // read back are the same either way).
    THBaseServicePutArgs => THBaseServicePutResult, "put", Idempotent, ();
    THBaseServicePutMultipleArgs => THBaseServicePutMultipleResult, "putMultiple", Idempotent, ();
    THBaseServiceDeleteSingleArgs => THBaseServiceDeleteSingleResult, "deleteSingle",
        Idempotent, ();
    THBaseServiceDeleteMultipleArgs => THBaseServiceDeleteMultipleResult, "deleteMultiple",
        Idempotent, Vec<idl::TDelete>;
    THBaseServiceMutateRowArgs => THBaseServiceMutateRowResult, "mutateRow", Idempotent, ();
    THBaseServiceCheckAndPutArgs => THBaseServiceCheckAndPutResult, "checkAndPut",
        NonIdempotent, bool;
    THBaseServiceCheckAndDeleteArgs => THBaseServiceCheckAndDeleteResult, "checkAndDelete",
        NonIdempotent, bool;
    THBaseServiceCheckAndMutateArgs => THBaseServiceCheckAndMutateResult, "checkAndMutate",
        NonIdempotent, bool;
    THBaseServiceIncrementArgs => THBaseServiceIncrementResult, "increment", NonIdempotent,
        TResult;
    THBaseServiceAppendArgs => THBaseServiceAppendResult, "append", NonIdempotent, TResult;
    // Scanners.
    THBaseServiceOpenScannerArgs => THBaseServiceOpenScannerResult, "openScanner", Idempotent,
        i32;
    THBaseServiceGetScannerRowsArgs => THBaseServiceGetScannerRowsResult, "getScannerRows",
        Never, Results;
    THBaseServiceCloseScannerArgs => THBaseServiceCloseScannerResult, "closeScanner",
        Idempotent, ();
    THBaseServiceGetScannerResultsArgs => THBaseServiceGetScannerResultsResult,
        "getScannerResults", Idempotent, Results;
    // Regions.
    THBaseServiceGetRegionLocationArgs => THBaseServiceGetRegionLocationResult,
        "getRegionLocation", Idempotent, idl::THRegionLocation;
    THBaseServiceGetAllRegionLocationsArgs => THBaseServiceGetAllRegionLocationsResult,
        "getAllRegionLocations", Idempotent, Vec<idl::THRegionLocation>;
    // Tables.
    THBaseServiceGetTableDescriptorArgs => THBaseServiceGetTableDescriptorResult,
        "getTableDescriptor", Idempotent, TTableDescriptor;
    THBaseServiceGetTableDescriptorsArgs => THBaseServiceGetTableDescriptorsResult,
        "getTableDescriptors", Idempotent, Descriptors;
    THBaseServiceTableExistsArgs => THBaseServiceTableExistsResult, "tableExists", Idempotent,
        bool;
    THBaseServiceGetTableDescriptorsByPatternArgs => THBaseServiceGetTableDescriptorsByPatternResult,
        "getTableDescriptorsByPattern", Idempotent, Descriptors;
    THBaseServiceGetTableDescriptorsByNamespaceArgs
        => THBaseServiceGetTableDescriptorsByNamespaceResult,
        "getTableDescriptorsByNamespace", Idempotent, Descriptors;
    THBaseServiceGetTableNamesByPatternArgs => THBaseServiceGetTableNamesByPatternResult,
        "getTableNamesByPattern", Idempotent, Names;
    THBaseServiceGetTableNamesByNamespaceArgs => THBaseServiceGetTableNamesByNamespaceResult,
        "getTableNamesByNamespace", Idempotent, Names;
    THBaseServiceCreateTableArgs => THBaseServiceCreateTableResult, "createTable",
        NonIdempotent, ();
    THBaseServiceDeleteTableArgs => THBaseServiceDeleteTableResult, "deleteTable",
        NonIdempotent, ();
    THBaseServiceTruncateTableArgs => THBaseServiceTruncateTableResult, "truncateTable",
        NonIdempotent, ();
    THBaseServiceEnableTableArgs => THBaseServiceEnableTableResult, "enableTable",
        NonIdempotent, ();
    THBaseServiceDisableTableArgs => THBaseServiceDisableTableResult, "disableTable",
        NonIdempotent, ();
    THBaseServiceIsTableEnabledArgs => THBaseServiceIsTableEnabledResult, "isTableEnabled",
        Idempotent, bool;
    THBaseServiceIsTableDisabledArgs => THBaseServiceIsTableDisabledResult, "isTableDisabled",
        Idempotent, bool;
    THBaseServiceIsTableAvailableArgs => THBaseServiceIsTableAvailableResult,
        "isTableAvailable", Idempotent, bool;
    THBaseServiceAddColumnFamilyArgs => THBaseServiceAddColumnFamilyResult, "addColumnFamily",
        NonIdempotent, ();
    THBaseServiceDeleteColumnFamilyArgs => THBaseServiceDeleteColumnFamilyResult,
        "deleteColumnFamily", NonIdempotent, ();
    THBaseServiceModifyColumnFamilyArgs => THBaseServiceModifyColumnFamilyResult,
        "modifyColumnFamily", NonIdempotent, ();
    THBaseServiceModifyTableArgs => THBaseServiceModifyTableResult, "modifyTable",
        NonIdempotent, ();
    // Namespaces.
    THBaseServiceCreateNamespaceArgs => THBaseServiceCreateNamespaceResult, "createNamespace",
        NonIdempotent, ();
    THBaseServiceModifyNamespaceArgs => THBaseServiceModifyNamespaceResult, "modifyNamespace",
        NonIdempotent, ();
    THBaseServiceDeleteNamespaceArgs => THBaseServiceDeleteNamespaceResult, "deleteNamespace",
        NonIdempotent, ();
    THBaseServiceGetNamespaceDescriptorArgs => THBaseServiceGetNamespaceDescriptorResult,
        "getNamespaceDescriptor", Idempotent, TNamespaceDescriptor;
    THBaseServiceListNamespaceDescriptorsArgs => THBaseServiceListNamespaceDescriptorsResult,
        "listNamespaceDescriptors", Idempotent, Vec<TNamespaceDescriptor>;
    THBaseServiceListNamespacesArgs => THBaseServiceListNamespacesResult, "listNamespaces",
        Idempotent, Vec<String>;
    // The gateway.
    THBaseServiceGetThriftServerTypeArgs => THBaseServiceGetThriftServerTypeResult,
        "getThriftServerType", Idempotent, TThriftServerType;
    THBaseServiceGetClusterIdArgs => THBaseServiceGetClusterIdResult, "getClusterId",
        Idempotent, String;
}
