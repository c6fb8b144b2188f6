//! Fault points for the crash tests: the process kills itself (SIGKILL, no clean-up) at a
//! named point when the test sets that point's environment variable. Compiled in only with
//! the `fault-injection` feature, which the test suite turns on (`scripts/test` builds with
//! `--all-features`); a release build has no such points, so no environment variable can
//! make a production daemon crash.

/// After `sending` is recorded and before the SMTP transaction: a reply that never went.
pub const BEFORE_SMTP: &str = "RIGHTSBOT_TEST_CRASH_BEFORE_SMTP";
/// After the server accepted a reply and before that is recorded.
pub const AFTER_SMTP: &str = "RIGHTSBOT_TEST_CRASH_AFTER_SMTP";
/// When queued staff mail is about to be delivered: the row committed, the mail not sent.
pub const BEFORE_STAFF_MAIL: &str = "RIGHTSBOT_TEST_CRASH_BEFORE_STAFF_MAIL";

/// Kills the process at once if the test asked for a crash at `point`.
#[cfg(feature = "fault-injection")]
pub fn crash_at(point: &str) {
    if std::env::var_os(point).is_some() {
        // SAFETY: raise has no preconditions; SIGKILL ends the process at once.
        unsafe {
            libc::raise(libc::SIGKILL);
        }
    }
}

/// Without the `fault-injection` feature: nothing, whatever the environment says.
#[cfg(not(feature = "fault-injection"))]
pub fn crash_at(_point: &str) {}
