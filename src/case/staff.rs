//! What staff decide about cases: opening one from a message the classifier set aside, and
//! correcting the rights a case is about. Each decision is an event with the person's name.

use jiff::Timestamp;

use crate::classify::RequestKind;
use crate::ids::{CaseId, DraftId};
use crate::store::{Batch, Disposition, DraftState, NewEvent, StoreError};
use crate::vocabulary::event::{self, Event, EventKind};
use crate::vocabulary::{IdentityOutcome, Input, Staff};

use super::CaseState;
use super::Settings;
use super::admit::{CaseOpening, open_case};

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
    Required(Input),
    #[error(
        "case {case}: its identity is {outcome}: the details do not point to one address on file, so a verification has no one to answer; reclassify or reply by hand"
    )]
    NothingToVerify { case: CaseId, outcome: &'static str },
    #[error(
        "no staff account is named {0}: a case is assigned to an account (rightsbot staff list)"
    )]
    NoSuchAccount(String),
    #[error("the staff account {0} is disabled: a case is assigned only to an active account")]
    AccountDisabled(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A person's decision: who made it (required) and the kinds, sorted, each once.
fn decision<'a>(
    by: &'a Staff,
    kinds: &[RequestKind],
) -> Result<(&'a str, Vec<RequestKind>), StaffError> {
    let by = by.as_str();
    if kinds.is_empty() {
        return Err(StaffError::NoKinds);
    }
    let mut kinds = kinds.to_vec();
    kinds.sort();
    kinds.dedup();
    Ok((by, kinds))
}

/// A request that reached staff and was forwarded to the privacy address: who really asked,
/// and when it reached the controller (the clock runs from then, Art. 12(3)), as the
/// staff member who opens the case confirms them.
pub struct OnBehalf {
    pub requester: String,
    pub received_at: Timestamp,
}

/// Opens a case from a stored message that is in none (a mail the classifier judged not to
/// be a request, or one a staff member forwarded), with the kinds a person names. With
/// `on_behalf`, the case is the original sender's, from the day the request first reached
/// the controller; their identity is matched from that address, never authenticated by
/// the forward's headers.
pub fn open_from_message(
    batch: &Batch<'_>,
    reference: &str,
    kinds: &[RequestKind],
    by: &Staff,
    on_behalf: Option<&OnBehalf>,
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
    let openable = disposition == Disposition::NotARequest.as_str()
        || (on_behalf.is_some() && disposition == Disposition::StaffMail.as_str());
    if !openable {
        return Err(StaffError::NotOpenable {
            message: message.key.to_string(),
            disposition,
        });
    }
    // The stored bytes were parsed once already; a message that no longer parses opens
    // its case without a register match, which staff then see as no identity outcome.
    let raw = batch.raw_message(message.key)?;
    let mut mail = raw.as_deref().and_then(|raw| crate::parse::parse(raw).ok());
    let (requester, requester_name, received_at) = match on_behalf {
        Some(on_behalf) => {
            if let Some(mail) = mail.as_mut() {
                mail.from = Some(crate::parse::Mailbox {
                    name: None,
                    address: on_behalf.requester.clone(),
                });
                // The forward's Authentication-Results speak of the staff member's mail.
                mail.authentication_results.clear();
            }
            (
                Some(on_behalf.requester.trim().to_lowercase()),
                None,
                on_behalf.received_at,
            )
        }
        None => (
            message.from_address.clone(),
            message.from_name.clone(),
            message.received_at,
        ),
    };
    let case = open_case(
        batch,
        &CaseOpening {
            message: message.key,
            received_at,
            requester: requester.as_deref(),
            requester_name: requester_name.as_deref(),
            subject: &message.subject,
            kinds: &kinds,
            language: None,
            state: CaseState::Open,
            actor: by,
            opened_event: event::Received::OpenedByStaff(event::OpenedByStaff {
                message: message.key.to_string(),
                from: message.from_address.clone(),
                subject: message.subject.clone(),
                received_at,
                on_behalf_of: on_behalf.map(|o| o.requester.clone()),
                opened_by_staff: true,
                kinds: kinds.clone(),
            }),
            mail: mail.as_ref(),
        },
        settings,
        now,
    )?;
    batch.set_disposition(message.key, Disposition::Case)?;
    Ok(case)
}

/// A request made by phone, by letter or in person, as a staff member enters it.
pub struct ManualRequest<'a> {
    /// The requester's e-mail address: where the answer goes, and who is looked up.
    pub from: &'a str,
    pub name: Option<&'a str>,
    /// When the request reached the controller: the clock runs from then.
    pub received_at: Timestamp,
    pub kinds: &'a [RequestKind],
    pub language: Option<crate::lang::Lang>,
    /// What was asked and how (the call, the letter), in the staff member's words.
    pub note: &'a str,
    pub by: &'a Staff,
}

