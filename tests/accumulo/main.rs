//! The Accumulo Proxy client over real sockets.
//!
//! Runs against the proxy named by `ACCUMULO_PROXY_ADDR` (with
//! `ACCUMULO_PROXY_USER`, `ACCUMULO_PROXY_PASSWORD`), or the one
//! `engines/accumulo.sh start` recorded in `target/engines/accumulo.env`;
//! without either, against the emulator's embedded Accumulo proxy, one per
//! test.

mod admin;
mod bad_input;
mod blocking;
mod data;
mod fixture;
