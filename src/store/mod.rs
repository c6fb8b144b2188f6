//! Store: the one SQLite file that holds every message, case and event.
//!
//! Nothing else in the program opens SQLite. Callers speak in intents (`insert_message`,
//! `open_case`, `append_event`, `cases`) and never see SQL or a connection. Writes happen in
//! a [`Batch`], one immediate transaction, so a crash leaves either all of a message's
//! rows or none of them. The raw bytes of every message are kept exactly as received; the
//! event log and the raw bytes are protected by triggers, so not even a bug here can
//! rewrite the audit trail.

mod drafts;
mod lock;
mod outgoing;
mod register;
mod schema;

pub use drafts::{DraftRecord, DraftState, NewDraft, OpenCase, QueueEntry, ReportRow, TokenUse};
pub use lock::DaemonLock;
pub use outgoing::{MailKind, NewMail, QueuedMail};
pub use register::{ImportRecord, PurgePlan, SourceImport, SourceStatus};

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use crate::ids::{CaseId, MessageId, MessageKey};
use crate::lang::Lang;
use crate::vocabulary::{CaseState, ClockState, RequestKind, Standing};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {} is locked by another process", path.display())]
    Locked { path: PathBuf },
    #[error("database {} is read-only", path.display())]
    ReadOnly { path: PathBuf },
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

/// Which clue gave a message's receipt time, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptSource {
    /// The IMAP server's INTERNALDATE: when our own server accepted the message.
    ImapInternalDate,
    /// The date of the topmost `Received:` header.
    ReceivedHeader,
    /// The delivery time in a Maildir file name.
    MaildirDelivery,
    /// The sender's `Date:` header.
    DateHeader,
    /// None of the above: the time it was ingested.
    IngestTime,
    /// Our own reply: when the mail server took it.
    SentAt,
    /// A request made by phone, by letter or to a staff member, entered by a person who
    /// gave the day it reached the controller.
    StaffEntry,
}

impl ReceiptSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptSource::ImapInternalDate => "imap_internaldate",
            ReceiptSource::ReceivedHeader => "received_header",
            ReceiptSource::MaildirDelivery => "maildir_delivery",
            ReceiptSource::DateHeader => "date_header",
            ReceiptSource::IngestTime => "ingest_time",
            ReceiptSource::SentAt => "sent_at",
            ReceiptSource::StaffEntry => "staff_entry",
        }
    }
}

/// What became of a stored message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// It opened a case.
    Case,
    /// It joined an existing case (a reply, a follow-up).
    Joined,
    /// Machine-sent; kept, never answered.
    Automated,
    /// Could not be parsed; kept for a person.
    Quarantined,
    /// A person's mail that asks for no right (an order question, a thank-you).
    NotARequest,
    /// Our own reply, as it went out, kept in its case's thread.
    Sent,
    /// Staff mail: a reply to a mail the bot sent staff. Never a case.
    StaffMail,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Case => "case",
            Disposition::Joined => "joined",
            Disposition::Automated => "automated",
            Disposition::Quarantined => "quarantined",
            Disposition::NotARequest => "not_a_request",
            Disposition::Sent => "sent",
            Disposition::StaffMail => "staff_mail",
        }
    }
}

/// A message about to be stored.
pub struct NewMessage<'a> {
    pub raw: &'a [u8],
    pub raw_sha256: &'a [u8; 32],
    pub message_id: Option<&'a MessageId>,
    pub origin: &'a str,
    pub received_at: Timestamp,
    pub received_from: ReceiptSource,
    pub from_address: Option<&'a str>,
    pub from_name: Option<&'a str>,
    pub reply_to: Option<&'a str>,
    pub subject: &'a str,
    pub in_reply_to: &'a [MessageId],
    pub references: &'a [MessageId],
    pub automated: Option<&'a str>,
    pub disposition: Disposition,
    /// The classifier's verdict as JSON, when it ran.
    pub classification: Option<&'a str>,
    /// The Message-ID the mail claims when another stored mail already has it (then
    /// `message_id` is `None`).
    pub colliding_message_id: Option<&'a MessageId>,
}

/// A case about to be opened.
pub struct NewCase<'a> {
    pub year: i16,
    pub state: CaseState,
    pub received_at: Timestamp,
    pub requester: Option<&'a str>,
    pub requester_name: Option<&'a str>,
    pub subject: &'a str,
    pub deadline: Date,
    pub kinds: &'a [RequestKind],
    pub language: Option<Lang>,
}

