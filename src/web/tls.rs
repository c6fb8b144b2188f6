//! HTTPS for the console when it is served without a proxy in front (`[web]
//! tls_cert_file`/`tls_key_file`): rustls with the ring provider, as IMAP and SMTP use.
//!
//! Connections are accepted on one task and each handshake runs on its own, so a client
//! that stalls mid-handshake holds up no one; finished handshakes reach axum through a
//! channel, as if from a plain listener.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use super::WebError;

/// A handshake not finished in this time is dropped.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// The acceptor for the certificate chain and key in these PEM files.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, WebError> {
    let problem = |what: &'static str, path: &Path, detail: String| WebError::Tls {
        what,
        path: path.display().to_string(),
        detail,
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|err| problem("tls_cert_file", cert, err.to_string()))?;
    if chain.is_empty() {
        return Err(problem(
            "tls_cert_file",
            cert,
            "no certificate in it".to_string(),
        ));
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|err| problem("tls_key_file", key, err.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| problem("tls_cert_file", cert, err.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|err| problem("tls_key_file", key, err.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Finished TLS connections, for `axum::serve`.
pub struct Listener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl Listener {
    /// Starts accepting on `tcp` (on the current Tokio runtime).
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor, local: SocketAddr) -> Listener {
        let (sender, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: wait, then go on.
                        tracing::warn!(error = %err, "console: cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                if sender.is_closed() {
                    break;
                }
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_LIMIT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((tls, peer)).await;
                        }
                        Ok(Err(err)) => {
                            tracing::debug!(peer = %peer, error = %err, "console: TLS handshake failed");
                        }
                        Err(_) => {
                            tracing::debug!(peer = %peer, "console: TLS handshake took too long");
                        }
                    }
                });
            }
        });
        Listener { ready, local }
    }
}

impl axum::serve::Listener for Listener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accepting task has ended: nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
