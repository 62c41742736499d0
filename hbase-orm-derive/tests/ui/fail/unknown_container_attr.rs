use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(tabel = "t", table = "t", family = "cf")]
struct User {
    #[hbase(row_key)]
    id: u64,
}

fn main() {}
