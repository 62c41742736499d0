//! Checks of column names before anything is sent: `cf` names a family,
//! `cf:q` a column.

use crate::error::{Error, Result};

/// What a column name may be.
#[derive(Clone, Copy)]
pub(crate) enum ColumnUse {
    /// A family (`cf`) or a column (`cf:q`).
    Read,
    /// A column with a qualifier (`cf:q`, `cf:`): a put to a whole family
    /// would be ignored by the gateway.
    Write,
}

/// Checks a column name: a non-empty family, and a colon where one is needed.
pub(crate) fn check_column(column: &[u8], usage: ColumnUse) -> Result<()> {
    // The family is what comes before the first colon: it is empty exactly
    // when the name is empty or starts with the colon (so a read, which needs
    // no more, looks at one byte).
    if column.first().map_or(true, |&b| b == b':') {
        return Err(Error::InvalidInput(format!(
            "column `{}` has an empty family name",
            String::from_utf8_lossy(column)
        )));
    }
    if matches!(usage, ColumnUse::Write) && !column.contains(&b':') {
        return Err(Error::InvalidInput(format!(
            "cannot write to `{}`, a whole column family: name a column as `family:qualifier` \
             (`family:` for the empty qualifier)",
            String::from_utf8_lossy(column)
        )));
    }
    Ok(())
}

/// Collects and checks column names.
pub(crate) fn columns_of<I, C>(columns: I, usage: ColumnUse) -> Result<Vec<Vec<u8>>>
where
    I: IntoIterator<Item = C>,
    C: AsRef<[u8]>,
{
    columns
        .into_iter()
        .map(|c| {
            let c = c.as_ref();
            check_column(c, usage)?;
            Ok(c.to_vec())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert!(check_column(b"cf", ColumnUse::Read).is_ok());
        assert!(check_column(b"cf:q", ColumnUse::Read).is_ok());
        assert!(check_column(b"cf:", ColumnUse::Write).is_ok());
        assert!(check_column(b"cf:q:x", ColumnUse::Write).is_ok());
        assert!(check_column(b"cf", ColumnUse::Write).is_err());
        assert!(check_column(b"", ColumnUse::Read).is_err());
        assert!(check_column(b":q", ColumnUse::Read).is_err());
        let err = check_column(b"cf", ColumnUse::Write).unwrap_err();
        assert!(err.to_string().contains("family:qualifier"), "{err}");
    }
}
