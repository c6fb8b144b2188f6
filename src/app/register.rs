//! The controller's records: importing a source's CSV export as its new snapshot
//! (streaming, on a reading thread ahead of the inserts; atomic per source), and recording
//! that a case's erasure was carried out (entries removed, tombstones kept).

use std::borrow::Cow;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use crate::case::BOT_ACTOR;
use crate::config::{Config, SourceConfig};
use crate::ids::CaseId;
use crate::register::import::Normalizer;
use crate::register::{Entry, ImportError, Rejection, Row, SourceReader, tombstone_hash};
use crate::store::{ImportRecord, NewEvent, Store};
use crate::vocabulary::event::{self, ErasedEntry, Event};

use super::{App, AppError, Staff};

/// Rows handed from the reading thread to the writing one at a time.
const ROWS_PER_BATCH: usize = 1024;

struct RowBatch {
    rows: Vec<Row>,
    bytes_read: u64,
}

/// How many rejected rows an import report lists; the rest are counted.
const LISTED: usize = 1000;

/// What importing one source did.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub source: String,
    pub file: String,
    pub rows_read: u64,
    pub kept: u64,
    pub rejected: u64,
    pub withheld: u64,
    /// Rows of a marketing source whose address is on the suppression list: the source
    /// still mails someone who opted out.
    pub suppressed: u64,
    pub rejections: Vec<Rejection>,
    pub withheld_rows: Vec<Withheld>,
    /// The lines of those rows.
    pub suppressed_rows: Vec<u64>,
}

/// The suppressed addresses, as an import compares a row's e-mail with them.
struct Suppression(std::collections::HashSet<String>);

impl Suppression {
    fn of(list: Vec<crate::store::Suppressed>) -> Suppression {
        Suppression(list.into_iter().map(|s| s.address.to_lowercase()).collect())
    }

    fn contains(&self, entry: &Entry) -> bool {
        !self.0.is_empty()
            && [entry.email.as_deref(), entry.email_key.as_deref()]
                .into_iter()
                .flatten()
                .any(|e| self.0.contains(&e.trim().to_lowercase()))
    }
}

/// A row withheld because its person was erased before.
#[derive(Debug, Clone, Serialize)]
pub struct Withheld {
    pub line: u64,
    pub erased_in: String,
}

/// How far a source's import has read: bytes of its file, and its size when known.
#[derive(Clone, Copy, Debug)]
pub struct ImportProgress {
    pub bytes_read: u64,
    pub size: Option<u64>,
}

/// An erasure recorded: the entries removed from the snapshot and the tombstones kept.
pub struct ErasureRecorded {
    pub entries: Vec<i64>,
    pub tombstones: usize,
}

