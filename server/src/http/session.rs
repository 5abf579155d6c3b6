//! `GET /api/v1/session`: who a staff token belongs to, so the staff console can check a token
//! at sign-in and show the views its role may use, without trying an action first.

use axum::Json;
use serde::Serialize;

use super::extract::StaffAuth;
use crate::auth::Role;

/// The signed-in staff member: the token's name (shown on the console) and its role.
#[derive(Debug, Serialize)]
pub struct SessionInfo {
    /// The token's label.
    pub name: String,
    /// `issuer`, `counter` or `admin`.
    pub role: Role,
    /// The only office the token may act on (`token create --office`); absent: every office.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
}

/// `GET /api/v1/session` with `Authorization: Bearer <token>`: 200 with name and role, 401 for
/// a missing, unknown or revoked token.
pub async fn session_show(StaffAuth(staff): StaffAuth) -> Json<SessionInfo> {
    Json(SessionInfo {
        name: staff.name,
        role: staff.role,
        office: staff.office,
    })
}
