//! What Thrift2 reads return: [`RowResult`], its [`CellValue`]s, and
//! [`RegionLocation`].

use bytes::Bytes;
use hbase_orm_idl::hbase2::{THRegionLocation, TResult};

use crate::value::{Cell, Row};

/// One cell version of a [`RowResult`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CellValue {
    /// The column family.
    pub family: Bytes,
    /// The qualifier.
    pub qualifier: Bytes,
    /// The value.
    pub value: Bytes,
    /// The version's timestamp (milliseconds since the epoch, unless the
    /// writer chose its own).
    pub timestamp: i64,
    /// The cell's tags as the gateway serialized them (empty unless the
    /// gateway returns tags).
    pub tags: Bytes,
}

impl CellValue {
    /// `family:qualifier`, as the Thrift1 client names columns.
    pub fn column(&self) -> Vec<u8> {
        let mut c = Vec::with_capacity(self.family.len() + 1 + self.qualifier.len());
        c.extend_from_slice(&self.family);
        c.push(b':');
        c.extend_from_slice(&self.qualifier);
        c
    }

    /// The value and timestamp, as a [`Row`]'s cell.
    pub(crate) fn to_cell(&self) -> Cell {
        Cell {
            value: self.value.clone(),
            timestamp: self.timestamp,
        }
    }
}

/// A row as a Thrift2 read returns it: every cell version asked for, in the
/// gateway's order (columns sorted, newest version first).
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::RowResult;
/// let empty = RowResult::default();
/// assert!(empty.is_empty());
/// assert_eq!(empty.value("cf", "q"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RowResult {
    /// The row key.
    pub key: Bytes,
    /// The cells, columns in order, newest version first within a column.
    pub cells: Vec<CellValue>,
    /// Whether a replica other than the primary answered (timeline
    /// consistency): the row may be behind.
    pub stale: bool,
    /// Whether this is part of a row only (a scan with a batch size).
    pub partial: bool,
}

impl RowResult {
    pub(crate) fn from_wire(r: TResult) -> RowResult {
        RowResult {
            key: Bytes::from(r.row.unwrap_or_default()),
            cells: r
                .column_values
                .into_iter()
                .map(|c| CellValue {
                    family: Bytes::from(c.family),
                    qualifier: Bytes::from(c.qualifier),
                    value: Bytes::from(c.value),
                    timestamp: c.timestamp.unwrap_or(0),
                    tags: Bytes::from(c.tags.unwrap_or_default()),
                })
                .collect(),
            stale: r.stale.unwrap_or(false),
            partial: r.partial.unwrap_or(false),
        }
    }

    /// Whether the row has no cell (a get of a missing row).
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The newest value of `family:qualifier`.
    pub fn value(&self, family: impl AsRef<[u8]>, qualifier: impl AsRef<[u8]>) -> Option<&Bytes> {
        self.cell(family, qualifier).map(|c| &c.value)
    }

    /// The newest version of `family:qualifier`.
    pub fn cell(
        &self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
    ) -> Option<&CellValue> {
        let (f, q) = (family.as_ref(), qualifier.as_ref());
        self.cells
            .iter()
            .find(|c| c.family.as_ref() == f && c.qualifier.as_ref() == q)
    }

    /// Every version of `family:qualifier`, newest first.
    pub fn versions<'a>(
        &'a self,
        family: impl AsRef<[u8]> + 'a,
        qualifier: impl AsRef<[u8]> + 'a,
    ) -> impl Iterator<Item = &'a CellValue> + 'a {
        self.cells.iter().filter(move |c| {
            c.family.as_ref() == family.as_ref() && c.qualifier.as_ref() == qualifier.as_ref()
        })
    }

    /// The row with its newest version of each column, keyed
    /// `family:qualifier`, as the Thrift1 client returns rows.
    pub fn to_row(&self) -> Row {
        let mut row = Row::new(self.key.clone());
        for c in &self.cells {
            let cell = c.to_cell();
            row.cells
                .entry(Bytes::from(c.column()))
                .and_modify(|old| {
                    if cell.timestamp > old.timestamp {
                        *old = cell.clone();
                    }
                })
                .or_insert(cell);
        }
        row
    }
}

/// Where a region lives: its server and its key range.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegionLocation {
    /// The region server's host name.
    pub host: String,
    /// The region server's port, when the gateway gives it.
    pub port: Option<i32>,
    /// The region server's start code, when the gateway gives it.
    pub start_code: Option<i64>,
    /// The region's id.
    pub region_id: i64,
    /// The table, `namespace:name` or `name`.
    pub table: Bytes,
    /// The first key of the region (empty: the table's start).
    pub start_key: Bytes,
    /// The first key past the region (empty: the table's end).
    pub end_key: Bytes,
    /// Whether the region is offline.
    pub offline: bool,
    /// Whether the region is split.
    pub split: bool,
    /// The replica id (0: the primary).
    pub replica_id: i32,
}

impl RegionLocation {
    pub(crate) fn from_wire(l: THRegionLocation) -> RegionLocation {
        RegionLocation {
            host: l.server_name.host_name,
            port: l.server_name.port,
            start_code: l.server_name.start_code,
            region_id: l.region_info.region_id,
            table: Bytes::from(l.region_info.table_name),
            start_key: Bytes::from(l.region_info.start_key.unwrap_or_default()),
            end_key: Bytes::from(l.region_info.end_key.unwrap_or_default()),
            offline: l.region_info.offline.unwrap_or(false),
            split: l.region_info.split.unwrap_or(false),
            replica_id: l.region_info.replica_id.unwrap_or(0),
        }
    }
}
