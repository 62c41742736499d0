//! The `happybase` peer: `bench/happybase_bench.py` in a child process.
//!
//! The script runs the same workloads on the same data (table
//! `bench_happybase`) and measures itself: wall time with
//! `time.perf_counter()` and its own CPU time with `time.process_time()`
//! around each workload, so interpreter start-up and imports are not counted.
//! It prints `result <workload> <ops> <wall_s> <cpu_s>` lines.

use std::process::{Command, Stdio};

use crate::data::Workload;
use crate::meter::Sample;
use crate::peers::Ctx;
use crate::BenchResult;

/// Runs the script and reads its results.
pub(crate) fn run(ctx: &Ctx<'_>) -> BenchResult<Vec<Sample>> {
    if !ctx.python.exists() {
        return Err(format!(
            "no Python at {}: run bench/run.sh (it creates the venv with happybase), \
             pass --python, or leave happybase out of --peers",
            ctx.python.display()
        )
        .into());
    }
    let sizes = ctx.data.sizes;
    let output = Command::new(&ctx.python)
        .arg(&ctx.script)
        .arg(ctx.addr.ip().to_string())
        .arg(ctx.addr.port().to_string())
        .arg(sizes.rows.to_string())
        .arg(sizes.gets.to_string())
        .arg(sizes.concurrency.to_string())
        .arg(sizes.pool_size.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", ctx.python.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("happybase_bench.py failed ({}): {stdout}", output.status).into());
    }
    let samples = parse_results(&stdout)?;
    if samples.len() != Workload::ALL.len() {
        return Err(format!(
            "happybase_bench.py printed {} results: {stdout}",
            samples.len()
        )
        .into());
    }
    Ok(samples)
}

/// The `result ...` lines of the script's output.
fn parse_results(stdout: &str) -> BenchResult<Vec<Sample>> {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("result "))
        .map(|rest| {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let [name, ops, wall, cpu] = fields[..] else {
                return Err(format!("bad result line: {rest}").into());
            };
            Ok(Sample {
                workload: Workload::from_name(name)
                    .ok_or_else(|| format!("unknown workload {name}"))?,
                ops: ops.parse()?,
                wall: wall.parse()?,
                cpu: cpu.parse()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines() {
        let out = "noise\nresult bulk_load 100 1.5 0.75\nresult full_scan 100 0.5 0.25\n";
        let samples = parse_results(out).unwrap();
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[0].workload, Workload::BulkLoad);
        assert_eq!(samples[0].ops, 100);
        assert!((samples[1].cpu - 0.25).abs() < 1e-12);
        assert!(parse_results("result bulk_load 1 2").is_err());
        assert!(parse_results("result nope 1 2 3").is_err());
    }
}
