//! What a Thrift2 call reads or writes: [`Get`], [`Put`], [`Delete`],
//! [`Increment`], [`Append`], [`Mutation`], and the options they share
//! ([`Durability`], [`Consistency`], [`CompareOp`], [`DeleteKind`]).
//!
//! Each is a builder over the gateway's own struct, so every option of the
//! gateway is reachable; [`Get::wire`] and friends show what is sent.

use std::collections::BTreeMap;

use hbase_orm_idl::hbase2::{
    self as idl, TAppend, TAuthorization, TCellVisibility, TColumn, TColumnIncrement, TColumnValue,
    TDelete, TGet, TIncrement, TPut, TTimeRange,
};

/// How a write reaches the write-ahead log: `USE_DEFAULT` (the table's
/// setting), `SKIP_WAL`, `ASYNC_WAL`, `SYNC_WAL`, `FSYNC_WAL`.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::{Durability, Put};
/// let put = Put::new("r").value("cf", "q", "v").durability(Durability::SKIP_WAL);
/// assert_eq!(put.wire().durability, Some(Durability::SKIP_WAL));
/// ```
pub type Durability = idl::TDurability;

/// Which replica a read may be served by: `STRONG` (the primary, the
/// default) or `TIMELINE` (any replica; results may be stale, which
/// [`RowResult::stale`](super::RowResult::stale) tells).
pub type Consistency = idl::TConsistency;

/// The comparison of [`Table::check_and_mutate`](super::Table::check_and_mutate):
/// `LESS`, `LESS_OR_EQUAL`, `EQUAL`, `NOT_EQUAL`, `GREATER_OR_EQUAL`,
/// `GREATER`, `NO_OP`. The gateway compares *the given value* with *the
/// stored one*: `LESS` holds when the given value is less than the stored
/// one.
pub type CompareOp = idl::TCompareOp;

/// What a [`Delete`] of a column removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeleteKind {
    /// One version of each column: the newest, or the one at the
    /// column's timestamp.
    OneVersion,
    /// Every version of each column (at or before the timestamp, when one
    /// is set). The gateway's default.
    AllVersions,
    /// Every column of each family named.
    Family,
    /// The cells of each family named that have exactly the timestamp.
    FamilyVersion,
}

impl DeleteKind {
    fn wire(self) -> idl::TDeleteType {
        match self {
            DeleteKind::OneVersion => idl::TDeleteType::DELETE_COLUMN,
            DeleteKind::AllVersions => idl::TDeleteType::DELETE_COLUMNS,
            DeleteKind::Family => idl::TDeleteType::DELETE_FAMILY,
            DeleteKind::FamilyVersion => idl::TDeleteType::DELETE_FAMILY_VERSION,
        }
    }
}

/// The cells between two timestamps: `min` included, `max` excluded (as
/// HBase's `TimeRange`).
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::TimeRange;
/// let range = TimeRange::new(10, 20);
/// assert!(range.contains(10) && !range.contains(20));
/// assert!(TimeRange::at(7).contains(7));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    /// The smallest timestamp included.
    pub min: i64,
    /// The first timestamp past the range.
    pub max: i64,
}

impl TimeRange {
    /// Timestamps in `min..max`.
    pub fn new(min: i64, max: i64) -> TimeRange {
        TimeRange { min, max }
    }

    /// Exactly timestamp `ts`.
    pub fn at(ts: i64) -> TimeRange {
        TimeRange {
            min: ts,
            max: ts.saturating_add(1),
        }
    }

    /// Whether `ts` is in the range.
    pub fn contains(&self, ts: i64) -> bool {
        self.min <= ts && ts < self.max
    }

    pub(crate) fn wire(self) -> TTimeRange {
        TTimeRange {
            min_stamp: self.min,
            max_stamp: self.max,
        }
    }
}

pub(crate) fn bytes(b: impl AsRef<[u8]>) -> Vec<u8> {
    b.as_ref().to_vec()
}

pub(crate) fn authorizations<I, S>(labels: I) -> TAuthorization
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    TAuthorization {
        labels: Some(labels.into_iter().map(Into::into).collect()),
    }
}

fn visibility(expression: impl Into<String>) -> TCellVisibility {
    TCellVisibility {
        expression: Some(expression.into()),
    }
}

