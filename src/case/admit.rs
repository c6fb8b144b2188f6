//! Admitting one incoming message: dedupe, parse, classify, then join, open or set aside.

use std::fmt;

use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{BOT_ACTOR, CaseState, Settings};
use crate::classify::{Classification, Classifier};
use crate::deadline;
use crate::ids::{CaseId, MessageKey};
use crate::matching;
use crate::parse::{self, Mail};
use crate::store::{Batch, Disposition, NewCase, NewEvent, NewMessage, ReceiptSource, StoreError};
use crate::vocabulary::event::{self, Event};

/// One message as intake found it.
pub struct Incoming<'a> {
    /// The bytes, or why they could not be read (an unreadable file).
    pub raw: Result<&'a [u8], String>,
    /// Where it came from, for people: a file path, or mailbox/UIDVALIDITY/UID.
    pub origin: &'a str,
    /// A receipt time the intake knows for certain (IMAP INTERNALDATE); it wins over headers.
    pub server_receipt: Option<Timestamp>,
    /// A delivery time the intake found (a Maildir file name); weaker than `Received:`.
    pub delivered_at: Option<Timestamp>,
    /// The size, when known before reading (so an oversize message is never read).
    pub size: Option<u64>,
    /// The parse and classification, when they were done ahead (on another thread).
    pub analysis: Option<&'a Analysis>,
}

/// The part of admitting a message that needs no store: hashing, parsing, classifying.
/// It can run ahead of the store on another core.
pub struct Analysis {
    pub sha256: [u8; 32],
    pub parsed: Result<Mail, parse::ParseError>,
    /// `None` for machine-sent mail, which is never classified.
    pub classification: Option<Classification>,
}

/// The SHA-256 of a message's bytes: its identity when it has no Message-ID.
pub fn digest(raw: &[u8]) -> [u8; 32] {
    Sha256::digest(raw).into()
}

/// Hashes, parses and classifies one message.
pub fn analyse(raw: &[u8], classifier: &Classifier) -> Analysis {
    let parsed = parse::parse(raw);
    let classification = match &parsed {
        Ok(mail) if mail.automated.is_none() => Some(classifier.classify(mail)),
        _ => None,
    };
    Analysis {
        sha256: digest(raw),
        parsed,
        classification,
    }
}

/// What happened to one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Already stored (the same bytes): nothing written.
    Duplicate,
    /// Kept for a person, not turned into a case.
    Quarantined {
        reason: String,
    },
    /// Machine-sent: stored, never answered.
    Automated {
        marker: String,
    },
    /// A person's mail that asks for no right: stored and listed in the inbox.
    NotARequest,
    /// Staff mail (a reply to a review mail or digest): stored, never a case.
    StaffMail,
    Opened(CaseId),
    Joined(CaseId),
}

/// How many messages a run admitted, and as what.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Tally {
    pub seen: u64,
    pub new: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    pub cases_opened: u64,
    pub cases_joined: u64,
    pub automated: u64,
    pub not_requests: u64,
    pub staff_mail: u64,
}

