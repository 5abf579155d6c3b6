//! Wait estimates and the office's congestion level.
//!
//! A visitor's real question is "how long will I wait?" (docs/domain.md, *What follows for the
//! product*), and the main office publishes its congestion status (domain R5). This module answers
//! both from a plain description of the queue ([`QueueFacts`]): it is pure, takes the current
//! instant as data and never reads a clock, so the same facts always give the same estimate.
//!
//! - [`Estimator`] is the seam the office publishes through. [`PredictorEstimator`] is the one
//!   the server runs: a point [`Predictor`] chosen in configuration (queue-length, head-of-line,
//!   last-to-enter-service, EWMA of recent waits, refined queue-length; see `predictors`) and a
//!   band sized from that predictor's own recent errors (see `predictors::band`).
//!   [`QueueLengthEstimator`] is the original model (see `queue_length`).
//! - [`accuracy`] measures shown estimates against actual waits (the `accuracy` command,
//!   `/metrics`, the simulator).
//! - [`WaitEstimate`] is what a screen shows per service: a band of minutes, or "no counter open".
//! - [`congestion()`] turns the estimates into one of four lamp colours ([`CongestionLevel`]) using
//!   thresholds that are configuration data ([`CongestionThresholds`]).

pub mod accuracy;
mod congestion;
pub mod past;
pub mod predictors;
mod queue_length;
mod service_time;
mod wait;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use self::congestion::{CongestionLevel, CongestionThresholds, congestion};
pub use self::predictors::{
    CapacityProfile, EstimatesConfig, FinishHabit, Predictor, PredictorEstimator, PredictorKind,
    StaffingPlan,
};
pub use self::queue_length::QueueLengthEstimator;
pub use self::wait::WaitEstimate;

/// Turns a description of the queue into one wait estimate per service.
///
/// A trait so that the model can be measured and replaced (DESIGN, *Estimate accuracy*) without
/// touching the code that builds the facts or shows the result. `Send + Sync` because one
/// estimator is shared by every office task.
pub trait Estimator: Send + Sync {
    /// Estimates, in the order of `facts.services`, how long a ticket issued at `facts.now` for
    /// each service would wait before being called.
    fn estimate(&self, facts: &QueueFacts) -> Vec<ServiceEstimate>;
}

/// Everything the estimator may know about one office's queue at one instant.
///
/// Built by the caller from the live queue each time its snapshot changes, so the estimator
/// needs no access to the store or the clock.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueFacts {
    /// The instant the estimate is for; elapsed service times are measured up to it.
    pub now: DateTime<Utc>,
    /// The office's services; the estimate has one entry per service, in this order.
    pub services: Vec<ServiceFacts>,
    /// The office's counters, whatever their state: only open (and, partly, paused) ones serve.
    pub counters: Vec<CounterFacts>,
    /// The head of the waiting line, today's ended waits, and what is known of the day's
    /// capacity: what the delay-history and refined predictors read.
    pub history: QueueHistory,
}

/// What the predictors beyond queue length need: how long the first in line has waited, the
/// waits already ended today, and the office's capacity over the day (learned, or from a
/// staffing plan).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueHistory {
    /// When the first ticket in line (the oldest waiting, whom call-next takes first) was
    /// issued; `None` when nobody waits. The predictors read the line's counts from
    /// [`ServiceFacts`] and only its head from here, so a publish does not pass over a long
    /// line.
    pub head_issued_at: Option<DateTime<Utc>>,
    /// Today's tickets that have been called, in the order of their first call.
    pub called: imbl::Vector<EndedWait>,
    /// Throughput by time of day learned from past days, if there are any.
    pub capacity_profile: Option<std::sync::Arc<CapacityProfile>>,
    /// Counters scheduled to be open over the day, when a staffing plan is configured.
    pub staffing_plan: Option<std::sync::Arc<StaffingPlan>>,
    /// Standardized errors of the shown predictor on earlier days, oldest first: the band's
    /// evidence until today has its own (see `predictors::band`).
    pub past_errors: Vec<f64>,
    /// Whether today's clerks report finishes or only call the next (see
    /// `predictors::residual`): tells whether a counter shown busy may be free already.
    pub finish_habit: FinishHabit,
    /// Minutes each of the office's ended pauses lasted (today's, and past days' where they
    /// are known): what a paused counter's expected return is learned from.
    pub ended_pauses: Vec<f64>,
}

/// A ticket whose wait ended today (it was called).
#[derive(Clone, Debug, PartialEq)]
pub struct EndedWait {
    /// Its service id.
    pub service: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// When it was first called.
    pub called_at: DateTime<Utc>,
    /// The point estimate shown at issue, minutes, if one was shown.
    pub shown_point: Option<f64>,
}

impl EndedWait {
    /// The actual wait, minutes.
    pub fn wait_minutes(&self) -> f64 {
        minutes_between(self.issued_at, self.called_at)
    }
}

/// Minutes from `from` to `to` (negative if `to` is earlier).
pub fn minutes_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds() as f64 / 60_000.0
}

/// One service of the office: what it is configured to take and what happened today.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceFacts {
    /// The service id, as counters list it in [`CounterFacts::services`].
    pub id: String,
    /// The configured mean service time in minutes (a renewal takes about 10, domain R6); the
    /// prior that today's observations refine.
    pub configured_mean_minutes: f64,
    /// Tickets of this service waiting to be called (not those already at a counter).
    pub waiting: u32,
    /// Minutes today's ended tickets of this kind held their counter (call → finish or
    /// no-show; finishes that include idle time left out), from which the mean is learned.
    pub finished_today_minutes: imbl::Vector<f64>,
}

/// One counter (窓口) of the office.
#[derive(Clone, Debug, PartialEq)]
pub struct CounterFacts {
    /// The counter id, used only to tell counters apart.
    pub id: String,
    /// Whether the counter is serving, on a short pause, or closed for now.
    pub state: CounterAvailability,
    /// The services this counter may call (call-next takes the longest-waiting of them).
    pub services: Vec<String>,
    /// The ticket being served at this counter, if any.
    pub current: Option<InService>,
    /// When its pause began, if it is paused and that is known: tells how much of a pause is
    /// left (see `predictors::refined`, [`predictors::PauseModel`]).
    pub paused_since: Option<DateTime<Utc>>,
}

/// Whether a counter takes part in serving the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterAvailability {
    /// Staffed and calling tickets.
    Open,
    /// Staffed but not calling for a while (a break, paperwork); expected back soon.
    Paused,
    /// Not serving.
    Closed,
}

/// The ticket a counter is serving right now.
#[derive(Clone, Debug, PartialEq)]
pub struct InService {
    /// The ticket's service id, whose mean time tells how long it has left.
    pub service: String,
    /// When the ticket was called to the counter: it holds the counter from then on (the walk
    /// to the desk included), as the learned means measure it.
    pub since: DateTime<Utc>,
}

/// The estimate shown for one service: how many wait and how long a new ticket would wait.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceEstimate {
    /// The service id, copied from [`ServiceFacts::id`].
    pub service: String,
    /// People of this service waiting now, shown beside the wait ("3 people waiting").
    pub waiting: u32,
    /// How long a ticket issued now would wait to be called.
    pub wait: WaitEstimate,
}
