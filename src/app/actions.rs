//! The action list from a front end: list it, and record what was done, held or not needed.
//! Recording a deed redrafts a reply still waiting, so its text reports the new state.

use crate::vocabulary::event::{self, Event};
use jiff::Timestamp;

use crate::ids::{CaseId, DraftId};
use crate::store::{ActionRecord, NewEvent, Store, Suppressed};
use crate::vocabulary::{ActionKind, ActionNumber, ActionState};

use super::{App, AppError, Staff};

/// What staff record of an action.
#[derive(Clone, Debug)]
pub enum ActionChange {
    /// Done, with an optional note of how.
    Done { note: Option<String> },
    /// Held with a reason (Art. 17(3)(e): a dispute, a claim).
    Hold { reason: String },
    /// A hold lifted: open again.
    Release,
    /// Not needed, with the reason.
    NotNeeded { reason: String },
}

/// An action recorded, and the reply drafted again because of it.
pub struct ActionRecorded {
    pub action: ActionRecord,
    pub draft: Option<DraftId>,
    /// Art. 19 notices drafted because of it.
    pub notices: Vec<DraftId>,
    /// Register entries removed from the snapshot by a recorded erasure.
    pub erased_entries: usize,
}

impl App {
    /// Removes the identity document a `delete` action names from its stored mail, once
    /// the case's identity is decided; says what was removed, for the action's note.
    fn redact_document(
        &self,
        batch: &crate::store::Batch<'_>,
        case: CaseId,
        action: &ActionRecord,
        summary: &crate::store::CaseSummary,
        by: &Staff,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let refused = |text: String| AppError::Refused(text);
        use crate::vocabulary::IdentityOutcome;
        // Decided: matched to one person, verified by staff, or the case answered or
        // closed (an ambiguous case is settled by the answer staff give by hand).
        let undecided = matches!(
            summary.identity,
            None | Some(IdentityOutcome::NeedsVerification | IdentityOutcome::Ambiguous)
        ) && summary.state != crate::vocabulary::CaseState::Closed
            && summary.answered_at.is_none();
        if undecided {
            return Err(refused(format!(
                "case {case}: identity is not decided yet ({}): an identity document is deleted once it is; verify the case, answer it or close it first",
                summary.identity.map_or("not matched", |o| o.as_str())
            )));
        }
        let (message, index) = crate::actions::document_of(&action.target).ok_or_else(|| {
            refused(format!(
                "action {} of case {case}: {:?} names no attachment",
                action.number, action.target
            ))
        })?;
        let stored = batch
            .message_in_case(message, case)?
            .ok_or_else(|| refused(format!("case {case} has no message {message}")))?;
        let when = now
            .to_zoned_datetime(self.config.controller.timezone.zone.clone())
            .date();
        let note = format!(
            "[rightsbot: an identity document was removed from this mail on {when} by {by}, as the law asks once identity is decided (GDPR Art. 5(1)(c), (e)); its hash is kept in the store]",
            by = by.as_str()
        );
        let redacted = crate::parse::redact::remove_attachment(&stored, index, &note)
            .map_err(|e| refused(format!("{message}: {e}")))?;
        let expected = action.records.first().map(String::as_str).unwrap_or("");
        let found = format!(
            "{message}: {} ({})",
            redacted.name.as_deref().unwrap_or("unnamed"),
            redacted.content_type
        );
        if expected != found {
            return Err(refused(format!(
                "action {} of case {case}: attachment {} of {message} is {found:?}, not {expected:?}; nothing was removed",
                action.number,
                index + 1
            )));
        }
        batch.redact_message(
            message,
            case,
            &crate::store::Redaction {
                raw: &redacted.raw,
                part_name: redacted.name.as_deref(),
                content_type: &redacted.content_type,
                removed_sha256: &redacted.removed_sha256,
                removed_size: redacted.removed_size,
                by: by.as_str(),
            },
            now,
        )?;
        let hash: String = redacted.removed_sha256[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(format!(
            "removed {} ({}, {} bytes, SHA-256 {hash}…) from the stored mail",
            redacted.name.as_deref().unwrap_or("unnamed"),
            redacted.content_type,
            redacted.removed_size
        ))
    }

    /// A case's actions, or every case's; only those still open with `open_only`.
    pub fn actions(
        &self,
        store: &Store,
        case: Option<CaseId>,
        open_only: bool,
    ) -> Result<Vec<ActionRecord>, AppError> {
        let mut actions = match case {
            Some(case) => {
                if store.case(case)?.is_none() {
                    return Err(AppError::NoSuchCase {
                        case,
                        store: store.path().display().to_string(),
                    });
                }
                store.actions_of(case)?
            }
            None => store.actions_in(&[ActionState::Open, ActionState::Held])?,
        };
        if open_only {
            actions.retain(|a| a.state.is_open());
        }
        Ok(actions)
    }

    /// The suppression list.
    pub fn suppression(&self, store: &Store) -> Result<Vec<Suppressed>, AppError> {
        Ok(store.suppression()?)
    }

    /// Records what became of one action of a case. An `erase` of a whole source done also
    /// erases the person's entries of that source from the register snapshot (with
    /// tombstones), in the same transaction.
    pub fn record_action(
        &self,
        store: &mut Store,
        case: CaseId,
        number: ActionNumber,
        change: ActionChange,
        by: &Staff,
        now: Timestamp,
    ) -> Result<ActionRecorded, AppError> {
        let by = &self.authorize(
            store,
            by,
            crate::vocabulary::Role::Handler,
            "record an action",
        )?;
        let refused = |text: String| AppError::Refused(text);
        let settings = self.settings()?;
        let path = store.path().display().to_string();
        let batch = store.begin()?;
        if batch.case_summary(case)?.is_none() {
            return Err(AppError::NoSuchCase { case, store: path });
        }
        let actions = batch.actions_of(case)?;
        let Some(action) = actions.iter().find(|a| a.number == number) else {
            let known: Vec<String> = actions.iter().map(|a| a.number.to_string()).collect();
            return Err(refused(format!(
                "case {case} has no action {number} (it has: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        let (state, reason, note) = match &change {
            ActionChange::Done { note } => (ActionState::Done, None, note.as_deref()),
            ActionChange::Hold { reason } => (ActionState::Held, Some(reason.as_str()), None),
            ActionChange::Release => (ActionState::Open, None, None),
            ActionChange::NotNeeded { reason } => {
                (ActionState::NotNeeded, Some(reason.as_str()), None)
            }
        };
        if reason.is_some_and(|r| r.trim().is_empty()) {
            return Err(refused(
                "the reason is required and cannot be empty".to_string(),
            ));
        }
        // What is done stays done; nothing is made what it already is; a hold is lifted
        // only from a held action.
        let allowed = !matches!(
            (action.state, state),
            (ActionState::Done, _)
                | (ActionState::Held, ActionState::Held)
                | (
                    ActionState::Open | ActionState::NotNeeded,
                    ActionState::Open
                )
                | (ActionState::NotNeeded, ActionState::NotNeeded)
        );
        if !allowed {
            return Err(refused(format!(
                "action {number} of case {case} is {}: it cannot be made {state}",
                action.state
            )));
        }
        let mut redacted = None;
        if state == ActionState::Done && action.kind == ActionKind::Delete {
            let summary = batch
                .case_summary(case)?
                .ok_or_else(|| refused(format!("case {case} vanished")))?;
            redacted = Some(self.redact_document(&batch, case, action, &summary, by, now)?);
        }
        let note = match (&redacted, note) {
            (Some(done), Some(note)) => Some(format!("{done}; {note}")),
            (Some(done), None) => Some(done.clone()),
            (None, note) => note.map(str::to_string),
        };
        let note = note.as_deref();
        let mut erased_entries = 0;
        if state == ActionState::Done
            && action.kind == ActionKind::Erase
            && action.target.is_empty()
        {
            let recorded = self.erase_in(&batch, case, &action.entries, by, now)?;
            erased_entries = recorded.entries.len();
        }
        batch.set_action_state(
            case,
            number,
            &crate::store::ActionDecision {
                state,
                reason,
                note,
                by: by.as_str(),
            },
            now,
        )?;
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor: by.as_str(),
                event: Event::ActionRecorded(event::ActionRecorded {
                    action: number.to_string(),
                    kind: action.kind,
                    source: action.source.clone(),
                    target: action.target.clone(),
                    was: action.state,
                    state,
                    reason: reason.map(str::to_string),
                    note: note.map(str::to_string),
                }),
            },
        )?;
        // A reply still waiting reports the deed once it is recorded: draft it again (a
        // draft a person edited is theirs, and is marked outdated instead).
        let draft = if batch.pending_replies_of(case)?.is_empty() {
            None
        } else {
            let drafting = self.drafting(&settings);
            crate::draft::prepare(&batch, case, None, &drafting, crate::case::BOT_ACTOR, now)?
        };
        // A deed done may make Art. 19 notices due to the recipients of that data.
        let notices = if state == ActionState::Done
            && matches!(
                action.kind,
                ActionKind::Erase | ActionKind::Correct | ActionKind::Restrict
            ) {
            let drafting = self.drafting(&settings);
            crate::draft::prepare_notices(&batch, case, &drafting, crate::case::BOT_ACTOR, now)?
        } else {
            Vec::new()
        };
        let action = batch
            .actions_of(case)?
            .into_iter()
            .find(|a| a.number == number)
            .ok_or_else(|| refused(format!("case {case}: action {number} vanished")))?;
        batch.commit()?;
        Ok(ActionRecorded {
            action,
            draft,
            notices,
            erased_entries,
        })
    }
}
