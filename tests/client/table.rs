//! Reads, writes, counters and conditional writes of `Table`.

use hbase_orm::Error;

use crate::fixture::{b, each_wire, Fixture};

#[tokio::test]
async fn put_and_read_rows() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        t.put("r1", [("cf:a", "1"), ("cf:b", "2"), ("other:x", "3")])
            .await
            .unwrap();
        t.put(b"r2", [(b"cf:a".as_slice(), b"\x00\xff".as_slice())])
            .wal(false)
            .await
            .unwrap();

        let r1 = t.row("r1").await.unwrap().expect("r1 exists");
        assert_eq!(r1.key, b("r1"), "{combo}");
        let cols: Vec<&[u8]> = r1.cells.keys().map(|k| k.as_ref()).collect();
        assert_eq!(cols, [b("cf:a"), b("cf:b"), b("other:x")], "{combo}");
        assert_eq!(r1.get("cf:b").unwrap(), b("2"), "{combo}");
        assert!(r1.cell("cf:a").unwrap().timestamp > 0, "{combo}");
        assert_eq!(
            t.row("r2").await.unwrap().unwrap().get("cf:a").unwrap(),
            &b"\x00\xff"[..]
        );

        // Columns: a family and a single column.
        let some = t
            .row("r1")
            .columns(["other", "cf:b"])
            .await
            .unwrap()
            .unwrap();
        let cols: Vec<&[u8]> = some.cells.keys().map(|k| k.as_ref()).collect();
        assert_eq!(cols, [b("cf:b"), b("other:x")], "{combo}");

        assert!(t.row("missing").await.unwrap().is_none(), "{combo}");
        assert!(
            t.row("r1").columns(["cf:zzz"]).await.unwrap().is_none(),
            "{combo}"
        );

        // rows: server order, empty rows left out.
        let rows = t.rows(["r2", "missing", "r1"]).await.unwrap();
        let keys: Vec<&[u8]> = rows.iter().map(|r| r.key.as_ref()).collect();
        assert_eq!(keys, [b("r2"), b("r1")], "{combo}");
        let rows = t.rows(["r1", "r2"]).columns(["cf:b"]).await.unwrap();
        assert_eq!(rows.len(), 1, "{combo}");
        assert!(t.rows(Vec::<&str>::new()).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn timestamps_and_versions() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        for ts in [10, 20, 30, 40] {
            t.put("r", [("cf:a", format!("v{ts}"))])
                .timestamp(ts)
                .await
                .unwrap();
        }
        // The family keeps 3 versions, newest first.
        let cells = t.cells("r", "cf:a").await.unwrap();
        let got: Vec<(&[u8], i64)> = cells
            .iter()
            .map(|c| (c.value.as_ref(), c.timestamp))
            .collect();
        assert_eq!(
            got,
            [(b("v40"), 40), (b("v30"), 30), (b("v20"), 20)],
            "{combo}"
        );
        let two = t.cells("r", "cf:a").versions(2).await.unwrap();
        assert_eq!(two.len(), 2, "{combo}");
        // Read bounds are exclusive.
        let old = t.cells("r", "cf:a").timestamp(40).await.unwrap();
        assert_eq!(old.first().map(|c| c.timestamp), Some(30), "{combo}");
        assert!(t.cells("r", "cf:nothing").await.unwrap().is_empty());
        assert!(matches!(
            t.cells("r", "cf:a").versions(0).await,
            Err(Error::InvalidInput(_))
        ));

        let row = t.row("r").timestamp(31).await.unwrap().unwrap();
        assert_eq!(row.get("cf:a").unwrap(), b("v30"), "{combo}");
        assert_eq!(row.cell("cf:a").unwrap().timestamp, 30, "{combo}");
        assert!(t.row("r").timestamp(10).await.unwrap().is_none(), "{combo}");
        let rows = t.rows(["r"]).columns(["cf:a"]).timestamp(21).await.unwrap();
        assert_eq!(rows[0].get("cf:a").unwrap(), b("v20"), "{combo}");

        // Delete bounds are inclusive.
        t.delete("r").columns(["cf:a"]).timestamp(30).await.unwrap();
        let left: Vec<i64> = t
            .cells("r", "cf:a")
            .await
            .unwrap()
            .iter()
            .map(|c| c.timestamp)
            .collect();
        assert_eq!(left, [40], "{combo}");
        t.delete("r").timestamp(40).await.unwrap();
        assert!(t.row("r").await.unwrap().is_none(), "{combo}");
    })
    .await;
}

