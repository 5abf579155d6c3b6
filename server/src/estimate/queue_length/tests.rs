//! Hand-computed cases of the queue-length model, and its invariants as properties.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::super::{
    CounterAvailability::{self, Closed, Open, Paused},
    CounterFacts, Estimator, InService, QueueFacts, ServiceFacts, WaitEstimate,
};
use super::QueueLengthEstimator;

/// 10:00 in Kanazawa (domain R4), a Monday the main office is open (domain R1).
pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 1, 0, 0).unwrap()
}

pub(super) fn service(id: &str, mean: f64, waiting: u32) -> ServiceFacts {
    ServiceFacts {
        id: id.to_owned(),
        configured_mean_minutes: mean,
        waiting,
        finished_today_minutes: imbl::Vector::new(),
    }
}

fn idle(id: &str, state: CounterAvailability, services: &[&str]) -> CounterFacts {
    CounterFacts {
        id: id.to_owned(),
        state,
        services: services.iter().map(|s| (*s).to_owned()).collect(),
        paused_since: None,
        current: None,
    }
}

/// A counter serving a ticket of `serving` that started `minutes_ago`.
fn busy(
    id: &str,
    state: CounterAvailability,
    services: &[&str],
    serving: &str,
    minutes_ago: i64,
) -> CounterFacts {
    CounterFacts {
        paused_since: None,
        current: Some(InService {
            service: serving.to_owned(),
            since: now() - Duration::minutes(minutes_ago),
        }),
        ..idle(id, state, services)
    }
}

pub(super) fn facts(services: Vec<ServiceFacts>, counters: Vec<CounterFacts>) -> QueueFacts {
    QueueFacts {
        now: now(),
        services,
        counters,
        history: Default::default(),
    }
}

fn wait_of(facts: &QueueFacts, service: &str) -> WaitEstimate {
    QueueLengthEstimator::default()
        .estimate(facts)
        .into_iter()
        .find(|e| e.service == service)
        .unwrap()
        .wait
}

fn point_of(facts: &QueueFacts, service: &str) -> f64 {
    match wait_of(facts, service) {
        WaitEstimate::Minutes { point, .. } => point,
        WaitEstimate::NoCounterOpen => panic!("{service}: no counter open"),
    }
}

fn range_of(facts: &QueueFacts, service: &str) -> (u32, u32) {
    match wait_of(facts, service) {
        WaitEstimate::Minutes { min, max, .. } => (min, max),
        WaitEstimate::NoCounterOpen => panic!("{service}: no counter open"),
    }
}

fn assert_close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

#[test]
fn one_counter_waits_for_everyone_ahead_plus_the_time_left_in_service() {
    // 2 waiting × 10 min + (10 − 4) left of the renewal in progress.
    let f = facts(
        vec![service("renewal", 10.0, 2)],
        vec![busy("1", Open, &["renewal"], "renewal", 4)],
    );
    assert_close(point_of(&f, "renewal"), 26.0);
    // sd = √(2·5² + (2·5/√3)² + (0.5·6)²) ≈ 9.61 → 16.4…35.6 → 15–40.
    assert_eq!(range_of(&f, "renewal"), (15, 40));
    assert_eq!(wait_of(&f, "renewal").text_ja(), "15～40分程度");
}

#[test]
fn several_counters_share_all_the_work_ahead_whatever_its_service() {
    // Every counter serves every service, so FIFO puts all waiting tickets ahead:
    // (4 × 10 + 1 × 20 + 5 left + 10 left) / 3 counters = 25 for both services.
    let both = ["renewal", "proxy"];
    let f = facts(
        vec![service("renewal", 10.0, 4), service("proxy", 20.0, 1)],
        vec![
            busy("1", Open, &both, "renewal", 5),
            idle("2", Open, &both),
            busy("3", Open, &both, "proxy", 10),
        ],
    );
    assert_close(point_of(&f, "renewal"), 25.0);
    assert_close(point_of(&f, "proxy"), 25.0);
}

