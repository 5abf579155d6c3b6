//! The durable store: SQLite today, behind this one module, so that a PostgreSQL store can
//! take its place later without touching the domain. Nothing outside `store` names SQLite.
//!
//! Writes go through one connection (SQLite has one writer anyway) in WAL mode with
//! `synchronous=FULL`: a committed [`Batch`] is on disk before anyone is told of it. Reads use a
//! separate small pool, so a token check never waits for a commit. A busy timeout lets the CLI
//! (`token create`, `backup`) work beside a running server; the CLI opens only a database that
//! exists, with the schema it knows ([`Store::open_existing`]), and never migrates.

mod backup;
mod batch;
mod existing;
mod health;
mod history;
mod idempotency;
mod lock;
mod synthetic;
mod tokens;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rand::RngCore;
use serde_json::json;
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};

use crate::domain::{Reception, SavedDay, ShownEstimate, Ticket};
use crate::protocol::{CounterState, SuspensionReason, TicketState};

pub use backup::{BackupError, BackupSummary, backup_existing};
pub use batch::Batch;
pub use existing::{ExistingError, existing_database};
pub use idempotency::RememberedIssue;
pub use lock::{DataDirLock, LOCK_FILE, LockError};
pub use tokens::{NewToken, TOKEN_EVENTS_OFFICE, TokenRecord, TokenSummary};

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "queue.db";

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database said no.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrating the schema failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The data directory could not be made.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A token with that name exists already.
    #[error("a token named {0:?} exists already")]
    TokenNameTaken(String),
    /// A stored value that this version cannot read.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The batch was discarded after an earlier error: nothing of it will be written.
    #[error("the batch was discarded after an earlier error")]
    BatchAborted,
}

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Handle to the database; cheap to clone (pools are shared handles).
#[derive(Clone, Debug)]
pub struct Store {
    write: SqlitePool,
    read: SqlitePool,
}

impl Store {
    /// Opens (creating and migrating if missing) `queue.db` in the data directory.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        // The writer is opened once and kept for the life of the process: sqlx would otherwise
        // close it after 10 idle minutes or 30 in all, and reopening it needs a free descriptor
        // at the moment of a rush, when there may be none (every issue would then fail).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        Ok(Self { write, read })
    }

    /// Closes the pools, flushing the WAL.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// Starts a transaction for a burst of commands (group commit). `BEGIN IMMEDIATE` takes
    /// the write lock now, so a lock held elsewhere (the CLI, a backup) makes the batch wait
    /// here, within the busy timeout, instead of failing half-way through it.
    pub async fn begin(&self) -> Result<Batch> {
        let mut batch = Batch {
            connection: Some(self.write.acquire().await?),
        };
        batch.execute("BEGIN IMMEDIATE").await?;
        Ok(batch)
    }

    /// Closes an office's days before `today`: marks every non-final ticket of them as expired
    /// (the day ended with them still open), with one event each, and forgets the days'
    /// idempotency keys (a key counts within its business day).
    pub async fn expire_earlier_days(
        &self,
        office: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Expired> {
        let mut tx = self.write.begin().await?;
        let rows = sqlx::query(
            "SELECT id, number, business_date FROM tickets
             WHERE office = ? AND business_date < ?
               AND state NOT IN ('done', 'no_show', 'cancelled', 'expired')
             ORDER BY id",
        )
        .bind(office)
        .bind(today.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let at = timestamp(now);
        let mut last_day: Option<String> = None;
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let number: String = row.try_get("number")?;
            let date: String = row.try_get("business_date")?;
            if last_day.as_ref().is_none_or(|last| *last < date) {
                last_day = Some(date.clone());
            }
            sqlx::query("UPDATE tickets SET state = 'expired', finished_at = ? WHERE id = ?")
                .bind(&at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO events (office, business_date, at, kind, actor, ticket_id, detail)
                 VALUES (?, ?, ?, 'ticket_expired', 'system', ?, ?)",
            )
            .bind(office)
            .bind(&date)
            .bind(&at)
            .bind(id)
            .bind(json!({ "number": number, "to": "expired" }).to_string())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM idempotency_keys WHERE office = ? AND business_date < ?")
            .bind(office)
            .bind(today.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Expired {
            tickets: rows.len() as u64,
            last_day: last_day
                .map(|day| {
                    day.parse()
                        .map_err(|_| StoreError::Corrupt(format!("date {day:?}")))
                })
                .transpose()?,
        })
    }

    /// The instant of the latest event in the store, if any: a clock earlier than it has gone
    /// back in time since the data was written.
    pub async fn last_event_at(&self) -> Result<Option<DateTime<Utc>>> {
        let at: Option<String> = sqlx::query_scalar("SELECT MAX(at) FROM events")
            .fetch_one(&self.read)
            .await?;
        at.map(parse_timestamp).transpose()
    }

    /// Loads one office's business day: tickets, counter states, reception, last event.
    pub async fn load_day(&self, office: &str, date: NaiveDate) -> Result<SavedDay> {
        let rows = sqlx::query(
            "SELECT id, public_id, number, seq_no, service, state, counter, business_date,
                    issued_at, called_at, recalled_at, started_at, finished_at,
                    waiting_ahead_at_issue, estimate_min_minutes, estimate_max_minutes,
                    estimate_point_tenths
             FROM tickets WHERE office = ? AND business_date = ? ORDER BY id",
        )
        .bind(office)
        .bind(date.to_string())
        .fetch_all(&self.write)
        .await?;
        let tickets = rows.iter().map(ticket_from_row).collect::<Result<_>>()?;
        let counter_states = sqlx::query(
            "SELECT counter, state FROM counter_states WHERE office = ? AND business_date = ?",
        )
        .bind(office)
        .bind(date.to_string())
        .fetch_all(&self.write)
        .await?
        .iter()
        .map(|row| {
            let state: String = row.try_get("state")?;
            let state = CounterState::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("counter state {state:?}")))?;
            Ok((row.try_get("counter")?, state))
        })
        .collect::<Result<_>>()?;
        let reception =
            sqlx::query("SELECT suspended, reason_code, reason FROM reception WHERE office = ?")
                .bind(office)
                .fetch_optional(&self.write)
                .await?
                .map(|row| -> Result<Reception> {
                    let code: Option<String> = row.try_get("reason_code")?;
                    Ok(Reception {
                        suspended: row.try_get::<bool, _>("suspended")?,
                        reason_code: code
                            .map(|code| {
                                SuspensionReason::parse(&code).ok_or_else(|| {
                                    StoreError::Corrupt(format!("suspension reason {code:?}"))
                                })
                            })
                            .transpose()?,
                        note: row.try_get("reason")?,
                    })
                })
                .transpose()?
                .unwrap_or_default();
        let last_seq: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE office = ?")
                .bind(office)
                .fetch_one(&self.write)
                .await?;
        Ok(SavedDay {
            tickets,
            counter_states,
            reception,
            last_seq: last_seq.unwrap_or(0) as u64,
        })
    }

    /// Writes a consistent copy of the database to `file` while the server runs.
    pub async fn backup(&self, file: &Path) -> Result<()> {
        sqlx::query("VACUUM INTO ?")
            .bind(file.display().to_string())
            .execute(&self.read)
            .await?;
        Ok(())
    }

    /// Makes the writer connection refuse writes (or accept them again), as a read-only mount
    /// would: how tests reach the office's "the store refused the batch" path on demand. It
    /// lasts until the connection is replaced, which the first failed batch does.
    #[cfg(test)]
    pub(crate) async fn refuse_writes(&self, refuse: bool) -> Result<()> {
        sqlx::query(if refuse {
            "PRAGMA query_only = ON"
        } else {
            "PRAGMA query_only = OFF"
        })
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Runs SQL on the writer connection (the one every batch uses), as an operator or a
    /// failing disk would act on it: how tests set per-connection limits (`max_page_count`) or
    /// add a trigger that makes one command of a batch fail.
    #[cfg(test)]
    pub(crate) async fn on_writer(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sql).execute(&self.write).await?;
        Ok(())
    }

    /// Number of events stored (for tests and metrics).
    pub async fn event_count(&self) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&self.read)
            .await?;
        Ok(count as u64)
    }
}

