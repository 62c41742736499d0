//! Typed filters and field updates, built from a model's field handles.
//!
//! `#[derive(HRow)]` generates `Model::fields()`, whose methods return a
//! [`Field`] per stored value field. A field gives:
//!
//! - equality filters on any field: [`Field::eq`], [`Field::ne`];
//! - range filters ([`Field::gt`], [`Field::ge`], [`Field::lt`], [`Field::le`],
//!   [`Field::between`]) only when the field's codec implements
//!   [`OrderPreserving`], which is checked at compile time;
//! - updates of that field alone: [`Field::set`], and [`Field::clear`] for
//!   optional fields.
//!
//! Filters are expression trees ([`FilterExpr`]) that each backend
//! translates: the HBase Thrift1 backend into the gateway's filter language,
//! e.g. `SingleColumnValueFilter('cf', 'age', >, 'binary:\x00\x00\x00\x1e', true, true)`
//! (family, qualifier and value single-quoted with `'` doubled, the value
//! bytes sent as they are). Rows without the cell never match, and only the
//! newest version is compared.
//!
//! # Examples
//!
//! ```
//! use hbase_orm::HRow;
//!
//! #[derive(HRow)]
//! #[hbase(table = "users", family = "cf")]
//! struct User {
//!     #[hbase(row_key)]
//!     id: String,
//!     name: String,
//!     #[hbase(codec = "ordered")]
//!     age: i32,
//! }
//!
//! let f = User::fields();
//! let filter = f.age().ge(18).and(f.name().ne("root"));
//! let expr = filter.into_expr().expect("every value encodes");
//! assert_eq!(
//!     hbase_orm::backend::thrift1::filter_string(&expr).unwrap(),
//!     b"(SingleColumnValueFilter('cf', 'age', >=, 'binary:\x80\x00\x00\x12', true, true) \
//!       AND SingleColumnValueFilter('cf', 'name', !=, 'binary:root', true, true))"
//! );
//! ```
//!
//! A range filter on a field whose encoding does not preserve order does not
//! compile:
//!
//! ```compile_fail
//! use hbase_orm::HRow;
//!
//! #[derive(HRow)]
//! #[hbase(table = "users", family = "cf")]
//! struct User {
//!     #[hbase(row_key)]
//!     id: String,
//!     age: i32, // Java big-endian: negative numbers sort last
//! }
//!
//! let _ = User::fields().age().gt(30);
//! ```

use std::fmt;
use std::marker::PhantomData;

use super::codec::{Codec, CodecError, OrderPreserving};
use super::row::HRow;
use super::row_key::EncodeKey;
use crate::store::FilterExpr;

pub use crate::store::CompareOp;

/// Marks a [`Field`] whose cell must be present.
#[derive(Debug, Clone, Copy)]
pub enum Required {}

/// Marks a [`Field`] whose cell may be absent (`Option<T>` or `default`).
#[derive(Debug, Clone, Copy)]
pub enum Optional {}

/// A value usable where a field of type `T` is expected: `T` itself, and
/// `&str` for `String`, `&[u8]` for `Vec<u8>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a value of the field's type `{T}`",
    label = "expected `{T}`"
)]
pub trait IntoValue<T> {
    /// The value.
    fn into_value(self) -> T;
}

impl<T> IntoValue<T> for T {
    fn into_value(self) -> T {
        self
    }
}

impl IntoValue<String> for &str {
    fn into_value(self) -> String {
        self.to_owned()
    }
}

impl IntoValue<Vec<u8>> for &[u8] {
    fn into_value(self) -> Vec<u8> {
        self.to_vec()
    }
}

/// A typed handle to one stored field of model `M`: value type `T`, stored with
/// codec `C`; `P` is [`Required`] or [`Optional`].
pub struct Field<M, T, C, P = Required> {
    name: &'static str,
    family: &'static [u8],
    qualifier: &'static [u8],
    column: &'static [u8],
    _marker: FieldMarker<M, T, C, P>,
}

type FieldMarker<M, T, C, P> = PhantomData<fn() -> (M, T, C, P)>;

