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
const COMPARISONS: [(Peer, Peer); 5] = [
    (Peer::Raw, Peer::Happybase),
    (Peer::Raw, Peer::Sync),
    (Peer::Repo, Peer::Raw),
    (Peer::Repo, Peer::Happybase),
    (Peer::Repo, Peer::Sync),
];

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
            "{:<16} {:<10} {:>8} {:>12} {:>14} {:>17} {:>7}",
            "workload", "peer", "ops", "ops/s", "cpu_s/10k_ops", "server_cpu_s/10k", "rounds"
        );
        for workload in Workload::ALL {
            for &peer in peers {
                match self.cell(peer, workload) {
                    Some(c) => {
                        let server = c
                            .server_cpu_per_10k
                            .map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"));
                        let _ = writeln!(
                            out,
                            "{:<16} {:<10} {:>8} {:>12.0} {:>14.4} {:>17} {:>7}",
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
                            "{:<16} {:<10} {:>8} {:>12} {:>14} {:>17} {:>7}  ({why})",
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
        for target in self.targets() {
            let _ = writeln!(out, "{target}");
        }
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

    /// The targets, each as `target ... met` or `... NOT MET`.
    fn targets(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut check = |workload: Workload, ours: Peer, peer: Peer, bound: Bound| {
            let pair = format!("{} {}/{}", workload.name(), ours.name(), peer.name());
            let line = match self.ratios(workload, ours, peer) {
                None => format!("target {pair} {} not measured", bound.kind()),
                Some((wall, cpu)) => {
                    let (value, met) = match bound {
                        Bound::CpuAtMost(b) => (cpu, cpu <= b),
                        Bound::WallAbove(b) => (wall, wall > b),
                        Bound::WallAtLeast(b) => (wall, wall >= b),
                    };
                    let verdict = if met { "met" } else { "NOT MET" };
                    format!(
                        "target {pair} {} {value:.3} {bound} {verdict}",
                        bound.kind()
                    )
                }
            };
            lines.push(line);
        };
        for ours in [Peer::Raw, Peer::Repo] {
            for workload in [Workload::BulkLoad, Workload::FullScan] {
                check(workload, ours, Peer::Happybase, Bound::CpuAtMost(0.10));
            }
            for workload in Workload::ALL {
                check(workload, ours, Peer::Happybase, Bound::WallAbove(1.0));
            }
        }
        for workload in Workload::ALL {
            check(workload, Peer::Repo, Peer::Raw, Bound::WallAtLeast(0.90));
        }
        for ours in [Peer::Raw, Peer::Repo] {
            for workload in Workload::ALL {
                check(workload, ours, Peer::Sync, Bound::WallAtLeast(1.0));
            }
        }
        lines
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
            Bound::CpuAtMost(b) => write!(f, "<= {b:.2}"),
            Bound::WallAbove(b) => write!(f, "> {b:.2}"),
            Bound::WallAtLeast(b) => write!(f, ">= {b:.2}"),
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
            text.contains("target bulk_load raw/happybase cpu 0.050 <= 0.10 met"),
            "{text}"
        );
        assert!(text.contains("(not there)"), "{text}");
        assert!(!text.contains("ratio bulk_load repo/"), "{text}");
    }
}
