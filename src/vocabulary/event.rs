//! The case's audit trail, typed: one [`Event`] variant per kind of entry, each with the
//! payload that kind records. The store keeps an event as its kind name (`events.kind`) and
//! its payload as JSON (`events.details`); the shapes are the ones the trail has always
//! had, so stored rows and `show --json` read the same. Nothing reads an event's JSON by
//! key: a stage that needs an earlier decision (the identity outcome, the sentences no
//! right explained, whether the case was extended) matches the variant.
//!
//! A kind this build does not know (a row written by a newer or older build) comes back as
//! [`Event::Other`] and is shown as stored; a known kind whose payload does not decode is
//! an error naming the row, never a silent default.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    ActionKind, ActionState, DraftState, Evidence, ExtensionGround, IdentityAction,
    IdentityOutcome, MatchedField, Purpose, RequestKind,
};
use crate::lang::Lang;

macro_rules! events {
    ($($variant:ident($payload:ty) => $name:literal),+ $(,)?) => {
        /// One entry of a case's audit trail.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Event {
            $($variant($payload),)+
            /// A kind this build does not know, kept as stored.
            Other { kind: String, details: Value },
        }

        /// The kinds of [`Event`], named as the store keeps them (`events.kind`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum EventKind {
            $($variant,)+
        }

        names!(EventKind { $($variant => $name),+ });

        impl Event {
            /// The kind's name as stored.
            pub fn kind(&self) -> &str {
                match self {
                    $(Event::$variant(_) => EventKind::$variant.as_str(),)+
                    Event::Other { kind, .. } => kind,
                }
            }

            /// The payload as stored in `events.details`.
            pub fn details(&self) -> Result<Value, serde_json::Error> {
                match self {
                    $(Event::$variant(payload) => serde_json::to_value(payload),)+
                    Event::Other { details, .. } => Ok(details.clone()),
                }
            }

            /// [`Event::details`] as the text `events.details` holds, written straight from
            /// the payload (no JSON tree in between: intake writes five of these per mail).
            pub fn details_text(&self) -> Result<String, serde_json::Error> {
                match self {
                    $(Event::$variant(payload) => serde_json::to_string(payload),)+
                    Event::Other { details, .. } => serde_json::to_string(details),
                }
            }

            /// The event a stored row holds: its kind's payload, or [`Event::Other`] for a
            /// kind this build does not know. A known kind whose payload does not fit is
            /// an error.
            pub fn decode(kind: &str, details: Value) -> Result<Event, serde_json::Error> {
                match EventKind::parse(kind) {
                    $(Some(EventKind::$variant) => serde_json::from_value(details).map(Event::$variant),)+
                    None => Ok(Event::Other { kind: kind.to_string(), details }),
                }
            }
        }
    };
}

