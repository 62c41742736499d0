//! [`Table`]: the data calls of a Thrift2 table.

use hbase_orm_idl::hbase2::{self as idl, TRowMutations};

use super::connection::Connection;
use super::request::{bytes, Append, CompareOp, Delete, Get, Increment, Mutation, Put};
use super::result::{RegionLocation, RowResult};
use super::scan::{ScanOptions, Scanner};
use crate::error::{Error, Result};

/// A table of a Thrift2 gateway: reads, writes, conditional writes, atomic
/// row mutations, scans and region locations. Cheap to clone; nothing is
/// sent until a call is made.
///
/// # Examples
/// ```no_run
/// use hbase_orm::thrift2::{CompareOp, Connection, Get, Increment, Put};
///
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// let conn = Connection::builder().build();
/// let t = conn.table("accounts");
/// t.put(Put::new("a1").value("cf", "state", "open")).await?;
/// let closed = t
///     .check_and_mutate("a1", "cf", "state", CompareOp::EQUAL, Some(&b"open"[..]),
///         [Put::new("a1").value("cf", "state", "closed").into()])
///     .await?;
/// assert!(closed);
/// let n = t.increment(Increment::new("a1").add("cf", "n", 1)).await?;
/// let row = t.get(Get::new("a1").max_versions(2)).await?;
/// # let _ = (n, row); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    conn: Connection,
    name: String,
}

fn check_row(row: &[u8]) -> Result<()> {
    if row.is_empty() {
        return Err(Error::InvalidInput("the row key is empty".to_owned()));
    }
    Ok(())
}

fn check_family(family: &[u8]) -> Result<()> {
    if family.is_empty() {
        return Err(Error::InvalidInput("the column family is empty".to_owned()));
    }
    Ok(())
}

fn check_put(put: &Put) -> Result<()> {
    check_row(&put.wire().row)?;
    if put.is_empty() {
        return Err(Error::InvalidInput(format!(
            "the put to row {:?} has no cell",
            String::from_utf8_lossy(&put.wire().row)
        )));
    }
    check_visibility(put.wire().cell_visibility.as_ref())?;
    put.wire()
        .column_values
        .iter()
        .try_for_each(|c| check_family(&c.family))
}

fn check_visibility(v: Option<&idl::TCellVisibility>) -> Result<()> {
    match v.and_then(|v| v.expression.as_deref()) {
        Some(e) => super::visibility::check_expression(e),
        None => Ok(()),
    }
}

/// The wire form of each of `items`, each checked first by `check`.
fn checked<T, W>(
    items: impl IntoIterator<Item = T>,
    check: impl Fn(&T) -> Result<()>,
    into_wire: impl Fn(T) -> W,
) -> Result<Vec<W>> {
    items
        .into_iter()
        .map(|item| check(&item).map(|()| into_wire(item)))
        .collect()
}

/// A reply's row; `None` when it has no cell (a read that found nothing,
/// a write asked for no result).
fn found(r: idl::TResult) -> Option<RowResult> {
    let r = RowResult::from_wire(r);
    (!r.is_empty()).then_some(r)
}

impl Connection {
    /// Table `name` (`namespace:table`, or `table` in the default
    /// namespace), to read and write. Nothing is sent.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::thrift2::Connection::builder().build();
    /// assert_eq!(conn.table("ns:events").name(), "ns:events");
    /// ```
    pub fn table(&self, name: impl Into<String>) -> Table {
        Table {
            conn: self.clone(),
            name: name.into(),
        }
    }
}

