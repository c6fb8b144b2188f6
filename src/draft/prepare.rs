//! Drafting for a case inside the caller's store transaction: find the requester again
//! against the register as it is now, choose the reply, render it, queue it.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;

use super::compose::{CaseFacts, Extension, IdentityFacts, compose, purpose_for};
use super::templates::{TemplateError, Templates};
use super::{Composed, Purpose};
use crate::case::{self, CaseState};
use crate::config::Config;
use crate::ids::{CaseId, DraftId};
use crate::matching::IdentityOutcome;
use crate::register::Entry;
use crate::store::{ActionRecord, Batch, CaseSummary, NewDraft, NewEvent, StoreError};
use crate::vocabulary::event::{self, Event, EventKind};
use crate::vocabulary::{Input, RequestKind, Staff};

#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("no case {0}")]
    NoSuchCase(CaseId),
    #[error("case {case}: its request cannot be read again: {why}")]
    Unreadable { case: CaseId, why: String },
    #[error("case {case} is {state}: {what}")]
    WrongState {
        case: CaseId,
        state: CaseState,
        what: &'static str,
    },
    #[error(
        "case {case}: the first month ended on {deadline}; an extension must be told within it (GDPR Art. 12(3))"
    )]
    TooLateToExtend { case: CaseId, deadline: Date },
    #[error(
        "case {0} asks only to stop marketing or withdraw consent: it is never extended (GDPR Art. 21(3), 7(3))"
    )]
    NeverDelayed(CaseId),
    #[error("case {0} was extended already")]
    AlreadyExtended(CaseId),
    #[error("{0} is required and cannot be empty")]
    Required(Input),
}

/// Everything drafting needs besides the store.
pub struct Drafting<'a> {
    pub settings: &'a case::Settings<'a>,
    pub config: &'a Config,
    pub templates: &'a Templates,
}

/// Drafts the reply an open case needs, replacing any draft of it still waiting for
/// approval (the case's rights or identity changed). A case in triage or closed gets none.
pub fn prepare(
    batch: &Batch<'_>,
    case: CaseId,
    request: Option<&crate::parse::Mail>,
    drafting: &Drafting<'_>,
    actor: &str,
    now: Timestamp,
) -> Result<Option<DraftId>, DraftError> {
    let summary = batch
        .case_summary(case)?
        .ok_or(DraftError::NoSuchCase(case))?;
    if summary.state != CaseState::Open || summary.kinds.is_empty() {
        return Ok(None);
    }
    let (mail, found, identity) = requester(batch, case, request, drafting, now)?;
    let mail = mail.as_ref();
    let entries = person_entries(&found, identity.outcome);
    let facts = identity_facts(&identity, &entries);
    let purpose = purpose_for(&summary.kinds, &facts);
    // The deeds first: what the rights ask of whom, kept with what staff recorded of it.
    let today = now
        .to_zoned_datetime(drafting.settings.timezone.clone())
        .date();
    let attachments = attachments_of(batch, case)?;
    let documents: Vec<crate::actions::Document<'_>> = attachments
        .iter()
        .flat_map(|(message, after_identity_request, list)| {
            list.iter()
                .enumerate()
                .map(move |(index, a)| crate::actions::Document {
                    message: *message,
                    index,
                    name: a.name.as_deref(),
                    content_type: &a.content_type,
                    after_identity_request: *after_identity_request,
                })
        })
        .collect();
    let planned = crate::actions::derive(
        &crate::actions::Request {
            kinds: &summary.kinds,
            sender: summary.requester.as_deref(),
            entries: &entries,
            today,
            documents: &documents,
        },
        &drafting.config.register,
    );
    let actions = case::sync_actions(batch, case, &summary.kinds, &planned, now)?;
    // Once a reply went out, a follow-up gets an answer about what it added, threaded to
    // it; one that adds nothing ("thank you") gets none.
    let answered = if purpose == Purpose::Reply {
        answered_kinds(batch, case)?
    } else {
        None
    };
    let data_as_of = data_as_of(batch, drafting)?;
    let mut asked = summary.clone();
    if let Some(answered) = &answered {
        asked.kinds.retain(|k| !answered.contains(k));
        if asked.kinds.is_empty() {
            return Ok(None);
        }
    }
    let composed = compose(
        purpose,
        &CaseFacts {
            data_as_of: &data_as_of,
            ..case_facts(&asked, &actions, today, drafting)
        },
        &facts,
        None,
        drafting.config,
        drafting.templates,
    )?;
    // A case that has just opened has no drafts yet.
    let pending = if request.is_some() {
        Vec::new()
    } else {
        batch.pending_replies_of(case)?
    };
    let same = pending.iter().find(|d| {
        d.purpose == composed.purpose
            && d.recipient == composed.recipient
            && d.subject == composed.subject
            && d.body == composed.body
            && d.attachments == composed.attachments
    });
    if same.is_some() {
        return Ok(None);
    }
    // A draft a person edited is theirs: the bot does not replace it, it says the case
    // has changed since.
    if actor == crate::case::BOT_ACTOR
        && let Some(edited) = pending.iter().find(|d| d.replaces.is_some())
    {
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor,
                event: Event::DraftOutdated(event::DraftOutdated {
                    draft: edited.draft.to_string(),
                    why:
                        "the case changed after staff edited this draft; check it before approving"
                            .to_string(),
                }),
            },
        )?;
        return Ok(None);
    }
    let superseded = if pending.is_empty() {
        Vec::new()
    } else {
        batch.supersede_pending_drafts(case, now, actor)?
    };
    let follow_up = match answered {
        Some(_) => batch
            .last_message_of(case)?
            .and_then(|raw| crate::parse::parse(&raw).ok()),
        None => None,
    };
    let draft = queue(
        batch,
        case,
        &composed,
        Some(follow_up.as_ref().unwrap_or(mail)),
        actor,
        now,
    )?;
    let mut drafted = drafted_event(
        draft,
        &composed,
        Some(event::DraftedFromIdentity {
            recipient_note: composed.recipient_note.clone(),
            identity: identity.outcome,
            replaces: superseded.iter().map(|d| d.to_string()).collect(),
        }),
    );
    if composed.purpose == Purpose::Reply {
        drafted.kinds = asked.kinds.clone();
    }
    record_drafted(batch, case, drafted, actor, now)?;
    Ok(Some(draft))
}

