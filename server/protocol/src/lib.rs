//! `queue-protocol`: what the queue server says to its clients, version 1.
//!
//! Every client of the server — the lobby display, the web pages' renderer, the tests — reads
//! the wire through these types, so a meaning is decoded once, here, and never matched back
//! from a string in a screen. Closed sets of values are enums; a value sent by a newer server
//! decodes to the enum's `Unknown` variant, which screens show as "not known", never as
//! something they guessed.
//!
//! Map of the crate (`docs/protocol.md` documents each field):
//! - [`calendar`]: the office's phase of the day, closure reasons, hours, calendar listings.
//! - [`snapshot`]: the public state of one office (status JSON and feed `snapshot` frames).
//! - [`change`]: the feed's compact `change` frame: a patch of the last snapshot.
//! - [`message`]: the envelope of every feed frame and the status JSON (`v`, `type`, `seq`).
//! - [`ticket`]: ticket and counter states, the staff actions, tickets as staff see them.
//! - [`history`]: hourly aggregates as open data and the weekday × hour forecast.
//! - [`office`]: offices and their services as the API lists them.
//! - [`error`]: the JSON error envelope and its stable codes.
//! - [`feed`]: the feed's timing contract (refresh interval, when a screen is not live).
//! - [`health`]: what `/healthz` checked and which check failed.
//! - [`text`]: the language choice, date and time formats and state labels every screen shares.

#[macro_use]
mod wire_enum;

pub mod calendar;
pub mod change;
pub mod error;
pub mod feed;
pub mod health;
pub mod history;
pub mod message;
pub mod office;
pub mod snapshot;
pub mod text;
pub mod ticket;

pub use calendar::{
    BusyReason, CalendarDay, CalendarDays, CalendarState, Closure, ClosureReason, Hours, Phase,
};
pub use change::{Change, ChangeError};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use health::{Health, HealthCheck, HealthCheckName, HealthStatus};
pub use history::{
    BusierDays, DaysFigure, Forecast, ForecastCell, ForecastSlot, HistoryPage, HistoryRow,
    ReasonFigure, UpcomingDay,
};
pub use message::{CallEvent, Message, Payload};
pub use office::{OfficeInfo, OfficeList, OfficeName, ServiceInfo};
pub use snapshot::{
    Congestion, CongestionLevel, CounterStatus, Estimate, NowCalled, QueuedTicket, RecentCall,
    Reception, ServiceStatus, Snapshot, StaffReception, SuspensionReason,
};
pub use ticket::{
    CounterState, PublicTicket, Ticket, TicketAction, TicketList, TicketOffice, TicketState,
};

/// Version of the wire format; a reader refuses messages of another version.
pub const VERSION: u32 = 1;
