//! Today's estimator: the work queued ahead of a new ticket, divided by the counters serving it.
//!
//! The model, for a ticket of service S issued now:
//!
//! 1. **Service times.** Each service's mean is the configured mean (as a few pseudo-observations)
//!    blended with today's finished durations, each clamped near the configured mean so one
//!    forgotten ticket cannot skew it (see `service_time`).
//! 2. **Counters for S.** The open counters that may serve S count 1 each; paused ones count
//!    `paused_counter_weight` (½ by default: a pause is usually a short break, so over a wait of
//!    20–40 minutes such a counter is back for part of it; counting it fully would promise too
//!    short a wait, ignoring it too long a one). Closed counters count 0. With no *open* counter
//!    for S there is no number: [`WaitEstimate::NoCounterOpen`].
//! 3. **Work ahead.** Call-next takes the longest-waiting ticket a counter may serve, whatever
//!    its service, so every waiting ticket of a service sharing a counter with S is ahead of the
//!    new ticket. A waiting ticket of service T is drawn by the counters that serve T in
//!    proportion to their weight, so the share of T's tickets that lands on S's counters is
//!    `weight(S's counters serving T) / weight(all counters serving T)`. The work ahead is those
//!    shares × the learned means, plus the time left of every ticket being served at S's counters.
//! 4. **Wait.** Work ahead ÷ the weight of S's counters. When every counter serves every
//!    service this is exactly (all waiting tickets × their means + time left in service) ÷
//!    counters. When fewer people are ahead than S's counters stand idle, the ticket is called
//!    at once: 0.
//! 5. **Range.** A standard deviation combines each ticket's own spread (coefficient of variation
//!    `service_time_cv`), the doubt in each learned mean (shrinking with more observations) and
//!    the spread of the time left in service; the range is the point ± `range_sigmas` of it,
//!    rounded outwards to `range_step_minutes`. More people ahead or fewer observations widen it.

use std::collections::HashMap;

use super::predictors::{Outlook, Predictor};
use super::service_time::{Blend, LearnedMean, learned_mean, remaining_minutes};
use super::{CounterAvailability, Estimator, QueueFacts, ServiceEstimate, WaitEstimate};

/// Points beyond this many minutes are shown as this: no real queue gets near it, and it keeps
/// the shown range representable.
const MAX_POINT_MINUTES: f64 = 100_000.0;

/// The queue-length wait estimator: work ahead ÷ counters, with service times learned today.
///
/// Every field is a tuning knob of the model; [`Default`] gives the values chosen for a
/// renewal counter. Out-of-range values are clamped, never a panic.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueLengthEstimator {
    /// How many pseudo-observations the configured mean is worth: a few, so the first
    /// services of the morning move it but do not replace it.
    pub prior_weight: f64,
    /// Today's durations below this fraction of the configured mean are raised to it (a ticket
    /// finished by mistake right after the call).
    pub observation_clamp_low: f64,
    /// Today's durations above this multiple of the configured mean are lowered to it (a ticket
    /// left open over a break).
    pub observation_clamp_high: f64,
    /// How much of a counter a paused one counts for, in 0..=1 (½: back for part of the wait).
    pub paused_counter_weight: f64,
    /// A service running past its mean is assumed to need still this fraction of the mean, so
    /// that the time left is small but never zero or negative.
    pub remaining_floor_fraction: f64,
    /// Spread of one service's duration relative to its mean; widens the range with more
    /// people ahead.
    pub service_time_cv: f64,
    /// Half-width of the shown range, in standard deviations of the wait.
    pub range_sigmas: f64,
    /// The shown range is rounded outwards to multiples of this (5: 「20～30分程度」).
    pub range_step_minutes: u32,
    /// The mean used for a service whose configured mean is not a positive number (which
    /// configuration should reject): about 10 minutes, a renewal (domain R6).
    pub fallback_mean_minutes: f64,
}

impl Default for QueueLengthEstimator {
    fn default() -> Self {
        Self {
            prior_weight: 3.0,
            observation_clamp_low: 0.25,
            observation_clamp_high: 3.0,
            paused_counter_weight: 0.5,
            remaining_floor_fraction: 0.2,
            service_time_cv: 0.5,
            range_sigmas: 1.0,
            range_step_minutes: 5,
            fallback_mean_minutes: 10.0,
        }
    }
}

