//! Offline intake: `.eml` files, folders and Maildirs into the store, each message admitted
//! (duplicate, quarantine, join, open) and what follows admission done (acknowledgement,
//! draft), in batched transactions.
//!
//! Reading, parsing and classifying run on a second thread ahead of the single writer, at
//! most `READ_AHEAD_BYTES` of raw bytes ahead (one message always, however large), so peak
//! memory follows the largest message, not the count.

use std::path::PathBuf;

use jiff::Timestamp;

use crate::case::{Admission, Analysis, Incoming, Tally, admit, analyse, digest};
use crate::classify::Classifier;
use crate::ids::CaseId;
use crate::intake::offline;
use crate::store::{CaseSummary, Store, StoreOptions};

use super::{App, AppError};

/// A message file found by [`App::mail_files`].
pub type MailFile = offline::MessageFile;

/// Messages per transaction: large enough that a commit's fsync is not the bottleneck,
/// small enough that a crash loses little work (a rolled-back batch is simply redone).
const BATCH_MESSAGES: usize = 256;
/// Raw bytes per transaction, so a batch of large mails commits early.
const BATCH_BYTES: usize = 32 * 1024 * 1024;
/// Raw bytes read ahead of the writer, at most: plenty to keep both cores busy with
/// ordinary mail, while a message larger than this is read only once the writer is done
/// with everything before it, so peak memory follows the largest message, not the count.
const READ_AHEAD_BYTES: u64 = 32 * 1024 * 1024;
/// Messages read ahead, at most (they may be tiny).
const READ_AHEAD_MESSAGES: usize = 64;

/// How far an ingest has come: messages admitted of those found.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// What an ingest did.
pub struct Ingested {
    pub tally: Tally,
    /// The cases it opened, in order.
    pub opened: Vec<CaseId>,
    /// The messages it quarantined: where each came from, and why.
    pub quarantined: Vec<(String, String)>,
}

impl App {
    /// The message files under `paths` (files, folders, Maildirs), in delivery order.
    pub fn mail_files(&self, paths: &[PathBuf]) -> Result<Vec<MailFile>, AppError> {
        Ok(offline::collect(paths)?)
    }

    /// Stores these message files and opens cases; `progress` hears of each message.
    /// Safe to repeat: a message already stored counts as a duplicate.
    pub fn ingest(
        &self,
        store: &mut Store,
        files: &[MailFile],
        now: Timestamp,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Ingested, AppError> {
        let config = &self.config;
        let settings = self.settings()?;
        let drafting = self.drafting(&settings);
        let total = files.len() as u64;
        progress(Progress { done: 0, total });

        let mut tally = Tally::default();
        let mut opened: Vec<CaseId> = Vec::new();
        let mut quarantined: Vec<(String, String)> = Vec::new();
        // Reading, parsing and classifying run one step ahead on a second thread; this
        // thread only writes to the store. A message the store already holds is not parsed
        // again.
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Prepared<'_>>(READ_AHEAD_MESSAGES);
        let budget = ReadAhead::new(READ_AHEAD_BYTES);
        std::thread::scope(|scope| -> Result<(), AppError> {
            let store_path = &config.store.path;
            let classifier = self.classifier()?;
            let max = config.ingest.max_message_bytes;
            let budget = &budget;
            // However the writer ends (an error included), the reader is let go.
            let _close = budget.closer();
            scope.spawn(move || {
                // A second connection only to skip known messages; the writer decides for
                // real.
                let reader = Store::open(store_path, &StoreOptions::default()).ok();
                for file in files {
                    let bytes = file.size.filter(|&size| size <= max).unwrap_or(0);
                    if !budget.take(bytes) {
                        break; // The writer stopped (an error): stop reading.
                    }
                    let mut prepared = prepare(file, max, reader.as_ref(), classifier);
                    prepared.budgeted = bytes;
                    if sender.send(prepared).is_err() {
                        break;
                    }
                }
            });
            let mut batch = store.begin()?;
            let (mut pending, mut pending_bytes) = (0usize, 0usize);
            for (index, prepared) in receiver.into_iter().enumerate() {
                let prepared = Budgeted { prepared, budget };
                let origin = prepared.file.path.display().to_string();
                let incoming = Incoming {
                    raw: prepared.raw.as_deref().map_err(|err| err.to_string()),
                    origin: &origin,
                    server_receipt: None,
                    delivered_at: prepared.file.delivered_at,
                    size: prepared.file.size,
                    analysis: prepared.analysis.as_ref(),
                };
                let admission = admit(&batch, &incoming, &settings, now)?;
                let request = prepared
                    .analysis
                    .as_ref()
                    .and_then(|a| a.parsed.as_ref().ok());
                crate::approve::after_admission(&batch, &admission, request, &drafting, now)?;
                tally.count(&admission);
                match admission {
                    Admission::Quarantined { reason } => quarantined.push((origin, reason)),
                    Admission::Opened(case) => opened.push(case),
                    _ => {}
                }
                progress(Progress {
                    done: index as u64 + 1,
                    total,
                });
                pending += 1;
                pending_bytes += prepared.raw.as_ref().map_or(0, Vec::len);
                if pending >= BATCH_MESSAGES || pending_bytes >= BATCH_BYTES {
                    batch.commit()?;
                    batch = store.begin()?;
                    (pending, pending_bytes) = (0, 0);
                }
            }
            batch.commit()?;
            Ok(())
        })?;
        Ok(Ingested {
            tally,
            opened,
            quarantined,
        })
    }

    /// The summaries of these cases, in the store's order (for the table after an ingest).
    pub fn case_summaries(
        &self,
        store: &Store,
        cases: &[CaseId],
    ) -> Result<Vec<CaseSummary>, AppError> {
        Ok(store
            .cases()?
            .into_iter()
            .filter(|c| cases.contains(&c.case_id))
            .collect())
    }
}

/// A message file read and, unless the store already holds it, analysed.
struct Prepared<'a> {
    file: &'a offline::MessageFile,
    raw: std::io::Result<Vec<u8>>,
    analysis: Option<Analysis>,
    /// What it took from the read-ahead budget.
    budgeted: u64,
}

