//! What staff read: a case (its messages' new text, drafts, the latest identity decision
//! and the audit trail), one draft, one stored mail parsed again, and the queue of drafts
//! waiting for approval; the case list, inbox, quarantine, report, status and register
//! lookups. Reads only; the store may be opened read-only.

use jiff::Timestamp;
use serde::Serialize;

use crate::case::Standing;
use crate::config::MailboxConfig;
use crate::draft::freshness::{self, StaleSource};
use crate::ids::{CaseId, DraftId, MessageKey};
use crate::matching::Lookup;
use crate::parse::Mail;
use crate::register::Entry;
use crate::store::{
    CaseDetail, CaseSummary, DraftRecord, InboxEntry, MessageRecord, QuarantineEntry, QueueEntry,
    SourceStatus, Store, Totals, Workload,
};
use crate::vocabulary::event::{Event, Identified};

use super::{App, AppError};

/// One case as staff read it.
pub struct CaseView {
    pub case: CaseDetail,
    pub drafts: Vec<DraftRecord>,
    /// The latest identity decision, in full: outcome, why, score, the matched entries.
    pub identity: Option<Identified>,
    /// Each message's new text, in the order of `case.messages`; `None` when its stored
    /// bytes are not a mail.
    pub new_texts: Vec<Option<String>>,
    /// Each message's attachments (name, type, size), in the order of `case.messages`.
    pub attachments: Vec<Vec<crate::parse::Attachment>>,
    /// Days until the deadline in the controller's calendar (negative: past it).
    pub days_left: i32,
    /// Sentences the classifier could not attribute to a right (staff only), oldest first.
    pub unattributed: Vec<String>,
    /// While the case is in triage: the rights only the classifier's model read (the rules
    /// did not), each with its sentence, for a person to confirm (staff only).
    pub second_reader: Vec<SecondReading>,
    /// While the case is in triage: the rights only a short sentence and the one before it
    /// ask for together ("…promotional texts. Please stop them."), each with both sentences,
    /// for a person to confirm (staff only).
    pub read_together: Vec<ReadTogether>,
    /// What the case's rights ask to be done, and where each deed stands.
    pub actions: Vec<crate::store::ActionRecord>,
    /// The sources its answer rests on that were imported before the request arrived.
    pub stale_sources: Vec<StaleSource>,
}

/// A right only the classifier's model read, with the sentence it read it in and its
/// probability (two decimals, as the `classified` event keeps it).
#[derive(Clone, Debug, Serialize)]
pub struct SecondReading {
    pub kind: crate::vocabulary::RequestKind,
    pub probability: f64,
    pub sentence: String,
}

/// A right read across two sentences, with the two sentences.
#[derive(Clone, Debug, Serialize)]
pub struct ReadTogether {
    pub kind: crate::vocabulary::RequestKind,
    pub sentences: String,
}

/// One draft as staff read it, and whether its case's register data is older than the
/// request.
#[derive(Serialize)]
pub struct DraftView {
    #[serde(flatten)]
    pub record: DraftRecord,
    pub stale_sources: Vec<StaleSource>,
    /// "import fresh exports first: orders" when a source is stale.
    pub data_warning: Option<String>,
}

/// One stored mail: its record, and the mail parsed again from its bytes (`None` when
/// they are not a mail).
pub struct MessageView {
    pub record: MessageRecord,
    pub mail: Option<Mail>,
}

/// A draft waiting for approval, and the days left until its case's deadline.
#[derive(Serialize)]
pub struct QueueLine {
    #[serde(flatten)]
    pub entry: QueueEntry,
    pub days_left: i32,
    /// The sources its case's answer rests on that were imported before the request.
    pub stale_sources: Vec<StaleSource>,
    /// "import fresh exports first: orders" when a source is stale.
    pub data_warning: Option<String>,
}

/// Which drafts the queue shows; each filter narrows it.
#[derive(Clone, Copy, Debug, Default)]
pub struct QueueFilter {
    pub purpose: Option<crate::vocabulary::Purpose>,
    pub language: Option<crate::lang::Lang>,
}

