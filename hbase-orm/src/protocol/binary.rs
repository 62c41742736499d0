//! Writers of the binary protocol straight into a byte buffer: the request
//! side's fast path (message header, field headers, strings, lists), for
//! the arguments written most (`mutateRows`, the row gets). The generic
//! `TOutputProtocol` path goes through a vtable call and a `Write` call per
//! field; these are a few stores each.
//!
//! They write exactly what the thrift crate's strict `TBinaryOutputProtocol`
//! writes (tests compare the two byte for byte).

use hbase_orm_idl::thrift::{self, ProtocolError, ProtocolErrorKind};
use hbase_orm_idl::wire::Transport;

/// Thrift type ids on the wire.
pub(crate) const BOOL: u8 = 2;
/// `i64`.
pub(crate) const I64: u8 = 10;
/// `string` and `binary`.
pub(crate) const STRING: u8 = 11;
/// A struct.
pub(crate) const STRUCT: u8 = 12;
/// A map.
pub(crate) const MAP: u8 = 13;
/// A list.
pub(crate) const LIST: u8 = 15;

/// The strict binary protocol's version word of a call message.
const VERSION_CALL: u32 = 0x8001_0001;

/// A length or count on the wire (a non-negative `i32`).
#[inline]
fn size(n: usize, what: &str) -> thrift::Result<[u8; 4]> {
    match i32::try_from(n) {
        Ok(n) => Ok(n.to_be_bytes()),
        Err(_) => Err(thrift::Error::Protocol(ProtocolError::new(
            ProtocolErrorKind::SizeLimit,
            format!("{what} of {n} does not fit the protocol's 32-bit size"),
        ))),
    }
}

/// A field header: type and id.
#[inline]
pub(crate) fn field(out: &mut Vec<u8>, ty: u8, id: i16) {
    let id = id.to_be_bytes();
    out.extend_from_slice(&[ty, id[0], id[1]]);
}

/// The end of a struct's fields.
#[inline]
pub(crate) fn stop(out: &mut Vec<u8>) {
    out.push(0);
}

/// A `string` or `binary` value.
#[inline]
pub(crate) fn bytes(out: &mut Vec<u8>, value: &[u8]) -> thrift::Result<()> {
    length(out, value.len())?;
    out.extend_from_slice(value);
    Ok(())
}

/// The length of a `string` or `binary` value of `n` bytes (the bytes
/// follow); on error nothing is written.
#[inline]
pub(crate) fn length(out: &mut Vec<u8>, n: usize) -> thrift::Result<()> {
    out.extend_from_slice(&size(n, "a string")?);
    Ok(())
}

/// A `string` field's header and the length of its `n` bytes, which the
/// caller writes next: what `field` then `bytes` write before the bytes.
#[inline]
pub(crate) fn string_field_head(id: i16, n: usize) -> thrift::Result<[u8; 7]> {
    let [i, d] = id.to_be_bytes();
    let [a, b, c, e] = size(n, "a string")?;
    Ok([STRING, i, d, a, b, c, e])
}

/// The bytes of a `bool` field (header and value).
#[inline]
pub(crate) fn bool_field_bytes(id: i16, value: bool) -> [u8; 4] {
    let [i, d] = id.to_be_bytes();
    [BOOL, i, d, u8::from(value)]
}

/// An `i64` value.
#[inline]
pub(crate) fn i64(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(&value.to_be_bytes());
}

/// A list header: element type and count.
#[inline]
pub(crate) fn list(out: &mut Vec<u8>, ty: u8, n: usize) -> thrift::Result<()> {
    out.push(ty);
    out.extend_from_slice(&size(n, "a list")?);
    Ok(())
}

/// An empty `map<string, string>` (the `attributes` argument).
#[inline]
pub(crate) fn empty_string_map(out: &mut Vec<u8>) {
    out.extend_from_slice(&[STRING, STRING, 0, 0, 0, 0]);
}

