//! A logged-in [`Connector`]: table, namespace, user and permission calls,
//! and the entry points to writers and scanners.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use hbase_orm_idl::accumulo as proxy;
use proxy::{IteratorScope, SystemPermission, TablePermission, TimeType};

use super::connection::Connection;
use super::iterator::{self, IteratorSetting};
use super::method::{CompactTable, DeleteRows, FlushTable, RowSpanCall, RowSpanKind};
use super::visibility::Authorizations;
use crate::error::{Error, Result};

/// A connection with a login token: every call runs as the principal that
/// logged in. Cheap to clone.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// use hbase_orm::accumulo::{Connection, TimeType};
///
/// let connector = Connection::builder().connect().await?.login("root", "secret").await?;
/// if !connector.table_exists("events").await? {
///     connector.create_table("events", true, TimeType::MILLIS).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Connector {
    conn: Connection,
    principal: Arc<str>,
    token: Arc<Vec<u8>>,
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("addr", &self.conn.addr())
            .field("principal", &self.principal)
            .finish_non_exhaustive()
    }
}

/// `name` as sent, or an error before anything is sent when it is empty.
fn named(what: &str, name: &str) -> Result<String> {
    if name.is_empty() {
        return Err(Error::InvalidInput(format!("the {what} name is empty")));
    }
    Ok(name.to_owned())
}

/// Writes the connector's calls that send one proxy method as the logged-in
/// principal: `fn name(params) -> Output = Args { field: value, .. };` sends
/// `proxy::Args` with `login` filled in and answers its reply, passed
/// through `=> convert` when one is named.
macro_rules! login_calls {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($param:ident: $ty:ty),*) -> $out:ty
            = $args:ident { $($field:ident $(: $value:expr)?),* $(,)? } $(=> $convert:path)?;
    )*) => {$(
        $(#[$doc])*
        pub async fn $name(&self, $($param: $ty),*) -> Result<$out> {
            let args = proxy::$args { login: self.login(), $($field $(: $value)?),* };
            self.conn.call(&args).await$(.map($convert))?
        }
    )*};
}

impl Connection {
    /// Logs in with a password: a [`Connector`] whose calls all carry the
    /// token the proxy returned.
    ///
    /// # Errors
    /// [`Error::Accumulo`] of kind
    /// [`Security`](crate::error::AccumuloErrorKind::Security) for a wrong
    /// principal or password; connection errors as for any call.
    pub async fn login(
        &self,
        principal: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Connector> {
        let properties = BTreeMap::from([("password".to_owned(), password.into())]);
        self.login_with(principal, properties).await
    }

    /// Logs in with any login properties the proxy's token class reads
    /// (`{"password": ...}` for password tokens).
    ///
    /// # Errors
    /// As [`Connection::login`].
    pub async fn login_with(
        &self,
        principal: impl Into<String>,
        properties: BTreeMap<String, String>,
    ) -> Result<Connector> {
        let principal = principal.into();
        let token = self
            .call(&proxy::AccumuloProxyLoginArgs {
                principal: principal.clone(),
                login_properties: properties,
            })
            .await?;
        Ok(Connector::new(self.clone(), principal, token))
    }
}

impl Connector {
    pub(crate) fn new(conn: Connection, principal: String, token: Vec<u8>) -> Self {
        Connector {
            conn,
            principal: principal.into(),
            token: Arc::new(token),
        }
    }

    /// The connection underneath.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The principal that logged in.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// The login token the proxy returned, which the generated low-level
    /// calls of [`proxy`](super::proxy) take as their `login` argument.
    pub fn token(&self) -> &[u8] {
        &self.token
    }

    pub(crate) fn login(&self) -> Vec<u8> {
        self.token.to_vec()
    }

    // ---- row spans ----

    /// Flushes the table's memory to files for rows in `start..=end`
    /// (`None`: unbounded), waiting for it when `wait`.
    ///
    /// # Errors
    /// `TableNotFound`.
    pub async fn flush_table(
        &self,
        table: &str,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        wait: bool,
    ) -> Result<()> {
        self.conn
            .call(&FlushTable(self.span(
                table,
                start,
                end,
                RowSpanKind::Flush { wait },
            )))
            .await
    }

