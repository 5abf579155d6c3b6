use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::domain::{Change, Decision, Recorded, Reply, TicketAction};

/// A database for one test: a SQLite file in a temporary directory, or a new database on the
/// test PostgreSQL cluster.
struct TestDb {
    database: Database,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    async fn new(engine: Engine) -> Self {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                Self {
                    database: Database::in_data_dir(dir.path()),
                    _dir: Some(dir),
                }
            }
            Engine::Postgres => Self {
                database: database::fresh_test_postgres()
                    .await
                    .expect("test database")
                    .expect("QUEUE_TEST_POSTGRES names the test cluster"),
                _dir: None,
            },
        }
    }

    /// Opens (the first time: creates and migrates) the test's database.
    async fn open(&self) -> Store {
        Store::connect(&self.database).await.expect("open")
    }
}

/// One test on each engine: `NAME::sqlite` and `NAME::postgres` (ignored, by name, without
/// a test cluster).
macro_rules! on_both_engines {
    (async fn $name:ident($db:ident: TestDb) $body:block) => {
        mod $name {
            use super::*;

            async fn run($db: TestDb) $body

            #[tokio::test]
            async fn sqlite() {
                run(TestDb::new(Engine::Sqlite).await).await;
            }

            #[tokio::test]
            #[cfg_attr(
                not(postgres),
                ignore = "needs a PostgreSQL cluster: QUEUE_TEST_POSTGRES (see .ci/postgres)"
            )]
            async fn postgres() {
                run(TestDb::new(Engine::Postgres).await).await;
            }
        }
    };
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("valid date")
}

/// Ticket `seq_no` of `prefix` (the queue numbers tickets; the store writes what it is given).
fn issue(service: &str, prefix: &str, seq_no: u32) -> Decision {
    Decision {
        event: "ticket_issued",
        changes: vec![Change::Issue {
            service: service.into(),
            prefix: prefix.into(),
            seq_no,
            waiting_ahead: 0,
            estimate: Some(crate::domain::ShownEstimate::new(10, 20, 14.5)),
        }],
        reply: Reply::IssuedTicket,
    }
}

