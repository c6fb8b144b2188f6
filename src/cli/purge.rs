//! `rightsbot purge [--dry-run]`: delete what is past its retention, and record that it did.

use std::process::ExitCode;

use jiff::{ToSpan, tz::TimeZone};
use serde_json::json;

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
    let config = ctx.config()?;
    let mut store = ctx.store(&config)?;
    let retention = &config.retention;
    // Months are calendar months in the controller's zone, as the law counts them.
    let zone = config.controller.timezone.zone.clone();
    let now = ctx.now.to_zoned_datetime(zone);
    let closed_before = now
        .checked_sub(i64::from(retention.closed_case_months).months())?
        .timestamp();
    let other_before = now
        .with_time_zone(TimeZone::UTC)
        .checked_sub(i64::from(retention.other_mail_days).days())?
        .timestamp();
    let plan = store.purge_plan(closed_before, other_before)?;
    let events = if args.dry_run || (plan.cases.is_empty() && plan.messages.is_empty()) {
        None
    } else {
        let batch = store.begin()?;
        let events = batch.purge(&plan, args.by.trim(), ctx.now)?;
        batch.commit()?;
        Some(events)
    };
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
