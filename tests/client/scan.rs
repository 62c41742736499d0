//! Scans: every option, scanner cleanup, long scans.

use futures::{StreamExt, TryStreamExt};
use hbase_orm::scan::RowView;
use hbase_orm::{Error, Row, Table};

use crate::fixture::{b, each_wire, emulator_only, eventually, Fixture};

/// Writes rows `row00`..`row{n-1}` with cells `cf:a` and `cf:b`, `other:x`.
async fn fill(t: &Table, n: usize) {
    let mut batch = t.batch().batch_size(500);
    for i in 0..n {
        batch
            .put(
                format!("row{i:02}"),
                [
                    ("cf:a", format!("a{i}")),
                    ("cf:b", format!("b{i}")),
                    ("other:x", "x".to_owned()),
                ],
            )
            .await
            .unwrap();
    }
    batch.send().await.unwrap();
}

fn keys(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| String::from_utf8_lossy(&r.key).into_owned())
        .collect()
}

#[tokio::test]
async fn ranges_prefixes_limits() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        fill(&t, 30).await;

        let all: Vec<Row> = t.scan().try_collect().await.unwrap();
        assert_eq!(all.len(), 30, "{combo}");
        assert_eq!(all[0].cells.len(), 3, "{combo}");
        assert_eq!(all[29].get("cf:a").unwrap(), b("a29"), "{combo}");

        let range: Vec<Row> = t
            .scan()
            .row_start("row05")
            .row_stop("row08")
            .try_collect()
            .await
            .unwrap();
        assert_eq!(keys(&range), ["row05", "row06", "row07"], "{combo}");

        let prefix: Vec<Row> = t.scan().row_prefix("row1").try_collect().await.unwrap();
        assert_eq!(prefix.len(), 10, "{combo}");
        assert_eq!(keys(&prefix)[0], "row10", "{combo}");

        let limited: Vec<Row> = t.scan().limit(7).batch_size(3).try_collect().await.unwrap();
        assert_eq!(
            keys(&limited),
            (0..7).map(|i| format!("row{i:02}")).collect::<Vec<_>>(),
            "{combo}"
        );

        let small_batches: Vec<Row> = t.scan().batch_size(4).try_collect().await.unwrap();
        assert_eq!(keys(&small_batches), keys(&all), "{combo}");

        let reversed: Vec<Row> = t.scan().reverse(true).try_collect().await.unwrap();
        let mut expected = keys(&all);
        expected.reverse();
        assert_eq!(keys(&reversed), expected, "{combo}");

        // Reversed: start is the high key (inclusive), stop the low one (exclusive).
        let rev_range: Vec<Row> = t
            .scan()
            .reverse(true)
            .row_start("row07")
            .row_stop("row04")
            .try_collect()
            .await
            .unwrap();
        assert_eq!(keys(&rev_range), ["row07", "row06", "row05"], "{combo}");

        // Reversed prefix scans hold exactly the prefixed rows, even with rows
        // equal to the prefix and just past it.
        t.put("row1", [("cf:a", "p")]).await.unwrap();
        t.put("row2", [("cf:a", "q")]).await.unwrap();
        let rev_prefix: Vec<Row> = t
            .scan()
            .row_prefix("row1")
            .reverse(true)
            .batch_size(2)
            .try_collect()
            .await
            .unwrap();
        let mut expected: Vec<String> = std::iter::once("row1".to_owned())
            .chain((10..20).map(|i| format!("row{i}")))
            .collect();
        expected.reverse();
        assert_eq!(keys(&rev_prefix), expected, "{combo}");
        let fwd_prefix: Vec<Row> = t.scan().row_prefix("row1").try_collect().await.unwrap();
        assert_eq!(fwd_prefix.len(), 11, "{combo}");

        assert!(t
            .scan()
            .row_prefix("zzz")
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .is_empty());
        assert!(t
            .scan()
            .limit(0)
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .is_empty());
        if f.real.is_none() {
            assert_eq!(f.emulator.open_scanners(), 0, "{combo}");
        }
    })
    .await;
}

