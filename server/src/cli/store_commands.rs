//! The subcommands that work on the store beside a running server: `token` and `backup`.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::{CliError, TokenCommand, open_store};
use crate::auth;
use crate::clock::SharedClock;
use crate::store::Store;
use crate::wire;

pub(super) async fn token(
    action: TokenCommand,
    data: &Path,
    clock: SharedClock,
) -> Result<(), CliError> {
    let store = open_store(data).await?;
    let result = token_action(action, &store, clock).await;
    store.close().await;
    result
}

async fn token_action(
    action: TokenCommand,
    store: &Store,
    clock: SharedClock,
) -> Result<(), CliError> {
    match action {
        TokenCommand::Create { role, name } => {
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(CliError::EmptyTokenName);
            }
            let secret = auth::generate_secret();
            store
                .token_insert(
                    &name,
                    role.as_str(),
                    &auth::hash_secret(&secret),
                    clock.now(),
                )
                .await?;
            println!("{secret}");
        }
        TokenCommand::List => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "NAME\tROLE\tCREATED\tSTATE")?;
            for token in store.tokens_all().await? {
                let state = match token.revoked_at {
                    Some(at) => format!("revoked {}", japan_time(at)),
                    None => "active".to_string(),
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    token.name,
                    token.role,
                    japan_time(token.created_at),
                    state
                )?;
            }
        }
        TokenCommand::Revoke { name } => {
            if !store.token_revoke(&name, clock.now()).await? {
                return Err(CliError::NoSuchToken(name));
            }
            eprintln!("revoked token {name:?}");
        }
    }
    Ok(())
}

/// An instant in Japan time, to the second (`2026-12-01T10:00:02+09:00`), as every other
/// output shows time (domain R4).
fn japan_time(at: DateTime<Utc>) -> String {
    wire::tokyo(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

pub(super) async fn backup(data: &Path, file: &Path) -> Result<(), CliError> {
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
    let store = open_store(data).await?;
    let result = store.backup(file).await;
    store.close().await;
    result?;
    eprintln!("backup written to {}", file.display());
    Ok(())
}
