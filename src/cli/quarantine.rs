//! `rightsbot quarantine`: what could not be handled, and why.

use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.store(&config)?;
    let entries = store.quarantine()?;
    if ctx.json {
        super::print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!("quarantine is empty");
    }
    for entry in &entries {
        let kept = match (entry.message, entry.size) {
            (Some(key), Some(size)) => format!("kept as M{key}, {size} bytes"),
            _ => "not read; left in place".to_string(),
        };
        println!("{}  {}: {} ({kept})", entry.at, entry.origin, entry.reason);
    }
    Ok(ExitCode::SUCCESS)
}
