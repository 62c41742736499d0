use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct Doc {
    #[hbase(row_key)]
    id: u64,
    #[hbase(codec = "json")]
    body: String,
}

fn main() {}
