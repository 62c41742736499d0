//! End-to-end tests: parse a filter string and run it over rows the way the
//! scanner does.

use bytes::Bytes;
use proptest::prelude::*;

use super::{parse, parse_bytes, KeyValue, RowOutcome};

fn kv(spec: &str) -> KeyValue {
    // "family:qualifier@ts=value"; ts defaults to 1.
    let (column, value) = spec.split_once('=').unwrap_or((spec, ""));
    let (column, ts) = match column.split_once('@') {
        Some((c, t)) => (c, t.parse().unwrap_or(1)),
        None => (column, 1),
    };
    let (family, qualifier) = column.split_once(':').unwrap_or((column, ""));
    KeyValue {
        family: Bytes::copy_from_slice(family.as_bytes()),
        qualifier: Bytes::copy_from_slice(qualifier.as_bytes()),
        timestamp: ts,
        value: Bytes::copy_from_slice(value.as_bytes()),
    }
}

fn show(kv: &KeyValue) -> String {
    format!(
        "{}:{}@{}={}",
        String::from_utf8_lossy(&kv.family),
        String::from_utf8_lossy(&kv.qualifier),
        kv.timestamp,
        String::from_utf8_lossy(&kv.value)
    )
}

/// Runs `filter` over `rows` (each "row" then cell specs) and renders what a
/// scan returns: one "row: cells" line per returned row, then "STOP" if the
/// filter ended the scan.
fn scan(filter: &str, rows: &[(&str, &[&str])]) -> Vec<String> {
    let mut f = parse(filter).unwrap_or_else(|e| panic!("{filter}: {}", e.0));
    let mut out = Vec::new();
    for (row, cells) in rows {
        let cells: Vec<KeyValue> = cells.iter().map(|c| kv(c)).collect();
        let render = |kept: &[KeyValue]| {
            format!(
                "{row}: {}",
                kept.iter().map(show).collect::<Vec<_>>().join(" ")
            )
        };
        match f.filter_row(row.as_bytes(), cells) {
            RowOutcome::Include(kept) => {
                if !kept.is_empty() {
                    out.push(render(&kept));
                }
            }
            RowOutcome::IncludeThenStop(kept) => {
                assert!(!kept.is_empty(), "IncludeThenStop with no cells");
                out.push(render(&kept));
                out.push("STOP".into());
                assert!(f.is_done());
                break;
            }
            RowOutcome::Stop => {
                out.push("STOP".into());
                assert!(f.is_done());
                break;
            }
        }
    }
    out
}

/// A small table used by many tests.
const PEOPLE: &[(&str, &[&str])] = &[
    (
        "alice",
        &[
            "info:age@5=31",
            "info:age@2=30",
            "info:city@5=Paris",
            "info:name@5=Alice",
            "stats:score@5=77",
        ],
    ),
    ("bob", &["info:age@5=25", "info:name@5=Bob"]),
    (
        "carol",
        &[
            "info:city@5=Berlin",
            "info:name@5=Carol",
            "stats:score@5=91",
        ],
    ),
    ("dave", &["info:age@5=40", "info:name@5=Dave"]),
];

fn rows(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|s| s.to_string()).collect()
}

