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
//!
//! Under systemd it reports through `supervisor`: ready once the store is open and the
//! first login was tried, a watchdog ping while its runtime and the store's thread answer,
//! and a reload (SIGHUP: the templates read again) while intake goes on.

use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;
use tracing::{debug, info, warn};

use crate::case::{Admission, Analysis, Incoming, Settings, Tally, admit, analyse};
use crate::classify::Classifier;
use crate::config::{MailboxConfig, Secret};
use crate::config::{MailboxMode, SharedRequests};
use crate::draft::Drafting;
use crate::intake::imap::{Fetched, ImapError, ImapSource, Wake};
use crate::store::{Destination, Store, StoreError};
use crate::supervisor::Supervisor;

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
    #[error("the store's thread stopped")]
    WriterGone,
}

impl DaemonError {
    pub fn is_temporary(&self) -> bool {
        match self {
            DaemonError::Imap(err) => err.is_temporary(),
            DaemonError::Store(StoreError::Locked { .. }) => true,
            DaemonError::Store(_) | DaemonError::WriterGone => false,
        }
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct PassReport {
    #[serde(flatten)]
    pub admitted: Tally,
    pub moved: u64,
    /// Staff digests queued (0 or 1): by `run --once`, which runs the clock's round too.
    pub digests: u64,
    /// Replies sent over SMTP (or found sent after a crash), by `run --once`.
    pub sent: u64,
}

/// Gives the reminders that have come due, as a digest for the staff address, queued in
/// the transaction that records them as given. With `gate`, at most one digest per
/// `[reminders] digest_every_minutes`: what came due since waits for the next. A digest
/// that cannot be rendered is logged and tried again later; only a store failure stops
/// the daemon.
fn remind_now(
    store: &mut Store,
    drafting: &Drafting<'_>,
    now: Timestamp,
    gate: bool,
) -> Result<u64, DaemonError> {
    let config = drafting.config;
    // A refusal after silence falls due with the calendar (`draft::refusal`): offered
    // here, on the clock, whether or not staff get digests; the digest then lists it.
    {
        let batch = store.begin()?;
        let offered = crate::draft::refusal::offer_due_or_log(&batch, drafting, now)?;
        if offered > 0 {
            batch.commit()?;
            info!(count = offered, "refusals offered");
        }
    }
    if config.reminders.staff_address.is_none() {
        // No one to mail, but a kept record's period ends all the same: its erasure is
        // opened on the clock, for `actions --open` to list.
        let batch = store.begin()?;
        let today = now
            .to_zoned_datetime(config.controller.timezone.zone.clone())
            .date();
        if !crate::case::open_ended_keeps(&batch, today, now)?.is_empty() {
            batch.commit()?;
        }
        return Ok(0);
    }
    let batch = store.begin()?;
    if gate && let Some(last) = batch.last_digest_at()? {
        let every =
            jiff::SignedDuration::from_mins(i64::from(config.reminders.digest_every_minutes));
        if now.duration_since(last) < every {
            return Ok(0);
        }
    }
    let digest = match crate::remind::run(&batch, config, drafting.templates, now) {
        Ok(Some(digest)) => digest,
        Ok(None) => return Ok(0),
        Err(crate::remind::RemindError::Store(err)) => return Err(err.into()),
        Err(err) => {
            warn!(error = %err, "digest failed");
            return Ok(0);
        }
    };
    match crate::remind::queue_digest(&batch, &digest, config, now) {
        Ok(_) => {
            batch.commit()?;
            Ok(1)
        }
        Err(err) => {
            // Rolled back: the reminders are not counted as given, and come again.
            warn!(error = %err, "digest could not be queued");
            Ok(0)
        }
    }
}

/// How often the clock looks at the store for something new (an approval from the CLI,
/// a retry come due).
const TICK: Duration = Duration::from_secs(2);
/// Reminders come due with the calendar, not with mail: looked at least this often.
const REMIND_EVERY: Duration = Duration::from_secs(5 * 60);

/// The daemon's own clock: the work that is due by time or by a decision, never only by
/// mail arriving. It gives due reminders (at start, then at least every five minutes and
/// whenever the store changed) and sends what is due (approved replies, queued staff
/// mail, retries), on its own connection to the store. In process, intake wakes it with a
/// notification; another process (the CLI approving a draft) is seen through the store's
/// `data_version` within a tick.
pub struct Clock<'a> {
    pub store: Store,
    /// `None` without `[smtp]`: staff mail is then written to the outbox when queued.
    pub mailer: Option<std::sync::Arc<crate::send::Mailer>>,
    pub drafting: &'a Drafting<'a>,
    /// A fixed clock (`--now`); `None`: the real one.
    pub now: Option<Timestamp>,
}

impl Clock<'_> {
    /// One round: due reminders, then sending. Returns the digests queued and what the
    /// send pass did.
    pub async fn work(
        &mut self,
        gate: bool,
    ) -> Result<(u64, crate::send::SendReport), DaemonError> {
        let now = self.now.unwrap_or_else(Timestamp::now);
        let digests = remind_now(&mut self.store, self.drafting, now, gate)?;
        let mut sent = crate::send::SendReport::default();
        if let Some(mailer) = &self.mailer {
            match crate::send::pass(&mut self.store, mailer, self.drafting.config, now).await {
                Ok(report) => sent = report,
                Err(crate::send::SendError::Store(err)) => return Err(err.into()),
                // The mail server's trouble is the next round's to retry.
                Err(err) => warn!(error = %err, "sending failed"),
            }
        }
        Ok((digests, sent))
    }

