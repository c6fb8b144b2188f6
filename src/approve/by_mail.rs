//! Approval by mail, for staff who live in their mail client (`[approval_by_mail]`).
//!
//! Each new draft is mailed to the staff address with a one-time token in its subject. A
//! reply that carries the token, comes from a configured approver, starts its own text (not
//! the quoted review) with approve, hyväksy or godkänn and says nothing that negates, puts
//! off or conditions it, and passed our receiving server's authentication checks, approves
//! the draft, recorded like a CLI approval. A forged From: line, a used token, a "not
//! approved" or a reply from anyone else approves nothing, and each refusal is recorded
//! with its reason.

use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;

use super::{ApproveError, approve};
use crate::config::Config;
use crate::draft::message;
use crate::draft::outbox::{self, OutboxError};
use crate::ids::DraftId;
use crate::parse::Mail;
use crate::store::{ActorStanding, Batch, DraftRecord, MailKind, NewEvent, StoreError, TokenUse};
use crate::vocabulary::Role;
use crate::vocabulary::event::{self, Event};

#[derive(Debug, thiserror::Error)]
pub enum ByMailError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Message(#[from] message::MessageError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(transparent)]
    Approve(#[from] ApproveError),
}

// A constant pattern (compiled by the approval tests), so `expect` cannot fire on input.
static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"rightsbot-token:([0-9a-f]{32})").expect("a valid token pattern"));

/// The words that approve, in the approver's own new text, folded.
const APPROVE: &[&str] = &[
    "approve",
    "approved",
    "hyvaksy",
    "hyvaksyn",
    "hyvaksytty",
    "hyvaksytaan",
    "godkann",
    "godkand",
    "godkanner",
    "godkant",
];

/// Words that take an approval back or put it off, folded, in English, Finnish and Swedish:
/// a negation ("not", "en", "ei", "inte"), a wait ("yet", "odota", "vänta"), a condition
/// ("if", "jos", "om", "but", "mutta", "men") or a doubt ("maybe", "ehkä", "kanske",
/// "wrong", "väärä", "fel"). Any of them anywhere in the new text means no.
const HEDGE: &[&str] = &[
    // English
    "not",
    "no",
    "dont",
    "don",
    "never",
    "nope",
    "yet",
    "wait",
    "hold",
    "stop",
    "later",
    "if",
    "unless",
    "once",
    "when",
    "after",
    "until",
    "but",
    "maybe",
    "perhaps",
    "wrong",
    "cannot",
    "cant",
    "shouldn",
    "wouldn",
    "isn",
    "doesn",
    "won",
    "reject",
    "rejected",
    "check",
    "fix",
    "change",
    // Finnish
    "en",
    "ei",
    "ala",
    "alkaa",
    "alkakaa",
    "emme",
    "eika",
    "odota",
    "odottakaa",
    "viela",
    "jos",
    "mutta",
    "ehka",
    "vaara",
    "vaarin",
    "hylkaan",
    "hylatty",
    "korjaa",
    "muuta",
    "tarkista",
    "myohemmin",
    "ennen",
    "kunhan",
    "kun",
    "jalkeen",
    "sitten",
    // Swedish
    "inte",
    "ej",
    "nej",
    "aldrig",
    "vanta",
    "annu",
    "om",
    "men",
    "kanske",
    "fel",
    "avvisa",
    "avvisar",
    "andra",
    "ratta",
    "kolla",
    "senare",
    "forst",
    "an",
    "nar",
    "efter",
    "tills",
    "sedan",
];

/// Whether the approver's own new text approves: an approve word alone, or first on the
/// first line, and no negation, wait, condition, doubt or question anywhere in it. `Err`
/// says why not, for the case's trail and the approver.
pub fn judge_reply(new_text: &str) -> Result<(), &'static str> {
    // "don't", "isn't": the apostrophe would split the negation off.
    let text = new_text.replace(['\u{2019}', '\''], "");
    let folded = crate::register::normalize::name_key(&text);
    if folded.split(' ').any(|w| HEDGE.contains(&w)) {
        return Err("the reply says no, not yet, or on a condition");
    }
    if text.contains('?') {
        return Err("the reply asks a question");
    }
    let first_line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .map(crate::register::normalize::name_key)
        .unwrap_or_default();
    match first_line.split(' ').next() {
        Some(word) if APPROVE.contains(&word) => Ok(()),
        _ if folded.split(' ').any(|w| APPROVE.contains(&w)) => {
            Err("the approve word is not at the start of the reply's first line")
        }
        _ => Err("the reply does not say approve, hyväksy or godkänn"),
    }
}