/// Drafts for a newly opened case, as intake does: a failure of the draft alone (a template
/// staff broke, a request that no longer parses) is recorded on the case for a person and
/// does not stop intake; only a store failure does.
pub fn prepare_or_record(
    batch: &Batch<'_>,
    case: CaseId,
    request: Option<&crate::parse::Mail>,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<Option<DraftId>, StoreError> {
    match prepare(batch, case, request, drafting, crate::case::BOT_ACTOR, now) {
        Ok(draft) => Ok(draft),
        Err(DraftError::Store(err)) => Err(err),
        Err(err) => {
            tracing::warn!(case = %case, error = %err, "draft failed");
            batch.append_event(
                case,
                &NewEvent {
                    at: now,
                    actor: crate::case::BOT_ACTOR,
                    event: Event::DraftFailed(event::Failure {
                        error: err.to_string(),
                    }),
                },
            )?;
            Ok(None)
        }
    }
}

/// Extends a case's deadline by `months` (at most two, Art. 12(3)) and drafts the notice
/// the person must get within the first month. Returns the notice and the new deadline.
#[allow(clippy::too_many_arguments)]
pub fn prepare_extension(
    batch: &Batch<'_>,
    case: CaseId,
    months: u8,
    ground: Option<crate::vocabulary::ExtensionGround>,
    reason: &str,
    by: &Staff,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<(DraftId, Date), DraftError> {
    let (reason, by) = (reason.trim(), by.as_str());
    if reason.is_empty() {
        return Err(DraftError::Required(Input::Reason));
    }
    let summary = batch
        .case_summary(case)?
        .ok_or(DraftError::NoSuchCase(case))?;
    if summary.state == CaseState::Closed {
        return Err(DraftError::WrongState {
            case,
            state: summary.state,
            what: "a closed case is not extended",
        });
    }
    if RequestKind::never_delayed(&summary.kinds) {
        return Err(DraftError::NeverDelayed(case));
    }
    if batch.has_event(case, EventKind::Extended)? {
        return Err(DraftError::AlreadyExtended(case));
    }
    let zone = &drafting.settings.timezone;
    let today = now.to_zoned_datetime((*zone).clone()).date();
    if let Err(end) = case::clock::extension_in_time(batch, case, drafting.config, now)? {
        return Err(DraftError::TooLateToExtend {
            case,
            deadline: end,
        });
    }
    // The days a suspended clock stood still still move the end (`case::clock`).
    let suspended = case::clock::total_suspended(batch, case)?;
    let new_deadline = crate::deadline::deadline_after_suspension(
        summary
            .received_at
            .to_zoned_datetime((*zone).clone())
            .date(),
        1 + months,
        suspended,
        &drafting.settings.calendar,
    )
    .unwrap_or(summary.deadline);
    // The deadline moves only when the notice goes out (`case::clock::extension_sent`):
    // an extension nobody was told of extends nothing.
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: by,
            event: Event::Extended(event::Extended {
                months,
                from: summary.deadline,
                to: new_deadline,
                ground,
                reason: reason.to_string(),
                takes_effect: Some(
                    "when the notice is sent, which must be within the first month".to_string(),
                ),
                rule: "GDPR Art. 12(3): two further months where necessary, taking into account the complexity and number of requests, told within the first month with reasons".to_string(),
            }),
        },
    )?;
    let (mail, found, identity) = requester(batch, case, None, drafting, now)?;
    let mail = mail.as_ref();
    let entries = person_entries(&found, identity.outcome);
    let facts = identity_facts(&identity, &entries);
    let composed = compose(
        Purpose::Extension,
        &case_facts(&summary, &[], today, drafting),
        &facts,
        Some(&Extension {
            months,
            new_deadline,
            ground,
            reason,
        }),
        drafting.config,
        drafting.templates,
    )?;
    let draft = queue(batch, case, &composed, Some(mail), by, now)?;
    record_drafted(batch, case, drafted_event(draft, &composed, None), by, now)?;
    Ok((draft, new_deadline))
}

