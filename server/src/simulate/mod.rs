//! `queue-server simulate`: synthetic business days through the real domain code, to measure
//! every wait predictor against the waits that actually happen.
//!
//! Each day runs the real [`crate::domain::OfficeQueue`] on the real calendar with a simulated
//! clock (`day`): visitors arrive as a Poisson process shaped like a city-hall day (`arrivals`:
//! a rush at opening, a lunch dip, a second peak; Mondays and days after a holiday busier),
//! clerks open counters before opening, pause some over lunch, call, serve for lognormal times
//! around the configured means × the scenario's factor, record no-shows after a recall, cancel
//! for visitors who give up, and keep calling after reception ends until the line is empty.
//! Scenarios are configuration (`scenario`).
//!
//! At every issue each predictor estimates the wait from the same facts the server would build
//! (`office::queue_facts`, the capacity learned from the past simulated days, the configured
//! staffing plan) with a band from its own recent errors; the configured predictor's estimate is
//! what the ticket stores, as on the server. At the first call the actual wait is known and
//! each predictor is scored: mean absolute error of the point, coverage and width of the band,
//! by hour. The naive estimate "people ahead × 10 min ÷ open counters" is scored beside them.

pub mod arrivals;
pub mod cli;
mod day;
pub mod into;
mod scenario;

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use chrono_tz::Asia::Tokyo;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::json;

pub use self::arrivals::arrivals_per_hour;
pub use self::scenario::{Scenario, SimulationConfig};
use crate::calendar;
use crate::config::{Config, OfficeConfig};
use crate::domain::{OfficeQueue, ShownEstimate, Ticket};
use crate::estimate::accuracy::{Accuracy, AccuracyByHour};
use crate::estimate::past::{LEARN_DAYS, PastDays};
use crate::estimate::predictors::band::{WINDOW, standardized_error};
use crate::estimate::{
    CapacityProfile, EstimatesConfig, PredictorEstimator, PredictorKind, StaffingPlan,
    WaitEstimate, minutes_between,
};
use crate::office::queue_facts;
use crate::protocol::CounterState;

/// The first simulated day: an ordinary spring date; the calendar (holidays, weekends) applies.
const FIRST_DAY: (i32, u32, u32) = (2026, 4, 1);
/// Minutes per person in the naive estimate (a renewal, domain R6).
const NAIVE_MINUTES_PER_PERSON: f64 = 10.0;
/// "A short queue" for the band-width target: fewer than this many ahead.
pub const SHORT_QUEUE: u32 = 5;

/// Why a simulation cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// `--scenario` names no configured scenario.
    #[error("unknown scenario {0:?} (configured: {1})")]
    UnknownScenario(String, String),
    /// The configuration has no scenario.
    #[error("no simulation scenario configured ([[simulation.scenarios]])")]
    NoScenario,
    /// The scenario names an unknown office.
    #[error("scenario {0:?}: unknown office {1:?}")]
    UnknownOffice(String, String),
    /// No open day within reach of the calendar.
    #[error("the office has no open day to simulate")]
    NoOpenDay,
}

/// One predictor's scores.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictorReport {
    /// Its name (`qlr`).
    pub name: &'static str,
    /// Whether it is the configured one (what screens show).
    pub default: bool,
    /// Every measured ticket, and by hour of issue.
    pub accuracy: AccuracyByHour,
    /// Tickets with fewer than [`SHORT_QUEUE`] people ahead at issue.
    pub short_queue: Accuracy,
}

/// What a simulation measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The scenario's name.
    pub scenario: String,
    /// Business days simulated.
    pub days: u32,
    /// Tickets issued.
    pub tickets: u64,
    /// Per predictor, in [`PredictorKind::ALL`] order.
    pub predictors: Vec<PredictorReport>,
    /// The naive estimate (its band is the point alone).
    pub naive: AccuracyByHour,
    /// Mean actual wait in the afternoon (13:00–17:45 issues), minutes: how heavy the days were.
    pub afternoon_mean_wait: f64,
    /// Share of afternoon waits of an hour or more.
    pub afternoon_hour_plus: f64,
}

