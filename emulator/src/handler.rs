//! The Hbase service handler. (being written)
