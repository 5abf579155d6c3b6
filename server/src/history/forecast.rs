//! "When is it quiet?": the typical wait by weekday and hour, from the office's own recent
//! history (issue 17). Pure: it takes the hourly rows and the calendar, never the store.
//!
//! The model, written out: for every weekday (1 = Monday … 5 = Friday) with regular hours and
//! every hour in which reception is open on any weekday, take the days of that weekday among the
//! last [`ForecastConfig::weeks`] weeks before today on which tickets were issued; the cell's
//! `typical_wait_minutes` is the **median** of that hour's `mean_wait_min` over those days (the
//! median, so one disrupted day does not paint a whole column red). `typical_waiting` is the
//! median of the people waiting on average during the hour, by Little's law: tickets issued in
//! the hour × their mean wait ÷ 60. With fewer than [`MIN_DAYS_PER_CELL`] days behind it a cell
//! stays null: too little history is said, not guessed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::upcoming::{BusierDays, UpcomingDay, busier_days, upcoming_days};
use super::{HourRow, median, reception_hours};
use crate::calendar::{DayPlan, Schedule};
use crate::estimate::CongestionThresholds;
use crate::protocol::CongestionLevel;

/// Fewest days of a weekday with a figure for that hour before a cell shows one: with one or
/// two days the "typical" value would be an anecdote.
pub const MIN_DAYS_PER_CELL: usize = 3;

/// `[forecast]` in the configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastConfig {
    /// How many weeks of history the forecast looks back over (default 8, the public page's
    /// 「過去8週間」): long enough for a stable median, short enough to follow the seasons.
    #[serde(default = "default_weeks")]
    pub weeks: u32,
    /// How many weeks of history the busier-day comparison looks back over (default 52): a
    /// year, so that March and April and every kind of holiday have come at least once.
    #[serde(default = "default_busier_days_weeks")]
    pub busier_days_weeks: u32,
}

fn default_weeks() -> u32 {
    8
}

fn default_busier_days_weeks() -> u32 {
    52
}

impl Default for ForecastConfig {
    fn default() -> Self {
        Self {
            weeks: default_weeks(),
            busier_days_weeks: default_busier_days_weeks(),
        }
    }
}

impl ForecastConfig {
    /// Refuses a window the forecast cannot use: at least 1 week, at most 104.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(1..=104).contains(&self.weeks) {
            return Err(("weeks", format!("must be 1–104, got {}", self.weeks)));
        }
        if !(1..=260).contains(&self.busier_days_weeks) {
            return Err((
                "busier_days_weeks",
                format!("must be 1–260, got {}", self.busier_days_weeks),
            ));
        }
        Ok(())
    }

    /// The business days the forecast of `today` looks at: the `weeks` weeks before today,
    /// today excluded (it is not over).
    pub fn window(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        (
            today - Duration::weeks(i64::from(self.weeks)),
            today - Duration::days(1),
        )
    }
}

/// One weekday and hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// 1 = Monday … 7 = Sunday (ISO 8601).
    pub weekday: u32,
    /// Hour of day, Japan time.
    pub hour: u32,
}

/// The forecast of one weekday and hour.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// 1 = Monday … 7 = Sunday (ISO 8601).
    pub weekday: u32,
    /// Hour of issue, Japan time.
    pub hour: u32,
    /// Median over the window's days of the hour's mean wait (null: too little history).
    pub typical_wait_minutes: Option<f64>,
    /// Median over the same days of the people waiting on average during the hour.
    pub typical_waiting: Option<f64>,
    /// The congestion band of the typical wait (null with it).
    pub level: Option<CongestionLevel>,
}

/// The whole forecast of an office.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// Business days in the window on which tickets were issued.
    pub based_on_days: usize,
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day of the window (yesterday).
    pub to: NaiveDate,
    /// Whether any of those days was made by `queue-server simulate`, not lived.
    pub synthetic: bool,
    /// One cell per weekday with regular hours and hour of reception, weekday then hour.
    pub cells: Vec<Cell>,
    /// The three cells with the lowest typical wait (fewer with less history), quietest first.
    pub quietest: Vec<Slot>,
    /// The next open days with the reasons they are known to be busier
    /// ([`Forecast::with_upcoming_days`]; empty until then).
    pub upcoming_days: Vec<UpcomingDay>,
    /// What the history says about busier days (`None` until [`Forecast::with_upcoming_days`]).
    pub busier_days: Option<BusierDays>,
}

