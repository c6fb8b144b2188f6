//! `check`: is the store what this build would have written? SQLite's own integrity and
//! foreign-key checks, the triggers that keep the record append-only, every case's audit
//! trail in order, and every draft in a state its lifecycle can reach.
//!
//! It only reads, and reports each problem it finds rather than stopping at the first, so
//! a restored backup can be judged in one run.

use std::collections::BTreeMap;

use jiff::Timestamp;
use rusqlite::Connection;
use serde::Serialize;

use super::cases::case_id;
use super::{Store, StoreError, schema};
use crate::ids::DraftId;
use crate::vocabulary::{DraftState, EventKind};

/// How far an event's instant may fall behind the latest one before it in its case's
/// trail. A command stamps its events with the instant it started, and the daemon may commit
/// to the same case while the command runs (a follow-up classified while staff reclassify):
/// the two clocks then overlap by the command's run, seconds. A trail that runs back further
/// than this was written by something else.
const CLOCK_OVERLAP: jiff::SignedDuration = jiff::SignedDuration::from_secs(120);

/// One thing wrong, on one line: what it is about (the database, a trigger, a case, a
/// draft) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub subject: String,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.subject, self.what)
    }
}

/// What `check` looked at, and what it found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Checked {
    pub cases: usize,
    pub events: usize,
    pub drafts: usize,
    pub messages: i64,
    pub triggers: usize,
    pub problems: Vec<Problem>,
}

fn problem(subject: impl ToString, what: impl Into<String>) -> Problem {
    Problem {
        subject: subject.to_string(),
        what: what.into(),
    }
}

impl Store {
    /// Runs every check; an error only when the store cannot be read at all.
    pub fn check(&self) -> Result<Checked, StoreError> {
        let mut checked = Checked::default();
        self.check_integrity(&mut checked)?;
        self.check_triggers(&mut checked)?;
        self.check_events(&mut checked)?;
        self.check_messages(&mut checked)?;
        self.check_drafts(&mut checked)?;
        Ok(checked)
    }