events! {
    Received(Received) => "received",
    Joined(MessageArrived) => "joined",
    DeadlineSet(DeadlineSet) => "deadline_set",
    Classified(Classified) => "classified",
    Identity(Identified) => "identity",
    SenderDiffers(SenderDiffers) => "sender_differs",
    KindsAdded(KindsAdded) => "kinds_added",
    UnauthenticatedFollowUp(UnauthenticatedFollowUp) => "unauthenticated_follow_up",
    RelatedCase(RelatedCase) => "related_case",
    // Written by builds that restarted the month on the answer; kept so such trails read.
    ClockRestarted(ClockRestarted) => "clock_restarted",
    ClockSuspended(ClockSuspended) => "clock_suspended",
    ClockResumed(ClockResumed) => "clock_resumed",
    Verified(Verified) => "verified",
    ConfirmationAsked(ConfirmationAsked) => "confirmation_asked",
    ConfirmationDenied(ConfirmationDenied) => "confirmation_denied",
    ConfirmationRefused(ConfirmationRefused) => "confirmation_refused",
    ConfirmationFailed(Failure) => "confirmation_failed",
    Reclassified(Reclassified) => "reclassified",
    Closed(Closed) => "closed",
    Extended(Extended) => "extended",
    ExtensionEffective(ExtensionEffective) => "extension_effective",
    ExtensionRefused(ExtensionRefused) => "extension_refused",
    RefusalOffered(RefusalOffered) => "refusal_offered",
    Drafted(Drafted) => "drafted",
    DraftFailed(Failure) => "draft_failed",
    DraftOutdated(DraftOutdated) => "draft_outdated",
    DraftApproved(DraftApproved) => "draft_approved",
    DraftRejected(DraftRejected) => "draft_rejected",
    DraftEdited(DraftEdited) => "draft_edited",
    AcknowledgementFailed(Failure) => "acknowledgement_failed",
    ReviewMailed(ReviewMailed) => "review_mailed",
    FlaggedSentencesRead(FlaggedSentencesRead) => "flagged_sentences_read",
    ApprovedByMail(ApprovedByMail) => "approved_by_mail",
    MailApprovalRefused(MailApprovalRefused) => "mail_approval_refused",
    Sent(Sent) => "sent",
    SendDeferred(SendDeferred) => "send_deferred",
    SendFailed(SendFailed) => "send_failed",
    SentCopyIgnored(SentCopyIgnored) => "sent_copy_ignored",
    ErasureRecorded(ErasureRecorded) => "erasure_recorded",
    ActionsDerived(ActionsDerived) => "actions_derived",
    ActionRecorded(ActionRecorded) => "action_recorded",
    OpenActionsConfirmed(OpenActionsConfirmed) => "open_actions_confirmed",
    KeepEnded(KeepEnded) => "keep_ended",
    CommandRan(CommandRan) => "command_ran",
    Assigned(Assigned) => "assigned",
}

/// The store writes an event as `{"kind": …, "details": …}` wherever it shows one
/// (`show --json`), as it always has.
impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let details = self.details().map_err(S::Error::custom)?;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("kind", self.kind())?;
        map.serialize_entry("details", &details)?;
        map.end()
    }
}

impl fmt::Display for Event {
    /// The kind, for a line of the trail.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind())
    }
}

/// How a case began: a mail that asked, a stored mail staff opened a case from, or a
/// request staff entered by hand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Received {
    Mail(MessageArrived),
    OpenedByStaff(OpenedByStaff),
    EnteredByStaff(EnteredByStaff),
}

/// A mail that opened a case or joined one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageArrived {
    /// The stored message, as staff write it (`M4`).
    pub message: String,
    pub message_id: Option<String>,
    /// Other bytes under a Message-ID already stored.
    pub message_id_collision: bool,
    pub from: Option<String>,
    pub subject: String,
    pub received_at: Timestamp,
    /// Which clue the receipt time came from.
    pub received_from: String,
    pub attachments: usize,
}

/// A case staff opened from a stored mail (also on behalf of a forwarded request's sender).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenedByStaff {
    pub message: String,
    pub from: Option<String>,
    pub subject: String,
    pub received_at: Timestamp,
    pub on_behalf_of: Option<String>,
    pub opened_by_staff: bool,
    pub kinds: Vec<RequestKind>,
}

/// A request made by phone or letter, entered by staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnteredByStaff {
    pub message: String,
    pub from: String,
    pub received_at: Timestamp,
    pub entered_by_staff: bool,
    pub kinds: Vec<RequestKind>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadlineSet {
    pub deadline: Date,
    pub months: u8,
    pub received_on: Date,
    pub timezone: Option<String>,
    pub rule: String,
}

/// What the classifier found in a message of the case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classified {
    pub message: String,
    #[serde(flatten)]
    pub found: ClassificationFound,
}

/// A classification as the store keeps it, with a message (`messages.classification`) and
/// in the `classified` event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassificationFound {
    pub kinds: Vec<RequestKind>,
    /// The language code, `und` when it could not be told.
    pub language: String,
    pub triage: bool,
    pub evidence: Vec<Evidence>,
    /// Sentences no right was attributed to, for staff to read; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unattributed: Vec<String>,
}

