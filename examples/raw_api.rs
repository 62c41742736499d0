//! The raw API, the HappyBase way: tables, puts, gets, scans, batches,
//! counters and deletes with byte keys and `family:qualifier` columns.
//!
//! Run: `cargo run --example raw_api` (embedded emulator), or with
//! `HBASE_THRIFT_ADDR=host:port` against a real gateway.

use futures::TryStreamExt;
use hbase_orm::ColumnFamily;
use hbase_orm_examples::{unique_table_name, Gateway};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gateway = Gateway::from_env().await?;
    println!("using the {}", gateway.description);
    let conn = gateway.builder.clone().connect().await?;

    let name = unique_table_name("raw_api");
    conn.create_table(
        &name,
        [
            ColumnFamily::new("cf").max_versions(3),
            ColumnFamily::new("stats"),
        ],
    )
    .await?;
    println!(
        "created table {name}; tables now: {:?}",
        conn.tables().await?
    );
    let table = conn.table(&name);

    // put and get one row
    table
        .put("user:alice", [("cf:name", "Alice"), ("cf:city", "Lyon")])
        .await?;
    let row = table
        .row("user:alice")
        .await?
        .ok_or("user:alice is missing")?;
    println!("row user:alice = {row:?}");
    assert_eq!(row.get("cf:city").map(|v| &v[..]), Some(&b"Lyon"[..]));

    // several versions of one cell
    for (ts, city) in [(10, "Paris"), (20, "Nice"), (30, "Lille")] {
        table
            .put("user:bob", [("cf:city", city)])
            .timestamp(ts)
            .await?;
    }
    let cells = table.cells("user:bob", "cf:city").versions(5).await?;
    println!("versions of user:bob cf:city, newest first: {cells:?}");
    assert_eq!(cells.len(), 3);

    // a batch of rows, then a prefix scan
    let mut batch = table.batch().batch_size(100);
    for i in 0..250 {
        let key = format!("event:{i:04}");
        batch.put(key, [("cf:n", i.to_string())]).await?;
    }
    batch.send().await?;
    let first_ten: Vec<_> = table
        .scan()
        .row_prefix("event:")
        .limit(10)
        .try_collect()
        .await?;
    println!(
        "first keys of the prefix scan: {:?}",
        first_ten
            .iter()
            .map(|r| String::from_utf8_lossy(&r.key))
            .collect::<Vec<_>>()
    );
    assert_eq!(first_ten.len(), 10);
    let filtered: Vec<_> = table
        .scan()
        .row_prefix("event:")
        .filter("ValueFilter(=, 'binary:42')")
        .try_collect()
        .await?;
    println!("rows whose value is 42: {}", filtered.len());
    assert_eq!(filtered.len(), 1);

    // counters
    table.counter_inc("page:home", "stats:views", 1).await?;
    let views = table.counter_inc("page:home", "stats:views", 41).await?;
    println!("page:home views = {views}");
    assert_eq!(views, 42);

    // deletes
    table.delete("user:alice").columns(["cf:city"]).await?;
    println!(
        "after deleting cf:city: {:?}",
        table.row("user:alice").await?
    );
    table.delete("user:alice").await?;
    assert!(table.row("user:alice").await?.is_none());

    conn.delete_table(&name, true).await?;
    println!("dropped table {name}");
    Ok(())
}
