//! The [`HRow`] trait: a struct mapped to a row key and cells.
//!
//! Implemented by `#[derive(HRow)]` (see [`crate::HRow`] for the attributes);
//! [`Repo`](crate::repo) reads and writes models through it. Everything here
//! is static: column names are `&'static [u8]` constants and the schema is a
//! `static` built at compile time.

use super::codec::CodecError;
use super::row_key::EncodeKey;

/// A struct stored as one HBase row; derive it with `#[derive(HRow)]`.
///
/// This is the one place documenting the derive's `#[hbase(...)]` attributes.
/// The trait's methods are the contract between the generated code and the
/// typed repository, and are rarely called directly.
///
/// # Overview
///
/// ```
/// use std::collections::BTreeMap;
/// use hbase_orm::HRow;
///
/// #[derive(Debug, PartialEq, HRow)]
/// #[hbase(table = "users", family = "cf")]
/// struct User {
///     #[hbase(row_key)]
///     tenant: String,
///     #[hbase(row_key)]
///     id: u64,
///     name: String,                   // cf:name, UTF-8
///     #[hbase(codec = "ordered")]
///     age: i32,                       // cf:age, order-preserving
///     email: Option<String>,          // the cell may be absent
///     #[hbase(counter)]
///     logins: i64,                    // cf:logins, an HBase counter
///     #[hbase(family_map = "attrs")]
///     attrs: BTreeMap<String, String>, // every column of family `attrs`
/// }
///
/// // <User as HRow>::Key is (String, u64); rows sort by (tenant, id).
/// let u = User {
///     tenant: "acme".into(),
///     id: 7,
///     name: "Ann".into(),
///     age: 31,
///     email: None,
///     logins: 0,
///     attrs: BTreeMap::new(),
/// };
/// assert_eq!(u.row_key(), b"acme\0\0\0\0\0\0\0\0\0\x07");
/// let filter = User::fields().age().ge(18);
/// # let _ = filter;
/// ```
///
/// # Container attributes
///
/// - `#[hbase(table = "name")]` (required): the table.
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "events", family = "e")]
///   struct Event { #[hbase(row_key)] id: u64, kind: String }
///   assert_eq!(<Event as HRow>::SCHEMA.table, "events");
///   ```
///
/// - `#[hbase(family = "cf")]`: the family of every field that names none.
///   Without it every stored field needs its own `family` or `column =
///   "fam:q"`.
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "t")]
///   struct Split { #[hbase(row_key)] id: u64, #[hbase(family = "a")] x: u8, #[hbase(column = "b:y")] y: u8 }
///   let cols: Vec<_> = <Split as HRow>::SCHEMA.columns.iter().map(|c| c.column).collect();
///   assert_eq!(cols, [&b"a:x"[..], b"b:y"]);
///   ```
///
/// - `#[hbase(family_options(name = "cf", max_versions = 5, ttl = 86400,
///   compression = "GZ", bloom_filter = "ROW", in_memory = true, block_cache =
///   false))]`, repeatable: the options `create_table` gives the family (all
///   but `name` optional). A family read by a `versions = N` field keeps at
///   least `N` versions unless `max_versions` says otherwise (a smaller value
///   is a compile error).
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf", family_options(name = "cf", max_versions = 5, ttl = 3600))]
///   struct Page { #[hbase(row_key)] url: String, body: Vec<u8> }
///   let fam = &<Page as HRow>::SCHEMA.families[0];
///   assert_eq!((fam.name, fam.max_versions, fam.ttl), ("cf", Some(5), Some(3600)));
///   ```
///
/// - `#[hbase(visibility = "A&B")]`: the visibility expression of every
///   cell of the row (terms of letters, digits and `_-.:/` or double-quoted,
///   joined by `&` or `|`, grouped with parentheses), checked at compile
///   time: a malformed one is an error at its literal naming the byte. On
///   a field, it labels that field's cells instead (`""`: no label). The
///   backends that have cell visibility write it (Accumulo, HBase Thrift2);
///   the Thrift1 backend refuses the writes of a labelled model with
///   [`Error::Unsupported`](crate::Error::Unsupported). See
///   [`Schema::cell_labels`] for what the store is handed.
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "cases", family = "cf", visibility = "staff")]
///   struct Case {
///       #[hbase(row_key)] id: String,
///       title: String,
///       #[hbase(visibility = "staff&legal")] note: Option<String>,
///   }
///   let labels = <Case as HRow>::SCHEMA.cell_labels();
///   assert_eq!(labels.of(b"cf:title"), Some("staff"));
///   assert_eq!(labels.of(b"cf:note"), Some("staff&legal"));
///   ```
///
///   ```compile_fail
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "cases", family = "cf", visibility = "staff&legal|audit")]
///   struct Case { #[hbase(row_key)] id: String }
///   ```
///
/// - `#[hbase(crate = path)]`: where the `hbase_orm` crate is, when it is
///   renamed or re-exported (default `::hbase_orm`).
///
///   ```
///   # use hbase_orm::HRow;
///   mod reexport { pub(crate) use ::hbase_orm as orm; }
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf", crate = reexport::orm)]
///   struct Thing { #[hbase(row_key)] id: u32 }
///   ```
///
/// # Field attributes
///
/// - `#[hbase(row_key)]`: the field is (part of) the row key, not a cell. One
///   such field makes a simple key; several make a composite key in declaration
///   order, `Key = (A, B, ...)` (up to 8). Key bytes sort like the typed
///   tuple (see [`row_key`](crate::row_key)); the key types must implement
///   [`KeyComponent`](crate::row_key::KeyComponent). Every proper prefix of a
///   composite key implements [`KeyPrefix`](crate::row_key::KeyPrefix) for
///   typed prefix scans.
///
///   ```
///   # use hbase_orm::{HRow, row_key::KeyPrefix};
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct Reading { #[hbase(row_key)] sensor: String, #[hbase(row_key)] at: i64, value: f64 }
///   let mut prefix = Vec::new();
///   KeyPrefix::<Reading>::encode_prefix(&("s1",), &mut prefix);
///   assert_eq!(prefix, b"s1\0\0");
///   ```
///
/// - `#[hbase(column = "q")]` or `#[hbase(column = "fam:q")]`: the column
///   (default: the family and the field name).
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct R { #[hbase(row_key)] id: u32, #[hbase(column = "n")] name: String }
///   assert_eq!(R::fields().name().column(), b"cf:n");
///   ```
///
/// - `#[hbase(family = "x")]`: this field's family.
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct R { #[hbase(row_key)] id: u32, #[hbase(family = "meta")] owner: String }
///   assert_eq!(R::fields().owner().column(), b"meta:owner");
///   ```
///
/// - `#[hbase(skip)]`: not stored; read as `Default::default()` (or
///   `#[hbase(skip, default = "path")]`).
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct R { #[hbase(row_key)] id: u32, #[hbase(skip)] cache: Vec<u8> }
///   assert!(<R as HRow>::SCHEMA.columns.is_empty());
///   ```
///
/// - `Option<T>` fields: the cell may be absent (`None`); writing `None`
///   deletes the cell.
///
/// - `#[hbase(default)]` or `#[hbase(default = "path::to_fn")]`: a missing
///   cell reads as `Default::default()` (or the function's result) instead of
///   an error.
///
///   ```
///   # use hbase_orm::HRow;
///   fn unknown() -> String { "?".into() }
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct R { #[hbase(row_key)] id: u32, #[hbase(default)] n: u32, #[hbase(default = "unknown")] s: String }
///   let r = R::from_cells(&1u32.to_be_bytes(), []).unwrap();
///   assert_eq!((r.n, r.s.as_str()), (0, "?"));
///   ```
///
/// - `#[hbase(codec = "...")]`: the value encoding, one of the
///   [`codec`](crate::codec) table: `"raw"`, `"utf8"`, `"big_endian"` (alias
///   `"java"`: Java `Bytes.toBytes`), `"ordered"` (order-preserving, needed by
///   range filters on signed and float fields), `"bincode"` (serde). Or
///   `codec = path::Type` for a type implementing
///   [`Codec<T>`](super::codec::Codec). Without it, the type's
///   [`DefaultCodec`](super::codec::DefaultCodec): integers, floats and
///   `bool` are `big_endian`, `String` is `utf8`, `Vec<u8>`/`[u8; N]`/`Bytes`
///   are `raw`. The compiler resolves it, so a type alias is stored as the
///   type it names; a type without a default codec (a serde struct,
///   `Vec<String>`, ...) is a compile error asking for one. A codec that
///   cannot encode the field's type is a compile error at the type.
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(serde::Serialize, serde::Deserialize)]
///   struct Address { city: String }
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct R {
///       #[hbase(row_key)] id: u32,
///       #[hbase(codec = "ordered")] score: f64,
///       #[hbase(codec = "bincode")] address: Address,
///       #[hbase(codec = hbase_orm::codec::Ordered)] rank: i16,
///   }
///   let _ = R::fields().score().between(0.5, 1.0);
///   ```
///
/// - `#[hbase(with = path::to::module)]`: a module with
///   `fn encode(value: &T, out: &mut Vec<u8>) -> Result<(), CodecError>` and
///   `fn decode(bytes: &[u8]) -> Result<T, CodecError>`.
///
///   ```
///   # use hbase_orm::HRow;
///   mod yes_no {
///       use hbase_orm::codec::CodecError;
///       pub fn encode(v: &bool, out: &mut Vec<u8>) -> Result<(), CodecError> {
///           out.push(if *v { b'Y' } else { b'N' });
///           Ok(())
///       }
///       pub fn decode(b: &[u8]) -> Result<bool, CodecError> {
///           Ok(b == b"Y")
///       }
///   }
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct R { #[hbase(row_key)] id: u32, #[hbase(with = yes_no)] active: bool }
///   ```
///
/// - `#[hbase(counter)]`: an `i64` HBase counter (8 bytes big-endian, the
///   format of the gateway's `atomicIncrement`); an absent cell reads as 0.
///   Its handle is what `Repo::increment` takes.
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct Page { #[hbase(row_key)] url: String, #[hbase(counter)] views: i64 }
///   let p = Page::from_cells(b"/", []).unwrap();
///   assert_eq!(p.views, 0);
///   ```
///
/// - `#[hbase(versions = N)]` on a `Vec<(i64, T)>`: up to `N` versions of the
///   cell with their timestamps (milliseconds), newest first. Writing puts
///   each version at its timestamp.
///
///   ```
///   # use hbase_orm::HRow;
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct Doc { #[hbase(row_key)] id: u32, #[hbase(versions = 3)] title: Vec<(i64, String)> }
///   assert_eq!(<Doc as HRow>::SCHEMA.families[0].max_versions, Some(3));
///   ```
///
/// - `#[hbase(family_map)]` or `#[hbase(family_map = "fam")]` on a map
///   (`BTreeMap<K, V>`, `HashMap<K, V>`) with `String`, `Vec<u8>` or `Bytes`
///   keys: every column of the family not mapped by another field, keyed by
///   qualifier; values use the codec rules above. Writing puts every entry
///   (it does not delete columns missing from the map).
///
///   ```
///   # use hbase_orm::HRow;
///   # use std::collections::BTreeMap;
///   #[derive(HRow)]
///   #[hbase(table = "t", family = "cf")]
///   struct R { #[hbase(row_key)] id: u32, #[hbase(family_map = "tags")] tags: BTreeMap<String, Vec<u8>> }
///   assert_eq!(<R as HRow>::SCHEMA.fetch, [&b"tags"[..]]);
///   ```
///
/// # Generated items
///
/// Besides the trait impl, the derive adds `Model::fields()` (the same as
/// [`HRow::fields`], callable without importing the trait): one method per
/// stored value field (not for key, `skip`, `versions` or `family_map`
/// fields) returning a [`Field`](crate::filter::Field) handle for typed
/// filters (`eq`/`ne` always; `gt`/`ge`/`lt`/`le`/`between` only with an
/// order-preserving codec), updates (`set`, and `clear` on optional fields)
/// and, for counters, `Repo::increment`. For a composite key `(A, B, C)` it
/// implements [`KeyPrefix`](crate::row_key::KeyPrefix) for `(A,)` and
/// `(A, B)` (accepting `&str` for `String` and `&[u8]` for `Vec<u8>`).
/// Everything else is inside an anonymous `const _: () = { ... };`.
///
/// Attribute errors are compile errors at the offending token, all reported
/// together: unknown attributes, a missing table or row key, two fields on one
/// column, conflicting attributes, a codec that cannot encode the field type,
/// and range filters on fields whose codec does not preserve order.
pub trait HRow: Sized {
    /// The typed row key: the key field's type, or a tuple of the key fields'
    /// types in order for a composite key.
    type Key;

    /// Typed handles to the fields, for filters, updates and counters:
    /// `Model::fields().age().gt(30)`.
    type Fields;

    /// Table name, families, columns.
    const SCHEMA: &'static Schema;

    /// The typed field handles.
    fn fields() -> Self::Fields;

    /// Appends this row's encoded key.
    fn encode_row_key(&self, out: &mut Vec<u8>);

    /// The encoded row key.
    fn row_key(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_row_key(&mut out);
        out
    }

    /// The encoded key of a typed key value.
    fn encode_key<Q: EncodeKey<Self::Key> + ?Sized>(key: &Q) -> Vec<u8> {
        let mut out = Vec::new();
        key.encode_key(&mut out);
        out
    }

    /// Writes every stored field as cell operations: a put per value, a
    /// delete for an absent `Option`, a timestamped put per version, a put per
    /// map entry.
    ///
    /// # Errors
    ///
    /// When a codec cannot encode a value (only user and serde codecs can fail).
    fn write_cells<W: CellWriter>(&self, writer: &mut W) -> Result<(), EncodeError>;

    /// Builds a value from its row key and cells.
    ///
    /// For each column the first cell given is the newest; versioned fields
    /// take up to their number of versions in the order given (newest first).
    /// Cells of unknown columns are ignored.
    ///
    /// # Errors
    ///
    /// When the key or a cell does not decode, or a required cell is missing;
    /// the error names the table, row, column and field.
    fn from_cells<'a, I>(row: &'a [u8], cells: I) -> Result<Self, DecodeError>
    where
        I: IntoIterator<Item = Cell<'a>>;
}

/// One cell as read from the store, borrowed: the cells
/// [`HRow::from_cells`] decodes from. The same type as
/// [`store::CellRef`](crate::store::CellRef), which backends hand to a
/// [`DecodeRow`](crate::store::DecodeRow).
pub type Cell<'a> = crate::value::CellRef<'a>;

/// A column name in a write: a compile-time constant, or a family with a
/// qualifier known at run time (map fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column<'a> {
    /// A whole `family:qualifier` name.
    Static(&'static [u8]),
    /// A family prefix including its colon (`b"attrs:"`) and a qualifier.
    InFamily {
        /// `family:`.
        family: &'static [u8],
        /// The qualifier.
        qualifier: &'a [u8],
    },
}

impl Column<'_> {
    /// The full `family:qualifier` name.
    pub fn to_vec(&self) -> Vec<u8> {
        match *self {
            Column::Static(c) => c.to_vec(),
            Column::InFamily { family, qualifier } => {
                let mut v = Vec::with_capacity(family.len() + qualifier.len());
                v.extend_from_slice(family);
                v.extend_from_slice(qualifier);
                v
            }
        }
    }
}

/// Receives the cell operations of [`HRow::write_cells`].
pub trait CellWriter {
    /// Puts `value` at `column` with the write's timestamp.
    fn put(&mut self, column: Column<'_>, value: Vec<u8>);
    /// Puts `value` at `column` with an explicit timestamp (versioned fields).
    fn put_version(&mut self, column: Column<'_>, timestamp: i64, value: Vec<u8>);
    /// Deletes every version of `column`.
    fn delete(&mut self, column: Column<'_>);

    /// Puts at `column` the value that `encode` writes into the buffer it
    /// is given (the derive's puts come here). By default the value is
    /// encoded into a new `Vec` for [`CellWriter::put`]; a writer keeping
    /// values in one buffer overrides this to spare that allocation.
    ///
    /// # Errors
    /// The error of `encode`; nothing is put then.
    fn put_with<E>(
        &mut self,
        column: Column<'_>,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        Self: Sized,
    {
        let mut value = Vec::new();
        encode(&mut value)?;
        self.put(column, value);
        Ok(())
    }
}

/// One operation recorded by [`CellOps`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellOp {
    /// `family:qualifier`.
    pub column: Vec<u8>,
    /// An explicit timestamp (versioned fields), else the write's timestamp.
    pub timestamp: Option<i64>,
    /// The value put, or `None` for a delete.
    pub value: Option<Vec<u8>>,
}

/// A simple [`CellWriter`] collecting the operations, for tests and tools.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellOps {
    /// The operations in order.
    pub ops: Vec<CellOp>,
}

impl CellWriter for CellOps {
    fn put(&mut self, column: Column<'_>, value: Vec<u8>) {
        self.ops.push(CellOp {
            column: column.to_vec(),
            timestamp: None,
            value: Some(value),
        });
    }
    fn put_version(&mut self, column: Column<'_>, timestamp: i64, value: Vec<u8>) {
        self.ops.push(CellOp {
            column: column.to_vec(),
            timestamp: Some(timestamp),
            value: Some(value),
        });
    }
    fn delete(&mut self, column: Column<'_>) {
        self.ops.push(CellOp {
            column: column.to_vec(),
            timestamp: None,
            value: None,
        });
    }
}

/// What kind of field a column belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnKind {
    /// A required value.
    Value,
    /// An `Option` or `#[hbase(default)]` value: the cell may be absent.
    Optional,
    /// An `#[hbase(counter)]` field.
    Counter,
    /// An `#[hbase(versions = N)]` field.
    Versions(u32),
    /// An `#[hbase(family_map)]` field: every other column of the family.
    FamilyMap,
}

/// One mapped column (or, for a map field, a whole family).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnSpec {
    /// The Rust field.
    pub field: &'static str,
    /// `family:qualifier`, or `family:` for a map field.
    pub column: &'static [u8],
    /// The kind of field.
    pub kind: ColumnKind,
    /// The visibility expression of the field's cells
    /// (`#[hbase(visibility = "..")]` on the field), overriding the
    /// model's [`Schema::visibility`].
    pub visibility: Option<&'static str>,
}

impl ColumnSpec {
    /// A column spec.
    pub const fn new(field: &'static str, column: &'static [u8], kind: ColumnKind) -> Self {
        ColumnSpec {
            field,
            column,
            kind,
            visibility: None,
        }
    }

    /// The spec with the field's cells labelled `expression`.
    pub const fn with_visibility(mut self, expression: &'static str) -> Self {
        self.visibility = Some(expression);
        self
    }

    /// The family part of the column name (without the colon).
    pub fn family(&self) -> &'static [u8] {
        match self.column.iter().position(|&b| b == b':') {
            Some(i) => &self.column[..i],
            None => self.column,
        }
    }
}

use crate::store::CellLabels;
pub use crate::store::FamilySpec;

/// The static description of a model: table, families, columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Schema {
    /// The table name.
    pub table: &'static str,
    /// Every family the model uses, with its options.
    pub families: &'static [FamilySpec],
    /// Every stored field's column.
    pub columns: &'static [ColumnSpec],
    /// The column names to request when reading: every mapped column, and
    /// the whole family (`b"fam"`) of each map field.
    pub fetch: &'static [&'static [u8]],
    /// The visibility expression of every cell of the row
    /// (`#[hbase(visibility = "..")]` on the struct); a field's own wins.
    pub visibility: Option<&'static str>,
}

impl Schema {
    /// A schema.
    pub const fn new(
        table: &'static str,
        families: &'static [FamilySpec],
        columns: &'static [ColumnSpec],
        fetch: &'static [&'static [u8]],
    ) -> Self {
        Schema {
            table,
            families,
            columns,
            fetch,
            visibility: None,
        }
    }

    /// The schema with every cell of the row labelled `expression`.
    pub const fn with_visibility(mut self, expression: &'static str) -> Self {
        self.visibility = Some(expression);
        self
    }

    /// The visibility labels of the model's cells, as the store boundary
    /// takes them (empty when the model labels nothing).
    pub fn cell_labels(&self) -> CellLabels {
        if self.visibility.is_none() && self.columns.iter().all(|c| c.visibility.is_none()) {
            return CellLabels::default();
        }
        CellLabels::from_columns(
            self.visibility,
            self.columns.iter().map(|c| (c.column, c.visibility)),
        )
    }

    /// The versioned columns and their number of versions.
    pub fn versioned(&self) -> impl Iterator<Item = (&'static [u8], u32)> + '_ {
        self.columns.iter().filter_map(|c| match c.kind {
            ColumnKind::Versions(n) => Some((c.column, n)),
            _ => None,
        })
    }

    /// The spec of the field stored at `column`, if any.
    pub fn column(&self, column: &[u8]) -> Option<&'static ColumnSpec> {
        self.columns.iter().find(|c| c.column == column)
    }
}

pub use crate::error::{DecodeError, EncodeError};

/// A map key stored as a column qualifier (`#[hbase(family_map)]` fields).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a column qualifier",
    note = "map fields need `String`, `Vec<u8>` or `bytes::Bytes` keys"
)]
pub trait Qualifier: Sized {
    /// The qualifier bytes.
    fn as_qualifier(&self) -> &[u8];
    /// Reads a key from qualifier bytes.
    ///
    /// # Errors
    ///
    /// When the bytes are not a valid key (invalid UTF-8 for `String`).
    fn from_qualifier(bytes: &[u8]) -> Result<Self, CodecError>;
}

