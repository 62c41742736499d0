//! Reads, writes, counters, conditional writes, row mutations, time
//! ranges, durability and visibility labels.

use bytes::Bytes;
use hbase_orm::thrift2::{
    Append, CompareOp, Delete, DeleteKind, Durability, Get, Increment, Mutation, Put,
};
use hbase_orm::Error;
use hbase_orm_tests::COMBOS;

use super::fixture::T2;

fn value<'a>(row: &'a Option<hbase_orm::thrift2::RowResult>, f: &str, q: &str) -> Option<&'a [u8]> {
    row.as_ref().and_then(|r| r.value(f, q)).map(Bytes::as_ref)
}

#[tokio::test]
async fn rows_round_trip_on_every_combination() {
    for combo in COMBOS {
        let Some(t2) = T2::start_combo(combo).await else {
            continue;
        };
        let t = t2.table("rows").await;
        t.put(
            Put::new("r1")
                .value("cf", "a", "1")
                .value("cf", "b", "2")
                .value("other", "c", "3"),
        )
        .await
        .unwrap_or_else(|e| panic!("{combo}: put: {e}"));
        let whole = t.get(Get::new("r1")).await.unwrap().expect("r1");
        assert_eq!(whole.key, "r1", "{combo}");
        let columns: Vec<Vec<u8>> = whole.cells.iter().map(|c| c.column()).collect();
        assert_eq!(
            columns,
            [b"cf:a".to_vec(), b"cf:b".to_vec(), b"other:c".to_vec()],
            "{combo}"
        );
        let one = t.get(Get::new("r1").column("cf", "a")).await.unwrap();
        assert_eq!(one.as_ref().map(|r| r.cells.len()), Some(1), "{combo}");
        assert_eq!(value(&one, "cf", "a"), Some(&b"1"[..]));
        let fam = t.get(Get::new("r1").family("other")).await.unwrap();
        assert_eq!(value(&fam, "other", "c"), Some(&b"3"[..]));
        assert_eq!(value(&fam, "cf", "a"), None);
        assert!(t.exists(Get::new("r1")).await.unwrap());
        assert!(!t.exists(Get::new("missing")).await.unwrap());
        assert_eq!(t.get(Get::new("missing")).await.unwrap(), None);

        t.put_many([
            Put::new("r2").value("cf", "a", "x2"),
            Put::new("r3").value("cf", "a", "x3"),
        ])
        .await
        .unwrap();
        let many = t
            .get_many([Get::new("r2"), Get::new("missing"), Get::new("r3")])
            .await
            .unwrap();
        assert_eq!(many.len(), 3);
        assert_eq!(value(&many[0], "cf", "a"), Some(&b"x2"[..]));
        assert_eq!(many[1], None);
        assert_eq!(value(&many[2], "cf", "a"), Some(&b"x3"[..]));
        assert_eq!(
            t.exists_many([Get::new("r3"), Get::new("nope")])
                .await
                .unwrap(),
            [true, false]
        );

        // Deletes: a row, a column, a family, many.
        t.delete(Delete::new("r2")).await.unwrap();
        assert_eq!(t.get(Get::new("r2")).await.unwrap(), None);
        t.delete(Delete::new("r1").column("cf", "a")).await.unwrap();
        let r1 = t.get(Get::new("r1")).await.unwrap();
        assert_eq!(value(&r1, "cf", "a"), None);
        assert_eq!(value(&r1, "cf", "b"), Some(&b"2"[..]));
        t.delete(Delete::new("r1").family("other")).await.unwrap();
        let r1 = t.get(Get::new("r1")).await.unwrap();
        assert_eq!(value(&r1, "other", "c"), None);
        assert_eq!(value(&r1, "cf", "b"), Some(&b"2"[..]));
        let left = t.delete_many([Delete::new("r3")]).await.unwrap();
        assert!(left.is_empty(), "{left:?}");
        assert_eq!(t.get(Get::new("r3")).await.unwrap(), None);
        // The Thrift1-shaped view of a row.
        let row = r1.unwrap().to_row();
        assert_eq!(row.get("cf:b").map(|v| v.as_ref()), Some(&b"2"[..]));
    }
}

