//! What the fuzz targets share: the transport/protocol combinations, the
//! thrift encoding of seed inputs, and seeding an empty corpus directory.

use std::fs;
use std::path::PathBuf;

use hbase_orm_idl::thrift::protocol::{
    TBinaryOutputProtocol, TCompactOutputProtocol, TOutputProtocol,
};
use hbase_orm_idl::thrift::Result as ThriftResult;
use hbase_orm_idl::wire::{self, Protocol, Transport};

/// The four transport × protocol combinations, indexed by the low two bits
/// of an input's first byte.
pub const COMBOS: [(Transport, Protocol); 4] = [
    (Transport::Buffered, Protocol::Binary),
    (Transport::Buffered, Protocol::Compact),
    (Transport::Framed, Protocol::Binary),
    (Transport::Framed, Protocol::Compact),
];

/// The combination selected by `byte`.
pub fn combo(byte: u8) -> (Transport, Protocol) {
    COMBOS[usize::from(byte & 3)]
}

/// A struct (or any value) written alone in `protocol`, without a message
/// header.
pub fn body(
    protocol: Protocol,
    write: impl FnOnce(&mut dyn TOutputProtocol) -> ThriftResult<()>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let written = match protocol {
        Protocol::Binary => write(&mut TBinaryOutputProtocol::new(&mut out, true)),
        Protocol::Compact => write(&mut TCompactOutputProtocol::new(&mut out)),
    };
    written.expect("seed values encode");
    out
}

/// One call message, with its frame header when framed.
pub fn call(
    transport: Transport,
    protocol: Protocol,
    method: &str,
    seq: i32,
    args: impl FnOnce(&mut dyn TOutputProtocol) -> ThriftResult<()>,
) -> Vec<u8> {
    let mut out = Vec::new();
    wire::encode_call(protocol, transport, method, seq, &mut out, args).expect("seed calls encode");
    out
}

/// Writes `seeds()` into the corpus directory libFuzzer was given, when that
/// directory is empty (the first run), so that fuzzing starts from valid
/// messages rather than from nothing.
///
/// Called from the targets' `init`, which runs before libFuzzer reads the
/// corpus.
pub fn seed_corpus(seeds: impl FnOnce() -> Vec<Vec<u8>>) {
    let Some(dir) = std::env::args_os()
        .skip(1)
        .map(PathBuf::from)
        .find(|p| !p.to_string_lossy().starts_with('-') && p.is_dir())
    else {
        return;
    };
    let empty = fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_none());
    if !empty {
        return;
    }
    for (i, seed) in seeds().iter().enumerate() {
        let _ = fs::write(dir.join(format!("seed-{i:03}")), seed);
    }
}
