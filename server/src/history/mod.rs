//! History: what happened at an office, hour by hour, computed from the stored tickets (issue 17).
//!
//! One [`HourRow`] per business day and hour of issue (Japan time): how many tickets were issued
//! in that hour and what became of them, how long they waited until first called, how long
//! their service took, and how many counters were open ([`counters`], from the counter events).
//! The same rows feed the staff statistics (`queue-server stats`), the open
//! data (`/api/v1/offices/{office}/history`) and the visitors' forecast ([`forecast`]), so the
//! three always agree.
//!
//! Which hours get a row: every hour in which reception is open that day (from the calendar),
//! plus any other hour in which a ticket was issued (a late ticket, a changed schedule). A
//! closed day without tickets has no rows; an open day without tickets has rows of zeros, so
//! "nobody came" is told apart from "closed".
//!
//! Figures are rounded to a tenth of a minute where they are computed, so the JSON and the CSV
//! carry the very same numbers.

pub mod cache;
pub mod cli;
pub mod counters;
pub mod csv;
pub mod forecast;
pub mod report;
pub mod upcoming;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Asia::Tokyo;

use crate::calendar::DayPlan;
use crate::domain::Ticket;
use crate::protocol::TicketState;

pub use cache::HistoryCache;
pub use counters::CounterChange;

/// The aggregates of one business day and hour of issue (all tickets, or one service's).
#[derive(Clone, Debug, PartialEq)]
pub struct HourRow {
    /// Business day (Japan time).
    pub date: NaiveDate,
    /// Hour of issue, 0–23, Japan time.
    pub hour: u32,
    /// Tickets issued in this hour.
    pub issued: u32,
    /// Of those, tickets called at least once.
    pub called: u32,
    /// Of those, tickets whose service was completed (`done`).
    pub served: u32,
    /// Of those, tickets that did not answer their call (`no_show`).
    pub no_show: u32,
    /// Of those, tickets cancelled.
    pub cancelled: u32,
    /// Mean wait from issue to first call, in minutes, of the called tickets (null: none called).
    pub mean_wait_min: Option<f64>,
    /// Median of the same waits.
    pub median_wait_min: Option<f64>,
    /// 90th percentile of the same waits: nine in ten waited no longer.
    pub p90_wait_min: Option<f64>,
    /// Mean service time of the served tickets, from the start of service (or the call, when
    /// staff finished without starting) to its end.
    pub mean_service_min: Option<f64>,
    /// Mean number of counters open over the hour, from the counter events
    /// ([`counters::mean_open_in_hour`]); for a per-service row, of the counters that serve the
    /// service. Null for an hour that has not begun.
    pub counters_open: Option<f64>,
    /// Whether the day was played by `queue-server simulate --into`, not lived. In the JSON
    /// only (`crate::wire::history_row`): the CSV keeps exactly the statistics' columns.
    pub synthetic: bool,
}

/// The column names of the statistics, in order: the CSV header and the JSON field names. The
/// first eleven are the contract of issue 17; `counters_open` was added after them, so readers
/// of the first eleven columns by position are not disturbed.
pub const COLUMNS: [&str; 12] = [
    "date",
    "hour",
    "issued",
    "called",
    "served",
    "no_show",
    "cancelled",
    "mean_wait_min",
    "median_wait_min",
    "p90_wait_min",
    "mean_service_min",
    "counters_open",
];

/// The hours in which reception is open on a day (an hour counts when reception is open for
/// any part of it), empty when the office is closed.
pub fn reception_hours(plan: &DayPlan) -> Vec<u32> {
    let Some(hours) = plan.hours else {
        return Vec::new();
    };
    let last = hours.reception_ends() - chrono::Duration::seconds(1);
    (hours.opens.hour()..=last.hour()).collect()
}

/// The hour of an instant in Japan time (domain R4).
fn japan_hour(at: DateTime<Utc>) -> u32 {
    at.with_timezone(&Tokyo).hour()
}

/// What one business day left behind: its tickets and its counter changes (of any day; each
/// function keeps the day it is asked for), and the instant up to which they are complete.
#[derive(Clone, Copy, Debug)]
pub struct DayRecord<'a> {
    /// Tickets, in issue order.
    pub tickets: &'a [Ticket],
    /// Counter changes, in the order recorded.
    pub counter_changes: &'a [CounterChange],
    /// Now: hours after it have no counters figure yet.
    pub now: DateTime<Utc>,
}