/// The rights the replies that went out answered; `None` when no reply went out, or one
/// went out before replies recorded what they answered (then the case is answered whole
/// again, as it was).
fn answered_kinds(batch: &Batch<'_>, case: CaseId) -> Result<Option<Vec<RequestKind>>, StoreError> {
    let sent: Vec<String> = batch
        .drafts_of(case)?
        .into_iter()
        .filter(|d| d.purpose == Purpose::Reply && d.state == crate::store::DraftState::Sent)
        .map(|d| d.draft.to_string())
        .collect();
    if sent.is_empty() {
        return Ok(None);
    }
    let mut answered: Vec<RequestKind> = Vec::new();
    for event in batch.events_of_kind(case, EventKind::Drafted)? {
        if let Event::Drafted(drafted) = event
            && sent.contains(&drafted.draft)
        {
            if drafted.kinds.is_empty() {
                return Ok(None);
            }
            answered.extend(drafted.kinds);
        }
    }
    Ok(Some(answered))
}

/// The `drafted` event: which draft, what for, to whom, and what identity decision it
/// was drafted from (none for an extension notice).
fn record_drafted(
    batch: &Batch<'_>,
    case: CaseId,
    drafted: event::Drafted,
    actor: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor,
            event: Event::Drafted(drafted),
        },
    )
}

fn drafted_event(
    draft: DraftId,
    composed: &Composed,
    from_identity: Option<event::DraftedFromIdentity>,
) -> event::Drafted {
    event::Drafted {
        draft: draft.to_string(),
        purpose: composed.purpose,
        language: composed.language,
        recipient: composed.recipient.clone(),
        personal_data: composed.personal_data,
        from_identity,
        kinds: Vec::new(),
    }
}

/// The request mail (the one given, else read back from the store), and who in the
/// register sent it, now.
fn requester<'m>(
    batch: &Batch<'_>,
    case: CaseId,
    request: Option<&'m crate::parse::Mail>,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<
    (
        std::borrow::Cow<'m, crate::parse::Mail>,
        crate::matching::Match,
        crate::matching::Identity,
    ),
    DraftError,
> {
    let mail = match request {
        Some(mail) => std::borrow::Cow::Borrowed(mail),
        None => {
            let raw = batch
                .first_message_of(case)?
                .ok_or_else(|| DraftError::Unreadable {
                    case,
                    why: "it has no message".to_string(),
                })?;
            let mut mail = crate::parse::parse(&raw).map_err(|err| DraftError::Unreadable {
                case,
                why: err.to_string(),
            })?;
            // A case opened on behalf of someone (a request staff forwarded) is theirs: it
            // is matched from their address, and the forward's authentication, which
            // speaks of the staff member's mail, proves nothing of them.
            let requester = batch.case_requester(case)?.flatten();
            if let Some(requester) = requester
                && mail.from.as_ref().map(|m| m.normalized()) != Some(requester.clone())
            {
                mail.from = Some(crate::parse::Mailbox {
                    name: None,
                    address: requester,
                });
                mail.authentication_results.clear();
            }
            std::borrow::Cow::Owned(mail)
        }
    };
    // A request handed in was matched a moment ago, in this transaction, as its case
    // opened: find the entries again, but there is no new identity to record.
    let (found, identity) = if request.is_some() {
        let found = case::find_requester(batch, &mail, drafting.settings)?;
        let identity = crate::matching::decide(&found, &drafting.settings.identity_policy);
        (found, identity)
    } else {
        let (_, found, identity) = case::rematch(batch, case, &mail, drafting.settings, now)?;
        (found, identity)
    };
    Ok((mail, found, identity))
}

