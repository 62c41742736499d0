//! Arbitrary bytes as a scan's filter string: the parser must return a
//! filter or an error, and a filter that parses must run over rows, forward
//! and reversed, without panicking.

#![no_main]

use hbase_emulator::__fuzz::filter_rows;
use hbase_orm_fuzz::seed_corpus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: seed_corpus(seeds),
    |data: &[u8]| {
        let _ = filter_rows(data);
    }
);

/// One filter string of each kind the language has, and combinations.
fn seeds() -> Vec<Vec<u8>> {
    [
        "KeyOnlyFilter()",
        "FirstKeyOnlyFilter()",
        "PrefixFilter('row')",
        "ColumnPrefixFilter('a')",
        "MultipleColumnPrefixFilter('a', 'b')",
        "ColumnCountGetFilter(2)",
        "PageFilter(1)",
        "ColumnPaginationFilter(1, 0)",
        "InclusiveStopFilter('row1')",
        "TimeStampsFilter(1, 3, 5)",
        "RowFilter(<=, 'binary:row1')",
        "FamilyFilter(=, 'binary:cf')",
        "QualifierFilter(!=, 'substring:b')",
        "ValueFilter(>, 'binaryprefix:value')",
        "ValueFilter(=, 'regexstring:^v.*[0-9]$')",
        "RowFilter(=, 'substring:ow')",
        "DependentColumnFilter('cf', 'a', true, =, 'binary:value3')",
        "DependentColumnFilter('cf', 'a')",
        "SingleColumnValueFilter('cf', 'a', >=, 'binary:value2', true, false)",
        "SingleColumnValueExcludeFilter('cf', 'b', =, 'binary:x')",
        "ColumnRangeFilter('a', true, 'c', false)",
        "FirstKeyValueMatchingQualifiersFilter('a', 'b')",
        "MultiRowRangeFilter('a', true, 'row2', false)",
        "FuzzyRowFilter('row?', '\\x00\\x00\\x00\\x01')",
        "RandomRowFilter(0.5)",
        "SKIP ValueFilter(=, 'binary:abc')",
        "WHILE RowFilter(<, 'binary:zz')",
        "PrefixFilter('r') AND (ValueFilter(=, 'binary:value3') OR KeyOnlyFilter())",
        "(FamilyFilter(=, 'binary:f2') OR QualifierFilter(=, 'binary:c')) AND PageFilter(3)",
        "SKIP (ColumnPrefixFilter('a') AND TimeStampsFilter(2, 7))",
        "ValueFilter(=, 'binary:it''s')",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
