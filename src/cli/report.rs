//! `rightsbot report [--from DATE --to DATE] [--csv|--json]`: the figures a controller shows
//! its supervisory authority.

use std::process::ExitCode;

use jiff::civil::Date;

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// First day of receipt to count (YYYY-MM-DD, the controller's calendar day).
    #[arg(long, value_name = "DATE")]
    from: Option<Date>,
    /// Last day of receipt to count (inclusive).
    #[arg(long, value_name = "DATE")]
    to: Option<Date>,
    /// One `metric,value` line per figure.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    let store = app.store_read_only()?;
    let report = app.report(&store, args.from, args.to, ctx.now)?;
    if ctx.json {
        super::print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.csv {
        use std::io::Write;
        std::io::stdout().lock().write_all(&report.to_csv()?)?;
    } else {
        for (metric, value) in report.figures() {
            println!("{metric:<26} {value}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
