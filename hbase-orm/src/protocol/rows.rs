//! A hand-written decoder for the replies that carry rows
//! (`list<TRowResult>`: `getRowWithColumns(Ts)`, `getRowsWithColumns(Ts)`,
//! `scannerGetList`), in one pass over the reply frame.
//!
//! The generated decoder copies every row key, column name and value into a
//! zeroed `Vec` and builds a `BTreeMap<Vec<u8>, TCell>` per row, which the
//! client then converts into a [`Row`]. This one reads the frame once, in the
//! binary or the compact protocol, with the one reader of Thrift primitives
//! ([`wire::Reader`], shared with the message scanner that found the
//! frame's end), and hands each row's key and cells, as places in the
//! frame, to a [`RowSink`]: [`rows`] builds [`Row`]s of them (keys, column
//! names and values are [`Bytes::slice`]s of the frame, so the only
//! allocations are the rows and their map nodes); [`FirstDecoded`] and
//! [`AllDecoded`] hand them, borrowed, to a [`DecodeRow`] (the typed
//! layer's models), so that no [`Row`] is built at all.
//!
//! It gives the same rows and the same errors as the generated path
//! ([`row_from_thrift`] over the generated result struct): declared
//! exceptions (`IOError`, `IllegalArgument`) become the generated exception
//! values, a `TApplicationException` message goes through the generated
//! reader, and bytes that do not decode become thrift protocol errors, never
//! a panic. Declared lengths and counts are checked against the bytes left
//! before anything is read or allocated.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::ops::Range;

use bytes::Bytes;
use hbase_orm_idl::hbase::{IOError, IllegalArgument, TCell, TRowResult};
use hbase_orm_idl::thrift::protocol::TMessageType;
use hbase_orm_idl::thrift::{self, ApplicationError, ApplicationErrorKind};
use hbase_orm_idl::wire::{self, Mark, Protocol, ReadError, Reader, ValueType as Ty};

use crate::error::Result as DecodeResult;
use crate::value::{Cell, CellRef, DecodeRow, Row};

/// Rows reserved up front at most, whatever count a reply declares.
pub(crate) const MAX_RESERVED_ROWS: usize = 4096;

type R<T> = Result<T, ReadError>;

#[cold]
fn bad(message: String) -> ReadError {
    ReadError::Invalid(message.into_boxed_str())
}

/// One cell of a reply: where its column name and value are in the frame,
/// and its timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CellAt {
    /// The column name, `family:qualifier`.
    pub(crate) column: Range<usize>,
    /// The value.
    pub(crate) value: Range<usize>,
    /// The timestamp.
    pub(crate) timestamp: i64,
}

/// What the rows of a reply are handed to, as they are read: for each row,
/// its cells ([`RowSink::cells`]), then its end ([`RowSink::row`]).
pub(crate) trait RowSink {
    /// What the rows are read from: the whole reply ([`Bytes`], for sinks
    /// that keep slices of it), or the bytes of a reply still arriving
    /// (`[u8]`, for the [`RowPlaces`](super::places::RowPlaces) recorded
    /// while the reply's end is looked for).
    type Frame: ?Sized + AsRef<[u8]>;

    /// Whether the cells must come as a [`Row`] holds them: once per
    /// column (the last the reply holds), in byte order of the columns.
    /// Otherwise they come as the reply holds them, repeats included.
    const UNIQUE: bool;

    /// The cells of the row being read, whose key is at `key` in `frame`.
    /// Not called for a row without cells; called again for the same row
    /// (the later call wins) where a reply holds its cells twice (a map
    /// and a sorted list) or a key after them, or, for a sink wanting them
    /// [`RowSink::UNIQUE`], when they did not come so (they are then given
    /// again, sorted).
    fn cells(
        &mut self,
        frame: &Self::Frame,
        key: Range<usize>,
        cells: impl Iterator<Item = CellAt>,
    );

    /// The row read last ends; its key is at `key` in `frame`.
    fn row(&mut self, frame: &Self::Frame, key: Range<usize>);
}

/// A [`RowSink`] that a whole reply decodes into.
pub(crate) trait ReplySink: RowSink<Frame = Bytes> + Sized {
    /// What the reply decodes to.
    type Output;

    /// A sink for a list of `rows` rows (as declared: not to be trusted
    /// further than [`MAX_RESERVED_ROWS`]).
    fn new(rows: usize) -> Self;

    /// What the rows read make.
    fn finish(self) -> Self::Output;

    /// What `rows` make, decoded by the generated decoder instead (the
    /// reference the sink is tested against, and the path of a reply read
    /// without the one-pass decoder).
    fn from_rows(rows: Vec<Row>) -> Self::Output;
}

/// Decodes a reply to method `name` (one of the methods returning
/// `list<TRowResult>`) held whole in `frame` (no frame header), into
/// [`Row`]s.
///
/// # Errors
/// As [`decode`].
pub(crate) fn rows(protocol: Protocol, name: &str, frame: &Bytes) -> thrift::Result<Vec<Row>> {
    decode::<Rows>(protocol, name, frame)
}

