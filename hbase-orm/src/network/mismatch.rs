//! Telling a gateway that speaks another transport or protocol (or TLS, or
//! HTTP) from a slow or broken one, and naming the setting that fixes it.
//!
//! Three sources of evidence, from cheapest to dearest: the bytes a reply
//! starts with ([`sniff`]), the way a socket ended ([`eof_error`]), and, when
//! a gateway closed a connection without ever replying, a probe in each other
//! transport and protocol ([`diagnose`]), which goes through the same socket
//! and TLS code as every connection.

use std::io;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::BytesMut;
use hbase_orm_idl::hbase::HbaseGetTableNamesArgs;
use hbase_orm_idl::wire::{self, Protocol, Transport, WireError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::config::Config;
use super::framing::{next_frame, Splitter};
use super::socket;
use crate::error::Error;
use crate::protocol::rows::header;

/// The hint of a timeout when the gateway answered a probe in `transport`
/// and `protocol` (see [`diagnose`]).
pub(crate) fn timeout_hint(transport: Transport, protocol: Protocol) -> &'static str {
    static HINTS: OnceLock<Vec<((Transport, Protocol), String)>> = OnceLock::new();
    let hints = HINTS.get_or_init(|| {
        COMBOS
            .iter()
            .map(|&(t, p)| {
                let hint = format!(
                    "the gateway answers over the {t} transport in the {p} protocol: \
                     set .transport(Transport::{t:?}) and .protocol(Protocol::{p:?})"
                );
                ((t, p), hint)
            })
            .collect()
    });
    hints
        .iter()
        .find(|(combo, _)| *combo == (transport, protocol))
        .map_or(
            "the gateway speaks another transport or protocol",
            |(_, h)| h.as_str(),
        )
}

/// Every transport and protocol a gateway may speak.
const COMBOS: [(Transport, Protocol); 4] = [
    (Transport::Buffered, Protocol::Binary),
    (Transport::Buffered, Protocol::Compact),
    (Transport::Framed, Protocol::Binary),
    (Transport::Framed, Protocol::Compact),
];

/// What to do about a server that speaks TLS.
#[cfg(feature = "tls")]
const TLS_ADVICE: &str = "the server speaks TLS: set .tls(TlsConfig) on the builder";
#[cfg(not(feature = "tls"))]
const TLS_ADVICE: &str =
    "the server speaks TLS: enable the `tls` feature of hbase-orm and set .tls(TlsConfig)";

impl Config {
    /// A protocol error for bytes that are not a reply, naming the setting to
    /// change when they look like another transport or protocol.
    pub(crate) fn wire_error(&self, err: &WireError) -> Error {
        self.protocol_error(format!("{}{}", err, self.advice(err.hint)))
    }

    /// Turns a [`wire::sniff`] hint into the builder call that fixes it.
    pub(crate) fn advice(&self, hint: Option<&str>) -> String {
        let Some(hint) = hint else {
            return String::new();
        };
        let mut fixes = Vec::new();
        if hint.contains("framed transport") && self.transport != Transport::Framed {
            fixes.push("the server looks like it speaks the framed transport: set .transport(Transport::Framed)");
        }
        if hint.contains("buffered transport") && self.transport != Transport::Buffered {
            fixes.push("the server looks like it speaks the buffered transport: set .transport(Transport::Buffered)");
        }
        if hint.contains("compact protocol") && self.protocol != Protocol::Compact {
            fixes.push("the server looks like it speaks the compact protocol: set .protocol(Protocol::Compact)");
        }
        if hint.contains("binary protocol") && self.protocol != Protocol::Binary {
            fixes.push("the server looks like it speaks the binary protocol: set .protocol(Protocol::Binary)");
        }
        if hint.contains("HTTP") {
            fixes.push("the server looks like the HTTP gateway: set .http() (Thrift over HTTP)");
        }
        if hint.contains("TLS") {
            fixes.push(TLS_ADVICE);
        }
        if fixes.is_empty() {
            String::new()
        } else {
            format!("; {}", fixes.join("; "))
        }
    }
}

/// What the first bytes from the gateway look like: [`wire::sniff`], which
/// knows a TLS client's first record, and also a TLS server's alert (what a
/// TLS gateway sends a client that does not speak TLS).
pub(crate) fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x15, 0x03, ..] => Some("the peer speaks TLS: it sent a TLS alert"),
        _ => wire::sniff(bytes),
    }
}

/// `err`, with a hint from [`sniff`] when it has none.
pub(crate) fn rehint(err: WireError, bytes: &[u8]) -> WireError {
    WireError {
        hint: err.hint.or_else(|| sniff(bytes)),
        message: err.message,
    }
}

