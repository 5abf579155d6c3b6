//! Each rule of the holiday law (domain R3), proved with concrete dates.

use chrono::{Datelike, NaiveDate, Weekday};

use super::support::date;
use crate::calendar::holidays::{autumnal_equinox_day, vernal_equinox_day};
use crate::calendar::{HolidayKind, holiday_line, holidays_in_year, national_holiday};

fn name(y: i32, m: u32, d: u32) -> Option<&'static str> {
    national_holiday(date(y, m, d)).map(|h| h.name_ja)
}

fn kind(y: i32, m: u32, d: u32) -> Option<HolidayKind> {
    national_holiday(date(y, m, d)).map(|h| h.kind)
}

fn lines(year: i32) -> Vec<String> {
    holidays_in_year(year)
        .iter()
        .map(|(d, h)| holiday_line(*d, h))
        .collect()
}

#[test]
fn cabinet_office_lists_2025_to_2027_match_exactly() {
    let expected: Vec<&str> = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/holidays-2025-2027.tsv"
    ))
    .lines()
    .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    .collect();
    let actual: Vec<String> = (2025..=2027).flat_map(lines).collect();
    assert_eq!(actual, expected, "domain R3: Cabinet Office list");
}

#[test]
fn holidays_of_1955_are_the_nine_of_the_1948_law() {
    let expected = [
        "1955-01-01\t元日",
        "1955-01-15\t成人の日",
        "1955-03-21\t春分の日",
        "1955-04-29\t天皇誕生日",
        "1955-05-03\t憲法記念日",
        "1955-05-05\tこどもの日",
        "1955-09-24\t秋分の日",
        "1955-11-03\t文化の日",
        "1955-11-23\t勤労感謝の日",
    ];
    assert_eq!(lines(1955), expected);
}

#[test]
fn no_holidays_are_claimed_outside_1955_to_2099() {
    assert!(holidays_in_year(1954).is_empty());
    assert!(holidays_in_year(2100).is_empty());
    assert_eq!(national_holiday(date(1954, 1, 1)), None);
    assert_eq!(national_holiday(date(2100, 1, 1)), None);
    assert_eq!(name(2099, 12, 23), None);
}

#[test]
fn holidays_are_sorted_unique_and_complete_every_year() {
    for year in 1955..=2099 {
        let days = holidays_in_year(year);
        assert!(days.windows(2).all(|w| w[0].0 < w[1].0), "{year}");
        assert!(days.iter().all(|(d, _)| d.year() == year), "{year}");
        assert!(days.len() >= 9, "{year}: {}", days.len());
        assert!(days.iter().all(|(d, h)| national_holiday(*d) == Some(*h)));
    }
}

#[test]
fn foundation_day_from_1967_and_aged_and_sports_days_from_1966() {
    assert_eq!(name(1966, 2, 11), None);
    assert_eq!(name(1967, 2, 11), Some("建国記念の日"));
    assert_eq!(name(1965, 9, 15), None);
    assert_eq!(name(1966, 9, 15), Some("敬老の日"));
    assert_eq!(name(1965, 10, 10), None);
    assert_eq!(name(1966, 10, 10), Some("体育の日"));
}

#[test]
fn coming_of_age_day_is_15_january_until_1999_then_second_monday() {
    assert_eq!(name(1999, 1, 15), Some("成人の日"));
    assert_eq!(name(2000, 1, 15), None);
    assert_eq!(name(2000, 1, 10), Some("成人の日"));
    assert_eq!(name(2026, 1, 12), Some("成人の日"));
}

#[test]
fn health_and_sports_day_is_10_october_until_1999_then_second_monday() {
    assert_eq!(name(1999, 10, 10), Some("体育の日"));
    assert_eq!(kind(1999, 10, 11), Some(HolidayKind::Substitute));
    assert_eq!(name(2000, 10, 10), None);
    assert_eq!(name(2000, 10, 9), Some("体育の日"));
    assert_eq!(name(2019, 10, 14), Some("体育の日"));
}

#[test]
fn sports_day_replaces_health_and_sports_day_from_2020() {
    assert_eq!(name(2022, 10, 10), Some("スポーツの日"));
    assert_eq!(
        national_holiday(date(2022, 10, 10)).map(|h| h.name_en),
        Some("Sports Day")
    );
    assert!(
        holidays_in_year(2019)
            .iter()
            .all(|(_, h)| h.name_ja != "スポーツの日")
    );
}

#[test]
fn marine_day_is_20_july_1996_to_2002_then_third_monday_from_2003() {
    assert_eq!(name(1995, 7, 20), None);
    assert_eq!(name(1996, 7, 20), Some("海の日"));
    assert_eq!(name(2002, 7, 20), Some("海の日"));
    assert_eq!(name(2003, 7, 20), None);
    assert_eq!(name(2003, 7, 21), Some("海の日"));
}

