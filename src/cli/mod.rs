//! The command line: one file per subcommand, each a thin layer over the library.
//!
//! Exit status: 0 success; 1 a user error (bad input, bad config, not found, a locked
//! database), printed as one line `rightsbot: what: why`; 2 a usage error (clap's).

mod actions;
mod assign;
mod backup;
mod cases;
mod check;
mod classify;
mod close;
mod config_check;
mod deadline;
mod decide;
mod extend;
mod inbox;
mod ingest;
mod intake;
mod match_cases;
mod open;
mod purge;
mod quarantine;
mod queue;
mod reclassify;
mod register;
mod remind;
mod report;
mod run;
mod send;
mod show;
mod staff;
mod status;
mod verify;
mod web;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use jiff::Timestamp;

use crate::app::{App, AppError, Input, Staff};
use crate::config::Config;

const AFTER_HELP: &str = "\
Exit status: 0 ok, 1 user error (bad input, bad config, not found, locked database), 2 usage error,
75 temporary failure (the mail server cannot be reached; try again later).

Examples:
  rightsbot --config rightsbot.toml register import       # the CSV exports in the config
  rightsbot --config rightsbot.toml ingest ~/Maildir/privacy
  rightsbot --config rightsbot.toml cases
  rightsbot --config rightsbot.toml queue                 # drafts waiting for approval
  rightsbot --config rightsbot.toml approve D12 --by Sanna
  rightsbot deadline 2026-01-31            # → 2026-03-02
  rightsbot deadline 2026-01-31 --months 3 # the extended deadline";

