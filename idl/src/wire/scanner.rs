//! [`MessageScanner`]: where a message ends in a growing buffer, found with
//! the one [`Reader`] of Thrift primitives.

use super::reader::{Mark, ReadError, Reader, ValueType, MAX_DEPTH};
use super::{Protocol, WireError};

/// A struct, list, set or map the walk is inside of, not walked whole yet.
#[derive(Debug, Clone, Copy)]
enum Open {
    /// The fields of a struct, up to its stop byte; `last_id` is the last
    /// field id walked (the compact protocol's ids are deltas).
    Fields { last_id: i16 },
    /// The elements of a list or set left.
    Elements { ty: ValueType, left: usize },
    /// The entries of a map left; `value_next` when the key of the current
    /// entry was walked.
    Entries {
        key: ValueType,
        value: ValueType,
        left: usize,
        value_next: bool,
    },
}

/// Finds where one message ends in a growing buffer, walking it once.
///
/// Feed it the buffer of one connection, starting at the first byte of the
/// message, every time more bytes arrive: [`MessageScanner::scan`] resumes
/// where the last call stopped and returns the message length once the whole
/// message is there. Then call [`MessageScanner::reset`] before the next
/// message.
///
/// A value that is whole in the buffer is walked in one go; only the values
/// cut by the end of the buffer are entered, and their walk resumes inside
/// them, so a message arriving in many reads is walked about once however
/// it is cut. It bounds what a peer can make us hold: a declared length past
/// the configured maximum, a negative length, an unknown type or a structure
/// nested too deep is an error before any of it is buffered.
///
/// ```
/// use hbase_orm_idl::wire::{encode_call, MessageScanner, Protocol, Transport};
/// use hbase_orm_idl::hbase::HbaseGetTableNamesArgs;
///
/// let mut bytes = Vec::new();
/// encode_call(Protocol::Binary, Transport::Buffered, "getTableNames", 1, &mut bytes,
///     |o| HbaseGetTableNamesArgs {}.write_to_out_protocol(o)).unwrap();
/// let mut scanner = MessageScanner::new(Protocol::Binary, 1 << 20);
/// assert_eq!(scanner.scan(&bytes[..5]).unwrap(), None);
/// assert_eq!(scanner.scan(&bytes).unwrap(), Some(bytes.len()));
/// ```
#[derive(Debug, Clone)]
pub struct MessageScanner {
    protocol: Protocol,
    max_message_bytes: usize,
    /// The end of what was walked: the start of the next piece.
    pos: usize,
    /// The header was walked.
    begun: bool,
    /// What the walk is inside of, outermost first.
    open: Vec<Open>,
}

impl MessageScanner {
    /// A scanner for `protocol` that rejects messages longer than
    /// `max_message_bytes`.
    pub fn new(protocol: Protocol, max_message_bytes: usize) -> Self {
        MessageScanner {
            protocol,
            max_message_bytes,
            pos: 0,
            begun: false,
            open: Vec::new(),
        }
    }

    /// Forgets the message walked so far, ready for the next one.
    pub fn reset(&mut self) {
        self.pos = 0;
        self.begun = false;
        self.open.clear();
    }

    /// How many bytes of the current message have been walked.
    pub fn walked(&self) -> usize {
        self.pos
    }

    /// Continues the walk over `buf`, which holds the message from its first
    /// byte (and possibly bytes of following messages).
    ///
    /// Returns `Ok(Some(len))` when the message is complete and `len` bytes
    /// long, `Ok(None)` when more bytes are needed.
    ///
    /// # Errors
    /// When the bytes cannot be a message of this protocol, or declare a size
    /// past the limit. The error names what the bytes look like where it can.
    pub fn scan(&mut self, buf: &[u8]) -> Result<Option<usize>, WireError> {
        let max = self.max_message_bytes;
        let too_long = || {
            WireError::new(
                format!("message is larger than the limit of {max} bytes"),
                buf,
            )
        };
        match self.walk(buf) {
            Ok(()) if self.pos > self.max_message_bytes => Err(too_long()),
            Ok(()) => Ok(Some(self.pos)),
            Err(ReadError::Short) if buf.len() > self.max_message_bytes => Err(too_long()),
            Err(ReadError::Short) => Ok(None),
            Err(ReadError::Invalid(message)) => Err(WireError::new(message, buf)),
        }
    }

