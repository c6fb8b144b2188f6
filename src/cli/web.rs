//! `rightsbot web`: the staff console alone, without reading mail (`run` serves it too
//! when `[web]` is configured).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Listen here instead of `[web] listen` (default 127.0.0.1:8750).
    #[arg(long, value_name = "ADDRESS:PORT")]
    listen: Option<std::net::SocketAddr>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let configured = app.config().web.as_ref();
    let listen = args
        .listen
        .or(configured.map(|web| web.listen))
        .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 8750)));
    let encrypted = configured.is_some_and(|web| web.encrypted());
    if !listen.ip().is_loopback() && !encrypted {
        anyhow::bail!(
            "--listen {listen} would carry passwords and personal data in clear text: beyond 127.0.0.1 the console needs tls_cert_file and tls_key_file, or behind_tls_proxy = true, in [web]"
        );
    }
    let tls = configured.and_then(|web| web.tls());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let tls = tls.map(|(cert, key)| (cert.to_path_buf(), key.to_path_buf()));
    let router = crate::web::router(app, clock(ctx))?;
    println!("the staff console is at {scheme}://{listen}/");
    let tls = tls
        .as_ref()
        .map(|(cert, key)| (cert.as_path(), key.as_path()));
    runtime.block_on(crate::web::serve(router, listen, tls, shutdown()))?;
    Ok(ExitCode::SUCCESS)
}

/// The console's clock: `--now` held fixed, else the system's.
pub fn clock(ctx: &Context) -> crate::web::Clock {
    match ctx.fixed_now {
        Some(now) => Arc::new(move || now),
        None => Arc::new(jiff::Timestamp::now),
    }
}

/// SIGTERM or Ctrl-C.
pub async fn shutdown() {
    #[cfg(unix)]
    if let Ok(mut terminate) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        tokio::select! {
            _ = terminate.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        return;
    }
    let _ = tokio::signal::ctrl_c().await;
}
