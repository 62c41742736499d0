//! Mutations: checked when they arrive, stamped and stored when applied;
//! and the conditional writer's checks.

use std::collections::BTreeSet;

use hbase_orm_idl::accumulo as wire;

use super::catalog::{Catalog, Table};
use super::iterators::{self, IteratorSpec, Stack};
use super::key::{Key, StoredKey};
use super::scan;
use super::visibility::{self, BadExpression};

/// One change to a column.
#[derive(Debug, Clone)]
pub(crate) struct Update {
    family: Vec<u8>,
    qualifier: Vec<u8>,
    visibility: Vec<u8>,
    timestamp: Option<i64>,
    value: Vec<u8>,
    delete: bool,
}

/// The changes to one row.
#[derive(Debug, Clone)]
pub(crate) struct Mutation {
    pub(crate) row: Vec<u8>,
    updates: Vec<Update>,
}

impl Mutation {
    /// A mutation from the wire, its visibilities checked.
    ///
    /// # Errors
    /// The first malformed visibility.
    pub(crate) fn from_wire(
        row: Vec<u8>,
        updates: Vec<wire::ColumnUpdate>,
    ) -> Result<Mutation, BadExpression> {
        let updates = updates
            .into_iter()
            .map(|u| {
                let visibility = u.col_visibility.unwrap_or_default();
                visibility::parse(&visibility)?;
                Ok(Update {
                    family: u.col_family.unwrap_or_default(),
                    qualifier: u.col_qualifier.unwrap_or_default(),
                    visibility,
                    timestamp: u.timestamp,
                    value: u.value.unwrap_or_default(),
                    delete: u.delete_cell.unwrap_or(false),
                })
            })
            .collect::<Result<_, BadExpression>>()?;
        Ok(Mutation { row, updates })
    }

    /// Whether it changes nothing (Accumulo refuses to send such).
    pub(crate) fn is_empty(&self) -> bool {
        self.updates.is_empty()
    }

    /// Whether every visibility it writes is visible to `auths` (the
    /// VisibilityConstraint).
    pub(crate) fn visible_to(&self, auths: &BTreeSet<Vec<u8>>) -> bool {
        self.updates
            .iter()
            .all(|u| visibility::visible(&u.visibility, auths))
    }
}

/// Stores mutations in a table, stamping what has no timestamp.
pub(crate) fn apply(
    catalog: &mut Catalog,
    table_name: &str,
    mutations: Vec<Mutation>,
    now_ms: i64,
) {
    let Some(table) = catalog.tables.get_mut(table_name) else {
        return;
    };
    let stamps = table.stamp(mutations.len(), now_ms);
    let mut staged = Vec::new();
    for (mutation, stamp) in mutations.into_iter().zip(stamps) {
        for u in mutation.updates {
            staged.push((
                Key {
                    row: mutation.row.clone(),
                    family: u.family,
                    qualifier: u.qualifier,
                    visibility: u.visibility,
                    timestamp: u.timestamp.unwrap_or(stamp),
                },
                u.delete,
                u.value,
            ));
        }
    }
    let mut seqs = Vec::with_capacity(staged.len());
    for _ in 0..staged.len() {
        seqs.push(catalog.next_seq());
    }
    let Some(table) = catalog.tables.get_mut(table_name) else {
        return;
    };
    for ((key, delete, value), seq) in staged.into_iter().zip(seqs) {
        let value = if delete { Vec::new() } else { value };
        table.entries.insert(StoredKey { key, delete, seq }, value);
    }
}

/// One condition of a conditional mutation.
#[derive(Debug)]
pub(crate) struct Condition {
    family: Vec<u8>,
    qualifier: Vec<u8>,
    visibility: Vec<u8>,
    timestamp: Option<i64>,
    value: Option<Vec<u8>>,
    iterators: Vec<IteratorSpec>,
}

impl Condition {
    /// A condition from the wire, its visibility checked.
    ///
    /// # Errors
    /// A malformed visibility.
    pub(crate) fn from_wire(c: wire::Condition) -> Result<Condition, BadExpression> {
        let column = c.column.unwrap_or_default();
        let visibility = column.col_visibility.unwrap_or_default();
        visibility::parse(&visibility)?;
        Ok(Condition {
            family: column.col_family.unwrap_or_default(),
            qualifier: column.col_qualifier.unwrap_or_default(),
            visibility,
            timestamp: c.timestamp,
            value: c.value,
            iterators: c
                .iterators
                .unwrap_or_default()
                .into_iter()
                .map(super::handler::iterator_spec)
                .collect(),
        })
    }

    /// Whether the writer's authorizations can see the condition's column.
    pub(crate) fn visible_to(&self, auths: &BTreeSet<Vec<u8>>) -> bool {
        visibility::visible(&self.visibility, auths)
    }

    /// Whether the condition holds for `row` of `table` (seen through the
    /// table's scan iterators and the condition's own).
    ///
    /// # Errors
    /// An iterator that does not load or fails.
    pub(crate) fn holds(&self, table: &Table, row: &[u8], now_ms: i64) -> Result<bool, String> {
        let specs = iterators::combine(table.iterators("scan"), &self.iterators);
        let stack = Stack::build(&specs, now_ms)?;
        let column: Vec<_> = scan::live_entries(table, row)
            .into_iter()
            .filter(|(k, _)| {
                k.family == self.family
                    && k.qualifier == self.qualifier
                    && k.visibility == self.visibility
            })
            .collect();
        let seen = stack.apply(column)?;
        let found = match self.timestamp {
            Some(ts) => seen.into_iter().find(|(k, _)| k.timestamp == ts),
            None => seen.into_iter().next(),
        };
        Ok(match (&self.value, found) {
            (None, found) => found.is_none(),
            (Some(want), Some((_, have))) => *want == have,
            (Some(_), None) => false,
        })
    }
}
