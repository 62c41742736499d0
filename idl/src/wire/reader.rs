//! One reader of Thrift primitives over bytes in memory, in the binary and
//! the compact protocol.
//!
//! Everything that walks or decodes a message by hand goes through
//! [`Reader`]: the [`MessageScanner`](super::MessageScanner) that finds
//! where a message ends, and the client's decoder of row replies. It reads
//! from a slice, never allocates on success, and checks every declared
//! length and count against the bytes left (and against a limit) before
//! anything is read, so bad bytes are an error, never a panic or a large
//! allocation.

use std::fmt;
use std::ops::Range;

use thrift::protocol::TMessageType;

use super::Protocol;

/// Nesting of structs and containers [`Reader::skip`] walks at most.
pub const MAX_DEPTH: usize = 64;

/// The value types of the binary and the compact protocol, as one set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `bool`.
    Bool,
    /// `byte` (`i8`).
    Byte,
    /// `i16`.
    I16,
    /// `i32` (and enums).
    I32,
    /// `i64`.
    I64,
    /// `double`.
    Double,
    /// `binary` and `string`.
    Binary,
    /// A struct, union or exception.
    Struct,
    /// `map`.
    Map,
    /// `set`.
    Set,
    /// `list`.
    List,
    /// `uuid`.
    Uuid,
}

/// Why a [`Reader`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadError {
    /// The bytes end in the middle of a value: more bytes may complete it.
    Short,
    /// The bytes are not a value of the protocol, or declare a length past
    /// the reader's limit; what is wrong, in words.
    Invalid(Box<str>),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Short => f.write_str("the message ends in the middle of a value"),
            ReadError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for thrift::Error {
    /// A cut message becomes the transport's end-of-file error and bad bytes
    /// a protocol error, as the generated readers report them.
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Short => thrift::Error::Transport(thrift::TransportError::new(
                thrift::TransportErrorKind::EndOfFile,
                e.to_string(),
            )),
            ReadError::Invalid(message) => thrift::Error::Protocol(thrift::ProtocolError::new(
                thrift::ProtocolErrorKind::InvalidData,
                String::from(message),
            )),
        }
    }
}

#[cold]
fn short() -> ReadError {
    ReadError::Short
}

#[cold]
fn invalid(message: impl Into<String>) -> ReadError {
    ReadError::Invalid(message.into().into_boxed_str())
}

/// A place in the bytes a [`Reader`] can go back to with [`Reader::seek`]:
/// the offset and, for the compact protocol, the last field id read in the
/// struct there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pos: usize,
    last_id: i16,
}

impl Mark {
    /// A mark at offset `pos` in a struct whose last field id read was
    /// `last_id`.
    pub(super) fn new(pos: usize, last_id: i16) -> Mark {
        Mark { pos, last_id }
    }

    /// The offset of the mark in the bytes.
    pub fn pos(&self) -> usize {
        self.pos
    }
}

/// What [`Reader::struct_begin`] saved of the enclosing struct, for
/// [`Reader::struct_end`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "hand it back to `Reader::struct_end`"]
pub struct Outer(i16);

/// A cursor reading Thrift primitives from bytes in memory.
///
/// ```
/// use hbase_orm_idl::wire::{Protocol, Reader, ValueType};
///
/// // A binary-protocol struct: field 1, a string "hi"; then the stop byte.
/// let bytes = [11, 0, 1, 0, 0, 0, 2, b'h', b'i', 0];
/// let mut r = Reader::new(Protocol::Binary, &bytes);
/// let outer = r.struct_begin();
/// assert_eq!(r.field_begin().unwrap(), Some((ValueType::Binary, 1)));
/// assert_eq!(r.binary().unwrap(), b"hi");
/// assert_eq!(r.field_begin().unwrap(), None);
/// r.struct_end(outer);
/// assert_eq!(r.pos(), bytes.len());
/// ```
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    compact: bool,
    /// The last field id read in the current struct (compact protocol).
    last_id: i16,
    /// The value of a boolean field, carried by its header (compact protocol).
    bool_value: Option<bool>,
    /// The largest length or count accepted: past it a value is invalid,
    /// whatever is buffered.
    limit: usize,
}

