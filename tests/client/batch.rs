//! Batches: buffering, automatic sends, ordering, transactions.

use hbase_orm::Error;

use crate::fixture::{b, each_wire, Fixture};

#[tokio::test]
async fn puts_deletes_and_counters() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        t.put("gone", [("cf:a", "1"), ("other:x", "2")])
            .await
            .unwrap();
        t.put("partly", [("cf:a", "1"), ("cf:b", "2")])
            .await
            .unwrap();

        let mut batch = t.batch();
        batch
            .put("r1", [("cf:a", "1"), ("cf:b", "2")])
            .await
            .unwrap();
        batch.put("r2", [("cf:a", "3")]).await.unwrap();
        batch.delete("gone").await.unwrap();
        batch.delete_columns("partly", ["cf:a"]).await.unwrap();
        batch.counter_inc("c", "cf:n", 5).await.unwrap();
        batch.counter_dec("c", "cf:n", 2).await.unwrap();
        // The row delete is a delete of each of the two families.
        assert_eq!(batch.len(), 8, "{combo}");
        // Nothing is sent before `send`.
        assert!(t.row("r1").await.unwrap().is_none(), "{combo}");
        batch.send().await.unwrap();
        assert!(batch.is_empty());

        assert_eq!(
            t.row("r1").await.unwrap().unwrap().cells.len(),
            2,
            "{combo}"
        );
        assert!(t.row("gone").await.unwrap().is_none(), "{combo}");
        let partly = t.row("partly").await.unwrap().unwrap();
        assert!(
            partly.get("cf:a").is_none() && partly.get("cf:b").is_some(),
            "{combo}"
        );
        assert_eq!(t.counter_get("c", "cf:n").await.unwrap(), 3, "{combo}");

        // An empty send is fine.
        batch.send().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn batch_size_sends_automatically() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        let mut batch = t.batch().batch_size(3);
        batch
            .put("a", [("cf:a", "1"), ("cf:b", "1")])
            .await
            .unwrap();
        assert!(t.row("a").await.unwrap().is_none(), "{combo}");
        batch.put("b", [("cf:a", "1")]).await.unwrap();
        // Three mutations: sent.
        assert!(batch.is_empty(), "{combo}");
        assert!(t.row("a").await.unwrap().is_some(), "{combo}");
        assert!(t.row("b").await.unwrap().is_some(), "{combo}");
        batch.put("c", [("cf:a", "1")]).await.unwrap();
        assert_eq!(batch.len(), 1);
        batch.send().await.unwrap();
        assert!(t.row("c").await.unwrap().is_some(), "{combo}");
    })
    .await;
}

#[tokio::test]
async fn operations_on_a_row_apply_in_order() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        t.put("r", [("cf:a", "old"), ("cf:b", "old")])
            .await
            .unwrap();

        // Delete then put the same row: the put must survive.
        let mut batch = t.batch();
        batch.delete("r").await.unwrap();
        batch.put("r", [("cf:a", "new")]).await.unwrap();
        batch.send().await.unwrap();
        let row = t
            .row("r")
            .await
            .unwrap()
            .expect("the put after the delete is kept");
        assert_eq!(row.get("cf:a").unwrap(), b("new"), "{combo}");
        assert!(row.get("cf:b").is_none(), "{combo}");

        // Same with a column delete, and the last put of a column wins.
        let mut batch = t.batch();
        batch.put("s", [("cf:a", "1")]).await.unwrap();
        batch.delete_columns("s", ["cf:a"]).await.unwrap();
        batch.put("s", [("cf:a", "2")]).await.unwrap();
        batch.put("s", [("cf:a", "3")]).await.unwrap();
        batch.send().await.unwrap();
        assert_eq!(
            t.row("s").await.unwrap().unwrap().get("cf:a").unwrap(),
            b("3"),
            "{combo}"
        );

        // Put then delete: the delete wins.
        let mut batch = t.batch();
        batch.put("u", [("cf:a", "1")]).await.unwrap();
        batch.delete_columns("u", ["cf:a"]).await.unwrap();
        batch.send().await.unwrap();
        assert!(t.row("u").await.unwrap().is_none(), "{combo}");

        // A counter set, incremented, then deleted and incremented again.
        let mut batch = t.batch();
        batch.counter_inc("c", "cf:n", 5).await.unwrap();
        batch.delete_columns("c", ["cf:n"]).await.unwrap();
        batch.counter_inc("c", "cf:n", 2).await.unwrap();
        batch.send().await.unwrap();
        assert_eq!(t.counter_get("c", "cf:n").await.unwrap(), 2, "{combo}");
    })
    .await;
}

