//! The typed layer over the HBase Thrift2 gateway (`backend::thrift2`):
//! the generic tests of `backends.rs` run here too (`on_thrift2`), then
//! what Thrift2 adds: cell visibility and authorizations, conditional
//! writes on a field, time-range reads, durability per write; and what
//! Thrift1 lacks, refused with `Error::Unsupported`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use futures::TryStreamExt;
use hbase_orm::backend::thrift2::Thrift2Store;
use hbase_orm::filter::CompareOp;
use hbase_orm::repo::Repo;
use hbase_orm::store::{Store, TimeRange};
use hbase_orm::thrift2::{Connection, Durability};
use hbase_orm::{Error, HRow};
use hbase_orm_tests::Emulator;

use crate::fixture::Fixture;
use crate::models::User;

/// The real Thrift2 gateway, when `HBASE_THRIFT2_ADDR` names one.
fn real_addr() -> Option<SocketAddr> {
    let v = std::env::var("HBASE_THRIFT2_ADDR").ok()?;
    v.to_socket_addrs()
        .unwrap_or_else(|e| panic!("HBASE_THRIFT2_ADDR={v:?}: {e}"))
        .next()
}

/// A Thrift2 target (the emulator's Thrift2 service, or the real gateway)
/// and its store; on real HBase the tables made are dropped at the end.
pub(crate) struct Thrift2Fixture {
    _emulator: Option<Emulator>,
    pub(crate) conn: Connection,
    pub(crate) store: Thrift2Store,
    real: bool,
    tables: Mutex<Vec<String>>,
}

impl Thrift2Fixture {
    pub(crate) async fn start() -> Thrift2Fixture {
        let (emulator, addr) = match real_addr() {
            Some(addr) => (None, addr),
            None => {
                let e = Emulator::builder()
                    .thrift2_bind("127.0.0.1:0".parse().expect("addr"))
                    .start()
                    .await
                    .expect("emulator");
                let addr = e.thrift2_addr().expect("thrift2");
                (Some(e), addr)
            }
        };
        let conn = Connection::builder()
            .addr(addr)
            .timeout(Duration::from_secs(30))
            .build();
        Thrift2Fixture {
            real: emulator.is_none(),
            _emulator: emulator,
            store: Thrift2Store::new(conn.clone()),
            conn,
            tables: Mutex::new(Vec::new()),
        }
    }

    fn table_name<T: HRow>(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "{}_t2_{}_{}",
            T::SCHEMA.table,
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        self.tables.lock().unwrap().push(name.clone());
        name
    }

    /// The repository of `T` on a fresh table, through `store`.
    pub(crate) async fn repo_with<T: HRow>(&self, store: &Thrift2Store) -> Repo<T, Thrift2Store> {
        let name = self.table_name::<T>();
        let repo = Repo::<T, Thrift2Store>::from_table(store.store_table(&name));
        repo.create_table()
            .await
            .unwrap_or_else(|e| panic!("create {name}: {e}"));
        repo
    }

    pub(crate) async fn repo<T: HRow>(&self) -> Repo<T, Thrift2Store> {
        self.repo_with(&self.store).await
    }
}

impl Drop for Thrift2Fixture {
    fn drop(&mut self) {
        if !self.real {
            return;
        }
        let tables = std::mem::take(&mut *self.tables.lock().unwrap());
        // A connection of the dropping thread's own: the test's connection
        // has its reader on the test's runtime, which is blocked in this
        // `drop` until the thread is joined, so its replies would be read by
        // no one (each call would wait out its timeout).
        let Ok(addr) = self.conn.addr().parse::<SocketAddr>() else {
            return;
        };
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let conn = Connection::builder()
                    .addr(addr)
                    .timeout(Duration::from_secs(30))
                    .build();
                for t in tables {
                    let _ = conn.disable_table(&t).await;
                    let _ = conn.delete_table(&t).await;
                }
            });
        })
        .join();
    }
}

/// A model with a version field, for optimistic locking.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(
    table = "accounts",
    family = "cf",
    family_options(name = "cf", max_versions = 3)
)]
pub(crate) struct Account {
    #[hbase(row_key)]
    pub(crate) id: String,
    pub(crate) balance: i64,
    pub(crate) version: u64,
    pub(crate) note: Option<String>,
}

fn account(id: &str, balance: i64, version: u64) -> Account {
    Account {
        id: id.into(),
        balance,
        version,
        note: None,
    }
}

