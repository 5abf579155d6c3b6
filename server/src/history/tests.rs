//! The aggregates on hand-built tickets: each figure, the percentiles, an empty open day and a
//! closed day, the CSV, and the forecast's medians, thresholds and refusal to guess.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;

use super::forecast::{ForecastConfig, forecast};
use super::*;
use crate::calendar::{Schedule, day_plan};
use crate::config::Config;
use crate::estimate::CongestionThresholds;
use crate::protocol::{BusyReason, CongestionLevel, CounterState};

fn schedule() -> Schedule {
    let config = Config::embedded().expect("embedded default is valid");
    config.office("main").expect("main office").schedule.clone()
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

/// A Japan-time instant on a date.
fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    Tokyo
        .from_local_datetime(&day.and_hms_opt(hour, minute, 0).expect("time"))
        .single()
        .expect("unambiguous")
        .with_timezone(&Utc)
}

/// A ticket issued at `hh:mm` on `day`, called after `wait` minutes when given, in `state`.
fn ticket(
    day: NaiveDate,
    (hour, minute): (u32, u32),
    wait: Option<i64>,
    state: TicketState,
) -> Ticket {
    let issued_at = at(day, hour, minute);
    let called_at = wait.map(|w| issued_at + Duration::minutes(w));
    Ticket {
        id: 0,
        public_id: String::new(),
        number: "R001".into(),
        seq_no: 1,
        service: "renewal".into(),
        state,
        counter: called_at.map(|_| "1".to_string()),
        business_date: day,
        issued_at,
        called_at,
        recalled_at: None,
        started_at: None,
        finished_at: None,
        waiting_ahead_at_issue: 0,
        estimate_at_issue: None,
    }
}

/// A served ticket: called after `wait`, service started 1 minute later, lasting `service`.
fn served(day: NaiveDate, issued: (u32, u32), wait: i64, service: i64) -> Ticket {
    let mut t = ticket(day, issued, Some(wait), TicketState::Done);
    let started = t.called_at.map(|c| c + Duration::minutes(1));
    t.started_at = started;
    t.finished_at = started.map(|s| s + Duration::minutes(service));
    t
}

// 2026-11-30 is a Monday, an ordinary open day at the main office (reception 9:00–17:45).
const MONDAY: &str = "2026-11-30";

/// A finished day's record: its tickets, no counter events, read long after.
fn done(tickets: &[Ticket]) -> DayRecord<'_> {
    DayRecord {
        tickets,
        counter_changes: &[],
        now: at(date("2030-01-01"), 9, 0),
    }
}

#[test]
fn each_count_follows_the_tickets_issued_in_that_hour() {
    let day = date(MONDAY);
    let tickets = vec![
        served(day, (9, 5), 10, 12),
        served(day, (9, 40), 20, 8),
        ticket(day, (9, 50), Some(30), TicketState::NoShow),
        ticket(day, (9, 55), None, TicketState::Cancelled),
        ticket(day, (10, 1), None, TicketState::Waiting),
    ];
    let rows = day_rows(&day_plan(&schedule(), day), done(&tickets));
    let nine = rows.iter().find(|r| r.hour == 9).expect("9 o'clock");
    assert_eq!(
        (
            nine.issued,
            nine.called,
            nine.served,
            nine.no_show,
            nine.cancelled
        ),
        (4, 3, 2, 1, 1)
    );
    assert_eq!(nine.mean_wait_min, Some(20.0));
    assert_eq!(nine.median_wait_min, Some(20.0));
    assert_eq!(nine.p90_wait_min, Some(28.0));
    assert_eq!(nine.mean_service_min, Some(10.0));
    let ten = rows.iter().find(|r| r.hour == 10).expect("10 o'clock");
    assert_eq!((ten.issued, ten.called), (1, 0));
    assert_eq!(ten.mean_wait_min, None, "nobody called: no wait to report");
}

#[test]
fn percentiles_interpolate_between_ranks_like_a_spreadsheet() {
    let sorted = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(percentile(&sorted, 0.5), Some(2.5));
    assert_eq!(percentile(&sorted, 0.9), Some(3.7));
    assert_eq!(percentile(&sorted, 0.0), Some(1.0));
    assert_eq!(percentile(&sorted, 1.0), Some(4.0));
    assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
    assert_eq!(percentile(&[], 0.5), None);
    assert_eq!(median(&[9.0, 1.0, 5.0]), Some(5.0));
}

