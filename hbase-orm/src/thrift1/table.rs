//! [`Table`]: reads, writes, counters and metadata of one table, and the
//! [`Row`] and [`Cell`] types results come in.
//!
//! Calls with options are builders that run when awaited:
//! `table.row("key").columns(["cf:a"]).timestamp(ts).await`. Keys, columns and
//! values go in as anything `AsRef<[u8]>` (`&str`, `&[u8]`, `Vec<u8>`,
//! `Bytes`) and come out as [`Bytes`].
//!
//! # Column names
//! `"cf"` names the whole family `cf`; `"cf:q"` one column (split at the first
//! colon, so `"cf:q:x"` is qualifier `q:x`, and `"cf:"` the empty qualifier).
//! Result cells are keyed `family:qualifier`.

use std::collections::BTreeMap;
use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;

use bytes::Bytes;
use hbase_orm_idl::hbase::{
    HbaseAppendArgs, HbaseAtomicIncrementArgs, HbaseCheckAndPutArgs, HbaseDeleteAllRowArgs,
    HbaseDeleteAllRowTsArgs, HbaseGetColumnDescriptorsArgs, HbaseGetRowWithColumnsTsArgs,
    HbaseGetRowsWithColumnsArgs, HbaseGetRowsWithColumnsTsArgs, HbaseGetTableRegionsArgs,
    HbaseGetVerArgs, HbaseGetVerTsArgs, HbaseMutateRowArgs, HbaseMutateRowTsArgs, Mutation,
    TAppend,
};

use super::column::{check_column, columns_of, ColumnUse};
use super::connection::{ColumnFamily, Connection};
use super::request::{into_future, setters};
use super::view::{RowView, Viewed};
use crate::error::{Error, Result};
use crate::protocol::method::{Decoded, GetRow};
use crate::protocol::rows::{cell_from_thrift, AllDecoded, FirstDecoded};
use crate::value::DecodeRow;

pub use super::request::BoxFuture;
pub use crate::value::{Cell, Region, Row};

impl Connection {
    /// A handle on table `name` (prefixed with the table prefix). No call is
    /// made.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().table_prefix("app").build();
    /// let table = conn.table("users");
    /// assert_eq!(table.name(), "users");
    /// assert_eq!(table.full_name(), "app_users");
    /// ```
    pub fn table(&self, name: impl AsRef<str>) -> Table {
        let name = name.as_ref();
        Table::new(self.clone(), name.to_owned(), self.full_table_name(name))
    }
}

/// A handle on one table. Cheap to clone; making one does no call.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// let conn = hbase_orm::Connection::builder().build();
/// let table = conn.table("users");
/// table.put("u1", [("cf:name", "Ann"), ("cf:city", "Oslo")]).await?;
/// let row = table.row("u1").columns(["cf:name"]).await?.expect("just written");
/// assert_eq!(row.get("cf:name").map(|v| &v[..]), Some(&b"Ann"[..]));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Table {
    conn: Connection,
    name: Arc<str>,
    full_name: Arc<str>,
    /// A label of the model whose `Repo` holds this handle: the gateway
    /// has no cell visibility, so the typed layer's writes are refused.
    pub(crate) model_label: Option<&'static str>,
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("name", &self.name)
            .field("full_name", &self.full_name)
            .finish()
    }
}

impl Table {
    pub(crate) fn new(conn: Connection, name: String, full_name: String) -> Table {
        Table {
            conn,
            name: name.into(),
            full_name: full_name.into(),
            model_label: None,
        }
    }

    /// The table name, without the connection's table prefix.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().build();
    /// assert_eq!(conn.table("t").name(), "t");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The table name the gateway knows, with the prefix.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().table_prefix("p").build();
    /// assert_eq!(conn.table("t").full_name(), "p_t");
    /// ```
    pub fn full_name(&self) -> &str {
        &self.full_name
    }

    /// The connection of this table.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder().build();
    /// assert_eq!(conn.table("t").connection().addr(), conn.addr());
    /// ```
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn name_bytes(&self) -> Vec<u8> {
        self.full_name.as_bytes().to_vec()
    }

