//! Parse: the raw bytes of one message into a [`Mail`] value.
//!
//! Takes bytes exactly as the server or the file held them and hands on what later stages
//! need: addresses, subject, threading headers, the text (HTML converted when there is no
//! plain part), the *new* text with quoted history and signatures removed (and the quoted
//! part apart, for people to read), attachments,
//! Authentication-Results, and whether the mail was sent by a machine (RFC 3834). It never
//! panics and never reads a clock or a file; bytes that are not a mail give a
//! [`ParseError`] so the caller can quarantine them.

mod quote;
pub mod redact;

use jiff::Timestamp;
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};
use serde::Serialize;

use crate::ids::MessageId;

pub use quote::{answered_questions, new_text, own_text, own_text_with_questions, quoted_text};

/// A mailbox as written in From, Reply-To or To.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mailbox {
    pub name: Option<String>,
    /// As written; compare with [`Mailbox::normalized`].
    pub address: String,
}

impl Mailbox {
    /// The address lowercased and trimmed, the form the store and the register compare.
    pub fn normalized(&self) -> String {
        self.address.trim().to_lowercase()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attachment {
    pub name: Option<String>,
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: usize,
}

/// Why a message was judged to be sent by a machine. Such mail is stored but never
/// answered (RFC 3834 § 2), so no auto-reply loop can start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "marker", content = "value", rename_all = "snake_case")]
pub enum Automated {
    /// `Auto-Submitted` with any value but `no` (RFC 3834 § 5).
    AutoSubmitted(String),
    /// `Precedence: bulk`, `list` or `junk`.
    Precedence(String),
    /// A mailing list message (`List-Id`, RFC 2919).
    ListId(String),
    /// `X-Autoreply`, `X-Autorespond` and similar vendor headers.
    AutoReplyHeader(String),
    /// A delivery status notification (`multipart/report; report-type=delivery-status`).
    DeliveryReport,
    /// Sent from MAILER-DAEMON, postmaster or a similar system sender.
    SystemSender(String),
    /// An empty `Return-Path: <>`, used only by bounces and auto-replies.
    NullReturnPath,
}

impl Automated {
    pub fn describe(&self) -> String {
        match self {
            Automated::AutoSubmitted(value) => format!("Auto-Submitted: {value}"),
            Automated::Precedence(value) => format!("Precedence: {value}"),
            Automated::ListId(value) => format!("List-Id: {value}"),
            Automated::AutoReplyHeader(name) => format!("{name} header"),
            Automated::DeliveryReport => "delivery status report".to_string(),
            Automated::SystemSender(address) => format!("system sender {address}"),
            Automated::NullReturnPath => "empty Return-Path".to_string(),
        }
    }
}

/// One parsed message.
#[derive(Clone, Debug, Serialize)]
pub struct Mail {
    pub from: Option<Mailbox>,
    pub reply_to: Option<Mailbox>,
    pub to: Vec<Mailbox>,
    pub subject: String,
    /// The `Date:` header: what the sender's clock said, never the receipt time.
    pub date: Option<Timestamp>,
    /// The date of the topmost `Received:` header: when our side of the chain took it.
    pub received_header_date: Option<Timestamp>,
    pub message_id: Option<MessageId>,
    pub in_reply_to: Vec<MessageId>,
    pub references: Vec<MessageId>,
    /// All the text of the message, HTML converted when there is no plain part; at most
    /// [`MAX_TEXT_BYTES`] of it.
    pub text: String,
    /// The text went on past [`MAX_TEXT_BYTES`] and was cut there: the classifier saw only
    /// the beginning, so a person should look.
    pub text_cut: bool,
    /// The text the sender wrote this time: quoted history and signature removed.
    pub new_text: String,
    /// The new text with the signature kept (quoted history still removed): where people
    /// write their phone number and address.
    pub own_text: String,
    /// What the own text leaves out: the quoted history, for a person to read apart.
    pub quoted_text: String,
    pub attachments: Vec<Attachment>,
    /// The raw values of every `Authentication-Results` header, topmost first.
    pub authentication_results: Vec<String>,
    pub automated: Option<Automated>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("empty message")]
    Empty,
    #[error("not a mail message: no header fields found")]
    NoHeaders,
}

/// System senders that never read replies (RFC 3834 § 3.1.1 names these local parts).
const SYSTEM_SENDERS: &[&str] = &[
    "mailer-daemon",
    "postmaster",
    "noreply",
    "no-reply",
    "do-not-reply",
    "donotreply",
];

/// Headers that vendors use to mark auto-replies instead of `Auto-Submitted`.
const AUTO_REPLY_HEADERS: &[&str] = &[
    "X-Autoreply",
    "X-Autorespond",
    "X-Auto-Reply",
    "X-Autogenerated",
];

/// How much of a message's text is read for the stages after parse. A request is a few
/// lines; a mail with megabytes of text (a pasted log, a huge quoted thread) would only
/// multiply memory in every copy later stages make (new text, folding, matching). The
/// stored message always keeps every byte.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// Appends `part` to `text` up to `limit` bytes in all (cut at a character boundary);
/// `true` when something was left out.
fn push_bounded(text: &mut String, part: &str, limit: usize) -> bool {
    let room = limit.saturating_sub(text.len());
    if part.len() <= room {
        text.push_str(part);
        return false;
    }
    let mut end = room;
    while !part.is_char_boundary(end) {
        end -= 1;
    }
    text.push_str(&part[..end]);
    true
}

/// One attachment of a mail with its decoded bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentFile {
    pub name: Option<String>,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// The `index`th attachment of a mail, in the order [`parse`] lists them; `None` when the
/// bytes are not a mail or it has fewer.
pub fn attachment_file(raw: &[u8], index: usize) -> Option<AttachmentFile> {
    let message = MessageParser::default().parse(raw)?;
    let part = message.attachments().nth(index)?;
    Some(AttachmentFile {
        name: part.attachment_name().map(str::to_string),
        content_type: part_type(part),
        content: part.contents().to_vec(),
    })
}

/// A part's `type/subtype` in lowercase; `application/octet-stream` when it names none.
pub(crate) fn part_type(part: &mail_parser::MessagePart<'_>) -> String {
    part.content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_lowercase(),
            None => ct.ctype().to_lowercase(),
        })
        .unwrap_or_else(|| "application/octet-stream".to_string())
}

