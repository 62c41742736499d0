// hbase-orm: the Accumulo Proxy interface (service `AccumuloProxy`, the 1.x
// proxy that Accumulo 1.9 and 1.10 ship).
//
// Written for this project from the proxy's wire facts: every name, field id,
// type, requiredness and default below is what the proxy sends and expects;
// the layout and the comments are ours. Sections: keys and cells, scanning,
// writing, conditional writing, iterators and tables, security, instance
// information, the exceptions, then the service.
//
// Regenerate the Rust bindings with `idl/generate.sh` (never edit the output).

namespace rs accumulo

// ---------------------------------------------------------------- keys, cells

// The full key of one entry. Every part is raw bytes; a key without a
// timestamp stands for the newest possible one.
struct Key {
  1: binary row,
  2: binary colFamily,
  3: binary colQualifier,
  4: binary colVisibility,
  5: optional i64 timestamp = 0x7FFFFFFFFFFFFFFF
}

// How much of a key counts, e.g. when asking for the key that follows it.
enum PartialKey {
  ROW,
  ROW_COLFAM,
  ROW_COLFAM_COLQUAL,
  ROW_COLFAM_COLQUAL_COLVIS,
  ROW_COLFAM_COLQUAL_COLVIS_TIME,
  ROW_COLFAM_COLQUAL_COLVIS_TIME_DEL
}

// An entry as read: its key and its value.
struct KeyValue {
  1: Key key,
  2: binary value
}

// A column named by family, qualifier and visibility (conditions, active
// scans).
struct Column {
  1: binary colFamily,
  2: binary colQualifier,
  3: binary colVisibility
}

// One change to a row: a value to write, or (deleteCell) a delete entry.
// Without a timestamp the server's time for the table is used.
struct ColumnUpdate {
  1: binary colFamily,
  2: binary colQualifier,
  3: optional binary colVisibility,
  4: optional i64 timestamp,
  5: optional binary value,
  6: optional bool deleteCell
}

// ------------------------------------------------------------------ scanning

// A span of keys. A missing start or stop key leaves that end open.
struct Range {
  1: Key start,
  2: bool startInclusive,
  3: Key stop,
  4: bool stopInclusive
}

// A column a scan fetches: a whole family, or one qualifier of it.
struct ScanColumn {
  1: binary colFamily,
  2: optional binary colQualifier
}

// An iterator to run: its priority (lower runs first, nearer the data), its
// name, its Java class name and its options.
struct IteratorSetting {
  1: i32 priority,
  2: string name,
  3: string iteratorClass,
  4: map<string, string> properties
}

// What createScanner reads: one range (all by default), with the scan's
// authorizations (the user's by default).
struct ScanOptions {
  1: optional set<binary> authorizations,
  2: optional Range range,
  3: optional list<ScanColumn> columns,
  4: optional list<IteratorSetting> iterators,
  5: optional i32 bufferSize
}

// What createBatchScanner reads: many ranges, results in no promised order.
struct BatchScanOptions {
  1: optional set<binary> authorizations,
  2: optional list<Range> ranges,
  3: optional list<ScanColumn> columns,
  4: optional list<IteratorSetting> iterators,
  5: optional i32 threads
}

// A batch from nextK; `more` says whether the scanner has entries left.
struct ScanResult {
  1: list<KeyValue> results,
  2: bool more
}

// One entry from nextEntry, with whether another one follows.
struct KeyValueAndPeek {
  1: KeyValue keyValue,
  2: bool hasNext
}

// ------------------------------------------------------------------- writing

// How hard the server tries to keep a write before acknowledging it.
enum Durability {
  DEFAULT,
  NONE,
  LOG,
  FLUSH,
  SYNC
}

// Settings of a batch writer (createWriter).
struct WriterOptions {
  1: i64 maxMemory,
  2: i64 latencyMs,
  3: i64 timeoutMs,
  4: i32 threads,
  5: optional Durability durability
}

// ------------------------------------------------------- conditional writing

// A condition on one column: its value (absent when no value is given), at
// a timestamp if one is given, seen through the iterators if any.
struct Condition {
  1: Column column,
  2: optional i64 timestamp,
  3: optional binary value,
  4: optional list<IteratorSetting> iterators
}