/// An entry for a case's audit trail.
pub struct NewEvent<'a> {
    pub at: Timestamp,
    pub actor: &'a str,
    pub kind: &'a str,
    pub details: serde_json::Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseSummary {
    pub id: String,
    #[serde(skip)]
    pub case_id: CaseId,
    pub state: CaseState,
    pub received_at: Timestamp,
    pub requester: Option<String>,
    pub requester_name: Option<String>,
    pub subject: String,
    pub deadline: Date,
    pub opened_at: Timestamp,
    pub kinds: Vec<RequestKind>,
    pub language: Option<Lang>,
    /// The identity outcome (`verified`, `on_file_unverified`, …); `None` until matched.
    pub identity: Option<String>,
    /// When the first substantive answer went out (`draft::Purpose::answers_request`).
    pub answered_at: Option<Timestamp>,
    /// Whether the one-month clock runs or waits for information the controller asked for.
    pub clock: ClockState,
    /// The day the clock has waited since (`case::clock`); `None` while it runs.
    pub waiting_since: Option<Date>,
}

impl CaseSummary {
    /// Where the case stands (`case::Standing`): the one meaning of open and answered.
    pub fn standing(&self) -> Standing {
        Standing::of(self.state, self.answered_at.is_some())
    }

    /// Open and past its deadline on `today` (the controller's calendar day). A case whose
    /// clock waits for information is not overdue: its deadline moves when the clock resumes.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.clock == ClockState::Running && self.standing().is_overdue(self.deadline, today)
    }
}

/// A stored message that is in no case: for staff who may want to open one from it.
#[derive(Clone, Debug, Serialize)]
pub struct InboxEntry {
    pub message: String,
    pub message_id: Option<String>,
    pub received_at: Timestamp,
    pub from_address: Option<String>,
    pub subject: String,
    pub disposition: String,
    pub classification: Option<serde_json::Value>,
}

/// What opening a case by hand needs to know of a stored message.
#[derive(Clone, Debug)]
pub struct StoredMessage {
    pub key: MessageKey,
    pub received_at: Timestamp,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    pub disposition: Option<String>,
    pub case: Option<CaseId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MessageSummary {
    pub key: i64,
    pub message_id: Option<String>,
    pub origin: String,
    pub received_at: Timestamp,
    pub received_from: String,
    pub from_address: Option<String>,
    pub subject: String,
    pub size: i64,
    pub automated: Option<String>,
}

/// One stored message as `show M4` heads it: its record, what became of it, its case.
#[derive(Clone, Debug, Serialize)]
pub struct MessageRecord {
    /// The key as staff write it, `M4`.
    pub message: String,
    #[serde(flatten)]
    pub summary: MessageSummary,
    pub disposition: Option<String>,
    pub case: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventRecord {
    pub at: Timestamp,
    pub actor: String,
    pub kind: String,
    pub details: serde_json::Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub messages: Vec<MessageSummary>,
    pub events: Vec<EventRecord>,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuarantineEntry {
    pub at: Timestamp,
    pub origin: String,
    pub reason: String,
    /// The stored message holding the bytes, when they could be read.
    pub message: Option<i64>,
    pub size: Option<i64>,
}

/// Where intake stands in one IMAP mailbox.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub mailbox: String,
    pub uidvalidity: u32,
    pub last_uid: u32,
    pub last_pass_at: Option<Timestamp>,
}

/// Open and overdue cases, for `status`.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Workload {
    pub open: i64,
    pub overdue: i64,
    /// Drafts waiting for a person's approval.
    pub drafts_waiting: i64,
}

/// Counts for `status`-style summaries.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub messages: i64,
    pub cases: i64,
    pub quarantined: i64,
    pub automated: i64,
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
        Ok(())
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

