//! Micro-benchmarks of the client's hot paths: reply decoding, message
//! framing, batch planning, the row-key and value codecs, and the code
//! `#[derive(HRow)]` generates (encode and decode).
//!
//! Run them with `cargo bench -p hbase-orm --bench hot_paths`; CI builds
//! them and runs each once (`-- --sample-count 1 --sample-size 1`), so that
//! they keep compiling and working; their figures are in docs/BENCHMARKS.md.
//!
//! divan rather than criterion: it is one small crate (criterion brings
//! plotting, rayon and serde stacks into the build of every CI run), it
//! counts items and bytes per iteration out of the box, and a bench is a
//! plain function with `args`, which keeps each hot path's case short.
//! Neither is a substitute for the instruction counts of callgrind used for
//! the before/after figures; these give the time per call on a quiet
//! machine.

use std::collections::BTreeMap;

use bytes::Bytes;
use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};
use hbase_orm::codec::{BigEndian, Codec, Ordered, Utf8};
use hbase_orm::row::{Cell, CellOps};
use hbase_orm::row_key::KeyComponent;
use hbase_orm::HRow;
use hbase_orm::{Protocol, Transport};
use hbase_orm_idl::hbase::{HbaseScannerGetListResult, TCell, TRowResult};
use hbase_orm_idl::thrift::protocol::{TMessageIdentifier, TMessageType};
use hbase_orm_idl::wire::{self, MessageScanner};

fn main() {
    divan::main();
}

/// A `scannerGetList` reply of `rows` rows shaped like the bench's (5 cells
/// of 24 bytes under `cf:c0`..`cf:c4`).
fn page(protocol: Protocol, rows: usize) -> Bytes {
    let result = HbaseScannerGetListResult {
        result_value: Some(
            (0..rows)
                .map(|i| TRowResult {
                    row: Some(format!("row-{i:08}").into_bytes()),
                    columns: Some(
                        (0..5)
                            .map(|c| {
                                let mut value = format!("value-{c}-").into_bytes();
                                value.extend_from_slice(&[b'x'; 16]);
                                (
                                    format!("cf:c{c}").into_bytes(),
                                    TCell {
                                        value: Some(value),
                                        timestamp: Some(1_700_000_000_000),
                                    },
                                )
                            })
                            .collect::<BTreeMap<_, _>>(),
                    ),
                    sorted_columns: None,
                })
                .collect(),
        ),
        io: None,
        ia: None,
    };
    let mut out = Vec::new();
    let ident = TMessageIdentifier::new("scannerGetList", TMessageType::Reply, 1);
    wire::encode(protocol, Transport::Buffered, &ident, &mut out, |o| {
        result.write_to_out_protocol(o)
    })
    .expect("encode a page");
    Bytes::from(out)
}

/// Replies that carry rows, decoded into `Row`s in one pass.
mod reply_decoding {
    use super::*;

    #[divan::bench(args = [1, 1000])]
    fn binary(bencher: Bencher, rows: usize) {
        decode(bencher, Protocol::Binary, rows);
    }

    #[divan::bench(args = [1, 1000])]
    fn compact(bencher: Bencher, rows: usize) {
        decode(bencher, Protocol::Compact, rows);
    }

    fn decode(bencher: Bencher, protocol: Protocol, rows: usize) {
        let frame = page(protocol, rows);
        bencher.counter(ItemsCount::new(rows)).bench(|| {
            let decoded = hbase_orm::__bench::decode_rows(protocol, black_box(&frame));
            assert_eq!(decoded.map(|r| r.len()), Ok(rows));
        });
    }
}

/// Where a reply ends in the byte stream (the buffered transport), read
/// whole or 64 KiB at a time (a resumed walk per read, as the client's
/// reader task and the emulator do): idl's one `MessageScanner`.
mod framing {
    use super::*;

    /// Scans `frame` arriving `read` bytes at a time; its length.
    fn scan(protocol: Protocol, frame: &[u8], read: usize) -> Option<usize> {
        let mut scanner = MessageScanner::new(protocol, usize::MAX >> 1);
        let mut seen = 0;
        while seen < frame.len() {
            seen = (seen + read).min(frame.len());
            if let Some(len) = scanner.scan(black_box(&frame[..seen])).expect("a reply") {
                return Some(len);
            }
        }
        None
    }

    #[divan::bench(args = [Protocol::Binary, Protocol::Compact])]
    fn message_scanner_whole(bencher: Bencher, protocol: Protocol) {
        let frame = page(protocol, 1000);
        bencher.counter(BytesCount::new(frame.len())).bench(|| {
            assert_eq!(scan(protocol, &frame, frame.len()), Some(frame.len()));
        });
    }

    #[divan::bench(args = [Protocol::Binary, Protocol::Compact])]
    fn message_scanner_64k_reads(bencher: Bencher, protocol: Protocol) {
        let frame = page(protocol, 1000);
        bencher.counter(BytesCount::new(frame.len())).bench(|| {
            assert_eq!(scan(protocol, &frame, 64 * 1024), Some(frame.len()));
        });
    }
}

