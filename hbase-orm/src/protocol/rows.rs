//! A hand-written decoder for the replies that carry rows
//! (`list<TRowResult>`: `getRowWithColumns(Ts)`, `getRowsWithColumns(Ts)`,
//! `scannerGetList`), in one pass over the reply frame.
//!
//! The generated decoder copies every row key, column name and value into a
//! zeroed `Vec` and builds a `BTreeMap<Vec<u8>, TCell>` per row, which the
//! client then converts into a [`Row`]. This one reads the frame once, in the
//! binary or the compact protocol, with the one reader of Thrift primitives
//! ([`wire::Reader`], shared with the message scanner that found the
//! frame's end), and builds the [`Row`]s directly: keys, column names and
//! values are [`Bytes::slice`]s of the frame, so the only allocations are the
//! rows and their map nodes.
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
use hbase_orm_idl::thrift::{self, ApplicationError, ApplicationErrorKind};
use hbase_orm_idl::wire::{self, Protocol, ReadError, Reader, ValueType as Ty};

use crate::value::{Cell, Row};

/// Rows reserved up front at most, whatever count a reply declares.
const MAX_RESERVED_ROWS: usize = 4096;

type R<T> = Result<T, ReadError>;

#[cold]
fn bad(message: String) -> ReadError {
    ReadError::Invalid(message.into_boxed_str())
}

/// Decodes a reply to method `name` (one of the methods returning
/// `list<TRowResult>`) held whole in `frame` (no frame header).
///
/// # Errors
/// The error the generated decoder gives for the same bytes: a declared
/// exception as `thrift::Error::User`, a `TApplicationException` as
/// `thrift::Error::Application`, a reply to another method or bytes that do
/// not decode as a protocol error, a reply cut short as a transport error.
pub(crate) fn rows(protocol: Protocol, name: &str, frame: &Bytes) -> thrift::Result<Vec<Row>> {
    let mut d = Decoder {
        r: Reader::new(protocol, frame),
        frame,
    };
    let (kind, method, _) = d.r.message_begin()?;
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
        ))
        .into());
    }
    let outer = d.r.struct_begin();
    let (mut result, mut io, mut ia) = (None, None, None);
    while let Some((ty, id)) = d.r.field_begin()? {
        match (id, ty) {
            (0, Ty::List) => result = Some(d.row_list()?),
            (1, Ty::Struct) => io = Some(d.io_error()?),
            (2, Ty::Struct) => ia = Some(d.illegal_argument()?),
            _ => d.r.skip(ty)?,
        }
    }
    d.r.struct_end(outer);
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

/// The method name and sequence id of the message in `frame`, read without
/// allocating.
///
/// # Errors
/// When the header does not decode.
pub(crate) fn header(protocol: Protocol, frame: &[u8]) -> thrift::Result<(&[u8], i32)> {
    let (_, name, seq) = Reader::new(protocol, frame).message_begin()?;
    Ok((name, seq))
}

/// The reader over one reply frame, and the frame to take slices of.
struct Decoder<'a> {
    r: Reader<'a>,
    frame: &'a Bytes,
}

