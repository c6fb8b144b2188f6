//! The messages table: every mail stored byte-exact with what became of it, and the
//! quarantine of what needs a person.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Batch, Store, StoreError, checked_case_id, sql_integer};
use crate::ids::{CaseId, MessageId, MessageKey};
use crate::vocabulary::event::ClassificationFound;

/// Which clue gave a message's receipt time, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptSource {
    /// The IMAP server's INTERNALDATE: when our own server accepted the message.
    ImapInternalDate,
    /// The date of the topmost `Received:` header.
    ReceivedHeader,
    /// The delivery time in a Maildir file name.
    MaildirDelivery,
    /// The sender's `Date:` header.
    DateHeader,
    /// None of the above: the time it was ingested.
    IngestTime,
    /// Our own reply: when the mail server took it.
    SentAt,
    /// A request made by phone, by letter or to a staff member, entered by a person who
    /// gave the day it reached the controller.
    StaffEntry,
}

impl ReceiptSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptSource::ImapInternalDate => "imap_internaldate",
            ReceiptSource::ReceivedHeader => "received_header",
            ReceiptSource::MaildirDelivery => "maildir_delivery",
            ReceiptSource::DateHeader => "date_header",
            ReceiptSource::IngestTime => "ingest_time",
            ReceiptSource::SentAt => "sent_at",
            ReceiptSource::StaffEntry => "staff_entry",
        }
    }
}

/// What became of a stored message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// It opened a case.
    Case,
    /// It joined an existing case (a reply, a follow-up).
    Joined,
    /// Machine-sent; kept, never answered.
    Automated,
    /// Could not be parsed; kept for a person.
    Quarantined,
    /// A person's mail that asks for no right (an order question, a thank-you).
    NotARequest,
    /// Our own reply, as it went out, kept in its case's thread.
    Sent,
    /// Staff mail: a reply to a mail the bot sent staff. Never a case.
    StaffMail,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Case => "case",
            Disposition::Joined => "joined",
            Disposition::Automated => "automated",
            Disposition::Quarantined => "quarantined",
            Disposition::NotARequest => "not_a_request",
            Disposition::Sent => "sent",
            Disposition::StaffMail => "staff_mail",
        }
    }
}

/// A message about to be stored.
pub struct NewMessage<'a> {
    pub raw: &'a [u8],
    pub raw_sha256: &'a [u8; 32],
    pub message_id: Option<&'a MessageId>,
    pub origin: &'a str,
    pub received_at: Timestamp,
    pub received_from: ReceiptSource,
    pub from_address: Option<&'a str>,
    pub from_name: Option<&'a str>,
    pub reply_to: Option<&'a str>,
    pub subject: &'a str,
    pub in_reply_to: &'a [MessageId],
    pub references: &'a [MessageId],
    pub automated: Option<&'a str>,
    pub disposition: Disposition,
    /// The classifier's verdict as JSON, when it ran.
    pub classification: Option<&'a ClassificationFound>,
    /// The Message-ID the mail claims when another stored mail already has it (then
    /// `message_id` is `None`).
    pub colliding_message_id: Option<&'a MessageId>,
}

/// A stored message that is in no case: for staff who may want to open one from it.
#[derive(Clone, Debug, Serialize)]
pub struct InboxEntry {
    pub message: String,
    pub message_id: Option<String>,
    pub received_at: Timestamp,
    pub from_address: Option<String>,
    pub subject: String,
    pub disposition: String,
    pub classification: Option<serde_json::Value>,
}