/// Mails a new draft to the staff address for review, with its one-time token.
pub fn offer(
    batch: &Batch<'_>,
    draft: DraftId,
    config: &Config,
    now: Timestamp,
) -> Result<Option<std::path::PathBuf>, ByMailError> {
    let settings = &config.approval_by_mail;
    let (true, Some(staff)) = (settings.enabled, settings.staff_address.as_deref()) else {
        return Ok(None);
    };
    let Some(record) = batch.draft(draft)? else {
        return Ok(None);
    };
    let token = batch.new_approval_token(draft, now)?;
    let subject = format!(
        "[rightsbot {} {}] {} rightsbot-token:{token}",
        record.draft,
        record.case,
        record.purpose.as_str()
    );
    let mut body = review_text(&record);
    // Staff only, never in the reply: sentences no right was attributed to (issue 18).
    let unattributed = batch.case_unattributed(record.case_id)?;
    if !unattributed.is_empty() {
        let listed: Vec<String> = unattributed
            .iter()
            .map(|s| format!("  - \"{s}\""))
            .collect();
        body.insert_str(
            0,
            &format!(
                "A sentence may ask for more; read it before approving:\n{}\n\n",
                listed.join("\n")
            ),
        );
    }
    // Queued in this transaction; the sender delivers it after commit (without SMTP: the
    // outbox). A decision rolled back queues nothing.
    let file = outbox::queue(
        batch,
        config,
        &outbox::StaffMail {
            kind: MailKind::Review,
            case: Some(record.case_id),
            to: staff,
            subject: &subject,
            body: &body,
            attachments: &record.attachments,
            name: &format!("review-{}", record.draft),
        },
        now,
    )?;
    batch.append_event(
        record.case_id,
        &NewEvent {
            at: now,
            actor: crate::case::BOT_ACTOR,
            event: Event::ReviewMailed(event::ReviewMailed {
                draft: record.draft.to_string(),
                to: staff.to_string(),
                outbox_file: file.as_ref().map(|f| f.display().to_string()),
            }),
        },
    )?;
    Ok(file)
}

fn review_text(draft: &DraftRecord) -> String {
    format!(
        "To approve this reply, answer this mail with the word APPROVE (HYVÄKSY, GODKÄNN)\n\
         in your own text. Keep the subject as it is: it carries a one-time token.\n\
         Hyväksy vastaamalla sanalla HYVÄKSY. Godkänn genom att svara GODKÄNN.\n\
         \n\
         Draft {draft_id} for case {case} ({purpose}, {language})\n\
         To: {to}\n\
         Subject: {subject}\n\
         \n\
         {body}",
        draft_id = draft.draft,
        case = draft.case,
        purpose = draft.purpose.as_str(),
        language = draft.language.code(),
        to = draft.recipient.as_deref().unwrap_or("(none)"),
        subject = draft.subject,
        body = draft.body,
    )
}

/// What a staff reply did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Approved(DraftId),
    Refused { draft: Option<DraftId>, why: String },
}

