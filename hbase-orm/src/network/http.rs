//! Thrift over HTTP, for gateways started with
//! `hbase.regionserver.thrift.http=true`: every call is one HTTP/1.1 POST
//! of one binary-protocol message, the reply is the answer's body.
//!
//! HTTP is spoken by hyper. Connections are kept alive and reused, one call
//! at a time each (no pipelining); concurrent calls open further
//! connections, and idle ones are kept for the next calls. HTTPS uses the
//! connection's TLS settings.
//!
//! What is not a Thrift reply becomes an error that says what the server
//! is: an HTML page, `401`/`403` (authentication or authorization), another
//! status, or a server that does not speak HTTP at all (a socket-transport
//! gateway).

use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE, HOST, WWW_AUTHENTICATE};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;

use super::config::{Config, HttpSettings};
use super::socket;
use crate::error::{Error, Result};

/// The content type of Thrift bodies.
const THRIFT: &str = "application/x-thrift";
/// Idle connections kept for reuse.
const MAX_IDLE: usize = 8;
/// How much of an error page goes into the error message.
const QUOTED_BODY: usize = 200;

/// The HTTP side of one connection: idle kept-alive connections and the
/// settings to open more.
pub(crate) struct HttpClient {
    config: Arc<Config>,
    settings: HttpSettings,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("addr", &self.config.addr)
            .field("path", &self.settings.path)
            .field("idle", &self.idle().len())
            .finish()
    }
}

