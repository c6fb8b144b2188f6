//! `rightsbot config check [--connect]`: parse the config, open the store, say what each
//! section sets up (never a secret: only where a password is read from), and with
//! `--connect` whether the mail servers answer.

use std::process::ExitCode;

use serde_json::json;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also try the IMAP login ([mailbox]) and the SMTP greeting ([smtp]).
    #[arg(long)]
    connect: bool,
}

/// Where a password is read from, never the password. A systemd credential is named as
/// such, and said to be unreachable here when `$CREDENTIALS_DIRECTORY` is unset (a check
/// run from a shell, not by the service), so that is not mistaken for a broken config.
fn password_source(env: Option<&str>, file: Option<&std::path::Path>) -> String {
    match (env, file) {
        (Some(name), _) => format!("from ${name}"),
        (None, Some(path)) => match crate::config::credential_name(path) {
            Some(name) => match std::env::var_os("CREDENTIALS_DIRECTORY") {
                Some(folder) if !folder.is_empty() => format!(
                    "from the systemd credential {name} ({})",
                    std::path::Path::new(&folder).join(name).display()
                ),
                _ => format!(
                    "from the systemd credential {name} ($CREDENTIALS_DIRECTORY is not set here: only the service started with LoadCredential={name}:FILE can read it)"
                ),
            },
            None => format!("from {}", path.display()),
        },
        (None, None) => "none".to_string(),
    }
}

fn tls_name(tls: crate::config::TlsMode) -> &'static str {
    match tls {
        crate::config::TlsMode::Implicit => "implicit",
        crate::config::TlsMode::Starttls => "starttls",
        crate::config::TlsMode::None => "none",
    }
}

/// The mail sections as settings, one JSON object each (null when absent).
fn mail_sections(config: &crate::config::Config) -> serde_json::Value {
    let mailbox = config.mailbox.as_ref().map(|m| {
        json!({
            "host": m.host,
            "port": m.port(),
            "tls": tls_name(m.tls()),
            "user": m.user,
            "password": password_source(m.password_env.as_deref(), m.password_file.as_deref()),
            "inbox": m.inbox,
            "processed_folder": m.processed_folder,
            "quarantine_folder": m.quarantine_folder,
        })
    });
    let smtp = config.smtp.as_ref().map(|s| {
        json!({
            "host": s.host,
            "port": s.port(),
            "tls": tls_name(s.tls()),
            "user": s.user,
            "password": password_source(s.password_env.as_deref(), s.password_file.as_deref()),
            "sent_copy": s.sent_copy,
            "sent_folder": s.sent_folder,
            "from": s.from.as_deref().unwrap_or(&config.controller.privacy_address),
        })
    });
    json!({
        "mailbox": mailbox,
        "smtp": smtp,
        "reminders": { "staff_address": config.reminders.staff_address },
        "approval_by_mail": {
            "enabled": config.approval_by_mail.enabled,
            "staff_address": config.approval_by_mail.staff_address,
            "approvers": config.approval_by_mail.approvers,
        },
    })
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let config = app.config();
    // Opening the store proves the path is usable and the schema current.
    let store = app.store()?;
    let totals = app.totals(&store)?;
    let controller = &config.controller;
    // A source whose file is missing is worth knowing now, not at the next import.
    let sources: Vec<serde_json::Value> = config
        .register
        .sources
        .iter()
        .map(|s| {
            json!({
                "name": s.name(),
                "file": s.file,
                "file_exists": s.file.is_file(),
                "encoding": s.encoding.0.name(),
            })
        })
        .collect();
    let sections = mail_sections(config);
    let probes = if args.connect {
        crate::probe::probe(config)
    } else {
        Vec::new()
    };
    // A server that does not answer is worth a non-zero exit, as a temporary failure.
    let code = if probes.iter().all(|p| p.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(75)
    };
    if ctx.json {
        super::print_json(&json!({
            "ok": true,
            "mailbox": sections["mailbox"],
            "smtp": sections["smtp"],
            "reminders": sections["reminders"],
            "approval_by_mail": sections["approval_by_mail"],
            "connect": args.connect.then_some(&probes),
            "controller": controller.name,
            "privacy_address": controller.privacy_address,
            "timezone": controller.timezone.name,
            "default_language": controller.default_language,
            "store": config.store.path,
            "totals": totals,
            "register_sources": sources,
            "trusted_authserv_ids": config.identity.trusted_authserv_ids,
        }))?;
        return Ok(code);
    }
    println!("config ok");
    println!(
        "controller  {} ({})",
        controller.name, controller.business_id
    );
    println!("address     {}", controller.privacy_address);
    println!(
        "calendar    {}, FI holidays, eves closed: {}",
        controller.timezone.name, controller.eves_closed
    );
    println!(
        "store       {} ({} messages, {} cases, {} quarantined)",
        config.store.path.display(),
        totals.messages,
        totals.cases,
        totals.quarantined
    );
    for source in &config.register.sources {
        let missing = if source.file.is_file() {
            ""
        } else {
            "  (file not found)"
        };
        println!(
            "register    {}: {} ({}){missing}",
            source.name(),
            source.file.display(),
            source.encoding.0.name()
        );
    }
    let trusted = &config.identity.trusted_authserv_ids;
    println!(
        "identity    {}",
        if trusted.is_empty() {
            "no receiving server trusted: no sender can be verified".to_string()
        } else {
            format!("Authentication-Results trusted from {}", trusted.join(", "))
        }
    );
    match &config.mailbox {
        None => println!("mailbox     none ([mailbox]): `run` and `status` need one"),
        Some(m) => println!(
            "mailbox     {}@{}:{} (tls {}), password {}; reads {}, moves to {}, quarantine {}",
            m.user,
            m.host,
            m.port(),
            tls_name(m.tls()),
            password_source(m.password_env.as_deref(), m.password_file.as_deref()),
            m.inbox,
            m.processed_folder,
            m.quarantine_folder
        ),
    }
    match &config.smtp {
        None => println!(
            "smtp        none ([smtp]): approved replies are written to {}",
            config.drafts.outbox.display()
        ),
        Some(s) => println!(
            "smtp        {}:{} (tls {}), user {}, password {}; from {}, Sent copy {}",
            s.host,
            s.port(),
            tls_name(s.tls()),
            s.user.as_deref().unwrap_or("none"),
            password_source(s.password_env.as_deref(), s.password_file.as_deref()),
            s.from
                .as_deref()
                .unwrap_or(&config.controller.privacy_address),
            s.sent_copy
                .as_deref()
                .unwrap_or("none (no crash recovery by the Sent folder)")
        ),
    }
    match &config.reminders.staff_address {
        Some(address) => println!("reminders   digests to {address}"),
        None => println!("reminders   off (no [reminders] staff_address)"),
    }
    let by_mail = &config.approval_by_mail;
    if by_mail.enabled {
        println!(
            "approval    by mail: review mails to {}, approvers {}",
            by_mail
                .staff_address
                .as_deref()
                .unwrap_or("(no staff_address)"),
            if by_mail.approvers.is_empty() {
                "none".to_string()
            } else {
                by_mail.approvers.join(", ")
            }
        );
    } else {
        println!("approval    from the command line only ([approval_by_mail] off)");
    }
    for probe in &probes {
        println!(
            "connect     {} {}: {}{}",
            probe.service,
            probe.server,
            if probe.ok { "ok, " } else { "failed: " },
            probe.said
        );
    }
    if args.connect && probes.is_empty() {
        println!("connect     nothing to try: no [mailbox] or [smtp]");
    }
    Ok(code)
}
