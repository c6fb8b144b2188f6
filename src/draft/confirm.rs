//! Confirmation from the address on file (Art. 12(6), EDPB Guidelines 01/2022 on the
//! right of access, "proportionate" identification): when a request's details match one
//! person whose address on file is not the sender's, that person is asked, at the address
//! on file, to confirm the request is theirs by replying. The mail carries no personal
//! data (the case number, that a request was made in their name, how to answer), so it
//! goes without approval, like the acknowledgement.
//!
//! Takes the case and an incoming mail inside the caller's transaction; hands on a
//! `verified` event (the case is matched again from the address on file and drafted
//! again), or a `confirmation_denied` event with a note to staff. It never tells the
//! sender anything: their reply reads as a not-found reply (`compose`).

use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;
use serde_json::json;

use super::outbox::{self, OutboxError, StaffMail};
use super::prepare::Drafting;
use crate::ids::CaseId;
use crate::lang::Lang;
use crate::matching::IdentityOutcome;
use crate::parse::Mail;
use crate::store::{Batch, MailKind, NewEvent, StoreError};
use crate::vocabulary::RequestKind;
use crate::vocabulary::event::{self, Event, EventKind};

// A constant pattern, so `expect` cannot fire on input.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"rightsbot-confirm:([0-9a-f]{32})").expect("a valid token pattern")
});

/// Words that confirm, folded, alone or first on the answer's first line.
const YES: &[&str] = &[
    "yes",
    "confirm",
    "confirmed",
    "kylla",
    "vahvistan",
    "vahvistettu",
    "joo",
    "ja",
    "bekraftar",
    "bekraftat",
];

/// Words that deny anywhere in the answer, folded: "not me", "ei", "en ole", "nej", "inte".
const NO: &[&str] = &[
    "no", "not", "never", "didnt", "didn", "ei", "en", "emme", "nej", "inte", "aldrig",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(transparent)]
    Template(#[from] super::TemplateError),
}

/// Mails the address on file of the one person a `needs_verification` case's details
/// match, once per case, when `[identity] confirm_from_file` is on. Returns the address.
pub fn ask(
    batch: &Batch<'_>,
    case: CaseId,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<Option<String>, ConfirmError> {
    if !drafting.config.identity.confirm_from_file
        || batch.has_event(case, EventKind::ConfirmationAsked)?
        || batch.has_event(case, EventKind::Verified)?
    {
        return Ok(None);
    }
    let Some(summary) = batch.case_summary(case)? else {
        return Ok(None);
    };
    // A stop to marketing is answered to the address that asked: no one is asked anything.
    if summary.identity != Some(IdentityOutcome::NeedsVerification)
        || RequestKind::never_delayed(&summary.kinds)
    {
        return Ok(None);
    }
    let Some(address) = crate::case::address_on_file(batch, case, drafting.settings)? else {
        return Ok(None);
    };
    let lang = summary
        .language
        .unwrap_or(drafting.config.controller.default_language);
    let token = batch.random_hex(16)?;
    let zone = drafting.settings.timezone;
    let received = summary.received_at.to_zoned_datetime(zone.clone()).date();
    let context = json!({
        "controller": {
            "name": drafting.config.controller.name,
            "business_id": drafting.config.controller.business_id,
            "privacy_address": drafting.config.controller.privacy_address,
        },
        "case": {
            "id": case.to_string(),
            "received": super::dates::format(received, lang),
        },
        "authority": super::compose::authority(lang),
    });
    let body = drafting
        .templates
        .render(lang, "confirm_identity.txt", &context)?;
    let title = match lang {
        Lang::Fi => "Vahvistakaa tietosuojapyyntö",
        Lang::Sv => "Bekräfta begäran om dataskydd",
        Lang::En => "Please confirm a data protection request",
    };
    let subject = format!("{title} [{case}] rightsbot-confirm:{token}");
    let file = outbox::queue(
        batch,
        drafting.config,
        &StaffMail {
            kind: MailKind::Confirmation,
            case: Some(case),
            to: &address,
            subject: &subject,
            body: &body,
            attachments: &[],
            name: &format!("confirm-{case}"),
        },
        now,
    )?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: crate::case::BOT_ACTOR,
            event: Event::ConfirmationAsked(event::ConfirmationAsked {
                to: address.clone(),
                token_sha256: token_hash(&token),
                outbox_file: file.map(|f| f.display().to_string()),
                rule: "GDPR Art. 12(6): the person the details match is asked at the address on file; the mail carries no personal data".to_string(),
            }),
        },
    )?;
    Ok(Some(address))
}