#[test]
fn a_paused_counter_counts_as_half_a_counter() {
    // 6 × 10 + 10 left = 70 minutes of work over 1 + ½ counters.
    let f = facts(
        vec![service("renewal", 10.0, 6)],
        vec![
            busy("1", Open, &["renewal"], "renewal", 0),
            idle("2", Paused, &["renewal"]),
        ],
    );
    assert_close(point_of(&f, "renewal"), 70.0 / 1.5);

    let both_open = facts(
        f.services.clone(),
        vec![
            busy("1", Open, &["renewal"], "renewal", 0),
            idle("2", Open, &["renewal"]),
        ],
    );
    assert_close(point_of(&both_open, "renewal"), 35.0);
}

#[test]
fn a_paused_counter_can_be_ignored_by_tuning() {
    let f = facts(
        vec![service("renewal", 10.0, 6)],
        vec![
            busy("1", Open, &["renewal"], "renewal", 0),
            idle("2", Paused, &["renewal"]),
        ],
    );
    let estimator = QueueLengthEstimator {
        paused_counter_weight: 0.0,
        ..QueueLengthEstimator::default()
    };
    match estimator.estimate(&f)[0].wait {
        WaitEstimate::Minutes { point, .. } => assert_close(point, 70.0),
        WaitEstimate::NoCounterOpen => panic!("a counter is open"),
    }
}

#[test]
fn a_paused_counter_alone_is_no_counter_open() {
    // Nobody can say when the pause ends, so no number is promised.
    let f = facts(
        vec![service("renewal", 10.0, 3)],
        vec![idle("1", Paused, &["renewal"])],
    );
    assert_eq!(wait_of(&f, "renewal"), WaitEstimate::NoCounterOpen);
}

#[test]
fn nobody_serving_the_service_is_no_counter_open() {
    let closed = facts(
        vec![service("renewal", 10.0, 3)],
        vec![idle("1", Closed, &["renewal"])],
    );
    assert_eq!(wait_of(&closed, "renewal"), WaitEstimate::NoCounterOpen);
    let none = facts(vec![service("renewal", 10.0, 0)], Vec::new());
    assert_eq!(wait_of(&none, "renewal"), WaitEstimate::NoCounterOpen);
    assert_eq!(
        wait_of(&none, "renewal").text_ja(),
        "現在、待ち時間を表示できません（対応できる窓口がありません）"
    );
}

#[test]
fn todays_service_times_shift_the_mean_from_the_configured_one() {
    let mut renewal = service("renewal", 10.0, 3);
    let configured = facts(
        vec![renewal.clone()],
        vec![busy("1", Open, &["renewal"], "renewal", 0)],
    );
    // 3 × 10 + 10 left.
    assert_close(point_of(&configured, "renewal"), 40.0);

    // Today renewals took 20 min: mean (3 × 10 + 3 × 20) / 6 = 15, so 3 × 15 + 15 left.
    renewal.finished_today_minutes = imbl::vector![20.0, 20.0, 20.0];
    let learned = facts(vec![renewal], configured.counters.clone());
    assert_close(point_of(&learned, "renewal"), 60.0);
}

#[test]
fn an_overrunning_service_still_holds_its_counter_for_a_little_while() {
    // Started 25 min ago, mean 10: 2 min (⅕ of the mean) left, never negative.
    let f = facts(
        vec![service("renewal", 10.0, 0)],
        vec![busy("1", Open, &["renewal"], "renewal", 25)],
    );
    assert_close(point_of(&f, "renewal"), 2.0);
    assert_eq!(range_of(&f, "renewal"), (0, 5));
    assert_eq!(wait_of(&f, "renewal").text_en(), "Within about 5 min");
}

#[test]
fn a_counter_serving_fewer_services_takes_only_its_share_of_the_queue() {
    // Counter 1 serves both services, counter 2 only renewals; both just started a renewal.
    // A proxy ticket can go only to counter 1, which draws half of the 4 renewals ahead:
    // 2 × 10 + 1 × 20 + 10 left = 50. A renewal can go to both counters, and every waiting
    // ticket is ahead of it: (4 × 10 + 1 × 20 + 10 + 10) / 2 = 40.
    let f = facts(
        vec![service("renewal", 10.0, 4), service("proxy", 20.0, 1)],
        vec![
            busy("1", Open, &["renewal", "proxy"], "renewal", 0),
            busy("2", Open, &["renewal"], "renewal", 0),
        ],
    );
    assert_close(point_of(&f, "proxy"), 50.0);
    assert_close(point_of(&f, "renewal"), 40.0);
}

