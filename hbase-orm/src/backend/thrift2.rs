//! The HBase Thrift2 gateway as a [`Store`], so the same
//! [`Repo<T, S>`](crate::Repo) works over a Thrift2 connection, with what
//! Thrift1 lacks set per store or per table handle ([`Thrift2Store`],
//! [`Thrift2Table`]): cell visibility of the writes, authorizations and a
//! time range of the reads, durability of the writes, and conditional
//! writes with a compare operator ([`Thrift2Table::check_and_put_op`],
//! and [`Repo::put_if`](crate::Repo::put_if) through
//! [`ConditionalWrites`]).
//!
//! ```no_run
//! use hbase_orm::backend::thrift2::Thrift2Store;
//! use hbase_orm::thrift2::{Connection, Durability};
//! use hbase_orm::{HRow, Repo};
//!
//! #[derive(Debug, HRow)]
//! #[hbase(table = "docs", family = "cf")]
//! struct Doc {
//!     #[hbase(row_key)]
//!     id: String,
//!     body: String,
//! }
//!
//! # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
//! let conn = Connection::builder().host("localhost").connect().await?;
//! let secret = Thrift2Store::new(conn.clone())
//!     .visibility("secret")
//!     .durability(Durability::SYNC_WAL);
//! let docs: Repo<Doc, Thrift2Store> = Repo::new(&secret);
//! docs.create_table().await?;
//! docs.put(&Doc { id: "d1".into(), body: "plans".into() }).await?;
//! // Readers without the label do not see it.
//! let public: Repo<Doc, Thrift2Store> = Repo::new(&Thrift2Store::new(conn.clone()).authorizations(["public"]));
//! assert!(public.get("d1").await?.is_none());
//! # Ok(()) }
//! ```

use std::sync::Arc;

use futures::stream::{BoxStream, StreamExt, TryStreamExt};

use super::thrift1::filter_string;
use crate::error::{Error, Result};
use crate::store::{
    self, Appends, CellLabels, Check, CheckAndPut, ColumnValue, ConditionalWrites, Counters,
    FamilySpec, GetSpec, RowWrite, ScanSpec, Store, StoreTable, StoreWriter,
};
use crate::thrift2::{
    Append, BloomFilter, CompareOp, Compression, Connection, Delete, Durability, FamilyDescriptor,
    Get, Increment, Mutation, Put, RowResult, ScanOptions, Table, TableDescriptor, TimeRange,
};
use crate::value::{Cell, Row};

const BACKEND: &str = "HBase Thrift2";

/// What a store or table handle adds to each call.
#[derive(Debug, Clone, Default, PartialEq)]
struct Options {
    visibility: Option<String>,
    authorizations: Option<Vec<String>>,
    durability: Option<Durability>,
    time_range: Option<TimeRange>,
}

