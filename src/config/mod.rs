//! The configuration file: who the controller is, where the store lives.
//!
//! Loaded and checked once at start, then passed explicitly to whatever needs it. Every
//! error names the file, the line and column, and the key (`rightsbot.toml:7:1: unknown key
//! "privcy_address" in [controller]`), because the person fixing it has only the file in
//! front of them. Relative paths resolve against the folder of the config file, so a config
//! works the same from any working directory. Secrets are never values in this file: a key
//! names an environment variable (`…_env`) or a file (`…_file`) that holds them.

use std::fmt;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer};

use crate::lang::Lang;

mod register;

pub use register::{
    ApprovalByMailConfig, ColumnMap, Columns, Delimiter, DescribedRecipient, DraftsConfig,
    Encoding, FinancialYearEnd, IdentityConfig, KeepRule, LawfulBasis, Localized, PhoneRegion,
    Recipient, RecipientRole, RegisterConfig, RemindersConfig, RetentionConfig, SourceCommand,
    SourceConfig, SourceName, Transfer,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub controller: Controller,
    #[serde(default)]
    pub store: StoreConfig,
    #[serde(default)]
    pub ingest: IngestConfig,
    /// The request mailbox (IMAP). Needed by `run` and `status`.
    pub mailbox: Option<MailboxConfig>,
    /// The mail server replies go out through. Without it, approved replies are written to
    /// the outbox folder.
    pub smtp: Option<SmtpConfig>,
    /// The controller's records: CSV exports of its systems.
    #[serde(default)]
    pub register: RegisterConfig,
    /// How identity is judged, and what a draft does about it.
    #[serde(default)]
    pub identity: IdentityConfig,
    /// How long records are kept.
    #[serde(default)]
    pub retention: RetentionConfig,
    /// Reply drafts: templates, outbox, what replies state beyond the register.
    #[serde(default)]
    pub drafts: DraftsConfig,
    /// Approving drafts by replying to a review mail.
    #[serde(default)]
    pub approval_by_mail: ApprovalByMailConfig,
    /// Staff digests before deadlines.
    #[serde(default)]
    pub reminders: RemindersConfig,
    /// Rules every approval obeys, whatever the channel.
    #[serde(default)]
    pub approval: ApprovalConfig,
    /// The staff console (`rightsbot web`, and `rightsbot run` when this is present).
    pub web: Option<WebConfig>,
}

/// Rules every approval obeys, from the console, the command line or mail.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalConfig {
    /// Nobody approves a draft whose text they wrote themselves (an edit).
    #[serde(default)]
    pub four_eyes: bool,
}

/// The staff console.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// Where the console listens. A non-loopback address needs TLS: `tls_cert_file` and
    /// `tls_key_file`, or `behind_tls_proxy`.
    #[serde(default = "default_web_listen")]
    pub listen: std::net::SocketAddr,
    /// The console's certificate chain (PEM), for HTTPS served by rightsbot itself.
    pub tls_cert_file: Option<PathBuf>,
    /// The private key (PEM) of `tls_cert_file`.
    pub tls_key_file: Option<PathBuf>,
    /// The address staff open, e.g. `https://privacy.example.test`: an `https` one makes the
    /// session cookie `Secure`.
    pub public_url: Option<String>,
    /// A TLS-terminating proxy is in front: the console may listen beyond loopback, and
    /// the client's address is the last one in `X-Forwarded-For`.
    #[serde(default)]
    pub behind_tls_proxy: bool,
    /// A session unused this long ends.
    #[serde(default = "default_session_idle_minutes")]
    pub session_idle_minutes: u32,
    /// A session ends this long after login, used or not.
    #[serde(default = "default_session_absolute_hours")]
    pub session_absolute_hours: u32,
    /// Failed logins for one account, within `login_window_minutes`, after which the
    /// account cannot log in until the window has passed.
    #[serde(default = "default_login_failures_per_account")]
    pub login_failures_per_account: u32,
    /// Failed logins from one client address within the window, after which it cannot log in.
    #[serde(default = "default_login_failures_per_address")]
    pub login_failures_per_address: u32,
    #[serde(default = "default_login_window_minutes")]
    pub login_window_minutes: u32,
}

/// A path the config gives relative to itself, made to stand from `base` (its folder).
fn anchor(base: &Path, file: &mut PathBuf) {
    if file.is_relative() {
        *file = base.join(&*file);
    }
}

