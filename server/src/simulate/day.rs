//! One simulated business day through the real queue: the same [`OfficeQueue`] decides every
//! issue, call, recall, start, finish, no-show, cancellation and counter change, at instants of
//! a simulated clock that advances in steps of [`STEP_SECONDS`]. No store and no sockets: the
//! simulator plays the store's part by numbering tickets and events itself.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Asia::Tokyo;
use rand::Rng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Exp, LogNormal, Poisson};

use super::arrivals::arrivals_per_hour;
use super::scenario::Scenario;
use crate::calendar::{self, DayHours};
use crate::config::{Config, OfficeConfig};
use crate::domain::{
    Change, Closed, Command, Context, Decision, Issued, OfficeQueue, Recorded, ShownEstimate,
    TicketAction, display_number,
};
use crate::history::CounterChange;
use crate::protocol::{CounterState, TicketState};

/// Simulated seconds per step: short beside a 10-minute service, coarse enough for 200 days.
pub const STEP_SECONDS: i64 = 15;
/// Clerks open their counters this long before reception opens (they prepare before 9:00).
const OPEN_EARLY_MINUTES: i64 = 5;
/// A called visitor reaches the counter after this long; one who does not come is recalled at
/// [`RECALL_AFTER_MINUTES`] and recorded a no-show at [`NO_SHOW_AFTER_MINUTES`].
const WALK_MINUTES: i64 = 1;
const RECALL_AFTER_MINUTES: i64 = 2;
const NO_SHOW_AFTER_MINUTES: i64 = 4;
/// The lunch dip in staffing.
const LUNCH: (u32, u32) = (12, 13);

/// What the simulator asks at each issue: the estimates to show (and to record), given the
/// queue just before the ticket is issued.
pub trait Observer {
    /// Called before a ticket of `service` is issued; returns what screens show for it.
    fn before_issue(
        &mut self,
        queue: &OfficeQueue,
        now: DateTime<Utc>,
        service: &str,
    ) -> Option<ShownEstimate>;
    /// Called after `ticket` was issued (its id is now known).
    fn issued(&mut self, ticket: i64);
    /// Called when `ticket` is first called.
    fn first_called(&mut self, queue: &OfficeQueue, ticket: i64, now: DateTime<Utc>);
}

/// Where one clerk is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Desk {
    Idle,
    Called {
        ticket: i64,
        at: DateTime<Utc>,
        comes: bool,
        recalled: bool,
    },
    Serving {
        ticket: i64,
        until: DateTime<Utc>,
    },
}

/// A visitor who gives up at an instant unless called before.
struct Patience {
    ticket: i64,
    gives_up_at: DateTime<Utc>,
}

/// One day's simulation.
pub struct Day<'a> {
    queue: OfficeQueue,
    config: &'a Config,
    office: &'a OfficeConfig,
    scenario: &'a Scenario,
    hours: DayHours,
    date: NaiveDate,
    desks: Vec<Desk>,
    next_id: i64,
    seq: u64,
    leaving: Vec<Patience>,
    /// Every counter change made, as the event log would hold them (for synthetic history).
    counter_changes: Vec<CounterChange>,
}

