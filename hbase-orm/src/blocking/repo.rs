//! Blocking [`Repo`] and [`RepoScan`].

use std::fmt;
use std::sync::Arc;

use futures::StreamExt;

use super::{Connection, Runtime, Table};
use crate::codec::{Concatenating, Counter};
use crate::error::Result;
use crate::filter::{Field, Filter, IntoValue, Update};
use crate::row::HRow;
use crate::row_key::{EncodeKey, KeyPrefix};

/// Blocking typed access to the table of model `T`: [`crate::repo::Repo`]
/// with every `async fn` turned into a blocking one.
///
/// Cheap to clone.
///
/// # Examples
/// ```no_run
/// use hbase_orm::blocking::{Connection, Repo};
/// use hbase_orm::HRow;
///
/// #[derive(Debug, HRow)]
/// #[hbase(table = "users", family = "cf")]
/// struct User {
///     #[hbase(row_key)]
///     id: String,
///     name: String,
///     #[hbase(counter)]
///     logins: i64,
/// }
///
/// # fn main() -> hbase_orm::Result<()> {
/// let conn = Connection::builder().host("localhost").build();
/// let users = Repo::<User>::new(&conn);
/// users.create_table()?;
/// users.put(&User { id: "u1".into(), name: "Ann".into(), logins: 0 })?;
/// let ann = users.get("u1")?.expect("just written");
/// users.increment("u1", User::fields().logins(), 1)?;
/// for user in users.scan().limit(10) {
///     println!("{:?}", user?);
/// }
/// # Ok(()) }
/// ```
pub struct Repo<T> {
    inner: crate::repo::Repo<T>,
    table: Table,
}

impl<T> Clone for Repo<T> {
    fn clone(&self) -> Self {
        Repo {
            inner: self.inner.clone(),
            table: self.table.clone(),
        }
    }
}

impl<T> fmt::Debug for Repo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Repo").field(&self.inner).finish()
    }
}

impl<T: HRow> Repo<T> {
    /// The repository of `T` on its table (`#[hbase(table = "...")]`) over
    /// `conn`.
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// let users = hbase_orm::blocking::Repo::<User>::new(&conn);
    /// assert_eq!(users.table().name(), "users");
    /// ```
    pub fn new(conn: &Connection) -> Self {
        Repo::with_table(conn.table(T::SCHEMA.table))
    }

    /// The repository of `T` on another table with the same layout.
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// let archive = hbase_orm::blocking::Repo::<User>::with_table(conn.table("users_2024"));
    /// assert_eq!(archive.table().name(), "users_2024");
    /// ```
    pub fn with_table(table: Table) -> Self {
        Repo {
            inner: crate::repo::Repo::with_table(table.as_async().clone()),
            table,
        }
    }

    /// Mutations buffered by [`Repo::put_many`] before they are sent
    /// (default 1000, at least 1).
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// let users = hbase_orm::blocking::Repo::<User>::new(&conn).put_batch_size(500);
    /// # let _ = users;
    /// ```
    pub fn put_batch_size(self, n: usize) -> Self {
        Repo {
            inner: self.inner.put_batch_size(n),
            table: self.table,
        }
    }

    /// The raw (blocking) table.
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// let conn = hbase_orm::blocking::Connection::builder().table_prefix("app").build();
    /// let users = hbase_orm::blocking::Repo::<User>::new(&conn);
    /// assert_eq!(users.table().full_name(), "app_users");
    /// ```
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The async repository this one blocks on.
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// let conn = hbase_orm::blocking::Connection::builder().build();
    /// let users = hbase_orm::blocking::Repo::<User>::new(&conn);
    /// assert_eq!(users.as_async().table().name(), "users");
    /// ```
    pub fn as_async(&self) -> &crate::repo::Repo<T> {
        &self.inner
    }

    fn rt(&self) -> &Runtime {
        self.table.connection().runtime()
    }

