//! What the instance holds: tables (entries, properties, splits, clocks),
//! namespaces and users (passwords, authorizations, permissions).

use std::collections::{BTreeMap, BTreeSet};

use hbase_orm_idl::accumulo::{SystemPermission, TablePermission};

use super::errors::{self, Code, Failure, Outcome};
use super::iterators::{self, IteratorSpec};
use super::key::StoredKey;

/// The versioning iterator a table gets when created with one.
pub(crate) const VERSIONING_CLASS: &str =
    "org.apache.accumulo.core.iterators.user.VersioningIterator";

/// The scopes an iterator can be attached at, as property names spell them.
pub(crate) const SCOPES: [&str; 3] = ["majc", "minc", "scan"];

/// The system namespace and its tables.
pub(crate) const SYSTEM_NAMESPACE: &str = "accumulo";
const SYSTEM_TABLES: [(&str, &str); 3] = [
    ("accumulo.metadata", "!0"),
    ("accumulo.replication", "+rep"),
    ("accumulo.root", "+r"),
];

/// Every table permission, as the wire numbers them.
pub(crate) const ALL_TABLE_PERMISSIONS: [TablePermission; 6] = [
    TablePermission::READ,
    TablePermission::WRITE,
    TablePermission::BULK_IMPORT,
    TablePermission::ALTER_TABLE,
    TablePermission::GRANT,
    TablePermission::DROP_TABLE,
];

/// One table.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) id: String,
    pub(crate) entries: BTreeMap<StoredKey, Vec<u8>>,
    pub(crate) properties: BTreeMap<String, String>,
    pub(crate) splits: BTreeSet<Vec<u8>>,
    /// Logical time (a counter per mutation) instead of milliseconds.
    pub(crate) logical: bool,
    /// The last time handed out: the counter, or milliseconds.
    pub(crate) clock: i64,
    pub(crate) online: bool,
    /// A system table: listed, empty, not writable.
    pub(crate) system: bool,
}

impl Table {
    fn new(id: String, versioning: bool, logical: bool) -> Table {
        let mut properties = BTreeMap::new();
        properties.insert(
            "table.constraint.1".to_owned(),
            "org.apache.accumulo.core.constraints.DefaultKeySizeConstraint".to_owned(),
        );
        if versioning {
            let spec = IteratorSpec {
                priority: 20,
                name: "vers".to_owned(),
                class: VERSIONING_CLASS.to_owned(),
                options: BTreeMap::from([("maxVersions".to_owned(), "1".to_owned())]),
            };
            for scope in SCOPES {
                properties.extend(iterators::to_properties(&spec, scope));
            }
        }
        Table {
            id,
            entries: BTreeMap::new(),
            properties,
            splits: BTreeSet::new(),
            logical,
            clock: 0,
            online: true,
            system: false,
        }
    }

    /// The iterators attached at `scope`.
    pub(crate) fn iterators(&self, scope: &str) -> Vec<IteratorSpec> {
        iterators::from_properties(&self.properties, scope)
    }

    /// Whether the VisibilityConstraint is configured.
    pub(crate) fn checks_visibility(&self) -> bool {
        self.properties.iter().any(|(k, v)| {
            k.starts_with("table.constraint.")
                && v == "org.apache.accumulo.core.constraints.VisibilityConstraint"
        })
    }

    /// The timestamps for `count` mutations written now (`now_ms`): one per
    /// mutation with logical time (counting from 1; a mutation whose
    /// entries all carry timestamps still takes one), one shared with
    /// milliseconds.
    pub(crate) fn stamp(&mut self, count: usize, now_ms: i64) -> Vec<i64> {
        if self.logical {
            (0..count)
                .map(|_| {
                    self.clock += 1;
                    self.clock
                })
                .collect()
        } else {
            self.clock = self.clock.max(now_ms);
            vec![self.clock; count]
        }
    }
}

/// One user.
#[derive(Debug, Clone, Default)]
pub(crate) struct User {
    pub(crate) password: Vec<u8>,
    pub(crate) authorizations: BTreeSet<Vec<u8>>,
    pub(crate) system: BTreeSet<i32>,
    /// Table permissions by table id.
    pub(crate) tables: BTreeMap<String, BTreeSet<i32>>,
    /// Namespace permissions by namespace name.
    pub(crate) namespaces: BTreeMap<String, BTreeSet<i32>>,
}

/// Tables, namespaces and users.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub(crate) tables: BTreeMap<String, Table>,
    pub(crate) namespaces: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) users: BTreeMap<String, User>,
    next_table_id: u64,
    /// Write sequence, so identical keys keep their write order.
    pub(crate) seq: u64,
}

/// The user the instance starts with.
pub(crate) const ROOT: &str = "root";

impl Catalog {
    /// A fresh instance: the system tables, the two namespaces and root.
    pub(crate) fn new(root_password: &[u8]) -> Catalog {
        let mut tables = BTreeMap::new();
        for (name, id) in SYSTEM_TABLES {
            let mut table = Table::new(id.to_owned(), true, true);
            table.system = true;
            tables.insert(name.to_owned(), table);
        }
        let mut root = User {
            password: root_password.to_vec(),
            ..User::default()
        };
        for p in 0..=11 {
            root.system.insert(p);
        }
        for (_, id) in SYSTEM_TABLES {
            root.tables.insert(
                id.to_owned(),
                [TablePermission::READ.0, TablePermission::ALTER_TABLE.0].into(),
            );
        }
        Catalog {
            tables,
            namespaces: BTreeMap::from([
                (String::new(), BTreeMap::new()),
                (SYSTEM_NAMESPACE.to_owned(), BTreeMap::new()),
            ]),
            users: BTreeMap::from([(ROOT.to_owned(), root)]),
            next_table_id: 1,
            seq: 0,
        }
    }

