//! The one error type of the crate.
//!
//! Every fallible call of the crate returns [`Result`], whose error is
//! [`Error`]. The variants say where the failure comes from:
//!
//! - the gateway answered with an exception: [`Error::Server`] (HBase's
//!   `IOError`), [`Error::IllegalArgument`], [`Error::AlreadyExists`], or
//!   [`Error::Application`] (a `TApplicationException`: unknown method, a
//!   failure the IDL does not declare such as a bad filter string);
//! - the connection failed: [`Error::Transport`] (socket errors, the gateway
//!   closing the connection), [`Error::Protocol`] (bytes that are not a reply,
//!   typically a transport or protocol mismatch, named in the message);
//! - the call took too long: [`Error::Timeout`];
//! - no pooled connection was free: [`Error::NoConnectionsAvailable`];
//! - the Accumulo Proxy raised one of its exceptions: [`Error::Accumulo`];
//! - the input was refused before anything was sent: [`Error::InvalidInput`];
//! - a call failed at every attempt its retry policy allowed:
//!   [`Error::RetriesExhausted`], holding the last error.
//!
//! [`Error::is_retryable`] and [`Error::is_timeout`] classify them, and
//! [`Error::kind`] gives the backend-neutral [`ErrorKind`].
//!
//! `Error` is `Clone` (its sources are behind `Arc`): one failure of a
//! connection reaches every caller waiting on it unchanged, variant,
//! retryability and all.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

mod accumulo;
mod model;

pub use accumulo::{AccumuloError, AccumuloErrorKind};
pub use model::{CodecError, DecodeError, EncodeError};

/// What kind of failure an [`Error`] is, the same for every backend:
/// what a caller decides on (retry, report, create the table).
///
/// # Examples
/// ```
/// use hbase_orm::error::{Error, ErrorKind};
///
/// let err = Error::AlreadyExists { message: "table name already in use".into() };
/// assert_eq!(err.kind(), ErrorKind::AlreadyExists);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A table or column family does not exist.
    NotFound,
    /// What was to be created exists already.
    AlreadyExists,
    /// The server or the client refused an argument (a bad column, filter,
    /// scanner id or table descriptor).
    InvalidArgument,
    /// The server could not be reached or dropped the connection, or a
    /// server-side failure it flags as worth retrying: a retry may cure it.
    Unavailable,
    /// A time limit passed.
    Timeout,
    /// The server speaks something else than the client (another transport
    /// or protocol, TLS, HTTP), or sent bytes that are not a reply.
    Protocol,
    /// The server refused the principal: a wrong password, a missing
    /// permission, or authorizations the user does not hold.
    PermissionDenied,
    /// The backend cannot do what was asked.
    Unsupported,
    /// A stored value does not decode into the model, or a model value does
    /// not encode.
    Data,
    /// Any other failure on the server's side.
    Internal,
}

/// The category of a `TApplicationException` the gateway raised, as Thrift
/// numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApplicationErrorKind {
    /// No category given.
    Unknown,
    /// The gateway has no such method.
    UnknownMethod,
    /// The message type was not a call.
    InvalidMessageType,
    /// The reply named another method.
    WrongMethodName,
    /// The reply had another sequence id.
    BadSequenceId,
    /// The reply carried no result.
    MissingResult,
    /// The call failed on the server (HBase reports a bad filter string
    /// this way).
    InternalError,
    /// The server could not read the request.
    ProtocolError,
    /// A transform the server does not know.
    InvalidTransform,
    /// A protocol the server does not speak.
    InvalidProtocol,
    /// A client type the server does not serve.
    UnsupportedClientType,
}

