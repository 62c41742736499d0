//! The shape of a cell visibility expression, checked before a write is
//! sent: HBase's region server refuses a malformed one with an exception
//! its own client retries for minutes, so the gateway would answer only
//! after the call timed out.
//!
//! Only the structure is checked (labels joined by `&` and `|`, negated
//! by `!`, grouped by parentheses, quoted with `"`); whether each label
//! is defined is the server's business.

use crate::error::{Error, Result};

/// Checks `expression`; an empty one (no visibility) passes.
pub(crate) fn check_expression(expression: &str) -> Result<()> {
    if expression.trim().is_empty() {
        return Ok(());
    }
    let mut p = Parser {
        text: expression,
        chars: expression.char_indices().peekable(),
        depth: 0,
    };
    p.expression()?;
    p.skip_spaces();
    match p.chars.next() {
        None => Ok(()),
        Some((at, c)) => Err(p.error(at, &format!("unexpected {c:?}"))),
    }
}

/// The deepest parenthesis nesting accepted.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, at: usize, what: &str) -> Error {
        Error::InvalidInput(format!(
            "visibility expression {:?}: {what} at byte {at}",
            self.text
        ))
    }

    fn skip_spaces(&mut self) {
        while self.chars.peek().is_some_and(|(_, c)| *c == ' ') {
            self.chars.next();
        }
    }

    /// operand (('&' | '|') operand)*
    fn expression(&mut self) -> Result<()> {
        self.operand()?;
        loop {
            self.skip_spaces();
            match self.chars.peek() {
                Some((_, '&' | '|')) => {
                    self.chars.next();
                    self.operand()?;
                }
                _ => return Ok(()),
            }
        }
    }

    /// '!' operand | '(' expression ')' | label | '"' quoted '"'
    fn operand(&mut self) -> Result<()> {
        self.skip_spaces();
        let end = self.text.len();
        match self.chars.next() {
            None => Err(self.error(end, "a label is missing")),
            Some((_, '!')) => self.operand(),
            Some((at, '(')) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(self.error(at, "parentheses nested too deep"));
                }
                self.expression()?;
                self.skip_spaces();
                match self.chars.next() {
                    Some((_, ')')) => {
                        self.depth -= 1;
                        Ok(())
                    }
                    Some((at, c)) => Err(self.error(at, &format!("expected ')', found {c:?}"))),
                    None => Err(self.error(end, "a ')' is missing")),
                }
            }
            Some((at, '"')) => {
                let mut empty = true;
                loop {
                    match self.chars.next() {
                        Some((_, '"')) if !empty => return Ok(()),
                        Some((at, '"')) => return Err(self.error(at, "an empty quoted label")),
                        Some((_, '\\')) => match self.chars.next() {
                            Some((_, '"' | '\\')) => empty = false,
                            Some((at, _)) => {
                                return Err(self.error(at, "only \\\" and \\\\ escape in quotes"))
                            }
                            None => return Err(self.error(at, "no closing '\"'")),
                        },
                        Some(_) => empty = false,
                        None => return Err(self.error(at, "no closing '\"'")),
                    }
                }
            }
            Some((at, c)) if is_operator(c) => {
                Err(self.error(at, &format!("expected a label, found {c:?}")))
            }
            Some(_) => {
                while self
                    .chars
                    .peek()
                    .is_some_and(|(_, c)| !is_operator(*c) && *c != ' ' && *c != '"')
                {
                    self.chars.next();
                }
                Ok(())
            }
        }
    }
}

fn is_operator(c: char) -> bool {
    matches!(c, '&' | '|' | '!' | '(' | ')')
}

#[cfg(test)]
mod tests {
    use super::check_expression;

    #[test]
    fn well_formed_expressions_pass() {
        for e in [
            "",
            "A",
            "A&B",
            "A|B",
            "!A",
            "(A|B)&C",
            "A & (B | !C)",
            "\"a label\"&B",
            "\"q\\\"uote\"",
            "secret|admin",
            "p:diagnosis",
            "!(A&B)",
        ] {
            check_expression(e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
        }
    }

    #[test]
    fn malformed_expressions_are_refused_with_the_place() {
        for (e, what) in [
            ("A&&", "expected a label"),
            ("A&", "a label is missing"),
            ("&A", "expected a label"),
            ("(A|B", "a ')' is missing"),
            ("A|B)", "unexpected ')'"),
            ("()", "expected a label"),
            ("A B", "unexpected 'B'"),
            ("\"open", "no closing"),
            ("\"\"", "empty quoted label"),
            ("!", "a label is missing"),
        ] {
            let err = check_expression(e).expect_err(e).to_string();
            assert!(err.contains(what), "{e:?}: {err}");
        }
        let deep = format!("{}A{}", "(".repeat(100), ")".repeat(100));
        assert!(check_expression(&deep).is_err());
    }
}
