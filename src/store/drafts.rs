//! The drafts table: replies waiting for staff, and what staff decided.

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::sql::{Day, Instant, Json, column};
use super::{
    Batch, CASE_COLUMNS, CaseSummary, Store, StoreError, case_row, check_case, checked_case_id,
    json_text,
};
use crate::ids::{CaseId, DraftId};
use crate::lang::Lang;
use crate::vocabulary::ActionNumber;
pub use crate::vocabulary::DraftState;
use crate::vocabulary::EventKind;
use crate::vocabulary::{Attachment, Composed, Purpose};

/// A draft about to be queued.
pub struct NewDraft<'a> {
    pub case: CaseId,
    /// The draft this one is an edit of.
    pub replaces: Option<DraftId>,
    pub composed: &'a Composed,
    pub in_reply_to: Option<&'a str>,
    pub references: &'a [String],
    pub actor: &'a str,
    pub now: Timestamp,
}

/// A stored draft.
#[derive(Clone, Debug, Serialize)]
pub struct DraftRecord {
    pub draft: DraftId,
    pub case: String,
    #[serde(skip)]
    pub case_id: CaseId,
    pub replaces: Option<DraftId>,
    pub purpose: Purpose,
    pub language: Lang,
    pub recipient: Option<String>,
    pub recipient_note: String,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub personal_data: bool,
    pub refusal: bool,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub state: DraftState,
    pub created_at: Timestamp,
    pub created_by: String,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub message_id: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub outbox_file: Option<String>,
    /// The approved reply's secret, sent in its `X-Rightsbot-Seal` header: how a copy in
    /// the Sent folder proves it is ours. Not shown to anyone.
    #[serde(skip)]
    pub seal: Option<String>,
    /// The actions its text states as done, when the bot wrote it (`None`: a person did).
    pub claims: Option<Vec<ActionNumber>>,
}

/// Which drafts waiting for approval to read: a purpose and a language (`None`: any),
/// and a window of the queue in its order (`limit` `None`: to the end).
#[derive(Clone, Debug, Default)]
pub struct QueueSlice {
    pub purpose: Option<Purpose>,
    pub language: Option<crate::lang::Lang>,
    pub offset: usize,
    pub limit: Option<usize>,
}

/// One line of the approval queue.
#[derive(Clone, Debug, Serialize)]
pub struct QueueEntry {
    pub draft: DraftId,
    pub case: String,
    pub purpose: Purpose,
    pub language: Lang,
    pub recipient: Option<String>,
    pub deadline: Date,
    pub subject: String,
    pub personal_data: bool,
    pub created_at: Timestamp,
    #[serde(skip)]
    pub case_id: CaseId,
    /// When the case's request arrived.
    #[serde(skip)]
    pub received_at: Timestamp,
    /// The staff account that owns the case; `None` while nobody does.
    pub owner: Option<String>,
}

const DRAFT_COLUMNS: &str = "SELECT d.id, c.year, c.seq, d.replaces, d.purpose, d.language, d.recipient, d.recipient_note, d.subject, d.body, d.attachments, d.personal_data, d.refusal, d.in_reply_to, d.references_ids, d.state, d.created_at, d.created_by, d.decided_at, d.decided_by, d.decision_note, d.message_id, d.sent_at, d.outbox_file, d.seal, d.claims FROM drafts d JOIN cases c ON c.id = d.case_id";

/// The ids of the drafts of `case` that `and` (an SQL condition on `d`, or nothing)
/// selects, in the order they were made.
fn case_draft_ids(conn: &Connection, case: CaseId, and: &str) -> rusqlite::Result<Vec<i64>> {
    conn.prepare_cached(&format!(
        "SELECT d.id FROM drafts d JOIN cases c ON c.id = d.case_id
         WHERE c.year = ?1 AND c.seq = ?2 {and} ORDER BY d.id"
    ))?
    .query_map(params![case.year, case.seq], |r| r.get(0))?
    .collect()
}

/// The drafts with these ids, in that order.
fn draft_records(
    conn: &Connection,
    path: &std::path::Path,
    ids: &[i64],
) -> Result<Vec<DraftRecord>, StoreError> {
    let mut drafts = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(draft) = draft_by_id(conn, path, DraftId(*id))? {
            drafts.push(draft);
        }
    }
    Ok(drafts)
}