#[tokio::test]
async fn optimistic_locking_writes_only_over_the_version_read() {
    let fx = Thrift2Fixture::start().await;
    let accounts = fx.repo::<Account>().await;
    let version = Account::fields().version();
    // Created once: a second create does not overwrite.
    assert!(accounts
        .put_if_absent(&account("a", 10, 1), version)
        .await
        .unwrap());
    assert!(!accounts
        .put_if_absent(&account("a", 99, 1), version)
        .await
        .unwrap());
    assert_eq!(accounts.get("a").await.unwrap().unwrap().balance, 10);
    // Two writers read version 1; the first wins, the second is refused.
    assert!(accounts
        .put_if(&account("a", 20, 2), version, CompareOp::Equal, 1u64)
        .await
        .unwrap());
    assert!(!accounts
        .put_if(&account("a", 30, 2), version, CompareOp::Equal, 1u64)
        .await
        .unwrap());
    assert_eq!(
        accounts.get("a").await.unwrap().unwrap(),
        account("a", 20, 2)
    );
    // Other operators read `stored op expected`.
    assert!(accounts
        .put_if(&account("a", 21, 3), version, CompareOp::Less, 5u64)
        .await
        .unwrap());
    assert!(!accounts
        .put_if(&account("a", 22, 4), version, CompareOp::Greater, 5u64)
        .await
        .unwrap());
    assert!(accounts
        .put_if(
            &account("a", 23, 4),
            version,
            CompareOp::GreaterOrEqual,
            3u64
        )
        .await
        .unwrap());
    // A conditional put also deletes the fields that are `None`.
    let mut with_note = account("b", 1, 1);
    with_note.note = Some("n".into());
    accounts.put(&with_note).await.unwrap();
    assert!(accounts
        .put_if(&account("b", 2, 2), version, CompareOp::Equal, 1u64)
        .await
        .unwrap());
    assert_eq!(accounts.get("b").await.unwrap().unwrap().note, None);
}

#[tokio::test]
async fn the_thrift1_backend_refuses_conditional_row_writes() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await;
    let u = User::new("t", 1, "Ann", 1);
    let err = users
        .put_if(&u, User::fields().name(), CompareOp::Equal, "Ann")
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Unsupported {
                backend: "HBase Thrift1",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), hbase_orm::error::ErrorKind::Unsupported);
    let err = users
        .put_if_absent(&u, User::fields().name())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    // Nothing was written.
    assert_eq!(users.get(&("t", 1u64)).await.unwrap(), None);
}

