//! Unit tests of the handler, calling it directly.

use std::collections::BTreeMap;
use std::time::Duration;

use hbase_orm_idl::hbase::{
    AlreadyExists, BatchMutation, ColumnDescriptor, HbaseSyncHandler, IOError, IllegalArgument,
    Mutation, TAccessControlEntity, TAppend, TCell, TIncrement, TPermissionScope, TRowResult,
    TScan, TThriftServerType,
};
use hbase_orm_idl::thrift::{self, ApplicationErrorKind};

use super::HbaseHandler;

type Attrs = BTreeMap<Vec<u8>, Vec<u8>>;

fn attrs() -> Attrs {
    BTreeMap::new()
}

fn v(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn handler() -> HbaseHandler {
    HbaseHandler::new(Duration::from_secs(60), "localhost".into(), 9090)
}

fn family(name: &str, max_versions: i32) -> ColumnDescriptor {
    ColumnDescriptor::new(
        v(name),
        max_versions,
        "NONE".to_owned(),
        false,
        "NONE".to_owned(),
        0,
        0,
        false,
        0x7fff_ffff,
    )
}

/// A handler with table `t` of families `a` (3 versions) and `b:` (1).
fn with_table() -> HbaseHandler {
    let h = handler();
    h.handle_create_table(v("t"), vec![family("a", 3), family("b:", 1)])
        .expect("create");
    h
}

fn put(column: &str, value: &str) -> Mutation {
    Mutation::new(false, v(column), v(value), true)
}

fn del(column: &str) -> Mutation {
    Mutation::new(true, v(column), None, true)
}

fn mutate(h: &HbaseHandler, row: &str, ms: Vec<Mutation>) {
    h.handle_mutate_row(v("t"), v(row), ms, attrs())
        .expect("mutate");
}

fn mutate_ts(h: &HbaseHandler, row: &str, ms: Vec<Mutation>, ts: i64) {
    h.handle_mutate_row_ts(v("t"), v(row), ms, ts, attrs())
        .expect("mutate");
}

fn values(cells: &[TCell]) -> Vec<String> {
    cells
        .iter()
        .map(|c| String::from_utf8_lossy(c.value.as_deref().unwrap_or_default()).into_owned())
        .collect()
}

fn timestamps(cells: &[TCell]) -> Vec<i64> {
    cells.iter().map(|c| c.timestamp.unwrap_or(-1)).collect()
}

fn row_map(r: &TRowResult) -> BTreeMap<String, String> {
    r.columns
        .as_ref()
        .expect("columns")
        .iter()
        .map(|(k, c)| {
            (
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(c.value.as_deref().unwrap_or_default()).into_owned(),
            )
        })
        .collect()
}

fn keys(rows: &[TRowResult]) -> Vec<String> {
    rows.iter()
        .map(|r| String::from_utf8_lossy(r.row.as_deref().unwrap_or_default()).into_owned())
        .collect()
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

fn illegal_message(e: thrift::Error) -> String {
    match e {
        thrift::Error::User(u) => match u.downcast::<IllegalArgument>() {
            Ok(ia) => ia.message.unwrap_or_default(),
            Err(other) => panic!("not an IllegalArgument: {other:?}"),
        },
        other => panic!("not a user error: {other:?}"),
    }
}

fn internal_message(e: thrift::Error) -> String {
    match e {
        thrift::Error::Application(a) => {
            assert_eq!(a.kind, ApplicationErrorKind::InternalError);
            a.message
        }
        other => panic!("not an application error: {other:?}"),
    }
}

fn get(h: &HbaseHandler, row: &str, column: &str) -> Vec<TCell> {
    h.handle_get(v("t"), v(row), v(column), attrs())
        .expect("get")
}

fn scan_all(h: &HbaseHandler, scan: TScan) -> Vec<TRowResult> {
    let id = h
        .handle_scanner_open_with_scan(v("t"), scan, attrs())
        .expect("open");
    let mut out = Vec::new();
    loop {
        let batch = h.handle_scanner_get_list(id, 7).expect("get list");
        if batch.is_empty() {
            break;
        }
        out.extend(batch);
    }
    h.handle_scanner_close(id).expect("close");
    out
}

/// A scan with every field unset (`TScan::default()` sets them to zeros).
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

#[test]
fn handler_is_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<HbaseHandler>();
}

// --- admin -----------------------------------------------------------------

#[test]
fn create_list_describe_and_delete_tables() {
    let h = with_table();
    h.handle_create_table(v("s"), vec![family("x", 1)])
        .expect("create");
    assert_eq!(
        h.handle_get_table_names().expect("names"),
        vec![v("s"), v("t")]
    );
    let cds = h.handle_get_column_descriptors(v("t")).expect("cds");
    assert_eq!(
        cds.keys().cloned().collect::<Vec<_>>(),
        vec![v("a:"), v("b:")]
    );
    let a = &cds[&v("a:")];
    assert_eq!(a.max_versions, Some(3));
    assert_eq!(a.compression.as_deref(), Some("NONE"));
    assert_eq!(a.bloom_filter_type.as_deref(), Some("NONE"));
    assert_eq!(a.time_to_live, Some(i32::MAX));

    let err = h
        .handle_create_table(v("t"), vec![family("a", 1)])
        .expect_err("exists");
    match err {
        thrift::Error::User(u) => assert!(u.downcast_ref::<AlreadyExists>().is_some()),
        other => panic!("{other:?}"),
    }

    let msg = io_message(h.handle_delete_table(v("t")).expect_err("enabled"));
    assert!(msg.contains("TableNotDisabledException"), "{msg}");
    h.handle_disable_table(v("t")).expect("disable");
    assert!(!h.handle_is_table_enabled(v("t")).expect("enabled?"));
    let enabled = h
        .handle_get_table_names_with_is_table_enabled()
        .expect("names");
    assert_eq!(enabled.get(&v("t")), Some(&false));
    assert_eq!(enabled.get(&v("s")), Some(&true));
    let msg = io_message(h.handle_disable_table(v("t")).expect_err("disabled"));
    assert!(msg.contains("TableNotEnabledException"), "{msg}");
    h.handle_delete_table(v("t")).expect("delete");
    let msg = io_message(h.handle_delete_table(v("t")).expect_err("missing"));
    assert!(msg.contains("table does not exist"), "{msg}");
    let msg = io_message(h.handle_enable_table(v("t")).expect_err("missing"));
    assert!(msg.contains("TableNotFoundException: t"), "{msg}");
    assert!(h.handle_is_table_enabled(v("t")).is_err());
}

#[test]
fn create_table_rejects_bad_descriptors() {
    let h = handler();
    let mut bad = family("a", 1);
    bad.compression = Some("nope".into());
    let msg = illegal_message(
        h.handle_create_table(v("t"), vec![bad])
            .expect_err("compression"),
    );
    assert!(
        msg.contains("Unsupported compression algorithm name: nope"),
        "{msg}"
    );
    let mut bad = family("a", 1);
    bad.bloom_filter_type = Some("FANCY".into());
    let msg = illegal_message(h.handle_create_table(v("t"), vec![bad]).expect_err("bloom"));
    assert!(msg.contains("BloomType.FANCY"), "{msg}");
    illegal_message(
        h.handle_create_table(v("t"), vec![])
            .expect_err("no families"),
    );
    illegal_message(
        h.handle_create_table(v(""), vec![family("a", 1)])
            .expect_err("no name"),
    );
    illegal_message(
        h.handle_create_table(v("t"), vec![family("", 1)])
            .expect_err("no family"),
    );
    illegal_message(
        h.handle_create_table(v("t"), vec![family("a", 1), family("a:", 2)])
            .expect_err("duplicate"),
    );
    let mut gz = family("a", 1);
    gz.compression = Some("gz".into());
    gz.time_to_live = Some(-1);
    h.handle_create_table(v("t"), vec![gz]).expect("create");
    let cds = h.handle_get_column_descriptors(v("t")).expect("cds");
    assert_eq!(cds[&v("a:")].compression.as_deref(), Some("GZ"));
    assert_eq!(cds[&v("a:")].time_to_live, Some(i32::MAX));
}

#[test]
fn regions_compaction_and_cluster_calls() {
    let h = with_table();
    assert!(h
        .handle_get_table_regions(v("nope"))
        .expect("regions")
        .is_empty());
    let regions = h.handle_get_table_regions(v("t")).expect("regions");
    assert_eq!(regions.len(), 1);
    let r = &regions[0];
    assert_eq!(r.start_key.as_deref(), Some(&b""[..]));
    assert_eq!(r.end_key.as_deref(), Some(&b""[..]));
    assert_eq!(r.version, Some(1));
    assert_eq!(r.server_name.as_deref(), Some(&b"localhost"[..]));
    assert_eq!(r.port, Some(9090));
    let name = r.name.clone().expect("name");
    assert!(name.starts_with(b"t,,"));

    h.handle_compact(v("t")).expect("compact table");
    h.handle_major_compact(name.clone())
        .expect("compact region");
    let msg = io_message(h.handle_compact(v("nope")).expect_err("missing"));
    assert!(msg.contains("TableNotFoundException"), "{msg}");

    let info = h
        .handle_get_region_info(v("t,row,99999999999999"))
        .expect("region info");
    assert_eq!(info.name.as_deref(), Some(&name[..]));
    let msg = io_message(h.handle_get_region_info(v("a")).expect_err("none"));
    assert!(msg.contains("Cannot find row in hbase:meta"), "{msg}");

    assert_eq!(
        h.handle_get_thrift_server_type().expect("type"),
        TThriftServerType::ONE
    );
    assert!(!h.handle_get_cluster_id().expect("id").is_empty());
    let entity = TAccessControlEntity::new(
        "u".into(),
        TPermissionScope::TABLE,
        "R".into(),
        v("t"),
        None,
    );
    let msg = io_message(h.handle_grant(entity.clone()).expect_err("grant"));
    assert!(msg.contains("AccessController"), "{msg}");
    io_message(h.handle_revoke(entity).expect_err("revoke"));
}

#[test]
fn disabled_and_missing_tables_fail_reads_and_writes() {
    let h = with_table();
    h.handle_disable_table(v("t")).expect("disable");
    let msg = io_message(
        h.handle_get(v("t"), v("r"), v("a:x"), attrs())
            .expect_err("disabled"),
    );
    assert!(
        msg.contains("TableNotEnabledException: t is disabled."),
        "{msg}"
    );
    io_message(
        h.handle_mutate_row(v("t"), v("r"), vec![put("a:x", "1")], attrs())
            .expect_err("disabled"),
    );
    io_message(
        h.handle_scanner_open(v("t"), v(""), vec![], attrs())
            .expect_err("disabled"),
    );
    h.handle_enable_table(v("t")).expect("enable");
    let msg = io_message(
        h.handle_get_row(v("nope"), v("r"), attrs())
            .expect_err("missing"),
    );
    assert!(msg.contains("TableNotFoundException: nope"), "{msg}");
    let msg = io_message(
        h.handle_mutate_row(v("t"), v("r"), vec![put("zz:x", "1")], attrs())
            .expect_err("family"),
    );
    assert!(msg.contains("NoSuchColumnFamilyException"), "{msg}");
    io_message(
        h.handle_get(v("t"), v("r"), v("zz"), attrs())
            .expect_err("family"),
    );
}

// --- reads and writes ------------------------------------------------------

#[test]
fn column_names_split_at_first_colon() {
    let h = with_table();
    mutate(
        &h,
        "r",
        vec![
            put("a:", "empty"),
            put("a:q:x", "colon"),
            put("a", "ignored"),
        ],
    );
    assert_eq!(values(&get(&h, "r", "a:")), vec!["empty"]);
    assert_eq!(values(&get(&h, "r", "a:q:x")), vec!["colon"]);
    assert_eq!(values(&get(&h, "r", "a")), vec!["empty", "colon"]);
    let rows = h.handle_get_row(v("t"), v("r"), attrs()).expect("row");
    assert_eq!(
        row_map(&rows[0]).keys().cloned().collect::<Vec<_>>(),
        vec!["a:", "a:q:x"]
    );
}

#[test]
fn versions_and_time_bounds() {
    let h = with_table();
    for ts in [10, 20, 30, 40] {
        mutate_ts(
            &h,
            "r",
            vec![put("a:x", &ts.to_string()), put("b:y", &ts.to_string())],
            ts,
        );
    }
    let cells = h
        .handle_get_ver(v("t"), v("r"), v("a:x"), 10, attrs())
        .expect("ver");
    assert_eq!(timestamps(&cells), vec![40, 30, 20]);
    let cells = h
        .handle_get_ver(v("t"), v("r"), v("b:y"), 10, attrs())
        .expect("ver");
    assert_eq!(timestamps(&cells), vec![40]);
    let cells = h
        .handle_get_ver_ts(v("t"), v("r"), v("a:x"), 30, 10, attrs())
        .expect("ver ts");
    assert_eq!(timestamps(&cells), vec![20]);
    let cells = h
        .handle_get_ver_ts(v("t"), v("r"), v("a:x"), 40, 1, attrs())
        .expect("ver ts");
    assert_eq!(values(&cells), vec!["30"]);
    io_message(
        h.handle_get_ver(v("t"), v("r"), v("a:x"), 0, attrs())
            .expect_err("versions"),
    );
    assert_eq!(values(&get(&h, "r", "a:x")), vec!["40"]);
    let rows = h
        .handle_get_row_ts(v("t"), v("r"), 35, attrs())
        .expect("row ts");
    assert_eq!(row_map(&rows[0])["a:x"], "30");
    // same explicit timestamp overwrites
    mutate_ts(&h, "r", vec![put("a:x", "again")], 40);
    assert_eq!(values(&get(&h, "r", "a:x")), vec!["again"]);
    assert!(get(&h, "missing", "a:x").is_empty());
    internal_message(
        h.handle_get_ver_ts(v("t"), v("r"), v("a:x"), -1, 1, attrs())
            .expect_err("negative"),
    );
}

#[test]
fn get_rows_omit_empty_rows_and_select_columns() {
    let h = with_table();
    mutate(&h, "r1", vec![put("a:x", "1"), put("b:y", "2")]);
    mutate(&h, "r3", vec![put("a:x", "3")]);
    let rows = h
        .handle_get_rows(v("t"), vec![v("r1"), v("r2"), v("r3")], attrs())
        .expect("rows");
    assert_eq!(keys(&rows), vec!["r1", "r3"]);
    let rows = h
        .handle_get_rows_with_columns(v("t"), vec![v("r1"), v("r3")], vec![v("b")], attrs())
        .expect("rows");
    assert_eq!(keys(&rows), vec!["r1"]);
    assert_eq!(row_map(&rows[0]).len(), 1);
    let rows = h
        .handle_get_row_with_columns(v("t"), v("r1"), vec![v("a:x"), v("b:y")], attrs())
        .expect("row");
    assert_eq!(row_map(&rows[0]).len(), 2);
    let rows = h
        .handle_get_row_with_columns(v("t"), v("r1"), vec![], attrs())
        .expect("row");
    assert_eq!(row_map(&rows[0]).len(), 2);
    let ts = h
        .handle_get(v("t"), v("r1"), v("a:x"), attrs())
        .expect("get")[0]
        .timestamp
        .expect("ts");
    assert!(h
        .handle_get_rows_ts(v("t"), vec![v("r1")], ts, attrs())
        .expect("rows ts")
        .iter()
        .all(|r| !row_map(r).contains_key("a:x")));
    assert_eq!(
        h.handle_get_rows_with_columns_ts(v("t"), vec![v("r1")], vec![v("a:x")], ts + 1, attrs())
            .expect("rows")
            .len(),
        1
    );
    assert_eq!(
        h.handle_get_row_with_columns_ts(v("t"), v("r1"), vec![v("a:x")], ts, attrs())
            .expect("row")
            .len(),
        0
    );
}

#[test]
fn delete_then_put_in_one_mutate_row_keeps_the_put() {
    let h = with_table();
    mutate(&h, "r", vec![put("a:x", "old"), put("a:y", "y")]);
    mutate(&h, "r", vec![del("a:x"), put("a:x", "new")]);
    assert_eq!(values(&get(&h, "r", "a:x")), vec!["new"]);
    // a family delete and a put
    mutate(&h, "r", vec![del("a"), put("a:z", "z")]);
    assert!(get(&h, "r", "a:y").is_empty());
    assert_eq!(values(&get(&h, "r", "a")), vec!["z"]);
    // back-to-back delete and put calls in the same millisecond
    for i in 0..50 {
        h.handle_delete_all(v("t"), v("r"), v("a:c"), attrs())
            .expect("delete");
        mutate(&h, "r", vec![put("a:c", &i.to_string())]);
        assert_eq!(values(&get(&h, "r", "a:c")), vec![i.to_string()]);
    }
}

#[test]
fn explicit_timestamp_deletes_are_inclusive_and_leave_tombstones() {
    let h = with_table();
    for ts in [10, 20, 30] {
        mutate_ts(&h, "r", vec![put("a:x", &ts.to_string())], ts);
    }
    h.handle_delete_all_ts(v("t"), v("r"), v("a:x"), 20, attrs())
        .expect("delete");
    let cells = h
        .handle_get_ver(v("t"), v("r"), v("a:x"), 5, attrs())
        .expect("ver");
    assert_eq!(timestamps(&cells), vec![30]);
    // an older put than the delete marker stays hidden
    mutate_ts(&h, "r", vec![put("a:x", "late")], 15);
    let cells = h
        .handle_get_ver(v("t"), v("r"), v("a:x"), 5, attrs())
        .expect("ver");
    assert_eq!(timestamps(&cells), vec![30]);
    // mutateRowTs: the delete at ts hides a put at the same ts
    mutate_ts(&h, "r", vec![del("a:x"), put("a:x", "masked")], 50);
    assert!(get(&h, "r", "a:x").is_empty());

    mutate_ts(&h, "q", vec![put("a:x", "1"), put("b:y", "2")], 10);
    mutate_ts(&h, "q", vec![put("a:x", "3")], 30);
    h.handle_delete_all_row_ts(v("t"), v("q"), 10, attrs())
        .expect("delete row");
    let rows = h.handle_get_row(v("t"), v("q"), attrs()).expect("row");
    assert_eq!(row_map(&rows[0]).len(), 1);
    h.handle_delete_all_row(v("t"), v("q"), attrs())
        .expect("delete row");
    assert!(h
        .handle_get_row(v("t"), v("q"), attrs())
        .expect("row")
        .is_empty());
    // deleteAll of a family
    mutate(
        &h,
        "f",
        vec![put("a:1", "1"), put("a:2", "2"), put("b:1", "3")],
    );
    h.handle_delete_all(v("t"), v("f"), v("a"), attrs())
        .expect("delete family");
    let rows = h.handle_get_row(v("t"), v("f"), attrs()).expect("row");
    assert_eq!(
        row_map(&rows[0]).keys().cloned().collect::<Vec<_>>(),
        vec!["b:1"]
    );
}

#[test]
fn mutate_rows_applies_puts_before_deletes() {
    let h = with_table();
    let batches = vec![
        BatchMutation::new(v("r1"), vec![del("a:x"), put("a:x", "lost")]),
        BatchMutation::new(v("r2"), vec![put("a:x", "kept")]),
    ];
    h.handle_mutate_rows(v("t"), batches, attrs())
        .expect("mutate rows");
    assert!(get(&h, "r1", "a:x").is_empty());
    assert_eq!(values(&get(&h, "r2", "a:x")), vec!["kept"]);
    let batches = vec![BatchMutation::new(v("r3"), vec![put("a:x", "ts")])];
    h.handle_mutate_rows_ts(v("t"), batches, 1234, attrs())
        .expect("mutate rows ts");
    assert_eq!(timestamps(&get(&h, "r3", "a:x")), vec![1234]);
    let batches = vec![BatchMutation::new(v("r4"), vec![put("a", "x")])];
    internal_message(
        h.handle_mutate_rows(v("t"), batches, attrs())
            .expect_err("family put"),
    );
    let batches = vec![BatchMutation::new(v("r4"), vec![put("zz:q", "x")])];
    io_message(
        h.handle_mutate_rows(v("t"), batches, attrs())
            .expect_err("family"),
    );
    illegal_message(
        h.handle_mutate_row_ts(v("t"), v("r"), vec![put("a:x", "1")], -5, attrs())
            .expect_err("negative ts"),
    );
}

#[test]
fn counters() {
    let h = with_table();
    assert_eq!(
        h.handle_atomic_increment(v("t"), v("r"), v("a:n"), 5)
            .expect("inc"),
        5
    );
    assert_eq!(
        h.handle_atomic_increment(v("t"), v("r"), v("a:n"), -7)
            .expect("inc"),
        -2
    );
    assert_eq!(
        get(&h, "r", "a:n")[0].value.as_deref(),
        Some(&(-2i64).to_be_bytes()[..])
    );
    h.handle_increment(TIncrement::new(v("t"), v("r"), v("a:n"), 10))
        .expect("increment");
    h.handle_increment_rows(vec![
        TIncrement::new(v("t"), v("r"), v("a:n"), 1),
        TIncrement::new(v("t"), v("r2"), v("a:m"), 2),
    ])
    .expect("increment rows");
    assert_eq!(
        h.handle_atomic_increment(v("t"), v("r"), v("a:n"), 0)
            .expect("inc"),
        9
    );
    assert_eq!(
        get(&h, "r2", "a:m")[0].value.as_deref(),
        Some(&2i64.to_be_bytes()[..])
    );
    // family-only column: the empty qualifier
    assert_eq!(
        h.handle_atomic_increment(v("t"), v("r"), v("a"), 3)
            .expect("inc"),
        3
    );
    assert_eq!(values(&get(&h, "r", "a:")).len(), 1);
    mutate(&h, "r", vec![put("a:s", "abc")]);
    let msg = io_message(
        h.handle_atomic_increment(v("t"), v("r"), v("a:s"), 1)
            .expect_err("not a long"),
    );
    assert!(
        msg.contains("Field is not a long, it's 3 bytes wide"),
        "{msg}"
    );
    internal_message(
        h.handle_increment(TIncrement::new(v("t"), v(""), v("a:n"), 1))
            .expect_err("no row"),
    );
}

#[test]
fn append_returns_new_cells_sorted() {
    let h = with_table();
    mutate(&h, "r", vec![put("a:x", "ab")]);
    let cells = h
        .handle_append(TAppend::new(
            v("t"),
            v("r"),
            vec![v("b:y"), v("a:x")],
            vec![v("new"), v("cd")],
        ))
        .expect("append");
    assert_eq!(values(&cells), vec!["abcd", "new"]);
    assert_eq!(values(&get(&h, "r", "a:x")), vec!["abcd"]);
    internal_message(
        h.handle_append(TAppend::new(v("t"), v("r"), vec![v("a:x")], vec![]))
            .expect_err("mismatch"),
    );
}

#[test]
fn check_and_put() {
    let h = with_table();
    let cp = |expected: &str, value: &str| {
        h.handle_check_and_put(
            v("t"),
            v("r"),
            v("a:x"),
            v(expected),
            put("a:y", value),
            attrs(),
        )
        .expect("check and put")
    };
    // empty expected value: "if absent"
    assert!(cp("", "1"));
    assert_eq!(values(&get(&h, "r", "a:y")), vec!["1"]);
    mutate(&h, "r", vec![put("a:x", "v")]);
    assert!(!cp("", "2"));
    assert!(!cp("w", "2"));
    assert!(cp("v", "3"));
    assert_eq!(values(&get(&h, "r", "a:y")), vec!["3"]);
    io_message(
        h.handle_check_and_put(v("t"), v("r"), v("zz:x"), v(""), put("a:y", "1"), attrs())
            .expect_err("family"),
    );
}

// --- scanners --------------------------------------------------------------

fn fill_rows(h: &HbaseHandler, n: usize) {
    for i in 0..n {
        mutate(
            h,
            &format!("row{i:03}"),
            vec![put("a:x", &i.to_string()), put("b:y", "y")],
        );
    }
}

#[test]
fn simple_scanners() {
    let h = with_table();
    fill_rows(&h, 20);
    let id = h
        .handle_scanner_open(v("t"), v("row015"), vec![], attrs())
        .expect("open");
    let first = h.handle_scanner_get(id).expect("get");
    assert_eq!(keys(&first), vec!["row015"]);
    let rest = h.handle_scanner_get_list(id, 100).expect("list");
    assert_eq!(rest.len(), 4);
    assert!(h.handle_scanner_get_list(id, 100).expect("list").is_empty());
    assert_eq!(h.open_scanners(), 1);
    h.handle_scanner_close(id).expect("close");
    assert_eq!(h.open_scanners(), 0);
    let msg = illegal_message(h.handle_scanner_get(id).expect_err("closed"));
    assert_eq!(msg, "scanner ID is invalid");
    illegal_message(h.handle_scanner_close(id).expect_err("closed"));

    let id = h
        .handle_scanner_open_with_stop(v("t"), v(""), v("row003"), vec![v("a:x")], attrs())
        .expect("open");
    let rows = h.handle_scanner_get_list(id, 100).expect("list");
    assert_eq!(keys(&rows), vec!["row000", "row001", "row002"]);
    assert_eq!(row_map(&rows[0]).len(), 1);

    mutate(&h, "rox", vec![put("a:x", "other")]);
    let id = h
        .handle_scanner_open_with_prefix(v("t"), v("row01"), vec![], attrs())
        .expect("open");
    let rows = h.handle_scanner_get_list(id, 100).expect("list");
    assert_eq!(rows.len(), 10);
    assert!(keys(&rows).iter().all(|k| k.starts_with("row01")));

    let ts = get(&h, "row010", "a:x")[0].timestamp.expect("ts");
    let id = h
        .handle_scanner_open_ts(v("t"), v(""), vec![v("a")], ts, attrs())
        .expect("open");
    let rows = h.handle_scanner_get_list(id, 100).expect("list");
    assert_eq!(rows.len(), 10);
    let id = h
        .handle_scanner_open_with_stop_ts(v("t"), v("row005"), v("row008"), vec![], ts, attrs())
        .expect("open");
    assert_eq!(h.handle_scanner_get_list(id, 100).expect("list").len(), 3);
    io_message(
        h.handle_scanner_open(v("t"), v(""), vec![v("zz")], attrs())
            .expect_err("family"),
    );
}

#[test]
fn scan_with_tscan_fields() {
    let h = with_table();
    fill_rows(&h, 30);
    let all = scan_all(&h, tscan());
    assert_eq!(all.len(), 30);
    let mut scan = tscan();
    scan.start_row = Some(v("row010"));
    scan.stop_row = Some(v("row020"));
    scan.columns = Some(vec![v("b:y")]);
    let rows = scan_all(&h, scan);
    assert_eq!(rows.len(), 10);
    assert_eq!(
        row_map(&rows[0]).keys().cloned().collect::<Vec<_>>(),
        vec!["b:y"]
    );

    let mut scan = tscan();
    scan.reversed = Some(true);
    scan.start_row = Some(v("row005"));
    scan.stop_row = Some(v("row001"));
    assert_eq!(
        keys(&scan_all(&h, scan)),
        vec!["row005", "row004", "row003", "row002"]
    );
    let mut scan = tscan();
    scan.reversed = Some(true);
    let rows = scan_all(&h, scan);
    assert_eq!(rows.len(), 30);
    assert_eq!(keys(&rows)[0], "row029");

    let mut scan = tscan();
    scan.batch_size = Some(1);
    scan.sort_columns = Some(true);
    scan.stop_row = Some(v("row002"));
    let rows = scan_all(&h, scan);
    assert_eq!(keys(&rows), vec!["row000", "row000", "row001", "row001"]);
    let sorted = rows[0].sorted_columns.as_ref().expect("sorted");
    assert!(rows[0].columns.is_none());
    assert_eq!(sorted.len(), 1);
    assert_eq!(sorted[0].column_name.as_deref(), Some(&b"a:x"[..]));
    assert_eq!(
        rows[1].sorted_columns.as_ref().expect("sorted")[0]
            .column_name
            .as_deref(),
        Some(&b"b:y"[..])
    );

    let ts = get(&h, "row010", "a:x")[0].timestamp.expect("ts");
    let mut scan = tscan();
    scan.timestamp = Some(ts);
    scan.caching = Some(3);
    scan.cache_blocks = Some(false);
    assert_eq!(scan_all(&h, scan).len(), 10);

    let mut scan = tscan();
    scan.filter_string = Some(v("NoSuchFilter('x')"));
    internal_message(
        h.handle_scanner_open_with_scan(v("t"), scan, attrs())
            .expect_err("bad filter"),
    );
    io_message(
        h.handle_scanner_open_with_scan(v("nope"), tscan(), attrs())
            .expect_err("missing table"),
    );
}

#[test]
fn scanners_expire_and_ids_increase() {
    let h = HbaseHandler::new(Duration::ZERO, "localhost".into(), 1);
    h.handle_create_table(v("t"), vec![family("a", 1)])
        .expect("create");
    let a = h
        .handle_scanner_open(v("t"), v(""), vec![], attrs())
        .expect("open");
    let b = h
        .handle_scanner_open(v("t"), v(""), vec![], attrs())
        .expect("open");
    assert!(a > 0 && b > a);
    std::thread::sleep(Duration::from_millis(5));
    // Opening `b` may already have dropped `a`; the reaper takes the rest.
    h.reap_expired_scanners();
    assert_eq!(h.open_scanners(), 0);
    illegal_message(h.handle_scanner_get(a).expect_err("expired"));
    illegal_message(h.handle_scanner_get(b).expect_err("expired"));
}

#[test]
fn scanner_sees_rows_written_during_the_scan_after_its_position() {
    let h = with_table();
    fill_rows(&h, 4);
    let id = h
        .handle_scanner_open(v("t"), v(""), vec![], attrs())
        .expect("open");
    assert_eq!(
        keys(&h.handle_scanner_get(id).expect("get")),
        vec!["row000"]
    );
    h.handle_delete_all_row(v("t"), v("row001"), attrs())
        .expect("delete");
    mutate(&h, "row005", vec![put("a:x", "late")]);
    let rows = h.handle_scanner_get_list(id, 10).expect("list");
    assert_eq!(keys(&rows), vec!["row002", "row003", "row005"]);
}

#[test]
fn large_scan_pages_through_every_row() {
    let h = with_table();
    let batches: Vec<_> = (0..5000)
        .map(|i| {
            BatchMutation::new(
                v(&format!("k{i:06}")),
                vec![put("a:1", "x"), put("a:2", "x"), put("b:3", "x")],
            )
        })
        .collect();
    h.handle_mutate_rows(v("t"), batches, attrs())
        .expect("load");
    let id = h
        .handle_scanner_open_with_scan(v("t"), tscan(), attrs())
        .expect("open");
    let mut n = 0;
    let mut last = Vec::new();
    loop {
        let rows = h.handle_scanner_get_list(id, 1000).expect("list");
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let key = r.row.clone().expect("row");
            assert!(key > last);
            last = key;
        }
        n += rows.len();
    }
    assert_eq!(n, 5000);
}

