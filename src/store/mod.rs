//! Store: the one SQLite file that holds every message, case and event.
//!
//! Nothing else in the program opens SQLite. Callers speak in intents (`insert_message`,
//! `open_case`, `append_event`, `cases`) and never see SQL or a connection. Writes happen in
//! a [`Batch`], one immediate transaction, so a crash leaves either all of a message's
//! rows or none of them. The raw bytes of every message are kept exactly as received; the
//! event log and the raw bytes are protected by triggers, so not even a bug here can
//! rewrite the audit trail.

mod actions;
mod backup;
mod cases;
mod check;
mod drafts;
mod events;
mod lock;
mod mailbox;
mod messages;
mod outgoing;
mod register;
mod reports;
mod schema;
mod sql;
mod staff;

pub use actions::{ActionDecision, ActionRecord, NewAction, Suppressed};
pub use backup::{BackedUp, BackupError};
pub use cases::{CaseDetail, CaseSummary, NewCase};
pub use check::{Checked, Problem};
pub use drafts::{DraftRecord, DraftState, NewDraft, OpenCase, QueueEntry, QueueSlice, TokenUse};
pub use events::{EventRecord, NewEvent};
pub use lock::DaemonLock;
pub use mailbox::Checkpoint;
pub use messages::{
    Disposition, InboxEntry, MessageRecord, MessageSummary, NewMessage, QuarantineEntry,
    ReceiptSource, Redaction, StoredMessage,
};
pub use outgoing::{MailKind, NewMail, QueuedMail};
pub use register::{ImportRecord, PurgePlan, SourceImport, SourceStatus};
pub use reports::{ReportRow, Totals, Workload};
pub use staff::{ActorStanding, StaffAccount, StaffSession};

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use cases::{CASE_COLUMNS, case_row, check_case, checked_case_id};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {} is locked by another process", path.display())]
    Locked { path: PathBuf },
    #[error("database {} is read-only", path.display())]
    ReadOnly { path: PathBuf },
    #[error("no database at {}", path.display())]
    Missing { path: PathBuf },
    #[error("cannot open database {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database {} was written by a newer rightsbot (schema {found}, this one knows {known})", path.display())]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("database {} could not be migrated to schema {version}", path.display())]
    Migration {
        path: PathBuf,
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database {}: {what} is corrupt: {}", path.display(), printable(detail))]
    Corrupt {
        path: PathBuf,
        what: &'static str,
        detail: String,
    },
    #[error("database {}: {what} could not be encoded for storing", path.display())]
    Encode {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("database {}: {what} {value} does not fit in the store", path.display())]
    OutOfRange {
        path: PathBuf,
        what: &'static str,
        value: String,
    },
    #[error("database {}", path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("another rightsbot daemon{} is running on {}: one daemon per store (lock {})", pid.map(|p| format!(" (pid {p})")).unwrap_or_default(), database.display(), lock.display())]
    DaemonRunning {
        database: PathBuf,
        lock: PathBuf,
        pid: Option<u32>,
    },
    #[error("cannot take the daemon lock {}", path.display())]
    LockFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where a message owes to go once its case is committed: moved, or (a shared mailbox
/// that keeps the original) copied.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Destination {
    pub folder: String,
    pub copy: bool,
}

/// How the store is opened.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// How long to wait for another writer before giving up with [`StoreError::Locked`].
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(5),
        }
    }
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path, options: &StoreOptions) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
            && !parent.exists()
        {
            std::fs::create_dir_all(parent).map_err(|err| StoreError::Open {
                path: path.to_path_buf(),
                source: rusqlite::Error::InvalidPath(PathBuf::from(err.to_string())),
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure(options)?;
        schema::migrate(&mut store.conn, &store.path)?;
        Ok(store)
    }

    /// Opens the database for reading only, for the commands that only look (`cases`,
    /// `show`, `status`, …): they work on a file this user may read but not write. A file
    /// that does not exist yet, or needs migrating, is opened as [`Store::open`] does.
    pub fn open_read_only(path: &Path, options: &StoreOptions) -> Result<Store, StoreError> {
        if !path.exists() {
            return Store::open(path, options);
        }
        let store = match Store::read_only_connection(path, options, false) {
            // A WAL database needs its -shm file; when no writer is running and this user
            // may not create it, nobody can be changing the file, so read it as immutable.
            Err(StoreError::Open { .. } | StoreError::ReadOnly { .. }) => {
                Store::read_only_connection(path, options, true)?
            }
            other => other?,
        };
        if store.schema_version()? < schema::LATEST {
            drop(store);
            return Store::open(path, options);
        }
        Ok(store)
    }

    /// Opens an existing database for reading, as [`Store::open_read_only`] does, but
    /// never creates one: `check` judges the file that is there, or says there is none.
    pub fn open_existing(path: &Path, options: &StoreOptions) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::open_read_only(path, options)
    }

    /// Opens an existing database to copy it as it is: read-only, never migrated, and
    /// never as `immutable` (which would let SQLite ignore a daemon writing meanwhile and
    /// copy a torn file).
    pub fn open_to_copy(path: &Path, options: &StoreOptions) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Store::read_only_connection(path, options, false)
    }

    fn read_only_connection(
        path: &Path,
        options: &StoreOptions,
        immutable: bool,
    ) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let uri = format!(
            "file:{}?mode=ro{}",
            uri_path(path),
            if immutable { "&immutable=1" } else { "" }
        );
        let conn = Connection::open_with_flags(uri, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store
            .conn
            .busy_timeout(options.busy_timeout)
            .map_err(|e| store.error(e))?;
        store.keep_plans()?;
        // The first read is where SQLite finds out whether it can open the file at all.
        let version = store.schema_version()?;
        if version > schema::LATEST {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                known: schema::LATEST,
            });
        }
        Ok(store)
    }

    fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.error(e))
    }

    fn configure(&self, options: &StoreOptions) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(options.busy_timeout)
            .map_err(|e| self.error(e))?;
        // WAL lets `cases` read while the daemon writes. FULL makes a commit durable before
        // intake acknowledges the message to the server (moves it out of the inbox), so a
        // power cut cannot lose a request that already left the inbox.
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| self.error(e))?;
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.error(e))?;
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| self.error(e))?;
        // Admitting a message, matching and drafting run some forty distinct statements;
        // all of them stay compiled.
        self.conn.set_prepared_statement_cache_capacity(128);
        self.keep_plans()
    }

    /// Turns on SQLite's query planner stability guarantee. Without it, SQLite 3.5x marks
    /// every statement with `column = ?` for re-planning whenever its bindings are cleared
    /// (the planner weighs a bound 0 or 1 differently), and rusqlite clears them each time
    /// a cached statement goes back to the cache: every cached statement was compiled
    /// again on its next use, a fifth of ingest's time. Our queries are written for their
    /// indexes, so one plan per statement is the plan we want.
    fn keep_plans(&self) -> Result<(), StoreError> {
        self.conn
            .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map(drop)
            .map_err(|e| self.error(e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, source: rusqlite::Error) -> StoreError {
        classify_error(&self.path, source)
    }

    /// SQLite's `PRAGMA data_version`: it changes whenever another connection (the daemon's
    /// intake, a CLI command) commits to the database, so a long-lived reader can tell
    /// cheaply that there is something new to look at.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.error(e))
    }

    /// Starts a write transaction. It takes the write lock at once, so a second writer
    /// waits here (up to the busy timeout) rather than failing halfway through.
    pub fn begin(&mut self) -> Result<Batch<'_>, StoreError> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| classify_error(&path, e))?;
        Ok(Batch { tx, path })
    }

    fn timestamp(&self, what: &'static str, text: &str) -> Result<Timestamp, StoreError> {
        text.parse().map_err(|_| StoreError::Corrupt {
            path: self.path.clone(),
            what,
            detail: text.to_string(),
        })
    }
}