    /// Walks from `self.pos` as far as `buf` goes, committing `pos` and the
    /// open containers after every piece walked whole.
    fn walk(&mut self, buf: &[u8]) -> Result<(), ReadError> {
        let mut r = Reader::new(self.protocol, buf).with_limit(self.max_message_bytes);
        if !self.begun {
            r.message_begin()?;
            self.pos = r.pos();
            self.begun = true;
            self.open.push(Open::Fields { last_id: 0 });
        }
        while let Some(&top) = self.open.last() {
            let depth = self.open.len();
            match top {
                Open::Fields { last_id } => {
                    r.seek(self.at(last_id));
                    let Some((ty, id)) = r.field_begin()? else {
                        self.open.pop();
                        self.pos = r.pos();
                        continue;
                    };
                    let entered = self.value(&mut r, ty, depth)?;
                    self.pos = r.pos();
                    let parent = self.open.len() - 1 - usize::from(entered);
                    self.open[parent] = Open::Fields { last_id: id };
                }
                Open::Elements { ty, left } => {
                    if left == 0 {
                        self.open.pop();
                        continue;
                    }
                    r.seek(self.at(0));
                    let entered = self.value(&mut r, ty, depth)?;
                    self.pos = r.pos();
                    let parent = self.open.len() - 1 - usize::from(entered);
                    self.open[parent] = Open::Elements { ty, left: left - 1 };
                }
                Open::Entries {
                    key,
                    value,
                    left,
                    value_next,
                } => {
                    if left == 0 {
                        self.open.pop();
                        continue;
                    }
                    r.seek(self.at(0));
                    let ty = if value_next { value } else { key };
                    let entered = self.value(&mut r, ty, depth)?;
                    self.pos = r.pos();
                    let parent = self.open.len() - 1 - usize::from(entered);
                    self.open[parent] = Open::Entries {
                        key,
                        value,
                        left: if value_next { left - 1 } else { left },
                        value_next: !value_next,
                    };
                }
            }
        }
        Ok(())
    }

    /// A mark at the committed position with `last_id`.
    fn at(&self, last_id: i16) -> Mark {
        Mark::new(self.pos, last_id)
    }

