//! The two web pages of the server and their embedded assets:
//! - the public congestion page (`/` for the default office, `/offices/{office}`), for visitors
//!   deciding whether to come now (domain R5): server-rendered from the latest snapshot, then
//!   kept live by its script over the WebSocket feed, polling the status JSON when a proxy
//!   blocks WebSockets;
//! - the staff console (`/staff`) for reception and counter clerks, which talks to the staff
//!   API with a bearer token.
//!
//! Both are built from the same published state every other screen reads; nothing here writes.

mod assets;
mod forecast;
mod public;
mod renewal;
mod staff;
mod text;
mod ticket;
#[cfg(test)]
mod wording;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate};

use super::AppState;
use super::error::ApiError;
use crate::calendar;
use crate::config::OfficeConfig;
use crate::protocol::Payload;
use crate::wire;
use public::{OfficeLink, OpenDay, PublicPage};
pub use text::Lang;

/// Default seconds between status polls on a page whose WebSocket is blocked (15–30 s keeps a
/// thousand polling phones at a few dozen requests per second).
pub const DEFAULT_POLL_SECONDS: u32 = 20;

/// How many upcoming open days the public page lists.
const OPEN_DAYS_LISTED: usize = 5;
/// How far ahead it looks for them (covers the year-end break and long weekends).
const OPEN_DAYS_HORIZON: i64 = 31;

/// Settings of the pages, fixed at start-up.
#[derive(Clone, Copy, Debug)]
pub struct PageSettings {
    /// Seconds between status polls when a page cannot use the live feed (`--poll-seconds`).
    pub poll_seconds: u32,
}

impl Default for PageSettings {
    fn default() -> Self {
        Self {
            poll_seconds: DEFAULT_POLL_SECONDS,
        }
    }
}

/// The pages' routes. Merged outside the JSON-error layer: a missing office here is an HTML
/// page for people, not an envelope for programs.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(public_default))
        .route("/offices/{office}", get(public_office))
        .route("/renewal", get(renewal::renewal_page))
        .route("/staff", get(staff_console))
        .route("/assets/{name}", get(asset))
}

/// `GET /`: the default office (the first configured).
async fn public_default(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let lang = lang_of(query.as_deref());
    match state.config.offices.first() {
        Some(office) => public_page(&state, office, lang).await,
        None => not_found(lang),
    }
}

/// `GET /offices/{office}`: any office; 404 page for an unknown one.
async fn public_office(
    State(state): State<AppState>,
    Path(office): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = lang_of(query.as_deref());
    match state.config.office(&office) {
        Some(office) => public_page(&state, office, lang).await,
        None => not_found(lang),
    }
}

/// `GET /staff`: 200 with the sign-in form for everyone (the token is checked by the API).
async fn staff_console(State(state): State<AppState>) -> Response {
    page(StatusCode::OK, staff::render(state.pages.poll_seconds))
}

/// `GET /assets/{name}?v=…`: cached for a year when `v` is the current version.
async fn asset(Path(name): Path<String>, RawQuery(query): RawQuery) -> Response {
    let Some(asset) = assets::find(&name) else {
        return ApiError::from_status(StatusCode::NOT_FOUND).into_response();
    };
    let current = query
        .as_deref()
        .and_then(|query| query.strip_prefix("v="))
        .is_some_and(|version| version == assets::version());
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, cache),
        ],
        asset.body,
    )
        .into_response()
}

pub(crate) fn lang_of(query: Option<&str>) -> Lang {
    let lang = query.and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("lang=")));
    Lang::from_query(lang)
}