#[test]
fn respect_for_the_aged_day_is_15_september_until_2002_then_third_monday() {
    assert_eq!(name(2002, 9, 15), Some("敬老の日"));
    assert_eq!(kind(2002, 9, 16), Some(HolidayKind::Substitute));
    assert_eq!(name(2004, 9, 15), None);
    assert_eq!(name(2004, 9, 20), Some("敬老の日"));
}

#[test]
fn mountain_day_is_11_august_from_2016() {
    assert_eq!(name(2015, 8, 11), None);
    assert_eq!(name(2016, 8, 11), Some("山の日"));
    assert_eq!(name(2019, 8, 11), Some("山の日"));
    assert_eq!(kind(2019, 8, 12), Some(HolidayKind::Substitute));
}

#[test]
fn olympic_year_2020_moves_marine_sports_and_mountain_days() {
    assert_eq!(name(2020, 7, 23), Some("海の日"));
    assert_eq!(name(2020, 7, 24), Some("スポーツの日"));
    assert_eq!(name(2020, 8, 10), Some("山の日"));
    assert_eq!(name(2020, 7, 20), None);
    assert_eq!(name(2020, 8, 11), None);
    assert_eq!(name(2020, 10, 12), None);
}

#[test]
fn olympic_year_2021_moves_them_again_with_a_substitute_on_9_august() {
    assert_eq!(name(2021, 7, 22), Some("海の日"));
    assert_eq!(name(2021, 7, 23), Some("スポーツの日"));
    assert_eq!(name(2021, 8, 8), Some("山の日"));
    assert_eq!(date(2021, 8, 8).weekday(), Weekday::Sun);
    assert_eq!(name(2021, 8, 9), Some("振替休日"));
    assert_eq!(name(2021, 7, 19), None);
    assert_eq!(name(2021, 8, 11), None);
    assert_eq!(name(2021, 10, 11), None);
}

#[test]
fn april_29_is_emperors_birthday_then_greenery_day_then_showa_day() {
    assert_eq!(name(1988, 4, 29), Some("天皇誕生日"));
    assert_eq!(name(1989, 4, 29), Some("みどりの日"));
    assert_eq!(name(2006, 4, 29), Some("みどりの日"));
    assert_eq!(name(2007, 4, 29), Some("昭和の日"));
    assert_eq!(name(2007, 5, 4), Some("みどりの日"));
}

#[test]
fn emperors_birthday_is_23_december_1989_to_2018_none_in_2019_then_23_february() {
    assert_eq!(name(1988, 12, 23), None);
    assert_eq!(name(1989, 12, 23), Some("天皇誕生日"));
    assert_eq!(name(2018, 12, 23), Some("天皇誕生日"));
    assert!(
        holidays_in_year(2019)
            .iter()
            .all(|(_, h)| h.name_ja != "天皇誕生日")
    );
    assert_eq!(name(2020, 2, 23), Some("天皇誕生日"));
    assert_eq!(kind(2020, 2, 24), Some(HolidayKind::Substitute));
}

#[test]
fn equinox_formula_before_1980_truncates_its_negative_leap_term() {
    // Observed dates; flooring (Y-1983)/4 would give the next day for most.
    for (y, m, d) in [
        (1960, 3, 20),
        (1961, 3, 21),
        (1976, 3, 20),
        (1979, 3, 21),
        (1960, 9, 23),
        (1972, 9, 23),
        (1975, 9, 24),
        (1979, 9, 24),
    ] {
        let expected = if m == 3 {
            "春分の日"
        } else {
            "秋分の日"
        };
        assert_eq!(name(y, m, d), Some(expected), "{y}-{m}-{d}");
    }
}

#[test]
fn equinox_days_across_the_1979_1980_formula_boundary() {
    assert_eq!(vernal_equinox_day(1979), Some(21));
    assert_eq!(vernal_equinox_day(1980), Some(20));
    assert_eq!(autumnal_equinox_day(1979), Some(24));
    assert_eq!(autumnal_equinox_day(1980), Some(23));
    assert_eq!(vernal_equinox_day(2100), None);
}

#[test]
fn equinox_days_match_published_dates_up_to_2099() {
    assert_eq!(name(2012, 9, 22), Some("秋分の日"));
    assert_eq!(name(2024, 3, 20), Some("春分の日"));
    assert_eq!(name(2024, 9, 22), Some("秋分の日"));
    assert_eq!(name(2027, 3, 21), Some("春分の日"));
    assert_eq!(name(2099, 3, 20), Some("春分の日"));
    assert_eq!(name(2099, 9, 23), Some("秋分の日"));
}

#[test]
fn substitute_holiday_exists_from_1973_04_12_the_first_being_1973_04_30() {
    assert_eq!(date(1973, 2, 11).weekday(), Weekday::Sun);
    assert_eq!(name(1973, 2, 12), None);
    assert_eq!(date(1973, 4, 29).weekday(), Weekday::Sun);
    assert_eq!(name(1973, 4, 30), Some("振替休日"));
    let s = national_holiday(date(1973, 4, 30));
    assert_eq!(s.map(|h| h.name_en), Some("Substitute Holiday"));
}

