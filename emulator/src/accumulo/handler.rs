//! The AccumuloProxy calls, answered from the [`Catalog`] under one lock.
//!
//! Every call with a login token authenticates it first (the token carries
//! the principal and password, as the proxy's does, so a changed password
//! invalidates old tokens), then checks the permission Accumulo checks, then
//! acts. Failures carry the message the Java proxy would put in the
//! exception.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use hbase_orm_idl::accumulo::{
    AccumuloProxySyncHandler, ActiveCompaction, ActiveScan, BatchScanOptions, ColumnUpdate,
    CompactionStrategyConfig, ConditionalStatus, ConditionalUpdates, ConditionalWriterOptions,
    DiskUsage, IteratorScope, IteratorSetting, Key as WireKey, KeyValue, KeyValueAndPeek,
    NamespacePermission, PartialKey, Range as WireRange, ScanOptions, ScanResult, SystemPermission,
    TablePermission, TimeType, WriterOptions,
};
use hbase_orm_idl::thrift;

use super::catalog::{self, Catalog, ROOT, SCOPES};
use super::errors::{self, Code, Failure, Outcome};
use super::iterators::{self, IteratorSpec, Stack, KNOWN_CLASSES};
use super::key::{self, Key, Range};
use super::scan::{Scanner, View};
use super::write::{self, Condition, Mutation};
use crate::store::now_ms;

/// The instance id tokens carry.
const INSTANCE: &str = "hbase-orm-emulator";

/// A batch writer: its table and user, and the first rejection kept for
/// `flush` and `closeWriter`.
#[derive(Debug)]
struct Writer {
    table: String,
    user: String,
    rejected: Option<String>,
    last_used: Instant,
}

/// A conditional writer.
#[derive(Debug)]
struct ConditionalWriter {
    table: String,
    user: String,
    authorizations: BTreeSet<Vec<u8>>,
    last_used: Instant,
}

#[derive(Debug)]
struct State {
    catalog: Catalog,
    scanners: HashMap<String, Scanner>,
    writers: HashMap<String, Writer>,
    conditional: HashMap<String, ConditionalWriter>,
}

/// The handler behind the generated processor; clones share the state.
#[derive(Debug, Clone)]
pub(crate) struct AccumuloHandler {
    state: Arc<Mutex<State>>,
    idle: Duration,
    ids: Arc<AtomicU64>,
    random: RandomState,
}

impl AccumuloHandler {
    /// An instance whose `root` has `root_password`; scanners and writers
    /// idle for `idle` are dropped.
    pub(crate) fn new(root_password: &[u8], idle: Duration) -> Self {
        AccumuloHandler {
            state: Arc::new(Mutex::new(State {
                catalog: Catalog::new(root_password),
                scanners: HashMap::new(),
                writers: HashMap::new(),
                conditional: HashMap::new(),
            })),
            idle,
            ids: Arc::new(AtomicU64::new(1)),
            random: RandomState::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many scanners are open.
    pub(crate) fn open_scanners(&self) -> usize {
        self.lock().scanners.len()
    }

    /// Drops scanners and writers idle for too long (a dropped writer's
    /// kept rejection is logged, as the proxy logs it).
    pub(crate) fn reap_expired(&self) {
        let idle = self.idle;
        let mut state = self.lock();
        state.scanners.retain(|_, s| s.last_used.elapsed() < idle);
        state.writers.retain(|id, w| {
            let keep = w.last_used.elapsed() < idle;
            if !keep {
                if let Some(rejected) = &w.rejected {
                    tracing::warn!(writer = %id, "dropping an idle writer with rejected mutations: {rejected}");
                }
            }
            keep
        });
        state
            .conditional
            .retain(|_, w| w.last_used.elapsed() < idle);
    }

    /// A fresh id in the form of a random UUID.
    fn new_id(&self) -> String {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        let a = self.random.hash_one(n);
        let b = self.random.hash_one(a ^ n.rotate_left(17));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// Runs `f` for the user the token names.
    fn as_user<T>(
        &self,
        login: &[u8],
        f: impl FnOnce(&mut State, &str) -> Outcome<T>,
    ) -> thrift::Result<T> {
        let mut state = self.lock();
        let result = authenticate(&state.catalog, login).and_then(|user| f(&mut state, &user));
        result.map_err(Failure::into_thrift)
    }
}

/// The token of `user` with `password`.
fn token(user: &str, password: &[u8]) -> Vec<u8> {
    format!("{INSTANCE},{}:{}", hex(user.as_bytes()), hex(password)).into_bytes()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The user a token names, when its password is still the user's.
fn authenticate(catalog: &Catalog, login: &[u8]) -> Outcome<String> {
    let text = String::from_utf8_lossy(login);
    let Some((instance, creds)) = text.split_once(',') else {
        return Err(Failure::Accumulo(
            "java.lang.ArrayIndexOutOfBoundsException: 1".to_owned(),
        ));
    };
    if instance != INSTANCE {
        return Err(Failure::Security(format!(
            "org.apache.accumulo.core.client.AccumuloSecurityException: Error INVALID_INSTANCEID for user {instance} - The instance ID is invalid"
        )));
    }
    let parsed = creds
        .split_once(':')
        .and_then(|(u, p)| Some((String::from_utf8(unhex(u)?).ok()?, unhex(p)?)));
    let Some((user, password)) = parsed else {
        return Err(Failure::Accumulo(
            "java.lang.IllegalArgumentException: the login token is not one this proxy issued"
                .to_owned(),
        ));
    };
    match catalog.users.get(&user) {
        Some(u) if u.password == password => Ok(user),
        _ => Err(errors::security(Code::BadCredentials, &user)),
    }
}

/// An iterator setting from the wire.
pub(crate) fn iterator_spec(s: IteratorSetting) -> IteratorSpec {
    IteratorSpec {
        priority: s.priority.unwrap_or_default(),
        name: s.name.unwrap_or_default(),
        class: s.iterator_class.unwrap_or_default(),
        options: s.properties.unwrap_or_default(),
    }
}

fn scope_name(scope: IteratorScope) -> Outcome<&'static str> {
    match scope {
        IteratorScope::MINC => Ok("minc"),
        IteratorScope::MAJC => Ok("majc"),
        IteratorScope::SCAN => Ok("scan"),
        other => Err(Failure::Internal(format!(
            "unknown iterator scope {}",
            other.0
        ))),
    }
}

fn scope_of(name: &str) -> IteratorScope {
    match name {
        "minc" => IteratorScope::MINC,
        "majc" => IteratorScope::MAJC,
        _ => IteratorScope::SCAN,
    }
}

/// Checks a scanner or writer id as Java's `UUID.fromString` does.
fn check_uuid(id: &str) -> Result<(), String> {
    let parts: Vec<&str> = id.split('-').collect();
    let ok = parts.len() == 5
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 16 && p.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(format!("Invalid UUID string: {id}"))
    }
}

fn bad_visibility(e: &visibility_error::Error) -> Failure {
    Failure::Accumulo(e.to_string())
}

mod visibility_error {
    pub(crate) type Error = super::super::visibility::BadExpression;
}

/// Mutations from the wire.
fn mutations(cells: BTreeMap<Vec<u8>, Vec<ColumnUpdate>>) -> Outcome<Vec<Mutation>> {
    cells
        .into_iter()
        .map(|(row, updates)| {
            let m = Mutation::from_wire(row, updates).map_err(|e| bad_visibility(&e))?;
            if m.is_empty() {
                return Err(errors::illegal_argument("Can not add empty mutations"));
            }
            Ok(m)
        })
        .collect()
}

/// Applies mutations for `user`, or says why the server rejects them (the
/// MutationsRejectedException message).
fn write_checked(
    state: &mut State,
    user: &str,
    table: &str,
    mutations: Vec<Mutation>,
) -> Result<(), Failure> {
    let catalog = &state.catalog;
    let t = catalog.table(table)?;
    let denied = t.system || !catalog.has_table(user, &t.id, TablePermission::WRITE);
    if denied {
        return Err(Failure::MutationsRejected(rejected(
            0,
            &format!("{{{table}(ID:{})=[PERMISSION_DENIED]}}", t.id),
        )));
    }
    if t.checks_visibility() {
        let auths = &catalog.user(user)?.authorizations;
        let violations = mutations.iter().filter(|m| !m.visible_to(auths)).count();
        if violations > 0 {
            return Err(Failure::MutationsRejected(rejected(violations, "{}")));
        }
    }
    write::apply(&mut state.catalog, table, mutations, now_ms());
    Ok(())
}

/// The message of a MutationsRejectedException.
fn rejected(violations: usize, security: &str) -> String {
    format!(
        "org.apache.accumulo.core.client.MutationsRejectedException: # constraint violations : {violations}  security codes: {security}  # server errors 0 # exceptions 0"
    )
}

/// Fails unless `user` may read with `authorizations`.
fn check_authorizations(
    catalog: &Catalog,
    user: &str,
    table: &str,
    authorizations: &BTreeSet<Vec<u8>>,
) -> Result<(), String> {
    let has = &catalog
        .user(user)
        .map_err(|_| String::new())?
        .authorizations;
    if authorizations.is_subset(has) {
        Ok(())
    } else {
        let id = catalog
            .tables
            .get(table)
            .map(|t| t.id.clone())
            .unwrap_or_default();
        Err(format!(
            "java.lang.RuntimeException: {}",
            errors::security_message(Code::BadAuthorizations, user, Some((table, &id)))
        ))
    }
}

/// What a scan of `table` by `user` sees, or why reading it fails.
fn view(
    catalog: &Catalog,
    user: &str,
    table: &str,
    authorizations: Option<BTreeSet<Vec<u8>>>,
    columns: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    scan_iterators: &[IteratorSpec],
) -> Outcome<Result<View, String>> {
    let t = catalog.table(table)?;
    let authorizations = match authorizations {
        Some(a) => a,
        None => catalog.user(user)?.authorizations.clone(),
    };
    let checked = (|| {
        if !catalog.has_table(user, &t.id, TablePermission::READ) {
            return Err(format!(
                "java.lang.RuntimeException: {}",
                errors::security_message(Code::PermissionDenied, user, Some((table, &t.id)))
            ));
        }
        check_authorizations(catalog, user, table, &authorizations)?;
        let specs = iterators::combine(t.iterators("scan"), scan_iterators);
        let stack = Stack::build(&specs, now_ms()).map_err(|e| {
            format!(
                "java.lang.RuntimeException: org.apache.accumulo.core.client.impl.AccumuloServerException: Error on server emulator: {e}"
            )
        })?;
        Ok(View {
            columns,
            authorizations,
            stack,
        })
    })();
    Ok(checked)
}

fn columns_of(
    columns: Option<Vec<hbase_orm_idl::accumulo::ScanColumn>>,
) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    columns
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.col_family.unwrap_or_default(), c.col_qualifier))
        .collect()
}

