//! The outgoing-mail queue: what the bot writes to staff, queued in the transaction of the
//! decision that causes it, delivered after commit by the one sender.

use jiff::Timestamp;
use rusqlite::params;
use serde::Serialize;

use super::{Batch, StoreError};
use crate::ids::CaseId;

/// What a queued mail is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// A new draft for staff to review, with its one-time approval token.
    Review,
    /// The staff digest of deadlines, drafts waiting and failed sends.
    Digest,
    /// A short note to a staff member (why an approval by mail was refused).
    Note,
    /// To the address on file of the person a request names: confirm it was you
    /// (`draft::confirm`); no personal data, sent without approval.
    Confirmation,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Review => "review",
            MailKind::Digest => "digest",
            MailKind::Note => "note",
            MailKind::Confirmation => "confirmation",
        }
    }

    fn parse(text: &str) -> Option<MailKind> {
        match text {
            "review" => Some(MailKind::Review),
            "digest" => Some(MailKind::Digest),
            "note" => Some(MailKind::Note),
            "confirmation" => Some(MailKind::Confirmation),
            _ => None,
        }
    }
}

/// A mail to queue: its bytes are final, Message-ID and seal included.
pub struct NewMail<'a> {
    pub kind: MailKind,
    pub case: Option<CaseId>,
    pub recipient: &'a str,
    pub message_id: &'a str,
    pub seal: &'a str,
    pub bytes: &'a [u8],
    /// Without SMTP, the file it was written to instead: then it is not queued.
    pub outbox_file: Option<&'a str>,
}

/// A queued mail, as the sender reads it.
#[derive(Clone, Debug)]
pub struct QueuedMail {
    pub id: i64,
    pub kind: MailKind,
    pub case: Option<CaseId>,
    pub recipient: String,
    pub message_id: String,
    pub seal: String,
    pub bytes: Vec<u8>,
    pub attempts: i64,
}

const COLUMNS: &str =
    "SELECT o.id, o.kind, c.year, c.seq, o.recipient, o.message_id, o.seal, o.bytes, o.attempts
     FROM outgoing_mail o LEFT JOIN cases c ON c.id = o.case_id";