#[tokio::test]
async fn versions_timestamps_and_time_ranges() {
    let t2 = T2::start().await;
    let t = t2.table("versions").await;
    for ts in [10, 20, 30] {
        t.put(Put::new("r").value_at("cf", "v", ts, format!("v{ts}")))
            .await
            .unwrap();
    }
    let stamps = |r: &Option<hbase_orm::thrift2::RowResult>| -> Vec<i64> {
        r.as_ref()
            .map(|r| r.versions("cf", "v").map(|c| c.timestamp).collect())
            .unwrap_or_default()
    };
    let all = t.get(Get::new("r").max_versions(3)).await.unwrap();
    assert_eq!(stamps(&all), [30, 20, 10]);
    assert_eq!(value(&all, "cf", "v"), Some(&b"v30"[..]));
    let newest = t.get(Get::new("r")).await.unwrap();
    assert_eq!(stamps(&newest), [30]);
    let ranged = t
        .get(Get::new("r").time_range(15, 31).max_versions(3))
        .await
        .unwrap();
    assert_eq!(stamps(&ranged), [30, 20]);
    // The upper bound is excluded.
    let below = t
        .get(Get::new("r").time_range(10, 20).max_versions(3))
        .await
        .unwrap();
    assert_eq!(stamps(&below), [10]);
    let exact = t.get(Get::new("r").timestamp(20)).await.unwrap();
    assert_eq!(stamps(&exact), [20]);
    assert_eq!(t.get(Get::new("r").time_range(40, 50)).await.unwrap(), None);
    // A put's own timestamp applies to its cells without one.
    t.put(Put::new("p").value("cf", "a", "x").timestamp(77))
        .await
        .unwrap();
    let p = t.get(Get::new("p")).await.unwrap().unwrap();
    assert_eq!(p.cell("cf", "a").map(|c| c.timestamp), Some(77));
    // Deleting every version up to a timestamp.
    t.delete(Delete::new("r").column_at("cf", "v", 20))
        .await
        .unwrap();
    let left = t.get(Get::new("r").max_versions(3)).await.unwrap();
    assert_eq!(stamps(&left), [30]);
    // A whole-row delete up to a timestamp.
    t.put(
        Put::new("w")
            .value_at("cf", "a", 5, "old")
            .value_at("cf", "b", 50, "new"),
    )
    .await
    .unwrap();
    t.delete(Delete::new("w").timestamp(10)).await.unwrap();
    let w = t.get(Get::new("w")).await.unwrap();
    assert_eq!(value(&w, "cf", "a"), None);
    assert_eq!(value(&w, "cf", "b"), Some(&b"new"[..]));
}

#[tokio::test]
async fn one_version_deletes() {
    let t2 = T2::start().await;
    let t = t2.table("onever").await;
    for ts in [10, 20] {
        t.put(Put::new("r").value_at("cf", "v", ts, "x"))
            .await
            .unwrap();
    }
    let result = t
        .delete(
            Delete::new("r")
                .column_at("cf", "v", 20)
                .kind(DeleteKind::OneVersion),
        )
        .await;
    if t2.is_real() {
        result.expect("one-version delete");
        let left = t.get(Get::new("r").max_versions(3)).await.unwrap().unwrap();
        let stamps: Vec<i64> = left.versions("cf", "v").map(|c| c.timestamp).collect();
        assert_eq!(stamps, [10]);
    } else {
        // A known gap of the emulator, answered as the gateway answers a
        // failure (TIOError), with nothing deleted.
        let err = result.expect_err("the emulator has no one-version deletes");
        assert!(
            matches!(&err, Error::Server { message, .. } if message.contains("not supported")),
            "{err:?}"
        );
        let left = t.get(Get::new("r").max_versions(3)).await.unwrap().unwrap();
        assert_eq!(left.versions("cf", "v").count(), 2);
    }
}

