//! A hand-written decoder for the replies that carry rows
//! (`list<TRowResult>`: `getRowWithColumns(Ts)`, `getRowsWithColumns(Ts)`,
//! `scannerGetList`), in one pass over the reply frame.
//!
//! The generated decoder copies every row key, column name and value into a
//! zeroed `Vec` and builds a `BTreeMap<Vec<u8>, TCell>` per row, which the
//! client then converts into a [`Row`]. This one reads the frame once, in the
//! binary or the compact protocol, and builds the [`Row`]s directly: keys,
//! column names and values are [`Bytes::slice`]s of the frame, so the only
//! allocations are the rows and their map nodes.
//!
//! It gives the same rows and the same errors as the generated path
//! ([`row_from_thrift`] over the generated result struct): declared
//! exceptions (`IOError`, `IllegalArgument`) become the generated exception
//! values, a `TApplicationException` message goes through the generated
//! reader, and bytes that do not decode become thrift protocol errors, never
//! a panic. Declared lengths and counts are checked against the bytes left
//! before anything is read or allocated.

use std::collections::BTreeMap;

use bytes::Bytes;
use hbase_orm_idl::hbase::{IOError, IllegalArgument, TCell, TRowResult};
use hbase_orm_idl::thrift::protocol::TMessageType;
use hbase_orm_idl::thrift::{
    self, ApplicationError, ApplicationErrorKind, ProtocolError, ProtocolErrorKind, TransportError,
    TransportErrorKind,
};
use hbase_orm_idl::wire::{self, Protocol};

use crate::value::{Cell, Row};

/// Nesting of skipped (unknown) values allowed at most.
const MAX_SKIP_DEPTH: usize = 64;
/// The frame of a [`Reader`] that only walks (and takes no slices).
static NO_FRAME: Bytes = Bytes::new();
/// Rows reserved up front at most, whatever count a reply declares.
const MAX_RESERVED_ROWS: usize = 4096;

/// The value types of both protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Bool,
    Byte,
    I16,
    I32,
    I64,
    Double,
    Binary,
    Struct,
    Map,
    Set,
    List,
    Uuid,
}

type R<T> = thrift::Result<T>;

#[cold]
fn bad(message: impl Into<String>) -> thrift::Error {
    thrift::Error::Protocol(ProtocolError::new(
        ProtocolErrorKind::InvalidData,
        message.into(),
    ))
}

#[cold]
fn short() -> thrift::Error {
    thrift::Error::Transport(TransportError::new(
        TransportErrorKind::EndOfFile,
        "the reply ends in the middle of a value",
    ))
}

/// Decodes a reply to method `name` (one of the methods returning
/// `list<TRowResult>`) held whole in `frame` (no frame header).
///
/// # Errors
/// The error the generated decoder gives for the same bytes: a declared
/// exception as `thrift::Error::User`, a `TApplicationException` as
/// `thrift::Error::Application`, a reply to another method or bytes that do
/// not decode as a protocol error, a reply cut short as a transport error.
pub(crate) fn rows(protocol: Protocol, name: &str, frame: &Bytes) -> R<Vec<Row>> {
    let mut r = Reader {
        buf: frame,
        frame,
        pos: 0,
        compact: protocol == Protocol::Compact,
        last_id: 0,
        bool_value: None,
        limit: usize::MAX,
    };
    let (kind, method, _) = r.message_begin()?;
    if kind == TMessageType::Exception {
        // Rare: the generated reader of `TApplicationException` is exact.
        return wire::decode(protocol, frame, |_, i| {
            Err(thrift::Error::Application(
                thrift::Error::read_application_error_from_in_protocol(i)?,
            ))
        });
    }
    if kind != TMessageType::Reply || method != name.as_bytes() {
        return Err(bad(format!(
            "expected a reply to `{name}`, got a {kind:?} message for `{}`",
            String::from_utf8_lossy(method)
        )));
    }
    let saved = r.struct_begin();
    let (mut result, mut io, mut ia) = (None, None, None);
    while let Some((ty, id)) = r.field_begin()? {
        match (id, ty) {
            (0, Ty::List) => result = Some(r.row_list()?),
            (1, Ty::Struct) => io = Some(r.io_error()?),
            (2, Ty::Struct) => ia = Some(r.illegal_argument()?),
            _ => r.skip(ty, 0)?,
        }
    }
    r.struct_end(saved);
    if let Some(io) = io {
        return Err(thrift::Error::User(Box::new(io)));
    }
    if let Some(ia) = ia {
        return Err(thrift::Error::User(Box::new(ia)));
    }
    result.ok_or_else(|| {
        let mut chars = name.chars();
        let upper: String = chars
            .next()
            .map(|c| c.to_ascii_uppercase())
            .into_iter()
            .collect();
        thrift::Error::Application(ApplicationError::new(
            ApplicationErrorKind::MissingResult,
            format!("no result received for Hbase{upper}{}", chars.as_str()),
        ))
    })
}

