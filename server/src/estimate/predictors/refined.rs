//! Refined queue length (QLR): QL's work ahead, drained at the capacity the office will have
//! over the coming period rather than the capacity it has this minute.
//!
//! QL divides the work ahead by the counters open now. A ticket issued at 11:50 with an hour of
//! work ahead is served mostly over lunch, when half the counters pause; one issued at 8:55
//! before every counter opens is served by more counters than stand open. QLR walks forward from
//! now in half-hour bins: the current bin runs at today's capacity (QL's counter weight); each
//! later bin at
//!
//! - the staffing plan's counters for that time, when a plan is configured, or else
//! - today's capacity × `rate(bin) / rate(now)`, where `rate` is the office's **throughput while
//!   people were waiting** (first calls per busy minute) learned per half hour from past days
//!   ([`CapacityProfile`]). It folds in the habits nobody configures: the lunch pauses, the
//!   counter that opens late, the afternoon's slower pace. Bins with too little evidence count
//!   as unchanged.
//!
//! until the work ahead is done. Where neither a plan nor a profile that knows the current half
//! hour exists (a fresh office, the first past days), the work is drained by the open counters
//! and each paused counter joins when its pause is expected to end ([`PauseModel`]: the
//! office's typical pause, learned from its ended pauses, with a configured prior).
//!
//! That answer is then corrected by who finishes first ([`super::residual`]), the term QL gets
//! wrong: with `k` ahead of `n` counters and a short line, the wait is the (k+1)-th end of a
//! service over the busy counters (shown as the median of its law), which QL's "time left ÷
//! counters" overstates (the first of three counters to finish frees up well before the
//! average one); for longer lines, the
//! counters' turns are staggered, which QL leaves out. Services count as the time a ticket
//! holds its counter, learned from today's calls and ends (the realised service rate of
//! Ibrahim & Whitt), so the walk to the desk and no-shows are in the pace.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Asia::Tokyo;
use serde::{Deserialize, Serialize};

use super::{Outlook, Predictor, residual};
use crate::estimate::{QueueFacts, QueueLengthEstimator};

/// Minutes per bin of the day: the lunch dip and the opening rush are an hour or so long.
pub const BIN_MINUTES: u32 = 30;
const BINS: usize = (24 * 60 / BIN_MINUTES) as usize;
/// A bin needs this many busy minutes (over all learned days) before its rate is trusted.
pub const MIN_BUSY_MINUTES: f64 = 60.0;
/// Ratios of learned rates are kept within these bounds: a bin learned from a few odd days must
/// not stop the clock or race it.
pub const RATIO_BOUNDS: (f64, f64) = (0.25, 3.0);
/// Learned ratios within this distance of 1 count as 1: throughput per busy minute wobbles
/// with the mix of services and the start of each busy spell by about this much, while a
/// staffing change (a counter pausing out of three or four) moves it by a quarter or more.
pub const RATIO_DEAD_BAND: f64 = 0.15;
/// The walk forward ends after this many bins (two days): beyond it, today's capacity holds.
const MAX_BINS_AHEAD: usize = 2 * BINS;

/// The refined queue-length predictor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RefinedQueueLength {
    /// The queue-length model whose work ahead is drained.
    pub queue_length: QueueLengthEstimator,
    /// When a paused counter is expected back (no plan, no learned profile).
    pub pause: PauseModel,
}

/// How long a pause lasts, for an office with neither a staffing plan nor past days: a paused
/// counter is away until its pause is expected to end, then serves in full (QL's ½ counter
/// throughout was too much over a lunch hour and too little after it).
///
/// The typical pause is the mean of the office's ended pauses (today's, and past days' where
/// known) with the prior [`PauseModel::prior_minutes`] counted as [`PAUSE_PRIOR_WEIGHT`] of
/// them. A pause that has run `e` minutes is expected to last `typical − e` more, at least
/// [`PAUSE_OVERRUN_SHARE`] of the typical pause (one that has run over is still expected back
/// soon, not at once).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PauseModel {
    /// The pause length assumed before the office has ended any (`[estimates]
    /// pause_prior_minutes`, default [`DEFAULT_PAUSE_PRIOR_MINUTES`]).
    pub prior_minutes: f64,
}

