//! `rightsbot run [--once]`: the IMAP daemon, or one pass for cron and tests.

use std::process::ExitCode;

use anyhow::Context as _;
use tracing::info;

use crate::case::Settings;
use crate::classify::Classifier;
use crate::config::ConfigError;
use crate::daemon::{self, Clock, Intake, Writer};

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
    // One daemon per store: a second `run` (or `run --once` beside a daemon) is refused.
    let _lock = crate::store::DaemonLock::take(&config.store.path)?;
    let mut store = ctx.store(&config)?;
    let classifier = Classifier::new()?;
    let settings = Settings::new(&config, &classifier);
    // The SMTP transport's connection pool lives in the daemon's runtime.
    let _inside = runtime.enter();
    let mailer = match &config.smtp {
        Some(smtp) => Some(std::sync::Arc::new(crate::send::Mailer::new(
            smtp,
            config.sender_address(),
        )?)),
        None => None,
    };
    let templates = crate::draft::Templates::new(config.drafts.templates.clone());
    let drafting = crate::draft::Drafting {
        settings: &settings,
        config: &config,
        templates: &templates,
    };
    // The clock (reminders, sending) has its own connection to the store; the writer
    // thread owns the other.
    let mut clock = Clock {
        store: ctx.store(&config)?,
        mailer,
        drafting: &drafting,
        now: ctx.fixed_now,
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
        };
        serve(
            ctx,
            &args,
            &runtime,
            Daemon {
                intake: &mut intake,
                clock: &mut clock,
            },
            &password,
            signals,
            stop,
            shutdown,
        )
    })
}

/// The daemon's two halves: intake and the clock.
struct Daemon<'a, 'b, 'c> {
    intake: &'a mut Intake<'b>,
    clock: &'a mut Clock<'c>,
}

#[allow(clippy::too_many_arguments)]
fn serve(
    ctx: &Context,
    args: &Args,
    runtime: &tokio::runtime::Runtime,
    daemon: Daemon<'_, '_, '_>,
    password: &crate::config::Secret,
    signals: Signals,
    stop: tokio::sync::watch::Sender<bool>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<ExitCode> {
    let Daemon { intake, clock } = daemon;
    let mailbox = intake.mailbox;
    runtime.block_on(async {
        if args.once {
            let mut source = daemon::connect(mailbox, password).await?;
            let mut report = intake.pass(&mut source, &shutdown).await?;
            source.logout().await;
            // What is due by the clock, once: a cron job gets it all in one run.
            let (digests, sent) = clock.work(false).await?;
            report.digests = digests;
            report.sent = sent.sent + sent.recovered;
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
        daemon::run(intake, clock, password, shutdown).await?;
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
