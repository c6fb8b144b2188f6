//! `rightsbot open MESSAGE --kinds ... --by NAME [--on-behalf-of ADDRESS --received DATE]`:
//! a person turns a stored mail into a case; a request a staff member forwarded becomes
//! the original sender's, from the day it first reached the controller.

use std::process::ExitCode;

use serde_json::json;

use crate::case::OnBehalf;
use crate::classify::RequestKind;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stored message: its key from `inbox` (e.g. M12) or its Message-ID.
    message: String,
    /// The rights it asks for, comma-separated: access, rectification, erasure,
    /// restriction, portability, objection, direct_marketing_optout, consent_withdrawal.
    #[arg(long, value_delimiter = ',', required = true)]
    kinds: Vec<RequestKind>,
    /// Who decided, for the audit trail.
    #[arg(long, value_name = "NAME")]
    by: String,
    /// The mail is a request a staff member forwarded: the original sender, whose case it
    /// is (confirm it from the forwarded text).
    #[arg(long, value_name = "ADDRESS", requires = "received")]
    on_behalf_of: Option<String>,
    /// With --on-behalf-of: the day (YYYY-MM-DD) or instant (RFC 3339) the request first
    /// reached the company; the one-month clock runs from it.
    #[arg(long, value_name = "DATE", requires = "on_behalf_of")]
    received: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let by = super::named_staff(&args.by)?;
    let on_behalf = match (&args.on_behalf_of, &args.received) {
        (Some(requester), Some(received)) => Some(OnBehalf {
            requester: requester.clone(),
            received_at: super::received_at(received, &app)?,
        }),
        _ => None,
    };
    let mut store = app.store()?;
    let opened = app.open(
        &mut store,
        &args.message,
        &args.kinds,
        &by,
        on_behalf.as_ref(),
        ctx.now,
    )?;
    let (case, draft) = (opened.case, opened.draft);
    if ctx.json {
        super::print_json(&json!({
            "case": case.to_string(),
            "message": args.message,
            "kinds": args.kinds,
            "draft": draft,
        }))?;
    } else {
        println!("opened {case} from {}", args.message);
        if let Some(draft) = draft {
            println!("{draft}: the reply drafted for it, waiting for approval");
        }
    }
    Ok(ExitCode::SUCCESS)
}
