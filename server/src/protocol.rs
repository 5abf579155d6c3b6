//! Wire types: what goes over HTTP and the WebSocket feed, version 1.
//!
//! This module compiles with the crate's default features off (only serde and chrono), so the
//! lobby display can depend on `queue-server` for these types alone. Every top-level message
//! carries `v` ([`VERSION`]); `docs/protocol.md` documents each field.

use chrono::{DateTime, FixedOffset, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// Version of the wire format; a reader refuses messages of another version.
pub const VERSION: u32 = 1;

/// The one-character Japanese weekday (月 火 水 木 金 土 日) every screen prints after a date.
/// Here, beside the wire types, so the server's calendar and the lobby display share it.
pub fn weekday_ja(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "月",
        Weekday::Tue => "火",
        Weekday::Wed => "水",
        Weekday::Thu => "木",
        Weekday::Fri => "金",
        Weekday::Sat => "土",
        Weekday::Sun => "日",
    }
}

/// Where a ticket is in its life (`waiting → called → serving → done`, plus side exits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Issued, not yet called.
    Waiting,
    /// Called to a counter for the first time.
    Called,
    /// Called again after the first call went unanswered.
    Recalled,
    /// The visitor is at the counter being served.
    Serving,
    /// Served (final).
    Done,
    /// Called but never came (final).
    NoShow,
    /// Withdrawn by staff or at the visitor's request (final).
    Cancelled,
    /// Left over when the business day ended (final).
    Expired,
}

impl TicketState {
    /// A final state never changes again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Done | Self::NoShow | Self::Cancelled | Self::Expired
        )
    }

    /// Called or recalled: the visitor is expected at a counter.
    pub fn is_called(self) -> bool {
        matches!(self, Self::Called | Self::Recalled)
    }

    /// The wire spelling (`"no_show"`), also used in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Recalled => "recalled",
            Self::Serving => "serving",
            Self::Done => "done",
            Self::NoShow => "no_show",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "waiting" => Self::Waiting,
            "called" => Self::Called,
            "recalled" => Self::Recalled,
            "serving" => Self::Serving,
            "done" => Self::Done,
            "no_show" => Self::NoShow,
            "cancelled" => Self::Cancelled,
            "expired" => Self::Expired,
            _ => return None,
        })
    }
}

/// Whether a counter takes visitors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterState {
    /// Staffed and calling.
    Open,
    /// Staffed but not calling for now (a break).
    Paused,
    /// Not staffed. Every counter starts the business day closed.
    Closed,
}

impl CounterState {
    /// The wire spelling, also used in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paused => "paused",
            Self::Closed => "closed",
        }
    }

    /// Parses the wire spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "open" => Self::Open,
            "paused" => Self::Paused,
            "closed" => Self::Closed,
            _ => return None,
        })
    }
}

/// A ticket as staff see it: the 201 reply to an issue and each row of a ticket list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Stable id for per-ticket staff actions.
    pub id: String,
    /// The number every screen shows verbatim (`R001`; after `R999` comes `R1000`).
    pub number: String,
    /// Service id from the configuration.
    pub service: String,
    /// Where the ticket is in its life.
    pub state: TicketState,
    /// When it was issued (Asia/Tokyo offset).
    pub issued_at: DateTime<FixedOffset>,
    /// The business day it belongs to (`YYYY-MM-DD`, Tokyo).
    pub business_date: String,
    /// The counter it was last called to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<String>,
    /// When it was last called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called_at: Option<DateTime<FixedOffset>>,
    /// When it reached a final state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<FixedOffset>>,
    /// People waiting ahead of it for the same service when it was issued.
    pub waiting_ahead_at_issue: u32,
    /// The wait estimate shown when it was issued (lower bound, minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_min_minutes: Option<u32>,
    /// The wait estimate shown when it was issued (upper bound, minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_max_minutes: Option<u32>,
}

/// `GET /api/v1/offices/{office}/tickets`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketList {
    /// Every ticket of the business day, in issue order.
    pub tickets: Vec<Ticket>,
}

/// Body of every 4xx/5xx reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// A stable machine code and a message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable snake_case code (`queue_empty`, `office_closed`, …).
    pub code: String,
    /// Japanese text a clerk understands.
    pub message: String,
    /// For `office_closed`: when reception next opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_opening: Option<DateTime<FixedOffset>>,
}

/// An office as listed by `GET /api/v1/offices`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfficeInfo {
    /// Id used in paths (`main`).
    pub id: String,
    /// Japanese display name.
    pub name_ja: String,
    /// English display name.
    pub name_en: String,
    /// Services offered, in display order.
    pub services: Vec<ServiceInfo>,
    /// Counter ids.
    pub counters: Vec<String>,
}

/// `GET /api/v1/offices`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfficeList {
    /// Every configured office; the first is the default one.
    pub offices: Vec<OfficeInfo>,
}

/// A service offered at an office.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// Id used in requests (`renewal`).
    pub id: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// Ticket number prefix (`R`).
    pub prefix: String,
    /// Configured mean service time, minutes.
    pub mean_service_minutes: f64,
}

/// Opening hours of one day, as `HH:MM` strings in Tokyo time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    /// Reception opens.
    pub opens: String,
    /// The office closes.
    pub closes: String,
    /// Last ticket, if earlier than closing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ticket: Option<String>,
}

