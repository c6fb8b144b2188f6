//! An approved draft as an RFC 5322 message: what the outbox holds and SMTP sends.
//!
//! Built with lettre, which encodes non-ASCII names and subjects (RFC 2047) and refuses an
//! address that is not one mailbox. Every value that goes into a header is one line before
//! it gets here; the recipient is parsed as a single address, so a name or subject can
//! never add a header or a recipient.

use std::time::{Duration, UNIX_EPOCH};

use jiff::Timestamp;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as MailAttachment, Mailbox, MultiPart, SinglePart};

use super::Attachment;

/// What a message is made of.
pub struct Outgoing<'a> {
    pub from_name: &'a str,
    pub from_address: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub attachments: &'a [Attachment],
    /// Without angle brackets.
    pub message_id: &'a str,
    /// The request's Message-ID, without angle brackets, for threading.
    pub in_reply_to: Option<&'a str>,
    pub references: &'a [String],
    pub date: Timestamp,
    /// Sent by the bot on its own (an acknowledgement): marked `Auto-Submitted:
    /// auto-replied` so the other side's robots never answer it (RFC 3834 § 5).
    pub automatic: bool,
}

/// `Auto-Submitted: auto-replied` (RFC 3834).
#[derive(Clone)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-replied".to_string())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("{what} {value:?} is not one e-mail address")]
    Address { what: &'static str, value: String },
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// The message of an approved draft, as it goes out: the same bytes on every attempt (the
/// Message-ID is the approval's, and so is the Date).
pub fn for_draft(
    draft: &crate::store::DraftRecord,
    config: &crate::config::Config,
) -> Result<Vec<u8>, MessageError> {
    let (Some(message_id), Some(to)) = (&draft.message_id, &draft.recipient) else {
        return Err(MessageError::Build(format!(
            "{} is not approved",
            draft.draft
        )));
    };
    build(&Outgoing {
        from_name: &config.controller.name,
        from_address: config.sender_address(),
        to,
        subject: &draft.subject,
        body: &draft.body,
        attachments: &draft.attachments,
        message_id,
        in_reply_to: draft.in_reply_to.as_deref(),
        references: &draft.references,
        date: draft.decided_at.unwrap_or(draft.created_at),
        automatic: draft.purpose == super::Purpose::Acknowledgement,
    })
}

/// The message's bytes.
pub fn build(outgoing: &Outgoing<'_>) -> Result<Vec<u8>, MessageError> {
    let one_line = |text: &str| -> String {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let from: Mailbox = outgoing
        .from_address
        .parse::<lettre::Address>()
        .map(|address| Mailbox::new(Some(one_line(outgoing.from_name)), address))
        .map_err(|_| MessageError::Address {
            what: "sender",
            value: outgoing.from_address.to_string(),
        })?;
    // An address, not a mailbox list: "a@b, c@d" or a display name with a second
    // address in it is refused.
    let to: lettre::Address = outgoing
        .to
        .trim()
        .parse()
        .map_err(|_| MessageError::Address {
            what: "recipient",
            value: outgoing.to.to_string(),
        })?;
    let seconds = u64::try_from(outgoing.date.as_second()).unwrap_or(0);
    let mut builder = Message::builder()
        .from(from)
        .to(Mailbox::new(None, to))
        .subject(one_line(outgoing.subject))
        .date(UNIX_EPOCH + Duration::from_secs(seconds))
        .message_id(Some(format!("<{}>", one_line(outgoing.message_id))));
    if let Some(parent) = outgoing.in_reply_to {
        builder = builder.in_reply_to(format!("<{}>", one_line(parent)));
    }
    if outgoing.automatic {
        builder = builder.header(AutoSubmitted);
    }
    let mut references: Vec<String> = outgoing
        .references
        .iter()
        .map(|r| format!("<{}>", one_line(r)))
        .collect();
    if let Some(parent) = outgoing.in_reply_to {
        let parent = format!("<{}>", one_line(parent));
        if !references.contains(&parent) {
            references.push(parent);
        }
    }
    if !references.is_empty() {
        builder = builder.references(fit_references(&references));
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(outgoing.body.to_string());
    let message = if outgoing.attachments.is_empty() {
        builder.singlepart(text)
    } else {
        let mut parts = MultiPart::mixed().singlepart(text);
        for attachment in outgoing.attachments {
            let content_type =
                ContentType::parse(&attachment.content_type).unwrap_or(ContentType::TEXT_PLAIN);
            parts = parts.singlepart(
                MailAttachment::new(one_line(&attachment.name))
                    .body(attachment.content.clone(), content_type),
            );
        }
        builder.multipart(parts)
    }
    .map_err(|err| MessageError::Build(err.to_string()))?;
    Ok(message.formatted())
}

/// A References value whose unfolded line stays within RFC 5322's 998 characters
/// (§ 2.1.1): in a long thread, the first reference and as many of the most recent ones as
/// fit, as § 3.6.4 suggests; a reference too long to fit at all is left out.
fn fit_references(references: &[String]) -> String {
    const LIMIT: usize = 998 - "References: ".len();
    let all = references.join(" ");
    let Some((first, rest)) = references.split_first() else {
        return all;
    };
    if all.len() <= LIMIT {
        return all;
    }
    let keep_first = first.len() + rest.last().map_or(0, |last| last.len() + 1) <= LIMIT;
    let mut length = if keep_first { first.len() } else { 0 };
    let mut recent: Vec<&str> = Vec::new();
    for reference in rest.iter().rev() {
        let cost = reference.len() + usize::from(length > 0);
        if length + cost > LIMIT {
            break;
        }
        length += cost;
        recent.push(reference);
    }
    let mut kept: Vec<&str> = Vec::with_capacity(recent.len() + 1);
    if keep_first {
        kept.push(first);
    }
    kept.extend(recent.into_iter().rev());
    kept.join(" ")
}
