//! Measurements of the four attacks of the emulator's hardening, against
//! any `hbase-emulator` binary (an old one too, to compare): ignored by
//! default, they print figures and assert nothing about them.
//!
//! ```text
//! HBASE_EMULATOR_BIN=target/release/hbase-emulator \
//! HBASE_EMULATOR_ARGS="--max-scanners 200000 --max-scanners-per-connection 200000" \
//!   cargo test -p hbase-orm-tests --test emulator attacks:: -- --ignored --nocapture --test-threads 1
//! ```
//!
//! - `leaked_scanners`: the latency of `scannerGet` on one connection while
//!   another leaves up to 100,000 scanners open (`LEAK_TARGETS`, e.g.
//!   `1000,10000,100000`).
//! - `regex_flood`: the server's resident memory and CPU time after
//!   `scannerOpenWithScan` calls with a filter of 2,000 ORed regular
//!   expressions each.
//! - `seen_then_lost`: kill -9 the moment a reader on another connection
//!   sees a row of a 50,000-row `mutateRows` that is still in flight, then
//!   count the seen rows missing after the restart.
//! - `corrupted_wal`: 1,000 acknowledged rows; for every frame of the log,
//!   a flipped bit in its length field (in its second byte and in its
//!   last) and, every 50th frame, in its checksum and payload: does the
//!   start refuse, how many rows does it show, is the log cut.
//!
//! `HBASE_EMULATOR_ARGS` are added to every start (flags an old binary
//! lacks must be left out for it).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use hbase_orm_tests::hbase::{BatchMutation, Mutation, THbaseSyncClient, TScan};
use hbase_orm_tests::{client, family, Combo, SyncClient};

/// The binary under measurement and its extra flags.
fn binary() -> (PathBuf, Vec<String>) {
    let bin = std::env::var_os("HBASE_EMULATOR_BIN")
        .map(PathBuf::from)
        .expect("set HBASE_EMULATOR_BIN to the hbase-emulator binary to measure");
    let args = std::env::var("HBASE_EMULATOR_ARGS")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    (bin, args)
}

/// A running emulator process; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts the binary with `extra` flags; `None` when it exits (or does
    /// not listen within 60 s) instead.
    fn start(extra: &[&str]) -> Option<Server> {
        let (bin, args) = binary();
        let mut child = Command::new(&bin)
            .args(["--bind", "127.0.0.1:0"])
            .args(extra)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("hbase-emulator listening on ") {
                        let addr = rest.split_whitespace().next().and_then(|a| a.parse().ok());
                        let Some(addr) = addr else {
                            let _ = child.kill();
                            let _ = child.wait();
                            return None;
                        };
                        return Some(Server { child, addr });
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Ok(Some(_)) = child.try_wait() {
                        return None;
                    }
                    if left.is_zero() {
                        let _ = child.kill();
                        let _ = child.wait();
                        return None;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let _ = child.wait();
                    return None;
                }
            }
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn client(&self) -> SyncClient {
        client(self.addr, Combo::DEFAULT)
    }
}

/// `VmRSS` and `VmHWM` of `pid`, in MiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(0, |kib| kib / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU time of `pid`.
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13
    // after the state, which does not parse as a number.
    let ticks = fields.get(10).copied().unwrap_or(0) + fields.get(11).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn no() -> BTreeMap<Vec<u8>, Vec<u8>> {
    BTreeMap::new()
}

fn put(column: &str, value: &str) -> Mutation {
    Mutation {
        is_delete: Some(false),
        column: Some(column.into()),
        value: Some(value.into()),
        write_to_w_a_l: Some(true),
    }
}

/// The mean latency of `n` `scannerGet` calls on one open scanner.
fn scanner_get_latency(c: &mut SyncClient, n: u32) -> Duration {
    let id = c
        .scanner_open(b"t".to_vec(), b"r".to_vec(), vec![], no())
        .expect("open the measuring scanner");
    let start = Instant::now();
    for _ in 0..n {
        c.scanner_get(id).expect("scannerGet");
    }
    let each = start.elapsed() / n;
    let _ = c.scanner_close(id);
    each
}