/// An HTML page, never cached: a reload always shows the current queue.
fn page(status: StatusCode, markup: maud::Markup) -> Response {
    let mut response = (status, Html(markup.into_string())).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn not_found(lang: Lang) -> Response {
    page(StatusCode::NOT_FOUND, public::not_found(lang))
}

async fn public_page(state: &AppState, office: &OfficeConfig, lang: Lang) -> Response {
    // The chart is a help, not the page: without it the live status must still show.
    let forecast = super::history::office_forecast(state, &office.id)
        .await
        .inspect_err(|error| tracing::warn!(?error, "no forecast for the public page"))
        .ok();
    let handle = match state.office(&office.id) {
        Ok(handle) => handle,
        Err(_) => return not_found(lang),
    };
    let published = handle.latest();
    let message = &published.message;
    let Payload::Snapshot(snapshot) = &message.payload else {
        return ApiError::internal(&"the published message is not a snapshot").into_response();
    };
    let today = NaiveDate::parse_from_str(&snapshot.calendar.business_date, "%Y-%m-%d")
        .unwrap_or_else(|_| calendar::business_date(state.clock.now()));
    let offices = state
        .config
        .offices
        .iter()
        .enumerate()
        .map(|(index, office)| OfficeLink {
            id: &office.id,
            name: lang.pick(&office.name_ja, &office.name_en),
            default: index == 0,
        })
        .collect();
    let markup = public::render(&PublicPage {
        lang,
        snapshot,
        seq: message.seq,
        generated_at: message.generated_at,
        offices,
        open_days: open_days_after(office, today),
        poll_seconds: state.pages.poll_seconds,
        office,
        services: office
            .services
            .iter()
            .filter_map(|id| state.config.service(id))
            .collect(),
        guide: &state.config.guide,
        forecast: forecast.as_ref(),
        forecast_weeks: state.config.forecast.weeks,
    });
    page(StatusCode::OK, markup)
}

/// The personal ticket page of a ticket of today.
pub(crate) fn ticket_page(
    state: &AppState,
    lang: Lang,
    public_id: &str,
    view: &crate::protocol::PublicTicket,
    published: &crate::office::Published,
) -> Response {
    let office_state = match &published.message.payload {
        Payload::Snapshot(snapshot) => {
            lang.headline(snapshot.calendar.phase, snapshot.reception.suspended)
        }
        _ => "",
    };
    let markup = ticket::render(&ticket::TicketPage {
        lang,
        public_id,
        ticket: view,
        office_state,
        seq: published.message.seq,
        poll_seconds: state.pages.poll_seconds,
        notify_ahead: state.config.notify_ahead,
    });
    page(StatusCode::OK, markup)
}

/// The friendly 404 of an id that is not a ticket of today.
pub(crate) fn ticket_not_found(lang: Lang) -> Response {
    page(StatusCode::NOT_FOUND, ticket::not_found(lang))
}

/// The next open days after `today` (domain R1–R3), so a visitor on a closed day sees when to
/// come instead.
fn open_days_after(office: &OfficeConfig, today: NaiveDate) -> Vec<OpenDay> {
    calendar::open_days(
        &office.schedule,
        today + Duration::days(1),
        today + Duration::days(OPEN_DAYS_HORIZON),
    )
    .into_iter()
    .filter_map(|plan| {
        Some(OpenDay {
            date: plan.date,
            hours: wire::hours(plan.hours.as_ref()?),
        })
    })
    .take(OPEN_DAYS_LISTED)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_the_query() {
        assert_eq!(lang_of(Some("lang=en")), Lang::En);
        assert_eq!(lang_of(Some("x=1&lang=en")), Lang::En);
        assert_eq!(lang_of(Some("lang=ja")), Lang::Ja);
        assert_eq!(lang_of(None), Lang::Ja);
    }

    #[test]
    fn a_holiday_lists_the_next_open_days_after_it() {
        let config = crate::config::Config::embedded().expect("embedded config");
        let main = &config.offices[0];
        // 2026-11-23 is 勤労感謝の日 (Monday).
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date");
        let days: Vec<String> = open_days_after(main, today)
            .iter()
            .map(|day| day.date.to_string())
            .collect();
        assert_eq!(
            days,
            [
                "2026-11-24",
                "2026-11-25",
                "2026-11-26",
                "2026-11-27",
                "2026-11-30"
            ]
        );
    }

    #[test]
    fn the_year_end_break_is_skipped() {
        let config = crate::config::Config::embedded().expect("embedded config");
        let today = NaiveDate::from_ymd_opt(2026, 12, 28).expect("valid date");
        let first = open_days_after(&config.offices[0], today);
        assert_eq!(first[0].date.to_string(), "2027-01-04");
    }
}
