//! Sending against the real Postfix and Dovecot that `scripts/mailstack` starts: an approved
//! reply reaches the customer's mailbox with its threading and a copy in Sent, exactly once,
//! even when the process is killed between the SMTP transaction and recording it.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use base64::Engine;

#[cfg(feature = "fault-injection")]
use support::bin;
use support::daemon::Daemon;
use support::mailstack::{MailStack, json, on_mailbox, rightsbot};

/// The stack's config with the customer on file in a one-row register.
fn config_with_customer(stack: &MailStack) -> PathBuf {
    let customer = stack.var("MAILSTACK_CUSTOMER_ADDRESS").to_string();
    let csv = stack.path().join("customers.csv");
    std::fs::write(
        &csv,
        format!("Id,Name,Email\n1,Asiakas Esimerkki,{customer}\n"),
    )
    .expect("csv");
    stack.config_with("rightsbot-send.toml", |text| {
        format!(
            "{text}\n[[register.sources]]\nname = \"customers\"\nfile = \"customers.csv\"\n[register.sources.columns]\ncustomer_id = \"Id\"\nname = \"Name\"\nemail = \"Email\"\n"
        )
    })
}

/// Waits (up to a generous limit) until `ready` holds; fails the test otherwise.
fn wait_until(what: &str, ready: impl FnMut() -> bool) {
    assert!(
        support::wait_until(Duration::from_secs(60), ready),
        "gave up waiting: {what}"
    );
}

#[cfg(feature = "fault-injection")]
/// Postfix has nothing left to deliver: whatever it accepted is in a mailbox (or bounced).
fn postfix_queue_empty(stack: &MailStack) -> bool {
    let output = Command::new("postqueue")
        .args(["-c", stack.var("MAILSTACK_POSTFIX_CONF_DIR"), "-p"])
        .output()
        .expect("postqueue");
    String::from_utf8_lossy(&output.stdout).contains("Mail queue is empty")
}

/// The SMTP server's greeting, or `None` when nothing answers on its port.
fn smtp_greeting(stack: &MailStack) -> Option<String> {
    let stream = TcpStream::connect(("127.0.0.1", stack.port("MAILSTACK_SMTP_PORT"))).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).ok()?;
    Some(line)
}

/// The SMTP server's answer to `RCPT TO:<recipient>` in an authenticated session.
fn rcpt_reply(stack: &MailStack, recipient: &str) -> String {
    let stream =
        TcpStream::connect(("127.0.0.1", stack.port("MAILSTACK_SMTP_PORT"))).expect("connect SMTP");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    let mut reply = |command: Option<String>| -> String {
        if let Some(command) = command {
            writer
                .write_all(format!("{command}\r\n").as_bytes())
                .expect("SMTP write");
        }
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("SMTP reply");
            if line.as_bytes().get(3) != Some(&b'-') {
                return line;
            }
        }
    };
    reply(None);
    reply(Some("EHLO probe.example.test".to_string()));
    let token = base64::engine::general_purpose::STANDARD.encode(format!(
        "\0{}\0{}",
        stack.var("MAILSTACK_CUSTOMER_USER"),
        stack.var("MAILSTACK_CUSTOMER_PASSWORD")
    ));
    reply(Some(format!("AUTH PLAIN {token}")));
    reply(Some(format!(
        "MAIL FROM:<{}>",
        stack.var("MAILSTACK_CUSTOMER_ADDRESS")
    )));
    let answer = reply(Some(format!("RCPT TO:<{recipient}>")));
    reply(Some("QUIT".to_string()));
    answer
}

/// The customer's own mailbox: the same server, logged in as the customer.
fn customer_messages(stack: &MailStack) -> Vec<Vec<u8>> {
    let customer = stack.config_with("customer.toml", |text| {
        text.replace("user = \"request\"", "user = \"customer\"")
            .replace("passwords/request", "passwords/customer")
    });
    fetch_all(&customer, "INBOX")
}

