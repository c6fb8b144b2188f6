//! What staff read: a case (its messages' new text, drafts, the latest identity decision
//! and the audit trail), one draft, one stored mail parsed again, and the queue of drafts
//! waiting for approval. Reads only; the store may be opened read-only.

use jiff::Timestamp;
use serde::Serialize;

use crate::case::Standing;
use crate::ids::{CaseId, DraftId, MessageKey};
use crate::parse::Mail;
use crate::store::{
    CaseDetail, CaseSummary, DraftRecord, InboxEntry, MessageRecord, QuarantineEntry, QueueEntry,
    Store,
};

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

/// Which cases a list shows; each filter narrows it.
#[derive(Clone, Copy, Debug, Default)]
pub struct CaseFilter {
    /// Only cases that still owe an answer.
    pub open: bool,
    /// Only open cases past their deadline.
    pub overdue: bool,
    /// Only cases that stand so.
    pub standing: Option<Standing>,
}

/// A case in a list, with what `case::Standing` says of it today.
#[derive(Serialize)]
pub struct CaseLine {
    #[serde(flatten)]
    pub case: CaseSummary,
    pub standing: Standing,
    pub answered: bool,
    pub overdue: bool,
    pub days_left: i32,
}

impl App {
    /// The cases, with their deadlines and days left, as the filter narrows them.
    pub fn cases(
        &self,
        store: &Store,
        filter: CaseFilter,
        now: Timestamp,
    ) -> Result<Vec<CaseLine>, AppError> {
        let today = self.today(now);
        Ok(store
            .cases()?
            .into_iter()
            .filter(|case| {
                let standing = case.standing();
                (!filter.open || standing.is_open())
                    && (!filter.overdue || case.is_overdue(today))
                    && filter.standing.is_none_or(|s| s == standing)
            })
            .map(|case| CaseLine {
                standing: case.standing(),
                answered: case.answered_at.is_some(),
                overdue: case.is_overdue(today),
                days_left: (case.deadline - today).get_days(),
                case,
            })
            .collect())
    }

    /// Stored mail in no case (not a request; with `automated`, machine mail too).
    pub fn inbox(&self, store: &Store, automated: bool) -> Result<Vec<InboxEntry>, AppError> {
        Ok(store.inbox(automated)?)
    }

    /// What could not be handled, and why.
    pub fn quarantine(&self, store: &Store) -> Result<Vec<QuarantineEntry>, AppError> {
        Ok(store.quarantine()?)
    }

    /// The supervisory authority's figures for the period (either end open).
    pub fn report(
        &self,
        store: &Store,
        from: Option<jiff::civil::Date>,
        to: Option<jiff::civil::Date>,
        now: Timestamp,
    ) -> Result<crate::report::Report, AppError> {
        crate::report::check_period(from, to)?;
        let rows = store.report_rows(&self.config.controller.timezone.zone)?;
        Ok(crate::report::summarize(&rows, from, to, self.today(now)))
    }

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