async fn record_one(store: &Store, date: &str, decision: &Decision) -> Recorded {
    let mut batch = store.begin("main").await.expect("begin");
    let (recorded, _) = batch
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

on_both_engines! {
    async fn each_prefix_keeps_its_last_number_of_the_day_across_reopening(db: TestDb) {
        let store = db.open().await;
        record_one(&store, "2026-12-01", &issue("renewal", "R", 1)).await;
        record_one(&store, "2026-12-01", &issue("renewal", "R", 2)).await;
        record_one(&store, "2026-12-01", &issue("proxy_notice", "D", 1)).await;
        store.close().await;

        let store = db.open().await;
        let third = record_one(&store, "2026-12-01", &issue("renewal", "R", 3)).await;
        assert_eq!(third.issued.map(|i| i.seq_no), Some(3));
        let stored = store
            .load_day("main", day("2026-12-01"))
            .await
            .expect("load");
        let numbers: Vec<_> = stored.tickets.iter().map(|t| &*t.number).collect();
        assert_eq!(numbers, ["R001", "R002", "D001", "R003"]);
        let mut last = stored.last_numbers.clone();
        last.sort();
        assert_eq!(last, [("D".to_string(), 1), ("R".to_string(), 3)]);
        assert_eq!(stored.last_seq, 4);
        assert_eq!(
            stored.tickets[0].estimate_at_issue,
            Some(crate::domain::ShownEstimate::new(10, 20, 14.5))
        );
    }
}

on_both_engines! {
    async fn a_new_business_day_starts_numbers_again_at_one(db: TestDb) {
        let store = db.open().await;
        record_one(&store, "2026-12-01", &issue("renewal", "R", 1)).await;
        let next_day = store
            .load_day("main", day("2026-12-02"))
            .await
            .expect("load");
        assert!(next_day.last_numbers.is_empty());
    }
}

on_both_engines! {
    async fn an_uncommitted_batch_leaves_nothing_behind(db: TestDb) {
        let store = db.open().await;
        {
            let mut batch = store.begin("main").await.expect("begin");
            batch
                .record(
                    "main",
                    day("2026-12-01"),
                    &issue("renewal", "R", 1),
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
        assert!(stored.last_numbers.is_empty());
        let again = record_one(&store, "2026-12-01", &issue("renewal", "R", 1)).await;
        assert_eq!(again.issued.map(|i| i.seq_no), Some(1));
    }
}

// A batch writes its commands' events at commit: each command's slot gets its own event's
// sequence, in the order the commands were recorded, and a call's event names its ticket.
on_both_engines! {
    async fn a_batch_gives_each_command_the_sequence_of_its_own_event(db: TestDb) {
        let store = db.open().await;
        let before = record_one(&store, "2026-12-01", &issue("renewal", "R", 1)).await;
        let mut batch = store.begin("main").await.expect("begin");
        let mut slots = Vec::new();
        let mut issued = Vec::new();
        for seq_no in [2, 3] {
            let (recorded, slot) = batch
                .record("main", day("2026-12-01"), &issue("renewal", "R", seq_no), "test", Utc::now())
                .await
                .expect("recorded");
            issued.push(recorded.issued.expect("issued").id);
            slots.push(slot);
        }
        let call = Decision {
            event: "ticket_called",
            changes: vec![Change::Ticket {
                id: issued[1],
                action: TicketAction::Call,
                to: TicketState::Called,
                counter: Some("1".into()),
            }],
            reply: Reply::Ticket(issued[1]),
        };
        let (_, call_slot) = batch
            .record("main", day("2026-12-01"), &call, "test", Utc::now())
            .await
            .expect("recorded");
        slots.push(call_slot);
        let committed = batch.commit().await.expect("commit");
        let seqs: Vec<u64> = slots
            .iter()
            .map(|slot| committed.seq(*slot).expect("a sequence"))
            .collect();
        assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "{seqs:?}");
        assert_eq!(committed.last_seq(), seqs.last().copied());
        let stored = store.load_day("main", day("2026-12-01")).await.expect("load");
        assert_eq!(stored.last_seq, seqs[2]);
        let calls = store.calls_after("main", 0).await.expect("calls");
        assert_eq!(calls, [(seqs[2], issued[1], false)]);
        assert_eq!(before.issued.map(|i| i.seq_no), Some(1));
    }
}

// A batch's new tickets are written at commit, under the ids they were given when recorded
// (above every earlier ticket's, each its own; on PostgreSQL drawn in blocks, so more than
// one draw here); a ticket issued and called in one batch is stored called; a key
// remembered in the batch is found by a retry in it, and after the commit.
on_both_engines! {
    async fn a_batch_writes_its_new_tickets_under_the_ids_it_gave_them(db: TestDb) {
        let store = db.open().await;
        let date = day("2026-12-01");
        let id_of = |recorded: Recorded| recorded.issued.map(|i| i.id).expect("issued");
        let earlier = id_of(record_one(&store, "2026-12-01", &issue("renewal", "R", 1)).await);
        let mut batch = store.begin("main").await.expect("begin");
        let mut ids = vec![earlier];
        for seq_no in 2..=11 {
            let (recorded, _) = batch
                .record("main", date, &issue("renewal", "R", seq_no), "test", Utc::now())
                .await
                .expect("recorded");
            ids.push(id_of(recorded));
        }
        let first_reply = RememberedIssue {
            service: "renewal".into(),
            reply: "{\"number\":\"R002\"}".into(),
        };
        assert_eq!(batch.remembered_issue("main", date, "key-1").await.expect("read"), None);
        batch.remember_issue(date, "key-1", ids[1], first_reply.clone());
        assert_eq!(
            batch.remembered_issue("main", date, "key-1").await.expect("read"),
            Some(first_reply.clone())
        );
        let call = Decision {
            event: "ticket_called",
            changes: vec![Change::Ticket {
                id: ids[10],
                action: TicketAction::Call,
                to: TicketState::Called,
                counter: Some("1".into()),
            }],
            reply: Reply::Ticket(ids[10]),
        };
        batch.record("main", date, &call, "test", Utc::now()).await.expect("recorded");
        batch.commit().await.expect("commit");
        ids.push(id_of(record_one(&store, "2026-12-01", &issue("renewal", "R", 12)).await));
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");

        let stored = store.load_day("main", date).await.expect("load");
        let rows: Vec<_> = stored.tickets.iter().map(|t| (t.id, t.number.to_string())).collect();
        let expected: Vec<_> = ids
            .iter()
            .zip(1..)
            .map(|(id, seq_no)| (*id, format!("R{seq_no:03}")))
            .collect();
        assert_eq!(rows, expected);
        assert_eq!(stored.tickets[10].state, TicketState::Called);
        assert!(stored.tickets[..10].iter().all(|t| t.state == TicketState::Waiting));
        let mut batch = store.begin("main").await.expect("begin");
        assert_eq!(
            batch.remembered_issue("main", date, "key-1").await.expect("read"),
            Some(first_reply)
        );
    }
}

on_both_engines! {
    async fn leftover_tickets_of_earlier_days_are_expired_with_an_event(db: TestDb) {
        let store = db.open().await;
        let first = record_one(&store, "2026-12-01", &issue("renewal", "R", 1)).await;
        let second = record_one(&store, "2026-12-01", &issue("renewal", "R", 2)).await;
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
}

on_both_engines! {
    async fn counter_states_and_reception_survive_a_restart(db: TestDb) {
        let store = db.open().await;
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
        let store = db.open().await;
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
}

/// The test's store with one issuer token, `desk`, made now.
async fn with_desk_token(db: &TestDb) -> (Store, DateTime<Utc>) {
    let store = db.open().await;
    let now = Utc::now();
    store
        .token_insert("desk", "issuer", "aa", now)
        .await
        .expect("insert");
    (store, now)
}

on_both_engines! {
    async fn token_names_are_unique_and_revocation_takes_effect(db: TestDb) {
        let (store, now) = with_desk_token(&db).await;
        assert!(matches!(
            store.token_insert("desk", "counter", "bb", now).await,
            Err(StoreError::TokenNameTaken(_))
        ));
        assert_eq!(store.tokens_active().await.expect("list").len(), 1);
        assert!(
            store
                .token_revoke("desk", "cli", now)
                .await
                .expect("revoke")
        );
        assert!(
            !store
                .token_revoke("desk", "cli", now)
                .await
                .expect("revoke twice")
        );
        assert!(store.tokens_active().await.expect("list").is_empty());
        assert_eq!(store.tokens_all().await.expect("all").len(), 1);
    }
}

on_both_engines! {
    async fn token_checks_at_once_share_one_read_begun_after_each_arrived(db: TestDb) {
        let (store, _) = with_desk_token(&db).await;
        // Sixteen checks at once: the first reads; the others arrived after that read began,
        // so they wait for the next one, which they share (two reads in all, unless a read
        // ends before the next check arrives: then it reads anew, so try a few times).
        let mut fewest = u64::MAX;
        for _ in 0..5 {
            let before = store.token_reads();
            let checks =
                futures_util::future::join_all((0..16).map(|_| store.tokens_active())).await;
            for records in checks {
                assert_eq!(records.expect("tokens").len(), 1);
            }
            fewest = fewest.min(store.token_reads() - before);
        }
        assert!(fewest <= 4, "sixteen checks at once took {fewest} reads");
    }
}

on_both_engines! {
    async fn a_token_check_never_takes_a_read_begun_before_it_arrived(db: TestDb) {
        let (store, now) = with_desk_token(&db).await;
        // A check begins its read (which may even end at once); the token is revoked; a check
        // that arrives now must not take the first read's answer, whenever that read ran.
        let mut first = Box::pin(futures_util::future::maybe_done(store.tokens_active()));
        let _ = futures_util::poll!(&mut first);
        assert!(store.token_revoke("desk", "cli", now).await.expect("revoke"));
        let (_, after) = tokio::join!(first, store.tokens_active());
        assert!(after.expect("tokens").is_empty());
    }
}

#[tokio::test]
async fn a_backup_is_a_readable_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    record_one(&store, "2026-12-01", &issue("renewal", "R", 1)).await;
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

on_both_engines! {
    async fn creating_and_revoking_a_token_are_events_in_the_audit_log(db: TestDb) {
        let store = db.open().await;
        let created = at("2026-12-01T10:00:00+09:00");
        let token = NewToken {
            name: "desk",
            role: "issuer",
            hash: "aa",
            office: Some("main"),
            expires_at: Some(at("2027-04-01T00:00:00+09:00")),
        };
        store
            .token_create(&token, "cli", created)
            .await
            .expect("created");
        assert!(matches!(
            store.token_create(&token, "cli", created).await,
            Err(StoreError::TokenNameTaken(_))
        ));
        let revoked = at("2026-12-02T09:00:00+09:00");
        assert!(
            store
                .token_revoke("desk", "cli", revoked)
                .await
                .expect("revoked")
        );
        assert!(
            !store
                .token_revoke("desk", "cli", revoked)
                .await
                .expect("no-op")
        );
        let events: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT office, business_date, at, kind, actor, detail FROM events ORDER BY seq",
        )
        .fetch_all(&store.read)
        .await
        .expect("events");
        assert_eq!(
            events.len(),
            2,
            "one event each, none for refusals: {events:?}"
        );
        let (office, date, when, kind, actor, detail) = &events[0];
        assert_eq!(
            (
                office.as_str(),
                date.as_str(),
                kind.as_str(),
                actor.as_str()
            ),
            (TOKEN_EVENTS_OFFICE, "2026-12-01", "token_created", "cli")
        );
        assert_eq!(parse_timestamp(when.clone()).expect("instant"), created);
        let detail: serde_json::Value = serde_json::from_str(detail).expect("JSON");
        assert_eq!(detail["name"], "desk");
        assert_eq!(detail["role"], "issuer");
        assert_eq!(detail["office"], "main");
        assert!(detail.get("hash").is_none(), "never the hash: {detail}");
        let (_, date, _, kind, _, detail) = &events[1];
        assert_eq!(
            (date.as_str(), kind.as_str()),
            ("2026-12-02", "token_revoked")
        );
        assert!(detail.contains("desk"), "{detail}");
    }
}

on_both_engines! {
    async fn a_token_keeps_its_office_and_expiry_and_still_counts_once_revoked(db: TestDb) {
        let store = db.open().await;
        assert!(!store.tokens_exist().await.expect("none yet"));
        let expires = at("2027-04-01T00:00:00+09:00");
        let token = NewToken {
            name: "desk",
            role: "issuer",
            hash: "aa",
            office: Some("center"),
            expires_at: Some(expires),
        };
        let now = at("2026-12-01T10:00:00+09:00");
        store
            .token_create(&token, "cli", now)
            .await
            .expect("created");
        let active = store.tokens_active().await.expect("active");
        assert_eq!(active[0].office.as_deref(), Some("center"));
        assert_eq!(active[0].expires_at, Some(expires));
        store
            .token_revoke("desk", "cli", now)
            .await
            .expect("revoked");
        assert!(
            store.tokens_exist().await.expect("exist"),
            "a revoked token still counts: the first admin token is never minted again"
        );
        let listed = store.tokens_all().await.expect("all");
        assert_eq!(listed[0].office.as_deref(), Some("center"));
        assert_eq!(listed[0].revoked_at, Some(now));
    }
}

#[tokio::test]
async fn a_missing_database_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("typo");
    assert!(matches!(
        Store::open_existing(&Database::in_data_dir(&data)).await,
        Err(ExistingError::Missing(_))
    ));
    assert!(!data.exists(), "no data directory made");
    let copy = dir.path().join("copy.db");
    assert!(matches!(
        backup_existing(&Database::in_data_dir(&data), &copy).await,
        Err(BackupError::Source(ExistingError::Missing(_)))
    ));
    assert!(!copy.exists() && !data.exists(), "no copy, no directory");
}

/// A database made by the binary before the newest migration.
async fn older_database(dir: &Path) {
    let mut migrator = sqlx::migrate!("./migrations/sqlite");
    let all = migrator.migrations.to_vec();
    migrator.migrations = all[..all.len() - 1].to_vec().into();
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
    let options = SqliteConnectOptions::new()
        .filename(dir.join(DATABASE_FILE))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("create");
    migrator.run(&pool).await.expect("older schema");
    pool.close().await;
}

async fn applied_migrations(dir: &Path) -> i64 {
    let mut connection = existing::connect_existing(&Database::in_data_dir(dir))
        .await
        .expect("connect");
    sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut connection)
        .await
        .expect("count")
}

#[tokio::test]
async fn an_older_schema_is_refused_and_left_unmigrated_but_can_be_backed_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    older_database(dir.path()).await;
    let before = applied_migrations(dir.path()).await;
    assert!(matches!(
        Store::open_existing(&Database::in_data_dir(dir.path())).await,
        Err(ExistingError::Older { .. })
    ));
    assert_eq!(applied_migrations(dir.path()).await, before, "not migrated");

    let copy = dir.path().join("before-upgrade.db");
    let summary = backup_existing(&Database::in_data_dir(dir.path()), &copy)
        .await
        .expect("backup");
    assert_eq!(
        summary,
        BackupSummary {
            tickets: 0,
            events: 0,
            tokens: 0
        }
    );
    assert_eq!(
        applied_migrations(dir.path()).await,
        before,
        "still not migrated"
    );

    Store::open(dir.path()).await.expect("the server migrates");
    assert!(
        Store::open_existing(&Database::in_data_dir(dir.path()))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_schema_newer_than_the_binary_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99999, 'from the future', 1, x'00', 0)",
    )
    .execute(&store.write)
    .await
    .expect("a future migration");
    store.close().await;
    assert!(matches!(
        Store::open_existing(&Database::in_data_dir(dir.path())).await,
        Err(ExistingError::Newer { .. })
    ));
}

