use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct User {
    id: u64,
    name: String,
}

fn main() {}
