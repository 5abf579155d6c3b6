//! The database as the CLI finds it beside a running server (`token`, `stats`, `accuracy`): it
//! must exist (a typo in `--data` or `--database` must not silently make an empty one), and its
//! schema must be exactly the one this binary knows. The CLI never migrates: migrating under a
//! running server of another version would change tables that server is writing. Only the
//! server migrates, at start (on SQLite with the data directory locked).

use std::collections::BTreeSet;

use sqlx::{AnyConnection, Connection};

use super::{Database, Engine, Store, StoreError};

/// Why the database cannot be used as it is.
#[derive(Debug, thiserror::Error)]
pub enum ExistingError {
    /// No database there: no SQLite file, or a PostgreSQL database without our schema.
    #[error("there is no queue-server database at {0}")]
    Missing(Database),
    /// A SQLite file is there, but not one a queue-server made (no migration table).
    #[error("{0} is not a queue-server database")]
    NotOurs(Database),
    /// Made by an older queue-server: migrations this binary has are not applied yet.
    #[error(
        "the database {} was made by an older queue-server (schema {} of {}); this command \
         does not migrate it: start this version of the server once (it migrates at start), \
         then run the command again",
        database,
        applied,
        known
    )]
    Older {
        /// The database.
        database: Database,
        /// Newest migration applied to it.
        applied: i64,
        /// Newest migration this binary has.
        known: i64,
    },
    /// Made by a newer queue-server: migrations this binary does not know are applied.
    #[error(
        "the database {} was made by a newer queue-server (schema {}; this one knows up to \
         {}): use the version the server runs",
        database,
        applied,
        known
    )]
    Newer {
        /// The database.
        database: Database,
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

/// Refuses a SQLite database whose file is not there; a PostgreSQL database is looked at
/// when connected ([`Store::open_existing`]).
pub fn existing_database(database: &Database) -> Result<(), ExistingError> {
    match database.sqlite_file() {
        Some(file) if !file.is_file() => Err(ExistingError::Missing(database.clone())),
        _ => Ok(()),
    }
}

/// One connection to an existing database that never creates one, waiting for the server's
/// writer like every store connection does.
pub(super) async fn connect_existing(database: &Database) -> Result<AnyConnection, ExistingError> {
    existing_database(database)?;
    let pool = database.pool(false, 1, false).await?;
    let connection = pool.acquire().await?.detach();
    pool.close().await;
    Ok(connection)
}

impl Store {
    /// Opens an existing database without creating or migrating anything: refused when there
    /// is no database, or when its schema is older or newer than this binary's.
    pub async fn open_existing(database: &Database) -> Result<Self, ExistingError> {
        let mut connection = connect_existing(database).await?;
        let checked = check_schema(&mut connection, database).await;
        connection.close().await?;
        checked?;
        // Every migration is applied and none is unknown: opening migrates nothing.
        Ok(Self::connect(database).await?)
    }
}

/// Whether the database holds sqlx's migration table.
async fn has_migrations(
    connection: &mut AnyConnection,
    engine: Engine,
) -> Result<bool, sqlx::Error> {
    let sql = match engine {
        Engine::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Engine::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let tables: i64 = sqlx::query_scalar(sql).fetch_one(&mut *connection).await?;
    Ok(tables > 0)
}

/// Compares the migrations applied to the database with this binary's.
async fn check_schema(
    connection: &mut AnyConnection,
    database: &Database,
) -> Result<(), ExistingError> {
    let engine = database.engine();
    if !has_migrations(connection, engine).await? {
        return Err(match engine {
            Engine::Sqlite => ExistingError::NotOurs(database.clone()),
            // A PostgreSQL database is made by its administrator; ours has no schema yet.
            Engine::Postgres => ExistingError::Missing(database.clone()),
        });
    }
    let applied: BTreeSet<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&mut *connection)
            .await?
            .into_iter()
            .collect();
    let known: BTreeSet<i64> = engine
        .migrator()
        .iter()
        .filter(|migration| migration.migration_type.is_up_migration())
        .map(|migration| migration.version)
        .collect();
    let newest = |versions: &BTreeSet<i64>| versions.last().copied().unwrap_or(0);
    if !applied.is_subset(&known) {
        return Err(ExistingError::Newer {
            database: database.clone(),
            applied: newest(&applied),
            known: newest(&known),
        });
    }
    if applied != known {
        return Err(ExistingError::Older {
            database: database.clone(),
            applied: newest(&applied),
            known: newest(&known),
        });
    }
    Ok(())
}
