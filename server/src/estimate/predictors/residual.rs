//! The wait of a short queue: when the next counters free up.
//!
//! With few people ahead, the wait is not "work ÷ counters" but the moment the (k+1)-th counter
//! becomes free: with nobody ahead, the first of the busy counters to finish calls the new
//! ticket. Whitt (1999) and Ibrahim & Whitt (2009) predict it from the elapsed service times of
//! the customers in service: each busy counter's **residual** service is a random variable whose
//! law follows from the service-time law and how long the service has already run, and the wait
//! of a ticket with `k` ahead at `n` counters is an order statistic of those residuals (plus
//! whole services once every counter has turned over). Here:
//!
//! - service times are lognormal around the learned mean with log-sd [`SERVICE_LOG_SD`] (domain
//!   R6: about 10 minutes a renewal, rarely twice that);
//! - a counter's service is known to run at least until the last instant anybody had to wait
//!   (every open counter was busy then, or it would have called). Offices whose clerks report a
//!   finish show a free counter as free; offices whose clerks only press "call next" do not, so
//!   a counter whose service could have ended since the last such instant may be free already.
//!   Which habit the office has is learned from the day's finishes ([`FinishHabit`]);
//! - the expected `j`-th smallest residual is the integral of `P(fewer than j counters free by t)`,
//!   a Poisson-binomial over the counters, on a grid ([`order_statistics`], [`order_laws`]);
//! - the wait of a ticket with `k` ahead is the time of the (k+1)-th end of a service over all
//!   counters, each counter ending at its residual and then after whole services; its law
//!   ([`wait_law`]) is `P(fewer than k + 1 ends by t)`, the counters' numbers of ends convolved on
//!   a grid, and the point shown is its **median**, which minimises the absolute error.
//!
//! The law is exact while the counters serve on (the short line: the first round and the
//! second) and is blended over the second round into its average over the counters' phases
//! ([`mixed_wait`]): the spread of service times has mixed who finishes first by then. Both
//! count a service as the time a ticket holds its counter, from the call to the end (the
//! realised pace, walk to the desk included).

use crate::estimate::{CounterAvailability, QueueFacts, minutes_between};

/// Log-standard deviation of one service time: a coefficient of variation of about 0.4.
pub const SERVICE_LOG_SD: f64 = 0.4;
/// A ticket that waited at least this long shows that every open counter was busy meanwhile
/// (a free counter calls within seconds).
pub const BUSY_EVIDENCE_MINUTES: f64 = 0.5;
/// Points of the integration grid per mean service time.
const GRID_PER_MEAN: f64 = 60.0;
/// The integral stops when fewer than this share of outcomes is still waiting.
const TAIL: f64 = 1e-6;
/// A service elapsed beyond this many log-sds above the median counts as elapsed this long:
/// keeps the conditional law representable for a ticket left open for hours.
const MAX_LOG_SDS: f64 = 6.0;

/// Whether the office's clerks report the end of a service (finish) or only call the next.
///
/// `explicit`: finishes recorded apart from a call; `implicit_idle`: finishes recorded by a
/// call-next for somebody who had not waited, i.e. the counter had nothing to do before the
/// call but the service was never reported over. The first says a counter shown busy is busy;
/// the second says it may have been free for a while.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FinishHabit {
    /// Today's finishes reported on their own.
    pub explicit: u32,
    /// Today's finishes implied by a call for somebody who had not waited.
    pub implicit_idle: u32,
}

impl FinishHabit {
    /// The probability that clerks do not report finishes: Laplace's rule on today's evidence.
    pub fn unreported_share(self) -> f64 {
        (f64::from(self.implicit_idle) + 1.0)
            / (f64::from(self.implicit_idle) + f64::from(self.explicit) + 2.0)
    }
}

/// What is known of one open counter's residual service.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Residual {
    /// Mean service time of the ticket at the counter, minutes.
    pub mean: f64,
    /// Minutes since its service began; `None` for a counter shown free.
    pub elapsed: Option<f64>,
    /// Minutes into the service when it was last known to run (≤ `elapsed`).
    pub known_busy: f64,
    /// Probability that finishes go unreported (see [`FinishHabit`]).
    pub unreported: f64,
}

