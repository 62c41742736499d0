//! Scans at every boundary: ranges, prefixes, reversed, limits, caching,
//! batches, time ranges (per scan and per family), filters, and the
//! gateway's scanner closed on end, error and drop.

use futures::{StreamExt, TryStreamExt};
use hbase_orm::thrift2::{Put, RowResult, ScanOptions, Table};
use hbase_orm::Error;

use super::fixture::T2;

async fn keys(t: &Table, options: ScanOptions) -> Vec<String> {
    let rows: Vec<RowResult> = t
        .scan(options.clone())
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{options:?}: {e}"));
    rows.iter()
        .map(|r| String::from_utf8_lossy(&r.key).into_owned())
        .collect()
}

fn ks(range: impl IntoIterator<Item = u8>) -> Vec<String> {
    range.into_iter().map(|i| format!("k{i}")).collect()
}

async fn ten_rows(t2: &T2, name: &str) -> Table {
    let t = t2.table(name).await;
    t.put_many((0..10u8).map(|i| {
        Put::new(format!("k{i}")).value_at("cf", "a", i64::from(i) * 10 + 10, i.to_string())
    }))
    .await
    .unwrap();
    t
}

#[tokio::test]
async fn ranges_prefixes_and_directions() {
    let t2 = T2::start().await;
    let t = ten_rows(&t2, "ranges").await;
    let s = ScanOptions::new;
    assert_eq!(keys(&t, s()).await, ks(0..10));
    assert_eq!(keys(&t, s().start("k3")).await, ks(3..10));
    assert_eq!(keys(&t, s().stop("k3")).await, ks(0..3));
    assert_eq!(keys(&t, s().start("k3").stop("k4")).await, ks([3]));
    assert_eq!(keys(&t, s().start("k35")).await, ks(4..10));
    assert_eq!(keys(&t, s().start("z")).await, ks([]));
    assert_eq!(keys(&t, s().stop("a")).await, ks([]));
    assert_eq!(keys(&t, s().prefix("k1")).await, ks([1]));
    assert_eq!(keys(&t, s().prefix("k")).await, ks(0..10));
    assert_eq!(keys(&t, s().prefix("x")).await, ks([]));
    // Reversed: the start is the largest key read.
    assert_eq!(keys(&t, s().reversed(true)).await, ks((0..10).rev()));
    assert_eq!(
        keys(&t, s().reversed(true).start("k5")).await,
        ks((0..6).rev())
    );
    assert_eq!(
        keys(&t, s().reversed(true).start("k5").stop("k2")).await,
        ks([5, 4, 3])
    );
    // Limits.
    assert_eq!(keys(&t, s().limit(3)).await, ks(0..3));
    assert_eq!(keys(&t, s().limit(10)).await, ks(0..10));
    assert_eq!(keys(&t, s().limit(20)).await, ks(0..10));
    assert_eq!(keys(&t, s().reversed(true).limit(2)).await, ks([9, 8]));
    assert_eq!(keys(&t, s().start("k8").limit(5)).await, ks([8, 9]));
    // Rows per round trip do not change what is read.
    for caching in [1, 3, 9, 10, 11] {
        assert_eq!(keys(&t, s().caching(caching)).await, ks(0..10), "{caching}");
        assert_eq!(
            keys(&t, s().caching(caching).limit(4)).await,
            ks(0..4),
            "{caching}"
        );
    }
    // An empty table.
    let empty = t2.table("empty").await;
    assert_eq!(keys(&empty, s()).await, ks([]));
    assert_eq!(keys(&empty, s().reversed(true)).await, ks([]));
}

#[tokio::test]
async fn columns_versions_time_ranges_and_filters() {
    let t2 = T2::start().await;
    let t = ten_rows(&t2, "select").await;
    t.put(Put::new("k0").value_at("other", "b", 100, "old"))
        .await
        .unwrap();
    t.put(Put::new("k1").value_at("other", "b", 200, "new"))
        .await
        .unwrap();
    let s = ScanOptions::new;
    // Columns and families.
    assert_eq!(keys(&t, s().family("other")).await, ks([0, 1]));
    assert_eq!(keys(&t, s().column("other", "b")).await, ks([0, 1]));
    assert_eq!(keys(&t, s().column("other", "nope")).await, ks([]));
    // The cells of k_i are at 10 * i + 10: 30..60 holds k2, k3, k4.
    assert_eq!(keys(&t, s().time_range(30, 60)).await, ks([2, 3, 4]));
    // Per family: `other` in 150..250 (k1 only), `cf` unrestricted.
    let rows: Vec<RowResult> = t
        .scan(s().family_time_range("other", 150, 250))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0].value("other", "b"), None);
    assert_eq!(
        rows[1].value("other", "b").map(|v| v.as_ref()),
        Some(&b"new"[..])
    );
    assert!(rows.iter().all(|r| r.value("cf", "a").is_some()));
    // Versions.
    t.put(Put::new("k0").value_at("cf", "a", 5, "older"))
        .await
        .unwrap();
    let rows: Vec<RowResult> = t
        .scan(s().stop("k1").column("cf", "a").max_versions(3))
        .try_collect()
        .await
        .unwrap();
    let stamps: Vec<i64> = rows[0].versions("cf", "a").map(|c| c.timestamp).collect();
    assert_eq!(stamps, [10, 5]);
    // A filter in the filter language.
    assert_eq!(
        keys(&t, s().filter("ValueFilter(=, 'binary:3')")).await,
        ks([3])
    );
    assert_eq!(
        keys(&t, s().filter("PrefixFilter('k7')").reversed(true)).await,
        ks([7])
    );
}