#[test]
fn service_time_counts_from_the_call_when_staff_finished_without_starting() {
    let day = date(MONDAY);
    let mut t = ticket(day, (11, 0), Some(5), TicketState::Done);
    t.finished_at = t.called_at.map(|c| c + Duration::minutes(7));
    let rows = day_rows(&day_plan(&schedule(), day), done(&[t]));
    let eleven = rows.iter().find(|r| r.hour == 11).expect("11 o'clock");
    assert_eq!(eleven.mean_service_min, Some(7.0));
}

#[test]
fn an_open_day_without_tickets_has_a_row_of_zeros_for_every_hour_of_reception() {
    let day = date(MONDAY);
    let rows = day_rows(&day_plan(&schedule(), day), done(&[]));
    let hours: Vec<u32> = rows.iter().map(|r| r.hour).collect();
    assert_eq!(hours, (9..=17).collect::<Vec<_>>());
    assert!(
        rows.iter()
            .all(|r| r.issued == 0 && r.mean_wait_min.is_none())
    );
}

#[test]
fn a_closed_day_has_no_rows() {
    let sunday = date("2026-11-29");
    assert!(day_rows(&day_plan(&schedule(), sunday), done(&[])).is_empty());
    let new_year = date("2027-01-02");
    assert!(day_rows(&day_plan(&schedule(), new_year), done(&[])).is_empty());
}

#[test]
fn tickets_of_other_days_are_left_out_of_a_day() {
    let day = date(MONDAY);
    let other = served(date("2026-12-01"), (9, 0), 10, 10);
    let rows = day_rows(&day_plan(&schedule(), day), done(&[other]));
    assert!(rows.iter().all(|r| r.issued == 0));
}

#[test]
fn the_breakdown_by_service_splits_the_tickets_of_a_day() {
    let day = date(MONDAY);
    let mut other = served(day, (9, 10), 4, 4);
    other.service = "new_issuance".into();
    let tickets = vec![served(day, (9, 0), 10, 10), other];
    let split = day_rows_by_service(&day_plan(&schedule(), day), done(&tickets), |_, _| true);
    let names: Vec<&str> = split.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(names, ["new_issuance", "renewal"]);
    let nine = |rows: &[HourRow]| rows.iter().find(|r| r.hour == 9).map(|r| r.mean_wait_min);
    assert_eq!(nine(&split[0].1), Some(Some(4.0)));
    assert_eq!(nine(&split[1].1), Some(Some(10.0)));
}

#[test]
fn the_csv_has_the_header_first_and_empty_cells_for_missing_figures() {
    let day = date(MONDAY);
    let rows = day_rows(
        &day_plan(&schedule(), day),
        done(&[served(day, (9, 0), 10, 10)]),
    );
    let text = csv::document(&rows);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "date,hour,issued,called,served,no_show,cancelled,mean_wait_min,median_wait_min,p90_wait_min,mean_service_min,counters_open"
        )
    );
    assert_eq!(
        lines.next(),
        Some("2026-11-30,9,1,1,1,0,0,10.0,10.0,10.0,10.0,0.0")
    );
    assert_eq!(lines.next(), Some("2026-11-30,10,0,0,0,0,0,,,,,0.0"));
    assert!(!text.starts_with('\u{feff}'));
}

/// Rows of `weeks` Mondays before 2026-12-07, with the 9 o'clock mean wait of each Monday
/// given, and a Wednesday at 15:00 with a short wait.
fn mondays(waits: &[i64]) -> Vec<HourRow> {
    let schedule = schedule();
    let mut rows = Vec::new();
    for (weeks_back, wait) in waits.iter().enumerate() {
        let monday = date("2026-11-30") - Duration::weeks(weeks_back as i64);
        let wednesday = monday + Duration::days(2);
        rows.extend(day_rows(
            &day_plan(&schedule, monday),
            done(&[served(monday, (9, 0), *wait, 10)]),
        ));
        rows.extend(day_rows(
            &day_plan(&schedule, wednesday),
            done(&[served(wednesday, (15, 0), 2, 10)]),
        ));
    }
    rows
}

