//! Known busier days ahead (issue 17): the next open days from the calendar, each with the
//! reasons it is known to be busier ([`crate::calendar::busy_reasons`]), and what the office's
//! own history says about such days. Pure: it takes the hourly rows and the calendar.
//!
//! The model, written out: a past day's **wait** is the mean wait of the tickets called that
//! day (the hours' `mean_wait_min` weighted by `called`). For every reason, the history
//! compares the median wait of the past days with that reason against the median of the
//! **ordinary** days (no reason at all), over the last [`ForecastConfig::busier_days_weeks`]
//! weeks (a year by default: March and April come once a year). An upcoming day's typical wait
//! is the median wait of the same weekday over the forecast's window, like the chart. With
//! fewer than [`MIN_DAYS_PER_CELL`] days behind a figure it stays null: too little history is
//! said, never guessed.

use chrono::{Datelike, Duration, NaiveDate};

use super::HourRow;
use super::forecast::{ForecastConfig, MIN_DAYS_PER_CELL};
use super::median;
use crate::calendar::{Schedule, busy_reasons, day_plan};
use crate::estimate::CongestionThresholds;
use crate::protocol::{BusyReason, CongestionLevel};

/// How many open days ahead are listed, today included when it is one: two working weeks.
pub const UPCOMING_OPEN_DAYS: usize = 10;

/// Farthest ahead to look for those days (a year-end and Golden Week fit easily).
const LOOKAHEAD_DAYS: i64 = 60;

/// One open day ahead.
#[derive(Clone, Debug, PartialEq)]
pub struct UpcomingDay {
    /// The date (Japan time).
    pub date: NaiveDate,
    /// Why it is known to be busier; empty for an ordinary day.
    pub reasons: Vec<BusyReason>,
    /// Median wait of the same weekday's days over the forecast's window (null: too few).
    pub typical_wait_minutes: Option<f64>,
    /// The congestion band of that wait.
    pub level: Option<CongestionLevel>,
}

/// Past days of one kind and their typical wait.
#[derive(Clone, Debug, PartialEq)]
pub struct DaysFigure {
    /// Past days of this kind with a wait figure.
    pub days: usize,
    /// Median of their waits (null: fewer than [`MIN_DAYS_PER_CELL`] days).
    pub typical_wait_minutes: Option<f64>,
}

/// What the history says about one reason.
#[derive(Clone, Debug, PartialEq)]
pub struct ReasonHistory {
    /// The reason.
    pub reason: BusyReason,
    /// The past days with that reason.
    pub figure: DaysFigure,
    /// Whether those days' typical wait was longer than the ordinary days' (null when either
    /// figure is missing).
    pub busier_than_ordinary: Option<bool>,
}

/// What the history says about busier days, over its own window.
#[derive(Clone, Debug, PartialEq)]
pub struct BusierDays {
    /// First day looked at.
    pub from: NaiveDate,
    /// Last day looked at (yesterday).
    pub to: NaiveDate,
    /// The past days without any reason.
    pub ordinary: DaysFigure,
    /// Every reason, in [`BusyReason::KNOWN`] order.
    pub reasons: Vec<ReasonHistory>,
}

/// The next [`UPCOMING_OPEN_DAYS`] open days from `today` (included when open).
pub fn upcoming_open_days(schedule: &Schedule, today: NaiveDate) -> Vec<NaiveDate> {
    today
        .iter_days()
        .take_while(|d| *d - today <= Duration::days(LOOKAHEAD_DAYS))
        .filter(|d| day_plan(schedule, *d).is_open())
        .take(UPCOMING_OPEN_DAYS)
        .collect()
}

/// The waits of the past days in `rows` that lie in `from..=to`, by date: days with at least
/// one ticket called.
fn day_waits(rows: &[HourRow], (from, to): (NaiveDate, NaiveDate)) -> Vec<(NaiveDate, f64)> {
    let mut days: Vec<(NaiveDate, f64, u32)> = Vec::new();
    for row in rows.iter().filter(|r| (from..=to).contains(&r.date)) {
        let Some(wait) = row.mean_wait_min else {
            continue;
        };
        let weighted = wait * f64::from(row.called);
        match days.last_mut() {
            Some((date, sum, called)) if *date == row.date => {
                *sum += weighted;
                *called += row.called;
            }
            _ => days.push((row.date, weighted, row.called)),
        }
    }
    days.into_iter()
        .filter(|(_, _, called)| *called > 0)
        .map(|(date, sum, called)| (date, sum / f64::from(called)))
        .collect()
}

fn figure(waits: &[f64]) -> DaysFigure {
    DaysFigure {
        days: waits.len(),
        typical_wait_minutes: median(waits)
            .filter(|_| waits.len() >= MIN_DAYS_PER_CELL)
            .map(tenth),
    }
}

/// What the rows of `window` (date and hour order, as [`super::HistoryCache`] gives them) say
/// about each reason, against the ordinary days.
pub fn busier_days(
    schedule: &Schedule,
    rows: &[HourRow],
    window: (NaiveDate, NaiveDate),
) -> BusierDays {
    let waits = day_waits(rows, window);
    let reasons_of: Vec<(Vec<BusyReason>, f64)> = waits
        .iter()
        .map(|(date, wait)| (busy_reasons(schedule, *date), *wait))
        .collect();
    let ordinary = figure(
        &reasons_of
            .iter()
            .filter(|(reasons, _)| reasons.is_empty())
            .map(|(_, wait)| *wait)
            .collect::<Vec<_>>(),
    );
    let reasons = BusyReason::KNOWN
        .iter()
        .map(|&reason| {
            let figure = figure(
                &reasons_of
                    .iter()
                    .filter(|(reasons, _)| reasons.contains(&reason))
                    .map(|(_, wait)| *wait)
                    .collect::<Vec<_>>(),
            );
            let busier_than_ordinary = figure
                .typical_wait_minutes
                .zip(ordinary.typical_wait_minutes)
                .map(|(flagged, ordinary)| flagged > ordinary);
            ReasonHistory {
                reason,
                figure,
                busier_than_ordinary,
            }
        })
        .collect();
    BusierDays {
        from: window.0,
        to: window.1,
        ordinary,
        reasons,
    }
}

/// The upcoming open days with their reasons and the typical wait of their weekday over the
/// forecast's `window` (from `rows`).
pub fn upcoming_days(
    schedule: &Schedule,
    rows: &[HourRow],
    today: NaiveDate,
    window: (NaiveDate, NaiveDate),
    thresholds: &CongestionThresholds,
) -> Vec<UpcomingDay> {
    let waits = day_waits(rows, window);
    upcoming_open_days(schedule, today)
        .into_iter()
        .map(|date| {
            let same_weekday: Vec<f64> = waits
                .iter()
                .filter(|(past, _)| past.weekday() == date.weekday())
                .map(|(_, wait)| *wait)
                .collect();
            let typical = figure(&same_weekday).typical_wait_minutes;
            UpcomingDay {
                date,
                reasons: busy_reasons(schedule, date),
                typical_wait_minutes: typical,
                level: typical.map(|minutes| thresholds.level_for(minutes)),
            }
        })
        .collect()
}

impl ForecastConfig {
    /// The business days the busier-day comparison looks at: the `busier_days_weeks` weeks
    /// before today, today excluded.
    pub fn busier_days_window(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        (
            today - Duration::weeks(i64::from(self.busier_days_weeks)),
            today - Duration::days(1),
        )
    }
}

fn tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
