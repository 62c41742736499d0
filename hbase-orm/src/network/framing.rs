//! Splitting a socket's byte stream into whole messages: the frame header
//! of the framed transport, a walk of the message on the buffered one.

use bytes::{Buf, Bytes, BytesMut};
use hbase_orm_idl::wire::{self, MessageScanner, Protocol, Transport, WireError};

use super::config::Config;
use crate::protocol::rows::{Framer, Unframed};

/// Splits the buffered transport's byte stream into messages: the fast
/// [`Framer`] walk, and the general [`MessageScanner`] for a message the
/// framer cannot read (which the scanner then names the problem of).
pub(crate) struct Splitter {
    framer: Framer,
    scanner: MessageScanner,
    /// The current message is being walked by the scanner.
    scanning: bool,
}

impl Splitter {
    pub(crate) fn new(protocol: Protocol, max_message_bytes: usize) -> Splitter {
        Splitter {
            framer: Framer::new(protocol, max_message_bytes),
            scanner: MessageScanner::new(protocol, max_message_bytes),
            scanning: false,
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
        Transport::Buffered => {
            if !splitter.scanning {
                match splitter.framer.frame_len(buf) {
                    Ok(len) if len <= config.max_message_bytes => {
                        splitter.framer.reset();
                        return Ok(Some(buf.split_to(len).freeze()));
                    }
                    Err(Unframed::NeedMore) if buf.len() <= config.max_message_bytes => {
                        return Ok(None)
                    }
                    _ => {
                        splitter.framer.reset();
                        splitter.scanner.reset();
                        splitter.scanning = true;
                    }
                }
            }
            match splitter.scanner.scan(buf)? {
                Some(len) => {
                    splitter.scanner.reset();
                    splitter.scanning = false;
                    Ok(Some(buf.split_to(len).freeze()))
                }
                None => Ok(None),
            }
        }
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
