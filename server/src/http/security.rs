//! Browser-facing safety of the whole server: a strict set of response headers on every reply,
//! and the refusal of state-changing requests sent by pages of another origin.
//!
//! The staff token travels only in the `Authorization` header, so a form or script on another
//! site cannot act with it: browsers never attach it on their own. The `Origin` check is a
//! second wall for the day a token leaks into some other page's script; requests without an
//! `Origin` (the CLI, scripts, curl) are judged on their token alone.

use crate::protocol::ErrorCode;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;

use super::error::ApiError;

/// The pages load only their own script, style and feed; nothing inline, nothing from a CDN,
/// no framing (clickjacking on the staff console), no plug-ins, forms only back to us.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The headers every response carries.
pub(super) const HEADERS: [(HeaderName, &str); 4] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// Adds the security headers to every response (unless a handler set its own) and refuses
/// cross-origin state changes. Applied once, around the whole router.
pub fn protect<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    HEADERS.into_iter().fold(
        router.layer(middleware::from_fn(reject_cross_origin)),
        |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::if_not_present(
                name,
                HeaderValue::from_static(value),
            ))
        },
    )
}

/// Puts the security headers on one response, for a route kept out of [`protect`]'s layers.
pub fn add_headers(response: &mut Response) {
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// 403 `cross_origin` for a POST/PUT/PATCH/DELETE whose `Origin` is present and is not this
/// server's own (the request's `Host`).
async fn reject_cross_origin(request: Request, next: Next) -> Response {
    if changes_state(request.method()) && !same_origin_or_none(request.headers()) {
        tracing::warn!(
            origin = ?request.headers().get(header::ORIGIN),
            path = %request.uri().path(),
            "refused a cross-origin request"
        );
        return ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::CrossOrigin,
            "別のサイトから送られた操作は受け付けられません。職員用画面から操作してください。",
        )
        .into_response();
    }
    next.run(request).await
}

fn changes_state(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// True without an `Origin`, or when its host and port are the request's `Host` (the scheme is
/// not compared: behind a TLS-terminating proxy the browser says https, the server sees http).
/// `Origin: null` (sandboxed frames, file pages) is never our own origin.
fn same_origin_or_none(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_authority = origin
        .to_str()
        .ok()
        .and_then(|text| text.parse::<Uri>().ok())
        .and_then(|uri| uri.authority().map(|a| a.as_str().to_ascii_lowercase()));
    match (origin_authority, host) {
        (Some(origin), Some(host)) => origin == host.trim().to_ascii_lowercase(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        }
        if let Some(host) = host {
            headers.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        }
        headers
    }

    #[test]
    fn requests_without_an_origin_are_judged_on_their_token_alone() {
        assert!(same_origin_or_none(&headers(None, Some("127.0.0.1:8080"))));
        assert!(same_origin_or_none(&headers(None, None)));
    }

    #[test]
    fn an_origin_matching_the_host_is_our_own() {
        let own = headers(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080"));
        assert!(same_origin_or_none(&own));
        let behind_tls = headers(Some("https://Queue.Example.jp"), Some("queue.example.jp"));
        assert!(same_origin_or_none(&behind_tls));
    }

    #[test]
    fn another_site_another_port_or_a_null_origin_is_refused() {
        for origin in [
            "http://evil.example",
            "http://127.0.0.1:9999",
            "null",
            "http://127.0.0.1:8080.evil.example",
        ] {
            let request = headers(Some(origin), Some("127.0.0.1:8080"));
            assert!(!same_origin_or_none(&request), "{origin} was let through");
        }
        assert!(!same_origin_or_none(&headers(
            Some("http://127.0.0.1:8080"),
            None
        )));
    }

    #[test]
    fn only_state_changing_methods_are_checked() {
        assert!(changes_state(&Method::POST));
        assert!(changes_state(&Method::DELETE));
        assert!(!changes_state(&Method::GET));
        assert!(!changes_state(&Method::HEAD));
        assert!(!changes_state(&Method::OPTIONS));
    }
}