impl Residual {
    /// `P(residual > t)`, `t ≥ 0`.
    pub fn survival(&self, t: f64) -> f64 {
        let Some(elapsed) = self.elapsed else {
            return 0.0;
        };
        let law = LogNormal::with_mean(self.mean);
        let elapsed = elapsed.clamp(0.0, law.cap());
        let known = self.known_busy.clamp(0.0, elapsed);
        let later = law.survival(elapsed + t);
        let reported = ratio(later, law.survival(elapsed));
        let unreported = ratio(later, law.survival(known));
        self.unreported * unreported + (1.0 - self.unreported) * reported
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        (a / b).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A lognormal service time with a given mean and log-sd [`SERVICE_LOG_SD`].
#[derive(Clone, Copy, Debug)]
struct LogNormal {
    mu: f64,
    sigma: f64,
}

impl LogNormal {
    fn with_mean(mean: f64) -> Self {
        let sigma = SERVICE_LOG_SD;
        let mean = if mean.is_finite() && mean > 0.0 {
            mean
        } else {
            10.0
        };
        Self {
            mu: mean.ln() - sigma * sigma / 2.0,
            sigma,
        }
    }

    /// `P(S > x)`.
    fn survival(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 1.0;
        }
        0.5 * libm::erfc((x.ln() - self.mu) / (self.sigma * std::f64::consts::SQRT_2))
    }

    /// The longest elapsed time taken at face value.
    fn cap(&self) -> f64 {
        (self.mu + MAX_LOG_SDS * self.sigma).exp()
    }
}

/// The expected `j`-th smallest residual, `j = 1..=n`, of these counters (index `j − 1`).
pub fn order_statistics(counters: &[Residual]) -> Vec<f64> {
    order_laws(counters).means
}

/// The `j`-th smallest residuals of some counters, `j = 1..=n` (index `j − 1`): their means and
/// their medians. A residual is skewed (a counter that may be free already has much of its law
/// at 0, a long service a long tail), so the two differ; the median is the point with the
/// smallest mean absolute error.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrderLaws {
    /// `E[R_(j)]`.
    pub means: Vec<f64>,
    /// The median of `R_(j)` (to the integration grid's step).
    pub medians: Vec<f64>,
}

/// The means and medians of the order statistics of these counters' residuals.
pub fn order_laws(counters: &[Residual]) -> OrderLaws {
    let n = counters.len();
    if n == 0 {
        return OrderLaws::default();
    }
    let shortest = counters
        .iter()
        .map(|c| LogNormal::with_mean(c.mean))
        .map(|law| law.mu.exp())
        .fold(f64::INFINITY, f64::min);
    let longest = counters
        .iter()
        .map(|c| LogNormal::with_mean(c.mean).cap())
        .fold(0.0, f64::max);
    let step = (shortest / GRID_PER_MEAN).max(1e-3);
    let steps = ((longest / step).ceil() as usize).max(1);
    let mut expected = vec![0.0; n];
    let mut medians: Vec<Option<f64>> = vec![None; n];
    // pmf[c]: probability that exactly c counters are free by t.
    let mut pmf = vec![0.0; n + 1];
    let mut last = 0.0;
    for i in 0..steps {
        let t = (i as f64 + 0.5) * step;
        last = t;
        pmf.iter_mut().for_each(|p| *p = 0.0);
        pmf[0] = 1.0;
        for (done, counter) in counters.iter().enumerate() {
            let free = 1.0 - counter.survival(t);
            for c in (0..=done + 1).rev() {
                let stay = pmf[c] * (1.0 - free);
                let moved = if c > 0 { pmf[c - 1] * free } else { 0.0 };
                pmf[c] = stay + moved;
            }
        }
        // P(R_(j) > t) = P(fewer than j free).
        let mut below = 0.0;
        for (j, e) in expected.iter_mut().enumerate() {
            below += pmf[j];
            *e += below * step;
            if below <= 0.5 && medians[j].is_none() {
                medians[j] = Some(i as f64 * step);
            }
        }
        if below < TAIL {
            break;
        }
    }
    OrderLaws {
        means: expected,
        medians: medians.into_iter().map(|m| m.unwrap_or(last)).collect(),
    }
}

/// Points of [`wait_law`]'s grid per mean service time (coarser than [`order_laws`]': it
/// convolves whole services).
const LAW_GRID_PER_MEAN: f64 = 30.0;
/// [`wait_law`] looks this many mean services past the last one it may need.
const LAW_HORIZON_MEANS: f64 = 3.5;

