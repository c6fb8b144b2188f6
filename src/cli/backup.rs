//! `rightsbot backup FILE [--force]`: a consistent copy of the store, safe while the
//! daemon runs.

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;

use crate::app::AppError;
use crate::store::BackupError;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where the copy goes; it is written beside it first and renamed into place only
    /// after its integrity check.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let backed_up = match app.backup(&args.file, args.force) {
        Err(AppError::Backup(BackupError::Exists { path })) => anyhow::bail!(
            "backup {} already exists: give --force to replace it",
            path.display()
        ),
        other => other?,
    };
    if ctx.json {
        super::print_json(&json!({
            "file": backed_up.path.display().to_string(),
            "bytes": backed_up.bytes,
            "restarts": backed_up.restarts,
            "integrity": "ok",
        }))?;
    } else {
        println!(
            "backed up {} to {} ({} bytes, integrity ok)",
            app.config().store.path.display(),
            backed_up.path.display(),
            backed_up.bytes
        );
    }
    Ok(ExitCode::SUCCESS)
}
