//! The Accumulo Proxy as a [`Store`]: [`AccumuloStore`] (a logged-in
//! [`Connector`] plus the cell visibilities written and the authorizations
//! read with) hands out [`AccumuloTable`]s, so `Repo<T, AccumuloStore>`
//! reads and writes `#[derive(HRow)]` models in Accumulo.
//!
//! # Mapping
//! - the model's table is an Accumulo table (created with millisecond time
//!   and the versioning iterator; `max_versions` above 1 on any family keeps
//!   that many versions of every column, Accumulo's versioning being per
//!   table; a family's `ttl` becomes a `ColumnAgeOffFilter` on the family;
//!   the other family options are HBase's and have no Accumulo meaning);
//! - family → column family, qualifier → column qualifier, row key → row;
//! - every cell is written with a visibility, the most specific first:
//!   the model's label of its field (`#[hbase(visibility = "..")]` on the
//!   field), the store's for its column or family
//!   ([`AccumuloStore::column_visibility`]), the model's label of the row
//!   (on the struct), the store's default ([`AccumuloStore::visibility`]);
//!   a value that needs a visibility of its own is written through a clone
//!   of the store with that visibility (clones are cheap);
//! - every read (get, scan, versions, the read of a counter or a check)
//!   carries the store's authorizations ([`AccumuloStore::authorizations`]);
//!   without them a scan reads with all of the user's authorizations, and
//!   a conditional write (counters, appends, check-and-put) with none, so
//!   set them when counters carry labels;
//! - a delete of a column deletes it at the visibility it is written with;
//!   a row delete deletes every cell of the row the authorizations see.
//!
//! # Scans
//! A key range and a key prefix become one Accumulo [`Range`], the model's
//! columns become the scan's fetched columns, the batch size the scanner's
//! buffer size, and a limit stops reading (and closes the scanner).
//! Filters with an exact Accumulo meaning are translated:
//! - row-key comparisons ([`FilterExpr::RowKey`], `Filter::row_key`)
//!   tighten that range (`<`, `<=`, `=`, `>=`, `>`, joined by AND);
//! - row-key patterns ([`FilterExpr::RowRegex`], `Filter::row_regex`)
//!   become `RegExFilter`s on the row with `matchSubstring` and the
//!   pattern compiled with `(?s)`, which is how HBase's `RowFilter` with a
//!   `regexstring:` comparator matches (an OR of patterns is one
//!   alternation);
//! - a read's time range (`Repo::get_in`, `RepoScan::time_range`) becomes
//!   a `TimestampFilter` (`min` inclusive, `max` exclusive) placed before
//!   the versioning iterator, so the versions read are the newest in the
//!   range, as on HBase.
//!
//! What Accumulo has no exact form for is refused with
//! [`Error::Unsupported`] naming it and why, before anything is sent:
//! - reverse scans (Accumulo scans in key order only);
//! - column-value comparisons ([`FilterExpr::Column`]): they select *rows*
//!   by the value of one of their cells, and Accumulo 1.x ships no
//!   row-selecting iterator that compares a cell value (its `RegExFilter`
//!   and `TimestampFilter` drop single entries, which would leave half
//!   rows);
//! - a row-key `!=` (two ranges), an OR other than between row patterns,
//!   `WhileMatching`, and HBase filter strings (HBase's language).
//!
//! Filter such rows in the application, or use the raw client's
//! scan-time iterators.
//!
//! # Counters, appends and check-and-put
//! All three are conditional writes (the proxy's
//! `updateRowConditionally`, or a conditional writer with the store's
//! authorizations): an increment reads the counter, writes the new value
//! under the condition that the cell still holds the value read, and
//! retries when another writer got there first. A `SummingCombiner` is *not*
//! used: with a combiner on the family every write of the column adds to
//! it, so `Repo::put` of a model would add its counter value instead of
//! setting it, and an increment could not return the value it produced.
//! Counters stay 8-byte big-endian cells, as on HBase.

use std::collections::BTreeMap;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};

use crate::accumulo::{
    all_scopes, following_prefix, Authorizations, BatchScanOptions, ColumnVisibility, Condition,
    ConditionalMutation, ConditionalStatus, ConditionalWriterOptions, Connector, Entry,
    IteratorSetting, Mutation, Range, ScanOptions, TimeType,
};
use crate::error::{AccumuloErrorKind, Error, Result};
use crate::store::{
    Appends, CellLabels, Check, CheckAndPut, ColumnValue, CompareOp, Counters, FamilySpec,
    FilterExpr, GetSpec, RowWrite, ScanSpec, Store, StoreTable, StoreWriter, TimeRange,
};
use crate::value::{Cell, Row};

/// The backend's name in [`Error::Unsupported`].
const BACKEND: &str = "the Accumulo backend";

/// The class of Accumulo's versioning iterator.
const VERSIONING: &str = "org.apache.accumulo.core.iterators.user.VersioningIterator";

/// The class of Accumulo's regular-expression filter (row-key patterns).
const REGEX_FILTER: &str = "org.apache.accumulo.core.iterators.user.RegExFilter";

/// The priority of the first row-pattern filter of a typed scan (above
/// the versioning iterator's 20 on tables made by the backend).
const ROW_REGEX_PRIORITY: i32 = 50;

/// The class of Accumulo's timestamp filter (reads with a time range).
const TIMESTAMP_FILTER: &str = "org.apache.accumulo.core.iterators.user.TimestampFilter";

/// The priority of a read's time filter: after the age-off filter (10),
/// before the versioning iterator (20).
const TIME_FILTER_PRIORITY: i32 = 15;

