//! The HBase Thrift1 protocol without I/O: the table of gateway methods with
//! their retry classes ([`method`]) and the one-pass decoder of the replies
//! that carry rows ([`rows`]).
//!
//! Everything here works on bytes in memory; the network layer moves them.
//! It may use the value types and the `hbase-orm-idl` crate, nothing else of
//! this crate.

pub(crate) mod method;
pub(crate) mod rows;

pub(crate) use method::{Method, Retry};
