//! The shared vocabulary: the states, kinds and purposes every stage and the store speak
//! of. It sits at the bottom of the module graph and imports no stage, so the store (and
//! anything else) can name a case state or a right without depending on the stage that
//! decides it. Each stage re-exports what it owns the meaning of (`case::CaseState`,
//! `classify::RequestKind`, `draft::Purpose`, …).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

mod standing;

pub use standing::{Standing, is_overdue, past_deadline};

/// The names an enum's values have in the store, the JSON and the command line, written
/// once: `ALL`, `as_str`, `parse` and `Display` from one table.
macro_rules! names {
    ($type:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $type {
            pub const ALL: [$type; [$($name),+].len()] = [$($type::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($type::$variant => $name),+
                }
            }

            pub fn parse(text: &str) -> Option<$type> {
                $type::ALL.into_iter().find(|value| value.as_str() == text)
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use names;

mod action;
pub mod event;

pub use action::{ActionKind, ActionNumber, ActionState};
pub use event::{Event, EventKind};

/// Where a case stands. Later stages add the states of drafting, approval and sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Opened; a person must look at it before anything is drafted (the classifier was
    /// unsure, or found no right it could name).
    Triage,
    /// Opened with the rights it asks for known.
    Open,
    /// Answered or otherwise finished; the record stays for the retention period.
    Closed,
}

names!(CaseState {
    Triage => "triage",
    Open => "open",
    Closed => "closed",
});

#[derive(Debug, thiserror::Error)]
#[error("unknown case state {0:?}")]
pub struct UnknownState(pub String);

impl FromStr for CaseState {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseState::parse(s).ok_or_else(|| UnknownState(s.to_string()))
    }
}

/// Whether a case's one-month clock runs, or stands still while the controller waits for
/// information it asked for (Art. 12(6)); the days already run still count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    Running,
    Waiting,
}

names!(ClockState {
    Running => "running",
    Waiting => "waiting",
});

/// Why the time to answer is extended: the grounds Art. 12(3) allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionGround {
    /// The request is complex.
    Complexity,
    /// The number of requests.
    Requests,
}

names!(ExtensionGround {
    Complexity => "complexity",
    Requests => "requests",
});

/// The rights of GDPR Art. 15–21 (and the withdrawal of consent, Art. 7(3)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// Art. 15: what data is held, and a copy.
    Access,
    /// Art. 16: correct or complete the data.
    Rectification,
    /// Art. 17: erase the data ("right to be forgotten").
    Erasure,
    /// Art. 18: keep the data but stop using it.
    Restriction,
    /// Art. 20: the data provided, machine-readable, or sent to another controller.
    Portability,
    /// Art. 21(1): object to processing on legitimate interests, profiling.
    Objection,
    /// Art. 21(2)–(3): no more direct marketing. Absolute: no balancing.
    DirectMarketingOptout,
    /// Art. 7(3): withdraw a consent given earlier.
    ConsentWithdrawal,
}

names!(RequestKind {
    Access => "access",
    Rectification => "rectification",
    Erasure => "erasure",
    Restriction => "restriction",
    Portability => "portability",
    Objection => "objection",
    DirectMarketingOptout => "direct_marketing_optout",
    ConsentWithdrawal => "consent_withdrawal",
});

impl RequestKind {
    /// Whether the right only stops marketing or consent-based processing at the address
    /// that asked (Art. 21(2)–(3), Art. 7(3)).
    pub fn stops_marketing(self) -> bool {
        matches!(
            self,
            RequestKind::DirectMarketingOptout | RequestKind::ConsentWithdrawal
        )
    }

    /// Whether a request of these rights is never delayed: it asks only to stop marketing
    /// or withdraw consent, which needs no identity check (stopping mail to the address
    /// that asked discloses nothing) and no extension (the objection is absolute,
    /// Art. 21(3); withdrawing is as easy as giving, Art. 7(3)).
    pub fn never_delayed(kinds: &[RequestKind]) -> bool {
        !kinds.is_empty() && kinds.iter().all(|k| k.stops_marketing())
    }
}

/// A phrase that made a kind fire (`classify`), kept in the `classified` event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub kind: RequestKind,
    /// The words as the sender wrote them.
    pub phrase: String,
    /// Which rule fired: `<lang>/<kind>/<role>/<index>`; `read-together/` and a rule's name
    /// for a right only a short sentence and the one before it ask for together (the phrase
    /// holds both); or `second-reader/<kind>/<probability>` for a right only the
    /// classifier's model read. For whoever tunes the rules.
    pub rule: String,
}

