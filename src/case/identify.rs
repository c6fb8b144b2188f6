//! Finding who asks: the matching stage run for a case as it opens, its outcome recorded as
//! an event (what matched, how well, why that outcome, what the reply will do about it).

use jiff::Timestamp;

use crate::ids::CaseId;
use crate::matching::{self, Identity, Lookup, Match, Requester};
use crate::parse::Mail;
use crate::store::{Batch, NewEvent, StoreError};
use crate::vocabulary::event::{
    Authenticated, Event, EventKind, Identified, MatchedEntry, MatchedPerson,
};

use super::BOT_ACTOR;
use super::Settings;

/// Finds a mail's sender in the register.
pub fn find_requester<L: Lookup>(
    lookup: &L,
    mail: &Mail,
    settings: &Settings<'_>,
) -> Result<Match, L::Error> {
    // The subject and the sender's own text (signature included) are where people write
    // their details; quoted history may hold someone else's.
    let text = format!("{}\n{}", mail.subject, mail.own_text);
    let requester = Requester {
        email: mail.from.as_ref().map(|m| m.address.as_str()),
        name: mail.from.as_ref().and_then(|m| m.name.as_deref()),
        text: &text,
        authentication_results: &mail.authentication_results,
    };
    matching::find(lookup, &requester, &settings.matching())
}

/// Matches the case's requester against the register and records the identity decision.
pub fn identify(
    batch: &Batch<'_>,
    case: CaseId,
    mail: &Mail,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<Identity, StoreError> {
    let found = find_requester(batch, mail, settings)?;
    let identity = matching::decide(&found, &settings.identity_policy);
    record(
        batch,
        case,
        &identity,
        details(&found, &identity),
        settings,
        now,
    )?;
    Ok(identity)
}

/// Sets the case's identity outcome and writes the event that explains it; when the
/// decision asks for information and the clock waits for it, the clock stops.
fn record(
    batch: &Batch<'_>,
    case: CaseId,
    identity: &Identity,
    details: Identified,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    batch.set_case_identity(case, identity.outcome.as_str())?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            event: Event::Identity(details),
        },
    )?;
    if identity.clock_waits {
        super::clock::suspend(batch, case, settings, now)?;
    }
    Ok(())
}

/// What matching a case again found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rematch {
    pub case: String,
    /// The outcome before, if the case was matched before.
    pub from: Option<String>,
    pub to: crate::matching::IdentityOutcome,
    /// Whether the outcome or the matched entries changed (and an event was recorded).
    pub changed: bool,
}

/// Matches a case's requester again, against the register as it is now (after an import),
/// and records a new identity event only when the outcome or the matched entries differ.
pub fn rematch(
    batch: &Batch<'_>,
    case: CaseId,
    mail: &Mail,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<(Rematch, Match, Identity), StoreError> {
    let previous = match batch.last_event(case, EventKind::Identity)? {
        Some(Event::Identity(previous)) => Some(previous),
        _ => None,
    };
    // A verification recorded by staff (or confirmed from the address on file) makes the
    // case that address's, authenticated: matched from it, answered only to it.
    let verified = match batch.last_event(case, EventKind::Verified)? {
        Some(Event::Verified(verified)) => Some(verified),
        _ => None,
    };
    let verified_mail;
    let mail = match &verified {
        Some(verified) => {
            let mut copy = mail.clone();
            copy.from = Some(crate::parse::Mailbox {
                name: None,
                address: verified.address.clone(),
            });
            copy.authentication_results.clear();
            verified_mail = copy;
            &verified_mail
        }
        None => mail,
    };
    let mut found = find_requester(batch, mail, settings)?;
    // The request authenticated, but rights were added by a follow-up that did not: what
    // is decided now covers them too, so nothing proves the whole request came from the
    // address on file.
    if let Some(Event::UnauthenticatedFollowUp(flag)) =
        batch.last_event(case, EventKind::UnauthenticatedFollowUp)?
    {
        let added: Vec<&str> = flag.added.iter().map(|k| k.as_str()).collect();
        found.authentication.passed = false;
        found.authentication.why = format!(
            "{} was added by a follow-up that did not authenticate as the requester ({})",
            added.join(", "),
            flag.authentication
        );
    }
    if let Some(verified) = &verified {
        found.authentication.passed = true;
        found.authentication.why = format!("verified: {}", verified.note);
    }
    let identity = matching::decide(&found, &settings.identity_policy);
    let new = details(&found, &identity);
    // Entry ids change with every import; the source and line say which row it was.
    let rows = |identified: &Identified| -> Vec<(String, u64)> {
        let mut rows: Vec<(String, u64)> = identified
            .entries
            .iter()
            .map(|e| (e.source.clone(), e.line))
            .collect();
        rows.sort();
        rows
    };
    let from = previous.as_ref().map(|p| p.outcome.as_str().to_string());
    let changed = match &previous {
        None => true,
        Some(previous) => previous.outcome != identity.outcome || rows(previous) != rows(&new),
    };
    if changed {
        record(batch, case, &identity, new, settings, now)?;
    }
    let result = Rematch {
        case: case.to_string(),
        from,
        to: identity.outcome,
        changed,
    };
    Ok((result, found, identity))
}

/// The event's details: everything `show CASE` needs to explain the outcome.
pub fn details(found: &Match, identity: &Identity) -> Identified {
    let entries = found
        .candidates
        .iter()
        .map(|c| MatchedEntry {
            entry: c.entry.id,
            source: c.entry.source.clone(),
            line: c.entry.line,
            name: c.entry.name.clone(),
            email: c.entry.email.clone(),
            customer_id: c.entry.customer_id.clone(),
            order: c.entry.order.clone(),
            score: c.score,
            fields: c.fields.iter().copied().collect(),
            person: c.person,
        })
        .collect();
    Identified {
        outcome: identity.outcome,
        action: identity.action,
        clock_waits: identity.clock_waits,
        reason: identity.reason.clone(),
        score: identity.score,
        reply_to_on_file: identity.reply_to_on_file.clone(),
        authentication: Authenticated {
            passed: found.authentication.passed,
            authserv_id: found.authentication.authserv_id.clone(),
            why: found.authentication.why.clone(),
        },
        people: found
            .people
            .iter()
            .map(|p| MatchedPerson {
                names: p.names.clone(),
                score: p.score,
                conflicting_names: p.conflicting_names,
            })
            .collect(),
        namesakes: found.namesakes,
        entries,
    }
}
