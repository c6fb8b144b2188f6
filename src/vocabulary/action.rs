//! What must be done for a right, and where that stands: the words the action list of a
//! case is written in (`actions` derives it, the store keeps it, replies report it).

use std::fmt;

use serde::{Deserialize, Serialize};

/// One deed a right asks of the controller in one of its systems.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Erase the person's records from a source (Art. 17), or the fields of kept records
    /// that no law keeps (`target` names them).
    Erase,
    /// Keep bookkeeping records, restricted, until a date (Art. 17(3)(b); Kirjanpitolaki
    /// 2:10 §), then erase them.
    Keep,
    /// Correct the person's current data in a source (Art. 16).
    Correct,
    /// Restrict processing in a source (Art. 18).
    Restrict,
    /// Stop a processing the person objected to or withdrew consent from (Art. 21(1), 7(3)).
    Stop,
    /// Stop direct marketing from a source to the person (Art. 21(2)–(3)).
    StopMarketing,
    /// Put the address on the suppression list: the bot does it itself, at once.
    Suppress,
    /// Tell a recipient of the data of an erasure, correction or restriction (Art. 19).
    Notify,
    /// Delete an identity document a person sent as an attachment, once identity is decided
    /// (Art. 5(1)(c), (e)): a recorded redaction of the stored mail.
    Delete,
}

super::names!(ActionKind {
    Erase => "erase",
    Keep => "keep",
    Correct => "correct",
    Restrict => "restrict",
    Stop => "stop",
    StopMarketing => "stop_marketing",
    Suppress => "suppress",
    Notify => "notify",
    Delete => "delete",
});

impl ActionKind {
    /// Whether a reply reports this action to the person (its rights ask for it); the
    /// bot's own housekeeping (deleting an identity document) is not the reply's subject.
    pub fn reported_in_reply(self) -> bool {
        self != ActionKind::Delete
    }
}

/// Where an action stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    /// To be done.
    Open,
    /// Done, by whom and when recorded.
    Done,
    /// Not needed after all, with the reason (the person holds no such field there; the
    /// case's rights changed).
    NotNeeded,
    /// Held with a reason (Art. 17(3)(e): a dispute, a claim).
    Held,
}

super::names!(ActionState {
    Open => "open",
    Done => "done",
    NotNeeded => "not_needed",
    Held => "held",
});

impl ActionState {
    /// Whether the action still asks something of someone.
    pub fn is_open(self) -> bool {
        self == ActionState::Open
    }
}

/// An action as staff name it: `A3`, the third of its case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionNumber(pub u32);

impl fmt::Display for ActionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "A{}", self.0)
    }
}

impl Serialize for ActionNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl ActionNumber {
    /// `A3`, `a3` or `3`.
    pub fn parse(text: &str) -> Option<ActionNumber> {
        let text = text.trim();
        let digits = text
            .strip_prefix('A')
            .or_else(|| text.strip_prefix('a'))
            .unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0).map(ActionNumber)
    }
}
