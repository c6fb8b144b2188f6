//! The daemon: reads the request mailbox over IMAP and turns mail into cases, for ever or
//! for one pass.
//!
//! One pass selects the inbox, first finishes the moves still owed from before (a crash
//! between commit and move), then fetches the waiting messages in batches, admits each batch
//! in one store transaction that also records the moves it owes, commits, and only then asks
//! the server to move those messages out of the inbox. So a message leaves the inbox only
//! after its case is committed, and a crash at any point repeats at most a move, never a
//! case. Between passes it waits with IDLE (or polls), reconnects with capped, jittered
//! backoff, and on SIGTERM or SIGINT finishes the batch in hand and exits.

use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use tracing::{info, warn};

use crate::case::{Admission, Incoming, Settings, admit, analyse};
use crate::config::{MailboxConfig, Secret};
use crate::intake::imap::{ImapError, ImapSource, Wake};
use crate::store::{Store, StoreError};

/// RFC 2177 asks clients to re-issue IDLE at least every 29 minutes.
const IDLE_LIMIT: Duration = Duration::from_secs(29 * 60);
const BACKOFF_START: Duration = Duration::from_secs(1);
const BACKOFF_CAP: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Imap(#[from] ImapError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DaemonError {
    pub fn is_temporary(&self) -> bool {
        match self {
            DaemonError::Imap(err) => err.is_temporary(),
            DaemonError::Store(StoreError::Locked { .. }) => true,
            DaemonError::Store(_) => false,
        }
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct PassReport {
    pub seen: u64,
    pub new: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    pub cases_opened: u64,
    pub cases_joined: u64,
    pub automated: u64,
    pub not_requests: u64,
    pub moved: u64,
}

/// Everything a pass needs besides the connection.
pub struct Intake<'a> {
    pub mailbox: &'a MailboxConfig,
    pub store: &'a mut Store,
    pub settings: &'a Settings<'a>,
}

impl Intake<'_> {
    /// One pass over the inbox: everything waiting becomes a stored message (and a case
    /// where it is a request), and leaves the inbox. Stops early between batches when
    /// `shutdown` is set.
    pub async fn pass(
        &mut self,
        source: &mut ImapSource,
        shutdown: &tokio::sync::watch::Receiver<bool>,
    ) -> Result<PassReport, DaemonError> {
        let mailbox = self.mailbox;
        let inbox = mailbox.inbox.as_str();
        let mut report = PassReport::default();
        let (uidvalidity, _) = source.select(inbox).await?;
        if let Some(checkpoint) = self.store.checkpoint(inbox)?
            && checkpoint.uidvalidity != uidvalidity
        {
            // The mailbox was recreated: every UID is new. The store recognises what it
            // already holds by Message-ID and bytes, so nothing opens twice.
            warn!(
                old = checkpoint.uidvalidity,
                new = uidvalidity,
                "UIDVALIDITY changed; rescanning the inbox"
            );
        }
        report.moved += self.settle_moves(source, uidvalidity).await?;
        // A UID is handled once per pass; should a move not take, the next pass retries it
        // rather than this one spinning.
        let mut handled = std::collections::HashSet::new();
        loop {
            let uids: Vec<u32> = source
                .uids()
                .await?
                .into_iter()
                .filter(|uid| !handled.contains(uid))
                .collect();
            if uids.is_empty() {
                break;
            }
            handled.extend(uids.iter().copied());
            for chunk in uids.chunks(mailbox.batch_size.max(1)) {
                let fetched = source.fetch(chunk, self.settings.max_message_bytes).await?;
                let analyses: Vec<_> = fetched
                    .iter()
                    .map(|f| {
                        f.raw
                            .as_deref()
                            .map(|raw| analyse(raw, self.settings.classifier))
                    })
                    .collect();
                let now = Timestamp::now();
                let batch = self.store.begin()?;
                for (message, analysis) in fetched.iter().zip(&analyses) {
                    let origin =
                        format!("imap:{inbox};UIDVALIDITY={uidvalidity};UID={}", message.uid);
                    let incoming = Incoming {
                        raw: Ok(message.raw.as_deref().unwrap_or_default()),
                        origin: &origin,
                        server_receipt: message.internal_date,
                        delivered_at: None,
                        size: Some(message.size),
                        analysis: analysis.as_ref(),
                    };
                    let admission = admit(&batch, &incoming, self.settings, now)?;
                    let destination = match &admission {
                        Admission::Quarantined { .. } => &mailbox.quarantine_folder,
                        _ => &mailbox.processed_folder,
                    };
                    report.count(&admission);
                    batch.owe_move(inbox, uidvalidity, message.uid, destination)?;
                }
                batch.commit()?;
                report.moved += self.settle_moves(source, uidvalidity).await?;
                if *shutdown.borrow() {
                    return Ok(report);
                }
            }
        }
        let batch = self.store.begin()?;
        batch.pass_done(inbox, uidvalidity, Timestamp::now())?;
        batch.commit()?;
        Ok(report)
    }

    /// Does the moves the store says are owed, then records them done.
    async fn settle_moves(
        &mut self,
        source: &mut ImapSource,
        uidvalidity: u32,
    ) -> Result<u64, DaemonError> {
        let inbox = self.mailbox.inbox.as_str();
        let owed = self.store.pending_moves(inbox, uidvalidity)?;
        if owed.is_empty() {
            return Ok(0);
        }
        let mut destinations: Vec<&str> = owed.iter().map(|(_, d)| d.as_str()).collect();
        destinations.sort_unstable();
        destinations.dedup();
        for destination in destinations {
            let uids: Vec<u32> = owed
                .iter()
                .filter(|(_, d)| d == destination)
                .map(|(uid, _)| *uid)
                .collect();
            // Moving a UID that is already gone is a no-op, so repeating a move is safe.
            source.move_uids(&uids, destination).await?;
            let batch = self.store.begin()?;
            batch.moves_done(inbox, uidvalidity, &uids)?;
            batch.commit()?;
        }
        Ok(owed.len() as u64)
    }
}

