//! TLS to the gateway (feature `tls`): [`TlsConfig`], given to
//! [`ConnectionBuilder::tls`](crate::ConnectionBuilder::tls).
//!
//! The client speaks TLS with [rustls] on its `ring` crypto provider. The
//! server's certificate is checked against the root certificates of the
//! [`TlsConfig`]: the system's (read once, when the first socket opens) when
//! none are given, or those given as PEM or DER. A client certificate and
//! key can be presented (mutual TLS), and a ready [`rustls::ClientConfig`]
//! can be used as it is.
//!
//! A handshake that fails is reported as [`Error::Transport`] whose message
//! starts with "TLS handshake with HOST:PORT failed" and says why: the
//! certificate problem (unknown issuer, a name it is not valid for, expiry),
//! an alert from the server (a client certificate required), or a server
//! that does not speak TLS on that port. A handshake that does not complete
//! within the connection's timeout is an [`Error::Timeout`] whose hint says
//! so.
//!
//! # Examples
//! ```no_run
//! use hbase_orm::tls::TlsConfig;
//! use hbase_orm::Connection;
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ca = std::fs::read("ca.pem")?;
//! let conn = Connection::builder()
//!     .host("hbase-thrift.internal")
//!     .port(9090)
//!     .tls(TlsConfig::new().root_certificates_pem(ca))
//!     .connect()
//!     .await?;
//! # let _ = conn;
//! # Ok(()) }
//! ```

use std::fmt;
use std::io;
use std::sync::{Arc, OnceLock};

pub use rustls;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};

use crate::error::{Error, Result};

/// How the client speaks TLS to the gateway: the roots its certificate is
/// checked against, the name it must be valid for, and an optional client
/// certificate.
///
/// Built with [`TlsConfig::new`] and the setters, or from a ready
/// [`rustls::ClientConfig`] with [`TlsConfig::from_client_config`]. The
/// settings are checked (PEM parsed, system roots read) once, when the first
/// socket opens or when [`TlsConfig::client_config`] is called; clones share
/// the result. A bad setting fails every call with [`Error::InvalidInput`].
///
/// By default the server's certificate must be valid for the host the
/// connection is built with (a name, or an IP address); set
/// [`TlsConfig::server_name`] when it is issued for another name.
///
/// # Examples
/// ```
/// use hbase_orm::tls::TlsConfig;
///
/// # let ca_pem: Vec<u8> = Vec::new();
/// # let (chain_pem, key_pem): (Vec<u8>, Vec<u8>) = (Vec::new(), Vec::new());
/// let tls = TlsConfig::new()
///     .root_certificates_pem(ca_pem)
///     .server_name("hbase-thrift.internal")
///     .client_auth_pem(chain_pem, key_pem);
/// let conn = hbase_orm::Connection::builder().host("10.0.0.7").tls(tls).build();
/// assert!(conn.is_tls());
/// ```
#[derive(Clone, Default)]
pub struct TlsConfig {
    settings: Arc<Settings>,
    /// The checked configuration, shared by clones.
    prepared: Arc<OnceLock<Result<Arc<ClientConfig>, String>>>,
}

#[derive(Clone, Default)]
struct Settings {
    roots: Vec<Root>,
    native_roots: Option<bool>,
    server_name: Option<String>,
    client_auth: Option<(Vec<u8>, Vec<u8>)>,
    ready: Option<Arc<ClientConfig>>,
}

#[derive(Clone)]
enum Root {
    Pem(Vec<u8>),
    Der(Vec<u8>),
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("TlsConfig")
            .field("roots", &s.roots.len())
            .field("native_roots", &s.native_roots)
            .field("server_name", &s.server_name)
            .field("client_auth", &s.client_auth.is_some())
            .field("ready_client_config", &s.ready.is_some())
            .finish()
    }
}

impl TlsConfig {
    /// TLS with the system's root certificates, until others are added.
    ///
    /// # Examples
    /// ```
    /// let conn = hbase_orm::Connection::builder()
    ///     .tls(hbase_orm::tls::TlsConfig::new())
    ///     .build();
    /// assert!(conn.is_tls());
    /// ```
    pub fn new() -> Self {
        TlsConfig::default()
    }

