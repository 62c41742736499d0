//! Client-side helpers: an emulator plus a connection speaking its combo.

use std::future::Future;
use std::time::{Duration, Instant};

use hbase_orm::{ColumnFamily, Connection, Table};
use hbase_orm_tests::{Combo, Emulator, COMBOS};

/// Timeout of test connections: long enough for a loaded machine, short
/// enough that a hang fails the test.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(15);

/// An emulator and a connection to it.
pub(crate) struct Fixture {
    pub(crate) emulator: Emulator,
    pub(crate) conn: Connection,
    pub(crate) combo: Combo,
}

impl Fixture {
    /// A fresh emulator speaking `combo` and a connection to it.
    pub(crate) async fn start(combo: Combo) -> Fixture {
        let emulator = hbase_orm_tests::start(combo).await;
        let conn = connect(&emulator, combo).build();
        Fixture {
            emulator,
            conn,
            combo,
        }
    }

    /// Creates table `name` with families `cf` (3 versions) and `other`.
    pub(crate) async fn table(&self, name: &str) -> Table {
        self.conn
            .create_table(name, [ColumnFamily::new("cf"), ColumnFamily::new("other")])
            .await
            .unwrap_or_else(|e| panic!("{}: create {name}: {e}", self.combo));
        self.conn.table(name)
    }
}

/// A builder for a connection to `emulator` speaking `combo`.
pub(crate) fn connect(emulator: &Emulator, combo: Combo) -> hbase_orm::ConnectionBuilder {
    Connection::builder()
        .addr(emulator.addr())
        .transport(combo.transport)
        .protocol(combo.protocol)
        .timeout(TIMEOUT)
}

/// Runs `test` once per combination, each on a fresh emulator.
pub(crate) async fn each_combo<F, Fut>(test: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: Future<Output = ()>,
{
    for combo in COMBOS {
        test(Fixture::start(combo).await).await;
    }
}

/// Waits until `cond` holds, for at most 10 s.
pub(crate) async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Bytes of a string, for comparisons with `Bytes`.
pub(crate) fn b(s: &str) -> &[u8] {
    s.as_bytes()
}
