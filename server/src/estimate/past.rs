//! What past business days teach the estimator: the office's throughput by time of day (for the
//! refined predictor) and the shown predictor's standardized errors (for the band).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::minutes_between;
use super::predictors::band::standardized_error;
use super::predictors::{CapacityProfile, LineStay};
use crate::domain::{Counter, Ticket};
use crate::history::CounterChange;
use crate::protocol::TicketState;

/// Business days read back at start-up (and by the simulator as it goes): about six weeks.
pub const LEARN_DAYS: i64 = 42;

/// The lessons of past days.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PastDays {
    /// Throughput per half hour while people waited.
    pub profile: Option<Arc<CapacityProfile>>,
    /// Standardized errors of the points shown, in order of the waits' ends.
    pub errors: Vec<f64>,
    /// Minutes each ended pause of a counter lasted (see [`ended_pauses`]).
    pub pauses: Vec<f64>,
}

impl PastDays {
    /// Learns from tickets of past days (any order).
    pub fn learn(tickets: &[Ticket]) -> Self {
        let stays: Vec<LineStay> = tickets
            .iter()
            .map(|t| LineStay {
                issued_at: t.issued_at,
                left_at: t.called_at.or(match t.state {
                    TicketState::Cancelled => t.finished_at,
                    _ => None,
                }),
                called: t.called_at.is_some(),
            })
            .collect();
        let mut ended: Vec<(chrono::DateTime<chrono::Utc>, f64)> = tickets
            .iter()
            .filter_map(|t| {
                let shown = t.estimate_at_issue?;
                let called = t.called_at?;
                let point = shown.point_minutes();
                Some((
                    called,
                    standardized_error(point, minutes_between(t.issued_at, called)),
                ))
            })
            .collect();
        ended.sort_by_key(|(at, _)| *at);
        Self {
            profile: (!stays.is_empty()).then(|| Arc::new(CapacityProfile::learn(&stays))),
            errors: ended.into_iter().map(|(_, e)| e).collect(),
            pauses: Vec::new(),
        }
    }

    /// The same lessons with the pauses of the days' counter changes.
    pub fn with_pauses(mut self, changes: &[CounterChange]) -> Self {
        self.pauses = ended_pauses(changes);
        self
    }
}

/// Minutes each pause lasted, from counters' changes of state in the order recorded (several
/// days and counters mixed), by the counter's own rule ([`Counter::change_state`]): from the
/// first change to paused until the next change to another state the same day. A pause still
/// running at the day's last change is left out.
pub fn ended_pauses(changes: &[CounterChange]) -> Vec<f64> {
    // Each day's counters, in the order they first appear.
    let mut counters: Vec<Counter> = Vec::new();
    let mut index: HashMap<(NaiveDate, &str), usize> = HashMap::new();
    for change in changes {
        let at = *index
            .entry((change.date, change.counter.as_str()))
            .or_insert_with(|| {
                counters.push(Counter::closed(change.counter.clone(), Vec::new()));
                counters.len() - 1
            });
        counters[at].change_state(change.state, change.at);
    }
    counters
        .iter()
        .flat_map(Counter::ended_pause_minutes)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::protocol::CounterState;

    #[test]
    fn pauses_are_read_from_counter_changes_per_day_and_counter() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap();
        let change = |counter: &str, h: u32, m: u32, state: CounterState| CounterChange {
            date: day,
            at: at(h, m),
            counter: counter.into(),
            state,
        };
        let changes = vec![
            change("1", 0, 0, CounterState::Open),
            change("2", 0, 0, CounterState::Open),
            change("1", 3, 0, CounterState::Paused),
            // Recorded again while paused: the pause still began at 3:00.
            change("1", 3, 10, CounterState::Paused),
            change("2", 3, 30, CounterState::Paused),
            change("1", 4, 0, CounterState::Open),
            change("2", 3, 45, CounterState::Closed),
            // Never ended: left out.
            change("1", 8, 0, CounterState::Paused),
        ];
        assert_eq!(ended_pauses(&changes), vec![60.0, 15.0]);
    }
}