    /// Creates the table with the model's families.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::create_table`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let conn = hbase_orm::blocking::Connection::builder().build();
    /// hbase_orm::blocking::Repo::<User>::new(&conn).create_table()?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn create_table(&self) -> Result<()> {
        self.rt().block_on(self.inner.create_table())
    }

    /// Reads the model stored under `key`, or `None`.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::get`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// if let Some(user) = users.get("u1")? {
    ///     println!("{}", user.name);
    /// }
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn get<Q: EncodeKey<T::Key> + ?Sized>(&self, key: &Q) -> Result<Option<T>> {
        self.rt().block_on(self.inner.get(key))
    }

    /// Reads several models in one round trip; the result lines up with
    /// `keys`.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::get_many`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let found = users.get_many(["u1", "u2"])?;
    /// assert_eq!(found.len(), 2);
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn get_many<I, Q>(&self, keys: I) -> Result<Vec<Option<T>>>
    where
        I: IntoIterator<Item = Q>,
        Q: EncodeKey<T::Key>,
    {
        self.rt().block_on(self.inner.get_many(keys))
    }

    /// Whether a model is stored under `key`.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::exists`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let known = users.exists("u1")?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn exists<Q: EncodeKey<T::Key> + ?Sized>(&self, key: &Q) -> Result<bool> {
        self.rt().block_on(self.inner.exists(key))
    }

    /// Writes `value`.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::put`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// users.put(&User { id: "u1".into(), name: "Ann".into() })?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn put(&self, value: &T) -> Result<()> {
        self.rt().block_on(self.inner.put(value))
    }

    /// Writes many values through one batch.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::put_many`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let all: Vec<User> = (0..100).map(|i| User { id: format!("u{i}"), name: "x".into() }).collect();
    /// users.put_many(&all)?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn put_many<'a, I>(&self, values: I) -> Result<()>
    where
        I: IntoIterator<Item = &'a T>,
        T: 'a,
    {
        self.rt().block_on(self.inner.put_many(values))
    }

    /// Deletes the row stored under `key`.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::delete`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// users.delete("u1")?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn delete<Q: EncodeKey<T::Key> + ?Sized>(&self, key: &Q) -> Result<()> {
        self.rt().block_on(self.inner.delete(key))
    }

    /// Sets or clears some fields of the row under `key`.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::update`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// users.update("u1", [User::fields().name().set("Anne")])?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn update<Q, I>(&self, key: &Q, updates: I) -> Result<()>
    where
        Q: EncodeKey<T::Key> + ?Sized,
        I: IntoIterator<Item = Update<T>>,
    {
        self.rt().block_on(self.inner.update(key, updates))
    }

    /// Adds `by` to a counter field and returns its new value.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::increment`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, #[hbase(counter)] logins: i64 }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let logins = users.increment("u1", User::fields().logins(), 1)?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn increment<Q, P>(&self, key: &Q, field: Field<T, i64, Counter, P>, by: i64) -> Result<i64>
    where
        Q: EncodeKey<T::Key> + ?Sized,
    {
        self.rt().block_on(self.inner.increment(key, field, by))
    }

    /// Appends `value` to a string or byte field and returns its new value.
    ///
    /// # Errors
    /// As [`crate::repo::Repo::append`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let name: String = users.append("u1", User::fields().name(), " Smith")?;
    /// # Ok(()) }
    /// ```
    #[track_caller]
    pub fn append<Q, V, C, P>(
        &self,
        key: &Q,
        field: Field<T, V, C, P>,
        value: impl IntoValue<V>,
    ) -> Result<V>
    where
        Q: EncodeKey<T::Key> + ?Sized,
        C: Concatenating<V>,
    {
        self.rt().block_on(self.inner.append(key, field, value))
    }
}

impl<T: HRow + Send + 'static> Repo<T> {
    /// A typed scan: an iterator of models; see [`RepoScan`].
    ///
    /// # Examples
    /// ```no_run
    /// # use hbase_orm::HRow;
    /// # #[derive(Debug, HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # fn main() -> hbase_orm::Result<()> {
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let first: Vec<User> = users.scan().limit(10).collect::<hbase_orm::Result<_>>()?;
    /// # Ok(()) }
    /// ```
    pub fn scan(&self) -> RepoScan<T> {
        RepoScan {
            inner: Some(self.inner.scan()),
            rt: Arc::clone(self.table.connection().runtime()),
        }
    }
}

