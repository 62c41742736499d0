//! Checks a cell visibility expression at compile time, so that a
//! malformed `#[hbase(visibility = "..")]` is an error at its literal.
//!
//! The grammar is the one both stores read: terms of letters, digits and
//! `_ - . : /` (or any bytes between double quotes, with `\"` and `\\`),
//! joined by `&` or `|`, grouped with parentheses; `&` and `|` are not
//! mixed in one group without parentheses.

/// Why `expr` is not a visibility expression, with the byte offset of the
/// fault; `None` when it is one. An empty expression is valid (no label).
pub(crate) fn check(expr: &str) -> Option<String> {
    let bytes = expr.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    let mut p = Parser { bytes, at: 0 };
    match p.group(0) {
        Err(e) => Some(e),
        Ok(()) if p.at < bytes.len() => Some(p.fault("unmatched `)`")),
        Ok(()) => None,
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn is_term_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/')
}

impl Parser<'_> {
    fn fault(&self, what: &str) -> String {
        format!(
            "malformed visibility expression: {what} at byte {}",
            self.at
        )
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Operands joined by one operator, up to a `)` or the end.
    fn group(&mut self, depth: usize) -> Result<(), String> {
        let mut op: Option<u8> = None;
        loop {
            self.operand(depth)?;
            match self.peek() {
                None => return Ok(()),
                Some(b')') if depth > 0 => return Ok(()),
                Some(b')') => return Err(self.fault("unmatched `)`")),
                Some(b @ (b'&' | b'|')) => {
                    if op.is_some_and(|o| o != b) {
                        return Err(self.fault("`&` and `|` mixed without parentheses"));
                    }
                    op = Some(b);
                    self.at += 1;
                }
                Some(_) => return Err(self.fault("expected `&`, `|` or `)`")),
            }
        }
    }

    /// A term, a quoted term or a parenthesised group.
    fn operand(&mut self, depth: usize) -> Result<(), String> {
        match self.peek() {
            None => Err(self.fault("expected a term at the end")),
            Some(b'(') => {
                self.at += 1;
                if self.peek() == Some(b')') {
                    return Err(self.fault("empty parentheses"));
                }
                self.group(depth + 1)?;
                if self.peek() != Some(b')') {
                    return Err(self.fault("missing `)`"));
                }
                self.at += 1;
                Ok(())
            }
            Some(b'"') => {
                let start = self.at;
                self.at += 1;
                let mut len = 0;
                loop {
                    match self.peek() {
                        None => {
                            self.at = start;
                            return Err(self.fault("unterminated quoted term"));
                        }
                        Some(b'"') => break,
                        Some(b'\\') => match self.bytes.get(self.at + 1) {
                            Some(b'"' | b'\\') => self.at += 2,
                            _ => return Err(self.fault("only `\\\"` and `\\\\` escape")),
                        },
                        Some(_) => self.at += 1,
                    }
                    len += 1;
                }
                if len == 0 {
                    self.at = start;
                    return Err(self.fault("empty quoted term"));
                }
                self.at += 1;
                Ok(())
            }
            Some(b) if is_term_byte(b) => {
                while self.peek().is_some_and(is_term_byte) {
                    self.at += 1;
                }
                Ok(())
            }
            Some(_) => Err(self.fault("expected a term, a quoted term or `(`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn valid_expressions() {
        for e in [
            "",
            "A",
            "A&B",
            "A|B|c_d",
            "(A|B)&C",
            "\"a b\"&x",
            "a:b/c.d-e",
            "((A))",
        ] {
            assert_eq!(check(e), None, "{e}");
        }
    }

    #[test]
    fn malformed_expressions_say_where() {
        let cases = [
            ("A&", "expected a term at the end at byte 2"),
            ("&A", "expected a term, a quoted term or `(` at byte 0"),
            ("A&B|C", "`&` and `|` mixed without parentheses at byte 3"),
            ("()", "empty parentheses at byte 1"),
            ("(A", "missing `)` at byte 2"),
            ("A)", "unmatched `)` at byte 1"),
            ("A B", "expected `&`, `|` or `)` at byte 1"),
            ("\"\"", "empty quoted term at byte 0"),
            ("\"ab", "unterminated quoted term at byte 0"),
        ];
        for (e, want) in cases {
            let got = check(e).unwrap_or_default();
            assert!(got.ends_with(want), "{e}: {got}");
        }
    }
}
