//! How a case makes its calls and how each reply is recorded.
//!
//! A reply is rendered as text that names every field the comparison
//! holds; an error is rendered as its kind (`IOError`, `IllegalArgument`,
//! `AlreadyExists`, `TApplicationException(kind)`), not its message, which
//! is the server's own prose (a Java stack trace on HBase). Timestamps at or
//! above [`SERVER_TIME`] were chosen by the server: they are replaced by
//! their rank among the case's server-chosen timestamps (`@now#0`,
//! `@now#1`, ...), so that two servers agree when their clocks order the
//! writes alike.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;

use hbase_orm_tests::hbase::{
    AlreadyExists, ColumnDescriptor, IOError, IllegalArgument, TCell, THbaseSyncClient,
    TRegionInfo, TRowResult,
};
use hbase_orm_tests::hbase2::{TIOError, TIllegalArgument};
use hbase_orm_tests::{client_over, thrift, SyncClient, Wire};

/// Timestamps from here on (2001-09-09 in ms) were picked by the server;
/// the cases only ever write smaller ones.
pub(crate) const SERVER_TIME: i64 = 1_000_000_000_000;

/// The generated client of one service, as a session drives it.
pub(crate) trait Gateway: Sized {
    /// Connects to `addr` over `wire`.
    fn connect(addr: SocketAddr, wire: Wire) -> Self;
    /// Drops every table whose name starts with `prefix` (best effort).
    fn drop_tables(&mut self, prefix: &str);
}

impl Gateway for SyncClient {
    fn connect(addr: SocketAddr, wire: Wire) -> Self {
        client_over(addr, wire)
    }

    fn drop_tables(&mut self, prefix: &str) {
        let Ok(names) = self.get_table_names() else {
            return;
        };
        for name in names {
            if name.starts_with(prefix.as_bytes()) {
                let _ = self.disable_table(name.clone());
                let _ = self.delete_table(name);
            }
        }
    }
}

/// One scripted sequence of calls on the service whose client is `C`.
pub(crate) struct Case<C = SyncClient> {
    /// Unique within its service; the first part of a known-difference key.
    pub(crate) name: &'static str,
    /// The script.
    pub(crate) run: fn(&mut Session<C>),
}

/// One recorded step.
pub(crate) struct Record {
    /// The step's name, unique within the case.
    pub(crate) label: String,
    /// The rendered reply.
    pub(crate) reply: String,
}

/// A case running against one target.
pub(crate) struct Session<C = SyncClient> {
    client: C,
    addr: SocketAddr,
    wire: Wire,
    prefix: String,
    records: Vec<Record>,
}

/// Plays `case` against the gateway at `addr` (reached over `wire`) with
/// tables named from `prefix`; drops those tables afterwards.
pub(crate) fn play<C: Gateway>(
    case: &Case<C>,
    addr: SocketAddr,
    wire: Wire,
    prefix: &str,
) -> Vec<Record> {
    let mut session = Session {
        client: C::connect(addr, wire),
        addr,
        wire,
        prefix: format!("{prefix}_{}_", case.name),
        records: Vec::new(),
    };
    (case.run)(&mut session);
    let prefix = session.prefix.clone();
    session.client.drop_tables(&prefix);
    rank_server_timestamps(session.records)
}

impl<C: Gateway> Session<C> {
    /// The case's prefix of table (and namespace) names.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The case's table called `name` (prefixed so that no two cases or runs
    /// meet).
    pub(crate) fn t(&self, name: &str) -> Vec<u8> {
        format!("{}{name}", self.prefix).into_bytes()
    }

    /// Makes the call `f` and records its reply under `label`; returns the
    /// value on success.
    pub(crate) fn call<T: Render>(
        &mut self,
        label: &str,
        f: impl FnOnce(&mut C) -> thrift::Result<T>,
    ) -> Option<T> {
        let result = f(&mut self.client);
        let reply = match &result {
            Ok(value) => {
                let mut out = String::from("ok ");
                value.render(&self.prefix, &mut out);
                out
            }
            Err(e) => self.error(e),
        };
        self.record(label, reply);
        result.ok()
    }

