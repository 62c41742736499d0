//! Quickstart on Apache Accumulo: the raw Accumulo Proxy client.
//!
//! Runs on the embedded emulator's Accumulo Proxy with no setup:
//!
//! ```text
//! cargo run --example accumulo_quickstart
//! ```
//!
//! or against a real proxy with
//! `ACCUMULO_PROXY_ADDR=host:42424 ACCUMULO_PROXY_USER=root ACCUMULO_PROXY_PASSWORD=... cargo run --example accumulo_quickstart`.

use futures::TryStreamExt;
use hbase_orm::accumulo::{
    Authorizations, BatchScanOptions, Entry, IteratorSetting, Mutation, Range, ScanOptions,
    TimeType, WriterOptions,
};
use hbase_orm_examples::{unique_table_name, AccumuloProxy};

fn show(what: &str, entries: &[Entry]) {
    println!("{what}:");
    for e in entries {
        println!(
            "  {} {}:{} [{}] = {}",
            String::from_utf8_lossy(&e.key.row),
            String::from_utf8_lossy(&e.key.family),
            String::from_utf8_lossy(&e.key.qualifier),
            String::from_utf8_lossy(&e.key.visibility),
            String::from_utf8_lossy(&e.value)
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proxy = AccumuloProxy::from_env().await?;
    println!("using the {}", proxy.description);
    let connector = proxy
        .builder
        .clone()
        .connect()
        .await?
        .login(&proxy.user, &proxy.password)
        .await?;

    // The labels this example reads with must be the user's: add them to
    // the ones it has.
    let mut auths = connector.user_authorizations(&proxy.user).await?;
    auths.insert("public");
    auths.insert("staff");
    connector
        .change_user_authorizations(&proxy.user, &auths)
        .await?;

    // Create the table if it is absent (versioning iterator on, millisecond
    // timestamps).
    let table = unique_table_name("accumulo_quickstart");
    if !connector.table_exists(&table).await? {
        connector
            .create_table(&table, true, TimeType::MILLIS)
            .await?;
    }

    // Mutations, one row each, some cells labelled; then a delete.
    connector
        .update_and_flush(
            &table,
            [
                Mutation::new("doc:1")
                    .put("meta", "title", "Hello")
                    .put_labelled("body", "text", "staff", "for staff only")?,
                Mutation::new("doc:2")
                    .put("meta", "title", "World")
                    .put_labelled("meta", "draft", "public", "yes")?,
                Mutation::new("doc:3").put("meta", "title", "Wide"),
                Mutation::new("note:1").put("meta", "title", "Not a doc"),
            ],
        )
        .await?;
    connector
        .update_and_flush(&table, [Mutation::new("doc:3").delete("meta", "title")])
        .await?;

    // A writer: updates are one-way, rejections surface at flush / close.
    let mut writer = connector.writer(&table, WriterOptions::default()).await?;
    writer.update([Mutation::new("doc:4").put("meta", "title", "Written")])?;
    writer.close().await?;

    // Scan a row prefix, with and without the `staff` label.
    let public = Authorizations::from_iter(["public"]);
    let scan = |auths: Authorizations| {
        connector.scanner(
            &table,
            ScanOptions::new(Range::prefix("doc:")).authorizations(auths),
        )
    };
    let seen: Vec<Entry> = scan(public.clone()).await?.try_collect().await?;
    show("doc:* with [public]", &seen);
    assert!(seen.iter().all(|e| e.key.family != b"body"));
    let seen: Vec<Entry> = scan(Authorizations::from_iter(["public", "staff"]))
        .await?
        .try_collect()
        .await?;
    show("doc:* with [public, staff]", &seen);
    assert!(seen.iter().any(|e| e.key.family == b"body"));
    assert!(
        !seen.iter().any(|e| e.key.row == b"doc:3"),
        "doc:3 was deleted"
    );

    // A batch scanner over several (overlapping) ranges: each entry once.
    let mut batch: Vec<Entry> = connector
        .batch_scanner(
            &table,
            BatchScanOptions::new([
                Range::exact_row("doc:1"),
                Range::rows(Some(&b"doc:1"[..]), true, Some(&b"doc:2"[..]), true),
                Range::exact_row("note:1"),
            ])
            .authorizations(public.clone()),
        )
        .await?
        .try_collect()
        .await?;
    batch.sort_by(|a, b| a.key.cmp(&b.key));
    show("batch scan of doc:1, doc:1..=doc:2, note:1", &batch);

    // A scan-time iterator: only titles starting with W.
    let titles_with_w = IteratorSetting::new(
        30,
        "w_titles",
        "org.apache.accumulo.core.iterators.user.RegExFilter",
    )
    .option("colfRegex", "meta")
    .option("colqRegex", "title")
    .option("valueRegex", "W.*");
    let seen: Vec<Entry> = connector
        .scanner(
            &table,
            ScanOptions::new(Range::all())
                .authorizations(public)
                .iterator(titles_with_w),
        )
        .await?
        .try_collect()
        .await?;
    show("titles matching W.* (RegExFilter)", &seen);
    assert_eq!(seen.len(), 2);

    connector.delete_table(&table).await?;
    println!("done");
    Ok(())
}
