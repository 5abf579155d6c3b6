//! The business day ends at midnight Japan time: tickets still open are closed as `expired` at
//! the next day's start, numbers start again at 1, and every counter starts the day closed.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use queue_server::clock::StartedClock;
use queue_server::config::Config;
use queue_server::domain::Command;
use queue_server::office::Outcome;
use queue_server::protocol::{CounterState, Payload, TicketState};
use queue_server::store::Store;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

async fn office_at(store: &Store, now: &str) -> queue_server::office::OfficeHandle {
    let settings = queue_server::Settings::new(
        Config::embedded().expect("config"),
        Arc::new(StartedClock::new(at(now))),
    );
    let server = queue_server::Server::start(settings, store.clone())
        .await
        .expect("started");
    server.state().offices["main"].clone()
}

#[tokio::test]
async fn at_midnight_open_tickets_expire_and_the_new_day_starts_at_one_with_counters_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("store");
    {
        let office = office_at(&store, "2026-12-01T10:00:00+09:00").await;
        for _ in 0..2 {
            office
                .execute(
                    Command::Issue {
                        service: "renewal".into(),
                    },
                    "desk",
                )
                .await
                .expect("issued");
        }
        office
            .execute(Command::OpenCounter("1".into()), "window")
            .await
            .expect("opened");
        office
            .execute(Command::CallNext("1".into()), "window")
            .await
            .expect("called");
    }

    // The same server, late that night: midnight (15:00 UTC) passes while it runs.
    let office = office_at(&store, "2026-12-01T23:59:59+09:00").await;
    assert_eq!(
        office.latest().queue.tickets().len(),
        2,
        "still the 1st before midnight"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while office.latest().queue.business_date() != day("2026-12-02") {
        assert!(
            std::time::Instant::now() < deadline,
            "no rollover at midnight"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let latest = office.latest();
    assert!(latest.queue.issued() == 0);
    assert!(
        latest
            .queue
            .counters()
            .iter()
            .all(|c| c.state == CounterState::Closed)
    );
    let Payload::Snapshot(snapshot) = &latest.message.payload else {
        panic!("a snapshot");
    };
    assert_eq!(snapshot.calendar.business_date, "2026-12-02");
    assert_eq!(snapshot.services[0].waiting, 0);

    let yesterday = store
        .load_day("main", day("2026-12-01"))
        .await
        .expect("load");
    let states: Vec<_> = yesterday.tickets.iter().map(|t| t.state).collect();
    assert_eq!(states, [TicketState::Expired, TicketState::Expired]);

    // Numbers start again at 1 on the new day (an open Wednesday).
    let office = office_at(&store, "2026-12-02T09:00:00+09:00").await;
    let Outcome::Ticket(ticket) = office
        .execute(
            Command::Issue {
                service: "renewal".into(),
            },
            "desk",
        )
        .await
        .expect("issued")
    else {
        panic!("a ticket");
    };
    assert_eq!(ticket.number, "R001");
}
