//! Arbitrary bytes from a client, as the emulator's connection code receives
//! them from a socket: message scanning, framing, decoding, the handler and
//! the reply, on a fresh in-memory store.
//!
//! Input: the first byte picks the transport and protocol (low two bits) and
//! how the bytes arrive (the other six: 0 all at once, otherwise reads of at
//! most that many bytes); the rest is what the client sends before closing.

#![no_main]

use std::collections::BTreeMap;

use hbase_emulator::__fuzz::feed_request;
use hbase_orm_fuzz::{call, combo, seed_corpus, COMBOS};
use hbase_orm_idl::hbase::*;
use hbase_orm_idl::wire::{Protocol, Transport};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: seed_corpus(seeds),
    |data: &[u8]| {
        let Some((&first, rest)) = data.split_first() else {
            return;
        };
        let (transport, protocol) = combo(first);
        let chunk = match first >> 2 {
            0 => usize::MAX,
            n => usize::from(n),
        };
        let outcome = feed_request(transport, protocol, rest, chunk);
        assert!(!outcome.panicked, "the handler panicked: {outcome:?}");
    }
);

/// Valid conversations in each combination: admin calls, writes and reads,
/// read-modify-write calls, a filtered scan.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for (i, &(t, p)) in COMBOS.iter().enumerate() {
        for script in [admin, writes_and_reads, read_modify_write, scan] {
            let mut seed = vec![i as u8];
            for message in script(t, p) {
                seed.extend_from_slice(&message);
            }
            seeds.push(seed);
        }
    }
    seeds
}

fn table() -> Vec<u8> {
    b"t".to_vec()
}

fn put(column: &[u8], value: &[u8]) -> Mutation {
    Mutation::new(false, column.to_vec(), value.to_vec(), true)
}