/// Decodes a reply to method `name` (one of the methods returning
/// `list<TRowResult>`) held whole in `frame` (no frame header), handing its
/// rows to a sink `S`.
///
/// # Errors
/// The error the generated decoder gives for the same bytes: a declared
/// exception as `thrift::Error::User`, a `TApplicationException` as
/// `thrift::Error::Application`, a reply to another method or bytes that do
/// not decode as a protocol error, a reply cut short as a transport error.
pub(crate) fn decode<S: ReplySink>(
    protocol: Protocol,
    name: &str,
    frame: &Bytes,
) -> thrift::Result<S::Output> {
    let mut d = Decoder::new(Reader::new(protocol, frame), frame);
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
            (0, Ty::List) => result = Some(d.row_list::<S>()?),
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
    match result {
        Some(sink) => Ok(sink.finish()),
        None => {
            let mut chars = name.chars();
            let upper: String = chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .collect();
            Err(thrift::Error::Application(ApplicationError::new(
                ApplicationErrorKind::MissingResult,
                format!("no result received for Hbase{upper}{}", chars.as_str()),
            )))
        }
    }
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

/// The sink of [`rows`]: [`Row`]s whose keys, column names and values are
/// slices of the frame.
#[derive(Debug)]
pub(crate) struct Rows {
    rows: Vec<Row>,
    /// The cells of the row being read (`None` until it has some: no
    /// empty map is made or dropped per row).
    cells: Option<BTreeMap<Bytes, Cell>>,
}

impl RowSink for Rows {
    type Frame = Bytes;
    const UNIQUE: bool = false;

    #[inline]
    fn cells(&mut self, frame: &Bytes, _key: Range<usize>, cells: impl Iterator<Item = CellAt>) {
        // The map keeps the last cell of a column, as the generated
        // decoder's map does.
        let mut map = BTreeMap::new();
        for c in cells {
            let cell = Cell {
                value: frame.slice(c.value),
                timestamp: c.timestamp,
            };
            map.insert(frame.slice(c.column), cell);
        }
        self.cells = Some(map);
    }

    #[inline]
    fn row(&mut self, frame: &Bytes, key: Range<usize>) {
        self.rows.push(Row {
            key: frame.slice(key),
            cells: self.cells.take().unwrap_or_default(),
        });
    }
}

impl ReplySink for Rows {
    type Output = Vec<Row>;

    fn new(rows: usize) -> Self {
        Rows {
            rows: Vec::with_capacity(rows.min(MAX_RESERVED_ROWS)),
            cells: None,
        }
    }

    fn finish(self) -> Vec<Row> {
        self.rows
    }

    fn from_rows(rows: Vec<Row>) -> Vec<Row> {
        rows
    }
}

/// `cells` of `frame` borrowed, for a [`DecodeRow`].
#[inline]
fn borrowed<'f>(
    frame: &'f [u8],
    cells: impl Iterator<Item = CellAt>,
) -> impl Iterator<Item = CellRef<'f>> {
    cells.map(move |c| CellRef {
        column: &frame[c.column],
        value: &frame[c.value],
        timestamp: c.timestamp,
    })
}

/// A sink decoding the first row of a reply with `D`, straight from the
/// frame (the later rows are read, not decoded): `None` when the reply has
/// no row. The reply to a get.
pub(crate) struct FirstDecoded<D: DecodeRow> {
    value: Option<DecodeResult<D::Output>>,
    /// The first row has ended.
    done: bool,
}

impl<D: DecodeRow> RowSink for FirstDecoded<D> {
    type Frame = Bytes;
    const UNIQUE: bool = true;

    #[inline]
    fn cells(&mut self, frame: &Bytes, key: Range<usize>, cells: impl Iterator<Item = CellAt>) {
        if !self.done {
            self.value = Some(D::decode_row(&frame[key], borrowed(frame, cells)));
        }
    }

    #[inline]
    fn row(&mut self, frame: &Bytes, key: Range<usize>) {
        if !self.done && self.value.is_none() {
            self.value = Some(D::decode_row(&frame[key], std::iter::empty()));
        }
        self.done = true;
    }
}

impl<D: DecodeRow> ReplySink for FirstDecoded<D> {
    type Output = Option<DecodeResult<D::Output>>;

    fn new(_rows: usize) -> Self {
        FirstDecoded {
            value: None,
            done: false,
        }
    }

    fn finish(self) -> Self::Output {
        self.value
    }

    fn from_rows(rows: Vec<Row>) -> Self::Output {
        rows.first().map(Row::decode::<D>)
    }
}

/// A sink decoding every row of a reply with `D`, straight from the frame:
/// each row's key (a slice of the frame) and its value or the error
/// decoding it. The reply to a multi-get, a page of a scan.
pub(crate) struct AllDecoded<D: DecodeRow> {
    rows: Vec<(Bytes, DecodeResult<D::Output>)>,
    value: Option<DecodeResult<D::Output>>,
    _decoder: PhantomData<fn() -> D>,
}

impl<D: DecodeRow> RowSink for AllDecoded<D> {
    type Frame = Bytes;
    const UNIQUE: bool = true;