impl Report {
    /// The JSON `simulate --json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        let by_hour = |a: &AccuracyByHour| {
            a.by_hour
                .iter()
                .map(|(h, acc)| (h.to_string(), json!(round(acc.mae_minutes()))))
                .collect::<serde_json::Map<_, _>>()
        };
        json!({
            "days": self.days,
            "tickets": self.tickets,
            "scenario": self.scenario,
            "measured": self.naive.overall.tickets,
            "predictors": self.predictors.iter().map(|p| json!({
                "name": p.name,
                "default": p.default,
                "mae_minutes": round(p.accuracy.overall.mae_minutes()),
                "coverage": round(p.accuracy.overall.coverage()),
                "mean_band_minutes": round(p.accuracy.overall.mean_band_minutes()),
                "short_queue_mean_band_minutes": round(p.short_queue.mean_band_minutes()),
                "short_queue_coverage": round(p.short_queue.coverage()),
                "mae_by_hour": by_hour(&p.accuracy),
            })).collect::<Vec<_>>(),
            "naive": {
                "mae_minutes": round(self.naive.overall.mae_minutes()),
                "mae_by_hour": by_hour(&self.naive),
            },
            "afternoon_mean_wait_minutes": round(self.afternoon_mean_wait),
            "afternoon_hour_plus_share": round(self.afternoon_hour_plus),
        })
    }

    /// The plain-text table `simulate` prints (Markdown, so docs can hold it verbatim).
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "scenario {}: {} days, {} tickets ({} measured); afternoon mean wait {:.0} min, {:.0} % of afternoon waits ≥ 1 h\n\n",
            self.scenario,
            self.days,
            self.tickets,
            self.naive.overall.tickets,
            self.afternoon_mean_wait,
            self.afternoon_hour_plus * 100.0
        );
        out.push_str(
            "| predictor | MAE (min) | coverage | mean band (min) | band, < 5 ahead (min) |\n",
        );
        out.push_str("|---|---:|---:|---:|---:|\n");
        for p in &self.predictors {
            out.push_str(&format!(
                "| {}{} | {:.1} | {:.2} | {:.1} | {:.1} |\n",
                p.name,
                if p.default { " (default)" } else { "" },
                p.accuracy.overall.mae_minutes(),
                p.accuracy.overall.coverage(),
                p.accuracy.overall.mean_band_minutes(),
                p.short_queue.mean_band_minutes(),
            ));
        }
        out.push_str(&format!(
            "| naive (ahead × 10 ÷ open) | {:.1} | – | – | – |\n\nMAE (min) by hour of issue:\n\n",
            self.naive.overall.mae_minutes()
        ));
        let hours: Vec<u32> = self.naive.by_hour.keys().copied().collect();
        out.push_str("| predictor |");
        for h in &hours {
            out.push_str(&format!(" {h}h |"));
        }
        out.push('\n');
        out.push_str("|---|");
        for _ in &hours {
            out.push_str("---:|");
        }
        out.push('\n');
        let mut row = |name: &str, a: &AccuracyByHour| {
            out.push_str(&format!("| {name} |"));
            for h in &hours {
                match a.by_hour.get(h) {
                    Some(acc) => out.push_str(&format!(" {:.1} |", acc.mae_minutes())),
                    None => out.push_str(" – |"),
                }
            }
            out.push('\n');
        };
        for p in &self.predictors {
            row(p.name, &p.accuracy);
        }
        row("naive", &self.naive);
        out
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Runs `days` business days of `scenario` (the first configured when `None`) with `seed`.
pub fn run(
    config: &Config,
    scenario: Option<&str>,
    days: u32,
    seed: u64,
) -> Result<Report, SimulateError> {
    run_days(config, scenario, days, seed, false)
}

