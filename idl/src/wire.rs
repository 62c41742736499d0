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
//! Once a whole message is in memory, [`decode`] hands it to the generated
//! readers and [`encode`] writes one with the generated writers.

use std::fmt;
use std::str::FromStr;

use thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TCompactInputProtocol, TCompactOutputProtocol,
    TInputProtocol, TMessageIdentifier, TMessageType, TOutputProtocol,
};
use thrift::TConfiguration;

/// Default bound on one message: 64 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Deepest nesting of structs and containers a message may have.
const MAX_DEPTH: usize = 64;

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

// Binary protocol type ids.
mod bin {
    pub(super) const STOP: u8 = 0;
    pub(super) const VOID: u8 = 1;
    pub(super) const BOOL: u8 = 2;
    pub(super) const BYTE: u8 = 3;
    pub(super) const DOUBLE: u8 = 4;
    pub(super) const I16: u8 = 6;
    pub(super) const I32: u8 = 8;
    pub(super) const I64: u8 = 10;
    pub(super) const STRING: u8 = 11;
    pub(super) const STRUCT: u8 = 12;
    pub(super) const MAP: u8 = 13;
    pub(super) const SET: u8 = 14;
    pub(super) const LIST: u8 = 15;
    pub(super) const UUID: u8 = 16;
}

// Compact protocol type ids.
mod cpt {
    pub(super) const STOP: u8 = 0;
    pub(super) const BOOL_TRUE: u8 = 1;
    pub(super) const BOOL_FALSE: u8 = 2;
    pub(super) const BYTE: u8 = 3;
    pub(super) const I16: u8 = 4;
    pub(super) const I32: u8 = 5;
    pub(super) const I64: u8 = 6;
    pub(super) const DOUBLE: u8 = 7;
    pub(super) const BINARY: u8 = 8;
    pub(super) const LIST: u8 = 9;
    pub(super) const SET: u8 = 10;
    pub(super) const MAP: u8 = 11;
    pub(super) const STRUCT: u8 = 12;
    pub(super) const UUID: u8 = 13;
}

/// One piece of pending work in the structural walk.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// The message header (name, type, sequence id).
    Header,
    /// One value of the given type id (of the scanner's protocol).
    Value(u8),
    /// The fields of a struct, up to its stop marker.
    Fields {
        /// Last field id, for the compact protocol's field-id deltas.
        last_id: i16,
    },
    /// The remaining elements of a list or set.
    Elements { ty: u8, remaining: u32 },
    /// The remaining entries of a map; `value_next` when the key of the
    /// current entry has been walked.
    Entries {
        key: u8,
        value: u8,
        remaining: u32,
        value_next: bool,
    },
}

/// Finds where one message ends in a growing buffer, walking it once.
///
/// Feed it the buffer of one connection, starting at the first byte of the
/// message, every time more bytes arrive: [`MessageScanner::scan`] resumes
/// where the last call stopped and returns the message length once the whole
/// message is there. Then call [`MessageScanner::reset`] before the next
/// message.
///
/// ```
/// use hbase_orm_idl::wire::{encode_call, MessageScanner, Protocol, Transport};
/// use hbase_orm_idl::hbase::HbaseGetTableNamesArgs;
///
/// let mut bytes = Vec::new();
/// encode_call(Protocol::Binary, Transport::Buffered, "getTableNames", 1, &mut bytes,
///     |o| HbaseGetTableNamesArgs {}.write_to_out_protocol(o)).unwrap();
/// let mut scanner = MessageScanner::new(Protocol::Binary, 1 << 20);
/// assert_eq!(scanner.scan(&bytes[..5]).unwrap(), None);
/// assert_eq!(scanner.scan(&bytes).unwrap(), Some(bytes.len()));
/// ```
#[derive(Debug, Clone)]
pub struct MessageScanner {
    protocol: Protocol,
    max_message_bytes: usize,
    pos: usize,
    stack: Vec<Step>,
}

/// Not enough bytes yet for the next atomic piece.
struct NeedMore;

type StepResult<T> = Result<T, ScanStop>;

enum ScanStop {
    NeedMore,
    Bad(WireError),
}

impl From<NeedMore> for ScanStop {
    fn from(_: NeedMore) -> Self {
        ScanStop::NeedMore
    }
}

impl MessageScanner {
    /// A scanner for `protocol` that rejects messages longer than
    /// `max_message_bytes`.
    pub fn new(protocol: Protocol, max_message_bytes: usize) -> Self {
        MessageScanner {
            protocol,
            max_message_bytes,
            pos: 0,
            stack: vec![Step::Header],
        }
    }

    /// Forgets the message walked so far, ready for the next one.
    pub fn reset(&mut self) {
        self.pos = 0;
        self.stack.clear();
        self.stack.push(Step::Header);
    }

