//! The Thrift2 gateway (`EmulatorBuilder::thrift2_bind`, `--thrift2-bind`)
//! over real sockets with the generated synchronous client: every family of
//! calls, visibility labels, conditional writes, time ranges, scans, admin
//! with descriptors and namespaces, and the same tables seen from Thrift1.

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use hbase_emulator::Emulator;
use hbase_orm_idl::hbase::{HbaseSyncClient, THbaseSyncClient};
use hbase_orm_idl::hbase2::{
    TAppend, TAuthorization, TCellVisibility, TColumn, TColumnFamilyDescriptor, TColumnIncrement,
    TColumnValue, TCompareOp, TDelete, TDeleteType, TGet, THBaseServiceSyncClient, TIncrement,
    TMutation, TNamespaceDescriptor, TPut, TResult, TRowMutations, TScan, TTHBaseServiceSyncClient,
    TTableDescriptor, TTableName, TThriftServerType, TTimeRange,
};
use hbase_orm_idl::thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TInputProtocol, TOutputProtocol,
};
use hbase_orm_idl::thrift::transport::{
    TBufferedReadTransport, TBufferedWriteTransport, TIoChannel, TTcpChannel,
};

mod common;

type In = Box<dyn TInputProtocol + Send>;
type Out = Box<dyn TOutputProtocol + Send>;
type Client = THBaseServiceSyncClient<In, Out>;

fn protocols(addr: SocketAddr) -> (In, Out) {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let (read, write) = TTcpChannel::with_stream(stream).split().unwrap();
    (
        Box::new(TBinaryInputProtocol::new(
            TBufferedReadTransport::new(read),
            true,
        )),
        Box::new(TBinaryOutputProtocol::new(
            TBufferedWriteTransport::new(write),
            true,
        )),
    )
}

fn client(addr: SocketAddr) -> Client {
    let (i, o) = protocols(addr);
    THBaseServiceSyncClient::new(i, o)
}

fn emulator() -> Emulator {
    Emulator::builder()
        .thrift2_bind("127.0.0.1:0".parse().unwrap())
        .start_blocking()
        .unwrap()
}

fn name(ns: &str, q: &str) -> TTableName {
    TTableName::new(ns.as_bytes().to_vec(), q.as_bytes().to_vec())
}

