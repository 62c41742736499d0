//! Integration tests of the typed layer (`#[derive(HRow)]` and `Repo<T>`)
//! against the in-process emulator, over real sockets.

mod backends;
mod crud;
mod fields;
mod fixture;
mod interop;
mod labels;
mod models;
mod put_many;
mod scan;
mod thrift2;
