//! The embedded Accumulo Proxy over real sockets: every call through the
//! generated client, on framed+compact and framed+binary.

mod conformance;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use hbase_emulator::{Emulator, Protocol};
use hbase_orm_idl::accumulo::*;
use hbase_orm_idl::thrift;
use hbase_orm_idl::thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TCompactInputProtocol, TCompactOutputProtocol,
    TInputProtocol, TOutputProtocol,
};
use hbase_orm_idl::thrift::transport::{
    TFramedReadTransport, TFramedWriteTransport, TIoChannel, TTcpChannel,
};

/// The generated client over boxed protocols.
pub(crate) type Client =
    AccumuloProxySyncClient<Box<dyn TInputProtocol + Send>, Box<dyn TOutputProtocol + Send>>;

/// An emulator serving only the Accumulo Proxy.
pub(crate) fn start(protocol: Protocol) -> Emulator {
    Emulator::builder()
        .hbase(false)
        .accumulo_bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .accumulo_protocol(protocol)
        .start_blocking()
        .expect("emulator starts")
}

/// A client connected to `emulator`.
pub(crate) fn connect(emulator: &Emulator, protocol: Protocol) -> Client {
    let addr = emulator.accumulo_addr().expect("accumulo is served");
    let mut channel = TTcpChannel::new();
    channel.open(addr.to_string()).expect("connects");
    let (r, w) = channel.split().expect("splits");
    let (i, o): (
        Box<dyn TInputProtocol + Send>,
        Box<dyn TOutputProtocol + Send>,
    ) = match protocol {
        Protocol::Compact => (
            Box::new(TCompactInputProtocol::new(TFramedReadTransport::new(r))),
            Box::new(TCompactOutputProtocol::new(TFramedWriteTransport::new(w))),
        ),
        Protocol::Binary => (
            Box::new(TBinaryInputProtocol::new(
                TFramedReadTransport::new(r),
                true,
            )),
            Box::new(TBinaryOutputProtocol::new(
                TFramedWriteTransport::new(w),
                true,
            )),
        ),
    };
    AccumuloProxySyncClient::new(i, o)
}

/// Runs `check` on both protocols, each on a fresh emulator, with a root
/// login.
pub(crate) fn each_protocol(check: impl Fn(&mut Client, Vec<u8>, &Emulator)) {
    for protocol in [Protocol::Compact, Protocol::Binary] {
        let emulator = start(protocol);
        let mut client = connect(&emulator, protocol);
        let login = client
            .login("root".into(), password("secret"))
            .expect("root logs in");
        check(&mut client, login, &emulator);
    }
}

pub(crate) fn password(p: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("password".to_owned(), p.to_owned())])
}

/// The message of the declared exception `T` inside `err`.
pub(crate) fn user_error<T: std::error::Error + 'static>(err: &thrift::Error) -> Option<&T> {
    match err {
        thrift::Error::User(e) => e.downcast_ref::<T>(),
        _ => None,
    }
}

pub(crate) fn update(cf: &str, cq: &str, vis: &str, ts: Option<i64>, value: &str) -> ColumnUpdate {
    ColumnUpdate {
        col_family: Some(cf.into()),
        col_qualifier: Some(cq.into()),
        col_visibility: Some(vis.into()),
        timestamp: ts,
        value: Some(value.into()),
        delete_cell: None,
    }
}

pub(crate) fn delete(cf: &str, cq: &str, ts: Option<i64>) -> ColumnUpdate {
    ColumnUpdate {
        col_family: Some(cf.into()),
        col_qualifier: Some(cq.into()),
        col_visibility: None,
        timestamp: ts,
        value: None,
        delete_cell: Some(true),
    }
}

pub(crate) fn cells(rows: &[(&str, Vec<ColumnUpdate>)]) -> BTreeMap<Vec<u8>, Vec<ColumnUpdate>> {
    rows.iter()
        .map(|(r, u)| (r.as_bytes().to_vec(), u.clone()))
        .collect()
}

pub(crate) fn key(row: &str, cf: &str, cq: &str, ts: Option<i64>) -> Key {
    Key::new(
        row.as_bytes().to_vec(),
        cf.as_bytes().to_vec(),
        cq.as_bytes().to_vec(),
        Vec::new(),
        ts,
    )
}

