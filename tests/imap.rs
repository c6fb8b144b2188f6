//! The IMAP intake against a real Dovecot and Postfix started by scripts/mailstack: nothing
//! lost, nothing twice, whatever happens to the daemon or the server.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::corpus::generate_maildir;
use support::daemon::Daemon;
use support::mailstack::{MailStack, json, on_mailbox, rightsbot};
use support::{assert_user_error, bin, free_port};

/// Messages the daemon has committed to the store (0 before the store exists).
fn stored_messages(stack: &MailStack) -> i64 {
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        stack.path().join("rightsbot.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return 0;
    };
    conn.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .unwrap_or(0)
}

/// Moves the store still owes the server.
fn pending_moves(stack: &MailStack) -> i64 {
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        stack.path().join("rightsbot.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return -1;
    };
    conn.query_row("SELECT COUNT(*) FROM imap_pending_moves", [], |r| r.get(0))
        .unwrap_or(-1)
}

/// Waits until Postfix has delivered `count` messages to the inbox.
fn wait_for_delivery(config: &Path, count: u32) {
    assert!(
        support::wait_until(Duration::from_secs(60), || folder_counts(
            config,
            &["INBOX"]
        )[0] == count),
        "{count} delivered"
    );
}

/// Counts the messages in each folder of the request mailbox, as the server sees them.
fn folder_counts(config: &Path, folders: &[&str]) -> Vec<u32> {
    on_mailbox(config, async |source| {
        let mut counts = Vec::new();
        for folder in folders {
            counts.push(
                source
                    .select(folder)
                    .await
                    .map(|(_, exists)| exists)
                    .unwrap_or(0),
            );
        }
        counts
    })
}

/// The inbox's UIDVALIDITY and message count.
fn uidvalidity(config: &Path) -> (u32, u32) {
    on_mailbox(config, async |source| {
        source.select("INBOX").await.expect("select")
    })
}

fn case_count(config: &Path) -> usize {
    json(config, &["cases"]).as_array().map_or(0, Vec::len)
}

#[test]
fn a_mail_through_postfix_becomes_a_case_and_leaves_the_inbox() {
    let stack = MailStack::up();
    let config = stack.config();
    stack.send(
        "Tietojen poisto",
        "Poistakaa tietoni, kiitos.",
        "smtp-1@example.test",
    );
    wait_for_delivery(&config, 1);

    let report = json(&config, &["run", "--once"]);
    assert_eq!(report["cases_opened"], 1, "{report}");
    assert_eq!(report["moved"], 1, "{report}");
    let cases = json(&config, &["cases"]);
    assert_eq!(cases[0]["kinds"], serde_json::json!(["erasure"]));
    assert_eq!(folder_counts(&config, &["INBOX", "Processed"]), [0, 1]);
    let case = json(&config, &["show", cases[0]["id"].as_str().unwrap()]);
    assert_eq!(case["messages"][0]["received_from"], "imap_internaldate");
    // The daemon drafts the reply in the same commit: the sender is in no register here,
    // so the draft says nothing was found, and goes to the sender.
    assert_eq!(case["identity"]["outcome"], "no_match", "{case}");
    assert_eq!(case["drafts"][0]["purpose"], "not_found", "{case}");
    assert_eq!(case["drafts"][0]["state"], "pending", "{case}");
    assert_eq!(case["drafts"][0]["personal_data"], false, "{case}");

    // A second pass finds nothing and changes nothing.
    let again = json(&config, &["run", "--once"]);
    assert_eq!(again["seen"], 0, "{again}");
    assert_eq!(case_count(&config), 1);
}

/// Mail that arrives after a pass selected the inbox is announced in the answer to the
/// pass's next command (an untagged EXISTS), and IDLE does not announce it again: the wait
/// must count what was announced before it began, or the mail waits for the next one (seen
/// as a flaky restart test: the daemon reconnected, its pass found nothing, the mail came).
#[test]
fn mail_announced_before_the_wait_ends_it_at_once() {
    let stack = MailStack::up();
    let runtime = support::mailstack::runtime();
    let mut source = runtime.block_on(async {
        let mut source = support::mailstack::connect(&stack.config()).await;
        assert_eq!(source.select("INBOX").await.expect("select").1, 0);
        source
    });
    stack.send(
        "Tarkastuspyyntö",
        "Mitä tietoja teillä on minusta?",
        "early@example.test",
    );
    wait_for_delivery(&stack.config(), 1);
    let wake = runtime.block_on(async {
        // The pass's next command; the server tells of the new mail in its answer.
        source.uids().await.expect("search");
        let (_keep, mut shutdown) = tokio::sync::watch::channel(false);
        // A wait far longer than the test's patience would be: a Timeout means it was lost.
        let (source, wake) = source
            .wait(
                Duration::from_secs(90),
                Duration::from_secs(1),
                &mut shutdown,
            )
            .await
            .expect("wait");
        source.logout().await;
        wake
    });
    assert_eq!(wake, rightsbot::intake::imap::Wake::NewMail);
}

