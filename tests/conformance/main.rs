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
//! A service is a list of cases and a way to connect; another service
//! (Thrift2, HTTP, the Accumulo proxy) adds a module with its cases and a
//! `#[test]` calling [`run`] with them.
//!
//! Without a real gateway in the environment (`HBASE_THRIFT_ADDR`,
//! `HBASE_THRIFT_FRAMED_COMPACT_ADDR`, see [`hbase_orm_tests::target`]) the
//! cases still run on the emulator, so that they cannot rot, and the
//! comparison is skipped with a message.

mod known;
mod session;
mod thrift1;

use hbase_orm_tests::{target, Combo, Protocol, Transport};

use crate::session::{Case, Record};

/// Runs `cases` of `service` on the emulator and, when the environment
/// names one, on the real gateway of `combo`; fails on every divergence
/// that the table of known differences does not list.
fn run(service: &str, combo: Combo, cases: &[Case]) {
    let known = known::load();
    let emulator = hbase_orm_tests::start_blocking(combo);
    let real = target::real_addr(combo);
    let mut steps = 0;
    let mut divergences = Vec::new();
    let mut tolerated = Vec::new();
    for case in cases {
        let prefix = target::unique_prefix();
        let ours = session::play(case, emulator.addr(), combo, &prefix);
        steps += ours.len();
        let Some(addr) = real else { continue };
        let theirs = session::play(case, addr, combo, &prefix);
        for diff in compare(&ours, &theirs) {
            let key = format!("{service}/{}/{}", case.name, diff.0);
            match known.reason(&key) {
                Some(reason) => tolerated.push(format!("{key}: {reason}")),
                None => divergences.push(format!(
                    "{key} [{combo}]\n      emulator: {}\n      real:     {}",
                    diff.1, diff.2
                )),
            }
        }
    }
    println!(
        "conformance {service} [{combo}]: {} cases, {steps} calls",
        cases.len()
    );
    if real.is_none() {
        println!(
            "conformance {service} [{combo}]: SKIPPED the comparison: {} is not set \
             (the cases ran on the emulator only)",
            target::variable(combo)
        );
        return;
    }
    for t in &tolerated {
        println!("  known difference: {t}");
    }
    println!(
        "conformance {service} [{combo}]: {} divergences listed as known, {} unlisted",
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
    run("thrift1", Combo::DEFAULT, &thrift1::cases());
}

#[test]
fn thrift1_framed_compact() {
    let combo = Combo {
        transport: Transport::Framed,
        protocol: Protocol::Compact,
    };
    run("thrift1", combo, &thrift1::cases());
}
