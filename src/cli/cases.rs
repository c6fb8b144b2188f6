//! `rightsbot cases [--open] [--overdue] [--state STATE] [--owner NAME | --mine]`: the cases with their deadlines,
//! days left and answers. Open, answered and overdue mean what `case::Standing` says.

use std::process::ExitCode;

use jiff::Timestamp;

use crate::app::CaseFilter;
use crate::case::Standing;
use crate::classify::RequestKind;
use crate::config::Config;
use crate::store::CaseSummary;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only cases that still owe an answer (in triage or open: not answered, not closed).
    #[arg(long)]
    open: bool,
    /// Only open cases past their deadline.
    #[arg(long)]
    overdue: bool,
    /// Only cases that stand so: triage, open, answered or closed.
    #[arg(long, value_name = "STATE", value_parser = parse_standing)]
    state: Option<Standing>,
    /// Only the cases this staff account owns (`assign`).
    #[arg(long, value_name = "NAME", conflicts_with = "mine")]
    owner: Option<String>,
    /// Only my cases: those owned by the account of who runs this ($RIGHTSBOT_STAFF, else
    /// the login name).
    #[arg(long)]
    mine: bool,
}

fn parse_standing(text: &str) -> Result<Standing, String> {
    Standing::parse(text).ok_or_else(|| {
        format!("not a case state: {text:?} (one of triage, open, answered, closed)")
    })
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let store = app.store_read_only()?;
    let filter = CaseFilter {
        open: args.open,
        overdue: args.overdue,
        standing: args.state,
    };
    let mut lines = app.cases(&store, filter, ctx.now)?;
    let owner = match (&args.owner, args.mine) {
        (Some(name), _) => Some(app.account_name(&store, name)?),
        (None, true) => Some(app.account_name(&store, super::staff(None)?.as_str())?),
        (None, false) => None,
    };
    if let Some(owner) = owner {
        lines.retain(|line| line.case.owner.as_deref() == Some(owner.as_str()));
    }
    if ctx.json {
        super::print_json(&lines)?;
        return Ok(ExitCode::SUCCESS);
    }
    if lines.is_empty() {
        println!("no cases");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<_> = lines.iter().map(|line| &line.case).collect();
    print_table(&rows, app.config(), ctx.now);
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
        "{:<14} {:<10} {:<14} {:<9} {:<8} {:<10} {:<28} {:<30} {:<18} SUBJECT",
        "CASE",
        "RECEIVED",
        "DEADLINE",
        "LEFT",
        "STATE",
        "ANSWERED",
        "RIGHTS",
        "REQUESTER",
        "IDENTITY"
    );
    for case in cases {
        // Days left count only while an answer is owed: an answered or closed case is
        // never "over".
        let left = if case.standing().is_open() && case.waiting_since.is_some() {
            "waiting".to_string()
        } else if case.standing().is_open() {
            let left = days_left(case, config, now);
            if left < 0 {
                format!("{}d over", -left)
            } else {
                format!("{left}d")
            }
        } else {
            "-".to_string()
        };
        let answered = case.answered_at.map_or("-".to_string(), |at| {
            at.to_zoned_datetime(zone.clone()).date().to_string()
        });
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
            "{:<14} {:<10} {:<14} {:<9} {:<8} {:<10} {:<28} {:<30} {:<18} {}",
            case.id,
            received.to_string(),
            deadline,
            left,
            case.standing().as_str(),
            answered,
            truncate(&kinds, 28),
            truncate(case.requester.as_deref().unwrap_or("(no sender)"), 30),
            case.identity.map_or("-", |i| i.as_str()),
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