impl App {
    /// The sources an import reads: the one `argument` names (a configured source, or a
    /// CSV file), else every configured source.
    pub fn import_sources(
        &self,
        argument: Option<&str>,
    ) -> Result<Vec<Cow<'_, SourceConfig>>, AppError> {
        let config = &self.config;
        let sources: Vec<Cow<'_, SourceConfig>> = match argument {
            Some(source) => vec![resolve(config, source)?],
            None => config.register.sources.iter().map(Cow::Borrowed).collect(),
        };
        if sources.is_empty() {
            return Err(AppError::Refused(
                "no [[register.sources]] in the config: nothing to import".to_string(),
            ));
        }
        Ok(sources)
    }

    /// Reads one source's export as its new snapshot, in one transaction: on any error the
    /// previous snapshot stays. Rows of people erased before are withheld and listed.
    pub fn import_source(
        &self,
        store: &mut Store,
        source: &SourceConfig,
        now: Timestamp,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport, AppError> {
        let config = &self.config;
        let normalizer = Normalizer {
            email: crate::register::normalize::EmailRules::of(&config.register),
            phone_region: config.register.phone_region.0,
        };
        let mut reader = SourceReader::open_file(source, &normalizer)?;
        let size = std::fs::metadata(&source.file).map(|m| m.len()).ok();
        let tombstones = store.tombstones()?;
        let kept_by_law = source.keep_rule().is_some();
        let marketing = source.marketing;
        let suppressed = Suppression::of(if marketing {
            store.suppression()?
        } else {
            Vec::new()
        });
        progress(ImportProgress {
            bytes_read: 0,
            size,
        });
        let file = source.file.display().to_string();
        let mut report = ImportReport {
            source: source.name().to_string(),
            file: file.clone(),
            rows_read: 0,
            kept: 0,
            rejected: 0,
            withheld: 0,
            suppressed: 0,
            rejections: Vec::new(),
            withheld_rows: Vec::new(),
            suppressed_rows: Vec::new(),
        };
        let snapshot = store.import_source(source.name())?;
        // Reading and normalising (CSV, encodings, phone numbers) run on a second thread, a
        // batch ahead of the inserts on this one. Memory stays at a few batches in flight.
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<RowBatch, ImportError>>(4);
        std::thread::scope(|scope| -> Result<(), AppError> {
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
                            if marketing && suppressed.contains(&entry) {
                                report.suppressed += 1;
                                if report.suppressed_rows.len() < LISTED {
                                    report.suppressed_rows.push(entry.line);
                                }
                            }
                            // A record the Accounting Act keeps stays, restricted, whoever
                            // was erased: the erasure reply said so.
                            if let Some(case) =
                                tombstones.erased_in(&entry).filter(|_| !kept_by_law)
                            {
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
                progress(ImportProgress {
                    bytes_read: batch.bytes_read,
                    size,
                });
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
                    "suppressed": report.suppressed_rows,
                }),
            },
            now,
        )?;
        Ok(report)
    }

    /// How many cases are open: after an import, those matched against the register as
    /// it was.
    pub fn open_cases(&self, store: &Store, now: Timestamp) -> Result<i64, AppError> {
        Ok(store.workload(self.today(now))?.open)
    }

    /// Records that a case's erasure was carried out: the requester is found again in the
    /// register as it stands, their entries (or only `entries`, when the match is
    /// ambiguous) are removed from the snapshot, and one-way hashes of their identifiers
    /// are kept so an old export cannot silently bring them back.
    pub fn record_erasure(
        &self,
        store: &mut Store,
        case: CaseId,
        entries: &[i64],
        by: &Staff,
        now: Timestamp,
    ) -> Result<ErasureRecorded, AppError> {
        let by = &self.authorize(
            store,
            by,
            crate::vocabulary::Role::Handler,
            "record an erasure",
        )?;
        let refused = |text: String| AppError::Refused(text);
        let Some(detail) = store.case(case)? else {
            return Err(AppError::NoSuchCase {
                case,
                store: store.path().display().to_string(),
            });
        };
        if !detail
            .summary
            .kinds
            .contains(&crate::classify::RequestKind::Erasure)
        {
            return Err(refused(format!(
                "case {case} is not an erasure request (kinds: {}); reclassify it first if it is",
                detail
                    .summary
                    .kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let batch = store.begin()?;
        let recorded = self.erase_in(&batch, case, entries, by, now)?;
        batch.commit()?;
        Ok(recorded)
    }

    /// Erases a case's requester from the register snapshot inside `batch`: their entries
    /// (or only `entries`), except the records a source keeps under the Accounting Act,
    /// which stay, restricted (their `keep` actions say until when). One-way hashes of the
    /// identifiers are kept so an old export cannot silently bring the erased rows back.
    pub(super) fn erase_in(
        &self,
        batch: &crate::store::Batch<'_>,
        case: CaseId,
        entries: &[i64],
        by: &Staff,
        now: Timestamp,
    ) -> Result<ErasureRecorded, AppError> {
        let refused = |text: String| AppError::Refused(text);
        // The person is found again now, against the register as it stands.
        let raw = batch
            .first_message_of(case)?
            .ok_or_else(|| refused(format!("case {case} has no message")))?;
        let mut mail = crate::parse::parse(&raw).map_err(|err| AppError::Unreadable {
            case,
            why: err.to_string(),
        })?;
        if let Some(requester) = batch.case_requester(case)?.flatten()
            && mail.from.as_ref().map(|m| m.normalized()) != Some(requester.clone())
        {
            mail.from = Some(crate::parse::Mailbox {
                name: None,
                address: requester,
            });
        }
        let settings = self.settings()?;
        let found = crate::case::find_requester(batch, &mail, &settings)?;
        let kept_by_law = |entry: &Entry| {
            self.config
                .register
                .source(&entry.source)
                .is_some_and(|s| s.keep_rule().is_some())
        };
        let chosen: Vec<&Entry> = if entries.is_empty() {
            if found.people.len() > 1 || found.people.iter().any(|p| p.conflicting_names) {
                return Err(refused(format!(
                    "case {case}: the register holds several people for this requester; name the erased entries with --entry ID"
                )));
            }
            found
                .candidates
                .iter()
                .map(|c| &c.entry)
                .filter(|e| !kept_by_law(e))
                .collect()
        } else {
            let mut chosen = Vec::new();
            for id in entries {
                let entry = found
                    .candidates
                    .iter()
                    .map(|c| &c.entry)
                    .find(|e| e.id == *id)
                    .ok_or_else(|| {
                        refused(format!(
                            "entry {id} is not among the entries matched to case {case}"
                        ))
                    })?;
                if kept_by_law(entry) {
                    return Err(refused(format!(
                        "entry {id} is a record of {}, which the Accounting Act keeps: it stays, restricted, until its end date (rightsbot actions {case})",
                        entry.source
                    )));
                }
                chosen.push(entry);
            }
            chosen
        };
        let salt = batch.tombstone_salt()?;
        let mut hashes = Vec::new();
        for entry in &chosen {
            for (kind, key) in entry.identifiers() {
                let hash = tombstone_hash(&salt, kind, key);
                if !hashes.iter().any(|(h, _)| *h == hash) {
                    hashes.push((hash, kind));
                }
            }
        }
        let ids: Vec<i64> = chosen.iter().map(|e| e.id).collect();
        let described: Vec<ErasedEntry> = chosen
            .iter()
            .map(|e| ErasedEntry {
                entry: e.id,
                source: e.source.clone(),
                line: e.line,
            })
            .collect();
        batch.erase_entries(&ids, &hashes, case, by.as_str(), now)?;
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor: by.as_str(),
                event: Event::ErasureRecorded(event::ErasureRecorded {
                    entries: described,
                    tombstones: hashes.len(),
                    recorded_by: BOT_ACTOR.to_string(),
                }),
            },
        )?;
        Ok(ErasureRecorded {
            entries: ids,
            tombstones: hashes.len(),
        })
    }
}

/// The source `argument` names: a configured source, or a CSV file.
fn resolve<'a>(config: &'a Config, argument: &str) -> Result<Cow<'a, SourceConfig>, AppError> {
    if let Some(source) = config.register.source(argument) {
        return Ok(Cow::Borrowed(source));
    }
    let path = std::path::Path::new(argument);
    let known: Vec<&str> = config.register.sources.iter().map(|s| s.name()).collect();
    if !path.is_file() {
        return Err(AppError::Refused(format!(
            "no source {argument:?} in [[register.sources]] (configured: {}) and no file {argument:?}",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
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
        _ => Err(AppError::Refused(format!(
            "{argument}: which source is it? name one of {} (or name the file after it)",
            known.join(", ")
        ))),
    }
}
