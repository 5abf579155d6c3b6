//! Accepting connections and serving HTTP/1.1 on each, with the limits `axum::serve` lacks: a
//! request head must arrive within the header-read timeout, which also bounds how long a
//! keep-alive connection may sit idle waiting for its next request (hyper starts that timer
//! whenever it waits for a head). So neither a slow-loris client nor a forgotten keep-alive
//! connection holds a descriptor for long. WebSocket upgrades leave hyper once the handshake
//! is answered; the feed bounds them itself (pings, send deadlines).
//!
//! On the public address, the status requests a connection opens with are answered before
//! hyper ([`status_requests`]); the connection goes to hyper at its first other request.
//!
//! Each request carries the peer's address (`ConnectInfo`), which the rate limits key on.
//! On shutdown the listener closes, idle connections end at once, and requests in flight
//! finish before [`serve`] returns.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::task::TaskTracker;
use tower_http::add_extension::AddExtension;

use crate::http::AppState;

mod read_ahead;
mod status_requests;

pub use read_ahead::ReadAhead;

/// How long to wait before accepting again when `accept()` fails for lack of resources (no
/// descriptor left): the error repeats at once otherwise, and the loop would spin.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// Serves `router` on every connection `listener` accepts until `shutdown` turns true (or its
/// sender is gone); then stops accepting and waits for the connections' requests in flight.
/// With `status`, the status requests a connection opens with are answered from its offices'
/// published bytes before the connection reaches `router`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    status: Option<AppState>,
    header_read_timeout: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let connections = TaskTracker::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    wait_after_accept_error(&error).await;
                    continue;
                }
            },
            () = stopped(&mut shutdown) => break,
        };
        // Each frame and reply is written whole: nothing is gained by waiting to coalesce,
        // and a viewer's frame must not wait for the previous one's acknowledgement.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "cannot set TCP_NODELAY");
        }
        let router = router.clone();
        let status = status.clone();
        let builder = builder.clone();
        let mut shutdown = shutdown.clone();
        connections.spawn(async move {
            let stream = match &status {
                Some(state) => {
                    status_requests::answer(stream, state, header_read_timeout, &mut shutdown).await
                }
                None => Some(ReadAhead {
                    read: bytes::Bytes::new(),
                    stream,
                }),
            };
            let Some(stream) = stream else { return };
            let service = TowerToHyperService::new(AddExtension::new(router, ConnectInfo(peer)));
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let mut connection = std::pin::pin!(connection);
            let served = tokio::select! {
                served = connection.as_mut() => served,
                () = stopped(&mut shutdown) => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = served {
                log_connection_error(peer, &error);
            }
        });
    }
    drop(listener);
    connections.close();
    connections.wait().await;
}

/// Completes when the server stops (or nothing can tell it to any more).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Connection-specific errors (the peer gave up during the handshake) are routine; any other
/// (no descriptor left, no memory) is logged and the loop pauses before trying again.
async fn wait_after_accept_error(error: &std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection (out of descriptors? see --max-viewers)");
    tokio::time::sleep(ACCEPT_RETRY).await;
}

/// A timed-out head is worth a debug line (slow clients are common on phones); the rest is
/// the peer going away, at trace.
fn log_connection_error(peer: SocketAddr, error: &hyper::Error) {
    if error.is_timeout() {
        tracing::debug!(%peer, "closed a connection whose request head did not arrive in time");
    } else {
        tracing::trace!(%peer, %error, "connection ended with an error");
    }
}