fn range_of(r: WireRange) -> Outcome<Range> {
    Range::new(
        r.start.map(Key::from_wire),
        r.start_inclusive.unwrap_or(false),
        r.stop.map(Key::from_wire),
        r.stop_inclusive.unwrap_or(false),
    )
    .map_err(Failure::Accumulo)
}

/// Table ids of every table and system table.
fn table_ids(catalog: &Catalog) -> BTreeMap<String, String> {
    catalog
        .tables
        .iter()
        .map(|(name, t)| (name.clone(), t.id.clone()))
        .collect()
}

fn require_alter(catalog: &Catalog, user: &str, table: &str) -> Outcome<()> {
    catalog
        .require_table(
            user,
            table,
            TablePermission::ALTER_TABLE,
            Some(SystemPermission::ALTER_TABLE),
        )
        .map(|_| ())
}

/// The compaction strategy a table uses unless told otherwise.
const DEFAULT_COMPACTION_STRATEGY: &str =
    "org.apache.accumulo.tserver.compaction.DefaultCompactionStrategy";

/// Refuses a start row at or after the end row, as flush and compact do.
/// (Empty rows stand for open ends: the reader cannot tell an empty row
/// sent from a row left out.)
fn check_row_span(start: &[u8], end: &[u8]) -> Outcome<()> {
    if !start.is_empty() && !end.is_empty() && start >= end {
        return Err(errors::illegal_argument(&format!(
            "Start row must be less than end row : {} >= {}",
            String::from_utf8_lossy(start),
            String::from_utf8_lossy(end)
        )));
    }
    Ok(())
}

fn not_supported(what: &str) -> Failure {
    Failure::Accumulo(format!(
        "java.lang.UnsupportedOperationException: {what} is not supported by the emulator"
    ))
}

impl AccumuloProxySyncHandler for AccumuloHandler {
    fn handle_login(
        &self,
        principal: String,
        login_properties: BTreeMap<String, String>,
    ) -> thrift::Result<Vec<u8>> {
        let state = self.lock();
        let password = login_properties
            .get("password")
            .map(|p| p.as_bytes().to_vec());
        let Some(password) = password else {
            // The token cannot be made: the proxy fails with a bare
            // TException.
            return Err(Failure::Internal(
                "java.lang.IllegalArgumentException: the login properties have no password"
                    .to_owned(),
            )
            .into_thrift());
        };
        match state.catalog.users.get(&principal) {
            Some(u) if u.password == password => Ok(token(&principal, &password)),
            _ => Err(errors::security(Code::BadCredentials, &principal).into_thrift()),
        }
    }

