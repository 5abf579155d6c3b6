//! The simulator runs the real queue deterministically and scores every predictor.

use super::*;

fn config() -> Config {
    Config::embedded().expect("embedded default is valid")
}

#[test]
fn the_same_seed_gives_the_same_report() {
    let config = config();
    let a = run(&config, Some("normal"), 6, 7).expect("runs");
    let b = run(&config, Some("normal"), 6, 7).expect("runs");
    assert_eq!(a, b);
    assert_eq!(a.to_json(), b.to_json());
    let c = run(&config, Some("normal"), 6, 8).expect("runs");
    assert_ne!(a.tickets, 0);
    assert_ne!(a.to_json(), c.to_json(), "another seed, other days");
}

#[test]
fn every_predictor_is_scored_on_every_measured_ticket_and_one_is_the_default() {
    let report = run(&config(), None, 4, 1).expect("runs");
    assert_eq!(report.predictors.len(), PredictorKind::ALL.len());
    assert_eq!(report.predictors.iter().filter(|p| p.default).count(), 1);
    let measured = report.naive.overall.tickets;
    assert!(measured > 100, "{measured}");
    for p in &report.predictors {
        assert_eq!(p.accuracy.overall.tickets, measured, "{}", p.name);
    }
    let json = report.to_json();
    assert_eq!(json["days"], 4);
    assert!(json["predictors"][0]["mae_minutes"].is_number());
    assert!(json["naive"]["mae_minutes"].is_number());
}

#[test]
fn an_unknown_scenario_is_refused_with_the_configured_names() {
    let error = run(&config(), Some("nope"), 1, 1).expect_err("refused");
    assert!(error.to_string().contains("normal"), "{error}");
}
