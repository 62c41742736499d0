//! Admin calls: tables, families, regions, compaction, cluster and security.

use std::collections::BTreeMap;

use bytes::Bytes;
use hbase_orm_idl::hbase::{ColumnDescriptor, TRegionInfo, Text};
use hbase_orm_idl::thrift;

use super::{
    already_exists, illegal_argument, io_error, store_error, table_not_found, to_string_binary,
    HbaseHandler,
};
use crate::store::{FamilySpec, StoreError, TableInfo};

/// What `getClusterId` answers.
pub(super) const CLUSTER_ID: &str = "5ca1ab1e-0000-4000-8000-00000000e4b5";

/// HBase's `HREGION_VERSION`, reported in every region info.
const REGION_VERSION: i8 = 1;

/// Family `maxVersions` when the descriptor leaves it at 0 (the IDL default).
const DEFAULT_MAX_VERSIONS: i32 = 3;

/// Compression algorithms HBase knows, by lowercase name.
const COMPRESSIONS: &[&str] = &[
    "none", "gz", "lzo", "snappy", "lz4", "bzip2", "zstd", "lzma", "brotli",
];

/// Bloom filter types HBase knows (case-sensitive, as `BloomType.valueOf`).
const BLOOM_TYPES: &[&str] = &[
    "NONE",
    "ROW",
    "ROWCOL",
    "ROWPREFIX_FIXED_LENGTH",
    "ROWPREFIX_DELIMITED",
];

/// The error of `grant` / `revoke` on a server without the AccessController.
pub(super) fn security_not_available() -> thrift::Error {
    io_error(
        "org.apache.hadoop.hbase.DoNotRetryIOException: \
         java.lang.UnsupportedOperationException: \
         org.apache.hadoop.hbase.security.access.AccessController is not loaded",
        false,
    )
}

/// `table,,<region id>`.
fn region_name(info: &TableInfo) -> Vec<u8> {
    let mut name = info.name.to_vec();
    name.extend_from_slice(b",,");
    name.extend_from_slice(info.region_id.to_string().as_bytes());
    name
}

/// Checks a table name the way `TableName.valueOf` does (`[ns:]qualifier`,
/// letters, digits, `_`, `-`, `.`).
fn check_table_name(name: &[u8]) -> Result<(), String> {
    let (namespace, qualifier) = match name.iter().position(|&b| b == b':') {
        Some(i) => (Some(&name[..i]), &name[i + 1..]),
        None => (None, name),
    };
    if qualifier.is_empty() {
        return Err("Table qualifier must not be empty".into());
    }
    if qualifier[0] == b'.' || qualifier[0] == b'-' {
        return Err(format!(
            "Illegal first character <{}> at 0. User-space table qualifiers can only start \
             with 'alphanumeric characters' from any language: {}",
            char::from(qualifier[0]),
            to_string_binary(qualifier)
        ));
    }
    let legal = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    if let Some(namespace) = namespace {
        if namespace.is_empty()
            || !namespace
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            return Err(format!(
                "Illegal character in namespace of table name: {}",
                to_string_binary(name)
            ));
        }
    }
    if let Some(i) = qualifier.iter().position(|b| !legal(b)) {
        return Err(format!(
            "Illegal character code:{}, <{}> at {i}. User-space table qualifiers may only \
             contain 'alphanumeric characters' and digits: {}",
            qualifier[i],
            char::from(qualifier[i]),
            to_string_binary(qualifier)
        ));
    }
    Ok(())
}

/// Turns a Thrift column descriptor into family settings, with HBase's checks.
fn family_spec(cd: ColumnDescriptor) -> Result<FamilySpec, String> {
    let compression = cd.compression.unwrap_or_default();
    let compression = if compression.is_empty() {
        "none".to_owned()
    } else {
        compression.to_lowercase()
    };
    if !COMPRESSIONS.contains(&compression.as_str()) {
        return Err(format!(
            "java.lang.IllegalArgumentException: Unsupported compression algorithm name: \
             {compression}"
        ));
    }
    let bloom = cd.bloom_filter_type.unwrap_or_default();
    let bloom = if bloom.is_empty() {
        "NONE".to_owned()
    } else {
        bloom
    };
    if !BLOOM_TYPES.contains(&bloom.as_str()) {
        return Err(format!(
            "java.lang.IllegalArgumentException: No enum constant \
             org.apache.hadoop.hbase.regionserver.BloomType.{bloom}"
        ));
    }
    let name = cd.name.unwrap_or_default();
    if name.is_empty() {
        return Err("column name is empty".into());
    }
    let family = match name.iter().position(|&b| b == b':') {
        Some(i) => &name[..i],
        None => &name[..],
    };
    if family.is_empty() {
        return Err(
            "java.lang.IllegalArgumentException: Column Family name can not be empty".into(),
        );
    }
    if family[0] == b'.' {
        return Err(format!(
            "java.lang.IllegalArgumentException: Column Family names cannot start with a \
             period: {}",
            to_string_binary(family)
        ));
    }
    if family
        .iter()
        .any(|&b| b.is_ascii_control() || b == b'\\' || b == b'/')
    {
        return Err(format!(
            "java.lang.IllegalArgumentException: Illegal character in column family name: {}",
            to_string_binary(family)
        ));
    }
    let max_versions = match cd.max_versions.unwrap_or(0) {
        0 => DEFAULT_MAX_VERSIONS,
        n if n < 0 => {
            return Err(
                "java.lang.IllegalArgumentException: Maximum versions must be positive".into(),
            )
        }
        n => n,
    };
    let ttl = cd.time_to_live.unwrap_or(0);
    Ok(FamilySpec {
        name: Bytes::copy_from_slice(family),
        max_versions,
        compression: compression.to_uppercase(),
        in_memory: cd.in_memory.unwrap_or(false),
        bloom_filter_type: bloom,
        block_cache_enabled: cd.block_cache_enabled.unwrap_or(false),
        time_to_live: if ttl > 0 { ttl } else { i32::MAX },
    })
}