    /// Every case, oldest first.
    pub fn cases(&self) -> Result<Vec<CaseSummary>, StoreError> {
        let mut statement = self
            .conn
            .prepare(&format!("{CASE_COLUMNS} ORDER BY year, seq"))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], case_row)
            .map_err(|e| self.error(e))?;
        let mut cases = Vec::new();
        for row in rows {
            cases.push(self.check_case(row.map_err(|e| self.error(e))?)?);
        }
        Ok(cases)
    }

    /// One case with its messages and events, or `None` if there is no such case.
    pub fn case(&self, id: CaseId) -> Result<Option<CaseDetail>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!("{CASE_COLUMNS} WHERE year = ?1 AND seq = ?2"),
                params![id.year, id.seq],
                case_row,
            )
            .optional()
            .map_err(|e| self.error(e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let rowid = row.rowid;
        let summary = self.check_case(row)?;

        let mut statement = self
            .conn
            .prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM messages m WHERE m.case_id = ?1
                 ORDER BY julianday(m.received_at), m.id"
            ))
            .map_err(|e| self.error(e))?;
        let mut messages = Vec::new();
        let rows = statement
            .query_map([rowid], summary_row)
            .map_err(|e| self.error(e))?;
        for row in rows {
            messages.push(self.check_summary(row.map_err(|e| self.error(e))?)?);
        }

        let mut statement = self
            .conn
            .prepare("SELECT at, actor, kind, details FROM events WHERE case_id = ?1 ORDER BY id")
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([rowid], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut events = Vec::new();
        for row in rows {
            let (at, actor, kind, details) = row.map_err(|e| self.error(e))?;
            let details = serde_json::from_str(&details).map_err(|err| StoreError::Corrupt {
                path: self.path.clone(),
                what: "events.details",
                detail: err.to_string(),
            })?;
            events.push(EventRecord {
                at: self.timestamp("events.at", &at)?,
                actor,
                kind,
                details,
            });
        }
        Ok(Some(CaseDetail {
            summary,
            messages,
            events,
        }))
    }

    /// What could not be handled, oldest first.
    pub fn quarantine(&self) -> Result<Vec<QuarantineEntry>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT q.at, q.origin, q.reason, q.message, m.size
                 FROM quarantine q LEFT JOIN messages m ON m.id = q.message ORDER BY q.id",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut entries = Vec::new();
        for row in rows {
            let (at, origin, reason, message, size) = row.map_err(|e| self.error(e))?;
            entries.push(QuarantineEntry {
                at: self.timestamp("quarantine.at", &at)?,
                origin,
                reason,
                message,
                size,
            });
        }
        Ok(entries)
    }

    /// Stored messages that are in no case, oldest first: mail that asks for no right and,
    /// with `automated`, machine-sent mail too.
    pub fn inbox(&self, automated: bool) -> Result<Vec<InboxEntry>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, message_id, received_at, from_address, subject, disposition, classification
                 FROM messages WHERE disposition = 'not_a_request' OR (?1 AND disposition = 'automated')
                 ORDER BY julianday(received_at), id",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([automated], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut entries = Vec::new();
        for row in rows {
            let (key, message_id, received_at, from_address, subject, disposition, classification) =
                row.map_err(|e| self.error(e))?;
            entries.push(InboxEntry {
                message: MessageKey(key).to_string(),
                message_id,
                received_at: self.timestamp("messages.received_at", &received_at)?,
                from_address,
                subject,
                disposition: disposition.unwrap_or_default(),
                classification: classification
                    .map(|json| {
                        serde_json::from_str(&json).map_err(|_| StoreError::Corrupt {
                            path: self.path.clone(),
                            what: "messages.classification",
                            detail: json.chars().take(60).collect(),
                        })
                    })
                    .transpose()?,
            });
        }
        Ok(entries)
    }

    /// Whether these exact bytes are stored (a read outside any write transaction).
    pub fn knows_raw(&self, raw_sha256: &[u8; 32]) -> Result<bool, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT 1 FROM messages WHERE raw_sha256 = ?1")
            .map_err(|e| self.error(e))?;
        statement
            .exists([&raw_sha256[..]])
            .map_err(|e| self.error(e))
    }

    /// The highest UID of `mailbox` at `uidvalidity` committed to the store, if any.
    pub fn last_uid(&self, mailbox: &str, uidvalidity: u32) -> Result<Option<u32>, StoreError> {
        self.conn
            .query_row(
                "SELECT last_uid FROM imap_checkpoints WHERE mailbox = ?1 AND uidvalidity = ?2",
                params![mailbox, uidvalidity],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map(|uid| uid.and_then(|u| u32::try_from(u).ok()))
            .map_err(|e| self.error(e))
    }

    /// The latest checkpoint of `mailbox` (the one of the newest UIDVALIDITY seen).
    pub fn checkpoint(&self, mailbox: &str) -> Result<Option<Checkpoint>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT uidvalidity, last_uid, last_pass_at FROM imap_checkpoints WHERE mailbox = ?1
                 ORDER BY COALESCE(last_pass_at, '') DESC LIMIT 1",
                [mailbox],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?)),
            )
            .optional()
            .map_err(|e| self.error(e))?;
        let Some((uidvalidity, last_uid, last_pass_at)) = row else {
            return Ok(None);
        };
        let checked = |what: &'static str, value: i64| {
            u32::try_from(value).map_err(|_| StoreError::Corrupt {
                path: self.path.clone(),
                what,
                detail: value.to_string(),
            })
        };
        Ok(Some(Checkpoint {
            mailbox: mailbox.to_string(),
            uidvalidity: checked("imap_checkpoints.uidvalidity", uidvalidity)?,
            last_uid: checked("imap_checkpoints.last_uid", last_uid)?,
            last_pass_at: last_pass_at
                .map(|at| self.timestamp("imap_checkpoints.last_pass_at", &at))
                .transpose()?,
        }))
    }

    /// The moves (or copies) still owed to the server for `mailbox` at `uidvalidity`.
    pub fn pending_moves(
        &self,
        mailbox: &str,
        uidvalidity: u32,
    ) -> Result<Vec<(u32, Destination)>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT uid, destination, copy FROM imap_pending_moves WHERE mailbox = ?1 AND uidvalidity = ?2 ORDER BY uid")
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params![mailbox, uidvalidity], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    Destination {
                        folder: r.get(1)?,
                        copy: r.get(2)?,
                    },
                ))
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(e))
    }

    /// Open cases (`case::Standing`: neither answered nor closed), those of them past their
    /// deadline on `today`, and the drafts waiting for approval.
    pub fn workload(&self, today: Date) -> Result<Workload, StoreError> {
        let mut statement = self
            .conn
            .prepare(concat!(
                "SELECT c.state, c.deadline, ",
                answered_at_sql!(),
                " IS NOT NULL FROM cases c WHERE c.state != 'closed'"
            ))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut workload = Workload::default();
        for row in rows {
            let (state, deadline, answered) = row.map_err(|e| self.error(e))?;
            let corrupt = |what, detail: &str| StoreError::Corrupt {
                path: self.path.clone(),
                what,
                detail: detail.to_string(),
            };
            let state: CaseState = state.parse().map_err(|_| corrupt("cases.state", &state))?;
            let deadline: Date = deadline
                .parse()
                .map_err(|_| corrupt("cases.deadline", &deadline))?;
            let standing = Standing::of(state, answered);
            workload.open += i64::from(standing.is_open());
            workload.overdue += i64::from(standing.is_overdue(deadline, today));
        }
        workload.drafts_waiting = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM drafts WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.error(e))?;
        Ok(workload)
    }

    /// One stored message's record (not its bytes): what `show M4` heads its text with.
    pub fn message(&self, key: MessageKey) -> Result<Option<MessageRecord>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, m.disposition, c.year, c.seq
                     FROM messages m LEFT JOIN cases c ON c.id = m.case_id WHERE m.id = ?1"
                ),
                [key.0],
                |r| {
                    Ok((
                        summary_row(r)?,
                        r.get::<_, Option<String>>(9)?,
                        r.get::<_, Option<i64>>(10)?,
                        r.get::<_, Option<i64>>(11)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.error(e))?;
        let Some((raw, disposition, year, seq)) = row else {
            return Ok(None);
        };
        let case = match (year, seq) {
            (Some(year), Some(seq)) => Some(checked_case_id(&self.path, year, seq)?.to_string()),
            _ => None,
        };
        Ok(Some(MessageRecord {
            message: MessageKey(raw.key).to_string(),
            summary: self.check_summary(raw)?,
            disposition,
            case,
        }))
    }

    /// A message summary as read, its receipt time checked.
    fn check_summary(&self, raw: RawSummary) -> Result<MessageSummary, StoreError> {
        Ok(MessageSummary {
            key: raw.key,
            message_id: raw.message_id,
            origin: raw.origin,
            received_at: self.timestamp("messages.received_at", &raw.received_at)?,
            received_from: raw.received_from,
            from_address: raw.from_address,
            subject: raw.subject,
            size: raw.size,
            automated: raw.automated,
        })
    }

    /// The raw bytes of a stored message, exactly as received.
    pub fn raw_message(&self, key: MessageKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row("SELECT raw FROM messages WHERE id = ?1", [key.0], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }

    pub fn totals(&self) -> Result<Totals, StoreError> {
        self.conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM messages),
                        (SELECT COUNT(*) FROM cases),
                        (SELECT COUNT(*) FROM quarantine),
                        (SELECT COUNT(*) FROM messages WHERE automated IS NOT NULL)",
                [],
                |r| {
                    Ok(Totals {
                        messages: r.get(0)?,
                        cases: r.get(1)?,
                        quarantined: r.get(2)?,
                        automated: r.get(3)?,
                    })
                },
            )
            .map_err(|e| self.error(e))
    }

    fn check_case(&self, row: CaseRow) -> Result<CaseSummary, StoreError> {
        check_case(&self.path, row)
    }

    fn timestamp(&self, what: &'static str, text: &str) -> Result<Timestamp, StoreError> {
        text.parse().map_err(|_| StoreError::Corrupt {
            path: self.path.clone(),
            what,
            detail: text.to_string(),
        })
    }
}