fn default_web_listen() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 8750))
}

fn default_session_idle_minutes() -> u32 {
    30
}

fn default_session_absolute_hours() -> u32 {
    12
}

fn default_login_failures_per_account() -> u32 {
    5
}

fn default_login_failures_per_address() -> u32 {
    20
}

fn default_login_window_minutes() -> u32 {
    15
}

impl WebConfig {
    /// The session cookie must be `Secure`: staff reach the console over https.
    pub fn secure_cookie(&self) -> bool {
        self.tls().is_some()
            || self
                .public_url
                .as_deref()
                .is_some_and(|url| url.starts_with("https://"))
    }

    /// The certificate and key files, when the console serves HTTPS itself.
    pub fn tls(&self) -> Option<(&Path, &Path)> {
        self.tls_cert_file
            .as_deref()
            .zip(self.tls_key_file.as_deref())
    }

    /// The console's traffic is encrypted: by rightsbot itself or by a proxy in front.
    pub fn encrypted(&self) -> bool {
        self.tls().is_some() || self.behind_tls_proxy
    }
}

/// How the IMAP connection is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (IMAPS, port 993).
    #[default]
    Implicit,
    /// Plain connection upgraded with STARTTLS (port 143).
    Starttls,
    /// No TLS: only for a server on the loopback interface.
    None,
}

/// The mail server replies are sent through.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default 465 for implicit TLS, 587 for STARTTLS, 25 for none.
    pub port: Option<u16>,
    /// Default "starttls".
    pub tls: Option<toml::Spanned<TlsMode>>,
    pub user: Option<String>,
    /// The name of an environment variable that holds the password.
    pub password_env: Option<String>,
    /// A file that holds the password (its first line); relative to the config file.
    pub password_file: Option<PathBuf>,
    /// A PEM file of CA certificates to trust, besides the public roots.
    pub ca_file: Option<PathBuf>,
    /// An address that files what it receives in the Sent folder (e.g. "tietosuoja+Sent@…"
    /// with Dovecot's lmtp_save_to_detail_mailbox). Each reply is sent to it blind in the
    /// same SMTP transaction, so the Sent copy exists exactly when the reply went out, and a
    /// send cut short by a crash is checked against it before it is tried again.
    pub sent_copy: Option<String>,
    /// The IMAP folder where those copies land.
    #[serde(default = "default_sent")]
    pub sent_folder: String,
    /// The From: address of replies; default: the controller's privacy address.
    pub from: Option<String>,
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls() {
            TlsMode::Implicit => 465,
            TlsMode::Starttls => 587,
            TlsMode::None => 25,
        })
    }

    pub fn tls(&self) -> TlsMode {
        self.tls
            .as_ref()
            .map(|tls| *tls.get_ref())
            .unwrap_or(TlsMode::Starttls)
    }

    /// Reads the password from where the config says it is; `None` without a user.
    pub fn password(&self) -> Result<Option<Secret>, ConfigError> {
        if let Some(name) = &self.password_env {
            return std::env::var(name).map(|p| Some(Secret(p))).map_err(|_| {
                ConfigError::Secret(format!(
                    "environment variable {name} (smtp.password_env) is not set"
                ))
            });
        }
        if let Some(path) = &self.password_file {
            return read_password_file(path, "smtp.password_file").map(Some);
        }
        Ok(None)
    }
}

fn default_sent() -> String {
    "Sent".to_string()
}

/// The request mailbox the daemon reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    pub host: String,
    /// Default 993 for implicit TLS, 143 otherwise.
    pub port: Option<u16>,
    /// Default "implicit".
    pub tls: Option<toml::Spanned<TlsMode>>,
    pub user: String,
    /// The name of an environment variable that holds the password.
    pub password_env: Option<String>,
    /// A file that holds the password (its first line); relative to the config file.
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_inbox")]
    pub inbox: String,
    /// Where handled mail is moved, once its case is committed.
    #[serde(default = "default_processed")]
    pub processed_folder: String,
    /// Where mail that could not be parsed is moved.
    #[serde(default = "default_quarantine")]
    pub quarantine_folder: String,
    /// A PEM file of CA certificates to trust (a self-hosted server), besides the public roots.
    pub ca_file: Option<PathBuf>,
    /// Messages fetched and committed per transaction.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// How often to poll when the server has no IDLE, in seconds.
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// How long one IDLE lasts before it is renewed, in seconds (RFC 2177 asks for at most
    /// 29 minutes). The deadline is absolute: server keepalives do not extend it.
    #[serde(default = "default_idle_seconds")]
    pub idle_seconds: u64,
    /// `dedicated` (the default): a mailbox for requests only; every mail read leaves the
    /// inbox. `shared`: the company's everyday mailbox, which customer service reads too;
    /// mail is read without marking it read, only requests (and their follow-ups) leave
    /// the inbox, and what was read is remembered by UID.
    #[serde(default)]
    pub mode: MailboxMode,
    /// In a shared mailbox, what happens to a request: `move` it to the processed folder
    /// (the default), or `copy` it there and leave the original.
    #[serde(default)]
    pub requests: SharedRequests,
}

