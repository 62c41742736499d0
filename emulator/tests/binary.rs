//! The `hbase-emulator` binary: flags, the listening line, a round trip,
//! the log line naming a bad peer, and a clean exit on SIGTERM.

use std::io::{Read, Write};
use std::process::Command;

use hbase_orm_idl::hbase::HbaseGetTableNamesArgs;
use hbase_orm_idl::wire::{self, Protocol, Transport};

mod common;

use common::{connect, get_table_names_over, signal, spawn, terminate, BIN};

#[test]
fn help_explains_every_flag() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--bind",
        "--transport",
        "--protocol",
        "--max-message-bytes",
        "--scanner-timeout-secs",
        "--read-timeout-secs",
        "-hsha",
        "-nonblocking",
        "-c)",
        "RUST_LOG",
        "SIGTERM",
    ] {
        assert!(
            help.contains(flag),
            "--help does not mention {flag}:\n{help}"
        );
    }
}

#[test]
fn a_bad_flag_is_refused() {
    let out = Command::new(BIN)
        .args(["--transport", "smoke-signals"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("smoke-signals"), "{err}");
}

#[test]
fn serves_then_exits_cleanly_on_sigterm() {
    let (running, line) = spawn(&[]);
    assert_eq!(
        line,
        format!(
            "hbase-emulator listening on {} (buffered, binary)",
            running.addr
        )
    );
    assert!(get_table_names_over(
        &mut connect(running.addr),
        Protocol::Binary,
        Transport::Buffered
    )
    .is_empty());
    let (code, _) = terminate(running);
    assert_eq!(code, Some(0));
}

#[test]
fn speaks_framed_compact_when_asked() {
    let (running, line) = spawn(&["--transport", "framed", "--protocol", "compact"]);
    assert!(line.ends_with("(framed, compact)"), "{line}");
    assert!(get_table_names_over(
        &mut connect(running.addr),
        Protocol::Compact,
        Transport::Framed
    )
    .is_empty());
    let (code, _) = terminate(running);
    assert_eq!(code, Some(0));
}

#[test]
fn logs_one_line_naming_a_mismatched_peer() {
    let (running, _) = spawn(&[]);
    // A compact client on a binary server.
    let mut call = Vec::new();
    wire::encode_call(
        Protocol::Compact,
        Transport::Buffered,
        "getTableNames",
        1,
        &mut call,
        |o| HbaseGetTableNamesArgs {}.write_to_out_protocol(o),
    )
    .unwrap();
    let mut s = connect(running.addr);
    s.write_all(&call).unwrap();
    let mut rest = Vec::new();
    // The server closes the connection without a reply.
    let _ = s.read_to_end(&mut rest);
    assert!(rest.is_empty());
    // Still serving others.
    assert!(get_table_names_over(
        &mut connect(running.addr),
        Protocol::Binary,
        Transport::Buffered
    )
    .is_empty());
    let (code, log) = terminate(running);
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("closing the connection"))
        .collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert!(
        lines[0].contains("the peer speaks the compact protocol over the buffered transport"),
        "{}",
        lines[0]
    );
}

#[test]
fn refuses_a_taken_port() {
    let (running, _) = spawn(&[]);
    let out = Command::new(BIN)
        .args(["--bind", &running.addr.to_string()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen"), "{err}");
    let (code, _) = terminate(running);
    assert_eq!(code, Some(0));
}

#[test]
fn a_signal_right_after_the_listening_line_exits_cleanly() {
    for which in ["-TERM", "-INT"] {
        for _ in 0..10 {
            let (running, _) = spawn(&[]);
            let (code, log) = signal(running, which);
            assert_eq!(code, Some(0), "after {which}: {log}");
        }
    }
}
