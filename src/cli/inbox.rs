//! `rightsbot inbox`: stored mail that is in no case, for staff to forward or open.

use std::process::ExitCode;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also list machine-sent mail (auto-replies, bounces, newsletters).
    #[arg(long)]
    all: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let config = app.config();
    let store = app.store_read_only()?;
    let entries = app.inbox(&store, args.all)?;
    if ctx.json {
        super::print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!("inbox is empty: every stored mail from a person is in a case");
        return Ok(ExitCode::SUCCESS);
    }
    let zone = &config.controller.timezone.zone;
    println!(
        "{:<7} {:<16} {:<14} {:<32} SUBJECT",
        "MESSAGE", "RECEIVED", "WHAT", "FROM"
    );
    for entry in &entries {
        println!(
            "{:<7} {:<16} {:<14} {:<32} {}",
            entry.message,
            entry
                .received_at
                .to_zoned_datetime(zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string(),
            entry.disposition,
            entry.from_address.as_deref().unwrap_or("(no sender)"),
            entry.subject
        );
    }
    println!("\nto make one a case: rightsbot open MESSAGE --kinds KIND[,KIND] --by NAME");
    Ok(ExitCode::SUCCESS)
}