impl<M, T, C, P> Clone for Field<M, T, C, P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T, C, P> Copy for Field<M, T, C, P> {}

impl<M, T, C, P> fmt::Debug for Field<M, T, C, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Field")
            .field("name", &self.name)
            .field("column", &String::from_utf8_lossy(self.column))
            .finish()
    }
}

impl<M, T, C, P> Field<M, T, C, P> {
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        family: &'static [u8],
        qualifier: &'static [u8],
        column: &'static [u8],
    ) -> Self {
        Field {
            name,
            family,
            qualifier,
            column,
            _marker: PhantomData,
        }
    }

    /// The Rust field name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The `family:qualifier` column.
    pub fn column(&self) -> &'static [u8] {
        self.column
    }

    /// The family.
    pub fn family(&self) -> &'static [u8] {
        self.family
    }

    /// The qualifier.
    pub fn qualifier(&self) -> &'static [u8] {
        self.qualifier
    }
}

impl<M, T, C: Codec<T>, P> Field<M, T, C, P> {
    /// A filter comparing the field with `value` by `op`, on the encoded bytes.
    ///
    /// Public for custom operators; prefer the typed methods.
    pub fn compare(&self, op: CompareOp, value: impl IntoValue<T>) -> Filter<M> {
        let mut bytes = Vec::new();
        match C::encode(&value.into_value(), &mut bytes) {
            Ok(()) => Filter::single_column_value(self.family, self.qualifier, op, &bytes),
            Err(e) => Filter::failed(self.name, e),
        }
    }

    /// Rows whose field equals `value`.
    pub fn eq(&self, value: impl IntoValue<T>) -> Filter<M> {
        self.compare(CompareOp::Equal, value)
    }

    /// Rows whose field is present and differs from `value`.
    pub fn ne(&self, value: impl IntoValue<T>) -> Filter<M> {
        self.compare(CompareOp::NotEqual, value)
    }

    /// An update setting this field to `value`.
    pub fn set(&self, value: impl IntoValue<T>) -> Update<M> {
        let mut bytes = Vec::new();
        let op = match C::encode(&value.into_value(), &mut bytes) {
            Ok(()) => UpdateOp::Put(bytes),
            Err(e) => UpdateOp::Failed(e),
        };
        Update {
            field: self.name,
            column: self.column,
            op,
            _model: PhantomData,
        }
    }
}

impl<M, T, C, P> Field<M, T, C, P> {
    /// Rows whose field is greater than `value`.
    pub fn gt(&self, value: impl IntoValue<T>) -> Filter<M>
    where
        C: OrderPreserving<T>,
    {
        self.compare(CompareOp::Greater, value)
    }

    /// Rows whose field is greater than or equal to `value`.
    pub fn ge(&self, value: impl IntoValue<T>) -> Filter<M>
    where
        C: OrderPreserving<T>,
    {
        self.compare(CompareOp::GreaterOrEqual, value)
    }

    /// Rows whose field is less than `value`.
    pub fn lt(&self, value: impl IntoValue<T>) -> Filter<M>
    where
        C: OrderPreserving<T>,
    {
        self.compare(CompareOp::Less, value)
    }

    /// Rows whose field is less than or equal to `value`.
    pub fn le(&self, value: impl IntoValue<T>) -> Filter<M>
    where
        C: OrderPreserving<T>,
    {
        self.compare(CompareOp::LessOrEqual, value)
    }

    /// Rows whose field is in `low..=high`.
    pub fn between(&self, low: impl IntoValue<T>, high: impl IntoValue<T>) -> Filter<M>
    where
        C: OrderPreserving<T>,
    {
        self.ge(low).and(self.le(high))
    }
}

impl<M, T, C: Codec<T>> Field<M, T, C, Optional> {
    /// An update removing this optional field's cell.
    pub fn clear(&self) -> Update<M> {
        Update {
            field: self.name,
            column: self.column,
            op: UpdateOp::Delete,
            _model: PhantomData,
        }
    }
}

