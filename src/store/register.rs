//! The register's tables: each source's snapshot, its imports, tombstones, and purges.
//!
//! A source's import runs in one transaction that first drops the old snapshot, so a failed
//! import leaves the previous one exactly as it was, and readers never see half of one.

use std::collections::HashMap;
use std::path::Path;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Batch, Store, StoreError, classify_error, json_text, parse_timestamp, sql_integer};
use crate::ids::CaseId;
use crate::matching::Lookup;
use crate::register::{Entry, Tombstones};
use crate::vocabulary::{Event, EventKind};

const ENTRY_COLUMNS: &str = "SELECT id, source, line, email, email_key, phone, phone_key, name, name_key, address, address_key, customer_id, order_ref, created, other FROM register_entries";

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let other: String = r.get(14)?;
    Ok(Entry {
        id: r.get(0)?,
        source: r.get(1)?,
        line: {
            let line: i64 = r.get(2)?;
            u64::try_from(line).map_err(|err| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Integer,
                    Box::new(err),
                )
            })?
        },
        email: r.get(3)?,
        email_key: r.get(4)?,
        phone: r.get(5)?,
        phone_key: r.get(6)?,
        name: r.get(7)?,
        name_key: r.get(8)?,
        address: r.get(9)?,
        address_key: r.get(10)?,
        customer_id: r.get(11)?,
        order: r.get(12)?,
        created: r.get(13)?,
        // Written by `SourceImport::insert` from the same type; one that does not read
        // back is corrupt, and says so rather than showing as no other data.
        other: serde_json::from_str(&other).map_err(|err| {
            rusqlite::Error::FromSqlConversionFailure(
                14,
                rusqlite::types::Type::Text,
                Box::new(err),
            )
        })?,
    })
}

fn entries(conn: &Connection, filter: &str, value: &str) -> rusqlite::Result<Vec<Entry>> {
    let mut statement = conn.prepare_cached(&format!("{ENTRY_COLUMNS} WHERE {filter}"))?;
    let rows = statement.query_map([value], entry_row)?;
    rows.collect()
}

fn entries_by_ids(conn: &Connection, ids: &[i64]) -> rusqlite::Result<Vec<Entry>> {
    let mut statement = conn.prepare_cached(&format!("{ENTRY_COLUMNS} WHERE id = ?1"))?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(entry) = statement.query_row([id], entry_row).optional()? {
            found.push(entry);
        }
    }
    Ok(found)
}

fn by_name_words(conn: &Connection, words: &[&str], limit: usize) -> rusqlite::Result<Vec<Entry>> {
    let mut statement =
        conn.prepare_cached("SELECT entry FROM register_name_words WHERE word = ?1")?;
    let mut shared: HashMap<i64, usize> = HashMap::new();
    for word in words {
        let rows = statement.query_map([word], |r| r.get::<_, i64>(0))?;
        for id in rows {
            *shared.entry(id?).or_default() += 1;
        }
    }
    let mut ranked: Vec<(i64, usize)> = shared.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(limit);
    let ids: Vec<i64> = ranked.into_iter().map(|(id, _)| id).collect();
    entries_by_ids(conn, &ids)
}

/// The request that opened a case: its earliest message that is not our own reply.
/// Times are compared as instants (`julianday`): stored text with and without fractions of
/// a second does not sort in time order.
fn first_message_of(conn: &Connection, case: CaseId) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.prepare_cached(
        "SELECT m.raw FROM messages m JOIN cases c ON m.case_id = c.id
         WHERE c.year = ?1 AND c.seq = ?2 AND m.disposition IS NOT 'sent'
         ORDER BY julianday(m.received_at), m.id LIMIT 1",
    )?
    .query_row(params![case.year, case.seq], |r| r.get(0))
    .optional()
}

/// The newest message of a case that is not our own reply: the one a follow-up answer
/// is threaded to.
fn last_message_of(conn: &Connection, case: CaseId) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.prepare_cached(
        "SELECT m.raw FROM messages m JOIN cases c ON m.case_id = c.id
         WHERE c.year = ?1 AND c.seq = ?2 AND m.disposition IS NOT 'sent'
         ORDER BY julianday(m.received_at) DESC, m.id DESC LIMIT 1",
    )?
    .query_row(params![case.year, case.seq], |r| r.get(0))
    .optional()
}