/// Answers GDPR data-subject rights requests that arrive by e-mail.
///
/// Reads request mail, opens a case for each request with its legal deadline (one month
/// under GDPR Art. 12(3), counted as Regulation 1182/71 says), and keeps every message and
/// decision as an audit trail.
#[derive(Debug, Parser)]
#[command(name = "rightsbot", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// The config file (TOML). See config.example.toml.
    #[arg(long, global = true, env = "RIGHTSBOT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Act as if the time were this RFC 3339 instant (for tests and demos), e.g. 2026-11-02T09:00:00+02:00.
    #[arg(long, global = true, value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<Timestamp>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Log lines (on stderr) as human-readable text or as JSON objects, one per line.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the config file and say what it sets up.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Say which rights each mail asks for (no database or config needed).
    ///
    /// Reads the subject and the new text (quoted history and signatures removed). With
    /// --json, one object per file: {"file","kinds","language","triage","automated","evidence",
    /// "unattributed"} (sentences that may ask for more than the kinds found; staff only);
    /// a file that cannot be read or parsed gets {"file","error"} and the rest go on.
    Classify(classify::Args),
    /// Store request mail from .eml files, folders of them and Maildirs, and open cases.
    ///
    /// Safe to repeat: a message already stored (the same bytes) is counted
    /// as a duplicate. A file that is not a mail is kept and listed by `quarantine`.
    /// The receipt time that starts the legal clock is the topmost Received: header's date,
    /// else the Maildir delivery time, else the Date: header.
    Ingest(ingest::Args),
    /// List the cases with their deadlines and days left.
    Cases(cases::Args),
    /// Show one case (its messages, identity, drafts and audit trail) or one draft.
    Show(show::Args),
    /// List stored mail that is in no case (not a request), for staff to forward or open.
    Inbox(inbox::Args),
    /// Open a case from a stored message the classifier set aside, with the rights a person names.
    Open(open::Args),
    /// Open a case for a request made by phone, by letter or in person: it is kept as a
    /// message made of what you enter, and its clock runs from the day you give.
    Intake(intake::Args),
    /// Correct the rights a case is about; the change and who made it go in its audit trail.
    Reclassify(reclassify::Args),
    /// List messages that could not be handled, and why.
    Quarantine(quarantine::Args),
    /// The controller's records: import CSV exports, find people, record erasures.
    #[command(subcommand)]
    Register(register::Command),
    /// Find the requesters of cases in the register again, after an import.
    ///
    /// Records a new identity event only where the outcome or the matched entries changed.
    Match(match_cases::Args),
    /// List the drafts waiting for approval, nearest deadline first.
    ///
    /// With --json, one object per draft: {"draft","case","purpose","language","recipient",
    /// "deadline","days_left",…}.
    Queue(queue::Args),
    /// List a case's actions (or every case's open and held ones): what each right asks to
    /// be done, in which system, by whom, and where it stands.
    Actions(actions::ListArgs),
    /// Record an action done (e.g. `done DSR-2026-0042 A3 --note "deleted in the admin"`);
    /// a reply still waiting is drafted again to report it. An erase of a whole source also
    /// erases the person's entries of it from the register snapshot.
    Done(actions::DoneArgs),
    /// Carry out an action with its source's own command (`on_erase`, `on_correct`,
    /// `on_suppress` in the config), once per register entry; exit 0 records it done with
    /// the output, a failure is recorded and the action stays open (exit 1).
    Do(actions::DoArgs),
    /// Hold an action with a reason (Art. 17(3)(e): a dispute, a claim); the reply says so.
    Hold(actions::ReasonArgs),
    /// Lift a hold: the action is open again.
    Release(actions::ReleaseArgs),
    /// Record that an action is not needed, with the reason.
    NotNeeded(actions::ReasonArgs),
    /// The addresses that get no direct marketing: `list`, or `export --csv` for the
    /// newsletter tool.
    #[command(subcommand)]
    Suppression(actions::SuppressionCommand),
    /// Approve a draft: it is frozen, gets its Message-ID, and goes out (to the outbox
    /// folder while no SMTP server is configured).
    Approve(decide::ApproveArgs),
    /// Reject a draft, with the reason.
    Reject(decide::RejectArgs),
    /// Edit a draft in $EDITOR (or from --body-file): the edit is a new draft that needs its
    /// own approval; the old one stays in the record.
    ///
    /// Any version may be edited, an earlier one too; the edit replaces the versions still
    /// waiting. A draft approved but not sent needs --force (its approval is withdrawn);
    /// one that went out needs --new-message (the edit is a new message to the requester).
    Edit(decide::EditArgs),
    /// Extend a case's deadline by up to two months and draft the notice (GDPR Art. 12(3));
    /// refused once the first month has passed.
    Extend(extend::Args),
    /// Record that staff verified who asks (GDPR Art. 12(6)): the case is matched again as
    /// verified from the address on file, a waiting clock resumes with the days already
    /// run, and the reply is drafted again for approval.
    Verify(verify::Args),
    /// Give a case to a staff account (`assign CASE NAME`) or to nobody (`--none`): its
    /// reminders then go to that account's address, or to the team address.
    Assign(assign::Args),
    /// Close a case: what was done and who did it go in its audit trail. The drafts still
    /// waiting for approval are rejected; none can be approved on a closed case.
    Close(close::Args),
    /// Delete closed cases and unrelated mail past their retention ([retention] in the config).
    ///
    /// With --dry-run, only lists them. Deleting records which cases went (by number only),
    /// how many messages and events, when, and on whose word.
    Purge(purge::Args),
    /// Write the staff digest: deadlines 7, 3 and 1 working days away or past, and drafts
    /// waiting. Each reminder is given once; with nothing new, no digest is made.
    Remind(remind::Args),
    /// The figures for the supervisory authority: requests by right and language, days to
    /// answer (median, 95th percentile), answers after the deadline, extensions, refusals,
    /// open cases.
    Report(report::Args),
    /// Send approved replies over SMTP ([smtp] in the config): exactly once across
    /// crashes, 4xx tried again later, 5xx failed with the server's words.
    Send(send::Args),
    /// Read the request mailbox over IMAP and turn mail into cases (the daemon).
    ///
    /// Each message is committed to the store before it is moved out of the inbox, so a
    /// crash never loses or duplicates a request. Waits for new mail with IDLE, reconnects
    /// with backoff, and on SIGTERM or SIGINT finishes the batch in hand and exits 0.
    Run(run::Args),
    /// The staff console's accounts: add, list, disable, passwd, totp.
    #[command(subcommand)]
    Staff(staff::Command),
    /// Serve the staff console alone ([web] in the config; default http://127.0.0.1:8750/).
    Web(web::Args),
    /// Is the mailbox reachable, when did the last pass finish, how many cases are open or overdue.
    Status(status::Args),
    /// Copy the store to FILE while the daemon runs (SQLite's online backup API); the copy
    /// is renamed into place only after its integrity check. FILE is never replaced
    /// without --force.
    Backup(backup::Args),
    /// Check the store: SQLite's integrity check, the append-only triggers, every case's
    /// events in order, every draft's state reachable. Exit 0 with "ok", else 1 with one
    /// line per problem (run it on a restored backup before starting the daemon).
    Check(check::Args),
    /// Print the last day to answer a request received on DATE.
    ///
    /// One month under GDPR Art. 12(3), counted under Regulation 1182/71: the same date in the
    /// following month, or that month's last day when it has no such date, moved on past
    /// Saturdays, Sundays and Finnish public holidays. An RFC 3339 instant is first turned
    /// into the controller's calendar day (Europe/Helsinki unless the config says otherwise).
    Deadline(deadline::Args),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Parse and check the config file; exit 1 with file:line:column on the first problem.
    ///
    /// Says what each section sets up ([mailbox], [smtp], [reminders], [approval_by_mail],
    /// never a password); with --connect, also tries the IMAP login and the SMTP greeting
    /// (exit 75 when one fails).
    Check(config_check::Args),
}

