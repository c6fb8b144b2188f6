//! Draft: the reply the law requires, in the requester's language, for staff to approve.
//!
//! Takes a case (its rights, language, dates), what matching decided about the requester,
//! the matched person's register entries and the config; hands on a rendered draft —
//! recipient, subject, body, attachments — that the store queues for approval. The
//! templates are data (`templates/<lang>/*.txt`, overridable from a folder). A draft that
//! carries personal data is addressed only to the address on file for the matched entry,
//! never to a Reply-To or a new address. Nothing here sends anything.

mod compose;
pub mod dates;
pub mod message;
pub mod outbox;
mod prepare;
mod templates;

use serde::Serialize;

use crate::lang::Lang;

pub use compose::{CaseFacts, Extension, IdentityFacts, compose, purpose_for};
pub use prepare::{
    DraftError, Drafting, case_facts, prepare, prepare_extension, prepare_or_record, queue,
};
pub use templates::{TemplateError, Templates};

/// What a draft is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
}

impl Purpose {
    pub const ALL: [Purpose; 5] = [
        Purpose::Reply,
        Purpose::Acknowledgement,
        Purpose::IdentityNeeded,
        Purpose::NotFound,
        Purpose::Extension,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Reply => "reply",
            Purpose::Acknowledgement => "acknowledgement",
            Purpose::IdentityNeeded => "identity_needed",
            Purpose::NotFound => "not_found",
            Purpose::Extension => "extension",
        }
    }

    pub fn parse(text: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == text)
    }

    fn template(self) -> &'static str {
        match self {
            Purpose::Reply => "reply.txt",
            Purpose::Acknowledgement => "acknowledgement.txt",
            Purpose::IdentityNeeded => "identity_needed.txt",
            Purpose::NotFound => "not_found.txt",
            Purpose::Extension => "extension.txt",
        }
    }

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
        matches!(self, Purpose::Reply | Purpose::NotFound)
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
}

#[cfg(test)]
mod tests;
