//! Delivering the bot's own queued mail to staff (review mails, digests, notes), with the
//! exactly-once rule replies have: `sending` committed before the SMTP transaction, `sent`
//! after; a row a crash left in `sending` is looked up in Sent by its Message-ID and seal.
//! Nothing here waits on the network while a write transaction is open.

use jiff::Timestamp;

use super::{SendError, SendReport, backoff, sealed_copy_in_sent};
use crate::config::Config;
use crate::smtp::{Mailer, Outcome};
use crate::store::Store;

pub(super) async fn pass(
    store: &mut Store,
    mailer: &Mailer,
    config: &Config,
    now: Timestamp,
    report: &mut SendReport,
) -> Result<(), SendError> {
    recover(store, config, now, report).await?;
    let due = {
        let batch = store.begin()?;
        let due = batch.mail_to_send(now)?;
        batch.commit()?;
        due
    };
    if !due.is_empty() {
        crate::fault::crash_at(crate::fault::BEFORE_STAFF_MAIL);
    }
    for mail in due {
        let batch = store.begin()?;
        if !batch.mark_mail_sending(mail.id)? {
            continue;
        }
        batch.commit()?;
        let outcome = mailer.send(&mail.recipient, &mail.bytes).await;
        let batch = store.begin()?;
        match outcome {
            Outcome::Accepted => {
                batch.mail_sent(mail.id, now)?;
                report.staff_mail += 1;
            }
            Outcome::Temporary(why) => {
                let next = now.checked_add(backoff(mail.attempts)).unwrap_or(now);
                batch.mail_later(mail.id, next, &why)?;
                tracing::warn!(kind = mail.kind.as_str(), error = %why, "staff mail deferred");
            }
            Outcome::Permanent(why) => {
                batch.mail_failed(mail.id, &why)?;
                tracing::warn!(kind = mail.kind.as_str(), error = %why, "staff mail refused");
            }
        }
        batch.commit()?;
    }
    Ok(())
}

/// Settles the staff mail a crash left in `sending`: found in Sent with its seal, it went;
/// else it goes again (a second digest is better than none). Without a Sent folder to
/// check, it goes again too: staff mail carries no personal data of a requester's.
async fn recover(
    store: &mut Store,
    config: &Config,
    now: Timestamp,
    report: &mut SendReport,
) -> Result<(), SendError> {
    let sending = {
        let batch = store.begin()?;
        let sending = batch.mail_sending()?;
        batch.commit()?;
        sending
    };
    if sending.is_empty() {
        return Ok(());
    }
    let checkable = super::sent_folder_to_check(config);
    let mut source = match checkable {
        Some((_, mailbox)) => {
            let password = mailbox.password()?;
            Some(crate::intake::imap::ImapSource::connect(mailbox, &password).await?)
        }
        None => None,
    };
    for mail in &sending {
        let found = match (&mut source, checkable) {
            (Some(source), Some((smtp, _))) => {
                sealed_copy_in_sent(
                    source,
                    &smtp.sent_folder,
                    &mail.message_id,
                    Some(&mail.seal),
                )
                .await?
                .0
            }
            _ => false,
        };
        let batch = store.begin()?;
        if found {
            batch.mail_sent(mail.id, now)?;
            report.staff_mail += 1;
        } else {
            batch.mail_later(
                mail.id,
                now,
                "sending was interrupted before the server took it",
            )?;
        }
        batch.commit()?;
    }
    if let Some(source) = source {
        source.logout().await;
    }
    Ok(())
}
