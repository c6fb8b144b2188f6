//! The application layer: one function per use-case, over the stages below, that any front
//! end calls (the CLI today, a staff console later).
//!
//! It takes the config once ([`App::new`]) and builds from it what the stages share: the
//! classifier, the templates and the case settings. Each use-case opens its own store
//! transaction, commits it and hands back a typed result for the front end to print or
//! render. It never parses arguments, never prints and never names a command-line flag:
//! who acts is a [`Staff`] value the front end resolved.

mod actions;
mod commands;
mod decide;
mod ingest;
mod maintain;
mod register;
mod staff;
mod upkeep;
mod view;

use std::sync::OnceLock;
use std::time::Duration;

use crate::case::Settings;
use crate::classify::Classifier;
use crate::config::Config;
use crate::draft::{Drafting, Templates};
use crate::store::{Store, StoreOptions};

pub use actions::{ActionChange, ActionRecorded};
pub use commands::CarriedOut;
pub use decide::{
    ApprovalChecks, Approved, Assigned, DraftRef, ExtendRequest, Extended, Intake, Opened,
    Reclassified, Verified,
};
pub use ingest::{Ingested, MailFile, Progress};
pub use maintain::{Purged, Rematching, Reminded};
pub use register::{ErasureRecorded, ImportProgress, ImportReport, Withheld};
pub use staff::{Credentials, LoginError, NewStaff, SignedIn, TotpEnrolment, actor, random_token};
pub use upkeep::Figures;
pub use view::{
    CaseFilter, CaseLine, CaseList, CaseView, DUE_SOON_WORKING_DAYS, DraftView, EntryQuery,
    FailedSend, MessageView, Overview, OwnerActions, QueueFilter, QueueLine, QueuePage, Status,
};

pub use crate::vocabulary::{Input, NoActor, Staff};

