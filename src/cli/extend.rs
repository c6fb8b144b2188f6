//! `rightsbot extend CASE --months 2 --reason TEXT --by NAME`: more time, told in time.

use std::process::ExitCode;

use serde_json::json;

use crate::ids::CaseId;
use crate::vocabulary::ExtensionGround;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case, e.g. DSR-2026-0042.
    case: CaseId,
    /// Further months: 1 or 2 (GDPR Art. 12(3) allows two at most).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    months: u8,
    /// The Art. 12(3) ground: the complexity of the request, or the number of requests.
    #[arg(long, value_parser = parse_ground)]
    ground: Option<ExtensionGround>,
    /// Why more time is needed, in the requester's language: it goes into the notice.
    #[arg(long)]
    reason: String,
    /// Who decides the extension (recorded); default: $RIGHTSBOT_STAFF, else the login name.
    #[arg(long)]
    by: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let by = super::staff(args.by.as_deref())?;
    let mut store = app.store()?;
    let extended = app.extend(
        &mut store,
        args.case,
        &crate::app::ExtendRequest {
            months: args.months,
            ground: args.ground,
            reason: &args.reason,
        },
        &by,
        ctx.now,
    )?;
    let (draft, deadline) = (extended.draft, extended.deadline);
    if ctx.json {
        super::print_json(&json!({
            "case": args.case.to_string(),
            "deadline": deadline,
            "draft": draft,
        }))?;
    } else {
        println!(
            "{}: the notice {draft} waits for approval; the deadline becomes {deadline} when it is sent, which must be within the first month",
            args.case
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_ground(text: &str) -> Result<ExtensionGround, String> {
    ExtensionGround::parse(text).ok_or_else(|| {
        format!("{text:?} is not a ground of Art. 12(3): use complexity or requests")
    })
}
