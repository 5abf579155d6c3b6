//! What readers see of an office: after every commit the task estimates the waits and builds
//! the wire snapshot (through [`crate::wire`]); the first reader that needs it as JSON (a
//! status request, a viewer's whole snapshot) serializes it, once, and every later one shares
//! those bytes.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::calendar;
use crate::config::Config;
use crate::domain::{OfficeQueue, ShownEstimate, Ticket};
use crate::estimate::past::PastDays;
use crate::estimate::predictors::residual;
use crate::estimate::{
    self, CounterAvailability, CounterFacts, EndedWait, Estimator, FinishHabit, InService,
    QueueFacts, QueueHistory, ServiceEstimate, ServiceFacts, StaffingPlan, WaitEstimate,
};
use crate::protocol::{CallEvent, CounterState, Message, Payload, TicketState, VERSION};
use crate::wire;

use super::day_facts::Evidence;

/// The latest committed state of the office, with its snapshot serialized once.
#[derive(Debug)]
pub struct Published {
    /// The queue as committed (staff lists read from here). A persistent structure: sharing
    /// it with readers costs the same however many tickets the day has issued.
    pub queue: Arc<OfficeQueue>,
    /// What the estimator learned from today's tickets, kept up to date by the office task
    /// (for one ticket's own wait).
    pub evidence: Evidence,
    /// The calendar's answer when published.
    pub calendar: calendar::Status,
    /// The public snapshot message (`type: snapshot`).
    pub message: Message,
    /// `message` as JSON text (the status endpoint's body and the feed's whole frame), made
    /// when first asked for: a long line makes it as costly as the rest of the publish, and
    /// many states are never read whole (a 304 needs only the ETag, viewers mostly take
    /// changes).
    json: OnceLock<Bytes>,
    /// Strong ETag of `json`.
    pub etag: String,
    /// When it was published (for the feed's publish-to-send lag).
    pub published_at: Instant,
    /// How the office estimates waits (for one ticket's own wait).
    pub wait_model: Arc<WaitModel>,
}

/// A call, sent to feed viewers as it happens.
#[derive(Clone, Debug)]
pub struct Called {
    /// The `call` message as JSON text.
    pub json: Bytes,
    /// When it was sent (for the feed's publish-to-send lag).
    pub published_at: Instant,
}

/// How the office estimates waits: the configured predictor with the evidence it learned. One
/// per office, shared by every published state, so that one ticket's own wait (the personal
/// ticket page) comes from the same model as the screens.
pub struct WaitModel {
    config: Arc<Config>,
    estimator: Arc<dyn Estimator>,
    /// What past days taught (throughput by time of day, the band's past errors).
    past: PastDays,
    /// The configured staffing plan, if any.
    plan: Option<Arc<StaffingPlan>>,
}

impl std::fmt::Debug for WaitModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitModel").finish_non_exhaustive()
    }
}

impl Published {
    /// The snapshot message as JSON text, serialized by the first caller.
    pub fn json(&self) -> &Bytes {
        self.json
            .get_or_init(|| match serde_json::to_vec(&self.message) {
                Ok(json) => Bytes::from(json),
                // Plain data with string keys: serde_json has nothing to refuse in it.
                Err(error) => {
                    tracing::error!(%error, "could not serialize a snapshot");
                    Bytes::new()
                }
            })
    }
}

impl WaitModel {
    /// Everything the predictor may know at `now`.
    fn facts(&self, queue: &OfficeQueue, evidence: &Evidence, now: DateTime<Utc>) -> QueueFacts {
        let mut facts = facts_with(queue, evidence, &self.config, now);
        facts.history.capacity_profile = self.past.profile.clone();
        facts.history.staffing_plan = self.plan.clone();
        facts.history.past_errors = self.past.errors.clone();
        facts
            .history
            .ended_pauses
            .extend_from_slice(&self.past.pauses);
        facts
    }

    /// The wait of one waiting ticket until it is called: the predictor's answer for a ticket
    /// of its service with only the people ahead of it in the line. `None` once it is called.
    pub fn ticket_wait(
        &self,
        queue: &OfficeQueue,
        evidence: &Evidence,
        ticket: &Ticket,
        now: DateTime<Utc>,
    ) -> Option<WaitEstimate> {
        if ticket.state != TicketState::Waiting {
            return None;
        }
        let mut facts = self.facts(queue, evidence, now);
        for service in &mut facts.services {
            service.waiting = queue.ahead_of_in(ticket, &service.id);
        }
        facts.history.head_issued_at = queue
            .tickets_ahead_of(ticket)
            .next()
            .map(|first| first.issued_at);
        self.estimator
            .estimate(&facts)
            .into_iter()
            .find(|estimate| *estimate.service == *ticket.service)
            .map(|estimate| estimate.wait)
    }
}

/// Makes [`Published`] states for one office: the wait model, the configuration, and a strong
/// ETag that differs across restarts (a random nonce) and across publishes (a counter).
pub(super) struct Publisher {
    config: Arc<Config>,
    model: Arc<WaitModel>,
    demo: bool,
    etag_nonce: u64,
    publishes: u64,
}

