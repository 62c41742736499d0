//! The cases of the Thrift2 service (`THBaseService`): reads and writes
//! (single and multiple), increments and appends with `returnResults`,
//! conditional writes with every compare operator, row mutations, scanners
//! and their `TScan` fields, region locations, table admin with
//! descriptors, namespaces, and bad input.

use std::collections::BTreeMap;

use hbase_orm_tests::hbase2::{
    TAppend, TColumn, TColumnFamilyDescriptor, TColumnIncrement, TColumnValue, TCompareOp, TDelete,
    TDeleteType, TGet, TIncrement, TMutation, TNamespaceDescriptor, TPut, TRowMutations, TScan,
    TTHBaseServiceSyncClient, TTableDescriptor, TTableName, TTimeRange,
};
use hbase_orm_tests::Thrift2Client;

use crate::session::{Case, Scanner, Session};

type S = Session<Thrift2Client>;

fn b(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

/// The case's table `name` in the default namespace.
fn tn(s: &S, name: &str) -> TTableName {
    TTableName {
        ns: None,
        qualifier: s.t(name),
    }
}

fn family(name: &str, versions: i32) -> TColumnFamilyDescriptor {
    TColumnFamilyDescriptor {
        name: b(name),
        attributes: None,
        configuration: None,
        block_size: None,
        bloomn_filter_type: None,
        compression_type: None,
        dfs_replication: None,
        data_block_encoding: None,
        keep_deleted_cells: None,
        max_versions: Some(versions),
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
    }
}

fn descriptor(name: TTableName, families: Vec<TColumnFamilyDescriptor>) -> TTableDescriptor {
    TTableDescriptor {
        table_name: name,
        columns: Some(families),
        attributes: None,
        durability: None,
    }
}

/// Creates table `name` with families `cf` (3 versions) and `f2` (1).
fn table(s: &mut S, name: &str) -> Vec<u8> {
    let d = descriptor(tn(s, name), vec![family("cf", 3), family("f2", 1)]);
    s.call(&format!("create {name}"), |c| c.create_table(d, vec![]));
    s.t(name)
}

fn cv(family: &str, qualifier: &str, value: &str) -> TColumnValue {
    TColumnValue {
        family: b(family),
        qualifier: b(qualifier),
        value: b(value),
        timestamp: None,
        tags: None,
        type_: None,
    }
}

fn put(row: &str, columns: &[(&str, &str, &str)]) -> TPut {
    TPut {
        row: b(row),
        column_values: columns.iter().map(|(f, q, v)| cv(f, q, v)).collect(),
        timestamp: None,
        attributes: None,
        durability: None,
        cell_visibility: None,
    }
}

fn put_at(row: &str, columns: &[(&str, &str, &str)], ts: i64) -> TPut {
    TPut {
        timestamp: Some(ts),
        ..put(row, columns)
    }
}

fn get(row: &str) -> TGet {
    TGet {
        row: b(row),
        columns: None,
        timestamp: None,
        time_range: None,
        max_versions: None,
        filter_string: None,
        attributes: None,
        authorizations: None,
        consistency: None,
        target_replica_id: None,
        cache_blocks: None,
        store_limit: None,
        store_offset: None,
        existence_only: None,
        filter_bytes: None,
    }
}

fn column(family: &str, qualifier: Option<&str>) -> TColumn {
    TColumn {
        family: b(family),
        qualifier: qualifier.map(b),
        timestamp: None,
    }
}

fn delete(row: &str) -> TDelete {
    TDelete {
        row: b(row),
        columns: None,
        timestamp: None,
        delete_type: None,
        attributes: None,
        durability: None,
    }
}

fn range(min: i64, max: i64) -> TTimeRange {
    TTimeRange {
        min_stamp: min,
        max_stamp: max,
    }
}

/// A TScan with no field set (`TScan::default()` sets the IDL defaults).
fn scan() -> TScan {
    TScan {
        start_row: None,
        stop_row: None,
        columns: None,
        caching: None,
        max_versions: None,
        time_range: None,
        filter_string: None,
        batch_size: None,
        attributes: None,
        authorizations: None,
        reversed: None,
        cache_blocks: None,
        col_fam_time_range_map: None,
        read_type: None,
        limit: None,
        consistency: None,
        target_replica_id: None,
        filter_bytes: None,
    }
}

/// Rows r0..r{n-1}, each with cf:a = v{i} and cf:b = w{i}, at timestamp 10.
fn fill(s: &mut S, t: &[u8], n: usize) {
    let puts = (0..n)
        .map(|i| {
            put_at(
                &format!("r{i}"),
                &[("cf", "a", &format!("v{i}")), ("cf", "b", &format!("w{i}"))],
                10,
            )
        })
        .collect();
    s.call("fill", |c| c.put_multiple(t.to_vec(), puts));
}

/// Opens a scanner with `tscan`, reads it in pages of 2 to the end, closes
/// it.
fn scan_all(s: &mut S, label: &str, t: &[u8], tscan: TScan) {
    let id = s.call(&format!("{label} open"), |c| {
        c.open_scanner(t.to_vec(), tscan).map(Scanner)
    });
    let Some(Scanner(id)) = id else { return };
    for page in 0..20 {
        let rows = s.call(&format!("{label} page {page}"), |c| {
            c.get_scanner_rows(id, 2)
        });
        if rows.map_or(true, |r| r.is_empty()) {
            break;
        }
    }
    s.call(&format!("{label} close"), |c| c.close_scanner(id));
}

/// The cases of table and namespace administration and region lookups
/// (slow on HBase: each creates and drops tables), in order.
pub(crate) fn admin_cases() -> Vec<Case<Thrift2Client>> {
    vec![
        Case {
            name: "admin",
            run: admin,
        },
        Case {
            name: "admin_errors",
            run: admin_errors,
        },
        Case {
            name: "descriptors",
            run: descriptors,
        },
        Case {
            name: "namespaces",
            run: namespaces,
        },
        Case {
            name: "regions",
            run: regions,
        },
    ]
}

/// The cases of puts, gets, versions and deletes, in order.
pub(crate) fn write_cases() -> Vec<Case<Thrift2Client>> {
    vec![
        Case {
            name: "puts_and_gets",
            run: puts_and_gets,
        },
        Case {
            name: "versions_and_time",
            run: versions_and_time,
        },
        Case {
            name: "deletes",
            run: deletes,
        },
    ]
}

/// The cases of increments, appends, conditional writes and row mutations.
pub(crate) fn atomic_cases() -> Vec<Case<Thrift2Client>> {
    vec![
        Case {
            name: "increment_append",
            run: increment_append,
        },
        Case {
            name: "check_and_mutate",
            run: check_and_mutate,
        },
        Case {
            name: "mutate_row",
            run: mutate_row,
        },
    ]
}

/// The cases of scanners and of bad input.
pub(crate) fn scan_cases() -> Vec<Case<Thrift2Client>> {
    vec![
        Case {
            name: "scans",
            run: scans,
        },
        Case {
            name: "scanner_results",
            run: scanner_results,
        },
        Case {
            name: "bad_input",
            run: bad_input,
        },
    ]
}

fn admin(s: &mut S) {
    let t = tn(s, "a");
    table(s, "a");
    let pattern = format!("{}.*", s.prefix());
    s.call("exists", |c| c.table_exists(t.clone()));
    s.call("exists missing", |c| c.table_exists(tn_missing()));
    s.call("is enabled", |c| c.is_table_enabled(t.clone()));
    s.call("is disabled", |c| c.is_table_disabled(t.clone()));
    s.call("is available", |c| c.is_table_available(t.clone()));
    s.call("names by pattern", |c| {
        c.get_table_names_by_pattern(pattern.clone(), false)
    });
    s.call("names by namespace", |c| {
        c.get_table_names_by_namespace("default".into())
    });
    s.call("create existing", |c| {
        c.create_table(descriptor(t.clone(), vec![family("cf", 1)]), vec![])
    });
    s.call("truncate enabled", |c| c.truncate_table(t.clone(), false));
    s.call("delete enabled", |c| c.delete_table(t.clone()));
    s.call("disable", |c| c.disable_table(t.clone()));
    s.call("is enabled after disable", |c| {
        c.is_table_enabled(t.clone())
    });
    s.call("is disabled after disable", |c| {
        c.is_table_disabled(t.clone())
    });
    s.call("disable again", |c| c.disable_table(t.clone()));
    s.call("truncate disabled", |c| c.truncate_table(t.clone(), true));
    s.call("is enabled after truncate", |c| {
        c.is_table_enabled(t.clone())
    });
    s.call("disable after truncate", |c| c.disable_table(t.clone()));
    s.call("enable", |c| c.enable_table(t.clone()));
    s.call("enable again", |c| c.enable_table(t.clone()));
    s.call("disable for delete", |c| c.disable_table(t.clone()));
    s.call("delete", |c| c.delete_table(t.clone()));
    s.call("exists after delete", |c| c.table_exists(t.clone()));
    s.call("names after delete", |c| {
        c.get_table_names_by_pattern(pattern.clone(), false)
    });
    s.call("server type", |c| c.get_thrift_server_type());
}

fn tn_missing() -> TTableName {
    TTableName {
        ns: None,
        qualifier: b("conformance_no_such_table"),
    }
}

fn admin_errors(s: &mut S) {
    let m = tn(s, "missing");
    s.call("descriptor missing", |c| c.get_table_descriptor(m.clone()));
    s.call("enable missing", |c| c.enable_table(m.clone()));
    s.call("disable missing", |c| c.disable_table(m.clone()));
    s.call("delete missing", |c| c.delete_table(m.clone()));
    s.call("truncate missing", |c| c.truncate_table(m.clone(), false));
    s.call("is enabled missing", |c| c.is_table_enabled(m.clone()));
    s.call("is available missing", |c| c.is_table_available(m.clone()));
    let nofam = tn(s, "nofam");
    s.call("create without families", |c| {
        c.create_table(descriptor(nofam, vec![]), vec![])
    });
    let bad = TTableName {
        ns: None,
        qualifier: b("bad name!"),
    };
    s.call("create bad table name", |c| {
        c.create_table(descriptor(bad, vec![family("cf", 1)]), vec![])
    });
    let nons = TTableName {
        ns: Some(format!("{}nons", s.prefix()).into_bytes()),
        qualifier: b("t"),
    };
    s.call("create in missing namespace", |c| {
        c.create_table(descriptor(nons, vec![family("cf", 1)]), vec![])
    });
    let dup = tn(s, "dup");
    s.call("create duplicate families", |c| {
        c.create_table(
            descriptor(dup, vec![family("cf", 1), family("cf", 2)]),
            vec![],
        )
    });
}

fn descriptors(s: &mut S) {
    let t = tn(s, "d");
    let mut wide = family("wide", 7);
    wide.time_to_live = Some(3600);
    wide.in_memory = Some(true);
    wide.block_cache_enabled = Some(false);
    let d = descriptor(t.clone(), vec![wide, family("plain", 1)]);
    s.call("create", |c| c.create_table(d, vec![]));
    s.call("descriptor", |c| c.get_table_descriptor(t.clone()));
    s.call("descriptors", |c| {
        c.get_table_descriptors(vec![t.clone(), tn_missing()])
    });
    let pattern = format!("{}.*", s.prefix());
    s.call("descriptors by pattern", |c| {
        c.get_table_descriptors_by_pattern(pattern, false)
    });
    s.call("descriptors by namespace", |c| {
        c.get_table_descriptors_by_namespace("default".into())
    });
    s.call("add family", |c| {
        c.add_column_family(t.clone(), family("added", 2))
    });
    s.call("modify family", |c| {
        c.modify_column_family(t.clone(), family("plain", 4))
    });
    s.call("delete family", |c| {
        c.delete_column_family(t.clone(), b("wide"))
    });
    s.call("descriptor after family changes", |c| {
        c.get_table_descriptor(t.clone())
    });
    s.call("delete missing family", |c| {
        c.delete_column_family(t.clone(), b("nope"))
    });
    let m = tn(s, "min");
    let mut kept = family("kept", 3);
    kept.min_versions = Some(1);
    s.call("create with min versions", |c| {
        c.create_table(descriptor(m.clone(), vec![kept]), vec![])
    });
    s.call("descriptor with min versions", |c| {
        c.get_table_descriptor(m)
    });
}

fn namespaces(s: &mut S) {
    let ns = format!("{}ns", s.prefix());
    let mut config = BTreeMap::new();
    config.insert("k".to_owned(), "v".to_owned());
    s.call("create", |c| {
        c.create_namespace(TNamespaceDescriptor {
            name: ns.clone(),
            configuration: Some(config.clone()),
        })
    });
    s.call("create existing", |c| {
        c.create_namespace(TNamespaceDescriptor {
            name: ns.clone(),
            configuration: None,
        })
    });
    s.call("get", |c| c.get_namespace_descriptor(ns.clone()));
    s.call("list", |c| c.list_namespaces());
    s.call("list descriptors", |c| c.list_namespace_descriptors());
    config.insert("k2".to_owned(), "v2".to_owned());
    s.call("modify", |c| {
        c.modify_namespace(TNamespaceDescriptor {
            name: ns.clone(),
            configuration: Some(config.clone()),
        })
    });
    s.call("get after modify", |c| {
        c.get_namespace_descriptor(ns.clone())
    });
    let t = TTableName {
        ns: Some(ns.clone().into_bytes()),
        qualifier: b("t"),
    };
    s.call("create table in it", |c| {
        c.create_table(descriptor(t.clone(), vec![family("cf", 1)]), vec![])
    });
    let full = format!("{ns}:t").into_bytes();
    s.call("put in it", |c| {
        c.put(full.clone(), put("r", &[("cf", "a", "1")]))
    });
    s.call("get in it", |c| c.get(full.clone(), get("r")));
    s.call("tables of it", |c| {
        c.get_table_names_by_namespace(ns.clone())
    });
    s.call("descriptors of it", |c| {
        c.get_table_descriptors_by_namespace(ns.clone())
    });
    s.call("delete non-empty", |c| c.delete_namespace(ns.clone()));
    s.call("disable its table", |c| c.disable_table(t.clone()));
    s.call("delete its table", |c| c.delete_table(t.clone()));
    s.call("delete", |c| c.delete_namespace(ns.clone()));
    s.call("get deleted", |c| c.get_namespace_descriptor(ns.clone()));
    s.call("delete missing", |c| c.delete_namespace(ns.clone()));
    s.call("modify missing", |c| {
        c.modify_namespace(TNamespaceDescriptor {
            name: ns.clone(),
            configuration: None,
        })
    });
    s.call("delete default", |c| c.delete_namespace("default".into()));
    s.call("tables of missing", |c| {
        c.get_table_names_by_namespace(ns.clone())
    });
}

fn puts_and_gets(s: &mut S) {
    let t = table(s, "p");
    s.call("put", |c| {
        c.put(
            t.clone(),
            put_at(
                "r1",
                &[("cf", "a", "1"), ("cf", "b", "2"), ("f2", "x", "3")],
                10,
            ),
        )
    });
    s.call("put server time", |c| {
        c.put(t.clone(), put("r2", &[("cf", "a", "now")]))
    });
    s.call("put empty qualifier", |c| {
        c.put(t.clone(), put_at("r3", &[("cf", "", "e")], 10))
    });
    s.call("put column timestamp", |c| {
        let mut p = put_at("r4", &[("cf", "a", "x")], 10);
        p.column_values[0].timestamp = Some(20);
        c.put(t.clone(), p)
    });
    s.call("get", |c| c.get(t.clone(), get("r1")));
    s.call("get server time", |c| c.get(t.clone(), get("r2")));
    s.call("get empty qualifier", |c| c.get(t.clone(), get("r3")));
    s.call("get column timestamp", |c| c.get(t.clone(), get("r4")));
    s.call("get missing row", |c| c.get(t.clone(), get("nope")));
    s.call("get one column", |c| {
        let mut g = get("r1");
        g.columns = Some(vec![column("cf", Some("b"))]);
        c.get(t.clone(), g)
    });
    s.call("get family", |c| {
        let mut g = get("r1");
        g.columns = Some(vec![column("f2", None)]);
        c.get(t.clone(), g)
    });
    s.call("get filter", |c| {
        let mut g = get("r1");
        g.filter_string = Some(b("QualifierFilter(=, 'binary:a')"));
        c.get(t.clone(), g)
    });
    s.call("get existence only", |c| {
        let mut g = get("r1");
        g.existence_only = Some(true);
        c.get(t.clone(), g)
    });
    s.call("exists", |c| c.exists(t.clone(), get("r1")));
    s.call("exists missing", |c| c.exists(t.clone(), get("nope")));
    s.call("exists column", |c| {
        let mut g = get("r1");
        g.columns = Some(vec![column("cf", Some("zz"))]);
        c.exists(t.clone(), g)
    });
    s.call("existsAll", |c| {
        c.exists_all(t.clone(), vec![get("r1"), get("nope"), get("r3")])
    });
    s.call("putMultiple", |c| {
        c.put_multiple(
            t.clone(),
            vec![
                put_at("m1", &[("cf", "a", "x")], 10),
                put_at("m2", &[("cf", "a", "y"), ("f2", "z", "w")], 10),
            ],
        )
    });
    s.call("getMultiple", |c| {
        c.get_multiple(
            t.clone(),
            vec![get("m2"), get("nope"), get("m1"), get("m1")],
        )
    });
    s.call("getMultiple empty", |c| c.get_multiple(t.clone(), vec![]));
    s.call("binary key and value", |c| {
        let mut p = put_at("", &[("cf", "", "")], 10);
        p.row = vec![0, 0xff, 1];
        p.column_values[0].qualifier = vec![1];
        p.column_values[0].value = vec![0, 1, 2, 0xfe];
        c.put(t.clone(), p)
    });
    s.call("get binary", |c| {
        let mut g = get("");
        g.row = vec![0, 0xff, 1];
        c.get(t.clone(), g)
    });
    s.call("put empty row", |c| {
        c.put(t.clone(), put_at("", &[("cf", "a", "1")], 10))
    });
    s.call("put no columns", |c| c.put(t.clone(), put("r9", &[])));
    s.call("get empty row", |c| c.get(t.clone(), get("")));
}

fn versions_and_time(s: &mut S) {
    let t = table(s, "v");
    for ts in [5, 1, 3, 2, 4] {
        s.call(&format!("put at {ts}"), |c| {
            c.put(
                t.clone(),
                put_at("r", &[("cf", "a", &format!("at{ts}"))], ts),
            )
        });
    }
    s.call("get latest", |c| c.get(t.clone(), get("r")));
    s.call("get max versions 2", |c| {
        let mut g = get("r");
        g.max_versions = Some(2);
        c.get(t.clone(), g)
    });
    s.call("get max versions 10", |c| {
        let mut g = get("r");
        g.max_versions = Some(10);
        c.get(t.clone(), g)
    });
    s.call("get at timestamp 4", |c| {
        let mut g = get("r");
        g.timestamp = Some(4);
        c.get(t.clone(), g)
    });
    s.call("get at timestamp 1 (dropped)", |c| {
        let mut g = get("r");
        g.timestamp = Some(1);
        c.get(t.clone(), g)
    });
    s.call("get time range [3,5)", |c| {
        let mut g = get("r");
        g.time_range = Some(range(3, 5));
        g.max_versions = Some(10);
        c.get(t.clone(), g)
    });
    s.call("get bad time range", |c| {
        let mut g = get("r");
        g.time_range = Some(range(5, 3));
        c.get(t.clone(), g)
    });
    s.call("get column at timestamp", |c| {
        let mut g = get("r");
        g.columns = Some(vec![TColumn {
            timestamp: Some(3),
            ..column("cf", Some("a"))
        }]);
        c.get(t.clone(), g)
    });
    s.call("put f2 twice", |c| {
        c.put(
            t.clone(),
            put_at("s", &[("f2", "a", "one"), ("f2", "b", "x")], 7),
        )?;
        c.put(t.clone(), put_at("s", &[("f2", "a", "two")], 8))
    });
    s.call("get f2 (1 version kept)", |c| {
        let mut g = get("s");
        g.max_versions = Some(5);
        c.get(t.clone(), g)
    });
    s.call("negative timestamp", |c| {
        c.put(t.clone(), put_at("n", &[("cf", "a", "x")], -5))
    });
}

fn deletes(s: &mut S) {
    let t = table(s, "d");
    let row = |r: &str| {
        put_at(
            r,
            &[("cf", "a", "1"), ("cf", "b", "2"), ("f2", "x", "3")],
            10,
        )
    };
    let rows: Vec<TPut> = ["d1", "d2", "d3", "d4", "d5", "d6"]
        .iter()
        .map(|r| row(r))
        .collect();
    s.call("fill", |c| c.put_multiple(t.clone(), rows));
    s.call("versions of d5", |c| {
        c.put(t.clone(), put_at("d5", &[("cf", "a", "old")], 5))
    });
    s.call("delete row", |c| c.delete_single(t.clone(), delete("d1")));
    s.call("get d1", |c| c.get(t.clone(), get("d1")));
    s.call("delete columns (default type)", |c| {
        let mut d = delete("d2");
        d.columns = Some(vec![column("cf", Some("a"))]);
        c.delete_single(t.clone(), d)
    });
    s.call("get d2", |c| c.get(t.clone(), get("d2")));
    s.call("delete family", |c| {
        let mut d = delete("d3");
        d.columns = Some(vec![column("cf", None)]);
        d.delete_type = Some(TDeleteType::DELETE_FAMILY);
        c.delete_single(t.clone(), d)
    });
    s.call("get d3", |c| c.get(t.clone(), get("d3")));
    s.call("delete row before timestamp", |c| {
        let mut d = delete("d4");
        d.timestamp = Some(9);
        c.delete_single(t.clone(), d)
    });
    s.call("get d4", |c| c.get(t.clone(), get("d4")));
    s.call("delete one version", |c| {
        let mut d = delete("d5");
        d.columns = Some(vec![TColumn {
            timestamp: Some(10),
            ..column("cf", Some("a"))
        }]);
        d.delete_type = Some(TDeleteType::DELETE_COLUMN);
        c.delete_single(t.clone(), d)
    });
    s.call("get d5", |c| {
        let mut g = get("d5");
        g.max_versions = Some(5);
        c.get(t.clone(), g)
    });
    s.call("delete family only column, columns type", |c| {
        let mut d = delete("d6");
        d.columns = Some(vec![column("f2", None)]);
        d.delete_type = Some(TDeleteType::DELETE_COLUMNS);
        c.delete_single(t.clone(), d)
    });
    s.call("get d6", |c| c.get(t.clone(), get("d6")));
    s.call("deleteMultiple", |c| {
        c.delete_multiple(t.clone(), vec![delete("d2"), delete("nope")])
    });
    s.call("get d2 after deleteMultiple", |c| {
        c.get(t.clone(), get("d2"))
    });
    s.call("delete missing family", |c| {
        let mut d = delete("d6");
        d.columns = Some(vec![column("nofam", Some("a"))]);
        c.delete_single(t.clone(), d)
    });
}

fn increment_append(s: &mut S) {
    let t = table(s, "c");
    let inc = |row: &str, cols: &[(&str, &str, Option<i64>)], results: Option<bool>| TIncrement {
        row: b(row),
        columns: cols
            .iter()
            .map(|(f, q, amount)| TColumnIncrement {
                family: b(f),
                qualifier: b(q),
                amount: *amount,
            })
            .collect(),
        attributes: None,
        durability: None,
        cell_visibility: None,
        return_results: results,
    };
    s.call("increment new", |c| {
        c.increment(t.clone(), inc("n", &[("cf", "hits", Some(5))], None))
    });
    s.call("increment default amount", |c| {
        c.increment(t.clone(), inc("n", &[("cf", "hits", None)], None))
    });
    s.call("increment negative", |c| {
        c.increment(
            t.clone(),
            inc("n", &[("cf", "hits", Some(-10))], Some(true)),
        )
    });
    s.call("increment without results", |c| {
        c.increment(t.clone(), inc("n", &[("cf", "hits", Some(1))], Some(false)))
    });
    s.call("get counters", |c| c.get(t.clone(), get("n")));
    s.call("text value", |c| {
        c.put(t.clone(), put_at("x", &[("cf", "s", "abc")], 10))
    });
    s.call("increment text", |c| {
        c.increment(t.clone(), inc("x", &[("cf", "s", Some(1))], None))
    });
    s.call("increment missing family", |c| {
        c.increment(t.clone(), inc("n", &[("nofam", "a", Some(1))], None))
    });
    let app = |row: &str, cols: &[(&str, &str, &str)], results: Option<bool>| TAppend {
        row: b(row),
        columns: cols.iter().map(|(f, q, v)| cv(f, q, v)).collect(),
        attributes: None,
        durability: None,
        cell_visibility: None,
        return_results: results,
    };
    s.call("append new", |c| {
        c.append(t.clone(), app("a", &[("cf", "s", "ab")], None))
    });
    s.call("append existing", |c| {
        c.append(t.clone(), app("a", &[("cf", "s", "cd")], Some(true)))
    });
    s.call("append without results", |c| {
        c.append(t.clone(), app("a", &[("cf", "s", "ef")], Some(false)))
    });
    s.call("get appended", |c| c.get(t.clone(), get("a")));
    s.call("append no columns", |c| {
        c.append(t.clone(), app("a", &[], None))
    });
    s.call("append missing family", |c| {
        c.append(t.clone(), app("a", &[("nofam", "s", "x")], None))
    });
    // Last: the columns of one increment share a timestamp on HBase (the
    // ranks of later server-chosen timestamps would shift otherwise).
    s.call("increment two columns", |c| {
        c.increment(
            t.clone(),
            inc(
                "n",
                &[("cf", "hits", Some(2)), ("f2", "other", Some(3))],
                None,
            ),
        )
    });
    s.call("get counters after two columns", |c| {
        c.get(t.clone(), get("n"))
    });
}

fn check_and_mutate(s: &mut S) {
    let t = table(s, "k");
    s.call("seed", |c| {
        c.put(t.clone(), put_at("r", &[("cf", "n", "5")], 10))
    });
    s.call("checkAndPut match", |c| {
        c.check_and_put(
            t.clone(),
            b("r"),
            b("cf"),
            b("n"),
            b("5"),
            put_at("r", &[("cf", "p", "1")], 10),
        )
    });
    s.call("checkAndPut mismatch", |c| {
        c.check_and_put(
            t.clone(),
            b("r"),
            b("cf"),
            b("n"),
            b("6"),
            put_at("r", &[("cf", "p", "2")], 10),
        )
    });
    s.call("checkAndPut absent (empty value)", |c| {
        c.check_and_put(
            t.clone(),
            b("r"),
            b("cf"),
            b("none"),
            vec![],
            put_at("r", &[("cf", "q", "3")], 10),
        )
    });
    s.call("checkAndPut other row", |c| {
        c.check_and_put(
            t.clone(),
            b("r"),
            b("cf"),
            b("n"),
            b("5"),
            put_at("other", &[("cf", "q", "3")], 10),
        )
    });
    s.call("get after checkAndPut", |c| c.get(t.clone(), get("r")));
    let ops = [
        ("LESS", TCompareOp::LESS),
        ("LESS_OR_EQUAL", TCompareOp::LESS_OR_EQUAL),
        ("EQUAL", TCompareOp::EQUAL),
        ("NOT_EQUAL", TCompareOp::NOT_EQUAL),
        ("GREATER_OR_EQUAL", TCompareOp::GREATER_OR_EQUAL),
        ("GREATER", TCompareOp::GREATER),
        ("NO_OP", TCompareOp::NO_OP),
    ];
    for (name, op) in ops {
        for given in ["3", "5", "7"] {
            let label = format!("checkAndMutate {name} {given}");
            let mutation = TRowMutations {
                row: b("r"),
                mutations: vec![TMutation::Put(put_at(
                    "r",
                    &[("f2", &format!("{name}{given}"), "y")],
                    10,
                ))],
            };
            s.call(&label, |c| {
                c.check_and_mutate(t.clone(), b("r"), b("cf"), b("n"), op, b(given), mutation)
            });
        }
    }
    s.call("checkAndMutate absent column EQUAL", |c| {
        c.check_and_mutate(
            t.clone(),
            b("r"),
            b("cf"),
            b("none"),
            TCompareOp::EQUAL,
            vec![],
            TRowMutations {
                row: b("r"),
                mutations: vec![TMutation::Put(put_at("r", &[("f2", "absent", "y")], 10))],
            },
        )
    });
    s.call("checkAndMutate put and delete", |c| {
        let mut d = delete("r");
        d.columns = Some(vec![column("cf", Some("p"))]);
        c.check_and_mutate(
            t.clone(),
            b("r"),
            b("cf"),
            b("n"),
            TCompareOp::EQUAL,
            b("5"),
            TRowMutations {
                row: b("r"),
                mutations: vec![
                    TMutation::Put(put_at("r", &[("cf", "m", "new")], 10)),
                    TMutation::DeleteSingle(d),
                ],
            },
        )
    });
    s.call("get after checkAndMutate", |c| c.get(t.clone(), get("r")));
    s.call("checkAndDelete match", |c| {
        let mut d = delete("r");
        d.columns = Some(vec![column("cf", Some("m"))]);
        c.check_and_delete(t.clone(), b("r"), b("cf"), b("n"), b("5"), d)
    });
    s.call("checkAndDelete mismatch", |c| {
        c.check_and_delete(t.clone(), b("r"), b("cf"), b("n"), b("9"), delete("r"))
    });
    s.call("get after checkAndDelete", |c| c.get(t.clone(), get("r")));
    s.call("checkAndPut missing table", |c| {
        c.check_and_put(
            s_missing(),
            b("r"),
            b("cf"),
            b("n"),
            b("5"),
            put("r", &[("cf", "a", "1")]),
        )
    });
}

fn s_missing() -> Vec<u8> {
    b("conformance_no_such_table")
}

fn mutate_row(s: &mut S) {
    let t = table(s, "m");
    s.call("seed", |c| {
        c.put(
            t.clone(),
            put_at("r", &[("cf", "a", "1"), ("cf", "b", "2")], 10),
        )
    });
    s.call("put and delete", |c| {
        let mut d = delete("r");
        d.columns = Some(vec![column("cf", Some("a"))]);
        c.mutate_row(
            t.clone(),
            TRowMutations {
                row: b("r"),
                mutations: vec![
                    TMutation::Put(put_at("r", &[("f2", "c", "3")], 10)),
                    TMutation::DeleteSingle(d),
                ],
            },
        )
    });
    s.call("get", |c| c.get(t.clone(), get("r")));
    s.call("other row inside", |c| {
        c.mutate_row(
            t.clone(),
            TRowMutations {
                row: b("r"),
                mutations: vec![TMutation::Put(put_at("q", &[("cf", "a", "x")], 10))],
            },
        )
    });
    s.call("no mutations", |c| {
        c.mutate_row(
            t.clone(),
            TRowMutations {
                row: b("r"),
                mutations: vec![],
            },
        )
    });
    s.call("missing family", |c| {
        c.mutate_row(
            t.clone(),
            TRowMutations {
                row: b("r"),
                mutations: vec![TMutation::Put(put_at("r", &[("nofam", "a", "x")], 10))],
            },
        )
    });
    s.call("get after refusals", |c| c.get(t.clone(), get("r")));
    s.call("missing table", |c| {
        c.mutate_row(
            s_missing(),
            TRowMutations {
                row: b("r"),
                mutations: vec![TMutation::Put(put("r", &[("cf", "a", "x")]))],
            },
        )
    });
}

fn scans(s: &mut S) {
    let t = table(s, "s");
    fill(s, &t, 7);
    s.call("f2 of r1, r3", |c| {
        c.put_multiple(
            t.clone(),
            vec![
                put_at("r1", &[("f2", "x", "a")], 20),
                put_at("r3", &[("f2", "x", "b")], 30),
            ],
        )
    });
    scan_all(s, "all", &t, scan());
    scan_all(
        s,
        "range",
        &t,
        TScan {
            start_row: Some(b("r2")),
            stop_row: Some(b("r5")),
            ..scan()
        },
    );
    scan_all(
        s,
        "reversed",
        &t,
        TScan {
            reversed: Some(true),
            ..scan()
        },
    );
    scan_all(
        s,
        "reversed range",
        &t,
        TScan {
            start_row: Some(b("r5")),
            stop_row: Some(b("r2")),
            reversed: Some(true),
            ..scan()
        },
    );
    scan_all(
        s,
        "limit 3",
        &t,
        TScan {
            limit: Some(3),
            ..scan()
        },
    );
    scan_all(
        s,
        "columns",
        &t,
        TScan {
            columns: Some(vec![column("cf", Some("b")), column("f2", None)]),
            ..scan()
        },
    );
    scan_all(
        s,
        "time range [15,35)",
        &t,
        TScan {
            time_range: Some(range(15, 35)),
            ..scan()
        },
    );
    scan_all(
        s,
        "family time range",
        &t,
        TScan {
            col_fam_time_range_map: Some(BTreeMap::from([(b("f2"), range(25, 40))])),
            ..scan()
        },
    );
    scan_all(
        s,
        "filter",
        &t,
        TScan {
            filter_string: Some(b("PrefixFilter('r4') OR ValueFilter(=, 'binary:w6')")),
            ..scan()
        },
    );
    scan_all(
        s,
        "caching 1",
        &t,
        TScan {
            caching: Some(1),
            ..scan()
        },
    );
    scan_all(
        s,
        "batch 1",
        &t,
        TScan {
            batch_size: Some(1),
            stop_row: Some(b("r2")),
            ..scan()
        },
    );
    scan_all(s, "idl defaults", &t, TScan::default());
    scan_all(
        s,
        "bad filter",
        &t,
        TScan {
            filter_string: Some(b("NoSuchFilter()")),
            ..scan()
        },
    );
    scan_all(
        s,
        "missing family",
        &t,
        TScan {
            columns: Some(vec![column("nofam", None)]),
            ..scan()
        },
    );
    scan_all(s, "missing table", &s_missing(), scan());
    s.call("rows of closed scanner", |c| c.get_scanner_rows(123_456, 1));
    s.call("close unknown scanner", |c| c.close_scanner(123_456));
    let id = s.call("open for count 0", |c| {
        c.open_scanner(t.clone(), scan()).map(Scanner)
    });
    if let Some(Scanner(id)) = id {
        s.call("rows 0", |c| c.get_scanner_rows(id, 0));
        s.call("rows -1", |c| c.get_scanner_rows(id, -1));
        s.call("rows 100", |c| c.get_scanner_rows(id, 100));
        s.call("rows at end", |c| c.get_scanner_rows(id, 1));
        s.call("close", |c| c.close_scanner(id));
        s.call("rows after close", |c| c.get_scanner_rows(id, 1));
    }
}

fn scanner_results(s: &mut S) {
    let t = table(s, "g");
    fill(s, &t, 5);
    s.call("3 rows", |c| c.get_scanner_results(t.clone(), scan(), 3));
    s.call("all rows", |c| {
        c.get_scanner_results(t.clone(), scan(), 100)
    });
    s.call("0 rows", |c| c.get_scanner_results(t.clone(), scan(), 0));
    s.call("reversed 2", |c| {
        c.get_scanner_results(
            t.clone(),
            TScan {
                reversed: Some(true),
                ..scan()
            },
            2,
        )
    });
    s.call("range", |c| {
        c.get_scanner_results(
            t.clone(),
            TScan {
                start_row: Some(b("r1")),
                stop_row: Some(b("r3")),
                ..scan()
            },
            10,
        )
    });
    s.call("limit below count", |c| {
        c.get_scanner_results(
            t.clone(),
            TScan {
                limit: Some(2),
                ..scan()
            },
            10,
        )
    });
    s.call("filter", |c| {
        c.get_scanner_results(
            t.clone(),
            TScan {
                filter_string: Some(b("KeyOnlyFilter()")),
                ..scan()
            },
            2,
        )
    });
    s.call("missing table", |c| {
        c.get_scanner_results(s_missing(), scan(), 1)
    });
}

fn regions(s: &mut S) {
    let t = table(s, "r");
    s.call("location", |c| {
        c.get_region_location(t.clone(), b("x"), false)
    });
    s.call("location reload", |c| {
        c.get_region_location(t.clone(), b(""), true)
    });
    s.call("all locations", |c| c.get_all_region_locations(t.clone()));
    s.call("location missing table", |c| {
        c.get_region_location(s_missing(), b("x"), false)
    });
    s.call("all locations missing table", |c| {
        c.get_all_region_locations(s_missing())
    });
    let tt = tn(s, "r");
    s.call("available with split", |c| {
        c.is_table_available_with_split(tt, vec![])
    });
    s.call("cluster id", |c| c.get_cluster_id());
}

fn bad_input(s: &mut S) {
    let t = table(s, "b");
    s.call("get missing table", |c| c.get(s_missing(), get("r")));
    s.call("put missing table", |c| {
        c.put(s_missing(), put("r", &[("cf", "a", "1")]))
    });
    s.call("exists missing table", |c| c.exists(s_missing(), get("r")));
    s.call("put missing family", |c| {
        c.put(t.clone(), put("r", &[("nofam", "a", "1")]))
    });
    s.call("get missing family", |c| {
        let mut g = get("r");
        g.columns = Some(vec![column("nofam", None)]);
        c.get(t.clone(), g)
    });
    s.call("putMultiple one bad family", |c| {
        c.put_multiple(
            t.clone(),
            vec![
                put_at("ok", &[("cf", "a", "1")], 10),
                put_at("bad", &[("nofam", "a", "1")], 10),
            ],
        )
    });
    s.call("get ok after bad batch", |c| c.get(t.clone(), get("ok")));
    s.call("getMultiple missing family", |c| {
        let mut g = get("r");
        g.columns = Some(vec![column("nofam", None)]);
        c.get_multiple(t.clone(), vec![get("ok"), g])
    });
    s.call("bad filter string", |c| {
        let mut g = get("ok");
        g.filter_string = Some(b("ValueFilter(=="));
        c.get(t.clone(), g)
    });
    s.call("negative max versions", |c| {
        let mut g = get("ok");
        g.max_versions = Some(-1);
        c.get(t.clone(), g)
    });
    s.call("delete missing table", |c| {
        c.delete_single(s_missing(), delete("r"))
    });
    s.call("increment missing table", |c| {
        c.increment(
            s_missing(),
            TIncrement {
                row: b("r"),
                columns: vec![TColumnIncrement {
                    family: b("cf"),
                    qualifier: b("a"),
                    amount: Some(1),
                }],
                attributes: None,
                durability: None,
                cell_visibility: None,
                return_results: None,
            },
        )
    });
    s.call("table name with namespace of no table", |c| {
        c.get(b("nosuchns:t"), get("r"))
    });
}
