//! Thrift over HTTP, as the gateway serves it in HTTP mode
//! (`hbase.regionserver.thrift.http=true`).
//!
//! Each call is one HTTP/1.1 POST whose body is one whole message of the
//! binary protocol; the reply is the body of a `200` answer with
//! `Content-Type: application/x-thrift`. Connections are kept alive between
//! calls. Like the gateway's servlet (mapped to `/*`) any path is served and
//! the request's content type is not checked.
//!
//! HTTP itself is parsed by hyper. What goes wrong with a request is
//! answered with an HTTP error status and the connection is closed:
//! another method (`405`), a body past the message limit (`413`, before any
//! of it is read when `Content-Length` says so), a body that is not exactly
//! one binary message (`400`), a body or header that does not arrive within
//! the read timeout (`408`, or a plain close while headers are incomplete),
//! a body cut short (`400`) or bytes after the declared length that are no
//! request (`400`, from hyper). A `doAs` header (a proxy user) is answered
//! `500`, as the gateway does without `hbase.thrift.support.proxyuser`: the
//! emulator has no users to act as.

use std::convert::Infallible;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hbase_orm_idl::thrift::protocol::{TBinaryInputProtocol, TBinaryOutputProtocol};
use hbase_orm_idl::thrift::TConfiguration;
use hbase_orm_idl::wire::{MessageScanner, Protocol};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};

use super::connection::ConnConfig;
use super::service::Service;

/// Deepest nesting the readers accept (the scanner refuses deeper first).
const MAX_DEPTH: usize = 64;

/// The header naming the user a proxy-user call acts as (case is not
/// significant in HTTP header names).
const DO_AS: &str = "doas";

/// The content type of Thrift bodies.
const THRIFT_CONTENT_TYPE: &str = "application/x-thrift";

/// Serves HTTP requests on one connection until the client closes it, a
/// request fails, or the connection is shut down from outside.
///
/// # Errors
/// What hyper reports about the connection (a malformed request, a header
/// that timed out, a socket error).
pub(crate) async fn serve<S>(
    stream: S,
    config: ConnConfig,
    service: Arc<dyn Service>,
) -> Result<(), hyper::Error>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let handler = hyper::service::service_fn(move |request| {
        let service = Arc::clone(&service);
        async move { Ok::<_, Infallible>(answer(request, config, &*service).await) }
    });
    hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(config.read_timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), handler)
        .await
}

/// Answers one request.
async fn answer(
    request: Request<Incoming>,
    config: ConnConfig,
    service: &dyn Service,
) -> Response<Full<Bytes>> {
    if request.method() != Method::POST {
        let mut response = error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!(
                "HTTP method {} is not supported: Thrift calls are POST requests",
                request.method()
            ),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if let Some(user) = request.headers().get(DO_AS) {
        // The gateway's servlet fails the request (a ServletException, which
        // Jetty answers 500) when proxy users are not configured.
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!(
                "Support for proxyuser is not configured (doAs {:?}): hbase-emulator, like \
                 a gateway without hbase.thrift.support.proxyuser, acts as no other user",
                String::from_utf8_lossy(user.as_bytes())
            ),
        );
    }
    let limit = config.max_message_bytes;
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "a body of {} bytes is past the limit of {limit} bytes",
                declared.unwrap_or(0)
            ),
        );
    }
    let body = match read_body(request.into_body(), limit, config.read_timeout).await {
        Ok(body) => body,
        Err(refusal) => return refusal.answer(),
    };
    match process(&body, limit, service) {
        Ok(reply) => {
            let mut response = Response::new(Full::new(Bytes::from(reply)));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(THRIFT_CONTENT_TYPE));
            response
        }
        Err(refusal) => refusal.answer(),
    }
}

/// Reads the whole body, bounded in size and time.
async fn read_body(body: Incoming, limit: usize, timeout: Duration) -> Result<Bytes, Refusal> {
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body is past the limit of {limit} bytes"),
        )),
        Ok(Err(e)) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            &format!("the body could not be read: {e}"),
        )),
        Err(_) => Err(Refusal::new(
            StatusCode::REQUEST_TIMEOUT,
            &format!("the body did not arrive within {timeout:?}"),
        )),
    }
}

/// Checks that `body` is exactly one binary message and has the service
/// answer it.
fn process(body: &[u8], limit: usize, service: &dyn Service) -> Result<Vec<u8>, Refusal> {
    let mut scanner = MessageScanner::new(Protocol::Binary, limit);
    match scanner.scan(body) {
        Ok(Some(len)) if len == body.len() => {}
        Ok(Some(len)) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                &format!(
                    "the body holds {} bytes after its Thrift message of {len} bytes: one call per request",
                    body.len() - len
                ),
            ))
        }
        Ok(None) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                &format!(
                    "the body of {} bytes ends inside a Thrift message (the binary protocol is expected)",
                    body.len()
                ),
            ))
        }
        Err(e) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                &format!("the body is not a Thrift message of the binary protocol: {e}"),
            ))
        }
    }
    let mut output = Vec::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        service.process(
            &mut TBinaryInputProtocol::with_config(body, false, read_config(body.len())),
            &mut TBinaryOutputProtocol::new(&mut output, true),
        )
    }));
    match result {
        Ok(Ok(())) => Ok(output),
        Ok(Err(e)) => Err(Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("could not answer the call: {e}"),
        )),
        Err(_) => Err(Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the handler panicked while answering the call",
        )),
    }
}

/// Why a request is refused: the status and the explanation sent back.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, message: &str) -> Self {
        Refusal {
            status,
            message: message.to_owned(),
        }
    }

    fn answer(self) -> Response<Full<Bytes>> {
        error(self.status, &self.message)
    }
}

/// An error answer with a plain-text explanation; the connection is closed
/// after it.
fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(format!("{message}\n"))));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The limits the readers enforce while decoding one message of `len`
/// bytes: nothing inside it can be longer than the message itself.
fn read_config(len: usize) -> TConfiguration {
    let limit = Some(len.max(1));
    TConfiguration::builder()
        .max_message_size(limit)
        .max_frame_size(limit)
        .max_string_size(limit)
        .max_container_size(limit)
        .max_recursion_depth(Some(MAX_DEPTH))
        .build()
        .unwrap_or_default()
}

/// Describes why an HTTP connection ended, for the log.
pub(crate) fn describe(e: &hyper::Error) -> String {
    if e.is_timeout() {
        "the request headers did not arrive within the read timeout".to_owned()
    } else if e.is_parse() {
        format!("not an HTTP/1.1 request: {e}")
    } else if e.is_incomplete_message() {
        "the client closed the connection in the middle of a request".to_owned()
    } else {
        let source = std::error::Error::source(e)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        format!("{e}{source}")
    }
}
