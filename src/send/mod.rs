//! Send: approved replies go out over SMTP, exactly once.
//!
//! Takes the drafts `approve` approved; hands them to the mail server and records what
//! happened. The order makes a crash safe: a draft is marked `sending` (committed) before
//! the SMTP transaction and `sent` after it. The same transaction delivers a blind copy to
//! the `[smtp] sent_copy` address, which files it in the Sent folder, so the copy exists
//! exactly when the server took the reply. A draft a crash left in `sending` is looked up
//! in the Sent folder by its Message-ID before it is tried again: found, it is recorded
//! as sent; not found, it goes again. A 4xx answer (or no answer) is tried again later
//! with growing pauses; a 5xx is `failed`, with the server's words, never retried
//! silently. Without a Sent folder to check, a crashed send is not repeated: it is
//! `failed` for a person to check, because a reply twice is worse than a reply late.

use std::time::Duration;

use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use crate::config::Config;
use crate::draft::message;
pub use crate::smtp::Mailer;
use crate::smtp::Outcome;
use crate::store::{Batch, DraftRecord, NewEvent, Store, StoreError};
use crate::vocabulary::event::{self, Event};

mod staff_mail;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Setup(#[from] crate::smtp::SetupError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Imap(#[from] crate::intake::imap::ImapError),
}

/// What a send pass did.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct SendReport {
    pub sent: u64,
    /// Found in the Sent folder after a crash: sent before, not sent again.
    pub recovered: u64,
    pub deferred: u64,
    pub failed: u64,
    /// The bot's own mail to staff (review mails, digests, notes) handed to the server, or
    /// found in Sent after a crash.
    pub staff_mail: u64,
}

/// Pauses between attempts after temporary failures: 1, 5, 15, 60 minutes, then hourly.
fn backoff(attempts: i64) -> jiff::Span {
    match attempts {
        0 => 1.minutes(),
        1 => 5.minutes(),
        2 => 15.minutes(),
        _ => 60.minutes(),
    }
}

/// One pass: settle what a crash left in `sending`, then send what is due: approved
/// replies, then the bot's own queued mail to staff.
pub async fn pass(
    store: &mut Store,
    mailer: &Mailer,
    config: &Config,
    now: Timestamp,
) -> Result<SendReport, SendError> {
    let mut report = SendReport::default();
    recover(store, config, now, &mut report).await?;
    let due = {
        let batch = store.begin()?;
        let due = batch.drafts_to_send(now)?;
        batch.commit()?;
        due
    };
    for draft in due {
        // Only an approved draft goes out; the store's word for "approved" is checked once,
        // here, by the one type that proves it.
        let approved = match crate::draft::ApprovedDraft::check(draft.clone()) {
            Ok(approved) => approved,
            Err(err) => {
                let batch = store.begin()?;
                fail(&batch, &draft, &err.to_string(), now)?;
                batch.commit()?;
                report.failed += 1;
                continue;
            }
        };
        let bytes = match message::for_draft(&approved, config) {
            Ok(bytes) => bytes,
            Err(err) => {
                let batch = store.begin()?;
                fail(&batch, &draft, &err.to_string(), now)?;
                batch.commit()?;
                report.failed += 1;
                continue;
            }
        };
        // An extension notice that would reach the person after the first month extends
        // nothing (Art. 12(3)): it fails, for staff to see, and is recorded.
        if draft.purpose == crate::vocabulary::Purpose::Extension {
            let batch = store.begin()?;
            if let Err(end) =
                crate::case::clock::extension_in_time(&batch, draft.case_id, config, now)?
            {
                fail(
                    &batch,
                    &draft,
                    &format!(
                        "the first month ended on {end}: an extension notice can no longer be told in time (GDPR Art. 12(3))"
                    ),
                    now,
                )?;
                crate::case::clock::refuse_extension(
                    &batch,
                    draft.case_id,
                    draft.draft,
                    end,
                    crate::case::BOT_ACTOR,
                    now,
                )?;
                batch.commit()?;
                report.failed += 1;
                continue;
            }
            batch.commit()?;
        }
        // Recorded before the transaction: a crash from here on is settled by `recover`.
        let batch = store.begin()?;
        if !batch.mark_sending(draft.draft)? {
            continue;
        }
        batch.commit()?;
        let Some(to) = draft.recipient.as_deref() else {
            continue;
        };
        crate::fault::crash_at(crate::fault::BEFORE_SMTP);
        let outcome = mailer.send(to, &bytes).await;
        if matches!(outcome, Outcome::Accepted) {
            crate::fault::crash_at(crate::fault::AFTER_SMTP);
        }
        let batch = store.begin()?;
        match outcome {
            Outcome::Accepted => {
                batch.draft_sent(draft.draft, now, None)?;
                crate::case::clock::extension_sent(
                    &batch,
                    draft.case_id,
                    draft.draft,
                    draft.purpose,
                    config,
                    now,
                )?;
                keep_in_thread(&batch, &draft, &bytes, config, now)?;
                event(
                    &batch,
                    Event::Sent(event::Sent::Delivered {
                        draft: draft.draft.to_string(),
                        to: to.to_string(),
                        message_id: draft.message_id.clone(),
                    }),
                    &draft,
                    now,
                )?;
                report.sent += 1;
            }
            Outcome::Temporary(why) => {
                let attempts = batch.send_attempts(draft.draft)?;
                let next = now.checked_add(backoff(attempts)).unwrap_or(now);
                batch.send_later(draft.draft, next, &why)?;
                event(
                    &batch,
                    Event::SendDeferred(event::SendDeferred {
                        draft: draft.draft.to_string(),
                        server: why.clone(),
                        next_attempt: next,
                    }),
                    &draft,
                    now,
                )?;
                report.deferred += 1;
            }
            Outcome::Permanent(why) => {
                fail(&batch, &draft, &why, now)?;
                report.failed += 1;
            }
        }
        batch.commit()?;
    }
    staff_mail::pass(store, mailer, config, now, &mut report).await?;
    Ok(report)
}

