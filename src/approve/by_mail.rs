//! Approval by mail, for staff who live in their mail client (`[approval_by_mail]`).
//!
//! Each new draft is mailed to the staff address with a one-time token in its subject. A
//! reply that carries the token, comes from a configured approver, says approve, hyväksy
//! or godkänn in its own text (not in the quoted review), and passed our receiving
//! server's authentication checks, approves the draft, recorded like a CLI approval. A
//! forged From: line, a used token or a reply from anyone else approves nothing.

use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;
use serde_json::json;

use super::{ApproveError, approve};
use crate::config::Config;
use crate::draft::message::{self, Outgoing};
use crate::draft::outbox::{self, OutboxError};
use crate::ids::DraftId;
use crate::parse::Mail;
use crate::store::{Batch, DraftRecord, NewEvent, StoreError, TokenUse};

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

/// The words that approve, in the approver's own new text.
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
        body.insert_str(
            0,
            &format!("A sentence may ask for more: {unattributed:?}\n\n"),
        );
    }
    let domain = config
        .controller
        .privacy_address
        .rsplit_once('@')
        .map_or("rightsbot.invalid", |(_, d)| d);
    let bytes = message::build(&Outgoing {
        from_name: "rightsbot",
        from_address: &config.controller.privacy_address,
        to: staff,
        subject: &subject,
        body: &body,
        attachments: &record.attachments,
        message_id: &format!("review.{}.{}@{domain}", record.case, record.draft),
        in_reply_to: None,
        references: &[],
        date: now,
        automatic: true,
    })?;
    // Over SMTP when there is a server; else, or when it refuses, to the outbox, and the
    // case's trail says which.
    let sent = match &config.smtp {
        Some(smtp) => crate::smtp::deliver_now(smtp, config.sender_address(), staff, &bytes),
        None => Err("no [smtp] server".to_string()),
    };
    let file = match &sent {
        Ok(()) => None,
        Err(_) => Some(outbox::write_bytes(
            config,
            &format!("review-{}.eml", record.draft),
            &bytes,
        )?),
    };
    batch.append_event(
        record.case_id,
        &NewEvent {
            at: now,
            actor: crate::case::BOT_ACTOR,
            kind: "review_mailed",
            details: json!({
                "draft": record.draft.to_string(),
                "to": staff,
                "outbox_file": file,
                "smtp": sent.err(),
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
            return Ok(Some(Outcome::Refused {
                draft: None,
                why: "unknown token".to_string(),
            }));
        }
        TokenUse::Used(draft) => {
            return refuse(batch, draft, &from, "the token was used already", now);
        }
        TokenUse::Fresh(draft) => draft,
    };
    // Only the approver's own words count: the quoted review says "approve" too.
    let folded = crate::register::normalize::name_key(&mail.new_text);
    if !folded.split(' ').any(|w| APPROVE.contains(&w)) {
        return refuse(
            batch,
            draft,
            &from,
            "the reply does not say approve, hyväksy or godkänn",
            now,
        );
    }
    let verdict = crate::matching::auth::judge(
        &mail.authentication_results,
        &config.identity.trusted_authserv_ids,
        &from,
    );
    if !verdict.passed {
        return refuse(
            batch,
            draft,
            &from,
            &format!("the sender is not authenticated: {}", verdict.why),
            now,
        );
    }
    batch.approval_token(&token, true, now)?;
    let approved = match approve(batch, draft, &from, &config.controller.privacy_address, now) {
        Ok(approved) => approved,
        Err(ApproveError::Store(err)) => return Err(err.into()),
        Err(err) => return refuse(batch, draft, &from, &err.to_string(), now),
    };
    // With SMTP, the sender takes it from here; without, the outbox.
    if config.smtp.is_none() {
        let file = outbox::write(&approved, config)?;
        batch.draft_sent(draft, now, Some(&file.display().to_string()))?;
    }
    batch.append_event(
        approved.case_id,
        &NewEvent {
            at: now,
            actor: &from,
            kind: "approved_by_mail",
            details: json!({
                "draft": draft.to_string(),
                "message_id": mail.message_id.as_ref().map(|m| m.as_str()),
                "authentication": verdict.why,
            }),
        },
    )?;
    Ok(Some(Outcome::Approved(draft)))
}

fn refuse(
    batch: &Batch<'_>,
    draft: DraftId,
    from: &str,
    why: &str,
    now: Timestamp,
) -> Result<Option<Outcome>, ByMailError> {
    if let Some(record) = batch.draft(draft)? {
        batch.append_event(
            record.case_id,
            &NewEvent {
                at: now,
                actor: crate::case::BOT_ACTOR,
                kind: "mail_approval_refused",
                details: json!({ "draft": draft.to_string(), "from": from, "why": why }),
            },
        )?;
    }
    Ok(Some(Outcome::Refused {
        draft: Some(draft),
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