    fn handle_add_constraint(
        &self,
        login: Vec<u8>,
        table_name: String,
        constraint_class_name: String,
    ) -> thrift::Result<i32> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            let t = s.catalog.table_mut(&table_name)?;
            let mut n = 1;
            while t.properties.contains_key(&format!("table.constraint.{n}")) {
                n += 1;
            }
            t.properties
                .insert(format!("table.constraint.{n}"), constraint_class_name);
            Ok(n)
        })
    }

    fn handle_add_splits(
        &self,
        login: Vec<u8>,
        table_name: String,
        splits: BTreeSet<Vec<u8>>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            s.catalog.table_mut(&table_name)?.splits.extend(splits);
            Ok(())
        })
    }

    fn handle_attach_iterator(
        &self,
        login: Vec<u8>,
        table_name: String,
        setting: IteratorSetting,
        scopes: BTreeSet<IteratorScope>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            let spec = iterator_spec(setting);
            conflicts(&s.catalog.table(&table_name)?.properties, &spec, &scopes)?;
            let t = s.catalog.table_mut(&table_name)?;
            for scope in scopes {
                t.properties
                    .extend(iterators::to_properties(&spec, scope_name(scope)?));
            }
            Ok(())
        })
    }

    fn handle_check_iterator_conflicts(
        &self,
        login: Vec<u8>,
        table_name: String,
        setting: IteratorSetting,
        scopes: BTreeSet<IteratorScope>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, _| {
            conflicts(
                &s.catalog.table(&table_name)?.properties,
                &iterator_spec(setting),
                &scopes,
            )
        })
    }

    fn handle_clear_locator_cache(&self, login: Vec<u8>, table_name: String) -> thrift::Result<()> {
        self.as_user(&login, |s, _| s.catalog.table(&table_name).map(|_| ()))
    }

    fn handle_clone_table(
        &self,
        login: Vec<u8>,
        table_name: String,
        new_table_name: String,
        _flush: bool,
        properties_to_set: BTreeMap<String, String>,
        properties_to_exclude: BTreeSet<String>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog
                .require_system(user, SystemPermission::CREATE_TABLE)?;
            catalog::check_table_name(&new_table_name)?;
            let source = s
                .catalog
                .require_table(user, &table_name, TablePermission::READ, None)?
                .clone();
            if s.catalog.tables.contains_key(&new_table_name) {
                return Err(errors::table_exists(&new_table_name));
            }
            let mut copy = source;
            copy.id = s.catalog.new_table_id();
            copy.system = false;
            for p in &properties_to_exclude {
                copy.properties.remove(p);
            }
            copy.properties.extend(properties_to_set);
            s.catalog.grant_all(user, &copy.id);
            s.catalog.tables.insert(new_table_name, copy);
            Ok(())
        })
    }

    fn handle_compact_table(
        &self,
        login: Vec<u8>,
        table_name: String,
        start_row: Vec<u8>,
        end_row: Vec<u8>,
        iterators: Vec<IteratorSetting>,
        _flush: bool,
        _wait: bool,
        compaction_strategy: CompactionStrategyConfig,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            check_row_span(&start_row, &end_row)?;
            s.catalog.table(&table_name)?;
            // The stored entries are what a compaction would leave for a
            // scan; the iterators and the strategy are checked.
            for it in iterators {
                let class = it.iterator_class.unwrap_or_default();
                if !KNOWN_CLASSES.contains(&class.as_str()) {
                    return Err(Failure::Accumulo(format!(
                        "org.apache.accumulo.core.client.AccumuloException: TabletServer could not load iterator class {class}"
                    )));
                }
            }
            let strategy = compaction_strategy.class_name.unwrap_or_default();
            if !strategy.is_empty() && strategy != DEFAULT_COMPACTION_STRATEGY {
                return Err(Failure::Accumulo(format!(
                    "org.apache.accumulo.core.client.AccumuloException: TabletServer could not load CompactionStrategy class {strategy}"
                )));
            }
            s.catalog.require_table(
                user,
                &table_name,
                TablePermission::ALTER_TABLE,
                Some(SystemPermission::ALTER_TABLE),
            )?;
            Ok(())
        })
    }

    fn handle_cancel_compaction(&self, login: Vec<u8>, table_name: String) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)
        })
    }

    fn handle_create_table(
        &self,
        login: Vec<u8>,
        table_name: String,
        versioning_iter: bool,
        type_: TimeType,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog
                .require_system(user, SystemPermission::CREATE_TABLE)?;
            s.catalog.create_table(
                user,
                &table_name,
                versioning_iter,
                type_ == TimeType::LOGICAL,
            )
        })
    }

    fn handle_delete_table(&self, login: Vec<u8>, table_name: String) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            let t = s.catalog.table(&table_name)?;
            if t.system {
                return Err(errors::security(Code::PermissionDenied, user));
            }
            s.catalog.require_table(
                user,
                &table_name,
                TablePermission::DROP_TABLE,
                Some(SystemPermission::DROP_TABLE),
            )?;
            s.catalog.delete_table(&table_name)
        })
    }

    fn handle_delete_rows(
        &self,
        login: Vec<u8>,
        table_name: String,
        start_row: Vec<u8>,
        end_row: Vec<u8>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog
                .require_table(user, &table_name, TablePermission::WRITE, None)?;
            let t = s.catalog.table_mut(&table_name)?;
            // Rows after start_row up to and including end_row; empty means
            // open.
            t.entries.retain(|k, _| {
                let after_start = start_row.is_empty() || k.key.row > start_row;
                let before_end = end_row.is_empty() || k.key.row <= end_row;
                !(after_start && before_end)
            });
            Ok(())
        })
    }

    fn handle_export_table(
        &self,
        login: Vec<u8>,
        table_name: String,
        _export_dir: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, _| {
            s.catalog.table(&table_name)?;
            Err(not_supported("exportTable"))
        })
    }

    fn handle_flush_table(
        &self,
        login: Vec<u8>,
        table_name: String,
        start_row: Vec<u8>,
        end_row: Vec<u8>,
        _wait: bool,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            check_row_span(&start_row, &end_row)?;
            s.catalog.require_table(
                user,
                &table_name,
                TablePermission::WRITE,
                Some(SystemPermission::ALTER_TABLE),
            )?;
            Ok(())
        })
    }

    fn handle_get_disk_usage(
        &self,
        login: Vec<u8>,
        tables: BTreeSet<String>,
    ) -> thrift::Result<Vec<DiskUsage>> {
        self.as_user(&login, |s, _| {
            let mut out = Vec::new();
            for name in tables {
                let t = s.catalog.table(&name)?;
                let usage: usize = t
                    .entries
                    .iter()
                    .map(|(k, v)| {
                        k.key.row.len()
                            + k.key.family.len()
                            + k.key.qualifier.len()
                            + k.key.visibility.len()
                            + 8
                            + v.len()
                    })
                    .sum();
                out.push(DiskUsage {
                    tables: Some(vec![name]),
                    usage: Some(i64::try_from(usage).unwrap_or(i64::MAX)),
                });
            }
            Ok(out)
        })
    }

    fn handle_get_locality_groups(
        &self,
        login: Vec<u8>,
        table_name: String,
    ) -> thrift::Result<BTreeMap<String, BTreeSet<String>>> {
        self.as_user(&login, |s, _| {
            let t = s.catalog.table(&table_name)?;
            let mut groups = BTreeMap::new();
            for (k, v) in &t.properties {
                if let Some(group) = k.strip_prefix("table.group.") {
                    groups.insert(
                        group.to_owned(),
                        v.split(',')
                            .filter(|f| !f.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    );
                }
            }
            Ok(groups)
        })
    }

    fn handle_get_iterator_setting(
        &self,
        login: Vec<u8>,
        table_name: String,
        iterator_name: String,
        scope: IteratorScope,
    ) -> thrift::Result<IteratorSetting> {
        self.as_user(&login, |s, _| {
            let t = s.catalog.table(&table_name)?;
            let scope = scope_name(scope)?;
            t.iterators(scope)
                .into_iter()
                .find(|i| i.name == iterator_name)
                .map(|i| IteratorSetting {
                    priority: Some(i.priority),
                    name: Some(i.name),
                    iterator_class: Some(i.class),
                    properties: Some(i.options),
                })
                .ok_or_else(|| Failure::Accumulo(format!("java.lang.NullPointerException: no iterator {iterator_name} at scope {scope}")))
        })
    }

    fn handle_get_max_row(
        &self,
        login: Vec<u8>,
        table_name: String,
        auths: BTreeSet<Vec<u8>>,
        start_row: Vec<u8>,
        start_inclusive: bool,
        end_row: Vec<u8>,
        end_inclusive: bool,
    ) -> thrift::Result<Vec<u8>> {
        self.as_user(&login, |s, user| {
            let view = view(&s.catalog, user, &table_name, Some(auths), Vec::new(), &[])?
                .map_err(Failure::Security)?;
            let t = s.catalog.table(&table_name)?;
            let rows: BTreeSet<Vec<u8>> = t.entries.keys().map(|k| k.key.row.clone()).collect();
            let mut best = None;
            for row in rows.into_iter().rev() {
                let above = !start_row.is_empty()
                    && (if start_inclusive {
                        row < start_row
                    } else {
                        row <= start_row
                    });
                let below = !end_row.is_empty()
                    && (if end_inclusive {
                        row > end_row
                    } else {
                        row >= end_row
                    });
                if above || below {
                    continue;
                }
                let seen = super::scan::read_row(t, &row, &Range::all(), &view)
                    .map_err(Failure::Accumulo)?;
                if !seen.is_empty() {
                    best = Some(row);
                    break;
                }
            }
            // No row: the proxy returns null, which the client sees as a
            // missing result.
            best.ok_or_else(|| Failure::Missing("getMaxRow failed: unknown result".to_owned()))
        })
    }

    fn handle_get_table_properties(
        &self,
        login: Vec<u8>,
        table_name: String,
    ) -> thrift::Result<BTreeMap<String, String>> {
        self.as_user(&login, |s, _| {
            Ok(s.catalog.table(&table_name)?.properties.clone())
        })
    }

    fn handle_import_directory(
        &self,
        login: Vec<u8>,
        table_name: String,
        _import_dir: String,
        _failure_dir: String,
        _set_time: bool,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, _| {
            s.catalog.table(&table_name)?;
            Err(not_supported("importDirectory"))
        })
    }

    fn handle_import_table(
        &self,
        login: Vec<u8>,
        table_name: String,
        _import_dir: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, _| {
            if s.catalog.tables.contains_key(&table_name) {
                return Err(errors::table_exists(&table_name));
            }
            Err(not_supported("importTable"))
        })
    }

    fn handle_list_splits(
        &self,
        login: Vec<u8>,
        table_name: String,
        max_splits: i32,
    ) -> thrift::Result<Vec<Vec<u8>>> {
        self.as_user(&login, |s, _| {
            let splits: Vec<Vec<u8>> = s
                .catalog
                .table(&table_name)?
                .splits
                .iter()
                .cloned()
                .collect();
            let max = usize::try_from(max_splits).unwrap_or(0);
            if splits.len() <= max {
                return Ok(splits);
            }
            // As Accumulo picks a subset: step (max + 1) / count along the
            // splits, taking one each time the position passes 1.
            let step = (max + 1) as f64 / splits.len() as f64;
            let mut position = 0.0;
            let mut subset = Vec::new();
            for split in splits {
                position += step;
                if position > 1.0 {
                    subset.push(split);
                    position -= 1.0;
                }
            }
            Ok(subset)
        })
    }

    fn handle_list_tables(&self, login: Vec<u8>) -> thrift::Result<BTreeSet<String>> {
        self.as_user(&login, |s, _| {
            Ok(s.catalog.tables.keys().cloned().collect())
        })
    }

    fn handle_list_iterators(
        &self,
        login: Vec<u8>,
        table_name: String,
    ) -> thrift::Result<BTreeMap<String, BTreeSet<IteratorScope>>> {
        self.as_user(&login, |s, _| {
            let t = s.catalog.table(&table_name)?;
            let mut out: BTreeMap<String, BTreeSet<IteratorScope>> = BTreeMap::new();
            for scope in SCOPES {
                for spec in t.iterators(scope) {
                    out.entry(spec.name).or_default().insert(scope_of(scope));
                }
            }
            Ok(out)
        })
    }

    fn handle_list_constraints(
        &self,
        login: Vec<u8>,
        table_name: String,
    ) -> thrift::Result<BTreeMap<String, i32>> {
        self.as_user(&login, |s, _| {
            let t = s.catalog.table(&table_name)?;
            Ok(t.properties
                .iter()
                .filter_map(|(k, v)| {
                    Some((
                        v.clone(),
                        k.strip_prefix("table.constraint.")?.parse().ok()?,
                    ))
                })
                .collect())
        })
    }

    fn handle_merge_tablets(
        &self,
        login: Vec<u8>,
        table_name: String,
        start_row: Vec<u8>,
        end_row: Vec<u8>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            let t = s.catalog.table_mut(&table_name)?;
            t.splits.retain(|split| {
                let after = start_row.is_empty() || *split > start_row;
                let before = end_row.is_empty() || *split <= end_row;
                !(after && before)
            });
            Ok(())
        })
    }

    fn handle_offline_table(
        &self,
        login: Vec<u8>,
        table_name: String,
        _wait: bool,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            s.catalog.table_mut(&table_name)?.online = false;
            Ok(())
        })
    }

    fn handle_online_table(
        &self,
        login: Vec<u8>,
        table_name: String,
        _wait: bool,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            s.catalog.table_mut(&table_name)?.online = true;
            Ok(())
        })
    }

    fn handle_remove_constraint(
        &self,
        login: Vec<u8>,
        table_name: String,
        constraint: i32,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            s.catalog
                .table_mut(&table_name)?
                .properties
                .remove(&format!("table.constraint.{constraint}"));
            Ok(())
        })
    }

    fn handle_remove_iterator(
        &self,
        login: Vec<u8>,
        table_name: String,
        iter_name: String,
        scopes: BTreeSet<IteratorScope>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            let t = s.catalog.table_mut(&table_name)?;
            for scope in scopes {
                let base = format!("table.iterator.{}.{iter_name}", scope_name(scope)?);
                let opts = format!("{base}.opt.");
                t.properties
                    .retain(|k, _| *k != base && !k.starts_with(&opts));
            }
            Ok(())
        })
    }

    fn handle_remove_table_property(
        &self,
        login: Vec<u8>,
        table_name: String,
        property: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            s.catalog
                .table_mut(&table_name)?
                .properties
                .remove(&property);
            Ok(())
        })
    }

    fn handle_rename_table(
        &self,
        login: Vec<u8>,
        old_table_name: String,
        new_table_name: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            catalog::check_table_name(&new_table_name)?;
            s.catalog.require_table(
                user,
                &old_table_name,
                TablePermission::ALTER_TABLE,
                Some(SystemPermission::ALTER_TABLE),
            )?;
            if s.catalog.tables.contains_key(&new_table_name) {
                return Err(errors::table_exists(&new_table_name));
            }
            let t = s
                .catalog
                .tables
                .remove(&old_table_name)
                .ok_or_else(|| errors::table_not_found(&old_table_name))?;
            s.catalog.tables.insert(new_table_name, t);
            Ok(())
        })
    }

    fn handle_set_locality_groups(
        &self,
        login: Vec<u8>,
        table_name: String,
        groups: BTreeMap<String, BTreeSet<String>>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            let t = s.catalog.table_mut(&table_name)?;
            t.properties.retain(|k, _| !k.starts_with("table.group."));
            let names: Vec<String> = groups.keys().cloned().collect();
            for (group, families) in groups {
                t.properties.insert(
                    format!("table.group.{group}"),
                    families.into_iter().collect::<Vec<_>>().join(","),
                );
            }
            t.properties
                .insert("table.groups.enabled".to_owned(), names.join(","));
            Ok(())
        })
    }

    fn handle_set_table_property(
        &self,
        login: Vec<u8>,
        table_name: String,
        property: String,
        value: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            require_alter(&s.catalog, user, &table_name)?;
            if !property.starts_with("table.") {
                return Err(errors::illegal_argument(&format!(
                    "Invalid table property {property}"
                )));
            }
            s.catalog
                .table_mut(&table_name)?
                .properties
                .insert(property, value);
            Ok(())
        })
    }

    fn handle_split_range_by_tablets(
        &self,
        login: Vec<u8>,
        table_name: String,
        range: WireRange,
        _max_splits: i32,
    ) -> thrift::Result<BTreeSet<WireRange>> {
        self.as_user(&login, |s, _| {
            let t = s.catalog.table(&table_name)?;
            let range = range_of(range)?;
            // One tablet per split: cut the range at every split inside it.
            let mut out = BTreeSet::new();
            let mut start = range.start.clone();
            let mut start_inclusive = range.start_inclusive;
            for split in &t.splits {
                let cut = Key::row_start(split).following(PartialKey::ROW);
                if range.before_start(&cut) || range.after_end(&cut) {
                    continue;
                }
                out.insert(
                    Range {
                        start: start.clone(),
                        start_inclusive,
                        stop: Some(cut.clone()),
                        stop_inclusive: false,
                    }
                    .to_wire(),
                );
                start = Some(cut);
                start_inclusive = true;
            }
            out.insert(
                Range {
                    start,
                    start_inclusive,
                    stop: range.stop,
                    stop_inclusive: range.stop_inclusive,
                }
                .to_wire(),
            );
            Ok(out)
        })
    }

    fn handle_table_exists(&self, login: Vec<u8>, table_name: String) -> thrift::Result<bool> {
        self.as_user(&login, |s, _| {
            Ok(s.catalog.tables.contains_key(&table_name))
        })
    }

    fn handle_table_id_map(&self, login: Vec<u8>) -> thrift::Result<BTreeMap<String, String>> {
        self.as_user(&login, |s, _| Ok(table_ids(&s.catalog)))
    }

    fn handle_test_table_class_load(
        &self,
        login: Vec<u8>,
        table_name: String,
        class_name: String,
        _as_type_name: String,
    ) -> thrift::Result<bool> {
        self.as_user(&login, |s, _| {
            s.catalog.table(&table_name)?;
            Ok(KNOWN_CLASSES.contains(&class_name.as_str()))
        })
    }

    fn handle_ping_tablet_server(&self, login: Vec<u8>, _tserver: String) -> thrift::Result<()> {
        self.as_user(&login, |_, _| Ok(()))
    }

    fn handle_get_active_scans(
        &self,
        login: Vec<u8>,
        _tserver: String,
    ) -> thrift::Result<Vec<ActiveScan>> {
        self.as_user(&login, |_, _| Ok(Vec::new()))
    }

    fn handle_get_active_compactions(
        &self,
        login: Vec<u8>,
        _tserver: String,
    ) -> thrift::Result<Vec<ActiveCompaction>> {
        self.as_user(&login, |_, _| Ok(Vec::new()))
    }

    fn handle_get_site_configuration(
        &self,
        login: Vec<u8>,
    ) -> thrift::Result<BTreeMap<String, String>> {
        self.as_user(&login, |s, user| {
            s.catalog.require_system(user, SystemPermission::SYSTEM)?;
            Ok(BTreeMap::new())
        })
    }

    fn handle_get_system_configuration(
        &self,
        login: Vec<u8>,
    ) -> thrift::Result<BTreeMap<String, String>> {
        self.as_user(&login, |s, user| {
            s.catalog.require_system(user, SystemPermission::SYSTEM)?;
            Ok(BTreeMap::new())
        })
    }

    fn handle_get_tablet_servers(&self, login: Vec<u8>) -> thrift::Result<Vec<String>> {
        self.as_user(&login, |_, _| Ok(vec!["localhost:9997".to_owned()]))
    }

    fn handle_remove_property(&self, login: Vec<u8>, _property: String) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog.require_system(user, SystemPermission::SYSTEM)
        })
    }

    fn handle_set_property(
        &self,
        login: Vec<u8>,
        _property: String,
        _value: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog.require_system(user, SystemPermission::SYSTEM)
        })
    }

    fn handle_test_class_load(
        &self,
        login: Vec<u8>,
        class_name: String,
        _as_type_name: String,
    ) -> thrift::Result<bool> {
        self.as_user(&login, |_, _| {
            Ok(KNOWN_CLASSES.contains(&class_name.as_str()))
        })
    }

    fn handle_authenticate_user(
        &self,
        login: Vec<u8>,
        user: String,
        properties: BTreeMap<String, String>,
    ) -> thrift::Result<bool> {
        self.as_user(&login, |s, _| {
            let password = properties.get("password").map(|p| p.as_bytes().to_vec());
            Ok(matches!((s.catalog.users.get(&user), password), (Some(u), Some(p)) if u.password == p))
        })
    }

    fn handle_change_user_authorizations(
        &self,
        login: Vec<u8>,
        user: String,
        authorizations: BTreeSet<Vec<u8>>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            s.catalog.require_system(me, SystemPermission::ALTER_USER)?;
            let target = s
                .catalog
                .users
                .get_mut(&user)
                .ok_or_else(|| errors::security(Code::UserDoesntExist, &user))?;
            target.authorizations = authorizations;
            Ok(())
        })
    }

    fn handle_change_local_user_password(
        &self,
        login: Vec<u8>,
        user: String,
        password: Vec<u8>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            if me != user {
                s.catalog.require_system(me, SystemPermission::ALTER_USER)?;
            }
            let target = s
                .catalog
                .users
                .get_mut(&user)
                .ok_or_else(|| errors::security(Code::UserDoesntExist, &user))?;
            target.password = password;
            Ok(())
        })
    }

    fn handle_create_local_user(
        &self,
        login: Vec<u8>,
        user: String,
        password: Vec<u8>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            s.catalog
                .require_system(me, SystemPermission::CREATE_USER)?;
            // Accumulo 1.x puts no rule on user names (a name with a space is
            // a user like any other); only an empty one cannot be stored.
            if user.is_empty() {
                return Err(Failure::Security(format!(
                    "org.apache.accumulo.core.client.AccumuloSecurityException: Error INVALID_PRINCIPAL for user {user} - the user name is empty"
                )));
            }
            if s.catalog.users.contains_key(&user) {
                return Err(errors::security(Code::UserExists, &user));
            }
            s.catalog.users.insert(
                user,
                catalog::User {
                    password,
                    ..catalog::User::default()
                },
            );
            Ok(())
        })
    }

    fn handle_drop_local_user(&self, login: Vec<u8>, user: String) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            s.catalog.require_system(me, SystemPermission::DROP_USER)?;
            if user == ROOT || user == me {
                return Err(errors::security(Code::PermissionDenied, me));
            }
            s.catalog
                .users
                .remove(&user)
                .ok_or_else(|| errors::security(Code::UserDoesntExist, &user))?;
            Ok(())
        })
    }

    fn handle_get_user_authorizations(
        &self,
        login: Vec<u8>,
        user: String,
    ) -> thrift::Result<Vec<Vec<u8>>> {
        self.as_user(&login, |s, me| {
            if me != user {
                s.catalog.require_system(me, SystemPermission::SYSTEM)?;
            }
            Ok(s.catalog
                .user(&user)?
                .authorizations
                .iter()
                .cloned()
                .collect())
        })
    }

    fn handle_grant_system_permission(
        &self,
        login: Vec<u8>,
        user: String,
        perm: SystemPermission,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            s.catalog.require_system(me, SystemPermission::GRANT)?;
            if perm == SystemPermission::SYSTEM && user != ROOT {
                return Err(errors::security(Code::GrantInvalid, me));
            }
            let target = s
                .catalog
                .users
                .get_mut(&user)
                .ok_or_else(|| errors::security(Code::UserDoesntExist, &user))?;
            target.system.insert(perm.0);
            Ok(())
        })
    }

    fn handle_grant_table_permission(
        &self,
        login: Vec<u8>,
        user: String,
        table: String,
        perm: TablePermission,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            let id = s
                .catalog
                .require_table(
                    me,
                    &table,
                    TablePermission::GRANT,
                    Some(SystemPermission::ALTER_TABLE),
                )?
                .id
                .clone();
            let target = s
                .catalog
                .users
                .get_mut(&user)
                .ok_or_else(|| errors::security(Code::UserDoesntExist, &user))?;
            target.tables.entry(id).or_default().insert(perm.0);
            Ok(())
        })
    }

    fn handle_has_system_permission(
        &self,
        login: Vec<u8>,
        user: String,
        perm: SystemPermission,
    ) -> thrift::Result<bool> {
        self.as_user(&login, |s, _| {
            s.catalog.user(&user)?;
            Ok(s.catalog.has_system(&user, perm))
        })
    }

    fn handle_has_table_permission(
        &self,
        login: Vec<u8>,
        user: String,
        table: String,
        perm: TablePermission,
    ) -> thrift::Result<bool> {
        self.as_user(&login, |s, _| {
            s.catalog.user(&user)?;
            let id = s.catalog.table(&table)?.id.clone();
            Ok(s.catalog.has_table(&user, &id, perm))
        })
    }

    fn handle_list_local_users(&self, login: Vec<u8>) -> thrift::Result<BTreeSet<String>> {
        self.as_user(&login, |s, _| Ok(s.catalog.users.keys().cloned().collect()))
    }

    fn handle_revoke_system_permission(
        &self,
        login: Vec<u8>,
        user: String,
        perm: SystemPermission,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            s.catalog.require_system(me, SystemPermission::GRANT)?;
            if user == ROOT {
                return Err(errors::security(Code::GrantInvalid, me));
            }
            let target = s
                .catalog
                .users
                .get_mut(&user)
                .ok_or_else(|| errors::security(Code::UserDoesntExist, &user))?;
            target.system.remove(&perm.0);
            Ok(())
        })
    }

    fn handle_revoke_table_permission(
        &self,
        login: Vec<u8>,
        user: String,
        table: String,
        perm: TablePermission,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            let id = s
                .catalog
                .require_table(
                    me,
                    &table,
                    TablePermission::GRANT,
                    Some(SystemPermission::ALTER_TABLE),
                )?
                .id
                .clone();
            let target = s
                .catalog
                .users
                .get_mut(&user)
                .ok_or_else(|| errors::security(Code::UserDoesntExist, &user))?;
            if let Some(set) = target.tables.get_mut(&id) {
                set.remove(&perm.0);
            }
            Ok(())
        })
    }

    fn handle_grant_namespace_permission(
        &self,
        login: Vec<u8>,
        user: String,
        namespace_name: String,
        perm: NamespacePermission,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            s.catalog
                .require_system(me, SystemPermission::ALTER_NAMESPACE)?;
            let target = s
                .catalog
                .users
                .get_mut(&user)
                .ok_or_else(|| errors::security(Code::UserDoesntExist, &user))?;
            target
                .namespaces
                .entry(namespace_name)
                .or_default()
                .insert(perm.0);
            Ok(())
        })
    }

    fn handle_has_namespace_permission(
        &self,
        login: Vec<u8>,
        user: String,
        namespace_name: String,
        perm: NamespacePermission,
    ) -> thrift::Result<bool> {
        self.as_user(&login, |s, _| {
            let u = s.catalog.user(&user)?;
            Ok(u.namespaces
                .get(&namespace_name)
                .is_some_and(|p| p.contains(&perm.0)))
        })
    }

    fn handle_revoke_namespace_permission(
        &self,
        login: Vec<u8>,
        user: String,
        namespace_name: String,
        perm: NamespacePermission,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, me| {
            s.catalog
                .require_system(me, SystemPermission::ALTER_NAMESPACE)?;
            let target = s
                .catalog
                .users
                .get_mut(&user)
                .ok_or_else(|| errors::security(Code::UserDoesntExist, &user))?;
            if let Some(set) = target.namespaces.get_mut(&namespace_name) {
                set.remove(&perm.0);
            }
            Ok(())
        })
    }

    fn handle_create_batch_scanner(
        &self,
        login: Vec<u8>,
        table_name: String,
        options: BatchScanOptions,
    ) -> thrift::Result<String> {
        let id = self.new_id();
        self.as_user(&login, |s, user| {
            let scan_iterators: Vec<IteratorSpec> = options
                .iterators
                .unwrap_or_default()
                .into_iter()
                .map(iterator_spec)
                .collect();
            let view = view(
                &s.catalog,
                user,
                &table_name,
                options.authorizations,
                columns_of(options.columns),
                &scan_iterators,
            )?;
            // The proxy reads every batch range as [start, stop).
            let ranges = match options.ranges {
                None => vec![Range::all()],
                Some(list) if list.is_empty() => {
                    return Err(errors::illegal_argument("ranges must be non empty"))
                }
                Some(list) => list
                    .into_iter()
                    .map(|r| {
                        Range::new(
                            r.start.map(Key::from_wire),
                            true,
                            r.stop.map(Key::from_wire),
                            false,
                        )
                        .map_err(Failure::Accumulo)
                    })
                    .collect::<Outcome<_>>()?,
            };
            let t = s.catalog.table(&table_name)?;
            let scanner = Scanner::new(&table_name, &t.id, key::merge(ranges), view);
            s.scanners.insert(id.clone(), scanner);
            Ok(id)
        })
    }

    fn handle_create_scanner(
        &self,
        login: Vec<u8>,
        table_name: String,
        options: ScanOptions,
    ) -> thrift::Result<String> {
        let id = self.new_id();
        self.as_user(&login, |s, user| {
            let scan_iterators: Vec<IteratorSpec> = options
                .iterators
                .unwrap_or_default()
                .into_iter()
                .map(iterator_spec)
                .collect();
            let view = view(
                &s.catalog,
                user,
                &table_name,
                options.authorizations,
                columns_of(options.columns),
                &scan_iterators,
            )?;
            let range = options
                .range
                .map(range_of)
                .transpose()?
                .unwrap_or_else(Range::all);
            let t = s.catalog.table(&table_name)?;
            let scanner = Scanner::new(&table_name, &t.id, vec![range], view);
            s.scanners.insert(id.clone(), scanner);
            Ok(id)
        })
    }

    fn handle_has_next(&self, scanner: String) -> thrift::Result<bool> {
        let mut state = self.lock();
        check_uuid(&scanner).map_err(|e| Failure::UnknownScanner(e).into_thrift())?;
        let state = &mut *state;
        let Some(sc) = state.scanners.get_mut(&scanner) else {
            return Err(Failure::UnknownScanner(
                "Scanner never existed or no longer exists".to_owned(),
            )
            .into_thrift());
        };
        let table = state.catalog.tables.get(&sc.table);
        match sc.fill(table, 1) {
            Ok(()) => Ok(sc.has_buffered()),
            Err(_) => {
                Err(Failure::Internal("Internal error processing hasNext".to_owned()).into_thrift())
            }
        }
    }

    fn handle_next_entry(&self, scanner: String) -> thrift::Result<KeyValueAndPeek> {
        let result = self.handle_next_k(scanner, 1)?;
        let more = result.more.unwrap_or(false);
        match result.results.and_then(|r| r.into_iter().next()) {
            Some(kv) => Ok(KeyValueAndPeek {
                key_value: Some(kv),
                has_next: Some(more),
            }),
            None => Err(Failure::NoMoreEntries.into_thrift()),
        }
    }

    fn handle_next_k(&self, scanner: String, k: i32) -> thrift::Result<ScanResult> {
        let mut state = self.lock();
        check_uuid(&scanner).map_err(|e| Failure::UnknownScanner(e).into_thrift())?;
        let state = &mut *state;
        let Some(sc) = state.scanners.get_mut(&scanner) else {
            return Err(Failure::UnknownScanner(
                "Scanner never existed or no longer exists".to_owned(),
            )
            .into_thrift());
        };
        let want = usize::try_from(k).unwrap_or(0);
        let table = state.catalog.tables.get(&sc.table);
        if let Err(e) = sc.fill(table, want) {
            // The proxy closes a scanner whose read failed.
            state.scanners.remove(&scanner);
            return Err(Failure::Security(e).into_thrift());
        }
        let entries = sc.take(want);
        let more = entries.len() == want;
        Ok(ScanResult {
            results: Some(
                entries
                    .into_iter()
                    .map(|(key, value)| KeyValue {
                        key: Some(key.to_wire()),
                        value: Some(value),
                    })
                    .collect(),
            ),
            more: Some(more),
        })
    }

    fn handle_close_scanner(&self, scanner: String) -> thrift::Result<()> {
        check_uuid(&scanner).map_err(|e| Failure::UnknownScanner(e).into_thrift())?;
        match self.lock().scanners.remove(&scanner) {
            Some(_) => Ok(()),
            None => Err(Failure::UnknownScanner(
                "Scanner never existed or no longer exists".to_owned(),
            )
            .into_thrift()),
        }
    }

    fn handle_update_and_flush(
        &self,
        login: Vec<u8>,
        table_name: String,
        cells: BTreeMap<Vec<u8>, Vec<ColumnUpdate>>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog.table(&table_name)?;
            let mutations = mutations(cells)?;
            write_checked(s, user, &table_name, mutations)
        })
    }

    fn handle_create_writer(
        &self,
        login: Vec<u8>,
        table_name: String,
        _opts: WriterOptions,
    ) -> thrift::Result<String> {
        let id = self.new_id();
        self.as_user(&login, |s, user| {
            s.catalog.table(&table_name)?;
            s.writers.insert(
                id.clone(),
                Writer {
                    table: table_name,
                    user: user.to_owned(),
                    rejected: None,
                    last_used: Instant::now(),
                },
            );
            Ok(id)
        })
    }

    fn handle_update(
        &self,
        writer: String,
        cells: BTreeMap<Vec<u8>, Vec<ColumnUpdate>>,
    ) -> thrift::Result<()> {
        // One-way: nothing goes back; a failure is kept for flush.
        let mut state = self.lock();
        let state = &mut *state;
        let Some(w) = state.writers.get_mut(&writer) else {
            return Ok(());
        };
        w.last_used = Instant::now();
        if w.rejected.is_some() {
            return Ok(());
        }
        let (table, user) = (w.table.clone(), w.user.clone());
        let outcome = mutations(cells).and_then(|m| {
            if state.catalog.tables.contains_key(&table) {
                write_checked(state, &user, &table, m)
            } else {
                Err(Failure::MutationsRejected(rejected(
                    0,
                    &format!("{{{table}=[TABLE_DOESNT_EXIST]}}"),
                )))
            }
        });
        if let Err(failure) = outcome {
            let message = match failure {
                Failure::MutationsRejected(m) => m,
                other => rejected(0, &format!("{{}} (the mutations were refused: {other:?})")),
            };
            if let Some(w) = state.writers.get_mut(&writer) {
                w.rejected = Some(message);
            }
        }
        Ok(())
    }

    fn handle_flush(&self, writer: String) -> thrift::Result<()> {
        check_uuid(&writer).map_err(|e| Failure::UnknownWriter(e).into_thrift())?;
        let mut state = self.lock();
        let Some(w) = state.writers.get_mut(&writer) else {
            return Err(Failure::UnknownWriter(
                "Writer never existed or no longer exists".to_owned(),
            )
            .into_thrift());
        };
        w.last_used = Instant::now();
        match &w.rejected {
            Some(m) => Err(Failure::MutationsRejected(m.clone()).into_thrift()),
            None => Ok(()),
        }
    }

    fn handle_close_writer(&self, writer: String) -> thrift::Result<()> {
        check_uuid(&writer).map_err(|e| Failure::UnknownWriter(e).into_thrift())?;
        let mut state = self.lock();
        let Some(w) = state.writers.get(&writer) else {
            return Err(Failure::UnknownWriter(
                "Writer never existed or no longer exists".to_owned(),
            )
            .into_thrift());
        };
        // As the proxy: a writer with rejections stays open after the error.
        if let Some(m) = &w.rejected {
            return Err(Failure::MutationsRejected(m.clone()).into_thrift());
        }
        state.writers.remove(&writer);
        Ok(())
    }

    fn handle_update_row_conditionally(
        &self,
        login: Vec<u8>,
        table_name: String,
        row: Vec<u8>,
        updates: ConditionalUpdates,
    ) -> thrift::Result<ConditionalStatus> {
        let id = self.handle_create_conditional_writer(
            login,
            table_name,
            ConditionalWriterOptions::default(),
        )?;
        let result = self
            .handle_update_rows_conditionally(id.clone(), BTreeMap::from([(row.clone(), updates)]));
        self.lock().conditional.remove(&id);
        Ok(result?.remove(&row).unwrap_or(ConditionalStatus::UNKNOWN))
    }

    fn handle_create_conditional_writer(
        &self,
        login: Vec<u8>,
        table_name: String,
        options: ConditionalWriterOptions,
    ) -> thrift::Result<String> {
        let id = self.new_id();
        self.as_user(&login, |s, user| {
            s.catalog.table(&table_name)?;
            s.conditional.insert(
                id.clone(),
                ConditionalWriter {
                    table: table_name,
                    user: user.to_owned(),
                    authorizations: options.authorizations.unwrap_or_default(),
                    last_used: Instant::now(),
                },
            );
            Ok(id)
        })
    }

    fn handle_update_rows_conditionally(
        &self,
        conditional_writer: String,
        updates: BTreeMap<Vec<u8>, ConditionalUpdates>,
    ) -> thrift::Result<BTreeMap<Vec<u8>, ConditionalStatus>> {
        if let Err(e) = check_uuid(&conditional_writer) {
            return Err(
                Failure::Internal(format!("java.lang.IllegalArgumentException: {e}")).into_thrift(),
            );
        }
        let mut state = self.lock();
        let state = &mut *state;
        let Some(w) = state.conditional.get_mut(&conditional_writer) else {
            return Err(Failure::UnknownWriter(String::new()).into_thrift());
        };
        w.last_used = Instant::now();
        let (table, user, auths) = (w.table.clone(), w.user.clone(), w.authorizations.clone());
        conditional(state, &table, &user, &auths, updates).map_err(Failure::into_thrift)
    }

    fn handle_close_conditional_writer(&self, conditional_writer: String) -> thrift::Result<()> {
        self.lock().conditional.remove(&conditional_writer);
        Ok(())
    }

    fn handle_get_row_range(&self, row: Vec<u8>) -> thrift::Result<WireRange> {
        Ok(Range::row(&row).to_wire())
    }

    fn handle_get_following(&self, key: WireKey, part: PartialKey) -> thrift::Result<WireKey> {
        Ok(Key::from_wire(key).following(part).to_wire())
    }

    fn handle_system_namespace(&self) -> thrift::Result<String> {
        Ok(catalog::SYSTEM_NAMESPACE.to_owned())
    }

    fn handle_default_namespace(&self) -> thrift::Result<String> {
        Ok(String::new())
    }

    fn handle_list_namespaces(&self, login: Vec<u8>) -> thrift::Result<Vec<String>> {
        self.as_user(&login, |s, _| {
            Ok(s.catalog.namespaces.keys().cloned().collect())
        })
    }

    fn handle_namespace_exists(
        &self,
        login: Vec<u8>,
        namespace_name: String,
    ) -> thrift::Result<bool> {
        self.as_user(&login, |s, _| {
            Ok(s.catalog.namespaces.contains_key(&namespace_name))
        })
    }

    fn handle_create_namespace(
        &self,
        login: Vec<u8>,
        namespace_name: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog.require_system(user, SystemPermission::CREATE_NAMESPACE)?;
            catalog::check_namespace_name(&namespace_name)?;
            if s.catalog.namespaces.contains_key(&namespace_name) {
                return Err(Failure::NamespaceExists(format!("org.apache.accumulo.core.client.NamespaceExistsException: Namespace {namespace_name} exists")));
            }
            s.catalog.namespaces.insert(namespace_name, BTreeMap::new());
            Ok(())
        })
    }

    fn handle_delete_namespace(
        &self,
        login: Vec<u8>,
        namespace_name: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog.require_system(user, SystemPermission::DROP_NAMESPACE)?;
            namespace(&s.catalog, &namespace_name)?;
            let prefix = format!("{namespace_name}.");
            if namespace_name.is_empty() || namespace_name == catalog::SYSTEM_NAMESPACE || s.catalog.tables.keys().any(|t| t.starts_with(&prefix)) {
                return Err(Failure::NamespaceNotEmpty(format!("org.apache.accumulo.core.client.NamespaceNotEmptyException: Namespace {namespace_name} is not empty")));
            }
            s.catalog.namespaces.remove(&namespace_name);
            Ok(())
        })
    }

    fn handle_rename_namespace(
        &self,
        login: Vec<u8>,
        old_namespace_name: String,
        new_namespace_name: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog.require_system(user, SystemPermission::ALTER_NAMESPACE)?;
            namespace(&s.catalog, &old_namespace_name)?;
            catalog::check_namespace_name(&new_namespace_name)?;
            if s.catalog.namespaces.contains_key(&new_namespace_name) {
                return Err(Failure::NamespaceExists(format!("org.apache.accumulo.core.client.NamespaceExistsException: Namespace {new_namespace_name} exists")));
            }
            let props = s.catalog.namespaces.remove(&old_namespace_name).unwrap_or_default();
            s.catalog.namespaces.insert(new_namespace_name.clone(), props);
            let prefix = format!("{old_namespace_name}.");
            let moved: Vec<String> = s.catalog.tables.keys().filter(|t| t.starts_with(&prefix)).cloned().collect();
            for name in moved {
                if let Some(t) = s.catalog.tables.remove(&name) {
                    s.catalog.tables.insert(format!("{new_namespace_name}.{}", &name[prefix.len()..]), t);
                }
            }
            Ok(())
        })
    }

    fn handle_set_namespace_property(
        &self,
        login: Vec<u8>,
        namespace_name: String,
        property: String,
        value: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog
                .require_system(user, SystemPermission::ALTER_NAMESPACE)?;
            namespace(&s.catalog, &namespace_name)?;
            if let Some(p) = s.catalog.namespaces.get_mut(&namespace_name) {
                p.insert(property, value);
            }
            Ok(())
        })
    }

    fn handle_remove_namespace_property(
        &self,
        login: Vec<u8>,
        namespace_name: String,
        property: String,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog
                .require_system(user, SystemPermission::ALTER_NAMESPACE)?;
            namespace(&s.catalog, &namespace_name)?;
            if let Some(p) = s.catalog.namespaces.get_mut(&namespace_name) {
                p.remove(&property);
            }
            Ok(())
        })
    }

    fn handle_get_namespace_properties(
        &self,
        login: Vec<u8>,
        namespace_name: String,
    ) -> thrift::Result<BTreeMap<String, String>> {
        self.as_user(&login, |s, _| {
            namespace(&s.catalog, &namespace_name).cloned()
        })
    }

    fn handle_namespace_id_map(&self, login: Vec<u8>) -> thrift::Result<BTreeMap<String, String>> {
        self.as_user(&login, |s, _| {
            Ok(s.catalog
                .namespaces
                .keys()
                .map(|n| {
                    let id = match n.as_str() {
                        "" => "+default".to_owned(),
                        "accumulo" => "+accumulo".to_owned(),
                        other => other.to_owned(),
                    };
                    (n.clone(), id)
                })
                .collect())
        })
    }

    fn handle_attach_namespace_iterator(
        &self,
        login: Vec<u8>,
        namespace_name: String,
        setting: IteratorSetting,
        scopes: BTreeSet<IteratorScope>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog
                .require_system(user, SystemPermission::ALTER_NAMESPACE)?;
            let spec = iterator_spec(setting);
            conflicts(namespace(&s.catalog, &namespace_name)?, &spec, &scopes)?;
            if let Some(p) = s.catalog.namespaces.get_mut(&namespace_name) {
                for scope in scopes {
                    p.extend(iterators::to_properties(&spec, scope_name(scope)?));
                }
            }
            Ok(())
        })
    }

    fn handle_remove_namespace_iterator(
        &self,
        login: Vec<u8>,
        namespace_name: String,
        name: String,
        scopes: BTreeSet<IteratorScope>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog
                .require_system(user, SystemPermission::ALTER_NAMESPACE)?;
            namespace(&s.catalog, &namespace_name)?;
            if let Some(p) = s.catalog.namespaces.get_mut(&namespace_name) {
                for scope in scopes {
                    let base = format!("table.iterator.{}.{name}", scope_name(scope)?);
                    let opts = format!("{base}.opt.");
                    p.retain(|k, _| *k != base && !k.starts_with(&opts));
                }
            }
            Ok(())
        })
    }

    fn handle_get_namespace_iterator_setting(
        &self,
        login: Vec<u8>,
        namespace_name: String,
        name: String,
        scope: IteratorScope,
    ) -> thrift::Result<IteratorSetting> {
        self.as_user(&login, |s, _| {
            let props = namespace(&s.catalog, &namespace_name)?;
            let scope = scope_name(scope)?;
            iterators::from_properties(props, scope)
                .into_iter()
                .find(|i| i.name == name)
                .map(|i| IteratorSetting {
                    priority: Some(i.priority),
                    name: Some(i.name),
                    iterator_class: Some(i.class),
                    properties: Some(i.options),
                })
                .ok_or_else(|| {
                    Failure::Accumulo(format!(
                        "java.lang.NullPointerException: no iterator {name} at scope {scope}"
                    ))
                })
        })
    }

    fn handle_list_namespace_iterators(
        &self,
        login: Vec<u8>,
        namespace_name: String,
    ) -> thrift::Result<BTreeMap<String, BTreeSet<IteratorScope>>> {
        self.as_user(&login, |s, _| {
            let props = namespace(&s.catalog, &namespace_name)?;
            let mut out: BTreeMap<String, BTreeSet<IteratorScope>> = BTreeMap::new();
            for scope in SCOPES {
                for spec in iterators::from_properties(props, scope) {
                    out.entry(spec.name).or_default().insert(scope_of(scope));
                }
            }
            Ok(out)
        })
    }

    fn handle_check_namespace_iterator_conflicts(
        &self,
        login: Vec<u8>,
        namespace_name: String,
        setting: IteratorSetting,
        scopes: BTreeSet<IteratorScope>,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, _| {
            conflicts(
                namespace(&s.catalog, &namespace_name)?,
                &iterator_spec(setting),
                &scopes,
            )
        })
    }

    fn handle_add_namespace_constraint(
        &self,
        login: Vec<u8>,
        namespace_name: String,
        constraint_class_name: String,
    ) -> thrift::Result<i32> {
        self.as_user(&login, |s, user| {
            s.catalog
                .require_system(user, SystemPermission::ALTER_NAMESPACE)?;
            namespace(&s.catalog, &namespace_name)?;
            let p = s
                .catalog
                .namespaces
                .get_mut(&namespace_name)
                .ok_or_else(|| Failure::Internal(String::new()))?;
            let mut n = 1;
            while p.contains_key(&format!("table.constraint.{n}")) {
                n += 1;
            }
            p.insert(format!("table.constraint.{n}"), constraint_class_name);
            Ok(n)
        })
    }

    fn handle_remove_namespace_constraint(
        &self,
        login: Vec<u8>,
        namespace_name: String,
        id: i32,
    ) -> thrift::Result<()> {
        self.as_user(&login, |s, user| {
            s.catalog
                .require_system(user, SystemPermission::ALTER_NAMESPACE)?;
            namespace(&s.catalog, &namespace_name)?;
            if let Some(p) = s.catalog.namespaces.get_mut(&namespace_name) {
                p.remove(&format!("table.constraint.{id}"));
            }
            Ok(())
        })
    }

    fn handle_list_namespace_constraints(
        &self,
        login: Vec<u8>,
        namespace_name: String,
    ) -> thrift::Result<BTreeMap<String, i32>> {
        self.as_user(&login, |s, _| {
            Ok(namespace(&s.catalog, &namespace_name)?
                .iter()
                .filter_map(|(k, v)| {
                    Some((
                        v.clone(),
                        k.strip_prefix("table.constraint.")?.parse().ok()?,
                    ))
                })
                .collect())
        })
    }

    fn handle_test_namespace_class_load(
        &self,
        login: Vec<u8>,
        namespace_name: String,
        class_name: String,
        _as_type_name: String,
    ) -> thrift::Result<bool> {
        self.as_user(&login, |s, _| {
            namespace(&s.catalog, &namespace_name)?;
            Ok(KNOWN_CLASSES.contains(&class_name.as_str()))
        })
    }
}

