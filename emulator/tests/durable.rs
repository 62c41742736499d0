//! The `hbase-emulator` binary with `--data-dir`, killed with SIGKILL while a
//! client streams writes, again and again: after each restart every
//! acknowledged write is there.
//!
//! `HBASE_EMULATOR_KILL_ROUNDS` sets the number of rounds (default 20).

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hbase_orm_idl::hbase::{
    BatchMutation, ColumnDescriptor, HbaseSyncClient, Mutation, THbaseSyncClient,
};
use hbase_orm_idl::thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TInputProtocol, TOutputProtocol,
};
use hbase_orm_idl::thrift::transport::{
    TBufferedReadTransport, TBufferedWriteTransport, TIoChannel, TTcpChannel,
};

const BIN: &str = env!("CARGO_BIN_EXE_hbase-emulator");
const TABLE: &[u8] = b"kill9";

type Client = HbaseSyncClient<Box<dyn TInputProtocol + Send>, Box<dyn TOutputProtocol + Send>>;

/// A fresh directory under the system's temporary directory, removed on
/// drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "hbase-emulator-{tag}-{}-{nanos}",
            std::process::id()
        ));
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A running binary, killed and reaped on drop.
struct Running {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on `data` and waits for its listening line; its
/// standard error goes to `log`.
fn spawn(data: &Path, log: &Path, extra: &[&str]) -> Running {
    let stderr = File::options()
        .create(true)
        .append(true)
        .open(log)
        .expect("open the log file");
    let mut child = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(extra)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("spawn hbase-emulator");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    let read = BufReader::new(stdout).read_line(&mut line);
    let addr = line
        .strip_prefix("hbase-emulator listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|a| a.parse().ok());
    match (read, addr) {
        (Ok(_), Some(addr)) => Running { child, addr },
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            let mut text = String::new();
            let _ = File::open(log).and_then(|mut f| f.read_to_string(&mut text));
            panic!("the emulator did not start: {line:?}\n{text}");
        }
    }
}

fn client(addr: SocketAddr) -> Client {
    try_client(addr).expect("connect")
}

/// A client, or `None` when the server is already gone (a writer or reader
/// thread that starts after the kill has nothing to do).
fn try_client(addr: SocketAddr) -> Option<Client> {
    let stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream
        .set_write_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream.set_nodelay(true).expect("nodelay");
    let (read, write) = TTcpChannel::with_stream(stream).split().expect("split");
    let input: Box<dyn TInputProtocol + Send> = Box::new(TBinaryInputProtocol::new(
        TBufferedReadTransport::new(read),
        true,
    ));
    let output: Box<dyn TOutputProtocol + Send> = Box::new(TBinaryOutputProtocol::new(
        TBufferedWriteTransport::new(write),
        true,
    ));
    Some(HbaseSyncClient::new(input, output))
}

/// A column family descriptor with the gateway's defaults but for the name
/// and the number of versions.
fn family(name: &str, max_versions: i32) -> ColumnDescriptor {
    ColumnDescriptor {
        name: Some(name.as_bytes().to_vec()),
        max_versions: Some(max_versions),
        compression: None,
        in_memory: None,
        bloom_filter_type: None,
        bloom_filter_vector_size: None,
        bloom_filter_nb_hashes: None,
        block_cache_enabled: None,
        time_to_live: None,
    }
}

/// Every row of the table: row key to the value of `f:q`, and the counter.
fn read_all(c: &mut Client) -> (HashMap<Vec<u8>, Vec<u8>>, Option<i64>) {
    let id = c
        .scanner_open(TABLE.to_vec(), Vec::new(), Vec::new(), BTreeMap::new())
        .expect("scannerOpen");
    let mut rows = HashMap::new();
    let mut counter = None;
    loop {
        let batch = c.scanner_get_list(id, 1000).expect("scannerGetList");
        if batch.is_empty() {
            break;
        }
        for r in batch {
            let key = r.row.expect("row key");
            let columns = r.columns.unwrap_or_default();
            if key == b"counter" {
                let cell = columns.get(&b"f:n"[..]).expect("counter cell");
                let value = cell.value.clone().expect("counter value");
                counter = Some(i64::from_be_bytes(
                    value[..].try_into().expect("8-byte counter"),
                ));
            } else if let Some(cell) = columns.get(&b"f:q"[..]) {
                rows.insert(key, cell.value.clone().expect("value"));
            }
        }
    }
    c.scanner_close(id).expect("scannerClose");
    (rows, counter)
}

/// What the writer saw acknowledged.
#[derive(Debug, Default)]
struct Acked {
    puts: Vec<(Vec<u8>, Vec<u8>)>,
    increments: u64,
}

/// Writes until the server goes away: a put, then an increment, each
/// recorded once acknowledged.
fn write_until_killed(addr: SocketAddr, round: usize, acked: Arc<Mutex<Acked>>) {
    let Some(mut c) = try_client(addr) else {
        return;
    };
    for i in 0u64.. {
        let row = format!("r{round:03}-{i:06}").into_bytes();
        let value = format!("value {round} {i} {}", "x".repeat((i % 50) as usize)).into_bytes();
        let put = Mutation::new(false, b"f:q".to_vec(), value.clone(), true);
        if c.mutate_row(TABLE.to_vec(), row.clone(), vec![put], BTreeMap::new())
            .is_err()
        {
            return;
        }
        acked.lock().expect("acked").puts.push((row, value));
        if c.atomic_increment(TABLE.to_vec(), b"counter".to_vec(), b"f:n".to_vec(), 1)
            .is_err()
        {
            return;
        }
        acked.lock().expect("acked").increments += 1;
    }
}

/// Writes batches of `BATCH` rows in one `mutateRows` each until the server
/// goes away, recording each batch once acknowledged.
fn batches_until_killed(
    addr: SocketAddr,
    round: usize,
    acked: Arc<Mutex<Acked>>,
    batches_acked: Arc<AtomicUsize>,
) {
    let Some(mut c) = try_client(addr) else {
        return;
    };
    for b in 0usize.. {
        let rows: Vec<(Vec<u8>, Vec<u8>)> = (0..BATCH)
            .map(|j| {
                (
                    format!("b{round:03}-{b:03}-{j:05}").into_bytes(),
                    format!("batch {round} {b} {j}").into_bytes(),
                )
            })
            .collect();
        let batch = rows
            .iter()
            .map(|(row, value)| {
                BatchMutation::new(
                    row.clone(),
                    vec![Mutation::new(false, b"f:q".to_vec(), value.clone(), true)],
                )
            })
            .collect();
        if c.mutate_rows(TABLE.to_vec(), batch, BTreeMap::new())
            .is_err()
        {
            return;
        }
        acked.lock().expect("acked").puts.extend(rows);
        batches_acked.store(b + 1, Ordering::SeqCst);
    }
}

/// Rows per `mutateRows` of [`batches_until_killed`].
const BATCH: usize = 1000;

/// What the reader of a round shares with the test.
struct Reader {
    /// Every row it saw, with its value.
    seen: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
    /// How many batches the batch writer saw acknowledged.
    batches_acked: Arc<AtomicUsize>,
    /// Called once it sees a row of a batch not acknowledged yet, when set:
    /// kills the server right then.
    kill: Option<Box<dyn Fn() + Send + Sync>>,
}

/// Reads this round's rows on a connection of its own until the server goes
/// away, recording every row it saw.
fn read_until_killed(addr: SocketAddr, round: usize, reader: Arc<Reader>) {
    let Some(mut c) = try_client(addr) else {
        return;
    };
    for pass in 0usize.. {
        let prefix = if pass % 2 == 0 {
            format!("b{round:03}-")
        } else {
            format!("r{round:03}-")
        };
        let Ok(id) = c.scanner_open_with_prefix(
            TABLE.to_vec(),
            prefix.into_bytes(),
            Vec::new(),
            BTreeMap::new(),
        ) else {
            return;
        };
        loop {
            let Ok(batch) = c.scanner_get_list(id, 1000) else {
                return;
            };
            if batch.is_empty() {
                break;
            }
            let mut seen = reader.seen.lock().expect("seen");
            for r in batch {
                let key = r.row.expect("row key");
                if let Some(cell) = r.columns.unwrap_or_default().get(&b"f:q"[..]) {
                    if let (Some(kill), Some(b)) = (&reader.kill, batch_of(&key)) {
                        if b >= reader.batches_acked.load(Ordering::SeqCst) {
                            seen.insert(key, cell.value.clone().expect("value"));
                            kill();
                            return;
                        }
                    }
                    seen.insert(key, cell.value.clone().expect("value"));
                }
            }
        }
        if c.scanner_close(id).is_err() {
            return;
        }
    }
}

/// Sends SIGKILL to `pid` at once (no process spawned for it).
fn kill_9(pid: u32) {
    #[cfg(unix)]
    if let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// The batch number of a row written by [`batches_until_killed`].
fn batch_of(key: &[u8]) -> Option<usize> {
    std::str::from_utf8(key)
        .ok()?
        .strip_prefix('b')?
        .split('-')
        .nth(1)?
        .parse()
        .ok()
}

/// A small pseudo-random generator (xorshift), seeded from the clock; the
/// seed is printed so a failing run can be told apart.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            | 1;
        eprintln!("kill -9 test seed {seed}");
        Rng(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn kill_9_during_acknowledged_writes_loses_none_of_them() {
    let rounds: usize = std::env::var("HBASE_EMULATOR_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let tmp = TempDir::new("kill9");
    let data = tmp.0.join("data");
    let log = tmp.0.join("emulator.log");
    let mut rng = Rng::new();
    // small so that compactions (and kills during them) happen
    let compaction = ["--wal-compaction-bytes", "32768"];

    {
        let server = spawn(&data, &log, &compaction);
        let mut c = client(server.addr);
        c.create_table(TABLE.to_vec(), vec![family("f", 1)])
            .expect("createTable");
    }

    let mut expected: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
    let mut counter = 0i64;
    let mut in_flight_puts = 0usize;
    let mut total_puts = 0usize;
    let mut total_increments = 0u64;
    let mut total_seen = 0usize;
    for round in 0..rounds {
        // both policies keep acknowledged writes across a process kill
        let fsync = if round % 2 == 0 {
            "always"
        } else {
            "grouped:20"
        };
        let mut args = compaction.to_vec();
        args.extend(["--fsync", fsync]);
        let mut server = spawn(&data, &log, &args);
        let acked = Arc::new(Mutex::new(Acked::default()));
        let batches_acked = Arc::new(AtomicUsize::new(0));
        let pid = server.child.id();
        // Odd rounds: killed the moment a reader sees a row of a batch whose
        // mutateRows is not acknowledged yet, the worst moment for a store
        // that shows changes before logging them.
        let kill: Option<Box<dyn Fn() + Send + Sync>> =
            (round % 2 == 1).then(|| Box::new(move || kill_9(pid)) as Box<dyn Fn() + Send + Sync>);
        let reader = Arc::new(Reader {
            seen: Mutex::new(HashMap::new()),
            batches_acked: Arc::clone(&batches_acked),
            kill,
        });
        let writer = {
            let acked = Arc::clone(&acked);
            let addr = server.addr;
            thread::spawn(move || write_until_killed(addr, round, acked))
        };
        let batcher = {
            let acked = Arc::clone(&acked);
            let addr = server.addr;
            thread::spawn(move || batches_until_killed(addr, round, acked, batches_acked))
        };
        let reading = {
            let reader = Arc::clone(&reader);
            let addr = server.addr;
            thread::spawn(move || read_until_killed(addr, round, reader))
        };
        if round % 2 == 1 {
            // Wait (boundedly) for the reader to kill it.
            for _ in 0..300 {
                if reading.is_finished() {
                    break;
                }
                thread::sleep(Duration::from_millis(1));
            }
        } else {
            thread::sleep(Duration::from_millis(10 + rng.below(150)));
        }
        let _ = server.child.kill();
        server.child.wait().expect("reap");
        writer.join().expect("writer thread");
        batcher.join().expect("batch writer thread");
        reading.join().expect("reader thread");
        drop(server);
        let seen = std::mem::take(&mut *reader.seen.lock().expect("seen"));

        let acked = std::mem::take(&mut *acked.lock().expect("acked"));
        total_puts += acked.puts.len();
        total_increments += acked.increments;
        expected.extend(acked.puts);

        let server = spawn(&data, &log, &args);
        let mut c = client(server.addr);
        let (rows, found_counter) = read_all(&mut c);
        for (row, value) in &expected {
            assert_eq!(
                rows.get(row),
                Some(value),
                "round {round}: acknowledged put of {} lost",
                String::from_utf8_lossy(row)
            );
        }
        // what the reader saw on its own connection is there: no change was
        // visible before it was logged
        total_seen += seen.len();
        let lost: Vec<_> = seen
            .iter()
            .filter(|(row, value)| rows.get(*row) != Some(*value))
            .map(|(row, _)| String::from_utf8_lossy(row).into_owned())
            .collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} rows seen by a reader before the kill are gone, e.g. {:?}",
            lost.len(),
            &lost[..lost.len().min(5)]
        );
        // at most the put and the batch in flight per round landed
        // unacknowledged
        in_flight_puts += rows.len() - expected.len();
        assert!(
            in_flight_puts <= (round + 1) * (BATCH + 1),
            "{in_flight_puts} unacknowledged rows after {} rounds",
            round + 1
        );
        for (row, value) in rows {
            expected.entry(row).or_insert(value);
        }
        // the counter holds every acknowledged increment, plus perhaps the
        // one in flight
        let found = found_counter.unwrap_or(0);
        let floor = counter + acked.increments as i64;
        assert!(
            found == floor || found == floor + 1,
            "round {round}: counter {found}, acknowledged {floor}"
        );
        counter = found;
    }
    let mut text = String::new();
    File::open(&log)
        .and_then(|mut f| f.read_to_string(&mut text))
        .expect("read the log");
    eprintln!(
        "kill -9 test: {rounds} rounds, {total_puts} acknowledged puts and {total_increments} \
         acknowledged increments checked ({} rows, counter {counter}), {total_seen} rows seen \
         by a reader all kept; {} torn tails cut off, {} snapshots written",
        expected.len(),
        text.matches("cutting off a torn tail").count(),
        text.matches("snapshot").count(),
    );
    assert!(total_puts > 0, "no write was acknowledged");
}

#[test]
fn a_second_emulator_on_the_same_directory_is_refused() {
    let tmp = TempDir::new("lock");
    let data = tmp.0.join("data");
    let log = tmp.0.join("emulator.log");
    let _first = spawn(&data, &log, &[]);
    let out = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .stdin(Stdio::null())
        .output()
        .expect("run a second emulator");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("in use by another hbase-emulator"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_clean_restart_keeps_tables_families_and_versions() {
    let tmp = TempDir::new("restart");
    let data = tmp.0.join("data");
    let log = tmp.0.join("emulator.log");
    let families = |c: &mut Client| {
        let mut names: Vec<(Vec<u8>, i32)> = c
            .get_column_descriptors(b"t".to_vec())
            .expect("getColumnDescriptors")
            .into_values()
            .map(|d| (d.name.unwrap_or_default(), d.max_versions.unwrap_or(0)))
            .collect();
        names.sort();
        names
    };
    let versions = |c: &mut Client| {
        c.get_ver(
            b"t".to_vec(),
            b"r".to_vec(),
            b"a:q".to_vec(),
            10,
            BTreeMap::new(),
        )
        .expect("getVer")
        .into_iter()
        .map(|cell| (cell.timestamp.unwrap_or(0), cell.value.unwrap_or_default()))
        .collect::<Vec<_>>()
    };
    let (before_families, before_versions) = {
        let mut server = spawn(&data, &log, &[]);
        let mut c = client(server.addr);
        c.create_table(b"t".to_vec(), vec![family("a:", 3), family("b:", 1)])
            .expect("createTable");
        for ts in 1..=4i64 {
            c.mutate_row_ts(
                b"t".to_vec(),
                b"r".to_vec(),
                vec![Mutation::new(
                    false,
                    b"a:q".to_vec(),
                    format!("v{ts}").into_bytes(),
                    true,
                )],
                ts,
                BTreeMap::new(),
            )
            .expect("mutateRowTs");
        }
        let state = (families(&mut c), versions(&mut c));
        drop(c);
        // a clean stop this time
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(server.child.id().to_string())
                .status();
            let _ = server.child.wait();
        }
        state
    };
    assert_eq!(before_versions.len(), 3);
    let server = spawn(&data, &log, &[]);
    let mut c = client(server.addr);
    assert_eq!(families(&mut c), before_families);
    assert_eq!(versions(&mut c), before_versions);
}

#[test]
fn an_in_process_emulator_keeps_its_data_in_the_directory() {
    let tmp = TempDir::new("in-process");
    let data = tmp.0.join("data");
    let start = || {
        hbase_emulator::Emulator::builder()
            .data_dir(&data)
            .fsync_policy(hbase_emulator::FsyncPolicy::Grouped {
                max_delay: Duration::from_millis(5),
            })
            .start_blocking()
            .expect("start")
    };
    {
        let emulator = start();
        let mut c = client(emulator.addr());
        c.create_table(TABLE.to_vec(), vec![family("f", 1)])
            .expect("createTable");
        let put = Mutation::new(false, b"f:q".to_vec(), b"kept".to_vec(), true);
        c.mutate_row(TABLE.to_vec(), b"row".to_vec(), vec![put], BTreeMap::new())
            .expect("mutateRow");
        // the directory is taken while it runs
        let err = hbase_emulator::Emulator::builder()
            .data_dir(&data)
            .start_blocking()
            .expect_err("a second emulator on the directory");
        assert!(err.to_string().contains("in use"), "{err}");
    }
    // and released once it is dropped
    let emulator = start();
    let mut c = client(emulator.addr());
    let (rows, _) = read_all(&mut c);
    assert_eq!(rows.get(&b"row"[..]), Some(&b"kept".to_vec()));
}

/// The frames of a log file: `(offset, total length)` of each.
fn frames_of(log: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 16;
    while at + 8 <= log.len() {
        let len = u32::from_le_bytes(log[at..at + 4].try_into().expect("4 bytes")) as usize;
        out.push((at, 8 + len));
        at += 8 + len;
    }
    assert_eq!(at, log.len(), "a clean log ends at a frame boundary");
    out
}

/// The only log file in `data`.
fn the_log(data: &Path) -> PathBuf {
    let logs: Vec<PathBuf> = fs::read_dir(data)
        .expect("list the data directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("wal-") && n.ends_with(".log"))
        })
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    logs.into_iter().next().expect("one log")
}

#[test]
fn damage_to_any_frame_of_a_real_log_stops_the_start_and_cuts_nothing() {
    const ROWS: usize = 30;
    let tmp = TempDir::new("corrupt");
    let data = tmp.0.join("data");
    let start = || {
        hbase_emulator::Emulator::builder()
            .data_dir(&data)
            .start_blocking()
    };
    {
        let emulator = start().expect("start");
        let mut c = client(emulator.addr());
        c.create_table(TABLE.to_vec(), vec![family("f", 1)])
            .expect("createTable");
        for i in 0..ROWS {
            let put = Mutation::new(false, b"f:q".to_vec(), format!("v{i}").into_bytes(), true);
            c.mutate_row(
                TABLE.to_vec(),
                format!("row{i:03}").into_bytes(),
                vec![put],
                BTreeMap::new(),
            )
            .expect("mutateRow");
        }
    }
    let path = the_log(&data);
    let clean = fs::read(&path).expect("read the log");
    let frames = frames_of(&clean);
    assert_eq!(frames.len(), ROWS + 1, "createTable and one frame per row");
    // Each frame's length field (low, middle and high byte: shorter, longer,
    // far past the end), its checksum and its payload.
    for (i, &(offset, len)) in frames.iter().enumerate() {
        for (byte, flip) in [
            (0, 0x01u8),
            (1, 0x01),
            (3, 0x80),
            (4, 0x01),
            (len - 1, 0x20),
        ] {
            let mut bad = clean.clone();
            bad[offset + byte] ^= flip;
            fs::write(&path, &bad).expect("write the damaged log");
            let what = format!("frame {i} at {offset}, byte {byte} ^ {flip:#x}");
            match start() {
                Ok(_) => panic!("{what}: started on a damaged log"),
                Err(e) => {
                    let message = e.to_string();
                    assert!(
                        message.contains(&format!("offset {offset}")),
                        "{what}: {message}"
                    );
                    assert!(message.contains("wal-"), "{what}: {message}");
                }
            }
            assert_eq!(
                fs::read(&path).expect("read"),
                bad,
                "{what}: the log was cut"
            );
        }
    }
    // The binary refuses too, with the file and offset, and exits non-zero.
    let (offset, _) = frames[ROWS / 2];
    let mut bad = clean.clone();
    bad[offset + 2] ^= 0x04;
    fs::write(&path, &bad).expect("write the damaged log");
    let out = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .stdin(Stdio::null())
        .output()
        .expect("run hbase-emulator");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("offset {offset}")), "{stderr}");
    assert_eq!(fs::read(&path).expect("read"), bad);

    // What a crash leaves, the last frame cut short, is cut off: every
    // other row is there.
    let (last, _) = *frames.last().expect("frames");
    fs::write(&path, &clean[..clean.len() - 3]).expect("write the torn log");
    let emulator = start().expect("a torn tail is not an error");
    let mut c = client(emulator.addr());
    let (rows, _) = read_all(&mut c);
    assert_eq!(rows.len(), ROWS - 1);
    drop(c);
    drop(emulator);
    assert_eq!(fs::metadata(&path).expect("stat").len(), last as u64);
}
