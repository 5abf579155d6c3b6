//! `GET /healthz`: a health check that tells the truth. It answers 200 only when each office
//! task runs, each office published recently, and the store answers; otherwise 503 with the
//! failing checks named (`queue_protocol::health`). It reads no clock but the process's own:
//! an office republishes at least every refresh interval, so "recent" is measured in real time.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::protocol::{Health, HealthCheck, HealthCheckName, HealthStatus};

/// How long the store may take to answer before the check fails (the writer may be finishing
/// a batch; a longer wait means commands are waiting too).
pub const STORE_ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// `GET /healthz`.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let mut checks = Vec::new();
    for office in &state.config.offices {
        let Some(handle) = state.offices.get(&office.id) else {
            continue;
        };
        let running = handle.is_running();
        checks.push(HealthCheck {
            check: HealthCheckName::OfficeTask,
            office: Some(office.id.clone()),
            ok: running,
            detail: (!running).then(|| "the office task has stopped".to_string()),
        });
        let age = handle.latest().published_at.elapsed();
        let recent = age <= state.stale_publish;
        checks.push(HealthCheck {
            check: HealthCheckName::LastPublish,
            office: Some(office.id.clone()),
            ok: recent,
            detail: Some(format!("{} s ago", age.as_secs())),
        });
    }
    let store = match tokio::time::timeout(STORE_ANSWER_WITHIN, state.store.answers()).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(error.to_string()),
        Err(_) => Some(format!(
            "no answer within {} s",
            STORE_ANSWER_WITHIN.as_secs()
        )),
    };
    checks.push(HealthCheck {
        check: HealthCheckName::Store,
        office: None,
        ok: store.is_none(),
        detail: store,
    });
    let health = summary(checks);
    let status = match health.status {
        HealthStatus::Ok => StatusCode::OK,
        _ => {
            tracing::warn!(failing = ?health.failing, "health check failing");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    (status, Json(health)).into_response()
}

/// The overall answer of `checks`: ok when all passed, else the failed checks, each once.
fn summary(checks: Vec<HealthCheck>) -> Health {
    let mut failing = Vec::new();
    for check in checks.iter().filter(|check| !check.ok) {
        if !failing.contains(&check.check) {
            failing.push(check.check);
        }
    }
    Health {
        status: if failing.is_empty() {
            HealthStatus::Ok
        } else {
            HealthStatus::Failing
        },
        failing,
        checks,
    }
}