/// The identity decision: what matched, how well, why that outcome, what the reply does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identified {
    pub outcome: IdentityOutcome,
    pub action: IdentityAction,
    pub clock_waits: bool,
    pub reason: String,
    pub score: f64,
    pub reply_to_on_file: Option<String>,
    pub authentication: Authenticated,
    pub people: Vec<MatchedPerson>,
    pub namesakes: usize,
    pub entries: Vec<MatchedEntry>,
}

/// What the trusted server said about the sender's domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authenticated {
    pub passed: bool,
    pub authserv_id: Option<String>,
    pub why: String,
}

/// One person the matched entries make up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchedPerson {
    pub names: Vec<String>,
    pub score: f64,
    pub conflicting_names: bool,
}

/// A register entry the requester matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatchedEntry {
    pub entry: i64,
    pub source: String,
    pub line: u64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub customer_id: Option<String>,
    pub order: Option<String>,
    pub score: f64,
    /// The fields that matched.
    pub fields: Vec<MatchedField>,
    /// Which of the people it belongs to.
    pub person: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SenderDiffers {
    pub message: String,
    pub from: Option<String>,
    pub requester: Option<String>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindsAdded {
    pub added: Vec<RequestKind>,
    pub kinds: Vec<RequestKind>,
}

/// Rights a follow-up added without authenticating as the requester.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnauthenticatedFollowUp {
    pub message: String,
    pub added: Vec<RequestKind>,
    /// The verdict, in words.
    pub authentication: String,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RelatedCase {
    pub case: String,
    pub message: String,
    pub note: String,
}

/// The month restarted from the answer's receipt (the approach before the suspended clock).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockRestarted {
    pub deadline: Date,
    pub received_on: Date,
    pub rule: String,
}

/// The one-month clock stopped on the day the controller asked for information
/// (`case::clock`); the days already run still count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockSuspended {
    /// The day it stands still from.
    pub since: Date,
    /// The days it had run, from the receipt.
    pub days_run: i32,
    /// The deadline when it stopped.
    pub deadline: Date,
    pub rule: String,
}

/// The clock runs again (the answer arrived, or a verification was recorded), and the
/// deadline moved by the days it stood still.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockResumed {
    pub since: Date,
    pub until: Date,
    pub days_suspended: i32,
    /// Every day the clock has stood still in the case, this time included.
    pub total_days_suspended: i64,
    pub from: Date,
    pub deadline: Date,
    pub why: String,
    pub rule: String,
}

/// Staff verified who asks, or the address on file confirmed the request
/// (`draft::confirm`): the case is matched again as verified from `address`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verified {
    /// The address on file the case now answers to.
    pub address: String,
    /// How, in staff's words (or the bot's).
    pub note: String,
    /// The identity outcome before; `None` when the case was never matched.
    pub outcome_before: Option<IdentityOutcome>,
    pub rule: String,
}

/// The person the details match was asked, at the address on file, to confirm the request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfirmationAsked {
    pub to: String,
    /// The SHA-256 of the one-time code in the subject, in hex.
    pub token_sha256: String,
    pub outbox_file: Option<String>,
    pub rule: String,
}

/// The person at the address on file said the request was not theirs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfirmationDenied {
    pub from: String,
    /// The answer's Message-ID.
    pub message: Option<String>,
    pub note: String,
}

/// An answer to a request for confirmation that counts for nothing, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfirmationRefused {
    pub from: String,
    pub message: Option<String>,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reclassified {
    pub from: Vec<RequestKind>,
    pub to: Vec<RequestKind>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Closed {
    pub outcome: String,
}

/// Staff decided to extend; it takes effect when the notice is sent
/// ([`ExtensionEffective`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Extended {
    pub months: u8,
    pub from: Date,
    /// The deadline once the notice is sent.
    pub to: Date,
    /// The Art. 12(3) ground, when staff named one.
    #[serde(default)]
    pub ground: Option<ExtensionGround>,
    pub reason: String,
    /// When it takes effect (absent in extensions decided before it waited for the notice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub takes_effect: Option<String>,
    pub rule: String,
}

