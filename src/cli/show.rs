//! `rightsbot show CASE|DRAFT|MESSAGE`: one case (its messages' new text, drafts and audit
//! trail), one draft, or one stored mail as staff need to read it: headers, the new text
//! apart from the quoted part, attachments by type and size. Mail text comes from the parse
//! stage (HTML turned into text); it is printed as text, never rendered, with control
//! characters made visible so a mail cannot drive the terminal.

use std::process::ExitCode;

use serde_json::json;

use crate::app::{App, DraftView, MessageView};
use crate::draft::freshness::StaleSource;
use crate::ids::{CaseId, DraftId, MessageKey};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A case, e.g. DSR-2026-0042, a draft, e.g. D12, or a stored mail, e.g. M4 (as
    /// `inbox` and `show CASE` list them).
    id: Shown,
}

/// What `show` was asked for.
#[derive(Clone, Copy, Debug)]
enum Shown {
    Case(CaseId),
    Draft(DraftId),
    Message(MessageKey),
}

impl std::str::FromStr for Shown {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Ok(draft) = s.parse::<DraftId>() {
            return Ok(Shown::Draft(draft));
        }
        if let Ok(message) = s.parse::<MessageKey>() {
            return Ok(Shown::Message(message));
        }
        s.parse::<CaseId>().map(Shown::Case).map_err(|_| {
            format!("{s:?} is not a case (DSR-2026-0042), a draft (D12) or a message (M4)")
        })
    }
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let store = app.store_read_only()?;
    let id = match args.id {
        Shown::Case(id) => id,
        Shown::Draft(id) => return show_draft(ctx, &app, &app.draft_view(&store, id)?),
        Shown::Message(key) => return show_message(ctx, &app, &app.message_view(&store, key)?),
    };
    let view = app.case_view(&store, id, ctx.now)?;
    let config = app.config();
    let (case, drafts, identity) = (&view.case, &view.drafts, &view.identity);
    if ctx.json {
        let mut value = serde_json::to_value(case)?;
        if let Some(object) = value.as_object_mut() {
            object.insert("identity".to_string(), serde_json::to_value(identity)?);
            let drafts: Vec<serde_json::Value> = drafts
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "draft": d.draft,
                        "purpose": d.purpose,
                        "state": d.state,
                        "recipient": d.recipient,
                        "personal_data": d.personal_data,
                        "replaces": d.replaces,
                    })
                })
                .collect();
            object.insert("drafts".to_string(), serde_json::Value::Array(drafts));
            object.insert("actions".to_string(), serde_json::to_value(&view.actions)?);
            object.insert(
                "second_reader".to_string(),
                serde_json::to_value(&view.second_reader)?,
            );
            object.insert(
                "read_together".to_string(),
                serde_json::to_value(&view.read_together)?,
            );
            object.insert(
                "stale_sources".to_string(),
                serde_json::to_value(&view.stale_sources)?,
            );
            object.insert(
                "data_warning".to_string(),
                json!(crate::draft::freshness::warning(&view.stale_sources)),
            );
            if let Some(messages) = object.get_mut("messages").and_then(|m| m.as_array_mut()) {
                for ((value, message), text) in
                    messages.iter_mut().zip(&case.messages).zip(&view.new_texts)
                {
                    if let Some(value) = value.as_object_mut() {
                        value.insert("message".to_string(), json!(format!("M{}", message.key)));
                        value.insert("new_text".to_string(), json!(text));
                    }
                }
            }
        }
        super::print_json(&value)?;
        return Ok(ExitCode::SUCCESS);
    }
    let zone = &config.controller.timezone.zone;
    let local = |t: jiff::Timestamp| {
        t.to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    let summary = &case.summary;
    let left = view.days_left;
    println!("{}  {}", summary.id, summary.standing());
    let requester = match (&summary.requester_name, &summary.requester) {
        (Some(name), Some(address)) => format!("{name} <{address}>"),
        (None, Some(address)) => address.clone(),
        _ => "(no sender)".to_string(),
    };
    println!("requester  {requester}");
    println!("subject    {}", summary.subject);
    let kinds: Vec<&str> = summary.kinds.iter().map(|k| k.as_str()).collect();
    let kinds = if kinds.is_empty() {
        "none named yet (triage)".to_string()
    } else {
        kinds.join(", ")
    };
    println!("rights     {kinds}");
    // Staff only: what the classifier could not attribute to a right (issue 18).
    for sentence in &view.unattributed {
        println!("           a sentence may ask for more: {sentence:?}");
    }
    // Staff only: why the case waits in triage when the classifier's model added a right.
    for reading in &view.second_reader {
        println!(
            "           only the model read {} (p {:.2}); confirm it is asked: {:?}",
            reading.kind.as_str(),
            reading.probability,
            reading.sentence
        );
    }
    for read in &view.read_together {
        println!(
            "           {} only read with the sentence before; confirm it is asked: {:?}",
            read.kind.as_str(),
            read.sentences
        );
    }
    println!(
        "language   {}",
        summary.language.map_or("unknown", |l| l.code())
    );
    println!(
        "received   {} ({})",
        local(summary.received_at),
        config.controller.timezone.name
    );
    // Days left count only while an answer is owed (`case::Standing`).
    let left = match (
        summary.standing().is_open(),
        summary.answered_at,
        summary.waiting_since,
    ) {
        (true, _, Some(since)) => format!(
            "waiting since {since} for information asked for: the clock stands still, the deadline moves when it resumes"
        ),
        (true, _, None) if left < 0 => format!("{} days overdue", -left),
        (true, _, None) => format!("{left} days left"),
        (false, Some(at), _) => format!("answered {}", local(at)),
        (false, None, _) => "closed without an answer".to_string(),
    };
    println!(
        "deadline   {} ({:?}), {left}",
        summary.deadline,
        summary.deadline.weekday()
    );
    if let Some(line) = stale_line(&view.stale_sources, &local) {
        println!("register   {line}");
    }
    if let Some(identity) = &identity {
        // Scores print as JSON numbers (`1.0`, `0.85`), as the event stores them.
        let number = |score: f64| serde_json::Value::from(score).to_string();
        println!(
            "identity   {} (score {}): {}",
            identity.outcome,
            number(identity.score),
            identity.reason
        );
        println!(
            "           the reply will: {}",
            identity.action.as_str().replace('_', " ")
        );
        for entry in &identity.entries {
            let fields: Vec<&str> = entry.fields.iter().map(|f| f.as_str()).collect();
            println!(
                "           #{} {} line {}  {}  score {}  matched {}",
                entry.entry,
                entry.source,
                entry.line,
                entry.name.as_deref().unwrap_or("-"),
                number(entry.score),
                serde_json::Value::from(fields),
            );
        }
    }
    if !view.actions.is_empty() {
        println!("\nactions (rightsbot done {} A1 --note ...)", summary.id);
        for action in &view.actions {
            println!("  {}", super::actions::line(action, false));
        }
    }
    if !drafts.is_empty() {
        println!("\ndrafts");
        for draft in drafts {
            println!(
                "  {:<6} {:<16} {:<10} {}",
                draft.draft.to_string(),
                draft.purpose.as_str(),
                draft.state.as_str(),
                draft.recipient.as_deref().unwrap_or("(no recipient)")
            );
        }
    }
    println!("\nmessages");
    for (message, text) in case.messages.iter().zip(&view.new_texts) {
        println!(
            "  M{:<6} {}  {:<32} {}  [{} bytes, receipt from {}]",
            message.key,
            local(message.received_at),
            message.from_address.as_deref().unwrap_or("(no sender)"),
            message.subject,
            message.size,
            message.received_from,
        );
        match text {
            Some(text) if !text.is_empty() => {
                for line in printable(text).lines() {
                    println!("{}", format!("      | {line}").trim_end());
                }
            }
            Some(_) => println!("      | (no new text)"),
            None => println!("      | (not readable as a mail: see `rightsbot quarantine`)"),
        }
    }
    println!("\nevents");
    for event in &case.events {
        println!(
            "  {}  {:<10} {:<14} {}",
            local(event.at),
            event.actor,
            event.event.kind(),
            event.event.details()?
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// "import fresh exports first: orders (imported 2026-10-14 09:00, before the request),
/// shipping (never imported)", or `None` when the case's register data is as fresh as its request.
pub(super) fn stale_line(
    stale: &[StaleSource],
    local: &dyn Fn(jiff::Timestamp) -> String,
) -> Option<String> {
    crate::draft::freshness::warning(stale)?;
    let sources: Vec<String> = stale
        .iter()
        .map(|s| match s.imported_at {
            Some(at) => format!("{} (imported {}, before the request)", s.source, local(at)),
            None => format!("{} (never imported)", s.source),
        })
        .collect();
    Some(format!(
        "{}: {}",
        crate::draft::freshness::IMPORT_FIRST,
        sources.join(", ")
    ))
}

fn show_draft(ctx: &Context, app: &App, view: &DraftView) -> anyhow::Result<ExitCode> {
    if ctx.json {
        super::print_json(view)?;
        return Ok(ExitCode::SUCCESS);
    }
    let draft = &view.record;
    let zone = &app.config().controller.timezone.zone;
    let local = |t: jiff::Timestamp| {
        t.to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    };
    println!(
        "{}  {}  {} ({})",
        draft.draft,
        draft.state.as_str(),
        draft.purpose.as_str(),
        draft.case
    );
    println!(
        "to         {}",
        draft.recipient.as_deref().unwrap_or("(none)")
    );
    println!("           {}", draft.recipient_note);
    println!("subject    {}", draft.subject);
    println!("language   {}", draft.language.code());
    println!(
        "contains   {}",
        if draft.purpose == crate::draft::Purpose::RecipientNotice {
            "the identifiers a recipient needs to find the records (Art. 19), for its configured contact only"
        } else if draft.personal_data {
            "personal data (goes only to the address on file)"
        } else {
            "no personal data"
        }
    );
    if let Some(line) = stale_line(&view.stale_sources, &local) {
        println!("register   {line}");
    }
    if let Some(replaces) = draft.replaces {
        println!("edit of    {replaces}");
    }
    if let (Some(at), Some(by)) = (draft.decided_at, &draft.decided_by) {
        println!("decided    {} by {by}", at);
    }
    if let Some(note) = &draft.decision_note {
        println!("note       {note}");
    }
    for attachment in &draft.attachments {
        println!(
            "attached   {} ({}, {} bytes)",
            attachment.name,
            attachment.content_type,
            attachment.content.len()
        );
    }
    println!("\n{}", draft.body);
    Ok(ExitCode::SUCCESS)
}

/// Text as it may go to a terminal: control characters other than line breaks and tabs
/// (an escape sequence in a mail) shown as U+FFFD, never acted on.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn mailbox(mailbox: &crate::parse::Mailbox) -> String {
    match &mailbox.name {
        Some(name) => format!("{name} <{}>", mailbox.address),
        None => mailbox.address.clone(),
    }
}

fn show_message(ctx: &Context, app: &App, view: &MessageView) -> anyhow::Result<ExitCode> {
    let config = app.config();
    let (record, mail) = (&view.record, &view.mail);
    if ctx.json {
        let mut value = serde_json::to_value(record)?;
        if let Some(object) = value.as_object_mut() {
            let parsed = match &mail {
                None => json!({ "readable": false }),
                Some(mail) => json!({
                    "readable": true,
                    "from": mail.from,
                    "to": mail.to,
                    "reply_to": mail.reply_to,
                    "date": mail.date.map(|d| d.to_string()),
                    "in_reply_to": mail.in_reply_to,
                    "references": mail.references,
                    "attachments": mail.attachments,
                    "new_text": mail.own_text,
                    "quoted_text": mail.quoted_text,
                }),
            };
            if let Some(parsed) = parsed.as_object() {
                object.extend(parsed.clone());
            }
        }
        super::print_json(&value)?;
        return Ok(ExitCode::SUCCESS);
    }
    let zone = &config.controller.timezone.zone;
    let local = |t: jiff::Timestamp| {
        t.to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    let summary = &record.summary;
    let what = match (&record.case, record.disposition.as_deref()) {
        (Some(case), _) => format!("in case {case}"),
        (None, Some(disposition)) => format!("in no case ({disposition})"),
        (None, None) => "in no case".to_string(),
    };
    println!("{}  {what}", record.message);
    println!(
        "received     {} ({}, from {})",
        local(summary.received_at),
        config.controller.timezone.name,
        summary.received_from
    );
    println!("size         {} bytes", summary.size);
    let Some(mail) = mail else {
        println!("\nthe stored bytes are not readable as a mail (see `rightsbot quarantine`)");
        return Ok(ExitCode::SUCCESS);
    };
    println!(
        "from         {}",
        mail.from
            .as_ref()
            .map_or("(no sender)".to_string(), mailbox)
    );
    if !mail.to.is_empty() {
        let to: Vec<String> = mail.to.iter().map(mailbox).collect();
        println!("to           {}", to.join(", "));
    }
    if let Some(reply_to) = &mail.reply_to {
        println!("reply-to     {}", mailbox(reply_to));
    }
    if let Some(date) = mail.date {
        println!("date         {} (the sender's clock)", local(date));
    }
    println!("subject      {}", mail.subject);
    if let Some(id) = &mail.message_id {
        println!("message-id   {id}");
    }
    for id in &mail.in_reply_to {
        println!("in-reply-to  {id}");
    }
    if let Some(automated) = &mail.automated {
        println!("automated    {}", automated.describe());
    }
    for attachment in &mail.attachments {
        println!(
            "attachment   {} ({}, {} bytes)",
            attachment.name.as_deref().unwrap_or("(no name)"),
            attachment.content_type,
            attachment.size
        );
    }
    println!("\n--- new text ---");
    if mail.own_text.is_empty() {
        println!("(none)");
    } else {
        println!("{}", printable(&mail.own_text));
    }
    if !mail.quoted_text.is_empty() {
        println!("\n--- quoted ---");
        println!("{}", printable(&mail.quoted_text));
    }
    Ok(ExitCode::SUCCESS)
}
