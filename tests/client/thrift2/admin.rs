//! Tables with full descriptors, families, namespaces, regions, and what
//! the gateway says of itself.

use hbase_orm::thrift2::{
    BloomFilter, Compression, Durability, FamilyDescriptor, Get, NamespaceDescriptor, Put,
    ServerType, TableDescriptor,
};
use hbase_orm::Error;

use super::fixture::T2;

#[tokio::test]
async fn tables_are_created_described_toggled_truncated_and_dropped() {
    let t2 = T2::start().await;
    let conn = &t2.conn;
    assert_eq!(conn.server_type().await.unwrap(), ServerType::Thrift2);
    let name = t2.name("admin");
    let desc = TableDescriptor::new(name.clone())
        .family(
            FamilyDescriptor::new("cf")
                .max_versions(5)
                .time_to_live(86_400)
                .in_memory(true)
                .bloom_filter(BloomFilter::ROWCOL)
                .compression(Compression::NONE),
        )
        .family(FamilyDescriptor::new("meta"))
        .durability(Durability::ASYNC_WAL);
    assert!(!conn.table_exists(&name).await.unwrap());
    conn.create_table(&desc, &[b"m".to_vec()]).await.unwrap();
    assert!(conn.table_exists(&name).await.unwrap());
    let err = conn.create_table(&desc, &[]).await.unwrap_err();
    assert!(matches!(err, Error::Server { .. }), "{err:?}");

    let got = conn.table_descriptor(&name).await.unwrap();
    assert_eq!(got.name(), name);
    let cf = got.family_named("cf").expect("cf").wire();
    assert_eq!(cf.max_versions, Some(5));
    assert_eq!(cf.time_to_live, Some(86_400));
    assert_eq!(cf.in_memory, Some(true));
    assert_eq!(cf.bloomn_filter_type, Some(BloomFilter::ROWCOL));
    assert!(got.family_named("meta").is_some());
    if t2.is_real() {
        // The emulator keeps no table-level durability (a known gap: it
        // answers USE_DEFAULT).
        assert_eq!(got.durability_setting(), Some(Durability::ASYNC_WAL));
    }
    let both = conn.table_descriptors(&[name.as_str()]).await.unwrap();
    assert_eq!(both.len(), 1);
    let matching = conn
        .table_names_matching(&format!("{name}.*"), false)
        .await
        .unwrap();
    assert_eq!(matching, std::slice::from_ref(&name));
    let matching = conn
        .table_descriptors_matching(&format!("{name}.*"), false)
        .await
        .unwrap();
    assert_eq!(matching.len(), 1);

    // Regions: the emulator keeps one region (split keys ignored).
    let t = conn.table(name.clone());
    let regions = t.region_locations().await.unwrap();
    if t2.is_real() {
        assert_eq!(regions.len(), 2, "{regions:?}");
        assert_eq!(regions[0].end_key, "m");
        assert_eq!(regions[1].start_key, "m");
    } else {
        assert_eq!(regions.len(), 1, "{regions:?}");
    }
    let at = t.region_location("z", false).await.unwrap();
    assert!(at.start_key.as_ref() <= &b"z"[..]);
    assert!(at.end_key.is_empty() || at.end_key.as_ref() > &b"z"[..]);
    assert!(!at.host.is_empty());

    // Enable, disable, truncate.
    assert!(conn.is_table_enabled(&name).await.unwrap());
    assert!(conn.is_table_available(&name).await.unwrap());
    t.put(Put::new("r").value("cf", "a", "1")).await.unwrap();
    conn.disable_table(&name).await.unwrap();
    assert!(conn.is_table_disabled(&name).await.unwrap());
    assert!(!conn.is_table_enabled(&name).await.unwrap());
    conn.truncate_table(&name, true).await.unwrap();
    assert!(conn.is_table_enabled(&name).await.unwrap());
    assert_eq!(t.get(Get::new("r")).await.unwrap(), None);
    // A table must be disabled to be deleted.
    let err = conn.delete_table(&name).await.unwrap_err();
    assert!(matches!(err, Error::Server { .. }), "{err:?}");
    conn.disable_table(&name).await.unwrap();
    conn.delete_table(&name).await.unwrap();
    assert!(!conn.table_exists(&name).await.unwrap());
    let err = conn.table_descriptor(&name).await.unwrap_err();
    assert!(matches!(err, Error::Server { .. }), "{err:?}");
    if !t2.is_real() {
        // Real HBase sends only the table's name as the message.
        assert_eq!(err.kind(), hbase_orm::error::ErrorKind::NotFound, "{err:?}");
    }
}