fn parse_now(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>()
        .map_err(|_| format!("not an RFC 3339 instant: {text:?} (e.g. 2026-11-02T09:00:00Z)"))
}

/// What every subcommand gets: the global options, resolved.
pub struct Context {
    config_path: Option<PathBuf>,
    pub now: Timestamp,
    /// The `--now` given, if any: the daemon keeps this clock fixed instead of reading one.
    pub fixed_now: Option<Timestamp>,
    pub json: bool,
}

impl Context {
    /// The config, which this command needs.
    pub fn config(&self) -> anyhow::Result<Config> {
        let path = self
            .config_path
            .as_ref()
            .ok_or(crate::config::ConfigError::Missing)?;
        Ok(Config::load(path)?)
    }

    /// The config if one was named; commands that work without one use defaults.
    pub fn optional_config(&self) -> anyhow::Result<Option<Config>> {
        self.config_path
            .as_ref()
            .map(|path| Config::load(path))
            .transpose()
            .map_err(Into::into)
    }

    /// The application over the config, which this command needs.
    pub fn app(&self) -> anyhow::Result<App> {
        Ok(App::new(self.config()?))
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Context {
        config_path: cli.config,
        now: cli.now.unwrap_or_else(Timestamp::now),
        fixed_now: cli.now,
        json: cli.json,
    };
    match cli.command {
        Command::Config(ConfigCommand::Check(args)) => config_check::run(&ctx, args),
        Command::Classify(args) => classify::run(&ctx, args),
        Command::Ingest(args) => ingest::run(&ctx, args),
        Command::Cases(args) => cases::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Quarantine(args) => quarantine::run(&ctx, args),
        Command::Register(command) => register::run(&ctx, command),
        Command::Match(args) => match_cases::run(&ctx, args),
        Command::Queue(args) => queue::run(&ctx, args),
        Command::Actions(args) => actions::list(&ctx, args),
        Command::Done(args) => actions::done(&ctx, args),
        Command::Do(args) => actions::carry_out(&ctx, args),
        Command::Hold(args) => actions::hold(&ctx, args),
        Command::Release(args) => actions::release(&ctx, args),
        Command::NotNeeded(args) => actions::not_needed(&ctx, args),
        Command::Suppression(command) => actions::suppression(&ctx, command),
        Command::Approve(args) => decide::approve(&ctx, args),
        Command::Reject(args) => decide::reject(&ctx, args),
        Command::Edit(args) => decide::edit(&ctx, args),
        Command::Extend(args) => extend::run(&ctx, args),
        Command::Verify(args) => verify::run(&ctx, args),
        Command::Close(args) => close::run(&ctx, args),
        Command::Assign(args) => assign::run(&ctx, args),
        Command::Purge(args) => purge::run(&ctx, args),
        Command::Inbox(args) => inbox::run(&ctx, args),
        Command::Open(args) => open::run(&ctx, args),
        Command::Intake(args) => intake::run(&ctx, args),
        Command::Reclassify(args) => reclassify::run(&ctx, args),
        Command::Deadline(args) => deadline::run(&ctx, args),
        Command::Remind(args) => remind::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Send(args) => send::run(&ctx, args),
        Command::Run(args) => run::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Backup(args) => backup::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Staff(command) => staff::run(&ctx, command),
        Command::Web(args) => web::run(&ctx, args),
    }
}

/// Logs go to stderr; `RIGHTSBOT_LOG` sets the filter (default: info for the daemon,
/// warnings otherwise). Log lines carry ids and counts, never message bodies or passwords.
pub fn init_tracing(cli: &Cli) {
    use tracing_subscriber::prelude::*;

    let default = if matches!(cli.command, Command::Run(_) | Command::Web(_)) {
        "info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RIGHTSBOT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // A separate filter, so no `RIGHTSBOT_LOG` directive can turn these targets back on.
    let no_secrets = tracing_subscriber::filter::filter_fn(|meta| !is_secret_target(meta.target()));
    let registry = tracing_subscriber::registry().with(no_secrets).with(filter);
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => registry.with(layer.json()).init(),
        LogFormat::Text => registry
            .with(layer.with_ansi(std::io::stderr().is_terminal()))
            .init(),
    }
}

/// Libraries whose own trace and debug lines hold what must never reach a log: async-imap
/// and imap-proto write every command and response verbatim (the LOGIN with its password,
/// whole FETCH bodies), lettre the SMTP dialogue (AUTH, the message).
const SECRET_TARGETS: &[&str] = &["async_imap", "imap_proto", "lettre"];

fn is_secret_target(target: &str) -> bool {
    SECRET_TARGETS.iter().any(|secret| {
        target
            .strip_prefix(secret)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    })
}

/// An error and its causes on one line: `what: why: deeper why`. Control characters a
/// cause may carry (a corrupt database's bytes, a server's reply) are shown escaped, so the
/// line can neither break nor drive the terminal.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = with_flags(cause).unwrap_or_else(|| cause.to_string());
        // SQLite's own error repeats the message rusqlite gave as "Error code 26: …".
        let text = strip_error_code(&text);
        let mut clean = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_control() {
                clean.extend(c.escape_debug());
            } else {
                clean.push(c);
            }
        }
        let text = clean;
        // Some sources repeat their own cause in their message; keep each text once.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// The library names what a person must give in words (`Input`, "a forced edit"); the