    /// Whether a send is due now (a reply approved, a retry whose time has come).
    fn send_due(&mut self, now: Timestamp) -> Result<bool, DaemonError> {
        if self.mailer.is_none() {
            return Ok(false);
        }
        Ok(self.store.send_due(now)?)
    }

    /// Runs until `shutdown` is set.
    pub async fn run(
        &mut self,
        wake: &tokio::sync::Notify,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Result<(), DaemonError> {
        let mut seen_version = None;
        let mut reminded: Option<std::time::Instant> = None;
        while !*shutdown.borrow() {
            let version = self.store.data_version()?;
            let changed = seen_version != Some(version);
            let remind_due = reminded.is_none_or(|at| at.elapsed() >= REMIND_EVERY);
            let now = self.now.unwrap_or_else(Timestamp::now);
            if changed || remind_due || self.send_due(now)? {
                let (digests, sent) = self.work(true).await?;
                if changed || remind_due {
                    reminded = Some(std::time::Instant::now());
                }
                if digests > 0 || sent.sent + sent.recovered + sent.staff_mail + sent.failed > 0 {
                    info!(
                        digests,
                        sent = sent.sent,
                        recovered = sent.recovered,
                        deferred = sent.deferred,
                        failed = sent.failed,
                        staff_mail = sent.staff_mail,
                        "clock round done"
                    );
                }
                // Our own commits do not move data_version; another connection's do.
                seen_version = Some(self.store.data_version()?);
            }
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = wake.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
        Ok(())
    }
}

/// Where a pass spent its time, for tuning (logged at debug level).
#[derive(Default)]
struct PassTiming {
    fetch: Duration,
    wait: Duration,
    commit: Duration,
    moves: Duration,
}

/// Everything a pass needs besides the connection.
pub struct Intake<'a> {
    pub mailbox: &'a MailboxConfig,
    /// For a second session that moves mail while the first fetches; without it, moves
    /// happen in line.
    pub password: Option<&'a Secret>,
    /// The store, on a thread of its own: commits overlap the network waits.
    pub writer: &'a Writer,
    pub settings: &'a Settings<'a>,
    /// A fixed clock (`--now`, for tests and demos); `None`: the real one.
    pub now: Option<Timestamp>,
    /// Counts each lost mailbox connection the daemon reconnects after (`/metrics`).
    pub reconnects: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// A job for the store's thread.
type Job = Box<dyn for<'s> FnOnce(&mut Store, &Drafting<'s>) + Send>;

/// The store, owned by one thread that runs what it is sent, in order. The daemon's
/// commits run there while its runtime thread fetches the next batch.
pub struct Writer {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the store's thread in `scope`; it ends when the `Writer` is dropped.
    pub fn start<'scope, 'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        store: &'env mut Store,
        drafting: &'env Drafting<'env>,
    ) -> Writer {
        let (jobs, received) = std::sync::mpsc::channel::<Job>();
        scope.spawn(move || {
            for job in received {
                job(store, drafting);
            }
        });
        Writer { jobs }
    }

