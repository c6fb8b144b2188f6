//! A real Dovecot + Postfix on loopback for one test, started by `scripts/mailstack`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use rightsbot::config::Config;
use rightsbot::intake::imap::ImapSource;

use super::{bin, repo};

pub struct MailStack {
    pub dir: tempfile::TempDir,
    pub env: HashMap<String, String>,
}

impl MailStack {
    /// Starts a stack in a fresh temp dir. Fails the test with the script's message if the
    /// mail servers are not installed (scripts/test installs them).
    pub fn up() -> MailStack {
        MailStack::up_with(&[])
    }

    /// Starts a stack with `scripts/mailstack` settings from its environment
    /// (`MAILSTACK_IDLE_NOTIFY`: seconds between IDLE keepalives).
    pub fn up_with(settings: &[(&str, &str)]) -> MailStack {
        let dir = tempfile::tempdir().expect("temp dir");
        let output = Command::new(repo().join("scripts/mailstack"))
            .arg("up")
            .arg(dir.path())
            .envs(settings.iter().copied())
            .output()
            .expect("run mailstack");
        assert!(
            output.status.success(),
            "mailstack up failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let text = std::fs::read_to_string(dir.path().join("env")).expect("mailstack env");
        let env = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix("export ").or(Some(line.trim())))
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| {
                (
                    k.trim().to_string(),
                    v.trim().trim_matches(|c| c == '"' || c == '\'').to_string(),
                )
            })
            .collect();
        MailStack { dir, env }
    }

    pub fn var(&self, name: &str) -> &str {
        self.env
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("{name} missing from mailstack env"))
    }

    pub fn port(&self, name: &str) -> u16 {
        self.var(name).parse().expect("port number")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The ready config the script wrote.
    pub fn config(&self) -> PathBuf {
        self.dir.path().join("rightsbot.toml")
    }

    /// Writes a config next to the stack's, with `edit` applied to its text.
    pub fn config_with(&self, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
        let text = std::fs::read_to_string(self.config()).expect("stack config");
        let path = self.dir.path().join(name);
        std::fs::write(&path, edit(text)).expect("write config");
        path
    }

    pub fn restart_imap(&self) {
        let status = Command::new(repo().join("scripts/mailstack"))
            .arg("restart-imap")
            .arg(self.path())
            .status()
            .expect("run mailstack");
        assert!(status.success(), "mailstack restart-imap failed");
    }

    /// The request mailbox's Maildir, for loading many messages without SMTP.
    pub fn request_maildir(&self) -> PathBuf {
        self.dir
            .path()
            .join("mail")
            .join(self.var("MAILSTACK_REQUEST_USER"))
    }

    /// Sends one mail through Postfix with SMTP AUTH as the customer to the request address.
    pub fn send(&self, subject: &str, body: &str, message_id: &str) {
        let to = self.var("MAILSTACK_REQUEST_ADDRESS").to_string();
        self.send_to(&to, "", subject, body, message_id);
    }

    /// Sends one mail through Postfix with SMTP AUTH as the customer to `to`, with
    /// `extra_headers` (each ending in CRLF) before the others.
    pub fn send_to(
        &self,
        to: &str,
        extra_headers: &str,
        subject: &str,
        body: &str,
        message_id: &str,
    ) {
        let from = self.var("MAILSTACK_CUSTOMER_ADDRESS").to_string();
        let user = self.var("MAILSTACK_CUSTOMER_USER").to_string();
        let password = self.var("MAILSTACK_CUSTOMER_PASSWORD").to_string();
        let stream = TcpStream::connect(("127.0.0.1", self.port("MAILSTACK_SMTP_PORT")))
            .expect("connect SMTP");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut writer = stream;
        let expect = |code: &str, reader: &mut BufReader<TcpStream>| loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("SMTP reply");
            assert!(
                line.starts_with(code),
                "SMTP: expected {code}, got {line:?}"
            );
            if line.as_bytes().get(3) == Some(&b' ') {
                break;
            }
        };
        expect("220", &mut reader);
        let mut say = |line: &str, code: &str, reader: &mut BufReader<TcpStream>| {
            writer
                .write_all(format!("{line}\r\n").as_bytes())
                .expect("SMTP write");
            expect(code, reader);
        };
        say("EHLO test.example.test", "250", &mut reader);
        let token = STANDARD.encode(format!("\0{user}\0{password}"));
        say(&format!("AUTH PLAIN {token}"), "235", &mut reader);
        say(&format!("MAIL FROM:<{from}>"), "250", &mut reader);
        say(&format!("RCPT TO:<{to}>"), "250", &mut reader);
        say("DATA", "354", &mut reader);
        let message = format!(
            "{extra_headers}From: Customer <{from}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
             Date: Mon, 23 Nov 2026 10:00:00 +0200\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n."
        );
        say(&message, "250", &mut reader);
        say("QUIT", "221", &mut reader);
    }
}

impl Drop for MailStack {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("scripts/mailstack"))
            .arg("down")
            .arg(self.dir.path())
            .status();
    }
}

/// Runs the binary with the config at `config`.
pub fn rightsbot(config: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RIGHTSBOT_LOG")
        .output()
        .expect("run rightsbot")
}

/// Runs the binary with `--json` and reads its one JSON value.
pub fn json(config: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let output = rightsbot(config, &all);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

/// A single-threaded runtime with timers and I/O, for a test that drives the IMAP intake.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Logs in to the request mailbox as the config's [mailbox] does.
pub async fn connect(config: &Path) -> ImapSource {
    let config = Config::load(config).expect("config");
    let mailbox = config.mailbox.expect("mailbox");
    let password = mailbox.password().expect("password");
    ImapSource::connect(&mailbox, &password)
        .await
        .expect("connect")
}

/// Runs `f` on a session with the request mailbox, as the config's [mailbox] logs in.
pub fn on_mailbox<T>(config: &Path, f: impl AsyncFnOnce(&mut ImapSource) -> T) -> T {
    runtime().block_on(async {
        let mut source = connect(config).await;
        let result = f(&mut source).await;
        source.logout().await;
        result
    })
}
