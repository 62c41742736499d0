//! Writes: `mutateRow*`, `mutateRows*`, `deleteAll*`, counters, `append` and
//! `checkAndPut`.

use bytes::Bytes;
use hbase_orm_idl::hbase::{BatchMutation, Mutation, TAppend, TCell, TIncrement, Text};
use hbase_orm_idl::thrift;

use super::{
    illegal_argument, internal_error, parse_column, store_error, tcell, ColumnName, HbaseHandler,
};
use crate::store::{EditOp, RowEdit};

/// The longest row key HBase accepts (`Short.MAX_VALUE`).
const MAX_ROW_LENGTH: usize = 32767;

/// HBase's check of a row key (`Mutation.checkRow`): the message of its
/// `IllegalArgumentException`, if the key is empty or too long.
pub(super) fn check_row(row: &[u8]) -> Result<(), String> {
    if row.is_empty() {
        Err("java.lang.IllegalArgumentException: Row length is 0".to_owned())
    } else if row.len() > MAX_ROW_LENGTH {
        Err(format!(
            "java.lang.IllegalArgumentException: Row length {} is > {MAX_ROW_LENGTH}",
            row.len()
        ))
    } else {
        Ok(())
    }
}

/// The `IllegalArgumentException` of HBase for a negative timestamp.
fn negative_timestamp(ts: i64) -> String {
    format!("java.lang.IllegalArgumentException: Timestamp cannot be negative. ts={ts}")
}

/// The runtime failure of the gateway when a qualifier is required but the
/// column names a family only.
fn missing_qualifier() -> thrift::Error {
    internal_error("java.lang.ArrayIndexOutOfBoundsException: 1")
}

/// The delete operation of a `Mutation` with `isDelete` set.
fn delete_op(column: ColumnName, up_to: i64) -> EditOp {
    match column {
        ColumnName::Family(family) => EditOp::DeleteFamily { family, up_to },
        ColumnName::Column(family, qualifier) => EditOp::DeleteColumn {
            family,
            qualifier,
            up_to,
        },
    }
}

/// A mutation split into its parts.
struct Parsed {
    is_delete: bool,
    column: ColumnName,
    value: Bytes,
}

fn parse_mutation(m: Mutation) -> Parsed {
    Parsed {
        is_delete: m.is_delete.unwrap_or(false),
        column: parse_column(Bytes::from(m.column.unwrap_or_default())),
        value: Bytes::from(m.value.unwrap_or_default()),
    }
}

fn push_edit(edits: &mut Vec<RowEdit>, row: &Bytes, ops: Vec<EditOp>) {
    if !ops.is_empty() {
        edits.push(RowEdit {
            row: row.clone(),
            ops,
        });
    }
}

impl HbaseHandler {
    /// `mutateRow(Ts)`: the deletes, then the puts (a put to a family-only
    /// column is ignored), atomically.
    pub(super) fn mutate_row(
        &self,
        table: &[u8],
        row: Text,
        mutations: Vec<Mutation>,
        timestamp: i64,
    ) -> thrift::Result<()> {
        if timestamp < 0 {
            return Err(illegal_argument(negative_timestamp(timestamp)));
        }
        check_row(&row).map_err(illegal_argument)?;
        let row = Bytes::from(row);
        let parsed: Vec<Parsed> = mutations.into_iter().map(parse_mutation).collect();
        let mut edits = Vec::with_capacity(2);
        if parsed.iter().any(|m| m.is_delete) {
            let up_to = self.resolve_timestamp(timestamp);
            let ops = parsed
                .iter()
                .filter(|m| m.is_delete)
                .map(|m| delete_op(m.column.clone(), up_to))
                .collect();
            push_edit(&mut edits, &row, ops);
        }
        if parsed.iter().any(|m| !m.is_delete) {
            let ts = self.resolve_timestamp(timestamp);
            let ops = parsed
                .into_iter()
                .filter(|m| !m.is_delete)
                .filter_map(|m| match m.column {
                    ColumnName::Family(_) => None,
                    ColumnName::Column(family, qualifier) => Some(EditOp::Put {
                        family,
                        qualifier,
                        timestamp: ts,
                        value: m.value,
                    }),
                })
                .collect();
            push_edit(&mut edits, &row, ops);
        }
        if edits.is_empty() {
            return Ok(());
        }
        self.store().apply(table, edits).map_err(store_error)
    }

