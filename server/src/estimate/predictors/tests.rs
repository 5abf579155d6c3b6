//! Each predictor on small cases computed by hand.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::estimate::{
    CounterAvailability, CounterFacts, EndedWait, InService, QueueHistory, ServiceFacts,
};

/// 10:00 in Kanazawa on a Monday the main office is open.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap()
}

/// Two open counters, both busy (a renewal started 4 minutes ago at each), 3 renewals waiting
/// issued 12, 7 and 2 minutes ago, and three waits already ended today: 5, 15 and 25 minutes.
fn facts() -> QueueFacts {
    let busy = |id: &str| CounterFacts {
        id: id.into(),
        state: CounterAvailability::Open,
        services: vec!["renewal".into()],
        paused_since: None,
        current: Some(InService {
            service: "renewal".into(),
            since: now() - Duration::minutes(4),
        }),
    };
    let ended = |issued_ago: i64, wait: i64| EndedWait {
        service: "renewal".into(),
        issued_at: now() - Duration::minutes(issued_ago),
        called_at: now() - Duration::minutes(issued_ago - wait),
        shown_point: None,
    };
    QueueFacts {
        now: now(),
        services: vec![ServiceFacts {
            id: "renewal".into(),
            configured_mean_minutes: 10.0,
            waiting: 3,
            finished_today_minutes: imbl::Vector::new(),
        }],
        counters: vec![busy("1"), busy("2")],
        history: QueueHistory {
            // Three wait, issued 12, 7 and 2 minutes ago.
            head_issued_at: Some(now() - Duration::minutes(12)),
            called: imbl::vector![ended(60, 5), ended(50, 15), ended(40, 25)],
            ..QueueHistory::default()
        },
    }
}

fn minutes(kind: PredictorKind, facts: &QueueFacts) -> f64 {
    kind.build()
        .point(facts, "renewal")
        .minutes()
        .expect("a counter is open")
}

fn assert_close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

#[test]
fn queue_length_divides_the_work_ahead_by_the_open_counters() {
    // (3 × 10 + 2 × 6 left) / 2 = 21.
    assert_close(minutes(PredictorKind::Ql, &facts()), 21.0);
}

#[test]
fn head_of_line_is_the_elapsed_wait_of_the_first_in_line() {
    assert_close(minutes(PredictorKind::Hol, &facts()), 12.0);
}

#[test]
fn last_to_enter_service_is_the_wait_of_the_last_ticket_called() {
    assert_close(minutes(PredictorKind::Les, &facts()), 25.0);
}

#[test]
fn the_moving_average_weighs_the_newest_wait_by_three_tenths() {
    // 5 → 5 + 0.3 × 10 = 8 → 8 + 0.3 × 17 = 13.1.
    assert_close(minutes(PredictorKind::Ewma, &facts()), 13.1);
}

#[test]
fn refined_queue_length_on_a_longer_line_takes_out_the_counters_stagger() {
    // Three ahead of two counters, past the second round: 3 × 10 / 2 services, plus the mean
    // residual of renewals 4 minutes in (6.12, see below), less the stagger (2 − 1) / 4 × 10:
    // 18.62, where QL says 21.
    let qlr = minutes(PredictorKind::Qlr, &facts());
    assert!((qlr - 18.62).abs() < 0.05, "{qlr}");
}

/// `facts()` with `waiting` renewals in line and clerks who report every finish.
fn short_line(waiting: u32) -> QueueFacts {
    let mut f = facts();
    f.services[0].waiting = waiting;
    if waiting == 0 {
        f.history.head_issued_at = None;
    }
    f.history.finish_habit = FinishHabit {
        explicit: 1000,
        implicit_idle: 0,
    };
    f
}