/// command line says which flag gives it. `None` for an error that names no input.
fn with_flags(cause: &(dyn std::error::Error + 'static)) -> Option<String> {
    use crate::approve::ApproveError;
    use crate::case::StaffError;
    use crate::draft::DraftError;
    use crate::report::ReportError;
    let flag = |input: Input| match input {
        Input::Reason => "--reason",
        Input::Outcome => "--outcome",
        Input::Note | Input::Verification => "--note",
        Input::RequesterAddress => "--from (an e-mail address)",
    };
    let required = |input: Input| Some(format!("{} is required and cannot be empty", flag(input)));
    let approve = |err: &ApproveError| match err {
        ApproveError::Required(input) => required(*input),
        ApproveError::Approved { draft, by } => Some(format!(
            "draft {draft} was approved by {by} and has not gone out: an edit withdraws that approval; give --force to edit it anyway"
        )),
        ApproveError::AlreadySent { draft, state } => Some(format!(
            "draft {draft} is {state}: it went out, so an edit is a new message to the requester; give --new-message to write one"
        )),
        _ => None,
    };
    let report = |err: &ReportError| match err {
        ReportError::EmptyPeriod { from, to } => Some(format!(
            "--from {from} is later than --to {to}: no day is in that period"
        )),
    };
    if let Some(err) = cause.downcast_ref::<AppError>() {
        return match err {
            AppError::FlaggedUnread {
                draft,
                case,
                sentences,
            } => Some(format!(
                "draft {draft}: the request has a sentence no right explains, which the reply may not answer: {sentences}; read it (rightsbot show {case}) and approve with --read-flagged"
            )),
            AppError::Staff(StaffError::Required(input))
            | AppError::Draft(DraftError::Required(input)) => required(*input),
            AppError::Approve(err) => approve(err),
            AppError::Report(err) => report(err),
            _ => None,
        };
    }
    if let Some(StaffError::Required(input)) = cause.downcast_ref::<StaffError>() {
        return required(*input);
    }
    if let Some(DraftError::Required(input)) = cause.downcast_ref::<DraftError>() {
        return required(*input);
    }
    if let Some(err) = cause.downcast_ref::<ApproveError>() {
        return approve(err);
    }
    cause.downcast_ref::<ReportError>().and_then(report)
}

fn strip_error_code(text: &str) -> &str {
    text.strip_prefix("Error code ")
        .and_then(|rest| rest.split_once(": "))
        .filter(|(code, _)| code.bytes().all(|b| b.is_ascii_digit()))
        .map_or(text, |(_, message)| message)
}

/// 75 (EX_TEMPFAIL) when trying again later can help (the mail server is down), else 1:
/// the user's to fix. Usage errors exit 2 through clap.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let temporary = err.chain().any(|cause| {
        cause
            .downcast_ref::<crate::intake::imap::ImapError>()
            .is_some_and(|e| e.is_temporary())
            || cause
                .downcast_ref::<crate::daemon::DaemonError>()
                .is_some_and(|e| {
                    e.is_temporary() && !matches!(e, crate::daemon::DaemonError::Store(_))
                })
    });
    if temporary { 75 } else { 1 }
}

