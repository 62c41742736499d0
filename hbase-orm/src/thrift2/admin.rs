//! Table and namespace administration over Thrift2, with the full
//! descriptors: [`TableDescriptor`], [`FamilyDescriptor`],
//! [`NamespaceDescriptor`], and the admin methods of
//! [`Connection`](super::Connection).

use std::collections::BTreeMap;

use hbase_orm_idl::hbase2::{
    self as idl, TColumnFamilyDescriptor, TNamespaceDescriptor, TTableDescriptor, TTableName,
};

use super::connection::Connection;
use super::request::{attribute, bytes, Durability};
use crate::error::{Error, Result};

/// Compression of a column family's files (`NONE`, `GZ`, `SNAPPY`, `LZ4`,
/// `ZSTD`, `LZO`, `BZIP2`).
pub type Compression = idl::TCompressionAlgorithm;
/// A column family's bloom filter (`NONE`, `ROW`, `ROWCOL`,
/// `ROWPREFIX_FIXED_LENGTH`).
pub type BloomFilter = idl::TBloomFilterType;
/// A column family's block encoding (`NONE`, `PREFIX`, `DIFF`,
/// `FAST_DIFF`, `ROW_INDEX_V1`).
pub type DataBlockEncoding = idl::TDataBlockEncoding;
/// Whether deleted cells stay readable by time-range reads (`FALSE`,
/// `TRUE`, `TTL`).
pub type KeepDeletedCells = idl::TKeepDeletedCells;

/// `namespace:table` or `table` as the gateway's `TTableName`.
///
/// # Errors
/// [`Error::InvalidInput`] for an empty name or namespace.
pub(crate) fn table_name(name: &str) -> Result<TTableName> {
    let (ns, qualifier) = match name.split_once(':') {
        Some((ns, q)) => (Some(ns), q),
        None => (None, name),
    };
    if qualifier.is_empty() || ns.is_some_and(str::is_empty) {
        return Err(Error::InvalidInput(format!(
            "table name {name:?}: expected `table` or `namespace:table`"
        )));
    }
    Ok(TTableName {
        ns: ns.map(bytes),
        qualifier: bytes(qualifier),
    })
}

/// `namespace:table` (or `table` in the default namespace) of a
/// `TTableName`.
pub(crate) fn name_of(t: &TTableName) -> String {
    let q = String::from_utf8_lossy(&t.qualifier);
    match t.ns.as_deref() {
        Some(ns) if !ns.is_empty() && ns != b"default" => {
            format!("{}:{q}", String::from_utf8_lossy(ns))
        }
        _ => q.into_owned(),
    }
}

/// A column family and every option the gateway carries.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::{BloomFilter, Compression, FamilyDescriptor};
/// let cf = FamilyDescriptor::new("cf")
///     .max_versions(3)
///     .time_to_live(86_400)
///     .compression(Compression::GZ)
///     .bloom_filter(BloomFilter::ROW)
///     .in_memory(true);
/// assert_eq!(cf.name(), b"cf");
/// assert_eq!(cf.wire().max_versions, Some(3));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyDescriptor(TColumnFamilyDescriptor);