/// Writes the setters of the `Options` a store or table handle adds to
/// each call, on a type whose `options` field holds them: `visibility`,
/// `authorizations`, `durability`, `time_range`, each with the docs given.
macro_rules! option_setters {
    (
        $(#[$visibility:meta])* visibility;
        $(#[$authorizations:meta])* authorizations;
        $(#[$durability:meta])* durability;
        $(#[$time_range:meta])* time_range;
    ) => {
        fn with(mut self, f: impl FnOnce(&mut Options)) -> Self {
            f(Arc::make_mut(&mut self.options));
            self
        }

        $(#[$visibility])*
        pub fn visibility(self, expression: impl Into<String>) -> Self {
            let e = expression.into();
            self.with(|o| o.visibility = Some(e))
        }

        $(#[$authorizations])*
        pub fn authorizations<I, L>(self, labels: I) -> Self
        where
            I: IntoIterator<Item = L>,
            L: Into<String>,
        {
            let l: Vec<String> = labels.into_iter().map(Into::into).collect();
            self.with(|o| o.authorizations = Some(l))
        }

        $(#[$durability])*
        pub fn durability(self, durability: Durability) -> Self {
            self.with(|o| o.durability = Some(durability))
        }

        $(#[$time_range])*
        pub fn time_range(self, min: i64, max: i64) -> Self {
            self.with(|o| o.time_range = Some(TimeRange::new(min, max)))
        }
    };
}

/// A Thrift2 connection as a [`Store`], with the options every call of
/// its tables carries. A plain [`Connection`] is a store too (no option).
///
/// # Examples
/// ```
/// use hbase_orm::backend::thrift2::Thrift2Store;
/// use hbase_orm::thrift2::Connection;
/// let store = Thrift2Store::new(Connection::builder().build())
///     .visibility("A&B")
///     .authorizations(["A", "B"])
///     .time_range(0, 1_000);
/// # let _ = store;
/// ```
#[derive(Debug, Clone)]
pub struct Thrift2Store {
    conn: Connection,
    options: Arc<Options>,
}

impl Thrift2Store {
    /// A store over `conn`, no option.
    pub fn new(conn: Connection) -> Thrift2Store {
        Thrift2Store {
            conn,
            options: Arc::default(),
        }
    }

    option_setters! {
        /// The visibility expression of every cell written (`A&B`, `A|!B`).
        visibility;
        /// The labels reads may see.
        authorizations;
        /// The durability of every write.
        durability;
        /// Reads see only the cells with a timestamp in `min..max`.
        time_range;
    }

    /// The connection.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

impl Store for Thrift2Store {
    type Table = Thrift2Table;

    fn store_table(&self, name: &str) -> Thrift2Table {
        Thrift2Table {
            table: self.conn.table(name),
            options: Arc::clone(&self.options),
            labels: CellLabels::default(),
        }
    }
}

impl Store for Connection {
    type Table = Thrift2Table;

    fn store_table(&self, name: &str) -> Thrift2Table {
        Thrift2Table {
            table: self.table(name),
            options: Arc::default(),
            labels: CellLabels::default(),
        }
    }
}

/// A Thrift2 table as a [`StoreTable`], with counters, appends and
/// check-and-put, and the options of its store (changeable per handle, for
/// one write: `Repo::from_table(repo.table().clone().visibility("x"))`).
#[derive(Debug, Clone)]
pub struct Thrift2Table {
    table: Table,
    options: Arc<Options>,
    /// The labels of the model's cells, above the store's visibility.
    labels: CellLabels,
}

impl Thrift2Table {
    option_setters! {
        /// This handle with another visibility expression for its writes (for
        /// the cells the model gives no label).
        visibility;
        /// This handle with other read authorizations.
        authorizations;
        /// This handle with another durability for its writes.
        durability;
        /// This handle reading only the cells with a timestamp in `min..max`.
        time_range;
    }

    /// The Thrift2 table underneath.
    pub fn table(&self) -> &Table {
        &self.table
    }

    fn get(&self, key: &[u8], columns: &[&[u8]]) -> Result<Get> {
        let columns = columns.iter().copied();
        let mut get = for_columns(
            Get::new(key),
            columns,
            |g, f, q| g.column(f, q),
            |g, f| g.family(f),
        )?;
        if let Some(a) = &self.options.authorizations {
            get = get.authorizations(a.iter().cloned());
        }
        if let Some(r) = self.options.time_range {
            get = get.time_range(r.min, r.max);
        }
        Ok(get)
    }

    /// The visibility cell `column` is written with: its field's label,
    /// else the model's row label, else the handle's visibility (an empty
    /// one: none).
    fn visibility_of(&self, column: &[u8]) -> Option<&str> {
        self.labels
            .of(column)
            .or(self.options.visibility.as_deref())
    }

    /// A put of row `key` with the handle's durability and `visibility`.
    fn put_with(&self, key: &[u8], visibility: Option<&str>) -> Put {
        self.labelled(Put::new(key), visibility)
    }

    /// `write` with the handle's durability and `visibility` (an empty one:
    /// none).
    fn labelled<W: LabelledWrite>(&self, mut write: W, visibility: Option<&str>) -> W {
        if let Some(v) = visibility.filter(|v| !v.is_empty()) {
            write = write.with_visibility(v);
        }
        if let Some(d) = self.options.durability {
            write = write.with_durability(d);
        }
        write
    }

    fn delete(&self, key: &[u8]) -> Delete {
        let mut delete = Delete::new(key);
        if let Some(d) = self.options.durability {
            delete = delete.durability(d);
        }
        delete
    }

    /// The put of `puts` for the visibility of `column`, added when new.
    fn put_for<'p, 's>(
        &'s self,
        puts: &'p mut Vec<(Option<&'s str>, Put)>,
        key: &[u8],
        column: &[u8],
    ) -> &'p mut Put {
        let v = self.visibility_of(column);
        let i = match puts.iter().position(|(l, _)| *l == v) {
            Some(i) => i,
            None => {
                puts.push((v, self.put_with(key, v)));
                puts.len() - 1
            }
        };
        &mut puts[i].1
    }

    /// The mutations of one row write (puts, deletes, timestamped puts).
    ///
    /// A `TPut` has one visibility for all its cells, so cells with
    /// different labels go in one put per label, in the order the labels
    /// first appear; several mutations are sent as one atomic `mutateRow`.
    fn mutations(&self, key: &[u8], write: &RowWrite) -> Result<Vec<Mutation>> {
        let mut out = Vec::new();
        let mut puts: Vec<(Option<&str>, Put)> = Vec::with_capacity(1);
        for (column, value) in write.puts() {
            let (f, q) = cell_column(column)?;
            let slot = self.put_for(&mut puts, key, column);
            *slot = std::mem::replace(slot, Put::new(b"")).value(f, q, value);
        }
        for (ts, cells) in write.versions() {
            for (column, value) in cells {
                let (f, q) = cell_column(column)?;
                let slot = self.put_for(&mut puts, key, column);
                *slot = std::mem::replace(slot, Put::new(b"")).value_at(f, q, ts, value);
            }
        }
        for (_, put) in puts {
            if !put.is_empty() {
                out.push(Mutation::Put(put));
            }
        }
        if !write.deletes().is_empty() {
            let columns = write.deletes().iter().map(|c| &**c);
            let delete = for_columns(
                self.delete(key),
                columns,
                |d, f, q| d.column(f, q),
                |d, f| d.family(f),
            )?;
            out.push(Mutation::Delete(delete));
        }
        Ok(out)
    }

    /// Puts `put` in row `key` when `value op stored` holds for `column`
    /// (the given value on the left, as [`Table::check_and_mutate`]
    /// compares; `value` `None`: the cell is absent): a compare-and-set
    /// with any operator. Whether it was written.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for `CompareOp::NO_OP`;
    /// [`Error::InvalidInput`] for a column without qualifier; the
    /// gateway's errors.
    pub async fn check_and_put_op(
        &self,
        key: &[u8],
        column: &[u8],
        op: CompareOp,
        value: Option<&[u8]>,
        write: &RowWrite,
    ) -> Result<bool> {
        if op == CompareOp::NO_OP {
            // HBase refuses the operator at the region server; say so
            // before sending.
            return Err(Error::Unsupported {
                backend: BACKEND,
                what: "conditional writes with CompareOp::NO_OP".to_owned(),
            });
        }
        let (f, q) = cell_column(column)?;
        let mutations = self.mutations(key, write)?;
        self.table
            .check_and_mutate(key, f, q, op, value, mutations)
            .await
    }
}

/// `family:qualifier` or `family`.
fn split(column: &[u8]) -> Result<(&[u8], Option<&[u8]>)> {
    let (f, q) = match column.iter().position(|&b| b == b':') {
        Some(i) => (&column[..i], Some(&column[i + 1..])),
        None => (column, None),
    };
    if f.is_empty() {
        return Err(Error::InvalidInput(format!(
            "column {:?} has no family",
            String::from_utf8_lossy(column)
        )));
    }
    Ok((f, q))
}

/// `request` reading (or deleting) each of `columns`: a `family:qualifier`
/// through `column`, a bare family through `family`.
fn for_columns<'c, R>(
    mut request: R,
    columns: impl IntoIterator<Item = &'c [u8]>,
    column: impl Fn(R, &[u8], &[u8]) -> R,
    family: impl Fn(R, &[u8]) -> R,
) -> Result<R> {
    for c in columns {
        request = match split(c)? {
            (f, Some(q)) => column(request, f, q),
            (f, None) => family(request, f),
        };
    }
    Ok(request)
}

/// `family:qualifier` of one cell.
fn cell_column(column: &[u8]) -> Result<(&[u8], &[u8])> {
    match split(column)? {
        (f, Some(q)) => Ok((f, q)),
        (_, None) => Err(Error::InvalidInput(format!(
            "column {:?} has no qualifier",
            String::from_utf8_lossy(column)
        ))),
    }
}

fn row_of(r: RowResult) -> Row {
    r.to_row()
}

/// The value `name` stands for in `table` (names compared in upper case):
/// a family setting given by name.
fn named<T: Copy>(what: &str, name: &str, table: &[(&str, T)]) -> Result<T> {
    let upper = name.to_ascii_uppercase();
    table
        .iter()
        .find(|(n, _)| *n == upper)
        .map(|&(_, value)| value)
        .ok_or_else(|| Error::InvalidInput(format!("unknown {what} {upper:?}")))
}

/// The Thrift2 descriptor of `f`.
fn family_descriptor(f: &FamilySpec) -> Result<FamilyDescriptor> {
    let mut d = FamilyDescriptor::new(f.name);
    if let Some(n) = f.max_versions {
        d = d.max_versions(n);
    }
    if let Some(t) = f.ttl {
        d = d.time_to_live(t);
    }
    if let Some(c) = f.compression {
        let compressions = [
            ("NONE", Compression::NONE),
            ("GZ", Compression::GZ),
            ("SNAPPY", Compression::SNAPPY),
            ("LZ4", Compression::LZ4),
            ("LZO", Compression::LZO),
            ("BZIP2", Compression::BZIP2),
            ("ZSTD", Compression::ZSTD),
        ];
        d = d.compression(named("compression", c, &compressions)?);
    }
    if let Some(b) = f.bloom_filter {
        let filters = [
            ("NONE", BloomFilter::NONE),
            ("ROW", BloomFilter::ROW),
            ("ROWCOL", BloomFilter::ROWCOL),
        ];
        d = d.bloom_filter(named("bloom filter", b, &filters)?);
    }
    if let Some(m) = f.in_memory {
        d = d.in_memory(m);
    }
    if let Some(b) = f.block_cache {
        d = d.block_cache_enabled(b);
    }
    Ok(d)
}

impl StoreTable for Thrift2Table {
    type Rows = BoxStream<'static, Result<Row>>;
    type Writer = Writer;

    fn table_name(&self) -> &str {
        self.table.name()
    }

    /// A cell's label, from its field or the model's row, wins over the
    /// handle's [`visibility`](Thrift2Table::visibility).
    fn with_cell_labels(mut self, labels: CellLabels) -> Self {
        self.labels = labels;
        self
    }

    async fn create(&self, families: &[FamilySpec]) -> Result<()> {
        let mut desc = TableDescriptor::new(self.table.name());
        for f in families {
            desc = desc.family(family_descriptor(f)?);
        }
        match self.table.connection().create_table(&desc, &[]).await {
            // The typed layer expects the Thrift1 gateway's AlreadyExists.
            Err(Error::Server { message, .. }) if message.contains("TableExistsException") => {
                Err(Error::AlreadyExists { message })
            }
            other => other,
        }
    }

    async fn get_row_with(
        &self,
        key: &[u8],
        columns: &[&[u8]],
        spec: GetSpec,
    ) -> Result<Option<Row>> {
        let mut get = self.get(key, columns)?;
        // The query's range wins over the store's.
        if let Some(r) = spec.time_range {
            get = get.time_range(r.min, r.max);
        }
        Ok(self.table.get(get).await?.map(row_of))
    }

    async fn get_rows(&self, keys: &[&[u8]], columns: &[&[u8]]) -> Result<Vec<Row>> {
        let gets = keys
            .iter()
            .map(|k| self.get(k, columns))
            .collect::<Result<Vec<_>>>()?;
        let rows = self.table.get_many(gets).await?;
        Ok(rows.into_iter().flatten().map(row_of).collect())
    }

    async fn get_versions(&self, key: &[u8], column: &[u8], n: u32) -> Result<Vec<Cell>> {
        let get = self
            .get(key, &[column])?
            .max_versions(i32::try_from(n).unwrap_or(i32::MAX));
        let Some(r) = self.table.get(get).await? else {
            return Ok(Vec::new());
        };
        let (f, q) = cell_column(column)?;
        Ok(r.versions(f, q).map(|c| c.to_cell()).collect())
    }

    async fn write_row(&self, key: &[u8], write: &RowWrite) -> Result<()> {
        let mutations = self.mutations(key, write)?;
        match mutations.len() {
            0 => Ok(()),
            1 => match mutations.into_iter().next() {
                Some(Mutation::Put(p)) => self.table.put(p).await,
                Some(Mutation::Delete(d)) => self.table.delete(d).await,
                None => Ok(()),
            },
            // Puts and deletes of one row together: one atomic call.
            _ => self.table.mutate_row(key, mutations).await,
        }
    }

    fn writer(&self, batch_size: usize) -> Writer {
        Writer {
            table: self.clone(),
            batch_size: batch_size.max(1),
            puts: Vec::new(),
            others: Vec::new(),
        }
    }

    async fn delete_row(&self, key: &[u8]) -> Result<()> {
        self.table.delete(self.delete(key)).await
    }

    fn scan_rows(&self, spec: ScanSpec) -> Result<Self::Rows> {
        let columns = spec.columns.iter().map(Vec::as_slice);
        let scan = ScanOptions::new().reversed(spec.reverse);
        let mut scan = for_columns(scan, columns, |s, f, q| s.column(f, q), |s, f| s.family(f))?;
        // A reversed prefix scan starts at the first key past the prefix
        // (inclusive, so that key itself is skipped) and stops at the
        // first key without it.
        let mut reverse_prefix = None;
        if let Some(p) = &spec.prefix {
            if spec.reverse {
                let end = crate::thrift1::scan::prefix_end(p);
                if let Some(end) = &end {
                    scan = scan.start(end);
                }
                reverse_prefix = Some((p.clone(), end));
            } else {
                scan = scan.prefix(p);
            }
        }
        if let Some(s) = spec.start {
            scan = scan.start(s);
        }
        if let Some(s) = spec.stop {
            scan = scan.stop(s);
        }
        if let Some(n) = spec.limit {
            // One more for the key a reversed prefix scan skips.
            let n = n.saturating_add(u64::from(reverse_prefix.is_some()));
            scan = scan.limit(i32::try_from(n).unwrap_or(i32::MAX));
        }
        if let Some(n) = spec.batch_size {
            scan = scan.caching(i32::try_from(n).unwrap_or(i32::MAX).max(1));
        }
        if let Some(f) = &spec.filter {
            scan = scan.filter(filter_string(f)?);
        }
        if let Some(a) = &self.options.authorizations {
            scan = scan.authorizations(a.iter().cloned());
        }
        // The query's range wins over the store's.
        if let Some(r) = spec.time_range {
            scan = scan.time_range(r.min, r.max);
        } else if let Some(r) = self.options.time_range {
            scan = scan.time_range(r.min, r.max);
        }
        let rows = self.table.scan(scan).map_ok(row_of);
        let Some((prefix, end)) = reverse_prefix else {
            return Ok(rows.boxed());
        };
        let rows = rows
            .try_skip_while(move |r| {
                let skip = end.as_deref() == Some(&r.key[..]);
                async move { Ok(skip) }
            })
            .try_take_while(move |r| {
                let keep = r.key.starts_with(&prefix);
                async move { Ok(keep) }
            });
        Ok(match spec.limit {
            Some(n) => rows.take(usize::try_from(n).unwrap_or(usize::MAX)).boxed(),
            None => rows.boxed(),
        })
    }
}

/// Row writes buffered and sent `batch_size` rows at a time: plain puts in
/// one `putMultiple`, rows with deletes one `mutateRow` each.
#[derive(Debug)]
pub struct Writer {
    table: Thrift2Table,
    batch_size: usize,
    puts: Vec<Put>,
    others: Vec<(Vec<u8>, Vec<Mutation>)>,
}

impl StoreWriter for Writer {
    async fn write_row(&mut self, key: &[u8], write: &RowWrite) -> Result<()> {
        let mutations = self.table.mutations(key, write)?;
        match mutations.len() {
            0 => {}
            1 => match mutations.into_iter().next() {
                Some(Mutation::Put(p)) => self.puts.push(p),
                Some(other) => self.others.push((key.to_vec(), vec![other])),
                None => {}
            },
            _ => self.others.push((key.to_vec(), mutations)),
        }
        if self.puts.len() + self.others.len() >= self.batch_size {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        let puts = std::mem::take(&mut self.puts);
        if !puts.is_empty() {
            self.table.table.put_many(puts).await?;
        }
        for (key, mutations) in std::mem::take(&mut self.others) {
            self.table.table.mutate_row(&key, mutations).await?;
        }
        Ok(())
    }
}

/// A write a table handle labels (see `Thrift2Table::labelled`): the
/// visibility and durability setters of `Put`, `Increment` and `Append`.
trait LabelledWrite: Sized {
    fn with_visibility(self, expression: &str) -> Self;
    fn with_durability(self, durability: Durability) -> Self;
}

macro_rules! labelled_writes {
    ($($ty:ident),*) => {$(
        impl LabelledWrite for $ty {
            fn with_visibility(self, expression: &str) -> Self {
                self.visibility(expression)
            }
            fn with_durability(self, durability: Durability) -> Self {
                self.durability(durability)
            }
        }
    )*};
}

labelled_writes!(Put, Increment, Append);

impl Counters for Thrift2Table {
    async fn increment(&self, key: &[u8], column: &[u8], by: i64) -> Result<i64> {
        let (f, q) = cell_column(column)?;
        let inc = Increment::new(key).add(f, q, by).return_results(true);
        let inc = self.labelled(inc, self.visibility_of(column));
        let r = self.table.increment(inc).await?;
        let value = r
            .as_ref()
            .and_then(|r| r.value(f, q))
            .ok_or_else(|| Error::Protocol {
                addr: self.table.connection().addr().to_owned(),
                message: "the increment's reply has no value".to_owned(),
            })?;
        let bytes: [u8; 8] = value.as_ref().try_into().map_err(|_| Error::Protocol {
            addr: self.table.connection().addr().to_owned(),
            message: format!("the counter came back {} bytes long", value.len()),
        })?;
        Ok(i64::from_be_bytes(bytes))
    }
}

impl Appends for Thrift2Table {
    async fn append(&self, key: &[u8], column: &[u8], value: &[u8]) -> Result<Option<Cell>> {
        let (f, q) = cell_column(column)?;
        let app = Append::new(key).append(f, q, value).return_results(true);
        let app = self.labelled(app, self.visibility_of(column));
        let r = self.table.append(app).await?;
        Ok(r.and_then(|r| r.cell(f, q).map(|c| c.to_cell())))
    }
}

impl ConditionalWrites for Thrift2Table {
    async fn write_row_if(
        &self,
        key: &[u8],
        column: &[u8],
        op: store::CompareOp,
        value: Option<&[u8]>,
        write: &RowWrite,
    ) -> Result<bool> {
        // The gateway compares `given op stored`: the operator flips.
        let op = match op {
            store::CompareOp::Less => CompareOp::GREATER,
            store::CompareOp::LessOrEqual => CompareOp::GREATER_OR_EQUAL,
            store::CompareOp::Equal => CompareOp::EQUAL,
            store::CompareOp::NotEqual => CompareOp::NOT_EQUAL,
            store::CompareOp::GreaterOrEqual => CompareOp::LESS_OR_EQUAL,
            store::CompareOp::Greater => CompareOp::LESS,
        };
        self.check_and_put_op(key, column, op, value, write).await
    }
}

impl CheckAndPut for Thrift2Table {
    async fn check_and_put(
        &self,
        key: &[u8],
        check: Check<'_>,
        put: ColumnValue<'_>,
    ) -> Result<bool> {
        let (cf, cq) = cell_column(check.column)?;
        let (f, q) = cell_column(put.0)?;
        let p = self
            .put_with(key, self.visibility_of(put.0))
            .value(f, q, put.1);
        self.table
            .check_and_put(key, cf, cq, check.expected, p)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_settings_are_named_in_any_case() {
        let mut f = FamilySpec::new("cf");
        f.compression = Some("snappy");
        f.bloom_filter = Some("RowCol");
        let d = family_descriptor(&f).unwrap();
        assert_eq!(d.wire().compression_type, Some(Compression::SNAPPY));
        assert_eq!(d.wire().bloomn_filter_type, Some(BloomFilter::ROWCOL));
        f.compression = Some("zip");
        let err = family_descriptor(&f).unwrap_err();
        assert!(
            err.to_string().contains("unknown compression \"ZIP\""),
            "{err}"
        );
    }
}
