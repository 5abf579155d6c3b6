//! The public state of one office: the status JSON and each feed `snapshot` frame. A few KB: no
//! ticket lists, no token names, no personal data.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::calendar::CalendarState;
use crate::office::OfficeName;
use crate::ticket::{CounterState, TicketState};

wire_enum! {
    /// How crowded an office is, from the longest wait shown.
    #[derive(PartialOrd, Ord)]
    pub enum CongestionLevel {
        /// Come now.
        Low = "low",
        /// Somewhat crowded.
        Moderate = "moderate",
        /// Crowded.
        High = "high",
        /// Very crowded: visitors may prefer another day.
        VeryHigh = "very_high",
    }
}

/// Reception suspended for the whole office (a J-LIS outage, say).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reception {
    /// Issuing is refused while true.
    pub suspended: bool,
    /// The reason shown to visitors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Waiting-time estimate for a ticket issued now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// True when no counter is open for the service: there is no number, only the text.
    #[serde(default)]
    pub no_counter_open: bool,
    /// Lower bound, minutes (0 when no counter is open).
    pub min_minutes: u32,
    /// Upper bound, minutes (0 when no counter is open).
    pub max_minutes: u32,
    /// The point estimate the range is built around, minutes.
    #[serde(default)]
    pub point_minutes: f64,
    /// Text for people (「20～30分程度」).
    pub text_ja: String,
    /// Text for people ("about 20–30 min").
    pub text_en: String,
}

/// Per-service queue figures in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// Service id.
    pub id: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Ticket prefix.
    pub prefix: String,
    /// People waiting (not yet called).
    pub waiting: u32,
    /// Estimated wait for a ticket issued now; absent when the server has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<Estimate>,
}

/// A counter in a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterStatus {
    /// Counter id (`1`).
    pub id: String,
    /// Open, paused or closed.
    pub state: CounterState,
    /// Services it serves.
    pub services: Vec<String>,
}

/// A number now called or being served at a counter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NowCalled {
    /// Counter id.
    pub counter: String,
    /// Ticket number, verbatim.
    pub number: String,
    /// Service id.
    pub service: String,
    /// `called`, `recalled` or `serving`.
    pub state: TicketState,
    /// When it was called.
    pub called_at: DateTime<FixedOffset>,
}

/// A past call, newest first in [`Snapshot::recent_calls`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentCall {
    /// Counter id.
    pub counter: String,
    /// Ticket number, verbatim.
    pub number: String,
    /// Service id.
    pub service: String,
    /// When it was called.
    pub called_at: DateTime<FixedOffset>,
}

/// Congestion level of an office, with its words (kept on the wire for clients that do not
/// use [`crate::text`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Congestion {
    /// The level.
    pub level: CongestionLevel,
    /// 空いています / やや混雑 / 混雑 / 大変混雑.
    pub label_ja: String,
    /// English label.
    pub label_en: String,
}

/// The whole public state of one office.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The office.
    pub office: OfficeName,
    /// Open/closed from the calendar.
    pub calendar: CalendarState,
    /// Reception suspension.
    pub reception: Reception,
    /// Per service: waiting and estimate.
    pub services: Vec<ServiceStatus>,
    /// Numbers now called or served, by counter.
    pub now_called: Vec<NowCalled>,
    /// The last few calls, newest first.
    pub recent_calls: Vec<RecentCall>,
    /// Counters and their states.
    pub counters: Vec<CounterStatus>,
    /// Congestion level, when some counter is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub congestion: Option<Congestion>,
    /// True when the queue is a simulated demo (screens show デモ / DEMO).
    #[serde(default)]
    pub demo: bool,
    /// How many times faster than real time the server's clock runs (`--speed`), present only
    /// when not 1, so that nobody mistakes a drill for live data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_speed: Option<f64>,
}
