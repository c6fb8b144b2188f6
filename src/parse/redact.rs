//! Removing one attachment from a stored mail: the only change to stored bytes besides a
//! purge. An identity document sent to prove who someone is must not be kept once identity
//! is decided (Art. 5(1)(c), (e)); the rest of the mail stays byte for byte, and the part
//! is replaced by a short plain-text note saying what was there.

use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

/// The name of the part that takes a removed attachment's place: still an attachment, so
/// the others keep their places.
pub const REMOVED: &str = "removed.txt";

/// What a redaction removed, and the mail without it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redacted {
    /// The mail with the part replaced by the note.
    pub raw: Vec<u8>,
    pub name: Option<String>,
    pub content_type: String,
    /// SHA-256 of the removed part's bytes as they were stored (headers and body).
    pub removed_sha256: [u8; 32],
    /// The removed part's size in bytes, as stored.
    pub removed_size: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RedactError {
    #[error("the mail cannot be read as a mail")]
    Unreadable,
    #[error("the mail has no attachment {index} (it has {count})")]
    NoSuchAttachment { index: usize, count: usize },
    #[error("the mail has a single part: removing its only attachment would remove the mail")]
    WholeMessage,
}

/// Replaces the `index`th attachment (in the order [`super::parse`] lists them) with a
/// `text/plain` attachment named [`REMOVED`] holding `note` (one line).
pub fn remove_attachment(raw: &[u8], index: usize, note: &str) -> Result<Redacted, RedactError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(RedactError::Unreadable)?;
    let count = message.attachments().count();
    let part = message
        .attachments()
        .nth(index)
        .ok_or(RedactError::NoSuchAttachment { index, count })?;
    let start = part.offset_header as usize;
    let end = (part.offset_end as usize).min(raw.len());
    if start == 0 || start >= end {
        return Err(RedactError::WholeMessage);
    }
    let removed = &raw[start..end];
    let content_type = super::part_type(part);
    let name = part.attachment_name().map(str::to_string);
    // The part ends where the next boundary's line break starts; keep that break.
    let note_line: String = note.chars().filter(|c| !c.is_control()).collect();
    let replacement = format!(
        "Content-Type: text/plain; charset=utf-8; name=\"{REMOVED}\"\r\nContent-Transfer-Encoding: 8bit\r\nContent-Disposition: attachment; filename=\"{REMOVED}\"\r\n\r\n{note_line}\r\n"
    );
    let mut out = Vec::with_capacity(raw.len() - removed.len() + replacement.len());
    out.extend_from_slice(&raw[..start]);
    out.extend_from_slice(replacement.as_bytes());
    // Keep the line break before the next boundary as the original had it.
    let tail = &raw[end..];
    let tail = tail
        .strip_prefix(b"\r\n")
        .or_else(|| tail.strip_prefix(b"\n"))
        .unwrap_or(tail);
    out.extend_from_slice(tail);
    Ok(Redacted {
        raw: out,
        name,
        content_type,
        removed_sha256: Sha256::digest(removed).into(),
        removed_size: removed.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = "From: Priya <priya@example.test>\r\nTo: privacy@example.test\r\nSubject: my ID\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere is my passport.\r\n--b1\r\nContent-Type: image/jpeg; name=\"passport.jpg\"\r\nContent-Disposition: attachment; filename=\"passport.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////\r\n--b1\r\nContent-Type: application/pdf; name=\"receipt.pdf\"\r\nContent-Disposition: attachment; filename=\"receipt.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";

    #[test]
    fn the_attachment_goes_and_everything_else_stays() {
        let redacted =
            remove_attachment(MAIL.as_bytes(), 0, "[removed: passport.jpg]").expect("redacted");
        let text = String::from_utf8(redacted.raw.clone()).expect("utf-8");
        assert!(!text.contains("/9j/4AAQ"), "{text}");
        assert!(text.contains("[removed: passport.jpg]"), "{text}");
        assert_eq!(redacted.name.as_deref(), Some("passport.jpg"));
        assert_eq!(redacted.content_type, "image/jpeg");
        let mail = crate::parse::parse(&redacted.raw).expect("still a mail");
        assert_eq!(mail.subject, "my ID");
        assert!(mail.text.contains("Here is my passport."), "{}", mail.text);
        let names: Vec<_> = mail.attachments.iter().map(|a| a.name.clone()).collect();
        assert_eq!(
            names,
            vec![Some(REMOVED.to_string()), Some("receipt.pdf".to_string())]
        );
        // Everything before the part is byte for byte the same.
        let start = MAIL.find("Content-Type: image/jpeg").expect("part");
        assert_eq!(&redacted.raw[..start], &MAIL.as_bytes()[..start]);
        assert!(text.ends_with("JVBERi0xLjQK\r\n--b1--\r\n"), "{text}");
    }

    #[test]
    fn a_missing_attachment_or_a_single_part_mail_is_refused() {
        assert_eq!(
            remove_attachment(MAIL.as_bytes(), 2, "x"),
            Err(RedactError::NoSuchAttachment { index: 2, count: 2 })
        );
        let plain = "From: a@example.test\r\nSubject: hi\r\n\r\nhello\r\n";
        assert!(remove_attachment(plain.as_bytes(), 0, "x").is_err());
    }
}
