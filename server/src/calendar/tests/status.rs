//! Status at the second: opening, last ticket, closing, Tokyo midnight, and
//! the refusal texts built from them (domain R1–R4).

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Tokyo;

use super::support::{
    MAIN_OFFICE_TOML, citizen_center, date, jst, main_office, main_office_with_last_ticket,
    schedule,
};
use crate::calendar::{
    ClosureReason, Phase, Schedule, business_date, next_transition_after, status,
};

fn phase(s: &Schedule, at: DateTime<Utc>) -> Phase {
    status(s, at).phase
}

fn next_opening(s: &Schedule, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    status(s, at).next_opening.map(|t| t.with_timezone(&Utc))
}

fn special(extra: &str) -> Schedule {
    schedule(&format!("{MAIN_OFFICE_TOML}\n{extra}"))
}

const SATURDAY_AND_HOLIDAY_OPENINGS: &str = r#"
[[special_days]]
date = "2026-12-05"
hours = { opens = "09:00", closes = "12:00", last_ticket = "11:30" }
reason_ja = "マイナンバーカード休日窓口"
reason_en = "My Number Saturday opening"

[[special_days]]
date = "2026-11-23"
hours = { opens = "10:00", closes = "15:00" }
reason_ja = "マイナンバーカード休日窓口"
reason_en = "My Number holiday opening"
"#;

const OUTAGE: &str = r#"
[[special_days]]
date = "2026-12-02"
reason_ja = "システム停止"
reason_en = "a system outage"
"#;

#[test]
fn main_office_opens_at_9_00_00_and_closes_at_17_45_00_brief_r1() {
    let s = main_office();
    assert_eq!(
        phase(&s, jst(2026, 12, 21, 8, 59, 59)),
        Phase::BeforeOpening
    );
    assert_eq!(phase(&s, jst(2026, 12, 21, 9, 0, 0)), Phase::Open);
    assert_eq!(phase(&s, jst(2026, 12, 21, 17, 44, 59)), Phase::Open);
    assert_eq!(
        phase(&s, jst(2026, 12, 21, 17, 45, 0)),
        Phase::ClosedForTheDay
    );
    assert!(status(&s, jst(2026, 12, 21, 9, 0, 0)).accepts_tickets());
    assert!(!status(&s, jst(2026, 12, 21, 17, 45, 0)).accepts_tickets());
}

#[test]
fn citizen_center_opens_at_8_30_and_closes_at_17_15_brief_r2() {
    let s = citizen_center();
    assert_eq!(
        phase(&s, jst(2026, 12, 21, 8, 29, 59)),
        Phase::BeforeOpening
    );
    assert_eq!(phase(&s, jst(2026, 12, 21, 8, 30, 0)), Phase::Open);
    assert_eq!(phase(&s, jst(2026, 12, 21, 17, 14, 59)), Phase::Open);
    assert_eq!(
        phase(&s, jst(2026, 12, 21, 17, 15, 0)),
        Phase::ClosedForTheDay
    );
}

#[test]
fn reception_closes_at_the_last_ticket_time_but_the_day_goes_on_until_closing() {
    let s = main_office_with_last_ticket();
    assert_eq!(phase(&s, jst(2026, 12, 21, 17, 29, 59)), Phase::Open);
    assert_eq!(
        phase(&s, jst(2026, 12, 21, 17, 30, 0)),
        Phase::ReceptionClosed
    );
    assert_eq!(
        phase(&s, jst(2026, 12, 21, 17, 44, 59)),
        Phase::ReceptionClosed
    );
    assert_eq!(
        phase(&s, jst(2026, 12, 21, 17, 45, 0)),
        Phase::ClosedForTheDay
    );
}

