//! Integration tests of the emulator, over real sockets.
//!
//! - `wire`: transports, protocols, bad input, concurrency, shutdown.
//! - `methods`: the Hbase service methods, call by call.

mod methods;
mod wire;
