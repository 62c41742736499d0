//! Cell visibility: expressions over labels, evaluated against the
//! authorizations of a read, and the expressions the cells carry.
//!
//! An expression is made of labels (letters, digits and `_ - : . /`, or any
//! text in double quotes with `\"` and `\\` escapes), `!` (not), `&` (and),
//! `|` (or) and parentheses. `!` binds tightest, then `&`, then `|`. A cell
//! without an expression is visible to every read; a cell with one is
//! visible when the read's labels satisfy it.
//!
//! The expressions are kept beside the store, keyed by table, row, column
//! and timestamp (the store itself knows nothing of them), so they live as
//! long as the emulator process and are not written to a data directory.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;

/// A parsed visibility expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// A label the reader must hold.
    Label(String),
    /// The inner expression must not hold.
    Not(Box<Expr>),
    /// Both must hold.
    And(Box<Expr>, Box<Expr>),
    /// Either must hold.
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Whether a reader holding `labels` may see a cell with this expression.
    pub(crate) fn allows(&self, labels: &BTreeSet<String>) -> bool {
        match self {
            Expr::Label(l) => labels.contains(l),
            Expr::Not(e) => !e.allows(labels),
            Expr::And(a, b) => a.allows(labels) && b.allows(labels),
            Expr::Or(a, b) => a.allows(labels) || b.allows(labels),
        }
    }
}

/// Parses an expression; the error says what is wrong and where.
pub(crate) fn parse(text: &str) -> Result<Expr, String> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
    };
    let expr = parser.or()?;
    parser.skip_spaces();
    if parser.at < parser.chars.len() {
        return Err(format!(
            "invalid visibility expression {text:?}: unexpected {:?} at offset {}",
            parser.chars[parser.at], parser.at
        ));
    }
    Ok(expr)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn skip_spaces(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_spaces();
        self.chars.get(self.at).copied()
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek() == Some('|') {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.peek() == Some('&') {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some('!') => {
                self.at += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Some('(') => {
                self.at += 1;
                let inner = self.or()?;
                if self.peek() != Some(')') {
                    return Err(format!(
                        "invalid visibility expression: missing ')' at offset {}",
                        self.at
                    ));
                }
                self.at += 1;
                Ok(inner)
            }
            Some('"') => {
                self.at += 1;
                let mut label = String::new();
                loop {
                    match self.chars.get(self.at).copied() {
                        None => {
                            return Err("invalid visibility expression: unterminated quoted label"
                                .to_owned())
                        }
                        Some('"') => {
                            self.at += 1;
                            break;
                        }
                        Some('\\') => {
                            self.at += 1;
                            match self.chars.get(self.at).copied() {
                                Some(c @ ('"' | '\\')) => label.push(c),
                                _ => {
                                    return Err("invalid visibility expression: only \\\" and \\\\ are escapes in a quoted label".to_owned())
                                }
                            }
                            self.at += 1;
                        }
                        Some(c) => {
                            label.push(c);
                            self.at += 1;
                        }
                    }
                }
                Ok(Expr::Label(label))
            }
            Some(c) if is_label_char(c) => {
                let start = self.at;
                while self.chars.get(self.at).copied().is_some_and(is_label_char) {
                    self.at += 1;
                }
                Ok(Expr::Label(self.chars[start..self.at].iter().collect()))
            }
            Some(c) => Err(format!(
                "invalid visibility expression: unexpected {c:?} at offset {}",
                self.at
            )),
            None => Err("invalid visibility expression: a label is missing at the end".to_owned()),
        }
    }
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '/')
}

/// Where one cell version is: table, row, family, qualifier, timestamp.
pub(crate) type CellAt = (Bytes, Bytes, Bytes, Bytes, i64);

/// The expressions of the cells written with one, shared by every Thrift2
/// call.
#[derive(Debug, Default)]
pub(crate) struct Labels {
    cells: Mutex<HashMap<CellAt, Expr>>,
}

impl Labels {
    fn lock(&self) -> MutexGuard<'_, HashMap<CellAt, Expr>> {
        self.cells.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the expression of a cell version just written; `None` (a
    /// write without visibility) clears what an older write at the same
    /// timestamp left.
    pub(crate) fn set(&self, at: CellAt, expr: Option<Expr>) {
        let mut cells = self.lock();
        match expr {
            Some(expr) => {
                cells.insert(at, expr);
            }
            None => {
                cells.remove(&at);
            }
        }
    }

    /// Whether a reader with `labels` may see the cell version at `at`.
    pub(crate) fn visible(&self, at: &CellAt, labels: &BTreeSet<String>) -> bool {
        self.lock().get(at).map_or(true, |expr| expr.allows(labels))
    }

    /// Whether any cell carries an expression (reads skip the checks when
    /// none does).
    pub(crate) fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Forgets the expressions of a table's cells (the table was deleted or
    /// truncated).
    pub(crate) fn forget_table(&self, table: &[u8]) {
        self.lock().retain(|(t, ..), _| t.as_ref() != table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ls: &[&str]) -> BTreeSet<String> {
        ls.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let e = parse("a | b & !c").unwrap();
        assert!(e.allows(&labels(&["a"])));
        assert!(e.allows(&labels(&["b"])));
        assert!(!e.allows(&labels(&["b", "c"])));
        assert!(!e.allows(&labels(&[])));
        let e = parse("(secret|topsecret)&!probationary").unwrap();
        assert!(e.allows(&labels(&["secret"])));
        assert!(!e.allows(&labels(&["secret", "probationary"])));
        assert!(!e.allows(&labels(&["public"])));
    }

    #[test]
    fn quoted_labels_hold_any_text() {
        let e = parse(r#""a b&c" & "q\"x""#).unwrap();
        assert!(e.allows(&labels(&["a b&c", "q\"x"])));
        assert!(!e.allows(&labels(&["a b&c"])));
    }

    #[test]
    fn bad_expressions_say_why() {
        for (text, says) in [
            ("a &", "missing at the end"),
            ("(a | b", "missing ')'"),
            ("a b", "unexpected 'b'"),
            ("a # b", "unexpected '#'"),
            ("\"open", "unterminated"),
            ("", "missing"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(says), "{text:?}: {err}");
        }
    }

    #[test]
    fn cells_without_an_expression_are_visible_to_all() {
        let registry = Labels::default();
        let at: CellAt = (
            Bytes::from_static(b"t"),
            Bytes::from_static(b"r"),
            Bytes::from_static(b"f"),
            Bytes::from_static(b"q"),
            5,
        );
        assert!(registry.visible(&at, &labels(&[])));
        registry.set(at.clone(), Some(parse("x").unwrap()));
        assert!(!registry.visible(&at, &labels(&[])));
        assert!(registry.visible(&at, &labels(&["x"])));
        registry.set(at.clone(), None);
        assert!(registry.visible(&at, &labels(&[])));
        registry.set(at.clone(), Some(parse("x").unwrap()));
        registry.forget_table(b"t");
        assert!(registry.is_empty());
    }
}