/// Looks at an incoming mail: if it is an approver's reply with a token, approves the
/// draft or records why not. `None` when the mail is not an approval reply at all.
pub fn consider(
    batch: &Batch<'_>,
    mail: &Mail,
    config: &Config,
    now: Timestamp,
) -> Result<Option<Outcome>, ByMailError> {
    let settings = &config.approval_by_mail;
    if !settings.enabled {
        return Ok(None);
    }
    let Some(from) = mail.from.as_ref().map(|m| m.normalized()) else {
        return Ok(None);
    };
    if !settings
        .approvers
        .iter()
        .any(|a| a.trim().eq_ignore_ascii_case(&from))
    {
        return Ok(None);
    }
    let token = TOKEN
        .captures(&mail.subject)
        .or_else(|| TOKEN.captures(&mail.text))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string());
    let Some(token) = token else {
        return Ok(None);
    };
    let draft = match batch.approval_token(&token, false, now)? {
        TokenUse::Unknown => {
            return refuse(
                batch,
                None,
                &from,
                "its token is not one rightsbot gave",
                config,
                now,
            );
        }
        TokenUse::Used(draft) => {
            return refuse(
                batch,
                Some(draft),
                &from,
                "the token was used already",
                config,
                now,
            );
        }
        TokenUse::Fresh(draft) => draft,
    };
    // Only the approver's own words count: the quoted review says "approve" too. "NOT
    // APPROVED" and "don't approve yet" hold the approve word as well, so only a plain yes
    // approves.
    if let Err(why) = judge_reply(&mail.new_text) {
        return refuse(batch, Some(draft), &from, why, config, now);
    }
    let verdict = crate::matching::auth::judge(
        &mail.authentication_results,
        &config.identity.trusted_authserv_ids,
        &from,
    );
    if !verdict.passed {
        return refuse(
            batch,
            Some(draft),
            &from,
            &format!("the sender is not authenticated: {}", verdict.why),
            config,
            now,
        );
    }
    // Once staff accounts exist, the address must be an active approver's, as in the
    // console and the CLI: the `[approval_by_mail]` list alone is not enough.
    let standing = batch.actor_standing(&from)?;
    let refusal = match standing {
        ActorStanding::NoAccounts => None,
        ActorStanding::Unknown => Some("the sender is not a staff account".to_string()),
        ActorStanding::Disabled(name) => Some(format!("the staff account {name} is disabled")),
        ActorStanding::Active { name, role } if role < Role::Approver => Some(format!(
            "{name} is a {role}: approving needs the approver role"
        )),
        ActorStanding::Active { .. } => None,
    };
    if let Some(why) = refusal {
        return refuse(batch, Some(draft), &from, &why, config, now);
    }
    batch.approval_token(&token, true, now)?;
    // The review mail put the request's unexplained sentences at its top: an approval
    // by reply to it is the approver's word that they read them.
    if let Some(record) = batch.draft(draft)? {
        let flagged = batch.case_unattributed(record.case_id)?;
        if !flagged.is_empty() {
            batch.append_event(
                record.case_id,
                &NewEvent {
                    at: now,
                    actor: &from,
                    event: Event::FlaggedSentencesRead(event::FlaggedSentencesRead {
                        draft: draft.to_string(),
                        sentences: flagged,
                        by_mail: true,
                    }),
                },
            )?;
        }
    }
    // The approver is known by their address, checked above against `[approval_by_mail]`.
    let Ok(approver) = crate::vocabulary::Staff::new(&from) else {
        return refuse(
            batch,
            Some(draft),
            &from,
            "the sender has no address",
            config,
            now,
        );
    };
    if config.approval.four_eyes {
        let account = batch.staff_name_by_email(&from)?;
        let mut names = vec![from.as_str()];
        names.extend(account.as_deref());
        match super::four_eyes(batch, draft, &names) {
            Ok(()) => {}
            Err(ApproveError::Store(err)) => return Err(err.into()),
            Err(err) => return refuse(batch, Some(draft), &from, &err.to_string(), config, now),
        }
    }
    let approved = match approve(
        batch,
        draft,
        &approver,
        &config.controller.privacy_address,
        false,
        now,
    ) {
        Ok(approved) => approved,
        Err(ApproveError::Store(err)) => return Err(err.into()),
        Err(err) => return refuse(batch, Some(draft), &from, &err.to_string(), config, now),
    };
    // With SMTP, the sender takes it from here; without, the outbox.
    if config.smtp.is_none() {
        let file = outbox::write(&approved, config)?;
        batch.draft_sent(draft, now, Some(&file.display().to_string()))?;
        crate::case::clock::extension_sent(
            batch,
            approved.case_id,
            draft,
            approved.purpose,
            config,
            now,
        )?;
    }
    batch.append_event(
        approved.case_id,
        &NewEvent {
            at: now,
            actor: &from,
            event: Event::ApprovedByMail(event::ApprovedByMail {
                draft: draft.to_string(),
                message_id: mail.message_id.as_ref().map(|m| m.as_str().to_string()),
                authentication: verdict.why.clone(),
            }),
        },
    )?;
    Ok(Some(Outcome::Approved(draft)))
}

