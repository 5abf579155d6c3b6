//! `GET /api/v1/offices/{office}/status`: the latest snapshot, from bytes serialized once per
//! change, with an ETag (`If-None-Match` → 304). No database, no serialization per request.
//! `HEAD` answers the same headers, `Content-Length` included, and no body.
//!
//! This is the route a crowd of phones polls, so it is answered on two paths that send the
//! same headers from one [`StatusAnswer`]: a plain HTTP/1.1 request for it is read and
//! answered by [`crate::connections`] before hyper sees the connection (hyper's parsing,
//! header maps and routing were most of a status request's cost in user space), and any other
//! request for it (HTTP/1.0, a body, an upgrade, an unknown office, another method) reaches
//! the handlers here through the router, outside the layers of the other routes (see
//! [`super::status_route`]). Both set the security headers themselves.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::{ApiError, ApiResult};
use crate::office::Published;

/// Phones may reuse an answer for two seconds without asking again.
const CACHE_CONTROL: &str = "public, max-age=2";

/// The answer to one status request: the published state it shows, and how much of it.
#[derive(Debug)]
pub struct StatusAnswer {
    published: Arc<Published>,
    /// The client already holds this state (its `If-None-Match` is the ETag): 304, no body.
    not_modified: bool,
    /// A `HEAD`: the headers of the answer, no body.
    head_only: bool,
}

impl StatusAnswer {
    /// The answer to a `GET` (or, with `head_only`, a `HEAD`) of `published`, given the
    /// request's first `If-None-Match` value. The ETag is compared whole, as it is sent.
    pub fn new(published: Arc<Published>, head_only: bool, if_none_match: Option<&[u8]>) -> Self {
        let not_modified = if_none_match == Some(published.etag.as_bytes());
        Self {
            published,
            not_modified,
            head_only,
        }
    }

    /// Calls `header` with each header of the answer, in the order both paths send them.
    fn each_header(&self, mut header: impl FnMut(&HeaderName, &[u8])) {
        if !self.not_modified {
            header(&header::CONTENT_TYPE, b"application/json");
        }
        header(&header::ETAG, self.published.etag.as_bytes());
        header(&header::CACHE_CONTROL, CACHE_CONTROL.as_bytes());
        if !self.not_modified {
            // Set here also for `HEAD`, whose body (which would tell it) is not sent.
            let length = self.published.json().len().to_string();
            header(&header::CONTENT_LENGTH, length.as_bytes());
        }
        for (name, value) in super::security::HEADERS {
            header(&name, value.as_bytes());
        }
    }

    /// The body to send: the snapshot, or nothing for a 304 or a `HEAD`.
    fn body(&self) -> &[u8] {
        if self.not_modified || self.head_only {
            &[]
        } else {
            self.published.json()
        }
    }

    /// The whole HTTP/1.1 answer as hyper would write it (status line, headers, `Date`, the
    /// body), appended to `out`. With `close`, it says the connection ends after it.
    pub fn write_http1(&self, close: bool, out: &mut Vec<u8>) {
        out.extend_from_slice(if self.not_modified {
            b"HTTP/1.1 304 Not Modified\r\n"
        } else {
            b"HTTP/1.1 200 OK\r\n"
        });
        let mut line = |name: &HeaderName, value: &[u8]| {
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        };
        self.each_header(&mut line);
        if close {
            line(&header::CONNECTION, b"close");
        }
        with_http_date(|date| line(&header::DATE, date));
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(self.body());
    }

    /// The answer for hyper to write (which adds `Date` and, for `HEAD`, drops the body).
    fn into_response(self) -> ApiResult<Response> {
        let mut headers = Vec::new();
        let mut invalid = None;
        self.each_header(|name, value| match HeaderValue::from_bytes(value) {
            Ok(value) => headers.push((name.clone(), value)),
            Err(error) => invalid = Some(error),
        });
        if let Some(error) = invalid {
            return Err(ApiError::internal(&error));
        }
        let mut response = if self.not_modified {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            response
        } else {
            Response::new(Body::from(self.published.json().clone()))
        };
        response.headers_mut().extend(headers);
        Ok(response)
    }
}

/// The `Date` header's value for the current second, formatted once a second per thread (as
/// hyper does for its own answers).
fn with_http_date(write: impl FnOnce(&[u8])) {
    thread_local! {
        static DATE: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
    }
    let now = SystemTime::now();
    let second = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    DATE.with_borrow_mut(|(cached, text)| {
        if *cached != second {
            *cached = second;
            *text = httpdate::fmt_http_date(now);
        }
        write(text.as_bytes());
    });
}

/// The route, as the router knows it; [`plain_request`] recognizes the same paths.
pub(super) const ROUTE: &str = "/api/v1/offices/{office}/status";

/// The answer to a request the connection read itself, if it is a plain HTTP/1.1 `GET` or
/// `HEAD` of a known office's status: no body, no upgrade, no `Expect`. With it, whether the
/// client asked to close the connection after it. `None` leaves the request to hyper and the
/// router, which answer it as they answer any other (errors included).
pub fn plain_request(
    state: &AppState,
    request: &httparse::Request<'_, '_>,
) -> Option<(StatusAnswer, bool)> {
    if request.version != Some(1) {
        return None;
    }
    let head_only = match request.method? {
        "GET" => false,
        "HEAD" => true,
        _ => return None,
    };
    let path = request.path?;
    let path = path.split_once('?').map_or(path, |(path, _query)| path);
    let (before, after) = ROUTE.split_once("{office}")?;
    let office = path
        .strip_prefix(before)?
        .strip_suffix(after)
        // Percent-encoded or nested ids are the router's to decode or refuse.
        .filter(|office| !office.contains(['/', '%']))?;
    let handle = state.offices.get(office)?;
    let mut if_none_match = None;
    let mut close = false;
    for header in request.headers.iter() {
        let name = header.name;
        if name.eq_ignore_ascii_case("if-none-match") {
            if_none_match = if_none_match.or(Some(header.value));
        } else if name.eq_ignore_ascii_case("connection") {
            for token in header.value.split(|byte| *byte == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if !token.eq_ignore_ascii_case(b"keep-alive") {
                    return None;
                }
            }
        } else if ["content-length", "transfer-encoding", "upgrade", "expect"]
            .iter()
            .any(|other| name.eq_ignore_ascii_case(other))
        {
            return None;
        }
    }
    Some((
        StatusAnswer::new(handle.latest(), head_only, if_none_match),
        close,
    ))
}

/// The status of office `office` for the handler path (see the module's note); 404 for an
/// office that does not exist.
pub async fn office_status(
    State(state): State<AppState>,
    Path(office): Path<String>,
    request: Request,
) -> Response {
    let answer = state.office(&office).map(|handle| {
        let if_none_match = request
            .headers()
            .get(header::IF_NONE_MATCH)
            .map(HeaderValue::as_bytes);
        let head_only = request.method() == axum::http::Method::HEAD;
        StatusAnswer::new(handle.latest(), head_only, if_none_match)
    });
    let mut response = answer
        .and_then(StatusAnswer::into_response)
        .unwrap_or_else(IntoResponse::into_response);
    super::security::add_headers(&mut response);
    response
}

/// Any other method on the status route: 405 with the JSON envelope and the security headers,
/// as the layered routes answer it.
pub async fn status_other_methods() -> Response {
    let mut response = ApiError::from_status(StatusCode::METHOD_NOT_ALLOWED).into_response();
    super::security::add_headers(&mut response);
    response
}