    /// Records `reply` under `label` without a call (for values a case
    /// derives itself).
    pub(crate) fn record(&mut self, label: &str, reply: String) {
        assert!(
            self.records.iter().all(|r| r.label != label),
            "two steps are called {label}"
        );
        self.records.push(Record {
            label: label.to_owned(),
            reply,
        });
    }

    /// The kind of `e`; reconnects after a transport or protocol error
    /// (the stream is then out of step).
    fn error(&mut self, e: &thrift::Error) -> String {
        match e {
            thrift::Error::User(inner) => {
                if inner.downcast_ref::<IOError>().is_some() {
                    "IOError".to_owned()
                } else if inner.downcast_ref::<IllegalArgument>().is_some() {
                    "IllegalArgument".to_owned()
                } else if inner.downcast_ref::<AlreadyExists>().is_some() {
                    "AlreadyExists".to_owned()
                } else if inner.downcast_ref::<TIOError>().is_some() {
                    "TIOError".to_owned()
                } else if inner.downcast_ref::<TIllegalArgument>().is_some() {
                    "TIllegalArgument".to_owned()
                } else {
                    format!("user exception {inner}")
                }
            }
            thrift::Error::Application(app) => {
                format!("TApplicationException({:?})", app.kind)
            }
            other => {
                self.client = C::connect(self.addr, self.wire);
                let kind = match other {
                    thrift::Error::Transport(_) => "transport",
                    _ => "protocol",
                };
                format!("{kind} error (connection reset)")
            }
        }
    }
}

/// Replaces server-chosen timestamps (`@now=N`) by their rank in the case.
fn rank_server_timestamps(records: Vec<Record>) -> Vec<Record> {
    let mut seen = std::collections::BTreeSet::new();
    for r in &records {
        for n in server_stamps(&r.reply) {
            seen.insert(n);
        }
    }
    let rank: BTreeMap<i64, usize> = seen.into_iter().enumerate().map(|(i, n)| (n, i)).collect();
    records
        .into_iter()
        .map(|r| {
            let mut reply = r.reply;
            for (n, i) in rank.iter().rev() {
                reply = reply.replace(&format!("@now={n}"), &format!("@now#{i}"));
            }
            Record {
                label: r.label,
                reply,
            }
        })
        .collect()
}

