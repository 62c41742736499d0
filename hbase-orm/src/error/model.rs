//! The errors of turning model values into cells and back: a codec's
//! [`CodecError`], and the [`DecodeError`] and [`EncodeError`] that wrap it
//! with the table, row key, column and field it happened at.

use std::borrow::Cow;
use std::fmt;

/// Why bytes could not be turned into a value, or a value into bytes.
///
/// Codecs return it; the typed layer wraps it with the table, row key, column
/// and field it happened at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    message: Cow<'static, str>,
}

impl CodecError {
    /// An error with this message.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = hbase_orm::codec::CodecError::new("not a colour");
    /// assert_eq!(e.to_string(), "not a colour");
    /// ```
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        CodecError {
            message: message.into(),
        }
    }

    /// A value of a fixed width that had another width.
    pub fn wrong_length(expected: usize, found: usize) -> Self {
        CodecError::new(format!("expected {expected} bytes, found {found}"))
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CodecError {}

fn show_bytes(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    f.write_str("\"")?;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    write!(f, "\\x{b:02X}")?;
                }
            } else if c == '"' || c == '\\' {
                write!(f, "\\{c}")?;
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

impl From<DecodeError> for super::Error {
    fn from(e: DecodeError) -> Self {
        super::Error::Decode(Box::new(e))
    }
}

impl From<EncodeError> for super::Error {
    fn from(e: EncodeError) -> Self {
        super::Error::Encode(Box::new(e))
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
