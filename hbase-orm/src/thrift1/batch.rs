//! [`Batch`]: puts, deletes and counter increments buffered and sent in few
//! calls.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use hbase_orm_idl::hbase::{HbaseIncrementRowsArgs, TIncrement};
use hbase_orm_idl::thrift;
use hbase_orm_idl::thrift::protocol::{
    TFieldIdentifier, TListIdentifier, TMapIdentifier, TOutputProtocol, TStructIdentifier, TType,
};

use super::column::{check_column, ColumnUse};
use super::request::{setters, BoxFuture};
use super::table::Table;
use crate::error::{Error, Result};
use crate::protocol::binary;
use crate::protocol::method::{MutateRows, MutateRowsTs, RowBatches};

/// Puts, deletes and counter increments on one table, buffered and sent
/// together (`mutateRows` and `incrementRows` calls).
///
/// Built by [`Table::batch`]; options `timestamp` (for every put and delete),
/// `wal` and `batch_size` (send automatically once this many mutations are
/// buffered; a put of three columns counts three).
///
/// Operations on one row apply in the order they were written. The gateway
/// applies all puts of a `mutateRows` call before its deletes, and counters
/// go in another call, so where the order would otherwise change (a put
/// after a delete of the same row, a put repeated on one column, a counter
/// between mutations of a row) the batch is split into several calls, sent in
/// order.
///
/// Nothing is sent until [`Batch::send`] is awaited or `batch_size` is
/// reached. **Dropping a batch that still holds operations discards them and
/// logs a `tracing` warning**: always end with `send().await`. With
/// [`Batch::transaction`], everything is sent at the end of the caller's
/// block, or nothing if the block fails.
///
/// When a call of `send` fails, the operations not yet applied stay buffered:
/// `send` may be retried.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// let mut batch = table.batch().batch_size(500).wal(false);
/// batch.put("row1", [("cf:a", "1")]).await?;
/// batch.delete_columns("row2", ["cf:old"]).await?;
/// batch.counter_inc("row3", "cf:hits", 1).await?;
/// batch.send().await?;
/// # Ok(()) }
/// ```
#[must_use = "a batch sends nothing until `send().await`; dropping it discards its operations"]
pub struct Batch {
    table: Table,
    timestamp: Option<i64>,
    wal: bool,
    batch_size: Option<usize>,
    in_transaction: bool,
    plan: Plan,
    families: Option<Vec<Vec<u8>>>,
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("table", &self.table.full_name())
            .field("timestamp", &self.timestamp)
            .field("wal", &self.wal)
            .field("batch_size", &self.batch_size)
            .field("buffered", &self.plan.count)
            .field("calls", &self.plan.calls.len())
            .finish()
    }
}

setters! {
    Batch {
        /// Writes puts and deletes at `timestamp` instead of the server's time
        /// (deletes then remove versions at or before it).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// let batch = table.batch().timestamp(1_700_000_000_000);
        /// # assert!(batch.is_empty());
        /// ```
        timestamp;
        /// Whether puts and deletes go to the write-ahead log (default true).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// let batch = table.batch().wal(false);
        /// # assert!(batch.is_empty());
        /// ```
        wal;
    }
}

impl Batch {
    pub(crate) fn new(table: Table) -> Batch {
        Batch {
            table,
            timestamp: None,
            wal: true,
            batch_size: None,
            in_transaction: false,
            plan: Plan::default(),
            families: None,
        }
    }

    /// Sends automatically once `n` mutations are buffered (`n` of at least
    /// 1; default: only on [`Batch::send`]). Ignored inside
    /// [`Batch::transaction`].
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let batch = table.batch().batch_size(1000);
    /// # assert!(batch.is_empty());
    /// ```
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = Some(n.max(1));
        self
    }

    /// How many mutations and increments are buffered.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let mut batch = table.batch();
    /// batch.put("r", [("cf:a", "1"), ("cf:b", "2")]).await?;
    /// assert_eq!(batch.len(), 2);
    /// batch.send().await?;
    /// assert!(batch.is_empty());
    /// # Ok(()) }
    /// ```
    pub fn len(&self) -> usize {
        self.plan.count
    }

    /// Whether nothing is buffered.
    ///
    /// # Examples
    /// ```
    /// let batch = hbase_orm::Connection::builder().build().table("t").batch();
    /// assert!(batch.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.plan.calls.is_empty()
    }

    /// Buffers a put of `(column, value)` pairs into row `key`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a column without qualifier (nothing is
    /// buffered then); the errors of [`Batch::send`] when `batch_size` is
    /// reached.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let mut batch = hbase_orm::Connection::builder().build().table("t").batch();
    /// batch.put("r", [("cf:a", "1")]).await?;
    /// # batch.send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn put<I, C, V>(&mut self, key: impl AsRef<[u8]>, data: I) -> Result<()>
    where
        I: IntoIterator<Item = (C, V)>,
        C: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        self.plan.put_iter(key.as_ref(), data, self.wal)?;
        self.send_if_full().await
    }

    /// Buffers the puts of row `key` that `fill` gives to its [`RowPuts`],
    /// each cell encoded into the batch as it is put (one copy of each
    /// value); sends nothing (see [`Batch::send_if_full`]).
    ///
    /// As [`Batch::put`]: a column repeated in the row is split off (the
    /// last value wins; with `distinct`, the caller vouches that `fill`
    /// repeats no column, and none is looked for), and when `fill` fails,
    /// or a column has no qualifier, nothing of the row is buffered.
    pub(crate) fn put_row(
        &mut self,
        key: &[u8],
        distinct: bool,
        fill: impl FnOnce(&mut RowPuts<'_>) -> Result<()>,
    ) -> Result<()> {
        self.plan.put_row(key, self.wal, distinct, fill)
    }

    /// Buffers the deletion of a whole row (as HappyBase does, a deletion of
    /// each of the table's families, which are read once per batch).
    ///
    /// # Errors
    /// As [`Batch::put`], and the errors of [`Table::families`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let mut batch = hbase_orm::Connection::builder().build().table("t").batch();
    /// batch.delete("r").await?;
    /// # batch.send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&mut self, key: impl AsRef<[u8]>) -> Result<()> {
        if self.families.is_none() {
            let families = self.table.families().await?;
            self.families = Some(families.into_iter().map(|f| f.name.into_bytes()).collect());
        }
        let columns = self.families.as_deref().unwrap_or_default();
        self.plan.delete(key.as_ref(), columns, self.wal);
        self.send_if_full().await
    }

    /// Buffers the deletion of families (`cf`) or columns (`cf:q`) of a row.
    ///
    /// # Errors
    /// As [`Batch::put`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let mut batch = hbase_orm::Connection::builder().build().table("t").batch();
    /// batch.delete_columns("r", ["cf:a", "other_family"]).await?;
    /// # batch.send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_columns<I, C>(&mut self, key: impl AsRef<[u8]>, columns: I) -> Result<()>
    where
        I: IntoIterator<Item = C>,
        C: AsRef<[u8]>,
    {
        let columns = super::column::columns_of(columns, ColumnUse::Read)?;
        if columns.is_empty() {
            return Ok(());
        }
        self.plan.delete(key.as_ref(), &columns, self.wal);
        self.send_if_full().await
    }

    /// Buffers adding `value` to a counter column.
    ///
    /// # Errors
    /// As [`Batch::put`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let mut batch = hbase_orm::Connection::builder().build().table("t").batch();
    /// batch.counter_inc("page", "cf:views", 1).await?;
    /// # batch.send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn counter_inc(
        &mut self,
        key: impl AsRef<[u8]>,
        column: impl AsRef<[u8]>,
        value: i64,
    ) -> Result<()> {
        check_column(column.as_ref(), ColumnUse::Write)?;
        self.plan
            .increment(key.as_ref(), column.as_ref().to_vec(), value);
        self.send_if_full().await
    }

    /// Buffers subtracting `value` from a counter column.
    ///
    /// # Errors
    /// As [`Batch::put`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let mut batch = hbase_orm::Connection::builder().build().table("t").batch();
    /// batch.counter_dec("stock", "cf:apples", 2).await?;
    /// # batch.send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn counter_dec(
        &mut self,
        key: impl AsRef<[u8]>,
        column: impl AsRef<[u8]>,
        value: i64,
    ) -> Result<()> {
        let delta = value.checked_neg().ok_or_else(|| {
            Error::InvalidInput(format!("cannot decrement by {value}: it has no negation"))
        })?;
        self.counter_inc(key, column, delta).await
    }

    /// Sends what is buffered when `batch_size` is reached (outside a
    /// transaction), as each write of the batch does.
    ///
    /// # Errors
    /// As [`Batch::send`].
    pub(crate) async fn send_if_full(&mut self) -> Result<()> {
        match self.batch_size {
            Some(n) if !self.in_transaction && self.plan.count >= n => self.send().await,
            _ => Ok(()),
        }
    }

    /// Sends everything buffered, in as few calls as the order of operations
    /// allows.
    ///
    /// # Errors
    /// The first failing call's error: [`Error::Server`] (missing table or
    /// family, a counter cell that is not 8 bytes), connection errors. The
    /// operations of that call and the later ones stay buffered.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let mut batch = hbase_orm::Connection::builder().build().table("t").batch();
    /// batch.put("r", [("cf:a", "1")]).await?;
    /// batch.send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(&mut self) -> Result<()> {
        let conn = self.table.connection().clone();
        let table_name = self.table.name_bytes();
        while let Some(call) = self.plan.calls.front() {
            let result = match call {
                Call::Mutate(m) => match self.timestamp {
                    None => {
                        conn.call(&MutateRows {
                            table_name: &table_name,
                            batches: m,
                        })
                        .await
                    }
                    Some(timestamp) => {
                        conn.call(&MutateRowsTs {
                            table_name: &table_name,
                            batches: m,
                            timestamp,
                        })
                        .await
                    }
                },
                Call::Increment(incs) => {
                    let increments = incs
                        .iter()
                        .map(|(row, column, amount)| TIncrement {
                            table: Some(table_name.clone()),
                            row: Some(row.clone()),
                            column: Some(column.clone()),
                            ammount: Some(*amount),
                        })
                        .collect();
                    conn.call(&HbaseIncrementRowsArgs { increments }).await
                }
            };
            // On failure, this call and the later ones stay buffered (and
            // indexed: the row index counts calls from the first one sent).
            result?;
            self.plan.pop_front();
        }
        self.plan.clear();
        Ok(())
    }

    /// Runs `f` on this batch as a transaction: nothing is sent while `f`
    /// runs (`batch_size` is ignored); when `f` succeeds, everything it
    /// buffered is sent; when it fails, everything is discarded and its error
    /// returned.
    ///
    /// The closure returns a boxed future (`Box::pin(async move { .. })`), so
    /// that it may borrow the batch.
    ///
    /// # Errors
    /// The error of `f`, or of [`Batch::send`] converted into `E`.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let moved = table
    ///     .batch()
    ///     .transaction(|b| Box::pin(async move {
    ///         b.delete_columns("from", ["cf:item"]).await?;
    ///         b.put("to", [("cf:item", "book")]).await?;
    ///         Ok::<_, hbase_orm::Error>(2)
    ///     }))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn transaction<F, T, E>(mut self, f: F) -> std::result::Result<T, E>
    where
        F: for<'b> FnOnce(&'b mut Batch) -> BoxFuture<'b, std::result::Result<T, E>>,
        E: From<Error>,
    {
        self.in_transaction = true;
        let outcome = f(&mut self).await;
        self.in_transaction = false;
        match outcome {
            Ok(value) => {
                self.send().await?;
                Ok(value)
            }
            Err(e) => {
                self.plan.clear();
                Err(e)
            }
        }
    }
}

