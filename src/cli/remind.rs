//! `rightsbot remind`: the staff digest of deadlines coming and drafts waiting.

use std::process::ExitCode;

use anyhow::bail;
use serde_json::json;

use crate::draft::Templates;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    if config.reminders.staff_address.is_none() {
        bail!("no [reminders] staff_address in the config: there is no one to remind");
    }
    let mut store = ctx.store(&config)?;
    let templates = Templates::new(config.drafts.templates.clone());
    let batch = store.begin()?;
    let digest = crate::remind::run(&batch, &config, &templates, ctx.now)?;
    // The digest is queued in the transaction that records its reminders as given: both
    // or neither. It is delivered after commit, here or by the daemon's sender.
    let file = match &digest {
        Some(digest) => crate::remind::queue_digest(&batch, digest, &config, ctx.now)?,
        None => None,
    };
    batch.commit()?;
    let mut delivered = None;
    if let (Some(_), Some(smtp)) = (&digest, &config.smtp) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let _inside = runtime.enter();
        let mailer = crate::send::Mailer::new(smtp, config.sender_address())?;
        let report = runtime.block_on(crate::send::deliver_staff_mail(
            &mut store, &mailer, &config, ctx.now,
        ))?;
        delivered = Some(report.staff_mail > 0);
    }
    if ctx.json {
        super::print_json(&json!({
            "digest": file,
            "sent": delivered,
            "reminders": digest.as_ref().map(|d| &d.reminders),
            "recap": digest.as_ref().and_then(|d| d.recap.as_ref()),
            "drafts_waiting": digest.as_ref().map(|d| &d.drafts_waiting),
            "sends_failed": digest.as_ref().map(|d| &d.sends_failed),
        }))?;
    } else {
        match (&digest, &file) {
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
