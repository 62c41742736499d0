//! The limits that keep one client from starving the others: how many
//! connections and scanners may be open, how much memory compiled filters
//! may hold, how large a reply may grow, how long a connection may idle.
//!
//! Shared by the network side (connections, idle time, reply size) and the
//! handler (scanners, filters, reply size). Each refusal is an error the
//! client can read and one log line.

use std::time::Duration;

/// Which client connection a call came in on: what per-connection limits
/// are counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ConnectionId(pub(crate) u64);

/// Default [`Limits::connections`].
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 1000;
/// Default [`Limits::idle_timeout`]: 10 minutes.
pub(crate) const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// Default [`Limits::scanners_total`].
pub(crate) const DEFAULT_MAX_SCANNERS: usize = 10_000;
/// Default [`Limits::scanners_per_connection`].
pub(crate) const DEFAULT_MAX_SCANNERS_PER_CONNECTION: usize = 1000;
/// Default [`Limits::filter_bytes_per_scanner`]: 32 MiB.
pub(crate) const DEFAULT_MAX_FILTER_BYTES: usize = 32 << 20;
/// Default [`Limits::filter_bytes_per_connection`]: 128 MiB.
pub(crate) const DEFAULT_MAX_FILTER_BYTES_PER_CONNECTION: usize = 128 << 20;

/// Every limit, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Open client connections; one more is answered with an error and
    /// closed.
    pub(crate) connections: usize,
    /// How long a connection may sit idle between two messages before it
    /// is closed; `None` keeps idle connections forever.
    pub(crate) idle_timeout: Option<Duration>,
    /// Open scanners on the whole server.
    pub(crate) scanners_total: usize,
    /// Open scanners one connection may hold.
    pub(crate) scanners_per_connection: usize,
    /// Bytes the compiled filter of one scanner may hold.
    pub(crate) filter_bytes_per_scanner: usize,
    /// Bytes the compiled filters of one connection's open scanners may
    /// hold together.
    pub(crate) filter_bytes_per_connection: usize,
    /// Largest reply sent; a call whose reply would be larger gets an error
    /// instead (a scanner page is cut short rather than refused).
    pub(crate) reply_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connections: DEFAULT_MAX_CONNECTIONS,
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            scanners_total: DEFAULT_MAX_SCANNERS,
            scanners_per_connection: DEFAULT_MAX_SCANNERS_PER_CONNECTION,
            filter_bytes_per_scanner: DEFAULT_MAX_FILTER_BYTES,
            filter_bytes_per_connection: DEFAULT_MAX_FILTER_BYTES_PER_CONNECTION,
            reply_bytes: hbase_orm_idl::wire::DEFAULT_MAX_MESSAGE_BYTES,
        }
    }
}
