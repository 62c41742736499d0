//! The `#[derive(HRow)]` macro of `hbase-orm`. Use it through `hbase_orm::HRow`.
//! (being written)