/// Everything a scanner returns, as `row cf:cq [vis] ts = value` lines.
pub(crate) fn drain(client: &mut Client, scanner: &str) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let batch = client.next_k(scanner.to_owned(), 3).expect("nextK");
        for kv in batch.results.unwrap_or_default() {
            let k = kv.key.unwrap();
            let s =
                |b: Option<Vec<u8>>| String::from_utf8_lossy(&b.unwrap_or_default()).into_owned();
            out.push(format!(
                "{} {}:{} [{}] {} = {}",
                s(k.row),
                s(k.col_family),
                s(k.col_qualifier),
                s(k.col_visibility),
                k.timestamp.unwrap(),
                s(kv.value)
            ));
        }
        if !batch.more.unwrap() {
            break;
        }
    }
    client.close_scanner(scanner.to_owned()).expect("close");
    out
}

pub(crate) fn scan(
    client: &mut Client,
    login: &[u8],
    table: &str,
    options: ScanOptions,
) -> Vec<String> {
    let id = client
        .create_scanner(login.to_vec(), table.into(), options)
        .expect("createScanner");
    drain(client, &id)
}

fn auths(list: &[&str]) -> BTreeSet<Vec<u8>> {
    list.iter().map(|a| a.as_bytes().to_vec()).collect()
}

#[test]
fn login_checks_the_password() {
    each_protocol(|client, _, _| {
        let err = client.login("root".into(), password("wrong")).unwrap_err();
        let e = user_error::<AccumuloSecurityException>(&err).expect("security exception");
        assert!(
            e.msg.as_deref().unwrap().contains("BAD_CREDENTIALS"),
            "{e:?}"
        );
        let err = client.list_tables(b"garbage token".to_vec()).unwrap_err();
        assert!(matches!(err, thrift::Error::Application(_)), "{err:?}");
    });
}

