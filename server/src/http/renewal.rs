//! `GET /api/v1/renewal`: the renewal guide's answer as JSON (see [`crate::renewal`]).

use crate::protocol::ErrorCode;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::AppState;
use super::error::{ApiError, ApiResult};
use crate::calendar;
use crate::protocol::Payload;
use crate::renewal::{self, Answer, Live, Question, RenewalError};

/// Query of the renewal routes (the API and the page): all text, parsed here so that a bad
/// value gets our own error code instead of the framework's.
#[derive(Debug, Default, Deserialize)]
pub struct RenewalQuery {
    /// `YYYY-MM-DD`, required.
    pub expires: Option<String>,
    /// `YYYY-MM-DD`; default the server's business date in Japan.
    pub today: Option<String>,
    /// `self` (default), `legal`, `legal_alone`, `proxy_notice` or `proxy_inquiry`.
    pub who: Option<String>,
}

impl From<RenewalError> for ApiError {
    fn from(error: RenewalError) -> Self {
        match error {
            RenewalError::InvalidDate { field, text } => ApiError::bad_request(
                ErrorCode::InvalidDate,
                format!(
                    "{field} は2000年から2099年までの日付を YYYY-MM-DD 形式で指定してください（{text:?}）。"
                ),
            ),
            RenewalError::MissingDate { field } => ApiError::bad_request(
                ErrorCode::InvalidDate,
                format!("{field} に日付を YYYY-MM-DD 形式で指定してください。"),
            ),
            RenewalError::InvalidWho(text) => ApiError::bad_request(
                ErrorCode::InvalidWho,
                format!(
                    "who は self、legal、legal_alone、proxy_notice、proxy_inquiry のいずれかで指定してください（{text:?}）。"
                ),
            ),
        }
    }
}

/// Parses a query into a question; `today` defaults to the server's business date (Japan
/// time, from the server's clock, so `--now` moves it).
pub fn question_of(state: &AppState, query: &RenewalQuery) -> Result<Question, RenewalError> {
    let expires = query
        .expires
        .as_deref()
        .filter(|text| !text.trim().is_empty())
        .ok_or(RenewalError::MissingDate { field: "expires" })?;
    let expires = renewal::parse_date("expires", expires)?;
    let today = match query.today.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(text) => renewal::parse_date("today", text)?,
        None => calendar::business_date(state.clock.now()),
    };
    let who = renewal::parse_who(query.who.as_deref())?;
    Ok(Question {
        expires,
        today,
        who,
    })
}

/// The answer to `question` with each office's live figures from its latest published
/// snapshot; an office whose published message is not a snapshot has none.
pub fn answer_live(state: &AppState, question: Question) -> Result<Answer, RenewalError> {
    renewal::answer(question, &state.config, |office, service| {
        live_of(state, office, service)
    })
}

fn live_of(state: &AppState, office: &str, service: &str) -> Option<Live> {
    let published = state.offices.get(office)?.latest();
    match &published.message.payload {
        Payload::Snapshot(snapshot) => Some(renewal::offices::live_figures(snapshot, service)),
        Payload::Call(_) | Payload::Change(_) | Payload::Unknown => None,
    }
}

/// `GET /api/v1/renewal?expires=YYYY-MM-DD[&today=YYYY-MM-DD][&who=…]`.
pub async fn renewal_show(
    State(state): State<AppState>,
    Query(query): Query<RenewalQuery>,
) -> ApiResult<Json<Answer>> {
    let question = question_of(&state, &query)?;
    Ok(Json(answer_live(&state, question)?))
}