/// What opening a case by hand needs to know of a stored message.
#[derive(Clone, Debug)]
pub struct StoredMessage {
    pub key: MessageKey,
    pub received_at: Timestamp,
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    pub disposition: Option<String>,
    pub case: Option<CaseId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MessageSummary {
    pub key: i64,
    pub message_id: Option<String>,
    pub origin: String,
    pub received_at: Timestamp,
    pub received_from: String,
    pub from_address: Option<String>,
    pub subject: String,
    pub size: i64,
    pub automated: Option<String>,
}

/// One stored message as `show M4` heads it: its record, what became of it, its case.
#[derive(Clone, Debug, Serialize)]
pub struct MessageRecord {
    /// The key as staff write it, `M4`.
    pub message: String,
    #[serde(flatten)]
    pub summary: MessageSummary,
    pub disposition: Option<String>,
    pub case: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuarantineEntry {
    pub at: Timestamp,
    pub origin: String,
    pub reason: String,
    /// The stored message holding the bytes, when they could be read.
    pub message: Option<i64>,
    pub size: Option<i64>,
}

/// The columns of a [`MessageSummary`], the messages table named `m`: read by
/// [`summary_row`] from the first nine columns of a row.
pub(super) const SUMMARY_COLUMNS: &str = "m.id, m.message_id, m.origin, m.received_at, m.received_from, m.from_address, m.subject, m.size, m.automated";

/// A [`MessageSummary`] as a row holds it, its receipt time not yet checked.
pub(super) struct RawSummary {
    key: i64,
    message_id: Option<String>,
    origin: String,
    received_at: String,
    received_from: String,
    from_address: Option<String>,
    subject: String,
    size: i64,
    automated: Option<String>,
}

pub(super) fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawSummary> {
    Ok(RawSummary {
        key: r.get(0)?,
        message_id: r.get(1)?,
        origin: r.get(2)?,
        received_at: r.get(3)?,
        received_from: r.get(4)?,
        from_address: r.get(5)?,
        subject: r.get(6)?,
        size: r.get(7)?,
        automated: r.get(8)?,
    })
}

/// What a redaction removed from a stored mail, and the mail without it.
pub struct Redaction<'a> {
    pub raw: &'a [u8],
    pub part_name: Option<&'a str>,
    pub content_type: &'a str,
    pub removed_sha256: &'a [u8; 32],
    pub removed_size: usize,
    pub by: &'a str,
}

impl Store {
    /// What could not be handled, oldest first.
    pub fn quarantine(&self) -> Result<Vec<QuarantineEntry>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT q.at, q.origin, q.reason, q.message, m.size
                 FROM quarantine q LEFT JOIN messages m ON m.id = q.message ORDER BY q.id",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut entries = Vec::new();
        for row in rows {
            let (at, origin, reason, message, size) = row.map_err(|e| self.error(e))?;
            entries.push(QuarantineEntry {
                at: self.timestamp("quarantine.at", &at)?,
                origin,
                reason,
                message,
                size,
            });
        }
        Ok(entries)
    }

