//! Single-row operations: get, get_many, exists, put, put_many, delete,
//! update, increment, append, create_table, and decode errors.

use futures::TryStreamExt;
use hbase_orm::Error;

use crate::fixture::Fixture;
use crate::models::{Address, Doc, User};

#[tokio::test]
async fn put_then_get_round_trips_every_field_kind() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    let mut ann = User::new("acme", 1, "Ann", -31);
    ann.email = Some("ann@example.com".into());
    ann.level = 3;
    ann.address = Some(Address {
        city: "Oslo".into(),
        zip: 150,
    });
    ann.bio = vec![0, 1, 0xFF];
    ann.cached = 99; // not stored
    users.put(&ann).await.unwrap();

    let got = users.get(&("acme", 1u64)).await.unwrap().expect("row");
    assert_eq!(
        got,
        User {
            cached: 0,
            ..ann.clone()
        }
    );
    // Owned keys work as well as borrowed ones.
    let owned = ("acme".to_string(), 1u64);
    assert!(users.get(&owned).await.unwrap().is_some());
    assert_eq!(users.get(&("acme", 2u64)).await.unwrap(), None);
    assert_eq!(users.get(&("acm", 1u64)).await.unwrap(), None);
}

#[tokio::test]
async fn works_on_every_transport_and_protocol() {
    for combo in hbase_orm_tests::COMBOS {
        let fx = Fixture::start_with(combo).await;
        let users = fx.repo::<User>().await;
        let u = User::new("c", 1, &combo.to_string(), -1);
        users.put(&u).await.unwrap();
        assert_eq!(users.get(&("c", 1u64)).await.unwrap(), Some(u), "{combo}");
    }
}

#[tokio::test]
async fn none_deletes_the_cell_and_default_fills_a_missing_one() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    let mut u = User::new("t", 1, "A", 1);
    u.email = Some("x@y".into());
    users.put(&u).await.unwrap();
    u.email = None;
    users.put(&u).await.unwrap();

    let key = hbase_orm::HRow::row_key(&u);
    let raw = users.table().row(&key).await.unwrap().expect("row");
    assert!(raw.get("cf:email").is_none(), "None must delete the cell");
    assert_eq!(users.get(&("t", 1u64)).await.unwrap().unwrap().email, None);

    // `level` has `#[hbase(default)]`: a row without it still decodes.
    users
        .table()
        .delete(&key)
        .columns(["cf:level"])
        .await
        .unwrap();
    assert_eq!(users.get(&("t", 1u64)).await.unwrap().unwrap().level, 0);
}

#[tokio::test]
async fn get_many_lines_up_with_the_keys_in_one_call() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    for id in [1u64, 2, 3] {
        users
            .put(&User::new("acme", id, &format!("u{id}"), id as i32))
            .await
            .unwrap();
    }
    let got = users
        .get_many([("acme", 3u64), ("acme", 9), ("acme", 1)])
        .await
        .unwrap();
    let names: Vec<Option<String>> = got.into_iter().map(|u| u.map(|u| u.name)).collect();
    assert_eq!(
        names,
        [Some("u3".to_string()), None, Some("u1".to_string())]
    );
    assert!(users
        .get_many(Vec::<(&str, u64)>::new())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn keys_can_be_passed_by_reference() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    for id in [1u64, 2] {
        users
            .put(&User::new("acme", id, &format!("u{id}"), 0))
            .await
            .unwrap();
    }
    let names = |got: Vec<Option<User>>| -> Vec<Option<String>> {
        got.into_iter().map(|u| u.map(|u| u.name)).collect()
    };
    let want = [Some("u2".to_string()), None, Some("u1".to_string())];

    // Owned composite keys, iterated by reference.
    let owned: Vec<(String, u64)> =
        vec![("acme".into(), 2), ("acme".into(), 3), ("acme".into(), 1)];
    assert_eq!(names(users.get_many(owned.iter()).await.unwrap()), want);
    assert_eq!(names(users.get_many(&owned).await.unwrap()), want);
    // Borrowed tuples, iterated by reference.
    let borrowed: Vec<(&str, u64)> = vec![("acme", 2), ("acme", 3), ("acme", 1)];
    assert_eq!(names(users.get_many(borrowed.iter()).await.unwrap()), want);
    // The single-key methods take a reference to a reference as well.
    let key: &(String, u64) = &owned[2];
    assert!(users.get(&key).await.unwrap().is_some());
    assert!(users.exists(&key).await.unwrap());
    users.delete(&key).await.unwrap();
    assert!(!users.exists(key).await.unwrap());

    // Single-component keys: `&u32`, `&&u32`, and `&&str` / `&String` for
    // a `String` key.
    let docs = fx.repo::<Doc>().await;
    docs.put(&Doc {
        id: 7,
        title: Vec::new(),
        tags: Default::default(),
        body: "seven".into(),
    })
    .await
    .unwrap();
    let ids = [7u32, 8];
    let found = docs.get_many(ids.iter()).await.unwrap();
    assert_eq!(
        found.iter().map(Option::is_some).collect::<Vec<_>>(),
        [true, false]
    );
    let refs: Vec<&u32> = ids.iter().collect();
    let found = docs.get_many(refs.iter()).await.unwrap();
    assert_eq!(
        found.iter().map(Option::is_some).collect::<Vec<_>>(),
        [true, false]
    );

    let java = fx.repo::<crate::models::JavaRow>().await;
    let keys = ["nope", "also-nope"];
    assert_eq!(java.get_many(keys.iter()).await.unwrap().len(), 2);
    let keys: Vec<String> = vec!["x".into()];
    assert_eq!(java.get_many(keys.iter()).await.unwrap(), [None]);
}

