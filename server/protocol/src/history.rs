//! History on the wire (issue 17): the hourly aggregates published as open data, and the
//! visitors' weekday × hour forecast. Nothing here describes an individual ticket.

use serde::{Deserialize, Serialize};

use crate::{BusyReason, CongestionLevel};

/// One business day and hour of issue. Field names are the CSV's column names
/// (`docs/open-data.md`), so JSON and CSV readers use the same words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// Business day, `YYYY-MM-DD` (Japan time).
    pub date: String,
    /// Hour of issue, 0–23, Japan time.
    pub hour: u32,
    /// Tickets issued in the hour.
    pub issued: u32,
    /// Of those, called at least once.
    pub called: u32,
    /// Of those, served to the end.
    pub served: u32,
    /// Of those, not there when called.
    pub no_show: u32,
    /// Of those, cancelled.
    pub cancelled: u32,
    /// Mean minutes from issue to first call (null: nobody called).
    pub mean_wait_min: Option<f64>,
    /// Median of the same waits.
    pub median_wait_min: Option<f64>,
    /// 90th percentile of the same waits.
    pub p90_wait_min: Option<f64>,
    /// Mean minutes of a completed procedure.
    pub mean_service_min: Option<f64>,
    /// Mean number of counters open over the hour (null: the hour has not begun). Absent
    /// from servers before it was added, hence the default.
    #[serde(default)]
    pub counters_open: Option<f64>,
    /// The day was played by the simulator, not lived.
    pub synthetic: bool,
}

/// `GET /api/v1/offices/{office}/history?from=…&to=…`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// Office id.
    pub office: String,
    /// First day asked for, `YYYY-MM-DD`.
    pub from: String,
    /// Last day asked for, `YYYY-MM-DD`.
    pub to: String,
    /// Terms of reuse: `CC BY 4.0`.
    pub license: String,
    /// One row per business day and hour.
    pub rows: Vec<HistoryRow>,
}

/// A weekday and hour (weekday 1 = Monday … 7 = Sunday, ISO 8601).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastSlot {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    /// Hour of day, Japan time.
    pub hour: u32,
}

/// The typical figures of one weekday and hour; null when too little history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastCell {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    /// Hour of day, Japan time.
    pub hour: u32,
    /// Median over the window's days of the hour's mean wait, minutes.
    pub typical_wait_minutes: Option<f64>,
    /// Median of the people waiting on average during the hour.
    pub typical_waiting: Option<f64>,
    /// The congestion band of the typical wait.
    pub level: Option<CongestionLevel>,
}

/// `GET /api/v1/offices/{office}/forecast`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Business days with tickets in the window.
    pub based_on_days: usize,
    /// First day of the window, `YYYY-MM-DD`.
    pub from: String,
    /// Last day of the window (yesterday), `YYYY-MM-DD`.
    pub to: String,
    /// Whether any of those days is synthetic.
    pub synthetic: bool,
    /// Weekday then hour.
    pub cells: Vec<ForecastCell>,
    /// Up to three quietest cells, quietest first.
    pub quietest: Vec<ForecastSlot>,
    /// The next open days (today included when open), each with the reasons it is known to
    /// be busier. Absent from servers before it was added, hence the default.
    #[serde(default)]
    pub upcoming_days: Vec<UpcomingDay>,
    /// What the office's history says about the busier days, against ordinary days.
    #[serde(default)]
    pub busier_days: Option<BusierDays>,
}

/// One open day ahead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpcomingDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    /// Why the day is known to be busier (from the calendar); empty for an ordinary day.
    pub reasons: Vec<BusyReason>,
    /// Median of the daily waits of the same weekday over the forecast's window, minutes
    /// (null: too little history).
    pub typical_wait_minutes: Option<f64>,
    /// The congestion band of that wait.
    pub level: Option<CongestionLevel>,
}

/// Past days of one kind and their typical daily wait.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DaysFigure {
    /// Past days of this kind with tickets called.
    pub days: usize,
    /// Median of their daily mean waits, minutes (null: fewer than three days).
    pub typical_wait_minutes: Option<f64>,
}

/// What the history says about one reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReasonFigure {
    /// The reason.
    pub reason: BusyReason,
    /// Past days with that reason.
    pub days: usize,
    /// Median of their daily mean waits, minutes (null: fewer than three days).
    pub typical_wait_minutes: Option<f64>,
    /// Whether that median is above the ordinary days' (null when either is missing).
    pub busier_than_ordinary: Option<bool>,
}

/// The busier-day comparison over its own window (`[forecast] busier_days_weeks`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusierDays {
    /// First day looked at, `YYYY-MM-DD`.
    pub from: String,
    /// Last day looked at (yesterday), `YYYY-MM-DD`.
    pub to: String,
    /// Past days without any reason.
    pub ordinary: DaysFigure,
    /// Every reason, in a fixed order.
    pub reasons: Vec<ReasonFigure>,
}
