//! Thrift2 administration: table descriptors, namespaces, regions.

use std::collections::BTreeMap;

use bytes::Bytes;
use hbase_orm_idl::hbase2::{
    TBloomFilterType, TColumnFamilyDescriptor, TCompressionAlgorithm, TDataBlockEncoding,
    TDurability, THRegionInfo, THRegionLocation, TKeepDeletedCells, TNamespaceDescriptor,
    TServerName, TTableDescriptor, TTableName,
};
use hbase_orm_idl::thrift;
use regex_automata::meta::Regex;

use super::{internal_error, io_error, store_error, to_string_binary, Thrift2Handler};
use crate::store::{FamilySpec, StoreError, TableInfo};

/// HBase's default block size of a family.
const DEFAULT_BLOCK_SIZE: i32 = 64 * 1024;

/// The name a table is stored under: `qualifier` in the default namespace,
/// `ns:qualifier` elsewhere.
pub(super) fn full_name(name: &TTableName) -> Bytes {
    match name.ns.as_deref() {
        None | Some(b"") | Some(b"default") => Bytes::copy_from_slice(&name.qualifier),
        Some(ns) => {
            let mut full = ns.to_vec();
            full.push(b':');
            full.extend_from_slice(&name.qualifier);
            Bytes::from(full)
        }
    }
}

/// Splits a stored name into namespace and qualifier.
fn table_name(full: &[u8]) -> TTableName {
    match full.iter().position(|&b| b == b':') {
        Some(at) => TTableName::new(full[..at].to_vec(), full[at + 1..].to_vec()),
        None => TTableName::new(b"default".to_vec(), full.to_vec()),
    }
}

fn namespace_of(full: &[u8]) -> &[u8] {
    match full.iter().position(|&b| b == b':') {
        Some(at) => &full[..at],
        None => b"default",
    }
}

fn compression(name: &str) -> TCompressionAlgorithm {
    match name {
        "LZO" => TCompressionAlgorithm::LZO,
        "GZ" => TCompressionAlgorithm::GZ,
        "SNAPPY" => TCompressionAlgorithm::SNAPPY,
        "LZ4" => TCompressionAlgorithm::LZ4,
        "BZIP2" => TCompressionAlgorithm::BZIP2,
        "ZSTD" => TCompressionAlgorithm::ZSTD,
        _ => TCompressionAlgorithm::NONE,
    }
}

fn compression_name(c: TCompressionAlgorithm) -> thrift::Result<&'static str> {
    Ok(match c {
        TCompressionAlgorithm::LZO => "LZO",
        TCompressionAlgorithm::GZ => "GZ",
        TCompressionAlgorithm::NONE => "NONE",
        TCompressionAlgorithm::SNAPPY => "SNAPPY",
        TCompressionAlgorithm::LZ4 => "LZ4",
        TCompressionAlgorithm::BZIP2 => "BZIP2",
        TCompressionAlgorithm::ZSTD => "ZSTD",
        other => {
            return Err(internal_error(format!(
                "unknown TCompressionAlgorithm {}",
                other.0
            )))
        }
    })
}

fn bloom(name: &str) -> TBloomFilterType {
    match name {
        "NONE" => TBloomFilterType::NONE,
        "ROWCOL" => TBloomFilterType::ROWCOL,
        "ROWPREFIX_FIXED_LENGTH" => TBloomFilterType::ROWPREFIX_FIXED_LENGTH,
        _ => TBloomFilterType::ROW,
    }
}

fn bloom_name(b: TBloomFilterType) -> thrift::Result<&'static str> {
    Ok(match b {
        TBloomFilterType::NONE => "NONE",
        TBloomFilterType::ROW => "ROW",
        TBloomFilterType::ROWCOL => "ROWCOL",
        TBloomFilterType::ROWPREFIX_FIXED_LENGTH => "ROWPREFIX_FIXED_LENGTH",
        other => {
            return Err(internal_error(format!(
                "unknown TBloomFilterType {}",
                other.0
            )))
        }
    })
}