/// The law of a wait, from [`wait_law`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WaitLaw {
    /// Its mean, minutes.
    pub mean: f64,
    /// Its median, minutes: the point with the smallest mean absolute error.
    pub median: f64,
}

/// The law of the wait of a ticket with `ahead` people before it (fractional: shares of other
/// services' lines, interpolated) at these counters, each serving on without a break while
/// anybody is ahead, every later service lognormal with mean `round_mean`.
///
/// The ticket is called at the `(ahead + 1)`-th end of a service over all counters together:
/// counter `i`'s ends fall at `R_i`, `R_i + S`, `R_i + S + S′`, … (its residual, then whole
/// services), so `P(wait > t) = P(fewer than ahead + 1 ends by t)`, the counters' numbers of
/// ends by `t` being independent. Unlike "the first counter's next service" for the second
/// round, this lets a counter in a long service be overtaken twice by a quicker one.
pub fn wait_law(counters: &[Residual], ahead: f64, round_mean: f64) -> Option<WaitLaw> {
    let n = counters.len();
    if n == 0 || !ahead.is_finite() || ahead < 0.0 || !(round_mean.is_finite() && round_mean > 0.0)
    {
        return None;
    }
    let k = ahead.floor() as usize;
    let fraction = ahead - ahead.floor();
    // Ends needed: k + 1, and k + 2 for the fractional part. A counter makes at most `per` ends
    // that matter (more would mean the others made fewer than their share): beyond, lumped.
    let per = (k + 2).div_ceil(n) + 1;
    let service = LogNormal::with_mean(round_mean);
    let longest = counters
        .iter()
        .map(|c| c.mean)
        .filter(|m| m.is_finite() && *m > 0.0)
        .fold(round_mean, f64::max);
    let shortest = counters
        .iter()
        .map(|c| c.mean)
        .filter(|m| m.is_finite() && *m > 0.0)
        .fold(round_mean, f64::min);
    let step = (shortest / LAW_GRID_PER_MEAN).max(1e-3);
    let horizon = LAW_HORIZON_MEANS * longest + (per as f64) * LAW_HORIZON_MEANS * round_mean;
    let points = ((horizon / step).ceil() as usize).clamp(2, 20_000);
    let times = |g: usize| g as f64 * step;
    // Mass of one service in each grid cell (g−1, g].
    let service_mass: Vec<f64> = (0..points)
        .map(|g| {
            if g == 0 {
                0.0
            } else {
                service.survival(times(g - 1)) - service.survival(times(g))
            }
        })
        .collect();
    let convolve = |a: &[f64], b: &[f64]| -> Vec<f64> {
        let mut out = vec![0.0; points];
        for (x, &ax) in a.iter().enumerate() {
            if ax < 1e-12 {
                continue;
            }
            for (y, &by) in b[..points - x].iter().enumerate() {
                out[x + y] += ax * by;
            }
        }
        out
    };
    let cumulative = |mass: &[f64]| -> Vec<f64> {
        let mut total = 0.0;
        mass.iter()
            .map(|m| {
                total += m;
                total.min(1.0)
            })
            .collect()
    };
    // ends[i][m][g] = P(counter i has made more than m ends by times(g)).
    let ends: Vec<Vec<Vec<f64>>> = counters
        .iter()
        .map(|c| {
            let mut mass: Vec<f64> = (0..points)
                .map(|g| {
                    let now = 1.0 - c.survival(times(g));
                    if g == 0 {
                        now
                    } else {
                        now - (1.0 - c.survival(times(g - 1)))
                    }
                })
                .map(|m| m.max(0.0))
                .collect();
            let mut by_count = Vec::with_capacity(per);
            for m in 0..per {
                if m > 0 {
                    mass = convolve(&mass, &service_mass);
                }
                by_count.push(cumulative(&mass));
            }
            by_count
        })
        .collect();
    // P(wait > times(g)) for k + 1 and k + 2 ends, from the number of ends of all counters.
    let mut survive = [vec![0.0; points], vec![0.0; points]];
    let mut pmf = vec![0.0; n * per + 1];
    for g in 0..points {
        pmf.iter_mut().for_each(|p| *p = 0.0);
        pmf[0] = 1.0;
        let mut most = 0;
        for counter in &ends {
            // This counter's number of ends by t: m with P(≥ m) − P(≥ m + 1), the last lumped.
            let at_least = |m: usize| if m == 0 { 1.0 } else { counter[m - 1][g] };
            let own: Vec<f64> = (0..=per)
                .map(|m| {
                    if m == per {
                        at_least(m)
                    } else {
                        (at_least(m) - at_least(m + 1)).max(0.0)
                    }
                })
                .collect();
            let mut next = vec![0.0; most + per + 1];
            for (c, &pc) in pmf[..=most].iter().enumerate() {
                if pc == 0.0 {
                    continue;
                }
                for (m, &pm) in own.iter().enumerate() {
                    next[c + m] += pc * pm;
                }
            }
            most += per;
            pmf[..=most].copy_from_slice(&next);
        }
        let fewer = |needed: usize| pmf[..needed.min(most + 1)].iter().sum::<f64>().min(1.0);
        survive[0][g] = fewer(k + 1);
        survive[1][g] = fewer(k + 2);
    }
    let law = |s: &[f64]| {
        let mean = s
            .windows(2)
            .map(|w| (w[0] + w[1]) / 2.0 * step)
            .sum::<f64>();
        let median = match s.iter().position(|&p| p <= 0.5) {
            Some(0) => 0.0,
            Some(g) => {
                let (a, b) = (s[g - 1], s[g]);
                let within = if a > b { (a - 0.5) / (a - b) } else { 0.0 };
                times(g - 1) + within * step
            }
            None => times(points - 1),
        };
        (mean, median)
    };
    let (mean_k, median_k) = law(&survive[0]);
    let (mean_next, median_next) = law(&survive[1]);
    Some(WaitLaw {
        mean: mean_k * (1.0 - fraction) + mean_next * fraction,
        median: median_k * (1.0 - fraction) + median_next * fraction,
    })
}

