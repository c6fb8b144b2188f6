//! Keeping the store safe and watched: a backup while the daemon runs, the check of a
//! store (a restored backup, or after a crash), and the figures `/metrics` exposes.
//!
//! Nothing here decides anything about a case; it reads the store, or copies it.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use crate::store::{BackedUp, Checked, Store};

use super::{App, AppError};

/// The counts a monitoring system scrapes: no names, no addresses, no case numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Cases neither answered nor closed (`case::Standing`).
    pub cases_open: i64,
    /// Open cases past their deadline (a case whose clock waits is not).
    pub cases_overdue: usize,
    /// Open cases, not overdue, due within [`super::DUE_SOON_WORKING_DAYS`] working days.
    pub cases_due_soon: usize,
    pub drafts_waiting: i64,
    /// Open (and held) actions, whoever owns them.
    pub actions_open: usize,
    pub store_bytes: u64,
    /// Since the last pass over the configured inbox finished; `None`: never, or no
    /// mailbox is configured.
    pub seconds_since_last_pass: Option<f64>,
    /// Every message the store holds (requests, replies, mail that was not a request).
    pub messages_stored: i64,
    pub quarantined: i64,
    pub replies_sent: i64,
    pub replies_failed: i64,
    /// Times this process's daemon lost the mailbox connection and reconnected.
    pub imap_reconnects: u64,
}

impl App {
    /// Copies the store to `target` with SQLite's online backup API, safe while the
    /// daemon writes; the copy is renamed into place only after its integrity check.
    pub fn backup(&self, target: &Path, replace: bool) -> Result<BackedUp, AppError> {
        let store = Store::open_to_copy(&self.config.store.path, &self.store_options())?;
        // The daemon's write transactions are short; a lock held longer than this is
        // something a person should look at.
        let busy_limit =
            Duration::from_millis(self.config.store.busy_timeout_ms).max(Duration::from_secs(30));
        Ok(store.back_up_to(target, replace, busy_limit)?)
    }

    /// The store to check: the file the config names, which must exist (a wrong path
    /// would otherwise be checked as a new, empty and sound store).
    pub fn store_to_check(&self) -> Result<Store, AppError> {
        Ok(Store::open_existing(
            &self.config.store.path,
            &self.store_options(),
        )?)
    }

    /// Checks the store: SQLite's integrity, the append-only triggers, each case's audit
    /// trail in order, each draft's state reachable. Problems are reported, not fixed.
    pub fn check(&self, store: &Store) -> Result<Checked, AppError> {
        Ok(store.check()?)
    }

    /// The figures at `now`, counted by the same definitions the overview and `status`
    /// use; `reconnects` is the daemon's count in this process.
    pub fn figures(
        &self,
        store: &Store,
        now: Timestamp,
        reconnects: &AtomicU64,
    ) -> Result<Figures, AppError> {
        let status = self.status(store, now)?;
        let overview = self.overview(store, now)?;
        let seconds_since_last_pass = status
            .last_pass
            .map(|at| (now.as_millisecond() - at.as_millisecond()).max(0) as f64 / 1000.0);
        Ok(Figures {
            cases_open: status.workload.open,
            cases_overdue: overview.overdue,
            cases_due_soon: overview.due_soon,
            drafts_waiting: status.workload.drafts_waiting,
            actions_open: overview.actions_by_owner.iter().map(|o| o.open).sum(),
            store_bytes: store.size_bytes()?,
            seconds_since_last_pass,
            messages_stored: status.totals.messages,
            quarantined: status.totals.quarantined,
            replies_sent: status.totals.replies_sent,
            replies_failed: status.totals.replies_failed,
            imap_reconnects: reconnects.load(Ordering::Relaxed),
        })
    }
}
