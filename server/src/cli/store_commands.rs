//! The subcommands that work on the store beside a running server: `token` and `backup`. They
//! need the data directory's database to exist, and never migrate it; a refused command
//! creates nothing (no directory, no database, no output file).

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;

use super::{CliError, TokenCommand, load_config, open_existing_store, open_store};
use crate::auth;
use crate::clock::SharedClock;
use crate::store::{self, Database, ExistingError, NewToken, Store, TokenSummary};
use crate::wire;

/// The actor the event log records for tokens made or revoked from the command line.
const CLI_ACTOR: &str = "cli";

pub(super) async fn token(
    action: TokenCommand,
    database: &Database,
    config: Option<&Path>,
    clock: SharedClock,
) -> Result<(), CliError> {
    match action {
        TokenCommand::Create {
            role,
            name,
            office,
            expires,
            create_database,
        } => {
            // Everything is checked before the store is opened: a refused command makes nothing.
            let name = name.trim();
            if name.is_empty() {
                return Err(CliError::EmptyTokenName);
            }
            if let Some(office) = &office {
                let config = load_config(config)?;
                if config.office(office).is_none() {
                    return Err(CliError::UnknownOffice(office.clone()));
                }
            }
            let expires_at = expires.map(end_of_day_in_japan).transpose()?;
            if let Some(at) = expires_at
                && at <= clock.now()
            {
                return Err(CliError::ExpiryPassed(at));
            }
            let store = match Store::open_existing(database).await {
                Err(ExistingError::Missing(_)) if create_database => open_store(database).await?,
                opened => opened
                    .map_err(CliError::from)
                    .map_err(CliError::offer_create_database)?,
            };
            let secret = auth::generate_secret();
            let hash = auth::hash_secret(&secret);
            let token = NewToken {
                name,
                role: role.as_str(),
                hash: &hash,
                office: office.as_deref(),
                expires_at,
            };
            let created = store.token_create(&token, CLI_ACTOR, clock.now()).await;
            store.close().await;
            created?;
            println!("{secret}");
        }
        TokenCommand::List => {
            let store = open_existing_store(database).await?;
            let tokens = store.tokens_all().await;
            store.close().await;
            let now = clock.now();
            let mut out = std::io::stdout().lock();
            writeln!(out, "NAME\tROLE\tOFFICE\tCREATED\tEXPIRES\tSTATE")?;
            for token in tokens? {
                writeln!(out, "{}", list_line(&token, now))?;
            }
        }
        TokenCommand::Revoke { name } => {
            let store = open_existing_store(database).await?;
            let revoked = store.token_revoke(&name, CLI_ACTOR, clock.now()).await;
            store.close().await;
            if !revoked? {
                return Err(CliError::NoSuchToken(name));
            }
            eprintln!("revoked token {name:?}");
        }
    }
    Ok(())
}

/// One line of `token list`: name, role, office, created, expires, state, tab-separated. A
/// token that no longer works says why in its state: `revoked <when>` (revocation first: it is
/// what someone did) or `expired <when>`.
fn list_line(token: &TokenSummary, now: DateTime<Utc>) -> String {
    let state = match (token.revoked_at, token.expires_at) {
        (Some(at), _) => format!("revoked {}", japan_time(at)),
        (None, Some(at)) if at <= now => format!("expired {}", japan_time(at)),
        (None, _) => "active".to_string(),
    };
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        token.name,
        token.role,
        token.office.as_deref().unwrap_or("all"),
        japan_time(token.created_at),
        token.expires_at.map_or("never".to_string(), japan_time),
        state
    )
}

/// The end of `day` in Japan: the instant a token given `--expires day` stops working.
fn end_of_day_in_japan(day: NaiveDate) -> Result<DateTime<Utc>, CliError> {
    day.succ_opt()
        .and_then(|next| {
            Tokyo
                .from_local_datetime(&next.and_time(NaiveTime::MIN))
                .earliest()
        })
        .map(|at| at.with_timezone(&Utc))
        .ok_or(CliError::ExpiryOutOfRange(day))
}

/// An instant in Japan time, to the second (`2026-12-01T10:00:02+09:00`), as every other
/// output shows time (domain R4).
fn japan_time(at: DateTime<Utc>) -> String {
    wire::tokyo(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// `backup FILE`: refuses before writing anything when the database is PostgreSQL's (saying
/// how to back that up), FILE exists, its directory does not, or the data directory has no
/// database; then copies, checks and prints what the copy holds.
pub(super) async fn backup(database: &Database, file: &Path) -> Result<(), CliError> {
    // First: whatever FILE is, the advice an operator of a PostgreSQL database needs is
    // pg_dump's, not "FILE exists" or "create the directory".
    if database.sqlite_file().is_none() {
        return Err(store::BackupError::Postgres(database.clone()).into());
    }
    if file.exists() {
        return Err(CliError::BackupExists(file.to_path_buf()));
    }
    let directory = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !directory.is_dir() {
        return Err(CliError::BackupDirMissing(directory.to_path_buf()));
    }
    let summary = store::backup_existing(database, file).await?;
    println!(
        "{}: integrity ok; {} tickets, {} events, {} tokens",
        file.display(),
        summary.tickets,
        summary.events,
        summary.tokens
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_token_expires_at_the_end_of_its_last_day_in_japan() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 31).expect("date");
        assert_eq!(
            end_of_day_in_japan(day).expect("in range"),
            at("2027-04-01T00:00:00+09:00")
        );
    }

    #[test]
    fn a_listed_token_that_no_longer_works_says_revoked_or_expired() {
        let token = TokenSummary {
            name: "desk".into(),
            role: "issuer".into(),
            office: Some("main".into()),
            created_at: at("2026-12-01T10:00:00+09:00"),
            expires_at: Some(at("2027-04-01T00:00:00+09:00")),
            revoked_at: None,
        };
        let before = at("2027-03-31T12:00:00+09:00");
        assert_eq!(
            list_line(&token, before),
            "desk\tissuer\tmain\t2026-12-01T10:00:00+09:00\t2027-04-01T00:00:00+09:00\tactive"
        );
        let after = at("2027-04-01T00:00:00+09:00");
        assert!(
            list_line(&token, after).ends_with("\texpired 2027-04-01T00:00:00+09:00"),
            "{}",
            list_line(&token, after)
        );
        let revoked = TokenSummary {
            revoked_at: Some(at("2026-12-02T09:00:00+09:00")),
            ..token
        };
        assert!(list_line(&revoked, after).ends_with("\trevoked 2026-12-02T09:00:00+09:00"));
        let everywhere = TokenSummary {
            office: None,
            expires_at: None,
            revoked_at: None,
            ..revoked
        };
        assert_eq!(
            list_line(&everywhere, after),
            "desk\tissuer\tall\t2026-12-01T10:00:00+09:00\tnever\tactive"
        );
    }
}
