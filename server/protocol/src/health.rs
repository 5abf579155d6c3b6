//! `GET /healthz`: whether the server can do its job, check by check, so that a monitor (or the
//! person it wakes) sees which part failed. 200 when every check passes, 503 otherwise.

use serde::{Deserialize, Serialize};

wire_enum! {
    /// Whether every check passed.
    pub enum HealthStatus {
        /// Every check passed (200).
        Ok = "ok",
        /// At least one check failed (503); `failing` names them.
        Failing = "failing",
    }
}

wire_enum! {
    /// What one check looked at.
    pub enum HealthCheckName {
        /// The office's writer task is running (it takes every staff command).
        OfficeTask = "office_task",
        /// The office published recently (it republishes at least every refresh interval, so
        /// an old publish means a stuck task and screens that are about to say "not live").
        LastPublish = "last_publish",
        /// The database answers a query on the reading and the writing connection in time.
        Store = "store",
    }
}

/// Body of `/healthz`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` or `failing`.
    pub status: HealthStatus,
    /// The checks that failed, each named once, in the order of `checks` (empty when ok).
    pub failing: Vec<HealthCheckName>,
    /// Every check made.
    pub checks: Vec<HealthCheck>,
}

/// One check and its result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// What was checked.
    pub check: HealthCheckName,
    /// The office checked, for the per-office checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    /// Whether it passed.
    pub ok: bool,
    /// What was found, for people (an age, an error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