impl Decoder<'_> {
    #[inline]
    fn binary(&mut self) -> R<Bytes> {
        let range = self.r.binary_range()?;
        Ok(self.frame.slice(range))
    }

    fn string(&mut self) -> R<String> {
        self.r.string().map(str::to_owned)
    }

    /// `list<TRowResult>`.
    fn row_list(&mut self) -> R<Vec<Row>> {
        let (ty, n) = self.r.list_begin()?;
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
        let outer = self.r.struct_begin();
        let mut key = None;
        let mut columns = None;
        let mut sorted = None;
        while let Some((ty, id)) = self.r.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => key = Some(self.binary()?),
                (2, Ty::Map) => columns = Some(self.column_map()?),
                (3, Ty::List) => sorted = Some(self.sorted_columns()?),
                _ => self.r.skip(ty)?,
            }
        }
        self.r.struct_end(outer);
        Ok(Row {
            key: key.unwrap_or_default(),
            cells: sorted.or(columns).unwrap_or_default(),
        })
    }

    /// `map<Text, TCell>`.
    fn column_map(&mut self) -> R<BTreeMap<Bytes, Cell>> {
        let (k, v, n) = self.r.map_begin()?;
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
        let (ty, n) = self.r.list_begin()?;
        if n > 0 && ty != Ty::Struct {
            return Err(bad(format!("a list of {ty:?} where columns were expected")));
        }
        let mut cells = BTreeMap::new();
        for _ in 0..n {
            let outer = self.r.struct_begin();
            let (mut name, mut cell) = (Bytes::new(), None);
            while let Some((ty, id)) = self.r.field_begin()? {
                match (id, ty) {
                    (1, Ty::Binary) => name = self.binary()?,
                    (2, Ty::Struct) => cell = Some(self.cell()?),
                    _ => self.r.skip(ty)?,
                }
            }
            self.r.struct_end(outer);
            if let Some(cell) = cell {
                cells.insert(name, cell);
            }
        }
        Ok(cells)
    }

    /// `TCell`: field 1 the value, 2 the timestamp.
    fn cell(&mut self) -> R<Cell> {
        let outer = self.r.struct_begin();
        let mut cell = Cell {
            value: Bytes::new(),
            timestamp: 0,
        };
        while let Some((ty, id)) = self.r.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => cell.value = self.binary()?,
                (2, Ty::I64) => cell.timestamp = self.r.i64()?,
                _ => self.r.skip(ty)?,
            }
        }
        self.r.struct_end(outer);
        Ok(cell)
    }

    /// `IOError`: field 1 the message, 2 whether the call can be retried.
    fn io_error(&mut self) -> R<IOError> {
        let outer = self.r.struct_begin();
        let mut e = IOError {
            message: Some(String::new()),
            can_retry: Some(false),
        };
        while let Some((ty, id)) = self.r.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => e.message = Some(self.string()?),
                (2, Ty::Bool) => e.can_retry = Some(self.r.bool()?),
                _ => self.r.skip(ty)?,
            }
        }
        self.r.struct_end(outer);
        Ok(e)
    }

    /// `IllegalArgument`: field 1 the message.
    fn illegal_argument(&mut self) -> R<IllegalArgument> {
        let outer = self.r.struct_begin();
        let mut e = IllegalArgument {
            message: Some(String::new()),
        };
        while let Some((ty, id)) = self.r.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => e.message = Some(self.string()?),
                _ => self.r.skip(ty)?,
            }
        }
        self.r.struct_end(outer);
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
        fn the_scanner_finds_the_end_of_a_reply_from_any_reads(
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
                let mut scanner = wire::MessageScanner::new(protocol, 1 << 20);
                let mut found = None;
                for &cut in &cuts {
                    if let Some(n) = scanner.scan(&stream[..cut]).unwrap() {
                        found = Some(n);
                        break;
                    }
                    prop_assert!(scanner.walked() <= cut);
                }
                prop_assert_eq!(found, Some(len));
                // The frame it found is the reply the decoder reads.
                let frame = Bytes::copy_from_slice(&stream[..len]);
                prop_assert_eq!(rows(protocol, "scannerGetList", &frame).unwrap().len(), results.len());
            }
        }

        #[test]
        fn random_bytes_never_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        ) {
            for protocol in PROTOCOLS {
                let _ = rows(protocol, "scannerGetList", &Bytes::from(bytes.clone()));
                let mut scanner = wire::MessageScanner::new(protocol, 1 << 20);
                for cut in [bytes.len() / 2, bytes.len()] {
                    match scanner.scan(&bytes[..cut]) {
                        Ok(Some(n)) => {
                            prop_assert!(n <= cut);
                            break;
                        }
                        Ok(None) => {}
                        Err(_) => break,
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