#[test]
fn the_idling_daemon_picks_up_new_mail_and_survives_a_server_restart() {
    let stack = MailStack::up();
    let config = stack.config();
    let mut daemon = Daemon::start(&config);
    // Its first pass (an empty inbox) is over: it waits for mail now.
    daemon.wait_for_log("pass timing", 1, Duration::from_secs(60));
    let sent = Instant::now();
    stack.send(
        "Tarkastuspyyntö",
        "Mitä tietoja teillä on minusta?",
        "idle-1@example.test",
    );
    assert!(
        support::wait_until(Duration::from_secs(60), || case_count(&config) == 1),
        "the idling daemon opened a case"
    );
    eprintln!("mail to case while idling: {:?}", sent.elapsed());

    stack.restart_imap();
    stack.send(
        "Radera mina uppgifter",
        "Radera mina uppgifter, tack.",
        "idle-2@example.test",
    );
    assert!(
        support::wait_until(Duration::from_secs(120), || case_count(&config) == 2),
        "the daemon reconnected after the restart:\n{}\ndovecot.log:\n{}",
        daemon.log(),
        std::fs::read_to_string(stack.path().join("dovecot.log")).unwrap_or_default()
    );
    assert!(daemon.running(), "still running");

    let (status, stderr) = daemon.terminate();
    assert_eq!(status.code(), Some(0), "a clean exit on SIGTERM");
    assert_eq!(folder_counts(&config, &["INBOX", "Processed"]), [0, 2]);
    for line in stderr.lines() {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("log line is not JSON: {line}"));
        assert!(entry.get("level").is_some(), "{line}");
    }
    let password = stack.var("MAILSTACK_REQUEST_PASSWORD");
    assert!(
        !stderr.contains(password),
        "the password never reaches a log line"
    );
    assert!(
        !stderr.contains("Poistakaa") && !stderr.contains("Radera mina"),
        "no message body in the log"
    );
}

#[test]
fn killed_again_and_again_it_stores_every_mail_exactly_once() {
    let stack = MailStack::up();
    let config = stack.config_with("small-batches.toml", |text| {
        text.replace("[mailbox]", "[mailbox]\nbatch_size = 25")
    });
    let expected = generate_maildir(&stack.request_maildir(), 500, 3);
    std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(stack.request_maildir())
        .status()
        .expect("chown");

    // Kill at a different point each round, while it works through the inbox: when the
    // store holds the next number of messages (or the daemon has ended on its own).
    for (round, kill_at) in [40, 160, 280, 400].into_iter().enumerate() {
        let mut daemon = Daemon::start(&config);
        assert!(
            support::wait_until(Duration::from_secs(120), || stored_messages(&stack)
                >= kill_at
                || !daemon.running()),
            "round {round}: the daemon stored nothing"
        );
        daemon.kill();
        if round == 0 {
            let stored = stored_messages(&stack);
            assert!(
                stored > 0 && stored < 500,
                "the first kill landed mid-inbox ({stored} stored)"
            );
        }
    }
    let daemon = Daemon::start(&config);
    assert!(
        support::wait_until(Duration::from_secs(300), || folder_counts(
            &config,
            &["INBOX"]
        )[0] == 0),
        "the last daemon empties the inbox"
    );
    // The moves are on the server; the store records them done with its next commit.
    assert!(
        support::wait_until(Duration::from_secs(60), || pending_moves(&stack) == 0),
        "the store owes no move"
    );
    assert_eq!(daemon.terminate().0.code(), Some(0));

    let conn = rusqlite::Connection::open(stack.path().join("rightsbot.db")).expect("db");
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql);
    assert_eq!(count("SELECT COUNT(*) FROM messages"), 500);
    assert_eq!(
        count("SELECT COUNT(DISTINCT message_id) FROM messages"),
        500
    );
    assert_eq!(count("SELECT COUNT(*) FROM cases"), expected.opened as i64);
    assert_eq!(count("SELECT COUNT(*) FROM imap_pending_moves"), 0);
    assert_eq!(
        count("SELECT COUNT(*) FROM messages WHERE automated IS NULL AND case_id IS NULL"),
        0
    );
    assert_eq!(folder_counts(&config, &["INBOX", "Processed"]), [0, 500]);
}

