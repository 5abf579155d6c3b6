//! Configuration (serde, validation), day plans and their text lines.

use chrono::NaiveTime;

use super::support::{MAIN_OFFICE_TOML, citizen_center, date, main_office, schedule};
use crate::calendar::{
    ClosureReason, DayHours, Schedule, calendar_line, day_plan, national_holiday, open_days,
};

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid test time")
}

fn with_special_days(special: &str) -> Schedule {
    schedule(&format!("{MAIN_OFFICE_TOML}\n{special}"))
}

const SATURDAY_OPENING: &str = r#"
[[special_days]]
date = "2026-12-05"
hours = { opens = "09:00", closes = "12:00", last_ticket = "11:30" }
reason_ja = "マイナンバーカード休日窓口"
reason_en = "My Number Saturday opening"
"#;

#[test]
fn day_hours_read_and_write_hh_mm() {
    let h: DayHours = toml::from_str(
        r#"opens = "09:00"
closes = "17:45"
last_ticket = "17:30""#,
    )
    .expect("parses");
    assert_eq!(h.opens, time(9, 0));
    assert_eq!(h.last_ticket, Some(time(17, 30)));
    let json = serde_json::to_string(&h).expect("serializes");
    assert_eq!(
        json,
        r#"{"opens":"09:00","closes":"17:45","last_ticket":"17:30"}"#
    );
    let no_last: DayHours = serde_json::from_str(r#"{"opens":"8:30","closes":"17:15"}"#)
        .expect("parses without last_ticket");
    assert_eq!(no_last.last_ticket, None);
    assert_eq!(
        serde_json::to_string(&no_last).ok().as_deref(),
        Some(r#"{"opens":"08:30","closes":"17:15"}"#)
    );
}

#[test]
fn day_hours_refuse_malformed_times_and_unknown_keys() {
    assert!(serde_json::from_str::<DayHours>(r#"{"opens":"9","closes":"17:45"}"#).is_err());
    assert!(serde_json::from_str::<DayHours>(r#"{"opens":"25:00","closes":"17:45"}"#).is_err());
    assert!(serde_json::from_str::<DayHours>(r#"{"opens":"09:00","close":"17:45"}"#).is_err());
    let typo =
        toml::from_str::<Schedule>("[weekly]\nthur = { opens = \"09:00\", closes = \"17:45\" }");
    assert!(
        typo.is_err(),
        "a misspelt weekday must not silently close the office"
    );
}

#[test]
fn schedule_round_trips_through_toml() {
    let s = with_special_days(SATURDAY_OPENING);
    let text = toml::to_string(&s).expect("serializes");
    let back: Schedule = toml::from_str(&text).expect("parses back");
    assert_eq!(back, s);
    assert_eq!(s.weekly.sat, None);
    assert_eq!(s.special_days.len(), 1);
}

#[test]
fn validate_refuses_opening_not_before_closing() {
    let s = schedule(MAIN_OFFICE_TOML);
    let mut bad = s.clone();
    bad.weekly.wed = Some(DayHours {
        opens: time(17, 45),
        closes: time(9, 0),
        last_ticket: None,
    });
    let err = bad.validate().expect_err("refused");
    assert_eq!(err.key, "weekly.wed");
    assert!(
        err.to_string()
            .contains("opens 17:45 must be before closes 09:00"),
        "{err}"
    );
}

#[test]
fn validate_refuses_last_ticket_outside_opening_hours() {
    let mut bad = main_office();
    let h = |last| {
        Some(DayHours {
            opens: time(9, 0),
            closes: time(17, 45),
            last_ticket: Some(last),
        })
    };
    bad.weekly.fri = h(time(9, 0));
    assert_eq!(
        bad.validate().map_err(|e| e.key),
        Err("weekly.fri".to_owned())
    );
    bad.weekly.fri = h(time(17, 46));
    assert!(bad.validate().is_err());
    bad.weekly.fri = h(time(17, 45));
    assert_eq!(bad.validate(), Ok(()));
}

#[test]
fn validate_refuses_duplicate_special_dates_and_empty_reasons() {
    let dup = format!(
        "{SATURDAY_OPENING}{}",
        SATURDAY_OPENING.replace("09:00", "10:00")
    );
    let s: Schedule = toml::from_str(&format!("{MAIN_OFFICE_TOML}{dup}")).expect("parses");
    let err = s.validate().expect_err("duplicate refused");
    assert_eq!(err.key, "special_days[1].date");
    assert!(err.reason.contains("2026-12-05") && err.reason.contains("special_days[0]"));

    let empty = SATURDAY_OPENING.replace("My Number Saturday opening", " ");
    let s: Schedule = toml::from_str(&format!("{MAIN_OFFICE_TOML}{empty}")).expect("parses");
    assert_eq!(
        s.validate().map_err(|e| e.key),
        Err("special_days[0].reason_en".to_owned())
    );
}

#[test]
fn weekdays_follow_the_office_hours_brief_r1_r2() {
    let plan = day_plan(&main_office(), date(2026, 12, 21));
    assert_eq!(
        plan.hours.map(|h| (h.opens, h.closes)),
        Some((time(9, 0), time(17, 45)))
    );
    let plan = day_plan(&citizen_center(), date(2026, 12, 21));
    assert_eq!(
        plan.hours.map(|h| (h.opens, h.closes)),
        Some((time(8, 30), time(17, 15)))
    );
}

#[test]
fn weekends_without_hours_are_closed_and_weekdays_without_hours_say_so() {
    let mut s = main_office();
    assert_eq!(
        day_plan(&s, date(2026, 12, 5)).closure,
        Some(ClosureReason::Weekend)
    );
    assert_eq!(
        day_plan(&s, date(2026, 12, 6)).closure,
        Some(ClosureReason::Weekend)
    );
    s.weekly.wed = None;
    assert_eq!(
        day_plan(&s, date(2026, 12, 2)).closure,
        Some(ClosureReason::NoHours)
    );
}

#[test]
fn year_end_closure_is_29_december_to_3_january_brief_r3() {
    let s = main_office();
    for d in [
        date(2026, 12, 29),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 3),
    ] {
        assert_eq!(day_plan(&s, d).closure, Some(ClosureReason::YearEnd), "{d}");
    }
    assert!(day_plan(&s, date(2026, 12, 28)).is_open());
    assert!(day_plan(&s, date(2027, 1, 4)).is_open());
}

#[test]
fn holidays_close_the_office_brief_r3() {
    let plan = day_plan(&main_office(), date(2026, 11, 23));
    let holiday = national_holiday(date(2026, 11, 23)).expect("勤労感謝の日");
    assert_eq!(plan.closure, Some(ClosureReason::Holiday(holiday)));
    assert_eq!(plan.hours, None);
}

#[test]
fn special_closure_overrides_an_open_weekday() {
    let s = with_special_days(
        "[[special_days]]\ndate = \"2026-12-02\"\nreason_ja = \"システム停止\"\nreason_en = \"System outage\"\n",
    );
    let plan = day_plan(&s, date(2026, 12, 2));
    assert_eq!(plan.hours, None);
    assert!(matches!(plan.closure, Some(ClosureReason::Special { .. })));
    assert_eq!(calendar_line(&plan), "2026-12-02（水）閉庁 システム停止");
}

#[test]
fn special_opening_overrides_a_saturday_a_holiday_and_the_year_end() {
    let mut special = String::new();
    for d in ["2026-12-05", "2026-11-23", "2026-12-29"] {
        special.push_str(&SATURDAY_OPENING.replace("2026-12-05", d));
    }
    let s = with_special_days(&special);
    for d in [date(2026, 12, 5), date(2026, 11, 23), date(2026, 12, 29)] {
        let plan = day_plan(&s, d);
        assert!(plan.is_open() && plan.closure.is_none(), "{d}");
        assert_eq!(
            plan.special_reason.as_ref().map(|r| r.1.as_str()),
            Some("My Number Saturday opening")
        );
    }
}

#[test]
fn open_days_lists_every_date_inclusive_with_exactly_one_of_hours_or_closure() {
    let plans = open_days(&main_office(), date(2026, 12, 25), date(2027, 1, 5));
    assert_eq!(plans.len(), 12);
    assert_eq!(plans.first().map(|p| p.date), Some(date(2026, 12, 25)));
    assert_eq!(plans.last().map(|p| p.date), Some(date(2027, 1, 5)));
    assert!(
        plans
            .iter()
            .all(|p| p.hours.is_some() != p.closure.is_some())
    );
    assert!(open_days(&main_office(), date(2026, 1, 2), date(2026, 1, 1)).is_empty());
}

#[test]
fn calendar_lines_show_hours_last_ticket_and_closures() {
    let s = main_office();
    assert_eq!(
        calendar_line(&day_plan(&s, date(2026, 12, 21))),
        "2026-12-21（月）9:00～17:45"
    );
    assert_eq!(
        calendar_line(&day_plan(&s, date(2026, 12, 29))),
        "2026-12-29（火）閉庁 年末年始"
    );
    assert_eq!(
        calendar_line(&day_plan(&s, date(2026, 12, 26))),
        "2026-12-26（土）閉庁 土曜日・日曜日"
    );
    assert_eq!(
        calendar_line(&day_plan(&s, date(2026, 11, 23))),
        "2026-11-23（月）閉庁 祝日（勤労感謝の日）"
    );
    let special = with_special_days(SATURDAY_OPENING);
    assert_eq!(
        calendar_line(&day_plan(&special, date(2026, 12, 5))),
        "2026-12-05（土）9:00～12:00（発券は11:30まで） 特別開庁（マイナンバーカード休日窓口）"
    );
}

#[test]
fn closure_reasons_have_texts_and_stable_codes() {
    let holiday = ClosureReason::Holiday(national_holiday(date(2026, 11, 23)).expect("holiday"));
    assert_eq!(holiday.text_ja(), "祝日（勤労感謝の日）");
    assert_eq!(
        holiday.text_en(),
        "National holiday (Labor Thanksgiving Day)"
    );
    let substitute = ClosureReason::Holiday(national_holiday(date(2026, 5, 6)).expect("振替"));
    assert_eq!(substitute.text_ja(), "振替休日");
    assert_eq!(ClosureReason::YearEnd.text_ja(), "年末年始");
    assert_eq!(ClosureReason::Weekend.text_ja(), "土曜日・日曜日");
    let codes: Vec<&str> = [
        ClosureReason::Weekend,
        holiday,
        ClosureReason::YearEnd,
        ClosureReason::Special {
            reason_ja: "点検".into(),
            reason_en: "Inspection".into(),
        },
        ClosureReason::NoHours,
    ]
    .iter()
    .map(|c| crate::wire::closure_reason(c).as_str())
    .collect();
    assert_eq!(
        codes,
        ["weekend", "holiday", "year_end", "special", "no_hours"]
    );
}
