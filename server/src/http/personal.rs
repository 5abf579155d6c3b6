//! The visitor's own ticket, reached by the unguessable id in the QR code on the printed ticket:
//! `GET /api/v1/tickets/{public_id}` (JSON), `GET /t/{public_id}` (the phone page) and
//! `GET /t/{public_id}/qr.svg` (the code itself, for the printed ticket). Public and read-only;
//! nothing personal is stored or shown. An id that never existed and one of an earlier day get
//! the same 404, found the same way (a constant-time scan of today's tickets), and these routes
//! are rate-limited per address so ids cannot be tried quickly.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use qrcode::QrCode;
use qrcode::render::svg;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;

use super::AppState;
use super::error::ApiError;
use super::pages;
use crate::domain::Ticket;
use crate::office::Published;
use crate::protocol::{ErrorCode, PublicTicket};
use crate::wire;

/// One request per this interval per address on average: 300 a minute, far more than phones
/// sharing the lobby's Wi-Fi need, far too few to try 128-bit ids.
const REFILL_EVERY: Duration = Duration::from_millis(200);
/// Requests an address may make at once (a page load, its reloads, a few phones).
const BURST: u32 = 60;

/// The routes, JSON and pages apart (errors are an envelope for the one, a page for the
/// other), behind one per-address limit shared by both.
pub fn routes() -> (Router<AppState>, Router<AppState>) {
    let api = Router::new().route("/api/v1/tickets/{public_id}", get(ticket_json));
    let pages = Router::new()
        .route("/t/{public_id}", get(ticket_page))
        .route("/t/{public_id}/qr.svg", get(ticket_qr));
    match GovernorConfigBuilder::default()
        .period(REFILL_EVERY)
        .burst_size(BURST)
        .finish()
    {
        Some(limits) => {
            let limits = Arc::new(limits);
            (
                api.layer(GovernorLayer::new(limits.clone())),
                pages.layer(GovernorLayer::new(limits)),
            )
        }
        None => {
            tracing::error!("the rate limit of the ticket pages is invalid; serving without it");
            (api, pages)
        }
    }
}

/// Today's ticket with this public id: the published state it belongs to and its id.
fn find(state: &AppState, public_id: &str) -> Option<(Arc<Published>, i64)> {
    // Every office is scanned, whatever is found, so that the time taken does not depend on
    // where (or whether) the id is.
    let mut found = None;
    let mut offices: Vec<_> = state.offices.iter().collect();
    offices.sort_by(|a, b| a.0.cmp(b.0));
    for (_, office) in offices {
        let published = office.latest();
        let id = published
            .queue
            .ticket_by_public_id(public_id)
            .map(|ticket| ticket.id);
        if found.is_none()
            && let Some(id) = id
        {
            found = Some((published.clone(), id));
        }
    }
    found
}

/// The visitor's view of a ticket of `published`, its wait from the office's own model.
fn public_view(state: &AppState, published: &Published, ticket: &Ticket) -> PublicTicket {
    let queue = &published.queue;
    let wait =
        published
            .wait_model
            .ticket_wait(queue, &published.evidence, ticket, state.clock.now());
    wire::public_ticket(queue, &state.config, ticket, wait.as_ref())
}

fn unknown_ticket() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::UnknownTicket,
        "この番号札は見つかりません。本日発券された番号札のみ表示できます。",
    )
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /api/v1/tickets/{public_id}`.
async fn ticket_json(State(state): State<AppState>, Path(public_id): Path<String>) -> Response {
    let response = match find(&state, &public_id) {
        Some((published, id)) => {
            let Some(ticket) = published.queue.ticket(id) else {
                return no_store(unknown_ticket().into_response());
            };
            Json(public_view(&state, &published, ticket)).into_response()
        }
        None => unknown_ticket().into_response(),
    };
    no_store(response)
}

/// `GET /t/{public_id}`: the phone page, live over the office's feed.
async fn ticket_page(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = pages::lang_of(query.as_deref());
    let response = match find(&state, &public_id) {
        Some((published, id)) => {
            let Some(ticket) = published.queue.ticket(id) else {
                return no_store(pages::ticket_not_found(lang));
            };
            let view = public_view(&state, &published, ticket);
            pages::ticket_page(&state, lang, &public_id, &view, &published)
        }
        None => pages::ticket_not_found(lang),
    };
    no_store(response)
}

/// `GET /t/{public_id}/qr.svg`: the QR code of the page's address, for the printed ticket.
async fn ticket_qr(
    State(state): State<AppState>,
    Path(public_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if find(&state, &public_id).is_none() {
        return no_store(unknown_ticket().into_response());
    }
    let url = format!("{}/t/{public_id}", base_url(&state, &headers));
    match QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let image = code
                .render::<svg::Color<'_>>()
                .min_dimensions(160, 160)
                .quiet_zone(true)
                .build();
            no_store(
                (
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("image/svg+xml"),
                    )],
                    image,
                )
                    .into_response(),
            )
        }
        Err(error) => ApiError::internal(&error).into_response(),
    }
}

/// Where phones reach the server: the configured `public_base_url`, or the address the staff
/// console itself used (its `Host`).
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(base) = &state.config.public_base_url {
        return base.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}