/// The default prior pause: a city hall's lunch pause is typically about an hour. A default to
/// tune per office, not a rule: each ended pause moves the estimate towards the office's own.
pub const DEFAULT_PAUSE_PRIOR_MINUTES: f64 = 60.0;
/// How many ended pauses the prior is worth: one, so the office's first pause already counts
/// half (a short break after a prior of an hour gives the mean of the two).
pub const PAUSE_PRIOR_WEIGHT: f64 = 1.0;
/// A pause running past the typical length is expected to last this share of it more.
pub const PAUSE_OVERRUN_SHARE: f64 = 0.1;

impl Default for PauseModel {
    fn default() -> Self {
        Self {
            prior_minutes: DEFAULT_PAUSE_PRIOR_MINUTES,
        }
    }
}

impl PauseModel {
    /// The typical pause, minutes: the prior blended with the ended pauses.
    pub fn typical_minutes(&self, ended: &[f64]) -> f64 {
        let prior = if self.prior_minutes.is_finite() && self.prior_minutes > 0.0 {
            self.prior_minutes
        } else {
            DEFAULT_PAUSE_PRIOR_MINUTES
        };
        let (sum, n) = ended
            .iter()
            .filter(|m| m.is_finite() && **m >= 0.0)
            .fold((0.0, 0.0), |(sum, n), m| (sum + m, n + 1.0));
        (prior * PAUSE_PRIOR_WEIGHT + sum) / (PAUSE_PRIOR_WEIGHT + n)
    }

    /// Minutes until a pause that began `elapsed` minutes ago (`None`: unknown, taken as just
    /// begun) is expected to end.
    pub fn minutes_left(&self, elapsed: Option<f64>, ended: &[f64]) -> f64 {
        let typical = self.typical_minutes(ended);
        let elapsed = elapsed.filter(|e| e.is_finite()).unwrap_or(0.0).max(0.0);
        (typical - elapsed).max(PAUSE_OVERRUN_SHARE * typical)
    }
}

impl Predictor for RefinedQueueLength {
    fn name(&self) -> &'static str {
        "qlr"
    }

    fn point(&self, facts: &QueueFacts, service: &str) -> Outlook {
        match self.queue_length.work_ahead(facts, service) {
            Outlook::Wait {
                work,
                counters,
                ahead,
                queued,
                ..
            } => {
                let long = drain_minutes(facts, service, work, counters, &self.pause);
                Outlook::Wait {
                    minutes: self
                        .short_queue_blend(facts, service, long, work, counters, ahead, queued),
                    work,
                    counters,
                    ahead,
                    queued,
                }
            }
            other => other,
        }
    }
}

impl RefinedQueueLength {
    /// `long` (the drained work) corrected by who finishes first ([`residual`]): the queue-length
    /// point `work ÷ counters` is replaced by the order statistics of the residual services for
    /// the first round of a short line, and by their phase average beyond, keeping the drain's
    /// account of capacity changing over the coming hours.
    #[allow(clippy::too_many_arguments)]
    fn short_queue_blend(
        &self,
        facts: &QueueFacts,
        service: &str,
        long: f64,
        work: f64,
        counters: f64,
        ahead: f64,
        queued: f64,
    ) -> f64 {
        let means = self.queue_length.learned_means(facts);
        let fallback = self.queue_length.fallback_mean_minutes;
        let mean_of = |id: &str| means.get(id).copied().unwrap_or(fallback);
        let residuals = residual::residuals(facts, service, mean_of);
        let round = if ahead > 0.0 {
            queued / ahead
        } else {
            mean_of(service)
        };
        let order = residual::order_statistics(&residuals);
        let weight = residual::short_queue_weight(ahead, order.len());
        // The short line's own law, its median: the point with the least absolute error (a
        // counter that may be free already puts much of the law near 0, a long service a tail).
        let short = if weight <= 0.0 {
            Some(0.0)
        } else {
            residual::wait_law(&residuals, ahead, round).map(|law| law.median)
        };
        let (Some(short), Some(mixed)) =
            (short, residual::mixed_wait(&order, ahead, round, counters))
        else {
            return long;
        };
        let refined = weight * short + (1.0 - weight) * mixed;
        (long + refined - work / counters).max(0.0)
    }
}