#[tokio::test]
async fn deletes() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        t.put("r", [("cf:a", "1"), ("cf:b", "2"), ("other:x", "3")])
            .await
            .unwrap();
        t.delete("r").columns(["cf:a"]).wal(false).await.unwrap();
        let cols: Vec<Vec<u8>> = t
            .row("r")
            .await
            .unwrap()
            .unwrap()
            .cells
            .keys()
            .map(|k| k.to_vec())
            .collect();
        assert_eq!(cols, [b"cf:b".to_vec(), b"other:x".to_vec()], "{combo}");
        t.delete("r").columns(["other"]).await.unwrap();
        let cols: Vec<Vec<u8>> = t
            .row("r")
            .await
            .unwrap()
            .unwrap()
            .cells
            .keys()
            .map(|k| k.to_vec())
            .collect();
        assert_eq!(cols, [b"cf:b".to_vec()], "{combo}");
        t.delete("r").await.unwrap();
        assert!(t.row("r").await.unwrap().is_none(), "{combo}");
        // Deleting what is not there is fine.
        t.delete("r").await.unwrap();
        t.delete("r").columns(Vec::<&str>::new()).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn counters() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        assert_eq!(t.counter_get("r", "cf:n").await.unwrap(), 0, "{combo}");
        assert_eq!(t.counter_inc("r", "cf:n", 1).await.unwrap(), 1, "{combo}");
        assert_eq!(t.counter_inc("r", "cf:n", 10).await.unwrap(), 11, "{combo}");
        assert_eq!(t.counter_dec("r", "cf:n", 3).await.unwrap(), 8, "{combo}");
        assert_eq!(
            t.counter_inc("r", "cf:n", -20).await.unwrap(),
            -12,
            "{combo}"
        );
        t.counter_set("r", "cf:n", 42).await.unwrap();
        assert_eq!(t.counter_get("r", "cf:n").await.unwrap(), 42, "{combo}");
        let raw = t.row("r").await.unwrap().unwrap();
        assert_eq!(
            raw.get("cf:n").unwrap(),
            &42i64.to_be_bytes()[..],
            "{combo}"
        );

        t.put("r", [("cf:s", "abc")]).await.unwrap();
        let not_a_long = t.counter_inc("r", "cf:s", 1).await;
        assert!(
            matches!(not_a_long, Err(Error::Server { .. })),
            "{combo}: {not_a_long:?}"
        );
        let family = t.counter_inc("r", "cf", 1).await;
        assert!(
            matches!(family, Err(Error::InvalidInput(_))),
            "{combo}: {family:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn append_and_check_and_put() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        let cells = t.append("r", [("cf:log", "a")]).await.unwrap();
        assert_eq!(cells.len(), 1, "{combo}");
        assert_eq!(cells[0].value, b("a"), "{combo}");
        let cells = t
            .append("r", [("cf:log", "b"), ("cf:z", "z")])
            .await
            .unwrap();
        let values: Vec<&[u8]> = cells.iter().map(|c| c.value.as_ref()).collect();
        assert_eq!(values, [b("ab"), b("z")], "{combo}");

        // Absent check.
        assert!(
            t.check_and_put("r", "cf:owner", "me").await.unwrap(),
            "{combo}"
        );
        assert!(
            !t.check_and_put("r", "cf:owner", "you").await.unwrap(),
            "{combo}"
        );
        assert_eq!(
            t.row("r").await.unwrap().unwrap().get("cf:owner").unwrap(),
            b("me")
        );
        // Equality check.
        assert!(!t
            .check_and_put("r", "cf:owner", "you")
            .if_equals("nobody")
            .await
            .unwrap());
        assert!(t
            .check_and_put("r", "cf:owner", "you")
            .if_equals("me")
            .wal(false)
            .await
            .unwrap());
        // Checking another column than the one written.
        assert!(t
            .check_and_put("r", "cf:state", "taken")
            .check_column("cf:owner")
            .if_equals("you")
            .await
            .unwrap());
        let row = t.row("r").await.unwrap().unwrap();
        assert_eq!(row.get("cf:owner").unwrap(), b("you"), "{combo}");
        assert_eq!(row.get("cf:state").unwrap(), b("taken"), "{combo}");
    })
    .await;
}

