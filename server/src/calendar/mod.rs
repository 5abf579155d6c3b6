//! The office calendar: when a counter is open, and why not when it is not.
//!
//! Pure functions of a configured [`Schedule`] and an instant (`DateTime<Utc>`);
//! no I/O and never the system clock, so every answer is testable and the same
//! on any host. All local reasoning happens in Asia/Tokyo (domain R4).
//!
//! Map of the module:
//! - [`holidays`]: Japanese national holidays 1955–2099 from the rules of the
//!   law (domain R3).
//! - `schedule`: the configuration — weekly hours (domain R1–R2), special days
//!   — with serde and validation.
//! - `plan`: one date's plan; precedence special day > year-end closure
//!   (29 Dec – 3 Jan, domain R3) > holiday > weekly hours.
//! - `status`: the phase at an instant, the next opening and the next
//!   transition (for the live feed).
//! - `text`: the lines and refusals shown to people, in Japanese and English.
//! - `busy`: the open days known to be busier (a Monday, after a holiday, month ends,
//!   March–April).

mod busy;
pub mod holidays;
mod plan;
mod schedule;
mod status;
mod text;

pub use busy::{MONTH_END_OPEN_DAYS, busy_reasons};
pub use holidays::{Holiday, HolidayKind, holidays_in_year, national_holiday};
pub use plan::{ClosureReason, DayPlan, day_plan, is_year_end, open_days};
pub use schedule::{DayHours, Schedule, ScheduleError, SpecialDay, WeeklyHours};
pub use status::{
    NEXT_OPENING_HORIZON_DAYS, Phase, Status, business_date, next_opening_after,
    next_transition_after, status,
};
pub use text::{calendar_line, holiday_line};

#[cfg(test)]
mod tests;
