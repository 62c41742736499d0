//! [`Repo`]: typed reads, writes and scans of one model's table.
//!
//! A `Repo<T>` wraps a [`Table`] and speaks `T` (a `#[derive(HRow)]` struct):
//! keys are typed (`T::Key`, or borrowed forms such as `&str`, see
//! [`EncodeKey`]), reads fetch only the model's columns, writes send the
//! model's cells, and scans yield `Result<T>`.
//!
//! # Examples
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use hbase_orm::{repo::Repo, Connection, HRow};
//!
//! #[derive(Debug, HRow)]
//! #[hbase(table = "users", family = "cf")]
//! struct User {
//!     #[hbase(row_key)]
//!     tenant: String,
//!     #[hbase(row_key)]
//!     id: u64,
//!     name: String,
//!     #[hbase(codec = "ordered")]
//!     age: i32,
//!     #[hbase(counter)]
//!     logins: i64,
//! }
//!
//! # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
//! let conn = Connection::builder().host("localhost").port(9090).build();
//! let users = Repo::<User>::new(&conn);
//! users.create_table().await?;
//!
//! users.put(&User { tenant: "acme".into(), id: 1, name: "Ann".into(), age: 31, logins: 0 }).await?;
//! let ann = users.get(&("acme", 1u64)).await?;
//! users.increment(&("acme", 1u64), User::fields().logins(), 1).await?;
//! users.update(&("acme", 1u64), [User::fields().name().set("Anne")]).await?;
//!
//! // Every adult of tenant "acme", in key order.
//! let adults: Vec<User> = users
//!     .scan()
//!     .prefix(&("acme",))
//!     .filter(User::fields().age().ge(18))
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::ready;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{self, BoxStream, Stream, StreamExt};

use super::codec::{Concatenating, Counter};
use super::filter::{Field, Filter, IntoValue, Update, UpdateOp};
use super::row::{self, CellWriter, Column, EncodeError, HRow};
use super::row_key::{EncodeKey, KeyPrefix};
use crate::error::{Error, Result};
use crate::store::{
    Appends, CellRef, CompareOp, ConditionalWrites, Counters, DecodeRow, FillRow, GetSpec,
    RowCells, RowWrite, ScanSpec, Store, StoreTable, StoreWriter, TimeRange,
};
use crate::thrift1::{Connection, Table};
use crate::value::Row;

/// Mutations sent by one `put` or `put_many` call before the batch is flushed.
const DEFAULT_PUT_BATCH: usize = 1000;

/// Typed access to the table of model `T`, in backend `S` (the HBase
/// Thrift1 gateway's [`Connection`] unless another [`Store`] is named).
///
/// Cheap to clone (it holds a table handle). See the [module](self) docs for
/// an example.
pub struct Repo<T, S: Store = Connection> {
    table: S::Table,
    put_batch: usize,
    _model: PhantomData<fn() -> T>,
}

impl<T, S: Store> Clone for Repo<T, S> {
    fn clone(&self) -> Self {
        Repo {
            table: self.table.clone(),
            put_batch: self.put_batch,
            _model: PhantomData,
        }
    }
}

impl<T, S: Store> fmt::Debug for Repo<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repo")
            .field("table", &self.table)
            .field("model", &std::any::type_name::<T>())
            .finish()
    }
}

fn column_name(c: Column<'_>) -> Cow<'static, [u8]> {
    match c {
        Column::Static(c) => Cow::Borrowed(c),
        other => Cow::Owned(other.to_vec()),
    }
}

/// A model's value as the [`FillRow`] of its row: its cells go to the
/// store's [`RowCells`] through the [`CellWriter`] the derive writes to.
struct Model<'a, T> {
    value: &'a T,
    /// [`distinct_columns`] of the model.
    distinct: bool,
}

impl<T: HRow> FillRow for Model<'_, T> {
    fn fill<C: RowCells>(&self, cells: &mut C) -> Result<()> {
        self.value.write_cells(&mut ToCells(cells))?;
        Ok(())
    }

    fn distinct_columns(&self) -> bool {
        self.distinct
    }
}

/// Whether the cells of model `T` are in distinct columns: no map field
/// (its qualifiers are data, which may name another field's column) and no
/// two fields of one column.
fn distinct_columns<T: HRow>() -> bool {
    let columns = T::SCHEMA.columns;
    columns.iter().enumerate().all(|(i, c)| {
        c.kind != row::ColumnKind::FamilyMap && columns[..i].iter().all(|d| d.column != c.column)
    })
}

/// The [`CellWriter`] over a store's [`RowCells`] (a [`RowWrite`], or a
/// backend's writer): a model's cells land there through the derive.
struct ToCells<'a, C>(&'a mut C);

