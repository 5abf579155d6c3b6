//! The durable store, behind this one module so that nothing else knows which database it is:
//! SQLite by default (one server, the file in the data directory) or PostgreSQL (several server
//! instances on one database; see [`Database`]). Nothing outside `store` names either.
//!
//! Writes go through the writer pool: on SQLite one connection (SQLite has one writer anyway) in
//! WAL mode with `synchronous=FULL`, so a committed [`Batch`] is on disk before anyone is told
//! of it; on PostgreSQL a few connections, a batch per office at a time, each holding the
//! office's advisory lock to commit. Reads use a separate small pool, so a token check never
//! waits for a commit. A busy timeout lets the CLI (`token create`, `backup`) work beside a
//! running server; the CLI opens only a database that exists, with the schema it knows
//! ([`Store::open_existing`]), and never migrates.

mod backup;
mod batch;
mod database;
mod existing;
mod health;
mod history;
mod idempotency;
mod lock;
mod notify;
mod synthetic;
mod tokens;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rand::RngCore;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::domain::{Reception, SavedDay, ShownEstimate, Ticket};
use crate::protocol::{CounterState, SuspensionReason, TicketState};

pub use backup::{BackupError, BackupSummary, backup_existing};
pub use batch::{Batch, Committed, EventSlot};
pub use database::{Database, DatabaseUrlError, Engine, TEST_POSTGRES, fresh_test_postgres};
pub use existing::{ExistingError, existing_database};
pub use idempotency::RememberedIssue;
pub use lock::{DataDirLock, LOCK_FILE, LockError};
pub use notify::{Heard, Listener, listen};
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
    write: AnyPool,
    read: AnyPool,
    engine: Engine,
    /// Reads of the live tokens, shared by the requests that wait for one at once.
    token_reads: Arc<tokens::TokenReads>,
}

/// The migrations of each engine, numbered alike: a schema number means the same tables on
/// both (PostgreSQL starts at 0018, SQLite's schema of that number in one file).
static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Engine {
    /// The migrations of this engine.
    fn migrator(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATOR,
            Self::Postgres => &POSTGRES_MIGRATOR,
        }
    }
}

impl Store {
    /// Opens (creating and migrating if missing) `queue.db` in the data directory.
    pub async fn open(data_dir: &Path) -> Result<Self> {
        Self::connect(&Database::in_data_dir(data_dir)).await
    }

    /// Opens a database, creating (a SQLite file and its directory) and migrating what is
    /// missing: the server's way in, at start. Several instances may start at once on one
    /// PostgreSQL database: the migrator takes a lock there.
    pub async fn connect(database: &Database) -> Result<Self> {
        if let Some(dir) = database.sqlite_file().and_then(Path::parent)
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let write = database.writers(true).await?;
        let engine = database.engine();
        engine.migrator().run(&write).await?;
        let read = database.pool(false, 4, false).await?;
        Ok(Self {
            write,
            read,
            engine,
            token_reads: Arc::default(),
        })
    }

    /// The engine behind the store: whether other servers may write the same offices.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Closes the pools, flushing the WAL.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// Starts a transaction for a burst of one office's commands (group commit), holding
    /// whatever serializes that office's writers until it ends (see [`Engine::begin`]).
    pub async fn begin(&self, office: &str) -> Result<Batch> {
        let mut batch = Batch::new(self.write.acquire().await?, self.engine, office);
        batch.open().await?;
        Ok(batch)
    }

