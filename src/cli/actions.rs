//! `rightsbot actions [CASE] [--open]`, `rightsbot done CASE ACTION [--note TEXT]`,
//! `rightsbot hold CASE ACTION --reason TEXT`, `rightsbot release CASE ACTION`,
//! `rightsbot not-needed CASE ACTION --reason TEXT`, and
//! `rightsbot suppression list|export --csv`.

use std::process::ExitCode;

use anyhow::anyhow;

use super::Context;
use crate::app::{ActionChange, CarriedOut};
use crate::ids::CaseId;
use crate::store::ActionRecord;
use crate::vocabulary::ActionNumber;

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// One case, e.g. DSR-2026-0042; without it, every case's open and held actions.
    case: Option<CaseId>,
    /// Only what is still to be done.
    #[arg(long)]
    open: bool,
}

#[derive(Debug, clap::Args)]
pub struct DoneArgs {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
    /// The action, e.g. A3 (see `rightsbot actions CASE`).
    #[arg(value_parser = parse_action)]
    action: ActionNumber,
    /// How it was done (recorded), e.g. "deleted in the webshop admin".
    #[arg(long)]
    note: Option<String>,
    /// Who did it; default: $RIGHTSBOT_STAFF, else the login name.
    #[arg(long)]
    by: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DoArgs {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
    /// The action, e.g. A3 (see `rightsbot actions CASE`).
    #[arg(value_parser = parse_action)]
    action: ActionNumber,
    /// Who asks for it; default: $RIGHTSBOT_STAFF, else the login name.
    #[arg(long)]
    by: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ReasonArgs {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
    /// The action, e.g. A3.
    #[arg(value_parser = parse_action)]
    action: ActionNumber,
    /// Why (recorded; a held erasure's reason is told to the person).
    #[arg(long)]
    reason: String,
    /// Who decides; default: $RIGHTSBOT_STAFF, else the login name.
    #[arg(long)]
    by: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
    /// The action, e.g. A3.
    #[arg(value_parser = parse_action)]
    action: ActionNumber,
    /// Who lifts the hold; default: $RIGHTSBOT_STAFF, else the login name.
    #[arg(long)]
    by: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum SuppressionCommand {
    /// The addresses that get no direct marketing, with the case that put each there.
    List,
    /// The list for the newsletter tool: CSV with a header (address,case,added_at).
    Export {
        /// Write CSV (the only format so far).
        #[arg(long)]
        csv: bool,
    },
}

fn parse_action(text: &str) -> Result<ActionNumber, String> {
    ActionNumber::parse(text).ok_or_else(|| format!("not an action: {text:?} (e.g. A3)"))
}

pub fn list(ctx: &Context, args: ListArgs) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let store = app.store_read_only()?;
    let actions = app.actions(&store, args.case, args.open)?;
    if ctx.json {
        for action in &actions {
            super::print_json(action)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if actions.is_empty() {
        match args.case {
            Some(case) => println!("{case}: no actions"),
            None => println!("no open actions"),
        }
    }
    for action in &actions {
        println!("{}", line(action, args.case.is_none()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `A3  erase  webshop_customers  open  (customer service)  …`
pub(super) fn line(action: &ActionRecord, with_case: bool) -> String {
    let mut text = String::new();
    if with_case {
        text.push_str(&format!("{}  ", action.case));
    }
    text.push_str(&format!(
        "{:<4} {:<15}",
        action.number.to_string(),
        action.kind.as_str()
    ));
    let place = if action.kind == crate::vocabulary::ActionKind::Delete {
        "stored mail".to_string()
    } else if action.source.is_empty() {
        "suppression list".to_string()
    } else {
        action.source.clone()
    };
    text.push_str(&format!(" {place}"));
    if !action.target.is_empty() && action.until.is_none() {
        text.push_str(&format!(": {}", action.target));
    }
    if let Some(until) = action.until {
        text.push_str(&format!(" until {until}"));
    }
    if !action.records.is_empty() {
        let shown: Vec<&str> = action.records.iter().take(5).map(String::as_str).collect();
        let more = action.records.len().saturating_sub(shown.len());
        text.push_str(&format!(" [{}", shown.join(", ")));
        if more > 0 {
            text.push_str(&format!(", {more} more"));
        }
        text.push(']');
    }
    text.push_str(&format!("  {}", action.state));
    if let Some(reason) = &action.reason {
        text.push_str(&format!(" ({reason})"));
    }
    if let Some(by) = &action.decided_by {
        text.push_str(&format!(" by {by}"));
    }
    if action.state.is_open()
        && let Some(owner) = &action.owner
    {
        text.push_str(&format!("  owner: {owner}"));
    }
    text
}

fn record(
    ctx: &Context,
    case: CaseId,
    action: ActionNumber,
    change: ActionChange,
    by: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let by = super::staff(by)?;
    let mut store = app.store()?;
    let recorded = app.record_action(&mut store, case, action, change, &by, ctx.now)?;
    if ctx.json {
        super::print_json(&serde_json::json!({
            "case": case.to_string(),
            "action": recorded.action,
            "erased_entries": recorded.erased_entries,
            "draft": recorded.draft,
            "notices": recorded.notices,
        }))?;
    } else {
        println!("{case}: {}", line(&recorded.action, false));
        if recorded.erased_entries > 0 {
            println!(
                "{case}: {} register entries erased from the snapshot (tombstones kept)",
                recorded.erased_entries
            );
        }
        if let Some(draft) = recorded.draft {
            println!("{draft}: the reply drafted again to report it");
        }
        for notice in &recorded.notices {
            println!("{notice}: an Art. 19 notice drafted for approval");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn done(ctx: &Context, args: DoneArgs) -> anyhow::Result<ExitCode> {
    let change = ActionChange::Done { note: args.note };
    record(ctx, args.case, args.action, change, args.by.as_deref())
}

pub fn carry_out(ctx: &Context, args: DoArgs) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let by = super::staff(args.by.as_deref())?;
    let mut store = app.store()?;
    let case = args.case;
    let outcome = app.carry_out(&mut store, case, args.action, &by, ctx.now)?;
    let (runs, failed) = match &outcome {
        CarriedOut::Done { runs, .. } => (runs, false),
        CarriedOut::Failed { runs, .. } => (runs, true),
    };
    if ctx.json {
        super::print_json(&serde_json::json!({
            "case": case.to_string(),
            "action": match &outcome {
                CarriedOut::Done { recorded, .. } => &recorded.action,
                CarriedOut::Failed { action, .. } => &**action,
            },
            "runs": runs,
            "done": !failed,
        }))?;
    } else {
        for run in runs {
            let exit = run
                .exit
                .map_or("no exit code".to_string(), |code| format!("exit {code}"));
            let line = run.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            println!("{case} {}{line}: {exit}", args.action);
            for text in run.output.lines().filter(|l| !l.trim().is_empty()) {
                println!("    {text}");
            }
        }
        match &outcome {
            CarriedOut::Done { recorded, .. } => {
                println!("{case}: {}", line(&recorded.action, false));
                if let Some(draft) = recorded.draft {
                    println!("{draft}: the reply drafted again to report it");
                }
                for notice in &recorded.notices {
                    println!("{notice}: an Art. 19 notice drafted for approval");
                }
            }
            CarriedOut::Failed { .. } => {}
        }
    }
    if failed {
        eprintln!(
            "rightsbot: {case} {}: the command failed (see above); the action stays open and the run is recorded",
            args.action
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn hold(ctx: &Context, args: ReasonArgs) -> anyhow::Result<ExitCode> {
    let change = ActionChange::Hold {
        reason: args.reason,
    };
    record(ctx, args.case, args.action, change, args.by.as_deref())
}

pub fn not_needed(ctx: &Context, args: ReasonArgs) -> anyhow::Result<ExitCode> {
    let change = ActionChange::NotNeeded {
        reason: args.reason,
    };
    record(ctx, args.case, args.action, change, args.by.as_deref())
}

pub fn release(ctx: &Context, args: ReleaseArgs) -> anyhow::Result<ExitCode> {
    record(
        ctx,
        args.case,
        args.action,
        ActionChange::Release,
        args.by.as_deref(),
    )
}

pub fn suppression(ctx: &Context, command: SuppressionCommand) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let store = app.store_read_only()?;
    let list = app.suppression(&store)?;
    match command {
        SuppressionCommand::List => {
            if ctx.json {
                for entry in &list {
                    super::print_json(entry)?;
                }
            } else if list.is_empty() {
                println!("the suppression list is empty");
            } else {
                for entry in &list {
                    println!(
                        "{}  {}  {}",
                        entry.address,
                        entry.case.as_deref().unwrap_or("-"),
                        entry.added_at
                    );
                }
            }
        }
        SuppressionCommand::Export { csv } => {
            if !csv {
                return Err(anyhow!("suppression export: say the format: --csv"));
            }
            let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
            writer.write_record(["address", "case", "added_at"])?;
            for entry in &list {
                writer.write_record([
                    entry.address.as_str(),
                    entry.case.as_deref().unwrap_or(""),
                    &entry.added_at.to_string(),
                ])?;
            }
            writer.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