impl Batch<'_> {
    /// Queues a mail for the sender (or records the outbox file it was written to).
    pub fn queue_mail(&self, mail: &NewMail<'_>, now: Timestamp) -> Result<i64, StoreError> {
        let state = if mail.outbox_file.is_some() {
            "written"
        } else {
            "queued"
        };
        self.tx
            .prepare_cached(
                "INSERT INTO outgoing_mail (kind, case_id, recipient, message_id, seal, bytes, state, created_at, outbox_file, sent_at)
                 VALUES (?1, (SELECT id FROM cases WHERE year = ?2 AND seq = ?3), ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                         CASE WHEN ?10 IS NULL THEN NULL ELSE ?9 END)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    mail.kind.as_str(),
                    mail.case.map(|c| c.year),
                    mail.case.map(|c| c.seq),
                    mail.recipient,
                    mail.message_id,
                    mail.seal,
                    mail.bytes,
                    state,
                    now.to_string(),
                    mail.outbox_file,
                ])
            })
            .map_err(|e| self.error(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Queued mail whose time has come, oldest first.
    pub fn mail_to_send(&self, now: Timestamp) -> Result<Vec<QueuedMail>, StoreError> {
        self.mail_where(
            "o.state = 'queued' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?1)",
            &now.to_string(),
        )
    }

    /// Mail a crash left in `sending`.
    pub fn mail_sending(&self) -> Result<Vec<QueuedMail>, StoreError> {
        self.mail_where("o.state = 'sending' AND ?1 = ?1", "")
    }

    fn mail_where(&self, filter: &str, value: &str) -> Result<Vec<QueuedMail>, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached(&format!("{COLUMNS} WHERE {filter} ORDER BY o.id"))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([value], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Vec<u8>>(7)?,
                    r.get::<_, i64>(8)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut found = Vec::new();
        for row in rows {
            let (id, kind, year, seq, recipient, message_id, seal, bytes, attempts) =
                row.map_err(|e| self.error(e))?;
            let kind = MailKind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
                path: self.path.clone(),
                what: "outgoing_mail.kind",
                detail: kind.clone(),
            })?;
            let case = match (year, seq) {
                (Some(year), Some(seq)) => Some(super::checked_case_id(&self.path, year, seq)?),
                _ => None,
            };
            found.push(QueuedMail {
                id,
                kind,
                case,
                recipient,
                message_id,
                seal,
                bytes,
                attempts,
            });
        }
        Ok(found)
    }

    /// Marks a queued mail as being sent; `false` if it is not queued (any more).
    pub fn mark_mail_sending(&self, id: i64) -> Result<bool, StoreError> {
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE outgoing_mail SET state = 'sending' WHERE id = ?1 AND state = 'queued'",
            )
            .and_then(|mut s| s.execute([id]))
            .map_err(|e| self.error(e))?;
        Ok(changed > 0)
    }

    /// The server took it (or its copy was found in Sent after a crash).
    pub fn mail_sent(&self, id: i64, now: Timestamp) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE outgoing_mail SET state = 'sent', sent_at = ?1 WHERE id = ?2 AND state IN ('queued', 'sending')",
            )
            .and_then(|mut s| s.execute(params![now.to_string(), id]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// A temporary failure: queued again, tried from `next`.
    pub fn mail_later(&self, id: i64, next: Timestamp, failure: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE outgoing_mail SET state = 'queued', attempts = attempts + 1, next_attempt_at = ?1, failure = ?2
                 WHERE id = ?3 AND state IN ('queued', 'sending')",
            )
            .and_then(|mut s| s.execute(params![next.to_string(), failure, id]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// A permanent failure, with the server's words.
    pub fn mail_failed(&self, id: i64, failure: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE outgoing_mail SET state = 'failed', failure = ?1 WHERE id = ?2 AND state IN ('queued', 'sending')",
            )
            .and_then(|mut s| s.execute(params![failure, id]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Whether `message_id` is a mail the bot queued for staff.
    pub fn is_staff_mail_id(&self, message_id: &str) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached("SELECT 1 FROM outgoing_mail WHERE message_id = ?1")
            .and_then(|mut s| s.exists([message_id]))
            .map_err(|e| self.error(e))
    }

    /// When the last digest was queued, if ever.
    pub fn last_digest_at(&self) -> Result<Option<Timestamp>, StoreError> {
        let text: Option<String> = self
            .tx
            .query_row(
                "SELECT MAX(created_at) FROM outgoing_mail WHERE kind = 'digest'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.error(e))?;
        text.map(|t| super::parse_timestamp(&self.path, "outgoing_mail.created_at", &t))
            .transpose()
    }
}

impl super::Store {
    /// Whether a send is due at `now`: a reply approved or a mail queued with no attempt
    /// yet, or a retry whose time has come. (Stored times are compared as instants, not as
    /// text: fractions of a second would sort wrong.) Read without taking the write lock:
    /// the daemon's clock asks every few seconds and must not hold up intake's commits.
    pub fn send_due(&self, now: Timestamp) -> Result<bool, StoreError> {
        let error = |e| super::classify_error(&self.path, e);
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT next_attempt_at FROM drafts WHERE state IN ('approved', 'sending')
                 UNION ALL
                 SELECT next_attempt_at FROM outgoing_mail WHERE state IN ('queued', 'sending')",
            )
            .map_err(error)?;
        let rows = statement
            .query_map([], |r| r.get::<_, Option<String>>(0))
            .map_err(error)?;
        for row in rows {
            match row.map_err(error)? {
                None => return Ok(true),
                Some(at) => {
                    if super::parse_timestamp(&self.path, "next_attempt_at", &at)? <= now {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }
}