    fn check_integrity(&self, checked: &mut Checked) -> Result<(), StoreError> {
        let verdict: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.error(e))?;
        if verdict != ["ok"] {
            for line in verdict {
                checked
                    .problems
                    .push(problem("database", format!("integrity check: {line}")));
            }
        }
        let orphans: Vec<(String, Option<i64>, String)> = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))?;
        for (table, row, parent) in orphans {
            let row = row.map_or_else(|| "a row".to_string(), |id| format!("row {id}"));
            checked.problems.push(problem(
                "database",
                format!("{table} {row} refers to a missing {parent} row"),
            ));
        }
        Ok(())
    }

    /// The triggers a database this build migrated from empty has, compared by name and
    /// text: one dropped or rewritten means the append-only rule it enforces is gone.
    fn check_triggers(&self, checked: &mut Checked) -> Result<(), StoreError> {
        let expected = expected_triggers(self.path())?;
        let found: BTreeMap<String, String> = triggers(&self.conn).map_err(|e| self.error(e))?;
        checked.triggers = expected.len();
        for (name, sql) in &expected {
            match found.get(name) {
                None => checked.problems.push(problem(
                    format!("trigger {name}"),
                    "missing: the rule it enforces is off",
                )),
                Some(text) if text != sql => checked.problems.push(problem(
                    format!("trigger {name}"),
                    "differs from the one this build creates",
                )),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Each case's trail opens with `received` (whichever way the case began) and runs
    /// forward: an event written later has a later id and an instant no earlier than
    /// [`CLOCK_OVERLAP`] before the latest one written before it.
    fn check_events(&self, checked: &mut Checked) -> Result<(), StoreError> {
        let rows: Vec<TrailRow> = self
            .conn
            .prepare(
                "SELECT c.year, c.seq, e.id, e.at, e.kind FROM cases c
                 LEFT JOIN events e ON e.case_id = c.id ORDER BY c.id, e.id",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(TrailRow {
                        year: r.get(0)?,
                        seq: r.get(1)?,
                        id: r.get(2)?,
                        at: r.get(3)?,
                        kind: r.get(4)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.error(e))?;
        let mut previous: Option<((i64, i64), Timestamp)> = None;
        for TrailRow {
            year,
            seq,
            id,
            at,
            kind,
        } in rows
        {
            let case =
                case_id(year, seq).map_or_else(|| format!("case {year}/{seq}"), |c| c.to_string());
            let first = previous.is_none_or(|(key, _)| key != (year, seq));
            let (Some(id), Some(at), Some(kind)) = (id, at, kind) else {
                checked.cases += 1;
                checked.problems.push(problem(case, "has no events"));
                previous = None;
                continue;
            };
            checked.events += 1;
            if first {
                checked.cases += 1;
                if kind != EventKind::Received.as_str() {
                    checked.problems.push(problem(
                        &case,
                        format!("its first event (#{id}) is {kind}, not received"),
                    ));
                }
            }
            let Ok(at) = at.parse::<Timestamp>() else {
                checked.problems.push(problem(
                    &case,
                    format!("event #{id} has no valid time: {at:?}"),
                ));
                continue;
            };
            let mut latest = at;
            if let Some((key, before)) = previous
                && key == (year, seq)
            {
                // At jiff's first instant nothing can be earlier still.
                if before
                    .checked_sub(CLOCK_OVERLAP)
                    .is_ok_and(|earliest| at < earliest)
                {
                    checked.problems.push(problem(
                        &case,
                        format!("event #{id} ({kind}) at {at} is earlier than the event before it ({before})"),
                    ));
                }
                latest = latest.max(before);
            }
            previous = Some(((year, seq), latest));
        }
        Ok(())
    }

    /// Every case holds the message it began with.
    fn check_messages(&self, checked: &mut Checked) -> Result<(), StoreError> {
        checked.messages = self
            .conn
            .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
            .map_err(|e| self.error(e))?;
        let empty: Vec<(i64, i64)> = self
            .conn
            .prepare(
                "SELECT c.year, c.seq FROM cases c
                 WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.case_id = c.id) ORDER BY c.id",
            )
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.error(e))?;
        for (year, seq) in empty {
            let case =
                case_id(year, seq).map_or_else(|| format!("case {year}/{seq}"), |c| c.to_string());
            checked.problems.push(problem(case, "has no messages"));
        }
        Ok(())
    }

    /// A draft's state is one `approve` and `send` can reach: waiting drafts are
    /// undecided; every other state was decided by someone at some time; what was
    /// approved (approved, sending, sent, failed) has its Message-ID, its recipient and a
    /// `draft_approved` event in its case; a sent one its sending time and its delivery
    /// (the outbox file written without SMTP, or the `sent` event of the SMTP
    /// acceptance or of its recovery from the Sent folder); an edit replaces an earlier
    /// draft of the same case.
    fn check_drafts(&self, checked: &mut Checked) -> Result<(), StoreError> {
        let rows: Vec<DraftRow> = self
            .conn
            .prepare(
                "SELECT d.id, d.state, d.message_id IS NOT NULL, d.decided_at IS NOT NULL,
                        d.sent_at IS NOT NULL, d.recipient IS NOT NULL, d.replaces,
                        (SELECT r.case_id = d.case_id FROM drafts r WHERE r.id = d.replaces AND r.id < d.id),
                        EXISTS (SELECT 1 FROM events e WHERE e.case_id = d.case_id AND e.kind = ?1
                                AND json_extract(e.details, '$.draft') = 'D' || d.id),
                        d.outbox_file IS NOT NULL
                        OR EXISTS (SELECT 1 FROM events e WHERE e.case_id = d.case_id AND e.kind = ?2
                                   AND json_extract(e.details, '$.draft') = 'D' || d.id)
                 FROM drafts d ORDER BY d.id",
            )
            .and_then(|mut s| {
                let kinds = [EventKind::DraftApproved.as_str(), EventKind::Sent.as_str()];
                s.query_map(kinds, |r| {
                    Ok(DraftRow {
                        id: r.get(0)?,
                        state: r.get(1)?,
                        message_id: r.get(2)?,
                        decided: r.get(3)?,
                        sent_at: r.get(4)?,
                        recipient: r.get(5)?,
                        replaces: r.get(6)?,
                        replaces_same_case: r.get(7)?,
                        approval_recorded: r.get(8)?,
                        delivery_recorded: r.get(9)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.error(e))?;
        for row in rows {
            checked.drafts += 1;
            let draft = DraftId(row.id);
            let mut wrong = |what: String| checked.problems.push(problem(draft, what));
            let Some(state) = DraftState::parse(&row.state) else {
                wrong(format!("has an unknown state {:?}", row.state));
                continue;
            };
            let was_approved = matches!(
                state,
                DraftState::Approved | DraftState::Sending | DraftState::Sent | DraftState::Failed
            );
            if state == DraftState::Pending {
                if row.message_id || row.sent_at {
                    wrong("is pending but has a Message-ID or a sending time".to_string());
                }
            } else if !row.decided {
                wrong(format!("is {state} but nobody decided it"));
            }
            if was_approved {
                if !row.message_id {
                    wrong(format!(
                        "is {state} but has no Message-ID (fixed at approval)"
                    ));
                }
                if !row.recipient {
                    wrong(format!("is {state} but has no recipient"));
                }
                if !row.approval_recorded {
                    wrong(format!("is {state} but its case records no approval of it"));
                }
            }
            if state == DraftState::Sent && !row.sent_at {
                wrong("is sent but has no sending time".to_string());
            }
            if state == DraftState::Sent && !row.delivery_recorded {
                wrong(
                    "is sent but neither an outbox file nor a sent event records its delivery"
                        .to_string(),
                );
            }
            if let Some(replaces) = row.replaces
                && row.replaces_same_case != Some(true)
            {
                wrong(format!(
                    "replaces {}, which is not an earlier draft of its case",
                    DraftId(replaces)
                ));
            }
        }
        Ok(())
    }
}

/// One row of a case's trail; the event columns are NULL for a case with none.
struct TrailRow {
    year: i64,
    seq: i64,
    id: Option<i64>,
    at: Option<String>,
    kind: Option<String>,
}

/// What the lifecycle rules need of a draft: which of its decision fields are set.
struct DraftRow {
    id: i64,
    state: String,
    message_id: bool,
    decided: bool,
    sent_at: bool,
    recipient: bool,
    replaces: Option<i64>,
    /// `Some(true)`: it replaces an earlier draft of its own case.
    replaces_same_case: Option<bool>,
    /// Its case has a `draft_approved` event naming it.
    approval_recorded: bool,
    /// It was written to the outbox, or its case has a `sent` event naming it.
    delivery_recorded: bool,
}

/// The triggers of an empty database this build migrated, by name.
fn expected_triggers(path: &std::path::Path) -> Result<BTreeMap<String, String>, StoreError> {
    let mut fresh = Connection::open_in_memory().map_err(|e| super::classify_error(path, e))?;
    schema::migrate(&mut fresh, path)?;
    triggers(&fresh).map_err(|e| super::classify_error(path, e))
}

fn triggers(conn: &Connection) -> rusqlite::Result<BTreeMap<String, String>> {
    conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}
