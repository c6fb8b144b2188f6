//! The SMTP client: how the bot hands a message to the mail server (lettre underneath).
//!
//! Used by `send` for replies and for the mails the bot writes to staff (queued by
//! `approve` and `remind`). It tells a temporary refusal (4xx, no connection: try again later) from a
//! permanent one (5xx: never). It decides nothing about what is sent or when.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::{SmtpConfig, TlsMode};

/// Why the SMTP settings cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("the SMTP settings cannot be used: {0}")]
pub struct SetupError(String);

impl From<crate::config::ConfigError> for SetupError {
    fn from(err: crate::config::ConfigError) -> Self {
        SetupError(err.to_string())
    }
}

/// What the server said to one message.
#[derive(Debug)]
pub enum Outcome {
    Accepted,
    /// 4xx, or the server could not be reached: try again later.
    Temporary(String),
    /// 5xx: it will never take this message.
    Permanent(String),
}

/// The SMTP connection settings, ready to send.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Address,
    sent_copy: Option<Address>,
}

impl Mailer {
    /// One transport for the process, with lettre's connection pool: one SMTP connection
    /// serves many messages. The pool runs a task of its own, so this must be called
    /// inside the Tokio runtime that sends (`Runtime::enter`).
    pub fn new(smtp: &SmtpConfig, from: &str) -> Result<Mailer, SetupError> {
        let setup = |what: &str, err: &dyn std::fmt::Display| SetupError(format!("{what}: {err}"));
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
                .port(smtp.port())
                .timeout(Some(Duration::from_secs(30)));
        let tls = || -> Result<TlsParameters, SetupError> {
            let mut parameters = TlsParameters::builder(smtp.host.clone());
            if let Some(file) = &smtp.ca_file {
                let pem = std::fs::read(file)
                    .map_err(|err| setup(&format!("cannot read {}", file.display()), &err))?;
                let certificate = Certificate::from_pem(&pem).map_err(|err| {
                    setup(
                        &format!("{} is not a PEM certificate", file.display()),
                        &err,
                    )
                })?;
                parameters = parameters.add_root_certificate(certificate);
            }
            parameters.build_rustls().map_err(|err| setup("TLS", &err))
        };
        builder = match smtp.tls() {
            TlsMode::Implicit => builder.tls(Tls::Wrapper(tls()?)),
            TlsMode::Starttls => builder.tls(Tls::Required(tls()?)),
            TlsMode::None => builder.tls(Tls::None),
        };
        if let (Some(user), Some(password)) = (&smtp.user, smtp.password()?) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            ));
        }
        let from: Address = from
            .parse()
            .map_err(|err| setup(&format!("the sender {from:?}"), &err))?;
        let sent_copy = smtp
            .sent_copy
            .as_deref()
            .map(|a| {
                a.parse::<Address>()
                    .map_err(|err| setup(&format!("smtp.sent_copy {a:?}"), &err))
            })
            .transpose()?;
        Ok(Mailer {
            transport: builder.build(),
            from,
            sent_copy,
        })
    }

    pub async fn send(&self, to: &str, bytes: &[u8]) -> Outcome {
        let Ok(to) = to.parse::<Address>() else {
            return Outcome::Permanent(format!("{to:?} is not an e-mail address"));
        };
        let mut recipients = vec![to];
        recipients.extend(self.sent_copy.clone());
        let envelope = match Envelope::new(Some(self.from.clone()), recipients) {
            Ok(envelope) => envelope,
            Err(err) => return Outcome::Permanent(err.to_string()),
        };
        match self.transport.send_raw(&envelope, bytes).await {
            Ok(_) => Outcome::Accepted,
            Err(err) if err.is_permanent() => Outcome::Permanent(one_line(&err.to_string())),
            Err(err) => Outcome::Temporary(one_line(&err.to_string())),
        }
    }
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}