    /// Walks one value of type `ty` at depth `depth`, or enters it.
    ///
    /// A list, set or map is entered (its header walked, the container left
    /// open: `Ok(true)`, the caller's piece is done and the walk goes on
    /// inside), so that a large one cut by the end of the buffer is not
    /// walked again from its start when more bytes come. A struct is walked
    /// whole when it is all in the buffer (`Ok(false)`) and entered when it
    /// is cut; any other value is walked whole or not at all.
    fn value(
        &mut self,
        r: &mut Reader<'_>,
        ty: ValueType,
        depth: usize,
    ) -> Result<bool, ReadError> {
        let open = match ty {
            ValueType::List | ValueType::Set => {
                let (ty, left) = r.list_begin()?;
                Open::Elements { ty, left }
            }
            ValueType::Map => {
                let (key, value, left) = r.map_begin()?;
                Open::Entries {
                    key,
                    value,
                    left,
                    value_next: false,
                }
            }
            ValueType::Struct => {
                let start = r.mark();
                match r.skip_nested(ty, depth) {
                    Ok(()) => return Ok(false),
                    Err(ReadError::Short) => {}
                    Err(e) => return Err(e),
                }
                r.seek(start);
                Open::Fields { last_id: 0 }
            }
            _ => {
                r.skip_nested(ty, depth)?;
                return Ok(false);
            }
        };
        if depth >= MAX_DEPTH {
            return Err(ReadError::Invalid(
                format!("message nests deeper than {MAX_DEPTH} levels").into(),
            ));
        }
        self.open.push(open);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hbase::{BatchMutation, HbaseMutateRowsArgs, Mutation};
    use crate::wire::{encode_call, Transport};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn call(protocol: Protocol, rows: &[Vec<Vec<u8>>]) -> Vec<u8> {
        let args = HbaseMutateRowsArgs {
            table_name: b"t".to_vec(),
            row_batches: rows
                .iter()
                .enumerate()
                .map(|(i, values)| BatchMutation {
                    row: Some(format!("row{i}").into_bytes()),
                    mutations: Some(
                        values
                            .iter()
                            .map(|v| Mutation {
                                is_delete: Some(v.is_empty()),
                                column: Some(b"cf:a".to_vec()),
                                value: Some(v.clone()),
                                write_to_w_a_l: Some(true),
                            })
                            .collect(),
                    ),
                })
                .collect(),
            attributes: BTreeMap::from([(b"k".to_vec(), b"v".to_vec())]),
        };
        let mut out = Vec::new();
        encode_call(
            protocol,
            Transport::Buffered,
            "mutateRows",
            3,
            &mut out,
            |o| args.write_to_out_protocol(o),
        )
        .unwrap();
        out
    }

    proptest! {
        #[test]
        fn finds_the_end_however_the_bytes_arrive(
            rows in proptest::collection::vec(
                proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..8), 0..6),
                0..6,
            ),
            cuts in proptest::collection::vec(any::<usize>(), 0..12),
        ) {
            for protocol in [Protocol::Binary, Protocol::Compact] {
                let mut stream = call(protocol, &rows);
                let len = stream.len();
                stream.extend(call(protocol, &[]));
                let mut cuts: Vec<usize> = cuts.iter().map(|c| c % stream.len()).collect();
                cuts.push(stream.len());
                cuts.sort_unstable();
                let mut scanner = MessageScanner::new(protocol, 1 << 20);
                let mut found = None;
                for &cut in &cuts {
                    if let Some(n) = scanner.scan(&stream[..cut]).unwrap() {
                        found = Some(n);
                        break;
                    }
                    prop_assert!(scanner.walked() <= cut);
                }
                prop_assert_eq!(found, Some(len));
            }
        }
    }

    #[test]
    fn a_large_list_cut_in_small_reads_is_walked_to_its_end() {
        let rows: Vec<Vec<Vec<u8>>> = (0..300u32)
            .map(|i| vec![i.to_be_bytes().to_vec(); 3])
            .collect();
        for protocol in [Protocol::Binary, Protocol::Compact] {
            let msg = call(protocol, &rows);
            let mut scanner = MessageScanner::new(protocol, 1 << 20);
            let mut seen = 0;
            let found = loop {
                seen = (seen + 7).min(msg.len());
                if let Some(n) = scanner.scan(&msg[..seen]).unwrap() {
                    break n;
                }
                // Open at most: the args struct, the list of batches, one
                // batch, its list of mutations and one mutation.
                assert!(scanner.open.len() <= 5, "{protocol}: {:?}", scanner.open);
            };
            assert_eq!(found, msg.len());
        }
    }

    #[test]
    fn a_message_longer_than_the_limit_is_refused() {
        let msg = call(Protocol::Binary, &[vec![vec![0; 100]]]);
        let err = MessageScanner::new(Protocol::Binary, 64)
            .scan(&msg)
            .unwrap_err();
        assert!(err.message.contains("larger than the limit"), "{err}");
        let err = MessageScanner::new(Protocol::Binary, 64)
            .scan(&msg[..80])
            .unwrap_err();
        assert!(err.message.contains("larger than the limit"), "{err}");
    }
}