#[test]
fn scan_with_filter_strings() {
    let h = with_table();
    fill_rows(&h, 30);
    let mut scan = tscan();
    scan.filter_string = Some(v("PrefixFilter('row01')"));
    let rows = scan_all(&h, scan);
    assert_eq!(rows.len(), 10);
    let mut scan = tscan();
    scan.filter_string = Some(v("PageFilter(3)"));
    assert_eq!(
        keys(&scan_all(&h, scan)),
        vec!["row000", "row001", "row002"]
    );
    let mut scan = tscan();
    scan.filter_string = Some(v("KeyOnlyFilter() AND ValueFilter(=, 'binary:7')"));
    let rows = scan_all(&h, scan);
    assert_eq!(keys(&rows), vec!["row007"]);
    assert_eq!(row_map(&rows[0])["a:x"], "");
    let mut scan = tscan();
    scan.reversed = Some(true);
    scan.filter_string = Some(v("PageFilter(2)"));
    assert_eq!(keys(&scan_all(&h, scan)), vec!["row029", "row028"]);
}

#[test]
fn concurrent_increments_and_check_and_puts_are_atomic() {
    let h = with_table();
    let winners: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let h = h.clone();
                s.spawn(move || {
                    for _ in 0..200 {
                        h.handle_atomic_increment(v("t"), v("r"), v("a:n"), 1)
                            .expect("inc");
                    }
                    h.handle_check_and_put(
                        v("t"),
                        v("r"),
                        v("a:lock"),
                        v(""),
                        put("a:lock", &i.to_string()),
                        attrs(),
                    )
                    .expect("check and put")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|t| usize::from(t.join().expect("thread")))
            .sum()
    });
    assert_eq!(winners, 1);
    assert_eq!(
        h.handle_atomic_increment(v("t"), v("r"), v("a:n"), 0)
            .expect("inc"),
        1600
    );
}
