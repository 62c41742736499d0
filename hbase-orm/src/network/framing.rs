//! Splitting a socket's byte stream into whole messages: the frame header
//! of the framed transport, a walk of the message on the buffered one.

use bytes::{Buf, BytesMut};
use hbase_orm_idl::wire::{self, Protocol, Transport, WireError};

use super::config::Config;
use crate::protocol::places::{Frame, RowsScanner};

/// Splits the buffered transport's byte stream into messages with one
/// [`RowsScanner`] (the walk resumes where it stopped as bytes arrive; the
/// places of the rows of a row reply are recorded on the way).
pub(crate) struct Splitter {
    scanner: RowsScanner,
}

impl Splitter {
    pub(crate) fn new(protocol: Protocol, max_message_bytes: usize) -> Splitter {
        Splitter {
            scanner: RowsScanner::new(protocol, max_message_bytes),
        }
    }
}

/// The next whole reply in `buf`, if there is one.
pub(crate) fn next_frame(
    config: &Config,
    buf: &mut BytesMut,
    splitter: &mut Splitter,
) -> std::result::Result<Option<Frame>, WireError> {
    match config.transport {
        Transport::Buffered => match splitter.scanner.scan(buf)? {
            Some(len) => {
                let rows = splitter.scanner.take_places();
                splitter.scanner.reset();
                Ok(Some(Frame {
                    bytes: buf.split_to(len).freeze(),
                    rows,
                }))
            }
            None => Ok(None),
        },
        Transport::Framed => {
            let Some(header) = buf.get(..4) else {
                return Ok(None);
            };
            let header: [u8; 4] = [header[0], header[1], header[2], header[3]];
            let len = wire::frame_len(header, config.max_message_bytes)?;
            if buf.len() < 4 + len {
                buf.reserve(4 + len - buf.len());
                return Ok(None);
            }
            buf.advance(4);
            Ok(Some(Frame::plain(buf.split_to(len).freeze())))
        }
    }
}
