//! The cases table: opening a case, its kinds and state, and the case views.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::events::decode_event;
use super::messages::{SUMMARY_COLUMNS, summary_row};
use super::sql::{Day, Instant, Json, column};
use super::{
    Batch, EventRecord, MessageSummary, Store, StoreError, answered_at_sql, json_text,
    suspended_clock_sql,
};
use crate::ids::{CaseId, MessageId};
use crate::lang::Lang;
use crate::vocabulary::event::ClockSuspended;
use crate::vocabulary::{CaseState, ClockState, IdentityOutcome, RequestKind, Standing};

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
    pub identity: Option<IdentityOutcome>,
    /// When the first substantive answer went out (`draft::Purpose::answers_request`).
    pub answered_at: Option<Timestamp>,
    /// Whether the one-month clock runs or waits for information the controller asked for.
    pub clock: ClockState,
    /// The day the clock has waited since (`case::clock`); `None` while it runs.
    pub waiting_since: Option<Date>,
    /// The staff account that owns the case (by name); `None` while nobody does.
    pub owner: Option<String>,
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

#[derive(Clone, Debug, Serialize)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub messages: Vec<MessageSummary>,
    pub events: Vec<EventRecord>,
}

pub(super) fn check_case(_path: &Path, row: CaseRow) -> Result<CaseSummary, StoreError> {
    Ok(CaseSummary {
        id: row.case_id.to_string(),
        case_id: row.case_id,
        state: row.state,
        received_at: row.received_at.0,
        requester: row.requester,
        requester_name: row.requester_name,
        subject: row.subject,
        deadline: row.deadline.0,
        opened_at: row.opened_at.0,
        kinds: row.kinds.0,
        language: row.language,
        identity: row.identity,
        answered_at: row.answered_at.map(|at| at.0),
        clock: if row.suspended.is_some() {
            ClockState::Waiting
        } else {
            ClockState::Running
        },
        waiting_since: row.suspended.map(|s| s.0.since),
        owner: row.owner,
    })
}

/// A case's id from its stored year and number; `None` when they are out of range.
pub(super) fn case_id(year: i64, seq: i64) -> Option<CaseId> {
    Some(CaseId {
        year: i16::try_from(year).ok()?,
        seq: u32::try_from(seq).ok()?,
    })
}

/// The same, or the error that says the row is corrupt.
pub(super) fn checked_case_id(path: &Path, year: i64, seq: i64) -> Result<CaseId, StoreError> {
    case_id(year, seq).ok_or_else(|| StoreError::Corrupt {
        path: path.to_path_buf(),
        what: "cases.year/seq",
        detail: format!("{year}/{seq}"),
    })
}

pub(super) const CASE_COLUMNS: &str = concat!(
    "SELECT c.id, c.year, c.seq, c.state, c.received_at, c.requester, c.requester_name, c.subject, c.deadline, c.opened_at, c.kinds, c.language, c.identity, ",
    answered_at_sql!(),
    ", ",
    suspended_clock_sql!(),
    ", (SELECT o.name FROM staff o WHERE o.id = c.owner)",
    " FROM cases c"
);

pub(super) struct CaseRow {
    rowid: i64,
    case_id: CaseId,
    state: CaseState,
    received_at: Instant,
    requester: Option<String>,
    requester_name: Option<String>,
    subject: String,
    deadline: Day,
    opened_at: Instant,
    kinds: Json<Vec<RequestKind>>,
    language: Option<Lang>,
    identity: Option<IdentityOutcome>,
    answered_at: Option<Instant>,
    /// The `clock_suspended` payload while the clock stands still.
    suspended: Option<Json<ClockSuspended>>,
    owner: Option<String>,
}

pub(super) fn case_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRow> {
    Ok(CaseRow {
        rowid: r.get(0)?,
        case_id: CaseId {
            year: column(r, 1, "cases.year")?,
            seq: column(r, 2, "cases.seq")?,
        },
        state: column(r, 3, "cases.state")?,
        received_at: column(r, 4, "cases.received_at")?,
        requester: r.get(5)?,
        requester_name: r.get(6)?,
        subject: r.get(7)?,
        deadline: column(r, 8, "cases.deadline")?,
        opened_at: column(r, 9, "cases.opened_at")?,
        kinds: column(r, 10, "cases.kinds")?,
        language: column(r, 11, "cases.language")?,
        identity: column(r, 12, "cases.identity")?,
        answered_at: column(r, 13, "drafts.sent_at")?,
        suspended: column(r, 14, "events.details")?,
        owner: r.get(15)?,
    })
}

impl Store {
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
            .prepare(
                "SELECT id, at, actor, kind, details FROM events WHERE case_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([rowid], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut events = Vec::new();
        for row in rows {
            let (id, at, actor, kind, details) = row.map_err(|e| self.error(e))?;
            events.push(EventRecord {
                at: self.timestamp("events.at", &at)?,
                actor,
                event: decode_event(&self.path, id, &kind, &details)?,
            });
        }
        Ok(Some(CaseDetail {
            summary,
            messages,
            events,
        }))
    }

    pub(super) fn check_case(&self, row: CaseRow) -> Result<CaseSummary, StoreError> {
        check_case(&self.path, row)
    }
}

impl Batch<'_> {
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

    pub(super) fn case_id(&self, year: i64, seq: i64) -> Option<CaseId> {
        case_id(year, seq)
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

    pub fn set_case_kinds(&self, case: CaseId, kinds: &[RequestKind]) -> Result<(), StoreError> {
        let json = json_text(&self.path, "cases.kinds", kinds)?;
        self.tx
            .prepare_cached("UPDATE cases SET kinds = ?1 WHERE year = ?2 AND seq = ?3")
            .and_then(|mut s| s.execute(params![json, case.year, case.seq]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The name of the account that owns a case: `None` if there is no such case,
    /// `Some(None)` if nobody owns it.
    pub fn case_owner(&self, case: CaseId) -> Result<Option<Option<String>>, StoreError> {
        self.tx
            .prepare_cached(
                "SELECT (SELECT o.name FROM staff o WHERE o.id = c.owner) FROM cases c
                 WHERE c.year = ?1 AND c.seq = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![case.year, case.seq], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.error(e))
    }

    /// Makes the account with this id the case's owner (`None`: nobody). Returns whether
    /// the case exists.
    pub fn set_case_owner(&self, case: CaseId, owner: Option<i64>) -> Result<bool, StoreError> {
        let changed = self
            .tx
            .prepare_cached("UPDATE cases SET owner = ?1 WHERE year = ?2 AND seq = ?3")
            .and_then(|mut s| s.execute(params![owner, case.year, case.seq]))
            .map_err(|e| self.error(e))?;
        Ok(changed > 0)
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
                json_text(&self.path, "cases.kinds", case.kinds)?,
                case.language.map(Lang::code),
            ])
            .map_err(|e| self.error(e))?;
        Ok(CaseId {
            year: case.year,
            seq,
        })
    }
}
