//! The JSON error envelope of every 4xx and 5xx reply: `{"error": {"code", "message"}}`, with a
//! stable code that programs match on and Japanese words a clerk understands.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

wire_enum! {
    /// The stable code of an error reply (`docs/protocol.md` lists when each is sent).
    pub enum ErrorCode {
        /// 400: the request as a whole is not understood.
        BadRequest = "bad_request",
        /// 400: the body is not JSON.
        MalformedJson = "malformed_json",
        /// 400: the JSON body lacks a field or has one of the wrong type.
        InvalidBody = "invalid_body",
        /// 400: a date parameter is not a `YYYY-MM-DD` date the calendar covers.
        InvalidDate = "invalid_date",
        /// 400: `to` is before `from`.
        InvalidRange = "invalid_range",
        /// 400: a calendar range longer than the API lists at once.
        RangeTooLong = "range_too_long",
        /// 400: `who` is not one of the renewal guide's cases.
        InvalidWho = "invalid_who",
        /// 400: a suspension without a usable reason.
        InvalidReason = "invalid_reason",
        /// 400: an `Idempotency-Key` header that is not 1 to 255 visible ASCII characters.
        InvalidIdempotencyKey = "invalid_idempotency_key",
        /// 401: the request carries no `Authorization: Bearer` token: sign in.
        TokenMissing = "token_missing",
        /// 401: the token is not one the server issued, or it was revoked: ask the administrator.
        TokenUnknown = "token_unknown",
        /// 401: the token was valid but has expired (`token create --expires`): ask the
        /// administrator for a new one.
        TokenExpired = "token_expired",
        /// 401 from servers before the three codes above; still decoded so old replies parse.
        Unauthorized = "unauthorized",
        /// 403: the token's role may not do this.
        Forbidden = "forbidden",
        /// 403: a state change from a page of another origin.
        CrossOrigin = "cross_origin",
        /// 403: the token is limited to another office (`token create --office`).
        OfficeForbidden = "office_forbidden",
        /// 404: nothing at this path.
        NotFound = "not_found",
        /// 404: no office with that id; `offices` lists the ids that exist.
        OfficeNotFound = "office_not_found",
        /// 404: no counter with that id.
        CounterNotFound = "counter_not_found",
        /// 404: no ticket with that id today.
        TicketNotFound = "ticket_not_found",
        /// 404: no ticket of today has that public id (never, or not any more).
        UnknownTicket = "unknown_ticket",
        /// 405.
        MethodNotAllowed = "method_not_allowed",
        /// 408.
        RequestTimeout = "request_timeout",
        /// 409: reception is not open now (`next_opening` says when it is).
        OfficeClosed = "office_closed",
        /// 409: staff have suspended reception.
        ReceptionSuspended = "reception_suspended",
        /// 409: the counter is paused or closed.
        CounterNotOpen = "counter_not_open",
        /// 409: nobody waiting whom the counter may serve.
        QueueEmpty = "queue_empty",
        /// 409: the ticket's lifecycle does not allow the action now.
        InvalidTransition = "invalid_transition",
        /// 413.
        PayloadTooLarge = "payload_too_large",
        /// 415.
        UnsupportedMediaType = "unsupported_media_type",
        /// 422: the office does not offer that service.
        UnknownService = "unknown_service",
        /// 422: the `Idempotency-Key` was first sent with another request (another service)
        /// this business day; nothing was issued.
        IdempotencyKeyReused = "idempotency_key_reused",
        /// 422: anything else the server cannot process.
        UnprocessableEntity = "unprocessable_entity",
        /// 429.
        TooManyRequests = "too_many_requests",
        /// 500: the server failed; details are in its log, not in the reply.
        InternalError = "internal_error",
        /// 503: the server cannot serve this now (shutting down, store unavailable).
        Unavailable = "unavailable",
        /// 503 on the live feed: `--max-viewers` viewers are connected; try again later (a
        /// page polls the status JSON meanwhile, which always has room).
        TooManyViewers = "too_many_viewers",
        /// Any other status without a code of its own.
        Error = "error",
    }
}

/// Body of every 4xx/5xx reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// A stable machine code and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// Japanese text a clerk understands.
    pub message: String,
    /// For [`ErrorCode::OfficeClosed`]: when reception next opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_opening: Option<DateTime<FixedOffset>>,
    /// For [`ErrorCode::OfficeNotFound`]: the office ids this server has, so a lobby display
    /// started with a wrong `--office` can say which ones would work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offices: Option<Vec<String>>,
}
