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
    // The digest is written before its reminders are recorded as given: a crash between
    // the two repeats a digest rather than losing one.
    let file = match (&digest, &config.smtp) {
        (Some(digest), None) => crate::remind::write_digest(digest, &config, ctx.now)?,
        (Some(digest), Some(smtp)) => {
            if let Some((to, bytes)) = crate::remind::digest_message(digest, &config, ctx.now)? {
                let mailer = crate::send::Mailer::new(smtp, config.sender_address())?;
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime
                    .block_on(mailer.deliver(&to, &bytes))
                    .map_err(|why| anyhow::anyhow!("the digest to {to} was not sent: {why}"))?;
            }
            None
        }
        (None, _) => None,
    };
    batch.commit()?;
    if ctx.json {
        super::print_json(&json!({
            "digest": file,
            "reminders": digest.as_ref().map(|d| &d.reminders),
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
                "digest: {} reminders, {} drafts waiting, {} sends failed; sent",
                digest.reminders.len(),
                digest.drafts_waiting.len(),
                digest.sends_failed.len()
            ),
            _ => println!("nothing new to remind of"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
