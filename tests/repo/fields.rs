//! Multi-version fields and family maps.

use std::collections::BTreeMap;

use futures::TryStreamExt;

use crate::fixture::Fixture;
use crate::models::Doc;

fn doc(id: u32) -> Doc {
    Doc {
        id,
        title: vec![
            (30, "third".into()),
            (20, "second".into()),
            (10, "first".into()),
        ],
        tags: BTreeMap::from([("rust".to_string(), 3), ("hbase".to_string(), -1)]),
        body: format!("body {id}"),
    }
}

#[tokio::test]
async fn versions_are_written_at_their_timestamps_and_read_newest_first() {
    let fx = Fixture::start().await;
    let docs = fx.repo::<Doc>().await;
    let d = doc(1);
    docs.put(&d).await.unwrap();
    assert_eq!(docs.get(&1u32).await.unwrap().unwrap(), d);

    // The raw cells carry the timestamps.
    let cells = docs
        .table()
        .cells(1u32.to_be_bytes(), "d:title")
        .await
        .unwrap();
    let ts: Vec<i64> = cells.iter().map(|c| c.timestamp).collect();
    assert_eq!(ts, [30, 20, 10]);

    // A newer version pushes the oldest out of the field (3 versions).
    docs.table()
        .put(1u32.to_be_bytes(), [("d:title", "fourth")])
        .timestamp(40)
        .await
        .unwrap();
    let got = docs.get(&1u32).await.unwrap().unwrap();
    let titles: Vec<(i64, &str)> = got.title.iter().map(|(t, s)| (*t, s.as_str())).collect();
    assert_eq!(titles, [(40, "fourth"), (30, "third"), (20, "second")]);

    // Scans and get_many fetch the versions too.
    let scanned: Vec<Doc> = docs.scan().try_collect().await.unwrap();
    assert_eq!(scanned[0].title, got.title);
    let many = docs.get_many([1u32]).await.unwrap();
    assert_eq!(many[0].as_ref().unwrap().title, got.title);
}

#[tokio::test]
async fn a_family_map_holds_every_other_column_of_its_family() {
    let fx = Fixture::start().await;
    let docs = fx.repo::<Doc>().await;
    let d = doc(2);
    docs.put(&d).await.unwrap();
    let raw = docs.table().row(2u32.to_be_bytes()).await.unwrap().unwrap();
    assert_eq!(
        raw.get("tags:rust").map(|v| v.to_vec()),
        Some(3i64.to_be_bytes().to_vec())
    );

    // A column written by someone else appears in the map.
    docs.table()
        .put(2u32.to_be_bytes(), [("tags:java", &7i64.to_be_bytes()[..])])
        .await
        .unwrap();
    let got = docs.get(&2u32).await.unwrap().unwrap();
    let want = BTreeMap::from([
        ("hbase".to_string(), -1),
        ("java".to_string(), 7),
        ("rust".to_string(), 3),
    ]);
    assert_eq!(got.tags, want);
    assert_eq!(got.body, "body 2");

    // An empty map: no `tags` cells, and the row still decodes.
    let mut empty = doc(3);
    empty.tags.clear();
    docs.put(&empty).await.unwrap();
    assert_eq!(
        docs.get(&3u32).await.unwrap().unwrap().tags,
        BTreeMap::new()
    );
}
