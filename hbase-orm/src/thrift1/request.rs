//! What the request builders share: the boxed future they resolve to when
//! awaited, and the option setters several of them have.

use std::future::Future;
use std::pin::Pin;

/// A boxed future, as the request builders of this crate resolve to.
///
/// # Examples
/// ```no_run
/// use std::future::IntoFuture;
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// let pending: hbase_orm::table::BoxFuture<'_, hbase_orm::Result<Option<hbase_orm::Row>>> =
///     table.row("k").into_future();
/// let row = pending.await?;
/// # Ok(()) }
/// ```
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Implements `IntoFuture` for a request builder with an `async fn run`.
macro_rules! into_future_impl {
    ($($builder:ident => $out:ty;)*) => {$(
        impl<'a> IntoFuture for $builder<'a> {
            type Output = $crate::Result<$out>;
            type IntoFuture = $crate::thrift1::request::BoxFuture<'a, $crate::Result<$out>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.run())
            }
        }
    )*};
}
pub(crate) use into_future_impl as into_future;

/// The option setters several builders share, each with the doc its type
/// gives it: `columns` (checked as read columns, into a `columns` field of
/// `Result<Vec<Vec<u8>>>`, or of `Option<..>` of it), `timestamp` (into an
/// `Option<i64>`) and `wal` (into a `bool`).
macro_rules! setters_impl {
    (@columns $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn columns<I, C>(mut self, columns: I) -> Self
        where
            I: IntoIterator<Item = C>,
            C: AsRef<[u8]>,
        {
            let columns = $crate::thrift1::column::columns_of(
                columns,
                $crate::thrift1::column::ColumnUse::Read,
            );
            self.columns = columns.into();
            self
        }
    };
    (@timestamp $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn timestamp(mut self, timestamp: i64) -> Self {
            self.timestamp = Some(timestamp);
            self
        }
    };
    (@wal $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn wal(mut self, wal: bool) -> Self {
            self.wal = wal;
            self
        }
    };
    ($($builder:ty { $($(#[$doc:meta])* $setter:ident;)* })*) => {$(
        impl $builder {
            $($crate::thrift1::request::setters!(@$setter $(#[$doc])*);)*
        }
    )*};
}
pub(crate) use setters_impl as setters;
