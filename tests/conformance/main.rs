//! The differential conformance suite: scripted call sequences run against
//! the emulator and against a real gateway, the replies compared field by
//! field.
//!
//! - [`session`]: how a case makes calls and how each reply is recorded (a
//!   rendering that names every field; timestamps the server chose are
//!   compared by their order, scanner ids not at all).
//! - [`known`]: the table of known differences (`known-differences.txt`):
//!   a divergence it lists is reported and tolerated, any other fails.
//! - [`thrift1`]: the cases of the Thrift1 service (`Hbase`).
//!
//! - [`thrift2`]: the cases of the Thrift2 service (`THBaseService`), with
//!   the renderings of its replies in [`render2`].
//!
//! The Thrift1 cases run over buffered/binary, framed/compact and Thrift
//! over HTTP; the Thrift2 cases over buffered/binary. A service is a list of
//! cases and a client type ([`session::Gateway`]); another one adds a
//! module with its cases and a `#[test]` calling [`run`] with them.
//!
//! Without a real gateway in the environment (`HBASE_THRIFT_ADDR`,
//! `HBASE_THRIFT_FRAMED_COMPACT_ADDR`, `HBASE_THRIFT_HTTP_ADDR`,
//! `HBASE_THRIFT2_ADDR`, see [`hbase_orm_tests::target`]) the cases still
//! run on the emulator, so that they cannot rot, and the comparison is
//! skipped with a message.

mod known;
mod render2;
mod session;
mod thrift1;
mod thrift2;

use std::net::SocketAddr;

use hbase_orm_tests::{target, Combo, Emulator, Protocol, Thrift2Client, Transport, Wire};

use crate::session::{Case, Gateway, Record};

/// What a service's cases run against: the emulator and, when the
/// environment names it, the real gateway.
struct Targets {
    /// Kept alive while the cases run.
    _emulator: Emulator,
    emulator: SocketAddr,
    real: Option<SocketAddr>,
    /// The variable naming the real gateway.
    variable: &'static str,
    wire: Wire,
}

impl Targets {
    /// The Thrift1 gateway reached over `wire`: an emulator speaking it (in
    /// HTTP mode for [`Wire::Http`]) and the real gateway of `wire`.
    fn thrift1(wire: Wire) -> Targets {
        let emulator = match wire {
            Wire::Socket(combo) => hbase_orm_tests::start_blocking(combo),
            Wire::Http => Emulator::builder()
                .http()
                .start_blocking()
                .unwrap_or_else(|e| panic!("emulator (http) did not start: {e}")),
        };
        Targets {
            emulator: emulator.addr(),
            _emulator: emulator,
            real: target::real_wire_addr(wire),
            variable: target::wire_variable(wire),
            wire,
        }
    }

    /// The Thrift2 gateway (buffered, binary): the emulator's Thrift2
    /// service and `HBASE_THRIFT2_ADDR`.
    fn thrift2() -> Targets {
        let emulator = Emulator::builder()
            .thrift2_bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .start_blocking()
            .unwrap_or_else(|e| panic!("emulator (thrift2) did not start: {e}"));
        Targets {
            emulator: emulator.thrift2_addr().expect("the Thrift2 listener"),
            _emulator: emulator,
            real: target::real_thrift2_addr(),
            variable: target::THRIFT2_VARIABLE,
            wire: Wire::Socket(Combo::DEFAULT),
        }
    }
}