impl Estimator for QueueLengthEstimator {
    fn estimate(&self, facts: &QueueFacts) -> Vec<ServiceEstimate> {
        let office = Office::from_facts(self, facts);
        facts
            .services
            .iter()
            .enumerate()
            .map(|(i, service)| {
                // A duplicated id is estimated as its first entry, which the counters refer to.
                let target = office.index.get(service.id.as_str()).copied().unwrap_or(i);
                ServiceEstimate {
                    service: service.id.clone(),
                    waiting: service.waiting,
                    wait: office.wait_for(self, target),
                }
            })
            .collect()
    }
}

impl QueueLengthEstimator {
    /// The model's parts for one service: no counter, no wait, or the work ahead and the
    /// counter weight sharing it. The refined predictor drains the same work over the day.
    pub(crate) fn work_ahead(&self, facts: &QueueFacts, service: &str) -> Outlook {
        let office = Office::from_facts(self, facts);
        match office.index.get(service) {
            Some(&target) => office.parts(self, target).0,
            None => Outlook::NoCounterOpen,
        }
    }

    /// Each service's mean time as learned today (configured mean blended with today's
    /// durations), by id.
    pub(crate) fn learned_means(&self, facts: &QueueFacts) -> HashMap<String, f64> {
        let office = Office::from_facts(self, facts);
        office
            .index
            .iter()
            .map(|(id, &i)| ((*id).to_string(), office.means[i].minutes))
            .collect()
    }
}

/// Today's queue-length predictor (QL): work ahead ÷ the counters serving it, as the module
/// docs describe; its point only (the band comes from its recent errors).
impl Predictor for QueueLengthEstimator {
    fn name(&self) -> &'static str {
        "ql"
    }

    fn point(&self, facts: &QueueFacts, service: &str) -> Outlook {
        self.work_ahead(facts, service)
    }
}

/// One counter as the model sees it.
struct Counter {
    /// 1 open, `paused_counter_weight` paused; closed counters are dropped.
    weight: f64,
    /// Open (not paused): only open counters make a number possible and can call at once.
    open: bool,
    /// Open and serving nobody.
    idle: bool,
    /// Indices into the office's services, without duplicates or unknown ids.
    services: Vec<usize>,
    /// Minutes left of the ticket in service, 0 if none.
    remaining: f64,
}

/// The office's facts, sanitised and indexed once per estimate.
struct Office<'a> {
    /// Service id → index of its first entry in the facts.
    index: HashMap<&'a str, usize>,
    /// Waiting tickets per service index.
    waiting: Vec<f64>,
    /// Learned mean per service index.
    means: Vec<LearnedMean>,
    /// Counters that take part (open or, with positive weight, paused).
    counters: Vec<Counter>,
    /// Total counter weight able to serve each service index.
    capacity: Vec<f64>,
}

