//! The HTTP shell: router, shared state, and the JSON error envelope. Handlers are thin: they
//! authenticate, parse, hand a command to the office task, and shape the reply.

mod counters;
pub mod error;
mod extract;
pub mod health;
pub mod history;
mod metrics;
mod offices;
pub mod pages;
mod personal;
mod refusals;
pub mod renewal;
pub mod report;
mod security;
mod session;
pub mod status;
mod tickets;

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::feed::OfficeFeed;
use crate::office::OfficeHandle;
use crate::store::Store;
use error::ApiError;

/// Largest request body accepted (413 above it).
pub const BODY_LIMIT: usize = 16 * 1024;

/// State shared by every handler; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Shared {
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// One writer task per office, by office id.
    pub offices: HashMap<String, OfficeHandle>,
    /// The live feed of each office, by office id.
    pub feeds: HashMap<String, OfficeFeed>,
    /// The store, read for token checks on every staff request.
    pub store: Store,
    /// The server's clock (system, `--now`, or the demo's).
    pub clock: SharedClock,
    /// Set to true when the server shuts down: feeds close with 1001.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    /// Feed counters for `/metrics`.
    pub feed_metrics: Arc<crate::feed::FeedMetrics>,
    /// Settings of the web pages (the fallback polling interval, `--poll-seconds`).
    pub pages: pages::PageSettings,
    /// Every task the server starts, viewers' feeds included, so shutdown can wait for them.
    pub tasks: tokio_util::task::TaskTracker,
    /// Hourly aggregates of closed days, computed once per process (issue 17).
    pub history: crate::history::HistoryCache,
    /// Room for live viewers (`--max-viewers`): beyond it `/live` answers 503, so staff
    /// requests and the status JSON keep their descriptors.
    pub viewer_slots: crate::feed::ViewerSlots,
    /// Timeouts of requests and feed sends.
    pub limits: crate::limits::Limits,
    /// How old a last publish may be before `/healthz` fails.
    pub stale_publish: std::time::Duration,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Wraps the shared parts.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }

    /// The office task for an id, or 404.
    pub fn office(&self, id: &str) -> Result<&OfficeHandle, ApiError> {
        self.offices
            .get(id)
            .ok_or_else(|| self.office_not_found(id))
    }

    /// The live feed of an office, or 404.
    pub fn feed(&self, id: &str) -> Result<&OfficeFeed, ApiError> {
        self.feeds.get(id).ok_or_else(|| self.office_not_found(id))
    }

    /// The 404 for an unknown office, with the configured office ids in configuration order.
    pub fn office_not_found(&self, id: &str) -> ApiError {
        let known = self.config.offices.iter().map(|o| o.id.clone()).collect();
        ApiError::office_not_found(id, known)
    }
}

/// Every route of the server, on one address.
pub fn router(state: AppState) -> Router {
    app(state, true)
}

/// The routes for the public side when the operators' routes have an address of their own
/// (`--admin-listen`): everything but `/healthz` and `/metrics`.
pub fn public_router(state: AppState) -> Router {
    app(state, false)
}

/// The operators' routes alone (`/healthz`, `/metrics`), for the `--admin-listen` address.
pub fn admin_router(state: AppState) -> Router {
    let request_timeout = state.limits.request_timeout;
    finish(
        admin_routes()
            .fallback(not_found)
            .layer(timeout(request_timeout))
            .layer(middleware::map_response(json_errors)),
        state,
    )
}

/// `/healthz` and `/metrics`: for monitoring, kept off the public side when it can be.
fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::metrics))
}

fn app(state: AppState, with_admin: bool) -> Router {
    let offices = "/api/v1/offices/{office}";
    let (ticket_api, ticket_pages) = personal::routes();
    let request_timeout = state.limits.request_timeout;
    let mut api = Router::new()
        .route("/api/v1/offices", get(offices::offices_list))
        .route(&format!("{offices}/live"), get(offices::office_live))
        .route(
            &format!("{offices}/calendar"),
            get(offices::office_calendar),
        )
        .route(
            &format!("{offices}/tickets"),
            get(tickets::tickets_list).post(tickets::tickets_create),
        )
        .route(
            &format!("{offices}/tickets/{{ticket}}"),
            get(tickets::ticket_show),
        )
        .route(
            &format!("{offices}/tickets/{{ticket}}/{{action}}"),
            post(tickets::ticket_act),
        )
        .route(
            &format!("{offices}/counters/{{counter}}/{{action}}"),
            post(counters::counter_act),
        )
        .route(
            &format!("{offices}/reception"),
            get(counters::reception_show),
        )
        .route(
            &format!("{offices}/reception/suspend"),
            post(counters::reception_suspend),
        )
        .route(
            &format!("{offices}/reception/resume"),
            post(counters::reception_resume),
        )
        .route(&format!("{offices}/history"), get(history::history_show))
        .route(&format!("{offices}/forecast"), get(history::forecast_show))
        .route(&format!("{offices}/report"), get(report::report_show))
        .route("/api/v1/session", get(session::session_show))
        .merge(ticket_api)
        .route("/api/v1/renewal", get(renewal::renewal_show));
    if with_admin {
        api = api.merge(admin_routes());
    }
    // The timeout also covers `/live`, but only its handshake: the upgraded connection runs
    // in its own task, bounded by the feed's pings and send deadlines.
    let api = api
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(timeout(request_timeout))
        .layer(middleware::map_response(json_errors))
        .layer(middleware::from_fn_with_state(
            refusals::RefusalLimiter::default(),
            refusals::limit_refusals,
        ));
    let pages = pages::routes()
        .merge(ticket_pages)
        .layer(timeout(request_timeout));
    finish(security::protect(api.merge(pages)), state.clone()).merge(status_route(state))
}

/// The public status JSON on its own: the route phones poll, answered from bytes made once per
/// change, so it skips the layers of the other routes (trace span, panic catcher, request
/// timeout, error envelope, refusal limiter, body limit, origin check: a `GET` of prepared
/// bytes needs none of them) and sets the security headers itself. A plain HTTP/1.1 request
/// for it does not even reach hyper (see [`status`]).
fn status_route(state: AppState) -> Router {
    Router::new()
        .route(
            status::ROUTE,
            get(status::office_status).fallback(status::status_other_methods),
        )
        .with_state(state)
}

/// A request that takes longer than `limit` is answered 503 (`unavailable` in the API).
fn timeout(limit: std::time::Duration) -> TimeoutLayer {
    TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, limit)
}

/// The layers around every route: panics caught, and the trace of each request.
fn finish(router: Router<AppState>, state: AppState) -> Router {
    catch_panics(router)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A handler that panics is answered 500 with the JSON envelope, never with a dropped
/// connection, and the panic is logged.
pub fn catch_panics<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(CatchPanicLayer::custom(panic_response))
}

/// The reply to a request whose handler panicked: the panic goes to the log, the client gets
/// the usual 500.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    ApiError::internal(&format!("a handler panicked: {message}")).into_response()
}

async fn not_found() -> ApiError {
    ApiError::from_status(StatusCode::NOT_FOUND)
}

/// Gives every error the JSON envelope, also the framework's own (405, 413, …).
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        return ApiError::from_status(status).into_response();
    }
    response
}
