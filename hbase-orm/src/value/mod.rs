//! The values results come in: [`Row`], [`Cell`], [`Region`]; and
//! [`DecodeRow`], what builds a value from a row's borrowed cells
//! ([`CellRef`]) without a [`Row`] in between.
//!
//! Plain data with no I/O and no protocol: every other layer of the crate
//! may use them, and they use nothing of the crate but its error type.

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::error::Result;

/// One cell value with its timestamp (milliseconds since the epoch, unless
/// the writer chose other timestamps).
///
/// # Examples
/// ```
/// let cell = hbase_orm::Cell { value: "v".into(), timestamp: 1 };
/// assert_eq!(&cell.value[..], b"v");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    /// The value.
    pub value: Bytes,
    /// The timestamp of the value.
    pub timestamp: i64,
}

/// One row as read: its key and cells keyed `family:qualifier`.
///
/// Timestamps are always there: the gateway sends them with every cell, so
/// there is no `include_timestamp` switch.
///
/// The key, column names and values of a row read from the gateway are
/// slices of the reply they came in (no copy): keeping any of them keeps
/// that whole reply (a page of a scan) in memory. Copy what is kept for long
/// (`Bytes::copy_from_slice`) when that matters.
///
/// # Examples
/// ```
/// use hbase_orm::{Cell, Row};
///
/// let mut row = Row::new("user1");
/// row.cells.insert("cf:name".into(), Cell { value: "Ann".into(), timestamp: 5 });
/// assert_eq!(row.get("cf:name").map(|v| &v[..]), Some(&b"Ann"[..]));
/// assert_eq!(row.cell("cf:name").map(|c| c.timestamp), Some(5));
/// assert!(row.get("cf:age").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// The row key.
    pub key: Bytes,
    /// The cells, keyed `family:qualifier`, in byte order.
    pub cells: BTreeMap<Bytes, Cell>,
}

impl Row {
    /// An empty row with key `key`.
    ///
    /// # Examples
    /// ```
    /// assert!(hbase_orm::Row::new("k").cells.is_empty());
    /// ```
    pub fn new(key: impl Into<Bytes>) -> Self {
        Row {
            key: key.into(),
            cells: BTreeMap::new(),
        }
    }

    /// The value of column `family:qualifier`, if the row has it.
    ///
    /// # Examples
    /// ```
    /// let row = hbase_orm::Row::new("k");
    /// assert_eq!(row.get("cf:a"), None);
    /// ```
    pub fn get(&self, column: impl AsRef<[u8]>) -> Option<&Bytes> {
        self.cells.get(column.as_ref()).map(|c| &c.value)
    }

    /// The cell (value and timestamp) of column `family:qualifier`.
    ///
    /// # Examples
    /// ```
    /// let row = hbase_orm::Row::new("k");
    /// assert!(row.cell("cf:a").is_none());
    /// ```
    pub fn cell(&self, column: impl AsRef<[u8]>) -> Option<&Cell> {
        self.cells.get(column.as_ref())
    }

    /// Column names and values, in column order.
    ///
    /// # Examples
    /// ```
    /// let row = hbase_orm::Row::new("k");
    /// assert_eq!(row.values().count(), 0);
    /// ```
    pub fn values(&self) -> impl Iterator<Item = (&Bytes, &Bytes)> {
        self.cells.iter().map(|(k, c)| (k, &c.value))
    }

