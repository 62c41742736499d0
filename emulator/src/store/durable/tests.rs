//! Tests of the durable store against real files.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::thread;

use super::*;
use crate::store::EditOp;

/// A fresh directory under the system's temporary directory, removed on
/// drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "hbase-emulator-durable-{}-{n}-{}",
            std::process::id(),
            super::super::now_ms()
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn spec(name: &str, max_versions: i32) -> FamilySpec {
    FamilySpec {
        name: b(name),
        max_versions,
        compression: "NONE".into(),
        in_memory: false,
        bloom_filter_type: "ROW".into(),
        block_cache_enabled: true,
        time_to_live: i32::MAX,
    }
}

fn put(row: &str, family: &str, q: &str, ts: i64, v: &str) -> RowEdit {
    RowEdit {
        row: b(row),
        ops: vec![EditOp::Put {
            family: b(family),
            qualifier: b(q),
            timestamp: ts,
            value: b(v),
        }],
    }
}

fn open(dir: &Path) -> DurableStore {
    DurableStore::open(dir, DurableOptions::default()).expect("open")
}

fn open_with(dir: &Path, fsync: FsyncPolicy, compact_after: u64) -> DurableStore {
    DurableStore::open(
        dir,
        DurableOptions {
            fsync,
            compact_after,
            sync_delay: Duration::ZERO,
        },
    )
    .expect("open")
}

/// Everything the store holds, for comparisons.
fn image(s: &DurableStore) -> Vec<Table> {
    s.mem.export()
}

/// A store with one of everything: tables enabled and disabled, families
/// with settings, versions, delete markers of every kind, counters,
/// appends, check-and-put, a deleted table.
fn populate(s: &DurableStore) {
    s.create_table(b("t"), vec![spec("f", 3), spec("g", 1)])
        .expect("create t");
    s.create_table(
        b("other"),
        vec![FamilySpec {
            compression: "GZ".into(),
            in_memory: true,
            time_to_live: 86_400 * 365 * 50,
            ..spec("x", 5)
        }],
    )
    .expect("create other");
    for ts in 1..=5 {
        s.apply(b"t", vec![put("r1", "f", "q", ts, &format!("v{ts}"))])
            .expect("put");
    }
    let now = s.next_timestamp();
    s.apply(
        b"t",
        vec![
            put("r2", "f", "a", now, "server-time"),
            put("r2", "g", "b", 7, "g7"),
            RowEdit {
                row: b("r3"),
                ops: vec![
                    EditOp::Put {
                        family: b("f"),
                        qualifier: b("gone"),
                        timestamp: 10,
                        value: b("x"),
                    },
                    EditOp::DeleteColumn {
                        family: b("f"),
                        qualifier: b("gone"),
                        up_to: 20,
                    },
                    EditOp::DeleteFamily {
                        family: b("g"),
                        up_to: 30,
                    },
                ],
            },
            RowEdit {
                row: b("r4"),
                ops: vec![EditOp::DeleteRow { up_to: 40 }],
            },
        ],
    )
    .expect("apply");
    s.increment(b"t", b"c", &[(b("f"), b("n"), 5), (b("f"), b("n"), 2)])
        .expect("increment");
    s.increment(b"t", b"c", &[(b("f"), b("n"), -1)])
        .expect("increment");
    s.append(b"t", b"a", &[(b("f"), b("s"), b("ab"))])
        .expect("append");
    s.append(b"t", b"a", &[(b("f"), b("s"), b("cd"))])
        .expect("append");
    assert!(s
        .check_and_put(b"t", &b("f"), &b("s"), b"abcd", put("a", "g", "ok", 3, "y"))
        .expect("check"));
    assert!(!s
        .check_and_put(b"t", &b("f"), &b("s"), b"nope", put("a", "g", "no", 3, "z"))
        .expect("check"));
    s.apply(b"other", vec![put("k", "x", "", 1, "")])
        .expect("put other");
    s.set_enabled(b"other", false).expect("disable");
    s.create_table(b("tmp"), vec![spec("f", 1)])
        .expect("create");
    s.set_enabled(b"tmp", false).expect("disable");
    s.delete_table(b"tmp").expect("delete");
}

#[test]
fn reopening_restores_everything() {
    let dir = TempDir::new();
    let (before, tables, clock) = {
        let s = open(dir.path());
        populate(&s);
        (image(&s), s.tables(), s.mem.clock_high_water())
    };
    assert_eq!(before.len(), 2);
    let s = open(dir.path());
    assert_eq!(image(&s), before);
    assert_eq!(s.tables(), tables);
    assert!(s.next_timestamp() > clock);
    let cells = s
        .get(
            b"t",
            b"c",
            &Query {
                columns: None,
                max_timestamp: i64::MAX,
                versions: 10,
            },
        )
        .expect("get");
    assert_eq!(cells[0].value, Bytes::copy_from_slice(&6i64.to_be_bytes()));
    // the disabled table is still disabled
    assert_eq!(
        s.get(b"other", b"k", &Query::latest()),
        Err(StoreError::TableNotEnabled(b("other")))
    );
    // and everything again through a snapshot
    s.compact().expect("compact");
    drop(s);
    let s = open(dir.path());
    assert_eq!(image(&s), before);
    assert!(s.next_timestamp() > clock);
}

