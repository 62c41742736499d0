//! Integration tests of the async raw client (`Connection`, `Table`, scans,
//! `Batch`) against the in-process emulator, over real sockets, on every
//! transport × protocol combination.

mod admin;
mod batch;
mod blocking;
mod connection;
mod faults;
mod fixture;
mod http;
mod pool;
mod replies;
mod scan;
mod table;
mod thrift2;
mod tls;