    /// Closes an office's days before `today`: marks every non-final ticket of them as expired
    /// (the day ended with them still open), with one event each, and forgets the days'
    /// idempotency keys (a key counts within its business day). Under the office's lock, so
    /// that of several instances rolling over at midnight one expires and the others find
    /// nothing left.
    pub async fn expire_earlier_days(
        &self,
        office: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Expired> {
        let mut batch = self.begin(office).await?;
        let expired = batch.expire_earlier_days(today, now).await?;
        batch.commit().await?;
        Ok(expired)
    }

    /// The instant of the latest event in the store, if any: a clock earlier than it has gone
    /// back in time since the data was written.
    pub async fn last_event_at(&self) -> Result<Option<DateTime<Utc>>> {
        let at: Option<String> = sqlx::query_scalar("SELECT MAX(at) FROM events")
            .fetch_one(&self.read)
            .await?;
        at.map(parse_timestamp).transpose()
    }

    /// Loads one office's business day: tickets, counter states, reception, last event, as
    /// one consistent snapshot (one read transaction; on PostgreSQL `REPEATABLE READ`, since
    /// another instance may commit between the statements).
    pub async fn load_day(&self, office: &str, date: NaiveDate) -> Result<SavedDay> {
        // SQLite reads on the writer, as it always has; PostgreSQL on the readers, since a
        // batch holding a writer may be what asks (catching up with other instances).
        let pool = match self.engine {
            Engine::Sqlite => &self.write,
            Engine::Postgres => &self.read,
        };
        let mut tx = pool.begin().await?;
        if self.engine == Engine::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let last_seq: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE office = $1")
                .bind(office)
                .fetch_one(&mut *tx)
                .await?;
        let rows = sqlx::query(
            "SELECT id, public_id, number, seq_no, service, state, counter, business_date,
                    issued_at, called_at, recalled_at, started_at, finished_at,
                    waiting_ahead_at_issue, estimate_min_minutes, estimate_max_minutes,
                    estimate_point_tenths
             FROM tickets WHERE office = $1 AND business_date = $2 ORDER BY id",
        )
        .bind(office)
        .bind(date.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let tickets = rows.iter().map(ticket_from_row).collect::<Result<_>>()?;
        let counter_states = sqlx::query(
            "SELECT counter, state FROM counter_states WHERE office = $1 AND business_date = $2",
        )
        .bind(office)
        .bind(date.to_string())
        .fetch_all(&mut *tx)
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
            sqlx::query("SELECT suspended, reason_code, reason FROM reception WHERE office = $1")
                .bind(office)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| -> Result<Reception> {
                    let code: Option<String> = row.try_get("reason_code")?;
                    Ok(Reception {
                        suspended: row.try_get::<i64, _>("suspended")? != 0,
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
        let last_numbers = sqlx::query(
            "SELECT prefix, last FROM number_sequences WHERE office = $1 AND business_date = $2",
        )
        .bind(office)
        .bind(date.to_string())
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("prefix")?, unsigned(row, "last")?)))
        .collect::<Result<_>>()?;
        tx.commit().await?;
        Ok(SavedDay {
            tickets,
            counter_states,
            reception,
            last_seq: last_seq.unwrap_or(0) as u64,
            last_numbers,
        })
    }

    /// The sequence of an office's latest event: above what an instance holds in memory,
    /// another instance has written since.
    pub async fn latest_seq(&self, office: &str) -> Result<u64> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE office = $1")
            .bind(office)
            .fetch_one(&self.read)
            .await?;
        Ok(seq.unwrap_or(0) as u64)
    }

    /// The calls (first calls and recalls) of an office after `seq`, oldest first, as
    /// `(seq, ticket id, recall)`: what another instance announced, for this one's viewers.
    pub async fn calls_after(&self, office: &str, seq: u64) -> Result<Vec<(u64, i64, bool)>> {
        let rows = sqlx::query(
            "SELECT seq, ticket_id, kind FROM events
             WHERE office = $1 AND seq > $2 AND ticket_id IS NOT NULL
               AND kind IN ('call_next', 'ticket_called', 'ticket_recalled')
             ORDER BY seq",
        )
        .bind(office)
        .bind(seq as i64)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok((
                    row.try_get::<i64, _>("seq")? as u64,
                    row.try_get("ticket_id")?,
                    kind == "ticket_recalled",
                ))
            })
            .collect()
    }

    /// Writes a consistent copy of the database to `file` while the server runs.
    pub async fn backup(&self, file: &Path) -> Result<()> {
        sqlx::query("VACUUM INTO $1")
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

fn ticket_from_row(row: &AnyRow) -> Result<Ticket> {
    let state: String = row.try_get("state")?;
    let date: String = row.try_get("business_date")?;
    Ok(Ticket {
        id: row.try_get("id")?,
        public_id: row.try_get("public_id")?,
        number: row.try_get::<String, _>("number")?.into(),
        seq_no: unsigned(row, "seq_no")?,
        service: row.try_get::<String, _>("service")?.into(),
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
        waiting_ahead_at_issue: unsigned(row, "waiting_ahead_at_issue")?,
        estimate_at_issue: match (
            optional_unsigned(row, "estimate_min_minutes")?,
            optional_unsigned(row, "estimate_max_minutes")?,
            optional_unsigned(row, "estimate_point_tenths")?,
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

/// A count stored as an integer (the `Any` driver reads integers as `i64`).
fn unsigned(row: &AnyRow, column: &str) -> Result<u32> {
    let value: i64 = row.try_get(column)?;
    u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column} {value}")))
}

/// [`unsigned`] for a column that may be NULL.
fn optional_unsigned(row: &AnyRow, column: &str) -> Result<Option<u32>> {
    row.try_get::<Option<i64>, _>(column)?
        .map(|value| {
            u32::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column} {value}")))
        })
        .transpose()
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