impl Table {
    /// A batch of puts, deletes and counter increments, sent in few calls;
    /// see [`Batch`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let mut batch = table.batch().batch_size(1000);
    /// for i in 0..10_000 {
    ///     batch.put(format!("row{i}"), [("cf:n", i.to_string())]).await?;
    /// }
    /// batch.send().await?;
    /// # Ok(()) }
    /// ```
    pub fn batch(&self) -> Batch {
        Batch::new(self.clone())
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        if !self.plan.calls.is_empty() {
            tracing::warn!(
                table = self.table.full_name(),
                "a batch was dropped with {} unsent mutations: they are discarded \
                 (call `send().await` before dropping a batch)",
                self.plan.count
            );
        }
    }
}

/// A hasher for the row index: FxHash (one multiply per word), much cheaper
/// than SipHash on short row keys. The keys come from the caller, not from a
/// network peer, so flooding resistance is not needed.
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    /// The low bits of a product depend only on the low bits of its
    /// factors, and the hash table picks its bucket from the low bits: the
    /// well-mixed high bits are rotated down (as rustc-hash 2 does). Without
    /// it, row keys that differ only in their last bytes (`row-00000001`,
    /// `row-00000002`) all start probing at one bucket.
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
type FxSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// Puts of one row in one call beyond which their columns are looked up in
/// a set rather than by a walk over the row's cells.
const LINEAR_PUTS: u32 = 32;

/// Where a row was last touched.
#[derive(Debug, Clone, Copy)]
struct RowAt {
    /// The call, counted from the first call of the plan (sent ones too).
    call: usize,
    /// The row's index in that call (in its rows, or in its increments).
    row: u32,
}

/// Where an operation on a row may go.
#[derive(Debug, Clone, Copy)]
struct Touch {
    /// The row key's [`row_hash`], for [`Plan::touch`].
    hash: u64,
    /// The first call (a position in [`Plan::calls`]) it may join: the
    /// last one touching the row.
    floor: usize,
    /// The row's index in call `floor`, when that is a mutate call holding
    /// the row.
    row: Option<u32>,
}

/// The hash of a row key in [`Plan::rows`].
fn row_hash(key: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write_usize(key.len());
    h.write(key);
    h.finish()
}

/// The calls a batch will make, in order.
#[derive(Debug, Default)]
struct Plan {
    calls: VecDeque<Call>,
    /// Calls sent and removed from the front: `calls[0]` is call `sent`.
    sent: usize,
    /// For each hash of row keys, the last call touching a row of that
    /// hash (so no row key is copied here): that row's key is found in the
    /// call. Another row of the same hash was touched no later (the calls
    /// recorded only grow), so it goes after that call. Entries pointing at
    /// a sent call are stale and mean "in no call".
    rows: FxMap<u64, RowAt>,
    /// Mutations and increments buffered.
    count: usize,
    /// A sent mutate call, emptied, whose buffers the next call reuses.
    spare: Option<MutateCall>,
    /// Where the cells of a put that cannot be encoded into its call at
    /// once are put first (see [`Plan::put_row`]); empty between puts.
    staging: MutateCall,
    /// The buffer [`RowPuts::put_with`] has values encoded in.
    value: Vec<u8>,
}

#[derive(Debug)]
enum Call {
    Mutate(MutateCall),
    Increment(Vec<(Vec<u8>, Vec<u8>, i64)>),
}

/// A range of [`MutateCall::data`].
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: usize,
    len: usize,
}

/// One row of a mutate call.
#[derive(Debug)]
struct RowEntry {
    key: Span,
    /// First and last cell of the row (a list linked by [`Cell::next`]).
    first: u32,
    last: u32,
    /// Cells of the row.
    cells: u32,
    /// Puts of the row.
    puts: u32,
    /// The row has a delete in this call: a later put would be applied first.
    deleted: bool,
    /// The row's cells as `mutateRows` writes them on the binary protocol,
    /// while they lie end to end in [`MutateCall::data`] (cells pushed in
    /// one go, as every row of a bulk load is); `None` once the bytes of
    /// another row came between two of them.
    encoded: Option<Span>,
}

