//! One office's queue for one business day, and the rules that decide each staff command.
//!
//! Commands are decided in two steps so that the store can sit between them: [`OfficeQueue::decide`]
//! checks a command against the state and returns the [`Change`]s it implies (or why it is
//! refused, changing nothing); the caller writes those changes durably, then
//! [`OfficeQueue::commit`] makes them true in memory with what the store told back
//! ([`Recorded`]: a new ticket's id, [`Issued`]). The queue numbers new tickets itself, from
//! each prefix's last number of the day, which the store keeps in the same transaction.

use std::cmp::Reverse;
use std::ops::Bound;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use super::shown::ShownEstimate;
use super::ticket::{InvalidTransition, TicketAction, next_state};
use crate::config::OfficeConfig;
use crate::protocol::{CounterState, QueuedTicket, SuspensionReason, TicketState};

/// A ticket of the business day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// Store id (stable, used in staff paths).
    pub id: i64,
    /// Unguessable id for a future personal ticket page (128 random bits, hex).
    pub public_id: String,
    /// Display number, verbatim (`R001`); shared with the snapshots that list it.
    pub number: Arc<str>,
    /// Position in its prefix's sequence for the day (1, 2, …).
    pub seq_no: u32,
    /// Service id; shared with the snapshots that list it.
    pub service: Arc<str>,
    /// Lifecycle state.
    pub state: TicketState,
    /// Counter it was last called to.
    pub counter: Option<String>,
    /// Business day it belongs to.
    pub business_date: NaiveDate,
    /// When issued.
    pub issued_at: DateTime<Utc>,
    /// When first called: the end of the wait. A recall does not move it.
    pub called_at: Option<DateTime<Utc>>,
    /// When last recalled, if ever.
    pub recalled_at: Option<DateTime<Utc>>,
    /// When service started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it reached a final state.
    pub finished_at: Option<DateTime<Utc>>,
    /// People ahead of it at issue ([`OfficeQueue::ahead_of_new`]).
    pub waiting_ahead_at_issue: u32,
    /// The wait band and point shown when it was issued, to measure estimates later.
    pub estimate_at_issue: Option<ShownEstimate>,
}

/// A counter (窓口) of the office.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counter {
    /// Id from the configuration.
    pub id: String,
    /// Open, paused or closed.
    pub state: CounterState,
    /// Services it may call.
    pub services: Vec<String>,
    /// When its current pause began, while it is paused and the start was seen (a pause
    /// restored from the store at start-up has none unless the event log supplies it).
    pub paused_since: Option<DateTime<Utc>>,
    /// How long each of today's ended pauses lasted, in order: what the wait predictor learns
    /// the office's pause length from.
    pub ended_pauses: Vec<chrono::TimeDelta>,
}

impl Counter {
    /// A counter as the day begins: closed, never paused.
    pub fn closed(id: String, services: Vec<String>) -> Self {
        Self {
            id,
            state: CounterState::Closed,
            services,
            paused_since: None,
            ended_pauses: Vec::new(),
        }
    }

    /// Minutes each of today's ended pauses lasted.
    pub fn ended_pause_minutes(&self) -> impl Iterator<Item = f64> + '_ {
        self.ended_pauses
            .iter()
            .map(|pause| pause.num_milliseconds() as f64 / 60_000.0)
    }

    /// Puts the counter in `state` at `now`, keeping when a pause began and how long ended ones
    /// lasted.
    pub fn change_state(&mut self, state: CounterState, now: DateTime<Utc>) {
        let was_paused = self.state == CounterState::Paused;
        let paused = state == CounterState::Paused;
        if was_paused && !paused {
            if let Some(since) = self.paused_since.take()
                && now >= since
            {
                self.ended_pauses.push(now - since);
            }
        } else if paused && !was_paused {
            self.paused_since = Some(now);
        }
        self.state = state;
    }
}

/// Office-wide reception suspension (a J-LIS outage, say).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reception {
    /// Issuing refused while true.
    pub suspended: bool,
    /// Why, from the fixed list visitors read; set while suspended.
    pub reason_code: Option<SuspensionReason>,
    /// Staff's free text: the event log and the staff console only, never the public side.
    pub note: Option<String>,
}

