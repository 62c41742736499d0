//! Server-side iterators, by the Java class names clients configure.
//!
//! Every iterator this emulator knows works within one row (versions of a
//! column, filters of single entries, combiners of a column's versions, the
//! whole-row encoder), so a scan hands each row's visible entries through the
//! stack, lowest priority first (nearest the data).

use std::collections::BTreeMap;

use regex::bytes::Regex;

use super::combiner::{Column, Combiner, CombinerKind};
use super::key::{Key, NEWEST};

/// One entry: key and value.
pub(crate) type Entry = (Key, Vec<u8>);

/// An iterator as configured: priority, name, class and options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IteratorSpec {
    pub(crate) priority: i32,
    pub(crate) name: String,
    pub(crate) class: String,
    pub(crate) options: BTreeMap<String, String>,
}

/// Package of Accumulo's user iterators.
const USER: &str = "org.apache.accumulo.core.iterators.user.";

/// The class names this emulator runs.
pub(crate) const KNOWN_CLASSES: &[&str] = &[
    "org.apache.accumulo.core.iterators.user.VersioningIterator",
    "org.apache.accumulo.core.iterators.VersioningIterator",
    "org.apache.accumulo.core.iterators.user.RegExFilter",
    "org.apache.accumulo.core.iterators.user.GrepIterator",
    "org.apache.accumulo.core.iterators.user.TimestampFilter",
    "org.apache.accumulo.core.iterators.user.AgeOffFilter",
    "org.apache.accumulo.core.iterators.user.ColumnAgeOffFilter",
    "org.apache.accumulo.core.iterators.user.ColumnSliceFilter",
    "org.apache.accumulo.core.iterators.user.WholeRowIterator",
    "org.apache.accumulo.core.iterators.user.SummingCombiner",
    "org.apache.accumulo.core.iterators.user.MinCombiner",
    "org.apache.accumulo.core.iterators.user.MaxCombiner",
];

/// A ready iterator.
#[derive(Debug)]
enum Stage {
    Versioning(usize),
    Filter { filter: Filter, negate: bool },
    Combine(Combiner),
    WholeRow,
}

/// Entry filters.
#[derive(Debug)]
enum Filter {
    RegEx {
        row: Option<Regex>,
        family: Option<Regex>,
        qualifier: Option<Regex>,
        value: Option<Regex>,
        or: bool,
    },
    Grep(Vec<u8>),
    Timestamp {
        start: Option<(i64, bool)>,
        end: Option<(i64, bool)>,
    },
    AgeOff {
        ttl: i64,
        now: i64,
    },
    ColumnAgeOff {
        ttls: BTreeMap<Column, i64>,
        now: i64,
    },
    ColumnSlice {
        start: Option<(String, bool)>,
        end: Option<(String, bool)>,
    },
}

/// An iterator stack, ordered by priority.
#[derive(Debug, Default)]
pub(crate) struct Stack {
    stages: Vec<Stage>,
}

impl Stack {
    /// Builds the stack of `specs` (any order) at time `now_ms`.
    ///
    /// # Errors
    /// The message of the Java exception for an unknown class or a bad
    /// option.
    pub(crate) fn build(specs: &[IteratorSpec], now_ms: i64) -> Result<Stack, String> {
        let mut specs: Vec<&IteratorSpec> = specs.iter().collect();
        specs.sort_by_key(|s| s.priority);
        let stages = specs
            .into_iter()
            .map(|s| stage(s, now_ms))
            .collect::<Result<_, _>>()?;
        Ok(Stack { stages })
    }

