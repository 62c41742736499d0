//! The printed report: the table, the ratio lines and the targets.
//!
//! With several rounds, each cell is the median over the rounds (of ops/s, of
//! client CPU per operation and of emulator CPU per operation, separately).
//!
//! Ratio lines read `ratio <workload> <ours>/<peer> <wall|cpu> <value>`:
//! - `wall`: throughput of ours / throughput of the peer (ops/s over ops/s);
//!   above 1, ours is faster;
//! - `cpu`: client CPU seconds per operation of ours / of the peer; below 1,
//!   ours uses less CPU (0.10 is ten times less).

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use crate::data::Workload;
use crate::meter::Sample;
use crate::peers::Peer;

/// The comparisons printed, `(ours, peer)`, when both were measured.
const COMPARISONS: [(Peer, Peer); 14] = [
    (Peer::Raw, Peer::Floor),
    (Peer::Raw, Peer::Happybase),
    (Peer::Raw, Peer::Sync),
    (Peer::Repo, Peer::Floor),
    (Peer::Repo, Peer::Raw),
    (Peer::Repo, Peer::Happybase),
    (Peer::Repo, Peer::Sync),
    (Peer::RawBlockOn, Peer::Floor),
    (Peer::RawBlockOn, Peer::Happybase),
    (Peer::RawBlockOn, Peer::Sync),
    (Peer::RawRows, Peer::Floor),
    (Peer::RawRows, Peer::Happybase),
    (Peer::Raw, Peer::RawRows),
    (Peer::Repo, Peer::RawRows),
];

/// Raw client CPU per operation allowed over the floor's.
const FLOOR_CPU: f64 = 1.30;
/// Repo's CPU per operation allowed over raw's, and raw's throughput over
/// Repo's.
const REPO_OVER_RAW: f64 = 1.10;
/// Client CPU per operation allowed against happybase's on the bulk load and
/// the full scan.
const HAPPYBASE_CPU: f64 = 0.08;

/// The median figures of one peer on one workload.
#[derive(Debug, Clone, Copy)]
struct Cell {
    ops: usize,
    ops_per_sec: f64,
    cpu_per_10k: f64,
    server_cpu_per_10k: Option<f64>,
    rounds: usize,
}

/// Everything measured in a run.
#[derive(Debug, Default)]
pub(crate) struct Results {
    samples: BTreeMap<(Peer, Workload), Vec<Sample>>,
    failures: BTreeMap<Peer, String>,
}

impl Results {
    /// Records the samples of one round of `peer`.
    pub(crate) fn add(&mut self, peer: Peer, samples: Vec<Sample>) {
        for s in samples {
            self.samples.entry((peer, s.workload)).or_default().push(s);
        }
    }

    /// Records why `peer` could not be measured.
    pub(crate) fn fail(&mut self, peer: Peer, reason: String) {
        self.failures.entry(peer).or_insert(reason);
    }

    fn cell(&self, peer: Peer, workload: Workload) -> Option<Cell> {
        let samples = self.samples.get(&(peer, workload))?;
        Some(Cell {
            ops: samples[0].ops,
            ops_per_sec: median(samples.iter().map(Sample::ops_per_sec).collect())?,
            cpu_per_10k: median(samples.iter().map(Sample::cpu_per_10k).collect())?,
            server_cpu_per_10k: median(
                samples
                    .iter()
                    .filter_map(Sample::server_cpu_per_10k)
                    .collect(),
            ),
            rounds: samples.len(),
        })
    }

