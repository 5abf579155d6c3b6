//! Each predictor on small cases computed by hand.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::estimate::{
    CounterAvailability, CounterFacts, EndedWait, InService, QueueHistory, Queued, ServiceFacts,
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
            finished_today_minutes: Vec::new(),
        }],
        counters: vec![busy("1"), busy("2")],
        history: QueueHistory {
            waiting: [12, 7, 2]
                .iter()
                .map(|ago| Queued {
                    service: "renewal".into(),
                    issued_at: now() - Duration::minutes(*ago),
                })
                .collect(),
            called: vec![ended(60, 5), ended(50, 15), ended(40, 25)],
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
fn refined_queue_length_without_plan_or_history_agrees_with_queue_length() {
    assert_close(minutes(PredictorKind::Qlr, &facts()), 21.0);
}

#[test]
fn every_predictor_calls_at_once_when_a_counter_is_free_and_nobody_waits() {
    let mut f = facts();
    f.counters[1].current = None;
    f.services[0].waiting = 0;
    f.history.waiting.clear();
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