/// A serialized `FirstKeyOnlyFilter`: protobuf `Filter { name = 1,
/// serialized_filter = 2 }` around an empty `FirstKeyOnlyFilter` message.
fn first_key_only_filter() -> Vec<u8> {
    let name = b"org.apache.hadoop.hbase.filter.FirstKeyOnlyFilter";
    let mut out = vec![0x0a, name.len() as u8];
    out.extend_from_slice(name);
    out.extend_from_slice(&[0x12, 0x00]);
    out
}

#[tokio::test]
async fn filter_bytes_reach_the_gateway() {
    let t2 = T2::start().await;
    let t = t2.table("fbytes").await;
    t.put(Put::new("r").value("cf", "a", "1").value("cf", "b", "2"))
        .await
        .unwrap();
    let result: Result<Vec<RowResult>, Error> = t
        .scan(ScanOptions::new().filter_bytes(first_key_only_filter()))
        .try_collect()
        .await;
    if t2.is_real() {
        let rows = result.expect("filter bytes");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].cells.len(), 1, "{rows:?}");
    } else {
        // A known gap of the emulator: no Java filter deserializer.
        let err = result.expect_err("the emulator refuses filterBytes");
        assert!(
            matches!(&err, Error::Server { message, .. } if message.contains("not supported")),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn batches_split_wide_rows_and_scan_once_reads_a_page() {
    let t2 = T2::start().await;
    let t = t2.table("wide").await;
    let mut put = Put::new("w");
    for q in ["a", "b", "c", "d", "e"] {
        put = put.value("cf", q, q);
    }
    t.put(put).await.unwrap();
    t.put(Put::new("x").value("cf", "a", "1")).await.unwrap();
    let parts: Vec<RowResult> = t
        .scan(ScanOptions::new().batch_size(2))
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<(String, usize)> = parts
        .iter()
        .map(|r| (String::from_utf8_lossy(&r.key).into_owned(), r.cells.len()))
        .collect();
    assert_eq!(
        sizes,
        [
            ("w".to_owned(), 2),
            ("w".to_owned(), 2),
            ("w".to_owned(), 1),
            ("x".to_owned(), 1)
        ]
    );
    let page = t.scan_once(ScanOptions::new(), 1).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].key, "w");
    let page = t
        .scan_once(ScanOptions::new().start("x"), 10)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    let err = t.scan_once(ScanOptions::new(), 0).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn scanners_are_closed_at_the_end_on_error_and_on_drop() {
    let t2 = T2::start().await;
    let Some(emulator) = t2.emulator.as_ref() else {
        println!("SKIPPED thrift2::scan::scanners_are_closed...: real HBase has no scanner count");
        return;
    };
    let t = ten_rows(&t2, "closing").await;
    assert_eq!(emulator.open_scanners(), 0);
    // At the end.
    let all: Vec<RowResult> = t
        .scan(ScanOptions::new().caching(3))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 10);
    assert_eq!(emulator.open_scanners(), 0);
    // At the limit.
    let some: Vec<RowResult> = t
        .scan(ScanOptions::new().caching(2).limit(3))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(some.len(), 3);
    assert_eq!(emulator.open_scanners(), 0);
    // Dropped half way: closed in the background.
    let mut scan = t.scan(ScanOptions::new().caching(2));
    let first = scan.next().await.unwrap().unwrap();
    assert_eq!(first.key, "k0");
    assert_eq!(emulator.open_scanners(), 1);
    drop(scan);
    let mut waited = 0;
    while emulator.open_scanners() != 0 {
        assert!(waited < 500, "the dropped scan's scanner stayed open");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        waited += 1;
    }
    // A failing scan (a bad filter) leaves nothing open.
    let bad: Result<Vec<RowResult>, Error> = t
        .scan(ScanOptions::new().filter("NoSuchFilter(1)"))
        .try_collect()
        .await;
    assert!(bad.is_err());
    assert_eq!(emulator.open_scanners(), 0);
}
