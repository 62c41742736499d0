//! The connection itself: pipelining from many tasks, reconnection after the
//! gateway drops idle sockets, transport/protocol mismatches, timeouts.

use std::time::Duration;

use hbase_orm::{Connection, Error, Protocol, Transport};
use hbase_orm_tests::{Combo, COMBOS};
use std::future::IntoFuture;

use tokio::io::AsyncReadExt;

use crate::fixture::{b, connect, each_combo, eventually, Fixture};

#[tokio::test]
async fn open_close_and_lazy_connect() {
    each_combo(|f: Fixture| async move {
        let combo = f.combo;
        assert!(!f.conn.is_open(), "{combo}: lazy");
        f.conn.open().await.unwrap();
        assert!(f.conn.is_open(), "{combo}");
        f.conn.open().await.unwrap();
        let t = f.table("t").await;
        t.put("r", [("cf:a", "1")]).await.unwrap();
        f.conn.close().await;
        assert!(!f.conn.is_open(), "{combo}");
        // A call after close opens a new socket.
        assert!(t.row("r").await.unwrap().is_some(), "{combo}");
        assert!(f.conn.is_open(), "{combo}");

        let eager = connect(&f.emulator, combo).connect().await.unwrap();
        assert!(eager.is_open(), "{combo}");
    })
    .await;
}

