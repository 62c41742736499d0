//! The Thrift2 bindings against the gateway's wire facts: field ids and types
//! byte by byte, whole calls through both protocols, and arguments a client
//! leaves out.

use std::collections::BTreeMap;

use hbase_orm_idl::hbase2::{
    TAuthorization, TCellVisibility, TColumn, TColumnValue, TCompareOp, TDelete, TDeleteType,
    TDurability, TGet, THBaseServiceCheckAndMutateArgs, THBaseServiceCheckAndPutArgs,
    THBaseServiceGetArgs, TMutation, TPut, TRowMutations, TTimeRange,
};
use hbase_orm_idl::thrift::protocol::{TBinaryOutputProtocol, TOutputProtocol, TSerializable};
use hbase_orm_idl::wire::{decode, encode_call, MessageScanner, Protocol, Transport};

fn binary(write: impl FnOnce(&mut dyn TOutputProtocol)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut proto = TBinaryOutputProtocol::new(&mut out, true);
    write(&mut proto);
    out
}

#[test]
fn time_range_is_two_i64_fields_one_and_two() {
    let bytes = binary(|o| {
        TTimeRange::new(5, 9).write_to_out_protocol(o).unwrap();
    });
    let mut want = vec![0x0a, 0x00, 0x01];
    want.extend(5i64.to_be_bytes());
    want.extend([0x0a, 0x00, 0x02]);
    want.extend(9i64.to_be_bytes());
    want.push(0x00);
    assert_eq!(bytes, want);
}