/// A filter over rows of model `M`: an expression tree ([`FilterExpr`])
/// that the backend translates into its own filter language.
///
/// Built from [`Field`]s, combined with [`and`](Filter::and) and
/// [`or`](Filter::or); [`Filter::raw`] takes any HBase filter string.
pub struct Filter<M> {
    expr: FilterExpr,
    error: Option<(&'static str, CodecError)>,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Filter<M> {
    fn clone(&self) -> Self {
        Filter {
            expr: self.expr.clone(),
            error: self.error.clone(),
            _model: PhantomData,
        }
    }
}

impl<M> fmt::Debug for Filter<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Filter")
            .field("expr", &self.expr)
            .field("error", &self.error)
            .finish()
    }
}

impl<M> Filter<M> {
    /// A filter from a string in the HBase filter language, passed to the
    /// gateway as it is (other backends refuse it).
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{filter::Filter, store::FilterExpr};
    /// struct M;
    /// let f: Filter<M> = Filter::raw("PrefixFilter('a')");
    /// assert_eq!(f.expr(), &FilterExpr::HBase(b"PrefixFilter('a')".to_vec()));
    /// ```
    pub fn raw(expr: impl Into<Vec<u8>>) -> Self {
        Filter::from_expr(FilterExpr::HBase(expr.into()))
    }

    /// A filter from an expression tree.
    pub fn from_expr(expr: FilterExpr) -> Self {
        Filter {
            expr,
            error: None,
            _model: PhantomData,
        }
    }

    fn failed(field: &'static str, e: CodecError) -> Self {
        Filter {
            expr: FilterExpr::HBase(Vec::new()),
            error: Some((field, e)),
            _model: PhantomData,
        }
    }

    /// Rows whose key, read as UTF-8, contains a match of `pattern` (a
    /// Java regular expression, `.` matching line ends too): translated on
    /// HBase and on Accumulo (see [`FilterExpr::RowRegex`]).
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{filter::Filter, store::FilterExpr};
    /// struct M;
    /// let f: Filter<M> = Filter::row_regex("^user-[0-9]+$");
    /// assert_eq!(f.expr(), &FilterExpr::RowRegex("^user-[0-9]+$".into()));
    /// ```
    pub fn row_regex(pattern: impl Into<String>) -> Self {
        Filter::from_expr(FilterExpr::RowRegex(pattern.into()))
    }

    /// Rows whose encoded key compares to the encoded `key` by `op` (byte
    /// order): a `RowFilter` on HBase, the scan's range on Accumulo.
    pub fn row_key_bytes(op: CompareOp, key: impl Into<Vec<u8>>) -> Self {
        Filter::from_expr(FilterExpr::RowKey {
            op,
            key: key.into(),
        })
    }

    /// Rows whose cell `family:qualifier` compares to the encoded `value`
    /// by `op`; rows without the cell do not match.
    pub fn single_column_value(
        family: &[u8],
        qualifier: &[u8],
        op: CompareOp,
        value: &[u8],
    ) -> Self {
        Filter::from_expr(FilterExpr::Column {
            family: family.to_vec(),
            qualifier: qualifier.to_vec(),
            op,
            value: value.to_vec(),
        })
    }

    fn combine(self, other: Filter<M>, join: fn(FilterExpr, FilterExpr) -> FilterExpr) -> Self {
        Filter {
            expr: join(self.expr, other.expr),
            error: self.error.or(other.error),
            _model: PhantomData,
        }
    }

    /// Rows both filters match.
    pub fn and(self, other: Filter<M>) -> Self {
        self.combine(other, FilterExpr::and)
    }

    /// Rows either filter matches.
    pub fn or(self, other: Filter<M>) -> Self {
        self.combine(other, FilterExpr::or)
    }

    /// Ends the scan at the first row the filter does not match.
    pub fn while_matching(self) -> Self {
        Filter {
            expr: FilterExpr::WhileMatching(Box::new(self.expr)),
            error: self.error,
            _model: PhantomData,
        }
    }

    /// The expression tree.
    pub fn expr(&self) -> &FilterExpr {
        &self.expr
    }