fn check_case(path: &Path, row: CaseRow) -> Result<CaseSummary, StoreError> {
    let corrupt = |what, detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        what,
        detail,
    };
    let state: CaseState = row
        .state
        .parse()
        .map_err(|_| corrupt("cases.state", row.state.clone()))?;
    let case_id = CaseId {
        year: i16::try_from(row.year).map_err(|_| corrupt("cases.year", row.year.to_string()))?,
        seq: u32::try_from(row.seq).map_err(|_| corrupt("cases.seq", row.seq.to_string()))?,
    };
    Ok(CaseSummary {
        id: case_id.to_string(),
        case_id,
        state,
        received_at: parse_timestamp(path, "cases.received_at", &row.received_at)?,
        requester: row.requester,
        requester_name: row.requester_name,
        subject: row.subject,
        deadline: row
            .deadline
            .parse()
            .map_err(|_| corrupt("cases.deadline", row.deadline.clone()))?,
        opened_at: parse_timestamp(path, "cases.opened_at", &row.opened_at)?,
        kinds: serde_json::from_str(&row.kinds)
            .map_err(|_| corrupt("cases.kinds", row.kinds.clone()))?,
        language: match row.language.as_deref() {
            None => None,
            Some(code) => Some(
                code.parse()
                    .map_err(|_| corrupt("cases.language", code.to_string()))?,
            ),
        },
        identity: row.identity,
        answered_at: row
            .answered_at
            .as_deref()
            .map(|t| parse_timestamp(path, "drafts.sent_at", t))
            .transpose()?,
        clock: if row.waiting_since.is_some() {
            ClockState::Waiting
        } else {
            ClockState::Running
        },
        waiting_since: row
            .waiting_since
            .as_deref()
            .map(|d| {
                d.parse()
                    .map_err(|_| corrupt("events.details.since", d.to_string()))
            })
            .transpose()?,
    })
}

