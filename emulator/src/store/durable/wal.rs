//! The write-ahead log: files, frames, and the scan that tells a torn tail
//! from corruption.
//!
//! A log file `wal-<generation>.log` starts with a 16-byte header (the magic
//! `HBEWAL\0\x01` and the generation as a little-endian `u64`), then holds
//! frames back to back:
//!
//! ```text
//! len: u32 LE | crc: u32 LE | payload: len bytes
//! ```
//!
//! `crc` is the CRC-32 of the four `len` bytes followed by the payload, so a
//! damaged length is caught too. `len` is at least 1 and at most
//! [`MAX_FRAME`].

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::codec::crc32;

/// Magic bytes opening a log file.
const MAGIC: &[u8; 8] = b"HBEWAL\0\x01";
/// Bytes before the first frame.
pub(super) const HEADER_LEN: u64 = 16;
/// Bytes of a frame before its payload.
const FRAME_HEADER: usize = 8;
/// Largest payload accepted (1 GiB): larger lengths are damage.
pub(super) const MAX_FRAME: usize = 1 << 30;

/// The name of the log file of `generation`.
pub(super) fn file_name(generation: u64) -> String {
    format!("wal-{generation:020}.log")
}

/// The generation a log file name stands for, if it is one.
pub(super) fn parse_name(name: &str) -> Option<u64> {
    name.strip_prefix("wal-")?
        .strip_suffix(".log")?
        .parse()
        .ok()
}

/// One frame around `payload`.
pub(super) fn frame(payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    let len_bytes = len.to_le_bytes();
    let crc = crc32(&[&len_bytes, payload]);
    let mut out = Vec::with_capacity(FRAME_HEADER + payload.len());
    out.extend_from_slice(&len_bytes);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Creates an empty log of `generation` in `dir`, durably: written to a
/// temporary name, synced, renamed, and the directory synced.
pub(super) fn create(dir: &Path, generation: u64) -> io::Result<(File, PathBuf)> {
    let path = dir.join(file_name(generation));
    let tmp = dir.join(format!("{}.tmp", file_name(generation)));
    {
        let mut file = File::create(&tmp)?;
        file.write_all(MAGIC)?;
        file.write_all(&generation.to_le_bytes())?;
        file.sync_all()?;
    }
    fs::rename(&tmp, &path)?;
    sync_dir(dir)?;
    let file = OpenOptions::new().append(true).open(&path)?;
    Ok((file, path))
}

/// Syncs a directory, so that renames and deletions in it are durable.
pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// What a scan of a log file found.
#[derive(Debug)]
pub(super) struct Scan {
    /// Each intact frame: its offset in the file and its payload.
    pub(super) frames: Vec<(u64, Vec<u8>)>,
    /// Where the intact frames end.
    pub(super) valid_len: u64,
    /// A torn tail after them: its offset and what was wrong.
    pub(super) torn: Option<(u64, String)>,
}

/// Why a log file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Corrupt {
    /// Offset of the damage in the file.
    pub(super) offset: u64,
    /// What is wrong.
    pub(super) what: String,
}

/// How a frame at some offset looks.
enum FrameCheck {
    /// Intact, `len` payload bytes.
    Ok(usize),
    /// Cut short by the end of the data: what a crash during an append
    /// leaves.
    Short(String),
    /// Complete but wrong.
    Bad(String),
}

fn check_frame(data: &[u8], at: usize) -> FrameCheck {
    let rest = &data[at..];
    if rest.len() < FRAME_HEADER {
        return FrameCheck::Short(format!("{} bytes of a frame header", rest.len()));
    }
    let len_bytes = [rest[0], rest[1], rest[2], rest[3]];
    let len = u32::from_le_bytes(len_bytes) as usize;
    let crc = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
    if len == 0 || len > MAX_FRAME {
        return FrameCheck::Bad(format!("impossible frame length {len}"));
    }
    if rest.len() - FRAME_HEADER < len {
        return FrameCheck::Short(format!(
            "frame of {len} bytes with {} present",
            rest.len() - FRAME_HEADER
        ));
    }
    let payload = &rest[FRAME_HEADER..FRAME_HEADER + len];
    if crc32(&[&len_bytes, payload]) != crc {
        return FrameCheck::Bad("checksum mismatch".into());
    }
    FrameCheck::Ok(len)
}