#[test]
fn services_on_separate_counters_do_not_wait_for_each_other() {
    let f = facts(
        vec![service("renewal", 10.0, 4), service("proxy", 20.0, 1)],
        vec![
            busy("1", Open, &["renewal"], "renewal", 0),
            busy("2", Open, &["proxy"], "proxy", 0),
            idle("3", Closed, &["renewal", "proxy"]),
        ],
    );
    assert_close(point_of(&f, "renewal"), 50.0);
    assert_close(point_of(&f, "proxy"), 40.0);
}

#[test]
fn nobody_waiting_with_a_free_counter_is_no_wait() {
    let f = facts(
        vec![service("renewal", 10.0, 0)],
        vec![
            busy("1", Open, &["renewal"], "renewal", 3),
            idle("2", Open, &["renewal"]),
        ],
    );
    let wait = wait_of(&f, "renewal");
    assert_eq!(
        wait,
        WaitEstimate::Minutes {
            point: 0.0,
            min: 0,
            max: 0
        }
    );
    assert_eq!(wait.text_ja(), "すぐにご案内できます");
    assert_eq!(wait.text_en(), "No wait");
}

#[test]
fn fewer_people_ahead_than_free_counters_is_no_wait() {
    let f = facts(
        vec![service("renewal", 10.0, 1)],
        vec![idle("1", Open, &["renewal"]), idle("2", Open, &["renewal"])],
    );
    assert_close(point_of(&f, "renewal"), 0.0);
}

#[test]
fn nobody_waiting_but_every_counter_busy_waits_for_the_first_to_finish_on_average() {
    // (6 + 2) left over 2 counters.
    let f = facts(
        vec![service("renewal", 10.0, 0)],
        vec![
            busy("1", Open, &["renewal"], "renewal", 4),
            busy("2", Open, &["renewal"], "renewal", 8),
        ],
    );
    assert_close(point_of(&f, "renewal"), 4.0);
}

#[test]
fn the_range_widens_with_more_people_ahead() {
    let width = |waiting| {
        let f = facts(
            vec![service("renewal", 10.0, waiting)],
            vec![busy("1", Open, &["renewal"], "renewal", 0)],
        );
        let (min, max) = range_of(&f, "renewal");
        max - min
    };
    assert!(width(20) > width(2));
}

#[test]
fn the_range_narrows_with_more_observations_of_the_same_mean() {
    let mut renewal = service("renewal", 10.0, 8);
    let counters = vec![busy("1", Open, &["renewal"], "renewal", 0)];
    let few = facts(vec![renewal.clone()], counters.clone());
    renewal.finished_today_minutes = std::iter::repeat_n(10.0, 40).collect();
    let many = facts(vec![renewal], counters);
    assert_close(point_of(&few, "renewal"), point_of(&many, "renewal"));
    let (few_min, few_max) = range_of(&few, "renewal");
    let (many_min, many_max) = range_of(&many, "renewal");
    assert!(many_max - many_min < few_max - few_min);
}

#[test]
fn estimates_follow_the_order_of_services_and_copy_the_waiting_count() {
    let f = facts(
        vec![service("proxy", 20.0, 2), service("renewal", 10.0, 5)],
        vec![idle("1", Open, &["renewal", "proxy"])],
    );
    let estimates = QueueLengthEstimator::default().estimate(&f);
    let got: Vec<_> = estimates
        .iter()
        .map(|e| (e.service.as_str(), e.waiting))
        .collect();
    assert_eq!(got, [("proxy", 2), ("renewal", 5)]);
}

#[test]
fn unknown_service_ids_are_ignored_and_unknown_tickets_use_the_fallback_mean() {
    // The ticket in service is of a service missing from the facts: 10 min (domain R6) left.
    let f = facts(
        vec![service("renewal", 10.0, 1)],
        vec![busy("1", Open, &["renewal", "retired"], "retired", 0)],
    );
    assert_close(point_of(&f, "renewal"), 20.0);
}