    /// Sends `work` to the store's thread; the answer arrives on the returned channel.
    fn submit<R: Send + 'static>(
        &self,
        work: impl for<'s> FnOnce(&mut Store, &Drafting<'s>) -> Result<R, DaemonError> + Send + 'static,
    ) -> futures::channel::oneshot::Receiver<Result<R, DaemonError>> {
        let (reply, answer) = futures::channel::oneshot::channel();
        let job: Job = Box::new(move |store, drafting| {
            let _ = reply.send(work(store, drafting));
        });
        // If the thread is gone the reply channel is dropped, which `wait` reports.
        let _ = self.jobs.send(job);
        answer
    }

    async fn wait<R>(
        answer: futures::channel::oneshot::Receiver<Result<R, DaemonError>>,
    ) -> Result<R, DaemonError> {
        answer.await.unwrap_or(Err(DaemonError::WriterGone))
    }

    async fn call<R: Send + 'static>(
        &self,
        work: impl for<'s> FnOnce(&mut Store, &Drafting<'s>) -> Result<R, DaemonError> + Send + 'static,
    ) -> Result<R, DaemonError> {
        Writer::wait(self.submit(work)).await
    }
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
        let name = inbox.to_string();
        let checkpoint = self
            .writer
            .call(move |store, _| Ok(store.checkpoint(&name)?))
            .await?;
        if let Some(checkpoint) = checkpoint
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
        let mut done = Vec::new();
        report.moved += self.settle_moves(source, uidvalidity, &mut done).await?;

        // A second session moves committed mail out of the inbox while this one fetches and
        // commits the next batches: MOVE is the slowest step on the server.
        let mut mover = match self.password {
            Some(password) => match ImapSource::connect(mailbox, password).await {
                Ok(mut mover) => match mover.select(inbox).await {
                    Ok(_) => Some(mover),
                    Err(err) => {
                        warn!(error = %err, "no second session for moves; moving in line");
                        None
                    }
                },
                Err(err) => {
                    warn!(error = %err, "no second session for moves; moving in line");
                    None
                }
            },
            None => None,
        };
        let (move_tx, move_rx) = futures::channel::mpsc::unbounded::<Vec<(u32, Destination)>>();
        let (done_tx, mut done_rx) = futures::channel::mpsc::unbounded::<Vec<u32>>();
        let has_mover = mover.is_some();
        let moving = async {
            if let Some(mover) = mover.as_mut() {
                run_mover(mover, move_rx, done_tx).await;
            }
        };
        let working = async {
            let move_tx = move_tx;
            let mut timing = PassTiming::default();
            // A UID is handled once per pass; should a move not take, the next pass retries
            // it rather than this one spinning.
            let mut handled = std::collections::HashSet::new();
            loop {
                // A shared mailbox keeps what is not a request: only what came after the
                // last message read is new.
                let listed = match self.mailbox.mode {
                    MailboxMode::Dedicated => source.uids().await?,
                    MailboxMode::Shared => {
                        let name = inbox.to_string();
                        let last = self
                            .writer
                            .call(move |store, _| Ok(store.last_uid(&name, uidvalidity)?))
                            .await?;
                        source.uids_after(last.unwrap_or(0)).await?
                    }
                };
                let uids: Vec<u32> = listed
                    .into_iter()
                    .filter(|uid| !handled.contains(uid))
                    .collect();
                if uids.is_empty() {
                    break;
                }
                handled.extend(uids.iter().copied());
                // Fetching batch k+1 and committing batch k-1 overlap with the analysis of
                // batch k on a second core.
                let analyser = Analyser::start();
                let mut in_flight = 0usize;
                // The commit of the previous batch, running on the store's thread.
                let mut committing: Option<Ticket> = None;
                let mut chunks = uids.chunks(self.mailbox.batch_size.max(1));
                loop {
                    let next = chunks.next();
                    if let Some(chunk) = next {
                        let started = std::time::Instant::now();
                        let fetched = source.fetch(chunk, self.settings.max_message_bytes).await?;
                        timing.fetch += started.elapsed();
                        analyser.submit(fetched);
                        in_flight += 1;
                    }
                    if in_flight == 0 || (next.is_some() && in_flight < 2) {
                        if next.is_none() {
                            break;
                        }
                        continue;
                    }
                    in_flight -= 1;
                    let started = std::time::Instant::now();
                    let analysed = analyser.collect();
                    timing.wait += started.elapsed();
                    while let Ok(moved) = done_rx.try_recv() {
                        report.moved += moved.len() as u64;
                        done.extend(moved);
                    }
                    let names = Names::of(self.mailbox);
                    let recorded = std::mem::take(&mut done);
                    let now = self.now.unwrap_or_else(Timestamp::now);
                    let ticket = self.writer.submit(move |store, drafting| {
                        commit_batch(
                            store,
                            drafting,
                            &names,
                            analysed,
                            uidvalidity,
                            recorded,
                            now,
                        )
                    });
                    if let Some(previous) = committing.replace(ticket) {
                        let started = std::time::Instant::now();
                        let (owed, counts) = Writer::wait(previous).await?;
                        timing.commit += started.elapsed();
                        report.admitted.add(&counts);
                        if !has_mover || move_tx.unbounded_send(owed).is_err() {
                            let started = std::time::Instant::now();
                            report.moved +=
                                self.settle_moves(source, uidvalidity, &mut done).await?;
                            timing.moves += started.elapsed();
                        }
                    }
                    if *shutdown.borrow() {
                        break;
                    }
                }
                if let Some(last) = committing.take() {
                    let (owed, counts) = Writer::wait(last).await?;
                    report.admitted.add(&counts);
                    if !has_mover || move_tx.unbounded_send(owed).is_err() {
                        report.moved += self.settle_moves(source, uidvalidity, &mut done).await?;
                    }
                }
                if *shutdown.borrow() {
                    break;
                }
            }
            debug!(fetch = ?timing.fetch, wait_for_analysis = ?timing.wait, commit = ?timing.commit, moves = ?timing.moves, "pass timing");
            drop(move_tx);
            Ok::<_, DaemonError>(())
        };
        let (worked, ()) = tokio::join!(working, moving);
        while let Ok(moved) = done_rx.try_recv() {
            report.moved += moved.len() as u64;
            done.extend(moved);
        }
        if let Some(mover) = mover {
            mover.logout().await;
        }
        let name = inbox.to_string();
        let recorded = std::mem::take(&mut done);
        self.writer
            .call(move |store, _| {
                let batch = store.begin()?;
                batch.moves_done(&name, uidvalidity, &recorded)?;
                Ok(batch.commit()?)
            })
            .await?;
        worked?;
        // Whatever the second session could not move is still owed: move it here.
        report.moved += self.settle_moves(source, uidvalidity, &mut done).await?;
        let name = inbox.to_string();
        // A pass cut short by a shutdown did not finish: `status` keeps the last one that did.
        let finished = !*shutdown.borrow();
        let now = self.now.unwrap_or_else(Timestamp::now);
        self.writer
            .call(move |store, _| {
                let batch = store.begin()?;
                batch.moves_done(&name, uidvalidity, &done)?;
                if finished {
                    batch.pass_done(&name, uidvalidity, now)?;
                }
                Ok(batch.commit()?)
            })
            .await?;
        Ok(report)
    }

    /// Does the moves the store says are owed, then records them done.
    /// The moves done are added to `done`, for the caller to record in its next transaction
    /// (a crash before that repeats only the move, which is harmless).
    async fn settle_moves(
        &mut self,
        source: &mut ImapSource,
        uidvalidity: u32,
        done: &mut Vec<u32>,
    ) -> Result<u64, DaemonError> {
        let name = self.mailbox.inbox.clone();
        let mut owed = self
            .writer
            .call(move |store, _| Ok(store.pending_moves(&name, uidvalidity)?))
            .await?;
        // Moves made but not yet recorded are not owed again.
        owed.retain(|(uid, _)| !done.contains(uid));
        if owed.is_empty() {
            return Ok(0);
        }
        let mut destinations: Vec<&Destination> = owed.iter().map(|(_, d)| d).collect();
        destinations.sort_unstable();
        destinations.dedup();
        for destination in destinations {
            let uids: Vec<u32> = owed
                .iter()
                .filter(|(_, d)| d == destination)
                .map(|(uid, _)| *uid)
                .collect();
            // Moving a UID that is already gone is a no-op, so repeating a move is safe; a
            // repeated copy leaves a second copy in the privacy folder, never loses one.
            apply(source, &uids, destination).await?;
            done.extend(uids);
        }
        Ok(owed.len() as u64)
    }
}

