//! IMAP intake: the request mailbox on the controller's mail server.
//!
//! Hands on raw bytes with the server's own receipt time (INTERNALDATE), fetched by UID in
//! batches, and moves messages out of the inbox when told to — which the daemon does only
//! after their case is committed. Connects over implicit TLS, STARTTLS, or (on loopback
//! only, which the config enforces) plain TCP. Every network step has a time limit, and
//! errors say whether trying again later can help.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::types::Fetch;
use async_imap::{Client, Session};
use futures::TryStreamExt;
use jiff::Timestamp;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::config::{MailboxConfig, Secret, TlsMode};

/// Connecting, including TLS and login, must finish within this.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Message bodies fetched by one command, at most (one message may exceed it alone).
const BODY_GROUP_BYTES: u64 = 16 * 1024 * 1024;
/// One IMAP command (a batch fetch, a move) must finish within this.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect to IMAP server {address}")]
    Connect {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("TLS with IMAP server {address} failed: {detail}")]
    Tls { address: String, detail: String },
    #[error("cannot read CA file {path}")]
    CaFile {
        path: String,
        #[source]
        source: rustls_pki_types::pem::Error,
    },
    #[error("IMAP login as {user:?} refused by {address}: {detail}")]
    Login {
        user: String,
        address: String,
        detail: String,
    },
    #[error("IMAP server {address} timed out during {during}")]
    Timeout {
        address: String,
        during: &'static str,
    },
    #[error("IMAP {during} failed on {address}: {detail}")]
    Protocol {
        address: String,
        during: &'static str,
        detail: String,
    },
}

impl ImapError {
    /// Whether the same call may succeed later (network, server restart) rather than
    /// needing a person (password, certificate, config).
    pub fn is_temporary(&self) -> bool {
        matches!(
            self,
            ImapError::Connect { .. } | ImapError::Timeout { .. } | ImapError::Protocol { .. }
        )
    }
}

/// Any byte stream the IMAP client can run over: TCP, or TLS over TCP.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Io for T {}

type Stream = Box<dyn Io>;

/// One message as fetched.
#[derive(Debug)]
pub struct Fetched {
    pub uid: u32,
    /// When the server accepted the message: the receipt that starts the legal clock.
    pub internal_date: Option<Timestamp>,
    pub size: u64,
    /// `None` when the message is larger than the limit and was not downloaded.
    pub raw: Option<Vec<u8>>,
}

/// What waiting for new mail ended with.
#[derive(Debug, PartialEq, Eq)]
pub enum Wake {
    /// The server announced a change (new mail).
    NewMail,
    /// Nothing happened for the whole wait; re-issue IDLE (RFC 2177: at most 29 minutes).
    Timeout,
    /// Asked to stop.
    Shutdown,
}

/// A logged-in session on the request mailbox's server.
pub struct ImapSource {
    session: Session<Stream>,
    address: String,
    can_move: bool,
    can_idle: bool,
}

impl fmt::Debug for ImapSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapSource")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

