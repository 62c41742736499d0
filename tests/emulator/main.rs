//! Integration tests of the emulator, over real sockets.
//!
//! - `wire`: transports, protocols, bad input, concurrency, shutdown.
//! - `methods`: the Hbase service methods, call by call.
//! - `attacks`: measurements of the hardening attacks against any emulator
//!   binary (ignored by default; they print figures).
//! - `limits`: scanner caps, filter budget, connection cap, idle
//!   connections, reply size.

mod attacks;
mod limits;
mod methods;
mod wire;
