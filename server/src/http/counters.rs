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
use crate::protocol::ErrorCode;

/// Longest reception-suspension reason, in characters.
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

/// Body of `POST …/reception/suspend`.
#[derive(Debug, Deserialize)]
pub struct SuspendRequest {
    reason: String,
}

/// `POST /api/v1/offices/{office}/reception/suspend` `{"reason": "…"}` (admin): issuing is
/// refused with that reason until resumed, without a restart.
pub async fn reception_suspend(
    State(state): State<AppState>,
    Path(office): Path<String>,
    staff: StaffAuth,
    JsonBody(request): JsonBody<SuspendRequest>,
) -> ApiResult<Response> {
    let staff = staff.require(Permission::Reception)?;
    let reason = request.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidReason,
            "停止の理由を200文字以内で入力してください。",
        ));
    }
    let outcome = state
        .office(&office)?
        .execute(Command::SuspendReception { reason }, &staff.name)
        .await?;
    reception_reply(outcome)
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
