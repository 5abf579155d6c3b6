//! One server per data directory. Two servers on one SQLite file would each keep their own day
//! in memory and hand out the same ticket numbers; the second start must be refused before it
//! reads or writes anything. The guard is an OS lock (`flock` on Unix) on a file in the
//! directory, held for the life of the server process: the kernel releases it when the process
//! dies, so a restart after a crash or SIGKILL is never refused, and there is no stale lock file
//! to clean up. CLI subcommands (`token`, `backup`, …) do not take it: they work beside a
//! running server through SQLite's own locking.
//!
//! It guards a SQLite data directory only; a shared PostgreSQL database serves several
//! instances by design and will not need it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use fs4::{FileExt, TryLockError};

/// Name of the lock file inside the data directory. It holds the owner's process id, for the
/// message a refused second start prints; its mere presence means nothing.
pub const LOCK_FILE: &str = "queue-server.lock";

/// Why the data directory could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another server process holds the lock.
    #[error(
        "another queue-server{} is already running on the data directory {}; \
         stop it first, or give this one another --data",
        pid.map(|pid| format!(" (pid {pid})")).unwrap_or_default(),
        dir.display()
    )]
    Busy {
        /// The data directory.
        dir: PathBuf,
        /// The running server's process id, when it could be read.
        pid: Option<u32>,
    },
    /// The directory or the lock file could not be made or locked.
    #[error("cannot lock the data directory {}: {source}", dir.display())]
    Io {
        /// The data directory.
        dir: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The held lock; dropping it (or the process ending, however it ends) releases it.
#[derive(Debug)]
pub struct DataDirLock {
    /// The open, locked file: the lock lives as long as this handle.
    _file: File,
}

impl DataDirLock {
    /// Locks `dir` (creating it if needed) for this process, or says who holds it. Never
    /// waits: a second server must fail at once, not hang until the first stops.
    pub fn acquire(dir: &Path) -> Result<Self, LockError> {
        let io = |source| LockError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(LOCK_FILE))
            .map_err(io)?;
        // Called through the trait: std's inherent `File::try_lock` (Rust 1.89) is newer than
        // the declared rust-version.
        match FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Busy {
                    dir: dir.to_path_buf(),
                    pid: owner_pid(&mut file),
                });
            }
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        Ok(Self { _file: file })
    }
}

/// The process id the lock's holder wrote, if it is there and readable.
fn owner_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let held = DataDirLock::acquire(dir.path()).expect("first lock");
        match DataDirLock::acquire(dir.path()) {
            Err(LockError::Busy { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(held);
        DataDirLock::acquire(dir.path()).expect("free again once the holder is gone");
    }

    #[test]
    fn a_missing_data_directory_is_created() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("new").join("data");
        let _lock = DataDirLock::acquire(&data).expect("locks");
        assert!(data.join(LOCK_FILE).exists());
    }
}
