//! The HTTP error: every 4xx/5xx the server sends is `{"error": {"code", "message"}}` with a
//! stable snake_case code and Japanese words a clerk understands. Internal details are logged,
//! never returned.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};

use crate::domain::DomainError;
use crate::office::OfficeError;
use crate::protocol::{CounterState, ErrorBody, ErrorDetail, TicketState};

/// An error reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: &'static str,
    /// Japanese message.
    pub message: String,
    /// For `office_closed`: when reception next opens.
    pub next_opening: Option<DateTime<FixedOffset>>,
}

/// Result of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            next_opening: None,
        }
    }

    /// 401: no token, or not a live one.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "職員用トークンが必要です（Authorization: Bearer）。",
        )
    }

    /// 403: the token's role may not do this.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "この操作を行う権限がありません。",
        )
    }

    /// 404 for an unknown office.
    pub fn office_not_found(office: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "office_not_found",
            format!("窓口「{office}」は見つかりません。"),
        )
    }

    /// 404 for an unknown ticket.
    pub fn ticket_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ticket_not_found",
            "その整理券は見つかりません。",
        )
    }

    /// 400 for a bad request field.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 500, logging the cause.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "サーバー内部でエラーが発生しました。しばらくしてからもう一度お試しください。",
        )
    }

    /// The standard error for a bare status (framework errors: 404, 405, 413 …).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("bad_request", "リクエストが正しくありません。"),
            401 => return Self::unauthorized(),
            403 => return Self::forbidden(),
            404 => ("not_found", "ページが見つかりません。"),
            405 => ("method_not_allowed", "このメソッドは使えません。"),
            408 => ("request_timeout", "リクエストがタイムアウトしました。"),
            413 => (
                "payload_too_large",
                "リクエストが大きすぎます（16 KiB まで）。",
            ),
            415 => (
                "unsupported_media_type",
                "Content-Type は application/json にしてください。",
            ),
            422 => ("unprocessable_entity", "リクエストの内容を処理できません。"),
            429 => ("too_many_requests", "リクエストが多すぎます。"),
            503 => (
                "unavailable",
                "サービスを一時的に利用できません。しばらくしてからお試しください。",
            ),
            code if code >= 500 => (
                "internal_error",
                "サーバー内部でエラーが発生しました。しばらくしてからもう一度お試しください。",
            ),
            _ => ("error", "エラーが発生しました。"),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                next_opening: self.next_opening,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn counter_state_ja(state: CounterState) -> &'static str {
    match state {
        CounterState::Open => "開いています",
        CounterState::Paused => "休止中です",
        CounterState::Closed => "閉じています",
    }
}

fn ticket_state_ja(state: TicketState) -> &'static str {
    match state {
        TicketState::Waiting => "お待ち",
        TicketState::Called => "呼出中",
        TicketState::Recalled => "再呼出中",
        TicketState::Serving => "対応中",
        TicketState::Done => "完了",
        TicketState::NoShow => "不在",
        TicketState::Cancelled => "取消",
        TicketState::Expired => "期限切れ",
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::UnknownService(service) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_service",
                format!("この窓口では「{service}」の手続きは扱っていません。"),
            ),
            DomainError::UnknownCounter(counter) => Self::new(
                StatusCode::NOT_FOUND,
                "counter_not_found",
                format!("窓口「{counter}」は見つかりません。"),
            ),
            DomainError::UnknownTicket(_) => Self::ticket_not_found(),
            DomainError::OfficeClosed(closed) => Self {
                next_opening: closed.next_opening.map(crate::snapshot::tokyo),
                ..Self::new(StatusCode::CONFLICT, "office_closed", closed.message_ja)
            },
            DomainError::ReceptionSuspended(reason) => Self::new(
                StatusCode::CONFLICT,
                "reception_suspended",
                format!("ただいま受付を停止しています（{reason}）。"),
            ),
            DomainError::CounterNotOpen { counter, state } => Self::new(
                StatusCode::CONFLICT,
                "counter_not_open",
                format!("{counter}番窓口は{}。", counter_state_ja(state)),
            ),
            DomainError::QueueEmpty => Self::new(
                StatusCode::CONFLICT,
                "queue_empty",
                "お待ちの方はいません。",
            ),
            DomainError::InvalidTransition(invalid) => Self::new(
                StatusCode::CONFLICT,
                "invalid_transition",
                format!(
                    "この整理券は「{}」のため、その操作はできません。",
                    ticket_state_ja(invalid.from)
                ),
            ),
        }
    }
}

impl From<OfficeError> for ApiError {
    fn from(error: OfficeError) -> Self {
        match error {
            OfficeError::Domain(domain) => domain.into(),
            OfficeError::Stopped => Self::from_status(StatusCode::SERVICE_UNAVAILABLE),
            other => Self::internal(&other),
        }
    }
}