    /// Runs one row's entries (sorted) through the stack.
    ///
    /// # Errors
    /// A value a combiner cannot decode (without `lossy`).
    pub(crate) fn apply(&self, mut entries: Vec<Entry>) -> Result<Vec<Entry>, String> {
        for stage in &self.stages {
            if entries.is_empty() {
                break;
            }
            entries = match stage {
                Stage::Versioning(max) => versions(entries, *max),
                Stage::Filter { filter, negate } => entries
                    .into_iter()
                    .filter(|(k, v)| filter.accept(k, v) != *negate)
                    .collect(),
                Stage::Combine(combiner) => combiner.apply(entries)?,
                Stage::WholeRow => vec![whole_row(&entries)],
            };
        }
        Ok(entries)
    }
}

fn bool_option(options: &BTreeMap<String, String>, name: &str, default: bool) -> bool {
    // Java's Boolean.parseBoolean: "true" in any case, anything else false.
    options
        .get(name)
        .map_or(default, |v| v.eq_ignore_ascii_case("true"))
}

fn long_option(options: &BTreeMap<String, String>, name: &str) -> Result<Option<i64>, String> {
    options
        .get(name)
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| format!("java.lang.NumberFormatException: For input string: \"{v}\""))
        })
        .transpose()
}

fn regex_option(
    options: &BTreeMap<String, String>,
    name: &str,
    substring: bool,
) -> Result<Option<Regex>, String> {
    options
        .get(name)
        .map(|pattern| {
            let anchored = if substring {
                pattern.clone()
            } else {
                format!("^(?:{pattern})$")
            };
            Regex::new(&anchored)
                .map_err(|e| format!("java.util.regex.PatternSyntaxException: {e}"))
        })
        .transpose()
}

fn stage(spec: &IteratorSpec, now: i64) -> Result<Stage, String> {
    let o = &spec.options;
    let negate = bool_option(o, "negate", false);
    let class = spec.class.as_str();
    let short = class.strip_prefix(USER).unwrap_or(match class {
        "org.apache.accumulo.core.iterators.VersioningIterator" => "VersioningIterator",
        other => other,
    });
    let filter = |filter| Ok(Stage::Filter { filter, negate });
    match short {
        "VersioningIterator" => {
            let max = match o.get("maxVersions") {
                None => 1,
                Some(v) => v.trim().parse::<i64>().map_err(|_| {
                    format!("java.lang.NumberFormatException: For input string: \"{v}\"")
                })?,
            };
            if max < 1 {
                return Err(
                    "java.lang.IllegalArgumentException: maxVersions for versioning iterator must be >= 1"
                        .to_owned(),
                );
            }
            Ok(Stage::Versioning(
                usize::try_from(max).unwrap_or(usize::MAX),
            ))
        }
        "RegExFilter" => {
            let substring = bool_option(o, "matchSubstring", false);
            filter(Filter::RegEx {
                row: regex_option(o, "rowRegex", substring)?,
                family: regex_option(o, "colfRegex", substring)?,
                qualifier: regex_option(o, "colqRegex", substring)?,
                value: regex_option(o, "valueRegex", substring)?,
                or: bool_option(o, "orFields", false),
            })
        }
        "GrepIterator" => {
            let Some(term) = o.get("term") else {
                return Err(
                    "java.lang.NullPointerException: GrepIterator needs option term".to_owned(),
                );
            };
            filter(Filter::Grep(term.as_bytes().to_vec()))
        }
        "TimestampFilter" => {
            let start = time_option(o, "start")?;
            let end = time_option(o, "end")?;
            if start.is_none() && end.is_none() {
                return Err("java.lang.IllegalArgumentException: must have either start or end for TimestampFilter".to_owned());
            }
            filter(Filter::Timestamp {
                start: start.map(|t| (t, bool_option(o, "startInclusive", true))),
                end: end.map(|t| (t, bool_option(o, "endInclusive", true))),
            })
        }
        "AgeOffFilter" => {
            let Some(ttl) = long_option(o, "ttl")? else {
                return Err(
                    "java.lang.IllegalArgumentException: ttl must be set for AgeOffFilter"
                        .to_owned(),
                );
            };
            let now = long_option(o, "currentTime")?.unwrap_or(now);
            filter(Filter::AgeOff { ttl, now })
        }
        "ColumnAgeOffFilter" => {
            let mut ttls = BTreeMap::new();
            // Every option but `negate` names a column (there is no
            // `currentTime` here: the filter reads the clock).
            for (column, ttl) in o {
                if column == "negate" {
                    continue;
                }
                let ttl = ttl.trim().parse::<i64>().map_err(|_| {
                    format!("java.lang.NumberFormatException: For input string: \"{ttl}\"")
                })?;
                ttls.insert(super::combiner::parse_column(column)?, ttl);
            }
            filter(Filter::ColumnAgeOff { ttls, now })
        }
        "ColumnSliceFilter" => filter(Filter::ColumnSlice {
            start: o
                .get("startBound")
                .map(|b| (b.clone(), bool_option(o, "startInclusive", true))),
            end: o
                .get("endBound")
                .map(|b| (b.clone(), bool_option(o, "endInclusive", false))),
        }),
        "WholeRowIterator" => Ok(Stage::WholeRow),
        "SummingCombiner" => Ok(Stage::Combine(Combiner::new(CombinerKind::Sum, o)?)),
        "MinCombiner" => Ok(Stage::Combine(Combiner::new(CombinerKind::Min, o)?)),
        "MaxCombiner" => Ok(Stage::Combine(Combiner::new(CombinerKind::Max, o)?)),
        _ => Err(format!("java.lang.ClassNotFoundException: {class}")),
    }
}

