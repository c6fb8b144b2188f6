//! Approve: what staff decide about drafts. Nothing reaches a data subject without a
//! recorded approval; an approved draft is frozen; an edit is a new draft that needs its
//! own approval.
//!
//! Takes a draft id and a person's decision; records the decision in the draft's row and
//! in the case's audit trail, inside the caller's transaction. Never sends: `send` (or the
//! offline outbox) takes only drafts this stage approved.

pub mod by_mail;

use crate::draft::ApprovedDraft;
use jiff::Timestamp;

use crate::ids::DraftId;
use crate::store::{Batch, DraftRecord, DraftState, NewDraft, NewEvent, StoreError};
use crate::vocabulary::ActionState;
use crate::vocabulary::event::{self, Event};
use crate::vocabulary::{Input, Staff};

#[derive(Debug, thiserror::Error)]
pub enum ApproveError {
    #[error("no draft {0}")]
    NoSuchDraft(DraftId),
    #[error(
        "draft {draft}: its text was written by {by}, who may not also approve it ([approval] four_eyes): another approver must"
    )]
    FourEyes { draft: DraftId, by: String },
    #[error("draft {draft} is {state}: only a draft waiting for approval can be {what}")]
    NotPending {
        draft: DraftId,
        state: &'static str,
        what: &'static str,
    },
    #[error("draft {draft} has no recipient it may go to ({note}); reject it or edit the case")]
    NoRecipient { draft: DraftId, note: String },
    #[error(
        "draft {draft} was approved by {by} and has not gone out: an edit withdraws that approval; only a forced edit may do that"
    )]
    Approved { draft: DraftId, by: String },
    #[error(
        "draft {draft} is {state}: it went out, so an edit is a new message to the requester; only an edit that asks for a new message may write one"
    )]
    AlreadySent { draft: DraftId, state: &'static str },
    #[error("case {case} is closed: draft {draft} cannot be {what}")]
    CaseClosed {
        draft: DraftId,
        case: crate::ids::CaseId,
        what: &'static str,
    },
    #[error("{0} is required and cannot be empty")]
    Required(Input),
    #[error("the edited text is empty: nothing was changed")]
    EmptyBody,
    #[error(
        "draft {draft} states as done what is still open in case {case}: {open}; record those done first (or let the case be redrafted)"
    )]
    ClaimsOpenActions {
        draft: DraftId,
        case: crate::ids::CaseId,
        open: String,
    },
    #[error(
        "draft {draft} was written by a person and case {case} has open actions: {open}; approve it only once you have confirmed that its text states them as still to be done"
    )]
    OpenActionsUnconfirmed {
        draft: DraftId,
        case: crate::ids::CaseId,
        open: String,
    },
    #[error(
        "draft {draft} still holds a fill-in marker ({marker}); edit the text in before approving it"
    )]
    FillInLeft { draft: DraftId, marker: String },
    #[error(transparent)]
    NotApproved(#[from] crate::draft::NotApproved),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn pending(
    batch: &Batch<'_>,
    id: DraftId,
    what: &'static str,
) -> Result<DraftRecord, ApproveError> {
    let draft = batch.draft(id)?.ok_or(ApproveError::NoSuchDraft(id))?;
    if draft.state != DraftState::Pending {
        return Err(ApproveError::NotPending {
            draft: id,
            state: draft.state.as_str(),
            what,
        });
    }
    Ok(draft)
}

/// Refuses a decision that would let a draft go out on a closed case: closing finished
/// the case, and the drafts then waiting were rejected (`case::close`).
fn case_not_closed(
    batch: &Batch<'_>,
    draft: &DraftRecord,
    what: &'static str,
) -> Result<(), ApproveError> {
    let closed = batch
        .case_summary(draft.case_id)?
        .is_some_and(|case| case.state == crate::case::CaseState::Closed);
    if closed {
        return Err(ApproveError::CaseClosed {
            draft: draft.draft,
            case: draft.case_id,
            what,
        });
    }
    Ok(())
}

fn required(value: &str, name: Input) -> Result<&str, ApproveError> {
    let value = value.trim();
    if value.is_empty() {
        Err(ApproveError::Required(name))
    } else {
        Ok(value)
    }
}