/// Whose mailbox the daemon reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MailboxMode {
    #[default]
    Dedicated,
    Shared,
}

/// What a shared mailbox does with a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedRequests {
    #[default]
    Move,
    Copy,
}

impl MailboxConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls() {
            TlsMode::Implicit => 993,
            TlsMode::Starttls | TlsMode::None => 143,
        })
    }

    pub fn tls(&self) -> TlsMode {
        self.tls
            .as_ref()
            .map(|tls| *tls.get_ref())
            .unwrap_or_default()
    }

    /// Reads the password from where the config says it is. Never from the config itself.
    pub fn password(&self) -> Result<Secret, ConfigError> {
        if let Some(name) = &self.password_env {
            return std::env::var(name).map(Secret).map_err(|_| {
                ConfigError::Secret(format!(
                    "environment variable {name} (mailbox.password_env) is not set"
                ))
            });
        }
        if let Some(path) = &self.password_file {
            return read_password_file(path, "mailbox.password_file");
        }
        Err(ConfigError::Secret(
            "[mailbox] names no password_env or password_file".to_string(),
        ))
    }
}

/// How a `password_file` names a systemd credential: the unit's `LoadCredential=imap:FILE`
/// copies FILE into a directory only the service can read and passes that directory as
/// `$CREDENTIALS_DIRECTORY`, so the password never sits in a file the service user owns.
/// Only this variable, and only as the first component, is expanded; the expansion happens
/// when the password is read, so every other command still loads the config outside the
/// service.
pub const CREDENTIALS_PREFIX: &str = "$CREDENTIALS_DIRECTORY/";

/// The credential a `password_file` names (`imap` for `$CREDENTIALS_DIRECTORY/imap`).
pub fn credential_name(path: &Path) -> Option<&str> {
    path.to_str()?
        .strip_prefix(CREDENTIALS_PREFIX)
        .filter(|name| !name.is_empty() && !name.contains('/'))
}

/// Where a `password_file` is now: a credential in `$CREDENTIALS_DIRECTORY`, or the path.
pub fn password_path(path: &Path, key: &str) -> Result<PathBuf, ConfigError> {
    let Some(name) = credential_name(path) else {
        return Ok(path.to_path_buf());
    };
    match std::env::var_os("CREDENTIALS_DIRECTORY") {
        Some(folder) if !folder.is_empty() => Ok(Path::new(&folder).join(name)),
        _ => Err(ConfigError::Secret(format!(
            "{key} is the systemd credential {name:?}, but $CREDENTIALS_DIRECTORY is not set: only a service started with LoadCredential={name}:FILE has it (run as the service, or set it to the folder holding {name})"
        ))),
    }
}

/// The first line of a password file (or credential); `key` names the setting in errors.
fn read_password_file(path: &Path, key: &str) -> Result<Secret, ConfigError> {
    let path = password_path(path, key)?;
    let text = std::fs::read_to_string(&path).map_err(|err| {
        ConfigError::Secret(format!(
            "cannot read password file {} ({key}): {err}",
            path.display()
        ))
    })?;
    Ok(Secret(text.lines().next().unwrap_or("").to_string()))
}

