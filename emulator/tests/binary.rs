//! The `hbase-emulator` binary: flags, the listening line, a round trip,
//! the log line naming a bad peer, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

use hbase_orm_idl::hbase::{HbaseGetTableNamesArgs, HbaseGetTableNamesResult};
use hbase_orm_idl::wire::{self, MessageScanner, Protocol, Transport};

const BIN: &str = env!("CARGO_BIN_EXE_hbase-emulator");

/// A running binary; killed if a test fails before stopping it.
struct Running {
    child: Child,
    addr: SocketAddr,
    stderr: Option<ChildStderr>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts the binary on a free port and waits for its listening line.
fn spawn(extra: &[&str]) -> (Running, String) {
    let mut child = Command::new(BIN)
        .args(["--bind", "127.0.0.1:0"])
        .args(extra)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hbase-emulator");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take();
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the listening line");
    let addr = line
        .strip_prefix("hbase-emulator listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("not a listening line: {line:?}"))
        .parse()
        .expect("an address in the listening line");
    (
        Running {
            child,
            addr,
            stderr,
        },
        line.trim_end().to_owned(),
    )
}

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

/// A `getTableNames` round trip over a raw socket.
fn get_table_names(addr: SocketAddr, protocol: Protocol, transport: Transport) -> Vec<Vec<u8>> {
    let mut call = Vec::new();
    wire::encode_call(protocol, transport, "getTableNames", 1, &mut call, |o| {
        HbaseGetTableNamesArgs {}.write_to_out_protocol(o)
    })
    .unwrap();
    let mut s = connect(addr);
    s.write_all(&call).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0; 4096];
    let skip = if transport == Transport::Framed { 4 } else { 0 };
    let mut scanner = MessageScanner::new(protocol, 1 << 20);
    let len = loop {
        if buf.len() >= skip {
            if let Some(len) = scanner.scan(&buf[skip..]).unwrap() {
                break len;
            }
        }
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before a whole reply");
        buf.extend_from_slice(&chunk[..n]);
    };
    wire::decode(protocol, &buf[skip..skip + len], |_, i| {
        HbaseGetTableNamesResult::read_from_in_protocol(i)
    })
    .unwrap()
    .result_value
    .unwrap()
}

/// Sends SIGTERM and returns the exit code and everything logged.
fn terminate(running: Running) -> (Option<i32>, String) {
    signal(running, "-TERM")
}

/// Sends a signal (`-TERM`, `-INT`) and returns the exit code and everything
/// logged.
fn signal(mut running: Running, which: &str) -> (Option<i32>, String) {
    let status = Command::new("kill")
        .args([which, &running.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let code = running.child.wait().expect("wait").code();
    let mut log = String::new();
    if let Some(mut stderr) = running.stderr.take() {
        stderr.read_to_string(&mut log).unwrap();
    }
    (code, log)
}

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
        .args(["--transport", "http"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("http"), "{err}");
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
    assert!(get_table_names(running.addr, Protocol::Binary, Transport::Buffered).is_empty());
    let (code, _) = terminate(running);
    assert_eq!(code, Some(0));
}

#[test]
fn speaks_framed_compact_when_asked() {
    let (running, line) = spawn(&["--transport", "framed", "--protocol", "compact"]);
    assert!(line.ends_with("(framed, compact)"), "{line}");
    assert!(get_table_names(running.addr, Protocol::Compact, Transport::Framed).is_empty());
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
    assert!(get_table_names(running.addr, Protocol::Binary, Transport::Buffered).is_empty());
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
