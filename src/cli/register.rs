//! `rightsbot register import|find|sources|erased`: the controller's records.

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::json;

use crate::app::{App, AppError, EntryQuery, ImportReport};
use crate::ids::CaseId;
use crate::register::Entry;

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Read the CSV export of each configured source (or only SOURCE) as its new snapshot.
    ///
    /// Streaming: a file of millions of rows never sits in memory. Atomic per source: if
    /// the file cannot be read, or a configured column is missing from its header, the
    /// previous snapshot stays. Rows with a bad e-mail, bytes that are not the declared
    /// encoding, or the wrong number of fields are rejected and listed with their line
    /// numbers; rows of people erased before (see `register erased`) are withheld.
    Import(ImportArgs),
    /// Look people up by e-mail, phone, name, order number or customer number.
    ///
    /// E-mail and phone are compared in normal form (case, spaces, +358/0); a name search
    /// is fuzzy (word order, case and diacritics do not matter; best first, with a score).
    Find(FindArgs),
    /// List the sources: entries held, last import, rows rejected.
    Sources,
    /// Record that a case's erasure was carried out in the controller's systems.
    ///
    /// Removes the person's entries from the snapshot and keeps a one-way hash of their
    /// e-mail, phone and customer id, so re-importing an old export flags them instead of
    /// silently bringing them back.
    Erased(ErasedArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A source's name in the config ([[register.sources]] name), or a CSV file: the file
    /// of the source it names, or of the only source, or — with no source for it — a new
    /// source named after the file, its columns told from its header. Default: every
    /// configured source.
    #[arg(value_name = "SOURCE|FILE.csv")]
    source: Option<String>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("by").required(true).multiple(true)))]
pub struct FindArgs {
    #[arg(long, group = "by")]
    email: Option<String>,
    #[arg(long, group = "by")]
    phone: Option<String>,
    #[arg(long, group = "by")]
    name: Option<String>,
    /// An order number, as written in the export.
    #[arg(long, group = "by")]
    order: Option<String>,
    /// A customer number, as written in the export.
    #[arg(long, group = "by")]
    customer: Option<String>,
    /// At most this many name matches.
    #[arg(long, default_value_t = 10)]
    limit: usize,
}

#[derive(Debug, clap::Args)]
pub struct ErasedArgs {
    /// The erasure case, e.g. DSR-2026-0042.
    case: CaseId,
    /// Who carried out the erasure (recorded in the case's audit trail).
    #[arg(long)]
    by: String,
    /// Only these entries (ids from `show CASE`), when the match is ambiguous.
    #[arg(long = "entry", value_name = "ID")]
    entries: Vec<i64>,
}

pub fn run(ctx: &Context, command: Command) -> anyhow::Result<ExitCode> {
    let app = ctx.app()?;
    match command {
        Command::Import(args) => import(ctx, &app, args),
        Command::Find(args) => find(ctx, &app, args),
        Command::Sources => sources(ctx, &app),
        Command::Erased(args) => erased(ctx, &app, args),
    }
}