impl<C: RowCells> CellWriter for ToCells<'_, C> {
    fn put(&mut self, column: Column<'_>, value: Vec<u8>) {
        self.0.put(column_name(column), &value);
    }
    fn put_version(&mut self, column: Column<'_>, timestamp: i64, value: Vec<u8>) {
        self.0.put_version(column_name(column), timestamp, value);
    }
    fn delete(&mut self, column: Column<'_>) {
        self.0.delete(column_name(column));
    }
    fn put_with<E>(
        &mut self,
        column: Column<'_>,
        encode: impl FnOnce(&mut Vec<u8>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.0.put_with(column_name(column), encode)
    }
}

/// `value`'s cells, in `write` (emptied first).
fn fill<T: HRow>(write: &mut RowWrite, value: &T) -> Result<()> {
    write.clear();
    value.write_cells(&mut ToCells(write))?;
    Ok(())
}

fn fetch_columns(fetch: &'static [&'static [u8]]) -> impl Iterator<Item = &'static [u8]> {
    let whole = |family: &[u8]| fetch.contains(&family);
    fetch
        .iter()
        .copied()
        .filter(move |c| match c.iter().position(|&b| b == b':') {
            Some(colon) => !whole(&c[..colon]),
            None => true,
        })
}

/// The decoder of a model without versioned fields, from whatever holds
/// its row's cells: a backend's reply (decoded straight from it) or a
/// [`Row`].
struct Plain<T>(PhantomData<fn() -> T>);

impl<T: HRow> DecodeRow for Plain<T> {
    type Output = T;

    #[inline]
    fn decode_row<'a, I>(key: &'a [u8], cells: I) -> Result<T>
    where
        I: Iterator<Item = CellRef<'a>>,
    {
        Ok(T::from_cells(key, cells)?)
    }
}

/// Whether `T` has no versioned field: its rows decode from one read.
fn is_plain<T: HRow>() -> bool {
    T::SCHEMA.versioned().next().is_none()
}

/// Decodes a row, fetching the versions of versioned fields first.
async fn decode_row<T: HRow, B: StoreTable>(table: &B, row: Row) -> Result<T> {
    if is_plain::<T>() {
        return row.decode::<Plain<T>>();
    }
    let schema = T::SCHEMA;
    let mut versions = Vec::new();
    for (column, n) in schema.versioned() {
        versions.push((column, table.get_versions(&row.key, column, n).await?));
    }
    let plain = row
        .cells
        .iter()
        .filter(|(c, _)| !versions.iter().any(|(v, _)| *v == &c[..]))
        .map(|(c, cell)| row::Cell {
            column: c,
            value: &cell.value,
            timestamp: cell.timestamp,
        });
    let versioned = versions.iter().flat_map(|(column, cells)| {
        cells.iter().map(move |cell| row::Cell {
            column,
            value: &cell.value,
            timestamp: cell.timestamp,
        })
    });
    Ok(T::from_cells(&row.key, plain.chain(versioned))?)
}

/// A time range reads the newest cell of each plain field in the range;
/// versioned fields read their versions in calls of their own, without it:
/// refused rather than mixing the two.
fn refuse_range_with_versions<T: HRow>() -> Result<()> {
    match T::SCHEMA.versioned().next() {
        None => Ok(()),
        Some((column, _)) => Err(Error::Unsupported {
            backend: "the typed layer",
            what: format!(
                "a time range on model `{}`: its versioned field `{}` is read apart",
                T::SCHEMA.table,
                String::from_utf8_lossy(column)
            ),
        }),
    }
}

impl<T: HRow> Repo<T> {
    /// The repository of `T` on another table of the HBase gateway with the
    /// same layout.
    pub fn with_table(table: Table) -> Self {
        Repo::from_table(table)
    }
}

impl<T: HRow, S: Store> Repo<T, S> {
    /// The repository of `T` on its table (`#[hbase(table = "...")]`) over
    /// `conn`.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// # let conn = hbase_orm::Connection::builder().build();
    /// let users = Repo::<User>::new(&conn);
    /// assert_eq!(users.table().name(), "users");
    /// # Ok(()) }
    /// ```
    pub fn new(conn: &S) -> Self {
        Repo::from_table(conn.store_table(T::SCHEMA.table))
    }

    /// The repository of `T` on a table of backend `S` with the same layout.
    ///
    /// The table handle is given the model's visibility labels
    /// ([`Schema::cell_labels`](super::row::Schema::cell_labels)): a
    /// backend without cell visibility refuses the writes of a labelled
    /// model.
    pub fn from_table(table: S::Table) -> Self {
        Repo {
            table: table.with_cell_labels(T::SCHEMA.cell_labels()),
            put_batch: DEFAULT_PUT_BATCH,
            _model: PhantomData,
        }
    }

    /// Mutations buffered by [`Repo::put_many`] before they are sent (default
    /// 1000, at least 1): bounds the memory of large writes.
    pub fn put_batch_size(mut self, n: usize) -> Self {
        self.put_batch = n.max(1);
        self
    }

    /// The backend's table.
    pub fn table(&self) -> &S::Table {
        &self.table
    }

