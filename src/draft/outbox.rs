//! The outbox: approved replies as `.eml` files in a folder, while no SMTP server is
//! configured (demos, backfills, a controller that sends by hand).
//!
//! One file per draft, named after it, written whole (a temporary file renamed into place),
//! so a crash leaves either the whole message or none, and writing it again replaces it
//! with the same message.

use std::path::PathBuf;

use super::message;
use crate::config::Config;
use crate::store::DraftRecord;

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("draft {0} is not approved: nothing unapproved goes out")]
    NotApproved(String),
    #[error(transparent)]
    Message(#[from] message::MessageError),
    #[error("cannot write to the outbox {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes an approved draft to the outbox; returns the file.
pub fn write(draft: &DraftRecord, config: &Config) -> Result<PathBuf, OutboxError> {
    if draft.message_id.is_none() {
        return Err(OutboxError::NotApproved(draft.draft.to_string()));
    }
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
