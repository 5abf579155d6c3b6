//! Invariants over random dates and instants, 1955–2099.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;

use super::support::{
    CITIZEN_CENTER_TOML, citizen_center, date, jst, main_office, main_office_with_last_ticket,
    schedule,
};
use crate::calendar::{
    Phase, Schedule, business_date, day_plan, is_year_end, national_holiday, next_transition_after,
    status,
};

/// Weekly hours on all seven days, so that only holidays and the year-end can close.
fn every_day() -> Schedule {
    let mut text = CITIZEN_CENTER_TOML.to_owned();
    text.push_str("sat = { opens = \"10:00\", closes = \"16:00\", last_ticket = \"15:00\" }\n");
    text.push_str("sun = { opens = \"10:00\", closes = \"16:00\" }\n");
    schedule(&text)
}

fn schedules() -> Vec<Schedule> {
    vec![
        main_office(),
        citizen_center(),
        main_office_with_last_ticket(),
        every_day(),
    ]
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    let first = date(1955, 1, 1);
    let days = (date(2099, 12, 31) - first).num_days();
    (0..=days).prop_map(move |n| first + Duration::days(n))
}

fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    let first = jst(1955, 1, 1, 0, 0, 0);
    let span = (jst(2099, 12, 31, 23, 59, 59) - first).num_seconds();
    // Bias towards the seconds around opening, last ticket and closing.
    (0..=span, 0..1_000_000_000i64, prop::bool::ANY).prop_map(move |(s, nanos, round)| {
        let at = first + Duration::seconds(s);
        if round {
            at - Duration::seconds(s % 900)
        } else {
            at + Duration::nanoseconds(nanos)
        }
    })
}

proptest! {
    /// domain R3: without special days, no holiday and no year-end date is open.
    #[test]
    fn a_date_is_never_both_open_and_a_holiday(d in any_date()) {
        for s in schedules() {
            let plan = day_plan(&s, d);
            prop_assert!(plan.hours.is_some() != plan.closure.is_some());
            if national_holiday(d).is_some() || is_year_end(d) {
                prop_assert!(!plan.is_open(), "{d} open at {:?}", plan.hours);
            }
        }
    }

    /// The next opening lies strictly after the instant, and reception is open then.
    #[test]
    fn next_opening_is_strictly_later_and_open(at in any_instant()) {
        for s in schedules() {
            let opening = status(&s, at).next_opening.map(|t| t.with_timezone(&Utc));
            prop_assert!(opening.is_some());
            if let Some(t) = opening {
                prop_assert!(t > at);
                prop_assert_eq!(status(&s, t).phase, Phase::Open);
            }
        }
    }

    /// The next transition lies strictly after the instant, and nothing changes before it.
    #[test]
    fn next_transition_is_strictly_later_and_nothing_changes_before(at in any_instant()) {
        for s in schedules() {
            let t = next_transition_after(&s, at);
            prop_assert!(t > at);
            let just_before = t - Duration::nanoseconds(1);
            let (a, b) = (status(&s, at), status(&s, just_before));
            prop_assert_eq!(a.phase, b.phase);
            prop_assert_eq!(business_date(at), business_date(just_before));
        }
    }
}
