//! Wire types of the HBase Thrift gateways (Thrift1, service `Hbase`, and
//! Thrift2, service `THBaseService`) and of the Accumulo Proxy (service
//! `AccumuloProxy`), and the framing of their messages, without any I/O.
//!
//! - [`hbase`] is generated from `idl/thrift/hbase.thrift` by `idl/generate.sh`:
//!   the structs, exceptions, per-method argument and result types, the
//!   synchronous client and the synchronous processor of the Thrift1 gateway.
//! - [`hbase2`] is generated the same way from `idl/thrift/hbase2.thrift`: the
//!   Thrift2 gateway of HBase 2.6 (cell visibility, conditional row
//!   mutations, time ranges, durability, table and namespace descriptors).
//! - [`accumulo`] is generated the same way from `idl/thrift/accumulo.thrift`:
//!   the Accumulo Proxy 1.x service that Accumulo 1.9 and 1.10 ship (log in
//!   with `login`, then pass its token to every call).
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
pub mod accumulo;

pub mod wire;

#[cfg(test)]
mod accumulo_tests {
    use std::collections::BTreeMap;

    use thrift::protocol::{
        TCompactInputProtocol, TCompactOutputProtocol, TOutputProtocol, TSerializable,
        TStructIdentifier,
    };

    use crate::accumulo::{
        AccumuloProxyCreateTableArgs, AccumuloProxyLoginArgs, AccumuloProxyOfflineTableArgs, Key,
        TimeType,
    };

    fn encode(value: &impl TSerializable) -> Vec<u8> {
        let mut out = Vec::new();
        value
            .write_to_out_protocol(&mut TCompactOutputProtocol::new(&mut out))
            .unwrap();
        out
    }

    fn empty_struct() -> Vec<u8> {
        let mut out = Vec::new();
        let mut protocol = TCompactOutputProtocol::new(&mut out);
        protocol
            .write_struct_begin(&TStructIdentifier::new("empty"))
            .unwrap();
        protocol.write_field_stop().unwrap();
        protocol.write_struct_end().unwrap();
        protocol.flush().unwrap();
        out
    }

    #[test]
    fn a_key_without_timestamp_reads_as_none() {
        let key = Key::new(
            b"r".to_vec(),
            b"f".to_vec(),
            b"q".to_vec(),
            Vec::new(),
            None,
        );
        let bytes = encode(&key);
        let back = Key::read_from_in_protocol(&mut TCompactInputProtocol::new(&bytes[..])).unwrap();
        assert_eq!(back, key);
        assert_eq!(back.timestamp, None);
    }

    #[test]
    fn login_arguments_round_trip() {
        let args = AccumuloProxyLoginArgs {
            principal: "root".to_owned(),
            login_properties: BTreeMap::from([("password".to_owned(), "secret".to_owned())]),
        };
        let mut bytes = Vec::new();
        args.write_to_out_protocol(&mut TCompactOutputProtocol::new(&mut bytes))
            .unwrap();
        let back = AccumuloProxyLoginArgs::read_from_in_protocol(&mut TCompactInputProtocol::new(
            &bytes[..],
        ))
        .unwrap();
        assert_eq!(back.principal, "root");
        assert_eq!(back.login_properties["password"], "secret");
    }

    #[test]
    fn missing_arguments_read_as_defaults_except_enums() {
        let bytes = empty_struct();
        let offline = AccumuloProxyOfflineTableArgs::read_from_in_protocol(
            &mut TCompactInputProtocol::new(&bytes[..]),
        )
        .unwrap();
        assert!(!offline.wait);
        assert!(offline.table_name.is_empty());
        let create = AccumuloProxyCreateTableArgs::read_from_in_protocol(
            &mut TCompactInputProtocol::new(&bytes[..]),
        );
        assert!(create.is_err(), "a missing TimeType is refused");
        let mut bytes = Vec::new();
        AccumuloProxyCreateTableArgs {
            login: b"token".to_vec(),
            table_name: "t".to_owned(),
            versioning_iter: true,
            type_: TimeType::MILLIS,
        }
        .write_to_out_protocol(&mut TCompactOutputProtocol::new(&mut bytes))
        .unwrap();
        let create = AccumuloProxyCreateTableArgs::read_from_in_protocol(
            &mut TCompactInputProtocol::new(&bytes[..]),
        )
        .unwrap();
        assert_eq!(create.type_, TimeType::MILLIS);
    }
}
