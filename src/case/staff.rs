//! What staff decide about cases: opening one from a message the classifier set aside, and
//! correcting the rights a case is about. Each decision is an event with the person's name.

use jiff::Timestamp;
use serde_json::json;

use crate::classify::RequestKind;
use crate::ids::{CaseId, DraftId};
use crate::store::{Batch, Disposition, DraftState, NewEvent, StoreError};

use super::CaseState;
use super::admit::{CaseOpening, Settings, open_case};

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("no stored message {0:?} (give its key, e.g. M12, or its Message-ID)")]
    NoSuchMessage(String),
    #[error("message {message} already belongs to case {case}")]
    AlreadyInCase { message: String, case: CaseId },
    #[error("message {message} is {disposition}, not a person's mail: it cannot open a case")]
    NotOpenable {
        message: String,
        disposition: String,
    },
    #[error("no case {0}")]
    NoSuchCase(CaseId),
    #[error("case {0} is already closed")]
    AlreadyClosed(CaseId),
    #[error("name at least one request kind")]
    NoKinds,
    #[error("{0} is required and cannot be empty")]
    Required(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A person's decision: who made it (required) and the kinds, sorted, each once.
fn decision<'a>(
    by: &'a str,
    kinds: &[RequestKind],
) -> Result<(&'a str, Vec<RequestKind>), StaffError> {
    let by = by.trim();
    if by.is_empty() {
        return Err(StaffError::Required("--by"));
    }
    if kinds.is_empty() {
        return Err(StaffError::NoKinds);
    }
    let mut kinds = kinds.to_vec();
    kinds.sort();
    kinds.dedup();
    Ok((by, kinds))
}

/// Opens a case from a stored message that is in none (a mail the classifier judged not to
/// be a request), with the kinds a person names.
pub fn open_from_message(
    batch: &Batch<'_>,
    reference: &str,
    kinds: &[RequestKind],
    by: &str,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<CaseId, StaffError> {
    let (by, kinds) = decision(by, kinds)?;
    let message = batch
        .find_message(reference)?
        .ok_or_else(|| StaffError::NoSuchMessage(reference.to_string()))?;
    if let Some(case) = message.case {
        return Err(StaffError::AlreadyInCase {
            message: message.key.to_string(),
            case,
        });
    }
    let disposition = message.disposition.clone().unwrap_or_default();
    if disposition != Disposition::NotARequest.as_str() {
        return Err(StaffError::NotOpenable {
            message: message.key.to_string(),
            disposition,
        });
    }
    // The stored bytes were parsed once already; a message that no longer parses opens
    // its case without a register match, which staff then see as no identity outcome.
    let raw = batch.raw_message(message.key)?;
    let mail = raw.as_deref().and_then(|raw| crate::parse::parse(raw).ok());
    let case = open_case(
        batch,
        &CaseOpening {
            message: message.key,
            received_at: message.received_at,
            requester: message.from_address.as_deref(),
            requester_name: message.from_name.as_deref(),
            subject: &message.subject,
            kinds: &kinds,
            language: None,
            state: CaseState::Open,
            actor: by,
            opened_event: json!({
                "message": message.key.to_string(),
                "from": message.from_address,
                "subject": message.subject,
                "received_at": message.received_at.to_string(),
                "opened_by_staff": true,
                "kinds": kinds,
            }),
            mail: mail.as_ref(),
        },
        settings,
        now,
    )?;
    batch.set_disposition(message.key, Disposition::Case)?;
    Ok(case)
}

/// Sets the request kinds of a case, recording who changed them from what.
pub fn reclassify(
    batch: &Batch<'_>,
    case: CaseId,
    kinds: &[RequestKind],
    by: &str,
    now: Timestamp,
) -> Result<Vec<RequestKind>, StaffError> {
    let (by, kinds) = decision(by, kinds)?;
    let previous = batch
        .case_kinds(case)?
        .ok_or(StaffError::NoSuchCase(case))?;
    batch.set_case_kinds(case, &kinds)?;
    // A person has now said what the case is about: it leaves triage.
    batch.move_case(case, CaseState::Triage, CaseState::Open)?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: by,
            kind: "reclassified",
            details: json!({ "from": previous, "to": kinds }),
        },
    )?;
    Ok(kinds)
}

/// Closes a case, recording who closed it and what was done. Its records are then kept for
/// the retention period (`[retention] closed_case_months`) and purged after. The drafts
/// still waiting for approval are rejected, each with an event, so nothing can be approved
/// and sent on a closed case; returns them.
pub fn close(
    batch: &Batch<'_>,
    case: CaseId,
    by: &str,
    outcome: &str,
    now: Timestamp,
) -> Result<Vec<DraftId>, StaffError> {
    let by = by.trim();
    if by.is_empty() {
        return Err(StaffError::Required("--by"));
    }
    let outcome = outcome.trim();
    if outcome.is_empty() {
        return Err(StaffError::Required("--outcome"));
    }
    let closed = [CaseState::Open, CaseState::Triage]
        .into_iter()
        .map(|from| batch.move_case(case, from, CaseState::Closed))
        .collect::<Result<Vec<bool>, _>>()?;
    if !closed.contains(&true) {
        return Err(if batch.case_exists(case)? {
            StaffError::AlreadyClosed(case)
        } else {
            StaffError::NoSuchCase(case)
        });
    }
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: by,
            kind: "closed",
            details: json!({ "outcome": outcome }),
        },
    )?;
    let waiting = batch.pending_drafts_of(case)?;
    let reason = "the case was closed";
    for draft in &waiting {
        batch.set_draft_state(draft.draft, DraftState::Rejected, now, by, Some(reason))?;
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor: by,
                kind: "draft_rejected",
                details: json!({ "draft": draft.draft.to_string(), "reason": reason }),
            },
        )?;
    }
    Ok(waiting.into_iter().map(|d| d.draft).collect())
}
