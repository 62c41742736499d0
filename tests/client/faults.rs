//! The retry policy under injected faults: a [`FaultProxy`] between the
//! client and the emulator delays, drops, cuts, refuses and stalls, and the
//! data must come out exact, every failure a typed error within its
//! deadline.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use hbase_orm::{ColumnFamily, Connection, Error, RetryPolicy, Row, Table};
use hbase_orm_tests::fault_proxy::{FaultProxy, Faults};
use hbase_orm_tests::{Combo, Emulator, COMBOS};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Per-attempt timeout under faults.
const ATTEMPT: Duration = Duration::from_millis(700);
/// Deadline of every call under faults.
const DEADLINE: Duration = Duration::from_secs(3);
/// What a call may exceed its deadline by (scheduling on a loaded machine):
/// a correctness bound, not a performance one.
const SLACK: Duration = Duration::from_secs(2);

/// A connection through `proxy`, with short timeouts and quick retries.
fn through(proxy: &FaultProxy, combo: Combo, policy: RetryPolicy) -> Connection {
    Connection::builder()
        .addr(proxy.addr())
        .transport(combo.transport)
        .protocol(combo.protocol)
        .timeout(ATTEMPT)
        .retry_policy(
            policy
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(200)),
        )
        .deadline(DEADLINE)
        .build()
}

/// A connection straight to the emulator, for setting up and checking.
fn direct(emulator: &Emulator, combo: Combo) -> Connection {
    Connection::builder()
        .addr(emulator.addr())
        .transport(combo.transport)
        .protocol(combo.protocol)
        .timeout(Duration::from_secs(15))
        .build()
}

async fn create(conn: &Connection, name: &str) -> Table {
    conn.create_table(name, [ColumnFamily::new("cf")])
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e}"));
    conn.table(name)
}

fn key(id: u32) -> String {
    format!("row{id:05}")
}

/// Asserts `err` is a failure the faults explain (connection, timeout,
/// retries exhausted), with no panic on the way, and that the call kept its
/// deadline.
fn check_failure(what: &str, err: &Error, elapsed: Duration) {
    assert!(
        elapsed <= DEADLINE + SLACK,
        "{what} took {elapsed:?}, past its deadline of {DEADLINE:?}: {err}"
    );
    match err.last_attempt() {
        Error::Transport { .. } | Error::Timeout { .. } => {}
        other => panic!("{what}: unexpected failure under faults: {other:?}"),
    }
}

fn check_elapsed(what: &str, elapsed: Duration) {
    assert!(
        elapsed <= DEADLINE + SLACK,
        "{what} took {elapsed:?}, past its deadline of {DEADLINE:?}"
    );
}

/// Figures of a faulty workload, printed for the record.
#[derive(Debug, Default)]
struct Tally {
    ops: u64,
    failed: u64,
    exhausted: u64,
    scans: u64,
    scanned_rows: u64,
}

/// Puts, batches and scans from several tasks through a proxy that delays,
/// drops connections mid-message, cuts them all, and refuses connects for a
/// while: every acknowledged row is there, no row is there that was never
/// written, none is duplicated, and no call outlives its deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulty_workload_keeps_exactly_the_expected_data() {
    // Mild faults with patient retries; then harsh ones with few attempts,
    // where some calls fail and must still leave the data exact.
    faulty_workload(11, COMBOS[0], 0.03, 8).await;
    faulty_workload(23, COMBOS[3], 0.03, 8).await;
    faulty_workload(37, COMBOS[0], 0.25, 2).await;
}