fn server_stamps(text: &str) -> Vec<i64> {
    text.match_indices("@now=")
        .filter_map(|(i, m)| {
            let digits: String = text[i + m.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect()
}

/// A reply rendered for comparison.
pub(crate) trait Render {
    /// Appends the rendering to `out`; `prefix` is the case's table prefix
    /// (table names are shown without it, and other tables are left out).
    fn render(&self, prefix: &str, out: &mut String);
}

/// Bytes as text when printable, else hex.
pub(crate) fn bytes(b: &[u8], out: &mut String) {
    if b.iter().all(|c| (0x20..0x7f).contains(c)) {
        let _ = write!(out, "'{}'", String::from_utf8_lossy(b));
    } else {
        out.push_str("0x");
        for c in b {
            let _ = write!(out, "{c:02x}");
        }
    }
}

/// A timestamp: as it is when the case chose it, else as `@now=N` (ranked
/// later).
pub(crate) fn stamp(ts: Option<i64>, out: &mut String) {
    match ts {
        Some(ts) if ts >= SERVER_TIME => {
            let _ = write!(out, "@now={ts}");
        }
        Some(ts) => {
            let _ = write!(out, "@{ts}");
        }
        None => out.push_str("@none"),
    }
}

fn cell(c: &TCell, out: &mut String) {
    match &c.value {
        Some(v) => bytes(v, out),
        None => out.push_str("(no value)"),
    }
    stamp(c.timestamp, out);
}

impl Render for () {
    fn render(&self, _: &str, out: &mut String) {
        out.push_str("()");
    }
}

impl Render for bool {
    fn render(&self, _: &str, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Render for i64 {
    fn render(&self, _: &str, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl Render for String {
    fn render(&self, _: &str, out: &mut String) {
        out.push_str("(a string)");
    }
}

/// A scanner id: any value will do, so none is shown.
pub(crate) struct Scanner(pub(crate) i32);

impl Render for Scanner {
    fn render(&self, _: &str, out: &mut String) {
        out.push_str("(scanner)");
    }
}

impl Render for Vec<TCell> {
    fn render(&self, _: &str, out: &mut String) {
        out.push('[');
        for (i, c) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            cell(c, out);
        }
        out.push(']');
    }
}

impl Render for Vec<TRowResult> {
    fn render(&self, _: &str, out: &mut String) {
        out.push('[');
        for (i, r) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str("row ");
            bytes(r.row.as_deref().unwrap_or_default(), out);
            if let Some(columns) = &r.columns {
                out.push_str(" {");
                for (j, (name, c)) in columns.iter().enumerate() {
                    if j > 0 {
                        out.push_str(", ");
                    }
                    bytes(name, out);
                    out.push('=');
                    cell(c, out);
                }
                out.push('}');
            }
            if let Some(sorted) = &r.sorted_columns {
                out.push_str(" sorted [");
                for (j, col) in sorted.iter().enumerate() {
                    if j > 0 {
                        out.push_str(", ");
                    }
                    bytes(col.column_name.as_deref().unwrap_or_default(), out);
                    out.push('=');
                    if let Some(c) = &col.cell {
                        cell(c, out);
                    }
                }
                out.push(']');
            }
        }
        out.push(']');
    }
}

/// Table names: only the case's own, without the prefix, sorted.
impl Render for Vec<Vec<u8>> {
    fn render(&self, prefix: &str, out: &mut String) {
        let mut names: Vec<&[u8]> = self
            .iter()
            .filter_map(|n| n.strip_prefix(prefix.as_bytes()))
            .collect();
        names.sort();
        out.push('[');
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            bytes(n, out);
        }
        out.push(']');
    }
}

impl Render for BTreeMap<Vec<u8>, bool> {
    fn render(&self, prefix: &str, out: &mut String) {
        out.push('{');
        let mut first = true;
        for (name, enabled) in self {
            if let Some(n) = name.strip_prefix(prefix.as_bytes()) {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                bytes(n, out);
                let _ = write!(out, "={enabled}");
            }
        }
        out.push('}');
    }
}

impl Render for BTreeMap<Vec<u8>, ColumnDescriptor> {
    fn render(&self, _: &str, out: &mut String) {
        out.push('{');
        for (i, (name, d)) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            bytes(name, out);
            let _ = write!(
                out,
                " name={:?} versions={:?} compression={:?} in_memory={:?} bloom={:?} \
                 bloom_size={:?} bloom_hashes={:?} block_cache={:?} ttl={:?}",
                d.name.as_deref().map(String::from_utf8_lossy),
                d.max_versions,
                d.compression,
                d.in_memory,
                d.bloom_filter_type,
                d.bloom_filter_vector_size,
                d.bloom_filter_nb_hashes,
                d.block_cache_enabled,
                d.time_to_live
            );
        }
        out.push('}');
    }
}

/// Regions: their key ranges only (ids, names and servers are the server's
/// own).
impl Render for Vec<TRegionInfo> {
    fn render(&self, _: &str, out: &mut String) {
        out.push('[');
        for (i, r) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            bytes(r.start_key.as_deref().unwrap_or_default(), out);
            out.push_str("..");
            bytes(r.end_key.as_deref().unwrap_or_default(), out);
        }
        out.push(']');
    }
}

impl Render for TRegionInfo {
    fn render(&self, prefix: &str, out: &mut String) {
        vec![self.clone()].render(prefix, out);
    }
}