fn column_value(
    family: impl AsRef<[u8]>,
    qualifier: impl AsRef<[u8]>,
    value: impl AsRef<[u8]>,
    timestamp: Option<i64>,
) -> TColumnValue {
    TColumnValue {
        family: bytes(family),
        qualifier: bytes(qualifier),
        value: bytes(value),
        timestamp,
        tags: None,
        type_: None,
    }
}

fn column(family: impl AsRef<[u8]>, qualifier: Option<&[u8]>, timestamp: Option<i64>) -> TColumn {
    TColumn {
        family: bytes(family),
        qualifier: qualifier.map(<[u8]>::to_vec),
        timestamp,
    }
}

/// Adds operation attribute `k` = `v` to a request's attribute map.
pub(crate) fn attribute(map: &mut Option<BTreeMap<Vec<u8>, Vec<u8>>>, k: &[u8], v: &[u8]) {
    map.get_or_insert_with(BTreeMap::new)
        .insert(k.to_vec(), v.to_vec());
}

/// The options the request builders share, each an optional field of the
/// gateway struct the builder wraps: `Builder(Wire) { option, ... }` writes
/// `wire()`, `into_wire()` and the setters named (`attribute`,
/// `durability`, `visibility`, `return_results`).
macro_rules! shared_options {
    ($($ty:ident($wire:ident) { $($option:ident),* };)*) => {$(
        impl $ty {
            $(shared_options!(@$option $ty);)*

            #[doc = concat!("The gateway's struct this `", stringify!($ty), "` sends.")]
            pub fn wire(&self) -> &$wire {
                &self.0
            }

            pub(crate) fn into_wire(self) -> $wire {
                self.0
            }
        }
    )*};
    (@attribute $ty:ident) => {
        /// An operation attribute, passed to the region server's coprocessors.
        pub fn attribute(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> $ty {
            attribute(&mut self.0.attributes, name.as_ref(), value.as_ref());
            self
        }
    };
    (@durability $ty:ident) => {
        /// How the write reaches the write-ahead log.
        pub fn durability(mut self, durability: Durability) -> $ty {
            self.0.durability = Some(durability);
            self
        }
    };
    (@visibility $ty:ident) => {
        /// The visibility expression of every cell written (`A&B`, `A|!B`,
        /// `(A|B)&C`, quoted labels): a read sees them only with
        /// authorizations that satisfy it.
        pub fn visibility(mut self, expression: impl Into<String>) -> $ty {
            self.0.cell_visibility = Some(visibility(expression));
            self
        }
    };
    (@return_results $ty:ident) => {
        /// Whether the reply carries the new values (default: the
        /// gateway's, which returns them).
        pub fn return_results(mut self, yes: bool) -> $ty {
            self.0.return_results = Some(yes);
            self
        }
    };
}

shared_options! {
    Get(TGet) { attribute };
    Put(TPut) { attribute, durability, visibility };
    Delete(TDelete) { attribute, durability };
    Increment(TIncrement) { attribute, durability, visibility, return_results };
    Append(TAppend) { attribute, durability, visibility, return_results };
}

/// A read of one row: `get`, `exists`, and their many-row forms.
///
/// Without columns the whole row is read; `family` and `column` narrow it.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::{Consistency, Get};
/// let get = Get::new("user1")
///     .column("cf", "name")
///     .family("meta")
///     .time_range(0, 1_000)
///     .max_versions(3)
///     .authorizations(["secret"])
///     .consistency(Consistency::TIMELINE);
/// assert_eq!(get.wire().columns.as_ref().map(Vec::len), Some(2));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Get(TGet);

impl Get {
    /// A read of row `row`.
    pub fn new(row: impl AsRef<[u8]>) -> Get {
        Get(TGet {
            row: bytes(row),
            columns: None,
            timestamp: None,
            time_range: None,
            max_versions: None,
            filter_string: None,
            attributes: None,
            authorizations: None,
            consistency: None,
            target_replica_id: None,
            cache_blocks: None,
            store_limit: None,
            store_offset: None,
            existence_only: None,
            filter_bytes: None,
        })
    }

    /// Reads every column of `family`.
    pub fn family(mut self, family: impl AsRef<[u8]>) -> Get {
        self.0
            .columns
            .get_or_insert_with(Vec::new)
            .push(column(family, None, None));
        self
    }

    /// Reads column `family:qualifier`.
    pub fn column(mut self, family: impl AsRef<[u8]>, qualifier: impl AsRef<[u8]>) -> Get {
        self.0.columns.get_or_insert_with(Vec::new).push(column(
            family,
            Some(qualifier.as_ref()),
            None,
        ));
        self
    }

    /// Only the cells of exactly timestamp `ts`.
    pub fn timestamp(mut self, ts: i64) -> Get {
        self.0.timestamp = Some(ts);
        self
    }

    /// Only the cells with a timestamp in `min..max`.
    pub fn time_range(mut self, min: i64, max: i64) -> Get {
        self.0.time_range = Some(TimeRange::new(min, max).wire());
        self
    }

    /// Up to `n` versions of each column (default 1).
    pub fn max_versions(mut self, n: i32) -> Get {
        self.0.max_versions = Some(n);
        self
    }

    /// A server-side filter in the HBase filter language, such as
    /// `ValueFilter(=, 'binary:x')`.
    pub fn filter(mut self, filter: impl AsRef<[u8]>) -> Get {
        self.0.filter_string = Some(bytes(filter));
        self
    }

    /// A server-side filter as the serialized protobuf `Filter` the
    /// region servers take (the gateway's `filterBytes`).
    pub fn filter_bytes(mut self, filter: impl AsRef<[u8]>) -> Get {
        self.0.filter_bytes = Some(bytes(filter));
        self
    }

    /// The visibility labels the read may see: cells labelled with an
    /// expression these do not satisfy are left out.
    pub fn authorizations<I, S>(mut self, labels: I) -> Get
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0.authorizations = Some(authorizations(labels));
        self
    }

    /// Which replicas may answer.
    pub fn consistency(mut self, consistency: Consistency) -> Get {
        self.0.consistency = Some(consistency);
        self
    }

    /// The replica to read from (with [`Consistency::TIMELINE`]).
    pub fn replica(mut self, id: i32) -> Get {
        self.0.target_replica_id = Some(id);
        self
    }

    /// Whether the region server caches the blocks read.
    pub fn cache_blocks(mut self, cache: bool) -> Get {
        self.0.cache_blocks = Some(cache);
        self
    }

    /// At most `n` cells per column family.
    pub fn store_limit(mut self, n: i32) -> Get {
        self.0.store_limit = Some(n);
        self
    }

    /// Skips the first `n` cells of each column family.
    pub fn store_offset(mut self, n: i32) -> Get {
        self.0.store_offset = Some(n);
        self
    }
}