/// Minutes to do `work` counter-minutes starting at `facts.now` with `counters` (QL's weight)
/// now. With a learned profile the current capacity is the open counters alone: the learned
/// rates measure counters that call, and a paused one comes back as the profile says.
///
/// With neither a plan nor a profile that knows the current half hour, the open counters serve
/// from now and each paused one from the end its pause is expected to have ([`PauseModel`]).
fn drain_minutes(
    facts: &QueueFacts,
    service: &str,
    work: f64,
    counters: f64,
    pause: &PauseModel,
) -> f64 {
    if !(work.is_finite() && work > 0.0 && counters > 0.0) {
        return 0.0;
    }
    let plan = facts.history.staffing_plan.as_deref();
    let profile = facts.history.capacity_profile.as_deref();
    let serving = |c: &&crate::estimate::CounterFacts| c.services.iter().any(|s| s == service);
    let open = facts
        .counters
        .iter()
        .filter(serving)
        .filter(|c| c.state == crate::estimate::CounterAvailability::Open)
        .count() as f64;
    let local = facts.now.with_timezone(&Tokyo);
    let now_minute = local.hour() * 60 + local.minute();
    let now_bin = (now_minute / BIN_MINUTES) as usize;
    // A profile that has not learned this half hour (the first past days) says nothing of
    // when a paused counter comes back: every ratio from here is 1.
    let profile_silent =
        profile.is_none_or(|p| p.rates().get(now_bin).copied().flatten().is_none());
    if plan.is_none() && profile_silent && open > 0.0 {
        let returns: Vec<f64> = facts
            .counters
            .iter()
            .filter(serving)
            .filter(|c| c.state == crate::estimate::CounterAvailability::Paused)
            .map(|c| {
                let elapsed = c
                    .paused_since
                    .map(|since| crate::estimate::minutes_between(since, facts.now));
                pause.minutes_left(elapsed, &facts.history.ended_pauses)
            })
            .collect();
        return drain_with_returns(work, open, returns);
    }
    let counters = if plan.is_none() && profile.is_some() && open > 0.0 {
        open
    } else {
        counters
    };
    let mut left = work;
    let mut elapsed = 0.0;
    // The rest of the current bin at today's capacity.
    let into_bin = f64::from(now_minute % BIN_MINUTES) + f64::from(local.second()) / 60.0;
    let mut span = f64::from(BIN_MINUTES) - into_bin;
    let mut capacity = counters;
    for ahead in 0..=MAX_BINS_AHEAD {
        if ahead > 0 {
            let bin = (now_bin + ahead) % BINS;
            capacity = match (plan, profile) {
                (Some(plan), _) => plan.counters_in_bin(bin),
                (None, Some(profile)) => counters * profile.ratio(now_bin, bin),
                (None, None) => counters,
            };
            span = f64::from(BIN_MINUTES);
        }
        if capacity <= 0.0 {
            elapsed += span;
            continue;
        }
        let done = capacity * span;
        if done >= left {
            return elapsed + left / capacity;
        }
        left -= done;
        elapsed += span;
    }
    elapsed + left / counters
}

