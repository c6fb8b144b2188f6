//! The daemon as systemd runs it: the sd_notify messages of a `Type=notify` unit with a
//! watchdog, a reload on SIGHUP, and the password as a systemd credential. The test binds
//! the notify socket itself, so no systemd is needed. The IMAP server is mostly a port
//! nothing listens on, since READY must come even when the first login fails; one test
//! logs in to the real mail stack with the password as a credential.

mod support;

use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::mailstack::MailStack;
use support::{Sandbox, bin, free_port};

/// Generous: the daemon answers in milliseconds, a loaded CI machine may take seconds.
const LIMIT: Duration = Duration::from_secs(60);

/// A config whose mailbox cannot be reached, its password a systemd credential.
fn sandbox() -> Sandbox {
    let config = format!(
        "{}\n[mailbox]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nuser = \"request\"\npassword_file = \"$CREDENTIALS_DIRECTORY/imap\"\n",
        support::CONFIG,
        free_port()
    );
    let sandbox = Sandbox::with_config(&config);
    let credentials = sandbox.path().join("credentials");
    std::fs::create_dir(&credentials).expect("credentials folder");
    std::fs::write(credentials.join("imap"), "secret\n").expect("credential");
    sandbox
}

/// The notify socket a service manager would bind, and what arrives on it.
struct NotifySocket {
    socket: UnixDatagram,
    path: std::path::PathBuf,
    received: Vec<String>,
}

impl NotifySocket {
    fn bind(folder: &std::path::Path) -> NotifySocket {
        let path = folder.join("notify");
        let socket = UnixDatagram::bind(&path).expect("bind the notify socket");
        NotifySocket {
            socket,
            path,
            received: Vec::new(),
        }
    }

    /// Waits until a datagram has a line equal to `line`; returns that datagram.
    fn wait_for(&mut self, line: &str, daemon: &mut Child) -> String {
        let started = Instant::now();
        let mut buffer = vec![0; 4096];
        loop {
            let left = LIMIT.saturating_sub(started.elapsed());
            assert!(
                !left.is_zero(),
                "no {line:?} within {LIMIT:?}; received {:?}",
                self.received
            );
            if let Ok(Some(status)) = daemon.try_wait() {
                panic!(
                    "the daemon exited ({status}) before {line:?}; received {:?}",
                    self.received
                );
            }
            // Short reads, so an exited daemon is noticed; the limit is what bounds the wait.
            self.socket
                .set_read_timeout(Some(left.min(Duration::from_millis(500))))
                .expect("timeout");
            let Ok(length) = self.socket.recv(&mut buffer) else {
                continue;
            };
            let datagram = String::from_utf8_lossy(&buffer[..length]).into_owned();
            self.received.push(datagram.clone());
            if datagram.lines().any(|l| l == line) {
                return datagram;
            }
        }
    }
}

fn start(sandbox: &Sandbox, notify: &NotifySocket, watchdog: Option<&str>) -> Child {
    start_with(
        &sandbox.config,
        &sandbox.path().join("credentials"),
        notify,
        watchdog,
    )
}

fn start_with(
    config: &std::path::Path,
    credentials: &std::path::Path,
    notify: &NotifySocket,
    watchdog: Option<&str>,
) -> Child {
    let mut command: Command = bin();
    command
        .arg("--config")
        .arg(config)
        .arg("run")
        .env("NOTIFY_SOCKET", &notify.path)
        .env("CREDENTIALS_DIRECTORY", credentials)
        .env_remove("WATCHDOG_PID")
        .env("RIGHTSBOT_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match watchdog {
        Some(usec) => command.env("WATCHDOG_USEC", usec),
        None => command.env_remove("WATCHDOG_USEC"),
    };
    command.spawn().expect("start the daemon")
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{name}");
}

#[test]
fn ready_after_a_failed_login_then_watchdog_reload_and_stop() {
    let sandbox = sandbox();
    let mut notify = NotifySocket::bind(sandbox.path());
    // A 2 s watchdog: a ping is due every second.
    let mut daemon = start(&sandbox, &notify, Some("2000000"));

    let ready = notify.wait_for("READY=1", &mut daemon);
    // The failed login is the status systemctl shows, not a hang.
    assert!(
        ready.contains("STATUS=cannot reach the mailbox"),
        "{ready:?}"
    );
    // Pings come on their own, with no mail and no signal.
    notify.wait_for("WATCHDOG=1", &mut daemon);
    notify.wait_for("WATCHDOG=1", &mut daemon);

    signal(&daemon, "HUP");
    notify.wait_for("RELOADING=1", &mut daemon);
    let again = notify.wait_for("READY=1", &mut daemon);
    assert!(again.contains("templates re-read"), "{again:?}");
    // Still running, still pinging.
    notify.wait_for("WATCHDOG=1", &mut daemon);

    signal(&daemon, "TERM");
    notify.wait_for("STOPPING=1", &mut daemon);
    let status = support::daemon::wait_exit(&mut daemon, "the daemon did not stop");
    assert!(status.success(), "{status}");
}

#[test]
fn ready_once_logged_in_to_the_mail_server_with_the_credential() {
    let stack = MailStack::up();
    let config = stack.config_with("credential.toml", |text| {
        text.replace(
            "password_file = \"passwords/request\"",
            "password_file = \"$CREDENTIALS_DIRECTORY/request\"",
        )
    });
    let folder = tempfile::tempdir().expect("temp dir");
    let mut notify = NotifySocket::bind(folder.path());
    let mut daemon = start_with(
        &config,
        &stack.path().join("passwords"),
        &notify,
        Some("10000000"),
    );
    let ready = notify.wait_for("READY=1", &mut daemon);
    assert!(ready.contains("STATUS=reading the mailbox"), "{ready:?}");
    signal(&daemon, "TERM");
    notify.wait_for("STOPPING=1", &mut daemon);
    assert!(support::daemon::wait_exit(&mut daemon, "the daemon did not stop").success());
}

#[test]
fn no_watchdog_pings_without_watchdog_usec() {
    let sandbox = sandbox();
    let mut notify = NotifySocket::bind(sandbox.path());
    let mut daemon = start(&sandbox, &notify, None);
    notify.wait_for("READY=1", &mut daemon);
    signal(&daemon, "TERM");
    notify.wait_for("STOPPING=1", &mut daemon);
    support::daemon::wait_exit(&mut daemon, "the daemon did not stop");
    assert!(
        !notify.received.iter().any(|d| d.contains("WATCHDOG=1")),
        "{:?}",
        notify.received
    );
}

#[test]
fn config_check_names_the_credential_and_says_when_it_is_unreachable() {
    let sandbox = sandbox();
    let output = bin()
        .arg("--config")
        .arg(&sandbox.config)
        .args(["config", "check"])
        .env_remove("CREDENTIALS_DIRECTORY")
        .output()
        .expect("config check");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("password from the systemd credential imap ($CREDENTIALS_DIRECTORY is not set here: only the service started with LoadCredential=imap:FILE can read it)"),
        "{text}"
    );

    // `run` without it stops at once with the reason, naming the setting.
    let output = bin()
        .arg("--config")
        .arg(&sandbox.config)
        .args(["run", "--once"])
        .env_remove("CREDENTIALS_DIRECTORY")
        .output()
        .expect("run");
    let error = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{error}");
    assert!(
        error.contains("mailbox.password_file is the systemd credential \"imap\", but $CREDENTIALS_DIRECTORY is not set"),
        "{error}"
    );
}