fn family(name: &str, versions: i32) -> TColumnFamilyDescriptor {
    TColumnFamilyDescriptor {
        name: name.as_bytes().to_vec(),
        max_versions: Some(versions),
        ..TColumnFamilyDescriptor::new(
            Vec::new(),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
    }
}

fn create(c: &mut Client, table: &str, families: &[(&str, i32)]) {
    let desc = TTableDescriptor::new(
        name("default", table),
        families
            .iter()
            .map(|(f, v)| family(f, *v))
            .collect::<Vec<_>>(),
        None,
        None,
    );
    c.create_table(desc, Vec::new()).unwrap();
}

fn cv(f: &str, q: &str, v: &str, ts: Option<i64>) -> TColumnValue {
    TColumnValue::new(
        f.as_bytes().to_vec(),
        q.as_bytes().to_vec(),
        v.as_bytes().to_vec(),
        ts,
        None,
        None,
    )
}

fn put(row: &str, cells: Vec<TColumnValue>) -> TPut {
    TPut::new(row.as_bytes().to_vec(), cells, None, None, None, None)
}

fn get(row: &str) -> TGet {
    TGet {
        row: row.as_bytes().to_vec(),
        ..TGet::new(
            Vec::new(),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
    }
}

/// The generated defaults without a filter: `TScan::default()` sets the
/// filter string to an empty one, which HBase (and so the emulator) refuses
/// as an incorrect filter string.
fn scan() -> TScan {
    TScan {
        filter_string: None,
        filter_bytes: None,
        ..TScan::default()
    }
}

fn values(r: &TResult) -> Vec<String> {
    r.column_values
        .iter()
        .map(|c| String::from_utf8_lossy(&c.value).into_owned())
        .collect()
}

fn keys(rs: &[TResult]) -> Vec<String> {
    rs.iter()
        .map(|r| String::from_utf8_lossy(r.row.as_deref().unwrap_or_default()).into_owned())
        .collect()
}

fn io_message(e: hbase_orm_idl::thrift::Error) -> String {
    match e {
        hbase_orm_idl::thrift::Error::User(u) => {
            match u.downcast::<hbase_orm_idl::hbase2::TIOError>() {
                Ok(io) => io.message.unwrap_or_default(),
                Err(other) => format!("{other:?}"),
            }
        }
        other => format!("{other:?}"),
    }
}

#[test]
fn reads_writes_and_versions() {
    let emulator = emulator();
    let mut c = client(emulator.thrift2_addr().unwrap());
    assert_eq!(c.get_thrift_server_type().unwrap(), TThriftServerType::TWO);
    create(&mut c, "t", &[("cf", 5), ("x", 1)]);
    c.put(
        b"t".to_vec(),
        put(
            "r1",
            vec![cv("cf", "a", "1", None), cv("x", "b", "2", None)],
        ),
    )
    .unwrap();
    let r = c.get(b"t".to_vec(), get("r1")).unwrap();
    assert_eq!(r.row.as_deref(), Some(&b"r1"[..]));
    assert_eq!(values(&r), ["1", "2"]);
    assert!(r
        .column_values
        .iter()
        .all(|c| c.timestamp.is_some() && c.type_ == Some(4)));
    let missing = c.get(b"t".to_vec(), get("nope")).unwrap();
    assert!(missing.row.is_none() && missing.column_values.is_empty());
    assert!(c.exists(b"t".to_vec(), get("r1")).unwrap());
    assert_eq!(
        c.exists_all(b"t".to_vec(), vec![get("r1"), get("nope")])
            .unwrap(),
        [true, false]
    );
    let many = c
        .get_multiple(b"t".to_vec(), vec![get("nope"), get("r1")])
        .unwrap();
    assert_eq!(many.len(), 2);
    assert!(many[0].column_values.is_empty() && many[1].column_values.len() == 2);

    // Versions and time ranges: [min, max), an exact timestamp, maxVersions.
    for ts in 1..=4 {
        c.put(
            b"t".to_vec(),
            put("v", vec![cv("cf", "q", &format!("v{ts}"), Some(ts * 10))]),
        )
        .unwrap();
    }
    let mut g = get("v");
    g.max_versions = Some(10);
    assert_eq!(
        values(&c.get(b"t".to_vec(), g.clone()).unwrap()),
        ["v4", "v3", "v2", "v1"]
    );
    g.time_range = Some(TTimeRange::new(20, 40));
    assert_eq!(
        values(&c.get(b"t".to_vec(), g.clone()).unwrap()),
        ["v3", "v2"]
    );
    g.timestamp = Some(10);
    assert_eq!(values(&c.get(b"t".to_vec(), g).unwrap()), ["v1"]);
    let mut one = get("v");
    one.time_range = Some(TTimeRange::new(0, 35));
    assert_eq!(values(&c.get(b"t".to_vec(), one).unwrap()), ["v3"]);
    let mut bad = get("v");
    bad.time_range = Some(TTimeRange::new(9, 3));
    assert!(c.get(b"t".to_vec(), bad).is_err());

    // Columns, filters.
    let mut g = get("r1");
    g.columns = Some(vec![TColumn::new(b"x".to_vec(), None, None)]);
    assert_eq!(values(&c.get(b"t".to_vec(), g).unwrap()), ["2"]);
    let mut g = get("r1");
    g.filter_string = Some(b"QualifierFilter(=, 'binary:a')".to_vec());
    assert_eq!(values(&c.get(b"t".to_vec(), g).unwrap()), ["1"]);

    // Deletes: a column's versions up to a timestamp, a family, the row;
    // deleteMultiple answers an empty list.
    let del = TDelete::new(
        b"v".to_vec(),
        vec![TColumn::new(b"cf".to_vec(), b"q".to_vec(), 20i64)],
        None,
        None,
        None,
        None,
    );
    c.delete_single(b"t".to_vec(), del).unwrap();
    let mut g = get("v");
    g.max_versions = Some(10);
    assert_eq!(values(&c.get(b"t".to_vec(), g).unwrap()), ["v4", "v3"]);
    let fam = TDelete::new(
        b"r1".to_vec(),
        vec![TColumn::new(b"x".to_vec(), None, None)],
        None,
        TDeleteType::DELETE_FAMILY,
        None,
        None,
    );
    assert!(c
        .delete_multiple(b"t".to_vec(), vec![fam])
        .unwrap()
        .is_empty());
    assert_eq!(values(&c.get(b"t".to_vec(), get("r1")).unwrap()), ["1"]);
    let one_version = TDelete::new(
        b"r1".to_vec(),
        vec![TColumn::new(b"cf".to_vec(), b"a".to_vec(), None)],
        None,
        TDeleteType::DELETE_COLUMN,
        None,
        None,
    );
    let err = io_message(c.delete_single(b"t".to_vec(), one_version).unwrap_err());
    assert!(
        err.contains("DELETE_COLUMN") && err.contains("not supported"),
        "{err}"
    );
    c.delete_single(
        b"t".to_vec(),
        TDelete::new(b"r1".to_vec(), None, None, None, None, None),
    )
    .unwrap();
    assert!(!c.exists(b"t".to_vec(), get("r1")).unwrap());

    // Errors: a missing table, an unknown family, an empty row.
    let err = io_message(c.get(b"missing".to_vec(), get("r")).unwrap_err());
    assert!(err.contains("TableNotFoundException"), "{err}");
    let err = io_message(
        c.put(b"t".to_vec(), put("r", vec![cv("nofam", "a", "1", None)]))
            .unwrap_err(),
    );
    assert!(err.contains("NoSuchColumnFamilyException"), "{err}");
    assert!(c
        .put(b"t".to_vec(), put("", vec![cv("cf", "a", "1", None)]))
        .is_err());
    // The connection survives every error.
    assert!(c.exists(b"t".to_vec(), get("v")).unwrap());
}

#[test]
fn visibility_labels_decide_what_a_read_sees() {
    let emulator = emulator();
    let mut c = client(emulator.thrift2_addr().unwrap());
    create(&mut c, "docs", &[("cf", 1)]);
    let mut secret = put("d1", vec![cv("cf", "body", "classified", None)]);
    secret.cell_visibility = Some(TCellVisibility::new("secret&!probation".to_owned()));
    c.put(b"docs".to_vec(), secret).unwrap();
    c.put(
        b"docs".to_vec(),
        put("d1", vec![cv("cf", "title", "public", None)]),
    )
    .unwrap();

    let read = |c: &mut Client, labels: &[&str]| {
        let mut g = get("d1");
        if !labels.is_empty() {
            g.authorizations = Some(TAuthorization::new(
                labels.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            ));
        }
        values(&c.get(b"docs".to_vec(), g).unwrap())
    };
    assert_eq!(read(&mut c, &[]), ["public"]);
    assert_eq!(read(&mut c, &["secret"]), ["classified", "public"]);
    assert_eq!(read(&mut c, &["secret", "probation"]), ["public"]);
    let mut s = scan();
    s.authorizations = Some(TAuthorization::new(vec!["secret".to_owned()]));
    let rows = c.get_scanner_results(b"docs".to_vec(), s, 10).unwrap();
    assert_eq!(values(&rows[0]), ["classified", "public"]);
    let rows = c.get_scanner_results(b"docs".to_vec(), scan(), 10).unwrap();
    assert_eq!(values(&rows[0]), ["public"]);

    // A bad expression is refused and writes nothing.
    let mut bad = put("d2", vec![cv("cf", "body", "x", None)]);
    bad.cell_visibility = Some(TCellVisibility::new("secret&".to_owned()));
    let err = io_message(c.put(b"docs".to_vec(), bad).unwrap_err());
    assert!(err.contains("visibility expression"), "{err}");
    assert!(!c.exists(b"docs".to_vec(), get("d2")).unwrap());

    // Increments and appends carry their visibility too.
    let inc = TIncrement::new(
        b"d3".to_vec(),
        vec![TColumnIncrement::new(b"cf".to_vec(), b"n".to_vec(), 5i64)],
        None,
        None,
        TCellVisibility::new("ops".to_owned()),
        None,
    );
    c.increment(b"docs".to_vec(), inc).unwrap();
    assert!(!c.exists(b"docs".to_vec(), get("d3")).unwrap());
    let mut g = get("d3");
    g.authorizations = Some(TAuthorization::new(vec!["ops".to_owned()]));
    assert_eq!(
        c.get(b"docs".to_vec(), g).unwrap().column_values[0].value,
        5i64.to_be_bytes()
    );
}

#[test]
fn conditional_writes_compare_and_mutate_atomically() {
    let emulator = emulator();
    let mut c = client(emulator.thrift2_addr().unwrap());
    create(&mut c, "acct", &[("cf", 1)]);
    let t = || b"acct".to_vec();
    // checkAndPut with no value: only if absent.
    let first = put("a", vec![cv("cf", "v", "1", None)]);
    assert!(c
        .check_and_put(
            t(),
            b"a".to_vec(),
            b"cf".to_vec(),
            b"v".to_vec(),
            Vec::new(),
            first.clone()
        )
        .unwrap());
    assert!(!c
        .check_and_put(
            t(),
            b"a".to_vec(),
            b"cf".to_vec(),
            b"v".to_vec(),
            Vec::new(),
            first
        )
        .unwrap());
    // checkAndMutate: "given op stored".
    let bump = |to: &str| {
        TRowMutations::new(
            b"a".to_vec(),
            vec![
                TMutation::Put(put(
                    "a",
                    vec![cv("cf", "v", to, None), cv("cf", "log", to, None)],
                )),
                TMutation::DeleteSingle(TDelete::new(
                    b"a".to_vec(),
                    vec![TColumn::new(b"cf".to_vec(), b"tmp".to_vec(), None)],
                    None,
                    None,
                    None,
                    None,
                )),
            ],
        )
    };
    let cam = |c: &mut Client, op, value: &str, to: &str| {
        c.check_and_mutate(
            t(),
            b"a".to_vec(),
            b"cf".to_vec(),
            b"v".to_vec(),
            op,
            value.as_bytes().to_vec(),
            bump(to),
        )
        .unwrap()
    };
    assert!(!cam(&mut c, TCompareOp::EQUAL, "0", "x"));
    assert!(cam(&mut c, TCompareOp::EQUAL, "1", "2"));
    assert!(cam(&mut c, TCompareOp::LESS, "1", "3")); // 1 < 2
    assert!(!cam(&mut c, TCompareOp::LESS, "5", "9")); // 5 < 3 is false
    assert!(cam(&mut c, TCompareOp::GREATER_OR_EQUAL, "3", "4"));
    assert!(cam(&mut c, TCompareOp::NOT_EQUAL, "0", "5"));
    assert_eq!(values(&c.get(t(), get("a")).unwrap()), ["5", "5"]);
    // Mutations on another row are refused.
    let wrong = TRowMutations::new(
        b"a".to_vec(),
        vec![TMutation::Put(put("b", vec![cv("cf", "v", "1", None)]))],
    );
    let err = io_message(
        c.check_and_mutate(
            t(),
            b"a".to_vec(),
            b"cf".to_vec(),
            b"v".to_vec(),
            TCompareOp::EQUAL,
            b"5".to_vec(),
            wrong,
        )
        .unwrap_err(),
    );
    assert!(err.contains("doesn't match"), "{err}");
    // checkAndDelete.
    let del = TDelete::new(b"a".to_vec(), None, None, None, None, None);
    assert!(!c
        .check_and_delete(
            t(),
            b"a".to_vec(),
            b"cf".to_vec(),
            b"v".to_vec(),
            b"4".to_vec(),
            del.clone()
        )
        .unwrap());
    assert!(c
        .check_and_delete(
            t(),
            b"a".to_vec(),
            b"cf".to_vec(),
            b"v".to_vec(),
            b"5".to_vec(),
            del
        )
        .unwrap());
    assert!(!c.exists(t(), get("a")).unwrap());

    // mutateRow, increment and append with returnResults.
    c.mutate_row(t(), bump("7")).unwrap();
    assert_eq!(values(&c.get(t(), get("a")).unwrap()), ["7", "7"]);
    let inc = |ret: Option<bool>| {
        TIncrement::new(
            b"n".to_vec(),
            vec![TColumnIncrement::new(
                b"cf".to_vec(),
                b"hits".to_vec(),
                None,
            )],
            None,
            None,
            None,
            ret,
        )
    };
    let r = c.increment(t(), inc(None)).unwrap();
    assert_eq!(r.column_values[0].value, 1i64.to_be_bytes());
    assert!(c
        .increment(t(), inc(Some(false)))
        .unwrap()
        .column_values
        .is_empty());
    let r = c.increment(t(), inc(Some(true))).unwrap();
    assert_eq!(r.column_values[0].value, 3i64.to_be_bytes());
    let app = |ret| {
        TAppend::new(
            b"s".to_vec(),
            vec![cv("cf", "log", "ab", None)],
            None,
            None,
            None,
            ret,
        )
    };
    assert_eq!(values(&c.append(t(), app(None)).unwrap()), ["ab"]);
    assert!(c
        .append(t(), app(Some(false)))
        .unwrap()
        .column_values
        .is_empty());
    assert_eq!(values(&c.get(t(), get("s")).unwrap()), ["abab"]);
}

#[test]
fn scans_page_reverse_limit_filter_and_time_ranges() {
    let emulator = emulator();
    let mut c = client(emulator.thrift2_addr().unwrap());
    create(&mut c, "ev", &[("a", 3), ("b", 3)]);
    let t = || b"ev".to_vec();
    let puts = (0..20)
        .map(|i| {
            put(
                &format!("k{i:02}"),
                vec![
                    cv("a", "n", &i.to_string(), Some(100 + i)),
                    cv("b", "m", "x", Some(200 + i)),
                ],
            )
        })
        .collect();
    c.put_multiple(t(), puts).unwrap();

    let id = c.open_scanner(t(), scan()).unwrap();
    let mut all = Vec::new();
    loop {
        let page = c.get_scanner_rows(id, 6).unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 6);
        all.extend(page);
    }
    assert_eq!(
        keys(&all),
        (0..20).map(|i| format!("k{i:02}")).collect::<Vec<_>>()
    );
    c.close_scanner(id).unwrap();
    c.close_scanner(id).unwrap(); // unknown ids are not an error
    assert!(c.get_scanner_rows(id, 1).is_err());
    assert_eq!(emulator.connections(), 1);

    let mut s = scan();
    s.start_row = Some(b"k10".to_vec());
    s.stop_row = Some(b"k05".to_vec());
    s.reversed = Some(true);
    assert_eq!(
        keys(&c.get_scanner_results(t(), s, 100).unwrap()),
        ["k10", "k09", "k08", "k07", "k06"]
    );
    let mut s = scan();
    s.limit = Some(3);
    assert_eq!(c.get_scanner_results(t(), s, 100).unwrap().len(), 3);
    let mut s = scan();
    s.filter_string = Some(b"PrefixFilter('k1')".to_vec());
    assert_eq!(c.get_scanner_results(t(), s, 100).unwrap().len(), 10);
    let mut s = scan();
    s.time_range = Some(TTimeRange::new(100, 105));
    let rows = c.get_scanner_results(t(), s, 100).unwrap();
    assert_eq!(keys(&rows), ["k00", "k01", "k02", "k03", "k04"]);
    assert!(rows.iter().all(|r| r.column_values.len() == 1));
    // Per family: family a before 103, family b from 215 on.
    let mut s = scan();
    s.col_fam_time_range_map = Some(BTreeMap::from([
        (b"a".to_vec(), TTimeRange::new(0, 103)),
        (b"b".to_vec(), TTimeRange::new(215, i64::MAX)),
    ]));
    let rows = c.get_scanner_results(t(), s, 100).unwrap();
    assert_eq!(
        keys(&rows),
        ["k00", "k01", "k02", "k15", "k16", "k17", "k18", "k19"]
    );
    let mut s = scan();
    s.filter_string = Some(b"NoSuchFilter()".to_vec());
    assert!(c.open_scanner(t(), s).is_err());
    assert!(c.open_scanner(b"nope".to_vec(), scan()).is_err());

    let loc = c.get_region_location(t(), b"k03".to_vec(), false).unwrap();
    assert_eq!(loc.region_info.table_name, b"ev");
    assert_eq!(
        loc.server_name.port,
        Some(i32::from(emulator.thrift2_addr().unwrap().port()))
    );
    assert_eq!(c.get_all_region_locations(t()).unwrap().len(), 1);
}

#[test]
fn admin_with_descriptors_and_namespaces() {
    let emulator = emulator();
    let mut c = client(emulator.thrift2_addr().unwrap());
    c.create_namespace(TNamespaceDescriptor::new(
        "app".to_owned(),
        BTreeMap::from([("k".to_owned(), "v".to_owned())]),
    ))
    .unwrap();
    assert!(c
        .create_namespace(TNamespaceDescriptor::new("app".to_owned(), None))
        .is_err());
    assert_eq!(c.list_namespaces().unwrap(), ["app", "default", "hbase"]);
    assert_eq!(
        c.get_namespace_descriptor("app".to_owned())
            .unwrap()
            .configuration,
        Some(BTreeMap::from([("k".to_owned(), "v".to_owned())]))
    );
    let err = io_message(
        c.create_table(
            TTableDescriptor::new(name("ghost", "t"), vec![family("cf", 1)], None, None),
            Vec::new(),
        )
        .unwrap_err(),
    );
    assert!(err.contains("NamespaceNotFoundException"), "{err}");

    c.create_table(
        TTableDescriptor::new(
            name("app", "users"),
            vec![family("cf", 4), family("meta", 1)],
            None,
            None,
        ),
        Vec::new(),
    )
    .unwrap();
    assert!(c.table_exists(name("app", "users")).unwrap());
    let d = c.get_table_descriptor(name("app", "users")).unwrap();
    assert_eq!(d.table_name, name("app", "users"));
    let fams = d.columns.unwrap();
    assert_eq!(fams.len(), 2);
    assert_eq!(fams[0].name, b"cf");
    assert_eq!(fams[0].max_versions, Some(4));
    assert_eq!(fams[0].block_size, Some(65536));
    assert_eq!(
        c.get_table_names_by_namespace("app".to_owned()).unwrap(),
        [name("app", "users")]
    );
    assert_eq!(
        c.get_table_descriptors_by_pattern("app:.*".to_owned(), false)
            .unwrap()
            .len(),
        1
    );
    assert!(c
        .get_table_descriptors_by_pattern("nothing".to_owned(), false)
        .unwrap()
        .is_empty());
    let err = io_message(c.delete_namespace("app".to_owned()).unwrap_err());
    assert!(err.contains("Only empty namespaces"), "{err}");
    assert!(c.is_table_enabled(name("app", "users")).unwrap());

    // Data written through Thrift2 under ns:table.
    c.put(
        b"app:users".to_vec(),
        put("u1", vec![cv("cf", "n", "Ann", None)]),
    )
    .unwrap();
    assert!(c.truncate_table(name("app", "users"), false).is_err()); // still enabled
    c.disable_table(name("app", "users")).unwrap();
    assert!(c.is_table_disabled(name("app", "users")).unwrap());
    c.truncate_table(name("app", "users"), true).unwrap();
    assert!(c.is_table_enabled(name("app", "users")).unwrap());
    assert!(!c.exists(b"app:users".to_vec(), get("u1")).unwrap());
    let err = io_message(
        c.add_column_family(name("app", "users"), family("new", 1))
            .unwrap_err(),
    );
    assert!(err.contains("not supported"), "{err}");
    c.disable_table(name("app", "users")).unwrap();
    c.delete_table(name("app", "users")).unwrap();
    assert!(!c.table_exists(name("app", "users")).unwrap());
    c.delete_namespace("app".to_owned()).unwrap();
    assert!(c.delete_namespace("default".to_owned()).is_err());
    assert!(!c.get_cluster_id().unwrap().is_empty());
}

#[test]
fn thrift1_and_thrift2_share_the_tables() {
    let emulator = emulator();
    let mut c2 = client(emulator.thrift2_addr().unwrap());
    create(&mut c2, "shared", &[("cf", 1)]);
    c2.put(
        b"shared".to_vec(),
        put("r", vec![cv("cf", "a", "from2", None)]),
    )
    .unwrap();
    let (i, o) = protocols(emulator.addr());
    let mut c1 = HbaseSyncClient::new(i, o);
    let cells = c1
        .get(
            b"shared".to_vec(),
            b"r".to_vec(),
            b"cf:a".to_vec(),
            BTreeMap::new(),
        )
        .unwrap();
    assert_eq!(cells[0].value.as_deref(), Some(&b"from2"[..]));
    assert_eq!(c1.get_table_names().unwrap(), [b"shared".to_vec()]);
}

#[test]
fn the_binary_prints_both_listening_lines() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(common::BIN)
        .args([
            "--bind",
            "127.0.0.1:0",
            "--thrift2-bind",
            "127.0.0.1:0",
            "--transport",
            "http",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    let mut second = String::new();
    out.read_line(&mut first).unwrap();
    out.read_line(&mut second).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("hbase-emulator listening on 127.0.0.1:"),
        "{first}"
    );
    assert!(
        second.starts_with("hbase-emulator thrift2 listening on 127.0.0.1:"),
        "{second}"
    );
    assert!(second.trim_end().ends_with("(http, binary)"), "{second}");
}