/// The register lookups, for any connection: the store's own, or a batch's transaction.
macro_rules! lookup_on {
    ($type:ty, $conn:ident) => {
        impl Lookup for $type {
            type Error = StoreError;

            fn by_email(&self, key: &str) -> Result<Vec<Entry>, StoreError> {
                entries(&self.$conn, "email_key = ?1", key).map_err(|e| self.error(e))
            }
            fn by_phone(&self, key: &str) -> Result<Vec<Entry>, StoreError> {
                entries(&self.$conn, "phone_key = ?1", key).map_err(|e| self.error(e))
            }
            fn by_customer_id(&self, number: &str) -> Result<Vec<Entry>, StoreError> {
                entries(&self.$conn, "customer_id = ?1", number).map_err(|e| self.error(e))
            }
            fn by_order(&self, number: &str) -> Result<Vec<Entry>, StoreError> {
                entries(&self.$conn, "order_ref = ?1", number).map_err(|e| self.error(e))
            }
            fn by_name(&self, key: &str) -> Result<Vec<Entry>, StoreError> {
                entries(&self.$conn, "name_key = ?1", key).map_err(|e| self.error(e))
            }
            fn by_name_words(
                &self,
                words: &[&str],
                limit: usize,
            ) -> Result<Vec<Entry>, StoreError> {
                by_name_words(&self.$conn, words, limit).map_err(|e| self.error(e))
            }
        }
    };
}

lookup_on!(Store, conn);
lookup_on!(Batch<'_>, tx);

/// A source's snapshot being replaced. Dropped without [`SourceImport::finish`], it rolls
/// back and the old snapshot stays.
pub struct SourceImport<'a> {
    tx: rusqlite::Transaction<'a>,
    path: std::path::PathBuf,
}

/// What an import did, for the record.
#[derive(Clone, Debug, Serialize)]
pub struct ImportRecord<'a> {
    pub source: &'a str,
    pub file: &'a str,
    pub rows_read: u64,
    pub kept: u64,
    pub rejected: u64,
    pub withheld: u64,
    pub details: serde_json::Value,
}

/// A source as the store has it.
#[derive(Clone, Debug, Serialize)]
pub struct SourceStatus {
    pub source: String,
    pub entries: i64,
    pub imported_at: Option<Timestamp>,
    pub file: Option<String>,
    pub rejected: Option<i64>,
    pub withheld: Option<i64>,
}

fn register_sources(conn: &Connection, path: &Path) -> Result<Vec<SourceStatus>, StoreError> {
    let rows = conn
        .prepare_cached(
            "SELECT s.source,
                    (SELECT COUNT(*) FROM register_entries e WHERE e.source = s.source),
                    i.at, i.file, i.rejected, i.withheld
             FROM (SELECT source FROM register_entries UNION SELECT source FROM register_imports) s
             LEFT JOIN register_imports i
               ON i.id = (SELECT MAX(id) FROM register_imports WHERE source = s.source)
             ORDER BY s.source",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| classify_error(path, e))?;
    rows.into_iter()
        .map(|(source, entries, at, file, rejected, withheld)| {
            Ok(SourceStatus {
                source,
                entries,
                imported_at: at
                    .map(|at| parse_timestamp(path, "register_imports.at", &at))
                    .transpose()?,
                file,
                rejected,
                withheld,
            })
        })
        .collect()
}

fn matched_sources(
    conn: &Connection,
    path: &Path,
    case: CaseId,
) -> Result<Option<Vec<String>>, StoreError> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT e.id, e.details FROM events e JOIN cases c ON e.case_id = c.id
             WHERE c.year = ?1 AND c.seq = ?2 AND e.kind = ?3 ORDER BY e.id DESC LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row(
                params![case.year, case.seq, EventKind::Identity.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
        })
        .map_err(|e| classify_error(path, e))?;
    let Some((id, details)) = row else {
        return Ok(None);
    };
    match super::events::decode_event(path, id, EventKind::Identity.as_str(), &details)? {
        Event::Identity(identity) => {
            let mut sources: Vec<String> = Vec::new();
            for entry in identity.entries {
                if !sources.contains(&entry.source) {
                    sources.push(entry.source);
                }
            }
            Ok(Some(sources))
        }
        _ => Ok(None),
    }
}

