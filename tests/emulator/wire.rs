//! Transports, protocols, bad input, concurrency and shutdown over real sockets.

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use hbase_orm_tests::hbase::{HbaseGetTableNamesResult, Mutation, THbaseSyncClient, TRowResult};
use hbase_orm_tests::thrift::{ApplicationErrorKind, Error as ThriftError};
use hbase_orm_tests::{
    builder, call_bytes, client, decode_reply, family, get_table_names_call, start, start_blocking,
    Closed, Combo, Protocol, RawConn, Transport, COMBOS,
};

fn put(column: &str, value: &[u8]) -> Mutation {
    Mutation {
        is_delete: Some(false),
        column: Some(column.as_bytes().to_vec()),
        value: Some(value.to_vec()),
        write_to_w_a_l: Some(true),
    }
}

fn combo(transport: Transport, protocol: Protocol) -> Combo {
    Combo {
        transport,
        protocol,
    }
}

/// Decodes a `getTableNames` reply.
fn table_names(protocol: Protocol, reply: &[u8]) -> Vec<Vec<u8>> {
    decode_reply(protocol, reply, |i| {
        HbaseGetTableNamesResult::read_from_in_protocol(i)
    })
    .expect("a getTableNames reply")
    .result_value
    .expect("a result value")
}

#[test]
fn every_combination_answers() {
    for combo in COMBOS {
        let emulator = start_blocking(combo);
        let mut c = client(emulator.addr(), combo);
        assert_eq!(
            c.get_table_names().unwrap(),
            Vec::<Vec<u8>>::new(),
            "{combo}"
        );
        c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
        assert_eq!(c.get_table_names().unwrap(), vec![b"t".to_vec()], "{combo}");
        c.mutate_row(
            b"t".to_vec(),
            b"row".to_vec(),
            vec![put("cf:q", b"value")],
            BTreeMap::new(),
        )
        .unwrap();
        let cells = c
            .get(
                b"t".to_vec(),
                b"row".to_vec(),
                b"cf:q".to_vec(),
                BTreeMap::new(),
            )
            .unwrap();
        assert_eq!(cells.len(), 1, "{combo}");
        assert_eq!(cells[0].value.as_deref(), Some(&b"value"[..]), "{combo}");
        let rows: Vec<TRowResult> = c
            .get_row(b"t".to_vec(), b"row".to_vec(), BTreeMap::new())
            .unwrap();
        assert_eq!(rows.len(), 1, "{combo}");
        assert_eq!(rows[0].row.as_deref(), Some(&b"row"[..]), "{combo}");
    }
}

#[test]
fn a_large_value_round_trips() {
    for combo in COMBOS {
        let emulator = start_blocking(combo);
        let mut c = client(emulator.addr(), combo);
        c.create_table(b"big".to_vec(), vec![family("cf")]).unwrap();
        let value: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        c.mutate_row(
            b"big".to_vec(),
            b"r".to_vec(),
            vec![put("cf:v", &value)],
            BTreeMap::new(),
        )
        .unwrap();
        let cells = c
            .get(
                b"big".to_vec(),
                b"r".to_vec(),
                b"cf:v".to_vec(),
                BTreeMap::new(),
            )
            .unwrap();
        assert_eq!(cells[0].value.as_deref(), Some(&value[..]), "{combo}");
        // The connection still serves small calls afterwards.
        assert_eq!(c.get_table_names().unwrap(), vec![b"big".to_vec()]);
    }
}