#[test]
#[ignore = "a measurement: run with HBASE_EMULATOR_BIN set, --ignored --nocapture"]
fn leaked_scanners() {
    let server = Server::start(&[]).expect("the emulator starts");
    let mut c = server.client();
    c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
    let rows: Vec<BatchMutation> = (0..10_000)
        .map(|i| BatchMutation {
            row: Some(format!("r{i:05}").into_bytes()),
            mutations: Some(vec![put("cf:a", "v")]),
        })
        .collect();
    c.mutate_rows(b"t".to_vec(), rows, no()).unwrap();
    let scan_10k = |c: &mut SyncClient| {
        let start = Instant::now();
        let id = c.scanner_open(b"t".to_vec(), vec![], vec![], no()).unwrap();
        let mut n = 0;
        loop {
            let page = c.scanner_get_list(id, 1000).unwrap();
            if page.is_empty() {
                break;
            }
            n += page.len();
        }
        let _ = c.scanner_close(id);
        (n, start.elapsed())
    };
    println!(
        "leaked_scanners: 0 open: scannerGet {:?}, 10k-row scan {:?}",
        scanner_get_latency(&mut c, 2000),
        scan_10k(&mut c)
    );
    let mut leaker = server.client();
    let mut open = 0usize;
    let mut refusal = None;
    // LEAK_TARGETS: the open-scanner counts to measure at (an old binary
    // walks every scanner on each call, so its 100k take minutes to open).
    let targets: Vec<usize> = std::env::var("LEAK_TARGETS")
        .unwrap_or_else(|_| "1000,10000,100000".to_owned())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    for target in targets {
        while open < target {
            match leaker.scanner_open(b"t".to_vec(), vec![], vec![], no()) {
                Ok(_) => open += 1,
                Err(e) => {
                    refusal = Some(format!("refused after {open}: {e}"));
                    break;
                }
            }
        }
        let (rss, _) = memory(server.pid());
        println!(
            "leaked_scanners: {open} open (RSS {rss} MiB): scannerGet {:?}, 10k-row scan {:?}",
            scanner_get_latency(&mut c, 2000),
            scan_10k(&mut c)
        );
        if refusal.is_some() {
            break;
        }
    }
    if let Some(r) = refusal {
        println!("leaked_scanners: the leaking connection was {r}");
    }
}