#[test]
fn table_operations() {
    each_protocol(|c, login, _| {
        c.create_table(login.clone(), "t1".into(), true, TimeType::MILLIS)
            .unwrap();
        assert!(c.table_exists(login.clone(), "t1".into()).unwrap());
        let err = c
            .create_table(login.clone(), "t1".into(), true, TimeType::MILLIS)
            .unwrap_err();
        assert!(user_error::<TableExistsException>(&err).is_some());
        let err = c
            .create_table(login.clone(), "bad name".into(), true, TimeType::MILLIS)
            .unwrap_err();
        assert!(user_error::<AccumuloException>(&err).is_some(), "{err:?}");
        let tables = c.list_tables(login.clone()).unwrap();
        assert!(
            tables.contains("t1") && tables.contains("accumulo.metadata"),
            "{tables:?}"
        );
        let props = c.get_table_properties(login.clone(), "t1".into()).unwrap();
        assert_eq!(props["table.iterator.scan.vers.opt.maxVersions"], "1");
        c.set_table_property(
            login.clone(),
            "t1".into(),
            "table.custom.x".into(),
            "y".into(),
        )
        .unwrap();
        assert_eq!(
            c.get_table_properties(login.clone(), "t1".into()).unwrap()["table.custom.x"],
            "y"
        );
        c.remove_table_property(login.clone(), "t1".into(), "table.custom.x".into())
            .unwrap();
        c.add_splits(login.clone(), "t1".into(), auths(&["m", "f"]))
            .unwrap();
        assert_eq!(
            c.list_splits(login.clone(), "t1".into(), 10).unwrap(),
            vec![b"f".to_vec(), b"m".to_vec()]
        );
        c.flush_table(login.clone(), "t1".into(), Vec::new(), Vec::new(), true)
            .unwrap();
        c.compact_table(
            login.clone(),
            "t1".into(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            true,
            true,
            CompactionStrategyConfig::default(),
        )
        .unwrap();
        c.update_and_flush(
            login.clone(),
            "t1".into(),
            cells(&[("r", vec![update("f", "q", "", Some(5), "v")])]),
        )
        .unwrap();
        c.clone_table(
            login.clone(),
            "t1".into(),
            "t2".into(),
            true,
            BTreeMap::new(),
            BTreeSet::new(),
        )
        .unwrap();
        assert_eq!(scan(c, &login, "t2", ScanOptions::default()).len(), 1);
        c.rename_table(login.clone(), "t2".into(), "t3".into())
            .unwrap();
        assert!(!c.table_exists(login.clone(), "t2".into()).unwrap());
        let ids = c.table_id_map(login.clone()).unwrap();
        assert!(ids.contains_key("t3") && ids.contains_key("t1"));
        c.offline_table(login.clone(), "t3".into(), false).unwrap();
        c.online_table(login.clone(), "t3".into(), false).unwrap();
        c.delete_table(login.clone(), "t3".into()).unwrap();
        let err = c.delete_table(login.clone(), "t3".into()).unwrap_err();
        assert!(user_error::<TableNotFoundException>(&err).is_some());
        let n = c
            .add_constraint(
                login.clone(),
                "t1".into(),
                "org.apache.accumulo.core.constraints.VisibilityConstraint".into(),
            )
            .unwrap();
        assert_eq!(
            c.list_constraints(login.clone(), "t1".into()).unwrap()
                ["org.apache.accumulo.core.constraints.VisibilityConstraint"],
            n
        );
        c.remove_constraint(login.clone(), "t1".into(), n).unwrap();
        c.delete_rows(login.clone(), "t1".into(), Vec::new(), Vec::new())
            .unwrap();
        assert!(scan(c, &login, "t1", ScanOptions::default()).is_empty());
        assert_eq!(
            c.get_disk_usage(login.clone(), BTreeSet::from(["t1".to_owned()]))
                .unwrap()
                .len(),
            1
        );
    });
}

#[test]
fn writes_deletes_versions_and_scanner_calls() {
    each_protocol(|c, login, _| {
        c.create_table(login.clone(), "v".into(), true, TimeType::MILLIS)
            .unwrap();
        c.create_table(login.clone(), "all".into(), false, TimeType::LOGICAL)
            .unwrap();
        for table in ["v", "all"] {
            for ts in 1..=3 {
                c.update_and_flush(
                    login.clone(),
                    table.into(),
                    cells(&[("r", vec![update("f", "q", "", Some(ts), &format!("v{ts}"))])]),
                )
                .unwrap();
            }
        }
        assert_eq!(
            scan(c, &login, "v", ScanOptions::default()),
            vec!["r f:q [] 3 = v3"]
        );
        assert_eq!(scan(c, &login, "all", ScanOptions::default()).len(), 3);
        c.set_table_property(
            login.clone(),
            "v".into(),
            "table.iterator.scan.vers.opt.maxVersions".into(),
            "2".into(),
        )
        .unwrap();
        assert_eq!(
            scan(c, &login, "v", ScanOptions::default()),
            vec!["r f:q [] 3 = v3", "r f:q [] 2 = v2"]
        );
        // A delete at 2 hides versions 2 and 1.
        c.update_and_flush(
            login.clone(),
            "all".into(),
            cells(&[("r", vec![delete("f", "q", Some(2))])]),
        )
        .unwrap();
        assert_eq!(
            scan(c, &login, "all", ScanOptions::default()),
            vec!["r f:q [] 3 = v3"]
        );
        // Logical time stamps entries written without a timestamp.
        c.update_and_flush(
            login.clone(),
            "all".into(),
            cells(&[("s", vec![update("f", "q", "", None, "x")])]),
        )
        .unwrap();
        let got = scan(c, &login, "all", ScanOptions::default());
        assert_eq!(got.len(), 2);
        // hasNext / nextEntry / NoMoreEntries / unknown ids.
        let id = c
            .create_scanner(login.clone(), "v".into(), ScanOptions::default())
            .unwrap();
        assert!(c.has_next(id.clone()).unwrap());
        let first = c.next_entry(id.clone()).unwrap();
        assert!(first.has_next.unwrap());
        c.next_entry(id.clone()).unwrap();
        assert!(!c.has_next(id.clone()).unwrap());
        let err = c.next_entry(id.clone()).unwrap_err();
        assert!(user_error::<NoMoreEntriesException>(&err).is_some());
        c.close_scanner(id.clone()).unwrap();
        let err = c.next_k(id.clone(), 1).unwrap_err();
        assert!(user_error::<UnknownScanner>(&err).is_some());
        let err = c.has_next("not-a-uuid".into()).unwrap_err();
        assert!(user_error::<UnknownScanner>(&err)
            .unwrap()
            .msg
            .as_deref()
            .unwrap()
            .contains("Invalid UUID"));
    });
}

#[test]
fn visibility_and_authorizations() {
    each_protocol(|c, login, _| {
        c.create_table(login.clone(), "vis".into(), true, TimeType::MILLIS)
            .unwrap();
        c.update_and_flush(
            login.clone(),
            "vis".into(),
            cells(&[(
                "r",
                vec![
                    update("f", "ab", "A&B", Some(1), "x"),
                    update("f", "open", "", Some(1), "y"),
                ],
            )]),
        )
        .unwrap();
        let err = c
            .update_and_flush(
                login.clone(),
                "vis".into(),
                cells(&[("r", vec![update("f", "q", "A&B|C", Some(1), "x")])]),
            )
            .unwrap_err();
        let e = user_error::<AccumuloException>(&err).expect("malformed visibility refused");
        assert!(e.msg.as_deref().unwrap().contains("cannot mix"), "{e:?}");
        // root has no authorizations yet: only the open cell.
        assert_eq!(scan(c, &login, "vis", ScanOptions::default()).len(), 1);
        c.change_user_authorizations(login.clone(), "root".into(), auths(&["A", "B"]))
            .unwrap();
        assert_eq!(
            c.get_user_authorizations(login.clone(), "root".into())
                .unwrap()
                .len(),
            2
        );
        let only_a = ScanOptions {
            authorizations: Some(auths(&["A"])),
            ..ScanOptions::default()
        };
        assert_eq!(scan(c, &login, "vis", only_a).len(), 1);
        let ab = ScanOptions {
            authorizations: Some(auths(&["A", "B"])),
            ..ScanOptions::default()
        };
        assert_eq!(scan(c, &login, "vis", ab).len(), 2);
        // Authorizations the user lacks: refused when reading.
        let bad = ScanOptions {
            authorizations: Some(auths(&["Z"])),
            ..ScanOptions::default()
        };
        let id = c.create_scanner(login.clone(), "vis".into(), bad).unwrap();
        let err = c.next_k(id, 10).unwrap_err();
        let e = user_error::<AccumuloSecurityException>(&err).expect("bad authorizations");
        assert!(
            e.msg.as_deref().unwrap().contains("BAD_AUTHORIZATIONS"),
            "{e:?}"
        );
    });
}

#[test]
fn ranges_at_column_level_and_batch_scans() {
    each_protocol(|c, login, _| {
        c.create_table(login.clone(), "rg".into(), true, TimeType::MILLIS)
            .unwrap();
        let rows: Vec<(&str, Vec<ColumnUpdate>)> = ["a", "b", "c", "d"]
            .iter()
            .map(|r| {
                (
                    *r,
                    vec![
                        update("f", "1", "", Some(1), r),
                        update("f", "2", "", Some(1), r),
                        update("g", "1", "", Some(1), r),
                    ],
                )
            })
            .collect();
        c.update_and_flush(login.clone(), "rg".into(), cells(&rows))
            .unwrap();
        let range = |start: Key, si: bool, stop: Key, so: bool| ScanOptions {
            range: Some(Range {
                start: Some(start),
                start_inclusive: Some(si),
                stop: Some(stop),
                stop_inclusive: Some(so),
            }),
            ..ScanOptions::default()
        };
        // From b f:2 inclusive to c f:2 exclusive.
        let got = scan(
            c,
            &login,
            "rg",
            range(
                key("b", "f", "2", None),
                true,
                key("c", "f", "2", None),
                false,
            ),
        );
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].starts_with("b f:2"), "{got:?}");
        // Exclusive start at the exact key (timestamp given) skips it.
        let got = scan(
            c,
            &login,
            "rg",
            range(
                key("b", "f", "2", Some(1)),
                false,
                key("b", "g", "1", Some(1)),
                true,
            ),
        );
        assert_eq!(got, vec!["b g:1 [] 1 = b"]);
        // An infinite stop.
        let open = ScanOptions {
            range: Some(Range {
                start: Some(key("d", "", "", None)),
                start_inclusive: Some(true),
                stop: None,
                stop_inclusive: Some(false),
            }),
            ..ScanOptions::default()
        };
        assert_eq!(scan(c, &login, "rg", open).len(), 3);
        let err = c
            .create_scanner(
                login.clone(),
                "rg".into(),
                range(key("c", "", "", None), true, key("a", "", "", None), true),
            )
            .unwrap_err();
        assert!(user_error::<AccumuloException>(&err).is_some());
        // Columns.
        let columns = ScanOptions {
            columns: Some(vec![ScanColumn {
                col_family: Some(b"g".to_vec()),
                col_qualifier: None,
            }]),
            ..ScanOptions::default()
        };
        assert_eq!(scan(c, &login, "rg", columns).len(), 4);
        // Batch scanner: overlapping ranges come back once.
        let rr = |a: &str, b: &str| Range {
            start: Some(key(a, "", "", None)),
            start_inclusive: Some(true),
            stop: Some(key(b, "", "", None)),
            stop_inclusive: Some(false),
        };
        let options = BatchScanOptions {
            ranges: Some(vec![rr("a", "c"), rr("b", "d")]),
            ..BatchScanOptions::default()
        };
        let id = c
            .create_batch_scanner(login.clone(), "rg".into(), options)
            .unwrap();
        assert_eq!(drain(c, &id).len(), 9);
        let row = c.get_row_range(b"b".to_vec()).unwrap();
        let options = BatchScanOptions {
            ranges: Some(vec![row]),
            ..BatchScanOptions::default()
        };
        let id = c
            .create_batch_scanner(login.clone(), "rg".into(), options)
            .unwrap();
        assert_eq!(drain(c, &id).len(), 3);
        let following = c
            .get_following(key("b", "f", "", None), PartialKey::ROW)
            .unwrap();
        assert_eq!(following.row.unwrap(), b"b\0".to_vec());
    });
}

