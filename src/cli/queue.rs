//! `rightsbot queue`: drafts waiting for approval, nearest deadline first.

use std::process::ExitCode;

use serde::Serialize;

use crate::store::QueueEntry;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    entry: &'a QueueEntry,
    days_left: i32,
}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.store_read_only(&config)?;
    let queue = store.pending_drafts()?;
    let today = ctx
        .now
        .to_zoned_datetime(config.controller.timezone.zone.clone())
        .date();
    let days_left = |entry: &QueueEntry| (entry.deadline - today).get_days();
    if ctx.json {
        for entry in &queue {
            super::print_json(&Line {
                entry,
                days_left: days_left(entry),
            })?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if queue.is_empty() {
        println!("no drafts waiting for approval");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<7} {:<14} {:<16} {:<4} {:<10} {:<9} RECIPIENT",
        "DRAFT", "CASE", "PURPOSE", "LANG", "DEADLINE", "LEFT"
    );
    for entry in &queue {
        let left = days_left(entry);
        let left = if left < 0 {
            format!("{}d over", -left)
        } else {
            format!("{left}d")
        };
        println!(
            "{:<7} {:<14} {:<16} {:<4} {:<10} {:<9} {}",
            entry.draft.to_string(),
            entry.case,
            entry.purpose.as_str(),
            entry.language.code(),
            entry.deadline.to_string(),
            left,
            entry
                .recipient
                .as_deref()
                .unwrap_or("(none: cannot be sent)"),
        );
    }
    println!(
        "\n`rightsbot show DRAFT` to read one; `rightsbot approve DRAFT --by NAME` to approve it"
    );
    Ok(ExitCode::SUCCESS)
}
