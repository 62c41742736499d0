use hbase_orm::HRow;

// A type with no default codec is a compile error at the field asking for
// one; the serde types that were stored with bincode by default say so.
#[derive(serde::Serialize, serde::Deserialize)]
struct Address {
    city: String,
}

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct User {
    #[hbase(row_key)]
    id: u64,
    address: Address,
}

fn main() {}