#[test]
fn writers_report_rejections_at_flush() {
    each_protocol(|c, login, _| {
        c.create_table(login.clone(), "w".into(), true, TimeType::MILLIS)
            .unwrap();
        let w = c
            .create_writer(login.clone(), "w".into(), WriterOptions::default())
            .unwrap();
        c.update(
            w.clone(),
            cells(&[("r1", vec![update("f", "q", "", None, "1")])]),
        )
        .unwrap();
        c.flush(w.clone()).unwrap();
        c.close_writer(w.clone()).unwrap();
        let err = c.flush(w.clone()).unwrap_err();
        assert!(user_error::<UnknownWriter>(&err).is_some());
        assert_eq!(scan(c, &login, "w", ScanOptions::default()).len(), 1);
        // A user without WRITE: the one-way update succeeds, flush reports.
        c.create_local_user(login.clone(), "bob".into(), b"pw".to_vec())
            .unwrap();
        let bob = c.login("bob".into(), password("pw")).unwrap();
        let w = c
            .create_writer(bob.clone(), "w".into(), WriterOptions::default())
            .unwrap();
        c.update(
            w.clone(),
            cells(&[("r2", vec![update("f", "q", "", None, "1")])]),
        )
        .unwrap();
        let err = c.flush(w.clone()).unwrap_err();
        assert!(
            user_error::<MutationsRejectedException>(&err).is_some(),
            "{err:?}"
        );
        let err = c.close_writer(w.clone()).unwrap_err();
        assert!(user_error::<MutationsRejectedException>(&err).is_some());
        let err = c
            .update_and_flush(
                bob,
                "w".into(),
                cells(&[("r2", vec![update("f", "q", "", None, "1")])]),
            )
            .unwrap_err();
        assert!(user_error::<MutationsRejectedException>(&err).is_some());
        assert_eq!(scan(c, &login, "w", ScanOptions::default()).len(), 1);
    });
}

