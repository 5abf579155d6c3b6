use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::domain::{Change, Decision, Recorded, Reply, TicketAction};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

fn issue(service: &str, prefix: &str) -> Decision {
    Decision {
        event: "ticket_issued",
        changes: vec![Change::Issue {
            service: service.into(),
            prefix: prefix.into(),
            waiting_ahead: 0,
            estimate: Some(crate::domain::ShownEstimate::new(10, 20, 14.5)),
        }],
        reply: Reply::IssuedTicket,
    }
}

async fn record_one(store: &Store, date: &str, decision: &Decision) -> Recorded {
    let mut batch = store.begin().await.expect("begin");
    let recorded = batch
        .record(
            "main",
            day(date),
            decision,
            "test",
            at("2026-12-01T10:00:00+09:00"),
        )
        .await
        .expect("recorded");
    batch.commit().await.expect("commit");
    recorded
}

#[tokio::test]
async fn numbers_continue_after_reopening_the_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    record_one(&store, "2026-12-01", &issue("renewal", "R")).await;
    record_one(&store, "2026-12-01", &issue("renewal", "R")).await;
    store.close().await;

    let store = Store::open(dir.path()).await.expect("reopen");
    let third = record_one(&store, "2026-12-01", &issue("renewal", "R")).await;
    assert_eq!(third.issued.map(|i| i.seq_no), Some(3));
    let stored = store
        .load_day("main", day("2026-12-01"))
        .await
        .expect("load");
    let numbers: Vec<_> = stored.tickets.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(numbers, ["R001", "R002", "R003"]);
    assert_eq!(stored.last_seq, 3);
    assert_eq!(
        stored.tickets[0].estimate_at_issue,
        Some(crate::domain::ShownEstimate::new(10, 20, 14.5))
    );
}

#[tokio::test]
async fn a_new_business_day_starts_numbers_again_at_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    record_one(&store, "2026-12-01", &issue("renewal", "R")).await;
    let next_day = record_one(&store, "2026-12-02", &issue("renewal", "R")).await;
    assert_eq!(next_day.issued.map(|i| i.seq_no), Some(1));
}

#[tokio::test]
async fn an_uncommitted_batch_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    {
        let mut batch = store.begin().await.expect("begin");
        batch
            .record(
                "main",
                day("2026-12-01"),
                &issue("renewal", "R"),
                "test",
                Utc::now(),
            )
            .await
            .expect("recorded");
    }
    let stored = store
        .load_day("main", day("2026-12-01"))
        .await
        .expect("load");
    assert!(stored.tickets.is_empty());
    let again = record_one(&store, "2026-12-01", &issue("renewal", "R")).await;
    assert_eq!(again.issued.map(|i| i.seq_no), Some(1));
}

#[tokio::test]
async fn leftover_tickets_of_earlier_days_are_expired_with_an_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    let first = record_one(&store, "2026-12-01", &issue("renewal", "R")).await;
    let second = record_one(&store, "2026-12-01", &issue("renewal", "R")).await;
    let cancel = Decision {
        event: "ticket_cancelled",
        changes: vec![Change::Ticket {
            id: second.issued.as_ref().map(|i| i.id).expect("id"),
            action: TicketAction::Cancel,
            to: TicketState::Cancelled,
            counter: None,
        }],
        reply: Reply::Ticket(0),
    };
    record_one(&store, "2026-12-01", &cancel).await;
    let expired = store
        .expire_earlier_days("main", day("2026-12-02"), at("2026-12-02T08:00:00+09:00"))
        .await
        .expect("expired");
    assert_eq!(
        expired,
        Expired {
            tickets: 1,
            last_day: Some(day("2026-12-01"))
        }
    );
    let stored = store
        .load_day("main", day("2026-12-01"))
        .await
        .expect("load");
    let states: Vec<_> = stored.tickets.iter().map(|t| (t.id, t.state)).collect();
    assert_eq!(
        states,
        [
            (
                first.issued.map(|i| i.id).expect("id"),
                TicketState::Expired
            ),
            (
                second.issued.map(|i| i.id).expect("id"),
                TicketState::Cancelled
            )
        ]
    );
    assert_eq!(store.event_count().await.expect("count"), 4);
}

#[tokio::test]
async fn counter_states_and_reception_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    let open = Decision {
        event: "counter_opened",
        changes: vec![Change::Counter {
            id: "2".into(),
            state: CounterState::Open,
        }],
        reply: Reply::Counter("2".into()),
    };
    let suspend = Decision {
        event: "reception_suspended",
        changes: vec![Change::Reception(Reception {
            suspended: true,
            reason_code: Some(crate::protocol::SuspensionReason::SystemOutage),
            note: Some("J-LIS障害、復旧見込み14時".into()),
        })],
        reply: Reply::Reception,
    };
    record_one(&store, "2026-12-01", &open).await;
    record_one(&store, "2026-12-01", &suspend).await;
    store.close().await;
    let store = Store::open(dir.path()).await.expect("reopen");
    let stored = store
        .load_day("main", day("2026-12-01"))
        .await
        .expect("load");
    assert_eq!(
        stored.counter_states,
        [("2".to_string(), CounterState::Open)]
    );
    assert!(stored.reception.suspended);
    assert_eq!(
        stored.reception.reason_code,
        Some(crate::protocol::SuspensionReason::SystemOutage)
    );
    assert_eq!(
        stored.reception.note.as_deref(),
        Some("J-LIS障害、復旧見込み14時")
    );
    let next_day = store
        .load_day("main", day("2026-12-02"))
        .await
        .expect("load");
    assert!(
        next_day.counter_states.is_empty(),
        "counters start each day closed"
    );
}

#[tokio::test]
async fn token_names_are_unique_and_revocation_takes_effect() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    let now = Utc::now();
    store
        .token_insert("desk", "issuer", "aa", now)
        .await
        .expect("insert");
    assert!(matches!(
        store.token_insert("desk", "counter", "bb", now).await,
        Err(StoreError::TokenNameTaken(_))
    ));
    assert_eq!(store.tokens_active().await.expect("list").len(), 1);
    assert!(store.token_revoke("desk", now).await.expect("revoke"));
    assert!(!store.token_revoke("desk", now).await.expect("revoke twice"));
    assert!(store.tokens_active().await.expect("list").is_empty());
    assert_eq!(store.tokens_all().await.expect("all").len(), 1);
}

#[tokio::test]
async fn a_backup_is_a_readable_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    record_one(&store, "2026-12-01", &issue("renewal", "R")).await;
    let copy_dir = tempfile::tempdir().expect("tempdir");
    store
        .backup(&copy_dir.path().join(DATABASE_FILE))
        .await
        .expect("backup");
    let copy = Store::open(copy_dir.path()).await.expect("open copy");
    let stored = copy
        .load_day("main", day("2026-12-01"))
        .await
        .expect("load");
    assert_eq!(stored.tickets.len(), 1);
}
