//! Arbitrary gateway replies to each kind of call the client makes, through
//! the client's real path: its reader task splits the bytes from the socket
//! into replies (scanner or frame header), matches them to the pending
//! request, the caller decodes the reply and the table layer turns it into
//! rows, cells, counters... Whatever the bytes, the call must end with a
//! value or an error: no panic, no hang.
//!
//! The gateway is a task on a loopback listener that answers each request
//! with the next reply of the input (loopback only, one connection per
//! input).
//!
//! Input: the first byte picks the transport and protocol (low two bits)
//! and the call (the other six); then replies, each `flags, len (u16 LE),
//! len bytes`. Flags: bit 0 sends the bytes as they are; otherwise they are
//! the reply's body after a message header naming the request's method and
//! sequence id (bits 1-2: 2 makes it an exception message, 3 a reply with
//! the wrong sequence id; bit 4 names another method) and a frame header
//! when framed. Bit 3 closes the connection after the reply. When the
//! replies run out the connection is closed.

#![no_main]

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use hbase_orm::{ColumnFamily, Connection};
use hbase_orm_fuzz::{body, combo, seed_corpus, COMBOS};
use hbase_orm_idl::hbase::*;
use hbase_orm_idl::thrift::protocol::{TMessageIdentifier, TMessageType};
use hbase_orm_idl::wire::{self, MessageScanner, Protocol, Transport};
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// Largest message, for the client and the fake gateway.
const LIMIT: usize = 1 << 20;

/// Longest a whole call may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(30);

/// The calls, by the method names the client sends (for the seeds).
const CALLS: &[&[&str]] = &[
    &["getTableNames"],
    &["createTable"],
    &["disableTable", "deleteTable"],
    &["enableTable"],
    &["isTableEnabled"],
    &["majorCompact"],
    &["getRow"],
    &["getRows"],
    &["getVer"],
    &[
        "scannerOpenWithScan",
        "scannerGetList",
        "scannerGetList",
        "scannerClose",
    ],
    &["mutateRow"],
    &["deleteAllRow"],
    &["atomicIncrement"],
    &["atomicIncrement"],
    &["append"],
    &["checkAndPut"],
    &["getColumnDescriptors"],
    &["getTableRegions"],
    &["mutateRows", "incrementRows"],
];

fuzz_target!(
    init: seed_corpus(seeds),
    |data: &[u8]| {
        let Some((&first, rest)) = data.split_first() else {
            return;
        };
        let (transport, protocol) = combo(first);
        let call = usize::from(first >> 2) % CALLS.len();
        let replies = parse_replies(rest);
        RUNTIME.with(|runtime| {
            runtime.block_on(run(transport, protocol, call, replies));
        });
    }
);

thread_local! {
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime builds");
}

/// One reply of the input.
struct Reply {
    flags: u8,
    bytes: Vec<u8>,
}

fn parse_replies(mut input: &[u8]) -> VecDeque<Reply> {
    let mut replies = VecDeque::new();
    while let Some((&flags, rest)) = input.split_first() {
        let (len, rest) = match rest {
            [lo, hi, rest @ ..] => (usize::from(u16::from_le_bytes([*lo, *hi])), rest),
            _ => (rest.len(), &[][..]),
        };
        let (bytes, rest) = rest.split_at(len.min(rest.len()));
        replies.push_back(Reply {
            flags,
            bytes: bytes.to_vec(),
        });
        input = rest;
    }
    replies
}

