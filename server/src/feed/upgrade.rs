//! The WebSocket handshake of the feed, answered here rather than by axum's `WebSocketUpgrade`,
//! because the feed needs the connection itself: its fan-out writes frames straight to the
//! socket ([`super::link`]). The checks and the refusals are those of RFC 6455 (and of axum's
//! extractor): `GET`, `Connection: upgrade`, `Upgrade: websocket`, version 13, a key.

use axum::extract::FromRequestParts;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use tokio_util::task::TaskTracker;

use crate::connections::ReadAhead;

/// A request to open the feed, checked; [`FeedUpgrade::answer`] accepts it. A refusal is the
/// bare status (the API's middleware gives it the JSON envelope).
#[derive(Debug)]
pub struct FeedUpgrade {
    on_upgrade: OnUpgrade,
    accept: HeaderValue,
}

/// The connection once the handshake is answered: the socket, and any bytes the viewer sent
/// after its request that were already read.
pub struct Upgraded {
    /// The viewer's TCP connection.
    pub stream: tokio::net::TcpStream,
    /// Bytes read past the request (a first frame sent without waiting).
    pub read_ahead: Vec<u8>,
}

impl<S: Send + Sync> FromRequestParts<S> for FeedUpgrade {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, StatusCode> {
        if parts.method != Method::GET {
            return Err(StatusCode::METHOD_NOT_ALLOWED);
        }
        let bad = || StatusCode::BAD_REQUEST;
        let headers = &parts.headers;
        if !has_token(headers, header::CONNECTION, "upgrade")
            || !has_token(headers, header::UPGRADE, "websocket")
            || headers.get(header::SEC_WEBSOCKET_VERSION) != Some(&HeaderValue::from_static("13"))
        {
            return Err(bad());
        }
        let key = headers.get(header::SEC_WEBSOCKET_KEY).ok_or_else(bad)?;
        let accept =
            HeaderValue::from_str(&derive_accept_key(key.as_bytes())).map_err(|_| bad())?;
        let on_upgrade = parts
            .extensions
            .remove::<OnUpgrade>()
            .ok_or(StatusCode::UPGRADE_REQUIRED)?;
        Ok(Self { on_upgrade, accept })
    }
}

impl FeedUpgrade {
    /// Answers 101 and runs `serve` on `tasks` with the connection once hyper hands it over.
    pub fn answer<F, Fut>(self, tasks: &TaskTracker, serve: F) -> Response
    where
        F: FnOnce(Upgraded) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Self { on_upgrade, accept } = self;
        tasks.spawn(async move {
            let upgraded = match on_upgrade.await {
                Ok(upgraded) => upgraded,
                Err(error) => {
                    tracing::debug!(%error, "a viewer left during the handshake");
                    return;
                }
            };
            // Every connection is served by `crate::connections` on a TCP stream, after any
            // bytes it read itself.
            match upgraded.downcast::<TokioIo<ReadAhead>>() {
                Ok(parts) => {
                    let ReadAhead { read, stream } = parts.io.into_inner();
                    // What hyper read and did not parse came first, what it left unread after.
                    let mut read_ahead = parts.read_buf.to_vec();
                    read_ahead.extend_from_slice(&read);
                    // hyper's read buffer and the status path's, kept alive by these views
                    // of them: an idle viewer must hold neither.
                    drop(parts.read_buf);
                    drop(read);
                    serve(Upgraded { stream, read_ahead }).await
                }
                Err(_) => tracing::error!("the feed's connection is not a TCP stream"),
            }
        });
        let mut response = Response::new(axum::body::Body::empty());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
        response
    }
}

/// Whether the comma-separated header `name` holds `token` (case-insensitively).
fn has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|value| {
        value.to_str().is_ok_and(|value| {
            value
                .split(',')
                .any(|part| part.trim().eq_ignore_ascii_case(token))
        })
    })
}
