//! The plan of one business date: open with which hours, or closed and why.
//! Precedence, strongest first: a configured special day; the year-end
//! closure 29 Dec – 3 Jan; holidays (domain R3); the weekly hours (domain R1–R2).

use chrono::{Datelike, NaiveDate, Weekday};

use super::holidays::{Holiday, national_holiday};
use super::schedule::{DayHours, Schedule};

/// Why an office is closed for a whole day; shown to visitors with the next opening.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClosureReason {
    /// Saturday or Sunday without configured hours.
    Weekend,
    /// A national, substitute, citizens' or special-law holiday (domain R3).
    Holiday(Holiday),
    /// The year-end closure, 29 December – 3 January (domain R3).
    YearEnd,
    /// A configured extra closure (system outage, building inspection…).
    Special {
        /// Reason in Japanese, as configured.
        reason_ja: String,
        /// Reason in English, as configured.
        reason_en: String,
    },
    /// A weekday (Mon–Fri) for which the office has no configured hours.
    NoHours,
}

/// One business date: exactly one of `hours` (open) and `closure` (closed) is
/// `Some`. Shown by `queue-server calendar` and the screens' "next days" list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayPlan {
    /// The Tokyo local date.
    pub date: NaiveDate,
    /// Opening hours when the office is open that day.
    pub hours: Option<DayHours>,
    /// Why the office is closed, when it is.
    pub closure: Option<ClosureReason>,
    /// (Japanese, English) reason of an extra opening from a special day.
    pub special_reason: Option<(String, String)>,
}

impl DayPlan {
    /// Whether the office opens at all on this date.
    pub fn is_open(&self) -> bool {
        self.hours.is_some()
    }

    fn open(date: NaiveDate, hours: DayHours, special_reason: Option<(String, String)>) -> Self {
        Self {
            date,
            hours: Some(hours),
            closure: None,
            special_reason,
        }
    }

    fn closed(date: NaiveDate, reason: ClosureReason) -> Self {
        Self {
            date,
            hours: None,
            closure: Some(reason),
            special_reason: None,
        }
    }
}

/// Whether `date` falls in the year-end closure, 29 December – 3 January (domain R3).
pub fn is_year_end(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (12, 29..=31) | (1, 1..=3))
}

/// The plan of one date for an office: a special day wins over everything,
/// then the year-end closure, then holidays (domain R3), then weekly hours.
pub fn day_plan(schedule: &Schedule, date: NaiveDate) -> DayPlan {
    if let Some(special) = schedule.special_day(date) {
        return match special.hours {
            Some(hours) => DayPlan::open(
                date,
                hours,
                Some((special.reason_ja.clone(), special.reason_en.clone())),
            ),
            None => DayPlan::closed(
                date,
                ClosureReason::Special {
                    reason_ja: special.reason_ja.clone(),
                    reason_en: special.reason_en.clone(),
                },
            ),
        };
    }
    if is_year_end(date) {
        return DayPlan::closed(date, ClosureReason::YearEnd);
    }
    if let Some(holiday) = national_holiday(date) {
        return DayPlan::closed(date, ClosureReason::Holiday(holiday));
    }
    match schedule.weekly.on(date.weekday()) {
        Some(hours) => DayPlan::open(date, hours, None),
        None if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) => {
            DayPlan::closed(date, ClosureReason::Weekend)
        }
        None => DayPlan::closed(date, ClosureReason::NoHours),
    }
}

/// The plans of every date from `from` to `to`, both included (empty when
/// `to < from`); despite the name, closed days are listed too, each with its reason.
pub fn open_days(schedule: &Schedule, from: NaiveDate, to: NaiveDate) -> Vec<DayPlan> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|d| day_plan(schedule, d))
        .collect()
}
