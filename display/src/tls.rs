//! TLS for `wss://`: the lobby PC reaches the feed through the same TLS proxy as the public
//! page, so nothing on the office LAN needs the server's plain-HTTP port (where the staff API
//! also lives). Certificates are checked against the system's trusted roots, plus the city's own
//! certificate authority when `--ca` names one (an internal proxy often has such a certificate).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Why the TLS client could not be set up; the display refuses to start, since it would never
/// connect.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// `--ca` could not be read or holds no PEM certificate.
    #[error("--ca {path}: {why}")]
    CaFile {
        /// The file given.
        path: PathBuf,
        /// What was wrong with it.
        why: String,
    },
    /// A certificate in `--ca` is not one rustls accepts as a root.
    #[error("--ca {path}: not a usable root certificate: {why}")]
    BadRoot {
        /// The file given.
        path: PathBuf,
        /// The parser's words.
        why: rustls::Error,
    },
    /// Neither the system nor `--ca` gave a single trusted root.
    #[error("no trusted root certificates: install the system's ca-certificates or give --ca")]
    NoRoots,
    /// The crypto provider refused the protocol versions (does not happen with ring).
    #[error("TLS set-up: {0}")]
    Provider(rustls::Error),
}

/// The client configuration for `wss://`: the system's roots and, with `extra_ca`, the
/// certificates in that PEM file. Built once at start.
pub fn client_config(extra_ca: Option<&Path>) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    let system = rustls_native_certs::load_native_certs();
    for error in &system.errors {
        tracing::warn!(%error, "a system root certificate could not be read");
    }
    let (added, ignored) = roots.add_parsable_certificates(system.certs);
    tracing::info!(added, ignored, "system root certificates");
    if let Some(path) = extra_ca {
        for certificate in read_pem_certificates(path)? {
            roots
                .add(certificate)
                .map_err(|why| TlsSetupError::BadRoot {
                    path: path.to_owned(),
                    why,
                })?;
        }
    }
    if roots.is_empty() {
        return Err(TlsSetupError::NoRoots);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsSetupError::Provider)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Every certificate in a PEM file; an empty or unreadable file is an error, since a `--ca`
/// that adds nothing would only show up later as a refused connection.
fn read_pem_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let ca_file = |why: String| TlsSetupError::CaFile {
        path: path.to_owned(),
        why,
    };
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|error| ca_file(error.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| ca_file(error.to_string()))?;
    if certificates.is_empty() {
        return Err(ca_file("no PEM certificate in the file".to_owned()));
    }
    Ok(certificates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::{self, ConnectProblem, FeedEvent};
    use crate::test_support::{self, next_event as next};
    use futures_util::SinkExt;
    use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use std::time::Duration;
    use tokio::sync::mpsc;
    use tokio_tungstenite::tungstenite;

    /// A scratch directory removed at the end of the test.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("lobby-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A TLS WebSocket server for `localhost` with a certificate of its own (the city's CA, in
    /// effect): every connection gets one snapshot, then stays open. Returns its port and the
    /// certificate's PEM.
    async fn tls_feed_server() -> (u16, String) {
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a cert");
        let key =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .expect("server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let port = listener.local_addr().expect("addr").port();
        let snapshot = serde_json::to_string(&test_support::snapshot_message(
            9,
            "2026-12-01T10:00:00+09:00",
            test_support::open_office(),
        ))
        .expect("serializes");
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let snapshot = snapshot.clone();
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake here.
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
                        return;
                    };
                    let _ = socket.send(tungstenite::Message::text(snapshot)).await;
                    tokio::time::sleep(Duration::from_secs(30)).await;
                });
            }
        });
        (port, certified.cert.pem())
    }

    /// The feed of the server on `port` over wss://, trusting only the CA in `ca_pem`: its
    /// events, and the task to stop at the end.
    fn wss_feed(
        scratch: &Scratch,
        port: u16,
        ca_pem: String,
    ) -> (mpsc::Receiver<FeedEvent>, tokio::task::JoinHandle<()>) {
        let ca = scratch.0.join("ca.pem");
        std::fs::write(&ca, ca_pem).expect("writes");
        let config = client_config(Some(&ca)).expect("a config with that CA");
        let url = format!("wss://localhost:{port}/api/v1/offices/main/live");
        let (sender, events) = mpsc::channel(16);
        let task = tokio::spawn(feed::run(vec![url], "main".into(), Some(config), sender));
        (events, task)
    }

    #[tokio::test]
    async fn the_feed_over_wss_is_read_when_the_proxy_certificate_is_trusted_with_ca() {
        let scratch = Scratch::new("wss-ok");
        let (port, ca_pem) = tls_feed_server().await;
        let (mut events, task) = wss_feed(&scratch, port, ca_pem);
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Connecting {
                attempt: 0,
                server: 0
            }
        );
        assert_eq!(next(&mut events).await, FeedEvent::Connected);
        assert!(matches!(next(&mut events).await, FeedEvent::Message(m) if m.seq == 9));
        task.abort();
    }

    #[tokio::test]
    async fn a_proxy_certificate_from_an_unknown_authority_is_refused_and_said_on_screen() {
        let scratch = Scratch::new("wss-refused");
        let (port, _their_ca) = tls_feed_server().await;
        let other =
            rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("another cert");
        let (mut events, task) = wss_feed(&scratch, port, other.cert.pem());
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Connecting {
                attempt: 0,
                server: 0
            }
        );
        assert_eq!(
            next(&mut events).await,
            FeedEvent::Problem(ConnectProblem::Certificate {
                server: format!("localhost:{port}")
            })
        );
        assert!(matches!(
            next(&mut events).await,
            FeedEvent::Disconnected { .. }
        ));
        task.abort();
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused_at_start() {
        let scratch = Scratch::new("ca-empty");
        let empty = scratch.0.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("writes");
        let error = client_config(Some(&empty)).expect_err("nothing to trust");
        assert!(matches!(error, TlsSetupError::CaFile { .. }), "{error}");
        let missing = scratch.0.join("missing.pem");
        assert!(matches!(
            client_config(Some(&missing)),
            Err(TlsSetupError::CaFile { .. })
        ));
    }
}