#[tokio::test]
async fn columns_filters_timestamps_batching() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        fill(&t, 10).await;

        let cols: Vec<Row> = t
            .scan()
            .columns(["cf:b", "other"])
            .try_collect()
            .await
            .unwrap();
        assert!(
            cols.iter()
                .all(|r| r.cells.len() == 2 && r.get("cf:a").is_none()),
            "{combo}"
        );

        let filtered: Vec<Row> = t
            .scan()
            .filter("SingleColumnValueFilter('cf', 'a', =, 'binary:a3')")
            .try_collect()
            .await
            .unwrap();
        assert_eq!(keys(&filtered), ["row03"], "{combo}");
        let key_only: Vec<Row> = t
            .scan()
            .filter("KeyOnlyFilter() AND PrefixFilter('row0')")
            .limit(2)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(key_only.len(), 2, "{combo}");
        assert!(key_only[0].get("cf:a").unwrap().is_empty(), "{combo}");

        let bad: Result<Vec<Row>, _> = t.scan().filter("NoSuchFilter(").try_collect().await;
        assert!(
            matches!(
                bad,
                Err(Error::Application { .. })
                    | Err(Error::IllegalArgument { .. })
                    | Err(Error::Server { .. })
            ),
            "{combo}: {bad:?}"
        );

        // Timestamps: an exclusive upper bound.
        t.put("old", [("cf:a", "old")]).timestamp(5).await.unwrap();
        let old: Vec<Row> = t.scan().timestamp(6).try_collect().await.unwrap();
        assert_eq!(keys(&old), ["old"], "{combo}");
        assert_eq!(old[0].cell("cf:a").unwrap().timestamp, 5, "{combo}");

        // scan_batching splits wide rows into results with the same key.
        let split: Vec<Row> = t
            .scan()
            .row_start("row00")
            .row_stop("row02")
            .scan_batching(2)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            keys(&split),
            ["row00", "row00", "row01", "row01"],
            "{combo}"
        );
        assert_eq!(split[0].cells.len() + split[1].cells.len(), 3, "{combo}");

        let sorted: Vec<Row> = t
            .scan()
            .row_start("row00")
            .sorted_columns(true)
            .limit(1)
            .try_collect()
            .await
            .unwrap();
        let cols: Vec<&[u8]> = sorted[0].cells.keys().map(|k| k.as_ref()).collect();
        assert_eq!(cols, [b("cf:a"), b("cf:b"), b("other:x")], "{combo}");

        let conflicting: Result<Vec<Row>, _> =
            t.scan().row_prefix("a").row_start("b").try_collect().await;
        assert!(
            matches!(conflicting, Err(Error::InvalidInput(_))),
            "{combo}"
        );
        let missing: Result<Vec<Row>, _> = f.conn.table("missing").scan().try_collect().await;
        assert!(
            matches!(missing, Err(Error::Server { .. })),
            "{combo}: {missing:?}"
        );
        if f.real.is_none() {
            eventually("no open scanner", || f.emulator.open_scanners() == 0).await;
        }
    })
    .await;
}

