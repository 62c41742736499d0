//! [`RetryPolicy`]: which failed calls are sent again, how often, and within
//! which overall deadline.
//!
//! Every call of a [`Connection`](crate::Connection) goes through one place
//! that applies the connection's policy (set with
//! [`ConnectionBuilder::retry_policy`](crate::ConnectionBuilder::retry_policy)).
//! A failed attempt is retried when all of these hold:
//!
//! - the error is retryable: a transport error (a dropped or refused
//!   connection, a write that failed), an attempt that timed out (unless no
//!   reply ever came from the gateway: then the timeout error carries a hint
//!   of a transport or protocol mismatch, which retries cannot cure), or a
//!   server `IOError` flagged `canRetry = true`. Never retried:
//!   `IllegalArgument`, `AlreadyExists`, application exceptions, protocol
//!   errors (transport or protocol mismatch, replies that do not decode),
//!   invalid input, and an `IOError` whose `canRetry` is false *or absent*
//!   (gateways older than HBase 2 never set it, and their `IOError`s are
//!   mostly permanent: a missing table, a cell that is not a counter);
//! - the call is idempotent: reads (`get*`, scanner opens and closes, admin
//!   reads such as the table list, descriptors and regions), puts and deletes
//!   (`mutateRow`, `mutateRows`, `deleteAll*`), as the HBase clients do.
//!   Counter increments, `append`, `checkAndPut` and the admin writes
//!   (create, delete, enable, disable, compact a table) are sent again only
//!   with [`RetryPolicy::retry_non_idempotent`], or when the connection was
//!   refused (then the request was never written);
//! - attempts are left ([`RetryPolicy::max_attempts`]) and the next attempt
//!   can start before the call's deadline ([`RetryPolicy::deadline`]).
//!
//! Between attempts the call sleeps a random time between zero and the
//! current backoff ("full jitter"), which starts at
//! [`RetryPolicy::initial_backoff`], is multiplied by
//! [`RetryPolicy::multiplier`] after each attempt and never exceeds
//! [`RetryPolicy::max_backoff`]. Each attempt is bounded by the connection's
//! timeout, clipped to what is left of the deadline: a call never runs past
//! its deadline, whatever the gateway does. Each retry is logged with
//! `tracing` at debug level (method, attempt, delay, error).
//!
//! A call that gave up after more than one attempt fails with
//! [`Error::RetriesExhausted`], which holds the last error; a call that
//! failed at its first attempt returns that error unchanged.
//!
//! Scans are resumed rather than retried: a `scannerGetList` that fails with
//! a retryable error, or with an expired scanner (`IllegalArgument` "scanner
//! ID is invalid"), reopens the scanner just after the last row it returned
//! (see [`Scan`](crate::Scan)).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::error::Error;
use crate::protocol::Retry;

