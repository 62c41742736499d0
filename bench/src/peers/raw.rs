//! The `raw` peer: hbase-orm's async raw API on the bench's tokio runtime,
//! reading rows as `RowView`s (each row read in place in its reply: the raw
//! layer's cheapest way to read rows).
//!
//! - bulk load: one `Batch` with `batch_size(1000)` (mutations), a `put` of
//!   the 5 cells per row, `send` at the end;
//! - sequential gets: `table.row(key).view().await`, each checked to have 5
//!   cells;
//! - concurrent gets: `concurrency` tasks sharing a `ConnectionPool` of
//!   `pool_size`; each get borrows a connection for its call
//!   (`pool.get().await?.table(name).row(key).view()`, as HappyBase's
//!   `with pool.connection() as c: c.table(name).row(key)`), each checked;
//! - full scan: `table.scan().batch_size(1000).views()`, rows and cells
//!   counted.
//!
//! The `raw_rows` peer runs the same reads into owned `Row`s (`.await` on
//! the request, the scan's stream of `Row`s); its bulk load is the same
//! call and is not measured again. `raw_block_on` runs the sequential gets
//! of `raw` in `Runtime::block_on`.

use std::net::SocketAddr;
use std::sync::Arc;

use futures::{Stream, TryStreamExt};
use hbase_orm::{Connection, ConnectionPool, Table};
use tokio::task::JoinSet;

use crate::data::{Data, Workload, BATCH_MUTATIONS, COLUMNS, SCAN_BATCH};
use crate::meter::{Meter, Sample};
use crate::peers::{expect_count, fresh_table, Ctx};
use crate::BenchResult;

/// How a peer reads rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// As `RowView`s.
    Views,
    /// As owned `Row`s.
    Rows,
}

/// Runs the four workloads.
pub(crate) fn run(ctx: &Ctx<'_>) -> BenchResult<Vec<Sample>> {
    ctx.drive(workloads(ctx.addr, Arc::clone(&ctx.data), Form::Views))
}

/// The `raw_rows` peer: the reads into owned `Row`s.
pub(crate) fn run_rows(ctx: &Ctx<'_>) -> BenchResult<Vec<Sample>> {
    ctx.drive(workloads(ctx.addr, Arc::clone(&ctx.data), Form::Rows))
}

/// The `raw_block_on` peer: the sequential gets alone, directly in
/// `Runtime::block_on` on the main thread (as in the body of
/// `#[tokio::main]`), on a table of its own loaded (unmeasured) first.
pub(crate) fn run_block_on(ctx: &Ctx<'_>) -> BenchResult<Vec<Sample>> {
    let (addr, data) = (ctx.addr, &*ctx.data);
    ctx.runtime.block_on(async move {
        let conn = Connection::builder().addr(addr).connect().await?;
        let name = Data::table_name("raw_block_on");
        fresh_table(&conn, &name).await?;
        let table = conn.table(&name);
        bulk_load(&table, data).await?;
        let meter = Meter::start();
        for key in &data.get_keys {
            get(&table, key, Form::Views).await?;
        }
        let sample = meter.stop(Workload::SequentialGets, data.get_keys.len());
        conn.delete_table(&name, true).await?;
        conn.close().await;
        Ok(vec![sample])
    })
}

async fn workloads(addr: SocketAddr, data: Arc<Data>, form: Form) -> BenchResult<Vec<Sample>> {
    let data = &*data;
    let conn = Connection::builder().addr(addr).connect().await?;
    let name = Data::table_name(match form {
        Form::Views => "raw",
        Form::Rows => "raw_rows",
    });
    fresh_table(&conn, &name).await?;
    let table = conn.table(&name);
    let mut samples = Vec::new();

    let meter = Meter::start();
    bulk_load(&table, data).await?;
    if data.measures(Workload::BulkLoad) && form == Form::Views {
        samples.push(meter.stop(Workload::BulkLoad, data.keys.len()));
    }

    if data.measures(Workload::SequentialGets) {
        let meter = Meter::start();
        for key in &data.get_keys {
            get(&table, key, form).await?;
        }
        samples.push(meter.stop(Workload::SequentialGets, data.get_keys.len()));
    }

    if data.measures(Workload::ConcurrentGets) {
        let pool = ConnectionPool::builder()
            .addr(addr)
            .size(data.sizes.pool_size)
            .connect()
            .await?;
        let slices = data.get_slices(data.sizes.concurrency);
        let meter = Meter::start();
        concurrent_gets(&pool, &name, slices, form).await?;
        samples.push(meter.stop(Workload::ConcurrentGets, data.get_keys.len()));
        drop(pool);
    }

    if data.measures(Workload::FullScan) {
        let meter = Meter::start();
        let (rows, cells) = full_scan(&table, form).await?;
        samples.push(meter.stop(Workload::FullScan, rows));
        expect_count("rows scanned", rows, data.keys.len())?;
        expect_count("cells scanned", cells, data.keys.len() * COLUMNS)?;
    }

    conn.delete_table(&name, true).await?;
    conn.close().await;
    Ok(samples)
}

/// One task per slice of keys, each get on a connection borrowed from `pool`
/// for its call.
pub(crate) async fn concurrent_gets(
    pool: &ConnectionPool,
    name: &str,
    slices: Vec<Vec<Vec<u8>>>,
    form: Form,
) -> BenchResult<()> {
    let mut workers = JoinSet::new();
    for keys in slices {
        let (pool, name) = (pool.clone(), name.to_owned());
        workers.spawn(async move {
            for key in &keys {
                let conn = pool.get().await?;
                get(&conn.table(&name), key, form).await?;
            }
            BenchResult::Ok(())
        });
    }
    while let Some(done) = workers.join_next().await {
        done??;
    }
    Ok(())
}

pub(crate) async fn bulk_load(table: &Table, data: &Data) -> BenchResult<()> {
    let mut batch = table.batch().batch_size(BATCH_MUTATIONS);
    for key in &data.keys {
        batch
            .put(key, data.cells.iter().map(|(c, v)| (c, v)))
            .await?;
    }
    batch.send().await?;
    Ok(())
}

/// Reads row `key` in `form`, checked to have its 5 cells.
async fn get(table: &Table, key: &[u8], form: Form) -> BenchResult<()> {
    let cells = match form {
        Form::Views => table.row(key).view().await?.map(|row| row.len()),
        Form::Rows => table.row(key).await?.map(|row| row.cells.len()),
    };
    match cells {
        Some(COLUMNS) => Ok(()),
        Some(n) => Err(format!(
            "row {} has {n} cells, expected {COLUMNS}",
            String::from_utf8_lossy(key)
        )
        .into()),
        None => Err(format!("row {} is missing", String::from_utf8_lossy(key)).into()),
    }
}

/// The full scan in `form`: rows and cells counted.
pub(crate) async fn full_scan(table: &Table, form: Form) -> BenchResult<(usize, usize)> {
    let scan = table.scan().batch_size(SCAN_BATCH);
    match form {
        Form::Views => count(scan.views(), |row| row.len()).await,
        Form::Rows => count(scan, |row| row.cells.len()).await,
    }
}

/// The rows of `stream` and their `cells`.
async fn count<T>(
    mut stream: impl Stream<Item = hbase_orm::Result<T>> + Unpin,
    cells: impl Fn(&T) -> usize,
) -> BenchResult<(usize, usize)> {
    let (mut rows, mut total) = (0, 0);
    while let Some(row) = stream.try_next().await? {
        rows += 1;
        total += cells(&row);
    }
    Ok((rows, total))
}