/// Turns one generated gateway result into a row, without copying the bytes.
pub(crate) fn row_from_thrift(result: TRowResult) -> Row {
    let key = Bytes::from(result.row.unwrap_or_default());
    let cells = match (result.columns, result.sorted_columns) {
        (_, Some(sorted)) => sorted
            .into_iter()
            .filter_map(|c| Some((Bytes::from(c.column_name?), cell_from_thrift(c.cell?))))
            .collect(),
        (Some(columns), None) => columns
            .into_iter()
            .map(|(name, cell)| (Bytes::from(name), cell_from_thrift(cell)))
            .collect(),
        (None, None) => BTreeMap::new(),
    };
    Row { key, cells }
}

/// Turns one generated cell into a [`Cell`], without copying the value.
pub(crate) fn cell_from_thrift(cell: TCell) -> Cell {
    Cell {
        value: Bytes::from(cell.value.unwrap_or_default()),
        timestamp: cell.timestamp.unwrap_or_default(),
    }
}

/// Where a [`Framer`] stopped in a message that was not whole yet.
#[derive(Debug, Clone, Copy)]
struct Resume {
    /// The offset of the first top-level piece not walked yet.
    pos: usize,
    /// The compact protocol's last field id at `pos`.
    last_id: i16,
    /// The element type and count left of the top-level list being walked.
    list: Option<(Ty, usize)>,
}

/// Finds where a message ends in a byte stream (the buffered transport's
/// framing), faster than the general [`wire::MessageScanner`] it falls back
/// to for the messages it cannot read.
///
/// The walk resumes where it stopped when more bytes arrive, at the
/// granularity of the fields of the result struct and of the elements of a
/// top-level list (the rows of a reply): a reply arriving in several reads is
/// walked about once.
#[derive(Debug)]
pub(crate) struct Framer {
    compact: bool,
    /// Declared lengths and counts above this make the message unreadable
    /// at once (the general scanner then names the limit), instead of
    /// waiting for bytes that will be refused anyway.
    limit: usize,
    resume: Option<Resume>,
}

/// Why a [`Framer`] gave no length.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unframed {
    /// The message is not whole yet.
    NeedMore,
    /// The bytes are not a message this walk reads: use the general scanner.
    Unreadable,
}

impl Framer {
    /// A framer for `protocol`, for messages of `max_message_bytes` at most.
    pub(crate) fn new(protocol: Protocol, max_message_bytes: usize) -> Framer {
        Framer {
            compact: protocol == Protocol::Compact,
            limit: max_message_bytes,
            resume: None,
        }
    }

    /// Forgets the message walked so far (after it was taken, or given up).
    pub(crate) fn reset(&mut self) {
        self.resume = None;
    }