/// A prepared message in the writer's hands: its bytes go back to the read-ahead budget
/// when the writer drops it.
struct Budgeted<'a, 'b> {
    prepared: Prepared<'a>,
    budget: &'b ReadAhead,
}

impl<'a> std::ops::Deref for Budgeted<'a, '_> {
    type Target = Prepared<'a>;

    fn deref(&self) -> &Prepared<'a> {
        &self.prepared
    }
}

impl Drop for Budgeted<'_, '_> {
    fn drop(&mut self) {
        // Free the memory before the reader may fill it again.
        self.prepared.raw = Ok(Vec::new());
        self.prepared.analysis = None;
        self.budget.give(self.prepared.budgeted);
    }
}

/// The raw bytes between the reader and the writer, bounded. One message is always let
/// through when nothing else is in flight, however large, so nothing waits forever.
struct ReadAhead {
    limit: u64,
    state: std::sync::Mutex<(u64, bool)>,
    changed: std::sync::Condvar,
}

impl ReadAhead {
    fn new(limit: u64) -> ReadAhead {
        ReadAhead {
            limit,
            state: std::sync::Mutex::new((0, false)),
            changed: std::sync::Condvar::new(),
        }
    }

    /// Waits until `bytes` more fit (or nothing is in flight) and takes them; `false` once
    /// the writer has stopped.
    fn take(&self, bytes: u64) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            match self.try_take(&mut state, bytes) {
                Some(taken) => return taken,
                None => state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner()),
            }
        }
    }

    /// `Some(true)` taken, `Some(false)` closed, `None` must wait.
    fn try_take(&self, state: &mut (u64, bool), bytes: u64) -> Option<bool> {
        let (in_flight, closed) = *state;
        if closed {
            Some(false)
        } else if in_flight == 0 || in_flight + bytes <= self.limit {
            state.0 += bytes;
            Some(true)
        } else {
            None
        }
    }

    fn give(&self, bytes: u64) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 = state.0.saturating_sub(bytes);
        self.changed.notify_all();
    }

    /// A guard that, when dropped, lets a waiting reader go for good.
    fn closer(&self) -> impl Drop + '_ {
        struct Closer<'a>(&'a ReadAhead);
        impl Drop for Closer<'_> {
            fn drop(&mut self) {
                let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
                state.1 = true;
                self.0.changed.notify_all();
            }
        }
        Closer(self)
    }
}

fn prepare<'a>(
    file: &'a offline::MessageFile,
    max_message_bytes: u64,
    reader: Option<&Store>,
    classifier: &Classifier,
) -> Prepared<'a> {
    // An oversize file is never read; the writer quarantines it by its size.
    if file.size.is_some_and(|size| size > max_message_bytes) {
        return Prepared {
            file,
            raw: Ok(Vec::new()),
            analysis: None,
            budgeted: 0,
        };
    }
    // Only a regular file is opened: a FIFO would block, a device never end.
    let raw = match file.not_regular {
        Some(what) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file ({what})"),
        )),
        None => offline::read_message(&file.path, max_message_bytes),
    };
    let analysis = match (&raw, reader) {
        (Ok(bytes), Some(reader)) if reader.knows_raw(&digest(bytes)).unwrap_or(false) => None,
        (Ok(bytes), _) => Some(analyse(bytes, classifier)),
        (Err(_), _) => None,
    };
    Prepared {
        file,
        raw,
        analysis,
        budgeted: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::ReadAhead;

    #[test]
    fn read_ahead_is_bounded_by_bytes_but_always_lets_one_through() {
        let budget = ReadAhead::new(100);
        let state = |budget: &ReadAhead| *budget.state.lock().unwrap();
        let try_take = |budget: &ReadAhead, bytes| {
            let mut state = budget.state.lock().unwrap();
            budget.try_take(&mut state, bytes)
        };
        // One message larger than the whole budget goes when nothing else is in flight...
        assert_eq!(try_take(&budget, 1000), Some(true));
        // ...and nothing more until the writer gives it back.
        assert_eq!(try_take(&budget, 1), None);
        budget.give(1000);
        assert_eq!(state(&budget), (0, false));
        assert_eq!(try_take(&budget, 60), Some(true));
        assert_eq!(try_take(&budget, 40), Some(true));
        assert_eq!(try_take(&budget, 1), None);
        budget.give(60);
        assert_eq!(try_take(&budget, 50), Some(true));
        drop(budget.closer());
        assert!(!budget.take(1), "a closed budget lets the reader go");
    }
}