/// A write of cells to one row.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::{Durability, Put};
/// let put = Put::new("doc1")
///     .value("cf", "title", "Plans")
///     .value_at("cf", "body", 1_700_000_000_000, "...")
///     .visibility("secret|admin")
///     .durability(Durability::ASYNC_WAL);
/// assert_eq!(put.wire().column_values.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Put(TPut);

impl Put {
    /// A write to row `row`.
    pub fn new(row: impl AsRef<[u8]>) -> Put {
        Put(TPut::new(bytes(row), Vec::new(), None, None, None, None))
    }

    /// Writes `value` to `family:qualifier`, at the put's timestamp (or the
    /// server's time).
    pub fn value(
        mut self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Put {
        self.0
            .column_values
            .push(column_value(family, qualifier, value, None));
        self
    }

    /// Writes `value` to `family:qualifier` at timestamp `ts`.
    pub fn value_at(
        mut self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        ts: i64,
        value: impl AsRef<[u8]>,
    ) -> Put {
        self.0
            .column_values
            .push(column_value(family, qualifier, value, Some(ts)));
        self
    }

    /// The timestamp of the cells written without one of their own.
    pub fn timestamp(mut self, ts: i64) -> Put {
        self.0.timestamp = Some(ts);
        self
    }

    /// Whether no cell is written.
    pub fn is_empty(&self) -> bool {
        self.0.column_values.is_empty()
    }
}

/// A delete in one row: the whole row, families, or columns.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::{Delete, DeleteKind};
/// let whole_row = Delete::new("r1");
/// let newest = Delete::new("r1").column("cf", "a").kind(DeleteKind::OneVersion);
/// let family = Delete::new("r1").family("meta");
/// # let _ = (whole_row, newest, family);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Delete(TDelete);

impl Delete {
    /// Deletes row `row` (all of it, unless columns or families are named).
    pub fn new(row: impl AsRef<[u8]>) -> Delete {
        Delete(TDelete::new(bytes(row), None, None, None, None, None))
    }

