//! The binary encoding of log records and snapshots, and the CRC-32 that
//! guards them. No I/O here.
//!
//! Integers are little-endian and fixed width; byte strings and lists are
//! prefixed with their length as a `u32`. Decoding never panics: every
//! failure is a [`DecodeError`] naming the byte offset where it happened.

use std::collections::BTreeMap;
use std::fmt;

use bytes::Bytes;

use super::super::memory::{Column, FamilyCells, Row, Table};
use super::super::{EditOp, FamilySpec, RowEdit};

/// CRC-32 (IEEE 802.3, reflected, as zlib and PNG compute it) lookup table.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// A running CRC-32.
#[derive(Debug, Clone, Copy)]
pub(super) struct Crc32(u32);

impl Crc32 {
    /// A CRC over no bytes yet.
    pub(super) fn new() -> Self {
        Crc32(0xFFFF_FFFF)
    }

    /// Adds bytes.
    pub(super) fn update(&mut self, data: &[u8]) {
        let mut c = self.0;
        for &b in data {
            c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
        }
        self.0 = c;
    }

    /// The CRC of everything added.
    pub(super) fn finish(self) -> u32 {
        self.0 ^ 0xFFFF_FFFF
    }
}

/// The CRC-32 of `parts`, concatenated.
pub(super) fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = Crc32::new();
    for part in parts {
        crc.update(part);
    }
    crc.finish()
}

/// Why bytes could not be decoded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DecodeError {
    /// Offset of the offending byte from the start of the decoded buffer.
    pub(super) offset: usize,
    /// What was wrong.
    pub(super) what: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

/// Appends values to a buffer.
#[derive(Debug, Default)]
pub(super) struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// An empty encoder.
    pub(super) fn new() -> Self {
        Self::default()
    }

    /// The bytes written.
    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub(super) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(super) fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    pub(super) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(super) fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(super) fn i64(&mut self, v: i64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A length or count; lengths above `u32::MAX` cannot come from a
    /// Thrift message (whose strings are `i32`-sized) and are refused by the
    /// gateway before they reach the store.
    pub(super) fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    pub(super) fn bytes(&mut self, v: &[u8]) {
        self.len(v.len());
        self.buf.extend_from_slice(v);
    }

    pub(super) fn opt_i64(&mut self, v: Option<i64>) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.i64(v);
            }
        }
    }
}

/// Reads values from a buffer.
#[derive(Debug)]
pub(super) struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    /// A decoder at the start of `data`.
    pub(super) fn new(data: &'a [u8]) -> Self {
        Decoder { data, pos: 0 }
    }

    /// Bytes not read yet.
    pub(super) fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// An error at the current position.
    pub(super) fn error(&self, what: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.pos,
            what: what.into(),
        }
    }

    /// Fails unless every byte was read.
    pub(super) fn finish(&self) -> Result<(), DecodeError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(self.error(format!("{} trailing bytes", self.remaining())))
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(self.error(format!("{n} bytes needed, {} left", self.remaining())));
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(super) fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    pub(super) fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(DecodeError {
                offset: self.pos - 1,
                what: format!("bad boolean {other}"),
            }),
        }
    }

    pub(super) fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(super) fn i32(&mut self) -> Result<i32, DecodeError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    pub(super) fn i64(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// A count of items each at least `min_item` bytes long, checked against
    /// what is left (so a corrupt count cannot make us allocate much).
    pub(super) fn count(&mut self, min_item: usize) -> Result<usize, DecodeError> {
        let at = self.pos;
        let n = self.u32()? as usize;
        if n.saturating_mul(min_item.max(1)) > self.remaining() {
            return Err(DecodeError {
                offset: at,
                what: format!("count {n} larger than the bytes left"),
            });
        }
        Ok(n)
    }

    pub(super) fn bytes(&mut self) -> Result<Bytes, DecodeError> {
        let n = self.count(1)?;
        Ok(Bytes::copy_from_slice(self.take(n)?))
    }

    pub(super) fn string(&mut self) -> Result<String, DecodeError> {
        let at = self.pos;
        let raw = self.bytes()?;
        String::from_utf8(raw.to_vec()).map_err(|_| DecodeError {
            offset: at,
            what: "string is not UTF-8".into(),
        })
    }

    pub(super) fn opt_i64(&mut self) -> Result<Option<i64>, DecodeError> {
        match self.u8()? {
            0 => Ok(None),
            1 => Ok(Some(self.i64()?)),
            other => Err(DecodeError {
                offset: self.pos - 1,
                what: format!("bad option tag {other}"),
            }),
        }
    }
}