    /// The length of the message at the start of `buf` (which holds the
    /// bytes seen by the previous calls, and more), if it is whole.
    pub(crate) fn frame_len(&mut self, buf: &[u8]) -> Result<usize, Unframed> {
        let mut r = Reader {
            buf,
            frame: &NO_FRAME,
            pos: 0,
            compact: self.compact,
            last_id: 0,
            bool_value: None,
            limit: self.limit,
        };
        let mut list = None;
        match self.resume {
            Some(resume) => {
                r.pos = resume.pos;
                r.last_id = resume.last_id;
                list = resume.list;
            }
            None => {
                match r.message_begin() {
                    Ok(_) => {}
                    Err(thrift::Error::Transport(_)) => return Err(Unframed::NeedMore),
                    Err(_) => return Err(Unframed::Unreadable),
                }
                r.last_id = 0;
            }
        }
        loop {
            if let Some((ty, left)) = list {
                for done in 0..left {
                    let (pos, last_id) = (r.pos, r.last_id);
                    if let Err(e) = r.skip(ty, 1) {
                        self.resume = Some(Resume {
                            pos,
                            last_id,
                            list: Some((ty, left - done)),
                        });
                        return Err(unframed(e));
                    }
                }
                list = None;
            }
            let (pos, last_id) = (r.pos, r.last_id);
            let stop = |e: thrift::Error, framer: &mut Framer| {
                framer.resume = Some(Resume {
                    pos,
                    last_id,
                    list: None,
                });
                unframed(e)
            };
            let field = match r.field_begin() {
                Ok(field) => field,
                Err(e) => return Err(stop(e, self)),
            };
            let Some((ty, _)) = field else {
                self.resume = None;
                return Ok(r.pos);
            };
            if matches!(ty, Ty::List | Ty::Set) {
                match r.list_begin() {
                    Ok(elements) => list = Some(elements),
                    Err(e) => return Err(stop(e, self)),
                }
            } else if let Err(e) = r.skip(ty, 1) {
                return Err(stop(e, self));
            }
        }
    }
}

fn unframed(e: thrift::Error) -> Unframed {
    match e {
        thrift::Error::Transport(_) => Unframed::NeedMore,
        _ => Unframed::Unreadable,
    }
}

/// The method name and sequence id of the message in `frame`, read without
/// allocating.
///
/// # Errors
/// When the header does not decode.
pub(crate) fn header(protocol: Protocol, frame: &[u8]) -> R<(&[u8], i32)> {
    let mut r = Reader {
        buf: frame,
        frame: &NO_FRAME,
        pos: 0,
        compact: protocol == Protocol::Compact,
        last_id: 0,
        bool_value: None,
        limit: usize::MAX,
    };
    let (_, name, seq) = r.message_begin()?;
    Ok((name, seq))
}

/// A cursor over one reply frame.
struct Reader<'a> {
    buf: &'a [u8],
    /// `buf` as `Bytes`, for slices of it; empty when only walking (the
    /// walk never takes slices).
    frame: &'a Bytes,
    pos: usize,
    compact: bool,
    /// The last field id read in the current struct (compact protocol).
    last_id: i16,
    /// The value of a boolean field, carried by its header (compact protocol).
    bool_value: Option<bool>,
    /// The largest length or count accepted: past it a value is bad data,
    /// whatever is buffered.
    limit: usize,
}

