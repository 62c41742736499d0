//! The `happybase` peer: `bench/happybase_bench.py` in a child process.
//!
//! The script runs the same workloads on the same data (table
//! `bench_happybase`) and measures itself: wall time with
//! `time.perf_counter()` and its own CPU time with `time.process_time()`
//! around each workload, so interpreter start-up and imports are not counted.
//! It prints `result <workload> <ops> <wall_s> <cpu_s>` lines, read here as
//! they come so that the emulator's CPU time can be split by workload too.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::data::Workload;
use crate::meter::{server_cpu_seconds, Sample};
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
    let mut child = Command::new(&ctx.python)
        .arg(&ctx.script)
        .arg(ctx.addr.ip().to_string())
        .arg(ctx.addr.port().to_string())
        .arg(sizes.rows.to_string())
        .arg(sizes.gets.to_string())
        .arg(sizes.concurrency.to_string())
        .arg(sizes.pool_size.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", ctx.python.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or("no stdout of happybase_bench.py")?;
    // The emulator's CPU is sampled as each result line arrives: the script
    // prints one as each workload ends, and does next to nothing between two.
    let mut server_before = server_cpu_seconds();
    let mut samples = Vec::new();
    let mut text = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let server_now = server_cpu_seconds();
        if let Some(mut sample) = parse_result(&line)? {
            sample.server_cpu = match (server_now, server_before) {
                (Some(now), Some(then)) => Some(now - then),
                _ => None,
            };
            samples.push(sample);
        }
        server_before = server_now;
        text.push_str(&line);
        text.push('\n');
    }
    let status = child.wait()?;
    if !status.success() {
        return Err(format!("happybase_bench.py failed ({status}): {text}").into());
    }
    if samples.len() != Workload::ALL.len() {
        return Err(format!(
            "happybase_bench.py printed {} results: {text}",
            samples.len()
        )
        .into());
    }
    Ok(samples)
}

/// The sample of a `result <workload> <ops> <wall_s> <cpu_s>` line; `None`
/// for other lines.
fn parse_result(line: &str) -> BenchResult<Option<Sample>> {
    let Some(rest) = line.strip_prefix("result ") else {
        return Ok(None);
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let [name, ops, wall, cpu] = fields[..] else {
        return Err(format!("bad result line: {line}").into());
    };
    Ok(Some(Sample {
        workload: Workload::from_name(name).ok_or_else(|| format!("unknown workload {name}"))?,
        ops: ops.parse()?,
        wall: wall.parse()?,
        cpu: cpu.parse()?,
        server_cpu: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines() {
        assert!(parse_result("noise").unwrap().is_none());
        let s = parse_result("result full_scan 100 0.5 0.25")
            .unwrap()
            .unwrap();
        assert_eq!(s.workload, Workload::FullScan);
        assert_eq!(s.ops, 100);
        assert!((s.cpu - 0.25).abs() < 1e-12);
        assert!(parse_result("result bulk_load 1 2").is_err());
        assert!(parse_result("result nope 1 2 3").is_err());
    }
}
