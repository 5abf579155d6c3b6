//! History on the wire (issue 17): the hourly aggregates published as open data, and the
//! visitors' weekday × hour forecast. Nothing here describes an individual ticket.

use serde::{Deserialize, Serialize};

use crate::CongestionLevel;

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
}