    /// Creates the table with the model's families and their
    /// `family_options`.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] when the table exists, [`Error::IllegalArgument`]
    /// for bad family options, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// users.create_table().await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_table(&self) -> Result<()> {
        self.table.create(T::SCHEMA.families).await
    }

    fn key<Q: EncodeKey<T::Key> + ?Sized>(key: &Q) -> Vec<u8> {
        T::encode_key(key)
    }

    /// Reads the row with key `key`: only the model's columns are fetched
    /// (plus one `getVer` call per versioned field). `None` when the row has
    /// none of them.
    ///
    /// # Errors
    /// [`Error::Decode`] when a cell does not decode (naming table, row,
    /// column and field), connection and server errors.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// if let Some(user) = users.get("ann").await? {
    ///     println!("{}", user.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get<Q: EncodeKey<T::Key> + ?Sized>(&self, key: &Q) -> Result<Option<T>> {
        let key = Self::key(key);
        if is_plain::<T>() {
            // Decoded where the backend received it (no `Row` in between).
            return self
                .table
                .get_row_decoded::<Plain<T>>(&key, T::SCHEMA.fetch)
                .await;
        }
        match self.table.get_row(&key, T::SCHEMA.fetch).await? {
            Some(row) => decode_row(&self.table, row).await.map(Some),
            None => Ok(None),
        }
    }

    /// Reads one row as it was in a time range: each field holds its newest
    /// value with a timestamp in `range` (`None` when no field has one).
    /// The Thrift2 gateway reads any range; the Thrift1 gateway ranges from
    /// 0 only ([`TimeRange::before`]).
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the backend cannot read the range (the
    /// Thrift1 gateway for a range not starting at 0; Accumulo, for now) or
    /// the model has versioned fields (their versions are read apart);
    /// otherwise as [`Repo::get`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, store::TimeRange, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// // Ann as she was before 2023-11-14.
    /// let then = users.get_in("ann", TimeRange::before(1_700_000_000_000)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_in<Q: EncodeKey<T::Key> + ?Sized>(
        &self,
        key: &Q,
        range: TimeRange,
    ) -> Result<Option<T>> {
        refuse_range_with_versions::<T>()?;
        let key = Self::key(key);
        let spec = GetSpec::new().time_range(range);
        match self.table.get_row_with(&key, T::SCHEMA.fetch, spec).await? {
            Some(row) => row.decode::<Plain<T>>().map(Some),
            None => Ok(None),
        }
    }

    /// Reads several rows in one round trip (`getRowsWithColumns`; versioned
    /// fields add one call per row and field). The result lines up with
    /// `keys`: `None` where a row is missing; a key given more than once is
    /// fetched once and answered at each of its positions.
    ///
    /// # Errors
    /// As [`Repo::get`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// let found = users.get_many(["ann", "bob"]).await?;
    /// assert_eq!(found.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn get_many<I, Q>(&self, keys: I) -> Result<Vec<Option<T>>>
    where
        I: IntoIterator<Item = Q>,
        Q: EncodeKey<T::Key>,
    {
        let keys: Vec<Vec<u8>> = keys.into_iter().map(|k| Self::key(&k)).collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // How often each key was asked for: a key given twice is fetched
        // once, and every position it was given at gets the row.
        let mut wanted: HashMap<&[u8], usize> = HashMap::with_capacity(keys.len());
        let mut unique: Vec<&[u8]> = Vec::with_capacity(keys.len());
        for key in &keys {
            let n = wanted.entry(&key[..]).or_insert(0);
            if *n == 0 {
                unique.push(key);
            }
            *n += 1;
        }
        if is_plain::<T>() && unique.len() == keys.len() {
            // Each key once: every row decoded where the backend received
            // it, and moved to its one position.
            let rows = self
                .table
                .get_rows_decoded::<Plain<T>>(&unique, T::SCHEMA.fetch)
                .await?;
            let mut found: HashMap<bytes::Bytes, Result<T>> = rows.into_iter().collect();
            return keys
                .iter()
                .map(|key| found.remove(&key[..]).transpose())
                .collect();
        }
        let rows = self.table.get_rows(&unique, T::SCHEMA.fetch).await?;
        let mut found: HashMap<bytes::Bytes, Row> =
            rows.into_iter().map(|r| (r.key.clone(), r)).collect();
        let mut out = Vec::with_capacity(keys.len());
        for key in &keys {
            let left = wanted.get_mut(&key[..]).map_or(0, |n| {
                *n -= 1;
                *n
            });
            // The last position asking for a row takes it; earlier ones copy.
            let row = if left == 0 {
                found.remove(&key[..])
            } else {
                found.get(&key[..]).cloned()
            };
            match row {
                Some(row) => out.push(Some(decode_row(&self.table, row).await?)),
                None => out.push(None),
            }
        }
        Ok(out)
    }

    /// Whether the row has any of the model's columns.
    ///
    /// # Errors
    /// Connection and server errors.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// if !users.exists("ann").await? {
    ///     println!("no such user");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn exists<Q: EncodeKey<T::Key> + ?Sized>(&self, key: &Q) -> Result<bool> {
        let key = Self::key(key);
        Ok(self.table.get_row(&key, T::SCHEMA.fetch).await?.is_some())
    }

    /// Writes `value`: a put of every stored field, a delete of each `None`
    /// optional field (one call), then one timestamped put per version of
    /// versioned fields. Columns of a family map that are absent from the map
    /// are left as they are.
    ///
    /// # Errors
    /// [`Error::Encode`] when a codec fails, connection and server errors.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// users.put(&User { id: "ann".into(), name: "Ann".into(), email: None, logins: 0 }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put(&self, value: &T) -> Result<()> {
        let mut write = RowWrite::new();
        fill(&mut write, value)?;
        self.table.write_row(&value.row_key(), &write).await
    }

    /// Writes many values through one batch, sent every
    /// [`put_batch_size`](Repo::put_batch_size) mutations, so memory stays
    /// bounded whatever the number of values.
    ///
    /// # Errors
    /// As [`Repo::put`]; values before a failing batch are written.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// let all: Vec<User> = (0..10_000)
    ///     .map(|i| User { id: format!("u{i}"), name: format!("user {i}"), email: None, logins: 0 })
    ///     .collect();
    /// users.put_many(&all).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_many<'a, I>(&self, values: I) -> Result<()>
    where
        I: IntoIterator<Item = &'a T>,
        T: 'a,
    {
        let mut writer = self.table.writer(self.put_batch);
        let mut result = Ok(());
        // One set of buffers for every value, the key's included.
        let mut write = RowWrite::new();
        let mut key = Vec::new();
        let distinct = distinct_columns::<T>();
        for value in values {
            key.clear();
            value.encode_row_key(&mut key);
            let model = Model { value, distinct };
            if let Err(e) = writer.write_filled(&key, &model, &mut write).await {
                result = Err(e);
                break;
            }
        }
        // Send what was buffered even after a failure, so the writer is never
        // dropped with operations in it.
        let sent = writer.flush().await;
        result.and(sent)
    }

    /// Deletes the whole row.
    ///
    /// # Errors
    /// Connection and server errors.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// users.delete("ann").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete<Q: EncodeKey<T::Key> + ?Sized>(&self, key: &Q) -> Result<()> {
        self.table.delete_row(&Self::key(key)).await
    }

    /// Changes some fields of a row and nothing else: `updates` come from
    /// [`Field::set`] and [`Field::clear`], e.g.
    /// `[User::fields().name().set("Ann")]`. One call.
    ///
    /// # Errors
    /// [`Error::Encode`] when a value did not encode, connection and server
    /// errors.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// let f = User::fields();
    /// users.update("ann", [f.name().set("Anne"), f.email().clear()]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update<Q, I>(&self, key: &Q, updates: I) -> Result<()>
    where
        Q: EncodeKey<T::Key> + ?Sized,
        I: IntoIterator<Item = Update<T>>,
    {
        let mut write = RowWrite::new();
        for u in updates {
            match u.op() {
                UpdateOp::Put(bytes) => write.put(Cow::Borrowed(u.column()), bytes),
                UpdateOp::Delete => write.delete(Cow::Borrowed(u.column())),
                UpdateOp::Failed(e) => {
                    return Err(EncodeError::new(T::SCHEMA.table, u.field(), e.clone()).into())
                }
            }
        }
        self.table.write_row(&Self::key(key), &write).await
    }

    /// Adds `by` (which may be negative) to a counter field and returns the
    /// new value (`atomicIncrement`; a missing counter starts at 0).
    ///
    /// # Errors
    /// [`Error::Server`] when the cell exists and is not 8 bytes long,
    /// connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// let logins = users.increment("ann", User::fields().logins(), 1).await?;
    /// # Ok(()) }
    /// ```
    pub async fn increment<Q, P>(
        &self,
        key: &Q,
        field: Field<T, i64, Counter, P>,
        by: i64,
    ) -> Result<i64>
    where
        Q: EncodeKey<T::Key> + ?Sized,
        S::Table: Counters,
    {
        self.table
            .increment(&Self::key(key), field.column(), by)
            .await
    }

    /// Appends `value` to a `String` (UTF-8) or byte field (HBase `append`; a
    /// missing cell is created) and returns the field's new value.
    ///
    /// # Errors
    /// [`Error::Encode`]/[`Error::Decode`] when the values do not encode or
    /// decode, connection and server errors.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// let name = users.append("ann", User::fields().name(), " Smith").await?;
    /// # Ok(()) }
    /// ```
    pub async fn append<Q, V, C, P>(
        &self,
        key: &Q,
        field: Field<T, V, C, P>,
        value: impl IntoValue<V>,
    ) -> Result<V>
    where
        Q: EncodeKey<T::Key> + ?Sized,
        C: Concatenating<V>,
        S::Table: Appends,
    {
        let mut bytes = Vec::new();
        C::encode(&value.into_value(), &mut bytes)
            .map_err(|e| EncodeError::new(T::SCHEMA.table, field.name(), e))?;
        let key = Self::key(key);
        let cell = self.table.append(&key, field.column(), &bytes).await?;
        let cell = cell.ok_or_else(|| {
            row::DecodeError::new(
                T::SCHEMA.table,
                &key,
                Some(field.column()),
                field.name(),
                super::codec::CodecError::new("the gateway returned no cell for the append"),
            )
        })?;
        C::decode(&cell.value).map_err(|e| {
            Error::from(row::DecodeError::new(
                T::SCHEMA.table,
                &key,
                Some(field.column()),
                field.name(),
                e,
            ))
        })
    }

    /// Writes `value` only when its row's `field`, compared with `expected`
    /// by `op`, holds (`stored op expected`): a compare-and-set, the
    /// write of optimistic locking (`put_if(&v, version, Equal, old)`
    /// with `v` carrying the next version). Atomic on the server. Whether
    /// it was written.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on a backend without conditional row writes
    /// (the Thrift1 gateway); encoding errors; the backend's errors.
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # use hbase_orm::backend::thrift2::Thrift2Store;
    /// use hbase_orm::filter::CompareOp;
    /// # #[derive(HRow)]
    /// # #[hbase(table = "accounts", family = "cf")]
    /// # struct Account { #[hbase(row_key)] id: String, balance: i64, version: u64 }
    /// # async fn run(accounts: Repo<Account, Thrift2Store>) -> hbase_orm::Result<()> {
    /// let mut a = accounts.get("a1").await?.expect("exists");
    /// let seen = a.version;
    /// a.balance += 10;
    /// a.version += 1;
    /// if !accounts.put_if(&a, Account::fields().version(), CompareOp::Equal, seen).await? {
    ///     // Someone else wrote it meanwhile: read again and retry.
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn put_if<V, C, P>(
        &self,
        value: &T,
        field: Field<T, V, C, P>,
        op: CompareOp,
        expected: impl IntoValue<V>,
    ) -> Result<bool>
    where
        C: super::codec::Codec<V>,
        S::Table: ConditionalWrites,
    {
        let mut bytes = Vec::new();
        C::encode(&expected.into_value(), &mut bytes)
            .map_err(|e| EncodeError::new(T::SCHEMA.table, field.name(), e))?;
        let mut write = RowWrite::new();
        fill(&mut write, value)?;
        self.table
            .write_row_if(&value.row_key(), field.column(), op, Some(&bytes), &write)
            .await
    }

    /// Writes `value` only when its row has no `field` yet (a create that
    /// never overwrites). Whether it was written.
    ///
    /// # Errors
    /// As [`Repo::put_if`].
    pub async fn put_if_absent<V, C, P>(&self, value: &T, field: Field<T, V, C, P>) -> Result<bool>
    where
        S::Table: ConditionalWrites,
    {
        let mut write = RowWrite::new();
        fill(&mut write, value)?;
        self.table
            .write_row_if(
                &value.row_key(),
                field.column(),
                CompareOp::Equal,
                None,
                &write,
            )
            .await
    }

    /// A typed scan; see [`RepoScan`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::{repo::Repo, HRow};
    /// # #[derive(HRow)]
    /// # #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String, email: Option<String>, #[hbase(counter)] logins: i64 }
    /// # async fn run(users: Repo<User>) -> hbase_orm::Result<()> {
    /// use futures::TryStreamExt;
    /// let named: Vec<User> = users
    ///     .scan()
    ///     .filter(User::fields().name().eq("Ann"))
    ///     .limit(10)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn scan(&self) -> RepoScan<T, S> {
        RepoScan {
            table: self.table.clone(),
            start: None,
            stop: None,
            prefix: None,
            limit: None,
            reverse: false,
            batch_size: None,
            filter: None,
            time_range: None,
            skip_undecodable: false,
            stream: None,
            _model: PhantomData,
        }
    }
}