/// How failed calls are retried: attempts, backoff with jitter, overall
/// deadline, and whether non-idempotent calls may be sent again.
///
/// On by default ([`RetryPolicy::default`]): 4 attempts, backoff from 50 ms
/// doubling up to 2 s, a deadline of twice the connection's timeout (60 s
/// with the default 30 s timeout), non-idempotent calls not retried. See the
/// [module documentation](crate::retry) for what is retried.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use hbase_orm::{Connection, RetryPolicy};
///
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .initial_backoff(Duration::from_millis(20))
///     .max_backoff(Duration::from_secs(1))
///     .deadline(Duration::from_secs(10));
/// let conn = Connection::builder().retry_policy(policy).build();
/// assert_eq!(conn.retry_policy().max_attempts, 6);
/// assert_eq!(conn.retry_policy().deadline, Some(Duration::from_secs(10)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts per call, the first one included (1 = no retry).
    pub max_attempts: u32,
    /// Upper bound of the first delay.
    pub initial_backoff: Duration,
    /// Upper bound of any delay.
    pub max_backoff: Duration,
    /// Growth of the delay bound after each attempt.
    pub multiplier: f64,
    /// Longest a call may take, all attempts and delays included; `None`
    /// means twice the connection's timeout.
    pub deadline: Option<Duration>,
    /// Whether counter increments, appends, `checkAndPut` and admin writes
    /// are retried too (they may then be applied twice).
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            multiplier: 2.0,
            deadline: None,
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// The default policy; see [`RetryPolicy`].
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::RetryPolicy::new(), hbase_orm::RetryPolicy::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// No retry: every call is attempted once (its deadline still bounds it).
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{Connection, RetryPolicy};
    /// let conn = Connection::builder().retry_policy(RetryPolicy::none()).build();
    /// assert_eq!(conn.retry_policy().max_attempts, 1);
    /// ```
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts per call, the first one included; 0 is taken as 1.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::RetryPolicy::new().max_attempts(3).max_attempts, 3);
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Upper bound of the delay before the first retry. Default 50 ms.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let p = hbase_orm::RetryPolicy::new().initial_backoff(Duration::from_millis(10));
    /// assert_eq!(p.initial_backoff, Duration::from_millis(10));
    /// ```
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Upper bound of every delay. Default 2 s.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let p = hbase_orm::RetryPolicy::new().max_backoff(Duration::from_secs(1));
    /// assert_eq!(p.max_backoff, Duration::from_secs(1));
    /// ```
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Factor applied to the delay bound after each attempt (at least 1).
    /// Default 2.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::RetryPolicy::new().multiplier(3.0).multiplier, 3.0);
    /// ```
    pub fn multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// Longest a call may take, all attempts and delays included. Each
    /// attempt is bounded by the connection's timeout, clipped to what is
    /// left of this deadline. Default: twice the connection's timeout.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    /// let p = hbase_orm::RetryPolicy::new().deadline(Duration::from_secs(5));
    /// assert_eq!(p.deadline, Some(Duration::from_secs(5)));
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Whether non-idempotent calls (counter increments, `append`,
    /// `checkAndPut`, admin writes) are retried too. Default false: a
    /// retried increment whose first attempt reached the gateway counts
    /// twice.
    ///
    /// # Examples
    /// ```
    /// use hbase_orm::{Connection, RetryPolicy};
    /// let conn = Connection::builder().build();
    /// // Counters that tolerate a double count on a lost reply:
    /// let lenient = conn.with_retry_policy(RetryPolicy::new().retry_non_idempotent(true));
    /// assert!(lenient.retry_policy().retry_non_idempotent);
    /// ```
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// The deadline of a call on a connection with this timeout.
    pub(crate) fn deadline_for(&self, timeout: Duration) -> Duration {
        self.deadline.unwrap_or(timeout.saturating_mul(2))
    }

    /// The delay before attempt `attempt + 1`, after `attempt` failed ones:
    /// uniform between zero and the backoff bound of that attempt.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let bound = self.initial_backoff.as_secs_f64() * self.multiplier.max(1.0).powi(exp);
        let bound = bound.min(self.max_backoff.as_secs_f64()).max(0.0);
        Duration::from_secs_f64(bound * unit_random())
    }

    /// Whether a call of retry class `class` that failed with `err` may be sent again.
    pub(crate) fn should_retry(&self, class: Retry, err: &Error) -> bool {
        if class == Retry::Never {
            return false;
        }
        if never_sent(err) {
            return true;
        }
        if !self.retry_non_idempotent && class != Retry::Idempotent {
            return false;
        }
        match err {
            Error::Transport { .. } => true,
            // A hint means no reply ever came from this gateway: likely a
            // transport or protocol mismatch, which waiting again won't cure.
            Error::Timeout { hint, .. } => hint.is_none(),
            Error::Server { can_retry, .. } => *can_retry,
            _ => false,
        }
    }
}

/// Whether the request certainly never reached the gateway.
fn never_sent(err: &Error) -> bool {
    matches!(err, Error::Transport { source, .. }
        if source.kind() == std::io::ErrorKind::ConnectionRefused)
}

/// The error of a call that gave up after `attempts` attempts.
pub(crate) fn give_up(method: &'static str, attempts: u32, started: Instant, last: Error) -> Error {
    if attempts <= 1 {
        return last;
    }
    Error::RetriesExhausted {
        method,
        attempts,
        elapsed: started.elapsed(),
        last: Box::new(last),
    }
}