/// Splits the contents of a log file of `generation` into frames.
///
/// At the first frame that is not intact, the rest of the file decides:
/// - an intact frame anywhere after it (looked for at every offset, since a
///   damaged length says nothing about where the next frame starts) means
///   acknowledged data follows: an error;
/// - the rest is one complete frame whose length field alone is wrong (its
///   checksum matches with the true length): damage, an error;
/// - the rest is what an append cut short leaves (part of a frame header,
///   or a frame shorter than its length says) or zeros (what a power loss
///   leaves past the synced end): a torn tail, reported in [`Scan::torn`]
///   for the caller to cut off;
/// - anything else (a complete frame with a wrong checksum, an impossible
///   length that is not zeros) is not what a crash leaves: an error, since
///   cutting it could drop an acknowledged change.
pub(super) fn scan(data: &[u8], generation: u64) -> Result<Scan, Corrupt> {
    let header_len = HEADER_LEN as usize;
    if data.len() < header_len {
        return Err(Corrupt {
            offset: 0,
            what: format!("{} bytes, shorter than the log header", data.len()),
        });
    }
    if &data[..8] != MAGIC {
        return Err(Corrupt {
            offset: 0,
            what: "not a write-ahead log of hbase-emulator (bad magic)".into(),
        });
    }
    let mut gen_bytes = [0u8; 8];
    gen_bytes.copy_from_slice(&data[8..16]);
    let found = u64::from_le_bytes(gen_bytes);
    if found != generation {
        return Err(Corrupt {
            offset: 8,
            what: format!("header says generation {found}, file name says {generation}"),
        });
    }
    let mut frames = Vec::new();
    let mut at = header_len;
    while at < data.len() {
        let (what, short) = match check_frame(data, at) {
            FrameCheck::Ok(len) => {
                let payload = data[at + FRAME_HEADER..at + FRAME_HEADER + len].to_vec();
                frames.push((at as u64, payload));
                at += FRAME_HEADER + len;
                continue;
            }
            FrameCheck::Short(what) => (what, true),
            FrameCheck::Bad(what) => (what, false),
        };
        let damaged = |why: String| Corrupt {
            offset: at as u64,
            what: format!(
                "damaged frame ({what}): {why}; {} intact records come before it (to start \
                 with only those, keep a copy of the file and truncate it to {at} bytes)",
                frames.len()
            ),
        };
        if let Some(next) =
            (at + 1..data.len()).find(|&o| matches!(check_frame(data, o), FrameCheck::Ok(_)))
        {
            return Err(damaged(format!(
                "an intact frame follows at offset {next}, so this is not a torn tail"
            )));
        }
        if let Some(len) = complete_with_wrong_length(data, at) {
            return Err(damaged(format!(
                "the rest of the file is one complete record of {len} bytes whose length \
                 field is wrong, not a torn tail"
            )));
        }
        let zeros = data[at..].iter().all(|&b| b == 0);
        if !short && !zeros {
            return Err(damaged(
                "it is the last frame, but a crash leaves a frame cut short or zeros, not this"
                    .to_owned(),
            ));
        }
        return Ok(Scan {
            frames,
            valid_len: at as u64,
            torn: Some((at as u64, what)),
        });
    }
    Ok(Scan {
        frames,
        valid_len: at as u64,
        torn: None,
    })
}