fn admin(t: Transport, p: Protocol) -> Vec<Vec<u8>> {
    vec![
        call(t, p, "getTableNames", 1, |o| {
            HbaseGetTableNamesArgs {}.write_to_out_protocol(o)
        }),
        call(t, p, "getColumnDescriptors", 2, |o| {
            HbaseGetColumnDescriptorsArgs {
                table_name: table(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "getTableRegions", 3, |o| {
            HbaseGetTableRegionsArgs {
                table_name: table(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "createTable", 4, |o| {
            HbaseCreateTableArgs {
                table_name: b"t2".to_vec(),
                column_families: vec![ColumnDescriptor {
                    name: Some(b"cf:".to_vec()),
                    max_versions: Some(2),
                    compression: Some("NONE".into()),
                    in_memory: Some(false),
                    bloom_filter_type: Some("NONE".into()),
                    bloom_filter_vector_size: Some(0),
                    bloom_filter_nb_hashes: Some(0),
                    block_cache_enabled: Some(true),
                    time_to_live: Some(-1),
                }],
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "disableTable", 5, |o| {
            HbaseDisableTableArgs {
                table_name: b"t2".to_vec(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "isTableEnabled", 6, |o| {
            HbaseIsTableEnabledArgs {
                table_name: b"t2".to_vec(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "deleteTable", 7, |o| {
            HbaseDeleteTableArgs {
                table_name: b"t2".to_vec(),
            }
            .write_to_out_protocol(o)
        }),
    ]
}

fn writes_and_reads(t: Transport, p: Protocol) -> Vec<Vec<u8>> {
    vec![
        call(t, p, "mutateRow", 1, |o| {
            HbaseMutateRowArgs {
                table_name: table(),
                row: b"r1".to_vec(),
                mutations: vec![put(b"cf:a", b"v1"), put(b"f2:b", &7i64.to_be_bytes())],
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "mutateRows", 2, |o| {
            HbaseMutateRowsArgs {
                table_name: table(),
                row_batches: vec![
                    BatchMutation::new(b"r2".to_vec(), vec![put(b"cf:a", b"v2")]),
                    BatchMutation::new(
                        b"r3".to_vec(),
                        vec![Mutation::new(true, b"cf:a".to_vec(), None, true)],
                    ),
                ],
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "getRow", 3, |o| {
            HbaseGetRowArgs {
                table_name: table(),
                row: b"r1".to_vec(),
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "getRowsWithColumns", 4, |o| {
            HbaseGetRowsWithColumnsArgs {
                table_name: table(),
                rows: vec![b"r1".to_vec(), b"r2".to_vec()],
                columns: vec![b"cf".to_vec(), b"f2:b".to_vec()],
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "getVer", 5, |o| {
            HbaseGetVerArgs {
                table_name: table(),
                row: b"r1".to_vec(),
                column: b"cf:a".to_vec(),
                num_versions: 3,
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "deleteAll", 6, |o| {
            HbaseDeleteAllArgs {
                table_name: table(),
                row: b"r1".to_vec(),
                column: b"cf:a".to_vec(),
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "deleteAllRow", 7, |o| {
            HbaseDeleteAllRowArgs {
                table_name: table(),
                row: b"r2".to_vec(),
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }),
    ]
}

fn read_modify_write(t: Transport, p: Protocol) -> Vec<Vec<u8>> {
    vec![
        call(t, p, "atomicIncrement", 1, |o| {
            HbaseAtomicIncrementArgs {
                table_name: table(),
                row: b"c".to_vec(),
                column: b"cf:n".to_vec(),
                value: 5,
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "incrementRows", 2, |o| {
            HbaseIncrementRowsArgs {
                increments: vec![TIncrement::new(
                    table(),
                    b"c".to_vec(),
                    b"cf:n".to_vec(),
                    -2,
                )],
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "append", 3, |o| {
            HbaseAppendArgs {
                append: TAppend::new(
                    table(),
                    b"c".to_vec(),
                    vec![b"cf:s".to_vec()],
                    vec![b"tail".to_vec()],
                ),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "checkAndPut", 4, |o| {
            HbaseCheckAndPutArgs {
                table_name: table(),
                row: b"c".to_vec(),
                column: b"cf:s".to_vec(),
                value: b"tail".to_vec(),
                mput: put(b"cf:s", b"new"),
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }),
        call(t, p, "get", 5, |o| {
            HbaseGetArgs {
                table_name: table(),
                row: b"c".to_vec(),
                column: b"cf:s".to_vec(),
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }),
    ]
}

fn scan(t: Transport, p: Protocol) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    for (seq, row) in [b"ra", b"rb", b"sc"].into_iter().enumerate() {
        messages.push(call(t, p, "mutateRow", seq as i32 + 1, |o| {
            HbaseMutateRowArgs {
                table_name: table(),
                row: row.to_vec(),
                mutations: vec![put(b"cf:a", b"value"), put(b"cf:b", row)],
                attributes: BTreeMap::new(),
            }
            .write_to_out_protocol(o)
        }));
    }
    messages.push(call(t, p, "scannerOpenWithScan", 10, |o| {
        HbaseScannerOpenWithScanArgs {
            table_name: table(),
            scan: TScan {
                start_row: Some(b"r".to_vec()),
                stop_row: Some(b"t".to_vec()),
                timestamp: None,
                columns: Some(vec![b"cf".to_vec()]),
                caching: Some(2),
                filter_string: Some(
                    b"PrefixFilter('r') AND (ValueFilter(=, 'binary:value') OR KeyOnlyFilter())"
                        .to_vec(),
                ),
                batch_size: Some(1),
                sort_columns: Some(true),
                reversed: Some(false),
                cache_blocks: None,
            },
            attributes: BTreeMap::new(),
        }
        .write_to_out_protocol(o)
    }));
    messages.push(call(t, p, "scannerGetList", 11, |o| {
        HbaseScannerGetListArgs { id: 1, nb_rows: 2 }.write_to_out_protocol(o)
    }));
    messages.push(call(t, p, "scannerOpenWithPrefix", 12, |o| {
        HbaseScannerOpenWithPrefixArgs {
            table_name: table(),
            start_and_prefix: b"r".to_vec(),
            columns: vec![],
            attributes: BTreeMap::new(),
        }
        .write_to_out_protocol(o)
    }));
    messages.push(call(t, p, "scannerGetList", 13, |o| {
        HbaseScannerGetListArgs { id: 2, nb_rows: 10 }.write_to_out_protocol(o)
    }));
    messages.push(call(t, p, "scannerClose", 14, |o| {
        HbaseScannerCloseArgs { id: 1 }.write_to_out_protocol(o)
    }));
    messages
}
