//! rightsbot answers GDPR data-subject rights requests that arrive by e-mail.
//!
//! The modules follow the pipeline, a line each, in the order data flows through them.

pub mod case;
pub mod classify;
pub mod cli;
pub mod daemon;
pub mod deadline;
pub mod intake;
pub mod parse;
pub mod store;

pub mod config;
pub mod ids;
pub mod lang;
