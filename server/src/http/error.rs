//! The HTTP error: every 4xx/5xx the server sends is `{"error": {"code", "message"}}` with a
//! stable snake_case code and Japanese words a clerk understands. Internal details are logged,
//! never returned.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset};

use crate::domain::DomainError;
use crate::office::OfficeError;
use crate::protocol::text::Lang;
use crate::protocol::{ErrorBody, ErrorCode, ErrorDetail};
use crate::wire;

/// An error reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code.
    pub code: ErrorCode,
    /// Japanese message.
    pub message: String,
    /// For `office_closed`: when reception next opens.
    pub next_opening: Option<DateTime<FixedOffset>>,
    /// For `office_not_found`: the office ids that exist.
    pub offices: Option<Vec<String>>,
}

/// Result of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            next_opening: None,
            offices: None,
        }
    }

    /// 401: the request has no token; the clerk signs in (again).
    pub fn token_missing() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenMissing,
            "職員用トークンが必要です。サインインしてください（Authorization: Bearer）。",
        )
    }

    /// 401: no live token matches (mistyped, or revoked); only the administrator can help.
    pub fn token_unknown() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenUnknown,
            "このトークンは登録されていないか、取り消されています。管理者に確認してください。",
        )
    }

    /// 401: the token has expired (its `--expires` day is over); the administrator issues a
    /// new one.
    pub fn token_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::TokenExpired,
            "このトークンは有効期限が切れています。管理者に新しいトークンを発行してもらってください。",
        )
    }

    /// 403: the token's role may not do this.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "この操作を行う権限がありません。",
        )
    }

    /// 403: the token is limited to another office than the one the request is for.
    pub fn office_forbidden(allowed: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::OfficeForbidden,
            format!("このトークンは受付場所「{allowed}」専用です。この受付場所では使えません。"),
        )
    }

    /// 404 for an unknown office, listing the `known` ids so a client (the lobby display
    /// started with a wrong `--office`) can tell its operator which ones exist.
    pub fn office_not_found(office: &str, known: Vec<String>) -> Self {
        Self {
            offices: Some(known),
            ..Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::OfficeNotFound,
                format!("受付場所「{office}」は見つかりません。"),
            )
        }
    }

    /// 404 for an unknown ticket.
    pub fn ticket_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::TicketNotFound,
            "その整理券は見つかりません。",
        )
    }

    /// 400 for an `Idempotency-Key` header that is not a key.
    pub fn invalid_idempotency_key() -> Self {
        Self::bad_request(
            ErrorCode::InvalidIdempotencyKey,
            "Idempotency-Key は 1〜255 文字の ASCII 文字（空白なし）にしてください。",
        )
    }

    /// 400 for a bad request field.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 500, logging the cause.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "サーバー内部でエラーが発生しました。しばらくしてからもう一度お試しください。",
        )
    }

    /// 503 when the store cannot be read (a database that is away, a connection that cannot be
    /// had): nothing is wrong with the request, it can be sent again in a moment. Logs the cause.
    pub fn store_unavailable(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "the store cannot be read");
        Self::from_status(StatusCode::SERVICE_UNAVAILABLE)
    }

    /// The standard error for a bare status (framework errors: 404, 405, 413 …).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => (ErrorCode::BadRequest, "リクエストが正しくありません。"),
            401 => return Self::token_missing(),
            403 => return Self::forbidden(),
            404 => (ErrorCode::NotFound, "ページが見つかりません。"),
            405 => (ErrorCode::MethodNotAllowed, "このメソッドは使えません。"),
            408 => (
                ErrorCode::RequestTimeout,
                "リクエストがタイムアウトしました。",
            ),
            413 => (
                ErrorCode::PayloadTooLarge,
                "リクエストが大きすぎます（16 KiB まで）。",
            ),
            415 => (
                ErrorCode::UnsupportedMediaType,
                "Content-Type は application/json にしてください。",
            ),
            422 => (
                ErrorCode::UnprocessableEntity,
                "リクエストの内容を処理できません。",
            ),
            429 => (ErrorCode::TooManyRequests, "リクエストが多すぎます。"),
            503 => (
                ErrorCode::Unavailable,
                "サービスを一時的に利用できません。しばらくしてからお試しください。",
            ),
            code if code >= 500 => (
                ErrorCode::InternalError,
                "サーバー内部でエラーが発生しました。しばらくしてからもう一度お試しください。",
            ),
            _ => (ErrorCode::Error, "エラーが発生しました。"),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                next_opening: self.next_opening,
                offices: self.offices,
            },
        };
        let code = self.code;
        let mut response = (self.status, axum::Json(body)).into_response();
        // Kept beside the body so that layers (the refusal log) name the code without parsing.
        response.extensions_mut().insert(code);
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::UnknownService(service) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::UnknownService,
                format!("この受付場所では「{service}」の手続きは扱っていません。"),
            ),
            DomainError::UnknownCounter(counter) => Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::CounterNotFound,
                format!("「{counter}番窓口」は見つかりません。"),
            ),
            DomainError::UnknownTicket(_) => Self::ticket_not_found(),
            DomainError::OfficeClosed(closed) => Self {
                next_opening: closed.next_opening.map(wire::tokyo),
                ..Self::new(
                    StatusCode::CONFLICT,
                    ErrorCode::OfficeClosed,
                    closed.message_ja,
                )
            },
            DomainError::ReceptionSuspended(reason) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::ReceptionSuspended,
                Lang::Ja.suspension(reason),
            ),
            DomainError::CounterNotOpen { counter, state } => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::CounterNotOpen,
                format!("{counter}番窓口は{}です。", Lang::Ja.counter_state(state)),
            ),
            DomainError::QueueEmpty => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::QueueEmpty,
                "お待ちの方はいません。",
            ),
            DomainError::InvalidTransition(invalid) => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::InvalidTransition,
                format!(
                    "この整理券は「{}」のため、その操作はできません。",
                    Lang::Ja.ticket_state(invalid.from)
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
            OfficeError::IdempotencyKeyReused => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
                "この Idempotency-Key は別の内容の発券に使われています。新しいキーで送り直してください。",
            ),
            OfficeError::NotWritten(error) => {
                tracing::error!(%error, "a command was not written");
                Self::from_status(StatusCode::SERVICE_UNAVAILABLE)
            }
        }
    }
}