/// The properties of a namespace.
fn namespace<'a>(catalog: &'a Catalog, name: &str) -> Outcome<&'a BTreeMap<String, String>> {
    catalog.namespaces.get(name).ok_or_else(|| {
        Failure::NamespaceNotFound(format!(
            "org.apache.accumulo.core.client.NamespaceNotFoundException: Namespace {name} does not exist"
        ))
    })
}

/// Fails when `spec` clashes with an attached iterator at one of `scopes`:
/// same name, or same priority under another name.
fn conflicts(
    properties: &BTreeMap<String, String>,
    spec: &IteratorSpec,
    scopes: &BTreeSet<IteratorScope>,
) -> Outcome<()> {
    for &scope in scopes {
        let scope = scope_name(scope)?;
        for existing in iterators::from_properties(properties, scope) {
            if existing.name == spec.name {
                return Err(errors::illegal_argument(&format!(
                    "iterator name conflict for {} set on table with name {}",
                    spec.name, existing.name
                )));
            }
            if existing.priority == spec.priority {
                return Err(Failure::Accumulo(format!(
                    "org.apache.accumulo.core.client.AccumuloException: iterator priority conflict: {} at priority {} conflicts with {} at scope {scope}",
                    spec.name, spec.priority, existing.name
                )));
            }
        }
    }
    Ok(())
}