    /// How many bytes of the current message have been walked.
    pub fn walked(&self) -> usize {
        self.pos
    }

    /// Continues the walk over `buf`, which holds the message from its first
    /// byte (and possibly bytes of following messages).
    ///
    /// Returns `Ok(Some(len))` when the message is complete and `len` bytes
    /// long, `Ok(None)` when more bytes are needed.
    ///
    /// # Errors
    /// When the bytes cannot be a message of this protocol, or declare a size
    /// past the limit. The error names what the bytes look like where it can.
    pub fn scan(&mut self, buf: &[u8]) -> Result<Option<usize>, WireError> {
        let result = match self.protocol {
            Protocol::Binary => self.walk(buf, Self::step_binary),
            Protocol::Compact => self.walk(buf, Self::step_compact),
        };
        match result {
            Ok(()) => Ok(Some(self.pos)),
            Err(ScanStop::NeedMore) => {
                if buf.len() > self.max_message_bytes {
                    Err(WireError::new(
                        format!(
                            "message is larger than the limit of {} bytes",
                            self.max_message_bytes
                        ),
                        buf,
                    ))
                } else {
                    Ok(None)
                }
            }
            Err(ScanStop::Bad(e)) => Err(e.with_hint_from(buf)),
        }
    }

    fn walk(
        &mut self,
        buf: &[u8],
        step: fn(&mut Self, &[u8], Step) -> StepResult<()>,
    ) -> StepResult<()> {
        while let Some(top) = self.stack.pop() {
            if self.stack.len() > MAX_DEPTH * 2 {
                return Err(self.bad(format!("message nests deeper than {MAX_DEPTH} levels")));
            }
            // On NeedMore the step is pushed back unchanged: every step either
            // completes an atomic piece (and commits `pos`) or changes nothing.
            if let Err(e) = step(self, buf, top) {
                if matches!(e, ScanStop::NeedMore) {
                    self.stack.push(top);
                }
                return Err(e);
            }
            if self.pos > self.max_message_bytes {
                return Err(self.bad(format!(
                    "message is larger than the limit of {} bytes",
                    self.max_message_bytes
                )));
            }
        }
        Ok(())
    }

    fn bad(&self, message: String) -> ScanStop {
        ScanStop::Bad(WireError {
            message,
            hint: None,
        })
    }

