//! Where the store lives, and how to reach it: a SQLite file (the default: `queue.db` in the
//! data directory; one server) or a PostgreSQL database (several servers on one database).
//! Both are reached through sqlx's `Any` driver, so the queries above this module are written
//! once; what differs between the engines (connection settings, how a batch takes its lock,
//! the migrations) is decided here and in [`Engine`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use super::{DATABASE_FILE, Result};

/// Characters of a file path that a `sqlite:` URL must escape (sqlx decodes them again).
const PATH_ESCAPES: &AsciiSet = &CONTROLS.add(b' ').add(b'%').add(b'?').add(b'#');

/// How long a SQLite statement waits for another process's lock (the CLI beside a server).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a PostgreSQL command waits for a connection before it is refused (503): when the
/// database is away, staff hear so in seconds, not at the 30 s request timeout.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections of a PostgreSQL instance's writer pool: one per office with a batch open at a
/// time, plus calendar changes and token writes.
const POSTGRES_WRITERS: u32 = 8;

/// The database of a store: `--database URL` (or `QUEUE_DATABASE_URL`).
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (`sqlite:PATH`); the data directory's `queue.db` by default.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://user@host:port/db`), shared by every instance.
    Postgres(String),
}

/// The engine behind a [`Database`]: what SQL a batch starts with and whether other servers
/// may write the same offices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// One server per file: the data directory is locked, nobody else writes.
    Sqlite,
    /// Any number of instances on one database: commands for an office are serialized by the
    /// database, and each instance catches up with the others' events.
    Postgres,
}

/// A `--database` value that names no database this server can use.
#[derive(Debug, thiserror::Error)]
#[error(
    "--database {0:?}: expected sqlite:PATH (a SQLite file) or postgres://USER@HOST:PORT/DB \
     (a PostgreSQL database)"
)]
pub struct DatabaseUrlError(String);

impl FromStr for Database {
    type Err = DatabaseUrlError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_string()));
        }
        let path = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .filter(|path| !path.is_empty() && !path.contains('?'));
        match path {
            Some(path) => Ok(Self::Sqlite(PathBuf::from(path))),
            None => Err(DatabaseUrlError(text.to_string())),
        }
    }
}

impl fmt::Display for Database {
    /// The database as logs and messages name it: never a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(file) => write!(f, "sqlite:{}", file.display()),
            Self::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl Database {
    /// The default: `queue.db` in the data directory.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self::Sqlite(data_dir.join(DATABASE_FILE))
    }

    /// The engine behind it.
    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite file, if it is one.
    pub fn sqlite_file(&self) -> Option<&Path> {
        match self {
            Self::Sqlite(file) => Some(file),
            Self::Postgres(_) => None,
        }
    }

    /// The URL the `Any` driver connects to; a SQLite file is created only when `create`.
    fn url(&self, create: bool) -> String {
        match self {
            Self::Sqlite(file) => format!(
                "sqlite:{}?mode={}",
                utf8_percent_encode(&file.to_string_lossy(), PATH_ESCAPES),
                if create { "rwc" } else { "rw" }
            ),
            Self::Postgres(url) => url.clone(),
        }
    }

    /// A pool of `connections` (kept open for the life of the process when `keep`: the writer
    /// must not need a new descriptor in a rush, when there may be none). SQLite connections
    /// get WAL with `synchronous=FULL` (a commit is on disk when it returns), the busy timeout
    /// and foreign keys; PostgreSQL's defaults (`synchronous_commit=on`) are durable already.
    pub(super) async fn pool(&self, create: bool, connections: u32, keep: bool) -> Result<AnyPool> {
        sqlx::any::install_default_drivers();
        let options: AnyConnectOptions = self.url(create).parse()?;
        let mut pool = AnyPoolOptions::new().max_connections(connections);
        if keep {
            pool = pool
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        if self.engine() == Engine::Postgres {
            pool = pool.acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT);
        }
        if self.engine() == Engine::Sqlite {
            // A SQLite connection is a file in this process, not a socket that may have died:
            // testing it before each batch only cost a round trip to its thread (the pool
            // tests it anyway when it comes back).
            pool = pool.test_before_acquire(false);
            pool = pool.after_connect(|connection, _| {
                Box::pin(async move {
                    connection
                        .execute(sqlite_settings().as_str())
                        .await
                        .map(drop)
                })
            });
        }
        Ok(pool.connect_with(options).await?)
    }

    /// The writer pool of a server: SQLite has one writer anyway; PostgreSQL one connection
    /// per office batch in flight.
    pub(super) async fn writers(&self, create: bool) -> Result<AnyPool> {
        let connections = match self.engine() {
            Engine::Sqlite => 1,
            Engine::Postgres => POSTGRES_WRITERS,
        };
        self.pool(create, connections, true).await
    }
}