/// What closing earlier days expired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Expired {
    /// Tickets left open that are now expired.
    pub tickets: u64,
    /// The latest business day they belonged to.
    pub last_day: Option<NaiveDate>,
}

fn ticket_from_row(row: &SqliteRow) -> Result<Ticket> {
    let state: String = row.try_get("state")?;
    let date: String = row.try_get("business_date")?;
    Ok(Ticket {
        id: row.try_get("id")?,
        public_id: row.try_get("public_id")?,
        number: row.try_get("number")?,
        seq_no: row.try_get("seq_no")?,
        service: row.try_get("service")?,
        state: TicketState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("ticket state {state:?}")))?,
        counter: row.try_get("counter")?,
        business_date: date
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("date {date:?}")))?,
        issued_at: parse_timestamp(row.try_get("issued_at")?)?,
        called_at: row
            .try_get::<Option<String>, _>("called_at")?
            .map(parse_timestamp)
            .transpose()?,
        recalled_at: row
            .try_get::<Option<String>, _>("recalled_at")?
            .map(parse_timestamp)
            .transpose()?,
        started_at: row
            .try_get::<Option<String>, _>("started_at")?
            .map(parse_timestamp)
            .transpose()?,
        finished_at: row
            .try_get::<Option<String>, _>("finished_at")?
            .map(parse_timestamp)
            .transpose()?,
        waiting_ahead_at_issue: row.try_get("waiting_ahead_at_issue")?,
        estimate_at_issue: match (
            row.try_get::<Option<u32>, _>("estimate_min_minutes")?,
            row.try_get::<Option<u32>, _>("estimate_max_minutes")?,
            row.try_get::<Option<u32>, _>("estimate_point_tenths")?,
        ) {
            (Some(min), Some(max), Some(point_tenths)) => Some(ShownEstimate {
                min_minutes: min,
                max_minutes: max,
                point_tenths,
            }),
            // Tickets issued before the point was stored: the middle of their band.
            (Some(min), Some(max), None) => Some(ShownEstimate {
                min_minutes: min,
                max_minutes: max,
                point_tenths: (min + max) * 5,
            }),
            _ => None,
        },
    })
}

/// Instants are stored as RFC 3339 UTC text with microseconds.
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_timestamp(text: String) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("timestamp {text:?}")))
}

/// 128 random bits, hex: the ticket's id on a future personal ticket page.
fn random_public_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests;
