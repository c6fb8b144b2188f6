//! `rightsbot staff add NAME --email E --role R`, `staff list`, `staff disable NAME`,
//! `staff passwd NAME`, `staff totp NAME [--reset | --off]`: the console's accounts. A password is read from the terminal
//! (not echoed, asked twice) or, when stdin is not a terminal, as its first line.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde_json::json;

use crate::vocabulary::Role;

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add an account; its password is read from the terminal or stdin.
    Add {
        /// The login name, recorded as who acts.
        name: String,
        /// Staff may log in with this address too.
        #[arg(long)]
        email: String,
        /// handler (read, edit, reclassify, tick actions), approver (also approve, reject,
        /// extend, close) or admin (also manage accounts).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The language of the console's pages: fi, sv or en (default: the controller's
        /// default_language).
        #[arg(long)]
        language: Option<crate::lang::Lang>,
    },
    /// List the accounts.
    List,
    /// Disable an account: it cannot log in, and its sessions end at once.
    Disable { name: String },
    /// Set an account's password (read as for `add`); its sessions end.
    Passwd { name: String },
    /// Turn on a one-time code (TOTP, RFC 6238) for an account's logins, or --off.
    ///
    /// Its logins then need the 6-digit code an authenticator app shows. Prints the
    /// otpauth:// URI and the base32 secret, once; with --off, the password alone logs in.
    Totp {
        name: String,
        /// Replace the secret of an account that has one (the old one stops working).
        #[arg(long, conflicts_with = "off")]
        reset: bool,
        /// Remove the account's TOTP.
        #[arg(long)]
        off: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("{text:?} is no role: use handler, approver or admin"))
}

pub fn run(ctx: &Context, command: Command) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let store = app.store()?;
    match command {
        Command::Add {
            name,
            email,
            role,
            language,
        } => {
            let password = read_password()?;
            let new = crate::app::NewStaff {
                name: &name,
                email: &email,
                role,
                language,
            };
            let account = app.add_staff(&store, &new, &password, ctx.now)?;
            if ctx.json {
                super::print_json(&account)?;
            } else {
                println!(
                    "{}: added as {} ({})",
                    account.name, account.role, account.email
                );
            }
        }
        Command::List => {
            for account in app.staff_accounts(&store)? {
                if ctx.json {
                    super::print_json(&account)?;
                } else {
                    println!(
                        "{}\t{}\t{}\t{}{}",
                        account.name,
                        account.role,
                        account.email,
                        account
                            .language
                            .unwrap_or(app.config().controller.default_language),
                        if account.disabled { "\tdisabled" } else { "" }
                    );
                }
            }
        }
        Command::Disable { name } => {
            app.disable_staff(&store, &name, ctx.now)?;
            if ctx.json {
                super::print_json(&json!({"name": name, "disabled": true}))?;
            } else {
                println!("{name}: disabled; its sessions have ended");
            }
        }
        Command::Passwd { name } => {
            let password = read_password()?;
            app.set_staff_password(&store, &name, &password, ctx.now)?;
            if ctx.json {
                super::print_json(&json!({"name": name, "password": "changed"}))?;
            } else {
                println!("{name}: password changed; its sessions have ended");
            }
        }
        Command::Totp {
            name, off: true, ..
        } => {
            app.remove_totp(&store, &name, ctx.now)?;
            if ctx.json {
                super::print_json(&json!({"name": name, "totp": false}))?;
            } else {
                println!("{name}: TOTP is off; the password alone logs in");
            }
        }
        Command::Totp { name, reset, .. } => {
            // The secret goes to this terminal once and to no log.
            let enrolment = app.enrol_totp(&store, &name, reset, ctx.now)?;
            if ctx.json {
                super::print_json(&json!({
                    "name": name,
                    "totp": true,
                    "uri": enrolment.uri,
                    "secret": enrolment.secret,
                }))?;
            } else {
                println!(
                    "{name}: TOTP is on; add it to an authenticator app now, it is not shown again"
                );
                println!("uri: {}", enrolment.uri);
                println!("secret: {}", enrolment.secret);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = prompt("Password: ")?;
    let second = prompt("Again: ")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first)
}

/// Reads a line from the terminal without echoing it.
fn prompt(text: &str) -> anyhow::Result<String> {
    eprint!("{text}");
    std::io::stderr().flush().ok();
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is plain data; tcgetattr fills it for a terminal, checked by its
    // return value, and the saved state is put back before returning.
    let saved = unsafe {
        let mut termios: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut termios) != 0 {
            None
        } else {
            let mut quiet = termios;
            quiet.c_lflag &= !libc::ECHO;
            libc::tcsetattr(fd, libc::TCSANOW, &quiet);
            Some(termios)
        }
    };
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if let Some(saved) = saved {
        // SAFETY: restores the state read above.
        unsafe {
            libc::tcsetattr(fd, libc::TCSANOW, &saved);
        }
    }
    eprintln!();
    read.context("cannot read the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