/// Where a person must still write something in: `[[ … ]]`, as templates mark it.
pub fn fill_in_marker(body: &str) -> Option<&str> {
    let start = body.find("[[")?;
    let end = body[start..]
        .find("]]")
        .map_or(body.len(), |e| start + e + 2);
    body.get(start..end.min(start + 60))
}

/// Refuses a draft whose text states as done an action still open: the bot's own drafts
/// by what they claim, a person's text only with the approver's confirmation. Returns the
/// open actions that confirmation covered (to be recorded), if it was needed.
fn deeds_true(
    batch: &Batch<'_>,
    draft: &DraftRecord,
    open_actions_confirmed: bool,
) -> Result<Vec<String>, ApproveError> {
    // Only what goes to the requester reports deeds.
    if !matches!(
        draft.purpose,
        crate::draft::Purpose::Reply | crate::draft::Purpose::RecipientNotice
    ) {
        return Ok(Vec::new());
    }
    let actions = batch.actions_of(draft.case_id)?;
    let describe = |a: &&crate::store::ActionRecord| {
        let mut text = format!("{} {}", a.number, a.kind);
        if !a.source.is_empty() {
            text.push_str(&format!(" in {}", a.source));
        }
        if !a.target.is_empty() {
            text.push_str(&format!(" ({})", a.target));
        }
        text
    };
    match &draft.claims {
        Some(claims) => {
            let open: Vec<String> = actions
                .iter()
                .filter(|a| claims.contains(&a.number) && a.state != ActionState::Done)
                .map(|a| describe(&a))
                .collect();
            if open.is_empty() {
                Ok(Vec::new())
            } else {
                Err(ApproveError::ClaimsOpenActions {
                    draft: draft.draft,
                    case: draft.case_id,
                    open: open.join(", "),
                })
            }
        }
        None => {
            let open: Vec<String> = actions
                .iter()
                .filter(|a| a.state.is_open() && a.kind.reported_in_reply())
                .map(|a| describe(&a))
                .collect();
            if open.is_empty() || open_actions_confirmed {
                Ok(open)
            } else {
                Err(ApproveError::OpenActionsUnconfirmed {
                    draft: draft.draft,
                    case: draft.case_id,
                    open: open.join(", "),
                })
            }
        }
    }
}

/// The Message-ID an approved draft goes out with: fixed at approval, the same on every
/// attempt to send it, so the mail server and the Sent folder can tell a repeat. Its
/// random part (128 bits) makes it unguessable, so nobody can plant a copy of a reply in
/// the Sent folder before it went out.
pub fn message_id(draft: &DraftRecord, privacy_address: &str, random: &str) -> String {
    let domain = privacy_address
        .rsplit_once('@')
        .map_or("rightsbot.invalid", |(_, d)| d);
    format!("{}.{}.{random}@{domain}", draft.case, draft.draft)
}

/// Approves a draft waiting in the queue. Returns it as approved: the only way an
/// [`ApprovedDraft`] is made from a pending draft.
pub fn approve(
    batch: &Batch<'_>,
    id: DraftId,
    by: &Staff,
    privacy_address: &str,
    open_actions_confirmed: bool,
    now: Timestamp,
) -> Result<ApprovedDraft, ApproveError> {
    approve_as(
        batch,
        id,
        by.as_str(),
        privacy_address,
        open_actions_confirmed,
        now,
    )
}

/// The four-eyes rule ([approval] four_eyes): a draft whose text a person wrote (an edit)
/// is approved by someone else. `names` are every name the approver goes by (their
/// account name, their address).
pub fn four_eyes(batch: &Batch<'_>, id: DraftId, names: &[&str]) -> Result<(), ApproveError> {
    let Some(draft) = batch.draft(id)? else {
        return Err(ApproveError::NoSuchDraft(id));
    };
    // `claims` is `None` exactly when a person, not the bot, wrote the text.
    let written_by_person = draft.claims.is_none() && draft.created_by != crate::case::BOT_ACTOR;
    if written_by_person
        && names
            .iter()
            .any(|name| name.trim().eq_ignore_ascii_case(draft.created_by.trim()))
    {
        return Err(ApproveError::FourEyes {
            draft: id,
            by: draft.created_by,
        });
    }
    Ok(())
}

