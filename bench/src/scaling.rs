//! `--scaling`: how the raw client's cost grows with the work.
//!
//! The bulk load and the full scan at several table sizes (10k, 100k and 1M
//! rows by default), and the concurrent gets with several numbers of tasks
//! (8, 64 and 1 000 by default) over a pool of `--pool-size` connections.
//! Each configuration runs in a child process of its own (this binary with
//! the hidden `--scaling-child WORKLOAD:N`), so that its peak resident set
//! (`VmHWM` of `/proc/self/status`) is that configuration's alone; a
//! `baseline` child that only connects shows what a process costs before any
//! work. For each: ops/s, the client's CPU per operation, the emulator's CPU
//! per operation (from its `/proc/PID/stat`, 10 ms ticks) and the peak RSS.
//!
//! The bulk load child makes its keys as it goes (the same `row-%08d` keys
//! and cells as the main run), so that its memory is the client's, not a
//! table-sized key list's; the full scan child then reads that table and
//! deletes it.

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use hbase_orm::{Connection, ConnectionPool};

use crate::data::{row_key, Data, Workload, BATCH_MUTATIONS, COLUMNS};
use crate::meter::{self, Meter, Sample};
use crate::peers::{expect_count, fresh_table, raw};
use crate::BenchResult;

/// What the parent asks of the children.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Table sizes of the bulk load and the full scan.
    pub(crate) rows: Vec<usize>,
    /// Task counts of the concurrent gets.
    pub(crate) tasks: Vec<usize>,
    /// Gets of each concurrent-gets configuration.
    pub(crate) gets: usize,
    /// Rows of the table the gets read.
    pub(crate) get_rows: usize,
    /// Connections of the pool the tasks share.
    pub(crate) pool_size: usize,
}

/// One configuration, as passed to a child: `workload:n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Config {
    /// Connects and lists the tables, nothing else.
    Baseline,
    /// Loads `n` rows into a fresh table.
    BulkLoad(usize),
    /// Scans the `n` rows the bulk load child wrote, then drops the table.
    FullScan(usize),
    /// The gets by `n` tasks.
    ConcurrentGets(usize),
}

impl Config {
    fn parse(spec: &str) -> BenchResult<Config> {
        let (name, n) = spec
            .split_once(':')
            .ok_or_else(|| format!("bad scaling configuration `{spec}`"))?;
        let n: usize = n.parse()?;
        Ok(match (name, Workload::from_name(name)) {
            ("baseline", _) => Config::Baseline,
            (_, Some(Workload::BulkLoad)) => Config::BulkLoad(n),
            (_, Some(Workload::FullScan)) => Config::FullScan(n),
            (_, Some(Workload::ConcurrentGets)) if n > 0 => Config::ConcurrentGets(n),
            _ => return Err(format!("bad scaling configuration `{spec}`").into()),
        })
    }

    fn spec(self) -> String {
        match self {
            Config::Baseline => "baseline:0".to_owned(),
            Config::BulkLoad(n) => format!("bulk_load:{n}"),
            Config::FullScan(n) => format!("full_scan:{n}"),
            Config::ConcurrentGets(n) => format!("concurrent_gets:{n}"),
        }
    }

    fn describe(self) -> (&'static str, String) {
        match self {
            Config::Baseline => ("baseline", "-".to_owned()),
            Config::BulkLoad(n) => ("bulk_load", format!("{n} rows")),
            Config::FullScan(n) => ("full_scan", format!("{n} rows")),
            Config::ConcurrentGets(n) => ("concurrent_gets", format!("{n} tasks")),
        }
    }
}

/// What a child reports.
#[derive(Debug, Clone, Copy)]
struct Report {
    ops: usize,
    wall: f64,
    cpu: f64,
    server_cpu: Option<f64>,
    peak_kib: u64,
}

fn table_for(rows: usize) -> String {
    Data::table_name(&format!("scale_{rows}"))
}

const GETS_TABLE: &str = "bench_scale_gets";