    /// The report for `peers`, as printed.
    pub(crate) fn render(&self, peers: &[Peer]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<16} {:<12} {:>8} {:>12} {:>14} {:>17} {:>7}",
            "workload", "peer", "ops", "ops/s", "cpu_s/10k_ops", "server_cpu_s/10k", "rounds"
        );
        for workload in Workload::ALL {
            for &peer in peers.iter().filter(|p| p.runs(workload)) {
                match self.cell(peer, workload) {
                    Some(c) => {
                        let server = c
                            .server_cpu_per_10k
                            .map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"));
                        let _ = writeln!(
                            out,
                            "{:<16} {:<12} {:>8} {:>12.0} {:>14.4} {:>17} {:>7}",
                            workload.name(),
                            peer.name(),
                            c.ops,
                            c.ops_per_sec,
                            c.cpu_per_10k,
                            server,
                            c.rounds
                        );
                    }
                    None => {
                        let why = self
                            .failures
                            .get(&peer)
                            .map_or("not measured", String::as_str);
                        let _ = writeln!(
                            out,
                            "{:<16} {:<12} {:>8} {:>12} {:>14} {:>17} {:>7}  ({why})",
                            workload.name(),
                            peer.name(),
                            "-",
                            "-",
                            "-",
                            "-",
                            0
                        );
                    }
                }
            }
        }
        out.push('\n');
        for workload in Workload::ALL {
            for (ours, peer) in COMPARISONS {
                if let Some((wall, cpu)) = self.ratios(workload, ours, peer) {
                    let pair = format!("{}/{}", ours.name(), peer.name());
                    let _ = writeln!(out, "ratio {} {pair} wall {wall:.3}", workload.name());
                    let _ = writeln!(out, "ratio {} {pair} cpu {cpu:.3}", workload.name());
                }
            }
        }
        out.push('\n');
        let targets = self.targets();
        for (line, _) in &targets {
            let _ = writeln!(out, "{line}");
        }
        let count = |v: Verdict| targets.iter().filter(|(_, t)| *t == v).count();
        let _ = writeln!(
            out,
            "targets: {} met, {} NOT MET, {} not measured",
            count(Verdict::Met),
            count(Verdict::NotMet),
            count(Verdict::NotMeasured)
        );
        out
    }

    /// `(wall, cpu)` ratios of `ours` against `peer` on `workload`.
    fn ratios(&self, workload: Workload, ours: Peer, peer: Peer) -> Option<(f64, f64)> {
        let a = self.cell(ours, workload)?;
        let b = self.cell(peer, workload)?;
        let wall = a.ops_per_sec / b.ops_per_sec;
        let cpu = if b.cpu_per_10k > 0.0 {
            a.cpu_per_10k / b.cpu_per_10k
        } else {
            f64::NAN // printed as NaN: the peer used no measurable CPU
        };
        Some((wall, cpu))
    }

    /// The targets, each as `target ... met` or `... NOT MET`, with
    /// its verdict.
    fn targets(&self) -> Vec<(String, Verdict)> {
        let mut lines = Vec::new();
        let mut check = |workload: Workload, ours: Peer, peer: Peer, bound: Bound| {
            let pair = format!("{} {}/{}", workload.name(), ours.name(), peer.name());
            let line = match self.ratios(workload, ours, peer) {
                None => (
                    format!("target {pair} {} {bound} not measured", bound.kind()),
                    Verdict::NotMeasured,
                ),
                Some((wall, cpu)) => {
                    let (value, met) = match bound {
                        Bound::CpuAtMost(b) => (cpu, cpu <= b),
                        Bound::WallAbove(b) => (wall, wall > b),
                        Bound::WallAtLeast(b) => (wall, wall >= b),
                    };
                    let verdict = if met { Verdict::Met } else { Verdict::NotMet };
                    (
                        format!(
                            "target {pair} {} {value:.3} {bound} {verdict}",
                            bound.kind()
                        ),
                        verdict,
                    )
                }
            };
            lines.push(line);
        };
        // The raw client within 1.3x the floor's CPU on every workload.
        for workload in Workload::ALL {
            check(
                workload,
                Peer::Raw,
                Peer::Floor,
                Bound::CpuAtMost(FLOOR_CPU),
            );
        }
        // Repo within 1.1x of raw, CPU and wall.
        for workload in Workload::ALL {
            check(
                workload,
                Peer::Repo,
                Peer::Raw,
                Bound::CpuAtMost(REPO_OVER_RAW),
            );
            check(
                workload,
                Peer::Repo,
                Peer::Raw,
                Bound::WallAtLeast(1.0 / REPO_OVER_RAW),
            );
        }
        // At or above the synchronous generated client's wall throughput.
        for ours in [Peer::Raw, Peer::Repo] {
            for workload in Workload::ALL {
                check(workload, ours, Peer::Sync, Bound::WallAtLeast(1.0));
            }
        }
        // Bulk load and full scan CPU at most 0.08x happybase's; faster than
        // happybase everywhere.
        for ours in [Peer::Raw, Peer::Repo] {
            for workload in [Workload::BulkLoad, Workload::FullScan] {
                check(
                    workload,
                    ours,
                    Peer::Happybase,
                    Bound::CpuAtMost(HAPPYBASE_CPU),
                );
            }
            for workload in Workload::ALL {
                check(workload, ours, Peer::Happybase, Bound::WallAbove(1.0));
            }
        }
        // In the body of `#[tokio::main]`: sequential gets at or above
        // happybase's wall throughput, within 1.3x the floor's CPU.
        let gets = Workload::SequentialGets;
        check(
            gets,
            Peer::RawBlockOn,
            Peer::Happybase,
            Bound::WallAtLeast(1.0),
        );
        check(
            gets,
            Peer::RawBlockOn,
            Peer::Floor,
            Bound::CpuAtMost(FLOOR_CPU),
        );
        lines
    }
}