    /// The expression tree, or the error of the first value that did not
    /// encode (with its field).
    ///
    /// # Errors
    /// The field and codec error of a value that did not encode.
    pub fn into_expr(self) -> Result<FilterExpr, (&'static str, CodecError)> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.expr),
        }
    }
}

impl<M: HRow> Filter<M> {
    /// Rows whose key compares to the typed `key` by `op`, in the order of
    /// encoded keys (the order of the typed tuple, see
    /// [`row_key`](crate::row_key)): a `RowFilter` on HBase, the scan's
    /// range on Accumulo.
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{filter::{CompareOp, Filter}, store::FilterExpr, HRow};
    /// #[derive(HRow)]
    /// #[hbase(table = "t", family = "cf")]
    /// struct Reading { #[hbase(row_key)] sensor: String, #[hbase(row_key)] at: u32 }
    /// let f = Filter::<Reading>::row_key(CompareOp::GreaterOrEqual, &("s1", 10u32));
    /// assert!(matches!(f.expr(), FilterExpr::RowKey { op: CompareOp::GreaterOrEqual, .. }));
    /// ```
    pub fn row_key<Q: EncodeKey<M::Key> + ?Sized>(op: CompareOp, key: &Q) -> Self {
        Filter::row_key_bytes(op, M::encode_key(key))
    }
}

/// What an [`Update`] does to its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOp {
    /// Put these bytes.
    Put(Vec<u8>),
    /// Delete the cell.
    Delete,
    /// The value could not be encoded.
    Failed(CodecError),
}

/// A change to one field of model `M`, from [`Field::set`] or
/// [`Field::clear`], applied by `Repo::update`.
pub struct Update<M> {
    field: &'static str,
    column: &'static [u8],
    op: UpdateOp,
    _model: PhantomData<fn() -> M>,
}

impl<M> fmt::Debug for Update<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Update")
            .field("field", &self.field)
            .field("column", &String::from_utf8_lossy(self.column))
            .field("op", &self.op)
            .finish()
    }
}

impl<M> Update<M> {
    /// The Rust field.
    pub fn field(&self) -> &'static str {
        self.field
    }
    /// The `family:qualifier` column.
    pub fn column(&self) -> &'static [u8] {
        self.column
    }
    /// What it does.
    pub fn op(&self) -> &UpdateOp {
        &self.op
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{BigEndian, Ordered, Utf8};

    struct M;

    #[test]
    fn quoting_doubles_quotes_and_keeps_bytes() {
        let f: Field<M, String, Utf8> = Field::__new("name", b"c'f", b"na'me", b"c'f:na'me");
        let filter =
            crate::backend::thrift1::filter_string(&f.eq("it's\0\u{ff}").into_expr().unwrap())
                .unwrap();
        assert_eq!(
            filter,
            b"SingleColumnValueFilter('c''f', 'na''me', =, 'binary:it''s\0\xC3\xBF', true, true)"
        );
    }

    #[test]
    fn combinators_and_ops() {
        let age: Field<M, i32, Ordered> = Field::__new("age", b"cf", b"age", b"cf:age");
        let n: Field<M, u8, BigEndian> = Field::__new("n", b"cf", b"n", b"cf:n");
        let f = age.between(-1, 1).or(n.lt(3u8)).while_matching();
        assert_eq!(
            String::from_utf8_lossy(&crate::backend::thrift1::filter_string(f.expr()).unwrap()),
            "WHILE ((SingleColumnValueFilter('cf', 'age', >=, 'binary:\u{7f}\u{fffd}\u{fffd}\u{fffd}', true, true) \
             AND SingleColumnValueFilter('cf', 'age', <=, 'binary:\u{fffd}\0\0\u{1}', true, true)) \
             OR SingleColumnValueFilter('cf', 'n', <, 'binary:\u{3}', true, true))"
        );
        let u = age.set(5);
        assert_eq!(u.op(), &UpdateOp::Put(vec![0x80, 0, 0, 5]));
        assert_eq!(u.column(), b"cf:age");
        let o: Field<M, i32, Ordered, Optional> = Field::__new("o", b"cf", b"o", b"cf:o");
        assert_eq!(o.clear().op(), &UpdateOp::Delete);
    }
}
