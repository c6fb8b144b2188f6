//! The events table: a case's append-only audit trail, written and read as typed
//! [`Event`] values.

use std::path::Path;

use jiff::Timestamp;
use rusqlite::params;
use serde::Serialize;

use super::{Batch, StoreError};
use crate::ids::CaseId;
use crate::vocabulary::{Event, EventKind};

/// An entry for a case's audit trail.
pub struct NewEvent<'a> {
    pub at: Timestamp,
    pub actor: &'a str,
    pub event: Event,
}

/// One entry of a case's audit trail as stored; serialised as `at`, `actor`, `kind`,
/// `details`.
#[derive(Clone, Debug, Serialize)]
pub struct EventRecord {
    pub at: Timestamp,
    pub actor: String,
    #[serde(flatten)]
    pub event: Event,
}

/// The event a stored row holds; a known kind whose details do not decode is an error
/// naming the row.
pub(super) fn decode_event(
    path: &Path,
    id: i64,
    kind: &str,
    details: &str,
) -> Result<Event, StoreError> {
    serde_json::from_str(details)
        .and_then(|details| Event::decode(kind, details))
        .map_err(|err| StoreError::Corrupt {
            path: path.to_path_buf(),
            what: "events.details",
            detail: format!("event {id} ({kind}): {err}"),
        })
}

impl Batch<'_> {
    /// The sentences of a case's messages the classifier asked staff to read because no
    /// right was attributed to them (the `classified` events' `unattributed`), oldest first.
    pub fn case_unattributed(&self, case: CaseId) -> Result<Vec<String>, StoreError> {
        Ok(self
            .events_of_kind(case, EventKind::Classified)?
            .into_iter()
            .flat_map(|event| match event {
                Event::Classified(classified) => classified.found.unattributed,
                _ => Vec::new(),
            })
            .collect())
    }

    /// The case's events of one kind, oldest first.
    pub fn events_of_kind(&self, case: CaseId, kind: EventKind) -> Result<Vec<Event>, StoreError> {
        let rows: Vec<(i64, String)> = self
            .tx
            .prepare_cached(
                "SELECT e.id, e.details FROM events e JOIN cases c ON e.case_id = c.id
                 WHERE c.year = ?1 AND c.seq = ?2 AND e.kind = ?3 ORDER BY e.id",
            )
            .and_then(|mut s| {
                s.query_map(params![case.year, case.seq, kind.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect()
            })
            .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|(id, details)| decode_event(&self.path, *id, kind.as_str(), details))
            .collect()
    }

    pub fn append_event(&self, case: CaseId, event: &NewEvent<'_>) -> Result<(), StoreError> {
        let mut statement = self
            .tx
            .prepare_cached(
                "INSERT INTO events (case_id, at, actor, kind, details)
                 SELECT id, ?3, ?4, ?5, ?6 FROM cases WHERE year = ?1 AND seq = ?2",
            )
            .map_err(|e| self.error(e))?;
        let details = event
            .event
            .details_text()
            .map_err(|err| StoreError::Corrupt {
                path: self.path.clone(),
                what: "events.details",
                detail: format!("a {} event could not be written: {err}", event.event.kind()),
            })?;
        let inserted = statement
            .execute(params![
                case.year,
                case.seq,
                event.at.to_string(),
                event.actor,
                event.event.kind(),
                details
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
}