/// Why the office is not accepting tickets now, from the calendar (domain R1–R4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closed {
    /// 「本日は祝日（勤労感謝の日）のため休業です。次の受付: 11月24日(火) 9:00」
    pub message_ja: String,
    /// The same in English.
    pub message_en: String,
    /// When reception next opens.
    pub next_opening: Option<DateTime<Utc>>,
}

impl Closed {
    /// The calendar's answer as the queue needs it: nothing while reception takes tickets, and
    /// otherwise why not and when it opens next.
    pub fn unless_open(status: &crate::calendar::Status) -> Result<(), Closed> {
        if status.accepts_tickets() {
            return Ok(());
        }
        Err(Closed {
            message_ja: status.refusal_ja(),
            message_en: status.refusal_en(),
            next_opening: status.next_opening.map(|at| at.with_timezone(&chrono::Utc)),
        })
    }
}

/// What a decision needs from outside the queue: the instant and the calendar's answer.
#[derive(Clone, Debug)]
pub struct Context {
    /// Now, from the server's clock.
    pub now: DateTime<Utc>,
    /// `Err` when the calendar says reception is not open now.
    pub reception_hours: Result<(), Closed>,
    /// The wait band and point screens show now per service id; stored with each new ticket.
    pub shown_estimates: Vec<(String, ShownEstimate)>,
}

/// A staff command against one office.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Issue a ticket for a service.
    Issue {
        /// Service id.
        service: String,
    },
    /// Open a counter (a no-op when open).
    OpenCounter(String),
    /// Pause a counter.
    PauseCounter(String),
    /// Close a counter.
    CloseCounter(String),
    /// Finish the counter's current ticket, then call the longest-waiting one it may serve.
    CallNext(String),
    /// Recall, start, finish, no-show or cancel one ticket.
    Ticket {
        /// Ticket id.
        id: i64,
        /// What to do.
        action: TicketAction,
    },
    /// Suspend reception for the whole office.
    SuspendReception {
        /// Why, from the fixed list visitors read.
        reason_code: SuspensionReason,
        /// Staff's own words, kept from the public side.
        note: Option<String>,
    },
    /// Resume reception.
    ResumeReception,
}

/// One durable change implied by a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A new ticket, numbered by the queue: the next of its prefix's sequence for the day.
    Issue {
        /// Service id.
        service: String,
        /// Number prefix of the service.
        prefix: String,
        /// Its place in the prefix's sequence (1, 2, …): the number is the prefix and this.
        seq_no: u32,
        /// People ahead of it ([`OfficeQueue::ahead_of_new`]).
        waiting_ahead: u32,
        /// The wait band and point shown at issue, if any.
        estimate: Option<ShownEstimate>,
    },
    /// A ticket moves to another state.
    Ticket {
        /// Ticket id.
        id: i64,
        /// The action (for the event log).
        action: TicketAction,
        /// The new state.
        to: TicketState,
        /// Counter it is called to (for `Call`), else unchanged.
        counter: Option<String>,
    },
    /// A counter changes state.
    Counter {
        /// Counter id.
        id: String,
        /// New state.
        state: CounterState,
    },
    /// Reception suspended or resumed.
    Reception(Reception),
}

/// What the store tells back about an issued ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    /// Store id.
    pub id: i64,
    /// Unguessable public id.
    pub public_id: String,
    /// Sequence number for the day and prefix.
    pub seq_no: u32,
    /// The number shown (from [`display_number`], made once where the ticket is written).
    pub number: String,
}

/// What the store tells back about one recorded decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// For an issue: the new ticket.
    pub issued: Option<Issued>,
}

/// One office's business day as the store holds it, to restore the queue after a restart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SavedDay {
    /// Tickets of the day in issue order.
    pub tickets: Vec<Ticket>,
    /// Counters whose state differs from closed.
    pub counter_states: Vec<(String, CounterState)>,
    /// Reception suspension.
    pub reception: Reception,
    /// Sequence of the office's last event (0 if none).
    pub last_seq: u64,
    /// The last number given in each prefix's sequence for the day, as `(prefix, seq_no)`.
    pub last_numbers: Vec<(String, u32)>,
}

/// What a command's reply is about, once applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The ticket just issued (its id is known only after the store wrote it).
    IssuedTicket,
    /// A ticket by id.
    Ticket(i64),
    /// A counter by id.
    Counter(String),
    /// The reception state.
    Reception,
}

