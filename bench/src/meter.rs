//! Wall time and the CPU time of this process around one workload.
//!
//! CPU time is user + system time of the whole process (every thread, live or
//! exited), from `clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`: nanosecond
//! resolution, as Python's `time.process_time()` on the happybase side. The
//! emulator runs as another process, so this is the client's CPU alone. The
//! emulator's own CPU time, read from `/proc/PID/stat` when the bench started
//! it, is recorded beside it, in clock ticks (`getconf CLK_TCK`, 100 per
//! second on Linux: a resolution of 10 ms).

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
    /// CPU seconds of the emulator process meanwhile, when known.
    pub(crate) server_cpu: Option<f64>,
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

    /// Emulator CPU seconds per 10 000 operations, when known.
    pub(crate) fn server_cpu_per_10k(&self) -> Option<f64> {
        self.server_cpu
            .map(|cpu| cpu * 10_000.0 / self.ops.max(1) as f64)
    }
}

/// A running measurement, started before a workload.
#[derive(Debug)]
pub(crate) struct Meter {
    wall: Instant,
    cpu: f64,
    server_cpu: Option<f64>,
}

impl Meter {
    /// Starts measuring now.
    pub(crate) fn start() -> Meter {
        let server_cpu = server_cpu_seconds();
        let cpu = process_cpu_seconds();
        Meter {
            wall: Instant::now(),
            cpu,
            server_cpu,
        }
    }

    /// Ends the measurement of `workload`, which did `ops` operations.
    pub(crate) fn stop(self, workload: Workload, ops: usize) -> Sample {
        let wall = self.wall.elapsed().as_secs_f64();
        let cpu = process_cpu_seconds() - self.cpu;
        let server_cpu = match (server_cpu_seconds(), self.server_cpu) {
            (Some(now), Some(then)) => Some(now - then),
            _ => None,
        };
        Sample {
            workload,
            ops,
            wall,
            cpu,
            server_cpu,
        }
    }
}

/// The emulator process, whose CPU time is recorded beside the client's.
static SERVER_PID: OnceLock<u32> = OnceLock::new();

/// Records the emulator's process id (once).
pub(crate) fn set_server_pid(pid: u32) {
    let _ = SERVER_PID.set(pid);
}

/// User + system CPU seconds of this process (all its threads) so far.
pub(crate) fn process_cpu_seconds() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// User + system CPU seconds of the emulator so far, when the bench started
/// it.
pub(crate) fn server_cpu_seconds() -> Option<f64> {
    let pid = SERVER_PID.get()?;
    cpu_seconds_of(&format!("/proc/{pid}/stat"))
}

fn cpu_seconds_of(path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(path).ok()?;
    parse_stat(&stat).map(|ticks| ticks as f64 / clock_ticks_per_second())
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
            assert!(cpu_seconds_of("/proc/self/stat").is_some());
        }
    }

    #[test]
    fn process_cpu_time_advances() {
        let before = process_cpu_seconds();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(process_cpu_seconds() > before);
    }
}