    #[inline]
    fn cells(&mut self, frame: &Bytes, key: Range<usize>, cells: impl Iterator<Item = CellAt>) {
        self.value = Some(D::decode_row(&frame[key], borrowed(frame, cells)));
    }

    #[inline]
    fn row(&mut self, frame: &Bytes, key: Range<usize>) {
        let value = match self.value.take() {
            Some(value) => value,
            None => D::decode_row(&frame[key.clone()], std::iter::empty()),
        };
        self.rows.push((frame.slice(key), value));
    }
}

impl<D: DecodeRow> ReplySink for AllDecoded<D> {
    type Output = Vec<(Bytes, DecodeResult<D::Output>)>;

    fn new(rows: usize) -> Self {
        AllDecoded {
            rows: Vec::with_capacity(rows.min(MAX_RESERVED_ROWS)),
            value: None,
            _decoder: PhantomData,
        }
    }

    fn finish(self) -> Self::Output {
        self.rows
    }

    fn from_rows(rows: Vec<Row>) -> Self::Output {
        rows.iter()
            .map(|row| (row.key.clone(), row.decode::<D>()))
            .collect()
    }
}

/// Where a row's cells are: the `columns` map or the `sortedColumns` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Map,
    Sorted,
}

/// The reader over one reply frame, and the frame to take slices of.
pub(super) struct Decoder<'a, F: ?Sized> {
    pub(super) r: Reader<'a>,
    /// What the sinks are given.
    frame: &'a F,
    /// The bytes of `frame`.
    bytes: &'a [u8],
}

impl Decoder<'_, Bytes> {
    /// `list<TRowResult>`.
    fn row_list<S: ReplySink>(&mut self) -> R<S> {
        let (ty, n) = self.r.list_begin()?;
        if n > 0 && ty != Ty::Struct {
            return Err(bad(format!("a list of {ty:?} where rows were expected")));
        }
        let mut sink = S::new(n);
        for _ in 0..n {
            self.row(&mut sink)?;
        }
        Ok(sink)
    }
}

impl<'a, F: ?Sized + AsRef<[u8]>> Decoder<'a, F> {
    /// A decoder reading `frame` with `r` (a reader of `frame`'s bytes).
    pub(super) fn new(r: Reader<'a>, frame: &'a F) -> Self {
        Decoder {
            r,
            frame,
            bytes: frame.as_ref(),
        }
    }

    fn string(&mut self) -> R<String> {
        self.r.string().map(str::to_owned)
    }

    /// One `TRowResult`: field 1 the key, 2 the columns map, 3 the sorted
    /// columns (which win when both are there, as in [`row_from_thrift`]).
    ///
    /// The cells go to the sink as they are read when the key came before
    /// them (as every gateway writes it); otherwise (or when another key
    /// came after them) they are read over, and read again for the sink
    /// once the row has ended.
    pub(super) fn row<S: RowSink<Frame = F>>(&mut self, sink: &mut S) -> R<()> {
        let outer = self.r.struct_begin();
        let mut key = None;
        let mut sorted = false;
        // Where the winning cells are, and whether the sink has them with
        // the row's key.
        let mut winner: Option<(Mark, Form, bool)> = None;
        while let Some((ty, id)) = self.r.field_begin()? {
            let form = match (id, ty) {
                (1, Ty::Binary) => {
                    key = Some(self.r.binary_range()?);
                    if let Some((_, _, given)) = &mut winner {
                        *given = false;
                    }
                    continue;
                }
                (2, Ty::Map) => Form::Map,
                (3, Ty::List) => Form::Sorted,
                _ => {
                    self.r.skip(ty)?;
                    continue;
                }
            };
            if form == Form::Map && sorted {
                // The sorted list read before wins.
                self.read_over(form)?;
                continue;
            }
            sorted |= form == Form::Sorted;
            let mark = self.r.mark();
            match &key {
                Some(key) => self.give(sink, key.clone(), form)?,
                None => self.read_over(form)?,
            }
            winner = Some((mark, form, key.is_some()));
        }
        self.r.struct_end(outer);
        let key = key.unwrap_or(0..0);
        if let Some((mark, form, false)) = winner {
            let end = self.r.mark();
            self.r.seek(mark);
            self.give(sink, key.clone(), form)?;
            self.r.seek(end);
        }
        sink.row(self.frame, key);
        Ok(())
    }

    /// Reads the cells (in `form`) of the row whose key is at `key`, handing
    /// them to the sink; for a sink wanting them once per column in order
    /// that did not get them so, reads them again, sorted by column with the
    /// last of each column kept.
    fn give<S: RowSink<Frame = F>>(
        &mut self,
        sink: &mut S,
        key: Range<usize>,
        form: Form,
    ) -> R<()> {
        let start = self.r.mark();
        let frame = self.frame;
        let mut cells = Cells::new(self, form, S::UNIQUE)?;
        sink.cells(frame, key.clone(), &mut cells);
        let in_order = cells.finish()?;
        if !in_order {
            self.give_in_order(sink, key, form, start)?;
        }
        Ok(())
    }

