//! `rightsbot match [CASE...] [--open]`: find requesters in the register again.

use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::case::{CaseState, Settings, rematch};
use crate::classify::Classifier;
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
    let config = ctx.config()?;
    let mut store = ctx.store(&config)?;
    let cases: Vec<CaseId> = if args.open {
        store
            .cases()?
            .into_iter()
            .filter(|c| c.state != CaseState::Closed)
            .map(|c| c.case_id)
            .collect()
    } else if args.cases.is_empty() {
        bail!("name the cases to match again, or --open for every open case");
    } else {
        args.cases
    };
    let classifier = Classifier::new()?;
    let settings = Settings::new(&config, &classifier);
    let batch = store.begin()?;
    let mut results = Vec::new();
    for case in cases {
        let raw = batch
            .first_message_of(case)?
            .with_context(|| format!("no case {case} (or it has no message)"))?;
        let mail = crate::parse::parse(&raw)
            .map_err(|err| anyhow::anyhow!("case {case}: its message cannot be read: {err}"))?;
        let result = rematch(&batch, case, &mail, &settings, ctx.now)?.0;
        // Who asks decides what the reply may say: draft it again.
        if result.changed {
            super::redraft(
                &batch,
                &settings,
                &config,
                case,
                crate::case::BOT_ACTOR,
                ctx.now,
            )?;
        }
        results.push(result);
    }
    batch.commit()?;
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
