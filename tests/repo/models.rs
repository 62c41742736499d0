//! Models shared by the tests.

use std::collections::BTreeMap;

use hbase_orm::HRow;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Address {
    pub(crate) city: String,
    pub(crate) zip: u32,
}

/// A user keyed by (tenant, id), with most kinds of fields.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(
    table = "users",
    family = "cf",
    family_options(name = "cf", max_versions = 5)
)]
pub(crate) struct User {
    #[hbase(row_key)]
    pub(crate) tenant: String,
    #[hbase(row_key)]
    pub(crate) id: u64,
    pub(crate) name: String,
    #[hbase(codec = "ordered")]
    pub(crate) age: i32,
    pub(crate) email: Option<String>,
    #[hbase(default)]
    pub(crate) level: u8,
    #[hbase(counter)]
    pub(crate) logins: i64,
    #[hbase(family = "meta", column = "addr", codec = "bincode")]
    pub(crate) address: Option<Address>,
    pub(crate) bio: Vec<u8>,
    #[hbase(skip)]
    pub(crate) cached: u32,
}

impl User {
    pub(crate) fn new(tenant: &str, id: u64, name: &str, age: i32) -> User {
        User {
            tenant: tenant.into(),
            id,
            name: name.into(),
            age,
            email: None,
            level: 0,
            logins: 0,
            address: None,
            bio: Vec::new(),
            cached: 0,
        }
    }
}

/// A document with a versioned title and a family of free-form tags.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(table = "docs", family = "d")]
pub(crate) struct Doc {
    #[hbase(row_key)]
    pub(crate) id: u32,
    #[hbase(versions = 3)]
    pub(crate) title: Vec<(i64, String)>,
    #[hbase(family_map = "tags")]
    pub(crate) tags: BTreeMap<String, i64>,
    pub(crate) body: String,
}

/// Time series keyed by (sensor, signed timestamp, uuid-like id).
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(table = "readings", family = "r")]
pub(crate) struct Reading {
    #[hbase(row_key)]
    pub(crate) sensor: String,
    #[hbase(row_key)]
    pub(crate) at: i64,
    #[hbase(row_key)]
    pub(crate) uid: [u8; 4],
    #[hbase(codec = "ordered")]
    pub(crate) value: f64,
    pub(crate) unit: String,
}

/// A row written by Java code: `Bytes.toBytes` encodings everywhere.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(table = "java", family = "f")]
pub(crate) struct JavaRow {
    #[hbase(row_key)]
    pub(crate) key: String,
    pub(crate) i: i32,
    pub(crate) l: i64,
    pub(crate) s: i16,
    pub(crate) d: f64,
    pub(crate) f: f32,
    pub(crate) b: bool,
    pub(crate) text: String,
    #[hbase(counter)]
    pub(crate) hits: i64,
}
