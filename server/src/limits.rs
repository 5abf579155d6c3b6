//! What one server process may hold, decided at start: open files (every viewer is a socket,
//! hence a descriptor), the viewers they leave room for, and the timeouts that keep a
//! connection from holding a descriptor forever (docs/deploy.md, "Limits and timeouts").

use std::time::Duration;

/// Descriptors kept back from viewers for everything else: staff requests, status polls, the
/// admin listener, SQLite's files (database, WAL, shared memory, one set per connection), logs.
pub const HEADROOM: u64 = 1_024;

/// Viewers allowed when the limit on open files cannot be read (not a Unix system).
pub const FALLBACK_MAX_VIEWERS: usize = 10_000;

/// How long a client may take to send a request head; also how long a keep-alive connection
/// may sit idle between requests (the wait for the next head). Slow-loris heads and forgotten
/// connections end here.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest a request (other than the WebSocket upgrade, which answers at once) may take. Above
/// the store's busy timeout (10 s), so a command waiting for a lock still gets its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest one frame may take to reach a viewer's socket; a viewer that stops reading is
/// dropped after this, whatever it was being sent (a snapshot, a call, a ping).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The kernel's send buffer of a live viewer's socket, set rather than left to autotuning
/// (which grows it to 4 MiB on Linux for a viewer whose window stays shut): a viewer that stops
/// reading pins at most about twice this much kernel memory (Linux doubles the value), and
/// fills it within a few hundred changes, so that the send deadline drops it. Every frame of a
/// reading viewer, a whole snapshot of a line of thousands included, fits an empty buffer.
pub const VIEWER_SEND_BUFFER: usize = 128 * 1024;

/// The process's limit on open files, before and after [`raise_open_files`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenFiles {
    /// The soft limit the process started with (1,024 under a plain systemd unit).
    pub before: u64,
    /// The soft limit now in force.
    pub soft: u64,
    /// The hard limit, the most the soft one may be raised to without privileges.
    pub hard: u64,
}

/// Raises the soft limit on open files to the hard limit (or the kernel's ceiling), so that a
/// rush of phones on the live page does not make `accept()` fail at about a thousand.
#[cfg(unix)]
pub fn raise_open_files() -> std::io::Result<OpenFiles> {
    let (before, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    let soft = rlimit::increase_nofile_limit(hard)?;
    Ok(OpenFiles { before, soft, hard })
}

/// Not a Unix system: there is no such limit to raise.
#[cfg(not(unix))]
pub fn raise_open_files() -> std::io::Result<OpenFiles> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "no limit on open files to raise here",
    ))
}

/// Viewers a process with `open_files` descriptors can hold while staff requests, the status
/// JSON and SQLite still have room: all but [`HEADROOM`] (half, when the limit is small).
/// A raised limit of 11,024 or more allows the 10,000 viewers of the benchmarks.
pub fn default_max_viewers(open_files: u64) -> usize {
    let viewers = if open_files >= 2 * HEADROOM {
        open_files - HEADROOM
    } else {
        open_files / 2
    };
    usize::try_from(viewers)
        .unwrap_or(usize::MAX)
        .min(tokio::sync::Semaphore::MAX_PERMITS)
}

/// The limits one server runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Live viewers at once (`--max-viewers`); beyond it `/live` answers 503.
    pub max_viewers: usize,
    /// See [`HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// See [`REQUEST_TIMEOUT`].
    pub request_timeout: Duration,
    /// See [`SEND_TIMEOUT`].
    pub send_timeout: Duration,
}

impl Default for Limits {
    /// The documented defaults, with as many viewers as the fallback allows (the command line
    /// sizes them from the raised limit instead).
    fn default() -> Self {
        Self {
            max_viewers: FALLBACK_MAX_VIEWERS,
            header_read_timeout: HEADER_READ_TIMEOUT,
            request_timeout: REQUEST_TIMEOUT,
            send_timeout: SEND_TIMEOUT,
        }
    }
}

#[cfg(test)]
mod tests;