fn draft_by_id(
    conn: &Connection,
    path: &std::path::Path,
    id: DraftId,
) -> Result<Option<DraftRecord>, StoreError> {
    let failed = |e| super::classify_error(path, e);
    let mut statement = conn
        .prepare_cached(&format!("{DRAFT_COLUMNS} WHERE d.id = ?1"))
        .map_err(failed)?;
    let row = statement
        .query_row([id.0], raw_draft)
        .optional()
        .map_err(failed)?;
    Ok(row.map(RawDraft::check))
}

struct RawDraft {
    id: i64,
    case_id: CaseId,
    replaces: Option<i64>,
    purpose: Purpose,
    language: Lang,
    recipient: Option<String>,
    recipient_note: String,
    subject: String,
    body: String,
    attachments: Json<Vec<Attachment>>,
    personal_data: bool,
    refusal: bool,
    in_reply_to: Option<String>,
    references: Json<Vec<String>>,
    state: DraftState,
    created_at: Instant,
    created_by: String,
    decided_at: Option<Instant>,
    decided_by: Option<String>,
    decision_note: Option<String>,
    message_id: Option<String>,
    sent_at: Option<Instant>,
    outbox_file: Option<String>,
    seal: Option<String>,
    claims: Option<ClaimList>,
}

/// A row of [`DRAFT_COLUMNS`].
fn raw_draft(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDraft> {
    Ok(RawDraft {
        id: r.get(0)?,
        case_id: CaseId {
            year: column(r, 1, "cases.year")?,
            seq: column(r, 2, "cases.seq")?,
        },
        replaces: r.get(3)?,
        purpose: column(r, 4, "drafts.purpose")?,
        language: column(r, 5, "drafts.language")?,
        recipient: r.get(6)?,
        recipient_note: r.get(7)?,
        subject: r.get(8)?,
        body: r.get(9)?,
        attachments: column(r, 10, "drafts.attachments")?,
        personal_data: r.get(11)?,
        refusal: r.get(12)?,
        in_reply_to: r.get(13)?,
        references: column(r, 14, "drafts.references_ids")?,
        state: column(r, 15, "drafts.state")?,
        created_at: column(r, 16, "drafts.created_at")?,
        created_by: r.get(17)?,
        decided_at: column(r, 18, "drafts.decided_at")?,
        decided_by: r.get(19)?,
        decision_note: r.get(20)?,
        message_id: r.get(21)?,
        sent_at: column(r, 22, "drafts.sent_at")?,
        outbox_file: r.get(23)?,
        seal: r.get(24)?,
        claims: column(r, 25, "drafts.claims")?,
    })
}

/// `drafts.claims`: the numbers of the actions a draft's own sections state as done.
struct ClaimList(Vec<ActionNumber>);

impl rusqlite::types::FromSql for ClaimList {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let text = value.as_str()?;
        serde_json::from_str::<Vec<u32>>(text)
            .map(|numbers| ClaimList(numbers.into_iter().map(ActionNumber).collect()))
            .map_err(|_| super::sql::unreadable(text))
    }
}

impl RawDraft {
    fn check(self) -> DraftRecord {
        DraftRecord {
            draft: DraftId(self.id),
            case: self.case_id.to_string(),
            case_id: self.case_id,
            replaces: self.replaces.map(DraftId),
            purpose: self.purpose,
            language: self.language,
            recipient: self.recipient,
            recipient_note: self.recipient_note,
            subject: self.subject,
            body: self.body,
            attachments: self.attachments.0,
            personal_data: self.personal_data,
            refusal: self.refusal,
            in_reply_to: self.in_reply_to,
            references: self.references.0,
            state: self.state,
            created_at: self.created_at.0,
            created_by: self.created_by,
            decided_at: self.decided_at.map(|at| at.0),
            decided_by: self.decided_by,
            decision_note: self.decision_note,
            message_id: self.message_id,
            sent_at: self.sent_at.map(|at| at.0),
            outbox_file: self.outbox_file,
            seal: self.seal,
            claims: self.claims.map(|c| c.0),
        }
    }
}