#[tokio::test]
async fn batch_timestamp_and_wal() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        let mut batch = t.batch().timestamp(77).wal(false);
        batch.put("r", [("cf:a", "1")]).await.unwrap();
        batch.send().await.unwrap();
        assert_eq!(
            t.row("r")
                .await
                .unwrap()
                .unwrap()
                .cell("cf:a")
                .unwrap()
                .timestamp,
            77,
            "{combo}"
        );
        // A delete at an older timestamp leaves the newer cell.
        let mut batch = t.batch().timestamp(50);
        batch.delete_columns("r", ["cf:a"]).await.unwrap();
        batch.send().await.unwrap();
        assert!(t.row("r").await.unwrap().is_some(), "{combo}");
    })
    .await;
}

#[tokio::test]
async fn transactions_send_all_or_nothing() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        let n = t
            .batch()
            .batch_size(1)
            .transaction(|b| {
                Box::pin(async move {
                    b.put("a", [("cf:a", "1")]).await?;
                    b.put("b", [("cf:a", "1")]).await?;
                    // batch_size is ignored inside a transaction.
                    assert_eq!(b.len(), 2);
                    Ok::<_, Error>(2)
                })
            })
            .await
            .unwrap();
        assert_eq!(n, 2);
        assert!(t.row("a").await.unwrap().is_some(), "{combo}");
        assert!(t.row("b").await.unwrap().is_some(), "{combo}");

        #[derive(Debug)]
        #[allow(dead_code)]
        enum AppError {
            Db(Error),
            Refused,
        }
        impl From<Error> for AppError {
            fn from(e: Error) -> Self {
                AppError::Db(e)
            }
        }
        let failed = t
            .batch()
            .transaction(|b| {
                Box::pin(async move {
                    b.put("c", [("cf:a", "1")]).await?;
                    b.delete("a").await?;
                    Err::<(), _>(AppError::Refused)
                })
            })
            .await;
        assert!(
            matches!(failed, Err(AppError::Refused)),
            "{combo}: {failed:?}"
        );
        assert!(t.row("c").await.unwrap().is_none(), "{combo}: nothing sent");
        assert!(t.row("a").await.unwrap().is_some(), "{combo}: nothing sent");

        // A failing call inside the block is the block's error.
        let bad = t
            .batch()
            .transaction(|b| Box::pin(async move { b.put("d", [("cf", "x")]).await }))
            .await;
        assert!(matches!(bad, Err(Error::InvalidInput(_))), "{combo}");
        assert!(t.row("d").await.unwrap().is_none(), "{combo}");
    })
    .await;
}

#[tokio::test]
async fn a_dropped_batch_sends_nothing_and_a_failed_send_keeps_its_operations() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        {
            let mut batch = t.batch();
            batch.put("r", [("cf:a", "1")]).await.unwrap();
            // Dropped unsent: discarded (with a warning in the log).
        }
        assert!(t.row("r").await.unwrap().is_none(), "{combo}");

        let missing = f.conn.table("later");
        let mut batch = missing.batch();
        batch.put("r", [("cf:a", "1")]).await.unwrap();
        let err = batch.send().await.unwrap_err();
        // A real gateway reports the missing table through the client's
        // RetriesExhaustedWithDetailsException, which reads as retryable:
        // the client retries it before giving up.
        let refused = match &err {
            Error::RetriesExhausted { last, .. } if f.real.is_some() => last.as_ref(),
            other => other,
        };
        assert!(matches!(refused, Error::Server { .. }), "{combo}: {err:?}");
        assert_eq!(batch.len(), 1, "{combo}");
        f.table("later").await;
        batch.send().await.unwrap();
        assert!(missing.row("r").await.unwrap().is_some(), "{combo}");
    })
    .await;
}

#[tokio::test]
async fn a_put_repeating_a_column_keeps_its_last_value() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        // Two long columns with the same first and last 8 bytes: distinct.
        let (x, y) = ("cf:same_xxxxx_the_end", "cf:same_yyyyy_the_end");
        let mut batch = t.batch();
        batch
            .put(
                "r",
                [(x, "1"), ("cf:a", "2"), (y, "3"), (x, "4"), ("cf:a", "5")],
            )
            .await
            .unwrap();
        batch.put("s", [(x, "6"), (y, "7")]).await.unwrap();
        assert_eq!(batch.len(), 7, "{combo}");
        batch.send().await.unwrap();
        let r = t.row("r").await.unwrap().unwrap();
        assert_eq!(r.cells.len(), 3, "{combo}");
        assert_eq!(r.get(x).unwrap(), b("4"), "{combo}");
        assert_eq!(r.get("cf:a").unwrap(), b("5"), "{combo}");
        assert_eq!(r.get(y).unwrap(), b("3"), "{combo}");
        let s = t.row("s").await.unwrap().unwrap();
        assert_eq!(s.get(x).unwrap(), b("6"), "{combo}");
        assert_eq!(s.get(y).unwrap(), b("7"), "{combo}");
    })
    .await;
}