impl Evidence {
    /// The rule name of a right only the classifier's model read, with its probability.
    pub fn second_reader_rule(kind: RequestKind, probability: f64) -> String {
        format!("{SECOND_READER}{}/{probability:.2}", kind.as_str())
    }

    /// The rule name of a right that `rule` found only in a short sentence read together
    /// with the one before it ("…promotional texts every week. Please stop them.").
    pub fn read_together_rule(rule: &str) -> String {
        format!("{READ_TOGETHER}{rule}")
    }

    /// Whether this right was found only in a short sentence read together with the one
    /// before it: a person should confirm the sender asked for it.
    pub fn read_together(&self) -> bool {
        self.rule.starts_with(READ_TOGETHER)
    }

    /// The model's probability, when only the classifier's model read this right (the
    /// rules did not): a person should confirm the sender asked for it.
    pub fn second_reader_probability(&self) -> Option<f64> {
        let rest = self.rule.strip_prefix(SECOND_READER)?;
        let (kind, probability) = rest.split_once('/')?;
        (kind == self.kind.as_str())
            .then(|| probability.parse().ok())
            .flatten()
    }
}

/// How the rule name of a right read across two sentences begins.
const READ_TOGETHER: &str = "read-together/";

/// How the rule name of a right only the classifier's model read begins.
const SECOND_READER: &str = "second-reader/";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "unknown request kind {0:?} (expected one of access, rectification, erasure, restriction, portability, objection, direct_marketing_optout, consent_withdrawal)"
)]
pub struct UnknownKind(pub String);

impl FromStr for RequestKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RequestKind::parse(s.trim()).ok_or_else(|| UnknownKind(s.to_string()))
    }
}

/// Where a draft stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftState {
    /// Waiting for a person's approval.
    Pending,
    /// Approved: frozen, with its Message-ID fixed; waiting to be sent.
    Approved,
    /// Rejected, with the reason.
    Rejected,
    /// Replaced by an edit or a new draft before it was sent.
    Superseded,
    /// Being handed to the mail server; after a crash, checked against the Sent folder.
    Sending,
    /// Handed to the outbox or the mail server.
    Sent,
    /// The mail server refused it for good (5xx); staff see the server's words.
    Failed,
}

names!(DraftState {
    Pending => "pending",
    Approved => "approved",
    Rejected => "rejected",
    Superseded => "superseded",
    Sending => "sending",
    Sent => "sent",
    Failed => "failed",
});

/// What a draft is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// The answer to the rights asked, one section per right (a combined reply when
    /// several are asked).
    Reply,
    /// Receipt confirmed, with the deadline; no personal data.
    Acknowledgement,
    /// We cannot tell who wrote: more information is asked (Art. 12(6)).
    IdentityNeeded,
    /// Nothing about the sender is in the register.
    NotFound,
    /// The time to answer is extended (Art. 12(3)).
    Extension,
    /// An Art. 19 notice to a recipient of the data (a processor, or a controller of its
    /// own) that it was erased, corrected or restricted. The one kind of mail that carries
    /// a person's identifiers to another address than theirs: only to the recipient's
    /// configured contact, and only what it needs to find the record.
    RecipientNotice,
    /// The request is refused with reasons because the person could not be identified
    /// (Art. 11(2), 12(4)): the information asked for never came.
    Refusal,
}

names!(Purpose {
    Reply => "reply",
    Acknowledgement => "acknowledgement",
    IdentityNeeded => "identity_needed",
    NotFound => "not_found",
    Extension => "extension",
    RecipientNotice => "recipient_notice",
    Refusal => "refusal",
});

impl Purpose {
    /// Whether a draft of this purpose may hold the person's data. Only the answer does;
    /// the rest go to whoever wrote, so they must say nothing about anyone.
    pub fn carries_personal_data(self) -> bool {
        matches!(self, Purpose::Reply)
    }

    /// Whether a draft of this purpose, once sent, answers the request (`case::Standing`):
    /// the reply to the rights asked (a refusal with its reasons is one) and word that
    /// nothing was found. An acknowledgement, a request for information and an extension
    /// notice are not answers: the last two change the deadline, not the answer.
    pub fn answers_request(self) -> bool {
        matches!(self, Purpose::Reply | Purpose::NotFound | Purpose::Refusal)
    }
}

/// A file sent with a reply (the portable copy of the data, Art. 20).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub content: String,
}

