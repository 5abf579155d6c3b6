//! The demo day: a whole simulated day at speed, through the real office task and the real
//! SQLite store.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use queue_server::clock::{SharedClock, StartedClock};
use queue_server::config::Config;
use queue_server::protocol::{Payload, Phase, TicketState};
use queue_server::store::Store;
use queue_server::{Server, Settings};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_day_runs_from_opening_to_closing_with_unique_numbers_and_every_ticket_final() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("store");
    let config = Config::embedded().expect("config");
    // 08:50 to 18:30 simulated in about 12 s (to 21:00 at most, about 15 s).
    let clock: SharedClock = Arc::new(StartedClock::with_speed(
        at("2026-12-01T08:50:00+09:00"),
        3000.0,
    ));
    let settings = Settings {
        demo: true,
        ..Settings::new(config, clock.clone())
    };
    let server = Server::start(settings, store.clone())
        .await
        .expect("started");
    let handle = server.state().offices["main"].clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));

    let mut saw_a_queue = false;
    let mut saw_lunch_pause = false;
    // The demo's staff stay after 17:45 until the queue is drained, which the office shows as
    // closed for the day. How late that is depends on how fast this machine commits (every
    // command costs simulated minutes at 3000×), so the test waits for it, up to 21:00.
    let end = at("2026-12-01T18:30:00+09:00");
    let latest_end = at("2026-12-01T21:00:00+09:00");
    let mut day_done = false;
    while clock.now() < end || (!day_done && clock.now() < latest_end) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let latest = handle.latest();
        if let Payload::Snapshot(snapshot) = &latest.message.payload {
            day_done = snapshot.calendar.phase == Phase::ClosedForTheDay;
            assert!(snapshot.demo, "everything the demo shows says DEMO");
            saw_a_queue |= snapshot.services.iter().map(|s| s.waiting).sum::<u32>() >= 5;
            saw_lunch_pause |= snapshot
                .counters
                .iter()
                .any(|c| c.state == queue_server::protocol::CounterState::Paused);
        }
    }
    drop(handle);
    let _ = stop.send(());
    served
        .await
        .expect("server task")
        .expect("served and stopped, the simulation with it");
    assert!(saw_a_queue, "the morning rush builds a queue");
    assert!(saw_lunch_pause, "lunch dips the staffing");

    // Read back from a separate connection to the same database file.
    let reopened = Store::open(dir.path()).await.expect("reopen");
    let day = reopened
        .load_day("main", NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"))
        .await
        .expect("day");
    assert!(
        day.tickets.len() >= 80,
        "a believable day: {} tickets",
        day.tickets.len()
    );
    let numbers: HashSet<_> = day.tickets.iter().map(|t| t.number.clone()).collect();
    assert_eq!(numbers.len(), day.tickets.len(), "numbers unique");
    let not_final: Vec<_> = day
        .tickets
        .iter()
        .filter(|t| !t.state.is_final())
        .map(|t| (t.number.clone(), t.state))
        .collect();
    assert!(not_final.is_empty(), "left open: {not_final:?}");
    assert!(day.tickets.iter().any(|t| t.state == TicketState::NoShow));
    assert!(
        day.tickets
            .iter()
            .all(|t| t.issued_at <= at("2026-12-01T17:45:00+09:00"))
    );
    assert!(
        day.tickets
            .iter()
            .filter(|t| t.estimate_at_issue.is_some())
            .count()
            > day.tickets.len() / 2,
        "estimates shown at issue are stored"
    );
}