#[test]
fn an_unknown_method_gets_unknown_method() {
    for combo in COMBOS {
        let emulator = start_blocking(combo);
        let mut raw = RawConn::connect(emulator.addr());
        let call = call_bytes(combo, "noSuchMethod", 7, |o| {
            hbase_orm_tests::hbase::HbaseGetTableNamesArgs {}.write_to_out_protocol(o)
        });
        let reply = raw.call(combo, &call).unwrap();
        let err = decode_reply(combo.protocol, &reply, |_| Ok(())).unwrap_err();
        match err {
            ThriftError::Application(e) => {
                assert_eq!(e.kind, ApplicationErrorKind::UnknownMethod, "{combo}");
                assert!(e.message.contains("noSuchMethod"), "{combo}: {}", e.message);
            }
            other => panic!("{combo}: expected UNKNOWN_METHOD, got {other:?}"),
        }
        // The connection keeps working after the exception.
        let reply = raw.call(combo, &get_table_names_call(combo, 8)).unwrap();
        assert!(table_names(combo.protocol, &reply).is_empty());
    }
}

#[test]
fn pipelined_calls_are_answered_in_order() {
    for combo in COMBOS {
        let emulator = start_blocking(combo);
        let mut raw = RawConn::connect(emulator.addr());
        let mut calls = Vec::new();
        for seq in 1..=5 {
            if seq == 3 {
                calls.extend(call_bytes(combo, "noSuchMethod", seq, |o| {
                    hbase_orm_tests::hbase::HbaseGetTableNamesArgs {}.write_to_out_protocol(o)
                }));
            } else {
                calls.extend(get_table_names_call(combo, seq));
            }
        }
        raw.send(&calls).unwrap();
        for seq in 1..=5 {
            let reply = raw.read_reply(combo).unwrap();
            let ident = hbase_orm_tests::wire::decode(combo.protocol, &reply, |ident, i| {
                i.skip(hbase_orm_tests::thrift::protocol::TType::Struct)?;
                Ok(ident)
            })
            .unwrap();
            assert_eq!(ident.sequence_number, seq, "{combo}");
            let expected = if seq == 3 {
                "noSuchMethod"
            } else {
                "getTableNames"
            };
            assert_eq!(ident.name, expected, "{combo}");
        }
    }
}

#[test]
fn a_message_trickling_in_byte_by_byte_is_answered() {
    for combo in COMBOS {
        let emulator = start_blocking(combo);
        let mut raw = RawConn::connect(emulator.addr());
        for byte in get_table_names_call(combo, 1) {
            raw.send(&[byte]).unwrap();
        }
        let reply = raw.read_reply(combo).unwrap();
        assert!(table_names(combo.protocol, &reply).is_empty(), "{combo}");
    }
}

/// Sends `bytes` (then closes our side when `close` is set) on a fresh
/// connection to a server speaking `server`, and checks that the server
/// closes that connection while a connection opened before and one opened
/// after keep working.
fn assert_closed_alone(
    emulator: &hbase_orm_tests::Emulator,
    server: Combo,
    bytes: &[u8],
    close: bool,
) {
    let mut bystander = client(emulator.addr(), server);
    bystander.get_table_names().unwrap();

    let mut bad = RawConn::connect(emulator.addr());
    // The server may close before everything is written.
    let _ = bad.send(bytes);
    if close {
        bad.close_write();
    }
    assert_eq!(
        bad.wait_closed(),
        Closed::ByServer,
        "{server} server kept a connection open after {} bad bytes",
        bytes.len()
    );

    bystander
        .get_table_names()
        .unwrap_or_else(|e| panic!("{server}: an open connection broke: {e}"));
    hbase_orm_tests::assert_serves(emulator.addr(), server);
}

#[test]
fn garbage_closes_only_that_connection() {
    let garbage: [&[u8]; 4] = [
        b"hello, gateway\r\n\r\n",
        &[0xff; 64],
        &[0x80, 0x01, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0],
        b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789",
    ];
    for server in COMBOS {
        let emulator = start_blocking(server);
        for bytes in garbage {
            assert_closed_alone(&emulator, server, bytes, false);
        }
    }
}

#[test]
fn another_protocol_or_transport_closes_only_that_connection() {
    for server in COMBOS {
        let emulator = start_blocking(server);
        for peer in COMBOS.into_iter().filter(|&c| c != server) {
            // Two calls: whatever the server waits for, it has enough bytes
            // to see the mismatch without the client closing.
            let mut bytes = get_table_names_call(peer, 1);
            bytes.extend(get_table_names_call(peer, 2));
            assert_closed_alone(&emulator, server, &bytes, false);
        }
    }
}

