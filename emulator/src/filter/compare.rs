//! Compare operators and comparators (`binary:`, `binaryprefix:`,
//! `regexstring:`, `substring:`).
//!
//! Orientation follows HBase: the comparator compares *its own* value against
//! the cell's bytes, and the operator is then read as "cell OP argument". So
//! `ValueFilter(>, 'binary:5')` keeps cells whose value sorts after `5`.

use std::cmp::Ordering;
use std::fmt;

use regex_automata::meta;

use super::budget::Budget;
use super::FilterError;

/// A compare operator of the filter language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CompareOp {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `>=`
    GreaterOrEqual,
    /// `>`
    Greater,
}

impl CompareOp {
    /// Parses an unquoted operator token.
    pub(crate) fn parse(token: &[u8]) -> Option<CompareOp> {
        Some(match token {
            b"<" => CompareOp::Less,
            b"<=" => CompareOp::LessOrEqual,
            b"=" => CompareOp::Equal,
            b"!=" => CompareOp::NotEqual,
            b">=" => CompareOp::GreaterOrEqual,
            b">" => CompareOp::Greater,
            _ => return None,
        })
    }

    /// Whether a cell passes, given `comparator.compare_to(cell)`.
    ///
    /// `arg_vs_cell` is the ordering of the argument relative to the cell, so
    /// "cell < argument" is `Greater` here.
    pub(crate) fn passes(self, arg_vs_cell: Ordering) -> bool {
        match self {
            CompareOp::Less => arg_vs_cell == Ordering::Greater,
            CompareOp::LessOrEqual => arg_vs_cell != Ordering::Less,
            CompareOp::Equal => arg_vs_cell == Ordering::Equal,
            CompareOp::NotEqual => arg_vs_cell != Ordering::Equal,
            CompareOp::GreaterOrEqual => arg_vs_cell != Ordering::Greater,
            CompareOp::Greater => arg_vs_cell == Ordering::Less,
        }
    }
}

/// A comparator: how an argument is matched against cell bytes.
#[derive(Clone)]
pub(crate) enum Comparator {
    /// Unsigned lexicographic comparison of the whole value.
    Binary(Vec<u8>),
    /// Unsigned lexicographic comparison against the first `len` bytes of
    /// the cell, where `len` is the argument's length.
    BinaryPrefix(Vec<u8>),
    /// Matches when the pattern is found anywhere in the UTF-8 decoded cell
    /// (Java `find()` with `DOTALL`); only `=` and `!=` are meaningful.
    Regex(Box<CompiledRegex>),
    /// Case-insensitive "contains"; only `=` and `!=` are meaningful.
    Substring(String),
}

impl fmt::Debug for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Comparator::Binary(v) => write!(f, "binary:{}", String::from_utf8_lossy(v)),
            Comparator::BinaryPrefix(v) => {
                write!(f, "binaryprefix:{}", String::from_utf8_lossy(v))
            }
            Comparator::Regex(r) => write!(f, "regexstring:{}", r.pattern),
            Comparator::Substring(s) => write!(f, "substring:{s}"),
        }
    }
}

/// Largest regular expression program the emulator agrees to compile.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Most memory the lazy DFA of one regular expression may grow to while it
/// matches (the regex engine falls back to slower matching past it).
const REGEX_DFA_CACHE: usize = 256 << 10;

/// What a compiled regular expression is charged beyond its own heap: the
/// match-time caches (the lazy DFA, forward and reverse, and the
/// backtracker's visited set), as they can grow.
const REGEX_CACHE_CHARGE: usize = 2 * REGEX_DFA_CACHE + (256 << 10);

/// A `regexstring:` pattern, compiled.
#[derive(Clone)]
pub(crate) struct CompiledRegex {
    pattern: String,
    regex: meta::Regex,
}

