//! What the daemon tells its service manager (systemd's `sd_notify` protocol): ready,
//! reloading, stopping, and the watchdog's "still alive".
//!
//! It exists so the unit can be `Type=notify` with `WatchdogSec=`: systemd counts the
//! service as started only once the store is open and the first IMAP login has been tried
//! (a wrong password is then a logged, clear error, not a start-up that hangs), and
//! restarts a daemon whose loop has stopped turning. It takes the environment systemd sets
//! (`NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`) and hands on nothing; without
//! `NOTIFY_SOCKET` (a shell, cron, the tests) every call does nothing. It must never fail
//! the daemon: a notification that cannot be sent is logged at debug level and dropped.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sd_notify::NotifyState;
use tracing::debug;

/// The link to the service manager, or to nobody.
pub struct Supervisor {
    /// `NOTIFY_SOCKET` is set.
    enabled: bool,
    /// Half the watchdog's period, as sd_watchdog_enabled(3) advises: a ping is due this
    /// often. `None`: no watchdog.
    ping_every: Option<Duration>,
    last_ping: Mutex<Option<Instant>>,
    ready: AtomicBool,
}

impl Supervisor {
    /// Reads the environment the service manager set. The variables are left in place
    /// (unsetting them is unsafe once threads run, and the daemon starts no children).
    pub fn from_env() -> Supervisor {
        let enabled = std::env::var_os("NOTIFY_SOCKET").is_some_and(|socket| !socket.is_empty());
        let ping_every = sd_notify::watchdog_enabled()
            .filter(|period| enabled && !period.is_zero())
            .map(|period| period / 2);
        Supervisor {
            enabled,
            ping_every,
            last_ping: Mutex::new(None),
            ready: AtomicBool::new(false),
        }
    }

    /// A supervisor that tells nobody anything (`run --once`).
    pub fn none() -> Supervisor {
        Supervisor {
            enabled: false,
            ping_every: None,
            last_ping: Mutex::new(None),
            ready: AtomicBool::new(false),
        }
    }

    /// How often the watchdog wants a ping; `None` when there is no watchdog.
    pub fn ping_every(&self) -> Option<Duration> {
        self.ping_every
    }

    /// Start-up is over: `status` is what `systemctl status` shows. Sent once; later calls
    /// only update the status line.
    pub fn ready(&self, status: &str) {
        if self.ready.swap(true, Ordering::SeqCst) {
            self.send(&[NotifyState::Status(status)]);
        } else {
            self.send(&[NotifyState::Ready, NotifyState::Status(status)]);
        }
    }

    /// A reload (SIGHUP) has begun; `reloaded` ends it.
    pub fn reloading(&self) {
        self.send(&[
            NotifyState::Reloading,
            NotifyState::Status("re-reading the templates"),
        ]);
    }

    /// The reload is done; the service is ready again.
    pub fn reloaded(&self, status: &str) {
        self.send(&[NotifyState::Ready, NotifyState::Status(status)]);
    }

    /// Shutdown has begun: systemd then waits for the exit instead of counting a crash.
    pub fn stopping(&self) {
        self.send(&[
            NotifyState::Stopping,
            NotifyState::Status("finishing the batch in hand"),
        ]);
    }

    /// Pings the watchdog if a ping is due. Callers call it from the loop whose turning
    /// proves the daemon alive, as often as they like.
    pub fn alive(&self) {
        let Some(every) = self.ping_every else {
            return;
        };
        let mut last = self
            .last_ping
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.is_some_and(|at| at.elapsed() < every) {
            return;
        }
        *last = Some(Instant::now());
        drop(last);
        self.send(&[NotifyState::Watchdog]);
    }

    fn send(&self, states: &[NotifyState<'_>]) {
        if !self.enabled {
            return;
        }
        if let Err(err) = sd_notify::notify(states) {
            debug!(error = %err, "cannot notify the service manager");
        }
    }
}