#[tokio::test]
async fn dropped_idle_connections_are_reopened() {
    each_combo(|f: Fixture| async move {
        let combo = f.combo;
        let t = f.table("t").await;
        t.put("r", [("cf:a", "1")]).await.unwrap();

        // The next call right after the drop.
        f.emulator.disconnect_all();
        assert!(t.row("r").await.unwrap().is_some(), "{combo}");

        // The next call once the client has seen the drop.
        f.emulator.disconnect_all();
        eventually("the client sees the closed socket", || !f.conn.is_open()).await;
        t.put("r", [("cf:b", "2")]).await.unwrap();
        assert_eq!(t.row("r").await.unwrap().unwrap().cells.len(), 2, "{combo}");

        // Repeatedly, with scans and batches.
        for i in 0..5 {
            f.emulator.disconnect_all();
            let mut batch = t.batch();
            batch.put(format!("b{i}"), [("cf:a", "1")]).await.unwrap();
            batch.send().await.unwrap();
            f.emulator.disconnect_all();
            let n = futures::TryStreamExt::try_collect::<Vec<_>>(t.scan())
                .await
                .unwrap()
                .len();
            assert_eq!(n, 2 + i, "{combo}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_share_one_connection() {
    for combo in COMBOS {
        let f = Fixture::start(combo).await;
        let t = f.table("t").await;
        let mut tasks = Vec::new();
        for task in 0..32 {
            let t = t.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..25 {
                    let key = format!("t{task}-{i}");
                    let value = format!("v{task}-{i}");
                    t.put(&key, [("cf:a", &value)]).await.unwrap();
                    let row = t.row(&key).await.unwrap().unwrap();
                    assert_eq!(row.get("cf:a").unwrap(), value.as_bytes());
                    t.counter_inc("counter", "cf:n", 1).await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(
            t.counter_get("counter", "cf:n").await.unwrap(),
            32 * 25,
            "{combo}"
        );
        let rows = futures::TryStreamExt::try_collect::<Vec<_>>(t.scan())
            .await
            .unwrap();
        assert_eq!(rows.len(), 32 * 25 + 1, "{combo}");
    }
}

#[tokio::test]
async fn callers_that_give_up_do_not_desync_the_stream() {
    let f = Fixture::start(Combo::DEFAULT).await;
    let t = f.table("t").await;
    t.put("r", [("cf:a", "1")]).await.unwrap();
    // Calls polled once (so sent) and dropped before their replies arrive.
    for i in 0..50 {
        let abandoned = t.row("r").into_future();
        assert!(futures::FutureExt::now_or_never(abandoned).is_none());
        let put = t.put(format!("p{i}"), [("cf:a", "x")]).into_future();
        assert!(futures::FutureExt::now_or_never(put).is_none());
    }
    // Every later reply still reaches its own caller.
    let row = t.row("r").await.unwrap().unwrap();
    assert_eq!(row.get("cf:a").unwrap(), b("1"));
    t.put("r", [("cf:a", "2")]).await.unwrap();
    assert_eq!(
        t.row("r").await.unwrap().unwrap().get("cf:a").unwrap(),
        b("2")
    );
    // A call polled once may already be written (by its caller, when the
    // connection was idle): each abandoned put is applied whole or not at
    // all, and the reads above got their own replies.
    let keys: Vec<String> = (0..50).map(|i| format!("p{i}")).collect();
    for row in t.rows(&keys).await.unwrap() {
        assert_eq!(row.get("cf:a").unwrap(), b("x"), "{:?}", row.key);
    }
}

async fn mismatch(server: Combo, client: Combo) -> Error {
    let emulator = hbase_orm_tests::start(server).await;
    let conn = Connection::builder()
        .addr(emulator.addr())
        .transport(client.transport)
        .protocol(client.protocol)
        .timeout(Duration::from_secs(3))
        .build();
    conn.tables().await.expect_err(&format!(
        "client {client} against server {server} must fail"
    ))
}

#[tokio::test]
async fn mismatched_transport_or_protocol_is_a_clear_error() {
    for server in COMBOS {
        for client in COMBOS {
            if server == client {
                continue;
            }
            let err = mismatch(server, client).await;
            let text = err.to_string();
            assert!(
                matches!(
                    err,
                    Error::Protocol { .. }
                        | Error::Timeout { hint: Some(_), .. }
                        | Error::Transport { .. }
                ),
                "client {client} / server {server}: {err:?}"
            );
            assert!(
                text.contains("transport") || text.contains("protocol"),
                "client {client} / server {server}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn mismatch_errors_name_the_setting() {
    fn name(combo: Combo) -> (&'static str, &'static str) {
        (
            match combo.transport {
                Transport::Buffered => ".transport(Transport::Buffered)",
                Transport::Framed => ".transport(Transport::Framed)",
            },
            match combo.protocol {
                Protocol::Binary => ".protocol(Protocol::Binary)",
                Protocol::Compact => ".protocol(Protocol::Compact)",
            },
        )
    }
    for server in COMBOS {
        for client in COMBOS {
            if server == client {
                continue;
            }
            let err = mismatch(server, client).await;
            assert!(
                matches!(err, Error::Protocol { .. }),
                "client {client} / server {server}: {err:?}"
            );
            assert!(!err.is_retryable());
            let text = err.to_string();
            let (transport, protocol) = name(server);
            assert_eq!(
                text.contains(transport),
                server.transport != client.transport,
                "client {client} / server {server}: {text}"
            );
            assert_eq!(
                text.contains(protocol),
                server.protocol != client.protocol,
                "client {client} / server {server}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_silent_server_times_out_and_later_calls_do_too() {
    // Accepts and reads, never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut sockets = Vec::new();
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                while socket.read(&mut buf).await.is_ok_and(|n| n > 0) {}
            });
            sockets.push(());
        }
    });
    let conn = Connection::builder()
        .addr(addr)
        .timeout(Duration::from_millis(300))
        .build();
    for _ in 0..2 {
        let err = conn.tables().await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert!(err.is_retryable());
        assert!(
            matches!(
                err,
                Error::Timeout {
                    method: "getTableNames",
                    // Silent in every transport and protocol: slow, not
                    // mismatched.
                    hint: None,
                    ..
                }
            ),
            "{err:?}"
        );
    }
    server.abort();
}

#[tokio::test]
async fn an_unreachable_gateway_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let conn = Connection::builder()
        .addr(addr)
        .timeout(Duration::from_secs(5))
        .build();
    let err = conn.open().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
    // Retried (a refused connect carried nothing), then given up: the last
    // attempt's error is the transport error.
    let err = conn.table("t").row("r").await.unwrap_err();
    assert!(
        matches!(err.last_attempt(), Error::Transport { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_emulator_going_away_fails_calls_and_coming_back_works() {
    let f = Fixture::start(Combo::DEFAULT).await;
    let t = f.table("t").await;
    t.put("r", [("cf:a", "1")]).await.unwrap();
    let addr = f.emulator.addr();
    f.emulator.shutdown().await;
    let err = t.row("r").await.unwrap_err();
    assert!(
        matches!(err.last_attempt(), Error::Transport { .. }),
        "{err:?}"
    );
    // A new gateway on the same port: the same connection reaches it.
    let Ok(emulator) = hbase_orm_tests::builder(Combo::DEFAULT)
        .bind(addr)
        .start()
        .await
    else {
        return; // the port was taken meanwhile
    };
    let fresh = f.conn.table("t");
    let err = fresh.row("r").await.unwrap_err();
    assert!(matches!(err, Error::Server { .. }), "{err:?}");
    drop(emulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_call_hangs_while_the_gateway_drops_connections() {
    let f = Fixture::start(Combo::DEFAULT).await;
    let t = f.table("t").await;
    let mut tasks = Vec::new();
    for task in 0..16 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let mut retries = 0;
            for i in 0..40 {
                let key = format!("t{task}-{i}");
                loop {
                    // Puts of a value are idempotent: resending is safe.
                    let result = t.put(&key, [("cf:a", "v")]).await;
                    match result {
                        Ok(()) => break,
                        Err(e) if e.is_timeout() => panic!("a call hung: {e}"),
                        Err(e) if e.is_retryable() => retries += 1,
                        Err(e) => panic!("{e}"),
                    }
                }
                loop {
                    match t.row(&key).await {
                        Ok(row) => {
                            assert!(row.is_some(), "{key}");
                            break;
                        }
                        Err(e) if e.is_timeout() => panic!("a call hung: {e}"),
                        Err(e) if e.is_retryable() => retries += 1,
                        Err(e) => panic!("{e}"),
                    }
                }
            }
            retries
        }));
    }
    let mut kills = 0;
    while !tasks.iter().all(|t| t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(kills % 7 + 1)).await;
        f.emulator.disconnect_all();
        kills += 1;
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert!(kills > 0);
}

#[tokio::test]
async fn a_server_that_stops_reading_cannot_stall_the_connection() {
    // Accepts and holds sockets, never reads.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let conn = Connection::builder()
        .addr(addr)
        .timeout(Duration::from_millis(500))
        .build();
    let t = conn.table("t");
    let big = vec![7u8; 32 << 20];
    let err = t.put("r", [("cf:a", &big)]).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    for _ in 0..2 {
        let err = t.row("r").await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
    }
    server.abort();
}