/// A typed scan over the rows of model `T`: a [`Stream`] of `Result<T>`.
///
/// Options: a key range ([`start`](RepoScan::start) inclusive,
/// [`stop`](RepoScan::stop) exclusive, with typed keys) or a typed key
/// [`prefix`](RepoScan::prefix); [`limit`](RepoScan::limit);
/// [`reverse`](RepoScan::reverse); [`batch_size`](RepoScan::batch_size) (rows
/// per round trip); a typed [`filter`](RepoScan::filter); and
/// [`skip_undecodable`](RepoScan::skip_undecodable) to drop rows that do not
/// decode (with a `tracing` warning) instead of yielding an error. Only the
/// model's columns are fetched; versioned fields cost one call per row.
///
/// # Examples
/// ```no_run
/// use futures::TryStreamExt;
/// use hbase_orm::{repo::Repo, HRow};
///
/// #[derive(HRow)]
/// #[hbase(table = "readings", family = "r")]
/// struct Reading {
///     #[hbase(row_key)]
///     sensor: String,
///     #[hbase(row_key)]
///     at: i64,
///     #[hbase(codec = "ordered")]
///     value: f64,
/// }
///
/// # async fn run(repo: Repo<Reading>) -> hbase_orm::Result<()> {
/// // The last 10 readings of sensor s1 above 20.0, newest first.
/// let mut scan = repo
///     .scan()
///     .prefix(&("s1",))
///     .filter(Reading::fields().value().gt(20.0))
///     .reverse(true)
///     .limit(10);
/// while let Some(r) = scan.try_next().await? {
///     println!("{} {}", r.at, r.value);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a scan does nothing until it is polled"]
pub struct RepoScan<T, S: Store = Connection> {
    table: S::Table,
    start: Option<Vec<u8>>,
    stop: Option<Vec<u8>>,
    prefix: Option<Vec<u8>>,
    limit: Option<u64>,
    reverse: bool,
    batch_size: Option<u32>,
    filter: Option<Filter<T>>,
    time_range: Option<TimeRange>,
    skip_undecodable: bool,
    /// The values once started: the store's rows decoded by the store
    /// (models without versioned fields, straight from the replies where
    /// the backend can), or by an adapter reading each row's versions; or
    /// the error refusing the scan before anything was sent.
    stream: Option<BoxStream<'static, Result<T>>>,
    _model: PhantomData<fn() -> T>,
}

