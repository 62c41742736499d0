//! Snapshot files: the whole store at one point of the log.
//!
//! `snapshot-<generation>.snap` holds everything the logs before generation
//! `generation` did; replaying `wal-<generation>.log` (and any later log) on
//! top of it gives the current state. Layout:
//!
//! ```text
//! magic "HBESNAP\x01" | generation: u64 LE | clock: i64 LE
//! | body length: u64 LE | crc: u32 LE (CRC-32 of the body) | body
//! ```
//!
//! A snapshot is written under a temporary name, synced, renamed into place
//! and the directory synced, so a snapshot file under its final name is
//! always whole: any damage in one is an error, never a torn tail.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::super::memory::Table;
use super::codec::{crc32, decode_tables, encode_tables};
use super::wal::sync_dir;

const MAGIC: &[u8; 8] = b"HBESNAP\x01";
const HEADER_LEN: usize = 8 + 8 + 8 + 8 + 4;

/// The name of the snapshot of `generation`.
pub(super) fn file_name(generation: u64) -> String {
    format!("snapshot-{generation:020}.snap")
}

/// The generation a snapshot file name stands for, if it is one.
pub(super) fn parse_name(name: &str) -> Option<u64> {
    name.strip_prefix("snapshot-")?
        .strip_suffix(".snap")?
        .parse()
        .ok()
}

/// A decoded snapshot.
#[derive(Debug)]
pub(super) struct Snapshot {
    /// The server clock's high-water mark when it was taken.
    pub(super) clock: i64,
    /// Every table.
    pub(super) tables: Vec<Table>,
}

/// Writes the snapshot of `generation` durably; returns its size in bytes.
pub(super) fn write(dir: &Path, generation: u64, clock: i64, tables: &[Table]) -> io::Result<u64> {
    let body = encode_tables(tables);
    let path = dir.join(file_name(generation));
    let tmp = dir.join(format!("{}.tmp", file_name(generation)));
    let result = (|| {
        let file = File::create(&tmp)?;
        let mut out = BufWriter::new(file);
        out.write_all(MAGIC)?;
        out.write_all(&generation.to_le_bytes())?;
        out.write_all(&clock.to_le_bytes())?;
        out.write_all(&(body.len() as u64).to_le_bytes())?;
        out.write_all(&crc32(&[&body]).to_le_bytes())?;
        out.write_all(&body)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| (HEADER_LEN + body.len()) as u64)
}

/// Decodes a snapshot file's contents; errors name the offset.
pub(super) fn decode(data: &[u8], generation: u64) -> Result<Snapshot, (u64, String)> {
    if data.len() < HEADER_LEN {
        return Err((0, format!("{} bytes, shorter than the header", data.len())));
    }
    if &data[..8] != MAGIC {
        return Err((0, "not a snapshot of hbase-emulator (bad magic)".into()));
    }
    let word = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&data[at..at + 8]);
        b
    };
    let found = u64::from_le_bytes(word(8));
    if found != generation {
        return Err((
            8,
            format!("header says generation {found}, file name says {generation}"),
        ));
    }
    let clock = i64::from_le_bytes(word(16));
    let body_len = u64::from_le_bytes(word(24));
    let crc = u32::from_le_bytes([data[32], data[33], data[34], data[35]]);
    let body = &data[HEADER_LEN..];
    if body.len() as u64 != body_len {
        return Err((
            24,
            format!("body of {body_len} bytes announced, {} present", body.len()),
        ));
    }
    if crc32(&[body]) != crc {
        return Err((HEADER_LEN as u64, "checksum mismatch".into()));
    }
    let tables = decode_tables(body).map_err(|e| ((HEADER_LEN + e.offset) as u64, e.what))?;
    Ok(Snapshot { clock, tables })
}