/// The columns of a [`MessageSummary`], the messages table named `m`: read by
/// [`summary_row`] from the first nine columns of a row.
const SUMMARY_COLUMNS: &str = "m.id, m.message_id, m.origin, m.received_at, m.received_from, m.from_address, m.subject, m.size, m.automated";

/// A [`MessageSummary`] as a row holds it, its receipt time not yet checked.
struct RawSummary {
    key: i64,
    message_id: Option<String>,
    origin: String,
    received_at: String,
    received_from: String,
    from_address: Option<String>,
    subject: String,
    size: i64,
    automated: Option<String>,
}

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawSummary> {
    Ok(RawSummary {
        key: r.get(0)?,
        message_id: r.get(1)?,
        origin: r.get(2)?,
        received_at: r.get(3)?,
        received_from: r.get(4)?,
        from_address: r.get(5)?,
        subject: r.get(6)?,
        size: r.get(7)?,
        automated: r.get(8)?,
    })
}

/// A case's id from its stored year and number; `None` when they are out of range.
fn case_id(year: i64, seq: i64) -> Option<CaseId> {
    Some(CaseId {
        year: i16::try_from(year).ok()?,
        seq: u32::try_from(seq).ok()?,
    })
}

/// The same, or the error that says the row is corrupt.
fn checked_case_id(path: &Path, year: i64, seq: i64) -> Result<CaseId, StoreError> {
    case_id(year, seq).ok_or_else(|| StoreError::Corrupt {
        path: path.to_path_buf(),
        what: "cases.year/seq",
        detail: format!("{year}/{seq}"),
    })
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

/// SQL: the day case `c`'s clock has stood still since (`case::clock`: the last clock
/// event suspended it), or NULL while it runs.
macro_rules! waiting_since_sql {
    () => {
        "(SELECT CASE e.kind WHEN 'clock_suspended' THEN json_extract(e.details, '$.since') END FROM events e WHERE e.case_id = c.id AND e.kind IN ('clock_suspended', 'clock_resumed') ORDER BY e.id DESC LIMIT 1)"
    };
}
pub(crate) use waiting_since_sql;

const CASE_COLUMNS: &str = concat!(
    "SELECT c.id, c.year, c.seq, c.state, c.received_at, c.requester, c.requester_name, c.subject, c.deadline, c.opened_at, c.kinds, c.language, c.identity, ",
    answered_at_sql!(),
    ", ",
    waiting_since_sql!(),
    " FROM cases c"
);

struct CaseRow {
    rowid: i64,
    year: i64,
    seq: i64,
    state: String,
    received_at: String,
    requester: Option<String>,
    requester_name: Option<String>,
    subject: String,
    deadline: String,
    opened_at: String,
    kinds: String,
    language: Option<String>,
    identity: Option<String>,
    answered_at: Option<String>,
    waiting_since: Option<String>,
}

fn case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        rowid: r.get(0)?,
        year: r.get(1)?,
        seq: r.get(2)?,
        state: r.get(3)?,
        received_at: r.get(4)?,
        requester: r.get(5)?,
        requester_name: r.get(6)?,
        subject: r.get(7)?,
        deadline: r.get(8)?,
        opened_at: r.get(9)?,
        kinds: r.get(10)?,
        language: r.get(11)?,
        identity: r.get(12)?,
        answered_at: r.get(13)?,
        waiting_since: r.get(14)?,
    })
}

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