// The updates applied to a row when all its conditions hold. (There is no
// field 1.)
struct ConditionalUpdates {
  2: list<Condition> conditions,
  3: list<ColumnUpdate> updates
}

// What happened to one conditional row.
enum ConditionalStatus {
  ACCEPTED,
  REJECTED,
  VIOLATED,
  UNKNOWN,
  INVISIBLE_VISIBILITY
}

// Settings of a conditional writer; its authorizations decide which
// conditions it can see.
struct ConditionalWriterOptions {
  1: optional i64 maxMemory,
  2: optional i64 timeoutMs,
  3: optional i32 threads,
  4: optional set<binary> authorizations,
  5: optional Durability durability
}

// ---------------------------------------------------------- iterators, tables

// Where an attached iterator runs: minor compaction, major compaction, scan.
enum IteratorScope {
  MINC,
  MAJC,
  SCAN
}

// How the server stamps entries written without a timestamp.
enum TimeType {
  LOGICAL,
  MILLIS
}

// A compaction strategy by class name, with its options.
struct CompactionStrategyConfig {
  1: string className,
  2: map<string, string> options
}

// The space a set of tables shares on disk.
struct DiskUsage {
  1: list<string> tables,
  2: i64 usage
}

// ------------------------------------------------------------------ security

// Rights on one table.
enum TablePermission {
  READ = 2,
  WRITE = 3,
  BULK_IMPORT = 4,
  ALTER_TABLE = 5,
  GRANT = 6,
  DROP_TABLE = 7
}

// Rights on the whole instance.
enum SystemPermission {
  GRANT = 0,
  CREATE_TABLE = 1,
  DROP_TABLE = 2,
  ALTER_TABLE = 3,
  CREATE_USER = 4,
  DROP_USER = 5,
  ALTER_USER = 6,
  SYSTEM = 7,
  CREATE_NAMESPACE = 8,
  DROP_NAMESPACE = 9,
  ALTER_NAMESPACE = 10,
  OBTAIN_DELEGATION_TOKEN = 11
}

// Rights on one namespace.
enum NamespacePermission {
  READ = 0,
  WRITE = 1,
  ALTER_NAMESPACE = 2,
  GRANT = 3,
  ALTER_TABLE = 4,
  CREATE_TABLE = 5,
  DROP_TABLE = 6,
  BULK_IMPORT = 7,
  DROP_NAMESPACE = 8
}

// ------------------------------------------------------ instance information

// A tablet: its table id and the rows it ends and follows.
struct KeyExtent {
  1: string tableId,
  2: binary endRow,
  3: binary prevEndRow
}

// Whether a scan reads one range or many.
enum ScanType {
  SINGLE,
  BATCH
}

// What a running scan is doing.
enum ScanState {
  IDLE,
  RUNNING,
  QUEUED
}

// A scan running on a tablet server.
struct ActiveScan {
  1: string client,
  2: string user,
  3: string table,
  4: i64 age,
  5: i64 idleTime,
  6: ScanType type,
  7: ScanState state,
  8: KeyExtent extent,
  9: list<Column> columns,
  10: list<IteratorSetting> iterators,
  11: list<binary> authorizations
}

// Kinds of compaction.
enum CompactionType {
  MINOR,
  MERGE,
  MAJOR,
  FULL
}

// Why a compaction runs.
enum CompactionReason {
  USER,
  SYSTEM,
  CHOP,
  IDLE,
  CLOSE
}

// A compaction running on a tablet server.
struct ActiveCompaction {
  1: KeyExtent extent,
  2: i64 age,
  3: list<string> inputFiles,
  4: string outputFile,
  5: CompactionType type,
  6: CompactionReason reason,
  7: string localityGroup,
  8: i64 entriesRead,
  9: i64 entriesWritten,
  10: list<IteratorSetting> iterators
}

// ---------------------------------------------------------------- exceptions
// Each carries one message.

// A scanner id the server does not know (never issued, closed or expired).
exception UnknownScanner {
  1: string msg
}

// A writer id the server does not know.
exception UnknownWriter {
  1: string msg
}

// nextEntry or nextK on a scanner that has nothing left.
exception NoMoreEntriesException {
  1: string msg
}