    /// Compacts rows `start..=end` (`None`: unbounded) with `iterators`
    /// applied for this compaction, flushing first when `flush`, waiting
    /// for it when `wait`.
    ///
    /// # Errors
    /// `TableNotFound`; `InvalidInput` for a bad iterator setting.
    pub async fn compact_table(
        &self,
        table: &str,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        iterators: &[IteratorSetting],
        flush: bool,
        wait: bool,
    ) -> Result<()> {
        let kind = RowSpanKind::Compact {
            iterators: iterator::to_wire_list(iterators)?,
            flush,
            wait,
        };
        self.conn
            .call(&CompactTable(self.span(table, start, end, kind)))
            .await
    }

    /// Deletes the rows after `start` up to and including `end` (`None`:
    /// unbounded).
    ///
    /// # Errors
    /// `TableNotFound`.
    pub async fn delete_rows(
        &self,
        table: &str,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
    ) -> Result<()> {
        self.conn
            .call(&DeleteRows(self.span(
                table,
                start,
                end,
                RowSpanKind::DeleteRows,
            )))
            .await
    }

    fn span(
        &self,
        table: &str,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        kind: RowSpanKind,
    ) -> RowSpanCall {
        RowSpanCall {
            kind,
            login: self.login(),
            table: table.to_owned(),
            start: start.map(<[u8]>::to_vec),
            end: end.map(<[u8]>::to_vec),
        }
    }

    // ---- namespaces without a login ----

    /// The name of the system namespace (`accumulo`).
    ///
    /// # Errors
    /// Connection errors.
    pub async fn system_namespace(&self) -> Result<String> {
        self.conn
            .call(&proxy::AccumuloProxySystemNamespaceArgs {})
            .await
    }

    /// The name of the default namespace (the empty string).
    ///
    /// # Errors
    /// Connection errors.
    pub async fn default_namespace(&self) -> Result<String> {
        self.conn
            .call(&proxy::AccumuloProxyDefaultNamespaceArgs {})
            .await
    }

