//! A time-series model: readings keyed by (sensor, timestamp), scanned by
//! sensor prefix, by time range, newest first, and with a server-side filter.
//!
//! Run: `cargo run --example time_series` (embedded emulator), or with
//! `HBASE_THRIFT_ADDR=host:port` against a real gateway.

use futures::TryStreamExt;
use hbase_orm::{HRow, Repo};
use hbase_orm_examples::{unique_table_name, Gateway};

/// One measurement. The composite key `(sensor, at)` keeps each sensor's
/// readings together and in time order; `at` is signed, and the key encoding
/// still sorts negative times before positive ones.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(table = "readings", family = "r")]
struct Reading {
    #[hbase(row_key)]
    sensor: String,
    #[hbase(row_key)]
    at: i64,
    /// Degrees Celsius, order-preserving so it can be range-filtered.
    #[hbase(codec = "ordered")]
    celsius: f64,
    /// Java-compatible big-endian, readable by `Bytes.toInt` on the JVM.
    #[hbase(codec = "big_endian")]
    battery_pct: i32,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gateway = Gateway::from_env().await?;
    println!("using the {}", gateway.description);
    let conn = gateway.builder.clone().connect().await?;
    let readings: Repo<Reading> = Repo::with_table(conn.table(unique_table_name("readings")));
    readings.create_table().await?;

    // One reading a minute for three sensors over two hours, from t = -60 min.
    let mut batch = Vec::new();
    for sensor in ["boiler", "garage", "attic"] {
        for minute in -60..60i64 {
            batch.push(Reading {
                sensor: sensor.into(),
                at: minute * 60_000,
                celsius: 20.0 + (minute as f64 / 10.0).sin() * 5.0,
                battery_pct: 100 - (minute + 60) as i32 / 4,
            });
        }
    }
    readings.put_many(&batch).await?;
    println!("stored {} readings", batch.len());

    let boiler: Vec<Reading> = readings.scan().prefix(&("boiler",)).try_collect().await?;
    println!("boiler has {} readings", boiler.len());
    assert_eq!(boiler.len(), 120);
    assert!(boiler.windows(2).all(|w| w[0].at < w[1].at), "time order");

    // The ten minutes before t = 0, by key range (stop is exclusive).
    let window: Vec<Reading> = readings
        .scan()
        .start(&("garage", -600_000i64))
        .stop(&("garage", 0i64))
        .try_collect()
        .await?;
    println!(
        "garage, 10 minutes before t=0: {:?}",
        window.iter().map(|r| r.at / 60_000).collect::<Vec<_>>()
    );
    assert_eq!(window.len(), 10);

    // The latest three readings of the attic: a reverse prefix scan.
    let latest: Vec<Reading> = readings
        .scan()
        .prefix(&("attic",))
        .reverse(true)
        .limit(3)
        .try_collect()
        .await?;
    println!(
        "latest attic readings (minutes): {:?}",
        latest.iter().map(|r| r.at / 60_000).collect::<Vec<_>>()
    );
    assert_eq!(
        latest.iter().map(|r| r.at).collect::<Vec<_>>(),
        [3_540_000, 3_480_000, 3_420_000]
    );

    // Hot readings, filtered by the gateway on the order-preserving column.
    let hot: Vec<Reading> = readings
        .scan()
        .prefix(&("boiler",))
        .filter(Reading::fields().celsius().gt(24.5))
        .try_collect()
        .await?;
    println!("boiler readings above 24.5 °C: {}", hot.len());
    assert!(!hot.is_empty() && hot.iter().all(|r| r.celsius > 24.5));
    let expected = boiler.iter().filter(|r| r.celsius > 24.5).count();
    assert_eq!(hot.len(), expected);

    conn.delete_table(readings.table().name(), true).await?;
    Ok(())
}
