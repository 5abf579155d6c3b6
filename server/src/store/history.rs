//! Past business days read back for measurement: the tickets of an office over a range of
//! dates, with the estimate each was shown at issue and when it was first called, and the
//! counters' changes of state from the event log.

use chrono::NaiveDate;
use sqlx::Row;

use super::{Result, Store, StoreError, parse_timestamp, ticket_from_row};
use crate::domain::Ticket;
use crate::history::CounterChange;
use crate::protocol::CounterState;

/// The event kinds that put a counter in a state, and that state. An event of these kinds is
/// recorded even when the counter already was in the state, so the kind alone says the state
/// after it.
const COUNTER_EVENTS: [(&str, CounterState); 3] = [
    ("counter_opened", CounterState::Open),
    ("counter_paused", CounterState::Paused),
    ("counter_closed", CounterState::Closed),
];

impl Store {
    /// Every ticket of `office` whose business day lies in `from..=to`, in issue order.
    pub async fn tickets_between(
        &self,
        office: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Ticket>> {
        let rows = sqlx::query(
            "SELECT id, public_id, number, seq_no, service, state, counter, business_date,
                    issued_at, called_at, recalled_at, started_at, finished_at,
                    waiting_ahead_at_issue, estimate_min_minutes, estimate_max_minutes,
                    estimate_point_tenths
             FROM tickets WHERE office = $1 AND business_date BETWEEN $2 AND $3
             ORDER BY business_date, id",
        )
        .bind(office)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.write)
        .await?;
        rows.iter().map(ticket_from_row).collect()
    }

    /// Every counter change of `office` whose business day lies in `from..=to`, in the order
    /// recorded (the partial index `events_counter_changes` serves exactly this query).
    pub async fn counter_changes_between(
        &self,
        office: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CounterChange>> {
        let rows = sqlx::query(
            "SELECT business_date, at, kind, counter FROM events
             WHERE office = $1 AND business_date BETWEEN $2 AND $3
               AND kind IN ('counter_opened', 'counter_paused', 'counter_closed')
             ORDER BY seq",
        )
        .bind(office)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.write)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                let date: String = row.try_get("business_date")?;
                let state = COUNTER_EVENTS
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, state)| *state)
                    .ok_or_else(|| StoreError::Corrupt(format!("counter event {kind:?}")))?;
                Ok(CounterChange {
                    date: date
                        .parse()
                        .map_err(|_| StoreError::Corrupt(format!("date {date:?}")))?,
                    at: parse_timestamp(row.try_get("at")?)?,
                    counter: row
                        .try_get::<Option<String>, _>("counter")?
                        .ok_or_else(|| StoreError::Corrupt(format!("{kind} without a counter")))?,
                    state,
                })
            })
            .collect()
    }
}

/// The event kind that records a counter put in `state`.
pub(super) fn counter_event_kind(state: CounterState) -> Option<&'static str> {
    COUNTER_EVENTS
        .iter()
        .find(|(_, s)| *s == state)
        .map(|(kind, _)| *kind)
}