/// Runs every configuration of `plan`, each in a child process, and returns
/// the printed table.
pub(crate) fn run(
    plan: &Plan,
    addr: SocketAddr,
    server_pid: Option<u32>,
    runtime: &tokio::runtime::Runtime,
) -> BenchResult<String> {
    let mut configs = vec![Config::Baseline];
    for &rows in &plan.rows {
        configs.push(Config::BulkLoad(rows));
        configs.push(Config::FullScan(rows));
    }
    let mut reports = Vec::new();
    for config in configs {
        eprintln!("scaling: {} ...", config.spec());
        reports.push((config, child_process(config, plan, addr, server_pid)?));
    }
    if !plan.tasks.is_empty() {
        eprintln!("scaling: loading {} rows for the gets ...", plan.get_rows);
        let rows = plan.get_rows;
        runtime.block_on(async move {
            let conn = Connection::builder().addr(addr).connect().await?;
            fresh_table(&conn, GETS_TABLE).await?;
            load(&conn, GETS_TABLE, rows).await?;
            conn.close().await;
            BenchResult::Ok(())
        })?;
        for &tasks in &plan.tasks {
            let config = Config::ConcurrentGets(tasks);
            eprintln!("scaling: {} ...", config.spec());
            reports.push((config, child_process(config, plan, addr, server_pid)?));
        }
        runtime.block_on(async move {
            let conn = Connection::builder().addr(addr).connect().await?;
            conn.delete_table(GETS_TABLE, true).await?;
            conn.close().await;
            BenchResult::Ok(())
        })?;
    }
    Ok(render(plan, &reports))
}

fn render(plan: &Plan, reports: &[(Config, Report)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scaling: raw client, each configuration in a child process of its own \
         (peak RSS = its VmHWM); gets: {} over a pool of {} on a table of {} rows",
        plan.gets, plan.pool_size, plan.get_rows
    );
    let _ = writeln!(
        out,
        "{:<16} {:>13} {:>9} {:>10} {:>16} {:>16} {:>13}",
        "workload", "size", "ops", "ops/s", "client_cpu_us/op", "server_cpu_us/op", "peak_rss_MiB"
    );
    for (config, r) in reports {
        let (name, size) = config.describe();
        let per_op = |s: f64| s * 1e6 / r.ops.max(1) as f64;
        let (rate, cpu, server) = if r.ops == 0 {
            ("-".to_owned(), "-".to_owned(), "-".to_owned())
        } else {
            (
                format!("{:.0}", r.ops as f64 / r.wall.max(1e-9)),
                format!("{:.2}", per_op(r.cpu)),
                r.server_cpu
                    .map_or_else(|| "-".to_owned(), |s| format!("{:.2}", per_op(s))),
            )
        };
        let _ = writeln!(
            out,
            "{name:<16} {size:>13} {:>9} {rate:>10} {cpu:>16} {server:>16} {:>13.1}",
            r.ops,
            r.peak_kib as f64 / 1024.0
        );
    }
    out
}

fn child_process(
    config: Config,
    plan: &Plan,
    addr: SocketAddr,
    server_pid: Option<u32>,
) -> BenchResult<Report> {
    let mut command = Command::new(std::env::current_exe()?);
    command
        .arg("--scaling-child")
        .arg(config.spec())
        .arg("--addr")
        .arg(addr.to_string())
        .arg("--gets")
        .arg(plan.gets.to_string())
        .arg("--rows")
        .arg(plan.get_rows.to_string())
        .arg("--pool-size")
        .arg(plan.pool_size.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(pid) = server_pid {
        command.arg("--server-pid").arg(pid.to_string());
    }
    let output = command.output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "scaling child {} failed ({}): {text}",
            config.spec(),
            output.status
        )
        .into());
    }
    text.lines()
        .find_map(|line| parse_report(line).transpose())
        .unwrap_or_else(|| Err(format!("scaling child {} reported nothing", config.spec()).into()))
}

