//! Art. 19 notices: once an erasure, correction or restriction is done in a source, each
//! recipient of that source's data with a configured contact gets a notice drafted for
//! approval — the one kind of draft that carries a person's identifiers to an address
//! other than theirs, and only the identifiers the recipient needs to find the records.

use jiff::Timestamp;
use serde_json::json;

use super::prepare::{Drafting, queue};
use super::{Composed, DraftError, Purpose};
use crate::config::RecipientRole;
use crate::ids::{CaseId, DraftId};
use crate::lang::Lang;
use crate::store::{ActionRecord, Batch, NewEvent};
use crate::vocabulary::event::{self, Event};
use crate::vocabulary::{ActionKind, ActionState};

/// Drafts the notices that have become due on a case: for each open `notify` action whose
/// recipient has a contact address, once a deed it reports is done and no notice was
/// drafted for it before. Returns the drafts made.
pub fn prepare_notices(
    batch: &Batch<'_>,
    case: CaseId,
    drafting: &Drafting<'_>,
    actor: &str,
    now: Timestamp,
) -> Result<Vec<DraftId>, DraftError> {
    let config = drafting.config;
    let actions = batch.actions_of(case)?;
    let mut made = Vec::new();
    for action in actions
        .iter()
        .filter(|a| a.kind == ActionKind::Notify && a.state == ActionState::Open)
    {
        let Some(recipient) = config.register.recipient(&action.target) else {
            continue;
        };
        let Some(contact) = recipient.contact() else {
            continue;
        };
        if batch.notice_draft_of(case, action.number)?.is_some() {
            continue;
        }
        // The deeds done in the sources whose data this recipient received.
        let gives_to = |a: &&ActionRecord| {
            config.register.source(&a.source).is_some_and(|s| {
                s.recipients
                    .iter()
                    .any(|r| r.name(Lang::En) == action.target)
            })
        };
        let done: Vec<&ActionRecord> = actions
            .iter()
            .filter(gives_to)
            .filter(|a| a.state == ActionState::Done)
            .filter(|a| {
                matches!(
                    a.kind,
                    ActionKind::Erase | ActionKind::Correct | ActionKind::Restrict
                )
            })
            .collect();
        if done.is_empty() {
            continue;
        }
        let lang = recipient
            .language()
            .unwrap_or(config.controller.default_language);
        let has = |kind: ActionKind| done.iter().any(|a| a.kind == kind);
        let context = json!({
            "controller": {
                "name": config.controller.name,
                "business_id": config.controller.business_id,
                "privacy_address": config.controller.privacy_address,
            },
            "case": { "id": case.to_string() },
            "notice": {
                "processor": recipient.role() == Some(RecipientRole::Processor),
                "erased": has(ActionKind::Erase),
                "corrected": has(ActionKind::Correct),
                "restricted": has(ActionKind::Restrict),
                "identifiers": action
                    .records
                    .iter()
                    .map(|r| super::compose::record_label(r, lang))
                    .collect::<Vec<_>>(),
            },
        });
        let body = drafting.templates.render(
            lang,
            super::template_of(Purpose::RecipientNotice),
            &context,
        )?;
        let subject = match lang {
            Lang::Fi => format!("Ilmoitus tietosuoja-asetuksen 19 artiklan mukaisesti [{case}]"),
            Lang::Sv => format!("Meddelande enligt artikel 19 i dataskyddsförordningen [{case}]"),
            Lang::En => format!("Notice under Article 19 GDPR [{case}]"),
        };
        let composed = Composed {
            purpose: Purpose::RecipientNotice,
            language: lang,
            recipient: Some(contact.to_string()),
            recipient_note: format!(
                "the configured contact of {} (Art. 19): a recipient of the data, not the requester",
                action.target
            ),
            subject,
            body,
            attachments: Vec::new(),
            personal_data: true,
            refusal: false,
            claims: Some(done.iter().map(|a| a.number).collect()),
        };
        let draft = queue(batch, case, &composed, None, actor, now)?;
        batch.set_notice_draft(case, action.number, draft)?;
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor,
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
        made.push(draft);
    }
    Ok(made)
}
