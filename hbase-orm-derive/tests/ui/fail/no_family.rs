use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t")]
struct Doc {
    #[hbase(row_key)]
    id: u64,
    body: String,
    #[hbase(column = "meta:owner")]
    owner: String,
}

fn main() {}