macro_rules! family_options {
    ($($(#[$doc:meta])* $name:ident: $field:ident, $ty:ty;)*) => {
        impl FamilyDescriptor {$(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> FamilyDescriptor {
                self.0.$field = Some(value);
                self
            }
        )*}
    };
}

family_options! {
    /// Versions kept of each cell.
    max_versions: max_versions, i32;
    /// Versions kept even past the time to live.
    min_versions: min_versions, i32;
    /// Seconds a cell lives.
    time_to_live: time_to_live, i32;
    /// The block size in bytes.
    block_size: block_size, i32;
    /// The bloom filter.
    bloom_filter: bloomn_filter_type, BloomFilter;
    /// The compression.
    compression: compression_type, Compression;
    /// The HDFS replication of the family's files.
    dfs_replication: dfs_replication, i16;
    /// The block encoding.
    data_block_encoding: data_block_encoding, DataBlockEncoding;
    /// Whether deleted cells stay readable.
    keep_deleted_cells: keep_deleted_cells, KeepDeletedCells;
    /// The replication scope (0 local, 1 global).
    scope: scope, i32;
    /// Whether reads cache blocks.
    block_cache_enabled: block_cache_enabled, bool;
    /// Whether bloom blocks are cached on write.
    cache_blooms_on_write: cache_blooms_on_write, bool;
    /// Whether data blocks are cached on write.
    cache_data_on_write: cache_data_on_write, bool;
    /// Whether index blocks are cached on write.
    cache_indexes_on_write: cache_indexes_on_write, bool;
    /// Whether tags are compressed.
    compress_tags: compress_tags, bool;
    /// Whether blocks are evicted when a file closes.
    evict_blocks_on_close: evict_blocks_on_close, bool;
    /// Whether the family is kept in memory with priority.
    in_memory: in_memory, bool;
}

impl FamilyDescriptor {
    /// Family `name` with the server's defaults.
    pub fn new(name: impl AsRef<[u8]>) -> FamilyDescriptor {
        FamilyDescriptor(TColumnFamilyDescriptor {
            name: bytes(name),
            attributes: None,
            configuration: None,
            block_size: None,
            bloomn_filter_type: None,
            compression_type: None,
            dfs_replication: None,
            data_block_encoding: None,
            keep_deleted_cells: None,
            max_versions: None,
            min_versions: None,
            scope: None,
            time_to_live: None,
            block_cache_enabled: None,
            cache_blooms_on_write: None,
            cache_data_on_write: None,
            cache_indexes_on_write: None,
            compress_tags: None,
            evict_blocks_on_close: None,
            in_memory: None,
        })
    }

    /// A raw attribute of the family descriptor.
    pub fn attribute(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        attribute(&mut self.0.attributes, name.as_ref(), value.as_ref());
        self
    }

    /// A configuration entry of the family.
    pub fn configuration(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0
            .configuration
            .get_or_insert_with(BTreeMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// The family's name.
    pub fn name(&self) -> &[u8] {
        &self.0.name
    }

    /// The descriptor as the gateway sends it (every field).
    pub fn wire(&self) -> &TColumnFamilyDescriptor {
        &self.0
    }

    /// A descriptor from the gateway's struct.
    pub fn from_wire(d: TColumnFamilyDescriptor) -> FamilyDescriptor {
        FamilyDescriptor(d)
    }
}

/// A table: its name, families, attributes and durability.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::{Durability, FamilyDescriptor, TableDescriptor};
/// let t = TableDescriptor::new("app:events")
///     .family(FamilyDescriptor::new("d").max_versions(1))
///     .durability(Durability::ASYNC_WAL);
/// assert_eq!(t.name(), "app:events");
/// assert_eq!(t.families().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TableDescriptor {
    name: String,
    families: Vec<FamilyDescriptor>,
    attributes: BTreeMap<Vec<u8>, Vec<u8>>,
    durability: Option<Durability>,
}

impl TableDescriptor {
    /// Table `name` (`namespace:table` or `table`), no family yet.
    pub fn new(name: impl Into<String>) -> TableDescriptor {
        TableDescriptor {
            name: name.into(),
            families: Vec::new(),
            attributes: BTreeMap::new(),
            durability: None,
        }
    }

    /// Adds a column family.
    pub fn family(mut self, family: FamilyDescriptor) -> Self {
        self.families.push(family);
        self
    }

    /// A table attribute (such as `MAX_FILESIZE`).
    pub fn attribute(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        self.attributes.insert(bytes(name), bytes(value));
        self
    }

    /// The table's default durability.
    pub fn durability(mut self, durability: Durability) -> Self {
        self.durability = Some(durability);
        self
    }

    /// The table's name, `namespace:table` (or `table` in the default
    /// namespace).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The families.
    pub fn families(&self) -> &[FamilyDescriptor] {
        &self.families
    }

    /// The family named `name`.
    pub fn family_named(&self, name: impl AsRef<[u8]>) -> Option<&FamilyDescriptor> {
        self.families.iter().find(|f| f.name() == name.as_ref())
    }

    /// The table attributes.
    pub fn attributes(&self) -> &BTreeMap<Vec<u8>, Vec<u8>> {
        &self.attributes
    }

    /// The table's durability, when set.
    pub fn durability_setting(&self) -> Option<Durability> {
        self.durability
    }

    /// The descriptor as the gateway's struct.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad table name.
    pub fn to_wire(&self) -> Result<TTableDescriptor> {
        Ok(TTableDescriptor {
            table_name: table_name(&self.name)?,
            columns: Some(self.families.iter().map(|f| f.0.clone()).collect()),
            attributes: (!self.attributes.is_empty()).then(|| self.attributes.clone()),
            durability: self.durability,
        })
    }

    /// A descriptor from the gateway's struct.
    pub fn from_wire(d: TTableDescriptor) -> TableDescriptor {
        TableDescriptor {
            name: name_of(&d.table_name),
            families: d
                .columns
                .unwrap_or_default()
                .into_iter()
                .map(FamilyDescriptor)
                .collect(),
            attributes: d.attributes.unwrap_or_default(),
            durability: d.durability,
        }
    }
}

/// A namespace and its configuration.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::NamespaceDescriptor;
/// let ns = NamespaceDescriptor::new("app").configuration("hbase.namespace.quota.maxtables", "10");
/// assert_eq!(ns.name, "app");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDescriptor {
    /// The namespace.
    pub name: String,
    /// Its configuration.
    pub configuration: BTreeMap<String, String>,
}

impl NamespaceDescriptor {
    /// Namespace `name`, no configuration.
    pub fn new(name: impl Into<String>) -> NamespaceDescriptor {
        NamespaceDescriptor {
            name: name.into(),
            configuration: BTreeMap::new(),
        }
    }

    /// A configuration entry.
    pub fn configuration(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.configuration.insert(key.into(), value.into());
        self
    }

    fn wire(&self) -> TNamespaceDescriptor {
        TNamespaceDescriptor {
            name: self.name.clone(),
            configuration: (!self.configuration.is_empty()).then(|| self.configuration.clone()),
        }
    }

    fn from_wire(d: TNamespaceDescriptor) -> NamespaceDescriptor {
        NamespaceDescriptor {
            name: d.name,
            configuration: d.configuration.unwrap_or_default(),
        }
    }
}

fn non_empty(what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::InvalidInput(format!("{what} name is empty")));
    }
    Ok(())
}

