//! Intake: where raw messages come from.
//!
//! Hands on bytes exactly as stored by the mail system, with where they came from and any
//! delivery time the source itself records. Nothing here parses a message or decides about
//! it; a message leaves its source only after the case stage has committed it.
//!
//! Today: files, folders of `.eml` files and Maildirs ([`offline`]). The IMAP intake joins
//! here as a sibling module.

pub mod imap;
pub mod offline;