    /// The table of that name.
    ///
    /// # Errors
    /// TableNotFoundException.
    pub(crate) fn table(&self, name: &str) -> Outcome<&Table> {
        self.tables
            .get(name)
            .ok_or_else(|| errors::table_not_found(name))
    }

    /// The table of that name, to change.
    ///
    /// # Errors
    /// TableNotFoundException.
    pub(crate) fn table_mut(&mut self, name: &str) -> Outcome<&mut Table> {
        self.tables
            .get_mut(name)
            .ok_or_else(|| errors::table_not_found(name))
    }

    /// The user of that name.
    ///
    /// # Errors
    /// AccumuloSecurityException USER_DOESNT_EXIST.
    pub(crate) fn user(&self, name: &str) -> Outcome<&User> {
        self.users
            .get(name)
            .ok_or_else(|| errors::security(Code::UserDoesntExist, name))
    }

    /// Whether `user` holds a system permission.
    pub(crate) fn has_system(&self, user: &str, perm: SystemPermission) -> bool {
        self.users
            .get(user)
            .is_some_and(|u| u.system.contains(&perm.0))
    }

    /// Whether `user` holds a permission on the table with id `table_id`.
    pub(crate) fn has_table(&self, user: &str, table_id: &str, perm: TablePermission) -> bool {
        self.users.get(user).is_some_and(|u| {
            u.tables
                .get(table_id)
                .is_some_and(|set| set.contains(&perm.0))
        })
    }

    /// Fails with PERMISSION_DENIED unless `user` holds `perm` on the table
    /// or the system permission `or_system`.
    ///
    /// # Errors
    /// TableNotFoundException, AccumuloSecurityException.
    pub(crate) fn require_table(
        &self,
        user: &str,
        name: &str,
        perm: TablePermission,
        or_system: Option<SystemPermission>,
    ) -> Outcome<&Table> {
        let table = self.table(name)?;
        if self.has_table(user, &table.id, perm)
            || or_system.is_some_and(|s| self.has_system(user, s))
        {
            Ok(table)
        } else {
            Err(Failure::Security(errors::security_message(
                Code::PermissionDenied,
                user,
                Some((name, &table.id)),
            )))
        }
    }

    /// Fails with PERMISSION_DENIED unless `user` holds `perm`.
    ///
    /// # Errors
    /// AccumuloSecurityException.
    pub(crate) fn require_system(&self, user: &str, perm: SystemPermission) -> Outcome<()> {
        if self.has_system(user, perm) {
            Ok(())
        } else {
            Err(errors::security(Code::PermissionDenied, user))
        }
    }

    /// Creates a table; its creator gets every permission on it.
    ///
    /// # Errors
    /// AccumuloException for a bad name or a missing namespace,
    /// TableExistsException.
    pub(crate) fn create_table(
        &mut self,
        creator: &str,
        name: &str,
        versioning: bool,
        logical: bool,
    ) -> Outcome<()> {
        check_table_name(name)?;
        if let Some((namespace, _)) = name.split_once('.') {
            if !self.namespaces.contains_key(namespace) {
                return Err(Failure::Accumulo(format!(
                    "org.apache.accumulo.core.client.NamespaceNotFoundException: Namespace {namespace} does not exist (Table {name} does not exist)"
                )));
            }
        }
        if self.tables.contains_key(name) {
            return Err(errors::table_exists(name));
        }
        let id = self.new_table_id();
        self.grant_all(creator, &id);
        self.tables
            .insert(name.to_owned(), Table::new(id, versioning, logical));
        Ok(())
    }

    /// A fresh table id: base 36, counting from 1.
    pub(crate) fn new_table_id(&mut self) -> String {
        let mut n = self.next_table_id;
        self.next_table_id += 1;
        let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut out = Vec::new();
        loop {
            out.push(digits[(n % 36) as usize]);
            n /= 36;
            if n == 0 {
                break;
            }
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    }

    /// Gives `user` every permission on the table `id`.
    pub(crate) fn grant_all(&mut self, user: &str, id: &str) {
        if let Some(u) = self.users.get_mut(user) {
            u.tables.insert(
                id.to_owned(),
                ALL_TABLE_PERMISSIONS.iter().map(|p| p.0).collect(),
            );
        }
    }

    /// Drops a table and every permission on it.
    ///
    /// # Errors
    /// TableNotFoundException.
    pub(crate) fn delete_table(&mut self, name: &str) -> Outcome<()> {
        let table = self
            .tables
            .remove(name)
            .ok_or_else(|| errors::table_not_found(name))?;
        for user in self.users.values_mut() {
            user.tables.remove(&table.id);
        }
        Ok(())
    }

    /// The next write sequence number.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

/// Accumulo's table name rule: word characters, optionally behind one
/// `namespace.`, at most 1024 characters.
///
/// # Errors
/// AccumuloException with the Java message.
pub(crate) fn check_table_name(name: &str) -> Outcome<()> {
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let ok = name.len() <= 1024
        && match name.split_once('.') {
            Some((ns, table)) => word(ns) && word(table),
            None => word(name),
        };
    if ok {
        Ok(())
    } else {
        Err(errors::illegal_argument(&format!(
            "Table names must only contain word characters (letters, digits, and underscores): {name}"
        )))
    }
}

/// Accumulo's namespace name rule: word characters.
///
/// # Errors
/// AccumuloException with the Java message.
pub(crate) fn check_namespace_name(name: &str) -> Outcome<()> {
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(())
    } else {
        Err(errors::illegal_argument(&format!(
            "Namespaces must only contain word characters (letters, digits, and underscores): {name}"
        )))
    }
}