/// Approves a draft under `by`: a staff member, or the bot for the acknowledgement it
/// may send on its own.
fn approve_as(
    batch: &Batch<'_>,
    id: DraftId,
    by: &str,
    privacy_address: &str,
    open_actions_confirmed: bool,
    now: Timestamp,
) -> Result<ApprovedDraft, ApproveError> {
    let draft = pending(batch, id, "approved")?;
    case_not_closed(batch, &draft, "approved")?;
    if draft.recipient.is_none() {
        return Err(ApproveError::NoRecipient {
            draft: id,
            note: draft.recipient_note,
        });
    }
    if let Some(marker) = fill_in_marker(&draft.body) {
        return Err(ApproveError::FillInLeft {
            draft: id,
            marker: marker.to_string(),
        });
    }
    let confirmed_open = deeds_true(batch, &draft, open_actions_confirmed)?;
    if !confirmed_open.is_empty() {
        batch.append_event(
            draft.case_id,
            &NewEvent {
                at: now,
                actor: by,
                event: Event::OpenActionsConfirmed(event::OpenActionsConfirmed {
                    draft: id.to_string(),
                    open: confirmed_open.join(", "),
                    rule: "a reply written by a person may be approved with actions open only when the approver confirms it promises them".to_string(),
                }),
            },
        )?;
    }
    let message_id = message_id(&draft, privacy_address, &batch.random_hex(16)?);
    let seal = batch.random_hex(16)?;
    batch.set_draft_state(id, DraftState::Approved, now, by, None)?;
    batch.set_draft_message_id(id, &message_id, &seal)?;
    batch.append_event(
        draft.case_id,
        &NewEvent {
            at: now,
            actor: by,
            event: Event::DraftApproved(event::DraftApproved {
                draft: id.to_string(),
                purpose: draft.purpose,
                recipient: draft.recipient.clone(),
                message_id: message_id.clone(),
            }),
        },
    )?;
    let approved = batch.draft(id)?.ok_or(ApproveError::NoSuchDraft(id))?;
    Ok(ApprovedDraft::check(approved)?)
}

/// Rejects a draft waiting in the queue, with the reason.
pub fn reject(
    batch: &Batch<'_>,
    id: DraftId,
    by: &Staff,
    reason: &str,
    now: Timestamp,
) -> Result<(), ApproveError> {
    let by = by.as_str();
    let reason = required(reason, Input::Reason)?;
    let draft = pending(batch, id, "rejected")?;
    batch.set_draft_state(id, DraftState::Rejected, now, by, Some(reason))?;
    batch.append_event(
        draft.case_id,
        &NewEvent {
            at: now,
            actor: by,
            event: Event::DraftRejected(event::DraftRejected {
                draft: id.to_string(),
                reason: reason.to_string(),
            }),
        },
    )?;
    Ok(())
}

/// What a person allows an edit to do beyond making a new draft.
#[derive(Clone, Copy, Debug, Default)]
pub struct EditOptions {
    /// Withdraw an approval the edited draft (or another version waiting to go out) has.
    pub force: bool,
    /// The edited draft went out: the edit is a new message to the requester.
    pub new_message: bool,
}

/// What an edit did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edited {
    /// The new draft, waiting for approval.
    pub draft: DraftId,
    /// Drafts whose approval the edit withdrew (with `--force`), and who had given it.
    pub approvals_withdrawn: Vec<(DraftId, String)>,
    /// Other versions that were waiting and are now replaced by the new draft.
    pub replaced: Vec<DraftId>,
}

