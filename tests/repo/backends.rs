//! The same typed tests on every backend of the store boundary: the HBase
//! Thrift1 gateway and the Accumulo Proxy (each on its emulator, or on the
//! real server the environment names). Then what only Accumulo has: cell
//! visibility and authorizations, and the filters it refuses.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use futures::TryStreamExt;
use hbase_orm::accumulo::{Authorizations, Connection};
use hbase_orm::backend::accumulo::AccumuloStore;
use hbase_orm::error::AccumuloErrorKind;
use hbase_orm::repo::Repo;
use hbase_orm::store::{Appends, Counters, Store};
use hbase_orm::{Error, HRow};
use hbase_orm_tests::accumulo::{proxy, Proxy};

use crate::fixture::Fixture;
use crate::models::{Address, Doc, Reading, User};

/// The authorizations the test principal holds on Accumulo.
const AUTHS: [&str; 3] = ["A", "B", "secret"];

/// An Accumulo Proxy, a logged-in store reading with [`AUTHS`], and table
/// names no other test uses.
pub(crate) struct AccumuloFixture {
    pub(crate) proxy: Proxy,
    pub(crate) store: AccumuloStore,
}

impl AccumuloFixture {
    pub(crate) async fn start() -> AccumuloFixture {
        let proxy = proxy().await;
        let connector = Connection::builder()
            .addr(proxy.addr.parse().expect("host:port"))
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .login(&proxy.user, &proxy.password)
            .await
            .expect("login");
        connector
            .change_user_authorizations(&proxy.user, &Authorizations::from_iter(AUTHS))
            .await
            .expect("authorizations");
        let store = AccumuloStore::new(connector).authorizations(Authorizations::from_iter(AUTHS));
        AccumuloFixture { proxy, store }
    }