#[tokio::test]
async fn bad_input_and_missing_tables() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        let family_put = t.put("r", [("cf", "v")]).await;
        assert!(matches!(family_put, Err(Error::InvalidInput(_))), "{combo}");
        let no_family = t.row("r").columns([":q"]).await;
        assert!(matches!(no_family, Err(Error::InvalidInput(_))), "{combo}");
        // Nothing was written by the refused put.
        assert!(t.row("r").await.unwrap().is_none());
        // An empty put sends nothing and succeeds.
        t.put("r", Vec::<(&str, &str)>::new()).await.unwrap();

        let missing = f.conn.table("missing");
        let err = missing.put("r", [("cf:a", "1")]).await.unwrap_err();
        assert!(matches!(err, Error::Server { .. }), "{combo}: {err:?}");
        let err = missing.row("r").await.unwrap_err();
        assert!(matches!(err, Error::Server { .. }), "{combo}: {err:?}");
        let err = missing.families().await.unwrap_err();
        assert!(matches!(err, Error::Server { .. }), "{combo}: {err:?}");
        let err = t.put("r", [("nofamily:a", "1")]).await.unwrap_err();
        assert!(
            matches!(err, Error::Server { .. } | Error::IllegalArgument { .. }),
            "{combo}: {err:?}"
        );
        // The connection is still in step after errors.
        t.put("r", [("cf:a", "1")]).await.unwrap();
        assert!(t.row("r").await.unwrap().is_some());
    })
    .await;
}

/// A row read as a view is the row read as a `Row`: with columns, with a
/// timestamp, missing; several rows too, missing keys left out alike.
#[tokio::test]
async fn rows_read_as_views_are_the_rows() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        t.put("r1", [("cf:a", "1"), ("cf:b", "2"), ("other:x", "3")])
            .await
            .unwrap();
        t.put("r2", [("cf:a", "old")]).timestamp(10).await.unwrap();
        t.put("r2", [("cf:a", "new")]).timestamp(20).await.unwrap();
        t.put(b"r3", [(b"cf:\x00".as_slice(), b"\x00\xff".as_slice())])
            .await
            .unwrap();

        for key in ["r1", "r2", "r3", "missing"] {
            let row = t.row(key).await.unwrap();
            let view = t.row(key).view().await.unwrap();
            assert_eq!(view.map(|v| v.to_row()), row, "{combo}: {key}");
        }
        let r1 = t.row("r1").view().await.unwrap().expect("r1");
        assert_eq!(r1.key(), b"r1", "{combo}");
        assert_eq!(r1.len(), 3, "{combo}");
        assert_eq!(r1.get("other:x"), Some(&b"3"[..]), "{combo}");
        assert_eq!(r1.get("cf:c"), None, "{combo}");

        let some = t.row("r1").columns(["cf"]).view().await.unwrap();
        assert_eq!(some.map(|v| v.len()), Some(2), "{combo}");
        let none = t.row("r1").columns(["other:y"]).view().await.unwrap();
        assert!(none.is_none(), "{combo}");
        let old = t
            .row("r2")
            .timestamp(15)
            .view()
            .await
            .unwrap()
            .expect("old");
        assert_eq!(old.get("cf:a"), Some(&b"old"[..]), "{combo}");
        assert_eq!(old.cell("cf:a").map(|c| c.timestamp), Some(10), "{combo}");

        let keys = ["r3", "missing", "r1", "r2"];
        let rows = t.rows(keys).await.unwrap();
        let views = t.rows(keys).views().await.unwrap();
        let as_rows: Vec<_> = views.iter().map(|v| v.to_row()).collect();
        assert_eq!(as_rows, rows, "{combo}");
        let old = t.rows(["r2", "r1"]).timestamp(15).views().await.unwrap();
        let old_rows = t.rows(["r2", "r1"]).timestamp(15).await.unwrap();
        assert_eq!(old.iter().map(|v| v.to_row()).collect::<Vec<_>>(), old_rows);
        assert!(t.rows(Vec::<&str>::new()).views().await.unwrap().is_empty());

        let bad = t.row("r1").columns([""]).view().await;
        assert!(
            matches!(bad, Err(Error::InvalidInput(_))),
            "{combo}: {bad:?}"
        );
        let missing = f.conn.table("missing").row("r1").view().await;
        assert!(missing.is_err(), "{combo}: {missing:?}");
    })
    .await;
}