    /// The rare path of [`Decoder::give`]: the cells at `start` once per
    /// column, in order.
    #[cold]
    #[inline(never)]
    fn give_in_order<S: RowSink<Frame = F>>(
        &mut self,
        sink: &mut S,
        key: Range<usize>,
        form: Form,
        start: Mark,
    ) -> R<()> {
        let end = self.r.mark();
        self.r.seek(start);
        let (frame, bytes) = (self.frame, self.bytes);
        let mut all: Vec<CellAt> = Vec::new();
        let mut cells = Cells::new(self, form, false)?;
        all.extend(&mut cells);
        cells.finish()?;
        // Stable: the cells of one column stay in the reply's order.
        all.sort_by(|a, b| bytes[a.column.clone()].cmp(&bytes[b.column.clone()]));
        let mut unique: Vec<CellAt> = Vec::with_capacity(all.len());
        for cell in all {
            match unique.last_mut() {
                Some(last) if bytes[last.column.clone()] == bytes[cell.column.clone()] => {
                    *last = cell;
                }
                _ => unique.push(cell),
            }
        }
        sink.cells(frame, key, unique.into_iter());
        self.r.seek(end);
        Ok(())
    }

    /// Reads over cells (in `form`) that no sink gets, checking them as
    /// when they are handed over.
    fn read_over(&mut self, form: Form) -> R<()> {
        let mut cells = Cells::new(self, form, false)?;
        for _ in &mut cells {}
        cells.finish().map(|_| ())
    }

    /// `TCell`: field 1 the value, 2 the timestamp.
    #[inline]
    fn cell(&mut self) -> R<(Range<usize>, i64)> {
        let outer = self.r.struct_begin();
        let (mut value, mut timestamp) = (0..0, 0);
        // The shape every gateway writes, value then timestamp, each header
        // checked in one comparison; then anything else, as it comes.
        if self.r.field_is(Ty::Binary, 1) {
            value = self.r.binary_range()?;
            if self.r.field_is(Ty::I64, 2) {
                timestamp = self.r.i64()?;
            }
        }
        while let Some((ty, id)) = self.r.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => value = self.r.binary_range()?,
                (2, Ty::I64) => timestamp = self.r.i64()?,
                _ => self.r.skip(ty)?,
            }
        }
        self.r.struct_end(outer);
        Ok((value, timestamp))
    }

    /// A map entry of a row's columns (`Text` key, `TCell` value) as every
    /// gateway writes it in the binary protocol, read in one go; `None`,
    /// with nothing read, for anything else.
    #[inline(always)]
    fn binary_entry(&mut self) -> Option<CellAt> {
        if self.r.protocol() != Protocol::Binary {
            return None;
        }
        let bytes = self.r.unread();
        let limit = self.r.limit();
        let column = binary_len(bytes, limit)?;
        let rest = bytes.get(column.end..)?;
        let (value, timestamp, len) = binary_cell(rest, limit)?;
        let at = self.r.pos();
        self.r.advance(column.end + len);
        let value_at = at + column.end;
        Some(CellAt {
            column: at + column.start..at + column.end,
            value: value_at + value.start..value_at + value.end,
            timestamp,
        })
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

/// A binary-protocol `binary` value at the start of `bytes`: where its
/// bytes are, when its length is neither negative nor past `limit` and its
/// bytes are all there.
#[inline(always)]
fn binary_len(bytes: &[u8], limit: usize) -> Option<Range<usize>> {
    let (len, _) = bytes.split_first_chunk::<4>()?;
    let len = usize::try_from(i32::from_be_bytes(*len)).ok()?;
    if len > limit || len > bytes.len() - 4 {
        return None;
    }
    Some(4..4 + len)
}

/// A binary-protocol `TCell` at the start of `bytes` in the layout every
/// gateway writes: the value's header (`0B 00 01`), its length and bytes,
/// the timestamp's header (`0A 00 02`) and eight bytes, the stop byte.
/// Where the value is, the timestamp and the cell's length; `None` for any
/// other layout, for bytes not all there, and for a value whose length is
/// negative or past `limit` (the field-by-field reader then gives the
/// error or reads the other layout). The one-go half of a map entry
/// ([`Decoder::binary_entry`]).
#[inline(always)]
fn binary_cell(bytes: &[u8], limit: usize) -> Option<(Range<usize>, i64, usize)> {
    const VALUE: [u8; 3] = [11, 0, 1];
    const TIMESTAMP: [u8; 3] = [10, 0, 2];
    if bytes.get(..3)? != VALUE {
        return None;
    }
    let value = binary_len(&bytes[3..], limit)?;
    let value = 3 + value.start..3 + value.end;
    let (header, rest) = bytes[value.end..].split_first_chunk::<3>()?;
    let (timestamp, rest) = rest.split_first_chunk::<8>()?;
    if *header != TIMESTAMP || rest.first() != Some(&0) {
        return None;
    }
    let len = value.end + 12;
    Some((value, i64::from_be_bytes(*timestamp), len))
}

/// The cells of one row, read from the frame as they are iterated:
/// `map<Text, TCell>`, or `list<TColumn>` (where a column without a cell is
/// left out, and one without a name has the empty name, as the generated
/// decoder reads them).
///
/// A read error ends the iteration; [`Cells::finish`] reads what was not
/// iterated and gives the error.
struct Cells<'d, 'a, F: ?Sized> {
    d: &'d mut Decoder<'a, F>,
    form: Form,
    /// Entries not read yet.
    left: usize,
    error: Option<ReadError>,
    /// Whether to check that every column comes after the one before.
    check: bool,
    previous: Option<Range<usize>>,
    in_order: bool,
}

impl<'d, 'a, F: ?Sized + AsRef<[u8]>> Cells<'d, 'a, F> {
    /// Reads the header of the map or list.
    fn new(d: &'d mut Decoder<'a, F>, form: Form, check: bool) -> R<Self> {
        let left = match form {
            Form::Map => {
                let (k, v, n) = d.r.map_begin()?;
                if n > 0 && (k != Ty::Binary || v != Ty::Struct) {
                    return Err(bad(format!(
                        "a map of {k:?} to {v:?} where columns were expected"
                    )));
                }
                n
            }
            Form::Sorted => {
                let (ty, n) = d.r.list_begin()?;
                if n > 0 && ty != Ty::Struct {
                    return Err(bad(format!("a list of {ty:?} where columns were expected")));
                }
                n
            }
        };
        Ok(Cells {
            d,
            form,
            left,
            error: None,
            check,
            previous: None,
            in_order: true,
        })
    }

    /// One entry: `None` for a column without a cell.
    #[inline(always)]
    fn entry(&mut self) -> R<Option<CellAt>> {
        let d = &mut *self.d;
        if self.form == Form::Map {
            if let Some(cell) = d.binary_entry() {
                return Ok(Some(cell));
            }
            let column = d.r.binary_range()?;
            let (value, timestamp) = d.cell()?;
            return Ok(Some(CellAt {
                column,
                value,
                timestamp,
            }));
        }
        let outer = d.r.struct_begin();
        let (mut column, mut cell) = (0..0, None);
        while let Some((ty, id)) = d.r.field_begin()? {
            match (id, ty) {
                (1, Ty::Binary) => column = d.r.binary_range()?,
                (2, Ty::Struct) => cell = Some(d.cell()?),
                _ => d.r.skip(ty)?,
            }
        }
        d.r.struct_end(outer);
        Ok(cell.map(|(value, timestamp)| CellAt {
            column,
            value,
            timestamp,
        }))
    }

    /// Reads the entries not iterated; whether the columns came once
    /// each, in order (always, when not checked).
    ///
    /// # Errors
    /// The first read error of the entries.
    fn finish(mut self) -> R<bool> {
        for _ in &mut self {}
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(self.in_order),
        }
    }
}