impl SourceImport<'_> {
    fn error(&self, source: rusqlite::Error) -> StoreError {
        classify_error(&self.path, source)
    }

    /// Adds one entry to the new snapshot.
    pub fn insert(&self, entry: &Entry) -> Result<(), StoreError> {
        let other = json_text(&self.path, "register_entries.other", &entry.other)?;
        let mut statement = self
            .tx
            .prepare_cached(
                "INSERT INTO register_entries (source, line, email, email_key, phone, phone_key, name, name_key, address, address_key, customer_id, order_ref, created, other)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )
            .map_err(|e| self.error(e))?;
        statement
            .execute(params![
                entry.source,
                sql_integer(&self.path, "register_entries.line", entry.line)?,
                entry.email,
                entry.email_key,
                entry.phone,
                entry.phone_key,
                entry.name,
                entry.name_key,
                entry.address,
                entry.address_key,
                entry.customer_id,
                entry.order,
                entry.created,
                other,
            ])
            .map_err(|e| self.error(e))?;
        if let Some(key) = entry.name_key.as_deref() {
            let id = self.tx.last_insert_rowid();
            let mut words = self
                .tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO register_name_words (word, entry) VALUES (?1, ?2)",
                )
                .map_err(|e| self.error(e))?;
            for word in crate::register::normalize::name_tokens(key) {
                words
                    .execute(params![word, id])
                    .map_err(|e| self.error(e))?;
            }
        }
        Ok(())
    }

    /// Records the import and commits the new snapshot.
    pub fn finish(self, record: &ImportRecord<'_>, now: Timestamp) -> Result<(), StoreError> {
        self.tx
            .execute(
                "INSERT INTO register_imports (source, file, at, rows_read, kept, rejected, withheld, details)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    record.source,
                    record.file,
                    now.to_string(),
                    sql_integer(&self.path, "register_imports.rows_read", record.rows_read)?,
                    sql_integer(&self.path, "register_imports.kept", record.kept)?,
                    sql_integer(&self.path, "register_imports.rejected", record.rejected)?,
                    sql_integer(&self.path, "register_imports.withheld", record.withheld)?,
                    record.details.to_string(),
                ],
            )
            .map_err(|e| classify_error(&self.path, e))?;
        let path = self.path;
        self.tx.commit().map_err(|e| classify_error(&path, e))
    }
}

