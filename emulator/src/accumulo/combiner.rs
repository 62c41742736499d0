//! The Summing, Min and Max combiners: every version of a combined column
//! becomes one entry, keyed by the newest version, with the values decoded,
//! combined and encoded again.
//!
//! Options as Accumulo reads them: `all=true` or `columns=fam[:qual],...`
//! (with `%XX` escapes), `type` = `VARLEN` (Hadoop's variable-length long),
//! `FIXEDLEN` (8 bytes big-endian) or `STRING` (decimal), and `lossy=true`
//! to skip values that do not decode instead of failing the scan.

use std::collections::{BTreeMap, BTreeSet};

use super::iterators::Entry;

/// A column of an option: a family, or a family and qualifier.
pub(crate) type Column = (Vec<u8>, Option<Vec<u8>>);

/// What the combiner computes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CombinerKind {
    Sum,
    Min,
    Max,
}

/// How values are encoded.
#[derive(Debug, Clone, Copy)]
enum Encoding {
    VarLen,
    FixedLen,
    String,
}

/// A configured combiner.
#[derive(Debug)]
pub(crate) struct Combiner {
    kind: CombinerKind,
    encoding: Encoding,
    lossy: bool,
    /// `None` for every column.
    columns: Option<BTreeSet<Column>>,
}

impl Combiner {
    /// Reads the options.
    ///
    /// # Errors
    /// The Java message for a missing or bad option.
    pub(crate) fn new(
        kind: CombinerKind,
        options: &BTreeMap<String, String>,
    ) -> Result<Combiner, String> {
        let all = options
            .get("all")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let columns = if all {
            None
        } else {
            let Some(list) = options.get("columns") else {
                return Err(
                    "java.lang.IllegalArgumentException: options must include all or columns"
                        .to_owned(),
                );
            };
            if list.is_empty() {
                return Err(
                    "java.lang.IllegalArgumentException: empty columns specified in option columns"
                        .to_owned(),
                );
            }
            Some(
                list.split(',')
                    .map(parse_column)
                    .collect::<Result<_, _>>()?,
            )
        };
        let encoding = match options.get("type").map(String::as_str) {
            Some("VARLEN") => Encoding::VarLen,
            Some("FIXEDLEN") => Encoding::FixedLen,
            Some("STRING") => Encoding::String,
            Some(other) => return Err(format!("java.lang.ClassNotFoundException: {other}")),
            None => return Err("java.lang.IllegalArgumentException: no type specified".to_owned()),
        };
        Ok(Combiner {
            kind,
            encoding,
            lossy: options
                .get("lossy")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            columns,
        })
    }

    fn combines(&self, family: &[u8], qualifier: &[u8]) -> bool {
        match &self.columns {
            None => true,
            Some(columns) => {
                columns.contains(&(family.to_vec(), None))
                    || columns.contains(&(family.to_vec(), Some(qualifier.to_vec())))
            }
        }
    }

    /// Combines the versions of each selected column of a row.
    ///
    /// # Errors
    /// A value that does not decode, unless lossy.
    pub(crate) fn apply(&self, entries: Vec<Entry>) -> Result<Vec<Entry>, String> {
        let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
        let mut acc: Option<(Entry, Option<i64>)> = None;
        for (key, value) in entries {
            if !self.combines(&key.family, &key.qualifier) {
                if let Some(done) = acc.take() {
                    out.push(self.finish(done));
                }
                out.push((key, value));
                continue;
            }
            let decoded = match self.decode(&value) {
                Ok(n) => Some(n),
                Err(_) if self.lossy => None,
                Err(e) => return Err(e),
            };
            match &mut acc {
                Some(((first, _), total)) if first.same_column(&key) => {
                    if let Some(n) = decoded {
                        *total = Some(match *total {
                            None => n,
                            Some(t) => self.combine(t, n),
                        });
                    }
                }
                _ => {
                    if let Some(done) = acc.take() {
                        out.push(self.finish(done));
                    }
                    acc = Some(((key, value), decoded));
                }
            }
        }
        if let Some(done) = acc.take() {
            out.push(self.finish(done));
        }
        Ok(out)
    }

    fn finish(&self, ((key, original), total): (Entry, Option<i64>)) -> Entry {
        match total {
            Some(total) => (key, self.encode(total)),
            // Nothing decoded (lossy): what combining nothing gives.
            None => {
                let _ = original;
                let identity = match self.kind {
                    CombinerKind::Sum => 0,
                    CombinerKind::Min => i64::MAX,
                    CombinerKind::Max => i64::MIN,
                };
                (key, self.encode(identity))
            }
        }
    }

    fn combine(&self, a: i64, b: i64) -> i64 {
        match self.kind {
            // Accumulo's safe add: clamps instead of wrapping.
            CombinerKind::Sum => a.saturating_add(b),
            CombinerKind::Min => a.min(b),
            CombinerKind::Max => a.max(b),
        }
    }