impl Tally {
    /// Counts one admitted message.
    pub fn count(&mut self, admission: &Admission) {
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
            Admission::StaffMail => {
                self.new += 1;
                self.staff_mail += 1;
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

    pub fn add(&mut self, other: &Tally) {
        self.seen += other.seen;
        self.new += other.new;
        self.duplicates += other.duplicates;
        self.quarantined += other.quarantined;
        self.cases_opened += other.cases_opened;
        self.cases_joined += other.cases_joined;
        self.automated += other.automated;
        self.not_requests += other.not_requests;
        self.staff_mail += other.staff_mail;
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seen {}: {} new ({} cases opened, {} joined, {} not requests, {} automated), {} duplicates, {} quarantined",
            self.seen,
            self.new,
            self.cases_opened,
            self.cases_joined,
            self.not_requests,
            self.automated,
            self.duplicates,
            self.quarantined
        )
    }
}

/// Decides what one message is and records it in `batch`.
pub fn admit(
    batch: &Batch<'_>,
    incoming: &Incoming<'_>,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<Admission, StoreError> {
    if let Some(size) = incoming.size
        && size > settings.max_message_bytes
    {
        let reason = format!(
            "message too large: {size} bytes (limit {})",
            settings.max_message_bytes
        );
        batch.quarantine(incoming.origin, &reason, None, now)?;
        return Ok(Admission::Quarantined { reason });
    }
    let raw = match incoming.raw {
        Ok(raw) => raw,
        Err(ref why) => {
            let reason = format!("cannot read: {why}");
            batch.quarantine(incoming.origin, &reason, None, now)?;
            return Ok(Admission::Quarantined { reason });
        }
    };
    let sha = incoming.analysis.map_or_else(|| digest(raw), |a| a.sha256);
    if batch.knows_raw(&sha)? {
        return Ok(Admission::Duplicate);
    }
    let computed;
    let analysis = match incoming.analysis {
        Some(analysis) => analysis,
        None => {
            computed = analyse(raw, settings.classifier);
            &computed
        }
    };

    let mail = match &analysis.parsed {
        Ok(mail) => mail,
        Err(err) => {
            let reason = err.to_string();
            let (received_at, received_from) = receipt(incoming, None, now);
            let key = batch.insert_message(
                &NewMessage {
                    raw,
                    raw_sha256: &sha,
                    message_id: None,
                    origin: incoming.origin,
                    received_at,
                    received_from,
                    from_address: None,
                    from_name: None,
                    reply_to: None,
                    subject: "",
                    in_reply_to: &[],
                    references: &[],
                    automated: None,
                    disposition: Disposition::Quarantined,
                    classification: None,
                    colliding_message_id: None,
                },
                now,
            )?;
            batch.quarantine(incoming.origin, &reason, Some(key), now)?;
            return Ok(Admission::Quarantined { reason });
        }
    };
    // Other bytes under a Message-ID already stored: not the same mail (the same bytes were
    // caught above), maybe a different request. Kept, under no Message-ID of its own so
    // threading still finds the first, and flagged.
    let colliding = match &mail.message_id {
        Some(id) if batch.knows_message_id(id)? => Some(id),
        _ => None,
    };
    if colliding.is_some() {
        tracing::warn!(
            origin = incoming.origin,
            "a stored mail has this mail's Message-ID: kept, and flagged"
        );
    }

    let (received_at, received_from) = receipt(incoming, Some(mail), now);
    let automated = mail.automated.as_ref().map(|a| a.describe());
    // Machine-sent mail is kept for the record but never starts or joins a conversation
    // (RFC 3834), so no reply loop can begin; it is not classified either.
    let classification = analysis.classification.clone();
    let thread = if automated.is_none() {
        thread_case(batch, mail)?
    } else {
        None
    };
    let from_address = mail.from.as_ref().map(|m| m.normalized());
    // What the store knows that the decision needs; the decision itself is `route`.
    let thread_requester = match thread {
        Some(case) => batch.case_requester(case)?.flatten(),
        None => None,
    };
    let staff_mail = automated.is_none() && is_staff_mail(batch, mail)?;
    let sender_is_staff = from_address
        .as_ref()
        .is_some_and(|from| settings.staff_addresses.contains(from));
    let routed = route(&Facts {
        automated: automated.is_some(),
        asks: classification.as_ref().is_some_and(|c| c.is_request()),
        unsure: classification.as_ref().is_some_and(|c| c.triage),
        thread,
        thread_requester: thread_requester.as_deref(),
        sender: from_address.as_deref(),
        sender_is_staff,
        staff_mail,
        forward: sender_is_staff && is_forward(mail),
    });
    let forwarded_by_staff = routed == Route::ForwardedByStaff;
    let (thread, related) = match routed {
        Route::Join(case) => (Some(case), None),
        Route::OpenBeside(case) => (None, Some(case)),
        _ => (None, None),
    };
    let disposition = routed.disposition();
    let classification_found = classification.as_ref().map(classification_details);
    let reply_to = mail.reply_to.as_ref().map(|m| m.normalized());
    let key = batch.insert_message(
        &NewMessage {
            raw,
            raw_sha256: &sha,
            message_id: if colliding.is_some() {
                None
            } else {
                mail.message_id.as_ref()
            },
            origin: incoming.origin,
            received_at,
            received_from,
            from_address: from_address.as_deref(),
            from_name: mail.from.as_ref().and_then(|m| m.name.as_deref()),
            reply_to: reply_to.as_deref(),
            subject: &mail.subject,
            in_reply_to: &mail.in_reply_to,
            references: &mail.references,
            automated: automated.as_deref(),
            disposition,
            classification: classification_found.as_ref(),
            colliding_message_id: colliding,
        },
        now,
    )?;
    let (Some(classification), None) = (classification, automated) else {
        return Ok(Admission::Automated {
            marker: mail
                .automated
                .as_ref()
                .map(|a| a.describe())
                .unwrap_or_default(),
        });
    };

    let message_event = event::MessageArrived {
        message: key.to_string(),
        message_id: mail.message_id.as_ref().map(|id| id.as_str().to_string()),
        message_id_collision: colliding.is_some(),
        from: from_address.clone(),
        subject: mail.subject.clone(),
        received_at,
        received_from: received_from.as_str().to_string(),
        attachments: mail.attachments.len(),
    };

    if let Some(case) = thread {
        batch.attach_message(key, case)?;
        batch.append_event(
            case,
            &NewEvent {
                at: now,
                actor: BOT_ACTOR,
                event: Event::Joined(message_event),
            },
        )?;
        record_classification(batch, case, key, &classification, now)?;
        // A follow-up may ask for more ("and delete my data too"): the case covers it. But
        // threading headers are the sender's to write: only the requester's own address
        // may widen their case; anyone else's mail joins it for staff to read.
        let requester = batch.case_requester(case)?.flatten();
        if requester.is_some() && requester != from_address {
            batch.append_event(
                case,
                &NewEvent {
                    at: now,
                    actor: BOT_ACTOR,
                    event: Event::SenderDiffers(event::SenderDiffers {
                        message: key.to_string(),
                        from: from_address.clone(),
                        requester,
                        note: "the reply came from another address than the request; its kinds were not added".to_string(),
                    }),
                },
            )?;
            return Ok(Admission::Joined(case));
        }
        // The requester answered: if the clock stood still waiting for information,
        // it runs again from the answer's receipt, with the days already run.
        super::clock::resume(
            batch,
            case,
            settings,
            received_at,
            BOT_ACTOR,
            "the requester answered",
            now,
        )?;
        let mut kinds = batch.case_kinds(case)?.unwrap_or_default();
        let authentication = from_address.as_deref().map(|from| {
            matching::auth::judge(
                &mail.authentication_results,
                settings.trusted_authserv_ids,
                from,
            )
        });
        let added: Vec<_> = classification
            .kinds
            .iter()
            .filter(|k| !kinds.contains(k))
            .copied()
            .collect();
        if !added.is_empty() {
            kinds.extend(&added);
            kinds.sort();
            batch.set_case_kinds(case, &kinds)?;
            batch.append_event(
                case,
                &NewEvent {
                    at: now,
                    actor: BOT_ACTOR,
                    event: Event::KindsAdded(event::KindsAdded {
                        added: added.clone(),
                        kinds: kinds.clone(),
                    }),
                },
            )?;
            // The From: line alone says nothing of who wrote: rights a follow-up adds
            // without authenticating as the requester are flagged, and the identity is
            // decided again for them (`case::rematch`) when the case is drafted again.
            if let Some(authentication) = authentication.filter(|a| !a.passed) {
                batch.append_event(
                    case,
                    &NewEvent {
                        at: now,
                        actor: BOT_ACTOR,
                        event: Event::UnauthenticatedFollowUp(event::UnauthenticatedFollowUp {
                            message: key.to_string(),
                            added,
                            authentication: authentication.why,
                            note: "rights were added by a mail that did not authenticate as the requester: check who asked before answering them".to_string(),
                        }),
                    },
                )?;
            }
        }
        return Ok(Admission::Joined(case));
    }
    if disposition == Disposition::StaffMail {
        return Ok(Admission::StaffMail);
    }
    if disposition == Disposition::NotARequest {
        if forwarded_by_staff {
            tracing::info!(message = %key, "a staff member forwarded a mail: open it on behalf of its sender");
        }
        return Ok(Admission::NotARequest);
    }

    let case = open_case(
        batch,
        &CaseOpening {
            message: key,
            received_at,
            requester: from_address.as_deref(),
            requester_name: mail.from.as_ref().and_then(|m| m.name.as_deref()),
            subject: &mail.subject,
            kinds: &classification.kinds,
            language: classification.language,
            state: if classification.triage || classification.kinds.is_empty() {
                CaseState::Triage
            } else {
                CaseState::Open
            },
            actor: BOT_ACTOR,
            opened_event: event::Received::Mail(message_event),
            mail: Some(mail),
        },
        settings,
        now,
    )?;
    record_classification(batch, case, key, &classification, now)?;
    if let Some(other) = related {
        for (this, that, note) in [
            (
                case,
                other,
                "this request came as a reply in the other case's thread, from another address than its requester",
            ),
            (
                other,
                case,
                "another address than this case's requester asked for rights in its thread: that request has a case of its own",
            ),
        ] {
            batch.append_event(
                this,
                &NewEvent {
                    at: now,
                    actor: BOT_ACTOR,
                    event: Event::RelatedCase(event::RelatedCase {
                        case: that.to_string(),
                        message: key.to_string(),
                        note: note.to_string(),
                    }),
                },
            )?;
        }
    }
    Ok(Admission::Opened(case))
}

/// Everything needed to open a case from a stored message.
pub(super) struct CaseOpening<'a> {
    pub message: MessageKey,
    pub received_at: Timestamp,
    pub requester: Option<&'a str>,
    pub requester_name: Option<&'a str>,
    pub subject: &'a str,
    pub kinds: &'a [crate::classify::RequestKind],
    pub language: Option<crate::lang::Lang>,
    pub state: CaseState,
    pub actor: &'a str,
    pub opened_event: event::Received,
    /// The mail that asks, for finding the requester in the register.
    pub mail: Option<&'a Mail>,
}

