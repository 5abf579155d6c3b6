//! Public history routes (issue 17): the hourly aggregates as open data, and the weekday × hour
//! forecast visitors read. Both are computed from the store's tickets through
//! [`crate::history`]; closed days come from the in-memory cache, so a page load costs at most
//! one query for today. Nothing about an individual ticket leaves here.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::offices::parse_date;
use crate::config::OfficeConfig;
use crate::history::csv;
use crate::history::forecast::{Forecast, forecast};
use crate::protocol::{ErrorCode, HistoryPage};
use crate::{calendar, wire};

/// Longest history range one request may ask for: a year of hours is ~2,300 rows.
const MAX_HISTORY_DAYS: i64 = 366;

/// The licence of the open data: the one Japanese cities usually publish under.
pub const LICENSE: &str = "CC BY 4.0";

/// Query of the history route.
#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// `GET /api/v1/offices/{office}/history?from=D&to=D[&format=csv]`: hourly aggregates of the
/// days asked for (default: today), as JSON or CSV (UTF-8, no BOM, header first), cacheable
/// with an ETag.
pub async fn history_show(
    State(state): State<AppState>,
    Path(office): Path<String>,
    Query(query): Query<HistoryQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let config = office_config(&state, &office)?;
    let today = calendar::business_date(state.clock.now());
    let (from, to) = parse_range(query.from.as_deref(), query.to.as_deref(), today)?;
    let csv_wanted = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                ErrorCode::BadRequest,
                format!("format は json か csv で指定してください（{other:?}）。"),
            ));
        }
    };
    let rows = state
        .history
        .rows_between(
            &state.store,
            &office,
            &config.schedule,
            (from, to),
            state.clock.now(),
        )
        .await
        .map_err(|error| ApiError::internal(&error))?;
    // A range that ended before today cannot change any more.
    let max_age = if to < today { 3600 } else { 60 };
    if csv_wanted {
        return Ok(cacheable(
            &headers,
            "text/csv; charset=utf-8",
            csv::document(&rows).into_bytes(),
            max_age,
        ));
    }
    let document = HistoryPage {
        office,
        from: from.to_string(),
        to: to.to_string(),
        license: LICENSE.to_string(),
        rows: rows.iter().map(wire::history_row).collect(),
    };
    let body = serde_json::to_vec(&document).map_err(|error| ApiError::internal(&error))?;
    Ok(cacheable(&headers, "application/json", body, max_age))
}

/// `GET /api/v1/offices/{office}/forecast`: typical waits by weekday and hour over the last
/// weeks ([`crate::history::forecast`]).
pub async fn forecast_show(
    State(state): State<AppState>,
    Path(office): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let forecast = office_forecast(&state, &office).await?;
    let body = serde_json::to_vec(&wire::forecast(&forecast))
        .map_err(|error| ApiError::internal(&error))?;
    Ok(cacheable(&headers, "application/json", body, 300))
}

/// The forecast of an office at the server's clock, with the upcoming open days, for the route
/// and the public page.
pub async fn office_forecast(state: &AppState, office: &str) -> ApiResult<Forecast> {
    let config = office_config(state, office)?;
    let now = state.clock.now();
    let today = calendar::business_date(now);
    let settings = &state.config.forecast;
    let window = settings.window(today);
    let busier_window = settings.busier_days_window(today);
    // One read for both: the busier-day window is usually the longer one.
    let read = (window.0.min(busier_window.0), window.1.max(busier_window.1));
    let rows = state
        .history
        .rows_between(&state.store, office, &config.schedule, read, now)
        .await
        .map_err(|error| ApiError::internal(&error))?;
    let thresholds = &state.config.congestion;
    Ok(
        forecast(&config.schedule, &rows, window, thresholds).with_upcoming_days(
            &config.schedule,
            &rows,
            today,
            settings,
            thresholds,
        ),
    )
}

/// The days asked for by `from` and `to` (default: today, and `from` or today): at most a
/// year, `to` not before `from`.
pub(super) fn parse_range(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> ApiResult<(NaiveDate, NaiveDate)> {
    let from = parse_date("from", from)?.unwrap_or(today);
    let to = parse_date("to", to)?.unwrap_or(from.max(today));
    if to < from {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidRange,
            "to は from 以降の日付にしてください。",
        ));
    }
    if (to - from).num_days() >= MAX_HISTORY_DAYS {
        return Err(ApiError::bad_request(
            ErrorCode::RangeTooLong,
            "期間は1年以内で指定してください。",
        ));
    }
    Ok((from, to))
}

pub(super) fn office_config<'a>(state: &'a AppState, office: &str) -> ApiResult<&'a OfficeConfig> {
    state
        .config
        .office(office)
        .ok_or_else(|| state.office_not_found(office))
}

/// A public, cacheable reply: an ETag from the body's hash (so a CDN or a browser revalidates
/// with `If-None-Match` and gets a 304 when nothing changed) and `max-age` seconds of freshness.
fn cacheable(
    headers: &HeaderMap,
    content_type: &'static str,
    body: Vec<u8>,
    max_age: u32,
) -> Response {
    let digest = Sha256::digest(&body);
    let etag = format!("\"{}\"", hex::encode(&digest[..16]));
    let cache = format!("public, max-age={max_age}");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|value| value.as_bytes() == etag.as_bytes());
    let (Ok(etag), Ok(cache)) = (HeaderValue::from_str(&etag), HeaderValue::from_str(&cache))
    else {
        return ApiError::internal(&"unrepresentable cache header").into_response();
    };
    if matches {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}
