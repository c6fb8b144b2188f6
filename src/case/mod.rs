//! Case: one request's life, from the first message to the answer, with its deadline and
//! its audit trail.
//!
//! Takes a raw message from intake, has it parsed, and decides what it is: a duplicate of
//! something stored, a message to quarantine, machine-sent mail to keep but never answer, a
//! reply that joins an existing case, or a new request that opens a case with its legal
//! deadline. Every decision is written to the store in the caller's [`Batch`], so it is
//! committed whole or not at all. It never sends anything and never reads a clock: `now`
//! is passed in.

mod admit;
mod identify;
mod staff;
mod standing;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

pub use admit::{Admission, Analysis, Incoming, Settings, Tally, admit, analyse, digest};
pub use identify::{Rematch, find_requester, rematch};
pub use staff::{
    ManualRequest, OnBehalf, StaffError, close, intake, open_from_message, reclassify,
};
pub use standing::{Standing, is_overdue, past_deadline};

/// Where a case stands. Later stages add the states of drafting, approval and sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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

impl CaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Triage => "triage",
            CaseState::Open => "open",
            CaseState::Closed => "closed",
        }
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown case state {0:?}")]
pub struct UnknownState(pub String);

impl FromStr for CaseState {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "triage" => Ok(CaseState::Triage),
            "open" => Ok(CaseState::Open),
            "closed" => Ok(CaseState::Closed),
            other => Err(UnknownState(other.to_string())),
        }
    }
}

/// The actor recorded for what the bot itself does.
pub const BOT_ACTOR: &str = "rightsbot";
