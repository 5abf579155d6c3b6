//! Where an office stands at one instant: open, before opening, past the last
//! ticket, closed — and when it next opens. Everything is computed in
//! Asia/Tokyo whatever the host time zone (domain R4); the instant is always
//! passed in, never read from the clock.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;
use chrono_tz::Tz;

use super::plan::{ClosureReason, day_plan};
use super::schedule::{DayHours, Schedule};

/// How far ahead [`status`] looks for the next opening: more than a year, so
/// that even a long configured closure still finds the next open day.
pub const NEXT_OPENING_HORIZON_DAYS: i64 = 400;

/// Phase of the business day at an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// An open day, before reception opens.
    BeforeOpening,
    /// Reception is open: tickets are issued.
    Open,
    /// Past the last-ticket time but before closing: no new tickets, people
    /// already waiting are still served.
    ReceptionClosed,
    /// An open day, after closing.
    ClosedForTheDay,
    /// The whole day is closed, for this reason.
    Closed(ClosureReason),
}

/// The calendar's answer for one office at one instant: what screens show and
/// what decides whether a ticket may be issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// Phase of the day at the instant.
    pub phase: Phase,
    /// Today's hours when today is an open day.
    pub today: Option<DayHours>,
    /// The next instant, strictly after the one asked about, at which
    /// reception opens (while open: the next open day's opening). `None` only
    /// if no open day lies within [`NEXT_OPENING_HORIZON_DAYS`].
    pub next_opening: Option<DateTime<Tz>>,
    /// Tokyo local date of the instant (domain R4).
    pub business_date: NaiveDate,
}

impl Status {
    /// Whether a ticket may be issued now: only while reception is open.
    pub fn accepts_tickets(&self) -> bool {
        self.phase == Phase::Open
    }

    /// The configured hours are reception hours (domain R1–R2): once reception ends, the
    /// office keeps calling the tickets it took, so the day is over only when none is left
    /// open. Past closing with `tickets_open`, the phase stays [`Phase::ReceptionClosed`].
    pub fn serving_until_empty(mut self, tickets_open: bool) -> Self {
        if self.phase == Phase::ClosedForTheDay && tickets_open {
            self.phase = Phase::ReceptionClosed;
        }
        self
    }
}

/// The business date (Tokyo local date, domain R4) of an instant: the day a
/// ticket belongs to, whatever the server's own time zone.
pub fn business_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Tokyo).date_naive()
}

/// The status of an office at `at`.
pub fn status(schedule: &Schedule, at: DateTime<Utc>) -> Status {
    let local = at.with_timezone(&Tokyo);
    let business_date = local.date_naive();
    let plan = day_plan(schedule, business_date);
    let now = local.time();
    let phase = match (plan.hours, plan.closure) {
        (Some(h), _) if now < h.opens => Phase::BeforeOpening,
        (Some(h), _) if now < h.reception_ends() => Phase::Open,
        (Some(h), _) if now < h.closes => Phase::ReceptionClosed,
        (Some(_), _) => Phase::ClosedForTheDay,
        (None, Some(reason)) => Phase::Closed(reason),
        (None, None) => Phase::Closed(ClosureReason::NoHours),
    };
    Status {
        phase,
        today: plan.hours,
        next_opening: next_opening_after(schedule, at),
        business_date,
    }
}

/// The first instant strictly after `at` at which reception opens, looking at
/// most [`NEXT_OPENING_HORIZON_DAYS`] ahead.
pub fn next_opening_after(schedule: &Schedule, at: DateTime<Utc>) -> Option<DateTime<Tz>> {
    let first = business_date(at);
    first
        .iter_days()
        .take_while(|d| (*d - first).num_days() <= NEXT_OPENING_HORIZON_DAYS)
        .filter_map(|d| {
            let hours = day_plan(schedule, d).hours?;
            // A day whose reception window is empty (unvalidated config) never opens.
            (hours.opens < hours.reception_ends()).then_some(())?;
            tokyo_instant(d, hours.opens)
        })
        .find(|opening| *opening > at)
}

/// The next instant strictly after `at` at which [`status`] may change:
/// today's opening, last-ticket time or closing, or else the next local
/// midnight. The live feed pushes a snapshot at each of them.
pub fn next_transition_after(schedule: &Schedule, at: DateTime<Utc>) -> DateTime<Utc> {
    let date = business_date(at);
    let midnight = date
        .succ_opt()
        .and_then(|next| tokyo_instant(next, NaiveTime::MIN))
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let Some(hours) = day_plan(schedule, date).hours else {
        return midnight;
    };
    [Some(hours.opens), hours.last_ticket, Some(hours.closes)]
        .into_iter()
        .flatten()
        .filter_map(|t| tokyo_instant(date, t))
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| *t > at)
        .min()
        .map_or(midnight, |t| t.min(midnight))
}

/// A Tokyo wall-clock time as an instant. Tokyo has had no daylight saving
/// since 1951, so every local time exists exactly once; `None` only at the
/// far edges of chrono's range.
pub(super) fn tokyo_instant(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Tz>> {
    Tokyo.from_local_datetime(&date.and_time(time)).earliest()
}