/// The folder names a commit needs, owned so the job can go to the store's thread.
struct Names {
    inbox: String,
    processed: String,
    quarantine: String,
    mode: MailboxMode,
    requests: SharedRequests,
}

impl Names {
    fn of(mailbox: &MailboxConfig) -> Names {
        Names {
            inbox: mailbox.inbox.clone(),
            processed: mailbox.processed_folder.clone(),
            quarantine: mailbox.quarantine_folder.clone(),
            mode: mailbox.mode,
            requests: mailbox.requests,
        }
    }

    /// Where an admitted message goes. A dedicated mailbox empties its inbox; a shared one
    /// moves (or copies) only requests and their follow-ups, and leaves customer service's
    /// mail where it is, unread.
    fn destination(&self, admission: &Admission) -> Option<Destination> {
        let to = |folder: &str, copy: bool| {
            Some(Destination {
                folder: folder.to_string(),
                copy,
            })
        };
        match (self.mode, admission) {
            (MailboxMode::Dedicated, Admission::Quarantined { .. }) => to(&self.quarantine, false),
            (MailboxMode::Dedicated, _) => to(&self.processed, false),
            (MailboxMode::Shared, Admission::Opened(_) | Admission::Joined(_)) => {
                to(&self.processed, self.requests == SharedRequests::Copy)
            }
            (MailboxMode::Shared, _) => None,
        }
    }
}