/// Whether a target was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Met,
    NotMet,
    NotMeasured,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Met => "met",
            Verdict::NotMet => "NOT MET",
            Verdict::NotMeasured => "not measured",
        })
    }
}

/// What a target asks of a ratio.
#[derive(Debug, Clone, Copy)]
enum Bound {
    /// The cpu ratio is at most this.
    CpuAtMost(f64),
    /// The wall ratio is above this.
    WallAbove(f64),
    /// The wall ratio is at least this.
    WallAtLeast(f64),
}

impl Bound {
    fn kind(self) -> &'static str {
        match self {
            Bound::CpuAtMost(_) => "cpu",
            Bound::WallAbove(_) | Bound::WallAtLeast(_) => "wall",
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::CpuAtMost(b) => write!(f, "<= {b:.3}"),
            Bound::WallAbove(b) => write!(f, "> {b:.3}"),
            Bound::WallAtLeast(b) => write!(f, ">= {b:.3}"),
        }
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(workload: Workload, ops: usize, wall: f64, cpu: f64) -> Sample {
        Sample {
            workload,
            ops,
            wall,
            cpu,
            server_cpu: None,
        }
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn ratio_lines_divide_ours_by_the_peer() {
        let mut r = Results::default();
        r.add(Peer::Raw, vec![sample(Workload::BulkLoad, 1000, 1.0, 0.1)]);
        r.add(
            Peer::Happybase,
            vec![sample(Workload::BulkLoad, 1000, 4.0, 2.0)],
        );
        r.fail(Peer::Repo, "not there".to_owned());
        let text = r.render(&[Peer::Raw, Peer::Repo, Peer::Happybase]);
        assert!(
            text.contains("ratio bulk_load raw/happybase wall 4.000"),
            "{text}"
        );
        assert!(
            text.contains("ratio bulk_load raw/happybase cpu 0.050"),
            "{text}"
        );
        assert!(
            text.contains("target bulk_load raw/happybase cpu 0.050 <= 0.080 met"),
            "{text}"
        );
        assert!(
            text.contains("target bulk_load raw/floor cpu <= 1.300 not measured"),
            "{text}"
        );
        assert!(text.contains("targets: 2 met, 0 NOT MET,"), "{text}");
        assert!(text.contains("(not there)"), "{text}");
        assert!(!text.contains("ratio bulk_load repo/"), "{text}");
    }
}