    /// Reads one row: all its cells, or those of `.columns(..)`, below
    /// `.timestamp(..)` (exclusive) when set. Resolves to `None` when the row
    /// has no (matching) cell.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table, [`Error::InvalidInput`] for a
    /// column with an empty family, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// if let Some(row) = table.row("k").columns(["cf:a", "other"]).timestamp(1_700_000_000_000).await? {
    ///     for (column, cell) in &row.cells {
    ///         println!("{column:?} = {:?} at {}", cell.value, cell.timestamp);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn row(&self, key: impl AsRef<[u8]>) -> RowRequest<'_> {
        RowRequest {
            table: self,
            key: key.as_ref().to_vec(),
            columns: Ok(Vec::new()),
            timestamp: None,
        }
    }

    /// Row `key`, only `columns` (all when empty), as [`Table::row`] reads
    /// it but from borrowed arguments: the key and the column names go
    /// straight into the request, nothing is copied (the typed layer's
    /// `get` reads its model's static columns this way).
    ///
    /// # Errors
    /// As [`Table::row`]; a bad column name before anything is sent.
    pub(crate) async fn row_of(&self, key: &[u8], columns: &[&[u8]]) -> Result<Option<Row>> {
        for column in columns {
            check_column(column, ColumnUse::Read)?;
        }
        Ok(self.get_row_call(key, columns).await?.into_iter().next())
    }

    /// Row `key`, only `columns`, as [`Table::row_of`] reads it, decoded by
    /// `D` straight from the reply: no [`Row`] is built. `None` when the
    /// reply has no row.
    ///
    /// # Errors
    /// As [`Table::row_of`]; what `D` fails with.
    pub(crate) async fn row_decoded<D: DecodeRow>(
        &self,
        key: &[u8],
        columns: &[&[u8]],
    ) -> Result<Option<D::Output>> {
        for column in columns {
            check_column(column, ColumnUse::Read)?;
        }
        let get = Decoded::<_, FirstDecoded<D>>::new(self.get_row_args(key, columns));
        let first = self.conn.call(&get).await?;
        first.transpose()
    }

    /// The rows of `keys`, only `columns`, as [`Table::rows`] reads them,
    /// each decoded by `D` straight from the reply: its key (a slice of the
    /// reply) and its value or the error decoding it.
    ///
    /// # Errors
    /// As [`Table::rows`].
    pub(crate) async fn rows_decoded<D: DecodeRow>(
        &self,
        keys: &[&[u8]],
        columns: &[&[u8]],
    ) -> Result<Vec<(Bytes, Result<D::Output>)>> {
        let columns = columns_of(columns, ColumnUse::Read)?;
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys = keys.iter().map(|k| k.to_vec()).collect();
        let get = self.get_rows_args(keys, columns);
        self.conn.call(&Decoded::<_, AllDecoded<D>>::new(get)).await
    }

    /// The arguments of a `getRowsWithColumns` call.
    fn get_rows_args(
        &self,
        rows: Vec<Vec<u8>>,
        columns: Vec<Vec<u8>>,
    ) -> HbaseGetRowsWithColumnsArgs {
        HbaseGetRowsWithColumnsArgs {
            table_name: self.name_bytes(),
            rows,
            columns,
            attributes: BTreeMap::new(),
        }
    }

    /// The `getRowWithColumns` call of a read without a timestamp, on
    /// columns already checked, borrowed from the caller.
    async fn get_row_call<C: AsRef<[u8]>>(&self, key: &[u8], columns: &[C]) -> Result<Vec<Row>> {
        self.conn.call(&self.get_row_args(key, columns)).await
    }

    /// The arguments of a `getRowWithColumns` call, borrowed from the
    /// caller.
    fn get_row_args<'a, C>(&'a self, key: &'a [u8], columns: &'a [C]) -> GetRow<'a, C> {
        GetRow {
            table_name: self.full_name().as_bytes(),
            row: key,
            columns,
        }
    }

    /// Reads several rows in one call, with the options of [`Table::row`].
    /// Rows come in the order the gateway returns them; rows without
    /// (matching) cells are left out, so the result need not line up with
    /// `keys`.
    ///
    /// # Errors
    /// As [`Table::row`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// for row in table.rows(["a", "b", "c"]).columns(["cf"]).await? {
    ///     println!("{:?}: {} cells", row.key, row.cells.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn rows<I, K>(&self, keys: I) -> RowsRequest<'_>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<[u8]>,
    {
        RowsRequest {
            table: self,
            keys: keys.into_iter().map(|k| k.as_ref().to_vec()).collect(),
            columns: Ok(Vec::new()),
            timestamp: None,
        }
    }

    /// Reads the versions of one cell, newest first: all that the family
    /// keeps, or `.versions(n)`, below `.timestamp(..)` (exclusive) when set.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for `versions(0)` or a bad column, else as
    /// [`Table::row`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let history = table.cells("k", "cf:price").versions(5).await?;
    /// for cell in history {
    ///     println!("{:?} at {}", cell.value, cell.timestamp);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn cells(&self, key: impl AsRef<[u8]>, column: impl AsRef<[u8]>) -> CellsRequest<'_> {
        CellsRequest {
            table: self,
            key: key.as_ref().to_vec(),
            column: column.as_ref().to_vec(),
            versions: None,
            timestamp: None,
        }
    }

    /// Writes cells of one row: `data` is `(column, value)` pairs, columns
    /// named `family:qualifier`. Options: `.timestamp(ts)` (default: the
    /// server's time) and `.wal(false)` to skip the write-ahead log.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a column without qualifier,
    /// [`Error::Server`] for a missing table or family, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// table.put("k", [("cf:a", "1"), ("cf:b", "2")]).timestamp(1234).await?;
    /// # Ok(()) }
    /// ```
    pub fn put<I, C, V>(&self, key: impl AsRef<[u8]>, data: I) -> PutRequest<'_>
    where
        I: IntoIterator<Item = (C, V)>,
        C: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mutations = data
            .into_iter()
            .map(|(c, v)| {
                check_column(c.as_ref(), ColumnUse::Write)?;
                Ok(Mutation {
                    is_delete: Some(false),
                    column: Some(c.as_ref().to_vec()),
                    value: Some(v.as_ref().to_vec()),
                    write_to_w_a_l: Some(true),
                })
            })
            .collect();
        PutRequest {
            table: self,
            key: key.as_ref().to_vec(),
            mutations,
            timestamp: None,
            wal: true,
        }
    }

    /// Deletes a whole row, or with `.columns(..)` some families (`cf`) or
    /// columns (`cf:q`). With `.timestamp(ts)`, only versions at or before
    /// `ts` are deleted; `.wal(false)` skips the write-ahead log.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a column with an empty family,
    /// [`Error::Server`] for a missing table, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// table.delete("k").columns(["cf:a", "other_family"]).await?;
    /// table.delete("k").await?; // the whole row
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, key: impl AsRef<[u8]>) -> DeleteRequest<'_> {
        DeleteRequest {
            table: self,
            key: key.as_ref().to_vec(),
            columns: None,
            timestamp: None,
            wal: true,
        }
    }

    /// The value of a counter column (0 when it does not exist).
    ///
    /// # Errors
    /// [`Error::Server`] when the cell exists and is not 8 bytes long, or the
    /// table is missing; connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let visits = table.counter_get("page1", "stats:visits").await?;
    /// # Ok(()) }
    /// ```
    pub async fn counter_get(
        &self,
        key: impl AsRef<[u8]>,
        column: impl AsRef<[u8]>,
    ) -> Result<i64> {
        self.counter_inc(key, column, 0).await
    }

    /// Sets a counter column to `value` (a put of the 8-byte big-endian
    /// encoding).
    ///
    /// # Errors
    /// As [`Table::put`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// table.counter_set("page1", "stats:visits", 100).await?;
    /// # Ok(()) }
    /// ```
    pub async fn counter_set(
        &self,
        key: impl AsRef<[u8]>,
        column: impl AsRef<[u8]>,
        value: i64,
    ) -> Result<()> {
        self.put(key, [(column.as_ref(), &value.to_be_bytes()[..])])
            .await
    }

    /// Adds `value` (which may be negative) to a counter column and returns
    /// the new value. A missing counter starts at 0.
    ///
    /// # Errors
    /// [`Error::Server`] when the cell exists and is not 8 bytes long, or the
    /// table is missing; [`Error::InvalidInput`] for a column without
    /// qualifier; connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let n = table.counter_inc("page1", "stats:visits", 1).await?;
    /// # Ok(()) }
    /// ```
    pub async fn counter_inc(
        &self,
        key: impl AsRef<[u8]>,
        column: impl AsRef<[u8]>,
        value: i64,
    ) -> Result<i64> {
        check_column(column.as_ref(), ColumnUse::Write)?;
        self.conn
            .call(&HbaseAtomicIncrementArgs {
                table_name: self.name_bytes(),
                row: key.as_ref().to_vec(),
                column: column.as_ref().to_vec(),
                value,
            })
            .await
    }

    /// Subtracts `value` from a counter column and returns the new value.
    ///
    /// # Errors
    /// As [`Table::counter_inc`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let left = table.counter_dec("stock", "cf:apples", 3).await?;
    /// # Ok(()) }
    /// ```
    pub async fn counter_dec(
        &self,
        key: impl AsRef<[u8]>,
        column: impl AsRef<[u8]>,
        value: i64,
    ) -> Result<i64> {
        let delta = value.checked_neg().ok_or_else(|| {
            Error::InvalidInput(format!("cannot decrement by {value}: it has no negation"))
        })?;
        self.counter_inc(key, column, delta).await
    }

    /// Appends bytes to cells (a missing cell is created) and returns the
    /// resulting cells, sorted by column name.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a column without qualifier,
    /// [`Error::Server`] for a missing table or family, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let cells = table.append("k", [("cf:log", ",event")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn append<I, C, V>(&self, key: impl AsRef<[u8]>, data: I) -> Result<Vec<Cell>>
    where
        I: IntoIterator<Item = (C, V)>,
        C: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mut columns = Vec::new();
        let mut values = Vec::new();
        for (c, v) in data {
            check_column(c.as_ref(), ColumnUse::Write)?;
            columns.push(c.as_ref().to_vec());
            values.push(v.as_ref().to_vec());
        }
        let cells = self
            .conn
            .call(&HbaseAppendArgs {
                append: TAppend {
                    table: Some(self.name_bytes()),
                    row: Some(key.as_ref().to_vec()),
                    columns: Some(columns),
                    values: Some(values),
                },
            })
            .await?;
        Ok(cells.into_iter().map(cell_from_thrift).collect())
    }

    /// Atomically puts `value` into `column` if a check passes: by default
    /// that the checked column (the same `column`, or `.check_column(..)`) has
    /// no value; with `.if_equals(v)`, that it holds `v`. Resolves to whether
    /// the put was made.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a column without qualifier,
    /// [`Error::Server`] for a missing table, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let claimed = table.check_and_put("job1", "cf:owner", "worker-7").await?;
    /// let moved = table
    ///     .check_and_put("job1", "cf:state", "running")
    ///     .if_equals("queued")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn check_and_put(
        &self,
        key: impl AsRef<[u8]>,
        column: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> CheckAndPutRequest<'_> {
        CheckAndPutRequest {
            table: self,
            key: key.as_ref().to_vec(),
            column: column.as_ref().to_vec(),
            value: value.as_ref().to_vec(),
            check_column: None,
            expected: None,
            wal: true,
        }
    }

    /// The column families of the table, with their options, by name.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table, connection errors.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// for family in table.families().await? {
    ///     println!("{} keeps {} versions", family.name, family.max_versions);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn families(&self) -> Result<Vec<ColumnFamily>> {
        let descriptors = self
            .conn
            .call(&HbaseGetColumnDescriptorsArgs {
                table_name: self.name_bytes(),
            })
            .await?;
        let mut families: Vec<ColumnFamily> = descriptors
            .into_iter()
            .map(|(name, mut d)| {
                if d.name.as_ref().map_or(true, |n| n.is_empty()) {
                    d.name = Some(name);
                }
                ColumnFamily::from_descriptor(d)
            })
            .collect();
        families.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(families)
    }

    /// The regions of the table (empty for a missing table).
    ///
    /// # Errors
    /// Connection errors, [`Error::Server`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// for region in table.regions().await? {
    ///     println!("{:?}..{:?} on {:?}", region.start_key, region.end_key, region.server_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn regions(&self) -> Result<Vec<Region>> {
        let regions = self
            .conn
            .call(&HbaseGetTableRegionsArgs {
                table_name: self.name_bytes(),
            })
            .await?;
        Ok(regions
            .into_iter()
            .map(|r| Region {
                start_key: r.start_key.map(Bytes::from).unwrap_or_default(),
                end_key: r.end_key.map(Bytes::from).unwrap_or_default(),
                id: r.id.unwrap_or_default(),
                name: r.name.map(Bytes::from).unwrap_or_default(),
                version: r.version.unwrap_or_default(),
                server_name: r.server_name.map(Bytes::from).unwrap_or_default(),
                port: r.port.unwrap_or_default(),
            })
            .collect())
    }
}