/// Draft id, case and one more column of the drafts `filter` selects.
fn drafts_with(
    conn: &Connection,
    path: &std::path::Path,
    column: &str,
    filter: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    let error = |e| super::classify_error(path, e);
    let mut statement = conn
        .prepare_cached(&format!(
            "SELECT d.id, c.year, c.seq, {column} FROM drafts d JOIN cases c ON c.id = d.case_id
             WHERE {filter}"
        ))
        .map_err(error)?;
    let rows = statement
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .map_err(error)?;
    let mut drafts = Vec::new();
    for row in rows {
        let (id, year, seq, text) = row.map_err(error)?;
        let case = checked_case_id(path, year, seq)?;
        drafts.push((DraftId(id).to_string(), case.to_string(), text));
    }
    Ok(drafts)
}

/// The drafts the mail server refused for good.
const FAILED: (&str, &str) = (
    "COALESCE(d.failure, '')",
    "d.state = 'failed' ORDER BY d.id",
);

impl Store {
    /// Drafts the mail server refused for good: id, case, the server's words (the
    /// console's overview; the digest reads the same inside its transaction).
    pub fn failed_drafts(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        drafts_with(&self.conn, &self.path, FAILED.0, FAILED.1)
    }

    /// Drafts waiting for approval, the nearest deadline first.
    pub fn pending_drafts(&self) -> Result<Vec<QueueEntry>, StoreError> {
        self.pending_drafts_page(&QueueSlice::default())
            .map(|(entries, _)| entries)
    }

    /// One slice of the drafts waiting for approval that have this purpose and language
    /// (either may be any), the nearest deadline first, and how many there are in all. Only
    /// the slice's rows are read in full: a page of a long queue costs what a short one does.
    pub fn pending_drafts_page(
        &self,
        slice: &QueueSlice,
    ) -> Result<(Vec<QueueEntry>, usize), StoreError> {
        let purpose = slice.purpose.map(|p| p.as_str());
        let language = slice.language.map(|l| l.code());
        let filter = "d.state = 'pending' AND (?1 IS NULL OR d.purpose = ?1) AND (?2 IS NULL OR d.language = ?2)";
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM drafts d WHERE {filter}"))
            .and_then(|mut s| s.query_row(params![purpose, language], |r| r.get(0)))
            .map_err(|e| self.error(e))?;
        let total = usize::try_from(total).map_err(|_| StoreError::Corrupt {
            path: self.path.clone(),
            what: "drafts",
            detail: format!("a count of {total}"),
        })?;
        let limit = slice
            .limit
            .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let offset = i64::try_from(slice.offset).unwrap_or(i64::MAX);
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT d.id, c.year, c.seq, d.purpose, d.language, d.recipient, c.deadline, d.subject, d.personal_data, d.created_at, c.received_at,
                    (SELECT o.name FROM staff o WHERE o.id = c.owner)
                 FROM (SELECT d.id FROM drafts d JOIN cases c ON c.id = d.case_id
                       WHERE {filter} ORDER BY c.deadline, d.id LIMIT ?3 OFFSET ?4) page
                 JOIN drafts d ON d.id = page.id JOIN cases c ON c.id = d.case_id
                 ORDER BY c.deadline, d.id"
            ))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(params![purpose, language, limit, offset], |r| {
                let case = CaseId {
                    year: column(r, 1, "cases.year")?,
                    seq: column(r, 2, "cases.seq")?,
                };
                Ok(QueueEntry {
                    draft: DraftId(r.get(0)?),
                    case: case.to_string(),
                    purpose: column(r, 3, "drafts.purpose")?,
                    language: column(r, 4, "drafts.language")?,
                    recipient: r.get(5)?,
                    deadline: column::<Day>(r, 6, "cases.deadline")?.0,
                    subject: r.get(7)?,
                    personal_data: r.get(8)?,
                    created_at: column::<Instant>(r, 9, "drafts.created_at")?.0,
                    case_id: case,
                    received_at: column::<Instant>(r, 10, "cases.received_at")?.0,
                    owner: r.get(11)?,
                })
            })
            .map_err(|e| self.error(e))?;
        let entries = rows
            .collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error(e))?;
        Ok((entries, total))
    }

    pub fn draft(&self, id: DraftId) -> Result<Option<DraftRecord>, StoreError> {
        draft_by_id(&self.conn, &self.path, id)
    }

    /// Every draft of a case, oldest first.
    pub fn drafts_of(&self, case: CaseId) -> Result<Vec<DraftRecord>, StoreError> {
        let ids = case_draft_ids(&self.conn, case, "").map_err(|e| self.error(e))?;
        draft_records(&self.conn, &self.path, &ids)
    }
}

