//! Refused staff requests (401 and 403): each is logged with the peer's address, never the
//! token, and they are limited per peer address. Only refusals count and only refusals are
//! limited: a peer trying tokens gets 429 `too_many_requests` once it is over the limit, while a
//! good token from the same address still works, and the status JSON, the live feed and every
//! successful request are never limited (they never refuse).
//!
//! A layer that limits every request (tower_governor's, on the ticket pages) cannot count only
//! failures, so this layer looks at the reply and checks the peer's bucket of a keyed `governor`
//! limiter (the crate under tower_governor) only when the reply is a refusal. A refusal has no
//! effect (the handler refused before doing anything), so answering 429 in its place is safe.
//!
//! The key is the TCP peer. Behind nginx every client is the proxy's address: then refusals of
//! all clients share one bucket; staff with good tokens are still never refused. The
//! `X-Forwarded-For` header is logged for the operator, never trusted as a key.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::ApiError;
use crate::protocol::ErrorCode;

/// Refusals a peer may collect at once before it is limited: a console left open with a
/// revoked token, a few clerks mistyping, a test walking every route twice.
const BURST: NonZeroU32 = nonzero(50);
/// Refusals a peer may collect per minute once its burst is spent: one a second, far too few
/// to matter for guessing 256-bit tokens, enough to keep the log and the store quiet.
const PER_MINUTE: NonZeroU32 = nonzero(60);
/// Peers remembered before the idle ones are forgotten, so the table cannot grow without end.
const REMEMBERED_PEERS: usize = 10_000;

const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

/// The per-peer budget of refusals, shared by every request of one server.
#[derive(Clone, Debug)]
pub struct RefusalLimiter(Arc<DefaultKeyedRateLimiter<IpAddr>>);

impl Default for RefusalLimiter {
    fn default() -> Self {
        Self(Arc::new(RateLimiter::keyed(
            Quota::per_minute(PER_MINUTE).allow_burst(BURST),
        )))
    }
}

impl RefusalLimiter {
    /// Counts one refusal of `peer`; `Err` with the seconds to wait when it is over the limit.
    fn count(&self, peer: IpAddr) -> Result<(), u64> {
        let checked = self.0.check_key(&peer);
        if self.0.len() > REMEMBERED_PEERS {
            self.0.retain_recent();
        }
        checked.map_err(|not_until| {
            let wait = not_until.wait_time_from(self.0.clock().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// The layer: passes every request on, and logs and counts the ones refused with 401 or 403,
/// answering 429 in their place once the peer is over its limit.
pub async fn limit_refusals(
    State(limiter): State<RefusalLimiter>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address);
    let method = request.method().clone();
    let uri = request.uri().clone();
    let forwarded_for = request.headers().get("x-forwarded-for").cloned();
    let response = next.run(request).await;
    let status = response.status();
    if status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN {
        return response;
    }
    let code = response
        .extensions()
        .get::<ErrorCode>()
        .map_or("", |code| code.as_str());
    let peer_text = peer.map_or_else(|| "unknown".to_string(), |peer| peer.to_string());
    let forwarded_for = forwarded_for
        .as_ref()
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let key = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |peer| peer.ip());
    match limiter.count(key) {
        Ok(()) => {
            tracing::warn!(
                peer = %peer_text,
                forwarded_for,
                %method,
                path = uri.path(),
                status = status.as_u16(),
                code,
                "refused a staff request"
            );
            response
        }
        Err(wait_seconds) => {
            // Over the limit: one line per refusal would let the peer fill the log.
            tracing::debug!(
                peer = %peer_text,
                %method,
                path = uri.path(),
                code,
                "refusal over the per-peer limit: 429"
            );
            too_many_refusals(wait_seconds)
        }
    }
}

/// 429 `too_many_requests` with `Retry-After`.
fn too_many_refusals(wait_seconds: u64) -> Response {
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooManyRequests,
        "認証に失敗したリクエストが多すぎます。しばらく待ってから、正しいトークンでお試しください。",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait_seconds.max(1)));
    response
}
