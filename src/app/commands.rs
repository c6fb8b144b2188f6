//! A source's own command, run for an action when staff ask (`rightsbot do CASE A3`): the
//! webshop's admin tool erasing a customer, a newsletter tool unsubscribing an address.
//!
//! The command is an argv from the config, never a shell line: the entry's fields fill its
//! placeholders and the environment, so a name with quotes or `;` in it is one argument and
//! nothing more. It runs once per register entry of the action (once for the address of
//! an opt-out from someone the register does not hold), outside any store transaction.
//! Every run exiting 0 records the action done with the output as its note; any failure is
//! recorded as an event and leaves the action open, for staff to look at and ask again.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use jiff::Timestamp;
use wait_timeout::ChildExt;

use crate::config::{SourceCommand, SourceConfig};
use crate::ids::CaseId;
use crate::register::Entry;
use crate::store::{ActionRecord, NewEvent, Store};
use crate::vocabulary::event::{self, CommandRun, Event};
use crate::vocabulary::{ActionKind, ActionNumber};

use super::{ActionChange, ActionRecorded, App, AppError, Staff};

/// How long a command may run when the config does not say.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// The most output kept of one run.
const OUTPUT_LIMIT: usize = 4096;

/// What became of a source command run for an action.
pub enum CarriedOut {
    /// Every run exited 0: the action is recorded done.
    Done {
        recorded: Box<ActionRecorded>,
        runs: Vec<CommandRun>,
    },
    /// A run failed: the action stays open; the runs say why.
    Failed {
        action: Box<ActionRecord>,
        runs: Vec<CommandRun>,
    },
}

impl App {
    /// Runs the source's command for one open action of a case, as `by` asked, and records
    /// the outcome.
    pub fn carry_out(
        &self,
        store: &mut Store,
        case: CaseId,
        number: ActionNumber,
        by: &Staff,
        now: Timestamp,
    ) -> Result<CarriedOut, AppError> {
        let by = &self.authorize(
            store,
            by,
            crate::vocabulary::Role::Handler,
            "carry out an action",
        )?;
        let refused = |text: String| AppError::Refused(text);
        if store.case(case)?.is_none() {
            return Err(AppError::NoSuchCase {
                case,
                store: store.path().display().to_string(),
            });
        }
        let action = store
            .actions_of(case)?
            .into_iter()
            .find(|a| a.number == number)
            .ok_or_else(|| refused(format!("case {case} has no action {number}")))?;
        if action.state != crate::vocabulary::ActionState::Open {
            return Err(refused(format!(
                "action {number} of case {case} is {}: only an open action is carried out",
                action.state
            )));
        }
        let source = self
            .config
            .register
            .sources
            .iter()
            .find(|s| s.name.0 == action.source)
            .ok_or_else(|| {
                refused(format!(
                    "action {number} of case {case} belongs to no configured source ({:?})",
                    action.source
                ))
            })?;
        let (key, command) = command_for(source, action.kind).ok_or_else(|| {
            refused(format!(
                "source {} has no command for a {} action: set [[register.sources]] {} in the config, or do it by hand and record it with `rightsbot done {case} {number}`",
                source.name.0,
                action.kind,
                key_for(action.kind).unwrap_or("on_erase/on_correct/on_suppress"),
            ))
        })?;
        let entries = store.register_entries(&action.entries)?;
        if !action.entries.is_empty() && entries.is_empty() {
            return Err(refused(format!(
                "action {number} of case {case}: its register entries are no longer in the snapshot; record what was done with `rightsbot done {case} {number}`"
            )));
        }
        let timeout = self
            .config
            .register
            .command_timeout_seconds
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
        // No transaction is open while the command runs.
        let mut runs = Vec::new();
        let targets: Vec<Option<&Entry>> = if entries.is_empty() {
            vec![None]
        } else {
            entries.iter().map(Some).collect()
        };
        for entry in targets {
            let values = Values::of(case, &action, entry);
            let mut run = run(command, &values, timeout);
            run.line = entry.map(|e| e.line);
            tracing::info!(
                case = %case,
                action = %number,
                program = %command.program,
                exit = ?run.exit,
                "{key} ran"
            );
            let failed = run.exit != Some(0);
            runs.push(run);
            if failed {
                break;
            }
        }
        let succeeded = runs.iter().all(|r| r.exit == Some(0));
        let mut argv = vec![command.program.clone()];
        argv.extend(command.args.iter().cloned());
        {
            let batch = store.begin()?;
            batch.append_event(
                case,
                &NewEvent {
                    at: now,
                    actor: by.as_str(),
                    event: Event::CommandRan(event::CommandRan {
                        action: number.to_string(),
                        command: argv,
                        runs: runs.clone(),
                        succeeded,
                    }),
                },
            )?;
            batch.commit()?;
        }
        if !succeeded {
            return Ok(CarriedOut::Failed {
                action: Box::new(action),
                runs,
            });
        }
        let note = format!(
            "{key} ran {} time(s), exit 0{}",
            runs.len(),
            summary(&runs).map(|s| format!(": {s}")).unwrap_or_default()
        );
        let recorded = self.record_action(
            store,
            case,
            number,
            ActionChange::Done { note: Some(note) },
            by,
            now,
        )?;
        Ok(CarriedOut::Done {
            recorded: Box::new(recorded),
            runs,
        })
    }
}

/// The config key of the command an action kind runs.
fn key_for(kind: ActionKind) -> Option<&'static str> {
    match kind {
        ActionKind::Erase => Some("on_erase"),
        ActionKind::Correct => Some("on_correct"),
        ActionKind::StopMarketing => Some("on_suppress"),
        _ => None,
    }
}