fn refuse(
    batch: &Batch<'_>,
    draft: Option<DraftId>,
    from: &str,
    why: &str,
    config: &Config,
    now: Timestamp,
) -> Result<Option<Outcome>, ByMailError> {
    let record = match draft {
        Some(draft) => batch.draft(draft)?,
        None => None,
    };
    if let Some(record) = &record {
        batch.append_event(
            record.case_id,
            &NewEvent {
                at: now,
                actor: crate::case::BOT_ACTOR,
                event: Event::MailApprovalRefused(event::MailApprovalRefused {
                    draft: record.draft.to_string(),
                    from: from.to_string(),
                    why: why.to_string(),
                }),
            },
        )?;
    }
    // A refusal never fails silently: the approver hears why, in a note that carries no
    // token (so answering it approves nothing and starts no loop).
    let what = record.as_ref().map_or_else(
        || "your reply".to_string(),
        |r| format!("draft {} ({})", r.draft, r.case),
    );
    let body = format!(
        "rightsbot did not approve {what}: {why}.\n\n\
         Nothing was sent. To approve, reply to the review mail itself with the word APPROVE\n\
         (HYVÄKSY, GODKÄNN) alone on the first line, or use `rightsbot approve`.\n\n\
         rightsbot ei hyväksynyt: {why}. Mitään ei lähetetty.\n\
         rightsbot godkände inte: {why}. Inget skickades.\n"
    );
    outbox::queue(
        batch,
        config,
        &outbox::StaffMail {
            kind: MailKind::Note,
            case: record.as_ref().map(|r| r.case_id),
            to: from,
            subject: &format!("rightsbot: not approved ({what})"),
            body: &body,
            attachments: &[],
            name: &format!(
                "note-{}",
                record
                    .as_ref()
                    .map_or_else(|| "approval".to_string(), |r| r.draft.to_string())
            ),
        },
        now,
    )?;
    Ok(Some(Outcome::Refused {
        draft,
        why: why.to_string(),
    }))
}

/// As intake does it: a failure other than the store's is logged, and intake goes on.
pub fn consider_or_record(
    batch: &Batch<'_>,
    mail: &Mail,
    config: &Config,
    now: Timestamp,
) -> Result<(), StoreError> {
    match consider(batch, mail, config, now) {
        Ok(_) => Ok(()),
        Err(ByMailError::Store(err)) => Err(err),
        Err(err) => {
            tracing::warn!(error = %err, "approval by mail failed");
            Ok(())
        }
    }
}

/// Offers a new draft for review, as intake does it.
pub fn offer_or_record(
    batch: &Batch<'_>,
    draft: DraftId,
    config: &Config,
    now: Timestamp,
) -> Result<(), StoreError> {
    match offer(batch, draft, config, now) {
        Ok(_) => Ok(()),
        Err(ByMailError::Store(err)) => Err(err),
        Err(err) => {
            tracing::warn!(draft = %draft, error = %err, "review mail failed");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::judge_reply;

    #[test]
    fn only_a_plain_yes_approves() {
        for yes in [
            "APPROVE",
            "Approved.",
            "approve\n\nSanna\nKestokauppa",
            "Hyväksyn.",
            "HYVÄKSY",
            "Hyväksytty, kiitos!",
            "Godkänner.",
            "GODKÄNN",
            "Approve - thanks",
        ] {
            assert_eq!(judge_reply(yes), Ok(()), "{yes:?}");
        }
        for no in [
            "NOT APPROVED – wrong recipient, do not send!",
            "En hyväksy tätä",
            "Don't approve yet",
            "Don’t approve",
            "Jag godkänner inte",
            "Approve? The address looks odd",
            "Approve once the address is fixed",
            "Approve if the address is right",
            "Hyväksyn, mutta korjaa osoite ensin",
            "Ei hyväksytä.",
            "Älä hyväksy",
            "Godkänn inte än",
            "Godkänn men ändra datumet",
            "I would approve this later",
            "Looks fine, approve",
            "",
            "Katson huomenna.",
        ] {
            assert!(judge_reply(no).is_err(), "{no:?} approved");
        }
    }
}
