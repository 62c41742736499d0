//! The network layer: sockets to a Thrift gateway and the pipelined driver
//! of one connection, for any Thrift service.
//!
//! - [`config`]: the settings of one connection and the errors naming it;
//! - [`socket`]: TCP, and TLS over it with the `tls` feature ([`tls`]);
//! - [`framing`]: whole messages out of a socket's byte stream;
//! - [`http`]: Thrift over HTTP (one POST per call, kept-alive connections);
//! - [`driver`]: the connection's writer and reader tasks and the caller
//!   side ([`driver::Handle`]) that sends a [`Method`](crate::protocol::Method)
//!   and waits for its reply;
//! - [`mismatch`]: telling another transport, protocol, TLS or HTTP from a
//!   slow gateway, and the setting that fixes it.
//!
//! It may use the protocol layer, the value types and [`Error`](crate::Error);
//! nothing of the clients above it.

pub(crate) mod config;
pub(crate) mod driver;
pub(crate) mod framing;
pub(crate) mod http;
pub(crate) mod mismatch;
pub(crate) mod pool;
pub(crate) mod socket;
#[cfg(feature = "tls")]
pub mod tls;

pub(crate) use config::Endpoint;
pub(crate) use driver::{Handle, Sent};
