//! The `repo` peer: hbase-orm's typed `Repo<T>` over [`BenchRow`], a
//! `#[derive(HRow)]` struct whose row key and cells are byte for byte those of
//! the other peers (a single `String` key is written as plain UTF-8; `String`
//! fields are UTF-8).
//!
//! - bulk load: `repo.put_many(&rows)` (its batch sends every 1000
//!   mutations), the structs built before the clock starts, as the other
//!   peers' keys and values are;
//! - sequential gets: `repo.get(key)`, each decoded row checked;
//! - concurrent gets: `concurrency` tasks sharing a `ConnectionPool` of
//!   `pool_size`, each get on a borrowed connection
//!   (`Repo::with_table(pool.get().await?.table(name)).get(key)`);
//! - full scan: `repo.scan().batch_size(1000)`, every row decoded and
//!   counted.

use std::net::SocketAddr;
use std::sync::Arc;

use futures::TryStreamExt;
use hbase_orm::repo::Repo;
use hbase_orm::{Connection, ConnectionPool, HRow};
use tokio::task::JoinSet;

use crate::data::{Data, Workload, SCAN_BATCH};
use crate::meter::{Meter, Sample};
use crate::peers::{expect_count, fresh_table, Ctx};
use crate::BenchResult;

/// One row of the bench table, typed.
#[derive(Debug, Clone, PartialEq, Eq, HRow)]
#[hbase(table = "bench_repo", family = "cf")]
pub(crate) struct BenchRow {
    #[hbase(row_key)]
    key: String,
    c0: String,
    c1: String,
    c2: String,
    c3: String,
    c4: String,
}

impl BenchRow {
    /// The row of key `key` with the bench's values.
    fn new(key: &[u8], data: &Data) -> BenchResult<BenchRow> {
        let value =
            |c: usize| -> BenchResult<String> { Ok(String::from_utf8(data.cells[c].1.clone())?) };
        Ok(BenchRow {
            key: String::from_utf8(key.to_vec())?,
            c0: value(0)?,
            c1: value(1)?,
            c2: value(2)?,
            c3: value(3)?,
            c4: value(4)?,
        })
    }
}

/// Runs the four workloads.
pub(crate) fn run(ctx: &Ctx<'_>) -> BenchResult<Vec<Sample>> {
    ctx.drive(workloads(ctx.addr, Arc::clone(&ctx.data)))
}

async fn workloads(addr: SocketAddr, data: Arc<Data>) -> BenchResult<Vec<Sample>> {
    let data = &*data;
    let conn = Connection::builder().addr(addr).connect().await?;
    let name = Data::table_name("repo");
    fresh_table(&conn, &name).await?;
    let repo = Repo::<BenchRow>::with_table(conn.table(&name));
    let rows = data
        .keys
        .iter()
        .map(|k| BenchRow::new(k, data))
        .collect::<BenchResult<Vec<_>>>()?;
    let get_keys = data
        .get_keys
        .iter()
        .map(|k| String::from_utf8(k.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let expected = BenchRow::new(b"", data)?;
    let mut samples = Vec::new();

    let meter = Meter::start();
    repo.put_many(&rows).await?;
    if data.measures(Workload::BulkLoad) {
        samples.push(meter.stop(Workload::BulkLoad, rows.len()));
    }

    if data.measures(Workload::SequentialGets) {
        let meter = Meter::start();
        for key in &get_keys {
            check(repo.get(key.as_str()).await?, key, &expected)?;
        }
        samples.push(meter.stop(Workload::SequentialGets, get_keys.len()));
    }

    if data.measures(Workload::ConcurrentGets) {
        let pool = ConnectionPool::builder()
            .addr(addr)
            .size(data.sizes.pool_size)
            .connect()
            .await?;
        let slices = data
            .get_slices(data.sizes.concurrency)
            .into_iter()
            .map(|keys| keys.into_iter().map(String::from_utf8).collect())
            .collect::<Result<Vec<Vec<String>>, _>>()?;
        let meter = Meter::start();
        let mut workers = JoinSet::new();
        for keys in slices {
            let (pool, name, expected) = (pool.clone(), name.clone(), expected.clone());
            workers.spawn(async move {
                for key in &keys {
                    let conn = pool.get().await?;
                    let repo = Repo::<BenchRow>::with_table(conn.table(&name));
                    check(repo.get(key.as_str()).await?, key, &expected)?;
                }
                BenchResult::Ok(())
            });
        }
        while let Some(done) = workers.join_next().await {
            done??;
        }
        samples.push(meter.stop(Workload::ConcurrentGets, get_keys.len()));
        drop(pool);
    }

    if data.measures(Workload::FullScan) {
        let meter = Meter::start();
        let mut scan = repo.scan().batch_size(SCAN_BATCH);
        let mut scanned = 0;
        let mut wrong = 0;
        while let Some(row) = scan.try_next().await? {
            scanned += 1;
            if row.c4 != expected.c4 {
                wrong += 1;
            }
        }
        samples.push(meter.stop(Workload::FullScan, scanned));
        expect_count("rows scanned", scanned, rows.len())?;
        expect_count("rows scanned with a wrong value", wrong, 0)?;
    }

    conn.delete_table(&name, true).await?;
    conn.close().await;
    Ok(samples)
}

/// Checks a row read by key: present, with the bench's values.
fn check(row: Option<BenchRow>, key: &str, expected: &BenchRow) -> BenchResult<()> {
    match row {
        Some(row) if row.key == key && row.c0 == expected.c0 && row.c4 == expected.c4 => Ok(()),
        Some(row) => Err(format!("row {key} read back as {row:?}").into()),
        None => Err(format!("row {key} is missing").into()),
    }
}
