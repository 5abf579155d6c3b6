//! What the wait estimator learns from today's tickets (each service's realised service times,
//! the waits already ended, how clerks report finishes), kept up to date change by change.
//!
//! [`queue_facts`](super::queue_facts) builds the same from the whole day, which a publish on a
//! busy day cannot afford: 5,000 tickets scanned, hashed and copied for every change. Here each
//! committed change costs a few index look-ups, and the lists readers get are persistent
//! vectors, shared by a clone that costs the same on any day. The tests check that both give
//! the same facts after any sequence of commands.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::domain::{Change, Decision, OfficeQueue, Recorded, Ticket};
use crate::estimate::predictors::residual;
use crate::estimate::{self, EndedWait, FinishHabit};
use crate::protocol::TicketState;

/// Today's evidence as readers take it: cheap to clone, whatever the day has issued.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Per service id: minutes each ended ticket held its counter (call → done or no-show), in
    /// issue order, finishes that include idle time left out.
    pub finished: imbl::HashMap<String, imbl::Vector<f64>>,
    /// Today's called tickets in the order of their first call (at the same instant, in issue
    /// order).
    pub called: imbl::Vector<EndedWait>,
    /// Whether today's clerks report finishes or only call the next.
    pub habit: FinishHabit,
}

/// How one ended ticket finished, as [`FinishHabit`] counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Finish {
    /// Reported on its own: no call at its counter at that instant.
    Explicit,
    /// Ended by a call for somebody who had not waited: the counter stood free, so the
    /// recorded service includes idle time.
    Idle,
    /// Ended by a call for somebody who had waited: a real service.
    Busy,
}

/// [`Evidence`] with the bookkeeping that keeps it right as tickets change.
#[derive(Clone, Debug, Default)]
pub(super) struct DayFacts {
    evidence: Evidence,
    /// `(called_at, position)` of each entry of `evidence.called`, in the same order.
    called_keys: Vec<(DateTime<Utc>, usize)>,
    /// Per service, the issue position of each entry of `evidence.finished`, in the same order.
    finished_positions: HashMap<String, Vec<usize>>,
    /// First calls by counter and instant: the position and issue time of the latest-issued
    /// ticket called there then. A finish at the same counter and instant was made by it.
    calls: HashMap<(String, DateTime<Utc>), (usize, DateTime<Utc>)>,
    /// Ended tickets that had a counter and a call, by counter and finish instant.
    ends: HashMap<(String, DateTime<Utc>), Vec<usize>>,
    /// How each of those ended (by position).
    finishes: HashMap<usize, Finish>,
    /// Positions already counted as called, as ended.
    seen_called: Vec<bool>,
    seen_ended: Vec<bool>,
}

impl DayFacts {
    /// The evidence of a whole day (a day loaded from the store): every ticket in issue order.
    pub(super) fn of(queue: &OfficeQueue) -> Self {
        let mut facts = Self::default();
        for position in 0..queue.issued() {
            facts.ticket_changed(queue, position);
        }
        facts
    }

    /// What readers take.
    pub(super) fn evidence(&self) -> &Evidence {
        &self.evidence
    }

    /// Takes in a decision just committed to `queue`: the tickets it issued or moved.
    pub(super) fn record(&mut self, queue: &OfficeQueue, decision: &Decision, recorded: &Recorded) {
        for change in &decision.changes {
            let id = match change {
                Change::Ticket { id, .. } => Some(*id),
                Change::Issue { .. } => recorded.issued.as_ref().map(|issued| issued.id),
                Change::Counter { .. } | Change::Reception(_) => None,
            };
            if let Some(position) = id.and_then(|id| queue.position(id)) {
                self.ticket_changed(queue, position);
            }
        }
    }

