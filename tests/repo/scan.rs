//! Typed scans: key prefixes, typed ranges, limit, reverse, batch size,
//! typed filters and skipping rows that do not decode.

use futures::{StreamExt, TryStreamExt};
use hbase_orm::{Error, HRow};

use crate::fixture::Fixture;
use crate::models::{Reading, User};

/// What the generic range test cannot ask of every backend: newest first
/// (the rest of this test runs on every backend, in `backends.rs`).
#[tokio::test]
async fn typed_ranges_over_signed_keys_limit_reverse_and_batch_size() {
    let fx = Fixture::start().await;
    let readings = fx.repo::<Reading>().await;
    crate::backends::put_readings(&readings).await;
    let at = |v: &[Reading]| v.iter().map(|r| r.at).collect::<Vec<_>>();

    // Newest first, limited, through small round trips.
    let got: Vec<Reading> = readings
        .scan()
        .prefix(&("s1",))
        .reverse(true)
        .limit(3)
        .batch_size(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(at(&got), [1_000_000, 7, 1]);
}

#[tokio::test]
async fn typed_filters_compile_to_the_filter_language() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    for (id, (name, age)) in [
        ("O'Brien", -20),
        ("Ann", -3),
        ("Bob", 0),
        ("Cid", 5),
        ("Dee", 40),
    ]
    .into_iter()
    .enumerate()
    {
        let mut u = User::new("t", id as u64, name, age);
        if age > 0 {
            u.email = Some(format!("{name}@x"));
        }
        users.put(&u).await.unwrap();
    }
    let names = |v: Vec<User>| v.into_iter().map(|u| u.name).collect::<Vec<_>>();
    let f = User::fields();

    // Ordered codec: negative ages compare correctly.
    let got = users
        .scan()
        .filter(f.age().gt(-5))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(got), ["Ann", "Bob", "Cid", "Dee"]);
    let got = users
        .scan()
        .filter(f.age().between(-20, 0))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(got), ["O'Brien", "Ann", "Bob"]);
    let got = users
        .scan()
        .filter(f.age().lt(-3))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(got), ["O'Brien"]);

    // Quotes in values are escaped.
    let got = users
        .scan()
        .filter(f.name().eq("O'Brien"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(got), ["O'Brien"]);

    // OR, and several filters (ANDed).
    let got = users
        .scan()
        .filter(f.name().eq("Bob").or(f.name().eq("Dee")))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(got), ["Bob", "Dee"]);
    let got = users
        .scan()
        .filter(f.age().ge(0))
        .filter(f.name().ne("Cid"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(got), ["Bob", "Dee"]);

    // Rows without the cell do not match an optional field's filter.
    let got = users
        .scan()
        .filter(f.email().eq("Cid@x"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(got), ["Cid"]);
    let got = users
        .scan()
        .filter(f.email().ne("Cid@x"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(got), ["Dee"]);

    // Unsigned big-endian is order-preserving too.
    let got: Vec<User> = users
        .scan()
        .filter(f.level().le(0))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.len(), 5);
}

#[tokio::test]
async fn rows_that_do_not_decode_fail_the_scan_or_are_skipped() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    for id in 0..4u64 {
        users.put(&User::new("t", id, "n", 1)).await.unwrap();
    }
    let bad = HRow::row_key(&User::new("t", 2, "n", 1));
    users
        .table()
        .put(&bad, [("cf:age", "not four")])
        .await
        .unwrap();

    let results: Vec<_> = users.scan().collect().await;
    assert_eq!(results.len(), 4);
    assert!(results[0].is_ok() && results[1].is_ok() && results[3].is_ok());
    match &results[2] {
        Err(Error::Decode(e)) => {
            assert_eq!((e.field(), e.row()), ("age", &bad[..]));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }

    let ids: Vec<u64> = users
        .scan()
        .skip_undecodable(true)
        .map_ok(|u| u.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [0, 1, 3]);
}

#[tokio::test]
async fn raw_prefix_is_a_string_prefix_for_a_single_string_key() {
    use crate::models::JavaRow;

    let fx = Fixture::start().await;
    let repo = fx.repo::<JavaRow>().await;
    for key in ["user:1", "user:2", "users", "admin:1"] {
        let row = JavaRow {
            key: key.into(),
            i: 0,
            l: 0,
            s: 0,
            d: 0.0,
            f: 0.0,
            b: false,
            text: String::new(),
            hits: 0,
        };
        repo.put(&row).await.unwrap();
    }
    let keys: Vec<String> = repo
        .scan()
        .raw_prefix("user:")
        .map_ok(|r| r.key)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(keys, ["user:1", "user:2"]);
}