    /// A ready rustls configuration, used as it is: its roots, client
    /// certificate and crypto provider. Only [`TlsConfig::server_name`]
    /// still applies.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// use hbase_orm::tls::{rustls, TlsConfig};
    ///
    /// let provider = Arc::new(rustls::crypto::ring::default_provider());
    /// let config = rustls::ClientConfig::builder_with_provider(provider)
    ///     .with_safe_default_protocol_versions()
    ///     .unwrap()
    ///     .with_root_certificates(rustls::RootCertStore::empty())
    ///     .with_no_client_auth();
    /// let tls = TlsConfig::from_client_config(Arc::new(config));
    /// assert!(tls.client_config().is_ok());
    /// ```
    pub fn from_client_config(config: Arc<ClientConfig>) -> Self {
        TlsConfig::default().change(|s| s.ready = Some(config))
    }

    /// Adds the root certificates of a PEM document (every `CERTIFICATE`
    /// block in it): the server's certificate must chain to one of the roots.
    /// The system's roots are then not used, unless
    /// [`TlsConfig::native_roots`] says so.
    ///
    /// # Examples
    /// ```no_run
    /// let ca = std::fs::read("ca.pem").unwrap();
    /// let tls = hbase_orm::tls::TlsConfig::new().root_certificates_pem(ca);
    /// # let _ = tls;
    /// ```
    pub fn root_certificates_pem(self, pem: impl Into<Vec<u8>>) -> Self {
        let pem = pem.into();
        self.change(|s| s.roots.push(Root::Pem(pem)))
    }

    /// Adds one root certificate in DER form; see
    /// [`TlsConfig::root_certificates_pem`].
    ///
    /// # Examples
    /// ```no_run
    /// let ca = std::fs::read("ca.der").unwrap();
    /// let tls = hbase_orm::tls::TlsConfig::new().root_certificate_der(ca);
    /// # let _ = tls;
    /// ```
    pub fn root_certificate_der(self, der: impl Into<Vec<u8>>) -> Self {
        let der = der.into();
        self.change(|s| s.roots.push(Root::Der(der)))
    }

    /// Whether the system's root certificates are trusted. Default: only
    /// when no root certificate is added.
    ///
    /// # Examples
    /// ```no_run
    /// let ca = std::fs::read("ca.pem").unwrap();
    /// // The private CA and the public ones.
    /// let tls = hbase_orm::tls::TlsConfig::new().root_certificates_pem(ca).native_roots(true);
    /// # let _ = tls;
    /// ```
    pub fn native_roots(self, trust: bool) -> Self {
        self.change(|s| s.native_roots = Some(trust))
    }

    /// The name the server's certificate must be valid for (a DNS name or an
    /// IP address), instead of the host the connection is built with; it is
    /// also sent as SNI.
    ///
    /// # Examples
    /// ```
    /// let tls = hbase_orm::tls::TlsConfig::new().server_name("hbase-thrift.internal");
    /// let conn = hbase_orm::Connection::builder().host("10.0.0.7").tls(tls).build();
    /// # let _ = conn;
    /// ```
    pub fn server_name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.change(|s| s.server_name = Some(name))
    }

    /// Presents a client certificate (mutual TLS): `cert_chain_pem` holds
    /// the certificate, then any intermediates, and `key_pem` its private
    /// key (PKCS#8, PKCS#1 or SEC1).
    ///
    /// # Examples
    /// ```no_run
    /// use hbase_orm::tls::TlsConfig;
    /// let tls = TlsConfig::new()
    ///     .root_certificates_pem(std::fs::read("ca.pem").unwrap())
    ///     .client_auth_pem(
    ///         std::fs::read("client.pem").unwrap(),
    ///         std::fs::read("client.key").unwrap(),
    ///     );
    /// # let _ = tls;
    /// ```
    pub fn client_auth_pem(
        self,
        cert_chain_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        let auth = (cert_chain_pem.into(), key_pem.into());
        self.change(|s| s.client_auth = Some(auth))
    }

    /// The rustls configuration these settings make: PEM parsed, roots
    /// loaded. Done once; clones share the result. Connections call it when
    /// they open their first socket: calling it first checks the settings
    /// early.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for PEM without a certificate or key, a
    /// certificate rustls refuses, a key that does not match, or no root at
    /// all (none given, none found on the system).
    ///
    /// # Examples
    /// ```
    /// let tls = hbase_orm::tls::TlsConfig::new().root_certificates_pem("not PEM");
    /// let err = tls.client_config().unwrap_err();
    /// assert!(err.to_string().contains("no certificate"), "{err}");
    /// ```
    pub fn client_config(&self) -> Result<Arc<ClientConfig>> {
        self.prepared
            .get_or_init(|| self.settings.prepare())
            .clone()
            .map_err(Error::InvalidInput)
    }

    /// The name the server's certificate is checked against, for a
    /// connection to `host`.
    pub(crate) fn server_name_for(&self, host: &str) -> Result<ServerName<'static>> {
        let name = self.settings.server_name.as_deref().unwrap_or(host);
        // An IPv6 host may be written in brackets.
        let bare = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name);
        ServerName::try_from(bare.to_owned()).map_err(|e| {
            Error::InvalidInput(format!(
                "`{name}` cannot be checked against a TLS certificate ({e}): set \
                 TlsConfig::server_name to the name the certificate is issued for"
            ))
        })
    }

    fn change(mut self, f: impl FnOnce(&mut Settings)) -> Self {
        f(Arc::make_mut(&mut self.settings));
        self.prepared = Arc::default();
        self
    }
}