#[tokio::test]
async fn increments_and_appends_return_results_when_asked() {
    let t2 = T2::start().await;
    let t = t2.table("counters").await;
    let r = t
        .increment(Increment::new("c").add("cf", "n", 5).return_results(true))
        .await
        .unwrap();
    assert_eq!(value(&r, "cf", "n"), Some(&5i64.to_be_bytes()[..]));
    let r = t
        .increment(Increment::new("c").add("cf", "n", -2).add("cf", "m", 7))
        .await
        .unwrap();
    assert_eq!(value(&r, "cf", "n"), Some(&3i64.to_be_bytes()[..]));
    assert_eq!(value(&r, "cf", "m"), Some(&7i64.to_be_bytes()[..]));
    let none = t
        .increment(Increment::new("c").add("cf", "n", 1).return_results(false))
        .await
        .unwrap();
    assert_eq!(none, None);
    let got = t.get(Get::new("c")).await.unwrap();
    assert_eq!(value(&got, "cf", "n"), Some(&4i64.to_be_bytes()[..]));

    let a = t
        .append(
            Append::new("s")
                .append("cf", "log", "ab")
                .return_results(true),
        )
        .await
        .unwrap();
    assert_eq!(value(&a, "cf", "log"), Some(&b"ab"[..]));
    let a = t
        .append(Append::new("s").append("cf", "log", "cd"))
        .await
        .unwrap();
    assert_eq!(value(&a, "cf", "log"), Some(&b"abcd"[..]));
    let none = t
        .append(
            Append::new("s")
                .append("cf", "log", "e")
                .return_results(false),
        )
        .await
        .unwrap();
    assert_eq!(none, None);
    let got = t.get(Get::new("s")).await.unwrap();
    assert_eq!(value(&got, "cf", "log"), Some(&b"abcde"[..]));
    // A cell that is not an 8-byte counter.
    let err = t
        .increment(Increment::new("s").add("cf", "log", 1))
        .await
        .expect_err("not a counter");
    assert!(matches!(err, Error::Server { .. }), "{err:?}");
}

#[tokio::test]
async fn check_and_put_and_check_and_delete() {
    let t2 = T2::start().await;
    let t = t2.table("cas").await;
    let put = |v: &str| Put::new("r").value("cf", "q", v);
    assert!(t
        .check_and_put("r", "cf", "q", None, put("v1"))
        .await
        .unwrap());
    assert!(!t
        .check_and_put("r", "cf", "q", None, put("v9"))
        .await
        .unwrap());
    assert!(t
        .check_and_put("r", "cf", "q", Some(b"v1"), put("v2"))
        .await
        .unwrap());
    assert!(!t
        .check_and_put("r", "cf", "q", Some(b"v1"), put("v3"))
        .await
        .unwrap());
    let got = t.get(Get::new("r")).await.unwrap();
    assert_eq!(value(&got, "cf", "q"), Some(&b"v2"[..]));
    let del = || Delete::new("r").column("cf", "q");
    assert!(!t
        .check_and_delete("r", "cf", "q", Some(b"zz"), del())
        .await
        .unwrap());
    assert!(t
        .check_and_delete("r", "cf", "q", Some(b"v2"), del())
        .await
        .unwrap());
    assert_eq!(t.get(Get::new("r")).await.unwrap(), None);
}

