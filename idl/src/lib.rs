//! Wire types of the HBase Thrift gateways (Thrift1, service `Hbase`, and
//! Thrift2, service `THBaseService`) and the framing of their messages,
//! without any I/O.
//!
//! - [`hbase`] is generated from `idl/thrift/hbase.thrift` by `idl/generate.sh`:
//!   the structs, exceptions, per-method argument and result types, the
//!   synchronous client and the synchronous processor of the Thrift1 gateway.
//! - [`hbase2`] is generated the same way from `idl/thrift/hbase2.thrift`: the
//!   Thrift2 gateway of HBase 2.6 (cell visibility, conditional row
//!   mutations, time ranges, durability, table and namespace descriptors).
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
pub mod hbase2;

pub mod wire;