/// The notice of an extension went out: the extension took effect and the deadline moved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtensionEffective {
    pub draft: String,
    pub months: u8,
    pub from: Date,
    pub deadline: Date,
    pub rule: String,
}

/// The notice of an extension could not go out within the first month: it extends nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtensionRefused {
    pub draft: String,
    pub first_month_ended: Date,
    pub rule: String,
}

/// A refusal with reasons was drafted because the information asked for never came.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefusalOffered {
    pub draft: String,
    /// When the requester (or the address on file) was first asked.
    pub asked: Timestamp,
    /// `[identity] refuse_after_days` at the time.
    pub days: u32,
    pub recipient: Option<String>,
    pub rule: String,
}

/// A draft queued for the case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drafted {
    pub draft: String,
    pub purpose: Purpose,
    pub language: Lang,
    pub recipient: Option<String>,
    pub personal_data: bool,
    /// Present when the bot drafted from the identity decision (not for an extension
    /// notice).
    #[serde(flatten)]
    pub from_identity: Option<DraftedFromIdentity>,
    /// The rights a reply answers (absent in drafts written before this was recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<RequestKind>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftedFromIdentity {
    pub recipient_note: String,
    pub identity: IdentityOutcome,
    /// The drafts still waiting that this one replaced.
    pub replaces: Vec<String>,
}

