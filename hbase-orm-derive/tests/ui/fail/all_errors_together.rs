use hbase_orm::HRow;

// Every attribute error is reported, not just the first.
#[derive(HRow)]
#[hbase(family = "cf", tabel = "t")]
struct Doc {
    #[hbase(colum = "x")]
    id: u64,
    #[hbase(codec = "json")]
    body: String,
    #[hbase(column = "body")]
    text: String,
}

fn main() {}
