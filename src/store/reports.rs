//! Counts across the store: the workload `status` shows and the totals of everything kept.

use jiff::civil::Date;
use serde::Serialize;

use super::sql::{Day, Instant, Json, column};
use super::{Store, StoreError, answered_at_sql, suspended_clock_sql};
use crate::lang::Lang;
use crate::vocabulary::{CaseState, EventKind, RequestKind, Standing};

/// Open and overdue cases, for `status`.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Workload {
    pub open: i64,
    pub overdue: i64,
    /// Drafts waiting for a person's approval.
    pub drafts_waiting: i64,
}

/// Counts for `status`-style summaries.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub messages: i64,
    pub cases: i64,
    pub quarantined: i64,
    pub automated: i64,
    /// Replies (drafts of any purpose) handed to the mail server or the outbox.
    pub replies_sent: i64,
    /// Replies the mail server refused for good.
    pub replies_failed: i64,
}

impl Store {
    /// Open cases (`case::Standing`: neither answered nor closed), those of them past their
    /// deadline on `today` (not one whose clock waits for information: its deadline moves
    /// when the clock resumes), and the drafts waiting for approval.
    pub fn workload(&self, today: Date) -> Result<Workload, StoreError> {
        let mut statement = self
            .conn
            .prepare(concat!(
                "SELECT c.state, c.deadline, ",
                answered_at_sql!(),
                " IS NOT NULL, ",
                suspended_clock_sql!(),
                " IS NOT NULL FROM cases c WHERE c.state != 'closed'"
            ))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    column::<CaseState>(r, 0, "cases.state")?,
                    column::<Day>(r, 1, "cases.deadline")?.0,
                    r.get::<_, bool>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut workload = Workload::default();
        for row in rows {
            let (state, deadline, answered, waiting) = row.map_err(|e| self.error(e))?;
            let standing = Standing::of(state, answered);
            workload.open += i64::from(standing.is_open());
            workload.overdue += i64::from(!waiting && standing.is_overdue(deadline, today));
        }
        workload.drafts_waiting = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM drafts WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.error(e))?;
        Ok(workload)
    }

    pub fn totals(&self) -> Result<Totals, StoreError> {
        self.conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM messages),
                        (SELECT COUNT(*) FROM cases),
                        (SELECT COUNT(*) FROM quarantine),
                        (SELECT COUNT(*) FROM messages WHERE automated IS NOT NULL),
                        (SELECT COUNT(*) FROM drafts WHERE state = 'sent'),
                        (SELECT COUNT(*) FROM drafts WHERE state = 'failed')",
                [],
                |r| {
                    Ok(Totals {
                        messages: r.get(0)?,
                        cases: r.get(1)?,
                        quarantined: r.get(2)?,
                        automated: r.get(3)?,
                        replies_sent: r.get(4)?,
                        replies_failed: r.get(5)?,
                    })
                },
            )
            .map_err(|e| self.error(e))
    }
}

/// What the report needs of one case.
#[derive(Clone, Debug)]
pub struct ReportRow {
    /// The calendar day of receipt in the controller's zone.
    pub received: Date,
    pub deadline: Date,
    pub kinds: Vec<RequestKind>,
    pub language: Option<Lang>,
    pub state: CaseState,
    /// The day the answer (a reply, or word that nothing was found) went out.
    pub replied: Option<Date>,
    /// An extension took effect: its notice was sent (`extension_effective`).
    pub extended: bool,
    /// An answer that refused part of the request went out.
    pub refused: bool,
    /// The clock stands still: information asked of the requester is awaited.
    pub waiting: bool,
}

impl Store {
    /// Every case as the report reads it, with the receipt day taken in `zone`.
    pub fn report_rows(&self, zone: &jiff::tz::TimeZone) -> Result<Vec<ReportRow>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                concat!("SELECT c.received_at, c.deadline, c.kinds, c.language, c.state, ",
                        answered_at_sql!(), ",
                        EXISTS (SELECT 1 FROM events e WHERE e.case_id = c.id AND e.kind = ?1),
                        EXISTS (SELECT 1 FROM drafts d WHERE d.case_id = c.id AND d.state = 'sent' AND d.refusal), ",
                        suspended_clock_sql!(), " IS NOT NULL
                 FROM cases c ORDER BY c.id"),
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([EventKind::ExtensionEffective.as_str()], |r| {
                // The receipt and answer days are taken in the controller's zone.
                let day = |at: Instant| at.0.to_zoned_datetime(zone.clone()).date();
                Ok(ReportRow {
                    received: day(column(r, 0, "cases.received_at")?),
                    deadline: column::<Day>(r, 1, "cases.deadline")?.0,
                    kinds: column::<Json<_>>(r, 2, "cases.kinds")?.0,
                    language: column(r, 3, "cases.language")?,
                    state: column(r, 4, "cases.state")?,
                    replied: column::<Option<Instant>>(r, 5, "drafts.sent_at")?.map(day),
                    extended: r.get(6)?,
                    refused: r.get(7)?,
                    waiting: r.get(8)?,
                })
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.error(e))
    }
}