    /// Stored messages that are in no case, oldest first: mail that asks for no right and,
    /// with `automated`, machine-sent mail too.
    pub fn inbox(&self, automated: bool) -> Result<Vec<InboxEntry>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, message_id, received_at, from_address, subject, disposition, classification
                 FROM messages WHERE disposition = 'not_a_request' OR (?1 AND disposition = 'automated')
                 ORDER BY julianday(received_at), id",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([automated], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut entries = Vec::new();
        for row in rows {
            let (key, message_id, received_at, from_address, subject, disposition, classification) =
                row.map_err(|e| self.error(e))?;
            entries.push(InboxEntry {
                message: MessageKey(key).to_string(),
                message_id,
                received_at: self.timestamp("messages.received_at", &received_at)?,
                from_address,
                subject,
                disposition: disposition.unwrap_or_default(),
                classification: classification
                    .map(|json| {
                        serde_json::from_str(&json).map_err(|_| StoreError::Corrupt {
                            path: self.path.clone(),
                            what: "messages.classification",
                            detail: json.chars().take(60).collect(),
                        })
                    })
                    .transpose()?,
            });
        }
        Ok(entries)
    }

    /// Whether these exact bytes are stored (a read outside any write transaction).
    pub fn knows_raw(&self, raw_sha256: &[u8; 32]) -> Result<bool, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT 1 FROM messages WHERE raw_sha256 = ?1")
            .map_err(|e| self.error(e))?;
        statement
            .exists([&raw_sha256[..]])
            .map_err(|e| self.error(e))
    }

    /// One stored message's record (not its bytes): what `show M4` heads its text with.
    pub fn message(&self, key: MessageKey) -> Result<Option<MessageRecord>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {SUMMARY_COLUMNS}, m.disposition, c.year, c.seq
                     FROM messages m LEFT JOIN cases c ON c.id = m.case_id WHERE m.id = ?1"
                ),
                [key.0],
                |r| {
                    Ok((
                        summary_row(r)?,
                        r.get::<_, Option<String>>(9)?,
                        r.get::<_, Option<i64>>(10)?,
                        r.get::<_, Option<i64>>(11)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.error(e))?;
        let Some((raw, disposition, year, seq)) = row else {
            return Ok(None);
        };
        let case = match (year, seq) {
            (Some(year), Some(seq)) => Some(checked_case_id(&self.path, year, seq)?.to_string()),
            _ => None,
        };
        Ok(Some(MessageRecord {
            message: MessageKey(raw.key).to_string(),
            summary: self.check_summary(raw)?,
            disposition,
            case,
        }))
    }

    /// A message summary as read, its receipt time checked.
    pub(super) fn check_summary(&self, raw: RawSummary) -> Result<MessageSummary, StoreError> {
        Ok(MessageSummary {
            key: raw.key,
            message_id: raw.message_id,
            origin: raw.origin,
            received_at: self.timestamp("messages.received_at", &raw.received_at)?,
            received_from: raw.received_from,
            from_address: raw.from_address,
            subject: raw.subject,
            size: raw.size,
            automated: raw.automated,
        })
    }

    /// The raw bytes of a stored message, exactly as received.
    pub fn raw_message(&self, key: MessageKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row("SELECT raw FROM messages WHERE id = ?1", [key.0], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }
}

impl Batch<'_> {
    /// Whether these exact bytes are already stored.
    pub fn knows_raw(&self, raw_sha256: &[u8; 32]) -> Result<bool, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("SELECT 1 FROM messages WHERE raw_sha256 = ?1")
            .map_err(|e| self.error(e))?;
        statement
            .exists([&raw_sha256[..]])
            .map_err(|e| self.error(e))
    }

    /// Whether a message with this Message-ID is already stored.
    pub fn knows_message_id(&self, id: &MessageId) -> Result<bool, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("SELECT 1 FROM messages WHERE message_id = ?1")
            .map_err(|e| self.error(e))?;
        statement.exists([id.as_str()]).map_err(|e| self.error(e))
    }

    /// A stored message by its key (`M12`, `12`) or its Message-ID.
    pub fn find_message(&self, reference: &str) -> Result<Option<StoredMessage>, StoreError> {
        let reference = reference.trim();
        // The key only as `inbox` and `show` print it (M4), so a typo names no other mail.
        let key = reference.parse::<MessageKey>().ok().map(|key| key.0);
        let message_id = MessageId::new(reference).map(|id| id.as_str().to_string());
        let row = self
            .tx
            .query_row(
                "SELECT m.id, m.received_at, m.from_address, m.from_name, m.subject, m.disposition, c.year, c.seq
                 FROM messages m LEFT JOIN cases c ON c.id = m.case_id
                 WHERE m.id = ?1 OR m.message_id = ?2",
                params![key, message_id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                        r.get::<_, Option<i64>>(7)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.error(e))?;
        let Some((key, received_at, from_address, from_name, subject, disposition, year, seq)) =
            row
        else {
            return Ok(None);
        };
        let received_at = received_at.parse().map_err(|_| StoreError::Corrupt {
            path: self.path.clone(),
            what: "messages.received_at",
            detail: received_at.clone(),
        })?;
        let case = match (year, seq) {
            (Some(year), Some(seq)) => self.case_id(year, seq),
            _ => None,
        };
        Ok(Some(StoredMessage {
            key: MessageKey(key),
            received_at,
            from_address,
            from_name,
            subject,
            disposition,
            case,
        }))
    }

    /// The person's mail in a case that has parts (`multipart/…`): where attachments can
    /// be. Key, receipt and raw bytes, oldest first; the bot's own replies are left out.
    pub fn multipart_mail_of(
        &self,
        case: CaseId,
    ) -> Result<Vec<(MessageKey, Timestamp, Vec<u8>)>, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached(
                "SELECT m.id, m.received_at, m.raw FROM messages m JOIN cases c ON m.case_id = c.id
                 WHERE c.year = ?1 AND c.seq = ?2 AND m.disposition IS NOT 'sent'
                   AND (instr(m.raw, CAST('ultipart/' AS BLOB)) > 0 OR instr(m.raw, CAST('ULTIPART/' AS BLOB)) > 0)
                 ORDER BY julianday(m.received_at), m.id",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params![case.year, case.seq], |r| {
                Ok((
                    MessageKey(r.get(0)?),
                    super::sql::column::<super::sql::Instant>(r, 1, "messages.received_at")?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        rows.map(|row| row.map(|(key, at, raw)| (key, at.0, raw)))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.error(e))
    }

    /// The raw bytes of a message, if it belongs to the case.
    pub fn message_in_case(
        &self,
        message: MessageKey,
        case: CaseId,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.tx
            .prepare_cached(
                "SELECT m.raw FROM messages m JOIN cases c ON m.case_id = c.id
                 WHERE m.id = ?1 AND c.year = ?2 AND c.seq = ?3",
            )
            .and_then(|mut s| {
                s.query_row(params![message.0, case.year, case.seq], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.error(e))
    }

    /// Replaces a stored mail's bytes by their redaction, recording first what was
    /// removed; the store's trigger refuses any other rewrite. The hash of the original
    /// stays, so a copy delivered again is still a duplicate.
    pub fn redact_message(
        &self,
        message: MessageKey,
        case: CaseId,
        redaction: &Redaction<'_>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let size_before: i64 = self
            .tx
            .prepare_cached("SELECT length(raw) FROM messages WHERE id = ?1")
            .and_then(|mut s| s.query_row([message.0], |r| r.get(0)))
            .map_err(|e| self.error(e))?;
        let removed_size = sql_integer(
            &self.path,
            "redactions.removed_size",
            redaction.removed_size,
        )?;
        let size_after = sql_integer(&self.path, "redactions.size_after", redaction.raw.len())?;
        self.tx
            .prepare_cached(
                "INSERT INTO redactions (message, case_id, part_name, content_type, removed_sha256, removed_size,
                                         size_before, size_after, at, by)
                 SELECT ?1, id, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 FROM cases WHERE year = ?2 AND seq = ?3",
            )
            .and_then(|mut s| {
                s.execute(params![
                    message.0,
                    case.year,
                    case.seq,
                    redaction.part_name,
                    redaction.content_type,
                    &redaction.removed_sha256[..],
                    removed_size,
                    size_before,
                    size_after,
                    now.to_string(),
                    redaction.by,
                ])
            })
            .map_err(|e| self.error(e))?;
        self.tx
            .prepare_cached("UPDATE messages SET raw = ?1 WHERE id = ?2")
            .and_then(|mut s| s.execute(params![redaction.raw, message.0]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    pub fn set_disposition(
        &self,
        message: MessageKey,
        disposition: Disposition,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE messages SET disposition = ?1 WHERE id = ?2")
            .and_then(|mut s| s.execute(params![disposition.as_str(), message.0]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    pub fn insert_message(
        &self,
        message: &NewMessage<'_>,
        now: Timestamp,
    ) -> Result<MessageKey, StoreError> {
        let ids = |list: &[MessageId]| {
            serde_json::Value::from(
                list.iter()
                    .map(|id| id.as_str().to_string())
                    .collect::<Vec<_>>(),
            )
            .to_string()
        };
        let classification = message
            .classification
            .map(|found| serde_json::to_value(found).map(|value| value.to_string()))
            .transpose()
            .map_err(|source| StoreError::Encode {
                path: self.path.clone(),
                what: "messages.classification",
                source,
            })?;
        let mut statement = self
            .tx
            .prepare_cached(
                "INSERT INTO messages (raw_sha256, message_id, raw, size, origin, received_at, received_from,
                    stored_at, from_address, from_name, reply_to, subject, in_reply_to, references_ids, automated,
                    disposition, classification, colliding_message_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            )
            .map_err(|e| self.error(e))?;
        statement
            .execute(params![
                &message.raw_sha256[..],
                message.message_id.map(MessageId::as_str),
                message.raw,
                sql_integer(&self.path, "messages.size", message.raw.len())?,
                message.origin,
                message.received_at.to_string(),
                message.received_from.as_str(),
                now.to_string(),
                message.from_address,
                message.from_name,
                message.reply_to,
                message.subject,
                ids(message.in_reply_to),
                ids(message.references),
                message.automated,
                message.disposition.as_str(),
                classification,
                message.colliding_message_id.map(MessageId::as_str),
            ])
            .map_err(|e| self.error(e))?;
        Ok(MessageKey(self.tx.last_insert_rowid()))
    }

    pub fn attach_message(&self, message: MessageKey, case: CaseId) -> Result<(), StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("UPDATE messages SET case_id = (SELECT id FROM cases WHERE year = ?1 AND seq = ?2) WHERE id = ?3")
            .map_err(|e| self.error(e))?;
        statement
            .execute(params![case.year, case.seq, message.0])
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Records that a message (or a file that could not even be read) needs a person.
    /// Recording the same origin and reason twice keeps one entry.
    pub fn quarantine(
        &self,
        origin: &str,
        reason: &str,
        message: Option<MessageKey>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let exists = self
            .tx
            .prepare_cached(
                "SELECT 1 FROM quarantine WHERE origin = ?1 AND reason = ?2 AND message IS ?3",
            )
            .and_then(|mut s| s.exists(params![origin, reason, message.map(|m| m.0)]))
            .map_err(|e| self.error(e))?;
        if !exists {
            self.tx
                .prepare_cached(
                    "INSERT INTO quarantine (at, origin, reason, message) VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        now.to_string(),
                        origin,
                        reason,
                        message.map(|m| m.0)
                    ])
                })
                .map_err(|e| self.error(e))?;
        }
        Ok(())
    }
}