/// What an answer to a request for confirmation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Confirmed from the address on file: the case is verified (and drafted again).
    Confirmed(CaseId),
    /// The person says it was not them: recorded, and staff told.
    Denied(CaseId),
    /// Not an answer that counts (wrong sender, no authentication, used token, unclear
    /// words): recorded for staff.
    Refused(CaseId, &'static str),
}

/// Looks at an incoming mail: if it answers a request for confirmation, verifies the case,
/// records a denial, or records why it counts for nothing. `None` when it is no answer.
pub fn consider(
    batch: &Batch<'_>,
    mail: &Mail,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<Option<Answer>, ConfirmError> {
    let Some(token) = TOKEN
        .captures(&mail.subject)
        .or_else(|| TOKEN.captures(&mail.text))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
    else {
        return Ok(None);
    };
    let Some(case) = CaseId::find_in_subject(&mail.subject) else {
        return Ok(None);
    };
    let Some(Event::ConfirmationAsked(asked)) =
        batch.last_event(case, EventKind::ConfirmationAsked)?
    else {
        return Ok(None);
    };
    let from = mail
        .from
        .as_ref()
        .map(|m| m.normalized())
        .unwrap_or_default();
    let answer = if asked.token_sha256 != token_hash(&token) {
        Answer::Refused(
            case,
            "its token is not the one rightsbot gave for this case",
        )
    } else if batch.has_event(case, EventKind::Verified)?
        || batch.has_event(case, EventKind::ConfirmationDenied)?
    {
        Answer::Refused(case, "the request was confirmed or denied already")
    } else if !same_address(&asked.to, &from, drafting) {
        Answer::Refused(case, "it did not come from the address on file")
    } else if !crate::matching::auth::judge(
        &mail.authentication_results,
        drafting.settings.trusted_authserv_ids,
        &from,
    )
    .passed
    {
        Answer::Refused(
            case,
            "the receiving server did not authenticate it as the address on file",
        )
    } else {
        match judge_answer(&mail.new_text) {
            Some(true) => Answer::Confirmed(case),
            Some(false) => Answer::Denied(case),
            None => Answer::Refused(case, "the answer neither confirms nor denies"),
        }
    };
    let message = mail.message_id.as_ref().map(|m| m.as_str().to_string());
    match &answer {
        Answer::Confirmed(case) => {
            crate::case::verify_confirmed(batch, *case, &from, drafting.settings, now)?;
            super::prepare::prepare_or_record(batch, *case, None, drafting, now)?;
        }
        Answer::Denied(case) => {
            batch.append_event(
                *case,
                &NewEvent {
                    at: now,
                    actor: crate::case::BOT_ACTOR,
                    event: Event::ConfirmationDenied(event::ConfirmationDenied {
                        from: from.clone(),
                        message,
                        note: "the person at the address on file says the request was not theirs: staff decide (refuse, or look into misuse)".to_string(),
                    }),
                },
            )?;
            tell_staff(
                batch,
                *case,
                "the person at the address on file says the request was not theirs",
                drafting,
                now,
            )?;
        }
        Answer::Refused(case, why) => {
            batch.append_event(
                *case,
                &NewEvent {
                    at: now,
                    actor: crate::case::BOT_ACTOR,
                    event: Event::ConfirmationRefused(event::ConfirmationRefused {
                        from: from.clone(),
                        message,
                        why: (*why).to_string(),
                    }),
                },
            )?;
            tell_staff(batch, *case, why, drafting, now)?;
        }
    }
    Ok(Some(answer))
}

/// As intake does it: a failure of the confirmation alone (a template staff broke) is
/// recorded on the case for a person; only a store failure stops intake.
pub fn ask_or_record(
    batch: &Batch<'_>,
    case: CaseId,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    record_failure(
        batch,
        Some(case),
        ask(batch, case, drafting, now).map(|_| ()),
        now,
    )
}

/// As intake does it: see [`ask_or_record`].
pub fn consider_or_record(
    batch: &Batch<'_>,
    mail: &Mail,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let case = CaseId::find_in_subject(&mail.subject);
    record_failure(
        batch,
        case,
        consider(batch, mail, drafting, now).map(|_| ()),
        now,
    )
}

fn record_failure(
    batch: &Batch<'_>,
    case: Option<CaseId>,
    result: Result<(), ConfirmError>,
    now: Timestamp,
) -> Result<(), StoreError> {
    match result {
        Ok(()) => Ok(()),
        Err(ConfirmError::Store(err)) => Err(err),
        Err(err) => {
            tracing::warn!(error = %err, "confirmation failed");
            match case {
                Some(case) if batch.case_exists(case)? => batch.append_event(
                    case,
                    &NewEvent {
                        at: now,
                        actor: crate::case::BOT_ACTOR,
                        event: Event::ConfirmationFailed(event::Failure {
                            error: err.to_string(),
                        }),
                    },
                ),
                _ => Ok(()),
            }
        }
    }
}

/// A note to staff (`[reminders] staff_address`) about an answer they must look at.
fn tell_staff(
    batch: &Batch<'_>,
    case: CaseId,
    why: &str,
    drafting: &Drafting<'_>,
    now: Timestamp,
) -> Result<(), ConfirmError> {
    let Some(staff) = drafting.config.reminders.staff_address.as_deref() else {
        return Ok(());
    };
    let body = format!(
        "An answer to the request for confirmation of case {case} needs a person: {why}.\n\n\
         Read it with `rightsbot show {case}`; record a verification with `rightsbot verify`,\n\
         or refuse the request.\n"
    );
    outbox::queue(
        batch,
        drafting.config,
        &StaffMail {
            kind: MailKind::Note,
            case: Some(case),
            to: staff,
            subject: &format!("rightsbot: confirmation of {case} needs a person"),
            body: &body,
            attachments: &[],
            name: &format!("confirmation-note-{case}"),
        },
        now,
    )?;
    Ok(())
}

/// `Some(true)` when the answer confirms (a yes word alone or first on its first line,
/// and no denial anywhere), `Some(false)` when it denies, `None` when it says neither.
pub fn judge_answer(new_text: &str) -> Option<bool> {
    let text = new_text.replace(['\u{2019}', '\''], "");
    let folded = crate::register::normalize::name_key(&text);
    if folded.split(' ').any(|w| NO.contains(&w)) {
        return Some(false);
    }
    let first_line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map(crate::register::normalize::name_key)
        .unwrap_or_default();
    match first_line.split(' ').next() {
        Some(word) if YES.contains(&word) => Some(true),
        _ => None,
    }
}

/// Whether two addresses are one mailbox, as the register compares them (case, and the
/// dots and plus-tags `[register]` says some domains ignore); one that does not read as
/// an address is no one's.
fn same_address(on_file: &str, from: &str, drafting: &Drafting<'_>) -> bool {
    let key =
        |address| crate::register::normalize::email_key(address, &drafting.settings.email_rules);
    matches!((key(on_file), key(from)), (Ok(a), Ok(b)) if a == b)
}

fn token_hash(token: &str) -> String {
    crate::case::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::judge_answer;

    #[test]
    fn only_a_plain_yes_confirms_and_any_no_denies() {
        for yes in ["YES", "Kyllä, se olin minä.", "ja\n\nHälsningar", "Confirm"] {
            assert_eq!(judge_answer(yes), Some(true), "{yes}");
        }
        for no in [
            "No, that was not me",
            "EI",
            "En ole tehnyt pyyntöä",
            "Nej",
            "yes? no!",
        ] {
            assert_eq!(judge_answer(no), Some(false), "{no}");
        }
        for unclear in ["", "What is this about", "Kuka olette"] {
            assert_eq!(judge_answer(unclear), None, "{unclear}");
        }
    }
}
