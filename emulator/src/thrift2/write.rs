//! Thrift2 writes: puts, deletes, row mutations, the check-and-mutate
//! family, increments and appends, with the visibility expressions of the
//! cells they write.

use std::cmp::Ordering;

use bytes::Bytes;
use hbase_orm_idl::hbase2::{
    TAppend, TCellVisibility, TColumn, TCompareOp, TDelete, TDeleteType, TIncrement, TMutation,
    TPut, TResult, TRowMutations,
};
use hbase_orm_idl::thrift;

use super::visibility::{self, Expr};
use super::{
    bytes, check_row, internal_error, io_error, result, store_error, unsupported, Thrift2Handler,
};
use crate::store::{Cell, ColumnSelection, EditOp, Query, RowEdit, StoreError};

/// How often a conditional write retries when the checked cell changed
/// between the comparison and the write.
const CAS_ATTEMPTS: usize = 1000;

/// The visibility expression of a write, parsed.
fn expression(v: Option<TCellVisibility>) -> thrift::Result<Option<Expr>> {
    match v.and_then(|v| v.expression) {
        Some(text) if !text.trim().is_empty() => visibility::parse(&text).map(Some).map_err(|e| {
            io_error(
                format!("org.apache.hadoop.hbase.security.visibility.InvalidLabelException: {e}"),
                false,
            )
        }),
        _ => Ok(None),
    }
}

/// One row's edit and the visibility of the cells it puts.
struct Prepared {
    edit: RowEdit,
    /// (family, qualifier, timestamp, expression) of every put.
    puts: Vec<(Bytes, Bytes, i64, Option<Expr>)>,
}

impl Thrift2Handler {
    fn put_ops(&self, put: TPut, prepared: &mut Prepared) -> thrift::Result<()> {
        check_row(&put.row)?;
        if put.column_values.is_empty() {
            return Err(internal_error(
                "java.lang.IllegalArgumentException: No columns to insert",
            ));
        }
        let expr = expression(put.cell_visibility)?;
        let default_ts = put.timestamp;
        for cv in put.column_values {
            let timestamp = match cv.timestamp.or(default_ts) {
                Some(ts) if ts >= 0 => ts,
                Some(ts) => {
                    return Err(internal_error(format!(
                        "java.lang.IllegalArgumentException: Timestamp cannot be negative. ts={ts}"
                    )))
                }
                None => self.store().next_timestamp(),
            };
            let (family, qualifier) = (bytes(cv.family), bytes(cv.qualifier));
            prepared
                .puts
                .push((family.clone(), qualifier.clone(), timestamp, expr.clone()));
            prepared.edit.ops.push(EditOp::Put {
                family,
                qualifier,
                timestamp,
                value: bytes(cv.value),
            });
        }
        Ok(())
    }

    fn delete_ops(&self, delete: TDelete, edit: &mut RowEdit) -> thrift::Result<()> {
        check_row(&delete.row)?;
        let columns = delete.columns.unwrap_or_default();
        if columns.is_empty() {
            let up_to = delete
                .timestamp
                .unwrap_or_else(|| self.store().next_timestamp());
            edit.ops.push(EditOp::DeleteRow { up_to });
            return Ok(());
        }
        let kind = delete.delete_type.unwrap_or(TDeleteType::DELETE_COLUMNS);
        for TColumn {
            family,
            qualifier,
            timestamp,
        } in columns
        {
            let up_to = timestamp.unwrap_or_else(|| self.store().next_timestamp());
            let family = bytes(family);
            edit.ops.push(match kind {
                TDeleteType::DELETE_COLUMNS => EditOp::DeleteColumn {
                    family,
                    qualifier: bytes(qualifier.unwrap_or_default()),
                    up_to,
                },
                TDeleteType::DELETE_FAMILY => EditOp::DeleteFamily { family, up_to },
                TDeleteType::DELETE_COLUMN => {
                    return Err(unsupported(
                        "deleteType DELETE_COLUMN (one version of a column)",
                    ))
                }
                TDeleteType::DELETE_FAMILY_VERSION => {
                    return Err(unsupported("deleteType DELETE_FAMILY_VERSION"))
                }
                other => {
                    return Err(internal_error(format!("unknown TDeleteType {}", other.0)));
                }
            });
        }
        Ok(())
    }

