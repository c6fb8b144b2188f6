//! `rightsbot approve DRAFT --by NAME`, `rightsbot reject DRAFT --by NAME --reason TEXT`,
//! `rightsbot edit DRAFT [--body-file FILE] --by NAME`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde_json::json;

use crate::app::DraftRef as DraftArg;
use crate::approve::EditOptions;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The draft, e.g. D12 (see `rightsbot queue`).
    draft: DraftArg,
    /// Who approves it (recorded in the case's audit trail).
    #[arg(long)]
    by: String,
    /// The request has a sentence no right explains (`show` lists it): say you read it and
    /// the reply answers what it must. Recorded with your name.
    #[arg(long)]
    read_flagged: bool,
    /// The draft was written or edited by a person while the case has open actions (see
    /// `rightsbot actions CASE`): say you checked that its text promises them and does not
    /// say they were done. Recorded with your name.
    #[arg(long)]
    open_actions_confirmed: bool,
}

#[derive(Debug, clap::Args)]
pub struct RejectArgs {
    /// The draft, e.g. D12.
    draft: DraftArg,
    /// Who rejects it.
    #[arg(long)]
    by: String,
    /// Why (recorded).
    #[arg(long)]
    reason: String,
}

#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The draft, e.g. D12.
    draft: DraftArg,
    /// Who edits it (recorded); default: $RIGHTSBOT_STAFF, else the login name.
    #[arg(long)]
    by: Option<String>,
    /// Take the new text from this file instead of opening $EDITOR.
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// Edit a draft approved but not yet sent: its approval is withdrawn.
    #[arg(long)]
    force: bool,
    /// Edit a draft that went out: the edit is a new message to the requester.
    #[arg(long)]
    new_message: bool,
}

pub fn approve(ctx: &Context, args: ApproveArgs) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let by = super::named_staff(&args.by)?;
    let mut store = app.store()?;
    let checks = crate::app::ApprovalChecks {
        read_flagged: args.read_flagged,
        open_actions_confirmed: args.open_actions_confirmed,
    };
    let approved = match app.approve(&mut store, args.draft, &by, checks, ctx.now) {
        Err(crate::app::AppError::Approve(
            err @ crate::approve::ApproveError::OpenActionsUnconfirmed { .. },
        )) => bail!("{err} (--open-actions-confirmed)"),
        other => other?,
    };
    let draft = approved.draft.draft;
    let file = approved.outbox_file;
    if ctx.json {
        super::print_json(&json!({
            "draft": draft,
            "case": approved.draft.case,
            "state": if file.is_some() { "sent" } else { "approved" },
            "message_id": approved.draft.message_id,
            "outbox_file": file,
        }))?;
    } else {
        match &file {
            Some(file) => println!("{draft}: approved by {by}; written to {}", file.display()),
            None => println!(
                "{draft}: approved by {by}; it goes out with the next `rightsbot send` (or daemon pass)"
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn reject(ctx: &Context, args: RejectArgs) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let by = super::named_staff(&args.by)?;
    let mut store = app.store()?;
    let draft = app.reject(&mut store, args.draft, &by, &args.reason, ctx.now)?;
    if ctx.json {
        super::print_json(&json!({
            "draft": draft,
            "state": "rejected",
            "next": format!("rightsbot edit {}", draft),
        }))?;
    } else {
        println!(
            "{draft}: rejected by {by}; to go on, edit it into a new draft (`rightsbot edit {draft}`), or close the case"
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn edit(ctx: &Context, args: EditArgs) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let mut store = app.store()?;
    let draft = app.draft(&store, args.draft)?;
    let id = draft.draft;
    let body = match &args.body_file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
        None => edit_in_editor(&draft.body)?,
    };
    let by = super::staff(args.by.as_deref())?;
    let options = EditOptions {
        force: args.force,
        new_message: args.new_message,
    };
    let edited = app.edit(&mut store, id, &body, &by, options, ctx.now)?;
    let new = edited.draft;
    if ctx.json {
        let withdrawn: Vec<_> = edited.approvals_withdrawn.iter().map(|(d, _)| d).collect();
        super::print_json(&json!({
            "draft": new,
            "replaces": id,
            "also_replaces": edited.replaced,
            "approvals_withdrawn": withdrawn,
            "state": "pending",
        }))?;
    } else {
        for (draft, approver) in &edited.approvals_withdrawn {
            println!("{draft}: the approval by {approver} is withdrawn; it will not be sent");
        }
        for draft in &edited.replaced {
            println!("{draft}: replaced by {new}");
        }
        println!(
            "{new}: the edit of {}, waiting for approval (`rightsbot approve {new} --by NAME`)",
            id
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the text in $VISUAL or $EDITOR and returns what was saved.
fn edit_in_editor(text: &str) -> anyhow::Result<String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .context("set $EDITOR, or give the new text with --body-file FILE")?;
    let file = tempfile::Builder::new()
        .prefix("rightsbot-draft-")
        .suffix(".txt")
        .tempfile()
        .context("cannot make a temporary file to edit")?;
    std::fs::write(file.path(), text).context("cannot write the temporary file")?;
    // The editor setting may carry arguments ("code --wait").
    let mut words = editor.split_whitespace();
    let program = words.next().context("$EDITOR is empty")?;
    let status = std::process::Command::new(program)
        .args(words)
        .arg(file.path())
        .status()
        .with_context(|| format!("cannot start the editor {program:?}"))?;
    if !status.success() {
        bail!("the editor {program:?} failed ({status}): nothing was changed");
    }
    std::fs::read_to_string(file.path()).context("cannot read the edited text")
}