fn import(ctx: &Context, app: &App, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let sources = app.import_sources(args.source.as_deref())?;
    let mut store = app.store()?;
    let mut failed = 0;
    let mut imported = 0;
    for source in sources {
        let source = source.as_ref();
        let progress = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        progress.set_style(
            ProgressStyle::with_template(&format!(
                "{} {{bar:40}} {{bytes}}/{{total_bytes}} {{bytes_per_sec}} eta {{eta}}",
                source.name()
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let result = app.import_source(&mut store, source, ctx.now, &mut |at| {
            if let Some(size) = at.size {
                progress.set_length(size);
            }
            progress.set_position(at.bytes_read);
        });
        progress.finish_and_clear();
        match result {
            Ok(report) => {
                imported += 1;
                print_report(ctx, &report)?;
            }
            Err(err) => {
                failed += 1;
                let line = super::one_line(&err.into());
                if ctx.json {
                    super::print_json(&json!({ "source": source.name(), "error": line }))?;
                }
                eprintln!(
                    "rightsbot: source {}: {line} (its previous snapshot is kept)",
                    source.name()
                );
            }
        }
    }
    if imported > 0 && !ctx.json {
        let open = app.open_cases(&store, ctx.now)?;
        if open > 0 {
            println!(
                "{open} open case{} were matched against the register as it was; `rightsbot match --open` matches them again",
                if open == 1 { "" } else { "s" }
            );
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(ctx: &Context, report: &ImportReport) -> anyhow::Result<()> {
    if ctx.json {
        return super::print_json(report);
    }
    println!(
        "{}: {} rows read, {} kept, {} rejected, {} withheld ({})",
        report.source, report.rows_read, report.kept, report.rejected, report.withheld, report.file
    );
    for rejection in &report.rejections {
        println!("  line {}: {}", rejection.line, rejection.reason);
    }
    if report.rejected as usize > report.rejections.len() {
        println!(
            "  … and {} more rejected rows",
            report.rejected as usize - report.rejections.len()
        );
    }
    for withheld in &report.withheld_rows {
        println!(
            "  line {}: withheld: this person was erased in case {} — the export still holds them; erase them at the source",
            withheld.line, withheld.erased_in
        );
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Found<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<f64>,
}

fn find(ctx: &Context, app: &App, args: FindArgs) -> anyhow::Result<ExitCode> {
    let store = app.store_read_only()?;
    let query = EntryQuery {
        email: args.email.as_deref(),
        phone: args.phone.as_deref(),
        name: args.name.as_deref(),
        order: args.order.as_deref(),
        customer: args.customer.as_deref(),
        limit: args.limit,
    };
    // The lookup's own errors name what was given; here they name the flag it came by.
    let found = app.find_entries(&store, &query).map_err(|err| match err {
        AppError::NotAnEmail { text, why } => anyhow::anyhow!("--email {text:?}: {why}"),
        AppError::NotAPhone(text) => anyhow::anyhow!("--phone {text:?} is not a phone number"),
        other => other.into(),
    })?;
    if ctx.json {
        for (entry, similarity) in &found {
            super::print_json(&Found {
                entry,
                similarity: *similarity,
            })?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if found.is_empty() {
        println!("no entries found");
        return Ok(ExitCode::SUCCESS);
    }
    for (entry, similarity) in &found {
        let similarity = similarity.map_or(String::new(), |s| format!("  similarity {s:.2}"));
        println!(
            "#{:<8} {} line {}{similarity}",
            entry.id, entry.source, entry.line
        );
        let fields = [
            ("name", &entry.name),
            ("email", &entry.email),
            ("phone", &entry.phone),
            ("address", &entry.address),
            ("customer", &entry.customer_id),
            ("order", &entry.order),
            ("created", &entry.created),
        ];
        for (label, value) in fields {
            if let Some(value) = value {
                println!("  {label:<9} {value}");
            }
        }
        for (column, value) in &entry.other {
            println!("  {column}: {value}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn sources(ctx: &Context, app: &App) -> anyhow::Result<ExitCode> {
    let config = app.config();
    let store = app.store_read_only()?;
    let held = app.register_sources(&store)?;
    if ctx.json {
        for source in &held {
            super::print_json(source)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let configured = config.register.sources.iter().map(|s| s.name());
    let mut names: Vec<&str> = configured
        .chain(held.iter().map(|s| s.source.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        match held.iter().find(|s| s.source == name) {
            Some(status) => println!(
                "{name:<24} {:>8} entries  imported {}  rejected {}  withheld {}",
                status.entries,
                status
                    .imported_at
                    .map_or("never".to_string(), |t| t.to_string()),
                status.rejected.unwrap_or(0),
                status.withheld.unwrap_or(0),
            ),
            None => println!("{name:<24}        0 entries  never imported"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn erased(ctx: &Context, app: &App, args: ErasedArgs) -> anyhow::Result<ExitCode> {
    let by = super::named_staff(&args.by)?;
    let mut store = app.store()?;
    let erasure = app.record_erasure(&mut store, args.case, &args.entries, &by, ctx.now)?;
    let (ids, tombstones) = (&erasure.entries, erasure.tombstones);
    if ctx.json {
        super::print_json(&json!({
            "case": args.case.to_string(),
            "entries": ids,
            "tombstones": tombstones,
        }))?;
    } else {
        println!(
            "{}: erasure recorded by {by}: {} entr{} removed from the register snapshot, {} tombstone{} kept",
            args.case,
            ids.len(),
            if ids.len() == 1 { "y" } else { "ies" },
            tombstones,
            if tombstones == 1 { "" } else { "s" },
        );
    }
    Ok(ExitCode::SUCCESS)
}