#[test]
fn refined_queue_length_with_nobody_ahead_waits_for_the_first_counter_to_finish() {
    // Both renewals (mean 10, log-sd 0.4) have run 4 minutes: each has 6.12 left on average,
    // but the first of the two frees up after E[min] = ∫ (P(S > 4 + t) / P(S > 4))² dt = 3.93
    // (numerical integration), and QLR shows the median of that minimum, 3.54 (where
    // (P(S > 4 + t) / P(S > 4))² = ½). QL says (2 × 6) / 2 = 6.
    let f = short_line(0);
    assert_close(minutes(PredictorKind::Ql, &f), 6.0);
    let qlr = minutes(PredictorKind::Qlr, &f);
    assert!((qlr - 3.54).abs() < 0.05, "{qlr}");
}

#[test]
fn refined_queue_length_with_one_ahead_waits_for_the_second_counter() {
    // The second end of a service over both counters: E[max] = 2 × 6.12 − 3.93 = 8.31 if
    // neither counter could end twice first; its median, with that small chance, is 7.41. QL
    // says (10 + 12) / 2 = 11.
    let f = short_line(1);
    assert_close(minutes(PredictorKind::Ql, &f), 11.0);
    let qlr = minutes(PredictorKind::Qlr, &f);
    assert!((qlr - 7.41).abs() < 0.05, "{qlr}");
}

#[test]
fn refined_queue_length_expects_a_free_counter_where_clerks_never_report_finishes() {
    // Nobody has had to wait for the last 15 minutes (the last waiting ticket was called then)
    // and today's clerks only ever press call-next: 4 minutes into a 10-minute service is
    // still likely busy, but a renewal at the same counter running 20 minutes is likely over.
    let mut f = short_line(0);
    f.history.finish_habit = FinishHabit {
        explicit: 0,
        implicit_idle: 1000,
    };
    for counter in &mut f.counters {
        if let Some(current) = &mut counter.current {
            current.since = now() - Duration::minutes(20);
        }
    }
    // Both were known busy 5 minutes into their services (15 minutes ago): each is over with
    // probability 1 − P(S > 20) / P(S > 5), so a free counter is almost sure.
    let qlr = minutes(PredictorKind::Qlr, &f);
    assert!(qlr < 0.2, "{qlr}");
    // Clerks who report finishes would have shown a free counter: both are still busy.
    let mut reported = f.clone();
    reported.history.finish_habit = FinishHabit {
        explicit: 1000,
        implicit_idle: 0,
    };
    let busy = minutes(PredictorKind::Qlr, &reported);
    assert!(busy > 1.0, "{busy}");
}

#[test]
fn every_predictor_calls_at_once_when_a_counter_is_free_and_nobody_waits() {
    let mut f = facts();
    f.counters[1].current = None;
    f.services[0].waiting = 0;
    f.history.head_issued_at = None;
    for kind in PredictorKind::ALL {
        assert_eq!(
            kind.build().point(&f, "renewal"),
            Outlook::CalledAtOnce,
            "{kind:?}"
        );
    }
}

#[test]
fn every_predictor_gives_no_number_when_no_counter_is_open() {
    let mut f = facts();
    for counter in &mut f.counters {
        counter.state = CounterAvailability::Closed;
    }
    for kind in PredictorKind::ALL {
        assert_eq!(
            kind.build().point(&f, "renewal"),
            Outlook::NoCounterOpen,
            "{kind:?}"
        );
    }
}

#[test]
fn the_estimator_sizes_the_band_from_the_shown_points_errors() {
    let estimator = PredictorEstimator::from_config(&EstimatesConfig {
        predictor: PredictorKind::Ql,
        ..EstimatesConfig::default()
    });
    let calm = estimator.estimate(&facts());
    let mut late = facts();
    // Today every shown point was 30 minutes short.
    late.history.called = (0..200)
        .map(|i| EndedWait {
            service: "renewal".into(),
            issued_at: now() - Duration::minutes(300 - i),
            called_at: now() - Duration::minutes(300 - i) + Duration::minutes(40),
            shown_point: Some(10.0),
        })
        .collect();
    let wide = estimator.estimate(&late);
    let width = |e: &[ServiceEstimate]| match e[0].wait {
        WaitEstimate::Minutes { min, max, .. } => max - min,
        WaitEstimate::NoCounterOpen => panic!("open"),
    };
    assert!(width(&wide) > width(&calm), "{wide:?} vs {calm:?}");
}
