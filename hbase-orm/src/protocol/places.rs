//! Row replies walked once: where each row's key and cells are, recorded
//! while the reply's end is looked for.
//!
//! On the buffered transport a reply's end is found by walking it as its
//! bytes arrive. For the replies that carry rows (see [`ROW_METHODS`]) the
//! [`RowsScanner`] does that walk with the rows decoder of
//! [`rows`](super::rows) itself, recording the places of every row's key
//! and cells ([`RowPlaces`]); the whole reply then travels as a [`Frame`]
//! with its places, and [`decode`] hands the rows to their sink from the
//! places, without reading the reply again.
//!
//! Anything else (other methods, exceptions, a row the decoder refuses, a
//! reply past the size limit, a single row so large that walking it again
//! after every read would cost more than the walk it saves) goes to the
//! generic [`MessageScanner`] from the reply's first byte, and the frame
//! carries no places: it is decoded as before, with the same result and
//! the same errors.

use std::ops::{Deref, Range};

use bytes::Bytes;
use hbase_orm_idl::thrift;
use hbase_orm_idl::thrift::protocol::TMessageType;
use hbase_orm_idl::wire::{
    Mark, MessageScanner, Protocol, ReadError, Reader, ValueType, WireError,
};

use super::rows::{self, CellAt, Decoder, ReplySink, RowSink};
use crate::value::Row;

/// The methods whose replies are `list<TRowResult>`.
pub(crate) const ROW_METHODS: [&str; 5] = [
    "getRowWithColumns",
    "getRowWithColumnsTs",
    "getRowsWithColumns",
    "getRowsWithColumnsTs",
    "scannerGetList",
];

/// A row cut by the end of the bytes is walked again from its start when
/// more come; past this many bytes of one row the generic scanner takes
/// over (it walks a cut value once, however it is cut).
const MAX_REWALK: usize = 256 * 1024;

/// Cell places reserved at most before a row reply's cells are walked
/// (more are made as they come).
const MAX_RESERVED_CELLS: usize = 16 * 1024;

/// One whole reply message (no frame header), with the places of its rows
/// when they were recorded while it was read.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// The message.
    pub(crate) bytes: Bytes,
    /// Its rows, for a reply to one of [`ROW_METHODS`] read on the
    /// buffered transport.
    pub(crate) rows: Option<RowPlaces>,
}

impl Frame {
    /// A message with no places recorded.
    pub(crate) fn plain(bytes: Bytes) -> Frame {
        Frame { bytes, rows: None }
    }
}

impl Deref for Frame {
    type Target = Bytes;

    fn deref(&self) -> &Bytes {
        &self.bytes
    }
}

/// One cell's places in the message (offsets fit in `u32`: longer messages
/// record no places).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CellPlace {
    column: (u32, u32),
    value: (u32, u32),
    timestamp: i64,
}

/// One row: its key, and where its cells end in [`RowPlaces::cells`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RowPlace {
    key: (u32, u32),
    cells_end: u32,
}

fn range((start, end): (u32, u32)) -> Range<usize> {
    start as usize..end as usize
}

fn place(r: Range<usize>) -> (u32, u32) {
    // Only messages shorter than `u32::MAX` are recorded (see `RowsScanner`).
    (r.start as u32, r.end as u32)
}

/// The rows of a reply as places in it: each row's key and its cells once
/// per column, in byte order of the columns (the decoder sorts the rare
/// reply that does not hold them so).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RowPlaces {
    cells: Vec<CellPlace>,
    rows: Vec<RowPlace>,
}

impl RowPlaces {
    /// Where the cells of the row being read start.
    fn row_start(&self) -> usize {
        self.rows.last().map_or(0, |r| r.cells_end as usize)
    }

    /// Forgets what was recorded of a row not read to its end.
    fn abandon_row(&mut self) {
        let start = self.row_start();
        self.cells.truncate(start);
    }

