//! The Accumulo Proxy as a service of the emulator's listener.

use std::time::Duration;

use hbase_orm_idl::accumulo::AccumuloProxySyncProcessor;
use hbase_orm_idl::thrift;
use hbase_orm_idl::thrift::protocol::{TInputProtocol, TOutputProtocol};
use hbase_orm_idl::thrift::server::TProcessor;

use super::handler::AccumuloHandler;
use crate::server::service::Service;

/// The AccumuloProxy handler behind its generated processor.
pub(crate) struct AccumuloService {
    handler: AccumuloHandler,
    processor: AccumuloProxySyncProcessor<AccumuloHandler>,
}

impl AccumuloService {
    /// A fresh instance whose `root` user has `root_password`; scanners and
    /// writers idle for `idle` are dropped.
    pub(crate) fn new(root_password: &[u8], idle: Duration) -> Self {
        let handler = AccumuloHandler::new(root_password, idle);
        AccumuloService {
            processor: AccumuloProxySyncProcessor::new(handler.clone()),
            handler,
        }
    }
}

impl Service for AccumuloService {
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
        self.handler.reap_expired();
    }
}