/// The class of Accumulo's per-column age-off filter (family TTLs).
const AGE_OFF: &str = "org.apache.accumulo.core.iterators.user.ColumnAgeOffFilter";

/// How often a counter or append retries its conditional write when other
/// writers keep changing the cell in between.
const CAS_ATTEMPTS: usize = 100;

/// A logged-in Accumulo connector as a [`Store`], with the visibilities
/// cells are written with and the authorizations they are read with.
///
/// Cheap to clone. See the [module documentation](self) for the mapping.
///
/// # Examples
/// ```no_run
/// use hbase_orm::accumulo::{Authorizations, Connection};
/// use hbase_orm::backend::accumulo::AccumuloStore;
/// use hbase_orm::{repo::Repo, HRow};
///
/// #[derive(HRow)]
/// #[hbase(table = "users", family = "cf")]
/// struct User {
///     #[hbase(row_key)]
///     id: String,
///     name: String,
///     #[hbase(counter)]
///     logins: i64,
/// }
///
/// # #[tokio::main] async fn main() -> hbase_orm::Result<()> {
/// let connector = Connection::builder().connect().await?.login("root", "secret").await?;
/// let store = AccumuloStore::new(connector)
///     .visibility("staff")?
///     .column_visibility("cf:logins", "staff&audit")?
///     .authorizations(Authorizations::from_iter(["staff", "audit"]));
/// let users = Repo::<User, AccumuloStore>::new(&store);
/// users.create_table().await?;
/// users.put(&User { id: "ann".into(), name: "Ann".into(), logins: 0 }).await?;
/// users.increment("ann", User::fields().logins(), 1).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AccumuloStore {
    connector: Connector,
    settings: Arc<Settings>,
}

/// What every table of a store writes and reads with.
#[derive(Debug, Clone, Default)]
struct Settings {
    /// The visibility of cells without one of their own.
    visibility: ColumnVisibility,
    /// Visibilities by column (`family:qualifier`) or family (`family`).
    columns: BTreeMap<Vec<u8>, ColumnVisibility>,
    /// The authorizations of every read; none when `None`.
    authorizations: Option<Authorizations>,
}

impl Settings {
    /// The visibility set for `column` (`family:qualifier`) or its family.
    fn column_visibility(&self, column: &[u8]) -> Option<&ColumnVisibility> {
        if let Some(v) = self.columns.get(column) {
            return Some(v);
        }
        let (family, _) = split_column(column);
        self.columns.get(family)
    }

    /// The visibility cells of `column` (`family:qualifier`) are written
    /// with, the model's labels aside.
    #[cfg(test)]
    fn visibility_of(&self, column: &[u8]) -> &ColumnVisibility {
        self.column_visibility(column).unwrap_or(&self.visibility)
    }
}

/// The model's cell labels ([`CellLabels`]), each parsed once.
#[derive(Debug, Default)]
struct ModelLabels {
    labels: CellLabels,
    /// Every label of the model, parsed (or why it does not parse).
    parsed: Vec<(&'static str, std::result::Result<ColumnVisibility, String>)>,
}

impl ModelLabels {
    fn new(labels: CellLabels, every: impl IntoIterator<Item = &'static str>) -> Self {
        let mut parsed: Vec<(&'static str, std::result::Result<ColumnVisibility, String>)> =
            Vec::new();
        for label in every {
            if parsed.iter().all(|(l, _)| *l != label) {
                let p = ColumnVisibility::parse(label).map_err(|e| e.to_string());
                parsed.push((label, p));
            }
        }
        ModelLabels { labels, parsed }
    }

    /// `label`, parsed.
    fn get(&self, label: &str) -> Result<&ColumnVisibility> {
        match self.parsed.iter().find(|(l, _)| *l == label) {
            Some((_, Ok(v))) => Ok(v),
            Some((_, Err(e))) => Err(Error::InvalidInput(format!(
                "the model's visibility label {label:?} is not a visibility expression: {e}"
            ))),
            // Every label of `CellLabels` is parsed when it is handed over.
            None => Err(Error::InvalidInput(format!(
                "the visibility label {label:?} is not one of the model's"
            ))),
        }
    }
}

impl fmt::Debug for AccumuloStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccumuloStore")
            .field("connector", &self.connector)
            .field("visibility", &self.settings.visibility.to_string())
            .field("columns", &self.settings.columns.len())
            .field("authorizations", &self.settings.authorizations)
            .finish()
    }
}

impl AccumuloStore {
    /// The store of `connector`: cells written without a visibility, read
    /// with no authorizations.
    pub fn new(connector: Connector) -> Self {
        AccumuloStore {
            connector,
            settings: Arc::new(Settings::default()),
        }
    }

    /// The connector underneath.
    pub fn connector(&self) -> &Connector {
        &self.connector
    }

    /// Writes every cell without a visibility of its own with `expression`
    /// (an empty one: visible to everyone).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `expression` is not a valid visibility
    /// expression (the message says where).
    pub fn visibility(mut self, expression: impl AsRef<[u8]>) -> Result<Self> {
        let parsed = ColumnVisibility::parse(expression)?;
        Arc::make_mut(&mut self.settings).visibility = parsed;
        Ok(self)
    }

