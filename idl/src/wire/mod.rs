//! Message framing for the gateway's wire protocols, without I/O.
//!
//! A Thrift message on the buffered (unframed) transport carries no length:
//! its end is only known by walking its structure. [`MessageScanner`] does that
//! walk incrementally: fed the growing buffer of one connection, it resumes
//! where it stopped, so a message that arrives in many reads is walked once,
//! not once per read. It also bounds what a peer can make us hold: a declared
//! length past the configured maximum, a negative length, an unknown type or a
//! structure nested too deep is an error before any of it is buffered.
//!
//! [`Reader`] is the one reader of Thrift primitives (binary and compact)
//! the scanner walks with; the client's hand-written decoder of row replies
//! reads with it too, so there is one walker of the encodings to get right.
//!
//! Once a whole message is in memory, [`decode`] hands it to the generated
//! readers and [`encode`] writes one with the generated writers.

use std::fmt;
use std::str::FromStr;

use thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TCompactInputProtocol, TCompactOutputProtocol,
    TInputProtocol, TMessageIdentifier, TMessageType, TOutputProtocol,
};
use thrift::TConfiguration;

mod reader;
mod scanner;

pub use reader::{Mark, Outer, ReadError, Reader, ValueType, MAX_DEPTH};
pub use scanner::MessageScanner;

/// Default bound on one message: 64 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// The Thrift protocol: how values are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// `TBinaryProtocol`, the gateway's default.
    #[default]
    Binary,
    /// `TCompactProtocol`, used by gateways started with `-c`.
    Compact,
}

/// The Thrift transport: how messages are delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Transport {
    /// Messages back to back on the socket, the gateway's default.
    #[default]
    Buffered,
    /// Each message prefixed with its length as a 4-byte big-endian integer,
    /// used by gateways started with `-hsha`, `-nonblocking` or
    /// `-threadedselector`, or with `-f`.
    Framed,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Binary => "binary",
            Protocol::Compact => "compact",
        })
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Buffered => "buffered",
            Transport::Framed => "framed",
        })
    }
}

/// A protocol or transport name that is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName(pub String);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown name `{}`", self.0)
    }
}

impl std::error::Error for UnknownName {}

impl FromStr for Protocol {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "binary" => Ok(Protocol::Binary),
            "compact" => Ok(Protocol::Compact),
            _ => Err(UnknownName(s.to_owned())),
        }
    }
}

impl FromStr for Transport {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "buffered" => Ok(Transport::Buffered),
            "framed" => Ok(Transport::Framed),
            _ => Err(UnknownName(s.to_owned())),
        }
    }
}

/// Why a byte stream is not a well-formed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// What is wrong, in words.
    pub message: String,
    /// What the bytes look like instead, when they look like something else
    /// (another transport or protocol, HTTP, TLS).
    pub hint: Option<&'static str>,
}

impl WireError {
    fn new(message: impl Into<String>, seen: &[u8]) -> Self {
        WireError {
            message: message.into(),
            hint: None,
        }
        .with_hint_from(seen)
    }