#[test]
fn a_truncated_message_then_close_closes_only_that_connection() {
    for server in COMBOS {
        let emulator = start_blocking(server);
        let call = get_table_names_call(server, 1);
        for cut in [1, 4, call.len() / 2, call.len() - 1] {
            assert_closed_alone(&emulator, server, &call[..cut], true);
        }
    }
}

#[test]
fn a_client_stopping_mid_message_is_dropped_after_the_read_timeout() {
    for server in COMBOS {
        let emulator = builder(server)
            .read_timeout(Duration::from_millis(200))
            .start_blocking()
            .unwrap();
        let call = get_table_names_call(server, 1);
        // The socket stays open on our side: only the timeout ends it.
        assert_closed_alone(&emulator, server, &call[..call.len() / 2], false);
    }
}

#[test]
fn an_idle_connection_between_messages_is_kept() {
    let server = Combo::DEFAULT;
    let emulator = builder(server)
        .read_timeout(Duration::from_millis(50))
        .start_blocking()
        .unwrap();
    let mut c = client(emulator.addr(), server);
    c.get_table_names().unwrap();
    thread::sleep(Duration::from_millis(300));
    c.get_table_names().unwrap();
}

/// A `getTable Names`-shaped call whose first argument declares `len` bytes
/// and carries none of them.
fn call_declaring_a_string_of(protocol: Protocol, len: u32) -> Vec<u8> {
    match protocol {
        Protocol::Binary => {
            let mut m = vec![0x80, 0x01, 0x00, 0x01, 0, 0, 0, 3];
            m.extend_from_slice(b"get");
            m.extend_from_slice(&1i32.to_be_bytes());
            // Field 1, type string, then its length.
            m.extend_from_slice(&[11, 0, 1]);
            m.extend_from_slice(&len.to_be_bytes());
            m
        }
        Protocol::Compact => {
            // Protocol id, version | type (call), seq id 1, name length 3.
            let mut m = vec![0x82, 0x21, 0x01, 0x03];
            m.extend_from_slice(b"get");
            // Field delta 1, type binary, then the varint length.
            m.push(0x18);
            let mut n = len;
            loop {
                let low = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    m.push(low);
                    break;
                }
                m.push(low | 0x80);
            }
            m
        }
    }
}

#[test]
fn a_declared_length_past_the_limit_closes_only_that_connection() {
    for server in COMBOS {
        let emulator = builder(server)
            .max_message_bytes(4096)
            .start_blocking()
            .unwrap();
        // A string past the limit, inside a message (and a frame that fits).
        let mut message = call_declaring_a_string_of(server.protocol, 1 << 20);
        if server.transport == Transport::Framed {
            let mut framed = 200u32.to_be_bytes().to_vec();
            framed.append(&mut message);
            message = framed;
            message.resize(4 + 200, 0);
        }
        assert_closed_alone(&emulator, server, &message, false);

        if server.transport == Transport::Framed {
            // A frame past the limit: nothing of it is waited for.
            assert_closed_alone(&emulator, server, &(1u32 << 20).to_be_bytes(), false);
            // A frame holding garbage, and a frame holding a message plus
            // more bytes.
            let mut garbage = 16u32.to_be_bytes().to_vec();
            garbage.extend_from_slice(&[0xee; 16]);
            assert_closed_alone(&emulator, server, &garbage, false);
            let mut call = get_table_names_call(server, 1);
            let len = u32::from_be_bytes(call[..4].try_into().unwrap()) + 3;
            call[..4].copy_from_slice(&len.to_be_bytes());
            call.extend_from_slice(&[0, 0, 0]);
            assert_closed_alone(&emulator, server, &call, false);
        }
    }
}