/// A batch of puts planned into `mutateRows` calls and encoded.
mod batch_planning {
    use super::*;

    #[divan::bench(args = [1, 200, 2000])]
    fn puts(bencher: Bencher, rows: usize) {
        let keys: Vec<Vec<u8>> = (0..rows)
            .map(|i| format!("row-{i:08}").into_bytes())
            .collect();
        let cells: Vec<(Vec<u8>, Vec<u8>)> = (0..5)
            .map(|c| {
                let mut value = format!("value-{c}-").into_bytes();
                value.extend_from_slice(&[b'x'; 16]);
                (format!("cf:c{c}").into_bytes(), value)
            })
            .collect();
        let cell_refs: Vec<(&[u8], &[u8])> = cells
            .iter()
            .map(|(c, v)| (c.as_slice(), v.as_slice()))
            .collect();
        let input: Vec<(&[u8], hbase_orm::__bench::PutCells<'_>)> = keys
            .iter()
            .map(|k| (k.as_slice(), cell_refs.as_slice()))
            .collect();
        let mut out = Vec::new();
        bencher.counter(ItemsCount::new(rows)).bench_local(|| {
            let calls = hbase_orm::__bench::plan_and_encode_puts(black_box(&input), &mut out);
            assert!(matches!(calls, Ok(n) if n >= 1));
        });
    }
}

/// Row-key components and cell value codecs, each way.
mod codecs {
    use super::*;

    #[divan::bench]
    fn key_string_u64_encode(bencher: Bencher) {
        let (name, id) = ("user-name-0042".to_owned(), 42_u64);
        let mut out = Vec::with_capacity(64);
        bencher.bench_local(|| {
            out.clear();
            black_box(&name).encode_component(&mut out, false);
            black_box(&id).encode_component(&mut out, true);
            black_box(out.len())
        });
    }

    #[divan::bench]
    fn key_string_u64_decode(bencher: Bencher) {
        let mut key = Vec::new();
        "user-name-0042"
            .to_owned()
            .encode_component(&mut key, false);
        42_u64.encode_component(&mut key, true);
        bencher.bench(|| {
            let mut input = black_box(&key[..]);
            let name = String::decode_key(&mut input, false).expect("a name");
            let id = u64::decode_key(&mut input, true).expect("an id");
            (name, id)
        });
    }

    #[divan::bench]
    fn utf8_string(bencher: Bencher) {
        let value = "value-0-xxxxxxxxxxxxxxxx".to_owned();
        let mut out = Vec::with_capacity(64);
        bencher.bench_local(|| {
            out.clear();
            Utf8::encode(black_box(&value), &mut out).expect("encode");
            let back: String = Utf8::decode(black_box(&out)).expect("decode");
            back
        });
    }

    #[divan::bench]
    fn big_endian_i64(bencher: Bencher) {
        let mut out = Vec::with_capacity(8);
        bencher.bench_local(|| {
            out.clear();
            BigEndian::encode(black_box(&-1234567_i64), &mut out).expect("encode");
            let back: i64 = BigEndian::decode(black_box(&out)).expect("decode");
            back
        });
    }

    #[divan::bench]
    fn ordered_i64(bencher: Bencher) {
        let mut out = Vec::with_capacity(8);
        bencher.bench_local(|| {
            out.clear();
            Ordered::encode(black_box(&-1234567_i64), &mut out).expect("encode");
            let back: i64 = Ordered::decode(black_box(&out)).expect("decode");
            back
        });
    }
}

/// The code `#[derive(HRow)]` generates for a model like the bench's.
mod derived {
    use super::*;

    #[derive(Debug, Clone, PartialEq, HRow)]
    #[hbase(table = "users", family = "cf")]
    struct User {
        #[hbase(row_key)]
        key: String,
        name: String,
        email: String,
        age: i64,
        score: u32,
        note: Option<String>,
    }

    fn user() -> User {
        User {
            key: "row-00000042".to_owned(),
            name: "value-0-xxxxxxxxxxxxxxxx".to_owned(),
            email: "value-1-xxxxxxxxxxxxxxxx".to_owned(),
            age: 42,
            score: 7,
            note: Some("value-4-xxxxxxxxxxxxxxxx".to_owned()),
        }
    }

    #[divan::bench]
    fn encode(bencher: Bencher) {
        let u = user();
        bencher.bench_local(|| {
            let mut ops = CellOps::default();
            black_box(&u).write_cells(&mut ops).expect("encode");
            (black_box(&u).row_key(), ops)
        });
    }

    #[divan::bench]
    fn decode(bencher: Bencher) {
        let u = user();
        let mut ops = CellOps::default();
        u.write_cells(&mut ops).expect("encode");
        let key = u.row_key();
        bencher.bench(|| {
            let cells = ops.ops.iter().filter_map(|op| {
                Some(Cell {
                    column: &op.column,
                    value: op.value.as_deref()?,
                    timestamp: 1,
                })
            });
            let back = User::from_cells(black_box(&key), cells).expect("decode");
            assert_eq!(back.age, 42);
            back
        });
    }
}
