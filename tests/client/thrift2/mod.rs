//! The Thrift2 client (`hbase_orm::thrift2`) over real sockets: on the
//! emulator's Thrift2 service by default, on the real Thrift2 gateway when
//! `HBASE_THRIFT2_ADDR` is set (`.ci/real-engines`).

mod admin;
mod bad_input;
mod data;
mod fixture;
mod scan;
