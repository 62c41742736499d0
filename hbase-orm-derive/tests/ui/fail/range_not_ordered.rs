use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct User {
    #[hbase(row_key)]
    id: u64,
    // Java big-endian two's complement: -1 sorts after 1.
    age: i32,
}

fn main() {
    let _ = User::fields().age().gt(30);
}