    /// A unique table name for model `T`.
    pub(crate) fn table_name<T: HRow>() -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        format!(
            "{}_{}_{}",
            T::SCHEMA.table,
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// The repository of `T` on a fresh table of `store`.
    pub(crate) async fn repo_on<T: HRow>(
        store: &AccumuloStore,
        name: &str,
    ) -> Repo<T, AccumuloStore> {
        let repo = Repo::<T, AccumuloStore>::from_table(store.store_table(name));
        repo.create_table()
            .await
            .unwrap_or_else(|e| panic!("create {name}: {e}"));
        repo
    }

    pub(crate) async fn repo<T: HRow>(&self) -> Repo<T, AccumuloStore> {
        Self::repo_on(&self.store, &Self::table_name::<T>()).await
    }
}

/// Runs each generic test on HBase (Thrift1 and Thrift2) and on Accumulo.
macro_rules! on_both_backends {
    ($($test:ident($($model:ty),+);)*) => {
        mod on_hbase {
            use super::*;
            $(
                #[tokio::test]
                async fn $test() {
                    let fx = Fixture::start().await;
                    super::$test($(fx.repo::<$model>().await),+).await;
                }
            )*
        }
        mod on_thrift2 {
            use super::*;
            $(
                #[tokio::test]
                async fn $test() {
                    let fx = crate::thrift2::Thrift2Fixture::start().await;
                    super::$test($(fx.repo::<$model>().await),+).await;
                }
            )*
        }
        mod on_accumulo {
            use super::*;
            $(
                #[tokio::test]
                async fn $test() {
                    let fx = AccumuloFixture::start().await;
                    super::$test($(fx.repo::<$model>().await),+).await;
                }
            )*
        }
    };
}

on_both_backends! {
    put_then_get_round_trips_every_field_kind(User);
    none_deletes_the_cell(User);
    get_many_lines_up_with_the_keys(User);
    update_changes_some_fields_and_delete_removes_the_row(User);
    counters_and_appends(User);
    put_many_and_scans_in_key_order(User);
    versions_and_family_maps(Doc);
    row_key_comparisons_and_patterns(User);
    get_many_answers_every_position_of_a_repeated_key(User, Doc);
    typed_prefixes_and_full_scans_keep_typed_key_order(User);
    typed_ranges_over_signed_keys_limit_and_batch_size(Reading);
}

/// Every position of a repeated key gets its row, versioned fields included.
async fn get_many_answers_every_position_of_a_repeated_key<S: Store>(
    users: Repo<User, S>,
    docs: Repo<Doc, S>,
) {
    users.put(&User::new("acme", 1, "Ann", 1)).await.unwrap();
    users.put(&User::new("acme", 2, "Bob", 2)).await.unwrap();
    let got = users
        .get_many([
            ("acme", 1u64),
            ("acme", 1),
            ("acme", 9),
            ("acme", 2),
            ("acme", 1),
            ("acme", 9),
        ])
        .await
        .unwrap();
    let names: Vec<Option<&str>> = got
        .iter()
        .map(|u| u.as_ref().map(|u| u.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            Some("Ann"),
            Some("Ann"),
            None,
            Some("Bob"),
            Some("Ann"),
            None
        ]
    );
    let doc = Doc {
        id: 4,
        title: vec![(20, "two".into()), (10, "one".into())],
        tags: Default::default(),
        body: "b".into(),
    };
    docs.put(&doc).await.unwrap();
    let got = docs.get_many([4u32, 5, 4]).await.unwrap();
    assert_eq!(got, [Some(doc.clone()), None, Some(doc)]);
}

/// Tenants chosen so that raw string prefixes would mix them up: a typed
/// prefix selects exactly one, and a full scan is in typed key order.
async fn typed_prefixes_and_full_scans_keep_typed_key_order<S: Store>(users: Repo<User, S>) {
    for tenant in ["a", "a\0", "ab", "b", ""] {
        for id in [3u64, 1, 2] {
            users
                .put(&User::new(tenant, id, &format!("{tenant}/{id}"), id as i32))
                .await
                .unwrap();
        }
    }
    let keys =
        |v: &[User]| -> Vec<(String, u64)> { v.iter().map(|u| (u.tenant.clone(), u.id)).collect() };
    for tenant in ["a", "a\0", "ab", ""] {
        let got: Vec<User> = users.scan().prefix(&(tenant,)).try_collect().await.unwrap();
        let want: Vec<(String, u64)> = (1..=3).map(|id| (tenant.to_string(), id)).collect();
        assert_eq!(keys(&got), want, "prefix {tenant:?}");
    }
    let all: Vec<User> = users.scan().try_collect().await.unwrap();
    let mut sorted = keys(&all);
    sorted.sort();
    assert_eq!(keys(&all), sorted);
    assert_eq!(all.len(), 15);
}

/// Readings of sensors `s1` and `s2` at signed times from -1 000 to
/// 1 000 000: fourteen rows.
pub(crate) async fn put_readings<S: Store>(readings: &Repo<Reading, S>) {
    let times = [-1_000i64, -5, -1, 0, 1, 7, 1_000_000];
    for (i, at) in times.iter().enumerate() {
        for sensor in ["s1", "s2"] {
            readings
                .put(&Reading {
                    sensor: sensor.into(),
                    at: *at,
                    uid: [i as u8, 0, 0, 0xFF],
                    value: *at as f64 / 10.0,
                    unit: "C".into(),
                })
                .await
                .unwrap();
        }
    }
}

/// Typed start/stop keys over signed components, a two-component prefix, a
/// limit and small round trips.
async fn typed_ranges_over_signed_keys_limit_and_batch_size<S: Store>(readings: Repo<Reading, S>) {
    put_readings(&readings).await;
    let at = |v: &[Reading]| v.iter().map(|r| r.at).collect::<Vec<_>>();
    let got: Vec<Reading> = readings
        .scan()
        .start(&("s1", -5i64, [0u8; 4]))
        .stop(&("s1", 7i64, [0u8; 4]))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(at(&got), [-5, -1, 0, 1]);
    let got: Vec<Reading> = readings
        .scan()
        .prefix(&("s2", -1i64))
        .try_collect()
        .await
        .unwrap();
    assert_eq!((at(&got), got[0].sensor.as_str()), (vec![-1], "s2"));
    let got: Vec<Reading> = readings
        .scan()
        .prefix(&("s1",))
        .limit(3)
        .batch_size(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(at(&got), [-1_000, -5, -1]);
    let all: Vec<Reading> = readings.scan().batch_size(1).try_collect().await.unwrap();
    assert_eq!(all.len(), 14);
}

/// The row filters both stores translate exactly: key comparisons (an
/// HBase `RowFilter`, an Accumulo range) and key patterns (a `RowFilter`
/// with `regexstring:`, an Accumulo `RegExFilter` on the row).
async fn row_key_comparisons_and_patterns<S: Store>(users: Repo<User, S>) {
    use hbase_orm::filter::{CompareOp, Filter};
    let all = [
        ("acme", 1),
        ("acme", 2),
        ("acme", 3),
        ("be\nta", 1),
        ("beta", 1),
        ("beta", 2),
    ];
    let values: Vec<User> = all.iter().map(|(t, i)| User::new(t, *i, "x", 1)).collect();
    users.put_many(&values).await.unwrap();
    let keys = |filter: Filter<User>| {
        let scan = users.scan().filter(filter);
        async move {
            let got: Vec<User> = scan.try_collect().await.unwrap();
            got.into_iter()
                .map(|u| (u.tenant, u.id))
                .collect::<Vec<_>>()
        }
    };
    let owned = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
        v.iter().map(|(t, i)| ((*t).to_owned(), *i)).collect()
    };
    let key = |t: &str, i: u64| (t.to_owned(), i);
    assert_eq!(
        keys(
            Filter::row_key(CompareOp::GreaterOrEqual, &key("acme", 2))
                .and(Filter::row_key(CompareOp::Less, &key("beta", 2)))
        )
        .await,
        owned(&[("acme", 2), ("acme", 3), ("be\nta", 1), ("beta", 1)])
    );
    assert_eq!(
        keys(Filter::row_key(CompareOp::Greater, &key("beta", 1))).await,
        owned(&[("beta", 2)])
    );
    assert_eq!(
        keys(Filter::row_key(CompareOp::LessOrEqual, &key("acme", 1))).await,
        owned(&[("acme", 1)])
    );
    assert_eq!(
        keys(Filter::row_key(CompareOp::Equal, &key("acme", 3))).await,
        owned(&[("acme", 3)])
    );
    assert!(keys(
        Filter::row_key(CompareOp::Less, &key("acme", 2))
            .and(Filter::row_key(CompareOp::Greater, &key("acme", 2)))
    )
    .await
    .is_empty());
    // A match anywhere in the key; `.` matches a line end too.
    assert_eq!(
        keys(Filter::row_regex("^be.ta")).await,
        owned(&[("be\nta", 1)])
    );
    assert_eq!(
        keys(Filter::row_regex("et")).await,
        owned(&[("beta", 1), ("beta", 2)])
    );
    assert_eq!(
        keys(Filter::row_regex("^acme").or(Filter::row_regex("^beta"))).await,
        owned(&[
            ("acme", 1),
            ("acme", 2),
            ("acme", 3),
            ("beta", 1),
            ("beta", 2)
        ])
    );
    // Patterns and comparisons together, with a prefix and a limit.
    let got: Vec<User> = users
        .scan()
        .prefix(&("acme",))
        .filter(Filter::row_regex("[\\x02\\x03]$"))
        .filter(Filter::row_key(CompareOp::Greater, &key("acme", 1)))
        .limit(1)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].tenant.as_str(), got[0].id), ("acme", 2));
}

