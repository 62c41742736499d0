//! Parser for HBase's filter language (`ParseFilter`).
//!
//! Grammar, loosest binding first:
//!
//! ```text
//! expr    := and ("OR" and)*
//! and     := unary ("AND" unary)*
//! unary   := ("SKIP" | "WHILE")* primary
//! primary := "(" expr ")" | Name "(" args ")"
//! args    := (separator* arg)* separator*      separator = whitespace | ","
//! arg     := 'quoted string' ('' escapes ')  | bare token (int, bool, operator)
//! ```
//!
//! Keywords are upper case and must be followed by whitespace or `(`, like in
//! HBase. Argument types are checked per filter, with HBase's messages
//! extended by the filter name and the offending text.

use std::collections::{BTreeSet, HashSet};

use super::budget::Budget;
use super::compare::{Comparator, CompareOp};
use super::filters::Node;
use super::FilterError;

/// Deepest nesting of parentheses and SKIP/WHILE accepted (guards the
/// recursion, here and when the filter tree is evaluated or dropped).
const MAX_DEPTH: usize = 100;

/// One argument of a simple filter expression.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Arg {
    /// A single-quoted string, unescaped.
    Quoted(Vec<u8>),
    /// An unquoted token: integer, boolean or compare operator.
    Bare(Vec<u8>),
}

impl Arg {
    fn describe(&self) -> String {
        match self {
            Arg::Quoted(b) => format!("'{}'", String::from_utf8_lossy(b)),
            Arg::Bare(b) => String::from_utf8_lossy(b).into_owned(),
        }
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError(msg.into()))
}

/// Parses a whole filter string into a filter tree.
#[cfg(test)]
pub(crate) fn parse_filter(input: &[u8]) -> Result<Node, FilterError> {
    parse_filter_within(input, &Budget::new(usize::MAX))
}

