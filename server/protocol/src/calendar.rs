//! The business calendar on the wire: the office's phase of the day with its closure reason and
//! hours (in every snapshot), and the day listing of the calendar API.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

wire_enum! {
    /// Where the business day stands (`CalendarState::phase`).
    pub enum Phase {
        /// An open day, before reception opens.
        BeforeOpening = "before_opening",
        /// Reception is open: tickets are issued.
        Open = "open",
        /// Reception has ended for today; tickets already issued are still called.
        ReceptionClosed = "reception_closed",
        /// An open day that is over.
        ClosedForTheDay = "closed_for_the_day",
        /// The whole day is closed ([`CalendarState::reason_code`] says why).
        Closed = "closed",
    }
}

impl Phase {
    /// The office takes no visitors at all today (a closed day, or the day is over), so a
    /// screen has no queue to show. `Unknown` is not taken for closed.
    pub fn is_closed_all_day(self) -> bool {
        matches!(self, Self::Closed | Self::ClosedForTheDay)
    }
}

wire_enum! {
    /// Why a whole day is closed.
    pub enum ClosureReason {
        /// Saturday or Sunday.
        Weekend = "weekend",
        /// A national holiday, substitute holiday or citizens' holiday.
        Holiday = "holiday",
        /// 29 December – 3 January.
        YearEnd = "year_end",
        /// A closure the office configured for that date.
        Special = "special",
        /// The office has no hours configured for that weekday.
        NoHours = "no_hours",
    }
}

wire_enum! {
    /// Why an open day is known to be busier than most (the forecast's `upcoming_days`): the
    /// days city halls warn about, told from the calendar.
    pub enum BusyReason {
        /// A Monday: the week's first day gathers what waited over the weekend.
        Monday = "monday",
        /// The first open day after a holiday, the year-end closure or a configured closure.
        AfterHoliday = "after_holiday",
        /// One of the last three open days of its month (moves, deadlines).
        MonthEnd = "month_end",
        /// March or April, the season of moves in Japan.
        MarchApril = "march_april",
    }
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

/// The office's state from the business calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarState {
    /// The phase of the day.
    pub phase: Phase,
    /// Tickets can be issued now (open, and reception not suspended).
    pub accepting: bool,
    /// For [`Phase::Closed`]: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<ClosureReason>,
    /// Why not open, in Japanese (holiday name, 年末年始, special reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_ja: Option<String>,
    /// Why not open, in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_en: Option<String>,
    /// A sentence for visitors in Japanese, with the next opening.
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

/// Why a day is closed, in a calendar listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// The kind of closure.
    pub code: ClosureReason,
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
    fn a_phase_from_a_newer_server_is_unknown_and_not_taken_for_closed() {
        let phase: Phase = serde_json::from_str("\"lunch_break\"").expect("decodes");
        assert_eq!(phase, Phase::Unknown);
        assert!(!phase.is_closed_all_day());
        assert!(Phase::Closed.is_closed_all_day());
        assert!(Phase::ClosedForTheDay.is_closed_all_day());
    }

    #[test]
    fn phases_and_reasons_keep_their_snake_case_spellings() {
        let phases: Vec<_> = Phase::KNOWN.iter().map(|p| p.as_str()).collect();
        assert_eq!(
            phases,
            [
                "before_opening",
                "open",
                "reception_closed",
                "closed_for_the_day",
                "closed"
            ]
        );
        let reasons: Vec<_> = ClosureReason::KNOWN.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            reasons,
            ["weekend", "holiday", "year_end", "special", "no_hours"]
        );
    }
}
