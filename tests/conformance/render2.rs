//! How the Thrift2 service's replies are rendered for comparison, and how
//! its client is driven by a session ([`Gateway`]).
//!
//! Names are shown without the case's prefix and only the case's own tables
//! and namespaces are listed (plus whether HBase's two built-in namespaces
//! are there). Region locations show their key ranges; server names, region
//! ids and cluster ids are the server's own and are left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;

use hbase_orm_tests::hbase2::{
    TColumnFamilyDescriptor, TColumnValue, TDelete, THRegionLocation, TNamespaceDescriptor,
    TResult, TTHBaseServiceSyncClient, TTableDescriptor, TTableName, TThriftServerType,
};
use hbase_orm_tests::{thrift2_client, Thrift2Client, Wire};

use crate::session::{bytes, stamp, Gateway, Render};

impl Gateway for Thrift2Client {
    fn connect(addr: SocketAddr, wire: Wire) -> Self {
        thrift2_client(addr, wire)
    }

    /// Drops the tables named from `prefix` (those of the case's namespaces
    /// included: their full names start with the prefix too), then the
    /// case's namespaces.
    fn drop_tables(&mut self, prefix: &str) {
        if let Ok(names) = self.get_table_names_by_pattern(format!("{prefix}.*"), false) {
            for name in names {
                let _ = self.disable_table(name.clone());
                let _ = self.delete_table(name);
            }
        }
        if let Ok(spaces) = self.list_namespaces() {
            for ns in spaces.into_iter().filter(|n| n.starts_with(prefix)) {
                if let Ok(names) = self.get_table_names_by_namespace(ns.clone()) {
                    for name in names {
                        let _ = self.disable_table(name.clone());
                        let _ = self.delete_table(name);
                    }
                }
                let _ = self.delete_namespace(ns);
            }
        }
    }
}

fn unprefixed(name: &[u8], prefix: &str, out: &mut String) {
    bytes(name.strip_prefix(prefix.as_bytes()).unwrap_or(name), out);
}

fn table_name(t: &TTableName, prefix: &str, out: &mut String) {
    if let Some(ns) = &t.ns {
        unprefixed(ns, prefix, out);
        out.push(':');
    }
    unprefixed(&t.qualifier, prefix, out);
}

fn column_value(c: &TColumnValue, out: &mut String) {
    bytes(&c.family, out);
    out.push(':');
    bytes(&c.qualifier, out);
    out.push('=');
    bytes(&c.value, out);
    stamp(c.timestamp, out);
    if let Some(tags) = &c.tags {
        out.push_str(" tags=");
        bytes(tags, out);
    }
    if let Some(t) = c.type_ {
        let _ = write!(out, " type={t}");
    }
}

impl Render for TResult {
    fn render(&self, _: &str, out: &mut String) {
        out.push_str("row ");
        match &self.row {
            Some(row) => bytes(row, out),
            None => out.push_str("(none)"),
        }
        out.push_str(" [");
        for (i, c) in self.column_values.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            column_value(c, out);
        }
        out.push(']');
        if let Some(stale) = self.stale {
            let _ = write!(out, " stale={stale}");
        }
        if let Some(partial) = self.partial {
            let _ = write!(out, " partial={partial}");
        }
    }
}

/// A list, each element rendered as `T` renders it.
fn list<T: Render>(items: &[T], prefix: &str, out: &mut String) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        item.render(prefix, out);
    }
    out.push(']');
}

impl Render for Vec<TResult> {
    fn render(&self, prefix: &str, out: &mut String) {
        list(self, prefix, out);
    }
}

impl Render for Vec<bool> {
    fn render(&self, _: &str, out: &mut String) {
        let _ = write!(out, "{self:?}");
    }
}

/// The deletes `deleteMultiple` could not apply: their rows.
impl Render for Vec<TDelete> {
    fn render(&self, _: &str, out: &mut String) {
        out.push_str("failed [");
        for (i, d) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            bytes(&d.row, out);
        }
        out.push(']');
    }
}

impl Render for THRegionLocation {
    fn render(&self, prefix: &str, out: &mut String) {
        let r = &self.region_info;
        out.push_str("region of ");
        unprefixed(&r.table_name, prefix, out);
        out.push(' ');
        bytes(r.start_key.as_deref().unwrap_or_default(), out);
        out.push_str("..");
        bytes(r.end_key.as_deref().unwrap_or_default(), out);
        let _ = write!(
            out,
            " offline={:?} split={:?} replica={:?} port={}",
            r.offline,
            r.split,
            r.replica_id,
            if self.server_name.port.is_some() {
                "set"
            } else {
                "unset"
            }
        );
    }
}

impl Render for Vec<THRegionLocation> {
    fn render(&self, prefix: &str, out: &mut String) {
        list(self, prefix, out);
    }
}