#[test]
fn a_cell_is_the_median_of_its_weekday_and_hour_over_the_window() {
    let today = date("2026-12-07");
    let window = ForecastConfig::default().window(today);
    assert_eq!(window, (date("2026-10-12"), date("2026-12-06")));
    let rows = mondays(&[10, 50, 30, 20, 90]);
    let f = forecast(&schedule(), &rows, window, &CongestionThresholds::default());
    assert_eq!(f.based_on_days, 10);
    let monday_nine = f
        .cells
        .iter()
        .find(|c| c.weekday == 1 && c.hour == 9)
        .expect("Monday 9");
    assert_eq!(monday_nine.typical_wait_minutes, Some(30.0));
    assert_eq!(monday_nine.typical_waiting, Some(0.5));
    assert_eq!(monday_nine.level, Some(CongestionLevel::Moderate));
    assert_eq!(
        f.quietest.first().map(|s| (s.weekday, s.hour)),
        Some((3, 15))
    );
    assert_eq!(f.quietest.len(), 2, "only two cells have enough history");
}

#[test]
fn there_is_one_cell_per_weekday_and_hour_of_reception() {
    let f = forecast(
        &schedule(),
        &[],
        ForecastConfig::default().window(date("2026-12-07")),
        &CongestionThresholds::default(),
    );
    assert_eq!(f.cells.len(), 5 * 9);
    assert_eq!((f.cells[0].weekday, f.cells[0].hour), (1, 9));
    assert_eq!(f.cells.last().map(|c| (c.weekday, c.hour)), Some((5, 17)));
}

#[test]
fn with_too_little_history_the_cells_stay_null_instead_of_guessing() {
    let window = ForecastConfig::default().window(date("2026-12-07"));
    let f = forecast(
        &schedule(),
        &mondays(&[10, 20]),
        window,
        &CongestionThresholds::default(),
    );
    assert_eq!(f.based_on_days, 4);
    assert!(
        f.cells
            .iter()
            .all(|c| c.typical_wait_minutes.is_none() && c.level.is_none())
    );
    assert!(f.quietest.is_empty());
}

#[test]
fn days_outside_the_window_are_not_counted() {
    let window = ForecastConfig {
        weeks: 2,
        ..ForecastConfig::default()
    }
    .window(date("2026-12-07"));
    let f = forecast(
        &schedule(),
        &mondays(&[10, 20, 30, 40]),
        window,
        &CongestionThresholds::default(),
    );
    assert_eq!(f.based_on_days, 4, "two Mondays and two Wednesdays");
}

#[test]
fn a_forecast_resting_on_a_synthetic_day_says_it_is_synthetic() {
    let window = ForecastConfig::default().window(date("2026-12-07"));
    let mut rows = mondays(&[10, 20, 30]);
    assert!(!forecast(&schedule(), &rows, window, &CongestionThresholds::default()).synthetic);
    for row in rows.iter_mut().filter(|r| r.date == date("2026-11-30")) {
        row.synthetic = true;
    }
    assert!(forecast(&schedule(), &rows, window, &CongestionThresholds::default()).synthetic);
}

#[test]
fn a_forecast_window_of_no_weeks_is_refused_with_its_key() {
    let text =
        crate::config::DEFAULT_TOML.replace("[forecast]\nweeks = 8", "[forecast]\nweeks = 0");
    let error = Config::parse(&text, "test.toml").expect_err("refused");
    assert!(error.to_string().contains("forecast.weeks"), "{error}");
    assert_eq!(ForecastConfig::default().weeks, 8);
}

/// A counter change at `hh:mm` on `day`.
fn change(
    day: NaiveDate,
    (hour, minute): (u32, u32),
    counter: &str,
    state: CounterState,
) -> CounterChange {
    CounterChange {
        date: day,
        at: at(day, hour, minute),
        counter: counter.into(),
        state,
    }
}