impl Batch<'_> {
    pub fn draft(&self, id: DraftId) -> Result<Option<DraftRecord>, StoreError> {
        draft_by_id(&self.tx, &self.path, id)
    }

    /// Every draft of a case, oldest first, inside this transaction.
    pub fn drafts_of(&self, case: CaseId) -> Result<Vec<DraftRecord>, StoreError> {
        let ids = case_draft_ids(&self.tx, case, "").map_err(|e| self.error(e))?;
        draft_records(&self.tx, &self.path, &ids)
    }
    /// One case's summary, inside this transaction.
    pub fn case_summary(&self, case: CaseId) -> Result<Option<CaseSummary>, StoreError> {
        let row = self
            .tx
            .prepare_cached(&format!("{CASE_COLUMNS} WHERE year = ?1 AND seq = ?2"))
            .and_then(|mut s| {
                s.query_row(params![case.year, case.seq], case_row)
                    .optional()
            })
            .map_err(|e| self.error(e))?;
        row.map(|row| check_case(&self.path, row)).transpose()
    }

    pub fn set_case_deadline(&self, case: CaseId, deadline: Date) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE cases SET deadline = ?1 WHERE year = ?2 AND seq = ?3",
                params![deadline.to_string(), case.year, case.seq],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    pub fn insert_draft(&self, draft: &NewDraft<'_>) -> Result<DraftId, StoreError> {
        let composed = draft.composed;
        let attachments = json_text(&self.path, "drafts.attachments", &composed.attachments)?;
        let references = json_text(&self.path, "drafts.references_ids", draft.references)?;
        let claims = composed.claims.as_ref().map(|claims| {
            let numbers: Vec<String> = claims.iter().map(|n| n.0.to_string()).collect();
            format!("[{}]", numbers.join(","))
        });
        self.tx
            .prepare_cached(
                "INSERT INTO drafts (case_id, replaces, purpose, language, recipient, recipient_note, subject, body,
                                     attachments, personal_data, in_reply_to, references_ids, state, created_at, created_by, refusal, claims)
                 SELECT id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'pending', ?14, ?15, ?16, ?17
                 FROM cases WHERE year = ?1 AND seq = ?2",
            )
            .and_then(|mut s| s.execute(params![
                    draft.case.year,
                    draft.case.seq,
                    draft.replaces.map(|d| d.0),
                    composed.purpose.as_str(),
                    composed.language.code(),
                    composed.recipient,
                    composed.recipient_note,
                    composed.subject,
                    composed.body,
                    attachments,
                    composed.personal_data,
                    draft.in_reply_to,
                    references,
                    draft.now.to_string(),
                    draft.actor,
                    composed.refusal,
                    claims,
                ]))
            .map_err(|e| self.error(e))?;
        Ok(DraftId(self.tx.last_insert_rowid()))
    }

    /// The case's drafts waiting for approval.
    pub fn pending_drafts_of(&self, case: CaseId) -> Result<Vec<DraftRecord>, StoreError> {
        let ids =
            case_draft_ids(&self.tx, case, "AND d.state = 'pending'").map_err(|e| self.error(e))?;
        draft_records(&self.tx, &self.path, &ids)
    }
    /// The case's drafts to the requester waiting for approval (not its Art. 19 notices,
    /// which go to recipients and are drafted apart).
    pub fn pending_replies_of(&self, case: CaseId) -> Result<Vec<DraftRecord>, StoreError> {
        let ids = case_draft_ids(
            &self.tx,
            case,
            "AND d.state = 'pending' AND d.purpose != 'recipient_notice'",
        )
        .map_err(|e| self.error(e))?;
        draft_records(&self.tx, &self.path, &ids)
    }

    /// Marks every draft to the requester still waiting as superseded; returns them. The
    /// Art. 19 notices waiting are left: a new reply does not replace them.
    pub fn supersede_pending_drafts(
        &self,
        case: CaseId,
        now: Timestamp,
        actor: &str,
    ) -> Result<Vec<DraftId>, StoreError> {
        let ids: Vec<i64> = self
            .tx
            .prepare_cached(
                "SELECT d.id FROM drafts d JOIN cases c ON c.id = d.case_id
                 WHERE c.year = ?1 AND c.seq = ?2 AND d.state = 'pending' AND d.purpose != 'recipient_notice'",
            )
            .and_then(|mut s| {
                s.query_map(params![case.year, case.seq], |r| r.get(0))?
                    .collect()
            })
            .map_err(|e| self.error(e))?;
        for id in &ids {
            self.set_draft_state(DraftId(*id), DraftState::Superseded, now, actor, None)?;
        }
        Ok(ids.into_iter().map(DraftId).collect())
    }

    /// Moves a draft to `state`, recording who and when. The triggers refuse what the
    /// record must never show (a decided draft back to pending).
    pub fn set_draft_state(
        &self,
        id: DraftId,
        state: DraftState,
        now: Timestamp,
        actor: &str,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE drafts SET state = ?1, decided_at = ?2, decided_by = ?3, decision_note = COALESCE(?4, decision_note) WHERE id = ?5",
            )
            .and_then(|mut s| s.execute(params![state.as_str(), now.to_string(), actor, note, id.0]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Fixes an approved draft's Message-ID (it never changes after).
    /// Fixes an approved draft's Message-ID and seal; neither changes again.
    pub fn set_draft_message_id(
        &self,
        id: DraftId,
        message_id: &str,
        seal: &str,
    ) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE drafts SET message_id = ?1, seal = ?2 WHERE id = ?3",
                params![message_id, seal, id.0],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// `bytes` random bytes as lowercase hex, from SQLite's generator, which the operating
    /// system seeds.
    pub fn random_hex(&self, bytes: u8) -> Result<String, StoreError> {
        self.tx
            .query_row("SELECT lower(hex(randomblob(?1)))", [bytes], |r| r.get(0))
            .map_err(|e| self.error(e))
    }

    /// Records that a draft went out, and where its copy is.
    pub fn draft_sent(
        &self,
        id: DraftId,
        now: Timestamp,
        outbox_file: Option<&str>,
    ) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE drafts SET state = 'sent', sent_at = ?1, outbox_file = ?2 WHERE id = ?3 AND state IN ('approved', 'sending')",
                params![now.to_string(), outbox_file, id.0],
            )
            .map_err(|e| self.error(e))?;
        // An Art. 19 notice that went out is its notify action done (the notice may be an
        // edit of the draft the action was drafted with).
        self.tx
            .execute(
                "UPDATE actions SET state = 'done', decided_by = 'rightsbot', decided_at = ?1,
                        note = 'notice D' || ?2 || ' went out'
                  WHERE state != 'done' AND notice_draft IN (
                    WITH RECURSIVE chain(id) AS (
                        SELECT ?2
                        UNION SELECT d.replaces FROM drafts d JOIN chain ON d.id = chain.id
                         WHERE d.replaces IS NOT NULL)
                    SELECT id FROM chain)",
                params![now.to_string(), id.0],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }
}