impl<F: ?Sized + AsRef<[u8]>> Iterator for Cells<'_, '_, F> {
    type Item = CellAt;

    #[inline(always)]
    fn next(&mut self) -> Option<CellAt> {
        while self.left > 0 {
            self.left -= 1;
            match self.entry() {
                Ok(Some(cell)) => {
                    if self.check {
                        let frame = self.d.bytes;
                        if let Some(previous) = &self.previous {
                            if frame[previous.clone()] >= frame[cell.column.clone()] {
                                self.in_order = false;
                            }
                        }
                        self.previous = Some(cell.column.clone());
                    }
                    return Some(cell);
                }
                Ok(None) => {}
                Err(e) => {
                    self.error = Some(e);
                    self.left = 0;
                }
            }
        }
        None
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::protocol::Method;
    use hbase_orm_idl::hbase::{
        HbaseGetRowWithColumnsArgs, HbaseScannerGetListArgs, HbaseScannerGetListResult, TColumn,
    };
    use hbase_orm_idl::thrift::protocol::TMessageIdentifier;
    use hbase_orm_idl::wire::Transport;
    use proptest::prelude::*;

    pub(crate) const PROTOCOLS: [Protocol; 2] = [Protocol::Binary, Protocol::Compact];

    pub(crate) fn message(
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

    pub(crate) fn reply(protocol: Protocol, result: &HbaseScannerGetListResult) -> Bytes {
        message(protocol, "scannerGetList", TMessageType::Reply, |o| {
            result.write_to_out_protocol(o)
        })
    }

    /// The generated decoder, then [`row_from_thrift`]: the reference.
    pub(crate) fn reference(protocol: Protocol, frame: &Bytes) -> thrift::Result<Vec<Row>> {
        wire::decode(protocol, frame, |ident, i| {
            if ident.message_type == TMessageType::Exception {
                return Err(thrift::Error::Application(
                    thrift::Error::read_application_error_from_in_protocol(i)?,
                ));
            }
            HbaseScannerGetListArgs::read(i)
        })
    }

    pub(crate) fn ok(rows: Vec<TRowResult>) -> HbaseScannerGetListResult {
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

    pub(crate) fn row_result() -> impl Strategy<Value = TRowResult> {
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

    pub(crate) fn sample() -> Vec<TRowResult> {
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

    /// A decoder keeping what it is handed.
    pub(crate) struct Collect;

    pub(crate) type Collected = (Vec<u8>, Vec<(Vec<u8>, Vec<u8>, i64)>);

    impl DecodeRow for Collect {
        type Output = Collected;
        fn decode_row<'a, I>(key: &'a [u8], cells: I) -> DecodeResult<Collected>
        where
            I: Iterator<Item = CellRef<'a>>,
        {
            let cells = cells.map(|c| (c.column.to_vec(), c.value.to_vec(), c.timestamp));
            Ok((key.to_vec(), cells.collect()))
        }
    }

    /// A decoder failing on rows with a cell `cf:bad`.
    pub(crate) struct Picky;

    impl DecodeRow for Picky {
        type Output = usize;
        fn decode_row<'a, I>(_key: &'a [u8], mut cells: I) -> DecodeResult<usize>
        where
            I: Iterator<Item = CellRef<'a>>,
        {
            let mut n = 0;
            if cells.any(|c| {
                n += 1;
                c.column == b"cf:bad"
            }) {
                return Err(crate::Error::InvalidInput("a bad cell".to_owned()));
            }
            Ok(n)
        }
    }

    /// Decoded rows, their errors as text.
    pub(crate) type Flat<T> = Vec<(Bytes, Result<T, String>)>;

    pub(crate) fn flat<T>(rows: Vec<(Bytes, DecodeResult<T>)>) -> Flat<T> {
        rows.into_iter()
            .map(|(k, v)| (k, v.map_err(|e| e.to_string())))
            .collect()
    }

    /// Each row decoded with `D` straight from `frame`, and through the
    /// rows [`rows`] builds of it.
    fn both<D: DecodeRow>(protocol: Protocol, frame: &Bytes) -> (Flat<D::Output>, Flat<D::Output>) {
        let straight = decode::<AllDecoded<D>>(protocol, "scannerGetList", frame).unwrap();
        let rows = rows(protocol, "scannerGetList", frame).unwrap();
        (flat(straight), flat(AllDecoded::<D>::from_rows(rows)))
    }

    /// A cell as [`raw_reply`] writes it: column, value, timestamp.
    pub(crate) type Raw<'a> = (&'a [u8], &'a [u8], i64);

    /// A field of a `TRowResult` as [`raw_reply`] writes it.
    pub(crate) enum Part<'a> {
        Key(&'a [u8]),
        Map(&'a [Raw<'a>]),
        Sorted(&'a [Raw<'a>]),
    }

    /// A `scannerGetList` reply whose rows have their fields in the order
    /// given, repeats included (which no generated writer writes).
    pub(crate) fn raw_reply(protocol: Protocol, rows: &[&[Part<'_>]]) -> Bytes {
        use hbase_orm_idl::thrift::protocol::{
            TFieldIdentifier, TListIdentifier, TMapIdentifier, TOutputProtocol, TStructIdentifier,
            TType,
        };
        fn field(o: &mut dyn TOutputProtocol, ty: TType, id: i16) -> thrift::Result<()> {
            o.write_field_begin(&TFieldIdentifier::new("f", ty, id))
        }
        fn tcell(o: &mut dyn TOutputProtocol, value: &[u8], ts: i64) -> thrift::Result<()> {
            o.write_struct_begin(&TStructIdentifier::new("TCell"))?;
            field(o, TType::String, 1)?;
            o.write_bytes(value)?;
            o.write_field_end()?;
            field(o, TType::I64, 2)?;
            o.write_i64(ts)?;
            o.write_field_end()?;
            end(o)
        }
        /// The stop field and the end of a struct.
        fn end(o: &mut dyn TOutputProtocol) -> thrift::Result<()> {
            o.write_field_stop()?;
            o.write_struct_end()
        }
        message(protocol, "scannerGetList", TMessageType::Reply, |o| {
            o.write_struct_begin(&TStructIdentifier::new("result"))?;
            field(o, TType::List, 0)?;
            o.write_list_begin(&TListIdentifier::new(TType::Struct, rows.len() as i32))?;
            for parts in rows {
                o.write_struct_begin(&TStructIdentifier::new("TRowResult"))?;
                for part in *parts {
                    match part {
                        Part::Key(key) => {
                            field(o, TType::String, 1)?;
                            o.write_bytes(key)?;
                        }
                        Part::Map(cells) => {
                            field(o, TType::Map, 2)?;
                            let n = cells.len() as i32;
                            o.write_map_begin(&TMapIdentifier::new(
                                TType::String,
                                TType::Struct,
                                n,
                            ))?;
                            for (column, value, ts) in *cells {
                                o.write_bytes(column)?;
                                tcell(o, value, *ts)?;
                            }
                            o.write_map_end()?;
                        }
                        Part::Sorted(cells) => {
                            field(o, TType::List, 3)?;
                            let n = cells.len() as i32;
                            o.write_list_begin(&TListIdentifier::new(TType::Struct, n))?;
                            for (column, value, ts) in *cells {
                                o.write_struct_begin(&TStructIdentifier::new("TColumn"))?;
                                field(o, TType::String, 1)?;
                                o.write_bytes(column)?;
                                o.write_field_end()?;
                                field(o, TType::Struct, 2)?;
                                tcell(o, value, *ts)?;
                                o.write_field_end()?;
                                end(o)?;
                            }
                            o.write_list_end()?;
                        }
                    }
                    o.write_field_end()?;
                }
                end(o)?;
            }
            o.write_list_end()?;
            o.write_field_end()?;
            end(o)
        })
    }

    #[test]
    fn decoders_get_the_cells_a_row_holds_whatever_order_the_reply_has() {
        let a: &[Raw<'_>] = &[(b"cf:a", b"1", 1), (b"cf:b", b"2", 2)];
        let unsorted: &[Raw<'_>] = &[(b"cf:b", b"2", 2), (b"cf:a", b"1", 1), (b"cf:c", b"3", 3)];
        let repeated: &[Raw<'_>] = &[
            (b"cf:a", b"old", 1),
            (b"cf:b", b"2", 2),
            (b"cf:a", b"new", 9),
        ];
        let other: &[Raw<'_>] = &[(b"cf:z", b"z", 5)];
        let cases: &[&[Part<'_>]] = &[
            // As every gateway writes it.
            &[Part::Key(b"k1"), Part::Map(a)],
            // The key after the cells.
            &[Part::Map(a), Part::Key(b"k2")],
            &[Part::Sorted(repeated), Part::Key(b"k3")],
            // Out of order, a column twice: the last one kept.
            &[Part::Key(b"k4"), Part::Map(unsorted)],
            &[Part::Key(b"k5"), Part::Map(repeated)],
            &[Part::Key(b"k6"), Part::Sorted(repeated)],
            // Both forms: the sorted list wins, wherever it is.
            &[Part::Key(b"k7"), Part::Map(other), Part::Sorted(a)],
            &[Part::Key(b"k8"), Part::Sorted(a), Part::Map(other)],
            &[Part::Map(other), Part::Key(b"k9"), Part::Sorted(unsorted)],
            &[Part::Sorted(a), Part::Key(b"k10"), Part::Map(other)],
            // A form twice: the later wins.
            &[Part::Key(b"k11"), Part::Map(other), Part::Map(a)],
            &[Part::Map(other), Part::Map(repeated), Part::Key(b"k12")],
            // No cells, no key.
            &[Part::Key(b"k13")],
            &[],
            // Another key after the cells: the last key wins.
            &[Part::Key(b"no"), Part::Map(a), Part::Key(b"k15")],
        ];
        for protocol in PROTOCOLS {
            let frame = raw_reply(protocol, cases);
            let rows = rows(protocol, "scannerGetList", &frame).unwrap();
            assert_eq!(rows, reference(protocol, &frame).unwrap(), "{protocol}");
            let (straight, through_rows) = both::<Collect>(protocol, &frame);
            assert_eq!(straight, through_rows, "{protocol}");
            assert_eq!(straight.len(), cases.len());
            let cells = |i: usize| straight[i].1.as_ref().unwrap().1.clone();
            let c = |column: &[u8], value: &[u8], ts| (column.to_vec(), value.to_vec(), ts);
            assert_eq!(cells(1), [c(b"cf:a", b"1", 1), c(b"cf:b", b"2", 2)]);
            assert_eq!(cells(4), [c(b"cf:a", b"new", 9), c(b"cf:b", b"2", 2)]);
            assert_eq!(cells(8), cells(3));
            assert_eq!(cells(10), cells(0));
            assert_eq!(straight[13].0, Bytes::new());
            assert_eq!(straight[14].1.as_ref().unwrap().0, b"k15");
            let first = decode::<FirstDecoded<Collect>>(protocol, "scannerGetList", &frame);
            let first = first.unwrap().unwrap().unwrap();
            assert_eq!(first, (b"k1".to_vec(), cells(0)), "{protocol}");
        }
    }

    #[test]
    fn a_row_that_does_not_decode_fails_alone_and_a_bad_reply_fails_whole() {
        let good: &[Raw<'_>] = &[(b"cf:a", b"1", 1)];
        let bad: &[Raw<'_>] = &[(b"cf:a", b"1", 1), (b"cf:bad", b"2", 2)];
        for protocol in PROTOCOLS {
            let frame = raw_reply(
                protocol,
                &[
                    &[Part::Key(b"a"), Part::Map(good)],
                    &[Part::Key(b"b"), Part::Map(bad)],
                    &[Part::Key(b"c"), Part::Sorted(good)],
                ],
            );
            let (straight, through_rows) = both::<Picky>(protocol, &frame);
            assert_eq!(straight, through_rows, "{protocol}");
            let values: Vec<_> = straight.iter().map(|(_, v)| v.clone()).collect();
            assert_eq!(
                values,
                [Ok(1), Err("invalid input: a bad cell".to_owned()), Ok(1)]
            );
            // Cut anywhere, the reply is an error, whatever its rows decode to.
            for len in 0..frame.len() {
                let cut = frame.slice(..len);
                let straight = decode::<AllDecoded<Picky>>(protocol, "scannerGetList", &cut);
                let first = decode::<FirstDecoded<Picky>>(protocol, "scannerGetList", &cut);
                let theirs = rows(protocol, "scannerGetList", &cut).unwrap_err();
                let theirs = format!("{:?}", crate::Error::from_thrift(theirs, "a"));
                for mine in [straight.map(|_| ()), first.map(|_| ())] {
                    let mine = crate::Error::from_thrift(mine.unwrap_err(), "a");
                    assert_eq!(format!("{mine:?}"), theirs, "{protocol} {len}");
                }
            }
            // Exceptions as the rows decoder gives them.
            let io = reply(
                protocol,
                &HbaseScannerGetListResult {
                    result_value: Some(sample()),
                    io: Some(IOError::new("boom".to_owned(), true)),
                    ia: None,
                },
            );
            let mine = decode::<AllDecoded<Picky>>(protocol, "scannerGetList", &io).unwrap_err();
            let theirs = rows(protocol, "scannerGetList", &io).unwrap_err();
            assert_eq!(
                format!("{:?}", crate::Error::from_thrift(mine, "a")),
                format!("{:?}", crate::Error::from_thrift(theirs, "a")),
            );
        }
    }

    proptest! {
        #[test]
        fn random_rows_decode_straight_as_through_rows(
            results in proptest::collection::vec(row_result(), 0..6),
        ) {
            for protocol in PROTOCOLS {
                let frame = reply(protocol, &ok(results.clone()));
                let (straight, through_rows) = both::<Collect>(protocol, &frame);
                prop_assert_eq!(&straight, &through_rows);
                let first = decode::<FirstDecoded<Collect>>(protocol, "scannerGetList", &frame)
                    .unwrap()
                    .map(|v| v.map_err(|e| e.to_string()));
                prop_assert_eq!(first, straight.first().map(|(_, v)| v.clone()));
            }
        }

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

    /// A map entry as gateways write it in the binary protocol: the column,
    /// then its `TCell` (value, timestamp, stop).
    fn binary_entry_bytes(column: &[u8], value: &[u8], timestamp: i64) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&(column.len() as i32).to_be_bytes());
        b.extend_from_slice(column);
        b.extend_from_slice(&[11, 0, 1]);
        b.extend_from_slice(&(value.len() as i32).to_be_bytes());
        b.extend_from_slice(value);
        b.extend_from_slice(&[10, 0, 2]);
        b.extend_from_slice(&timestamp.to_be_bytes());
        b.push(0);
        b
    }

    /// The entry read field by field: the column, then the cell's fields.
    fn entry_by_fields(bytes: &[u8], limit: usize) -> (R<CellAt>, usize) {
        let r = Reader::new(Protocol::Binary, bytes).with_limit(limit);
        let mut d = Decoder::new(r, bytes);
        let read = d.r.binary_range().and_then(|column| {
            let (value, timestamp) = d.cell()?;
            Ok(CellAt {
                column,
                value,
                timestamp,
            })
        });
        (read, d.r.pos())
    }

    #[test]
    fn entries_in_the_usual_layout_are_read_in_one_go() {
        let bytes = binary_entry_bytes(b"f:a", b"v1", 7);
        let mut d = Decoder::new(Reader::new(Protocol::Binary, &bytes[..]), &bytes[..]);
        let cell = d.binary_entry().expect("the usual layout");
        assert_eq!(&bytes[cell.column.clone()], b"f:a");
        assert_eq!(&bytes[cell.value.clone()], b"v1");
        assert_eq!(cell.timestamp, 7);
        assert_eq!(d.r.pos(), bytes.len());
        // Not in one go: the compact protocol, a cut entry, another layout.
        let mut d = Decoder::new(Reader::new(Protocol::Compact, &bytes[..]), &bytes[..]);
        assert!(d.binary_entry().is_none());
        for cut in 0..bytes.len() {
            let b = &bytes[..cut];
            let mut d = Decoder::new(Reader::new(Protocol::Binary, b), b);
            assert!(d.binary_entry().is_none(), "cut at {cut}");
            assert_eq!(d.r.pos(), 0);
        }
        // The value's length past the limit: the field-by-field error.
        let mut d = Decoder::new(
            Reader::new(Protocol::Binary, &bytes[..]).with_limit(1),
            &bytes[..],
        );
        assert!(d.binary_entry().is_none());
    }

    proptest! {
        /// Whatever the bytes (an entry in the usual layout with any byte
        /// changed, cut anywhere, any limit), an entry read in one go is
        /// the entry read field by field, and ends where it ends.
        #[test]
        fn an_entry_read_in_one_go_is_the_entry_read_by_fields(
            column in proptest::collection::vec(any::<u8>(), 0..6),
            value in proptest::collection::vec(any::<u8>(), 0..6),
            timestamp in any::<i64>(),
            changes in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..3),
            cut in any::<usize>(),
            limit in prop_oneof![Just(usize::MAX), 0usize..8],
        ) {
            let mut bytes = binary_entry_bytes(&column, &value, timestamp);
            for (at, byte) in changes {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            let bytes = &bytes[..cut % (bytes.len() + 1)];
            let r = Reader::new(Protocol::Binary, bytes).with_limit(limit);
            let mut d = Decoder::new(r, bytes);
            match d.binary_entry() {
                Some(cell) => {
                    let (by_fields, end) = entry_by_fields(bytes, limit);
                    prop_assert_eq!(by_fields.ok(), Some(cell));
                    prop_assert_eq!(d.r.pos(), end);
                }
                None => prop_assert_eq!(d.r.pos(), 0),
            }
        }
    }
}
