//! Cell visibility expressions and authorization sets, checked on the
//! client before anything is sent.
//!
//! A visibility expression is built of terms joined by `&` (and) and `|`
//! (or), grouped with parentheses; `&` and `|` may not be mixed at one level
//! without parentheses. A term is a run of `A-Z a-z 0-9 _ - . : /`, or any
//! bytes in double quotes with `\"` and `\\` escapes. The empty expression
//! labels a cell visible to every reader.

use std::collections::BTreeSet;
use std::fmt;

use crate::error::{Error, Result};

/// A checked cell visibility expression.
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::{Authorizations, ColumnVisibility};
///
/// let vis = ColumnVisibility::parse("admin&(audit|\"ops team\")")?;
/// assert!(vis.is_visible_to(&Authorizations::from_iter(["admin", "audit"])));
/// assert!(!vis.is_visible_to(&Authorizations::from_iter(["audit"])));
/// assert!(ColumnVisibility::parse("a&b|c").is_err());
/// # Ok::<(), hbase_orm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ColumnVisibility {
    expression: Vec<u8>,
    tree: Option<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Node {
    Term(Vec<u8>),
    And(Vec<Node>),
    Or(Vec<Node>),
}

impl Node {
    fn evaluate(&self, auths: &Authorizations) -> bool {
        match self {
            Node::Term(t) => auths.contains(t),
            Node::And(children) => children.iter().all(|c| c.evaluate(auths)),
            Node::Or(children) => children.iter().any(|c| c.evaluate(auths)),
        }
    }
}

/// Whether `b` may stand in an unquoted term.
fn is_term_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/')
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> Error {
        Error::InvalidInput(format!(
            "malformed visibility expression {:?}: {what} at byte {}",
            String::from_utf8_lossy(self.input),
            self.pos
        ))
    }

    /// expression := operand ((`&` operand)* | (`|` operand)*)
    fn expression(&mut self) -> Result<Node> {
        let first = self.operand()?;
        let mut op: Option<u8> = None;
        let mut children = vec![first];
        while let Some(&b) = self.input.get(self.pos) {
            match b {
                b'&' | b'|' => {
                    if op.is_some_and(|o| o != b) {
                        return Err(self.error("`&` and `|` mixed without parentheses"));
                    }
                    op = Some(b);
                    self.pos += 1;
                    children.push(self.operand()?);
                }
                b')' => break,
                _ => return Err(self.error("expected `&`, `|` or `)`")),
            }
        }
        Ok(match op {
            None => children.pop().unwrap_or(Node::And(Vec::new())),
            Some(b'&') => Node::And(children),
            Some(_) => Node::Or(children),
        })
    }

    /// operand := `(` expression `)` | term | quoted term
    fn operand(&mut self) -> Result<Node> {
        match self.input.get(self.pos) {
            None => Err(self.error("an operand is missing")),
            Some(b'(') => {
                self.pos += 1;
                if self.input.get(self.pos) == Some(&b')') {
                    return Err(self.error("empty parentheses"));
                }
                let inner = self.expression()?;
                if self.input.get(self.pos) != Some(&b')') {
                    return Err(self.error("`(` without its `)`"));
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(b'"') => {
                self.pos += 1;
                let mut term = Vec::new();
                loop {
                    match self.input.get(self.pos) {
                        None => return Err(self.error("unterminated quoted term")),
                        Some(b'"') => {
                            self.pos += 1;
                            break;
                        }
                        Some(b'\\') => match self.input.get(self.pos + 1) {
                            Some(&c @ (b'"' | b'\\')) => {
                                term.push(c);
                                self.pos += 2;
                            }
                            _ => {
                                return Err(self.error(
                                    "only `\\\"` and `\\\\` may be escaped in a quoted term",
                                ))
                            }
                        },
                        Some(&c) => {
                            term.push(c);
                            self.pos += 1;
                        }
                    }
                }
                if term.is_empty() {
                    return Err(self.error("empty quoted term"));
                }
                Ok(Node::Term(term))
            }
            Some(&b) if is_term_byte(b) => {
                let start = self.pos;
                while self.input.get(self.pos).is_some_and(|&b| is_term_byte(b)) {
                    self.pos += 1;
                }
                Ok(Node::Term(self.input[start..self.pos].to_vec()))
            }
            Some(_) => {
                Err(self.error("a term may only hold `A-Z a-z 0-9 _ - . : /` unless quoted"))
            }
        }
    }
}

impl ColumnVisibility {
    /// The empty expression: visible to every reader.
    pub fn empty() -> Self {
        ColumnVisibility::default()
    }

    /// Parses and checks an expression.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the expression, the fault and its
    /// byte offset.
    pub fn parse(expression: impl AsRef<[u8]>) -> Result<Self> {
        let input = expression.as_ref();
        if input.is_empty() {
            return Ok(ColumnVisibility::empty());
        }
        let mut parser = Parser { input, pos: 0 };
        let tree = parser.expression()?;
        if parser.pos != input.len() {
            return Err(parser.error("`)` without its `(`"));
        }
        Ok(ColumnVisibility {
            expression: input.to_vec(),
            tree: Some(tree),
        })
    }

    /// The expression as given.
    pub fn as_bytes(&self) -> &[u8] {
        &self.expression
    }

    /// Whether this is the empty expression.
    pub fn is_empty(&self) -> bool {
        self.expression.is_empty()
    }

    /// Whether a reader holding `auths` sees a cell with this label.
    pub fn is_visible_to(&self, auths: &Authorizations) -> bool {
        self.tree.as_ref().map_or(true, |t| t.evaluate(auths))
    }
}

impl fmt::Display for ColumnVisibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.expression))
    }
}