async fn put_then_get_round_trips_every_field_kind<S: Store>(users: Repo<User, S>) {
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
    assert_eq!(got, User { cached: 0, ..ann });
    assert_eq!(users.get(&("acme", 2u64)).await.unwrap(), None);
    assert_eq!(users.get(&("acm", 1u64)).await.unwrap(), None);
    assert!(users.exists(&("acme", 1u64)).await.unwrap());
    assert!(!users.exists(&("acme", 2u64)).await.unwrap());
}

async fn none_deletes_the_cell<S: Store>(users: Repo<User, S>) {
    let mut u = User::new("t", 1, "A", 1);
    u.email = Some("x@y".into());
    users.put(&u).await.unwrap();
    assert_eq!(
        users
            .get(&("t", 1u64))
            .await
            .unwrap()
            .unwrap()
            .email
            .as_deref(),
        Some("x@y")
    );
    u.email = None;
    users.put(&u).await.unwrap();
    assert_eq!(users.get(&("t", 1u64)).await.unwrap(), Some(u));
}

async fn get_many_lines_up_with_the_keys<S: Store>(users: Repo<User, S>) {
    for id in [1u64, 2, 3] {
        users
            .put(&User::new("acme", id, &format!("u{id}"), 0))
            .await
            .unwrap();
    }
    let got = users
        .get_many([("acme", 3u64), ("acme", 9), ("acme", 1), ("acme", 3)])
        .await
        .unwrap();
    let names: Vec<Option<String>> = got.into_iter().map(|u| u.map(|u| u.name)).collect();
    assert_eq!(
        names,
        [
            Some("u3".into()),
            None,
            Some("u1".into()),
            Some("u3".into())
        ]
    );
    assert!(users
        .get_many(Vec::<(&str, u64)>::new())
        .await
        .unwrap()
        .is_empty());
}

