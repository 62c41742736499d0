//! Entry points into the client's internal hot paths for the
//! micro-benchmarks in `hbase-orm/benches`. Not a public API: it may change
//! in any release.

use bytes::Bytes;
use hbase_orm_idl::wire::Protocol;

use crate::protocol::rows;
use crate::thrift1::batch;
use crate::value::Row;

/// Decodes a `scannerGetList` reply (the whole message, no frame header)
/// into rows, as the client does with every reply that carries rows.
///
/// # Errors
/// The decoder's error, as text.
pub fn decode_rows(protocol: Protocol, frame: &Bytes) -> Result<Vec<Row>, String> {
    rows::rows(protocol, "scannerGetList", frame).map_err(|e| e.to_string())
}

/// The `(column, value)` cells of one put.
pub type PutCells<'a> = &'a [(&'a [u8], &'a [u8])];

/// Plans the puts of `rows` (each a key and its cells) as a
/// [`Batch`](crate::Batch) does and encodes the `mutateRows` calls of the
/// plan into `out` (cleared first). Returns the number of calls.
///
/// # Errors
/// When a column name is refused or a call does not encode.
pub fn plan_and_encode_puts(
    rows: &[(&[u8], PutCells<'_>)],
    out: &mut Vec<u8>,
) -> crate::Result<usize> {
    batch::plan_and_encode_puts(rows, out)
}