#[tokio::test]
async fn the_thrift2_backend_refuses_a_no_op_comparison() {
    let fx = Thrift2Fixture::start().await;
    let accounts = fx.repo::<Account>().await;
    let mut write = hbase_orm::store::RowWrite::new();
    write.put(std::borrow::Cow::Borrowed(b"cf:balance"), b"x");
    let err = accounts
        .table()
        .check_and_put_op(
            b"a",
            b"cf:version",
            hbase_orm::thrift2::CompareOp::NO_OP,
            None,
            &write,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Unsupported {
                backend: "HBase Thrift2",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(accounts.get("a").await.unwrap(), None);
}

#[tokio::test]
async fn time_range_reads_see_only_the_cells_written_in_the_range() {
    let fx = Thrift2Fixture::start().await;
    let accounts = fx.repo::<Account>().await;
    let name = accounts.table().table().name().to_owned();
    // Cells at known timestamps, through the raw client.
    let raw = fx.conn.table(name.clone());
    for (ts, balance) in [(100i64, 1i64), (200, 2)] {
        raw.put(
            hbase_orm::thrift2::Put::new("a")
                .value_at("cf", "balance", ts, balance.to_be_bytes())
                .value_at("cf", "version", ts, (ts as u64).to_be_bytes()),
        )
        .await
        .unwrap();
    }
    let now = accounts.get("a").await.unwrap().unwrap();
    assert_eq!(now.balance, 2);
    let old_store = Thrift2Store::new(fx.conn.clone()).time_range(0, 150);
    let old = Repo::<Account, Thrift2Store>::from_table(old_store.store_table(&name));
    let then = old.get("a").await.unwrap().unwrap();
    assert_eq!((then.balance, then.version), (1, 100));
    let scanned: Vec<Account> = old.scan().try_collect().await.unwrap();
    assert_eq!(scanned, [then]);
    let none = Repo::<Account, Thrift2Store>::from_table(
        Thrift2Store::new(fx.conn.clone())
            .time_range(300, 400)
            .store_table(&name),
    );
    assert_eq!(none.get("a").await.unwrap(), None);
}

#[tokio::test]
async fn a_time_range_per_query_on_thrift2() {
    let fx = Thrift2Fixture::start().await;
    let accounts = fx.repo::<Account>().await;
    let name = accounts.table().table().name().to_owned();
    let raw = fx.conn.table(name.clone());
    for (key, ts, balance) in [("a", 100i64, 1i64), ("a", 200, 2), ("b", 300, 3)] {
        raw.put(
            hbase_orm::thrift2::Put::new(key)
                .value_at("cf", "balance", ts, balance.to_be_bytes())
                .value_at("cf", "version", ts, (ts as u64).to_be_bytes()),
        )
        .await
        .unwrap();
    }
    // The same handle, one range per query.
    let at = |min, max| TimeRange::new(min, max);
    let then = accounts.get_in("a", at(0, 150)).await.unwrap().unwrap();
    assert_eq!((then.balance, then.version), (1, 100));
    let mid = accounts.get_in("a", at(150, 250)).await.unwrap().unwrap();
    assert_eq!(mid.balance, 2);
    assert_eq!(accounts.get_in("a", at(250, 400)).await.unwrap(), None);
    assert_eq!(accounts.get("a").await.unwrap().unwrap().balance, 2);
    let scanned: Vec<Account> = accounts
        .scan()
        .time_range(at(150, 1_000))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        scanned.iter().map(|a| a.balance).collect::<Vec<_>>(),
        [2, 3]
    );
    let scanned: Vec<Account> = accounts
        .scan()
        .time_range(at(0, 150))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(scanned, std::slice::from_ref(&then));
    // The query's range wins over the store's.
    let old = Repo::<Account, Thrift2Store>::from_table(
        Thrift2Store::new(fx.conn.clone())
            .time_range(0, 150)
            .store_table(&name),
    );
    assert_eq!(
        old.get_in("a", at(150, 250))
            .await
            .unwrap()
            .unwrap()
            .balance,
        2
    );
    assert_eq!(old.get("a").await.unwrap(), Some(then));
}

#[tokio::test]
async fn a_time_range_per_query_on_thrift1_from_zero_only() {
    let fx = Fixture::start().await;
    let accounts = Repo::<Account>::new(&fx.conn);
    accounts.create_table().await.unwrap();
    for (ts, balance) in [(100i64, 1i64), (200, 2)] {
        accounts
            .table()
            .put(
                "a",
                [
                    ("cf:balance", balance.to_be_bytes().to_vec()),
                    ("cf:version", (ts as u64).to_be_bytes().to_vec()),
                ],
            )
            .timestamp(ts)
            .await
            .unwrap();
    }
    // `0..max` is what the gateway reads (older than a timestamp).
    let then = accounts
        .get_in("a", TimeRange::before(150))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((then.balance, then.version), (1, 100));
    let scanned: Vec<Account> = accounts
        .scan()
        .time_range(TimeRange::before(150))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(scanned, [then]);
    // Any other range is refused before sending, never read wider.
    let err = accounts
        .get_in("a", TimeRange::new(150, 250))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unsupported { backend: "HBase Thrift1", what } if what.contains("150..250")),
        "{err:?}"
    );
    let err = accounts
        .scan()
        .time_range(TimeRange::new(150, 250))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    // A model with versioned fields: refused on every backend.
    let docs = Repo::<crate::models::Doc>::new(&fx.conn);
    let err = docs.get_in(&1u32, TimeRange::before(5)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Unsupported { what, .. } if what.contains("versioned")),
        "{err:?}"
    );
}

#[tokio::test]
async fn durability_is_set_per_store_and_per_write() {
    let fx = Thrift2Fixture::start().await;
    let fast = Thrift2Store::new(fx.conn.clone()).durability(Durability::SKIP_WAL);
    let accounts = fx.repo_with::<Account>(&fast).await;
    accounts.put(&account("a", 1, 1)).await.unwrap();
    // One write with another durability: a handle of its own.
    let synced = Repo::<Account, Thrift2Store>::from_table(
        accounts.table().clone().durability(Durability::FSYNC_WAL),
    );
    synced.put(&account("b", 2, 1)).await.unwrap();
    let all: Vec<Account> = accounts.scan().try_collect().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0], account("a", 1, 1));
}