async fn update_changes_some_fields_and_delete_removes_the_row<S: Store>(users: Repo<User, S>) {
    let mut u = User::new("t", 7, "Bob", 40);
    u.email = Some("bob@x".into());
    users.put(&u).await.unwrap();
    let f = User::fields();
    users
        .update(&("t", 7u64), [f.name().set("Robert"), f.email().clear()])
        .await
        .unwrap();
    let got = users.get(&("t", 7u64)).await.unwrap().unwrap();
    assert_eq!(
        (got.name.as_str(), got.email, got.age),
        ("Robert", None, 40)
    );
    users.delete(&("t", 7u64)).await.unwrap();
    assert_eq!(users.get(&("t", 7u64)).await.unwrap(), None);
    assert!(!users.exists(&("t", 7u64)).await.unwrap());
    // Deleting a missing row is not an error.
    users.delete(&("t", 8u64)).await.unwrap();
}

async fn counters_and_appends<S: Store>(users: Repo<User, S>)
where
    S::Table: Counters + Appends,
{
    let key = ("c", 1u64);
    users.put(&User::new("c", 1, "Ann", 1)).await.unwrap();
    let logins = User::fields().logins();
    assert_eq!(users.increment(&key, logins, 1).await.unwrap(), 1);
    assert_eq!(users.increment(&key, logins, 5).await.unwrap(), 6);
    assert_eq!(users.increment(&key, logins, -2).await.unwrap(), 4);
    assert_eq!(users.get(&key).await.unwrap().unwrap().logins, 4);
    // A missing counter starts at 0.
    assert_eq!(users.increment(&("c", 2u64), logins, 3).await.unwrap(), 3);
    // Increments made at once all count.
    let all = futures::future::try_join_all((0..8).map(|_| users.increment(&key, logins, 10)))
        .await
        .unwrap();
    assert_eq!(all.iter().max(), Some(&84));
    assert_eq!(users.get(&key).await.unwrap().unwrap().logins, 84);
    // A put sets the counter (it does not add to it).
    users.put(&User::new("c", 1, "Ann", 1)).await.unwrap();
    assert_eq!(users.get(&key).await.unwrap().unwrap().logins, 0);

    let name = users
        .append(&key, User::fields().name(), " Smith")
        .await
        .unwrap();
    assert_eq!(name, "Ann Smith");
    assert_eq!(users.get(&key).await.unwrap().unwrap().name, "Ann Smith");
}

