//! The limits that keep one hostile or leaky client from starving the
//! others, over real sockets: scanner caps, the filter memory budget,
//! connection cap, idle connections, reply size.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use hbase_orm_tests::hbase::{
    BatchMutation, HbaseMutateRowsArgs, IOError, Mutation, THbaseSyncClient, TScan,
};
use hbase_orm_tests::thrift::{ApplicationErrorKind, Error as ThriftError};
use hbase_orm_tests::{
    builder, call_bytes, client, family, get_table_names_call, Closed, Combo, RawConn, SyncClient,
};

fn with_table(c: &mut SyncClient) {
    c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
}

fn open(c: &mut SyncClient) -> Result<i32, ThriftError> {
    c.scanner_open(b"t".to_vec(), Vec::new(), Vec::new(), BTreeMap::new())
}

fn open_filtered(c: &mut SyncClient, filter: &str) -> Result<i32, ThriftError> {
    let scan = TScan {
        filter_string: Some(filter.as_bytes().to_vec()),
        ..TScan::default()
    };
    c.scanner_open_with_scan(b"t".to_vec(), scan, BTreeMap::new())
}

/// The message of an `IOError`.
fn io_message(e: ThriftError) -> String {
    match e {
        ThriftError::User(e) => e
            .downcast_ref::<IOError>()
            .and_then(|e| e.message.clone())
            .expect("an IOError with a message"),
        other => panic!("expected an IOError, got {other:?}"),
    }
}

/// The message of a `TApplicationException(INTERNAL_ERROR)`.
fn internal_message(e: ThriftError) -> String {
    match e {
        ThriftError::Application(e) if e.kind == ApplicationErrorKind::InternalError => e.message,
        other => panic!("expected an internal error, got {other:?}"),
    }
}