    /// `mutateRows(Ts)`: every put of every row first, then every delete.
    pub(super) fn mutate_rows(
        &self,
        table: &[u8],
        batches: Vec<BatchMutation>,
        timestamp: i64,
    ) -> thrift::Result<()> {
        if timestamp < 0 {
            return Err(internal_error(negative_timestamp(timestamp)));
        }
        let mut rows = Vec::with_capacity(batches.len());
        for batch in batches {
            let row = batch.row.unwrap_or_default();
            check_row(&row).map_err(internal_error)?;
            let parsed: Vec<Parsed> = batch
                .mutations
                .unwrap_or_default()
                .into_iter()
                .map(parse_mutation)
                .collect();
            if parsed
                .iter()
                .any(|m| !m.is_delete && matches!(m.column, ColumnName::Family(_)))
            {
                return Err(internal_error(
                    "java.lang.IllegalArgumentException: Invalid famAndQf provided.",
                ));
            }
            rows.push((Bytes::from(row), parsed));
        }
        let mut edits = Vec::new();
        if rows.iter().any(|(_, p)| p.iter().any(|m| !m.is_delete)) {
            let ts = self.resolve_timestamp(timestamp);
            for (row, parsed) in &rows {
                let ops = parsed
                    .iter()
                    .filter(|m| !m.is_delete)
                    .filter_map(|m| match &m.column {
                        ColumnName::Family(_) => None,
                        ColumnName::Column(family, qualifier) => Some(EditOp::Put {
                            family: family.clone(),
                            qualifier: qualifier.clone(),
                            timestamp: ts,
                            value: m.value.clone(),
                        }),
                    })
                    .collect();
                push_edit(&mut edits, row, ops);
            }
        }
        if rows.iter().any(|(_, p)| p.iter().any(|m| m.is_delete)) {
            let up_to = self.resolve_timestamp(timestamp);
            for (row, parsed) in &rows {
                let ops = parsed
                    .iter()
                    .filter(|m| m.is_delete)
                    .map(|m| delete_op(m.column.clone(), up_to))
                    .collect();
                push_edit(&mut edits, row, ops);
            }
        }
        if edits.is_empty() {
            return Ok(());
        }
        self.store().apply(table, edits).map_err(store_error)
    }

    /// `deleteAll(Ts)`: every version `<= ts` of a column or a family.
    pub(super) fn delete_all(
        &self,
        table: &[u8],
        row: Text,
        column: Text,
        timestamp: i64,
    ) -> thrift::Result<()> {
        if timestamp < 0 {
            return Err(internal_error(negative_timestamp(timestamp)));
        }
        check_row(row.as_ref()).map_err(internal_error)?;
        let op = delete_op(
            parse_column(Bytes::from(column)),
            self.resolve_timestamp(timestamp),
        );
        self.store()
            .apply(
                table,
                vec![RowEdit {
                    row: Bytes::from(row),
                    ops: vec![op],
                }],
            )
            .map_err(store_error)
    }

    /// `deleteAllRow(Ts)`: every version `<= ts` of every column of a row.
    pub(super) fn delete_all_row(
        &self,
        table: &[u8],
        row: Text,
        timestamp: i64,
    ) -> thrift::Result<()> {
        if timestamp < 0 {
            return Err(internal_error(negative_timestamp(timestamp)));
        }
        check_row(row.as_ref()).map_err(internal_error)?;
        let up_to = self.resolve_timestamp(timestamp);
        self.store()
            .apply(
                table,
                vec![RowEdit {
                    row: Bytes::from(row),
                    ops: vec![EditOp::DeleteRow { up_to }],
                }],
            )
            .map_err(store_error)
    }