/// Minutes to do `work` counter-minutes with `open` counters from now and one more from each
/// of `returns` (minutes from now).
fn drain_with_returns(work: f64, open: f64, mut returns: Vec<f64>) -> f64 {
    returns.sort_by(f64::total_cmp);
    let mut left = work;
    let mut elapsed = 0.0;
    let mut capacity = open;
    for back in returns {
        let span = (back - elapsed).max(0.0);
        if capacity > 0.0 {
            let done = capacity * span;
            if done >= left {
                return elapsed + left / capacity;
            }
            left -= done;
        }
        elapsed += span;
        capacity += 1.0;
    }
    elapsed + left / capacity.max(f64::MIN_POSITIVE)
}

/// How long one past ticket stood in line: the evidence a [`CapacityProfile`] learns from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineStay {
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// When it left the line (its first call, or a cancellation), if it did.
    pub left_at: Option<DateTime<Utc>>,
    /// Whether it left by being called (a call is throughput; a cancellation is not).
    pub called: bool,
}

/// The office's throughput while people were waiting, per half hour of the day, from past days.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CapacityProfile {
    /// First calls per busy minute per bin, where there was enough evidence.
    rates: Vec<Option<f64>>,
}

impl CapacityProfile {
    /// Learns the rates from the line stays of past days (any order, several days mixed).
    /// A minute is busy when some ticket stood in line during it; only busy minutes measure
    /// capacity (an idle counter says nothing about its pace).
    pub fn learn(stays: &[LineStay]) -> Self {
        // Per day: tickets joining and leaving the line in each minute, and first calls.
        type Minutes = (Vec<u32>, Vec<u32>, Vec<u32>);
        let mut days: BTreeMap<NaiveDate, Minutes> = BTreeMap::new();
        let minute_of = |at: DateTime<Utc>| {
            let local = at.with_timezone(&Tokyo);
            (
                local.date_naive(),
                (local.hour() * 60 + local.minute()) as usize,
            )
        };
        for stay in stays {
            let (date, from) = minute_of(stay.issued_at);
            let (join, leave, calls) = days
                .entry(date)
                .or_insert_with(|| (vec![0; 24 * 60], vec![0; 24 * 60], vec![0; 24 * 60]));
            join[from] += 1;
            if let Some(left) = stay.left_at
                && left >= stay.issued_at
                && minute_of(left).0 == date
            {
                let to = minute_of(left).1;
                leave[to] += 1;
                if stay.called {
                    calls[to] += 1;
                }
            }
        }
        let mut busy = vec![0.0; BINS];
        let mut called = vec![0.0; BINS];
        for (join, leave, calls) in days.values() {
            let mut waiting: u32 = 0;
            for minute in 0..24 * 60 {
                // Busy if someone stood in line during the minute (before its departures).
                waiting += join[minute];
                if waiting > 0 {
                    let bin = minute / BIN_MINUTES as usize;
                    busy[bin] += 1.0;
                    called[bin] += f64::from(calls[minute]);
                }
                waiting = waiting.saturating_sub(leave[minute]);
            }
        }
        let rates = busy
            .iter()
            .zip(&called)
            .map(|(&b, &c)| (b >= MIN_BUSY_MINUTES && c > 0.0).then(|| c / b))
            .collect();
        Self { rates }
    }

    /// The learned rate of bin `to` relative to bin `from`, 1 where either is unknown.
    pub fn ratio(&self, from: usize, to: usize) -> f64 {
        match (
            self.rates.get(from).copied().flatten(),
            self.rates.get(to).copied().flatten(),
        ) {
            (Some(a), Some(b)) if a > 0.0 => {
                let ratio = (b / a).clamp(RATIO_BOUNDS.0, RATIO_BOUNDS.1);
                if (ratio - 1.0).abs() < RATIO_DEAD_BAND {
                    1.0
                } else {
                    ratio
                }
            }
            _ => 1.0,
        }
    }

    /// First calls per busy minute in each bin, where known (for reports).
    pub fn rates(&self) -> &[Option<f64>] {
        &self.rates
    }
}