/// The residuals of the open counters that serve `service`, from the facts.
pub fn residuals(
    facts: &QueueFacts,
    service: &str,
    mean_of: impl Fn(&str) -> f64,
) -> Vec<Residual> {
    let unreported = facts.history.finish_habit.unreported_share();
    let earliest_service = facts
        .counters
        .iter()
        .filter_map(|c| c.current.as_ref().map(|current| current.since))
        .min();
    let busy_until = earliest_service.and_then(|since| last_busy_instant(facts, since));
    facts
        .counters
        .iter()
        .filter(|c| c.state == CounterAvailability::Open && c.services.iter().any(|s| s == service))
        .map(|c| match &c.current {
            Some(current) => {
                let elapsed = minutes_between(current.since, facts.now).max(0.0);
                let known_busy = busy_until
                    .map_or(0.0, |at| minutes_between(current.since, at))
                    .clamp(0.0, elapsed);
                Residual {
                    mean: mean_of(&current.service),
                    elapsed: Some(elapsed),
                    known_busy,
                    unreported,
                }
            }
            None => Residual {
                mean: mean_of(service),
                elapsed: None,
                known_busy: 0.0,
                unreported,
            },
        })
        .collect()
}

/// The last instant, not before `since`, when somebody had been waiting
/// [`BUSY_EVIDENCE_MINUTES`] or more: every open counter was busy then. Only instants after the
/// earliest service now running tell anything, so the day's calls are read back to it, not
/// to the morning: a publish costs the same at the 5,000th ticket as at the 100th.
fn last_busy_instant(
    facts: &QueueFacts,
    since: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    // The first in line has waited longest.
    let waiting_now = facts
        .history
        .head_issued_at
        .is_some_and(|head| minutes_between(head, facts.now) >= BUSY_EVIDENCE_MINUTES);
    if waiting_now {
        return Some(facts.now);
    }
    // `called` is in the order of the calls: the last such wait is the latest.
    facts
        .history
        .called
        .iter()
        .rev()
        .take_while(|ended| ended.called_at >= since)
        .find(|ended| ended.wait_minutes() >= BUSY_EVIDENCE_MINUTES)
        .map(|ended| ended.called_at)
}

/// The expected wait of a ticket with `ahead` people before it (may be fractional: shares of
/// other services' lines) at counters with these expected order statistics, each later round
/// taking `round_mean` minutes (one service).
pub fn short_queue_wait(order: &[f64], ahead: f64, round_mean: f64) -> Option<f64> {
    let n = order.len();
    if n == 0 || !ahead.is_finite() || ahead < 0.0 {
        return None;
    }
    let at = |j: usize| (j / n) as f64 * round_mean + order[j % n];
    let below = ahead.floor();
    let fraction = ahead - below;
    let j = below as usize;
    Some(at(j) * (1.0 - fraction) + at(j + 1) * fraction)
}