/// Parses a whole filter string into a filter tree, charging its compiled
/// regular expressions to `budget`.
pub(crate) fn parse_filter_within(input: &[u8], budget: &Budget) -> Result<Node, FilterError> {
    let mut parser = Parser {
        input,
        pos: 0,
        budget,
    };
    parser.skip_ws();
    if parser.at_end() {
        return err("Incorrect Filter String: the filter string is empty");
    }
    let node = parser.expr(0)?;
    parser.skip_ws();
    match parser.peek() {
        None => Ok(node),
        Some(b')') => err(format!(
            "Mismatched parenthesis: unexpected ')' at offset {}",
            parser.pos
        )),
        Some(_) => err(format!(
            "Incorrect Filter String: expected AND, OR or the end of the string at offset {}, \
             found '{}'",
            parser.pos,
            parser.snippet()
        )),
    }
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    budget: &'a Budget,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// A short excerpt of the input at the cursor, for error messages.
    fn snippet(&self) -> String {
        let rest = self.input.get(self.pos..).unwrap_or_default();
        let end = rest.len().min(20);
        let mut s = String::from_utf8_lossy(&rest[..end]).into_owned();
        if rest.len() > end {
            s.push_str("...");
        }
        s
    }

    /// Consumes `word` if it appears at the cursor followed by whitespace or
    /// `(` (HBase's keyword rule), or by `)` or the end of the input (so that
    /// a dangling operator gets a precise error).
    fn keyword(&mut self, word: &[u8]) -> bool {
        let rest = self.input.get(self.pos..).unwrap_or_default();
        if rest.starts_with(word)
            && rest
                .get(word.len())
                .map_or(true, |&b| b == b'(' || b == b')' || b.is_ascii_whitespace())
        {
            self.pos += word.len();
            true
        } else {
            false
        }
    }

    fn expr(&mut self, depth: usize) -> Result<Node, FilterError> {
        let mut items = vec![self.and_expr(depth)?];
        loop {
            self.skip_ws();
            if !self.keyword(b"OR") {
                break;
            }
            self.skip_ws();
            if self.at_end() || self.peek() == Some(b')') {
                return err("Incorrect input string - an OR needs two filters");
            }
            items.push(self.and_expr(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::or(items)
        })
    }

    fn and_expr(&mut self, depth: usize) -> Result<Node, FilterError> {
        let mut items = vec![self.unary(depth)?];
        loop {
            self.skip_ws();
            if !self.keyword(b"AND") {
                break;
            }
            self.skip_ws();
            if self.at_end() || self.peek() == Some(b')') {
                return err("Incorrect input string - an AND needs two filters");
            }
            items.push(self.unary(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::and(items)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Node, FilterError> {
        #[derive(Clone, Copy)]
        enum Wrap {
            Skip,
            While,
        }
        let mut wraps = Vec::new();
        loop {
            self.skip_ws();
            let wrap = if self.keyword(b"SKIP") {
                Wrap::Skip
            } else if self.keyword(b"WHILE") {
                Wrap::While
            } else {
                break;
            };
            self.skip_ws();
            if self.at_end() || self.peek() == Some(b')') {
                return err(match wrap {
                    Wrap::Skip => "Incorrect input string - a SKIP wraps a filter",
                    Wrap::While => "Incorrect input string - a WHILE wraps a filter",
                });
            }
            wraps.push(wrap);
            if depth + wraps.len() > MAX_DEPTH {
                return err(format!(
                    "Incorrect Filter String: filters nested deeper than {MAX_DEPTH}"
                ));
            }
        }
        let mut node = self.primary(depth + wraps.len())?;
        for wrap in wraps.into_iter().rev() {
            node = match wrap {
                Wrap::Skip => Node::Skip {
                    inner: Box::new(node),
                    filter_row: false,
                },
                Wrap::While => Node::While {
                    inner: Box::new(node),
                    all_remaining: false,
                },
            };
        }
        Ok(node)
    }

    fn primary(&mut self, depth: usize) -> Result<Node, FilterError> {
        self.skip_ws();
        match self.peek() {
            None => err("Incorrect Filter String: expected a filter at the end of the string"),
            Some(b'(') => {
                if depth >= MAX_DEPTH {
                    return err(format!(
                        "Incorrect Filter String: filters nested deeper than {MAX_DEPTH}"
                    ));
                }
                let open = self.pos;
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b')') {
                    return err(format!(
                        "Incorrect Filter String: empty parentheses at offset {open}"
                    ));
                }
                let node = self.expr(depth + 1)?;
                self.skip_ws();
                if self.peek() != Some(b')') {
                    return err(format!(
                        "Mismatched parenthesis: '(' at offset {open} is never closed"
                    ));
                }
                self.pos += 1;
                Ok(node)
            }
            Some(b')') => err(format!(
                "Mismatched parenthesis: unexpected ')' at offset {}",
                self.pos
            )),
            Some(_) => self.simple(),
        }
    }

    /// `Name(args)`.
    fn simple(&mut self) -> Result<Node, FilterError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b != b'(' && b != b')' && !b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
        let name = String::from_utf8_lossy(&self.input[start..self.pos]).into_owned();
        if name.is_empty() {
            return err(format!(
                "Incorrect Filter Name: expected a filter name at offset {start}"
            ));
        }
        if !is_known_filter(&name) {
            return err(format!("Filter Name {name} not supported"));
        }
        self.skip_ws();
        if self.peek() != Some(b'(') {
            return err(format!(
                "Incorrect argument list: expected '(' after filter name {name}"
            ));
        }
        self.pos += 1;
        let args = self.args(&name)?;
        build_filter(&name, args, self.budget)
    }

    /// The argument list after `(`, through the closing `)`.
    fn args(&mut self, name: &str) -> Result<Vec<Arg>, FilterError> {
        let mut args = Vec::new();
        loop {
            while self
                .peek()
                .is_some_and(|b| b == b',' || b.is_ascii_whitespace())
            {
                self.pos += 1;
            }
            match self.peek() {
                None => {
                    return err(format!(
                        "Incorrect argument list: missing ')' to close the arguments of {name}"
                    ))
                }
                Some(b')') => {
                    self.pos += 1;
                    return Ok(args);
                }
                Some(b'\'') => args.push(Arg::Quoted(self.quoted()?)),
                Some(_) => {
                    let start = self.pos;
                    while self
                        .peek()
                        .is_some_and(|b| b != b',' && b != b')' && !b.is_ascii_whitespace())
                    {
                        self.pos += 1;
                    }
                    args.push(Arg::Bare(self.input[start..self.pos].to_vec()));
                }
            }
        }
    }

    /// A quoted string at the cursor; `''` stands for one quote.
    fn quoted(&mut self) -> Result<Vec<u8>, FilterError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => {
                    return err(format!(
                        "Incorrect argument list: unterminated quoted string starting at \
                         offset {open}"
                    ))
                }
                Some(b'\'') => {
                    if self.input.get(self.pos + 1) == Some(&b'\'') {
                        out.push(b'\'');
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                        return Ok(out);
                    }
                }
                Some(b) => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
    }
}

/// Every filter name the language knows (HBase's registered filters).
const FILTER_NAMES: [&str; 19] = [
    "KeyOnlyFilter",
    "FirstKeyOnlyFilter",
    "PrefixFilter",
    "ColumnPrefixFilter",
    "MultipleColumnPrefixFilter",
    "ColumnCountGetFilter",
    "PageFilter",
    "ColumnPaginationFilter",
    "InclusiveStopFilter",
    "TimestampsFilter",
    "RowFilter",
    "FamilyFilter",
    "QualifierFilter",
    "ValueFilter",
    "ColumnRangeFilter",
    "SingleColumnValueFilter",
    "SingleColumnValueExcludeFilter",
    "DependentColumnFilter",
    "ColumnValueFilter",
];

fn is_known_filter(name: &str) -> bool {
    FILTER_NAMES.contains(&name)
}

/// Typed access to one filter's arguments, for readable error messages.
struct Args<'a> {
    name: &'a str,
    args: Vec<Arg>,
    budget: &'a Budget,
}

impl Args<'_> {
    fn expect_count(&self, allowed: &[usize], spelled: &str) -> Result<(), FilterError> {
        if allowed.contains(&self.args.len()) {
            Ok(())
        } else {
            err(format!(
                "{}: Expected {spelled} arguments but got: {}",
                self.name,
                self.args.len()
            ))
        }
    }

    fn arg(&self, i: usize) -> Result<&Arg, FilterError> {
        match self.args.get(i) {
            Some(a) => Ok(a),
            None => err(format!("{}: missing argument {}", self.name, i + 1)),
        }
    }

    fn bytes(&self, i: usize) -> Result<Vec<u8>, FilterError> {
        match self.arg(i)? {
            Arg::Quoted(b) => Ok(b.clone()),
            bare => err(format!(
                "{}: argument {} must be a quoted string, got {}",
                self.name,
                i + 1,
                bare.describe()
            )),
        }
    }

    fn boolean(&self, i: usize) -> Result<bool, FilterError> {
        match self.arg(i)? {
            Arg::Bare(b) if b.eq_ignore_ascii_case(b"true") => Ok(true),
            Arg::Bare(b) if b.eq_ignore_ascii_case(b"false") => Ok(false),
            other => err(format!(
                "{}: Incorrect Boolean Expression: argument {} must be true or false \
                 (unquoted), got {}",
                self.name,
                i + 1,
                other.describe()
            )),
        }
    }

    fn long(&self, i: usize) -> Result<i64, FilterError> {
        let arg = self.arg(i)?;
        let bad = |why: &str| {
            err(format!(
                "{}: argument {} {why}, got {}",
                self.name,
                i + 1,
                arg.describe()
            ))
        };
        let Arg::Bare(text) = arg else {
            return bad("must be an unquoted integer");
        };
        let (negative, digits) = match text.strip_prefix(b"-") {
            Some(rest) => (true, rest),
            None => (false, text.as_slice()),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return bad("must be an integer (Byte Array should only contain digits)");
        }
        let mut value: i64 = 0;
        for d in digits {
            value = match value
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(d - b'0')))
            {
                Some(v) => v,
                None => return bad("is too large (Long Argument too large)"),
            };
        }
        Ok(if negative { -value } else { value })
    }

    fn int(&self, i: usize) -> Result<i64, FilterError> {
        let value = self.long(i)?;
        if value > i64::from(i32::MAX) {
            return err(format!(
                "{}: argument {}: Integer Argument too large: {value}",
                self.name,
                i + 1
            ));
        }
        if value < i64::from(i32::MIN) {
            return err(format!(
                "{}: argument {}: Integer Argument too small: {value}",
                self.name,
                i + 1
            ));
        }
        Ok(value)
    }

    fn op(&self, i: usize) -> Result<CompareOp, FilterError> {
        let arg = self.arg(i)?;
        match arg {
            Arg::Bare(b) => CompareOp::parse(b),
            Arg::Quoted(_) => None,
        }
        .map_or_else(
            || {
                err(format!(
                    "{}: Invalid compare operator {}: expected one of < <= = != >= > (unquoted)",
                    self.name,
                    arg.describe()
                ))
            },
            Ok,
        )
    }

    fn comparator(&self, i: usize) -> Result<Comparator, FilterError> {
        let spec = self.bytes(i)?;
        Comparator::parse_within(&spec, self.budget)
            .map_err(|e| FilterError(format!("{}: {}", self.name, e.0)))
    }

    /// An operator and comparator pair, rejecting ordering operators with
    /// regex and substring comparators when `strict` (as HBase does for all
    /// but DependentColumnFilter).
    fn op_and_comparator(
        &self,
        i: usize,
        strict: bool,
    ) -> Result<(CompareOp, Comparator), FilterError> {
        let op = self.op(i)?;
        let cmp = self.comparator(i + 1)?;
        if strict && cmp.is_equality_only() && !matches!(op, CompareOp::Equal | CompareOp::NotEqual)
        {
            return err(format!(
                "{}: A regexstring comparator and substring comparator can only be used with \
                 EQUAL and NOT_EQUAL",
                self.name
            ));
        }
        Ok((op, cmp))
    }

    fn non_negative(&self, i: usize, value: i64, what: &str) -> Result<i64, FilterError> {
        if value < 0 {
            err(format!(
                "{}: argument {}: {what} must be positive, got {value}",
                self.name,
                i + 1
            ))
        } else {
            Ok(value)
        }
    }
}

