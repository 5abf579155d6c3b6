//! Staff ticket routes: issue, list, show, and per-ticket actions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::extract::{JsonBody, OptionalJsonBody, StaffAuth};
use crate::auth::Permission;
use crate::domain::{Command, DomainError, TicketAction};
use crate::office::{IdempotencyKey, OfficeError, Outcome};
use crate::protocol::{Ticket, TicketList};
use crate::wire;

/// Body of `POST …/tickets`.
#[derive(Debug, Deserialize)]
pub struct IssueRequest {
    service: String,
}

/// The ticket in an outcome (every ticket command replies with one).
pub(super) fn expect_ticket(outcome: Outcome) -> ApiResult<Json<Ticket>> {
    match outcome {
        Outcome::Ticket(ticket) => Ok(Json(*ticket)),
        other => Err(ApiError::internal(&format!("unexpected outcome {other:?}"))),
    }
}

/// The `Idempotency-Key` header, if sent: 400 `invalid_idempotency_key` when it is not a key.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<IdempotencyKey>> {
    headers
        .get(IDEMPOTENCY_KEY)
        .map(|value| {
            value
                .to_str()
                .ok()
                .and_then(IdempotencyKey::parse)
                .ok_or_else(ApiError::invalid_idempotency_key)
        })
        .transpose()
}

/// Header of a retry-safe issue (IETF draft `Idempotency-Key`).
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// `POST /api/v1/offices/{office}/tickets` `{"service": "renewal"}` → 201 with the ticket, once
/// it is on disk. With an `Idempotency-Key` header, a request sent again under the same key on
/// the same business day gets the first reply (the same ticket) instead of a second ticket.
pub async fn tickets_create(
    State(state): State<AppState>,
    Path(office): Path<String>,
    headers: HeaderMap,
    staff: StaffAuth,
    JsonBody(request): JsonBody<IssueRequest>,
) -> ApiResult<(StatusCode, Json<Ticket>)> {
    let staff = staff.require(Permission::Issue)?;
    let key = idempotency_key(&headers)?;
    let service = request.service;
    let outcome = state
        .office(&office)?
        .execute_once(
            Command::Issue {
                service: service.clone(),
            },
            &staff.name,
            key,
        )
        .await
        .map_err(|error| match error {
            // Name a service the configuration knows by its name, as clerks read it.
            OfficeError::Domain(DomainError::UnknownService(_)) => {
                let name = state
                    .config
                    .service(&service)
                    .map_or(service.as_str(), |s| s.name_ja.as_str());
                ApiError::from(OfficeError::Domain(DomainError::UnknownService(
                    name.to_string(),
                )))
            }
            other => ApiError::from(other),
        })?;
    Ok((StatusCode::CREATED, expect_ticket(outcome)?))
}

/// `GET /api/v1/offices/{office}/tickets`: every ticket of the business day in issue order.
pub async fn tickets_list(
    State(state): State<AppState>,
    Path(office): Path<String>,
    staff: StaffAuth,
) -> ApiResult<Json<TicketList>> {
    staff.require(Permission::ListTickets)?;
    let published = state.office(&office)?.latest();
    let queue = &published.queue;
    Ok(Json(TicketList {
        tickets: queue
            .tickets()
            .map(|ticket| wire::ticket(queue, ticket))
            .collect(),
    }))
}

/// `GET /api/v1/offices/{office}/tickets/{ticket}`.
pub async fn ticket_show(
    State(state): State<AppState>,
    Path((office, ticket)): Path<(String, String)>,
    staff: StaffAuth,
) -> ApiResult<Json<Ticket>> {
    staff.require(Permission::ListTickets)?;
    let published = state.office(&office)?.latest();
    let id: i64 = ticket.parse().map_err(|_| ApiError::ticket_not_found())?;
    published
        .queue
        .ticket(id)
        .map(|t| Json(wire::ticket(&published.queue, t)))
        .ok_or_else(ApiError::ticket_not_found)
}

/// `POST /api/v1/offices/{office}/tickets/{ticket}/{recall|start|finish|no-show|cancel}`.
pub async fn ticket_act(
    State(state): State<AppState>,
    Path((office, ticket, action)): Path<(String, String, String)>,
    staff: StaffAuth,
    OptionalJsonBody(_body): OptionalJsonBody<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Json<Ticket>> {
    let action = TicketAction::from_path(&action)
        .ok_or_else(|| ApiError::from_status(StatusCode::NOT_FOUND))?;
    let permission = match action {
        TicketAction::Cancel => Permission::Cancel,
        _ => Permission::CounterAction,
    };
    let staff = staff.require(permission)?;
    let handle = state.office(&office)?;
    let id: i64 = ticket.parse().map_err(|_| ApiError::ticket_not_found())?;
    let outcome = handle
        .execute(Command::Ticket { id, action }, &staff.name)
        .await?;
    expect_ticket(outcome)
}