#[test]
fn a_failed_increment_keeps_what_it_applied() {
    let dir = TempDir::new();
    let before = {
        let s = open(dir.path());
        s.create_table(b("t"), vec![spec("f", 1)]).expect("create");
        s.apply(b"t", vec![put("r", "f", "text", 1, "abc")])
            .expect("put");
        assert_eq!(
            s.increment(b"t", b"r", &[(b("f"), b("n"), 1), (b("f"), b("text"), 1)]),
            Err(StoreError::NotALong(3))
        );
        image(&s)
    };
    assert_eq!(image(&open(dir.path())), before);
}

/// The current log's path and contents.
fn current_log(dir: &Path) -> (PathBuf, Vec<u8>) {
    let listing = list(dir).expect("list");
    let g = *listing.logs.last().expect("a log");
    let path = dir.join(wal::file_name(g));
    let data = fs::read(&path).expect("read log");
    (path, data)
}

#[test]
fn a_torn_last_record_is_cut_off_at_every_offset() {
    let dir = TempDir::new();
    let before_last = {
        let s = open(dir.path());
        populate(&s);
        let before = image(&s);
        s.apply(b"t", vec![put("last", "f", "q", 99, "the last value")])
            .expect("put");
        before
    };
    let (path, full) = current_log(dir.path());
    let frames = wal::scan(&full, 0).expect("scan").frames;
    let last = frames.last().expect("frames").0 as usize;
    for cut in last..full.len() {
        fs::write(&path, &full[..cut]).expect("write");
        let s = open(dir.path());
        assert_eq!(image(&s), before_last, "cut at {cut}");
        drop(s);
        assert_eq!(fs::metadata(&path).expect("stat").len(), last as u64);
    }
    // garbage (zeros, as a power loss can leave) after the last record
    let mut padded = full.clone();
    padded.extend_from_slice(&[0u8; 64]);
    fs::write(&path, &padded).expect("write");
    let s = open(dir.path());
    assert_eq!(
        s.get(b"t", b"last", &Query::latest()).expect("get")[0].value,
        b("the last value")
    );
    // and the store goes on writing after the cut
    s.apply(b"t", vec![put("after", "f", "q", 1, "v")])
        .expect("put");
    let after = image(&s);
    drop(s);
    assert_eq!(image(&open(dir.path())), after);
}

#[test]
fn damage_in_the_middle_of_the_log_is_an_error_naming_the_offset() {
    let dir = TempDir::new();
    {
        let s = open(dir.path());
        populate(&s);
    }
    let (path, mut data) = current_log(dir.path());
    let frames = wal::scan(&data, 0).expect("scan").frames;
    let (offset, _) = frames[frames.len() / 2];
    data[offset as usize + 12] ^= 0x01;
    fs::write(&path, &data).expect("write");
    let err = DurableStore::open(dir.path(), DurableOptions::default()).expect_err("corrupt");
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    let message = err.to_string();
    assert!(
        message.contains(&format!("offset {offset}")),
        "{message} (expected offset {offset})"
    );
    assert!(message.contains("wal-"), "{message}");
    // nothing was cut off
    assert_eq!(fs::read(&path).expect("read"), data);
}

#[test]
fn a_damaged_snapshot_is_an_error() {
    let dir = TempDir::new();
    {
        let s = open(dir.path());
        populate(&s);
        s.compact().expect("compact");
    }
    let listing = list(dir.path()).expect("list");
    let g = *listing.snapshots.last().expect("snapshot");
    let path = dir.path().join(snapshot::file_name(g));
    let mut data = fs::read(&path).expect("read");
    let at = data.len() - 3;
    data[at] ^= 0xFF;
    fs::write(&path, &data).expect("write");
    let err = DurableStore::open(dir.path(), DurableOptions::default()).expect_err("corrupt");
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("snapshot-"), "{err}");
}

