//! Point predictors of the wait, one trait and five models, and the estimator that wraps the
//! configured one with a band sized from its own recent errors.
//!
//! Every predictor answers the same question for a ticket issued at `facts.now`: how many
//! minutes until it is first called? They share one gate, from the facts rather than a model:
//! with no open counter for the service there is no number, and when fewer people are ahead
//! than counters stand free the ticket is called at once. Beyond that gate:
//!
//! - **QL** (`ql`, [`crate::estimate::QueueLengthEstimator`]): work ahead ÷ the counters serving
//!   it, with service times learned today.
//! - **HOL** (`hol`, [`HeadOfLine`]): the elapsed wait of the first in line.
//! - **LES** (`les`, [`LastToEnterService`]): the wait of the last ticket called.
//! - **EWMA** (`ewma`, [`RecentWaits`]): an exponentially weighted average of today's waits.
//! - **Refined QL** (`qlr`, [`RefinedQueueLength`]): QL's work ahead drained at the capacity the
//!   office will have over the coming period: from a staffing plan when one is configured, else
//!   from the throughput learned per half hour of past days.
//!
//! Ibrahim & Whitt (2009, 2011) show that the delay-history predictors (HOL, LES, EWMA) are
//! biased exactly when load swings between overload and underload (the morning rush, the lunch
//! dip) and that queue-length predictors that know the staffing do better; `queue-server
//! simulate` measures all five on our own days (docs/estimates.md).

pub mod band;
mod ewma;
mod head_of_line;
mod last_to_enter;
mod refined;
pub mod residual;

use std::fmt::Debug;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use self::band::{Band, BandConfig};
pub use self::ewma::RecentWaits;
pub use self::head_of_line::HeadOfLine;
pub use self::last_to_enter::LastToEnterService;
pub use self::refined::{
    CapacityProfile, DEFAULT_PAUSE_PRIOR_MINUTES, LineStay, PauseModel, RefinedQueueLength,
    StaffingPlan, StaffingSlot,
};
pub use self::residual::FinishHabit;
use super::{Estimator, QueueFacts, QueueLengthEstimator, ServiceEstimate, WaitEstimate};

/// What a predictor says about a ticket issued now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outlook {
    /// No open counter serves the service: no number can be given.
    NoCounterOpen,
    /// A counter is free and nobody is ahead: called at once.
    CalledAtOnce,
    /// A wait of `minutes`; the rest are the queue-length model's parts, kept for predictors
    /// that refine it.
    Wait {
        /// The point estimate, minutes.
        minutes: f64,
        /// Counter-minutes of work ahead (queue-length model): the line and the time left at
        /// the counters.
        work: f64,
        /// Weight of the counters serving it now (queue-length model).
        counters: f64,
        /// Tickets ahead that these counters will take (shares of other services' lines).
        ahead: f64,
        /// Counter-minutes of the line ahead alone, without the time left at the counters.
        queued: f64,
    },
}

impl Outlook {
    /// The point in minutes, if there is one (0 when called at once).
    pub fn minutes(&self) -> Option<f64> {
        match *self {
            Self::NoCounterOpen => None,
            Self::CalledAtOnce => Some(0.0),
            Self::Wait { minutes, .. } => Some(minutes),
        }
    }
}

/// A point predictor of the wait until a ticket is first called.
///
/// `Send + Sync` because one predictor serves every office task; `Debug` so settings print.
pub trait Predictor: Send + Sync + Debug {
    /// The predictor's short name, as configuration and the simulate table spell it.
    fn name(&self) -> &'static str;

    /// The outlook of a ticket of `service` issued at `facts.now`.
    fn point(&self, facts: &QueueFacts, service: &str) -> Outlook;
}

/// The gate every predictor shares, then `own` for an actual wait: the facts decide "no
/// counter" and "called at once", the model only the number of minutes.
pub(crate) fn gated(
    facts: &QueueFacts,
    service: &str,
    own: impl FnOnce(&QueueFacts) -> f64,
) -> Outlook {
    match QueueLengthEstimator::default().work_ahead(facts, service) {
        Outlook::Wait {
            work,
            counters,
            ahead,
            queued,
            ..
        } => Outlook::Wait {
            minutes: clamp_minutes(own(facts)),
            work,
            counters,
            ahead,
            queued,
        },
        other => other,
    }
}

/// Predictions beyond this are shown as this: keeps bands representable.
const MAX_MINUTES: f64 = 100_000.0;

fn clamp_minutes(minutes: f64) -> f64 {
    if minutes.is_finite() {
        minutes.clamp(0.0, MAX_MINUTES)
    } else {
        0.0
    }
}

/// The predictors configuration can choose, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PredictorKind {
    /// Queue length (today's model).
    Ql,
    /// Head of line.
    Hol,
    /// Last to enter service.
    Les,
    /// Exponentially weighted moving average of recent waits.
    Ewma,
    /// Refined queue length: learned capacity by time of day, or the staffing plan.
    Qlr,
}

impl PredictorKind {
    /// Every predictor, in the order tables list them.
    pub const ALL: [Self; 5] = [Self::Ql, Self::Hol, Self::Les, Self::Ewma, Self::Qlr];

    /// The predictor of this kind with its documented tuning.
    pub fn build(self) -> Arc<dyn Predictor> {
        match self {
            Self::Ql => Arc::new(QueueLengthEstimator::default()),
            Self::Hol => Arc::new(HeadOfLine),
            Self::Les => Arc::new(LastToEnterService),
            Self::Ewma => Arc::new(RecentWaits::default()),
            Self::Qlr => Arc::new(RefinedQueueLength::default()),
        }
    }
}