/// Reads `--json` output helpers: one JSON value on one line.
pub(crate) fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string(value).context("cannot encode JSON output")?;
    println!("{text}");
    Ok(())
}

/// The receipt a staff member gives with `--received` (`app::App::receipt`), its errors
/// named after the flag.
pub(crate) fn received_at(text: &str, app: &App) -> anyhow::Result<Timestamp> {
    app.receipt(text).map_err(|err| match err {
        AppError::NotAReceipt(text) => {
            anyhow::anyhow!("--received {text:?} is not a day (YYYY-MM-DD) or an RFC 3339 instant")
        }
        AppError::ReceiptInFuture(text) => anyhow::anyhow!("--received {text:?} is in the future"),
        other => other.into(),
    })
}

/// Who acts: `--by NAME`, else `RIGHTSBOT_STAFF`, else the operating system account that
/// runs the command (an honest record of who typed it): its name, else its uid.
pub(crate) fn staff(by: Option<&str>) -> anyhow::Result<Staff> {
    let name = by
        .map(str::to_string)
        .or_else(|| std::env::var("RIGHTSBOT_STAFF").ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty());
    // SAFETY: getuid has no preconditions and cannot fail.
    let name = name.unwrap_or_else(|| format!("uid {}", unsafe { libc::getuid() }));
    Ok(Staff::new(&name)?)
}

/// Who acts, for a command where `--by NAME` is required: a blank name is a usage error
/// named after the flag.
pub(crate) fn named_staff(by: &str) -> anyhow::Result<Staff> {
    Staff::new(by).map_err(|_| anyhow::anyhow!("--by is required and cannot be empty"))
}

#[cfg(test)]
mod tests {
    use super::is_secret_target;

    #[test]
    fn imap_and_smtp_library_targets_are_secret() {
        assert!(is_secret_target("async_imap::imap_stream"));
        assert!(is_secret_target("imap_proto"));
        assert!(is_secret_target("lettre::transport::smtp"));
        assert!(!is_secret_target("rightsbot::daemon"));
        assert!(!is_secret_target("async_imapx"));
    }
}
