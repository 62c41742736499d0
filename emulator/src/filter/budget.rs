//! The memory budget of one filter: compiled regular expressions are charged
//! to it as they are compiled, so a filter string of thousands of
//! `regexstring:` comparators stops at the budget instead of pinning
//! hundreds of megabytes (and seconds of CPU) in one scanner.

use std::cell::Cell;

use super::FilterError;

/// Bytes a filter may still take, and whether it asked for more.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: usize,
    used: Cell<usize>,
    exceeded: Cell<bool>,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Budget {
            limit,
            used: Cell::new(0),
            exceeded: Cell::new(false),
        }
    }

    /// Bytes left.
    pub(crate) fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.used.get())
    }

    /// Bytes charged so far.
    pub(crate) fn used(&self) -> usize {
        self.used.get()
    }

    /// Whether a charge was refused.
    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded.get()
    }

    /// Charges `bytes` for `what`, or refuses with an error naming it.
    pub(crate) fn charge(&self, bytes: usize, what: &str) -> Result<(), FilterError> {
        match self.used.get().checked_add(bytes) {
            Some(total) if total <= self.limit => {
                self.used.set(total);
                Ok(())
            }
            _ => Err(self.refuse(what)),
        }
    }

    /// The error for `what`, which does not fit; marks the budget exceeded.
    pub(crate) fn refuse(&self, what: &str) -> FilterError {
        self.exceeded.set(true);
        FilterError(format!(
            "the filter's compiled regular expressions need more than its memory budget of \
             {} bytes ({what} does not fit after {} bytes); use fewer or simpler regexstring \
             comparators",
            self.limit,
            self.used.get()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_up_to_the_limit_then_refuses() {
        let b = Budget::new(100);
        b.charge(60, "a").expect("fits");
        b.charge(40, "b").expect("fits exactly");
        assert!(!b.exceeded());
        let e = b.charge(1, "regexstring:c").expect_err("over");
        assert!(e.0.contains("100 bytes"), "{e}");
        assert!(e.0.contains("regexstring:c"), "{e}");
        assert!(b.exceeded());
        assert_eq!(b.used(), 100);
        assert_eq!(b.remaining(), 0);
        assert!(Budget::new(10).charge(usize::MAX, "x").is_err());
    }
}
