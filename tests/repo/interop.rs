//! Interoperability with rows written and read by other clients in the
//! Java `Bytes.toBytes` encodings.

use hbase_orm::row_key::KeyPrefix;

use crate::fixture::Fixture;
use crate::models::{JavaRow, Reading};

fn java_row() -> JavaRow {
    JavaRow {
        key: "row-1".into(),
        i: -123_456,
        l: 1 << 40,
        s: -2,
        d: -1.5,
        f: 3.25,
        b: true,
        text: "grüß".into(),
        hits: 12,
    }
}

#[tokio::test]
async fn a_row_written_in_java_encodings_reads_back_typed() {
    let fx = Fixture::start().await;
    let repo = fx.repo::<JavaRow>().await;
    let table = repo.table();
    // What Java's Bytes.toBytes(..) produces for each value.
    table
        .put(
            "row-1",
            [
                ("f:i", (-123_456i32).to_be_bytes().to_vec()),
                ("f:l", (1i64 << 40).to_be_bytes().to_vec()),
                ("f:s", vec![0xFF, 0xFE]),
                ("f:d", (-1.5f64).to_bits().to_be_bytes().to_vec()),
                ("f:f", 3.25f32.to_bits().to_be_bytes().to_vec()),
                ("f:b", vec![0xFF]),
                ("f:text", "grüß".as_bytes().to_vec()),
            ],
        )
        .await
        .unwrap();
    table.counter_inc("row-1", "f:hits", 12).await.unwrap();
    assert_eq!(repo.get("row-1").await.unwrap().unwrap(), java_row());

    // Java reads any non-zero byte as true.
    table.put("row-1", [("f:b", [0x01])]).await.unwrap();
    assert!(repo.get("row-1").await.unwrap().unwrap().b);
    table.put("row-1", [("f:b", [0x00])]).await.unwrap();
    assert!(!repo.get("row-1").await.unwrap().unwrap().b);
}

#[tokio::test]
async fn a_typed_row_is_readable_by_raw_clients() {
    let fx = Fixture::start().await;
    let repo = fx.repo::<JavaRow>().await;
    repo.put(&java_row()).await.unwrap();
    let table = repo.table();
    // The key of a single String key field is plain UTF-8.
    let raw = table
        .row("row-1")
        .await
        .unwrap()
        .expect("row under its plain key");
    let get = |c: &str| raw.get(c).map(|v| v.to_vec()).unwrap_or_default();
    assert_eq!(get("f:i"), (-123_456i32).to_be_bytes());
    assert_eq!(get("f:l"), (1i64 << 40).to_be_bytes());
    assert_eq!(get("f:s"), [0xFF, 0xFE]);
    assert_eq!(get("f:d"), (-1.5f64).to_bits().to_be_bytes());
    assert_eq!(get("f:f"), 3.25f32.to_bits().to_be_bytes());
    assert_eq!(get("f:b"), [0xFF]);
    assert_eq!(get("f:text"), "grüß".as_bytes());
    // The counter field is a gateway counter.
    assert_eq!(table.counter_get("row-1", "f:hits").await.unwrap(), 12);
    assert_eq!(table.counter_inc("row-1", "f:hits", 1).await.unwrap(), 13);
    assert_eq!(repo.get("row-1").await.unwrap().unwrap().hits, 13);
}

#[tokio::test]
async fn composite_keys_and_prefixes_are_plain_bytes_for_raw_scans() {
    use futures::TryStreamExt;

    let fx = Fixture::start().await;
    let repo = fx.repo::<Reading>().await;
    for at in [-2i64, 5] {
        repo.put(&Reading {
            sensor: "s\0x".into(),
            at,
            uid: *b"abcd",
            value: 1.0,
            unit: "C".into(),
        })
        .await
        .unwrap();
    }
    let mut prefix = Vec::new();
    KeyPrefix::<Reading>::encode_prefix(&("s\0x",), &mut prefix);
    assert_eq!(prefix, b"s\0\xFFx\0\0");
    let rows: Vec<_> = repo
        .table()
        .scan()
        .row_prefix(&prefix)
        .try_collect()
        .await
        .unwrap();
    let keys: Vec<Vec<u8>> = rows.iter().map(|r| r.key.to_vec()).collect();
    let mut k1 = prefix.clone();
    k1.extend_from_slice(&((-2i64 as u64) ^ (1 << 63)).to_be_bytes());
    k1.extend_from_slice(b"abcd");
    let mut k2 = prefix.clone();
    k2.extend_from_slice(&(5u64 ^ (1 << 63)).to_be_bytes());
    k2.extend_from_slice(b"abcd");
    assert_eq!(keys, [k1, k2]);
}
