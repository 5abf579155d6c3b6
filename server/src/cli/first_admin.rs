//! The first admin token: minted once, into a store that has no token at all, and never again
//! (revoking every token does not bring it back: an administrator then makes one with
//! `token create --role admin`). Its secret goes to a file in the data directory that only the
//! server's user can read, never to stdout: under systemd stdout is the journal, which more
//! people read than should hold an admin secret. Stdout says where the file is and how to make
//! more tokens.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::CliError;
use crate::auth::{self, Role};
use crate::clock::SharedClock;
use crate::store::{NewToken, Store, StoreError};

/// Name of the file, in the data directory, that holds the first admin token's secret.
pub const ADMIN_TOKEN_FILE: &str = "admin-token";

/// The name the first admin token is stored (and recorded in events) under.
const FIRST_ADMIN_NAME: &str = "admin";

/// How to make more tokens for the data directory this server runs on, printed with the first
/// admin token's file so that the command shown works as it is (the demo's directory included).
pub(super) struct TokenHint {
    /// `--data` as given, if it was.
    pub(super) data: Option<PathBuf>,
    /// `--demo` was given.
    pub(super) demo: bool,
}

impl TokenHint {
    /// `queue-server [--demo | --data DIR] token create --role issuer --name reception-1`, with
    /// the program as it was started (a bare name on PATH, or `target/release/queue-server`).
    fn command(&self) -> String {
        let program = std::env::args_os()
            .next()
            .map(|program| shell_word(&program.to_string_lossy()))
            .unwrap_or_else(|| "queue-server".to_string());
        let place = match (&self.data, self.demo) {
            (Some(dir), _) => format!(" --data {}", shell_word(&dir.display().to_string())),
            (None, true) => " --demo".to_string(),
            (None, false) => String::new(),
        };
        format!("{program}{place} token create --role issuer --name reception-1")
    }
}

/// `word` as one shell word: as is when it is plain, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// When the store has no token at all, makes the admin token, writes its secret to
/// [`ADMIN_TOKEN_FILE`] in `data` (owner-only) and prints `admin token file: PATH` and
/// `more tokens: COMMAND`. The file is written before the token is stored: if storing fails the
/// next start tries again, and a stored token always has its secret on disk.
pub(super) async fn ensure_first_admin_token(
    store: &Store,
    clock: &SharedClock,
    data: &Path,
    hint: &TokenHint,
) -> Result<(), CliError> {
    if store.tokens_exist().await.map_err(CliError::AdminToken)? {
        return Ok(());
    }
    let secret = auth::generate_secret();
    let file = data.join(ADMIN_TOKEN_FILE);
    let file = std::path::absolute(&file).unwrap_or(file);
    write_owner_only(&file, &secret).map_err(|source| CliError::AdminTokenFile {
        path: file.clone(),
        source,
    })?;
    let token = NewToken {
        name: FIRST_ADMIN_NAME,
        role: Role::Admin.as_str(),
        hash: &auth::hash_secret(&secret),
        office: None,
        expires_at: None,
    };
    match store.token_create(&token, "server", clock.now()).await {
        Ok(()) => {}
        // Another instance on the same PostgreSQL database minted it a moment before: this
        // instance's secret was never valid.
        Err(StoreError::TokenNameTaken(_)) => {
            if let Err(error) = std::fs::remove_file(&file) {
                tracing::warn!(%error, file = %file.display(), "cannot remove an unused secret");
            }
            tracing::info!("another instance made the first admin token");
            return Ok(());
        }
        Err(error) => return Err(CliError::AdminToken(error)),
    }
    println!("admin token file: {}", file.display());
    println!("more tokens: {}", hint.command());
    tracing::warn!(
        name = FIRST_ADMIN_NAME,
        file = %file.display(),
        "created the first admin token; its secret is only in this file, readable by this user \
         alone: sign in with it, make personal tokens, then revoke it and delete the file"
    );
    Ok(())
}

/// Writes `secret` to a new file readable and writable by the owner only (0600 on Unix),
/// replacing any earlier one (the demo mints a token for each fresh run).
fn write_owner_only(path: &Path, secret: &str) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    writeln!(file, "{secret}")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_secret_file_is_readable_by_its_owner_only_and_replaces_an_old_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(ADMIN_TOKEN_FILE);
        std::fs::write(&path, "old").expect("an old file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_owner_only(&path, "qs_new").expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "qs_new\n");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
