//! Counts across the store: the workload `status` shows and the totals of everything kept.

use jiff::civil::Date;
use serde::Serialize;

use super::{Store, StoreError, answered_at_sql};
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
}

impl Store {
    /// Open cases (`case::Standing`: neither answered nor closed), those of them past their
    /// deadline on `today`, and the drafts waiting for approval.
    pub fn workload(&self, today: Date) -> Result<Workload, StoreError> {
        let mut statement = self
            .conn
            .prepare(concat!(
                "SELECT c.state, c.deadline, ",
                answered_at_sql!(),
                " IS NOT NULL FROM cases c WHERE c.state != 'closed'"
            ))
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut workload = Workload::default();
        for row in rows {
            let (state, deadline, answered) = row.map_err(|e| self.error(e))?;
            let corrupt = |what, detail: &str| StoreError::Corrupt {
                path: self.path.clone(),
                what,
                detail: detail.to_string(),
            };
            let state: CaseState = state.parse().map_err(|_| corrupt("cases.state", &state))?;
            let deadline: Date = deadline
                .parse()
                .map_err(|_| corrupt("cases.deadline", &deadline))?;
            let standing = Standing::of(state, answered);
            workload.open += i64::from(standing.is_open());
            workload.overdue += i64::from(standing.is_overdue(deadline, today));
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
                        (SELECT COUNT(*) FROM messages WHERE automated IS NOT NULL)",
                [],
                |r| {
                    Ok(Totals {
                        messages: r.get(0)?,
                        cases: r.get(1)?,
                        quarantined: r.get(2)?,
                        automated: r.get(3)?,
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
    pub extended: bool,
    /// An answer that refused part of the request went out.
    pub refused: bool,
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
                        EXISTS (SELECT 1 FROM drafts d WHERE d.case_id = c.id AND d.state = 'sent' AND d.refusal)
                 FROM cases c ORDER BY c.id"),
            )
            .map_err(|e| self.error(e))?;
        let rows = statement
            .query_map([EventKind::Extended.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, bool>(6)?,
                    r.get::<_, bool>(7)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let corrupt = |what: &'static str, detail: &str| StoreError::Corrupt {
            path: self.path.clone(),
            what,
            detail: detail.to_string(),
        };
        let mut out = Vec::new();
        for row in rows {
            let (received, deadline, kinds, language, state, replied, extended, refused) =
                row.map_err(|e| self.error(e))?;
            let day = |what, text: &str| -> Result<Date, StoreError> {
                Ok(self
                    .timestamp(what, text)?
                    .to_zoned_datetime(zone.clone())
                    .date())
            };
            out.push(ReportRow {
                received: day("cases.received_at", &received)?,
                deadline: deadline
                    .parse()
                    .map_err(|_| corrupt("cases.deadline", &deadline))?,
                kinds: serde_json::from_str(&kinds).map_err(|_| corrupt("cases.kinds", &kinds))?,
                language: language
                    .as_deref()
                    .map(|l| l.parse().map_err(|_| corrupt("cases.language", l)))
                    .transpose()?,
                state: state.parse().map_err(|_| corrupt("cases.state", &state))?,
                replied: replied
                    .as_deref()
                    .map(|r| day("drafts.sent_at", r))
                    .transpose()?,
                extended,
                refused,
            });
        }
        Ok(out)
    }
}