#[test]
fn conditional_writes_report_statuses() {
    each_protocol(|c, login, _| {
        c.create_table(login.clone(), "cw".into(), true, TimeType::MILLIS)
            .unwrap();
        let cond = |value: Option<&str>, vis: &str| Condition {
            column: Some(Column {
                col_family: Some(b"f".to_vec()),
                col_qualifier: Some(b"q".to_vec()),
                col_visibility: Some(vis.into()),
            }),
            timestamp: None,
            value: value.map(Into::into),
            iterators: None,
        };
        let updates = |c: Condition, v: &str| ConditionalUpdates {
            conditions: Some(vec![c]),
            updates: Some(vec![update("f", "q", "", None, v)]),
        };
        // Absent column: accepted once, then rejected.
        let s = c
            .update_row_conditionally(
                login.clone(),
                "cw".into(),
                b"r".to_vec(),
                updates(cond(None, ""), "1"),
            )
            .unwrap();
        assert_eq!(s, ConditionalStatus::ACCEPTED);
        let s = c
            .update_row_conditionally(
                login.clone(),
                "cw".into(),
                b"r".to_vec(),
                updates(cond(None, ""), "2"),
            )
            .unwrap();
        assert_eq!(s, ConditionalStatus::REJECTED);
        let s = c
            .update_row_conditionally(
                login.clone(),
                "cw".into(),
                b"r".to_vec(),
                updates(cond(Some("1"), ""), "2"),
            )
            .unwrap();
        assert_eq!(s, ConditionalStatus::ACCEPTED);
        let s = c
            .update_row_conditionally(
                login.clone(),
                "cw".into(),
                b"r".to_vec(),
                updates(cond(Some("x"), "A"), "3"),
            )
            .unwrap();
        assert_eq!(s, ConditionalStatus::INVISIBLE_VISIBILITY);
        let w = c
            .create_conditional_writer(
                login.clone(),
                "cw".into(),
                ConditionalWriterOptions::default(),
            )
            .unwrap();
        let result = c
            .update_rows_conditionally(
                w.clone(),
                BTreeMap::from([
                    (b"r".to_vec(), updates(cond(Some("2"), ""), "3")),
                    (b"s".to_vec(), updates(cond(Some("2"), ""), "3")),
                ]),
            )
            .unwrap();
        assert_eq!(result[&b"r".to_vec()], ConditionalStatus::ACCEPTED);
        assert_eq!(result[&b"s".to_vec()], ConditionalStatus::REJECTED);
        c.close_conditional_writer(w).unwrap();
        assert_eq!(scan(c, &login, "cw", ScanOptions::default()).len(), 1);
    });
}