#[test]
fn substitute_holiday_until_2006_is_the_monday_after_a_sunday_holiday() {
    assert_eq!(date(1987, 5, 3).weekday(), Weekday::Sun);
    // A substitute, not a citizens' holiday, although it lies between two holidays.
    assert_eq!(kind(1987, 5, 4), Some(HolidayKind::Substitute));
    assert_eq!(kind(1999, 3, 22), Some(HolidayKind::Substitute));
}

#[test]
fn substitute_holiday_from_2007_skips_to_first_non_holiday() {
    assert_eq!(date(2008, 5, 4).weekday(), Weekday::Sun);
    assert_eq!(name(2008, 5, 5), Some("こどもの日"));
    assert_eq!(name(2008, 5, 6), Some("振替休日"));
    assert_eq!(date(2009, 5, 3).weekday(), Weekday::Sun);
    assert_eq!(name(2009, 5, 6), Some("振替休日"));
    assert_eq!(name(2025, 5, 6), Some("振替休日"));
}

#[test]
fn citizens_holiday_first_fell_on_1988_05_04() {
    assert_eq!(name(1985, 5, 4), None); // before the 1985-12-27 law
    assert_eq!(name(1986, 5, 4), None); // a Sunday
    assert_eq!(kind(1987, 5, 4), Some(HolidayKind::Substitute));
    assert_eq!(name(1988, 5, 4), Some("国民の休日"));
    let c = national_holiday(date(1988, 5, 4));
    assert_eq!(c.map(|h| h.name_en), Some("Citizens' Holiday"));
}

#[test]
fn citizens_holiday_counts_saturdays_but_not_sundays_until_2006() {
    assert_eq!(date(1991, 5, 4).weekday(), Weekday::Sat);
    assert_eq!(name(1991, 5, 4), Some("国民の休日"));
    assert_eq!(date(1997, 5, 4).weekday(), Weekday::Sun);
    assert_eq!(name(1997, 5, 4), None);
}

#[test]
fn citizens_holiday_between_respect_for_aged_and_equinox_days() {
    for (y, d) in [(2009, 22), (2015, 22), (2026, 22), (2032, 21), (2099, 22)] {
        assert_eq!(name(y, 9, d), Some("国民の休日"), "{y}-09-{d}");
    }
    assert_eq!(name(2020, 9, 21), Some("敬老の日"));
    assert_eq!(name(2020, 9, 22), Some("秋分の日"));
}

#[test]
fn special_law_one_off_holidays() {
    for (y, m, d, n) in [
        (1959, 4, 10, "皇太子明仁親王の結婚の儀"),
        (1989, 2, 24, "昭和天皇の大喪の礼"),
        (1990, 11, 12, "即位礼正殿の儀"),
        (1993, 6, 9, "皇太子徳仁親王の結婚の儀"),
        (2019, 5, 1, "天皇の即位の日"),
        (2019, 10, 22, "即位礼正殿の儀"),
    ] {
        assert_eq!(name(y, m, d), Some(n));
        assert_eq!(kind(y, m, d), Some(HolidayKind::SpecialLaw));
    }
}

#[test]
fn special_law_days_count_as_national_holidays_for_citizens_and_substitute_rules() {
    assert_eq!(name(2019, 4, 30), Some("国民の休日"));
    assert_eq!(name(2019, 5, 2), Some("国民の休日"));
    assert_eq!(name(2019, 5, 6), Some("振替休日"));
    let golden_week: Vec<NaiveDate> = holidays_in_year(2019)
        .into_iter()
        .map(|(d, _)| d)
        .filter(|d| *d >= date(2019, 4, 29) && *d <= date(2019, 5, 6))
        .collect();
    assert_eq!(golden_week.len(), 8);
}

#[test]
fn holiday_line_is_date_tab_japanese_name() {
    assert_eq!(lines(2026)[0], "2026-01-01\t元日");
    assert!(lines(2026).iter().all(|l| l.matches('\t').count() == 1));
}

/// The equinox days 1955–2099 as the observatory's tables show them: in
/// four-year cycles whose dates step back one day at known years. An
/// independent statement of the same facts as the formula.
#[test]
fn equinox_days_follow_the_published_four_year_cycles() {
    for y in 1955..=2099 {
        let vernal = match y % 4 {
            0 if y <= 1956 => 21,
            1 if y <= 1989 => 21,
            2 if y <= 2022 => 21,
            3 if y <= 2055 => 21,
            0 if y >= 2092 => 19,
            _ => 20,
        };
        let autumnal = match y % 4 {
            3 if y <= 1979 => 24,
            0 if y >= 2012 => 22,
            1 if y >= 2045 => 22,
            2 if y >= 2078 => 22,
            _ => 23,
        };
        assert_eq!(vernal_equinox_day(y), Some(vernal), "vernal {y}");
        assert_eq!(autumnal_equinox_day(y), Some(autumnal), "autumnal {y}");
    }
}