/// Reads one row; built by [`Table::row`], runs when awaited.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// let row: Option<hbase_orm::Row> = table.row("k").columns(["cf"]).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct RowRequest<'a> {
    table: &'a Table,
    key: Vec<u8>,
    columns: Result<Vec<Vec<u8>>>,
    timestamp: Option<i64>,
}

impl fmt::Debug for RowRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowRequest")
            .field("table", &self.table.full_name)
            .field("key", &Bytes::copy_from_slice(&self.key))
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

setters! {
    RowRequest<'_> {
        /// Reads only these families (`cf`) and columns (`cf:q`).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// let row = table.row("k").columns(["cf:a", "other"]).await?;
        /// # Ok(()) }
        /// ```
        columns;
        /// Reads only versions older than `timestamp` (exclusive bound).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// let before = table.row("k").timestamp(1_700_000_000_000).await?;
        /// # Ok(()) }
        /// ```
        timestamp;
    }
}

impl RowRequest<'_> {
    /// Reads the row as a [`RowView`]: read where it lies in the reply,
    /// with no [`Row`] built (no map, no shared slice per cell). The same
    /// row, options and errors as awaiting the request.
    ///
    /// # Errors
    /// As [`Table::row`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// if let Some(row) = table.row("k").columns(["cf"]).view().await? {
    ///     println!("{:?}", row.get("cf:name"));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn view(self) -> Result<Option<RowView>> {
        let columns = self.columns?;
        let table = self.table;
        let views = match self.timestamp {
            None => {
                let args = table.get_row_args(&self.key, &columns);
                table.conn.call(&Viewed(args)).await?
            }
            Some(timestamp) => {
                table
                    .conn
                    .call(&Viewed(HbaseGetRowWithColumnsTsArgs {
                        table_name: table.name_bytes(),
                        row: self.key,
                        columns,
                        timestamp,
                        attributes: BTreeMap::new(),
                    }))
                    .await?
            }
        };
        Ok(views.into_iter().next())
    }

    async fn run(self) -> Result<Option<Row>> {
        let columns = self.columns?;
        let rows = match self.timestamp {
            None => self.table.get_row_call(&self.key, &columns).await?,
            Some(timestamp) => {
                let table_name = self.table.name_bytes();
                self.table
                    .conn
                    .call(&HbaseGetRowWithColumnsTsArgs {
                        table_name,
                        row: self.key,
                        columns,
                        timestamp,
                        attributes: BTreeMap::new(),
                    })
                    .await?
            }
        };
        Ok(rows.into_iter().next())
    }
}