/// A commit on the store's thread: the moves it owes, and what it counted.
type Ticket =
    futures::channel::oneshot::Receiver<Result<(Vec<(u32, Destination)>, Tally), DaemonError>>;

/// Admits one analysed batch in one transaction, with the moves it owes, and records the
/// moves `done` since the last commit.
fn commit_batch(
    store: &mut Store,
    drafting: &Drafting<'_>,
    names: &Names,
    analysed: Vec<(Fetched, Option<Analysis>)>,
    uidvalidity: u32,
    done: Vec<u32>,
    now: Timestamp,
) -> Result<(Vec<(u32, Destination)>, Tally), DaemonError> {
    let inbox = names.inbox.as_str();
    let mut counts = Tally::default();
    let batch = store.begin()?;
    batch.moves_done(inbox, uidvalidity, &done)?;
    let mut owed = Vec::with_capacity(analysed.len());
    for (message, analysis) in &analysed {
        let origin = format!("imap:{inbox};UIDVALIDITY={uidvalidity};UID={}", message.uid);
        let incoming = Incoming {
            raw: Ok(message.raw.as_deref().unwrap_or_default()),
            origin: &origin,
            server_receipt: message.internal_date,
            delivered_at: None,
            size: Some(message.size),
            analysis: analysis.as_ref(),
        };
        let admission = admit(&batch, &incoming, drafting.settings, now)?;
        let request = analysis.as_ref().and_then(|a| a.parsed.as_ref().ok());
        crate::approve::after_admission(&batch, &admission, request, drafting, now)?;
        counts.count(&admission);
        match names.destination(&admission) {
            Some(destination) => {
                batch.owe_move(inbox, uidvalidity, message.uid, &destination)?;
                owed.push((message.uid, destination));
            }
            None => batch.uid_read(inbox, uidvalidity, message.uid)?,
        }
    }
    batch.commit()?;
    Ok((owed, counts))
}