#[tokio::test]
async fn scanners_are_closed_when_a_scan_stops_early() {
    if emulator_only("counts the server's open scanners") {
        return;
    }
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        fill(&t, 20).await;

        // Dropped after one row: the close goes out in the background.
        let mut scan = t.scan().batch_size(5);
        let first = scan.next().await.unwrap().unwrap();
        assert_eq!(first.key, b("row00"), "{combo}");
        assert_eq!(f.emulator.open_scanners(), 1, "{combo}");
        drop(scan);
        eventually("the dropped scan's scanner is closed", || {
            f.emulator.open_scanners() == 0
        })
        .await;

        // Stopped by a limit in the middle of a batch.
        let rows: Vec<Row> = t.scan().limit(3).try_collect().await.unwrap();
        assert_eq!(rows.len(), 3, "{combo}");
        eventually("the limited scan's scanner is closed", || {
            f.emulator.open_scanners() == 0
        })
        .await;

        // Taken by a combinator and dropped.
        let two: Vec<_> = t.scan().batch_size(2).take(3).collect().await;
        assert_eq!(two.len(), 3, "{combo}");
        eventually("the taken scan's scanner is closed", || {
            f.emulator.open_scanners() == 0
        })
        .await;

        // Run to the end: closed before the stream ends.
        let all: Vec<Row> = t.scan().batch_size(7).try_collect().await.unwrap();
        assert_eq!(all.len(), 20, "{combo}");
        assert_eq!(f.emulator.open_scanners(), 0, "{combo}");

        // Many scans dropped at once.
        let mut scans = Vec::new();
        for _ in 0..10 {
            let mut s = t.scan().batch_size(1);
            s.next().await.unwrap().unwrap();
            scans.push(s);
        }
        assert_eq!(f.emulator.open_scanners(), 10, "{combo}");
        drop(scans);
        eventually("ten dropped scans are closed", || {
            f.emulator.open_scanners() == 0
        })
        .await;

        // The connection is still in step.
        assert!(t.row("row01").await.unwrap().is_some(), "{combo}");
    })
    .await;
}

#[tokio::test]
async fn long_scans() {
    let f = Fixture::start(hbase_orm_tests::Combo::DEFAULT).await;
    let t = f.table("t").await;
    let mut batch = t.batch().batch_size(1000);
    for i in 0..5000 {
        batch
            .put(format!("k{i:05}"), [("cf:v", i.to_string())])
            .await
            .unwrap();
    }
    batch.send().await.unwrap();
    let mut count = 0;
    let mut scan = t.scan();
    let mut last = None;
    while let Some(row) = scan.try_next().await.unwrap() {
        if let Some(prev) = &last {
            assert!(row.key > *prev);
        }
        last = Some(row.key);
        count += 1;
    }
    assert_eq!(count, 5000);
    let reversed: Vec<Row> = t
        .scan()
        .reverse(true)
        .batch_size(333)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(reversed.len(), 5000);
    assert_eq!(reversed[0].key, b("k04999"));
    if f.real.is_none() {
        assert_eq!(f.emulator.open_scanners(), 0);
    }
}

/// Builds a scan of a table.
type MakeScan = fn(&Table) -> hbase_orm::Scan;

/// `rows` and `views` are the same results: the views, made rows, equal the
/// rows, and the views' own accessors agree with the rows'.
fn same_results(rows: &[Row], views: &[RowView], what: &str) {
    let as_rows: Vec<Row> = views.iter().map(RowView::to_row).collect();
    assert_eq!(as_rows, rows, "{what}");
    for (row, view) in rows.iter().zip(views) {
        assert_eq!(view.key(), &row.key[..], "{what}");
        assert_eq!(view.key_bytes(), row.key, "{what}");
        assert_eq!(view.len(), row.cells.len(), "{what}");
        assert_eq!(view.is_empty(), row.cells.is_empty(), "{what}");
        assert_eq!(view.cells().len(), row.cells.len(), "{what}");
        for ((column, cell), got) in row.cells.iter().zip(view.cells()) {
            assert_eq!(got.column, &column[..], "{what}");
            assert_eq!(got.value, &cell.value[..], "{what}");
            assert_eq!(got.timestamp, cell.timestamp, "{what}");
            assert_eq!(view.get(column), Some(&cell.value[..]), "{what}");
            assert_eq!(view.cell(column), Some(got), "{what}");
        }
        let last = view.cells().next_back().map(|c| c.column.to_vec());
        assert_eq!(
            last,
            row.cells.keys().next_back().map(|k| k.to_vec()),
            "{what}"
        );
        for absent in ["", "cf:", "cf:a0", "cf:zz", "zz:a", "a"] {
            assert_eq!(
                view.get(absent).map(<[u8]>::to_vec),
                row.get(absent).map(|v| v.to_vec()),
                "{what}: {absent:?}"
            );
        }
    }
}

