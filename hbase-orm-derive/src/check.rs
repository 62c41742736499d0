//! Checks across fields: a row key exists, no two fields share a column or a
//! family map, family options agree with versioned fields.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{FamilyMapField, Kind, Model, ValueField, VersionsField};
use crate::attr::Ctxt;

/// The most components a row key can have (`EncodeKey` is implemented for
/// tuples up to this size).
const MAX_KEY_FIELDS: usize = 8;

/// Runs every check, reporting into `cx`.
pub(crate) fn check(cx: &Ctxt, m: &Model<'_>) {
    if m.keys.is_empty() {
        cx.error_at(
            m.ident,
            "no row key: mark a field with `#[hbase(row_key)]` (several such fields form a composite key, in declaration order)",
        );
    }
    if m.keys.len() > MAX_KEY_FIELDS {
        cx.error_at(
            m.keys[MAX_KEY_FIELDS].ident,
            format_args!("a row key can have at most {MAX_KEY_FIELDS} fields"),
        );
    }

    let mut columns: BTreeMap<String, String> = BTreeMap::new();
    let mut maps: BTreeMap<String, String> = BTreeMap::new();
    for f in &m.fields {
        match &f.kind {
            Kind::Value(ValueField { column, .. })
            | Kind::Versions(VersionsField { column, .. }) => {
                let full = column.full();
                if let Some(other) = columns.get(&full) {
                    cx.error_span(
                        column.span,
                        format_args!("column `{full}` is already mapped by field `{other}`"),
                    );
                } else {
                    columns.insert(full, f.ident.to_string());
                }
            }
            Kind::FamilyMap(FamilyMapField { family, span, .. }) => {
                if let Some(other) = maps.get(family) {
                    cx.error_span(
                        *span,
                        format_args!("family `{family}` is already mapped by the `family_map` field `{other}`"),
                    );
                } else {
                    maps.insert(family.clone(), f.ident.to_string());
                }
            }
            Kind::Skip(_) => {}
        }
    }

    let mut option_names: BTreeSet<&str> = BTreeSet::new();
    for o in &m.family_options {
        let Some(name) = &o.name else { continue };
        if !option_names.insert(&name.value) {
            cx.error_span(
                name.span,
                format_args!("`family_options` for `{}` given twice", name.value),
            );
        }
        if let Some(max) = &o.max_versions {
            for f in &m.fields {
                if let Kind::Versions(VersionsField { column, n, .. }) = &f.kind {
                    if column.family == name.value && *n > max.value as u32 {
                        cx.error_span(
                            max.span,
                            format_args!(
                                "family `{}` keeps {} versions but field `{}` reads {n}",
                                name.value, max.value, f.ident
                            ),
                        );
                    }
                }
            }
        }
    }
}