/// Opens a case for a request that did not come by mail. The request is kept as a stored
/// message made of what the staff member entered (marked as such), so the case has its
/// first message like any other, and its deadline counts from the day given.
pub fn intake(
    batch: &Batch<'_>,
    request: &ManualRequest<'_>,
    settings: &Settings<'_>,
    privacy_address: &str,
    now: Timestamp,
) -> Result<CaseId, StaffError> {
    let (by, kinds) = decision(request.by, request.kinds)?;
    let from = request.from.trim();
    if from.is_empty() || !from.contains('@') || from.chars().any(char::is_whitespace) {
        return Err(StaffError::Required(Input::RequesterAddress));
    }
    let note = request.note.trim();
    if note.is_empty() {
        return Err(StaffError::Required(Input::Note));
    }
    let line = |text: &str| -> String {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let random = batch.random_hex(8)?;
    let domain = privacy_address
        .rsplit_once('@')
        .map_or("rightsbot.invalid", |(_, d)| d);
    let message_id = format!("intake.{random}@{domain}");
    let subject = format!("Request entered by {}", line(by));
    let date = request.received_at.strftime("%a, %d %b %Y %H:%M:%S +0000");
    let from_header = match request.name {
        Some(name) => format!("\"{}\" <{}>", line(name).replace('"', "'"), line(from)),
        None => format!("<{}>", line(from)),
    };
    let raw = format!(
        "From: {from_header}\r\nTo: <{privacy_address}>\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <{message_id}>\r\nX-Rightsbot-Entered-By: {}\r\nX-Rightsbot-Entered-At: {now}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        line(by),
        note.replace("\r\n", "\n").replace('\n', "\r\n"),
    );
    let sha = super::admit::digest(raw.as_bytes());
    let id = crate::ids::MessageId::new(&message_id);
    let key = batch.insert_message(
        &crate::store::NewMessage {
            raw: raw.as_bytes(),
            raw_sha256: &sha,
            message_id: id.as_ref(),
            origin: &format!("entered by {}", line(by)),
            received_at: request.received_at,
            received_from: crate::store::ReceiptSource::StaffEntry,
            from_address: Some(&from.to_lowercase()),
            from_name: request.name,
            reply_to: None,
            subject: &subject,
            in_reply_to: &[],
            references: &[],
            automated: None,
            disposition: Disposition::Case,
            classification: None,
            colliding_message_id: None,
        },
        now,
    )?;
    let mail = crate::parse::parse(raw.as_bytes()).ok();
    let case = open_case(
        batch,
        &CaseOpening {
            message: key,
            received_at: request.received_at,
            requester: Some(&from.to_lowercase()),
            requester_name: request.name,
            subject: &subject,
            kinds: &kinds,
            language: request.language,
            state: CaseState::Open,
            actor: by,
            opened_event: event::Received::EnteredByStaff(event::EnteredByStaff {
                message: key.to_string(),
                from: from.to_lowercase(),
                received_at: request.received_at,
                entered_by_staff: true,
                kinds: kinds.clone(),
                note: note.to_string(),
            }),
            mail: mail.as_ref(),
        },
        settings,
        now,
    )?;
    Ok(case)
}

/// Sets the request kinds of a case, recording who changed them from what.
pub fn reclassify(
    batch: &Batch<'_>,
    case: CaseId,
    kinds: &[RequestKind],
    by: &Staff,
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
            event: Event::Reclassified(event::Reclassified {
                from: previous,
                to: kinds.clone(),
            }),
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
    by: &Staff,
    outcome: &str,
    now: Timestamp,
) -> Result<Vec<DraftId>, StaffError> {
    let by = by.as_str();
    let outcome = outcome.trim();
    if outcome.is_empty() {
        return Err(StaffError::Required(Input::Outcome));
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
            event: Event::Closed(event::Closed {
                outcome: outcome.to_string(),
            }),
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
                event: Event::DraftRejected(event::DraftRejected {
                    draft: draft.draft.to_string(),
                    reason: reason.to_string(),
                }),
            },
        )?;
    }
    Ok(waiting.into_iter().map(|d| d.draft).collect())
}