/// One logged change to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Record {
    /// A table was created (enabled, empty).
    CreateTable {
        /// Its name.
        name: Bytes,
        /// Its region id (from the server clock).
        region_id: i64,
        /// Its families.
        families: Vec<FamilySpec>,
    },
    /// A disabled table was deleted.
    DeleteTable {
        /// Its name.
        name: Bytes,
    },
    /// A table was enabled or disabled.
    SetEnabled {
        /// Its name.
        name: Bytes,
        /// The new state.
        enabled: bool,
    },
    /// Resolved edits were applied to a table, in order.
    Apply {
        /// The table.
        table: Bytes,
        /// The edits.
        edits: Vec<RowEdit>,
    },
}

/// A record with the server clock as it stood when the record was logged:
/// every server timestamp in the record is at most `clock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LoggedRecord {
    /// The clock's high-water mark.
    pub(super) clock: i64,
    /// The change.
    pub(super) record: Record,
}

const TAG_CREATE: u8 = 1;
const TAG_DELETE: u8 = 2;
const TAG_SET_ENABLED: u8 = 3;
const TAG_APPLY: u8 = 4;

const OP_PUT: u8 = 1;
const OP_DELETE_COLUMN: u8 = 2;
const OP_DELETE_FAMILY: u8 = 3;
const OP_DELETE_ROW: u8 = 4;

fn encode_family_spec(e: &mut Encoder, f: &FamilySpec) {
    e.bytes(&f.name);
    e.i32(f.max_versions);
    e.bytes(f.compression.as_bytes());
    e.bool(f.in_memory);
    e.bytes(f.bloom_filter_type.as_bytes());
    e.bool(f.block_cache_enabled);
    e.i32(f.time_to_live);
}

fn decode_family_spec(d: &mut Decoder<'_>) -> Result<FamilySpec, DecodeError> {
    Ok(FamilySpec {
        name: d.bytes()?,
        max_versions: d.i32()?,
        compression: d.string()?,
        in_memory: d.bool()?,
        bloom_filter_type: d.string()?,
        block_cache_enabled: d.bool()?,
        time_to_live: d.i32()?,
    })
}

/// Smallest encoded family spec: three empty strings, two i32, two bools.
const MIN_FAMILY_SPEC: usize = 3 * 4 + 2 * 4 + 2;

fn encode_edit(e: &mut Encoder, edit: &RowEdit) {
    e.bytes(&edit.row);
    e.len(edit.ops.len());
    for op in &edit.ops {
        match op {
            EditOp::Put {
                family,
                qualifier,
                timestamp,
                value,
            } => {
                e.u8(OP_PUT);
                e.bytes(family);
                e.bytes(qualifier);
                e.i64(*timestamp);
                e.bytes(value);
            }
            EditOp::DeleteColumn {
                family,
                qualifier,
                up_to,
            } => {
                e.u8(OP_DELETE_COLUMN);
                e.bytes(family);
                e.bytes(qualifier);
                e.i64(*up_to);
            }
            EditOp::DeleteFamily { family, up_to } => {
                e.u8(OP_DELETE_FAMILY);
                e.bytes(family);
                e.i64(*up_to);
            }
            EditOp::DeleteRow { up_to } => {
                e.u8(OP_DELETE_ROW);
                e.i64(*up_to);
            }
        }
    }
}

