//! The proxy's exceptions, with the messages the Java proxy puts in them
//! (the `toString` of the Java exception it caught).

use hbase_orm_idl::accumulo as wire;
use hbase_orm_idl::thrift;

/// A failed call, by the exception the proxy declares for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    Accumulo(String),
    Security(String),
    TableNotFound(String),
    TableExists(String),
    MutationsRejected(String),
    UnknownScanner(String),
    UnknownWriter(String),
    NoMoreEntries,
    NamespaceExists(String),
    NamespaceNotFound(String),
    NamespaceNotEmpty(String),
    /// An undeclared Java exception: the client sees an application error.
    Internal(String),
    /// A null result: the client sees a missing result.
    Missing(String),
}

/// Result of a handler step.
pub(crate) type Outcome<T> = Result<T, Failure>;

/// Security error codes and their descriptions.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Code {
    BadCredentials,
    PermissionDenied,
    UserDoesntExist,
    UserExists,
    BadAuthorizations,
    GrantInvalid,
}

impl Code {
    fn name(self) -> &'static str {
        match self {
            Code::BadCredentials => "BAD_CREDENTIALS",
            Code::PermissionDenied => "PERMISSION_DENIED",
            Code::UserDoesntExist => "USER_DOESNT_EXIST",
            Code::UserExists => "USER_EXISTS",
            Code::BadAuthorizations => "BAD_AUTHORIZATIONS",
            Code::GrantInvalid => "GRANT_INVALID",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Code::BadCredentials => "Username or Password is Invalid",
            Code::PermissionDenied => "User does not have permission to perform this action",
            Code::UserDoesntExist => "The user does not exist",
            Code::UserExists => "The user exists",
            Code::BadAuthorizations => {
                "The user does not have the specified authorizations assigned"
            }
            Code::GrantInvalid => "Unable to grant or revoke this permission",
        }
    }
}

/// The message of Accumulo's security exception, optionally about a table.
pub(crate) fn security_message(code: Code, user: &str, table: Option<(&str, &str)>) -> String {
    let on = table.map_or(String::new(), |(name, id)| {
        format!(" on table {name}(ID:{id})")
    });
    format!(
        "org.apache.accumulo.core.client.AccumuloSecurityException: Error {} for user {user}{on} - {}",
        code.name(),
        code.description()
    )
}

/// A security failure.
pub(crate) fn security(code: Code, user: &str) -> Failure {
    Failure::Security(security_message(code, user, None))
}

/// No table of that name.
pub(crate) fn table_not_found(name: &str) -> Failure {
    Failure::TableNotFound(format!(
        "org.apache.accumulo.core.client.TableNotFoundException: Table {name} does not exist"
    ))
}

/// The name is taken.
pub(crate) fn table_exists(name: &str) -> Failure {
    Failure::TableExists(format!(
        "org.apache.accumulo.core.client.TableExistsException: Table {name} exists"
    ))
}

/// An argument Java refuses with `IllegalArgumentException`.
pub(crate) fn illegal_argument(message: &str) -> Failure {
    Failure::Accumulo(format!("java.lang.IllegalArgumentException: {message}"))
}

impl Failure {
    /// The error the generated processor turns into the declared exception
    /// (or an application error when the call declares none of this kind).
    pub(crate) fn into_thrift(self) -> thrift::Error {
        let user = |e: Box<dyn std::error::Error + Send + Sync>| thrift::Error::User(e);
        match self {
            Failure::Accumulo(msg) => user(Box::new(wire::AccumuloException { msg: Some(msg) })),
            Failure::Security(msg) => {
                user(Box::new(wire::AccumuloSecurityException { msg: Some(msg) }))
            }
            Failure::TableNotFound(msg) => {
                user(Box::new(wire::TableNotFoundException { msg: Some(msg) }))
            }
            Failure::TableExists(msg) => {
                user(Box::new(wire::TableExistsException { msg: Some(msg) }))
            }
            Failure::MutationsRejected(msg) => user(Box::new(wire::MutationsRejectedException {
                msg: Some(msg),
            })),
            Failure::UnknownScanner(msg) => user(Box::new(wire::UnknownScanner { msg: Some(msg) })),
            Failure::UnknownWriter(msg) => user(Box::new(wire::UnknownWriter { msg: Some(msg) })),
            Failure::NoMoreEntries => user(Box::new(wire::NoMoreEntriesException { msg: None })),
            Failure::NamespaceExists(msg) => {
                user(Box::new(wire::NamespaceExistsException { msg: Some(msg) }))
            }
            Failure::NamespaceNotFound(msg) => user(Box::new(wire::NamespaceNotFoundException {
                msg: Some(msg),
            })),
            Failure::NamespaceNotEmpty(msg) => user(Box::new(wire::NamespaceNotEmptyException {
                msg: Some(msg),
            })),
            Failure::Internal(msg) => thrift::Error::Application(thrift::ApplicationError::new(
                thrift::ApplicationErrorKind::InternalError,
                msg,
            )),
            Failure::Missing(msg) => thrift::Error::Application(thrift::ApplicationError::new(
                thrift::ApplicationErrorKind::MissingResult,
                msg,
            )),
        }
    }
}
