//! `rightsbot assign CASE NAME` / `rightsbot assign CASE --none`: who owns a case. The
//! owner is a staff account; who assigns is recorded in the case's audit trail.

use std::process::ExitCode;

use super::Context;
use crate::ids::CaseId;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
    /// The staff account that will own it (an active account's name).
    #[arg(required_unless_present = "none", conflicts_with = "none")]
    owner: Option<String>,
    /// Leave the case with no owner: its reminders go to the team address.
    #[arg(long)]
    none: bool,
    /// Who assigns it (recorded in its audit trail); default: $RIGHTSBOT_STAFF, else the
    /// login name.
    #[arg(long)]
    by: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let mut store = app.store()?;
    let by = super::staff(args.by.as_deref())?;
    let owner = if args.none {
        None
    } else {
        args.owner.as_deref()
    };
    let assigned = app.assign(&mut store, args.case, owner, &by, ctx.now)?;
    if ctx.json {
        super::print_json(&serde_json::json!({
            "case": assigned.case.to_string(),
            "owner": assigned.owner,
            "was": assigned.was,
        }))?;
    } else {
        match (&assigned.owner, &assigned.was) {
            (Some(owner), was) if was.as_ref() == Some(owner) => {
                println!("{}: already owned by {owner}", assigned.case);
            }
            (Some(owner), _) => println!("{}: assigned to {owner} by {by}", assigned.case),
            (None, Some(was)) => println!("{}: no owner now (was {was})", assigned.case),
            (None, None) => println!("{}: has no owner", assigned.case),
        }
    }
    Ok(ExitCode::SUCCESS)
}
