//! `rightsbot intake --from ADDRESS --received DATE --kinds K --note TEXT`: a request made by
//! phone, by letter or to a staff member in person becomes a case like any other.

use std::process::ExitCode;

use serde_json::json;

use crate::app::Intake;
use crate::classify::RequestKind;
use crate::lang::Lang;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The requester's e-mail address: the answer goes there, and they are looked up by it.
    #[arg(long, value_name = "ADDRESS")]
    from: String,
    /// Their name, as they gave it.
    #[arg(long)]
    name: Option<String>,
    /// The day (YYYY-MM-DD) or instant (RFC 3339) the request reached the company; the
    /// one-month clock runs from it.
    #[arg(long, value_name = "DATE")]
    received: String,
    /// The rights asked for, comma-separated: access, rectification, erasure,
    /// restriction, portability, objection, direct_marketing_optout, consent_withdrawal.
    #[arg(long, value_delimiter = ',', required = true)]
    kinds: Vec<RequestKind>,
    /// What was asked, and how (the call, the letter), in your words.
    #[arg(long)]
    note: String,
    /// The language to answer in: fi, sv or en (default: the controller's).
    #[arg(long)]
    language: Option<Lang>,
    /// Who entered it, for the audit trail (default: RIGHTSBOT_STAFF, then the login name).
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let by = super::staff(args.by.as_deref())?;
    let received_at = super::received_at(&args.received, &app)?;
    let mut store = app.store()?;
    let opened = app.intake(
        &mut store,
        &Intake {
            from: &args.from,
            name: args.name.as_deref(),
            received_at,
            kinds: &args.kinds,
            language: args.language,
            note: &args.note,
        },
        &by,
        ctx.now,
    )?;
    let (case, draft) = (opened.case, opened.draft);
    if ctx.json {
        super::print_json(&json!({ "case": case.to_string(), "draft": draft }))?;
    } else {
        println!("opened {case} for {}", args.from.trim());
        if let Some(draft) = draft {
            println!("{draft}: the reply drafted for it, waiting for approval");
        }
    }
    Ok(ExitCode::SUCCESS)
}