/// Like [`run`]; with `fresh`, every day starts as a newly installed office would: no past days
/// to learn the day's capacity from and no past errors for the band, only what the day itself
/// shows (`simulate --fresh`, what `examples/real_day.rs` plays on the real server).
pub fn run_days(
    config: &Config,
    scenario: Option<&str>,
    days: u32,
    seed: u64,
    fresh: bool,
) -> Result<Report, SimulateError> {
    let scenario = match scenario {
        Some(name) => config.simulation.scenario(name).ok_or_else(|| {
            let names: Vec<&str> = config
                .simulation
                .scenarios
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            SimulateError::UnknownScenario(name.to_string(), names.join(", "))
        })?,
        None => config
            .simulation
            .scenarios
            .first()
            .ok_or(SimulateError::NoScenario)?,
    };
    let office = match &scenario.office {
        Some(id) => config
            .office(id)
            .ok_or_else(|| SimulateError::UnknownOffice(scenario.name.clone(), id.clone()))?,
        None => config.offices.first().ok_or(SimulateError::NoOpenDay)?,
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut judge = Judge::new(config, &config.estimates);
    let mut past: Vec<Vec<Ticket>> = Vec::new();
    // Minutes of each day's ended pauses, day by day beside `past`.
    let mut past_pauses: Vec<Vec<f64>> = Vec::new();
    let mut date = NaiveDate::from_ymd_opt(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2)
        .ok_or(SimulateError::NoOpenDay)?;
    let mut simulated = 0;
    let mut tickets = 0;
    let mut idle_days = 0;
    let mut next_id = 0;
    while simulated < days {
        let plan = calendar::day_plan(&office.schedule, date);
        let Some(hours) = plan.hours else {
            date += Duration::days(1);
            idle_days += 1;
            if idle_days > 400 {
                return Err(SimulateError::NoOpenDay);
            }
            continue;
        };
        idle_days = 0;
        let busy = busy_day(office, date);
        if fresh {
            judge.profile = None;
            judge.pauses.clear();
            judge.errors.iter_mut().for_each(Vec::clear);
        }
        let day = day::Day::new(config, office, scenario, date, hours, next_id);
        let queue = day.run(&mut rng, busy, &mut judge);
        next_id += queue.tickets().len() as i64 + 1;
        tickets += queue.tickets().len() as u64;
        past.push(queue.tickets().cloned().collect());
        let cutoff = date - Duration::days(LEARN_DAYS);
        past.retain(|day| day.first().is_none_or(|t| t.business_date > cutoff));
        let flat: Vec<Ticket> = past.iter().flatten().cloned().collect();
        judge.profile = PastDays::learn(&flat).profile;
        past_pauses.push(queue.ended_pause_minutes());
        // The same days as `past` (the oldest leave first).
        while past_pauses.len() > past.len() {
            past_pauses.remove(0);
        }
        judge.pauses = past_pauses.iter().flatten().copied().collect();
        simulated += 1;
        date += Duration::days(1);
    }
    Ok(judge.report(scenario.name.clone(), days, tickets))
}

/// Mondays and the first open day after a closed weekday (a holiday) are busier.
fn busy_day(office: &OfficeConfig, date: NaiveDate) -> bool {
    let yesterday = date - Duration::days(1);
    date.weekday() == Weekday::Mon
        || (yesterday.weekday().num_days_from_monday() < 5
            && calendar::day_plan(&office.schedule, yesterday)
                .hours
                .is_none())
}

/// What one ticket was told at issue, per predictor, until its first call.
struct Pending {
    issued_at: DateTime<Utc>,
    hour: u32,
    ahead: u32,
    naive: f64,
    /// Per predictor: point and band.
    shown: Vec<(f64, (u32, u32))>,
}

/// Scores every predictor as the days run.
struct Judge<'a> {
    config: &'a Config,
    estimators: Vec<(PredictorKind, PredictorEstimator)>,
    default: PredictorKind,
    plan: Option<std::sync::Arc<StaffingPlan>>,
    profile: Option<std::sync::Arc<CapacityProfile>>,
    /// Minutes of the ended pauses of the past days learned from.
    pauses: Vec<f64>,
    /// Each predictor's standardized errors, oldest first (the band's evidence).
    errors: Vec<Vec<f64>>,
    pending: HashMap<i64, Pending>,
    next: Option<Pending>,
    reports: Vec<PredictorReport>,
    naive: AccuracyByHour,
    afternoon: (f64, u64, u64),
}

