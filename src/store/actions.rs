//! The action list of each case and the suppression list: kept here, derived by `actions`,
//! ticked by staff through the application layer.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Batch, Store, StoreError, checked_case_id, classify_error, parse_timestamp};
use crate::ids::CaseId;
use crate::vocabulary::{ActionKind, ActionNumber, ActionState};

/// An action to add to a case's list.
pub struct NewAction<'a> {
    pub kind: ActionKind,
    pub source: &'a str,
    pub target: &'a str,
    pub until: Option<Date>,
    pub entries: &'a [i64],
    pub records: &'a [String],
    pub owner: Option<&'a str>,
    pub why: &'a str,
}

/// Where an action stands now, and on whose word.
#[derive(Clone, Copy)]
pub struct ActionDecision<'a> {
    pub state: ActionState,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub by: &'a str,
}

/// One action of a case, as kept.
#[derive(Clone, Debug, Serialize)]
pub struct ActionRecord {
    /// The case as staff write it.
    pub case: String,
    #[serde(skip)]
    pub case_id: CaseId,
    #[serde(rename = "action")]
    pub number: ActionNumber,
    pub kind: ActionKind,
    pub source: String,
    pub target: String,
    pub until: Option<Date>,
    pub entries: Vec<i64>,
    pub records: Vec<String>,
    pub owner: Option<String>,
    pub why: String,
    pub state: ActionState,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// One suppressed address.
#[derive(Clone, Debug, Serialize)]
pub struct Suppressed {
    pub address: String,
    pub case: Option<String>,
    pub added_at: Timestamp,
    pub added_by: String,
}

const ACTION_COLUMNS: &str =
    "SELECT c.year, c.seq, a.number, a.kind, a.source, a.target, a.until, a.entries, a.records,
        a.owner, a.why, a.state, a.reason, a.note, a.decided_by, a.decided_at, a.created_at
   FROM actions a JOIN cases c ON c.id = a.case_id";

type RawAction = (
    (
        i64,
        i64,
        i64,
        String,
        String,
        String,
        Option<String>,
        String,
    ),
    (
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        Option<String>,
    ),
    (Option<String>, Option<String>, String),
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAction> {
    Ok((
        (
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ),
        (
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
            r.get(11)?,
            r.get(12)?,
            r.get(13)?,
        ),
        (r.get(14)?, r.get(15)?, r.get(16)?),
    ))
}

fn check(path: &Path, row: RawAction) -> Result<ActionRecord, StoreError> {
    let corrupt = |what, detail: String| StoreError::Corrupt {
        path: path.to_path_buf(),
        what,
        detail,
    };
    let ((year, seq, number, kind, source, target, until, entries), rest, decided) = row;
    let (records, owner, why, state, reason, note) = rest;
    let (decided_by, decided_at, created_at) = decided;
    let case_id = checked_case_id(path, year, seq)?;
    Ok(ActionRecord {
        case: case_id.to_string(),
        case_id,
        number: ActionNumber(
            u32::try_from(number).map_err(|_| corrupt("actions.number", number.to_string()))?,
        ),
        kind: ActionKind::parse(&kind).ok_or_else(|| corrupt("actions.kind", kind.clone()))?,
        source,
        target,
        until: until
            .map(|d| d.parse().map_err(|_| corrupt("actions.until", d.clone())))
            .transpose()?,
        entries: serde_json::from_str(&entries)
            .map_err(|_| corrupt("actions.entries", entries.clone()))?,
        records: serde_json::from_str(&records)
            .map_err(|_| corrupt("actions.records", records.clone()))?,
        owner,
        why,
        state: ActionState::parse(&state).ok_or_else(|| corrupt("actions.state", state.clone()))?,
        reason,
        note,
        decided_by,
        decided_at: decided_at
            .map(|t| parse_timestamp(path, "actions.decided_at", &t))
            .transpose()?,
        created_at: parse_timestamp(path, "actions.created_at", &created_at)?,
    })
}

fn query(
    conn: &Connection,
    path: &Path,
    filter: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<ActionRecord>, StoreError> {
    let rows = conn
        .prepare_cached(&format!(
            "{ACTION_COLUMNS} {filter} ORDER BY c.year, c.seq, a.number"
        ))
        .and_then(|mut s| s.query_map(params, raw)?.collect::<Result<Vec<_>, _>>())
        .map_err(|e| classify_error(path, e))?;
    rows.into_iter().map(|row| check(path, row)).collect()
}

fn actions_in(
    conn: &Connection,
    path: &Path,
    states: &[ActionState],
) -> Result<Vec<ActionRecord>, StoreError> {
    // The states are the enum's own names, never outside text.
    let list = states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    query(conn, path, &format!("WHERE a.state IN ({list})"), [])
}

fn suppression_list(conn: &Connection, path: &Path) -> Result<Vec<Suppressed>, StoreError> {
    let rows = conn
        .prepare_cached(
            "SELECT s.address, c.year, c.seq, s.added_at, s.added_by
               FROM suppression s LEFT JOIN cases c ON c.id = s.case_id ORDER BY s.address",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| classify_error(path, e))?;
    rows.into_iter()
        .map(|(address, year, seq, added_at, added_by)| {
            let case = match (year, seq) {
                (Some(year), Some(seq)) => Some(checked_case_id(path, year, seq)?.to_string()),
                _ => None,
            };
            Ok(Suppressed {
                address,
                case,
                added_at: parse_timestamp(path, "suppression.added_at", &added_at)?,
                added_by,
            })
        })
        .collect()
}

impl Store {
    /// A case's actions, in their order.
    pub fn actions_of(&self, case: CaseId) -> Result<Vec<ActionRecord>, StoreError> {
        query(
            &self.conn,
            &self.path,
            "WHERE c.year = ?1 AND c.seq = ?2",
            params![case.year, case.seq],
        )
    }

    /// Every action of every case still in `states`, case by case.
    pub fn actions_in(&self, states: &[ActionState]) -> Result<Vec<ActionRecord>, StoreError> {
        actions_in(&self.conn, &self.path, states)
    }

    /// Every address on the suppression list.
    pub fn suppression(&self) -> Result<Vec<Suppressed>, StoreError> {
        suppression_list(&self.conn, &self.path)
    }
}

impl Batch<'_> {
    /// Every action of every case still in `states`, case by case.
    pub fn actions_in(&self, states: &[ActionState]) -> Result<Vec<ActionRecord>, StoreError> {
        actions_in(&self.tx, &self.path, states)
    }

    /// A case's actions, in their order.
    pub fn actions_of(&self, case: CaseId) -> Result<Vec<ActionRecord>, StoreError> {
        query(
            &self.tx,
            &self.path,
            "WHERE c.year = ?1 AND c.seq = ?2",
            params![case.year, case.seq],
        )
    }

    /// Adds an action to a case's list as the next number; `state` is `open`, or `done`
    /// for what the bot did itself in this transaction.
    pub fn insert_action(
        &self,
        case: CaseId,
        action: &NewAction<'_>,
        state: ActionState,
        actor: &str,
        now: Timestamp,
    ) -> Result<ActionNumber, StoreError> {
        let entries = serde_json::to_string(action.entries).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            what: "actions.entries",
            detail: e.to_string(),
        })?;
        let records = serde_json::to_string(action.records).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            what: "actions.records",
            detail: e.to_string(),
        })?;
        let decided = (state != ActionState::Open).then(|| (actor, now.to_string()));
        let number: i64 = self
            .tx
            .prepare_cached(
                "INSERT INTO actions (case_id, number, kind, source, target, until, entries, records,
                                      owner, why, state, decided_by, decided_at, created_at)
                 SELECT c.id, COALESCE((SELECT MAX(number) FROM actions WHERE case_id = c.id), 0) + 1,
                        ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14
                   FROM cases c WHERE c.year = ?1 AND c.seq = ?2
                 RETURNING number",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        case.year,
                        case.seq,
                        action.kind.as_str(),
                        action.source,
                        action.target,
                        action.until.map(|d| d.to_string()),
                        entries,
                        records,
                        action.owner,
                        action.why,
                        state.as_str(),
                        decided.as_ref().map(|d| d.0),
                        decided.as_ref().map(|d| d.1.clone()),
                        now.to_string(),
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(|e| self.error(e))?;
        Ok(ActionNumber(u32::try_from(number).map_err(|_| {
            StoreError::Corrupt {
                path: self.path.clone(),
                what: "actions.number",
                detail: number.to_string(),
            }
        })?))
    }

    /// Brings an action's particulars (its records, end date, owner) up to date with a new
    /// derivation; its state is left as staff recorded it.
    pub fn update_action_plan(
        &self,
        case: CaseId,
        number: ActionNumber,
        action: &NewAction<'_>,
    ) -> Result<(), StoreError> {
        let entries = serde_json::to_string(action.entries).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            what: "actions.entries",
            detail: e.to_string(),
        })?;
        let records = serde_json::to_string(action.records).map_err(|e| StoreError::Corrupt {
            path: self.path.clone(),
            what: "actions.records",
            detail: e.to_string(),
        })?;
        self.tx
            .prepare_cached(
                "UPDATE actions SET until = ?4, entries = ?5, records = ?6, owner = ?7, why = ?8
                  WHERE case_id = (SELECT id FROM cases WHERE year = ?1 AND seq = ?2) AND number = ?3",
            )
            .and_then(|mut s| {
                s.execute(params![
                    case.year,
                    case.seq,
                    number.0,
                    action.until.map(|d| d.to_string()),
                    entries,
                    records,
                    action.owner,
                    action.why,
                ])
            })
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Records where an action stands now, by whom and why.
    pub fn set_action_state(
        &self,
        case: CaseId,
        number: ActionNumber,
        decision: &ActionDecision<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let ActionDecision {
            state,
            reason,
            note,
            by,
        } = *decision;
        self.tx
            .prepare_cached(
                "UPDATE actions SET state = ?4, reason = ?5, note = COALESCE(?6, note), decided_by = ?7, decided_at = ?8
                  WHERE case_id = (SELECT id FROM cases WHERE year = ?1 AND seq = ?2) AND number = ?3",
            )
            .and_then(|mut s| {
                s.execute(params![
                    case.year,
                    case.seq,
                    number.0,
                    state.as_str(),
                    reason,
                    note,
                    by,
                    now.to_string(),
                ])
            })
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Links a notify action to the notice drafted for it: its sending does the action.
    pub fn set_notice_draft(
        &self,
        case: CaseId,
        number: ActionNumber,
        draft: crate::ids::DraftId,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE actions SET notice_draft = ?4
                  WHERE case_id = (SELECT id FROM cases WHERE year = ?1 AND seq = ?2) AND number = ?3",
            )
            .and_then(|mut s| s.execute(params![case.year, case.seq, number.0, draft.0]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The notice drafted for a notify action, if any, and its state.
    pub fn notice_draft_of(
        &self,
        case: CaseId,
        number: ActionNumber,
    ) -> Result<Option<(crate::ids::DraftId, String)>, StoreError> {
        self.tx
            .prepare_cached(
                "SELECT d.id, d.state FROM actions a JOIN drafts d ON d.id = a.notice_draft
                  WHERE a.case_id = (SELECT id FROM cases WHERE year = ?1 AND seq = ?2) AND a.number = ?3",
            )
            .and_then(|mut s| {
                s.query_row(params![case.year, case.seq, number.0], |r| {
                    Ok((crate::ids::DraftId(r.get(0)?), r.get(1)?))
                })
                .optional()
            })
            .map_err(|e| self.error(e))
    }

    /// Puts an address on the suppression list; `false` when it was there already.
    pub fn suppress(
        &self,
        address: &str,
        case: CaseId,
        by: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let added = self
            .tx
            .prepare_cached(
                "INSERT INTO suppression (address, case_id, added_at, added_by)
                 SELECT ?1, c.id, ?4, ?5 FROM cases c WHERE c.year = ?2 AND c.seq = ?3
                 ON CONFLICT (address) DO NOTHING",
            )
            .and_then(|mut s| s.execute(params![address, case.year, case.seq, now.to_string(), by]))
            .map_err(|e| self.error(e))?;
        Ok(added > 0)
    }

    /// Whether an address is on the suppression list.
    pub fn is_suppressed(&self, address: &str) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("SELECT 1 FROM suppression WHERE address = ?1")
            .and_then(|mut s| s.query_row([address], |_| Ok(())).optional())
            .map(|found| found.is_some())
            .map_err(|e| self.error(e))
    }

    /// Every address on the suppression list.
    pub fn suppression(&self) -> Result<Vec<Suppressed>, StoreError> {
        suppression_list(&self.tx, &self.path)
    }
}