impl<'a> Reader<'a> {
    #[inline]
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    #[inline]
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        let end = self.pos.checked_add(n).ok_or_else(short)?;
        let bytes = self.buf.get(self.pos..end).ok_or_else(short)?;
        self.pos = end;
        Ok(bytes)
    }

    #[inline]
    fn byte(&mut self) -> R<u8> {
        let b = *self.buf.get(self.pos).ok_or_else(short)?;
        self.pos += 1;
        Ok(b)
    }

    #[inline]
    fn be<const N: usize>(&mut self) -> R<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    #[inline]
    fn varint(&mut self) -> R<u64> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(bad("varint longer than 10 bytes"))
    }

    #[inline]
    fn zigzag(&mut self) -> R<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// A length or count, checked against the bytes left (every element takes
    /// at least one byte).
    #[inline]
    fn count(&mut self, what: &str) -> R<usize> {
        let n: i64 = if self.compact {
            i64::try_from(self.varint()?).unwrap_or(i64::MAX)
        } else {
            i32::from_be_bytes(self.be()?).into()
        };
        match usize::try_from(n) {
            Ok(n) if n <= self.remaining() => Ok(n),
            Ok(n) if n > self.limit => Err(bad(format!(
                "{what} {n} is larger than the limit of {} bytes",
                self.limit
            ))),
            Ok(_) => Err(short()),
            Err(_) => Err(bad(format!("negative {what} {n}"))),
        }
    }

    /// The message header: its type, method name and sequence id.
    fn message_begin(&mut self) -> R<(TMessageType, &'a [u8], i32)> {
        if self.compact {
            if self.byte()? != 0x82 {
                return Err(bad("bad compact protocol id"));
            }
            let b = self.byte()?;
            if b & 0x1f != 1 {
                return Err(bad(format!("bad compact protocol version {}", b & 0x1f)));
            }
            let kind = TMessageType::try_from((b >> 5) & 0x07)?;
            let seq = u32::try_from(self.varint()?).map_err(|_| bad("sequence id out of range"))?;
            let len = self.count("method name length")?;
            Ok((kind, self.take(len)?, seq as i32))
        } else {
            let head: [u8; 4] = self.be()?;
            if head[0] & 0x80 != 0 {
                if head[..2] != [0x80, 0x01] {
                    return Err(bad("bad binary protocol version"));
                }
                let kind = TMessageType::try_from(head[3])?;
                let len = self.count("method name length")?;
                let name = self.take(len)?;
                Ok((kind, name, i32::from_be_bytes(self.be()?)))
            } else {
                let len = usize::try_from(i32::from_be_bytes(head))
                    .map_err(|_| bad("negative method name length"))?;
                let name = self.take(len)?;
                let kind = TMessageType::try_from(self.byte()?)?;
                Ok((kind, name, i32::from_be_bytes(self.be()?)))
            }
        }
    }

    #[inline]
    fn ty(&self, code: u8) -> R<Ty> {
        let ty = if self.compact {
            match code {
                1 | 2 => Ty::Bool,
                3 => Ty::Byte,
                4 => Ty::I16,
                5 => Ty::I32,
                6 => Ty::I64,
                7 => Ty::Double,
                8 => Ty::Binary,
                9 => Ty::List,
                10 => Ty::Set,
                11 => Ty::Map,
                12 => Ty::Struct,
                13 => Ty::Uuid,
                _ => return Err(bad(format!("unknown compact type {code}"))),
            }
        } else {
            match code {
                2 => Ty::Bool,
                3 => Ty::Byte,
                4 => Ty::Double,
                6 => Ty::I16,
                8 => Ty::I32,
                10 => Ty::I64,
                11 => Ty::Binary,
                12 => Ty::Struct,
                13 => Ty::Map,
                14 => Ty::Set,
                15 => Ty::List,
                16 => Ty::Uuid,
                _ => return Err(bad(format!("unknown binary type {code}"))),
            }
        };
        Ok(ty)
    }

    #[inline]
    fn struct_begin(&mut self) -> i16 {
        std::mem::replace(&mut self.last_id, 0)
    }

    #[inline]
    fn struct_end(&mut self, saved: i16) {
        self.last_id = saved;
    }

    /// The next field's type and id, `None` at the end of the struct.
    #[inline]
    fn field_begin(&mut self) -> R<Option<(Ty, i16)>> {
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
            i16::try_from(self.zigzag()?).map_err(|_| bad("field id out of range"))?
        } else {
            self.last_id.wrapping_add(i16::from(delta))
        };
        self.last_id = id;
        if ty == Ty::Bool {
            self.bool_value = Some(b & 0x0f == 1);
        }
        Ok(Some((ty, id)))
    }

    #[inline]
    fn list_begin(&mut self) -> R<(Ty, usize)> {
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

    fn map_begin(&mut self) -> R<(Ty, Ty, usize)> {
        if self.compact {
            let n = self.count("map size")?;
            if n == 0 {
                return Ok((Ty::Binary, Ty::Struct, 0));
            }
            let b = self.byte()?;
            Ok((self.ty(b >> 4)?, self.ty(b & 0x0f)?, n))
        } else {
            let [k, v] = self.be()?;
            let (k, v) = (self.ty(k)?, self.ty(v)?);
            Ok((k, v, self.count("map size")?))
        }
    }

    #[inline]
    fn binary(&mut self) -> R<Bytes> {
        let len = self.count("string length")?;
        let start = self.pos;
        self.take(len)?;
        Ok(self.frame.slice(start..start + len))
    }

    fn string(&mut self) -> R<String> {
        let len = self.count("string length")?;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|e| bad(format!("invalid UTF-8 string: {e}")))
    }

    fn bool(&mut self) -> R<bool> {
        if let Some(b) = self.bool_value.take() {
            return Ok(b);
        }
        let b = self.byte()?;
        Ok(if self.compact { b == 1 } else { b != 0 })
    }

    #[inline]
    fn i64(&mut self) -> R<i64> {
        if self.compact {
            self.zigzag()
        } else {
            Ok(i64::from_be_bytes(self.be()?))
        }
    }

    fn skip(&mut self, ty: Ty, depth: usize) -> R<()> {
        if depth > MAX_SKIP_DEPTH {
            return Err(bad(format!(
                "reply nests deeper than {MAX_SKIP_DEPTH} levels"
            )));
        }
        match ty {
            Ty::Bool => {
                self.bool()?;
            }
            Ty::Byte => {
                self.take(1)?;
            }
            Ty::I16 | Ty::I32 | Ty::I64 if self.compact => {
                self.varint()?;
            }
            Ty::I16 => {
                self.take(2)?;
            }
            Ty::I32 => {
                self.take(4)?;
            }
            Ty::I64 | Ty::Double => {
                self.take(8)?;
            }
            Ty::Uuid => {
                self.take(16)?;
            }
            Ty::Binary => {
                let len = self.count("string length")?;
                self.take(len)?;
            }
            Ty::Struct => {
                let saved = self.struct_begin();
                while let Some((ty, _)) = self.field_begin()? {
                    self.skip(ty, depth + 1)?;
                }
                self.struct_end(saved);
            }
            Ty::List | Ty::Set => {
                let (ty, n) = self.list_begin()?;
                for _ in 0..n {
                    self.skip(ty, depth + 1)?;
                }
            }
            Ty::Map => {
                let (k, v, n) = self.map_begin()?;
                for _ in 0..n {
                    self.skip(k, depth + 1)?;
                    self.skip(v, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    /// `list<TRowResult>`.
    fn row_list(&mut self) -> R<Vec<Row>> {
        let (ty, n) = self.list_begin()?;
        if n > 0 && ty != Ty::Struct {
            return Err(bad(format!("a list of {ty:?} where rows were expected")));
        }
        let mut rows = Vec::with_capacity(n.min(MAX_RESERVED_ROWS));
        for _ in 0..n {
            rows.push(self.row()?);
        }
        Ok(rows)
    }

    /// One `TRowResult`: field 1 the key, 2 the columns map, 3 the sorted
    /// columns (which win when both are there, as in [`row_from_thrift`]).
    fn row(&mut self) -> R<Row> {
        let saved = self.struct_begin();
        let mut key = None;
        let mut columns = None;
        let mut sorted = None;
        while let Some((ty, id)) = self.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => key = Some(self.binary()?),
                (2, Ty::Map) => columns = Some(self.column_map()?),
                (3, Ty::List) => sorted = Some(self.sorted_columns()?),
                _ => self.skip(ty, 0)?,
            }
        }
        self.struct_end(saved);
        Ok(Row {
            key: key.unwrap_or_default(),
            cells: sorted.or(columns).unwrap_or_default(),
        })
    }

    /// `map<Text, TCell>`.
    fn column_map(&mut self) -> R<BTreeMap<Bytes, Cell>> {
        let (k, v, n) = self.map_begin()?;
        if n > 0 && (k != Ty::Binary || v != Ty::Struct) {
            return Err(bad(format!(
                "a map of {k:?} to {v:?} where columns were expected"
            )));
        }
        let mut cells = BTreeMap::new();
        for _ in 0..n {
            let name = self.binary()?;
            let cell = self.cell()?;
            cells.insert(name, cell);
        }
        Ok(cells)
    }

    /// `list<TColumn>`; columns without a cell are left out, a column
    /// without a name has the empty name (as the generated decoder reads it).
    fn sorted_columns(&mut self) -> R<BTreeMap<Bytes, Cell>> {
        let (ty, n) = self.list_begin()?;
        if n > 0 && ty != Ty::Struct {
            return Err(bad(format!("a list of {ty:?} where columns were expected")));
        }
        let mut cells = BTreeMap::new();
        for _ in 0..n {
            let saved = self.struct_begin();
            let (mut name, mut cell) = (Bytes::new(), None);
            while let Some((ty, id)) = self.field_begin()? {
                match (id, ty) {
                    (1, Ty::Binary) => name = self.binary()?,
                    (2, Ty::Struct) => cell = Some(self.cell()?),
                    _ => self.skip(ty, 0)?,
                }
            }
            self.struct_end(saved);
            if let Some(cell) = cell {
                cells.insert(name, cell);
            }
        }
        Ok(cells)
    }

    /// `TCell`: field 1 the value, 2 the timestamp.
    fn cell(&mut self) -> R<Cell> {
        let saved = self.struct_begin();
        let mut cell = Cell {
            value: Bytes::new(),
            timestamp: 0,
        };
        while let Some((ty, id)) = self.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => cell.value = self.binary()?,
                (2, Ty::I64) => cell.timestamp = self.i64()?,
                _ => self.skip(ty, 0)?,
            }
        }
        self.struct_end(saved);
        Ok(cell)
    }

    /// `IOError`: field 1 the message, 2 whether the call can be retried.
    fn io_error(&mut self) -> R<IOError> {
        let saved = self.struct_begin();
        let mut e = IOError {
            message: Some(String::new()),
            can_retry: Some(false),
        };
        while let Some((ty, id)) = self.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => e.message = Some(self.string()?),
                (2, Ty::Bool) => e.can_retry = Some(self.bool()?),
                _ => self.skip(ty, 0)?,
            }
        }
        self.struct_end(saved);
        Ok(e)
    }

    /// `IllegalArgument`: field 1 the message.
    fn illegal_argument(&mut self) -> R<IllegalArgument> {
        let saved = self.struct_begin();
        let mut e = IllegalArgument {
            message: Some(String::new()),
        };
        while let Some((ty, id)) = self.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => e.message = Some(self.string()?),
                _ => self.skip(ty, 0)?,
            }
        }
        self.struct_end(saved);
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Method;
    use hbase_orm_idl::hbase::{
        HbaseGetRowWithColumnsArgs, HbaseScannerGetListArgs, HbaseScannerGetListResult, TColumn,
    };
    use hbase_orm_idl::thrift::protocol::TMessageIdentifier;
    use hbase_orm_idl::wire::Transport;
    use proptest::prelude::*;

    const PROTOCOLS: [Protocol; 2] = [Protocol::Binary, Protocol::Compact];

    fn message(
        protocol: Protocol,
        name: &str,
        kind: TMessageType,
        body: impl FnOnce(
            &mut dyn hbase_orm_idl::thrift::protocol::TOutputProtocol,
        ) -> thrift::Result<()>,
    ) -> Bytes {
        let mut out = Vec::new();
        let ident = TMessageIdentifier::new(name, kind, 7);
        wire::encode(protocol, Transport::Buffered, &ident, &mut out, body).unwrap();
        Bytes::from(out)
    }

    fn reply(protocol: Protocol, result: &HbaseScannerGetListResult) -> Bytes {
        message(protocol, "scannerGetList", TMessageType::Reply, |o| {
            result.write_to_out_protocol(o)
        })
    }

    /// The generated decoder, then [`row_from_thrift`]: the reference.
    fn reference(protocol: Protocol, frame: &Bytes) -> thrift::Result<Vec<Row>> {
        wire::decode(protocol, frame, |ident, i| {
            if ident.message_type == TMessageType::Exception {
                return Err(thrift::Error::Application(
                    thrift::Error::read_application_error_from_in_protocol(i)?,
                ));
            }
            HbaseScannerGetListArgs::read(i)
        })
    }

    fn ok(rows: Vec<TRowResult>) -> HbaseScannerGetListResult {
        HbaseScannerGetListResult {
            result_value: Some(rows),
            io: None,
            ia: None,
        }
    }

    fn cell() -> impl Strategy<Value = TCell> {
        (
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..6)),
            proptest::option::of(any::<i64>()),
        )
            .prop_map(|(value, timestamp)| TCell { value, timestamp })
    }

    fn name() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b':')], 0..4)
    }

    fn row_result() -> impl Strategy<Value = TRowResult> {
        let columns = proptest::collection::btree_map(name(), cell(), 0..5);
        let sorted = proptest::collection::vec(
            (proptest::option::of(name()), proptest::option::of(cell()))
                .prop_map(|(column_name, cell)| TColumn { column_name, cell }),
            0..5,
        );
        (
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..6)),
            proptest::option::of(columns),
            proptest::option::of(sorted),
        )
            .prop_map(|(row, columns, sorted_columns)| TRowResult {
                row,
                columns,
                sorted_columns,
            })
    }

    fn sample() -> Vec<TRowResult> {
        vec![
            TRowResult {
                row: Some(b"r1".to_vec()),
                columns: Some(
                    [(
                        b"cf:a".to_vec(),
                        TCell {
                            value: Some(b"v".to_vec()),
                            timestamp: Some(-5),
                        },
                    )]
                    .into(),
                ),
                sorted_columns: None,
            },
            TRowResult {
                row: Some(b"r2".to_vec()),
                columns: None,
                sorted_columns: Some(vec![TColumn {
                    column_name: Some(b"cf:b".to_vec()),
                    cell: Some(TCell {
                        value: Some(vec![0; 300]),
                        timestamp: Some(i64::MAX),
                    }),
                }]),
            },
        ]
    }

    #[test]
    fn rows_convert_from_either_column_form() {
        let cell = TCell {
            value: Some(b"v".to_vec()),
            timestamp: Some(3),
        };
        let map = TRowResult {
            row: Some(b"k".to_vec()),
            columns: Some(BTreeMap::from([(b"cf:a".to_vec(), cell.clone())])),
            sorted_columns: None,
        };
        let sorted = TRowResult {
            row: Some(b"k".to_vec()),
            columns: None,
            sorted_columns: Some(vec![TColumn {
                column_name: Some(b"cf:a".to_vec()),
                cell: Some(cell),
            }]),
        };
        let a = row_from_thrift(map);
        let b = row_from_thrift(sorted);
        assert_eq!(a, b);
        assert_eq!(a.get("cf:a").map(|v| &v[..]), Some(&b"v"[..]));
        assert_eq!(a.cell("cf:a").map(|c| c.timestamp), Some(3));
    }

    #[test]
    fn rows_decode_as_the_generated_decoder_does_in_each_protocol() {
        for protocol in PROTOCOLS {
            let frame = reply(protocol, &ok(sample()));
            let rows = rows(protocol, "scannerGetList", &frame).unwrap();
            assert_eq!(rows, reference(protocol, &frame).unwrap(), "{protocol}");
            assert_eq!(&rows[0].key[..], b"r1");
            assert_eq!(rows[0].cell("cf:a").unwrap().timestamp, -5);
            assert_eq!(rows[1].get("cf:b").unwrap().len(), 300);
            // The values are slices of the frame, not copies.
            let value = rows[1].get("cf:b").unwrap();
            let within = frame.as_ptr() as usize..frame.as_ptr() as usize + frame.len();
            assert!(within.contains(&(value.as_ptr() as usize)), "{protocol}");
        }
    }

    #[test]
    fn exceptions_and_foreign_replies_give_the_errors_of_the_generated_decoder() {
        for protocol in PROTOCOLS {
            let io = reply(
                protocol,
                &HbaseScannerGetListResult {
                    result_value: None,
                    io: Some(IOError::new("boom".to_owned(), true)),
                    ia: None,
                },
            );
            let ia = reply(
                protocol,
                &HbaseScannerGetListResult {
                    result_value: None,
                    io: None,
                    ia: Some(IllegalArgument::new("bad".to_owned())),
                },
            );
            let missing = reply(
                protocol,
                &HbaseScannerGetListResult {
                    result_value: None,
                    io: None,
                    ia: None,
                },
            );
            let app = message(protocol, "scannerGetList", TMessageType::Exception, |o| {
                thrift::Error::write_application_error_to_out_protocol(
                    &ApplicationError::new(ApplicationErrorKind::InternalError, "oops"),
                    o,
                )
            });
            for frame in [io, ia, missing, app] {
                let mine = rows(protocol, "scannerGetList", &frame).unwrap_err();
                let theirs = reference(protocol, &frame).unwrap_err();
                assert_eq!(
                    format!("{:?}", crate::Error::from_thrift(mine, "a")),
                    format!("{:?}", crate::Error::from_thrift(theirs, "a")),
                    "{protocol}"
                );
            }
            // A reply to another method.
            let frame = reply(protocol, &ok(sample()));
            let err = rows(protocol, HbaseGetRowWithColumnsArgs::NAME, &frame).unwrap_err();
            assert!(
                matches!(
                    crate::Error::from_thrift(err, "a"),
                    crate::Error::Protocol { .. }
                ),
                "{protocol}"
            );
        }
    }

    #[test]
    fn headers_read_as_the_generated_reader_reads_them() {
        for protocol in PROTOCOLS {
            for seq in [0, 7, -1, i32::MAX, i32::MIN] {
                let mut out = Vec::new();
                let ident = TMessageIdentifier::new("getRow", TMessageType::Reply, seq);
                wire::encode(protocol, Transport::Buffered, &ident, &mut out, |o| {
                    ok(vec![]).write_to_out_protocol(o)
                })
                .unwrap();
                let theirs = wire::decode(protocol, &out, |ident, _| Ok(ident)).unwrap();
                let (name, mine) = header(protocol, &out).unwrap();
                assert_eq!((name, mine), (&b"getRow"[..], theirs.sequence_number));
            }
        }
    }

    #[test]
    fn cut_replies_are_errors() {
        for protocol in PROTOCOLS {
            let frame = reply(protocol, &ok(sample()));
            for len in 0..frame.len() {
                assert!(rows(protocol, "scannerGetList", &frame.slice(..len)).is_err());
            }
        }
    }

    proptest! {
        #[test]
        fn random_rows_decode_as_the_generated_decoder_does(
            results in proptest::collection::vec(row_result(), 0..6),
        ) {
            for protocol in PROTOCOLS {
                let frame = reply(protocol, &ok(results.clone()));
                let mine = rows(protocol, "scannerGetList", &frame).unwrap();
                prop_assert_eq!(mine, reference(protocol, &frame).unwrap());
            }
        }

        #[test]
        fn the_framer_finds_the_end_the_scanner_finds_from_any_reads(
            results in proptest::collection::vec(row_result(), 0..6),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            for protocol in PROTOCOLS {
                let mut stream = reply(protocol, &ok(results.clone())).to_vec();
                let len = stream.len();
                stream.extend_from_slice(&reply(protocol, &ok(sample())));
                let mut cuts: Vec<usize> = cuts.iter().map(|c| c % stream.len()).collect();
                cuts.push(stream.len());
                cuts.sort_unstable();
                let mut framer = Framer::new(protocol, 1 << 20);
                let mut found = None;
                for &cut in &cuts {
                    match framer.frame_len(&stream[..cut]) {
                        Ok(n) => {
                            found = Some(n);
                            break;
                        }
                        Err(e) => prop_assert_eq!(e, Unframed::NeedMore),
                    }
                }
                let mut scanner = wire::MessageScanner::new(protocol, 1 << 20);
                prop_assert_eq!(scanner.scan(&stream).unwrap(), Some(len));
                prop_assert_eq!(found, Some(len));
            }
        }

        #[test]
        fn random_bytes_never_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        ) {
            for protocol in PROTOCOLS {
                let _ = rows(protocol, "scannerGetList", &Bytes::from(bytes.clone()));
                let mut framer = Framer::new(protocol, 1 << 20);
                for cut in [bytes.len() / 2, bytes.len()] {
                    if let Ok(n) = framer.frame_len(&bytes[..cut]) {
                        prop_assert!(n <= cut);
                        break;
                    }
                }
                // A valid reply with a few bytes changed.
                let mut frame = reply(protocol, &ok(sample())).to_vec();
                for &(at, b) in &flips {
                    let at = at % frame.len();
                    frame[at] = b;
                }
                let _ = rows(protocol, "scannerGetList", &Bytes::from(frame));
            }
        }
    }
}
