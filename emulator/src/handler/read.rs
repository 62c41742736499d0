//! Reads: `get`, `getVer`, `getVerTs` and the `getRow*` / `getRows*` family.

use bytes::Bytes;
use hbase_orm_idl::hbase::{TCell, TRowResult, Text};
use hbase_orm_idl::thrift;

use super::write::check_row;
use super::{
    internal_error, io_error, parse_column, reply_bytes, row_result, select, selection_of,
    store_error, tcell, HbaseHandler,
};
use crate::store::{ColumnSelection, Query};

/// The exclusive upper bound of a `*Ts` read: `[0, ts)`; a negative bound is
/// the `IllegalArgumentException` of HBase's `TimeRange`, which the gateway
/// does not catch.
pub(super) fn time_bound(timestamp: i64) -> thrift::Result<i64> {
    if timestamp < 0 {
        Err(internal_error(format!(
            "maxStamp is smaller than minStamp: 0 > {timestamp}"
        )))
    } else {
        Ok(timestamp)
    }
}

impl HbaseHandler {
    /// `get` / `getVer` / `getVerTs`: versions of one column (or of every
    /// column of a family), newest first.
    pub(super) fn get_cells(
        &self,
        table: &[u8],
        row: &[u8],
        column: Text,
        timestamp: i64,
        versions: i32,
    ) -> thrift::Result<Vec<TCell>> {
        check_row(row).map_err(internal_error)?;
        let max_timestamp = time_bound(timestamp)?;
        let versions = match usize::try_from(versions) {
            Ok(n) if n > 0 => n,
            _ => {
                return Err(io_error(
                    "java.io.IOException: versions must be positive",
                    false,
                ))
            }
        };
        let mut selection = ColumnSelection::new();
        select(&mut selection, parse_column(Bytes::from(column)));
        let query = Query {
            columns: Some(selection),
            max_timestamp,
            versions,
        };
        let cells = self.store().get(table, row, &query).map_err(store_error)?;
        self.check_reply_size(reply_bytes(row, &cells), "get")?;
        Ok(cells.iter().map(tcell).collect())
    }

    /// `getRow*` / `getRows*`: the latest version of the selected columns of
    /// each row; rows without cells are left out.
    pub(super) fn get_rows(
        &self,
        table: &[u8],
        rows: Vec<Text>,
        columns: Vec<Text>,
        timestamp: i64,
    ) -> thrift::Result<Vec<TRowResult>> {
        let query = Query {
            columns: selection_of(columns),
            max_timestamp: time_bound(timestamp)?,
            versions: 1,
        };
        if let Some(Err(e)) = rows.iter().map(|r| check_row(r)).find(Result::is_err) {
            return Err(internal_error(e));
        }
        let mut results = Vec::with_capacity(rows.len());
        let mut bytes = 0;
        for row in rows {
            let cells = self.store().get(table, &row, &query).map_err(store_error)?;
            if !cells.is_empty() {
                bytes += reply_bytes(&row, &cells);
                self.check_reply_size(bytes, "getRows")?;
                results.push(row_result(&row, &cells, false));
            }
        }
        Ok(results)
    }
}