impl<T, S: Store> fmt::Debug for RepoScan<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RepoScan")
            .field("table", &self.table)
            .field("start", &self.start)
            .field("stop", &self.stop)
            .field("prefix", &self.prefix)
            .field("limit", &self.limit)
            .field("reverse", &self.reverse)
            .field("filter", &self.filter)
            .field("time_range", &self.time_range)
            .field("skip_undecodable", &self.skip_undecodable)
            .finish()
    }
}

impl<T: HRow + Send + 'static, S: Store> RepoScan<T, S> {
    /// Starts at this key (inclusive; the high key when reversed).
    pub fn start<Q: EncodeKey<T::Key> + ?Sized>(mut self, key: &Q) -> Self {
        self.start = Some(T::encode_key(key));
        self
    }

    /// Stops before this key (exclusive; the low key when reversed).
    pub fn stop<Q: EncodeKey<T::Key> + ?Sized>(mut self, key: &Q) -> Self {
        self.stop = Some(T::encode_key(key));
        self
    }

    /// Only rows whose first key fields equal `prefix`: a tuple of the first
    /// key fields, e.g. `&("acme",)` for a key `(String, u64)`.
    pub fn prefix<P: KeyPrefix<T> + ?Sized>(mut self, prefix: &P) -> Self {
        let mut out = Vec::new();
        prefix.encode_prefix(&mut out);
        self.prefix = Some(out);
        self
    }

    /// Only rows whose encoded key starts with `bytes`.
    ///
    /// For a model keyed by one `String` (stored as plain UTF-8) this is a
    /// string-prefix scan: `.raw_prefix("user:")`. For composite keys prefer
    /// the typed [`prefix`](RepoScan::prefix).
    pub fn raw_prefix(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.prefix = Some(bytes.as_ref().to_vec());
        self
    }

    /// Yields at most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Scans from high keys to low keys.
    pub fn reverse(mut self, reverse: bool) -> Self {
        self.reverse = reverse;
        self
    }

    /// Rows fetched per round trip (default 1000).
    pub fn batch_size(mut self, rows: u32) -> Self {
        self.batch_size = Some(rows);
        self
    }

    /// Only rows matching `filter` (several calls combine with `AND`).
    pub fn filter(mut self, filter: Filter<T>) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(f) => f.and(filter),
            None => filter,
        });
        self
    }

    /// Only cells with a timestamp in `range`: each row as it was then (rows
    /// without a field in the range are left out). The Thrift2 gateway
    /// reads any range; the Thrift1 gateway ranges from 0 only
    /// ([`TimeRange::before`]); otherwise the scan yields
    /// [`Error::Unsupported`] before anything is sent, as it does for a
    /// model with versioned fields.
    pub fn time_range(mut self, range: TimeRange) -> Self {
        self.time_range = Some(range);
        self
    }

    /// Skips rows that do not decode, logging a `tracing` warning, instead of
    /// yielding [`Error::Decode`] (default false).
    pub fn skip_undecodable(mut self, skip: bool) -> Self {
        self.skip_undecodable = skip;
        self
    }

    fn begin(&mut self) -> BoxStream<'static, Result<T>> {
        let once = |e| -> BoxStream<'static, Result<T>> { Box::pin(stream::once(ready(Err(e)))) };
        let mut spec = ScanSpec {
            start: self.start.take(),
            stop: self.stop.take(),
            prefix: self.prefix.take(),
            limit: self.limit,
            reverse: self.reverse,
            batch_size: self.batch_size,
            time_range: self.time_range,
            ..ScanSpec::default()
        };
        if self.time_range.is_some() {
            if let Err(e) = refuse_range_with_versions::<T>() {
                return once(e);
            }
        }
        if !T::SCHEMA.fetch.is_empty() {
            spec.columns = fetch_columns(T::SCHEMA.fetch).map(<[u8]>::to_vec).collect();
        }
        if let Some(f) = self.filter.take() {
            match f.into_expr() {
                Ok(expr) => spec.filter = Some(expr),
                Err((field, e)) => {
                    let e = Error::from(EncodeError::new(T::SCHEMA.table, field, e));
                    return once(e);
                }
            }
        }
        if is_plain::<T>() {
            return self
                .table
                .scan_decoded::<Plain<T>>(spec)
                .unwrap_or_else(once);
        }
        let scan = match self.table.scan_rows(spec) {
            Ok(scan) => scan,
            Err(e) => return once(e),
        };
        let table = self.table.clone();
        let decoded = scan.then(move |row| {
            let table = table.clone();
            async move { decode_row::<T, S::Table>(&table, row?).await }
        });
        Box::pin(decoded)
    }
}

