//! What the network side needs from the Hbase service behind it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hbase_orm_idl::hbase::HbaseSyncProcessor;
use hbase_orm_idl::hbase2::THBaseServiceSyncProcessor;
use hbase_orm_idl::thrift::protocol::{
    TInputProtocol, TMessageIdentifier, TMessageType, TOutputProtocol, TType,
};
use hbase_orm_idl::thrift::server::TProcessor;
use hbase_orm_idl::thrift::{self, ApplicationError, ApplicationErrorKind};

use super::lane::{Lane, INLINE_MAX_BYTES};
use crate::handler::HbaseHandler;
use crate::limits::{ConnectionId, Limits};
use crate::store::Store;
use crate::thrift2::Thrift2Handler;

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

    /// [`Service::process`] for a call that came in on `connection`, which
    /// per-connection limits charge. By default the connection is not
    /// looked at.
    ///
    /// # Errors
    /// Only when no reply could be written; the connection is then closed.
    fn process_in(
        &self,
        connection: ConnectionId,
        input: &mut dyn TInputProtocol,
        output: &mut dyn TOutputProtocol,
    ) -> thrift::Result<()> {
        let _ = connection;
        self.process(input, output)
    }

    /// Where a call of `method` (its name, when the header could be read)
    /// in a message of `len` bytes runs. By default only messages longer
    /// than [`INLINE_MAX_BYTES`] leave the connection's task.
    fn lane(&self, method: Option<&[u8]>, len: usize) -> Lane {
        let _ = method;
        if len > INLINE_MAX_BYTES {
            Lane::Blocking
        } else {
            Lane::Inline
        }
    }

    /// How many scanners are open.
    fn open_scanners(&self) -> usize;

    /// Drops the scanners idle for longer than the scanner timeout.
    fn reap_expired_scanners(&self);
}

/// The Hbase handler behind its generated processor.
pub(crate) struct Gateway {
    /// A clone of the handler inside `processor`, sharing its state.
    handler: HbaseHandler,
    processor: HbaseSyncProcessor<HbaseHandler>,
    /// Whether changes wait for the disk (a durable store).
    durable: bool,
}

/// Calls that may take long whatever their size: a scanner page walks rows
/// (a filter may skip many), opening a scan compiles its filter.
const HEAVY_CALLS: [&[u8]; 3] = [b"scannerOpenWithScan", b"scannerGet", b"scannerGetList"];

/// Calls that change nothing: the ones that do wait for the disk on a
/// durable store.
const READ_CALLS: [&[u8]; 23] = [
    b"get",
    b"getVer",
    b"getVerTs",
    b"getRow",
    b"getRowWithColumns",
    b"getRowTs",
    b"getRowWithColumnsTs",
    b"getRows",
    b"getRowsWithColumns",
    b"getRowsTs",
    b"getRowsWithColumnsTs",
    b"scannerOpen",
    b"scannerOpenWithStop",
    b"scannerOpenWithPrefix",
    b"scannerOpenTs",
    b"scannerOpenWithStopTs",
    b"scannerClose",
    b"getTableNames",
    b"getColumnDescriptors",
    b"getTableRegions",
    b"isTableEnabled",
    b"getRegionInfo",
    b"getClusterId",
];

impl Gateway {
    /// A gateway over `store`; region infos name `addr` as the region
    /// server.
    pub(crate) fn new(
        store: Arc<dyn Store>,
        scanner_timeout: Duration,
        limits: Limits,
        addr: SocketAddr,
    ) -> Self {
        let handler = HbaseHandler::with_store(
            Arc::clone(&store),
            scanner_timeout,
            limits,
            addr.ip().to_string(),
            i32::from(addr.port()),
        );
        Gateway {
            durable: store.is_durable(),
            processor: HbaseSyncProcessor::new(handler.clone()),
            handler,
        }
    }
}

impl Service for Gateway {
    fn process(
        &self,
        input: &mut dyn TInputProtocol,
        output: &mut dyn TOutputProtocol,
    ) -> thrift::Result<()> {
        self.processor.process(input, output)
    }

    fn process_in(
        &self,
        connection: ConnectionId,
        input: &mut dyn TInputProtocol,
        output: &mut dyn TOutputProtocol,
    ) -> thrift::Result<()> {
        HbaseSyncProcessor::new(self.handler.for_connection(connection)).process(input, output)
    }

    fn lane(&self, method: Option<&[u8]>, len: usize) -> Lane {
        let Some(method) = method else {
            return Lane::Inline;
        };
        let heavy = len > INLINE_MAX_BYTES
            || HEAVY_CALLS.contains(&method)
            || (self.durable && !READ_CALLS.contains(&method));
        if heavy {
            Lane::Blocking
        } else {
            Lane::Inline
        }
    }

    fn open_scanners(&self) -> usize {
        self.handler.open_scanners()
    }

    fn reap_expired_scanners(&self) {
        self.handler.reap_expired_scanners();
    }
}

/// The Thrift2 handler behind its generated processor.
pub(crate) struct Thrift2Gateway {
    /// A clone of the handler inside `processor`, sharing its state.
    handler: Thrift2Handler,
    processor: THBaseServiceSyncProcessor<Thrift2Handler>,
}

impl Thrift2Gateway {
    /// A Thrift2 gateway over `store`; region locations name `addr`.
    pub(crate) fn new(store: Arc<dyn Store>, scanner_timeout: Duration, addr: SocketAddr) -> Self {
        let handler = Thrift2Handler::with_store(
            store,
            scanner_timeout,
            addr.ip().to_string(),
            i32::from(addr.port()),
        );
        Thrift2Gateway {
            processor: THBaseServiceSyncProcessor::new(handler.clone()),
            handler,
        }
    }
}

impl Service for Thrift2Gateway {
    fn process(
        &self,
        input: &mut dyn TInputProtocol,
        output: &mut dyn TOutputProtocol,
    ) -> thrift::Result<()> {
        self.processor.process(input, output)
    }

    fn open_scanners(&self) -> usize {
        self.handler.open_scanners()
    }

    fn reap_expired_scanners(&self) {
        self.handler.reap_expired_scanners();
    }
}

/// What answers on a connection past the connection cap: every call gets a
/// `TApplicationException` saying why, so the client learns it was refused
/// rather than seeing a closed socket.
pub(crate) struct Refusal {
    why: String,
}

impl Refusal {
    /// A refusal explaining `why`.
    pub(crate) fn new(why: String) -> Self {
        Refusal { why }
    }
}

impl Service for Refusal {
    fn process(
        &self,
        input: &mut dyn TInputProtocol,
        output: &mut dyn TOutputProtocol,
    ) -> thrift::Result<()> {
        let call = input.read_message_begin()?;
        input.skip(TType::Struct)?;
        input.read_message_end()?;
        let error = ApplicationError::new(ApplicationErrorKind::InternalError, self.why.clone());
        output.write_message_begin(&TMessageIdentifier::new(
            call.name,
            TMessageType::Exception,
            call.sequence_number,
        ))?;
        thrift::Error::write_application_error_to_out_protocol(&error, output)?;
        output.write_message_end()?;
        output.flush()
    }

    fn open_scanners(&self) -> usize {
        0
    }

    fn reap_expired_scanners(&self) {}
}