fn identity_facts<'a>(
    identity: &'a crate::matching::Identity,
    entries: &'a [Entry],
) -> IdentityFacts<'a> {
    IdentityFacts {
        outcome: identity.outcome,
        action: identity.action,
        clock_waits: identity.clock_waits,
        reply_to_on_file: identity.reply_to_on_file.as_deref(),
        entries,
    }
}

/// The entries of the one matched person, when the outcome allows answering them.
fn person_entries(found: &crate::matching::Match, outcome: IdentityOutcome) -> Vec<Entry> {
    match outcome {
        IdentityOutcome::Verified | IdentityOutcome::OnFileUnverified => found
            .candidates
            .iter()
            .filter(|c| c.to_sender)
            .map(|c| c.entry.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// What a draft needs of a case: its rights, language, receipt day, deadline, subject and
/// sender.
pub fn case_facts<'a>(
    summary: &'a CaseSummary,
    actions: &'a [ActionRecord],
    today: Date,
    drafting: &Drafting<'_>,
) -> CaseFacts<'a> {
    CaseFacts {
        id: summary.case_id,
        kinds: &summary.kinds,
        language: summary
            .language
            .unwrap_or(drafting.config.controller.default_language),
        received: summary
            .received_at
            .to_zoned_datetime(drafting.settings.timezone.clone())
            .date(),
        deadline: summary.deadline,
        // The case keeps the request's subject as parsed: one line, control characters gone.
        subject: &summary.subject,
        sender: summary.requester.as_deref(),
        actions,
        commit_by: summary.deadline.max(today),
        data_as_of: &super::compose::UNDATED,
    }
}

/// The day each source was last imported, in the controller's calendar: the date of the
/// data an access copy shows.
fn data_as_of(
    batch: &Batch<'_>,
    drafting: &Drafting<'_>,
) -> Result<BTreeMap<String, Date>, StoreError> {
    Ok(batch
        .register_sources()?
        .into_iter()
        .filter_map(|s| {
            let at = s.imported_at?;
            Some((
                s.source,
                at.to_zoned_datetime(drafting.settings.timezone.clone())
                    .date(),
            ))
        })
        .collect())
}

/// Queues a composed draft as a reply to the request `mail`.
pub fn queue(
    batch: &Batch<'_>,
    case: CaseId,
    composed: &Composed,
    mail: Option<&crate::parse::Mail>,
    actor: &str,
    now: Timestamp,
) -> Result<DraftId, StoreError> {
    let references: Vec<String> = mail
        .map(|m| {
            m.references
                .iter()
                .map(|r| r.as_str().to_string())
                .collect()
        })
        .unwrap_or_default();
    batch.insert_draft(&NewDraft {
        case,
        replaces: None,
        composed,
        in_reply_to: mail.and_then(|m| m.message_id.as_ref()).map(|m| m.as_str()),
        references: &references,
        actor,
        now,
    })
}

/// The attachments of the person's mail in a case, per message, and whether the message
/// came after a request for identity was sent.
#[allow(clippy::type_complexity)]
fn attachments_of(
    batch: &Batch<'_>,
    case: CaseId,
) -> Result<Vec<(crate::ids::MessageKey, bool, Vec<crate::parse::Attachment>)>, DraftError> {
    let mail = batch.multipart_mail_of(case)?;
    if mail.is_empty() {
        return Ok(Vec::new());
    }
    let asked_at: Option<Timestamp> = batch
        .drafts_of(case)?
        .iter()
        .filter(|d| d.purpose == Purpose::IdentityNeeded)
        .filter_map(|d| d.sent_at)
        .min();
    let mut out = Vec::new();
    for (key, received_at, raw) in mail {
        let parsed = crate::parse::parse(&raw).map_err(|e| DraftError::Unreadable {
            case,
            why: format!("{key}: {e}"),
        })?;
        if !parsed.attachments.is_empty() {
            let after = asked_at.is_some_and(|at| received_at > at);
            out.push((key, after, parsed.attachments));
        }
    }
    Ok(out)
}
