//! What staff decide: approve (and, without SMTP, write the outbox file), reject, edit
//! (and offer the edit for review), extend, close, correct the rights, open a case from a
//! stored mail or from a request made by phone or letter. Each is one transaction.

use std::path::PathBuf;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::approve::{EditOptions, Edited};
use crate::case::{ManualRequest, OnBehalf};
use crate::classify::RequestKind;
use crate::ids::{CaseId, DraftId};
use crate::lang::Lang;
use crate::store::{Batch, DraftRecord, Store};
use crate::vocabulary::Role;
use crate::vocabulary::event::{self, Event};

use super::{App, AppError, Staff};

/// A draft as staff name it: its id or, by mistake, its case's id, which is answered with
/// the case's drafts.
#[derive(Clone, Copy, Debug)]
pub enum DraftRef {
    Draft(DraftId),
    Case(CaseId),
}

impl std::str::FromStr for DraftRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.parse::<DraftId>() {
            Ok(draft) => Ok(DraftRef::Draft(draft)),
            Err(err) => s
                .parse::<CaseId>()
                .map(DraftRef::Case)
                .map_err(|_| err.to_string()),
        }
    }
}

impl DraftRef {
    /// The draft meant; a case id is refused with the case's drafts named.
    pub fn resolve(self, store: &Store) -> Result<DraftId, AppError> {
        match self {
            DraftRef::Draft(draft) => Ok(draft),
            DraftRef::Case(case) => {
                let drafts: Vec<String> = store
                    .drafts_of(case)?
                    .iter()
                    .map(|d| d.draft.to_string())
                    .collect();
                if drafts.is_empty() {
                    return Err(AppError::CaseWithoutDrafts(case));
                }
                Err(AppError::CaseNotDraft {
                    case,
                    drafts: drafts.join(", "),
                })
            }
        }
    }
}

/// An approved draft, and the outbox file it was written to when no SMTP server is
/// configured (then it counts as sent).
pub struct Approved {
    pub draft: DraftRecord,
    pub outbox_file: Option<PathBuf>,
}

/// A case a person opened, and the reply drafted for it (none in triage).
pub struct Opened {
    pub case: CaseId,
    pub draft: Option<DraftId>,
}

/// The rights a case is now about, and the reply drafted again for them.
pub struct Reclassified {
    pub kinds: Vec<RequestKind>,
    pub draft: Option<DraftId>,
}

/// A verification recorded: the address on file the case now answers to, its deadline,
/// and the reply drafted again.
pub struct Verified {
    pub address: String,
    pub deadline: jiff::civil::Date,
    pub draft: Option<DraftId>,
}

/// A case's owner changed: who owns it now and who did before (`None`: nobody).
#[derive(Debug)]
pub struct Assigned {
    pub case: CaseId,
    pub owner: Option<String>,
    pub was: Option<String>,
}

/// What staff decide when they extend: the further months (1 or 2), the Art. 12(3)
/// ground when they name one, and the reason the notice gives.
pub struct ExtendRequest<'a> {
    pub months: u8,
    pub ground: Option<crate::vocabulary::ExtensionGround>,
    pub reason: &'a str,
}

/// The extension notice waiting for approval, and the deadline it sets once sent.
pub struct Extended {
    pub draft: DraftId,
    pub deadline: Date,
}

/// A request made by phone, by letter or in person, as a staff member enters it.
pub struct Intake<'a> {
    /// The requester's e-mail address: where the answer goes, and who is looked up.
    pub from: &'a str,
    pub name: Option<&'a str>,
    /// When the request reached the controller: the clock runs from then.
    pub received_at: Timestamp,
    pub kinds: &'a [RequestKind],
    pub language: Option<Lang>,
    /// What was asked and how, in the staff member's words.
    pub note: &'a str,
}

/// What the approver has confirmed beyond the draft itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApprovalChecks {
    /// They read the sentences no right explains (issue 18's net).
    pub read_flagged: bool,
    /// The text, written by a person, states the case's open actions as still to be done.
    pub open_actions_confirmed: bool,
}

impl App {
    /// A draft, to read or to edit.
    pub fn draft(&self, store: &Store, draft: DraftRef) -> Result<DraftRecord, AppError> {
        let id = draft.resolve(store)?;
        store.draft(id)?.ok_or(AppError::NoSuchDraft(id))
    }

