//! `hbase-orm-bench`: hbase-orm side by side with its peers, in one run, on
//! one emulator and the same data.
//!
//! Starts one `hbase-emulator` process (or uses `--addr`), then runs, for each
//! peer in turn (hbase-orm's raw API, its `Repo<T>`, the generated
//! synchronous Thrift client, HappyBase, and the floor: the least a client
//! can do on this protocol), the four workloads on a fresh table of its own:
//! bulk load, sequential point gets, concurrent point gets, full scan; and
//! the raw API's sequential gets once more in `Runtime::block_on`
//! (`raw_block_on`). Each is measured in wall time and in the client
//! process's CPU seconds. Prints a table, one `ratio <workload> <ours>/<peer>
//! <wall|cpu> <value>` line per comparison, and the targets as met or not.
//! `--scaling` prints instead how the raw client's cost grows with the work
//! (see `scaling`).
//!
//! The one command is `bench/run.sh` (it builds in release mode, creates the
//! Python venv with happybase and passes the paths); see docs/BENCHMARKS.md
//! for what each number means. No timing is asserted anywhere: the numbers
//! are for reading.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, ValueEnum};

mod data;
mod emulator;
mod meter;
mod peers;
mod report;
mod scaling;

use data::{Data, Sizes, Workload};
use emulator::EmulatorProcess;
use peers::{Ctx, Peer};
use report::Results;

/// The error type of the bench: any error, with its message.
pub(crate) type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// hbase-orm against its peers: same emulator, same data, same workloads.
#[derive(Debug, Parser)]
#[command(name = "hbase-orm-bench")]
struct Args {
    /// Rows of the bulk load and the scan (5 columns each).
    #[arg(long, default_value_t = 100_000)]
    rows: usize,

    /// Point gets of each get workload.
    #[arg(long, default_value_t = 10_000)]
    gets: usize,

    /// Concurrent workers of the concurrent-gets workload.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,

    /// Connections shared by those workers.
    #[arg(long, default_value_t = 8)]
    pool_size: usize,

    /// A small smoke run (2 000 rows, 500 gets), e.g. for CI; overrides
    /// --rows and --gets.
    #[arg(long)]
    quick: bool,

    /// Runs of every peer; each figure is the median over the rounds.
    #[arg(long, default_value_t = 1)]
    rounds: usize,

    /// The workloads measured, comma-separated (for profiling one of them:
    /// the raw, repo and floor peers then skip the others, but for the bulk
    /// load, which still fills the table unmeasured; the other peers run
    /// them all).
    #[arg(long, value_delimiter = ',', default_values_t = Workload::ALL.map(|w| w.name().to_owned()))]
    workloads: Vec<String>,

    /// The peers to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = Peer::ALL)]
    peers: Vec<Peer>,

    /// The `hbase-emulator` binary. Default: next to this binary.
    #[arg(long, value_name = "PATH")]
    emulator: Option<PathBuf>,

    /// A running gateway to use instead of starting the emulator.
    #[arg(long, value_name = "HOST:PORT", conflicts_with = "emulator")]
    addr: Option<SocketAddr>,

    /// Python with happybase installed. Default: target/bench-venv/bin/python.
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,

    /// The tokio runtime of the async peers.
    #[arg(long, value_enum, default_value_t = Flavor::MultiThread)]
    runtime: Flavor,

    /// Runs the async peers' workloads directly in `Runtime::block_on` (as
    /// code in the body of `#[tokio::main]` runs) instead of in a spawned
    /// task (as request handlers run).
    #[arg(long)]
    block_on: bool,

    /// Prints the scaling table instead of the comparison: the raw client's
    /// bulk load and full scan at each of --scaling-rows, its concurrent
    /// gets (--gets of them on a table of --rows) with each of
    /// --scaling-tasks over --pool-size connections; each configuration in
    /// a child process, with its peak RSS.
    #[arg(long)]
    scaling: bool,

    /// Table sizes of the scaling table.
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000, 1_000_000])]
    scaling_rows: Vec<usize>,

    /// Task counts of the scaling table's concurrent gets.
    #[arg(long, value_delimiter = ',', default_values_t = [8, 64, 1000])]
    scaling_tasks: Vec<usize>,

    /// Internal: runs one scaling configuration (`WORKLOAD:N`) and prints
    /// its report line.
    #[arg(long, hide = true, requires = "addr")]
    scaling_child: Option<String>,

    /// Internal: the emulator's process id, for a scaling child.
    #[arg(long, hide = true)]
    server_pid: Option<u32>,
}