    fn take<'a>(&self, buf: &'a [u8], at: usize, n: usize) -> Result<&'a [u8], NeedMore> {
        buf.get(at..at + n).ok_or(NeedMore)
    }

    fn check_len(&self, len: i64, what: &str) -> StepResult<usize> {
        if len < 0 {
            return Err(self.bad(format!("negative {what} {len}")));
        }
        let len = len as usize;
        if len > self.max_message_bytes {
            return Err(self.bad(format!(
                "{what} {len} is larger than the limit of {} bytes",
                self.max_message_bytes
            )));
        }
        Ok(len)
    }

    fn push_value(&mut self, ty: u8) {
        self.stack.push(Step::Value(ty));
    }

    // ---- binary protocol ----

    fn step_binary(&mut self, buf: &[u8], step: Step) -> StepResult<()> {
        let at = self.pos;
        match step {
            Step::Header => {
                let head = self.take(buf, at, 4)?;
                if head[0] & 0x80 != 0 {
                    if head[0..2] != [0x80, 0x01] {
                        return Err(self.bad(format!(
                            "bad binary protocol version bytes {:02x} {:02x}",
                            head[0], head[1]
                        )));
                    }
                    check_message_type(head[3]).map_err(|m| self.bad(m))?;
                    let len = i32::from_be_bytes(self.take(buf, at + 4, 4)?.try_into().unwrap());
                    let len = self.check_len(len.into(), "method name length")?;
                    self.take(buf, at + 8, len + 4)?;
                    self.pos = at + 8 + len + 4;
                } else {
                    // Old non-strict form: name, type byte, sequence id.
                    let len = i32::from_be_bytes(head.try_into().unwrap());
                    let len = self.check_len(len.into(), "method name length")?;
                    if len > 1024 {
                        return Err(self.bad(format!(
                            "not a binary protocol message (method name of {len} bytes)"
                        )));
                    }
                    let rest = self.take(buf, at + 4, len + 5)?;
                    check_message_type(rest[len]).map_err(|m| self.bad(m))?;
                    self.pos = at + 4 + len + 5;
                }
                self.push_value(bin::STRUCT);
            }
            Step::Value(ty) => match ty {
                bin::BOOL | bin::BYTE => self.fixed(buf, 1)?,
                bin::I16 => self.fixed(buf, 2)?,
                bin::I32 => self.fixed(buf, 4)?,
                bin::I64 | bin::DOUBLE => self.fixed(buf, 8)?,
                bin::UUID => self.fixed(buf, 16)?,
                bin::STRING => {
                    let len = i32::from_be_bytes(self.take(buf, at, 4)?.try_into().unwrap());
                    let len = self.check_len(len.into(), "string length")?;
                    self.take(buf, at + 4, len)?;
                    self.pos = at + 4 + len;
                }
                bin::STRUCT => self.stack.push(Step::Fields { last_id: 0 }),
                bin::LIST | bin::SET => {
                    let head = self.take(buf, at, 5)?;
                    let elem = head[0];
                    check_binary_type(elem).map_err(|m| self.bad(m))?;
                    let n = i32::from_be_bytes(head[1..5].try_into().unwrap());
                    let n = self.check_len(n.into(), "container size")?;
                    self.pos = at + 5;
                    self.stack.push(Step::Elements {
                        ty: elem,
                        remaining: n as u32,
                    });
                }
                bin::MAP => {
                    let head = self.take(buf, at, 6)?;
                    let (k, v) = (head[0], head[1]);
                    let n = i32::from_be_bytes(head[2..6].try_into().unwrap());
                    let n = self.check_len(n.into(), "map size")?;
                    if n > 0 {
                        check_binary_type(k).map_err(|m| self.bad(m))?;
                        check_binary_type(v).map_err(|m| self.bad(m))?;
                    }
                    self.pos = at + 6;
                    self.stack.push(Step::Entries {
                        key: k,
                        value: v,
                        remaining: n as u32,
                        value_next: false,
                    });
                }
                other => return Err(self.bad(format!("unknown binary type id {other}"))),
            },
            Step::Fields { last_id } => {
                let ty = self.take(buf, at, 1)?[0];
                if ty == bin::STOP {
                    self.pos = at + 1;
                } else {
                    check_binary_type(ty).map_err(|m| self.bad(m))?;
                    self.take(buf, at + 1, 2)?;
                    self.pos = at + 3;
                    self.stack.push(Step::Fields { last_id });
                    self.push_value(ty);
                }
            }
            Step::Elements { .. } | Step::Entries { .. } => self.container_step(step),
        }
        Ok(())
    }

    fn fixed(&mut self, buf: &[u8], n: usize) -> Result<(), NeedMore> {
        self.take(buf, self.pos, n)?;
        self.pos += n;
        Ok(())
    }

    fn container_step(&mut self, step: Step) {
        match step {
            Step::Elements { ty, remaining } => {
                if remaining > 0 {
                    self.stack.push(Step::Elements {
                        ty,
                        remaining: remaining - 1,
                    });
                    self.push_value(ty);
                }
            }
            Step::Entries {
                key,
                value,
                remaining,
                value_next,
            } => {
                if remaining > 0 {
                    let next = if value_next {
                        Step::Entries {
                            key,
                            value,
                            remaining: remaining - 1,
                            value_next: false,
                        }
                    } else {
                        Step::Entries {
                            key,
                            value,
                            remaining,
                            value_next: true,
                        }
                    };
                    self.stack.push(next);
                    self.push_value(if value_next { value } else { key });
                }
            }
            _ => unreachable!("container_step on a non-container step"),
        }
    }

    // ---- compact protocol ----

    fn varint(&self, buf: &[u8], at: usize, max_bytes: usize) -> StepResult<(u64, usize)> {
        let mut value: u64 = 0;
        for i in 0..max_bytes {
            let b = *buf.get(at + i).ok_or(NeedMore)?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok((value, i + 1));
            }
        }
        Err(self.bad(format!("varint longer than {max_bytes} bytes")))
    }

    fn step_compact(&mut self, buf: &[u8], step: Step) -> StepResult<()> {
        let at = self.pos;
        match step {
            Step::Header => {
                let head = self.take(buf, at, 2)?;
                if head[0] != 0x82 {
                    return Err(self.bad(format!(
                        "bad compact protocol id {:02x} (expected 82)",
                        head[0]
                    )));
                }
                if head[1] & 0x1f != 1 {
                    return Err(self.bad(format!(
                        "unsupported compact protocol version {}",
                        head[1] & 0x1f
                    )));
                }
                check_message_type(head[1] >> 5).map_err(|m| self.bad(m))?;
                let (_, n1) = self.varint(buf, at + 2, 5)?;
                let (len, n2) = self.varint(buf, at + 2 + n1, 5)?;
                let len = self.check_len(len as i64, "method name length")?;
                let end = at + 2 + n1 + n2 + len;
                self.take(buf, at, end - at)?;
                self.pos = end;
                self.push_value(cpt::STRUCT);
            }
            Step::Value(ty) => match ty {
                cpt::BOOL_TRUE | cpt::BOOL_FALSE | cpt::BYTE => self.fixed(buf, 1)?,
                cpt::I16 | cpt::I32 => {
                    let (_, n) = self.varint(buf, at, 5)?;
                    self.pos = at + n;
                }
                cpt::I64 => {
                    let (_, n) = self.varint(buf, at, 10)?;
                    self.pos = at + n;
                }
                cpt::DOUBLE => self.fixed(buf, 8)?,
                cpt::UUID => self.fixed(buf, 16)?,
                cpt::BINARY => {
                    let (len, n) = self.varint(buf, at, 5)?;
                    let len = self.check_len(len as i64, "string length")?;
                    self.take(buf, at + n, len)?;
                    self.pos = at + n + len;
                }
                cpt::STRUCT => self.stack.push(Step::Fields { last_id: 0 }),
                cpt::LIST | cpt::SET => {
                    let head = self.take(buf, at, 1)?[0];
                    let elem = head & 0x0f;
                    let (n, used) = if head >> 4 == 0x0f {
                        let (n, used) = self.varint(buf, at + 1, 5)?;
                        (n, used + 1)
                    } else {
                        (u64::from(head >> 4), 1)
                    };
                    check_compact_type(elem).map_err(|m| self.bad(m))?;
                    let n = self.check_len(n as i64, "container size")?;
                    self.pos = at + used;
                    self.stack.push(Step::Elements {
                        ty: elem,
                        remaining: n as u32,
                    });
                }
                cpt::MAP => {
                    let (n, used) = self.varint(buf, at, 5)?;
                    let n = self.check_len(n as i64, "map size")?;
                    if n == 0 {
                        self.pos = at + used;
                    } else {
                        let kv = self.take(buf, at + used, 1)?[0];
                        let (k, v) = (kv >> 4, kv & 0x0f);
                        check_compact_type(k).map_err(|m| self.bad(m))?;
                        check_compact_type(v).map_err(|m| self.bad(m))?;
                        self.pos = at + used + 1;
                        self.stack.push(Step::Entries {
                            key: k,
                            value: v,
                            remaining: n as u32,
                            value_next: false,
                        });
                    }
                }
                other => return Err(self.bad(format!("unknown compact type id {other}"))),
            },
            Step::Fields { last_id } => {
                let head = self.take(buf, at, 1)?[0];
                if head == cpt::STOP {
                    self.pos = at + 1;
                    return Ok(());
                }
                let ty = head & 0x0f;
                let delta = head >> 4;
                let (id, used) = if delta == 0 {
                    let (raw, n) = self.varint(buf, at + 1, 3)?;
                    (zigzag(raw) as i16, n + 1)
                } else {
                    (last_id.wrapping_add(i16::from(delta)), 1)
                };
                check_compact_type(ty).map_err(|m| self.bad(m))?;
                self.pos = at + used;
                self.stack.push(Step::Fields { last_id: id });
                // A bool field carries its value in the type nibble.
                if ty != cpt::BOOL_TRUE && ty != cpt::BOOL_FALSE {
                    self.push_value(ty);
                }
            }
            Step::Elements { .. } | Step::Entries { .. } => self.container_step(step),
        }
        Ok(())
    }
}