async fn put_many_and_scans_in_key_order<S: Store>(users: Repo<User, S>) {
    let all: Vec<User> = ["b", "a"]
        .iter()
        .flat_map(|t| (0..10u64).map(move |i| User::new(t, i, &format!("{t}{i}"), i as i32)))
        .collect();
    users
        .clone()
        .put_batch_size(7)
        .put_many(&all)
        .await
        .unwrap();
    let ids = |v: Vec<User>| -> Vec<String> { v.into_iter().map(|u| u.name).collect() };

    let tenant_a: Vec<User> = users.scan().prefix(&("a",)).try_collect().await.unwrap();
    let want: Vec<String> = (0..10).map(|i| format!("a{i}")).collect();
    assert_eq!(ids(tenant_a), want);

    let every: Vec<User> = users.scan().batch_size(3).try_collect().await.unwrap();
    assert_eq!(every.len(), 20);
    assert_eq!(every[0].name, "a0");
    assert_eq!(every[19].name, "b9");

    let middle: Vec<User> = users
        .scan()
        .start(&("a", 3u64))
        .stop(&("a", 6u64))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(middle), ["a3", "a4", "a5"]);

    let first: Vec<User> = users
        .scan()
        .prefix(&("b",))
        .limit(4)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(first), ["b0", "b1", "b2", "b3"]);

    let none: Vec<User> = users.scan().prefix(&("z",)).try_collect().await.unwrap();
    assert!(none.is_empty());
}

async fn versions_and_family_maps<S: Store>(docs: Repo<Doc, S>) {
    let doc = Doc {
        id: 4,
        title: vec![(20, "two".into()), (10, "one".into())],
        tags: BTreeMap::from([("x".to_owned(), 1), ("y".to_owned(), 2)]),
        body: "b".into(),
    };
    docs.put(&doc).await.unwrap();
    assert_eq!(docs.get(&4u32).await.unwrap(), Some(doc.clone()));
    let got = docs.get_many([4u32, 5, 4]).await.unwrap();
    assert_eq!(got, [Some(doc.clone()), None, Some(doc.clone())]);
    let scanned: Vec<Doc> = docs.scan().try_collect().await.unwrap();
    assert_eq!(scanned, [doc]);
}

// ---- Accumulo only ----

#[tokio::test]
async fn a_row_labelled_a_and_b_is_seen_only_with_both_labels() {
    let fx = AccumuloFixture::start().await;
    let name = AccumuloFixture::table_name::<User>();
    let labelled = fx.store.clone().visibility("A&B").unwrap();
    let writer = AccumuloFixture::repo_on::<User>(&labelled, &name).await;
    let ann = User::new("v", 1, "Ann", 30);
    writer.put(&ann).await.unwrap();

    let reader = |auths: &[&str]| {
        Repo::<User, AccumuloStore>::from_table(
            fx.store
                .clone()
                .authorizations(Authorizations::from_iter(auths.iter().copied()))
                .store_table(&name),
        )
    };
    assert_eq!(reader(&["A"]).get(&("v", 1u64)).await.unwrap(), None);
    assert!(!reader(&["B"]).exists(&("v", 1u64)).await.unwrap());
    let only_a: Vec<User> = reader(&["A"]).scan().try_collect().await.unwrap();
    assert!(only_a.is_empty());
    assert_eq!(
        reader(&["A", "B"]).get(&("v", 1u64)).await.unwrap(),
        Some(ann.clone())
    );
    let both: Vec<User> = reader(&["A", "B"]).scan().try_collect().await.unwrap();
    assert_eq!(both, std::slice::from_ref(&ann));

    // Authorizations the user lacks are refused by the proxy.
    let err = reader(&["A", "not_granted"])
        .get(&("v", 1u64))
        .await
        .unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::Security),
        "{err}"
    );

    // A labelled counter is incremented under the store's authorizations.
    assert_eq!(
        writer
            .increment(&("v", 1u64), User::fields().logins(), 2)
            .await
            .unwrap(),
        2
    );
    // The row delete removes the labelled cells it can see.
    writer.delete(&("v", 1u64)).await.unwrap();
    assert_eq!(reader(&["A", "B"]).get(&("v", 1u64)).await.unwrap(), None);
}