#[test]
fn a_recreated_mailbox_opens_no_case_twice() {
    let stack = MailStack::up();
    let config = stack.config();
    let maildir = stack.request_maildir();
    let expected = generate_maildir(&maildir, 20, 5);
    let chown = || {
        std::process::Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(&maildir)
            .status()
            .expect("chown");
    };
    chown();
    let first = json(&config, &["run", "--once"]);
    assert_eq!(first["cases_opened"], expected.opened, "{first}");
    let (before, _) = uidvalidity(&config);

    // Put the same messages back and make Dovecot forget the inbox's UIDs: a new UIDVALIDITY.
    generate_maildir(&maildir, 20, 5);
    for name in [
        "dovecot-uidlist",
        "dovecot.index",
        "dovecot.index.cache",
        "dovecot.index.log",
    ] {
        let _ = std::fs::remove_file(maildir.join(name));
    }
    chown();
    let (after, waiting) = uidvalidity(&config);
    assert_ne!(before, after, "the inbox has a new UIDVALIDITY");
    assert_eq!(waiting, 20);

    let second = json(&config, &["run", "--once"]);
    assert_eq!(second["cases_opened"], 0, "{second}");
    assert_eq!(second["duplicates"], 20, "{second}");
    assert_eq!(case_count(&config), expected.opened);
    assert_eq!(folder_counts(&config, &["INBOX"]), [0]);
}

#[test]
fn connection_problems_are_one_clear_line() {
    let stack = MailStack::up();
    let wrong_password = stack.config_with("wrong-password.toml", |text| {
        text.replace(
            "password_file = \"passwords/request\"",
            "password_env = \"RIGHTSBOT_TEST_NO_SUCH_PASSWORD\"",
        )
    });
    let output = bin()
        .arg("--config")
        .arg(&wrong_password)
        .args(["run", "--once"])
        .env("RIGHTSBOT_TEST_NO_SUCH_PASSWORD", "not-the-password")
        .output()
        .expect("run");
    let line = assert_user_error(&output);
    assert!(line.contains("login as \"request\" refused"), "{line}");
    assert!(!line.contains("not-the-password"), "{line}");

    let unset = rightsbot(&wrong_password, &["run", "--once"]);
    let line = assert_user_error(&unset);
    assert!(
        line.contains("RIGHTSBOT_TEST_NO_SUCH_PASSWORD (mailbox.password_env) is not set"),
        "{line}"
    );

    let closed_port = free_port();
    let wrong_port = stack.config_with("wrong-port.toml", |text| {
        let imap_port = format!("port = {}", stack.var("MAILSTACK_IMAP_PORT"));
        text.replace(&imap_port, &format!("port = {closed_port}"))
    });
    let output = rightsbot(&wrong_port, &["run", "--once"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(75), "temporary: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot connect to IMAP server 127.0.0.1:{closed_port}"
        )),
        "{stderr}"
    );

    let untrusted = stack.config_with("untrusted.toml", |text| {
        let imap_port = format!("port = {}", stack.var("MAILSTACK_IMAP_PORT"));
        text.replace(
            &imap_port,
            &format!("port = {}", stack.var("MAILSTACK_IMAPS_PORT")),
        )
        .replace("tls = \"none\"", "tls = \"implicit\"")
    });
    let line = assert_user_error(&rightsbot(&untrusted, &["run", "--once"]));
    assert!(
        line.contains("TLS with IMAP server") && line.to_lowercase().contains("certificate"),
        "{line}"
    );

    // With the stack's CA the same connection is trusted.
    let ca = stack.var("MAILSTACK_CA_FILE").to_string();
    let trusted = stack.config_with("trusted.toml", |text| {
        let imap_port = format!("port = {}", stack.var("MAILSTACK_IMAP_PORT"));
        text.replace(
            &imap_port,
            &format!("port = {}", stack.var("MAILSTACK_IMAPS_PORT")),
        )
        .replace(
            "tls = \"none\"",
            &format!("tls = \"implicit\"\nca_file = \"{ca}\""),
        )
    });
    let report = json(&trusted, &["run", "--once"]);
    assert_eq!(report["seen"], 0);
    // STARTTLS on the plain port, with the same CA.
    let starttls = stack.config_with("starttls.toml", |text| {
        text.replace(
            "tls = \"none\"",
            &format!("tls = \"starttls\"\nca_file = \"{ca}\""),
        )
    });
    let report = json(&starttls, &["run", "--once"]);
    assert_eq!(report["seen"], 0);

    // The daemon does not crash-loop on a closed port: it backs off and stays up, waiting
    // longer before each new attempt.
    let mut daemon = Daemon::start(&wrong_port);
    daemon.wait_for_log("cannot reach the mailbox", 3, Duration::from_secs(120));
    assert!(daemon.running(), "the daemon keeps trying");
    let (status, stderr) = daemon.terminate();
    assert_eq!(status.code(), Some(0));
    let waits: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains("cannot reach the mailbox"))
        .map(|l| {
            let entry: serde_json::Value = serde_json::from_str(l).expect("JSON log line");
            entry["fields"]["retry_in"]
                .as_str()
                .expect("retry_in")
                .to_string()
        })
        .collect();
    assert_eq!(&waits[..3], ["1s", "2s", "4s"], "backoff, not a loop");
}

