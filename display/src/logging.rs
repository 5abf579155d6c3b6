//! Logs go to the `--log` file or nowhere: the terminal is the screen, and a stray line
//! would tear the lobby TV's picture.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::sync::Mutex;

/// The log file could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot open log file {path}: {source}")]
pub struct LogError {
    /// The path given with `--log`.
    pub path: String,
    /// The error the system gave when opening it.
    pub source: std::io::Error,
}

/// Sends `tracing` logs to `path` (appending), or drops them when there is none.
pub fn init(path: Option<&Path>) -> Result<(), LogError> {
    let Some(path) = path else {
        return Ok(());
    };
    let file: File = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| LogError {
            path: path.display().to_string(),
            source,
        })?;
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .init();
    Ok(())
}