#[test]
fn next_opening_is_today_before_opening_and_the_next_open_day_after() {
    let s = main_office();
    assert_eq!(
        next_opening(&s, jst(2026, 12, 21, 8, 59, 59)),
        Some(jst(2026, 12, 21, 9, 0, 0))
    );
    assert_eq!(
        next_opening(&s, jst(2026, 12, 21, 9, 0, 0)),
        Some(jst(2026, 12, 22, 9, 0, 0))
    );
    // Friday evening → Monday morning.
    assert_eq!(
        next_opening(&s, jst(2026, 12, 18, 17, 45, 0)),
        Some(jst(2026, 12, 21, 9, 0, 0))
    );
    let st = status(&s, jst(2026, 12, 21, 8, 0, 0));
    assert_eq!(st.next_opening.map(|t| t.timezone()), Some(Tokyo));
}

#[test]
fn business_date_turns_at_tokyo_midnight_which_is_15_00_utc_brief_r4() {
    let before = jst(2026, 12, 21, 23, 59, 59);
    let midnight = jst(2026, 12, 22, 0, 0, 0);
    assert_eq!(midnight.to_rfc3339(), "2026-12-21T15:00:00+00:00");
    assert_eq!(business_date(before), date(2026, 12, 21));
    assert_eq!(business_date(midnight), date(2026, 12, 22));
    let s = main_office();
    assert_eq!(phase(&s, before), Phase::ClosedForTheDay);
    assert_eq!(phase(&s, midnight), Phase::BeforeOpening);
    // Friday 23:59:59 is an open day's evening; one second later, a closed Saturday.
    assert_eq!(
        phase(&s, jst(2026, 12, 25, 23, 59, 59)),
        Phase::ClosedForTheDay
    );
    assert_eq!(
        phase(&s, jst(2026, 12, 26, 0, 0, 0)),
        Phase::Closed(ClosureReason::Weekend)
    );
}

#[test]
fn year_end_closure_runs_from_29_december_to_3_january_brief_r3() {
    let s = main_office();
    assert_eq!(
        phase(&s, jst(2026, 12, 28, 23, 59, 59)),
        Phase::ClosedForTheDay
    );
    assert_eq!(
        phase(&s, jst(2026, 12, 29, 0, 0, 0)),
        Phase::Closed(ClosureReason::YearEnd)
    );
    assert_eq!(
        phase(&s, jst(2027, 1, 3, 23, 59, 59)),
        Phase::Closed(ClosureReason::YearEnd)
    );
    assert_eq!(phase(&s, jst(2027, 1, 4, 0, 0, 0)), Phase::BeforeOpening);
    let st = status(&s, jst(2026, 12, 29, 10, 0, 0));
    assert_eq!(
        st.next_opening.map(|t| t.with_timezone(&Utc)),
        Some(jst(2027, 1, 4, 9, 0, 0))
    );
    assert_eq!(
        st.refusal_ja(),
        "年末年始（12月29日～1月3日）は閉庁しています。次回の受付は1月4日（月）9:00からです。"
    );
    assert_eq!(
        st.refusal_en(),
        "Closed for the year-end holidays (29 Dec – 3 Jan). Reception reopens Mon 4 Jan 9:00."
    );
}

#[test]
fn holiday_refusal_names_the_holiday_and_the_next_opening() {
    let st = status(&main_office(), jst(2026, 11, 23, 10, 0, 0));
    assert!(!st.accepts_tickets());
    assert_eq!(
        st.refusal_ja(),
        "本日は祝日（勤労感謝の日）のため閉庁しています。次回の受付は11月24日（火）9:00からです。"
    );
    assert_eq!(
        st.refusal_en(),
        "Closed today: National holiday (Labor Thanksgiving Day). Reception reopens Tue 24 Nov 9:00."
    );
}

#[test]
fn refusals_before_opening_after_last_ticket_and_on_weekends() {
    let s = main_office_with_last_ticket();
    let before = status(&s, jst(2026, 12, 1, 8, 0, 0));
    assert_eq!(before.refusal_ja(), "本日の受付は9:00からです。");
    let past = status(&s, jst(2026, 12, 1, 17, 30, 0));
    assert_eq!(
        past.refusal_ja(),
        "本日の受付は終了しました。番号札をお持ちの方は順番にお呼びします。"
    );
    assert_eq!(
        past.refusal_en(),
        "Reception has closed for today. Everyone holding a ticket will be called in turn."
    );
    let saturday = status(&s, jst(2026, 12, 12, 9, 30, 0));
    assert_eq!(
        saturday.refusal_ja(),
        "土曜日・日曜日は閉庁日です。次回の受付は12月14日（月）9:00からです。"
    );
    assert_eq!(
        saturday.refusal_en(),
        "Closed today: Saturday. Reception reopens Mon 14 Dec 9:00."
    );
}

