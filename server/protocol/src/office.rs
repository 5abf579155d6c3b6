//! Offices and their services, as the API lists them and as a snapshot names them.

use serde::{Deserialize, Serialize};

/// An office as listed by `GET /api/v1/offices`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfficeInfo {
    /// Id used in paths (`main`).
    pub id: String,
    /// Japanese display name.
    pub name_ja: String,
    /// English display name.
    pub name_en: String,
    /// Services offered, in display order.
    pub services: Vec<ServiceInfo>,
    /// Counter ids.
    pub counters: Vec<String>,
}

/// `GET /api/v1/offices`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfficeList {
    /// Every configured office; the first is the default one.
    pub offices: Vec<OfficeInfo>,
}

/// A service offered at an office.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// Id used in requests (`renewal`).
    pub id: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Ticket number prefix (`R`).
    pub prefix: String,
    /// Configured mean service time, minutes.
    pub mean_service_minutes: f64,
}

/// Office identity in a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeName {
    /// Id used in paths.
    pub id: String,
    /// Japanese display name.
    pub name_ja: String,
    /// English display name.
    pub name_en: String,
}