impl PassReport {
    fn count(&mut self, admission: &Admission) {
        self.seen += 1;
        match admission {
            Admission::Duplicate => self.duplicates += 1,
            Admission::Quarantined { .. } => self.quarantined += 1,
            Admission::Automated { .. } => {
                self.new += 1;
                self.automated += 1;
            }
            Admission::NotARequest => {
                self.new += 1;
                self.not_requests += 1;
            }
            Admission::Opened(_) => {
                self.new += 1;
                self.cases_opened += 1;
            }
            Admission::Joined(_) => {
                self.new += 1;
                self.cases_joined += 1;
            }
        }
    }
}

/// Connects and makes sure the folders mail is moved to exist.
pub async fn connect(mailbox: &MailboxConfig, password: &Secret) -> Result<ImapSource, ImapError> {
    let mut source = ImapSource::connect(mailbox, password).await?;
    source.ensure_folder(&mailbox.processed_folder).await?;
    source.ensure_folder(&mailbox.quarantine_folder).await?;
    Ok(source)
}

/// Runs until `shutdown` is set: pass, wait for mail, pass again; reconnects on failure.
/// Returns an error only for what waiting cannot fix (the store refusing writes).
pub async fn run(
    intake: &mut Intake<'_>,
    password: &Secret,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), DaemonError> {
    let mut backoff = BACKOFF_START;
    let poll = Duration::from_secs(intake.mailbox.poll_seconds.max(1));
    while !*shutdown.borrow() {
        let mut source = match connect(intake.mailbox, password).await {
            Ok(source) => source,
            Err(err) => {
                warn!(error = %err, retry_in = ?backoff, "cannot reach the mailbox");
                if sleep_or_shutdown(jittered(backoff), &mut shutdown).await {
                    break;
                }
                backoff = (backoff * 2).min(BACKOFF_CAP);
                continue;
            }
        };
        info!(
            server = source.address(),
            idle = source.can_idle(),
            "connected to the mailbox"
        );
        backoff = BACKOFF_START;
        loop {
            match intake.pass(&mut source, &shutdown).await {
                Ok(report) if report.seen > 0 || report.moved > 0 => info!(
                    seen = report.seen,
                    new = report.new,
                    duplicates = report.duplicates,
                    cases_opened = report.cases_opened,
                    cases_joined = report.cases_joined,
                    quarantined = report.quarantined,
                    moved = report.moved,
                    "pass done"
                ),
                Ok(_) => {}
                Err(DaemonError::Store(err)) if !matches!(err, StoreError::Locked { .. }) => {
                    source.logout().await;
                    return Err(DaemonError::Store(err));
                }
                Err(err) => {
                    warn!(error = %err, "pass interrupted; reconnecting");
                    break;
                }
            }
            if *shutdown.borrow() {
                source.logout().await;
                return Ok(());
            }
            match source.wait(IDLE_LIMIT, poll, &mut shutdown).await {
                Ok((next, Wake::Shutdown)) => {
                    next.logout().await;
                    return Ok(());
                }
                Ok((next, _)) => source = next,
                Err(err) => {
                    warn!(error = %err, "lost the mailbox connection; reconnecting");
                    break;
                }
            }
        }
        if sleep_or_shutdown(jittered(backoff), &mut shutdown).await {
            break;
        }
    }
    Ok(())
}

/// Sleeps, or returns `true` at once if shutdown is asked for.
async fn sleep_or_shutdown(
    duration: Duration,
    shutdown: &mut tokio::sync::watch::Receiver<bool>,
) -> bool {
    if *shutdown.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(duration) => false,
        _ = shutdown.changed() => true,
    }
}

/// Backoff with up to 25 % random jitter, so many daemons restarting together spread out.
fn jittered(base: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let fraction = f64::from(nanos % 1000) / 4000.0;
    base + base.mul_f64(fraction)
}