/// Something the bot tried for the case failed; a person must look.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub error: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftOutdated {
    pub draft: String,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftApproved {
    pub draft: String,
    pub purpose: Purpose,
    pub recipient: Option<String>,
    pub message_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftRejected {
    pub draft: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftEdited {
    /// The new draft.
    pub draft: String,
    /// The draft it was edited from.
    pub replaces: String,
    /// That draft's state at the time.
    pub was: DraftState,
    pub approvals_withdrawn: Vec<String>,
    pub also_replaces: Vec<String>,
    pub new_message: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewMailed {
    pub draft: String,
    pub to: String,
    pub outbox_file: Option<String>,
}

/// The approver's word that they read the sentences no right explained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlaggedSentencesRead {
    pub draft: String,
    pub sentences: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_mail: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApprovedByMail {
    pub draft: String,
    pub message_id: Option<String>,
    pub authentication: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailApprovalRefused {
    pub draft: String,
    pub from: String,
    pub why: String,
}

/// A reply went out: handed to the server now, or found in Sent after a crash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Sent {
    Recovered {
        draft: String,
        recovered: String,
    },
    Delivered {
        draft: String,
        to: String,
        message_id: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendDeferred {
    pub draft: String,
    /// The server's words.
    pub server: String,
    pub next_attempt: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendFailed {
    pub draft: String,
    pub server: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentCopyIgnored {
    pub draft: String,
    pub copies: usize,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErasureRecorded {
    pub entries: Vec<ErasedEntry>,
    pub tombstones: usize,
    pub recorded_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErasedEntry {
    pub entry: i64,
    pub source: String,
    pub line: u64,
}

/// The action list changed with the case's rights, identity or entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionsDerived {
    pub added: Vec<DerivedAction>,
    pub not_needed: Vec<String>,
    pub reopened: Vec<String>,
    pub rule: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DerivedAction {
    pub action: String,
    pub kind: ActionKind,
    pub source: String,
    pub target: String,
    pub state: ActionState,
}

/// Staff recorded what became of an action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionRecorded {
    pub action: String,
    pub kind: ActionKind,
    pub source: String,
    pub target: String,
    pub was: ActionState,
    pub state: ActionState,
    pub reason: Option<String>,
    pub note: Option<String>,
}

/// The period the Accounting Act keeps a case's records for ended: the bot opened the
/// `erase` action that follows the `keep` one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeepEnded {
    /// The new `erase` action.
    pub action: String,
    /// The `keep` action whose end date passed.
    pub kept: String,
    pub source: String,
    pub until: Date,
    pub records: Vec<String>,
    pub rule: String,
}

/// A source's own command (`on_erase`, `on_correct`, `on_suppress`) ran for an action,
/// as staff asked: the program, each run's exit and output. The argv is kept as
/// configured, its placeholders unfilled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandRan {
    pub action: String,
    pub command: Vec<String>,
    pub runs: Vec<CommandRun>,
    /// Whether every run exited 0 (the action was then recorded done).
    pub succeeded: bool,
}

/// One run of a source command, for one register entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandRun {
    /// The register entry's line in its export, if the run was for an entry.
    pub line: Option<u64>,
    /// The exit code; `None` when it was killed or never started.
    pub exit: Option<i32>,
    /// What it printed (stdout, then stderr), cut to a few kilobytes; or why it did not run.
    pub output: String,
}

/// A case was given an owner, passed to another, or left with none (the event's actor is
/// who did it). Owners are named by their staff account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assigned {
    /// The new owner; `None`: the case has no owner now.
    pub owner: Option<String>,
    /// The owner before; `None`: it had none.
    pub was: Option<String>,
}

/// The approver confirmed that a text a person wrote promises the open actions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenActionsConfirmed {
    pub draft: String,
    pub open: String,
    pub rule: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_kind_round_trips_in_its_stored_shape() {
        let event = Event::Closed(Closed {
            outcome: "answered".to_string(),
        });
        let details = event.details().expect("serialises");
        assert_eq!(details, serde_json::json!({ "outcome": "answered" }));
        let text = event.details_text().expect("serialises");
        assert_eq!(serde_json::from_str::<Value>(&text).expect("JSON"), details);
        assert_eq!(
            Event::decode(event.kind(), details).expect("decodes"),
            event
        );
    }

    #[test]
    fn an_unknown_kind_is_kept_as_stored() {
        let details = serde_json::json!({ "anything": 1 });
        let event = Event::decode("from_a_newer_build", details.clone()).expect("decodes");
        assert_eq!(
            event,
            Event::Other {
                kind: "from_a_newer_build".to_string(),
                details
            }
        );
    }

    #[test]
    fn a_known_kind_with_a_payload_that_does_not_fit_is_an_error() {
        assert!(Event::decode("closed", serde_json::json!({ "outcome": 3 })).is_err());
    }

    #[test]
    fn the_three_ways_a_case_begins_decode_to_their_own_shape() {
        let opened = serde_json::json!({
            "message": "M4", "from": null, "subject": "s",
            "received_at": "2026-03-02T10:00:00Z", "on_behalf_of": "a@example.com",
            "opened_by_staff": true, "kinds": ["access"],
        });
        let event = Event::decode("received", opened.clone()).expect("decodes");
        assert!(matches!(event, Event::Received(Received::OpenedByStaff(_))));
        assert_eq!(event.details().expect("serialises"), opened);
    }

    #[test]
    fn a_redraft_keeps_its_identity_fields_and_an_extension_notice_has_none() {
        let bare = serde_json::json!({
            "draft": "D1", "purpose": "extension", "language": "fi",
            "recipient": null, "personal_data": false,
        });
        let event = Event::decode("drafted", bare.clone()).expect("decodes");
        assert!(matches!(
            &event,
            Event::Drafted(Drafted {
                from_identity: None,
                ..
            })
        ));
        assert_eq!(event.details().expect("serialises"), bare);
        let full = serde_json::json!({
            "draft": "D2", "purpose": "reply", "language": "en",
            "recipient": "a@example.com", "personal_data": true,
            "recipient_note": "on file", "identity": "verified", "replaces": ["D1"],
        });
        let event = Event::decode("drafted", full.clone()).expect("decodes");
        assert!(matches!(
            &event,
            Event::Drafted(Drafted {
                from_identity: Some(_),
                ..
            })
        ));
        assert_eq!(event.details().expect("serialises"), full);
    }
}
