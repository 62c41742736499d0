//! Row filters as an expression tree, for each backend to translate.

use std::fmt;

/// A comparison of a cell value with a given value, in byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
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
    /// The operator as the HBase filter language writes it.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(hbase_orm::filter::CompareOp::GreaterOrEqual.as_str(), ">=");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Less => "<",
            CompareOp::LessOrEqual => "<=",
            CompareOp::Equal => "=",
            CompareOp::NotEqual => "!=",
            CompareOp::GreaterOrEqual => ">=",
            CompareOp::Greater => ">",
        }
    }
}

/// Which rows a scan returns, as a tree a backend translates into its own
/// filter language (or refuses with
/// [`Error::Unsupported`](crate::Error::Unsupported)).
///
/// # Examples
/// ```
/// use hbase_orm::store::{CompareOp, FilterExpr};
///
/// let adults = FilterExpr::Column {
///     family: b"cf".to_vec(),
///     qualifier: b"age".to_vec(),
///     op: CompareOp::GreaterOrEqual,
///     value: 18i32.to_be_bytes().to_vec(),
/// };
/// let either = adults.clone().or(FilterExpr::HBase(b"KeyOnlyFilter()".to_vec()));
/// assert!(matches!(either, FilterExpr::Or(..)));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilterExpr {
    /// Rows whose cell `family:qualifier` compares to `value` by `op` (byte
    /// order); rows without the cell do not match.
    Column {
        /// The column family.
        family: Vec<u8>,
        /// The qualifier.
        qualifier: Vec<u8>,
        /// The comparison.
        op: CompareOp,
        /// The encoded value compared with.
        value: Vec<u8>,
    },
    /// Rows whose key compares to `key` by `op` (byte order): HBase's
    /// `RowFilter` with a `binary:` comparator, an Accumulo scan range.
    RowKey {
        /// The comparison, read as `row op key`.
        op: CompareOp,
        /// The encoded key compared with.
        key: Vec<u8>,
    },
    /// Rows whose key, read as UTF-8, contains a match of the Java regular
    /// expression `pattern`, in which `.` also matches line ends: HBase's
    /// `RowFilter` with a `regexstring:` comparator, Accumulo's
    /// `RegExFilter` on the row with `matchSubstring` (anchor it with `^`
    /// and `$` for a whole-key match).
    RowRegex(String),
    /// Rows both filters match.
    And(Box<FilterExpr>, Box<FilterExpr>),
    /// Rows either filter matches.
    Or(Box<FilterExpr>, Box<FilterExpr>),
    /// The rows the filter matches, up to the first one it does not match,
    /// where the scan ends.
    WhileMatching(Box<FilterExpr>),
    /// A filter string in the HBase filter language, passed through as it
    /// is; backends other than HBase refuse it.
    HBase(Vec<u8>),
}

impl FilterExpr {
    /// Rows both `self` and `other` match.
    pub fn and(self, other: FilterExpr) -> FilterExpr {
        FilterExpr::And(Box::new(self), Box::new(other))
    }

    /// Rows `self` or `other` matches.
    pub fn or(self, other: FilterExpr) -> FilterExpr {
        FilterExpr::Or(Box::new(self), Box::new(other))
    }
}

impl fmt::Debug for FilterExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match self {
            FilterExpr::Column {
                family,
                qualifier,
                op,
                value,
            } => write!(
                f,
                "Column({}:{} {} {:?})",
                text(family),
                text(qualifier),
                op.as_str(),
                text(value)
            ),
            FilterExpr::RowKey { op, key } => write!(f, "RowKey({} {:?})", op.as_str(), text(key)),
            FilterExpr::RowRegex(p) => write!(f, "RowRegex({p:?})"),
            FilterExpr::And(a, b) => write!(f, "({a:?} AND {b:?})"),
            FilterExpr::Or(a, b) => write!(f, "({a:?} OR {b:?})"),
            FilterExpr::WhileMatching(e) => write!(f, "WHILE {e:?}"),
            FilterExpr::HBase(s) => write!(f, "HBase({:?})", text(s)),
        }
    }
}