/// Runs `cases` of `service` on the emulator and, when the environment
/// names one, on the real gateway of `targets`; fails on every divergence
/// that the table of known differences does not list.
fn run<C: Gateway>(service: &str, targets: &Targets, cases: &[Case<C>]) {
    let known = known::load();
    let wire = targets.wire;
    let mut steps = 0;
    let mut divergences = Vec::new();
    let mut tolerated = Vec::new();
    for case in cases {
        let prefix = target::unique_prefix();
        let ours = session::play(case, targets.emulator, wire, &prefix);
        steps += ours.len();
        let Some(addr) = targets.real else { continue };
        let theirs = session::play(case, addr, wire, &prefix);
        for diff in compare(&ours, &theirs) {
            let key = format!("{service}/{}/{}", case.name, diff.0);
            match known.reason(&key) {
                Some(reason) => tolerated.push(format!("{key}: {reason}")),
                None => divergences.push(format!(
                    "{key} [{wire}]\n      emulator: {}\n      real:     {}",
                    diff.1, diff.2
                )),
            }
        }
    }
    println!(
        "conformance {service} [{wire}]: {} cases, {steps} calls",
        cases.len()
    );
    if targets.real.is_none() {
        println!(
            "conformance {service} [{wire}]: SKIPPED the comparison: {} is not set \
             (the cases ran on the emulator only)",
            targets.variable
        );
        return;
    }
    for t in &tolerated {
        println!("  known difference: {t}");
    }
    println!(
        "conformance {service} [{wire}]: {} divergences listed as known, {} unlisted",
        tolerated.len(),
        divergences.len()
    );
    assert!(
        divergences.is_empty(),
        "{} unlisted divergences from the real gateway (fix the emulator, or list \
         them with the reason in tests/conformance/known-differences.txt):\n  {}",
        divergences.len(),
        divergences.join("\n  ")
    );
}

/// The steps whose recorded replies differ: (label, ours, theirs). Steps
/// are matched by label, so that a call one server refuses and the other
/// serves (and the steps only one side then makes) each count once.
fn compare(ours: &[Record], theirs: &[Record]) -> Vec<(String, String, String)> {
    let find = |records: &[Record], label: &str| {
        records
            .iter()
            .find(|r| r.label == label)
            .map_or_else(|| "(no such step)".to_owned(), |r| r.reply.clone())
    };
    let mut labels: Vec<&str> = ours.iter().map(|r| r.label.as_str()).collect();
    for r in theirs {
        if !labels.contains(&r.label.as_str()) {
            labels.push(&r.label);
        }
    }
    labels
        .into_iter()
        .filter_map(|label| {
            let (a, b) = (find(ours, label), find(theirs, label));
            (a != b).then(|| (label.to_owned(), a, b))
        })
        .collect()
}

#[test]
fn thrift1_buffered_binary() {
    run(
        "thrift1",
        &Targets::thrift1(Wire::Socket(Combo::DEFAULT)),
        &thrift1::cases(),
    );
}

#[test]
fn thrift1_framed_compact() {
    let combo = Combo {
        transport: Transport::Framed,
        protocol: Protocol::Compact,
    };
    run(
        "thrift1",
        &Targets::thrift1(Wire::Socket(combo)),
        &thrift1::cases(),
    );
}

/// The same Thrift1 cases through Thrift over HTTP: the emulator's HTTP
/// mode against the real gateway started with
/// `hbase.regionserver.thrift.http=true`.
#[test]
fn thrift1_http() {
    run("thrift1", &Targets::thrift1(Wire::Http), &thrift1::cases());
}

/// Thrift2 in four tests, so that a parallel run overlaps the time real
/// HBase spends creating and dropping tables.
#[test]
fn thrift2_admin() {
    let cases: Vec<Case<Thrift2Client>> = thrift2::admin_cases();
    run("thrift2", &Targets::thrift2(), &cases);
}

#[test]
fn thrift2_writes() {
    let cases: Vec<Case<Thrift2Client>> = thrift2::write_cases();
    run("thrift2", &Targets::thrift2(), &cases);
}

#[test]
fn thrift2_atomic_writes() {
    let cases: Vec<Case<Thrift2Client>> = thrift2::atomic_cases();
    run("thrift2", &Targets::thrift2(), &cases);
}

#[test]
fn thrift2_scans() {
    let cases: Vec<Case<Thrift2Client>> = thrift2::scan_cases();
    run("thrift2", &Targets::thrift2(), &cases);
}
