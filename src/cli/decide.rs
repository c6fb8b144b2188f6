//! `rightsbot approve DRAFT --by NAME`, `rightsbot reject DRAFT --by NAME --reason TEXT`,
//! `rightsbot edit DRAFT [--body-file FILE] --by NAME`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use serde_json::json;

use crate::ids::{CaseId, DraftId};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    /// The draft, e.g. D12 (see `rightsbot queue`).
    draft: DraftArg,
    /// Who approves it (recorded in the case's audit trail).
    #[arg(long)]
    by: String,
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

/// A draft as given: its id, or, by mistake, a case id, which gets the case's drafts named.
#[derive(Clone, Copy, Debug)]
pub enum DraftArg {
    Draft(DraftId),
    Case(CaseId),
}

impl std::str::FromStr for DraftArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<DraftId>() {
            Ok(draft) => Ok(DraftArg::Draft(draft)),
            Err(err) => s
                .parse::<CaseId>()
                .map(DraftArg::Case)
                .map_err(|_| err.to_string()),
        }
    }
}

impl DraftArg {
    /// The draft meant; a case id is a user error that names the case's drafts.
    fn resolve(self, store: &crate::store::Store) -> anyhow::Result<DraftId> {
        match self {
            DraftArg::Draft(draft) => Ok(draft),
            DraftArg::Case(case) => {
                let drafts: Vec<String> = store
                    .drafts_of(case)?
                    .iter()
                    .map(|d| d.draft.to_string())
                    .collect();
                if drafts.is_empty() {
                    bail!("{case}: that is a case; it has no drafts");
                }
                bail!(
                    "{case}: that is a case; its drafts are: {}",
                    drafts.join(", ")
                )
            }
        }
    }
}

pub fn approve(ctx: &Context, args: ApproveArgs) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let mut store = ctx.store(&config)?;
    let draft = args.draft.resolve(&store)?;
    let batch = store.begin()?;
    let approved = crate::approve::approve(
        &batch,
        draft,
        &args.by,
        &config.controller.privacy_address,
        ctx.now,
    )?;
    // With SMTP, `send` (or the daemon) takes it from here; without, the outbox folder is
    // where approved replies go out.
    let file = if config.smtp.is_some() {
        None
    } else {
        let file = crate::draft::outbox::write(&approved, &config)?;
        batch.draft_sent(draft, ctx.now, Some(&file.display().to_string()))?;
        Some(file)
    };
    batch.commit()?;
    if ctx.json {
        super::print_json(&json!({
            "draft": draft,
            "case": approved.case,
            "state": if file.is_some() { "sent" } else { "approved" },
            "message_id": approved.message_id,
            "outbox_file": file,
        }))?;
    } else {
        match &file {
            Some(file) => println!(
                "{}: approved by {}; written to {}",
                draft,
                args.by.trim(),
                file.display()
            ),
            None => println!(
                "{}: approved by {}; it goes out with the next `rightsbot send` (or daemon pass)",
                draft,
                args.by.trim()
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn reject(ctx: &Context, args: RejectArgs) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let mut store = ctx.store(&config)?;
    let draft = args.draft.resolve(&store)?;
    let batch = store.begin()?;
    crate::approve::reject(&batch, draft, &args.by, &args.reason, ctx.now)?;
    batch.commit()?;
    if ctx.json {
        super::print_json(&json!({
            "draft": draft,
            "state": "rejected",
            "next": format!("rightsbot edit {}", draft),
        }))?;
    } else {
        println!(
            "{}: rejected by {}; to go on, edit it into a new draft (`rightsbot edit {}`), or close the case",
            draft,
            args.by.trim(),
            draft
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn edit(ctx: &Context, args: EditArgs) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let mut store = ctx.store(&config)?;
    let id = args.draft.resolve(&store)?;
    let Some(draft) = store.draft(id)? else {
        bail!("no draft {id}");
    };
    let body = match &args.body_file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?,
        None => edit_in_editor(&draft.body)?,
    };
    if body == draft.body {
        bail!("the text is unchanged: no new draft was made");
    }
    let by = super::staff(args.by.as_deref())?;
    let options = crate::approve::EditOptions {
        force: args.force,
        new_message: args.new_message,
    };
    let batch = store.begin()?;
    let edited = crate::approve::edit(&batch, id, &body, &by, options, ctx.now)?;
    let new = edited.draft;
    crate::approve::by_mail::offer_or_record(&batch, new, &config, ctx.now)?;
    batch.commit()?;
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