/// One page of the queue: its lines, how many drafts the filter lets through, which page
/// this is (from 1) and how many there are (at least 1).
pub struct QueuePage {
    pub lines: Vec<QueueLine>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

/// Which cases a list shows; each filter narrows it.
#[derive(Clone, Copy, Debug, Default)]
pub struct CaseFilter {
    /// Only cases that still owe an answer.
    pub open: bool,
    /// Only open cases past their deadline.
    pub overdue: bool,
    /// Only cases that stand so.
    pub standing: Option<Standing>,
}

/// A case in a list, with what `case::Standing` says of it today.
#[derive(Serialize)]
pub struct CaseLine {
    #[serde(flatten)]
    pub case: CaseSummary,
    pub standing: Standing,
    pub answered: bool,
    pub overdue: bool,
    pub days_left: i32,
}

/// What `status` tells: the work waiting, what is stored, and the last intake pass.
pub struct Status {
    pub workload: Workload,
    pub totals: Totals,
    /// When the last pass over the configured inbox finished; `None`: never, or no
    /// mailbox is configured.
    pub last_pass: Option<Timestamp>,
}

/// A register lookup: each identifier given adds the entries it finds, once each.
#[derive(Clone, Copy, Debug, Default)]
pub struct EntryQuery<'a> {
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub name: Option<&'a str>,
    /// An order number, as written in the export.
    pub order: Option<&'a str>,
    /// A customer number, as written in the export.
    pub customer: Option<&'a str>,
    /// At most this many name matches.
    pub limit: usize,
}

impl App {
    /// The work waiting, what is stored, and when the last intake pass finished.
    pub fn status(&self, store: &Store, now: Timestamp) -> Result<Status, AppError> {
        let workload = store.workload(self.today(now))?;
        let totals = store.totals()?;
        let last_pass = match &self.config.mailbox {
            Some(mailbox) => store
                .checkpoint(&mailbox.inbox)?
                .and_then(|c| c.last_pass_at),
            None => None,
        };
        Ok(Status {
            workload,
            totals,
            last_pass,
        })
    }

    /// Logs in to the request mailbox and says how many messages wait in its inbox.
    pub fn probe_mailbox(&self, mailbox: &MailboxConfig) -> Result<u32, AppError> {
        let password = mailbox.password()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(AppError::Runtime)?;
        runtime.block_on(async {
            let mut source = crate::intake::imap::ImapSource::connect(mailbox, &password).await?;
            let (_, exists) = source.select(&mailbox.inbox).await?;
            source.logout().await;
            Ok(exists)
        })
    }

    /// What the store holds: messages, quarantined.
    pub fn totals(&self, store: &Store) -> Result<Totals, AppError> {
        Ok(store.totals()?)
    }

    /// The register sources held: entries, last import, rows rejected and withheld.
    pub fn register_sources(&self, store: &Store) -> Result<Vec<SourceStatus>, AppError> {
        Ok(store.register_sources()?)
    }

    /// Looks people up in the register: e-mail and phone in normal form, order and
    /// customer numbers as written, a name fuzzily (best first, with its similarity).
    pub fn find_entries(
        &self,
        store: &Store,
        query: &EntryQuery<'_>,
    ) -> Result<Vec<(Entry, Option<f64>)>, AppError> {
        let register = &self.config.register;
        let mut found: Vec<(Entry, Option<f64>)> = Vec::new();
        let mut add = |entries: Vec<Entry>, similarity: Option<f64>| {
            for entry in entries {
                if !found.iter().any(|(e, _)| e.id == entry.id) {
                    found.push((entry, similarity));
                }
            }
        };
        if let Some(email) = query.email {
            let key = crate::register::normalize::email_key(
                email,
                &crate::register::normalize::EmailRules::of(register),
            )
            .map_err(|why| AppError::NotAnEmail {
                text: email.to_string(),
                why,
            })?;
            add(store.by_email(&key)?, None);
        }
        if let Some(phone) = query.phone {
            let key = crate::register::normalize::phone_key(phone, register.phone_region.0)
                .ok_or_else(|| AppError::NotAPhone(phone.to_string()))?;
            add(store.by_phone(&key)?, None);
        }
        if let Some(order) = query.order {
            add(store.by_order(order.trim())?, None);
        }
        if let Some(customer) = query.customer {
            add(store.by_customer_id(customer.trim())?, None);
        }
        if let Some(name) = query.name {
            for (entry, similarity) in crate::matching::find_by_name(store, name, query.limit)? {
                add(vec![entry], Some(similarity));
            }
        }
        Ok(found)
    }