impl Reply {
    /// The bytes sent for a request `name` with sequence id `seq`.
    fn render(&self, transport: Transport, protocol: Protocol, name: &str, seq: i32) -> Vec<u8> {
        if self.flags & 1 != 0 {
            return self.bytes.clone();
        }
        let (kind, seq) = match (self.flags >> 1) & 3 {
            2 => (TMessageType::Exception, seq),
            3 => (TMessageType::Reply, seq.wrapping_add(1)),
            _ => (TMessageType::Reply, seq),
        };
        let name = if self.flags & 0x10 != 0 {
            "other"
        } else {
            name
        };
        let mut message = Vec::new();
        wire::encode(
            protocol,
            Transport::Buffered,
            &TMessageIdentifier::new(name, kind, seq),
            &mut message,
            |_| Ok(()),
        )
        .expect("a message header encodes");
        message.extend_from_slice(&self.bytes);
        if transport == Transport::Framed {
            let mut framed = (message.len() as u32).to_be_bytes().to_vec();
            framed.extend_from_slice(&message);
            framed
        } else {
            message
        }
    }

    fn closes(&self) -> bool {
        self.flags & 8 != 0
    }
}

/// The listener the fake gateway answers on (one per thread).
async fn listener() -> Arc<TcpListener> {
    thread_local! {
        static LISTENER: std::cell::OnceCell<Arc<TcpListener>> = const { std::cell::OnceCell::new() };
    }
    if let Some(listener) = LISTENER.with(|l| l.get().cloned()) {
        return listener;
    }
    let listener = Arc::new(
        TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("a loopback port binds"),
    );
    LISTENER.with(|l| l.get_or_init(|| listener).clone())
}

async fn run(transport: Transport, protocol: Protocol, call: usize, replies: VecDeque<Reply>) {
    let listener = listener().await;
    let addr = listener.local_addr().expect("the listener has an address");
    let replies = Arc::new(Mutex::new(replies));
    let gateway = {
        let replies = Arc::clone(&replies);
        tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                connections.spawn(serve(stream, transport, protocol, Arc::clone(&replies)));
            }
        })
    };
    let conn = Connection::builder()
        .addr(addr)
        .transport(transport)
        .protocol(protocol)
        .timeout(Duration::from_millis(500))
        .max_message_bytes(LIMIT)
        .build();
    let finished = tokio::time::timeout(HANG, make_call(&conn, call)).await;
    gateway.abort();
    let _ = gateway.await;
    drop(conn);
    assert!(finished.is_ok(), "call {call} did not end within {HANG:?}");
}

/// Answers requests with the input's replies until they run out.
///
/// After each reply it works out, as the client's reader does, whether the
/// client now holds whole replies only (then it waits for the next request)
/// or is still waiting for bytes (then the next reply follows at once, under
/// the same header), so that no input waits on a timeout.
async fn serve(
    mut stream: TcpStream,
    transport: Transport,
    protocol: Protocol,
    replies: Arc<Mutex<VecDeque<Reply>>>,
) {
    let mut received = Vec::new();
    let mut unread = Vec::new();
    let (mut name, mut seq) = (String::new(), 0);
    let mut wait_for_request = true;
    loop {
        if wait_for_request {
            let used;
            (name, seq, used) = loop {
                if replies.lock().expect("not poisoned").is_empty() {
                    // Nothing left to answer with (this is also how the
                    // client's probes for another protocol end at once).
                    return;
                }
                match next_request(transport, protocol, &received) {
                    Next::Call(name, seq, used) => break (name, seq, used),
                    Next::Bad => return,
                    Next::More => {}
                }
                let read = stream.read_buf(&mut received);
                match tokio::time::timeout(Duration::from_millis(20), read).await {
                    Ok(Ok(n)) if n > 0 => {}
                    _ => return,
                }
            };
            received.drain(..used);
        }
        let Some(reply) = replies.lock().expect("not poisoned").pop_front() else {
            return;
        };
        let bytes = reply.render(transport, protocol, &name, seq);
        if stream.write_all(&bytes).await.is_err() || reply.closes() {
            return;
        }
        unread.extend_from_slice(&bytes);
        wait_for_request = !waits_for_more(transport, protocol, &mut unread);
    }
}