impl From<Arc<ClientConfig>> for TlsConfig {
    /// As [`TlsConfig::from_client_config`].
    fn from(config: Arc<ClientConfig>) -> Self {
        TlsConfig::from_client_config(config)
    }
}

impl Settings {
    fn prepare(&self) -> Result<Arc<ClientConfig>, String> {
        if let Some(ready) = &self.ready {
            return Ok(Arc::clone(ready));
        }
        let mut roots = RootCertStore::empty();
        for (i, root) in self.roots.iter().enumerate() {
            let certs: Vec<CertificateDer<'static>> = match root {
                Root::Pem(pem) => CertificateDer::pem_slice_iter(pem)
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("root certificate PEM #{}: {e}", i + 1))?,
                Root::Der(der) => vec![CertificateDer::from(der.clone())],
            };
            if certs.is_empty() {
                return Err(format!(
                    "root certificate PEM #{} holds no certificate (no `BEGIN CERTIFICATE` block)",
                    i + 1
                ));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| format!("root certificate #{} is refused: {e}", i + 1))?;
            }
        }
        if self.native_roots.unwrap_or(self.roots.is_empty()) {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found
                    .errors
                    .first()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                tracing::warn!("no root certificate found on the system{why}");
            }
        }
        if roots.is_empty() {
            return Err(
                "TLS has no root certificate to check the server's against: add one \
                 with TlsConfig::root_certificates_pem (none was found on the system)"
                    .to_owned(),
            );
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .with_root_certificates(roots);
        let config = match &self.client_auth {
            None => builder.with_no_client_auth(),
            Some((chain_pem, key_pem)) => {
                let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem)
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("client certificate PEM: {e}"))?;
                if chain.is_empty() {
                    return Err("client certificate PEM holds no certificate \
                                (no `BEGIN CERTIFICATE` block)"
                        .to_owned());
                }
                let key = PrivateKeyDer::from_pem_slice(key_pem)
                    .map_err(|e| format!("client key PEM: {e}"))?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| format!("client certificate and key are refused: {e}"))?
            }
        };
        Ok(Arc::new(config))
    }
}

