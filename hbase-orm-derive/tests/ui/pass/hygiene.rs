#![no_implicit_prelude]
#![deny(warnings)]

// The generated code names everything by full path: it compiles without the
// prelude and next to user items that shadow prelude and std names.

#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct Result;
#[allow(dead_code)]
struct Vec;
#[allow(dead_code)]
struct Some;
#[allow(dead_code)]
struct Ok;
#[allow(dead_code)]
mod core {}
#[allow(dead_code)]
mod std {}

mod counter_codec {
    pub fn encode(
        v: &::std::string::String,
        out: &mut ::std::vec::Vec<u8>,
    ) -> ::core::result::Result<(), ::hbase_orm::codec::CodecError> {
        out.extend_from_slice(v.as_bytes());
        ::core::result::Result::Ok(())
    }
    pub fn decode(
        b: &[u8],
    ) -> ::core::result::Result<::std::string::String, ::hbase_orm::codec::CodecError> {
        ::core::result::Result::Ok(::std::string::String::from_utf8_lossy(b).into_owned())
    }
}

#[derive(::hbase_orm::HRow)]
#[hbase(table = "t", family = "cf", family_options(name = "cf", max_versions = 4))]
struct Everything {
    #[hbase(row_key)]
    tenant: ::std::string::String,
    #[hbase(row_key)]
    id: i64,
    #[hbase(row_key)]
    uuid: [u8; 16],
    name: ::std::string::String,
    #[hbase(codec = "ordered")]
    score: f64,
    email: ::core::option::Option<::std::string::String>,
    #[hbase(default)]
    level: u8,
    #[hbase(skip)]
    cache: ::std::vec::Vec<u8>,
    #[hbase(counter)]
    visits: i64,
    #[hbase(versions = 3)]
    history: ::std::vec::Vec<(i64, ::std::string::String)>,
    #[hbase(family_map = "attrs")]
    attrs: ::std::collections::BTreeMap<::std::string::String, ::std::vec::Vec<u8>>,
    #[hbase(with = counter_codec)]
    note: ::std::string::String,
    #[hbase(codec = "bincode")]
    pair: (u8, ::std::string::String),
    #[hbase(family = "other", column = "type")]
    r#type: bool,
}

fn main() {
    let _ = <Everything as ::hbase_orm::HRow>::fields().score().gt(1.0);
    let _ = <Everything as ::hbase_orm::HRow>::SCHEMA;
}