#[test]
fn iterators_at_scan_time_and_attached() {
    each_protocol(|c, login, _| {
        c.create_table(login.clone(), "it".into(), false, TimeType::MILLIS)
            .unwrap();
        c.update_and_flush(
            login.clone(),
            "it".into(),
            cells(&[
                (
                    "r1",
                    vec![
                        update("n", "x", "", Some(1), "2"),
                        update("n", "x", "", Some(2), "5"),
                        update("s", "t", "", Some(1), "hello"),
                    ],
                ),
                ("r2", vec![update("n", "x", "", Some(1), "10")]),
            ]),
        )
        .unwrap();
        let setting = |prio: i32, name: &str, class: &str, opts: &[(&str, &str)]| IteratorSetting {
            priority: Some(prio),
            name: Some(name.into()),
            iterator_class: Some(format!("org.apache.accumulo.core.iterators.user.{class}")),
            properties: Some(
                opts.iter()
                    .map(|(k, v)| ((*k).into(), (*v).into()))
                    .collect(),
            ),
        };
        let with = |its: Vec<IteratorSetting>| ScanOptions {
            iterators: Some(its),
            ..ScanOptions::default()
        };
        let sum = setting(
            10,
            "sum",
            "SummingCombiner",
            &[("columns", "n"), ("type", "STRING")],
        );
        let got = scan(c, &login, "it", with(vec![sum.clone()]));
        assert_eq!(
            got,
            vec!["r1 n:x [] 2 = 7", "r1 s:t [] 1 = hello", "r2 n:x [] 1 = 10"]
        );
        let grep = setting(5, "grep", "GrepIterator", &[("term", "ell")]);
        assert_eq!(scan(c, &login, "it", with(vec![grep])).len(), 1);
        let regex = setting(5, "re", "RegExFilter", &[("rowRegex", "r2")]);
        assert_eq!(
            scan(c, &login, "it", with(vec![regex])),
            vec!["r2 n:x [] 1 = 10"]
        );
        let ts = setting(
            5,
            "ts",
            "TimestampFilter",
            &[("start", "LONG2"), ("end", "LONG2")],
        );
        assert_eq!(scan(c, &login, "it", with(vec![ts])).len(), 1);
        let rows = setting(50, "rows", "WholeRowIterator", &[]);
        assert_eq!(scan(c, &login, "it", with(vec![rows])).len(), 2);
        let unknown = IteratorSetting {
            iterator_class: Some("com.example.Nope".into()),
            ..setting(5, "nope", "X", &[])
        };
        let id = c
            .create_scanner(login.clone(), "it".into(), with(vec![unknown]))
            .unwrap();
        let err = c.next_k(id, 10).unwrap_err();
        assert!(user_error::<AccumuloSecurityException>(&err)
            .unwrap()
            .msg
            .as_deref()
            .unwrap()
            .contains("com.example.Nope"));
        // Attached at scan scope: applies to every scan; listed and removable.
        let scopes = BTreeSet::from([IteratorScope::SCAN, IteratorScope::MAJC]);
        c.check_iterator_conflicts(login.clone(), "it".into(), sum.clone(), scopes.clone())
            .unwrap();
        c.attach_iterator(login.clone(), "it".into(), sum.clone(), scopes.clone())
            .unwrap();
        let err = c
            .attach_iterator(login.clone(), "it".into(), sum.clone(), scopes.clone())
            .unwrap_err();
        assert!(user_error::<AccumuloException>(&err).is_some());
        assert_eq!(
            c.list_iterators(login.clone(), "it".into()).unwrap()["sum"],
            scopes
        );
        let got = c
            .get_iterator_setting(
                login.clone(),
                "it".into(),
                "sum".into(),
                IteratorScope::SCAN,
            )
            .unwrap();
        assert_eq!(got, sum);
        assert_eq!(
            scan(c, &login, "it", ScanOptions::default())[0],
            "r1 n:x [] 2 = 7"
        );
        c.remove_iterator(login.clone(), "it".into(), "sum".into(), scopes)
            .unwrap();
        assert_eq!(scan(c, &login, "it", ScanOptions::default()).len(), 4);
    });
}

