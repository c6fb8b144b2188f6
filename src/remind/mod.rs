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

pub use crate::store::OpenCase;

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
    /// An extension was decided but its notice has not gone out: it takes effect only if
    /// sent by the deadline (the first month's end, Art. 12(3)).
    pub extension_unsent: bool,
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
            // A stop to marketing is never extended (`RequestKind::never_delayed`).
            may_extend: !case.extended
                && threshold != Threshold::Overdue
                && !never_delayed(&case.kinds),
            extension_unsent: case.extension_unsent && threshold != Threshold::Overdue,
        });
    }
    due.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.case.cmp(&b.case)));
    due
}

/// Whether the rights, as the store names them, only stop marketing.
fn never_delayed(kinds: &[String]) -> bool {
    let kinds: Option<Vec<crate::classify::RequestKind>> = kinds
        .iter()
        .map(|k| crate::classify::RequestKind::parse(k))
        .collect();
    kinds.is_some_and(|kinds| crate::classify::RequestKind::never_delayed(&kinds))
}

/// A digest ready for the outbox.
#[derive(Debug, Serialize)]
pub struct Digest {
    pub reminders: Vec<Reminder>,
    /// New drafts waiting for approval (not listed when a review mail was their notice).
    pub drafts_waiting: Vec<serde_json::Value>,
    pub sends_failed: Vec<serde_json::Value>,
    /// The working day's recap, once a day from `[reminders] daily_hour`: every draft still
    /// waiting and every case still overdue. `None` when it is not due.
    pub recap: Option<serde_json::Value>,
    pub subject: String,
    pub body: String,
}

/// What a draft is, as staff read it, in the digest's language.
fn purpose_name(purpose: &str, lang: crate::lang::Lang) -> String {
    use crate::lang::Lang::{En, Fi, Sv};
    let name = match (purpose, lang) {
        ("reply", Fi) => "vastaus",
        ("reply", Sv) => "svar",
        ("reply", En) => "reply",
        ("acknowledgement", Fi) => "vastaanottokuittaus",
        ("acknowledgement", Sv) => "mottagningskvitto",
        ("acknowledgement", En) => "acknowledgement",
        ("identity_needed", Fi) => "lisätietopyyntö",
        ("identity_needed", Sv) => "begäran om uppgifter",
        ("identity_needed", En) => "request for information",
        ("not_found", Fi) => "tietoja ei löytynyt",
        ("not_found", Sv) => "inga uppgifter hittades",
        ("not_found", En) => "nothing found",
        ("extension", Fi) => "määräajan jatko",
        ("extension", Sv) => "förlängd tidsfrist",
        ("extension", En) => "extension notice",
        ("refusal", Fi) => "kieltäytyminen perusteluineen",
        ("refusal", Sv) => "avslag med skäl",
        ("refusal", En) => "refusal with reasons",
        (other, _) => other,
    };
    name.to_string()
}

