//! Conditional writing: mutations applied only where their conditions
//! hold, with a status per row.

use std::collections::BTreeMap;
use std::fmt;

use hbase_orm_idl::accumulo as proxy;

pub use proxy::ConditionalStatus;

use super::connector::Connector;
use super::iterator::{self, IteratorSetting};
use super::visibility::{Authorizations, ColumnVisibility};
use super::writer::{Durability, Mutation};
use crate::error::{Error, Result};

/// One condition on a cell of the row: its value equals a given one, or
/// (with no value) the cell is absent; optionally at a timestamp, on a
/// labelled cell, and seen through iterators.
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::Condition;
///
/// let absent = Condition::new("f", "lock");
/// let equals = Condition::new("f", "version").value("3").timestamp(7);
/// # let _ = (absent, equals);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    family: Vec<u8>,
    qualifier: Vec<u8>,
    visibility: ColumnVisibility,
    timestamp: Option<i64>,
    value: Option<Vec<u8>>,
    iterators: Vec<IteratorSetting>,
}

impl Condition {
    /// The cell `family:qualifier` is absent (add [`Condition::value`] to
    /// require a value instead).
    pub fn new(family: impl AsRef<[u8]>, qualifier: impl AsRef<[u8]>) -> Self {
        Condition {
            family: family.as_ref().to_vec(),
            qualifier: qualifier.as_ref().to_vec(),
            visibility: ColumnVisibility::empty(),
            timestamp: None,
            value: None,
            iterators: Vec::new(),
        }
    }

    /// The cell holds exactly `value`.
    pub fn value(mut self, value: impl AsRef<[u8]>) -> Self {
        self.value = Some(value.as_ref().to_vec());
        self
    }

    /// The cell version at `timestamp` is the one checked.
    pub fn timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// The cell checked is the one labelled `visibility`.
    pub fn visibility(mut self, visibility: ColumnVisibility) -> Self {
        self.visibility = visibility;
        self
    }

    /// The cell is read through `iterator` before it is compared.
    pub fn iterator(mut self, iterator: IteratorSetting) -> Self {
        self.iterators.push(iterator);
        self
    }

    fn to_wire(&self) -> Result<proxy::Condition> {
        Ok(proxy::Condition {
            column: Some(proxy::Column::new(
                self.family.clone(),
                self.qualifier.clone(),
                self.visibility.as_bytes().to_vec(),
            )),
            timestamp: self.timestamp,
            value: self.value.clone(),
            iterators: (!self.iterators.is_empty())
                .then(|| iterator::to_wire_list(&self.iterators))
                .transpose()?,
        })
    }
}

/// A mutation with the conditions it is applied under.
///
/// # Examples
/// ```
/// use hbase_orm::accumulo::{Condition, ConditionalMutation, Mutation};
///
/// let m = ConditionalMutation::new(Mutation::new("acct").put("f", "balance", "10"))
///     .condition(Condition::new("f", "balance").value("5"));
/// # let _ = m;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionalMutation {
    mutation: Mutation,
    conditions: Vec<Condition>,
}

impl ConditionalMutation {
    /// `mutation` with no condition yet.
    pub fn new(mutation: Mutation) -> Self {
        ConditionalMutation {
            mutation,
            conditions: Vec::new(),
        }
    }

    /// Adds a condition (every condition must hold).
    pub fn condition(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    fn into_wire(self) -> Result<(Vec<u8>, proxy::ConditionalUpdates)> {
        self.mutation.check()?;
        if self.conditions.is_empty() {
            return Err(Error::InvalidInput(format!(
                "the conditional mutation of row {:?} has no condition",
                String::from_utf8_lossy(self.mutation.row())
            )));
        }
        let conditions = self
            .conditions
            .iter()
            .map(Condition::to_wire)
            .collect::<Result<Vec<_>>>()?;
        let (row, updates) = self.mutation.into_parts();
        Ok((row, proxy::ConditionalUpdates::new(conditions, updates)))
    }
}

/// Settings of a [`ConditionalWriter`]; `None` leaves the proxy's default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConditionalWriterOptions {
    max_memory: Option<i64>,
    timeout_ms: Option<i64>,
    threads: Option<i32>,
    authorizations: Option<Authorizations>,
    durability: Option<Durability>,
}

impl ConditionalWriterOptions {
    /// Bytes buffered before sending.
    pub fn max_memory(mut self, bytes: i64) -> Self {
        self.max_memory = Some(bytes);
        self
    }