#[tokio::test]
async fn a_field_can_carry_a_visibility_of_its_own() {
    let fx = AccumuloFixture::start().await;
    let name = AccumuloFixture::table_name::<User>();
    let store = fx
        .store
        .clone()
        .column_visibility("cf:email", "secret")
        .unwrap()
        .column_visibility("meta", "A|B")
        .unwrap();
    let users = AccumuloFixture::repo_on::<User>(&store, &name).await;
    let mut u = User::new("f", 1, "Ann", 3);
    u.email = Some("ann@x".into());
    u.address = Some(Address {
        city: "Oslo".into(),
        zip: 1,
    });
    users.put(&u).await.unwrap();
    let read = |auths: &[&str]| {
        Repo::<User, AccumuloStore>::from_table(
            store
                .clone()
                .authorizations(Authorizations::from_iter(auths.iter().copied()))
                .store_table(&name),
        )
    };
    let without_secret = read(&["A"]).get(&("f", 1u64)).await.unwrap().unwrap();
    assert_eq!(without_secret.email, None, "the email is labelled `secret`");
    assert_eq!(without_secret.address, u.address);
    let all = read(&["A", "secret"])
        .get(&("f", 1u64))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(all, u);
    // Clearing the field deletes it at its visibility.
    users
        .update(&("f", 1u64), [User::fields().email().clear()])
        .await
        .unwrap();
    let cleared = read(&["A", "secret"])
        .get(&("f", 1u64))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cleared.email, None);
}

#[tokio::test]
async fn malformed_visibilities_are_refused_when_the_store_is_configured() {
    let fx = AccumuloFixture::start().await;
    for bad in ["A&", "A&B|C", "(A", "A&&B", "\"A"] {
        let err = fx.store.clone().visibility(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad}: {err}");
        let err = fx.store.clone().column_visibility("cf:a", bad).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad}: {err}");
    }
    let err = fx.store.clone().column_visibility("", "A").unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
}

#[tokio::test]
async fn what_accumulo_cannot_scan_is_refused_by_name_before_sending() {
    let fx = AccumuloFixture::start().await;
    let users = fx.repo::<User>().await;
    users.put(&User::new("r", 1, "Ann", 3)).await.unwrap();
    let refused = |r: Result<Vec<User>, Error>, needle: &str| match r {
        Err(Error::Unsupported { backend, what }) => {
            assert!(backend.contains("Accumulo"), "{backend}");
            assert!(what.contains(needle), "{what} should name {needle}");
        }
        other => panic!("expected Unsupported naming {needle}, got {other:?}"),
    };
    refused(users.scan().reverse(true).try_collect().await, "reverse");
    refused(
        users
            .scan()
            .filter(User::fields().age().ge(0))
            .try_collect()
            .await,
        "cf:age",
    );
    refused(
        users
            .scan()
            .filter(hbase_orm::filter::Filter::raw("KeyOnlyFilter()"))
            .try_collect()
            .await,
        "KeyOnlyFilter",
    );
    // A row filter it translates, joined with one it cannot: refused whole.
    refused(
        users
            .scan()
            .filter(hbase_orm::filter::Filter::row_regex("^r"))
            .filter(User::fields().name().eq("Ann"))
            .try_collect()
            .await,
        "cell value",
    );
    refused(
        users
            .scan()
            .filter(hbase_orm::filter::Filter::row_key(
                hbase_orm::filter::CompareOp::NotEqual,
                &("r".to_owned(), 1u64),
            ))
            .try_collect()
            .await,
        "two ranges",
    );
    // The same scan without the refused parts works.
    let plain: Vec<User> = users.scan().try_collect().await.unwrap();
    assert_eq!(plain.len(), 1);
    let _ = &fx.proxy;
}