/// Moves what the pass has committed, on a session of its own, coalescing whatever has
/// queued up into one MOVE per destination. Reports the UIDs moved; on a failure it stops,
/// and the moves it did not make stay owed in the store for the main session.
async fn run_mover(
    mover: &mut ImapSource,
    mut owed: futures::channel::mpsc::UnboundedReceiver<Vec<(u32, Destination)>>,
    moved: futures::channel::mpsc::UnboundedSender<Vec<u32>>,
) {
    use futures::StreamExt;
    while let Some(mut items) = owed.next().await {
        while let Ok(more) = owed.try_recv() {
            items.extend(more);
        }
        let mut destinations: Vec<Destination> = items.iter().map(|(_, d)| d.clone()).collect();
        destinations.sort_unstable();
        destinations.dedup();
        for destination in destinations {
            let uids: Vec<u32> = items
                .iter()
                .filter(|(_, d)| *d == destination)
                .map(|(uid, _)| *uid)
                .collect();
            if let Err(err) = apply(mover, &uids, &destination).await {
                warn!(error = %err, "the moving session failed; the rest is moved later");
                return;
            }
            let _ = moved.unbounded_send(uids);
        }
    }
}

/// Moves or copies `uids` as `destination` says.
async fn apply(
    source: &mut ImapSource,
    uids: &[u32],
    destination: &Destination,
) -> Result<(), ImapError> {
    if destination.copy {
        source.copy_uids(uids, &destination.folder).await
    } else {
        source.move_uids(uids, &destination.folder).await
    }
}

/// Parses and classifies fetched batches on a thread of its own, in order.
struct Analyser {
    jobs: std::sync::mpsc::Sender<Vec<Fetched>>,
    results: std::sync::mpsc::Receiver<Vec<(Fetched, Option<Analysis>)>>,
}

impl Analyser {
    fn start() -> Analyser {
        let (jobs, job_rx) = std::sync::mpsc::channel::<Vec<Fetched>>();
        let (result_tx, results) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // Its own rules: they compile in milliseconds and need no sharing.
            let classifier = Classifier::new().ok();
            for batch in job_rx {
                let analysed: Vec<_> = batch
                    .into_iter()
                    .map(|message| {
                        let analysis = match (&message.raw, &classifier) {
                            (Some(raw), Some(classifier)) => Some(analyse(raw, classifier)),
                            _ => None,
                        };
                        (message, analysis)
                    })
                    .collect();
                if result_tx.send(analysed).is_err() {
                    break;
                }
            }
        });
        Analyser { jobs, results }
    }

    fn submit(&self, batch: Vec<Fetched>) {
        // Should the thread be gone, `collect` notices and analysis happens inline.
        let _ = self.jobs.send(batch);
    }

    /// The oldest submitted batch, analysed. Without the thread, the batch is analysed by
    /// `admit` itself (an analysis of `None` means "do it here").
    fn collect(&self) -> Vec<(Fetched, Option<Analysis>)> {
        self.results.recv().unwrap_or_default()
    }
}

/// Connects and makes sure the folders mail is moved to exist.
pub async fn connect(mailbox: &MailboxConfig, password: &Secret) -> Result<ImapSource, ImapError> {
    let mut source = ImapSource::connect(mailbox, password).await?;
    source.ensure_folder(&mailbox.processed_folder).await?;
    source.ensure_folder(&mailbox.quarantine_folder).await?;
    Ok(source)
}