impl<'a> Reader<'a> {
    /// A reader of `protocol` at the start of `buf`, with no limit on
    /// declared lengths other than the bytes there.
    pub fn new(protocol: Protocol, buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            compact: protocol == Protocol::Compact,
            last_id: 0,
            bool_value: None,
            limit: usize::MAX,
        }
    }

    /// The same reader, refusing as [`ReadError::Invalid`] any declared
    /// length or count above `limit`, even before the bytes are there.
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// The offset of the next byte to read.
    #[inline]
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// The bytes not read yet.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The protocol read.
    #[inline]
    pub fn protocol(&self) -> Protocol {
        if self.compact {
            Protocol::Compact
        } else {
            Protocol::Binary
        }
    }

    /// The largest length or count accepted (see [`Reader::with_limit`]).
    #[inline]
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The bytes not read yet: for a caller that reads a layout it expects
    /// in one go, then moves over it with [`Reader::advance`] (and reads
    /// with the other methods when the layout is not there).
    ///
    /// ```
    /// use hbase_orm_idl::wire::{Protocol, Reader};
    ///
    /// let bytes = [0, 0, 0, 2, b'h', b'i', 0];
    /// let mut r = Reader::new(Protocol::Binary, &bytes);
    /// assert_eq!(r.unread(), &bytes[..]);
    /// r.advance(6);
    /// assert_eq!(r.unread(), &[0]);
    /// ```
    #[inline]
    pub fn unread(&self) -> &'a [u8] {
        &self.buf[self.pos.min(self.buf.len())..]
    }

    /// Moves over `n` bytes of [`Reader::unread`] (to the end at most).
    #[inline]
    pub fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.buf.len().max(self.pos));
    }

    /// Where the reader is, to come back to with [`Reader::seek`].
    #[inline]
    pub fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            last_id: self.last_id,
        }
    }

    /// Goes back (or forward) to `mark`, taken on a reader of the same
    /// bytes or of a prefix of them. A mark past the end of the bytes makes
    /// every read [`ReadError::Short`].
    #[inline]
    pub fn seek(&mut self, mark: Mark) {
        self.pos = mark.pos;
        self.last_id = mark.last_id;
        self.bool_value = None;
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8], ReadError> {
        let end = self.pos.checked_add(n).ok_or_else(short)?;
        let bytes = self.buf.get(self.pos..end).ok_or_else(short)?;
        self.pos = end;
        Ok(bytes)
    }

    #[inline]
    fn byte(&mut self) -> Result<u8, ReadError> {
        let b = *self.buf.get(self.pos).ok_or_else(short)?;
        self.pos += 1;
        Ok(b)
    }

    #[inline]
    fn be<const N: usize>(&mut self) -> Result<[u8; N], ReadError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, ReadError> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(invalid("varint longer than 10 bytes"))
    }

    #[inline]
    fn zigzag(&mut self) -> Result<i64, ReadError> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// A length or count, checked against the limit and the bytes left
    /// (every element takes at least one byte).
    #[inline]
    fn count(&mut self, what: &'static str) -> Result<usize, ReadError> {
        let n: i64 = if self.compact {
            i64::try_from(self.varint()?).unwrap_or(i64::MAX)
        } else {
            i32::from_be_bytes(self.be()?).into()
        };
        match usize::try_from(n) {
            Ok(n) if n <= self.remaining() && n <= self.limit => Ok(n),
            _ => Err(self.bad_count(n, what)),
        }
    }

    /// Why `n` is not a length or count here (out of line: the hot path
    /// only compares).
    #[cold]
    #[inline(never)]
    fn bad_count(&self, n: i64, what: &str) -> ReadError {
        match usize::try_from(n) {
            Ok(n) if n > self.limit => invalid(format!(
                "{what} {n} is larger than the limit of {} bytes",
                self.limit
            )),
            Ok(_) => short(),
            Err(_) => invalid(format!("negative {what} {n}")),
        }
    }

    /// The message header: its type, method name and sequence id.
    ///
    /// # Errors
    /// [`ReadError::Short`] when the header is not whole; invalid when it is
    /// not a header of this protocol (another protocol's first bytes, an
    /// unknown message type, a negative or oversized name length).
    pub fn message_begin(&mut self) -> Result<(TMessageType, &'a [u8], i32), ReadError> {
        if self.compact {
            let id = self.byte()?;
            if id != 0x82 {
                return Err(invalid(format!(
                    "bad compact protocol id {id:02x} (expected 82)"
                )));
            }
            let b = self.byte()?;
            if b & 0x1f != 1 {
                return Err(invalid(format!(
                    "unsupported compact protocol version {}",
                    b & 0x1f
                )));
            }
            let kind = message_type((b >> 5) & 0x07)?;
            let seq =
                u32::try_from(self.varint()?).map_err(|_| invalid("sequence id out of range"))?;
            let len = self.count("method name length")?;
            Ok((kind, self.take(len)?, seq as i32))
        } else {
            let head: [u8; 4] = self.be()?;
            if head[0] & 0x80 != 0 {
                if head[..2] != [0x80, 0x01] {
                    return Err(invalid(format!(
                        "bad binary protocol version bytes {:02x} {:02x}",
                        head[0], head[1]
                    )));
                }
                let kind = message_type(head[3])?;
                let len = self.count("method name length")?;
                let name = self.take(len)?;
                Ok((kind, name, i32::from_be_bytes(self.be()?)))
            } else {
                // The old non-strict form: name, type byte, sequence id.
                let len = usize::try_from(i32::from_be_bytes(head))
                    .map_err(|_| invalid("negative method name length"))?;
                if len > 1024 {
                    return Err(invalid(format!(
                        "not a binary protocol message (method name of {len} bytes)"
                    )));
                }
                let name = self.take(len)?;
                let kind = message_type(self.byte()?)?;
                Ok((kind, name, i32::from_be_bytes(self.be()?)))
            }
        }
    }

    #[inline]
    fn ty(&self, code: u8) -> Result<ValueType, ReadError> {
        let ty = if self.compact {
            match code {
                1 | 2 => ValueType::Bool,
                3 => ValueType::Byte,
                4 => ValueType::I16,
                5 => ValueType::I32,
                6 => ValueType::I64,
                7 => ValueType::Double,
                8 => ValueType::Binary,
                9 => ValueType::List,
                10 => ValueType::Set,
                11 => ValueType::Map,
                12 => ValueType::Struct,
                13 => ValueType::Uuid,
                _ => return Err(invalid(format!("unknown compact type id {code}"))),
            }
        } else {
            match code {
                2 => ValueType::Bool,
                3 => ValueType::Byte,
                4 => ValueType::Double,
                6 => ValueType::I16,
                8 => ValueType::I32,
                10 => ValueType::I64,
                11 => ValueType::Binary,
                12 => ValueType::Struct,
                13 => ValueType::Map,
                14 => ValueType::Set,
                15 => ValueType::List,
                16 => ValueType::Uuid,
                1 => return Err(invalid("void is not a value type")),
                _ => return Err(invalid(format!("unknown binary type id {code}"))),
            }
        };
        Ok(ty)
    }

    /// Enters a struct (its fields come next); hand what it returns to
    /// [`Reader::struct_end`] after the field that ends it.
    #[inline]
    pub fn struct_begin(&mut self) -> Outer {
        Outer(std::mem::replace(&mut self.last_id, 0))
    }

    /// Leaves the struct entered by the [`Reader::struct_begin`] that
    /// returned `outer`.
    #[inline]
    pub fn struct_end(&mut self, outer: Outer) {
        self.last_id = outer.0;
    }

    /// Reads the header of a field `id` of type `ty` when that is what comes
    /// next, and says whether it was; reads nothing otherwise (another
    /// field, the stop, too few bytes; in the compact protocol, a boolean,
    /// whose header holds its value, or a header in the long form a jump of
    /// more than 15 ids takes). For the field a struct is expected to
    /// have next: its header is checked in one comparison, and
    /// [`Reader::field_begin`] reads whatever else comes.
    ///
    /// ```
    /// use hbase_orm_idl::wire::{Protocol, Reader, ValueType};
    ///
    /// // Field 1, a string "hi"; field 2, an i64; the stop byte.
    /// let bytes = [11, 0, 1, 0, 0, 0, 2, b'h', b'i', 10, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7, 0];
    /// let mut r = Reader::new(Protocol::Binary, &bytes);
    /// let outer = r.struct_begin();
    /// assert!(!r.field_is(ValueType::I64, 2));
    /// assert!(r.field_is(ValueType::Binary, 1));
    /// assert_eq!(r.binary().unwrap(), b"hi");
    /// assert!(r.field_is(ValueType::I64, 2));
    /// assert_eq!(r.i64().unwrap(), 7);
    /// assert!(!r.field_is(ValueType::I64, 3));
    /// assert_eq!(r.field_begin().unwrap(), None);
    /// r.struct_end(outer);
    /// ```
    #[inline]
    pub fn field_is(&mut self, ty: ValueType, id: i16) -> bool {
        if self.compact {
            let delta = id.wrapping_sub(self.last_id);
            if ty == ValueType::Bool || !(1..=15).contains(&delta) {
                return false;
            }
            // `delta` is 1 to 15: it fits the high nibble.
            let header = ((delta as u8) << 4) | compact_code(ty);
            if self.buf.get(self.pos) != Some(&header) {
                return false;
            }
            self.pos += 1;
            self.last_id = id;
            true
        } else {
            let [i, d] = id.to_be_bytes();
            let header = [binary_code(ty), i, d];
            let end = self.pos + 3;
            if self.buf.get(self.pos..end) != Some(&header[..]) {
                return false;
            }
            self.pos = end;
            true
        }
    }

    /// The next field's type and id, `None` at the end of the struct (its
    /// stop byte read).
    ///
    /// # Errors
    /// [`ReadError::Short`] when the header is not whole; invalid for an
    /// unknown type or a field id out of range.
    #[inline]
    pub fn field_begin(&mut self) -> Result<Option<(ValueType, i16)>, ReadError> {
        let b = self.byte()?;
        if b == 0 {
            return Ok(None);
        }
        if !self.compact {
            let ty = self.ty(b)?;
            return Ok(Some((ty, i16::from_be_bytes(self.be()?))));
        }
        let ty = self.ty(b & 0x0f)?;
        let delta = b >> 4;
        let id = if delta == 0 {
            i16::try_from(self.zigzag()?).map_err(|_| invalid("field id out of range"))?
        } else {
            self.last_id.wrapping_add(i16::from(delta))
        };
        self.last_id = id;
        if ty == ValueType::Bool {
            self.bool_value = Some(b & 0x0f == 1);
        }
        Ok(Some((ty, id)))
    }

    /// The header of a list or set: its element type and count.
    ///
    /// # Errors
    /// [`ReadError::Short`] when the header is not whole or the count is
    /// more than the bytes left could hold; invalid for an unknown type, a
    /// negative count or one past the limit.
    #[inline]
    pub fn list_begin(&mut self) -> Result<(ValueType, usize), ReadError> {
        if self.compact {
            let b = self.byte()?;
            let ty = self.ty(b & 0x0f)?;
            let n = if b >> 4 == 15 {
                self.count("container size")?
            } else {
                usize::from(b >> 4)
            };
            if n > self.remaining() {
                return Err(short());
            }
            Ok((ty, n))
        } else {
            let ty = self.byte()?;
            let ty = self.ty(ty)?;
            Ok((ty, self.count("container size")?))
        }
    }

    /// The header of a map: its key type, value type and entry count.
    ///
    /// # Errors
    /// As [`Reader::list_begin`].
    pub fn map_begin(&mut self) -> Result<(ValueType, ValueType, usize), ReadError> {
        if self.compact {
            let n = self.count("map size")?;
            if n == 0 {
                return Ok((ValueType::Binary, ValueType::Struct, 0));
            }
            let b = self.byte()?;
            Ok((self.ty(b >> 4)?, self.ty(b & 0x0f)?, n))
        } else {
            let [k, v] = self.be()?;
            let n = self.count("map size")?;
            if n == 0 {
                return Ok((ValueType::Binary, ValueType::Struct, 0));
            }
            Ok((self.ty(k)?, self.ty(v)?, n))
        }
    }

    /// A `binary` (or `string`) value: where its bytes are.
    ///
    /// # Errors
    /// [`ReadError::Short`] when the bytes are not all there; invalid for a
    /// negative length or one past the limit.
    #[inline]
    pub fn binary_range(&mut self) -> Result<Range<usize>, ReadError> {
        let len = self.count("string length")?;
        let start = self.pos;
        self.take(len)?;
        Ok(start..start + len)
    }

    /// A `binary` (or `string`) value.
    ///
    /// # Errors
    /// As [`Reader::binary_range`].
    #[inline]
    pub fn binary(&mut self) -> Result<&'a [u8], ReadError> {
        let len = self.count("string length")?;
        self.take(len)
    }

    /// A `string` value, which must be UTF-8.
    ///
    /// # Errors
    /// As [`Reader::binary_range`]; invalid when the bytes are not UTF-8.
    pub fn string(&mut self) -> Result<&'a str, ReadError> {
        let bytes = self.binary()?;
        std::str::from_utf8(bytes).map_err(|e| invalid(format!("invalid UTF-8 string: {e}")))
    }

    /// A `bool` value (in the compact protocol a boolean field's value is in
    /// its header, which [`Reader::field_begin`] read).
    ///
    /// # Errors
    /// [`ReadError::Short`] at the end of the bytes.
    #[inline]
    pub fn bool(&mut self) -> Result<bool, ReadError> {
        if let Some(b) = self.bool_value.take() {
            return Ok(b);
        }
        let b = self.byte()?;
        Ok(if self.compact { b == 1 } else { b != 0 })
    }

    /// An `i32` value.
    ///
    /// # Errors
    /// [`ReadError::Short`] when it is not whole; invalid when a compact
    /// varint is too long or out of range.
    #[inline]
    pub fn i32(&mut self) -> Result<i32, ReadError> {
        if self.compact {
            i32::try_from(self.zigzag()?).map_err(|_| invalid("i32 out of range"))
        } else {
            Ok(i32::from_be_bytes(self.be()?))
        }
    }

    /// An `i64` value.
    ///
    /// # Errors
    /// [`ReadError::Short`] when it is not whole; invalid when a compact
    /// varint is too long.
    #[inline]
    pub fn i64(&mut self) -> Result<i64, ReadError> {
        if self.compact {
            self.zigzag()
        } else {
            Ok(i64::from_be_bytes(self.be()?))
        }
    }

    /// Walks over one value of type `ty` (a struct up to its stop byte, a
    /// container with all its elements).
    ///
    /// # Errors
    /// [`ReadError::Short`] when the value is not whole; invalid when it is
    /// not a value of the protocol or nests deeper than [`MAX_DEPTH`].
    #[inline]
    pub fn skip(&mut self, ty: ValueType) -> Result<(), ReadError> {
        self.skip_nested(ty, 0)
    }

    /// [`Reader::skip`] for a value already nested `depth` levels deep:
    /// it may nest [`MAX_DEPTH`] minus `depth` levels more.
    ///
    /// # Errors
    /// As [`Reader::skip`].
    pub fn skip_nested(&mut self, ty: ValueType, depth: usize) -> Result<(), ReadError> {
        if depth > MAX_DEPTH {
            return Err(invalid(format!(
                "message nests deeper than {MAX_DEPTH} levels"
            )));
        }
        match ty {
            ValueType::Bool => {
                self.bool()?;
            }
            ValueType::Byte => {
                self.take(1)?;
            }
            ValueType::I16 | ValueType::I32 | ValueType::I64 if self.compact => {
                self.varint()?;
            }
            ValueType::I16 => {
                self.take(2)?;
            }
            ValueType::I32 => {
                self.take(4)?;
            }
            ValueType::I64 | ValueType::Double => {
                self.take(8)?;
            }
            ValueType::Uuid => {
                self.take(16)?;
            }
            ValueType::Binary => {
                let len = self.count("string length")?;
                self.take(len)?;
            }
            ValueType::Struct => {
                let outer = self.struct_begin();
                while let Some((ty, _)) = self.field_begin()? {
                    self.skip_nested(ty, depth + 1)?;
                }
                self.struct_end(outer);
            }
            ValueType::List | ValueType::Set => {
                let (ty, n) = self.list_begin()?;
                for _ in 0..n {
                    self.skip_nested(ty, depth + 1)?;
                }
            }
            ValueType::Map => {
                let (k, v, n) = self.map_begin()?;
                for _ in 0..n {
                    self.skip_nested(k, depth + 1)?;
                    self.skip_nested(v, depth + 1)?;
                }
            }
        }
        Ok(())
    }
}