/// Saves an edit of a draft as a new draft waiting for approval. Any version may be
/// edited, an earlier (superseded) one too; the new draft replaces every other version of
/// the same reply (case and purpose) still waiting, so only one can be approved. An
/// approval is never dropped silently: a version approved but not sent is replaced only
/// with `force`. A draft that went out stays as it was, and is edited only into an
/// explicitly new message (`new_message`). A closed case takes no new drafts.
pub fn edit(
    batch: &Batch<'_>,
    id: DraftId,
    body: &str,
    by: &Staff,
    options: EditOptions,
    now: Timestamp,
) -> Result<Edited, ApproveError> {
    let by = by.as_str();
    if body.trim().is_empty() {
        return Err(ApproveError::EmptyBody);
    }
    let draft = batch.draft(id)?.ok_or(ApproveError::NoSuchDraft(id))?;
    case_not_closed(batch, &draft, "edited")?;
    if matches!(draft.state, DraftState::Sent | DraftState::Sending) && !options.new_message {
        return Err(ApproveError::AlreadySent {
            draft: id,
            state: draft.state.as_str(),
        });
    }
    // The versions the new text replaces: this draft if it has not gone out, and every
    // other version of the same reply waiting for approval or for sending.
    let versions: Vec<DraftRecord> = batch
        .drafts_of(draft.case_id)?
        .into_iter()
        .filter(|d| {
            d.purpose == draft.purpose
                && matches!(d.state, DraftState::Pending | DraftState::Approved)
        })
        .collect();
    if !options.force
        && let Some(approved) = versions.iter().find(|d| d.state == DraftState::Approved)
    {
        return Err(ApproveError::Approved {
            draft: approved.draft,
            by: approved.decided_by.clone().unwrap_or_default(),
        });
    }
    let mut approvals_withdrawn = Vec::new();
    let mut replaced = Vec::new();
    for version in &versions {
        let note = if version.state == DraftState::Approved {
            approvals_withdrawn.push((
                version.draft,
                version.decided_by.clone().unwrap_or_default(),
            ));
            "edited: approval withdrawn"
        } else {
            "edited"
        };
        batch.set_draft_state(version.draft, DraftState::Superseded, now, by, Some(note))?;
        if version.draft != id {
            replaced.push(version.draft);
        }
    }
    let mut body = body.replace("\r\n", "\n");
    if !body.ends_with('\n') {
        body.push('\n');
    }
    let composed = crate::draft::Composed {
        purpose: draft.purpose,
        language: draft.language,
        recipient: draft.recipient.clone(),
        recipient_note: draft.recipient_note.clone(),
        subject: draft.subject.clone(),
        body,
        attachments: draft.attachments.clone(),
        personal_data: draft.personal_data,
        refusal: draft.refusal,
        // A person wrote it: what it states as done is theirs to vouch for.
        claims: None,
    };
    let new = batch.insert_draft(&NewDraft {
        case: draft.case_id,
        replaces: Some(id),
        composed: &composed,
        in_reply_to: draft.in_reply_to.as_deref(),
        references: &draft.references,
        actor: by,
        now,
    })?;
    let withdrawn: Vec<String> = approvals_withdrawn
        .iter()
        .map(|(d, _)| d.to_string())
        .collect();
    let replaced_ids: Vec<String> = replaced.iter().map(ToString::to_string).collect();
    batch.append_event(
        draft.case_id,
        &NewEvent {
            at: now,
            actor: by,
            event: Event::DraftEdited(event::DraftEdited {
                draft: new.to_string(),
                replaces: id.to_string(),
                was: draft.state,
                approvals_withdrawn: withdrawn,
                also_replaces: replaced_ids,
                new_message: options.new_message
                    && matches!(draft.state, DraftState::Sent | DraftState::Sending),
            }),
        },
    )?;
    Ok(Edited {
        draft: new,
        approvals_withdrawn,
        replaced,
    })
}

/// Whether a draft may be sent now: approved, with its Message-ID and a recipient.
pub fn sendable(draft: &DraftRecord) -> bool {
    draft.state == DraftState::Approved && draft.message_id.is_some() && draft.recipient.is_some()
}