#[tokio::test]
async fn check_and_mutate_with_every_compare_op() {
    let t2 = T2::start().await;
    let t = t2.table("cam").await;
    // The given value is compared with the stored "m": `given op stored`.
    let cases: [(CompareOp, &str, bool); 12] = [
        (CompareOp::LESS, "a", true),
        (CompareOp::LESS, "z", false),
        (CompareOp::LESS_OR_EQUAL, "m", true),
        (CompareOp::LESS_OR_EQUAL, "z", false),
        (CompareOp::EQUAL, "m", true),
        (CompareOp::EQUAL, "a", false),
        (CompareOp::NOT_EQUAL, "a", true),
        (CompareOp::NOT_EQUAL, "m", false),
        (CompareOp::GREATER_OR_EQUAL, "m", true),
        (CompareOp::GREATER_OR_EQUAL, "a", false),
        (CompareOp::GREATER, "z", true),
        (CompareOp::GREATER, "m", false),
    ];
    for (i, (op, given, applies)) in cases.into_iter().enumerate() {
        let row = format!("r{i}");
        t.put(
            Put::new(&row)
                .value("cf", "q", "m")
                .value("cf", "gone", "x"),
        )
        .await
        .unwrap();
        let applied = t
            .check_and_mutate(
                &row,
                "cf",
                "q",
                op,
                Some(given.as_bytes()),
                [
                    Mutation::from(Put::new(&row).value("cf", "hit", "1")),
                    Delete::new(&row).column("cf", "gone").into(),
                ],
            )
            .await
            .unwrap_or_else(|e| panic!("{op:?} {given}: {e}"));
        assert_eq!(applied, applies, "{op:?} {given:?} vs stored \"m\"");
        let got = t.get(Get::new(&row)).await.unwrap();
        assert_eq!(value(&got, "cf", "hit").is_some(), applies, "{op:?}");
        assert_eq!(value(&got, "cf", "gone").is_none(), applies, "{op:?}");
    }
    // No value: the cell must be absent.
    let put = |r: &str| Mutation::from(Put::new(r).value("cf", "hit", "1"));
    assert!(t
        .check_and_mutate("fresh", "cf", "q", CompareOp::EQUAL, None, [put("fresh")])
        .await
        .unwrap());
    assert!(!t
        .check_and_mutate(
            "fresh2",
            "cf",
            "q",
            CompareOp::NOT_EQUAL,
            None,
            [put("fresh2")]
        )
        .await
        .unwrap());
    assert_eq!(t.get(Get::new("fresh2")).await.unwrap(), None);
    // NO_OP is refused before sending (real HBase fails it at the region
    // server, whose client retries until the gateway's call times out).
    t.put(Put::new("noop").value("cf", "q", "m")).await.unwrap();
    let noop = t
        .check_and_mutate(
            "noop",
            "cf",
            "q",
            CompareOp::NO_OP,
            Some(b"m"),
            [put("noop")],
        )
        .await;
    assert!(matches!(noop, Err(Error::InvalidInput(_))), "{noop:?}");
    let got = t.get(Get::new("noop")).await.unwrap();
    assert_eq!(value(&got, "cf", "hit"), None);
}

#[tokio::test]
async fn mutate_row_applies_puts_and_deletes_together() {
    let t2 = T2::start().await;
    let t = t2.table("mutate").await;
    t.put(Put::new("r").value("cf", "old", "1")).await.unwrap();
    t.mutate_row(
        "r",
        [
            Put::new("r").value("cf", "new", "2").into(),
            Mutation::Delete(Delete::new("r").column("cf", "old")),
        ],
    )
    .await
    .unwrap();
    let got = t.get(Get::new("r")).await.unwrap();
    assert_eq!(value(&got, "cf", "new"), Some(&b"2"[..]));
    assert_eq!(value(&got, "cf", "old"), None);
}

