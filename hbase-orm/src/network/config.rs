//! The settings of one connection, fixed when it is built, and the errors
//! that name its gateway.

use std::io;
use std::time::Duration;

use hbase_orm_idl::wire::{Protocol, Transport};

use crate::error::Error;

/// Settings of one connection, fixed when it is built.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// The gateway's host name or address.
    pub(crate) host: String,
    /// The gateway's port.
    pub(crate) port: u16,
    /// `host:port`, for error messages.
    pub(crate) addr: String,
    /// The Thrift transport the gateway speaks.
    pub(crate) transport: Transport,
    /// The Thrift protocol the gateway speaks.
    pub(crate) protocol: Protocol,
    /// How long one call, the connect and the TLS handshake may take.
    pub(crate) timeout: Duration,
    /// The largest reply accepted.
    pub(crate) max_message_bytes: usize,
    /// Thrift over HTTP when set (binary protocol, no framing).
    pub(crate) http: Option<HttpSettings>,
    /// TLS settings; plain TCP when `None`.
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<super::tls::TlsConfig>,
}

impl Config {
    /// A transport error with the gateway.
    pub(crate) fn transport_error(&self, source: io::Error) -> Error {
        Error::Transport {
            addr: self.addr.clone(),
            source: source.into(),
        }
    }

    /// A protocol error with the gateway.
    pub(crate) fn protocol_error(&self, message: String) -> Error {
        Error::Protocol {
            addr: self.addr.clone(),
            message,
        }
    }
}

/// The HTTP settings of a connection.
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    /// The request path (the gateway serves any).
    pub(crate) path: String,
    /// Extra headers sent with every call (e.g. `doAs`).
    pub(crate) headers: Vec<(String, String)>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            path: "/".to_owned(),
            headers: Vec::new(),
        }
    }
}