impl Batch<'_> {
    /// Makes a one-time token that approves `draft` by mail; only its hash is stored.
    pub fn new_approval_token(&self, draft: DraftId, now: Timestamp) -> Result<String, StoreError> {
        // SQLite's randomness is seeded from the operating system's.
        let token: String = self
            .tx
            .query_row("SELECT lower(hex(randomblob(16)))", [], |r| r.get(0))
            .map_err(|e| self.error(e))?;
        self.tx
            .prepare_cached(
                "INSERT INTO draft_tokens (token_hash, draft, created_at) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| s.execute(params![&token_hash(&token)[..], draft.0, now.to_string()]))
            .map_err(|e| self.error(e))?;
        Ok(token)
    }

    /// The draft a token approves, if the token is known and unused; with `consume`, it is
    /// used up now.
    pub fn approval_token(
        &self,
        token: &str,
        consume: bool,
        now: Timestamp,
    ) -> Result<TokenUse, StoreError> {
        let hash = token_hash(token.trim());
        let row: Option<(i64, Option<String>)> = self
            .tx
            .prepare_cached("SELECT draft, used_at FROM draft_tokens WHERE token_hash = ?1")
            .and_then(|mut s| {
                s.query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.error(e))?;
        match row {
            None => Ok(TokenUse::Unknown),
            Some((draft, Some(_))) => Ok(TokenUse::Used(DraftId(draft))),
            Some((draft, None)) if !consume => Ok(TokenUse::Fresh(DraftId(draft))),
            Some((draft, None)) => {
                self.tx
                    .prepare_cached("UPDATE draft_tokens SET used_at = ?1 WHERE token_hash = ?2")
                    .and_then(|mut s| s.execute(params![now.to_string(), &hash[..]]))
                    .map_err(|e| self.error(e))?;
                Ok(TokenUse::Fresh(DraftId(draft)))
            }
        }
    }
}

/// What a token presented by mail turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    Unknown,
    /// Used before: a second approval with one token is refused.
    Used(DraftId),
    Fresh(DraftId),
}