/// The payload length, when the bytes from `at` to the end are one frame
/// whose checksum matches once its length field is set to what is there.
fn complete_with_wrong_length(data: &[u8], at: usize) -> Option<usize> {
    let rest = &data[at..];
    let len = rest.len().checked_sub(FRAME_HEADER).filter(|&n| n > 0)?;
    let len_bytes = u32::try_from(len).ok()?.to_le_bytes();
    let crc = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
    (crc32(&[&len_bytes, &rest[FRAME_HEADER..]]) == crc).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(frames: &[&[u8]]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&7u64.to_le_bytes());
        for f in frames {
            out.extend_from_slice(&frame(f));
        }
        out
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(parse_name(&file_name(12)), Some(12));
        assert_eq!(parse_name("wal-x.log"), None);
        assert_eq!(parse_name("snapshot-1.snap"), None);
    }

    #[test]
    fn intact_frames_are_read() {
        let data = log(&[b"one", b"two"]);
        let scan = scan(&data, 7).expect("scan");
        assert_eq!(scan.frames.len(), 2);
        assert_eq!(scan.frames[1].1, b"two");
        assert_eq!(scan.valid_len, data.len() as u64);
        assert!(scan.torn.is_none());
    }

    #[test]
    fn every_cut_of_the_last_frame_is_a_torn_tail() {
        let data = log(&[b"one", b"the last frame"]);
        let last = HEADER_LEN as usize + FRAME_HEADER + 3;
        for cut in last + 1..data.len() {
            let scan = scan(&data[..cut], 7).expect("torn tail is not an error");
            assert_eq!(scan.frames.len(), 1, "cut at {cut}");
            assert_eq!(scan.valid_len, last as u64);
            assert_eq!(scan.torn.as_ref().map(|t| t.0), Some(last as u64));
        }
    }

    #[test]
    fn zeroed_tail_is_torn() {
        let mut data = log(&[b"one"]);
        let end = data.len();
        data.extend_from_slice(&[0u8; 100]);
        let scan = scan(&data, 7).expect("scan");
        assert_eq!(scan.valid_len, end as u64);
        assert!(scan.torn.is_some());
    }

    #[test]
    fn damage_before_an_intact_frame_is_an_error() {
        let mut data = log(&[b"one", b"two", b"three"]);
        let second = HEADER_LEN as usize + FRAME_HEADER + 3;
        data[second + FRAME_HEADER] ^= 0x40;
        let err = scan(&data, 7).expect_err("corrupt");
        assert_eq!(err.offset, second as u64);
        assert!(err.what.contains("checksum"), "{}", err.what);
    }

    #[test]
    fn a_flipped_bit_anywhere_in_any_frame_is_an_error_naming_the_frame() {
        let payloads: [&[u8]; 4] = [b"one", b"the second frame", b"3", b"the last frame"];
        let data = log(&payloads);
        let starts: Vec<usize> = scan(&data, 7)
            .expect("scan")
            .frames
            .iter()
            .map(|f| f.0 as usize)
            .collect();
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(data.len());
            for at in start..end {
                for flip in [0x01u8, 0x80] {
                    let mut bad = data.clone();
                    bad[at] ^= flip;
                    let what = format!("frame {i}, byte {at}, flip {flip:#x}");
                    match scan(&bad, 7) {
                        Err(e) => {
                            assert_eq!(e.offset, start as u64, "{what}: {e:?}");
                            assert!(e.what.contains("intact records"), "{what}: {e:?}");
                        }
                        Ok(s) => panic!("{what}: accepted with torn {:?}", s.torn),
                    }
                }
            }
        }
    }

    #[test]
    fn a_last_frame_with_only_its_length_damaged_is_an_error() {
        let data = log(&[b"one", b"the last frame"]);
        let last = HEADER_LEN as usize + FRAME_HEADER + 3;
        for (byte, flip) in [(0, 0x10u8), (0, 0x01), (3, 0x01), (1, 0x02)] {
            let mut bad = data.clone();
            bad[last + byte] ^= flip;
            let err = scan(&bad, 7).expect_err("damaged length");
            assert_eq!(err.offset, last as u64);
            assert!(err.what.contains("length field is wrong"), "{}", err.what);
        }
    }

    #[test]
    fn a_complete_last_frame_with_a_wrong_checksum_is_an_error() {
        let mut data = log(&[b"one", b"the last frame"]);
        let last = HEADER_LEN as usize + FRAME_HEADER + 3;
        let end = data.len();
        data[end - 1] ^= 0x01;
        let err = scan(&data, 7).expect_err("not what a crash leaves");
        assert_eq!(err.offset, last as u64);
        assert!(err.what.contains("truncate it to"), "{}", err.what);
    }

    #[test]
    fn bad_header_is_an_error() {
        let data = log(&[b"one"]);
        assert_eq!(scan(&data, 8).expect_err("generation").offset, 8);
        let mut bad = data.clone();
        bad[0] = b'X';
        assert_eq!(scan(&bad, 7).expect_err("magic").offset, 0);
        assert!(scan(&data[..10], 7).is_err());
    }
}