#[tokio::test]
async fn a_checked_backup_says_what_it_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("open");
    record_one(&store, "2026-12-01", &issue("renewal", "R", 1)).await;
    record_one(&store, "2026-12-01", &issue("renewal", "R", 2)).await;
    store
        .token_insert("desk", "issuer", "aa", at("2026-12-01T10:00:00+09:00"))
        .await
        .expect("token");
    let copy = dir.path().join("copy.db");
    let summary = backup_existing(&Database::in_data_dir(dir.path()), &copy)
        .await
        .expect("backup");
    assert_eq!(
        summary,
        BackupSummary {
            tickets: 2,
            events: 3,
            tokens: 1
        },
        "two issues and the token's creation"
    );
    assert!(matches!(
        backup_existing(&Database::in_data_dir(dir.path()), &copy).await,
        Err(BackupError::Exists(_))
    ));
    assert!(
        copy.exists(),
        "an earlier backup is never replaced nor removed"
    );
}

/// The writer is never closed for being idle or old: reopening it needs a free descriptor,
/// which a rush of viewers may have taken, and every command would then fail.
#[tokio::test]
async fn the_writer_connection_is_kept_for_the_life_of_the_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).await.expect("store");
    let options = store.write.options();
    assert_eq!(options.get_idle_timeout(), None, "closed when idle");
    assert_eq!(options.get_max_lifetime(), None, "closed when old");
    assert_eq!(store.write.size(), 1, "opened at start");
    store.answers().await.expect("the store answers");
}

