//! Column visibility expressions: parsed and checked when written, evaluated
//! against a scan's authorizations when read.
//!
//! The language: terms of `A-Z a-z 0-9 _ - : . /`, or quoted terms (`"..."`,
//! where `\"` and `\\` are the only escapes); `&` and `|` joining terms, never
//! both at one level without parentheses; the empty expression is visible to
//! everyone. The parser refuses exactly what Accumulo refuses, with the same
//! reason and position.

use std::collections::BTreeSet;
use std::fmt;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// One authorization (unquoted, unescaped).
    Term(Vec<u8>),
    /// Every child must hold.
    And(Vec<Expr>),
    /// One child must hold.
    Or(Vec<Expr>),
}

/// Why an expression was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadExpression {
    /// What is wrong, in Accumulo's words.
    pub(crate) reason: String,
    /// The expression as given.
    pub(crate) expression: String,
    /// Byte index of the problem.
    pub(crate) index: usize,
}

impl fmt::Display for BadExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As the Java exception prints itself: class, reason, index, the
        // expression and a caret under the index.
        write!(
            f,
            "org.apache.accumulo.core.util.BadArgumentException: {} near index {}\n{}\n{}^",
            self.reason,
            self.index,
            self.expression,
            " ".repeat(self.index)
        )
    }
}

/// Whether `c` may appear in an unquoted term (and in an authorization).
pub(crate) fn is_auth_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b':' | b'.' | b'/')
}

/// Parses an expression; `None` for the empty expression.
///
/// # Errors
/// A [`BadExpression`] saying what Accumulo would say.
pub(crate) fn parse(expression: &[u8]) -> Result<Option<Expr>, BadExpression> {
    if expression.is_empty() {
        return Ok(None);
    }
    let mut parser = Parser {
        input: expression,
        index: 0,
        parens: 0,
    };
    let node = parser.parse_level()?;
    let Some(node) = node else {
        return Err(parser.error("operator or missing parens", parser.index.saturating_sub(1)));
    };
    if parser.parens != 0 {
        return Err(parser.error("parenthesis mis-match", parser.index.saturating_sub(1)));
    }
    Ok(Some(node.into_expr(expression)))
}

/// Whether `expression` is visible to `auths` (a malformed one never is).
pub(crate) fn visible(expression: &[u8], auths: &BTreeSet<Vec<u8>>) -> bool {
    match parse(expression) {
        Ok(None) => true,
        Ok(Some(expr)) => expr.evaluate(auths),
        Err(_) => false,
    }
}

impl Expr {
    /// Whether the expression holds for `auths`.
    pub(crate) fn evaluate(&self, auths: &BTreeSet<Vec<u8>>) -> bool {
        match self {
            Expr::Term(term) => auths.contains(term),
            Expr::And(children) => children.iter().all(|c| c.evaluate(auths)),
            Expr::Or(children) => children.iter().any(|c| c.evaluate(auths)),
        }
    }
}

/// A node while parsing: terms are kept as byte spans of the input.
#[derive(Debug)]
enum Node {
    Term { start: usize, end: usize },
    And(Vec<Node>),
    Or(Vec<Node>),
}

impl Node {
    fn is_term(&self) -> bool {
        matches!(self, Node::Term { .. })
    }

    fn same_kind(&self, other: &Node) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    fn children_len(&self) -> usize {
        match self {
            Node::Term { .. } => 0,
            Node::And(c) | Node::Or(c) => c.len(),
        }
    }

    fn push(&mut self, child: Node) {
        if let Node::And(c) | Node::Or(c) = self {
            c.push(child);
        }
    }

    fn into_expr(self, input: &[u8]) -> Expr {
        match self {
            Node::Term { start, end } => Expr::Term(unquote(&input[start..end])),
            Node::And(c) => Expr::And(c.into_iter().map(|n| n.into_expr(input)).collect()),
            Node::Or(c) => Expr::Or(c.into_iter().map(|n| n.into_expr(input)).collect()),
        }
    }
}

/// The authorization a term names: quotes removed and escapes resolved.
fn unquote(term: &[u8]) -> Vec<u8> {
    match term {
        [b'"', inner @ .., b'"'] => {
            let mut out = Vec::with_capacity(inner.len());
            let mut escaped = false;
            for &c in inner {
                if c == b'\\' && !escaped {
                    escaped = true;
                    continue;
                }
                escaped = false;
                out.push(c);
            }
            out
        }
        _ => term.to_vec(),
    }
}

struct Parser<'a> {
    input: &'a [u8],
    index: usize,
    parens: i32,
}

