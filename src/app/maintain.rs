//! What runs over many cases: matching requesters in the register again after an import,
//! the staff digest of deadlines coming, and the purge of what is past its retention.

use std::path::PathBuf;

use jiff::{Timestamp, ToSpan, tz::TimeZone};

use crate::case::{BOT_ACTOR, CaseState, Rematch, rematch};
use crate::ids::CaseId;
use crate::remind::Digest;
use crate::store::{PurgePlan, Store};

use super::{App, AppError, Staff};

/// Which cases to match again.
#[derive(Clone, Copy, Debug)]
pub enum Rematching<'a> {
    /// Every case that is not closed.
    Open,
    These(&'a [CaseId]),
}

/// A digest given: its reminders, where it was written (no SMTP) and whether it went out.
pub struct Reminded {
    /// `None`: nothing new to remind of.
    pub digest: Option<Digest>,
    /// The file the team's digest was written to when no SMTP server is configured.
    pub file: Option<PathBuf>,
    /// Every digest file written (the team's and each owner's), with its address.
    pub files: Vec<(String, PathBuf)>,
    /// With SMTP: whether the server took it now (else the daemon tries again).
    pub delivered: Option<bool>,
}

/// What a purge deleted, or would delete.
pub struct Purged {
    pub closed_before: Timestamp,
    pub other_before: Timestamp,
    pub plan: PurgePlan,
    /// Audit events deleted with the cases; `None` on a dry run or with nothing to delete.
    pub events: Option<i64>,
}

impl App {
    /// Matches the requesters of these cases against the register again; where the
    /// outcome or the matched entries changed, the reply is drafted again, since who asks
    /// decides what it may say. One transaction.
    pub fn rematch(
        &self,
        store: &mut Store,
        cases: Rematching<'_>,
        now: Timestamp,
    ) -> Result<Vec<Rematch>, AppError> {
        let cases: Vec<CaseId> = match cases {
            Rematching::Open => store
                .cases()?
                .into_iter()
                .filter(|c| c.state != CaseState::Closed)
                .map(|c| c.case_id)
                .collect(),
            Rematching::These(cases) => cases.to_vec(),
        };
        let settings = self.settings()?;
        let batch = store.begin()?;
        let mut results = Vec::new();
        for case in cases {
            let raw = batch.first_message_of(case)?.ok_or_else(|| {
                AppError::Refused(format!("no case {case} (or it has no message)"))
            })?;
            let mail = crate::parse::parse(&raw).map_err(|err| AppError::Unreadable {
                case,
                why: err.to_string(),
            })?;
            let result = rematch(&batch, case, &mail, &settings, now)?.0;
            if result.changed {
                self.redraft(&batch, &settings, case, BOT_ACTOR, now)?;
            }
            results.push(result);
        }
        batch.commit()?;
        Ok(results)
    }

    /// Gives the staff digest: each reminder once, recorded in the transaction that queues
    /// the digest (both or neither); then, with SMTP, delivers it.
    pub fn remind(&self, store: &mut Store, now: Timestamp) -> Result<Reminded, AppError> {
        let config = &self.config;
        // A refusal after silence falls due with the calendar: offered first, so the digest
        // lists it among the drafts waiting.
        {
            let settings = self.settings()?;
            let drafting = self.drafting(&settings);
            let batch = store.begin()?;
            crate::draft::refusal::offer_due(&batch, &drafting, now)?;
            batch.commit()?;
        }
        if config.reminders.staff_address.is_none() {
            return Err(AppError::Refused(
                "no [reminders] staff_address in the config: there is no one to remind".to_string(),
            ));
        }
        let batch = store.begin()?;
        let digest = crate::remind::run(&batch, config, &self.templates, now)?;
        let queued = match &digest {
            Some(digest) => crate::remind::queue_digest(&batch, digest, config, now)?,
            None => Vec::new(),
        };
        // The team's file first (its address is the configured one), then the owners'.
        let team = config.reminders.staff_address.as_deref();
        let mut files: Vec<(String, PathBuf)> = queued
            .into_iter()
            .filter_map(|(to, file)| file.map(|f| (to, f)))
            .collect();
        files.sort_by_key(|(to, _)| Some(to.as_str()) != team);
        let file = files
            .iter()
            .find(|(to, _)| Some(to.as_str()) == team)
            .map(|(_, f)| f.clone());
        batch.commit()?;
        let mut delivered = None;
        if let (Some(_), Some(smtp)) = (&digest, &config.smtp) {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(AppError::Runtime)?;
            let _inside = runtime.enter();
            let mailer = crate::send::Mailer::new(smtp, config.sender_address())?;
            let report =
                runtime.block_on(crate::send::deliver_staff_mail(store, &mailer, config, now))?;
            delivered = Some(report.staff_mail > 0);
        }
        Ok(Reminded {
            digest,
            file,
            files,
            delivered,
        })
    }

    /// One send pass: approved replies and queued staff mail out over SMTP, each exactly
    /// once across crashes; 4xx deferred, 5xx failed.
    pub async fn send_pass(
        &self,
        store: &mut Store,
        mailer: &crate::send::Mailer,
        now: Timestamp,
    ) -> Result<crate::send::SendReport, AppError> {
        Ok(crate::send::pass(store, mailer, &self.config, now).await?)
    }

    /// Deletes closed cases and unrelated mail past their retention, recording on whose
    /// word; with `dry_run`, only says what would go.
    pub fn purge(
        &self,
        store: &mut Store,
        dry_run: bool,
        by: &Staff,
        now: Timestamp,
    ) -> Result<Purged, AppError> {
        let retention = &self.config.retention;
        // Months are calendar months in the controller's zone, as the law counts them.
        let zone = self.config.controller.timezone.zone.clone();
        let local = now.to_zoned_datetime(zone);
        let closed_before = local
            .checked_sub(i64::from(retention.closed_case_months).months())?
            .timestamp();
        let other_before = local
            .with_time_zone(TimeZone::UTC)
            .checked_sub(i64::from(retention.other_mail_days).days())?
            .timestamp();
        let plan = store.purge_plan(closed_before, other_before)?;
        let events = if dry_run || (plan.cases.is_empty() && plan.messages.is_empty()) {
            None
        } else {
            let batch = store.begin()?;
            let events = batch.purge(&plan, by.as_str(), now)?;
            batch.commit()?;
            Some(events)
        };
        Ok(Purged {
            closed_before,
            other_before,
            plan,
            events,
        })
    }
}