/// An accepted command: its event name, the changes to write, and what to reply with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Event kind for the log (`ticket_issued`, `call_next`, …).
    pub event: &'static str,
    /// Changes, in order. Empty for a no-op (nothing is written).
    pub changes: Vec<Change>,
    /// What the reply shows.
    pub reply: Reply,
}

impl Decision {
    /// The ticket the event is about: the last one a change moves (for a call-next, the one
    /// called, not the one finished). `None` for an issue (its id exists only once written)
    /// and for counter or reception changes.
    pub fn ticket(&self) -> Option<i64> {
        self.changes.iter().rev().find_map(|change| match change {
            Change::Ticket { id, .. } => Some(*id),
            _ => None,
        })
    }

    /// The counter the event is about: the one that changed state or called a ticket.
    pub fn counter(&self) -> Option<&str> {
        self.changes.iter().rev().find_map(|change| match change {
            Change::Counter { id, .. } => Some(id.as_str()),
            Change::Ticket {
                counter: Some(counter),
                ..
            } => Some(counter.as_str()),
            _ => None,
        })
    }
}

/// Why a command is refused. Nothing changes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// No such service at this office (422).
    #[error("unknown service {0}")]
    UnknownService(String),
    /// No such counter (404).
    #[error("unknown counter {0}")]
    UnknownCounter(String),
    /// No such ticket today (404).
    #[error("unknown ticket {0}")]
    UnknownTicket(i64),
    /// Outside reception hours (409).
    #[error("office closed: {}", .0.message_en)]
    OfficeClosed(Closed),
    /// Reception suspended (409).
    #[error("reception suspended: {0}")]
    ReceptionSuspended(SuspensionReason),
    /// The counter is paused or closed (409).
    #[error("counter {counter} is {state:?}")]
    CounterNotOpen {
        /// Counter id.
        counter: String,
        /// Its state.
        state: CounterState,
    },
    /// Nobody waiting whom this counter may serve (409).
    #[error("nobody is waiting")]
    QueueEmpty,
    /// The lifecycle does not allow it (409).
    #[error(transparent)]
    InvalidTransition(#[from] InvalidTransition),
}

/// The queue of one office for one business day. Its fields change only through
/// [`OfficeQueue::commit`] (a recorded decision) and [`OfficeQueue::note_event`].
///
/// Busy days stay cheap: the tickets and their indexes are persistent collections, so a clone
/// (one per publish, for readers) costs the same whatever the day has issued, and what commands
/// and screens read (the open tickets, the recent calls, a ticket by id) is found through an
/// index instead of a scan of the day.
#[derive(Clone, Debug, PartialEq)]
pub struct OfficeQueue {
    /// Office configuration (services, counters).
    office: OfficeConfig,
    /// Prefix of each offered service, in the office's service order.
    prefixes: Vec<(String, String)>,
    /// The business day.
    business_date: NaiveDate,
    /// Every ticket of the day, in issue order.
    tickets: imbl::Vector<Arc<Ticket>>,
    /// Where each ticket id sits in `tickets`.
    positions: imbl::HashMap<i64, usize>,
    /// Positions of the tickets still to be called or served (not final), in issue order.
    open: imbl::OrdSet<usize>,
    /// How many tickets wait now, by service: the line's counts without a pass over it, so
    /// an issue costs the same with 5,000 people waiting as with 5.
    waiting: imbl::HashMap<String, u32>,
    /// The waiting tickets as snapshots list them, in issue order, and their positions in
    /// `tickets` (sorted, to find one): every snapshot shares this line as it is.
    line: imbl::Vector<QueuedTicket>,
    line_positions: imbl::Vector<usize>,
    /// Where the ticket now called to or served at each counter sits in `tickets`, by counter:
    /// a screen's counters without a pass over the open tickets.
    current: imbl::HashMap<String, usize>,
    /// Called tickets (those with a counter) by their latest call, newest first and, at the
    /// same instant, in issue order: what screens list as recent calls.
    calls: imbl::OrdSet<(Reverse<DateTime<Utc>>, usize)>,
    /// Counters in configuration order.
    counters: Vec<Counter>,
    /// Reception suspension.
    reception: Reception,
    /// Sequence of the last event applied (the feed's `seq`).
    last_seq: u64,
    /// The last number given in each prefix's sequence today: the queue numbers new tickets
    /// itself, so an issue needs no round trip to the store for it. Right with several
    /// servers too: a batch decides only after catching up with what the others committed.
    last_numbers: imbl::HashMap<String, u32>,
}

