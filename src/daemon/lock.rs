//! One daemon per state database: an exclusive lock on `<database>.lock`, held for the
//! daemon's life.
//!
//! Two daemons on one database would both run every schedule, both apply retention and each
//! recover the other's "interrupted" runs at start. SQLite's own locking only serialises their
//! writes, so the daemon takes an OS file lock (`flock` on Unix, `LockFileEx` on Windows)
//! before it opens the database. The OS drops the lock when the process exits, even on a
//! crash or `kill -9`, so a stale lock file never blocks a restart. The holder writes its PID
//! into the file so the refusal can name it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another tablevault daemon{} is using the state database {database}: its lock {lock} \
         is held; run one daemon per database file (stop the other one, or give this one its \
         own [database] path)",
        .holder_pid.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
    )]
    Held {
        database: PathBuf,
        lock: PathBuf,
        holder_pid: Option<u32>,
    },
    #[error("cannot lock {lock}: {source}")]
    Io {
        lock: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct InstanceLock {
    path: PathBuf,
    _file: File,
}

impl InstanceLock {
    /// The lock file for `database`: beside it, named `<file name>.lock`.
    pub fn path_for(database: &Path) -> PathBuf {
        let mut name = database.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        database.with_file_name(name)
    }

    /// Takes the lock for `database` without waiting, creating the directory and the lock
    /// file if needed, and records this process's PID in it.
    pub fn acquire(database: &Path) -> Result<InstanceLock, LockError> {
        let path = Self::path_for(database);
        let io = |source| LockError::Io {
            lock: path.clone(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        // Not truncated on open: the file may hold the running daemon's PID.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    database: database.to_path_buf(),
                    holder_pid: read_pid(&mut file),
                    lock: path,
                });
            }
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
        write_pid(&mut file).map_err(io)?;
        tracing::debug!(lock = %path.display(), "Holding the state database lock.");
        Ok(InstanceLock { path, _file: file })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The PID the holder wrote; `None` if it has not written it yet or the file is not ours.
fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

fn write_pid(file: &mut File) -> std::io::Result<()> {
    file.set_len(0)?;
    file.rewind()?;
    writeln!(file, "{}", std::process::id())?;
    file.flush()
}
