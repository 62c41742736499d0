//! Writing and reading: visibility, ranges, batch scans, writers,
//! conditional writes and iterators.

use futures::TryStreamExt;
use hbase_orm::accumulo::{
    all_scopes, Authorizations, BatchScanOptions, ColumnVisibility, Condition, ConditionalMutation,
    ConditionalStatus, ConditionalWriterOptions, Connector, Entry, IteratorScope, IteratorSetting,
    Key, Mutation, Range, ScanOptions, TablePermission, WriterOptions,
};
use hbase_orm::error::AccumuloErrorKind;
use std::collections::BTreeSet;

use crate::fixture::{self, eventually, unique};

async fn scan(c: &Connector, table: &str, options: ScanOptions) -> Vec<Entry> {
    c.scanner(table, options)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap()
}

fn rows(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| {
            format!(
                "{}/{}:{}",
                String::from_utf8_lossy(&e.key.row),
                String::from_utf8_lossy(&e.key.family),
                String::from_utf8_lossy(&e.key.qualifier)
            )
        })
        .collect()
}

#[tokio::test]
async fn labelled_cells_show_only_to_readers_holding_the_labels() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let t = fixture::table(&c, "tvis").await;
    c.update_and_flush(
        &t,
        [
            Mutation::new("r")
                .put_labelled("f", "both", "A&B", "ab")
                .unwrap(),
            Mutation::new("r")
                .put_labelled("f", "either", "A|B", "a|b")
                .unwrap(),
            Mutation::new("r").put("f", "open", "o"),
        ],
    )
    .await
    .unwrap();
    let with =
        |auths: &[&str]| ScanOptions::new(Range::all()).authorizations(auths.iter().collect());
    assert_eq!(
        rows(&scan(&c, &t, with(&["A"])).await),
        ["r/f:either", "r/f:open"]
    );
    assert_eq!(rows(&scan(&c, &t, with(&[])).await), ["r/f:open"]);
    let all = scan(&c, &t, with(&["A", "B"])).await;
    assert_eq!(rows(&all), ["r/f:both", "r/f:either", "r/f:open"]);
    assert_eq!(all[0].key.visibility, b"A&B");
    assert_eq!(all[0].value, b"ab");
    // No authorizations given: all of the user's.
    assert_eq!(scan(&c, &t, ScanOptions::new(Range::all())).await.len(), 3);

    // Authorizations the user lacks are refused, not silently dropped.
    let mut refused = c.scanner(&t, with(&["A", "Z"])).await.unwrap();
    let err = refused.try_next().await.unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::Security),
        "{err}"
    );
    assert!(
        refused.try_next().await.unwrap().is_none(),
        "a failed scan ends"
    );
    c.delete_table(&t).await.unwrap();
}

#[tokio::test]
async fn ranges_hold_exactly_their_keys_at_every_boundary() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let t = fixture::table(&c, "trange").await;
    let mut ms = Vec::new();
    for row in ["a", "b", "b\0", "ba", "c"] {
        ms.push(
            Mutation::new(row)
                .put("f", "q", "v")
                .put("f", "r", "v")
                .put("g", "q", "v"),
        );
    }
    c.update_and_flush(&t, ms).await.unwrap();
    let got = |range: Range| {
        let c = c.clone();
        let t = t.clone();
        async move { rows(&scan(&c, &t, ScanOptions::new(range)).await) }
    };
    let row_set = |entries: Vec<String>| {
        entries
            .iter()
            .map(|e| e.split('/').next().unwrap_or_default().to_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    };
    assert_eq!(row_set(got(Range::exact_row("b")).await), ["b"]);
    assert_eq!(row_set(got(Range::prefix("b")).await), ["b", "b\0", "ba"]);
    assert_eq!(
        row_set(got(Range::rows(Some(b"b"), true, Some(b"c"), true)).await),
        ["b", "b\0", "ba", "c"]
    );
    assert_eq!(
        row_set(got(Range::rows(Some(b"b"), false, Some(b"c"), false)).await),
        ["b\0", "ba"]
    );
    assert_eq!(
        row_set(got(Range::rows(Some(b"b"), true, Some(b"ba"), false)).await),
        ["b", "b\0"]
    );
    assert_eq!(
        row_set(got(Range::rows(None, true, Some(b"a"), true)).await),
        ["a"]
    );
    assert_eq!(
        row_set(got(Range::rows(Some(b"c"), false, None, true)).await),
        Vec::<String>::new()
    );
    assert_eq!(got(Range::exact_family("b", "f")).await, ["b/f:q", "b/f:r"]);
    assert_eq!(got(Range::exact_column("b", "f", "r")).await, ["b/f:r"]);
    // Key-level bounds: from just after b/f:q up to and including b/g:q.
    let start = Key::row("b").family("f").qualifier("q");
    let after_start = start.following(hbase_orm::accumulo::PartialKey::RowColfamColqual);
    let stop = Key::row("b")
        .family("g")
        .qualifier("q")
        .following(hbase_orm::accumulo::PartialKey::RowColfamColqual);
    assert_eq!(
        got(Range::keys(
            Some(after_start),
            true,
            Some(stop.clone()),
            false
        ))
        .await,
        ["b/f:r", "b/g:q"]
    );
    assert_eq!(
        got(Range::keys(
            Some(start),
            true,
            Some(Key::row("b").family("g")),
            false
        ))
        .await,
        ["b/f:q", "b/f:r"]
    );
    // Columns narrow a scan; a small buffer pages through it.
    let only = scan(
        &c,
        &t,
        ScanOptions::new(Range::all())
            .column("f", "r")
            .family("g")
            .buffer_size(2),
    )
    .await;
    assert_eq!(only.len(), 10);
    assert!(only
        .iter()
        .all(|e| e.key.qualifier == b"r" || e.key.family == b"g"));
    c.delete_table(&t).await.unwrap();
}

