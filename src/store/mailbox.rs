//! The IMAP bookkeeping: the UIDs read per mailbox and UIDVALIDITY, and the moves a
//! committed message still owes.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Batch, Destination, Store, StoreError};

/// Where intake stands in one IMAP mailbox.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub mailbox: String,
    pub uidvalidity: u32,
    pub last_uid: u32,
    pub last_pass_at: Option<Timestamp>,
}

impl Store {
    /// The highest UID of `mailbox` at `uidvalidity` committed to the store, if any.
    pub fn last_uid(&self, mailbox: &str, uidvalidity: u32) -> Result<Option<u32>, StoreError> {
        self.conn
            .query_row(
                "SELECT last_uid FROM imap_checkpoints WHERE mailbox = ?1 AND uidvalidity = ?2",
                params![mailbox, uidvalidity],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .map_err(|e| self.error(e))?
            .map(|uid| {
                u32::try_from(uid).map_err(|_| StoreError::Corrupt {
                    path: self.path.clone(),
                    what: "imap_checkpoints.last_uid",
                    detail: uid.to_string(),
                })
            })
            .transpose()
    }

    /// The latest checkpoint of `mailbox` (the one of the newest UIDVALIDITY seen).
    pub fn checkpoint(&self, mailbox: &str) -> Result<Option<Checkpoint>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT uidvalidity, last_uid, last_pass_at FROM imap_checkpoints WHERE mailbox = ?1
                 ORDER BY COALESCE(last_pass_at, '') DESC LIMIT 1",
                [mailbox],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?)),
            )
            .optional()
            .map_err(|e| self.error(e))?;
        let Some((uidvalidity, last_uid, last_pass_at)) = row else {
            return Ok(None);
        };
        let checked = |what: &'static str, value: i64| {
            u32::try_from(value).map_err(|_| StoreError::Corrupt {
                path: self.path.clone(),
                what,
                detail: value.to_string(),
            })
        };
        Ok(Some(Checkpoint {
            mailbox: mailbox.to_string(),
            uidvalidity: checked("imap_checkpoints.uidvalidity", uidvalidity)?,
            last_uid: checked("imap_checkpoints.last_uid", last_uid)?,
            last_pass_at: last_pass_at
                .map(|at| self.timestamp("imap_checkpoints.last_pass_at", &at))
                .transpose()?,
        }))
    }

    /// The moves (or copies) still owed to the server for `mailbox` at `uidvalidity`.
    pub fn pending_moves(
        &self,
        mailbox: &str,
        uidvalidity: u32,
    ) -> Result<Vec<(u32, Destination)>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT uid, destination, copy FROM imap_pending_moves WHERE mailbox = ?1 AND uidvalidity = ?2 ORDER BY uid")
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params![mailbox, uidvalidity], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    Destination {
                        folder: r.get(1)?,
                        copy: r.get(2)?,
                    },
                ))
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.error(e))
    }
}

impl Batch<'_> {
    /// Records that message `uid` is committed and owes a move to `destination`, and
    /// advances the mailbox's checkpoint.
    pub fn owe_move(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        uid: u32,
        destination: &Destination,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO imap_pending_moves (mailbox, uidvalidity, uid, destination, copy) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    mailbox,
                    uidvalidity,
                    uid,
                    destination.folder,
                    destination.copy
                ])
            })
            .map_err(|e| self.error(e))?;
        self.uid_read(mailbox, uidvalidity, uid)
    }

    /// The message `uid` is committed to the store: a shared mailbox's next pass starts
    /// after it, whether or not it owes a move.
    pub fn uid_read(&self, mailbox: &str, uidvalidity: u32, uid: u32) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO imap_checkpoints (mailbox, uidvalidity, last_uid) VALUES (?1, ?2, ?3)
                 ON CONFLICT (mailbox, uidvalidity) DO UPDATE SET last_uid = MAX(last_uid, excluded.last_uid)",
            )
            .and_then(|mut s| s.execute(params![mailbox, uidvalidity, uid]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The server has moved these messages: nothing is owed for them any more.
    pub fn moves_done(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        uids: &[u32],
    ) -> Result<(), StoreError> {
        let mut statement = self
            .tx
            .prepare_cached("DELETE FROM imap_pending_moves WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3")
            .map_err(|e| self.error(e))?;
        for uid in uids {
            statement
                .execute(params![mailbox, uidvalidity, uid])
                .map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    /// A pass over `mailbox` finished at `at`.
    pub fn pass_done(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO imap_checkpoints (mailbox, uidvalidity, last_uid, last_pass_at) VALUES (?1, ?2, 0, ?3)
                 ON CONFLICT (mailbox, uidvalidity) DO UPDATE SET last_pass_at = excluded.last_pass_at",
            )
            .and_then(|mut s| s.execute(params![mailbox, uidvalidity, at.to_string()]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }
}
