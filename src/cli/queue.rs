//! `rightsbot queue`: drafts waiting for approval, nearest deadline first.

use std::process::ExitCode;

use crate::app::QueueLine;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let store = app.store_read_only()?;
    let queue = app.queue(&store, ctx.now)?;
    if ctx.json {
        for line in &queue {
            super::print_json(line)?;
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
    for QueueLine {
        entry,
        days_left,
        data_warning,
        ..
    } in &queue
    {
        let left = *days_left;
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
        if let Some(warning) = data_warning {
            println!("        {warning}");
        }
    }
    println!(
        "\n`rightsbot show DRAFT` to read one; `rightsbot approve DRAFT --by NAME` to approve it"
    );
    Ok(ExitCode::SUCCESS)
}
