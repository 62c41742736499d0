//! The visibility labels a model gives its cells, as the typed layer hands
//! them to a backend.

use std::sync::Arc;

/// The visibility expressions a model writes its cells with: one for every
/// cell of the row (`#[hbase(visibility = "..")]` on the struct) and one per
/// field (on the field, overriding the row's).
///
/// [`Repo`](crate::Repo) hands them to its table with
/// [`StoreTable::with_cell_labels`](super::StoreTable::with_cell_labels);
/// the backend then looks up the label of each cell it writes with
/// [`CellLabels::of`] (or [`CellLabels::field`] and [`CellLabels::row`]
/// when it has visibilities of its own to rank between them). A backend
/// without cell labels refuses writes while [`CellLabels::is_empty`] is
/// false. Cheap to clone.
///
/// # Examples
/// ```
/// use hbase_orm::store::CellLabels;
///
/// let labels = CellLabels::new(Some("staff"))
///     .column(b"cf:name", None)
///     .column(b"cf:email", Some("staff&audit"))
///     .column(b"attrs:", Some("admin"));
/// assert_eq!(labels.of(b"cf:name"), Some("staff"));
/// assert_eq!(labels.of(b"cf:email"), Some("staff&audit"));
/// // A column of a map family takes the map field's label.
/// assert_eq!(labels.of(b"attrs:colour"), Some("admin"));
/// assert!(CellLabels::default().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellLabels {
    row: Option<&'static str>,
    /// Every column of the model (`family:qualifier`, or `family:` for a
    /// map field) with its field's label; empty when nothing is labelled.
    columns: Arc<[(&'static [u8], Option<&'static str>)]>,
}

impl CellLabels {
    /// Labels with `row` for every cell without a label of its own.
    pub fn new(row: Option<&'static str>) -> Self {
        CellLabels {
            row,
            columns: Arc::new([]),
        }
    }

    /// Labels with `row` and the given columns of the model with their
    /// fields' labels (see [`CellLabels::column`]).
    pub fn from_columns<I>(row: Option<&'static str>, columns: I) -> Self
    where
        I: IntoIterator<Item = (&'static [u8], Option<&'static str>)>,
    {
        CellLabels {
            row,
            columns: columns.into_iter().collect(),
        }
    }

    /// Adds a column of the model (`family:qualifier`, or `family:` for
    /// every column of a map field's family) and its field's label.
    pub fn column(mut self, column: &'static [u8], label: Option<&'static str>) -> Self {
        let mut columns = self.columns.to_vec();
        columns.push((column, label));
        self.columns = columns.into();
        self
    }

    /// Whether no cell has a label (an empty label is none: a field
    /// labelled `""` opts out of the row's label).
    pub fn is_empty(&self) -> bool {
        self.first().is_none()
    }

    /// The label of every cell of the row (the struct's).
    pub fn row(&self) -> Option<&'static str> {
        self.row
    }

    /// The label of the field stored at `column` (`family:qualifier`): the
    /// field's own, or a map field's for a column of its family that no
    /// other field maps.
    pub fn field(&self, column: &[u8]) -> Option<&'static str> {
        if let Some((_, label)) = self.columns.iter().find(|(c, _)| *c == column) {
            return *label;
        }
        self.columns
            .iter()
            .find(|(c, _)| c.ends_with(b":") && column.starts_with(c))
            .and_then(|(_, label)| *label)
    }

    /// The label cell `column` is written with: its field's, else the
    /// row's. `Some("")`: the field opts out of the row's label (its cells
    /// are visible to every reader).
    pub fn of(&self, column: &[u8]) -> Option<&'static str> {
        self.field(column).or(self.row)
    }

    /// Every label given, the row's first (repeats included).
    pub fn every(&self) -> Vec<&'static str> {
        self.row
            .into_iter()
            .chain(self.columns.iter().filter_map(|(_, l)| *l))
            .collect()
    }

    /// The first non-empty label of the model, for error messages.
    pub fn first(&self) -> Option<&'static str> {
        self.every().into_iter().find(|l| !l.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapped_column_without_label_is_not_taken_by_its_family_map() {
        let labels = CellLabels::new(None)
            .column(b"m:fixed", None)
            .column(b"m:", Some("secret"));
        assert_eq!(labels.of(b"m:fixed"), None);
        assert_eq!(labels.of(b"m:other"), Some("secret"));
        assert_eq!(labels.of(b"n:x"), None);
        assert!(!labels.is_empty());
        assert_eq!(labels.first(), Some("secret"));
        assert!(CellLabels::new(None).column(b"a:b", None).is_empty());
        let opted_out = CellLabels::new(Some("A")).column(b"a:b", Some(""));
        assert_eq!(opted_out.of(b"a:b"), Some(""));
        assert_eq!(opted_out.of(b"a:c"), Some("A"));
        assert!(CellLabels::new(None).column(b"a:b", Some("")).is_empty());
    }
}