/// Opens a case with its legal deadline, attaches the message, and writes the first events.
pub(super) fn open_case(
    batch: &Batch<'_>,
    opening: &CaseOpening<'_>,
    settings: &Settings<'_>,
    now: Timestamp,
) -> Result<CaseId, StoreError> {
    let received_local = opening
        .received_at
        .to_zoned_datetime(settings.timezone.clone());
    // The receipt time is at most a day or two from now, far inside the calendar's range;
    // should it not be, the deadline is the receipt day itself, which a person will notice.
    let due = deadline::deadline(
        opening.received_at,
        settings.timezone,
        1,
        &settings.calendar,
    )
    .unwrap_or_else(|| received_local.date());
    let case = batch.open_case(
        &NewCase {
            year: received_local.year(),
            state: opening.state,
            received_at: opening.received_at,
            requester: opening.requester,
            requester_name: opening.requester_name,
            subject: opening.subject,
            deadline: due,
            kinds: opening.kinds,
            language: opening.language,
        },
        now,
    )?;
    batch.attach_message(opening.message, case)?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: opening.actor,
            event: Event::Received(opening.opened_event.clone()),
        },
    )?;
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            event: Event::DeadlineSet(event::DeadlineSet {
                deadline: due,
                months: 1,
                received_on: received_local.date(),
                timezone: settings.timezone.iana_name().map(str::to_string),
                rule: "GDPR Art. 12(3); Regulation 1182/71 Art. 3".to_string(),
            }),
        },
    )?;
    if let Some(mail) = opening.mail {
        super::identify::identify(batch, case, mail, settings, now)?;
    }
    Ok(case)
}

