//! The Hbase service methods against the emulator, call by call, over each
//! transport × protocol combination.

use std::collections::BTreeMap;
use std::time::Duration;

use hbase_orm_tests::hbase::{
    AlreadyExists, BatchMutation, IOError, IllegalArgument, Mutation, TAccessControlEntity,
    TAppend, TCell, THbaseSyncClient, TIncrement, TPermissionScope, TRowResult, TScan,
    TThriftServerType,
};
use hbase_orm_tests::thrift::{self, ApplicationErrorKind};
use hbase_orm_tests::{
    builder, client, family, start_blocking, Combo, Emulator, SyncClient, COMBOS,
};

type Attrs = BTreeMap<Vec<u8>, Vec<u8>>;

fn attrs() -> Attrs {
    BTreeMap::new()
}

fn v(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

/// Runs `test` against a fresh emulator with table `t` (families `a`, `b`)
/// for every combination.
fn each_combo(test: impl Fn(&mut SyncClient, &Emulator, Combo)) {
    for combo in COMBOS {
        let emulator = start_blocking(combo);
        let mut c = client(emulator.addr(), combo);
        c.create_table(v("t"), vec![family("a"), family("b:")])
            .unwrap_or_else(|e| panic!("{combo}: create: {e}"));
        test(&mut c, &emulator, combo);
    }
}

fn put(column: &str, value: &str) -> Mutation {
    Mutation::new(false, v(column), v(value), true)
}

fn del(column: &str) -> Mutation {
    Mutation::new(true, v(column), None, true)
}

fn values(cells: &[TCell]) -> Vec<String> {
    cells
        .iter()
        .map(|c| String::from_utf8_lossy(c.value.as_deref().unwrap_or_default()).into_owned())
        .collect()
}

fn keys(rows: &[TRowResult]) -> Vec<String> {
    rows.iter()
        .map(|r| String::from_utf8_lossy(r.row.as_deref().unwrap_or_default()).into_owned())
        .collect()
}

fn columns(row: &TRowResult) -> BTreeMap<String, String> {
    row.columns
        .as_ref()
        .map(|m| {
            m.iter()
                .map(|(k, c)| {
                    (
                        String::from_utf8_lossy(k).into_owned(),
                        String::from_utf8_lossy(c.value.as_deref().unwrap_or_default())
                            .into_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn io_message(e: thrift::Error) -> String {
    match e {
        thrift::Error::User(u) => match u.downcast::<IOError>() {
            Ok(io) => io.message.unwrap_or_default(),
            Err(other) => panic!("not an IOError: {other:?}"),
        },
        other => panic!("not a user error: {other:?}"),
    }
}

fn is_illegal_argument(e: &thrift::Error) -> bool {
    matches!(e, thrift::Error::User(u) if u.downcast_ref::<IllegalArgument>().is_some())
}

fn tscan() -> TScan {
    TScan {
        start_row: None,
        stop_row: None,
        timestamp: None,
        columns: None,
        caching: None,
        filter_string: None,
        batch_size: None,
        sort_columns: None,
        reversed: None,
        cache_blocks: None,
    }
}

fn drain(c: &mut SyncClient, id: i32, n: i32) -> Vec<TRowResult> {
    let mut out = Vec::new();
    loop {
        let rows = c.scanner_get_list(id, n).expect("scannerGetList");
        if rows.is_empty() {
            break;
        }
        out.extend(rows);
    }
    c.scanner_close(id).expect("scannerClose");
    out
}

#[test]
fn admin_methods() {
    each_combo(|c, _, combo| {
        assert_eq!(c.get_table_names().expect("names"), vec![v("t")], "{combo}");
        let err = c
            .create_table(v("t"), vec![family("a")])
            .expect_err("exists");
        assert!(
            matches!(&err, thrift::Error::User(u) if u.downcast_ref::<AlreadyExists>().is_some()),
            "{combo}: {err:?}"
        );
        let mut bad = family("a");
        bad.compression = Some("nope".into());
        assert!(is_illegal_argument(
            &c.create_table(v("u"), vec![bad]).expect_err("bad")
        ));

        let cds = c.get_column_descriptors(v("t")).expect("descriptors");
        assert_eq!(
            cds.keys().cloned().collect::<Vec<_>>(),
            vec![v("a:"), v("b:")]
        );
        assert_eq!(cds[&v("a:")].max_versions, Some(3));
        assert_eq!(cds[&v("a:")].time_to_live, Some(i32::MAX));

        assert!(c.is_table_enabled(v("t")).expect("enabled"));
        c.disable_table(v("t")).expect("disable");
        assert!(!c.get_table_names_with_is_table_enabled().expect("names")[&v("t")]);
        let msg = io_message(c.get_row(v("t"), v("r"), attrs()).expect_err("disabled"));
        assert!(msg.contains("TableNotEnabledException"), "{combo}: {msg}");
        c.enable_table(v("t")).expect("enable");
        let msg = io_message(c.delete_table(v("t")).expect_err("enabled"));
        assert!(msg.contains("TableNotDisabledException"), "{combo}: {msg}");

        let regions = c.get_table_regions(v("t")).expect("regions");
        assert_eq!(regions.len(), 1);
        assert_eq!(regions[0].start_key.as_deref(), Some(&b""[..]));
        assert_eq!(regions[0].version, Some(1));
        assert!(c.get_table_regions(v("nope")).expect("regions").is_empty());
        let region = regions[0].name.clone().expect("region name");
        c.compact(v("t")).expect("compact");
        c.major_compact(region.clone()).expect("major compact");
        io_message(c.compact(v("nope")).expect_err("missing"));
        let info = c
            .get_region_info(v("t,r,99999999999999"))
            .expect("region info");
        assert_eq!(info.name, Some(region));

        assert_eq!(
            c.get_thrift_server_type().expect("type"),
            TThriftServerType::ONE
        );
        assert!(!c.get_cluster_id().expect("cluster id").is_empty());
        let entity = TAccessControlEntity::new(
            "u".into(),
            TPermissionScope::TABLE,
            "R".into(),
            v("t"),
            None,
        );
        io_message(c.grant(entity.clone()).expect_err("grant"));
        io_message(c.revoke(entity).expect_err("revoke"));

        c.disable_table(v("t")).expect("disable");
        c.delete_table(v("t")).expect("delete");
        assert!(c.get_table_names().expect("names").is_empty());
        let msg = io_message(c.delete_table(v("t")).expect_err("missing"));
        assert!(msg.contains("table does not exist"), "{combo}: {msg}");
    });
}

#[test]
fn get_methods() {
    each_combo(|c, _, combo| {
        for ts in [10, 20, 30, 40] {
            c.mutate_row_ts(
                v("t"),
                v("r"),
                vec![put("a:x", &ts.to_string()), put("b:y", "y")],
                ts,
                attrs(),
            )
            .expect("mutateRowTs");
        }
        assert_eq!(
            values(&c.get(v("t"), v("r"), v("a:x"), attrs()).expect("get")),
            vec!["40"],
            "{combo}"
        );
        assert_eq!(
            values(
                &c.get_ver(v("t"), v("r"), v("a:x"), 10, attrs())
                    .expect("getVer")
            ),
            vec!["40", "30", "20"]
        );
        assert_eq!(
            values(
                &c.get_ver_ts(v("t"), v("r"), v("a:x"), 30, 10, attrs())
                    .expect("getVerTs")
            ),
            // ts 10 was the fourth version of a 3-version family: pruned.
            vec!["20"]
        );
        assert!(c
            .get(v("t"), v("missing"), v("a:x"), attrs())
            .expect("get")
            .is_empty());
        let msg = io_message(
            c.get(v("t"), v("r"), v("zz:x"), attrs())
                .expect_err("family"),
        );
        assert!(
            msg.contains("NoSuchColumnFamilyException"),
            "{combo}: {msg}"
        );

        c.mutate_row(v("t"), v("s"), vec![put("a:x", "s")], attrs())
            .expect("mutateRow");
        let row = c.get_row(v("t"), v("r"), attrs()).expect("getRow");
        assert_eq!(
            columns(&row[0]),
            BTreeMap::from([("a:x".into(), "40".into()), ("b:y".into(), "y".into())])
        );
        let row = c
            .get_row_with_columns(v("t"), v("r"), vec![v("b")], attrs())
            .expect("getRowWithColumns");
        assert_eq!(columns(&row[0]).len(), 1);
        let row = c.get_row_ts(v("t"), v("r"), 25, attrs()).expect("getRowTs");
        assert_eq!(columns(&row[0])["a:x"], "20");
        let row = c
            .get_row_with_columns_ts(v("t"), v("r"), vec![v("a:x")], 21, attrs())
            .expect("getRowWithColumnsTs");
        assert_eq!(columns(&row[0])["a:x"], "20");

        let rows = c
            .get_rows(v("t"), vec![v("r"), v("none"), v("s")], attrs())
            .expect("getRows");
        assert_eq!(keys(&rows), vec!["r", "s"]);
        let rows = c
            .get_rows_with_columns(v("t"), vec![v("r"), v("s")], vec![v("b:y")], attrs())
            .expect("getRowsWithColumns");
        assert_eq!(keys(&rows), vec!["r"]);
        let rows = c
            .get_rows_ts(v("t"), vec![v("r"), v("s")], 41, attrs())
            .expect("getRowsTs");
        assert_eq!(keys(&rows), vec!["r"]);
        let rows = c
            .get_rows_with_columns_ts(v("t"), vec![v("r")], vec![v("a")], 25, attrs())
            .expect("getRowsWithColumnsTs");
        assert_eq!(
            columns(&rows[0]),
            BTreeMap::from([("a:x".into(), "20".into())])
        );
    });
}

#[test]
fn write_methods() {
    each_combo(|c, _, combo| {
        c.mutate_row(
            v("t"),
            v("r"),
            vec![put("a:x", "1"), put("a:y", "2")],
            attrs(),
        )
        .expect("mutateRow");
        c.mutate_row(v("t"), v("r"), vec![del("a:x"), put("a:x", "3")], attrs())
            .expect("mutateRow");
        assert_eq!(
            values(&c.get(v("t"), v("r"), v("a:x"), attrs()).expect("get")),
            vec!["3"],
            "{combo}"
        );
        c.mutate_rows(
            v("t"),
            vec![
                BatchMutation::new(v("r1"), vec![put("a:x", "1")]),
                BatchMutation::new(v("r2"), vec![del("a:x"), put("a:x", "lost")]),
            ],
            attrs(),
        )
        .expect("mutateRows");
        assert!(c
            .get(v("t"), v("r2"), v("a:x"), attrs())
            .expect("get")
            .is_empty());
        c.mutate_rows_ts(
            v("t"),
            vec![BatchMutation::new(v("r3"), vec![put("a:x", "ts")])],
            77,
            attrs(),
        )
        .expect("mutateRowsTs");
        assert_eq!(
            c.get(v("t"), v("r3"), v("a:x"), attrs()).expect("get")[0].timestamp,
            Some(77)
        );

        c.delete_all(v("t"), v("r"), v("a:y"), attrs())
            .expect("deleteAll");
        assert!(c
            .get(v("t"), v("r"), v("a:y"), attrs())
            .expect("get")
            .is_empty());
        c.delete_all_ts(v("t"), v("r3"), v("a:x"), 76, attrs())
            .expect("deleteAllTs");
        assert_eq!(
            c.get(v("t"), v("r3"), v("a:x"), attrs())
                .expect("get")
                .len(),
            1
        );
        c.delete_all_ts(v("t"), v("r3"), v("a:x"), 77, attrs())
            .expect("deleteAllTs");
        assert!(c
            .get(v("t"), v("r3"), v("a:x"), attrs())
            .expect("get")
            .is_empty());
        c.delete_all_row(v("t"), v("r"), attrs())
            .expect("deleteAllRow");
        assert!(c
            .get_row(v("t"), v("r"), attrs())
            .expect("getRow")
            .is_empty());
        c.mutate_row_ts(v("t"), v("q"), vec![put("b:z", "old")], 5, attrs())
            .expect("mutateRowTs");
        c.delete_all_row_ts(v("t"), v("q"), 5, attrs())
            .expect("deleteAllRowTs");
        assert!(c
            .get_row(v("t"), v("q"), attrs())
            .expect("getRow")
            .is_empty());

        assert_eq!(
            c.atomic_increment(v("t"), v("n"), v("a:c"), 5)
                .expect("atomicIncrement"),
            5
        );
        assert_eq!(
            c.atomic_increment(v("t"), v("n"), v("a:c"), -8)
                .expect("atomicIncrement"),
            -3
        );
        c.increment(TIncrement::new(v("t"), v("n"), v("a:c"), 10))
            .expect("increment");
        c.increment_rows(vec![
            TIncrement::new(v("t"), v("n"), v("a:c"), 1),
            TIncrement::new(v("t"), v("n"), v("a:d"), 2),
        ])
        .expect("incrementRows");
        assert_eq!(
            c.atomic_increment(v("t"), v("n"), v("a:c"), 0)
                .expect("atomicIncrement"),
            8
        );
        let msg = io_message(
            c.atomic_increment(v("t"), v("r1"), v("a:x"), 1)
                .expect_err("not a long"),
        );
        assert!(
            msg.contains("Field is not a long, it's 1 bytes wide"),
            "{combo}: {msg}"
        );

        let cells = c
            .append(TAppend::new(
                v("t"),
                v("r1"),
                vec![v("b:new"), v("a:x")],
                vec![v("n"), v("23")],
            ))
            .expect("append");
        assert_eq!(values(&cells), vec!["123", "n"]);

        let cap = |c: &mut SyncClient, expected: &str, value: &str| {
            c.check_and_put(
                v("t"),
                v("cp"),
                v("a:x"),
                v(expected),
                put("a:y", value),
                attrs(),
            )
            .expect("checkAndPut")
        };
        assert!(cap(c, "", "1"));
        c.mutate_row(v("t"), v("cp"), vec![put("a:x", "v")], attrs())
            .expect("mutateRow");
        assert!(!cap(c, "", "2"));
        assert!(!cap(c, "w", "2"));
        assert!(cap(c, "v", "3"));
        assert_eq!(
            values(&c.get(v("t"), v("cp"), v("a:y"), attrs()).expect("get")),
            vec!["3"]
        );
    });
}

#[test]
fn scanner_methods() {
    each_combo(|c, emulator, combo| {
        let batches = (0..50)
            .map(|i| {
                BatchMutation::new(
                    v(&format!("row{i:03}")),
                    vec![put("a:x", &i.to_string()), put("b:y", "y")],
                )
            })
            .collect();
        c.mutate_rows(v("t"), batches, attrs()).expect("load");

        let id = c
            .scanner_open(v("t"), v("row045"), vec![], attrs())
            .expect("scannerOpen");
        assert!(id > 0);
        assert_eq!(
            keys(&c.scanner_get(id).expect("scannerGet")),
            vec!["row045"],
            "{combo}"
        );
        assert_eq!(emulator.open_scanners(), 1);
        assert_eq!(drain(c, id, 2).len(), 4);
        assert_eq!(emulator.open_scanners(), 0);
        let err = c.scanner_get(id).expect_err("closed");
        assert!(is_illegal_argument(&err), "{combo}: {err:?}");
        assert!(is_illegal_argument(
            &c.scanner_close(id).expect_err("closed")
        ));

        let id = c
            .scanner_open_with_stop(v("t"), v("row010"), v("row013"), vec![v("a")], attrs())
            .expect("scannerOpenWithStop");
        let rows = drain(c, id, 10);
        assert_eq!(keys(&rows), vec!["row010", "row011", "row012"]);
        assert_eq!(columns(&rows[0]).len(), 1);

        let id = c
            .scanner_open_with_prefix(v("t"), v("row02"), vec![], attrs())
            .expect("scannerOpenWithPrefix");
        assert_eq!(drain(c, id, 3).len(), 10);

        let ts = c.get(v("t"), v("row000"), v("a:x"), attrs()).expect("get")[0]
            .timestamp
            .expect("ts");
        let id = c
            .scanner_open_ts(v("t"), v(""), vec![], ts, attrs())
            .expect("scannerOpenTs");
        assert!(drain(c, id, 10).is_empty());
        let id = c
            .scanner_open_with_stop_ts(v("t"), v(""), v("row005"), vec![], ts + 1, attrs())
            .expect("scannerOpenWithStopTs");
        assert_eq!(drain(c, id, 10).len(), 5);

        let mut scan = tscan();
        scan.start_row = Some(v("row030"));
        scan.stop_row = Some(v("row020"));
        scan.reversed = Some(true);
        scan.batch_size = Some(1);
        scan.sort_columns = Some(true);
        scan.caching = Some(5);
        scan.cache_blocks = Some(false);
        scan.columns = Some(vec![v("a:x"), v("b")]);
        let id = c
            .scanner_open_with_scan(v("t"), scan, attrs())
            .expect("scannerOpenWithScan");
        let rows = drain(c, id, 4);
        assert_eq!(rows.len(), 20, "{combo}");
        assert_eq!(keys(&rows[..3]), vec!["row030", "row030", "row029"]);
        let sorted = rows[0].sorted_columns.as_ref().expect("sorted columns");
        assert_eq!(sorted[0].column_name.as_deref(), Some(&b"a:x"[..]));

        let mut scan = tscan();
        scan.filter_string = Some(v("PrefixFilter('row04') AND PageFilter(3)"));
        let id = c
            .scanner_open_with_scan(v("t"), scan, attrs())
            .expect("scannerOpenWithScan");
        assert_eq!(keys(&drain(c, id, 10)), vec!["row040", "row041", "row042"]);
        let mut scan = tscan();
        scan.filter_string = Some(v("NoSuchFilter()"));
        let err = c
            .scanner_open_with_scan(v("t"), scan, attrs())
            .expect_err("bad filter");
        assert!(
            matches!(&err, thrift::Error::Application(a) if a.kind == ApplicationErrorKind::InternalError),
            "{combo}: {err:?}"
        );
        io_message(
            c.scanner_open(v("nope"), v(""), vec![], attrs())
                .expect_err("missing table"),
        );
    });
}

#[test]
fn large_scan_returns_every_row_once() {
    let combo = Combo::DEFAULT;
    let emulator = start_blocking(combo);
    let mut c = client(emulator.addr(), combo);
    c.create_table(v("big"), vec![family("f")]).expect("create");
    for chunk in 0..10 {
        let batches = (0..1000)
            .map(|i| {
                BatchMutation::new(
                    v(&format!("k{:06}", chunk * 1000 + i)),
                    (0..5)
                        .map(|q| put(&format!("f:{q}"), "value"))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        c.mutate_rows(v("big"), batches, attrs()).expect("load");
    }
    let id = c
        .scanner_open_with_scan(v("big"), tscan(), attrs())
        .expect("open");
    let rows = drain(&mut c, id, 1000);
    assert_eq!(rows.len(), 10_000);
    assert!(rows.windows(2).all(|w| w[0].row < w[1].row));
    assert!(rows.iter().all(|r| columns(r).len() == 5));
}

#[test]
fn idle_scanners_expire() {
    for combo in COMBOS {
        let emulator = builder(combo)
            .scanner_timeout(Duration::from_millis(1))
            .start_blocking()
            .expect("start");
        let mut c = client(emulator.addr(), combo);
        c.create_table(v("t"), vec![family("a")]).expect("create");
        let id = c
            .scanner_open(v("t"), v(""), vec![], attrs())
            .expect("scannerOpen");
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(emulator.open_scanners(), 0, "{combo}");
        let err = c.scanner_get_list(id, 10).expect_err("expired");
        assert!(is_illegal_argument(&err), "{combo}: {err:?}");
    }
}
