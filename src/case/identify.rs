//! Finding who asks: the matching stage run for a case as it opens, its outcome recorded as
//! an event (what matched, how well, why that outcome, what the reply will do about it).

use jiff::Timestamp;
use serde_json::json;

use crate::ids::CaseId;
use crate::matching::{self, Identity, Lookup, Match, Requester};
use crate::parse::Mail;
use crate::store::{Batch, NewEvent, StoreError};

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
    details: serde_json::Value,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<(), StoreError> {
    batch.set_case_identity(case, identity.outcome.as_str())?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            kind: "identity",
            details,
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
    let previous = batch.last_event(case, "identity")?;
    // A verification recorded by staff (or confirmed from the address on file) makes the
    // case that address's, authenticated: matched from it, answered only to it.
    let verified = batch.last_event(case, super::VERIFIED)?;
    let verified_address = verified
        .as_ref()
        .and_then(|v| v["address"].as_str())
        .map(str::to_string);
    let verified_mail;
    let mail = match &verified_address {
        Some(address) => {
            let mut copy = mail.clone();
            copy.from = Some(crate::parse::Mailbox {
                name: None,
                address: address.clone(),
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
    if let Some(flag) = batch.last_event(case, super::settings::UNAUTHENTICATED_FOLLOW_UP)? {
        let added: Vec<&str> = flag["added"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str())
            .collect();
        found.authentication.passed = false;
        found.authentication.why = format!(
            "{} was added by a follow-up that did not authenticate as the requester ({})",
            added.join(", "),
            flag["authentication"].as_str().unwrap_or("no verdict")
        );
    }
    if let Some(verified) = &verified {
        found.authentication.passed = true;
        found.authentication.why = format!(
            "verified: {}",
            verified["note"].as_str().unwrap_or("recorded")
        );
    }
    let identity = matching::decide(&found, &settings.identity_policy);
    let new = details(&found, &identity);
    // Entry ids change with every import; the source and line say which row it was.
    let rows = |value: &serde_json::Value| -> Vec<(String, u64)> {
        let mut rows: Vec<(String, u64)> = value["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["source"].as_str().unwrap_or_default().to_string(),
                    e["line"].as_u64().unwrap_or_default(),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    let from = previous
        .as_ref()
        .and_then(|p| p["outcome"].as_str())
        .map(str::to_string);
    let changed = match &previous {
        None => true,
        Some(previous) => {
            from.as_deref() != Some(identity.outcome.as_str()) || rows(previous) != rows(&new)
        }
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
pub fn details(found: &Match, identity: &Identity) -> serde_json::Value {
    let entries: Vec<serde_json::Value> = found
        .candidates
        .iter()
        .map(|c| {
            json!({
                "entry": c.entry.id,
                "source": c.entry.source,
                "line": c.entry.line,
                "name": c.entry.name,
                "email": c.entry.email,
                "customer_id": c.entry.customer_id,
                "order": c.entry.order,
                "score": c.score,
                "fields": c.fields,
                "person": c.person,
            })
        })
        .collect();
    json!({
        "outcome": identity.outcome,
        "action": identity.action,
        "clock_waits": identity.clock_waits,
        "reason": identity.reason,
        "score": identity.score,
        "reply_to_on_file": identity.reply_to_on_file,
        "authentication": found.authentication,
        "people": found.people,
        "namesakes": found.namesakes,
        "entries": entries,
    })
}