impl ApplicationErrorKind {
    fn from_thrift(kind: hbase_orm_idl::thrift::ApplicationErrorKind) -> Self {
        use hbase_orm_idl::thrift::ApplicationErrorKind as K;
        match kind {
            K::UnknownMethod => ApplicationErrorKind::UnknownMethod,
            K::InvalidMessageType => ApplicationErrorKind::InvalidMessageType,
            K::WrongMethodName => ApplicationErrorKind::WrongMethodName,
            K::BadSequenceId => ApplicationErrorKind::BadSequenceId,
            K::MissingResult => ApplicationErrorKind::MissingResult,
            K::InternalError => ApplicationErrorKind::InternalError,
            K::ProtocolError => ApplicationErrorKind::ProtocolError,
            K::InvalidTransform => ApplicationErrorKind::InvalidTransform,
            K::InvalidProtocol => ApplicationErrorKind::InvalidProtocol,
            K::UnsupportedClientType => ApplicationErrorKind::UnsupportedClientType,
            _ => ApplicationErrorKind::Unknown,
        }
    }
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure the client reports.
///
/// New variants may be added in minor releases, so a `match` needs a
/// wildcard arm.
///
/// # Examples
/// ```
/// use hbase_orm::Error;
///
/// let err = Error::Server { message: "region moved".into(), can_retry: true };
/// assert!(err.is_retryable());
/// assert!(!err.is_timeout());
/// assert_eq!(err.to_string(), "the gateway raised IOError: region moved");
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The gateway raised HBase's `IOError` (missing table, a cell that is not
    /// a counter, a table that must be disabled first, ...).
    #[error("the gateway raised IOError: {message}")]
    Server {
        /// The message of the server-side exception.
        message: String,
        /// The `canRetry` flag newer gateways set; `false` when absent.
        can_retry: bool,
    },

    /// The gateway refused an argument (`IllegalArgument`), for example an
    /// unknown or expired scanner id, or a bad table descriptor.
    #[error("the gateway refused an argument: {message}")]
    IllegalArgument {
        /// The message of the server-side exception.
        message: String,
    },

    /// The table to create exists already (`AlreadyExists`).
    #[error("already exists: {message}")]
    AlreadyExists {
        /// The message of the server-side exception.
        message: String,
    },

    /// The gateway answered with a `TApplicationException`: an unknown
    /// method, or a failure its IDL does not declare (a bad filter string is
    /// reported this way with kind `InternalError`).
    #[error("the gateway failed the call ({kind:?}): {message}")]
    Application {
        /// The Thrift category of the failure.
        kind: ApplicationErrorKind,
        /// The message of the exception.
        message: String,
    },

    /// The connection to the gateway failed: it could not be opened, a read
    /// or write failed, or the gateway closed it before replying.
    ///
    /// Whether the call reached the gateway is unknown when this is returned
    /// for a call that was already written: only resend idempotent calls.
    #[error("transport error with the gateway at {addr}: {source}")]
    Transport {
        /// `host:port` of the gateway.
        addr: String,
        /// The underlying I/O error (shared by every caller it failed).
        #[source]
        source: Arc<io::Error>,
    },

    /// The gateway sent bytes that are not a valid reply. This usually means
    /// it speaks another transport (buffered, framed) or protocol (binary,
    /// compact) than the client: the message then says which setting to
    /// change.
    #[error("protocol error with the gateway at {addr}: {message}")]
    Protocol {
        /// `host:port` of the gateway.
        addr: String,
        /// What went wrong, with a hint about a mismatch where one is seen.
        message: String,
    },

    /// A call did not complete within the connection's timeout.
    #[error("`{method}` timed out after {timeout:?}{}", hint.map(|h| format!(" ({h})")).unwrap_or_default())]
    Timeout {
        /// The Thrift method (for example `getRow`), or `connect`.
        method: &'static str,
        /// The timeout that passed.
        timeout: Duration,
        /// A likely cause, when one is known (no reply ever came from this
        /// gateway: probably a transport or protocol mismatch).
        hint: Option<&'static str>,
    },

    /// A connection pool had no free connection within its timeout.
    #[error("no connection available in the pool within {timeout:?}")]
    NoConnectionsAvailable {
        /// How long the caller waited.
        timeout: Duration,
    },