/// A password or other secret: its `Debug` never shows it, so it cannot reach a log.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The controller in the GDPR sense: the company whose register the requests are about.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controller {
    pub name: String,
    /// The Finnish business id (Y-tunnus), printed in replies.
    pub business_id: String,
    /// The published address requests arrive at, and replies are sent from.
    pub privacy_address: String,
    /// The reply language when a request's language cannot be told.
    #[serde(default = "default_language")]
    pub default_language: Lang,
    /// The zone whose calendar day counts as the day of receipt.
    #[serde(default)]
    pub timezone: ZoneName,
    /// The public holidays that move a deadline on. Only "FI" exists today.
    #[serde(default)]
    pub holidays: HolidaySet,
    /// Midsummer Eve and Christmas Eve count as closed days. They are not public holidays,
    /// so by default they are working days: the earlier, safe deadline. A controller whose
    /// counsel decides otherwise sets this.
    #[serde(default)]
    pub eves_closed: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// The SQLite database; relative to the config file's folder.
    #[serde(default = "default_store_path")]
    pub path: PathBuf,
    /// How long to wait for another process's write before failing, in milliseconds.
    #[serde(default = "default_busy_timeout_ms")]
    pub busy_timeout_ms: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            path: default_store_path(),
            busy_timeout_ms: default_busy_timeout_ms(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestConfig {
    /// Messages larger than this are never read: they are listed in the quarantine with
    /// their size, and their bytes stay where they are (the file; on the server, the
    /// quarantine folder of a dedicated mailbox, or INBOX of a shared one).
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: u64,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            max_message_bytes: default_max_message_bytes(),
        }
    }
}

fn default_inbox() -> String {
    "INBOX".to_string()
}
fn default_processed() -> String {
    "Processed".to_string()
}
fn default_quarantine() -> String {
    "Quarantine".to_string()
}
fn default_batch_size() -> usize {
    500
}
fn default_poll_seconds() -> u64 {
    30
}
fn default_idle_seconds() -> u64 {
    29 * 60
}
fn default_language() -> Lang {
    Lang::Fi
}
fn default_store_path() -> PathBuf {
    PathBuf::from("rightsbot.db")
}
fn default_busy_timeout_ms() -> u64 {
    5000
}
fn default_max_message_bytes() -> u64 {
    100 * 1024 * 1024
}

/// An IANA time zone name that is known to the bundled zone database.
#[derive(Clone)]
pub struct ZoneName {
    pub name: String,
    pub zone: TimeZone,
}

impl Default for ZoneName {
    fn default() -> Self {
        let name = "Europe/Helsinki".to_string();
        // The zone database is bundled into the binary (jiff's tzdb-bundle-always).
        let zone = TimeZone::get(&name).unwrap_or(TimeZone::UTC);
        ZoneName { name, zone }
    }
}

impl fmt::Debug for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl<'de> Deserialize<'de> for ZoneName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        let zone = TimeZone::get(&name).map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown time zone {name:?} (an IANA name such as \"Europe/Helsinki\")"
            ))
        })?;
        Ok(ZoneName { name, zone })
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum HolidaySet {
    #[default]
    FI,
}

/// Why a config could not be used. Each names the file; syntax and value errors also the
/// line, column and key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no config file: pass --config FILE or set RIGHTSBOT_CONFIG")]
    Missing,
    #[error("cannot read config file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Secret(String),
}

impl Config {
    /// The address replies come from: `[smtp] from`, else the privacy address.
    pub fn sender_address(&self) -> &str {
        self.smtp
            .as_ref()
            .and_then(|smtp| smtp.from.as_deref())
            .unwrap_or(&self.controller.privacy_address)
    }

