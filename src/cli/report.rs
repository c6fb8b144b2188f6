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
    let period = format!(
        "{} – {}",
        report
            .from
            .map_or("the first case".to_string(), |d| d.to_string()),
        report.to.map_or("today".to_string(), |d| d.to_string())
    );
    let median = report
        .days_to_answer_median
        .map_or(String::new(), |m| format!("{m}"));
    let p95 = report
        .days_to_answer_p95
        .map_or(String::new(), |p| p.to_string());
    let mut lines: Vec<(String, String)> = vec![
        ("period".to_string(), period),
        ("requests".to_string(), report.requests.to_string()),
    ];
    for (kind, count) in &report.by_kind {
        lines.push((format!("requests.{kind}"), count.to_string()));
    }
    for (language, count) in &report.by_language {
        lines.push((format!("language.{language}"), count.to_string()));
    }
    lines.extend([
        ("answered".to_string(), report.answered.to_string()),
        ("days_to_answer.median".to_string(), median),
        ("days_to_answer.p95".to_string(), p95),
        (
            "answered_after_deadline".to_string(),
            report.answered_after_deadline.to_string(),
        ),
        ("extended".to_string(), report.extended.to_string()),
        (
            "refused_in_part".to_string(),
            report.refused_in_part.to_string(),
        ),
        ("open".to_string(), report.open.to_string()),
        ("open_overdue".to_string(), report.open_overdue.to_string()),
    ]);
    if args.csv {
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(std::io::stdout().lock());
        csv.write_record(["metric", "value"])?;
        for (metric, value) in &lines {
            csv.write_record([metric, value])?;
        }
        csv.flush()?;
    } else {
        for (metric, value) in &lines {
            println!("{metric:<26} {value}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