fn zigzag(raw: u64) -> i64 {
    ((raw >> 1) as i64) ^ -((raw & 1) as i64)
}

fn check_message_type(t: u8) -> Result<(), String> {
    match t {
        1..=4 => Ok(()),
        _ => Err(format!("unknown message type {t}")),
    }
}

fn check_binary_type(t: u8) -> Result<(), String> {
    match t {
        bin::BOOL
        | bin::BYTE
        | bin::DOUBLE
        | bin::I16
        | bin::I32
        | bin::I64
        | bin::STRING
        | bin::STRUCT
        | bin::MAP
        | bin::SET
        | bin::LIST
        | bin::UUID => Ok(()),
        bin::VOID => Err("void is not a value type".to_owned()),
        _ => Err(format!("unknown binary type id {t}")),
    }
}

fn check_compact_type(t: u8) -> Result<(), String> {
    match t {
        cpt::BOOL_TRUE..=cpt::UUID => Ok(()),
        _ => Err(format!("unknown compact type id {t}")),
    }
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
        msg.extend_from_slice(&[bin::STRING, 0, 1]);
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
            msg.extend_from_slice(&[bin::STRUCT, 0, 1]);
        }
        let err = MessageScanner::new(Protocol::Binary, 1 << 20)
            .scan(&msg)
            .unwrap_err();
        assert!(err.message.contains("deeper"), "{err}");
    }
}