fn parse_timestamp(path: &Path, what: &'static str, text: &str) -> Result<Timestamp, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        path: path.to_path_buf(),
        what,
        detail: text.to_string(),
    })
}

/// SQL: when case `c`'s first substantive answer went out (NULL: none yet). The purposes
/// are those of `draft::Purpose::answers_request` (a unit test holds the two together);
/// `case::Standing` says what the answer means for the case.
macro_rules! answered_at_sql {
    () => {
        "(SELECT MIN(d.sent_at) FROM drafts d WHERE d.case_id = c.id AND d.state = 'sent' AND d.purpose IN ('reply', 'not_found', 'refusal'))"
    };
}
pub(crate) use answered_at_sql;

/// SQL: the details of case `c`'s last clock event when it suspended the clock
/// (`case::clock`; a `clock_suspended` payload, decoded in Rust), or NULL while the clock
/// runs. The kinds are `EventKind::ClockSuspended` and `ClockResumed` (a unit test holds
/// the names together).
macro_rules! suspended_clock_sql {
    () => {
        "(SELECT CASE e.kind WHEN 'clock_suspended' THEN e.details END FROM events e WHERE e.case_id = c.id AND e.kind IN ('clock_suspended', 'clock_resumed') ORDER BY e.id DESC LIMIT 1)"
    };
}
pub(crate) use suspended_clock_sql;