/// Takes the whole replies out of `unread` as the client's reader does;
/// whether the client is left waiting for more bytes.
fn waits_for_more(transport: Transport, protocol: Protocol, unread: &mut Vec<u8>) -> bool {
    loop {
        let taken = match transport {
            Transport::Buffered => match MessageScanner::new(protocol, LIMIT).scan(unread) {
                Ok(Some(len)) => len,
                Ok(None) => return true,
                // The client fails the connection.
                Err(_) => return false,
            },
            Transport::Framed => {
                let Some(header) = unread.first_chunk::<4>() else {
                    return true;
                };
                match wire::frame_len(*header, LIMIT) {
                    Ok(len) if unread.len() >= 4 + len => 4 + len,
                    Ok(_) => return true,
                    Err(_) => return false,
                }
            }
        };
        unread.drain(..taken);
        if unread.is_empty() {
            return false;
        }
    }
}

enum Next {
    Call(String, i32, usize),
    More,
    Bad,
}

/// The request at the start of `buf`.
fn next_request(transport: Transport, protocol: Protocol, buf: &[u8]) -> Next {
    let (skip, len) = match transport {
        Transport::Buffered => match MessageScanner::new(protocol, LIMIT).scan(buf) {
            Ok(Some(len)) => (0, len),
            Ok(None) => return Next::More,
            Err(_) => return Next::Bad,
        },
        Transport::Framed => {
            let Some(header) = buf.first_chunk::<4>() else {
                return Next::More;
            };
            match wire::frame_len(*header, LIMIT) {
                Ok(len) if buf.len() >= 4 + len => (4, len),
                Ok(_) => return Next::More,
                Err(_) => return Next::Bad,
            }
        }
    };
    match wire::decode(protocol, &buf[skip..skip + len], |ident, _| Ok(ident)) {
        Ok(ident) => Next::Call(ident.name, ident.sequence_number, skip + len),
        Err(_) => Next::Bad,
    }
}

/// Makes call number `call` (see [`CALLS`]); the result is dropped.
async fn make_call(conn: &Connection, call: usize) {
    let table = conn.table("t");
    let _ = match call {
        0 => conn.tables().await.map(drop),
        1 => conn.create_table("t", [ColumnFamily::new("cf")]).await,
        2 => conn.delete_table("t", true).await,
        3 => conn.enable_table("t").await,
        4 => conn.is_table_enabled("t").await.map(drop),
        5 => conn.compact_table("t", true).await,
        6 => table.row("r").await.map(drop),
        7 => table.rows(["a", "b"]).await.map(drop),
        8 => table.cells("r", "cf:a").versions(3).await.map(drop),
        9 => {
            let mut scan = table.scan().batch_size(2).limit(20);
            for _ in 0..32 {
                match scan.next().await {
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => break,
                }
            }
            Ok(())
        }
        10 => table.put("r", [("cf:a", "v")]).await,
        11 => table.delete("r").await,
        12 => table.counter_get("r", "cf:n").await.map(drop),
        13 => table.counter_inc("r", "cf:n", 3).await.map(drop),
        14 => table.append("r", [("cf:s", "x")]).await.map(drop),
        15 => table.check_and_put("r", "cf:a", "v").await.map(drop),
        16 => table.families().await.map(drop),
        17 => table.regions().await.map(drop),
        _ => {
            let mut batch = table.batch();
            async {
                batch.put("r", [("cf:a", "v")]).await?;
                batch.delete("s").await?;
                batch.counter_inc("r", "cf:n", 1).await?;
                batch.send().await
            }
            .await
        }
    };
}

/// A valid reply sequence for every call in every combination, and a few
/// error replies.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for (c, &(_, p)) in COMBOS.iter().enumerate() {
        for (call, methods) in CALLS.iter().enumerate() {
            let mut seed = vec![c as u8 | (call as u8) << 2];
            for (i, method) in methods.iter().enumerate() {
                let last_page = *method == "scannerGetList" && i == 2;
                push_reply(&mut seed, 0, &result_body(p, method, last_page));
            }
            seeds.push(seed);
        }
        // An IOError, an exception message, a wrong sequence id, a close.
        let io = body(p, |o| {
            HbaseGetRowResult {
                result_value: None,
                io: Some(IOError {
                    message: Some("region moved".into()),
                    can_retry: Some(true),
                }),
            }
            .write_to_out_protocol(o)
        });
        for flags in [0, 4, 6, 8] {
            let mut seed = vec![c as u8 | 6 << 2];
            push_reply(&mut seed, flags, &io);
            seeds.push(seed);
        }
    }
    seeds
}