    /// This row decoded by `D`, from its key and its cells borrowed.
    ///
    /// # Errors
    /// What `D` fails with.
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::store::{CellRef, DecodeRow};
    /// use hbase_orm::{Cell, Row};
    ///
    /// /// The newest timestamp of a row.
    /// struct Newest;
    /// impl DecodeRow for Newest {
    ///     type Output = Option<i64>;
    ///     fn decode_row<'a, I>(_key: &'a [u8], cells: I) -> hbase_orm::Result<Option<i64>>
    ///     where
    ///         I: Iterator<Item = CellRef<'a>>,
    ///     {
    ///         Ok(cells.map(|c| c.timestamp).max())
    ///     }
    /// }
    ///
    /// let mut row = Row::new("k");
    /// row.cells.insert("cf:a".into(), Cell { value: "1".into(), timestamp: 7 });
    /// assert_eq!(row.decode::<Newest>().unwrap(), Some(7));
    /// ```
    pub fn decode<D: DecodeRow>(&self) -> Result<D::Output> {
        let cells = self.cells.iter().map(|(column, cell)| CellRef {
            column,
            value: &cell.value,
            timestamp: cell.timestamp,
        });
        D::decode_row(&self.key, cells)
    }
}

/// One cell of a row, borrowed from where it was read: the bytes of a
/// reply, or a [`Row`]. The typed layer names it
/// [`row::Cell`](crate::row::Cell) (what [`HRow::from_cells`](crate::HRow::from_cells) takes).
///
/// # Examples
/// ```
/// let cell = hbase_orm::store::CellRef { column: b"cf:a", value: b"v", timestamp: 1 };
/// assert_eq!(cell.value, b"v");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRef<'a> {
    /// `family:qualifier`.
    pub column: &'a [u8],
    /// The value.
    pub value: &'a [u8],
    /// The timestamp of the value.
    pub timestamp: i64,
}

/// Builds a value from one row as read: its key and its cells, borrowed
/// from where they were read, so that a backend can decode rows straight
/// from the bytes it received, without building [`Row`]s (the typed layer
/// reads its models so: see
/// [`StoreTable::get_row_decoded`](crate::store::StoreTable::get_row_decoded)).
///
/// The cells come as a [`Row`] holds them: once per column (the last one a
/// reply holds for it), in byte order of the column names.
///
/// # Examples
/// ```
/// use hbase_orm::store::{CellRef, DecodeRow};
///
/// /// The row's key and the number of its cells.
/// struct Census;
/// impl DecodeRow for Census {
///     type Output = (Vec<u8>, usize);
///     fn decode_row<'a, I>(key: &'a [u8], cells: I) -> hbase_orm::Result<(Vec<u8>, usize)>
///     where
///         I: Iterator<Item = CellRef<'a>>,
///     {
///         Ok((key.to_vec(), cells.count()))
///     }
/// }
///
/// let cells = [CellRef { column: b"cf:a", value: b"1", timestamp: 3 }];
/// assert_eq!(Census::decode_row(b"k", cells.into_iter()).unwrap(), (b"k".to_vec(), 1));
/// ```
pub trait DecodeRow {
    /// What a row decodes to.
    type Output;

    /// Decodes the row with key `key` from its cells.
    ///
    /// # Errors
    /// When the row does not make a value (a cell that does not decode, a
    /// cell missing); the typed layer's errors are
    /// [`Error::Decode`](crate::Error::Decode).
    fn decode_row<'a, I>(key: &'a [u8], cells: I) -> Result<Self::Output>
    where
        I: Iterator<Item = CellRef<'a>>;
}

/// A region of a table, as [`Table::regions`](crate::Table::regions) lists them.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// # let table = hbase_orm::Connection::builder().build().table("t");
/// let regions: Vec<hbase_orm::Region> = table.regions().await?;
/// let servers: Vec<_> = regions.iter().map(|r| (r.server_name.clone(), r.port)).collect();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Region {
    /// First row key of the region (inclusive; empty for the first region).
    pub start_key: Bytes,
    /// End row key of the region (exclusive; empty for the last region).
    pub end_key: Bytes,
    /// Region id.
    pub id: i64,
    /// Region name.
    pub name: Bytes,
    /// Region info version.
    pub version: i8,
    /// Host name of the region server.
    pub server_name: Bytes,
    /// Port of the region server.
    pub port: i32,
}
