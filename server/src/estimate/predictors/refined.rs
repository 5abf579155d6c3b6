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
//! until the work ahead is done.
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
                let long = drain_minutes(facts, service, work, counters);
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
fn drain_minutes(facts: &QueueFacts, service: &str, work: f64, counters: f64) -> f64 {
    if !(work.is_finite() && work > 0.0 && counters > 0.0) {
        return 0.0;
    }
    let plan = facts.history.staffing_plan.as_deref();
    let profile = facts.history.capacity_profile.as_deref();
    let open = facts
        .counters
        .iter()
        .filter(|c| {
            c.state == crate::estimate::CounterAvailability::Open
                && c.services.iter().any(|s| s == service)
        })
        .count() as f64;
    let counters = if plan.is_none() && profile.is_some() && open > 0.0 {
        open
    } else {
        counters
    };
    let local = facts.now.with_timezone(&Tokyo);
    let now_minute = local.hour() * 60 + local.minute();
    let now_bin = (now_minute / BIN_MINUTES) as usize;
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
