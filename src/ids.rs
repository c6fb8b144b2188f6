//! Identifiers that staff and the data subject see, and the ones the store keys on.
//!
//! A case id is what goes into the subject of every reply (`[DSR-2026-0042]`), so it has
//! one user form, parsed back strictly. Row ids of the store stay opaque newtypes so a
//! message id can never be passed where a case id is meant.

use std::fmt;
use std::str::FromStr;

/// A case: the year of receipt and a sequence number within that year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseId {
    pub year: i16,
    pub seq: u32,
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DSR-{:04}-{:04}", self.year, self.seq)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a case id: {0:?} (expected DSR-YYYY-NNNN)")]
pub struct CaseIdError(pub String);

impl FromStr for CaseId {
    type Err = CaseIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || CaseIdError(s.to_string());
        let trimmed = s.trim();
        let rest = trimmed
            .strip_prefix("DSR-")
            .or_else(|| trimmed.strip_prefix("dsr-"))
            .ok_or_else(err)?;
        let (year, seq) = rest.split_once('-').ok_or_else(err)?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !digits(year) || !digits(seq) || seq.len() > 9 {
            return Err(err());
        }
        let year: i16 = year.parse().map_err(|_| err())?;
        let seq: u32 = seq.parse().map_err(|_| err())?;
        if seq == 0 {
            return Err(err());
        }
        Ok(CaseId { year, seq })
    }
}

impl CaseId {
    /// Finds the first `[DSR-YYYY-NNNN]` token in a subject line. Replies from mail
    /// clients keep the subject, so this joins a follow-up that lost its threading headers.
    pub fn find_in_subject(subject: &str) -> Option<CaseId> {
        let mut rest = subject;
        while let Some(start) = rest.find('[') {
            let after = &rest[start + 1..];
            if let Some(end) = after.find(']')
                && let Ok(id) = after[..end].parse()
            {
                return Some(id);
            }
            rest = after;
        }
        None
    }
}

/// The store's key of one stored message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageKey(pub i64);

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "M{}", self.0)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a message id: {0:?} (expected M followed by a number, e.g. M4)")]
pub struct MessageKeyError(String);

impl FromStr for MessageKey {
    type Err = MessageKeyError;

    /// Only the form `inbox` and `show` print (`M4`), so a typo never names another message.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        canonical_number(s, 'M')
            .map(MessageKey)
            .ok_or_else(|| MessageKeyError(s.to_string()))
    }
}

/// The number in `PREFIX<n>` written as the program prints it: the upper-case prefix, then
/// digits with no leading zero. `d3` and `D03` are refused, so an id is read one way only.
fn canonical_number(text: &str, prefix: char) -> Option<i64> {
    let digits = text.strip_prefix(prefix)?;
    let well_formed = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    well_formed.then(|| digits.parse().ok()).flatten()
}

/// A draft reply: `D12` to people. Every version of a draft has its own id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DraftId(pub i64);

impl fmt::Display for DraftId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "D{}", self.0)
    }
}

impl serde::Serialize for DraftId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a draft id: {0:?} (expected D followed by a number, e.g. D12)")]
pub struct DraftIdError(String);

impl std::str::FromStr for DraftId {
    type Err = DraftIdError;

    /// Only the form the program prints (`D12`): `d12` and `D012` are refused.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        canonical_number(s, 'D')
            .map(DraftId)
            .ok_or_else(|| DraftIdError(s.to_string()))
    }
}

/// A Message-ID header value without its angle brackets, as the threading headers name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct MessageId(String);

impl MessageId {
    /// Normalises a Message-ID as written in a header: brackets and whitespace dropped.
    /// An empty id is no id.
    pub fn new(raw: &str) -> Option<MessageId> {
        let id = raw
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        (!id.is_empty()).then(|| MessageId(id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_id_round_trips() {
        let id = CaseId {
            year: 2026,
            seq: 42,
        };
        assert_eq!(id.to_string(), "DSR-2026-0042");
        assert_eq!("DSR-2026-0042".parse(), Ok(id));
        assert_eq!("DSR-2026-12345".parse::<CaseId>().map(|c| c.seq), Ok(12345));
    }

    #[test]
    fn case_id_rejects_near_misses() {
        for bad in [
            "DSR-26-0042",
            "DSR-2026-",
            "DSR-2026-00x2",
            "2026-0042",
            "DSR-2026-0000",
            "",
        ] {
            assert!(bad.parse::<CaseId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn finds_token_in_subject() {
        let id = CaseId::find_in_subject("Re: [External] Re: [DSR-2026-0007] Tietopyyntö");
        assert_eq!(id, Some(CaseId { year: 2026, seq: 7 }));
        assert_eq!(CaseId::find_in_subject("Re: [DSR-2026] huh"), None);
        assert_eq!(CaseId::find_in_subject("[unclosed DSR-2026-0001"), None);
    }

    #[test]
    fn draft_id_round_trips() {
        assert_eq!("D12".parse(), Ok(DraftId(12)));
        assert_eq!(DraftId(12).to_string(), "D12");
        for bad in [
            "12",
            "D",
            "D0",
            "D-1",
            "D1x",
            "DSR-2026-0001",
            "d3",
            "D03",
            " D3",
        ] {
            assert!(bad.parse::<DraftId>().is_err(), "{bad}");
        }
        assert_eq!("M4".parse(), Ok(MessageKey(4)));
        for bad in ["m4", "M04", "4", "M"] {
            assert!(bad.parse::<MessageKey>().is_err(), "{bad}");
        }
    }

    #[test]
    fn message_id_drops_brackets() {
        assert_eq!(
            MessageId::new(" <a@b> ").map(|m| m.as_str().to_string()),
            Some("a@b".into())
        );
        assert_eq!(MessageId::new("<>"), None);
    }
}
