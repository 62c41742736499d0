//! The TLS side of the listener (feature `tls`): the server's certificate
//! and key, turned into an acceptor when the emulator starts.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The certificate chain and private key the server presents, as PEM.
#[derive(Clone)]
pub(crate) struct Identity {
    pub(crate) cert_chain_pem: Vec<u8>,
    pub(crate) key_pem: Vec<u8>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key stays out of logs.
        f.debug_struct("Identity")
            .field("cert_chain_pem", &self.cert_chain_pem.len())
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The acceptor presenting this identity, with rustls on the ring
    /// provider.
    ///
    /// # Errors
    /// `InvalidInput` naming what is wrong with the PEM or the key.
    pub(crate) fn acceptor(&self) -> io::Result<TlsAcceptor> {
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(&self.cert_chain_pem)
                .collect::<Result<_, _>>()
                .map_err(|e| invalid(format!("TLS certificate PEM: {e}")))?;
        if chain.is_empty() {
            return Err(invalid(
                "TLS certificate PEM holds no certificate (no `BEGIN CERTIFICATE` block)"
                    .to_owned(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(&self.key_pem)
            .map_err(|e| invalid(format!("TLS key PEM: {e}")))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid(format!("TLS setup: {e}")))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| invalid(format!("TLS certificate and key are refused: {e}")))?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// A TLS connection whose TCP end without a TLS `close_notify` reads as the
/// end of the stream, as on plain TCP: many clients close that way, and a
/// message cut short is still reported by the connection.
pub(crate) struct Stream(pub(crate) TlsStream<TcpStream>);

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.get_mut().0).poll_read(cx, buf) {
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Poll::Ready(Ok(())),
            other => other,
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

/// What a failed handshake likely means, for the log line.
pub(crate) fn hint(e: &io::Error) -> &'static str {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. }) => {
            " (the client does not speak TLS)"
        }
        Some(rustls::Error::AlertReceived(_)) => " (the client refused the server's certificate)",
        _ if e.kind() == io::ErrorKind::UnexpectedEof => {
            " (the client closed the connection during the handshake)"
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pem_is_refused_with_a_reason() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let good = Identity {
            cert_chain_pem: cert.pem().into_bytes(),
            key_pem: key.serialize_pem().into_bytes(),
        };
        assert!(good.acceptor().is_ok());
        assert!(!format!("{good:?}").contains("PRIVATE"));

        let no_cert = Identity {
            cert_chain_pem: b"nothing".to_vec(),
            ..good.clone()
        };
        let err = no_cert.acceptor().err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("no certificate"), "{err}");

        let no_key = Identity {
            key_pem: b"nothing".to_vec(),
            ..good.clone()
        };
        let err = no_key.acceptor().err().unwrap();
        assert!(err.to_string().contains("TLS key PEM"), "{err}");

        let other = rcgen::KeyPair::generate().unwrap();
        let wrong_key = Identity {
            key_pem: other.serialize_pem().into_bytes(),
            ..good
        };
        let err = wrong_key.acceptor().err().unwrap();
        assert!(err.to_string().contains("refused"), "{err}");
    }
}
