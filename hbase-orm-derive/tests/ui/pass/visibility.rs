use hbase_orm::HRow;
use std::collections::BTreeMap;

// Labels on the struct and on every kind of stored field end up in the
// schema; an empty field label opts out of the row's.
#[derive(HRow)]
#[hbase(table = "t", family = "cf", visibility = "staff|(audit&\"x y\")")]
struct Labelled {
    #[hbase(row_key)]
    id: String,
    plain: String,
    #[hbase(visibility = "secret")]
    note: Option<String>,
    #[hbase(visibility = "")]
    public: String,
    #[hbase(counter, visibility = "A&B")]
    views: i64,
    #[hbase(versions = 2, visibility = "v")]
    history: Vec<(i64, String)>,
    #[hbase(family_map = "m", visibility = "map")]
    attrs: BTreeMap<String, String>,
}

fn main() {
    let s = <Labelled as HRow>::SCHEMA;
    assert_eq!(s.visibility, Some("staff|(audit&\"x y\")"));
    let labels: Vec<_> = s.columns.iter().map(|c| c.visibility).collect();
    assert_eq!(labels, [None, Some("secret"), Some(""), Some("A&B"), Some("v"), Some("map")]);
    let cells = s.cell_labels();
    assert_eq!(cells.of(b"cf:plain"), Some("staff|(audit&\"x y\")"));
    assert_eq!(cells.of(b"m:anything"), Some("map"));
    assert_eq!(cells.of(b"cf:public"), Some(""));
}
