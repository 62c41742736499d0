//! A typed model stored in Apache Accumulo: the same `#[derive(HRow)]`
//! struct and `Repo` as on HBase, over the Accumulo backend, with cell
//! visibilities and read authorizations.
//!
//! ```text
//! cargo run --example accumulo_typed
//! ```
//!
//! or against a real proxy with `ACCUMULO_PROXY_ADDR=host:42424` (and
//! `ACCUMULO_PROXY_USER`, `ACCUMULO_PROXY_PASSWORD`).

use futures::TryStreamExt;
use hbase_orm::accumulo::Authorizations;
use hbase_orm::backend::accumulo::AccumuloStore;
use hbase_orm::store::Store;
use hbase_orm::{Error, HRow, Repo};
use hbase_orm_examples::{unique_table_name, AccumuloProxy};

/// A patient record: the row key is `(clinic, id)`; the diagnosis is
/// labelled `doctor`, everything else `staff`.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(table = "patients", family = "p")]
struct Patient {
    #[hbase(row_key)]
    clinic: String,
    #[hbase(row_key)]
    id: u64,
    name: String,
    diagnosis: Option<String>,
    #[hbase(counter)]
    visits: i64,
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
    let mut auths = connector.user_authorizations(&proxy.user).await?;
    auths.insert("staff");
    auths.insert("doctor");
    connector
        .change_user_authorizations(&proxy.user, &auths)
        .await?;

    // Every cell `staff`, the diagnosis `doctor`; read as a doctor.
    let store = AccumuloStore::new(connector)
        .visibility("staff")?
        .column_visibility("p:diagnosis", "doctor")?
        .authorizations(Authorizations::from_iter(["staff", "doctor"]));
    let table = unique_table_name("accumulo_patients");
    let patients = Repo::<Patient, AccumuloStore>::from_table(store.store_table(&table));
    patients.create_table().await?;

    let ann = Patient {
        clinic: "north".into(),
        id: 1,
        name: "Ann".into(),
        diagnosis: Some("flu".into()),
        visits: 0,
    };
    patients.put(&ann).await?;
    patients
        .put(&Patient {
            clinic: "north".into(),
            id: 2,
            name: "Bob".into(),
            diagnosis: None,
            visits: 0,
        })
        .await?;
    patients
        .put(&Patient {
            clinic: "south".into(),
            id: 1,
            name: "Cid".into(),
            diagnosis: None,
            visits: 0,
        })
        .await?;

    // A counter, incremented by conditional writes.
    let visits = patients
        .increment(&("north", 1u64), Patient::fields().visits(), 1)
        .await?;
    println!("Ann's visits: {visits}");

    let read = patients.get(&("north", 1u64)).await?;
    println!("as a doctor: {read:?}");
    assert_eq!(read.map(|p| p.diagnosis), Some(Some("flu".into())));

    // The same table read with `staff` only: the diagnosis is not seen.
    let staff = Repo::<Patient, AccumuloStore>::from_table(
        store
            .clone()
            .authorizations(Authorizations::from_iter(["staff"]))
            .store_table(&table),
    );
    let read = staff.get(&("north", 1u64)).await?;
    println!("as staff: {read:?}");
    assert_eq!(read.map(|p| p.diagnosis), Some(None));

    // A typed prefix scan: one clinic, in key order.
    let north: Vec<Patient> = patients.scan().prefix(&("north",)).try_collect().await?;
    println!(
        "north: {:?}",
        north.iter().map(|p| &p.name).collect::<Vec<_>>()
    );
    assert_eq!(north.len(), 2);

    // Accumulo has no iterator selecting rows by a value: refused by name.
    let refused: Result<Vec<Patient>, Error> = patients
        .scan()
        .filter(Patient::fields().name().eq("Ann"))
        .try_collect()
        .await;
    match refused {
        Err(e @ Error::Unsupported { .. }) => println!("refused as expected: {e}"),
        other => return Err(format!("expected Unsupported, got {other:?}").into()),
    }

    store.connector().delete_table(&table).await?;
    println!("done");
    Ok(())
}
