//! The target of the Thrift2 tests: an in-process emulator with its
//! Thrift2 service (the default), or the real Thrift2 gateway named by
//! `HBASE_THRIFT2_ADDR` (buffered transport, binary protocol, as
//! `engines/hbase.sh` starts it).
//!
//! With `HBASE_THRIFT2_TRANSPORT=http` every test speaks Thrift over HTTP
//! instead: to an emulator serving HTTP, or to the real Thrift2 HTTP
//! gateway named by `HBASE_THRIFT2_HTTP_ADDR`.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use hbase_orm::thrift2::{Connection, ConnectionBuilder, FamilyDescriptor, Table, TableDescriptor};
use hbase_orm_tests::{Combo, Emulator};

/// Long enough for a loaded machine and a real HBase, short enough that a
/// hang fails the test.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// The variable naming the real Thrift2 gateway.
pub(crate) const VARIABLE: &str = "HBASE_THRIFT2_ADDR";

/// The variable naming the real Thrift2 gateway in HTTP mode.
pub(crate) const HTTP_VARIABLE: &str = "HBASE_THRIFT2_HTTP_ADDR";

/// The variable that makes every test speak Thrift over HTTP (`http`).
pub(crate) const TRANSPORT_VARIABLE: &str = "HBASE_THRIFT2_TRANSPORT";

/// Whether the tests speak Thrift over HTTP (`HBASE_THRIFT2_TRANSPORT`).
pub(crate) fn over_http() -> bool {
    match std::env::var(TRANSPORT_VARIABLE) {
        Ok(v) if v == "http" => true,
        Ok(v) if v.is_empty() || v == "socket" => false,
        Ok(v) => panic!("{TRANSPORT_VARIABLE}={v:?}: expected http or socket"),
        Err(_) => false,
    }
}

/// The real Thrift2 gateway of the tests' transport, when the environment
/// names one.
pub(crate) fn real_addr() -> Option<SocketAddr> {
    let variable = if over_http() { HTTP_VARIABLE } else { VARIABLE };
    addr_of(variable)
}

/// The address in `variable`, if set.
pub(crate) fn addr_of(variable: &str) -> Option<SocketAddr> {
    let value = std::env::var(variable).ok()?;
    let addr = value
        .to_socket_addrs()
        .unwrap_or_else(|e| panic!("{variable}={value:?} is not host:port: {e}"))
        .next()
        .unwrap_or_else(|| panic!("{variable}={value:?} resolves to no address"));
    Some(addr)
}

/// A target and a Thrift2 connection to it; on real HBase the tables it
/// made are dropped when it goes.
pub(crate) struct T2 {
    pub(crate) conn: Connection,
    /// The emulator, when the target is one.
    pub(crate) emulator: Option<Emulator>,
    real: Option<SocketAddr>,
    tables: Mutex<Vec<String>>,
}

impl T2 {
    /// The default target (buffered, binary).
    pub(crate) async fn start() -> T2 {
        T2::start_combo(Combo::DEFAULT)
            .await
            .expect("the default combination always runs")
    }

    /// A target speaking `combo`; `None` (printed) on real HBase for any
    /// combination but the gateway's default.
    pub(crate) async fn start_combo(combo: Combo) -> Option<T2> {
        if over_http() && combo != Combo::DEFAULT {
            println!("SKIPPED thrift2 [{combo}] over HTTP: HTTP has one transport, binary");
            return None;
        }
        if let Some(addr) = real_addr() {
            if combo != Combo::DEFAULT {
                println!(
                    "SKIPPED thrift2 [{combo}] on real HBase: its gateway speaks buffered/binary"
                );
                return None;
            }
            return Some(T2 {
                conn: builder(addr, combo).build(),
                emulator: None,
                real: Some(addr),
                tables: Mutex::new(Vec::new()),
            });
        }
        let mut emulator = hbase_orm_tests::builder(combo);
        if over_http() {
            emulator = emulator.http();
        }
        let emulator = emulator
            .thrift2_bind("127.0.0.1:0".parse().expect("addr"))
            .start()
            .await
            .unwrap_or_else(|e| panic!("emulator ({combo}) did not start: {e}"));
        let addr = emulator.thrift2_addr().expect("thrift2 listener");
        Some(T2 {
            conn: builder(addr, combo).build(),
            emulator: Some(emulator),
            real: None,
            tables: Mutex::new(Vec::new()),
        })
    }

    /// Whether the target is real HBase.
    pub(crate) fn is_real(&self) -> bool {
        self.real.is_some()
    }

    /// A table name no other test of this run uses.
    pub(crate) fn name(&self, base: &str) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "t2x{}x{}_{base}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        self.tables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(name.clone());
        name
    }

    /// A fresh table with families `cf` (3 versions) and `other`.
    pub(crate) async fn table(&self, base: &str) -> Table {
        let name = self.name(base);
        let desc = TableDescriptor::new(name.clone())
            .family(FamilyDescriptor::new("cf").max_versions(3))
            .family(FamilyDescriptor::new("other"));
        self.conn
            .create_table(&desc, &[])
            .await
            .unwrap_or_else(|e| panic!("create {name}: {e}"));
        self.conn.table(name)
    }
}

/// A builder for a Thrift2 connection to `addr` speaking `combo` (over
/// HTTP when the tests do).
pub(crate) fn builder(addr: SocketAddr, combo: Combo) -> ConnectionBuilder {
    let b = Connection::builder()
        .addr(addr)
        .transport(combo.transport)
        .protocol(combo.protocol)
        .timeout(TIMEOUT);
    if over_http() {
        b.http()
    } else {
        b
    }
}

impl Drop for T2 {
    fn drop(&mut self) {
        let Some(addr) = self.real else { return };
        let tables = std::mem::take(&mut *self.tables.lock().unwrap_or_else(|e| e.into_inner()));
        // From a thread and runtime of its own: a Drop inside a test's
        // runtime cannot block on it.
        let dropper = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let conn = builder(addr, Combo::DEFAULT)
                    .timeout(Duration::from_secs(60))
                    .build();
                for name in tables {
                    if !conn.table_exists(&name).await.unwrap_or(false) {
                        continue;
                    }
                    let _ = conn.disable_table(&name).await;
                    if let Err(e) = conn.delete_table(&name).await {
                        println!("could not drop {name}: {e}");
                    }
                }
            });
        });
        let _ = dropper.join();
    }
}
