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

/// Refuses an empty name before it is sent.
pub(crate) fn check_name(what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::InvalidInput(format!("the {what} name is empty")));
    }
    Ok(())
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

    // ---- tables ----

    /// Whether table `table` exists.
    ///
    /// # Errors
    /// Connection errors.
    pub async fn table_exists(&self, table: &str) -> Result<bool> {
        self.conn
            .call(&proxy::AccumuloProxyTableExistsArgs {
                login: self.login(),
                table_name: table.to_owned(),
            })
            .await
    }

    /// Creates a table, with the versioning iterator (one version kept, at
    /// scan and both compaction scopes) or without it (every version kept),
    /// and the time type of its timestamps.
    ///
    /// # Errors
    /// [`TableExists`](crate::error::AccumuloErrorKind::TableExists),
    /// [`Security`](crate::error::AccumuloErrorKind::Security).
    pub async fn create_table(
        &self,
        table: &str,
        versioning_iterator: bool,
        time_type: TimeType,
    ) -> Result<()> {
        check_name("table", table)?;
        self.conn
            .call(&proxy::AccumuloProxyCreateTableArgs {
                login: self.login(),
                table_name: table.to_owned(),
                versioning_iter: versioning_iterator,
                type_: time_type,
            })
            .await
    }

    /// Deletes a table and its data.
    ///
    /// # Errors
    /// [`TableNotFound`](crate::error::AccumuloErrorKind::TableNotFound).
    pub async fn delete_table(&self, table: &str) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyDeleteTableArgs {
                login: self.login(),
                table_name: table.to_owned(),
            })
            .await
    }

    /// Every table's name, the system tables included.
    ///
    /// # Errors
    /// Connection errors.
    pub async fn list_tables(&self) -> Result<BTreeSet<String>> {
        self.conn
            .call(&proxy::AccumuloProxyListTablesArgs {
                login: self.login(),
            })
            .await
    }

    /// Renames a table.
    ///
    /// # Errors
    /// `TableNotFound`, `TableExists`.
    pub async fn rename_table(&self, from: &str, to: &str) -> Result<()> {
        check_name("table", to)?;
        self.conn
            .call(&proxy::AccumuloProxyRenameTableArgs {
                login: self.login(),
                old_table_name: from.to_owned(),
                new_table_name: to.to_owned(),
            })
            .await
    }

    /// Clones a table (flushing it first when `flush`), setting and
    /// excluding properties on the clone.
    ///
    /// # Errors
    /// `TableNotFound`, `TableExists`.
    pub async fn clone_table(
        &self,
        from: &str,
        to: &str,
        flush: bool,
        set: BTreeMap<String, String>,
        exclude: BTreeSet<String>,
    ) -> Result<()> {
        check_name("table", to)?;
        self.conn
            .call(&proxy::AccumuloProxyCloneTableArgs {
                login: self.login(),
                table_name: from.to_owned(),
                new_table_name: to.to_owned(),
                flush,
                properties_to_set: set,
                properties_to_exclude: exclude,
            })
            .await
    }

    /// The table's properties (its own and the inherited ones).
    ///
    /// # Errors
    /// `TableNotFound`.
    pub async fn table_properties(&self, table: &str) -> Result<BTreeMap<String, String>> {
        self.conn
            .call(&proxy::AccumuloProxyGetTablePropertiesArgs {
                login: self.login(),
                table_name: table.to_owned(),
            })
            .await
    }

    /// Sets one table property.
    ///
    /// # Errors
    /// `TableNotFound`; `Accumulo` for a property the server refuses.
    pub async fn set_table_property(&self, table: &str, key: &str, value: &str) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxySetTablePropertyArgs {
                login: self.login(),
                table_name: table.to_owned(),
                property: key.to_owned(),
                value: value.to_owned(),
            })
            .await
    }

    /// Removes one table property.
    ///
    /// # Errors
    /// `TableNotFound`.
    pub async fn remove_table_property(&self, table: &str, key: &str) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyRemoveTablePropertyArgs {
                login: self.login(),
                table_name: table.to_owned(),
                property: key.to_owned(),
            })
            .await
    }

    /// Adds split points to a table.
    ///
    /// # Errors
    /// `TableNotFound`.
    pub async fn add_splits(
        &self,
        table: &str,
        splits: impl IntoIterator<Item = impl AsRef<[u8]>>,
    ) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyAddSplitsArgs {
                login: self.login(),
                table_name: table.to_owned(),
                splits: splits.into_iter().map(|s| s.as_ref().to_vec()).collect(),
            })
            .await
    }

    /// The table's split points, at most `max` of them.
    ///
    /// # Errors
    /// `TableNotFound`.
    pub async fn list_splits(&self, table: &str, max: i32) -> Result<Vec<Vec<u8>>> {
        self.conn
            .call(&proxy::AccumuloProxyListSplitsArgs {
                login: self.login(),
                table_name: table.to_owned(),
                max_splits: max,
            })
            .await
    }

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

    // ---- iterators ----

    /// Attaches an iterator to a table at `scopes`.
    ///
    /// # Errors
    /// `Accumulo` for a conflicting name or priority; `TableNotFound`.
    pub async fn attach_iterator(
        &self,
        table: &str,
        setting: &IteratorSetting,
        scopes: BTreeSet<IteratorScope>,
    ) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyAttachIteratorArgs {
                login: self.login(),
                table_name: table.to_owned(),
                setting: setting.to_wire()?,
                scopes,
            })
            .await
    }

    /// Removes the iterator `name` from `scopes`.
    ///
    /// # Errors
    /// `TableNotFound`.
    pub async fn remove_iterator(
        &self,
        table: &str,
        name: &str,
        scopes: BTreeSet<IteratorScope>,
    ) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyRemoveIteratorArgs {
                login: self.login(),
                table_name: table.to_owned(),
                iter_name: name.to_owned(),
                scopes,
            })
            .await
    }

    /// The table's iterators, by name, with their scopes.
    ///
    /// # Errors
    /// `TableNotFound`.
    pub async fn list_iterators(
        &self,
        table: &str,
    ) -> Result<BTreeMap<String, BTreeSet<IteratorScope>>> {
        self.conn
            .call(&proxy::AccumuloProxyListIteratorsArgs {
                login: self.login(),
                table_name: table.to_owned(),
            })
            .await
    }

    /// The setting of iterator `name` at `scope`.
    ///
    /// # Errors
    /// `TableNotFound`.
    pub async fn iterator_setting(
        &self,
        table: &str,
        name: &str,
        scope: IteratorScope,
    ) -> Result<IteratorSetting> {
        self.conn
            .call(&proxy::AccumuloProxyGetIteratorSettingArgs {
                login: self.login(),
                table_name: table.to_owned(),
                iterator_name: name.to_owned(),
                scope,
            })
            .await
            .map(IteratorSetting::from_wire)
    }

    /// Checks that attaching `setting` at `scopes` would not conflict with
    /// the table's iterators (same name, or same priority).
    ///
    /// # Errors
    /// `Accumulo` naming the conflict.
    pub async fn check_iterator_conflicts(
        &self,
        table: &str,
        setting: &IteratorSetting,
        scopes: BTreeSet<IteratorScope>,
    ) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyCheckIteratorConflictsArgs {
                login: self.login(),
                table_name: table.to_owned(),
                setting: setting.to_wire()?,
                scopes,
            })
            .await
    }

    // ---- namespaces ----

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

    /// Every namespace.
    ///
    /// # Errors
    /// `Security`.
    pub async fn list_namespaces(&self) -> Result<Vec<String>> {
        self.conn
            .call(&proxy::AccumuloProxyListNamespacesArgs {
                login: self.login(),
            })
            .await
    }

    /// Whether namespace `name` exists.
    ///
    /// # Errors
    /// `Security`.
    pub async fn namespace_exists(&self, name: &str) -> Result<bool> {
        self.conn
            .call(&proxy::AccumuloProxyNamespaceExistsArgs {
                login: self.login(),
                namespace_name: name.to_owned(),
            })
            .await
    }

    /// Creates a namespace; its tables are named `name.table`.
    ///
    /// # Errors
    /// `NamespaceExists`.
    pub async fn create_namespace(&self, name: &str) -> Result<()> {
        check_name("namespace", name)?;
        self.conn
            .call(&proxy::AccumuloProxyCreateNamespaceArgs {
                login: self.login(),
                namespace_name: name.to_owned(),
            })
            .await
    }

    /// Deletes an empty namespace.
    ///
    /// # Errors
    /// `NamespaceNotFound`, `NamespaceNotEmpty`.
    pub async fn delete_namespace(&self, name: &str) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyDeleteNamespaceArgs {
                login: self.login(),
                namespace_name: name.to_owned(),
            })
            .await
    }

    /// Renames a namespace.
    ///
    /// # Errors
    /// `NamespaceNotFound`, `NamespaceExists`.
    pub async fn rename_namespace(&self, from: &str, to: &str) -> Result<()> {
        check_name("namespace", to)?;
        self.conn
            .call(&proxy::AccumuloProxyRenameNamespaceArgs {
                login: self.login(),
                old_namespace_name: from.to_owned(),
                new_namespace_name: to.to_owned(),
            })
            .await
    }

    /// The namespace's properties.
    ///
    /// # Errors
    /// `NamespaceNotFound`.
    pub async fn namespace_properties(&self, name: &str) -> Result<BTreeMap<String, String>> {
        self.conn
            .call(&proxy::AccumuloProxyGetNamespacePropertiesArgs {
                login: self.login(),
                namespace_name: name.to_owned(),
            })
            .await
    }

    /// Sets one namespace property.
    ///
    /// # Errors
    /// `NamespaceNotFound`.
    pub async fn set_namespace_property(&self, name: &str, key: &str, value: &str) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxySetNamespacePropertyArgs {
                login: self.login(),
                namespace_name: name.to_owned(),
                property: key.to_owned(),
                value: value.to_owned(),
            })
            .await
    }

    // ---- users and permissions ----

    /// Creates a local user with a password.
    ///
    /// # Errors
    /// `Security` (no permission, or the user exists).
    pub async fn create_local_user(&self, user: &str, password: &str) -> Result<()> {
        check_name("user", user)?;
        self.conn
            .call(&proxy::AccumuloProxyCreateLocalUserArgs {
                login: self.login(),
                user: user.to_owned(),
                password: password.as_bytes().to_vec(),
            })
            .await
    }

    /// Drops a local user.
    ///
    /// # Errors
    /// `Security`.
    pub async fn drop_local_user(&self, user: &str) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyDropLocalUserArgs {
                login: self.login(),
                user: user.to_owned(),
            })
            .await
    }

    /// Every local user.
    ///
    /// # Errors
    /// `Security`.
    pub async fn list_local_users(&self) -> Result<BTreeSet<String>> {
        self.conn
            .call(&proxy::AccumuloProxyListLocalUsersArgs {
                login: self.login(),
            })
            .await
    }

    /// Changes a local user's password.
    ///
    /// # Errors
    /// `Security`.
    pub async fn change_local_user_password(&self, user: &str, password: &str) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyChangeLocalUserPasswordArgs {
                login: self.login(),
                user: user.to_owned(),
                password: password.as_bytes().to_vec(),
            })
            .await
    }

    /// Whether `user` authenticates with `password`.
    ///
    /// # Errors
    /// `Security`.
    pub async fn authenticate_user(&self, user: &str, password: &str) -> Result<bool> {
        self.conn
            .call(&proxy::AccumuloProxyAuthenticateUserArgs {
                login: self.login(),
                user: user.to_owned(),
                properties: BTreeMap::from([("password".to_owned(), password.to_owned())]),
            })
            .await
    }

    /// Replaces the authorizations `user` holds.
    ///
    /// # Errors
    /// `InvalidInput` for an empty authorization; `Security`.
    pub async fn change_user_authorizations(
        &self,
        user: &str,
        auths: &Authorizations,
    ) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyChangeUserAuthorizationsArgs {
                login: self.login(),
                user: user.to_owned(),
                authorizations: auths.to_wire()?,
            })
            .await
    }

    /// The authorizations `user` holds.
    ///
    /// # Errors
    /// `Security`.
    pub async fn user_authorizations(&self, user: &str) -> Result<Authorizations> {
        self.conn
            .call(&proxy::AccumuloProxyGetUserAuthorizationsArgs {
                login: self.login(),
                user: user.to_owned(),
            })
            .await
            .map(Authorizations::from_wire)
    }

    /// Grants a system permission.
    ///
    /// # Errors
    /// `Security`.
    pub async fn grant_system_permission(&self, user: &str, perm: SystemPermission) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyGrantSystemPermissionArgs {
                login: self.login(),
                user: user.to_owned(),
                perm,
            })
            .await
    }

    /// Revokes a system permission.
    ///
    /// # Errors
    /// `Security`.
    pub async fn revoke_system_permission(&self, user: &str, perm: SystemPermission) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyRevokeSystemPermissionArgs {
                login: self.login(),
                user: user.to_owned(),
                perm,
            })
            .await
    }

    /// Whether `user` holds a system permission.
    ///
    /// # Errors
    /// `Security`.
    pub async fn has_system_permission(&self, user: &str, perm: SystemPermission) -> Result<bool> {
        self.conn
            .call(&proxy::AccumuloProxyHasSystemPermissionArgs {
                login: self.login(),
                user: user.to_owned(),
                perm,
            })
            .await
    }

    /// Grants a permission on a table.
    ///
    /// # Errors
    /// `Security`, `TableNotFound`.
    pub async fn grant_table_permission(
        &self,
        user: &str,
        table: &str,
        perm: TablePermission,
    ) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyGrantTablePermissionArgs {
                login: self.login(),
                user: user.to_owned(),
                table: table.to_owned(),
                perm,
            })
            .await
    }

    /// Revokes a permission on a table.
    ///
    /// # Errors
    /// `Security`, `TableNotFound`.
    pub async fn revoke_table_permission(
        &self,
        user: &str,
        table: &str,
        perm: TablePermission,
    ) -> Result<()> {
        self.conn
            .call(&proxy::AccumuloProxyRevokeTablePermissionArgs {
                login: self.login(),
                user: user.to_owned(),
                table: table.to_owned(),
                perm,
            })
            .await
    }

    /// Whether `user` holds a permission on a table.
    ///
    /// # Errors
    /// `Security`, `TableNotFound`.
    pub async fn has_table_permission(
        &self,
        user: &str,
        table: &str,
        perm: TablePermission,
    ) -> Result<bool> {
        self.conn
            .call(&proxy::AccumuloProxyHasTablePermissionArgs {
                login: self.login(),
                user: user.to_owned(),
                table: table.to_owned(),
                perm,
            })
            .await
    }
}
