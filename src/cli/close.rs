//! `rightsbot close CASE --by NAME --outcome TEXT`: a case is finished; the drafts still
//! waiting for approval are rejected with it.

use std::process::ExitCode;

use super::Context;
use crate::ids::CaseId;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
    /// Who closes it (recorded in its audit trail); default: $RIGHTSBOT_STAFF, else the
    /// login name.
    #[arg(long)]
    by: Option<String>,
    /// What was done, in a sentence (recorded), e.g. "data sent 2026-11-30".
    #[arg(long, default_value = "closed")]
    outcome: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let mut store = app.store()?;
    let by = super::staff(args.by.as_deref())?;
    let rejected = app.close(&mut store, args.case, &by, &args.outcome, ctx.now)?;
    if ctx.json {
        super::print_json(&serde_json::json!({
            "case": args.case.to_string(),
            "state": "closed",
            "drafts_rejected": rejected,
        }))?;
    } else {
        println!("{}: closed by {by}", args.case);
        for draft in &rejected {
            println!("{draft}: rejected, as the case is closed");
        }
    }
    Ok(ExitCode::SUCCESS)
}
