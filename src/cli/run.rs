//! `rightsbot run [--once]`: the IMAP daemon, or one pass for cron and tests.

use std::process::ExitCode;

use anyhow::Context as _;
use tracing::info;

use crate::case::Settings;
use crate::classify::Classifier;
use crate::config::ConfigError;
use crate::daemon::{self, Intake, Writer};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Make one pass over the inbox and exit (for cron and tests) instead of waiting for mail.
    #[arg(long)]
    once: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // Listen for SIGTERM before anything slow, so a stop during start-up is clean too.
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let signals = runtime.block_on(async { Signals::listen() });
    let config = ctx.config()?;
    let mailbox = config.mailbox.as_ref().ok_or(ConfigError::Secret(
        "the config has no [mailbox] section: `run` reads mail over IMAP (see config.example.toml)"
            .to_string(),
    ))?;
    let password = mailbox.password()?;
    let mut store = ctx.store(&config)?;
    let classifier = Classifier::new()?;
    let settings = Settings::new(&config, &classifier);
    // Sending has its own connection to the store; the writer thread owns the other.
    let outgoing = match &config.smtp {
        Some(smtp) => Some(crate::daemon::Outgoing {
            store: ctx.store(&config)?,
            mailer: std::sync::Arc::new(crate::send::Mailer::new(smtp, config.sender_address())?),
            config: &config,
        }),
        None => None,
    };
    let templates = crate::draft::Templates::new(config.drafts.templates.clone());
    let drafting = crate::draft::Drafting {
        settings: &settings,
        config: &config,
        templates: &templates,
    };
    // The store lives on a thread of its own for the daemon's lifetime; it ends when the
    // writer is dropped at the end of this scope.
    std::thread::scope(|scope| {
        let writer = Writer::start(scope, &mut store, &drafting);
        let mut intake = Intake {
            password: Some(&password),
            mailbox,
            writer: &writer,
            settings: &settings,
            now: ctx.fixed_now,
            outgoing,
        };
        serve(
            ctx,
            &args,
            &runtime,
            &mut intake,
            &password,
            signals,
            stop,
            shutdown,
        )
    })
}

#[allow(clippy::too_many_arguments)]
fn serve(
    ctx: &Context,
    args: &Args,
    runtime: &tokio::runtime::Runtime,
    intake: &mut Intake<'_>,
    password: &crate::config::Secret,
    signals: Signals,
    stop: tokio::sync::watch::Sender<bool>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<ExitCode> {
    let mailbox = intake.mailbox;
    runtime.block_on(async {
        if args.once {
            let mut source = daemon::connect(mailbox, password).await?;
            let report = intake.pass(&mut source, &shutdown).await?;
            source.logout().await;
            if ctx.json {
                super::print_json(&report)?;
            } else {
                println!(
                    "{}; {} moved out of {}",
                    report.admitted, report.moved, mailbox.inbox
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        tokio::spawn(async move {
            signals.wait().await;
            info!("shutdown requested; finishing the batch in hand");
            let _ = stop.send(true);
        });
        // A signal that came while starting up is honoured at once.
        daemon::run(intake, password, shutdown).await?;
        info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// SIGTERM (service managers) and SIGINT (Ctrl-C), registered as soon as `listen` runs.
struct Signals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn listen() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some(mut terminate) = self.terminate {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}
