use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct User {
    #[hbase(row_key)]
    id: u64,
    name: String,
    #[hbase(column = "cf:name")]
    display_name: String,
}

fn main() {}
