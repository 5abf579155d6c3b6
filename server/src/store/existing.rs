//! The database of a data directory as the CLI finds it beside a running server (`token`,
//! `stats`, `accuracy`): it must exist (a typo in `--data` must not silently make an empty one),
//! and its schema must be exactly the one this binary knows. The CLI never migrates: migrating
//! under a running server of another version would change tables that server is writing. Only
//! the server migrates, at start, with the data directory locked.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use super::{DATABASE_FILE, Store, StoreError};

/// The migrations this binary knows, the same files [`Store::open`] applies.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Why the database of a data directory cannot be used as it is.
#[derive(Debug, thiserror::Error)]
pub enum ExistingError {
    /// No database file in the directory.
    #[error("there is no database at {}", .0.display())]
    Missing(PathBuf),
    /// A file is there, but not one a queue-server made (no migration table).
    #[error("{} is not a queue-server database", .0.display())]
    NotOurs(PathBuf),
    /// Made by an older queue-server: migrations this binary has are not applied yet.
    #[error(
        "the database {} was made by an older queue-server (schema {} of {}); this command \
         does not migrate it: start this version of the server once (it migrates at start, \
         with the data directory locked), then run the command again",
        file.display(), applied, known
    )]
    Older {
        /// The database file.
        file: PathBuf,
        /// Newest migration applied to it.
        applied: i64,
        /// Newest migration this binary has.
        known: i64,
    },
    /// Made by a newer queue-server: migrations this binary does not know are applied.
    #[error(
        "the database {} was made by a newer queue-server (schema {}; this one knows up to \
         {}): use the version the server runs",
        file.display(), applied, known
    )]
    Newer {
        /// The database file.
        file: PathBuf,
        /// Newest migration applied to it.
        applied: i64,
        /// Newest migration this binary has.
        known: i64,
    },
    /// The database could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ExistingError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

/// The database file of `data_dir`, if it is there.
pub fn existing_database(data_dir: &Path) -> Result<PathBuf, ExistingError> {
    let file = data_dir.join(DATABASE_FILE);
    if file.is_file() {
        Ok(file)
    } else {
        Err(ExistingError::Missing(file))
    }
}

/// A connection to an existing database file that never creates one, waiting for the server's
/// writer like every store connection does.
pub(super) async fn connect_existing(file: &Path) -> Result<SqliteConnection, sqlx::Error> {
    SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
}

impl Store {
    /// Opens the database of an existing data directory without creating or migrating
    /// anything: refused when there is no database, or when its schema is older or newer than
    /// this binary's.
    pub async fn open_existing(data_dir: &Path) -> Result<Self, ExistingError> {
        let file = existing_database(data_dir)?;
        let mut connection = connect_existing(&file).await?;
        let checked = check_schema(&mut connection, &file).await;
        connection.close().await?;
        checked?;
        // Every migration is applied and none is unknown: opening migrates nothing.
        Ok(Self::open(data_dir).await?)
    }
}

/// Compares the migrations applied to the database with this binary's.
async fn check_schema(connection: &mut SqliteConnection, file: &Path) -> Result<(), ExistingError> {
    let table: Option<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *connection)
    .await?;
    if table.is_none() {
        return Err(ExistingError::NotOurs(file.to_path_buf()));
    }
    let applied: BTreeSet<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(&mut *connection)
            .await?
            .into_iter()
            .collect();
    let known: BTreeSet<i64> = MIGRATOR
        .iter()
        .filter(|migration| migration.migration_type.is_up_migration())
        .map(|migration| migration.version)
        .collect();
    let newest = |versions: &BTreeSet<i64>| versions.last().copied().unwrap_or(0);
    if !applied.is_subset(&known) {
        return Err(ExistingError::Newer {
            file: file.to_path_buf(),
            applied: newest(&applied),
            known: newest(&known),
        });
    }
    if applied != known {
        return Err(ExistingError::Older {
            file: file.to_path_buf(),
            applied: newest(&applied),
            known: newest(&known),
        });
    }
    Ok(())
}
