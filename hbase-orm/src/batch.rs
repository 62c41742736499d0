//! [`Batch`]: puts, deletes and counter increments buffered and sent in few
//! calls.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use bytes::Bytes;
use hbase_orm_idl::hbase::{
    BatchMutation, HbaseIncrementRowsArgs, HbaseMutateRowsArgs, HbaseMutateRowsTsArgs, Mutation,
    TIncrement,
};

use crate::error::{Error, Result};
use crate::table::{check_column, BoxFuture, ColumnUse, Table};
use crate::transport;

transport::method! {
    HbaseMutateRowsArgs => HbaseMutateRowsResult, "mutateRows", ();
    HbaseMutateRowsTsArgs => HbaseMutateRowsTsResult, "mutateRowsTs", ();
    HbaseIncrementRowsArgs => HbaseIncrementRowsResult, "incrementRows", ();
}

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

    /// Writes puts and deletes at `timestamp` instead of the server's time
    /// (deletes then remove versions at or before it).
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let batch = table.batch().timestamp(1_700_000_000_000);
    /// # assert!(batch.is_empty());
    /// ```
    pub fn timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Whether puts and deletes go to the write-ahead log (default true).
    ///
    /// # Examples
    /// ```
    /// # let table = hbase_orm::Connection::builder().build().table("t");
    /// let batch = table.batch().wal(false);
    /// # assert!(batch.is_empty());
    /// ```
    pub fn wal(mut self, wal: bool) -> Self {
        self.wal = wal;
        self
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
        let mut puts = Vec::new();
        for (c, v) in data {
            check_column(c.as_ref(), ColumnUse::Write)?;
            puts.push((c.as_ref().to_vec(), v.as_ref().to_vec()));
        }
        self.plan.put(key.as_ref(), puts, self.wal);
        self.maybe_send().await
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
        let columns = self.families.clone().unwrap_or_default();
        self.plan.delete(key.as_ref(), columns, self.wal);
        self.maybe_send().await
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
        let columns = crate::table::columns_of(columns, ColumnUse::Read)?;
        if columns.is_empty() {
            return Ok(());
        }
        self.plan.delete(key.as_ref(), columns, self.wal);
        self.maybe_send().await
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
        self.maybe_send().await
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

    async fn maybe_send(&mut self) -> Result<()> {
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
        while let Some(call) = self.plan.calls.first_mut() {
            let table_name = self.table.name_bytes();
            let result = match call {
                Call::Mutate(m) => {
                    // The mutations move into the call and back (kept on
                    // failure), without a copy.
                    let row_batches = std::mem::take(&mut m.rows);
                    match self.timestamp {
                        None => {
                            let args = HbaseMutateRowsArgs {
                                table_name,
                                row_batches,
                                attributes: BTreeMap::new(),
                            };
                            let result = conn.call(&args).await;
                            m.rows = args.row_batches;
                            result
                        }
                        Some(timestamp) => {
                            let args = HbaseMutateRowsTsArgs {
                                table_name,
                                row_batches,
                                timestamp,
                                attributes: BTreeMap::new(),
                            };
                            let result = conn.call(&args).await;
                            m.rows = args.row_batches;
                            result
                        }
                    }
                }
                Call::Increment(incs) => {
                    let increments = incs
                        .iter()
                        .map(|(row, column, amount)| TIncrement {
                            table: Some(table_name.clone()),
                            row: Some(row.to_vec()),
                            column: Some(column.clone()),
                            ammount: Some(*amount),
                        })
                        .collect();
                    conn.call(&HbaseIncrementRowsArgs { increments }).await
                }
            };
            if let Err(e) = result {
                self.plan.reindex();
                return Err(e);
            }
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

/// The calls a batch will make, in order.
#[derive(Debug, Default)]
struct Plan {
    calls: Vec<Call>,
    /// For each row, the index of the last call that touches it.
    last_call: HashMap<Bytes, usize>,
    /// Mutations and increments buffered.
    count: usize,
}

#[derive(Debug)]
enum Call {
    Mutate(MutateCall),
    Increment(Vec<(Bytes, Vec<u8>, i64)>),
}

/// One `mutateRows` call: the mutations of each row, in row order of first
/// appearance.
#[derive(Debug, Default)]
struct MutateCall {
    rows: Vec<BatchMutation>,
    index: HashMap<Bytes, usize>,
    /// Rows with a delete in this call: a later put would be applied first.
    deleted: HashSet<Bytes>,
    /// Columns put in this call: a second put of one would be ambiguous.
    put: HashSet<(Bytes, Vec<u8>)>,
}

impl MutateCall {
    fn row(&mut self, key: &Bytes) -> &mut Vec<Mutation> {
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.rows.push(BatchMutation {
                    row: Some(key.to_vec()),
                    mutations: Some(Vec::new()),
                });
                self.index.insert(key.clone(), self.rows.len() - 1);
                self.rows.len() - 1
            }
        };
        self.rows[i].mutations.get_or_insert_with(Vec::new)
    }

    fn len(&self) -> usize {
        self.rows
            .iter()
            .map(|r| r.mutations.as_ref().map_or(0, Vec::len))
            .sum()
    }
}

impl Call {
    fn rows(&self) -> Vec<Bytes> {
        match self {
            Call::Mutate(m) => m.index.keys().cloned().collect(),
            Call::Increment(incs) => incs.iter().map(|(r, _, _)| r.clone()).collect(),
        }
    }
}

impl Plan {
    /// The index of the latest call of the kind `is_kind` that an operation on
    /// `row` may join (no earlier than the last call touching `row`).
    fn joinable(&self, row: &Bytes, is_kind: fn(&Call) -> bool) -> Option<usize> {
        let floor = self.last_call.get(row).copied().unwrap_or(0);
        (floor..self.calls.len())
            .rev()
            .find(|&i| is_kind(&self.calls[i]))
    }

    fn mutate_call(&mut self, row: &Bytes, conflicts: impl Fn(&MutateCall) -> bool) -> usize {
        let found = self
            .joinable(row, |c| matches!(c, Call::Mutate(_)))
            .filter(|&i| match &self.calls[i] {
                Call::Mutate(m) => !conflicts(m),
                Call::Increment(_) => false,
            });
        let i = match found {
            Some(i) => i,
            None => {
                self.calls.push(Call::Mutate(MutateCall::default()));
                self.calls.len() - 1
            }
        };
        self.last_call.insert(row.clone(), i);
        i
    }

    fn put(&mut self, key: &[u8], puts: Vec<(Vec<u8>, Vec<u8>)>, wal: bool) {
        if puts.is_empty() {
            return;
        }
        let row = Bytes::copy_from_slice(key);
        let i = self.mutate_call(&row, |m| {
            m.deleted.contains(&row)
                || puts
                    .iter()
                    .any(|(c, _)| m.put.contains(&(row.clone(), c.clone())))
        });
        // A put repeating a column of the same put: the last value wins, in
        // its own call.
        let mut seen = HashSet::new();
        let mut rest = Vec::new();
        let mut first = Vec::new();
        for (c, v) in puts {
            if seen.insert(c.clone()) {
                first.push((c, v));
            } else {
                rest.push((c, v));
            }
        }
        self.count += first.len();
        if let Call::Mutate(m) = &mut self.calls[i] {
            for (c, _) in &first {
                m.put.insert((row.clone(), c.clone()));
            }
            let mutations = m.row(&row);
            mutations.extend(first.into_iter().map(|(c, v)| Mutation {
                is_delete: Some(false),
                column: Some(c),
                value: Some(v),
                write_to_w_a_l: Some(wal),
            }));
        }
        if !rest.is_empty() {
            self.put(key, rest, wal);
        }
    }

    fn delete(&mut self, key: &[u8], columns: Vec<Vec<u8>>, wal: bool) {
        if columns.is_empty() {
            return;
        }
        let row = Bytes::copy_from_slice(key);
        let i = self.mutate_call(&row, |_| false);
        self.count += columns.len();
        if let Call::Mutate(m) = &mut self.calls[i] {
            m.deleted.insert(row.clone());
            let mutations = m.row(&row);
            mutations.extend(columns.into_iter().map(|c| Mutation {
                is_delete: Some(true),
                column: Some(c),
                value: None,
                write_to_w_a_l: Some(wal),
            }));
        }
    }

    fn increment(&mut self, key: &[u8], column: Vec<u8>, amount: i64) {
        let row = Bytes::copy_from_slice(key);
        let i = match self.joinable(&row, |c| matches!(c, Call::Increment(_))) {
            Some(i) => i,
            None => {
                self.calls.push(Call::Increment(Vec::new()));
                self.calls.len() - 1
            }
        };
        self.last_call.insert(row.clone(), i);
        self.count += 1;
        if let Call::Increment(incs) = &mut self.calls[i] {
            incs.push((row, column, amount));
        }
    }

    fn pop_front(&mut self) {
        if !self.calls.is_empty() {
            let call = self.calls.remove(0);
            self.count -= match &call {
                Call::Mutate(m) => m.len(),
                Call::Increment(incs) => incs.len(),
            };
        }
    }

    /// Rebuilds the row index after calls were removed from the front.
    fn reindex(&mut self) {
        self.last_call.clear();
        for (i, call) in self.calls.iter().enumerate() {
            for row in call.rows() {
                self.last_call.insert(row, i);
            }
        }
    }

    fn clear(&mut self) {
        self.calls.clear();
        self.last_call.clear();
        self.count = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(plan: &Plan) -> Vec<String> {
        plan.calls
            .iter()
            .map(|c| match c {
                Call::Mutate(m) => m
                    .rows
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
        plan.put(
            row.as_bytes(),
            vec![(col.as_bytes().to_vec(), b"v".to_vec())],
            true,
        );
    }

    #[test]
    fn independent_rows_share_one_call() {
        let mut p = Plan::default();
        put(&mut p, "a", "cf:x");
        p.delete(b"b", vec![b"cf".to_vec()], true);
        put(&mut p, "c", "cf:x");
        put(&mut p, "a", "cf:y");
        assert_eq!(shape(&p), ["a[+cf:x,+cf:y] b[-cf] c[+cf:x]"]);
        assert_eq!(p.count, 4);
    }

    #[test]
    fn put_after_delete_of_a_row_goes_to_a_later_call() {
        let mut p = Plan::default();
        p.delete(b"a", vec![b"cf".to_vec()], true);
        put(&mut p, "a", "cf:x");
        put(&mut p, "b", "cf:x");
        assert_eq!(shape(&p), ["a[-cf]", "a[+cf:x] b[+cf:x]"]);
    }

    #[test]
    fn delete_after_put_stays_in_the_call() {
        let mut p = Plan::default();
        put(&mut p, "a", "cf:x");
        p.delete(b"a", vec![b"cf:x".to_vec()], true);
        assert_eq!(shape(&p), ["a[+cf:x,-cf:x]"]);
    }

    #[test]
    fn repeated_put_of_a_column_is_split() {
        let mut p = Plan::default();
        put(&mut p, "a", "cf:x");
        put(&mut p, "a", "cf:x");
        assert_eq!(shape(&p), ["a[+cf:x]", "a[+cf:x]"]);
        let mut q = Plan::default();
        q.put(
            b"a",
            vec![
                (b"cf:x".to_vec(), b"1".to_vec()),
                (b"cf:x".to_vec(), b"2".to_vec()),
            ],
            true,
        );
        assert_eq!(shape(&q), ["a[+cf:x]", "a[+cf:x]"]);
    }

    #[test]
    fn counters_keep_their_place_among_mutations_of_a_row() {
        let mut p = Plan::default();
        put(&mut p, "a", "cf:x");
        p.increment(b"b", b"cf:n".to_vec(), 1);
        p.increment(b"a", b"cf:n".to_vec(), 2);
        put(&mut p, "c", "cf:x");
        p.delete(b"a", vec![b"cf:n".to_vec()], true);
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
        p.delete(b"a", vec![b"cf".to_vec()], true);
        put(&mut p, "a", "cf:x");
        p.pop_front();
        p.reindex();
        assert_eq!(p.count, 1);
        put(&mut p, "a", "cf:y");
        assert_eq!(shape(&p), ["a[+cf:x,+cf:y]"]);
    }
}