/// The counter a ticket is now called to or served at, if it is.
fn current_counter(ticket: &Ticket) -> Option<&str> {
    let current = ticket.state.is_called() || ticket.state == TicketState::Serving;
    ticket.counter.as_deref().filter(|_| current)
}

impl OfficeQueue {
    /// An empty day: no tickets, every counter closed.
    pub fn new(office: OfficeConfig, prefixes: Vec<(String, String)>, date: NaiveDate) -> Self {
        let counters = office
            .counters
            .iter()
            .map(|counter| Counter::closed(counter.id.clone(), office.counter_services(counter)))
            .collect();
        Self {
            office,
            prefixes,
            business_date: date,
            tickets: imbl::Vector::new(),
            positions: imbl::HashMap::new(),
            open: imbl::OrdSet::new(),
            waiting: imbl::HashMap::new(),
            line: imbl::Vector::new(),
            line_positions: imbl::Vector::new(),
            current: imbl::HashMap::new(),
            calls: imbl::OrdSet::new(),
            counters,
            reception: Reception::default(),
            last_seq: 0,
            last_numbers: imbl::HashMap::new(),
        }
    }

    /// The day as stored: its tickets, the counters' states, reception and the last event.
    /// Counters the store does not name stay closed.
    pub fn restore(
        office: OfficeConfig,
        prefixes: Vec<(String, String)>,
        date: NaiveDate,
        saved: SavedDay,
    ) -> Self {
        let mut queue = Self::new(office, prefixes, date);
        for (id, state) in saved.counter_states {
            if let Some(counter) = queue.counters.iter_mut().find(|c| c.id == id) {
                counter.state = state;
            }
        }
        for ticket in saved.tickets {
            queue.push(ticket);
        }
        queue.reception = saved.reception;
        queue.last_seq = saved.last_seq;
        queue.last_numbers = saved.last_numbers.into_iter().collect();
        queue
    }

    /// The number the next ticket of `prefix` gets today.
    fn next_number(&self, prefix: &str) -> u32 {
        self.last_numbers.get(prefix).copied().unwrap_or(0) + 1
    }

    /// Replays the day's counter changes `(counter, state, at)`, in the order recorded, for
    /// when each pause began and how long the ended ones lasted. A counter whose replayed state
    /// differs from its restored one (a log that does not reach back to the day's start) keeps
    /// neither.
    pub fn replay_pauses<'a>(
        &mut self,
        changes: impl IntoIterator<Item = (&'a str, CounterState, DateTime<Utc>)>,
    ) {
        let mut replayed: Vec<Counter> = self
            .counters
            .iter()
            .map(|c| Counter::closed(c.id.clone(), Vec::new()))
            .collect();
        for (id, state, at) in changes {
            if let Some(counter) = replayed.iter_mut().find(|c| c.id == id) {
                counter.change_state(state, at);
            }
        }
        for (counter, replay) in self.counters.iter_mut().zip(replayed) {
            if replay.state == counter.state {
                counter.paused_since = replay.paused_since;
                counter.ended_pauses = replay.ended_pauses;
            }
        }
    }

    /// Minutes each of today's ended pauses lasted, every counter's.
    pub fn ended_pause_minutes(&self) -> Vec<f64> {
        self.counters
            .iter()
            .flat_map(Counter::ended_pause_minutes)
            .collect()
    }

    /// The office's configuration.
    pub fn office(&self) -> &OfficeConfig {
        &self.office
    }

    /// The business day this queue is for.
    pub fn business_date(&self) -> NaiveDate {
        self.business_date
    }

    /// Every ticket of the day, in issue order.
    pub fn tickets(&self) -> impl DoubleEndedIterator<Item = &Ticket> + ExactSizeIterator + Clone {
        self.tickets.iter().map(|ticket| &**ticket)
    }

    /// How many tickets the day has issued.
    pub fn issued(&self) -> usize {
        self.tickets.len()
    }

    /// The tickets still to be called or served (waiting, called, serving), in issue order.
    pub fn open_tickets(&self) -> impl DoubleEndedIterator<Item = &Ticket> {
        self.open_before(None)
    }

    /// The open tickets issued before position `end` (all of them for `None`), in issue order.
    fn open_before(&self, end: Option<usize>) -> impl DoubleEndedIterator<Item = &Ticket> {
        let end = end.map_or(Bound::Unbounded, Bound::Excluded);
        self.open
            .range::<_, usize>((Bound::Unbounded, end))
            .filter_map(|&position| self.tickets.get(position).map(|ticket| &**ticket))
    }