/// Confirms receipt of a new request at once (`[drafts] acknowledge`): an acknowledgement
/// is drafted, approved by the bot (it holds no personal data: the case number and the
/// deadline, to the sender) and written out. Returns the outbox file.
pub fn acknowledge(
    batch: &Batch<'_>,
    case: crate::ids::CaseId,
    request: Option<&crate::parse::Mail>,
    drafting: &crate::draft::Drafting<'_>,
    now: Timestamp,
) -> Result<Option<std::path::PathBuf>, AcknowledgeError> {
    use crate::draft::{IdentityFacts, Purpose};
    let Some(summary) = batch.case_summary(case)? else {
        return Ok(None);
    };
    if summary.requester.is_none() {
        return Ok(None);
    }
    // The request in hand, else read back, for threading the acknowledgement to it.
    let read;
    let mail = match request {
        Some(mail) => Some(mail),
        None => {
            let raw = batch.first_message_of(case)?;
            read = raw.as_deref().and_then(|raw| crate::parse::parse(raw).ok());
            read.as_ref()
        }
    };
    let today = now
        .to_zoned_datetime(drafting.settings.timezone.clone())
        .date();
    let facts = crate::draft::case_facts(&summary, &[], today, drafting);
    // Nothing about the person: not even who they are on file.
    let identity = IdentityFacts {
        outcome: crate::matching::IdentityOutcome::NoMatch,
        action: crate::matching::IdentityAction::NotFound,
        clock_waits: false,
        reply_to_on_file: None,
        entries: &[],
    };
    let composed = crate::draft::compose(
        Purpose::Acknowledgement,
        &facts,
        &identity,
        None,
        drafting.config,
        drafting.templates,
    )?;
    let id = crate::draft::queue(batch, case, &composed, mail, crate::case::BOT_ACTOR, now)?;
    let approved = approve_as(
        batch,
        id,
        crate::case::BOT_ACTOR,
        &drafting.config.controller.privacy_address,
        // An acknowledgement reports no deed.
        false,
        now,
    )?;
    // With SMTP, the sender takes it from here.
    if drafting.config.smtp.is_some() {
        return Ok(None);
    }
    let file = crate::draft::outbox::write(&approved, drafting.config)?;
    batch.draft_sent(id, now, Some(&file.display().to_string()))?;
    Ok(Some(file))
}

/// Acknowledges as intake does: a failure of the acknowledgement alone is recorded on the
/// case for a person; only a store failure stops intake.
pub fn acknowledge_or_record(
    batch: &Batch<'_>,
    case: crate::ids::CaseId,
    request: Option<&crate::parse::Mail>,
    drafting: &crate::draft::Drafting<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    if !drafting.config.drafts.acknowledge {
        return Ok(());
    }
    match acknowledge(batch, case, request, drafting, now) {
        Ok(_) => Ok(()),
        Err(AcknowledgeError::Store(err)) => Err(err),
        Err(err) => {
            tracing::warn!(case = %case, error = %err, "acknowledgement failed");
            batch.append_event(
                case,
                &NewEvent {
                    at: now,
                    actor: crate::case::BOT_ACTOR,
                    event: Event::AcknowledgementFailed(event::Failure {
                        error: err.to_string(),
                    }),
                },
            )
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AcknowledgeError {
    #[error(transparent)]
    NotApproved(#[from] crate::draft::NotApproved),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Template(#[from] crate::draft::TemplateError),
    #[error(transparent)]
    Approve(#[from] ApproveError),
    #[error(transparent)]
    Outbox(#[from] crate::draft::outbox::OutboxError),
}

/// What follows a message's admission in the same transaction: the draft of a new or
/// changed case, the acknowledgement, the review mail; and whether the mail is a staff
/// member's approval of a draft.
pub fn after_admission(
    batch: &crate::store::Batch<'_>,
    admission: &crate::case::Admission,
    mail: Option<&crate::parse::Mail>,
    drafting: &crate::draft::Drafting<'_>,
    now: jiff::Timestamp,
) -> Result<(), crate::store::StoreError> {
    let drafted = match admission {
        crate::case::Admission::Opened(case) => {
            let draft = crate::draft::prepare_or_record(batch, *case, mail, drafting, now)?;
            crate::approve::acknowledge_or_record(batch, *case, mail, drafting, now)?;
            crate::draft::confirm::ask_or_record(batch, *case, drafting, now)?;
            draft
        }
        // A reply may have changed what the case asks.
        crate::case::Admission::Joined(case) => {
            let draft = crate::draft::prepare_or_record(batch, *case, None, drafting, now)?;
            crate::draft::confirm::ask_or_record(batch, *case, drafting, now)?;
            draft
        }
        _ => None,
    };
    if let Some(draft) = drafted {
        crate::approve::by_mail::offer_or_record(batch, draft, drafting.config, now)?;
    }
    if let (
        Some(mail),
        crate::case::Admission::NotARequest
        | crate::case::Admission::StaffMail
        | crate::case::Admission::Joined(_)
        | crate::case::Admission::Opened(_),
    ) = (mail, admission)
    {
        crate::approve::by_mail::consider_or_record(batch, mail, drafting.config, now)?;
        crate::draft::confirm::consider_or_record(batch, mail, drafting, now)?;
    }
    Ok(())
}