fn push_reply(seed: &mut Vec<u8>, flags: u8, bytes: &[u8]) {
    seed.push(flags);
    seed.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
    seed.extend_from_slice(bytes);
}

fn rows() -> Vec<TRowResult> {
    let mut columns = BTreeMap::new();
    columns.insert(b"cf:a".to_vec(), TCell::new(b"v".to_vec(), 5));
    columns.insert(b"cf:n".to_vec(), TCell::new(7i64.to_be_bytes().to_vec(), 6));
    vec![
        TRowResult::new(b"r".to_vec(), columns, None),
        TRowResult::new(
            b"s".to_vec(),
            None,
            vec![TColumn::new(b"cf:b".to_vec(), TCell::new(b"w".to_vec(), 1))],
        ),
    ]
}

/// The body of a successful reply to `method`.
fn result_body(p: Protocol, method: &str, last_page: bool) -> Vec<u8> {
    body(p, |o| match method {
        "getTableNames" => HbaseGetTableNamesResult {
            result_value: Some(vec![b"t".to_vec(), b"u".to_vec()]),
            io: None,
        }
        .write_to_out_protocol(o),
        "isTableEnabled" => HbaseIsTableEnabledResult {
            result_value: Some(true),
            io: None,
        }
        .write_to_out_protocol(o),
        "getRow" | "getRows" | "scannerGetList" => HbaseGetRowsResult {
            result_value: Some(if last_page { vec![] } else { rows() }),
            io: None,
        }
        .write_to_out_protocol(o),
        "getVer" | "append" => HbaseGetVerResult {
            result_value: Some(vec![
                TCell::new(b"v".to_vec(), 3),
                TCell::new(b"u".to_vec(), 2),
            ]),
            io: None,
        }
        .write_to_out_protocol(o),
        "scannerOpenWithScan" => HbaseScannerOpenWithScanResult {
            result_value: Some(7),
            io: None,
        }
        .write_to_out_protocol(o),
        "atomicIncrement" => HbaseAtomicIncrementResult {
            result_value: Some(42),
            io: None,
            ia: None,
        }
        .write_to_out_protocol(o),
        "checkAndPut" => HbaseCheckAndPutResult {
            result_value: Some(true),
            io: None,
            ia: None,
        }
        .write_to_out_protocol(o),
        "getColumnDescriptors" => {
            let mut families = BTreeMap::new();
            families.insert(
                b"cf:".to_vec(),
                ColumnDescriptor {
                    name: Some(b"cf:".to_vec()),
                    max_versions: Some(3),
                    compression: Some("NONE".into()),
                    in_memory: Some(false),
                    bloom_filter_type: Some("ROW".into()),
                    bloom_filter_vector_size: Some(0),
                    bloom_filter_nb_hashes: Some(0),
                    block_cache_enabled: Some(true),
                    time_to_live: Some(i32::MAX),
                },
            );
            HbaseGetColumnDescriptorsResult {
                result_value: Some(families),
                io: None,
            }
            .write_to_out_protocol(o)
        }
        "getTableRegions" => HbaseGetTableRegionsResult {
            result_value: Some(vec![TRegionInfo {
                start_key: Some(vec![]),
                end_key: Some(b"m".to_vec()),
                id: Some(1),
                name: Some(b"t,,1".to_vec()),
                version: Some(1),
                server_name: Some(b"localhost".to_vec()),
                port: Some(16020),
            }]),
            io: None,
        }
        .write_to_out_protocol(o),
        // Calls returning nothing: an empty result struct.
        _ => HbaseDeleteTableResult { io: None }.write_to_out_protocol(o),
    })
}