/// The expected wait once the counters' phases have mixed (a longer line): `ahead` services
/// at `counters` counters' pace, plus the mean residual, less the stagger between the counters'
/// turns, `(n − 1) / 2n` of a service (the average over the round of
/// [`short_queue_wait`]'s steps). QL's "work ÷ counters" leaves the stagger out, so it
/// overstates every wait by about a third of a service at three counters.
pub fn mixed_wait(order: &[f64], ahead: f64, round_mean: f64, counters: f64) -> Option<f64> {
    let n = order.len();
    if n == 0 || !counters.is_finite() || counters <= 0.0 || !ahead.is_finite() {
        return None;
    }
    let mean_residual = order.iter().sum::<f64>() / n as f64;
    let stagger = (n as f64 - 1.0) / (2.0 * n as f64) * round_mean;
    Some(ahead * round_mean / counters + mean_residual - stagger)
}

/// How much the short-queue answer counts against [`mixed_wait`] with `ahead` people at `n`
/// counters: fully in the first round, fading to nothing over the second.
pub fn short_queue_weight(ahead: f64, n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    ((2.0 * n - 1.0 - ahead) / n).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy(elapsed: f64) -> Residual {
        Residual {
            mean: 10.0,
            elapsed: Some(elapsed),
            known_busy: elapsed,
            unreported: 0.0,
        }
    }

    #[test]
    fn a_free_counter_has_no_residual() {
        let free = Residual {
            mean: 10.0,
            elapsed: None,
            known_busy: 0.0,
            unreported: 0.5,
        };
        assert_eq!(order_statistics(&[free]), vec![0.0]);
    }

    #[test]
    fn a_service_just_begun_leaves_its_mean() {
        let e = order_statistics(&[busy(0.0)]);
        assert!((e[0] - 10.0).abs() < 0.05, "{e:?}");
    }

    #[test]
    fn a_service_past_its_mean_leaves_a_few_minutes_not_nothing() {
        // Lognormal with mean 10, log-sd 0.4, already 12 minutes in: E[S − 12 | S > 12] is
        // 3.59 minutes (integrating the lognormal's survival from 12 on, divided by P(S > 12)).
        let e = order_statistics(&[busy(12.0)]);
        assert!((e[0] - 3.59).abs() < 0.05, "{e:?}");
    }

    #[test]
    fn the_first_of_two_fresh_counters_frees_sooner_than_either() {
        let e = order_statistics(&[busy(0.0), busy(0.0)]);
        // Two independent services of mean 10: the minimum has mean 7.77 (∫ P(S > t)² dt), the
        // maximum the rest of the 20.
        assert!((e[0] - 7.77).abs() < 0.05, "{e:?}");
        assert!(
            (e[0] + e[1] - 20.0).abs() < 0.1,
            "the two add up to both means: {e:?}"
        );
    }

    #[test]
    fn an_unreported_finish_may_have_freed_the_counter_already() {
        // 20 minutes in, last seen busy at minute 2: with clerks who never report a finish the
        // counter is most likely free; with clerks who do, it is surely busy.
        let unreported = Residual {
            known_busy: 2.0,
            unreported: 1.0,
            ..busy(20.0)
        };
        let reported = Residual {
            known_busy: 2.0,
            ..busy(20.0)
        };
        let free_soon = order_statistics(&[unreported])[0];
        let busy_still = order_statistics(&[reported])[0];
        assert!(free_soon < 0.5, "{free_soon}");
        assert!(busy_still > 2.0, "{busy_still}");
    }

    #[test]
    fn a_counter_that_is_likely_free_has_a_median_of_nothing_but_a_mean_of_minutes() {
        // 20 minutes in, last seen busy at minute 8, finishes unreported: most likely free
        // already, but when not, minutes remain.
        let maybe_free = Residual {
            known_busy: 8.0,
            unreported: 1.0,
            ..busy(20.0)
        };
        let laws = order_laws(&[maybe_free]);
        assert!(laws.medians[0] < 0.01, "{laws:?}");
        assert!(laws.means[0] > 0.1, "{laws:?}");
        // A service just begun: the lognormal's median residual is below its mean.
        let laws = order_laws(&[busy(0.0)]);
        let median = 10.0 * (-SERVICE_LOG_SD * SERVICE_LOG_SD / 2.0).exp();
        assert!((laws.medians[0] - median).abs() < 0.2, "{laws:?}");
        assert!((laws.means[0] - 10.0).abs() < 0.05, "{laws:?}");
    }

    #[test]
    fn the_wait_law_of_nobody_ahead_is_the_first_end() {
        let counters = [busy(1.0), busy(4.0), busy(7.0)];
        let order = order_laws(&counters);
        let law = wait_law(&counters, 0.0, 10.0).expect("counters");
        assert!(
            (law.mean - order.means[0]).abs() < 0.15,
            "{law:?} {order:?}"
        );
        assert!(
            (law.median - order.medians[0]).abs() < 0.3,
            "{law:?} {order:?}"
        );
    }

    #[test]
    fn a_quick_counter_may_end_twice_before_a_slow_one_ends_once() {
        // Three counters: the third in line (two ahead) is called at the third end over all
        // counters, which may be the quickest counter's second end: sooner on average than
        // the slowest counter's first end, which the first round's order statistics say.
        let counters = [busy(1.0), busy(4.0), busy(7.0)];
        let order = order_laws(&counters);
        let law = wait_law(&counters, 2.0, 10.0).expect("counters");
        assert!(law.mean < order.means[2] - 0.5, "{law:?} {order:?}");
        assert!(law.mean > order.means[1], "{law:?} {order:?}");
        // A line three times as long waits about one more service per counter.
        let later = wait_law(&counters, 5.0, 10.0).expect("counters");
        assert!(
            (later.mean - law.mean - 10.0).abs() < 2.5,
            "{later:?} {law:?}"
        );
        // One counter: its residual and whole services, in a row (to the grid's third of a
        // minute per service).
        let one = wait_law(&[busy(0.0)], 2.0, 10.0).expect("a counter");
        assert!((one.mean - 30.0).abs() < 0.5, "{one:?}");
        // A free counter and nobody ahead: at once.
        let free = Residual {
            mean: 10.0,
            elapsed: None,
            known_busy: 0.0,
            unreported: 0.0,
        };
        let now = wait_law(&[free, busy(3.0)], 0.0, 10.0).expect("counters");
        assert!(now.mean < 0.01 && now.median < 0.01, "{now:?}");
    }

    #[test]
    fn the_wait_takes_the_next_free_counter_then_whole_rounds() {
        let order = [1.0, 4.0, 7.0];
        assert_eq!(short_queue_wait(&order, 0.0, 10.0), Some(1.0));
        assert_eq!(short_queue_wait(&order, 2.0, 10.0), Some(7.0));
        // The fourth in line waits for the first counter's next service.
        assert_eq!(short_queue_wait(&order, 3.0, 10.0), Some(11.0));
        assert_eq!(short_queue_wait(&order, 0.5, 10.0), Some(2.5));
    }

    #[test]
    fn a_longer_line_waits_its_share_of_services_plus_the_residual_less_the_stagger() {
        // 7 ahead at 3 counters of 12 minutes, residuals 1, 4, 7 (mean 4), stagger 1/3 × 12:
        // 7 × 12 / 3 + 4 − 4 = 28.
        let wait = mixed_wait(&[1.0, 4.0, 7.0], 7.0, 12.0, 3.0).expect("counters");
        assert!((wait - 28.0).abs() < 1e-9, "{wait}");
        // One counter: the residual and the services ahead, no stagger.
        assert_eq!(mixed_wait(&[3.0], 2.0, 10.0, 1.0), Some(23.0));
    }

    #[test]
    fn the_short_queue_answer_fades_over_the_second_round() {
        assert_eq!(short_queue_weight(0.0, 3), 1.0);
        assert_eq!(short_queue_weight(2.0, 3), 1.0);
        assert!((short_queue_weight(3.5, 3) - 0.5).abs() < 1e-12);
        assert_eq!(short_queue_weight(5.0, 3), 0.0);
    }

    #[test]
    fn the_habit_is_learned_from_the_days_finishes() {
        assert_eq!(FinishHabit::default().unreported_share(), 0.5);
        let reports = FinishHabit {
            explicit: 8,
            implicit_idle: 0,
        };
        assert!(reports.unreported_share() < 0.15);
    }
}
