//! Quickstart: a typed model stored in HBase.
//!
//! Runs on the embedded emulator with no setup:
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! or against a real HBase Thrift gateway with
//! `HBASE_THRIFT_ADDR=host:9090 cargo run --example quickstart`.

use futures::TryStreamExt;
use hbase_orm::{HRow, Repo};
use hbase_orm_examples::{unique_table_name, Gateway};

/// One user of a multi-tenant application, stored as one row.
///
/// The row key is `(tenant, id)`, encoded so that rows sort by tenant, then
/// by id; every other field is a cell in family `cf`.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(table = "quickstart_users", family = "cf")]
struct User {
    #[hbase(row_key)]
    tenant: String,
    #[hbase(row_key)]
    id: u64,
    /// `cf:name`, UTF-8.
    name: String,
    /// `cf:email`; `None` means the cell is absent.
    email: Option<String>,
    /// `cf:age`, in an encoding whose byte order is numeric order, so it can
    /// be range-filtered on the server.
    #[hbase(codec = "ordered")]
    age: i32,
    /// `cf:logins`, an HBase counter (8-byte big-endian).
    #[hbase(counter)]
    logins: i64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gateway = Gateway::from_env().await?;
    println!("1. connecting to the {}", gateway.description);
    let conn = gateway.builder.clone().connect().await?;

    // On a real cluster the table gets a unique name so nothing existing is
    // touched; on the embedded emulator the model's own name is used.
    let users: Repo<User> = if gateway.is_embedded() {
        Repo::new(&conn)
    } else {
        Repo::with_table(conn.table(unique_table_name("quickstart_users")))
    };
    users.create_table().await?;
    println!("2. created table {:?} from the model", users.table().name());

    let people = [
        ("acme", 1, "Ann", 34),
        ("acme", 2, "Bob", 17),
        ("acme", 3, "Cid", 52),
        ("zeta", 1, "Dee", 41),
    ];
    let models: Vec<User> = people
        .iter()
        .map(|&(tenant, id, name, age)| User {
            tenant: tenant.into(),
            id,
            name: name.into(),
            email: Some(format!("{}@{tenant}.example", name.to_lowercase())),
            age,
            logins: 0,
        })
        .collect();
    users.put_many(&models).await?;
    println!("3. put {} users in one batch", models.len());

    let ann = users.get(&("acme", 1u64)).await?.ok_or("Ann is missing")?;
    println!("4. got {ann:?}");
    assert_eq!(ann, models[0]);

    let acme: Vec<User> = users.scan().prefix(&("acme",)).try_collect().await?;
    println!(
        "5. prefix scan of tenant acme: {:?}",
        acme.iter().map(|u| &u.name).collect::<Vec<_>>()
    );
    assert_eq!(acme.len(), 3);

    let adults: Vec<User> = users
        .scan()
        .prefix(&("acme",))
        .filter(User::fields().age().ge(18))
        .try_collect()
        .await?;
    println!(
        "6. adults at acme (filtered by the server): {:?}",
        adults.iter().map(|u| &u.name).collect::<Vec<_>>()
    );
    assert_eq!(adults.len(), 2);

    users
        .increment(&("acme", 1u64), User::fields().logins(), 1)
        .await?;
    let logins = users
        .increment(&("acme", 1u64), User::fields().logins(), 1)
        .await?;
    println!("7. Ann logged in twice: logins = {logins}");
    assert_eq!(logins, 2);

    users.delete(&("acme", 2u64)).await?;
    println!(
        "8. deleted Bob; exists: {}",
        users.exists(&("acme", 2u64)).await?
    );
    assert!(!users.exists(&("acme", 2u64)).await?);

    conn.delete_table(users.table().name(), true).await?;
    println!("9. dropped the table. Done.");
    Ok(())
}