/// The lengths of a mutate call's buffers at one moment.
#[derive(Debug, Clone, Copy)]
struct Mark {
    data: usize,
    rows: usize,
    cells: usize,
}

/// One mutation of a mutate call.
#[derive(Debug)]
struct Cell {
    column: Span,
    /// `None` for a delete.
    value: Option<Span>,
    wal: bool,
    /// The row's next cell, `u32::MAX` for none.
    next: u32,
}

const NO_CELL: u32 = u32::MAX;

/// The largest buffer of a sent call kept for the next call.
const SPARE_BYTES: usize = 8 << 20;

/// Bytes of a cell's binary encoding before its column: the `isDelete`
/// field, the `column` field's header and length.
const CELL_HEAD: usize = 4 + 3 + 4;
/// Bytes of a cell's binary encoding after its value (or its column, for a
/// delete): the `writeToWAL` field and the stop.
const CELL_TAIL: usize = 4 + 1;

/// The longest string the binary protocol holds (its length is an `i32`).
const MAX_LEN: usize = i32::MAX as usize;

/// The header of string field `id` of `n` bytes, `n` at most [`MAX_LEN`].
fn string_head(id: i16, n: usize) -> [u8; 7] {
    let [i, d] = id.to_be_bytes();
    let [a, b, c, e] = (n as u32).to_be_bytes();
    [binary::STRING, i, d, a, b, c, e]
}

/// One `mutateRows` call: the mutations of each row, in row order of first
/// appearance, with their bytes in one buffer.
#[derive(Debug, Default)]
struct MutateCall {
    /// Row keys, and each cell as the binary protocol writes its `Mutation`
    /// struct (so the binary writer copies a row's cells at once): its
    /// column and value are spans of these bytes.
    data: Vec<u8>,
    rows: Vec<RowEntry>,
    cells: Vec<Cell>,
    /// Columns put per row, kept only for rows with many puts.
    wide: FxMap<u32, FxSet<Box<[u8]>>>,
    /// The first cell whose column or value is too long for the binary
    /// protocol (its length is written as 0), and that length: the binary
    /// writer fails on it.
    too_long: Option<(usize, usize)>,
}

impl MutateCall {
    fn span(&mut self, bytes: &[u8]) -> Span {
        let start = self.data.len();
        self.data.extend_from_slice(bytes);
        Span {
            start,
            len: bytes.len(),
        }
    }

    fn bytes(&self, span: Span) -> &[u8] {
        &self.data[span.start..span.start + span.len]
    }

    /// Adds a row (not yet in this call) and returns its index.
    fn add_row(&mut self, key: &[u8]) -> u32 {
        let key = self.span(key);
        self.rows.push(RowEntry {
            key,
            first: NO_CELL,
            last: NO_CELL,
            cells: 0,
            puts: 0,
            deleted: false,
            encoded: Some(Span {
                start: self.data.len(),
                len: 0,
            }),
        });
        (self.rows.len() - 1) as u32
    }

    /// Whether this call is full: another row or cell index would not fit.
    fn is_full(&self) -> bool {
        self.rows.len() >= (NO_CELL - 1) as usize || self.cells.len() >= (NO_CELL - 1) as usize
    }

    /// Iterates over the cells of row `row`, in order.
    fn row_cells(&self, row: u32) -> impl Iterator<Item = &Cell> {
        let mut next = self.rows[row as usize].first;
        std::iter::from_fn(move || {
            let cell = self.cells.get(next as usize)?;
            next = cell.next;
            Some(cell)
        })
    }

    /// Whether `column` is already put in row `row`.
    fn has_put(&self, row: u32, column: &[u8]) -> bool {
        if let Some(set) = self.wide.get(&row) {
            return set.contains(column);
        }
        self.row_cells(row)
            .any(|c| c.value.is_some() && self.bytes(c.column) == column)
    }

    /// A string field of a cell's encoding: header, length, then the
    /// bytes (a length the protocol cannot hold is written as 0 and kept in
    /// `too_long`).
    fn string_field(&mut self, id: i16, bytes: &[u8]) -> Span {
        let head = binary::string_field_head(id, bytes.len()).unwrap_or_else(|_| {
            self.too_long.get_or_insert((self.cells.len(), bytes.len()));
            binary::string_field_head(id, 0).unwrap_or_default()
        });
        self.data.extend_from_slice(&head);
        self.span(bytes)
    }

    /// The binary encoding of `cell`.
    fn encoded(&self, cell: &Cell) -> &[u8] {
        let end = cell.value.unwrap_or(cell.column);
        &self.data[cell.column.start - CELL_HEAD..end.start + end.len + CELL_TAIL]
    }

    /// Appends a cell to row `row`, encoded as `mutateRows` writes it on
    /// the binary protocol.
    fn push_cell(&mut self, row: u32, column: &[u8], value: Option<&[u8]>, wal: bool) {
        let start = self.data.len();
        let value_len = value.map_or(0, <[u8]>::len);
        let (column_span, value) = if column.len() <= MAX_LEN && value_len <= MAX_LEN {
            // The common cell: its bytes reserved at once, each field's
            // header written in one go.
            self.data
                .reserve(CELL_HEAD + column.len() + value.map_or(0, |v| 7 + v.len()) + CELL_TAIL);
            let [b, i, d, x] = binary::bool_field_bytes(1, value.is_none());
            let [s, j, e, l0, l1, l2, l3] = string_head(2, column.len());
            self.data
                .extend_from_slice(&[b, i, d, x, s, j, e, l0, l1, l2, l3]);
            let column_span = self.span(column);
            let value = value.map(|v| {
                self.data.extend_from_slice(&string_head(3, v.len()));
                self.span(v)
            });
            (column_span, value)
        } else {
            self.data
                .extend_from_slice(&binary::bool_field_bytes(1, value.is_none()));
            let column_span = self.string_field(2, column);
            let value = value.map(|v| self.string_field(3, v));
            (column_span, value)
        };
        let [b, i, d, w] = binary::bool_field_bytes(4, wal);
        // The field, then the struct's stop.
        self.data.extend_from_slice(&[b, i, d, w, 0]);
        let index = self.cells.len() as u32;
        self.cells.push(Cell {
            column: column_span,
            value,
            wal,
            next: NO_CELL,
        });
        let end = self.data.len();
        let entry = &mut self.rows[row as usize];
        entry.encoded = entry
            .encoded
            .filter(|e| e.start + e.len == start)
            .map(|e| Span {
                start: e.start,
                len: end - e.start,
            });
        if entry.last == NO_CELL {
            entry.first = index;
        } else {
            let last = entry.last as usize;
            self.cells[last].next = index;
        }
        let entry = &mut self.rows[row as usize];
        entry.last = index;
        entry.cells += 1;
        if value.is_none() {
            entry.deleted = true;
            return;
        }
        entry.puts += 1;
        if entry.puts > LINEAR_PUTS {
            if let Some(set) = self.wide.get_mut(&row) {
                set.insert(column.into());
            } else {
                let set: FxSet<Box<[u8]>> = self
                    .row_cells(row)
                    .filter(|c| c.value.is_some())
                    .map(|c| self.bytes(c.column).into())
                    .collect();
                self.wide.insert(row, set);
            }
        }
    }

    fn len(&self) -> usize {
        self.cells.len()
    }

    /// Empties the call, keeping its buffers.
    fn clear(&mut self) {
        self.data.clear();
        self.rows.clear();
        self.cells.clear();
        self.wide.clear();
        self.too_long = None;
    }

    /// Where the call ends now, for [`MutateCall::truncate`].
    fn mark(&self) -> Mark {
        Mark {
            data: self.data.len(),
            rows: self.rows.len(),
            cells: self.cells.len(),
        }
    }