/// A `start`/`end` option of the TimestampFilter: `LONG<ms>` or a date in
/// the filter's `yyyyMMddHHmmssz` format (time zone GMT or UTC).
fn time_option(options: &BTreeMap<String, String>, name: &str) -> Result<Option<i64>, String> {
    let Some(value) = options.get(name) else {
        return Ok(None);
    };
    if let Some(ms) = value.strip_prefix("LONG") {
        return ms
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("java.lang.NumberFormatException: For input string: \"{ms}\""));
    }
    parse_gmt_date(value)
        .map(Some)
        .ok_or_else(|| format!("java.text.ParseException: Unparseable date: \"{value}\""))
}

/// Milliseconds of `yyyyMMddHHmmss` followed by `GMT` or `UTC`.
fn parse_gmt_date(s: &str) -> Option<i64> {
    let (digits, zone) = s.split_at_checked(14)?;
    if !matches!(zone, "GMT" | "UTC") || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| digits[a..b].parse::<i64>().ok();
    let (y, mo, d, h, mi, se) = (
        n(0, 4)?,
        n(4, 6)?,
        n(6, 8)?,
        n(8, 10)?,
        n(10, 12)?,
        n(12, 14)?,
    );
    // Days from the civil date (proleptic Gregorian).
    let (yy, m) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + mi) * 60_000 + se * 1000)
}

