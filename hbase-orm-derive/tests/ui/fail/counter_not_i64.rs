use hbase_orm::HRow;

#[derive(HRow)]
#[hbase(table = "t", family = "cf")]
struct Page {
    #[hbase(row_key)]
    url: String,
    #[hbase(counter)]
    views: u32,
}

fn main() {}