#[tokio::test]
async fn families_are_added_modified_and_deleted() {
    let t2 = T2::start().await;
    let t = t2.table("families").await;
    let conn = &t2.conn;
    let name = t.name().to_owned();
    let added = conn
        .add_family(&name, &FamilyDescriptor::new("extra"))
        .await;
    if !t2.is_real() {
        // A known gap of the emulator: its tables keep their families.
        let err = added.expect_err("the emulator does not alter tables");
        assert!(
            matches!(&err, Error::Server { message, .. } if message.contains("not supported")),
            "{err:?}"
        );
        return;
    }
    added.expect("add family");
    conn.modify_family(&name, &FamilyDescriptor::new("extra").max_versions(7))
        .await
        .unwrap();
    let d = conn.table_descriptor(&name).await.unwrap();
    assert_eq!(
        d.family_named("extra").unwrap().wire().max_versions,
        Some(7)
    );
    t.put(Put::new("r").value("extra", "a", "1")).await.unwrap();
    conn.delete_family(&name, "extra").await.unwrap();
    let d = conn.table_descriptor(&name).await.unwrap();
    assert!(d.family_named("extra").is_none());
    conn.modify_table(&d.clone().attribute("MAX_FILESIZE", "1073741824"))
        .await
        .unwrap();
    let d = conn.table_descriptor(&name).await.unwrap();
    assert_eq!(
        d.attributes().get(&b"MAX_FILESIZE"[..]).map(Vec::as_slice),
        Some(&b"1073741824"[..])
    );
}

#[tokio::test]
async fn namespaces_hold_tables() {
    let t2 = T2::start().await;
    let conn = &t2.conn;
    let ns = t2.name("ns");
    assert!(conn
        .namespace_names()
        .await
        .unwrap()
        .contains(&"default".to_owned()));
    conn.create_namespace(&NamespaceDescriptor::new(ns.clone()).configuration("k", "v"))
        .await
        .unwrap();
    let err = conn
        .create_namespace(&NamespaceDescriptor::new(ns.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server { .. }), "{err:?}");
    let got = conn.namespace(&ns).await.unwrap();
    assert_eq!(got.configuration.get("k").map(String::as_str), Some("v"));
    assert!(conn.namespace_names().await.unwrap().contains(&ns));
    assert!(conn
        .namespaces()
        .await
        .unwrap()
        .iter()
        .any(|d| d.name == ns));
    conn.modify_namespace(&NamespaceDescriptor::new(ns.clone()).configuration("k", "w"))
        .await
        .unwrap();
    let got = conn.namespace(&ns).await.unwrap();
    assert_eq!(got.configuration.get("k").map(String::as_str), Some("w"));

    let table = format!("{ns}:inside");
    conn.create_table(
        &TableDescriptor::new(table.clone()).family(FamilyDescriptor::new("cf")),
        &[],
    )
    .await
    .unwrap();
    conn.table(table.clone())
        .put(Put::new("r").value("cf", "a", "1"))
        .await
        .unwrap();
    assert_eq!(
        conn.table_names_in(&ns).await.unwrap(),
        std::slice::from_ref(&table)
    );
    let ds = conn.table_descriptors_in(&ns).await.unwrap();
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].name(), table);
    // Not empty: not deleted.
    assert!(conn.delete_namespace(&ns).await.is_err());
    conn.disable_table(&table).await.unwrap();
    conn.delete_table(&table).await.unwrap();
    conn.delete_namespace(&ns).await.unwrap();
    assert!(conn.namespace(&ns).await.is_err());
    assert!(!conn.namespace_names().await.unwrap().contains(&ns));
}