/// A rendered draft, before the store gives it an id.
#[derive(Clone, Debug, Serialize)]
pub struct Composed {
    pub purpose: Purpose,
    pub language: Lang,
    /// Where it may go; `None` when no address is allowed (the draft says why).
    pub recipient: Option<String>,
    pub recipient_note: String,
    pub subject: String,
    pub body: String,
    pub attachments: Vec<Attachment>,
    pub personal_data: bool,
    /// The reply refuses part of what was asked (erasure of bookkeeping records), which
    /// the controller reports to its supervisory authority.
    pub refusal: bool,
    /// The actions its text states as done, when the bot wrote it; `None` for text a
    /// person wrote, whose claims the bot cannot read.
    pub claims: Option<Vec<ActionNumber>>,
}

/// What matched between the requester and a register entry (`matching`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedField {
    /// The From: address is the entry's e-mail.
    SenderEmail,
    /// An address written in the text is the entry's e-mail.
    EmailInText,
    /// A phone number in the text is the entry's.
    Phone,
    /// A number in the text is the entry's customer id.
    CustomerId,
    /// A number in the text is the entry's order number.
    Order,
    /// Found only through another matched entry sharing an identifier with it.
    Linked,
    /// The sender's display name is the entry's name.
    Name,
    /// The entry's name is written in the text.
    NameInText,
    /// The entry's postal address (postcode and street) is written in the text.
    Address,
}

names!(MatchedField {
    SenderEmail => "sender_email",
    EmailInText => "email_in_text",
    Phone => "phone",
    CustomerId => "customer_id",
    Order => "order",
    Linked => "linked",
    Name => "name",
    NameInText => "name_in_text",
    Address => "address",
});

/// How sure we are of who wrote (Art. 12(6)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityOutcome {
    /// The sender address is on file, and the receiving server authenticated the mail.
    Verified,
    /// The sender address is on file; nothing proves the mail came from it.
    OnFileUnverified,
    /// The details given point to one person, but the sender address is not theirs on file.
    NeedsVerification,
    /// Nothing in the register matches.
    NoMatch,
    /// The details point to more than one person.
    Ambiguous,
}

names!(IdentityOutcome {
    Verified => "verified",
    OnFileUnverified => "on_file_unverified",
    NeedsVerification => "needs_verification",
    NoMatch => "no_match",
    Ambiguous => "ambiguous",
});

/// What the reply does about the identity outcome; the config sets one per outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityAction {
    /// Answer, with the person's data going only to the address on file.
    Reply,
    /// Ask for more information before answering (Art. 12(6)).
    AskForInformation,
    /// Tell the person no data about them was found.
    NotFound,
}

names!(IdentityAction {
    Reply => "reply",
    AskForInformation => "ask_for_information",
    NotFound => "not_found",
});

/// Who acts: the staff member a decision is recorded under. Never empty; a front end
/// resolves it (a login, a flag, a session) before calling a use-case, and the stages
/// take it as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staff(String);

/// A staff action with nobody named to act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("who acts is required and cannot be empty")]
pub struct NoActor;

impl Staff {
    /// The name, trimmed; an empty one is refused.
    pub fn new(name: &str) -> Result<Staff, NoActor> {
        let name = name.trim();
        if name.is_empty() {
            return Err(NoActor);
        }
        Ok(Staff(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Staff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a person gives a staff action besides who acts. Errors name it in words; a front
/// end names it as its own input (the CLI's flags, a form's fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// Why a draft is rejected or a deadline extended.
    Reason,
    /// What was done, when a case is closed.
    Outcome,
    /// What a request made by phone or letter said.
    Note,
    /// The address of whoever made a request by phone or letter.
    RequesterAddress,
    /// How staff verified who asks.
    Verification,
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Input::Reason => "a reason",
            Input::Outcome => "the outcome",
            Input::Note => "a note of the request",
            Input::RequesterAddress => "the requester's e-mail address",
            Input::Verification => "a note of how who asks was verified",
        })
    }
}

/// What a staff account may do in the console (issue 16). Each role may do all the one
/// before it may: a handler reads, edits drafts, reclassifies and ticks actions; an
/// approver also approves, rejects, extends and closes; an admin also manages accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Handler,
    Approver,
    Admin,
}

names!(Role {
    Handler => "handler",
    Approver => "approver",
    Admin => "admin",
});

impl Role {
    /// Approve, reject, extend and close.
    pub fn may_decide(self) -> bool {
        self >= Role::Approver
    }

    /// Add, disable and change staff accounts.
    pub fn may_manage_staff(self) -> bool {
        self == Role::Admin
    }
}