    /// Writes the cells of `column` (`family:qualifier`, or a whole
    /// `family`) with `expression`: the visibility of one field, or of a
    /// map field's family.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `expression` is not a valid visibility
    /// expression, or `column` is empty.
    pub fn column_visibility(
        mut self,
        column: impl AsRef<[u8]>,
        expression: impl AsRef<[u8]>,
    ) -> Result<Self> {
        let column = column.as_ref();
        if column.is_empty() {
            return Err(Error::InvalidInput(
                "a column visibility needs a column or family name".to_owned(),
            ));
        }
        let parsed = ColumnVisibility::parse(expression)?;
        Arc::make_mut(&mut self.settings)
            .columns
            .insert(column.to_vec(), parsed);
        Ok(self)
    }

    /// Reads with `authorizations` (a subset of the user's; a scan asking
    /// for more is refused by the proxy with a `Security` error).
    pub fn authorizations(mut self, authorizations: Authorizations) -> Self {
        Arc::make_mut(&mut self.settings).authorizations = Some(authorizations);
        self
    }
}

impl Store for AccumuloStore {
    type Table = AccumuloTable;

    fn store_table(&self, name: &str) -> AccumuloTable {
        AccumuloTable {
            connector: self.connector.clone(),
            settings: Arc::clone(&self.settings),
            labels: Arc::default(),
            name: name.into(),
        }
    }
}

/// One Accumulo table of an [`AccumuloStore`], as a [`StoreTable`] with
/// counters, appends and check-and-put.
#[derive(Clone)]
pub struct AccumuloTable {
    connector: Connector,
    settings: Arc<Settings>,
    labels: Arc<ModelLabels>,
    name: Arc<str>,
}

impl fmt::Debug for AccumuloTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccumuloTable")
            .field("name", &self.name)
            .field("connector", &self.connector)
            .finish()
    }
}

/// `family` and `qualifier` of `family:qualifier`; no qualifier without a
/// colon.
fn split_column(column: &[u8]) -> (&[u8], Option<&[u8]>) {
    match column.iter().position(|&b| b == b':') {
        Some(i) => (&column[..i], Some(&column[i + 1..])),
        None => (column, None),
    }
}

/// `family` and `qualifier` of a column a cell is written to.
fn cell_column(column: &[u8]) -> Result<(&[u8], &[u8])> {
    match split_column(column) {
        (family, Some(qualifier)) if !family.is_empty() => Ok((family, qualifier)),
        _ => Err(Error::InvalidInput(format!(
            "column {:?} is not `family:qualifier`",
            String::from_utf8_lossy(column)
        ))),
    }
}

/// Adds `entry` to `row`: the newest cell of each column is kept (several
/// versions, or the same column under several visibilities).
fn add_entry(row: &mut Row, entry: Entry) {
    let mut column = Vec::with_capacity(entry.key.family.len() + 1 + entry.key.qualifier.len());
    column.extend_from_slice(&entry.key.family);
    column.push(b':');
    column.extend_from_slice(&entry.key.qualifier);
    let cell = Cell {
        value: Bytes::from(entry.value),
        timestamp: entry.key.timestamp,
    };
    match row.cells.get(&column[..]) {
        Some(old) if old.timestamp >= cell.timestamp => {}
        _ => {
            row.cells.insert(Bytes::from(column), cell);
        }
    }
}

impl AccumuloTable {
    /// The table's name in Accumulo.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The connector underneath.
    pub fn connector(&self) -> &Connector {
        &self.connector
    }

    /// The visibility cell `column` (`family:qualifier`) is written with,
    /// the most specific first: the model's label of its field, the
    /// store's visibility of the column or family, the model's row label,
    /// the store's default.
    fn visibility_of(&self, column: &[u8]) -> Result<&ColumnVisibility> {
        if let Some(label) = self.labels.labels.field(column) {
            return self.labels.get(label);
        }
        if let Some(v) = self.settings.column_visibility(column) {
            return Ok(v);
        }
        if let Some(label) = self.labels.labels.row() {
            return self.labels.get(label);
        }
        Ok(&self.settings.visibility)
    }

    /// A scan of `range` reading `columns` (all when empty) with the
    /// store's authorizations.
    fn scan_options(&self, range: Range, columns: &[&[u8]]) -> ScanOptions {
        let mut options = ScanOptions::new(range);
        for column in columns {
            options = match split_column(column) {
                (family, Some(qualifier)) => options.column(family, qualifier),
                (family, None) => options.family(family),
            };
        }
        if let Some(auths) = &self.settings.authorizations {
            options = options.authorizations(auths.clone());
        }
        options
    }

    /// Every entry `options` reads.
    async fn read_all(&self, options: ScanOptions) -> Result<Vec<Entry>> {
        self.connector
            .scanner(&self.name, options)
            .await?
            .try_collect()
            .await
    }

    /// Every entry of row `key` in `columns` (all when empty).
    async fn entries(&self, key: &[u8], columns: &[&[u8]]) -> Result<Vec<Entry>> {
        self.read_all(self.scan_options(Range::exact_row(key), columns))
            .await
    }

    /// The mutation of `write` on row `key`.
    fn mutation(&self, key: &[u8], write: &RowWrite) -> Result<Mutation> {
        let mut m = Mutation::new(key);
        for (column, value) in write.puts() {
            let (family, qualifier) = cell_column(column)?;
            m = m.put_cell(family, qualifier, self.visibility_of(column)?, None, value);
        }
        for column in write.deletes() {
            let (family, qualifier) = cell_column(column)?;
            m = m.delete_cell(family, qualifier, self.visibility_of(column)?, None);
        }
        for (timestamp, cells) in write.versions() {
            for (column, value) in cells {
                let (family, qualifier) = cell_column(column)?;
                m = m.put_cell(
                    family,
                    qualifier,
                    self.visibility_of(column)?,
                    Some(timestamp),
                    value,
                );
            }
        }
        Ok(m)
    }

