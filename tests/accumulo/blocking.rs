//! The blocking twin (`hbase_orm::blocking::accumulo`) and the pools, sync
//! and async, over real sockets.

use std::time::Duration;

use hbase_orm::accumulo::ConnectorPool as AsyncPool;
use hbase_orm::blocking::accumulo::{
    Authorizations, BatchScanOptions, Condition, ConditionalMutation, ConditionalStatus,
    ConditionalWriterOptions, Connection, ConnectorPool, Entry, Mutation, Range, ScanOptions,
    TimeType, WriterOptions,
};
use hbase_orm::error::AccumuloErrorKind;
use hbase_orm::Error;

use crate::fixture::{self, Proxy, AUTHS, TIMEOUT};

/// Runs `test` on a plain thread with the proxy (the embedded emulator runs
/// on a runtime of its own meanwhile).
fn with_proxy(test: impl FnOnce(&Proxy)) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let proxy = rt.block_on(fixture::proxy());
    test(&proxy);
    let _guard = rt.enter();
    drop(proxy);
}

fn rows(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| String::from_utf8_lossy(&e.key.row).into_owned())
        .collect()
}

#[test]
fn blocking_connector_writes_scans_and_writes_conditionally() {
    with_proxy(|proxy| {
        let conn = Connection::builder()
            .addr(proxy.addr.parse().expect("host:port"))
            .timeout(TIMEOUT)
            .connect()
            .expect("connect");
        assert!(conn.is_open());
        let c = conn.login(&proxy.user, &proxy.password).expect("login");
        c.change_user_authorizations(&proxy.user, &Authorizations::from_iter(AUTHS))
            .unwrap();
        let t = fixture::unique("blk");
        c.create_table(&t, true, TimeType::MILLIS).unwrap();
        assert!(c.table_exists(&t).unwrap());
        assert!(c.list_tables().unwrap().contains(&t));

        c.update_and_flush(
            &t,
            [
                Mutation::new("r1").put("f", "q", "v1"),
                Mutation::new("r2")
                    .put_labelled("f", "q", "A&B", "v2")
                    .unwrap(),
            ],
        )
        .unwrap();
        let only_a: Vec<Entry> = c
            .scanner(
                &t,
                ScanOptions::new(Range::all()).authorizations(Authorizations::from_iter(["A"])),
            )
            .unwrap()
            .collect::<hbase_orm::Result<_>>()
            .unwrap();
        assert_eq!(rows(&only_a), ["r1"], "A&B is hidden from a reader with A");
        let labelled: Vec<Entry> = c
            .scanner(
                &t,
                ScanOptions::new(Range::all())
                    .authorizations(Authorizations::from_iter(["A", "B"])),
            )
            .unwrap()
            .collect::<hbase_orm::Result<_>>()
            .unwrap();
        assert_eq!(rows(&labelled), ["r1", "r2"]);

        // A writer: one-way updates, applied by flush and close.
        let mut w = c.writer(&t, WriterOptions::default()).unwrap();
        w.update([Mutation::new("r3").put("f", "q", "v3")]).unwrap();
        assert_eq!(w.unflushed_rows(), [b"r3".to_vec()]);
        w.flush().unwrap();
        assert!(w.unflushed_rows().is_empty());
        w.update([Mutation::new("r4").put("f", "q", "v4")]).unwrap();
        w.close().unwrap();

        // A batch scanner over two rows, and a delete.
        let mut batch: Vec<String> = c
            .batch_scanner(
                &t,
                BatchScanOptions::new([Range::exact_row("r4"), Range::exact_row("r3")]),
            )
            .unwrap()
            .map(|e| String::from_utf8_lossy(&e.unwrap().key.row).into_owned())
            .collect();
        batch.sort();
        assert_eq!(batch, ["r3", "r4"]);
        c.update_and_flush(&t, [Mutation::new("r1").delete("f", "q")])
            .unwrap();
        let left: Vec<Entry> = c
            .scanner(&t, ScanOptions::new(Range::prefix("r")))
            .unwrap()
            .collect::<hbase_orm::Result<_>>()
            .unwrap();
        assert_eq!(rows(&left), ["r2", "r3", "r4"]);

        // Conditional writes, one row and through a writer.
        let absent = || {
            ConditionalMutation::new(Mutation::new("r5").put("f", "q", "v5"))
                .condition(Condition::new("f", "q"))
        };
        assert_eq!(
            c.update_row_conditionally(&t, absent()).unwrap(),
            ConditionalStatus::ACCEPTED
        );
        assert_eq!(
            c.update_row_conditionally(&t, absent()).unwrap(),
            ConditionalStatus::REJECTED
        );
        let cw = c
            .conditional_writer(&t, ConditionalWriterOptions::default())
            .unwrap();
        let statuses = cw
            .update([
                ConditionalMutation::new(Mutation::new("r5").put("f", "q", "v6"))
                    .condition(Condition::new("f", "q").value("v5")),
            ])
            .unwrap();
        assert_eq!(statuses[&b"r5".to_vec()], ConditionalStatus::ACCEPTED);
        cw.close().unwrap();

        // A scanner dropped half way is closed; the connection goes on.
        let mut s = c
            .scanner(&t, ScanOptions::new(Range::all()).buffer_size(1))
            .unwrap();
        assert!(s.next().is_some());
        drop(s);
        c.delete_table(&t).unwrap();
        assert!(!c.table_exists(&t).unwrap());
    });
}