/// The descriptor of a family, with HBase's defaults for what the
/// emulator does not keep.
fn family_descriptor(spec: &FamilySpec) -> TColumnFamilyDescriptor {
    TColumnFamilyDescriptor {
        name: spec.name.to_vec(),
        attributes: Some(family_values(spec)),
        // HBase 2.6 leaves the configuration out when the family has none.
        configuration: None,
        block_size: Some(DEFAULT_BLOCK_SIZE),
        bloomn_filter_type: Some(bloom(&spec.bloom_filter_type)),
        compression_type: Some(compression(&spec.compression)),
        dfs_replication: Some(0),
        data_block_encoding: Some(TDataBlockEncoding::NONE),
        keep_deleted_cells: Some(TKeepDeletedCells::FALSE),
        max_versions: Some(spec.max_versions),
        min_versions: Some(0),
        scope: Some(0),
        time_to_live: Some(spec.time_to_live),
        block_cache_enabled: Some(spec.block_cache_enabled),
        cache_blooms_on_write: Some(false),
        cache_data_on_write: Some(false),
        cache_indexes_on_write: Some(false),
        compress_tags: Some(true),
        evict_blocks_on_close: Some(false),
        in_memory: Some(spec.in_memory),
    }
}

/// The family's values as HBase lists them in `attributes`: every setting
/// by its descriptor key, defaults included.
fn family_values(spec: &FamilySpec) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let bloom = bloom(&spec.bloom_filter_type);
    let compression = compression(&spec.compression);
    let values = [
        ("BLOCKCACHE", spec.block_cache_enabled.to_string()),
        ("BLOCKSIZE", DEFAULT_BLOCK_SIZE.to_string()),
        ("BLOOMFILTER", bloom_name(bloom).unwrap_or("ROW").to_owned()),
        (
            "COMPRESSION",
            compression_name(compression).unwrap_or("NONE").to_owned(),
        ),
        ("DATA_BLOCK_ENCODING", "NONE".to_owned()),
        ("INDEX_BLOCK_ENCODING", "NONE".to_owned()),
        ("IN_MEMORY", spec.in_memory.to_string()),
        ("KEEP_DELETED_CELLS", "FALSE".to_owned()),
        ("MIN_VERSIONS", "0".to_owned()),
        ("REPLICATION_SCOPE", "0".to_owned()),
        ("TTL", spec.time_to_live.to_string()),
        ("VERSIONS", spec.max_versions.to_string()),
    ];
    values
        .into_iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.into_bytes()))
        .collect()
}

/// A family to create, with HBase 2's defaults (1 version, ROW bloom
/// filter, no compression, block cache on, no TTL).
fn family_spec(d: TColumnFamilyDescriptor) -> thrift::Result<FamilySpec> {
    if d.name.is_empty() {
        return Err(internal_error(
            "java.lang.IllegalArgumentException: Column Family name can not be empty",
        ));
    }
    let max_versions = d.max_versions.unwrap_or(1);
    if max_versions < 1 {
        return Err(io_error(
            format!(
                "org.apache.hadoop.hbase.DoNotRetryIOException: Maximum versions must be positive, family {}",
                to_string_binary(&d.name)
            ),
            false,
        ));
    }
    let time_to_live = match d.time_to_live {
        Some(ttl) if ttl > 0 => ttl,
        _ => i32::MAX,
    };
    Ok(FamilySpec {
        name: Bytes::from(d.name),
        max_versions,
        compression: compression_name(d.compression_type.unwrap_or(TCompressionAlgorithm::NONE))?
            .to_owned(),
        in_memory: d.in_memory.unwrap_or(false),
        bloom_filter_type: bloom_name(d.bloomn_filter_type.unwrap_or(TBloomFilterType::ROW))?
            .to_owned(),
        block_cache_enabled: d.block_cache_enabled.unwrap_or(true),
        time_to_live,
    })
}

