//! `rightsbot status`: is the mailbox reachable, when did the last pass finish, what waits.

use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::json;

use crate::intake::imap::ImapSource;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let store = ctx.store_read_only(&config)?;
    let today = ctx
        .now
        .to_zoned_datetime(config.controller.timezone.zone.clone())
        .date();
    let workload = store.workload(today)?;
    let totals = store.totals()?;
    let (mailbox_name, reachable, waiting, error, last_pass) = match &config.mailbox {
        None => (
            None,
            None,
            None,
            Some("no [mailbox] in the config".to_string()),
            None,
        ),
        Some(mailbox) => {
            let last_pass = store
                .checkpoint(&mailbox.inbox)?
                .and_then(|c| c.last_pass_at);
            let probe = mailbox
                .password()
                .map_err(anyhow::Error::from)
                .and_then(|password| {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .context("cannot start the async runtime")?;
                    runtime.block_on(async {
                        let mut source = ImapSource::connect(mailbox, &password).await?;
                        let (_, exists) = source.select(&mailbox.inbox).await?;
                        source.logout().await;
                        Ok::<_, anyhow::Error>(exists)
                    })
                });
            match probe {
                Ok(exists) => (
                    Some(mailbox.inbox.clone()),
                    Some(true),
                    Some(exists),
                    None,
                    last_pass,
                ),
                Err(err) => (
                    Some(mailbox.inbox.clone()),
                    Some(false),
                    None,
                    Some(super::one_line(&err)),
                    last_pass,
                ),
            }
        }
    };
    if ctx.json {
        super::print_json(&json!({
            "mailbox": mailbox_name,
            "reachable": reachable,
            "error": error,
            "messages_waiting": waiting,
            "last_pass_at": last_pass.map(|t| t.to_string()),
            "cases_open": workload.open,
            "cases_overdue": workload.overdue,
            "drafts_waiting": workload.drafts_waiting,
            "messages_stored": totals.messages,
            "quarantined": totals.quarantined,
        }))?;
    } else {
        match (reachable, &error) {
            (Some(true), _) => println!(
                "mailbox     {} reachable, {} waiting",
                mailbox_name.unwrap_or_default(),
                waiting.unwrap_or(0)
            ),
            (_, Some(error)) => println!("mailbox     unreachable: {error}"),
            _ => {}
        }
        let zone = &config.controller.timezone.zone;
        match last_pass {
            Some(at) => println!(
                "last pass   {}",
                at.to_zoned_datetime(zone.clone())
                    .strftime("%Y-%m-%d %H:%M:%S")
            ),
            None => println!("last pass   never"),
        }
        println!(
            "cases       {} open, {} overdue; {} drafts waiting for approval",
            workload.open, workload.overdue, workload.drafts_waiting
        );
        println!(
            "stored      {} messages, {} quarantined",
            totals.messages, totals.quarantined
        );
    }
    // Unreachable is worth a non-zero exit for monitoring, as a temporary failure.
    Ok(if reachable == Some(false) {
        ExitCode::from(75)
    } else {
        ExitCode::SUCCESS
    })
}
