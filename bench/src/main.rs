//! Side-by-side benchmark. (being written)
fn main() {}
