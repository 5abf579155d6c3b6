//! The staff console's report (issue 17, admin only): the hourly statistics of an office as
//! CSV, the very text `queue-server stats --csv` prints for the same days (one code path,
//! [`crate::history::report`]). The console shows it as a table and offers the same bytes as a
//! download; the token travels in the `Authorization` header, never in a URL, so the download
//! is made from the fetched reply, not from a link.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::StaffAuth;
use super::history::{office_config, parse_range};
use crate::auth::Permission;
use crate::calendar;
use crate::history::report::{report_csv, report_lines};
use crate::protocol::ErrorCode;

/// Query of the report route.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    by_service: Option<String>,
}

/// `GET /api/v1/offices/{office}/report?from=D&to=D[&by_service=true]` (admin): the statistics
/// CSV (UTF-8, no BOM, header first) as an attachment named after the office and the days.
pub async fn report_show(
    State(state): State<AppState>,
    Path(office): Path<String>,
    Query(query): Query<ReportQuery>,
    staff: StaffAuth,
) -> ApiResult<Response> {
    staff.require(Permission::Reports)?;
    let config = office_config(&state, &office)?;
    let now = state.clock.now();
    let (from, to) = parse_range(
        query.from.as_deref(),
        query.to.as_deref(),
        calendar::business_date(now),
    )?;
    let by_service = match query.by_service.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                ErrorCode::BadRequest,
                format!("by_service は true か false で指定してください（{other:?}）。"),
            ));
        }
    };
    let lines = report_lines(
        &state.store,
        &state.history,
        config,
        (from, to),
        now,
        by_service,
    )
    .await
    .map_err(|error| ApiError::internal(&error))?;
    let suffix = if by_service { "-by-service" } else { "" };
    let disposition = format!("attachment; filename=\"stats-{office}-{from}-{to}{suffix}.csv\"");
    let disposition =
        HeaderValue::from_str(&disposition).map_err(|error| ApiError::internal(&error))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            // Staff figures: never kept by a shared cache.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        report_csv(&lines, by_service),
    )
        .into_response())
}
