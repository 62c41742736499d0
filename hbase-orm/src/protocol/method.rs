//! The gateway methods the client calls, in one table: each method's name,
//! argument and result types, what its reply decodes to, and its retry class.
//!
//! A new gateway method is one row of [`methods!`] below (or, for arguments
//! written straight from the caller's data, one [`Method`] impl in this file):
//! the client layer then calls it with `conn.call(&args)`, and the retry
//! policy reads its [`Retry`] class from here, so the two cannot drift apart.

use std::marker::PhantomData;

use hbase_orm_idl::hbase::{self, TCell};
use hbase_orm_idl::thrift::protocol::{
    TBinaryOutputProtocol, TInputProtocol, TMessageType, TOutputProtocol,
};
use hbase_orm_idl::thrift::{self, ProtocolError, ProtocolErrorKind};
use hbase_orm_idl::wire::{self, Protocol};

use super::places::Frame;
use super::rows::ReplySink;
use crate::value::Row;

/// Whether a call may be sent again after it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Sending it twice has the effect of sending it once (reads, puts,
    /// deletes): retried after transport errors and timeouts.
    Idempotent,
    /// A second send may apply it twice (counters, appends, conditional
    /// puts, DDL): retried only when it certainly never reached the gateway,
    /// or when the policy allows non-idempotent retries.
    NonIdempotent,
    /// Never sent again, whatever the policy: a scanner's `next` moves the
    /// scanner on the gateway, so a resend would skip rows.
    Never,
}

/// One Thrift method: how its arguments are written and its result read.
pub(crate) trait Method {
    /// The method name on the wire.
    const NAME: &'static str;
    /// Whether a failed call may be sent again.
    const RETRY: Retry;
    /// What the call returns.
    type Output;
    /// Writes the argument struct.
    fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()>;
    /// Writes the argument struct in the binary protocol into `out`: by
    /// default with [`Method::write`] over the generic binary protocol; the
    /// methods written most write it straight into the buffer instead (see
    /// [`binary`](super::binary)).
    fn write_binary(&self, out: &mut Vec<u8>) -> thrift::Result<()> {
        self.write(&mut TBinaryOutputProtocol::new(out, true))
    }
    /// Reads the result struct and turns declared exceptions into errors.
    fn read(i: &mut dyn TInputProtocol) -> thrift::Result<Self::Output>;
    /// Decodes a whole reply message by hand, for the methods that have a
    /// one-pass decoder (which may take the places recorded with it);
    /// `None` (the default) decodes it with [`Method::read`].
    fn decode_frame(
        _protocol: Protocol,
        _frame: &mut Frame,
    ) -> Option<thrift::Result<Self::Output>> {
        None
    }
}

/// Decodes the reply to `M` held whole in `frame` (no frame header): with
/// `M`'s one-pass decoder where it has one, with the generated reader
/// otherwise.
///
/// # Errors
/// A declared exception as `thrift::Error::User`, a `TApplicationException`
/// as `thrift::Error::Application`, a reply to another method or bytes that
/// do not decode as a protocol error.
pub(crate) fn decode_reply<M: Method>(
    protocol: Protocol,
    frame: &mut Frame,
) -> thrift::Result<M::Output> {
    if let Some(decoded) = M::decode_frame(protocol, frame) {
        return decoded;
    }
    wire::decode(protocol, &frame.bytes, |ident, i| {
        if ident.message_type == TMessageType::Exception {
            let app = thrift::Error::read_application_error_from_in_protocol(i)?;
            return Err(thrift::Error::Application(app));
        }
        if ident.message_type != TMessageType::Reply || ident.name != M::NAME {
            return Err(unexpected_reply(
                M::NAME,
                ident.message_type,
                ident.name.as_bytes(),
            ));
        }
        M::read(i)
    })
}