/// Every scan option gives the same results read as row views as read as
/// rows, on every wire (the places recorded while a buffered binary reply
/// is read, and the places found from the whole reply on the others).
#[tokio::test]
async fn row_views_are_the_rows_of_the_scan() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        fill(&t, 30).await;
        t.put("old", [("cf:a", "old")]).timestamp(5).await.unwrap();
        let scans: Vec<(&str, MakeScan)> = vec![
            ("all", |t| t.scan()),
            ("range", |t| t.scan().row_start("row05").row_stop("row08")),
            ("prefix", |t| t.scan().row_prefix("row1")),
            ("limit", |t| t.scan().limit(7).batch_size(3)),
            ("small batches", |t| t.scan().batch_size(4)),
            ("one a page", |t| t.scan().batch_size(1).limit(5)),
            ("reverse", |t| t.scan().reverse(true).batch_size(7)),
            ("reverse prefix", |t| {
                t.scan().reverse(true).row_prefix("row2")
            }),
            ("columns", |t| t.scan().columns(["cf:b", "other"])),
            ("filter", |t| {
                t.scan()
                    .filter("SingleColumnValueFilter('cf', 'a', =, 'binary:a3')")
            }),
            ("key only", |t| t.scan().filter("KeyOnlyFilter()").limit(4)),
            ("timestamp", |t| t.scan().timestamp(6)),
            ("scan_batching", |t| t.scan().scan_batching(2).batch_size(5)),
            ("sorted", |t| t.scan().sorted_columns(true).limit(3)),
            ("nothing", |t| t.scan().row_prefix("none")),
        ];
        for (what, scan) in scans {
            let what = format!("{combo}: {what}");
            let rows: Vec<Row> = scan(&t).try_collect().await.unwrap();
            let views: Vec<RowView> = scan(&t).views().try_collect().await.unwrap();
            same_results(&rows, &views, &what);
        }
        let all: Vec<RowView> = t.scan().views().try_collect().await.unwrap();
        assert_eq!(all.len(), 31, "{combo}");
        assert_eq!(all[0].key(), b"old", "{combo}");
        assert_eq!(all[30].key(), b"row29", "{combo}");
        assert_eq!(all[30].get("cf:a"), Some(&b"a29"[..]), "{combo}");

        // The same errors as a scan of rows.
        let conflicting = t.scan().row_prefix("a").row_start("b").views();
        let conflicting: Result<Vec<RowView>, _> = conflicting.try_collect().await;
        assert!(
            matches!(conflicting, Err(Error::InvalidInput(_))),
            "{combo}"
        );
        let missing = f.conn.table("missing").scan().views();
        let missing: Result<Vec<RowView>, _> = missing.try_collect().await;
        assert!(
            matches!(missing, Err(Error::Server { .. })),
            "{combo}: {missing:?}"
        );
        let bad = t.scan().filter("NoSuchFilter(").views();
        let bad: Result<Vec<RowView>, _> = bad.try_collect().await;
        assert!(bad.is_err(), "{combo}: {bad:?}");

        // A scan polled as rows cannot go on as views.
        let mut started = t.scan().batch_size(2);
        assert!(started.try_next().await.unwrap().is_some(), "{combo}");
        let late: Vec<Result<RowView, Error>> = started.views().collect().await;
        assert!(
            matches!(late[..], [Err(Error::InvalidInput(_))]),
            "{combo}: {late:?}"
        );

        // A scan read as views stopped early closes its scanner.
        let mut early = t.scan().batch_size(2).views();
        let first = early.try_next().await.unwrap().unwrap();
        drop(early);
        // Its views outlive the stream.
        assert_eq!(first.key(), b"old", "{combo}");
        if f.real.is_none() {
            eventually("no open scanner", || f.emulator.open_scanners() == 0).await;
        }
    })
    .await;
}
