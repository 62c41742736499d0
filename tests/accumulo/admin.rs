//! Tables, namespaces, users and permissions.

use std::collections::{BTreeMap, BTreeSet};

use hbase_orm::accumulo::{Authorizations, SystemPermission, TablePermission, TimeType};
use hbase_orm::error::AccumuloErrorKind;

use crate::fixture::{self, unique};

#[tokio::test]
async fn table_operations_round_trip() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let name = unique("tops");
    assert!(!c.table_exists(&name).await.unwrap());
    c.create_table(&name, false, TimeType::LOGICAL)
        .await
        .unwrap();
    assert!(c.table_exists(&name).await.unwrap());
    assert!(c.list_tables().await.unwrap().contains(&name));
    let again = c
        .create_table(&name, true, TimeType::MILLIS)
        .await
        .unwrap_err();
    assert_eq!(
        again.accumulo_kind(),
        Some(AccumuloErrorKind::TableExists),
        "{again}"
    );

    // Without the versioning iterator no `vers` iterator is attached.
    let iters = c.list_iterators(&name).await.unwrap();
    assert!(!iters.contains_key("vers"), "{iters:?}");
    let versioned = fixture::table(&c, "tvers").await;
    assert!(c
        .list_iterators(&versioned)
        .await
        .unwrap()
        .contains_key("vers"));

    c.set_table_property(&name, "table.split.threshold", "123M")
        .await
        .unwrap();
    let props = c.table_properties(&name).await.unwrap();
    assert_eq!(
        props.get("table.split.threshold").map(String::as_str),
        Some("123M")
    );
    c.remove_table_property(&name, "table.split.threshold")
        .await
        .unwrap();
    let props = c.table_properties(&name).await.unwrap();
    assert_ne!(
        props.get("table.split.threshold").map(String::as_str),
        Some("123M")
    );

    c.add_splits(&name, ["g", "p"]).await.unwrap();
    assert_eq!(
        c.list_splits(&name, 10).await.unwrap(),
        [b"g".to_vec(), b"p".to_vec()]
    );
    c.flush_table(&name, None, None, true).await.unwrap();
    c.compact_table(&name, None, None, &[], true, true)
        .await
        .unwrap();

    let renamed = unique("trenamed");
    c.rename_table(&name, &renamed).await.unwrap();
    assert!(!c.table_exists(&name).await.unwrap());
    let clone = unique("tclone");
    c.clone_table(&renamed, &clone, true, BTreeMap::new(), BTreeSet::new())
        .await
        .unwrap();
    assert_eq!(c.list_splits(&clone, 10).await.unwrap().len(), 2);

    for t in [&renamed, &clone, &versioned] {
        c.delete_table(t).await.unwrap();
    }
    let gone = c.delete_table(&clone).await.unwrap_err();
    assert_eq!(
        gone.accumulo_kind(),
        Some(AccumuloErrorKind::TableNotFound),
        "{gone}"
    );
    let missing = c.table_properties(&clone).await.unwrap_err();
    assert_eq!(
        missing.accumulo_kind(),
        Some(AccumuloErrorKind::TableNotFound)
    );
}

#[tokio::test]
async fn namespaces_as_the_proxy_has_them() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    assert_eq!(c.system_namespace().await.unwrap(), "accumulo");
    assert_eq!(c.default_namespace().await.unwrap(), "");
    let ns = unique("ns");
    c.create_namespace(&ns).await.unwrap();
    assert!(c.namespace_exists(&ns).await.unwrap());
    assert!(c.list_namespaces().await.unwrap().contains(&ns));
    let dup = c.create_namespace(&ns).await.unwrap_err();
    assert_eq!(
        dup.accumulo_kind(),
        Some(AccumuloErrorKind::NamespaceExists)
    );

    let table = format!("{ns}.inside");
    c.create_table(&table, true, TimeType::MILLIS)
        .await
        .unwrap();
    let busy = c.delete_namespace(&ns).await.unwrap_err();
    assert_eq!(
        busy.accumulo_kind(),
        Some(AccumuloErrorKind::NamespaceNotEmpty),
        "{busy}"
    );
    c.delete_table(&table).await.unwrap();

    c.set_namespace_property(&ns, "table.split.threshold", "77M")
        .await
        .unwrap();
    let props = c.namespace_properties(&ns).await.unwrap();
    assert_eq!(
        props.get("table.split.threshold").map(String::as_str),
        Some("77M")
    );

    let renamed = unique("nsr");
    c.rename_namespace(&ns, &renamed).await.unwrap();
    assert!(!c.namespace_exists(&ns).await.unwrap());
    c.delete_namespace(&renamed).await.unwrap();
    let gone = c.delete_namespace(&renamed).await.unwrap_err();
    assert_eq!(
        gone.accumulo_kind(),
        Some(AccumuloErrorKind::NamespaceNotFound)
    );
}

#[tokio::test]
async fn users_authorizations_and_permissions() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let user = unique("user");
    c.create_local_user(&user, "pw1").await.unwrap();
    assert!(c.list_local_users().await.unwrap().contains(&user));
    assert!(c.authenticate_user(&user, "pw1").await.unwrap());
    assert!(!c.authenticate_user(&user, "nope").await.unwrap());
    c.change_local_user_password(&user, "pw2").await.unwrap();
    assert!(c.authenticate_user(&user, "pw2").await.unwrap());

    let auths = Authorizations::from_iter(["X", "Y"]);
    c.change_user_authorizations(&user, &auths).await.unwrap();
    assert_eq!(c.user_authorizations(&user).await.unwrap(), auths);

    assert!(!c
        .has_system_permission(&user, SystemPermission::CREATE_TABLE)
        .await
        .unwrap());
    c.grant_system_permission(&user, SystemPermission::CREATE_TABLE)
        .await
        .unwrap();
    assert!(c
        .has_system_permission(&user, SystemPermission::CREATE_TABLE)
        .await
        .unwrap());
    c.revoke_system_permission(&user, SystemPermission::CREATE_TABLE)
        .await
        .unwrap();
    assert!(!c
        .has_system_permission(&user, SystemPermission::CREATE_TABLE)
        .await
        .unwrap());

    let table = fixture::table(&c, "tperm").await;
    assert!(!c
        .has_table_permission(&user, &table, TablePermission::READ)
        .await
        .unwrap());
    c.grant_table_permission(&user, &table, TablePermission::READ)
        .await
        .unwrap();
    assert!(c
        .has_table_permission(&user, &table, TablePermission::READ)
        .await
        .unwrap());
    c.revoke_table_permission(&user, &table, TablePermission::READ)
        .await
        .unwrap();
    assert!(!c
        .has_table_permission(&user, &table, TablePermission::READ)
        .await
        .unwrap());

    // The user itself, logged in, may not create tables.
    let as_user = fixture::builder(&proxy)
        .build()
        .login(&user, "pw2")
        .await
        .unwrap();
    let refused = as_user
        .create_table(&unique("tnope"), true, TimeType::MILLIS)
        .await
        .unwrap_err();
    assert_eq!(
        refused.accumulo_kind(),
        Some(AccumuloErrorKind::Security),
        "{refused}"
    );

    c.drop_local_user(&user).await.unwrap();
    assert!(!c.list_local_users().await.unwrap().contains(&user));
    c.delete_table(&table).await.unwrap();
}
