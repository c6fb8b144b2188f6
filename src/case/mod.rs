//! Case: one request's life, from the first message to the answer, with its deadline and
//! its audit trail.
//!
//! Takes a raw message from intake, has it parsed, and decides what it is: a duplicate of
//! something stored, a message to quarantine, machine-sent mail to keep but never answer, a
//! reply that joins an existing case, or a new request that opens a case with its legal
//! deadline. Every decision is written to the store in the caller's [`Batch`], so it is
//! committed whole or not at all. It never sends anything and never reads a clock: `now`
//! is passed in.

mod actions;
mod admit;
pub mod clock;
mod identify;
mod settings;
mod staff;

pub use crate::vocabulary::{CaseState, Standing, UnknownState, is_overdue, past_deadline};
pub use actions::{ended_keeps, open_ended_keeps, sync_actions};
pub use admit::{Admission, Analysis, Incoming, Tally, admit, analyse, digest};
pub use identify::{Rematch, find_requester, rematch};
pub use settings::Settings;
pub use staff::{
    ManualRequest, OnBehalf, StaffError, address_on_file, assign, close, intake, open_from_message,
    reclassify, verify, verify_confirmed,
};

/// The actor recorded for what the bot itself does.
pub const BOT_ACTOR: &str = "rightsbot";
