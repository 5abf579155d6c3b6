//! Extractors: the staff token and JSON bodies with our own error codes.

use crate::protocol::ErrorCode;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::{StatusCode, header, request::Parts};
use serde::de::DeserializeOwned;

use super::AppState;
use super::error::ApiError;
use crate::auth::{self, Permission, Refusal, Staff};

/// The staff member behind a request, from `Authorization: Bearer <token>` (the only way the
/// staff API accepts a token). Checked against the store on every request. No token at all is
/// `token_missing` (sign in); a token no live record matches is `token_unknown` (mistyped or
/// revoked: ask the administrator), so the clerk knows which of the two to do. A token past its
/// expiry is `token_expired`; one limited to another office than the path's `{office}` is 403
/// `office_forbidden`. Every refusal is logged and limited per peer by the refusal layer
/// (`refusals.rs`), never here.
pub struct StaffAuth(pub Staff);

impl StaffAuth {
    /// 403 unless the role may do it.
    pub fn require(&self, permission: Permission) -> Result<&Staff, ApiError> {
        if self.0.role.may(permission) {
            Ok(&self.0)
        } else {
            Err(ApiError::forbidden())
        }
    }
}

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|secret| !secret.is_empty())
            .map(str::to_string)
            .ok_or_else(ApiError::token_missing)?;
        let records = state
            .store
            .tokens_active()
            .await
            .map_err(|error| ApiError::store_unavailable(&error))?;
        let office = office_of(parts, state).await;
        match auth::admit(&records, &secret, office.as_deref(), || state.clock.now()) {
            Ok(staff) => Ok(StaffAuth(staff)),
            Err(Refusal::Unknown) => Err(ApiError::token_unknown()),
            Err(Refusal::Expired) => Err(ApiError::token_expired()),
            Err(Refusal::OtherOffice { allowed }) => Err(ApiError::office_forbidden(&allowed)),
        }
    }
}

/// The `{office}` of the route, if it has one.
async fn office_of(parts: &mut Parts, state: &AppState) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, state).await.ok()?;
    params
        .iter()
        .find(|(name, _)| *name == "office")
        .map(|(_, value)| value.to_string())
}

/// A required JSON body: 415 without a JSON content type, 400 for malformed JSON or wrong
/// fields, 413 over the body limit.
pub struct JsonBody<T>(pub T);

/// An optional JSON body (`{}` or empty), for counter actions.
pub struct OptionalJsonBody<T>(pub Option<T>);

fn parse_json<T: DeserializeOwned>(
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<T, ApiError> {
    let is_json = content_type
        .and_then(|value| value.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        })
        .unwrap_or(false);
    if !is_json {
        return Err(ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    serde_json::from_slice(bytes).map_err(|error| {
        if error.is_data() {
            ApiError::bad_request(
                ErrorCode::InvalidBody,
                format!("リクエストの項目が正しくありません: {error}"),
            )
        } else {
            ApiError::bad_request(ErrorCode::MalformedJson, "JSON の形式が正しくありません。")
        }
    })
}

async fn body_of(request: Request, state: &AppState) -> Result<(Option<String>, Bytes), ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| ApiError::from_status(rejection.status()))?;
    Ok((content_type, bytes))
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (content_type, bytes) = body_of(request, state).await?;
        parse_json(content_type.as_deref(), &bytes).map(JsonBody)
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for OptionalJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (content_type, bytes) = body_of(request, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJsonBody(None));
        }
        parse_json(content_type.as_deref(), &bytes).map(|value| OptionalJsonBody(Some(value)))
    }
}
