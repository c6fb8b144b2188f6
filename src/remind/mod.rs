//! Remind: no deadline passes unnoticed. A staff digest lists the cases whose deadline is
//! 7, 3 or 1 working days away or past, with a word about extending while the first month
//! lasts, and the drafts waiting for approval. Each reminder (a case at a threshold, a
//! draft waiting) is given once; a digest with nothing new is not made at all.
//!
//! `remind::due` is pure (open cases, today, the calendar in; reminders out); `remind::run`
//! records them in the caller's transaction and renders the digest for the outbox.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;

use crate::config::Config;
use crate::deadline::HolidayCalendar;
use crate::draft::Templates;
use crate::store::{Batch, StoreError};

/// How close a deadline is, the way staff are told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Threshold {
    Overdue,
    OneDay,
    ThreeDays,
    SevenDays,
}

impl Serialize for Threshold {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Threshold {
    pub fn as_str(self) -> &'static str {
        match self {
            Threshold::Overdue => "overdue",
            Threshold::OneDay => "1_working_day",
            Threshold::ThreeDays => "3_working_days",
            Threshold::SevenDays => "7_working_days",
        }
    }
}

/// An open, unanswered case as reminders see it.
#[derive(Clone, Debug)]
pub struct OpenCase {
    pub case: String,
    pub deadline: Date,
    pub kinds: Vec<String>,
    pub extended: bool,
}

/// One line of a digest.
#[derive(Clone, Debug, Serialize)]
pub struct Reminder {
    pub case: String,
    pub deadline: String,
    pub threshold: Threshold,
    /// Working days left (0 on the last day); negative when overdue (calendar days past).
    pub working_days_left: i64,
    pub kinds: Vec<String>,
    /// Still within the first month and not extended: `extend` is possible.
    pub may_extend: bool,
}

/// Working days after `today` up to and including `deadline`.
pub fn working_days_left(today: Date, deadline: Date, calendar: &HolidayCalendar) -> i64 {
    let mut count = 0;
    let mut day = today;
    while day < deadline {
        day = day.tomorrow().unwrap_or(deadline);
        if calendar.is_working_day(day) {
            count += 1;
        }
    }
    count
}

/// The reminder each case is due at `today`: the tightest threshold it has reached.
pub fn due(cases: &[OpenCase], today: Date, calendar: &HolidayCalendar) -> Vec<Reminder> {
    let mut due = Vec::new();
    for case in cases {
        let (threshold, left) = if crate::case::past_deadline(case.deadline, today) {
            (
                Threshold::Overdue,
                -(today - case.deadline).get_days() as i64,
            )
        } else {
            let left = working_days_left(today, case.deadline, calendar);
            let threshold = match left {
                0 | 1 => Threshold::OneDay,
                2 | 3 => Threshold::ThreeDays,
                4..=7 => Threshold::SevenDays,
                _ => continue,
            };
            (threshold, left)
        };
        due.push(Reminder {
            case: case.case.clone(),
            deadline: case.deadline.to_string(),
            threshold,
            working_days_left: left,
            kinds: case.kinds.clone(),
            may_extend: !case.extended && threshold != Threshold::Overdue,
        });
    }
    due.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.case.cmp(&b.case)));
    due
}