    /// Removes the rows added since `mark` (rows new to the call, so no
    /// earlier cell links to their cells).
    fn truncate(&mut self, mark: Mark) {
        for row in mark.rows..self.rows.len() {
            self.wide.remove(&(row as u32));
        }
        self.data.truncate(mark.data);
        self.rows.truncate(mark.rows);
        self.cells.truncate(mark.cells);
        self.too_long = self.too_long.filter(|&(cell, _)| cell < mark.cells);
    }

    /// Whether two cells from `first` on name the same column.
    fn repeats_a_column(&self, first: usize) -> bool {
        let cells = &self.cells[first..];
        repeats(cells.len(), |i| self.bytes(cells[i].column))
    }
}

/// The puts of one row being buffered ([`Batch::put_row`]): each cell is
/// encoded into the call as it is put.
#[derive(Debug)]
pub(crate) struct RowPuts<'a> {
    call: &'a mut MutateCall,
    row: u32,
    wal: bool,
    /// Where [`RowPuts::put_with`] has a value encoded.
    value: &'a mut Vec<u8>,
    /// The first column that may not be written: nothing of the row is
    /// buffered then.
    failed: Option<Error>,
}

impl<'a> RowPuts<'a> {
    /// Has `fill` put its cells in row `row` of `call` (values encoded by
    /// [`RowPuts::put_with`] in `value`); the error of `fill`, else that of
    /// the first column that may not be written.
    fn run(
        call: &'a mut MutateCall,
        row: u32,
        wal: bool,
        value: &'a mut Vec<u8>,
        fill: impl FnOnce(&mut RowPuts<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut puts = RowPuts {
            call,
            row,
            wal,
            value,
            failed: None,
        };
        fill(&mut puts)?;
        puts.failed.map_or(Ok(()), Err)
    }

    /// Whether `column` may be written in this row; the first one that may
    /// not fails the row.
    fn admits(&mut self, column: &[u8]) -> bool {
        if self.failed.is_some() {
            return false;
        }
        match check_column(column, ColumnUse::Write) {
            Ok(()) => true,
            Err(e) => {
                self.failed = Some(e);
                false
            }
        }
    }

    /// Puts `value` at `column` (`family:qualifier`).
    #[inline]
    pub(crate) fn put(&mut self, column: &[u8], value: &[u8]) {
        if self.admits(column) {
            self.call.push_cell(self.row, column, Some(value), self.wal);
        }
    }

    /// Puts at `column` the bytes `encode` appends to the buffer it is
    /// given; nothing when it fails.
    ///
    /// # Errors
    /// What `encode` fails with.
    #[inline]
    pub(crate) fn put_with<E>(
        &mut self,
        column: &[u8],
        encode: impl FnOnce(&mut Vec<u8>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        if !self.admits(column) {
            return Ok(());
        }
        // The value is encoded apart (in a buffer of the plan's, reused), so
        // that an encoder reaches no byte of the call.
        self.value.clear();
        encode(self.value)?;
        self.call
            .push_cell(self.row, column, Some(self.value), self.wal);
        Ok(())
    }
}

impl RowBatches for MutateCall {
    /// Writes the `mutateRows` (or, with a timestamp, `mutateRowsTs`)
    /// arguments as the generated `HbaseMutateRows(Ts)Args` would, without
    /// building its structs.
    fn write_args(
        &self,
        table_name: &[u8],
        timestamp: Option<i64>,
        o: &mut dyn TOutputProtocol,
    ) -> thrift::Result<()> {
        o.write_struct_begin(&unnamed_struct())?;
        o.write_field_begin(&field(TType::String, 1))?;
        o.write_bytes(table_name)?;
        o.write_field_end()?;
        o.write_field_begin(&field(TType::List, 2))?;
        o.write_list_begin(&TListIdentifier::new(TType::Struct, self.rows.len() as i32))?;
        for (i, row) in self.rows.iter().enumerate() {
            o.write_struct_begin(&unnamed_struct())?;
            o.write_field_begin(&field(TType::String, 1))?;
            o.write_bytes(self.bytes(row.key))?;
            o.write_field_end()?;
            o.write_field_begin(&field(TType::List, 2))?;
            o.write_list_begin(&TListIdentifier::new(TType::Struct, row.cells as i32))?;
            for cell in self.row_cells(i as u32) {
                o.write_struct_begin(&unnamed_struct())?;
                o.write_field_begin(&field(TType::Bool, 1))?;
                o.write_bool(cell.value.is_none())?;
                o.write_field_end()?;
                o.write_field_begin(&field(TType::String, 2))?;
                o.write_bytes(self.bytes(cell.column))?;
                o.write_field_end()?;
                if let Some(value) = cell.value {
                    o.write_field_begin(&field(TType::String, 3))?;
                    o.write_bytes(self.bytes(value))?;
                    o.write_field_end()?;
                }
                o.write_field_begin(&field(TType::Bool, 4))?;
                o.write_bool(cell.wal)?;
                o.write_field_end()?;
                o.write_field_stop()?;
                o.write_struct_end()?;
            }
            o.write_list_end()?;
            o.write_field_end()?;
            o.write_field_stop()?;
            o.write_struct_end()?;
        }
        o.write_list_end()?;
        o.write_field_end()?;
        let attributes_id = match timestamp {
            None => 3,
            Some(timestamp) => {
                o.write_field_begin(&field(TType::I64, 3))?;
                o.write_i64(timestamp)?;
                o.write_field_end()?;
                4
            }
        };
        o.write_field_begin(&field(TType::Map, attributes_id))?;
        o.write_map_begin(&TMapIdentifier::new(TType::String, TType::String, 0))?;
        o.write_map_end()?;
        o.write_field_end()?;
        o.write_field_stop()?;
        o.write_struct_end()
    }

    fn write_args_binary(
        &self,
        table_name: &[u8],
        timestamp: Option<i64>,
        out: &mut Vec<u8>,
    ) -> thrift::Result<()> {
        // The cells are encoded in `data` already; per row a key, two field
        // headers, a list header and a stop.
        out.reserve(self.data.len() + 16 * self.rows.len() + 64);
        if let Some((_, n)) = self.too_long {
            binary::length(out, n)?;
        }
        binary::field(out, binary::STRING, 1);
        binary::bytes(out, table_name)?;
        binary::field(out, binary::LIST, 2);
        binary::list(out, binary::STRUCT, self.rows.len())?;
        for (i, row) in self.rows.iter().enumerate() {
            binary::field(out, binary::STRING, 1);
            binary::bytes(out, self.bytes(row.key))?;
            binary::field(out, binary::LIST, 2);
            binary::list(out, binary::STRUCT, row.cells as usize)?;
            match row.encoded {
                Some(cells) => out.extend_from_slice(self.bytes(cells)),
                None => {
                    for cell in self.row_cells(i as u32) {
                        out.extend_from_slice(self.encoded(cell));
                    }
                }
            }
            binary::stop(out);
        }
        let attributes_id = match timestamp {
            None => 3,
            Some(timestamp) => {
                binary::field(out, binary::I64, 3);
                binary::i64(out, timestamp);
                4
            }
        };
        binary::field(out, binary::MAP, attributes_id);
        binary::empty_string_map(out);
        binary::stop(out);
        Ok(())
    }
}

/// A field header without its name, which neither protocol sends (the
/// generated code's `TFieldIdentifier::new` allocates one per field).
fn field(field_type: TType, id: i16) -> TFieldIdentifier {
    TFieldIdentifier {
        name: None,
        field_type,
        id: Some(id),
    }
}

/// A struct header without its name, which neither protocol sends.
fn unnamed_struct() -> TStructIdentifier {
    TStructIdentifier {
        name: String::new(),
    }
}

/// Whether two of `puts` name the same column.
fn has_repeated_column<C: AsRef<[u8]>, V>(puts: &[(C, V)]) -> bool {
    repeats(puts.len(), |i| puts[i].0.as_ref())
}

/// Columns of one put beyond which their repeats are found with a set
/// rather than by comparing every pair of fingerprints.
const PAIRWISE_COLUMNS: usize = 16;

/// Whether two of the `n` columns `column(0..n)` are equal.
///
/// Up to [`PAIRWISE_COLUMNS`], every pair's [`fingerprint`]s are compared
/// (a few integer compares; the bytes only when two fingerprints of columns
/// longer than 16 bytes are equal); beyond, the columns go into a set.
fn repeats<'a>(n: usize, column: impl Fn(usize) -> &'a [u8]) -> bool {
    if n > PAIRWISE_COLUMNS {
        let mut seen = FxSet::default();
        return !(0..n).all(|i| seen.insert(column(i)));
    }
    let mut seen = [Fingerprint::default(); PAIRWISE_COLUMNS];
    for i in 0..n {
        let c = column(i);
        let f = fingerprint(c);
        let exact = c.len() <= 16;
        if (0..i).any(|j| seen[j] == f && (exact || column(j) == c)) {
            return true;
        }
        seen[i] = f;
    }
    false
}

/// A column's length and up to 16 of its bytes: see [`fingerprint`].
type Fingerprint = (usize, u64, u64);

/// The fingerprint of `column`: its length, its first and its last 8 bytes
/// (4, or the first, middle and last byte, for a shorter one). Equal
/// columns have equal fingerprints; so do different columns only when
/// longer than 16 bytes (the bytes read cover all of a shorter one).
fn fingerprint(column: &[u8]) -> Fingerprint {
    let n = column.len();
    let (head, tail) = if let (Some(h), Some(t)) = (column.first_chunk(), column.last_chunk()) {
        (u64::from_le_bytes(*h), u64::from_le_bytes(*t))
    } else if let (Some(h), Some(t)) = (column.first_chunk(), column.last_chunk()) {
        (
            u64::from(u32::from_le_bytes(*h)),
            u64::from(u32::from_le_bytes(*t)),
        )
    } else {
        let byte = |b: Option<&u8>| b.copied().map_or(0, u64::from);
        let three = byte(column.first()) | byte(column.get(n / 2)) << 8 | byte(column.last()) << 16;
        (three, 0)
    };
    (n, head, tail)
}

impl Plan {
    /// The row key recorded at `at` (a call not yet sent).
    fn key_at(&self, at: RowAt) -> Option<&[u8]> {
        match self.calls.get(at.call.checked_sub(self.sent)?)? {
            Call::Mutate(m) => m.rows.get(at.row as usize).map(|r| m.bytes(r.key)),
            Call::Increment(incs) => incs.get(at.row as usize).map(|(k, _, _)| &k[..]),
        }
    }

