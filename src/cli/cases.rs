//! `rightsbot cases`: every case with its deadline and days left.

use std::process::ExitCode;

use jiff::Timestamp;
use serde::Serialize;

use crate::classify::RequestKind;
use crate::config::Config;
use crate::store::CaseSummary;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Serialize)]
struct CaseLine<'a> {
    #[serde(flatten)]
    case: &'a CaseSummary,
    days_left: i32,
}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.store_read_only(&config)?;
    let cases = store.cases()?;
    if ctx.json {
        let lines: Vec<_> = cases
            .iter()
            .map(|case| CaseLine {
                case,
                days_left: days_left(case, &config, ctx.now),
            })
            .collect();
        super::print_json(&lines)?;
        return Ok(ExitCode::SUCCESS);
    }
    if cases.is_empty() {
        println!("no cases");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<_> = cases.iter().collect();
    print_table(&rows, &config, ctx.now);
    Ok(ExitCode::SUCCESS)
}

/// Calendar days from today (in the controller's zone) to the deadline; negative when overdue.
pub fn days_left(case: &CaseSummary, config: &Config, now: Timestamp) -> i32 {
    let today = now
        .to_zoned_datetime(config.controller.timezone.zone.clone())
        .date();
    (case.deadline - today).get_days()
}

pub fn print_table(cases: &[&CaseSummary], config: &Config, now: Timestamp) {
    let zone = &config.controller.timezone.zone;
    println!(
        "{:<14} {:<10} {:<14} {:<9} {:<7} {:<28} {:<30} {:<18} SUBJECT",
        "CASE", "RECEIVED", "DEADLINE", "LEFT", "STATE", "RIGHTS", "REQUESTER", "IDENTITY"
    );
    for case in cases {
        let left = days_left(case, config, now);
        let left = if left < 0 {
            format!("{}d over", -left)
        } else {
            format!("{left}d")
        };
        let received = case.received_at.to_zoned_datetime(zone.clone()).date();
        let deadline = format!(
            "{} {}",
            case.deadline,
            &format!("{:?}", case.deadline.weekday())[..3]
        );
        let kinds = if case.kinds.is_empty() {
            "?".to_string()
        } else {
            case.kinds
                .iter()
                .map(|k| short_kind(*k))
                .collect::<Vec<_>>()
                .join(",")
        };
        println!(
            "{:<14} {:<10} {:<14} {:<9} {:<7} {:<28} {:<30} {:<18} {}",
            case.id,
            received.to_string(),
            deadline,
            left,
            case.state.as_str(),
            truncate(&kinds, 28),
            truncate(case.requester.as_deref().unwrap_or("(no sender)"), 30),
            case.identity.as_deref().unwrap_or("-"),
            truncate(&case.subject, 40),
        );
    }
}

/// A short name for a table column; JSON output uses the full names.
pub fn short_kind(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Access => "access",
        RequestKind::Rectification => "rectify",
        RequestKind::Erasure => "erase",
        RequestKind::Restriction => "restrict",
        RequestKind::Portability => "port",
        RequestKind::Objection => "object",
        RequestKind::DirectMarketingOptout => "optout",
        RequestKind::ConsentWithdrawal => "consent",
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