impl CompiledRegex {
    /// Compiles `pattern` with `DOTALL` as HBase does, charging its memory
    /// to `budget`.
    fn compile(pattern: String, budget: &Budget) -> Result<CompiledRegex, FilterError> {
        let what = format!("regexstring:{pattern}");
        // The program may not take more than what is left: a refusal then
        // costs no more than the budget.
        let room = budget.remaining().saturating_sub(REGEX_CACHE_CHARGE);
        if room == 0 {
            return Err(budget.refuse(&what));
        }
        let config = meta::Config::new()
            .nfa_size_limit(Some(REGEX_SIZE_LIMIT.min(room)))
            .hybrid_cache_capacity(REGEX_DFA_CACHE);
        let regex = meta::Regex::builder()
            .configure(config)
            .build(&format!("(?s){pattern}"))
            .map_err(|e| {
                if e.size_limit().is_some_and(|limit| limit < REGEX_SIZE_LIMIT) {
                    budget.refuse(&what)
                } else {
                    FilterError(format!("Invalid regular expression '{pattern}': {e}"))
                }
            })?;
        budget.charge(regex.memory_usage() + REGEX_CACHE_CHARGE, &what)?;
        Ok(CompiledRegex { pattern, regex })
    }

    fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

impl Comparator {
    /// Parses the unquoted contents of a comparator argument, `type:value`,
    /// with no memory budget.
    #[cfg(test)]
    pub(crate) fn parse(spec: &[u8]) -> Result<Comparator, FilterError> {
        Self::parse_within(spec, &Budget::new(usize::MAX))
    }

    /// Parses the unquoted contents of a comparator argument, `type:value`,
    /// charging a compiled regular expression to `budget`.
    pub(crate) fn parse_within(spec: &[u8], budget: &Budget) -> Result<Comparator, FilterError> {
        let Some(colon) = spec.iter().position(|&b| b == b':') else {
            return Err(FilterError(format!(
                "Incorrect comparator '{}': expected type:value, e.g. 'binary:abc'",
                String::from_utf8_lossy(spec)
            )));
        };
        let (kind, value) = (&spec[..colon], &spec[colon + 1..]);
        match kind {
            b"binary" => Ok(Comparator::Binary(value.to_vec())),
            b"binaryprefix" => Ok(Comparator::BinaryPrefix(value.to_vec())),
            b"regexstring" => {
                let pattern = String::from_utf8_lossy(value).into_owned();
                CompiledRegex::compile(pattern, budget).map(|r| Comparator::Regex(Box::new(r)))
            }
            b"substring" => Ok(Comparator::Substring(
                String::from_utf8_lossy(value).to_lowercase(),
            )),
            other => Err(FilterError(format!(
                "Incorrect comparatorType '{}': expected binary, binaryprefix, regexstring \
                 or substring",
                String::from_utf8_lossy(other)
            ))),
        }
    }

    /// Whether this comparator only supports `=` and `!=`.
    pub(crate) fn is_equality_only(&self) -> bool {
        matches!(self, Comparator::Regex(_) | Comparator::Substring(_))
    }

