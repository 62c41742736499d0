//! Blocking [`Batch`].

use super::{blocking_calls, blocking_options, blocking_twin};
use crate::error::{Error, Result};

blocking_twin! {
    /// A blocking batch of puts, deletes and counter increments on one table:
    /// [`crate::Batch`] with every `async fn` turned into a blocking one.
    ///
    /// Built by [`Table::batch`](super::Table::batch). Nothing is sent until
    /// [`Batch::send`] is called or `batch_size` is reached; **dropping a batch
    /// that still holds operations discards them** (with a `tracing` warning).
    /// With [`Batch::transaction`], everything is sent at the end of the
    /// closure, or nothing if it fails.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let mut batch = table.batch().batch_size(500).wal(false);
    /// batch.put("row1", [("cf:a", "1")])?;
    /// batch.delete_columns("row2", ["cf:old"])?;
    /// batch.counter_inc("row3", "cf:hits", 1)?;
    /// batch.send()?;
    /// # Ok(()) }
    /// ```
    #[must_use = "a batch sends nothing until `send()`; dropping it discards its operations"]
    pub struct Batch(crate::Batch) as "blocking::Batch";
}

impl Batch {
    blocking_options! {
        /// Writes puts and deletes at `timestamp` instead of the server's time.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let batch = table.batch().timestamp(1_700_000_000_000);
        /// # let _ = batch;
        /// ```
        timestamp(timestamp: i64);
        /// Whether puts and deletes go to the write-ahead log (default true).
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let batch = table.batch().wal(false);
        /// # let _ = batch;
        /// ```
        wal(wal: bool);
        /// Sends automatically once `n` mutations are buffered.
        ///
        /// # Examples
        /// ```
        /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
        /// let batch = table.batch().batch_size(1000);
        /// # let _ = batch;
        /// ```
        batch_size(n: usize);
    }

    /// How many mutations and increments are buffered.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let mut batch = table.batch();
    /// batch.put("r", [("cf:a", "1"), ("cf:b", "2")])?;
    /// assert_eq!(batch.len(), 2);
    /// batch.send()?;
    /// # Ok(()) }
    /// ```
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether nothing is buffered.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// assert!(conn.table("t").batch().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    blocking_calls! {
        /// Buffers a put of `(column, value)` pairs into row `key`.
        ///
        /// # Errors
        /// As [`crate::Batch::put`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let mut batch = hbase_orm::blocking::Connection::builder().build().table("t").batch();
        /// batch.put("r", [("cf:a", "1")])?;
        /// # batch.send()?;
        /// # Ok(()) }
        /// ```
        fn put<I: IntoIterator<Item = (C, V)>, C: AsRef<[u8]>, V: AsRef<[u8]>>(
            &mut self,
            key: impl AsRef<[u8]>,
            data: I,
        ) -> Result<()>;

        /// Buffers the deletion of a whole row.
        ///
        /// # Errors
        /// As [`crate::Batch::delete`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let mut batch = hbase_orm::blocking::Connection::builder().build().table("t").batch();
        /// batch.delete("r")?;
        /// # batch.send()?;
        /// # Ok(()) }
        /// ```
        fn delete(&mut self, key: impl AsRef<[u8]>) -> Result<()>;

        /// Buffers the deletion of families (`cf`) or columns (`cf:q`) of a row.
        ///
        /// # Errors
        /// As [`crate::Batch::delete_columns`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let mut batch = hbase_orm::blocking::Connection::builder().build().table("t").batch();
        /// batch.delete_columns("r", ["cf:a", "other_family"])?;
        /// # batch.send()?;
        /// # Ok(()) }
        /// ```
        fn delete_columns<I: IntoIterator<Item = C>, C: AsRef<[u8]>>(
            &mut self,
            key: impl AsRef<[u8]>,
            columns: I,
        ) -> Result<()>;

        /// Buffers adding `value` to a counter column.
        ///
        /// # Errors
        /// As [`crate::Batch::counter_inc`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let mut batch = hbase_orm::blocking::Connection::builder().build().table("t").batch();
        /// batch.counter_inc("page", "cf:views", 1)?;
        /// # batch.send()?;
        /// # Ok(()) }
        /// ```
        fn counter_inc(&mut self, key: impl AsRef<[u8]>, column: impl AsRef<[u8]>, value: i64)
            -> Result<()>;

        /// Buffers subtracting `value` from a counter column.
        ///
        /// # Errors
        /// As [`crate::Batch::counter_dec`].
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let mut batch = hbase_orm::blocking::Connection::builder().build().table("t").batch();
        /// batch.counter_dec("stock", "cf:apples", 2)?;
        /// # batch.send()?;
        /// # Ok(()) }
        /// ```
        fn counter_dec(&mut self, key: impl AsRef<[u8]>, column: impl AsRef<[u8]>, value: i64)
            -> Result<()>;

        /// Sends everything buffered.
        ///
        /// # Errors
        /// As [`crate::Batch::send`]: the operations not yet applied stay
        /// buffered, and `send` may be retried.
        ///
        /// # Examples
        /// ```no_run
        /// # fn main() -> hbase_orm::Result<()> {
        /// # let mut batch = hbase_orm::blocking::Connection::builder().build().table("t").batch();
        /// batch.put("r", [("cf:a", "1")])?;
        /// batch.send()?;
        /// # Ok(()) }
        /// ```
        fn send(&mut self) -> Result<()>;
    }

    /// Runs `f` on this batch as a transaction: nothing is sent while `f`
    /// runs (`batch_size` is ignored); when `f` succeeds, everything it
    /// buffered is sent; when it fails, everything is discarded and its error
    /// returned.
    ///
    /// # Errors
    /// The error of `f`, or of [`Batch::send`] converted into `E`.
    ///
    /// # Examples
    /// ```no_run
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let table = hbase_orm::blocking::Connection::builder().build().table("t");
    /// let moved = table.batch().transaction(|b| {
    ///     b.delete_columns("from", ["cf:item"])?;
    ///     b.put("to", [("cf:item", "book")])?;
    ///     Ok::<_, hbase_orm::Error>(2)
    /// })?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn transaction<F, T, E>(self, f: F) -> std::result::Result<T, E>
    where
        F: FnOnce(&mut Batch) -> std::result::Result<T, E>,
        E: From<Error>,
    {
        // No automatic sends while `f` runs: the batch is consumed here, so
        // its size limit need not be restored.
        let mut batch = self.batch_size(usize::MAX);
        match f(&mut batch) {
            Ok(value) => {
                batch.send()?;
                Ok(value)
            }
            Err(e) => {
                // Discard without the warning a dropped non-empty batch
                // logs: a failing async transaction clears the batch.
                let Batch { inner, rt } = batch;
                let _ = rt.block_on(inner.transaction(|_| {
                    Box::pin(async { Err::<(), Error>(Error::InvalidInput(String::new())) })
                }));
                Err(e)
            }
        }
    }
}