/// `r`, or `None` when it is a decode error and `skip` says to skip such
/// rows (logged as a `tracing` warning).
fn keep_row<T>(skip: bool, r: Result<T>) -> Option<Result<T>> {
    match r {
        Err(Error::Decode(e)) if skip => {
            tracing::warn!(error = %e, "skipping a row that does not decode");
            None
        }
        other => Some(other),
    }
}

// Nothing in a `RepoScan` is pinned: the stream is boxed.
impl<T, S: Store> Unpin for RepoScan<T, S> {}

impl<T: HRow + Send + 'static, S: Store> Stream for RepoScan<T, S> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.stream.is_none() {
            this.stream = Some(this.begin());
        }
        let skip = this.skip_undecodable;
        let Some(values) = this.stream.as_mut() else {
            return Poll::Ready(None);
        };
        loop {
            let value = match values.as_mut().poll_next(cx) {
                Poll::Ready(Some(value)) => value,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            };
            if let Some(value) = keep_row(skip, value) {
                return Poll::Ready(Some(value));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_columns_drop_qualifiers_of_whole_families() {
        static FETCH: [&[u8]; 4] = [b"cf:a", b"attrs", b"attrs:x", b"other:b"];
        let names: Vec<&[u8]> = fetch_columns(&FETCH).collect();
        assert_eq!(names, [&b"cf:a"[..], b"attrs", b"other:b"]);
    }
}

#[cfg(all(test, feature = "derive"))]
mod decode_tests {
    //! A model decoded straight from a reply is the one decoded through the
    //! reply's `Row`s.

    use std::collections::BTreeMap;

    use bytes::Bytes;
    use hbase_orm_idl::hbase::{HbaseScannerGetListResult, TCell, TColumn, TRowResult};
    use hbase_orm_idl::thrift::protocol::{TMessageIdentifier, TMessageType};
    use hbase_orm_idl::wire::{self, Protocol, Transport};

    use super::Plain;
    use crate::protocol::rows::{self, AllDecoded, FirstDecoded, ReplySink};
    use crate::HRow;

    #[derive(Debug, Clone, PartialEq, crate::HRow)]
    #[hbase(table = "readings", family = "cf", crate = crate)]
    struct Reading {
        #[hbase(row_key)]
        sensor: String,
        #[hbase(row_key)]
        at: u32,
        name: String,
        note: Option<String>,
        #[hbase(default)]
        level: u32,
        #[hbase(counter)]
        hits: i64,
        #[hbase(family_map = "tags")]
        tags: BTreeMap<String, String>,
    }

    fn reading(at: u32) -> Reading {
        Reading {
            sensor: "s1".to_owned(),
            at,
            name: "boiler".to_owned(),
            note: Some("hot".to_owned()),
            level: 3,
            hits: 42,
            tags: [("room".to_owned(), "b2".to_owned())].into(),
        }
    }

    fn cell(value: &[u8], timestamp: i64) -> TCell {
        TCell {
            value: Some(value.to_vec()),
            timestamp: Some(timestamp),
        }
    }

    fn column(name: &[u8], value: &[u8], timestamp: i64) -> TColumn {
        TColumn {
            column_name: Some(name.to_vec()),
            cell: Some(cell(value, timestamp)),
        }
    }

    /// Rows of every kind: whole (with columns the model does not know),
    /// several versions of a cell, optional and default cells absent, and
    /// rows that do not decode (a value, a missing cell, the key).
    fn results() -> Vec<TRowResult> {
        let whole = TRowResult {
            row: Some(reading(1).row_key()),
            columns: Some(BTreeMap::from([
                (b"cf:name".to_vec(), cell(b"boiler", 5)),
                (b"cf:note".to_vec(), cell(b"hot", 5)),
                (b"cf:level".to_vec(), cell(&3u32.to_be_bytes(), 5)),
                (b"cf:hits".to_vec(), cell(&42i64.to_be_bytes(), 6)),
                (b"tags:room".to_vec(), cell(b"b2", 5)),
                (b"cf:unknown".to_vec(), cell(b"?", 5)),
                (b"other:x".to_vec(), cell(b"?", 5)),
            ])),
            sorted_columns: None,
        };
        let versions = TRowResult {
            row: Some(reading(2).row_key()),
            columns: None,
            sorted_columns: Some(vec![
                column(b"cf:name", b"newer", 9),
                column(b"cf:name", b"older", 1),
                column(b"cf:zzz", b"?", 1),
                column(b"tags:a", b"1", 2),
                column(b"tags:a", b"2", 1),
            ]),
        };
        let bad_value = TRowResult {
            row: Some(reading(3).row_key()),
            columns: Some(BTreeMap::from([(b"cf:name".to_vec(), cell(b"\xff", 1))])),
            sorted_columns: None,
        };
        let missing = TRowResult {
            row: Some(reading(4).row_key()),
            columns: Some(BTreeMap::from([(b"cf:note".to_vec(), cell(b"n", 1))])),
            sorted_columns: None,
        };
        let bad_key = TRowResult {
            row: Some(b"s1".to_vec()),
            columns: whole.columns.clone(),
            sorted_columns: None,
        };
        vec![whole, versions, bad_value, missing, bad_key]
    }

    fn reply(protocol: Protocol, name: &str, results: Vec<TRowResult>) -> Bytes {
        let result = HbaseScannerGetListResult {
            result_value: Some(results),
            io: None,
            ia: None,
        };
        let ident = TMessageIdentifier::new(name, TMessageType::Reply, 1);
        let mut out = Vec::new();
        wire::encode(protocol, Transport::Buffered, &ident, &mut out, |o| {
            result.write_to_out_protocol(o)
        })
        .unwrap();
        Bytes::from(out)
    }

    type Decoded = Vec<(Bytes, Result<Reading, String>)>;

    fn flat(rows: Vec<(Bytes, crate::Result<Reading>)>) -> Decoded {
        rows.into_iter()
            .map(|(k, v)| (k, v.map_err(|e| e.to_string())))
            .collect()
    }

    fn straight(protocol: Protocol, frame: &Bytes) -> crate::Result<Decoded> {
        rows::decode::<AllDecoded<Plain<Reading>>>(protocol, "scannerGetList", frame)
            .map(flat)
            .map_err(|e| crate::Error::from_thrift(e, "gw"))
    }

    fn through_rows(protocol: Protocol, frame: &Bytes) -> crate::Result<Decoded> {
        rows::rows(protocol, "scannerGetList", frame)
            .map(|rows| flat(AllDecoded::<Plain<Reading>>::from_rows(rows)))
            .map_err(|e| crate::Error::from_thrift(e, "gw"))
    }

    #[test]
    fn models_decode_straight_from_a_reply_as_through_its_rows() {
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let frame = reply(protocol, "scannerGetList", results());
            let mine = straight(protocol, &frame).unwrap();
            assert_eq!(mine, through_rows(protocol, &frame).unwrap(), "{protocol}");
            assert_eq!(mine[0].1, Ok(reading(1)));
            // One cell per column, the one a `Row` keeps; absent optional
            // and default cells.
            let two = mine[1].1.clone().unwrap();
            assert_eq!(two.name, "older");
            assert_eq!((two.note, two.level, two.hits), (None, 0, 0));
            assert_eq!(two.tags, [("a".to_owned(), "2".to_owned())].into());
            for i in [2, 3] {
                let e = mine[i].1.clone().unwrap_err();
                assert!(e.contains("readings") && e.contains("name"), "{e}");
            }
            assert!(mine[4].1.is_err());
            let first =
                rows::decode::<FirstDecoded<Plain<Reading>>>(protocol, "scannerGetList", &frame);
            assert_eq!(first.unwrap().unwrap().unwrap(), reading(1));
        }
    }

    #[test]
    fn a_bad_reply_is_the_error_the_rows_decoder_gives() {
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let frame = reply(protocol, "scannerGetList", results());
            for len in (0..frame.len()).step_by(7) {
                let cut = frame.slice(..len);
                let mine = straight(protocol, &cut).unwrap_err();
                let theirs = through_rows(protocol, &cut).unwrap_err();
                assert_eq!(
                    format!("{mine:?}"),
                    format!("{theirs:?}"),
                    "{protocol} {len}"
                );
            }
            let other = reply(protocol, "getRowWithColumns", results());
            let e = straight(protocol, &other).unwrap_err();
            assert!(matches!(e, crate::Error::Protocol { .. }), "{e:?}");
        }
    }
}
