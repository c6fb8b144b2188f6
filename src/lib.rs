//! rightsbot answers GDPR data-subject rights requests that arrive by e-mail.
//!
//! The modules follow the pipeline, in the order data flows through them (blank lines keep
//! rustfmt from sorting them).

/// Raw messages from IMAP or files.
pub mod intake;

/// Bytes → `Mail`.
pub mod parse;

/// `Mail` → the rights asked, the language.
pub mod classify;

/// The controller's records, from CSV exports.
pub mod register;

/// Requester → register entries, identity outcome.
pub mod matching;

pub mod actions;

/// A request's life: dedupe, join or open, deadline, audit trail.
pub mod case;

/// Case → the reply the law requires, rendered from templates.
pub mod draft;

/// What staff decide about drafts.
pub mod approve;

/// The SMTP client (a transport, like intake's IMAP).
pub mod smtp;

/// Approved replies out over SMTP, exactly once.
pub mod send;

/// Staff digests before deadlines.
pub mod remind;

/// The figures for the supervisory authority.
pub mod report;

/// The law of time limits.
pub mod deadline;

/// The one SQLite file.
pub mod store;

/// One function per use-case, over the stages: what a front end calls.
pub mod app;

/// The mailbox loop.
pub mod daemon;

/// What the daemon tells systemd: ready, reloading, stopping, still alive.
pub mod supervisor;

/// `config check --connect`: do the configured mail servers answer?
pub mod probe;

/// One file per subcommand: argument parsing and printing over `app`.
pub mod cli;

/// The staff console: web pages over `app`.
pub mod web;

pub mod config;
pub mod fault;
pub mod ids;
pub mod lang;
pub mod vocabulary;