    /// The cases, with their deadlines and days left, as the filter narrows them.
    pub fn cases(
        &self,
        store: &Store,
        filter: CaseFilter,
        now: Timestamp,
    ) -> Result<Vec<CaseLine>, AppError> {
        let today = self.today(now);
        Ok(store
            .cases()?
            .into_iter()
            .filter(|case| {
                let standing = case.standing();
                (!filter.open || standing.is_open())
                    && (!filter.overdue || case.is_overdue(today))
                    && filter.standing.is_none_or(|s| s == standing)
            })
            .map(|case| CaseLine {
                standing: case.standing(),
                answered: case.answered_at.is_some(),
                overdue: case.is_overdue(today),
                days_left: (case.deadline - today).get_days(),
                case,
            })
            .collect())
    }

    /// Stored mail in no case (not a request; with `automated`, machine mail too).
    pub fn inbox(&self, store: &Store, automated: bool) -> Result<Vec<InboxEntry>, AppError> {
        Ok(store.inbox(automated)?)
    }

    /// What could not be handled, and why.
    pub fn quarantine(&self, store: &Store) -> Result<Vec<QuarantineEntry>, AppError> {
        Ok(store.quarantine()?)
    }

    /// The supervisory authority's figures for the period (either end open).
    pub fn report(
        &self,
        store: &Store,
        from: Option<jiff::civil::Date>,
        to: Option<jiff::civil::Date>,
        now: Timestamp,
    ) -> Result<crate::report::Report, AppError> {
        crate::report::check_period(from, to)?;
        let rows = store.report_rows(&self.config.controller.timezone.zone)?;
        Ok(crate::report::summarize(&rows, from, to, self.today(now)))
    }

    /// The case view `show CASE` prints.
    pub fn case_view(
        &self,
        store: &Store,
        id: CaseId,
        now: Timestamp,
    ) -> Result<CaseView, AppError> {
        let Some(case) = store.case(id)? else {
            return Err(AppError::NoSuchCase {
                case: id,
                store: store.path().display().to_string(),
            });
        };
        let drafts = store.drafts_of(id)?;
        let identity = case.events.iter().rev().find_map(|e| match &e.event {
            Event::Identity(identity) => Some(identity.clone()),
            _ => None,
        });
        let mails = case
            .messages
            .iter()
            .map(|message| read_mail(store, MessageKey(message.key)))
            .collect::<Result<Vec<_>, AppError>>()?;
        let attachments = mails
            .iter()
            .map(|mail| {
                mail.as_ref()
                    .map(|m| m.attachments.clone())
                    .unwrap_or_default()
            })
            .collect();
        // As a person should read each: its own text, with any question of ours it answers
        // between the quoted lines kept above the answer.
        let new_texts = mails
            .into_iter()
            .map(|m| m.map(|m| crate::parse::own_text_with_questions(&m.text)))
            .collect();
        let days_left = (case.summary.deadline - self.today(now)).get_days();
        // What the classifier found in each of the case's messages, oldest first.
        let classified = case.events.iter().filter_map(|e| match &e.event {
            Event::Classified(classified) => Some(&classified.found),
            _ => None,
        });
        let unattributed = classified
            .clone()
            .flat_map(|found| found.unattributed.iter().cloned())
            .collect();
        // The rights a person is to confirm because the model read them, or because a
        // sentence asked for them only with the one before it. Once a person has said what
        // the case asks, they are settled.
        let mut second_reader = Vec::new();
        let mut read_together = Vec::new();
        if case.summary.standing() == Standing::Triage {
            for evidence in classified.flat_map(|found| &found.evidence) {
                if let Some(probability) = evidence.second_reader_probability() {
                    second_reader.push(SecondReading {
                        kind: evidence.kind,
                        probability,
                        sentence: evidence.phrase.clone(),
                    });
                } else if evidence.read_together() {
                    read_together.push(ReadTogether {
                        kind: evidence.kind,
                        sentences: evidence.phrase.clone(),
                    });
                }
            }
        }
        let actions = store.actions_of(id)?;
        let stale_sources = self.stale_sources(store, id, case.summary.received_at)?;
        Ok(CaseView {
            case,
            drafts,
            identity,
            new_texts,
            attachments,
            days_left,
            unattributed,
            second_reader,
            read_together,
            actions,
            stale_sources,
        })
    }

