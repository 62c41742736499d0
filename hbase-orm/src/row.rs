//! The [`HRow`] trait: a struct mapped to a row key and cells.
//!
//! Implemented by `#[derive(HRow)]` (see [`crate::HRow`] for the attributes);
//! [`Repo`](crate::repo) reads and writes models through it. Everything here
//! is static: column names are `&'static [u8]` constants and the schema is a
//! `static` built at compile time.

use std::fmt;

use crate::codec::CodecError;
use crate::row_key::{EncodeKey, RowKey};

/// A struct stored as one HBase row.
///
/// Implement it with `#[derive(HRow)]`; the methods are the contract between
/// the generated code and [`Repo`](crate::repo::Repo), and are rarely called
/// directly.
pub trait HRow: Sized {
    /// The typed row key: the key field's type, or a tuple of the key fields'
    /// types in order for a composite key.
    type Key: RowKey;

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

/// One cell as read from HBase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell<'a> {
    /// `family:qualifier`.
    pub column: &'a [u8],
    /// The value.
    pub value: &'a [u8],
    /// The timestamp, milliseconds since the epoch.
    pub timestamp: i64,
}

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
}

impl ColumnSpec {
    /// A column spec.
    pub const fn new(field: &'static str, column: &'static [u8], kind: ColumnKind) -> Self {
        ColumnSpec {
            field,
            column,
            kind,
        }
    }

    /// The family part of the column name (without the colon).
    pub fn family(&self) -> &'static [u8] {
        match self.column.iter().position(|&b| b == b':') {
            Some(i) => &self.column[..i],
            None => self.column,
        }
    }
}

/// A column family of the table with the options `create_table` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FamilySpec {
    /// The family name.
    pub name: &'static str,
    /// Versions kept (`max_versions`); `None` = the server's default.
    pub max_versions: Option<i32>,
    /// Time to live in seconds; `None` = forever.
    pub ttl: Option<i32>,
    /// Compression (`"NONE"`, `"GZ"`, `"SNAPPY"`, ...).
    pub compression: Option<&'static str>,
    /// Bloom filter type (`"NONE"`, `"ROW"`, `"ROWCOL"`).
    pub bloom_filter: Option<&'static str>,
    /// Keep in memory.
    pub in_memory: Option<bool>,
    /// Use the block cache.
    pub block_cache: Option<bool>,
}

impl FamilySpec {
    /// A family with the server's default options.
    pub const fn new(name: &'static str) -> Self {
        FamilySpec {
            name,
            max_versions: None,
            ttl: None,
            compression: None,
            bloom_filter: None,
            in_memory: None,
            block_cache: None,
        }
    }
    /// Sets `max_versions`.
    pub const fn max_versions(mut self, n: i32) -> Self {
        self.max_versions = Some(n);
        self
    }
    /// Sets the time to live in seconds.
    pub const fn ttl(mut self, seconds: i32) -> Self {
        self.ttl = Some(seconds);
        self
    }
    /// Sets the compression.
    pub const fn compression(mut self, c: &'static str) -> Self {
        self.compression = Some(c);
        self
    }
    /// Sets the bloom filter type.
    pub const fn bloom_filter(mut self, b: &'static str) -> Self {
        self.bloom_filter = Some(b);
        self
    }
    /// Sets in-memory.
    pub const fn in_memory(mut self, v: bool) -> Self {
        self.in_memory = Some(v);
        self
    }
    /// Sets block caching.
    pub const fn block_cache(mut self, v: bool) -> Self {
        self.block_cache = Some(v);
        self
    }
}

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
        }
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

fn show_bytes(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    f.write_str("\"")?;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() || c == '"' || c == '\\' {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        for b in chunk.invalid() {
            write!(f, "\\x{b:02X}")?;
        }
    }
    f.write_str("\"")
}

/// A row or cell that could not be turned into a model value.
///
/// Names the table, the row key, the column (none for a row-key field) and
/// the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    table: &'static str,
    row: Vec<u8>,
    column: Option<Vec<u8>>,
    field: &'static str,
    source: CodecError,
}

impl DecodeError {
    /// An error decoding `field` of `table` at `row`/`column`.
    pub fn new(
        table: &'static str,
        row: &[u8],
        column: Option<&[u8]>,
        field: &'static str,
        source: CodecError,
    ) -> Self {
        DecodeError {
            table,
            row: row.to_vec(),
            column: column.map(<[u8]>::to_vec),
            field,
            source,
        }
    }
    /// The table.
    pub fn table(&self) -> &str {
        self.table
    }
    /// The raw row key.
    pub fn row(&self) -> &[u8] {
        &self.row
    }
    /// The `family:qualifier` of the cell; `None` when the row key failed.
    pub fn column(&self) -> Option<&[u8]> {
        self.column.as_deref()
    }
    /// The Rust field.
    pub fn field(&self) -> &str {
        self.field
    }
    /// What was wrong with the bytes.
    pub fn codec_error(&self) -> &CodecError {
        &self.source
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot decode field `{}` of table `{}`, row ",
            self.field, self.table
        )?;
        show_bytes(f, &self.row)?;
        match &self.column {
            Some(c) => {
                f.write_str(", column ")?;
                show_bytes(f, c)?;
            }
            None => f.write_str(", row key")?,
        }
        write!(f, ": {}", self.source)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A field value that its codec could not encode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    table: &'static str,
    field: &'static str,
    source: CodecError,
}

impl EncodeError {
    /// An error encoding `field` of `table`.
    pub fn new(table: &'static str, field: &'static str, source: CodecError) -> Self {
        EncodeError {
            table,
            field,
            source,
        }
    }
    /// The table.
    pub fn table(&self) -> &str {
        self.table
    }
    /// The Rust field.
    pub fn field(&self) -> &str {
        self.field
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot encode field `{}` of table `{}`: {}",
            self.field, self.table, self.source
        )
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

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