#[tokio::test]
async fn batch_scanner_returns_overlapping_ranges_once() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let t = fixture::table(&c, "tbatch").await;
    c.add_splits(&t, ["m"]).await.unwrap();
    let ms: Vec<Mutation> = (0..26u8)
        .map(|i| Mutation::new([b'a' + i]).put("f", "q", [b'a' + i]))
        .collect();
    c.update_and_flush(&t, ms).await.unwrap();
    let options = BatchScanOptions::new([
        Range::rows(Some(b"b"), true, Some(b"f"), true),
        Range::rows(Some(b"d"), true, Some(b"h"), true),
        Range::exact_row("e"),
        Range::prefix("x"),
    ])
    .threads(2);
    let mut got: Vec<Entry> = c
        .batch_scanner(&t, options)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    got.sort_by(|a, b| a.key.cmp(&b.key));
    let names: Vec<String> = got
        .iter()
        .map(|e| String::from_utf8_lossy(&e.key.row).into_owned())
        .collect();
    assert_eq!(names, ["b", "c", "d", "e", "f", "g", "h", "x"]);
    c.delete_table(&t).await.unwrap();
}

#[tokio::test]
async fn writer_writes_deletes_and_flushes_on_close() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let t = fixture::table(&c, "twrite").await;
    let opts = WriterOptions::default()
        .max_memory(1 << 20)
        .latency(std::time::Duration::from_millis(500))
        .threads(1);
    let mut w = c.writer(&t, opts.clone()).await.unwrap();
    w.update([Mutation::new("r1").put("f", "a", "1").put("f", "b", "2")])
        .unwrap();
    w.update([Mutation::new("r2").put_at("f", "a", 5, "old")])
        .unwrap();
    assert_eq!(w.unflushed_rows().len(), 2);
    w.flush().await.unwrap();
    assert!(w.unflushed_rows().is_empty());
    w.update([Mutation::new("r1").delete("f", "b")]).unwrap();
    w.close().await.unwrap();
    let all = scan(&c, &t, ScanOptions::new(Range::all())).await;
    assert_eq!(rows(&all), ["r1/f:a", "r2/f:a"]);
    assert_eq!(all[1].key.timestamp, 5);
    assert_eq!(all[1].value, b"old");

    // A writer dropped with updates still closes (and flushes) on the proxy.
    let mut dropped = c.writer(&t, opts).await.unwrap();
    dropped
        .update([Mutation::new("r3").put("f", "a", "x")])
        .unwrap();
    drop(dropped);
    let seen = eventually("the dropped writer's update", || {
        let c = c.clone();
        let t = t.clone();
        async move {
            let got = scan(&c, &t, ScanOptions::new(Range::exact_row("r3"))).await;
            (!got.is_empty()).then_some(got)
        }
    })
    .await;
    assert_eq!(seen[0].value, b"x");
    c.delete_table(&t).await.unwrap();
}

#[tokio::test]
async fn rejected_mutations_surface_at_flush_naming_the_rows() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let t = fixture::table(&c, "treject").await;
    let user = unique("reader");
    c.create_local_user(&user, "pw").await.unwrap();
    c.grant_table_permission(&user, &t, TablePermission::READ)
        .await
        .unwrap();
    let reader = fixture::builder(&proxy)
        .build()
        .login(&user, "pw")
        .await
        .unwrap();

    let mut w = reader.writer(&t, WriterOptions::default()).await.unwrap();
    w.update([
        Mutation::new("x1").put("f", "q", "v"),
        Mutation::new("x2").put("f", "q", "v"),
    ])
    .unwrap();
    let err = w.flush().await.unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::MutationsRejected),
        "{err}"
    );
    let hbase_orm::Error::Accumulo(detail) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(detail.rows, [b"x1".to_vec(), b"x2".to_vec()]);
    assert!(err.to_string().contains("\"x1\""), "{err}");
    // updateAndFlush reports the same at once.
    let err = reader
        .update_and_flush(&t, [Mutation::new("y").put("f", "q", "v")])
        .await
        .unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::MutationsRejected),
        "{err}"
    );
    assert!(scan(&c, &t, ScanOptions::new(Range::all()))
        .await
        .is_empty());
    c.drop_local_user(&user).await.unwrap();
    c.delete_table(&t).await.unwrap();
}