#[test]
fn users_and_permissions() {
    each_protocol(|c, login, _| {
        c.create_local_user(login.clone(), "ann".into(), b"pw".to_vec())
            .unwrap();
        assert!(c.list_local_users(login.clone()).unwrap().contains("ann"));
        assert!(c
            .authenticate_user(login.clone(), "ann".into(), password("pw"))
            .unwrap());
        let ann = c.login("ann".into(), password("pw")).unwrap();
        let err = c
            .create_table(ann.clone(), "x".into(), true, TimeType::MILLIS)
            .unwrap_err();
        assert!(user_error::<AccumuloSecurityException>(&err)
            .unwrap()
            .msg
            .as_deref()
            .unwrap()
            .contains("PERMISSION_DENIED"));
        c.grant_system_permission(login.clone(), "ann".into(), SystemPermission::CREATE_TABLE)
            .unwrap();
        assert!(c
            .has_system_permission(login.clone(), "ann".into(), SystemPermission::CREATE_TABLE)
            .unwrap());
        c.create_table(ann.clone(), "x".into(), true, TimeType::MILLIS)
            .unwrap();
        assert!(c
            .has_table_permission(
                login.clone(),
                "ann".into(),
                "x".into(),
                TablePermission::WRITE
            )
            .unwrap());
        assert!(!c
            .has_table_permission(
                login.clone(),
                "root".into(),
                "x".into(),
                TablePermission::READ
            )
            .unwrap());
        c.grant_table_permission(
            ann.clone(),
            "root".into(),
            "x".into(),
            TablePermission::READ,
        )
        .unwrap();
        assert!(c
            .has_table_permission(
                login.clone(),
                "root".into(),
                "x".into(),
                TablePermission::READ
            )
            .unwrap());
        c.revoke_table_permission(
            ann.clone(),
            "root".into(),
            "x".into(),
            TablePermission::READ,
        )
        .unwrap();
        c.revoke_system_permission(login.clone(), "ann".into(), SystemPermission::CREATE_TABLE)
            .unwrap();
        c.grant_namespace_permission(
            login.clone(),
            "ann".into(),
            "".into(),
            NamespacePermission::READ,
        )
        .unwrap();
        assert!(c
            .has_namespace_permission(
                login.clone(),
                "ann".into(),
                "".into(),
                NamespacePermission::READ
            )
            .unwrap());
        c.revoke_namespace_permission(
            login.clone(),
            "ann".into(),
            "".into(),
            NamespacePermission::READ,
        )
        .unwrap();
        c.change_local_user_password(login.clone(), "ann".into(), b"new".to_vec())
            .unwrap();
        let err = c.list_tables(ann).unwrap_err();
        assert!(
            user_error::<AccumuloSecurityException>(&err).is_none(),
            "listTables declares no exceptions: {err:?}"
        );
        c.drop_local_user(login.clone(), "ann".into()).unwrap();
        let err = c.drop_local_user(login.clone(), "ann".into()).unwrap_err();
        assert!(user_error::<AccumuloSecurityException>(&err).is_some());
    });
}

