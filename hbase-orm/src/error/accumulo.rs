//! The exceptions of the Accumulo Proxy, as one payload of
//! [`Error::Accumulo`](super::Error::Accumulo).

use std::fmt;

use hbase_orm_idl::accumulo as proxy;

/// Which exception the Accumulo Proxy raised.
///
/// New kinds may be added in minor releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccumuloErrorKind {
    /// `AccumuloException`: a server-side failure without a more precise
    /// kind (a bad iterator class, an iterator conflict, a bad property).
    Accumulo,
    /// `AccumuloSecurityException`: a wrong password, a missing permission,
    /// or a scan asking for authorizations the user does not hold.
    Security,
    /// `TableNotFoundException`.
    TableNotFound,
    /// `TableExistsException`.
    TableExists,
    /// `MutationsRejectedException`: a writer's mutations were refused
    /// (constraint violations, security codes, server errors).
    MutationsRejected,
    /// `UnknownScanner`: the scanner id is not (or no longer) open on the proxy.
    UnknownScanner,
    /// `UnknownWriter`: the writer id is not (or no longer) open on the proxy.
    UnknownWriter,
    /// `NoMoreEntriesException`: a scanner read past its end.
    NoMoreEntries,
    /// `NamespaceExistsException`.
    NamespaceExists,
    /// `NamespaceNotFoundException`.
    NamespaceNotFound,
    /// `NamespaceNotEmptyException`.
    NamespaceNotEmpty,
}

impl AccumuloErrorKind {
    /// The proxy's name of the exception.
    pub fn exception_name(self) -> &'static str {
        match self {
            AccumuloErrorKind::Accumulo => "AccumuloException",
            AccumuloErrorKind::Security => "AccumuloSecurityException",
            AccumuloErrorKind::TableNotFound => "TableNotFoundException",
            AccumuloErrorKind::TableExists => "TableExistsException",
            AccumuloErrorKind::MutationsRejected => "MutationsRejectedException",
            AccumuloErrorKind::UnknownScanner => "UnknownScanner",
            AccumuloErrorKind::UnknownWriter => "UnknownWriter",
            AccumuloErrorKind::NoMoreEntries => "NoMoreEntriesException",
            AccumuloErrorKind::NamespaceExists => "NamespaceExistsException",
            AccumuloErrorKind::NamespaceNotFound => "NamespaceNotFoundException",
            AccumuloErrorKind::NamespaceNotEmpty => "NamespaceNotEmptyException",
        }
    }
}

impl AccumuloErrorKind {
    /// The backend-neutral kind of this exception.
    pub(crate) fn error_kind(self) -> super::ErrorKind {
        use super::ErrorKind as K;
        match self {
            AccumuloErrorKind::TableNotFound | AccumuloErrorKind::NamespaceNotFound => K::NotFound,
            AccumuloErrorKind::TableExists | AccumuloErrorKind::NamespaceExists => K::AlreadyExists,
            AccumuloErrorKind::UnknownScanner
            | AccumuloErrorKind::UnknownWriter
            | AccumuloErrorKind::NamespaceNotEmpty => K::InvalidArgument,
            AccumuloErrorKind::Security => K::PermissionDenied,
            AccumuloErrorKind::Accumulo
            | AccumuloErrorKind::MutationsRejected
            | AccumuloErrorKind::NoMoreEntries => K::Internal,
        }
    }
}

impl fmt::Display for AccumuloErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.exception_name())
    }
}

/// An exception raised by the Accumulo Proxy, with the rows it concerns
/// where the client knows them.
///
/// # Examples
/// ```
/// use hbase_orm::error::{AccumuloError, AccumuloErrorKind};
///
/// let err = AccumuloError::new(AccumuloErrorKind::TableNotFound, "no table t");
/// assert_eq!(err.to_string(), "the Accumulo proxy raised TableNotFoundException: no table t");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccumuloError {
    /// Which exception it was.
    pub kind: AccumuloErrorKind,
    /// The proxy's message.
    pub message: String,
    /// For [`AccumuloErrorKind::MutationsRejected`] from a writer: the rows
    /// sent to it since its last successful flush. The proxy does not say
    /// which of them were refused, so each may or may not have been applied.
    pub rows: Vec<Vec<u8>>,
}

impl AccumuloError {
    /// An error of `kind` with `message` and no rows.
    pub fn new(kind: AccumuloErrorKind, message: impl Into<String>) -> Self {
        AccumuloError {
            kind,
            message: message.into(),
            rows: Vec::new(),
        }
    }
}

impl fmt::Display for AccumuloError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the Accumulo proxy raised {}: {}",
            self.kind, self.message
        )?;
        if !self.rows.is_empty() {
            const SHOWN: usize = 10;
            let names: Vec<String> = self
                .rows
                .iter()
                .take(SHOWN)
                .map(|r| format!("{:?}", String::from_utf8_lossy(r)))
                .collect();
            write!(
                f,
                " (rows sent since the last flush, each possibly not applied: {}{})",
                names.join(", "),
                if self.rows.len() > SHOWN {
                    format!(" and {} more", self.rows.len() - SHOWN)
                } else {
                    String::new()
                }
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for AccumuloError {}

/// The payload for a declared exception of the Accumulo Proxy, or the
/// exception back when it is not one.
pub(crate) fn from_user(
    user: Box<dyn std::error::Error + Send + Sync>,
) -> Result<AccumuloError, Box<dyn std::error::Error + Send + Sync>> {
    macro_rules! try_kind {
        ($user:ident, $ty:ident, $kind:ident, $field:ident) => {
            let $user = match $user.downcast::<proxy::$ty>() {
                Ok(e) => {
                    return Ok(AccumuloError::new(
                        AccumuloErrorKind::$kind,
                        e.$field.unwrap_or_default(),
                    ))
                }
                Err(other) => other,
            };
        };
    }
    try_kind!(user, AccumuloException, Accumulo, msg);
    try_kind!(user, AccumuloSecurityException, Security, msg);
    try_kind!(user, TableNotFoundException, TableNotFound, msg);
    try_kind!(user, TableExistsException, TableExists, msg);
    try_kind!(user, MutationsRejectedException, MutationsRejected, msg);
    try_kind!(user, UnknownScanner, UnknownScanner, msg);
    try_kind!(user, UnknownWriter, UnknownWriter, msg);
    try_kind!(user, NoMoreEntriesException, NoMoreEntries, msg);
    try_kind!(user, NamespaceExistsException, NamespaceExists, msg);
    try_kind!(user, NamespaceNotFoundException, NamespaceNotFound, msg);
    try_kind!(user, NamespaceNotEmptyException, NamespaceNotEmpty, msg);
    Err(user)
}