/// Checks and applies conditional mutations, returning each row's status.
fn conditional(
    state: &mut State,
    table: &str,
    user: &str,
    auths: &BTreeSet<Vec<u8>>,
    updates: BTreeMap<Vec<u8>, ConditionalUpdates>,
) -> Outcome<BTreeMap<Vec<u8>, ConditionalStatus>> {
    let catalog = &state.catalog;
    let t = catalog.table(table).map_err(|_| {
        Failure::Accumulo(format!(
            "org.apache.accumulo.core.client.TableDeletedException: Table {table} was deleted"
        ))
    })?;
    let id = t.id.clone();
    if !catalog.has_table(user, &id, TablePermission::READ)
        || !catalog.has_table(user, &id, TablePermission::WRITE)
    {
        return Err(Failure::Security(errors::security_message(
            Code::PermissionDenied,
            user,
            Some((table, &id)),
        )));
    }
    if !auths.is_subset(&catalog.user(user)?.authorizations) {
        return Err(Failure::Security(errors::security_message(
            Code::BadAuthorizations,
            user,
            Some((table, &id)),
        )));
    }
    let mut checked = Vec::new();
    for (row, cu) in updates {
        let conditions = cu
            .conditions
            .unwrap_or_default()
            .into_iter()
            .map(Condition::from_wire)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad_visibility(&e))?;
        if conditions.is_empty() {
            return Err(errors::illegal_argument(
                "ConditionalMutation had no conditions",
            ));
        }
        let mutation = Mutation::from_wire(row.clone(), cu.updates.unwrap_or_default())
            .map_err(|e| bad_visibility(&e))?;
        checked.push((row, conditions, mutation));
    }
    let now = now_ms();
    let mut out = BTreeMap::new();
    for (row, conditions, mutation) in checked {
        let t = state.catalog.table(table)?;
        let status = if conditions.iter().any(|c| !c.visible_to(auths)) {
            ConditionalStatus::INVISIBLE_VISIBILITY
        } else {
            let mut all = true;
            for c in &conditions {
                if !c.holds(t, &row, now).map_err(Failure::Accumulo)? {
                    all = false;
                    break;
                }
            }
            if !all {
                ConditionalStatus::REJECTED
            } else if t.checks_visibility()
                && !mutation.visible_to(&state.catalog.user(user)?.authorizations)
            {
                ConditionalStatus::VIOLATED
            } else {
                if !mutation.is_empty() {
                    write::apply(&mut state.catalog, table, vec![mutation], now);
                }
                ConditionalStatus::ACCEPTED
            }
        };
        out.insert(row, status);
    }
    Ok(out)
}