    fn with_hint_from(mut self, seen: &[u8]) -> Self {
        if self.hint.is_none() {
            self.hint = sniff(seen);
        }
        self
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for WireError {}

/// Guesses what a stream is from its first bytes, for error messages.
///
/// Looks at the start of what a peer sent (at least the first four bytes are
/// useful) and names a mismatch: another protocol, the framed transport where
/// the buffered one was expected, HTTP or TLS.
pub fn sniff(first: &[u8]) -> Option<&'static str> {
    match first {
        [0x80, 0x01, ..] => Some("the peer speaks the binary protocol over the buffered transport"),
        [0x82, b, ..] if b & 0x1f == 1 => {
            Some("the peer speaks the compact protocol over the buffered transport")
        }
        [0x00, a, _, _, 0x80, 0x01, ..] if *a < 0x80 => {
            Some("the peer speaks the binary protocol over the framed transport")
        }
        [0x00, a, _, _, 0x82, ..] if *a < 0x80 => {
            Some("the peer speaks the compact protocol over the framed transport")
        }
        [0x16, 0x03, ..] => Some("the peer is starting a TLS handshake"),
        [b'P', b'O', b'S', b'T', ..]
        | [b'G', b'E', b'T', b' ', ..]
        | [b'H', b'T', b'T', b'P', ..] => Some("the peer speaks HTTP"),
        _ => None,
    }
}

/// Reads the 4-byte length of a frame of the framed transport.
///
/// # Errors
/// A negative length, or one past `max_message_bytes`; the error names what the
/// bytes look like when they are not a frame header at all.
pub fn frame_len(header: [u8; 4], max_message_bytes: usize) -> Result<usize, WireError> {
    let len = i32::from_be_bytes(header);
    if len < 0 {
        return Err(WireError::new(
            format!("negative frame length {len}"),
            &header,
        ));
    }
    let len = len as usize;
    if len > max_message_bytes {
        return Err(WireError::new(
            format!("frame of {len} bytes is larger than the limit of {max_message_bytes} bytes"),
            &header,
        ));
    }
    Ok(len)
}

/// The limits the generated readers enforce while decoding one message.
fn read_config(max_message_bytes: usize) -> TConfiguration {
    TConfiguration::builder()
        .max_message_size(Some(max_message_bytes))
        .max_frame_size(Some(max_message_bytes))
        .max_string_size(Some(max_message_bytes))
        .max_container_size(Some(max_message_bytes))
        .max_recursion_depth(Some(MAX_DEPTH))
        .build()
        .expect("static read limits are valid")
}

/// Decodes one whole message held in `bytes` (without a frame header).
///
/// Reads the message header, then hands a reader positioned on the body to
/// `body`, which typically calls a generated `read_from_in_protocol`.
///
/// # Errors
/// Whatever the header or `body` fails with.
pub fn decode<T>(
    protocol: Protocol,
    bytes: &[u8],
    body: impl FnOnce(TMessageIdentifier, &mut dyn TInputProtocol) -> thrift::Result<T>,
) -> thrift::Result<T> {
    let config = read_config(bytes.len().max(1));
    match protocol {
        Protocol::Binary => {
            let mut input = TBinaryInputProtocol::with_config(bytes, false, config);
            let ident = input.read_message_begin()?;
            let value = body(ident, &mut input)?;
            input.read_message_end()?;
            Ok(value)
        }
        Protocol::Compact => {
            let mut input = TCompactInputProtocol::with_config(bytes, config);
            let ident = input.read_message_begin()?;
            let value = body(ident, &mut input)?;
            input.read_message_end()?;
            Ok(value)
        }
    }
}

/// Appends one whole message to `out`: frame header when `transport` is
/// framed, message header, the body written by `body`, message end.
///
/// # Errors
/// Whatever `body` fails with; `out` is then left as it was.
pub fn encode(
    protocol: Protocol,
    transport: Transport,
    ident: &TMessageIdentifier,
    out: &mut Vec<u8>,
    body: impl FnOnce(&mut dyn TOutputProtocol) -> thrift::Result<()>,
) -> thrift::Result<()> {
    let start = out.len();
    if transport == Transport::Framed {
        out.extend_from_slice(&[0; 4]);
    }
    let result = match protocol {
        Protocol::Binary => {
            let mut output = TBinaryOutputProtocol::new(&mut *out, true);
            output
                .write_message_begin(ident)
                .and_then(|()| body(&mut output))
                .and_then(|()| output.write_message_end())
        }
        Protocol::Compact => {
            let mut output = TCompactOutputProtocol::new(&mut *out);
            output
                .write_message_begin(ident)
                .and_then(|()| body(&mut output))
                .and_then(|()| output.write_message_end())
                .and_then(|()| output.flush())
        }
    };
    if let Err(e) = result {
        out.truncate(start);
        return Err(e);
    }
    if transport == Transport::Framed {
        let len = out.len() - start - 4;
        let len = i32::try_from(len).map_err(|_| {
            out.truncate(start);
            thrift::Error::Protocol(thrift::ProtocolError::new(
                thrift::ProtocolErrorKind::SizeLimit,
                format!("message of {len} bytes does not fit in a frame"),
            ))
        })?;
        out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

/// Appends one call message for `method` with sequence id `seq` to `out`.
///
/// # Errors
/// Whatever `args` fails with.
pub fn encode_call(
    protocol: Protocol,
    transport: Transport,
    method: &str,
    seq: i32,
    out: &mut Vec<u8>,
    args: impl FnOnce(&mut dyn TOutputProtocol) -> thrift::Result<()>,
) -> thrift::Result<()> {
    let ident = TMessageIdentifier::new(method, TMessageType::Call, seq);
    encode(protocol, transport, &ident, out, args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hbase::{
        HbaseGetRowsArgs, HbaseMutateRowArgs, HbaseScannerGetListResult, Mutation, TCell,
        TRowResult,
    };
    use std::collections::BTreeMap;

    fn sample_reply(protocol: Protocol, transport: Transport) -> Vec<u8> {
        let mut columns = BTreeMap::new();
        for i in 0..20u8 {
            columns.insert(
                vec![b'c', b'f', b':', i],
                TCell {
                    value: Some(vec![i; i as usize * 3]),
                    timestamp: Some(i64::from(i) * 1_000_000_007),
                },
            );
        }
        let rows = (0..5u8)
            .map(|r| TRowResult {
                row: Some(vec![r; 7]),
                columns: Some(columns.clone()),
                sorted_columns: None,
            })
            .collect();
        let result = HbaseScannerGetListResult {
            result_value: Some(rows),
            io: None,
            ia: None,
        };
        let ident = TMessageIdentifier::new("scannerGetList", TMessageType::Reply, 77);
        let mut out = Vec::new();
        encode(protocol, transport, &ident, &mut out, |o| {
            result.write_to_out_protocol(o)
        })
        .unwrap();
        out
    }

    fn sample_call(protocol: Protocol) -> Vec<u8> {
        let mut out = Vec::new();
        let args = HbaseMutateRowArgs {
            table_name: b"t".to_vec(),
            row: b"r".to_vec(),
            mutations: vec![
                Mutation {
                    is_delete: Some(true),
                    column: Some(b"cf:a".to_vec()),
                    value: None,
                    write_to_w_a_l: Some(false),
                },
                Mutation {
                    is_delete: Some(false),
                    column: Some(b"cf:b".to_vec()),
                    value: Some(vec![0; 300]),
                    write_to_w_a_l: Some(true),
                },
            ],
            attributes: BTreeMap::from([(b"k".to_vec(), b"v".to_vec())]),
        };
        encode_call(
            protocol,
            Transport::Buffered,
            "mutateRow",
            -5,
            &mut out,
            |o| args.write_to_out_protocol(o),
        )
        .unwrap();
        out
    }

    #[test]
    fn finds_the_end_in_one_piece_and_byte_by_byte() {
        for protocol in [Protocol::Binary, Protocol::Compact] {
            for msg in [
                sample_reply(protocol, Transport::Buffered),
                sample_call(protocol),
            ] {
                let mut whole = MessageScanner::new(protocol, 1 << 20);
                assert_eq!(whole.scan(&msg).unwrap(), Some(msg.len()));

                let mut trickle = MessageScanner::new(protocol, 1 << 20);
                for end in 0..msg.len() {
                    assert_eq!(
                        trickle.scan(&msg[..end]).unwrap(),
                        None,
                        "{protocol} at {end}"
                    );
                }
                assert_eq!(trickle.scan(&msg).unwrap(), Some(msg.len()));
            }
        }
    }

    #[test]
    fn stops_at_the_first_of_two_messages() {
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let mut two = sample_call(protocol);
            let first = two.len();
            two.extend(sample_call(protocol));
            let mut scanner = MessageScanner::new(protocol, 1 << 20);
            assert_eq!(scanner.scan(&two).unwrap(), Some(first));
            scanner.reset();
            assert_eq!(
                scanner.scan(&two[first..]).unwrap(),
                Some(two.len() - first)
            );
        }
    }

    #[test]
    fn decodes_what_it_encodes() {
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let mut out = Vec::new();
            let args = HbaseGetRowsArgs {
                table_name: b"table".to_vec(),
                rows: vec![b"a".to_vec(), b"b".to_vec()],
                attributes: BTreeMap::new(),
            };
            encode_call(protocol, Transport::Buffered, "getRows", 9, &mut out, |o| {
                args.write_to_out_protocol(o)
            })
            .unwrap();
            let (name, back) = decode(protocol, &out, |ident, i| {
                Ok((ident.name, HbaseGetRowsArgs::read_from_in_protocol(i)?))
            })
            .unwrap();
            assert_eq!(name, "getRows");
            assert_eq!(back, args);
        }
    }

    #[test]
    fn framed_messages_carry_their_length() {
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let framed = sample_reply(protocol, Transport::Framed);
            let len = frame_len(framed[..4].try_into().unwrap(), 1 << 20).unwrap();
            assert_eq!(len, framed.len() - 4);
            let mut scanner = MessageScanner::new(protocol, 1 << 20);
            assert_eq!(scanner.scan(&framed[4..]).unwrap(), Some(len));
        }
    }

    #[test]
    fn rejects_sizes_past_the_limit_before_buffering_them() {
        // A string that declares 1 GiB.
        let mut msg = Vec::new();
        msg.extend_from_slice(&[0x80, 0x01, 0x00, 0x01]);
        msg.extend_from_slice(&3i32.to_be_bytes());
        msg.extend_from_slice(b"get");
        msg.extend_from_slice(&0i32.to_be_bytes());
        msg.extend_from_slice(&[11, 0, 1]); // a string field, id 1
        msg.extend_from_slice(&(1i32 << 30).to_be_bytes());
        let err = MessageScanner::new(Protocol::Binary, 1 << 20)
            .scan(&msg)
            .unwrap_err();
        assert!(err.message.contains("larger than the limit"), "{err}");

        let err = frame_len((100_000_000i32).to_be_bytes(), 1 << 20).unwrap_err();
        assert!(err.message.contains("larger than the limit"), "{err}");
    }

    #[test]
    fn names_the_mismatch() {
        let compact = sample_call(Protocol::Compact);
        let err = MessageScanner::new(Protocol::Binary, 1 << 20)
            .scan(&compact)
            .unwrap_err();
        assert_eq!(
            err.hint,
            Some("the peer speaks the compact protocol over the buffered transport")
        );

        let binary = sample_call(Protocol::Binary);
        let err = MessageScanner::new(Protocol::Compact, 1 << 20)
            .scan(&binary)
            .unwrap_err();
        assert_eq!(
            err.hint,
            Some("the peer speaks the binary protocol over the buffered transport")
        );

        // A buffered binary message read as a frame header: negative length.
        let err = frame_len(binary[..4].try_into().unwrap(), 1 << 20).unwrap_err();
        assert_eq!(
            err.hint,
            Some("the peer speaks the binary protocol over the buffered transport")
        );

        let err = MessageScanner::new(Protocol::Binary, 1 << 20)
            .scan(b"POST / HTTP/1.1\r\n")
            .unwrap_err();
        assert_eq!(err.hint, Some("the peer speaks HTTP"));
    }

    #[test]
    fn garbage_never_panics() {
        use proptest::prelude::*;
        let mut runner = proptest::test_runner::TestRunner::default();
        runner
            .run(&proptest::collection::vec(any::<u8>(), 0..200), |bytes| {
                for protocol in [Protocol::Binary, Protocol::Compact] {
                    let mut s = MessageScanner::new(protocol, 4096);
                    if let Ok(Some(n)) = s.scan(&bytes) {
                        prop_assert!(n <= bytes.len());
                    }
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn deep_nesting_is_refused() {
        // A struct whose field 1 is a struct whose field 1 is a struct...
        let mut msg = vec![0x80, 0x01, 0x00, 0x01, 0, 0, 0, 1, b'x', 0, 0, 0, 0];
        for _ in 0..200 {
            msg.extend_from_slice(&[12, 0, 1]); // a struct field, id 1
        }
        let err = MessageScanner::new(Protocol::Binary, 1 << 20)
            .scan(&msg)
            .unwrap_err();
        assert!(err.message.contains("deeper"), "{err}");
    }
}