/// Tokio runtime flavours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Flavor {
    /// One worker thread per core (what `#[tokio::main]` gives).
    MultiThread,
    /// Everything on the calling thread.
    CurrentThread,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(args) {
        eprintln!("hbase-orm-bench: {e}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> BenchResult<()> {
    let sizes = if args.quick {
        Sizes {
            rows: 2_000,
            gets: 500,
            concurrency: args.concurrency,
            pool_size: args.pool_size,
        }
    } else {
        Sizes {
            rows: args.rows,
            gets: args.gets,
            concurrency: args.concurrency,
            pool_size: args.pool_size,
        }
    };
    if sizes.rows == 0 || sizes.concurrency == 0 || sizes.pool_size == 0 {
        return Err("--rows, --concurrency and --pool-size must be at least 1".into());
    }
    let plan = scaling::Plan {
        rows: if args.quick {
            vec![2_000, 20_000]
        } else {
            args.scaling_rows.clone()
        },
        tasks: if args.quick {
            vec![8, 64]
        } else {
            args.scaling_tasks.clone()
        },
        gets: sizes.gets,
        get_rows: sizes.rows,
        pool_size: sizes.pool_size,
    };
    if plan.tasks.contains(&0) {
        return Err("--scaling-tasks must be at least 1".into());
    }
    if let (Some(spec), Some(addr)) = (&args.scaling_child, args.addr) {
        return scaling::child(spec, addr, args.server_pid, &plan);
    }
    let mut peers = args.peers.clone();
    peers.sort();
    peers.dedup();

    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let python = args
        .python
        .clone()
        .unwrap_or_else(|| workspace.join("target/bench-venv/bin/python"));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("happybase_bench.py");

    let emulator = match args.addr {
        Some(_) => None,
        None => {
            let path = match &args.emulator {
                Some(path) => path.clone(),
                None => std::env::current_exe()?
                    .parent()
                    .map(|dir| dir.join("hbase-emulator"))
                    .ok_or("cannot locate this binary's directory")?,
            };
            if !path.exists() {
                return Err(format!(
                    "no emulator at {}: build it (cargo build --release -p hbase-emulator), \
                     pass --emulator, or use bench/run.sh",
                    path.display()
                )
                .into());
            }
            Some(EmulatorProcess::start(&path)?)
        }
    };
    if let Some(e) = &emulator {
        meter::set_server_pid(e.pid());
    }
    let addr = match (&emulator, args.addr) {
        (Some(e), _) => e.addr(),
        (None, Some(addr)) => addr,
        (None, None) => return Err("no gateway".into()),
    };

    let runtime = match args.runtime {
        Flavor::MultiThread => tokio::runtime::Builder::new_multi_thread(),
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
    }
    .enable_all()
    .build()?;

    if args.scaling {
        print_header(&args, sizes, addr, emulator.as_ref());
        let table = scaling::run(&plan, addr, emulator.as_ref().map(|e| e.pid()), &runtime)?;
        print!("\n{table}");
        println!("load average at end {}", load_average());
        drop(emulator);
        return Ok(());
    }
    let mut data = Data::new(sizes);
    data.workloads = args
        .workloads
        .iter()
        .map(|name| Workload::from_name(name).ok_or_else(|| format!("unknown workload `{name}`")))
        .collect::<Result<_, _>>()?;
    let data = Arc::new(data);
    print_header(&args, sizes, addr, emulator.as_ref());
    let ctx = Ctx {
        addr,
        data,
        runtime: &runtime,
        python,
        script,
        in_block_on: args.block_on,
    };
    let mut results = Results::default();
    for round in 1..=args.rounds.max(1) {
        for &peer in &peers {
            eprintln!("round {round}: {peer} ...");
            match peers::run(peer, &ctx) {
                Ok(samples) => {
                    for s in &samples {
                        let server = s
                            .server_cpu_per_10k()
                            .map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"));
                        eprintln!(
                            "  {:<16} {:>9.0} ops/s  {:>8.4} cpu_s/10k_ops  {server:>8} server",
                            s.workload.name(),
                            s.ops_per_sec(),
                            s.cpu_per_10k(),
                        );
                    }
                    results.add(peer, samples);
                }
                Err(e) => {
                    eprintln!("  {peer} failed: {e}");
                    results.fail(peer, e.to_string());
                }
            }
        }
    }
    print!("\n{}", results.render(&peers));
    println!("load average at end {}", load_average());
    drop(emulator);
    Ok(())
}

/// What was run, and where.
fn print_header(args: &Args, sizes: Sizes, addr: SocketAddr, emulator: Option<&EmulatorProcess>) {
    println!(
        "hbase-orm-bench: rows {} x 5 columns, gets {}, concurrency {} over {} connections, \
         rounds {}, runtime {:?}, async workloads {}",
        sizes.rows,
        sizes.gets,
        sizes.concurrency,
        sizes.pool_size,
        args.rounds.max(1),
        args.runtime,
        if args.block_on {
            "in Runtime::block_on"
        } else {
            "in a spawned task"
        }
    );
    match emulator {
        Some(e) => println!(
            "gateway: hbase-emulator pid {} on {addr}; bench pid {}",
            e.pid(),
            std::process::id()
        ),
        None => println!("gateway: {addr}; bench pid {}", std::process::id()),
    }
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!(
        "machine: {cores} cores, {model}, load average at start {}",
        load_average()
    );
}

/// The 1, 5 and 15 minute load averages.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