/// A published state and the estimates it shows, which the task keeps: they are stored with
/// each ticket issued until the next publish.
pub(super) struct Rendered {
    pub(super) published: Published,
    pub(super) estimates: Vec<ServiceEstimate>,
}

impl Publisher {
    pub(super) fn new(
        config: Arc<Config>,
        estimator: Arc<dyn Estimator>,
        demo: bool,
        past: PastDays,
    ) -> Self {
        let model = WaitModel {
            plan: config.estimates.plan(),
            config: config.clone(),
            estimator,
            past,
        };
        Self {
            config,
            model: Arc::new(model),
            demo,
            etag_nonce: rand::random(),
            publishes: 0,
        }
    }

    /// Estimates the waits and builds the snapshot (its JSON is made when first read).
    /// `evidence` is what the task learned from `queue`'s tickets. `clock_speed` is the server
    /// clock's speed, shown in the snapshot when it is not real time.
    pub(super) fn render(
        &mut self,
        queue: &OfficeQueue,
        evidence: &Evidence,
        now: DateTime<Utc>,
        clock_speed: f64,
    ) -> Rendered {
        let status = calendar::status(&queue.office().schedule, now)
            .serving_until_empty(queue.has_open_tickets());
        let estimates = self
            .model
            .estimator
            .estimate(&self.model.facts(queue, evidence, now));
        let level = estimate::congestion(&estimates, &self.config.congestion);
        let mut snapshot =
            wire::snapshot(queue, &self.config, &status, &estimates, level, self.demo);
        snapshot.clock_speed = (clock_speed != 1.0).then_some(clock_speed);
        let message = Message {
            v: VERSION,
            seq: queue.last_seq(),
            generated_at: wire::tokyo(now),
            payload: Payload::Snapshot(Box::new(snapshot)),
        };
        self.publishes += 1;
        Rendered {
            published: Published {
                queue: Arc::new(queue.clone()),
                evidence: evidence.clone(),
                calendar: status,
                message,
                json: OnceLock::new(),
                etag: format!("\"{:x}-{}\"", self.etag_nonce, self.publishes),
                published_at: Instant::now(),
                wait_model: self.model.clone(),
            },
            estimates,
        }
    }

    /// A `call` message for the feed.
    pub(super) fn call(
        &self,
        seq: u64,
        call: CallEvent,
        now: DateTime<Utc>,
    ) -> Result<Called, serde_json::Error> {
        let message = Message {
            v: VERSION,
            seq,
            generated_at: wire::tokyo(now),
            payload: Payload::Call(call),
        };
        Ok(Called {
            json: Bytes::from(serde_json::to_string(&message)?),
            published_at: Instant::now(),
        })
    }
}

/// The wait bands and points screens show per service, stored with each ticket issued.
pub fn shown_ranges(estimates: &[ServiceEstimate]) -> Vec<(String, ShownEstimate)> {
    estimates
        .iter()
        .filter_map(|estimate| match estimate.wait {
            WaitEstimate::Minutes { min, max, point } => Some((
                estimate.service.clone(),
                ShownEstimate::new(min, max, point),
            )),
            WaitEstimate::NoCounterOpen => None,
        })
        .collect()
}

/// What the estimator needs to know about the queue at `now`: waiting counts, today's service
/// times, counters and who is at them. Built from the whole day; the office task keeps the
/// same evidence up to date change by change instead (see `day_facts`).
pub fn queue_facts(queue: &OfficeQueue, config: &Config, now: DateTime<Utc>) -> QueueFacts {
    facts_with(queue, &evidence_of(queue), config, now)
}

/// Today's evidence from every ticket of the day.
fn evidence_of(queue: &OfficeQueue) -> Evidence {
    let minutes =
        |from: DateTime<Utc>, to: DateTime<Utc>| (to - from).num_milliseconds() as f64 / 60_000.0;
    let finishes = Finishes::of(queue.tickets());
    let mut finished: imbl::HashMap<String, imbl::Vector<f64>> = imbl::HashMap::new();
    for t in queue.tickets() {
        // How long each ticket held its counter, from the call (the walk to the desk holds it
        // too) to its end: the realised pace, whether or not clerks mark a start.
        if matches!(t.state, TicketState::Done | TicketState::NoShow)
            && !finishes.idle_included.contains(&t.id)
            && let (Some(called), Some(ended)) = (t.called_at, t.finished_at)
        {
            finished
                .entry(t.service.to_string())
                .or_default()
                .push_back(minutes(called, ended));
        }
    }
    let mut called: Vec<EndedWait> = queue
        .tickets()
        .filter_map(|t| {
            Some(EndedWait {
                service: t.service.to_string(),
                issued_at: t.issued_at,
                called_at: t.called_at?,
                shown_point: t.estimate_at_issue.map(|e| e.point_minutes()),
            })
        })
        .collect();
    called.sort_by_key(|ended| ended.called_at);
    Evidence {
        finished,
        called: called.into_iter().collect(),
        habit: finishes.habit,
    }
}