    /// `atomicIncrement`: a family-only column is the empty qualifier.
    pub(super) fn atomic_increment(
        &self,
        table: &[u8],
        row: &[u8],
        column: Text,
        amount: i64,
    ) -> thrift::Result<i64> {
        check_row(row).map_err(internal_error)?;
        let (family, qualifier) = match parse_column(Bytes::from(column)) {
            ColumnName::Family(family) => (family, Bytes::new()),
            ColumnName::Column(family, qualifier) => (family, qualifier),
        };
        let values = self
            .store()
            .increment(table, row, &[(family, qualifier, amount)])
            .map_err(store_error)?;
        Ok(values.first().copied().unwrap_or(0))
    }

    /// `increment` (one `TIncrement`).
    pub(super) fn increment(&self, increment: TIncrement) -> thrift::Result<()> {
        let table = increment.table.unwrap_or_default();
        let row = increment.row.unwrap_or_default();
        if table.is_empty() || row.is_empty() {
            return Err(internal_error(
                "Must supply a table and a row key; can't increment",
            ));
        }
        let (family, qualifier) =
            match parse_column(Bytes::from(increment.column.unwrap_or_default())) {
                ColumnName::Family(_) => {
                    return Err(internal_error("java.lang.NullPointerException"))
                }
                ColumnName::Column(family, qualifier) => (family, qualifier),
            };
        self.store()
            .increment(
                &table,
                &row,
                &[(family, qualifier, increment.ammount.unwrap_or(0))],
            )
            .map(drop)
            .map_err(store_error)
    }

    /// `append`: the new cells, sorted by column.
    pub(super) fn append(&self, append: TAppend) -> thrift::Result<Vec<TCell>> {
        let table = append.table.unwrap_or_default();
        let row = append.row.unwrap_or_default();
        if table.is_empty() || row.is_empty() {
            return Err(internal_error(
                "Must supply a table and a row key; can't append",
            ));
        }
        let columns = append.columns.unwrap_or_default();
        let values = append.values.unwrap_or_default();
        if columns.len() != values.len() {
            return Err(internal_error(
                "java.lang.IllegalArgumentException: Sizes of columns and values in tappend \
                 object are not matching",
            ));
        }
        let mut parts = Vec::with_capacity(columns.len());
        for (column, value) in columns.into_iter().zip(values) {
            match parse_column(Bytes::from(column)) {
                ColumnName::Family(_) => return Err(missing_qualifier()),
                ColumnName::Column(family, qualifier) => {
                    parts.push((family, qualifier, Bytes::from(value)))
                }
            }
        }
        if parts.is_empty() {
            // HBase refuses an append of no column (an internal error).
            return Err(internal_error(
                "java.lang.IllegalArgumentException: No columns to append",
            ));
        }
        let cells = self
            .store()
            .append(&table, &row, &parts)
            .map_err(store_error)?;
        Ok(cells.iter().map(tcell).collect())
    }

    /// `checkAndPut`: puts `mput` when the latest value of `column` equals
    /// `value` (an empty `value` matches a missing or empty cell, as HBase's
    /// check with an empty value does).
    pub(super) fn check_and_put(
        &self,
        table: &[u8],
        row: Text,
        column: Text,
        value: Text,
        mput: Mutation,
    ) -> thrift::Result<bool> {
        check_row(&row).map_err(illegal_argument)?;
        let put = parse_mutation(mput);
        let ColumnName::Column(put_family, put_qualifier) = put.column else {
            return Err(missing_qualifier());
        };
        let ColumnName::Column(family, qualifier) = parse_column(Bytes::from(column)) else {
            return Err(missing_qualifier());
        };
        let edit = RowEdit {
            row: Bytes::from(row),
            ops: vec![EditOp::Put {
                family: put_family,
                qualifier: put_qualifier,
                timestamp: self.store().next_timestamp(),
                value: put.value,
            }],
        };
        self.store()
            .check_and_put(table, &family, &qualifier, &value, edit)
            .map_err(store_error)
    }
}
