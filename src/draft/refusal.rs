//! Refusal after silence (Art. 11(2), 12(4)): when the information asked for to identify
//! the requester (or the confirmation asked of the address on file) has not come within
//! `[identity] refuse_after_days`, a refusal with its reasons and the remedies (the footer:
//! the supervisory authority and the courts, Art. 77, 79) is drafted for approval. Due by
//! the calendar, so the daemon's clock runs it (and `rightsbot remind`), not mail arriving.
//!
//! Takes the store transaction and the time; queues drafts, records `refusal_offered`.
//! It never sends: a person approves the refusal, or answers the case another way.

use jiff::Timestamp;
use serde_json::json;

use super::compose::{IdentityFacts, compose};
use super::prepare::{Drafting, case_facts, queue};
use super::{DraftError, Purpose};
use crate::ids::{CaseId, DraftId};
use crate::matching::IdentityOutcome;
use crate::store::{Batch, NewEvent};

/// The event that says a refusal was offered, once per case.
pub const OFFERED: &str = "refusal_offered";

/// Drafts a refusal for every case whose request for information has gone unanswered for
/// `[identity] refuse_after_days` days. Returns the cases and their drafts.
pub fn offer_due(
    batch: &Batch<'_>,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<Vec<(CaseId, DraftId)>, DraftError> {
    let days = drafting.config.identity.refuse_after_days;
    if days == 0 {
        return Ok(Vec::new());
    }
    let wait = jiff::SignedDuration::from_hours(24 * i64::from(days));
    let mut offered = Vec::new();
    for (case, asked) in batch.identity_requests_unanswered()? {
        if now.duration_since(asked) < wait {
            continue;
        }
        let Some(summary) = batch.case_summary(case)? else {
            continue;
        };
        let outcome = summary
            .identity
            .as_deref()
            .and_then(IdentityOutcome::parse)
            .unwrap_or(IdentityOutcome::NoMatch);
        // What the sender of a `needs_verification` case reads must not differ from what
        // a sender matching no one reads: `compose` gives it the not-found text.
        let facts = IdentityFacts {
            outcome,
            action: crate::matching::IdentityAction::AskForInformation,
            clock_waits: false,
            reply_to_on_file: None,
            entries: &[],
        };
        let composed = compose(
            Purpose::Refusal,
            &case_facts(&summary, drafting),
            &facts,
            None,
            drafting.config,
            drafting.templates,
        )?;
        let draft = queue(batch, case, &composed, None, crate::case::BOT_ACTOR, now)?;
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor: crate::case::BOT_ACTOR,
                kind: OFFERED,
                details: json!({
                    "draft": draft.to_string(),
                    "asked": asked.to_string(),
                    "days": days,
                    "recipient": composed.recipient,
                    "rule": "GDPR Art. 11(2), 12(4): the requester could not be identified; the refusal gives the reasons and the remedies ([identity] refuse_after_days)",
                }),
            },
        )?;
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor: crate::case::BOT_ACTOR,
                kind: "drafted",
                details: json!({
                    "draft": draft.to_string(),
                    "purpose": composed.purpose,
                    "language": composed.language,
                    "recipient": composed.recipient,
                    "personal_data": composed.personal_data,
                }),
            },
        )?;
        offered.push((case, draft));
    }
    Ok(offered)
}

/// As the daemon's clock does it: a refusal that cannot be drafted (a template staff
/// broke) is logged and tried again on the next tick; only a store failure stops it.
pub fn offer_due_or_log(
    batch: &Batch<'_>,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<usize, crate::store::StoreError> {
    match offer_due(batch, drafting, now) {
        Ok(offered) => Ok(offered.len()),
        Err(DraftError::Store(err)) => Err(err),
        Err(err) => {
            tracing::warn!(error = %err, "refusal failed");
            Ok(0)
        }
    }
}