    /// Where an operation on `key` may go.
    fn touch_of(&self, key: &[u8]) -> Touch {
        let hash = row_hash(key);
        let at = match self.rows.get(&hash) {
            Some(&at) if at.call >= self.sent => at,
            _ => {
                return Touch {
                    hash,
                    floor: 0,
                    row: None,
                }
            }
        };
        let floor = at.call - self.sent;
        if self.key_at(at) != Some(key) {
            // Another row of the same hash: `key` is in no later call.
            return Touch {
                hash,
                floor: floor + 1,
                row: None,
            };
        }
        let row = match self.calls.get(floor) {
            Some(Call::Mutate(_)) => Some(at.row),
            _ => None,
        };
        Touch { hash, floor, row }
    }

    /// The position of the latest call of the kind `is_kind` from `floor`
    /// on.
    fn joinable(&self, floor: usize, is_kind: fn(&Call) -> bool) -> Option<usize> {
        (floor..self.calls.len())
            .rev()
            .find(|&i| is_kind(&self.calls[i]))
    }

    /// Records that the row of `touch` (from [`Plan::touch_of`]) was last
    /// touched at `at`.
    fn touch(&mut self, touch: Touch, at: RowAt) {
        self.rows.insert(touch.hash, at);
    }

    /// The mutate call an operation on `key` goes to, and the row's index
    /// in it; `conflicts` says whether the operation may not join a call
    /// that already holds the row (at the given index).
    fn mutate_row(
        &mut self,
        key: &[u8],
        conflicts: impl Fn(&MutateCall, u32) -> bool,
    ) -> (usize, u32) {
        let t = self.touch_of(key);
        let found = self
            .joinable(t.floor, |c| matches!(c, Call::Mutate(_)))
            .and_then(|i| match &self.calls[i] {
                Call::Mutate(m) => {
                    let here = t.row.filter(|_| t.floor == i);
                    match here {
                        Some(row) if conflicts(m, row) => None,
                        Some(row) => Some((i, Some(row))),
                        None if m.is_full() => None,
                        None => Some((i, None)),
                    }
                }
                Call::Increment(_) => None,
            });
        let (i, row) = match found {
            Some((i, Some(row))) => (i, row),
            Some((i, None)) => match &mut self.calls[i] {
                Call::Mutate(m) => (i, m.add_row(key)),
                Call::Increment(_) => self.new_mutate_call(key),
            },
            None => self.new_mutate_call(key),
        };
        self.touch(
            t,
            RowAt {
                call: self.sent + i,
                row,
            },
        );
        (i, row)
    }

    /// Opens a mutate call at the end with row `key` in it.
    fn new_mutate_call(&mut self, key: &[u8]) -> (usize, u32) {
        let mut call = self.spare.take().unwrap_or_default();
        let row = call.add_row(key);
        self.calls.push_back(Call::Mutate(call));
        (self.calls.len() - 1, row)
    }

    /// Buffers a put of `data`, checking its columns: on an error nothing
    /// is buffered.
    fn put_iter<I, C, V>(&mut self, key: &[u8], data: I, wal: bool) -> Result<()>
    where
        I: IntoIterator<Item = (C, V)>,
        C: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        self.put_row(key, wal, false, |puts| {
            for (c, v) in data {
                puts.put(c.as_ref(), v.as_ref());
            }
            Ok(())
        })
    }

