//! Entry points for the fuzz targets in `fuzz/`; not part of the API.
//!
//! [`feed_request`] runs the code a client connection runs (message
//! scanning, decoding, the handler, the reply) over bytes held in memory
//! instead of a socket, against a fresh in-memory store; [`filter_rows`]
//! parses a filter string and applies it as a scan does.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hbase_orm_idl::wire::{Protocol, Transport};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::filter::{self, KeyValue, RowOutcome};
use crate::limits::{ConnectionId, Limits};
use crate::server::connection::{ConnConfig, ConnError, Connection};
use crate::server::service::{Gateway, Service};
use crate::store::{FamilySpec, MemStore, Store};

/// Largest message the fuzzed connection accepts (small, so that declared
/// lengths past it are refused rather than allocated).
const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// What became of the bytes fed to one connection.
#[derive(Debug)]
pub struct Outcome {
    /// Bytes of replies written.
    pub replied: usize,
    /// Why the connection was closed, when it was not closed cleanly by the
    /// client between two messages.
    pub error: Option<String>,
    /// Whether the handler panicked while answering (a bug).
    pub panicked: bool,
}

/// Feeds `input` to one connection speaking `transport` and `protocol`, as
/// a socket delivers it in reads of at most `chunk` bytes, then closes the
/// client's side.
///
/// The store is fresh, with an enabled table `t` of families `cf` (3
/// versions) and `f2` (1 version).
pub fn feed_request(
    transport: Transport,
    protocol: Protocol,
    input: &[u8],
    chunk: usize,
) -> Outcome {
    let store = Arc::new(MemStore::new());
    let families = [("cf", 3), ("f2", 1)]
        .into_iter()
        .map(|(name, max_versions)| FamilySpec {
            name: Bytes::from_static(name.as_bytes()),
            max_versions,
            compression: "NONE".to_owned(),
            in_memory: false,
            bloom_filter_type: "NONE".to_owned(),
            block_cache_enabled: false,
            time_to_live: i32::MAX,
        })
        .collect();
    store
        .create_table(Bytes::from_static(b"t"), families)
        .expect("a fresh store creates a table");
    let gateway: Arc<dyn Service> = Arc::new(Gateway::new(
        store,
        Duration::from_secs(60),
        Limits::default(),
        SocketAddr::from(([127, 0, 0, 1], 9090)),
    ));
    let config = ConnConfig {
        transport,
        protocol,
        max_message_bytes: MAX_MESSAGE_BYTES,
        read_timeout: Duration::from_secs(60),
        idle_timeout: None,
        max_reply_bytes: MAX_MESSAGE_BYTES,
    };
    let mut stream = MemStream {
        input,
        chunk: chunk.max(1),
        written: 0,
    };
    let result = RUNTIME.with(|runtime| {
        runtime.block_on(Connection::new(config, ConnectionId(0)).run(&mut stream, &gateway))
    });
    Outcome {
        replied: stream.written,
        panicked: matches!(result, Err(ConnError::Panicked)),
        error: result.err().map(|e| e.to_string()),
    }
}

/// Parses `filter` as the filter string of a scan; when it parses, applies
/// it to a few fixed rows, forward and then as a reversed scan, and returns
/// how many cells it kept. The error message when it does not parse.
///
/// # Errors
/// The parse error's message.
pub fn filter_rows(filter: &[u8]) -> Result<usize, String> {
    let rows = sample_rows();
    let mut kept = 0;
    for reversed in [false, true] {
        let mut parsed = filter::parse_bytes(filter).map_err(|e| e.to_string())?;
        parsed.set_reversed(reversed);
        let mut order: Vec<&(Bytes, Vec<KeyValue>)> = rows.iter().collect();
        if reversed {
            order.reverse();
        }
        for (key, cells) in order {
            match parsed.filter_row(key, cells.clone()) {
                RowOutcome::Include(cells) => kept += cells.len(),
                RowOutcome::IncludeThenStop(cells) => {
                    kept += cells.len();
                    assert!(parsed.is_done(), "a filter that stopped is done");
                }
                RowOutcome::Stop => assert!(parsed.is_done(), "a filter that stopped is done"),
            }
        }
    }
    Ok(kept)
}

/// Rows in key order, their cells sorted by family, qualifier and newest
/// timestamp first, as a scan hands them to a filter.
fn sample_rows() -> Vec<(Bytes, Vec<KeyValue>)> {
    let kv = |family: &'static [u8], qualifier: &'static [u8], timestamp, value: &[u8]| KeyValue {
        family: Bytes::from_static(family),
        qualifier: Bytes::from_static(qualifier),
        timestamp,
        value: Bytes::copy_from_slice(value),
    };
    vec![
        (Bytes::new(), vec![kv(b"cf", b"a", 1, b"")]),
        (
            Bytes::from_static(b"row1"),
            vec![
                kv(b"cf", b"a", 3, b"value3"),
                kv(b"cf", b"a", 2, b"value2"),
                kv(b"cf", b"b", 5, &42i64.to_be_bytes()),
                kv(b"f2", b"", 1, b"x"),
                kv(b"f2", b"q\x00", 9, b"\x00\xff"),
            ],
        ),
        (
            Bytes::from_static(b"row2\x00"),
            vec![kv(b"cf", b"a", 7, b"abc"), kv(b"cf", b"c", 7, b"ABC")],
        ),
        (Bytes::from_static(b"zz"), vec![]),
        (
            Bytes::from_static(b"\xff\xff"),
            vec![kv(b"f2", b"z", i64::MAX, b"last")],
        ),
    ]
}

thread_local! {
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime builds");
}

/// A socket over bytes in memory: reads hand out `input` in pieces of at
/// most `chunk` bytes, then end; writes are counted and dropped.
struct MemStream<'a> {
    input: &'a [u8],
    chunk: usize,
    written: usize,
}

impl AsyncRead for MemStream<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self.input.len().min(self.chunk).min(buf.remaining());
        let (head, rest) = self.input.split_at(n);
        buf.put_slice(head);
        self.input = rest;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for MemStream<'_> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.written += buf.len();
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hbase_orm_idl::hbase::HbaseGetTableNamesArgs;
    use hbase_orm_idl::wire;

    #[test]
    fn a_call_fed_in_pieces_is_answered_in_every_combination() {
        for transport in [Transport::Buffered, Transport::Framed] {
            for protocol in [Protocol::Binary, Protocol::Compact] {
                let mut call = Vec::new();
                wire::encode_call(protocol, transport, "getTableNames", 1, &mut call, |o| {
                    HbaseGetTableNamesArgs {}.write_to_out_protocol(o)
                })
                .unwrap();
                let outcome = feed_request(transport, protocol, &call, 3);
                assert!(
                    outcome.replied > 0,
                    "{transport:?} {protocol:?}: {outcome:?}"
                );
                assert!(outcome.error.is_none() && !outcome.panicked, "{outcome:?}");
            }
        }
    }

    #[test]
    fn garbage_closes_the_connection_without_panicking() {
        let outcome = feed_request(Transport::Framed, Protocol::Binary, b"\xff\xff\xff\xff", 1);
        assert!(outcome.error.is_some() && !outcome.panicked, "{outcome:?}");
    }

    #[test]
    fn filters_run_over_the_sample_rows() {
        assert_eq!(filter_rows(b"KeyOnlyFilter()"), Ok(2 * 9));
        assert_eq!(filter_rows(b"PrefixFilter('row1')"), Ok(2 * 5));
        assert!(filter_rows(b"NoSuchFilter()").is_err());
    }
}
