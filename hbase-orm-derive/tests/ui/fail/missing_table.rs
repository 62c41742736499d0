use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(family = "cf")]
struct User {
    #[hbase(row_key)]
    id: u64,
}

fn main() {}
