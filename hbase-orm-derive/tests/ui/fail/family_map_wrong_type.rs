use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct Doc {
    #[hbase(row_key)]
    id: u64,
    #[hbase(family_map = "tags")]
    tags: Vec<String>,
}

fn main() {}