/// The local instant of `time` on `date`.
fn at(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    date.and_time(time)
        .and_local_timezone(Tokyo)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

impl<'a> Day<'a> {
    /// A day of `office` on `date` (an open day), ticket ids from `first_id`.
    pub fn new(
        config: &'a Config,
        office: &'a OfficeConfig,
        scenario: &'a Scenario,
        date: NaiveDate,
        hours: DayHours,
        first_id: i64,
    ) -> Self {
        Self {
            queue: OfficeQueue::new(office.clone(), config.prefixes_of(office), date),
            config,
            office,
            scenario,
            hours,
            date,
            desks: vec![Desk::Idle; office.counters.len()],
            next_id: first_id,
            seq: 0,
            leaving: Vec::new(),
            counter_changes: Vec::new(),
        }
    }

    /// Runs the day to its end (reception closed and the queue empty) and returns its queue.
    pub fn run(
        self,
        rng: &mut StdRng,
        busy_day: bool,
        observer: &mut impl Observer,
    ) -> OfficeQueue {
        self.play(rng, busy_day, observer).0
    }

    /// Runs the day like [`Day::run`] and also returns its counter changes, in the order made.
    pub fn play(
        mut self,
        rng: &mut StdRng,
        busy_day: bool,
        observer: &mut impl Observer,
    ) -> (OfficeQueue, Vec<CounterChange>) {
        let mut arrivals = self.arrivals(rng, busy_day);
        arrivals.reverse(); // pop from the earliest
        let Some(opens) = at(self.date, self.hours.opens) else {
            return (self.queue, self.counter_changes);
        };
        let mut now = opens - Duration::minutes(OPEN_EARLY_MINUTES + 1);
        let last = opens + Duration::hours(20);
        while now < last {
            now += Duration::seconds(STEP_SECONDS);
            while arrivals.last().is_some_and(|&a| a <= now) {
                arrivals.pop();
                self.arrive(rng, now, observer);
            }
            self.give_up(now);
            self.staff(now);
            for desk in 0..self.desks.len() {
                self.work(desk, rng, now, observer);
            }
            let over = !calendar::status(&self.office.schedule, now).accepts_tickets()
                && now > opens
                && arrivals.is_empty()
                && self.queue.tickets().all(|t| t.state.is_final())
                && self.desks.iter().all(|d| *d == Desk::Idle);
            if over {
                break;
            }
        }
        (self.queue, self.counter_changes)
    }

    /// Arrival instants of the day: a Poisson number per hour of reception, spread uniformly.
    fn arrivals(&self, rng: &mut StdRng, busy_day: bool) -> Vec<DateTime<Utc>> {
        let (Some(opens), Some(closes)) = (
            at(self.date, self.hours.opens),
            at(self.date, self.hours.closes),
        ) else {
            return Vec::new();
        };
        // Minutes of reception in each local hour, and the day's shape over them.
        let mut pieces = Vec::new();
        let mut t = opens;
        while t < closes {
            let hour = t.with_timezone(&Tokyo).hour();
            let next_hour = t + Duration::minutes(60 - i64::from(t.with_timezone(&Tokyo).minute()));
            let end = next_hour.min(closes);
            let minutes = (end - t).num_seconds() as f64 / 60.0;
            pieces.push((t, minutes, arrivals_per_hour(hour) * minutes / 60.0));
            t = end;
        }
        let shape: f64 = pieces.iter().map(|p| p.2).sum();
        let volume = self.scenario.tickets_per_day
            * if busy_day {
                self.scenario.busy_day_factor
            } else {
                1.0
            };
        let mut out = Vec::new();
        for (start, minutes, weight) in pieces {
            let mean = volume * weight / shape.max(f64::EPSILON);
            let count = Poisson::new(mean.max(1e-9))
                .map(|p| p.sample(rng))
                .unwrap_or(0.0) as u64;
            for _ in 0..count {
                let offset = rng.r#gen::<f64>() * minutes * 60.0;
                out.push(start + Duration::milliseconds((offset * 1000.0) as i64));
            }
        }
        out.sort();
        out
    }

    fn context(&self, now: DateTime<Utc>, shown: Option<(&str, ShownEstimate)>) -> Context {
        let status = calendar::status(&self.office.schedule, now);
        Context {
            now,
            reception_hours: Closed::unless_open(&status),
            shown_estimates: shown
                .map(|(s, e)| vec![(s.to_string(), e)])
                .unwrap_or_default(),
        }
    }

    /// Decides and commits a command, giving ids as the store would; the decision if accepted.
    fn execute(&mut self, command: Command, context: &Context) -> Option<Decision> {
        let decision = self.queue.decide(&command, context).ok()?;
        if decision.changes.is_empty() {
            return Some(decision);
        }
        let issued = decision.changes.iter().find_map(|change| match change {
            Change::Issue { prefix, seq_no, .. } => {
                self.next_id += 1;
                Some(Issued {
                    id: self.next_id,
                    public_id: format!("sim-{}", self.next_id),
                    seq_no: *seq_no,
                    number: display_number(prefix, *seq_no),
                })
            }
            _ => None,
        });
        for change in &decision.changes {
            if let Change::Counter { id, state } = change {
                self.counter_changes.push(CounterChange {
                    date: self.date,
                    at: context.now,
                    counter: id.clone(),
                    state: *state,
                });
            }
        }
        self.seq += 1;
        self.queue
            .commit(&decision, &Recorded { issued }, context.now);
        self.queue.note_event(self.seq);
        Some(decision)
    }

    fn simple(&mut self, command: Command, now: DateTime<Utc>) -> Option<Decision> {
        let context = self.context(now, None);
        self.execute(command, &context)
    }

    fn pick_service(&self, rng: &mut StdRng) -> String {
        // Most visitors renew (domain R17); the other procedures share the rest.
        let services = &self.office.services;
        if services.len() <= 1 || rng.r#gen::<f64>() < 0.7 {
            return services.first().cloned().unwrap_or_default();
        }
        let i = rng.gen_range(1..services.len());
        services[i].clone()
    }

    fn arrive(&mut self, rng: &mut StdRng, now: DateTime<Utc>, observer: &mut impl Observer) {
        let service = self.pick_service(rng);
        let shown = observer.before_issue(&self.queue, now, &service);
        let context = self.context(now, shown.map(|e| (service.as_str(), e)));
        let Some(decision) = self.execute(Command::Issue { service }, &context) else {
            return;
        };
        if decision.changes.is_empty() {
            return;
        }
        let id = self.next_id;
        observer.issued(id);
        if rng.r#gen::<f64>() < self.scenario.cancel_rate {
            let minutes = Exp::new(1.0 / self.scenario.patience_minutes)
                .map(|e| e.sample(rng))
                .unwrap_or(self.scenario.patience_minutes);
            self.leaving.push(Patience {
                ticket: id,
                gives_up_at: now + Duration::milliseconds((minutes * 60_000.0) as i64),
            });
        }
    }

    /// Visitors out of patience ask staff to cancel their ticket, if still waiting.
    fn give_up(&mut self, now: DateTime<Utc>) {
        let due: Vec<i64> = self
            .leaving
            .iter()
            .filter(|p| p.gives_up_at <= now)
            .map(|p| p.ticket)
            .collect();
        self.leaving.retain(|p| p.gives_up_at > now);
        for ticket in due {
            if self
                .queue
                .ticket(ticket)
                .is_some_and(|t| t.state == TicketState::Waiting)
            {
                self.simple(
                    Command::Ticket {
                        id: ticket,
                        action: TicketAction::Cancel,
                    },
                    now,
                );
            }
        }
    }

    /// The state counter `index` should be in now: staffed counters open from shortly before
    /// opening until the queue is empty after reception ends; some pause at lunch; one may be
    /// down all morning.
    fn wanted(&self, index: usize, now: DateTime<Utc>) -> CounterState {
        let s = self.scenario;
        let local = now.with_timezone(&Tokyo).time();
        let opens =
            at(self.date, self.hours.opens).map(|o| o - Duration::minutes(OPEN_EARLY_MINUTES));
        let status = calendar::status(&self.office.schedule, now);
        let anyone_waiting = self
            .queue
            .tickets()
            .any(|t| t.state == TicketState::Waiting);
        let on_shift =
            opens.is_some_and(|o| now >= o) && (status.accepts_tickets() || anyone_waiting);
        if index >= s.staffed_counters || !on_shift {
            return CounterState::Closed;
        }
        if index == 0 && s.counter_down_until.is_some_and(|until| local < until) {
            return CounterState::Closed;
        }
        let lunch = (LUNCH.0..LUNCH.1).contains(&local.hour());
        if lunch && index >= s.staffed_counters - s.lunch_paused {
            return CounterState::Paused;
        }
        CounterState::Open
    }

    fn staff(&mut self, now: DateTime<Utc>) {
        for index in 0..self.desks.len() {
            let Some(id) = self.office.counters.get(index).map(|c| c.id.clone()) else {
                continue;
            };
            let state = self.queue.counter(&id).map(|c| c.state);
            let wanted = self.wanted(index, now);
            if state == Some(wanted) {
                continue;
            }
            // A clerk finishes the visitor at the desk before pausing or closing.
            let command = match wanted {
                CounterState::Open => Some(Command::OpenCounter(id)),
                CounterState::Paused if self.desks[index] == Desk::Idle => {
                    Some(Command::PauseCounter(id))
                }
                CounterState::Closed if self.desks[index] == Desk::Idle => {
                    Some(Command::CloseCounter(id))
                }
                _ => None,
            };
            if let Some(command) = command {
                self.simple(command, now);
            }
        }
    }

    fn service_time(&self, rng: &mut StdRng, ticket: i64) -> Duration {
        let mean = self
            .queue
            .ticket(ticket)
            .and_then(|t| self.config.service(&t.service))
            .map_or(10.0, |s| s.mean_service_minutes)
            * self.scenario.service_time_factor;
        let sigma = self.scenario.service_sigma;
        // A lognormal with this mean: mu = ln(mean) − sigma²/2.
        let minutes = LogNormal::new(mean.ln() - sigma * sigma / 2.0, sigma)
            .map(|d| d.sample(rng))
            .unwrap_or(mean);
        Duration::milliseconds((minutes * 60_000.0) as i64)
    }

    /// Call-next at counter `index` (finishing its current ticket), reporting the first call.
    fn call_next(
        &mut self,
        index: usize,
        rng: &mut StdRng,
        now: DateTime<Utc>,
        observer: &mut impl Observer,
    ) -> Desk {
        let Some(id) = self.office.counters.get(index).map(|c| c.id.clone()) else {
            return Desk::Idle;
        };
        match self
            .simple(Command::CallNext(id), now)
            .and_then(|d| d.ticket())
        {
            Some(ticket) => {
                observer.first_called(&self.queue, ticket, now);
                Desk::Called {
                    ticket,
                    at: now,
                    comes: rng.r#gen::<f64>() >= self.scenario.no_show_rate,
                    recalled: false,
                }
            }
            None => Desk::Idle,
        }
    }

    fn work(
        &mut self,
        index: usize,
        rng: &mut StdRng,
        now: DateTime<Utc>,
        observer: &mut impl Observer,
    ) {
        let calling = self.wanted(index, now) == CounterState::Open
            && self
                .office
                .counters
                .get(index)
                .and_then(|c| self.queue.counter(&c.id))
                .is_some_and(|c| c.state == CounterState::Open);
        let anyone_waiting = self
            .queue
            .tickets()
            .any(|t| t.state == TicketState::Waiting);
        let act = |day: &mut Self, ticket: i64, action: TicketAction| {
            day.simple(Command::Ticket { id: ticket, action }, now)
        };
        let next = match self.desks[index] {
            Desk::Idle if calling && anyone_waiting => self.call_next(index, rng, now, observer),
            Desk::Idle => Desk::Idle,
            Desk::Called {
                ticket,
                at,
                comes: true,
                ..
            } if now - at >= Duration::minutes(WALK_MINUTES) => {
                act(self, ticket, TicketAction::Start);
                Desk::Serving {
                    ticket,
                    until: now + self.service_time(rng, ticket),
                }
            }
            Desk::Called {
                ticket,
                at,
                comes: false,
                recalled,
            } => {
                if now - at >= Duration::minutes(NO_SHOW_AFTER_MINUTES) {
                    act(self, ticket, TicketAction::NoShow);
                    Desk::Idle
                } else if !recalled && now - at >= Duration::minutes(RECALL_AFTER_MINUTES) {
                    act(self, ticket, TicketAction::Recall);
                    Desk::Called {
                        ticket,
                        at,
                        comes: false,
                        recalled: true,
                    }
                } else {
                    self.desks[index]
                }
            }
            Desk::Serving { ticket, until } if now >= until => {
                if calling && anyone_waiting {
                    self.call_next(index, rng, now, observer)
                } else {
                    act(self, ticket, TicketAction::Finish);
                    Desk::Idle
                }
            }
            busy => busy,
        };
        self.desks[index] = next;
    }
}
