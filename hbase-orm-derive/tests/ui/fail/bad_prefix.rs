use hbase_orm::row_key::KeyPrefix;
use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct Reading {
    #[hbase(row_key)]
    sensor: String,
    #[hbase(row_key)]
    at: i64,
    value: f64,
}

fn prefix<P: KeyPrefix<Reading>>(p: P) -> Vec<u8> {
    let mut out = Vec::new();
    p.encode_prefix(&mut out);
    out
}

fn main() {
    // The first key field is a String, not a number.
    prefix((42u32,));
    // The whole key is not a proper prefix.
    prefix(("s1", 5i64));
}