/// The error for a reply message that does not answer `expected`.
pub(crate) fn unexpected_reply(expected: &str, kind: TMessageType, got: &[u8]) -> thrift::Error {
    thrift::Error::Protocol(ProtocolError::new(
        ProtocolErrorKind::InvalidData,
        format!(
            "expected a reply to `{expected}`, got a {kind:?} message for `{}`",
            String::from_utf8_lossy(got)
        ),
    ))
}

/// Implements [`Method`] for generated argument structs, one row a method:
/// `Args => Result, "name", Retry, Output;` where `Output` is `rows` for the
/// methods whose reply carries `list<TRowResult>` (decoded in one pass by
/// [`rows`](super::rows::rows); the generated reader stays as the reference
/// it is tested against).
macro_rules! methods {
    (@read $result:ident, rows, $i:ident) => {{
        let rows = hbase::$result::read_from_in_protocol($i)?.ok_or()?;
        Ok(rows.into_iter().map(super::rows::row_from_thrift).collect())
    }};
    (@read $result:ident, $out:ty, $i:ident) => {
        hbase::$result::read_from_in_protocol($i)?.ok_or()
    };
    (@output rows) => { Vec<Row> };
    (@output $out:ty) => { $out };
    (@frame rows, $name:literal, $protocol:ident, $frame:ident) => {
        Some(super::places::decode_rows($protocol, $name, $frame))
    };
    (@frame $out:ty, $name:literal, $protocol:ident, $frame:ident) => {{
        let _ = ($protocol, $frame);
        None
    }};
    ($($args:ident => $result:ident, $name:literal, $retry:ident, $out:tt;)*) => {$(
        impl Method for hbase::$args {
            const NAME: &'static str = $name;
            const RETRY: Retry = Retry::$retry;
            type Output = methods!(@output $out);
            fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
                self.write_to_out_protocol(o)
            }
            fn read(i: &mut dyn TInputProtocol) -> thrift::Result<Self::Output> {
                methods!(@read $result, $out, i)
            }
            fn decode_frame(
                protocol: Protocol,
                frame: &mut Frame,
            ) -> Option<thrift::Result<Self::Output>> {
                methods!(@frame $out, $name, protocol, frame)
            }
        }
    )*};
}

type Names = Vec<Vec<u8>>;
type Cells = Vec<TCell>;
type Regions = Vec<hbase::TRegionInfo>;
type Descriptors = std::collections::BTreeMap<Vec<u8>, hbase::ColumnDescriptor>;

