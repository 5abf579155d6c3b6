//! Public, read-only office routes: the list, the status snapshot, the calendar.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ApiResult};
use axum::extract::WebSocketUpgrade;

use crate::protocol::{CalendarDays, ErrorCode, OfficeList};
use crate::{calendar, feed, wire};

/// Longest calendar range one request may ask for.
const MAX_CALENDAR_DAYS: i64 = 366;

/// `GET /api/v1/offices`: every office with its services and counters.
pub async fn offices_list(State(state): State<AppState>) -> Json<OfficeList> {
    let config = &state.config;
    Json(OfficeList {
        offices: config
            .offices
            .iter()
            .map(|office| wire::office_info(office, config))
            .collect(),
    })
}

/// `GET /api/v1/offices/{office}/status`: the latest snapshot, from bytes serialized once
/// per change, with an ETag (`If-None-Match` → 304). No database, no serialization here.
pub async fn office_status(
    State(state): State<AppState>,
    Path(office): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let published = state.office(&office)?.latest();
    let etag =
        HeaderValue::from_str(&published.etag).map_err(|error| ApiError::internal(&error))?;
    let cache = HeaderValue::from_static("public, max-age=2");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|value| value.as_bytes() == published.etag.as_bytes());
    if matches {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response());
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
        ],
        published.json.clone(),
    )
        .into_response())
}

/// `GET /api/v1/offices/{office}/live`: the WebSocket feed (see [`crate::feed`]). Buffers and
/// message limits are sized for viewers that send nothing.
pub async fn office_live(
    State(state): State<AppState>,
    Path(office): Path<String>,
    upgrade: WebSocketUpgrade,
) -> ApiResult<Response> {
    let office = state.feed(&office)?.clone();
    let shutdown = state.shutdown.subscribe();
    let metrics = state.feed_metrics.clone();
    let tasks = state.tasks.clone();
    Ok(upgrade
        .read_buffer_size(feed::READ_BUFFER)
        .write_buffer_size(feed::WRITE_BUFFER)
        .max_message_size(feed::MAX_CLIENT_MESSAGE)
        .max_frame_size(feed::MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| {
            tasks.track_future(feed::serve_viewer(socket, office, shutdown, metrics))
        }))
}

/// Query of the calendar route.
#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    from: Option<String>,
    to: Option<String>,
}

pub(super) fn parse_date(name: &str, text: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    text.map(|text| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(
                ErrorCode::InvalidDate,
                format!("{name} は YYYY-MM-DD 形式の日付で指定してください（{text:?}）。"),
            )
        })
    })
    .transpose()
}

/// `GET /api/v1/offices/{office}/calendar?from=YYYY-MM-DD&to=YYYY-MM-DD`: each day with its
/// hours or why it is closed (domain R1–R3). At most one year; defaults to two weeks from today.
pub async fn office_calendar(
    State(state): State<AppState>,
    Path(office): Path<String>,
    Query(query): Query<CalendarQuery>,
) -> ApiResult<Json<CalendarDays>> {
    let config = state
        .config
        .office(&office)
        .ok_or_else(|| state.office_not_found(&office))?;
    let today = calendar::business_date(state.clock.now());
    let from = parse_date("from", query.from.as_deref())?.unwrap_or(today);
    let to = parse_date("to", query.to.as_deref())?.unwrap_or(from + chrono::Duration::days(13));
    if to < from {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidRange,
            "to は from 以降の日付にしてください。",
        ));
    }
    if (to - from).num_days() >= MAX_CALENDAR_DAYS {
        return Err(ApiError::bad_request(
            ErrorCode::RangeTooLong,
            "期間は1年以内で指定してください。",
        ));
    }
    let days = calendar::open_days(&config.schedule, from, to)
        .iter()
        .map(wire::calendar_day)
        .collect();
    Ok(Json(CalendarDays { office, days }))
}