/// A hand-built event log of one Monday: counter 1 opens before reception and closes at 17:00;
/// counter 2 opens at 9:30, pauses over lunch, opens again and stays open; counter 1 is opened
/// a second time at 10:30 (already open: no change); a change of the day before is ignored.
fn monday_counter_log() -> Vec<CounterChange> {
    let day = date(MONDAY);
    let before = date("2026-11-27");
    vec![
        change(before, (16, 0), "3", CounterState::Open),
        change(day, (8, 55), "1", CounterState::Open),
        change(day, (9, 30), "2", CounterState::Open),
        change(day, (10, 30), "1", CounterState::Open),
        change(day, (12, 0), "2", CounterState::Paused),
        change(day, (13, 0), "2", CounterState::Open),
        change(day, (17, 0), "1", CounterState::Closed),
    ]
}

#[test]
fn counters_open_is_the_mean_over_the_hour_of_the_counters_open() {
    let day = date(MONDAY);
    let log = monday_counter_log();
    let record = DayRecord {
        tickets: &[],
        counter_changes: &log,
        now: at(date("2026-12-01"), 9, 0),
    };
    let rows = day_rows(&day_plan(&schedule(), day), record);
    let open: Vec<(u32, Option<f64>)> = rows.iter().map(|r| (r.hour, r.counters_open)).collect();
    assert_eq!(
        open,
        [
            (9, Some(1.5)),
            (10, Some(2.0)),
            (11, Some(2.0)),
            (12, Some(1.0)),
            (13, Some(2.0)),
            (14, Some(2.0)),
            (15, Some(2.0)),
            (16, Some(2.0)),
            (17, Some(1.0)),
        ]
    );
}

#[test]
fn today_counts_only_the_part_of_an_hour_that_has_passed_and_no_hour_to_come() {
    let day = date(MONDAY);
    let log = monday_counter_log();
    let record = DayRecord {
        tickets: &[],
        counter_changes: &log,
        now: at(day, 9, 45),
    };
    let rows = day_rows(&day_plan(&schedule(), day), record);
    let nine = rows.iter().find(|r| r.hour == 9).expect("9 o'clock");
    // 9:00–9:30 one counter, 9:30–9:45 two: (30 × 1 + 15 × 2) ÷ 45.
    assert_eq!(nine.counters_open, Some(1.3));
    assert!(
        rows.iter()
            .filter(|r| r.hour > 9)
            .all(|r| r.counters_open.is_none())
    );
}

#[test]
fn without_counter_events_no_counter_was_open() {
    let day = date(MONDAY);
    let rows = day_rows(&day_plan(&schedule(), day), done(&[]));
    assert!(rows.iter().all(|r| r.counters_open == Some(0.0)));
}

#[test]
fn per_service_rows_count_the_counters_that_serve_the_service() {
    let day = date(MONDAY);
    let log = monday_counter_log();
    let mut other = served(day, (9, 10), 4, 4);
    other.service = "new_issuance".into();
    let tickets = vec![served(day, (9, 0), 10, 10), other];
    let record = DayRecord {
        tickets: &tickets,
        counter_changes: &log,
        now: at(date("2026-12-01"), 9, 0),
    };
    // Counter 2 takes renewals only.
    let serves = |counter: &str, service: &str| counter == "1" || service == "renewal";
    let split = day_rows_by_service(&day_plan(&schedule(), day), record, serves);
    let nine = |rows: &[HourRow]| {
        rows.iter()
            .find(|r| r.hour == 9)
            .and_then(|r| r.counters_open)
    };
    assert_eq!(nine(&split[0].1), Some(1.0), "new_issuance: counter 1 only");
    assert_eq!(nine(&split[1].1), Some(1.5), "renewal: both counters");
}

/// Rows of a finished day with one served ticket at 10:00 waiting `wait` minutes.
fn a_day_waiting(day: NaiveDate, wait: i64) -> Vec<HourRow> {
    day_rows(
        &day_plan(&schedule(), day),
        done(&[served(day, (10, 0), wait, 10)]),
    )
}

#[test]
fn a_days_wait_weighs_each_hour_by_the_tickets_called_in_it() {
    let mut rows = Vec::new();
    for day in ["2026-12-01", "2026-12-02", "2026-12-03"] {
        let day = date(day);
        let tickets = [
            served(day, (9, 0), 10, 10),
            served(day, (9, 5), 10, 10),
            served(day, (9, 10), 10, 10),
            served(day, (14, 0), 30, 10),
        ];
        rows.extend(day_rows(&day_plan(&schedule(), day), done(&tickets)));
    }
    let window = (date("2026-12-01"), date("2026-12-03"));
    let busier = upcoming::busier_days(&schedule(), &rows, window);
    // (3 × 10 + 1 × 30) ÷ 4 = 15 each day, not the 20 of the two hours' plain mean.
    assert_eq!(busier.ordinary.days, 3);
    assert_eq!(busier.ordinary.typical_wait_minutes, Some(15.0));
}

