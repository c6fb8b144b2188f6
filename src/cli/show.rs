//! `rightsbot show CASE`: one case, its messages and its audit trail.

use std::process::ExitCode;

use anyhow::bail;

use crate::ids::CaseId;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.store(&config)?;
    let Some(case) = store.case(args.case)? else {
        bail!("no case {} in {}", args.case, store.path().display());
    };
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
