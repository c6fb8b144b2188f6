//! `rightsbot verify CASE --by NAME --note TEXT`: staff record that they verified who asks;
//! the case answers to the address on file and its reply is drafted again.

use std::process::ExitCode;

use super::Context;
use crate::ids::CaseId;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
    /// Who verified (recorded); default: $RIGHTSBOT_STAFF, else the login name.
    #[arg(long)]
    by: Option<String>,
    /// How, in a sentence (recorded), e.g. "called the number on file".
    #[arg(long)]
    note: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let mut store = app.store()?;
    let by = super::staff(args.by.as_deref())?;
    let verified = app.verify(&mut store, args.case, &by, &args.note, ctx.now)?;
    if ctx.json {
        super::print_json(&serde_json::json!({
            "case": args.case.to_string(),
            "identity": "verified",
            "address": verified.address,
            "deadline": verified.deadline,
            "draft": verified.draft,
        }))?;
    } else {
        println!(
            "{}: verified by {by}; deadline {}; replies go to the address on file",
            args.case, verified.deadline
        );
        if let Some(draft) = verified.draft {
            println!("{draft}: drafted again, waits for approval");
        }
    }
    Ok(ExitCode::SUCCESS)
}
