//! Thrift over HTTP (`EmulatorBuilder::http`, `--transport http`) over real
//! sockets: calls on a kept-alive connection, HTTPS, and every kind of bad
//! request answered with an HTTP error status and a closed connection while
//! other connections go on.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use hbase_emulator::Emulator;
use hbase_orm_idl::hbase::{
    ColumnDescriptor, HbaseCreateTableArgs, HbaseCreateTableResult, HbaseGetTableNamesResult,
};
use hbase_orm_idl::wire::{self, Protocol, Transport};

mod common;

use common::{connect, get_table_names_call, spawn, terminate, BIN};

/// One HTTP answer as read off the socket.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one answer with a `Content-Length` (what the emulator sends).
fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("read an answer");
        assert!(
            n > 0,
            "closed before an answer: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; len];
    stream.read_exact(&mut body).unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

/// Whether the server has closed the connection (reads the end of stream).
fn closed(stream: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => rest.is_empty(),
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

fn post(path: &str, body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-thrift\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

fn table_names(answer: &Answer) -> Vec<Vec<u8>> {
    assert_eq!(
        answer.status,
        200,
        "{:?}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.header("content-type"), Some("application/x-thrift"));
    wire::decode(Protocol::Binary, &answer.body, |_, i| {
        HbaseGetTableNamesResult::read_from_in_protocol(i)
    })
    .unwrap()
    .result_value
    .unwrap()
}

fn create_table_call(name: &[u8]) -> Vec<u8> {
    let mut call = Vec::new();
    let args = HbaseCreateTableArgs {
        table_name: name.to_vec(),
        column_families: vec![ColumnDescriptor {
            name: Some(b"cf:".to_vec()),
            ..ColumnDescriptor::default()
        }],
    };
    wire::encode_call(
        Protocol::Binary,
        Transport::Buffered,
        "createTable",
        2,
        &mut call,
        |o| args.write_to_out_protocol(o),
    )
    .unwrap();
    call
}

fn emulator(max_message_bytes: usize, read_timeout: Duration) -> Emulator {
    Emulator::builder()
        .http()
        .max_message_bytes(max_message_bytes)
        .read_timeout(read_timeout)
        .start_blocking()
        .unwrap()
}

fn get_table_names() -> Vec<u8> {
    get_table_names_call(Protocol::Binary, Transport::Buffered)
}

/// A fresh connection still gets answers.
fn still_serving(addr: SocketAddr) {
    let mut other = connect(addr);
    other.write_all(&post("/", &get_table_names())).unwrap();
    let _ = table_names(&read_answer(&mut other));
}

#[test]
fn calls_share_one_kept_alive_connection_at_any_path() {
    let emulator = emulator(1 << 20, Duration::from_secs(30));
    assert!(emulator.is_http());
    let mut s = connect(emulator.addr());
    s.write_all(&post("/", &create_table_call(b"t1"))).unwrap();
    let answer = read_answer(&mut s);
    assert_eq!(answer.status, 200);
    let created = wire::decode(Protocol::Binary, &answer.body, |_, i| {
        HbaseCreateTableResult::read_from_in_protocol(i)
    })
    .unwrap();
    assert!(created.io.is_none() && created.exist.is_none());
    for path in ["/", "/thrift", "/any/path?x=1"] {
        s.write_all(&post(path, &get_table_names())).unwrap();
        assert_eq!(
            table_names(&read_answer(&mut s)),
            vec![b"t1".to_vec()],
            "{path}"
        );
    }
    // A Thrift exception is a 200 answer like any reply.
    s.write_all(&post("/", &create_table_call(b"t1"))).unwrap();
    let answer = read_answer(&mut s);
    assert_eq!(answer.status, 200);
    let again = wire::decode(Protocol::Binary, &answer.body, |_, i| {
        HbaseCreateTableResult::read_from_in_protocol(i)
    })
    .unwrap();
    assert!(again.exist.is_some());
    assert_eq!(emulator.connections(), 1);
}

#[test]
fn a_chunked_body_is_read_like_any_other() {
    let emulator = emulator(1 << 20, Duration::from_secs(30));
    let call = get_table_names();
    let (a, b) = call.split_at(5);
    let mut request =
        b"POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for part in [a, b] {
        request.extend(format!("{:x}\r\n", part.len()).into_bytes());
        request.extend_from_slice(part);
        request.extend(b"\r\n");
    }
    request.extend(b"0\r\n\r\n");
    let mut s = connect(emulator.addr());
    s.write_all(&request).unwrap();
    assert!(table_names(&read_answer(&mut s)).is_empty());
}

#[test]
fn another_method_is_405_and_closes() {
    let emulator = emulator(1 << 20, Duration::from_secs(30));
    for method in ["GET", "PUT", "DELETE", "OPTIONS"] {
        let mut s = connect(emulator.addr());
        s.write_all(format!("{method} / HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
            .unwrap();
        let answer = read_answer(&mut s);
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.header("allow"), Some("POST"));
        assert!(String::from_utf8_lossy(&answer.body).contains("POST"));
        assert!(closed(&mut s), "{method}");
    }
    still_serving(emulator.addr());
}

#[test]
fn a_body_past_the_limit_is_413_before_it_is_sent() {
    let emulator = emulator(1024, Duration::from_secs(30));
    let mut s = connect(emulator.addr());
    // Only the headers: the answer must not wait for the 10 MB.
    s.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10000000\r\n\r\n")
        .unwrap();
    let answer = read_answer(&mut s);
    assert_eq!(answer.status, 413);
    assert!(String::from_utf8_lossy(&answer.body).contains("1024"));
    assert!(closed(&mut s));

    // A chunked body that grows past the limit.
    let mut s = connect(emulator.addr());
    s.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    let chunk = vec![0x80u8; 600];
    for _ in 0..2 {
        s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .unwrap();
        s.write_all(&chunk).unwrap();
        s.write_all(b"\r\n").unwrap();
    }
    let answer = read_answer(&mut s);
    assert_eq!(answer.status, 413);
    assert!(closed(&mut s));
    still_serving(emulator.addr());
}

#[test]
fn a_body_shorter_than_its_length_is_408_after_the_read_timeout() {
    let emulator = emulator(1 << 20, Duration::from_millis(300));
    let call = get_table_names();
    let mut s = connect(emulator.addr());
    let mut request = post("/", &call);
    request.truncate(request.len() - 3);
    s.write_all(&request).unwrap();
    // While it stalls, other connections are served.
    still_serving(emulator.addr());
    let answer = read_answer(&mut s);
    assert_eq!(answer.status, 408);
    assert!(closed(&mut s));

    // The same cut short by the client closing its side.
    let mut s = connect(emulator.addr());
    s.write_all(&request).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    let text = String::from_utf8_lossy(&rest);
    assert!(
        rest.is_empty() || text.starts_with("HTTP/1.1 400"),
        "{text}"
    );
    still_serving(emulator.addr());
}

#[test]
fn bytes_past_the_length_are_400_and_close() {
    let emulator = emulator(1 << 20, Duration::from_secs(30));
    let mut s = connect(emulator.addr());
    let mut request = post("/", &get_table_names());
    request.extend_from_slice(b"\x80\x01garbage that is no request\r\n\r\n");
    s.write_all(&request).unwrap();
    // The declared body is answered; what follows is no request.
    assert!(table_names(&read_answer(&mut s)).is_empty());
    let answer = read_answer(&mut s);
    assert_eq!(answer.status, 400);
    assert!(closed(&mut s));
    still_serving(emulator.addr());
}

#[test]
fn a_body_that_is_not_one_binary_message_is_400() {
    let emulator = emulator(1 << 20, Duration::from_secs(30));
    let call = get_table_names();
    let mut two = call.clone();
    two.extend_from_slice(&call);
    let compact = get_table_names_call(Protocol::Compact, Transport::Buffered);
    for (body, says) in [
        (b"hello world".to_vec(), "not a Thrift message"),
        (call[..call.len() - 2].to_vec(), "ends inside"),
        (two, "one call per request"),
        (compact, "binary protocol"),
    ] {
        let mut s = connect(emulator.addr());
        s.write_all(&post("/", &body)).unwrap();
        let answer = read_answer(&mut s);
        assert_eq!(answer.status, 400, "{says}");
        let text = String::from_utf8_lossy(&answer.body);
        assert!(text.contains(says), "{text}");
        assert!(closed(&mut s));
    }
    still_serving(emulator.addr());
}

#[test]
fn headers_that_never_end_close_the_connection_after_the_read_timeout() {
    let emulator = emulator(1 << 20, Duration::from_millis(300));
    let mut s = connect(emulator.addr());
    s.write_all(b"POST / HTTP/1.1\r\nHost: local").unwrap();
    still_serving(emulator.addr());
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    let text = String::from_utf8_lossy(&rest);
    assert!(
        rest.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

#[test]
fn garbage_instead_of_http_is_400_and_close() {
    let emulator = emulator(1 << 20, Duration::from_secs(30));
    // A socket-transport client talking to the HTTP gateway.
    let mut s = connect(emulator.addr());
    s.write_all(&get_table_names()).unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    let text = String::from_utf8_lossy(&rest);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    still_serving(emulator.addr());
}

#[test]
fn the_binary_serves_http_and_refuses_http_with_compact() {
    let (running, line) = spawn(&["--transport", "http"]);
    assert_eq!(
        line,
        format!(
            "hbase-emulator listening on {} (http, binary)",
            running.addr
        )
    );
    still_serving(running.addr);
    let (code, _) = terminate(running);
    assert_eq!(code, Some(0));

    let out = std::process::Command::new(BIN)
        .args([
            "--bind",
            "127.0.0.1:0",
            "--transport",
            "http",
            "--protocol",
            "compact",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("binary protocol"), "{err}");

    let out = std::process::Command::new(BIN)
        .args(["--bind", "127.0.0.1:0", "--transport", "carrier-pigeon"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("buffered, framed or http"), "{err}");
}

#[cfg(feature = "tls")]
#[test]
fn https_with_the_tls_identity() {
    use std::sync::Arc;

    use rustls::pki_types::ServerName;

    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let emulator = Emulator::builder()
        .http()
        .tls(cert.pem(), key.serialize_pem())
        .start_blocking()
        .unwrap();
    assert!(emulator.is_http() && emulator.is_tls());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let conn =
        rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("localhost").unwrap())
            .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, connect(emulator.addr()));
    for _ in 0..2 {
        tls.write_all(&post("/", &get_table_names())).unwrap();
        tls.flush().unwrap();
        // Read the answer through the TLS stream.
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let body_start = loop {
            let n = tls.read(&mut chunk).unwrap();
            assert!(n > 0);
            buf.extend_from_slice(&chunk[..n]);
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..body_start]).to_string();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let len: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap();
        while buf.len() < body_start + len {
            let n = tls.read(&mut chunk).unwrap();
            assert!(n > 0);
            buf.extend_from_slice(&chunk[..n]);
        }
        let names = wire::decode(
            Protocol::Binary,
            &buf[body_start..body_start + len],
            |_, i| HbaseGetTableNamesResult::read_from_in_protocol(i),
        )
        .unwrap();
        assert_eq!(names.result_value, Some(Vec::new()));
    }
}
