//! Integration tests of the emulator, over real sockets.
//!
//! - `wire`: transports, protocols, bad input, concurrency, shutdown.
//! - `methods`: the Hbase service methods, call by call.
//! - `limits`: scanner caps, filter budget, connection cap, idle
//!   connections, reply size.

mod limits;
mod methods;
mod wire;