/// What the store keeps of a classification. The sentences staff must read (`show`, the
/// review mail) are kept only when there are some.
fn classification_details(classification: &Classification) -> event::ClassificationFound {
    event::ClassificationFound {
        kinds: classification.kinds.clone(),
        language: classification.language_code().to_string(),
        triage: classification.triage,
        evidence: classification.evidence.clone(),
        unattributed: classification.unattributed.clone(),
    }
}

fn record_classification(
    batch: &Batch<'_>,
    case: CaseId,
    message: MessageKey,
    classification: &Classification,
    now: Timestamp,
) -> Result<(), StoreError> {
    batch.append_event(
        case,
        &NewEvent {
            at: now,
            actor: BOT_ACTOR,
            event: Event::Classified(event::Classified {
                message: message.to_string(),
                found: classification_details(classification),
            }),
        },
    )
}

/// The case a reply belongs to: by its threading headers first, then by the case token
/// in its subject when the reply comes from the case's requester.
fn thread_case(batch: &Batch<'_>, mail: &Mail) -> Result<Option<CaseId>, StoreError> {
    let mut thread = mail.references.clone();
    thread.extend(mail.in_reply_to.iter().cloned());
    if let Some(case) = batch.case_of_thread(&thread)? {
        return Ok(Some(case));
    }
    // Anyone can type a case token into a subject, so it joins only mail from the case's
    // own requester; a stranger's mail opens a case of its own for a person to look at.
    if let Some(case) = CaseId::find_in_subject(&mail.subject)
        && let Some(requester) = batch.case_requester(case)?
    {
        let sender = mail.from.as_ref().map(|m| m.normalized());
        if sender.is_some() && sender == requester {
            return Ok(Some(case));
        }
    }
    Ok(None)
}

