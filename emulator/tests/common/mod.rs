//! Helpers shared by the tests that run the `hbase-emulator` binary: start it
//! on a free port, talk to it over a raw socket, stop it with a signal.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

use hbase_orm_idl::hbase::{HbaseGetTableNamesArgs, HbaseGetTableNamesResult};
use hbase_orm_idl::wire::{self, MessageScanner, Protocol, Transport};

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_hbase-emulator");

/// A running binary; killed if a test fails before stopping it.
pub(crate) struct Running {
    pub child: Child,
    pub addr: SocketAddr,
    pub stderr: Option<ChildStderr>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts the binary on a free port with `extra` flags and waits for its
/// listening line, which it returns.
pub(crate) fn spawn(extra: &[&str]) -> (Running, String) {
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

/// Sends SIGTERM and returns the exit code and everything logged.
pub(crate) fn terminate(running: Running) -> (Option<i32>, String) {
    signal(running, "-TERM")
}

/// Sends a signal (`-TERM`, `-INT`) and returns the exit code and everything
/// logged.
pub(crate) fn signal(mut running: Running, which: &str) -> (Option<i32>, String) {
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

/// A TCP connection that gives up reading after 30 s instead of hanging.
pub(crate) fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

/// The bytes of a `getTableNames` call.
pub(crate) fn get_table_names_call(protocol: Protocol, transport: Transport) -> Vec<u8> {
    let mut call = Vec::new();
    wire::encode_call(protocol, transport, "getTableNames", 1, &mut call, |o| {
        HbaseGetTableNamesArgs {}.write_to_out_protocol(o)
    })
    .unwrap();
    call
}

/// A `getTableNames` round trip over `stream` (plain or TLS).
pub(crate) fn get_table_names_over(
    stream: &mut (impl Read + Write),
    protocol: Protocol,
    transport: Transport,
) -> Vec<Vec<u8>> {
    stream
        .write_all(&get_table_names_call(protocol, transport))
        .unwrap();
    stream.flush().unwrap();
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
        let n = stream.read(&mut chunk).unwrap();
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