/// One row of a staffing plan: from this time on, this many counters are scheduled open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffingSlot {
    /// Local time (Japan) the row starts, `HH:MM`.
    pub from: NaiveTime,
    /// Counters scheduled open (a paused one counts as the share it serves, e.g. 0.5).
    pub counters: f64,
}

/// Counters scheduled open by time of day (`[[estimates.staffing]]`).
#[derive(Clone, Debug, PartialEq)]
pub struct StaffingPlan {
    /// Rows in time order; before the first, no counter is scheduled.
    slots: Vec<StaffingSlot>,
}

impl StaffingPlan {
    /// A plan from rows in strictly increasing time order with counters ≥ 0.
    pub fn new(slots: Vec<StaffingSlot>) -> Result<Self, String> {
        if slots.is_empty() {
            return Err("a staffing plan needs at least one row".into());
        }
        if slots.windows(2).any(|w| w[0].from >= w[1].from) {
            return Err("rows must be in increasing time order".into());
        }
        if slots
            .iter()
            .any(|s| !(s.counters.is_finite() && s.counters >= 0.0))
        {
            return Err("counters must be 0 or more".into());
        }
        Ok(Self { slots })
    }

    /// Counters scheduled at a local time of day.
    pub fn counters_at(&self, time: NaiveTime) -> f64 {
        self.slots
            .iter()
            .rev()
            .find(|slot| slot.from <= time)
            .map_or(0.0, |slot| slot.counters)
    }

    fn counters_in_bin(&self, bin: usize) -> f64 {
        let midnight = NaiveTime::MIN;
        let start = midnight + Duration::minutes((bin as i64) * i64::from(BIN_MINUTES));
        self.counters_at(start)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::estimate::{CounterAvailability, CounterFacts, QueueHistory, ServiceFacts};

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Tokyo
            .with_ymd_and_hms(2025, 6, 2, hour, minute, 0)
            .single()
            .expect("a valid Tokyo time")
            .with_timezone(&Utc)
    }

    /// `waiting` renewals (10 min) ahead, `open` idle counters... all busy with nothing left.
    fn facts(now: DateTime<Utc>, waiting: u32, open: usize, history: QueueHistory) -> QueueFacts {
        QueueFacts {
            now,
            services: vec![ServiceFacts {
                id: "renewal".into(),
                configured_mean_minutes: 10.0,
                waiting,
                finished_today_minutes: imbl::Vector::new(),
            }],
            counters: (0..open)
                .map(|i| CounterFacts {
                    id: i.to_string(),
                    state: CounterAvailability::Open,
                    services: vec!["renewal".into()],
                    // Just started: 10 minutes left each.
                    paused_since: None,
                    current: Some(crate::estimate::InService {
                        service: "renewal".into(),
                        since: now,
                    }),
                })
                .collect(),
            history,
        }
    }

    fn minutes(outlook: Outlook) -> f64 {
        outlook.minutes().expect("a number")
    }

    #[test]
    fn without_plan_or_history_it_is_queue_length_less_the_counters_stagger() {
        let f = facts(at(10, 0), 4, 2, QueueHistory::default());
        // (4 × 10 + 2 × 10) / 2 = 30.
        let ql = QueueLengthEstimator::default().point(&f, "renewal");
        assert_eq!(minutes(ql), 30.0);
        // Both services just began (residual 10 each): 4 × 10 / 2 + 10 − (1 / 4) × 10 = 27.5.
        let qlr = minutes(RefinedQueueLength::default().point(&f, "renewal"));
        assert!((qlr - 27.5).abs() < 0.05, "{qlr}");
    }

