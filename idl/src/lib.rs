//! Wire types of the HBase Thrift1 gateway (service `Hbase`) and the framing
//! of its messages, without any I/O.
//!
//! - [`hbase`] is generated from `idl/thrift/hbase.thrift` by `idl/generate.sh`:
//!   the structs, exceptions, per-method argument and result types, the
//!   synchronous client and the synchronous processor.
//! - [`wire`] finds message boundaries in a byte stream (buffered or framed
//!   transport, binary or compact protocol), encodes and decodes whole messages
//!   in memory, and recognises a peer that speaks another transport or protocol.
//!
//! Both the async client (`hbase-orm`) and the emulator (`hbase-emulator`) build
//! on this crate, so the two agree on every byte.

pub use thrift;

#[allow(
    missing_docs,
    unreachable_pub,
    missing_debug_implementations,
    clippy::all,
    clippy::pedantic,
    non_camel_case_types,
    unused_imports,
    unused_extern_crates,
    deprecated
)]
#[rustfmt::skip]
pub mod hbase;

pub mod wire;