/// A number in `[0, 1)` from a xorshift generator seeded from the clock and
/// a counter: jitter needs spread, not quality.
fn unit_random() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut x = COUNTER
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(nanos)
        | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    fn transport(kind: io::ErrorKind) -> Error {
        Error::Transport {
            addr: "h:1".into(),
            source: io::Error::new(kind, "x").into(),
        }
    }

    #[test]
    fn backoff_stays_within_its_bound() {
        let p = RetryPolicy::new()
            .initial_backoff(Duration::from_millis(10))
            .max_backoff(Duration::from_millis(35));
        for _ in 0..200 {
            assert!(p.backoff(1) <= Duration::from_millis(10));
            assert!(p.backoff(2) <= Duration::from_millis(20));
            assert!(p.backoff(3) <= Duration::from_millis(35));
            assert!(p.backoff(40) <= Duration::from_millis(35));
        }
        let spread: std::collections::HashSet<_> = (0..50).map(|_| p.backoff(3)).collect();
        assert!(spread.len() > 1, "jitter varies the delays");
    }

    #[test]
    fn calls_are_classified() {
        let p = RetryPolicy::new();
        let cut = transport(io::ErrorKind::ConnectionReset);
        assert!(p.should_retry(Retry::Idempotent, &cut));
        assert!(!p.should_retry(Retry::NonIdempotent, &cut));
        assert!(!p.should_retry(Retry::Never, &cut));
        assert!(p
            .retry_non_idempotent(true)
            .should_retry(Retry::NonIdempotent, &cut));
        // A refused connection never carried the request.
        let refused = transport(io::ErrorKind::ConnectionRefused);
        assert!(p.should_retry(Retry::NonIdempotent, &refused));
        let no_retry = Error::Server {
            message: "TableNotFound".into(),
            can_retry: false,
        };
        assert!(!p.should_retry(Retry::Idempotent, &no_retry));
        let may_retry = Error::Server {
            message: "region moving".into(),
            can_retry: true,
        };
        assert!(p.should_retry(Retry::Idempotent, &may_retry));
        assert!(!p.should_retry(
            Retry::Idempotent,
            &Error::IllegalArgument {
                message: "x".into()
            }
        ));
        assert!(!p.should_retry(
            Retry::Idempotent,
            &Error::Protocol {
                addr: "h:1".into(),
                message: "mismatch".into()
            }
        ));
    }

    #[test]
    fn timeouts_hinting_at_a_mismatch_are_not_retried() {
        let p = RetryPolicy::new();
        let slow = |hint| Error::Timeout {
            method: "getRow",
            timeout: Duration::from_secs(1),
            hint,
        };
        assert!(p.should_retry(Retry::Idempotent, &slow(None)));
        assert!(!p.should_retry(Retry::Idempotent, &slow(Some("mismatch?"))));
    }

    #[test]
    fn giving_up_keeps_the_last_error() {
        let started = Instant::now();
        let once = give_up("getRow", 1, started, transport(io::ErrorKind::TimedOut));
        assert!(matches!(once, Error::Transport { .. }));
        let many = give_up("getRow", 3, started, transport(io::ErrorKind::TimedOut));
        assert!(matches!(many, Error::RetriesExhausted { attempts: 3, .. }));
        assert!(many.is_retryable() && many.is_timeout());
        assert!(matches!(many.last_attempt(), Error::Transport { .. }));
        assert!(many.to_string().contains("after 3 attempts"));
    }

    /// Counts the debug events that carry an `attempt` field.
    struct RetryEvents(std::sync::Arc<std::sync::atomic::AtomicUsize>);

    impl tracing::Subscriber for RetryEvents {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let meta = event.metadata();
            if *meta.level() == tracing::Level::DEBUG && meta.fields().field("attempt").is_some() {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn each_retry_is_logged_at_debug_level() {
        // A port with nothing listening: every attempt is refused.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap();
        let events = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let subscriber = RetryEvents(std::sync::Arc::clone(&events));
        let err = tracing::subscriber::with_default(subscriber, || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let conn = crate::Connection::builder()
                    .addr(addr)
                    .timeout(Duration::from_secs(5))
                    .retry_policy(
                        RetryPolicy::new()
                            .max_attempts(3)
                            .initial_backoff(Duration::from_millis(1)),
                    )
                    .build();
                conn.tables().await.unwrap_err()
            })
        });
        assert!(
            matches!(err, Error::RetriesExhausted { attempts: 3, .. }),
            "{err:?}"
        );
        assert_eq!(events.load(Ordering::Relaxed), 2, "one event per retry");
    }

    #[test]
    fn defaults() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_attempts, 4);
        assert_eq!(
            p.deadline_for(Duration::from_secs(30)),
            Duration::from_secs(60)
        );
        assert_eq!(RetryPolicy::none().max_attempts, 1);
        assert_eq!(RetryPolicy::new().max_attempts(0).max_attempts, 1);
    }
}