/// The rows of one business day from its plan, its tickets and its counter changes.
pub fn day_rows(plan: &DayPlan, record: DayRecord<'_>) -> Vec<HourRow> {
    let mut by_hour: BTreeMap<u32, Vec<&Ticket>> = reception_hours(plan)
        .into_iter()
        .map(|hour| (hour, Vec::new()))
        .collect();
    for ticket in record
        .tickets
        .iter()
        .filter(|t| t.business_date == plan.date)
    {
        by_hour
            .entry(japan_hour(ticket.issued_at))
            .or_default()
            .push(ticket);
    }
    by_hour
        .into_iter()
        .map(|(hour, tickets)| {
            let counters_open =
                counters::mean_open_in_hour(plan.date, hour, record.counter_changes, record.now)
                    .map(tenth);
            hour_row(plan.date, hour, &tickets, counters_open)
        })
        .collect()
}

/// The rows of one day split by service: `(service, rows)` for every service that issued a
/// ticket that day, in service-id order; each row's counters are those for which
/// `serves(counter, service)` holds.
pub fn day_rows_by_service(
    plan: &DayPlan,
    record: DayRecord<'_>,
    serves: impl Fn(&str, &str) -> bool,
) -> Vec<(String, Vec<HourRow>)> {
    let mut services: BTreeMap<&str, Vec<Ticket>> = BTreeMap::new();
    for ticket in record
        .tickets
        .iter()
        .filter(|t| t.business_date == plan.date)
    {
        services
            .entry(&*ticket.service)
            .or_default()
            .push(ticket.clone());
    }
    services
        .into_iter()
        .map(|(service, tickets)| {
            let changes: Vec<CounterChange> = record
                .counter_changes
                .iter()
                .filter(|c| serves(&c.counter, service))
                .cloned()
                .collect();
            let record = DayRecord {
                tickets: &tickets,
                counter_changes: &changes,
                now: record.now,
            };
            (service.to_string(), day_rows(plan, record))
        })
        .collect()
}

fn hour_row(
    date: NaiveDate,
    hour: u32,
    tickets: &[&Ticket],
    counters_open: Option<f64>,
) -> HourRow {
    let count = |keep: &dyn Fn(&Ticket) -> bool| -> u32 {
        u32::try_from(tickets.iter().filter(|t| keep(t)).count()).unwrap_or(u32::MAX)
    };
    let mut waits: Vec<f64> = tickets
        .iter()
        .filter_map(|t| {
            t.called_at
                .map(|called| minutes_between(t.issued_at, called))
        })
        .collect();
    waits.sort_by(f64::total_cmp);
    let services: Vec<f64> = tickets
        .iter()
        .filter(|t| t.state == TicketState::Done)
        .filter_map(|t| {
            let began = t.started_at.or(t.called_at)?;
            Some(minutes_between(began, t.finished_at?))
        })
        .collect();
    HourRow {
        date,
        hour,
        issued: count(&|_| true),
        called: count(&|t| t.called_at.is_some()),
        served: count(&|t| t.state == TicketState::Done),
        no_show: count(&|t| t.state == TicketState::NoShow),
        cancelled: count(&|t| t.state == TicketState::Cancelled),
        mean_wait_min: mean(&waits).map(tenth),
        median_wait_min: percentile(&waits, 0.5).map(tenth),
        p90_wait_min: percentile(&waits, 0.9).map(tenth),
        mean_service_min: mean(&services).map(tenth),
        counters_open,
        synthetic: false,
    }
}

fn minutes_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    // Clock corrections could make a later event look earlier: a negative wait is none.
    ((to - from).num_milliseconds() as f64 / 60_000.0).max(0.0)
}

/// The arithmetic mean, `None` for no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The `p`-quantile (0–1) of values sorted ascending, interpolated linearly between the two
/// closest ranks (the spreadsheet `PERCENTILE.INC`, so staff can check it by hand); `None` for
/// no values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let (low, high) = (sorted.get(below)?, sorted.get(above)?);
    Some(low + (high - low) * (rank - below as f64))
}

/// The median of unsorted values, `None` for none.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    percentile(&sorted, 0.5)
}

/// Rounded to a tenth of a minute: finer figures would pretend a precision nobody has.
fn tenth(minutes: f64) -> f64 {
    (minutes * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests;
