//! What staff read: a case (its messages' new text, drafts, the latest identity decision
//! and the audit trail), one draft, one stored mail parsed again, and the queue of drafts
//! waiting for approval. Reads only; the store may be opened read-only.

use jiff::Timestamp;
use serde::Serialize;

use crate::ids::{CaseId, DraftId, MessageKey};
use crate::parse::Mail;
use crate::store::{CaseDetail, DraftRecord, MessageRecord, QueueEntry, Store};

use super::{App, AppError};

/// One case as staff read it.
pub struct CaseView {
    pub case: CaseDetail,
    pub drafts: Vec<DraftRecord>,
    /// The latest identity decision, in full: outcome, why, score, the matched entries.
    pub identity: Option<serde_json::Value>,
    /// Each message's new text, in the order of `case.messages`; `None` when its stored
    /// bytes are not a mail.
    pub new_texts: Vec<Option<String>>,
    /// Days until the deadline in the controller's calendar (negative: past it).
    pub days_left: i32,
}

/// One stored mail: its record, and the mail parsed again from its bytes (`None` when
/// they are not a mail).
pub struct MessageView {
    pub record: MessageRecord,
    pub mail: Option<Mail>,
}

/// A draft waiting for approval, and the days left until its case's deadline.
#[derive(Serialize)]
pub struct QueueLine {
    #[serde(flatten)]
    pub entry: QueueEntry,
    pub days_left: i32,
}

impl App {
    /// The case view `show CASE` prints.
    pub fn case_view(
        &self,
        store: &Store,
        id: CaseId,
        now: Timestamp,
    ) -> Result<CaseView, AppError> {
        let Some(case) = store.case(id)? else {
            return Err(AppError::NoSuchCase {
                case: id,
                store: store.path().display().to_string(),
            });
        };
        let drafts = store.drafts_of(id)?;
        let identity = case
            .events
            .iter()
            .rev()
            .find(|e| e.kind == "identity")
            .map(|e| e.details.clone());
        let new_texts = case
            .messages
            .iter()
            .map(|message| Ok(read_mail(store, MessageKey(message.key))?.map(|m| m.own_text)))
            .collect::<Result<Vec<_>, AppError>>()?;
        let days_left = (case.summary.deadline - self.today(now)).get_days();
        Ok(CaseView {
            case,
            drafts,
            identity,
            new_texts,
            days_left,
        })
    }

    /// One draft, as `show DRAFT` prints it.
    pub fn draft_view(&self, store: &Store, id: DraftId) -> Result<DraftRecord, AppError> {
        store.draft(id)?.ok_or_else(|| AppError::NoSuchDraftIn {
            draft: id,
            store: store.path().display().to_string(),
        })
    }

    /// One stored mail, parsed again from its bytes.
    pub fn message_view(&self, store: &Store, key: MessageKey) -> Result<MessageView, AppError> {
        let Some(record) = store.message(key)? else {
            return Err(AppError::NoSuchMessage {
                message: key,
                store: store.path().display().to_string(),
            });
        };
        let mail = read_mail(store, key)?;
        Ok(MessageView { record, mail })
    }

    /// The drafts waiting for approval, nearest deadline first.
    pub fn queue(&self, store: &Store, now: Timestamp) -> Result<Vec<QueueLine>, AppError> {
        let today = self.today(now);
        Ok(store
            .pending_drafts()?
            .into_iter()
            .map(|entry| {
                let days_left = (entry.deadline - today).get_days();
                QueueLine { entry, days_left }
            })
            .collect())
    }
}

/// A stored mail parsed again from its bytes, or `None` when they are not a mail.
fn read_mail(store: &Store, key: MessageKey) -> Result<Option<Mail>, AppError> {
    let raw = store.raw_message(key)?;
    Ok(raw.as_deref().and_then(|raw| crate::parse::parse(raw).ok()))
}
