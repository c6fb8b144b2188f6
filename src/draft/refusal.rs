//! Refusal after silence (Art. 11(2), 12(4)): when the information asked for to identify
//! the requester (or the confirmation asked of the address on file) has not come within
//! `[identity] refuse_after_days`, a refusal with its reasons and the remedies (the footer:
//! the supervisory authority and the courts, Art. 77, 79) is drafted for approval. Due by
//! the calendar, so the daemon's clock runs it (and `rightsbot remind`), not mail arriving.
//!
//! Takes the store transaction and the time; queues drafts, records `refusal_offered`.
//! It never sends: a person approves the refusal, or answers the case another way.

use jiff::Timestamp;

use super::compose::{IdentityFacts, compose};
use super::prepare::{Drafting, case_facts, queue};
use super::{DraftError, Purpose};
use crate::ids::{CaseId, DraftId};
use crate::matching::IdentityOutcome;
use crate::store::{Batch, NewEvent};
use crate::vocabulary::event::{self, Event};

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
        // A case never matched is refused as one that matched no one.
        let outcome = summary.identity.unwrap_or(IdentityOutcome::NoMatch);
        let today = now
            .to_zoned_datetime(drafting.settings.timezone.clone())
            .date();
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
            &case_facts(&summary, &[], today, drafting),
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
                event: Event::RefusalOffered(event::RefusalOffered {
                    draft: draft.to_string(),
                    asked,
                    days,
                    recipient: composed.recipient.clone(),
                    rule: "GDPR Art. 11(2), 12(4): the requester could not be identified; the refusal gives the reasons and the remedies ([identity] refuse_after_days)".to_string(),
                }),
            },
        )?;
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor: crate::case::BOT_ACTOR,
                event: Event::Drafted(event::Drafted {
                    draft: draft.to_string(),
                    purpose: composed.purpose,
                    language: composed.language,
                    recipient: composed.recipient.clone(),
                    personal_data: composed.personal_data,
                    from_identity: None,
                    kinds: Vec::new(),
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
