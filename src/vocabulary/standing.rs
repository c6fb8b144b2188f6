//! What "open", "answered", "closed" and "overdue" mean, once, for every command and for
//! reminders: `status`, `report`, `cases` and the digests count by these rules and no other.
//!
//! Takes a case's state, whether a substantive answer went out, its deadline and today;
//! hands back where the case stands. Pure: it reads no clock and no store. Which drafts
//! count as an answer is `draft::Purpose::answers_request` (and the store's query built
//! from it): the reply to the rights asked (a refusal with its reasons is such a reply),
//! or word that nothing was found. An acknowledgement, a request for information and an
//! extension notice are not answers: the last two change the deadline, not the answer.

use jiff::civil::Date;
use serde::Serialize;

use super::CaseState;

/// Where a case stands, as staff are told and every figure counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Open and waiting for a person to say what it asks (the classifier was unsure).
    Triage,
    /// Open: no substantive answer has gone out and it is not closed.
    Open,
    /// A substantive answer went out; the case is not closed yet.
    Answered,
    /// Closed, answered or not.
    Closed,
}

impl Standing {
    pub const ALL: [Standing; 4] = [
        Standing::Triage,
        Standing::Open,
        Standing::Answered,
        Standing::Closed,
    ];

    /// Where a case in `state` stands; `answered` when a substantive answer was sent.
    pub fn of(state: CaseState, answered: bool) -> Standing {
        match state {
            CaseState::Closed => Standing::Closed,
            _ if answered => Standing::Answered,
            CaseState::Triage => Standing::Triage,
            CaseState::Open => Standing::Open,
        }
    }

    /// Still owes the data subject an answer: neither answered nor closed.
    pub fn is_open(self) -> bool {
        matches!(self, Standing::Triage | Standing::Open)
    }

    /// Open and past its deadline on `today`. An answered or closed case is never overdue.
    pub fn is_overdue(self, deadline: Date, today: Date) -> bool {
        self.is_open() && past_deadline(deadline, today)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Triage => "triage",
            Standing::Open => "open",
            Standing::Answered => "answered",
            Standing::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for Standing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `today` is after the last day to answer. The deadline day itself is in time
/// (Art. 12(3): "within one month"), so a case is overdue from the day after.
pub fn past_deadline(deadline: Date, today: Date) -> bool {
    today > deadline
}

/// Whether a case in `state` with this answer and deadline is open and overdue on `today`:
/// the test reminders, `status`, `report` and `cases --overdue` share.
pub fn is_overdue(state: CaseState, answered: bool, deadline: Date, today: Date) -> bool {
    Standing::of(state, answered).is_overdue(deadline, today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn answered_and_closed_cases_are_never_overdue() {
        let deadline = date(2026, 12, 3);
        let late = date(2026, 12, 10);
        assert!(is_overdue(CaseState::Open, false, deadline, late));
        assert!(is_overdue(CaseState::Triage, false, deadline, late));
        assert!(!is_overdue(CaseState::Open, true, deadline, late));
        assert!(!is_overdue(CaseState::Closed, false, deadline, late));
        assert!(!is_overdue(CaseState::Open, false, deadline, deadline));
        assert_eq!(Standing::of(CaseState::Closed, true), Standing::Closed);
        assert_eq!(Standing::of(CaseState::Triage, true), Standing::Answered);
        for standing in Standing::ALL {
            assert_eq!(Standing::parse(standing.as_str()), Some(standing));
        }
    }
}
