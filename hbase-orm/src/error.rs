//! The one error type of the crate.

use std::fmt;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure the client reports.
///
/// (being written by the raw-client work; variants are added there)
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Placeholder while the client is written.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// Whether retrying the same call may succeed.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync + fmt::Debug>() {}
    check::<Error>();
}
