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

use crate::protocol::{CalendarDay, CalendarDays, Closure, OfficeInfo, OfficeList, ServiceInfo};
use crate::snapshot::hours_view;
use crate::{calendar, feed};

/// Longest calendar range one request may ask for.
const MAX_CALENDAR_DAYS: i64 = 366;

/// `GET /api/v1/offices`: every office with its services and counters.
pub async fn offices_list(State(state): State<AppState>) -> Json<OfficeList> {
    let config = &state.config;
    Json(OfficeList {
        offices: config
            .offices
            .iter()
            .map(|office| OfficeInfo {
                id: office.id.clone(),
                name_ja: office.name_ja.clone(),
                name_en: office.name_en.clone(),
                services: office
                    .services
                    .iter()
                    .filter_map(|id| config.service(id))
                    .map(|s| ServiceInfo {
                        id: s.id.clone(),
                        name_ja: s.name_ja.clone(),
                        name_en: s.name_en.clone(),
                        prefix: s.prefix.clone(),
                        mean_service_minutes: s.mean_service_minutes,
                    })
                    .collect(),
                counters: office.counters.iter().map(|c| c.id.clone()).collect(),
            })
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
    let handle = state.office(&office)?.clone();
    let shutdown = state.shutdown.subscribe();
    let metrics = state.feed_metrics.clone();
    Ok(upgrade
        .read_buffer_size(feed::READ_BUFFER)
        .write_buffer_size(feed::WRITE_BUFFER)
        .max_message_size(feed::MAX_CLIENT_MESSAGE)
        .max_frame_size(feed::MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| feed::serve_viewer(socket, handle, shutdown, metrics)))
}

/// Query of the calendar route.
#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    from: Option<String>,
    to: Option<String>,
}

fn parse_date(name: &str, text: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    text.map(|text| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            ApiError::bad_request(
                "invalid_date",
                format!("{name} は YYYY-MM-DD 形式の日付で指定してください（{text:?}）。"),
            )
        })
    })
    .transpose()
}

/// `GET /api/v1/offices/{office}/calendar?from=YYYY-MM-DD&to=YYYY-MM-DD`: each day with its
/// hours or why it is closed (BRIEF R1–R3). At most one year; defaults to two weeks from today.
pub async fn office_calendar(
    State(state): State<AppState>,
    Path(office): Path<String>,
    Query(query): Query<CalendarQuery>,
) -> ApiResult<Json<CalendarDays>> {
    let config = state
        .config
        .office(&office)
        .ok_or_else(|| ApiError::office_not_found(&office))?;
    let today = calendar::business_date(state.clock.now());
    let from = parse_date("from", query.from.as_deref())?.unwrap_or(today);
    let to = parse_date("to", query.to.as_deref())?.unwrap_or(from + chrono::Duration::days(13));
    if to < from {
        return Err(ApiError::bad_request(
            "invalid_range",
            "to は from 以降の日付にしてください。",
        ));
    }
    if (to - from).num_days() >= MAX_CALENDAR_DAYS {
        return Err(ApiError::bad_request(
            "range_too_long",
            "期間は1年以内で指定してください。",
        ));
    }
    let days = calendar::open_days(&config.schedule, from, to)
        .iter()
        .map(|plan| CalendarDay {
            date: plan.date.to_string(),
            weekday_ja: calendar::weekday_ja(plan.date).to_string(),
            open: plan.hours.is_some(),
            hours: plan.hours.as_ref().map(hours_view),
            closure: plan.closure.as_ref().map(|reason| Closure {
                code: reason.code().to_string(),
                reason_ja: reason.text_ja(),
                reason_en: reason.text_en(),
            }),
            special_ja: plan.special_reason.as_ref().map(|(ja, _)| ja.clone()),
            special_en: plan.special_reason.as_ref().map(|(_, en)| en.clone()),
        })
        .collect();
    Ok(Json(CalendarDays { office, days }))
}