/// Staff record that they verified who asks (Art. 12(6): a call to the number on file, a
/// confirmation from the address on file): the case is matched again as verified from the
/// address on file of the person its details pointed to, and its clock resumes if it was
/// waiting. Returns that address.
pub fn verify(
    batch: &Batch<'_>,
    case: CaseId,
    by: &Staff,
    note: &str,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<String, StaffError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(StaffError::Required(Input::Verification));
    }
    let summary = batch
        .case_summary(case)?
        .ok_or(StaffError::NoSuchCase(case))?;
    if summary.state == CaseState::Closed {
        return Err(StaffError::AlreadyClosed(case));
    }
    let address = match summary.identity {
        Some(IdentityOutcome::Verified | IdentityOutcome::OnFileUnverified) => {
            summary.requester.clone()
        }
        _ => address_on_file(batch, case, settings)?,
    };
    let Some(address) = address else {
        return Err(StaffError::NothingToVerify {
            case,
            outcome: summary
                .identity
                .map_or("unmatched", IdentityOutcome::as_str),
        });
    };
    record_verified(
        batch,
        case,
        by.as_str(),
        event::Verified {
            address: address.clone(),
            note: note.to_string(),
            outcome_before: summary.identity,
            rule: "GDPR Art. 12(6): staff confirmed who asks; personal data still goes only to the address on file".to_string(),
        },
        "staff recorded a verification",
        settings,
        now,
    )?;
    Ok(address)
}

/// The person at the address on file confirmed the request by an authenticated answer
/// (`draft::confirm`): the case is theirs, verified, and its clock resumes.
pub fn verify_confirmed(
    batch: &Batch<'_>,
    case: CaseId,
    address: &str,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    record_verified(
        batch,
        case,
        super::BOT_ACTOR,
        event::Verified {
            address: address.to_string(),
            note: "confirmed by an authenticated answer from the address on file".to_string(),
            outcome_before: Some(IdentityOutcome::NeedsVerification),
            rule:
                "GDPR Art. 12(6): the person the details match confirmed from the address on file"
                    .to_string(),
        },
        "the address on file confirmed the request",
        settings,
        now,
    )
}

/// Records the `verified` event and resumes a waiting clock.
fn record_verified(
    batch: &Batch<'_>,
    case: CaseId,
    actor: &str,
    verified: event::Verified,
    why: &str,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor,
            event: Event::Verified(verified),
        },
    )?;
    super::clock::resume(batch, case, settings, now, actor, why, now)?;
    Ok(())
}

/// The one address on file of the person a `needs_verification` case's details match
/// (from its last identity decision), as the register holds it (lowercased, as a sender's
/// address is); `None` when the case is not that, or the entries hold no address or
/// several (compared by `register::normalize::email_key`), or one that does not read as
/// an address.
pub fn address_on_file(
    batch: &Batch<'_>,
    case: CaseId,
    settings: &Settings<'_>,
) -> Result<Option<String>, StoreError> {
    let Some(Event::Identity(identity)) = batch.last_event(case, EventKind::Identity)? else {
        return Ok(None);
    };
    if identity.outcome != IdentityOutcome::NeedsVerification {
        return Ok(None);
    }
    let mut addresses: Vec<(String, String)> = Vec::new();
    for email in identity.entries.iter().filter_map(|e| e.email.as_deref()) {
        // The import refuses an entry whose address does not normalise; one that does not
        // now is no address to write to.
        let Ok(key) = crate::register::normalize::email_key(email, &settings.email_rules) else {
            return Ok(None);
        };
        if !addresses.iter().any(|(k, _)| *k == key) {
            addresses.push((key, email.trim().to_lowercase()));
        }
    }
    Ok(match addresses.as_slice() {
        [(_, address)] => Some(address.clone()),
        _ => None,
    })
}

/// Makes the account named `owner` the case's owner, or leaves it with none (`None`), and
/// records who did it (an `assigned` event). Only an active account can own a case. The
/// owner before is returned; assigning the owner it already has records nothing.
pub fn assign(
    batch: &Batch<'_>,
    case: CaseId,
    owner: Option<&str>,
    by: &Staff,
    now: Timestamp,
) -> Result<Option<String>, StaffError> {
    let account = match owner.map(str::trim) {
        None => None,
        Some(name) => {
            let account = batch
                .staff_by_name(name)?
                .ok_or_else(|| StaffError::NoSuchAccount(name.to_string()))?;
            if account.disabled {
                return Err(StaffError::AccountDisabled(account.name));
            }
            Some(account)
        }
    };
    let was = batch
        .case_owner(case)?
        .ok_or(StaffError::NoSuchCase(case))?;
    let owner = account.as_ref().map(|a| a.name.clone());
    if was == owner {
        return Ok(was);
    }
    batch.set_case_owner(case, account.as_ref().map(|a| a.id))?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: by.as_str(),
            event: Event::Assigned(event::Assigned {
                owner,
                was: was.clone(),
            }),
        },
    )?;
    Ok(was)
}