    /// Applies `mutation` if `condition` (on `column`) holds, under the
    /// store's authorizations; whether it did.
    async fn put_if(&self, mutation: Mutation, condition: Condition) -> Result<bool> {
        let row = mutation.row().to_vec();
        let cm = ConditionalMutation::new(mutation).condition(condition);
        let status = match &self.settings.authorizations {
            None => {
                self.connector
                    .update_row_conditionally(&self.name, cm)
                    .await?
            }
            Some(auths) => {
                let writer = self
                    .connector
                    .conditional_writer(
                        &self.name,
                        ConditionalWriterOptions::default().authorizations(auths.clone()),
                    )
                    .await?;
                let statuses = writer.update([cm]).await;
                let closed = writer.close().await;
                let status = statuses?.remove(&row).ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "the proxy returned no status for row {:?}",
                        String::from_utf8_lossy(&row)
                    ))
                })?;
                closed?;
                status
            }
        };
        match status {
            ConditionalStatus::ACCEPTED => Ok(true),
            ConditionalStatus::REJECTED => Ok(false),
            other => Err(Error::InvalidInput(format!(
                "the conditional write of row {:?} in table `{}` ended {other:?} \
                 (INVISIBLE_VISIBILITY: the store's authorizations do not cover the \
                 column's visibility; VIOLATED: a constraint refused it)",
                String::from_utf8_lossy(&row),
                self.name
            ))),
        }
    }

    /// The condition that `column` holds `expected` (`None`: no value), at
    /// the visibility it is written with.
    fn condition(&self, column: &[u8], expected: Option<&[u8]>) -> Result<Condition> {
        let (family, qualifier) = cell_column(column)?;
        let mut c =
            Condition::new(family, qualifier).visibility(self.visibility_of(column)?.clone());
        if let Some(v) = expected {
            c = c.value(v);
        }
        Ok(c)
    }

    /// The newest value of one cell, as the store's authorizations see it.
    async fn current(&self, key: &[u8], column: &[u8]) -> Result<Option<Bytes>> {
        let entries = self.entries(key, &[column]).await?;
        let mut row = Row::new(Bytes::copy_from_slice(key));
        for e in entries {
            add_entry(&mut row, e);
        }
        Ok(row.cells.remove(column).map(|c| c.value))
    }

    /// Replaces the cell with `change(old)` by compare-and-set, retrying
    /// while other writers change it in between; the value written.
    async fn read_modify_write(
        &self,
        key: &[u8],
        column: &[u8],
        change: impl Fn(Option<&[u8]>) -> Result<Vec<u8>>,
    ) -> Result<Vec<u8>> {
        let (family, qualifier) = cell_column(column)?;
        for _ in 0..CAS_ATTEMPTS {
            let old = self.current(key, column).await?;
            let new = change(old.as_deref())?;
            let m = Mutation::new(key).put_cell(
                family,
                qualifier,
                self.visibility_of(column)?,
                None,
                &new,
            );
            if self
                .put_if(m, self.condition(column, old.as_deref())?)
                .await?
            {
                return Ok(new);
            }
        }
        Err(Error::InvalidInput(format!(
            "cell {:?} of row {:?} in table `{}` changed under {CAS_ATTEMPTS} attempts \
             to update it in a row",
            String::from_utf8_lossy(column),
            String::from_utf8_lossy(key),
            self.name
        )))
    }
}

/// The scan-time `TimestampFilter` of a read's time range (`min`
/// inclusive, `max` exclusive, as on HBase); none for every timestamp.
///
/// Its priority is below the versioning iterator's, so the versions kept
/// are the newest *in the range*, as HBase reads them.
fn time_filter(range: TimeRange) -> Option<IteratorSetting> {
    let mut setting =
        IteratorSetting::new(TIME_FILTER_PRIORITY, "typed_time_range", TIMESTAMP_FILTER);
    let mut any = false;
    if range.min > i64::MIN {
        setting = setting
            .option("start", format!("LONG{}", range.min))
            .option("startInclusive", "true");
        any = true;
    }
    if range.max < i64::MAX {
        setting = setting
            .option("end", format!("LONG{}", range.max))
            .option("endInclusive", "false");
        any = true;
    }
    any.then_some(setting)
}

impl StoreTable for AccumuloTable {
    type Rows = Rows;
    type Writer = AccumuloWriter;

    fn table_name(&self) -> &str {
        &self.name
    }

    fn with_cell_labels(mut self, labels: CellLabels) -> Self {
        let every = labels.every();
        self.labels = Arc::new(ModelLabels::new(labels, every));
        self
    }

    async fn create(&self, families: &[FamilySpec]) -> Result<()> {
        let versions = families
            .iter()
            .filter_map(|f| f.max_versions)
            .max()
            .unwrap_or(1);
        let created = self
            .connector
            .create_table(&self.name, versions <= 1, TimeType::MILLIS)
            .await;
        match created {
            Err(e) if e.accumulo_kind() == Some(AccumuloErrorKind::TableExists) => {
                return Err(Error::AlreadyExists {
                    message: format!("table `{}`: {e}", self.name),
                })
            }
            other => other?,
        }
        if versions > 1 {
            // The versioning iterator `createTable` would attach, keeping
            // `versions` versions instead of one.
            let setting = IteratorSetting::new(20, "vers", VERSIONING)
                .option("maxVersions", versions.to_string());
            self.connector
                .attach_iterator(&self.name, &setting, all_scopes())
                .await?;
        }
        let mut age_off = IteratorSetting::new(10, "ttl", AGE_OFF);
        let mut any_ttl = false;
        for f in families {
            if let Some(seconds) = f.ttl {
                age_off = age_off.option(f.name, (i64::from(seconds) * 1000).to_string());
                any_ttl = true;
            }
        }
        if any_ttl {
            // A family's time to live: cells older than it are dropped
            // from scans and compactions, as on HBase.
            self.connector
                .attach_iterator(&self.name, &age_off, all_scopes())
                .await?;
        }
        Ok(())
    }

