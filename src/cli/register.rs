//! `rightsbot register import|find|sources|erased`: the controller's records.

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::json;

use crate::case::BOT_ACTOR;
use crate::config::{Config, SourceConfig};
use crate::ids::CaseId;
use crate::matching::{self, Lookup};
use crate::register::import::Normalizer;
use crate::register::normalize;
use crate::register::{Entry, ImportError, Rejection, Row, SourceReader, tombstone_hash};
use crate::store::{ImportRecord, NewEvent, Store};

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

/// The source `argument` names: a configured source, or a CSV file.
fn resolve<'a>(
    config: &'a Config,
    argument: &str,
) -> anyhow::Result<std::borrow::Cow<'a, SourceConfig>> {
    use std::borrow::Cow;
    if let Some(source) = config.register.source(argument) {
        return Ok(Cow::Borrowed(source));
    }
    let path = std::path::Path::new(argument);
    let known: Vec<&str> = config.register.sources.iter().map(|s| s.name()).collect();
    if !path.is_file() {
        bail!(
            "no source {argument:?} in [[register.sources]] (configured: {}) and no file {argument:?}",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
    }
    let canonical = path.canonicalize().ok();
    let sources = &config.register.sources;
    if let Some(source) = sources
        .iter()
        .find(|s| canonical.is_some() && s.file.canonicalize().ok() == canonical)
    {
        return Ok(Cow::Borrowed(source));
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let with_file = |source: &SourceConfig| {
        let mut source = source.clone();
        source.file = path.to_path_buf();
        Cow::Owned(source)
    };
    if let Some(source) = sources.iter().find(|s| Some(s.name()) == stem.as_deref()) {
        return Ok(with_file(source));
    }
    match sources.as_slice() {
        [only] => Ok(with_file(only)),
        [] => Ok(Cow::Owned(crate::register::guess::source_for_file(path)?)),
        _ => bail!(
            "{argument}: which source is it? name one of {} (or name the file after it)",
            known.join(", ")
        ),
    }
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
    let config = ctx.config()?;
    match command {
        Command::Import(args) => import(ctx, &config, args),
        Command::Find(args) => find(ctx, &config, args),
        Command::Sources => sources(ctx, &config),
        Command::Erased(args) => erased(ctx, &config, args),
    }
}

/// Rows handed from the reading thread to the writing one at a time.
const ROWS_PER_BATCH: usize = 1024;

struct RowBatch {
    rows: Vec<Row>,
    bytes_read: u64,
}

/// How many rejected rows an import report lists; the rest are counted.
const LISTED: usize = 1000;

#[derive(Debug, Serialize)]
struct Report {
    source: String,
    file: String,
    rows_read: u64,
    kept: u64,
    rejected: u64,
    withheld: u64,
    rejections: Vec<Rejection>,
    withheld_rows: Vec<Withheld>,
}

#[derive(Debug, Clone, Serialize)]
struct Withheld {
    line: u64,
    erased_in: String,
}

fn import(ctx: &Context, config: &Config, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let sources: Vec<std::borrow::Cow<'_, SourceConfig>> = match &args.source {
        Some(source) => vec![resolve(config, source)?],
        None => config
            .register
            .sources
            .iter()
            .map(std::borrow::Cow::Borrowed)
            .collect(),
    };
    if sources.is_empty() {
        bail!("no [[register.sources]] in the config: nothing to import");
    }
    let normalizer = Normalizer {
        email: normalize::EmailRules::of(&config.register),
        phone_region: config.register.phone_region.0,
    };
    let mut store = ctx.store(config)?;
    let mut failed = 0;
    let mut imported = 0;
    for source in sources {
        let source = source.as_ref();
        match import_one(ctx, &mut store, source, &normalizer) {
            Ok(report) => {
                imported += 1;
                print_report(ctx, &report)?;
            }
            Err(err) => {
                failed += 1;
                let line = super::one_line(&err);
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
        let today = ctx
            .now
            .to_zoned_datetime(config.controller.timezone.zone.clone())
            .date();
        let open = store.workload(today)?.open;
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

fn import_one(
    ctx: &Context,
    store: &mut Store,
    source: &SourceConfig,
    normalizer: &Normalizer,
) -> anyhow::Result<Report> {
    let mut reader = SourceReader::open_file(source, normalizer)?;
    let size = std::fs::metadata(&source.file).map(|m| m.len()).ok();
    let tombstones = store.tombstones()?;
    let progress = ProgressBar::with_draw_target(size, ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(&format!(
            "{} {{bar:40}} {{bytes}}/{{total_bytes}} {{bytes_per_sec}} eta {{eta}}",
            source.name()
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let file = source.file.display().to_string();
    let mut report = Report {
        source: source.name().to_string(),
        file: file.clone(),
        rows_read: 0,
        kept: 0,
        rejected: 0,
        withheld: 0,
        rejections: Vec::new(),
        withheld_rows: Vec::new(),
    };
    let snapshot = store.import_source(source.name())?;
    // Reading and normalising (CSV, encodings, phone numbers) run on a second thread, a
    // batch ahead of the inserts on this one. Memory stays at a few batches in flight.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<RowBatch, ImportError>>(4);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        scope.spawn(move || {
            loop {
                let mut rows = Vec::with_capacity(ROWS_PER_BATCH);
                let mut failed = None;
                while rows.len() < ROWS_PER_BATCH {
                    match reader.next_row() {
                        Ok(Some(row)) => rows.push(row),
                        Ok(None) => break,
                        Err(err) => {
                            failed = Some(err);
                            break;
                        }
                    }
                }
                let last = failed.is_some() || rows.len() < ROWS_PER_BATCH;
                let batch = RowBatch {
                    rows,
                    bytes_read: reader.bytes_read(),
                };
                let sent = match failed {
                    // Rows read before the failure are dropped with the whole import.
                    Some(err) => sender.send(Err(err)),
                    None => sender.send(Ok(batch)),
                };
                if last || sent.is_err() {
                    break;
                }
            }
        });
        // By value: an early return drops the receiver, so the reader stops instead of
        // waiting on a full channel.
        for batch in receiver {
            let batch = batch?;
            for row in batch.rows {
                report.rows_read += 1;
                match row {
                    Row::Kept(entry) => {
                        if let Some(case) = tombstones.erased_in(&entry) {
                            report.withheld += 1;
                            if report.withheld_rows.len() < LISTED {
                                report.withheld_rows.push(Withheld {
                                    line: entry.line,
                                    erased_in: case.to_string(),
                                });
                            }
                            continue;
                        }
                        snapshot.insert(&entry)?;
                        report.kept += 1;
                    }
                    Row::Rejected(rejection) => {
                        report.rejected += 1;
                        if report.rejections.len() < LISTED {
                            report.rejections.push(rejection);
                        }
                    }
                }
            }
            progress.set_position(batch.bytes_read);
        }
        Ok(())
    })?;
    snapshot.finish(
        &ImportRecord {
            source: source.name(),
            file: &file,
            rows_read: report.rows_read,
            kept: report.kept,
            rejected: report.rejected,
            withheld: report.withheld,
            details: json!({
                "rejections": report.rejections,
                "withheld": report.withheld_rows,
            }),
        },
        ctx.now,
    )?;
    progress.finish_and_clear();
    Ok(report)
}

fn print_report(ctx: &Context, report: &Report) -> anyhow::Result<()> {
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

fn find(ctx: &Context, config: &Config, args: FindArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.store_read_only(config)?;
    let mut found: Vec<(Entry, Option<f64>)> = Vec::new();
    let mut add = |entries: Vec<Entry>, similarity: Option<f64>| {
        for entry in entries {
            if !found.iter().any(|(e, _)| e.id == entry.id) {
                found.push((entry, similarity));
            }
        }
    };
    if let Some(email) = &args.email {
        let key = normalize::email_key(email, &normalize::EmailRules::of(&config.register))
            .map_err(|err| anyhow::anyhow!("--email {email:?}: {err}"))?;
        add(store.by_email(&key)?, None);
    }
    if let Some(phone) = &args.phone {
        let key = normalize::phone_key(phone, config.register.phone_region.0)
            .with_context(|| format!("--phone {phone:?} is not a phone number"))?;
        add(store.by_phone(&key)?, None);
    }
    if let Some(order) = &args.order {
        add(store.by_order(order.trim())?, None);
    }
    if let Some(customer) = &args.customer {
        add(store.by_customer_id(customer.trim())?, None);
    }
    if let Some(name) = &args.name {
        for (entry, similarity) in matching::find_by_name(&store, name, args.limit)? {
            add(vec![entry], Some(similarity));
        }
    }
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

fn sources(ctx: &Context, config: &Config) -> anyhow::Result<ExitCode> {
    let store = ctx.store_read_only(config)?;
    let held = store.register_sources()?;
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

fn erased(ctx: &Context, config: &Config, args: ErasedArgs) -> anyhow::Result<ExitCode> {
    let by = args.by.trim();
    if by.is_empty() {
        bail!("--by is required and cannot be empty");
    }
    let mut store = ctx.store(config)?;
    let Some(case) = store.case(args.case)? else {
        bail!("no case {} in {}", args.case, store.path().display());
    };
    if !case
        .summary
        .kinds
        .contains(&crate::classify::RequestKind::Erasure)
    {
        bail!(
            "case {} is not an erasure request (kinds: {}); reclassify it first if it is",
            args.case,
            case.summary
                .kinds
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // The person is found again now, against the register as it stands.
    let raw = store
        .first_message_of(args.case)?
        .with_context(|| format!("case {} has no message", args.case))?;
    let mail = crate::parse::parse(&raw)
        .map_err(|err| anyhow::anyhow!("case {}: its message cannot be read: {err}", args.case))?;
    let classifier = crate::classify::Classifier::new()?;
    let settings = crate::case::Settings::new(config, &classifier);
    let found = crate::case::find_requester(&store, &mail, &settings)?;
    let entries: Vec<&Entry> = if args.entries.is_empty() {
        if found.people.len() > 1 || found.people.iter().any(|p| p.conflicting_names) {
            bail!(
                "case {}: the register holds several people for this requester; name the erased entries with --entry ID",
                args.case
            );
        }
        found.candidates.iter().map(|c| &c.entry).collect()
    } else {
        let mut chosen = Vec::new();
        for id in &args.entries {
            let entry = found
                .candidates
                .iter()
                .map(|c| &c.entry)
                .find(|e| e.id == *id)
                .with_context(|| {
                    format!(
                        "entry {id} is not among the entries matched to case {}",
                        args.case
                    )
                })?;
            chosen.push(entry);
        }
        chosen
    };
    let salt = store.tombstone_salt()?;
    let mut hashes = Vec::new();
    for entry in &entries {
        for (kind, key) in entry.identifiers() {
            let hash = tombstone_hash(&salt, kind, key);
            if !hashes.iter().any(|(h, _)| *h == hash) {
                hashes.push((hash, kind));
            }
        }
    }
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let described: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| json!({ "entry": e.id, "source": e.source, "line": e.line }))
        .collect();
    let batch = store.begin()?;
    batch.erase_entries(&ids, &hashes, args.case, by, ctx.now)?;
    batch.append_event(
        args.case,
        &NewEvent {
            at: ctx.now,
            actor: by,
            kind: "erasure_recorded",
            details: json!({
                "entries": described,
                "tombstones": hashes.len(),
                "recorded_by": BOT_ACTOR,
            }),
        },
    )?;
    batch.commit()?;
    if ctx.json {
        super::print_json(&json!({
            "case": args.case.to_string(),
            "entries": ids,
            "tombstones": hashes.len(),
        }))?;
    } else {
        println!(
            "{}: erasure recorded by {by}: {} entr{} removed from the register snapshot, {} tombstone{} kept",
            args.case,
            ids.len(),
            if ids.len() == 1 { "y" } else { "ies" },
            hashes.len(),
            if hashes.len() == 1 { "" } else { "s" },
        );
    }
    Ok(ExitCode::SUCCESS)
}
