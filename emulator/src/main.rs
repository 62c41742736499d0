//! The `hbase-emulator` binary. (being written)
fn main() {}
