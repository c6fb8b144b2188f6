//! Schema migrations: numbered SQL files, embedded, applied in order, one transaction each,
//! tracked by `PRAGMA user_version`. A shipped migration is never edited; a change is a new file.

use std::path::Path;

use rusqlite::Connection;

use super::{StoreError, classify_error};

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_classification.sql"),
    include_str!("migrations/0003_imap.sql"),
    include_str!("migrations/0004_register.sql"),
    include_str!("migrations/0005_drafts.sql"),
    include_str!("migrations/0006_reminders.sql"),
    include_str!("migrations/0007_reply_seal.sql"),
    include_str!("migrations/0008_message_id_collision.sql"),
    include_str!("migrations/0009_outgoing_mail.sql"),
    include_str!("migrations/0010_shared_mailbox.sql"),
    include_str!("migrations/0011_actions.sql"),
    include_str!("migrations/0012_staff.sql"),
    include_str!("migrations/0013_staff_language.sql"),
    include_str!("migrations/0014_case_owner.sql"),
    include_str!("migrations/0015_staff_totp.sql"),
];

/// The schema version this build writes.
pub(super) const LATEST: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    migrate_to(conn, path, LATEST)
}

/// Applies the migrations up to schema `target` (an older schema, for the upgrade tests).
pub(super) fn migrate_to(
    conn: &mut Connection,
    path: &Path,
    target: i64,
) -> Result<(), StoreError> {
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| classify_error(path, e))?;
    let known = LATEST;
    if current > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: current,
            known,
        });
    }
    // A negative version is no schema this program ever wrote.
    let applied = usize::try_from(current).map_err(|_| StoreError::Corrupt {
        path: path.to_path_buf(),
        what: "PRAGMA user_version",
        detail: current.to_string(),
    })?;
    let wanted = usize::try_from(target).unwrap_or(0).min(MIGRATIONS.len());
    for (index, sql) in MIGRATIONS.iter().enumerate().take(wanted).skip(applied) {
        let version = index as i64 + 1;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| classify_error(path, e))?;
        let failed = |source| match classify_error(path, source) {
            StoreError::Sqlite { source, .. } => StoreError::Migration {
                path: path.to_path_buf(),
                version,
                source,
            },
            other => other,
        };
        tx.execute_batch(sql).map_err(failed)?;
        tx.pragma_update(None, "user_version", version)
            .map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
    Ok(())
}
