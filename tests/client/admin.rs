//! Table administration: create, list (with prefixes), describe, enable,
//! disable, compact, delete.

use hbase_orm::{ColumnFamily, Error};

use crate::fixture::{each_wire, emulator_only, Fixture};

#[tokio::test]
async fn create_list_and_delete_tables() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        assert!(f.conn.tables().await.unwrap().is_empty(), "{combo}");
        f.table("t1").await;
        f.table("t2").await;
        let mut tables = f.conn.tables().await.unwrap();
        tables.sort();
        assert_eq!(tables, ["t1", "t2"], "{combo}");

        let again = f.conn.create_table("t1", [ColumnFamily::new("cf")]).await;
        assert!(
            matches!(again, Err(Error::AlreadyExists { .. })),
            "{combo}: {again:?}"
        );

        // HBase deletes only disabled tables.
        let enabled = f.conn.delete_table("t1", false).await;
        assert!(
            matches!(enabled, Err(Error::Server { .. })),
            "{combo}: {enabled:?}"
        );
        f.conn.delete_table("t1", true).await.unwrap();
        assert_eq!(f.conn.tables().await.unwrap(), ["t2"], "{combo}");

        f.conn.disable_table("t2").await.unwrap();
        f.conn.delete_table("t2", false).await.unwrap();
        assert!(f.conn.tables().await.unwrap().is_empty(), "{combo}");

        let missing = f.conn.delete_table("nope", true).await;
        assert!(
            matches!(missing, Err(Error::Server { .. })),
            "{combo}: {missing:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn table_prefix_is_added_and_stripped() {
    if emulator_only(
        "lists every table of the gateway and writes to an `other:` namespace a real HBase lacks",
    ) {
        return;
    }
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let app = f.connect().table_prefix("app").build();
        let other = f
            .connect()
            .table_prefix("other")
            .table_prefix_separator(":")
            .build();
        app.create_table("users", [ColumnFamily::new("cf")])
            .await
            .unwrap();
        other
            .create_table("users", [ColumnFamily::new("cf")])
            .await
            .unwrap();
        f.table("plain").await;

        assert_eq!(app.tables().await.unwrap(), ["users"], "{combo}");
        assert_eq!(other.tables().await.unwrap(), ["users"], "{combo}");
        let mut all = f.conn.tables().await.unwrap();
        all.sort();
        assert_eq!(all, ["app_users", "other:users", "plain"], "{combo}");

        // Data written through the prefixed handle lands in the prefixed table.
        let users = app.table("users");
        assert_eq!(users.full_name(), "app_users");
        users.put("u1", [("cf:n", "1")]).await.unwrap();
        let raw = f.conn.table("app_users").row("u1").await.unwrap();
        assert!(raw.is_some(), "{combo}");
        assert!(
            other.table("users").row("u1").await.unwrap().is_none(),
            "{combo}"
        );

        assert!(app.is_table_enabled("users").await.unwrap(), "{combo}");
        app.delete_table("users", true).await.unwrap();
        assert!(app.tables().await.unwrap().is_empty(), "{combo}");
    })
    .await;
}

#[tokio::test]
async fn families_come_back_with_their_options() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        f.conn
            .create_table(
                "opts",
                [
                    ColumnFamily::new("a")
                        .max_versions(7)
                        .compression("GZ")
                        .in_memory(true)
                        .bloom_filter_type("ROW")
                        .bloom_filter_vector_size(10)
                        .bloom_filter_nb_hashes(2)
                        .block_cache_enabled(true)
                        .time_to_live(3600),
                    ColumnFamily::new("b:"),
                ],
            )
            .await
            .unwrap_or_else(|e| panic!("{combo} at {}: {e:?}", f.addr()));
        let families = f.conn.table("opts").families().await.unwrap();
        let names: Vec<&str> = families.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b"], "{combo}");
        let a = &families[0];
        assert_eq!(a.max_versions, 7, "{combo}");
        assert_eq!(a.compression, "GZ", "{combo}");
        assert!(a.in_memory, "{combo}");
        assert_eq!(a.bloom_filter_type, "ROW", "{combo}");
        assert!(a.block_cache_enabled, "{combo}");
        assert_eq!(a.time_to_live, 3600, "{combo}");
        assert_eq!(families[1].max_versions, 3, "{combo}");

        let bad = f
            .conn
            .create_table("bad", [ColumnFamily::new("a").compression("NOPE")])
            .await;
        assert!(
            matches!(bad, Err(Error::IllegalArgument { .. })),
            "{combo}: {bad:?}"
        );
        let empty = f.conn.create_table("bad", []).await;
        assert!(
            matches!(empty, Err(Error::InvalidInput(_))),
            "{combo}: {empty:?}"
        );
        let no_name = f.conn.create_table("bad", [ColumnFamily::new("")]).await;
        assert!(
            matches!(no_name, Err(Error::InvalidInput(_))),
            "{combo}: {no_name:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn enable_disable_compact_and_regions() {
    each_wire(|f: Fixture| async move {
        let combo = f.wire;
        let t = f.table("t").await;
        assert!(f.conn.is_table_enabled("t").await.unwrap(), "{combo}");
        f.conn.disable_table("t").await.unwrap();
        assert!(!f.conn.is_table_enabled("t").await.unwrap(), "{combo}");
        f.conn.enable_table("t").await.unwrap();
        assert!(f.conn.is_table_enabled("t").await.unwrap(), "{combo}");

        f.conn.compact_table("t", false).await.unwrap();
        f.conn.compact_table("t", true).await.unwrap();

        let regions = t.regions().await.unwrap();
        assert_eq!(regions.len(), 1, "{combo}");
        assert!(regions[0].start_key.is_empty() && regions[0].end_key.is_empty());
        // The emulator names itself as the region server; a real gateway
        // names the region server behind it.
        if f.real.is_none() {
            assert_eq!(
                regions[0].port,
                i32::from(f.emulator.addr().port()),
                "{combo}"
            );
        }
        assert!(f.conn.table("missing").regions().await.unwrap().is_empty());

        let missing = f.conn.is_table_enabled("missing").await;
        assert!(
            matches!(missing, Err(Error::Server { .. })),
            "{combo}: {missing:?}"
        );
    })
    .await;
}