    /// The input was refused before anything was sent (an empty column
    /// family, a put to a column without qualifier, conflicting options).
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// The backend cannot do what was asked: a filter it has no
    /// translation for, an option it lacks. Nothing was sent.
    #[error("{backend} does not support {what}")]
    Unsupported {
        /// The backend, for example `HBase Thrift1`.
        backend: &'static str,
        /// What it cannot do.
        what: String,
    },

    /// A row read through the typed layer could not be decoded into the
    /// model: the payload names the table, row key, column and field.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// A model value could not be encoded (a failing serde or user codec):
    /// the payload names the table and field.
    #[error(transparent)]
    Encode(Box<EncodeError>),

    /// The Accumulo Proxy raised one of its exceptions (see
    /// [`AccumuloErrorKind`]); [`Error::accumulo_kind`] tells which.
    #[error(transparent)]
    Accumulo(Box<AccumuloError>),

    /// A call failed at every attempt its [`RetryPolicy`](crate::RetryPolicy)
    /// allowed (or its deadline came first). [`Error::is_retryable`] and
    /// [`Error::is_timeout`] answer for the last error, which
    /// [`Error::last_attempt`] returns.
    #[error("`{method}` failed after {attempts} attempts in {elapsed:?}: {last}")]
    RetriesExhausted {
        /// The Thrift method (for example `getRow`).
        method: &'static str,
        /// Attempts made, the first one included.
        attempts: u32,
        /// Time from the first attempt to giving up.
        elapsed: Duration,
        /// The error of the last attempt.
        #[source]
        last: Box<Error>,
    },
}

