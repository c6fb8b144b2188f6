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
    /// Sent by the bot on its own: an acknowledgement is `Auto-Submitted: auto-replied`, a
    /// mail to staff `auto-generated`, so robots never answer either (RFC 3834 § 5).
    pub automatic: Automatic,
    /// An approved reply's seal (`X-Rightsbot-Seal`): how its copy in the Sent folder is
    /// told from a planted one after a crash.
    pub seal: Option<&'a str>,
}

/// The header that carries an approved reply's seal.
pub const SEAL_HEADER: &str = "X-Rightsbot-Seal";

#[derive(Clone)]
struct Seal(String);

impl lettre::message::header::Header for Seal {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str(SEAL_HEADER)
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Seal(value.to_string()))
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The seal a message carries, if any: the value of its first `X-Rightsbot-Seal` header.
pub fn seal_of(raw: &[u8]) -> Option<String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len());
    String::from_utf8_lossy(&raw[..end])
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case(SEAL_HEADER)
                .then(|| value.trim().to_string())
        })
}

/// Whether, and how, a message is the bot's own doing (RFC 3834 § 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Automatic {
    /// Written or approved by a person: no marker.
    No,
    /// An automatic answer to a mail (the acknowledgement): `auto-replied`.
    Replied,
    /// Made by the bot on its own (review mails, digests, notes): `auto-generated`.
    Generated,
}

/// The `Auto-Submitted` header (RFC 3834).
#[derive(Clone)]
struct AutoSubmitted(&'static str);

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted(if value.trim() == "auto-replied" {
            "auto-replied"
        } else {
            "auto-generated"
        }))
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.to_string())
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
    draft: &super::ApprovedDraft,
    config: &crate::config::Config,
) -> Result<Vec<u8>, MessageError> {
    let (message_id, to) = (draft.message_id(), draft.recipient());
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
        automatic: if draft.purpose == super::Purpose::Acknowledgement {
            Automatic::Replied
        } else {
            Automatic::No
        },
        seal: draft.seal.as_deref(),
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
    match outgoing.automatic {
        Automatic::No => {}
        Automatic::Replied => builder = builder.header(AutoSubmitted("auto-replied")),
        Automatic::Generated => builder = builder.header(AutoSubmitted("auto-generated")),
    }
    if let Some(seal) = outgoing.seal {
        builder = builder.header(Seal(one_line(seal)));
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
            let name = one_line(&attachment.name);
            let part = match PlainFilename::new(&name) {
                Some(disposition) => SinglePart::builder()
                    .header(disposition)
                    .header(content_type)
                    .body(attachment.content.clone()),
                None => MailAttachment::new(name).body(attachment.content.clone(), content_type),
            };
            parts = parts.singlepart(part);
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

/// `Content-Disposition: attachment; filename="…"` for a name in plain ASCII. lettre writes
/// a long name only as RFC 2231 continuations (`filename*0=`), which some mail clients do
/// not read; a plain `filename=` (RFC 2183) is read by all, so it comes first, followed by
/// the continuations for the clients that prefer them. Names with other characters keep
/// lettre's RFC 2231 encoding alone.
#[derive(Clone, Debug)]
struct PlainFilename {
    raw: String,
    encoded: String,
}

impl PlainFilename {
    fn new(name: &str) -> Option<PlainFilename> {
        let plain = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ');
        if !plain {
            return None;
        }
        let raw = format!("attachment; filename=\"{name}\"");
        // A short name fits one line; a long one also gets RFC 2231 continuations, each on
        // a folded line of its own, as lettre would write them.
        const CHUNK: usize = 60;
        let encoded = if name.len() <= CHUNK {
            raw.clone()
        } else {
            let mut text = format!("attachment;\r\n filename=\"{name}\"");
            let bytes = name.as_bytes();
            for (index, chunk) in bytes.chunks(CHUNK).enumerate() {
                // ASCII only, so any byte boundary is a character boundary.
                let part = String::from_utf8_lossy(chunk);
                text.push_str(&format!(";\r\n filename*{index}=\"{part}\""));
            }
            text
        };
        Some(PlainFilename { raw, encoded })
    }
}

impl lettre::message::header::Header for PlainFilename {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Content-Disposition")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        PlainFilename::new(
            s.split_once("filename=\"")
                .and_then(|(_, rest)| rest.split('"').next())
                .unwrap_or(""),
        )
        .ok_or_else(|| "not a plain ASCII attachment name".into())
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::dangerous_new_pre_encoded(
            Self::name(),
            self.raw.clone(),
            self.encoded.clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_attachment(name: &str) -> String {
        let attachments = [Attachment {
            name: name.to_string(),
            content_type: "text/csv".to_string(),
            content: "a,b\n".to_string(),
        }];
        let bytes = build(&Outgoing {
            from_name: "Kestokauppa Oy",
            from_address: "tietosuoja@kestokauppa.example.test",
            to: "maija@example.test",
            subject: "Tiedot",
            body: "Hei\n",
            attachments: &attachments,
            message_id: "x.1@kestokauppa.example.test",
            in_reply_to: None,
            references: &[],
            date: "2026-11-02T08:00:00Z".parse().expect("a timestamp"),
            automatic: Automatic::No,
            seal: None,
        })
        .expect("a message");
        String::from_utf8(bytes).expect("ASCII headers")
    }

    #[test]
    fn an_ascii_attachment_name_is_also_sent_plain() {
        let long = "rekisteriote-DSR-2026-0001-maija.virtanen-at-example.test-2026-11-02.csv";
        let text = with_attachment(long);
        assert!(
            text.contains(&format!(
                "Content-Disposition: attachment;\r\n filename=\"{long}\";\r\n filename*0=\""
            )),
            "{text}"
        );
        let text = with_attachment("tiedot.csv");
        assert!(
            text.contains("Content-Disposition: attachment; filename=\"tiedot.csv\"\r\n"),
            "{text}"
        );
        // A name with other characters keeps lettre's RFC 2231 encoding alone.
        let text = with_attachment("tiedot-järjestelmästä.csv");
        assert!(text.contains("filename*0*=utf-8''"), "{text}");
    }
}