#[test]
fn compaction_bounds_the_log_and_keeps_the_state() {
    let dir = TempDir::new();
    let limit = 4096;
    let value = "v".repeat(100);
    let before = {
        let s = open_with(dir.path(), FsyncPolicy::Always, limit);
        s.create_table(b("t"), vec![spec("f", 2)]).expect("create");
        for i in 0..1000 {
            s.apply(
                b"t",
                vec![put(&format!("r{}", i % 50), "f", "q", i, &value)],
            )
            .expect("put");
            s.increment(b"t", b"counter", &[(b("f"), b("n"), 1)])
                .expect("increment");
            let listing = list(dir.path()).expect("list");
            assert_eq!(listing.logs.len(), 1, "{listing:?}");
            assert!(listing.snapshots.len() <= 1, "{listing:?}");
            let (_, log) = current_log(dir.path());
            assert!(
                log.len() < limit as usize + 256,
                "log of {} bytes",
                log.len()
            );
        }
        let listing = list(dir.path()).expect("list");
        assert!(listing.logs[0] > 10, "compacted only {listing:?}");
        image(&s)
    };
    let s = open_with(dir.path(), FsyncPolicy::Always, limit);
    assert_eq!(image(&s), before);
    let counter = s
        .get(b"t", b"counter", &Query::latest())
        .expect("get")
        .remove(0);
    assert_eq!(
        counter.value,
        Bytes::copy_from_slice(&1000i64.to_be_bytes())
    );
}

#[test]
fn a_crash_between_log_rotation_and_snapshot_loses_nothing() {
    let dir = TempDir::new();
    let before = {
        let s = open(dir.path());
        populate(&s);
        // rotate without writing the snapshot: what a crash in the middle
        // of a compaction leaves
        let pending = {
            let mut w = lock(&s.writer);
            s.rotate(&mut w).expect("rotate")
        };
        drop(pending);
        s.apply(b"t", vec![put("new", "f", "q", 1, "in the next log")])
            .expect("put");
        image(&s)
    };
    assert_eq!(list(dir.path()).expect("list").logs.len(), 2);
    let s = open(dir.path());
    assert_eq!(image(&s), before);
    // opening compacted the two logs into a snapshot
    let listing = list(dir.path()).expect("list");
    assert_eq!(listing.logs.len(), 1);
    assert_eq!(listing.snapshots.len(), 1);
    drop(s);
    assert_eq!(image(&open(dir.path())), before);
}

#[test]
fn a_second_opener_is_refused() {
    let dir = TempDir::new();
    let first = open(dir.path());
    let err = DurableStore::open(dir.path(), DurableOptions::default()).expect_err("locked");
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(err.to_string().contains("in use"), "{err}");
    drop(first);
    drop(open(dir.path()));
}

#[test]
fn concurrent_writers_share_syncs_and_lose_nothing() {
    let dir = TempDir::new();
    for fsync in [
        FsyncPolicy::Always,
        FsyncPolicy::Grouped {
            max_delay: Duration::from_millis(5),
        },
    ] {
        {
            let s = Arc::new(open_with(dir.path(), fsync, DEFAULT_COMPACT_AFTER));
            if s.table(b"t").is_err() {
                s.create_table(b("t"), vec![spec("f", 1)]).expect("create");
            }
            let threads: Vec<_> = (0..4)
                .map(|i| {
                    let s = Arc::clone(&s);
                    thread::spawn(move || {
                        for j in 0..50 {
                            s.increment(b"t", b"c", &[(b("f"), b("n"), 1)])
                                .expect("increment");
                            s.apply(b"t", vec![put(&format!("w{i}-{j}"), "f", "q", 1, "v")])
                                .expect("put");
                        }
                    })
                })
                .collect();
            for t in threads {
                t.join().expect("writer");
            }
        }
        let s = open_with(dir.path(), fsync, DEFAULT_COMPACT_AFTER);
        let expected = if fsync == FsyncPolicy::Always {
            200
        } else {
            400
        };
        let counter = s.get(b"t", b"c", &Query::latest()).expect("get").remove(0);
        assert_eq!(
            counter.value,
            Bytes::copy_from_slice(&i64::to_be_bytes(expected))
        );
        let rows = s
            .scan(
                b"t",
                &ScanRange {
                    from: std::ops::Bound::Unbounded,
                    to: std::ops::Bound::Unbounded,
                    reversed: false,
                },
                &Query::latest(),
                1000,
            )
            .expect("scan")
            .rows;
        assert_eq!(rows.len(), 201);
    }
}

#[test]
fn fsync_policy_parses_and_prints() {
    assert_eq!("always".parse(), Ok(FsyncPolicy::Always));
    let grouped = FsyncPolicy::Grouped {
        max_delay: Duration::from_millis(15),
    };
    assert_eq!("grouped:15".parse(), Ok(grouped));
    assert_eq!(grouped.to_string(), "grouped:15");
    assert!("grouped:0".parse::<FsyncPolicy>().is_err());
    assert!("grouped:x".parse::<FsyncPolicy>().is_err());
    assert!("sometimes".parse::<FsyncPolicy>().is_err());
}

