//! The blocking API against the emulator: a full round trip on every
//! transport × protocol combination, scans as iterators, batches, the pool
//! from several threads, sockets served between calls, and the panic inside
//! an async runtime.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use hbase_orm::blocking::{ColumnFamily, Connection, ConnectionPool};
use hbase_orm::{Error, Row};
use hbase_orm_tests::{Combo, Emulator, COMBOS};

const TIMEOUT: Duration = Duration::from_secs(20);
const INSIDE_RUNTIME: &str = "hbase_orm::blocking was called from an async task";

fn connect(emulator: &Emulator) -> Connection {
    Connection::builder()
        .addr(emulator.addr())
        .transport(emulator.transport())
        .protocol(emulator.protocol())
        .timeout(TIMEOUT)
        .connect()
        .unwrap_or_else(|e| panic!("connect to {}: {e}", emulator.addr()))
}

/// Waits until `cond` holds, for at most 10 s.
fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn value(row: &hbase_orm::Row, column: &str) -> Option<String> {
    row.get(column)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

fn round_trip(combo: Combo) {
    let emulator = hbase_orm_tests::start_blocking(combo);
    let conn = connect(&emulator);
    assert!(conn.is_open());

    // Admin.
    conn.create_table(
        "t",
        [
            ColumnFamily::new("cf").max_versions(5),
            ColumnFamily::new("other"),
        ],
    )
    .expect("create");
    let err = conn
        .create_table("t", [ColumnFamily::new("cf")])
        .expect_err("exists");
    assert!(
        matches!(err, Error::AlreadyExists { .. }),
        "{combo}: {err:?}"
    );
    assert_eq!(conn.tables().expect("tables"), ["t"]);
    assert!(conn.is_table_enabled("t").expect("enabled"));
    let table = conn.table("t");
    let families = table.families().expect("families");
    assert_eq!(
        families.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["cf", "other"]
    );
    assert_eq!(table.regions().expect("regions").len(), 1);

    // Put, row, rows, cells.
    table
        .put("r1", [("cf:a", "1"), ("cf:b", "2")])
        .timestamp(10)
        .run()
        .expect("put");
    table
        .put("r1", [("cf:a", "1b")])
        .timestamp(20)
        .run()
        .expect("put");
    table.put("r2", [("other:x", "y")]).run().expect("put");
    let row = table.row("r1").run().expect("row").expect("r1 exists");
    let view = table.row("r1").view().expect("view").expect("r1 exists");
    assert_eq!(view.to_row(), row, "{combo}");
    let views = table.rows(["r1", "none"]).views().expect("views");
    assert_eq!(views.len(), 1, "{combo}");
    assert_eq!(views[0].to_row(), row, "{combo}");
    assert_eq!(value(&row, "cf:a").as_deref(), Some("1b"), "{combo}");
    assert_eq!(value(&row, "cf:b").as_deref(), Some("2"));
    let old = table
        .row("r1")
        .columns(["cf:a"])
        .timestamp(20)
        .run()
        .expect("row")
        .expect("an older version");
    assert_eq!(value(&old, "cf:a").as_deref(), Some("1"));
    assert!(table.row("missing").run().expect("row").is_none());
    let rows = table.rows(["r1", "missing", "r2"]).run().expect("rows");
    assert_eq!(
        rows.iter().map(|r| &r.key[..]).collect::<Vec<_>>(),
        [&b"r1"[..], b"r2"]
    );
    let cells = table.cells("r1", "cf:a").versions(5).run().expect("cells");
    assert_eq!(
        cells.iter().map(|c| c.timestamp).collect::<Vec<_>>(),
        [20, 10]
    );

    // Scans are iterators.
    for i in 0..25 {
        table
            .put(format!("s{i:02}"), [("cf:n", i.to_string())])
            .run()
            .expect("put");
    }
    let keys: Vec<String> = table
        .scan()
        .row_prefix("s")
        .batch_size(4)
        .map(|r| String::from_utf8_lossy(&r.expect("scan").key).into_owned())
        .collect();
    assert_eq!(
        keys,
        (0..25).map(|i| format!("s{i:02}")).collect::<Vec<_>>()
    );
    let reversed: Vec<_> = table
        .scan()
        .row_start("s05")
        .row_stop("s01")
        .reverse(true)
        .collect::<hbase_orm::Result<_>>()
        .expect("scan");
    assert_eq!(reversed.len(), 4, "{combo}");
    assert_eq!(table.scan().row_prefix("s").limit(3).count(), 3);
    // Breaking out of a loop closes the server-side scanner.
    for row in table.scan().row_prefix("s").batch_size(2) {
        if row.expect("scan").key.ends_with(b"03") {
            assert_eq!(
                emulator.open_scanners(),
                1,
                "{combo}: the scan is under way"
            );
            break;
        }
    }
    eventually("the scanner is closed", || emulator.open_scanners() == 0);
    // Read as row views: the same rows.
    let views: Vec<Row> = table
        .scan()
        .row_prefix("s")
        .batch_size(4)
        .views()
        .map(|v| v.expect("views").to_row())
        .collect();
    let rows: Vec<Row> = table
        .scan()
        .row_prefix("s")
        .collect::<hbase_orm::Result<_>>()
        .expect("scan");
    assert_eq!(views, rows, "{combo}");
    assert_eq!(views.len(), 25, "{combo}");
    for view in table.scan().row_prefix("s").batch_size(2).views() {
        if view.expect("views").key().ends_with(b"03") {
            assert_eq!(emulator.open_scanners(), 1, "{combo}: views under way");
            break;
        }
    }
    eventually("the views' scanner is closed", || {
        emulator.open_scanners() == 0
    });
    // (`filter` is the scan option, not `Iterator::filter`.)
    let mut bad = table.scan().filter("NoSuchFilter()");
    let err = bad.next().expect("an error").expect_err("bad filter");
    assert!(matches!(err, Error::Application { .. }), "{combo}: {err:?}");

    // Batches.
    let mut batch = table.batch();
    batch.put("b1", [("cf:a", "x")]).expect("buffer");
    batch.put("b2", [("cf:a", "y")]).expect("buffer");
    batch.delete_columns("r1", ["cf:b"]).expect("buffer");
    batch.counter_inc("c", "cf:n", 3).expect("buffer");
    assert_eq!(batch.len(), 4);
    batch.send().expect("send");
    assert!(batch.is_empty());
    assert!(table.row("b2").run().expect("row").is_some());
    let r1 = table.row("r1").run().expect("row").expect("r1");
    assert_eq!(value(&r1, "cf:b"), None);
    let failed = table.batch().transaction(|b| {
        b.put("never", [("cf:a", "1")])?;
        Err::<(), Error>(Error::InvalidInput("changed my mind".into()))
    });
    assert!(failed.is_err());
    assert!(table.row("never").run().expect("row").is_none());
    let n = table
        .batch()
        .batch_size(1)
        .transaction(|b| {
            b.put("tx1", [("cf:a", "1")])?;
            b.put("tx2", [("cf:a", "2")])?;
            Ok::<_, Error>(2)
        })
        .expect("transaction");
    assert_eq!(n, 2);
    assert_eq!(table.rows(["tx1", "tx2"]).run().expect("rows").len(), 2);
    let mut whole = table.batch();
    whole.delete("b1").expect("buffer");
    whole.send().expect("send");
    assert!(table.row("b1").run().expect("row").is_none());

    // Counters, append, check-and-put.
    assert_eq!(table.counter_get("c", "cf:n").expect("get"), 3);
    assert_eq!(table.counter_inc("c", "cf:n", 5).expect("inc"), 8);
    assert_eq!(table.counter_dec("c", "cf:n", 10).expect("dec"), -2);
    table.counter_set("c", "cf:n", 40).expect("set");
    assert_eq!(table.counter_get("c", "cf:n").expect("get"), 40);
    let appended = table.append("ap", [("cf:log", "a")]).expect("append");
    assert_eq!(&appended[0].value[..], b"a");
    let appended = table.append("ap", [("cf:log", "b")]).expect("append");
    assert_eq!(&appended[0].value[..], b"ab");
    assert!(table
        .check_and_put("job", "cf:state", "queued")
        .run()
        .expect("cas"));
    assert!(!table
        .check_and_put("job", "cf:state", "queued")
        .run()
        .expect("cas"));
    assert!(table
        .check_and_put("job", "cf:state", "running")
        .if_equals("queued")
        .run()
        .expect("cas"));

    // Deletes.
    table
        .delete("r1")
        .columns(["cf:a"])
        .timestamp(10)
        .run()
        .expect("delete");
    let cells = table.cells("r1", "cf:a").run().expect("cells");
    assert_eq!(cells.len(), 1, "{combo}: only the version at 20 is left");
    table.delete("r1").run().expect("delete");
    assert!(table.row("r1").run().expect("row").is_none());

    conn.delete_table("t", true).expect("delete table");
    assert!(conn.tables().expect("tables").is_empty());
    conn.close();
    assert!(!conn.is_open());
}

#[test]
fn a_full_round_trip_on_every_combination() {
    for combo in COMBOS {
        round_trip(combo);
    }
}

#[test]
fn the_socket_is_served_between_calls() {
    let emulator = hbase_orm_tests::start_blocking(Combo::DEFAULT);
    let conn = connect(&emulator);
    conn.create_table("t", [ColumnFamily::new("cf")])
        .expect("create");
    // The gateway drops the idle connection: the runtime's worker notices
    // while this thread does nothing, and the next call reopens.
    emulator.disconnect_all();
    eventually("the client sees the close", || !conn.is_open());
    assert_eq!(conn.tables().expect("reopened"), ["t"]);
    assert!(conn.is_open());
}

#[test]
fn a_pool_serves_many_threads() {
    let emulator = hbase_orm_tests::start_blocking(Combo::DEFAULT);
    connect(&emulator)
        .create_table("p", [ColumnFamily::new("cf")])
        .expect("create");
    let pool = ConnectionPool::builder()
        .addr(emulator.addr())
        .timeout(TIMEOUT)
        .size(4)
        .build();
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                for i in 0..10 {
                    let conn = pool.get().expect("a connection");
                    conn.table("p")
                        .put(format!("t{t:02}-{i}"), [("cf:v", format!("{t}"))])
                        .run()
                        .expect("put");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("writer thread");
    }
    assert_eq!(pool.connections_in_use(), 0);
    assert!(pool.idle_connections() <= 4);
    let count = pool
        .run(|conn| Ok(conn.table("p").scan().count()))
        .expect("count");
    assert_eq!(count, 160);

    // The acquire timeout gives the pool's clear error here too.
    let small = ConnectionPool::builder()
        .addr(emulator.addr())
        .size(1)
        .acquire_timeout(Duration::from_millis(50))
        .build();
    let held = small.get().expect("first");
    let err = small.get().expect_err("exhausted");
    assert!(
        matches!(err, Error::NoConnectionsAvailable { .. }),
        "{err:?}"
    );
    drop(held);
    assert!(small.get().is_ok());
}

#[tokio::test]
#[should_panic(expected = "hbase_orm::blocking was called from an async task")]
async fn building_a_blocking_connection_inside_a_runtime_panics() {
    let _ = Connection::builder().build();
}

/// A named call of the blocking API.
type Attempt<'a> = (&'static str, Box<dyn Fn() + 'a>);

#[test]
fn calls_inside_a_runtime_panic_with_a_clear_message() {
    let emulator = hbase_orm_tests::start_blocking(Combo::DEFAULT);
    let conn = connect(&emulator);
    let table = conn.table("t");
    let pool = ConnectionPool::builder().addr(emulator.addr()).build();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let message = |payload: Box<dyn std::any::Any + Send>| -> String {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    };
    let attempts: [Attempt<'_>; 4] = [
        ("tables", Box::new(|| drop(conn.tables()))),
        ("row", Box::new(|| drop(table.row("k").run()))),
        ("scan", Box::new(|| drop(table.scan().next()))),
        ("pool", Box::new(|| drop(pool.get()))),
    ];
    for (what, attempt) in &attempts {
        let panicked =
            catch_unwind(AssertUnwindSafe(|| rt.block_on(async { attempt() }))).expect_err(what);
        let text = message(panicked);
        assert!(text.starts_with(INSIDE_RUNTIME), "{what}: {text}");
        assert!(text.contains("use the async API"), "{what}: {text}");
    }
    // Outside the runtime, the same connection still works.
    drop(rt);
    assert!(conn.tables().expect("tables").is_empty());
}

/// One round of the blocking API: a connection built here, admin, a put, a
/// read, a scan and a pool checkout, all against `addr`.
fn blocking_round(addr: std::net::SocketAddr, table: &str) {
    let conn = Connection::builder()
        .addr(addr)
        .timeout(TIMEOUT)
        .connect()
        .expect("connect");
    conn.create_table(table, [ColumnFamily::new("cf")])
        .expect("create");
    let t = conn.table(table);
    t.put("k", [("cf:a", "1")]).run().expect("put");
    let row = t.row("k").run().expect("row").expect("written");
    assert_eq!(value(&row, "cf:a").as_deref(), Some("1"));
    assert_eq!(t.scan().count(), 1);
    let pool = ConnectionPool::builder().addr(addr).build();
    assert!(pool
        .get()
        .expect("pool")
        .tables()
        .expect("tables")
        .contains(&table.to_string()));
    // Dropped here, on the same thread: allowed wherever blocking is.
    drop((pool, t, conn));
}

#[test]
fn blocking_works_on_spawn_blocking_threads_and_plain_threads() {
    let emulator = hbase_orm_tests::start_blocking(Combo::DEFAULT);
    let addr = emulator.addr();

    // A plain thread.
    std::thread::spawn(move || blocking_round(addr, "plain"))
        .join()
        .expect("plain thread");

    // `spawn_blocking` of a multi-thread and of a current-thread runtime:
    // a runtime context is present there, yet blocking is allowed.
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    multi
        .block_on(multi.spawn_blocking(move || {
            assert!(tokio::runtime::Handle::try_current().is_ok());
            blocking_round(addr, "multi")
        }))
        .expect("spawn_blocking on a multi-thread runtime");
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    current
        .block_on(current.spawn_blocking(move || blocking_round(addr, "current")))
        .expect("spawn_blocking on a current-thread runtime");

    // `block_in_place` on a worker of a multi-thread runtime, and a thread
    // that only entered a runtime's context.
    multi
        .block_on(
            multi.spawn(
                async move { tokio::task::block_in_place(|| blocking_round(addr, "in_place")) },
            ),
        )
        .expect("block_in_place");
    let handle = multi.handle().clone();
    std::thread::spawn(move || {
        let _entered = handle.enter();
        blocking_round(addr, "entered")
    })
    .join()
    .expect("entered thread");

    // A blocking connection made on a plain thread, used from a
    // `spawn_blocking` thread, then from the plain thread again.
    let conn = connect(&emulator);
    let moved = conn.clone();
    current
        .block_on(current.spawn_blocking(move || moved.tables()))
        .expect("join")
        .expect("tables");
    assert_eq!(conn.tables().expect("tables").len(), 5);
}

#[test]
fn calls_from_a_multi_thread_worker_task_panic_with_a_clear_message() {
    let emulator = hbase_orm_tests::start_blocking(Combo::DEFAULT);
    let conn = connect(&emulator);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let inner = conn.clone();
    let joined = rt.block_on(rt.spawn(async move { inner.tables() }));
    let panic = joined.expect_err("refused").into_panic();
    let text = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(text.starts_with(INSIDE_RUNTIME), "{text}");
    assert!(text.contains("spawn_blocking"), "{text}");
    // The runtime keeps working, and so does the connection.
    assert_eq!(rt.block_on(async { 1 + 1 }), 2);
    drop(rt);
    assert!(conn.tables().expect("tables").is_empty());
}

/// A small model for the blocking `Repo`.
#[derive(Debug, Clone, PartialEq, hbase_orm::HRow)]
#[hbase(table = "people", family = "cf")]
struct Person {
    #[hbase(row_key)]
    team: String,
    #[hbase(row_key)]
    id: u32,
    name: String,
    #[hbase(counter)]
    visits: i64,
}

fn person(team: &str, id: u32, name: &str) -> Person {
    Person {
        team: team.into(),
        id,
        name: name.into(),
        visits: 0,
    }
}

#[test]
fn a_typed_repo_round_trip() {
    use hbase_orm::blocking::Repo;

    let emulator = hbase_orm_tests::start_blocking(Combo::DEFAULT);
    let conn = connect(&emulator);
    let people = Repo::<Person>::new(&conn);
    people.create_table().expect("create");
    people.put(&person("red", 1, "Ann")).expect("put");
    people
        .put_many(&[person("red", 2, "Bob"), person("blue", 1, "Cy")])
        .expect("put_many");

    assert_eq!(
        people.get(&("red", 1u32)).expect("get"),
        Some(person("red", 1, "Ann"))
    );
    assert!(people.exists(&("blue", 1u32)).expect("exists"));
    assert!(!people.exists(&("blue", 2u32)).expect("exists"));
    let many = people
        .get_many([("red", 2u32), ("green", 1u32)])
        .expect("get_many");
    assert_eq!(many, [Some(person("red", 2, "Bob")), None]);
    // Borrowed keys, and a key given twice.
    let keys: Vec<(String, u32)> = vec![("red".into(), 1), ("blue".into(), 9), ("red".into(), 1)];
    let many = people.get_many(keys.iter()).expect("get_many by reference");
    let ann = Some(person("red", 1, "Ann"));
    assert_eq!(many, [ann.clone(), None, ann]);
    let prefix = ("blue",);
    assert_eq!(people.scan().prefix(&&prefix).count(), 1);

    people
        .update(&("red", 2u32), [Person::fields().name().set("Rob")])
        .expect("update");
    assert_eq!(
        people
            .increment(&("red", 2u32), Person::fields().visits(), 3)
            .expect("increment"),
        3
    );
    let name = people
        .append(&("red", 2u32), Person::fields().name(), "ert")
        .expect("append");
    assert_eq!(name, "Robert");

    let red: Vec<Person> = people
        .scan()
        .prefix(&("red",))
        .collect::<hbase_orm::Result<_>>()
        .expect("scan");
    assert_eq!(
        red.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Ann", "Robert"]
    );
    let robert: Vec<Person> = people
        .scan()
        .filter(Person::fields().name().eq("Robert"))
        .collect::<hbase_orm::Result<_>>()
        .expect("scan");
    assert_eq!(robert.len(), 1);
    assert_eq!(robert[0].visits, 3);

    people.delete(&("red", 1u32)).expect("delete");
    assert_eq!(people.get(&("red", 1u32)).expect("get"), None);
    assert_eq!(people.scan().count(), 2);
}