/// Reads several rows; built by [`Table::rows`], runs when awaited.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// let rows: Vec<hbase_orm::Row> = table.rows(["a", "b"]).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct RowsRequest<'a> {
    table: &'a Table,
    keys: Vec<Vec<u8>>,
    columns: Result<Vec<Vec<u8>>>,
    timestamp: Option<i64>,
}

impl fmt::Debug for RowsRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowsRequest")
            .field("table", &self.table.full_name)
            .field("keys", &self.keys.len())
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

setters! {
    RowsRequest<'_> {
        /// Reads only these families (`cf`) and columns (`cf:q`).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// let rows = table.rows(["a", "b"]).columns(["cf:a"]).await?;
        /// # Ok(()) }
        /// ```
        columns;
        /// Reads only versions older than `timestamp` (exclusive bound).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// let rows = table.rows(["a", "b"]).timestamp(1_700_000_000_000).await?;
        /// # Ok(()) }
        /// ```
        timestamp;
    }
}

impl RowsRequest<'_> {
    /// Reads the rows as [`RowView`]s: read where they lie in the reply,
    /// with no [`Row`] built. The same rows, options and errors as awaiting
    /// the request.
    ///
    /// # Errors
    /// As [`Table::rows`].
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// for row in table.rows(["a", "b"]).views().await? {
    ///     println!("{:?}: {} cells", row.key(), row.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn views(self) -> Result<Vec<RowView>> {
        let columns = self.columns?;
        if self.keys.is_empty() {
            return Ok(Vec::new());
        }
        let table = self.table;
        match self.timestamp {
            None => {
                let get = table.get_rows_args(self.keys, columns);
                table.conn.call(&Viewed(get)).await
            }
            Some(timestamp) => {
                table
                    .conn
                    .call(&Viewed(HbaseGetRowsWithColumnsTsArgs {
                        table_name: table.name_bytes(),
                        rows: self.keys,
                        columns,
                        timestamp,
                        attributes: BTreeMap::new(),
                    }))
                    .await
            }
        }
    }

    async fn run(self) -> Result<Vec<Row>> {
        let columns = self.columns?;
        if self.keys.is_empty() {
            return Ok(Vec::new());
        }
        let rows = match self.timestamp {
            None => {
                let get = self.table.get_rows_args(self.keys, columns);
                self.table.conn.call(&get).await?
            }
            Some(timestamp) => {
                self.table
                    .conn
                    .call(&HbaseGetRowsWithColumnsTsArgs {
                        table_name: self.table.name_bytes(),
                        rows: self.keys,
                        columns,
                        timestamp,
                        attributes: BTreeMap::new(),
                    })
                    .await?
            }
        };
        Ok(rows)
    }
}