    /// Hands the rows to a new sink `S`, with slices of `frame`.
    fn replay<S: ReplySink>(&self, frame: &Bytes) -> S::Output {
        let mut sink = S::new(self.rows.len());
        let mut start = 0;
        for row in &self.rows {
            let key = range(row.key);
            let end = row.cells_end as usize;
            if end > start {
                let cells = self.cells[start..end].iter().map(|c| CellAt {
                    column: range(c.column),
                    value: range(c.value),
                    timestamp: c.timestamp,
                });
                sink.cells(frame, key.clone(), cells);
            }
            sink.row(frame, key);
            start = end;
        }
        sink.finish()
    }

    /// How many rows there are.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Where the key of row `row` is (`row` below [`RowPlaces::len`]).
    pub(crate) fn key(&self, row: usize) -> Range<usize> {
        range(self.rows[row].key)
    }

    /// Where the cells of row `row` are in [`RowPlaces::cell`]'s numbering
    /// (`row` below [`RowPlaces::len`]).
    pub(crate) fn cells_of(&self, row: usize) -> Range<usize> {
        let start = match row {
            0 => 0,
            _ => self.rows[row - 1].cells_end as usize,
        };
        start..self.rows[row].cells_end as usize
    }

    /// Cell `cell` (of a range [`RowPlaces::cells_of`] gave).
    pub(crate) fn cell(&self, cell: usize) -> CellAt {
        let c = &self.cells[cell];
        CellAt {
            column: range(c.column),
            value: range(c.value),
            timestamp: c.timestamp,
        }
    }

    /// The places of `rows` laid out one after the other in one new buffer,
    /// with that buffer: each key, then each of its cells' column and value.
    ///
    /// # Errors
    /// When the rows hold 4 GiB or more (places are `u32` offsets).
    pub(crate) fn of_rows(rows: &[Row]) -> thrift::Result<(Bytes, RowPlaces)> {
        let total = rows.iter().fold(0usize, |n, row| {
            row.cells
                .iter()
                .fold(n + row.key.len(), |n, (column, cell)| {
                    n + column.len() + cell.value.len()
                })
        });
        if total >= u32::MAX as usize {
            return Err(too_long(total));
        }
        let mut bytes = Vec::with_capacity(total);
        let mut places = RowPlaces::default();
        let put = |bytes: &mut Vec<u8>, b: &[u8]| {
            let start = bytes.len();
            bytes.extend_from_slice(b);
            place(start..bytes.len())
        };
        for row in rows {
            let key = put(&mut bytes, &row.key);
            for (column, cell) in &row.cells {
                let column = put(&mut bytes, column);
                let value = put(&mut bytes, &cell.value);
                places.cells.push(CellPlace {
                    column,
                    value,
                    timestamp: cell.timestamp,
                });
            }
            places.rows.push(RowPlace {
                key,
                cells_end: places.cells.len() as u32,
            });
        }
        Ok((Bytes::from(bytes), places))
    }
}

/// The error for rows of `len` bytes, too many to record places in.
fn too_long(len: usize) -> thrift::Error {
    thrift::Error::Protocol(thrift::ProtocolError::new(
        thrift::ProtocolErrorKind::SizeLimit,
        format!("{len} bytes of rows: too many to be read as row views (4 GiB at most)"),
    ))
}

/// The places of a reply's rows, found by the rows decoder from the whole
/// reply (for a frame that came with none): with the reply itself.
struct PlacesOf {
    frame: Bytes,
    places: RowPlaces,
}

impl RowSink for PlacesOf {
    type Frame = Bytes;
    const UNIQUE: bool = true;

    fn cells(&mut self, frame: &Bytes, key: Range<usize>, cells: impl Iterator<Item = CellAt>) {
        self.places.cells(frame, key, cells);
    }

    fn row(&mut self, frame: &Bytes, key: Range<usize>) {
        if self.places.rows.is_empty() {
            self.frame = frame.clone();
        }
        self.places.row(frame, key);
    }
}