/// Maps SQLite's failures onto what a person can act on.
fn classify_error(path: &Path, source: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
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

    /// Whether these exact bytes are already stored.
    pub fn knows_raw(&self, raw_sha256: &[u8; 32]) -> Result<bool, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("SELECT 1 FROM messages WHERE raw_sha256 = ?1")
            .map_err(|e| self.error(e))?;
        statement
            .exists([&raw_sha256[..]])
            .map_err(|e| self.error(e))
    }

    /// Whether a message with this Message-ID is already stored.
    pub fn knows_message_id(&self, id: &MessageId) -> Result<bool, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("SELECT 1 FROM messages WHERE message_id = ?1")
            .map_err(|e| self.error(e))?;
        statement.exists([id.as_str()]).map_err(|e| self.error(e))
    }

    /// The case of the most recent stored message among `ids`, for threading a reply.
    pub fn case_of_thread(&self, ids: &[MessageId]) -> Result<Option<CaseId>, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT c.year, c.seq FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.message_id = ?1",
            )
            .map_err(|e| self.error(e))?;
        // References lists the thread oldest first; the nearest ancestor is the best guide.
        for id in ids.iter().rev() {
            let found = statement
                .query_row([id.as_str()], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                })
                .optional()
                .map_err(|e| self.error(e))?;
            if let Some((year, seq)) = found {
                return Ok(self.case_id(year, seq));
            }
        }
        Ok(None)
    }

    /// Whether the case exists.
    /// The requester of a case: `None` if there is no such case, `Some(None)` if the case
    /// has no sender address.
    pub fn case_requester(&self, id: CaseId) -> Result<Option<Option<String>>, StoreError> {
        self.tx
            .prepare_cached("SELECT requester FROM cases WHERE year = ?1 AND seq = ?2")
            .and_then(|mut s| {
                s.query_row(params![id.year, id.seq], |r| r.get::<_, Option<String>>(0))
                    .optional()
            })
            .map_err(|e| self.error(e))
    }

    pub fn case_exists(&self, id: CaseId) -> Result<bool, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("SELECT 1 FROM cases WHERE year = ?1 AND seq = ?2")
            .map_err(|e| self.error(e))?;
        statement
            .exists(params![id.year, id.seq])
            .map_err(|e| self.error(e))
    }

    fn case_id(&self, year: i64, seq: i64) -> Option<CaseId> {
        case_id(year, seq)
    }

    /// A stored message by its key (`M12`, `12`) or its Message-ID.
    pub fn find_message(&self, reference: &str) -> Result<Option<StoredMessage>, StoreError> {
        let reference = reference.trim();
        // The key only as `inbox` and `show` print it (M4), so a typo names no other mail.
        let key = reference.parse::<MessageKey>().ok().map(|key| key.0);
        let message_id = MessageId::new(reference).map(|id| id.as_str().to_string());
        let row = self
            .tx
            .query_row(
                "SELECT m.id, m.received_at, m.from_address, m.from_name, m.subject, m.disposition, c.year, c.seq
                 FROM messages m LEFT JOIN cases c ON c.id = m.case_id
                 WHERE m.id = ?1 OR m.message_id = ?2",
                params![key, message_id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                        r.get::<_, Option<i64>>(7)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.error(e))?;
        let Some((key, received_at, from_address, from_name, subject, disposition, year, seq)) =
            row
        else {
            return Ok(None);
        };
        let received_at = received_at.parse().map_err(|_| StoreError::Corrupt {
            path: self.path.clone(),
            what: "messages.received_at",
            detail: received_at.clone(),
        })?;
        let case = match (year, seq) {
            (Some(year), Some(seq)) => self.case_id(year, seq),
            _ => None,
        };
        Ok(Some(StoredMessage {
            key: MessageKey(key),
            received_at,
            from_address,
            from_name,
            subject,
            disposition,
            case,
        }))
    }

    pub fn set_disposition(
        &self,
        message: MessageKey,
        disposition: Disposition,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE messages SET disposition = ?1 WHERE id = ?2")
            .and_then(|mut s| s.execute(params![disposition.as_str(), message.0]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The request kinds of a case.
    pub fn case_kinds(&self, case: CaseId) -> Result<Option<Vec<RequestKind>>, StoreError> {
        let kinds: Option<String> = self
            .tx
            .prepare_cached("SELECT kinds FROM cases WHERE year = ?1 AND seq = ?2")
            .and_then(|mut s| {
                s.query_row(params![case.year, case.seq], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.error(e))?;
        kinds
            .map(|json| {
                serde_json::from_str(&json).map_err(|_| StoreError::Corrupt {
                    path: self.path.clone(),
                    what: "cases.kinds",
                    detail: json,
                })
            })
            .transpose()
    }

    /// The sentences of a case's messages the classifier asked staff to read because no
    /// right was attributed to them (the `classified` events' `unattributed`), oldest first.
    pub fn case_unattributed(&self, case: CaseId) -> Result<Vec<String>, StoreError> {
        let details: Vec<String> = self
            .tx
            .prepare_cached(
                "SELECT e.details FROM events e JOIN cases c ON e.case_id = c.id
                 WHERE c.year = ?1 AND c.seq = ?2 AND e.kind = 'classified' ORDER BY e.id",
            )
            .and_then(|mut s| {
                s.query_map(params![case.year, case.seq], |r| r.get(0))?
                    .collect()
            })
            .map_err(|e| self.error(e))?;
        Ok(details
            .iter()
            .filter_map(|json| serde_json::from_str::<serde_json::Value>(json).ok())
            .flat_map(|value| unattributed_sentences(&value))
            .collect())
    }

    pub fn set_case_kinds(&self, case: CaseId, kinds: &[RequestKind]) -> Result<(), StoreError> {
        let json = serde_json::to_string(kinds).unwrap_or_else(|_| "[]".to_string());
        self.tx
            .prepare_cached("UPDATE cases SET kinds = ?1 WHERE year = ?2 AND seq = ?3")
            .and_then(|mut s| s.execute(params![json, case.year, case.seq]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Moves a case from one state to another; a case in any other state is left alone.
    /// Returns whether it moved.
    pub fn move_case(
        &self,
        case: CaseId,
        from: CaseState,
        to: CaseState,
    ) -> Result<bool, StoreError> {
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE cases SET state = ?1 WHERE year = ?2 AND seq = ?3 AND state = ?4",
            )
            .and_then(|mut s| s.execute(params![to.as_str(), case.year, case.seq, from.as_str()]))
            .map_err(|e| self.error(e))?;
        Ok(changed > 0)
    }

    /// Records that message `uid` is committed and owes a move to `destination`, and
    /// advances the mailbox's checkpoint.
    pub fn owe_move(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        uid: u32,
        destination: &Destination,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO imap_pending_moves (mailbox, uidvalidity, uid, destination, copy) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    mailbox,
                    uidvalidity,
                    uid,
                    destination.folder,
                    destination.copy
                ])
            })
            .map_err(|e| self.error(e))?;
        self.uid_read(mailbox, uidvalidity, uid)
    }

    /// The message `uid` is committed to the store: a shared mailbox's next pass starts
    /// after it, whether or not it owes a move.
    pub fn uid_read(&self, mailbox: &str, uidvalidity: u32, uid: u32) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO imap_checkpoints (mailbox, uidvalidity, last_uid) VALUES (?1, ?2, ?3)
                 ON CONFLICT (mailbox, uidvalidity) DO UPDATE SET last_uid = MAX(last_uid, excluded.last_uid)",
            )
            .and_then(|mut s| s.execute(params![mailbox, uidvalidity, uid]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The server has moved these messages: nothing is owed for them any more.
    pub fn moves_done(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        uids: &[u32],
    ) -> Result<(), StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("DELETE FROM imap_pending_moves WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3")
            .map_err(|e| self.error(e))?;
        for uid in uids {
            statement
                .execute(params![mailbox, uidvalidity, uid])
                .map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    /// A pass over `mailbox` finished at `at`.
    pub fn pass_done(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO imap_checkpoints (mailbox, uidvalidity, last_uid, last_pass_at) VALUES (?1, ?2, 0, ?3)
                 ON CONFLICT (mailbox, uidvalidity) DO UPDATE SET last_pass_at = excluded.last_pass_at",
            )
            .and_then(|mut s| s.execute(params![mailbox, uidvalidity, at.to_string()]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    pub fn insert_message(
        &self,
        message: &NewMessage<'_>,
        now: Timestamp,
    ) -> Result<MessageKey, StoreError> {
        let ids = |list: &[MessageId]| {
            serde_json::Value::from(
                list.iter()
                    .map(|id| id.as_str().to_string())
                    .collect::<Vec<_>>(),
            )
            .to_string()
        };
        let mut statement = self
            .tx
            .prepare_cached(
                "INSERT INTO messages (raw_sha256, message_id, raw, size, origin, received_at, received_from,
                    stored_at, from_address, from_name, reply_to, subject, in_reply_to, references_ids, automated,
                    disposition, classification, colliding_message_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            )
            .map_err(|e| self.error(e))?;
        statement
            .execute(params![
                &message.raw_sha256[..],
                message.message_id.map(MessageId::as_str),
                message.raw,
                message.raw.len() as i64,
                message.origin,
                message.received_at.to_string(),
                message.received_from.as_str(),
                now.to_string(),
                message.from_address,
                message.from_name,
                message.reply_to,
                message.subject,
                ids(message.in_reply_to),
                ids(message.references),
                message.automated,
                message.disposition.as_str(),
                message.classification,
                message.colliding_message_id.map(MessageId::as_str),
            ])
            .map_err(|e| self.error(e))?;
        Ok(MessageKey(self.tx.last_insert_rowid()))
    }

    /// Opens a case with the next number of its year.
    pub fn open_case(&self, case: &NewCase<'_>, now: Timestamp) -> Result<CaseId, StoreError> {
        let next: i64 = self
            .tx
            .prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM cases WHERE year = ?1")
            .and_then(|mut s| s.query_row([case.year], |r| r.get(0)))
            .map_err(|e| self.error(e))?;
        let seq = u32::try_from(next).map_err(|_| StoreError::Corrupt {
            path: self.path.clone(),
            what: "cases.seq",
            detail: next.to_string(),
        })?;
        let mut statement = self
            .tx
            .prepare_cached(
                "INSERT INTO cases (year, seq, state, received_at, requester, requester_name, subject, deadline, opened_at,
                    kinds, language)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .map_err(|e| self.error(e))?;
        statement
            .execute(params![
                case.year,
                seq,
                case.state.as_str(),
                case.received_at.to_string(),
                case.requester,
                case.requester_name,
                case.subject,
                case.deadline.to_string(),
                now.to_string(),
                serde_json::to_string(case.kinds).unwrap_or_else(|_| "[]".to_string()),
                case.language.map(Lang::code),
            ])
            .map_err(|e| self.error(e))?;
        Ok(CaseId {
            year: case.year,
            seq,
        })
    }

    pub fn attach_message(&self, message: MessageKey, case: CaseId) -> Result<(), StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("UPDATE messages SET case_id = (SELECT id FROM cases WHERE year = ?1 AND seq = ?2) WHERE id = ?3")
            .map_err(|e| self.error(e))?;
        statement
            .execute(params![case.year, case.seq, message.0])
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    pub fn append_event(&self, case: CaseId, event: &NewEvent<'_>) -> Result<(), StoreError> {
        let mut statement = self
            .tx
            .prepare_cached(
                "INSERT INTO events (case_id, at, actor, kind, details)
                 SELECT id, ?3, ?4, ?5, ?6 FROM cases WHERE year = ?1 AND seq = ?2",
            )
            .map_err(|e| self.error(e))?;
        let inserted = statement
            .execute(params![
                case.year,
                case.seq,
                event.at.to_string(),
                event.actor,
                event.kind,
                event.details.to_string()
            ])
            .map_err(|e| self.error(e))?;
        if inserted == 0 {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                what: "cases",
                detail: format!("no case {case}"),
            });
        }
        Ok(())
    }

    /// Records that a message (or a file that could not even be read) needs a person.
    /// Recording the same origin and reason twice keeps one entry.
    pub fn quarantine(
        &self,
        origin: &str,
        reason: &str,
        message: Option<MessageKey>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let exists = self
            .tx
            .prepare_cached(
                "SELECT 1 FROM quarantine WHERE origin = ?1 AND reason = ?2 AND message IS ?3",
            )
            .and_then(|mut s| s.exists(params![origin, reason, message.map(|m| m.0)]))
            .map_err(|e| self.error(e))?;
        if !exists {
            self.tx
                .prepare_cached(
                    "INSERT INTO quarantine (at, origin, reason, message) VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        now.to_string(),
                        origin,
                        reason,
                        message.map(|m| m.0)
                    ])
                })
                .map_err(|e| self.error(e))?;
        }
        Ok(())
    }
}

/// The `unattributed` sentences of a `classified` event's details.
pub fn unattributed_sentences(details: &serde_json::Value) -> Vec<String> {
    details
        .get("unattributed")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests;