/// Writes a whole call message: the frame header on the framed transport,
/// the message header, the argument struct written by `args`, and the frame
/// length once known. On error `out` is left as it was.
pub(crate) fn call(
    transport: Transport,
    name: &str,
    seq: i32,
    out: &mut Vec<u8>,
    args: impl FnOnce(&mut Vec<u8>) -> thrift::Result<()>,
) -> thrift::Result<()> {
    let start = out.len();
    if transport == Transport::Framed {
        out.extend_from_slice(&[0; 4]);
    }
    out.extend_from_slice(&VERSION_CALL.to_be_bytes());
    let result = bytes(out, name.as_bytes()).and_then(|()| {
        out.extend_from_slice(&seq.to_be_bytes());
        args(out)
    });
    let result = result.and_then(|()| {
        if transport == Transport::Framed {
            let len = size(out.len() - start - 4, "a frame")?;
            out[start..start + 4].copy_from_slice(&len);
        }
        Ok(())
    });
    if result.is_err() {
        out.truncate(start);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use hbase_orm_idl::thrift::protocol::{
        TFieldIdentifier, TListIdentifier, TMapIdentifier, TStructIdentifier, TType,
    };
    use hbase_orm_idl::wire::{self, Protocol};

    #[test]
    fn writes_what_the_generic_binary_protocol_writes() {
        for transport in [Transport::Buffered, Transport::Framed] {
            let mut ours = Vec::new();
            call(transport, "mutateRows", 7, &mut ours, |o| {
                field(o, STRING, 1);
                bytes(o, b"table")?;
                field(o, LIST, 2);
                list(o, STRING, 2)?;
                bytes(o, b"")?;
                bytes(o, b"x")?;
                o.extend_from_slice(&bool_field_bytes(3, true));
                field(o, I64, 4);
                i64(o, -5);
                field(o, MAP, 5);
                empty_string_map(o);
                stop(o);
                Ok(())
            })
            .unwrap();
            let mut generic = Vec::new();
            wire::encode_call(
                Protocol::Binary,
                transport,
                "mutateRows",
                7,
                &mut generic,
                |o| {
                    let f =
                        |ty, id| TFieldIdentifier::new::<Option<String>, String, i16>(None, ty, id);
                    o.write_struct_begin(&TStructIdentifier::new("args"))?;
                    o.write_field_begin(&f(TType::String, 1))?;
                    o.write_bytes(b"table")?;
                    o.write_field_end()?;
                    o.write_field_begin(&f(TType::List, 2))?;
                    o.write_list_begin(&TListIdentifier::new(TType::String, 2))?;
                    o.write_bytes(b"")?;
                    o.write_bytes(b"x")?;
                    o.write_list_end()?;
                    o.write_field_end()?;
                    o.write_field_begin(&f(TType::Bool, 3))?;
                    o.write_bool(true)?;
                    o.write_field_end()?;
                    o.write_field_begin(&f(TType::I64, 4))?;
                    o.write_i64(-5)?;
                    o.write_field_end()?;
                    o.write_field_begin(&f(TType::Map, 5))?;
                    o.write_map_begin(&TMapIdentifier::new(TType::String, TType::String, 0))?;
                    o.write_map_end()?;
                    o.write_field_end()?;
                    o.write_field_stop()?;
                    o.write_struct_end()
                },
            )
            .unwrap();
            assert_eq!(ours, generic, "{transport}");
        }
    }

    #[test]
    fn field_heads_are_what_the_field_writers_write() {
        let mut want = Vec::new();
        field(&mut want, STRING, 3);
        bytes(&mut want, b"abc").unwrap();
        let mut got = string_field_head(3, 3).unwrap().to_vec();
        got.extend_from_slice(b"abc");
        assert_eq!(got, want);
        assert!(string_field_head(3, 1 << 31).is_err());
    }

    #[test]
    fn a_failed_write_leaves_the_buffer_as_it_was() {
        let mut out = b"before".to_vec();
        let err = call(Transport::Framed, "m", 1, &mut out, |o| {
            o.push(1);
            Err(thrift::Error::Protocol(ProtocolError::new(
                ProtocolErrorKind::SizeLimit,
                "too big",
            )))
        })
        .unwrap_err();
        assert!(matches!(err, thrift::Error::Protocol(_)), "{err}");
        assert_eq!(out, b"before");
    }
}