impl ReplySink for PlacesOf {
    type Output = thrift::Result<(Bytes, RowPlaces)>;

    fn new(rows: usize) -> Self {
        let mut places = RowPlaces::default();
        places.rows.reserve(rows.min(rows::MAX_RESERVED_ROWS));
        PlacesOf {
            frame: Bytes::new(),
            places,
        }
    }

    fn finish(self) -> thrift::Result<(Bytes, RowPlaces)> {
        Ok((self.frame, self.places))
    }

    fn from_rows(rows: Vec<Row>) -> thrift::Result<(Bytes, RowPlaces)> {
        RowPlaces::of_rows(&rows)
    }
}

impl RowSink for RowPlaces {
    type Frame = [u8];
    const UNIQUE: bool = true;

    fn cells(&mut self, _frame: &[u8], _key: Range<usize>, cells: impl Iterator<Item = CellAt>) {
        // A later call for the same row wins.
        self.abandon_row();
        self.cells.extend(cells.map(|c| CellPlace {
            column: place(c.column),
            value: place(c.value),
            timestamp: c.timestamp,
        }));
    }

    fn row(&mut self, _frame: &[u8], key: Range<usize>) {
        let cells_end = self.cells.len() as u32;
        self.rows.push(RowPlace {
            key: place(key),
            cells_end,
        });
    }
}

/// Where the walk of a row reply is.
#[derive(Debug, Clone, Copy)]
enum State {
    /// Nothing walked yet.
    Start,
    /// Inside the list of rows, `left` rows still to walk from `at`.
    Rows { at: Mark, left: usize },
    /// The generic scanner walks this message.
    Generic,
}

/// Finds where each reply ends in a connection's growing buffer, as
/// [`MessageScanner`] does, recording the places of the rows of the replies
/// that carry rows.
#[derive(Debug)]
pub(crate) struct RowsScanner {
    protocol: Protocol,
    max_message_bytes: usize,
    state: State,
    places: RowPlaces,
    /// Cells per row of the last row reply, rounded up: the room reserved
    /// for the next one's cells (one allocation, not one per doubling).
    cells_per_row: usize,
    generic: MessageScanner,
}

impl RowsScanner {
    /// A scanner for `protocol` that rejects messages longer than
    /// `max_message_bytes`.
    pub(crate) fn new(protocol: Protocol, max_message_bytes: usize) -> Self {
        RowsScanner {
            protocol,
            max_message_bytes,
            state: State::Start,
            places: RowPlaces::default(),
            cells_per_row: 0,
            generic: MessageScanner::new(protocol, max_message_bytes),
        }
    }

    /// Continues the walk over `buf`, which holds the message from its first
    /// byte (and possibly bytes of following messages): `Ok(Some(len))`
    /// when the message is whole and `len` bytes long, `Ok(None)` when more
    /// bytes are needed.
    ///
    /// # Errors
    /// Those of [`MessageScanner::scan`], for the same bytes.
    pub(crate) fn scan(&mut self, buf: &[u8]) -> Result<Option<usize>, WireError> {
        let walked = match self.state {
            State::Generic => return self.generic.scan(buf),
            _ if buf.len() >= u32::MAX as usize => Err(ReadError::Invalid("long".into())),
            State::Start => self.begin(buf).and_then(|()| self.walk_rows(buf)),
            State::Rows { .. } => self.walk_rows(buf),
        };
        match walked {
            Ok(len) if len <= self.max_message_bytes => Ok(Some(len)),
            Err(ReadError::Short) if buf.len() <= self.max_message_bytes && !self.too_cut(buf) => {
                Ok(None)
            }
            // Past the limit, a row refused, a row too large, another shape:
            // the generic walk decides, from the first byte.
            _ => {
                self.state = State::Generic;
                self.places = RowPlaces::default();
                self.generic.scan(buf)
            }
        }
    }

