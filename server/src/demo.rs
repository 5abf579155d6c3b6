//! The demo day (`queue-server --demo`): a simulated business day run through the real domain
//! code and the real store, so a newcomer sees a live, believable queue at any hour.
//!
//! Synthetic visitors arrive as a Poisson process whose rate follows a city-hall day (a rush at
//! opening, a quieter lunch, a smaller peak after lunch); synthetic staff open counters, pause
//! half of them over lunch, call, serve for lognormal times around each service's configured
//! mean, and sometimes record a no-show. Every action is an ordinary staff command (actor
//! `demo`) through the office task, so people can issue and call tickets beside it.

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use chrono_tz::Asia::Tokyo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp, LogNormal};
use tokio::sync::watch;

use crate::calendar::{self, Phase, Schedule};
use crate::clock::SharedClock;
use crate::config::{Config, OfficeConfig};
use crate::domain::{Command, DomainError, TicketAction};
use crate::office::{OfficeError, OfficeHandle, Outcome};
use crate::protocol::{CounterState, TicketState};
use crate::simulate::arrivals_per_hour;

/// Who the event log says acted.
pub const ACTOR: &str = "demo";
/// Simulated time between two looks at the queue.
const STEP_SECONDS: i64 = 20;
/// A called visitor walks to the counter in this long (or never comes: a no-show).
const WALK_SECONDS: i64 = 60;
/// Share of called visitors who never come.
const NO_SHOW_RATE: f64 = 0.04;
/// Spread of service times (sigma of the underlying normal).
const SERVICE_SIGMA: f64 = 0.35;

/// Counters staffed, out of `total`, at a local time of an open day (half over lunch).
fn staffed(total: usize, time: NaiveTime) -> usize {
    if (12..13).contains(&time.hour()) {
        total.div_ceil(2)
    } else {
        total
    }
}

/// Where one synthetic clerk is.
#[derive(Clone, Debug, PartialEq)]
enum Desk {
    /// Nobody at the counter.
    Idle,
    /// A number was called; the visitor is walking over (or will not come).
    Called {
        ticket: i64,
        at: DateTime<Utc>,
        comes: bool,
    },
    /// Serving until an instant.
    Serving { ticket: i64, until: DateTime<Utc> },
}

/// One office's simulated day.
pub struct Simulation {
    office: OfficeHandle,
    schedule: Schedule,
    /// (service id, mean minutes, share of arrivals).
    services: Vec<(String, f64, f64)>,
    counters: Vec<(String, Desk)>,
    clock: SharedClock,
    rng: StdRng,
    next_arrival: Option<DateTime<Utc>>,
    /// How many counters are staffed now; a clerk beyond it finishes and goes on a break.
    staffed_now: usize,
}

impl Simulation {
    /// A simulation of one office; `seed` makes runs repeatable.
    pub fn new(
        office: OfficeHandle,
        office_config: &OfficeConfig,
        config: &Config,
        clock: SharedClock,
        seed: u64,
    ) -> Self {
        let services = office_config
            .services
            .iter()
            .filter_map(|id| config.service(id))
            .enumerate()
            .map(|(index, service)| {
                // Most visitors renew (domain R17); the other cases are rarer.
                let share = if index == 0 {
                    0.7
                } else {
                    0.3 / (office_config.services.len().max(2) - 1) as f64
                };
                (service.id.clone(), service.mean_service_minutes, share)
            })
            .collect();
        Self {
            office,
            schedule: office_config.schedule.clone(),
            services,
            counters: office_config
                .counters
                .iter()
                .map(|c| (c.id.clone(), Desk::Idle))
                .collect(),
            clock,
            rng: StdRng::seed_from_u64(seed),
            next_arrival: None,
            staffed_now: 0,
        }
    }