async fn limited<T, E>(
    address: &str,
    during: &'static str,
    limit: Duration,
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, ImapError>
where
    E: fmt::Display,
{
    match tokio::time::timeout(limit, future).await {
        Err(_) => Err(ImapError::Timeout {
            address: address.to_string(),
            during,
        }),
        Ok(Err(err)) => Err(ImapError::Protocol {
            address: address.to_string(),
            during,
            detail: one_line(&err),
        }),
        Ok(Ok(value)) => Ok(value),
    }
}

fn one_line(err: &dyn fmt::Display) -> String {
    err.to_string().replace(['\r', '\n'], " ")
}

fn tls_connector(config: &MailboxConfig) -> Result<tokio_rustls::TlsConnector, ImapError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = &config.ca_file {
        let certificates = CertificateDer::pem_file_iter(path)
            .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
            .map_err(|source| ImapError::CaFile {
                path: path.display().to_string(),
                source,
            })?;
        for certificate in certificates {
            roots.add(certificate).map_err(|err| ImapError::Tls {
                address: config.host.clone(),
                detail: format!("CA file {}: {err}", Path::new(path).display()),
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| ImapError::Tls {
            address: config.host.clone(),
            detail: err.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_rustls::TlsConnector::from(Arc::new(tls)))
}

async fn tls_wrap(
    config: &MailboxConfig,
    address: &str,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ImapError> {
    let connector = tls_connector(config)?;
    let name = ServerName::try_from(config.host.clone()).map_err(|err| ImapError::Tls {
        address: address.to_string(),
        detail: err.to_string(),
    })?;
    match tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp)).await {
        Err(_) => Err(ImapError::Timeout {
            address: address.to_string(),
            during: "the TLS handshake",
        }),
        Ok(Err(err)) => Err(ImapError::Tls {
            address: address.to_string(),
            detail: one_line(&err),
        }),
        Ok(Ok(stream)) => Ok(stream),
    }
}

/// Upgrades a plain connection with STARTTLS (RFC 3501 § 6.2.1), before any client exists:
/// async-imap has no STARTTLS of its own.
async fn starttls(address: &str, tcp: TcpStream) -> Result<TcpStream, ImapError> {
    let protocol = |detail: String| ImapError::Protocol {
        address: address.to_string(),
        during: "STARTTLS",
        detail,
    };
    let mut reader = BufReader::new(tcp);
    let mut line = String::new();
    let exchange = async {
        reader
            .read_line(&mut line)
            .await
            .map_err(|err| protocol(err.to_string()))?;
        if !line.starts_with("* OK") {
            return Err(protocol(format!(
                "unexpected greeting {:?}",
                line.trim_end()
            )));
        }
        reader
            .get_mut()
            .write_all(b"s1 STARTTLS\r\n")
            .await
            .map_err(|err| protocol(err.to_string()))?;
        loop {
            line.clear();
            if reader
                .read_line(&mut line)
                .await
                .map_err(|err| protocol(err.to_string()))?
                == 0
            {
                return Err(protocol("connection closed".to_string()));
            }
            if line.starts_with("s1 ") {
                break;
            }
        }
        if !line.starts_with("s1 OK") {
            return Err(protocol(format!(
                "server refused STARTTLS: {:?}",
                line.trim_end()
            )));
        }
        Ok(())
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, exchange).await {
        Err(_) => {
            return Err(ImapError::Timeout {
                address: address.to_string(),
                during: "STARTTLS",
            });
        }
        Ok(result) => result?,
    }
    // Nothing may be buffered past the tagged OK: the TLS handshake starts right after it.
    if !reader.buffer().is_empty() {
        return Err(protocol("data after the STARTTLS response".to_string()));
    }
    Ok(reader.into_inner())
}

impl ImapSource {
    /// Connects, logs in, and learns what the server can do.
    pub async fn connect(
        config: &MailboxConfig,
        password: &Secret,
    ) -> Result<ImapSource, ImapError> {
        let address = format!("{}:{}", config.host, config.port());
        let tcp = match tokio::time::timeout(
            CONNECT_TIMEOUT,
            TcpStream::connect((config.host.as_str(), config.port())),
        )
        .await
        {
            Err(_) => {
                return Err(ImapError::Timeout {
                    address,
                    during: "connect",
                });
            }
            Ok(Err(source)) => return Err(ImapError::Connect { address, source }),
            Ok(Ok(tcp)) => tcp,
        };
        let _ = tcp.set_nodelay(true);
        let (stream, greeted): (Stream, bool) = match config.tls() {
            TlsMode::None => (Box::new(tcp), false),
            TlsMode::Implicit => (Box::new(tls_wrap(config, &address, tcp).await?), false),
            // After STARTTLS the server sends no second greeting.
            TlsMode::Starttls => (
                Box::new(tls_wrap(config, &address, starttls(&address, tcp).await?).await?),
                true,
            ),
        };
        let mut client = Client::new(stream);
        if !greeted {
            let greeting = tokio::time::timeout(CONNECT_TIMEOUT, client.read_response()).await;
            match greeting {
                Err(_) => {
                    return Err(ImapError::Timeout {
                        address,
                        during: "the greeting",
                    });
                }
                Ok(Err(err)) => {
                    return Err(ImapError::Protocol {
                        address,
                        during: "the greeting",
                        detail: one_line(&err),
                    });
                }
                Ok(Ok(None)) => {
                    return Err(ImapError::Protocol {
                        address,
                        during: "the greeting",
                        detail: "connection closed".to_string(),
                    });
                }
                Ok(Ok(Some(_))) => {}
            }
        }
        let login = tokio::time::timeout(
            CONNECT_TIMEOUT,
            client.login(&config.user, password.expose()),
        )
        .await;
        let mut session = match login {
            Err(_) => {
                return Err(ImapError::Timeout {
                    address,
                    during: "login",
                });
            }
            Ok(Err((err, _))) => {
                return Err(ImapError::Login {
                    user: config.user.clone(),
                    address,
                    detail: one_line(&err),
                });
            }
            Ok(Ok(session)) => session,
        };
        // MOVE and UIDPLUS are announced only after login (RFC 6851, RFC 4315).
        let capabilities = limited(
            &address,
            "CAPABILITY",
            COMMAND_TIMEOUT,
            session.capabilities(),
        )
        .await?;
        let can_move = capabilities.has_str("MOVE");
        let can_idle = capabilities.has_str("IDLE");
        Ok(ImapSource {
            session,
            address,
            can_move,
            can_idle,
        })
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn can_idle(&self) -> bool {
        self.can_idle
    }

    /// Creates `folder` unless it exists.
    pub async fn ensure_folder(&mut self, folder: &str) -> Result<(), ImapError> {
        let existing = limited(&self.address, "LIST", COMMAND_TIMEOUT, async {
            let names: Vec<_> = self
                .session
                .list(Some(""), Some(folder))
                .await?
                .try_collect()
                .await?;
            Ok::<_, async_imap::error::Error>(names.len())
        })
        .await?;
        if existing == 0 {
            limited(
                &self.address,
                "CREATE",
                COMMAND_TIMEOUT,
                self.session.create(folder),
            )
            .await?;
        }
        Ok(())
    }

    /// Selects `mailbox`; returns its UIDVALIDITY and message count.
    pub async fn select(&mut self, mailbox: &str) -> Result<(u32, u32), ImapError> {
        let selected = limited(
            &self.address,
            "SELECT",
            COMMAND_TIMEOUT,
            self.session.select(mailbox),
        )
        .await?;
        let uidvalidity = selected.uid_validity.ok_or_else(|| ImapError::Protocol {
            address: self.address.clone(),
            during: "SELECT",
            detail: format!("{mailbox} has no UIDVALIDITY"),
        })?;
        // Whatever the server said before this selection is about the old state.
        while self.session.unsolicited_responses.try_recv().is_ok() {}
        Ok((uidvalidity, selected.exists))
    }

    /// The UIDs of the messages in the selected mailbox whose Message-ID is `message_id`
    /// (without angle brackets).
    pub async fn search_message_id(&mut self, message_id: &str) -> Result<Vec<u32>, ImapError> {
        // A quoted IMAP string: no quote or backslash can end it early.
        let quoted: String = message_id
            .chars()
            .filter(|c| !matches!(c, '"' | '\\' | '\r' | '\n'))
            .collect();
        let found = limited(
            &self.address,
            "UID SEARCH",
            COMMAND_TIMEOUT,
            self.session
                .uid_search(format!("HEADER Message-ID \"<{quoted}>\"")),
        )
        .await?;
        Ok(found.into_iter().collect())
    }

    /// The UIDs above `last` in the selected mailbox, ascending (a shared mailbox's new
    /// mail). `UID n:*` always answers the highest UID, even one below n: it is left out.
    pub async fn uids_after(&mut self, last: u32) -> Result<Vec<u32>, ImapError> {
        let query = format!("UID {}:*", last.saturating_add(1));
        let found = limited(
            &self.address,
            "UID SEARCH",
            COMMAND_TIMEOUT,
            self.session.uid_search(query),
        )
        .await?;
        let mut uids: Vec<u32> = found.into_iter().filter(|uid| *uid > last).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Copies `uids` of the selected mailbox to `folder`, leaving the originals as they
    /// are (unread stays unread).
    pub async fn copy_uids(&mut self, uids: &[u32], folder: &str) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        let set = uid_set(uids);
        limited(
            &self.address,
            "UID COPY",
            COMMAND_TIMEOUT,
            self.session.uid_copy(&set, folder),
        )
        .await
    }

    /// The UIDs of every message in the selected mailbox, ascending.
    pub async fn uids(&mut self) -> Result<Vec<u32>, ImapError> {
        let found = limited(
            &self.address,
            "UID SEARCH",
            COMMAND_TIMEOUT,
            self.session.uid_search("ALL"),
        )
        .await?;
        let mut uids: Vec<u32> = found.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Fetches the messages `uids`: receipt time and size for all, bytes for those not
    /// larger than `max_bytes`.
    pub async fn fetch(&mut self, uids: &[u32], max_bytes: u64) -> Result<Vec<Fetched>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let set = uid_set(uids);
        let sizes = self
            .uid_fetch(&set, "(UID RFC822.SIZE INTERNALDATE)", |f| {
                let uid = f.uid?;
                let internal = f
                    .internal_date()
                    .and_then(|d| Timestamp::from_second(d.timestamp()).ok());
                Some((uid, u64::from(f.size.unwrap_or(0)), internal))
            })
            .await?;
        // Bodies come in groups of at most BODY_GROUP_BYTES, so one large mail among many
        // small ones never makes a batch hold more than that in memory at once.
        let mut bodies = std::collections::HashMap::new();
        let mut group: Vec<u32> = Vec::new();
        let mut group_bytes = 0u64;
        let wanted: Vec<(u32, u64)> = sizes
            .iter()
            .filter(|(_, size, _)| *size <= max_bytes)
            .map(|(uid, size, _)| (*uid, *size))
            .collect();
        for (index, (uid, size)) in wanted.iter().enumerate() {
            group.push(*uid);
            group_bytes += size;
            if group_bytes >= BODY_GROUP_BYTES || index + 1 == wanted.len() {
                let set = uid_set(&group);
                let part = self
                    .uid_fetch(&set, "(UID BODY.PEEK[])", |f| {
                        Some((f.uid?, f.body()?.to_vec()))
                    })
                    .await?;
                bodies.extend(part);
                group.clear();
                group_bytes = 0;
            }
        }
        let mut fetched: Vec<Fetched> = sizes
            .into_iter()
            .map(|(uid, size, internal_date)| Fetched {
                uid,
                internal_date,
                size,
                raw: bodies.remove(&uid),
            })
            .collect();
        fetched.sort_by_key(|f| f.uid);
        Ok(fetched)
    }

    /// UID FETCH `query` for `set`, keeping what `pick` takes from each answer.
    async fn uid_fetch<T>(
        &mut self,
        set: &str,
        query: &str,
        pick: impl Fn(&Fetch) -> Option<T>,
    ) -> Result<Vec<T>, ImapError> {
        limited(&self.address, "UID FETCH", COMMAND_TIMEOUT, async {
            let fetches: Vec<Fetch> = self
                .session
                .uid_fetch(set, query)
                .await?
                .try_collect()
                .await?;
            Ok::<_, async_imap::error::Error>(fetches.iter().filter_map(pick).collect())
        })
        .await
    }

    /// Moves `uids` of the selected mailbox to `folder`: MOVE where the server has it
    /// (RFC 6851), else COPY, flag \Deleted and UID EXPUNGE those messages only.
    pub async fn move_uids(&mut self, uids: &[u32], folder: &str) -> Result<(), ImapError> {
        if uids.is_empty() {
            return Ok(());
        }
        let set = uid_set(uids);
        if self.can_move {
            return limited(
                &self.address,
                "UID MOVE",
                COMMAND_TIMEOUT,
                self.session.uid_mv(&set, folder),
            )
            .await;
        }
        limited(
            &self.address,
            "UID COPY",
            COMMAND_TIMEOUT,
            self.session.uid_copy(&set, folder),
        )
        .await?;
        limited(&self.address, "UID STORE", COMMAND_TIMEOUT, async {
            let _: Vec<_> = self
                .session
                .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
                .await?
                .try_collect()
                .await?;
            Ok::<_, async_imap::error::Error>(())
        })
        .await?;
        limited(&self.address, "UID EXPUNGE", COMMAND_TIMEOUT, async {
            let _: Vec<_> = self.session.uid_expunge(&set).await?.try_collect().await?;
            Ok::<_, async_imap::error::Error>(())
        })
        .await
    }

    /// Waits for new mail: IDLE up to `limit` (an absolute deadline, whatever keepalives
    /// the server sends) where the server has it, else a NOOP poll every `poll`. Returns
    /// early when `shutdown` fires.
    pub async fn wait(
        mut self,
        limit: Duration,
        poll: Duration,
        shutdown: &mut tokio::sync::watch::Receiver<bool>,
    ) -> Result<(ImapSource, Wake), ImapError> {
        // Mail that came after the last SELECT was announced in the answer to a later
        // command (an untagged EXISTS, kept aside by async-imap), and IDLE or NOOP will not
        // announce it again: waiting now would leave it until the next mail arrives.
        if announced_new_mail(&mut self.session) {
            return Ok((self, Wake::NewMail));
        }
        if !self.can_idle {
            let mut waited = Duration::ZERO;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = shutdown.changed() => return Ok((self, Wake::Shutdown)),
                }
                waited += poll;
                limited(&self.address, "NOOP", COMMAND_TIMEOUT, self.session.noop()).await?;
                if announced_new_mail(&mut self.session) {
                    return Ok((self, Wake::NewMail));
                }
                if waited >= limit {
                    return Ok((self, Wake::Timeout));
                }
            }
        }
        let ImapSource {
            session,
            address,
            can_move,
            can_idle,
        } = self;
        let mut handle = session.idle();
        limited(&address, "IDLE", COMMAND_TIMEOUT, handle.init()).await?;
        // async-imap's own timeout starts again on every server response, Dovecot's
        // "* OK Still here" keepalive included, so on a quiet mailbox it never fires: the
        // deadline is ours, absolute, from the moment IDLE began.
        let deadline = tokio::time::Instant::now() + limit;
        let wake = {
            let (waiting, _stop) = handle.wait_with_timeout(limit);
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => Wake::Timeout,
                result = waiting => match result {
                    Ok(IdleResponse::NewData(_)) => Wake::NewMail,
                    Ok(IdleResponse::Timeout) => Wake::Timeout,
                    // The connection ended under us (a server restart): reconnect.
                    Ok(IdleResponse::ManualInterrupt) | Err(_) => {
                        return Err(ImapError::Protocol {
                            address,
                            during: "IDLE",
                            detail: "connection closed by the server".to_string(),
                        });
                    }
                },
                _ = shutdown.changed() => Wake::Shutdown,
            }
        };
        let session = limited(&address, "DONE", COMMAND_TIMEOUT, handle.done()).await?;
        Ok((
            ImapSource {
                session,
                address,
                can_move,
                can_idle,
            },
            wake,
        ))
    }

    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.session.logout()).await;
    }
}

/// Whether the responses the server sent outside a command's own answer since they were
/// last read include an EXISTS (new mail); reads them all.
fn announced_new_mail(session: &mut Session<Stream>) -> bool {
    let mut exists = false;
    while let Ok(response) = session.unsolicited_responses.try_recv() {
        exists |= matches!(response, async_imap::types::UnsolicitedResponse::Exists(_));
    }
    exists
}

/// A UID set in IMAP syntax, runs compressed: `1:5,7,9:12`.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut index = 0;
    while index < sorted.len() {
        let start = sorted[index];
        let mut end = start;
        while index + 1 < sorted.len() && sorted[index + 1] == end + 1 {
            index += 1;
            end = sorted[index];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}:{end}")
        });
        index += 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::uid_set;

    #[test]
    fn uid_sets_compress_runs() {
        assert_eq!(uid_set(&[9, 1, 2, 3, 5, 10, 11, 7]), "1:3,5,7,9:11");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }
}
