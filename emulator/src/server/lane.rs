//! Where a call runs: inline on the connection's async task, or on the
//! runtime's blocking pool.
//!
//! A call that may take long (a large message, a scanner page, a filter to
//! compile, a change that waits for the disk) must not hold an async worker
//! thread: every other connection on that worker would wait for it. Small
//! in-memory calls stay inline, where a hop to another thread would cost
//! more than the call.

use hbase_orm_idl::wire::Protocol;

/// Messages longer than this run on the blocking pool whatever the method.
pub(crate) const INLINE_MAX_BYTES: usize = 64 << 10;

/// Where a call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lane {
    /// On the connection's task.
    Inline,
    /// On the runtime's blocking pool (`spawn_blocking`); the connection
    /// waits for it without holding a worker.
    Blocking,
}

/// The method name of a whole message, if its header can be read.
pub(crate) fn method_name(protocol: Protocol, message: &[u8]) -> Option<&[u8]> {
    match protocol {
        Protocol::Binary => {
            let (len, rest) = match message {
                // Strict: version, type, then the name's length.
                [0x80, 0x01, _, _, a, b, c, d, rest @ ..] => {
                    (u32::from_be_bytes([*a, *b, *c, *d]), rest)
                }
                // Old style: the name's length first.
                [a, b, c, d, rest @ ..] if *a < 0x80 => {
                    (u32::from_be_bytes([*a, *b, *c, *d]), rest)
                }
                _ => return None,
            };
            rest.get(..usize::try_from(len).ok()?)
        }
        Protocol::Compact => {
            let [0x82, _, rest @ ..] = message else {
                return None;
            };
            let (_, rest) = varint(rest)?;
            let (len, rest) = varint(rest)?;
            rest.get(..usize::try_from(len).ok()?)
        }
    }
}

/// A compact-protocol unsigned varint and what follows it.
fn varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_are_read_from_both_protocols() {
        let strict = [&[0x80, 0x01, 0, 1, 0, 0, 0, 3][..], b"get", &[0, 0, 0, 9]].concat();
        assert_eq!(method_name(Protocol::Binary, &strict), Some(&b"get"[..]));
        let old = [&[0, 0, 0, 3][..], b"put", &[1, 0, 0, 0, 9]].concat();
        assert_eq!(method_name(Protocol::Binary, &old), Some(&b"put"[..]));
        let compact = [&[0x82, 0x21, 0x96, 0x01, 6][..], b"getRow", &[0]].concat();
        assert_eq!(
            method_name(Protocol::Compact, &compact),
            Some(&b"getRow"[..])
        );
        assert_eq!(
            method_name(Protocol::Binary, &[0x80, 0x01, 0, 1, 0, 0, 0, 9]),
            None
        );
        assert_eq!(method_name(Protocol::Compact, &[0x82, 0x21, 0xff]), None);
        assert_eq!(method_name(Protocol::Compact, b"garbage"), None);
    }
}
