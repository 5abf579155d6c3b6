//! `backup`: a consistent copy of a SQLite database (`VACUUM INTO`) beside a running server,
//! checked before it is called a backup. It works on a database of any schema version, older
//! ones included (back up before an upgrade), because it copies and counts without migrating.
//! A PostgreSQL database is backed up with PostgreSQL's own tools; `backup` says how.

use std::path::{Path, PathBuf};

use sqlx::{AnyConnection, Connection};

use super::existing::{ExistingError, connect_existing};
use super::{Database, StoreError};

/// What a checked copy holds, as `backup` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupSummary {
    /// Tickets of every day.
    pub tickets: i64,
    /// Rows of the event log.
    pub events: i64,
    /// Staff tokens, revoked and expired ones included.
    pub tokens: i64,
}

/// Why no good backup was written.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The data directory holds no database (nothing to copy; nothing was written).
    #[error(transparent)]
    Source(#[from] ExistingError),
    /// A PostgreSQL database: its own tools make a consistent copy of a live database.
    #[error(
        "{0} is a PostgreSQL database: back it up with PostgreSQL's tools, e.g. \
         `pg_dump --format=custom --file=queue.dump 'postgres://…'` (a consistent copy of the \
         live database; restore with pg_restore), or with the continuous archiving and \
         point-in-time recovery of your PostgreSQL service"
    )]
    Postgres(Database),
    /// The target exists already: a backup never replaces a file.
    #[error("{} exists already", .0.display())]
    Exists(PathBuf),
    /// The copy was written but SQLite's integrity check found faults; the copy was removed.
    #[error("the copy failed its integrity check and was removed: {}", .0.join("; "))]
    Integrity(Vec<String>),
    /// Copying or reading the copy failed (the partial copy, if any, was removed).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BackupError {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

/// Copies the SQLite database into `file` (which must not exist), checks the copy with
/// `PRAGMA integrity_check` and counts what it holds. A copy that fails is removed, so a file
/// left at `file` is always a checked backup.
pub async fn backup_existing(source: &Database, file: &Path) -> Result<BackupSummary, BackupError> {
    if source.sqlite_file().is_none() {
        return Err(BackupError::Postgres(source.clone()));
    }
    super::existing_database(source)?;
    if file.exists() {
        return Err(BackupError::Exists(file.to_path_buf()));
    }
    // From here on a file at `file` is ours: removed again unless it is a checked copy.
    let result = copy_and_check(source, file).await;
    if result.is_err()
        && file.exists()
        && let Err(error) = std::fs::remove_file(file)
    {
        tracing::warn!(%error, file = %file.display(), "cannot remove the failed copy");
    }
    result
}

async fn copy_and_check(source: &Database, file: &Path) -> Result<BackupSummary, BackupError> {
    let mut connection = connect_existing(source).await?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(file.display().to_string())
        .execute(&mut connection)
        .await;
    connection.close().await?;
    copied?;
    let mut copy = connect_existing(&Database::Sqlite(file.to_path_buf())).await?;
    let checked = check_copy(&mut copy).await;
    copy.close().await?;
    checked
}

async fn check_copy(copy: &mut AnyConnection) -> Result<BackupSummary, BackupError> {
    let report: Vec<String> = match sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *copy)
        .await
    {
        Ok(report) => report,
        // Damage bad enough that the check itself stops ("malformed") is a failed check too.
        Err(sqlx::Error::Database(error)) => vec![error.to_string()],
        Err(error) => return Err(error.into()),
    };
    if report != ["ok"] {
        return Err(BackupError::Integrity(report));
    }
    Ok(BackupSummary {
        tickets: rows_of(copy, "tickets").await?,
        events: rows_of(copy, "events").await?,
        tokens: rows_of(copy, "tokens").await?,
    })
}

/// Rows of one of the tables every schema version has.
async fn rows_of(copy: &mut AnyConnection, table: &'static str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(copy)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::ConnectOptions;
    use sqlx::sqlite::SqliteConnectOptions;

    /// A database whose index does not match its table (its definition was changed under it),
    /// the kind of fault the integrity check exists to find.
    async fn damaged_database(file: &Path) {
        let mut connection = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .connect()
            .await
            .expect("create");
        for statement in [
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
            "CREATE INDEX t_v ON t (v)",
            "INSERT INTO t (v) VALUES ('a'), ('b'), ('c')",
            "PRAGMA writable_schema = ON",
            "UPDATE sqlite_master SET sql = 'CREATE INDEX t_v ON t (id, v)' WHERE name = 't_v'",
        ] {
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .expect(statement);
        }
        connection.close().await.expect("close");
    }

    #[tokio::test]
    async fn a_copy_that_fails_the_integrity_check_is_not_called_a_backup() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("damaged.db");
        damaged_database(&file).await;
        let mut connection = connect_existing(&Database::Sqlite(file.clone()))
            .await
            .expect("opens");
        let checked = check_copy(&mut connection).await;
        match checked {
            Err(BackupError::Integrity(faults)) => assert!(!faults.is_empty()),
            other => panic!("expected the integrity check to fail: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_damaged_database_leaves_no_backup_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        damaged_database(&dir.path().join(crate::store::DATABASE_FILE)).await;
        let copy = dir.path().join("copy.db");
        let result = backup_existing(&Database::in_data_dir(dir.path()), &copy).await;
        assert!(
            matches!(result, Err(BackupError::Integrity(_))),
            "{result:?}"
        );
        assert!(!copy.exists(), "the failed copy was removed");
    }
}