#[test]
fn status_reports_the_mailbox_and_the_workload() {
    let stack = MailStack::up();
    let config = stack.config();
    stack.send(
        "Unsubscribe",
        "Please unsubscribe me from the newsletter.",
        "status-1@example.test",
    );
    wait_for_delivery(&config, 1);
    let before = json(&config, &["status"]);
    assert_eq!(before["reachable"], true);
    assert_eq!(before["messages_waiting"], 1);
    assert!(before["last_pass_at"].is_null());
    json(&config, &["run", "--once"]);
    let after = json(&config, &["status"]);
    assert_eq!(after["messages_waiting"], 0);
    assert_eq!(after["cases_open"], 1);
    assert_eq!(after["drafts_waiting"], 1, "{after}");
    assert!(after["last_pass_at"].is_string());
}

/// Issue 12: a month of one mailbox, walked through. Two requests arrive; with the daemon
/// idling on a quiet mailbox (a keepalive every 2 s), staff approve the first reply from
/// the command line and it reaches the customer with no other mail to wake the daemon.
/// The second case is left unanswered, and `run --once --now` passes at the 7, 3 and 1
/// working-day marks and past the deadline give each reminder once, each digest arriving
/// in the staff member's own mailbox.
#[test]
fn a_month_walked_through_on_a_quiet_mailbox() {
    use rightsbot::deadline::HolidayCalendar;
    use rightsbot::remind::working_days_left;

    let stack = MailStack::up_with(&[("MAILSTACK_IDLE_NOTIFY", "2")]);
    let config = stack.config();
    let staff = stack.var("MAILSTACK_STAFF_ADDRESS").to_string();
    let mut text = std::fs::read_to_string(&config).expect("the stack's config");
    // The recap of what recurs comes from 20:00, after the 09:00 passes below.
    text.push_str(&format!(
        "\n[reminders]\nstaff_address = \"{staff}\"\ndigest_every_minutes = 0\ndaily_hour = 20\n"
    ));
    std::fs::write(&config, text).expect("write config");
    let login = |user: &str| {
        stack.config_with(&format!("{user}-login.toml"), |text| {
            text.replace("user = \"request\"", &format!("user = \"{user}\""))
                .replace("passwords/request", &format!("passwords/{user}"))
        })
    };
    let (staff_login, customer_login) = (login("staff"), login("customer"));
    let inbox_count = |login: &Path| {
        on_mailbox(login, async |source| {
            source
                .select("INBOX")
                .await
                .map(|(_, exists)| exists)
                .unwrap_or(0)
        })
    };

    stack.send(
        "Tietopyyntö",
        "Haluan nähdä mitä tietoja minusta on.",
        "month-1@example.test",
    );
    stack.send(
        "Poistopyyntö",
        "Poistakaa kaikki minua koskevat tietoni.",
        "month-2@example.test",
    );
    wait_for_delivery(&config, 2);
    // Today: two cases open; their drafts waiting are the first digest's news.
    let first = json(&config, &["run", "--once"]);
    assert_eq!(first["cases_opened"], 2, "{first}");
    assert_eq!(first["digests"], 1, "{first}");

    // The daemon idles; the first reply is approved from the CLI and goes.
    let daemon = Daemon::start(&config);
    daemon.wait_for_log("connected to the mailbox", 1, Duration::from_secs(60));
    json(&config, &["approve", "D1", "--by", "Sanna"]);
    assert!(
        support::wait_until(Duration::from_secs(30), || inbox_count(&customer_login)
            >= 1),
        "the approved reply reached the customer on a quiet mailbox:\n{}",
        daemon.log()
    );
    let (status, _) = daemon.terminate();
    assert_eq!(status.code(), Some(0));

    // The second case walks its month.
    let cases = json(&config, &["cases"]);
    let second = cases
        .as_array()
        .expect("cases")
        .iter()
        .find(|case| case["id"].as_str().is_some_and(|id| id.ends_with("-0002")))
        .expect("the second case");
    let deadline: jiff::civil::Date = second["deadline"]
        .as_str()
        .expect("a deadline")
        .parse()
        .expect("a date");
    let calendar = HolidayCalendar::default();
    let working_day_with = |left: i64| {
        (1..60)
            .filter_map(|back| deadline.checked_sub(jiff::Span::new().days(back)).ok())
            .find(|day| {
                calendar.is_working_day(*day)
                    && working_days_left(*day, deadline, &calendar) == left
            })
            .unwrap()
    };
    let overdue = deadline.tomorrow().unwrap();
    for day in [
        working_day_with(7),
        working_day_with(3),
        working_day_with(1),
        overdue,
    ] {
        let now = format!("{day}T09:00:00+02:00");
        let first = json(&config, &["--now", &now, "run", "--once"]);
        assert_eq!(first["digests"], 1, "{day}: {first}");
        let again = json(
            &config,
            &["--now", &format!("{day}T15:00:00+02:00"), "run", "--once"],
        );
        assert_eq!(again["digests"], 0, "{day}: told once");
    }
    // The digests went over SMTP to the staff member's own mailbox: drafts waiting, 7, 3,
    // 1, overdue, each once.
    assert!(
        support::wait_until(Duration::from_secs(60), || inbox_count(&staff_login) >= 5),
        "five digests"
    );
    assert_eq!(inbox_count(&staff_login), 5);
    assert_eq!(inbox_count(&customer_login), 1, "one reply, sent once");
}

