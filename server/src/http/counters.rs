//! Staff counter routes (open, pause, close, call next) and office reception suspend/resume.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::{JsonBody, OptionalJsonBody, StaffAuth};
use super::tickets::expect_ticket;
use crate::auth::Permission;
use crate::domain::Command;
use crate::office::Outcome;
use crate::protocol::{ErrorCode, StaffReception, SuspensionReason};
use crate::wire;

/// Longest note on a suspension, in characters.
const MAX_REASON_CHARS: usize = 200;

type AnyObject = serde_json::Map<String, serde_json::Value>;

/// `POST /api/v1/offices/{office}/counters/{counter}/{open|pause|close|call-next}`. Call-next
/// replies with the called ticket; the others with the counter.
pub async fn counter_act(
    State(state): State<AppState>,
    Path((office, counter, action)): Path<(String, String, String)>,
    staff: StaffAuth,
    OptionalJsonBody(_body): OptionalJsonBody<AnyObject>,
) -> ApiResult<Response> {
    let command = match action.as_str() {
        "open" => Command::OpenCounter(counter),
        "pause" => Command::PauseCounter(counter),
        "close" => Command::CloseCounter(counter),
        "call-next" => Command::CallNext(counter),
        _ => return Err(ApiError::from_status(StatusCode::NOT_FOUND)),
    };
    let staff = staff.require(Permission::CounterAction)?;
    let calls_next = matches!(command, Command::CallNext(_));
    let outcome = state.office(&office)?.execute(command, &staff.name).await?;
    if calls_next {
        return Ok(expect_ticket(outcome)?.into_response());
    }
    match outcome {
        Outcome::Counter(counter) => Ok(Json(counter).into_response()),
        other => Err(ApiError::internal(&format!("unexpected outcome {other:?}"))),
    }
}

/// Body of `POST …/reception/suspend`: `{"reason_code": "system_outage", "note": "…"}`, or the
/// first version's `{"reason": "…"}` (a note with the code `other`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    reason_code: Option<SuspensionReason>,
    note: Option<String>,
    reason: Option<String>,
}

impl SuspendRequest {
    /// The public code and staff's note, or why the body cannot be used.
    fn parts(self) -> ApiResult<(SuspensionReason, Option<String>)> {
        let invalid = || {
            ApiError::bad_request(
                ErrorCode::InvalidReason,
                "停止の理由を reason_code（system_outage, congestion, staffing, other）で指定し、\
                 メモは200文字以内にしてください。",
            )
        };
        let note = self
            .note
            .or(self.reason)
            .map(|note| note.trim().to_string())
            .filter(|note| !note.is_empty());
        if note
            .as_ref()
            .is_some_and(|note| note.chars().count() > MAX_REASON_CHARS)
        {
            return Err(invalid());
        }
        let code = match self.reason_code {
            Some(SuspensionReason::Unknown) => return Err(invalid()),
            Some(code) => code,
            None if note.is_some() => SuspensionReason::Other,
            None => return Err(invalid()),
        };
        Ok((code, note))
    }
}

/// `POST /api/v1/offices/{office}/reception/suspend` (admin): issuing is refused until
/// resumed, without a restart. Visitors read the code's wording; the note stays with staff.
pub async fn reception_suspend(
    State(state): State<AppState>,
    Path(office): Path<String>,
    staff: StaffAuth,
    JsonBody(request): JsonBody<SuspendRequest>,
) -> ApiResult<Response> {
    let staff = staff.require(Permission::Reception)?;
    let (reason_code, note) = request.parts()?;
    let outcome = state
        .office(&office)?
        .execute(Command::SuspendReception { reason_code, note }, &staff.name)
        .await?;
    reception_reply(outcome)
}

/// `GET /api/v1/offices/{office}/reception` (any staff role): reception with staff's note.
pub async fn reception_show(
    State(state): State<AppState>,
    Path(office): Path<String>,
    staff: StaffAuth,
) -> ApiResult<Json<StaffReception>> {
    staff.require(Permission::ListTickets)?;
    let published = state.office(&office)?.latest();
    Ok(Json(wire::staff_reception(published.queue.reception())))
}

/// `POST /api/v1/offices/{office}/reception/resume` (admin).
pub async fn reception_resume(
    State(state): State<AppState>,
    Path(office): Path<String>,
    staff: StaffAuth,
    OptionalJsonBody(_body): OptionalJsonBody<AnyObject>,
) -> ApiResult<Response> {
    let staff = staff.require(Permission::Reception)?;
    let outcome = state
        .office(&office)?
        .execute(Command::ResumeReception, &staff.name)
        .await?;
    reception_reply(outcome)
}

fn reception_reply(outcome: Outcome) -> ApiResult<Response> {
    match outcome {
        Outcome::Reception(reception) => Ok(Json(reception).into_response()),
        other => Err(ApiError::internal(&format!("unexpected outcome {other:?}"))),
    }
}