#[tokio::test]
async fn visibility_labels_hide_rows_from_readers_without_them() {
    // On real HBase the labels A, B and C are defined and the gateway's
    // user holds them (engines/hbase.sh).
    let fx = Thrift2Fixture::start().await;
    let secret = Thrift2Store::new(fx.conn.clone()).visibility("A&B");
    let writer = fx.repo_with::<Account>(&secret).await;
    let name = writer.table().table().name().to_owned();
    writer.put(&account("s", 1, 1)).await.unwrap();
    // One write labelled otherwise, through a handle of its own.
    Repo::<Account, Thrift2Store>::from_table(writer.table().clone().visibility("C"))
        .put(&account("c", 2, 1))
        .await
        .unwrap();
    let reader = |labels: &[&str]| {
        Repo::<Account, Thrift2Store>::from_table(
            Thrift2Store::new(fx.conn.clone())
                .authorizations(labels.iter().copied())
                .store_table(&name),
        )
    };
    assert_eq!(reader(&["A"]).get("s").await.unwrap(), None);
    assert_eq!(
        reader(&["A", "B"]).get("s").await.unwrap(),
        Some(account("s", 1, 1))
    );
    assert_eq!(reader(&["A", "B"]).get("c").await.unwrap(), None);
    assert!(reader(&["C"]).get("c").await.unwrap().is_some());
    let seen: Vec<Account> = reader(&["A", "B", "C"]).scan().try_collect().await.unwrap();
    assert_eq!(seen.len(), 2);
    let seen: Vec<Account> = reader(&["C"]).scan().try_collect().await.unwrap();
    assert_eq!(seen, [account("c", 2, 1)]);
}

#[tokio::test]
async fn blocking_and_pooled_thrift2_connections_share_the_code_path() {
    let fx = Thrift2Fixture::start().await;
    let addr: SocketAddr = fx.conn.addr().parse().expect("addr");
    let accounts = fx.repo::<Account>().await;
    let name = accounts.table().table().name().to_owned();
    accounts.put(&account("p", 7, 1)).await.unwrap();
    // The pool lends Thrift2 connections.
    let pool = hbase_orm::thrift2::ConnectionPool::builder()
        .addr(addr)
        .size(2)
        .timeout(Duration::from_secs(30))
        .build();
    {
        let a = pool.get().await.unwrap();
        let b = pool.get().await.unwrap();
        let got = a
            .table(name.clone())
            .get(hbase_orm::thrift2::Get::new("p"))
            .await
            .unwrap();
        assert!(got.is_some());
        assert!(b.table_exists(&name).await.unwrap());
        // Both lent: a third waits, then fails clearly.
        let small = hbase_orm::thrift2::ConnectionPool::builder()
            .addr(addr)
            .size(1)
            .acquire_timeout(Duration::from_millis(100))
            .build();
        let held = small.get().await.unwrap();
        let err = small.get().await.unwrap_err();
        assert!(
            matches!(err, Error::NoConnectionsAvailable { .. }),
            "{err:?}"
        );
        drop(held);
        let n = small
            .run(|c| async move { c.namespace_names().await })
            .await
            .unwrap();
        assert!(n.contains(&"default".to_owned()));
    }
    assert_eq!(pool.idle_connections(), 2);
    // The blocking twin, on a thread of its own.
    let table = name.clone();
    tokio::task::spawn_blocking(move || {
        let conn = hbase_orm::blocking::thrift2::Connection::builder()
            .addr(addr)
            .timeout(Duration::from_secs(30))
            .connect()
            .unwrap();
        assert_eq!(
            conn.server_type().unwrap(),
            hbase_orm::thrift2::ServerType::Thrift2
        );
        let t = conn.table(table.clone());
        t.put(hbase_orm::thrift2::Put::new("q").value("cf", "note", "blocking"))
            .unwrap();
        let got = t.get(hbase_orm::thrift2::Get::new("q")).unwrap().unwrap();
        assert_eq!(
            got.value("cf", "note").map(|v| v.as_ref()),
            Some(&b"blocking"[..])
        );
        let keys: Vec<_> = t
            .scan(hbase_orm::thrift2::ScanOptions::new())
            .map(|r| r.unwrap().key)
            .collect();
        assert_eq!(keys, ["p", "q"]);
        let pool = hbase_orm::blocking::thrift2::ConnectionPool::new(
            hbase_orm::thrift2::ConnectionPool::builder()
                .addr(addr)
                .size(1),
        );
        let lent = pool.get().unwrap();
        assert!(lent.table_exists(&table).unwrap());
        drop(lent);
        assert_eq!(pool.idle_connections(), 1);
    })
    .await
    .unwrap();
}