    /// The ticket at `position` may have been called or ended: each happens once in a ticket's
    /// life (a call only from waiting, an end only into a final state), so each is counted on
    /// first sight.
    fn ticket_changed(&mut self, queue: &OfficeQueue, position: usize) {
        let Some(ticket) = queue.ticket_at(position) else {
            return;
        };
        if self.seen_called.len() <= position {
            self.seen_called.resize(position + 1, false);
            self.seen_ended.resize(position + 1, false);
        }
        if let Some(called_at) = ticket.called_at
            && !self.seen_called[position]
        {
            self.seen_called[position] = true;
            self.add_call(queue, ticket, called_at, position);
        }
        if ticket.state.is_final()
            && let Some(finished_at) = ticket.finished_at
            && !self.seen_ended[position]
        {
            self.seen_ended[position] = true;
            self.add_end(queue, ticket, finished_at, position);
        }
    }

    fn add_call(
        &mut self,
        queue: &OfficeQueue,
        ticket: &Ticket,
        called_at: DateTime<Utc>,
        position: usize,
    ) {
        let key = (called_at, position);
        let index = self.called_keys.partition_point(|earlier| *earlier <= key);
        self.called_keys.insert(index, key);
        self.evidence.called.insert(
            index,
            EndedWait {
                service: ticket.service.to_string(),
                issued_at: ticket.issued_at,
                called_at,
                shown_point: ticket.estimate_at_issue.map(|e| e.point_minutes()),
            },
        );
        let Some(counter) = ticket.counter.clone() else {
            return;
        };
        let at = (counter, called_at);
        let latest = self
            .calls
            .get(&at)
            .is_none_or(|&(other, _)| other < position);
        if latest {
            self.calls.insert(at.clone(), (position, ticket.issued_at));
            for ended in self.ends.get(&at).cloned().unwrap_or_default() {
                self.classify(queue, ended);
            }
        }
    }

    fn add_end(
        &mut self,
        queue: &OfficeQueue,
        ticket: &Ticket,
        finished_at: DateTime<Utc>,
        position: usize,
    ) {
        if let (Some(counter), Some(_)) = (ticket.counter.clone(), ticket.called_at) {
            self.ends
                .entry((counter, finished_at))
                .or_default()
                .push(position);
            self.classify(queue, position);
        } else {
            self.set_included(ticket, position, true);
        }
    }

    /// Classifies (again) the ended ticket at `position` from the calls known now, and keeps
    /// the habit and its service's times in step.
    fn classify(&mut self, queue: &OfficeQueue, position: usize) {
        let Some(ticket) = queue.ticket_at(position) else {
            return;
        };
        let (Some(counter), Some(finished)) = (ticket.counter.clone(), ticket.finished_at) else {
            return;
        };
        let finish = match self.calls.get(&(counter, finished)) {
            None => Finish::Explicit,
            Some(&(_, issued))
                if estimate::minutes_between(issued, finished)
                    < residual::BUSY_EVIDENCE_MINUTES =>
            {
                Finish::Idle
            }
            Some(_) => Finish::Busy,
        };
        let before = self.finishes.insert(position, finish);
        if before == Some(finish) {
            return;
        }
        let habit = &mut self.evidence.habit;
        for (class, step) in [(before, -1_i64), (Some(finish), 1)] {
            let count = match class {
                Some(Finish::Explicit) => &mut habit.explicit,
                Some(Finish::Idle) => &mut habit.implicit_idle,
                Some(Finish::Busy) | None => continue,
            };
            *count = count.saturating_add_signed(step as i32);
        }
        self.set_included(ticket, position, finish != Finish::Idle);
    }

    /// Puts the service time of the ended ticket at `position` among its service's times, or
    /// takes it out (a finish found to include idle time). Only done and no-show tickets that
    /// were called have one.
    fn set_included(&mut self, ticket: &Ticket, position: usize, included: bool) {
        let (Some(called), Some(finished)) = (ticket.called_at, ticket.finished_at) else {
            return;
        };
        if !matches!(ticket.state, TicketState::Done | TicketState::NoShow) {
            return;
        }
        let positions = self
            .finished_positions
            .entry(ticket.service.to_string())
            .or_default();
        let minutes = self
            .evidence
            .finished
            .entry(ticket.service.to_string())
            .or_default();
        match (positions.binary_search(&position), included) {
            (Err(index), true) => {
                positions.insert(index, position);
                minutes.insert(index, estimate::minutes_between(called, finished));
            }
            (Ok(index), false) => {
                positions.remove(index);
                minutes.remove(index);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
