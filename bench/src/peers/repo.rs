//! The `repo` peer: hbase-orm's typed `Repo<T>`.
//!
//! Not measured yet: `Repo<T>` has not landed in hbase-orm. The report shows
//! the gap.

use crate::meter::Sample;
use crate::peers::Ctx;
use crate::BenchResult;

/// Fails: there is no `Repo<T>` to measure yet.
pub(crate) fn run(_ctx: &Ctx<'_>) -> BenchResult<Vec<Sample>> {
    Err("not measured: Repo<T> is not in hbase-orm yet".into())
}