/// What a use-case can fail with: the stage's own error, unchanged, or what the
/// application layer itself checks.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    NoActor(#[from] NoActor),
    #[error(
        "draft {draft}: the request has a sentence no right explains, which the reply may not answer: {sentences}; read it (case {case}) and say so when approving"
    )]
    FlaggedUnread {
        draft: crate::ids::DraftId,
        case: crate::ids::CaseId,
        sentences: String,
    },
    #[error("no draft {0}")]
    NoSuchDraft(crate::ids::DraftId),
    #[error("no case {case} in {store}")]
    NoSuchCase {
        case: crate::ids::CaseId,
        store: String,
    },
    #[error("no draft {draft} in {store}")]
    NoSuchDraftIn {
        draft: crate::ids::DraftId,
        store: String,
    },
    #[error("no message {message} in {store}")]
    NoSuchMessage {
        message: crate::ids::MessageKey,
        store: String,
    },
    #[error("message {message} has no attachment {index}")]
    NoSuchAttachment {
        message: crate::ids::MessageKey,
        index: usize,
    },
    #[error("{0}: that is a case; it has no drafts")]
    CaseWithoutDrafts(crate::ids::CaseId),
    #[error("{case}: that is a case; its drafts are: {drafts}")]
    CaseNotDraft {
        case: crate::ids::CaseId,
        drafts: String,
    },
    #[error(
        "draft {draft}: the first month of case {case} ended on {end}, so an extension notice can no longer be told in time (GDPR Art. 12(3)); it was rejected and the deadline stays {end}"
    )]
    ExtensionTooLate {
        draft: crate::ids::DraftId,
        case: crate::ids::CaseId,
        end: jiff::civil::Date,
    },
    #[error("the text is unchanged: no new draft was made")]
    Unchanged,
    #[error("{0}")]
    Refused(String),
    #[error("case {case}: its message cannot be read: {why}")]
    Unreadable {
        case: crate::ids::CaseId,
        why: String,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Backup(#[from] crate::store::BackupError),
    #[error(transparent)]
    Staff(#[from] crate::case::StaffError),
    #[error(transparent)]
    Approve(#[from] crate::approve::ApproveError),
    #[error(transparent)]
    Draft(#[from] crate::draft::DraftError),
    #[error(transparent)]
    Outbox(#[from] crate::draft::outbox::OutboxError),
    #[error(transparent)]
    Rules(#[from] crate::classify::RuleError),
    #[error(transparent)]
    Intake(#[from] crate::intake::offline::IntakeError),
    #[error(transparent)]
    Import(#[from] crate::register::ImportError),
    #[error(transparent)]
    Guess(#[from] crate::register::guess::GuessError),
    #[error(transparent)]
    Remind(#[from] crate::remind::RemindError),
    #[error(transparent)]
    Deliver(#[from] crate::remind::DeliverError),
    #[error(transparent)]
    Send(#[from] crate::send::SendError),
    #[error(transparent)]
    Mailer(#[from] crate::smtp::SetupError),
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Time(#[from] jiff::Error),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error(transparent)]
    Imap(#[from] crate::intake::imap::ImapError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("{text:?} is not an e-mail address: {why}")]
    NotAnEmail {
        text: String,
        why: crate::register::normalize::EmailError,
    },
    #[error("{0:?} is not a phone number")]
    NotAPhone(String),
    #[error("{0:?} is not a day (YYYY-MM-DD) or an RFC 3339 instant")]
    NotAReceipt(String),
    #[error("the receipt {0:?} is in the future")]
    ReceiptInFuture(String),
}

/// The application, built once from the config: what every use-case needs besides the
/// store and the clock.
pub struct App {
    config: Config,
    /// Built on first use: most staff decisions never classify anything.
    classifier: OnceLock<Classifier>,
    templates: Templates,
    /// A password hash to check against when a login names no account (`staff`).
    dummy_hash: OnceLock<String>,
}

impl App {
    pub fn new(config: Config) -> App {
        let templates = Templates::new(config.drafts.templates.clone());
        App {
            config,
            classifier: OnceLock::new(),
            templates,
            dummy_hash: OnceLock::new(),
        }
    }

    /// An application over `templates` shared with another (the console beside the
    /// daemon), so one reload reaches both.
    pub fn with_templates(config: Config, templates: Templates) -> App {
        App {
            config,
            classifier: OnceLock::new(),
            templates,
            dummy_hash: OnceLock::new(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    /// The classifier, its rules read once.
    pub fn classifier(&self) -> Result<&Classifier, AppError> {
        if let Some(classifier) = self.classifier.get() {
            return Ok(classifier);
        }
        let classifier = Classifier::new()?;
        Ok(self.classifier.get_or_init(|| classifier))
    }

    /// The case settings (zone, calendar, identity policy, addresses) from the config.
    pub fn settings(&self) -> Result<Settings<'_>, AppError> {
        Ok(Settings::new(&self.config, self.classifier()?))
    }

    /// What drafting needs, over settings the caller holds.
    pub fn drafting<'a>(&'a self, settings: &'a Settings<'a>) -> Drafting<'a> {
        Drafting {
            settings,
            config: &self.config,
            templates: &self.templates,
        }
    }

    /// The SMTP mailer when `[smtp]` is configured. Its connection pool lives in the
    /// runtime entered when this is called.
    pub fn mailer(&self) -> Result<Option<std::sync::Arc<crate::send::Mailer>>, AppError> {
        match &self.config.smtp {
            Some(smtp) => Ok(Some(std::sync::Arc::new(crate::send::Mailer::new(
                smtp,
                self.config.sender_address(),
            )?))),
            None => Ok(None),
        }
    }

    fn store_options(&self) -> StoreOptions {
        StoreOptions {
            busy_timeout: Duration::from_millis(self.config.store.busy_timeout_ms),
        }
    }

    /// The store, for use-cases that write.
    pub fn store(&self) -> Result<Store, AppError> {
        Ok(Store::open(&self.config.store.path, &self.store_options())?)
    }

    /// The store for a use-case that only reads it: works on a file this user cannot write.
    pub fn store_read_only(&self) -> Result<Store, AppError> {
        Ok(Store::open_read_only(
            &self.config.store.path,
            &self.store_options(),
        )?)
    }

    /// The receipt a staff member gives for a request that did not come straight to the
    /// privacy address: an RFC 3339 instant, or a day (YYYY-MM-DD), taken as the start of
    /// that day in the controller's time zone (the day counts; Art. 12(3)). Never in the
    /// future by the real clock.
    pub fn receipt(&self, text: &str) -> Result<jiff::Timestamp, AppError> {
        let text = text.trim();
        let at = match text.parse::<jiff::Timestamp>() {
            Ok(at) => at,
            Err(_) => text
                .parse::<jiff::civil::Date>()
                .ok()
                .and_then(|day| {
                    day.to_zoned_datetime(self.config.controller.timezone.zone.clone())
                        .ok()
                })
                .map(|zoned| zoned.timestamp())
                .ok_or_else(|| AppError::NotAReceipt(text.to_string()))?,
        };
        if at > jiff::Timestamp::now() {
            return Err(AppError::ReceiptInFuture(text.to_string()));
        }
        Ok(at)
    }

    /// The controller's calendar day at `now`.
    pub fn today(&self, now: jiff::Timestamp) -> jiff::civil::Date {
        now.to_zoned_datetime(self.config.controller.timezone.zone.clone())
            .date()
    }
}

#[cfg(test)]
mod tests {
    use super::{AppError, NoActor, Staff};

    #[test]
    fn who_acts_is_never_blank_and_is_trimmed() {
        assert_eq!(Staff::new("  "), Err(NoActor));
        assert_eq!(
            AppError::from(NoActor).to_string(),
            "who acts is required and cannot be empty"
        );
        let staff = Staff::new(" Sanna ").expect("a name");
        assert_eq!(staff.as_str(), "Sanna");
        assert_eq!(staff.to_string(), "Sanna");
    }
}