    fn decode(&self, value: &[u8]) -> Result<i64, String> {
        let bad = || {
            "org.apache.accumulo.core.iterators.ValueFormatException: cannot decode value"
                .to_owned()
        };
        match self.encoding {
            Encoding::FixedLen => value
                .try_into()
                .map(i64::from_be_bytes)
                .map_err(|_| "org.apache.accumulo.core.iterators.ValueFormatException: trying to convert to long, but byte array isn't length 8".to_owned()),
            Encoding::String => std::str::from_utf8(value)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| {
                    format!(
                        "org.apache.accumulo.core.iterators.ValueFormatException: java.lang.NumberFormatException: For input string: \"{}\"",
                        String::from_utf8_lossy(value)
                    )
                }),
            Encoding::VarLen => read_vlong(value).ok_or_else(bad),
        }
    }

    fn encode(&self, n: i64) -> Vec<u8> {
        match self.encoding {
            Encoding::FixedLen => n.to_be_bytes().to_vec(),
            Encoding::String => n.to_string().into_bytes(),
            Encoding::VarLen => write_vlong(n),
        }
    }
}

/// A column of a `columns` option: `family` or `family:qualifier`, with
/// `%XX` escapes.
pub(crate) fn parse_column(s: &str) -> Result<Column, String> {
    let bad = || format!("java.lang.IllegalArgumentException: invalid column encoding {s}");
    let mut parts = s.split(':');
    let family = unescape(parts.next().unwrap_or_default()).ok_or_else(bad)?;
    let qualifier = parts
        .next()
        .map(|q| unescape(q).ok_or_else(bad))
        .transpose()?;
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok((family, qualifier))
}

fn unescape(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Hadoop's `WritableUtils.writeVLong`.
pub(crate) fn write_vlong(n: i64) -> Vec<u8> {
    if (-112..=127).contains(&n) {
        return vec![n as u8];
    }
    let (mut len, value) = if n < 0 { (-120i32, !n) } else { (-112i32, n) };
    let mut tmp = value;
    while tmp != 0 {
        tmp >>= 8;
        len -= 1;
    }
    let mut out = vec![len as u8];
    let count = if len < -120 {
        -(len + 120)
    } else {
        -(len + 112)
    };
    for idx in (1..=count).rev() {
        out.push((value >> ((idx - 1) * 8)) as u8);
    }
    out
}

/// Hadoop's `WritableUtils.readVLong` at the start of the value.
pub(crate) fn read_vlong(bytes: &[u8]) -> Option<i64> {
    let first = *bytes.first()? as i8;
    if first >= -112 {
        return Some(i64::from(first));
    }
    let size = if first < -120 {
        -119 - i32::from(first)
    } else {
        -111 - i32::from(first)
    };
    let size = usize::try_from(size).ok()?;
    // As Hadoop's reader: the first number counts, bytes after it do not.
    let mut n: i64 = 0;
    for &b in bytes.get(1..size)? {
        n = (n << 8) | i64::from(b);
    }
    Some(if first < -120 { !n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accumulo::key::Key;

    #[test]
    fn vlong_round_trips() {
        for n in [
            0,
            1,
            -1,
            127,
            128,
            -112,
            -113,
            300,
            -300,
            i64::MAX,
            i64::MIN,
            1 << 40,
        ] {
            assert_eq!(read_vlong(&write_vlong(n)), Some(n), "{n}");
        }
        assert_eq!(write_vlong(5), vec![5]);
        assert_eq!(write_vlong(128), vec![0x8f, 0x80]);
    }

    #[test]
    fn summing_combines_versions_of_a_column() {
        let key = |ts| Key {
            row: b"r".to_vec(),
            family: b"f".to_vec(),
            qualifier: b"q".to_vec(),
            visibility: Vec::new(),
            timestamp: ts,
        };
        let options = BTreeMap::from([
            ("all".to_owned(), "true".to_owned()),
            ("type".to_owned(), "STRING".to_owned()),
        ]);
        let c = Combiner::new(CombinerKind::Sum, &options).unwrap();
        let out = c
            .apply(vec![
                (key(3), b"1".to_vec()),
                (key(2), b"2".to_vec()),
                (key(1), b"4".to_vec()),
            ])
            .unwrap();
        assert_eq!(out, vec![(key(3), b"7".to_vec())]);
        assert!(c.apply(vec![(key(1), b"x".to_vec())]).is_err());
    }

    #[test]
    fn columns_parse_with_escapes() {
        assert_eq!(
            parse_column("a%3Ab:c").unwrap(),
            (b"a:b".to_vec(), Some(b"c".to_vec()))
        );
        assert_eq!(parse_column("f").unwrap(), (b"f".to_vec(), None));
    }
}