/// A digest ready for the outbox.
#[derive(Debug, Serialize)]
pub struct Digest {
    pub reminders: Vec<Reminder>,
    pub drafts_waiting: Vec<serde_json::Value>,
    pub sends_failed: Vec<serde_json::Value>,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RemindError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Template(#[from] crate::draft::TemplateError),
}

/// Finds what is due and not yet told, records it as told, and renders the digest;
/// `None` when there is nothing new to say.
pub fn run(
    batch: &Batch<'_>,
    config: &Config,
    templates: &Templates,
    now: Timestamp,
) -> Result<Option<Digest>, RemindError> {
    let zone = &config.controller.timezone.zone;
    let today = now.to_zoned_datetime(zone.clone()).date();
    let calendar = config.controller.calendar();
    let cases = batch.unanswered_cases()?;
    let mut reminders = Vec::new();
    for reminder in due(&cases, today, &calendar) {
        if batch.remember("case", &reminder.case, reminder.threshold.as_str(), now)? {
            reminders.push(reminder);
        }
    }
    let mut drafts_waiting = Vec::new();
    for draft in batch.waiting_drafts()? {
        if batch.remember("draft", &draft.0, "waiting", now)? {
            drafts_waiting.push(json!({ "draft": draft.0, "case": draft.1, "purpose": draft.2 }));
        }
    }
    let mut sends_failed = Vec::new();
    for (draft, case, failure) in batch.failed_drafts()? {
        if batch.remember("draft", &draft, "failed", now)? {
            sends_failed.push(json!({ "draft": draft, "case": case, "failure": failure }));
        }
    }
    if reminders.is_empty() && drafts_waiting.is_empty() && sends_failed.is_empty() {
        return Ok(None);
    }
    let lang = config.controller.default_language;
    let context = json!({
        "controller": { "name": config.controller.name },
        "today": crate::draft::dates::format(today, lang),
        "reminders": reminders.iter().map(|r| json!({
            "case": r.case,
            "deadline": r.deadline
                .parse::<Date>()
                .map(|d| crate::draft::dates::format(d, lang))
                .unwrap_or_else(|_| r.deadline.clone()),
            "threshold": r.threshold.as_str(),
            "working_days_left": r.working_days_left,
            "days_overdue": -r.working_days_left,
            "kinds": r.kinds,
            "may_extend": r.may_extend,
        })).collect::<Vec<_>>(),
        "drafts_waiting": drafts_waiting,
        "sends_failed": sends_failed,
    });
    let body = templates.render(lang, "digest.txt", &context)?;
    let subject = match lang {
        crate::lang::Lang::Fi => format!(
            "rightsbot: muistutus {}",
            crate::draft::dates::format(today, lang)
        ),
        crate::lang::Lang::Sv => format!(
            "rightsbot: påminnelse {}",
            crate::draft::dates::format(today, lang)
        ),
        crate::lang::Lang::En => format!(
            "rightsbot: reminder {}",
            crate::draft::dates::format(today, lang)
        ),
    };
    Ok(Some(Digest {
        reminders,
        drafts_waiting,
        sends_failed,
        subject,
        body,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn case(deadline: Date, extended: bool) -> OpenCase {
        OpenCase {
            case: "DSR-2026-0001".to_string(),
            deadline,
            kinds: vec!["access".to_string()],
            extended,
        }
    }

    #[test]
    fn thresholds_count_working_days_past_weekends_and_holidays() {
        let calendar = HolidayCalendar { eves_closed: true };
        // Deadline Monday 7 December 2026; Independence Day (Sun 6 Dec) changes nothing.
        let deadline = date(2026, 12, 7);
        let at = |today| due(&[case(deadline, false)], today, &calendar);
        assert!(
            at(date(2026, 11, 25)).is_empty(),
            "8 working days: nothing yet"
        );
        assert_eq!(at(date(2026, 11, 26))[0].threshold, Threshold::SevenDays);
        // Wednesday 2 Dec: Thu, Fri, Mon left.
        assert_eq!(at(date(2026, 12, 2))[0].working_days_left, 3);
        assert_eq!(at(date(2026, 12, 2))[0].threshold, Threshold::ThreeDays);
        // Friday 4 Dec: only Monday left.
        assert_eq!(at(date(2026, 12, 4))[0].threshold, Threshold::OneDay);
        assert_eq!(at(date(2026, 12, 7))[0].threshold, Threshold::OneDay);
        let overdue = at(date(2026, 12, 8));
        assert_eq!(overdue[0].threshold, Threshold::Overdue);
        assert!(!overdue[0].may_extend);
        assert!(at(date(2026, 12, 4))[0].may_extend);
        assert!(!due(&[case(deadline, true)], date(2026, 12, 4), &calendar)[0].may_extend);
    }
}

/// Queues the digest for the staff address in the caller's transaction, the one that
/// records its reminders as given: both commit, or neither. The sender delivers it after
/// commit; without SMTP it is written to the outbox, and the file is returned.
pub fn queue_digest(
    batch: &Batch<'_>,
    digest: &Digest,
    config: &Config,
    now: Timestamp,
) -> Result<Option<std::path::PathBuf>, DeliverError> {
    let Some(staff) = config.reminders.staff_address.as_deref() else {
        return Ok(None);
    };
    Ok(crate::draft::outbox::queue(
        batch,
        config,
        &crate::draft::outbox::StaffMail {
            kind: crate::store::MailKind::Digest,
            case: None,
            to: staff,
            subject: &digest.subject,
            body: &digest.body,
            attachments: &[],
            name: &format!("digest-{}", now.as_second()),
        },
        now,
    )?)
}

#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    #[error(transparent)]
    Outbox(#[from] crate::draft::outbox::OutboxError),
}
