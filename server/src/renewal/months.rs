//! Month arithmetic as the city's page counts it: "three months before 7 July" is 7 April, the
//! day with the same number three months away.
//!
//! Only one case is not settled by that wording: a day number the other month lacks (31 May →
//! there is no 31 February). chrono's `Months` arithmetic silently clamps it to the month's last
//! day; we do the same, but say so ([`Shifted::missing_day`]) so that every answer built on such
//! a date can tell the visitor it rests on our reading (see `docs/renewal.md`).

use chrono::{Datelike, Months, NaiveDate};

/// A date moved by whole months, and whether its day number had to give way to the month end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shifted {
    /// The day with the same number `months` away, or that month's last day when it has none.
    pub date: NaiveDate,
    /// True when the target month has no day with `from`'s number (31 May − 3 months).
    pub missing_day: bool,
}

/// `from` moved by `months` (negative: earlier), keeping the day number; `None` only beyond
/// chrono's calendar. A missing day number becomes the month's last day and is flagged.
pub fn same_day_months_away(from: NaiveDate, months: i32) -> Option<Shifted> {
    let step = Months::new(months.unsigned_abs());
    let clamped = if months >= 0 {
        from.checked_add_months(step)?
    } else {
        from.checked_sub_months(step)?
    };
    // chrono keeps the day number whenever the target month has it, and clamps otherwise:
    // a changed day number is exactly the "no same-numbered day" case.
    Some(Shifted {
        date: clamped,
        missing_day: clamped.day() != from.day(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn three_months_before_the_seventh_of_july_is_the_seventh_of_april() {
        let shifted = same_day_months_away(date(2027, 7, 7), -3).expect("in range");
        assert_eq!(shifted.date, date(2027, 4, 7));
        assert!(!shifted.missing_day);
    }

    #[test]
    fn a_day_number_the_month_lacks_gives_its_last_day_and_is_flagged() {
        let shifted = same_day_months_away(date(2027, 5, 31), -3).expect("in range");
        assert_eq!(shifted.date, date(2027, 2, 28));
        assert!(shifted.missing_day);
        let leap = same_day_months_away(date(2028, 5, 31), -3).expect("in range");
        assert_eq!(leap.date, date(2028, 2, 29));
        assert!(leap.missing_day);
        let forward = same_day_months_away(date(2027, 11, 30), 3).expect("in range");
        assert_eq!(forward.date, date(2028, 2, 29), "2028 is a leap year");
        assert!(forward.missing_day);
    }

    #[test]
    fn month_ends_that_exist_in_the_other_month_are_kept_literally() {
        // The 29th of February 2028 three months back is the 29th of November 2027, not the
        // 30th (the last day of November): the day number wins, not "the month end".
        let leap_day = same_day_months_away(date(2028, 2, 29), -3).expect("in range");
        assert_eq!(leap_day.date, date(2027, 11, 29));
        assert!(!leap_day.missing_day);
        let november = same_day_months_away(date(2027, 11, 30), -3).expect("in range");
        assert_eq!(november.date, date(2027, 8, 30));
        assert!(!november.missing_day);
    }

    #[test]
    fn moving_across_a_year_boundary_changes_the_year() {
        let shifted = same_day_months_away(date(2027, 2, 15), -3).expect("in range");
        assert_eq!(shifted.date, date(2026, 11, 15));
        let forward = same_day_months_away(date(2027, 11, 15), 3).expect("in range");
        assert_eq!(forward.date, date(2028, 2, 15));
    }

    #[test]
    fn every_day_of_a_leap_and_a_common_year_is_flagged_exactly_when_its_number_is_missing() {
        for year in [2027, 2028] {
            let mut day = date(year, 1, 1);
            while day.year() == year {
                for months in [-3, -2, 3] {
                    let shifted = same_day_months_away(day, months).expect("in range");
                    let exists = shifted.date.with_day(day.day()).is_some();
                    assert_eq!(shifted.missing_day, !exists, "{day} {months:+}");
                    if !shifted.missing_day {
                        assert_eq!(shifted.date.day(), day.day(), "{day} {months:+}");
                    }
                }
                day = day.succ_opt().expect("next day");
            }
        }
    }
}
