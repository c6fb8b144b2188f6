//! `config check --connect`: does the configured mail service answer? Tries the IMAP login
//! to `[mailbox]` and the SMTP greeting of `[smtp]`, and says what happened in a sentence.
//!
//! Takes the checked config; hands back one outcome per service. It reads the passwords
//! only to log in and never shows them. It sends no mail and changes no mailbox.

use std::time::Duration;

use serde::Serialize;

use crate::config::{Config, TlsMode};

/// What trying one service gave.
#[derive(Clone, Debug, Serialize)]
pub struct Probe {
    /// `imap` or `smtp`.
    pub service: &'static str,
    /// `host:port`.
    pub server: String,
    pub ok: bool,
    /// What happened, for a person: "logged in as …, INBOX holds 3", or the error.
    pub said: String,
}

/// The longest a probe waits for a server before saying it did not answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// Tries each configured service once: the IMAP login (and a SELECT of the inbox), the
/// SMTP greeting (EHLO, STARTTLS when configured). Services not configured are left out.
pub fn probe(config: &Config) -> Vec<Probe> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            return vec![Probe {
                service: "runtime",
                server: String::new(),
                ok: false,
                said: format!("cannot start the async runtime: {err}"),
            }];
        }
    };
    let mut probes = Vec::new();
    if let Some(mailbox) = &config.mailbox {
        let server = format!("{}:{}", mailbox.host, mailbox.port());
        let outcome = runtime.block_on(async {
            let password = mailbox.password().map_err(|err| err.to_string())?;
            let attempt = async {
                let mut source = crate::intake::imap::ImapSource::connect(mailbox, &password)
                    .await
                    .map_err(|err| with_causes(&err))?;
                let (_, exists) = source
                    .select(&mailbox.inbox)
                    .await
                    .map_err(|err| with_causes(&err))?;
                source.logout().await;
                Ok::<_, String>(exists)
            };
            match tokio::time::timeout(PROBE_TIMEOUT, attempt).await {
                Ok(result) => result,
                Err(_) => Err(format!("no answer in {} s", PROBE_TIMEOUT.as_secs())),
            }
        });
        probes.push(match outcome {
            Ok(exists) => Probe {
                service: "imap",
                server,
                ok: true,
                said: format!(
                    "logged in as {}; {} holds {exists} messages",
                    mailbox.user, mailbox.inbox
                ),
            },
            Err(err) => Probe {
                service: "imap",
                server,
                ok: false,
                said: err,
            },
        });
    }
    if let Some(smtp) = &config.smtp {
        let server = format!("{}:{}", smtp.host, smtp.port());
        let outcome = runtime.block_on(smtp_greeting(smtp));
        probes.push(Probe {
            service: "smtp",
            ok: outcome.is_ok(),
            said: match outcome {
                Ok(()) => format!(
                    "the server greeted us ({})",
                    match smtp.tls() {
                        TlsMode::Implicit => "TLS from the start",
                        TlsMode::Starttls => "STARTTLS done",
                        TlsMode::None => "no TLS",
                    }
                ),
                Err(err) => err,
            },
            server,
        });
    }
    probes
}

/// An error and its causes on one line, each text once.
fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = inner.source();
    }
    text.replace(['\r', '\n'], " ")
}

/// Connects, reads the greeting, says EHLO (and STARTTLS when configured), then QUIT.
async fn smtp_greeting(smtp: &crate::config::SmtpConfig) -> Result<(), String> {
    use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, Tokio1Executor};
    let tls = || -> Result<TlsParameters, String> {
        let mut parameters = TlsParameters::builder(smtp.host.clone());
        if let Some(file) = &smtp.ca_file {
            let pem = std::fs::read(file)
                .map_err(|err| format!("cannot read {}: {err}", file.display()))?;
            let certificate = Certificate::from_pem(&pem)
                .map_err(|err| format!("{} is not a PEM certificate: {err}", file.display()))?;
            parameters = parameters.add_root_certificate(certificate);
        }
        parameters
            .build_rustls()
            .map_err(|err| format!("TLS: {err}"))
    };
    let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port())
        .timeout(Some(PROBE_TIMEOUT));
    let builder = match smtp.tls() {
        TlsMode::Implicit => builder.tls(Tls::Wrapper(tls()?)),
        TlsMode::Starttls => builder.tls(Tls::Required(tls()?)),
        TlsMode::None => builder.tls(Tls::None),
    };
    let transport: AsyncSmtpTransport<Tokio1Executor> = builder.build();
    match transport.test_connection().await {
        Ok(true) => Ok(()),
        Ok(false) => Err("the server did not answer NOOP".to_string()),
        Err(err) => Err(with_causes(&err)),
    }
}