/// Quotes `term` for use in a visibility expression when it needs it.
///
/// # Examples
/// ```
/// assert_eq!(hbase_orm::accumulo::quote_term("ops team"), "\"ops team\"");
/// assert_eq!(hbase_orm::accumulo::quote_term("admin"), "admin");
/// ```
pub fn quote_term(term: &str) -> String {
    if !term.is_empty() && term.bytes().all(is_term_byte) {
        return term.to_owned();
    }
    let mut out = String::with_capacity(term.len() + 2);
    out.push('"');
    for c in term.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A set of authorizations: the labels a scan may see, or a user holds.
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::Authorizations;
///
/// let auths = Authorizations::from_iter(["A", "B"]);
/// assert!(auths.contains("A"));
/// assert_eq!(auths.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Authorizations {
    auths: BTreeSet<Vec<u8>>,
}

impl Authorizations {
    /// No authorizations: only unlabelled cells are visible.
    pub fn empty() -> Self {
        Authorizations::default()
    }

    /// Adds one authorization.
    pub fn insert(&mut self, auth: impl AsRef<[u8]>) {
        self.auths.insert(auth.as_ref().to_vec());
    }

    /// Whether `auth` is in the set.
    pub fn contains(&self, auth: impl AsRef<[u8]>) -> bool {
        self.auths.contains(auth.as_ref())
    }

    /// How many authorizations the set holds.
    pub fn len(&self) -> usize {
        self.auths.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.auths.is_empty()
    }

    /// The authorizations, in byte order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.auths.iter().map(Vec::as_slice)
    }

    /// The set as sent to the proxy, refusing an empty authorization.
    pub(crate) fn to_wire(&self) -> Result<BTreeSet<Vec<u8>>> {
        if self.auths.iter().any(Vec::is_empty) {
            return Err(Error::InvalidInput(
                "an authorization may not be empty".to_owned(),
            ));
        }
        Ok(self.auths.clone())
    }

    pub(crate) fn from_wire(auths: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Authorizations {
            auths: auths.into_iter().collect(),
        }
    }
}

impl<A: AsRef<[u8]>> FromIterator<A> for Authorizations {
    fn from_iter<I: IntoIterator<Item = A>>(iter: I) -> Self {
        Authorizations {
            auths: iter.into_iter().map(|a| a.as_ref().to_vec()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auths(list: &[&str]) -> Authorizations {
        list.iter().collect()
    }

    #[test]
    fn well_formed_expressions_evaluate_as_accumulo_does() {
        let cases: &[(&str, &[&str], bool)] = &[
            ("", &[], true),
            ("A", &["A"], true),
            ("A", &["B"], false),
            ("A&B", &["A"], false),
            ("A&B", &["A", "B"], true),
            ("A|B", &["B"], true),
            ("(A|B)&C", &["A", "C"], true),
            ("(A|B)&C", &["A"], false),
            ("A&(B|(C&D))", &["A", "C", "D"], true),
            ("\"a b\"&c", &["a b", "c"], true),
            ("\"q\\\"x\"", &["q\"x"], true),
            ("a.b:c/d-e_f", &["a.b:c/d-e_f"], true),
            ("((A))", &["A"], true),
        ];
        for (expr, held, visible) in cases {
            let vis = ColumnVisibility::parse(expr).unwrap();
            assert_eq!(
                vis.is_visible_to(&auths(held)),
                *visible,
                "{expr} with {held:?}"
            );
            assert_eq!(vis.as_bytes(), expr.as_bytes());
        }
    }

    #[test]
    fn malformed_expressions_are_refused_with_the_reason() {
        for (expr, reason) in [
            ("A&B|C", "mixed"),
            ("A&", "missing"),
            ("&A", "unless quoted"),
            ("()", "empty parentheses"),
            ("(A", "without its `)`"),
            ("A)", "without its `(`"),
            ("A B", "expected"),
            ("\"\"", "empty quoted"),
            ("\"abc", "unterminated"),
            ("\"a\\b\"", "escaped"),
            ("A|", "missing"),
            ("é", "unless quoted"),
        ] {
            let err = ColumnVisibility::parse(expr).unwrap_err().to_string();
            assert!(err.contains(reason), "{expr}: {err}");
            assert!(err.contains("malformed visibility"), "{expr}: {err}");
        }
    }

    #[test]
    fn quoting_makes_any_term_parse_back_to_itself() {
        for term in ["plain", "with space", "q\"uote", "back\\slash", "é"] {
            let quoted = quote_term(term);
            let vis = ColumnVisibility::parse(&quoted).unwrap();
            assert!(vis.is_visible_to(&auths(&[term])), "{term} -> {quoted}");
        }
    }

    #[test]
    fn empty_authorizations_are_refused() {
        let set: Authorizations = ["A", ""].into_iter().collect();
        assert!(set.to_wire().is_err());
    }
}