    /// How long a server is retried before failing.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout_ms = Some(i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX));
        self
    }

    /// Threads the proxy's writer uses.
    pub fn threads(mut self, threads: i32) -> Self {
        self.threads = Some(threads);
        self
    }

    /// The authorizations conditions on labelled cells are checked with.
    pub fn authorizations(mut self, auths: Authorizations) -> Self {
        self.authorizations = Some(auths);
        self
    }

    /// How durably the servers record each mutation.
    pub fn durability(mut self, durability: Durability) -> Self {
        self.durability = Some(durability);
        self
    }
}

/// A conditional writer open on the proxy.
///
/// # Examples
/// ```no_run
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// use hbase_orm::accumulo::*;
///
/// let connector = Connection::builder().connect().await?.login("root", "secret").await?;
/// let writer = connector.conditional_writer("t", ConditionalWriterOptions::default()).await?;
/// let statuses = writer
///     .update([ConditionalMutation::new(Mutation::new("r").put("f", "q", "v"))
///         .condition(Condition::new("f", "q"))])
///     .await?;
/// assert_eq!(statuses[&b"r".to_vec()], ConditionalStatus::ACCEPTED);
/// writer.close().await?;
/// # Ok(()) }
/// ```
pub struct ConditionalWriter {
    connector: Connector,
    id: String,
    closed: bool,
}

impl fmt::Debug for ConditionalWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionalWriter")
            .field("id", &self.id)
            .finish()
    }
}

impl Connector {
    /// Applies one conditional mutation to `table`.
    ///
    /// # Errors
    /// `InvalidInput` for an empty row, no change or no condition;
    /// `TableNotFound`, `Security`.
    pub async fn update_row_conditionally(
        &self,
        table: &str,
        mutation: ConditionalMutation,
    ) -> Result<ConditionalStatus> {
        let (row, updates) = mutation.into_wire()?;
        self.connection()
            .call(&proxy::AccumuloProxyUpdateRowConditionallyArgs {
                login: self.login(),
                table_name: table.to_owned(),
                row,
                updates,
            })
            .await
    }

    /// Opens a conditional writer on `table`.
    ///
    /// # Errors
    /// `TableNotFound`, `Security`.
    pub async fn conditional_writer(
        &self,
        table: &str,
        options: ConditionalWriterOptions,
    ) -> Result<ConditionalWriter> {
        let opts = proxy::ConditionalWriterOptions {
            max_memory: options.max_memory,
            timeout_ms: options.timeout_ms,
            threads: options.threads,
            authorizations: options
                .authorizations
                .as_ref()
                .map(Authorizations::to_wire)
                .transpose()?,
            durability: options.durability,
        };
        let id = self
            .connection()
            .call(&proxy::AccumuloProxyCreateConditionalWriterArgs {
                login: self.login(),
                table_name: table.to_owned(),
                options: opts,
            })
            .await?;
        Ok(ConditionalWriter {
            connector: self.clone(),
            id,
            closed: false,
        })
    }
}

impl ConditionalWriter {
    /// The writer's id on the proxy.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Applies conditional mutations (one per row) and returns each row's
    /// status.
    ///
    /// # Errors
    /// `InvalidInput` for a bad mutation or a row given twice;
    /// `UnknownWriter`, `Security`.
    pub async fn update(
        &self,
        mutations: impl IntoIterator<Item = ConditionalMutation>,
    ) -> Result<BTreeMap<Vec<u8>, ConditionalStatus>> {
        let mut updates = BTreeMap::new();
        for m in mutations {
            let (row, u) = m.into_wire()?;
            if updates.contains_key(&row) {
                return Err(Error::InvalidInput(format!(
                    "row {:?} is given twice to one conditional update",
                    String::from_utf8_lossy(&row)
                )));
            }
            updates.insert(row, u);
        }
        self.connector
            .connection()
            .call(&proxy::AccumuloProxyUpdateRowsConditionallyArgs {
                conditional_writer: self.id.clone(),
                updates,
            })
            .await
    }

    /// Closes the writer on the proxy.
    ///
    /// # Errors
    /// Connection errors.
    pub async fn close(mut self) -> Result<()> {
        self.closed = true;
        self.connector
            .connection()
            .call(&proxy::AccumuloProxyCloseConditionalWriterArgs {
                conditional_writer: self.id.clone(),
            })
            .await
    }
}

impl Drop for ConditionalWriter {
    fn drop(&mut self) {
        if !self.closed {
            self.connector.connection().call_detached(
                &proxy::AccumuloProxyCloseConditionalWriterArgs {
                    conditional_writer: self.id.clone(),
                },
            );
        }
    }
}