/// What the daemon runs on, built by the front end from `app::App`: the mailbox, the case
/// settings and drafting, two store connections (the writer thread's and the clock's) and
/// the SMTP mailer when there is one.
pub struct Parts<'a> {
    pub mailbox: &'a MailboxConfig,
    pub password: &'a Secret,
    pub settings: &'a Settings<'a>,
    pub drafting: &'a Drafting<'a>,
    /// The store for intake's commits, owned by the writer thread.
    pub store: Store,
    /// The clock's own connection (reminders, sending).
    pub clock_store: Store,
    pub mailer: Option<std::sync::Arc<crate::send::Mailer>>,
    /// A fixed clock (`--now`, for tests and demos); `None`: the real one.
    pub now: Option<Timestamp>,
    /// Counts each lost mailbox connection the daemon reconnects after (`/metrics`).
    pub reconnects: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The service manager to tell about start-up, reloads and liveness.
    pub supervisor: &'a Supervisor,
    /// Changes each time a reload is asked for (SIGHUP); `None`: never.
    pub reloads: Option<tokio::sync::watch::Receiver<u64>>,
}

/// Starts the writer thread and runs the daemon on `runtime`: with `once`, one intake
/// pass and one round of the clock, whose report it returns (for cron and tests); else
/// until `stop_when` completes (a signal), after which the batch in hand is finished.
pub fn serve<S>(
    parts: Parts<'_>,
    runtime: &tokio::runtime::Runtime,
    once: bool,
    stop_when: S,
) -> Result<Option<PassReport>, DaemonError>
where
    S: std::future::Future<Output = ()> + Send + 'static,
{
    let Parts {
        mailbox,
        password,
        settings,
        drafting,
        mut store,
        clock_store,
        mailer,
        now,
        reconnects,
        supervisor,
        reloads,
    } = parts;
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let mut clock = Clock {
        store: clock_store,
        mailer,
        drafting,
        now,
    };
    // The store lives on a thread of its own for the daemon's lifetime; it ends when the
    // writer is dropped at the end of this scope.
    std::thread::scope(|scope| {
        let writer = Writer::start(scope, &mut store, drafting);
        let mut intake = Intake {
            password: Some(password),
            mailbox,
            writer: &writer,
            settings,
            now,
            reconnects,
        };
        runtime.block_on(async {
            if once {
                let mut source = connect(mailbox, password).await?;
                let mut report = intake.pass(&mut source, &shutdown).await?;
                source.logout().await;
                // What is due by the clock, once: a cron job gets it all in one run.
                let (digests, sent) = clock.work(false).await?;
                report.digests = digests;
                report.sent = sent.sent + sent.recovered;
                return Ok(Some(report));
            }
            tokio::spawn(async move {
                stop_when.await;
                info!("shutdown requested; finishing the batch in hand");
                let _ = stop.send(true);
            });
            // A signal that came while starting up is honoured at once.
            let service = Service {
                supervisor,
                reloads,
            };
            run(&mut intake, &mut clock, password, service, shutdown).await?;
            info!("stopped");
            Ok(None)
        })
    })
}

/// What the daemon shares with its service manager.
pub struct Service<'a> {
    pub supervisor: &'a Supervisor,
    /// Changes each time a reload is asked for; `None`: never.
    pub reloads: Option<tokio::sync::watch::Receiver<u64>>,
}

/// Runs until `shutdown` is set: intake (pass, wait for mail, pass again; reconnecting on
/// failure) beside the clock (reminders and sending, on their own schedule), so a quiet
/// mailbox or an unreachable IMAP server never holds up what is due; beside them the
/// watchdog and reloads. Returns an error only for what waiting cannot fix (the store
/// refusing writes).
pub async fn run(
    intake: &mut Intake<'_>,
    clock: &mut Clock<'_>,
    password: &Secret,
    service: Service<'_>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), DaemonError> {
    let wake = tokio::sync::Notify::new();
    let writer = intake.writer;
    let templates = clock.drafting.templates;
    tokio::try_join!(
        intake_loop(
            intake,
            password,
            service.supervisor,
            shutdown.clone(),
            &wake
        ),
        clock.run(&wake, shutdown.clone()),
        watchdog(writer, service.supervisor, shutdown.clone()),
        reload_loop(templates, service.supervisor, service.reloads, shutdown),
    )?;
    Ok(())
}

