//! The wait estimates on the real `queue-server` binary: an accelerated clock (`--speed`) moves
//! the business calendar, the waits shown at issue are measured once tickets are called, and
//! `queue-server accuracy` and `/metrics` report the same measurement.
mod common;

use std::time::{Duration, Instant};

use common::{Server, Staff};

/// Polls the status JSON until `ready` holds; returns it with the real time it took.
async fn status_until(
    server: &Server,
    what: &str,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> (serde_json::Value, Duration) {
    let started = Instant::now();
    loop {
        let status: serde_json::Value = reqwest::get(server.url("/api/v1/offices/main/status"))
            .await
            .expect("status")
            .json()
            .await
            .expect("JSON");
        if ready(&status) {
            return (status, started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{what} not reached: {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// At 600× a day's end is seconds away: reception ends at 17:45 (the queue goes on), the
/// snapshot says the clock is not real time, and once the tickets are called their shown waits
/// are measured by `queue-server accuracy` and `/metrics` alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_600x_the_calendar_passes_17_45_in_seconds_and_shown_waits_are_measured() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Server::start(
        dir.path(),
        &["--now", "2026-12-01T16:30:00+09:00", "--speed", "600"],
    );
    let staff = Staff::new(&server, &server.admin());
    let (status, _) = staff
        .post("/api/v1/offices/main/counters/1/open", None)
        .await;
    assert_eq!(status, 200);
    for _ in 0..3 {
        staff.issue("renewal").await;
    }
    let (status, took) = status_until(&server, "the end of reception", |s| {
        s["calendar"]["phase"] == "reception_closed"
    })
    .await;
    assert!(took < Duration::from_secs(60), "17:45 reached in {took:?}");
    assert_eq!(status["clock_speed"], 600.0, "{status}");
    for _ in 0..3 {
        let (status, called) = staff
            .post("/api/v1/offices/main/counters/1/call-next", None)
            .await;
        assert_eq!(status, 200, "{called}");
    }

    let data = dir.path().to_string_lossy().into_owned();
    let (code, stdout, stderr) = common::queue_server(&[
        "accuracy",
        "--office",
        "main",
        "--from",
        "2026-12-01",
        "--json",
        "--data",
        &data,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(report["tickets"], 3, "{report}");
    assert!(report["mae_minutes"].as_f64().is_some_and(|mae| mae >= 0.0));
    let coverage = report["coverage"].as_f64().expect("coverage");
    assert!((0.0..=1.0).contains(&coverage));

    let metrics = reqwest::get(server.url("/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("queue_estimate_measured_tickets{office=\"main\"} 3"),
        "{metrics}"
    );
    assert!(metrics.contains("queue_estimate_coverage{office=\"main\"}"));
}