/// Parses one message. Any bytes are accepted; only input with no header at all is refused.
pub fn parse(raw: &[u8]) -> Result<Mail, ParseError> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::NoHeaders)?;
    if !looks_like_a_header_block(raw) || message.root_part().headers.is_empty() {
        return Err(ParseError::NoHeaders);
    }

    let from = message.from().and_then(first_mailbox);
    let reply_to = message.reply_to().and_then(first_mailbox);
    let to = message
        .to()
        .map(|list| list.iter().filter_map(to_mailbox).collect())
        .unwrap_or_default();
    let subject = message.subject().map(clean_line).unwrap_or_default();
    let date = message.date().and_then(to_timestamp);
    let received_header_date = message
        .received_all()
        .next()
        .and_then(|r| r.date.as_ref())
        .and_then(to_timestamp);
    let message_id = message.message_id().and_then(MessageId::new);
    let in_reply_to = message_ids(message.in_reply_to());
    let references = message_ids(message.references());

    let mut text = String::new();
    let mut text_cut = false;
    for index in 0..message.text_body_count() {
        if let Some(part) = message.body_text(index) {
            if !text.is_empty() {
                text.push('\n');
            }
            text_cut |= push_bounded(&mut text, &part, MAX_TEXT_BYTES);
        }
        if text_cut {
            break;
        }
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n");
    }
    let new_text = new_text(&text);
    let own_text = own_text(&text);
    let quoted_text = quoted_text(&text);

    let attachments = message
        .attachments()
        .map(|part| Attachment {
            name: part.attachment_name().map(clean_line),
            content_type: part_type(part),
            size: part.len(),
        })
        .collect();

    let mut authentication_results = Vec::new();
    let mut auto_reply_header = None;
    let mut auto_submitted = None;
    let mut precedence = None;
    let mut null_return_path = false;
    for (name, value) in message.headers_raw() {
        let value = unfold(value);
        if name.eq_ignore_ascii_case("Authentication-Results") {
            authentication_results.push(value);
        } else if name.eq_ignore_ascii_case("Auto-Submitted") {
            let kind = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if kind != "no" && !kind.is_empty() && auto_submitted.is_none() {
                auto_submitted = Some(kind);
            }
        } else if name.eq_ignore_ascii_case("Precedence") {
            let kind = value.trim().to_ascii_lowercase();
            if matches!(kind.as_str(), "bulk" | "list" | "junk") {
                precedence = Some(kind);
            }
        } else if name.eq_ignore_ascii_case("Return-Path") {
            null_return_path |= value.trim() == "<>";
        } else if let Some(header) = AUTO_REPLY_HEADERS
            .iter()
            .find(|h| name.eq_ignore_ascii_case(h))
        {
            let v = value.trim().to_ascii_lowercase();
            if v != "no" && v != "false" && auto_reply_header.is_none() {
                auto_reply_header = Some((*header).to_string());
            }
        }
    }
    let list_id = message
        .header_raw("List-Id")
        .map(|v| unfold(v).trim().to_string());
    let is_report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|t| t.eq_ignore_ascii_case("delivery-status"))
    });
    let system_sender = from.as_ref().and_then(|mailbox| {
        let local = mailbox.normalized();
        let local = local.split('@').next().unwrap_or("").to_string();
        SYSTEM_SENDERS
            .contains(&local.as_str())
            .then(|| mailbox.normalized())
    });
    let automated = auto_submitted
        .map(Automated::AutoSubmitted)
        .or(is_report.then_some(Automated::DeliveryReport))
        .or(system_sender.map(Automated::SystemSender))
        .or(auto_reply_header.map(Automated::AutoReplyHeader))
        .or(precedence.map(Automated::Precedence))
        .or(list_id.map(Automated::ListId))
        .or(null_return_path.then_some(Automated::NullReturnPath));

    Ok(Mail {
        from,
        reply_to,
        to,
        subject,
        date,
        received_header_date,
        message_id,
        in_reply_to,
        references,
        text,
        text_cut,
        new_text,
        own_text,
        quoted_text,
        attachments,
        authentication_results,
        automated,
    })
}