impl Table {
    /// The table's name, as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connection the table's calls go through.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn table(&self) -> Vec<u8> {
        self.name.as_bytes().to_vec()
    }

    /// Reads one row; `None` when the row has no cell the read may see.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table or family (its
    /// [`kind`](Error::kind) is `NotFound`) or a bad filter; connection
    /// errors.
    pub async fn get(&self, get: Get) -> Result<Option<RowResult>> {
        check_row(&get.wire().row)?;
        self.conn
            .call(&idl::THBaseServiceGetArgs {
                table: self.table(),
                tget: get.into_wire(),
            })
            .await
            .map(found)
    }

    /// Reads several rows in one call: one entry per read, in order.
    ///
    /// # Errors
    /// As [`Table::get`].
    pub async fn get_many(
        &self,
        gets: impl IntoIterator<Item = Get>,
    ) -> Result<Vec<Option<RowResult>>> {
        let tgets = checked(gets, |g| check_row(&g.wire().row), Get::into_wire)?;
        if tgets.is_empty() {
            return Ok(Vec::new());
        }
        let rs = self
            .conn
            .call(&idl::THBaseServiceGetMultipleArgs {
                table: self.table(),
                tgets,
            })
            .await?;
        Ok(rs.into_iter().map(found).collect())
    }

    /// Whether the read would find any cell (no cell is sent back).
    ///
    /// # Errors
    /// As [`Table::get`].
    pub async fn exists(&self, get: Get) -> Result<bool> {
        check_row(&get.wire().row)?;
        self.conn
            .call(&idl::THBaseServiceExistsArgs {
                table: self.table(),
                tget: get.into_wire(),
            })
            .await
    }

    /// [`Table::exists`] for several reads in one call.
    ///
    /// # Errors
    /// As [`Table::get`].
    pub async fn exists_many(&self, gets: impl IntoIterator<Item = Get>) -> Result<Vec<bool>> {
        let tgets = checked(gets, |g| check_row(&g.wire().row), Get::into_wire)?;
        if tgets.is_empty() {
            return Ok(Vec::new());
        }
        self.conn
            .call(&idl::THBaseServiceExistsAllArgs {
                table: self.table(),
                tgets,
            })
            .await
    }

    /// Writes cells to one row.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a put with no cell or an empty row key
    /// or family; [`Error::Server`] for a missing table or family, or a bad
    /// visibility expression; connection errors.
    pub async fn put(&self, put: Put) -> Result<()> {
        check_put(&put)?;
        self.conn
            .call(&idl::THBaseServicePutArgs {
                table: self.table(),
                tput: put.into_wire(),
            })
            .await
    }

    /// Writes several puts in one call (not atomically across rows).
    ///
    /// # Errors
    /// As [`Table::put`].
    pub async fn put_many(&self, puts: impl IntoIterator<Item = Put>) -> Result<()> {
        let tputs = checked(puts, check_put, Put::into_wire)?;
        if tputs.is_empty() {
            return Ok(());
        }
        self.conn
            .call(&idl::THBaseServicePutMultipleArgs {
                table: self.table(),
                tputs,
            })
            .await
    }

    /// Deletes in one row.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table or family; connection errors.
    pub async fn delete(&self, delete: Delete) -> Result<()> {
        check_row(&delete.wire().row)?;
        self.conn
            .call(&idl::THBaseServiceDeleteSingleArgs {
                table: self.table(),
                tdelete: delete.into_wire(),
            })
            .await
    }

    /// Several deletes in one call; returns those the gateway did not
    /// apply (HBase 2 applies all or fails the call).
    ///
    /// # Errors
    /// As [`Table::delete`].
    pub async fn delete_many(
        &self,
        deletes: impl IntoIterator<Item = Delete>,
    ) -> Result<Vec<Delete>> {
        let tdeletes = checked(deletes, |d| check_row(&d.wire().row), Delete::into_wire)?;
        if tdeletes.is_empty() {
            return Ok(Vec::new());
        }
        let left = self
            .conn
            .call(&idl::THBaseServiceDeleteMultipleArgs {
                table: self.table(),
                tdeletes,
            })
            .await?;
        Ok(left.into_iter().map(Delete::from_wire).collect())
    }

    /// Adds to counters; the new values when the reply carries them
    /// ([`Increment::return_results`]).
    ///
    /// # Errors
    /// [`Error::Server`] for a cell that is not an 8-byte counter, a
    /// missing table or family; connection errors. Not retried unless the
    /// policy allows non-idempotent retries.
    pub async fn increment(&self, increment: Increment) -> Result<Option<RowResult>> {
        check_row(&increment.wire().row)?;
        check_visibility(increment.wire().cell_visibility.as_ref())?;
        if increment.wire().columns.is_empty() {
            return Err(Error::InvalidInput(
                "the increment has no column".to_owned(),
            ));
        }
        self.conn
            .call(&idl::THBaseServiceIncrementArgs {
                table: self.table(),
                tincrement: increment.into_wire(),
            })
            .await
            .map(found)
    }

    /// Appends to cells; the new values when the reply carries them
    /// ([`Append::return_results`]).
    ///
    /// # Errors
    /// As [`Table::increment`].
    pub async fn append(&self, append: Append) -> Result<Option<RowResult>> {
        check_row(&append.wire().row)?;
        check_visibility(append.wire().cell_visibility.as_ref())?;
        if append.wire().columns.is_empty() {
            return Err(Error::InvalidInput("the append has no column".to_owned()));
        }
        self.conn
            .call(&idl::THBaseServiceAppendArgs {
                table: self.table(),
                tappend: append.into_wire(),
            })
            .await
            .map(found)
    }

    /// Writes `put` if `family:qualifier` of `row` holds `expected`
    /// (`None`: if the cell is absent). Whether it was written.
    ///
    /// # Errors
    /// [`Error::Server`] when the put is to another row, for a missing
    /// table or family; connection errors.
    pub async fn check_and_put(
        &self,
        row: impl AsRef<[u8]>,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        expected: Option<&[u8]>,
        put: Put,
    ) -> Result<bool> {
        check_row(row.as_ref())?;
        check_put(&put)?;
        self.conn
            .call(&idl::THBaseServiceCheckAndPutArgs {
                table: self.table(),
                row: bytes(row),
                family: bytes(family),
                qualifier: bytes(qualifier),
                value: expected.map(<[u8]>::to_vec).unwrap_or_default(),
                tput: put.into_wire(),
            })
            .await
    }

    /// Applies `delete` if `family:qualifier` of `row` holds `expected`
    /// (`None`: if the cell is absent). Whether it was applied.
    ///
    /// # Errors
    /// As [`Table::check_and_put`].
    pub async fn check_and_delete(
        &self,
        row: impl AsRef<[u8]>,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        expected: Option<&[u8]>,
        delete: Delete,
    ) -> Result<bool> {
        check_row(row.as_ref())?;
        self.conn
            .call(&idl::THBaseServiceCheckAndDeleteArgs {
                table: self.table(),
                row: bytes(row),
                family: bytes(family),
                qualifier: bytes(qualifier),
                value: expected.map(<[u8]>::to_vec).unwrap_or_default(),
                tdelete: delete.into_wire(),
            })
            .await
    }

    /// Applies `mutations` to `row` atomically if `value op stored` holds
    /// for the newest `family:qualifier` of `row` (the given value on the
    /// left: `CompareOp::LESS` holds when `value` is less than the stored
    /// one). `value` `None` checks that the cell is absent (or empty).
    /// Whether they were applied.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for no mutation, one to another row, or
    /// `CompareOp::NO_OP` (nothing sent: real HBase never answers it);
    /// [`Error::Server`] for a missing table or family; connection errors.
    pub async fn check_and_mutate(
        &self,
        row: impl AsRef<[u8]>,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        op: CompareOp,
        value: Option<&[u8]>,
        mutations: impl IntoIterator<Item = Mutation>,
    ) -> Result<bool> {
        if op == CompareOp::NO_OP {
            // Real HBase fails NO_OP at the region server, where its client
            // retries it until the gateway's call times out: refused here.
            return Err(Error::InvalidInput(
                "CompareOp::NO_OP cannot be a condition (HBase refuses it)".to_owned(),
            ));
        }
        let row_mutations = row_mutations(row.as_ref(), mutations)?;
        check_family(family.as_ref())?;
        self.conn
            .call(&idl::THBaseServiceCheckAndMutateArgs {
                table: self.table(),
                row: bytes(row),
                family: bytes(family),
                qualifier: bytes(qualifier),
                compare_op: op,
                value: value.map(<[u8]>::to_vec).unwrap_or_default(),
                row_mutations,
            })
            .await
    }

    /// Applies puts and deletes to one row atomically.
    ///
    /// # Errors
    /// As [`Table::check_and_mutate`].
    pub async fn mutate_row(
        &self,
        row: impl AsRef<[u8]>,
        mutations: impl IntoIterator<Item = Mutation>,
    ) -> Result<()> {
        let trow_mutations = row_mutations(row.as_ref(), mutations)?;
        self.conn
            .call(&idl::THBaseServiceMutateRowArgs {
                table: self.table(),
                trow_mutations,
            })
            .await
    }

    /// A scan: a stream of rows (see [`Scanner`]).
    pub fn scan(&self, options: ScanOptions) -> Scanner {
        Scanner::new(self.conn.clone(), self.table(), options)
    }

    /// Up to `n` rows of a scan in one call, with no scanner left open on
    /// the gateway (its `getScannerResults`).
    ///
    /// # Errors
    /// As [`Table::get`]; [`Error::InvalidInput`] for `n` of 0 or past
    /// `i32::MAX`.
    pub async fn scan_once(&self, options: ScanOptions, n: usize) -> Result<Vec<RowResult>> {
        let num_rows = i32::try_from(n)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| Error::InvalidInput(format!("cannot fetch {n} rows at once")))?;
        let rs = self
            .conn
            .call(&idl::THBaseServiceGetScannerResultsArgs {
                table: self.table(),
                tscan: options.into_wire(),
                num_rows,
            })
            .await?;
        Ok(rs.into_iter().map(RowResult::from_wire).collect())
    }

    /// The region holding `row` (asked afresh of the cluster when
    /// `reload`).
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table; connection errors.
    pub async fn region_location(
        &self,
        row: impl AsRef<[u8]>,
        reload: bool,
    ) -> Result<RegionLocation> {
        let l = self
            .conn
            .call(&idl::THBaseServiceGetRegionLocationArgs {
                table: self.table(),
                row: bytes(row),
                reload,
            })
            .await?;
        Ok(RegionLocation::from_wire(l))
    }

    /// Every region of the table, in key order.
    ///
    /// # Errors
    /// [`Error::Server`] for a missing table; connection errors.
    pub async fn region_locations(&self) -> Result<Vec<RegionLocation>> {
        let ls = self
            .conn
            .call(&idl::THBaseServiceGetAllRegionLocationsArgs {
                table: self.table(),
            })
            .await?;
        Ok(ls.into_iter().map(RegionLocation::from_wire).collect())
    }
}

/// The mutations of one row, checked to be for that row.
fn row_mutations(
    row: &[u8],
    mutations: impl IntoIterator<Item = Mutation>,
) -> Result<TRowMutations> {
    check_row(row)?;
    let mutations: Vec<_> = mutations
        .into_iter()
        .map(|m| {
            if m.row() != row {
                return Err(Error::InvalidInput(format!(
                    "a mutation of row {:?} in the mutations of row {:?}",
                    String::from_utf8_lossy(m.row()),
                    String::from_utf8_lossy(row)
                )));
            }
            if let Mutation::Put(p) = &m {
                check_put(p)?;
            }
            Ok(m.into_wire())
        })
        .collect::<Result<_>>()?;
    if mutations.is_empty() {
        return Err(Error::InvalidInput(format!(
            "no mutation for row {:?}",
            String::from_utf8_lossy(row)
        )));
    }
    Ok(TRowMutations {
        row: row.to_vec(),
        mutations,
    })
}