/// The error for a socket the gateway closed while `waiting` for a reply,
/// with `partial` bytes of a reply received; `got_reply` when any reply ever
/// came from this gateway.
///
/// Bytes that look like another transport or protocol make it a protocol
/// error naming the setting to change. A close with nothing received, before
/// any reply ever came, is what a gateway speaking another protocol does, but
/// also what a dropped connection looks like: it stays a (retryable)
/// transport error, whose message gives the likely cause.
pub(crate) async fn eof_error(
    config: &Config,
    got_reply: bool,
    waiting: Option<&str>,
    partial: &[u8],
) -> Error {
    let waiting = waiting.unwrap_or("a request");
    if let Some(hint) = sniff(partial) {
        // A reply in the transport and protocol the client speaks, cut
        // short, is a dropped connection (retryable), not a mismatch.
        let advice = config.advice(Some(hint));
        if !advice.is_empty() {
            return config.protocol_error(format!(
                "the gateway closed the connection in the middle of an unreadable reply to \
                 `{waiting}` ({hint}){advice}"
            ));
        }
    }
    let message = if got_reply {
        format!("the gateway closed the connection before replying to `{waiting}`")
    } else if let Some((transport, protocol)) = diagnose(config).await {
        let mut fixes = Vec::new();
        // The setters to call, with the variants' names (their `Debug`).
        if transport != config.transport {
            fixes.push(format!(".transport(Transport::{transport:?})"));
        }
        if protocol != config.protocol {
            fixes.push(format!(".protocol(Protocol::{protocol:?})"));
        }
        return config.protocol_error(format!(
            "the gateway closed the connection without replying to `{waiting}`: it speaks the \
             {protocol} protocol over the {transport} transport, and the client the {} protocol \
             over the {} transport: set {}",
            config.protocol,
            config.transport,
            fixes.join(" and ")
        ));
    } else {
        format!(
            "the gateway closed the connection without replying to `{waiting}`, and no reply \
             has ever come from it: if every call fails this way, the gateway speaks another \
             transport or protocol than the client ({} protocol over the {} transport); \
             check .transport() and .protocol() against the server's options",
            config.protocol, config.transport
        )
    };
    config.transport_error(io::Error::new(io::ErrorKind::UnexpectedEof, message))
}

/// Longest a probe of [`diagnose`] may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Finds which other transport and protocol the gateway speaks, by asking it
/// for its table names (a harmless read) in each, at once. Used only when a
/// gateway closed a connection without ever replying.
pub(crate) async fn diagnose(config: &Config) -> Option<(Transport, Protocol)> {
    let candidates: Vec<(Transport, Protocol)> = COMBOS
        .into_iter()
        .filter(|&c| c != (config.transport, config.protocol))
        .collect();
    let answers =
        futures::future::join_all(candidates.iter().map(|&(t, p)| probe(config, t, p))).await;
    candidates
        .into_iter()
        .zip(answers)
        .find_map(|(c, ok)| ok.then_some(c))
}

/// Replies to a probe larger than this are not waited for.
const PROBE_LIMIT: usize = 1 << 20;

/// Whether the gateway answers a `getTableNames` call in `transport` and
/// `protocol`, asked over a socket opened as every connection's is (TLS
/// included when it is set).
async fn probe(config: &Config, transport: Transport, protocol: Protocol) -> bool {
    let probe = Config {
        transport,
        protocol,
        timeout: PROBE_TIMEOUT.min(config.timeout),
        max_message_bytes: PROBE_LIMIT,
        ..config.clone()
    };
    let attempt = async {
        let (mut read, mut write) = socket::open(&probe).await.ok()?;
        let mut out = Vec::new();
        wire::encode_call(protocol, transport, "getTableNames", 1, &mut out, |o| {
            HbaseGetTableNamesArgs {}.write_to_out_protocol(o)
        })
        .ok()?;
        write.write_all(&out).await.ok()?;
        write.flush().await.ok()?;
        let mut buf = BytesMut::with_capacity(1024);
        let mut splitter = Splitter::new(protocol, PROBE_LIMIT);
        loop {
            if let Some(frame) = next_frame(&probe, &mut buf, &mut splitter).ok()? {
                let (name, seq) = header(protocol, &frame).ok()?;
                return Some(name == b"getTableNames" && seq == 1);
            }
            if read.read_buf(&mut buf).await.ok()? == 0 {
                return None;
            }
        }
    };
    matches!(
        tokio::time::timeout(probe.timeout, attempt).await,
        Ok(Some(true))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tls_alert_is_recognised() {
        // A fatal decode_error alert, as a TLS server sends a plain client.
        let alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32];
        assert!(sniff(&alert).is_some_and(|h| h.contains("TLS")));
        assert!(sniff(&[0x16, 0x03, 0x01]).is_some_and(|h| h.contains("TLS")));
        assert_eq!(sniff(&[0x15, 0x00]), None);
        let err = rehint(
            WireError {
                message: "bad".to_owned(),
                hint: None,
            },
            &alert,
        );
        assert!(err.to_string().contains("TLS alert"), "{err}");
    }
}

#[cfg(test)]
mod hint_tests {
    use super::*;

    #[test]
    fn timeout_hints_name_both_settings() {
        for (t, p) in COMBOS {
            let hint = timeout_hint(t, p);
            assert!(
                hint.contains(&format!(".transport(Transport::{t:?})")),
                "{hint}"
            );
            assert!(
                hint.contains(&format!(".protocol(Protocol::{p:?})")),
                "{hint}"
            );
        }
    }
}
