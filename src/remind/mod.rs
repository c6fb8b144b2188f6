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
use crate::draft::freshness;
use crate::store::{ActionRecord, Batch, StoreError};
use crate::vocabulary::{ActionKind, ActionState, RequestKind};

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
    /// Within 3 working days of its deadline (or past it) and nobody owns the case: the
    /// digest calls it out, so someone takes it.
    pub no_owner: bool,
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
                -i64::from((today - case.deadline).get_days()),
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
            kinds: case.kinds.iter().map(|k| k.as_str().to_string()).collect(),
            // A stop to marketing is never extended (`RequestKind::never_delayed`).
            may_extend: !case.extended
                && threshold != Threshold::Overdue
                && !RequestKind::never_delayed(&case.kinds),
            extension_unsent: case.extension_unsent && threshold != Threshold::Overdue,
            no_owner: false,
        });
    }
    due.sort_by(|a, b| a.deadline.cmp(&b.deadline).then(a.case.cmp(&b.case)));
    due
}

/// A digest ready for the outbox.
#[derive(Debug, Serialize)]
pub struct Digest {
    pub reminders: Vec<Reminder>,
    /// New drafts waiting for approval (not listed when a review mail was their notice).
    pub drafts_waiting: Vec<serde_json::Value>,
    pub sends_failed: Vec<serde_json::Value>,
    /// Unanswered cases whose register data is older than the request, each told once
    /// per set of stale sources: import fresh exports first.
    pub stale_register: Vec<serde_json::Value>,
    /// The `erase` actions opened because a kept record's end date passed.
    pub kept_ended: Vec<serde_json::Value>,
    /// The working day's recap, once a day from `[reminders] daily_hour`: every draft still
    /// waiting, every case still overdue and every open action by owner. `None` when it is
    /// not due.
    pub recap: Option<serde_json::Value>,
    /// The mails it makes: one to each owner with news of their own cases, one to the team
    /// address with the rest (the cases nobody owns).
    pub mails: Vec<DigestMail>,
}

/// Who a digest mail goes to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The team address (`[reminders] staff_address`): the cases nobody owns.
    Team,
    /// A case owner's own address (their staff account's).
    Owner { name: String, email: String },
}

/// One mail of a digest, rendered.
#[derive(Debug, Serialize)]
pub struct DigestMail {
    pub to: Recipient,
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

/// An action as staff read it, in the digest's language.
fn action_name(kind: ActionKind, lang: crate::lang::Lang) -> &'static str {
    use crate::lang::Lang::{En, Fi, Sv};
    match (kind, lang) {
        (ActionKind::Erase, Fi) => "poista",
        (ActionKind::Erase, Sv) => "radera",
        (ActionKind::Erase, En) => "erase",
        (ActionKind::Keep, Fi) => "säilytä rajoitettuna",
        (ActionKind::Keep, Sv) => "bevara begränsat",
        (ActionKind::Keep, En) => "keep restricted",
        (ActionKind::Correct, Fi) => "oikaise",
        (ActionKind::Correct, Sv) => "rätta",
        (ActionKind::Correct, En) => "correct",
        (ActionKind::Restrict, Fi) => "rajoita käsittelyä",
        (ActionKind::Restrict, Sv) => "begränsa behandlingen",
        (ActionKind::Restrict, En) => "restrict",
        (ActionKind::Stop, Fi) => "lopeta käsittely",
        (ActionKind::Stop, Sv) => "upphör med behandlingen",
        (ActionKind::Stop, En) => "stop",
        (ActionKind::StopMarketing, Fi) => "lopeta suoramarkkinointi",
        (ActionKind::StopMarketing, Sv) => "stoppa direktmarknadsföringen",
        (ActionKind::StopMarketing, En) => "stop marketing",
        (ActionKind::Suppress, Fi) => "lisää estolistalle",
        (ActionKind::Suppress, Sv) => "lägg till på spärrlistan",
        (ActionKind::Suppress, En) => "suppress",
        (ActionKind::Notify, Fi) => "ilmoita vastaanottajalle",
        (ActionKind::Notify, Sv) => "underrätta mottagaren",
        (ActionKind::Notify, En) => "notify",
        (ActionKind::Delete, Fi) => "poista henkilöllisyysasiakirja",
        (ActionKind::Delete, Sv) => "radera identitetshandlingen",
        (ActionKind::Delete, En) => "delete the identity document",
    }
}