/// What admitting a new, parsed message needs to decide where it goes: found in the
/// store and the mail, decided by [`route`] without either.
#[derive(Clone, Copy, Debug, Default)]
pub struct Facts<'a> {
    /// Machine-sent (RFC 3834 and the like).
    pub automated: bool,
    /// The classifier found a right asked for.
    pub asks: bool,
    /// The classifier was unsure: a person must look.
    pub unsure: bool,
    /// The case its threading headers (or its subject token, from the requester) name.
    pub thread: Option<CaseId>,
    /// That case's requester.
    pub thread_requester: Option<&'a str>,
    pub sender: Option<&'a str>,
    /// The sender is an approver or a staff address.
    pub sender_is_staff: bool,
    /// It answers a mail the bot sent staff, or carries an approval token.
    pub staff_mail: bool,
    /// It forwards another mail.
    pub forward: bool,
}

/// Where a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Kept, never answered, never joined to a conversation (RFC 3834).
    Automated,
    /// A reply to the bot's mail to staff: kept, never a case.
    StaffMail,
    /// A staff member forwarded a mail: kept for a person to open on behalf of its sender.
    ForwardedByStaff,
    /// A reply or follow-up that joins its case.
    Join(CaseId),
    /// Someone else's request written into this case's thread: a case of its own, linked.
    OpenBeside(CaseId),
    /// A new request (or one a person must triage).
    Open,
    /// A person's mail that asks for nothing.
    NotARequest,
}

impl Route {
    pub fn disposition(self) -> Disposition {
        match self {
            Route::Automated => Disposition::Automated,
            Route::StaffMail => Disposition::StaffMail,
            Route::ForwardedByStaff | Route::NotARequest => Disposition::NotARequest,
            Route::Join(_) => Disposition::Joined,
            Route::OpenBeside(_) | Route::Open => Disposition::Case,
        }
    }
}

/// Decides where a new message goes. Pure: the facts in, the route out.
pub fn route(facts: &Facts<'_>) -> Route {
    if facts.automated {
        return Route::Automated;
    }
    // Staff mail is never a request; a request a staff member forwards is opened on
    // behalf of its sender by a person, never as the staff member's own.
    if facts.staff_mail {
        return Route::StaffMail;
    }
    if facts.forward && facts.sender_is_staff {
        return Route::ForwardedByStaff;
    }
    if let Some(case) = facts.thread {
        // Threading headers are the sender's to write: someone other than the requester
        // who asks for rights in another's thread makes a request of their own.
        let someone_else = match (facts.sender, facts.thread_requester) {
            (Some(sender), Some(requester)) => sender != requester,
            _ => false,
        };
        if facts.asks && someone_else && !facts.sender_is_staff {
            return Route::OpenBeside(case);
        }
        return Route::Join(case);
    }
    if facts.asks || facts.unsure {
        Route::Open
    } else {
        Route::NotARequest
    }
}