/// A model whose family keeps cells one hour.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(
    table = "expiring",
    family = "e",
    family_options(name = "e", ttl = 3600, max_versions = 2)
)]
pub(crate) struct Expiring {
    #[hbase(row_key)]
    pub(crate) id: String,
    #[hbase(versions = 2)]
    pub(crate) seen: Vec<(i64, String)>,
}

#[tokio::test]
async fn a_family_ttl_drops_cells_older_than_it() {
    let fx = AccumuloFixture::start().await;
    let repo = fx.repo::<Expiring>().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // One version written now, one two hours ago: both are kept
    // (`max_versions = 2`), but only the recent one is within the hour.
    let written = Expiring {
        id: "x".into(),
        seen: vec![(now, "recent".into()), (now - 7_200_000, "old".into())],
    };
    repo.put(&written).await.unwrap();
    // The filter reaches a real proxy's tablet servers a moment after it is
    // attached: wait for the old version to go.
    let mut got = None;
    for _ in 0..120 {
        got = repo.get("x").await.unwrap();
        if got.as_ref().is_some_and(|e| e.seen.len() == 1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(got.map(|e| e.seen), Some(vec![(now, "recent".to_owned())]));
}

#[tokio::test]
async fn a_time_range_becomes_a_timestamp_filter_on_accumulo() {
    use crate::thrift2::Account;
    use hbase_orm::accumulo::Mutation;
    use hbase_orm::store::TimeRange;
    let fx = AccumuloFixture::start().await;
    let name = AccumuloFixture::table_name::<Account>();
    let accounts = AccumuloFixture::repo_on::<Account>(&fx.store, &name).await;
    // Cells at known timestamps, through the raw client.
    let mut mutations = Vec::new();
    for (key, ts, balance) in [("a", 100i64, 1i64), ("a", 200, 2), ("b", 300, 3)] {
        mutations.push(
            Mutation::new(key)
                .put_at("cf", "balance", ts, balance.to_be_bytes())
                .put_at("cf", "version", ts, (ts as u64).to_be_bytes()),
        );
    }
    fx.store
        .connector()
        .update_and_flush(&name, mutations)
        .await
        .unwrap();
    let at = TimeRange::new;
    // The newest version in the range, not the newest one filtered out:
    // the filter runs before the versioning iterator.
    let then = accounts.get_in("a", at(0, 150)).await.unwrap().unwrap();
    assert_eq!((then.balance, then.version), (1, 100));
    let mid = accounts.get_in("a", at(150, 250)).await.unwrap().unwrap();
    assert_eq!(mid.balance, 2);
    // `max` is exclusive, `min` inclusive.
    assert_eq!(accounts.get_in("a", at(201, 400)).await.unwrap(), None);
    assert_eq!(
        accounts
            .get_in("a", at(200, 201))
            .await
            .unwrap()
            .unwrap()
            .balance,
        2
    );
    assert_eq!(accounts.get_in("a", at(100, 100)).await.unwrap(), None);
    assert_eq!(accounts.get("a").await.unwrap().unwrap().balance, 2);
    let balances = |range: TimeRange| {
        let scan = accounts.scan().time_range(range);
        async move {
            let got: Vec<Account> = scan.try_collect().await.unwrap();
            got.into_iter().map(|a| a.balance).collect::<Vec<_>>()
        }
    };
    assert_eq!(balances(at(150, 1_000)).await, [2, 3]);
    assert_eq!(balances(at(0, 150)).await, [1]);
    assert_eq!(balances(at(0, 300)).await, [2]);
    assert!(balances(at(400, 500)).await.is_empty());
    // With a row filter too.
    let got: Vec<Account> = accounts
        .scan()
        .time_range(at(0, 1_000))
        .filter(hbase_orm::filter::Filter::row_regex("^b"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.iter().map(|a| a.balance).collect::<Vec<_>>(), [3]);
}