// Any other server-side failure.
exception AccumuloException {
  1: string msg
}

// Bad credentials, missing permission, or authorizations the user lacks.
exception AccumuloSecurityException {
  1: string msg
}

// No table of that name.
exception TableNotFoundException {
  1: string msg
}

// A table of that name exists already.
exception TableExistsException {
  1: string msg
}

// Mutations the server refused (bad visibility, constraint, permission).
exception MutationsRejectedException {
  1: string msg
}

// A namespace of that name exists already.
exception NamespaceExistsException {
  1: string msg
}

// No namespace of that name.
exception NamespaceNotFoundException {
  1: string msg
}

// A namespace that still holds tables.
exception NamespaceNotEmptyException {
  1: string msg
}

// ------------------------------------------------------------------- service
// Every call but login and the utilities takes the token login returned as
// its first argument. The names of the declared exceptions (ouch1, ...) are
// only names; their ids are what travels.

service AccumuloProxy {

  // --- logging in: loginProperties holds {"password": ...}
  binary login(1: string principal, 2: map<string, string> loginProperties)
    throws (1: AccumuloSecurityException ouch2)

  // --- table operations
  i32 addConstraint(1: binary login, 2: string tableName, 3: string constraintClassName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void addSplits(1: binary login, 2: string tableName, 3: set<binary> splits)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  // (exception ids 1 and 2 are the other way round from most calls)
  void attachIterator(1: binary login, 2: string tableName, 3: IteratorSetting setting, 4: set<IteratorScope> scopes)
    throws (1: AccumuloSecurityException ouch1, 2: AccumuloException ouch2, 3: TableNotFoundException ouch3)

  void checkIteratorConflicts(1: binary login, 2: string tableName, 3: IteratorSetting setting, 4: set<IteratorScope> scopes)
    throws (1: AccumuloSecurityException ouch1, 2: AccumuloException ouch2, 3: TableNotFoundException ouch3)

  void clearLocatorCache(1: binary login, 2: string tableName)
    throws (1: TableNotFoundException ouch1)

  void cloneTable(1: binary login, 2: string tableName, 3: string newTableName, 4: bool flush,
                  5: map<string, string> propertiesToSet, 6: set<string> propertiesToExclude)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3,
            4: TableExistsException ouch4)

  void compactTable(1: binary login, 2: string tableName, 3: binary startRow, 4: binary endRow,
                    5: list<IteratorSetting> iterators, 6: bool flush, 7: bool wait,
                    8: CompactionStrategyConfig compactionStrategy)
    throws (1: AccumuloSecurityException ouch1, 2: TableNotFoundException ouch2, 3: AccumuloException ouch3)

  void cancelCompaction(1: binary login, 2: string tableName)
    throws (1: AccumuloSecurityException ouch1, 2: TableNotFoundException ouch2, 3: AccumuloException ouch3)

  void createTable(1: binary login, 2: string tableName, 3: bool versioningIter, 4: TimeType type)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableExistsException ouch3)

  void deleteTable(1: binary login, 2: string tableName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void deleteRows(1: binary login, 2: string tableName, 3: binary startRow, 4: binary endRow)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void exportTable(1: binary login, 2: string tableName, 3: string exportDir)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void flushTable(1: binary login, 2: string tableName, 3: binary startRow, 4: binary endRow, 5: bool wait)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  list<DiskUsage> getDiskUsage(1: binary login, 2: set<string> tables)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  map<string, set<string>> getLocalityGroups(1: binary login, 2: string tableName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  IteratorSetting getIteratorSetting(1: binary login, 2: string tableName, 3: string iteratorName, 4: IteratorScope scope)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  binary getMaxRow(1: binary login, 2: string tableName, 3: set<binary> auths, 4: binary startRow,
                   5: bool startInclusive, 6: binary endRow, 7: bool endInclusive)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  map<string, string> getTableProperties(1: binary login, 2: string tableName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  // (here the exception names do not follow their ids)
  void importDirectory(1: binary login, 2: string tableName, 3: string importDir, 4: string failureDir, 5: bool setTime)
    throws (1: TableNotFoundException ouch1, 2: AccumuloException ouch3, 3: AccumuloSecurityException ouch4)

  void importTable(1: binary login, 2: string tableName, 3: string importDir)
    throws (1: TableExistsException ouch1, 2: AccumuloException ouch2, 3: AccumuloSecurityException ouch3)

  list<binary> listSplits(1: binary login, 2: string tableName, 3: i32 maxSplits)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  set<string> listTables(1: binary login)

  map<string, set<IteratorScope>> listIterators(1: binary login, 2: string tableName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  map<string, i32> listConstraints(1: binary login, 2: string tableName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void mergeTablets(1: binary login, 2: string tableName, 3: binary startRow, 4: binary endRow)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void offlineTable(1: binary login, 2: string tableName, 3: bool wait = false)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void onlineTable(1: binary login, 2: string tableName, 3: bool wait = false)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void removeConstraint(1: binary login, 2: string tableName, 3: i32 constraint)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void removeIterator(1: binary login, 2: string tableName, 3: string iterName, 4: set<IteratorScope> scopes)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void removeTableProperty(1: binary login, 2: string tableName, 3: string property)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void renameTable(1: binary login, 2: string oldTableName, 3: string newTableName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3,
            4: TableExistsException ouch4)

  void setLocalityGroups(1: binary login, 2: string tableName, 3: map<string, set<string>> groups)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void setTableProperty(1: binary login, 2: string tableName, 3: string property, 4: string value)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  set<Range> splitRangeByTablets(1: binary login, 2: string tableName, 3: Range range, 4: i32 maxSplits)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  bool tableExists(1: binary login, 2: string tableName)

  map<string, string> tableIdMap(1: binary login)

  bool testTableClassLoad(1: binary login, 2: string tableName, 3: string className, 4: string asTypeName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  // --- instance operations
  void pingTabletServer(1: binary login, 2: string tserver)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  list<ActiveScan> getActiveScans(1: binary login, 2: string tserver)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  list<ActiveCompaction> getActiveCompactions(1: binary login, 2: string tserver)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  map<string, string> getSiteConfiguration(1: binary login)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  map<string, string> getSystemConfiguration(1: binary login)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  list<string> getTabletServers(1: binary login)

  void removeProperty(1: binary login, 2: string property)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void setProperty(1: binary login, 2: string property, 3: string value)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  bool testClassLoad(1: binary login, 2: string className, 3: string asTypeName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  // --- security operations
  bool authenticateUser(1: binary login, 2: string user, 3: map<string, string> properties)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void changeUserAuthorizations(1: binary login, 2: string user, 3: set<binary> authorizations)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void changeLocalUserPassword(1: binary login, 2: string user, 3: binary password)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void createLocalUser(1: binary login, 2: string user, 3: binary password)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void dropLocalUser(1: binary login, 2: string user)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  list<binary> getUserAuthorizations(1: binary login, 2: string user)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void grantSystemPermission(1: binary login, 2: string user, 3: SystemPermission perm)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void grantTablePermission(1: binary login, 2: string user, 3: string table, 4: TablePermission perm)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  bool hasSystemPermission(1: binary login, 2: string user, 3: SystemPermission perm)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  bool hasTablePermission(1: binary login, 2: string user, 3: string table, 4: TablePermission perm)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  set<string> listLocalUsers(1: binary login)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void revokeSystemPermission(1: binary login, 2: string user, 3: SystemPermission perm)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void revokeTablePermission(1: binary login, 2: string user, 3: string table, 4: TablePermission perm)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  void grantNamespacePermission(1: binary login, 2: string user, 3: string namespaceName, 4: NamespacePermission perm)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  bool hasNamespacePermission(1: binary login, 2: string user, 3: string namespaceName, 4: NamespacePermission perm)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void revokeNamespacePermission(1: binary login, 2: string user, 3: string namespaceName, 4: NamespacePermission perm)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  // --- scanning: create, then read by id, then close
  string createBatchScanner(1: binary login, 2: string tableName, 3: BatchScanOptions options)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  string createScanner(1: binary login, 2: string tableName, 3: ScanOptions options)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  bool hasNext(1: string scanner)
    throws (1: UnknownScanner ouch1)

  KeyValueAndPeek nextEntry(1: string scanner)
    throws (1: NoMoreEntriesException ouch1, 2: UnknownScanner ouch2, 3: AccumuloSecurityException ouch3)

  ScanResult nextK(1: string scanner, 2: i32 k)
    throws (1: NoMoreEntriesException ouch1, 2: UnknownScanner ouch2, 3: AccumuloSecurityException ouch3)

  void closeScanner(1: string scanner)
    throws (1: UnknownScanner ouch1)

  // --- writing: updateAndFlush at once, or a writer fed by the one-way
  // update whose failures surface at flush and closeWriter
  void updateAndFlush(1: binary login, 2: string tableName, 3: map<binary, list<ColumnUpdate>> cells)
    throws (1: AccumuloException outch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3,
            4: MutationsRejectedException ouch4)

  string createWriter(1: binary login, 2: string tableName, 3: WriterOptions opts)
    throws (1: AccumuloException outch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  oneway void update(1: string writer, 2: map<binary, list<ColumnUpdate>> cells)

  void flush(1: string writer)
    throws (1: UnknownWriter ouch1, 2: MutationsRejectedException ouch2)

  void closeWriter(1: string writer)
    throws (1: UnknownWriter ouch1, 2: MutationsRejectedException ouch2)

  // --- conditional writing: one row, or a writer for many
  ConditionalStatus updateRowConditionally(1: binary login, 2: string tableName, 3: binary row, 4: ConditionalUpdates updates)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  string createConditionalWriter(1: binary login, 2: string tableName, 3: ConditionalWriterOptions options)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: TableNotFoundException ouch3)

  map<binary, ConditionalStatus> updateRowsConditionally(1: string conditionalWriter, 2: map<binary, ConditionalUpdates> updates)
    throws (1: UnknownWriter ouch1, 2: AccumuloException ouch2, 3: AccumuloSecurityException ouch3)

  void closeConditionalWriter(1: string conditionalWriter)

  // --- utilities: no login, computed by the proxy
  Range getRowRange(1: binary row)

  Key getFollowing(1: Key key, 2: PartialKey part)

  // --- namespaces
  string systemNamespace()

  string defaultNamespace()

  list<string> listNamespaces(1: binary login)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  bool namespaceExists(1: binary login, 2: string namespaceName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void createNamespace(1: binary login, 2: string namespaceName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceExistsException ouch3)

  void deleteNamespace(1: binary login, 2: string namespaceName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3,
            4: NamespaceNotEmptyException ouch4)

  void renameNamespace(1: binary login, 2: string oldNamespaceName, 3: string newNamespaceName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3,
            4: NamespaceExistsException ouch4)

  void setNamespaceProperty(1: binary login, 2: string namespaceName, 3: string property, 4: string value)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  void removeNamespaceProperty(1: binary login, 2: string namespaceName, 3: string property)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  map<string, string> getNamespaceProperties(1: binary login, 2: string namespaceName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  map<string, string> namespaceIdMap(1: binary login)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2)

  void attachNamespaceIterator(1: binary login, 2: string namespaceName, 3: IteratorSetting setting, 4: set<IteratorScope> scopes)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  void removeNamespaceIterator(1: binary login, 2: string namespaceName, 3: string name, 4: set<IteratorScope> scopes)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  IteratorSetting getNamespaceIteratorSetting(1: binary login, 2: string namespaceName, 3: string name, 4: IteratorScope scope)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  map<string, set<IteratorScope>> listNamespaceIterators(1: binary login, 2: string namespaceName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  void checkNamespaceIteratorConflicts(1: binary login, 2: string namespaceName, 3: IteratorSetting setting, 4: set<IteratorScope> scopes)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  i32 addNamespaceConstraint(1: binary login, 2: string namespaceName, 3: string constraintClassName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  void removeNamespaceConstraint(1: binary login, 2: string namespaceName, 3: i32 id)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  map<string, i32> listNamespaceConstraints(1: binary login, 2: string namespaceName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)

  bool testNamespaceClassLoad(1: binary login, 2: string namespaceName, 3: string className, 4: string asTypeName)
    throws (1: AccumuloException ouch1, 2: AccumuloSecurityException ouch2, 3: NamespaceNotFoundException ouch3)
}