#[test]
fn namespaces_and_instance_calls() {
    each_protocol(|c, login, _| {
        assert_eq!(c.system_namespace().unwrap(), "accumulo");
        assert_eq!(c.default_namespace().unwrap(), "");
        c.create_namespace(login.clone(), "ns".into()).unwrap();
        assert!(c.namespace_exists(login.clone(), "ns".into()).unwrap());
        assert!(c
            .list_namespaces(login.clone())
            .unwrap()
            .contains(&"ns".to_owned()));
        c.create_table(login.clone(), "ns.t".into(), true, TimeType::MILLIS)
            .unwrap();
        let err = c.delete_namespace(login.clone(), "ns".into()).unwrap_err();
        assert!(user_error::<NamespaceNotEmptyException>(&err).is_some());
        c.set_namespace_property(
            login.clone(),
            "ns".into(),
            "table.custom.a".into(),
            "b".into(),
        )
        .unwrap();
        assert_eq!(
            c.get_namespace_properties(login.clone(), "ns".into())
                .unwrap()["table.custom.a"],
            "b"
        );
        c.remove_namespace_property(login.clone(), "ns".into(), "table.custom.a".into())
            .unwrap();
        c.rename_namespace(login.clone(), "ns".into(), "ns2".into())
            .unwrap();
        assert!(c.table_exists(login.clone(), "ns2.t".into()).unwrap());
        assert!(c
            .namespace_id_map(login.clone())
            .unwrap()
            .contains_key("ns2"));
        let err = c
            .get_namespace_properties(login.clone(), "nope".into())
            .unwrap_err();
        assert!(user_error::<NamespaceNotFoundException>(&err).is_some());
        c.ping_tablet_server(login.clone(), "localhost:9997".into())
            .unwrap();
        assert!(!c.get_tablet_servers(login.clone()).unwrap().is_empty());
        assert!(c
            .get_active_scans(login.clone(), "x".into())
            .unwrap()
            .is_empty());
        assert!(c
            .test_class_load(
                login.clone(),
                "org.apache.accumulo.core.iterators.user.RegExFilter".into(),
                "x".into()
            )
            .unwrap());
    });
}

#[test]
fn garbage_closes_only_that_connection() {
    let emulator = start(Protocol::Compact);
    let addr = emulator.accumulo_addr().unwrap();
    let mut good = connect(&emulator, Protocol::Compact);
    let login = good.login("root".into(), password("secret")).unwrap();
    // Garbage, then a buffered binary message (wrong transport and protocol).
    for junk in [
        &b"GET / HTTP/1.1\r\n\r\n"[..],
        &[
            0x80, 0x01, 0x00, 0x01, 0, 0, 0, 5, b'l', b'o', b'g', b'i', b'n',
        ][..],
    ] {
        let mut raw = TcpStream::connect(addr).unwrap();
        raw.write_all(junk).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(
            raw.read(&mut buf).unwrap_or(0),
            0,
            "the server closes the connection"
        );
    }
    // Binary on a compact server, framed.
    let mut wrong = {
        let mut channel = TTcpChannel::new();
        channel.open(addr.to_string()).unwrap();
        let (r, w) = channel.split().unwrap();
        AccumuloProxySyncClient::new(
            TBinaryInputProtocol::new(TFramedReadTransport::new(r), true),
            TBinaryOutputProtocol::new(TFramedWriteTransport::new(w), true),
        )
    };
    assert!(wrong.login("root".into(), password("secret")).is_err());
    assert!(
        good.table_exists(login, "x".into()).is_ok(),
        "the good connection still works"
    );
}

#[test]
fn binary_serves_both_services() {
    let emulator = Emulator::builder()
        .accumulo_bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .start_blocking()
        .unwrap();
    assert_ne!(emulator.addr(), emulator.accumulo_addr().unwrap());
    let mut c = connect(&emulator, Protocol::Compact);
    c.login("root".into(), password("secret")).unwrap();
}

#[test]
fn idle_scanners_and_writers_expire() {
    let emulator = Emulator::builder()
        .hbase(false)
        .accumulo_bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .accumulo_idle_timeout(std::time::Duration::from_millis(50))
        .start_blocking()
        .unwrap();
    let mut c = connect(&emulator, Protocol::Compact);
    let login = c.login("root".into(), password("secret")).unwrap();
    c.create_table(login.clone(), "e".into(), true, TimeType::MILLIS)
        .unwrap();
    let scanner = c
        .create_scanner(login.clone(), "e".into(), ScanOptions::default())
        .unwrap();
    let writer = c
        .create_writer(login, "e".into(), WriterOptions::default())
        .unwrap();
    assert_eq!(emulator.open_scanners(), 1);
    // Wait until the reaper has run (it runs every 25 ms here).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while emulator.open_scanners() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The writer was made after the scanner: give the reaper a few more
    // passes (every 25 ms) to reach it too, without touching it meanwhile.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let err = c.next_k(scanner, 1).unwrap_err();
    assert!(user_error::<UnknownScanner>(&err).is_some(), "{err:?}");
    let err = c.flush(writer).unwrap_err();
    assert!(user_error::<UnknownWriter>(&err).is_some(), "{err:?}");
}