#[tokio::test]
async fn exists_and_delete() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    users.put(&User::new("a", 7, "x", 0)).await.unwrap();
    assert!(users.exists(&("a", 7u64)).await.unwrap());
    assert!(!users.exists(&("a", 8u64)).await.unwrap());
    users.delete(&("a", 7u64)).await.unwrap();
    assert!(!users.exists(&("a", 7u64)).await.unwrap());
    assert_eq!(users.get(&("a", 7u64)).await.unwrap(), None);
}

#[tokio::test]
async fn update_changes_only_the_chosen_fields() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    let mut u = User::new("a", 1, "Ann", 30);
    u.email = Some("old@x".into());
    users.put(&u).await.unwrap();

    let f = User::fields();
    users
        .update(
            &("a", 1u64),
            [f.name().set("Anne"), f.email().clear(), f.level().set(9)],
        )
        .await
        .unwrap();
    let got = users.get(&("a", 1u64)).await.unwrap().unwrap();
    assert_eq!(got.name, "Anne");
    assert_eq!(got.email, None);
    assert_eq!(got.level, 9);
    assert_eq!(got.age, 30, "untouched");

    // An update of a row that does not exist creates only those cells: the
    // row then lacks required fields, which is a decode error naming one.
    users
        .update(&("a", 2u64), [f.name().set("Bob")])
        .await
        .unwrap();
    match users.get(&("a", 2u64)).await {
        Err(Error::Decode(e)) => {
            assert_eq!(e.field(), "age");
            assert_eq!(e.codec_error().message(), "missing cell");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn increment_a_counter_field() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    users.put(&User::new("a", 1, "A", 1)).await.unwrap();
    let logins = User::fields().logins();
    assert_eq!(users.increment(&("a", 1u64), logins, 5).await.unwrap(), 5);
    assert_eq!(users.increment(&("a", 1u64), logins, -7).await.unwrap(), -2);
    assert_eq!(users.get(&("a", 1u64)).await.unwrap().unwrap().logins, -2);
    // A missing counter starts at 0 and reads as 0.
    assert_eq!(users.increment(&("a", 3u64), logins, 1).await.unwrap(), 1);
}

#[tokio::test]
async fn append_to_a_string_field() {
    let fx = Fixture::start().await;
    let docs = fx.repo::<Doc>().await;
    let body = Doc::fields().body();
    assert_eq!(docs.append(&5u32, body, "hello").await.unwrap(), "hello");
    assert_eq!(
        docs.append(&5u32, body, ", world").await.unwrap(),
        "hello, world"
    );
    let raw = docs.table().row(5u32.to_be_bytes()).await.unwrap().unwrap();
    assert_eq!(
        raw.get("d:body").map(|b| &b[..]),
        Some(&b"hello, world"[..])
    );
}

#[tokio::test]
async fn put_many_batches_and_writes_everything() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await.put_batch_size(7);
    let all: Vec<User> = (0..100u64)
        .map(|i| {
            let mut u = User::new("bulk", i, &format!("n{i}"), i as i32 - 50);
            if i % 2 == 0 {
                u.email = Some(format!("{i}@x"));
            }
            u
        })
        .collect();
    users.put_many(&all).await.unwrap();
    let back: Vec<User> = users.scan().prefix(&("bulk",)).try_collect().await.unwrap();
    assert_eq!(back, all);
}