fn decode_edit(d: &mut Decoder<'_>) -> Result<RowEdit, DecodeError> {
    let row = d.bytes()?;
    let n = d.count(9)?;
    let mut ops = Vec::with_capacity(n);
    for _ in 0..n {
        let op = match d.u8()? {
            OP_PUT => EditOp::Put {
                family: d.bytes()?,
                qualifier: d.bytes()?,
                timestamp: d.i64()?,
                value: d.bytes()?,
            },
            OP_DELETE_COLUMN => EditOp::DeleteColumn {
                family: d.bytes()?,
                qualifier: d.bytes()?,
                up_to: d.i64()?,
            },
            OP_DELETE_FAMILY => EditOp::DeleteFamily {
                family: d.bytes()?,
                up_to: d.i64()?,
            },
            OP_DELETE_ROW => EditOp::DeleteRow { up_to: d.i64()? },
            other => return Err(d.error(format!("unknown edit operation {other}"))),
        };
        ops.push(op);
    }
    Ok(RowEdit { row, ops })
}

/// The payload of a log record.
pub(super) fn encode_record(rec: &LoggedRecord) -> Vec<u8> {
    let mut e = Encoder::new();
    e.i64(rec.clock);
    match &rec.record {
        Record::CreateTable {
            name,
            region_id,
            families,
        } => {
            e.u8(TAG_CREATE);
            e.bytes(name);
            e.i64(*region_id);
            e.len(families.len());
            for f in families {
                encode_family_spec(&mut e, f);
            }
        }
        Record::DeleteTable { name } => {
            e.u8(TAG_DELETE);
            e.bytes(name);
        }
        Record::SetEnabled { name, enabled } => {
            e.u8(TAG_SET_ENABLED);
            e.bytes(name);
            e.bool(*enabled);
        }
        Record::Apply { table, edits } => {
            e.u8(TAG_APPLY);
            e.bytes(table);
            e.len(edits.len());
            for edit in edits {
                encode_edit(&mut e, edit);
            }
        }
    }
    e.into_bytes()
}

/// Decodes a log record's payload.
pub(super) fn decode_record(payload: &[u8]) -> Result<LoggedRecord, DecodeError> {
    let mut d = Decoder::new(payload);
    let clock = d.i64()?;
    let record = match d.u8()? {
        TAG_CREATE => {
            let name = d.bytes()?;
            let region_id = d.i64()?;
            let n = d.count(MIN_FAMILY_SPEC)?;
            let mut families = Vec::with_capacity(n);
            for _ in 0..n {
                families.push(decode_family_spec(&mut d)?);
            }
            Record::CreateTable {
                name,
                region_id,
                families,
            }
        }
        TAG_DELETE => Record::DeleteTable { name: d.bytes()? },
        TAG_SET_ENABLED => Record::SetEnabled {
            name: d.bytes()?,
            enabled: d.bool()?,
        },
        TAG_APPLY => {
            let table = d.bytes()?;
            let n = d.count(8)?;
            let mut edits = Vec::with_capacity(n);
            for _ in 0..n {
                edits.push(decode_edit(&mut d)?);
            }
            Record::Apply { table, edits }
        }
        other => return Err(d.error(format!("unknown record type {other}"))),
    };
    d.finish()?;
    Ok(LoggedRecord { clock, record })
}

/// The body of a snapshot: every table with every row, column, version and
/// delete marker.
pub(super) fn encode_tables(tables: &[Table]) -> Vec<u8> {
    let mut e = Encoder::new();
    e.len(tables.len());
    for t in tables {
        e.bytes(&t.name);
        e.bool(t.enabled);
        e.i64(t.region_id);
        e.len(t.families.len());
        for f in t.families.values() {
            encode_family_spec(&mut e, f);
        }
        e.len(t.rows.len());
        for (key, row) in &t.rows {
            e.bytes(key);
            e.len(row.families.len());
            for (family, cells) in &row.families {
                e.bytes(family);
                e.opt_i64(cells.deleted_up_to);
                e.len(cells.columns.len());
                for (qualifier, col) in &cells.columns {
                    e.bytes(qualifier);
                    e.opt_i64(col.deleted_up_to);
                    e.len(col.versions.len());
                    for (ts, value) in &col.versions {
                        e.i64(*ts);
                        e.bytes(value);
                    }
                }
            }
        }
    }
    e.into_bytes()
}

