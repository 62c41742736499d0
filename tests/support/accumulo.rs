//! The Accumulo Proxy the Accumulo suites run against: a real one named by
//! the environment (`ACCUMULO_PROXY_ADDR`, `ACCUMULO_PROXY_USER`,
//! `ACCUMULO_PROXY_PASSWORD`) or recorded by `engines/accumulo.sh start` in
//! `target/engines/accumulo.env`, else the emulator's embedded one.

use hbase_emulator::Emulator;

/// Where the proxy is, and who logs in; holds the embedded emulator
/// serving it when no real proxy is named.
#[derive(Debug)]
pub struct Proxy {
    /// `host:port` of the proxy.
    pub addr: String,
    /// The principal tests log in as.
    pub user: String,
    /// Its password.
    pub password: String,
    _emulator: Option<Emulator>,
}

impl Proxy {
    /// Whether it is a real proxy (not the embedded emulator).
    pub fn is_real(&self) -> bool {
        self._emulator.is_none()
    }
}

fn from_env_file() -> Option<Proxy> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/engines/accumulo.env"
    );
    let text = std::fs::read_to_string(path).ok()?;
    let get = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_owned)
    };
    Some(Proxy {
        addr: get("ACCUMULO_PROXY_ADDR")?,
        user: get("ACCUMULO_PROXY_USER").unwrap_or_else(|| "root".to_owned()),
        password: get("ACCUMULO_PROXY_PASSWORD").unwrap_or_default(),
        _emulator: None,
    })
}

/// The proxy to test against: the one `ACCUMULO_PROXY_ADDR` names, else
/// the one `engines/accumulo.sh start` recorded, else a fresh embedded
/// emulator serving only the Accumulo Proxy.
pub async fn proxy() -> Proxy {
    // (A real proxy is shared by every test: names must be unique.)
    if let Ok(addr) = std::env::var("ACCUMULO_PROXY_ADDR") {
        return Proxy {
            addr,
            user: std::env::var("ACCUMULO_PROXY_USER").unwrap_or_else(|_| "root".to_owned()),
            password: std::env::var("ACCUMULO_PROXY_PASSWORD").unwrap_or_default(),
            _emulator: None,
        };
    }
    if let Some(found) = from_env_file() {
        return found;
    }
    let emulator = Emulator::builder()
        .hbase(false)
        .accumulo_bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .accumulo_root_password("secret")
        .start()
        .await
        .expect("the embedded Accumulo proxy starts");
    Proxy {
        addr: emulator
            .accumulo_addr()
            .expect("the emulator serves the Accumulo proxy")
            .to_string(),
        user: "root".to_owned(),
        password: "secret".to_owned(),
        _emulator: Some(emulator),
    }
}