    /// Records the visibility of what an applied edit put.
    fn label(&self, table: &[u8], row: &Bytes, puts: Vec<(Bytes, Bytes, i64, Option<Expr>)>) {
        let table = Bytes::copy_from_slice(table);
        for (family, qualifier, ts, expr) in puts {
            if expr.is_some() || !self.inner.labels.is_empty() {
                self.inner
                    .labels
                    .set((table.clone(), row.clone(), family, qualifier, ts), expr);
            }
        }
    }

    /// `put` / `putMultiple`.
    pub(super) fn put(&self, table: &[u8], puts: Vec<TPut>) -> thrift::Result<()> {
        let mut all = Vec::with_capacity(puts.len());
        for put in puts {
            let row = bytes(put.row.clone());
            let mut prepared = Prepared {
                edit: RowEdit {
                    row,
                    ops: Vec::new(),
                },
                puts: Vec::new(),
            };
            self.put_ops(put, &mut prepared)?;
            all.push(prepared);
        }
        let edits = all.iter().map(|p| p.edit.clone()).collect();
        match self.store().apply(table, edits) {
            Ok(()) => {}
            // HBase sends a put list as a batch in which each put succeeds
            // or fails alone: the puts of existing families are written,
            // and the call fails for the others.
            Err(StoreError::NoSuchFamily { .. }) if all.len() > 1 => {
                let mut first_error = None;
                let mut written = Vec::with_capacity(all.len());
                for p in all {
                    match self.store().apply(table, vec![p.edit.clone()]) {
                        Ok(()) => written.push(p),
                        Err(e) => {
                            first_error.get_or_insert(e);
                        }
                    }
                }
                for p in written {
                    self.label(table, &p.edit.row, p.puts);
                }
                return first_error.map_or(Ok(()), |e| Err(store_error(e)));
            }
            Err(e) => return Err(store_error(e)),
        }
        for p in all {
            self.label(table, &p.edit.row, p.puts);
        }
        Ok(())
    }

    /// `deleteSingle` / `deleteMultiple`.
    pub(super) fn delete(&self, table: &[u8], deletes: Vec<TDelete>) -> thrift::Result<()> {
        let mut edits = Vec::with_capacity(deletes.len());
        for delete in deletes {
            let mut edit = RowEdit {
                row: bytes(delete.row.clone()),
                ops: Vec::new(),
            };
            self.delete_ops(delete, &mut edit)?;
            edits.push(edit);
        }
        self.store().apply(table, edits).map_err(store_error)
    }

    /// The edit of a `TRowMutations`, in order; every mutation must be on
    /// `row`.
    fn row_mutations(&self, row: &[u8], mutations: TRowMutations) -> thrift::Result<Prepared> {
        check_row(&mutations.row)?;
        let mut prepared = Prepared {
            edit: RowEdit {
                row: Bytes::copy_from_slice(row),
                ops: Vec::new(),
            },
            puts: Vec::new(),
        };
        for m in mutations.mutations {
            let mrow = match &m {
                TMutation::Put(p) => &p.row,
                TMutation::DeleteSingle(d) => &d.row,
            };
            if mrow.as_slice() != row {
                return Err(io_error(
                    format!(
                        "org.apache.hadoop.hbase.DoNotRetryIOException: Action's row {} doesn't match the row {} of the mutations",
                        super::to_string_binary(mrow),
                        super::to_string_binary(row)
                    ),
                    false,
                ));
            }
            match m {
                TMutation::Put(p) => self.put_ops(p, &mut prepared)?,
                TMutation::DeleteSingle(d) => self.delete_ops(d, &mut prepared.edit)?,
            }
        }
        Ok(prepared)
    }

