//! Public, read-only office routes: the list, the live feed, the calendar (the status snapshot
//! has a module of its own, [`super::status`]).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ApiResult};

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

/// `GET /api/v1/offices/{office}/live`: the WebSocket feed (see [`crate::feed`]). Buffers and
/// message limits are sized for viewers that send nothing. Beyond `--max-viewers` connected
/// viewers it answers 503 `too_many_viewers` (a page then polls the status JSON).
pub async fn office_live(
    State(state): State<AppState>,
    Path(office): Path<String>,
    upgrade: feed::FeedUpgrade,
) -> ApiResult<Response> {
    let office = state.feed(&office)?.clone();
    let Some(slot) = state.viewer_slots.take() else {
        state
            .feed_metrics
            .refused_full
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::TooManyViewers,
            "ライブ表示の接続数が上限に達しています。しばらくしてからもう一度お試しください。",
        ));
    };
    let viewer = feed::Viewer {
        office,
        shutdown: state.shutdown.subscribe(),
        metrics: state.feed_metrics.clone(),
        send_timeout: state.limits.send_timeout,
        slot,
    };
    Ok(upgrade.answer(&state.tasks, move |upgraded| viewer.serve(upgraded)))
}

/// Query of the calendar route.
#[derive(Debug, Deserialize)]
pub struct CalendarQuery {
    from: Option<String>,
    to: Option<String>,
}

/// A `YYYY-MM-DD` date within the years the calendar covers (1955–2099, its holiday rules),
/// or 400 `invalid_date`: a far year (`+262142-12-31`) would overflow date arithmetic.
pub(super) fn parse_date(name: &str, text: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    text.map(|text| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|date| CALENDAR_YEARS.contains(&date.year()))
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidDate,
                    format!(
                        "{name} は{}年から{}年までの日付を YYYY-MM-DD 形式で指定してください（{text:?}）。",
                        CALENDAR_YEARS.start(),
                        CALENDAR_YEARS.end()
                    ),
                )
            })
    })
    .transpose()
}

/// The last day the calendar covers.
fn last_calendar_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(*CALENDAR_YEARS.end(), 12, 31).unwrap_or(NaiveDate::MAX)
}

/// Years the business calendar knows (its national-holiday rules).
const CALENDAR_YEARS: std::ops::RangeInclusive<i32> =
    calendar::holidays::FIRST_YEAR..=calendar::holidays::LAST_YEAR;

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
    let to = match parse_date("to", query.to.as_deref())? {
        Some(to) => to,
        // Two weeks, or to the calendar's last day when `from` is nearer than that.
        None => from
            .checked_add_days(chrono::Days::new(13))
            .map_or_else(last_calendar_day, |to| to.min(last_calendar_day())),
    };
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
