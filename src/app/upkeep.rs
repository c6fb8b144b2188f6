//! Keeping the store safe: a backup while the daemon runs, and the check of a store (a
//! restored backup, or after a crash).
//!
//! Nothing here decides anything about a case; it reads the store, or copies it.

use std::path::Path;
use std::time::Duration;

use crate::store::{BackedUp, Checked, Store};

use super::{App, AppError};

impl App {
    /// Copies the store to `target` with SQLite's online backup API, safe while the
    /// daemon writes; the copy is renamed into place only after its integrity check.
    pub fn backup(&self, target: &Path, replace: bool) -> Result<BackedUp, AppError> {
        let store = self.store_read_only()?;
        // The daemon's write transactions are short; a lock held longer than this is
        // something a person should look at.
        let busy_limit =
            Duration::from_millis(self.config.store.busy_timeout_ms).max(Duration::from_secs(30));
        Ok(store.back_up_to(target, replace, busy_limit)?)
    }

    /// Checks the store: SQLite's integrity, the append-only triggers, each case's audit
    /// trail in order, each draft's state reachable. Problems are reported, not fixed.
    pub fn check(&self, store: &Store) -> Result<Checked, AppError> {
        Ok(store.check()?)
    }
}
