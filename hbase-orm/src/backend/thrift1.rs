//! The HBase Thrift1 gateway as a [`Store`]: [`Connection`] is the store,
//! [`Table`] its table, with every capability (counters, appends,
//! check-and-put), and filters translated into the HBase filter language by
//! [`filter_string`].

use std::borrow::Cow;
use std::future::Future;

use bytes::Bytes;
use futures::stream::BoxStream;

use super::SetSome;
use crate::error::Error;
use crate::error::Result;
use crate::store::{
    Appends, CellLabels, Check, CheckAndPut, ColumnValue, CompareOp, ConditionalWrites, Counters,
    DecodeRow, FamilySpec, FillRow, FilterExpr, GetSpec, RowCells, RowWrite, ScanSpec, Store,
    StoreTable, StoreWriter, TimeRange,
};
use crate::thrift1::batch::RowPuts;
use crate::thrift1::{Batch, ColumnFamily, Connection, Scan, Table};
use crate::value::{Cell, Row};

impl Store for Connection {
    type Table = Table;

    fn store_table(&self, name: &str) -> Table {
        self.table(name)
    }
}

/// Refuses a write of a model whose cells carry visibility labels: the
/// Thrift1 gateway has no cell visibility.
fn refuse_labels(table: &Table) -> Result<()> {
    match table.model_label {
        None => Ok(()),
        Some(label) => Err(Error::Unsupported {
            backend: "HBase Thrift1",
            what: format!(
                "cell visibility labels (the model of table `{}` labels cells `{label}`); \
                 use the Thrift2 or the Accumulo backend",
                table.name()
            ),
        }),
    }
}

/// The HBase column family descriptor of `f`.
fn column_family(f: &FamilySpec) -> ColumnFamily {
    ColumnFamily::new(f.name)
        .set_some(f.max_versions, ColumnFamily::max_versions)
        .set_some(f.ttl, ColumnFamily::time_to_live)
        .set_some(f.compression, ColumnFamily::compression)
        .set_some(f.bloom_filter, ColumnFamily::bloom_filter_type)
        .set_some(f.in_memory, ColumnFamily::in_memory)
        .set_some(f.block_cache, ColumnFamily::block_cache_enabled)
}

impl StoreTable for Table {
    type Rows = Scan;
    type Writer = Writer;

    fn table_name(&self) -> &str {
        self.name()
    }

    /// Keeps the first label only: every write of a labelled model is
    /// refused with [`Error::Unsupported`] before anything is sent (reads
    /// work: there is nothing to hide).
    fn with_cell_labels(mut self, labels: CellLabels) -> Self {
        self.model_label = labels.first();
        self
    }

    async fn create(&self, families: &[FamilySpec]) -> Result<()> {
        let families: Vec<ColumnFamily> = families.iter().map(column_family).collect();
        self.connection().create_table(self.name(), families).await
    }

    async fn get_row_with(
        &self,
        key: &[u8],
        columns: &[&[u8]],
        spec: GetSpec,
    ) -> Result<Option<Row>> {
        match spec.time_range {
            // The common read: borrowed key and columns, nothing copied.
            None => self.row_of(key, columns).await,
            Some(range) => {
                let mut req = self.row(key);
                if !columns.is_empty() {
                    req = req.columns(columns);
                }
                req.timestamp(before(range)?).await
            }
        }
    }

    async fn get_rows(&self, keys: &[&[u8]], columns: &[&[u8]]) -> Result<Vec<Row>> {
        let mut req = self.rows(keys);
        if !columns.is_empty() {
            req = req.columns(columns);
        }
        req.await
    }

    /// Decoded straight from the reply: no [`Row`] is built.
    async fn get_row_decoded<D: DecodeRow>(
        &self,
        key: &[u8],
        columns: &[&[u8]],
    ) -> Result<Option<D::Output>> {
        self.row_decoded::<D>(key, columns).await
    }

    /// Decoded straight from the reply: no [`Row`] is built.
    async fn get_rows_decoded<D: DecodeRow>(
        &self,
        keys: &[&[u8]],
        columns: &[&[u8]],
    ) -> Result<Vec<(Bytes, Result<D::Output>)>> {
        self.rows_decoded::<D>(keys, columns).await
    }

    async fn get_versions(&self, key: &[u8], column: &[u8], n: u32) -> Result<Vec<Cell>> {
        self.cells(key, column).versions(n).await
    }

    async fn write_row(&self, key: &[u8], write: &RowWrite) -> Result<()> {
        refuse_labels(self)?;
        if write.deletes().is_empty() {
            if write.puts().next().is_some() {
                self.put(key, write.puts()).await?;
            }
        } else {
            // Puts before deletes of other columns: one `mutateRows` call.
            let mut batch = self.batch();
            batch.put(key, write.puts()).await?;
            batch.delete_columns(key, write.deletes()).await?;
            batch.send().await?;
        }
        put_versions(self, key, write).await
    }

    fn writer(&self, batch_size: usize) -> Writer {
        Writer {
            batch: self.batch().batch_size(batch_size),
            table: self.clone(),
        }
    }

