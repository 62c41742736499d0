//! Where the examples find an HBase Thrift gateway.
//!
//! With `HBASE_THRIFT_ADDR=host:port` set, they talk to that gateway (also read:
//! `HBASE_THRIFT_TRANSPORT=buffered|framed`, `HBASE_THRIFT_PROTOCOL=binary|compact`,
//! defaults buffered and binary, as a gateway started without flags). Without
//! it, they start the embedded emulator in-process on a free loopback port, so
//! every example runs on a fresh machine with no HBase.

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use hbase_emulator::Emulator;
use hbase_orm::{Connection, ConnectionBuilder, Protocol, Transport};

/// The gateway an example talks to; keeps the embedded emulator alive.
#[derive(Debug)]
pub struct Gateway {
    /// Settings that reach the gateway; `.build()` or `.connect()` it.
    pub builder: ConnectionBuilder,
    /// Where the gateway is, for printing.
    pub description: String,
    emulator: Option<Emulator>,
}

impl Gateway {
    /// The configured gateway, or a fresh embedded emulator.
    ///
    /// # Errors
    /// A malformed `HBASE_THRIFT_*` variable, or an emulator that cannot bind.
    pub async fn from_env() -> Result<Gateway, Box<dyn Error>> {
        match configured()? {
            Some(remote) => Ok(Gateway::remote(remote)),
            None => Ok(Gateway::embedded(Emulator::start().await?)),
        }
    }

    /// Like [`Gateway::from_env`], for blocking code: the embedded emulator
    /// runs on a thread of its own.
    ///
    /// # Errors
    /// A malformed `HBASE_THRIFT_*` variable, or an emulator that cannot bind.
    pub fn from_env_blocking() -> Result<Gateway, Box<dyn Error>> {
        match configured()? {
            Some(remote) => Ok(Gateway::remote(remote)),
            None => Ok(Gateway::embedded(Emulator::builder().start_blocking()?)),
        }
    }

    fn remote((builder, description): (ConnectionBuilder, String)) -> Gateway {
        Gateway {
            builder,
            description,
            emulator: None,
        }
    }

    fn embedded(emulator: Emulator) -> Gateway {
        Gateway {
            builder: Connection::builder().addr(emulator.addr()),
            description: format!("embedded emulator on {}", emulator.addr()),
            emulator: Some(emulator),
        }
    }

    /// Whether this is the embedded emulator (and not a real gateway).
    pub fn is_embedded(&self) -> bool {
        self.emulator.is_some()
    }
}

fn configured() -> Result<Option<(ConnectionBuilder, String)>, Box<dyn Error>> {
    let Ok(addr) = std::env::var("HBASE_THRIFT_ADDR") else {
        return Ok(None);
    };
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| format!("HBASE_THRIFT_ADDR={addr:?} is not host:port"))?;
    let port: u16 = port
        .parse()
        .map_err(|_| format!("HBASE_THRIFT_ADDR={addr:?} has no valid port"))?;
    let transport: Transport = std::env::var("HBASE_THRIFT_TRANSPORT")
        .unwrap_or_else(|_| "buffered".into())
        .parse()?;
    let protocol: Protocol = std::env::var("HBASE_THRIFT_PROTOCOL")
        .unwrap_or_else(|_| "binary".into())
        .parse()?;
    let builder = Connection::builder()
        .host(host)
        .port(port)
        .transport(transport)
        .protocol(protocol);
    Ok(Some((
        builder,
        format!("gateway at {addr} ({transport}, {protocol})"),
    )))
}

/// A table name unique to this run, so examples never collide with existing
/// tables on a real cluster.
pub fn unique_table_name(base: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{base}_{}_{nanos:x}", std::process::id())
}

/// The Accumulo Proxy an Accumulo example talks to; keeps the embedded
/// emulator alive.
///
/// With `ACCUMULO_PROXY_ADDR=host:port` set (and `ACCUMULO_PROXY_USER`,
/// default `root`, and `ACCUMULO_PROXY_PASSWORD`, default empty) the
/// examples use that proxy (framed transport, compact protocol, as the
/// proxy ships); without it, the emulator's embedded Accumulo Proxy on a
/// free loopback port.
#[derive(Debug)]
pub struct AccumuloProxy {
    /// Settings that reach the proxy.
    pub builder: hbase_orm::accumulo::ConnectionBuilder,
    /// The principal to log in as.
    pub user: String,
    /// Its password.
    pub password: String,
    /// Where the proxy is, for printing.
    pub description: String,
    emulator: Option<Emulator>,
}

impl AccumuloProxy {
    /// The configured proxy, or a fresh embedded one.
    ///
    /// # Errors
    /// A malformed `ACCUMULO_PROXY_ADDR`, or an emulator that cannot bind.
    pub async fn from_env() -> Result<AccumuloProxy, Box<dyn Error>> {
        if let Ok(addr) = std::env::var("ACCUMULO_PROXY_ADDR") {
            let (host, port) = addr
                .rsplit_once(':')
                .ok_or_else(|| format!("ACCUMULO_PROXY_ADDR={addr:?} is not host:port"))?;
            let port: u16 = port
                .parse()
                .map_err(|_| format!("ACCUMULO_PROXY_ADDR={addr:?} has no valid port"))?;
            return Ok(AccumuloProxy {
                builder: hbase_orm::accumulo::Connection::builder()
                    .host(host)
                    .port(port),
                user: std::env::var("ACCUMULO_PROXY_USER").unwrap_or_else(|_| "root".into()),
                password: std::env::var("ACCUMULO_PROXY_PASSWORD").unwrap_or_default(),
                description: format!("Accumulo Proxy at {addr}"),
                emulator: None,
            });
        }
        let emulator = Emulator::builder()
            .hbase(false)
            .accumulo_bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .accumulo_root_password("secret")
            .start()
            .await?;
        let addr = emulator
            .accumulo_addr()
            .ok_or("the emulator serves no Accumulo Proxy")?;
        Ok(AccumuloProxy {
            builder: hbase_orm::accumulo::Connection::builder().addr(addr),
            user: "root".into(),
            password: "secret".into(),
            description: format!("embedded Accumulo Proxy on {addr}"),
            emulator: Some(emulator),
        })
    }

    /// Whether this is the embedded emulator (and not a real proxy).
    pub fn is_embedded(&self) -> bool {
        self.emulator.is_some()
    }
}
