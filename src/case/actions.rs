//! A case's action list kept in step with what its rights ask: new deeds are added, deeds
//! no longer asked are marked not needed, and what staff recorded is never undone.

use crate::vocabulary::RequestKind;
use crate::vocabulary::event::{self, Event};
use jiff::Timestamp;
use jiff::civil::Date;

use super::BOT_ACTOR;
use crate::actions::{Planned, ended_keep_target};
use crate::ids::CaseId;
use crate::store::{ActionDecision, ActionRecord, Batch, NewAction, NewEvent, StoreError};
use crate::vocabulary::{ActionKind, ActionState};

/// Why an open action the case no longer asks for is closed by the bot.
const NO_LONGER_ASKED: &str = "no longer asked: the case's rights changed";

/// Brings a case's stored actions in line with `planned` and returns the list as it now
/// stands. The suppression list is written at once: stopping marketing to the address that
/// asked needs nobody's approval.
pub fn sync_actions(
    batch: &Batch<'_>,
    case: CaseId,
    kinds: &[RequestKind],
    planned: &[Planned],
    now: Timestamp,
) -> Result<Vec<ActionRecord>, StoreError> {
    let existing = batch.actions_of(case)?;
    let mut added = Vec::new();
    let mut dropped = Vec::new();
    let mut reopened = Vec::new();
    for plan in planned {
        let new = NewAction {
            kind: plan.kind,
            source: &plan.source,
            target: &plan.target,
            until: plan.until,
            entries: &plan.entries,
            records: &plan.records,
            owner: plan.owner.as_deref(),
            why: &plan.why,
        };
        let known = existing
            .iter()
            .find(|a| (a.kind, a.source.as_str(), a.target.as_str()) == plan.key());
        match known {
            Some(action) => {
                if action.until != plan.until
                    || action.entries != plan.entries
                    || action.records != plan.records
                    || action.owner != plan.owner
                {
                    batch.update_action_plan(case, action.number, &new)?;
                }
                // Asked again after the bot had closed it: open again.
                if action.state == ActionState::NotNeeded
                    && action.decided_by.as_deref() == Some(BOT_ACTOR)
                {
                    let decision = ActionDecision {
                        state: ActionState::Open,
                        reason: None,
                        note: None,
                        by: BOT_ACTOR,
                    };
                    batch.set_action_state(case, action.number, &decision, now)?;
                    reopened.push(action.number.to_string());
                }
            }
            None => {
                let state = if plan.kind == ActionKind::Suppress {
                    batch.suppress(&plan.target, case, BOT_ACTOR, now)?;
                    ActionState::Done
                } else {
                    ActionState::Open
                };
                let number = batch.insert_action(case, &new, state, BOT_ACTOR, now)?;
                added.push(event::DerivedAction {
                    action: number.to_string(),
                    kind: plan.kind,
                    source: plan.source.clone(),
                    target: plan.target.clone(),
                    state,
                });
            }
        }
    }
    for action in &existing {
        let asked = planned
            .iter()
            .any(|p| p.key() == (action.kind, action.source.as_str(), action.target.as_str()));
        // Only a right no longer asked closes an action: entries that vanished because
        // the erasure was done (or an export that changed) leave what depends on them,
        // such as telling the recipients, to be done.
        let right_asked = crate::actions::asked_by(action.kind)
            .iter()
            .any(|k| kinds.contains(k));
        // The erasure a kept record's end date opened comes from the clock, not from the
        // rights: no new derivation undoes it.
        if !asked
            && !right_asked
            && action.state == ActionState::Open
            && !ends_a_keep(action, &existing)
        {
            let decision = ActionDecision {
                state: ActionState::NotNeeded,
                reason: Some(NO_LONGER_ASKED),
                note: None,
                by: BOT_ACTOR,
            };
            batch.set_action_state(case, action.number, &decision, now)?;
            dropped.push(action.number.to_string());
        }
    }
    if !added.is_empty() || !dropped.is_empty() || !reopened.is_empty() {
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor: BOT_ACTOR,
                event: Event::ActionsDerived(event::ActionsDerived {
                    added,
                    not_needed: dropped,
                    reopened,
                    rule: "each right implies actions in named systems; a reply states as done only what is recorded as done".to_string(),
                }),
            },
        )?;
        return batch.actions_of(case);
    }
    Ok(existing)
}

/// Why the bot opens an erasure when a kept record's period ends.
const KEEP_ENDED_RULE: &str = "Kirjanpitolaki 2:10 §: the period the Act keeps these records for has ended; GDPR Art. 5(1)(e), 17(1): erase them now";

/// Whether `action` is the erasure that follows one of the case's `keep` actions.
fn ends_a_keep(action: &ActionRecord, case_actions: &[ActionRecord]) -> bool {
    action.kind == ActionKind::Erase
        && case_actions.iter().any(|keep| {
            keep.kind == ActionKind::Keep
                && keep.source == action.source
                && keep.until.map(ended_keep_target).as_deref() == Some(action.target.as_str())
        })
}

/// The `keep` actions (open or done; a held one waits for its hold) whose end date is
/// before `today` and whose case has no erasure for them yet. `actions` is every action
/// of the cases concerned, case by case.
pub fn ended_keeps(actions: &[ActionRecord], today: Date) -> Vec<&ActionRecord> {
    actions
        .iter()
        .filter(|keep| {
            keep.kind == ActionKind::Keep
                && matches!(keep.state, ActionState::Open | ActionState::Done)
                && keep.until.is_some_and(|until| until < today)
        })
        .filter(|keep| {
            let target = keep.until.map(ended_keep_target);
            !actions.iter().any(|a| {
                a.case_id == keep.case_id
                    && a.kind == ActionKind::Erase
                    && a.source == keep.source
                    && Some(&a.target) == target.as_ref()
            })
        })
        .collect()
}

/// Opens an `erase` action, once, for each kept record whose end date has passed, with a
/// `keep_ended` event on its case; returns the new actions with the end date that passed.
/// Runs on the clock (`remind`).
pub fn open_ended_keeps(
    batch: &Batch<'_>,
    today: Date,
    now: Timestamp,
) -> Result<Vec<(ActionRecord, Date)>, StoreError> {
    let all = batch.actions_in(&[
        ActionState::Open,
        ActionState::Done,
        ActionState::Held,
        ActionState::NotNeeded,
    ])?;
    let mut opened = Vec::new();
    for keep in ended_keeps(&all, today) {
        let Some(until) = keep.until else { continue };
        let target = ended_keep_target(until);
        let number = batch.insert_action(
            keep.case_id,
            &NewAction {
                kind: ActionKind::Erase,
                source: &keep.source,
                target: &target,
                until: None,
                entries: &keep.entries,
                records: &keep.records,
                owner: keep.owner.as_deref(),
                why: KEEP_ENDED_RULE,
            },
            ActionState::Open,
            BOT_ACTOR,
            now,
        )?;
        batch.append_event(
            keep.case_id,
            &NewEvent {
                at: now,
                actor: BOT_ACTOR,
                event: Event::KeepEnded(event::KeepEnded {
                    action: number.to_string(),
                    kept: keep.number.to_string(),
                    source: keep.source.clone(),
                    until,
                    records: keep.records.clone(),
                    rule: KEEP_ENDED_RULE.to_string(),
                }),
            },
        )?;
        if let Some(action) = batch
            .actions_of(keep.case_id)?
            .into_iter()
            .find(|a| a.number == number)
        {
            opened.push((action, until));
        }
    }
    Ok(opened)
}