/// Every message in `folder` of the mailbox `login` logs in to.
fn fetch_all(login: &Path, folder: &str) -> Vec<Vec<u8>> {
    on_mailbox(login, async |source| {
        let mut found = Vec::new();
        if source.select(folder).await.is_ok() {
            let uids = source.uids().await.expect("uids");
            for message in source.fetch(&uids, u64::MAX).await.expect("fetch") {
                found.push(message.raw.unwrap_or_default());
            }
        }
        found
    })
}

/// Waits (up to 60 s) until `count` messages with `needle` are in the folder.
fn wait_for(
    mut messages: impl FnMut() -> Vec<Vec<u8>>,
    needle: &str,
    count: usize,
) -> Vec<Vec<u8>> {
    let started = std::time::Instant::now();
    loop {
        let found: Vec<Vec<u8>> = messages()
            .into_iter()
            .filter(|m| String::from_utf8_lossy(m).contains(needle))
            .collect();
        if found.len() >= count || started.elapsed() > std::time::Duration::from_secs(60) {
            return found;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A request from the customer, through Postfix, made a case whose reply is approved.
fn approved_reply(stack: &MailStack, config: &Path, id: &str) -> (String, String) {
    stack.send("Tietopyyntö", "Haluan nähdä mitä tietoja minusta on.", id);
    let started = std::time::Instant::now();
    loop {
        let report = json(config, &["run", "--once"]);
        if report["cases_opened"].as_u64() == Some(1) || started.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let queue: Vec<serde_json::Value> =
        String::from_utf8_lossy(&rightsbot(config, &["--json", "queue"]).stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
    let draft = queue
        .iter()
        .find(|d| d["purpose"] == "reply")
        .expect("a reply draft");
    let draft_id = draft["draft"].as_str().expect("a draft id").to_string();
    let approved = json(config, &["approve", &draft_id, "--by", "Sanna"]);
    assert_eq!(approved["state"], "approved", "{approved}");
    (
        draft_id,
        approved["message_id"]
            .as_str()
            .expect("a Message-ID")
            .to_string(),
    )
}

#[test]
fn an_approved_reply_reaches_the_customer_threaded_with_a_copy_in_sent() {
    let stack = MailStack::up();
    let config = config_with_customer(&stack);
    json(&config, &["register", "import"]);
    let (draft, message_id) = approved_reply(&stack, &config, "send-1@example.test");

    let report = json(&config, &["send", "--once"]);
    assert_eq!(report["sent"], 1, "{report}");
    let received = wait_for(|| customer_messages(&stack), &message_id, 1);
    assert_eq!(received.len(), 1);
    let text = String::from_utf8_lossy(&received[0]).into_owned();
    assert!(
        text.contains("In-Reply-To: <send-1@example.test>"),
        "{text}"
    );
    assert!(text.contains("References: <send-1@example.test>"), "{text}");
    assert!(text.contains("[DSR-"), "{text}");
    assert!(!text.contains("Bcc:"), "the Sent copy is blind: {text}");
    let sent = wait_for(|| fetch_all(&config, "Sent"), &message_id, 1);
    assert_eq!(sent.len(), 1, "one copy in Sent");
    assert_eq!(json(&config, &["show", &draft])["state"], "sent");
    // The reply, as it went out, is in the case's thread.
    let case = json(&config, &["show", "DSR-2026-0001"]);
    let messages = case["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2, "{case}");
    assert_eq!(messages[1]["received_from"], "sent_at");
    assert_eq!(messages[1]["message_id"], message_id.as_str());
    // Nothing is sent twice.
    let again = json(&config, &["send", "--once"]);
    assert_eq!(again["sent"], 0);
}

#[cfg(feature = "fault-injection")]
#[test]
fn killed_between_smtp_and_recording_it_the_customer_still_gets_one_copy() {
    let stack = MailStack::up();
    let config = config_with_customer(&stack);
    json(&config, &["register", "import"]);
    for round in 0..3 {
        let (draft, message_id) =
            approved_reply(&stack, &config, &format!("kill-{round}@example.test"));
        // SIGKILL right after the server took the message, before it is recorded.
        let killed = bin()
            .arg("--config")
            .arg(&config)
            .args(["send", "--once"])
            .env("RIGHTSBOT_TEST_CRASH_AFTER_SMTP", "1")
            .output()
            .expect("run rightsbot");
        assert_eq!(killed.status.code(), None, "killed by a signal");
        assert_eq!(json(&config, &["show", &draft])["state"], "sending");
        let report = json(&config, &["send", "--once"]);
        assert_eq!(
            (report["sent"].as_u64(), report["recovered"].as_u64()),
            (Some(0), Some(1)),
            "{report}"
        );
        assert_eq!(json(&config, &["show", &draft])["state"], "sent");
        wait_for(|| customer_messages(&stack), &message_id, 1);
        // A second copy would have been handed to Postfix before `send` returned: once
        // Postfix has delivered everything it holds, the mailbox has every copy there is.
        wait_until("postfix delivered what it holds", || {
            postfix_queue_empty(&stack)
        });
        let received = wait_for(|| customer_messages(&stack), &message_id, 1);
        assert_eq!(received.len(), 1, "round {round}: exactly one copy");
    }
}

/// Issue 11, item 3: a reply's Message-ID cannot be guessed, and a copy planted in Sent
/// under it (by anyone who can mail the Sent-copy address) does not make a reply that
/// never went count as sent.
#[cfg(feature = "fault-injection")]
#[test]
fn a_planted_copy_in_sent_never_marks_an_unsent_reply_sent() {
    let stack = MailStack::up();
    let config = config_with_customer(&stack);
    json(&config, &["register", "import"]);
    let (draft, message_id) = approved_reply(&stack, &config, "planted-1@example.test");
    let (guessable, random) = message_id
        .rsplit_once('@')
        .and_then(|(local, _)| local.rsplit_once('.'))
        .expect("CASE.DRAFT.RANDOM@domain");
    assert!(
        guessable.starts_with("DSR-") && guessable.ends_with(&draft),
        "{message_id}"
    );
    assert!(
        random.len() == 32 && random.chars().all(|c| c.is_ascii_hexdigit()),
        "{message_id}"
    );
    // Killed after "sending" is recorded, before the SMTP transaction: nothing went.
    let killed = bin()
        .arg("--config")
        .arg(&config)
        .args(["send", "--once"])
        .env("RIGHTSBOT_TEST_CRASH_BEFORE_SMTP", "1")
        .output()
        .expect("run rightsbot");
    assert_eq!(killed.status.code(), None, "killed by a signal");
    assert_eq!(json(&config, &["show", &draft])["state"], "sending");
    // Two planted copies: one bare, one with a made-up seal.
    let sent_copy = stack
        .var("MAILSTACK_REQUEST_ADDRESS")
        .replace('@', "+Sent@");
    stack.send_to(&sent_copy, "", "Re: Tietopyyntö", "planted", &message_id);
    stack.send_to(
        &sent_copy,
        "X-Rightsbot-Seal: 00000000000000000000000000000000\r\n",
        "Re: Tietopyyntö",
        "planted",
        &message_id,
    );
    assert_eq!(
        wait_for(|| fetch_all(&config, "Sent"), &message_id, 2).len(),
        2,
        "both planted copies are in Sent"
    );
    let report = json(&config, &["send", "--once"]);
    assert_eq!(
        (report["sent"].as_u64(), report["recovered"].as_u64()),
        (Some(1), Some(0)),
        "{report}"
    );
    assert_eq!(json(&config, &["show", &draft])["state"], "sent");
    let received = wait_for(|| customer_messages(&stack), &message_id, 1);
    assert_eq!(received.len(), 1, "the customer gets the reply once");
    let case = json(&config, &["show", "DSR-2026-0001"]);
    let ignored = case["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "sent_copy_ignored")
        .count();
    assert_eq!(ignored, 1, "{case}");
}

#[test]
fn a_recipient_the_server_refuses_for_good_is_failed_with_its_words() {
    let stack = MailStack::up();
    let config = config_with_customer(&stack);
    // The register says the customer's address is one the server will never deliver to.
    std::fs::write(
        stack.path().join("customers.csv"),
        format!(
            "Id,Name,Email\n1,Asiakas Esimerkki,{}\n",
            stack.var("MAILSTACK_CUSTOMER_ADDRESS")
        ),
    )
    .expect("csv");
    json(&config, &["register", "import"]);
    let (draft, _) = approved_reply(&stack, &config, "refused-1@example.test");
    // The mailbox disappears from the server's map before the reply goes out.
    let map = PathBuf::from(stack.var("MAILSTACK_POSTFIX_CONF_DIR")).join("vmailbox");
    let customer = stack.var("MAILSTACK_CUSTOMER_ADDRESS").to_string();
    let kept: String = std::fs::read_to_string(&map)
        .expect("vmailbox")
        .lines()
        .filter(|l| !l.starts_with(&customer))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&map, kept).expect("vmailbox");
    Command::new("postfix")
        .args(["-c", stack.var("MAILSTACK_POSTFIX_CONF_DIR"), "reload"])
        .output()
        .expect("postfix reload");
    wait_until("postfix refuses the customer", || {
        rcpt_reply(&stack, &customer).starts_with("550")
    });
    let report = json(&config, &["send", "--once"]);
    assert_eq!(report["failed"], 1, "{report}");
    let shown = json(&config, &["show", "DSR-2026-0001"]);
    let failure = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "send_failed")
        .expect("a send_failed event");
    assert!(
        failure["details"]["server"].as_str().unwrap().contains("5"),
        "{failure}"
    );
    assert_eq!(json(&config, &["show", &draft])["state"], "failed");
    // Never retried silently: staff hear of it in the next digest, once.
    assert_eq!(json(&config, &["send", "--once"])["failed"], 0);
    let with_staff = stack.config_with("rightsbot-staff.toml", |_| {
        format!(
            "{}\n[reminders]\nstaff_address = \"{}\"\n",
            std::fs::read_to_string(&config).expect("config"),
            stack.var("MAILSTACK_STAFF_ADDRESS")
        )
    });
    let digest = json(&with_staff, &["remind"]);
    assert_eq!(
        digest["sends_failed"][0]["draft"],
        draft.as_str(),
        "{digest}"
    );
    assert!(json(&with_staff, &["remind"])["sends_failed"].is_null());
}

#[test]
fn with_the_mail_server_down_the_reply_waits_and_goes_when_it_is_back() {
    let stack = MailStack::up();
    let config = config_with_customer(&stack);
    json(&config, &["register", "import"]);
    let (draft, message_id) = approved_reply(&stack, &config, "down-1@example.test");
    let postfix = |action: &str| {
        let output = Command::new("postfix")
            .args(["-c", stack.var("MAILSTACK_POSTFIX_CONF_DIR"), action])
            .output()
            .expect("postfix");
        assert!(
            output.status.success(),
            "postfix {action}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    postfix("stop");
    wait_until("postfix stopped", || smtp_greeting(&stack).is_none());
    let now = jiff::Timestamp::now();
    let at = |minutes: i64| (now + jiff::SignedDuration::from_mins(minutes)).to_string();
    let report = json(&config, &["--now", &at(0), "send", "--once"]);
    assert_eq!(report["deferred"], 1, "{report}");
    assert_eq!(json(&config, &["show", &draft])["state"], "approved");
    postfix("start");
    wait_until("postfix answers", || {
        smtp_greeting(&stack).is_some_and(|line| line.starts_with("220"))
    });
    // Not before its next attempt is due (a minute on), then sent.
    assert_eq!(
        json(&config, &["--now", &at(0), "send", "--once"])["sent"],
        0
    );
    assert_eq!(
        json(&config, &["--now", &at(2), "send", "--once"])["sent"],
        1
    );
    assert_eq!(
        wait_for(|| customer_messages(&stack), &message_id, 1).len(),
        1
    );
}

#[test]
fn the_daemon_sends_what_staff_approved_after_its_pass() {
    let stack = MailStack::up();
    let config = config_with_customer(&stack);
    json(&config, &["register", "import"]);
    let (draft, message_id) = approved_reply(&stack, &config, "daemon-1@example.test");
    let report = json(&config, &["run", "--once"]);
    assert_eq!(report["sent"], 1, "{report}");
    assert_eq!(json(&config, &["show", &draft])["state"], "sent");
    assert_eq!(
        wait_for(|| customer_messages(&stack), &message_id, 1).len(),
        1
    );
}

#[test]
fn review_mails_for_approval_go_to_the_staff_mailbox_over_smtp() {
    let stack = MailStack::up();
    let staff = stack.var("MAILSTACK_STAFF_ADDRESS").to_string();
    let base = config_with_customer(&stack);
    let config = stack.config_with("rightsbot-review.toml", |_| {
        format!(
            "{}\n[approval_by_mail]\nenabled = true\nstaff_address = \"{staff}\"\napprovers = [\"{staff}\"]\n",
            std::fs::read_to_string(&base).expect("config")
        )
    });
    json(&config, &["register", "import"]);
    stack.send(
        "Tietopyyntö",
        "Haluan nähdä mitä tietoja minusta on.",
        "review-1@example.test",
    );
    let started = std::time::Instant::now();
    while json(&config, &["run", "--once"])["cases_opened"] != 1 && started.elapsed().as_secs() < 60
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let staff_login = stack.config_with("staff.toml", |text| {
        text.replace("user = \"request\"", "user = \"staff\"")
            .replace("passwords/request", "passwords/staff")
    });
    let reviews = wait_for(|| fetch_all(&staff_login, "INBOX"), "rightsbot-token:", 1);
    assert_eq!(reviews.len(), 1);
    assert!(
        !stack.path().join("outbox").exists(),
        "nothing waits in the outbox"
    );
}

/// The staff member's own mailbox: the same server, logged in as staff.
fn staff_messages(stack: &MailStack) -> Vec<Vec<u8>> {
    let staff = stack.config_with("staff-login.toml", |text| {
        text.replace("user = \"request\"", "user = \"staff\"")
            .replace("passwords/request", "passwords/staff")
    });
    fetch_all(&staff, "INBOX")
}

/// A request received `days` days ago, straight into the store as `ingest` reads it.
fn old_request(stack: &MailStack, days: i64, id: &str) -> PathBuf {
    let received = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days);
    let date = received.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string();
    let path = stack.path().join(format!("{id}.eml"));
    std::fs::write(
        &path,
        format!(
            "Received: from mail.example.test by mx.example.test; {date}\r\n\
             From: Toinen Asiakas <toinen@example.test>\r\nTo: {}\r\nSubject: Poistakaa tietoni\r\n\
             Date: {date}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\nPoistakaa kaikki tietoni.\r\n",
            stack.var("MAILSTACK_REQUEST_ADDRESS")
        ),
    )
    .expect("write request");
    path
}

/// Issue 12, item 1: on a quiet mailbox whose server sends a keepalive every 2 s, the
/// daemon still sends a reply approved from the CLI, and gives a digest that came due,
/// without any mail arriving.
#[test]
fn a_quiet_mailbox_never_holds_up_sending_or_reminders() {
    let stack = MailStack::up_with(&[("MAILSTACK_IDLE_NOTIFY", "2")]);
    let customer_config = config_with_customer(&stack);
    let staff = stack.var("MAILSTACK_STAFF_ADDRESS").to_string();
    let config = stack.config_with("rightsbot-clock.toml", |_| {
        format!(
            "{}\n[reminders]\nstaff_address = \"{staff}\"\ndigest_every_minutes = 0\n",
            std::fs::read_to_string(&customer_config).expect("config")
        )
    });
    json(&config, &["register", "import"]);
    stack.send(
        "Tietopyyntö",
        "Haluan nähdä mitä tietoja minusta on.",
        "quiet-1@example.test",
    );
    let started = std::time::Instant::now();
    while json(&config, &["run", "--once"])["cases_opened"] != 1 {
        assert!(
            started.elapsed().as_secs() < 30,
            "the request became a case"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let draft = json(&config, &["queue"])["draft"]
        .as_str()
        .expect("a draft")
        .to_string();

    let daemon = Daemon::start(&config);
    daemon.wait_for_log(
        "connected to the mailbox",
        1,
        std::time::Duration::from_secs(60),
    );
    let approved = json(&config, &["approve", &draft, "--by", "Sanna"]);
    let message_id = approved["message_id"]
        .as_str()
        .expect("Message-ID")
        .to_string();
    let received = wait_for_quiet(|| customer_messages(&stack), &message_id);
    assert_eq!(received, 1, "the reply arrived: {}", daemon.log());

    // A case whose deadline is days away, entered from the CLI: its reminder is due now.
    json(
        &config,
        &[
            "ingest",
            &old_request(&stack, 28, "quiet-2@example.test")
                .display()
                .to_string(),
        ],
    );
    let case = json(&config, &["cases"])
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["requester"] == "toinen@example.test")
        .expect("the second case")["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        wait_for_quiet(|| staff_messages(&stack), &case),
        1,
        "the digest for {case} arrived: {}",
        daemon.log()
    );
    assert_eq!(
        folder_count(&config, "INBOX"),
        0,
        "no mail arrived to wake the daemon"
    );
}

/// Waits up to 30 s for a message holding `needle`; how many there are.
fn wait_for_quiet(messages: impl FnMut() -> Vec<Vec<u8>>, needle: &str) -> usize {
    let started = std::time::Instant::now();
    let mut messages = messages;
    loop {
        let found = messages()
            .iter()
            .filter(|m| String::from_utf8_lossy(m).contains(needle))
            .count();
        if found > 0 || started.elapsed() > std::time::Duration::from_secs(30) {
            return found;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

fn folder_count(config: &Path, folder: &str) -> usize {
    fetch_all(config, folder).len()
}

/// Issue 12, item 1: the IDLE deadline is ours and absolute: with a keepalive every 2 s
/// (each of which restarts async-imap's own timer), IDLE is still renewed on time.
#[test]
fn idle_is_renewed_on_time_whatever_the_keepalives() {
    let stack = MailStack::up_with(&[("MAILSTACK_IDLE_NOTIFY", "2")]);
    let config = stack.config_with("rightsbot-idle.toml", |text| {
        text.replace("[mailbox]", "[mailbox]\nidle_seconds = 3")
    });
    let daemon = Daemon::start(&config);
    daemon.wait_for_log("IDLE renewed", 2, std::time::Duration::from_secs(60));
}

/// Issue 12, item 3: one daemon per store; the CLI keeps working beside it.
#[test]
fn a_second_daemon_on_one_store_is_refused_with_the_first_ones_pid() {
    let stack = MailStack::up();
    let config = stack.config();
    let daemon = Daemon::start(&config);
    daemon.wait_for_log(
        "connected to the mailbox",
        1,
        std::time::Duration::from_secs(60),
    );
    let second = rightsbot(&config, &["run", "--once"]);
    assert_eq!(second.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("pid {}", daemon.child.id())),
        "{stderr}"
    );
    assert!(rightsbot(&config, &["cases"]).status.success());
}

/// Issue 12, item 1: a review mail's row committed, the process killed before it was
/// delivered: after a restart it is delivered exactly once. A decision rolled back
/// queues nothing.
#[cfg(feature = "fault-injection")]
#[test]
fn a_review_mail_committed_before_a_crash_is_delivered_once() {
    let stack = MailStack::up();
    let staff = stack.var("MAILSTACK_STAFF_ADDRESS").to_string();
    let config = stack.config_with("rightsbot-review.toml", |text| {
        format!(
            "{text}\n[approval_by_mail]\nenabled = true\nstaff_address = \"{staff}\"\napprovers = [\"{staff}\"]\n"
        )
    });
    stack.send(
        "Tietopyyntö",
        "Haluan nähdä mitä tietoja minusta on.",
        "review-crash@example.test",
    );
    let started = std::time::Instant::now();
    loop {
        let killed = bin()
            .arg("--config")
            .arg(&config)
            .args(["run", "--once"])
            .env("RIGHTSBOT_TEST_CRASH_BEFORE_STAFF_MAIL", "1")
            .output()
            .expect("run rightsbot");
        if killed.status.code().is_none() {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "the review mail was queued"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        staff_messages(&stack).is_empty(),
        "nothing went before the crash"
    );
    let report = json(&config, &["send", "--once"]);
    assert_eq!(report["staff_mail"], 1, "{report}");
    let reviews = wait_for(|| staff_messages(&stack), "rightsbot-token:", 1);
    assert_eq!(reviews.len(), 1);
    assert_eq!(json(&config, &["send", "--once"])["staff_mail"], 0);
    assert_eq!(
        wait_for(|| staff_messages(&stack), "rightsbot-token:", 1).len(),
        1,
        "delivered exactly once"
    );

    // Queued in a transaction that is then rolled back: nothing to send.
    let loaded = rightsbot::config::Config::load(&config).expect("config");
    let mut store = rightsbot::store::Store::open(
        &loaded.store.path,
        &rightsbot::store::StoreOptions::default(),
    )
    .expect("store");
    {
        let batch = store.begin().expect("begin");
        rightsbot::draft::outbox::queue(
            &batch,
            &loaded,
            &rightsbot::draft::outbox::StaffMail {
                kind: rightsbot::store::MailKind::Note,
                case: None,
                to: &staff,
                subject: "never",
                body: "rolled back",
                attachments: &[],
                name: "note-rolled-back",
            },
            jiff::Timestamp::now(),
        )
        .expect("queue");
        // Dropped without commit: rolled back.
    }
    assert_eq!(json(&config, &["send", "--once"])["staff_mail"], 0);
}

/// A request for the customer's data, written with their phone number from a stranger's
/// address, `days` ago.
fn request_with_customer_phone(stack: &MailStack, days: i64, id: &str) -> PathBuf {
    let received = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days);
    let date = received.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string();
    let path = stack.path().join(format!("{id}.eml"));
    std::fs::write(
        &path,
        format!(
            "Received: from mail.example.test by mx.example.test; {date}\r\n\
             From: Vieras <vieras@elsewhere.example.test>\r\nTo: {}\r\nSubject: Tietopyyntö\r\n\
             Date: {date}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n\
             Haluan tietää, mitä tietoja minusta on.\r\n\r\npuh. 040 123 4567\r\n",
            stack.var("MAILSTACK_REQUEST_ADDRESS")
        ),
    )
    .expect("write request");
    path
}

/// Issue 15, identity proportionate: a stranger writes with a customer's phone number. The
/// customer's address on file gets a request for confirmation through the real server
/// (no personal data, no approval); their authenticated YES verifies the case and the
/// reply is drafted to the address on file. A second such request that nobody confirms
/// gets its refusal offered on the daemon's own clock, with no mail arriving.
#[test]
fn the_address_on_file_confirms_a_request_and_silence_gets_a_refusal_on_the_clock() {
    let stack = MailStack::up();
    let customer = stack.var("MAILSTACK_CUSTOMER_ADDRESS").to_string();
    let domain = customer.rsplit_once('@').expect("an address").1.to_string();
    std::fs::write(
        stack.path().join("customers.csv"),
        format!("Id,Name,Email,Phone\n1,Asiakas Esimerkki,{customer},040 123 4567\n"),
    )
    .expect("csv");
    let config = stack.config_with("rightsbot-confirm.toml", |text| {
        format!(
            "{text}\n[identity]\ntrusted_authserv_ids = [\"mx.test.example.test\"]\n\n\
             [[register.sources]]\nname = \"customers\"\nfile = \"customers.csv\"\n\
             [register.sources.columns]\ncustomer_id = \"Id\"\nname = \"Name\"\nemail = \"Email\"\nphone = \"Phone\"\n"
        )
    });
    json(&config, &["register", "import"]);
    let path = request_with_customer_phone(&stack, 1, "stranger-1@example.test");
    json(&config, &["ingest", &path.display().to_string()]);
    let case = json(&config, &["cases"])[0]["id"]
        .as_str()
        .expect("a case")
        .to_string();
    assert_eq!(
        json(&config, &["show", &case])["identity"]["outcome"],
        "needs_verification"
    );

    // The request for confirmation goes out without approval, to the address on file.
    json(&config, &["send", "--once"]);
    wait_for_quiet(|| customer_messages(&stack), "rightsbot-confirm:");
    let confirmation = customer_messages(&stack)
        .into_iter()
        .map(|m| String::from_utf8_lossy(&m).into_owned())
        .find(|m| m.contains("rightsbot-confirm:"))
        .expect("the request for confirmation reached the customer");
    assert!(confirmation.contains(&case), "{confirmation}");
    for detail in ["vieras", "040", "Esimerkki"] {
        assert!(!confirmation.contains(detail), "{detail} in {confirmation}");
    }
    let token = confirmation
        .split("rightsbot-confirm:")
        .nth(1)
        .map(|rest| rest[..32].to_string())
        .expect("a token");

    // The customer answers YES; the receiving server authenticated the mail.
    stack.send_to(
        stack.var("MAILSTACK_REQUEST_ADDRESS"),
        &format!(
            "Authentication-Results: mx.test.example.test; spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain}; dmarc=pass header.from={domain}\r\n"
        ),
        &format!("Re: Vahvistakaa [{case}] rightsbot-confirm:{token}"),
        "KYLLÄ\r\n\r\nAsiakas",
        "confirm-yes@example.test",
    );
    wait_until("the answer verified the case", || {
        json(&config, &["run", "--once"]);
        json(&config, &["show", &case])["identity"]["outcome"] == "verified"
    });
    let shown = json(&config, &["show", &case]);
    let last = shown["drafts"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["purpose"], "reply", "{shown}");
    assert_eq!(last["recipient"], customer.to_lowercase().as_str());
    assert_eq!(json(&config, &["cases"]).as_array().unwrap().len(), 1);

    // Twenty days ago another stranger wrote; nobody confirmed. The daemon's clock offers
    // the refusal with reasons, with no mail arriving.
    let old = request_with_customer_phone(&stack, 20, "stranger-2@example.test");
    let twenty_days_ago =
        (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 20)).to_string();
    json(
        &config,
        &[
            "--now",
            &twenty_days_ago,
            "ingest",
            &old.display().to_string(),
        ],
    );
    let silent = json(&config, &["cases"])[1]["id"]
        .as_str()
        .expect("a second case")
        .to_string();
    let mut daemon = Daemon::start(&config);
    daemon.wait_for_log("refusals offered", 1, Duration::from_secs(60));
    daemon.kill();
    let shown = json(&config, &["show", &silent]);
    let refusal = shown["drafts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["purpose"] == "refusal")
        .unwrap_or_else(|| panic!("no refusal drafted: {shown}\n{}", daemon.log()))
        .clone();
    assert_eq!(refusal["state"], "pending", "{shown}");
    assert_eq!(refusal["recipient"], "vieras@elsewhere.example.test");
    // The verified case is not refused.
    let shown = json(&config, &["show", &case]);
    assert!(
        shown["drafts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["purpose"] != "refusal"),
        "{shown}"
    );
}
