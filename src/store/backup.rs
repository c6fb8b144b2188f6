//! A consistent copy of the store while the daemon runs: SQLite's online backup API,
//! copied a few pages at a time so the writer gets in between, checked before it counts.
//!
//! The copy is written to a temporary file beside the target and renamed over it only
//! after `PRAGMA integrity_check` of the copy says `ok`, so a half-written or damaged
//! copy never sits under the name a restore would use.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::{Store, StoreError};

/// Pages copied per step (with SQLite's default 4 KiB pages, 1 MiB): small enough that
/// each step's read lock is short, large enough that a busy store is copied in few steps.
const PAGES_PER_STEP: i32 = 256;

/// The pause between steps, which lets a writer waiting on a rollback-journal database
/// in. (A WAL store, which `Store::open` makes, never blocks its writer on a reader.)
const PAUSE: Duration = Duration::from_millis(5);

/// How often a write by another connection may restart the copy before it is finished
/// in one step: in WAL mode one step is one read snapshot, and the writer carries on
/// beside it, so a store written faster than it can be copied still gets its backup.
const RESTARTS_BEFORE_ONE_STEP: u32 = 4;

/// What a backup wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackedUp {
    pub path: PathBuf,
    pub bytes: u64,
    /// How many times a write to the store made the copy start again.
    pub restarts: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("backup {} already exists", path.display())]
    Exists { path: PathBuf },
    #[error("backup {}: {what}", path.display())]
    Io {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("backup {}: copying the store failed", path.display())]
    Copy {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("backup {}: the store stayed locked for {} s", path.display(), waited.as_secs())]
    Busy { path: PathBuf, waited: Duration },
    #[error("backup {}: the copy failed its integrity check (nothing was written): {detail}", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Copies the store to `target`; an existing `target` is replaced only with
    /// `replace`. `busy_limit` bounds the wait for a lock held by another connection.
    pub fn back_up_to(
        &self,
        target: &Path,
        replace: bool,
        busy_limit: Duration,
    ) -> Result<BackedUp, BackupError> {
        let io = |what| {
            move |source| BackupError::Io {
                path: target.to_path_buf(),
                what,
                source,
            }
        };
        if !replace && target.exists() {
            return Err(BackupError::Exists {
                path: target.to_path_buf(),
            });
        }
        let dir = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Beside the target, so the final rename stays on one file system.
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .tempfile_in(dir)
            .map_err(io("cannot create a temporary file beside it"))?;
        let restarts = self.copy_into(temp.path(), target, busy_limit)?;
        temp.as_file()
            .sync_all()
            .map_err(io("cannot flush the copy to disk"))?;
        let bytes = temp
            .as_file()
            .metadata()
            .map_err(io("cannot read the copy's size"))?
            .len();
        if replace {
            temp.persist(target)
                .map_err(|err| io("cannot rename the copy into place")(err.error))?;
        } else {
            // A file that appeared meanwhile is not replaced either.
            temp.persist_noclobber(target).map_err(|err| {
                if err.error.kind() == std::io::ErrorKind::AlreadyExists {
                    BackupError::Exists {
                        path: target.to_path_buf(),
                    }
                } else {
                    io("cannot rename the copy into place")(err.error)
                }
            })?;
        }
        // The rename itself is durable only once the directory is.
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io("cannot flush its directory"))?;
        Ok(BackedUp {
            path: target.to_path_buf(),
            bytes,
            restarts,
        })
    }

    /// Copies the store into the (empty) file at `copy` and checks the result.
    fn copy_into(
        &self,
        copy: &Path,
        target: &Path,
        busy_limit: Duration,
    ) -> Result<u32, BackupError> {
        let failed = |source| BackupError::Copy {
            path: target.to_path_buf(),
            source,
        };
        let mut destination = Connection::open_with_flags(
            copy,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(failed)?;
        let mut restarts = 0;
        {
            let backup = Backup::new(&self.conn, &mut destination).map_err(failed)?;
            let mut last_remaining = None;
            let mut busy_since: Option<Instant> = None;
            loop {
                let pages = if restarts >= RESTARTS_BEFORE_ONE_STEP {
                    -1
                } else {
                    PAGES_PER_STEP
                };
                let step = backup.step(pages).map_err(failed)?;
                let progress = backup.progress();
                match step {
                    StepResult::Done => break,
                    StepResult::More => {
                        busy_since = None;
                        // A write by another connection starts the copy over.
                        if last_remaining.is_some_and(|last| progress.remaining > last) {
                            restarts += 1;
                        }
                        last_remaining = Some(progress.remaining);
                    }
                    _ => {
                        let since = *busy_since.get_or_insert_with(Instant::now);
                        if since.elapsed() > busy_limit {
                            return Err(BackupError::Busy {
                                path: target.to_path_buf(),
                                waited: busy_limit,
                            });
                        }
                    }
                }
                std::thread::sleep(PAUSE);
            }
        }
        let verdict: Vec<String> = destination
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(failed)?;
        if verdict != ["ok"] {
            return Err(BackupError::Damaged {
                path: target.to_path_buf(),
                detail: verdict.join("; "),
            });
        }
        destination.close().map_err(|(_, source)| failed(source))?;
        Ok(restarts)
    }

    /// The database's size in bytes (its pages, as SQLite counts them).
    pub fn size_bytes(&self) -> Result<u64, StoreError> {
        let (pages, size): (i64, i64) = self
            .conn
            .query_row(
                "SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.error(e))?;
        Ok(u64::try_from(pages.saturating_mul(size)).unwrap_or(0))
    }
}
