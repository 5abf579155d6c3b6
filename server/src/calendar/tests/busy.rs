//! Known busier days on dates whose calendar is known by hand: a Monday, the days after a
//! national holiday, a substitute holiday, Golden Week and the year-end closure, the last open
//! days of a month, March and April, a configured closure, and closed days (never flagged).

use chrono::NaiveDate;

use super::support::{MAIN_OFFICE_TOML, main_office, schedule};
use crate::calendar::busy_reasons;
use crate::protocol::BusyReason::{self, *};

fn reasons(date: &str) -> Vec<BusyReason> {
    let date: NaiveDate = date.parse().expect("date");
    busy_reasons(&main_office(), date)
}

#[test]
fn an_ordinary_tuesday_mid_month_has_no_reason() {
    assert_eq!(reasons("2026-12-01"), []);
    assert_eq!(reasons("2026-11-25"), [], "three open days still follow it");
}

#[test]
fn the_day_after_a_national_holiday_on_a_monday_is_flagged_but_is_no_monday() {
    // 2026-11-23 (Mon) is 勤労感謝の日.
    assert_eq!(reasons("2026-11-24"), [AfterHoliday]);
}

#[test]
fn a_monday_after_an_ordinary_weekend_is_only_a_monday() {
    assert_eq!(reasons("2026-12-07"), [Monday]);
}

#[test]
fn the_last_three_open_days_of_a_month_are_its_end() {
    // November 2026 ends on Monday the 30th; the 26th, 27th and 30th are its last open days.
    assert_eq!(reasons("2026-11-26"), [MonthEnd]);
    assert_eq!(reasons("2026-11-27"), [MonthEnd]);
    assert_eq!(reasons("2026-11-30"), [Monday, MonthEnd]);
    // December closes from the 29th: the 24th, 25th and 28th are its last open days.
    assert_eq!(reasons("2026-12-24"), [MonthEnd]);
    assert_eq!(reasons("2026-12-28"), [Monday, MonthEnd]);
    assert_eq!(reasons("2026-12-23"), []);
}

#[test]
fn the_first_day_after_the_year_end_closure_and_golden_week_follows_a_holiday() {
    assert_eq!(reasons("2027-01-04"), [Monday, AfterHoliday]);
    // 2026-05-03…06: Constitution Day (Sun), Greenery Day, Children's Day, substitute holiday.
    assert_eq!(reasons("2026-05-07"), [AfterHoliday]);
}

#[test]
fn march_and_april_are_flagged_and_combine_with_the_other_reasons() {
    assert_eq!(reasons("2027-03-10"), [MarchApril]);
    // 2027-03-21 (Sun) is the vernal equinox: Monday the 22nd is its substitute holiday.
    assert_eq!(reasons("2027-03-23"), [AfterHoliday, MarchApril]);
    assert_eq!(reasons("2027-03-31"), [MonthEnd, MarchApril]);
    assert_eq!(reasons("2027-05-10"), [Monday]);
}

#[test]
fn closed_days_carry_no_reason() {
    assert_eq!(reasons("2026-11-23"), [], "a holiday");
    assert_eq!(reasons("2026-12-05"), [], "a Saturday");
    assert_eq!(reasons("2026-12-30"), [], "the year-end closure");
}

#[test]
fn a_configured_closure_sends_its_visitors_to_the_next_open_day() {
    let closed_wednesday = schedule(&format!(
        "{MAIN_OFFICE_TOML}\n[[special_days]]\ndate = \"2026-12-09\"\nreason_ja = \"庁舎の点検\"\nreason_en = \"inspection\"\n"
    ));
    let thursday: NaiveDate = "2026-12-10".parse().expect("date");
    assert_eq!(busy_reasons(&closed_wednesday, thursday), [AfterHoliday]);
}