/// A path as the path part of an SQLite `file:` URI (RFC 3986 percent-encoding).
fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::new();
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// A corrupt value as one short printable line: it may hold any bytes at all (terminal
/// escapes, line breaks, a whole message), and an error is one line a person can read.
fn printable(detail: &str) -> String {
    const MAX_CHARS: usize = 60;
    let mut shown: String = detail
        .chars()
        .take(MAX_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if detail.chars().nth(MAX_CHARS).is_some() {
        shown.push('…');
    }
    format!("\"{shown}\"")
}

/// A value as JSON text for a column; one that cannot be encoded is an error naming the
/// column, never a silent stand-in.
fn json_text<T: serde::Serialize + ?Sized>(
    path: &Path,
    what: &'static str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Encode {
        path: path.to_path_buf(),
        what,
        source,
    })
}

/// A count or a size as SQLite's integer; one too large is an error, never wrapped.
fn sql_integer<T>(path: &Path, what: &'static str, value: T) -> Result<i64, StoreError>
where
    T: TryInto<i64> + Copy + std::fmt::Display,
{
    value.try_into().map_err(|_| StoreError::OutOfRange {
        path: path.to_path_buf(),
        what,
        value: value.to_string(),
    })
}

/// Maps SQLite's failures onto what a person can act on.
fn classify_error(path: &Path, source: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    // A row reader's `sql::column` found a value its type cannot read.
    if let rusqlite::Error::FromSqlConversionFailure(_, _, cause) = &source
        && let Some(corrupt) = cause.downcast_ref::<sql::CorruptValue>()
    {
        return StoreError::Corrupt {
            path,
            what: corrupt.what,
            detail: corrupt.detail.clone(),
        };
    }
    match source.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path },
        Some(ErrorCode::CannotOpen | ErrorCode::NotADatabase | ErrorCode::PermissionDenied) => {
            StoreError::Open { path, source }
        }
        _ => StoreError::Sqlite { path, source },
    }
}

/// One write transaction. Dropping it without [`Batch::commit`] rolls everything back.
pub struct Batch<'a> {
    tx: rusqlite::Transaction<'a>,
    path: PathBuf,
}

impl Batch<'_> {
    fn error(&self, source: rusqlite::Error) -> StoreError {
        classify_error(&self.path, source)
    }

    pub fn commit(self) -> Result<(), StoreError> {
        let path = self.path;
        self.tx.commit().map_err(|e| classify_error(&path, e))
    }
}

#[cfg(test)]
mod tests;