#[tokio::test]
async fn create_table_uses_the_family_options() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    let families = users.table().families().await.unwrap();
    let names: Vec<&str> = families.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["cf", "meta"]);
    assert_eq!(families[0].max_versions, 5);
    // A second create reports the existing table.
    assert!(matches!(
        users.create_table().await,
        Err(Error::AlreadyExists { .. })
    ));

    // Versioned fields make their family keep enough versions.
    let docs = fx.repo::<Doc>().await;
    let families = docs.table().families().await.unwrap();
    let d = families.iter().find(|f| f.name == "d").unwrap();
    assert_eq!(d.max_versions, 3);
}

#[tokio::test]
async fn a_bad_cell_is_an_error_naming_table_row_column_and_field() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    let u = User::new("a", 1, "A", 1);
    users.put(&u).await.unwrap();
    let key = hbase_orm::HRow::row_key(&u);
    users
        .table()
        .put(&key, [("cf:age", &b"\x01\x02\x03"[..])])
        .await
        .unwrap();
    let err = users.get(&("a", 1u64)).await.unwrap_err();
    let Error::Decode(e) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(e.table(), "users");
    assert_eq!(e.row(), &key[..]);
    assert_eq!(e.column(), Some(&b"cf:age"[..]));
    assert_eq!(e.field(), "age");
    assert_eq!(
        err.to_string(),
        "cannot decode field `age` of table `users`, \
         row \"a\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\", \
         column \"cf:age\": expected 4 bytes, found 3"
    );

    // A row key that is not a (String, u64) key is reported too.
    users
        .table()
        .put("garbage", [("cf:name", "x")])
        .await
        .unwrap();
    let scanned: Vec<_> = futures::StreamExt::collect::<Vec<_>>(users.scan()).await;
    let errs: Vec<String> = scanned
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    assert!(
        errs.iter()
            .any(|e| e.contains("field `tenant`") && e.contains("row key")),
        "{errs:?}"
    );
}

/// A value whose `Serialize` fails, to exercise encoding errors.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct Unencodable(u8);

impl serde::Serialize for Unencodable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("refuses to serialize"))
    }
}

#[derive(Debug, Clone, PartialEq, hbase_orm::HRow)]
#[hbase(table = "enc", family = "cf")]
struct WithUnencodable {
    #[hbase(row_key)]
    id: u8,
    #[hbase(codec = "bincode")]
    value: Unencodable,
}

#[tokio::test]
async fn a_value_that_does_not_encode_is_an_error_naming_the_field() {
    let fx = Fixture::start().await;
    let repo = fx.repo::<WithUnencodable>().await;
    let v = WithUnencodable {
        id: 1,
        value: Unencodable(1),
    };
    match repo.put(&v).await {
        Err(Error::Encode(e)) => {
            assert_eq!((e.table(), e.field()), ("enc", "value"));
            assert!(e.to_string().contains("refuses to serialize"), "{e}");
        }
        other => panic!("expected an encode error, got {other:?}"),
    }
    assert!(!repo.exists(&1u8).await.unwrap(), "nothing was written");

    // The same in filters and updates: reported when the request runs.
    let f = WithUnencodable::fields().value();
    let scanned: Vec<_> =
        futures::StreamExt::collect::<Vec<_>>(repo.scan().filter(f.eq(Unencodable(2)))).await;
    assert!(
        matches!(scanned.as_slice(), [Err(Error::Encode(_))]),
        "{scanned:?}"
    );
    assert!(matches!(
        repo.update(&1u8, [f.set(Unencodable(3))]).await,
        Err(Error::Encode(_))
    ));
}

/// A scan yields a row that does not decode as an error item and goes on
/// with the rows after it, on one page and across pages.
#[tokio::test]
async fn a_scan_goes_on_after_a_row_that_does_not_decode() {
    use futures::StreamExt;
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    for id in 1..=5u64 {
        users
            .put(&User::new("t", id, "N", id as i32))
            .await
            .unwrap();
    }
    let bad = hbase_orm::HRow::row_key(&User::new("t", 3, "N", 3));
    users
        .table()
        .put(&bad, [("cf:age", &b"\x01"[..])])
        .await
        .unwrap();
    for batch in [1000, 2, 1] {
        let got: Vec<Result<User, Error>> = users.scan().batch_size(batch).collect().await;
        let ids: Vec<Option<u64>> = got.iter().map(|r| r.as_ref().ok().map(|u| u.id)).collect();
        assert_eq!(
            ids,
            [Some(1), Some(2), None, Some(4), Some(5)],
            "batch {batch}"
        );
        let Err(Error::Decode(e)) = &got[2] else {
            panic!("expected a decode error, got {:?}", got[2]);
        };
        assert_eq!(e.row(), &bad[..], "batch {batch}");
        assert_eq!(e.field(), "age", "batch {batch}");
    }
}