#[test]
fn a_whole_message_past_the_limit_closes_only_that_connection() {
    for server in COMBOS {
        let emulator = builder(server)
            .max_message_bytes(4096)
            .start_blocking()
            .unwrap();
        // A well-formed call, larger than the limit.
        let call = call_bytes(server, "getTableRegions", 1, |o| {
            hbase_orm_tests::hbase::HbaseGetTableRegionsArgs {
                table_name: vec![b'x'; 8000],
            }
            .write_to_out_protocol(o)
        });
        assert_closed_alone(&emulator, server, &call, false);
    }
}

#[test]
fn many_concurrent_connections_are_served() {
    for server in [COMBOS[0], COMBOS[3]] {
        let emulator = start_blocking(server);
        let addr = emulator.addr();
        {
            let mut c = client(addr, server);
            c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
        }
        let workers: Vec<_> = (0..50)
            .map(|n| {
                thread::spawn(move || {
                    let mut c = client(addr, server);
                    for i in 0..20 {
                        let row = format!("row-{n}-{i}").into_bytes();
                        let value = format!("value-{n}-{i}").into_bytes();
                        c.mutate_row(
                            b"t".to_vec(),
                            row.clone(),
                            vec![put("cf:q", &value)],
                            BTreeMap::new(),
                        )
                        .unwrap();
                        let cells = c
                            .get(b"t".to_vec(), row, b"cf:q".to_vec(), BTreeMap::new())
                            .unwrap();
                        assert_eq!(cells[0].value.as_deref(), Some(&value[..]));
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a client thread failed");
        }
    }
}

#[test]
fn many_concurrent_raw_connections_are_served() {
    for server in COMBOS {
        let emulator = start_blocking(server);
        let addr = emulator.addr();
        let workers: Vec<_> = (0..50)
            .map(|n| {
                thread::spawn(move || {
                    let mut raw = RawConn::connect(addr);
                    for seq in 0..10 {
                        let reply = raw
                            .call(server, &get_table_names_call(server, n * 100 + seq))
                            .unwrap();
                        assert!(table_names(server.protocol, &reply).is_empty());
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a client thread failed");
        }
    }
}

#[test]
fn disconnect_all_closes_open_connections_and_keeps_listening() {
    for server in COMBOS {
        let emulator = start_blocking(server);
        let mut c = client(emulator.addr(), server);
        c.get_table_names().unwrap();
        let mut raw = RawConn::connect(emulator.addr());
        raw.call(server, &get_table_names_call(server, 1)).unwrap();
        assert_eq!(emulator.connections(), 2);

        emulator.disconnect_all();
        assert_eq!(emulator.connections(), 0);
        assert_eq!(raw.wait_closed(), Closed::ByServer, "{server}");
        assert!(c.get_table_names().is_err(), "{server}");

        hbase_orm_tests::assert_serves(emulator.addr(), server);
    }
}

#[tokio::test]
async fn shutdown_closes_the_port_and_the_connections() {
    for server in COMBOS {
        let emulator = start(server).await;
        let addr = emulator.addr();
        let mut raw = tokio::task::spawn_blocking(move || {
            let mut raw = RawConn::connect(addr);
            raw.call(server, &get_table_names_call(server, 1)).unwrap();
            raw
        })
        .await
        .unwrap();
        emulator.shutdown().await;
        assert!(
            TcpStream::connect(addr).is_err(),
            "{server}: {addr} still accepts after shutdown"
        );
        let closed = tokio::task::spawn_blocking(move || raw.wait_closed())
            .await
            .unwrap();
        assert_eq!(closed, Closed::ByServer, "{server}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emulator_on_the_test_runtime_serves_blocking_clients() {
    let server = combo(Transport::Framed, Protocol::Compact);
    let emulator = start(server).await;
    let addr = emulator.addr();
    tokio::task::spawn_blocking(move || hbase_orm_tests::assert_serves(addr, server))
        .await
        .unwrap();
    assert_eq!(emulator.open_scanners(), 0);
    emulator.shutdown().await;
}

#[test]
fn dropping_a_blocking_emulator_closes_the_port() {
    let server = Combo::DEFAULT;
    let emulator = start_blocking(server);
    let addr = emulator.addr();
    let mut raw = RawConn::connect(addr);
    raw.call(server, &get_table_names_call(server, 1)).unwrap();
    drop(emulator);
    assert!(TcpStream::connect(addr).is_err(), "{addr} still accepts");
    assert_eq!(raw.wait_closed(), Closed::ByServer);
}

#[test]
fn a_blocking_emulator_starts_inside_a_runtime_too() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime.block_on(async { start_blocking(Combo::DEFAULT) });
    hbase_orm_tests::assert_serves(emulator.addr(), Combo::DEFAULT);
    drop(emulator);
}

#[test]
fn open_scanners_counts_the_servers_scanners() {
    for server in COMBOS {
        let emulator = start_blocking(server);
        let mut c = client(emulator.addr(), server);
        c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
        assert_eq!(emulator.open_scanners(), 0);
        let a = c
            .scanner_open(b"t".to_vec(), Vec::new(), Vec::new(), BTreeMap::new())
            .unwrap();
        let b = c
            .scanner_open(b"t".to_vec(), Vec::new(), Vec::new(), BTreeMap::new())
            .unwrap();
        assert_eq!(emulator.open_scanners(), 2, "{server}");
        c.scanner_close(a).unwrap();
        assert_eq!(emulator.open_scanners(), 1, "{server}");
        c.scanner_close(b).unwrap();
        assert_eq!(emulator.open_scanners(), 0, "{server}");
    }
}

#[test]
fn idle_scanners_expire_after_the_scanner_timeout() {
    let server = Combo::DEFAULT;
    let emulator = builder(server)
        .scanner_timeout(Duration::from_millis(50))
        .start_blocking()
        .unwrap();
    let mut c = client(emulator.addr(), server);
    c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
    let id = c
        .scanner_open(b"t".to_vec(), Vec::new(), Vec::new(), BTreeMap::new())
        .unwrap();
    // Wait (boundedly) for the server to drop it.
    for _ in 0..1000 {
        if emulator.open_scanners() == 0 {
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(emulator.open_scanners(), 0);
    match c.scanner_get_list(id, 10) {
        Err(ThriftError::User(e)) => {
            let e = e
                .downcast_ref::<hbase_orm_tests::hbase::IllegalArgument>()
                .expect("an IllegalArgument");
            assert_eq!(e.message.as_deref(), Some("scanner ID is invalid"));
        }
        other => panic!("expected IllegalArgument, got {other:?}"),
    }
}

#[test]
fn a_client_that_stops_reading_replies_is_dropped() {
    let server = Combo::DEFAULT;
    let emulator = builder(server)
        .read_timeout(Duration::from_millis(200))
        .start_blocking()
        .unwrap();
    let mut c = client(emulator.addr(), server);
    c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
    c.mutate_row(
        b"t".to_vec(),
        b"r".to_vec(),
        vec![put("cf:v", &vec![7; 1 << 20])],
        BTreeMap::new(),
    )
    .unwrap();

    let mut raw = RawConn::connect(emulator.addr());
    let call = call_bytes(server, "getRow", 1, |o| {
        hbase_orm_tests::hbase::HbaseGetRowArgs {
            table_name: b"t".to_vec(),
            row: b"r".to_vec(),
            attributes: BTreeMap::new(),
        }
        .write_to_out_protocol(o)
    });
    // 64 MiB of replies, far more than the socket buffers hold, and we
    // never read them.
    for _ in 0..64 {
        if raw.send(&call).is_err() {
            break;
        }
    }
    let mut waited = 0;
    while emulator.connections() > 1 {
        assert!(
            waited < 3000,
            "the server still holds a client that does not read"
        );
        thread::sleep(Duration::from_millis(10));
        waited += 1;
    }
    // The well-behaved client is still served.
    assert_eq!(c.get_table_names().unwrap(), vec![b"t".to_vec()]);
}
