//! Two servers in one process on one PostgreSQL database, as two instances would run: each
//! decides on the latest state whatever the other did (the office's lock, then catching up),
//! and, following the database's notifications, publishes the other's changes to its own
//! viewers. Ignored, by name, without a test cluster (`QUEUE_TEST_POSTGRES`).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use queue_server::clock::StartedClock;
use queue_server::config::Config;
use queue_server::domain::Command;
use queue_server::office::{OfficeHandle, Outcome};
use queue_server::store::{self, Database, Store};
use queue_server::{Server, Settings};

fn open_day() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
        .expect("instant")
        .with_timezone(&Utc)
}

async fn instance(database: &Database, follow: bool) -> (Server, OfficeHandle) {
    let store = Store::connect(database).await.expect("store");
    let settings = Settings::new(
        Config::embedded().expect("config"),
        Arc::new(StartedClock::new(open_day())),
    );
    let server = Server::start(settings, store).await.expect("started");
    if follow {
        let listener = store::listen(database)
            .await
            .expect("listen")
            .expect("a PostgreSQL database");
        server.follow_other_instances(listener);
    }
    let office = server.state().offices["main"].clone();
    (server, office)
}

async fn issue(office: &OfficeHandle) -> String {
    let command = Command::Issue {
        service: "renewal".into(),
    };
    match office.execute(command, "test").await.expect("issued") {
        Outcome::Ticket(ticket) => ticket.number,
        other => panic!("not a ticket: {other:?}"),
    }
}

fn waiting(office: &OfficeHandle) -> usize {
    office.latest().queue.tickets().len()
}

#[tokio::test]
#[cfg_attr(
    not(postgres),
    ignore = "needs a PostgreSQL cluster: QUEUE_TEST_POSTGRES (see .ci/postgres)"
)]
async fn an_instance_that_heard_nothing_still_decides_on_the_other_instances_tickets() {
    let database = store::fresh_test_postgres()
        .await
        .expect("database")
        .expect("cluster");
    // Neither follows the notifications: only the office's lock and the catch-up under it
    // stand between them and a duplicate number.
    let (_a, a) = instance(&database, false).await;
    let (_b, b) = instance(&database, false).await;
    assert_eq!(issue(&a).await, "R001");
    assert_eq!(issue(&a).await, "R002");
    assert_eq!(waiting(&b), 0, "B has heard nothing yet");
    assert_eq!(issue(&b).await, "R003", "B caught up before deciding");
    assert_eq!(waiting(&b), 3, "and published what it caught up with");
    assert_eq!(issue(&a).await, "R004");
}

#[tokio::test]
#[cfg_attr(
    not(postgres),
    ignore = "needs a PostgreSQL cluster: QUEUE_TEST_POSTGRES (see .ci/postgres)"
)]
async fn an_instance_following_the_database_publishes_the_other_instances_changes() {
    let database = store::fresh_test_postgres()
        .await
        .expect("database")
        .expect("cluster");
    let (_a, a) = instance(&database, true).await;
    let (_b, b) = instance(&database, true).await;
    let mut seen_by_b = b.subscribe();
    issue(&a).await;
    tokio::time::timeout(Duration::from_secs(10), async {
        while waiting(&b) < 1 {
            seen_by_b.changed().await.expect("B publishes");
        }
    })
    .await
    .expect("B published A's ticket without a command of its own");
    assert_eq!(a.latest().message.seq, b.latest().message.seq, "same seq");
}