    /// `mutateRow`.
    pub(super) fn mutate_row(&self, table: &[u8], mutations: TRowMutations) -> thrift::Result<()> {
        if mutations.mutations.is_empty() {
            // HBase's table.mutateRow refuses an empty RowMutations with an
            // undeclared exception (an internal error on the wire).
            return Err(internal_error(
                "java.lang.IllegalArgumentException: RowMutations has no mutations",
            ));
        }
        let row = mutations.row.clone();
        let prepared = self.row_mutations(&row, mutations)?;
        self.store()
            .apply(table, vec![prepared.edit.clone()])
            .map_err(store_error)?;
        self.label(table, &prepared.edit.row, prepared.puts);
        Ok(())
    }

    /// `checkAndMutate` (and `checkAndPut` / `checkAndDelete`, which check
    /// with EQUAL): compares `value` with the latest value of the column,
    /// "given `op` stored"; an empty `value` checks for an absent (or empty)
    /// cell. Applies the mutations when it matches.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check_and_mutate(
        &self,
        table: &[u8],
        row: Vec<u8>,
        family: Vec<u8>,
        qualifier: Vec<u8>,
        op: TCompareOp,
        value: Vec<u8>,
        mutations: TRowMutations,
    ) -> thrift::Result<bool> {
        check_row(&row)?;
        if !(0..=6).contains(&op.0) {
            return Err(internal_error(format!("unknown TCompareOp {}", op.0)));
        }
        let prepared = self.row_mutations(&row, mutations)?;
        let (family, qualifier) = (bytes(family), bytes(qualifier));
        let mut selection = ColumnSelection::new();
        selection.insert(
            family.clone(),
            Some([qualifier.clone()].into_iter().collect()),
        );
        let query = Query {
            columns: Some(selection),
            max_timestamp: i64::MAX,
            versions: 1,
        };
        for _ in 0..CAS_ATTEMPTS {
            let current = self.store().get(table, &row, &query).map_err(store_error)?;
            let stored = current.first().map(|c| c.value.clone());
            if !matches(op, &value, stored.as_deref()) {
                return Ok(false);
            }
            // Write only if the cell still holds what was compared.
            let expected = stored.unwrap_or_default();
            let applied = self
                .store()
                .check_and_put(table, &family, &qualifier, &expected, prepared.edit.clone())
                .map_err(store_error)?;
            if applied {
                self.label(table, &prepared.edit.row, prepared.puts);
                return Ok(true);
            }
        }
        Err(io_error(
            "java.io.IOException: the checked cell kept changing; try again",
            true,
        ))
    }

    /// `increment`: the new values when `returnResults` is unset or true.
    pub(super) fn increment(&self, table: &[u8], inc: TIncrement) -> thrift::Result<TResult> {
        check_row(&inc.row)?;
        if inc.columns.is_empty() {
            return Err(internal_error(
                "java.lang.IllegalArgumentException: No columns to increment",
            ));
        }
        let expr = expression(inc.cell_visibility)?;
        let deltas: Vec<(Bytes, Bytes, i64)> = inc
            .columns
            .into_iter()
            .map(|c| (bytes(c.family), bytes(c.qualifier), c.amount.unwrap_or(1)))
            .collect();
        let row = bytes(inc.row);
        self.store()
            .increment(table, &row, &deltas)
            .map_err(store_error)?;
        let cells = self.latest(
            table,
            &row,
            deltas.iter().map(|(f, q, _)| (f.clone(), q.clone())),
        )?;
        self.label(
            table,
            &row,
            cells
                .iter()
                .map(|c| {
                    (
                        c.family.clone(),
                        c.qualifier.clone(),
                        c.timestamp,
                        expr.clone(),
                    )
                })
                .collect(),
        );
        Ok(if inc.return_results.unwrap_or(true) {
            result(&row, &cells)
        } else {
            result(&row, &[])
        })
    }

    /// `append`: the new cells when `returnResults` is unset or true.
    pub(super) fn append(&self, table: &[u8], append: TAppend) -> thrift::Result<TResult> {
        check_row(&append.row)?;
        if append.columns.is_empty() {
            return Err(internal_error(
                "java.lang.IllegalArgumentException: No columns to append",
            ));
        }
        let expr = expression(append.cell_visibility)?;
        let values: Vec<(Bytes, Bytes, Bytes)> = append
            .columns
            .into_iter()
            .map(|c| (bytes(c.family), bytes(c.qualifier), bytes(c.value)))
            .collect();
        let row = bytes(append.row);
        let cells = self
            .store()
            .append(table, &row, &values)
            .map_err(store_error)?;
        self.label(
            table,
            &row,
            cells
                .iter()
                .map(|c| {
                    (
                        c.family.clone(),
                        c.qualifier.clone(),
                        c.timestamp,
                        expr.clone(),
                    )
                })
                .collect(),
        );
        Ok(if append.return_results.unwrap_or(true) {
            result(&row, &cells)
        } else {
            result(&row, &[])
        })
    }

    /// The latest cell of each column.
    fn latest(
        &self,
        table: &[u8],
        row: &[u8],
        columns: impl Iterator<Item = (Bytes, Bytes)>,
    ) -> thrift::Result<Vec<Cell>> {
        let mut selection = ColumnSelection::new();
        for (f, q) in columns {
            if let Some(set) = selection
                .entry(f)
                .or_insert_with(|| Some(Default::default()))
            {
                set.insert(q);
            }
        }
        let query = Query {
            columns: Some(selection),
            max_timestamp: i64::MAX,
            versions: 1,
        };
        self.store().get(table, row, &query).map_err(store_error)
    }
}