#[test]
fn the_history_says_whether_flagged_days_were_busier_than_ordinary_ones() {
    let today = date("2026-12-07");
    let config = ForecastConfig::default();
    let mut rows = Vec::new();
    // Four Mondays with 40-minute waits, ordinary Tuesdays–Thursdays with 10 (Nov 24 follows
    // 勤労感謝の日, Nov 26–27 and 30 are November's end: those carry reasons of their own).
    for monday in ["2026-11-09", "2026-11-16", "2026-11-30", "2026-11-02"] {
        rows.extend(a_day_waiting(date(monday), 40));
    }
    rows.extend(a_day_waiting(date("2026-11-24"), 25));
    for ordinary in [
        "2026-11-10",
        "2026-11-11",
        "2026-11-17",
        "2026-11-18",
        "2026-12-01",
    ] {
        rows.extend(a_day_waiting(date(ordinary), 10));
    }
    rows.sort_by_key(|r| (r.date, r.hour));
    let busier = upcoming::busier_days(&schedule(), &rows, config.busier_days_window(today));
    assert_eq!(busier.ordinary.days, 5);
    assert_eq!(busier.ordinary.typical_wait_minutes, Some(10.0));
    let of = |reason| {
        busier
            .reasons
            .iter()
            .find(|r| r.reason == reason)
            .expect("every reason is listed")
    };
    assert_eq!(of(BusyReason::Monday).figure.days, 4);
    assert_eq!(
        of(BusyReason::Monday).figure.typical_wait_minutes,
        Some(40.0)
    );
    assert_eq!(of(BusyReason::Monday).busier_than_ordinary, Some(true));
    assert_eq!(of(BusyReason::AfterHoliday).figure.days, 1);
    assert_eq!(
        of(BusyReason::AfterHoliday).busier_than_ordinary,
        None,
        "one day after a holiday is too few to say"
    );
    assert_eq!(of(BusyReason::MarchApril).figure.days, 0);
    assert_eq!(busier.reasons.len(), BusyReason::KNOWN.len());
}

#[test]
fn the_upcoming_open_days_carry_their_reasons_and_their_weekdays_typical_wait() {
    let today = date("2026-12-21");
    let window = ForecastConfig::default().window(today);
    let mut rows = Vec::new();
    for monday in ["2026-11-30", "2026-12-07", "2026-12-14"] {
        rows.extend(a_day_waiting(date(monday), 45));
    }
    let days = upcoming::upcoming_days(
        &schedule(),
        &rows,
        today,
        window,
        &CongestionThresholds::default(),
    );
    let listed: Vec<(String, Vec<BusyReason>)> = days
        .iter()
        .map(|d| (d.date.to_string(), d.reasons.clone()))
        .collect();
    use BusyReason::*;
    assert_eq!(
        listed,
        [
            ("2026-12-21".to_string(), vec![Monday]),
            ("2026-12-22".to_string(), vec![]),
            ("2026-12-23".to_string(), vec![]),
            ("2026-12-24".to_string(), vec![MonthEnd]),
            ("2026-12-25".to_string(), vec![MonthEnd]),
            ("2026-12-28".to_string(), vec![Monday, MonthEnd]),
            ("2027-01-04".to_string(), vec![Monday, AfterHoliday]),
            ("2027-01-05".to_string(), vec![]),
            ("2027-01-06".to_string(), vec![]),
            ("2027-01-07".to_string(), vec![]),
        ],
        "ten open days, the year-end closure skipped"
    );
    assert_eq!(days[0].typical_wait_minutes, Some(45.0), "three Mondays");
    assert_eq!(days[0].level, Some(CongestionLevel::High));
    assert_eq!(
        days[1].typical_wait_minutes, None,
        "no Tuesday in the history"
    );
}
