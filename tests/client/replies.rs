//! Replies a gateway should never send, from a scripted gateway on a real
//! socket: each ends in an error that says what is wrong, without waiting
//! for bytes that will be refused anyway, and without a wrong hint.

use std::time::Duration;

use hbase_orm::error::ErrorKind;
use hbase_orm::{Connection, Error, Protocol, Transport};
use hbase_orm_tests::hbase::HbaseGetTableNamesResult;
use hbase_orm_tests::thrift::protocol::{TMessageIdentifier, TMessageType};
use hbase_orm_tests::wire::{self, MessageScanner};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A gateway on a free loopback port that answers each call on each
/// connection with what `reply` makes of its sequence id (nothing: stays
/// silent). Buffered transport, binary protocol.
async fn scripted(reply: fn(i32) -> Option<Vec<u8>>) -> (std::net::SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket, reply));
        }
    });
    (addr, server)
}

async fn serve(mut socket: TcpStream, reply: fn(i32) -> Option<Vec<u8>>) {
    let mut buf = Vec::new();
    let mut scanner = MessageScanner::new(Protocol::Binary, 1 << 20);
    loop {
        match scanner.scan(&buf) {
            Ok(Some(len)) => {
                let call: Vec<u8> = buf.drain(..len).collect();
                scanner.reset();
                let seq =
                    wire::decode(
                        Protocol::Binary,
                        &call,
                        |ident, _| Ok(ident.sequence_number),
                    )
                    .unwrap();
                if let Some(bytes) = reply(seq) {
                    if socket.write_all(&bytes).await.is_err() {
                        return;
                    }
                }
                continue;
            }
            Ok(None) => {}
            Err(_) => return,
        }
        let mut chunk = [0u8; 4096];
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// A well-formed `getTableNames` reply, named `name`, with sequence id `seq`.
fn table_names_reply(name: &str, seq: i32) -> Vec<u8> {
    let mut out = Vec::new();
    let ident = TMessageIdentifier::new(name, TMessageType::Reply, seq);
    wire::encode(
        Protocol::Binary,
        Transport::Buffered,
        &ident,
        &mut out,
        |o| {
            HbaseGetTableNamesResult {
                result_value: Some(vec![b"t".to_vec()]),
                io: None,
            }
            .write_to_out_protocol(o)
        },
    )
    .unwrap();
    out
}

fn connect(addr: std::net::SocketAddr, timeout: Duration) -> Connection {
    Connection::builder()
        .addr(addr)
        .timeout(timeout)
        .max_message_bytes(1 << 20)
        .retry_policy(hbase_orm::RetryPolicy::none())
        .build()
}

#[tokio::test]
async fn a_declared_length_past_the_limit_fails_when_the_header_arrives() {
    // A reply whose one result string declares 100 MiB, of which only the
    // header is ever sent: the limit is 1 MiB. Waiting for the bytes would
    // end in a timeout (the call's is long); the header alone must fail it.
    let (addr, server) = scripted(|seq| {
        let mut out = Vec::new();
        out.extend_from_slice(&[0x80, 0x01, 0x00, 0x02]);
        out.extend_from_slice(&13i32.to_be_bytes());
        out.extend_from_slice(b"getTableNames");
        out.extend_from_slice(&seq.to_be_bytes());
        // Field 0, a list of 1 string of 100 MiB.
        out.extend_from_slice(&[15, 0, 0, 11]);
        out.extend_from_slice(&1i32.to_be_bytes());
        out.extend_from_slice(&(100i32 << 20).to_be_bytes());
        out.extend_from_slice(b"abc");
        Some(out)
    })
    .await;
    let conn = connect(addr, Duration::from_secs(60));
    let err = conn.tables().await.unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("104857600") && text.contains("larger than the limit of 1048576"),
        "{text}"
    );
    server.abort();
}

#[tokio::test]
async fn a_slow_gateway_gets_no_mismatch_hint() {
    // Reads every call and never answers, in any transport or protocol:
    // slow, not mismatched.
    let (addr, server) = scripted(|_| None).await;
    let conn = connect(addr, Duration::from_millis(300));
    let err = conn.tables().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                method: "getTableNames",
                hint: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.is_retryable());
    let text = err.to_string();
    assert!(
        !text.contains("transport") && !text.contains("protocol"),
        "{text}"
    );
    server.abort();
}

#[tokio::test]
async fn a_reply_to_another_method_names_both() {
    let (addr, server) = scripted(|seq| Some(table_names_reply("getRowWithColumns", seq))).await;
    let conn = connect(addr, Duration::from_secs(10));
    let err = conn.tables().await.unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("`getTableNames`") && text.contains("`getRowWithColumns`"),
        "{text}"
    );
    assert!(!text.contains("bad data"), "{text}");
    // The stream stayed in step: the next call on the connection gets its
    // own (equally wrong) reply, not a desync.
    let again = conn.tables().await.unwrap_err();
    assert!(again.to_string().contains("`getRowWithColumns`"), "{again}");
    server.abort();
}

#[tokio::test]
async fn a_wrong_sequence_id_is_one_clear_error() {
    let (addr, server) = scripted(|seq| Some(table_names_reply("getTableNames", seq + 5))).await;
    let conn = connect(addr, Duration::from_secs(10));
    let err = conn.tables().await.unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err:?}");
    let text = err.to_string();
    assert_eq!(
        text.matches("protocol error with the gateway").count(),
        1,
        "{text}"
    );
    assert!(text.contains("sequence id"), "{text}");
    server.abort();
}

#[tokio::test]
async fn one_failure_reaches_every_waiter_unchanged() {
    // Many calls in flight when the gateway drops the connection: each
    // caller gets the same transport error, still retryable.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (got_all, all_in) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        // Read until eight calls are in, then reset the connection.
        let mut buf = Vec::new();
        let mut calls = 0;
        let mut scanner = MessageScanner::new(Protocol::Binary, 1 << 20);
        while calls < 8 {
            let mut chunk = [0u8; 4096];
            let n = socket.read(&mut chunk).await.unwrap();
            buf.extend_from_slice(&chunk[..n]);
            while let Ok(Some(len)) = scanner.scan(&buf) {
                buf.drain(..len);
                scanner.reset();
                calls += 1;
            }
        }
        let _ = got_all.send(());
        drop(socket);
    });
    let conn = connect(addr, Duration::from_secs(10));
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let conn = conn.clone();
            tokio::spawn(async move { conn.tables().await })
        })
        .collect();
    all_in.await.unwrap();
    let mut errors = Vec::new();
    for call in calls {
        errors.push(call.await.unwrap().unwrap_err());
    }
    for err in &errors {
        assert!(matches!(err, Error::Transport { .. }), "{err:?}");
        assert!(err.is_retryable(), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::Unavailable);
        assert_eq!(err.to_string(), errors[0].to_string());
    }
    server.abort();
}