/// A filter of `n` short regular expressions ORed together.
fn regex_flood(n: usize) -> String {
    (0..n)
        .map(|i| format!("RowFilter(=, 'regexstring:r{i}[a-z]+x')"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

#[test]
fn a_connection_leaking_scanners_is_capped_and_others_are_served() {
    let emulator = builder(Combo::DEFAULT)
        .max_scanners_per_connection(40)
        .max_scanners(100)
        .start_blocking()
        .unwrap();
    let mut leaky = client(emulator.addr(), Combo::DEFAULT);
    with_table(&mut leaky);
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(open(&mut leaky).expect("within the per-connection cap"));
    }
    let msg = io_message(open(&mut leaky).expect_err("past the per-connection cap"));
    assert!(msg.contains("--max-scanners-per-connection"), "{msg}");
    assert!(msg.contains("40"), "{msg}");
    // The leaky connection is still served, and its open scanners work.
    assert!(leaky.scanner_get(ids[0]).unwrap().is_empty());

    // Other connections fill the server up to the total cap.
    let mut others: Vec<SyncClient> = (0..2)
        .map(|_| client(emulator.addr(), Combo::DEFAULT))
        .collect();
    for _ in 0..30 {
        for c in &mut others {
            open(c).expect("within the total cap");
        }
    }
    assert_eq!(emulator.open_scanners(), 100);
    let mut fresh = client(emulator.addr(), Combo::DEFAULT);
    let msg = io_message(open(&mut fresh).expect_err("past the total cap"));
    assert!(msg.contains("--max-scanners"), "{msg}");
    assert!(msg.contains("100"), "{msg}");

    // Closing gives the room back, to that connection and to the server.
    leaky.scanner_close(ids.pop().unwrap()).unwrap();
    let id = open(&mut fresh).expect("room again");
    assert!(fresh.scanner_get_list(id, 10).unwrap().is_empty());
    let msg = io_message(open(&mut leaky).expect_err("the server is full again"));
    assert!(msg.contains("--max-scanners"), "{msg}");
}

#[test]
fn many_open_scanners_expire_and_leave_the_server_usable() {
    let emulator = builder(Combo::DEFAULT)
        .scanner_timeout(Duration::from_millis(100))
        .start_blocking()
        .unwrap();
    let mut leaky = client(emulator.addr(), Combo::DEFAULT);
    with_table(&mut leaky);
    leaky
        .mutate_row(
            b"t".to_vec(),
            b"r".to_vec(),
            vec![put("cf:a", b"1".to_vec())],
            BTreeMap::new(),
        )
        .unwrap();
    for _ in 0..900 {
        open(&mut leaky).unwrap();
    }
    let mut other = client(emulator.addr(), Combo::DEFAULT);
    let id = open(&mut other).unwrap();
    let rows = other.scanner_get(id).unwrap();
    assert_eq!(rows.len(), 1);
    // Wait (boundedly) for the leaked ones to expire.
    for _ in 0..1000 {
        if emulator.open_scanners() == 0 {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(emulator.open_scanners(), 0);
    // Expired scanners gave their connection's room back.
    for _ in 0..900 {
        open(&mut leaky).unwrap();
    }
}

#[test]
fn a_regex_flood_is_refused_within_the_filter_budget() {
    let emulator = builder(Combo::DEFAULT).start_blocking().unwrap();
    let mut c = client(emulator.addr(), Combo::DEFAULT);
    with_table(&mut c);
    let msg = internal_message(open_filtered(&mut c, &regex_flood(2000)).expect_err("flood"));
    assert!(msg.contains("memory budget"), "{msg}");
    assert!(msg.contains("--max-filter-bytes"), "{msg}");
    assert_eq!(emulator.open_scanners(), 0);
    // A filter with a few regular expressions is fine, and so is the
    // connection.
    let id = open_filtered(&mut c, &regex_flood(5)).expect("a small filter");
    assert!(c.scanner_get_list(id, 10).unwrap().is_empty());
}

#[test]
fn the_filters_of_one_connection_share_a_budget() {
    let emulator = builder(Combo::DEFAULT)
        .max_filter_bytes(8 << 20)
        .max_filter_bytes_per_connection(20 << 20)
        .start_blocking()
        .unwrap();
    let mut c = client(emulator.addr(), Combo::DEFAULT);
    with_table(&mut c);
    // Each filter takes a good part of the per-scanner budget.
    let filter = regex_flood(8);
    let mut ids = Vec::new();
    let refused = loop {
        match open_filtered(&mut c, &filter) {
            Ok(id) => ids.push(id),
            Err(e) => break internal_message(e),
        }
        assert!(ids.len() < 100, "the per-connection budget never refused");
    };
    assert!(!ids.is_empty(), "the first filter fits");
    assert!(
        refused.contains("--max-filter-bytes-per-connection"),
        "{refused}"
    );
    // Another connection has its own budget.
    let mut other = client(emulator.addr(), Combo::DEFAULT);
    other_open(&mut other, &filter);
    // Closing a scanner gives its room back.
    c.scanner_close(ids.pop().unwrap()).unwrap();
    open_filtered(&mut c, &filter).expect("room again");
}

fn other_open(c: &mut SyncClient, filter: &str) {
    let id = open_filtered(c, filter).expect("another connection's budget");
    assert!(c.scanner_get_list(id, 1).unwrap().is_empty());
}

fn put(column: &str, value: Vec<u8>) -> Mutation {
    Mutation {
        is_delete: Some(false),
        column: Some(column.as_bytes().to_vec()),
        value: Some(value),
        write_to_w_a_l: Some(true),
    }
}

/// Waits (boundedly) until `done` holds.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..3000 {
        if done() {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
    panic!("waited 30 s for {what}");
}

#[test]
fn connections_past_the_cap_are_told_why_and_room_comes_back() {
    let emulator = builder(Combo::DEFAULT)
        .max_connections(3)
        .start_blocking()
        .unwrap();
    let mut held: Vec<SyncClient> = (0..3)
        .map(|_| {
            let mut c = client(emulator.addr(), Combo::DEFAULT);
            c.get_table_names().unwrap();
            c
        })
        .collect();
    assert_eq!(emulator.connections(), 3);
    let mut refused = client(emulator.addr(), Combo::DEFAULT);
    let msg = internal_message(refused.get_table_names().expect_err("past the cap"));
    assert!(msg.contains("--max-connections"), "{msg}");
    assert!(msg.contains('3'), "{msg}");
    // The connections within the cap are served as before.
    held[0].get_table_names().unwrap();
    held.pop();
    wait_for("a closed connection to be dropped", || {
        emulator.connections() < 3
    });
    let mut c = client(emulator.addr(), Combo::DEFAULT);
    c.get_table_names().expect("room again");
}

#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    let emulator = builder(Combo::DEFAULT)
        .idle_timeout(Some(Duration::from_millis(300)))
        .start_blocking()
        .unwrap();
    let mut idle = RawConn::connect(emulator.addr());
    idle.call(Combo::DEFAULT, &get_table_names_call(Combo::DEFAULT, 1))
        .expect("served");
    assert_eq!(idle.wait_closed(), Closed::ByServer);
    wait_for("the idle connection to be dropped", || {
        emulator.connections() == 0
    });
    // A busy connection is not idle.
    let mut busy = client(emulator.addr(), Combo::DEFAULT);
    for _ in 0..10 {
        busy.get_table_names().unwrap();
        thread::sleep(Duration::from_millis(50));
    }
    // Without a timeout, idle connections stay.
    let keep = builder(Combo::DEFAULT)
        .idle_timeout(None)
        .start_blocking()
        .unwrap();
    let mut c = client(keep.addr(), Combo::DEFAULT);
    thread::sleep(Duration::from_millis(400));
    c.get_table_names().expect("still open");
}

#[test]
fn a_reply_past_the_limit_is_an_error_not_a_huge_frame() {
    for limit in [Limit::Reply, Limit::Message] {
        let b = builder(Combo::DEFAULT);
        let b = match limit {
            Limit::Reply => b.max_reply_bytes(1 << 20),
            Limit::Message => b.max_message_bytes(1 << 20),
        };
        let emulator = b.start_blocking().unwrap();
        let mut c = client(emulator.addr(), Combo::DEFAULT);
        with_table(&mut c);
        for (row, len) in [("big", 900 << 10), ("bigger", 900 << 10)] {
            c.mutate_row(
                b"t".to_vec(),
                row.as_bytes().to_vec(),
                vec![put("cf:a", vec![7; len])],
                BTreeMap::new(),
            )
            .unwrap();
        }
        // One row fits; two do not.
        assert_eq!(
            c.get_row(b"t".to_vec(), b"big".to_vec(), BTreeMap::new())
                .unwrap()
                .len(),
            1
        );
        let msg = io_message(
            c.get_rows(
                b"t".to_vec(),
                vec![b"big".to_vec(), b"bigger".to_vec()],
                BTreeMap::new(),
            )
            .expect_err("past the reply limit"),
        );
        assert!(msg.contains("--max-reply-bytes"), "{limit:?}: {msg}");
        // The connection goes on.
        assert_eq!(c.get_table_names().unwrap(), vec![b"t".to_vec()]);
    }
}

#[derive(Debug, Clone, Copy)]
enum Limit {
    Reply,
    Message,
}

#[test]
fn a_scanner_page_of_two_billion_rows_is_cut_to_a_bounded_reply() {
    let emulator = builder(Combo::DEFAULT)
        .max_reply_bytes(1 << 20)
        .start_blocking()
        .unwrap();
    let mut c = client(emulator.addr(), Combo::DEFAULT);
    with_table(&mut c);
    let batch = (0..200)
        .map(|i| BatchMutation {
            row: Some(format!("row{i:03}").into_bytes()),
            mutations: Some(vec![put("cf:a", vec![b'x'; 20 << 10])]),
        })
        .collect();
    c.mutate_rows(b"t".to_vec(), batch, BTreeMap::new())
        .unwrap();
    let id = open(&mut c).unwrap();
    let mut pages = Vec::new();
    loop {
        let page = c.scanner_get_list(id, i32::MAX).unwrap();
        if page.is_empty() {
            break;
        }
        pages.push(page.len());
    }
    assert!(pages.len() > 1, "one page of {pages:?} rows");
    assert!(
        pages
            .iter()
            .all(|&n| n * (20 << 10) <= (1 << 20) / 4 + (20 << 10) + 1024),
        "pages larger than a quarter of the limit: {pages:?}"
    );
    assert_eq!(pages.iter().sum::<usize>(), 200, "every row, once");
}

#[test]
fn a_heavy_call_does_not_stall_other_connections() {
    // One worker thread serves every connection (start_blocking).
    let emulator = builder(Combo::DEFAULT).start_blocking().unwrap();
    let mut reader = client(emulator.addr(), Combo::DEFAULT);
    with_table(&mut reader);
    // A mutateRows of 300,000 rows, encoded before the clock starts.
    let call = call_bytes(Combo::DEFAULT, "mutateRows", 1, |o| {
        HbaseMutateRowsArgs {
            table_name: b"t".to_vec(),
            row_batches: (0..300_000)
                .map(|i| BatchMutation {
                    row: Some(format!("heavy{i:07}").into_bytes()),
                    mutations: Some(vec![put("cf:a", b"v".to_vec())]),
                })
                .collect(),
            attributes: BTreeMap::new(),
        }
        .write_to_out_protocol(o)
    });
    let sent = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicBool::new(false));
    let heavy = {
        let (sent, answered) = (Arc::clone(&sent), Arc::clone(&answered));
        let addr = emulator.addr();
        thread::spawn(move || {
            let mut raw = RawConn::connect(addr);
            raw.send(&call).expect("send");
            sent.store(true, Ordering::SeqCst);
            raw.read_reply(Combo::DEFAULT).expect("the heavy reply");
            answered.store(true, Ordering::SeqCst);
        })
    };
    let mut while_pending = 0;
    loop {
        let before = sent.load(Ordering::SeqCst) && !answered.load(Ordering::SeqCst);
        reader.get_table_names().unwrap();
        if before && !answered.load(Ordering::SeqCst) {
            while_pending += 1;
        }
        if answered.load(Ordering::SeqCst) {
            break;
        }
        thread::sleep(Duration::from_millis(2));
    }
    heavy.join().expect("heavy client");
    assert!(
        while_pending >= 3,
        "only {while_pending} calls answered during the heavy call"
    );
}