/// Reads the versions of one cell; built by [`Table::cells`], runs when
/// awaited.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// let cells: Vec<hbase_orm::Cell> = table.cells("k", "cf:a").versions(3).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct CellsRequest<'a> {
    table: &'a Table,
    key: Vec<u8>,
    column: Vec<u8>,
    versions: Option<u32>,
    timestamp: Option<i64>,
}

impl fmt::Debug for CellsRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CellsRequest")
            .field("table", &self.table.full_name)
            .field("key", &Bytes::copy_from_slice(&self.key))
            .field("column", &Bytes::copy_from_slice(&self.column))
            .field("versions", &self.versions)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

setters! {
    CellsRequest<'_> {
        /// Reads only versions older than `timestamp` (exclusive bound).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// let older = table.cells("k", "cf:a").timestamp(1_700_000_000_000).await?;
        /// # Ok(()) }
        /// ```
        timestamp;
    }
}

impl CellsRequest<'_> {
    /// Reads at most `n` versions (at least 1).
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let last_two = table.cells("k", "cf:a").versions(2).await?;
    /// # Ok(()) }
    /// ```
    pub fn versions(mut self, n: u32) -> Self {
        self.versions = Some(n);
        self
    }

    async fn run(self) -> Result<Vec<Cell>> {
        check_column(&self.column, ColumnUse::Read)?;
        let num_versions = match self.versions {
            None => i32::MAX,
            Some(0) => {
                return Err(Error::InvalidInput(
                    "versions must be at least 1".to_owned(),
                ))
            }
            Some(n) => i32::try_from(n).unwrap_or(i32::MAX),
        };
        let table_name = self.table.name_bytes();
        let cells = match self.timestamp {
            None => {
                self.table
                    .conn
                    .call(&HbaseGetVerArgs {
                        table_name,
                        row: self.key,
                        column: self.column,
                        num_versions,
                        attributes: BTreeMap::new(),
                    })
                    .await?
            }
            Some(timestamp) => {
                self.table
                    .conn
                    .call(&HbaseGetVerTsArgs {
                        table_name,
                        row: self.key,
                        column: self.column,
                        timestamp,
                        num_versions,
                        attributes: BTreeMap::new(),
                    })
                    .await?
            }
        };
        Ok(cells.into_iter().map(cell_from_thrift).collect())
    }
}