    /// Whether the row being walked has so many bytes already that walking
    /// it again would cost more than the generic walk.
    fn too_cut(&self, buf: &[u8]) -> bool {
        match self.state {
            State::Rows { at, .. } => buf.len() - at.pos() > MAX_REWALK,
            _ => false,
        }
    }

    /// Walks the header, the result struct's first field and the header of
    /// the list of rows; not a reply to one of [`ROW_METHODS`] whose first
    /// field is that list is refused (with an invalid error).
    fn begin(&mut self, buf: &[u8]) -> Result<(), ReadError> {
        let refuse = || ReadError::Invalid("not a row reply".into());
        let mut r = Reader::new(self.protocol, buf).with_limit(self.max_message_bytes);
        let (kind, name, _) = r.message_begin()?;
        if kind != TMessageType::Reply || !ROW_METHODS.iter().any(|m| m.as_bytes() == name) {
            return Err(refuse());
        }
        let _outer = r.struct_begin();
        let Some((ValueType::List, 0)) = r.field_begin()? else {
            return Err(refuse());
        };
        let (ty, left) = r.list_begin()?;
        if left > 0 && ty != ValueType::Struct {
            return Err(refuse());
        }
        let rows = left.min(rows::MAX_RESERVED_ROWS);
        self.places.rows.reserve(rows);
        self.places.cells.reserve(
            rows.saturating_mul(self.cells_per_row)
                .min(MAX_RESERVED_CELLS),
        );
        self.state = State::Rows { at: r.mark(), left };
        Ok(())
    }

    /// Walks the rows from where the last call stopped, then the end of the
    /// result struct: the message's length.
    fn walk_rows(&mut self, buf: &[u8]) -> Result<usize, ReadError> {
        let State::Rows { mut at, mut left } = self.state else {
            return Err(ReadError::Invalid("not walking rows".into()));
        };
        let mut r = Reader::new(self.protocol, buf).with_limit(self.max_message_bytes);
        r.seek(at);
        let mut d = Decoder::new(r, buf);
        while left > 0 {
            if let Err(e) = d.row(&mut self.places) {
                self.places.abandon_row();
                return Err(e);
            }
            left -= 1;
            at = d.r.mark();
            self.state = State::Rows { at, left };
        }
        // Only the stop byte of the result struct may follow: anything else
        // (an exception beside the rows) is the generic decoder's to read.
        match d.r.field_begin()? {
            None => Ok(d.r.pos()),
            Some(_) => Err(ReadError::Invalid("a field after the rows".into())),
        }
    }

    /// The places recorded of the message just found whole, if it is a row
    /// reply walked by the rows decoder.
    pub(crate) fn take_places(&mut self) -> Option<RowPlaces> {
        match self.state {
            State::Rows { left: 0, .. } => {
                let (rows, cells) = (self.places.rows.len(), self.places.cells.len());
                if rows > 0 {
                    self.cells_per_row = cells.div_ceil(rows);
                }
                Some(std::mem::take(&mut self.places))
            }
            _ => None,
        }
    }

    /// Forgets the message walked so far, ready for the next one.
    pub(crate) fn reset(&mut self) {
        self.state = State::Start;
        self.places.cells.clear();
        self.places.rows.clear();
        self.generic.reset();
    }
}

/// Decodes a reply to method `name` (one of [`ROW_METHODS`]) into a sink
/// `S`: from the places recorded while it was read when there are some,
/// with [`rows::decode`] otherwise. The same output and errors either way.
///
/// # Errors
/// As [`rows::decode`].
pub(crate) fn decode<S: ReplySink>(
    protocol: Protocol,
    name: &str,
    frame: &Frame,
) -> thrift::Result<S::Output> {
    if let Some(places) = &frame.rows {
        if let Ok((method, _)) = rows::header(protocol, &frame.bytes) {
            if method == name.as_bytes() {
                return Ok(places.replay::<S>(&frame.bytes));
            }
        }
    }
    rows::decode::<S>(protocol, name, &frame.bytes)
}