    /// The ordering of the comparator's argument relative to `cell`.
    ///
    /// For regex and substring comparators, `Equal` means "matches" and
    /// `Greater` means "does not match", as in HBase (0 / 1).
    pub(crate) fn compare_to(&self, cell: &[u8]) -> Ordering {
        match self {
            Comparator::Binary(arg) => arg.as_slice().cmp(cell),
            Comparator::BinaryPrefix(arg) => {
                let len = arg.len().min(cell.len());
                arg.as_slice().cmp(&cell[..len])
            }
            Comparator::Regex(re) => {
                if re.is_match(&String::from_utf8_lossy(cell)) {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Comparator::Substring(needle) => {
                if String::from_utf8_lossy(cell)
                    .to_lowercase()
                    .contains(needle.as_str())
                {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
        }
    }

    /// Whether `cell` passes `op` against this comparator.
    pub(crate) fn matches(&self, op: CompareOp, cell: &[u8]) -> bool {
        op.passes(self.compare_to(cell))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(spec: &str) -> Comparator {
        Comparator::parse(spec.as_bytes()).expect("valid comparator")
    }

    #[test]
    fn operators_parse() {
        assert_eq!(CompareOp::parse(b"<"), Some(CompareOp::Less));
        assert_eq!(CompareOp::parse(b"<="), Some(CompareOp::LessOrEqual));
        assert_eq!(CompareOp::parse(b"="), Some(CompareOp::Equal));
        assert_eq!(CompareOp::parse(b"!="), Some(CompareOp::NotEqual));
        assert_eq!(CompareOp::parse(b">="), Some(CompareOp::GreaterOrEqual));
        assert_eq!(CompareOp::parse(b">"), Some(CompareOp::Greater));
        assert_eq!(CompareOp::parse(b"=="), None);
        assert_eq!(CompareOp::parse(b"<>"), None);
    }

    #[test]
    fn operator_applies_to_cell_versus_argument() {
        let five = cmp("binary:5");
        // cell "7" > "5"
        assert!(five.matches(CompareOp::Greater, b"7"));
        assert!(five.matches(CompareOp::GreaterOrEqual, b"7"));
        assert!(!five.matches(CompareOp::Less, b"7"));
        assert!(!five.matches(CompareOp::LessOrEqual, b"7"));
        assert!(five.matches(CompareOp::NotEqual, b"7"));
        assert!(!five.matches(CompareOp::Equal, b"7"));
        // cell "3" < "5"
        assert!(five.matches(CompareOp::Less, b"3"));
        assert!(!five.matches(CompareOp::Greater, b"3"));
        // equal
        assert!(five.matches(CompareOp::Equal, b"5"));
        assert!(five.matches(CompareOp::LessOrEqual, b"5"));
        assert!(five.matches(CompareOp::GreaterOrEqual, b"5"));
        assert!(!five.matches(CompareOp::Less, b"5"));
        assert!(!five.matches(CompareOp::Greater, b"5"));
    }

    #[test]
    fn binary_is_unsigned_and_shorter_sorts_first() {
        let c = Comparator::Binary(vec![0x7f]);
        // 0x80 is negative as a Java byte but sorts after 0x7f unsigned.
        assert!(c.matches(CompareOp::Greater, &[0x80]));
        let ab = cmp("binary:ab");
        assert!(ab.matches(CompareOp::Less, b"a"));
        assert!(ab.matches(CompareOp::Greater, b"abc"));
        assert!(ab.matches(CompareOp::Greater, b"b"));
    }

    #[test]
    fn binary_prefix_compares_leading_bytes_only() {
        let c = cmp("binaryprefix:ab");
        assert!(c.matches(CompareOp::Equal, b"abzzz"));
        assert!(c.matches(CompareOp::Equal, b"ab"));
        assert!(!c.matches(CompareOp::Equal, b"a"));
        assert!(c.matches(CompareOp::Less, b"a"));
        assert!(c.matches(CompareOp::Greater, b"ac"));
        assert!(c.matches(CompareOp::Less, b"aa999"));
    }

    #[test]
    fn regex_finds_anywhere_with_dotall() {
        let c = cmp("regexstring:b.d");
        assert!(c.matches(CompareOp::Equal, b"abcde"));
        assert!(c.matches(CompareOp::Equal, b"ab\nde"));
        assert!(!c.matches(CompareOp::Equal, b"xyz"));
        assert!(c.matches(CompareOp::NotEqual, b"xyz"));
        let anchored = cmp("regexstring:^row[0-9]+$");
        assert!(anchored.matches(CompareOp::Equal, b"row42"));
        assert!(!anchored.matches(CompareOp::Equal, b"xrow42"));
    }

    #[test]
    fn substring_is_case_insensitive() {
        let c = cmp("substring:BeRt");
        assert!(c.matches(CompareOp::Equal, b"Albert"));
        assert!(c.matches(CompareOp::Equal, b"ALBERTO"));
        assert!(!c.matches(CompareOp::Equal, b"Alberta".get(..3).unwrap_or_default()));
        assert!(c.matches(CompareOp::NotEqual, b"nothing"));
    }

    #[test]
    fn comparator_value_may_contain_colons() {
        match cmp("binary:a:b") {
            Comparator::Binary(v) => assert_eq!(v, b"a:b"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn comparator_errors_name_the_problem() {
        let e = Comparator::parse(b"nocolon").unwrap_err();
        assert!(e.0.contains("Incorrect comparator"), "{}", e.0);
        let e = Comparator::parse(b"bin:x").unwrap_err();
        assert!(e.0.contains("Incorrect comparatorType 'bin'"), "{}", e.0);
        let e = Comparator::parse(b"regexstring:(").unwrap_err();
        assert!(e.0.contains("Invalid regular expression"), "{}", e.0);
        // Types are case-sensitive, as in HBase.
        assert!(Comparator::parse(b"Binary:x").is_err());
    }
}
