//! Draft: the reply the law requires, in the requester's language, for staff to approve.
//!
//! Takes a case (its rights, language, dates), what matching decided about the requester,
//! the matched person's register entries and the config; hands on a rendered draft —
//! recipient, subject, body, attachments — that the store queues for approval. The
//! templates are data (`templates/<lang>/*.txt`, overridable from a folder). A draft that
//! carries personal data is addressed only to the address on file for the matched entry,
//! never to a Reply-To or a new address. Nothing here sends anything.

mod compose;
pub mod confirm;
pub mod dates;
pub mod freshness;
pub mod message;
mod notice;
pub mod outbox;
mod prepare;
pub mod refusal;
mod templates;

mod approved;

pub use approved::{ApprovedDraft, NotApproved};
pub use compose::{CaseFacts, Extension, IdentityFacts, UNDATED, compose, purpose_for};
pub use notice::prepare_notices;
pub use prepare::{
    DraftError, Drafting, case_facts, prepare, prepare_extension, prepare_or_record, queue,
};
pub use templates::{TemplateError, Templates};

pub use crate::vocabulary::{Attachment, Composed, Purpose};

/// The template a purpose is rendered from.
fn template_of(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Reply => "reply.txt",
        Purpose::Acknowledgement => "acknowledgement.txt",
        Purpose::IdentityNeeded => "identity_needed.txt",
        Purpose::NotFound => "not_found.txt",
        Purpose::Extension => "extension.txt",
        Purpose::RecipientNotice => "recipient_notice.txt",
        Purpose::Refusal => "refusal.txt",
    }
}

#[cfg(test)]
mod tests;