    /// Approves a draft: frozen, its Message-ID fixed. With SMTP, the sender (`send` or the
    /// daemon) takes it from here; without, it is written to the outbox folder, which is
    /// where approved replies go out, and counts as sent.
    ///
    /// When the request has sentences the classifier could not attribute to a right
    /// (issue 18's net), the approver must say they read them (`read_flagged`): the reply
    /// may not answer everything asked. Their confirmation is recorded.
    pub fn approve(
        &self,
        store: &mut Store,
        draft: DraftRef,
        by: &Staff,
        checks: ApprovalChecks,
        now: Timestamp,
    ) -> Result<Approved, AppError> {
        let ApprovalChecks {
            read_flagged,
            open_actions_confirmed,
        } = checks;
        let id = draft.resolve(store)?;
        let by = &self.authorize(store, by, Role::Approver, "approve a draft")?;
        let config = &self.config;
        let batch = store.begin()?;
        if config.approval.four_eyes {
            crate::approve::four_eyes(&batch, id, &[by.as_str()])?;
        }
        // Only an answer to the requester can leave part of their mail unanswered.
        if let Some(record) = batch.draft(id)?.filter(|d| d.purpose.answers_request()) {
            let flagged = batch.case_unattributed(record.case_id)?;
            if !flagged.is_empty() {
                if !read_flagged {
                    return Err(AppError::FlaggedUnread {
                        draft: id,
                        case: record.case_id,
                        sentences: flagged
                            .iter()
                            .map(|s| format!("\"{s}\""))
                            .collect::<Vec<_>>()
                            .join("; "),
                    });
                }
                batch.append_event(
                    record.case_id,
                    &crate::store::NewEvent {
                        at: now,
                        actor: by.as_str(),
                        event: Event::FlaggedSentencesRead(event::FlaggedSentencesRead {
                            draft: id.to_string(),
                            sentences: flagged,
                            by_mail: false,
                        }),
                    },
                )?;
            }
        }
        // An extension takes effect when its notice is sent, and must be told within the
        // first month (Art. 12(3)): a notice that can no longer make it is rejected, and
        // that is recorded, instead of being approved to go out late.
        if let Some(record) = batch.draft(id)?
            && record.purpose == crate::vocabulary::Purpose::Extension
            && record.state == crate::vocabulary::DraftState::Pending
            && let Err(end) =
                crate::case::clock::extension_in_time(&batch, record.case_id, config, now)?
        {
            let reason = format!(
                "the first month ended on {end}: an extension notice can no longer be told in time (GDPR Art. 12(3))"
            );
            crate::approve::reject(&batch, id, by, &reason, now)?;
            crate::case::clock::refuse_extension(
                &batch,
                record.case_id,
                id,
                end,
                by.as_str(),
                now,
            )?;
            batch.commit()?;
            return Err(AppError::ExtensionTooLate {
                draft: id,
                case: record.case_id,
                end,
            });
        }
        let approved = crate::approve::approve(
            &batch,
            id,
            by,
            &config.controller.privacy_address,
            open_actions_confirmed,
            now,
        )?;
        let outbox_file = if config.smtp.is_some() {
            None
        } else {
            let file = crate::draft::outbox::write(&approved, config)?;
            batch.draft_sent(id, now, Some(&file.display().to_string()))?;
            crate::case::clock::extension_sent(
                &batch,
                approved.case_id,
                id,
                approved.purpose,
                config,
                now,
            )?;
            Some(file)
        };
        batch.commit()?;
        Ok(Approved {
            draft: approved.into_record(),
            outbox_file,
        })
    }

    /// Rejects a draft waiting for approval, with the reason. Returns the draft.
    pub fn reject(
        &self,
        store: &mut Store,
        draft: DraftRef,
        by: &Staff,
        reason: &str,
        now: Timestamp,
    ) -> Result<DraftId, AppError> {
        let id = draft.resolve(store)?;
        let by = &self.authorize(store, by, Role::Approver, "reject a draft")?;
        let batch = store.begin()?;
        crate::approve::reject(&batch, id, by, reason, now)?;
        batch.commit()?;
        Ok(id)
    }

    /// Saves a new text of a draft as a new draft and offers it for review (by mail when
    /// configured). An unchanged text makes no draft.
    pub fn edit(
        &self,
        store: &mut Store,
        draft: DraftId,
        body: &str,
        by: &Staff,
        options: EditOptions,
        now: Timestamp,
    ) -> Result<Edited, AppError> {
        let by = &self.authorize(store, by, Role::Handler, "edit a draft")?;
        let current = store.draft(draft)?.ok_or(AppError::NoSuchDraft(draft))?;
        if body == current.body {
            return Err(AppError::Unchanged);
        }
        let batch = store.begin()?;
        let edited = crate::approve::edit(&batch, draft, body, by, options, now)?;
        crate::approve::by_mail::offer_or_record(&batch, edited.draft, &self.config, now)?;
        batch.commit()?;
        Ok(edited)
    }

    /// Extends a case's deadline by `months` and drafts the notice (GDPR Art. 12(3)).
    pub fn extend(
        &self,
        store: &mut Store,
        case: CaseId,
        extension: &ExtendRequest<'_>,
        by: &Staff,
        now: Timestamp,
    ) -> Result<Extended, AppError> {
        let by = &self.authorize(store, by, Role::Approver, "extend a deadline")?;
        let settings = self.settings()?;
        let drafting = self.drafting(&settings);
        let batch = store.begin()?;
        let (draft, deadline) = crate::draft::prepare_extension(
            &batch,
            case,
            extension.months,
            extension.ground,
            extension.reason,
            by,
            &drafting,
            now,
        )?;
        batch.commit()?;
        Ok(Extended { draft, deadline })
    }