/// Writes cells of one row; built by [`Table::put`], runs when awaited.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// table.put("k", [("cf:a", "1")]).wal(false).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct PutRequest<'a> {
    table: &'a Table,
    key: Vec<u8>,
    mutations: Result<Vec<Mutation>>,
    timestamp: Option<i64>,
    wal: bool,
}

impl fmt::Debug for PutRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutRequest")
            .field("table", &self.table.full_name)
            .field("key", &Bytes::copy_from_slice(&self.key))
            .field("timestamp", &self.timestamp)
            .field("wal", &self.wal)
            .finish_non_exhaustive()
    }
}

setters! {
    PutRequest<'_> {
        /// Writes the cells at `timestamp` instead of the server's time.
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// table.put("k", [("cf:a", "v")]).timestamp(1_700_000_000_000).await?;
        /// # Ok(()) }
        /// ```
        timestamp;
        /// Whether to write to the write-ahead log (default true).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// table.put("k", [("cf:a", "v")]).wal(false).await?;
        /// # Ok(()) }
        /// ```
        wal;
    }
}

impl PutRequest<'_> {
    async fn run(self) -> Result<()> {
        let mut mutations = self.mutations?;
        if mutations.is_empty() {
            return Ok(());
        }
        for m in &mut mutations {
            m.write_to_w_a_l = Some(self.wal);
        }
        mutate_row(self.table, self.key, mutations, self.timestamp).await
    }
}