/// Whether a mail is staff mail: it answers a mail the bot sent staff (its In-Reply-To or
/// References names one), or it carries an approval token.
fn is_staff_mail(batch: &Batch<'_>, mail: &Mail) -> Result<bool, StoreError> {
    // An answer to a request for confirmation (`draft::confirm`) is judged by its token,
    // never read as a request of its own.
    if mail.subject.contains("rightsbot-token:") || mail.subject.contains("rightsbot-confirm:") {
        return Ok(true);
    }
    for id in mail.in_reply_to.iter().chain(&mail.references) {
        if batch.is_staff_mail_id(id.as_str())? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether a mail forwards another: a forward's subject prefix in fi/sv/en (and the
/// common clients' other languages), or a forwarded-message block in its text.
fn is_forward(mail: &Mail) -> bool {
    let subject = mail.subject.trim_start().to_lowercase();
    let prefixed = ["fwd:", "fw:", "vs:", "vb:", "wg:", "tr:", "vl:"]
        .iter()
        .any(|p| subject.starts_with(p));
    let text = mail.text.to_lowercase();
    prefixed
        || [
            "forwarded message",
            "välitetty viesti",
            "vidarebefordrat meddelande",
            "begin forwarded message",
        ]
        .iter()
        .any(|marker| text.contains(marker))
}

/// When the message was received, and which clue says so. The legal clock starts at
/// receipt by the controller, so the server's own record wins over anything the sender wrote.
fn receipt(
    incoming: &Incoming<'_>,
    mail: Option<&Mail>,
    now: Timestamp,
) -> (Timestamp, ReceiptSource) {
    if let Some(at) = incoming.server_receipt {
        return (at, ReceiptSource::ImapInternalDate);
    }
    if let Some(at) = mail.and_then(|m| m.received_header_date) {
        return (at, ReceiptSource::ReceivedHeader);
    }
    if let Some(at) = incoming.delivered_at {
        return (at, ReceiptSource::MaildirDelivery);
    }
    if let Some(at) = mail.and_then(|m| m.date) {
        return (at, ReceiptSource::DateHeader);
    }
    (now, ReceiptSource::IngestTime)
}

#[cfg(test)]
mod route_tests {
    use super::{Facts, Route, route};
    use crate::ids::CaseId;

    const CASE: CaseId = CaseId { year: 2026, seq: 1 };

    fn reply_from(sender: &str, asks: bool) -> Facts<'_> {
        Facts {
            asks,
            thread: Some(CASE),
            thread_requester: Some("maija@example.test"),
            sender: Some(sender),
            ..Facts::default()
        }
    }

    #[test]
    fn machine_mail_never_starts_or_joins_anything() {
        let facts = Facts {
            automated: true,
            ..reply_from("maija@example.test", true)
        };
        assert_eq!(route(&facts), Route::Automated);
    }

    #[test]
    fn a_requesters_follow_up_joins_and_a_strangers_request_opens_beside() {
        assert_eq!(
            route(&reply_from("maija@example.test", true)),
            Route::Join(CASE)
        );
        assert_eq!(
            route(&reply_from("maija@example.test", false)),
            Route::Join(CASE)
        );
        assert_eq!(
            route(&reply_from("pekka@example.test", true)),
            Route::OpenBeside(CASE)
        );
        // A stranger's words that ask for nothing are for staff to read in the case.
        assert_eq!(
            route(&reply_from("pekka@example.test", false)),
            Route::Join(CASE)
        );
    }

    #[test]
    fn staff_mail_is_never_a_case_and_a_forward_waits_for_a_person() {
        let staff = Facts {
            staff_mail: true,
            asks: true,
            ..Facts::default()
        };
        assert_eq!(route(&staff), Route::StaffMail);
        let forward = Facts {
            forward: true,
            sender_is_staff: true,
            asks: true,
            ..Facts::default()
        };
        assert_eq!(route(&forward), Route::ForwardedByStaff);
        // A customer's forward is their own mail.
        let customer_forward = Facts {
            forward: true,
            asks: true,
            ..Facts::default()
        };
        assert_eq!(route(&customer_forward), Route::Open);
        // An employee asking for their own data is a requester like any other.
        let employee = Facts {
            sender_is_staff: true,
            asks: true,
            ..Facts::default()
        };
        assert_eq!(route(&employee), Route::Open);
    }

    #[test]
    fn new_mail_opens_a_case_when_it_asks_or_a_person_must_look() {
        let asks = Facts {
            asks: true,
            ..Facts::default()
        };
        assert_eq!(route(&asks), Route::Open);
        let unsure = Facts {
            unsure: true,
            ..Facts::default()
        };
        assert_eq!(route(&unsure), Route::Open);
        assert_eq!(route(&Facts::default()), Route::NotARequest);
    }
}