impl<'a> Office<'a> {
    fn from_facts(tuning: &QueueLengthEstimator, facts: &'a QueueFacts) -> Self {
        let blend = Blend {
            prior_weight: non_negative(tuning.prior_weight),
            clamp_low: non_negative(tuning.observation_clamp_low),
            clamp_high: non_negative(tuning.observation_clamp_high),
            fallback_mean: if tuning.fallback_mean_minutes.is_finite()
                && tuning.fallback_mean_minutes > 0.0
            {
                tuning.fallback_mean_minutes
            } else {
                10.0
            },
        };
        let mut index = HashMap::new();
        for (i, s) in facts.services.iter().enumerate() {
            index.entry(s.id.as_str()).or_insert(i);
        }
        let means: Vec<LearnedMean> = facts
            .services
            .iter()
            .map(|s| learned_mean(s.configured_mean_minutes, &s.finished_today_minutes, blend))
            .collect();
        let paused_weight = non_negative(tuning.paused_counter_weight).min(1.0);
        let floor = non_negative(tuning.remaining_floor_fraction).min(1.0);
        let counters: Vec<Counter> = facts
            .counters
            .iter()
            .filter_map(|c| {
                let weight = match c.state {
                    CounterAvailability::Open => 1.0,
                    CounterAvailability::Paused => paused_weight,
                    CounterAvailability::Closed => 0.0,
                };
                if weight <= 0.0 {
                    return None;
                }
                let mut services: Vec<usize> = c
                    .services
                    .iter()
                    .filter_map(|id| index.get(id.as_str()).copied())
                    .collect();
                services.sort_unstable();
                services.dedup();
                let remaining = c.current.as_ref().map_or(0.0, |cur| {
                    let mean = index
                        .get(cur.service.as_str())
                        .map_or(blend.fallback_mean, |&i| means[i].minutes);
                    let elapsed = (facts.now - cur.since).num_milliseconds() as f64 / 60_000.0;
                    remaining_minutes(mean, elapsed, floor)
                });
                let open = c.state == CounterAvailability::Open;
                Some(Counter {
                    weight,
                    open,
                    idle: open && c.current.is_none(),
                    services,
                    remaining,
                })
            })
            .collect();
        let mut capacity = vec![0.0; facts.services.len()];
        for c in &counters {
            for &s in &c.services {
                capacity[s] += c.weight;
            }
        }
        let waiting = facts
            .services
            .iter()
            .map(|s| f64::from(s.waiting))
            .collect();
        Self {
            index,
            waiting,
            means,
            counters,
            capacity,
        }
    }

    /// The wait of a new ticket of service `target` (an index), following the module's model.
    fn wait_for(&self, tuning: &QueueLengthEstimator, target: usize) -> WaitEstimate {
        match self.parts(tuning, target) {
            (Outlook::NoCounterOpen, _) => WaitEstimate::NoCounterOpen,
            (Outlook::CalledAtOnce, _) => WaitEstimate::NO_WAIT,
            (Outlook::Wait { minutes, .. }, half_width) => {
                WaitEstimate::around(minutes, half_width, tuning.range_step_minutes)
            }
        }
    }

    /// The outlook of a new ticket of service `target` and the half-width of the model's own
    /// range around it.
    fn parts(&self, tuning: &QueueLengthEstimator, target: usize) -> (Outlook, f64) {
        let pool: Vec<&Counter> = self
            .counters
            .iter()
            .filter(|c| c.services.contains(&target))
            .collect();
        if !pool.iter().any(|c| c.open) {
            return (Outlook::NoCounterOpen, 0.0);
        }
        let pool_weight: f64 = pool.iter().map(|c| c.weight).sum();
        let cv = non_negative(tuning.service_time_cv);

        let mut ahead = 0.0;
        let mut work = 0.0;
        let mut variance = 0.0;
        for (t, mean) in self.means.iter().enumerate() {
            if self.capacity[t] <= 0.0 || self.waiting[t] == 0.0 {
                continue;
            }
            let shared: f64 = pool
                .iter()
                .filter(|c| c.services.contains(&t))
                .map(|c| c.weight)
                .sum();
            let tickets = self.waiting[t] * shared / self.capacity[t];
            let sd_one = cv * mean.minutes;
            let sd_mean = tickets * sd_one / mean.evidence.max(1.0).sqrt();
            ahead += tickets;
            work += tickets * mean.minutes;
            variance += tickets * sd_one * sd_one + sd_mean * sd_mean;
        }
        let queued = work;
        for c in &pool {
            work += c.remaining;
            variance += (cv * c.remaining).powi(2);
        }

        let idle = pool.iter().filter(|c| c.idle).count() as f64;
        if ahead < idle {
            return (Outlook::CalledAtOnce, 0.0);
        }
        let point = (work / pool_weight).min(MAX_POINT_MINUTES);
        let half_width = non_negative(tuning.range_sigmas) * variance.sqrt() / pool_weight;
        (
            Outlook::Wait {
                minutes: point,
                work,
                counters: pool_weight,
                ahead,
                queued,
            },
            half_width,
        )
    }
}

/// `x` if it is a finite non-negative number, else 0: tuning knobs never produce NaN.
fn non_negative(x: f64) -> f64 {
    if x.is_finite() { x.max(0.0) } else { 0.0 }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