/// Keeps the reply as it went out in its case's thread: `show CASE` lists it, and the
/// customer's answer to it (In-Reply-To: its Message-ID) joins the case.
fn keep_in_thread(
    batch: &Batch<'_>,
    draft: &DraftRecord,
    bytes: &[u8],
    config: &Config,
    now: Timestamp,
) -> Result<(), StoreError> {
    let sha = crate::case::digest(bytes);
    if batch.knows_raw(&sha)? {
        return Ok(());
    }
    let message_id = draft
        .message_id
        .as_deref()
        .and_then(crate::ids::MessageId::new);
    let in_reply_to: Vec<crate::ids::MessageId> = draft
        .in_reply_to
        .as_deref()
        .and_then(crate::ids::MessageId::new)
        .into_iter()
        .collect();
    let key = batch.insert_message(
        &crate::store::NewMessage {
            raw: bytes,
            raw_sha256: &sha,
            message_id: message_id.as_ref(),
            origin: "sent over SMTP",
            received_at: now,
            received_from: crate::store::ReceiptSource::SentAt,
            from_address: Some(&config.controller.privacy_address),
            from_name: Some(&config.controller.name),
            reply_to: None,
            subject: &draft.subject,
            in_reply_to: &in_reply_to,
            references: &[],
            automated: None,
            disposition: crate::store::Disposition::Sent,
            classification: None,
            colliding_message_id: None,
        },
        now,
    )?;
    batch.attach_message(key, draft.case_id)
}

fn fail(
    batch: &Batch<'_>,
    draft: &DraftRecord,
    why: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    batch.send_failed(draft.draft, why)?;
    event(
        batch,
        Event::SendFailed(event::SendFailed {
            draft: draft.draft.to_string(),
            server: why.to_string(),
        }),
        draft,
        now,
    )
}

fn event(
    batch: &Batch<'_>,
    event: Event,
    draft: &DraftRecord,
    now: Timestamp,
) -> Result<(), StoreError> {
    batch.append_event(
        draft.case_id,
        &NewEvent {
            at: now,
            actor: crate::case::BOT_ACTOR,
            event,
        },
    )
}

/// How long a crashed send's copy may take to reach the Sent folder (the server queues
/// it like any delivery).
const COPY_WAIT: Duration = Duration::from_secs(5);

/// A copy larger than this is not read for its seal (a reply is far smaller).
const SEAL_FETCH_LIMIT: u64 = 64 * 1024 * 1024;

/// Delivers only the bot's own queued mail to staff (a digest `remind` just queued),
/// leaving replies to the sender's own passes.
pub async fn deliver_staff_mail(
    store: &mut Store,
    mailer: &Mailer,
    config: &Config,
    now: Timestamp,
) -> Result<SendReport, SendError> {
    let mut report = SendReport::default();
    staff_mail::pass(store, mailer, config, now, &mut report).await?;
    Ok(report)
}