methods! {
    // Admin.
    HbaseGetTableNamesArgs => HbaseGetTableNamesResult, "getTableNames", Idempotent, Names;
    HbaseCreateTableArgs => HbaseCreateTableResult, "createTable", NonIdempotent, ();
    HbaseDeleteTableArgs => HbaseDeleteTableResult, "deleteTable", NonIdempotent, ();
    HbaseEnableTableArgs => HbaseEnableTableResult, "enableTable", NonIdempotent, ();
    HbaseDisableTableArgs => HbaseDisableTableResult, "disableTable", NonIdempotent, ();
    HbaseIsTableEnabledArgs => HbaseIsTableEnabledResult, "isTableEnabled", Idempotent, bool;
    HbaseCompactArgs => HbaseCompactResult, "compact", NonIdempotent, ();
    HbaseMajorCompactArgs => HbaseMajorCompactResult, "majorCompact", NonIdempotent, ();
    HbaseGetColumnDescriptorsArgs => HbaseGetColumnDescriptorsResult, "getColumnDescriptors",
        Idempotent, Descriptors;
    HbaseGetTableRegionsArgs => HbaseGetTableRegionsResult, "getTableRegions", Idempotent,
        Regions;
    // Reads.
    HbaseGetRowWithColumnsArgs => HbaseGetRowWithColumnsResult, "getRowWithColumns",
        Idempotent, rows;
    HbaseGetRowWithColumnsTsArgs => HbaseGetRowWithColumnsTsResult, "getRowWithColumnsTs",
        Idempotent, rows;
    HbaseGetRowsWithColumnsArgs => HbaseGetRowsWithColumnsResult, "getRowsWithColumns",
        Idempotent, rows;
    HbaseGetRowsWithColumnsTsArgs => HbaseGetRowsWithColumnsTsResult, "getRowsWithColumnsTs",
        Idempotent, rows;
    HbaseGetVerArgs => HbaseGetVerResult, "getVer", Idempotent, Cells;
    HbaseGetVerTsArgs => HbaseGetVerTsResult, "getVerTs", Idempotent, Cells;
    // Writes.
    HbaseMutateRowArgs => HbaseMutateRowResult, "mutateRow", Idempotent, ();
    HbaseMutateRowTsArgs => HbaseMutateRowTsResult, "mutateRowTs", Idempotent, ();
    HbaseDeleteAllRowArgs => HbaseDeleteAllRowResult, "deleteAllRow", Idempotent, ();
    HbaseDeleteAllRowTsArgs => HbaseDeleteAllRowTsResult, "deleteAllRowTs", Idempotent, ();
    HbaseAtomicIncrementArgs => HbaseAtomicIncrementResult, "atomicIncrement", NonIdempotent, i64;
    HbaseIncrementRowsArgs => HbaseIncrementRowsResult, "incrementRows", NonIdempotent, ();
    HbaseAppendArgs => HbaseAppendResult, "append", NonIdempotent, Cells;
    HbaseCheckAndPutArgs => HbaseCheckAndPutResult, "checkAndPut", NonIdempotent, bool;
    // Scanners.
    HbaseScannerOpenWithScanArgs => HbaseScannerOpenWithScanResult, "scannerOpenWithScan",
        Idempotent, i32;
    HbaseScannerGetListArgs => HbaseScannerGetListResult, "scannerGetList", Never, rows;
    HbaseScannerCloseArgs => HbaseScannerCloseResult, "scannerClose", Idempotent, ();
}

/// The row batches of a `mutateRows(Ts)` call, written straight from the
/// caller's data (no generated `BatchMutation` values in between).
pub(crate) trait RowBatches {
    /// Writes the whole argument struct of `mutateRows` (`timestamp`
    /// `None`) or `mutateRowsTs`.
    fn write_args(
        &self,
        table_name: &[u8],
        timestamp: Option<i64>,
        o: &mut dyn TOutputProtocol,
    ) -> thrift::Result<()>;

    /// As [`RowBatches::write_args`], in the binary protocol straight into
    /// `out`.
    fn write_args_binary(
        &self,
        table_name: &[u8],
        timestamp: Option<i64>,
        out: &mut Vec<u8>,
    ) -> thrift::Result<()>;
}

/// The arguments of a `mutateRows` call.
#[derive(Debug)]
pub(crate) struct MutateRows<'a, B> {
    /// The table, prefix included.
    pub(crate) table_name: &'a [u8],
    /// The mutations.
    pub(crate) batches: &'a B,
}

impl<B: RowBatches> Method for MutateRows<'_, B> {
    const NAME: &'static str = "mutateRows";
    const RETRY: Retry = Retry::Idempotent;
    type Output = ();

    fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
        self.batches.write_args(self.table_name, None, o)
    }

    fn write_binary(&self, out: &mut Vec<u8>) -> thrift::Result<()> {
        self.batches.write_args_binary(self.table_name, None, out)
    }

    fn read(i: &mut dyn TInputProtocol) -> thrift::Result<()> {
        hbase::HbaseMutateRowsResult::read_from_in_protocol(i)?.ok_or()
    }
}

/// The arguments of a `mutateRowsTs` call.
#[derive(Debug)]
pub(crate) struct MutateRowsTs<'a, B> {
    /// The table, prefix included.
    pub(crate) table_name: &'a [u8],
    /// The mutations.
    pub(crate) batches: &'a B,
    /// The timestamp of every put.
    pub(crate) timestamp: i64,
}

