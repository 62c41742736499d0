//! The limits that keep one hostile or leaky client from starving the
//! others, over real sockets: scanner caps, the filter memory budget,
//! connection cap, idle connections, reply size.

use std::collections::BTreeMap;

use hbase_orm_tests::hbase::{IOError, THbaseSyncClient, TScan};
use hbase_orm_tests::thrift::{ApplicationErrorKind, Error as ThriftError};
use hbase_orm_tests::{builder, client, family, Combo, SyncClient};

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
        .scanner_timeout(std::time::Duration::from_millis(100))
        .start_blocking()
        .unwrap();
    let mut leaky = client(emulator.addr(), Combo::DEFAULT);
    with_table(&mut leaky);
    leaky
        .mutate_row(
            b"t".to_vec(),
            b"r".to_vec(),
            vec![hbase_orm_tests::hbase::Mutation {
                is_delete: Some(false),
                column: Some(b"cf:a".to_vec()),
                value: Some(b"1".to_vec()),
                write_to_w_a_l: Some(true),
            }],
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
        std::thread::sleep(std::time::Duration::from_millis(10));
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
