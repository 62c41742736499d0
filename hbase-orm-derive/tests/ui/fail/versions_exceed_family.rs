use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf", family_options(name = "cf", max_versions = 2))]
struct Doc {
    #[hbase(row_key)]
    id: u64,
    #[hbase(versions = 5)]
    title: Vec<(i64, String)>,
}

fn main() {}
