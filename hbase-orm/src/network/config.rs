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

/// What every client's connection builder sets alike: where the server is
/// and how it speaks. A builder keeps one in a field named `endpoint`,
/// writes its setters with [`endpoint_setters!`] and turns it into the
/// connection's [`Config`] with [`Endpoint::into_config`].
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) timeout: Duration,
    pub(crate) transport: Transport,
    pub(crate) protocol: Protocol,
    pub(crate) max_message_bytes: usize,
    pub(crate) http: Option<HttpSettings>,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<super::tls::TlsConfig>,
}

impl Endpoint {
    /// `localhost` at `port`, plain TCP, with the client's defaults.
    pub(crate) fn new(
        port: u16,
        timeout: Duration,
        transport: Transport,
        protocol: Protocol,
        max_message_bytes: usize,
    ) -> Endpoint {
        Endpoint {
            host: "localhost".to_owned(),
            port,
            timeout,
            transport,
            protocol,
            max_message_bytes,
            http: None,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    /// The connection's settings. Over HTTP the transport and protocol are
    /// those of HTTP mode (buffered, binary), whatever was set.
    pub(crate) fn into_config(self) -> Config {
        let http = self.http.is_some();
        Config {
            addr: format!("{}:{}", self.host, self.port),
            host: self.host,
            port: self.port,
            transport: if http {
                Transport::Buffered
            } else {
                self.transport
            },
            protocol: if http {
                Protocol::Binary
            } else {
                self.protocol
            },
            timeout: self.timeout,
            max_message_bytes: self.max_message_bytes,
            http: self.http,
            #[cfg(feature = "tls")]
            tls: self.tls,
        }
    }
}

/// Writes the setters a connection builder takes from its `endpoint` field
/// ([`Endpoint`]): `host`, `port`, `addr`, `timeout`, `transport`,
/// `protocol`, `max_message_bytes`, `tls`, `http`, `http_path`,
/// `http_header`, each one named with the docs (and `cfg`) it has on that
/// builder.
macro_rules! endpoint_setters {
    (@host $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn host(mut self, host: impl Into<String>) -> Self {
            self.endpoint.host = host.into();
            self
        }
    };
    (@port $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn port(mut self, port: u16) -> Self {
            self.endpoint.port = port;
            self
        }
    };
    (@addr $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn addr(mut self, addr: std::net::SocketAddr) -> Self {
            self.endpoint.host = addr.ip().to_string();
            self.endpoint.port = addr.port();
            self
        }
    };
    (@timeout $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.endpoint.timeout = timeout;
            self
        }
    };
    (@transport $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn transport(mut self, transport: $crate::Transport) -> Self {
            self.endpoint.transport = transport;
            self
        }
    };
    (@protocol $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn protocol(mut self, protocol: $crate::Protocol) -> Self {
            self.endpoint.protocol = protocol;
            self
        }
    };
    (@max_message_bytes $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn max_message_bytes(mut self, max: usize) -> Self {
            self.endpoint.max_message_bytes = max;
            self
        }
    };
    (@tls $(#[$m:meta])*) => {
        $(#[$m])*
        #[cfg(feature = "tls")]
        pub fn tls(mut self, tls: $crate::tls::TlsConfig) -> Self {
            self.endpoint.tls = Some(tls);
            self
        }
    };
    (@http $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn http(mut self) -> Self {
            self.endpoint.http.get_or_insert_with(Default::default);
            self
        }
    };
    (@http_path $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn http_path(mut self, path: impl Into<String>) -> Self {
            self.endpoint.http.get_or_insert_with(Default::default).path = path.into();
            self
        }
    };
    (@http_header $(#[$m:meta])*) => {
        $(#[$m])*
        pub fn http_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.endpoint
                .http
                .get_or_insert_with(Default::default)
                .headers
                .push((name.into(), value.into()));
            self
        }
    };
    ($($(#[$m:meta])* $name:ident;)*) => {
        $($crate::network::config::endpoint_setters!(@$name $(#[$m])*);)*
    };
}
pub(crate) use endpoint_setters;

/// Writes the setters of a builder that wraps another builder (in its
/// field `inner`) by handing each to the wrapped one: `name(arg: Type, ..);`
/// with the docs it has here. Given first `pub struct Name(Wrapped);` (with
/// its docs), it declares the builder too: `Debug`, `Clone`, `Default`,
/// and the setters that follow in an `impl` of it.
macro_rules! forward_setters {
    (
        $(#[$m:meta])* pub struct $builder:ident($wrapped:ty);
        $($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default)]
        pub struct $builder {
            inner: $wrapped,
        }

        impl $builder {
            $crate::network::config::forward_setters! {
                $($(#[$doc])* $name($($arg: $ty),*);)*
            }
        }
    };
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        $(#[$doc])*
        pub fn $name(self, $($arg: $ty),*) -> Self {
            Self { inner: self.inner.$name($($arg),*) }
        }
    )*};
}
pub(crate) use forward_setters;
