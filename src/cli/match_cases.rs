//! `rightsbot match [CASE...] [--open]`: find requesters in the register again.

use std::process::ExitCode;

use anyhow::bail;

use crate::app::Rematching;
use crate::ids::CaseId;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The cases, e.g. DSR-2026-0042.
    cases: Vec<CaseId>,
    /// Every case that is not closed.
    #[arg(long, conflicts_with = "cases")]
    open: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let mut store = app.store()?;
    let cases = if args.open {
        Rematching::Open
    } else if args.cases.is_empty() {
        bail!("name the cases to match again, or --open for every open case");
    } else {
        Rematching::These(&args.cases)
    };
    let results = app.rematch(&mut store, cases, ctx.now)?;
    for result in &results {
        if ctx.json {
            super::print_json(result)?;
            continue;
        }
        let from = result.from.as_deref().unwrap_or("not matched");
        if result.changed {
            println!("{}: {from} → {}", result.case, result.to);
        } else {
            println!("{}: {} (unchanged)", result.case, result.to);
        }
    }
    Ok(ExitCode::SUCCESS)
}