    /// Buffers the puts `fill` gives to its [`RowPuts`]: on an error
    /// (of `fill`, or a column without qualifier) nothing is buffered.
    ///
    /// A row in no pending call cannot conflict with anything (every row of
    /// a bulk load): its cells are encoded straight into the latest mutate
    /// call as they come. Otherwise they are staged first, to choose the
    /// call; so are those of a put repeating a column (not looked for
    /// when `distinct`: the caller knows `fill` repeats none).
    fn put_row(
        &mut self,
        key: &[u8],
        wal: bool,
        distinct: bool,
        fill: impl FnOnce(&mut RowPuts<'_>) -> Result<()>,
    ) -> Result<()> {
        let t = self.touch_of(key);
        let joined = self
            .joinable(t.floor, |c| matches!(c, Call::Mutate(_)))
            .filter(|&i| matches!(&self.calls[i], Call::Mutate(m) if !m.is_full()));
        if t.row.is_some() && joined == Some(t.floor) {
            return self.put_staged(key, wal, fill);
        }
        let (i, opened) = match joined {
            Some(i) => (i, false),
            None => {
                self.calls
                    .push_back(Call::Mutate(self.spare.take().unwrap_or_default()));
                (self.calls.len() - 1, true)
            }
        };
        let Call::Mutate(m) = &mut self.calls[i] else {
            return Ok(());
        };
        let mark = m.mark();
        let row = m.add_row(key);
        let filled = RowPuts::run(m, row, wal, &mut self.value, fill);
        let added = m.len() - mark.cells;
        let repeated = filled.is_ok() && !distinct && m.repeats_a_column(mark.cells);
        if filled.is_err() || added == 0 || repeated {
            // A repeated column takes the general path, from the staging
            // call.
            if repeated {
                self.staging.clear();
                let staged = self.staging.add_row(key);
                for c in &m.cells[mark.cells..] {
                    let value = c.value.map(|v| m.bytes(v));
                    self.staging
                        .push_cell(staged, m.bytes(c.column), value, c.wal);
                }
            }
            m.truncate(mark);
            if opened {
                if let Some(Call::Mutate(m)) = self.calls.pop_back() {
                    self.spare = Some(m);
                }
            }
            filled?;
            if repeated {
                self.put_from_staging(key, wal);
            }
            return Ok(());
        }
        self.count += added;
        self.touch(
            t,
            RowAt {
                call: self.sent + i,
                row,
            },
        );
        Ok(())
    }

    /// Buffers the puts of `fill` by the general path ([`Plan::put`]),
    /// from the staging call they are put in first.
    fn put_staged(
        &mut self,
        key: &[u8],
        wal: bool,
        fill: impl FnOnce(&mut RowPuts<'_>) -> Result<()>,
    ) -> Result<()> {
        self.staging.clear();
        let row = self.staging.add_row(key);
        let filled = RowPuts::run(&mut self.staging, row, wal, &mut self.value, fill);
        if filled.is_ok() {
            self.put_from_staging(key, wal);
        }
        self.staging.clear();
        filled
    }

    /// Buffers the puts of the staging call's one row by [`Plan::put`],
    /// and empties it.
    fn put_from_staging(&mut self, key: &[u8], wal: bool) {
        let staging = std::mem::take(&mut self.staging);
        let puts: Vec<(&[u8], &[u8])> = staging
            .cells
            .iter()
            .map(|c| {
                (
                    staging.bytes(c.column),
                    c.value.map_or(&[][..], |v| staging.bytes(v)),
                )
            })
            .collect();
        self.put(key, &puts, wal);
        self.staging = staging;
        self.staging.clear();
    }

    fn put<C: AsRef<[u8]>, V: AsRef<[u8]>>(&mut self, key: &[u8], puts: &[(C, V)], wal: bool) {
        if puts.is_empty() {
            return;
        }
        if has_repeated_column(puts) {
            // A put repeating a column of the same put: the last value wins,
            // in its own call.
            let mut first: Vec<(&[u8], &[u8])> = Vec::new();
            let mut rest: Vec<(&[u8], &[u8])> = Vec::new();
            for (c, v) in puts {
                let (c, v) = (c.as_ref(), v.as_ref());
                if first.iter().any(|(d, _)| *d == c) {
                    rest.push((c, v));
                } else {
                    first.push((c, v));
                }
            }
            self.put_distinct(key, &first, wal);
            self.put(key, &rest, wal);
        } else {
            self.put_distinct(key, puts, wal);
        }
    }

    /// Buffers a put whose columns are distinct.
    fn put_distinct<C: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        key: &[u8],
        puts: &[(C, V)],
        wal: bool,
    ) {
        let (i, row) = self.mutate_row(key, |m, row| {
            m.rows[row as usize].deleted || puts.iter().any(|(c, _)| m.has_put(row, c.as_ref()))
        });
        self.count += puts.len();
        if let Call::Mutate(m) = &mut self.calls[i] {
            for (c, v) in puts {
                m.push_cell(row, c.as_ref(), Some(v.as_ref()), wal);
            }
        }
    }

    fn delete<C: AsRef<[u8]>>(&mut self, key: &[u8], columns: &[C], wal: bool) {
        if columns.is_empty() {
            return;
        }
        let (i, row) = self.mutate_row(key, |_, _| false);
        self.count += columns.len();
        if let Call::Mutate(m) = &mut self.calls[i] {
            for c in columns {
                m.push_cell(row, c.as_ref(), None, wal);
            }
        }
    }

    fn increment(&mut self, key: &[u8], column: Vec<u8>, amount: i64) {
        let t = self.touch_of(key);
        let i = match self.joinable(t.floor, |c| matches!(c, Call::Increment(_))) {
            Some(i) => i,
            None => {
                self.calls.push_back(Call::Increment(Vec::new()));
                self.calls.len() - 1
            }
        };
        if let Call::Increment(incs) = &mut self.calls[i] {
            let row = incs.len() as u32;
            incs.push((key.to_vec(), column, amount));
            self.count += 1;
            self.touch(
                t,
                RowAt {
                    call: self.sent + i,
                    row,
                },
            );
        }
    }

    fn pop_front(&mut self) {
        if let Some(call) = self.calls.pop_front() {
            self.sent += 1;
            match call {
                Call::Mutate(mut m) => {
                    self.count -= m.len();
                    // Buffers of a call of ordinary size are kept for the
                    // next one; a huge one's memory is given back.
                    if m.data.capacity() <= SPARE_BYTES {
                        m.clear();
                        self.spare = Some(m);
                    }
                }
                Call::Increment(incs) => self.count -= incs.len(),
            }
        }
    }

    fn clear(&mut self) {
        self.calls.clear();
        self.rows.clear();
        self.sent = 0;
        self.count = 0;
    }
}

/// The `(column, value)` cells of one put.
pub(crate) type PutCells<'a> = &'a [(&'a [u8], &'a [u8])];

/// Plans the puts of `rows` (each a key and its cells) as a [`Batch`] does,
/// then encodes every `mutateRows` call of the plan (binary protocol,
/// buffered transport) into `out`, cleared first: the batch's work between
/// the caller's `put`s and the socket. Returns the number of calls. For the
/// micro-benchmarks (`hbase_orm::__bench`).
pub(crate) fn plan_and_encode_puts(
    rows: &[(&[u8], PutCells<'_>)],
    out: &mut Vec<u8>,
) -> Result<usize> {
    use crate::protocol::Method;
    let mut plan = Plan::default();
    for (key, cells) in rows {
        plan.put_iter(key, cells.iter().copied(), true)?;
    }
    out.clear();
    let mut calls = 0;
    for call in &plan.calls {
        if let Call::Mutate(m) = call {
            let args = MutateRows {
                table_name: b"t",
                batches: m,
            };
            // As the connection writes it on the binary protocol.
            binary::call(
                hbase_orm_idl::wire::Transport::Buffered,
                "mutateRows",
                1,
                out,
                |out| args.write_binary(out),
            )
            .map_err(|e| Error::InvalidInput(format!("cannot encode `mutateRows`: {e}")))?;
            calls += 1;
        }
    }
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use hbase_orm_idl::hbase::{
        BatchMutation, HbaseMutateRowsArgs, HbaseMutateRowsTsArgs, Mutation,
    };
    use hbase_orm_idl::wire::{self, Protocol, Transport};

    use super::*;
    use crate::protocol::Method;

    /// The generated structs the old path sent for `m`.
    fn generated(m: &MutateCall) -> Vec<BatchMutation> {
        (0..m.rows.len())
            .map(|i| BatchMutation {
                row: Some(m.bytes(m.rows[i].key).to_vec()),
                mutations: Some(
                    m.row_cells(i as u32)
                        .map(|c| Mutation {
                            is_delete: Some(c.value.is_none()),
                            column: Some(m.bytes(c.column).to_vec()),
                            value: c.value.map(|v| m.bytes(v).to_vec()),
                            write_to_w_a_l: Some(c.wal),
                        })
                        .collect(),
                ),
            })
            .collect()
    }

    fn shape(plan: &Plan) -> Vec<String> {
        plan.calls
            .iter()
            .map(|c| match c {
                Call::Mutate(m) => generated(m)
                    .iter()
                    .map(|bm| {
                        let r = bm.row.as_deref().unwrap_or_default();
                        let ops: Vec<String> = bm
                            .mutations
                            .iter()
                            .flatten()
                            .map(|m| {
                                let col = String::from_utf8_lossy(
                                    m.column.as_deref().unwrap_or_default(),
                                )
                                .into_owned();
                                if m.is_delete == Some(true) {
                                    format!("-{col}")
                                } else {
                                    format!("+{col}")
                                }
                            })
                            .collect();
                        format!("{}[{}]", String::from_utf8_lossy(r), ops.join(","))
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                Call::Increment(incs) => incs
                    .iter()
                    .map(|(r, c, n)| {
                        format!(
                            "{}:{}{n:+}",
                            String::from_utf8_lossy(r),
                            String::from_utf8_lossy(c)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect()
    }

    fn put(plan: &mut Plan, row: &str, col: &str) {
        plan.put(row.as_bytes(), &[(col, "v")], true);
    }

    #[test]
    fn independent_rows_share_one_call() {
        let mut p = Plan::default();
        put(&mut p, "a", "cf:x");
        p.delete(b"b", &["cf"], true);
        put(&mut p, "c", "cf:x");
        put(&mut p, "a", "cf:y");
        assert_eq!(shape(&p), ["a[+cf:x,+cf:y] b[-cf] c[+cf:x]"]);
        assert_eq!(p.count, 4);
    }

    #[test]
    fn put_after_delete_of_a_row_goes_to_a_later_call() {
        let mut p = Plan::default();
        p.delete(b"a", &["cf"], true);
        put(&mut p, "a", "cf:x");
        put(&mut p, "b", "cf:x");
        assert_eq!(shape(&p), ["a[-cf]", "a[+cf:x] b[+cf:x]"]);
    }

    #[test]
    fn delete_after_put_stays_in_the_call() {
        let mut p = Plan::default();
        put(&mut p, "a", "cf:x");
        p.delete(b"a", &["cf:x"], true);
        assert_eq!(shape(&p), ["a[+cf:x,-cf:x]"]);
    }

    #[test]
    fn repeated_put_of_a_column_is_split() {
        let mut p = Plan::default();
        put(&mut p, "a", "cf:x");
        put(&mut p, "a", "cf:x");
        assert_eq!(shape(&p), ["a[+cf:x]", "a[+cf:x]"]);
        let mut q = Plan::default();
        q.put(b"a", &[("cf:x", "1"), ("cf:y", "2"), ("cf:x", "3")], true);
        assert_eq!(shape(&q), ["a[+cf:x,+cf:y]", "a[+cf:x]"]);
    }

    #[test]
    fn many_puts_of_one_row_find_their_repeats() {
        let mut p = Plan::default();
        for i in 0..100 {
            put(&mut p, "a", &format!("cf:{i}"));
        }
        put(&mut p, "b", "cf:1");
        assert_eq!(p.calls.len(), 1);
        put(&mut p, "a", "cf:70");
        assert_eq!(p.calls.len(), 2);
        let wide: Vec<(String, String)> =
            (0..40).map(|i| (format!("cf:{i}"), "v".into())).collect();
        let mut q = Plan::default();
        q.put(b"a", &wide, true);
        q.put(b"a", &wide[39..], true);
        assert_eq!(q.calls.len(), 2);
        assert_eq!(q.count, 41);
    }

    #[test]
    fn streamed_puts_roll_back_on_a_bad_column_and_split_repeats() {
        let mut p = Plan::default();
        assert!(p
            .put_iter(b"a", [("cf:x", "1"), ("cf", "2")], true)
            .is_err());
        assert!(p.calls.is_empty());
        p.put_iter(b"a", [("cf:x", "1")], true).unwrap();
        assert!(p
            .put_iter(b"b", [("cf:x", "1"), ("nofamily", "2")], true)
            .is_err());
        p.put_iter(b"c", [("cf:x", "1"), ("cf:y", "2"), ("cf:x", "3")], true)
            .unwrap();
        p.put_iter(b"a", [("cf:y", "1")], true).unwrap();
        p.put_iter(b"d", Vec::<(&str, &str)>::new(), true).unwrap();
        // a's second put joins the latest call (a is not in it, and its
        // first put comes earlier).
        assert_eq!(shape(&p), ["a[+cf:x] c[+cf:x,+cf:y]", "c[+cf:x] a[+cf:y]"]);
        assert_eq!(p.count, 5);
        match &p.calls[1] {
            Call::Mutate(m) => assert_eq!(m.bytes(m.cells[0].value.unwrap_or_default()), b"3"),
            Call::Increment(_) => panic!("a mutate call expected"),
        }
        p.pop_front();
        p.pop_front();
        p.put_iter(b"e", [("cf:x", "1")], true).unwrap();
        assert_eq!(shape(&p), ["e[+cf:x]"]);
    }

    #[test]
    fn a_failing_fill_buffers_nothing_of_its_row() {
        let mut p = Plan::default();
        // Into a call of its own (opened for it, then given back).
        let failed = p.put_row(b"a", true, false, |r| {
            r.put(b"cf:x", b"1");
            r.put_with(b"cf:y", |out| {
                out.extend_from_slice(b"partial");
                Err(Error::InvalidInput("no encoding".into()))
            })
        });
        assert!(failed.is_err());
        assert!(p.calls.is_empty());
        p.put_iter(b"a", [("cf:x", "1")], true).unwrap();
        // Into a call holding another row: that row stays whole.
        let failed = p.put_row(b"b", true, false, |r| {
            r.put(b"cf:x", b"1");
            Err(Error::InvalidInput("later".into()))
        });
        assert!(failed.is_err());
        // A bad column anywhere in the row fails it.
        let failed = p.put_row(b"b", true, false, |r| {
            r.put_with(b"nofamily", |out| {
                out.push(b'1');
                Ok::<_, Error>(())
            })?;
            r.put(b"cf:y", b"2");
            Ok(())
        });
        assert!(failed.is_err());
        // The row already in the call takes the staged path: its failure
        // leaves the call as it was.
        let failed = p.put_row(b"a", true, false, |r| {
            r.put(b"cf:y", b"2");
            Err(Error::InvalidInput("staged".into()))
        });
        assert!(failed.is_err());
        assert_eq!(shape(&p), ["a[+cf:x]"]);
        assert_eq!(p.count, 1);
        // A value encoded by `put_with` is the value sent.
        p.put_row(b"a", true, false, |r| {
            r.put_with(b"cf:y", |out| {
                out.extend_from_slice(b"22");
                Ok::<_, Error>(())
            })
        })
        .unwrap();
        p.put_row(b"c", true, true, |r| {
            r.put(b"cf:x", b"3");
            Ok(())
        })
        .unwrap();
        assert_eq!(shape(&p), ["a[+cf:x,+cf:y] c[+cf:x]"]);
        match &p.calls[0] {
            Call::Mutate(m) => {
                let values: Vec<&[u8]> = m
                    .row_cells(0)
                    .map(|c| m.bytes(c.value.unwrap_or_default()))
                    .collect();
                assert_eq!(values, [&b"1"[..], b"22"]);
            }
            Call::Increment(_) => panic!("a mutate call expected"),
        }
        // Repeats are split off unless the caller vouches there are none.
        p.put_row(b"d", true, false, |r| {
            r.put(b"cf:x", b"1");
            r.put(b"cf:x", b"2");
            Ok(())
        })
        .unwrap();
        assert_eq!(shape(&p), ["a[+cf:x,+cf:y] c[+cf:x] d[+cf:x]", "d[+cf:x]"]);
    }

    #[test]
    fn a_row_sharing_a_hash_goes_after_the_other_row() {
        let mut p = Plan::default();
        put(&mut p, "a", "cf:x");
        put(&mut p, "c", "cf:x");
        p.delete(b"c", &["cf:y"], true);
        // As if "b" had the hash of "c": b's put goes after c's call, and
        // c is still found.
        let at = p.rows[&row_hash(b"c")];
        p.rows.insert(row_hash(b"b"), at);
        put(&mut p, "b", "cf:x");
        p.increment(b"b", b"cf:n".to_vec(), 1);
        p.rows.insert(row_hash(b"a"), p.rows[&row_hash(b"b")]);
        put(&mut p, "a", "cf:y");
        assert_eq!(
            shape(&p),
            [
                "a[+cf:x] c[+cf:x,-cf:y]",
                "b[+cf:x]",
                "b:cf:n+1",
                "a[+cf:y]"
            ]
        );
    }

    #[test]
    fn counters_keep_their_place_among_mutations_of_a_row() {
        let mut p = Plan::default();
        put(&mut p, "a", "cf:x");
        p.increment(b"b", b"cf:n".to_vec(), 1);
        p.increment(b"a", b"cf:n".to_vec(), 2);
        put(&mut p, "c", "cf:x");
        p.delete(b"a", &["cf:n"], true);
        // b's counter may share the increment call; c's put joins the first
        // mutate call; a's delete must come after a's counter.
        assert_eq!(
            shape(&p),
            ["a[+cf:x] c[+cf:x]", "b:cf:n+1 a:cf:n+2", "a[-cf:n]"]
        );
    }

    #[test]
    fn a_failed_send_keeps_the_rest_indexed() {
        let mut p = Plan::default();
        p.delete(b"a", &["cf"], true);
        put(&mut p, "a", "cf:x");
        p.pop_front();
        assert_eq!(p.count, 1);
        put(&mut p, "a", "cf:y");
        put(&mut p, "b", "cf:y");
        assert_eq!(shape(&p), ["a[+cf:x,+cf:y] b[+cf:y]"]);
        p.pop_front();
        put(&mut p, "a", "cf:y");
        assert_eq!(shape(&p), ["a[+cf:y]"]);
    }

    #[test]
    fn repeats_are_found_at_every_column_length() {
        let columns: Vec<Vec<u8>> = (0..=40)
            .flat_map(|n| {
                // Columns of length n differing in one byte: first, middle, last.
                let base = vec![b'a'; n];
                let mut variants = vec![base.clone()];
                for at in [0, n / 2, n.saturating_sub(1)] {
                    if at < n {
                        let mut v = base.clone();
                        v[at] = b'b';
                        variants.push(v);
                    }
                }
                variants
            })
            .collect();
        for (i, c) in columns.iter().enumerate() {
            for (j, d) in columns.iter().enumerate() {
                let pair = [c.as_slice(), d.as_slice()];
                assert_eq!(repeats(2, |k| pair[k]), c == d, "{i} {j}");
            }
        }
        // Long columns with the same first and last 8 bytes: compared whole.
        let long = |m: u8| [&b"cf:same_"[..], &[m; 5], b"_the_end"].concat();
        let (x, y) = (long(b'x'), long(b'y'));
        assert_eq!(fingerprint(&x), fingerprint(&y));
        let many = |last: &[u8]| -> Vec<Vec<u8>> {
            let mut v: Vec<Vec<u8>> = (0..5).map(|i| format!("cf:c{i}").into_bytes()).collect();
            v.insert(2, x.clone());
            v.push(last.to_vec());
            v
        };
        for (last, want) in [(&y, false), (&x, true), (&b"cf:c3".to_vec(), true)] {
            let v = many(last);
            assert_eq!(repeats(v.len(), |k| &v[k]), want);
            // Beyond the pairwise limit, the set says the same.
            let wide: Vec<Vec<u8>> = (0..PAIRWISE_COLUMNS)
                .map(|i| format!("cf:w{i}").into_bytes())
                .chain(v)
                .collect();
            assert_eq!(repeats(wide.len(), |k| &wide[k]), want);
        }
    }

    #[test]
    fn row_keys_differing_in_their_last_bytes_spread_over_the_buckets() {
        // The table's bucket is the hash's low bits (of the u64 key's hash).
        let buckets: HashSet<u64> = (0..256)
            .map(|i| {
                let h = row_hash(format!("row-{i:08}").as_bytes());
                let mut map_hash = FxHasher::default();
                map_hash.write_u64(h);
                map_hash.finish() & 0xff
            })
            .collect();
        assert!(buckets.len() > 128, "{} buckets of 256", buckets.len());
    }

    /// A plan with interleaved rows, deletes, empty values, a WAL change.
    fn sample() -> MutateCall {
        let mut p = Plan::default();
        p.put(b"r1", &[("cf:a", "1"), ("cf:b", "")], true);
        p.put(b"r2", &[("cf:a", "x".repeat(300))], false);
        p.delete(b"r2", &["cf:b", "cf"], false);
        p.put(b"r1", &[("cf:c", "3")], true);
        p.put(b"", &[(&b"f:\xff"[..], &b"\x00"[..])], true);
        p.delete(b"r3", &["cf"], true);
        match p.calls.pop_front() {
            Some(Call::Mutate(m)) if p.calls.is_empty() => m,
            other => panic!("one mutate call expected, got {other:?}"),
        }
    }

    #[test]
    fn written_args_are_those_of_the_generated_structs() {
        let m = sample();
        let table = b"ns:table".to_vec();
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let old = HbaseMutateRowsArgs {
                table_name: table.clone(),
                row_batches: generated(&m),
                attributes: BTreeMap::new(),
            };
            let encode = |write: &dyn Fn(&mut dyn TOutputProtocol) -> thrift::Result<()>| {
                let mut out = Vec::new();
                wire::encode_call(
                    protocol,
                    Transport::Buffered,
                    "mutateRows",
                    7,
                    &mut out,
                    write,
                )
                .unwrap();
                out
            };
            let new_bytes = encode(&|o| {
                MutateRows {
                    table_name: &table,
                    batches: &m,
                }
                .write(o)
            });
            let old_bytes = encode(&|o| old.write_to_out_protocol(o));
            assert_eq!(new_bytes, old_bytes);
            let decode = |bytes: &[u8]| {
                wire::decode(protocol, bytes, |_, i| {
                    HbaseMutateRowsArgs::read_from_in_protocol(i)
                })
                .unwrap()
            };
            // (The generated reader fills a missing optional field in with
            // its default: compare what both encodings decode to.)
            assert_eq!(decode(&new_bytes), decode(&old_bytes));

            let old_ts = HbaseMutateRowsTsArgs {
                table_name: table.clone(),
                row_batches: generated(&m),
                timestamp: -5,
                attributes: BTreeMap::new(),
            };
            let new_bytes = encode(&|o| {
                MutateRowsTs {
                    table_name: &table,
                    batches: &m,
                    timestamp: -5,
                }
                .write(o)
            });
            let old_bytes = encode(&|o| old_ts.write_to_out_protocol(o));
            assert_eq!(new_bytes, old_bytes);
            let decode = |bytes: &[u8]| {
                wire::decode(protocol, bytes, |_, i| {
                    HbaseMutateRowsTsArgs::read_from_in_protocol(i)
                })
                .unwrap()
            };
            // (The generated reader fills a missing optional field in with
            // its default: compare what both encodings decode to.)
            assert_eq!(decode(&new_bytes), decode(&old_bytes));
        }
    }

    #[test]
    fn the_binary_writer_writes_what_the_generic_writer_writes() {
        fn same<M: Method>(args: &M) {
            for transport in [Transport::Buffered, Transport::Framed] {
                let mut want = Vec::new();
                wire::encode_call(Protocol::Binary, transport, M::NAME, 9, &mut want, |o| {
                    args.write(o)
                })
                .unwrap();
                let mut got = Vec::new();
                binary::call(transport, M::NAME, 9, &mut got, |out| {
                    args.write_binary(out)
                })
                .unwrap();
                assert_eq!(got, want, "{transport} {}", M::NAME);
            }
        }
        let mut m = sample();
        // r1's cells are split by r2's (copied cell by cell), the others'
        // lie end to end (copied at once).
        let split: Vec<bool> = m.rows.iter().map(|r| r.encoded.is_none()).collect();
        assert_eq!(split, [true, false, false, false]);
        let table = b"ns:table".to_vec();
        same(&MutateRows {
            table_name: &table,
            batches: &m,
        });
        same(&MutateRowsTs {
            table_name: &table,
            batches: &m,
            timestamp: -5,
        });
        // A string too long for the protocol fails the write.
        m.too_long = Some((0, 1 << 31));
        let mut out = Vec::new();
        let args = MutateRows {
            table_name: &table,
            batches: &m,
        };
        assert!(args.write_binary(&mut out).is_err());
    }
}
