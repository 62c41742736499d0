//! `ConnectionPool` against the emulator: lending under load while the
//! gateway drops connections, the acquire timeout, replacement of broken and
//! idle-closed connections, failover between addresses.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use hbase_orm::{ColumnFamily, Connection, ConnectionPool, ConnectionPoolBuilder, Error};
use hbase_orm_tests::{Combo, Emulator};
use rand::Rng;

/// Call timeout of pooled connections: long enough for a loaded machine.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);

fn pool_builder(emulator: &Emulator) -> ConnectionPoolBuilder {
    ConnectionPool::builder()
        .addr(emulator.addr())
        .transport(emulator.transport())
        .protocol(emulator.protocol())
        .timeout(CALL_TIMEOUT)
        .acquire_timeout(Duration::from_secs(20))
}

async fn create_table(emulator: &Emulator, name: &str) {
    let conn = Connection::builder()
        .addr(emulator.addr())
        .transport(emulator.transport())
        .protocol(emulator.protocol())
        .timeout(CALL_TIMEOUT)
        .build();
    conn.create_table(name, [ColumnFamily::new("cf")])
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e}"));
    conn.close().await;
}

/// Waits until `cond` holds, for at most 10 s.
async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Runs one operation with a pooled connection until it succeeds, retrying
/// on retryable errors; counts the retries.
async fn with_retries<T, F, Fut>(pool: &ConnectionPool, retries: &AtomicUsize, mut op: F) -> T
where
    F: FnMut(Connection) -> Fut,
    Fut: std::future::Future<Output = hbase_orm::Result<T>>,
{
    for _ in 0..1000 {
        match pool.run(&mut op).await {
            Ok(value) => return value,
            Err(e) if e.is_retryable() => {
                retries.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => panic!("non-retryable error: {e}"),
        }
    }
    panic!("an operation failed 1000 times in a row");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_operation_is_lost_while_connections_are_killed() {
    const TASKS: usize = 64;
    const ROWS: usize = 30;
    let emulator = hbase_orm_tests::start(Combo::DEFAULT).await;
    create_table(&emulator, "hammer").await;
    let pool = pool_builder(&emulator).size(8).build();

    let retries = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let pool = pool.clone();
        let retries = Arc::clone(&retries);
        tasks.push(tokio::spawn(async move {
            for row in 0..ROWS {
                let key = format!("t{task:02}-r{row:02}");
                let value = format!("v{task}-{row}");
                // A put of the same value is idempotent: resending one that
                // reached the gateway is harmless.
                with_retries(&pool, &retries, |conn| {
                    let (key, value) = (key.clone(), value.clone());
                    async move { conn.table("hammer").put(key, [("cf:v", value)]).await }
                })
                .await;
                // Read it back through the pool too.
                let read = with_retries(&pool, &retries, |conn| {
                    let key = key.clone();
                    async move { conn.table("hammer").row(key).await }
                })
                .await;
                let read = read.unwrap_or_else(|| panic!("{key} was just written"));
                assert_eq!(read.get("cf:v").map(|v| &v[..]), Some(value.as_bytes()));
            }
        }));
    }
    // Kill every client socket at random moments until the writers are done
    // (the emulator stays on this task: it is not `Sync`).
    let mut kills = 0usize;
    while !tasks.iter().all(|t| t.is_finished()) {
        let pause = rand::thread_rng().gen_range(1..15);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        emulator.disconnect_all();
        kills += 1;
    }
    for task in tasks {
        task.await.expect("writer task panicked");
    }
    assert!(kills > 0, "the gateway never dropped the connections");
    println!(
        "{kills} disconnections, {} retries",
        retries.load(Ordering::Relaxed)
    );

    assert_eq!(pool.connections_in_use(), 0);
    assert!(pool.idle_connections() <= 8);

    // Every row is there, exactly once, with its value.
    let rows: Vec<_> = with_retries(&pool, &retries, |conn| async move {
        conn.table("hammer").scan().try_collect::<Vec<_>>().await
    })
    .await;
    let got: BTreeMap<String, String> = rows
        .iter()
        .map(|r| {
            let value = r.get("cf:v").expect("every row has cf:v");
            (
                String::from_utf8_lossy(&r.key).into_owned(),
                String::from_utf8_lossy(value).into_owned(),
            )
        })
        .collect();
    let want: BTreeMap<String, String> = (0..TASKS)
        .flat_map(|task| {
            (0..ROWS).map(move |row| (format!("t{task:02}-r{row:02}"), format!("v{task}-{row}")))
        })
        .collect();
    assert_eq!(rows.len(), TASKS * ROWS);
    assert_eq!(got, want);
    drop(pool);
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_exhausted_pool_fails_after_the_acquire_timeout() {
    let emulator = hbase_orm_tests::start(Combo::DEFAULT).await;
    let pool = pool_builder(&emulator)
        .size(2)
        .acquire_timeout(Duration::from_millis(100))
        .build();
    let a = pool.get().await.expect("first connection");
    let b = pool.get().await.expect("second connection");
    assert_eq!(pool.connections_in_use(), 2);

    let err = pool.get().await.expect_err("the pool is exhausted");
    assert!(
        matches!(err, Error::NoConnectionsAvailable { timeout } if timeout == Duration::from_millis(100)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "no connection available in the pool within 100ms"
    );
    assert!(err.is_retryable());

    // A connection given back is lent again.
    drop(a);
    assert_eq!(pool.idle_connections(), 1);
    let c = pool.get().await.expect("a returned connection");
    assert!(c.tables().await.expect("usable").is_empty());
    drop((b, c));
    assert_eq!(pool.idle_connections(), 2);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_waiter_gets_the_connection_given_back() {
    let emulator = hbase_orm_tests::start(Combo::DEFAULT).await;
    let pool = pool_builder(&emulator).size(1).build();
    let held = pool.get().await.expect("connection");
    let waiter = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let conn = pool.get().await?;
            conn.tables().await
        })
    };
    tokio::task::yield_now().await;
    drop(held);
    let tables = waiter.await.expect("waiter").expect("the waiter got it");
    assert!(tables.is_empty());
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_connection_closed_while_idle_is_reopened_before_use() {
    let emulator = hbase_orm_tests::start(Combo::DEFAULT).await;
    create_table(&emulator, "idle").await;
    let pool = pool_builder(&emulator).size(1).build();
    let conn = pool.get().await.expect("connection");
    conn.table("idle")
        .put("k", [("cf:a", "1")])
        .await
        .expect("put");
    let watch = conn.connection().clone();
    drop(conn);
    assert_eq!(pool.idle_connections(), 1);

    // The gateway drops idle connections.
    emulator.disconnect_all();
    eventually("the client sees the close", || !watch.is_open()).await;

    // The next user gets it open and its first call works: no error to retry.
    let conn = pool.get().await.expect("reopened");
    assert!(conn.is_open());
    let row = conn
        .table("idle")
        .row("k")
        .await
        .expect("first call after the close");
    assert_eq!(
        row.and_then(|r| r.get("cf:a").cloned()).as_deref(),
        Some(&b"1"[..])
    );
    drop(conn);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_connection_broken_while_lent_is_replaced() {
    let emulator = hbase_orm_tests::start(Combo::DEFAULT).await;
    create_table(&emulator, "broken").await;
    let pool = pool_builder(&emulator).size(1).build();
    let conn = pool.get().await.expect("connection");
    let broken = conn.connection().clone();
    emulator.disconnect_all();
    eventually("the client sees the close", || !broken.is_open()).await;
    drop(conn);
    // Not handed out again.
    assert_eq!(pool.idle_connections(), 0);
    assert_eq!(pool.connections_in_use(), 0);

    let conn = pool.get().await.expect("a new connection");
    conn.table("broken")
        .put("k", [("cf:a", "2")])
        .await
        .expect("put");
    drop(conn);
    assert_eq!(pool.idle_connections(), 1);

    // Explicitly discarded connections are not returned either.
    pool.get().await.expect("connection").discard();
    assert_eq!(pool.idle_connections(), 0);
    emulator.shutdown().await;
}

#[tokio::test]
async fn new_connections_fail_over_to_the_next_address() {
    let emulator = hbase_orm_tests::start(Combo::DEFAULT).await;
    create_table(&emulator, "failover").await;
    // A port nothing listens on any more.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr")
    };
    let pool = ConnectionPool::builder()
        .addr(closed)
        .addr(emulator.addr())
        .timeout(CALL_TIMEOUT)
        .size(2)
        .build();
    assert_eq!(pool.current_address(), closed.to_string());

    let conn = pool.get().await.expect("failover to the emulator");
    assert_eq!(conn.addr(), emulator.addr().to_string());
    assert_eq!(pool.current_address(), emulator.addr().to_string());
    conn.table("failover")
        .put("k", [("cf:a", "x")])
        .await
        .expect("put");

    // The working address is remembered: the next new connection goes there.
    let second = pool.get().await.expect("second connection");
    assert_eq!(second.addr(), emulator.addr().to_string());
    let row = second.table("failover").row("k").await.expect("row");
    assert!(row.is_some());
    drop((conn, second));

    // With no address accepting, the error of the last one is returned.
    let dead = ConnectionPool::builder().addr(closed).build();
    let err = dead.get().await.expect_err("nothing listens");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(dead.connections_in_use(), 0);
    emulator.shutdown().await;
}

#[tokio::test]
async fn pools_work_on_every_combination() {
    for combo in hbase_orm_tests::COMBOS {
        let emulator = hbase_orm_tests::start(combo).await;
        create_table(&emulator, "combo").await;
        let pool = pool_builder(&emulator)
            .size(2)
            .connect()
            .await
            .expect("connect");
        assert_eq!(pool.idle_connections(), 1);
        let n = pool
            .run(|conn| async move { conn.table("combo").counter_inc("k", "cf:n", 5).await })
            .await
            .unwrap_or_else(|e| panic!("{combo}: {e}"));
        assert_eq!(n, 5, "{combo}");
        emulator.shutdown().await;
    }
}
