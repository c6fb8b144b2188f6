//! The one-month clock standing still while the controller waits for information it asked
//! for (Art. 12(6); DESIGN: "the clock is suspended, not restarted: the days already run
//! still count"). Takes a case and the time; records `clock_suspended` when the identity
//! decision asks for information and `[identity] clock_waits_for_information` is on, and
//! `clock_resumed` when the answer arrives (or staff record a verification), moving the
//! deadline by the days the clock stood still. It never restarts the month.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

use crate::ids::CaseId;
use crate::store::{Batch, NewEvent, StoreError};
use crate::vocabulary::ClockState;

use super::BOT_ACTOR;
use super::Settings;

/// The event that stops the clock; `store` reads its `since` for `waiting_since`.
pub const SUSPENDED: &str = "clock_suspended";
/// The event that starts it again.
pub const RESUMED: &str = "clock_resumed";

/// Stops the case's clock from `now` (the day the information is asked for), unless it
/// waits already or has waited and resumed before: a second round of questions does not
/// stop it again.
pub fn suspend(
    batch: &Batch<'_>,
    case: CaseId,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let Some(summary) = batch.case_summary(case)? else {
        return Ok(());
    };
    if summary.clock == ClockState::Waiting || batch.last_event(case, RESUMED)?.is_some() {
        return Ok(());
    }
    let received = day(summary.received_at, settings);
    let since = day(now, settings).max(received);
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            kind: SUSPENDED,
            details: json!({
                "since": since.to_string(),
                "days_run": (since - received).get_days(),
                "deadline": summary.deadline.to_string(),
                "rule": "GDPR Art. 12(6): the clock stands still while the information asked for is awaited; the days already run still count ([identity] clock_waits_for_information)",
            }),
        },
    )
}

/// Starts the case's clock again at `at` (the answer's receipt, or a verification staff
/// record) and moves the deadline by the days it stood still. Returns the new deadline,
/// or `None` when the clock was running.
pub fn resume(
    batch: &Batch<'_>,
    case: CaseId,
    settings: &Settings<'_>,
    at: Timestamp,
    actor: &str,
    why: &str,
    now: Timestamp,
) -> Result<Option<Date>, StoreError> {
    let Some(summary) = batch.case_summary(case)? else {
        return Ok(None);
    };
    let Some(since) = summary.waiting_since else {
        return Ok(None);
    };
    let until = day(at, settings).max(since);
    let days = (until - since).get_days();
    let before: i64 = batch
        .last_event(case, RESUMED)?
        .and_then(|e| e["total_days_suspended"].as_i64())
        .unwrap_or(0);
    let total = before + i64::from(days);
    let months = 1 + batch
        .last_event(case, "extended")?
        .and_then(|e| e["months"].as_u64())
        .and_then(|m| u8::try_from(m).ok())
        .unwrap_or(0);
    let received = day(summary.received_at, settings);
    let deadline =
        crate::deadline::deadline_after_suspension(received, months, total, &settings.calendar)
            .unwrap_or(summary.deadline)
            .max(summary.deadline);
    batch.set_case_deadline(case, deadline)?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor,
            kind: RESUMED,
            details: json!({
                "since": since.to_string(),
                "until": until.to_string(),
                "days_suspended": days,
                "total_days_suspended": total,
                "from": summary.deadline.to_string(),
                "deadline": deadline.to_string(),
                "why": why,
                "rule": "GDPR Art. 12(3), 12(6): the period resumes with the days already run; the deadline moves by the days the clock stood still",
            }),
        },
    )?;
    Ok(Some(deadline))
}

/// The calendar day of `at` in the controller's zone.
fn day(at: Timestamp, settings: &Settings<'_>) -> Date {
    at.to_zoned_datetime(settings.timezone.clone()).date()
}