impl Error {
    /// Whether retrying the same call may succeed.
    ///
    /// True for transport failures, timeouts, an exhausted pool and server
    /// `IOError`s flagged `canRetry`. A transport error or timeout of a call
    /// that was written may have been applied: resend only idempotent calls
    /// (reads, puts with an explicit timestamp, deletes).
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::Error;
    ///
    /// assert!(!Error::InvalidInput("bad column".into()).is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RetriesExhausted { last, .. } => last.is_retryable(),
            Error::Server { can_retry, .. } => *can_retry,
            Error::Transport { .. }
            | Error::Timeout { .. }
            | Error::NoConnectionsAvailable { .. } => true,
            _ => false,
        }
    }

    /// Whether the call failed because a time limit passed.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use hbase_orm::Error;
    ///
    /// let err = Error::Timeout { method: "getRow", timeout: Duration::from_secs(1), hint: None };
    /// assert!(err.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::RetriesExhausted { last, .. } => last.is_timeout(),
            Error::Timeout { .. } => true,
            Error::Transport { source, .. } => source.kind() == io::ErrorKind::TimedOut,
            _ => false,
        }
    }

    /// The error of the last attempt: the error itself, or the one inside
    /// [`Error::RetriesExhausted`].
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// use hbase_orm::Error;
    ///
    /// let last = Error::Timeout { method: "getRow", timeout: Duration::from_secs(1), hint: None };
    /// let err = Error::RetriesExhausted {
    ///     method: "getRow",
    ///     attempts: 3,
    ///     elapsed: Duration::from_secs(3),
    ///     last: Box::new(last),
    /// };
    /// assert!(matches!(err.last_attempt(), Error::Timeout { .. }));
    /// assert!(err.is_timeout());
    /// ```
    pub fn last_attempt(&self) -> &Error {
        match self {
            Error::RetriesExhausted { last, .. } => last.last_attempt(),
            other => other,
        }
    }

    /// The backend-neutral kind of this error (of the last attempt, for
    /// [`Error::RetriesExhausted`]).
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::error::{Error, ErrorKind};
    ///
    /// let err = Error::Server {
    ///     message: "org.apache.hadoop.hbase.TableNotFoundException: users".into(),
    ///     can_retry: false,
    /// };
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::RetriesExhausted { last, .. } => last.kind(),
            Error::Server { message, can_retry } => {
                if message.contains("TableNotFoundException")
                    || message.contains("NoSuchColumnFamilyException")
                {
                    ErrorKind::NotFound
                } else if *can_retry {
                    ErrorKind::Unavailable
                } else {
                    ErrorKind::Internal
                }
            }
            Error::IllegalArgument { .. } | Error::InvalidInput(_) => ErrorKind::InvalidArgument,
            Error::AlreadyExists { .. } => ErrorKind::AlreadyExists,
            Error::Application { kind, .. } => match kind {
                ApplicationErrorKind::UnknownMethod => ErrorKind::Unsupported,
                _ => ErrorKind::Internal,
            },
            Error::Transport { source, .. } if source.kind() == io::ErrorKind::TimedOut => {
                ErrorKind::Timeout
            }
            Error::Transport { .. } | Error::NoConnectionsAvailable { .. } => {
                ErrorKind::Unavailable
            }
            Error::Protocol { .. } => ErrorKind::Protocol,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::Decode(_) | Error::Encode(_) => ErrorKind::Data,
            Error::Accumulo(e) => e.kind.error_kind(),
        }
    }

    /// Which exception the Accumulo Proxy raised, for an [`Error::Accumulo`]
    /// (also inside [`Error::RetriesExhausted`]).
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::error::{AccumuloError, AccumuloErrorKind, ErrorKind};
    /// use hbase_orm::Error;
    ///
    /// let err = Error::Accumulo(Box::new(AccumuloError::new(AccumuloErrorKind::TableNotFound, "t")));
    /// assert_eq!(err.accumulo_kind(), Some(AccumuloErrorKind::TableNotFound));
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    /// ```
    pub fn accumulo_kind(&self) -> Option<AccumuloErrorKind> {
        match self.last_attempt() {
            Error::Accumulo(e) => Some(e.kind),
            _ => None,
        }
    }

    /// Maps a Thrift error raised while decoding a reply or by the server.
    pub(crate) fn from_thrift(err: hbase_orm_idl::thrift::Error, addr: &str) -> Error {
        use hbase_orm_idl::hbase::{AlreadyExists, IOError, IllegalArgument};
        use hbase_orm_idl::thrift::Error as T;
        match err {
            T::User(user) => {
                let user = match user.downcast::<IOError>() {
                    Ok(e) => {
                        return Error::Server {
                            message: e.message.unwrap_or_default(),
                            can_retry: e.can_retry.unwrap_or(false),
                        }
                    }
                    Err(other) => other,
                };
                let user = match user.downcast::<IllegalArgument>() {
                    Ok(e) => {
                        return Error::IllegalArgument {
                            message: e.message.unwrap_or_default(),
                        }
                    }
                    Err(other) => other,
                };
                let user = match user.downcast::<AlreadyExists>() {
                    Ok(e) => {
                        return Error::AlreadyExists {
                            message: e.message.unwrap_or_default(),
                        }
                    }
                    Err(other) => other,
                };
                let user = match user.downcast::<hbase_orm_idl::hbase2::TIOError>() {
                    Ok(e) => {
                        return Error::Server {
                            message: e.message.unwrap_or_default(),
                            can_retry: e.can_retry.unwrap_or(false),
                        }
                    }
                    Err(other) => other,
                };
                let user = match user.downcast::<hbase_orm_idl::hbase2::TIllegalArgument>() {
                    Ok(e) => {
                        return Error::IllegalArgument {
                            message: e.message.unwrap_or_default(),
                        }
                    }
                    Err(other) => other,
                };
                match accumulo::from_user(user) {
                    Ok(e) => Error::Accumulo(Box::new(e)),
                    Err(other) => Error::Protocol {
                        addr: addr.to_owned(),
                        message: format!("unexpected exception in reply: {other}"),
                    },
                }
            }
            T::Application(app) => Error::Application {
                kind: ApplicationErrorKind::from_thrift(app.kind),
                message: app.message,
            },
            T::Transport(t) => Error::Protocol {
                addr: addr.to_owned(),
                message: format!("reply cut short: {t}"),
            },
            T::Protocol(p) => Error::Protocol {
                addr: addr.to_owned(),
                message: format!("reply does not decode: {p}"),
            },
        }
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync + Clone + fmt::Debug + 'static>() {}
    check::<Error>();
}

