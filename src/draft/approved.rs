//! The one proof that a draft may go out. An [`ApprovedDraft`] exists only for a draft a
//! person approved (or, for the acknowledgement, the bot): its state is approved, sending
//! or sent, and its Message-ID and recipient are fixed. The message builder, the outbox
//! and the sender take nothing else, so none of them checks "is it approved" its own way.

use std::ops::Deref;

use crate::store::{DraftRecord, DraftState};

/// An approved draft; see the module docs.
#[derive(Clone, Debug)]
pub struct ApprovedDraft {
    record: DraftRecord,
    message_id: String,
    recipient: String,
}

/// Why a draft is not an approved one.
#[derive(Debug, thiserror::Error)]
#[error("draft {draft} is not approved ({why}): nothing unapproved goes out")]
pub struct NotApproved {
    pub draft: String,
    pub why: &'static str,
}

impl ApprovedDraft {
    /// The draft as an approved one, or why it is not.
    pub fn check(record: DraftRecord) -> Result<ApprovedDraft, NotApproved> {
        let refuse = |why| NotApproved {
            draft: record.draft.to_string(),
            why,
        };
        if !matches!(
            record.state,
            DraftState::Approved | DraftState::Sending | DraftState::Sent
        ) {
            return Err(refuse("its state is not approved"));
        }
        let Some(message_id) = record.message_id.clone() else {
            return Err(refuse("it has no Message-ID"));
        };
        let Some(recipient) = record.recipient.clone() else {
            return Err(refuse("it has no recipient"));
        };
        Ok(ApprovedDraft {
            record,
            message_id,
            recipient,
        })
    }

    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    pub fn recipient(&self) -> &str {
        &self.recipient
    }

    pub fn into_record(self) -> DraftRecord {
        self.record
    }
}

impl Deref for ApprovedDraft {
    type Target = DraftRecord;

    fn deref(&self) -> &DraftRecord {
        &self.record
    }
}