    async fn delete_row(&self, key: &[u8]) -> Result<()> {
        self.delete(key).await
    }

    fn scan_rows(&self, spec: ScanSpec) -> Result<Scan> {
        let mut scan = self.scan().reverse(spec.reverse);
        if !spec.columns.is_empty() {
            scan = scan.columns(spec.columns);
        }
        scan = scan
            .set_some(spec.prefix, Scan::row_prefix)
            .set_some(spec.start, Scan::row_start)
            .set_some(spec.stop, Scan::row_stop)
            .set_some(spec.limit, Scan::limit)
            .set_some(spec.batch_size, Scan::batch_size);
        if let Some(f) = &spec.filter {
            scan = scan.filter(filter_string(f)?);
        }
        if let Some(range) = spec.time_range {
            scan = scan.timestamp(before(range)?);
        }
        Ok(scan)
    }

    /// Each page decoded straight from its reply: no [`Row`] is built.
    fn scan_decoded<D>(&self, spec: ScanSpec) -> Result<BoxStream<'static, Result<D::Output>>>
    where
        D: DecodeRow + 'static,
        D::Output: Send + 'static,
    {
        Ok(self.scan_rows(spec)?.decoded::<D>())
    }
}

/// The Thrift1 gateway reads "older than a timestamp" only (its `...Ts`
/// calls and `TScan.timestamp` set the range `0..ts`): a time range that
/// starts at 0 (or before), else [`Error::Unsupported`].
fn before(range: TimeRange) -> Result<i64> {
    if range.min <= 0 {
        return Ok(range.max);
    }
    Err(Error::Unsupported {
        backend: "HBase Thrift1",
        what: format!(
            "the time range {}..{}: the Thrift1 gateway reads only ranges from 0 (older than a \
             timestamp); use the Thrift2 gateway",
            range.min, range.max
        ),
    })
}

/// The timestamped puts of `write`, one call per timestamp.
async fn put_versions(table: &Table, key: &[u8], write: &RowWrite) -> Result<()> {
    for (ts, cells) in write.versions() {
        table.put(key, cells).timestamp(ts).await?;
    }
    Ok(())
}

/// Row writes buffered in a [`Batch`] (`mutateRows` calls); timestamped
/// puts are sent at once, one call per timestamp.
#[derive(Debug)]
pub struct Writer {
    batch: Batch,
    table: Table,
}

impl StoreWriter for Writer {
    async fn write_row(&mut self, key: &[u8], write: &RowWrite) -> Result<()> {
        refuse_labels(&self.table)?;
        self.batch.put(key, write.puts()).await?;
        self.batch.delete_columns(key, write.deletes()).await?;
        put_versions(&self.table, key, write).await
    }

    /// The row's puts are encoded into the batch's call as `row` gives
    /// them (each value copied once); its deletes follow them in the batch
    /// and its timestamped puts are sent at once, as by
    /// [`StoreWriter::write_row`].
    fn write_filled<F: FillRow + ?Sized>(
        &mut self,
        key: &[u8],
        row: &F,
        scratch: &mut RowWrite,
    ) -> impl Future<Output = Result<()>> + Send {
        scratch.clear();
        let buffered = refuse_labels(&self.table).and_then(|()| {
            self.batch.put_row(key, row.distinct_columns(), |puts| {
                row.fill(&mut BatchCells {
                    puts,
                    rest: &mut *scratch,
                })
            })
        });
        async move {
            buffered?;
            if !scratch.deletes().is_empty() {
                self.batch.delete_columns(key, scratch.deletes()).await?;
            }
            put_versions(&self.table, key, scratch).await?;
            self.batch.send_if_full().await
        }
    }

    async fn flush(&mut self) -> Result<()> {
        self.batch.send().await
    }
}

/// The cells of a row given to [`Writer::write_filled`]: puts go into the
/// batch, deletes and timestamped puts are kept in a [`RowWrite`] for
/// after them.
struct BatchCells<'a, 'b> {
    puts: &'a mut RowPuts<'b>,
    rest: &'a mut RowWrite,
}

