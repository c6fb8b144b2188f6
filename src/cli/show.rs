//! `rightsbot show CASE`: one case, its messages and its audit trail.

use std::process::ExitCode;

use anyhow::bail;

use crate::ids::{CaseId, DraftId};
use crate::store::Store;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A case, e.g. DSR-2026-0042, or a draft, e.g. D12.
    id: Shown,
}

/// What `show` was asked for.
#[derive(Clone, Copy, Debug)]
enum Shown {
    Case(CaseId),
    Draft(DraftId),
}

impl std::str::FromStr for Shown {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(draft) = s.parse::<DraftId>() {
            return Ok(Shown::Draft(draft));
        }
        s.parse::<CaseId>()
            .map(Shown::Case)
            .map_err(|_| format!("{s:?} is neither a case (DSR-2026-0042) nor a draft (D12)"))
    }
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.store(&config)?;
    let id = match args.id {
        Shown::Case(id) => id,
        Shown::Draft(id) => return show_draft(ctx, &store, id),
    };
    let Some(case) = store.case(id)? else {
        bail!("no case {} in {}", id, store.path().display());
    };
    let drafts = store.drafts_of(id)?;
    // The latest identity decision, in full: outcome, why, score, the matched entries.
    let identity = case
        .events
        .iter()
        .rev()
        .find(|e| e.kind == "identity")
        .map(|e| e.details.clone());
    if ctx.json {
        let mut value = serde_json::to_value(&case)?;
        if let Some(object) = value.as_object_mut() {
            object.insert(
                "identity".to_string(),
                identity.clone().unwrap_or(serde_json::Value::Null),
            );
            let drafts: Vec<serde_json::Value> = drafts
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "draft": d.draft,
                        "purpose": d.purpose,
                        "state": d.state,
                        "recipient": d.recipient,
                        "personal_data": d.personal_data,
                        "replaces": d.replaces,
                    })
                })
                .collect();
            object.insert("drafts".to_string(), serde_json::Value::Array(drafts));
        }
        super::print_json(&value)?;
        return Ok(ExitCode::SUCCESS);
    }
    let zone = &config.controller.timezone.zone;
    let local = |t: jiff::Timestamp| {
        t.to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    let summary = &case.summary;
    let left = super::cases::days_left(summary, &config, ctx.now);
    println!("{}  {}", summary.id, summary.state);
    let requester = match (&summary.requester_name, &summary.requester) {
        (Some(name), Some(address)) => format!("{name} <{address}>"),
        (None, Some(address)) => address.clone(),
        _ => "(no sender)".to_string(),
    };
    println!("requester  {requester}");
    println!("subject    {}", summary.subject);
    let kinds: Vec<&str> = summary.kinds.iter().map(|k| k.as_str()).collect();
    let kinds = if kinds.is_empty() {
        "none named yet (triage)".to_string()
    } else {
        kinds.join(", ")
    };
    println!("rights     {kinds}");
    // Staff only: what the classifier could not attribute to a right (issue 18).
    for event in case.events.iter().filter(|e| e.kind == "classified") {
        for sentence in crate::store::unattributed_sentences(&event.details) {
            println!("           a sentence may ask for more: {sentence:?}");
        }
    }
    println!(
        "language   {}",
        summary.language.map_or("unknown", |l| l.code())
    );
    println!(
        "received   {} ({})",
        local(summary.received_at),
        config.controller.timezone.name
    );
    let left = if left < 0 {
        format!("{} days overdue", -left)
    } else {
        format!("{left} days left")
    };
    println!(
        "deadline   {} ({:?}), {left}",
        summary.deadline,
        summary.deadline.weekday()
    );
    if let Some(identity) = &identity {
        let text = |key: &str| {
            identity
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or("-")
                .to_string()
        };
        println!(
            "identity   {} (score {}): {}",
            text("outcome"),
            identity
                .get("score")
                .map_or("-".to_string(), |s| s.to_string()),
            text("reason")
        );
        println!(
            "           the reply will: {}",
            text("action").replace('_', " ")
        );
        for entry in identity
            .get("entries")
            .and_then(|e| e.as_array())
            .into_iter()
            .flatten()
        {
            let field = |key: &str| match entry.get(key) {
                None | Some(serde_json::Value::Null) => "-".to_string(),
                Some(serde_json::Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
            };
            println!(
                "           #{} {} line {}  {}  score {}  matched {}",
                field("entry"),
                field("source"),
                field("line"),
                field("name"),
                field("score"),
                field("fields"),
            );
        }
    }
    if !drafts.is_empty() {
        println!("\ndrafts");
        for draft in &drafts {
            println!(
                "  {:<6} {:<16} {:<10} {}",
                draft.draft.to_string(),
                draft.purpose.as_str(),
                draft.state.as_str(),
                draft.recipient.as_deref().unwrap_or("(no recipient)")
            );
        }
    }
    println!("\nmessages");
    for message in &case.messages {
        println!(
            "  M{:<6} {}  {:<32} {}  [{} bytes, receipt from {}]",
            message.key,
            local(message.received_at),
            message.from_address.as_deref().unwrap_or("(no sender)"),
            message.subject,
            message.size,
            message.received_from,
        );
    }
    println!("\nevents");
    for event in &case.events {
        println!(
            "  {}  {:<10} {:<14} {}",
            local(event.at),
            event.actor,
            event.kind,
            event.details
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show_draft(ctx: &Context, store: &Store, id: DraftId) -> anyhow::Result<ExitCode> {
    let Some(draft) = store.draft(id)? else {
        bail!("no draft {id} in {}", store.path().display());
    };
    if ctx.json {
        super::print_json(&draft)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}  {}  {} ({})",
        draft.draft,
        draft.state.as_str(),
        draft.purpose.as_str(),
        draft.case
    );
    println!(
        "to         {}",
        draft.recipient.as_deref().unwrap_or("(none)")
    );
    println!("           {}", draft.recipient_note);
    println!("subject    {}", draft.subject);
    println!("language   {}", draft.language.code());
    println!(
        "contains   {}",
        if draft.personal_data {
            "personal data (goes only to the address on file)"
        } else {
            "no personal data"
        }
    );
    if let Some(replaces) = draft.replaces {
        println!("edit of    {replaces}");
    }
    if let (Some(at), Some(by)) = (draft.decided_at, &draft.decided_by) {
        println!("decided    {} by {by}", at);
    }
    if let Some(note) = &draft.decision_note {
        println!("note       {note}");
    }
    for attachment in &draft.attachments {
        println!(
            "attached   {} ({}, {} bytes)",
            attachment.name,
            attachment.content_type,
            attachment.content.len()
        );
    }
    println!("\n{}", draft.body);
    Ok(ExitCode::SUCCESS)
}