    async fn get_row_with(
        &self,
        key: &[u8],
        columns: &[&[u8]],
        spec: GetSpec,
    ) -> Result<Option<Row>> {
        if let Some(range) = spec.time_range {
            if range.min >= range.max {
                return Ok(None);
            }
        }
        let mut options = self.scan_options(Range::exact_row(key), columns);
        if let Some(filter) = spec.time_range.and_then(time_filter) {
            options = options.iterator(filter);
        }
        let entries = self.read_all(options).await?;
        if entries.is_empty() {
            return Ok(None);
        }
        let mut row = Row::new(Bytes::copy_from_slice(key));
        for e in entries {
            add_entry(&mut row, e);
        }
        Ok(Some(row))
    }

    async fn get_rows(&self, keys: &[&[u8]], columns: &[&[u8]]) -> Result<Vec<Row>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let options = BatchScanOptions::new(keys.iter().map(Range::exact_row))
            .reading_as(self.scan_options(Range::default(), columns));
        let mut scanner = self.connector.batch_scanner(&self.name, options).await?;
        let mut rows: BTreeMap<Vec<u8>, Row> = BTreeMap::new();
        while let Some(entry) = scanner.try_next().await? {
            let row = rows
                .entry(entry.key.row.clone())
                .or_insert_with(|| Row::new(Bytes::copy_from_slice(&entry.key.row)));
            add_entry(row, entry);
        }
        Ok(rows.into_values().collect())
    }

    async fn get_versions(&self, key: &[u8], column: &[u8], n: u32) -> Result<Vec<Cell>> {
        let entries = self.entries(key, &[column]).await?;
        let mut cells: Vec<Cell> = entries
            .into_iter()
            .map(|e| Cell {
                value: Bytes::from(e.value),
                timestamp: e.key.timestamp,
            })
            .collect();
        // Newest first, over every visibility the cell is written with.
        cells.sort_by_key(|c| std::cmp::Reverse(c.timestamp));
        cells.truncate(usize::try_from(n).unwrap_or(usize::MAX));
        Ok(cells)
    }

    async fn write_row(&self, key: &[u8], write: &RowWrite) -> Result<()> {
        if write.is_empty() {
            return Ok(());
        }
        let m = self.mutation(key, write)?;
        self.connector.update_and_flush(&self.name, [m]).await
    }

    fn writer(&self, batch_size: usize) -> AccumuloWriter {
        AccumuloWriter {
            table: self.clone(),
            batch_size: batch_size.max(1),
            pending: Vec::new(),
        }
    }

    async fn delete_row(&self, key: &[u8]) -> Result<()> {
        let entries = self.entries(key, &[]).await?;
        let mut seen = std::collections::BTreeSet::new();
        let mut m = Mutation::new(key);
        for e in entries {
            let cell = (e.key.family, e.key.qualifier, e.key.visibility);
            if seen.contains(&cell) {
                continue;
            }
            // What the proxy returned is a valid expression.
            let vis = ColumnVisibility::parse(&cell.2)?;
            m = m.delete_cell(&cell.0, &cell.1, &vis, None);
            seen.insert(cell);
        }
        if m.is_empty() {
            return Ok(());
        }
        self.connector.update_and_flush(&self.name, [m]).await
    }

    fn scan_rows(&self, spec: ScanSpec) -> Result<Rows> {
        if spec.reverse {
            return Err(Error::Unsupported {
                backend: BACKEND,
                what: format!(
                    "reverse scans (table `{}`): Accumulo scans in key order only",
                    self.name
                ),
            });
        }
        let mut translated = Translated::default();
        if let Some(filter) = &spec.filter {
            if let Err(why) = translated.add(filter) {
                return Err(Error::Unsupported {
                    backend: BACKEND,
                    what: format!(
                        "the filter {filter:?} (table `{}`): {why}; filter in the \
                         application or use the raw client's iterators",
                        self.name
                    ),
                });
            }
        }
        if spec.batch_size == Some(0) {
            return Err(Error::InvalidInput(
                "the scan batch size must be above 0".to_owned(),
            ));
        }
        let Some(range) = scan_range(&spec, translated.lower, translated.upper) else {
            return Ok(Rows::empty());
        };
        if spec.time_range.is_some_and(|r| r.min >= r.max) {
            return Ok(Rows::empty());
        }
        let columns: Vec<&[u8]> = spec.columns.iter().map(Vec::as_slice).collect();
        let mut options = self.scan_options(range, &columns);
        if let Some(filter) = spec.time_range.and_then(time_filter) {
            options = options.iterator(filter);
        }
        for (i, pattern) in translated.regexes.iter().enumerate() {
            let priority = ROW_REGEX_PRIORITY + i32::try_from(i).unwrap_or(0);
            options = options.iterator(
                IteratorSetting::new(priority, format!("typed_row_regex_{i}"), REGEX_FILTER)
                    // HBase compiles row patterns with DOTALL and looks
                    // for a match anywhere in the key: the same here.
                    .option("rowRegex", format!("(?s){pattern}"))
                    .option("matchSubstring", "true"),
            );
        }
        if let Some(n) = spec.batch_size {
            options = options.buffer_size(i32::try_from(n).unwrap_or(i32::MAX));
        }
        let connector = self.connector.clone();
        let name = Arc::clone(&self.name);
        let entries = stream::once(async move { connector.scanner(&name, options).await })
            .try_flatten()
            .boxed();
        Ok(Rows {
            entries,
            current: None,
            left: spec.limit,
            done: false,
        })
    }
}

