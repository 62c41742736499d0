//! Support for the code `#[derive(HRow)]` generates. Not a public API: it may
//! change in any release.

pub use ::core::convert::From;
pub use ::core::default::Default;
pub use ::core::iter::{IntoIterator, Iterator};
pub use ::core::marker::PhantomData;
pub use ::core::option::Option::{self, None, Some};
pub use ::core::result::Result::{self, Err, Ok};
pub use ::std::vec::Vec;

pub use crate::codec::{
    BigEndian, Bincode, Codec, CodecError, Counter, DefaultCodec, Ordered, Raw, Utf8,
};
pub use crate::filter::{Field, Optional, Required};
pub use crate::row::{
    Cell, CellWriter, Column, ColumnKind, ColumnSpec, DecodeError, EncodeError, FamilySpec, HRow,
    Qualifier, Schema,
};
pub use crate::row_key::{KeyArg, KeyComponent, KeyPrefix};

/// The codec a field gets by default.
pub type DefaultOf<T> = <T as DefaultCodec>::Codec;

/// Encodes a field value into a fresh buffer.
#[inline]
pub fn encode<C: Codec<T>, T>(
    table: &'static str,
    field: &'static str,
    value: &T,
) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    match C::encode(value, &mut out) {
        Ok(()) => Ok(out),
        Err(e) => Err(EncodeError::new(table, field, e)),
    }
}

/// Decodes a cell value.
#[inline]
pub fn decode<C: Codec<T>, T>(
    table: &'static str,
    field: &'static str,
    row: &[u8],
    column: &[u8],
    value: &[u8],
) -> Result<T, DecodeError> {
    C::decode(value).map_err(|e| DecodeError::new(table, row, Some(column), field, e))
}

/// Decodes a map field's qualifier.
#[inline]
pub fn qualifier<K: Qualifier>(
    table: &'static str,
    field: &'static str,
    row: &[u8],
    column: &[u8],
    qualifier: &[u8],
) -> Result<K, DecodeError> {
    K::from_qualifier(qualifier).map_err(|e| DecodeError::new(table, row, Some(column), field, e))
}

/// Decodes one row-key component from the front of `input`.
#[inline]
pub fn key_component<K: KeyComponent>(
    table: &'static str,
    field: &'static str,
    row: &[u8],
    input: &mut &[u8],
    last: bool,
) -> Result<K, DecodeError> {
    K::decode_key(input, last).map_err(|e| DecodeError::new(table, row, None, field, e))
}

/// Checks that the whole row key was read.
#[inline]
pub fn key_end(
    table: &'static str,
    field: &'static str,
    row: &[u8],
    rest: &[u8],
) -> Result<(), DecodeError> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(DecodeError::new(
            table,
            row,
            None,
            field,
            CodecError::new(::std::format!(
                "{} unexpected bytes after the row key",
                rest.len()
            )),
        ))
    }
}

/// The error for a required cell that is absent.
#[cold]
pub fn missing(table: &'static str, field: &'static str, row: &[u8], column: &[u8]) -> DecodeError {
    DecodeError::new(
        table,
        row,
        Some(column),
        field,
        CodecError::new("missing cell"),
    )
}