#[cfg(test)]
mod tests {
    use super::*;
    use hbase_orm_idl::hbase::{AlreadyExists, IOError, IllegalArgument};
    use hbase_orm_idl::thrift;

    #[test]
    fn server_exceptions_map_to_their_variants() {
        let io = Error::from_thrift(IOError::new("boom".to_owned(), true).into(), "h:1");
        assert!(matches!(&io, Error::Server { message, can_retry: true } if message == "boom"));
        assert!(io.is_retryable());
        let ia = Error::from_thrift(IllegalArgument::new("bad".to_owned()).into(), "h:1");
        assert!(matches!(&ia, Error::IllegalArgument { message } if message == "bad"));
        assert!(!ia.is_retryable());
        let ae = Error::from_thrift(AlreadyExists::new("t".to_owned()).into(), "h:1");
        assert!(matches!(ae, Error::AlreadyExists { .. }));
        let app = Error::from_thrift(
            thrift::Error::Application(thrift::ApplicationError::new(
                thrift::ApplicationErrorKind::UnknownMethod,
                "nope",
            )),
            "h:1",
        );
        assert!(matches!(
            app,
            Error::Application {
                kind: ApplicationErrorKind::UnknownMethod,
                ..
            }
        ));
    }

    #[test]
    fn kinds_are_backend_neutral() {
        let cases = [
            (
                Error::Server {
                    message: "org.apache.hadoop.hbase.TableNotFoundException: t".into(),
                    can_retry: false,
                },
                ErrorKind::NotFound,
            ),
            (
                Error::Server {
                    message: "region moving".into(),
                    can_retry: true,
                },
                ErrorKind::Unavailable,
            ),
            (
                Error::Server {
                    message: "not a counter".into(),
                    can_retry: false,
                },
                ErrorKind::Internal,
            ),
            (
                Error::AlreadyExists {
                    message: "t".into(),
                },
                ErrorKind::AlreadyExists,
            ),
            (
                Error::IllegalArgument {
                    message: "x".into(),
                },
                ErrorKind::InvalidArgument,
            ),
            (Error::InvalidInput("x".into()), ErrorKind::InvalidArgument),
            (
                Error::Transport {
                    addr: "h:1".into(),
                    source: Arc::new(io::Error::from(io::ErrorKind::ConnectionRefused)),
                },
                ErrorKind::Unavailable,
            ),
            (
                Error::Timeout {
                    method: "getRow",
                    timeout: Duration::from_secs(1),
                    hint: None,
                },
                ErrorKind::Timeout,
            ),
            (
                Error::Protocol {
                    addr: "h:1".into(),
                    message: "x".into(),
                },
                ErrorKind::Protocol,
            ),
            (
                Error::Unsupported {
                    backend: "b",
                    what: "x".into(),
                },
                ErrorKind::Unsupported,
            ),
        ];
        for (err, kind) in cases {
            assert_eq!(err.kind(), kind, "{err}");
            let again = err.clone();
            assert_eq!(again.kind(), kind);
            assert_eq!(again.is_retryable(), err.is_retryable());
            assert_eq!(again.to_string(), err.to_string());
        }
    }

    #[test]
    fn timeouts_say_so() {
        let t = Error::Timeout {
            method: "getRow",
            timeout: Duration::from_millis(5),
            hint: Some("check the transport"),
        };
        assert!(t.is_timeout());
        assert_eq!(
            t.to_string(),
            "`getRow` timed out after 5ms (check the transport)"
        );
        let io = Error::Transport {
            addr: "h:1".into(),
            source: io::Error::new(io::ErrorKind::TimedOut, "slow").into(),
        };
        assert!(io.is_timeout());
        assert!(io.is_retryable());
    }
}