/// The rows of a reply to method `name` (one of [`ROW_METHODS`]) as places
/// in the bytes they are in, with those bytes: the reply and the places
/// recorded while it was read when there are some, the places found by
/// [`rows::decode`] otherwise (the places are taken out of `frame`). The
/// same rows as [`decode_rows`] gives, and the same errors.
///
/// # Errors
/// As [`rows::decode`].
pub(crate) fn decode_places(
    protocol: Protocol,
    name: &str,
    frame: &mut Frame,
) -> thrift::Result<(Bytes, RowPlaces)> {
    if let Some(places) = frame.rows.take() {
        if let Ok((method, _)) = rows::header(protocol, &frame.bytes) {
            if method == name.as_bytes() {
                return Ok((frame.bytes.clone(), places));
            }
        }
    }
    if frame.bytes.len() >= u32::MAX as usize {
        return Err(too_long(frame.bytes.len()));
    }
    rows::decode::<PlacesOf>(protocol, name, &frame.bytes)?
}

/// [`decode`] into [`Row`]s.
///
/// # Errors
/// As [`rows::decode`].
pub(crate) fn decode_rows(
    protocol: Protocol,
    name: &str,
    frame: &Frame,
) -> thrift::Result<Vec<Row>> {
    decode::<rows::Rows>(protocol, name, frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::rows::tests::{
        flat, message, ok, raw_reply, reply, row_result, sample, Collect, Part, Picky, Raw,
        PROTOCOLS,
    };
    use crate::protocol::rows::{AllDecoded, FirstDecoded};
    use hbase_orm_idl::hbase::{HbaseScannerGetListResult, IOError, IllegalArgument, TRowResult};
    use hbase_orm_idl::thrift::{ApplicationError, ApplicationErrorKind};
    use proptest::prelude::*;

    /// Feeds `stream[..cut]` for each cut (then the whole stream) to a
    /// [`RowsScanner`] and to a [`MessageScanner`]; both must agree on
    /// where the first message ends (or on failing). The frame found, with
    /// the places recorded.
    fn split(
        protocol: Protocol,
        stream: &[u8],
        cuts: &[usize],
        max: usize,
    ) -> Result<Frame, String> {
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
        cuts.push(stream.len());
        cuts.sort_unstable();
        let mut mine = RowsScanner::new(protocol, max);
        let mut theirs = MessageScanner::new(protocol, max);
        for &cut in &cuts {
            let (a, b) = (mine.scan(&stream[..cut]), theirs.scan(&stream[..cut]));
            match (a, b) {
                (Ok(a), Ok(b)) if a == b => {
                    if let Some(len) = a {
                        let rows = mine.take_places();
                        mine.reset();
                        return Ok(Frame {
                            bytes: Bytes::copy_from_slice(&stream[..len]),
                            rows,
                        });
                    }
                }
                (Err(a), Err(b)) => {
                    assert_eq!(a.to_string(), b.to_string());
                    return Err(a.to_string());
                }
                (a, b) => panic!("the scanners disagree at {cut}: {a:?} vs {b:?}"),
            }
        }
        Err("no message".to_owned())
    }

    /// The outputs of every sink from `frame`'s places and from its bytes
    /// (read by the rows decoder) are the same; the errors too.
    fn same_either_way(protocol: Protocol, frame: &Frame) {
        let name = "scannerGetList";
        let bytes = &frame.bytes;
        let err = |e: thrift::Error| format!("{:?}", crate::Error::from_thrift(e, "t"));
        assert_eq!(
            decode_rows(protocol, name, frame).map_err(err),
            rows::rows(protocol, name, bytes).map_err(err)
        );
        assert_eq!(
            decode::<AllDecoded<Collect>>(protocol, name, frame)
                .map(flat)
                .map_err(err),
            rows::decode::<AllDecoded<Collect>>(protocol, name, bytes)
                .map(flat)
                .map_err(err)
        );
        assert_eq!(
            decode::<AllDecoded<Picky>>(protocol, name, frame)
                .map(flat)
                .map_err(err),
            rows::decode::<AllDecoded<Picky>>(protocol, name, bytes)
                .map(flat)
                .map_err(err)
        );
        // The places themselves: recorded while read, or found afterwards.
        assert_eq!(
            decode_places(protocol, name, &mut frame.clone())
                .map(|(_, places)| places)
                .map_err(err),
            rows::decode::<PlacesOf>(protocol, name, bytes)
                .and_then(|r| r)
                .map(|(_, places)| places)
                .map_err(err)
        );
        let first = |r: thrift::Result<Option<crate::Result<_>>>| {
            r.map(|v| v.map(|v| v.map_err(|e| e.to_string())))
                .map_err(err)
        };
        assert_eq!(
            first(decode::<FirstDecoded<Collect>>(protocol, name, frame)),
            first(rows::decode::<FirstDecoded<Collect>>(protocol, name, bytes))
        );
    }

    #[test]
    fn row_replies_carry_their_places_and_decode_as_before() {
        let a: &[Raw<'_>] = &[(b"cf:a", b"1", 1), (b"cf:b", b"2", 2)];
        let unsorted: &[Raw<'_>] = &[(b"cf:b", b"2", 2), (b"cf:a", b"1", 1), (b"cf:bad", b"", 3)];
        let cases: &[&[Part<'_>]] = &[
            &[Part::Key(b"k1"), Part::Map(a)],
            &[Part::Map(a), Part::Key(b"k2")],
            &[Part::Key(b"k3"), Part::Map(unsorted)],
            &[Part::Key(b"k4"), Part::Sorted(unsorted), Part::Map(a)],
            &[Part::Key(b"k5")],
            &[],
        ];
        for protocol in PROTOCOLS {
            for stream in [raw_reply(protocol, cases), reply(protocol, &ok(sample()))] {
                split_anywhere(protocol, &stream, true);
            }
        }
    }

    /// Splits `stream` cut every byte, every 7 bytes and not at all: one
    /// frame, the whole stream, with places or not as `places` says, that
    /// decodes as the generic path decodes it.
    fn split_anywhere(protocol: Protocol, stream: &[u8], places: bool) {
        for step in [1, 7, stream.len()] {
            let cuts: Vec<usize> = (0..stream.len()).step_by(step).collect();
            let frame = split(protocol, stream, &cuts, 1 << 20).unwrap();
            assert_eq!(frame.bytes, stream, "{protocol}");
            assert_eq!(frame.rows.is_some(), places, "{protocol}");
            same_either_way(protocol, &frame);
        }
    }

    #[test]
    fn other_replies_carry_no_places_and_decode_as_before() {
        for protocol in PROTOCOLS {
            let result = |io, ia, rows| HbaseScannerGetListResult {
                result_value: rows,
                io,
                ia,
            };
            let app = message(protocol, "scannerGetList", TMessageType::Exception, |o| {
                thrift::Error::write_application_error_to_out_protocol(
                    &ApplicationError::new(ApplicationErrorKind::InternalError, "oops"),
                    o,
                )
            });
            let other = message(protocol, "getTableNames", TMessageType::Reply, |o| {
                result(None, None, Some(sample())).write_to_out_protocol(o)
            });
            let replies = [
                reply(
                    protocol,
                    &result(Some(IOError::new("boom".to_owned(), true)), None, None),
                ),
                reply(
                    protocol,
                    &result(None, Some(IllegalArgument::new("bad".to_owned())), None),
                ),
                reply(protocol, &result(None, None, None)),
                // Rows and an exception: the exception wins, as before.
                reply(
                    protocol,
                    &result(
                        Some(IOError::new("both".to_owned(), false)),
                        None,
                        Some(sample()),
                    ),
                ),
                app,
                other,
            ];
            for stream in replies {
                split_anywhere(protocol, &stream, false);
            }
        }
    }

    #[test]
    fn a_reply_past_the_limit_fails_as_the_generic_scanner_fails() {
        for protocol in PROTOCOLS {
            let stream = reply(protocol, &ok(sample()));
            for max in [10, stream.len() - 1, stream.len() / 2] {
                for step in [1, 3, stream.len()] {
                    let cuts: Vec<usize> = (0..stream.len()).step_by(step).collect();
                    let err = split(protocol, &stream, &cuts, max).unwrap_err();
                    assert!(err.contains("limit"), "{protocol} {max}: {err}");
                }
            }
            // At the limit exactly, it is read.
            let frame = split(protocol, &stream, &[3], stream.len()).unwrap();
            assert!(frame.rows.is_some());
        }
    }

    #[test]
    fn a_huge_row_cut_in_small_reads_is_walked_by_the_generic_scanner() {
        let big = vec![7u8; MAX_REWALK + 10_000];
        let cells: &[Raw<'_>] = &[(b"cf:a", &big, 1), (b"cf:b", b"x", 2)];
        let small: &[Raw<'_>] = &[(b"cf:a", b"1", 1)];
        for protocol in PROTOCOLS {
            let stream = raw_reply(
                protocol,
                &[
                    &[Part::Key(b"a"), Part::Map(small)],
                    &[Part::Key(b"b"), Part::Map(cells)],
                ],
            );
            let cuts: Vec<usize> = (0..stream.len()).step_by(4096).collect();
            let frame = split(protocol, &stream, &cuts, 1 << 30).unwrap();
            assert!(frame.rows.is_none(), "{protocol}");
            same_either_way(protocol, &frame);
            // Whole in one read, the same reply has its places.
            let frame = split(protocol, &stream, &[], 1 << 30).unwrap();
            assert!(frame.rows.is_some(), "{protocol}");
            same_either_way(protocol, &frame);
        }
    }

    proptest! {
        #[test]
        fn random_replies_from_any_reads_decode_as_before(
            results in proptest::collection::vec(row_result(), 0..6),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            for protocol in PROTOCOLS {
                let first = reply(protocol, &ok(results.clone()));
                let mut stream = first.to_vec();
                stream.extend_from_slice(&reply(protocol, &ok(sample())));
                let frame = split(protocol, &stream, &cuts, 1 << 20).unwrap();
                prop_assert_eq!(&frame.bytes, &first);
                prop_assert!(frame.rows.is_some());
                same_either_way(protocol, &frame);
            }
        }

        #[test]
        fn random_bytes_split_as_the_generic_scanner_splits_them(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
            cuts in proptest::collection::vec(any::<usize>(), 0..4),
        ) {
            for protocol in PROTOCOLS {
                if let Ok(frame) = split(protocol, &bytes, &cuts, 1 << 20) {
                    same_either_way(protocol, &frame);
                }
                let mut changed = reply(protocol, &ok(sample())).to_vec();
                for &(at, b) in &flips {
                    let at = at % changed.len();
                    changed[at] = b;
                }
                if let Ok(frame) = split(protocol, &changed, &cuts, 1 << 20) {
                    same_either_way(protocol, &frame);
                }
            }
        }
    }

    #[test]
    fn rows_without_cells_and_empty_lists_have_places() {
        for protocol in PROTOCOLS {
            let empty = TRowResult {
                row: Some(b"k".to_vec()),
                columns: Some(Default::default()),
                sorted_columns: None,
            };
            for rows in [vec![], vec![empty]] {
                let stream = reply(protocol, &ok(rows));
                let frame = split(protocol, &stream, &[2], 1 << 20).unwrap();
                assert!(frame.rows.is_some());
                same_either_way(protocol, &frame);
            }
        }
    }
}
