//! `rightsbot reclassify CASE --kinds ... --by NAME`: a person corrects what a case is about.

use std::process::ExitCode;

use serde_json::json;

use crate::case::reclassify;
use crate::classify::RequestKind;
use crate::ids::CaseId;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
    /// The rights it asks for, comma-separated (replaces what the classifier found).
    #[arg(long, value_delimiter = ',', required = true)]
    kinds: Vec<RequestKind>,
    /// Who decided, for the audit trail.
    #[arg(long, value_name = "NAME")]
    by: String,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let mut store = ctx.store(&config)?;
    let classifier = crate::classify::Classifier::new()?;
    let settings = crate::case::Settings::new(&config, &classifier);
    let batch = store.begin()?;
    let kinds = reclassify(&batch, args.case, &args.kinds, &args.by, ctx.now)?;
    let draft = super::redraft(&batch, &settings, &config, args.case, &args.by, ctx.now)?;
    batch.commit()?;
    if ctx.json {
        super::print_json(
            &json!({ "case": args.case.to_string(), "kinds": kinds, "draft": draft }),
        )?;
    } else {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        println!("{}: {}", args.case, names.join(", "));
        if let Some(draft) = draft {
            println!("{draft}: the reply drafted for it, waiting for approval");
        }
    }
    Ok(ExitCode::SUCCESS)
}