async fn faulty_workload(seed: u64, combo: Combo, drop_chance: f64, attempts: u32) {
    let emulator = hbase_orm_tests::start(combo).await;
    let setup = direct(&emulator, combo);
    create(&setup, "w").await;
    let proxy = Arc::new(FaultProxy::start(emulator.addr(), seed).await);
    proxy.set_faults(Faults {
        max_delay: Duration::from_millis(3),
        drop_chance,
        ..Faults::default()
    });
    let conn = through(&proxy, combo, RetryPolicy::new().max_attempts(attempts));

    const TASKS: u32 = 4;
    const OPS: u32 = 40;
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let table = conn.table("w");
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed * 100 + u64::from(task));
            // Rows written and acknowledged; rows written whatever the answer.
            let mut acked = BTreeSet::new();
            let mut tried = BTreeSet::new();
            let mut tally = Tally::default();
            for op in 0..OPS {
                let base = (task * OPS + op) * 10;
                let started = Instant::now();
                tally.ops += 1;
                if rng.gen_bool(0.5) {
                    let id = base;
                    tried.insert(id);
                    let result = table.put(key(id), [("cf:v", id.to_string())]).await;
                    match result {
                        Ok(()) => {
                            check_elapsed("put", started.elapsed());
                            acked.insert(id);
                        }
                        Err(e) => {
                            tally.failed += 1;
                            tally.exhausted +=
                                u64::from(matches!(e, Error::RetriesExhausted { .. }));
                            check_failure("put", &e, started.elapsed());
                        }
                    }
                } else {
                    let n = rng.gen_range(2..10);
                    let ids: Vec<u32> = (base..base + n).collect();
                    tried.extend(ids.iter().copied());
                    let mut batch = table.batch();
                    let mut result = Ok(());
                    for id in &ids {
                        result = batch.put(key(*id), [("cf:v", id.to_string())]).await;
                        if result.is_err() {
                            break;
                        }
                    }
                    if result.is_ok() {
                        result = batch.send().await;
                    }
                    match result {
                        Ok(()) => {
                            check_elapsed("batch", started.elapsed());
                            acked.extend(ids);
                        }
                        Err(e) => {
                            tally.failed += 1;
                            tally.exhausted +=
                                u64::from(matches!(e, Error::RetriesExhausted { .. }));
                            check_failure("batch", &e, started.elapsed());
                        }
                    }
                }
            }
            (acked, tried, tally)
        }));
    }

    // Meanwhile: scans through the faults, a cut of every connection, and a
    // spell of refused connects.
    let scanner = {
        let table = conn.table("w");
        let proxy = Arc::clone(&proxy);
        tokio::spawn(async move {
            let mut tally = Tally::default();
            for round in 0..6 {
                if round == 2 {
                    proxy.cut_all();
                }
                if round == 4 {
                    // Connections are cut and new ones refused for a while.
                    proxy.update(|f| f.refuse = true);
                    proxy.cut_all();
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    proxy.update(|f| f.refuse = false);
                }
                let mut scan = table.scan().batch_size(25);
                let mut keys = Vec::new();
                let mut failed = None;
                loop {
                    let started = Instant::now();
                    let item = scan.try_next().await;
                    check_elapsed("a scan's next row", started.elapsed());
                    match item {
                        Ok(Some(row)) => keys.push(row_id(&row)),
                        Ok(None) => break,
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                tally.scans += 1;
                tally.scanned_rows += keys.len() as u64;
                // Whatever the scan saw is in order, without repeats.
                assert!(
                    keys.windows(2).all(|w| w[0] < w[1]),
                    "a scan repeated or reordered rows"
                );
                if let Some(e) = failed {
                    tally.failed += 1;
                    match e.last_attempt() {
                        Error::Transport { .. } | Error::Timeout { .. } => {}
                        other => panic!("scan: unexpected failure under faults: {other:?}"),
                    }
                }
            }
            tally
        })
    };

    let mut acked = BTreeSet::new();
    let mut tried = BTreeSet::new();
    let mut total = Tally::default();
    for task in tasks {
        let (a, t, tally) = task.await.expect("a workload task panicked");
        acked.extend(a);
        tried.extend(t);
        total.ops += tally.ops;
        total.failed += tally.failed;
        total.exhausted += tally.exhausted;
    }
    let scans = scanner.await.expect("the scanning task panicked");
    proxy.clear();

    // The end state, read straight from the emulator.
    let rows: Vec<Row> = setup.table("w").scan().try_collect().await.unwrap();
    let ids: Vec<u32> = rows.iter().map(row_id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "rows repeated");
    let found: BTreeSet<u32> = ids.iter().copied().collect();
    let lost: Vec<_> = acked.difference(&found).collect();
    assert!(lost.is_empty(), "{combo}: acknowledged rows lost: {lost:?}");
    let unknown: Vec<_> = found.difference(&tried).collect();
    assert!(
        unknown.is_empty(),
        "{combo}: rows never written: {unknown:?}"
    );
    for row in &rows {
        assert_eq!(
            row.get("cf:v").map(|v| v.to_vec()),
            Some(row_id(row).to_string().into_bytes()),
            "{combo}: a row's value does not match its key"
        );
        assert_eq!(row.cells.len(), 1);
    }
    // The same through the proxy, now quiet: the scan equals the set.
    let again: Vec<u32> = conn
        .table("w")
        .scan()
        .batch_size(7)
        .map_ok(|r| row_id(&r))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(again, ids, "{combo}");
    let stats = proxy.stats();
    assert!(
        stats.cut > 0,
        "{combo}: the proxy cut no connection: {stats:?}"
    );
    println!(
        "{combo}, drop chance {drop_chance}, {attempts} attempts: {} ops ({} failed, {} after retries), {} rows acknowledged of {} tried, \
         {} rows at the end; {} scans ({} rows, {} failed); proxy: {stats:?}",
        total.ops,
        total.failed,
        total.exhausted,
        acked.len(),
        tried.len(),
        found.len(),
        scans.scans,
        scans.scanned_rows,
        scans.failed,
    );
}

fn row_id(row: &Row) -> u32 {
    std::str::from_utf8(&row.key)
        .ok()
        .and_then(|k| k.strip_prefix("row"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected key {:?}", row.key))
}

/// Rows `row00000..` with `cells` cells each, `cf:c00..`.
async fn fill(table: &Table, rows: u32, cells: u32) -> Vec<(String, Vec<String>)> {
    let mut expected = Vec::new();
    let mut batch = table.batch();
    for id in 0..rows {
        let columns: Vec<String> = (0..cells).map(|c| format!("cf:c{c:02}")).collect();
        let data: Vec<(String, String)> = columns
            .iter()
            .map(|c| (c.clone(), format!("{id}/{c}")))
            .collect();
        batch.put(key(id), data).await.unwrap();
        expected.push((key(id), columns));
    }
    batch.send().await.unwrap();
    expected
}

/// Reads `scan` to the end, cutting every connection of the proxy after
/// each `cut_every` results; returns the results as (key, columns).
async fn read_with_cuts(
    scan: hbase_orm::Scan,
    proxy: &FaultProxy,
    cut_every: usize,
) -> Vec<(String, Vec<String>)> {
    read_cutting(scan, proxy, cut_every, |row| {
        let columns = row.cells.keys().map(|c| lossy(c)).collect();
        (lossy(&row.key), columns)
    })
    .await
}

/// As [`read_with_cuts`], the scan read as row views.
async fn read_views_with_cuts(
    scan: hbase_orm::Scan,
    proxy: &FaultProxy,
    cut_every: usize,
) -> Vec<(String, Vec<String>)> {
    read_cutting(scan.views(), proxy, cut_every, |row| {
        let columns = row.cells().map(|c| lossy(c.column)).collect();
        (lossy(row.key()), columns)
    })
    .await
}

/// Reads `results` to the end, cutting every connection of the proxy after
/// each `cut_every` of them; each result as `describe` gives it.
async fn read_cutting<T>(
    mut results: impl futures::Stream<Item = hbase_orm::Result<T>> + Unpin,
    proxy: &FaultProxy,
    cut_every: usize,
    describe: impl Fn(&T) -> (String, Vec<String>),
) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut n = 0;
    while let Some(result) = results.try_next().await.expect("the scan resumes") {
        n += 1;
        if n % cut_every == 0 {
            proxy.cut_all();
        }
        out.push(describe(&result));
    }
    out
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Merges results with the same key (pieces of a row under scan_batching),
/// failing on a cell seen twice.
fn merge(results: Vec<(String, Vec<String>)>) -> Vec<(String, Vec<String>)> {
    let mut merged: Vec<(String, Vec<String>)> = Vec::new();
    for (key, columns) in results {
        match merged.last_mut() {
            Some((last, cells)) if *last == key => {
                for c in columns {
                    assert!(
                        cells.last().is_some_and(|l| *l < c),
                        "cell {key}/{c} repeated or out of order"
                    );
                    cells.push(c);
                }
            }
            _ => merged.push((key, columns)),
        }
    }
    merged
}

/// A scan whose connection is cut again and again resumes just after the
/// last row it returned: forward, reverse, with a prefix, with a limit, and
/// with scan_batching splitting rows into pieces.
#[tokio::test]
async fn scans_resume_after_their_connection_is_cut() {
    for combo in [COMBOS[0], COMBOS[3]] {
        let emulator = hbase_orm_tests::start(combo).await;
        let setup = direct(&emulator, combo);
        let table = create(&setup, "s").await;
        let expected = fill(&table, 120, 5).await;
        let proxy = FaultProxy::start(emulator.addr(), 5).await;
        let conn = through(&proxy, combo, RetryPolicy::new());
        let t = conn.table("s");

        let forward = read_with_cuts(t.scan().batch_size(7), &proxy, 11).await;
        assert_eq!(forward, expected, "{combo}: forward");

        let reverse = read_with_cuts(t.scan().reverse(true).batch_size(6), &proxy, 13).await;
        let mut rev_expected = expected.clone();
        rev_expected.reverse();
        assert_eq!(reverse, rev_expected, "{combo}: reverse");

        let prefixed = read_with_cuts(t.scan().row_prefix("row000").batch_size(3), &proxy, 4).await;
        assert_eq!(prefixed, expected[..100], "{combo}: prefix");

        let limited = read_with_cuts(t.scan().limit(50).batch_size(8), &proxy, 9).await;
        assert_eq!(limited, expected[..50], "{combo}: limit");

        // Pieces of 2 cells: a cut lands in the middle of rows.
        let pieces = read_with_cuts(t.scan().scan_batching(2).batch_size(5), &proxy, 7).await;
        assert!(
            pieces.len() > expected.len(),
            "{combo}: rows came in pieces"
        );
        assert_eq!(merge(pieces), expected, "{combo}: scan_batching");

        let rev_pieces = read_with_cuts(
            t.scan().reverse(true).scan_batching(3).batch_size(4),
            &proxy,
            5,
        )
        .await;
        assert_eq!(
            merge(rev_pieces),
            rev_expected,
            "{combo}: reverse scan_batching"
        );

        // Read as row views: the same resumption.
        let views = read_views_with_cuts(t.scan().batch_size(7), &proxy, 11).await;
        assert_eq!(views, expected, "{combo}: views forward");
        let view_pieces =
            read_views_with_cuts(t.scan().scan_batching(2).batch_size(5), &proxy, 7).await;
        assert!(
            view_pieces.len() > expected.len(),
            "{combo}: views in pieces"
        );
        assert_eq!(merge(view_pieces), expected, "{combo}: views scan_batching");
        let rev_view_pieces = read_views_with_cuts(
            t.scan().reverse(true).scan_batching(3).batch_size(4),
            &proxy,
            5,
        )
        .await;
        assert_eq!(
            merge(rev_view_pieces),
            rev_expected,
            "{combo}: views reverse scan_batching"
        );

        let stats = proxy.stats();
        assert!(stats.cut_by_hand > 20, "{combo}: {stats:?}");
        println!("{combo}: scans resumed across {stats:?}");
        drop(proxy);
        // Scanners left behind by cut connections are closed or expire; the
        // ones the client still knew of were closed.
    }
}

/// A scan whose scanner the gateway forgot (expired, or a gateway restart)
/// reopens it after the last row returned: the `IllegalArgument` "scanner ID
/// is invalid" is not the scan's end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_resume_after_their_scanner_expires() {
    use hbase_orm_tests::hbase::THbaseSyncClient;
    let combo = COMBOS[0];
    let emulator = hbase_orm_tests::start(combo).await;
    let conn = direct(&emulator, combo);
    let table = create(&conn, "x").await;
    let expected = fill(&table, 60, 1).await;
    for reverse in [false, true] {
        let mut scan = table.scan().reverse(reverse).batch_size(10);
        let mut seen = Vec::new();
        while let Some(row) = scan.try_next().await.expect("the scan resumes") {
            seen.push(String::from_utf8_lossy(&row.key).into_owned());
            if seen.len() == 15 {
                // The gateway forgets every scanner, as after a restart.
                let addr = emulator.addr();
                let closed = tokio::task::spawn_blocking(move || {
                    let mut raw = hbase_orm_tests::client(addr, combo);
                    (1..=64).filter(|id| raw.scanner_close(*id).is_ok()).count()
                })
                .await
                .unwrap();
                assert!(closed > 0, "the scan's scanner was open");
                assert_eq!(emulator.open_scanners(), 0);
            }
        }
        let mut want: Vec<String> = expected.iter().map(|(k, _)| k.clone()).collect();
        if reverse {
            want.reverse();
        }
        assert_eq!(seen, want, "reverse: {reverse}");
    }
}

/// Without opt-in, a counter increment whose reply is lost is reported as
/// a failure and not sent again: the counter moved once. With opt-in, it is
/// sent again (and counts twice, which is why it is opt-in).
#[tokio::test]
async fn increments_are_retried_only_on_opt_in() {
    let combo = COMBOS[0];
    let emulator = hbase_orm_tests::start(combo).await;
    let setup = direct(&emulator, combo);
    create(&setup, "c").await;
    let proxy = FaultProxy::start(emulator.addr(), 3).await;
    let conn = through(&proxy, combo, RetryPolicy::new());
    let t = conn.table("c");
    assert_eq!(t.counter_inc("k", "cf:n", 1).await.unwrap(), 1);

    // The reply to the next increment is cut mid-message.
    proxy.update(|f| f.cut_replies = 1);
    let err = t.counter_inc("k", "cf:n", 1).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { .. }),
        "one attempt, a transport error: {err:?}"
    );
    assert_eq!(setup.table("c").counter_get("k", "cf:n").await.unwrap(), 2);

    // A request cut before the gateway saw all of it: not applied, and not
    // retried either (the client cannot tell the two cuts apart).
    proxy.update(|f| f.cut_requests = 1);
    assert!(t.counter_inc("k", "cf:n", 1).await.is_err());
    assert_eq!(setup.table("c").counter_get("k", "cf:n").await.unwrap(), 2);

    // append and check_and_put are not retried either.
    proxy.update(|f| f.cut_replies = 1);
    assert!(matches!(
        t.append("k", [("cf:s", "x")]).await,
        Err(Error::Transport { .. })
    ));
    proxy.update(|f| f.cut_replies = 1);
    assert!(matches!(
        t.check_and_put("k2", "cf:s", "y").await,
        Err(Error::Transport { .. })
    ));

    // Opted in: the increment is sent again on a new connection.
    let lenient = conn
        .with_retry_policy(conn.retry_policy().retry_non_idempotent(true))
        .table("c");
    proxy.update(|f| f.cut_replies = 1);
    let n = lenient.counter_inc("k", "cf:n", 1).await.unwrap();
    assert_eq!(n, 4, "applied twice: once before the cut, once retried");
    assert_eq!(setup.table("c").counter_get("k", "cf:n").await.unwrap(), 4);

    // Puts are retried without opt-in: the cut is invisible.
    proxy.update(|f| f.cut_replies = 1);
    t.put("p", [("cf:v", "1")]).await.unwrap();
    assert!(proxy.faults().cut_replies == 0 && proxy.stats().cut >= 5);
}

