//! `rightsbot ingest PATH...`: offline intake into the store.

use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// .eml files, folders of .eml files, or Maildirs (their cur/ and new/).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let files = app.mail_files(&args.paths)?;
    let mut store = app.store()?;
    let progress =
        ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} messages {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let ingested = app.ingest(&mut store, &files, ctx.now, &mut |at| {
        progress.set_position(at.done);
    })?;
    progress.finish_and_clear();

    if ctx.json {
        super::print_json(&ingested.tally)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", ingested.tally);
    if !ingested.opened.is_empty() {
        println!();
        let cases = app.case_summaries(&store, &ingested.opened)?;
        let rows: Vec<_> = cases.iter().collect();
        super::cases::print_table(&rows, app.config(), ctx.now);
    }
    if !ingested.quarantined.is_empty() {
        println!("\nquarantined (kept; see `rightsbot quarantine`):");
        for (origin, reason) in &ingested.quarantined {
            println!("  {origin}: {reason}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