    /// One draft, as `show DRAFT` prints it.
    pub fn draft_view(&self, store: &Store, id: DraftId) -> Result<DraftView, AppError> {
        let record = store.draft(id)?.ok_or_else(|| AppError::NoSuchDraftIn {
            draft: id,
            store: store.path().display().to_string(),
        })?;
        let received_at = store
            .case(record.case_id)?
            .map(|case| case.summary.received_at);
        let stale_sources = match received_at {
            Some(received_at) => self.stale_sources(store, record.case_id, received_at)?,
            None => Vec::new(),
        };
        Ok(DraftView {
            data_warning: freshness::warning(&stale_sources),
            record,
            stale_sources,
        })
    }

    /// The sources a case's answer rests on that were last imported before its request
    /// arrived (`draft::freshness`).
    fn stale_sources(
        &self,
        store: &Store,
        case: CaseId,
        received_at: Timestamp,
    ) -> Result<Vec<StaleSource>, AppError> {
        let matched = store.matched_sources(case)?;
        Ok(freshness::stale_sources(
            received_at,
            matched.as_deref(),
            self.config.register.sources.iter().map(|s| s.name()),
            &store.register_sources()?,
        ))
    }

    /// The `index`th attachment of a stored mail (in the order the mail lists them): its
    /// name, type and decoded bytes, for staff to download.
    pub fn attachment(
        &self,
        store: &Store,
        key: MessageKey,
        index: usize,
    ) -> Result<crate::parse::AttachmentFile, AppError> {
        let Some(raw) = store.raw_message(key)? else {
            return Err(AppError::NoSuchMessage {
                message: key,
                store: store.path().display().to_string(),
            });
        };
        crate::parse::attachment_file(&raw, index).ok_or(AppError::NoSuchAttachment {
            message: key,
            index,
        })
    }

    /// One stored mail, parsed again from its bytes.
    pub fn message_view(&self, store: &Store, key: MessageKey) -> Result<MessageView, AppError> {
        let Some(record) = store.message(key)? else {
            return Err(AppError::NoSuchMessage {
                message: key,
                store: store.path().display().to_string(),
            });
        };
        let mail = read_mail(store, key)?;
        Ok(MessageView { record, mail })
    }

    /// Working days from `today` to `deadline` in the controller's calendar (negative:
    /// past it), as the reminders count them.
    pub fn working_days_left(&self, today: jiff::civil::Date, deadline: jiff::civil::Date) -> i64 {
        let calendar = crate::deadline::HolidayCalendar::of(&self.config.controller);
        crate::remind::working_days_left(today, deadline, &calendar)
    }

    /// The drafts waiting for approval, nearest deadline first.
    pub fn queue(&self, store: &Store, now: Timestamp) -> Result<Vec<QueueLine>, AppError> {
        self.queue_lines(store, now, store.pending_drafts()?)
    }

    /// One page of the drafts waiting for approval that `filter` lets through, nearest
    /// deadline first. Only the page's lines are looked at for stale register data, so a
    /// long queue costs no more per page than a short one. A page past the end is the last.
    pub fn queue_page(
        &self,
        store: &Store,
        now: Timestamp,
        filter: QueueFilter,
        page: usize,
        per_page: usize,
    ) -> Result<QueuePage, AppError> {
        let per_page = per_page.max(1);
        let mut slice = crate::store::QueueSlice {
            purpose: filter.purpose,
            language: filter.language,
            offset: (page.max(1) - 1).saturating_mul(per_page),
            limit: Some(per_page),
        };
        let (mut shown, mut total) = store.pending_drafts_page(&slice)?;
        let pages = total.div_ceil(per_page).max(1);
        let page = page.clamp(1, pages);
        // A page past the end is the last: read that one instead.
        if slice.offset != (page - 1) * per_page {
            slice.offset = (page - 1) * per_page;
            (shown, total) = store.pending_drafts_page(&slice)?;
        }
        Ok(QueuePage {
            lines: self.queue_lines(store, now, shown)?,
            total,
            page,
            pages,
        })
    }

