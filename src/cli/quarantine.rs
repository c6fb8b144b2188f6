//! `rightsbot quarantine`: what could not be handled, and why.

use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let config = app.config();
    let store = app.store_read_only()?;
    let entries = app.quarantine(&store)?;
    if ctx.json {
        super::print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!("quarantine is empty");
    }
    // The daemon moves every message it quarantines out of the inbox into this folder;
    // a file from `ingest` stays where it was.
    let folder = config
        .mailbox
        .as_ref()
        .map_or("Quarantine", |mailbox| mailbox.quarantine_folder.as_str());
    for entry in &entries {
        let from_imap = entry.origin.starts_with("imap:");
        let kept = match (entry.message, entry.size) {
            (Some(key), Some(size)) if from_imap => {
                format!("kept as M{key}, {size} bytes; moved to the {folder} folder")
            }
            (Some(key), Some(size)) => format!("kept as M{key}, {size} bytes"),
            _ if from_imap => format!("not read; moved to the {folder} folder"),
            _ => "not read; left in place".to_string(),
        };
        println!("{}  {}: {} ({kept})", entry.at, entry.origin, entry.reason);
    }
    Ok(ExitCode::SUCCESS)
}
