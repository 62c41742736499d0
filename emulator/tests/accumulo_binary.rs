//! The `hbase-emulator` binary serving the Accumulo Proxy: the flags, the
//! listening lines, and bad input closing only the offending connection.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hbase_orm_idl::accumulo::{AccumuloProxySyncClient, TAccumuloProxySyncClient};
use hbase_orm_idl::thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TCompactInputProtocol, TCompactOutputProtocol,
    TInputProtocol, TOutputProtocol,
};
use hbase_orm_idl::thrift::transport::{
    TFramedReadTransport, TFramedWriteTransport, TIoChannel, TTcpChannel,
};

const BIN: &str = env!("CARGO_BIN_EXE_hbase-emulator");

/// A running binary, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with `args`; returns it and its first `lines`
/// listening lines.
fn spawn(args: &[&str], lines: usize) -> (Running, Vec<String>) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn hbase-emulator");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut out = Vec::new();
    for _ in 0..lines {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read a listening line");
        out.push(line.trim_end().to_owned());
    }
    (Running(child), out)
}

fn addr_of(line: &str) -> SocketAddr {
    line.strip_prefix("hbase-emulator listening on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("not a listening line: {line:?}"))
        .parse()
        .expect("an address")
}

type Client =
    AccumuloProxySyncClient<Box<dyn TInputProtocol + Send>, Box<dyn TOutputProtocol + Send>>;

fn client(addr: SocketAddr, compact: bool) -> Client {
    let mut channel = TTcpChannel::new();
    channel.open(addr.to_string()).expect("connect");
    let (r, w) = channel.split().expect("split");
    let (i, o): (
        Box<dyn TInputProtocol + Send>,
        Box<dyn TOutputProtocol + Send>,
    ) = if compact {
        (
            Box::new(TCompactInputProtocol::new(TFramedReadTransport::new(r))),
            Box::new(TCompactOutputProtocol::new(TFramedWriteTransport::new(w))),
        )
    } else {
        (
            Box::new(TBinaryInputProtocol::new(
                TFramedReadTransport::new(r),
                true,
            )),
            Box::new(TBinaryOutputProtocol::new(
                TFramedWriteTransport::new(w),
                true,
            )),
        )
    };
    AccumuloProxySyncClient::new(i, o)
}

fn password(p: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("password".to_owned(), p.to_owned())])
}

#[test]
fn accumulo_bind_alone_serves_only_the_proxy() {
    let started = Instant::now();
    let (_running, lines) = spawn(&["--accumulo-bind", "127.0.0.1:0"], 1);
    eprintln!("listening after {:?}", started.elapsed());
    assert!(
        lines[0].ends_with("(framed, compact, Accumulo Proxy)"),
        "{lines:?}"
    );
    let mut c = client(addr_of(&lines[0]), true);
    let login = c
        .login("root".into(), password("secret"))
        .expect("default root password");
    assert!(c.list_tables(login).unwrap().contains("accumulo.root"));
    // A wrong password is refused.
    assert!(c.login("root".into(), password("wrong")).is_err());
}

#[test]
fn both_services_with_a_binary_protocol_and_another_password() {
    let (_running, lines) = spawn(
        &[
            "--bind",
            "127.0.0.1:0",
            "--accumulo-bind",
            "127.0.0.1:0",
            "--accumulo-protocol",
            "binary",
            "--accumulo-root-password",
            "hunter2",
        ],
        2,
    );
    assert!(lines[0].ends_with("(buffered, binary)"), "{lines:?}");
    assert!(
        lines[1].ends_with("(framed, binary, Accumulo Proxy)"),
        "{lines:?}"
    );
    let mut c = client(addr_of(&lines[1]), false);
    assert!(c.login("root".into(), password("secret")).is_err());
    c.login("root".into(), password("hunter2"))
        .expect("the configured password");
    // The gateway answers on its own port.
    TcpStream::connect(addr_of(&lines[0])).expect("the gateway listens");
}

#[test]
fn bad_input_closes_only_that_connection() {
    let (_running, lines) = spawn(
        &[
            "--accumulo-bind",
            "127.0.0.1:0",
            "--max-message-bytes",
            "4096",
            "--read-timeout-secs",
            "1",
        ],
        1,
    );
    let addr = addr_of(&lines[0]);
    let mut good = client(addr, true);
    let login = good.login("root".into(), password("secret")).unwrap();
    let closed = |mut s: TcpStream| {
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut buf = [0u8; 64];
        matches!(s.read(&mut buf), Ok(0) | Err(_))
    };
    // Garbage.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"\x16\x03\x01\x02\x00garbage").unwrap();
    assert!(closed(s));
    // An oversized frame.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&(1u32 << 20).to_be_bytes()).unwrap();
    assert!(closed(s));
    // A stalled client: half a frame, then nothing.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&[0, 0, 0, 40, 0x82, 0x21]).unwrap();
    assert!(closed(s));
    assert!(
        good.table_exists(login, "t".into()).is_ok(),
        "the good connection still works"
    );
}