impl Qualifier for String {
    fn as_qualifier(&self) -> &[u8] {
        self.as_bytes()
    }
    fn from_qualifier(bytes: &[u8]) -> Result<Self, CodecError> {
        String::from_utf8(bytes.to_vec())
            .map_err(|e| CodecError::new(format!("invalid UTF-8 qualifier: {e}")))
    }
}

impl Qualifier for Vec<u8> {
    fn as_qualifier(&self) -> &[u8] {
        self
    }
    fn from_qualifier(bytes: &[u8]) -> Result<Self, CodecError> {
        Ok(bytes.to_vec())
    }
}

impl Qualifier for bytes::Bytes {
    fn as_qualifier(&self) -> &[u8] {
        self
    }
    fn from_qualifier(bytes: &[u8]) -> Result<Self, CodecError> {
        Ok(bytes::Bytes::copy_from_slice(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_error_names_everything() {
        let e = DecodeError::new(
            "users",
            b"al\xFFice",
            Some(b"cf:age"),
            "age",
            CodecError::wrong_length(4, 3),
        );
        assert_eq!(
            e.to_string(),
            "cannot decode field `age` of table `users`, row \"al\\xFFice\", column \"cf:age\": expected 4 bytes, found 3"
        );
        let e = DecodeError::new("t", b"k", None, "id", CodecError::new("bad"));
        assert_eq!(
            e.to_string(),
            "cannot decode field `id` of table `t`, row \"k\", row key: bad"
        );
        assert_eq!(e.column(), None);
    }

    #[test]
    fn columns_and_schema() {
        assert_eq!(
            Column::InFamily {
                family: b"m:",
                qualifier: b"x"
            }
            .to_vec(),
            b"m:x"
        );
        static SCHEMA: Schema = Schema::new(
            "t",
            &[FamilySpec::new("cf").max_versions(3)],
            &[
                ColumnSpec::new("a", b"cf:a", ColumnKind::Value),
                ColumnSpec::new("h", b"cf:h", ColumnKind::Versions(4)),
            ],
            &[b"cf:a", b"cf:h"],
        );
        assert_eq!(SCHEMA.versioned().collect::<Vec<_>>(), [(&b"cf:h"[..], 4)]);
        assert_eq!(SCHEMA.column(b"cf:a").unwrap().family(), b"cf");
        assert_eq!(SCHEMA.families[0].max_versions, Some(3));
    }
}

#[cfg(all(test, feature = "derive"))]
mod derive_tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::HRow;

    #[derive(Debug, Clone, PartialEq, crate::HRow)]
    #[hbase(table = "t", family = "cf", crate = crate)]
    struct Model {
        #[hbase(row_key)]
        tenant: String,
        #[hbase(row_key)]
        at: i64,
        #[hbase(row_key)]
        tail: Vec<u8>,
        name: String,
        #[hbase(codec = "ordered")]
        score: f64,
        small: Option<i16>,
        #[hbase(default)]
        flag: bool,
        #[hbase(counter)]
        hits: i64,
        #[hbase(codec = "bincode")]
        pair: (u8, String),
        #[hbase(versions = 4)]
        history: Vec<(i64, u32)>,
        #[hbase(family_map = "m")]
        map: BTreeMap<Vec<u8>, String>,
    }

    fn model() -> impl Strategy<Value = Model> {
        (
            (
                any::<String>(),
                any::<i64>(),
                any::<Vec<u8>>(),
                any::<String>(),
            ),
            (
                any::<f64>(),
                any::<Option<i16>>(),
                any::<bool>(),
                any::<i64>(),
            ),
            (
                any::<(u8, String)>(),
                prop::collection::btree_map(any::<i64>(), any::<u32>(), 0..4),
                any::<BTreeMap<Vec<u8>, String>>(),
            ),
        )
            .prop_map(
                |((tenant, at, tail, name), (score, small, flag, hits), (pair, h, map))| Model {
                    tenant,
                    at,
                    tail,
                    name,
                    score: if score.is_nan() { 0.0 } else { score },
                    small,
                    flag,
                    hits,
                    pair,
                    // Newest first, one value per timestamp, as HBase returns them.
                    history: h.into_iter().rev().collect(),
                    map,
                },
            )
    }

    /// What the gateway would return after the writes: deletes drop cells,
    /// versions keep their timestamps.
    fn stored(ops: &CellOps) -> Vec<(Vec<u8>, Vec<u8>, i64)> {
        ops.ops
            .iter()
            .filter_map(|op| {
                let value = op.value.clone()?;
                Some((op.column.clone(), value, op.timestamp.unwrap_or(1)))
            })
            .collect()
    }

    proptest! {
        #[test]
        fn write_then_read_round_trips(m in model()) {
            let mut ops = CellOps::default();
            m.write_cells(&mut ops).unwrap();
            let cells = stored(&ops);
            let back = Model::from_cells(
                &m.row_key(),
                cells.iter().map(|(c, v, ts)| Cell { column: c, value: v, timestamp: *ts }),
            )
            .unwrap();
            prop_assert_eq!(back, m.clone());
            // `None` is written as a delete of its column.
            prop_assert_eq!(
                ops.ops.iter().any(|op| op.column == b"cf:small" && op.value.is_none()),
                m.small.is_none()
            );
        }

        #[test]
        fn key_bytes_sort_like_the_key_tuple(a in model(), b in model()) {
            let ka = (&a.tenant, a.at, &a.tail);
            let kb = (&b.tenant, b.at, &b.tail);
            prop_assert_eq!(a.row_key().cmp(&b.row_key()), ka.cmp(&kb));
        }

        #[test]
        fn garbage_is_an_error_never_a_panic(
            row in any::<Vec<u8>>(),
            cells in prop::collection::vec(
                (prop::sample::select(vec![
                    &b"cf:name"[..], b"cf:score", b"cf:small", b"cf:flag", b"cf:hits",
                    b"cf:pair", b"cf:history", b"m:x", b"m:\xFF", b"cf:other",
                ]), any::<Vec<u8>>(), any::<i64>()),
                0..12,
            ),
        ) {
            let result = Model::from_cells(
                &row,
                cells.iter().map(|(c, v, ts)| Cell { column: c, value: v, timestamp: *ts }),
            );
            if let Err(e) = result {
                prop_assert_eq!(e.table(), "t");
                prop_assert_eq!(e.row(), &row[..]);
                prop_assert!(!e.field().is_empty());
            }
        }
    }

    #[test]
    fn missing_required_cell_names_the_field() {
        let m = Model::from_cells(b"a\0\0\x80\0\0\0\0\0\0\x01", []);
        let e = m.unwrap_err();
        assert_eq!((e.field(), e.column()), ("name", Some(&b"cf:name"[..])));
        assert_eq!(e.codec_error().message(), "missing cell");
    }
}