    /// Closes a case; the drafts still waiting are rejected with it. Returns those.
    pub fn close(
        &self,
        store: &mut Store,
        case: CaseId,
        by: &Staff,
        outcome: &str,
        now: Timestamp,
    ) -> Result<Vec<DraftId>, AppError> {
        let by = &self.authorize(store, by, Role::Approver, "close a case")?;
        let batch = store.begin()?;
        let rejected = crate::case::close(&batch, case, by, outcome, now)?;
        batch.commit()?;
        Ok(rejected)
    }

    /// Gives a case to an active staff account (`owner` by its name) or to nobody (`None`).
    /// A handler or above may assign; the `assigned` event records who did.
    pub fn assign(
        &self,
        store: &mut Store,
        case: CaseId,
        owner: Option<&str>,
        by: &Staff,
        now: Timestamp,
    ) -> Result<Assigned, AppError> {
        let by = &self.authorize(store, by, Role::Handler, "assign a case")?;
        let batch = store.begin()?;
        let was = crate::case::assign(&batch, case, owner, by, now)?;
        let owner = batch.case_owner(case)?.flatten();
        batch.commit()?;
        Ok(Assigned { case, owner, was })
    }

    /// Records that staff verified who asks (Art. 12(6)): the case is matched again as
    /// verified, its clock resumes if it waited, and its reply is drafted again.
    pub fn verify(
        &self,
        store: &mut Store,
        case: CaseId,
        by: &Staff,
        note: &str,
        now: Timestamp,
    ) -> Result<Verified, AppError> {
        let by = &self.authorize(store, by, Role::Handler, "record a verification")?;
        let settings = self.settings()?;
        let batch = store.begin()?;
        let address = crate::case::verify(&batch, case, by, note, &settings, now)?;
        let draft = self.redraft(&batch, &settings, case, by.as_str(), now)?;
        let deadline = batch
            .case_summary(case)?
            .map(|s| s.deadline)
            .ok_or(crate::case::StaffError::NoSuchCase(case))?;
        batch.commit()?;
        Ok(Verified {
            address,
            deadline,
            draft,
        })
    }

    /// Sets the rights a case is about and drafts its reply again.
    pub fn reclassify(
        &self,
        store: &mut Store,
        case: CaseId,
        kinds: &[RequestKind],
        by: &Staff,
        now: Timestamp,
    ) -> Result<Reclassified, AppError> {
        let by = &self.authorize(store, by, Role::Handler, "reclassify a case")?;
        let settings = self.settings()?;
        let batch = store.begin()?;
        let kinds = crate::case::reclassify(&batch, case, kinds, by, now)?;
        let draft = self.redraft(&batch, &settings, case, by.as_str(), now)?;
        batch.commit()?;
        Ok(Reclassified { kinds, draft })
    }

    /// Opens a case from a stored mail in none (its key, e.g. M12, or its Message-ID); with
    /// `on_behalf`, the case of the person whose request a staff member forwarded.
    pub fn open(
        &self,
        store: &mut Store,
        message: &str,
        kinds: &[RequestKind],
        by: &Staff,
        on_behalf: Option<&OnBehalf>,
        now: Timestamp,
    ) -> Result<Opened, AppError> {
        let by = &self.authorize(store, by, Role::Handler, "open a case")?;
        let settings = self.settings()?;
        let batch = store.begin()?;
        let case =
            crate::case::open_from_message(&batch, message, kinds, by, on_behalf, &settings, now)?;
        let draft = self.redraft(&batch, &settings, case, by.as_str(), now)?;
        batch.commit()?;
        Ok(Opened { case, draft })
    }

    /// Opens a case for a request made by phone, by letter or in person.
    pub fn intake(
        &self,
        store: &mut Store,
        request: &Intake<'_>,
        by: &Staff,
        now: Timestamp,
    ) -> Result<Opened, AppError> {
        let by = &self.authorize(store, by, Role::Handler, "open a case")?;
        let settings = self.settings()?;
        let batch = store.begin()?;
        let case = crate::case::intake(
            &batch,
            &ManualRequest {
                from: request.from,
                name: request.name,
                received_at: request.received_at,
                kinds: request.kinds,
                language: request.language,
                note: request.note,
                by,
            },
            &settings,
            &self.config.controller.privacy_address,
            now,
        )?;
        let draft = self.redraft(&batch, &settings, case, by.as_str(), now)?;
        batch.commit()?;
        Ok(Opened { case, draft })
    }

    /// Drafts a case's reply again after staff changed what the case is (its rights, its
    /// requester's identity); a draft still waiting is replaced, an edited one is kept.
    pub(super) fn redraft(
        &self,
        batch: &Batch<'_>,
        settings: &crate::case::Settings<'_>,
        case: CaseId,
        by: &str,
        now: Timestamp,
    ) -> Result<Option<DraftId>, AppError> {
        let drafting = self.drafting(settings);
        Ok(crate::draft::prepare(
            batch,
            case,
            None,
            &drafting,
            by.trim(),
            now,
        )?)
    }
}