/// Decodes a snapshot body.
pub(super) fn decode_tables(body: &[u8]) -> Result<Vec<Table>, DecodeError> {
    let mut d = Decoder::new(body);
    let n = d.count(4 + 1 + 8 + 4 + 4)?;
    let mut tables = Vec::with_capacity(n);
    for _ in 0..n {
        let name = d.bytes()?;
        let enabled = d.bool()?;
        let region_id = d.i64()?;
        let nf = d.count(MIN_FAMILY_SPEC)?;
        let mut families = BTreeMap::new();
        for _ in 0..nf {
            let spec = decode_family_spec(&mut d)?;
            families.insert(spec.name.clone(), spec);
        }
        let nr = d.count(8)?;
        let mut rows = BTreeMap::new();
        for _ in 0..nr {
            let key = d.bytes()?;
            let nfam = d.count(9)?;
            let mut row = Row::default();
            for _ in 0..nfam {
                let family = d.bytes()?;
                let deleted_up_to = d.opt_i64()?;
                let nc = d.count(9)?;
                let mut columns = BTreeMap::new();
                for _ in 0..nc {
                    let qualifier = d.bytes()?;
                    let col_deleted = d.opt_i64()?;
                    let nv = d.count(12)?;
                    let mut versions = Vec::with_capacity(nv);
                    for _ in 0..nv {
                        let ts = d.i64()?;
                        versions.push((ts, d.bytes()?));
                    }
                    columns.insert(
                        qualifier,
                        Column {
                            deleted_up_to: col_deleted,
                            versions,
                        },
                    );
                }
                row.families.insert(
                    family,
                    FamilyCells {
                        deleted_up_to,
                        columns,
                    },
                );
            }
            rows.insert(key, row);
        }
        tables.push(Table {
            name,
            enabled,
            region_id,
            families,
            rows,
        });
    }
    d.finish()?;
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[b"1234", b"56789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[]), 0);
    }

    #[test]
    fn records_round_trip() {
        let b = |s: &str| Bytes::copy_from_slice(s.as_bytes());
        let records = vec![
            Record::CreateTable {
                name: b("t"),
                region_id: 42,
                families: vec![FamilySpec {
                    name: b("f"),
                    max_versions: 3,
                    compression: "GZ".into(),
                    in_memory: true,
                    bloom_filter_type: "ROW".into(),
                    block_cache_enabled: false,
                    time_to_live: 7,
                }],
            },
            Record::SetEnabled {
                name: b("t"),
                enabled: false,
            },
            Record::DeleteTable { name: b("t") },
            Record::Apply {
                table: b("t"),
                edits: vec![RowEdit {
                    row: b("r"),
                    ops: vec![
                        EditOp::Put {
                            family: b("f"),
                            qualifier: b(""),
                            timestamp: -5,
                            value: Bytes::from_static(&[0, 255]),
                        },
                        EditOp::DeleteColumn {
                            family: b("f"),
                            qualifier: b("q"),
                            up_to: i64::MAX,
                        },
                        EditOp::DeleteFamily {
                            family: b("f"),
                            up_to: 3,
                        },
                        EditOp::DeleteRow { up_to: i64::MIN },
                    ],
                }],
            },
        ];
        for record in records {
            let logged = LoggedRecord { clock: 99, record };
            let bytes = encode_record(&logged);
            assert_eq!(decode_record(&bytes), Ok(logged.clone()));
            // every strict prefix fails cleanly
            for cut in 0..bytes.len() {
                assert!(decode_record(&bytes[..cut]).is_err(), "prefix {cut}");
            }
        }
    }

    #[test]
    fn corrupt_counts_are_errors_not_allocations() {
        let mut e = Encoder::new();
        e.i64(0);
        e.u8(TAG_APPLY);
        e.bytes(b"t");
        e.u32(u32::MAX);
        let err = decode_record(&e.into_bytes()).expect_err("corrupt");
        assert_eq!(err.offset, 8 + 1 + 5);
    }
}
