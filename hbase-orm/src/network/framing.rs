//! Splitting a socket's byte stream into whole messages: the frame header
//! of the framed transport, a walk of the message on the buffered one.

use bytes::{Buf, Bytes, BytesMut};
use hbase_orm_idl::wire::{self, MessageScanner, Protocol, Transport, WireError};

use super::config::Config;

/// Splits the buffered transport's byte stream into messages, with the one
/// [`MessageScanner`] (the walk resumes where it stopped as bytes arrive).
pub(crate) struct Splitter {
    scanner: MessageScanner,
}

impl Splitter {
    pub(crate) fn new(protocol: Protocol, max_message_bytes: usize) -> Splitter {
        Splitter {
            scanner: MessageScanner::new(protocol, max_message_bytes),
        }
    }
}

/// The next whole reply in `buf`, if there is one.
pub(crate) fn next_frame(
    config: &Config,
    buf: &mut BytesMut,
    splitter: &mut Splitter,
) -> std::result::Result<Option<Bytes>, WireError> {
    match config.transport {
        Transport::Buffered => match splitter.scanner.scan(buf)? {
            Some(len) => {
                splitter.scanner.reset();
                Ok(Some(buf.split_to(len).freeze()))
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
            Ok(Some(buf.split_to(len).freeze()))
        }
    }
}