#[tokio::test]
async fn durability_and_attributes_are_sent_and_accepted() {
    let t2 = T2::start().await;
    let t = t2.table("durable").await;
    for (i, d) in [
        Durability::USE_DEFAULT,
        Durability::SKIP_WAL,
        Durability::ASYNC_WAL,
        Durability::SYNC_WAL,
        Durability::FSYNC_WAL,
    ]
    .into_iter()
    .enumerate()
    {
        let row = format!("r{i}");
        t.put(
            Put::new(&row)
                .value("cf", "a", "v")
                .durability(d)
                .attribute("origin", "test"),
        )
        .await
        .unwrap_or_else(|e| panic!("{d:?}: {e}"));
        assert!(t
            .exists(Get::new(&row).attribute("origin", "test"))
            .await
            .unwrap());
        t.increment(Increment::new(&row).add("cf", "n", 1).durability(d))
            .await
            .unwrap();
        t.delete(Delete::new(&row).column("cf", "a").durability(d))
            .await
            .unwrap();
        let got = t.get(Get::new(&row)).await.unwrap();
        assert_eq!(value(&got, "cf", "a"), None);
        assert_eq!(value(&got, "cf", "n"), Some(&1i64.to_be_bytes()[..]));
    }
}

#[tokio::test]
async fn visibility_labels_hide_cells_from_reads_without_the_labels() {
    // On real HBase the labels A, B and C are defined and the gateway's
    // user holds them (engines/hbase.sh starts HBase with the
    // VisibilityController).
    let t2 = T2::start().await;
    let t = t2.table("labels").await;
    t.put(Put::new("r").value("cf", "both", "AB").visibility("A&B"))
        .await
        .unwrap();
    t.put(Put::new("r").value("cf", "either", "AC").visibility("A|C"))
        .await
        .unwrap();
    t.put(Put::new("r").value("cf", "open", "-")).await.unwrap();
    let with = |labels: &[&str]| Get::new("r").authorizations(labels.iter().map(|l| l.to_string()));
    let a = t.get(with(&["A"])).await.unwrap();
    assert_eq!(value(&a, "cf", "both"), None, "A&B with only A");
    assert_eq!(value(&a, "cf", "either"), Some(&b"AC"[..]));
    assert_eq!(value(&a, "cf", "open"), Some(&b"-"[..]));
    let ab = t.get(with(&["A", "B"])).await.unwrap();
    assert_eq!(value(&ab, "cf", "both"), Some(&b"AB"[..]));
    let c = t.get(with(&["C"])).await.unwrap();
    assert_eq!(value(&c, "cf", "both"), None);
    assert_eq!(value(&c, "cf", "either"), Some(&b"AC"[..]));
    // Scans apply them too.
    use futures::TryStreamExt;
    let rows: Vec<_> = t
        .scan(hbase_orm::thrift2::ScanOptions::new().authorizations(["B"]))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].value("cf", "both"), None);
    assert_eq!(
        rows[0].value("cf", "open").map(|v| v.as_ref()),
        Some(&b"-"[..])
    );
    // Labelled counters and appends.
    t.increment(Increment::new("n").add("cf", "c", 1).visibility("B"))
        .await
        .unwrap();
    assert!(t
        .get(Get::new("n").authorizations(["A"]))
        .await
        .unwrap()
        .is_none());
    assert!(t
        .get(Get::new("n").authorizations(["B"]))
        .await
        .unwrap()
        .is_some());
    t.append(Append::new("s").append("cf", "c", "x").visibility("!A"))
        .await
        .unwrap();
    assert!(t
        .get(Get::new("s").authorizations(["A"]))
        .await
        .unwrap()
        .is_none());
    assert!(t
        .get(Get::new("s").authorizations(["B"]))
        .await
        .unwrap()
        .is_some());
    // A malformed expression is refused before sending (HBase's region
    // server refuses it with an exception its client retries for minutes),
    // nothing written.
    let err = t
        .put(Put::new("bad").value("cf", "a", "x").visibility("A&&"))
        .await
        .expect_err("bad expression");
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let err = t
        .increment(Increment::new("bad").add("cf", "n", 1).visibility("(A|B"))
        .await
        .expect_err("bad expression");
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(t
        .get(Get::new("bad").authorizations(["A"]))
        .await
        .unwrap()
        .is_none());
}
