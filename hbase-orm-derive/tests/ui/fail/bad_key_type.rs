use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct Doc {
    #[hbase(row_key)]
    id: Vec<String>,
    body: String,
}

fn main() {}
