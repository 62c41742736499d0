//! What the network side needs from the Hbase service behind it.

use hbase_orm_idl::thrift;
use hbase_orm_idl::thrift::protocol::{TInputProtocol, TOutputProtocol};

/// The service behind the listener: answers calls, counts and reaps scanners.
///
/// Shared by every connection task, so it is called from many tasks at once;
/// calls are synchronous and expected to be fast (in memory).
pub(crate) trait Service: Send + Sync + 'static {
    /// Reads one whole call from `input` and writes its reply (a result or an
    /// exception message) to `output`.
    ///
    /// # Errors
    /// Only when no reply could be written; the connection is then closed.
    fn process(
        &self,
        input: &mut dyn TInputProtocol,
        output: &mut dyn TOutputProtocol,
    ) -> thrift::Result<()>;

    /// How many scanners are open.
    fn open_scanners(&self) -> usize;

    /// Drops the scanners idle for longer than the scanner timeout.
    fn reap_expired_scanners(&self);
}

/// Stands in for the Hbase handler until it lands: answers `getTableNames`
/// with no tables and every other call with `UNKNOWN_METHOD`.
#[derive(Debug)]
pub(crate) struct Placeholder;

impl Placeholder {
    pub(crate) fn new(_scanner_timeout: std::time::Duration, _addr: std::net::SocketAddr) -> Self {
        Placeholder
    }
}

impl Service for Placeholder {
    fn process(
        &self,
        input: &mut dyn TInputProtocol,
        output: &mut dyn TOutputProtocol,
    ) -> thrift::Result<()> {
        use hbase_orm_idl::hbase::HbaseGetTableNamesResult;
        use thrift::protocol::{TMessageIdentifier, TMessageType, TType};
        let ident = input.read_message_begin()?;
        input.skip(TType::Struct)?;
        input.read_message_end()?;
        if ident.name == "getTableNames" {
            let reply =
                TMessageIdentifier::new(ident.name, TMessageType::Reply, ident.sequence_number);
            output.write_message_begin(&reply)?;
            HbaseGetTableNamesResult {
                result_value: Some(Vec::new()),
                io: None,
            }
            .write_to_out_protocol(output)?;
            output.write_message_end()?;
            return output.flush();
        }
        let e = thrift::ApplicationError::new(
            thrift::ApplicationErrorKind::UnknownMethod,
            format!("unknown method {}", ident.name),
        );
        thrift::server::handle_process_result(&ident, Err(thrift::Error::Application(e)), output)
    }

    fn open_scanners(&self) -> usize {
        0
    }

    fn reap_expired_scanners(&self) {}
}