#[test]
fn special_closure_overrides_an_open_day_with_its_reason() {
    let s = special(OUTAGE);
    let st = status(&s, jst(2026, 12, 2, 10, 0, 0));
    assert_eq!(st.today, None);
    assert_eq!(
        st.refusal_ja(),
        "システム停止のため、本日は電子証明書の手続きを休止しています。次回の受付は12月3日（木）9:00からです。"
    );
    assert_eq!(
        st.refusal_en(),
        "Closed today: a system outage. Reception reopens Thu 3 Dec 9:00."
    );
    // The day before, the next opening skips the closed day.
    assert_eq!(
        next_opening(&s, jst(2026, 12, 1, 17, 45, 0)),
        Some(jst(2026, 12, 3, 9, 0, 0))
    );
}

#[test]
fn special_opening_overrides_a_saturday_with_its_own_hours() {
    let s = special(SATURDAY_AND_HOLIDAY_OPENINGS);
    assert_eq!(
        next_opening(&s, jst(2026, 12, 4, 17, 45, 0)),
        Some(jst(2026, 12, 5, 9, 0, 0))
    );
    assert_eq!(phase(&s, jst(2026, 12, 5, 8, 59, 59)), Phase::BeforeOpening);
    assert_eq!(phase(&s, jst(2026, 12, 5, 9, 0, 0)), Phase::Open);
    assert_eq!(phase(&s, jst(2026, 12, 5, 11, 29, 59)), Phase::Open);
    assert_eq!(
        phase(&s, jst(2026, 12, 5, 11, 30, 0)),
        Phase::ReceptionClosed
    );
    assert_eq!(
        phase(&s, jst(2026, 12, 5, 12, 0, 0)),
        Phase::ClosedForTheDay
    );
}

#[test]
fn special_opening_overrides_a_holiday() {
    let s = special(SATURDAY_AND_HOLIDAY_OPENINGS);
    assert_eq!(
        phase(&s, jst(2026, 11, 23, 9, 59, 59)),
        Phase::BeforeOpening
    );
    assert_eq!(phase(&s, jst(2026, 11, 23, 10, 0, 0)), Phase::Open);
    assert_eq!(
        phase(&s, jst(2026, 11, 23, 15, 0, 0)),
        Phase::ClosedForTheDay
    );
}

#[test]
fn no_next_opening_when_the_office_never_opens() {
    let st = status(&Schedule::default(), jst(2026, 12, 1, 10, 0, 0));
    assert_eq!(st.phase, Phase::Closed(ClosureReason::NoHours));
    assert_eq!(st.next_opening, None);
    assert_eq!(
        st.refusal_ja(),
        "本日は閉庁日です。次回の受付日は未定です。"
    );
}

#[test]
fn next_transition_walks_opening_last_ticket_closing_and_midnight() {
    let s = main_office_with_last_ticket();
    let mut at = jst(2026, 12, 21, 0, 0, 0);
    let mut seen = Vec::new();
    for _ in 0..5 {
        at = next_transition_after(&s, at);
        seen.push(at);
    }
    let expected = [
        jst(2026, 12, 21, 9, 0, 0),
        jst(2026, 12, 21, 17, 30, 0),
        jst(2026, 12, 21, 17, 45, 0),
        jst(2026, 12, 22, 0, 0, 0),
        jst(2026, 12, 22, 9, 0, 0),
    ];
    assert_eq!(seen, expected);
    // A closed day changes only at midnight.
    assert_eq!(
        next_transition_after(&s, jst(2026, 12, 26, 10, 0, 0)),
        jst(2026, 12, 27, 0, 0, 0)
    );
}
