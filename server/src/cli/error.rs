//! Why a command failed: one typed error for the whole command line, printed as `error: …`
//! with exit status 1.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::ConfigError;
use crate::store::{BackupError, Database, ExistingError, LockError, StoreError};

use super::ListenAddr;

/// Why a command failed; printed as `error: …` on stderr with exit status 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The configuration file could not be read or is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The async runtime could not start.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The database could not be opened (or created and migrated).
    #[error("cannot open the store {database}: {source}")]
    OpenStore {
        /// The database.
        database: Database,
        /// What the store said.
        source: StoreError,
    },
    /// A store operation of a subcommand failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A command that needs the data directory's database found none (and made nothing).
    #[error(
        "there is no database at {}: check --data or --database (the server creates it at its \
         first start){}",
        database,
        if *offer_create { "; to start a new one there, add --create-database" } else { "" }
    )]
    NoDatabase {
        /// The database looked for.
        database: Database,
        /// Whether the command can make one (`token create --create-database`).
        offer_create: bool,
    },
    /// The database is there but not of this binary's schema (the CLI never migrates).
    #[error(transparent)]
    Schema(ExistingError),
    /// `backup` wrote no good copy.
    #[error("backup failed: {0}")]
    Backup(#[source] BackupError),
    /// `token create --expires` names a day already over.
    #[error(
        "--expires: the token would have expired already ({}, Japan time)",
        crate::wire::tokyo(*.0)
    )]
    ExpiryPassed(DateTime<Utc>),
    /// `token create --expires` names a day the calendar cannot hold.
    #[error("--expires {0}: out of range")]
    ExpiryOutOfRange(NaiveDate),
    /// The first admin token's file could not be written (the server does not start).
    #[error("cannot write the first admin token to {}: {source}", path.display())]
    AdminTokenFile {
        /// The file.
        path: PathBuf,
        /// The error the system gave.
        source: std::io::Error,
    },
    /// `--office` names no configured office.
    #[error("unknown office {0:?}")]
    UnknownOffice(String),
    /// The configuration has no office at all.
    #[error("no office configured")]
    NoOffice,
    /// `calendar --to` is before `--from`.
    #[error("--to is before --from")]
    ToBeforeFrom,
    /// `token create --name` is blank.
    #[error("--name must not be empty")]
    EmptyTokenName,
    /// `token revoke` names no active token.
    #[error("no active token named {0:?}")]
    NoSuchToken(String),
    /// `backup` would overwrite a file.
    #[error("{} exists already", .0.display())]
    BackupExists(PathBuf),
    /// `backup` into a directory that is not there (SQLite would only say "code 14").
    #[error("the directory {} does not exist; create it first (mkdir -p {})", .0.display(), .0.display())]
    BackupDirMissing(PathBuf),
    /// Another server holds the data directory, or it cannot be locked.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// `--demo-speed` is zero, negative or not a number.
    #[error("--demo-speed must be above 0")]
    DemoSpeed,
    /// `--speed` is zero, negative or not a number, or given without `--now`.
    #[error("--speed must be above 0 and needs --now (the instant the fast clock starts from)")]
    Speed,
    /// The system clock is earlier than the last event in the store: it is not synchronised
    /// yet, or was set back. Starting would stamp new events before old ones and could issue
    /// tickets on a day that already ended.
    #[error(
        "the system clock ({now}) is earlier than the last event in the store ({last}): the \
         clock is not synchronised or was set back; fix the clock (time synchronisation) and \
         start again, or start with --now to run at a chosen time on purpose"
    )]
    ClockBehindStore {
        /// What the system clock said, Japan time.
        now: chrono::DateTime<chrono::FixedOffset>,
        /// The last event's instant, Japan time.
        last: chrono::DateTime<chrono::FixedOffset>,
    },
    /// `simulate` could not run.
    #[error(transparent)]
    Simulate(#[from] crate::simulate::SimulateError),
    /// The demo's old database could not be removed.
    #[error("cannot reset {}: {source}", path.display())]
    DemoReset {
        /// The file.
        path: PathBuf,
        /// The error the system gave.
        source: std::io::Error,
    },
    /// `simulate --into` a directory that holds real tickets.
    #[error("{} holds real tickets: synthetic days go only into a fresh data directory", .0.display())]
    HoldsRealTickets(PathBuf),
    /// `simulate --into` could not create the directory.
    #[error("cannot create {}: {source}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The error the system gave.
        source: std::io::Error,
    },
    /// No open day to simulate.
    #[error("no open day within 400 days for the demo")]
    NoOpenDayForDemo,
    /// The first admin token could not be made.
    #[error("cannot create the admin token: {0}")]
    AdminToken(#[source] StoreError),
    /// An office's day could not be loaded.
    #[error("cannot load the queue: {0}")]
    LoadQueue(#[source] StoreError),
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {}", listen_reason(source))]
    Listen {
        /// The address, as given.
        address: ListenAddr,
        /// The error the system gave (in use, not permitted, no such address).
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("server error: {0}")]
    Serve(#[source] std::io::Error),
    /// The renewal guide cannot answer the question (a bad date or `who`).
    #[error(transparent)]
    Renewal(#[from] crate::renewal::RenewalError),
    /// Standard output could not be written (a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl From<ExistingError> for CliError {
    fn from(error: ExistingError) -> Self {
        match error {
            ExistingError::Missing(database) => Self::NoDatabase {
                database,
                offer_create: false,
            },
            ExistingError::Store(error) => Self::Store(error),
            other => Self::Schema(other),
        }
    }
}

impl From<BackupError> for CliError {
    fn from(error: BackupError) -> Self {
        match error {
            BackupError::Source(source) => source.into(),
            BackupError::Exists(file) => Self::BackupExists(file),
            other => Self::Backup(other),
        }
    }
}

impl CliError {
    /// For `token create`: a missing database also says how to make one.
    pub(super) fn offer_create_database(self) -> Self {
        match self {
            Self::NoDatabase { database, .. } => Self::NoDatabase {
                database,
                offer_create: true,
            },
            other => other,
        }
    }
}

/// Why a bind failed, in the words an operator needs: a busy port is the common case.
fn listen_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => "the port is in use (another queue-server or another \
                                          program); stop it or choose another --listen"
            .to_string(),
        _ => error.to_string(),
    }
}
