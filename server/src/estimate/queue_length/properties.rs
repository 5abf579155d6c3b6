//! Invariants of the queue-length model over random offices.

use chrono::Duration;
use proptest::prelude::*;

use super::super::{
    CounterAvailability::{Closed, Open, Paused},
    CounterFacts, Estimator, InService, QueueFacts, ServiceFacts, WaitEstimate,
};
use super::QueueLengthEstimator;
use super::tests::{facts, now, service};

/// Random offices: up to 4 services and 5 counters, any state, any subset of services.
fn arbitrary_facts() -> impl Strategy<Value = QueueFacts> {
    let services = prop::collection::vec(
        (
            1.0f64..60.0,
            0u32..200,
            prop::collection::vec(0.1f64..200.0, 0..10),
        ),
        1..=4,
    );
    let counters = prop::collection::vec(
        (
            prop_oneof![Just(Open), Just(Paused), Just(Closed)],
            0u8..16,
            prop::option::of((0usize..4, -30i64..120)),
        ),
        0..=5,
    );
    (services, counters).prop_map(|(services, counters)| {
        let n = services.len();
        let services: Vec<ServiceFacts> = services
            .into_iter()
            .enumerate()
            .map(|(i, (mean, waiting, finished))| ServiceFacts {
                finished_today_minutes: finished.into(),
                ..service(&format!("s{i}"), mean, waiting)
            })
            .collect();
        let counters = counters
            .into_iter()
            .enumerate()
            .map(|(c, (state, mask, current))| {
                let serves: Vec<String> = (0..n)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| format!("s{i}"))
                    .collect();
                CounterFacts {
                    id: c.to_string(),
                    state,
                    services: serves,
                    paused_since: None,
                    current: current.map(|(s, ago)| InService {
                        service: format!("s{}", s % n),
                        since: now() - Duration::minutes(ago),
                    }),
                }
            })
            .collect();
        facts(services, counters)
    })
}

proptest! {
    #[test]
    fn the_range_always_contains_the_point_estimate(f in arbitrary_facts()) {
        for e in QueueLengthEstimator::default().estimate(&f) {
            if let WaitEstimate::Minutes { point, min, max } = e.wait {
                prop_assert!(point.is_finite() && point >= 0.0);
                prop_assert!(min <= max);
                prop_assert!(f64::from(min) <= point && point <= f64::from(max));
                prop_assert_eq!(point == 0.0, max == 0);
            }
        }
    }

    #[test]
    fn more_people_waiting_never_gives_a_shorter_estimate(
        f in arbitrary_facts(),
        which in 0usize..4,
        more in 1u32..50,
    ) {
        let estimator = QueueLengthEstimator::default();
        let before = estimator.estimate(&f);
        let mut busier = f.clone();
        let which = which % busier.services.len();
        busier.services[which].waiting += more;
        let after = estimator.estimate(&busier);
        for (b, a) in before.iter().zip(&after) {
            match (b.wait, a.wait) {
                (WaitEstimate::Minutes { point: pb, .. }, WaitEstimate::Minutes { point: pa, .. }) => {
                    prop_assert!(pa >= pb - 1e-9, "{}: {} then {}", b.service, pb, pa);
                }
                (WaitEstimate::NoCounterOpen, WaitEstimate::NoCounterOpen) => {}
                (b, a) => prop_assert!(false, "availability changed: {:?} → {:?}", b, a),
            }
        }
    }
}
