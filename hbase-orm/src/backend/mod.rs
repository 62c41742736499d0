//! The backends of the [`store`](crate::store) traits: each translates the
//! store's calls (and its [`FilterExpr`](crate::store::FilterExpr)s) into
//! one client's.
//!
//! - [`thrift1`]: the HBase Thrift1 gateway, through the client in
//!   [`Connection`](crate::Connection); the default backend of
//!   [`Repo`](crate::Repo).
//! - [`accumulo`] (feature `accumulo`): the Accumulo Proxy, through a
//!   logged-in [`Connector`](crate::accumulo::Connector): cell visibilities
//!   and read authorizations, counters, appends and check-and-put by
//!   conditional writes; filters refused.
//! - [`thrift2`]: the HBase Thrift2 gateway, through
//!   [`thrift2::Connection`](crate::thrift2::Connection), with cell
//!   visibility, authorizations, time ranges, durability and conditional
//!   writes with a compare operator.
//!
//! A new backend is one module here implementing [`Store`](crate::store::Store)
//! and [`StoreTable`](crate::store::StoreTable) (and the capability traits it
//! can serve) for its client's types. It may use the store traits, its
//! client and the value types; the typed layer uses it only through the
//! traits.

#[cfg(feature = "accumulo")]
pub mod accumulo;
pub mod thrift1;
pub mod thrift2;

/// Carries an optional setting of a store spec over to a client's builder.
pub(crate) trait SetSome: Sized {
    /// `self` with `set` applied to `value` when there is one.
    fn set_some<T>(self, value: Option<T>, set: impl FnOnce(Self, T) -> Self) -> Self {
        match value {
            Some(value) => set(self, value),
            None => self,
        }
    }
}

impl<B> SetSome for B {}
