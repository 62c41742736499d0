//! A concurrent loader: many tasks share a connection pool to load and then
//! read back rows, as an ingestion service would.
//!
//! Run: `cargo run --example concurrent_loader` (embedded emulator), or with
//! `HBASE_THRIFT_ADDR=host:port` against a real gateway.

use std::time::{Duration, Instant};

use hbase_orm::{ColumnFamily, ConnectionPool};
use hbase_orm_examples::{unique_table_name, Gateway};

const TASKS: usize = 32;
const ROWS_PER_TASK: usize = 500;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gateway = Gateway::from_env().await?;
    println!("using the {}", gateway.description);
    let pool = ConnectionPool::builder()
        .connection_builder(gateway.builder.clone())
        .size(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect()
        .await?;

    let name = unique_table_name("loader");
    pool.get()
        .await?
        .create_table(&name, [ColumnFamily::new("d")])
        .await?;

    let started = Instant::now();
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let pool = pool.clone();
        let name = name.clone();
        tasks.push(tokio::spawn(async move {
            // Each task borrows a connection for one batch at a time, so 32
            // tasks share 8 sockets.
            let conn = pool.get().await?;
            let mut batch = conn.table(&name).batch().batch_size(100);
            for i in 0..ROWS_PER_TASK {
                let key = format!("t{task:02}-{i:05}");
                batch
                    .put(key, [("d:task", task.to_string()), ("d:i", i.to_string())])
                    .await?;
            }
            batch.send().await?;
            Ok::<_, hbase_orm::Error>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let total = TASKS * ROWS_PER_TASK;
    println!(
        "{TASKS} tasks loaded {total} rows through a pool of {} in {:?}",
        pool.size(),
        started.elapsed()
    );

    // Read a sample back concurrently.
    let mut readers = Vec::new();
    for task in 0..TASKS {
        let pool = pool.clone();
        let name = name.clone();
        readers.push(tokio::spawn(async move {
            pool.run(|conn| async move {
                let key = format!("t{task:02}-{:05}", ROWS_PER_TASK - 1);
                let row = conn.table(&name).row(key).await?;
                Ok(row.is_some())
            })
            .await
        }));
    }
    let mut found = 0;
    for reader in readers {
        found += usize::from(reader.await??);
    }
    println!("read back the last row of each task: {found}/{TASKS}");
    assert_eq!(found, TASKS);

    let conn = pool.get().await?;
    let counted = {
        use futures::TryStreamExt;
        conn.table(&name)
            .scan()
            .batch_size(1000)
            .try_fold(0usize, |n, _| async move { Ok(n + 1) })
            .await?
    };
    println!("a full scan counts {counted} rows");
    assert_eq!(counted, total);
    conn.delete_table(&name, true).await?;
    Ok(())
}