#[test]
fn key_only_filter_strips_values() {
    assert_eq!(
        scan("KeyOnlyFilter()", &PEOPLE[1..2]),
        rows(&["bob: info:age@5= info:name@5="])
    );
    let mut f = parse("KeyOnlyFilter(true)").unwrap();
    match f.filter_row(b"bob", vec![kv("info:name@5=Bobby")]) {
        RowOutcome::Include(cells) => {
            assert_eq!(cells.len(), 1);
            assert_eq!(cells[0].value.as_ref(), &[0, 0, 0, 5]);
            assert_eq!(cells[0].qualifier.as_ref(), b"name");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn first_key_only_returns_first_cell_of_each_row() {
    assert_eq!(
        scan("FirstKeyOnlyFilter()", PEOPLE),
        rows(&[
            "alice: info:age@5=31",
            "bob: info:age@5=25",
            "carol: info:city@5=Berlin",
            "dave: info:age@5=40",
        ])
    );
}

#[test]
fn prefix_filter_keeps_matching_rows_and_ends_after_them() {
    let table: &[(&str, &[&str])] = &[
        ("a1", &["f:q=1"]),
        ("b1", &["f:q=2"]),
        ("b2", &["f:q=3"]),
        ("c1", &["f:q=4"]),
        ("c2", &["f:q=5"]),
    ];
    assert_eq!(
        scan("PrefixFilter('b')", table),
        rows(&["b1: f:q@1=2", "b2: f:q@1=3", "STOP"])
    );
    // A row shorter than the prefix is skipped, not the end of the scan.
    let table: &[(&str, &[&str])] = &[("a", &["f:q=1"]), ("ab", &["f:q=2"])];
    assert_eq!(scan("PrefixFilter('ab')", table), rows(&["ab: f:q@1=2"]));
}

#[test]
fn prefix_filter_reversed_ends_below_the_prefix() {
    let mut f = parse("PrefixFilter('b')").unwrap();
    f.set_reversed(true);
    assert_eq!(
        f.filter_row(b"c1", vec![kv("f:q=1")]),
        RowOutcome::Include(vec![])
    );
    assert_eq!(
        f.filter_row(b"b1", vec![kv("f:q=2")]),
        RowOutcome::Include(vec![kv("f:q=2")])
    );
    assert_eq!(f.filter_row(b"a1", vec![kv("f:q=3")]), RowOutcome::Stop);
    assert_eq!(f.filter_row(b"a0", vec![kv("f:q=3")]), RowOutcome::Stop);
}

#[test]
fn column_prefix_filters() {
    assert_eq!(
        scan("ColumnPrefixFilter('a')", PEOPLE),
        rows(&[
            "alice: info:age@5=31 info:age@2=30",
            "bob: info:age@5=25",
            "dave: info:age@5=40",
        ])
    );
    // The prefix applies in every family.
    let table: &[(&str, &[&str])] = &[("r", &["f:a=1", "f:na=2", "f:nb=3", "g:n=4", "g:nz=5"])];
    assert_eq!(
        scan("ColumnPrefixFilter('n')", table),
        rows(&["r: f:na@1=2 f:nb@1=3 g:n@1=4 g:nz@1=5"])
    );
    assert_eq!(
        scan("MultipleColumnPrefixFilter('ci', 'na')", PEOPLE),
        rows(&[
            "alice: info:city@5=Paris info:name@5=Alice",
            "bob: info:name@5=Bob",
            "carol: info:city@5=Berlin info:name@5=Carol",
            "dave: info:name@5=Dave",
        ])
    );
    assert_eq!(
        scan("MultipleColumnPrefixFilter('sc', 'ag')", PEOPLE),
        rows(&[
            "alice: info:age@5=31 info:age@2=30 stats:score@5=77",
            "bob: info:age@5=25",
            "carol: stats:score@5=91",
            "dave: info:age@5=40",
        ])
    );
}

#[test]
fn inclusive_stop_includes_the_stop_row_then_ends() {
    assert_eq!(
        scan("InclusiveStopFilter('bob')", PEOPLE),
        rows(&[
            "alice: info:age@5=31 info:age@2=30 info:city@5=Paris info:name@5=Alice \
             stats:score@5=77",
            "bob: info:age@5=25 info:name@5=Bob",
            "STOP",
        ])
    );
    // A stop key between rows: the next row ends the scan.
    assert_eq!(
        scan("InclusiveStopFilter('bz')", &PEOPLE[1..]),
        rows(&["bob: info:age@5=25 info:name@5=Bob", "STOP"])
    );
}

#[test]
fn column_count_get_keeps_first_columns() {
    let table: &[(&str, &[&str])] = &[
        ("r1", &["f:a@2=1", "f:a@1=0", "f:b=2"]),
        ("r2", &["f:a=3", "f:b=4"]),
    ];
    // Only the newest version of each column counts.
    assert_eq!(
        scan("ColumnCountGetFilter(2)", table),
        rows(&["r1: f:a@2=1 f:b@1=2", "r2: f:a@1=3 f:b@1=4"])
    );
    // A row wider than the limit ends the scan (HBase: unsuitable for scans).
    assert_eq!(
        scan("ColumnCountGetFilter(1)", table),
        rows(&["r1: f:a@2=1", "STOP"])
    );
}

#[test]
fn page_filter_counts_returned_rows() {
    assert_eq!(
        scan("PageFilter(2)", PEOPLE),
        rows(&[
            "alice: info:age@5=31 info:age@2=30 info:city@5=Paris info:name@5=Alice \
             stats:score@5=77",
            "bob: info:age@5=25 info:name@5=Bob",
            "STOP",
        ])
    );
    assert_eq!(scan("PageFilter(0)", PEOPLE), rows(&["STOP"]));
    // Rows rejected by the other filter before PageFilter runs do not count.
    assert_eq!(
        scan("ColumnPrefixFilter('ci') AND PageFilter(2)", PEOPLE),
        rows(&[
            "alice: info:city@5=Paris",
            "carol: info:city@5=Berlin",
            "STOP"
        ])
    );
}

#[test]
fn column_pagination_pages_columns() {
    assert_eq!(
        scan("ColumnPaginationFilter(2, 1)", PEOPLE),
        rows(&[
            "alice: info:city@5=Paris info:name@5=Alice",
            "bob: info:name@5=Bob",
            "carol: info:name@5=Carol stats:score@5=91",
            "dave: info:name@5=Dave",
        ])
    );
    assert_eq!(scan("ColumnPaginationFilter(0, 0)", PEOPLE), rows(&[]));
}

#[test]
fn timestamps_filter_keeps_listed_versions() {
    assert_eq!(
        scan("TimestampsFilter(2)", PEOPLE),
        rows(&["alice: info:age@2=30"])
    );
    assert_eq!(
        scan("TimestampsFilter(2, 5)", &PEOPLE[..1]).len(),
        1,
        "alice is returned whole"
    );
    assert_eq!(scan("TimestampsFilter()", PEOPLE), rows(&[]));
}

#[test]
fn row_filter_compares_row_keys() {
    assert_eq!(
        scan("RowFilter(>, 'binary:bob')", PEOPLE)
            .iter()
            .map(|l| l.split(':').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        vec!["carol", "dave"]
    );
    assert_eq!(
        scan("RowFilter(<=, 'binary:bob')", PEOPLE)
            .iter()
            .map(|l| l.split(':').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        vec!["alice", "bob"]
    );
    assert_eq!(
        scan("RowFilter(=, 'regexstring:^.a')", PEOPLE)
            .iter()
            .map(|l| l.split(':').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        vec!["carol", "dave"]
    );
    assert_eq!(
        scan("RowFilter(!=, 'substring:O')", PEOPLE)
            .iter()
            .map(|l| l.split(':').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        vec!["alice", "dave"]
    );
}

#[test]
fn family_qualifier_and_value_filters() {
    assert_eq!(
        scan("FamilyFilter(=, 'binary:stats')", PEOPLE),
        rows(&["alice: stats:score@5=77", "carol: stats:score@5=91"])
    );
    assert_eq!(
        scan("QualifierFilter(>=, 'binary:city')", &PEOPLE[..1]),
        rows(&["alice: info:city@5=Paris info:name@5=Alice stats:score@5=77"])
    );
    // Operator reads "cell value > argument".
    assert_eq!(
        scan("ValueFilter(>, 'binary:30')", &PEOPLE[..2]),
        rows(&[
            "alice: info:age@5=31 info:city@5=Paris info:name@5=Alice stats:score@5=77",
            // Binary comparison: "Bob" sorts after "30".
            "bob: info:name@5=Bob"
        ])
    );
    assert_eq!(
        scan("ValueFilter(<, 'binary:30')", &PEOPLE[..2]),
        rows(&["bob: info:age@5=25"])
    );
    assert_eq!(
        scan("ValueFilter(=, 'substring:ER')", PEOPLE),
        rows(&["carol: info:city@5=Berlin"])
    );
    assert_eq!(
        scan("ValueFilter(=, 'binaryprefix:Da')", PEOPLE),
        rows(&["dave: info:name@5=Dave"])
    );
}

#[test]
fn column_range_filter_bounds() {
    let table: &[(&str, &[&str])] = &[("r", &["f:a=1", "f:b=2", "f:c=3", "f:d=4", "g:b=5"])];
    assert_eq!(
        scan("ColumnRangeFilter('b', true, 'c', true)", table),
        rows(&["r: f:b@1=2 f:c@1=3 g:b@1=5"])
    );
    assert_eq!(
        scan("ColumnRangeFilter('b', false, 'd', false)", table),
        rows(&["r: f:c@1=3"])
    );
    assert_eq!(
        scan("ColumnRangeFilter('', true, 'b', false)", table),
        rows(&["r: f:a@1=1"])
    );
    assert_eq!(
        scan("ColumnRangeFilter('c', true, '', false)", table),
        rows(&["r: f:c@1=3 f:d@1=4"])
    );
}

#[test]
fn single_column_value_filter_keeps_or_drops_whole_rows() {
    // bob (25) fails, carol has no age: kept because filterIfMissing=false.
    assert_eq!(
        scan(
            "SingleColumnValueFilter('info', 'age', >=, 'binary:30')",
            PEOPLE
        )
        .iter()
        .map(|l| l.split(':').next().unwrap_or_default().to_string())
        .collect::<Vec<_>>(),
        vec!["alice", "carol", "dave"]
    );
    assert_eq!(
        scan(
            "SingleColumnValueFilter('info', 'age', >=, 'binary:30', true, true)",
            PEOPLE
        )
        .iter()
        .map(|l| l.split(':').next().unwrap_or_default().to_string())
        .collect::<Vec<_>>(),
        vec!["alice", "dave"]
    );
    // Whole rows are returned, including other families.
    assert_eq!(
        scan(
            "SingleColumnValueFilter('info', 'name', =, 'binary:Alice')",
            &PEOPLE[..2]
        ),
        rows(&[
            "alice: info:age@5=31 info:age@2=30 info:city@5=Paris info:name@5=Alice \
             stats:score@5=77"
        ])
    );
    // latestVersionOnly: only the newest age (31) is tested by default.
    assert_eq!(
        scan(
            "SingleColumnValueFilter('info', 'age', =, 'binary:30', true, true)",
            PEOPLE
        ),
        rows(&[])
    );
    assert_eq!(
        scan(
            "SingleColumnValueFilter('info', 'age', =, 'binary:30', true, false)",
            PEOPLE
        )
        .len(),
        1
    );
}

#[test]
fn single_column_value_exclude_filter_drops_the_tested_column() {
    assert_eq!(
        scan(
            "SingleColumnValueExcludeFilter('info', 'name', =, 'binary:Bob')",
            &PEOPLE[..2]
        ),
        rows(&["bob: info:age@5=25"])
    );
    // A row holding only the tested column ends up empty and is left out.
    let table: &[(&str, &[&str])] = &[("r", &["f:q=1"])];
    assert_eq!(
        scan(
            "SingleColumnValueExcludeFilter('f', 'q', =, 'binary:1')",
            table
        ),
        rows(&[])
    );
}

#[test]
fn dependent_column_filter_forms() {
    let table: &[(&str, &[&str])] = &[(
        "r",
        &[
            "f:a@3=x",
            "f:a@2=y",
            "f:b@3=1",
            "f:b@1=2",
            "f:dep@3=ok",
            "f:dep@1=no",
        ],
    )];
    // Keeps cells whose timestamp has a cell in the dependent column.
    assert_eq!(
        scan("DependentColumnFilter('f', 'dep')", table),
        rows(&["r: f:a@3=x f:b@3=1 f:b@1=2 f:dep@3=ok f:dep@1=no"])
    );
    assert_eq!(
        scan("DependentColumnFilter('f', 'dep', true)", table),
        rows(&["r: f:a@3=x f:b@3=1 f:b@1=2"])
    );
    assert_eq!(
        scan(
            "DependentColumnFilter('f', 'dep', false, =, 'binary:ok')",
            table
        ),
        rows(&["r: f:a@3=x f:b@3=1 f:dep@3=ok"])
    );
    assert_eq!(
        scan(
            "DependentColumnFilter('f', 'dep', true, !=, 'binary:ok')",
            table
        ),
        rows(&["r: f:b@1=2"])
    );
    // No dependent column: nothing survives.
    assert_eq!(scan("DependentColumnFilter('f', 'zzz')", table), rows(&[]));
}

#[test]
fn column_value_filter_returns_only_the_matching_cell() {
    assert_eq!(
        scan("ColumnValueFilter('info', 'age', >, 'binary:26')", PEOPLE),
        rows(&["alice: info:age@5=31 info:age@2=30", "dave: info:age@5=40"])
    );
    assert_eq!(
        scan(
            "ColumnValueFilter('stats', 'score', =, 'binary:91')",
            PEOPLE
        ),
        rows(&["carol: stats:score@5=91"])
    );
}

#[test]
fn and_combines_row_and_value_filters() {
    assert_eq!(
        scan(
            "RowFilter(>=, 'binary:bob') AND ValueFilter(=, 'regexstring:^[A-Z]')",
            PEOPLE
        ),
        rows(&[
            "bob: info:name@5=Bob",
            "carol: info:city@5=Berlin info:name@5=Carol",
            "dave: info:name@5=Dave",
        ])
    );
}

#[test]
fn or_keeps_cells_any_branch_keeps() {
    assert_eq!(
        scan(
            "QualifierFilter(=, 'binary:name') OR ValueFilter(=, 'binary:91')",
            &PEOPLE[1..3]
        ),
        rows(&[
            "bob: info:name@5=Bob",
            "carol: info:name@5=Carol stats:score@5=91"
        ])
    );
    // A row-key branch OR a value branch.
    assert_eq!(
        scan("PrefixFilter('d') OR ValueFilter(=, 'binary:Bob')", PEOPLE),
        rows(&[
            "bob: info:name@5=Bob",
            "dave: info:age@5=40 info:name@5=Dave"
        ])
    );
}

#[test]
fn or_remembers_column_skips() {
    // ColumnCountGetFilter sees each column once even though the OR's other
    // branch looks at every version.
    let table: &[(&str, &[&str])] = &[("r", &["f:a@3=1", "f:a@2=2", "f:a@1=3", "f:b@1=4"])];
    assert_eq!(
        scan(
            "ColumnCountGetFilter(2) OR ValueFilter(=, 'binary:2')",
            table
        ),
        rows(&["r: f:a@3=1 f:a@2=2 f:b@1=4"])
    );
}

#[test]
fn precedence_and_binds_tighter_than_or() {
    let table: &[(&str, &[&str])] = &[("a1", &["f:q=x"]), ("b1", &["f:q=y"]), ("c1", &["f:q=x"])];
    // (RowFilter(a) AND value x) OR row c
    assert_eq!(
        scan(
            "RowFilter(=, 'binaryprefix:a') AND ValueFilter(=, 'binary:x') OR \
             RowFilter(=, 'binaryprefix:c')",
            table
        ),
        rows(&["a1: f:q@1=x", "c1: f:q@1=x"])
    );
    // row a AND (value x OR row c): c1 fails the first part.
    assert_eq!(
        scan(
            "RowFilter(=, 'binaryprefix:a') AND (ValueFilter(=, 'binary:x') OR \
             RowFilter(=, 'binaryprefix:c'))",
            table
        ),
        rows(&["a1: f:q@1=x"])
    );
}

#[test]
fn skip_drops_rows_with_any_rejected_cell() {
    // Without SKIP, alice keeps the cells that pass.
    assert_eq!(
        scan("ValueFilter(!=, 'binary:Paris')", &PEOPLE[..1]),
        rows(&["alice: info:age@5=31 info:age@2=30 info:name@5=Alice stats:score@5=77"])
    );
    assert_eq!(
        scan("SKIP ValueFilter(!=, 'binary:Paris')", PEOPLE)
            .iter()
            .map(|l| l.split(':').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        vec!["bob", "carol", "dave"]
    );
    // SKIP binds tighter than AND: SKIP(value) AND row filter.
    assert_eq!(
        scan(
            "SKIP ValueFilter(!=, 'binary:Paris') AND RowFilter(!=, 'binary:bob')",
            PEOPLE
        )
        .iter()
        .map(|l| l.split(':').next().unwrap_or_default().to_string())
        .collect::<Vec<_>>(),
        vec!["carol", "dave"]
    );
}

#[test]
fn while_stops_the_scan_at_the_first_rejected_row() {
    assert_eq!(
        scan("WHILE RowFilter(<, 'binary:c')", PEOPLE)
            .iter()
            .map(|l| l.split(':').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        vec!["alice", "bob", "STOP"]
    );
    // Without WHILE the scan goes on to dave.
    assert_eq!(scan("RowFilter(!=, 'binary:carol')", PEOPLE).len(), 3);
    assert_eq!(
        scan("WHILE RowFilter(!=, 'binary:carol')", PEOPLE)
            .iter()
            .map(|l| l.split(':').next().unwrap_or_default().to_string())
            .collect::<Vec<_>>(),
        vec!["alice", "bob", "STOP"]
    );
    // A cell-level rejection ends the scan after the cells seen so far.
    let table: &[(&str, &[&str])] = &[
        ("r1", &["f:a=1", "f:b=1"]),
        ("r2", &["f:a=1", "f:b=2", "f:c=1"]),
        ("r3", &["f:a=1"]),
    ];
    assert_eq!(
        scan("WHILE ValueFilter(=, 'binary:1')", table),
        rows(&["r1: f:a@1=1 f:b@1=1", "r2: f:a@1=1", "STOP"])
    );
}

#[test]
fn scanner_prefix_idiom_while_prefix() {
    // What scannerOpenWithPrefix does: start at the prefix, WHILE PrefixFilter.
    let table: &[(&str, &[&str])] = &[
        ("user1", &["f:q=1"]),
        ("user2", &["f:q=2"]),
        ("zeta", &["f:q=3"]),
    ];
    assert_eq!(
        scan("WHILE PrefixFilter('user')", table),
        rows(&["user1: f:q@1=1", "user2: f:q@1=2", "STOP"])
    );
}

#[test]
fn stopped_filter_stays_stopped() {
    let mut f = parse("PageFilter(1)").unwrap();
    assert!(!f.is_done());
    assert_eq!(
        f.filter_row(b"r1", vec![kv("f:q=1")]),
        RowOutcome::IncludeThenStop(vec![kv("f:q=1")])
    );
    assert!(f.is_done());
    assert_eq!(f.filter_row(b"r2", vec![kv("f:q=2")]), RowOutcome::Stop);
}

#[test]
fn empty_rows_are_left_out_and_not_counted() {
    let mut f = parse("ValueFilter(=, 'binary:x') AND PageFilter(1)").unwrap();
    assert_eq!(
        f.filter_row(b"r1", vec![kv("f:q=y")]),
        RowOutcome::Include(vec![])
    );
    assert_eq!(
        f.filter_row(b"r2", vec![kv("f:q=x")]),
        RowOutcome::IncludeThenStop(vec![kv("f:q=x")])
    );
    let mut f = parse("KeyOnlyFilter()").unwrap();
    assert_eq!(f.filter_row(b"r", vec![]), RowOutcome::Include(vec![]));
}

#[test]
fn binary_filter_strings_are_accepted() {
    let mut input = b"PrefixFilter('".to_vec();
    input.extend_from_slice(&[0xff, 0x00]);
    input.extend_from_slice(b"')");
    let mut f = parse_bytes(&input).unwrap();
    assert_eq!(
        f.filter_row(&[0xff, 0x00, 0x01], vec![kv("f:q=1")]),
        RowOutcome::Include(vec![kv("f:q=1")])
    );
    assert_eq!(
        f.filter_row(&[0xff, 0x01], vec![kv("f:q=1")]),
        RowOutcome::Stop
    );
}

#[test]
fn multiple_column_prefix_tries_only_the_nearest_prefix() {
    // HBase quirk: with overlapping prefixes only the largest prefix sorting
    // before the qualifier is tried, so "ac" is dropped although it starts
    // with "a", and the rest of the family is skipped.
    let table: &[(&str, &[&str])] = &[("r", &["f:abc=1", "f:ac=2", "f:b=3", "g:ab=4"])];
    assert_eq!(
        scan("MultipleColumnPrefixFilter('a', 'ab')", table),
        rows(&["r: f:abc@1=1 g:ab@1=4"])
    );
}

#[test]
fn qualifier_filter_never_compares_an_empty_qualifier() {
    let table: &[(&str, &[&str])] = &[("r", &["f:=0", "f:x=1", "f:y=2"])];
    assert_eq!(
        scan("QualifierFilter(=, 'binary:x')", table),
        rows(&["r: f:@1=0 f:x@1=1"])
    );
}

#[test]
fn family_filter_skips_whole_families() {
    assert_eq!(
        scan("FamilyFilter(!=, 'binary:info')", PEOPLE),
        rows(&["alice: stats:score@5=77", "carol: stats:score@5=91"])
    );
}

#[test]
fn or_of_hinting_filters_seeks_to_the_nearest_hint() {
    let table: &[(&str, &[&str])] = &[("r", &["f:a=1", "f:b1=2", "f:c=3", "f:d1=4", "f:e=5"])];
    assert_eq!(
        scan("ColumnPrefixFilter('b') OR ColumnPrefixFilter('d')", table),
        rows(&["r: f:b1@1=2 f:d1@1=4"])
    );
}

#[test]
fn and_of_hinting_filters_seeks_to_the_furthest_hint() {
    let table: &[(&str, &[&str])] = &[("r", &["f:a=1", "f:b=2", "f:c1=3", "f:d=4"])];
    assert_eq!(
        scan(
            "ColumnPrefixFilter('c') AND ColumnRangeFilter('b', true, 'd', true)",
            table
        ),
        rows(&["r: f:c1@1=3"])
    );
}

#[test]
fn while_ends_on_any_non_include_code() {
    // HBase quirk: a skipped cell counts as a failure, so WHILE over a
    // column filter ends the scan at the first column it passes over.
    let table: &[(&str, &[&str])] = &[("r1", &["f:a=1", "f:b=2"]), ("r2", &["f:b=3"])];
    assert_eq!(
        scan("WHILE ColumnPrefixFilter('b')", table),
        rows(&["STOP"])
    );
}

#[test]
fn skip_does_not_forward_row_key_checks() {
    // HBase quirk: SkipFilter never calls the wrapped filter's filterRowKey,
    // so a wrapped RowFilter lets every row through.
    let table: &[(&str, &[&str])] = &[("x", &["f:q=1"]), ("y", &["f:q=2"])];
    assert_eq!(
        scan("SKIP RowFilter(=, 'binary:x')", table),
        rows(&["x: f:q@1=1", "y: f:q@1=2"])
    );
}

#[test]
fn page_filter_position_in_an_and_list_matters() {
    // Row-level checks run in order and stop at the first rejection, so a
    // PageFilter placed first also counts rows the next filter drops (alice
    // has cells before the tested column, so her row reaches the row checks).
    assert_eq!(
        scan(
            "SingleColumnValueFilter('info', 'name', =, 'binary:Bob') AND PageFilter(1)",
            PEOPLE
        ),
        rows(&["bob: info:age@5=25 info:name@5=Bob", "STOP"])
    );
    assert_eq!(
        scan(
            "PageFilter(1) AND SingleColumnValueFilter('info', 'name', =, 'binary:Bob')",
            PEOPLE
        ),
        rows(&["STOP"])
    );
}

#[test]
fn key_only_inside_lists_transforms_included_cells() {
    assert_eq!(
        scan(
            "KeyOnlyFilter() AND QualifierFilter(=, 'binary:name')",
            &PEOPLE[1..2]
        ),
        rows(&["bob: info:name@5="])
    );
    // In an OR, only branches that included the cell transform it.
    assert_eq!(
        scan(
            "(KeyOnlyFilter() AND QualifierFilter(=, 'binary:age')) OR \
             QualifierFilter(=, 'binary:name')",
            &PEOPLE[1..2]
        ),
        rows(&["bob: info:age@5= info:name@5=Bob"])
    );
}

proptest! {
    #[test]
    fn parser_never_panics_on_random_text(s in ".{0,80}") {
        let _ = parse(&s);
    }

    #[test]
    fn parser_never_panics_on_random_bytes(b in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = parse_bytes(&b);
    }

    #[test]
    fn parser_never_panics_on_language_like_text(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("PrefixFilter".to_string()),
                Just("ValueFilter".to_string()),
                Just("SingleColumnValueFilter".to_string()),
                Just("PageFilter".to_string()),
                Just("(".to_string()),
                Just(")".to_string()),
                Just("'".to_string()),
                Just("''".to_string()),
                Just(",".to_string()),
                Just(" ".to_string()),
                Just(" AND ".to_string()),
                Just(" OR ".to_string()),
                Just("SKIP ".to_string()),
                Just("WHILE ".to_string()),
                Just("=".to_string()),
                Just("<=".to_string()),
                Just("'binary:a'".to_string()),
                Just("'regexstring:(['".to_string()),
                Just("true".to_string()),
                Just("-12".to_string()),
                "[a-z:]{0,4}".prop_map(|s| s),
            ],
            0..16,
        )
    ) {
        let s: String = parts.concat();
        if let Ok(mut f) = parse(&s) {
            // Whatever parses must also evaluate without panicking.
            let _ = f.filter_row(b"row", vec![kv("f:a@2=1"), kv("f:a@1=2"), kv("g:b=3")]);
            let _ = f.filter_row(b"row2", vec![kv("f:q=x")]);
        }
    }
}