fn family(d: &TColumnFamilyDescriptor, out: &mut String) {
    bytes(&d.name, out);
    let _ = write!(
        out,
        " attributes={:?} configuration={:?} block_size={:?} bloom={:?} compression={:?} \
         dfs_replication={:?} encoding={:?} keep_deleted={:?} max_versions={:?} \
         min_versions={:?} scope={:?} ttl={:?} block_cache={:?} cache_blooms={:?} \
         cache_data={:?} cache_indexes={:?} compress_tags={:?} evict_on_close={:?} \
         in_memory={:?}",
        d.attributes.as_ref().map(text_map),
        d.configuration,
        d.block_size,
        d.bloomn_filter_type,
        d.compression_type,
        d.dfs_replication,
        d.data_block_encoding,
        d.keep_deleted_cells,
        d.max_versions,
        d.min_versions,
        d.scope,
        d.time_to_live,
        d.block_cache_enabled,
        d.cache_blooms_on_write,
        d.cache_data_on_write,
        d.cache_indexes_on_write,
        d.compress_tags,
        d.evict_blocks_on_close,
        d.in_memory
    );
}

fn text_map(m: &BTreeMap<Vec<u8>, Vec<u8>>) -> BTreeMap<String, String> {
    m.iter()
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            )
        })
        .collect()
}

impl Render for TTableDescriptor {
    fn render(&self, prefix: &str, out: &mut String) {
        out.push_str("table ");
        table_name(&self.table_name, prefix, out);
        let _ = write!(
            out,
            " attributes={:?} durability={:?} families {{",
            self.attributes.as_ref().map(text_map),
            self.durability
        );
        let mut families: Vec<&TColumnFamilyDescriptor> = self.columns.iter().flatten().collect();
        families.sort_by(|a, b| a.name.cmp(&b.name));
        for (i, d) in families.into_iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            family(d, out);
        }
        out.push('}');
    }
}

/// Descriptors of the case's tables only, by name.
impl Render for Vec<TTableDescriptor> {
    fn render(&self, prefix: &str, out: &mut String) {
        let mut own: Vec<&TTableDescriptor> = self
            .iter()
            .filter(|d| is_own(&d.table_name, prefix))
            .collect();
        own.sort_by_key(|d| name_key(&d.table_name));
        out.push('[');
        for (i, d) in own.into_iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            d.render(prefix, out);
        }
        out.push(']');
    }
}

fn is_own(t: &TTableName, prefix: &str) -> bool {
    let p = prefix.as_bytes();
    t.qualifier.starts_with(p) || t.ns.as_deref().is_some_and(|ns| ns.starts_with(p))
}

fn name_key(t: &TTableName) -> (Vec<u8>, Vec<u8>) {
    (t.ns.clone().unwrap_or_default(), t.qualifier.clone())
}

/// The case's table names only, sorted.
impl Render for Vec<TTableName> {
    fn render(&self, prefix: &str, out: &mut String) {
        let mut own: Vec<&TTableName> = self.iter().filter(|t| is_own(t, prefix)).collect();
        own.sort_by_key(|t| name_key(t));
        out.push('[');
        for (i, t) in own.into_iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            table_name(t, prefix, out);
        }
        out.push(']');
    }
}

impl Render for TNamespaceDescriptor {
    fn render(&self, prefix: &str, out: &mut String) {
        out.push_str("namespace ");
        unprefixed(self.name.as_bytes(), prefix, out);
        let _ = write!(out, " configuration={:?}", self.configuration);
    }
}

/// The case's namespaces, and whether `default` and `hbase` are listed.
impl Render for Vec<TNamespaceDescriptor> {
    fn render(&self, prefix: &str, out: &mut String) {
        let builtin: Vec<&str> = self
            .iter()
            .map(|d| d.name.as_str())
            .filter(|n| ["default", "hbase"].contains(n))
            .collect();
        let mut own: Vec<&TNamespaceDescriptor> =
            self.iter().filter(|d| d.name.starts_with(prefix)).collect();
        own.sort_by(|a, b| a.name.cmp(&b.name));
        let _ = write!(out, "builtin {builtin:?} [");
        for (i, d) in own.into_iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            d.render(prefix, out);
        }
        out.push(']');
    }
}

/// Namespace names: the case's own, and whether `default` and `hbase` are
/// listed.
impl Render for Vec<String> {
    fn render(&self, prefix: &str, out: &mut String) {
        let mut builtin: Vec<&str> = self
            .iter()
            .map(String::as_str)
            .filter(|n| ["default", "hbase"].contains(n))
            .collect();
        builtin.sort_unstable();
        let mut own: Vec<&str> = self.iter().filter_map(|n| n.strip_prefix(prefix)).collect();
        own.sort_unstable();
        let _ = write!(out, "builtin {builtin:?} own {own:?}");
    }
}

impl Render for TThriftServerType {
    fn render(&self, _: &str, out: &mut String) {
        let _ = write!(out, "{self:?}");
    }
}