/// What `purge` would delete: closed cases and unrelated mail past their retention.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PurgePlan {
    pub cases: Vec<PurgeCase>,
    pub messages: Vec<PurgeMessage>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PurgeCase {
    pub case: String,
    #[serde(skip)]
    pub case_id: CaseId,
    pub closed_at: Timestamp,
    pub messages: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PurgeMessage {
    pub message: String,
    #[serde(skip)]
    pub key: crate::ids::MessageKey,
    pub received_at: Timestamp,
    pub disposition: Option<String>,
}

impl Store {
    /// The register entries with these ids that are still in the snapshot, in that order.
    pub fn register_entries(&self, ids: &[i64]) -> Result<Vec<Entry>, StoreError> {
        entries_by_ids(&self.conn, ids).map_err(|e| classify_error(&self.path, e))
    }

    /// Starts replacing `source`'s snapshot: its old entries are gone inside the returned
    /// transaction, and come back if it is dropped.
    pub fn import_source(&mut self, source: &str) -> Result<SourceImport<'_>, StoreError> {
        let path = self.path.clone();
        // Name words and index pages of a large import fit in a bigger page cache.
        self.conn
            .pragma_update(None, "cache_size", -65536)
            .map_err(|e| classify_error(&path, e))?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| classify_error(&path, e))?;
        tx.execute(
            "DELETE FROM register_name_words WHERE entry IN (SELECT id FROM register_entries WHERE source = ?1)",
            [source],
        )
        .and_then(|_| tx.execute("DELETE FROM register_entries WHERE source = ?1", [source]))
        .map_err(|e| classify_error(&path, e))?;
        Ok(SourceImport { tx, path })
    }

    /// The salt of tombstone hashes, and every tombstone with the case that made it.
    pub fn tombstones(&self) -> Result<Tombstones, StoreError> {
        let salt = self.tombstone_salt()?;
        let mut statement = self
            .conn
            .prepare("SELECT hash, case_id FROM tombstones")
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.error(e))?;
        let mut found = HashMap::new();
        for row in rows {
            let (hash, case) = row.map_err(|e| self.error(e))?;
            if let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) {
                found.insert(hash, case);
            }
        }
        Ok(Tombstones { salt, cases: found })
    }

    pub fn tombstone_salt(&self) -> Result<Vec<u8>, StoreError> {
        self.conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'tombstone_salt'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.error(e))
    }

    /// Each source with entries or imports, by name.
    pub fn register_sources(&self) -> Result<Vec<SourceStatus>, StoreError> {
        register_sources(&self.conn, &self.path)
    }

    /// The register sources the case's latest identity decision matched entries in
    /// (`Some(empty)`: it matched nothing); `None` before the case was matched.
    pub fn matched_sources(&self, case: CaseId) -> Result<Option<Vec<String>>, StoreError> {
        matched_sources(&self.conn, &self.path, case)
    }

    /// The raw bytes of the message that opened a case.
    pub fn first_message_of(&self, case: CaseId) -> Result<Option<Vec<u8>>, StoreError> {
        first_message_of(&self.conn, case).map_err(|e| self.error(e))
    }

    /// What is past its retention at `now`.
    pub fn purge_plan(
        &self,
        closed_before: Timestamp,
        other_before: Timestamp,
    ) -> Result<PurgePlan, StoreError> {
        let mut plan = PurgePlan::default();
        let mut statement = self
            .conn
            .prepare(
                "SELECT c.year, c.seq, (SELECT MAX(at) FROM events WHERE case_id = c.id) AS last,
                        (SELECT COUNT(*) FROM messages WHERE case_id = c.id)
                 FROM cases c WHERE c.state = 'closed' AND last < ?1 ORDER BY c.year, c.seq",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([closed_before.to_string()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        for row in rows {
            let (year, seq, last, messages) = row.map_err(|e| self.error(e))?;
            let case_id = super::checked_case_id(&self.path, year, seq)?;
            plan.cases.push(PurgeCase {
                case: case_id.to_string(),
                case_id,
                closed_at: self.timestamp("events.at", &last)?,
                messages,
            });
        }
        let mut statement = self
            .conn
            .prepare(
                "SELECT id, received_at, disposition FROM messages
                 WHERE case_id IS NULL AND received_at < ?1 ORDER BY received_at, id",
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([other_before.to_string()], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        for row in rows {
            let (id, received_at, disposition) = row.map_err(|e| self.error(e))?;
            plan.messages.push(PurgeMessage {
                message: crate::ids::MessageKey(id).to_string(),
                key: crate::ids::MessageKey(id),
                received_at: self.timestamp("messages.received_at", &received_at)?,
                disposition,
            });
        }
        Ok(plan)
    }
}

impl Batch<'_> {
    /// The raw bytes of a stored message, exactly as received.
    pub fn raw_message(&self, key: crate::ids::MessageKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.tx
            .query_row("SELECT raw FROM messages WHERE id = ?1", [key.0], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }

    /// The raw bytes of the message that opened a case.
    pub fn first_message_of(&self, case: CaseId) -> Result<Option<Vec<u8>>, StoreError> {
        first_message_of(&self.tx, case).map_err(|e| self.error(e))
    }

    pub fn last_message_of(&self, case: CaseId) -> Result<Option<Vec<u8>>, StoreError> {
        last_message_of(&self.tx, case).map_err(|e| self.error(e))
    }

    /// Each source with entries or imports, by name.
    pub fn register_sources(&self) -> Result<Vec<SourceStatus>, StoreError> {
        register_sources(&self.tx, &self.path)
    }

    /// The register sources the case's latest identity decision matched entries in
    /// (`Some(empty)`: it matched nothing); `None` before the case was matched.
    pub fn matched_sources(&self, case: CaseId) -> Result<Option<Vec<String>>, StoreError> {
        matched_sources(&self.tx, &self.path, case)
    }

    /// The case's latest event of this kind.
    pub fn last_event(&self, case: CaseId, kind: EventKind) -> Result<Option<Event>, StoreError> {
        Ok(self.events_of_kind(case, kind)?.pop())
    }

    /// Whether the case has an event of this kind.
    pub fn has_event(&self, case: CaseId, kind: EventKind) -> Result<bool, StoreError> {
        self.tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM events e JOIN cases c ON e.case_id = c.id
                 WHERE c.year = ?1 AND c.seq = ?2 AND e.kind = ?3)",
            )
            .and_then(|mut s| {
                s.query_row(params![case.year, case.seq, kind.as_str()], |r| r.get(0))
            })
            .map_err(|e| self.error(e))
    }

    pub fn set_case_identity(&self, case: CaseId, outcome: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("UPDATE cases SET identity = ?1 WHERE year = ?2 AND seq = ?3")
            .and_then(|mut s| s.execute(params![outcome, case.year, case.seq]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Removes entries from the snapshot and keeps tombstones of their identifiers.
    /// The installation's salt for tombstone hashes.
    pub fn tombstone_salt(&self) -> Result<Vec<u8>, StoreError> {
        self.tx
            .query_row(
                "SELECT value FROM settings WHERE key = 'tombstone_salt'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.error(e))
    }

    pub fn erase_entries(
        &self,
        ids: &[i64],
        tombstones: &[([u8; 32], &'static str)],
        case: CaseId,
        actor: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for id in ids {
            self.tx
                .execute("DELETE FROM register_name_words WHERE entry = ?1", [id])
                .and_then(|_| {
                    self.tx
                        .execute("DELETE FROM register_entries WHERE id = ?1", [id])
                })
                .map_err(|e| self.error(e))?;
        }
        let mut statement = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO tombstones (hash, kind, case_id, at, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(|e| self.error(e))?;
        for (hash, kind) in tombstones {
            statement
                .execute(params![
                    &hash[..],
                    kind,
                    case.to_string(),
                    now.to_string(),
                    actor
                ])
                .map_err(|e| self.error(e))?;
        }
        Ok(())
    }

    /// Deletes what a plan lists, and records the purge (case numbers and counts only).
    /// Returns the number of events deleted.
    pub fn purge(&self, plan: &PurgePlan, actor: &str, now: Timestamp) -> Result<i64, StoreError> {
        let run = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<usize, StoreError> {
            self.tx.execute(sql, p).map_err(|e| self.error(e))
        };
        let mut events = 0;
        let mut messages = 0;
        for case in &plan.cases {
            let id = &case.case_id;
            run(
                "INSERT INTO purging (case_id) SELECT id FROM cases WHERE year = ?1 AND seq = ?2",
                &[&id.year, &id.seq],
            )?;
            events += run(
                "DELETE FROM events WHERE case_id IN (SELECT case_id FROM purging)",
                &[],
            )?;
            run(
                "DELETE FROM quarantine WHERE message IN (SELECT id FROM messages WHERE case_id IN (SELECT case_id FROM purging))",
                &[],
            )?;
            // Drafts hold personal data too: they go with their case.
            run(
                "DELETE FROM drafts WHERE case_id IN (SELECT case_id FROM purging)",
                &[],
            )?;
            // The action list goes with its case; an address on the suppression list stays
            // on it (mail to it must stop for good), only no longer naming the case.
            run(
                "DELETE FROM actions WHERE case_id IN (SELECT case_id FROM purging)",
                &[],
            )?;
            run(
                "UPDATE suppression SET case_id = NULL WHERE case_id IN (SELECT case_id FROM purging)",
                &[],
            )?;
            run(
                "DELETE FROM redactions WHERE message IN (SELECT id FROM messages WHERE case_id IN (SELECT case_id FROM purging))",
                &[],
            )?;
            messages += run(
                "DELETE FROM messages WHERE case_id IN (SELECT case_id FROM purging)",
                &[],
            )?;
            run(
                "DELETE FROM cases WHERE id IN (SELECT case_id FROM purging)",
                &[],
            )?;
            run("DELETE FROM purging", &[])?;
        }
        for message in &plan.messages {
            let key = message.key;
            run("DELETE FROM quarantine WHERE message = ?1", &[&key.0])?;
            run("DELETE FROM redactions WHERE message = ?1", &[&key.0])?;
            messages += run(
                "DELETE FROM messages WHERE id = ?1 AND case_id IS NULL",
                &[&key.0],
            )?;
        }
        let cases: Vec<&str> = plan.cases.iter().map(|c| c.case.as_str()).collect();
        run(
            "INSERT INTO purges (at, actor, cases, messages, events) VALUES (?1, ?2, ?3, ?4, ?5)",
            &[
                &now.to_string(),
                &actor,
                &json_text(&self.path, "purges.cases", &cases)?,
                &sql_integer(&self.path, "purges.messages", messages)?,
                &sql_integer(&self.path, "purges.events", events)?,
            ],
        )?;
        sql_integer(&self.path, "purges.events", events)
    }
}
