//! A typed model on HBase's Thrift2 gateway: what Thrift2 adds over Thrift1
//! in the typed layer.
//!
//! - cell visibility labels on writes and authorizations on reads,
//! - conditional writes (`put_if_absent`, and `put_if` for optimistic
//!   locking on a version field),
//! - reads of a time range (per query),
//! - durability per write.
//!
//! Runs on the embedded emulator (its Thrift2 service) with no setup:
//!
//! ```text
//! cargo run --example thrift2_typed
//! ```
//!
//! or against a real Thrift2 gateway (buffered transport, binary protocol)
//! with `HBASE_THRIFT2_ADDR=host:9090 cargo run --example thrift2_typed`.
//! There the labels `staff` and `public` must be defined and the gateway's
//! user must hold them (engines/hbase.sh does both).

use futures::TryStreamExt;
use hbase_orm::backend::thrift2::Thrift2Store;
use hbase_orm::filter::CompareOp;
use hbase_orm::store::{Store, TimeRange};
use hbase_orm::thrift2::{Connection, Durability, Get};
use hbase_orm::{HRow, Repo};
use hbase_orm_examples::unique_table_name;

/// A bank account; `version` grows by one with every write, so a writer
/// can tell whether someone else wrote since it read.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(
    table = "thrift2_accounts",
    family = "cf",
    family_options(name = "cf", max_versions = 3)
)]
struct Account {
    #[hbase(row_key)]
    id: String,
    owner: String,
    balance: i64,
    version: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A real gateway when named, else the emulator's Thrift2 service.
    let (conn, _emulator, table) = match std::env::var("HBASE_THRIFT2_ADDR") {
        Ok(addr) => {
            let addr: std::net::SocketAddr = addr
                .parse()
                .map_err(|e| format!("HBASE_THRIFT2_ADDR={addr:?}: {e}"))?;
            println!("1. connecting to the Thrift2 gateway at {addr}");
            let conn = Connection::builder().addr(addr).connect().await?;
            (conn, None, unique_table_name("thrift2_accounts"))
        }
        Err(_) => {
            let emulator = hbase_emulator::Emulator::builder()
                .thrift2_bind("127.0.0.1:0".parse()?)
                .start()
                .await?;
            let addr = emulator
                .thrift2_addr()
                .ok_or("the emulator has no Thrift2 service")?;
            println!("1. connecting to the embedded emulator's Thrift2 service on {addr}");
            let conn = Connection::builder().addr(addr).connect().await?;
            (conn, Some(emulator), "thrift2_accounts".to_owned())
        }
    };

    // Every write through this store is labelled `staff` and waits for the
    // write-ahead log to be synced.
    let staff_store = Thrift2Store::new(conn.clone())
        .visibility("staff")
        .authorizations(["staff"])
        .durability(Durability::SYNC_WAL);
    let accounts = Repo::<Account, Thrift2Store>::from_table(staff_store.store_table(&table));
    accounts.create_table().await?;
    println!("2. created table {table:?}");

    // Created once: a second put_if_absent does not overwrite.
    let version = Account::fields().version();
    let first = Account {
        id: "a1".into(),
        owner: "Ann".into(),
        balance: 100,
        version: 1,
    };
    assert!(accounts.put_if_absent(&first, version).await?);
    let again = Account {
        balance: 0,
        ..first.clone()
    };
    assert!(!accounts.put_if_absent(&again, version).await?);
    println!("3. put_if_absent wrote a1 once; the second one was refused");

    // The server stamps cells in milliseconds: keep the next write in a
    // later one, for the time-range read at the end.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // Optimistic locking: read, change, write only over the version read.
    let mut a = accounts.get("a1").await?.ok_or("a1 is missing")?;
    let seen = a.version;
    a.balance += 50;
    a.version += 1;
    assert!(accounts.put_if(&a, version, CompareOp::Equal, seen).await?);
    // A writer still holding version 1 loses.
    let stale = Account {
        balance: 1,
        version: 2,
        ..first.clone()
    };
    assert!(
        !accounts
            .put_if(&stale, version, CompareOp::Equal, seen)
            .await?
    );
    let now = accounts.get("a1").await?.ok_or("a1 is missing")?;
    assert_eq!((now.balance, now.version), (150, 2));
    println!("4. put_if: version 1 -> 2 applied, a stale writer refused: {now:?}");

    // Visibility: readers without `staff` do not see the row.
    let public = Repo::<Account, Thrift2Store>::from_table(
        Thrift2Store::new(conn.clone())
            .authorizations(["public"])
            .store_table(&table),
    );
    assert_eq!(public.get("a1").await?, None);
    // One write labelled `public`, through a handle of its own; with the
    // fastest durability (no write-ahead log: lost if the server dies).
    let public_writer = Repo::<Account, Thrift2Store>::from_table(
        accounts
            .table()
            .clone()
            .visibility("public")
            .durability(Durability::SKIP_WAL),
    );
    public_writer
        .put(&Account {
            id: "p1".into(),
            owner: "Pat".into(),
            balance: 5,
            version: 1,
        })
        .await?;
    let seen_by_public: Vec<Account> = public.scan().try_collect().await?;
    let both = Repo::<Account, Thrift2Store>::from_table(
        accounts.table().clone().authorizations(["staff", "public"]),
    );
    let seen_by_both: Vec<Account> = both.scan().try_collect().await?;
    assert_eq!(seen_by_public.len(), 1);
    assert_eq!(seen_by_both.len(), 2);
    println!(
        "5. visibility: a `public` reader sees {:?}, a `staff,public` reader sees {} rows",
        seen_by_public.iter().map(|a| &a.id).collect::<Vec<_>>(),
        seen_by_both.len()
    );

    // A time range per query: a1 as it was before the locked write. The
    // timestamps are the server's: read the first version's from the raw
    // client.
    let raw = accounts.table().table();
    let cells = raw
        .get(
            Get::new("a1")
                .column("cf", "version")
                .max_versions(2)
                .authorizations(["staff"]),
        )
        .await?
        .ok_or("a1 is missing")?;
    let oldest = cells
        .versions("cf", "version")
        .map(|c| c.timestamp)
        .min()
        .ok_or("no version cell")?;
    let then = accounts
        .get_in("a1", TimeRange::new(0, oldest + 1))
        .await?
        .ok_or("no a1 in the range")?;
    assert_eq!((then.balance, then.version), (100, 1));
    println!(
        "6. a1 before its second write (timestamps < {}): {then:?}",
        oldest + 1
    );

    if _emulator.is_none() {
        conn.disable_table(&table).await?;
        conn.delete_table(&table).await?;
        println!("7. dropped table {table:?}");
    }
    Ok(())
}