/// mail-parser accepts anything as a body; a mail must start with at least one
/// `Name: value` header line.
fn looks_like_a_header_block(raw: &[u8]) -> bool {
    let first_line = raw.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let Some(colon) = first_line.iter().position(|&b| b == b':') else {
        return false;
    };
    colon > 0
        && first_line[..colon]
            .iter()
            .all(|&b| b.is_ascii_graphic() && b != b':')
}

fn first_mailbox(address: &Address<'_>) -> Option<Mailbox> {
    address.iter().find_map(to_mailbox)
}

fn to_mailbox(addr: &mail_parser::Addr<'_>) -> Option<Mailbox> {
    let address = addr.address()?.trim();
    if address.is_empty() {
        return None;
    }
    Some(Mailbox {
        name: addr.name().map(clean_line).filter(|n| !n.is_empty()),
        address: clean_line(address),
    })
}

fn to_timestamp(date: &mail_parser::DateTime) -> Option<Timestamp> {
    if !date.is_valid() {
        return None;
    }
    Timestamp::from_second(date.to_timestamp()).ok()
}

fn message_ids(value: &HeaderValue<'_>) -> Vec<MessageId> {
    match value {
        HeaderValue::Text(id) => MessageId::new(id).into_iter().collect(),
        HeaderValue::TextList(ids) => ids.iter().filter_map(|id| MessageId::new(id)).collect(),
        _ => Vec::new(),
    }
}

/// A header value as one line: control characters (CR, LF, NUL, …) become spaces, so a
/// decoded subject or name can never smuggle a header break into anything built from it.
fn clean_line(value: &str) -> String {
    let spaced: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn unfold(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
