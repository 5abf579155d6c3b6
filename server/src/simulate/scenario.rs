//! Scenarios of `queue-server simulate`, as configuration data (`[[simulation.scenarios]]`):
//! how many come, how many counters are staffed and when, and how the day's service differs
//! from the configured means. None of it is told to the predictors.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// `[simulation]`: the scenarios, in the order tables list them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationConfig {
    /// The scenarios; the first is the default of `simulate`.
    #[serde(default)]
    pub scenarios: Vec<Scenario>,
}

impl SimulationConfig {
    /// The scenario with this name.
    pub fn scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// Checks every scenario; the key names the scenario's index.
    pub fn validate(&self) -> Result<(), (String, String)> {
        for (i, s) in self.scenarios.iter().enumerate() {
            let key = |field: &str| format!("scenarios[{i}].{field}");
            let positive = |x: f64| x.is_finite() && x > 0.0;
            let share = |x: f64| x.is_finite() && (0.0..1.0).contains(&x);
            if s.name.is_empty() {
                return Err((key("name"), "must not be empty".into()));
            }
            if !positive(s.tickets_per_day) {
                return Err((key("tickets_per_day"), "must be above 0".into()));
            }
            if s.staffed_counters == 0 {
                return Err((key("staffed_counters"), "at least one counter".into()));
            }
            if s.lunch_paused > s.staffed_counters {
                return Err((key("lunch_paused"), "more than staffed_counters".into()));
            }
            if !positive(s.service_time_factor) || !positive(s.service_sigma) {
                return Err((key("service_time_factor"), "must be above 0".into()));
            }
            if !positive(s.busy_day_factor) {
                return Err((key("busy_day_factor"), "must be above 0".into()));
            }
            if !share(s.no_show_rate) || !share(s.cancel_rate) {
                return Err((key("no_show_rate"), "shares must be in 0 ≤ x < 1".into()));
            }
            if !positive(s.patience_minutes) {
                return Err((key("patience_minutes"), "must be above 0".into()));
            }
        }
        Ok(())
    }
}

fn default_factor() -> f64 {
    1.0
}
fn default_sigma() -> f64 {
    0.35
}
fn default_busy() -> f64 {
    1.25
}
fn default_no_show() -> f64 {
    0.04
}
fn default_cancel() -> f64 {
    0.03
}
fn default_patience() -> f64 {
    60.0
}

/// One kind of day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name on the command line (`--scenario heavy`).
    pub name: String,
    /// Office simulated (default: the first configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    /// Mean tickets on an ordinary day (Mondays and days after a holiday get more).
    pub tickets_per_day: f64,
    /// Counters staffed (the first ones of the office); the others stay closed.
    pub staffed_counters: usize,
    /// Staffed counters paused from 12:00 to 13:00 (the lunch dip in staffing).
    #[serde(default)]
    pub lunch_paused: usize,
    /// One staffed counter is closed until this time (a counter down all morning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter_down_until: Option<NaiveTime>,
    /// Actual service means ÷ configured means (1.2: this office is slower than configured).
    #[serde(default = "default_factor")]
    pub service_time_factor: f64,
    /// Spread of service times (sigma of the lognormal's underlying normal).
    #[serde(default = "default_sigma")]
    pub service_sigma: f64,
    /// Arrivals on Mondays and days after a holiday, × an ordinary day's.
    #[serde(default = "default_busy")]
    pub busy_day_factor: f64,
    /// Share of called visitors who never come (recalled once, then a no-show).
    #[serde(default = "default_no_show")]
    pub no_show_rate: f64,
    /// Share of visitors who give up if not called within their patience (staff cancel).
    #[serde(default = "default_cancel")]
    pub cancel_rate: f64,
    /// Mean patience of those who give up, minutes (exponential).
    #[serde(default = "default_patience")]
    pub patience_minutes: f64,
}
