//! `rightsbot purge [--dry-run]`: delete what is past its retention, and record that it did.

use std::process::ExitCode;

use serde_json::json;

use crate::app::Purged;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// List what would be deleted; delete nothing.
    #[arg(long)]
    dry_run: bool,
    /// Who ordered the purge (recorded); default "rightsbot", for a scheduled run.
    #[arg(long, default_value = crate::case::BOT_ACTOR)]
    by: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let by = super::named_staff(&args.by)?;
    let mut store = app.store()?;
    let purged = app.purge(&mut store, args.dry_run, &by, ctx.now)?;
    let Purged {
        closed_before,
        other_before,
        plan,
        events,
    } = purged;
    if ctx.json {
        super::print_json(&json!({
            "dry_run": args.dry_run,
            "closed_before": closed_before,
            "other_mail_before": other_before,
            "cases": plan.cases,
            "messages": plan.messages,
            "events_deleted": events,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let verb = if args.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    println!(
        "{verb} {} closed case{} (closed before {}) and {} message{} in no case (received before {})",
        plan.cases.len(),
        if plan.cases.len() == 1 { "" } else { "s" },
        closed_before,
        plan.messages.len(),
        if plan.messages.len() == 1 { "" } else { "s" },
        other_before,
    );
    for case in &plan.cases {
        println!(
            "  {}  closed {}  {} message{}",
            case.case,
            case.closed_at,
            case.messages,
            if case.messages == 1 { "" } else { "s" }
        );
    }
    for message in &plan.messages {
        println!(
            "  {}  received {}  {}",
            message.message,
            message.received_at,
            message.disposition.as_deref().unwrap_or("-")
        );
    }
    if let Some(events) = events {
        println!("{events} audit events went with the cases; the purge itself is recorded");
    }
    Ok(ExitCode::SUCCESS)
}