/// The estimator's facts at `now` from the queue and today's evidence: only the open tickets
/// and the counters are read here, so the cost does not grow with the day.
pub(super) fn facts_with(
    queue: &OfficeQueue,
    evidence: &Evidence,
    config: &Config,
    now: DateTime<Utc>,
) -> QueueFacts {
    let services = queue
        .office()
        .services
        .iter()
        .filter_map(|id| config.service(id))
        .map(|service| ServiceFacts {
            id: service.id.clone(),
            configured_mean_minutes: service.mean_service_minutes,
            waiting: queue.waiting_for(&service.id),
            finished_today_minutes: evidence
                .finished
                .get(&service.id)
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let counters = queue
        .counters()
        .iter()
        .map(|counter| CounterFacts {
            id: counter.id.clone(),
            state: match counter.state {
                CounterState::Open => CounterAvailability::Open,
                CounterState::Paused => CounterAvailability::Paused,
                CounterState::Closed | CounterState::Unknown => CounterAvailability::Closed,
            },
            services: counter.services.clone(),
            paused_since: counter.paused_since,
            current: queue.current_at(&counter.id).and_then(|t| {
                Some(InService {
                    service: t.service.to_string(),
                    since: t.called_at.or(t.started_at)?,
                })
            }),
        })
        .collect();
    QueueFacts {
        now,
        services,
        counters,
        history: QueueHistory {
            // Before the first waiting ticket stand only those called and not yet done.
            head_issued_at: queue
                .open_tickets()
                .find(|t| t.state == TicketState::Waiting)
                .map(|t| t.issued_at),
            called: evidence.called.clone(),
            finish_habit: evidence.habit,
            ended_pauses: queue.ended_pause_minutes(),
            ..QueueHistory::default()
        },
    }
}

/// How today's services ended, as the estimator needs to know it.
struct Finishes {
    /// Whether clerks report finishes or only call the next.
    habit: FinishHabit,
    /// Tickets finished by a call-next for somebody who had not waited: the counter stood free
    /// before that call, so the recorded service includes idle time and is no service time.
    idle_included: HashSet<i64>,
}

impl Finishes {
    fn of<'a>(tickets: impl Iterator<Item = &'a Ticket> + Clone) -> Self {
        // Each first call, by counter and instant: a finish at the same counter and instant was
        // made by that call-next.
        let calls: HashMap<(&str, DateTime<Utc>), DateTime<Utc>> = tickets
            .clone()
            .filter_map(|t| Some(((t.counter.as_deref()?, t.called_at?), t.issued_at)))
            .collect();
        let mut habit = FinishHabit::default();
        let mut idle_included = HashSet::new();
        for ticket in tickets {
            let (Some(counter), Some(_), Some(finished)) = (
                ticket.counter.as_deref(),
                ticket.called_at,
                ticket.finished_at,
            ) else {
                continue;
            };
            match calls.get(&(counter, finished)) {
                None => habit.explicit += 1,
                Some(&issued)
                    if estimate::minutes_between(issued, finished)
                        < residual::BUSY_EVIDENCE_MINUTES =>
                {
                    habit.implicit_idle += 1;
                    idle_included.insert(ticket.id);
                }
                Some(_) => {}
            }
        }
        Self {
            habit,
            idle_included,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate, TimeZone};

    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() + Duration::minutes(minute)
    }

    /// A ticket issued, called to counter 1 and (maybe) finished at these minutes.
    fn ticket(id: i64, issued: i64, called: i64, finished: Option<i64>) -> Ticket {
        Ticket {
            id,
            public_id: id.to_string(),
            number: format!("R{id:03}").into(),
            seq_no: id as u32,
            service: "renewal".into(),
            state: if finished.is_some() {
                TicketState::Done
            } else {
                TicketState::Called
            },
            counter: Some("1".into()),
            business_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            issued_at: at(issued),
            called_at: Some(at(called)),
            recalled_at: None,
            started_at: None,
            finished_at: finished.map(at),
            waiting_ahead_at_issue: 0,
            estimate_at_issue: None,
        }
    }

    #[test]
    fn a_finish_made_by_calling_somebody_who_had_not_waited_includes_idle_time() {
        // 1: called at 0, finished by the call of 2 at 30, who came at 30 (the counter had
        // stood free): idle time. 2: finished by the call of 3 at 42, who had waited since 35:
        // a real service. 3: finished on its own at 50.
        let tickets = [
            ticket(1, 0, 0, Some(30)),
            ticket(2, 30, 30, Some(42)),
            ticket(3, 35, 42, Some(50)),
        ];
        let finishes = Finishes::of(tickets.iter());
        assert_eq!(
            finishes.habit,
            FinishHabit {
                explicit: 1,
                implicit_idle: 1
            }
        );
        assert_eq!(finishes.idle_included, HashSet::from([1]));
    }
}
