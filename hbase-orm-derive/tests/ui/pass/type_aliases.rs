#![deny(warnings)]

// The default codec and the row-key encoding follow the type, not its written
// name: a field of an alias of `u64` is stored exactly as a `u64` field.

use hbase_orm::codec::{Bincode, DefaultCodec};
use hbase_orm::row::CellOps;
use hbase_orm::HRow;

type UserId = u64;
type Name = String;
type Score = i32;
type Blob = Vec<u8>;

mod ids {
    pub type Tenant = ::std::string::String;
}

#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
struct Address {
    city: String,
}

// A user type given a default codec by the user.
impl DefaultCodec for Address {
    type Codec = Bincode;
}

#[derive(HRow, PartialEq, Debug)]
#[hbase(table = "t", family = "cf")]
struct Aliased {
    #[hbase(row_key)]
    tenant: ids::Tenant,
    #[hbase(row_key)]
    id: UserId,
    manager: UserId,
    name: Name,
    score: Option<Score>,
    blob: Blob,
    home: Address,
}

#[derive(HRow, PartialEq, Debug)]
#[hbase(table = "t", family = "cf")]
struct Spelled {
    #[hbase(row_key)]
    tenant: String,
    #[hbase(row_key)]
    id: u64,
    manager: u64,
    name: String,
    score: Option<i32>,
    blob: Vec<u8>,
    #[hbase(codec = "bincode")]
    home: Address,
}

// A model with only a key generates no unused items.
#[derive(HRow)]
#[hbase(table = "k")]
struct KeyOnly {
    #[hbase(row_key)]
    id: UserId,
}

fn main() {
    let aliased = Aliased {
        tenant: "acme".into(),
        id: 7,
        manager: 0x0102_0304_0506_0708,
        name: "Ann".into(),
        score: Some(-2),
        blob: vec![0, 1],
        home: Address { city: "Oslo".into() },
    };
    let spelled = Spelled {
        tenant: "acme".into(),
        id: 7,
        manager: 0x0102_0304_0506_0708,
        name: "Ann".into(),
        score: Some(-2),
        blob: vec![0, 1],
        home: Address { city: "Oslo".into() },
    };
    assert_eq!(aliased.row_key(), spelled.row_key());
    assert_eq!(aliased.row_key(), b"acme\0\0\0\0\0\0\0\0\0\x07");

    let mut a = CellOps::default();
    aliased.write_cells(&mut a).unwrap();
    let mut s = CellOps::default();
    spelled.write_cells(&mut s).unwrap();
    assert_eq!(a, s);
    let manager = a.ops.iter().find(|op| op.column == b"cf:manager").unwrap();
    assert_eq!(manager.value.as_deref(), Some(&[1u8, 2, 3, 4, 5, 6, 7, 8][..]));

    // And back.
    let cells: Vec<hbase_orm::row::Cell<'_>> = a
        .ops
        .iter()
        .map(|op| hbase_orm::row::Cell {
            column: &op.column,
            value: op.value.as_deref().unwrap(),
            timestamp: 1,
        })
        .collect();
    let key = aliased.row_key();
    assert_eq!(Aliased::from_cells(&key, cells.iter().copied()).unwrap(), aliased);
    assert_eq!(Spelled::from_cells(&key, cells).unwrap(), spelled);

    assert_eq!(KeyOnly { id: 1 }.row_key(), [0, 0, 0, 0, 0, 0, 0, 1]);
    assert!(<KeyOnly as HRow>::SCHEMA.columns.is_empty());
}