    /// The waiting tickets as snapshots list them, in issue order.
    pub fn waiting_line(&self) -> &imbl::Vector<QueuedTicket> {
        &self.line
    }

    /// Tickets called to a counter, by their latest call (a recall included), newest first;
    /// at the same instant in issue order.
    pub fn calls_newest_first(&self) -> impl Iterator<Item = &Ticket> {
        self.calls
            .iter()
            .filter_map(|&(_, position)| self.tickets.get(position).map(|ticket| &**ticket))
    }

    /// Adds a ticket at the end of the day, with its indexes.
    fn push(&mut self, ticket: Ticket) {
        let position = self.tickets.len();
        self.positions.insert(ticket.id, position);
        self.index(None, &ticket, position);
        self.tickets.push_back(Arc::new(ticket));
    }

    /// Keeps the indexes right for the ticket at `position`, which was `before` and is now
    /// `after`.
    fn index(&mut self, before: Option<&Ticket>, after: &Ticket, position: usize) {
        let latest_call = |ticket: &Ticket| {
            ticket.counter.as_ref()?;
            let called = ticket.called_at?;
            Some((Reverse(ticket.recalled_at.unwrap_or(called)), position))
        };
        if let Some(key) = before.and_then(latest_call) {
            self.calls.remove(&key);
        }
        if let Some(key) = latest_call(after) {
            self.calls.insert(key);
        }
        if after.state.is_final() {
            self.open.remove(&position);
        } else {
            self.open.insert(position);
        }
        if let Some(before) = before.filter(|t| t.state == TicketState::Waiting) {
            if let Ok(at) = self.line_positions.binary_search(&position) {
                self.line_positions.remove(at);
                self.line.remove(at);
            }
            if let Some(count) = self.waiting.get_mut(&*before.service) {
                *count -= 1;
                if *count == 0 {
                    self.waiting.remove(&*before.service);
                }
            }
        }
        if after.state == TicketState::Waiting {
            *self.waiting.entry(after.service.to_string()).or_default() += 1;
            let queued = QueuedTicket {
                number: after.number.clone(),
                service: after.service.clone(),
            };
            match self.line_positions.binary_search(&position) {
                Ok(at) => self.line[at] = queued,
                Err(at) => {
                    self.line_positions.insert(at, position);
                    self.line.insert(at, queued);
                }
            }
        }
        if let Some(counter) = before.and_then(current_counter)
            && self.current.get(counter) == Some(&position)
        {
            self.current.remove(counter);
        }
        if let Some(counter) = current_counter(after) {
            self.current.insert(counter.to_string(), position);
        }
    }

    /// Counters in configuration order.
    pub fn counters(&self) -> &[Counter] {
        &self.counters
    }

    /// Reception suspension.
    pub fn reception(&self) -> &Reception {
        &self.reception
    }

    /// Sequence of the last event applied (the feed's `seq`).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Suspends reception directly, for tests of what screens show.
    #[cfg(test)]
    pub(crate) fn suspend_for_tests(&mut self, reason: SuspensionReason) {
        self.reception = Reception {
            suspended: true,
            reason_code: Some(reason),
            note: Some("staff only".into()),
        };
    }

    /// Opens `counter` and puts `waiting` tickets of `service` in the queue directly, for tests
    /// of what screens show.
    #[cfg(test)]
    pub(crate) fn open_counter_with_waiting_for_tests(
        &mut self,
        counter: &str,
        service: &str,
        waiting: u32,
        now: DateTime<Utc>,
    ) {
        if let Some(open) = self.counters.iter_mut().find(|c| c.id == counter) {
            open.state = CounterState::Open;
        }
        for seq_no in 1..=waiting {
            self.push(Ticket {
                id: i64::from(seq_no),
                public_id: format!("test-{seq_no}"),
                number: display_number("R", seq_no).into(),
                seq_no,
                service: service.into(),
                state: TicketState::Waiting,
                counter: None,
                business_date: self.business_date,
                issued_at: now,
                called_at: None,
                recalled_at: None,
                started_at: None,
                finished_at: None,
                waiting_ahead_at_issue: seq_no - 1,
                estimate_at_issue: None,
            });
        }
    }

