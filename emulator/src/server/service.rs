//! What the network side needs from the Hbase service behind it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hbase_orm_idl::hbase::HbaseSyncProcessor;
use hbase_orm_idl::hbase2::THBaseServiceSyncProcessor;
use hbase_orm_idl::thrift;
use hbase_orm_idl::thrift::protocol::{TInputProtocol, TOutputProtocol};
use hbase_orm_idl::thrift::server::TProcessor;

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
}

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
            store,
            scanner_timeout,
            limits,
            addr.ip().to_string(),
            i32::from(addr.port()),
        );
        Gateway {
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
