//! Wall time and the CPU time of this process around one workload.
//!
//! CPU time is user + system time of the whole process (every thread, live or
//! exited), read from `/proc/self/stat` in clock ticks (`getconf CLK_TCK`,
//! 100 per second on Linux): a resolution of 10 ms, so workloads are sized to
//! take far longer than that. The emulator runs as another process, so this
//! is the client's CPU alone.

use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use crate::data::Workload;

/// One measured workload of one peer.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    pub(crate) workload: Workload,
    /// Operations done: rows written, gets, or rows scanned.
    pub(crate) ops: usize,
    /// Wall seconds.
    pub(crate) wall: f64,
    /// CPU seconds (user + system) of the client process.
    pub(crate) cpu: f64,
}

impl Sample {
    /// Operations per wall second.
    pub(crate) fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.wall.max(1e-9)
    }

    /// CPU seconds per 10 000 operations.
    pub(crate) fn cpu_per_10k(&self) -> f64 {
        self.cpu * 10_000.0 / self.ops.max(1) as f64
    }
}

/// A running measurement, started before a workload.
#[derive(Debug)]
pub(crate) struct Meter {
    wall: Instant,
    cpu: f64,
}

impl Meter {
    /// Starts measuring now.
    pub(crate) fn start() -> Meter {
        let cpu = process_cpu_seconds();
        Meter {
            wall: Instant::now(),
            cpu,
        }
    }

    /// Ends the measurement of `workload`, which did `ops` operations.
    pub(crate) fn stop(self, workload: Workload, ops: usize) -> Sample {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = process_cpu_seconds() - self.cpu;
        Sample {
            workload,
            ops,
            wall,
            cpu,
        }
    }
}

/// User + system CPU seconds of this process so far; 0 when `/proc` is not
/// readable (the CPU columns then read 0).
pub(crate) fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    parse_stat(&stat).map_or(0.0, |ticks| ticks as f64 / clock_ticks_per_second())
}

/// utime + stime (fields 14 and 15) of a `/proc/PID/stat` line. The command
/// name (field 2) is in parentheses and may hold spaces, so fields are
/// counted from its closing parenthesis.
fn parse_stat(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

fn clock_ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|&t| t > 0.0)
            .unwrap_or(100.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_after_the_command_name() {
        let line = "1234 (a (b) c) S 1 2 3 4 5 6 7 8 9 10 250 37 0 0 20 0 1 0";
        assert_eq!(parse_stat(line), Some(287));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn own_stat_is_readable() {
        if std::path::Path::new("/proc/self/stat").exists() {
            let s = std::fs::read_to_string("/proc/self/stat").unwrap();
            assert!(parse_stat(&s).is_some());
        }
    }
}