    /// Queue lines for these entries, each with its days left and stale sources.
    fn queue_lines(
        &self,
        store: &Store,
        now: Timestamp,
        entries: impl IntoIterator<Item = QueueEntry>,
    ) -> Result<Vec<QueueLine>, AppError> {
        let today = self.today(now);
        // A case with several drafts waiting is looked at once.
        let mut stale_of: std::collections::HashMap<CaseId, Vec<StaleSource>> =
            std::collections::HashMap::new();
        let imports = store.register_sources()?;
        let configured: Vec<&str> = self
            .config
            .register
            .sources
            .iter()
            .map(|s| s.name())
            .collect();
        // The oldest import of any source, configured or not (none imported: the oldest
        // possible): a request that came after it has fresh data whatever it matched, and
        // needs no look at its identity decision.
        let oldest_import = configured
            .iter()
            .map(|name| {
                imports
                    .iter()
                    .find(|s| s.source == *name)
                    .and_then(|s| s.imported_at)
            })
            .chain(imports.iter().map(|s| s.imported_at))
            .try_fold(None::<Timestamp>, |oldest, at| {
                at.map(|at| Some(oldest.map_or(at, |o: Timestamp| o.min(at))))
            });
        let mut lines = Vec::new();
        for entry in entries {
            let days_left = (entry.deadline - today).get_days();
            let stale_sources = match stale_of.entry(entry.case_id) {
                std::collections::hash_map::Entry::Occupied(known) => known.get().clone(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    let fresh = match oldest_import {
                        Some(Some(oldest)) => oldest >= entry.received_at,
                        Some(None) => true,
                        None => false,
                    };
                    let stale = if fresh {
                        Vec::new()
                    } else {
                        let matched = store.matched_sources(entry.case_id)?;
                        freshness::stale_sources(
                            entry.received_at,
                            matched.as_deref(),
                            configured.iter().copied(),
                            &imports,
                        )
                    };
                    slot.insert(stale).clone()
                }
            };
            lines.push(QueueLine {
                entry,
                days_left,
                data_warning: freshness::warning(&stale_sources),
                stale_sources,
            });
        }
        Ok(lines)
    }
}

/// A stored mail parsed again from its bytes, or `None` when they are not a mail.
fn read_mail(store: &Store, key: MessageKey) -> Result<Option<Mail>, AppError> {
    let raw = store.raw_message(key)?;
    Ok(raw.as_deref().and_then(|raw| crate::parse::parse(raw).ok()))
}

/// The lists of cases the console's overview counts, each by `case::Standing` and the
/// case's deadline as `App::cases` reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseList {
    /// Open and past the deadline (a case whose clock waits is not).
    Overdue,
    /// Open, not overdue, its clock running, and due within [`DUE_SOON_WORKING_DAYS`].
    DueSoon,
    /// Open and waiting for a person to say what it asks.
    Triage,
}

impl CaseList {
    pub const ALL: [CaseList; 3] = [CaseList::Overdue, CaseList::DueSoon, CaseList::Triage];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseList::Overdue => "overdue",
            CaseList::DueSoon => "due_soon",
            CaseList::Triage => "triage",
        }
    }

    pub fn parse(text: &str) -> Option<CaseList> {
        CaseList::ALL.into_iter().find(|list| list.as_str() == text)
    }
}

/// How near a deadline must be, in working days, for the overview to call it due soon:
/// the reminders' tightest threshold but one (7/3/1).
pub const DUE_SOON_WORKING_DAYS: i64 = 3;

/// The open actions of one owner as the action list stores it (`None`: no owner named).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OwnerActions {
    pub owner: Option<String>,
    pub open: usize,
}

/// A reply the mail server refused for good.
#[derive(Clone, Debug, Serialize)]
pub struct FailedSend {
    pub draft: String,
    pub case: String,
    /// The server's words.
    pub failure: String,
}

