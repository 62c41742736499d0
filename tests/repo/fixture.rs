//! A target (an emulator, or the real gateway the environment names), a
//! connection to it and typed repositories.

use std::net::SocketAddr;
use std::time::Duration;

use hbase_orm::repo::Repo;
use hbase_orm::{Connection, HRow};
use hbase_orm_tests::{target, Combo, Emulator};

/// A target and a connection speaking the gateway's default combination.
///
/// On a real gateway (see [`hbase_orm_tests::target`]) the connection
/// carries a table prefix of its own and dropping the fixture drops its
/// tables.
pub(crate) struct Fixture {
    pub(crate) _emulator: Emulator,
    pub(crate) conn: Connection,
    combo: Combo,
    real: Option<(SocketAddr, String)>,
}

impl Fixture {
    pub(crate) async fn start() -> Fixture {
        Self::start_with(Combo::DEFAULT).await
    }

    pub(crate) async fn start_with(combo: Combo) -> Fixture {
        let emulator = hbase_orm_tests::start(combo).await;
        let real = target::real_addr(combo).map(|addr| (addr, target::unique_prefix()));
        let builder = Connection::builder()
            .transport(combo.transport)
            .protocol(combo.protocol)
            .timeout(Duration::from_secs(30));
        let conn = match &real {
            Some((addr, prefix)) => builder.addr(*addr).table_prefix(prefix.clone()),
            None => builder.addr(emulator.addr()),
        }
        .build();
        Fixture {
            _emulator: emulator,
            conn,
            combo,
            real,
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

impl Drop for Fixture {
    /// On a real gateway, drops the tables this fixture made.
    fn drop(&mut self) {
        if let Some((addr, prefix)) = &self.real {
            target::drop_tables(*addr, prefix, self.combo);
        }
    }
}
