//! Checks the layering ARCHITECTURE.md describes, on the crate's own
//! source: each layer folder imports only the layers below it, and no two
//! modules import each other, directly or in a ring.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Each layer and the layers it may import (`error` is open to all).
const ALLOWED: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("value", &[]),
    ("protocol", &["value"]),
    ("network", &["protocol", "value"]),
    ("thrift1", &["network", "protocol", "value"]),
    ("thrift2", &["thrift1", "network", "protocol", "value"]),
    ("accumulo", &["network", "protocol", "value"]),
    ("store", &["value"]),
    (
        "backend",
        &["store", "thrift1", "thrift2", "accumulo", "value"],
    ),
    ("typed", &["store", "value", "thrift1", "backend"]),
    (
        "blocking",
        &[
            "typed", "backend", "store", "thrift2", "thrift1", "accumulo", "network", "protocol",
            "value",
        ],
    ),
    ("__private", &["typed", "store"]),
    ("__bench", &["thrift1", "protocol", "value"]),
];

/// The layer of a name used at the crate root (a re-export in `lib.rs`).
fn root_layer(name: &str) -> Option<&'static str> {
    Some(match name {
        "codec" | "filter" | "repo" | "row" | "row_key" | "Repo" | "RepoScan" | "HRow" => "typed",
        "batch"
        | "connection"
        | "pool"
        | "retry"
        | "scan"
        | "table"
        | "Connection"
        | "ConnectionBuilder"
        | "Table"
        | "Scan"
        | "Batch"
        | "ConnectionPool"
        | "ConnectionPoolBuilder"
        | "PooledConnection"
        | "RetryPolicy"
        | "ColumnFamily" => "thrift1",
        "Row" | "Cell" | "Region" | "value" => "value",
        "Error" | "Result" | "error" => "error",
        "tls" | "network" => "network",
        "store" => "store",
        "backend" => "backend",
        "protocol" => "protocol",
        "typed" => "typed",
        "thrift1" => "thrift1",
        "thrift2" => "thrift2",
        "blocking" => "blocking",
        "__private" => "__private",
        "__bench" => "__bench",
        _ => return None,
    })
}

/// Every `.rs` file below `dir`, as its module path (`thrift1/table`).
fn modules(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        if path.is_dir() {
            modules(&path, &format!("{prefix}{name}/"), out);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let module = match stem {
                "mod" => prefix.trim_end_matches('/').to_owned(),
                _ => format!("{prefix}{stem}"),
            };
            let code = fs::read_to_string(&path).expect("read file");
            out.insert(module, code);
        }
    }
}

/// The code of a file without comments and without its test module.
fn code_of(source: &str) -> String {
    let body = source.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    body.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `crate::`/`super::` paths in `code`, as their segments.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &code[i..];
        let starts = (rest.starts_with("crate::") || rest.starts_with("super::"))
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        if !starts {
            i += 1;
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        out.push(
            rest[..end]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        );
        i += end.max(1);
    }
    out
}

/// The module a path names, from module `from`.
fn target(from: &str, path: &[String], known: &BTreeMap<String, String>) -> Option<String> {
    let mut base: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let mut rest = path;
    if rest.first().map(String::as_str) == Some("crate") {
        base.clear();
        rest = &rest[1..];
        if let Some(layer) = rest.first().and_then(|n| root_layer(n)) {
            let inner = rest.get(1).map(|s| format!("{layer}/{s}"));
            return Some(match inner {
                Some(m) if known.contains_key(&m) => m,
                _ if known.contains_key(&format!("{layer}/{}", rest[0])) => {
                    format!("{layer}/{}", rest[0])
                }
                _ => layer.to_owned(),
            });
        }
    }
    while rest.first().map(String::as_str) == Some("super") {
        base.pop();
        rest = &rest[1..];
    }
    let mut module = base.join("/");
    for seg in rest {
        let next = if module.is_empty() {
            seg.clone()
        } else {
            format!("{module}/{seg}")
        };
        if known.contains_key(&next) {
            module = next;
        } else {
            break;
        }
    }
    (!module.is_empty()).then_some(module)
}

fn layer(module: &str) -> &str {
    module.split('/').next().unwrap_or(module)
}

#[test]
fn layers_import_only_downward_and_modules_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut known = BTreeMap::new();
    modules(&src, "", &mut known);
    known.remove("lib");
    known.remove("layering");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (module, source) in &known {
        for path in paths(&code_of(source)) {
            let Some(to) = target(module, &path, &known) else {
                continue;
            };
            if to == *module || to.starts_with(&format!("{module}/")) {
                continue;
            }
            let (from_layer, to_layer) = (layer(module), layer(&to));
            if from_layer != to_layer && to_layer != "error" {
                let allowed = ALLOWED
                    .iter()
                    .find(|(l, _)| *l == from_layer)
                    .map_or(&[][..], |(_, a)| *a);
                if !allowed.contains(&to_layer) {
                    wrong.push(format!("{module} imports {}", path.join("::")));
                }
            }
            edges.entry(module.clone()).or_default().insert(to);
        }
    }
    assert!(wrong.is_empty(), "imports against the layering: {wrong:#?}");
    // A module reaching itself again is a cycle.
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = edges[start].iter().collect();
        while let Some(m) = todo.pop() {
            assert!(m != start, "module cycle through {start}");
            if seen.insert(m.clone()) {
                todo.extend(edges.get(m).into_iter().flatten());
            }
        }
    }
    // The check sees the imports it is meant to police.
    assert!(edges["thrift1/scan"].contains("thrift1/table"), "{edges:?}");
    assert!(
        edges["network/driver"].contains("protocol/method"),
        "{edges:?}"
    );
}
