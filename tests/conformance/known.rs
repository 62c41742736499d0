//! The table of known differences between the emulator and real HBase.
//!
//! `known-differences.txt`, beside this file: one entry a line,
//! `service/case/step | reason`; `#` starts a comment. A step name may end
//! in `*` to cover every step of that prefix. Every entry says why the
//! difference is left.

use std::collections::BTreeMap;

/// The parsed table.
pub(crate) struct Known {
    entries: BTreeMap<String, String>,
}

/// Reads the table; panics on a malformed line (the table is part of the
/// suite: a broken one must not silently tolerate nothing).
pub(crate) fn load() -> Known {
    let text = include_str!("known-differences.txt");
    let mut entries = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, reason) = line
            .split_once('|')
            .unwrap_or_else(|| panic!("known-differences.txt:{}: no `|` before the reason", n + 1));
        let (key, reason) = (key.trim(), reason.trim());
        assert!(
            key.split('/').count() == 3 && !reason.is_empty(),
            "known-differences.txt:{}: want `service/case/step | reason`",
            n + 1
        );
        entries.insert(key.to_owned(), reason.to_owned());
    }
    Known { entries }
}

impl Known {
    /// Why the divergence at `key` (`service/case/step`) is left, if listed.
    pub(crate) fn reason(&self, key: &str) -> Option<&str> {
        self.entries.iter().find_map(|(k, reason)| {
            let hit = match k.strip_suffix('*') {
                Some(prefix) => key.starts_with(prefix),
                None => k == key,
            };
            hit.then_some(reason.as_str())
        })
    }
}