/// The flags of every message in the request mailbox's `folder`, as Dovecot has them.
fn flags(stack: &MailStack, folder: &str) -> Vec<String> {
    let output = std::process::Command::new("doveadm")
        .args(["-c", stack.var("MAILSTACK_DOVECOT_CONF")])
        .args([
            "fetch",
            "-u",
            stack.var("MAILSTACK_REQUEST_USER"),
            "flags",
            "mailbox",
            folder,
        ])
        .output()
        .expect("doveadm");
    assert!(
        output.status.success(),
        "doveadm: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("flags:"))
        .map(|f| f.trim().to_string())
        .collect()
}

/// Issue 12, item 2: the published address is the shop's everyday mailbox. In shared mode
/// customer service's mail stays in INBOX unread, requests move, and a restart reads
/// nothing twice.
#[test]
fn a_shared_mailbox_keeps_other_mail_unread_and_moves_only_requests() {
    let stack = MailStack::up();
    let config = stack.config_with("shared.toml", |text| {
        text.replace("[mailbox]", "[mailbox]\nmode = \"shared\"")
    });
    stack.send(
        "Tilaus 45007",
        "Hei, missä pakettini on? Tilasin sen viime viikolla.",
        "shared-1@example.test",
    );
    stack.send(
        "Tietopyyntö",
        "Haluan nähdä mitä tietoja minusta on.",
        "shared-2@example.test",
    );
    wait_for_delivery(&config, 2);
    let first = json(&config, &["run", "--once"]);
    assert_eq!(
        (first["seen"].as_u64(), first["cases_opened"].as_u64()),
        (Some(2), Some(1)),
        "{first}"
    );
    assert_eq!(folder_counts(&config, &["INBOX", "Processed"]), [1, 1]);
    let inbox = flags(&stack, "INBOX");
    assert_eq!(inbox.len(), 1);
    assert!(!inbox[0].contains("\\Seen"), "left unread: {inbox:?}");
    // A restart reads nothing twice.
    assert_eq!(json(&config, &["run", "--once"])["seen"], 0);
    // New mail is read once, and stays where customer service reads it.
    stack.send(
        "Kiitos",
        "Kiitos nopeasta toimituksesta!",
        "shared-3@example.test",
    );
    wait_for_delivery(&config, 2);
    assert_eq!(json(&config, &["run", "--once"])["seen"], 1);
    assert_eq!(json(&config, &["run", "--once"])["seen"], 0);
    assert_eq!(folder_counts(&config, &["INBOX", "Processed"]), [2, 1]);
    assert!(flags(&stack, "INBOX").iter().all(|f| !f.contains("\\Seen")));
}

/// Shared mode with `requests = "copy"`: the request is copied, the original stays.
#[test]
fn a_shared_mailbox_may_copy_requests_and_keep_the_original() {
    let stack = MailStack::up();
    let config = stack.config_with("shared-copy.toml", |text| {
        text.replace(
            "[mailbox]",
            "[mailbox]\nmode = \"shared\"\nrequests = \"copy\"",
        )
    });
    stack.send(
        "Tietopyyntö",
        "Haluan nähdä mitä tietoja minusta on.",
        "shared-copy@example.test",
    );
    wait_for_delivery(&config, 1);
    assert_eq!(json(&config, &["run", "--once"])["cases_opened"], 1);
    assert_eq!(folder_counts(&config, &["INBOX", "Processed"]), [1, 1]);
    assert!(flags(&stack, "INBOX").iter().all(|f| !f.contains("\\Seen")));
    assert_eq!(json(&config, &["run", "--once"])["seen"], 0);
    assert_eq!(folder_counts(&config, &["INBOX", "Processed"]), [1, 1]);
}

#[test]
fn no_log_level_prints_the_password_or_a_message_body() {
    let stack = MailStack::up();
    let config = stack.config();
    let password = stack.var("MAILSTACK_REQUEST_PASSWORD").to_string();
    for (round, level) in [
        "trace",
        "debug",
        "async_imap=trace,imap_proto=trace,lettre=trace",
    ]
    .into_iter()
    .enumerate()
    {
        let body = format!("Salainen-leipateksti-{round}: poistakaa tietoni, kiitos.");
        stack.send(
            "Tietojen poisto",
            &body,
            &format!("trace-{round}@example.test"),
        );
        wait_for_delivery(&config, 1);
        let output = bin()
            .arg("--config")
            .arg(&config)
            .args(["run", "--once"])
            .env("RIGHTSBOT_LOG", level)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{level}: {stderr}");
        assert!(
            level.starts_with("async_imap") || stderr.contains("rightsbot"),
            "{level}: our own lines are still logged: {stderr}"
        );
        assert!(
            !stderr.contains(&password),
            "{level}: the password reached the log"
        );
        assert!(
            !stderr.contains("Salainen-leipateksti"),
            "{level}: a message body reached the log"
        );
        assert_eq!(folder_counts(&config, &["INBOX"]), [0], "{level}");
    }
}

#[test]
fn an_oversize_mail_is_listed_where_it_went() {
    let stack = MailStack::up();
    let config = stack.config_with("small-limit.toml", |text| {
        format!("{text}\n[ingest]\nmax_message_bytes = 200\n")
    });
    stack.send(
        "Tietopyyntö",
        "Haluan nähdä mitä tietoja minusta on tallennettu.",
        "oversize-1@example.test",
    );
    wait_for_delivery(&config, 1);
    let report = json(&config, &["run", "--once"]);
    assert_eq!(report["quarantined"], 1, "{report}");
    assert_eq!(
        folder_counts(&config, &["INBOX", "Quarantine"]),
        [0, 1],
        "moved to the Quarantine folder"
    );
    let output = rightsbot(&config, &["quarantine"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("not read; moved to the Quarantine folder"),
        "{text}"
    );
    assert!(!text.contains("left in place"), "{text}");
}