/// What needs a person's attention, counted: the console's first page.
#[derive(Clone, Debug, Serialize)]
pub struct Overview {
    pub overdue: usize,
    pub due_soon: usize,
    pub triage: usize,
    pub drafts_waiting: i64,
    pub failed_sends: usize,
    /// The configured request mailbox (`host/inbox`); `None`: none is configured.
    pub mailbox: Option<String>,
    /// When the last pass over it finished, as the store recorded it.
    pub last_pass: Option<Timestamp>,
    /// Open (and held) actions per owner, owners in order, no owner last.
    pub actions_by_owner: Vec<OwnerActions>,
}

impl App {
    /// What needs a person's attention today: the case lists counted, drafts waiting,
    /// failed sends, the mailbox's last pass and the open actions per owner.
    pub fn overview(&self, store: &Store, now: Timestamp) -> Result<Overview, AppError> {
        let status = self.status(store, now)?;
        let today = self.today(now);
        let open = self.cases(
            store,
            CaseFilter {
                open: true,
                ..CaseFilter::default()
            },
            now,
        )?;
        let count = |list| {
            open.iter()
                .filter(|line| self.in_list(list, line, today))
                .count()
        };
        let mut owners: std::collections::BTreeMap<Option<String>, usize> = Default::default();
        for action in self.actions(store, None, true)? {
            *owners.entry(action.owner).or_default() += 1;
        }
        let mut actions_by_owner: Vec<OwnerActions> = owners
            .into_iter()
            .map(|(owner, open)| OwnerActions { owner, open })
            .collect();
        // `None` sorts first in a map; the named owners read better first.
        actions_by_owner.sort_by_key(|o| o.owner.is_none());
        Ok(Overview {
            overdue: count(CaseList::Overdue),
            due_soon: count(CaseList::DueSoon),
            triage: count(CaseList::Triage),
            drafts_waiting: status.workload.drafts_waiting,
            failed_sends: store.failed_drafts()?.len(),
            mailbox: self
                .config
                .mailbox
                .as_ref()
                .map(|m| format!("{}/{}", m.host, m.inbox)),
            last_pass: status.last_pass,
            actions_by_owner,
        })
    }

    /// The open cases of one of the overview's lists, the nearest deadline first.
    pub fn case_list(
        &self,
        store: &Store,
        list: CaseList,
        now: Timestamp,
    ) -> Result<Vec<CaseLine>, AppError> {
        let today = self.today(now);
        let mut lines: Vec<CaseLine> = self
            .cases(
                store,
                CaseFilter {
                    open: true,
                    ..CaseFilter::default()
                },
                now,
            )?
            .into_iter()
            .filter(|line| self.in_list(list, line, today))
            .collect();
        lines.sort_by_key(|line| line.case.deadline);
        Ok(lines)
    }

    fn in_list(&self, list: CaseList, line: &CaseLine, today: jiff::civil::Date) -> bool {
        match list {
            CaseList::Overdue => line.overdue,
            CaseList::DueSoon => {
                line.standing.is_open()
                    && !line.overdue
                    && line.case.clock == crate::vocabulary::ClockState::Running
                    && self.working_days_left(today, line.case.deadline) <= DUE_SOON_WORKING_DAYS
            }
            CaseList::Triage => line.standing == Standing::Triage,
        }
    }

    /// The replies the mail server refused for good.
    pub fn failed_sends(&self, store: &Store) -> Result<Vec<FailedSend>, AppError> {
        Ok(store
            .failed_drafts()?
            .into_iter()
            .map(|(draft, case, failure)| FailedSend {
                draft,
                case,
                failure,
            })
            .collect())
    }

    /// The open (and held) actions of one owner as stored; `None`: those with no owner.
    pub fn open_actions_of(
        &self,
        store: &Store,
        owner: Option<&str>,
    ) -> Result<Vec<crate::store::ActionRecord>, AppError> {
        let mut actions = self.actions(store, None, true)?;
        actions.retain(|action| action.owner.as_deref() == owner);
        Ok(actions)
    }

    /// What the report's charts draw for the period: requests per month by right, and
    /// the days each answer took.
    pub fn report_series(
        &self,
        store: &Store,
        from: Option<jiff::civil::Date>,
        to: Option<jiff::civil::Date>,
    ) -> Result<crate::report::Series, AppError> {
        crate::report::check_period(from, to)?;
        let rows = store.report_rows(&self.config.controller.timezone.zone)?;
        Ok(crate::report::series(&rows, from, to))
    }
}