/// The office's state from the business calendar (BRIEF R1–R4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarState {
    /// `open`, `before_opening`, `reception_closed`, `closed_for_the_day` or `closed`.
    pub phase: String,
    /// Tickets can be issued now (open, and reception not suspended).
    pub accepting: bool,
    /// For `closed`: `weekend`, `holiday`, `year_end`, `special` or `no_hours`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Why not open, in Japanese (holiday name, 年末年始, special reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_ja: Option<String>,
    /// Why not open, in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_en: Option<String>,
    /// A sentence for visitors in Japanese ("本日は祝日（…）のため休業です。次の受付: …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_ja: Option<String>,
    /// The same in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_en: Option<String>,
    /// When reception next opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_opening: Option<DateTime<FixedOffset>>,
    /// Today's hours, if today is an open day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub today: Option<Hours>,
    /// The business date (`YYYY-MM-DD`, Tokyo).
    pub business_date: String,
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

/// Waiting-time estimate for a ticket issued now (filled by the estimator).
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
    /// Text for people (「約20〜30分」).
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
    /// Estimated wait for a ticket issued now; absent until the estimator provides one.
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

/// Congestion level of an office (filled by the estimator).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Congestion {
    /// `low`, `moderate`, `high`, `very_high`.
    pub level: String,
    /// 空いています / やや混雑 / 混雑 / 大変混雑.
    pub label_ja: String,
    /// English label.
    pub label_en: String,
}

/// Office identity in a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeName {
    /// Id used in paths.
    pub id: String,
    /// Japanese display name.
    pub name_ja: String,
    /// English display name.
    pub name_en: String,
}

/// The whole public state of one office: the status JSON and each feed `snapshot` message.
/// A few KB: no ticket lists, no token names, no personal data.
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
    /// Congestion level, once the estimator provides one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub congestion: Option<Congestion>,
    /// True when the queue is a simulated demo (screens show デモ / DEMO).
    #[serde(default)]
    pub demo: bool,
}

/// A number called to a counter (feed `call` message).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallEvent {
    /// Counter id.
    pub counter: String,
    /// Ticket number, verbatim.
    pub number: String,
    /// Service id.
    pub service: String,
    /// True for a recall.
    #[serde(default)]
    pub recall: bool,
}

/// The body of a feed message, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    /// The office's whole state (boxed: it is large and most messages are built once).
    Snapshot(Box<Snapshot>),
    /// A number was called.
    Call(CallEvent),
}

/// Every feed message and the status JSON: `v`, `type`, `seq`, `generated_at`, then the payload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Wire version ([`VERSION`]).
    pub v: u32,
    /// Monotonic per office, also across restarts (the event log's sequence).
    pub seq: u64,
    /// Server time when the message was made.
    pub generated_at: DateTime<FixedOffset>,
    /// Snapshot or call.
    #[serde(flatten)]
    pub payload: Payload,
}

impl Message {
    /// Server time as UTC, for staleness checks.
    pub fn generated_at_utc(&self) -> DateTime<Utc> {
        self.generated_at.with_timezone(&Utc)
    }
}

/// Why a day is closed, in a calendar listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// `weekend`, `holiday`, `year_end`, `special` or `no_hours`.
    pub code: String,
    /// Japanese reason (祝日（元日）, 年末年始, …).
    pub reason_ja: String,
    /// English reason.
    pub reason_en: String,
}

/// One day of `GET /api/v1/offices/{office}/calendar`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// 月 火 水 木 金 土 日.
    pub weekday_ja: String,
    /// Open that day.
    pub open: bool,
    /// Hours when open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<Hours>,
    /// Reason when closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure: Option<Closure>,
    /// Reason of an extra opening (a Saturday campaign), in Japanese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_ja: Option<String>,
    /// The same in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_en: Option<String>,
}

/// `GET /api/v1/offices/{office}/calendar?from=…&to=…`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDays {
    /// Office id.
    pub office: String,
    /// Each day from `from` to `to`, inclusive.
    pub days: Vec<CalendarDay>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_states_round_trip_through_their_wire_spelling() {
        for state in [
            TicketState::Waiting,
            TicketState::Called,
            TicketState::Recalled,
            TicketState::Serving,
            TicketState::Done,
            TicketState::NoShow,
            TicketState::Cancelled,
            TicketState::Expired,
        ] {
            assert_eq!(TicketState::parse(state.as_str()), Some(state));
            let json = format!("\"{}\"", state.as_str());
            assert_eq!(serde_json::to_string(&state).ok(), Some(json));
        }
    }

    #[test]
    fn a_call_message_has_version_type_and_seq_at_top_level() {
        let message = Message {
            v: VERSION,
            seq: 7,
            generated_at: DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
                .expect("valid instant"),
            payload: Payload::Call(CallEvent {
                counter: "1".into(),
                number: "R001".into(),
                service: "renewal".into(),
                recall: false,
            }),
        };
        let value = serde_json::to_value(&message).expect("serializes");
        assert_eq!(value["v"], 1);
        assert_eq!(value["type"], "call");
        assert_eq!(value["seq"], 7);
        assert_eq!(value["number"], "R001");
        let back: Message = serde_json::from_value(value).expect("parses");
        assert_eq!(back, message);
    }
}