fn descriptor(info: &TableInfo) -> TTableDescriptor {
    TTableDescriptor {
        table_name: table_name(&info.name),
        columns: Some(info.families.iter().map(family_descriptor).collect()),
        // What HBase 2.6 lists for a user table created without attributes.
        attributes: Some(
            [
                ("IS_META", "false"),
                ("hbase.store.file-tracker.impl", "DEFAULT"),
            ]
            .into_iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect(),
        ),
        durability: Some(TDurability::USE_DEFAULT),
    }
}

fn namespace_not_found(name: &str) -> thrift::Error {
    io_error(
        format!("org.apache.hadoop.hbase.NamespaceNotFoundException: {name}"),
        false,
    )
}

impl Thrift2Handler {
    pub(super) fn table_descriptor(&self, name: &TTableName) -> thrift::Result<TTableDescriptor> {
        let info = self.store().table(&full_name(name)).map_err(store_error)?;
        Ok(descriptor(&info))
    }

    /// Tables whose full name matches `regex` entirely (every table for an
    /// empty or absent one). The emulator has no system tables.
    pub(super) fn descriptors_by_pattern(
        &self,
        regex: &str,
        _include_sys_tables: bool,
    ) -> thrift::Result<Vec<TTableDescriptor>> {
        let pattern = if regex.is_empty() {
            None
        } else {
            Some(Regex::new(&format!("^(?:{regex})$")).map_err(|e| {
                internal_error(format!(
                    "java.util.regex.PatternSyntaxException: {e} near index 0\n{regex}"
                ))
            })?)
        };
        Ok(self
            .store()
            .tables()
            .iter()
            .filter(|t| {
                pattern.as_ref().map_or(true, |p| {
                    p.is_match(String::from_utf8_lossy(&t.name).as_ref())
                })
            })
            .map(descriptor)
            .collect())
    }

    pub(super) fn descriptors_in_namespace(
        &self,
        name: &str,
    ) -> thrift::Result<Vec<TTableDescriptor>> {
        if !self.namespaces().contains_key(name) {
            return Err(namespace_not_found(name));
        }
        Ok(self
            .store()
            .tables()
            .iter()
            .filter(|t| namespace_of(&t.name) == name.as_bytes())
            .map(descriptor)
            .collect())
    }

    pub(super) fn create_table(&self, desc: TTableDescriptor) -> thrift::Result<()> {
        let name = full_name(&desc.table_name);
        if desc.table_name.qualifier.is_empty() {
            return Err(internal_error(
                "java.lang.IllegalArgumentException: Table qualifier must not be empty",
            ));
        }
        // HBase's TableName: word characters, `_`, `-` and `.`, not starting
        // with `.` or `-` (an undeclared IllegalArgumentException).
        let qualifier = &desc.table_name.qualifier;
        let legal = qualifier
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
        if !legal || qualifier[0] == b'.' || qualifier[0] == b'-' {
            return Err(internal_error(format!(
                "java.lang.IllegalArgumentException: Illegal character in table name {:?}: only word characters, '_', '-' and '.' are allowed",
                String::from_utf8_lossy(qualifier)
            )));
        }
        let ns = String::from_utf8_lossy(namespace_of(&name)).into_owned();
        if !self.namespaces().contains_key(&ns) {
            return Err(namespace_not_found(&ns));
        }
        let families = desc
            .columns
            .unwrap_or_default()
            .into_iter()
            .map(family_spec)
            .collect::<thrift::Result<Vec<_>>>()?;
        for (i, f) in families.iter().enumerate() {
            if families[..i].iter().any(|g| g.name == f.name) {
                // HBase's TableDescriptorBuilder refuses a family given twice
                // (an undeclared IllegalArgumentException).
                return Err(internal_error(format!(
                    "java.lang.IllegalArgumentException: Column family '{}' already exists so cannot be added",
                    String::from_utf8_lossy(&f.name)
                )));
            }
        }
        if families.is_empty() {
            return Err(io_error(
                "org.apache.hadoop.hbase.DoNotRetryIOException: Table should have at least one column family. Set hbase.table.sanity.checks to false at conf or table descriptor if you want to bypass sanity checks",
                false,
            ));
        }
        self.store()
            .create_table(name, families)
            .map_err(store_error)
    }