/// A row bound: the key and whether it is inclusive.
type Bound = Option<(Vec<u8>, bool)>;

/// What a typed filter becomes on Accumulo: bounds on the scan's one
/// range (row-key comparisons) and `RegExFilter`s on the row (row-key
/// patterns). Both select whole rows, as the HBase filters they stand for.
#[derive(Debug, Default)]
struct Translated {
    lower: Bound,
    upper: Bound,
    /// Row patterns, each one `RegExFilter`: a row passes when all match.
    regexes: Vec<String>,
}

impl Translated {
    /// Adds the conjunction `expr`; why it has no exact Accumulo form.
    fn add(&mut self, expr: &FilterExpr) -> std::result::Result<(), &'static str> {
        match expr {
            FilterExpr::And(a, b) => {
                self.add(a)?;
                self.add(b)
            }
            FilterExpr::RowKey { op, key } => {
                let (lower, upper) = match op {
                    CompareOp::Less => (None, Some((key.clone(), false))),
                    CompareOp::LessOrEqual => (None, Some((key.clone(), true))),
                    CompareOp::Greater => (Some((key.clone(), false)), None),
                    CompareOp::GreaterOrEqual => (Some((key.clone(), true)), None),
                    CompareOp::Equal => (Some((key.clone(), true)), Some((key.clone(), true))),
                    CompareOp::NotEqual => {
                        return Err("a row key `!=` comparison holds on two ranges, and an \
                                    Accumulo scan reads one");
                    }
                };
                tighten(&mut self.lower, lower, true);
                tighten(&mut self.upper, upper, false);
                Ok(())
            }
            FilterExpr::RowRegex(_) | FilterExpr::Or(..) => match alternatives(expr) {
                Some(pattern) => {
                    self.regexes.push(pattern);
                    Ok(())
                }
                None => Err(
                    "an OR is translated only between row-key regular expressions \
                             (one RegExFilter); other alternatives need several ranges or \
                             a row-selecting iterator",
                ),
            },
            FilterExpr::Column { .. } => Err("Accumulo 1.x has no iterator that selects \
                 rows by a cell value (RegExFilter and TimestampFilter drop single \
                 entries, which would leave half rows)"),
            FilterExpr::WhileMatching(_) => {
                Err("no Accumulo iterator ends a scan at the first row that does not match")
            }
            FilterExpr::HBase(_) => Err("it is a filter string in the HBase filter language"),
        }
    }
}

/// `expr` as one row pattern when it is row patterns joined by OR.
fn alternatives(expr: &FilterExpr) -> Option<String> {
    match expr {
        FilterExpr::RowRegex(p) => Some(p.clone()),
        FilterExpr::Or(a, b) => Some(format!("(?:{})|(?:{})", alternatives(a)?, alternatives(b)?)),
        _ => None,
    }
}

/// Keeps in `slot` the tighter of it and `new`: the larger key for a
/// lower bound, the smaller for an upper one; of equal keys the exclusive.
fn tighten(slot: &mut Bound, new: Bound, lower: bool) {
    let Some((key, inclusive)) = new else { return };
    let replace = match slot {
        None => true,
        Some((old, old_inclusive)) => {
            let tighter = if lower { key > *old } else { key < *old };
            tighter || (key == *old && *old_inclusive && !inclusive)
        }
    };
    if replace {
        *slot = Some((key, inclusive));
    }
}

/// The bound of a scan's start or stop `key` (`inclusive` or not); none
/// for no key or an empty one.
fn given(key: &Option<Vec<u8>>, inclusive: bool) -> Bound {
    key.clone()
        .filter(|k| !k.is_empty())
        .map(|k| (k, inclusive))
}

/// The one Accumulo range of a scan's start, stop and prefix and the
/// filter's row bounds; `None` when it holds no row.
fn scan_range(spec: &ScanSpec, mut lower: Bound, mut upper: Bound) -> Option<Range> {
    tighten(&mut lower, given(&spec.start, true), true);
    // An empty stop is no stop, as on HBase.
    tighten(&mut upper, given(&spec.stop, false), false);
    if let Some(prefix) = &spec.prefix {
        tighten(&mut lower, Some((prefix.clone(), true)), true);
        tighten(
            &mut upper,
            following_prefix(prefix).map(|e| (e, false)),
            false,
        );
    }
    // An empty inclusive lower bound is every row.
    if lower
        .as_ref()
        .is_some_and(|(k, inclusive)| k.is_empty() && *inclusive)
    {
        lower = None;
    }
    if upper
        .as_ref()
        .is_some_and(|(k, inclusive)| k.is_empty() && !*inclusive)
    {
        return None;
    }
    if let (Some((a, a_inclusive)), Some((b, b_inclusive))) = (&lower, &upper) {
        if a > b || (a == b && !(*a_inclusive && *b_inclusive)) {
            return None;
        }
    }
    Some(Range::rows(
        lower.as_ref().map(|(k, _)| &k[..]),
        lower.as_ref().map_or(true, |(_, i)| *i),
        upper.as_ref().map(|(k, _)| &k[..]),
        upper.as_ref().is_some_and(|(_, i)| *i),
    ))
}