    /// Deletes family `family` (every column, every version).
    pub fn family(mut self, family: impl AsRef<[u8]>) -> Delete {
        self.0
            .columns
            .get_or_insert_with(Vec::new)
            .push(column(family, None, None));
        if self.0.delete_type.is_none() {
            self.0.delete_type = Some(idl::TDeleteType::DELETE_FAMILY);
        }
        self
    }

    /// Deletes column `family:qualifier` (every version, unless
    /// [`kind`](Delete::kind) says otherwise).
    pub fn column(mut self, family: impl AsRef<[u8]>, qualifier: impl AsRef<[u8]>) -> Delete {
        self.0.columns.get_or_insert_with(Vec::new).push(column(
            family,
            Some(qualifier.as_ref()),
            None,
        ));
        self
    }

    /// Deletes the version of `family:qualifier` at timestamp `ts` (with
    /// [`DeleteKind::OneVersion`]), or every version up to it.
    pub fn column_at(
        mut self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        ts: i64,
    ) -> Delete {
        self.0.columns.get_or_insert_with(Vec::new).push(column(
            family,
            Some(qualifier.as_ref()),
            Some(ts),
        ));
        self
    }

    /// What each named column or family loses.
    pub fn kind(mut self, kind: DeleteKind) -> Delete {
        self.0.delete_type = Some(kind.wire());
        self
    }

    /// For a delete of the whole row, deletes only the cells at or before
    /// `ts`. The gateway ignores it when columns or families are named:
    /// give those their own timestamp ([`Delete::column_at`]).
    pub fn timestamp(mut self, ts: i64) -> Delete {
        self.0.timestamp = Some(ts);
        self
    }

    pub(crate) fn from_wire(d: TDelete) -> Delete {
        Delete(d)
    }
}

/// Counter increments in one row.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::Increment;
/// let inc = Increment::new("page1").add("cf", "views", 1).add("cf", "likes", -2).return_results(true);
/// assert_eq!(inc.wire().columns.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Increment(TIncrement);

impl Increment {
    /// Increments in row `row`.
    pub fn new(row: impl AsRef<[u8]>) -> Increment {
        Increment(TIncrement::new(
            bytes(row),
            Vec::new(),
            None,
            None,
            None,
            None,
        ))
    }

    /// Adds `amount` to the 8-byte big-endian counter `family:qualifier`
    /// (a missing cell counts as 0).
    pub fn add(
        mut self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        amount: i64,
    ) -> Increment {
        self.0.columns.push(TColumnIncrement {
            family: bytes(family),
            qualifier: bytes(qualifier),
            amount: Some(amount),
        });
        self
    }
}

/// Appends to cells of one row.
///
/// # Examples
/// ```
/// use hbase_orm::thrift2::Append;
/// let app = Append::new("log1").append("cf", "lines", "one more\n").return_results(true);
/// assert_eq!(app.wire().columns.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Append(TAppend);

impl Append {
    /// Appends in row `row`.
    pub fn new(row: impl AsRef<[u8]>) -> Append {
        Append(TAppend::new(bytes(row), Vec::new(), None, None, None, None))
    }

    /// Appends `value` to `family:qualifier` (a missing cell counts as
    /// empty).
    pub fn append(
        mut self,
        family: impl AsRef<[u8]>,
        qualifier: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Append {
        self.0
            .columns
            .push(column_value(family, qualifier, value, None));
        self
    }
}

/// One write of a row's atomic mutation list
/// ([`Table::mutate_row`](super::Table::mutate_row),
/// [`Table::check_and_mutate`](super::Table::check_and_mutate)).
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    /// Cells to write.
    Put(Put),
    /// Cells to delete.
    Delete(Delete),
}

impl From<Put> for Mutation {
    fn from(put: Put) -> Mutation {
        Mutation::Put(put)
    }
}

impl From<Delete> for Mutation {
    fn from(delete: Delete) -> Mutation {
        Mutation::Delete(delete)
    }
}

impl Mutation {
    /// The row this mutation writes.
    pub fn row(&self) -> &[u8] {
        match self {
            Mutation::Put(p) => &p.0.row,
            Mutation::Delete(d) => &d.0.row,
        }
    }

    pub(crate) fn into_wire(self) -> idl::TMutation {
        match self {
            Mutation::Put(p) => idl::TMutation::Put(p.0),
            Mutation::Delete(d) => idl::TMutation::DeleteSingle(d.0),
        }
    }
}
