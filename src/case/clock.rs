//! The one-month clock standing still while the controller waits for information it asked
//! for (Art. 12(6); DESIGN: "the clock is suspended, not restarted: the days already run
//! still count"). Takes a case and the time; records `clock_suspended` when the identity
//! decision asks for information and `[identity] clock_waits_for_information` is on, and
//! `clock_resumed` when the answer arrives (or staff record a verification), moving the
//! deadline by the days the clock stood still. It never restarts the month.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::config::Config;
use crate::deadline::HolidayCalendar;
use crate::ids::{CaseId, DraftId};
use crate::store::{Batch, NewEvent, StoreError};
use crate::vocabulary::event::{self, Event, EventKind};
use crate::vocabulary::{ClockState, Purpose, RequestKind};

use super::BOT_ACTOR;
use super::Settings;

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
    // A stop to marketing waits for no one (`RequestKind::never_delayed`).
    if summary.clock == ClockState::Waiting
        || RequestKind::never_delayed(&summary.kinds)
        || batch.has_event(case, EventKind::ClockResumed)?
    {
        return Ok(());
    }
    let received = day(summary.received_at, settings);
    let since = day(now, settings).max(received);
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            event: Event::ClockSuspended(event::ClockSuspended {
                since,
                days_run: (since - received).get_days(),
                deadline: summary.deadline,
                rule: "GDPR Art. 12(6): the clock stands still while the information asked for is awaited; the days already run still count ([identity] clock_waits_for_information)".to_string(),
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
    let total = total_suspended(batch, case)? + i64::from(days);
    let months = 1 + extension_months(batch, case)?;
    let received = day(summary.received_at, settings);
    // Past jiff's range there is no later day to move to: the deadline stays.
    let deadline =
        crate::deadline::deadline_after_suspension(received, months, total, &settings.calendar)
            .map_or(summary.deadline, |moved| moved.max(summary.deadline));
    batch.set_case_deadline(case, deadline)?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor,
            event: Event::ClockResumed(event::ClockResumed {
                since,
                until,
                days_suspended: days,
                total_days_suspended: total,
                from: summary.deadline,
                deadline,
                why: why.to_string(),
                rule: "GDPR Art. 12(3), 12(6): the period resumes with the days already run; the deadline moves by the days the clock stood still".to_string(),
            }),
        },
    )?;
    Ok(Some(deadline))
}

/// The calendar day of `at` in the controller's zone.
fn day(at: Timestamp, settings: &Settings<'_>) -> Date {
    at.to_zoned_datetime(settings.timezone.clone()).date()
}

/// The days the case's clock stood still and has resumed from (0 when it never did).
pub fn total_suspended(batch: &Batch<'_>, case: CaseId) -> Result<i64, StoreError> {
    Ok(match batch.last_event(case, EventKind::ClockResumed)? {
        Some(Event::ClockResumed(resumed)) => resumed.total_days_suspended,
        _ => 0,
    })
}

/// The further months an extension that took effect (its notice was sent) added (0 when
/// none did).
fn extension_months(batch: &Batch<'_>, case: CaseId) -> Result<u8, StoreError> {
    Ok(
        match batch.last_event(case, EventKind::ExtensionEffective)? {
            Some(Event::ExtensionEffective(effective)) => effective.months,
            _ => 0,
        },
    )
}

/// The last day of the case's first month on `today`: a month from receipt, moved by the
/// days its clock stood still (and, while it still waits, by the days waited so far). An
/// extension must be told within it (Art. 12(3)).
pub fn first_month_end(
    batch: &Batch<'_>,
    case: CaseId,
    config: &Config,
    today: Date,
) -> Result<Option<Date>, StoreError> {
    let Some(summary) = batch.case_summary(case)? else {
        return Ok(None);
    };
    let zone = &config.controller.timezone.zone;
    let received = summary.received_at.to_zoned_datetime(zone.clone()).date();
    let waiting = summary
        .waiting_since
        .map_or(0, |since| i64::from((today.max(since) - since).get_days()));
    Ok(crate::deadline::deadline_after_suspension(
        received,
        1,
        total_suspended(batch, case)? + waiting,
        &HolidayCalendar::of(&config.controller),
    ))
}

/// Whether a notice of extension for `case` may still go out at `now`: `Err` with the
/// first month's last day when that day has passed.
pub fn extension_in_time(
    batch: &Batch<'_>,
    case: CaseId,
    config: &Config,
    now: Timestamp,
) -> Result<Result<(), Date>, StoreError> {
    let today = now
        .to_zoned_datetime(config.controller.timezone.zone.clone())
        .date();
    Ok(match first_month_end(batch, case, config, today)? {
        Some(end) if today > end => Err(end),
        _ => Ok(()),
    })
}

/// Records that a notice of extension could not go out in time: the extension does not
/// take effect, and the deadline stays the first month's.
pub fn refuse_extension(
    batch: &Batch<'_>,
    case: CaseId,
    draft: DraftId,
    end: Date,
    actor: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor,
            event: Event::ExtensionRefused(event::ExtensionRefused {
                draft: draft.to_string(),
                first_month_ended: end,
                rule: "GDPR Art. 12(3): the data subject must be told of an extension within the first month; a notice that cannot go out by then does not extend anything".to_string(),
            }),
        },
    )
}

/// The notice of extension `draft` went out (the mail server accepted it, or it was
/// written to the outbox): the extension takes effect and the deadline moves. A draft of
/// another purpose changes nothing. Returns the new deadline.
pub fn extension_sent(
    batch: &Batch<'_>,
    case: CaseId,
    draft: DraftId,
    purpose: Purpose,
    config: &Config,
    now: Timestamp,
) -> Result<Option<Date>, StoreError> {
    if purpose != Purpose::Extension || batch.has_event(case, EventKind::ExtensionEffective)? {
        return Ok(None);
    }
    let (Some(Event::Extended(decision)), Some(summary)) = (
        batch.last_event(case, EventKind::Extended)?,
        batch.case_summary(case)?,
    ) else {
        return Ok(None);
    };
    // Every path that sends checks the month first; a notice that still went out late
    // (approved by mail into the outbox) is told too late and extends nothing.
    if let Err(end) = extension_in_time(batch, case, config, now)? {
        refuse_extension(batch, case, draft, end, BOT_ACTOR, now)?;
        return Ok(None);
    }
    let months = decision.months;
    let zone = &config.controller.timezone.zone;
    let received = summary.received_at.to_zoned_datetime(zone.clone()).date();
    // A clock that still waits moves the deadline when it resumes, months and all.
    let deadline = crate::deadline::deadline_after_suspension(
        received,
        1 + months,
        total_suspended(batch, case)?,
        &HolidayCalendar::of(&config.controller),
    )
    .map_or(summary.deadline, |moved| moved.max(summary.deadline));
    batch.set_case_deadline(case, deadline)?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            event: Event::ExtensionEffective(event::ExtensionEffective {
                draft: draft.to_string(),
                months,
                from: summary.deadline,
                deadline,
                rule:
                    "GDPR Art. 12(3): an extension takes effect when the data subject is told of it"
                        .to_string(),
            }),
        },
    )?;
    Ok(Some(deadline))
}