/// Builds one filter from its name and arguments, checking them the way the
/// filter's `createFilterFromArguments` does.
fn build_filter(name: &str, args: Vec<Arg>, budget: &Budget) -> Result<Node, FilterError> {
    let a = Args { name, args, budget };
    let node = match name {
        "KeyOnlyFilter" => {
            a.expect_count(&[0, 1], "0 or 1")?;
            Node::KeyOnly {
                len_as_value: if a.args.is_empty() {
                    false
                } else {
                    a.boolean(0)?
                },
            }
        }
        "FirstKeyOnlyFilter" => {
            a.expect_count(&[0], "0")?;
            Node::FirstKeyOnly { found: false }
        }
        "PrefixFilter" => {
            a.expect_count(&[1], "1")?;
            Node::Prefix {
                prefix: a.bytes(0)?,
                passed: false,
                filter_row: true,
                reversed: false,
            }
        }
        "ColumnPrefixFilter" => {
            a.expect_count(&[1], "1")?;
            Node::ColumnPrefix {
                prefix: a.bytes(0)?,
            }
        }
        "MultipleColumnPrefixFilter" => {
            let mut prefixes = BTreeSet::new();
            for i in 0..a.args.len() {
                let prefix = a.bytes(i)?;
                if prefixes.contains(&prefix) {
                    return err(format!(
                        "{name}: prefixes must be distinct, '{}' is given twice",
                        String::from_utf8_lossy(&prefix)
                    ));
                }
                prefixes.insert(prefix);
            }
            Node::MultipleColumnPrefix {
                prefixes,
                hint: None,
            }
        }
        "ColumnCountGetFilter" => {
            a.expect_count(&[1], "1")?;
            let limit = a.non_negative(0, a.int(0)?, "limit")?;
            Node::ColumnCountGet { limit, count: 0 }
        }
        "PageFilter" => {
            a.expect_count(&[1], "1")?;
            let size = a.non_negative(0, a.long(0)?, "page size")?;
            Node::Page { size, accepted: 0 }
        }
        "ColumnPaginationFilter" => {
            a.expect_count(&[2], "2")?;
            let limit = a.non_negative(0, a.int(0)?, "limit")?;
            let offset = a.non_negative(1, a.int(1)?, "offset")?;
            Node::ColumnPagination {
                limit,
                offset,
                count: 0,
            }
        }
        "InclusiveStopFilter" => {
            a.expect_count(&[1], "1")?;
            Node::InclusiveStop {
                stop: a.bytes(0)?,
                done: false,
                reversed: false,
            }
        }
        "TimestampsFilter" => {
            let set = (0..a.args.len())
                .map(|i| a.long(i).and_then(|t| a.non_negative(i, t, "timestamp")))
                .collect::<Result<BTreeSet<_>, _>>()?;
            Node::Timestamps { set }
        }
        "RowFilter" | "FamilyFilter" | "QualifierFilter" | "ValueFilter" => {
            a.expect_count(&[2], "2")?;
            let (op, cmp) = a.op_and_comparator(0, true)?;
            match name {
                "RowFilter" => Node::Row {
                    op,
                    cmp,
                    filter_out: false,
                },
                "FamilyFilter" => Node::Family { op, cmp },
                "QualifierFilter" => Node::Qualifier { op, cmp },
                _ => Node::Value { op, cmp },
            }
        }
        "ColumnRangeFilter" => {
            a.expect_count(&[4], "4")?;
            let min = a.bytes(0)?;
            let min_inclusive = a.boolean(1)?;
            let max = a.bytes(2)?;
            let max_inclusive = a.boolean(3)?;
            Node::ColumnRange {
                min: (!min.is_empty()).then_some(min),
                min_inclusive,
                max: (!max.is_empty()).then_some(max),
                max_inclusive,
            }
        }
        "SingleColumnValueFilter" | "SingleColumnValueExcludeFilter" => {
            a.expect_count(&[4, 6], "4 or 6")?;
            let family = a.bytes(0)?;
            let qualifier = a.bytes(1)?;
            let (op, cmp) = a.op_and_comparator(2, true)?;
            let (filter_if_missing, latest_version_only) = if a.args.len() == 6 {
                (a.boolean(4)?, a.boolean(5)?)
            } else {
                (false, true)
            };
            Node::SingleColumnValue {
                family,
                qualifier,
                op,
                cmp,
                filter_if_missing,
                latest_version_only,
                exclude_column: name == "SingleColumnValueExcludeFilter",
                found: false,
                matched: false,
            }
        }
        "DependentColumnFilter" => {
            a.expect_count(&[2, 3, 5], "2, 3 or 5")?;
            let family = a.bytes(0)?;
            let qualifier = a.bytes(1)?;
            let drop_dependent = if a.args.len() >= 3 {
                a.boolean(2)?
            } else {
                false
            };
            let condition = if a.args.len() == 5 {
                Some(a.op_and_comparator(3, false)?)
            } else {
                None
            };
            Node::DependentColumn {
                family,
                qualifier,
                drop_dependent,
                condition,
                stamps: HashSet::new(),
            }
        }
        "ColumnValueFilter" => {
            a.expect_count(&[4], "4")?;
            let family = a.bytes(0)?;
            let qualifier = a.bytes(1)?;
            let (op, cmp) = a.op_and_comparator(2, true)?;
            Node::ColumnValue {
                family,
                qualifier,
                op,
                cmp,
                found: false,
            }
        }
        other => return err(format!("Filter Name {other} not supported")),
    };
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Node {
        match parse_filter(s.as_bytes()) {
            Ok(n) => n,
            Err(e) => panic!("{s:?} should parse: {}", e.0),
        }
    }

    fn fails(s: &str, needle: &str) {
        match parse_filter(s.as_bytes()) {
            Ok(n) => panic!("{s:?} should fail, parsed as {n:?}"),
            Err(e) => assert!(
                e.0.contains(needle),
                "{s:?}: error {:?} should contain {needle:?}",
                e.0
            ),
        }
    }

    #[test]
    fn parses_every_filter() {
        assert!(matches!(
            ok("KeyOnlyFilter()"),
            Node::KeyOnly {
                len_as_value: false
            }
        ));
        assert!(matches!(
            ok("KeyOnlyFilter(true)"),
            Node::KeyOnly { len_as_value: true }
        ));
        assert!(matches!(
            ok("KeyOnlyFilter(FALSE)"),
            Node::KeyOnly {
                len_as_value: false
            }
        ));
        assert!(matches!(
            ok("FirstKeyOnlyFilter()"),
            Node::FirstKeyOnly { .. }
        ));
        match ok("PrefixFilter('row')") {
            Node::Prefix { prefix, .. } => assert_eq!(prefix, b"row"),
            n => panic!("{n:?}"),
        }
        match ok("ColumnPrefixFilter('col')") {
            Node::ColumnPrefix { prefix } => assert_eq!(prefix, b"col"),
            n => panic!("{n:?}"),
        }
        match ok("MultipleColumnPrefixFilter('b', 'a')") {
            Node::MultipleColumnPrefix { prefixes, .. } => {
                assert_eq!(
                    prefixes.into_iter().collect::<Vec<_>>(),
                    vec![b"a".to_vec(), b"b".to_vec()]
                )
            }
            n => panic!("{n:?}"),
        }
        match ok("InclusiveStopFilter('row5')") {
            Node::InclusiveStop { stop, .. } => assert_eq!(stop, b"row5"),
            n => panic!("{n:?}"),
        }
        assert!(matches!(
            ok("ColumnCountGetFilter(3)"),
            Node::ColumnCountGet { limit: 3, .. }
        ));
        assert!(matches!(ok("PageFilter(10)"), Node::Page { size: 10, .. }));
        assert!(matches!(
            ok("ColumnPaginationFilter(2, 1)"),
            Node::ColumnPagination {
                limit: 2,
                offset: 1,
                ..
            }
        ));
        match ok("TimestampsFilter(5, 3, 9)") {
            Node::Timestamps { set } => {
                assert_eq!(set.into_iter().collect::<Vec<_>>(), vec![3, 5, 9])
            }
            n => panic!("{n:?}"),
        }
        assert!(matches!(
            ok("RowFilter(<=, 'binary:abc')"),
            Node::Row {
                op: CompareOp::LessOrEqual,
                cmp: Comparator::Binary(_),
                ..
            }
        ));
        assert!(matches!(
            ok("FamilyFilter(=, 'binaryprefix:c')"),
            Node::Family {
                op: CompareOp::Equal,
                cmp: Comparator::BinaryPrefix(_)
            }
        ));
        assert!(matches!(
            ok("QualifierFilter(!=, 'regexstring:^a.*')"),
            Node::Qualifier {
                op: CompareOp::NotEqual,
                cmp: Comparator::Regex(_)
            }
        ));
        assert!(matches!(
            ok("ValueFilter(=, 'substring:abc')"),
            Node::Value {
                op: CompareOp::Equal,
                cmp: Comparator::Substring(_)
            }
        ));
        match ok("ColumnRangeFilter('a', true, '', false)") {
            Node::ColumnRange {
                min,
                min_inclusive,
                max,
                max_inclusive,
            } => {
                assert_eq!(min.as_deref(), Some(&b"a"[..]));
                assert!(min_inclusive);
                assert_eq!(max, None);
                assert!(!max_inclusive);
            }
            n => panic!("{n:?}"),
        }
        match ok("SingleColumnValueFilter('cf', 'q', >=, 'binary:5')") {
            Node::SingleColumnValue {
                family,
                qualifier,
                op,
                filter_if_missing,
                latest_version_only,
                exclude_column,
                ..
            } => {
                assert_eq!(family, b"cf");
                assert_eq!(qualifier, b"q");
                assert_eq!(op, CompareOp::GreaterOrEqual);
                assert!(!filter_if_missing);
                assert!(latest_version_only);
                assert!(!exclude_column);
            }
            n => panic!("{n:?}"),
        }
        match ok("SingleColumnValueExcludeFilter('cf', 'q', =, 'binary:5', true, false)") {
            Node::SingleColumnValue {
                filter_if_missing,
                latest_version_only,
                exclude_column,
                ..
            } => {
                assert!(filter_if_missing);
                assert!(!latest_version_only);
                assert!(exclude_column);
            }
            n => panic!("{n:?}"),
        }
        assert!(matches!(
            ok("DependentColumnFilter('cf', 'q')"),
            Node::DependentColumn {
                drop_dependent: false,
                condition: None,
                ..
            }
        ));
        assert!(matches!(
            ok("DependentColumnFilter('cf', 'q', true)"),
            Node::DependentColumn {
                drop_dependent: true,
                condition: None,
                ..
            }
        ));
        assert!(matches!(
            ok("DependentColumnFilter('cf', 'q', false, <, 'regexstring:x')"),
            Node::DependentColumn {
                drop_dependent: false,
                condition: Some((CompareOp::Less, Comparator::Regex(_))),
                ..
            }
        ));
        assert!(matches!(
            ok("ColumnValueFilter('cf', '', >, 'binary:1')"),
            Node::ColumnValue {
                op: CompareOp::Greater,
                ..
            }
        ));
    }

    #[test]
    fn quoting_and_separators() {
        match ok("PrefixFilter('it''s')") {
            Node::Prefix { prefix, .. } => assert_eq!(prefix, b"it's"),
            n => panic!("{n:?}"),
        }
        match ok("PrefixFilter('')") {
            Node::Prefix { prefix, .. } => assert!(prefix.is_empty()),
            n => panic!("{n:?}"),
        }
        match ok("PrefixFilter('''')") {
            Node::Prefix { prefix, .. } => assert_eq!(prefix, b"'"),
            n => panic!("{n:?}"),
        }
        // Parentheses, commas and keywords inside quotes are data.
        match ok("PrefixFilter('a) AND (b, c')") {
            Node::Prefix { prefix, .. } => assert_eq!(prefix, b"a) AND (b, c"),
            n => panic!("{n:?}"),
        }
        // Whitespace between the name and '(' and around arguments.
        assert!(matches!(
            ok("  PageFilter ( 1 )  "),
            Node::Page { size: 1, .. }
        ));
        // HBase accepts whitespace in place of commas.
        assert!(matches!(
            ok("ValueFilter(= 'binary:x')"),
            Node::Value { .. }
        ));
        assert!(matches!(
            ok("ValueFilter(=,'binary:x')"),
            Node::Value { .. }
        ));
        assert!(matches!(ok("PageFilter(-0)"), Node::Page { size: 0, .. }));
    }

    fn shape(n: &Node) -> String {
        match n {
            Node::And { children, .. } => format!(
                "AND({})",
                children.iter().map(shape).collect::<Vec<_>>().join(",")
            ),
            Node::Or { children, .. } => format!(
                "OR({})",
                children.iter().map(shape).collect::<Vec<_>>().join(",")
            ),
            Node::Skip { inner, .. } => format!("SKIP({})", shape(inner)),
            Node::While { inner, .. } => format!("WHILE({})", shape(inner)),
            Node::Prefix { prefix, .. } => String::from_utf8_lossy(prefix).into_owned(),
            other => format!("{other:?}"),
        }
    }

    fn p(s: &str) -> String {
        shape(&ok(s))
    }

    #[test]
    fn precedence_and_grouping() {
        assert_eq!(
            p("PrefixFilter('a') AND PrefixFilter('b') OR PrefixFilter('c')"),
            "OR(AND(a,b),c)"
        );
        assert_eq!(
            p("PrefixFilter('a') OR PrefixFilter('b') AND PrefixFilter('c')"),
            "OR(a,AND(b,c))"
        );
        assert_eq!(
            p("SKIP PrefixFilter('a') AND PrefixFilter('b')"),
            "AND(SKIP(a),b)"
        );
        assert_eq!(
            p("PrefixFilter('a') OR WHILE PrefixFilter('b')"),
            "OR(a,WHILE(b))"
        );
        assert_eq!(
            p("(PrefixFilter('a') OR PrefixFilter('b')) AND PrefixFilter('c')"),
            "AND(OR(a,b),c)"
        );
        assert_eq!(
            p("SKIP (PrefixFilter('a') AND PrefixFilter('b'))"),
            "SKIP(AND(a,b))"
        );
        assert_eq!(p("WHILE SKIP PrefixFilter('a')"), "WHILE(SKIP(a))");
        assert_eq!(
            p("PrefixFilter('a') AND PrefixFilter('b') AND PrefixFilter('c')"),
            "AND(a,b,c)"
        );
        assert_eq!(
            p("(PrefixFilter('a') AND PrefixFilter('b')) AND PrefixFilter('c')"),
            "AND(AND(a,b),c)"
        );
        assert_eq!(p("((PrefixFilter('a')))"), "a");
        // Keywords may touch parentheses, like in HBase.
        assert_eq!(
            p("PrefixFilter('a')AND(PrefixFilter('b'))OR(PrefixFilter('c'))"),
            "OR(AND(a,b),c)"
        );
        assert_eq!(p("SKIP(PrefixFilter('a'))"), "SKIP(a)");
        assert_eq!(p("PrefixFilter('a')\tAND\tPrefixFilter('b')"), "AND(a,b)");
    }

    #[test]
    fn errors_name_the_problem() {
        fails("", "the filter string is empty");
        fails("   ", "the filter string is empty");
        fails(
            "NoSuchFilter('a')",
            "Filter Name NoSuchFilter not supported",
        );
        fails(
            "prefixfilter('a')",
            "Filter Name prefixfilter not supported",
        );
        fails(
            "PrefixFilter('a') and PrefixFilter('b')",
            "expected AND, OR or the end",
        );
        fails("(PrefixFilter('a')", "Mismatched parenthesis");
        fails("PrefixFilter('a'))", "Mismatched parenthesis");
        fails(")", "Mismatched parenthesis");
        fails("()", "empty parentheses");
        fails("PrefixFilter('a", "unterminated quoted string");
        fails("PrefixFilter('a'", "missing ')'");
        fails(
            "PrefixFilter",
            "expected '(' after filter name PrefixFilter",
        );
        fails(
            "PrefixFilter('a') PrefixFilter('b')",
            "Incorrect Filter String",
        );
        fails("PrefixFilter('a') AND", "an AND needs two filters");
        fails("PrefixFilter('a') OR ", "an OR needs two filters");
        fails("(PrefixFilter('a') AND)", "an AND needs two filters");
        fails("SKIP", "a SKIP wraps a filter");
        fails("SKIP ", "a SKIP wraps a filter");
        fails("WHILE ()", "empty parentheses");
        fails("WHILE ", "a WHILE wraps a filter");
        fails("AND PrefixFilter('a')", "Filter Name AND not supported");
        fails(
            "PrefixFilter('a', 'b')",
            "PrefixFilter: Expected 1 arguments but got: 2",
        );
        fails("PrefixFilter()", "Expected 1 arguments but got: 0");
        fails("PrefixFilter(abc)", "must be a quoted string");
        fails(
            "MultipleColumnPrefixFilter('b', 'a', 'b')",
            "prefixes must be distinct, 'b' is given twice",
        );
        fails("MultipleColumnPrefixFilter(b)", "must be a quoted string");
        fails("FirstKeyOnlyFilter(1)", "Expected 0 arguments but got: 1");
        fails("KeyOnlyFilter(true, false)", "Expected 0 or 1 arguments");
        fails("KeyOnlyFilter('true')", "Incorrect Boolean Expression");
        fails("KeyOnlyFilter(yes)", "Incorrect Boolean Expression");
        fails("PageFilter('1')", "must be an unquoted integer");
        fails("PageFilter(1x)", "only contain digits");
        fails("PageFilter(-)", "only contain digits");
        fails("PageFilter(-1)", "page size must be positive");
        fails(
            "PageFilter(99999999999999999999)",
            "Long Argument too large",
        );
        fails(
            "ColumnCountGetFilter(2147483648)",
            "Integer Argument too large",
        );
        fails(
            "ColumnPaginationFilter(1)",
            "Expected 2 arguments but got: 1",
        );
        fails("ColumnPaginationFilter(1, -2)", "offset must be positive");
        fails("TimestampsFilter(1, -2)", "timestamp must be positive");
        fails("ValueFilter(==, 'binary:a')", "Invalid compare operator ==");
        fails("ValueFilter('=', 'binary:a')", "Invalid compare operator");
        fails("ValueFilter(=, binary:a)", "must be a quoted string");
        fails("ValueFilter(=, 'binary')", "Incorrect comparator");
        fails(
            "ValueFilter(=, 'blob:a')",
            "Incorrect comparatorType 'blob'",
        );
        fails(
            "ValueFilter(<, 'regexstring:a')",
            "can only be used with EQUAL and NOT_EQUAL",
        );
        fails(
            "RowFilter(>=, 'substring:a')",
            "can only be used with EQUAL and NOT_EQUAL",
        );
        fails(
            "SingleColumnValueFilter('cf', 'q', >, 'substring:a')",
            "can only be used with EQUAL and NOT_EQUAL",
        );
        fails(
            "ColumnValueFilter('cf', 'q', <=, 'regexstring:a')",
            "can only be used with EQUAL and NOT_EQUAL",
        );
        fails(
            "ValueFilter(=, 'regexstring:(')",
            "Invalid regular expression",
        );
        fails(
            "SingleColumnValueFilter('cf', 'q', =, 'binary:a', true)",
            "Expected 4 or 6 arguments but got: 5",
        );
        fails(
            "SingleColumnValueFilter('cf', 'q', =, 'binary:a', true, maybe)",
            "Incorrect Boolean Expression",
        );
        fails(
            "DependentColumnFilter('cf', 'q', true, =)",
            "Expected 2, 3 or 5 arguments but got: 4",
        );
        fails(
            "ColumnRangeFilter('a', true, 'b')",
            "Expected 4 arguments but got: 3",
        );
        fails("ColumnValueFilter('cf', 'q', =)", "Expected 4 arguments");
        let deep = format!("{}PageFilter(1){}", "(".repeat(500), ")".repeat(500));
        fails(&deep, "nested deeper");
    }

    #[test]
    fn nesting_is_bounded() {
        let fine = format!("{}PageFilter(1)", "SKIP ".repeat(MAX_DEPTH));
        assert!(parse_filter(fine.as_bytes()).is_ok());
        let many = format!("{}PageFilter(1)", "SKIP ".repeat(10_000));
        fails(&many, "nested deeper");
        let mixed = format!("{}PageFilter(1){}", "WHILE (".repeat(60), ")".repeat(60));
        fails(&mixed, "nested deeper");
    }
}
