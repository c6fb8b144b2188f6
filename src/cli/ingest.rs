//! `rightsbot ingest PATH...`: offline intake into the store.

use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::case::{Admission, Incoming, Settings, admit};
use crate::classify::Classifier;
use crate::ids::CaseId;
use crate::intake::offline;

use super::Context;

/// Messages per transaction: large enough that a commit's fsync is not the bottleneck,
/// small enough that a crash loses little work (a rolled-back batch is simply redone).
const BATCH_MESSAGES: usize = 256;
/// Raw bytes per transaction, so a batch of large mails commits early.
const BATCH_BYTES: usize = 32 * 1024 * 1024;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// .eml files, folders of .eml files, or Maildirs (their cur/ and new/).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    seen: u64,
    new: u64,
    duplicates: u64,
    quarantined: u64,
    cases_opened: u64,
    cases_joined: u64,
    automated: u64,
    not_requests: u64,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let files = offline::collect(&args.paths)?;
    let mut store = ctx.store(&config)?;
    let classifier = Classifier::new()?;
    let settings = Settings {
        classifier: &classifier,
        timezone: &config.controller.timezone.zone,
        calendar: config.controller.calendar(),
        max_message_bytes: config.ingest.max_message_bytes,
    };

    let progress =
        ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} messages {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );

    let mut summary = Summary::default();
    let mut opened: Vec<CaseId> = Vec::new();
    let mut quarantined: Vec<(String, String)> = Vec::new();
    for chunk in chunks(&files) {
        let batch = store.begin()?;
        for file in chunk {
            let origin = file.path.display().to_string();
            let oversize = file
                .size
                .is_some_and(|size| size > config.ingest.max_message_bytes);
            let raw = if oversize {
                Ok(Vec::new())
            } else {
                std::fs::read(&file.path)
            };
            let incoming = Incoming {
                raw: raw.as_deref().map_err(|err| err.to_string()),
                origin: &origin,
                server_receipt: None,
                delivered_at: file.delivered_at,
                size: file.size,
            };
            summary.seen += 1;
            match admit(&batch, &incoming, &settings, ctx.now)? {
                Admission::Duplicate => summary.duplicates += 1,
                Admission::Quarantined { reason } => {
                    summary.quarantined += 1;
                    quarantined.push((origin, reason));
                }
                Admission::Automated { .. } => {
                    summary.new += 1;
                    summary.automated += 1;
                }
                Admission::NotARequest => {
                    summary.new += 1;
                    summary.not_requests += 1;
                }
                Admission::Opened(case) => {
                    summary.new += 1;
                    summary.cases_opened += 1;
                    opened.push(case);
                }
                Admission::Joined(_) => {
                    summary.new += 1;
                    summary.cases_joined += 1;
                }
            }
            progress.inc(1);
        }
        batch.commit()?;
    }
    progress.finish_and_clear();

    if ctx.json {
        super::print_json(&summary)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "seen {}: {} new ({} cases opened, {} joined, {} not requests, {} automated), {} duplicates, {} quarantined",
        summary.seen,
        summary.new,
        summary.cases_opened,
        summary.cases_joined,
        summary.not_requests,
        summary.automated,
        summary.duplicates,
        summary.quarantined
    );
    if !opened.is_empty() {
        println!();
        let cases = store.cases()?;
        let rows: Vec<_> = cases
            .iter()
            .filter(|c| opened.contains(&c.case_id))
            .collect();
        super::cases::print_table(&rows, &config, ctx.now);
    }
    if !quarantined.is_empty() {
        println!("\nquarantined (kept; see `rightsbot quarantine`):");
        for (origin, reason) in &quarantined {
            println!("  {origin}: {reason}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Splits the files into transactions of at most [`BATCH_MESSAGES`] messages and about
/// [`BATCH_BYTES`] bytes.
fn chunks(files: &[offline::MessageFile]) -> Vec<&[offline::MessageFile]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut bytes = 0usize;
    for (index, file) in files.iter().enumerate() {
        bytes = bytes.saturating_add(file.size.unwrap_or(0) as usize);
        if index + 1 - start >= BATCH_MESSAGES || bytes >= BATCH_BYTES {
            chunks.push(&files[start..=index]);
            start = index + 1;
            bytes = 0;
        }
    }
    if start < files.len() {
        chunks.push(&files[start..]);
    }
    chunks
}