/// The calls that take a table's name and nothing else: `fn name ->
/// Output = ArgsType;`, each with the docs given.
macro_rules! table_name_calls {
    ($($(#[$doc:meta])* fn $name:ident -> $out:ty = $args:ident;)*) => {$(
        $(#[$doc])*
        pub async fn $name(&self, name: &str) -> Result<$out> {
            self.call(&idl::$args {
                table_name: table_name(name)?,
            })
            .await
        }
    )*};
}

/// Admin calls. Table names are `namespace:table` or `table`; a missing
/// table is an [`Error::Server`] whose [`kind`](Error::kind) is
/// [`ErrorKind::NotFound`](crate::error::ErrorKind::NotFound).
impl Connection {
    /// Creates a table, pre-split at `split_keys` (none: one region).
    ///
    /// # Errors
    /// [`Error::Server`] when it exists or the descriptor is refused (no
    /// family), [`Error::InvalidInput`] for a bad name, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::thrift2::{Connection, FamilyDescriptor, TableDescriptor};
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// let conn = Connection::builder().build();
    /// let t = TableDescriptor::new("events").family(FamilyDescriptor::new("d").max_versions(3));
    /// conn.create_table(&t, &[b"m".to_vec()]).await?;
    /// assert!(conn.table_exists("events").await?);
    /// # Ok(()) }
    /// ```
    pub async fn create_table(
        &self,
        table: &TableDescriptor,
        split_keys: &[Vec<u8>],
    ) -> Result<()> {
        if table.families.is_empty() {
            return Err(Error::InvalidInput(format!(
                "table {:?} has no column family",
                table.name
            )));
        }
        self.call(&idl::THBaseServiceCreateTableArgs {
            desc: table.to_wire()?,
            split_keys: split_keys.to_vec(),
        })
        .await
    }

    table_name_calls! {
        /// Deletes a table (it must be disabled first).
        ///
        /// # Errors
        /// [`Error::Server`] for a missing or enabled table.
        fn delete_table -> () = THBaseServiceDeleteTableArgs;
        /// Enables a table.
        ///
        /// # Errors
        /// [`Error::Server`] for a missing or enabled table.
        fn enable_table -> () = THBaseServiceEnableTableArgs;
        /// Disables a table.
        ///
        /// # Errors
        /// [`Error::Server`] for a missing or disabled table.
        fn disable_table -> () = THBaseServiceDisableTableArgs;
        /// Whether a table exists.
        ///
        /// # Errors
        /// Connection errors.
        fn table_exists -> bool = THBaseServiceTableExistsArgs;
        /// Whether a table is enabled.
        ///
        /// # Errors
        /// [`Error::Server`] for a missing table.
        fn is_table_enabled -> bool = THBaseServiceIsTableEnabledArgs;
        /// Whether a table is disabled.
        ///
        /// # Errors
        /// [`Error::Server`] for a missing table.
        fn is_table_disabled -> bool = THBaseServiceIsTableDisabledArgs;
        /// Whether every region of a table is online.
        ///
        /// # Errors
        /// Connection errors.
        fn is_table_available -> bool = THBaseServiceIsTableAvailableArgs;
    }

    /// Empties a table (it must be disabled first; it is enabled after),
    /// keeping its region boundaries when `preserve_splits`.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing or enabled table.
    pub async fn truncate_table(&self, name: &str, preserve_splits: bool) -> Result<()> {
        self.call(&idl::THBaseServiceTruncateTableArgs {
            table_name: table_name(name)?,
            preserve_splits,
        })
        .await
    }

    /// The descriptor of a table.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table.
    pub async fn table_descriptor(&self, name: &str) -> Result<TableDescriptor> {
        let d = self
            .call(&idl::THBaseServiceGetTableDescriptorArgs {
                table: table_name(name)?,
            })
            .await?;
        Ok(TableDescriptor::from_wire(d))
    }

    /// The descriptors of several tables.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table.
    pub async fn table_descriptors(&self, names: &[&str]) -> Result<Vec<TableDescriptor>> {
        let tables = names.iter().map(|n| table_name(n)).collect::<Result<_>>()?;
        let ds = self
            .call(&idl::THBaseServiceGetTableDescriptorsArgs { tables })
            .await?;
        Ok(ds.into_iter().map(TableDescriptor::from_wire).collect())
    }

    /// The descriptors of the tables whose name matches the Java regular
    /// expression `regex` (system tables too when `include_system`).
    ///
    /// # Errors
    /// Connection errors, a bad expression.
    pub async fn table_descriptors_matching(
        &self,
        regex: &str,
        include_system: bool,
    ) -> Result<Vec<TableDescriptor>> {
        let ds = self
            .call(&idl::THBaseServiceGetTableDescriptorsByPatternArgs {
                regex: regex.to_owned(),
                include_sys_tables: include_system,
            })
            .await?;
        Ok(ds.into_iter().map(TableDescriptor::from_wire).collect())
    }

    /// The descriptors of the tables of a namespace.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing namespace.
    pub async fn table_descriptors_in(&self, namespace: &str) -> Result<Vec<TableDescriptor>> {
        let ds = self
            .call(&idl::THBaseServiceGetTableDescriptorsByNamespaceArgs {
                name: namespace.to_owned(),
            })
            .await?;
        Ok(ds.into_iter().map(TableDescriptor::from_wire).collect())
    }

    /// The names (`namespace:table` or `table`) of the tables matching
    /// `regex`.
    ///
    /// # Errors
    /// Connection errors, a bad expression.
    pub async fn table_names_matching(
        &self,
        regex: &str,
        include_system: bool,
    ) -> Result<Vec<String>> {
        let names = self
            .call(&idl::THBaseServiceGetTableNamesByPatternArgs {
                regex: regex.to_owned(),
                include_sys_tables: include_system,
            })
            .await?;
        Ok(names.iter().map(name_of).collect())
    }

    /// The names of the tables of a namespace.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing namespace.
    pub async fn table_names_in(&self, namespace: &str) -> Result<Vec<String>> {
        let names = self
            .call(&idl::THBaseServiceGetTableNamesByNamespaceArgs {
                name: namespace.to_owned(),
            })
            .await?;
        Ok(names.iter().map(name_of).collect())
    }

    /// Replaces a table's descriptor.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table or a refused descriptor.
    pub async fn modify_table(&self, table: &TableDescriptor) -> Result<()> {
        self.call(&idl::THBaseServiceModifyTableArgs {
            desc: table.to_wire()?,
        })
        .await
    }

    /// Adds a column family to a table.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table or an existing family.
    pub async fn add_family(&self, table: &str, family: &FamilyDescriptor) -> Result<()> {
        self.call(&idl::THBaseServiceAddColumnFamilyArgs {
            table_name: table_name(table)?,
            column: family.0.clone(),
        })
        .await
    }

    /// Replaces the descriptor of a table's column family.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table or family.
    pub async fn modify_family(&self, table: &str, family: &FamilyDescriptor) -> Result<()> {
        self.call(&idl::THBaseServiceModifyColumnFamilyArgs {
            table_name: table_name(table)?,
            column: family.0.clone(),
        })
        .await
    }

    /// Deletes a column family from a table, with its data.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table or family.
    pub async fn delete_family(&self, table: &str, family: impl AsRef<[u8]>) -> Result<()> {
        self.call(&idl::THBaseServiceDeleteColumnFamilyArgs {
            table_name: table_name(table)?,
            column: bytes(family),
        })
        .await
    }

    /// Creates a namespace.
    ///
    /// # Errors
    /// [`Error::Server`] when it exists.
    pub async fn create_namespace(&self, namespace: &NamespaceDescriptor) -> Result<()> {
        non_empty("namespace", &namespace.name)?;
        self.call(&idl::THBaseServiceCreateNamespaceArgs {
            namespace_desc: namespace.wire(),
        })
        .await
    }

    /// Replaces a namespace's configuration.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing namespace.
    pub async fn modify_namespace(&self, namespace: &NamespaceDescriptor) -> Result<()> {
        non_empty("namespace", &namespace.name)?;
        self.call(&idl::THBaseServiceModifyNamespaceArgs {
            namespace_desc: namespace.wire(),
        })
        .await
    }

    /// Deletes an empty namespace.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing or non-empty namespace.
    pub async fn delete_namespace(&self, name: &str) -> Result<()> {
        non_empty("namespace", name)?;
        self.call(&idl::THBaseServiceDeleteNamespaceArgs {
            name: name.to_owned(),
        })
        .await
    }

    /// The descriptor of a namespace.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing namespace.
    pub async fn namespace(&self, name: &str) -> Result<NamespaceDescriptor> {
        non_empty("namespace", name)?;
        let d = self
            .call(&idl::THBaseServiceGetNamespaceDescriptorArgs {
                name: name.to_owned(),
            })
            .await?;
        Ok(NamespaceDescriptor::from_wire(d))
    }

    /// Every namespace's descriptor.
    ///
    /// # Errors
    /// Connection errors.
    pub async fn namespaces(&self) -> Result<Vec<NamespaceDescriptor>> {
        let ds = self
            .call(&idl::THBaseServiceListNamespaceDescriptorsArgs {})
            .await?;
        Ok(ds.into_iter().map(NamespaceDescriptor::from_wire).collect())
    }

    /// Every namespace's name.
    ///
    /// # Errors
    /// Connection errors.
    pub async fn namespace_names(&self) -> Result<Vec<String>> {
        self.call(&idl::THBaseServiceListNamespacesArgs {}).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_split_at_the_namespace() {
        let t = table_name("ns:t").unwrap();
        assert_eq!(t.ns.as_deref(), Some(&b"ns"[..]));
        assert_eq!(t.qualifier, b"t");
        assert_eq!(name_of(&t), "ns:t");
        let t = table_name("t").unwrap();
        assert_eq!(t.ns, None);
        assert_eq!(name_of(&t), "t");
        for bad in ["", ":t", "ns:"] {
            assert!(
                matches!(table_name(bad), Err(Error::InvalidInput(_))),
                "{bad}"
            );
        }
        let d = TTableName {
            ns: Some(b"default".to_vec()),
            qualifier: b"x".to_vec(),
        };
        assert_eq!(name_of(&d), "x");
    }
}
