//! `rightsbot reclassify CASE --kinds ... --by NAME`: a person corrects what a case is about.

use std::process::ExitCode;

use serde_json::json;

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
    let app = ctx.app()?;
    let by = super::named_staff(&args.by)?;
    let mut store = app.store()?;
    let result = app.reclassify(&mut store, args.case, &args.kinds, &by, ctx.now)?;
    let (kinds, draft) = (result.kinds, result.draft);
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