#[test]
fn blocking_errors_are_the_async_ones_and_async_tasks_are_refused() {
    with_proxy(|proxy| {
        let conn = Connection::builder()
            .addr(proxy.addr.parse().expect("host:port"))
            .timeout(TIMEOUT)
            .build();
        let err = conn.login(&proxy.user, "not the password").unwrap_err();
        assert_eq!(
            err.accumulo_kind(),
            Some(AccumuloErrorKind::Security),
            "{err}"
        );
        let c = conn.login(&proxy.user, &proxy.password).unwrap();
        let err = c.table_properties("no_such_table_blk").unwrap_err();
        assert_eq!(
            err.accumulo_kind(),
            Some(AccumuloErrorKind::TableNotFound),
            "{err}"
        );
        let err = c
            .update_and_flush("t", [Mutation::new("").put("f", "q", "v")])
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");

        // From an async task the blocking call refuses to stall it.
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let inside = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async { c.list_tables() })
        }));
        let message = inside.expect_err("a blocking call inside a runtime panics");
        let text = message
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| message.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        assert!(text.contains("called from an async task"), "{text}");
        // From spawn_blocking it works.
        let c2 = c.clone();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let listed = rt
            .block_on(async move { tokio::task::spawn_blocking(move || c2.list_tables()).await })
            .unwrap();
        assert!(listed.is_ok(), "{listed:?}");
    });
}

#[test]
fn blocking_pool_lends_at_most_its_size_across_threads() {
    with_proxy(|proxy| {
        let pool = ConnectorPool::builder()
            .addr(proxy.addr.parse().expect("host:port"))
            .connection_builder(fixture::builder(proxy))
            .login(proxy.user.clone(), proxy.password.clone())
            .size(2)
            .acquire_timeout(Duration::from_secs(60))
            .connect()
            .expect("pool");
        assert_eq!(pool.idle_connections(), 1);
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let pool = pool.clone();
                std::thread::spawn(move || -> hbase_orm::Result<bool> {
                    let c = pool.get()?;
                    assert!(pool.connections_in_use() <= 2);
                    c.table_exists("accumulo.root")
                })
            })
            .collect();
        for t in threads {
            assert!(t.join().expect("thread").expect("call"));
        }
        assert_eq!(pool.connections_in_use(), 0);
        assert!(pool.idle_connections() <= 2);

        // A full pool fails with a clear error after the acquire timeout.
        let small = ConnectorPool::builder()
            .connection_builder(fixture::builder(proxy))
            .login(proxy.user.clone(), proxy.password.clone())
            .size(1)
            .acquire_timeout(Duration::from_millis(100))
            .build();
        let held = small.get().unwrap();
        let err = small.get().unwrap_err();
        assert!(matches!(err, Error::NoConnectionsAvailable { .. }), "{err}");
        held.discard();
        assert_eq!(small.idle_connections(), 0);
        assert!(small.get().is_ok());
    });
}

#[tokio::test]
async fn async_pool_reuses_logs_in_fails_over_and_times_out() {
    let proxy = fixture::proxy().await;
    // An address that refuses connections: a port that was free a moment ago.
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let pool = AsyncPool::builder()
        .connection_builder(fixture::builder(&proxy))
        .addr(refused)
        .addr(proxy.addr.parse().unwrap())
        .login(proxy.user.clone(), proxy.password.clone())
        .size(1)
        .acquire_timeout(Duration::from_millis(100))
        .build();
    let c = pool.get().await.expect("fails over to the proxy");
    assert_eq!(pool.current_address(), proxy.addr);
    assert!(c.table_exists("accumulo.root").await.unwrap());
    let err = pool.get().await.unwrap_err();
    assert!(matches!(err, Error::NoConnectionsAvailable { .. }), "{err}");
    drop(c);
    assert_eq!(pool.idle_connections(), 1);
    let principal = pool
        .run(|c| async move { Ok(c.principal().to_owned()) })
        .await
        .unwrap();
    assert_eq!(principal, proxy.user);
    assert_eq!(pool.idle_connections(), 1, "the connector came back");

    // A wrong password fails the pool's connect with the login's error.
    let err = AsyncPool::builder()
        .connection_builder(fixture::builder(&proxy))
        .login(proxy.user.clone(), "wrong")
        .connect()
        .await
        .unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::Security),
        "{err}"
    );
}

#[tokio::test]
async fn a_pooled_connector_whose_socket_the_proxy_closed_while_idle_works_again() {
    // The emulator closes connections idle for 100 ms: the pooled
    // connector's socket is gone by the time it is lent again.
    let emulator = hbase_orm_tests::Emulator::builder()
        .hbase(false)
        .accumulo_bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .accumulo_root_password("secret")
        .idle_timeout(Some(Duration::from_millis(100)))
        .start()
        .await
        .expect("emulator");
    let addr = emulator.accumulo_addr().expect("accumulo");
    let pool = AsyncPool::builder()
        .addr(addr)
        .login("root", "secret")
        .size(1)
        .acquire_timeout(Duration::from_secs(30))
        .connect()
        .await
        .expect("pool");
    // The connector the pool logged in with, watched from the client side.
    let mut watch = pool.get().await.expect("lent").connection().clone();
    for round in 0..3 {
        // Until the server has closed the idle socket and the client has
        // seen it closed (bounded wait): only then is it certain that the
        // socket was closed while idle, not while a call was on its way.
        let mut waited = 0;
        while emulator.connections() > 0 || watch.is_open() {
            assert!(waited < 600, "the idle socket was never seen closed");
            tokio::time::sleep(Duration::from_millis(50)).await;
            waited += 1;
        }
        let c = pool.get().await.expect("lent");
        assert!(
            c.table_exists("accumulo.root").await.unwrap(),
            "round {round}"
        );
        watch = c.connection().clone();
        drop(c);
    }
    assert_eq!(pool.connections_in_use(), 0);
}