impl Forecast {
    /// Adds the upcoming open days from `today` and the busier-day comparison, from `rows`
    /// covering at least [`ForecastConfig::busier_days_window`] (which holds the forecast's
    /// own window).
    pub fn with_upcoming_days(
        mut self,
        schedule: &Schedule,
        rows: &[HourRow],
        today: NaiveDate,
        config: &ForecastConfig,
        thresholds: &CongestionThresholds,
    ) -> Self {
        self.upcoming_days = upcoming_days(schedule, rows, today, (self.from, self.to), thresholds);
        self.busier_days = Some(busier_days(
            schedule,
            rows,
            config.busier_days_window(today),
        ));
        self
    }
}

/// The forecast from the rows of the window's days ([`ForecastConfig::window`]); it is
/// synthetic when any day it rests on is.
pub fn forecast(
    schedule: &Schedule,
    rows: &[HourRow],
    (from, to): (NaiveDate, NaiveDate),
    thresholds: &CongestionThresholds,
) -> Forecast {
    let mut days: BTreeMap<NaiveDate, Vec<&HourRow>> = BTreeMap::new();
    for row in rows.iter().filter(|r| (from..=to).contains(&r.date)) {
        days.entry(row.date).or_default().push(row);
    }
    days.retain(|_, rows| rows.iter().any(|r| r.issued > 0));
    let synthetic = days.values().flatten().any(|r| r.synthetic);
    let weekdays = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let regular: Vec<(Weekday, Vec<u32>)> = weekdays
        .into_iter()
        .filter_map(|weekday| {
            let hours = schedule.weekly.on(weekday)?;
            let plan = DayPlan {
                date: NaiveDate::MIN,
                hours: Some(hours),
                closure: None,
                special_reason: None,
            };
            Some((weekday, reception_hours(&plan)))
        })
        .collect();
    let hours: BTreeSet<u32> = regular
        .iter()
        .flat_map(|(_, h)| h.iter().copied())
        .collect();
    let mut cells = Vec::new();
    for (weekday, _) in &regular {
        for &hour in &hours {
            let figures: Vec<(f64, f64)> = days
                .iter()
                .filter(|(date, _)| date.weekday() == *weekday)
                .filter_map(|(_, rows)| {
                    let row = rows.iter().find(|r| r.hour == hour)?;
                    let wait = row.mean_wait_min?;
                    Some((wait, f64::from(row.issued) * wait / 60.0))
                })
                .collect();
            let enough = figures.len() >= MIN_DAYS_PER_CELL;
            let waits: Vec<f64> = figures.iter().map(|f| f.0).collect();
            let waiting: Vec<f64> = figures.iter().map(|f| f.1).collect();
            let typical_wait = median(&waits).filter(|_| enough).map(tenth);
            cells.push(Cell {
                weekday: weekday.number_from_monday(),
                hour,
                typical_wait_minutes: typical_wait,
                typical_waiting: median(&waiting).filter(|_| enough).map(tenth),
                level: typical_wait.map(|minutes| thresholds.level_for(minutes)),
            });
        }
    }
    let mut known: Vec<(f64, Slot)> = cells
        .iter()
        .filter_map(|c| {
            let slot = Slot {
                weekday: c.weekday,
                hour: c.hour,
            };
            c.typical_wait_minutes.map(|wait| (wait, slot))
        })
        .collect();
    known.sort_by(|a, b| a.0.total_cmp(&b.0));
    Forecast {
        based_on_days: days.len(),
        from,
        to,
        synthetic,
        cells,
        quietest: known.into_iter().take(3).map(|(_, slot)| slot).collect(),
        upcoming_days: Vec::new(),
        busier_days: None,
    }
}

fn tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