impl<'a> Judge<'a> {
    fn new(config: &'a Config, estimates: &EstimatesConfig) -> Self {
        let estimators = PredictorKind::ALL
            .iter()
            .map(|&kind| {
                (
                    kind,
                    PredictorEstimator::from_config(&EstimatesConfig {
                        predictor: kind,
                        ..estimates.clone()
                    }),
                )
            })
            .collect::<Vec<_>>();
        Self {
            config,
            reports: estimators
                .iter()
                .map(|(kind, e)| PredictorReport {
                    name: e.predictor.name(),
                    default: *kind == estimates.predictor,
                    accuracy: AccuracyByHour::default(),
                    short_queue: Accuracy::default(),
                })
                .collect(),
            errors: vec![Vec::new(); estimators.len()],
            estimators,
            default: estimates.predictor,
            plan: estimates.plan(),
            profile: None,
            pauses: Vec::new(),
            pending: HashMap::new(),
            next: None,
            naive: AccuracyByHour::default(),
            afternoon: (0.0, 0, 0),
        }
    }

    fn report(self, scenario: String, days: u32, tickets: u64) -> Report {
        let (sum, count, long) = self.afternoon;
        let share = |x: f64| if count == 0 { 0.0 } else { x / count as f64 };
        Report {
            scenario,
            days,
            tickets,
            predictors: self.reports,
            naive: self.naive,
            afternoon_mean_wait: share(sum),
            afternoon_hour_plus: share(long as f64),
        }
    }
}

impl day::Observer for Judge<'_> {
    fn before_issue(
        &mut self,
        queue: &OfficeQueue,
        now: DateTime<Utc>,
        service: &str,
    ) -> Option<ShownEstimate> {
        self.next = None;
        let mut facts = queue_facts(queue, self.config, now);
        facts.history.capacity_profile = self.profile.clone();
        facts.history.staffing_plan = self.plan.clone();
        facts.history.ended_pauses.extend_from_slice(&self.pauses);
        let mut shown = Vec::with_capacity(self.estimators.len());
        let mut default = None;
        for (i, (kind, estimator)) in self.estimators.iter().enumerate() {
            let (point, band) = match estimator.estimate_one(&facts, service, &self.errors[i]) {
                WaitEstimate::Minutes { point, min, max } => (point, (min, max)),
                WaitEstimate::NoCounterOpen => return None,
            };
            if *kind == self.default {
                default = Some(ShownEstimate::new(band.0, band.1, point));
            }
            shown.push((point, band));
        }
        let ahead = queue.ahead_of_new(service);
        let open = queue
            .counters()
            .iter()
            .filter(|c| c.state == CounterState::Open && c.services.iter().any(|s| s == service))
            .count()
            .max(1);
        self.next = Some(Pending {
            issued_at: now,
            hour: now.with_timezone(&Tokyo).hour(),
            ahead,
            naive: f64::from(ahead) * NAIVE_MINUTES_PER_PERSON / open as f64,
            shown,
        });
        default
    }

    fn issued(&mut self, ticket: i64) {
        if let Some(pending) = self.next.take() {
            self.pending.insert(ticket, pending);
        }
    }

    fn first_called(&mut self, _queue: &OfficeQueue, ticket: i64, now: DateTime<Utc>) {
        let Some(p) = self.pending.remove(&ticket) else {
            return;
        };
        let actual = minutes_between(p.issued_at, now);
        for (i, &(point, band)) in p.shown.iter().enumerate() {
            let report = &mut self.reports[i];
            report.accuracy.add(p.hour, point, band, actual);
            if p.ahead < SHORT_QUEUE {
                report.short_queue.add(point, band, actual);
            }
            let errors = &mut self.errors[i];
            errors.push(standardized_error(point, actual));
            if errors.len() > 2 * WINDOW {
                errors.drain(..WINDOW);
            }
        }
        self.naive.add(p.hour, p.naive, (0, 0), actual);
        if p.hour >= 13 {
            self.afternoon.0 += actual;
            self.afternoon.1 += 1;
            if actual >= 60.0 {
                self.afternoon.2 += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests;