/// Records a counter command at a Japan-time instant of 2026-12-01.
async fn counter_event(store: &Store, event: &'static str, id: &str, to: CounterState, hhmm: &str) {
    let decision = Decision {
        event,
        changes: vec![Change::Counter {
            id: id.into(),
            state: to,
        }],
        reply: Reply::Counter(id.into()),
    };
    let mut batch = store.begin("main").await.expect("begin");
    batch
        .record(
            "main",
            day("2026-12-01"),
            &decision,
            "test",
            at(&format!("2026-12-01T{hhmm}:00+09:00")),
        )
        .await
        .expect("recorded");
    batch.commit().await.expect("commit");
}

on_both_engines! {
    async fn counter_changes_are_read_back_from_the_event_log_and_synthetic_ones_are_replaced(db: TestDb) {
        let store = db.open().await;
        counter_event(&store, "counter_opened", "1", CounterState::Open, "08:55").await;
        counter_event(&store, "counter_paused", "1", CounterState::Paused, "12:00").await;
        record_one(&store, "2026-12-01", &issue("renewal", "R", 1)).await;
        counter_event(&store, "counter_closed", "1", CounterState::Closed, "17:50").await;
        let synthetic = crate::history::CounterChange {
            date: day("2026-11-30"),
            at: at("2026-11-30T09:00:00+09:00"),
            counter: "2".into(),
            state: CounterState::Open,
        };
        store
            .synthetic_replace("main", &[], std::slice::from_ref(&synthetic))
            .await
            .expect("written");
        store
            .synthetic_replace("main", &[], std::slice::from_ref(&synthetic))
            .await
            .expect("written again");
        store.close().await;

        let store = db.open().await;
        let changes = store
            .counter_changes_between("main", day("2026-11-30"), day("2026-12-01"))
            .await
            .expect("read");
        let seen: Vec<(String, &str, CounterState)> = changes
            .iter()
            .map(|c| (c.date.to_string(), c.counter.as_str(), c.state))
            .collect();
        assert_eq!(
            seen,
            [
                ("2026-12-01".to_string(), "1", CounterState::Open),
                ("2026-12-01".to_string(), "1", CounterState::Paused),
                ("2026-12-01".to_string(), "1", CounterState::Closed),
                ("2026-11-30".to_string(), "2", CounterState::Open),
            ],
            "in the order recorded, the synthetic change once, the ticket event left out"
        );
        assert_eq!(changes[0].at, at("2026-12-01T08:55:00+09:00"));
        assert!(
            store
                .counter_changes_between("other", day("2026-11-30"), day("2026-12-01"))
                .await
                .expect("read")
                .is_empty()
        );
    }
}
