//! `rightsbot check`: is the store sound? SQLite's integrity check, the append-only
//! triggers, every case's audit trail in order, every draft's state reachable. Exit 0
//! with one line when it is; exit 1 with one line per problem when not.

use std::process::ExitCode;

use serde_json::json;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let store = app.store_to_check()?;
    let checked = app.check(&store)?;
    let sound = checked.problems.is_empty();
    if ctx.json {
        super::print_json(&json!({
            "ok": sound,
            "store": app.config().store.path.display().to_string(),
            "cases": checked.cases,
            "events": checked.events,
            "drafts": checked.drafts,
            "messages": checked.messages,
            "triggers": checked.triggers,
            "problems": checked.problems,
        }))?;
    } else if sound {
        println!(
            "ok: {} cases, {} events, {} drafts, {} messages, {} triggers in place",
            checked.cases, checked.events, checked.drafts, checked.messages, checked.triggers
        );
    } else {
        for problem in &checked.problems {
            println!("{problem}");
        }
        eprintln!(
            "rightsbot: {}: {} problem{} found",
            app.config().store.path.display(),
            checked.problems.len(),
            if checked.problems.len() == 1 { "" } else { "s" }
        );
    }
    Ok(if sound {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
