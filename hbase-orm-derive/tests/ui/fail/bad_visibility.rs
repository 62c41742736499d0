use hbase_orm::HRow;

// Malformed visibility expressions are errors at their literal, saying
// where; a label on the row key, or an empty one on the struct, too.
#[derive(HRow)]
#[hbase(table = "t", family = "cf", visibility = "A&B|C")]
struct Mixed {
    #[hbase(row_key)]
    id: String,
    #[hbase(visibility = "(secret")]
    note: String,
    #[hbase(visibility = "A&")]
    title: String,
}

#[derive(HRow)]
#[hbase(table = "t", family = "cf", visibility = "")]
struct Empty {
    #[hbase(row_key, visibility = "A")]
    id: String,
}

fn main() {}