impl RowCells for BatchCells<'_, '_> {
    fn put(&mut self, column: Cow<'static, [u8]>, value: &[u8]) {
        self.puts.put(&column, value);
    }
    fn put_with<E>(
        &mut self,
        column: Cow<'static, [u8]>,
        encode: impl FnOnce(&mut Vec<u8>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.puts.put_with(&column, encode)
    }
    fn put_version(&mut self, column: Cow<'static, [u8]>, timestamp: i64, value: Vec<u8>) {
        self.rest.put_version(column, timestamp, value);
    }
    fn delete(&mut self, column: Cow<'static, [u8]>) {
        self.rest.delete(column);
    }
}

impl Counters for Table {
    async fn increment(&self, key: &[u8], column: &[u8], by: i64) -> Result<i64> {
        refuse_labels(self)?;
        self.counter_inc(key, column, by).await
    }
}

impl Appends for Table {
    async fn append(&self, key: &[u8], column: &[u8], value: &[u8]) -> Result<Option<Cell>> {
        refuse_labels(self)?;
        let cells = Table::append(self, key, [(column, value)]).await?;
        Ok(cells.into_iter().next())
    }
}

impl CheckAndPut for Table {
    async fn check_and_put(
        &self,
        key: &[u8],
        check: Check<'_>,
        put: ColumnValue<'_>,
    ) -> Result<bool> {
        refuse_labels(self)?;
        let (column, value) = put;
        let mut req = Table::check_and_put(self, key, column, value).check_column(check.column);
        if let Some(expected) = check.expected {
            req = req.if_equals(expected);
        }
        req.await
    }
}

impl ConditionalWrites for Table {
    /// The Thrift1 gateway has `checkAndPut` of one cell on equality only,
    /// no conditional row write: always [`Error::Unsupported`], nothing
    /// sent. The Thrift2 backend ([`super::thrift2`]) has them.
    async fn write_row_if(
        &self,
        _key: &[u8],
        _column: &[u8],
        _op: CompareOp,
        _value: Option<&[u8]>,
        _write: &RowWrite,
    ) -> Result<bool> {
        Err(Error::Unsupported {
            backend: "HBase Thrift1",
            what: "conditional row writes (put_if, put_if_absent); use the Thrift2 backend"
                .to_owned(),
        })
    }
}

/// `expr` in the HBase filter language, as the gateway's `filterString`
/// takes it (bytes: values go in as they are).
///
/// A column comparison becomes a `SingleColumnValueFilter` with a `binary:`
/// comparator that skips rows without the cell and looks at the newest
/// version only; family, qualifier and value are single-quoted with `'`
/// doubled. A row-key comparison becomes a `RowFilter` with a `binary:`
/// comparator, a row-key regular expression a `RowFilter` with a
/// `regexstring:` one (HBase compiles it with `DOTALL` and looks for a
/// match anywhere in the key).
///
/// # Errors
/// None today: every [`FilterExpr`] has an HBase form. (Other backends
/// refuse the `HBase` variant.)
///
/// # Examples
/// ```
/// use hbase_orm::backend::thrift1::filter_string;
/// use hbase_orm::store::{CompareOp, FilterExpr};
///
/// let expr = FilterExpr::Column {
///     family: b"cf".to_vec(),
///     qualifier: b"it's".to_vec(),
///     op: CompareOp::Equal,
///     value: b"x".to_vec(),
/// };
/// assert_eq!(
///     filter_string(&expr).unwrap(),
///     b"SingleColumnValueFilter('cf', 'it''s', =, 'binary:x', true, true)"
/// );
/// ```
pub fn filter_string(expr: &FilterExpr) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64);
    write_filter(&mut out, expr);
    Ok(out)
}

fn write_filter(out: &mut Vec<u8>, expr: &FilterExpr) {
    match expr {
        FilterExpr::Column {
            family,
            qualifier,
            op,
            value,
        } => single_column_value(out, family, qualifier, *op, value),
        FilterExpr::RowKey { op, key } => {
            out.extend_from_slice(b"RowFilter(");
            out.extend_from_slice(op.as_str().as_bytes());
            out.extend_from_slice(b", ");
            quote_comparator(out, b"binary:", key);
            out.push(b')');
        }
        FilterExpr::RowRegex(pattern) => {
            out.extend_from_slice(b"RowFilter(=, ");
            quote_comparator(out, b"regexstring:", pattern.as_bytes());
            out.push(b')');
        }
        FilterExpr::And(a, b) => combine(out, a, b"AND", b),
        FilterExpr::Or(a, b) => combine(out, a, b"OR", b),
        FilterExpr::WhileMatching(e) => {
            out.extend_from_slice(b"WHILE ");
            write_filter(out, e);
        }
        FilterExpr::HBase(s) => out.extend_from_slice(s),
    }
}

fn combine(out: &mut Vec<u8>, a: &FilterExpr, word: &[u8], b: &FilterExpr) {
    out.push(b'(');
    write_filter(out, a);
    out.push(b' ');
    out.extend_from_slice(word);
    out.push(b' ');
    write_filter(out, b);
    out.push(b')');
}

fn single_column_value(
    out: &mut Vec<u8>,
    family: &[u8],
    qualifier: &[u8],
    op: CompareOp,
    value: &[u8],
) {
    out.extend_from_slice(b"SingleColumnValueFilter(");
    quote(out, family);
    out.extend_from_slice(b", ");
    quote(out, qualifier);
    out.extend_from_slice(b", ");
    out.extend_from_slice(op.as_str().as_bytes());
    out.extend_from_slice(b", ");
    quote_comparator(out, b"binary:", value);
    out.extend_from_slice(b", true, true)");
}

/// The comparator `kind` + `value`, single-quoted.
fn quote_comparator(out: &mut Vec<u8>, kind: &[u8], value: &[u8]) {
    let mut comparator = Vec::with_capacity(kind.len() + value.len());
    comparator.extend_from_slice(kind);
    comparator.extend_from_slice(value);
    quote(out, &comparator);
}

/// `bytes` single-quoted, with `'` doubled.
fn quote(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'\'');
    for &b in bytes {
        out.push(b);
        if b == b'\'' {
            out.push(b'\'');
        }
    }
    out.push(b'\'');
}