/// The report of a `scaling <ops> <wall> <cpu> <server_cpu|-> <peak_kib>`
/// line; `None` for other lines.
fn parse_report(line: &str) -> BenchResult<Option<Report>> {
    let Some(rest) = line.strip_prefix("scaling ") else {
        return Ok(None);
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let [ops, wall, cpu, server, peak] = fields[..] else {
        return Err(format!("bad scaling line: {line}").into());
    };
    Ok(Some(Report {
        ops: ops.parse()?,
        wall: wall.parse()?,
        cpu: cpu.parse()?,
        server_cpu: match server {
            "-" => None,
            s => Some(s.parse()?),
        },
        peak_kib: peak.parse()?,
    }))
}

/// The child side: runs one configuration and prints its report line.
pub(crate) fn child(
    spec: &str,
    addr: SocketAddr,
    server_pid: Option<u32>,
    plan: &Plan,
) -> BenchResult<()> {
    let config = Config::parse(spec)?;
    if let Some(pid) = server_pid {
        meter::set_server_pid(pid);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let plan = plan.clone();
    let sample = runtime.block_on(async move {
        tokio::spawn(async move { work(config, addr, &plan).await }).await?
    })?;
    drop(runtime);
    let peak = peak_rss_kib()?;
    let server = sample
        .server_cpu
        .map_or_else(|| "-".to_owned(), |s| format!("{s:.6}"));
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "scaling {} {:.6} {:.6} {server} {peak}",
        sample.ops, sample.wall, sample.cpu
    )?;
    Ok(())
}

async fn work(config: Config, addr: SocketAddr, plan: &Plan) -> BenchResult<Sample> {
    let conn = Connection::builder().addr(addr).connect().await?;
    let sample = match config {
        Config::Baseline => {
            let meter = Meter::start();
            conn.tables().await?;
            meter.stop(Workload::SequentialGets, 0)
        }
        Config::BulkLoad(rows) => {
            let name = table_for(rows);
            fresh_table(&conn, &name).await?;
            let meter = Meter::start();
            load(&conn, &name, rows).await?;
            meter.stop(Workload::BulkLoad, rows)
        }
        Config::FullScan(rows) => {
            let name = table_for(rows);
            let table = conn.table(&name);
            let meter = Meter::start();
            let (scanned, cells) = raw::full_scan(&table, raw::Form::Views).await?;
            let sample = meter.stop(Workload::FullScan, scanned);
            expect_count("rows scanned", scanned, rows)?;
            expect_count("cells scanned", cells, rows * COLUMNS)?;
            conn.delete_table(&name, true).await?;
            sample
        }
        Config::ConcurrentGets(tasks) => {
            let rows = plan.get_rows.max(1);
            let step = (rows / plan.gets.max(1)).max(1);
            let mut slices = vec![Vec::new(); tasks];
            for i in 0..plan.gets {
                slices[i % tasks].push(row_key((i * step) % rows));
            }
            let pool = ConnectionPool::builder()
                .addr(addr)
                .size(plan.pool_size)
                .connect()
                .await?;
            let meter = Meter::start();
            raw::concurrent_gets(&pool, GETS_TABLE, slices, raw::Form::Views).await?;
            let sample = meter.stop(Workload::ConcurrentGets, plan.gets);
            drop(pool);
            sample
        }
    };
    conn.close().await;
    Ok(sample)
}

/// Loads rows `0..rows` of the bench's shape into `name`, making each key
/// as it goes.
async fn load(conn: &Connection, name: &str, rows: usize) -> BenchResult<()> {
    let cells: Vec<(Vec<u8>, Vec<u8>)> = Data::cells();
    let table = conn.table(name);
    let mut batch = table.batch().batch_size(BATCH_MUTATIONS);
    let mut key = Vec::with_capacity(16);
    for i in 0..rows {
        key.clear();
        write!(key, "row-{i:08}")?;
        batch.put(&key, cells.iter().map(|(c, v)| (c, v))).await?;
    }
    batch.send().await?;
    // Read back the last row, so that a load that lost rows fails here.
    if rows > 0 {
        let last = table.row(row_key(rows - 1)).await?;
        expect_count(
            "cells of the last row",
            last.map_or(0, |r| r.cells.len()),
            COLUMNS,
        )?;
    }
    Ok(())
}

/// The peak resident set of this process, in KiB (`VmHWM`).
fn peak_rss_kib() -> BenchResult<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    parse_vm_hwm(&status).ok_or_else(|| "no VmHWM in /proc/self/status".into())
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_round_trip() {
        for config in [
            Config::Baseline,
            Config::BulkLoad(10),
            Config::FullScan(10),
            Config::ConcurrentGets(8),
        ] {
            assert_eq!(Config::parse(&config.spec()).unwrap(), config);
        }
        assert!(Config::parse("concurrent_gets:0").is_err());
        assert!(Config::parse("sequential_gets:3").is_err());
        assert!(Config::parse("nonsense").is_err());
    }

    #[test]
    fn report_lines() {
        assert!(parse_report("noise").unwrap().is_none());
        let r = parse_report("scaling 10 0.5 0.25 - 2048").unwrap().unwrap();
        assert_eq!((r.ops, r.peak_kib, r.server_cpu), (10, 2048, None));
        assert!(parse_report("scaling 1 2").is_err());
    }

    #[test]
    fn peak_rss_is_read_from_status() {
        assert_eq!(
            parse_vm_hwm("Name:\tx\nVmHWM:\t   1234 kB\nVmRSS:\t 1000 kB\n"),
            Some(1234)
        );
        assert_eq!(parse_vm_hwm("Name: x\n"), None);
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(peak_rss_kib().unwrap() > 0);
        }
    }
}