    #[test]
    fn a_planned_lunch_dip_slows_the_wait_that_runs_into_it() {
        // 11:50, 2 counters, 60 counter-minutes of work (4 waiting + 2 in service).
        // Plan: 2 counters until 12:00, then 1. 11:50–12:00 does 20; the other 40 take 40 min
        // at 1 counter: 50 minutes, where QL says 30; less the counters' stagger (2.5): 47.5.
        let plan = StaffingPlan::new(vec![
            StaffingSlot {
                from: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
                counters: 2.0,
            },
            StaffingSlot {
                from: NaiveTime::from_hms_opt(12, 0, 0).expect("time"),
                counters: 1.0,
            },
        ])
        .expect("valid plan");
        let history = QueueHistory {
            staffing_plan: Some(std::sync::Arc::new(plan)),
            ..QueueHistory::default()
        };
        let f = facts(at(11, 50), 4, 2, history);
        let got = minutes(RefinedQueueLength::default().point(&f, "renewal"));
        assert!((got - 47.5).abs() < 0.05, "{got}");
    }

    #[test]
    fn a_learned_slower_lunch_stretches_the_wait_like_a_plan_would() {
        // Past day: someone waiting all day 9:00–14:00; 1 call per minute in the morning
        // bins, one call every 2 minutes from 12:00: the 12:00 bins run at half the rate.
        let mut stays = vec![LineStay {
            issued_at: at(9, 0),
            left_at: Some(at(14, 0)),
            called: false,
        }];
        for m in (0..180).step_by(1) {
            let t = at(9, 0) + Duration::minutes(m);
            stays.push(LineStay {
                issued_at: at(9, 0),
                left_at: Some(t),
                called: true,
            });
        }
        for m in (0..120).step_by(2) {
            let t = at(12, 0) + Duration::minutes(m);
            stays.push(LineStay {
                issued_at: at(9, 0),
                left_at: Some(t),
                called: true,
            });
        }
        // Three such days: each bin then has 90 busy minutes, over MIN_BUSY_MINUTES.
        let days: Vec<LineStay> = (0..3)
            .flat_map(|d| {
                stays.iter().map(move |s| LineStay {
                    issued_at: s.issued_at + Duration::days(d),
                    left_at: s.left_at.map(|t| t + Duration::days(d)),
                    called: s.called,
                })
            })
            .collect();
        let profile = CapacityProfile::learn(&days);
        assert!(
            (profile.ratio(22, 24) - 0.5).abs() < 0.05,
            "{}",
            profile.ratio(22, 24)
        );
        let history = QueueHistory {
            capacity_profile: Some(std::sync::Arc::new(profile)),
            ..QueueHistory::default()
        };
        // Same 60 counter-minutes at 11:50 with 2 counters: 20 done by 12:00, 40 at 1 → 50,
        // less the stagger: 47.5.
        let f = facts(at(11, 50), 4, 2, history);
        let got = minutes(RefinedQueueLength::default().point(&f, "renewal"));
        assert!((got - 47.5).abs() < 2.5, "{got}");
    }

    /// `open` counters busy since `now` and one counter paused `paused_ago` minutes ago (`None`:
    /// start unknown), with `waiting` renewals (10 min) in line.
    fn with_paused(
        now: DateTime<Utc>,
        waiting: u32,
        open: usize,
        paused_ago: Option<i64>,
        history: QueueHistory,
    ) -> QueueFacts {
        let mut f = facts(now, waiting, open, history);
        f.counters.push(CounterFacts {
            id: "paused".into(),
            state: CounterAvailability::Paused,
            services: vec!["renewal".into()],
            current: None,
            paused_since: paused_ago.map(|m| now - Duration::minutes(m)),
        });
        f
    }

