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

/// Adds the table and field to a codec's encoding error.
#[inline]
pub fn encoded(
    result: Result<(), CodecError>,
    table: &'static str,
    field: &'static str,
) -> Result<(), EncodeError> {
    match result {
        Ok(()) => Ok(()),
        Err(e) => Err(EncodeError::new(table, field, e)),
    }
}

/// Adds the table, field, row and column to a codec's decoding error.
#[inline]
pub fn cell<T>(
    result: Result<T, CodecError>,
    table: &'static str,
    field: &'static str,
    row: &[u8],
    column: &[u8],
) -> Result<T, DecodeError> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => Err(DecodeError::new(table, row, Some(column), field, e)),
    }
}

/// Adds the table, field and row to a row-key component's decoding error.
#[inline]
pub fn key<K>(
    result: Result<K, CodecError>,
    table: &'static str,
    field: &'static str,
    row: &[u8],
) -> Result<K, DecodeError> {
    match result {
        Ok(v) => Ok(v),
        Err(e) => Err(DecodeError::new(table, row, None, field, e)),
    }
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