    /// Events up to `seq` are committed: a batch of decisions already made true here, or an
    /// event with no change to the queue (a calendar transition).
    pub fn note_event(&mut self, seq: u64) {
        self.last_seq = seq;
    }

    /// The ticket with this id.
    pub fn ticket(&self, id: i64) -> Option<&Ticket> {
        let position = *self.positions.get(&id)?;
        self.tickets.get(position).map(|ticket| &**ticket)
    }

    /// The ticket at this position in issue order (0 for the day's first).
    pub fn ticket_at(&self, position: usize) -> Option<&Ticket> {
        self.tickets.get(position).map(|ticket| &**ticket)
    }

    /// Where the ticket with this id sits in issue order (0 for the day's first).
    pub fn position(&self, id: i64) -> Option<usize> {
        self.positions.get(&id).copied()
    }

    /// The counter with this id.
    pub fn counter(&self, id: &str) -> Option<&Counter> {
        self.counters.iter().find(|counter| counter.id == id)
    }

    /// Tickets waiting for a service.
    pub fn waiting_for(&self, service: &str) -> u32 {
        self.waiting.get(service).copied().unwrap_or(0)
    }

    /// The people ahead of a ticket now, in call order: the waiting tickets issued before it
    /// that a counter able to call it would call first (none once it is called or done). See
    /// [`Self::ahead_of_new`] for the rule.
    pub fn tickets_ahead_of<'a>(&'a self, ticket: &'a Ticket) -> impl Iterator<Item = &'a Ticket> {
        let waiting = ticket.state == TicketState::Waiting;
        let earlier = self.open_before(self.position(ticket.id));
        earlier
            .take_while(move |_| waiting)
            .filter(move |earlier| self.called_before(earlier, &ticket.service))
    }

    /// How many people are ahead of a ticket now ([`Self::tickets_ahead_of`]).
    pub fn ahead_of(&self, ticket: &Ticket) -> u32 {
        let newest_waiting = self.position(ticket.id).is_some_and(|position| {
            ticket.state == TicketState::Waiting
                && self.open.get_max() == Some(&position)
                && self
                    .tickets
                    .get(position)
                    .is_some_and(|t| t.state == TicketState::Waiting)
        });
        if newest_waiting {
            // Every waiting ticket is before the newest one (just issued, as a rule): the
            // counts say it without a pass over the line; it does not stand ahead of itself.
            let itself = self.shares_counter(&ticket.service, &ticket.service);
            return self.ahead_of_new(&ticket.service) - u32::from(itself);
        }
        self.tickets_ahead_of(ticket).count() as u32
    }

    /// Of the people ahead of `ticket`, those waiting for `service` (what the estimator needs:
    /// how many of each kind it must get through first).
    pub fn ahead_of_in(&self, ticket: &Ticket, service: &str) -> u32 {
        self.tickets_ahead_of(ticket)
            .filter(|earlier| *earlier.service == *service)
            .count() as u32
    }

    /// The ticket with this public id, compared in constant time over every ticket of the day
    /// so that how long the answer takes says nothing about which ids exist.
    pub fn ticket_by_public_id(&self, public_id: &str) -> Option<&Ticket> {
        use subtle::ConstantTimeEq;
        let wanted = public_id.as_bytes();
        let mut found = None;
        for ticket in self.tickets() {
            let same: bool = ticket.public_id.as_bytes().ct_eq(wanted).into();
            if same && found.is_none() {
                found = Some(ticket);
            }
        }
        found
    }

    /// People ahead of a ticket of `service` issued now: the tickets that will be called before
    /// it if nobody new arrives, under the real call policy. Call-next at a counter takes the
    /// oldest waiting ticket among the services that counter serves, so every waiting ticket
    /// whose service shares a counter with `service` comes first: a counter that could call
    /// the new ticket calls it before. With counters that all serve every service (the default)
    /// that is every waiting ticket. Waiting tickets whose services no counter shares with
    /// `service` are called elsewhere and do not count. (Where counters serve overlapping
    /// sets, one that shares a counter may still go to another counter first: the count is
    /// then an upper bound, never an understatement.)
    pub fn ahead_of_new(&self, service: &str) -> u32 {
        self.waiting
            .iter()
            .filter(|(waiting, _)| self.shares_counter(waiting, service))
            .map(|(_, count)| count)
            .sum()
    }

