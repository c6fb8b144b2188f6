//! `rightsbot send [--once]`: approved replies out over SMTP.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One pass, then exit; without it, a pass every --every seconds until stopped.
    #[arg(long)]
    once: bool,
    /// Seconds between passes.
    #[arg(long, default_value_t = 30)]
    every: u64,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    if app.config().smtp.is_none() {
        bail!(
            "the config has no [smtp] section: approved replies are written to the outbox folder at approval"
        );
    }
    let mut store = app.store()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let _inside = runtime.enter();
    let mailer = app.mailer()?.context("the config has no [smtp] section")?;
    runtime.block_on(async {
        loop {
            let now = ctx.fixed_now.unwrap_or_else(jiff::Timestamp::now);
            let report = app.send_pass(&mut store, &mailer, now).await?;
            if args.once {
                if ctx.json {
                    super::print_json(&report)?;
                } else {
                    println!(
                        "{} sent, {} found sent after a crash, {} deferred, {} failed",
                        report.sent, report.recovered, report.deferred, report.failed
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(args.every)) => {}
                _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
            }
        }
    })
}