    /// Runs until `stop` turns true.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        loop {
            let now = self.clock.now();
            self.step(now).await;
            let real = std::time::Duration::from_secs(STEP_SECONDS as u64)
                .div_f64(self.clock.speed())
                .clamp(
                    std::time::Duration::from_millis(2),
                    std::time::Duration::from_secs(2),
                );
            tokio::select! {
                () = tokio::time::sleep(real) => {}
                changed = stop.changed() => if changed.is_err() || *stop.borrow() { break },
            }
        }
    }

    /// One look at the queue at `now`: arrivals due, staffing, and each desk.
    pub async fn step(&mut self, now: DateTime<Utc>) {
        let status = calendar::status(&self.schedule, now);
        self.arrive(now, status.accepts_tickets()).await;
        self.staff(now, &status).await;
        for index in 0..self.counters.len() {
            self.work_desk(index, now).await;
        }
    }

    async fn execute(&self, command: Command) -> Result<Outcome, OfficeError> {
        self.office.execute(command, ACTOR).await
    }

    fn pick_service(&mut self) -> String {
        let roll: f64 = self.rng.r#gen();
        let mut total = 0.0;
        for (id, _, share) in &self.services {
            total += share;
            if roll < total {
                return id.clone();
            }
        }
        self.services
            .last()
            .map(|s| s.0.clone())
            .unwrap_or_default()
    }

    fn next_gap(&mut self, at: DateTime<Utc>) -> Duration {
        let hour = at.with_timezone(&Tokyo).hour();
        let scale = self.counters.len() as f64 / 4.0;
        let rate = arrivals_per_hour(hour) * scale.max(0.25) / 3600.0;
        let seconds = Exp::new(rate)
            .map(|e| e.sample(&mut self.rng))
            .unwrap_or(600.0);
        Duration::milliseconds((seconds * 1000.0) as i64)
    }

    async fn arrive(&mut self, now: DateTime<Utc>, open: bool) {
        if !open {
            self.next_arrival = None;
            return;
        }
        let mut next = match self.next_arrival {
            Some(next) => next,
            None => now + self.next_gap(now),
        };
        while next <= now {
            let service = self.pick_service();
            if let Err(error) = self.execute(Command::Issue { service }).await {
                tracing::debug!(%error, "demo visitor could not get a ticket");
            }
            next = next + self.next_gap(next);
        }
        self.next_arrival = Some(next);
    }

    async fn staff(&mut self, now: DateTime<Utc>, status: &calendar::Status) {
        let latest = self.office.latest();
        let queue = &latest.queue;
        let anyone_waiting = queue.tickets().any(|t| t.state == TicketState::Waiting);
        let local = now.with_timezone(&Tokyo).time();
        let wanted = match &status.phase {
            Phase::Open => staffed(self.counters.len(), local),
            // After reception closes, staff stay until the queue is drained.
            Phase::ReceptionClosed | Phase::ClosedForTheDay | Phase::Closed(_)
                if anyone_waiting =>
            {
                self.counters.len()
            }
            _ => 0,
        };
        self.staffed_now = wanted;
        let lunch = matches!(status.phase, Phase::Open) && wanted < self.counters.len();
        for (index, (id, desk)) in self.counters.iter().enumerate() {
            let Some(counter) = queue.counter(id) else {
                continue;
            };
            let command = if index < wanted {
                (counter.state != CounterState::Open).then(|| Command::OpenCounter(id.clone()))
            } else if *desk == Desk::Idle && counter.state == CounterState::Open {
                Some(if lunch {
                    Command::PauseCounter(id.clone())
                } else {
                    Command::CloseCounter(id.clone())
                })
            } else if *desk == Desk::Idle && counter.state == CounterState::Paused && !lunch {
                Some(Command::CloseCounter(id.clone()))
            } else {
                None
            };
            if let Some(command) = command
                && let Err(error) = self.office.execute(command, ACTOR).await
            {
                tracing::debug!(%error, "demo staffing");
            }
        }
    }

    fn service_time(&mut self, ticket: i64) -> Duration {
        let latest = self.office.latest();
        let mean = latest
            .queue
            .ticket(ticket)
            .and_then(|t| self.services.iter().find(|s| *s.0 == *t.service))
            .map(|s| s.1)
            .unwrap_or(10.0);
        // A lognormal with this mean: mu = ln(mean) - sigma²/2.
        let mu = mean.ln() - SERVICE_SIGMA * SERVICE_SIGMA / 2.0;
        let minutes = LogNormal::new(mu, SERVICE_SIGMA)
            .map(|d| d.sample(&mut self.rng))
            .unwrap_or(mean);
        Duration::milliseconds((minutes * 60_000.0) as i64)
    }

    async fn call_next(&mut self, index: usize, now: DateTime<Utc>) -> Desk {
        let id = self.counters[index].0.clone();
        match self.execute(Command::CallNext(id)).await {
            Ok(Outcome::Ticket(ticket)) => Desk::Called {
                ticket: ticket.id.parse().unwrap_or_default(),
                at: now,
                comes: self.rng.r#gen::<f64>() >= NO_SHOW_RATE,
            },
            Err(OfficeError::Domain(
                DomainError::QueueEmpty | DomainError::CounterNotOpen { .. },
            )) => Desk::Idle,
            other => {
                tracing::debug!(?other, "demo call-next");
                Desk::Idle
            }
        }
    }

    async fn act(&self, ticket: i64, action: TicketAction) -> bool {
        self.execute(Command::Ticket { id: ticket, action })
            .await
            .is_ok()
    }

    async fn work_desk(&mut self, index: usize, now: DateTime<Utc>) {
        let latest = self.office.latest();
        let id = &self.counters[index].0;
        // A clerk beyond today's staffing (lunch) calls nobody new.
        let open = index < self.staffed_now
            && latest
                .queue
                .counter(id)
                .is_some_and(|c| c.state == CounterState::Open);
        let desk = self.counters[index].1.clone();
        let next = match desk {
            Desk::Idle if open => self.call_next(index, now).await,
            Desk::Idle => Desk::Idle,
            Desk::Called { ticket, at, comes } if now - at >= Duration::seconds(WALK_SECONDS) => {
                if !comes {
                    self.act(ticket, TicketAction::NoShow).await;
                    Desk::Idle
                } else if self.act(ticket, TicketAction::Start).await {
                    Desk::Serving {
                        ticket,
                        until: now + self.service_time(ticket),
                    }
                } else {
                    Desk::Idle // someone else moved the ticket on
                }
            }
            Desk::Serving { ticket, until } if now >= until => {
                let still_serving = latest
                    .queue
                    .ticket(ticket)
                    .is_some_and(|t| t.state == TicketState::Serving);
                if open && still_serving {
                    // Call-next finishes this ticket and calls the next one.
                    match self.call_next(index, now).await {
                        Desk::Idle => {
                            self.act(ticket, TicketAction::Finish).await;
                            Desk::Idle
                        }
                        called => called,
                    }
                } else {
                    if still_serving {
                        self.act(ticket, TicketAction::Finish).await;
                    }
                    Desk::Idle
                }
            }
            busy => busy,
        };
        self.counters[index].1 = next;
    }
}

/// Where the demo's clock starts: 10:00 on the next open day of `schedule` (today if today is an
/// open day), and the opening of that day (the warm-up starts there).
pub fn start_instants(
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let today = calendar::business_date(now);
    (0..400).find_map(|offset| {
        let date = today + Duration::days(offset);
        let plan = calendar::day_plan(schedule, date);
        let hours = plan.hours?;
        let at = |time: NaiveTime| {
            date.and_time(time)
                .and_local_timezone(Tokyo)
                .single()
                .map(|t| t.with_timezone(&Utc))
        };
        let ten = NaiveTime::from_hms_opt(10, 0, 0)?;
        let start = at(ten.clamp(hours.opens, hours.closes))?;
        Some((at(hours.opens)?, start))
    })
}