    /// Whether `waiting` is still waiting and shares a counter with `service`.
    fn called_before(&self, waiting: &Ticket, service: &str) -> bool {
        waiting.state == TicketState::Waiting && self.shares_counter(&waiting.service, service)
    }

    /// Whether some counter serves both services.
    fn shares_counter(&self, one: &str, other: &str) -> bool {
        self.counters.iter().any(|counter| {
            counter.services.iter().any(|s| s == one) && counter.services.iter().any(|s| s == other)
        })
    }

    /// Whether any ticket of the day is still to be called or served: after reception ends
    /// the office keeps calling until none is.
    pub fn has_open_tickets(&self) -> bool {
        !self.open.is_empty()
    }

    /// The ticket now called to or served at a counter.
    pub fn current_at(&self, counter: &str) -> Option<&Ticket> {
        let position = self.current.get(counter)?;
        self.tickets.get(*position).map(|ticket| &**ticket)
    }

    fn prefix_of(&self, service: &str) -> Option<&str> {
        self.prefixes
            .iter()
            .find(|(id, _)| id == service)
            .map(|(_, prefix)| prefix.as_str())
    }

    fn counter_or_404(&self, id: &str) -> Result<&Counter, DomainError> {
        self.counter(id)
            .ok_or_else(|| DomainError::UnknownCounter(id.to_string()))
    }

    /// Decides a command against the current state: the changes it implies, or why not.
    pub fn decide(&self, command: &Command, context: &Context) -> Result<Decision, DomainError> {
        match command {
            Command::Issue { service } => {
                let prefix = self
                    .prefix_of(service)
                    .ok_or_else(|| DomainError::UnknownService(service.clone()))?;
                context
                    .reception_hours
                    .clone()
                    .map_err(DomainError::OfficeClosed)?;
                if self.reception.suspended {
                    let reason = self
                        .reception
                        .reason_code
                        .unwrap_or(SuspensionReason::Other);
                    return Err(DomainError::ReceptionSuspended(reason));
                }
                Ok(Decision {
                    event: "ticket_issued",
                    changes: vec![Change::Issue {
                        service: service.clone(),
                        prefix: prefix.to_string(),
                        seq_no: self.next_number(prefix),
                        waiting_ahead: self.ahead_of_new(service),
                        estimate: context
                            .shown_estimates
                            .iter()
                            .find(|(id, _)| id == service)
                            .map(|(_, range)| *range),
                    }],
                    reply: Reply::IssuedTicket,
                })
            }
            Command::OpenCounter(id) => self.counter_to(id, CounterState::Open, "counter_opened"),
            Command::PauseCounter(id) => {
                self.counter_to(id, CounterState::Paused, "counter_paused")
            }
            Command::CloseCounter(id) => {
                self.counter_to(id, CounterState::Closed, "counter_closed")
            }
            Command::CallNext(id) => self.call_next(id),
            Command::Ticket { id, action } => {
                let ticket = self.ticket(*id).ok_or(DomainError::UnknownTicket(*id))?;
                let to = next_state(*action, ticket.state)?;
                Ok(Decision {
                    event: match action {
                        TicketAction::Call => "ticket_called",
                        TicketAction::Recall => "ticket_recalled",
                        TicketAction::Start => "ticket_started",
                        TicketAction::Finish => "ticket_finished",
                        TicketAction::NoShow => "ticket_no_show",
                        TicketAction::Cancel => "ticket_cancelled",
                        TicketAction::Expire => "ticket_expired",
                        // Never reached: `next_state` refuses an action it does not know.
                        TicketAction::Unknown => "ticket_unknown_action",
                    },
                    changes: vec![Change::Ticket {
                        id: *id,
                        action: *action,
                        to,
                        counter: None,
                    }],
                    reply: Reply::Ticket(*id),
                })
            }
            Command::SuspendReception { reason_code, note } => Ok(Decision {
                event: "reception_suspended",
                changes: vec![Change::Reception(Reception {
                    suspended: true,
                    reason_code: Some(*reason_code),
                    note: note.clone(),
                })],
                reply: Reply::Reception,
            }),
            Command::ResumeReception => Ok(Decision {
                event: "reception_resumed",
                changes: if self.reception.suspended {
                    vec![Change::Reception(Reception::default())]
                } else {
                    Vec::new()
                },
                reply: Reply::Reception,
            }),
        }
    }

