//! An emulator, a connection to it and typed repositories.

use std::time::Duration;

use hbase_orm::repo::Repo;
use hbase_orm::{Connection, HRow};
use hbase_orm_tests::{Combo, Emulator};

/// An emulator and a connection speaking the gateway's default combination.
pub(crate) struct Fixture {
    pub(crate) _emulator: Emulator,
    pub(crate) conn: Connection,
}

impl Fixture {
    pub(crate) async fn start() -> Fixture {
        Self::start_with(Combo::DEFAULT).await
    }

    pub(crate) async fn start_with(combo: Combo) -> Fixture {
        let emulator = hbase_orm_tests::start(combo).await;
        let conn = Connection::builder()
            .addr(emulator.addr())
            .transport(combo.transport)
            .protocol(combo.protocol)
            .timeout(Duration::from_secs(20))
            .build();
        Fixture {
            _emulator: emulator,
            conn,
        }
    }

    /// The repository of `T`, its table created from the model.
    pub(crate) async fn repo<T: HRow>(&self) -> Repo<T> {
        let repo = Repo::<T>::new(&self.conn);
        repo.create_table()
            .await
            .unwrap_or_else(|e| panic!("create {}: {e}", T::SCHEMA.table));
        repo
    }
}