/// A filter of `n` short regular expressions ORed together (about 45
/// bytes each): `FLOOD_REGEX` with `#` replaced by the comparator's number
/// (default `\w{1,8}z#`).
fn regex_flood(n: usize) -> String {
    let regex = std::env::var("FLOOD_REGEX").unwrap_or_else(|_| "\\w{1,8}z#".to_owned());
    (0..n)
        .map(|i| {
            let body = regex.replace('#', &format!("{i:04}"));
            format!("ValueFilter(=, 'regexstring:{body}')")
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

#[test]
#[ignore = "a measurement: run with HBASE_EMULATOR_BIN set, --ignored --nocapture"]
fn regex_flood_memory() {
    let server = Server::start(&[]).expect("the emulator starts");
    let mut c = server.client();
    c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
    let filter = regex_flood(2000);
    let (rss, _) = memory(server.pid());
    println!(
        "regex_flood: filter of {} bytes; RSS before {rss} MiB",
        filter.len()
    );
    let scans: usize = std::env::var("FLOOD_SCANNERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    for i in 1..=scans {
        let scan = TScan {
            filter_string: Some(filter.clone().into_bytes()),
            ..TScan::default()
        };
        let cpu_before = cpu(server.pid());
        let start = Instant::now();
        let outcome = match c.scanner_open_with_scan(b"t".to_vec(), scan, no()) {
            Ok(_) => "open".to_owned(),
            Err(e) => format!("refused: {}", first_line(&format!("{e:?}"))),
        };
        let (rss, hwm) = memory(server.pid());
        println!(
            "regex_flood: scanner {i}: {outcome}; {:?} wall, {:?} server CPU; RSS {rss} MiB (peak {hwm} MiB)",
            start.elapsed(),
            cpu(server.pid()).saturating_sub(cpu_before)
        );
    }
}

fn first_line(s: &str) -> String {
    s.chars().take(160).collect()
}

#[test]
#[ignore = "a measurement: run with HBASE_EMULATOR_BIN set, --ignored --nocapture"]
fn seen_then_lost() {
    let rounds: usize = std::env::var("KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let batch: usize = std::env::var("KILL_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let mut lost_rounds = 0;
    let mut seen_rounds = 0;
    for round in 0..rounds {
        let dir = scratch(&format!("kill{round}"));
        let data = ["--data-dir", dir.to_str().unwrap()];
        let server = Server::start(&data).expect("the emulator starts");
        let mut c = server.client();
        c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
        let addr = server.addr;
        let seen = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (seen, stop) = (seen.clone(), stop.clone());
            let pid = server.pid();
            std::thread::spawn(move || {
                let mut r = client(addr, Combo::DEFAULT);
                let first = format!("b{:06}", 0).into_bytes();
                while !stop.load(Ordering::Relaxed) {
                    match r.get_row(b"t".to_vec(), first.clone(), BTreeMap::new()) {
                        Ok(rows) if !rows.is_empty() => {
                            // SIGKILL at once: the batch is not acknowledged.
                            kill_9(pid);
                            seen.store(true, Ordering::SeqCst);
                            return;
                        }
                        Ok(_) => {}
                        Err(_) => return,
                    }
                }
            })
        };
        let rows: Vec<BatchMutation> = (0..batch)
            .map(|i| BatchMutation {
                row: Some(format!("b{i:06}").into_bytes()),
                mutations: Some(vec![put("cf:a", "v")]),
            })
            .collect();
        let acked = c.mutate_rows(b"t".to_vec(), rows, no()).is_ok();
        stop.store(true, Ordering::SeqCst);
        let _ = reader.join();
        drop(server);
        let saw = seen.load(Ordering::SeqCst);
        let restarted = Server::start(&data).expect("the emulator restarts");
        let mut c = restarted.client();
        let present = !c
            .get_row(b"t".to_vec(), format!("b{:06}", 0).into_bytes(), no())
            .unwrap_or_default()
            .is_empty();
        let lost = saw && !present;
        seen_rounds += usize::from(saw);
        lost_rounds += usize::from(lost);
        println!(
            "seen_then_lost: round {round}: batch acknowledged {acked}, reader saw its first row {saw}, \
             present after restart {present}{}",
            if lost { "  <- SEEN THEN LOST" } else { "" }
        );
        drop(restarted);
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "seen_then_lost: {lost_rounds} of {rounds} rounds lost a row a reader had seen \
         ({seen_rounds} rounds saw a row of the in-flight batch; batch of {batch} rows)"
    );
}

/// SIGKILL to `pid`, by the system call itself (no `kill` process to wait
/// for).
fn kill_9(pid: u32) {
    if let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hbe-attack-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The log file of `dir` (the only `wal-*.log`).
fn the_log(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("wal-") && n.ends_with(".log"))
        })
        .expect("a log file")
}

/// (offset, total length) of each frame: a 16-byte file header, then
/// `len: u32 LE | crc: u32 LE | payload`.
fn frames(log: &[u8]) -> Vec<(usize, usize)> {
    let mut at = 16;
    let mut out = Vec::new();
    while at + 8 <= log.len() {
        let len = u32::from_le_bytes(log[at..at + 4].try_into().unwrap()) as usize;
        out.push((at, 8 + len));
        at += 8 + len;
    }
    out
}

fn count_rows(c: &mut SyncClient) -> usize {
    let Ok(id) = c.scanner_open(b"t".to_vec(), vec![], vec![], no()) else {
        return 0;
    };
    let mut n = 0;
    while let Ok(page) = c.scanner_get_list(id, 1000) {
        if page.is_empty() {
            break;
        }
        n += page.len();
    }
    n
}

#[test]
#[ignore = "a measurement: run with HBASE_EMULATOR_BIN set, --ignored --nocapture"]
fn corrupted_wal() {
    let rows = 1000;
    let dir = scratch("wal");
    let data = ["--data-dir", dir.to_str().unwrap()];
    {
        let server = Server::start(&data).expect("the emulator starts");
        let mut c = server.client();
        c.create_table(b"t".to_vec(), vec![family("cf")]).unwrap();
        for i in 0..rows {
            c.mutate_row(
                b"t".to_vec(),
                format!("r{i:04}").into_bytes(),
                vec![put("cf:a", "value")],
                no(),
            )
            .unwrap();
        }
    }
    let log_path = the_log(&dir);
    let pristine = std::fs::read(&log_path).unwrap();
    let all = frames(&pristine);
    println!(
        "corrupted_wal: {rows} acknowledged rows, log of {} bytes, {} frames",
        pristine.len(),
        all.len()
    );
    // (what, frames hit, refused, started with all rows, started with
    // fewer, lowest row count seen, log cut).
    let mut summary: BTreeMap<&str, [usize; 6]> = BTreeMap::new();
    for (i, &(at, _)) in all.iter().enumerate() {
        // The length field is little-endian: a flip in its second byte
        // adds 256 (the frame then ends inside the file), one in its last
        // byte adds 16 MiB (past the end of the file, like a torn tail).
        let mut kinds = vec![("length +256", at + 1), ("length +16Mi", at + 3)];
        if i % 50 == 0 {
            kinds.push(("checksum", at + 5));
            kinds.push(("payload", at + 9));
        }
        for (kind, byte) in kinds {
            // Each start gets a fresh copy of the directory, so that what an
            // earlier start wrote or cut does not carry over.
            let work = scratch("wal-work");
            for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
                std::fs::copy(entry.path(), work.join(entry.file_name())).unwrap();
            }
            let work_log = work.join(log_path.file_name().unwrap());
            let mut damaged = pristine.clone();
            damaged[byte] ^= 0x01;
            std::fs::write(&work_log, &damaged).unwrap();
            let s = summary.entry(kind).or_insert([0, 0, 0, 0, usize::MAX, 0]);
            s[0] += 1;
            let work_data = ["--data-dir", work.to_str().unwrap()];
            match Server::start(&work_data) {
                None => s[1] += 1,
                Some(server) => {
                    let n = count_rows(&mut server.client());
                    drop(server);
                    if n == rows {
                        s[2] += 1;
                    } else {
                        s[3] += 1;
                    }
                    s[4] = s[4].min(n);
                }
            }
            let after = std::fs::metadata(&work_log).map_or(0, |m| m.len() as usize);
            if after < damaged.len() {
                s[5] += 1;
            }
            let _ = std::fs::remove_dir_all(&work);
        }
    }
    for (kind, s) in summary {
        let lowest = if s[4] == usize::MAX {
            "-".to_owned()
        } else {
            s[4].to_string()
        };
        println!(
            "corrupted_wal: {kind} bit flipped in {} frames: start refused {}, started with all rows {}, \
             started with fewer rows {} (lowest {lowest} of {rows}), log cut {}",
            s[0], s[1], s[2], s[3], s[5]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