impl<B: RowBatches> Method for MutateRowsTs<'_, B> {
    const NAME: &'static str = "mutateRowsTs";
    const RETRY: Retry = Retry::Idempotent;
    type Output = ();

    fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
        self.batches
            .write_args(self.table_name, Some(self.timestamp), o)
    }

    fn write_binary(&self, out: &mut Vec<u8>) -> thrift::Result<()> {
        self.batches
            .write_args_binary(self.table_name, Some(self.timestamp), out)
    }

    fn read(i: &mut dyn TInputProtocol) -> thrift::Result<()> {
        hbase::HbaseMutateRowsTsResult::read_from_in_protocol(i)?.ok_or()
    }
}

/// The arguments of a `getRowWithColumns` call, borrowed from the caller:
/// no generated struct is built (nor the table name copied) per get. The
/// columns are any byte strings (`Vec<u8>` of a raw request, `&[u8]` of a
/// model's static list), so neither caller copies them.
#[derive(Debug)]
pub(crate) struct GetRow<'a, C = Vec<u8>> {
    /// The table, prefix included.
    pub(crate) table_name: &'a [u8],
    /// The row key.
    pub(crate) row: &'a [u8],
    /// The columns (`cf` or `cf:q`) to read; empty for all.
    pub(crate) columns: &'a [C],
}

impl<C: AsRef<[u8]>> Method for GetRow<'_, C> {
    const NAME: &'static str = "getRowWithColumns";
    const RETRY: Retry = Retry::Idempotent;
    type Output = Vec<Row>;

    fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
        use hbase_orm_idl::thrift::protocol::{
            TFieldIdentifier, TListIdentifier, TMapIdentifier, TStructIdentifier, TType,
        };
        let field = |ty, id| TFieldIdentifier {
            name: None,
            field_type: ty,
            id: Some(id),
        };
        o.write_struct_begin(&TStructIdentifier {
            name: String::new(),
        })?;
        o.write_field_begin(&field(TType::String, 1))?;
        o.write_bytes(self.table_name)?;
        o.write_field_end()?;
        o.write_field_begin(&field(TType::String, 2))?;
        o.write_bytes(self.row)?;
        o.write_field_end()?;
        o.write_field_begin(&field(TType::List, 3))?;
        o.write_list_begin(&TListIdentifier::new(
            TType::String,
            self.columns.len() as i32,
        ))?;
        for column in self.columns {
            o.write_bytes(column.as_ref())?;
        }
        o.write_list_end()?;
        o.write_field_end()?;
        o.write_field_begin(&field(TType::Map, 4))?;
        o.write_map_begin(&TMapIdentifier::new(TType::String, TType::String, 0))?;
        o.write_map_end()?;
        o.write_field_end()?;
        o.write_field_stop()?;
        o.write_struct_end()
    }

    fn write_binary(&self, out: &mut Vec<u8>) -> thrift::Result<()> {
        use super::binary;
        binary::field(out, binary::STRING, 1);
        binary::bytes(out, self.table_name)?;
        binary::field(out, binary::STRING, 2);
        binary::bytes(out, self.row)?;
        binary::field(out, binary::LIST, 3);
        binary::list(out, binary::STRING, self.columns.len())?;
        for column in self.columns {
            binary::bytes(out, column.as_ref())?;
        }
        binary::field(out, binary::MAP, 4);
        binary::empty_string_map(out);
        binary::stop(out);
        Ok(())
    }

    fn read(i: &mut dyn TInputProtocol) -> thrift::Result<Vec<Row>> {
        <hbase::HbaseGetRowWithColumnsArgs as Method>::read(i)
    }

    fn decode_frame(protocol: Protocol, frame: &mut Frame) -> Option<thrift::Result<Vec<Row>>> {
        <hbase::HbaseGetRowWithColumnsArgs as Method>::decode_frame(protocol, frame)
    }
}