fn token_hash(token: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).into()
}

impl Batch<'_> {
    /// Open, unanswered cases whose requester (or the address on file) was asked for
    /// information or confirmation and has neither answered nor been verified since, with
    /// when it was first asked; none for which a refusal was offered already.
    pub fn identity_requests_unanswered(&self) -> Result<Vec<(CaseId, Timestamp)>, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached(concat!(
                "SELECT w.year, w.seq, w.asked FROM (
                    SELECT c.id AS id, c.year AS year, c.seq AS seq, MIN(x.at) AS asked
                    FROM cases c JOIN (
                        SELECT case_id, at FROM events WHERE kind = ?1
                        UNION ALL
                        SELECT case_id, sent_at AS at FROM drafts
                        WHERE purpose = ?2 AND state = 'sent' AND sent_at IS NOT NULL
                    ) x ON x.case_id = c.id
                    WHERE c.state = 'open' AND ",
                super::answered_at_sql!(),
                " IS NULL
                      AND NOT EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id
                                      AND e.kind IN (?3, ?4))
                    GROUP BY c.id
                 ) w
                 WHERE NOT EXISTS (SELECT 1 FROM events j WHERE j.case_id = w.id
                                   AND j.kind = ?5 AND julianday(j.at) > julianday(w.asked))
                 ORDER BY w.id"
            ))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(
                params![
                    EventKind::ConfirmationAsked.as_str(),
                    Purpose::IdentityNeeded,
                    EventKind::Verified.as_str(),
                    EventKind::RefusalOffered.as_str(),
                    EventKind::Joined.as_str(),
                ],
                |r| {
                    let case = CaseId {
                        year: column(r, 0, "cases.year")?,
                        seq: column(r, 1, "cases.seq")?,
                    };
                    Ok((case, column::<Instant>(r, 2, "events.at")?.0))
                },
            )
            .map_err(|e| self.error(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error(e))
    }

    /// Open cases (`case::Standing::is_open`: not closed, no answer sent), for reminders.
    pub fn unanswered_cases(&self) -> Result<Vec<OpenCase>, StoreError> {
        let mut statement = self
            .tx
            .prepare_cached(concat!(
                "SELECT c.year, c.seq, c.deadline, c.kinds,
                        EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id AND e.kind = ?1),
                        EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id AND e.kind = ?2)
                 FROM cases c
                 WHERE c.state != 'closed' AND ",
                super::answered_at_sql!(),
                " IS NULL AND ",
                // A clock that stands still has no deadline coming: it moves on resuming.
                super::suspended_clock_sql!(),
                " IS NULL ORDER BY c.deadline, c.id"
            ))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map(
                [
                    EventKind::Extended.as_str(),
                    EventKind::ExtensionEffective.as_str(),
                ],
                |r| {
                    let case = CaseId {
                        year: column(r, 0, "cases.year")?,
                        seq: column(r, 1, "cases.seq")?,
                    };
                    let extended: bool = r.get(4)?;
                    let effective: bool = r.get(5)?;
                    Ok(OpenCase {
                        case: case.to_string(),
                        deadline: column::<Day>(r, 2, "cases.deadline")?.0,
                        kinds: column::<Json<_>>(r, 3, "cases.kinds")?.0,
                        extended,
                        extension_unsent: extended && !effective,
                    })
                },
            )
            .map_err(|e| self.error(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error(e))
    }

    /// Drafts waiting for approval: id, case, purpose.
    pub fn waiting_drafts(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.drafts_with("d.purpose", "d.state = 'pending' ORDER BY c.deadline, d.id")
    }

    /// Drafts the mail server refused for good: id, case, the server's words.
    pub fn failed_drafts(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.drafts_with(FAILED.0, FAILED.1)
    }

    /// Draft id, case and one more column of the drafts `filter` selects.
    fn drafts_with(
        &self,
        column: &str,
        filter: &str,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        drafts_with(&self.tx, &self.path, column, filter)
    }

    /// Records that a reminder was given; `false` when it had been given already.
    pub fn remember(
        &self,
        subject: &str,
        key: &str,
        threshold: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO reminders (subject, key, threshold, at) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![subject, key, threshold, now.to_string()]))
            .map_err(|e| self.error(e))?;
        Ok(inserted > 0)
    }
}