#[test]
fn a_failed_append_refuses_later_changes_and_loses_nothing_acknowledged() {
    let dir = TempDir::new();
    let acknowledged = {
        let s = open(dir.path());
        s.create_table(b("t"), vec![spec("f", 1)]).expect("create");
        s.apply(b"t", vec![put("kept", "f", "q", 1, "v")])
            .expect("put");
        let acknowledged = image(&s);
        // a handle that cannot be written to, as after a disk failure
        let path = dir.path().join(wal::file_name(0));
        lock(&s.writer).file = Arc::new(File::open(&path).expect("open read-only"));
        let err = s
            .apply(b"t", vec![put("lost", "f", "q", 1, "v")])
            .expect_err("append fails");
        assert!(matches!(err, StoreError::Storage(_)), "{err:?}");
        assert!(matches!(
            s.increment(b"t", b"c", &[(b("f"), b("n"), 1)]),
            Err(StoreError::Storage(_))
        ));
        assert!(matches!(
            s.create_table(b("u"), vec![spec("f", 1)]),
            Err(StoreError::Storage(_))
        ));
        // reads go on
        assert_eq!(
            s.get(b"t", b"kept", &Query::latest()).expect("get").len(),
            1
        );
        acknowledged
    };
    assert_eq!(image(&open(dir.path())), acknowledged);
}

mod model {
    //! Random changes, reopenings and compactions: a reopened store always
    //! equals the store before it was closed.

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone)]
    enum Op {
        Put(u8, u8, i64, u8),
        DeleteColumn(u8, u8, i64),
        DeleteRow(u8, i64),
        Increment(u8, i64),
        Append(u8, u8),
        Toggle,
        Reopen,
        Compact,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (0u8..4, 0u8..3, 0i64..30, any::<u8>()).prop_map(|(r, q, t, v)| Op::Put(r, q, t, v)),
            2 => (0u8..4, 0u8..3, 0i64..30).prop_map(|(r, q, t)| Op::DeleteColumn(r, q, t)),
            1 => (0u8..4, 0i64..30).prop_map(|(r, t)| Op::DeleteRow(r, t)),
            2 => (0u8..4, -5i64..5).prop_map(|(r, n)| Op::Increment(r, n)),
            2 => (0u8..4, any::<u8>()).prop_map(|(r, v)| Op::Append(r, v)),
            1 => Just(Op::Toggle),
            1 => Just(Op::Reopen),
            1 => Just(Op::Compact),
        ]
    }

    fn row(r: u8) -> Bytes {
        Bytes::from(vec![b'r', r])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn reopened_store_equals_the_closed_one(ops in proptest::collection::vec(op(), 1..60)) {
            let dir = TempDir::new();
            let options = |dir: &Path| open_with(
                dir,
                FsyncPolicy::Grouped { max_delay: Duration::from_secs(3600) },
                1024,
            );
            let mut s = options(dir.path());
            s.create_table(b("t"), vec![spec("f", 2), spec("c", 1)]).expect("create");
            let mut enabled = true;
            for op in ops {
                let _ = match op {
                    Op::Put(r, q, t, v) => s.apply(b"t", vec![RowEdit {
                        row: row(r),
                        ops: vec![EditOp::Put {
                            family: b("f"),
                            qualifier: Bytes::from(vec![q]),
                            timestamp: t,
                            value: Bytes::from(vec![v]),
                        }],
                    }]),
                    Op::DeleteColumn(r, q, t) => s.apply(b"t", vec![RowEdit {
                        row: row(r),
                        ops: vec![EditOp::DeleteColumn {
                            family: b("f"),
                            qualifier: Bytes::from(vec![q]),
                            up_to: t,
                        }],
                    }]),
                    Op::DeleteRow(r, t) => s.apply(b"t", vec![RowEdit {
                        row: row(r),
                        ops: vec![EditOp::DeleteRow { up_to: t }],
                    }]),
                    Op::Increment(r, n) => s.increment(b"t", &row(r), &[(b("c"), b("n"), n)]).map(drop),
                    Op::Append(r, v) => s.append(b"t", &row(r), &[(b("c"), b("s"), Bytes::from(vec![v]))]).map(drop),
                    Op::Toggle => {
                        enabled = !enabled;
                        s.set_enabled(b"t", enabled)
                    }
                    Op::Reopen => {
                        let before = (image(&s), s.mem.clock_high_water());
                        drop(s);
                        s = options(dir.path());
                        prop_assert_eq!(image(&s), before.0);
                        prop_assert!(s.mem.clock_high_water() >= before.1);
                        Ok(())
                    }
                    Op::Compact => s.compact().map_err(|e| StoreError::Storage(e.to_string())),
                };
            }
            let before = image(&s);
            drop(s);
            prop_assert_eq!(image(&options(dir.path())), before);
        }
    }
}