    /// Reads, parses and checks the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, path, base)
    }

    /// Parses config text; `path` names it in errors and `base` anchors relative paths.
    pub fn parse(text: &str, path: &Path, base: &Path) -> Result<Config, ConfigError> {
        let mut config: Config =
            toml::from_str(text).map_err(|err| describe_toml_error(text, path, &err))?;
        anchor(base, &mut config.store.path);
        if let Some(smtp) = &mut config.smtp {
            check_password_file(smtp.password_file.as_deref(), "smtp", text, path)?;
            for file in [&mut smtp.password_file, &mut smtp.ca_file]
                .into_iter()
                .flatten()
            {
                if credential_name(file).is_none() {
                    anchor(base, file);
                }
            }
            let loopback = matches!(
                smtp.host.as_str(),
                "127.0.0.1" | "localhost" | "::1" | "[::1]"
            );
            if smtp.tls() == TlsMode::None && !loopback {
                let offset = smtp.tls.as_ref().map_or(0, |t| t.span().start);
                let (line, column) = line_column(text, offset.min(text.len()));
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: format!(
                        "tls = \"none\" in [smtp] would send mail and password in clear text; it is allowed only for a server on 127.0.0.1, not {:?}",
                        smtp.host
                    ),
                });
            }
        }
        if let Some(mailbox) = &mut config.mailbox {
            check_password_file(mailbox.password_file.as_deref(), "mailbox", text, path)?;
            for file in [&mut mailbox.password_file, &mut mailbox.ca_file]
                .into_iter()
                .flatten()
            {
                if credential_name(file).is_none() {
                    anchor(base, file);
                }
            }
            check_mailbox(mailbox, text, path)?;
        }
        for folder in [
            Some(&mut config.drafts.outbox),
            config.drafts.templates.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            anchor(base, folder);
        }
        for source in &mut config.register.sources {
            anchor(base, &mut source.file);
        }
        check_sources(&config.register, text, path)?;
        if let Some(web) = &mut config.web {
            for file in [&mut web.tls_cert_file, &mut web.tls_key_file]
                .into_iter()
                .flatten()
            {
                anchor(base, file);
            }
            if web.tls_cert_file.is_some() != web.tls_key_file.is_some() {
                let offset = text.find("tls_").unwrap_or(0);
                let (line, column) = line_column(text, offset);
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: "[web] needs both tls_cert_file and tls_key_file, or neither"
                        .to_string(),
                });
            }
        }
        if let Some(web) = &config.web
            && !web.listen.ip().is_loopback()
            && !web.encrypted()
        {
            let offset = text.find("listen").unwrap_or(0);
            let (line, column) = line_column(text, offset);
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message: format!(
                    "listen = \"{}\" in [web] would carry passwords and personal data in clear text: the console listens beyond 127.0.0.1 only over TLS: tls_cert_file and tls_key_file, or behind_tls_proxy = true (TLS from a proxy in front)",
                    web.listen
                ),
            });
        }
        let by_mail = &config.approval_by_mail;
        if by_mail.enabled && (by_mail.staff_address.is_none() || by_mail.approvers.is_empty()) {
            let offset = text.find("[approval_by_mail]").unwrap_or(0);
            let (line, column) = line_column(text, offset);
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message: "[approval_by_mail] is enabled but has no staff_address or no approvers"
                    .to_string(),
            });
        }
        Ok(config)
    }
}

/// The top-level tables of the config file.
const SECTIONS: &[&str] = &[
    "controller",
    "store",
    "ingest",
    "mailbox",
    "smtp",
    "register",
    "identity",
    "retention",
    "drafts",
    "approval_by_mail",
    "reminders",
    "approval",
    "web",
];

/// Checks what serde cannot see in one source alone: names are unique, and each source maps
/// at least one column a person can be found by.
fn check_sources(register: &RegisterConfig, text: &str, path: &Path) -> Result<(), ConfigError> {
    let at = |needle: &str, nth: usize, message: String| {
        let offset = text.match_indices(needle).nth(nth).map_or(0, |(i, _)| i);
        let (line, column) = line_column(text, offset);
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    for (index, source) in register.sources.iter().enumerate() {
        let name = source.name();
        if register.sources[..index].iter().any(|s| s.name() == name) {
            return Err(at(
                &format!("\"{name}\""),
                1,
                format!("source \"{name}\" is named twice in [[register.sources]]"),
            ));
        }
        let columns = &source.columns;
        if columns.email.is_none()
            && columns.phone.is_none()
            && columns.customer_id.is_none()
            && columns.order.is_none()
        {
            return Err(at(
                &format!("\"{name}\""),
                0,
                format!(
                    "source \"{name}\" maps none of columns.email, columns.phone, columns.customer_id, columns.order: no one could be found in it"
                ),
            ));
        }
    }
    Ok(())
}

/// A `password_file` that starts with `$` must be the one form that is expanded: any
/// other variable would otherwise be taken as a folder named `$HOME` beside the config.
fn check_password_file(
    file: Option<&Path>,
    table: &str,
    text: &str,
    path: &Path,
) -> Result<(), ConfigError> {
    let Some(file) = file else { return Ok(()) };
    if !file.to_string_lossy().starts_with('$') || credential_name(file).is_some() {
        return Ok(());
    }
    let header = text.find(&format!("[{table}]")).unwrap_or(0);
    let offset = text[header..]
        .find("password_file")
        .map_or(header, |at| header + at);
    let (line, column) = line_column(text, offset);
    Err(ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        column,
        message: format!(
            "password_file in [{table}] starts with $ but only \"{CREDENTIALS_PREFIX}NAME\" (a systemd credential) is expanded, not {:?}",
            file.display().to_string()
        ),
    })
}