impl Filter {
    fn accept(&self, key: &Key, value: &[u8]) -> bool {
        match self {
            Filter::RegEx {
                row,
                family,
                qualifier,
                value: value_re,
                or,
            } => {
                let checks = [
                    (row, &key.row[..]),
                    (family, &key.family[..]),
                    (qualifier, &key.qualifier[..]),
                    (value_re, value),
                ];
                let mut results = checks
                    .iter()
                    .filter_map(|(re, bytes)| re.as_ref().map(|re| re.is_match(bytes)));
                if *or {
                    results.any(|m| m)
                } else {
                    results.all(|m| m)
                }
            }
            Filter::Grep(term) => [&key.row[..], &key.family, &key.qualifier, value]
                .iter()
                .any(|field| contains(field, term)),
            Filter::Timestamp { start, end } => {
                let ts = key.timestamp;
                let after_start = start.map_or(true, |(s, inc)| if inc { ts >= s } else { ts > s });
                let before_end = end.map_or(true, |(e, inc)| if inc { ts <= e } else { ts < e });
                after_start && before_end
            }
            Filter::AgeOff { ttl, now } => now.saturating_sub(key.timestamp) <= *ttl,
            Filter::ColumnAgeOff { ttls, now } => {
                let ttl = ttls
                    .get(&(key.family.clone(), Some(key.qualifier.clone())))
                    .or_else(|| ttls.get(&(key.family.clone(), None)));
                ttl.map_or(true, |ttl| now.saturating_sub(key.timestamp) <= *ttl)
            }
            Filter::ColumnSlice { start, end } => {
                let q = String::from_utf8_lossy(&key.qualifier);
                let q = q.as_ref();
                start.as_ref().map_or(true, |(s, inc)| {
                    if *inc {
                        q >= s.as_str()
                    } else {
                        q > s.as_str()
                    }
                }) && end.as_ref().map_or(true, |(e, inc)| {
                    if *inc {
                        q <= e.as_str()
                    } else {
                        q < e.as_str()
                    }
                })
            }
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// Keeps the newest `max` versions of every column.
fn versions(entries: Vec<Entry>, max: usize) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
    let mut run = 0;
    for (key, value) in entries {
        match out.last() {
            Some((last, _)) if last.same_column(&key) => run += 1,
            _ => run = 1,
        }
        if run <= max {
            out.push((key, value));
        }
    }
    out
}

/// The row as one entry, as the WholeRowIterator encodes it: key of the
/// row alone (newest timestamp), value = count, then per entry the family,
/// qualifier and visibility (each length-prefixed), timestamp and value.
fn whole_row(entries: &[Entry]) -> Entry {
    let mut value = Vec::new();
    let count = i32::try_from(entries.len()).unwrap_or(i32::MAX);
    value.extend_from_slice(&count.to_be_bytes());
    let field = |value: &mut Vec<u8>, bytes: &[u8]| {
        let len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
        value.extend_from_slice(&len.to_be_bytes());
        value.extend_from_slice(bytes);
    };
    for (key, v) in entries {
        field(&mut value, &key.family);
        field(&mut value, &key.qualifier);
        field(&mut value, &key.visibility);
        value.extend_from_slice(&key.timestamp.to_be_bytes());
        field(&mut value, v);
    }
    let row = entries
        .first()
        .map(|(k, _)| k.row.clone())
        .unwrap_or_default();
    let mut key = Key::row_start(&row);
    key.timestamp = NEWEST;
    (key, value)
}

/// Reads the iterators of `scope` (`scan`, `minc`, `majc`) from table
/// properties: `table.iterator.SCOPE.NAME = PRIORITY,CLASS` and
/// `table.iterator.SCOPE.NAME.opt.OPTION = VALUE`.
pub(crate) fn from_properties(
    properties: &BTreeMap<String, String>,
    scope: &str,
) -> Vec<IteratorSpec> {
    let prefix = format!("table.iterator.{scope}.");
    let mut specs: BTreeMap<String, IteratorSpec> = BTreeMap::new();
    for (name, value) in properties.range(prefix.clone()..) {
        let Some(rest) = name.strip_prefix(&prefix) else {
            break;
        };
        if rest.contains('.') {
            continue;
        }
        let Some((priority, class)) = value.split_once(',') else {
            continue;
        };
        let Ok(priority) = priority.trim().parse() else {
            continue;
        };
        specs.insert(
            rest.to_owned(),
            IteratorSpec {
                priority,
                name: rest.to_owned(),
                class: class.trim().to_owned(),
                options: BTreeMap::new(),
            },
        );
    }
    for (name, value) in properties.range(prefix.clone()..) {
        let Some(rest) = name.strip_prefix(&prefix) else {
            break;
        };
        if let Some((iter, option)) = rest.split_once(".opt.") {
            if let Some(spec) = specs.get_mut(iter) {
                spec.options.insert(option.to_owned(), value.clone());
            }
        }
    }
    specs.into_values().collect()
}

/// The properties that attach `spec` at `scope`.
pub(crate) fn to_properties(spec: &IteratorSpec, scope: &str) -> Vec<(String, String)> {
    let base = format!("table.iterator.{scope}.{}", spec.name);
    let mut out = vec![(base.clone(), format!("{},{}", spec.priority, spec.class))];
    for (k, v) in &spec.options {
        out.push((format!("{base}.opt.{k}"), v.clone()));
    }
    out
}

/// Scan-time iterators override table iterators of the same name; the rest
/// run side by side.
pub(crate) fn combine(table: Vec<IteratorSpec>, scan: &[IteratorSpec]) -> Vec<IteratorSpec> {
    let mut out: Vec<IteratorSpec> = table
        .into_iter()
        .filter(|t| !scan.iter().any(|s| s.name == t.name))
        .collect();
    out.extend(scan.iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(row: &str, cf: &str, cq: &str, ts: i64, v: &str) -> Entry {
        (
            Key {
                row: row.into(),
                family: cf.into(),
                qualifier: cq.into(),
                visibility: Vec::new(),
                timestamp: ts,
            },
            v.into(),
        )
    }

    fn spec(class: &str, options: &[(&str, &str)]) -> IteratorSpec {
        IteratorSpec {
            priority: 10,
            name: "i".into(),
            class: format!("{USER}{class}"),
            options: options
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        }
    }

    #[test]
    fn versioning_keeps_the_newest() {
        let rows = vec![
            entry("r", "f", "q", 3, "c"),
            entry("r", "f", "q", 2, "b"),
            entry("r", "f", "q", 1, "a"),
            entry("r", "f", "z", 1, "z"),
        ];
        let stack =
            Stack::build(&[spec("VersioningIterator", &[("maxVersions", "2")])], 0).unwrap();
        let out = stack.apply(rows).unwrap();
        assert_eq!(
            out.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            vec![b"c".to_vec(), b"b".to_vec(), b"z".to_vec()]
        );
        assert!(Stack::build(&[spec("VersioningIterator", &[("maxVersions", "0")])], 0).is_err());
    }

    #[test]
    fn regex_matches_whole_fields_unless_substring() {
        let rows = vec![
            entry("row1", "f", "q", 1, "abc"),
            entry("row1", "g", "q", 1, "xbz"),
        ];
        let stack = Stack::build(&[spec("RegExFilter", &[("valueRegex", "b")])], 0).unwrap();
        assert!(stack.apply(rows.clone()).unwrap().is_empty());
        let stack = Stack::build(
            &[spec(
                "RegExFilter",
                &[("valueRegex", "b"), ("matchSubstring", "true")],
            )],
            0,
        )
        .unwrap();
        assert_eq!(stack.apply(rows.clone()).unwrap().len(), 2);
        let stack = Stack::build(&[spec("RegExFilter", &[("colfRegex", "g")])], 0).unwrap();
        assert_eq!(stack.apply(rows).unwrap().len(), 1);
    }

    #[test]
    fn unknown_class_is_refused() {
        let err = Stack::build(&[spec("NoSuchIterator", &[])], 0).unwrap_err();
        assert!(err.contains("ClassNotFoundException"), "{err}");
    }

    #[test]
    fn gmt_dates_parse() {
        assert_eq!(parse_gmt_date("19700101000000GMT"), Some(0));
        assert_eq!(parse_gmt_date("20000101000000GMT"), Some(946_684_800_000));
        assert_eq!(parse_gmt_date("2000"), None);
    }

    #[test]
    fn properties_round_trip() {
        let s = spec("SummingCombiner", &[("all", "true"), ("type", "STRING")]);
        let props: BTreeMap<String, String> = to_properties(&s, "scan").into_iter().collect();
        assert_eq!(from_properties(&props, "scan"), vec![s]);
    }
}
