//! The counters open, hour by hour, from the counter events of the event log (issue 17).
//!
//! The figure is the **mean number of counters open over the hour**, weighted by time: a counter
//! open for the whole hour counts 1, one opened at half past counts 0.5, so three counters open
//! all hour and a fourth for its second half give 3.5. Only `open` counts: a paused counter
//! takes nobody. Every counter starts its business day closed (as the store does), so the
//! day's changes alone say how many were open when. For today, only the part of an hour that
//! has passed is averaged, and an hour that has not begun has no figure.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Asia::Tokyo;

use crate::protocol::CounterState;

/// One change of a counter's state, as the event log recorded it.
#[derive(Clone, Debug, PartialEq)]
pub struct CounterChange {
    /// Business day of the event.
    pub date: NaiveDate,
    /// When the change was recorded.
    pub at: DateTime<Utc>,
    /// The counter's id.
    pub counter: String,
    /// The state it was put in.
    pub state: CounterState,
}

/// The start of `hour` (Japan time) on `date`; Japan has no daylight saving time, so every hour
/// exists exactly once.
fn hour_start(date: NaiveDate, hour: u32) -> Option<DateTime<Utc>> {
    date.and_hms_opt(hour, 0, 0)?
        .and_local_timezone(Tokyo)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The mean number of counters open during `hour` of `date`, counting only the time before
/// `now` (`None` for an hour that has not begun). `changes` are the day's changes in the order
/// they were recorded; changes of other days are ignored.
pub fn mean_open_in_hour(
    date: NaiveDate,
    hour: u32,
    changes: &[CounterChange],
    now: DateTime<Utc>,
) -> Option<f64> {
    let start = hour_start(date, hour)?;
    let end = (start + Duration::hours(1)).min(now);
    if end <= start {
        return None;
    }
    let mut open: Vec<&str> = Vec::new();
    let mut since = start;
    let mut weighted_ms: i64 = 0;
    for change in changes.iter().filter(|c| c.date == date) {
        if change.at >= end {
            break;
        }
        if change.at > since {
            weighted_ms += (change.at - since).num_milliseconds() * open.len() as i64;
            since = change.at;
        }
        open.retain(|id| *id != change.counter);
        if change.state == CounterState::Open {
            open.push(&change.counter);
        }
    }
    weighted_ms += (end - since).num_milliseconds() * open.len() as i64;
    let length_ms = (end - start).num_milliseconds();
    Some(weighted_ms as f64 / length_ms as f64)
}