#[test]
fn get_carries_authorizations_as_struct_field_eight() {
    let get = TGet {
        row: b"r".to_vec(),
        authorizations: Some(TAuthorization::new(vec!["secret".to_owned()])),
        ..TGet::new(
            Vec::new(),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
    };
    let bytes = binary(|o| get.write_to_out_protocol(o).unwrap());
    // field 1: binary "r"; field 8: struct { field 1: list<string> ["secret"] }
    let mut want = vec![0x0b, 0x00, 0x01, 0, 0, 0, 1, b'r'];
    want.extend([
        0x0c, 0x00, 0x08, 0x0f, 0x00, 0x01, 0x0b, 0, 0, 0, 1, 0, 0, 0, 6,
    ]);
    want.extend(b"secret");
    want.extend([0x00, 0x00]);
    assert_eq!(bytes, want);
}

#[test]
fn put_durability_and_visibility_are_fields_six_and_seven() {
    let put = TPut::new(
        b"r".to_vec(),
        vec![TColumnValue::new(
            b"f".to_vec(),
            b"q".to_vec(),
            b"v".to_vec(),
            None,
            None,
            None,
        )],
        None,
        None,
        TDurability::SKIP_WAL,
        TCellVisibility::new("a&b".to_owned()),
    );
    let bytes = binary(|o| put.write_to_out_protocol(o).unwrap());
    let durability = [0x08, 0x00, 0x06, 0, 0, 0, 1];
    let visibility = [
        0x0c, 0x00, 0x07, 0x0b, 0x00, 0x01, 0, 0, 0, 3, b'a', b'&', b'b', 0,
    ];
    assert!(bytes.windows(durability.len()).any(|w| w == durability));
    assert!(bytes.windows(visibility.len()).any(|w| w == visibility));
}

fn check_and_mutate() -> THBaseServiceCheckAndMutateArgs {
    let put = TPut::new(
        b"row".to_vec(),
        vec![TColumnValue::new(
            b"cf".to_vec(),
            b"a".to_vec(),
            vec![7; 40],
            12i64,
            None,
            None,
        )],
        99i64,
        BTreeMap::from([(b"k".to_vec(), b"v".to_vec())]),
        TDurability::FSYNC_WAL,
        TCellVisibility::new("(a|b)&!c".to_owned()),
    );
    let delete = TDelete::new(
        b"row".to_vec(),
        vec![TColumn::new(b"cf".to_vec(), b"old".to_vec(), None)],
        None,
        TDeleteType::DELETE_COLUMN,
        None,
        None,
    );
    THBaseServiceCheckAndMutateArgs {
        table: b"ns:t".to_vec(),
        row: b"row".to_vec(),
        family: b"cf".to_vec(),
        qualifier: b"version".to_vec(),
        compare_op: TCompareOp::GREATER_OR_EQUAL,
        value: 3i64.to_be_bytes().to_vec(),
        row_mutations: TRowMutations::new(
            b"row".to_vec(),
            vec![TMutation::Put(put), TMutation::DeleteSingle(delete)],
        ),
    }
}

#[test]
fn a_whole_call_round_trips_and_is_walked_in_both_protocols() {
    for protocol in [Protocol::Binary, Protocol::Compact] {
        let args = check_and_mutate();
        let mut out = Vec::new();
        encode_call(
            protocol,
            Transport::Buffered,
            "checkAndMutate",
            3,
            &mut out,
            |o| args.write_to_out_protocol(o),
        )
        .unwrap();
        let mut scanner = MessageScanner::new(protocol, 1 << 20);
        for end in 0..out.len() {
            assert_eq!(
                scanner.scan(&out[..end]).unwrap(),
                None,
                "{protocol} at {end}"
            );
        }
        assert_eq!(scanner.scan(&out).unwrap(), Some(out.len()));
        let (name, back) = decode(protocol, &out, |ident, i| {
            Ok((
                ident.name,
                THBaseServiceCheckAndMutateArgs::read_from_in_protocol(i)?,
            ))
        })
        .unwrap();
        assert_eq!(name, "checkAndMutate");
        assert_eq!(back, args);
    }
}

/// Writes a call whose arguments struct holds only the given fields (id,
/// bytes) and reads it back with `read`.
fn call_with_fields<T>(
    fields: &[(i16, &[u8])],
    tail: impl FnOnce(&mut dyn TOutputProtocol),
    read: impl FnOnce(
        &mut dyn hbase_orm_idl::thrift::protocol::TInputProtocol,
    ) -> hbase_orm_idl::thrift::Result<T>,
) -> hbase_orm_idl::thrift::Result<T> {
    use hbase_orm_idl::thrift::protocol::{TFieldIdentifier, TStructIdentifier, TType};
    let mut out = Vec::new();
    encode_call(
        Protocol::Binary,
        Transport::Buffered,
        "m",
        1,
        &mut out,
        |o| {
            o.write_struct_begin(&TStructIdentifier::new("args"))?;
            for (id, bytes) in fields {
                o.write_field_begin(&TFieldIdentifier::new("f", TType::String, *id))?;
                o.write_bytes(bytes)?;
                o.write_field_end()?;
            }
            tail(o);
            o.write_field_stop()?;
            o.write_struct_end()
        },
    )
    .unwrap();
    decode(Protocol::Binary, &out, |_, i| read(i))
}

#[test]
fn a_left_out_value_reads_as_empty_but_a_left_out_struct_is_refused() {
    let put = TPut::new(b"r".to_vec(), Vec::new(), None, None, None, None);
    let args = call_with_fields(
        &[(1, b"t"), (2, b"r"), (3, b"cf"), (4, b"q")],
        |o| {
            use hbase_orm_idl::thrift::protocol::{TFieldIdentifier, TType};
            o.write_field_begin(&TFieldIdentifier::new("tput", TType::Struct, 6))
                .unwrap();
            put.write_to_out_protocol(o).unwrap();
            o.write_field_end().unwrap();
        },
        |i| THBaseServiceCheckAndPutArgs::read_from_in_protocol(i),
    )
    .unwrap();
    assert!(args.value.is_empty());
    assert_eq!(args.tput, put);

    let err = call_with_fields(
        &[(1, b"t")],
        |_| {},
        |i| THBaseServiceGetArgs::read_from_in_protocol(i),
    )
    .unwrap_err();
    assert!(format!("{err:?}").contains("tget"), "{err:?}");
}