/// Looks for the copy our own SMTP transaction filed in Sent, waiting up to
/// [`COPY_WAIT`] for it to be delivered. Anyone can mail the Sent-copy address, so a copy
/// counts only when it carries the seal, which only our own transaction sent; a message
/// approved before seals existed has none to check, and its Message-ID must do. Returns
/// whether it was found, and how many copies with the Message-ID but not the seal were.
async fn sealed_copy_in_sent(
    source: &mut crate::intake::imap::ImapSource,
    folder: &str,
    message_id: &str,
    seal: Option<&str>,
) -> Result<(bool, usize), SendError> {
    let started = std::time::Instant::now();
    loop {
        source.select(folder).await?;
        let uids = source.search_message_id(message_id).await?;
        let (ours, planted) = match seal {
            None => (!uids.is_empty(), 0),
            Some(seal) => {
                let copies = source.fetch(&uids, SEAL_FETCH_LIMIT).await?;
                let sealed = copies
                    .iter()
                    .filter(|copy| {
                        copy.raw.as_deref().and_then(message::seal_of).as_deref() == Some(seal)
                    })
                    .count();
                (sealed > 0, copies.len() - sealed)
            }
        };
        if ours || started.elapsed() >= COPY_WAIT {
            return Ok((ours, planted));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The SMTP settings and mailbox whose Sent folder holds the copies our own transactions
/// made (`[smtp] sent_copy`), when there is one to check after a crash.
fn sent_folder_to_check(
    config: &Config,
) -> Option<(&crate::config::SmtpConfig, &crate::config::MailboxConfig)> {
    config
        .smtp
        .as_ref()
        .filter(|smtp| smtp.sent_copy.is_some())
        .zip(config.mailbox.as_ref())
}

/// Settles the drafts a crash left in `sending`.
async fn recover(
    store: &mut Store,
    config: &Config,
    now: Timestamp,
    report: &mut SendReport,
) -> Result<(), SendError> {
    let sending = {
        let batch = store.begin()?;
        let sending = batch.drafts_sending()?;
        batch.commit()?;
        sending
    };
    if sending.is_empty() {
        return Ok(());
    }
    let Some((smtp, mailbox)) = sent_folder_to_check(config) else {
        let batch = store.begin()?;
        for draft in &sending {
            fail(
                &batch,
                draft,
                "sending was interrupted and there is no Sent folder to check ([smtp] sent_copy): check whether it arrived before sending it again",
                now,
            )?;
            report.failed += 1;
        }
        batch.commit()?;
        return Ok(());
    };
    let password = mailbox.password()?;
    let mut source = crate::intake::imap::ImapSource::connect(mailbox, &password).await?;
    source.select(&smtp.sent_folder).await?;
    for draft in &sending {
        let Some(message_id) = draft.message_id.as_deref() else {
            continue;
        };
        let (found, planted) = sealed_copy_in_sent(
            &mut source,
            &smtp.sent_folder,
            message_id,
            draft.seal.as_deref(),
        )
        .await?;
        if planted > 0 {
            tracing::warn!(draft = %draft.draft, copies = planted, "a copy in Sent with the reply's Message-ID lacks its seal: ignored");
            let batch = store.begin()?;
            event(
                &batch,
                Event::SentCopyIgnored(event::SentCopyIgnored {
                    draft: draft.draft.to_string(),
                    copies: planted,
                    why: "a message in the Sent folder has the reply's Message-ID but not its seal: it is not the copy our SMTP transaction made".to_string(),
                }),
                draft,
                now,
            )?;
            batch.commit()?;
        }
        let batch = store.begin()?;
        if found {
            batch.draft_sent(draft.draft, now, None)?;
            crate::case::clock::extension_sent(
                &batch,
                draft.case_id,
                draft.draft,
                draft.purpose,
                config,
                now,
            )?;
            // It went out, whatever follows: the copy kept in the case's thread is built
            // again from the draft, and a draft that no longer builds is said, not hidden.
            let rebuilt = crate::draft::ApprovedDraft::check(draft.clone())
                .map_err(|err| err.to_string())
                .and_then(|approved| {
                    message::for_draft(&approved, config).map_err(|err| err.to_string())
                });
            match rebuilt {
                Ok(bytes) => keep_in_thread(&batch, draft, &bytes, config, now)?,
                Err(error) => {
                    tracing::warn!(draft = %draft.draft, %error, "the recovered reply cannot be rebuilt for its case's thread");
                }
            }
            event(
                &batch,
                Event::Sent(event::Sent::Recovered {
                    draft: draft.draft.to_string(),
                    recovered:
                        "its copy is in the Sent folder: the server took it before the crash"
                            .to_string(),
                }),
                draft,
                now,
            )?;
            report.recovered += 1;
        } else {
            // Not taken: send it again now.
            batch.send_later(
                draft.draft,
                now,
                "sending was interrupted before the server took it",
            )?;
        }
        batch.commit()?;
    }
    source.logout().await;
    Ok(())
}
