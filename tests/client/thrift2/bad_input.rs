//! Bad input gets a clear error, never a hang: refused before sending, or
//! the gateway's exception; and a Thrift1 gateway answering Thrift2 calls.

use std::time::Duration;

use futures::TryStreamExt;
use hbase_orm::error::ErrorKind;
use hbase_orm::thrift2::{
    CompareOp, Connection, Delete, FamilyDescriptor, Get, Increment, Mutation, Put, ScanOptions,
    ServerType, TableDescriptor,
};
use hbase_orm::Error;
use hbase_orm_tests::Combo;

use super::fixture::{builder, T2};

#[tokio::test]
async fn refused_before_anything_is_sent() {
    let t2 = T2::start().await;
    let t = t2.table("refused").await;
    let conn = &t2.conn;
    let invalid = |r: Result<(), Error>| {
        let err = r.expect_err("refused");
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    };
    invalid(t.put(Put::new("r")).await);
    invalid(t.put(Put::new("").value("cf", "a", "1")).await);
    invalid(t.put(Put::new("r").value("", "a", "1")).await);
    invalid(t.get(Get::new("")).await.map(drop));
    invalid(t.increment(Increment::new("r")).await.map(drop));
    invalid(t.mutate_row("r", []).await);
    invalid(
        t.mutate_row(
            "r",
            [Mutation::from(Put::new("other").value("cf", "a", "1"))],
        )
        .await,
    );
    invalid(
        t.check_and_mutate(
            "r",
            "cf",
            "a",
            CompareOp::EQUAL,
            None,
            [Delete::new("x").into()],
        )
        .await
        .map(drop),
    );
    invalid(
        conn.create_table(&TableDescriptor::new("nofamily"), &[])
            .await,
    );
    invalid(
        conn.create_table(
            &TableDescriptor::new(":bad").family(FamilyDescriptor::new("cf")),
            &[],
        )
        .await,
    );
    invalid(conn.table_exists("ns:").await.map(drop));
    let scan: Result<Vec<_>, Error> = t.scan(ScanOptions::new().caching(0)).try_collect().await;
    invalid(scan.map(drop));
    // Nothing was written, the connection still serves.
    assert_eq!(t.get(Get::new("r")).await.unwrap(), None);
}

#[tokio::test]
async fn the_gateway_refuses_unknown_tables_families_and_filters() {
    let t2 = T2::start().await;
    let t = t2.table("known").await;
    let missing = t2.conn.table(t2.name("missing"));
    let err = missing.get(Get::new("r")).await.unwrap_err();
    assert!(matches!(err, Error::Server { .. }), "{err:?}");
    // Real HBase's Thrift2 gateway sends only the exception's message (the
    // table's name), so the kind cannot be told there; the emulator names
    // the exception as the Thrift1 gateway does.
    if !t2.is_real() {
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err:?}");
    }
    let err = missing
        .put(Put::new("r").value("cf", "a", "1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server { .. }), "{err:?}");
    // HBase 2.6.1's region locator finds no region of a missing table and
    // answers an empty list (seen by the conformance suite); so does the
    // emulator.
    let locations = missing.region_locations().await.expect("no error");
    assert!(locations.is_empty(), "{locations:?}");

    let err = t
        .put(Put::new("r").value("nofamily", "a", "1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server { .. }), "{err:?}");
    assert_eq!(t.get(Get::new("r")).await.unwrap(), None);

    let err = t
        .get(Get::new("r").filter("NoSuchFilter(((("))
        .await
        .unwrap_err();
    assert!(
        !matches!(err.kind(), ErrorKind::Timeout | ErrorKind::Unavailable),
        "{err:?}"
    );
    // The connection still serves.
    t.put(Put::new("r").value("cf", "a", "1")).await.unwrap();
    assert!(t.exists(Get::new("r")).await.unwrap());
}

#[tokio::test]
async fn a_thrift1_gateway_answers_thrift2_calls_with_a_clear_error() {
    // The Thrift1 gateway of the tests' transport.
    let http = super::fixture::over_http();
    let variable = if http {
        "HBASE_THRIFT_HTTP_ADDR"
    } else {
        "HBASE_THRIFT_ADDR"
    };
    let (addr, _emulator) = match super::fixture::addr_of(variable) {
        Some(addr) if super::fixture::real_addr().is_some() => (addr, None),
        _ => {
            let mut e = hbase_orm_tests::builder(Combo::DEFAULT);
            if http {
                e = e.http();
            }
            let e = e.start().await.expect("emulator");
            (e.addr(), Some(e))
        }
    };
    let conn: Connection = builder(addr, Combo::DEFAULT)
        .timeout(Duration::from_secs(10))
        .build();
    assert_eq!(conn.server_type().await.unwrap(), ServerType::Thrift1);
    let t = conn.table("whatever");
    let err = t.exists(Get::new("r")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Application { message, .. } if message.contains("Thrift1 gateway")),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Unsupported);
    let err = conn.namespace_names().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err:?}");
    // `get` and `put` are Thrift1 methods too, with other arguments: an
    // error, not a hang.
    let err = t.get(Get::new("r")).await.unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    let err = t
        .put(Put::new("r").value("cf", "a", "1"))
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn thrift2_over_http() {
    // The real Thrift2 HTTP gateway when named, else an emulator serving
    // HTTP.
    let (addr, emulator) = match super::fixture::addr_of(super::fixture::HTTP_VARIABLE) {
        Some(addr) if super::fixture::real_addr().is_some() => (addr, None),
        _ => {
            let e = hbase_orm_tests::Emulator::builder()
                .http()
                .thrift2_bind("127.0.0.1:0".parse().unwrap())
                .start()
                .await
                .unwrap();
            (e.thrift2_addr().unwrap(), Some(e))
        }
    };
    let conn = Connection::builder()
        .addr(addr)
        .timeout(super::fixture::TIMEOUT)
        .http()
        .build();
    let name = format!("t2x{}_over_http", std::process::id());
    conn.create_table(
        &TableDescriptor::new(name.clone()).family(FamilyDescriptor::new("cf")),
        &[],
    )
    .await
    .unwrap();
    let t = conn.table(name.clone());
    t.put(Put::new("r").value("cf", "a", "1")).await.unwrap();
    let got = t.get(Get::new("r")).await.unwrap().unwrap();
    assert_eq!(got.value("cf", "a").map(|v| v.as_ref()), Some(&b"1"[..]));
    let rows: Vec<_> = t.scan(ScanOptions::new()).try_collect().await.unwrap();
    assert_eq!(rows.len(), 1);
    // A proxy-user header at a gateway without proxy users: HTTP 500 on
    // HBase (hbase.thrift.support.proxyuser is off), and on the emulator.
    let doas = Connection::builder()
        .addr(addr)
        .timeout(super::fixture::TIMEOUT)
        .http()
        .http_header("doAs", "alice")
        .build();
    let err = doas
        .table(name.clone())
        .get(Get::new("r"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("500"), "{err}");
    assert!(err.to_string().contains("proxyuser"), "{err}");
    // A socket client at the HTTP listener is told so.
    let plain = Connection::builder()
        .addr(addr)
        .timeout(Duration::from_secs(10))
        .build();
    let err = plain
        .table(name.clone())
        .get(Get::new("r"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("http"), "{err}");
    // The gateway still serves the right client.
    assert!(t.exists(Get::new("r")).await.unwrap());
    if emulator.is_none() {
        conn.disable_table(&name).await.unwrap();
        conn.delete_table(&name).await.unwrap();
    }
}