/// A server error flagged can_retry=false is returned at once; one flagged
/// can_retry=true is retried (here on an opted-in admin write, the only kind
/// of call the emulator fails that way).
#[tokio::test]
async fn server_errors_are_retried_only_when_flagged() {
    let combo = COMBOS[0];
    let emulator = hbase_orm_tests::start(combo).await;
    let proxy = FaultProxy::start(emulator.addr(), 4).await;
    let conn = through(&proxy, combo, RetryPolicy::new().max_attempts(3));

    // TableNotFoundException: can_retry = false.
    let err = conn.table("missing").row("r").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Server {
                can_retry: false,
                ..
            }
        ),
        "returned at the first attempt: {err:?}"
    );
    assert!(!err.is_retryable());

    // Deleting a missing table: an IOError with can_retry = true, but a
    // non-idempotent call: once.
    let err = conn.delete_table("missing", false).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Server {
                can_retry: true,
                ..
            }
        ),
        "{err:?}"
    );

    // Opted in: retried until the attempts run out.
    let lenient = conn.with_retry_policy(conn.retry_policy().retry_non_idempotent(true));
    let err = lenient.delete_table("missing", false).await.unwrap_err();
    match &err {
        Error::RetriesExhausted { attempts, last, .. } => {
            assert_eq!(*attempts, 3);
            assert!(matches!(
                **last,
                Error::Server {
                    can_retry: true,
                    ..
                }
            ));
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert!(err.to_string().contains("after 3 attempts"), "{err}");

    // Refused connects for a while: reads wait them out within the deadline.
    create(&direct(&emulator, combo), "t").await;
    proxy.cut_all();
    proxy.update(|f| f.refuse = true);
    let patient = through(&proxy, combo, RetryPolicy::new().max_attempts(30));
    let t = patient.table("t");
    let read = tokio::spawn(async move {
        let started = Instant::now();
        (t.row("r").await, started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    proxy.update(|f| f.refuse = false);
    let (result, elapsed) = read.await.unwrap();
    assert!(result.unwrap().is_none());
    check_elapsed("a read across refused connects", elapsed);
    assert!(proxy.stats().refused > 0, "{:?}", proxy.stats());
}

/// A gateway that stops answering (bytes held) fails calls with a timeout
/// by their deadline, after retrying; no call hangs.
#[tokio::test]
async fn a_stalled_gateway_fails_calls_by_their_deadline() {
    let combo = COMBOS[0];
    let emulator = hbase_orm_tests::start(combo).await;
    create(&direct(&emulator, combo), "t").await;
    let proxy = FaultProxy::start(emulator.addr(), 9).await;
    let conn = through(&proxy, combo, RetryPolicy::new().max_attempts(10));
    let t = conn.table("t");
    t.put("r", [("cf:v", "1")]).await.unwrap();

    proxy.update(|f| f.stall = true);
    let started = Instant::now();
    let err = t.row("r").await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        matches!(err, Error::RetriesExhausted { attempts, .. } if attempts >= 2),
        "retried before giving up: {err:?}"
    );
    assert!(elapsed <= DEADLINE + SLACK, "took {elapsed:?}");

    // A scan stalls the same way, and also ends by its deadline.
    let started = Instant::now();
    let scanned: hbase_orm::Result<Vec<Row>> = t.scan().try_collect().await;
    assert!(scanned.unwrap_err().is_timeout());
    assert!(started.elapsed() <= DEADLINE + SLACK);

    // Non-idempotent calls are bounded too (one attempt, its timeout).
    let started = Instant::now();
    assert!(t
        .counter_inc("c", "cf:n", 1)
        .await
        .unwrap_err()
        .is_timeout());
    assert!(started.elapsed() <= ATTEMPT + SLACK);

    proxy.update(|f| f.stall = false);
    assert!(t.row("r").await.unwrap().is_some());
}

/// 64 tasks increment one counter 1000 times each over one pipelined
/// connection: exactly 64000.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_increments_count_exactly() {
    let combo = COMBOS[0];
    let emulator = hbase_orm_tests::start(combo).await;
    let conn = direct(&emulator, combo);
    let table = create(&conn, "n").await;
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let table = table.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..1000 {
                table.counter_inc("hits", "cf:n", 1).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(table.counter_get("hits", "cf:n").await.unwrap(), 64_000);
}