impl PredictorKind {
    /// The predictor of this kind with the configuration's tuning (the pause prior of `qlr`).
    pub fn build_with(self, config: &EstimatesConfig) -> Arc<dyn Predictor> {
        match self {
            Self::Qlr => Arc::new(RefinedQueueLength {
                pause: PauseModel {
                    prior_minutes: config.pause_prior_minutes,
                },
                ..RefinedQueueLength::default()
            }),
            other => other.build(),
        }
    }
}

/// `[estimates]` in the configuration: which predictor the screens show, how its band is
/// sized, and the staffing plan if the office has one (the default has none).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstimatesConfig {
    /// The predictor shown to visitors (default `qlr`, the best in `queue-server simulate`).
    #[serde(default = "default_predictor")]
    pub predictor: PredictorKind,
    /// How the band around the point is sized.
    #[serde(default)]
    pub band: BandConfig,
    /// Counters scheduled to be open by time of day; absent: the refined predictor learns the
    /// day's shape from past days instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staffing: Option<Vec<StaffingSlot>>,
    /// Minutes a pause is expected to last before the office has ended any of its own: a
    /// paused counter counts as away until then (`qlr` without a plan or past days). A default
    /// to tune (a city hall's lunch pause is typically about an hour), not a rule; the office's
    /// own ended pauses take over as they come.
    #[serde(default = "default_pause_prior")]
    pub pause_prior_minutes: f64,
}

fn default_pause_prior() -> f64 {
    DEFAULT_PAUSE_PRIOR_MINUTES
}

fn default_predictor() -> PredictorKind {
    PredictorKind::Qlr
}

impl Default for EstimatesConfig {
    fn default() -> Self {
        Self {
            predictor: default_predictor(),
            band: BandConfig::default(),
            staffing: None,
            pause_prior_minutes: default_pause_prior(),
        }
    }
}

impl EstimatesConfig {
    /// Checks the band and the plan; the reason names the key at fault.
    pub fn validate(&self) -> Result<(), (String, String)> {
        self.band.validate().map_err(|why| ("band".into(), why))?;
        if !(self.pause_prior_minutes.is_finite() && self.pause_prior_minutes > 0.0) {
            return Err((
                "pause_prior_minutes".into(),
                "must be a positive number of minutes".into(),
            ));
        }
        if let Some(slots) = &self.staffing {
            StaffingPlan::new(slots.clone()).map_err(|why| ("staffing".to_string(), why))?;
        }
        Ok(())
    }

    /// The staffing plan, if one is configured (validated at load).
    pub fn plan(&self) -> Option<Arc<StaffingPlan>> {
        self.staffing
            .as_ref()
            .and_then(|slots| StaffingPlan::new(slots.clone()).ok())
            .map(Arc::new)
    }
}

/// The estimator the server runs: a point predictor and a band from its own recent errors.
#[derive(Clone, Debug)]
pub struct PredictorEstimator {
    /// The point predictor.
    pub predictor: Arc<dyn Predictor>,
    /// How the band is sized.
    pub band: Band,
}

impl PredictorEstimator {
    /// The configured predictor and band.
    pub fn from_config(config: &EstimatesConfig) -> Self {
        Self {
            predictor: config.predictor.build_with(config),
            band: Band::new(config.band.clone()),
        }
    }

    /// The estimate of one service, the band sized from `errors` (standardized errors of this
    /// predictor, oldest first; see [`band`]).
    pub fn estimate_one(&self, facts: &QueueFacts, service: &str, errors: &[f64]) -> WaitEstimate {
        self.estimate_within(facts, service, || self.band.quantiles(errors))
    }

    /// The estimate of one service, the band from `quantiles` (asked only for a wait).
    fn estimate_within(
        &self,
        facts: &QueueFacts,
        service: &str,
        quantiles: impl FnOnce() -> (f64, f64),
    ) -> WaitEstimate {
        match self.predictor.point(facts, service) {
            Outlook::NoCounterOpen => WaitEstimate::NoCounterOpen,
            Outlook::CalledAtOnce => WaitEstimate::NO_WAIT,
            Outlook::Wait { minutes, .. } => self.band.around_quantiles(minutes, quantiles),
        }
    }
}

impl Estimator for PredictorEstimator {
    /// Bands from the errors of earlier days (`history.past_errors`) followed by today's ended
    /// waits that showed a point (made by this same predictor: the office shows only it).
    fn estimate(&self, facts: &QueueFacts) -> Vec<ServiceEstimate> {
        // Only the last `band::WINDOW` errors size the band: today's newest, then earlier
        // days' latest if today has fewer (a busy day's thousands are never all read).
        let mut today: Vec<f64> = facts
            .history
            .called
            .iter()
            .rev()
            .filter_map(|ended| {
                let point = ended.shown_point?;
                Some(band::standardized_error(point, ended.wait_minutes()))
            })
            .take(band::WINDOW)
            .collect();
        today.reverse();
        let past = &facts.history.past_errors;
        let from_past = band::WINDOW - today.len();
        let mut errors = past[past.len().saturating_sub(from_past)..].to_vec();
        errors.extend(today);
        // The same errors for every service: their quantiles are sorted out once.
        let quantiles = std::cell::OnceCell::new();
        facts
            .services
            .iter()
            .map(|service| ServiceEstimate {
                service: service.id.clone(),
                waiting: service.waiting,
                wait: self.estimate_within(facts, &service.id, || {
                    *quantiles.get_or_init(|| self.band.quantiles(&errors))
                }),
            })
            .collect()
    }
}

/// The waits that ended today, newest last, as minutes.
pub(crate) fn recent_waits(facts: &QueueFacts) -> impl DoubleEndedIterator<Item = f64> + '_ {
    facts
        .history
        .called
        .iter()
        .map(|ended| ended.wait_minutes())
}

#[cfg(test)]
mod tests;