/// The open actions grouped by owner (the source's `owner`), owners by name; actions
/// with no owner come last, under `null`.
fn by_owner(actions: &[ActionRecord], lang: crate::lang::Lang) -> Vec<serde_json::Value> {
    let mut owners: Vec<Option<&str>> = actions.iter().map(|a| a.owner.as_deref()).collect();
    // `None` sorts first; an unowned deed is listed last, after the named owners.
    owners.sort_by_key(|o| (o.is_none(), *o));
    owners.dedup();
    owners
        .into_iter()
        .map(|owner| {
            json!({
                "owner": owner,
                "actions": actions
                    .iter()
                    .filter(|a| a.owner.as_deref() == owner)
                    .map(|a| json!({
                        "case": a.case,
                        "action": a.number.to_string(),
                        "kind": a.kind,
                        "kind_name": action_name(a.kind, lang),
                        "source": a.source,
                        "target": a.target,
                    }))
                    .collect::<Vec<_>>(),
            })
        })
        .collect()
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
    let lang = config.controller.default_language;
    // Fresh data: an answer made from exports older than the request may miss the person
    // or show old data. Told once for each set of stale sources.
    let imports = batch.register_sources()?;
    let mut stale_register = Vec::new();
    for case in &cases {
        let Ok(id) = case.case.parse::<crate::ids::CaseId>() else {
            continue;
        };
        let Some(summary) = batch.case_summary(id)? else {
            continue;
        };
        let stale = freshness::stale_sources(
            summary.received_at,
            batch.matched_sources(id)?.as_deref(),
            config.register.sources.iter().map(|s| s.name()),
            &imports,
        );
        if stale.is_empty() {
            continue;
        }
        let names: Vec<&str> = stale.iter().map(|s| s.source.as_str()).collect();
        let told = format!("stale_register:{}", names.join(","));
        if batch.remember("case", &case.case, &told, now)? {
            stale_register.push(json!({
                "case": case.case,
                "sources": names,
                "received": crate::draft::dates::format(
                    summary.received_at.to_zoned_datetime(zone.clone()).date(),
                    lang,
                ),
            }));
        }
    }
    // A kept record whose period has ended is erased now: the clock opens the action.
    let kept_ended: Vec<serde_json::Value> = crate::case::open_ended_keeps(batch, today, now)?
        .iter()
        .map(|(a, until)| {
            json!({
                "case": a.case,
                "action": a.number.to_string(),
                "source": a.source,
                "records": a.records,
                "owner": a.owner,
                "until": crate::draft::dates::format(*until, lang),
            })
        })
        .collect();
    // What recurs is told once a working day, from the configured hour: every draft still
    // waiting (marked when its case is overdue), every case still overdue, and every open
    // action by its owner — a to-do list each owner reads until it is ticked.
    let open_actions = batch.actions_in(&[ActionState::Open])?;
    let local = now.to_zoned_datetime(zone.clone());
    let overdue: Vec<&OpenCase> = cases
        .iter()
        .filter(|c| crate::case::past_deadline(c.deadline, today))
        .collect();
    let recap_due = calendar.is_working_day(today)
        && i64::from(local.hour()) >= i64::from(config.reminders.daily_hour.min(23))
        && (!waiting.is_empty() || !overdue.is_empty() || !open_actions.is_empty())
        && batch.remember("daily", &today.to_string(), "recap", now)?;
    // Each case's news goes to its owner; a case nobody (active) owns goes to the team.
    let owners: std::collections::HashMap<String, Recipient> = batch
        .case_owners()?
        .into_iter()
        .map(|(case, name, email)| (case, Recipient::Owner { name, email }))
        .collect();
    let to = |case: &str| owners.get(case).cloned().unwrap_or(Recipient::Team);
    for reminder in &mut reminders {
        reminder.no_owner =
            reminder.threshold <= Threshold::ThreeDays && !owners.contains_key(&reminder.case);
    }
    let case_of = |value: &serde_json::Value| value["case"].as_str().unwrap_or("").to_string();
    let recap_of = |recipient: Option<&Recipient>| -> Option<serde_json::Value> {
        if !recap_due {
            return None;
        }
        let mine = |case: &str| recipient.is_none_or(|r| to(case) == *r);
        let actions: Vec<ActionRecord> = open_actions
            .iter()
            .filter(|a| mine(&a.case))
            .cloned()
            .collect();
        let waiting: Vec<_> = waiting.iter().filter(|d| mine(&d.1)).collect();
        let overdue: Vec<_> = overdue.iter().filter(|c| mine(&c.case)).collect();
        if actions.is_empty() && waiting.is_empty() && overdue.is_empty() {
            return None;
        }
        Some(json!({
            "open_actions": by_owner(&actions, lang),
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
                "kinds": c.kinds.iter().map(|k| right_name(k.as_str(), lang)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))
    };
    let recap = recap_of(None);
    if reminders.is_empty()
        && drafts_waiting.is_empty()
        && sends_failed.is_empty()
        && stale_register.is_empty()
        && kept_ended.is_empty()
        && recap.is_none()
    {
        return Ok(None);
    }
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
    // Everyone who has news: the owners by name, then the team.
    let mut recipients: Vec<Recipient> = reminders
        .iter()
        .map(|r| to(&r.case))
        .chain(
            drafts_waiting
                .iter()
                .chain(&sends_failed)
                .chain(&stale_register)
                .chain(&kept_ended)
                .map(|v| to(&case_of(v))),
        )
        .chain(open_actions.iter().map(|a| to(&a.case)))
        .chain(waiting.iter().map(|d| to(&d.1)))
        .chain(overdue.iter().map(|c| to(&c.case)))
        .collect();
    recipients.sort_by(|a, b| {
        (*a == Recipient::Team)
            .cmp(&(*b == Recipient::Team))
            .then(a.cmp(b))
    });
    recipients.dedup();
    let mut mails = Vec::new();
    for recipient in recipients {
        let theirs = |values: &[serde_json::Value]| -> Vec<serde_json::Value> {
            values
                .iter()
                .filter(|v| to(&case_of(v)) == recipient)
                .cloned()
                .collect()
        };
        let their_reminders: Vec<&Reminder> = reminders
            .iter()
            .filter(|r| to(&r.case) == recipient)
            .collect();
        let parts = (
            theirs(&drafts_waiting),
            theirs(&sends_failed),
            theirs(&stale_register),
            theirs(&kept_ended),
            recap_of(Some(&recipient)),
        );
        if their_reminders.is_empty()
            && parts.0.is_empty()
            && parts.1.is_empty()
            && parts.2.is_empty()
            && parts.3.is_empty()
            && parts.4.is_none()
        {
            continue;
        }
        let context = json!({
            "controller": { "name": config.controller.name },
            "today": crate::draft::dates::format(today, lang),
            "owner": match &recipient {
                Recipient::Owner { name, .. } => Some(name.as_str()),
                Recipient::Team => None,
            },
            "reminders": their_reminders.iter().map(|r| json!({
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
                "no_owner": r.no_owner,
            })).collect::<Vec<_>>(),
            "drafts_waiting": parts.0,
            "sends_failed": parts.1,
            "stale_register": parts.2,
            "kept_ended": parts.3,
            "recap": parts.4,
        });
        let body = templates.render(lang, "digest.txt", &context)?;
        mails.push(DigestMail {
            to: recipient,
            subject: subject.clone(),
            body,
        });
    }
    Ok(Some(Digest {
        reminders,
        drafts_waiting,
        sends_failed,
        stale_register,
        kept_ended,
        recap,
        mails,
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
            kinds: vec![RequestKind::Access],
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
            RequestKind::DirectMarketingOptout,
            RequestKind::ConsentWithdrawal,
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

/// Queues the digest's mails in the caller's transaction, the one that records its
/// reminders as given: all commit, or none. Each owner's mail goes to their own address,
/// the team's to `[reminders] staff_address` (none without one). The sender delivers them
/// after commit; without SMTP they are written to the outbox, and each file is returned
/// with its address.
pub fn queue_digest(
    batch: &Batch<'_>,
    digest: &Digest,
    config: &Config,
    now: Timestamp,
) -> Result<Vec<(String, Option<std::path::PathBuf>)>, DeliverError> {
    let mut queued = Vec::new();
    for (number, mail) in digest.mails.iter().enumerate() {
        let (to, name) = match &mail.to {
            Recipient::Team => match config.reminders.staff_address.as_deref() {
                Some(team) => (team, format!("digest-{}", now.as_second())),
                None => continue,
            },
            // Numbered, not named: an account's name is not made for a file name.
            Recipient::Owner { email, .. } => (
                email.as_str(),
                format!("digest-{}-{}", now.as_second(), number + 1),
            ),
        };
        let file = crate::draft::outbox::queue(
            batch,
            config,
            &crate::draft::outbox::StaffMail {
                kind: crate::store::MailKind::Digest,
                case: None,
                to,
                subject: &mail.subject,
                body: &mail.body,
                attachments: &[],
                name: &name,
            },
            now,
        )?;
        queued.push((to.to_string(), file));
    }
    Ok(queued)
}

#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    #[error(transparent)]
    Outbox(#[from] crate::draft::outbox::OutboxError),
}