/// Whether the check of a conditional write holds, as the region server
/// decides it: with an empty `given`, an absent cell matches unless the op
/// is NOT_EQUAL and a present one matches when its emptiness agrees with
/// the op; otherwise `given` is compared with the stored bytes.
fn matches(op: TCompareOp, given: &[u8], stored: Option<&[u8]>) -> bool {
    if op == TCompareOp::NO_OP {
        return false;
    }
    if given.is_empty() {
        return match stored {
            None => op != TCompareOp::NOT_EQUAL,
            Some(v) => v.is_empty() == (op != TCompareOp::NOT_EQUAL),
        };
    }
    let Some(stored) = stored else {
        return false;
    };
    let ord = given.cmp(stored);
    match op {
        TCompareOp::LESS => ord == Ordering::Less,
        TCompareOp::LESS_OR_EQUAL => ord != Ordering::Greater,
        TCompareOp::EQUAL => ord == Ordering::Equal,
        TCompareOp::NOT_EQUAL => ord != Ordering::Equal,
        TCompareOp::GREATER_OR_EQUAL => ord != Ordering::Less,
        TCompareOp::GREATER => ord == Ordering::Greater,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_ops_read_given_op_stored() {
        assert!(matches(TCompareOp::LESS, b"1", Some(b"2")));
        assert!(!matches(TCompareOp::LESS, b"2", Some(b"1")));
        assert!(matches(TCompareOp::GREATER_OR_EQUAL, b"2", Some(b"2")));
        assert!(matches(TCompareOp::NOT_EQUAL, b"2", Some(b"3")));
        assert!(!matches(TCompareOp::EQUAL, b"2", None));
        assert!(matches(TCompareOp::EQUAL, b"", None));
        assert!(!matches(TCompareOp::NOT_EQUAL, b"", None));
        assert!(matches(TCompareOp::NOT_EQUAL, b"", Some(b"x")));
        assert!(!matches(TCompareOp::EQUAL, b"", Some(b"x")));
        assert!(!matches(TCompareOp::NO_OP, b"x", Some(b"x")));
    }
}