    #[test]
    fn a_pause_is_expected_to_last_the_prior_until_the_office_has_its_own() {
        let pause = PauseModel::default();
        assert_eq!(pause.typical_minutes(&[]), 60.0);
        // Began 15 minutes ago: 45 left.
        assert_eq!(pause.minutes_left(Some(15.0), &[]), 45.0);
        // Start unknown: taken as just begun.
        assert_eq!(pause.minutes_left(None, &[]), 60.0);
        // Two ended pauses of 20 and 40 with the prior worth one: (60 + 20 + 40) / 3 = 40;
        // one running 30 minutes has 10 left.
        assert_eq!(pause.typical_minutes(&[20.0, 40.0]), 40.0);
        assert_eq!(pause.minutes_left(Some(30.0), &[20.0, 40.0]), 10.0);
        // Running over (70 of 60): still a tenth of the typical pause, 6 minutes.
        assert!((pause.minutes_left(Some(70.0), &[]) - 6.0).abs() < 1e-9);
        // A configured prior of 45 minutes.
        let short = PauseModel {
            prior_minutes: 45.0,
        };
        assert_eq!(short.minutes_left(Some(5.0), &[]), 40.0);
    }

    #[test]
    fn a_paused_counter_is_away_until_its_pause_is_expected_to_end() {
        // 12:10, 2 counters open, one paused at 12:00 (50 minutes left of the prior's hour).
        // 140 counter-minutes of work: the two open ones do 100 in 50 minutes, the last 40 at
        // three counters take 13⅓: 63⅓ minutes. QL's half counter throughout said
        // 140 / 2.5 = 56.
        let f = with_paused(at(12, 10), 12, 2, Some(10), QueueHistory::default());
        let got = drain_minutes(&f, "renewal", 140.0, 2.5, &PauseModel::default());
        assert!((got - (50.0 + 40.0 / 3.0)).abs() < 1e-9, "{got}");
        // A short line is done before the counter is back: 60 at two counters, 30 minutes.
        let got = drain_minutes(&f, "renewal", 60.0, 2.5, &PauseModel::default());
        assert!((got - 30.0).abs() < 1e-9, "{got}");
        // Today's ended pauses of 20 minutes (twice): typical (60 + 40) / 3 = 33⅓, 23⅓ left;
        // 140 − 2 × 23⅓ = 93⅓ at three counters: 23⅓ + 31⅑ = 54⅔.
        let history = QueueHistory {
            ended_pauses: vec![20.0, 20.0],
            ..QueueHistory::default()
        };
        let f = with_paused(at(12, 10), 12, 2, Some(10), history);
        let got = drain_minutes(&f, "renewal", 140.0, 2.5, &PauseModel::default());
        let left = 100.0 / 3.0 - 10.0;
        let want = left + (140.0 - 2.0 * left) / 3.0;
        assert!((got - want).abs() < 1e-9, "{got} {want}");
    }

    #[test]
    fn the_whole_point_waits_for_the_paused_counter() {
        // Same 12:10 office: 12 waiting, 2 busy (just started), one paused since 12:00. Without
        // the pause's end QLR would drain at 2.5 counters; now the point is longer by the
        // drain's difference (63⅓ − 56 = 7⅓), the short-line correction being the same.
        let f = with_paused(at(12, 10), 12, 2, Some(10), QueueHistory::default());
        let qlr = RefinedQueueLength::default();
        let got = minutes(qlr.point(&f, "renewal"));
        let long_half = 140.0 / 2.5;
        let long_back = 50.0 + 40.0 / 3.0;
        // The same facts with the counter's start unknown: 60 minutes left, 120 done by then,
        // the last 20 at three: 66⅔.
        let unknown = with_paused(at(12, 10), 12, 2, None, QueueHistory::default());
        let got_unknown = minutes(qlr.point(&unknown, "renewal"));
        assert!(
            ((got_unknown - got) - (60.0 + 20.0 / 3.0 - long_back)).abs() < 1e-6,
            "{got} {got_unknown}"
        );
        assert!(got > long_half - 5.0, "{got}");
    }

    #[test]
    fn a_plan_must_run_forward_in_time() {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).expect("time");
        let slot = StaffingSlot {
            from: nine,
            counters: 2.0,
        };
        assert!(StaffingPlan::new(vec![slot.clone(), slot]).is_err());
        assert!(StaffingPlan::new(Vec::new()).is_err());
    }
}
