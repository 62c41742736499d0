//! Client-side helpers: a target (an emulator, or the real gateway the
//! environment names) plus a connection speaking its combo.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hbase_orm::{ColumnFamily, Connection, Table};
use hbase_orm_tests::{target, Combo, Emulator, Wire, COMBOS};

/// Timeout of test connections: long enough for a loaded machine (and a
/// real HBase on it), short enough that a hang fails the test.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// A target and a connection to it.
///
/// On a real gateway the emulator still runs (tests name it) but nothing
/// talks to it; the connection carries a table prefix of its own, so that
/// tests sharing one HBase never meet, and dropping the fixture drops its
/// tables.
pub(crate) struct Fixture {
    pub(crate) emulator: Emulator,
    pub(crate) conn: Connection,
    /// The combination (over HTTP: buffered/binary, the protocol HTTP
    /// carries).
    pub(crate) combo: Combo,
    /// How the connection reaches the target.
    pub(crate) wire: Wire,
    /// The real gateway and this fixture's table prefix, when on one.
    pub(crate) real: Option<(SocketAddr, String)>,
    _cleanup: Cleanup,
}

/// Drops a real-target fixture's tables when the fixture goes (a field of
/// its own, so that tests may still move the emulator out of a fixture).
struct Cleanup(Option<(SocketAddr, String, Wire)>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some((addr, prefix, wire)) = &self.0 {
            target::drop_tables_over(*addr, prefix, *wire);
        }
    }
}

impl Fixture {
    /// A fresh emulator speaking `combo` and a connection to it, or to the
    /// real gateway of `combo` when the environment names one.
    pub(crate) async fn start(combo: Combo) -> Fixture {
        Fixture::start_over(Wire::Socket(combo)).await
    }

    /// A fresh emulator reached over `wire` (for [`Wire::Http`]: in HTTP
    /// mode) and a connection to it, or to the real gateway of `wire` when
    /// the environment names one.
    pub(crate) async fn start_over(wire: Wire) -> Fixture {
        let (emulator, combo) = match wire {
            Wire::Socket(combo) => (hbase_orm_tests::start(combo).await, combo),
            Wire::Http => (
                Emulator::builder()
                    .http()
                    .start()
                    .await
                    .unwrap_or_else(|e| panic!("emulator (http) did not start: {e}")),
                Combo::DEFAULT,
            ),
        };
        let real = target::real_wire_addr(wire).map(|addr| (addr, target::unique_prefix()));
        let cleanup = Cleanup(
            real.as_ref()
                .map(|(addr, prefix)| (*addr, prefix.clone(), wire)),
        );
        let mut f = Fixture {
            conn: connect(&emulator, combo).build(),
            emulator,
            combo,
            wire,
            real,
            _cleanup: cleanup,
        };
        f.conn = f.connect().build();
        f
    }

    /// A builder for another connection to this fixture's target (with its
    /// table prefix on a real gateway).
    pub(crate) fn connect(&self) -> hbase_orm::ConnectionBuilder {
        let builder = match &self.real {
            Some((addr, prefix)) => Connection::builder()
                .addr(*addr)
                .timeout(TIMEOUT)
                .table_prefix(prefix.clone()),
            None => Connection::builder()
                .addr(self.emulator.addr())
                .timeout(TIMEOUT),
        };
        match self.wire {
            Wire::Socket(combo) => builder.transport(combo.transport).protocol(combo.protocol),
            Wire::Http => builder.http(),
        }
    }

    /// The address this fixture's connection talks to.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.real
            .as_ref()
            .map_or_else(|| self.emulator.addr(), |(addr, _)| *addr)
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

/// Runs `test` once per combination, each on a fresh target. On a real
/// target, combinations without a gateway are skipped (printing why), and
/// each run's tables are dropped afterwards (by the fixture's `Drop`).
pub(crate) async fn each_combo<F, Fut>(test: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: Future<Output = ()>,
{
    for combo in COMBOS {
        if target::skip_combo(&current_test(), combo) {
            continue;
        }
        test(Fixture::start(combo).await).await;
    }
}

/// Runs `test` once per combination and once over HTTP (Thrift over HTTP
/// against the emulator's HTTP mode, or the real HTTP gateway), each on a
/// fresh target; skips as [`each_combo`] does.
pub(crate) async fn each_wire<F, Fut>(test: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: Future<Output = ()>,
{
    let wires = COMBOS.map(Wire::Socket);
    for wire in wires.into_iter().chain([Wire::Http]) {
        if target::skip_wire(&current_test(), wire) {
            continue;
        }
        test(Fixture::start_over(wire).await).await;
    }
}

/// The name of the running test (its thread's name), for skip messages.
pub(crate) fn current_test() -> String {
    std::thread::current().name().unwrap_or("a test").to_owned()
}

/// Whether the running test must be skipped because it only holds on the
/// emulator; prints `reason` when it is.
pub(crate) fn emulator_only(reason: &str) -> bool {
    hbase_orm_tests::target::emulator_only(&current_test(), reason)
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