impl Parser<'_> {
    fn error(&self, reason: &str, index: usize) -> BadExpression {
        BadExpression {
            reason: reason.to_owned(),
            expression: String::from_utf8_lossy(self.input).into_owned(),
            index,
        }
    }

    /// The term between `start` and `end`, or the sub-expression already
    /// parsed when that span is empty.
    fn term(
        &self,
        start: usize,
        end: usize,
        expr: Option<Node>,
    ) -> Result<Option<Node>, BadExpression> {
        if start != end {
            if expr.is_some() {
                return Err(self.error("expression needs | or &", start));
            }
            return Ok(Some(Node::Term { start, end }));
        }
        if expr.is_none() {
            return Err(self.error("empty term", start));
        }
        Ok(expr)
    }

    /// Parses up to the end of the input or the `)` closing this level.
    fn parse_level(&mut self) -> Result<Option<Node>, BadExpression> {
        let mut result: Option<Node> = None;
        let mut expr: Option<Node> = None;
        let mut sub_start = self.index;
        let mut sub_complete = false;
        while self.index < self.input.len() {
            let c = self.input[self.index];
            self.index += 1;
            match c {
                b'&' | b'|' => {
                    let child = self.term(sub_start, self.index - 1, expr.take())?;
                    let is_and = c == b'&';
                    match &result {
                        Some(Node::And(_)) if !is_and => {
                            return Err(self.error("cannot mix | and &", self.index - 1))
                        }
                        Some(Node::Or(_)) if is_and => {
                            return Err(self.error("cannot mix & and |", self.index - 1))
                        }
                        Some(_) => {}
                        None => {
                            result = Some(if is_and {
                                Node::And(Vec::new())
                            } else {
                                Node::Or(Vec::new())
                            })
                        }
                    }
                    if let (Some(r), Some(child)) = (result.as_mut(), child) {
                        r.push(child);
                    }
                    sub_start = self.index;
                    sub_complete = false;
                }
                b'(' => {
                    self.parens += 1;
                    if sub_start != self.index - 1 || expr.is_some() {
                        return Err(self.error("expression needs & or |", self.index - 1));
                    }
                    expr = self.parse_level()?;
                    sub_start = self.index;
                    sub_complete = false;
                }
                b')' => {
                    self.parens -= 1;
                    let child = self.term(sub_start, self.index - 1, expr.take())?;
                    let Some(child) = child else {
                        return Err(self.error("empty expression not allowed", self.index));
                    };
                    let Some(mut r) = result else {
                        return Ok(Some(child));
                    };
                    if r.same_kind(&child) {
                        if let Node::And(c) | Node::Or(c) = child {
                            for grandchild in c {
                                r.push(grandchild);
                            }
                        }
                    } else {
                        r.push(child);
                    }
                    return Ok(Some(r));
                }
                b'"' => {
                    if sub_start != self.index - 1 {
                        return Err(self.error("expression needs & or |", self.index - 1));
                    }
                    while self.index < self.input.len() && self.input[self.index] != b'"' {
                        if self.input[self.index] == b'\\' {
                            self.index += 1;
                            match self.input.get(self.index) {
                                Some(b'\\' | b'"') => {}
                                _ => {
                                    return Err(self
                                        .error("invalid escaping within quotes", self.index - 1))
                                }
                            }
                        }
                        self.index += 1;
                    }
                    if self.index >= self.input.len() {
                        return Err(self.error("unclosed quote", sub_start));
                    }
                    if sub_start + 1 == self.index {
                        return Err(self.error("empty term", sub_start));
                    }
                    self.index += 1;
                    sub_complete = true;
                }
                _ => {
                    if sub_complete {
                        return Err(self.error("expression needs & or |", self.index - 1));
                    }
                    if !is_auth_char(c) {
                        // Java prints the byte as a signed number.
                        return Err(
                            self.error(&format!("bad character ({})", c as i8), self.index - 1)
                        );
                    }
                }
            }
        }
        let child = self.term(sub_start, self.index, expr.take())?;
        let result = match (result, child) {
            (Some(mut r), Some(child)) => {
                r.push(child);
                r
            }
            (None, Some(child)) => child,
            (Some(r), None) => r,
            (None, None) => return Ok(None),
        };
        if !result.is_term() && result.children_len() < 2 {
            return Err(self.error("missing term", self.index));
        }
        Ok(Some(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auths(list: &[&str]) -> BTreeSet<Vec<u8>> {
        list.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn valid_expressions_parse() {
        for ok in [
            "A",
            "A&B",
            "A|B",
            "(A|B)&C",
            "A&(B|C)",
            "\"a b\"&C",
            "\"q\\\"x\"",
            "a-b:c.d/e_f",
            "((A))",
            "(A&B)|(C&D)",
        ] {
            assert!(parse(ok.as_bytes()).is_ok(), "{ok}");
        }
        assert_eq!(parse(b"").unwrap(), None);
    }

    #[test]
    fn malformed_expressions_are_refused_with_accumulos_reason() {
        for (bad, reason) in [
            ("A&B|C", "cannot mix | and &"),
            ("A|B&C", "cannot mix & and |"),
            ("A&", "empty term"),
            ("&A", "empty term"),
            ("(A", "parenthesis mis-match"),
            ("A)", "parenthesis mis-match"),
            ("()", "empty term"),
            ("A B", "bad character (32)"),
            ("\"A", "unclosed quote"),
            ("\"\"", "empty term"),
            ("\"a\\b\"", "invalid escaping within quotes"),
            ("A(B)", "expression needs & or |"),
            ("\"a\"b", "expression needs & or |"),
        ] {
            let err = parse(bad.as_bytes()).unwrap_err();
            assert_eq!(err.reason, reason, "{bad}");
        }
    }

    #[test]
    fn evaluation_follows_and_or() {
        let ab = auths(&["A", "B"]);
        assert!(visible(b"A&B", &ab));
        assert!(!visible(b"A&B", &auths(&["A"])));
        assert!(visible(b"A|C", &auths(&["A"])));
        assert!(visible(b"(A|C)&B", &ab));
        assert!(visible(b"", &auths(&[])));
        assert!(visible(b"\"a b\"", &auths(&["a b"])));
        assert!(visible(b"\"q\\\"x\"", &auths(&["q\"x"])));
    }
}