/// The rows of an Accumulo scan: its entries grouped by row (a scanner
/// returns them in key order, so one row's entries come together).
#[must_use = "a scan does nothing until it is polled"]
pub struct Rows {
    entries: BoxStream<'static, Result<Entry>>,
    current: Option<Row>,
    /// Rows still to yield, when limited.
    left: Option<u64>,
    done: bool,
}

impl fmt::Debug for Rows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rows")
            .field("left", &self.left)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Rows {
    fn empty() -> Rows {
        Rows {
            entries: stream::empty().boxed(),
            current: None,
            left: None,
            done: true,
        }
    }

    /// Yields `row`, counting it against the limit; at the limit the
    /// scanner is dropped, which closes it.
    fn yield_row(&mut self, row: Row) -> Poll<Option<Result<Row>>> {
        if let Some(left) = &mut self.left {
            *left -= 1;
            if *left == 0 {
                self.finish();
            }
        }
        Poll::Ready(Some(Ok(row)))
    }

    fn finish(&mut self) {
        self.done = true;
        self.entries = stream::empty().boxed();
    }
}

impl Stream for Rows {
    type Item = Result<Row>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Row>>> {
        let this = &mut *self;
        loop {
            if this.done || this.left == Some(0) {
                return Poll::Ready(None);
            }
            match this.entries.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(entry))) => {
                    let same = this
                        .current
                        .as_ref()
                        .is_some_and(|r| r.key[..] == entry.key.row[..]);
                    if same {
                        if let Some(row) = &mut this.current {
                            add_entry(row, entry);
                        }
                        continue;
                    }
                    let mut next = Row::new(Bytes::copy_from_slice(&entry.key.row));
                    add_entry(&mut next, entry);
                    if let Some(done) = this.current.replace(next) {
                        return this.yield_row(done);
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.finish();
                    this.current = None;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return match this.current.take() {
                        Some(row) => this.yield_row(row),
                        None => Poll::Ready(None),
                    };
                }
            }
        }
    }
}

/// Row writes buffered and sent `batch_size` rows per `updateAndFlush`
/// call, so a rejected batch is reported by the call that sent it.
#[derive(Debug)]
pub struct AccumuloWriter {
    table: AccumuloTable,
    batch_size: usize,
    pending: Vec<Mutation>,
}

impl StoreWriter for AccumuloWriter {
    async fn write_row(&mut self, key: &[u8], write: &RowWrite) -> Result<()> {
        if write.is_empty() {
            return Ok(());
        }
        self.pending.push(self.table.mutation(key, write)?);
        if self.pending.len() >= self.batch_size {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        self.table
            .connector
            .update_and_flush(&self.table.name, batch)
            .await
    }
}

impl Counters for AccumuloTable {
    async fn increment(&self, key: &[u8], column: &[u8], by: i64) -> Result<i64> {
        let table = &self.name;
        let written = self
            .read_modify_write(key, column, |old| {
                let old = match old {
                    None => 0,
                    Some(bytes) => {
                        let b: [u8; 8] = bytes.try_into().map_err(|_| {
                            Error::InvalidInput(format!(
                                "counter {:?} of row {:?} in table `{table}` holds {} bytes, \
                                 not 8",
                                String::from_utf8_lossy(column),
                                String::from_utf8_lossy(key),
                                bytes.len()
                            ))
                        })?;
                        i64::from_be_bytes(b)
                    }
                };
                Ok(old.wrapping_add(by).to_be_bytes().to_vec())
            })
            .await?;
        let b: [u8; 8] = written
            .try_into()
            .unwrap_or_else(|_| unreachable!("a counter is written as 8 bytes"));
        Ok(i64::from_be_bytes(b))
    }
}

impl Appends for AccumuloTable {
    async fn append(&self, key: &[u8], column: &[u8], value: &[u8]) -> Result<Option<Cell>> {
        let written = self
            .read_modify_write(key, column, |old| {
                let mut new = old.unwrap_or_default().to_vec();
                new.extend_from_slice(value);
                Ok(new)
            })
            .await?;
        // The timestamp the server gave it is not returned by a
        // conditional write.
        Ok(Some(Cell {
            value: Bytes::from(written),
            timestamp: 0,
        }))
    }
}

impl CheckAndPut for AccumuloTable {
    async fn check_and_put(
        &self,
        key: &[u8],
        check: Check<'_>,
        put: ColumnValue<'_>,
    ) -> Result<bool> {
        let (column, value) = put;
        let (family, qualifier) = cell_column(column)?;
        let m = Mutation::new(key).put_cell(
            family,
            qualifier,
            self.visibility_of(column)?,
            None,
            value,
        );
        self.put_if(m, self.condition(check.column, check.expected)?)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(start: Option<&str>, stop: Option<&str>, prefix: Option<&str>) -> ScanSpec {
        ScanSpec {
            start: start.map(|s| s.as_bytes().to_vec()),
            stop: stop.map(|s| s.as_bytes().to_vec()),
            prefix: prefix.map(|s| s.as_bytes().to_vec()),
            ..ScanSpec::default()
        }
    }

    fn scan_range_of(spec: &ScanSpec) -> Option<Range> {
        scan_range(spec, None, None)
    }

    fn translated(expr: &FilterExpr) -> std::result::Result<Translated, &'static str> {
        let mut t = Translated::default();
        t.add(expr).map(|()| t)
    }