async fn mutate_row(
    table: &Table,
    row: Vec<u8>,
    mutations: Vec<Mutation>,
    timestamp: Option<i64>,
) -> Result<()> {
    let table_name = table.name_bytes();
    match timestamp {
        None => {
            table
                .conn
                .call(&HbaseMutateRowArgs {
                    table_name,
                    row,
                    mutations,
                    attributes: BTreeMap::new(),
                })
                .await
        }
        Some(timestamp) => {
            table
                .conn
                .call(&HbaseMutateRowTsArgs {
                    table_name,
                    row,
                    mutations,
                    timestamp,
                    attributes: BTreeMap::new(),
                })
                .await
        }
    }
}

/// Deletes a row or some of its cells; built by [`Table::delete`], runs when
/// awaited.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// table.delete("k").columns(["cf:a"]).timestamp(1_700_000_000_000).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct DeleteRequest<'a> {
    table: &'a Table,
    key: Vec<u8>,
    columns: Option<Result<Vec<Vec<u8>>>>,
    timestamp: Option<i64>,
    wal: bool,
}

impl fmt::Debug for DeleteRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeleteRequest")
            .field("table", &self.table.full_name)
            .field("key", &Bytes::copy_from_slice(&self.key))
            .field("timestamp", &self.timestamp)
            .field("wal", &self.wal)
            .finish_non_exhaustive()
    }
}

setters! {
    DeleteRequest<'_> {
        /// Deletes only these families (`cf`) and columns (`cf:q`), not the
        /// whole row.
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// table.delete("k").columns(["cf:a"]).await?;
        /// # Ok(()) }
        /// ```
        columns;
        /// Deletes only versions at or before `timestamp` (inclusive bound).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// table.delete("k").timestamp(1_700_000_000_000).await?;
        /// # Ok(()) }
        /// ```
        timestamp;
        /// Whether to write to the write-ahead log (default true).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// table.delete("k").wal(false).await?;
        /// # Ok(()) }
        /// ```
        wal;
    }
}