/// The binary protocol's code of `ty` (as [`Reader::ty`] reads them).
fn binary_code(ty: ValueType) -> u8 {
    match ty {
        ValueType::Bool => 2,
        ValueType::Byte => 3,
        ValueType::Double => 4,
        ValueType::I16 => 6,
        ValueType::I32 => 8,
        ValueType::I64 => 10,
        ValueType::Binary => 11,
        ValueType::Struct => 12,
        ValueType::Map => 13,
        ValueType::Set => 14,
        ValueType::List => 15,
        ValueType::Uuid => 16,
    }
}

/// The compact protocol's code of `ty` in a field header (a boolean's is
/// its value, 1 or 2: this gives 1, true).
fn compact_code(ty: ValueType) -> u8 {
    match ty {
        ValueType::Bool => 1,
        ValueType::Byte => 3,
        ValueType::I16 => 4,
        ValueType::I32 => 5,
        ValueType::I64 => 6,
        ValueType::Double => 7,
        ValueType::Binary => 8,
        ValueType::List => 9,
        ValueType::Set => 10,
        ValueType::Map => 11,
        ValueType::Struct => 12,
        ValueType::Uuid => 13,
    }
}

fn message_type(code: u8) -> Result<TMessageType, ReadError> {
    match code {
        1 => Ok(TMessageType::Call),
        2 => Ok(TMessageType::Reply),
        3 => Ok(TMessageType::Exception),
        4 => Ok(TMessageType::OneWay),
        _ => Err(invalid(format!("unknown message type {code}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thrift::protocol::{
        TBinaryOutputProtocol, TCompactOutputProtocol, TFieldIdentifier, TListIdentifier,
        TMapIdentifier, TOutputProtocol, TStructIdentifier, TType,
    };

    /// A struct of every primitive the reader reads, written by the thrift
    /// crate's writer of `protocol`.
    fn written(protocol: Protocol) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut o: Box<dyn TOutputProtocol + '_> = match protocol {
                Protocol::Binary => Box::new(TBinaryOutputProtocol::new(&mut out, true)),
                Protocol::Compact => Box::new(TCompactOutputProtocol::new(&mut out)),
            };
            let field = |name, ty, id| TFieldIdentifier::new::<_, _, i16>(name, ty, id);
            o.write_struct_begin(&TStructIdentifier::new("s")).unwrap();
            o.write_field_begin(&field("t", TType::Bool, 1)).unwrap();
            o.write_bool(true).unwrap();
            o.write_field_end().unwrap();
            o.write_field_begin(&field("f", TType::Bool, 2)).unwrap();
            o.write_bool(false).unwrap();
            o.write_field_end().unwrap();
            o.write_field_begin(&field("i", TType::I32, 40)).unwrap();
            o.write_i32(-123_456).unwrap();
            o.write_field_end().unwrap();
            o.write_field_begin(&field("l", TType::I64, 3)).unwrap();
            o.write_i64(i64::MIN).unwrap();
            o.write_field_end().unwrap();
            o.write_field_begin(&field("b", TType::String, 4)).unwrap();
            o.write_bytes(b"\x00\xffbytes").unwrap();
            o.write_field_end().unwrap();
            o.write_field_begin(&field("s", TType::String, 5)).unwrap();
            o.write_string("h\u{e9}").unwrap();
            o.write_field_end().unwrap();
            o.write_field_begin(&field("list", TType::List, 6)).unwrap();
            o.write_list_begin(&TListIdentifier::new(TType::I64, 20))
                .unwrap();
            for i in 0..20 {
                o.write_i64(i).unwrap();
            }
            o.write_list_end().unwrap();
            o.write_field_end().unwrap();
            o.write_field_begin(&field("map", TType::Map, 7)).unwrap();
            o.write_map_begin(&TMapIdentifier::new(TType::String, TType::Bool, 1))
                .unwrap();
            o.write_string("k").unwrap();
            o.write_bool(true).unwrap();
            o.write_map_end().unwrap();
            o.write_field_end().unwrap();
            o.write_field_stop().unwrap();
            o.write_struct_end().unwrap();
            o.flush().unwrap();
        }
        out
    }

    /// Fields of every type, at ids near and far from the one before (a
    /// compact header holds a delta of 1 to 15 only), as the thrift crate
    /// writes them.
    fn every_field_type(protocol: Protocol) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut o: Box<dyn TOutputProtocol + '_> = match protocol {
                Protocol::Binary => Box::new(TBinaryOutputProtocol::new(&mut out, true)),
                Protocol::Compact => Box::new(TCompactOutputProtocol::new(&mut out)),
            };
            let field = |ty, id| TFieldIdentifier::new::<_, _, i16>("f", ty, id);
            o.write_struct_begin(&TStructIdentifier::new("s")).unwrap();
            let fields = [
                (TType::String, 1),
                (TType::I64, 2),
                (TType::Bool, 3),
                (TType::I32, 40),
                (TType::I16, 41),
                (TType::I08, 20),
                (TType::Double, -3),
                (TType::Struct, 300),
                (TType::List, 301),
                (TType::Set, 316),
                (TType::Map, 317),
                (TType::String, 317),
            ];
            for (ty, id) in fields {
                o.write_field_begin(&field(ty, id)).unwrap();
                match ty {
                    TType::String => o.write_bytes(b"v").unwrap(),
                    TType::I64 => o.write_i64(-2).unwrap(),
                    TType::Bool => o.write_bool(false).unwrap(),
                    TType::I32 => o.write_i32(7).unwrap(),
                    TType::I16 => o.write_i16(7).unwrap(),
                    TType::I08 => o.write_i8(7).unwrap(),
                    TType::Double => o.write_double(0.5).unwrap(),
                    TType::Struct => {
                        o.write_struct_begin(&TStructIdentifier::new("e")).unwrap();
                        o.write_field_stop().unwrap();
                        o.write_struct_end().unwrap();
                    }
                    TType::List | TType::Set => {
                        o.write_list_begin(&TListIdentifier::new(TType::I32, 1))
                            .unwrap();
                        o.write_i32(1).unwrap();
                        o.write_list_end().unwrap();
                    }
                    _ => {
                        o.write_map_begin(&TMapIdentifier::new(TType::I32, TType::I32, 0))
                            .unwrap();
                        o.write_map_end().unwrap();
                    }
                }
                o.write_field_end().unwrap();
            }
            o.write_field_stop().unwrap();
            o.write_struct_end().unwrap();
            o.flush().unwrap();
        }
        out
    }

    #[test]
    fn field_is_agrees_with_field_begin() {
        let types = [
            ValueType::Bool,
            ValueType::Byte,
            ValueType::I16,
            ValueType::I32,
            ValueType::I64,
            ValueType::Double,
            ValueType::Binary,
            ValueType::Struct,
            ValueType::Map,
            ValueType::Set,
            ValueType::List,
            ValueType::Uuid,
        ];
        let ids = [1, 2, 3, 20, 40, 41, -3, 300, 301, 316, 317, 0];
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let bytes = every_field_type(protocol);
            let mut r = Reader::new(protocol, &bytes);
            let outer = r.struct_begin();
            let mut fields = 0;
            loop {
                let mut read = r.clone();
                let next = read.field_begin().unwrap();
                for ty in types {
                    for id in ids {
                        let mut tried = r.clone();
                        let is = tried.field_is(ty, id);
                        // The compact protocol's long headers and booleans
                        // are left to `field_begin`.
                        let short = bytes[r.pos()] >> 4 != 0;
                        let expected = next == Some((ty, id))
                            && (protocol == Protocol::Binary || (ty != ValueType::Bool && short));
                        assert_eq!(is, expected, "{protocol:?} {next:?} as {ty:?} {id}");
                        if is {
                            assert_eq!(tried.mark(), read.mark(), "{protocol:?} {next:?}");
                        } else {
                            assert_eq!(tried.mark(), r.mark(), "{protocol:?} {next:?}");
                        }
                    }
                }
                let Some((ty, _)) = next else {
                    r = read;
                    break;
                };
                read.skip(ty).unwrap();
                r = read;
                fields += 1;
            }
            r.struct_end(outer);
            assert_eq!(fields, 12);
            assert_eq!(r.pos(), bytes.len(), "{protocol:?}");
            // Too few bytes for the header: nothing read, no panic.
            let header = if protocol == Protocol::Binary { 3 } else { 1 };
            for cut in 0..header {
                let mut r = Reader::new(protocol, &bytes[..cut]);
                assert!(!r.field_is(ValueType::Binary, 1));
                assert_eq!(r.pos(), 0);
            }
        }
    }

    #[test]
    fn reads_what_the_thrift_writers_write_in_both_protocols() {
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let bytes = written(protocol);
            let mut r = Reader::new(protocol, &bytes);
            let outer = r.struct_begin();
            let next = |r: &mut Reader<'_>| r.field_begin().unwrap().unwrap();
            assert_eq!(next(&mut r), (ValueType::Bool, 1));
            assert!(r.bool().unwrap());
            assert_eq!(next(&mut r), (ValueType::Bool, 2));
            assert!(!r.bool().unwrap());
            assert_eq!(next(&mut r), (ValueType::I32, 40));
            assert_eq!(r.i32().unwrap(), -123_456);
            assert_eq!(next(&mut r), (ValueType::I64, 3));
            assert_eq!(r.i64().unwrap(), i64::MIN);
            assert_eq!(next(&mut r), (ValueType::Binary, 4));
            let mark = r.mark();
            assert_eq!(r.binary().unwrap(), b"\x00\xffbytes");
            r.seek(mark);
            let range = r.binary_range().unwrap();
            assert_eq!(&bytes[range], b"\x00\xffbytes");
            assert_eq!(next(&mut r), (ValueType::Binary, 5));
            assert_eq!(r.string().unwrap(), "h\u{e9}");
            assert_eq!(next(&mut r), (ValueType::List, 6));
            let mark = r.mark();
            assert_eq!(r.list_begin().unwrap(), (ValueType::I64, 20));
            for i in 0..20 {
                assert_eq!(r.i64().unwrap(), i);
            }
            let end = r.pos();
            r.seek(mark);
            r.skip(ValueType::List).unwrap();
            assert_eq!(r.pos(), end, "{protocol}");
            assert_eq!(next(&mut r), (ValueType::Map, 7));
            assert_eq!(
                r.map_begin().unwrap(),
                (ValueType::Binary, ValueType::Bool, 1)
            );
            assert_eq!(r.string().unwrap(), "k");
            assert!(r.bool().unwrap());
            assert_eq!(r.field_begin().unwrap(), None);
            r.struct_end(outer);
            assert_eq!(r.remaining(), 0, "{protocol}");

            // Skipped whole, the struct ends where it was read to.
            let mut r = Reader::new(protocol, &bytes);
            r.skip(ValueType::Struct).unwrap();
            assert_eq!(r.pos(), bytes.len(), "{protocol}");
            // Cut anywhere, it is short, never invalid.
            for cut in 0..bytes.len() {
                let mut r = Reader::new(protocol, &bytes[..cut]);
                assert_eq!(
                    r.skip(ValueType::Struct),
                    Err(ReadError::Short),
                    "{protocol} {cut}"
                );
            }
        }
    }

    #[test]
    fn lengths_past_the_limit_or_negative_are_invalid() {
        // A binary string of 1000 bytes declared, 1000 there, limit 10.
        let mut bytes = 1000i32.to_be_bytes().to_vec();
        bytes.extend_from_slice(&[b'x'; 1000]);
        let err = Reader::new(Protocol::Binary, &bytes)
            .with_limit(10)
            .binary()
            .unwrap_err();
        assert!(
            err.to_string().contains("larger than the limit of 10"),
            "{err}"
        );
        assert_eq!(
            Reader::new(Protocol::Binary, &bytes[..500]).binary(),
            Err(ReadError::Short)
        );
        let err = Reader::new(Protocol::Binary, &(-1i32).to_be_bytes())
            .binary()
            .unwrap_err();
        assert!(err.to_string().contains("negative"), "{err}");
        let thrift: thrift::Error = err.into();
        assert!(matches!(thrift, thrift::Error::Protocol(_)));
        let thrift: thrift::Error = ReadError::Short.into();
        assert!(matches!(thrift, thrift::Error::Transport(_)));
    }
}