/// The per-connection settings of every SQLite connection. `temp_store = MEMORY` keeps a
/// statement's own undo journal (what a statement that fails half-way rolls back within its
/// transaction) in memory: a batch's many-row insert outgrew the in-memory default and made,
/// wrote and deleted a temporary file at every commit. The database's durability is the WAL's.
fn sqlite_settings() -> String {
    format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA temp_store = MEMORY; PRAGMA busy_timeout = {};",
        SQLITE_BUSY_TIMEOUT.as_millis()
    )
}

impl Engine {
    /// The statement that opens a batch. SQLite: `BEGIN IMMEDIATE` takes the write lock now, so
    /// a lock held elsewhere (the CLI, a backup) makes the batch wait here, within the busy
    /// timeout, instead of failing half-way. PostgreSQL: a plain transaction; the office's
    /// advisory lock ([`Engine::office_lock`]) is what serializes it.
    pub(super) fn begin(self) -> &'static str {
        match self {
            Self::Sqlite => "BEGIN IMMEDIATE",
            Self::Postgres => "BEGIN",
        }
    }

    /// The statement that serializes an office's batches across instances, held to commit;
    /// none on SQLite, where the one writer connection serializes everything.
    pub(super) fn office_lock(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            Self::Postgres => Some("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"),
        }
    }

    /// Bind parameter `n` (from 1) of a statement built at run time. SQLite: a plain `?`, numbered
    /// in order, because binding a named `$n` looks its name up among the statement's, so a
    /// statement of a few hundred parameters (a batch's rows) bound in a time quadratic in
    /// their number; PostgreSQL: `$n`.
    pub(super) fn parameter(self, n: usize) -> String {
        match self {
            Self::Sqlite => "?".to_string(),
            Self::Postgres => format!("${n}"),
        }
    }

    /// Whether other servers may write the same offices (and an office must catch up with
    /// their events before it decides).
    pub fn shared(self) -> bool {
        self == Self::Postgres
    }
}

/// The environment variable naming the test PostgreSQL cluster (`.ci/postgres` starts one):
/// a URL whose user may create databases.
pub const TEST_POSTGRES: &str = "QUEUE_TEST_POSTGRES";

/// For tests of every crate: a new, empty database on the test PostgreSQL cluster, so tests
/// running side by side never see each other's tickets. `None` without a cluster.
#[doc(hidden)]
pub async fn fresh_test_postgres() -> Result<Option<Database>> {
    let Ok(admin) = std::env::var(TEST_POSTGRES) else {
        return Ok(None);
    };
    let name = format!("queue_test_{}", super::random_public_id());
    let pool = Database::Postgres(admin.clone())
        .pool(false, 1, false)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await?;
    pool.close().await;
    let (server, _) = admin.rsplit_once('/').unwrap_or((&admin, ""));
    Ok(Some(Database::Postgres(format!("{server}/{name}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_engine() {
        assert_eq!(
            "sqlite:/srv/queue/queue.db"
                .parse::<Database>()
                .expect("sqlite"),
            Database::Sqlite(PathBuf::from("/srv/queue/queue.db"))
        );
        assert_eq!(
            "sqlite://data/queue.db"
                .parse::<Database>()
                .expect("sqlite"),
            Database::Sqlite(PathBuf::from("data/queue.db"))
        );
        assert_eq!(
            "postgres://queue@db:5432/queue"
                .parse::<Database>()
                .expect("postgres")
                .engine(),
            Engine::Postgres
        );
        for bad in [
            "",
            "sqlite:",
            "mysql://x/y",
            "queue.db",
            "sqlite:x.db?mode=ro",
        ] {
            assert!(bad.parse::<Database>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_never_show() {
        let database: Database = "postgres://queue:s3cret@db:5432/queue"
            .parse()
            .expect("url");
        assert_eq!(database.to_string(), "postgres://queue:***@db:5432/queue");
        assert_eq!(
            format!("{database:?}"),
            "postgres://queue:***@db:5432/queue"
        );
        let plain: Database = "postgres://queue@db/queue".parse().expect("url");
        assert_eq!(plain.to_string(), "postgres://queue@db/queue");
    }

    #[test]
    fn odd_file_names_survive_the_url() {
        let file = PathBuf::from("/tmp/a dir/50% #1?/queue.db");
        let url = Database::Sqlite(file.clone()).url(true);
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().expect("parses");
        assert_eq!(options.get_filename(), file.as_path());
    }
}