/// Pings the service manager's watchdog while the daemon's runtime turns and the store's
/// thread answers: a commit stuck, or the runtime thread blocked, for longer than
/// `WatchdogSec=` stops the pings and systemd restarts the daemon. A slow mail server does
/// not: its waits are awaited, under their own time limits.
async fn watchdog(
    writer: &Writer,
    supervisor: &Supervisor,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), DaemonError> {
    let Some(every) = supervisor.ping_every() else {
        return Ok(());
    };
    loop {
        writer.call(|_, _| Ok(())).await?;
        supervisor.alive();
        if sleep_or_shutdown(every, &mut shutdown).await {
            return Ok(());
        }
    }
}

/// Reads the templates again on each reload request, telling the service manager it is
/// reloading meanwhile. Intake and the clock go on: a draft rendered during the reload
/// waits for it, nothing else does. A template that no longer parses is logged (a
/// draft that needs it fails as before, and is retried once it is fixed).
async fn reload_loop(
    templates: &crate::draft::Templates,
    supervisor: &Supervisor,
    reloads: Option<tokio::sync::watch::Receiver<u64>>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), DaemonError> {
    let Some(mut reloads) = reloads else {
        return Ok(());
    };
    loop {
        // A stop asked for before this loop first waited is not a change it would see.
        if *shutdown.borrow() {
            return Ok(());
        }
        tokio::select! {
            changed = reloads.changed() => if changed.is_err() { return Ok(()) },
            _ = shutdown.changed() => return Ok(()),
        }
        supervisor.reloading();
        let problems = templates.reload();
        for problem in &problems {
            warn!(error = %problem, "template does not parse after reload");
        }
        info!(problems = problems.len(), "templates re-read");
        supervisor.reloaded("reading the mailbox; templates re-read");
    }
}

/// Intake for ever: pass, wait for mail, pass again; reconnects on failure. Each pass
/// that admitted or moved something wakes the clock (a new draft, an approval by mail).
async fn intake_loop(
    intake: &mut Intake<'_>,
    password: &Secret,
    supervisor: &Supervisor,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
    wake: &tokio::sync::Notify,
) -> Result<(), DaemonError> {
    let mut backoff = BACKOFF_START;
    let poll = Duration::from_secs(intake.mailbox.poll_seconds.max(1));
    let idle = Duration::from_secs(intake.mailbox.idle_seconds.max(1)).min(IDLE_LIMIT);
    while !*shutdown.borrow() {
        let mut source = match connect(intake.mailbox, password).await {
            Ok(source) => source,
            Err(err) => {
                warn!(error = %err, retry_in = ?backoff, "cannot reach the mailbox");
                // Started all the same: the store is open and the error is in the log; a
                // unit that never became ready would hide it behind a start-up timeout.
                supervisor.ready(&format!("cannot reach the mailbox: {err}"));
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
        supervisor.ready("reading the mailbox");
        backoff = BACKOFF_START;
        loop {
            match intake.pass(&mut source, &shutdown).await {
                Ok(PassReport {
                    admitted, moved, ..
                }) if admitted.seen > 0 || moved > 0 => {
                    wake.notify_one();
                    info!(
                        seen = admitted.seen,
                        new = admitted.new,
                        duplicates = admitted.duplicates,
                        cases_opened = admitted.cases_opened,
                        cases_joined = admitted.cases_joined,
                        quarantined = admitted.quarantined,
                        moved,
                        "pass done"
                    );
                }
                Ok(_) => {}
                Err(DaemonError::Store(err)) if !matches!(err, StoreError::Locked { .. }) => {
                    source.logout().await;
                    return Err(DaemonError::Store(err));
                }
                Err(DaemonError::WriterGone) => {
                    source.logout().await;
                    return Err(DaemonError::WriterGone);
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
            match source.wait(idle, poll, &mut shutdown).await {
                Ok((next, Wake::Shutdown)) => {
                    next.logout().await;
                    return Ok(());
                }
                Ok((next, Wake::Timeout)) => {
                    debug!("IDLE renewed");
                    source = next;
                }
                Ok((next, _)) => source = next,
                Err(err) => {
                    warn!(error = %err, "lost the mailbox connection; reconnecting");
                    break;
                }
            }
        }
        intake
            .reconnects
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
