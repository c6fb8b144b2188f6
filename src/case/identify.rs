//! Finding who asks: the matching stage run for a case as it opens, its outcome recorded as
//! an event (what matched, how well, why that outcome, what the reply will do about it).

use jiff::Timestamp;
use serde_json::json;

use crate::ids::CaseId;
use crate::matching::{self, Identity, Lookup, Match, Requester};
use crate::parse::Mail;
use crate::store::{Batch, NewEvent, StoreError};

use super::BOT_ACTOR;
use super::admit::Settings;

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
    batch.set_case_identity(case, identity.outcome.as_str())?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            kind: "identity",
            details: details(&found, &identity),
        },
    )?;
    Ok(identity)
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