/// Checks what serde cannot: plaintext only on loopback, exactly one password source.
fn check_mailbox(mailbox: &MailboxConfig, text: &str, path: &Path) -> Result<(), ConfigError> {
    let at = |offset: usize, message: String| {
        let (line, column) = line_column(text, offset.min(text.len()));
        ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let header = text.find("[mailbox]").unwrap_or(0);
    let loopback = matches!(
        mailbox.host.as_str(),
        "127.0.0.1" | "localhost" | "::1" | "[::1]"
    );
    if mailbox.tls() == TlsMode::None && !loopback {
        return Err(at(
            mailbox.tls.as_ref().map_or(header, |tls| tls.span().start),
            format!(
                "tls = \"none\" in [mailbox] would send the password in clear text; it is allowed only for a server on 127.0.0.1, not {:?}",
                mailbox.host
            ),
        ));
    }
    match (&mailbox.password_env, &mailbox.password_file) {
        (Some(_), Some(_)) => Err(at(header, "[mailbox] has both password_env and password_file; keep one".to_string())),
        (None, None) => Err(at(
            header,
            "[mailbox] needs password_env (an environment variable) or password_file (a file) for the password".to_string(),
        )),
        _ => Ok(()),
    }
}

/// Turns a toml error into `file:line:col: what is wrong with which key in which table`.
fn describe_toml_error(text: &str, path: &Path, err: &toml::de::Error) -> ConfigError {
    let offset = err.span().map_or(0, |span| span.start).min(text.len());
    let (line, column) = line_column(text, offset);
    let table = table_at(text, offset);
    let where_ = match &table {
        Some(name) => format!("in [{name}]"),
        None => "at the top level".to_string(),
    };
    let raw = err.message().trim();
    let message = if let Some(key) = backticked_after(raw, "unknown field `") {
        let mut message = format!("unknown key \"{key}\" {where_}");
        let expected = expected_names(raw);
        if let Some(best) = closest(key, &expected) {
            message.push_str(&format!(" (did you mean \"{best}\"?)"));
        } else if !expected.is_empty() {
            message.push_str(&format!(" (expected one of: {})", expected.join(", ")));
        }
        let lower = key.to_ascii_lowercase();
        if ["password", "secret", "token"]
            .iter()
            .any(|word| lower.contains(word))
            && !lower.ends_with("_env")
            && !lower.ends_with("_file")
        {
            message.push_str(
                "; secrets are never kept in the config file: name an environment variable \
                 (…_env) or a file (…_file) instead",
            );
        }
        message
    } else if let Some(key) = backticked_after(raw, "missing field `") {
        // A missing table is reported with the span of the whole document, which may
        // start at some other table's header: tell it apart by name.
        if table.is_none() || SECTIONS.contains(&key) {
            format!("missing section [{key}]")
        } else {
            format!("missing key \"{key}\" {where_}")
        }
    } else if raw.starts_with("duplicate key") {
        // toml names no key here; the line it points at does.
        match (key_on_line(text, offset), table_on_line(text, offset)) {
            (Some(key), _) => format!("duplicate key \"{key}\" {where_}: each key may be set once"),
            (None, Some(name)) => format!("duplicate table [{name}]: each table may appear once"),
            (None, None) => raw.lines().next().unwrap_or(raw).to_string(),
        }
    } else {
        let first_line = raw.lines().next().unwrap_or(raw);
        match key_on_line(text, offset) {
            Some(key) => format!("bad value for key \"{key}\" {where_}: {first_line}"),
            None => first_line.to_string(),
        }
    };
    ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// The name of the `[table]` whose body contains `offset`, if any.
fn table_at(text: &str, offset: usize) -> Option<String> {
    let mut current = None;
    let mut position = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        // The header line itself belongs to the table it opens.
        if trimmed.starts_with('[') && position <= offset {
            let name = trimmed
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            current = Some(name.to_string());
        }
        position += line.len();
        if position > offset {
            break;
        }
    }
    current
}

/// The key assigned on the line that contains `offset`, as in `key = value`.
fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// The name of the table whose header is on the line at `offset`.
fn table_on_line(text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?.trim();
    let name = line.strip_prefix('[')?.trim_start_matches('[');
    let name = name.split(']').next()?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn backticked_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    Some(&rest[..rest.find('`')?])
}

/// The names listed in serde's "expected one of `a`, `b`" tail.
fn expected_names(message: &str) -> Vec<&str> {
    let Some(tail) = message.find("expected").map(|i| &message[i..]) else {
        return Vec::new();
    };
    tail.split('`').skip(1).step_by(2).collect()
}

/// The expected name within edit distance 2 of `key`, for a "did you mean" hint.
fn closest<'a>(key: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|name| (strsim::levenshtein(key, name), *name))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[controller]
name = "Kestokauppa Oy"
business_id = "1234567-1"
privacy_address = "tietosuoja@kestokauppa.example.test"

[store]
path = "data/rightsbot.db"
"#;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("rightsbot.toml"), Path::new("/etc/rb"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_recipient_is_a_plain_name_or_a_name_per_language_with_its_role() {
        let text = format!(
            "{GOOD}\n[[register.sources]]\nname = \"orders\"\nfile = \"orders.csv\"\n\
             recipients = [\"Shipit\", {{ name = {{ fi = \"Klarna (maksut)\", en = \"Klarna (payments)\" }}, role = \"controller\" }}]\n\
             [register.sources.columns]\norder = \"Order\"\n"
        );
        let config = parse(&text).unwrap();
        let source = config.register.source("orders").unwrap();
        let described: Vec<String> = source
            .recipients
            .iter()
            .map(|r| r.describe(Lang::En))
            .collect();
        assert_eq!(
            described,
            ["Shipit", "Klarna (payments), a controller in its own right"]
        );
        assert!(source.transfers.is_none() && source.basis.is_none());
    }

    #[test]
    fn defaults_and_relative_paths() {
        let config = parse(GOOD).unwrap();
        assert_eq!(config.controller.default_language, Lang::Fi);
        assert_eq!(config.controller.timezone.name, "Europe/Helsinki");
        // The eves are not public holidays: working days unless the config says otherwise.
        assert!(!config.controller.eves_closed);
        assert_eq!(config.store.path, Path::new("/etc/rb/data/rightsbot.db"));
    }

    #[test]
    fn a_duplicate_key_or_table_is_named_with_its_place() {
        let text = GOOD.replace("name = \"Kestokauppa Oy\"", "name = \"A\"\nname = \"B\"");
        let err = parse(&text).unwrap_err();
        assert!(
            err.starts_with("rightsbot.toml:")
                && err
                    .ends_with("duplicate key \"name\" in [controller]: each key may be set once"),
            "{err}"
        );
        let text = format!("{GOOD}\n[store]\npath = \"other.db\"\n");
        let err = parse(&text).unwrap_err();
        assert!(
            err.ends_with("duplicate table [store]: each table may appear once"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_names_line_table_and_suggestion() {
        let text = GOOD.replace("privacy_address", "privcy_address");
        assert_eq!(
            parse(&text).unwrap_err(),
            "rightsbot.toml:5:1: unknown key \"privcy_address\" in [controller] (did you mean \"privacy_address\"?)"
        );
    }

    #[test]
    fn secrets_in_the_file_are_refused_with_a_reason() {
        let text = format!("{GOOD}\n[ingest]\npassword = \"hunter2\"\n");
        let err = parse(&text).unwrap_err();
        assert!(
            err.starts_with("rightsbot.toml:11:1: unknown key \"password\" in [ingest]"),
            "{err}"
        );
        assert!(
            err.contains("secrets are never kept in the config file"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn missing_key_and_section() {
        let text = GOOD.replace("business_id = \"1234567-1\"\n", "");
        let err = parse(&text).unwrap_err();
        assert!(
            err.contains("missing key \"business_id\" in [controller]"),
            "{err}"
        );
        let err = parse("[store]\npath = \"x\"\n").unwrap_err();
        assert!(err.contains("missing section [controller]"), "{err}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let text = GOOD.replace(
            "[store]",
            "default_language = \"de\"\ntimezone = \"Europe/Helsinky\"\n[store]",
        );
        let err = parse(&text).unwrap_err();
        assert!(err.starts_with("rightsbot.toml:7:20:"), "{err}");
        assert!(
            err.contains("key \"default_language\" in [controller]"),
            "{err}"
        );
        let text = GOOD.replace("[store]", "timezone = \"Europe/Helsinky\"\n[store]");
        let err = parse(&text).unwrap_err();
        assert!(
            err.contains("unknown time zone \"Europe/Helsinky\""),
            "{err}"
        );
        assert!(err.contains("key \"timezone\""), "{err}");
    }

    #[test]
    fn syntax_error_has_a_position() {
        let err = parse("[controller\nname = 1\n").unwrap_err();
        assert!(err.starts_with("rightsbot.toml:1:"), "{err}");
    }

    const MAILBOX: &str = "\n[mailbox]\nhost = \"imap.example.test\"\nuser = \"privacy\"\npassword_env = \"RB_TEST_PW\"\n";

    #[test]
    fn mailbox_defaults() {
        let config = parse(&format!("{GOOD}{MAILBOX}")).unwrap();
        let mailbox = config.mailbox.unwrap();
        assert_eq!(mailbox.tls(), TlsMode::Implicit);
        assert_eq!(mailbox.port(), 993);
        assert_eq!(mailbox.inbox, "INBOX");
        assert_eq!(mailbox.processed_folder, "Processed");
        assert_eq!(mailbox.batch_size, 500);
    }

    #[test]
    fn plaintext_imap_only_on_loopback() {
        let text = format!(
            "{GOOD}{}",
            MAILBOX.replace("user =", "tls = \"none\"\nuser =")
        );
        let err = parse(&text).unwrap_err();
        assert!(
            err.starts_with("rightsbot.toml:12:7: tls = \"none\""),
            "{err}"
        );
        assert!(err.contains("only for a server on 127.0.0.1"), "{err}");
        let local = text.replace("imap.example.test", "127.0.0.1");
        let config = parse(&local).unwrap();
        assert_eq!(config.mailbox.unwrap().port(), 143);
    }

    #[test]
    fn exactly_one_password_source() {
        let none = format!(
            "{GOOD}{}",
            MAILBOX.replace("password_env = \"RB_TEST_PW\"\n", "")
        );
        assert!(
            parse(&none).unwrap_err().contains("needs password_env"),
            "no source"
        );
        let both = format!("{GOOD}{MAILBOX}password_file = \"pw\"\n");
        assert!(
            parse(&both)
                .unwrap_err()
                .contains("both password_env and password_file")
        );
        let inline = format!("{GOOD}{MAILBOX}password = \"hunter2\"\n");
        let err = parse(&inline).unwrap_err();
        assert!(
            err.contains("secrets are never kept in the config file"),
            "{err}"
        );
        assert!(!err.contains("hunter2"));
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret("hunter2".to_string());
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        let config = parse(&format!(
            "{GOOD}{}",
            MAILBOX.replace(
                "password_env = \"RB_TEST_PW\"",
                "password_file = \"pw.txt\""
            )
        ))
        .unwrap();
        let mailbox = config.mailbox.unwrap();
        assert_eq!(
            mailbox.password_file.as_deref(),
            Some(Path::new("/etc/rb/pw.txt"))
        );
        let err = mailbox.password().unwrap_err().to_string();
        assert!(
            err.starts_with("cannot read password file /etc/rb/pw.txt (mailbox.password_file)"),
            "{err}"
        );
    }

    #[test]
    fn a_systemd_credential_stays_unresolved_until_read() {
        let config = parse(&format!(
            "{GOOD}{}",
            MAILBOX.replace(
                "password_env = \"RB_TEST_PW\"",
                "password_file = \"$CREDENTIALS_DIRECTORY/imap\""
            )
        ))
        .unwrap();
        let mailbox = config.mailbox.unwrap();
        let file = mailbox.password_file.as_deref().unwrap();
        // Not joined to the config's folder: the service's directory is known only at run time.
        assert_eq!(file, Path::new("$CREDENTIALS_DIRECTORY/imap"));
        assert_eq!(credential_name(file), Some("imap"));
        assert_eq!(credential_name(Path::new("/etc/rb/imap")), None);
        assert_eq!(credential_name(Path::new("$CREDENTIALS_DIRECTORY/")), None);
    }

    #[test]
    fn only_the_credentials_directory_is_expanded() {
        let err = parse(&format!(
            "{GOOD}{}",
            MAILBOX.replace(
                "password_env = \"RB_TEST_PW\"",
                "password_file = \"$HOME/imap\""
            )
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("only \"$CREDENTIALS_DIRECTORY/NAME\""),
            "{err}"
        );
        assert!(err.contains("[mailbox]"), "{err}");
    }
}
