//! One daemon per store: an exclusive lock on a file next to the database, held for the
//! daemon's lifetime. Two daemons on one store would move the same mail and send from two
//! sender loops; the second is refused with the pid of the first. The CLI takes no lock:
//! its commands keep working beside the daemon (SQLite serialises their writes).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use super::StoreError;

/// Held while the daemon runs; the operating system lets go of it when the process ends,
/// however it ends (a SIGKILL leaves no stale lock).
#[derive(Debug)]
pub struct DaemonLock {
    _file: File,
    pub path: PathBuf,
}

impl DaemonLock {
    /// Takes the lock for the store at `database` (`DATABASE.lock`), or says who holds it.
    pub fn take(database: &Path) -> Result<DaemonLock, StoreError> {
        let mut name = database.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let io = |source| StoreError::LockFile {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        // SAFETY: flock on a descriptor this function owns; it does not touch memory.
        let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if !taken {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(StoreError::DaemonRunning {
                database: database.to_path_buf(),
                lock: path,
                pid: holder.trim().parse().ok(),
            });
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(DaemonLock { _file: file, path })
    }
}