/// A blocking typed scan: an [`Iterator`] of `Result<T>`, with the options
/// of [`crate::repo::RepoScan`]. The server-side scanner is closed when the
/// iteration ends or the scan is dropped.
///
/// # Panics
/// `next()` panics when called from an async task.
///
/// # Examples
/// ```no_run
/// # use hbase_orm::HRow;
/// # #[derive(Debug, HRow)] #[hbase(table = "users", family = "cf")]
/// # struct User { #[hbase(row_key)] id: String, name: String }
/// # fn main() -> hbase_orm::Result<()> {
/// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
/// for user in users.scan().start("a").stop("m").batch_size(100) {
///     println!("{:?}", user?);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a scan does nothing until it is iterated"]
pub struct RepoScan<T> {
    // `None` only while dropping.
    inner: Option<crate::repo::RepoScan<T>>,
    rt: Arc<Runtime>,
}

impl<T> fmt::Debug for RepoScan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::RepoScan")
            .field(&self.inner)
            .finish()
    }
}

impl<T: HRow + Send + 'static> RepoScan<T> {
    /// Starts at this key (inclusive).
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let scan = users.scan().start("a").stop("m");
    /// # drop(scan);
    /// ```
    pub fn start<Q: EncodeKey<T::Key> + ?Sized>(mut self, key: &Q) -> Self {
        self.inner = self.inner.take().map(|s| s.start(key));
        self
    }

    /// Stops before this key (exclusive).
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let scan = users.scan().stop("m");
    /// # drop(scan);
    /// ```
    pub fn stop<Q: EncodeKey<T::Key> + ?Sized>(mut self, key: &Q) -> Self {
        self.inner = self.inner.take().map(|s| s.stop(key));
        self
    }

    /// Scans only the keys that start with `prefix` (leading key fields).
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] tenant: String, #[hbase(row_key)] id: u64, name: String }
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let acme = users.scan().prefix(&("acme",));
    /// # drop(acme);
    /// ```
    pub fn prefix<P: KeyPrefix<T> + ?Sized>(mut self, prefix: &P) -> Self {
        self.inner = self.inner.take().map(|s| s.prefix(prefix));
        self
    }

    /// Yields at most `n` models.
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let scan = users.scan().limit(10);
    /// # drop(scan);
    /// ```
    pub fn limit(mut self, n: u64) -> Self {
        self.inner = self.inner.take().map(|s| s.limit(n));
        self
    }

    /// Scans from high keys to low keys.
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let newest_first = users.scan().reverse(true);
    /// # drop(newest_first);
    /// ```
    pub fn reverse(mut self, reverse: bool) -> Self {
        self.inner = self.inner.take().map(|s| s.reverse(reverse));
        self
    }

    /// Rows fetched per round trip.
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let scan = users.scan().batch_size(100);
    /// # drop(scan);
    /// ```
    pub fn batch_size(mut self, rows: u32) -> Self {
        self.inner = self.inner.take().map(|s| s.batch_size(rows));
        self
    }

    /// Keeps only the models the typed filter accepts (filters given
    /// several times are and-ed).
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let anns = users.scan().filter(User::fields().name().eq("Ann"));
    /// # drop(anns);
    /// ```
    pub fn filter(mut self, filter: Filter<T>) -> Self {
        self.inner = self.inner.take().map(|s| s.filter(filter));
        self
    }

    /// Skips rows that do not decode (with a `tracing` warning) instead of
    /// yielding their error.
    ///
    /// # Examples
    /// ```
    /// # use hbase_orm::HRow;
    /// # #[derive(HRow)] #[hbase(table = "users", family = "cf")]
    /// # struct User { #[hbase(row_key)] id: String, name: String }
    /// # let users = hbase_orm::blocking::Repo::<User>::new(&hbase_orm::blocking::Connection::builder().build());
    /// let lenient = users.scan().skip_undecodable(true);
    /// # drop(lenient);
    /// ```
    pub fn skip_undecodable(mut self, skip: bool) -> Self {
        self.inner = self.inner.take().map(|s| s.skip_undecodable(skip));
        self
    }
}

impl<T: HRow + Send + 'static> Iterator for RepoScan<T> {
    type Item = Result<T>;

    #[track_caller]
    fn next(&mut self) -> Option<Result<T>> {
        let scan = self.inner.as_mut()?;
        self.rt.block_on(scan.next())
    }
}

impl<T> Drop for RepoScan<T> {
    fn drop(&mut self) {
        // The async scan closes its scanner from its drop: do it within the
        // runtime, which serves the socket.
        let _guard = self.rt.enter();
        self.inner.take();
    }
}
