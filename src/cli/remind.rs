//! `rightsbot remind`: the staff digest of deadlines coming and drafts waiting.

use std::process::ExitCode;

use serde_json::json;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let mut store = app.store()?;
    let reminded = app.remind(&mut store, ctx.now)?;
    let (digest, file, delivered) = (&reminded.digest, &reminded.file, reminded.delivered);
    if ctx.json {
        super::print_json(&json!({
            "digest": file,
            "digests": reminded.files.iter().map(|(to, file)| json!({"to": to, "file": file})).collect::<Vec<_>>(),
            "sent": delivered,
            "reminders": digest.as_ref().map(|d| &d.reminders),
            "recap": digest.as_ref().and_then(|d| d.recap.as_ref()),
            "drafts_waiting": digest.as_ref().map(|d| &d.drafts_waiting),
            "sends_failed": digest.as_ref().map(|d| &d.sends_failed),
            "stale_register": digest.as_ref().map(|d| &d.stale_register),
            "kept_ended": digest.as_ref().map(|d| &d.kept_ended),
        }))?;
    } else {
        match (digest, file) {
            (Some(digest), Some(file)) => println!(
                "digest: {} reminders, {} drafts waiting, {} sends failed; written to {}",
                digest.reminders.len(),
                digest.drafts_waiting.len(),
                digest.sends_failed.len(),
                file.display()
            ),
            (Some(digest), None) => println!(
                "digest: {} reminders, {} drafts waiting, {} sends failed; {}",
                digest.reminders.len(),
                digest.drafts_waiting.len(),
                digest.sends_failed.len(),
                if delivered == Some(true) {
                    "sent"
                } else {
                    "queued: the mail server did not take it yet, the daemon tries again"
                }
            ),
            _ => println!("nothing new to remind of"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
