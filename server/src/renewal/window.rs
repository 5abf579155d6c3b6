//! When a certificate can be renewed free of charge (domain R12): from the day after the same
//! day three months before its expiry, up to the expiry itself, the last valid day. The city's
//! own example: expiry 7 July → free from 8 April; up to 7 April only a paid re-issue.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::months::same_day_months_away;

/// How a date was derived from the expiry: by the rule's own words, or by our reading of a
/// case the words leave open (see [`free_window`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// The same-numbered day exists: the rule applied word for word.
    Literal,
    /// No same-numbered day (31 May → no 31 February): the month's last day stood in for it.
    /// Our reading, not the city's words; the answer says so.
    MonthEnd,
}

impl Reading {
    fn of(missing_day: bool) -> Self {
        if missing_day {
            Self::MonthEnd
        } else {
            Self::Literal
        }
    }
}

/// The free renewal window of one certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First day of free renewal.
    pub opens: NaiveDate,
    /// Last day of free renewal: the expiry date (the last valid day).
    pub closes: NaiveDate,
    /// Last day on which renewing is a paid re-issue (the day before `opens`).
    pub paid_reissue_until: NaiveDate,
    /// Whether `opens` follows the rule literally or our month-end reading.
    pub reading: Reading,
}

/// The free window for a certificate expiring on `expires` (domain R12), `None` only beyond
/// chrono's calendar.
///
/// The day after the same day three months earlier, month ends included: 29 Feb 2028 → 30 Nov
/// 2027, 30 Nov 2027 → 31 Aug 2027. When that earlier month has no such day (31 May → no 31
/// February) we take the month's last day in its place, so the window opens on the 1st of the
/// following month (1 March). That is our reading: it makes the free window the full three
/// calendar months before the expiry (1 March – 31 May), as a period of three months is
/// counted in Japanese law when the corresponding day is missing (民法第143条第2項ただし書).
pub fn free_window(expires: NaiveDate) -> Option<Window> {
    let before = same_day_months_away(expires, -3)?;
    let opens = before.date.succ_opt()?;
    Some(Window {
        opens,
        closes: expires,
        paid_reissue_until: before.date,
        reading: Reading::of(before.missing_day),
    })
}

/// Where `today` falls for a certificate: the three cases every answer starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Before the window: renewing now would be a paid re-issue (R12).
    BeforeWindow,
    /// Inside the window: free renewal, notice or not (R12, R17).
    InWindow,
    /// The day after the expiry or later: a new certificate, up to the card's own expiry (R15).
    AfterExpiry,
}

/// The stage of `today` for `window`. The expiry date is still valid: after expiry starts the
/// next day.
pub fn stage(window: &Window, today: NaiveDate) -> Stage {
    if today > window.closes {
        Stage::AfterExpiry
    } else if today >= window.opens {
        Stage::InWindow
    } else {
        Stage::BeforeWindow
    }
}

/// Days from `today` to `day`: positive ahead, zero today, negative past.
pub fn days_between(today: NaiveDate, day: NaiveDate) -> i64 {
    (day - today).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("valid test date")
    }

    fn window(expires: &str) -> Window {
        free_window(date(expires)).expect("in range")
    }

    #[test]
    fn the_citys_example_expiry_on_7_july_opens_the_free_window_on_8_april() {
        let w = window("2027-07-07");
        assert_eq!(w.opens, date("2027-04-08"));
        assert_eq!(
            w.paid_reissue_until,
            date("2027-04-07"),
            "paid re-issue until 7 April"
        );
        assert_eq!(w.closes, date("2027-07-07"));
        assert_eq!(w.reading, Reading::Literal);
    }

    #[test]
    fn a_leap_day_expiry_opens_the_day_after_the_29th_of_november() {
        let w = window("2028-02-29");
        assert_eq!(w.opens, date("2027-11-30"));
        assert_eq!(w.reading, Reading::Literal);
    }

    #[test]
    fn an_expiry_on_30_november_opens_on_31_august_not_on_1_september() {
        let w = window("2027-11-30");
        assert_eq!(w.opens, date("2027-08-31"));
        assert_eq!(w.reading, Reading::Literal);
    }

    #[test]
    fn an_expiry_whose_day_is_missing_three_months_earlier_opens_on_the_1st_as_our_reading() {
        // No 31 February: February's last day stands in, the window opens on 1 March.
        let common = window("2027-05-31");
        assert_eq!(common.opens, date("2027-03-01"));
        assert_eq!(common.paid_reissue_until, date("2027-02-28"));
        assert_eq!(common.reading, Reading::MonthEnd);
        // In a leap year February has a 29th, so 31 May still lacks its day but the 29th of
        // May does not.
        let leap = window("2028-05-31");
        assert_eq!(leap.opens, date("2028-03-01"));
        assert_eq!(leap.paid_reissue_until, date("2028-02-29"));
        assert_eq!(leap.reading, Reading::MonthEnd);
        let leap_29 = window("2028-05-29");
        assert_eq!(leap_29.opens, date("2028-03-01"));
        assert_eq!(leap_29.reading, Reading::Literal);
        let common_29 = window("2027-05-29");
        assert_eq!(common_29.opens, date("2027-03-01"));
        assert_eq!(common_29.reading, Reading::MonthEnd);
        // No 31 April either.
        let july = window("2027-07-31");
        assert_eq!(july.opens, date("2027-05-01"));
        assert_eq!(july.reading, Reading::MonthEnd);
    }

    #[test]
    fn a_window_in_january_opens_in_the_previous_year() {
        assert_eq!(window("2027-01-15").opens, date("2026-10-16"));
        assert_eq!(window("2027-03-31").opens, date("2027-01-01"));
    }

    #[test]
    fn the_stage_turns_in_window_on_the_opening_day_and_after_expiry_the_day_after_it() {
        let w = window("2027-07-07");
        assert_eq!(stage(&w, date("2027-04-07")), Stage::BeforeWindow);
        assert_eq!(stage(&w, date("2027-04-08")), Stage::InWindow);
        assert_eq!(
            stage(&w, date("2027-07-07")),
            Stage::InWindow,
            "the last valid day"
        );
        assert_eq!(stage(&w, date("2027-07-08")), Stage::AfterExpiry);
    }

    #[test]
    fn days_until_the_window_are_the_opening_day_minus_today() {
        let w = window("2027-07-07");
        assert_eq!(days_between(date("2027-03-01"), w.opens), 38);
        assert_eq!(days_between(date("2027-04-08"), w.opens), 0);
        assert_eq!(days_between(date("2027-04-10"), w.opens), -2);
    }
}
