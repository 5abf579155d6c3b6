//! The public state of one office: the status JSON and each feed `snapshot` frame. A few KB: no
//! ticket lists, no token names, no personal data.

use std::sync::Arc;

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

wire_enum! {
    /// Why reception is suspended, from a fixed list: visitors read the list's wording
    /// ([`crate::text::Lang::suspension`]), never staff's free text.
    pub enum SuspensionReason {
        /// The national system (J-LIS) or our own is down.
        SystemOutage = "system_outage",
        /// Too many people are waiting already today.
        Congestion = "congestion",
        /// Not enough staff to take more.
        Staffing = "staffing",
        /// Any other reason.
        Other = "other",
    }
}

/// Reception suspended for the whole office (a J-LIS outage, say), as visitors see it: the
/// public reason code only. Staff's note is on the staff route ([`StaffReception`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reception {
    /// Issuing is refused while true.
    pub suspended: bool,
    /// Why, from the fixed list; present while suspended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<SuspensionReason>,
}

/// Reception as staff see it (`GET …/reception`, and the reply to suspend and resume): the
/// public reason and staff's own note, which never reaches a public page, the status JSON or
/// the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffReception {
    /// Issuing is refused while true.
    pub suspended: bool,
    /// Why, from the fixed list; present while suspended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<SuspensionReason>,
    /// Staff's free text, for staff only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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

/// A waiting ticket in [`Snapshot::queue`]. Shared text: the server lists the whole waiting
/// line in every snapshot, and a line of thousands is then copied as that many reference
/// counts, not strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedTicket {
    /// The number shown.
    pub number: Arc<str>,
    /// Service id (which counters may call it).
    pub service: Arc<str>,
}

impl QueuedTicket {
    /// Fewer bytes than any queued ticket takes as JSON: `{"number":"","service":""}`.
    pub const JSON_LEN_FLOOR: usize = r#"{"number":"","service":""}"#.len();

    /// Fewer bytes than it takes as JSON (`{"number":"…","service":"…"}`, escapes only add),
    /// known without writing it.
    pub fn json_len_at_least(&self) -> usize {
        Self::JSON_LEN_FLOOR + self.number.len() + self.service.len()
    }
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
    /// People waiting for any service: what screens lead with (the line is shared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_total: Option<u32>,
    /// The wait for a ticket issued now when it is the same whatever the service (counters
    /// that serve every service); absent when it differs, and screens show it per service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_estimate: Option<Estimate>,
    /// Per service: waiting and estimate.
    pub services: Vec<ServiceStatus>,
    /// The waiting tickets in the order they were issued, which is the order call-next takes
    /// them among the services a counter serves: a personal ticket page counts the people
    /// ahead of its ticket from here without asking the server. Numbers only, nothing personal.
    /// A persistent vector: the server shares one line between the snapshots that list it,
    /// each change costing a copy of a few nodes, not of the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<imbl::Vector<QueuedTicket>>,
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
