//! Finding the proxy, logging in, and names no other test uses.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use hbase_orm::accumulo::{Authorizations, Connection, Connector, TimeType};

/// Timeout of test connections: a hang fails the test.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);

/// The authorizations the test principal is given (the same set by every
/// test, so tests running at once agree).
pub(crate) const AUTHS: [&str; 3] = ["A", "B", "secret"];

pub(crate) use hbase_orm_tests::accumulo::{proxy, Proxy};

/// A connection builder for `proxy`.
pub(crate) fn builder(proxy: &Proxy) -> hbase_orm::accumulo::ConnectionBuilder {
    let addr: std::net::SocketAddr = proxy
        .addr
        .parse()
        .expect("ACCUMULO_PROXY_ADDR is host:port");
    Connection::builder().addr(addr).timeout(TIMEOUT)
}

/// Logs in to `proxy` and gives the principal [`AUTHS`].
pub(crate) async fn connector(proxy: &Proxy) -> Connector {
    let connector = builder(proxy)
        .build()
        .login(&proxy.user, &proxy.password)
        .await
        .expect("login");
    connector
        .change_user_authorizations(&proxy.user, &Authorizations::from_iter(AUTHS))
        .await
        .expect("set the test authorizations");
    connector
}

/// A name no other test (or earlier run) uses, valid as a table, user or
/// namespace name.
pub(crate) fn unique(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh table (with the versioning iterator, millisecond time).
pub(crate) async fn table(connector: &Connector, prefix: &str) -> String {
    let name = unique(prefix);
    connector
        .create_table(&name, true, TimeType::MILLIS)
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e}"));
    name
}

/// Retries `check` until it returns `Some` (table settings such as
/// attached iterators and constraints reach the tablet servers through
/// ZooKeeper, a moment after the call that set them returns).
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..120 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{what}: never happened");
}
