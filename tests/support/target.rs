//! The target a suite runs against: the in-process emulator (the default) or
//! a real HBase Thrift gateway named by the environment.
//!
//! One variable per transport × protocol combination:
//!
//! | combination        | variable                              |
//! |--------------------|---------------------------------------|
//! | buffered / binary  | `HBASE_THRIFT_ADDR`                   |
//! | buffered / compact | `HBASE_THRIFT_BUFFERED_COMPACT_ADDR`  |
//! | framed / binary    | `HBASE_THRIFT_FRAMED_BINARY_ADDR`     |
//! | framed / compact   | `HBASE_THRIFT_FRAMED_COMPACT_ADDR`    |
//!
//! Beside them, [`HTTP_VARIABLE`] names the Thrift1 gateway in HTTP mode
//! and [`THRIFT2_VARIABLE`] the Thrift2 gateway (buffered, binary).
//!
//! `engines/hbase.sh start` writes the first and the last of the table and
//! the two others to `target/engines/hbase.env`. When any of them is set the suites run on
//! the real gateways: combinations without a variable are skipped, and so
//! are tests that can only hold on the emulator, each printing why.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Combo, Protocol, Transport, Wire};

/// The variable naming the real Thrift1 gateway in HTTP mode.
pub const HTTP_VARIABLE: &str = "HBASE_THRIFT_HTTP_ADDR";

/// The variable naming the real Thrift2 gateway (buffered, binary).
pub const THRIFT2_VARIABLE: &str = "HBASE_THRIFT2_ADDR";

/// The variable naming the real gateway of `combo`.
pub fn variable(combo: Combo) -> &'static str {
    match (combo.transport, combo.protocol) {
        (Transport::Buffered, Protocol::Binary) => "HBASE_THRIFT_ADDR",
        (Transport::Buffered, Protocol::Compact) => "HBASE_THRIFT_BUFFERED_COMPACT_ADDR",
        (Transport::Framed, Protocol::Binary) => "HBASE_THRIFT_FRAMED_BINARY_ADDR",
        (Transport::Framed, Protocol::Compact) => "HBASE_THRIFT_FRAMED_COMPACT_ADDR",
    }
}

/// Whether the environment names any real gateway: the suites then run on
/// real HBase instead of the emulator.
pub fn is_real() -> bool {
    crate::COMBOS
        .iter()
        .any(|&c| std::env::var_os(variable(c)).is_some())
        || std::env::var_os(HTTP_VARIABLE).is_some()
}

/// The real gateway speaking `combo`, if the environment names one.
///
/// # Panics
/// When the variable is set but is not a `host:port` that resolves: a
/// misconfigured run must fail, not quietly fall back to the emulator.
pub fn real_addr(combo: Combo) -> Option<SocketAddr> {
    addr_of(variable(combo))
}

/// The real Thrift1 gateway of `wire` ([`real_addr`] of a socket
/// combination, or the HTTP gateway), if the environment names one.
///
/// # Panics
/// As [`real_addr`].
pub fn real_wire_addr(wire: Wire) -> Option<SocketAddr> {
    addr_of(wire_variable(wire))
}

/// The variable naming the real Thrift1 gateway of `wire`.
pub fn wire_variable(wire: Wire) -> &'static str {
    match wire {
        Wire::Socket(combo) => variable(combo),
        Wire::Http => HTTP_VARIABLE,
    }
}

/// The real Thrift2 gateway, if the environment names one.
///
/// # Panics
/// As [`real_addr`].
pub fn real_thrift2_addr() -> Option<SocketAddr> {
    addr_of(THRIFT2_VARIABLE)
}

/// The address in variable `name`, if set.
fn addr_of(name: &str) -> Option<SocketAddr> {
    let value = std::env::var(name).ok()?;
    let addr = value
        .to_socket_addrs()
        .unwrap_or_else(|e| panic!("{name}={value:?} is not host:port: {e}"))
        .next()
        .unwrap_or_else(|| panic!("{name}={value:?} resolves to no address"));
    Some(addr)
}

/// Whether a test that needs `combo` must be skipped: on a real target
/// without a gateway for it. Prints the reason when it is.
pub fn skip_combo(test: &str, combo: Combo) -> bool {
    if is_real() && real_addr(combo).is_none() {
        println!(
            "SKIPPED {test} [{combo}]: real target, but {} is not set",
            variable(combo)
        );
        return true;
    }
    false
}

/// Whether a test over `wire` must be skipped: on a real target without
/// a gateway for it. Prints the reason when it is.
pub fn skip_wire(test: &str, wire: Wire) -> bool {
    if is_real() && real_wire_addr(wire).is_none() {
        println!(
            "SKIPPED {test} [{wire}]: real target, but {} is not set",
            wire_variable(wire)
        );
        return true;
    }
    false
}

/// Whether a test that only holds on the emulator must be skipped: on a
/// real target. Prints `reason` when it is.
pub fn emulator_only(test: &str, reason: &str) -> bool {
    if is_real() {
        println!("SKIPPED {test}: emulator only: {reason}");
        return true;
    }
    false
}

/// A table-name prefix no other test of this process uses, so that tests
/// sharing one real HBase never see each other's tables.
pub fn unique_prefix() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "it{}x{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Drops every table of prefix `prefix` on the real gateway at `addr`
/// (speaking `combo`), from a thread and runtime of its own so that a
/// fixture's `Drop` can call it from inside a test's runtime. Failures are
/// printed, not raised: the data directory of a test HBase is thrown away
/// anyway.
pub fn drop_tables(addr: SocketAddr, prefix: &str, combo: Combo) {
    drop_tables_over(addr, prefix, Wire::Socket(combo));
}

/// [`drop_tables`] over any [`Wire`].
pub fn drop_tables_over(addr: SocketAddr, prefix: &str, wire: Wire) {
    let prefix = prefix.to_owned();
    let dropper = std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => return println!("could not drop the tables of {prefix}: {e}"),
        };
        runtime.block_on(async {
            let builder = hbase_orm::Connection::builder()
                .addr(addr)
                .timeout(std::time::Duration::from_secs(60))
                .table_prefix(prefix.clone());
            let conn = match wire {
                Wire::Socket(combo) => builder.transport(combo.transport).protocol(combo.protocol),
                Wire::Http => builder.http(),
            }
            .build();
            let names = match conn.tables().await {
                Ok(names) => names,
                Err(e) => return println!("could not list the tables of {prefix}: {e}"),
            };
            for name in names {
                if let Err(e) = conn.delete_table(&name, true).await {
                    println!("could not drop {prefix}_{name}: {e}");
                }
            }
        });
    });
    if dropper.join().is_err() {
        println!("dropping the tables of a real-target test panicked");
    }
}