impl Batch<'_> {
    /// Approved drafts due to be sent at `now`, oldest approval first.
    pub fn drafts_to_send(&self, now: Timestamp) -> Result<Vec<DraftRecord>, StoreError> {
        self.drafts_where(
            "state = 'approved' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)",
            &now.to_string(),
        )
    }

    /// Drafts a crash left in `sending`.
    pub fn drafts_sending(&self) -> Result<Vec<DraftRecord>, StoreError> {
        self.drafts_where("state = 'sending' AND ?1 = ?1", "")
    }

    fn drafts_where(&self, filter: &str, value: &str) -> Result<Vec<DraftRecord>, StoreError> {
        let ids: Vec<i64> = self
            .tx
            .prepare_cached(&format!(
                "SELECT id FROM drafts WHERE {filter} ORDER BY decided_at, id"
            ))
            .and_then(|mut s| s.query_map([value], |r| r.get(0))?.collect())
            .map_err(|e| self.error(e))?;
        draft_records(&self.tx, &self.path, &ids)
    }

    /// Marks an approved draft as being sent; `false` if it is not approved (any more).
    pub fn mark_sending(&self, id: DraftId) -> Result<bool, StoreError> {
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE drafts SET state = 'sending' WHERE id = ?1 AND state = 'approved'",
            )
            .and_then(|mut s| s.execute([id.0]))
            .map_err(|e| self.error(e))?;
        Ok(changed > 0)
    }

    /// A temporary failure (4xx, no connection): back to approved, tried again from `next`.
    pub fn send_later(
        &self,
        id: DraftId,
        next: Timestamp,
        failure: &str,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE drafts SET state = 'approved', attempts = attempts + 1, next_attempt_at = ?1, failure = ?2
                 WHERE id = ?3 AND state IN ('approved', 'sending')",
            )
            .and_then(|mut s| s.execute(params![next.to_string(), failure, id.0]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// A permanent failure (5xx): the draft is failed, with the server's words.
    pub fn send_failed(&self, id: DraftId, failure: &str) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "UPDATE drafts SET state = 'failed', failure = ?1 WHERE id = ?2 AND state IN ('approved', 'sending')",
            )
            .and_then(|mut s| s.execute(params![failure, id.0]))
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// How many times sending a draft failed for now.
    pub fn send_attempts(&self, id: DraftId) -> Result<i64, StoreError> {
        self.tx
            .prepare_cached("SELECT attempts FROM drafts WHERE id = ?1")
            .and_then(|mut s| s.query_row([id.0], |r| r.get(0)))
            .map_err(|e| self.error(e))
    }
}

/// An open, unanswered case as reminders see it.
#[derive(Clone, Debug)]
pub struct OpenCase {
    pub case: String,
    pub deadline: Date,
    pub kinds: Vec<crate::vocabulary::RequestKind>,
    /// An extension was decided (`extend`).
    pub extended: bool,
    /// Decided, but its notice has not gone out: the deadline is still the first month's.
    pub extension_unsent: bool,
}