/// The Thrift descriptor of stored family settings (`name` with a colon).
fn column_descriptor(spec: &FamilySpec) -> ColumnDescriptor {
    let mut name = spec.name.to_vec();
    name.push(b':');
    ColumnDescriptor {
        name: Some(name),
        max_versions: Some(spec.max_versions),
        compression: Some(spec.compression.clone()),
        in_memory: Some(spec.in_memory),
        bloom_filter_type: Some(spec.bloom_filter_type.clone()),
        bloom_filter_vector_size: None,
        bloom_filter_nb_hashes: None,
        block_cache_enabled: Some(spec.block_cache_enabled),
        time_to_live: Some(spec.time_to_live),
    }
}

impl HbaseHandler {
    fn region(&self, info: &TableInfo) -> TRegionInfo {
        TRegionInfo::new(
            Vec::new(),
            Vec::new(),
            info.region_id,
            region_name(info),
            REGION_VERSION,
            self.inner.server_name.as_bytes().to_vec(),
            self.inner.port,
        )
    }

    pub(super) fn set_enabled(&self, table: &[u8], enabled: bool) -> thrift::Result<()> {
        self.store()
            .set_enabled(table, enabled)
            .map_err(|e| match e {
                // HBase names just the table when the state is already the asked one.
                StoreError::TableNotEnabled(t) => io_error(
                    format!(
                        "org.apache.hadoop.hbase.TableNotEnabledException: {}",
                        String::from_utf8_lossy(&t)
                    ),
                    false,
                ),
                e => store_error(e),
            })
    }

    pub(super) fn is_table_enabled(&self, table: &[u8]) -> thrift::Result<bool> {
        self.store()
            .table(table)
            .map(|t| t.enabled)
            .map_err(store_error)
    }

    /// `compact` / `majorCompact`: nothing to do in memory, but the name must
    /// be a table or one of its regions.
    pub(super) fn compact(&self, name: &[u8]) -> thrift::Result<()> {
        let known = self
            .store()
            .tables()
            .iter()
            .any(|t| t.name[..] == *name || region_name(t) == name);
        if known {
            Ok(())
        } else {
            Err(table_not_found(name))
        }
    }

    pub(super) fn table_names(&self) -> Vec<Text> {
        self.store()
            .tables()
            .into_iter()
            .map(|t| t.name.to_vec())
            .collect()
    }

    pub(super) fn table_names_with_enabled(&self) -> BTreeMap<Text, bool> {
        self.store()
            .tables()
            .into_iter()
            .map(|t| (t.name.to_vec(), t.enabled))
            .collect()
    }

    pub(super) fn column_descriptors(
        &self,
        table: &[u8],
    ) -> thrift::Result<BTreeMap<Text, ColumnDescriptor>> {
        let info = self.store().table(table).map_err(store_error)?;
        Ok(info
            .families
            .iter()
            .map(|f| {
                let cd = column_descriptor(f);
                (cd.name.clone().unwrap_or_default(), cd)
            })
            .collect())
    }

    pub(super) fn table_regions(&self, table: &[u8]) -> Vec<TRegionInfo> {
        match self.store().table(table) {
            Ok(info) => vec![self.region(&info)],
            Err(_) => Vec::new(),
        }
    }

    pub(super) fn create_table(
        &self,
        name: Text,
        families: Vec<ColumnDescriptor>,
    ) -> thrift::Result<()> {
        check_table_name(&name).map_err(illegal_argument)?;
        if self.store().table(&name).is_ok() {
            return Err(already_exists("table name already in use"));
        }
        if families.is_empty() {
            return Err(illegal_argument(
                "Table should have at least one column family.",
            ));
        }
        let mut specs: Vec<FamilySpec> = Vec::with_capacity(families.len());
        for cd in families {
            let spec = family_spec(cd).map_err(illegal_argument)?;
            if specs.iter().any(|s| s.name == spec.name) {
                return Err(illegal_argument(format!(
                    "java.lang.IllegalArgumentException: Column family '{}' already exists so \
                     cannot be added",
                    to_string_binary(&spec.name)
                )));
            }
            specs.push(spec);
        }
        self.store()
            .create_table(Bytes::from(name), specs)
            .map_err(store_error)
    }

    pub(super) fn delete_table(&self, table: &[u8]) -> thrift::Result<()> {
        self.store().delete_table(table).map_err(|e| match e {
            StoreError::TableNotFound(_) => {
                io_error("java.io.IOException: table does not exist", true)
            }
            e => store_error(e),
        })
    }

    /// `getRegionInfo`: the region whose `hbase:meta` row is the closest at or
    /// before `row` (a meta row key, `table,key,id`), as HBase's reverse scan
    /// of the meta table finds it.
    pub(super) fn region_info(&self, row: &[u8]) -> thrift::Result<TRegionInfo> {
        self.store()
            .tables()
            .iter()
            .map(|t| (region_name(t), t))
            .filter(|(name, _)| name[..] <= *row)
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, t)| self.region(t))
            .ok_or_else(|| {
                io_error(
                    format!(
                        "java.io.IOException: Cannot find row in hbase:meta, row={}",
                        to_string_binary(row)
                    ),
                    true,
                )
            })
    }
}
