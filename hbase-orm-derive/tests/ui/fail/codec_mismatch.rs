use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct User {
    #[hbase(row_key)]
    id: u64,
    #[hbase(codec = "utf8")]
    age: u32,
}

fn main() {}
