//! The blocking API: the same client without async, for scripts, command-line
//! tools and code that is not on a tokio runtime.
//!
//! Run: `cargo run --example blocking` (embedded emulator, on a thread of its
//! own), or with `HBASE_THRIFT_ADDR=host:port` against a real gateway.

use hbase_orm::blocking::{Connection, Repo};
use hbase_orm::{ColumnFamily, HRow};
use hbase_orm_examples::{unique_table_name, Gateway};

/// A product in a catalogue, keyed by its SKU.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(table = "products", family = "p")]
struct Product {
    #[hbase(row_key)]
    sku: String,
    title: String,
    #[hbase(codec = "ordered")]
    price_cents: u32,
    #[hbase(counter)]
    stock: i64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gateway = Gateway::from_env_blocking()?;
    println!("using the {}", gateway.description);
    // The blocking connection owns a small runtime and blocks on the async
    // client: one code path, the same errors.
    let conn = Connection::from_async(gateway.builder.clone().build());
    conn.open()?;

    // Raw API, blocking: requests with options end with `.run()`.
    let raw_name = unique_table_name("blocking_raw");
    conn.create_table(&raw_name, [ColumnFamily::new("cf")])?;
    let table = conn.table(&raw_name);
    table.put("k1", [("cf:a", "1")]).run()?;
    table.put("k2", [("cf:a", "2")]).run()?;
    let keys: Vec<String> = table
        .scan()
        .row_prefix("k")
        .map(|row| row.map(|r| String::from_utf8_lossy(&r.key).into_owned()))
        .collect::<Result<_, _>>()?;
    println!("raw scan (an Iterator): {keys:?}");
    assert_eq!(keys, ["k1", "k2"]);
    conn.delete_table(&raw_name, true)?;

    // Typed API, blocking.
    let products: Repo<Product> = Repo::with_table(conn.table(unique_table_name("products")));
    products.create_table()?;
    products.put(&Product {
        sku: "tea-001".into(),
        title: "Green tea".into(),
        price_cents: 450,
        stock: 0,
    })?;
    products.increment("tea-001", Product::fields().stock(), 12)?;
    let tea = products.get("tea-001")?.ok_or("tea-001 is missing")?;
    println!("typed get: {tea:?}");
    assert_eq!(tea.stock, 12);
    let cheap: Vec<Product> = products
        .scan()
        .filter(Product::fields().price_cents().lt(500))
        .collect::<Result<_, _>>()?;
    println!("products under 5.00: {}", cheap.len());
    assert_eq!(cheap.len(), 1);
    conn.delete_table(products.table().name(), true)?;
    Ok(())
}