/// The error for a failed handshake with `addr`, saying why in words and
/// what to change.
pub(crate) fn handshake_error(addr: &str, e: io::Error) -> Error {
    let hint = match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(cert)) => {
            use rustls::CertificateError as C;
            match cert {
                C::UnknownIssuer | C::BadSignature => {
                    "; the server's certificate is not signed by a trusted root: add its CA \
                     with TlsConfig::root_certificates_pem"
                }
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    "; the server's certificate is not issued for the name connected to: set \
                     TlsConfig::server_name to a name it is issued for"
                }
                C::Expired | C::ExpiredContext { .. } => "; the server's certificate has expired",
                C::NotValidYet | C::NotValidYetContext { .. } => {
                    "; the server's certificate is not valid yet (check the clocks)"
                }
                _ => "; the server's certificate was refused",
            }
        }
        Some(rustls::Error::AlertReceived(alert)) => match alert {
            rustls::AlertDescription::CertificateRequired
            | rustls::AlertDescription::HandshakeFailure
            | rustls::AlertDescription::BadCertificate
            | rustls::AlertDescription::UnknownCA => {
                "; the server refused the handshake: it may require a client certificate \
                 (TlsConfig::client_auth_pem) or not trust the one given"
            }
            _ => "; the server refused the handshake",
        },
        Some(rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. }) => {
            "; the server answered with bytes that are not TLS: it probably does not speak TLS \
             on this port (drop .tls() for a plain gateway)"
        }
        Some(_) => "",
        None => match e.kind() {
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => {
                "; the server closed the connection during the handshake: it probably does not \
                 speak TLS on this port (drop .tls() for a plain gateway)"
            }
            _ => "",
        },
    };
    Error::Transport {
        addr: addr.to_owned(),
        source: io::Error::new(
            e.kind(),
            format!("TLS handshake with {addr} failed: {e}{hint}"),
        )
        .into(),
    }
}

/// The hint of the timeout of a handshake that did not complete.
pub(crate) const HANDSHAKE_TIMEOUT_HINT: &str = "the TLS handshake did not complete: the server \
     may not speak TLS on this port (a plain gateway waits for a request)";

#[cfg(test)]
mod tests {
    use super::*;

    fn self_signed() -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn roots_and_client_auth_from_pem() {
        let (cert, key) = self_signed();
        let tls = TlsConfig::new()
            .root_certificates_pem(cert.clone())
            .client_auth_pem(cert.clone(), key);
        let config = tls.client_config().unwrap();
        assert!(config.client_auth_cert_resolver.has_certs());
        // Clones share the prepared configuration.
        assert!(Arc::ptr_eq(&config, &tls.clone().client_config().unwrap()));
        // A change prepares again.
        let changed = tls.server_name("other");
        assert!(!Arc::ptr_eq(&config, &changed.client_config().unwrap()));
    }

    #[test]
    fn bad_pem_is_invalid_input() {
        let (cert, key) = self_signed();
        let err = TlsConfig::new()
            .root_certificates_pem("nothing here")
            .client_config()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert!(err.to_string().contains("no certificate"), "{err}");

        let err = TlsConfig::new()
            .root_certificate_der(b"\x30\x03\x02\x01\x00".to_vec())
            .client_config()
            .unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");

        let err = TlsConfig::new()
            .root_certificates_pem(cert.clone())
            .client_auth_pem(cert.clone(), "no key")
            .client_config()
            .unwrap_err();
        assert!(err.to_string().contains("client key PEM"), "{err}");

        // A key that is not the certificate's.
        let (_, other_key) = self_signed();
        let err = TlsConfig::new()
            .root_certificates_pem(cert.clone())
            .client_auth_pem(cert, other_key)
            .client_config()
            .unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");
        let _ = key;
    }

    #[test]
    fn server_names() {
        let tls = TlsConfig::new();
        assert!(matches!(
            tls.server_name_for("localhost").unwrap(),
            ServerName::DnsName(_)
        ));
        assert!(matches!(
            tls.server_name_for("127.0.0.1").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(matches!(
            tls.server_name_for("[::1]").unwrap(),
            ServerName::IpAddress(_)
        ));
        assert!(tls.server_name_for("not a name!").is_err());
        let named = tls.server_name("gw.internal");
        assert_eq!(
            named.server_name_for("10.0.0.1").unwrap().to_str(),
            "gw.internal"
        );
    }

    #[test]
    fn handshake_errors_say_why() {
        let eof = io::Error::new(io::ErrorKind::UnexpectedEof, "tls handshake eof");
        let err = handshake_error("h:1", eof).to_string();
        assert!(err.contains("TLS handshake with h:1 failed"), "{err}");
        assert!(err.contains("does not speak TLS"), "{err}");

        let cert = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let err = handshake_error("h:1", cert);
        assert!(matches!(&err, Error::Transport { addr, .. } if addr == "h:1"));
        let err = err.to_string();
        assert!(err.contains("UnknownIssuer"), "{err}");
        assert!(err.contains("root_certificates_pem"), "{err}");
    }
}
