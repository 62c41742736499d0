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
//! - the input was refused before anything was sent: [`Error::InvalidInput`];
//! - a call failed at every attempt its retry policy allowed:
//!   [`Error::RetriesExhausted`], holding the last error.
//!
//! [`Error::is_retryable`] and [`Error::is_timeout`] classify them.

use std::fmt;
use std::io;
use std::time::Duration;

pub use hbase_orm_idl::thrift::ApplicationErrorKind;

mod model;

pub use model::{CodecError, DecodeError, EncodeError};

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
#[derive(Debug, thiserror::Error)]
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
        /// The underlying I/O error.
        #[source]
        source: io::Error,
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

    /// A row read through the typed layer could not be decoded into the
    /// model: the payload names the table, row key, column and field.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// A model value could not be encoded (a failing serde or user codec):
    /// the payload names the table and field.
    #[error(transparent)]
    Encode(Box<EncodeError>),

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
                match user.downcast::<AlreadyExists>() {
                    Ok(e) => Error::AlreadyExists {
                        message: e.message.unwrap_or_default(),
                    },
                    Err(other) => Error::Protocol {
                        addr: addr.to_owned(),
                        message: format!("unexpected exception in reply: {other}"),
                    },
                }
            }
            T::Application(app) => Error::Application {
                kind: app.kind,
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
    fn check<T: Send + Sync + fmt::Debug + 'static>() {}
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
                ApplicationErrorKind::UnknownMethod,
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
            source: io::Error::new(io::ErrorKind::TimedOut, "slow"),
        };
        assert!(io.is_timeout());
        assert!(io.is_retryable());
    }
}
