//! `rightsbot run [--once]`: the IMAP daemon, or one pass for cron and tests.
//!
//! The daemon stops on SIGTERM or SIGINT and re-reads its templates on SIGHUP (what
//! `systemctl reload` sends). It logs to stderr only, which journald collects, so there is
//! no log file to reopen.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::config::ConfigError;
use crate::daemon;

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
    let mut signals = runtime.block_on(async { Signals::listen() });
    let supervisor = std::sync::Arc::new(if args.once {
        crate::supervisor::Supervisor::none()
    } else {
        crate::supervisor::Supervisor::from_env()
    });
    let app = ctx.app()?;
    let config = app.config();
    let mailbox = config.mailbox.as_ref().ok_or(ConfigError::Secret(
        "the config has no [mailbox] section: `run` reads mail over IMAP (see config.example.toml)"
            .to_string(),
    ))?;
    let password = mailbox.password()?;
    // One daemon per store: a second `run` (or `run --once` beside a daemon) is refused.
    let _lock = crate::store::DaemonLock::take(&config.store.path)?;
    let store = app.store()?;
    let settings = app.settings()?;
    // The SMTP transport's connection pool lives in the daemon's runtime.
    let _inside = runtime.enter();
    let mailer = app.mailer()?;
    let drafting = app.drafting(&settings);
    // Shared by the daemon, which counts, and the console's `/metrics`, which reports.
    let reconnects = std::sync::Arc::<std::sync::atomic::AtomicU64>::default();
    let parts = daemon::Parts {
        mailbox,
        password: &password,
        settings: &settings,
        drafting: &drafting,
        store,
        // The clock (reminders, sending) has its own connection to the store.
        clock_store: app.store()?,
        mailer,
        now: ctx.fixed_now,
        reconnects: std::sync::Arc::clone(&reconnects),
        supervisor: &supervisor,
        reloads: (!args.once).then(|| signals.reloads(&runtime)),
    };
    // The staff console, when configured, on a thread and runtime of its own: a slow page
    // never holds up intake, and it ends with the process.
    if !args.once
        && let Some(web) = &config.web
    {
        let listen = web.listen;
        let tls = web
            .tls()
            .map(|(cert, key)| (cert.to_path_buf(), key.to_path_buf()));
        // The console drafts too: it shares the daemon's templates, so a reload reaches it.
        let console_app = crate::app::App::with_templates(ctx.config()?, app.templates().clone());
        let router = crate::web::router_counting(console_app, super::web::clock(ctx), reconnects)?;
        std::thread::Builder::new()
            .name("console".to_string())
            .spawn(move || {
                let served = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(crate::web::WebError::Serve)
                    .and_then(|runtime| {
                        let tls = tls
                            .as_ref()
                            .map(|(cert, key)| (cert.as_path(), key.as_path()));
                        runtime.block_on(crate::web::serve(
                            router,
                            listen,
                            tls,
                            std::future::pending(),
                        ))
                    });
                if let Err(err) = served {
                    tracing::error!(error = %err, "the staff console stopped");
                }
            })
            .context("cannot start the console's thread")?;
    }
    let stopping = std::sync::Arc::clone(&supervisor);
    let stop_when = async move {
        signals.wait().await;
        stopping.stopping();
    };
    let report = daemon::serve(parts, &runtime, args.once, stop_when)?;
    if let Some(report) = report {
        if ctx.json {
            super::print_json(&report)?;
        } else {
            println!(
                "{}; {} moved out of {}",
                report.admitted, report.moved, mailbox.inbox
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// SIGTERM (service managers), SIGINT (Ctrl-C) and SIGHUP (reload), registered as soon as
/// `listen` runs.
struct Signals {
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    hangup: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn listen() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                terminate: signal(SignalKind::terminate()).ok(),
                hangup: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// A counter that moves on each SIGHUP, for the daemon to reload by. The listener is a
    /// task on `runtime`; it runs while the daemon does.
    fn reloads(&mut self, runtime: &tokio::runtime::Runtime) -> tokio::sync::watch::Receiver<u64> {
        let (tx, rx) = tokio::sync::watch::channel(0);
        #[cfg(unix)]
        if let Some(mut hangup) = self.hangup.take() {
            runtime.spawn(async move {
                while hangup.recv().await.is_some() {
                    tx.send_modify(|count| *count += 1);
                }
            });
        }
        #[cfg(not(unix))]
        let _ = (runtime, tx);
        rx
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