    /// `truncateTable`: a disabled table is emptied and enabled again.
    pub(super) fn truncate_table(&self, name: &TTableName) -> thrift::Result<()> {
        let full = full_name(name);
        let info = self.store().table(&full).map_err(store_error)?;
        if info.enabled {
            return Err(store_error(StoreError::TableNotDisabled(full)));
        }
        self.store().delete_table(&full).map_err(store_error)?;
        self.inner.labels.forget_table(&full);
        self.store()
            .create_table(full, info.families)
            .map_err(store_error)
    }

    /// The location of the table's single region.
    pub(super) fn region_location(&self, table: &[u8]) -> thrift::Result<THRegionLocation> {
        let info = self.store().table(table).map_err(store_error)?;
        Ok(THRegionLocation {
            server_name: TServerName::new(
                self.inner.server_name.clone(),
                self.inner.port,
                info.region_id,
            ),
            region_info: THRegionInfo {
                region_id: info.region_id,
                table_name: info.name.to_vec(),
                start_key: Some(Vec::new()),
                end_key: Some(Vec::new()),
                offline: Some(false),
                split: Some(false),
                replica_id: Some(0),
            },
        })
    }

    pub(super) fn create_namespace(&self, desc: TNamespaceDescriptor) -> thrift::Result<()> {
        if desc.name.is_empty()
            || !desc
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(internal_error(format!(
                "java.lang.IllegalArgumentException: Illegal character in namespace name {:?}: only letters, digits and _",
                desc.name
            )));
        }
        let mut namespaces = self.namespaces();
        if namespaces.contains_key(&desc.name) {
            return Err(io_error(
                format!(
                    "org.apache.hadoop.hbase.NamespaceExistException: {}",
                    desc.name
                ),
                false,
            ));
        }
        namespaces.insert(desc.name, desc.configuration.unwrap_or_default());
        Ok(())
    }

    pub(super) fn modify_namespace(&self, desc: TNamespaceDescriptor) -> thrift::Result<()> {
        let mut namespaces = self.namespaces();
        match namespaces.get_mut(&desc.name) {
            Some(conf) => {
                *conf = desc.configuration.unwrap_or_default();
                Ok(())
            }
            None => Err(namespace_not_found(&desc.name)),
        }
    }

    pub(super) fn delete_namespace(&self, name: &str) -> thrift::Result<()> {
        if name == "default" || name == "hbase" {
            return Err(io_error(
                format!("org.apache.hadoop.hbase.constraint.ConstraintException: Reserved namespace {name} cannot be removed."),
                false,
            ));
        }
        if !self.namespaces().contains_key(name) {
            return Err(namespace_not_found(name));
        }
        let tables = self
            .store()
            .tables()
            .iter()
            .filter(|t| namespace_of(&t.name) == name.as_bytes())
            .count();
        if tables > 0 {
            return Err(io_error(
                format!("org.apache.hadoop.hbase.constraint.ConstraintException: Only empty namespaces can be removed. Namespace {name} has {tables} tables"),
                false,
            ));
        }
        self.namespaces().remove(name);
        Ok(())
    }

    pub(super) fn namespace_descriptor(&self, name: &str) -> thrift::Result<TNamespaceDescriptor> {
        self.namespaces()
            .get(name)
            .map(|conf| TNamespaceDescriptor::new(name.to_owned(), conf.clone()))
            .ok_or_else(|| namespace_not_found(name))
    }
}
