use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct User {
    #[hbase(row_key, codec = "ordered")]
    id: u64,
    #[hbase(skip, column = "x")]
    cache: u32,
    #[hbase(codec = "raw", with = my_codec)]
    data: Vec<u8>,
}

fn main() {}