impl HttpClient {
    pub(crate) fn new(config: Arc<Config>, settings: HttpSettings) -> Self {
        HttpClient {
            config,
            settings,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn idle(&self) -> MutexGuard<'_, Vec<SendRequest<Full<Bytes>>>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a kept-alive connection is open.
    pub(crate) fn is_open(&self) -> bool {
        self.idle().iter().any(|s| !s.is_closed())
    }

    /// Drops the idle connections.
    pub(crate) fn close(&self) {
        self.idle().clear();
    }

    /// Opens one connection now and keeps it for the next call.
    pub(crate) async fn open(&self) -> Result<()> {
        let sender = self.connect().await?;
        self.keep(sender);
        Ok(())
    }

    fn keep(&self, sender: SendRequest<Full<Bytes>>) {
        let mut idle = self.idle();
        idle.retain(|s| !s.is_closed());
        if idle.len() < MAX_IDLE && !sender.is_closed() {
            idle.push(sender);
        }
    }

    /// A ready kept-alive connection (and `true`), or a new one.
    async fn sender(&self) -> Result<(SendRequest<Full<Bytes>>, bool)> {
        loop {
            let Some(mut sender) = self.idle().pop() else {
                return Ok((self.connect().await?, false));
            };
            if !sender.is_closed() && sender.ready().await.is_ok() {
                return Ok((sender, true));
            }
        }
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>> {
        let stream = socket::open_stream(&self.config).await?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| self.hyper_error(&e))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("HTTP connection ended: {e}");
            }
        });
        Ok(sender)
    }

    fn request(&self, body: Bytes) -> Result<Request<Full<Bytes>>> {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(self.settings.path.as_str())
            .header(HOST, format!("{}:{}", self.config.host, self.config.port))
            .header(CONTENT_TYPE, THRIFT)
            .header(ACCEPT, THRIFT);
        for (name, value) in &self.settings.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidInput(format!("invalid HTTP header name {name:?}")))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidInput(format!("invalid value for HTTP header {name}: {value:?}"))
            })?;
            request = request.header(name, value);
        }
        request
            .body(Full::new(body))
            .map_err(|e| Error::InvalidInput(format!("invalid HTTP request: {e}")))
    }

    /// Sends one call and returns the reply message.
    pub(crate) async fn call(&self, body: Vec<u8>) -> Result<Bytes> {
        let body = Bytes::from(body);
        let (mut sender, reused) = self.sender().await?;
        let response = match sender.send_request(self.request(body.clone())?).await {
            Ok(response) => response,
            // A kept-alive connection the gateway closed while it was idle
            // (gateways drop idle ones): the call never reached it, so it
            // goes once more on a new connection.
            Err(e) if reused && (e.is_incomplete_message() || e.is_canceled() || e.is_closed()) => {
                let mut fresh = self.connect().await?;
                let response = fresh
                    .send_request(self.request(body)?)
                    .await
                    .map_err(|e| self.hyper_error(&e))?;
                sender = fresh;
                response
            }
            Err(e) => return Err(self.hyper_error(&e)),
        };
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, self.config.max_message_bytes)
            .collect()
            .await
            .map_err(|e| {
                self.config.protocol_error(format!(
                    "the HTTP answer could not be read (the limit is {} bytes): {e}",
                    self.config.max_message_bytes
                ))
            })?
            .to_bytes();
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if parts.status != StatusCode::OK {
            return Err(self.status_error(parts.status, &parts.headers, &content_type, &body));
        }
        if content_type.starts_with("text/html") {
            return Err(self.config.protocol_error(format!(
                "the server answered an HTML page ({}), not a Thrift reply: is {} the Thrift gateway, and {} its path?",
                quote(&body),
                self.config.addr,
                self.settings.path
            )));
        }
        self.keep(sender);
        Ok(body)
    }

    fn status_error(
        &self,
        status: StatusCode,
        headers: &hyper::HeaderMap,
        content_type: &str,
        body: &[u8],
    ) -> Error {
        let what = match status {
            StatusCode::UNAUTHORIZED => {
                let scheme = headers
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .map(|s| format!(" (it asks for `WWW-Authenticate: {s}`)"))
                    .unwrap_or_default();
                format!("the gateway wants authentication{scheme}; SPNEGO/Kerberos is not supported by this client")
            }
            StatusCode::FORBIDDEN => {
                "the gateway refused the request (not allowed, or a proxy user the gateway does not accept)".to_owned()
            }
            StatusCode::INTERNAL_SERVER_ERROR if self.sends_do_as() => {
                "the gateway failed the call; it refuses a `doAs` header unless hbase.thrift.support.proxyuser is on (and the user may impersonate)".to_owned()
            }
            _ => "the gateway did not answer the call".to_owned(),
        };
        let page = if content_type.starts_with("text/html") {
            " (an HTML page)"
        } else {
            ""
        };
        self.config
            .protocol_error(format!("HTTP {status}{page}: {what}: {}", quote(body)))
    }

    fn hyper_error(&self, e: &hyper::Error) -> Error {
        if e.is_parse() || e.is_parse_status() {
            return self.config.protocol_error(format!(
                "the server does not answer HTTP ({e}): it looks like a socket-transport gateway (drop ConnectionBuilder::http()){}",
                self.https_hint()
            ));
        }
        if e.is_incomplete_message() {
            return self.config.protocol_error(
                "the server closed the connection without an HTTP answer: it may be a socket-transport gateway (drop ConnectionBuilder::http())".to_owned(),
            );
        }
        let source = std::error::Error::source(e)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        self.config
            .transport_error(std::io::Error::other(format!("HTTP: {e}{source}")))
    }
}

impl HttpClient {
    /// Whether the calls carry a `doAs` (proxy user) header.
    fn sends_do_as(&self) -> bool {
        self.settings
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("doas"))
    }

    /// For a plain connection whose server does not answer HTTP: it may
    /// answer HTTPS (a TLS alert is not HTTP either).
    fn https_hint(&self) -> &'static str {
        #[cfg(feature = "tls")]
        if self.config.tls.is_some() {
            return "";
        }
        ", or an HTTPS gateway (add ConnectionBuilder::tls)"
    }
}

/// The start of a body, for an error message.
fn quote(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(QUOTED_BODY)]);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.len() > QUOTED_BODY {
        format!("{text:?}...")
    } else {
        format!("{text:?}")
    }
}