    fn row(op: CompareOp, key: &str) -> FilterExpr {
        FilterExpr::RowKey {
            op,
            key: key.as_bytes().to_vec(),
        }
    }

    #[test]
    fn row_comparisons_become_the_tightest_bounds() {
        let t = translated(
            &row(CompareOp::Greater, "b")
                .and(row(CompareOp::GreaterOrEqual, "b"))
                .and(row(CompareOp::LessOrEqual, "m"))
                .and(row(CompareOp::Less, "x")),
        )
        .unwrap();
        assert_eq!(t.lower, Some((b"b".to_vec(), false)));
        assert_eq!(t.upper, Some((b"m".to_vec(), true)));
        let want = Range::rows(Some(b"b"), false, Some(b"m"), true);
        assert_eq!(
            scan_range(&spec(None, None, None), t.lower, t.upper),
            Some(want)
        );
        // With a start and a prefix, the tighter of each end.
        let t = translated(&row(CompareOp::Equal, "ab1")).unwrap();
        let r = scan_range(&spec(Some("a"), None, Some("ab")), t.lower, t.upper);
        assert_eq!(r, Some(Range::rows(Some(b"ab1"), true, Some(b"ab1"), true)));
        // Disjoint bounds: no scan at all.
        let t = translated(&row(CompareOp::Less, "b").and(row(CompareOp::Greater, "c"))).unwrap();
        assert!(scan_range(&spec(None, None, None), t.lower, t.upper).is_none());
        let t = translated(&row(CompareOp::Less, "b").and(row(CompareOp::GreaterOrEqual, "b")))
            .unwrap();
        assert!(scan_range(&spec(None, None, None), t.lower, t.upper).is_none());
        let t = translated(&row(CompareOp::Less, "")).unwrap();
        assert!(scan_range(&spec(None, None, None), t.lower, t.upper).is_none());
    }

    #[test]
    fn row_patterns_become_regex_filters_and_the_rest_is_refused() {
        let t = translated(
            &FilterExpr::RowRegex("^a".into())
                .or(FilterExpr::RowRegex("z$".into()))
                .and(FilterExpr::RowRegex("m".into())),
        )
        .unwrap();
        assert_eq!(t.regexes, ["(?:^a)|(?:z$)", "m"]);
        let column = FilterExpr::Column {
            family: b"cf".to_vec(),
            qualifier: b"a".to_vec(),
            op: CompareOp::Equal,
            value: b"1".to_vec(),
        };
        for (expr, why) in [
            (column.clone(), "cell value"),
            (row(CompareOp::NotEqual, "a"), "two ranges"),
            (
                row(CompareOp::Less, "a").or(row(CompareOp::Greater, "b")),
                "OR",
            ),
            (
                FilterExpr::WhileMatching(Box::new(row(CompareOp::Less, "a"))),
                "ends a scan",
            ),
            (
                FilterExpr::HBase(b"KeyOnlyFilter()".to_vec()),
                "HBase filter language",
            ),
            (FilterExpr::RowRegex("a".into()).and(column), "cell value"),
        ] {
            let e = translated(&expr).unwrap_err();
            assert!(e.contains(why), "{expr:?}: {e}");
        }
    }

    #[test]
    fn prefix_and_bounds_make_one_range() {
        let r = scan_range_of(&spec(None, None, Some("ab"))).unwrap();
        assert_eq!(
            r,
            Range::rows(Some(&b"ab"[..]), true, Some(&b"ac"[..]), false)
        );
        // The tighter of the prefix and the bounds wins on each side.
        let r = scan_range_of(&spec(Some("abc"), Some("zz"), Some("ab"))).unwrap();
        assert_eq!(
            r,
            Range::rows(Some(&b"abc"[..]), true, Some(&b"ac"[..]), false)
        );
        let r = scan_range_of(&spec(Some("a"), Some("abd"), Some("ab"))).unwrap();
        assert_eq!(
            r,
            Range::rows(Some(&b"ab"[..]), true, Some(&b"abd"[..]), false)
        );
        assert!(scan_range_of(&spec(Some("b"), Some("a"), None)).is_none());
        assert!(scan_range_of(&spec(Some("b"), None, Some("a"))).is_none());
        assert_eq!(
            scan_range_of(&spec(None, Some(""), None)),
            Some(Range::rows(None, true, None, false))
        );
    }

    #[test]
    fn column_visibility_falls_back_to_family_then_default() {
        let mut s = Settings {
            visibility: ColumnVisibility::parse("D").unwrap(),
            ..Settings::default()
        };
        s.columns
            .insert(b"cf".to_vec(), ColumnVisibility::parse("F").unwrap());
        s.columns
            .insert(b"cf:a".to_vec(), ColumnVisibility::parse("A&B").unwrap());
        assert_eq!(s.visibility_of(b"cf:a").as_bytes(), b"A&B");
        assert_eq!(s.visibility_of(b"cf:b").as_bytes(), b"F");
        assert_eq!(s.visibility_of(b"other:b").as_bytes(), b"D");
    }

    #[test]
    fn a_column_without_a_qualifier_is_refused_for_writes() {
        assert!(matches!(cell_column(b"cf"), Err(Error::InvalidInput(_))));
        assert_eq!(cell_column(b"cf:a:b").unwrap(), (&b"cf"[..], &b"a:b"[..]));
        assert_eq!(cell_column(b"cf:").unwrap(), (&b"cf"[..], &b""[..]));
    }
}
