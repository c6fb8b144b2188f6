//! The outbox: approved replies as `.eml` files in a folder, while no SMTP server is
//! configured (demos, backfills, a controller that sends by hand); and [`queue`], the one
//! way the bot's own mail to staff (review mails, digests, notes) leaves: a row in the
//! outgoing-mail queue, written in the caller's transaction, that the sender delivers
//! after commit (or, without SMTP, an `.eml` file here).
//!
//! One file per draft, named after it, written whole (a temporary file renamed into place),
//! so a crash leaves either the whole message or none, and writing it again replaces it
//! with the same message.

use std::path::PathBuf;

use jiff::Timestamp;

use super::{Attachment, message};
use crate::config::Config;
use crate::ids::CaseId;
use crate::store::{Batch, MailKind, NewMail, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Message(#[from] message::MessageError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write to the outbox {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes an approved draft to the outbox; returns the file.
pub fn write(draft: &super::ApprovedDraft, config: &Config) -> Result<PathBuf, OutboxError> {
    let bytes = message::for_draft(draft, config)?;
    write_bytes(
        config,
        &format!("{}-{}.eml", draft.case, draft.draft),
        &bytes,
    )
}

/// Writes a message's bytes to the outbox under `name`, whole or not at all.
pub fn write_bytes(config: &Config, name: &str, bytes: &[u8]) -> Result<PathBuf, OutboxError> {
    let folder = &config.drafts.outbox;
    let io = |source| OutboxError::Io {
        path: folder.clone(),
        source,
    };
    std::fs::create_dir_all(folder).map_err(io)?;
    let path = folder.join(name);
    let temporary = folder.join(format!(".{name}.tmp"));
    std::fs::write(&temporary, bytes).map_err(io)?;
    std::fs::rename(&temporary, &path).map_err(io)?;
    Ok(path)
}

/// A mail of the bot's own to a staff member.
pub struct StaffMail<'a> {
    pub kind: MailKind,
    pub case: Option<CaseId>,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub attachments: &'a [Attachment],
    /// Names it: the first part of its Message-ID, and its outbox file (`review-D1`).
    pub name: &'a str,
}

/// Queues a mail to staff in the caller's transaction: its Message-ID (with a random part,
/// so every one is unique) and seal are fixed now, the sender delivers it after commit.
/// Without SMTP it is written to the outbox instead, and the file is returned.
pub fn queue(
    batch: &Batch<'_>,
    config: &Config,
    mail: &StaffMail<'_>,
    now: Timestamp,
) -> Result<Option<PathBuf>, OutboxError> {
    let domain = config
        .controller
        .privacy_address
        .rsplit_once('@')
        .map_or("rightsbot.invalid", |(_, d)| d);
    let message_id = format!("{}.{}@{domain}", mail.name, batch.random_hex(16)?);
    let seal = batch.random_hex(16)?;
    let bytes = message::build(&message::Outgoing {
        from_name: "rightsbot",
        from_address: &config.controller.privacy_address,
        to: mail.to,
        subject: mail.subject,
        body: mail.body,
        attachments: mail.attachments,
        message_id: &message_id,
        in_reply_to: None,
        references: &[],
        date: now,
        automatic: message::Automatic::Generated,
        seal: Some(&seal),
    })?;
    let file = match config.smtp {
        Some(_) => None,
        None => Some(write_bytes(config, &format!("{}.eml", mail.name), &bytes)?),
    };
    let file_name = file.as_ref().map(|f| f.display().to_string());
    batch.queue_mail(
        &NewMail {
            kind: mail.kind,
            case: mail.case,
            recipient: mail.to,
            message_id: &message_id,
            seal: &seal,
            bytes: &bytes,
            outbox_file: file_name.as_deref(),
        },
        now,
    )?;
    Ok(file)
}
