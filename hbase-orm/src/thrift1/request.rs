//! What the request builders share: the boxed future they resolve to when
//! awaited.

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
