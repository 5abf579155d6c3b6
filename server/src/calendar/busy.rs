//! Known busier days (issue 17): which open days city halls warn about, told from the calendar
//! alone — a Monday, the first open day after a holiday, the last open days of a month, March
//! and April. Whether such days really were busier at an office is the history's to say
//! ([`crate::history::upcoming`]); this only names them.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::plan::{ClosureReason, day_plan};
use super::schedule::Schedule;
use crate::protocol::BusyReason;

/// How many of a month's last open days count as its end: the last week's working days, when
/// moves and monthly deadlines bring people in.
pub const MONTH_END_OPEN_DAYS: usize = 3;

/// Farthest back to look for the closure before an open day: longer than any run of closed
/// days the calendar makes (the year-end closure with a weekend is at most nine days).
const LOOKBACK_DAYS: i64 = 14;

/// The reasons `date` is known to be busier, in [`BusyReason::KNOWN`] order; empty for an
/// ordinary day and for a day the office is closed.
pub fn busy_reasons(schedule: &Schedule, date: NaiveDate) -> Vec<BusyReason> {
    if !day_plan(schedule, date).is_open() {
        return Vec::new();
    }
    let mut reasons = Vec::new();
    if date.weekday() == Weekday::Mon {
        reasons.push(BusyReason::Monday);
    }
    if follows_a_holiday(schedule, date) {
        reasons.push(BusyReason::AfterHoliday);
    }
    if is_month_end(schedule, date) {
        reasons.push(BusyReason::MonthEnd);
    }
    if matches!(date.month(), 3 | 4) {
        reasons.push(BusyReason::MarchApril);
    }
    reasons
}

/// Whether the closed days just before `date` include a holiday, the year-end closure or a
/// configured closure: a weekday's visitors were sent away and come now. A weekend alone does
/// not count (that is [`BusyReason::Monday`]); nor does a weekday the office never opens.
fn follows_a_holiday(schedule: &Schedule, date: NaiveDate) -> bool {
    (1..=LOOKBACK_DAYS)
        .map(|back| day_plan(schedule, date - Duration::days(back)))
        .take_while(|plan| !plan.is_open())
        .any(|plan| {
            matches!(
                plan.closure,
                Some(
                    ClosureReason::Holiday(_)
                        | ClosureReason::YearEnd
                        | ClosureReason::Special { .. }
                )
            )
        })
}

/// Whether `date` is one of the last [`MONTH_END_OPEN_DAYS`] open days of its month.
fn is_month_end(schedule: &Schedule, date: NaiveDate) -> bool {
    let later_open_days = date
        .iter_days()
        .skip(1)
        .take_while(|d| d.month() == date.month())
        .filter(|d| day_plan(schedule, *d).is_open())
        .count();
    later_open_days < MONTH_END_OPEN_DAYS
}
