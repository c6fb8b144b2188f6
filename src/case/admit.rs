//! Admitting one incoming message: dedupe, parse, then join, open or set aside.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::deadline::{self, HolidayCalendar};
use crate::ids::CaseId;
use crate::parse::{self, Mail};
use crate::store::{Batch, NewCase, NewEvent, NewMessage, ReceiptSource, StoreError};

use super::{BOT_ACTOR, CaseState};

/// What the case stage needs to know of the controller.
pub struct Settings<'a> {
    pub timezone: &'a TimeZone,
    pub calendar: HolidayCalendar,
    /// Larger messages are quarantined unread: the file or IMAP message stays where it is.
    pub max_message_bytes: u64,
}

/// One message as intake found it.
pub struct Incoming<'a> {
    /// The bytes, or why they could not be read (an unreadable file).
    pub raw: Result<&'a [u8], String>,
    /// Where it came from, for people: a file path, or mailbox/UIDVALIDITY/UID.
    pub origin: &'a str,
    /// A receipt time the intake knows for certain (IMAP INTERNALDATE); it wins over headers.
    pub server_receipt: Option<Timestamp>,
    /// A delivery time the intake found (a Maildir file name); weaker than `Received:`.
    pub delivered_at: Option<Timestamp>,
    /// The size, when known before reading (so an oversize message is never read).
    pub size: Option<u64>,
}

/// What happened to one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Already stored (same bytes, or same Message-ID): nothing written.
    Duplicate,
    /// Kept for a person, not turned into a case.
    Quarantined {
        reason: String,
    },
    /// Machine-sent: stored, never answered.
    Automated {
        marker: String,
    },
    Opened(CaseId),
    Joined(CaseId),
}

/// Decides what one message is and records it in `batch`.
pub fn admit(
    batch: &Batch<'_>,
    incoming: &Incoming<'_>,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<Admission, StoreError> {
    if let Some(size) = incoming.size
        && size > settings.max_message_bytes
    {
        let reason = format!(
            "message too large: {size} bytes (limit {})",
            settings.max_message_bytes
        );
        batch.quarantine(incoming.origin, &reason, None, now)?;
        return Ok(Admission::Quarantined { reason });
    }
    let raw = match incoming.raw {
        Ok(raw) => raw,
        Err(ref why) => {
            let reason = format!("cannot read: {why}");
            batch.quarantine(incoming.origin, &reason, None, now)?;
            return Ok(Admission::Quarantined { reason });
        }
    };
    let sha: [u8; 32] = Sha256::digest(raw).into();
    if batch.knows_raw(&sha)? {
        return Ok(Admission::Duplicate);
    }

    let mail = match parse::parse(raw) {
        Ok(mail) => mail,
        Err(err) => {
            let reason = err.to_string();
            let (received_at, received_from) = receipt(incoming, None, now);
            let key = batch.insert_message(
                &NewMessage {
                    raw,
                    raw_sha256: &sha,
                    message_id: None,
                    origin: incoming.origin,
                    received_at,
                    received_from,
                    from_address: None,
                    from_name: None,
                    reply_to: None,
                    subject: "",
                    in_reply_to: &[],
                    references: &[],
                    automated: None,
                },
                now,
            )?;
            batch.quarantine(incoming.origin, &reason, Some(key), now)?;
            return Ok(Admission::Quarantined { reason });
        }
    };
    if let Some(id) = &mail.message_id
        && batch.knows_message_id(id)?
    {
        return Ok(Admission::Duplicate);
    }

    let (received_at, received_from) = receipt(incoming, Some(&mail), now);
    let from_address = mail.from.as_ref().map(|m| m.normalized());
    let reply_to = mail.reply_to.as_ref().map(|m| m.normalized());
    let automated = mail.automated.as_ref().map(|a| a.describe());
    let key = batch.insert_message(
        &NewMessage {
            raw,
            raw_sha256: &sha,
            message_id: mail.message_id.as_ref(),
            origin: incoming.origin,
            received_at,
            received_from,
            from_address: from_address.as_deref(),
            from_name: mail.from.as_ref().and_then(|m| m.name.as_deref()),
            reply_to: reply_to.as_deref(),
            subject: &mail.subject,
            in_reply_to: &mail.in_reply_to,
            references: &mail.references,
            automated: automated.as_deref(),
        },
        now,
    )?;
    if let Some(marker) = automated {
        // RFC 3834: machine-sent mail is kept for the record but never starts or joins a
        // conversation, so no reply loop can begin.
        return Ok(Admission::Automated { marker });
    }

    let message_event = json!({
        "message": key.0,
        "message_id": mail.message_id.as_ref().map(|id| id.as_str()),
        "from": from_address,
        "subject": mail.subject,
        "received_at": received_at.to_string(),
        "received_from": received_from.as_str(),
        "attachments": mail.attachments.len(),
    });

    if let Some(case) = thread_case(batch, &mail)? {
        batch.attach_message(key, case)?;
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor: BOT_ACTOR,
                kind: "joined",
                details: message_event,
            },
        )?;
        return Ok(Admission::Joined(case));
    }

    let received_local = received_at.to_zoned_datetime(settings.timezone.clone());
    let Some(due) = deadline::deadline(received_at, settings.timezone, 1, &settings.calendar)
    else {
        let reason = format!("receipt time {received_at} is out of the calendar's range");
        batch.quarantine(incoming.origin, &reason, Some(key), now)?;
        return Ok(Admission::Quarantined { reason });
    };
    let case = batch.open_case(
        &NewCase {
            year: received_local.year(),
            state: CaseState::Triage,
            received_at,
            requester: from_address.as_deref(),
            requester_name: mail.from.as_ref().and_then(|m| m.name.as_deref()),
            subject: &mail.subject,
            deadline: due,
        },
        now,
    )?;
    batch.attach_message(key, case)?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            kind: "received",
            details: message_event,
        },
    )?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            kind: "deadline_set",
            details: json!({
                "deadline": due.to_string(),
                "months": 1,
                "received_on": received_local.date().to_string(),
                "timezone": settings.timezone.iana_name(),
                "rule": "GDPR Art. 12(3); Regulation 1182/71 Art. 3",
            }),
        },
    )?;
    Ok(Admission::Opened(case))
}

/// The case a reply belongs to: by its threading headers first, then by the case token
/// in its subject.
fn thread_case(batch: &Batch<'_>, mail: &Mail) -> Result<Option<CaseId>, StoreError> {
    let mut thread = mail.references.clone();
    thread.extend(mail.in_reply_to.iter().cloned());
    if let Some(case) = batch.case_of_thread(&thread)? {
        return Ok(Some(case));
    }
    if let Some(case) = CaseId::find_in_subject(&mail.subject)
        && batch.case_exists(case)?
    {
        return Ok(Some(case));
    }
    Ok(None)
}

/// When the message was received, and which clue says so. The legal clock starts at
/// receipt by the controller, so the server's own record wins over anything the sender wrote.
fn receipt(
    incoming: &Incoming<'_>,
    mail: Option<&Mail>,
    now: Timestamp,
) -> (Timestamp, ReceiptSource) {
    if let Some(at) = incoming.server_receipt {
        return (at, ReceiptSource::ImapInternalDate);
    }
    if let Some(at) = mail.and_then(|m| m.received_header_date) {
        return (at, ReceiptSource::ReceivedHeader);
    }
    if let Some(at) = incoming.delivered_at {
        return (at, ReceiptSource::MaildirDelivery);
    }
    if let Some(at) = mail.and_then(|m| m.date) {
        return (at, ReceiptSource::DateHeader);
    }
    (now, ReceiptSource::IngestTime)
}
