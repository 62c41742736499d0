//! `Repo::put_many` on the Thrift1 backend, whose writer encodes a model's
//! cells straight into the batch: deletes, versions, map fields, repeated
//! columns and a value that fails to encode in the middle of a row.

use std::collections::BTreeMap;

use futures::TryStreamExt;
use hbase_orm::{Error, HRow};

use crate::fixture::Fixture;
use crate::models::{Doc, User};

/// Fails to encode the text `"bad"`.
mod picky {
    use hbase_orm::codec::CodecError;

    pub(crate) fn encode(v: &String, out: &mut Vec<u8>) -> Result<(), CodecError> {
        if v == "bad" {
            return Err(CodecError::new("`bad` has no encoding"));
        }
        out.extend_from_slice(v.as_bytes());
        Ok(())
    }

    pub(crate) fn decode(b: &[u8]) -> Result<String, CodecError> {
        String::from_utf8(b.to_vec()).map_err(|e| CodecError::new(e.to_string()))
    }
}

/// A model whose last field may fail to encode, after two that do not.
#[derive(Debug, Clone, PartialEq, HRow)]
#[hbase(table = "picky", family = "p")]
struct Picky {
    #[hbase(row_key)]
    id: String,
    first: String,
    second: String,
    #[hbase(with = picky)]
    last: String,
}

fn picky(id: &str, last: &str) -> Picky {
    Picky {
        id: id.into(),
        first: format!("{id}-1"),
        second: format!("{id}-2"),
        last: last.into(),
    }
}

#[tokio::test]
async fn an_encode_error_mid_row_buffers_nothing_of_the_row() {
    let fx = Fixture::start().await;
    let repo = fx.repo::<Picky>().await;
    let rows = [picky("a", "ok"), picky("b", "bad"), picky("c", "ok")];
    let err = repo.put_many(&rows).await.unwrap_err();
    assert!(matches!(err, Error::Encode(_)), "{err}");
    assert!(err.to_string().contains("last"), "{err}");
    // The row before is written (and flushed), nothing of the failing row
    // (not even its fields before the failing one), nothing after it.
    assert_eq!(repo.get("a").await.unwrap(), Some(picky("a", "ok")));
    assert_eq!(repo.table().row("b").await.unwrap(), None);
    assert_eq!(repo.table().row("c").await.unwrap(), None);
    // The writer goes on working after a failed row.
    repo.put_many(&[picky("b", "fine"), picky("d", "ok")])
        .await
        .unwrap();
    let back: Vec<Picky> = repo.scan().try_collect().await.unwrap();
    assert_eq!(
        back,
        [picky("a", "ok"), picky("b", "fine"), picky("d", "ok")]
    );
}

#[tokio::test]
async fn a_none_deletes_the_cell_of_an_existing_row() {
    let fx = Fixture::start().await;
    let users = fx.repo::<User>().await.put_batch_size(3);
    let mut all: Vec<User> = (0..10u64)
        .map(|i| {
            let mut u = User::new("del", i, &format!("n{i}"), 1);
            u.email = Some(format!("{i}@x"));
            u
        })
        .collect();
    users.put_many(&all).await.unwrap();
    for u in all.iter_mut().step_by(2) {
        u.email = None;
        u.name.push('!');
    }
    users.put_many(&all).await.unwrap();
    let back: Vec<User> = users.scan().prefix(&("del",)).try_collect().await.unwrap();
    assert_eq!(back, all);
    let key = all[0].row_key();
    let raw = users.table().row(&key).await.unwrap().unwrap();
    assert_eq!(raw.get("cf:email"), None);
}

#[tokio::test]
async fn versions_and_map_fields_are_written() {
    let fx = Fixture::start().await;
    let docs = fx.repo::<Doc>().await;
    let all: Vec<Doc> = (0..5u32)
        .map(|i| Doc {
            id: i,
            title: vec![(30, format!("t{i}-new")), (20, format!("t{i}-old"))],
            tags: BTreeMap::from([("a".to_string(), i64::from(i)), ("b".to_string(), 7)]),
            body: format!("body {i}"),
        })
        .collect();
    docs.put_many(&all).await.unwrap();
    for doc in &all {
        assert_eq!(docs.get(&doc.id).await.unwrap().as_ref(), Some(doc));
    }
}

/// Two puts of one column in one write: the last value wins.
#[tokio::test]
async fn a_map_entry_repeating_a_field_column_is_written_last() {
    #[derive(Debug, Clone, PartialEq, HRow)]
    #[hbase(table = "clash", family = "m")]
    struct Clash {
        #[hbase(row_key)]
        id: String,
        name: String,
        #[hbase(family_map = "m")]
        extra: BTreeMap<String, String>,
    }
    let fx = Fixture::start().await;
    let repo = fx.repo::<Clash>().await;
    let row = Clash {
        id: "r".into(),
        name: "from the field".into(),
        extra: BTreeMap::from([("name".to_string(), "from the map".to_string())]),
    };
    repo.put_many([&row]).await.unwrap();
    let raw = repo.table().row("r").await.unwrap().unwrap();
    assert_eq!(
        raw.get("m:name").map(|v| &v[..]),
        Some(&b"from the map"[..])
    );
}