    fn counter_to(
        &self,
        id: &str,
        state: CounterState,
        event: &'static str,
    ) -> Result<Decision, DomainError> {
        let counter = self.counter_or_404(id)?;
        let changes = if counter.state == state {
            Vec::new()
        } else {
            vec![Change::Counter {
                id: id.to_string(),
                state,
            }]
        };
        Ok(Decision {
            event,
            changes,
            reply: Reply::Counter(id.to_string()),
        })
    }

    fn call_next(&self, id: &str) -> Result<Decision, DomainError> {
        let counter = self.counter_or_404(id)?;
        if counter.state != CounterState::Open {
            return Err(DomainError::CounterNotOpen {
                counter: id.to_string(),
                state: counter.state,
            });
        }
        let next = self
            .open_tickets()
            .find(|t| {
                t.state == TicketState::Waiting
                    && counter.services.iter().any(|s| **s == *t.service)
            })
            .ok_or(DomainError::QueueEmpty)?;
        let mut changes = Vec::new();
        if let Some(current) = self.current_at(id) {
            changes.push(Change::Ticket {
                id: current.id,
                action: TicketAction::Finish,
                to: next_state(TicketAction::Finish, current.state)?,
                counter: None,
            });
        }
        changes.push(Change::Ticket {
            id: next.id,
            action: TicketAction::Call,
            to: next_state(TicketAction::Call, next.state)?,
            counter: Some(id.to_string()),
        });
        Ok(Decision {
            event: "call_next",
            changes,
            reply: Reply::Ticket(next.id),
        })
    }

    /// Makes a recorded decision true in memory, with what the store told back. Its event's
    /// sequence comes with the batch's commit ([`Self::note_event`]).
    pub fn commit(&mut self, decision: &Decision, recorded: &Recorded, now: DateTime<Utc>) {
        for change in &decision.changes {
            self.apply(change, recorded.issued.as_ref(), now);
        }
    }

    /// Makes one written change true. `issued` is the store's answer for a [`Change::Issue`]
    /// and ignored otherwise.
    fn apply(&mut self, change: &Change, issued: Option<&Issued>, now: DateTime<Utc>) {
        match change {
            Change::Issue {
                service,
                prefix,
                seq_no,
                waiting_ahead,
                estimate,
            } => {
                if self.next_number(prefix) <= *seq_no {
                    self.last_numbers.insert(prefix.clone(), *seq_no);
                }
                if let Some(issued) = issued {
                    self.push(Ticket {
                        id: issued.id,
                        public_id: issued.public_id.clone(),
                        number: issued.number.as_str().into(),
                        seq_no: issued.seq_no,
                        service: service.as_str().into(),
                        state: TicketState::Waiting,
                        counter: None,
                        business_date: self.business_date,
                        issued_at: now,
                        called_at: None,
                        recalled_at: None,
                        started_at: None,
                        finished_at: None,
                        waiting_ahead_at_issue: *waiting_ahead,
                        estimate_at_issue: *estimate,
                    });
                }
            }
            Change::Ticket {
                id,
                action,
                to,
                counter,
            } => {
                let Some(position) = self.position(*id) else {
                    return;
                };
                let Some(before) = self.tickets.get(position).cloned() else {
                    return;
                };
                let mut ticket = (*before).clone();
                ticket.state = *to;
                if let Some(counter) = counter {
                    ticket.counter = Some(counter.clone());
                }
                match action {
                    // The wait ends at the first call; a recall is kept apart.
                    TicketAction::Call => ticket.called_at = Some(now),
                    TicketAction::Recall => ticket.recalled_at = Some(now),
                    TicketAction::Start => ticket.started_at = Some(now),
                    _ => {}
                }
                if to.is_final() {
                    ticket.finished_at = Some(now);
                }
                self.index(Some(&before), &ticket, position);
                self.tickets.set(position, Arc::new(ticket));
            }
            Change::Counter { id, state } => {
                if let Some(counter) = self.counters.iter_mut().find(|c| c.id == *id) {
                    counter.change_state(*state, now);
                }
            }
            Change::Reception(reception) => self.reception = reception.clone(),
        }
    }
}

/// The number every screen shows: prefix and at least three digits (`R001`, `R999`, `R1000`).
pub fn display_number(prefix: &str, seq_no: u32) -> String {
    format!("{prefix}{seq_no:03}")
}

#[cfg(test)]
mod tests;