/// A right as staff read it, in the digest's language.
fn right_name(kind: &str, lang: crate::lang::Lang) -> String {
    use crate::lang::Lang::{En, Fi, Sv};
    let name = match (kind, lang) {
        ("access", Fi) => "tarkastus",
        ("access", Sv) => "tillgång",
        ("access", En) => "access",
        ("rectification", Fi) => "oikaisu",
        ("rectification", Sv) => "rättelse",
        ("rectification", En) => "rectification",
        ("erasure", Fi) => "poisto",
        ("erasure", Sv) => "radering",
        ("erasure", En) => "erasure",
        ("restriction", Fi) => "käsittelyn rajoitus",
        ("restriction", Sv) => "begränsning",
        ("restriction", En) => "restriction",
        ("portability", Fi) => "siirto",
        ("portability", Sv) => "dataportabilitet",
        ("portability", En) => "portability",
        ("objection", Fi) => "vastustus",
        ("objection", Sv) => "invändning",
        ("objection", En) => "objection",
        ("direct_marketing_optout", Fi) => "suoramarkkinointikielto",
        ("direct_marketing_optout", Sv) => "nej till direktmarknadsföring",
        ("direct_marketing_optout", En) => "no direct marketing",
        ("consent_withdrawal", Fi) => "suostumuksen peruutus",
        ("consent_withdrawal", Sv) => "återkallat samtycke",
        ("consent_withdrawal", En) => "consent withdrawn",
        (other, _) => other,
    };
    name.to_string()
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
    let calendar = crate::deadline::HolidayCalendar::of(&config.controller);
    let cases = batch.unanswered_cases()?;
    let mut reminders = Vec::new();
    for reminder in due(&cases, today, &calendar) {
        if batch.remember("case", &reminder.case, reminder.threshold.as_str(), now)? {
            reminders.push(reminder);
        }
    }
    // A new draft is news once. With approval by mail, its review mail was the notice.
    let reviewed_by_mail =
        config.approval_by_mail.enabled && config.approval_by_mail.staff_address.is_some();
    let waiting = batch.waiting_drafts()?;
    let mut drafts_waiting = Vec::new();
    for draft in &waiting {
        if batch.remember("draft", &draft.0, "waiting", now)? && !reviewed_by_mail {
            drafts_waiting.push(json!({
                "draft": draft.0,
                "case": draft.1,
                "purpose": draft.2,
                "purpose_name": purpose_name(&draft.2, config.controller.default_language),
            }));
        }
    }
    let mut sends_failed = Vec::new();
    for (draft, case, failure) in batch.failed_drafts()? {
        if batch.remember("draft", &draft, "failed", now)? {
            sends_failed.push(json!({ "draft": draft, "case": case, "failure": failure }));
        }
    }
    // What recurs is told once a working day, from the configured hour: every draft still
    // waiting (marked when its case is overdue) and every case still overdue.
    let local = now.to_zoned_datetime(zone.clone());
    let overdue: Vec<&OpenCase> = cases
        .iter()
        .filter(|c| crate::case::past_deadline(c.deadline, today))
        .collect();
    let recap = if calendar.is_working_day(today)
        && i64::from(local.hour()) >= i64::from(config.reminders.daily_hour.min(23))
        && (!waiting.is_empty() || !overdue.is_empty())
        && batch.remember("daily", &today.to_string(), "recap", now)?
    {
        let lang = config.controller.default_language;
        Some(json!({
            "drafts_waiting": waiting.iter().map(|d| json!({
                "draft": d.0,
                "case": d.1,
                "purpose": d.2,
                "purpose_name": purpose_name(&d.2, lang),
                "overdue": overdue.iter().any(|c| c.case == d.1),
            })).collect::<Vec<_>>(),
            "overdue": overdue.iter().map(|c| json!({
                "case": c.case,
                "deadline": crate::draft::dates::format(c.deadline, lang),
                "days_overdue": (today - c.deadline).get_days(),
                "kinds": c.kinds.iter().map(|k| right_name(k, lang)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))
    } else {
        None
    };
    if reminders.is_empty()
        && drafts_waiting.is_empty()
        && sends_failed.is_empty()
        && recap.is_none()
    {
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
            "kinds": r.kinds.iter().map(|k| right_name(k, lang)).collect::<Vec<_>>(),
            "may_extend": r.may_extend,
            "extension_unsent": r.extension_unsent,
        })).collect::<Vec<_>>(),
        "drafts_waiting": drafts_waiting,
        "sends_failed": sends_failed,
        "recap": recap,
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
        recap,
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
            extension_unsent: false,
        }
    }

    #[test]
    fn an_unsent_extension_notice_is_warned_of_three_working_days_before_the_first_month_ends() {
        let calendar = HolidayCalendar { eves_closed: false };
        let mut decided = case(date(2026, 12, 7), true);
        decided.extension_unsent = true;
        // Wednesday 2 December: Thursday, Friday and Monday left.
        let due = due(&[decided], date(2026, 12, 2), &calendar);
        assert_eq!(due[0].threshold, Threshold::ThreeDays);
        assert!(due[0].extension_unsent && !due[0].may_extend);
    }

    #[test]
    fn a_stop_to_marketing_is_never_offered_an_extension() {
        let calendar = HolidayCalendar { eves_closed: false };
        let mut optout = case(date(2026, 12, 7), false);
        optout.kinds = vec![
            "direct_marketing_optout".to_string(),
            "consent_withdrawal".to_string(),
        ];
        assert!(!due(&[optout], date(2026, 12, 2), &calendar)[0].may_extend);
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