    login_calls! {
        // ---- tables ----

        /// Whether table `table` exists.
        ///
        /// # Errors
        /// Connection errors.
        fn table_exists(table: &str) -> bool
            = AccumuloProxyTableExistsArgs { table_name: table.to_owned() };

        /// Creates a table, with the versioning iterator (one version kept, at
        /// scan and both compaction scopes) or without it (every version kept),
        /// and the time type of its timestamps.
        ///
        /// # Errors
        /// [`TableExists`](crate::error::AccumuloErrorKind::TableExists),
        /// [`Security`](crate::error::AccumuloErrorKind::Security).
        fn create_table(table: &str, versioning_iterator: bool, time_type: TimeType) -> ()
            = AccumuloProxyCreateTableArgs {
                table_name: named("table", table)?,
                versioning_iter: versioning_iterator,
                type_: time_type,
            };

        /// Deletes a table and its data.
        ///
        /// # Errors
        /// [`TableNotFound`](crate::error::AccumuloErrorKind::TableNotFound).
        fn delete_table(table: &str) -> ()
            = AccumuloProxyDeleteTableArgs { table_name: table.to_owned() };

        /// Every table's name, the system tables included.
        ///
        /// # Errors
        /// Connection errors.
        fn list_tables() -> BTreeSet<String> = AccumuloProxyListTablesArgs {};

        /// Renames a table.
        ///
        /// # Errors
        /// `TableNotFound`, `TableExists`.
        fn rename_table(from: &str, to: &str) -> ()
            = AccumuloProxyRenameTableArgs {
                old_table_name: from.to_owned(),
                new_table_name: named("table", to)?,
            };

        /// Clones a table (flushing it first when `flush`), setting and
        /// excluding properties on the clone.
        ///
        /// # Errors
        /// `TableNotFound`, `TableExists`.
        fn clone_table(
            from: &str,
            to: &str,
            flush: bool,
            set: BTreeMap<String, String>,
            exclude: BTreeSet<String>
        ) -> ()
            = AccumuloProxyCloneTableArgs {
                table_name: from.to_owned(),
                new_table_name: named("table", to)?,
                flush,
                properties_to_set: set,
                properties_to_exclude: exclude,
            };

        /// The table's properties (its own and the inherited ones).
        ///
        /// # Errors
        /// `TableNotFound`.
        fn table_properties(table: &str) -> BTreeMap<String, String>
            = AccumuloProxyGetTablePropertiesArgs { table_name: table.to_owned() };

        /// Sets one table property.
        ///
        /// # Errors
        /// `TableNotFound`; `Accumulo` for a property the server refuses.
        fn set_table_property(table: &str, key: &str, value: &str) -> ()
            = AccumuloProxySetTablePropertyArgs {
                table_name: table.to_owned(),
                property: key.to_owned(),
                value: value.to_owned(),
            };

        /// Removes one table property.
        ///
        /// # Errors
        /// `TableNotFound`.
        fn remove_table_property(table: &str, key: &str) -> ()
            = AccumuloProxyRemoveTablePropertyArgs {
                table_name: table.to_owned(),
                property: key.to_owned(),
            };

        /// Adds split points to a table.
        ///
        /// # Errors
        /// `TableNotFound`.
        fn add_splits(table: &str, splits: impl IntoIterator<Item = impl AsRef<[u8]>>) -> ()
            = AccumuloProxyAddSplitsArgs {
                table_name: table.to_owned(),
                splits: splits.into_iter().map(|s| s.as_ref().to_vec()).collect(),
            };

        /// The table's split points, at most `max` of them.
        ///
        /// # Errors
        /// `TableNotFound`.
        fn list_splits(table: &str, max: i32) -> Vec<Vec<u8>>
            = AccumuloProxyListSplitsArgs { table_name: table.to_owned(), max_splits: max };

        // ---- iterators ----

        /// Attaches an iterator to a table at `scopes`.
        ///
        /// # Errors
        /// `Accumulo` for a conflicting name or priority; `TableNotFound`.
        fn attach_iterator(
            table: &str,
            setting: &IteratorSetting,
            scopes: BTreeSet<IteratorScope>
        ) -> ()
            = AccumuloProxyAttachIteratorArgs {
                table_name: table.to_owned(),
                setting: setting.to_wire()?,
                scopes,
            };

        /// Removes the iterator `name` from `scopes`.
        ///
        /// # Errors
        /// `TableNotFound`.
        fn remove_iterator(table: &str, name: &str, scopes: BTreeSet<IteratorScope>) -> ()
            = AccumuloProxyRemoveIteratorArgs {
                table_name: table.to_owned(),
                iter_name: name.to_owned(),
                scopes,
            };

        /// The table's iterators, by name, with their scopes.
        ///
        /// # Errors
        /// `TableNotFound`.
        fn list_iterators(table: &str) -> BTreeMap<String, BTreeSet<IteratorScope>>
            = AccumuloProxyListIteratorsArgs { table_name: table.to_owned() };

        /// The setting of iterator `name` at `scope`.
        ///
        /// # Errors
        /// `TableNotFound`.
        fn iterator_setting(table: &str, name: &str, scope: IteratorScope) -> IteratorSetting
            = AccumuloProxyGetIteratorSettingArgs {
                table_name: table.to_owned(),
                iterator_name: name.to_owned(),
                scope,
            } => IteratorSetting::from_wire;

        /// Checks that attaching `setting` at `scopes` would not conflict with
        /// the table's iterators (same name, or same priority).
        ///
        /// # Errors
        /// `Accumulo` naming the conflict.
        fn check_iterator_conflicts(
            table: &str,
            setting: &IteratorSetting,
            scopes: BTreeSet<IteratorScope>
        ) -> ()
            = AccumuloProxyCheckIteratorConflictsArgs {
                table_name: table.to_owned(),
                setting: setting.to_wire()?,
                scopes,
            };

        // ---- namespaces ----

        /// Every namespace.
        ///
        /// # Errors
        /// `Security`.
        fn list_namespaces() -> Vec<String> = AccumuloProxyListNamespacesArgs {};

        /// Whether namespace `name` exists.
        ///
        /// # Errors
        /// `Security`.
        fn namespace_exists(name: &str) -> bool
            = AccumuloProxyNamespaceExistsArgs { namespace_name: name.to_owned() };

        /// Creates a namespace; its tables are named `name.table`.
        ///
        /// # Errors
        /// `NamespaceExists`.
        fn create_namespace(name: &str) -> ()
            = AccumuloProxyCreateNamespaceArgs { namespace_name: named("namespace", name)? };

        /// Deletes an empty namespace.
        ///
        /// # Errors
        /// `NamespaceNotFound`, `NamespaceNotEmpty`.
        fn delete_namespace(name: &str) -> ()
            = AccumuloProxyDeleteNamespaceArgs { namespace_name: name.to_owned() };

        /// Renames a namespace.
        ///
        /// # Errors
        /// `NamespaceNotFound`, `NamespaceExists`.
        fn rename_namespace(from: &str, to: &str) -> ()
            = AccumuloProxyRenameNamespaceArgs {
                old_namespace_name: from.to_owned(),
                new_namespace_name: named("namespace", to)?,
            };

        /// The namespace's properties.
        ///
        /// # Errors
        /// `NamespaceNotFound`.
        fn namespace_properties(name: &str) -> BTreeMap<String, String>
            = AccumuloProxyGetNamespacePropertiesArgs { namespace_name: name.to_owned() };

        /// Sets one namespace property.
        ///
        /// # Errors
        /// `NamespaceNotFound`.
        fn set_namespace_property(name: &str, key: &str, value: &str) -> ()
            = AccumuloProxySetNamespacePropertyArgs {
                namespace_name: name.to_owned(),
                property: key.to_owned(),
                value: value.to_owned(),
            };

        // ---- users and permissions ----

        /// Creates a local user with a password.
        ///
        /// # Errors
        /// `Security` (no permission, or the user exists).
        fn create_local_user(user: &str, password: &str) -> ()
            = AccumuloProxyCreateLocalUserArgs {
                user: named("user", user)?,
                password: password.as_bytes().to_vec(),
            };

        /// Drops a local user.
        ///
        /// # Errors
        /// `Security`.
        fn drop_local_user(user: &str) -> ()
            = AccumuloProxyDropLocalUserArgs { user: user.to_owned() };

        /// Every local user.
        ///
        /// # Errors
        /// `Security`.
        fn list_local_users() -> BTreeSet<String> = AccumuloProxyListLocalUsersArgs {};

        /// Changes a local user's password.
        ///
        /// # Errors
        /// `Security`.
        fn change_local_user_password(user: &str, password: &str) -> ()
            = AccumuloProxyChangeLocalUserPasswordArgs {
                user: user.to_owned(),
                password: password.as_bytes().to_vec(),
            };

        /// Whether `user` authenticates with `password`.
        ///
        /// # Errors
        /// `Security`.
        fn authenticate_user(user: &str, password: &str) -> bool
            = AccumuloProxyAuthenticateUserArgs {
                user: user.to_owned(),
                properties: BTreeMap::from([("password".to_owned(), password.to_owned())]),
            };

        /// Replaces the authorizations `user` holds.
        ///
        /// # Errors
        /// `InvalidInput` for an empty authorization; `Security`.
        fn change_user_authorizations(user: &str, auths: &Authorizations) -> ()
            = AccumuloProxyChangeUserAuthorizationsArgs {
                user: user.to_owned(),
                authorizations: auths.to_wire()?,
            };

        /// The authorizations `user` holds.
        ///
        /// # Errors
        /// `Security`.
        fn user_authorizations(user: &str) -> Authorizations
            = AccumuloProxyGetUserAuthorizationsArgs {
                user: user.to_owned(),
            } => Authorizations::from_wire;

        /// Grants a system permission.
        ///
        /// # Errors
        /// `Security`.
        fn grant_system_permission(user: &str, perm: SystemPermission) -> ()
            = AccumuloProxyGrantSystemPermissionArgs { user: user.to_owned(), perm };

        /// Revokes a system permission.
        ///
        /// # Errors
        /// `Security`.
        fn revoke_system_permission(user: &str, perm: SystemPermission) -> ()
            = AccumuloProxyRevokeSystemPermissionArgs { user: user.to_owned(), perm };

        /// Whether `user` holds a system permission.
        ///
        /// # Errors
        /// `Security`.
        fn has_system_permission(user: &str, perm: SystemPermission) -> bool
            = AccumuloProxyHasSystemPermissionArgs { user: user.to_owned(), perm };

        /// Grants a permission on a table.
        ///
        /// # Errors
        /// `Security`, `TableNotFound`.
        fn grant_table_permission(user: &str, table: &str, perm: TablePermission) -> ()
            = AccumuloProxyGrantTablePermissionArgs {
                user: user.to_owned(),
                table: table.to_owned(),
                perm,
            };

        /// Revokes a permission on a table.
        ///
        /// # Errors
        /// `Security`, `TableNotFound`.
        fn revoke_table_permission(user: &str, table: &str, perm: TablePermission) -> ()
            = AccumuloProxyRevokeTablePermissionArgs {
                user: user.to_owned(),
                table: table.to_owned(),
                perm,
            };

        /// Whether `user` holds a permission on a table.
        ///
        /// # Errors
        /// `Security`, `TableNotFound`.
        fn has_table_permission(user: &str, table: &str, perm: TablePermission) -> bool
            = AccumuloProxyHasTablePermissionArgs {
                user: user.to_owned(),
                table: table.to_owned(),
                perm,
            };
    }
}