/// A call of `M`, one of the methods whose reply carries rows
/// (`getRowWithColumns` as [`GetRow`] sends it, `getRowsWithColumns`,
/// `scannerGetList`), whose reply's rows go to sink `S` as they are read
/// instead of becoming [`Row`]s: decoded by a
/// [`DecodeRow`](crate::value::DecodeRow) straight from the frame with
/// [`FirstDecoded`](super::rows::FirstDecoded) or
/// [`AllDecoded`](super::rows::AllDecoded).
#[derive(Debug)]
pub(crate) struct Decoded<M, S> {
    /// The call as it is sent.
    pub(crate) call: M,
    sink: PhantomData<fn() -> S>,
}

impl<M, S> Decoded<M, S> {
    /// Call `call`, its reply read into `S`.
    pub(crate) fn new(call: M) -> Self {
        Decoded {
            call,
            sink: PhantomData,
        }
    }
}

impl<M, S> Method for Decoded<M, S>
where
    M: Method<Output = Vec<Row>>,
    S: ReplySink,
{
    const NAME: &'static str = M::NAME;
    const RETRY: Retry = M::RETRY;
    type Output = S::Output;

    fn write(&self, o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
        self.call.write(o)
    }

    fn write_binary(&self, out: &mut Vec<u8>) -> thrift::Result<()> {
        self.call.write_binary(out)
    }

    /// The generated reader, then the rows decoded: the reference.
    fn read(i: &mut dyn TInputProtocol) -> thrift::Result<S::Output> {
        M::read(i).map(S::from_rows)
    }

    fn decode_frame(protocol: Protocol, frame: &mut Frame) -> Option<thrift::Result<S::Output>> {
        Some(super::places::decode::<S>(protocol, M::NAME, frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hbase_orm_idl::wire::Transport;
    use std::collections::BTreeMap;

    #[test]
    fn a_borrowed_get_writes_what_the_generated_struct_writes() {
        for columns in [vec![], vec![b"cf".to_vec(), b"cf:q\xff".to_vec()]] {
            let borrowed = GetRow {
                table_name: b"ns:t",
                row: b"r\x00w",
                columns: &columns,
            };
            // The same columns borrowed as slices (the typed layer's reads).
            let slices: Vec<&[u8]> = columns.iter().map(Vec::as_slice).collect();
            let sliced = GetRow {
                table_name: b"ns:t",
                row: b"r\x00w",
                columns: &slices,
            };
            let generated = hbase::HbaseGetRowWithColumnsArgs {
                table_name: b"ns:t".to_vec(),
                row: b"r\x00w".to_vec(),
                columns: columns.clone(),
                attributes: BTreeMap::new(),
            };
            for transport in [Transport::Buffered, Transport::Framed] {
                for protocol in [Protocol::Binary, Protocol::Compact] {
                    let encode =
                        |write: &dyn Fn(&mut dyn TOutputProtocol) -> thrift::Result<()>| {
                            let mut out = Vec::new();
                            wire::encode_call(
                                protocol,
                                transport,
                                <GetRow<'_> as Method>::NAME,
                                3,
                                &mut out,
                                write,
                            )
                            .unwrap();
                            out
                        };
                    let want = encode(&|o| generated.write(o));
                    assert_eq!(encode(&|o| borrowed.write(o)), want);
                    assert_eq!(encode(&|o| sliced.write(o)), want);
                    if protocol == Protocol::Binary {
                        let direct = |write: &dyn Fn(&mut Vec<u8>) -> thrift::Result<()>| {
                            let mut out = Vec::new();
                            super::super::binary::call(
                                transport,
                                <GetRow<'_> as Method>::NAME,
                                3,
                                &mut out,
                                write,
                            )
                            .unwrap();
                            out
                        };
                        assert_eq!(direct(&|o| borrowed.write_binary(o)), want, "{transport}");
                        assert_eq!(direct(&|o| sliced.write_binary(o)), want, "{transport}");
                    }
                }
            }
        }
    }
}
