//! The office task on a real SQLite store in a temporary directory: group commit, replies after
//! the commit, and what happens when the store refuses a batch.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio_util::task::TaskTracker;

use super::{OfficeError, OfficeHandle, Outcome, start};
use crate::clock::{SharedClock, StartedClock};
use crate::config::Config;
use crate::domain::Command;
use crate::store::Store;

/// A Tuesday at 10:00 in Japan: reception is open.
const OPEN_DAY: &str = "2026-12-01T10:00:00+09:00";

struct Office {
    handle: OfficeHandle,
    store: Store,
    _dir: tempfile::TempDir,
}

async fn main_office() -> Office {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("store");
    let config = Arc::new(Config::embedded().expect("embedded config"));
    let start_at: DateTime<Utc> = DateTime::parse_from_rfc3339(OPEN_DAY)
        .expect("instant")
        .with_timezone(&Utc);
    let clock: SharedClock = Arc::new(StartedClock::new(start_at));
    let office = config.office("main").expect("main office").clone();
    let handle = start(
        &office,
        config,
        store.clone(),
        clock,
        false,
        &TaskTracker::new(),
    )
    .await
    .expect("office started");
    Office {
        handle,
        store,
        _dir: dir,
    }
}

fn issue() -> Command {
    Command::Issue {
        service: "renewal".into(),
    }
}

fn number(outcome: Outcome) -> String {
    match outcome {
        Outcome::Ticket(ticket) => ticket.number,
        other => panic!("an issue replies with a ticket, not {other:?}"),
    }
}

#[tokio::test]
async fn concurrent_issues_are_all_written_and_answered_with_their_own_numbers() {
    let office = main_office().await;
    let before = office.handle.latest().message.seq;
    let issues = (0..5).map(|_| office.handle.execute(issue(), "desk"));
    let mut numbers: Vec<String> = futures_util::future::join_all(issues)
        .await
        .into_iter()
        .map(|result| number(result.expect("issued")))
        .collect();
    numbers.sort();
    assert_eq!(numbers, ["R001", "R002", "R003", "R004", "R005"]);
    let latest = office.handle.latest();
    assert_eq!(latest.queue.tickets().len(), 5);
    assert!(latest.message.seq >= before + 5, "every change raised seq");
}

#[tokio::test]
async fn when_the_store_refuses_a_batch_every_caller_hears_it_nothing_is_published_and_the_day_is_reloaded()
 {
    let office = main_office().await;
    number(office.handle.execute(issue(), "desk").await.expect("first"));
    let published = office.handle.latest();

    office.store.refuse_writes(true).await.expect("refusing");
    let refused =
        futures_util::future::join_all((0..3).map(|_| office.handle.execute(issue(), "desk")))
            .await;
    for result in &refused {
        assert!(
            matches!(result, Err(OfficeError::NotWritten(_))),
            "{result:?}"
        );
    }
    assert!(
        Arc::ptr_eq(&published, &office.handle.latest()),
        "nothing was published"
    );

    office.store.refuse_writes(false).await.expect("accepting");
    let next = number(office.handle.execute(issue(), "desk").await.expect("next"));
    assert_eq!(next, "R002", "the refused batch took no number");
    let tickets: Vec<String> = office
        .handle
        .latest()
        .queue
        .tickets()
        .iter()
        .map(|t| t.number.clone())
        .collect();
    assert_eq!(
        tickets,
        ["R001", "R002"],
        "memory was reloaded: no trace of the refused batch"
    );
}

#[tokio::test]
async fn a_command_the_domain_refuses_changes_nothing_and_does_not_publish() {
    let office = main_office().await;
    let published = office.handle.latest();
    let refused = office
        .handle
        .execute(Command::CallNext("1".into()), "window")
        .await;
    assert!(
        matches!(refused, Err(OfficeError::Domain(_))),
        "{refused:?}"
    );
    assert!(Arc::ptr_eq(&published, &office.handle.latest()));
}