fn command_for(source: &SourceConfig, kind: ActionKind) -> Option<(&'static str, &SourceCommand)> {
    let key = key_for(kind)?;
    let command = match kind {
        ActionKind::Erase => source.on_erase.as_ref(),
        ActionKind::Correct => source.on_correct.as_ref(),
        ActionKind::StopMarketing => source.on_suppress.as_ref(),
        _ => None,
    }?;
    Some((key, command))
}

/// The first line of output of the last run, for the action's note.
fn summary(runs: &[CommandRun]) -> Option<String> {
    runs.iter()
        .rev()
        .filter_map(|r| r.output.lines().find(|l| !l.trim().is_empty()))
        .map(|l| l.trim().chars().take(200).collect())
        .next()
}

/// The placeholder values of one run: name, environment variable, value.
struct Values(Vec<(&'static str, &'static str, String)>);

impl Values {
    fn of(case: CaseId, action: &ActionRecord, entry: Option<&Entry>) -> Values {
        let field = |f: Option<&Option<String>>| f.and_then(|v| v.clone()).unwrap_or_default();
        // An opt-out from an address no entry holds still names the address.
        let email = match entry {
            Some(entry) => field(Some(&entry.email)),
            None if action.kind == ActionKind::StopMarketing => action.target.clone(),
            None => String::new(),
        };
        Values(vec![
            ("email", "RIGHTSBOT_EMAIL", email),
            ("phone", "RIGHTSBOT_PHONE", field(entry.map(|e| &e.phone))),
            ("name", "RIGHTSBOT_NAME", field(entry.map(|e| &e.name))),
            (
                "customer_id",
                "RIGHTSBOT_CUSTOMER_ID",
                field(entry.map(|e| &e.customer_id)),
            ),
            ("order", "RIGHTSBOT_ORDER", field(entry.map(|e| &e.order))),
            ("field", "RIGHTSBOT_FIELD", action.target.clone()),
            ("source", "RIGHTSBOT_SOURCE", action.source.clone()),
            ("case", "RIGHTSBOT_CASE", case.to_string()),
            ("action", "RIGHTSBOT_ACTION", action.number.to_string()),
        ])
    }

    /// An argument with each `{placeholder}` replaced, in one pass: a value that itself
    /// holds `{email}` is not replaced again.
    fn fill(&self, arg: &str) -> String {
        let mut out = String::with_capacity(arg.len());
        let mut rest = arg;
        'outer: while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            for (name, _, value) in &self.0 {
                if let Some(tail) = after.strip_prefix(name).and_then(|t| t.strip_prefix('}')) {
                    out.push_str(value);
                    rest = tail;
                    continue 'outer;
                }
            }
            out.push('{');
            rest = after;
        }
        out.push_str(rest);
        out
    }
}

/// Runs the command once, without a shell, with a clean environment (PATH, LANG and the
/// placeholders), nothing on stdin, and a time limit.
fn run(command: &SourceCommand, values: &Values, timeout: Duration) -> CommandRun {
    let mut process = Command::new(&command.program);
    process
        .args(command.args.iter().map(|a| values.fill(a)))
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for keep in ["PATH", "LANG", "LC_ALL", "TZ"] {
        if let Some(value) = std::env::var_os(keep) {
            process.env(keep, value);
        }
    }
    for (_, variable, value) in &values.0 {
        process.env(variable, value);
    }
    let mut child = match process.spawn() {
        Ok(child) => child,
        Err(err) => {
            return CommandRun {
                line: None,
                exit: None,
                output: format!("{} could not be started: {err}", command.program),
            };
        }
    };
    // Read both pipes on their own threads, so a chatty command never blocks on a full pipe.
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe
                    .by_ref()
                    .take(OUTPUT_LIMIT as u64)
                    .read_to_end(&mut bytes);
                // Drain the rest so the command can finish.
                let _ = std::io::copy(&mut pipe, &mut std::io::sink());
            }
            bytes
        })
    };
    let stdout = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let status = match child.wait_timeout(timeout) {
        Ok(Some(status)) => Ok(status),
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!(
                "{} did not finish within {} s and was stopped",
                command.program,
                timeout.as_secs()
            ))
        }
        Err(err) => Err(format!(
            "{} could not be waited for: {err}",
            command.program
        )),
    };
    let mut output = String::from_utf8_lossy(&stdout.join().unwrap_or_default()).into_owned();
    let errors = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
    if !errors.trim().is_empty() {
        if !output.is_empty() && !output.ends_with('\n') {
            output.push('\n');
        }
        output.push_str(&errors);
    }
    let exit = match status {
        Ok(status) => status.code(),
        Err(why) => {
            output.push_str(&why);
            None
        }
    };
    if output.len() > OUTPUT_LIMIT {
        let mut cut = OUTPUT_LIMIT;
        while !output.is_char_boundary(cut) {
            cut -= 1;
        }
        output.truncate(cut);
    }
    CommandRun {
        line: None,
        exit,
        output,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values(vec![
            (
                "email",
                "RIGHTSBOT_EMAIL",
                "a{name}@example.test".to_string(),
            ),
            ("name", "RIGHTSBOT_NAME", "O'Brien; rm -rf /".to_string()),
        ])
    }

    #[test]
    fn placeholders_are_filled_once_and_unknown_braces_stay() {
        let v = values();
        assert_eq!(v.fill("--to={email}"), "--to=a{name}@example.test");
        assert_eq!(v.fill("{name}"), "O'Brien; rm -rf /");
        assert_eq!(v.fill("{unknown} {"), "{unknown} {");
        assert_eq!(
            v.fill("{email}{name}"),
            "a{name}@example.testO'Brien; rm -rf /"
        );
    }
}
