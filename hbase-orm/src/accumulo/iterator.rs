//! Server-side iterator settings: attached to a table, or given to one scan.

use std::collections::{BTreeMap, BTreeSet};

use hbase_orm_idl::accumulo as proxy;

pub use proxy::IteratorScope;

use crate::error::{Error, Result};

/// One iterator: a priority (lower runs first, closer to the data), a name
/// unique on the table, the Java class the tablet servers load, and its
/// options.
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::IteratorSetting;
///
/// let sum = IteratorSetting::new(10, "sum", "org.apache.accumulo.core.iterators.user.SummingCombiner")
///     .option("all", "true")
///     .option("type", "STRING");
/// assert_eq!(sum.name(), "sum");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IteratorSetting {
    priority: i32,
    name: String,
    class: String,
    options: BTreeMap<String, String>,
}

impl IteratorSetting {
    /// An iterator with no options.
    pub fn new(priority: i32, name: impl Into<String>, class: impl Into<String>) -> Self {
        IteratorSetting {
            priority,
            name: name.into(),
            class: class.into(),
            options: BTreeMap::new(),
        }
    }

    /// This setting with option `key` set to `value`.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    /// The priority.
    pub fn priority(&self) -> i32 {
        self.priority
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Java class.
    pub fn class(&self) -> &str {
        &self.class
    }

    /// The options.
    pub fn options(&self) -> &BTreeMap<String, String> {
        &self.options
    }

    pub(crate) fn to_wire(&self) -> Result<proxy::IteratorSetting> {
        if self.name.is_empty() || self.class.is_empty() {
            return Err(Error::InvalidInput(
                "an iterator setting needs a name and a class".to_owned(),
            ));
        }
        if self.priority <= 0 {
            return Err(Error::InvalidInput(format!(
                "iterator `{}` needs a priority above 0, not {}",
                self.name, self.priority
            )));
        }
        Ok(proxy::IteratorSetting::new(
            self.priority,
            self.name.clone(),
            self.class.clone(),
            self.options.clone(),
        ))
    }

    pub(crate) fn from_wire(setting: proxy::IteratorSetting) -> Self {
        IteratorSetting {
            priority: setting.priority.unwrap_or_default(),
            name: setting.name.unwrap_or_default(),
            class: setting.iterator_class.unwrap_or_default(),
            options: setting.properties.unwrap_or_default(),
        }
    }
}

/// Every scope: scan, minor and major compaction.
pub fn all_scopes() -> BTreeSet<IteratorScope> {
    BTreeSet::from([
        IteratorScope::SCAN,
        IteratorScope::MINC,
        IteratorScope::MAJC,
    ])
}

pub(crate) fn to_wire_list(iterators: &[IteratorSetting]) -> Result<Vec<proxy::IteratorSetting>> {
    iterators.iter().map(IteratorSetting::to_wire).collect()
}
