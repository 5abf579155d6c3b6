//! The office task on a real SQLite store in a temporary directory: group commit, replies after
//! the commit, and what happens when the store refuses a batch.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio_util::task::TaskTracker;

use super::{IdempotencyKey, OfficeError, OfficeHandle, Outcome, start};
use crate::clock::{Clock, SharedClock, StartedClock};
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

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

/// A clock that stands still until the test moves it (midnight on demand).
#[derive(Debug)]
struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    fn at(text: &str) -> Arc<Self> {
        Arc::new(Self(Mutex::new(at(text))))
    }

    fn set(&self, text: &str) {
        *self.0.lock().expect("clock") = at(text);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

async fn main_office() -> Office {
    main_office_with(Arc::new(StartedClock::new(at(OPEN_DAY)))).await
}

async fn main_office_with(clock: SharedClock) -> Office {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("store");
    let handle = main_office_on(&store, clock).await;
    Office {
        handle,
        store,
        _dir: dir,
    }
}

/// The main office's task on `store` (a restart when the store has its data already).
async fn main_office_on(store: &Store, clock: SharedClock) -> OfficeHandle {
    let config = Arc::new(Config::embedded().expect("embedded config"));
    let office = config.office("main").expect("main office").clone();
    start(
        &office,
        config,
        store.clone(),
        clock,
        false,
        &TaskTracker::new(),
    )
    .await
    .expect("office started")
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
        .map(|t| t.number.to_string())
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

/// Every ticket of `date` in the store, as numbers in issue order.
async fn stored_numbers(store: &Store, date: &str) -> Vec<String> {
    store
        .load_day("main", date.parse().expect("date"))
        .await
        .expect("load")
        .tickets
        .into_iter()
        .map(|ticket| ticket.number.to_string())
        .collect()
}

/// The disk fills up in the middle of a batch: the third ticket's write needs pages the disk
/// no longer has (`PRAGMA max_page_count`; a trigger makes that write large, so the moment is
/// exact). The two commands before it and the two after it are not committed on their own,
/// every caller hears that nothing was written, and once there is room again numbers continue
/// without a gap, a reuse or a double.
#[tokio::test]
async fn a_disk_full_in_the_middle_of_a_batch_commits_none_of_it_and_the_next_batch_continues_the_numbers()
 {
    let office = main_office().await;
    number(office.handle.execute(issue(), "desk").await.expect("R001"));
    number(office.handle.execute(issue(), "desk").await.expect("R002"));
    let events_before = office.store.event_count().await.expect("events");
    office
        .store
        .on_writer(
            "CREATE TABLE ballast (bytes BLOB);
             CREATE TRIGGER fill_the_disk AFTER INSERT ON tickets WHEN NEW.seq_no = 5
             BEGIN INSERT INTO ballast VALUES (zeroblob(4000000)); END;",
        )
        .await
        .expect("trigger");
    office
        .store
        .on_writer("PRAGMA max_page_count = 200")
        .await
        .expect("disk nearly full");
    let published = office.handle.latest();

    // One batch: all five are queued before the task runs (single-threaded test runtime).
    let batch =
        futures_util::future::join_all((0..5).map(|_| office.handle.execute(issue(), "desk")))
            .await;
    for result in &batch {
        match result {
            Err(OfficeError::NotWritten(error)) => {
                assert!(error.to_string().contains("full"), "{error}")
            }
            other => panic!("every caller hears nothing was written, not {other:?}"),
        }
    }
    assert!(
        Arc::ptr_eq(&published, &office.handle.latest()),
        "nothing was published"
    );
    assert_eq!(
        stored_numbers(&office.store, "2026-12-01").await,
        ["R001", "R002"]
    );
    assert_eq!(
        office.store.event_count().await.expect("events"),
        events_before,
        "no event of the failed batch"
    );

    office
        .store
        .on_writer("PRAGMA max_page_count = 1073741823")
        .await
        .expect("room again");
    let next =
        futures_util::future::join_all((0..4).map(|_| office.handle.execute(issue(), "desk")))
            .await
            .into_iter()
            .map(|result| number(result.expect("issued after the disk has room")))
            .collect::<Vec<_>>();
    assert_eq!(next, ["R003", "R004", "R005", "R006"]);
    assert_eq!(
        stored_numbers(&office.store, "2026-12-01").await,
        ["R001", "R002", "R003", "R004", "R005", "R006"]
    );
    assert_eq!(
        office.store.event_count().await.expect("events"),
        events_before + 4
    );
}

/// A failed batch may leave the writer connection in a state of its own (here: switched to
/// read-only, as a connection can be left after an I/O error); it is thrown away, so the next
/// batch starts on a clean connection instead of failing forever.
#[tokio::test]
async fn after_a_failed_batch_the_writer_connection_is_replaced_so_the_next_batch_starts_clean() {
    let office = main_office().await;
    office
        .store
        .on_writer("PRAGMA query_only = ON")
        .await
        .expect("a broken connection");
    let failed = office.handle.execute(issue(), "desk").await;
    assert!(
        matches!(failed, Err(OfficeError::NotWritten(_))),
        "{failed:?}"
    );
    let next = office.handle.execute(issue(), "desk").await;
    assert_eq!(number(next.expect("the next batch works")), "R001");
}

fn issue_of(service: &str) -> Command {
    Command::Issue {
        service: service.into(),
    }
}

fn key(text: &str) -> Option<IdempotencyKey> {
    IdempotencyKey::parse(text)
}

/// A retry of an issue (the clerk's click sent twice, a proxy resending) under the same key,
/// also in the same batch as the first: one ticket, and every reply is the first one.
#[tokio::test]
async fn an_issue_sent_again_under_the_same_key_gets_the_first_ticket_also_in_the_same_batch() {
    let office = main_office().await;
    let same_batch = futures_util::future::join_all(
        (0..3).map(|_| office.handle.execute_once(issue(), "desk", key("click-1"))),
    )
    .await;
    let replies: Vec<Outcome> = same_batch
        .into_iter()
        .map(|result| result.expect("answered"))
        .collect();
    assert_eq!(replies[0], replies[1]);
    assert_eq!(replies[0], replies[2]);
    let later = office
        .handle
        .execute_once(issue(), "desk", key("click-1"))
        .await
        .expect("answered");
    assert_eq!(later, replies[0], "the first reply, byte for byte");
    let other = office
        .handle
        .execute_once(issue(), "desk", key("click-2"))
        .await
        .expect("a new key issues");
    assert_eq!(number(other), "R002");
    assert_eq!(
        stored_numbers(&office.store, "2026-12-01").await,
        ["R001", "R002"]
    );
}

/// A key first used for one service and sent again for another is a client's mistake, not a
/// retry: refused, and nothing is issued.
#[tokio::test]
async fn the_same_key_for_another_service_is_refused_and_issues_nothing() {
    let office = main_office().await;
    office
        .handle
        .execute_once(issue(), "desk", key("click-1"))
        .await
        .expect("issued");
    let reused = office
        .handle
        .execute_once(issue_of("legal_representative"), "desk", key("click-1"))
        .await;
    assert!(
        matches!(reused, Err(OfficeError::IdempotencyKeyReused)),
        "{reused:?}"
    );
    assert_eq!(stored_numbers(&office.store, "2026-12-01").await, ["R001"]);
}

/// The key is on disk with the ticket: a retry that reaches a restarted server (the first
/// reply was lost with the crash) gets the ticket that was written, not a second one.
#[tokio::test]
async fn a_key_is_remembered_across_a_restart_on_the_same_store() {
    let office = main_office().await;
    let first = office
        .handle
        .execute_once(issue(), "desk", key("click-1"))
        .await
        .expect("issued");
    let restarted = main_office_on(&office.store, Arc::new(StartedClock::new(at(OPEN_DAY)))).await;
    drop(office.handle);
    let retried = restarted
        .execute_once(issue(), "desk", key("click-1"))
        .await
        .expect("answered");
    assert_eq!(retried, first);
    assert_eq!(stored_numbers(&office.store, "2026-12-01").await, ["R001"]);
}

/// A batch that fails takes its keys with it: the retry under the same key (the caller heard
/// "not written") issues the ticket then, once.
#[tokio::test]
async fn a_key_of_a_failed_batch_is_not_remembered_so_the_retry_issues_once() {
    let office = main_office().await;
    office
        .store
        .on_writer("PRAGMA query_only = ON")
        .await
        .expect("refusing");
    let failed = office
        .handle
        .execute_once(issue(), "desk", key("click-1"))
        .await;
    assert!(
        matches!(failed, Err(OfficeError::NotWritten(_))),
        "{failed:?}"
    );
    let retried = office
        .handle
        .execute_once(issue(), "desk", key("click-1"))
        .await
        .expect("issued on retry");
    assert_eq!(number(retried), "R001");
    let again = office
        .handle
        .execute_once(issue(), "desk", key("click-1"))
        .await
        .expect("answered");
    assert_eq!(number(again), "R001");
    assert_eq!(stored_numbers(&office.store, "2026-12-01").await, ["R001"]);
}

/// Midnight comes while the store refuses to close the day before (a lock held past the busy
/// timeout; here a trigger refuses the expiry). Until the new day loads, every command is
/// refused with "not written", instead of being decided on yesterday's queue and issuing
/// today's tickets under yesterday's date and numbers. Once the store answers, the day rolls
/// over, the expiry is logged and counted, and numbers start again at 1.
#[tokio::test]
async fn a_failed_midnight_rollover_refuses_commands_until_the_new_day_loads() {
    let clock = ManualClock::at(OPEN_DAY);
    let office = main_office_with(clock.clone()).await;
    number(office.handle.execute(issue(), "desk").await.expect("R001"));
    office
        .store
        .on_writer(
            "CREATE TRIGGER store_busy BEFORE UPDATE OF state ON tickets
             WHEN NEW.state = 'expired'
             BEGIN SELECT RAISE(ABORT, 'database is locked'); END;",
        )
        .await
        .expect("trigger");

    clock.set("2026-12-02T10:00:00+09:00");
    for _ in 0..2 {
        let refused = office.handle.execute(issue(), "desk").await;
        assert!(
            matches!(refused, Err(OfficeError::NotWritten(_))),
            "{refused:?}"
        );
    }
    assert_eq!(stored_numbers(&office.store, "2026-12-01").await, ["R001"]);
    assert!(stored_numbers(&office.store, "2026-12-02").await.is_empty());
    assert_eq!(
        office
            .handle
            .counters()
            .date_changes_expiring_tickets
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );

    office
        .store
        .on_writer("DROP TRIGGER store_busy")
        .await
        .expect("store answers again");
    let ticket = match office.handle.execute(issue(), "desk").await {
        Ok(Outcome::Ticket(ticket)) => ticket,
        other => panic!("issued on the new day, not {other:?}"),
    };
    assert_eq!(ticket.number, "R001");
    assert_eq!(ticket.business_date, "2026-12-02");
    let counters = office.handle.counters();
    let load =
        |value: &std::sync::atomic::AtomicU64| value.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(load(&counters.date_changes_expiring_tickets), 1);
    assert_eq!(load(&counters.tickets_expired_by_date_change), 1);
    let yesterday = office
        .store
        .load_day("main", "2026-12-01".parse().expect("date"))
        .await
        .expect("load");
    assert_eq!(
        yesterday.tickets[0].state,
        crate::protocol::TicketState::Expired
    );
}

/// Commands that publish nothing (refused ones) arrive more often than the refresh interval;
/// the snapshot is still refreshed on time, since commands never push its deadline back.
#[tokio::test]
async fn refused_commands_cannot_starve_the_periodic_refresh() {
    let clock = ManualClock::at(OPEN_DAY);
    let office = main_office_with(clock).await;
    // Paused only now: the store's own timeouts run in real time while it opens. From here
    // on nothing touches the store (refused commands, a refresh at a clock that stands still).
    tokio::time::pause();
    let first = office.handle.latest();
    let step = crate::protocol::feed::REFRESH_INTERVAL / 4;
    for _ in 0..12 {
        let refused = office
            .handle
            .execute(Command::CallNext("1".into()), "window")
            .await;
        assert!(
            matches!(refused, Err(OfficeError::Domain(_))),
            "{refused:?}"
        );
        tokio::time::sleep(step).await;
    }
    assert!(
        !Arc::ptr_eq(&first, &office.handle.latest()),
        "three refresh intervals passed without a refresh"
    );
}

/// The same fault seen from the staff API: every request of the failed batch gets 503 with the
/// JSON envelope's `unavailable` (not a 500, not a ticket), and nothing is issued.
#[tokio::test]
async fn when_a_batch_cannot_be_written_every_http_caller_gets_503_unavailable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("store");
    let secret = "qs_test_issuer";
    store
        .token_insert(
            "desk",
            "issuer",
            &crate::auth::hash_secret(secret),
            at(OPEN_DAY),
        )
        .await
        .expect("token");
    let settings = crate::Settings::new(
        Config::embedded().expect("config"),
        Arc::new(StartedClock::new(at(OPEN_DAY))),
    );
    let server = crate::Server::start(settings, store.clone())
        .await
        .expect("started");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/api/v1/offices/main/tickets",
        listener.local_addr().expect("address")
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));
    // A fault that outlives the writer connection (each failed batch replaces it).
    store
        .on_writer(
            "CREATE TRIGGER disk_error BEFORE INSERT ON tickets
             BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
        )
        .await
        .expect("a store that cannot write");
    let client = reqwest::Client::new();
    let send = || {
        client
            .post(&url)
            .bearer_auth(secret)
            .json(&serde_json::json!({ "service": "renewal" }))
            .send()
    };
    let replies = futures_util::future::join_all((0..3).map(|_| send())).await;
    for reply in replies {
        let reply = reply.expect("answered");
        assert_eq!(reply.status().as_u16(), 503);
        let body: serde_json::Value = reply.json().await.expect("JSON envelope");
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
    }
    assert!(stored_numbers(&store, "2026-12-01").await.is_empty());
    store
        .on_writer("DROP TRIGGER disk_error")
        .await
        .expect("repaired");
    let reply = send().await.expect("answered");
    assert_eq!(reply.status().as_u16(), 201);
    let _ = stop.send(());
    serving.await.expect("served").expect("clean stop");
}