#[tokio::test]
async fn conditional_writes_report_a_status_per_row() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let t = fixture::table(&c, "tcond").await;
    let put = |row: &str, v: &str| Mutation::new(row).put("f", "q", v);
    let absent = || Condition::new("f", "q");
    let status = c
        .update_row_conditionally(
            &t,
            ConditionalMutation::new(put("r", "1")).condition(absent()),
        )
        .await
        .unwrap();
    assert_eq!(status, ConditionalStatus::ACCEPTED);
    let status = c
        .update_row_conditionally(
            &t,
            ConditionalMutation::new(put("r", "2")).condition(absent()),
        )
        .await
        .unwrap();
    assert_eq!(status, ConditionalStatus::REJECTED);

    let w = c
        .conditional_writer(
            &t,
            ConditionalWriterOptions::default().authorizations(Authorizations::from_iter(["A"])),
        )
        .await
        .unwrap();
    let statuses = w
        .update([
            ConditionalMutation::new(put("r", "3")).condition(absent().value("1")),
            ConditionalMutation::new(put("s", "1")).condition(absent().value("9")),
            ConditionalMutation::new(put("u", "1"))
                .condition(absent().visibility(ColumnVisibility::parse("B").unwrap())),
        ])
        .await
        .unwrap();
    assert_eq!(statuses[&b"r".to_vec()], ConditionalStatus::ACCEPTED);
    assert_eq!(statuses[&b"s".to_vec()], ConditionalStatus::REJECTED);
    assert_eq!(
        statuses[&b"u".to_vec()],
        ConditionalStatus::INVISIBLE_VISIBILITY
    );
    w.close().await.unwrap();
    let got = scan(&c, &t, ScanOptions::new(Range::all())).await;
    assert_eq!(rows(&got), ["r/f:q"]);
    assert_eq!(got[0].value, b"3");
    c.delete_table(&t).await.unwrap();
}

const SUMMING: &str = "org.apache.accumulo.core.iterators.user.SummingCombiner";
const REGEX: &str = "org.apache.accumulo.core.iterators.user.RegExFilter";

#[tokio::test]
async fn iterators_attach_to_tables_and_run_at_scan_time() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let t = fixture::table(&c, "titer").await;
    let sum = IteratorSetting::new(10, "sum", SUMMING)
        .option("columns", "count")
        .option("type", "STRING");
    c.check_iterator_conflicts(&t, &sum, all_scopes())
        .await
        .unwrap();
    c.attach_iterator(&t, &sum, all_scopes()).await.unwrap();
    let listed = c.list_iterators(&t).await.unwrap();
    assert_eq!(listed.get("sum"), Some(&all_scopes()));
    let setting = c
        .iterator_setting(&t, "sum", IteratorScope::SCAN)
        .await
        .unwrap();
    assert_eq!(setting.class(), SUMMING);
    assert_eq!(setting.priority(), 10);
    let clash = c
        .check_iterator_conflicts(&t, &sum, all_scopes())
        .await
        .unwrap_err();
    assert_eq!(
        clash.accumulo_kind(),
        Some(AccumuloErrorKind::Accumulo),
        "{clash}"
    );

    for (ts, n) in [(1, "1"), (2, "2"), (3, "3")] {
        c.update_and_flush(&t, [Mutation::new("page").put_at("count", "hits", ts, n)])
            .await
            .unwrap();
    }
    c.update_and_flush(&t, [Mutation::new("page").put("other", "x", "keep")])
        .await
        .unwrap();
    let summed = eventually("the combiner to sum", || {
        let c = c.clone();
        let t = t.clone();
        async move {
            let got = scan(&c, &t, ScanOptions::new(Range::all()).family("count")).await;
            (got.len() == 1 && got[0].value == b"6").then_some(got)
        }
    })
    .await;
    assert_eq!(summed[0].key.qualifier, b"hits");

    // A scan-time iterator applies to that scan only.
    let filter = IteratorSetting::new(30, "only_other", REGEX).option("colfRegex", "oth.*");
    let filtered = scan(&c, &t, ScanOptions::new(Range::all()).iterator(filter)).await;
    assert_eq!(rows(&filtered), ["page/other:x"]);
    assert_eq!(scan(&c, &t, ScanOptions::new(Range::all())).await.len(), 2);

    c.remove_iterator(&t, "sum", all_scopes()).await.unwrap();
    assert!(!c.list_iterators(&t).await.unwrap().contains_key("sum"));
    c.delete_table(&t).await.unwrap();
}