impl DeleteRequest<'_> {
    async fn run(self) -> Result<()> {
        match self.columns {
            None => {
                let table_name = self.table.name_bytes();
                match self.timestamp {
                    None => {
                        self.table
                            .conn
                            .call(&HbaseDeleteAllRowArgs {
                                table_name,
                                row: self.key,
                                attributes: BTreeMap::new(),
                            })
                            .await
                    }
                    Some(timestamp) => {
                        self.table
                            .conn
                            .call(&HbaseDeleteAllRowTsArgs {
                                table_name,
                                row: self.key,
                                timestamp,
                                attributes: BTreeMap::new(),
                            })
                            .await
                    }
                }
            }
            Some(columns) => {
                let columns = columns?;
                if columns.is_empty() {
                    return Ok(());
                }
                let mutations = columns
                    .into_iter()
                    .map(|column| Mutation {
                        is_delete: Some(true),
                        column: Some(column),
                        value: None,
                        write_to_w_a_l: Some(self.wal),
                    })
                    .collect();
                mutate_row(self.table, self.key, mutations, self.timestamp).await
            }
        }
    }
}

/// A conditional put; built by [`Table::check_and_put`], runs when awaited.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// let written: bool = table.check_and_put("k", "cf:lock", "me").await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct CheckAndPutRequest<'a> {
    table: &'a Table,
    key: Vec<u8>,
    column: Vec<u8>,
    value: Vec<u8>,
    check_column: Option<Vec<u8>>,
    expected: Option<Vec<u8>>,
    wal: bool,
}

impl fmt::Debug for CheckAndPutRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckAndPutRequest")
            .field("table", &self.table.full_name)
            .field("key", &Bytes::copy_from_slice(&self.key))
            .field("column", &Bytes::copy_from_slice(&self.column))
            .finish_non_exhaustive()
    }
}

setters! {
    CheckAndPutRequest<'_> {
        /// Whether to write to the write-ahead log (default true).
        ///
        /// # Examples
        /// ```no_run
        /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
        /// # let table = hbase_orm::Connection::builder().build().table("t");
        /// table.check_and_put("k", "cf:a", "v").wal(false).await?;
        /// # Ok(()) }
        /// ```
        wal;
    }
}

impl CheckAndPutRequest<'_> {
    /// Puts only if the checked column holds `expected` (instead of: only if
    /// it has no value).
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let swapped = table.check_and_put("k", "cf:v", "2").if_equals("1").await?;
    /// # Ok(()) }
    /// ```
    pub fn if_equals(mut self, expected: impl AsRef<[u8]>) -> Self {
        self.expected = Some(expected.as_ref().to_vec());
        self
    }

    /// Checks this column instead of the one written.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let done = table.check_and_put("k", "cf:state", "done").check_column("cf:lock").if_equals("me").await?;
    /// # Ok(()) }
    /// ```
    pub fn check_column(mut self, column: impl AsRef<[u8]>) -> Self {
        self.check_column = Some(column.as_ref().to_vec());
        self
    }

    async fn run(self) -> Result<bool> {
        check_column(&self.column, ColumnUse::Write)?;
        let checked = self.check_column.unwrap_or_else(|| self.column.clone());
        check_column(&checked, ColumnUse::Write)?;
        self.table
            .conn
            .call(&HbaseCheckAndPutArgs {
                table_name: self.table.name_bytes(),
                row: self.key,
                column: checked,
                // HBase checks for absence when the expected value is empty.
                value: self.expected.unwrap_or_default(),
                mput: Mutation {
                    is_delete: Some(false),
                    column: Some(self.column),
                    value: Some(self.value),
                    write_to_w_a_l: Some(self.wal),
                },
                attributes: BTreeMap::new(),
            })
            .await
    }
}

into_future! {
    RowRequest => Option<Row>;
    RowsRequest => Vec<Row>;
    CellsRequest => Vec<Cell>;
    PutRequest => ();
    DeleteRequest => ();
    CheckAndPutRequest => bool;
}
