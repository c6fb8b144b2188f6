//! `rightsbot status`: is the mailbox reachable, when did the last pass finish, what waits.

use std::process::ExitCode;

use serde_json::json;

use crate::app::Status;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Context, _args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let config = app.config();
    let store = app.store_read_only()?;
    let Status {
        workload,
        totals,
        last_pass,
    } = app.status(&store, ctx.now)?;
    let (mailbox_name, reachable, waiting, error) = match &config.mailbox {
        None => (
            None,
            None,
            None,
            Some("no [mailbox] in the config".to_string()),
        ),
        Some(mailbox) => match app.probe_mailbox(mailbox) {
            Ok(exists) => (Some(mailbox.inbox.clone()), Some(true), Some(exists), None),
            Err(err) => (
                Some(mailbox.inbox.clone()),
                Some(false),
                None,
                Some(super::one_line(&err.into())),
            ),
        },
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
