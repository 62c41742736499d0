//! Bad input: each a clear typed error, never a panic or a hang.

use std::time::Duration;

use futures::TryStreamExt;
use hbase_orm::accumulo::{
    Authorizations, BatchScanOptions, Connection, IteratorSetting, Mutation, Range, ScanOptions,
};
use hbase_orm::error::AccumuloErrorKind;
use hbase_orm::{Error, Protocol};

use crate::fixture;

#[tokio::test]
async fn refused_before_sending() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let t = fixture::table(&c, "tbad").await;
    let malformed = Mutation::new("r")
        .put_labelled("f", "q", "A&B|C", "v")
        .unwrap_err();
    assert!(matches!(&malformed, Error::InvalidInput(m) if m.contains("malformed visibility")));
    let empty = c
        .update_and_flush(&t, [Mutation::new("").put("f", "q", "v")])
        .await
        .unwrap_err();
    assert!(
        matches!(&empty, Error::InvalidInput(m) if m.contains("non-empty row")),
        "{empty}"
    );
    let nothing = c
        .update_and_flush(&t, [Mutation::new("r")])
        .await
        .unwrap_err();
    assert!(matches!(nothing, Error::InvalidInput(_)));
    let mut w = c.writer(&t, Default::default()).await.unwrap();
    assert!(matches!(
        w.update([Mutation::new("")]),
        Err(Error::InvalidInput(_))
    ));
    w.close().await.unwrap();
    let bad_auth = c
        .scanner(
            &t,
            ScanOptions::new(Range::all()).authorizations(Authorizations::from_iter([""])),
        )
        .await
        .unwrap_err();
    assert!(matches!(bad_auth, Error::InvalidInput(_)));
    let no_ranges = c
        .batch_scanner(&t, BatchScanOptions::new([]))
        .await
        .unwrap_err();
    assert!(matches!(no_ranges, Error::InvalidInput(_)));
    let bad_iter = c
        .scanner(
            &t,
            ScanOptions::new(Range::all()).iterator(IteratorSetting::new(0, "x", "y")),
        )
        .await
        .unwrap_err();
    assert!(matches!(bad_iter, Error::InvalidInput(_)));
    c.delete_table(&t).await.unwrap();
}

#[tokio::test]
async fn unknown_scanner_and_writer_ids_and_missing_tables() {
    let proxy = fixture::proxy().await;
    let c = fixture::connector(&proxy).await;
    let mut s = c.resume_scanner("00000000-0000-0000-0000-000000000000");
    let err = s.try_next().await.unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::UnknownScanner),
        "{err}"
    );
    let mut w = c.resume_writer("t", "00000000-0000-0000-0000-000000000000");
    let err = w.flush().await.unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::UnknownWriter),
        "{err}"
    );
    let err = w.close().await.unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::UnknownWriter),
        "{err}"
    );
    let err = c
        .scanner("no_such_table_here", ScanOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::TableNotFound),
        "{err}"
    );
    let err = c
        .writer("no_such_table_here", Default::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::TableNotFound),
        "{err}"
    );
}

#[tokio::test]
async fn a_wrong_password_is_a_security_error() {
    let proxy = fixture::proxy().await;
    let err = fixture::builder(&proxy)
        .build()
        .login(&proxy.user, "certainly-not-the-password")
        .await
        .unwrap_err();
    assert_eq!(
        err.accumulo_kind(),
        Some(AccumuloErrorKind::Security),
        "{err}"
    );
}

#[tokio::test]
async fn a_proxy_speaking_another_protocol_is_a_clear_error() {
    let proxy = fixture::proxy().await;
    let conn = fixture::builder(&proxy)
        .protocol(Protocol::Binary)
        .timeout(Duration::from_secs(10))
        .build();
    let err = conn.login(&proxy.user, &proxy.password).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport { .. } | Error::Protocol { .. } | Error::Timeout { .. }
        ),
        "{err:?}"
    );
    // And an HBase gateway is not an Accumulo proxy.
    let hbase = hbase_orm_tests::start(hbase_orm_tests::COMBOS[0]).await;
    let conn = Connection::builder()
        .addr(hbase.addr())
        .transport(hbase_orm_tests::COMBOS[0].transport)
        .protocol(hbase_orm_tests::COMBOS[0].protocol)
        .timeout(Duration::from_secs(10))
        .build();
    let err = conn.login("root", "secret").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Application { .. } | Error::Protocol { .. } | Error::Transport { .. }
        ),
        "{err:?}"
    );
}
