//! Running it for real (issue 17): `backup` while the store is being written (by `ingest`,
//! and by the daemon reading a real mailbox), the restored copy judged by `check`, `check`
//! finding what was planted, the committed upgrade fixture, and `/metrics` against what
//! `status` and `cases` say.

mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use support::corpus::generate_maildir;
use support::daemon::Daemon;
use support::mailstack::{MailStack, json};
use support::{Running, Sandbox, example_config, free_port, repo};

fn count(db: &Path, sql: &str) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

fn stored_messages(db: &Path) -> i64 {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .unwrap_or(0)
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A sandbox whose store is a copy of `db`.
fn restored(config: &str, db: &Path) -> Sandbox {
    let sandbox = Sandbox::with_config(config);
    std::fs::copy(db, sandbox.db()).expect("restore the copy");
    sandbox
}

#[test]
fn a_backup_taken_during_ingest_restores_to_a_whole_store_that_checks() {
    let sandbox = Sandbox::new();
    let maildir = sandbox.path().join("maildir");
    let expected = generate_maildir(&maildir, 3000, 17);
    let maildir_arg = maildir.display().to_string();
    let mut ingest = sandbox
        .command(&["ingest", &maildir_arg])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ingest");
    // Wait until ingest has committed some batches (a condition, not a guess at time).
    let started = Instant::now();
    while stored_messages(&sandbox.db()) < 300 {
        assert!(
            ingest.try_wait().expect("ingest").is_none(),
            "ingest ended before 300 messages were stored"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "ingest too slow"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let copy = sandbox.path().join("backups/rightsbot-copy.db");
    std::fs::create_dir_all(copy.parent().expect("dir")).expect("backup dir");
    let copy_arg = copy.display().to_string();
    let backed_up = sandbox.json(&["backup", &copy_arg]);
    assert_eq!(backed_up["integrity"], "ok", "{backed_up}");
    assert_eq!(
        std::fs::read_dir(copy.parent().expect("dir"))
            .expect("list")
            .count(),
        1,
        "no temporary file is left beside the backup"
    );
    let finished = ingest.wait().expect("ingest");
    assert!(finished.success(), "ingest failed: {finished:?}");

    // A second backup to the same file is refused without --force, naming the file.
    let again = sandbox.run(&["backup", &copy_arg]);
    let message = support::assert_user_error(&again);
    assert!(
        message.contains(&copy_arg) && message.contains("--force"),
        "{message}"
    );

    // Restore it into a new config: `check` passes and every case in it is whole.
    let restored = restored(support::CONFIG, &copy);
    let in_copy = stored_messages(&restored.db());
    assert!(
        in_copy > 0 && in_copy < expected.messages as i64,
        "the backup was taken mid-ingest ({in_copy} of {} messages)",
        expected.messages
    );
    let checked = restored.run(&["check"]);
    let (stdout, stderr) = text(&checked);
    assert!(checked.status.success(), "{stdout}{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let db = restored.db();
    let cases = count(&db, "SELECT COUNT(*) FROM cases");
    assert!(cases > 0);
    assert_eq!(count(&db, "SELECT MAX(seq) FROM cases"), cases, "no gap");
    for kind in ["received", "deadline_set"] {
        assert_eq!(
            count(
                &db,
                &format!("SELECT COUNT(*) FROM events WHERE kind = '{kind}'")
            ),
            cases,
            "{kind}: one per case"
        );
    }
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM messages WHERE automated IS NULL AND case_id IS NULL"
        ),
        0,
        "every human message in the copy belongs to a case in it"
    );
    let listed = restored.json(&["cases"]);
    assert_eq!(listed.as_array().expect("cases").len() as i64, cases);

    // The copy is a clean prefix of the store: ingesting the same mail into it stores
    // exactly the rest and ends where the original ended.
    let rerun = restored.json(&["ingest", &maildir_arg]);
    assert_eq!(rerun["duplicates"].as_i64(), Some(in_copy));
    assert_eq!(
        rerun["new"].as_i64().expect("new") + in_copy,
        expected.messages as i64
    );
    for table in ["messages", "cases", "events"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(
            count(&restored.db(), &sql),
            count(&sandbox.db(), &sql),
            "{table}"
        );
    }
    restored.ok(&["check"]);
}

/// The store the committed fixture holds, in a sandbox over the example config.
fn fixture() -> Sandbox {
    let sandbox = restored(
        &example_config(),
        &repo().join("tests/fixtures/upgrade/example-schema15.db"),
    );
    let mut permissions = std::fs::metadata(sandbox.db())
        .expect("metadata")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(sandbox.db(), permissions).expect("writable");
    sandbox
}

#[test]
fn a_store_written_by_an_earlier_build_opens_and_checks() {
    let sandbox = fixture();
    let checked = sandbox.json(&["check"]);
    assert_eq!(checked["ok"], true, "{checked}");
    assert_eq!(checked["cases"], 18);
    assert_eq!(checked["events"], 110);
    assert_eq!(checked["drafts"], 17);
    assert_eq!(checked["messages"], 25);
    assert_eq!(
        sandbox.json(&["cases"]).as_array().expect("cases").len(),
        18
    );
    let status = sandbox.json(&["status"]);
    assert_eq!(status["messages_stored"], 25);
    assert_eq!(status["quarantined"], 1);
    // It takes writes too: the same mail again is all duplicates.
    let mailbox = repo().join("examples/mailbox").display().to_string();
    let again = sandbox.json(&["ingest", &mailbox]);
    assert_eq!(again["new"], 0, "{again}");
    sandbox.ok(&["check"]);
}

#[test]
fn check_names_each_planted_problem_and_exits_1() {
    let sandbox = fixture();
    sandbox.ok(&["check"]);
    {
        let conn = rusqlite::Connection::open(sandbox.db()).expect("open");
        conn.execute_batch(
            "DROP TRIGGER events_are_append_only_update;
             UPDATE events SET at = '2020-01-01T00:00:00Z'
              WHERE id = (SELECT MAX(e.id) FROM events e JOIN cases c ON c.id = e.case_id
                          WHERE c.year = 2026 AND c.seq = 1);
             UPDATE drafts SET outbox_file = NULL WHERE id = 2 AND state = 'sent';
             UPDATE drafts SET state = 'approved' WHERE id = 9 AND state = 'pending';",
        )
        .expect("plant");
        assert_eq!(conn.changes(), 1, "D9 was waiting");
    }
    let checked = sandbox.run(&["check"]);
    let (stdout, stderr) = text(&checked);
    assert_eq!(checked.status.code(), Some(1), "{stdout}{stderr}");
    for expected in [
        "trigger events_are_append_only_update: missing",
        "DSR-2026-0001: event #",
        "D9: is approved but has no Message-ID",
        "D9: is approved but its case records no approval of it",
        "D2: is sent but neither an outbox file nor a sent event records its delivery",
    ] {
        assert!(
            stdout.lines().any(|line| line.starts_with(expected)),
            "{expected:?} in\n{stdout}"
        );
    }
    assert!(
        stdout.contains("is earlier than the event before it"),
        "{stdout}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("rightsbot: ") && stderr.contains("problems found"));

    let json = sandbox.run(&["--json", "check"]);
    assert_eq!(json.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["ok"], false);
    assert!(
        value["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .any(|p| p["subject"] == "D9"),
        "{value}"
    );
}

/// A plain HTTP GET on loopback; `None` while nothing listens yet.
fn http_get(port: u16, path: &str) -> Option<String> {
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).ok()?;
    Some(answer)
}

#[test]
fn metrics_report_what_status_and_cases_count_and_nothing_personal() {
    const NOW: &str = "2026-11-02T09:00:00Z";
    let port = free_port();
    let sandbox = Sandbox::with_config(&format!(
        "{}\n[web]\nlisten = \"127.0.0.1:{port}\"\n",
        example_config()
    ));
    let mailbox = repo().join("examples/mailbox").display().to_string();
    sandbox.ok(&["--now", NOW, "register", "import"]);
    sandbox.ok(&["--now", NOW, "ingest", &mailbox]);
    for draft in ["D2", "D5"] {
        sandbox.ok(&["--now", NOW, "approve", draft, "--by", "Sanna"]);
    }

    let _web = Running(
        sandbox
            .command(&["--now", NOW, "web"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rightsbot web"),
    );
    let started = Instant::now();
    let answer = loop {
        if let Some(answer) = http_get(port, "/metrics") {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the console never answered"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    // Only counts: no address, no name, no case number.
    for personal in ["@", "DSR-", "Virtanen"] {
        assert!(!body.contains(personal), "{personal} in\n{body}");
    }
    let figure = |name: &str| -> f64 {
        body.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing from\n{body}"))
            .trim()
            .parse()
            .expect("a number")
    };

    let status = sandbox.json(&["--now", NOW, "status"]);
    let as_f64 = |value: &serde_json::Value| value.as_f64().expect("a number");
    assert_eq!(
        figure("rightsbot_cases_open"),
        as_f64(&status["cases_open"])
    );
    assert_eq!(
        figure("rightsbot_cases_overdue"),
        as_f64(&status["cases_overdue"])
    );
    assert_eq!(
        figure("rightsbot_drafts_waiting"),
        as_f64(&status["drafts_waiting"])
    );
    assert_eq!(
        figure("rightsbot_messages_stored_total"),
        as_f64(&status["messages_stored"])
    );
    assert_eq!(
        figure("rightsbot_quarantined_total"),
        as_f64(&status["quarantined"])
    );
    let cases = sandbox.json(&["--now", NOW, "cases"]);
    let cases = cases.as_array().expect("cases");
    let open = cases
        .iter()
        .filter(|c| c["standing"] == "open" || c["standing"] == "triage")
        .count();
    assert_eq!(figure("rightsbot_cases_open"), open as f64);
    let overdue = cases.iter().filter(|c| c["overdue"] == true).count();
    assert_eq!(figure("rightsbot_cases_overdue"), overdue as f64);
    // The two approvals went to the outbox: sent, none failed.
    assert_eq!(figure("rightsbot_replies_sent_total"), 2.0);
    assert_eq!(figure("rightsbot_replies_failed_total"), 0.0);
    let actions = sandbox.ok(&["--json", "--now", NOW, "actions"]);
    assert_eq!(
        figure("rightsbot_actions_open"),
        actions.lines().filter(|l| !l.trim().is_empty()).count() as f64
    );
    assert_eq!(figure("rightsbot_imap_reconnects_total"), 0.0);
    assert!(figure("rightsbot_store_size_bytes") > 0.0);
    figure("rightsbot_cases_due_soon");
    // No mailbox configured: no last pass to tell of.
    assert!(!body.contains("since_last_pass"), "{body}");
}

/// The figures of one scrape, by metric name.
fn scrape(port: u16) -> Option<std::collections::HashMap<String, f64>> {
    let answer = http_get(port, "/metrics")?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    if !head.starts_with("HTTP/1.1 200") {
        return None;
    }
    Some(
        body.lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once(' '))
            .filter_map(|(name, value)| Some((name.to_string(), value.trim().parse().ok()?)))
            .collect(),
    )
}

#[test]
fn the_daemon_is_backed_up_while_it_reads_the_mailbox_and_its_metrics_match_the_store() {
    let stack = MailStack::up();
    let port = free_port();
    let config = stack.config_with("metrics.toml", |text| {
        format!(
            "{}\n[web]\nlisten = \"127.0.0.1:{port}\"\n",
            text.replace("[mailbox]", "[mailbox]\nbatch_size = 25")
        )
    });
    let total = 600;
    generate_maildir(&stack.request_maildir(), total, 23);
    std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(stack.request_maildir())
        .status()
        .expect("chown");
    let db = stack.path().join("rightsbot.db");
    let daemon = Daemon::start(&config);
    assert!(
        support::wait_until(Duration::from_secs(120), || stored_messages(&db) >= 100),
        "the daemon stored nothing:\n{}",
        daemon.log()
    );
    let copy = stack.path().join("rightsbot-backup.db");
    let copy_arg = copy.display().to_string();
    let backed_up = json(&config, &["backup", &copy_arg]);
    assert_eq!(backed_up["integrity"], "ok", "{backed_up}");

    // Restored into a config of its own, the copy checks, and holds every case whole.
    let restored = restored(support::CONFIG, &copy);
    let in_copy = stored_messages(&restored.db());
    assert!(
        in_copy >= 100 && in_copy < total as i64,
        "the backup was taken while the daemon ingested ({in_copy} of {total})"
    );
    let checked = restored.json(&["check"]);
    assert_eq!(checked["ok"], true, "{checked}");
    assert_eq!(checked["messages"].as_i64(), Some(in_copy));
    let cases = count(&restored.db(), "SELECT COUNT(*) FROM cases");
    assert_eq!(
        count(
            &restored.db(),
            "SELECT COUNT(*) FROM events WHERE kind = 'received'"
        ),
        cases
    );
    assert_eq!(
        count(
            &restored.db(),
            "SELECT COUNT(*) FROM messages WHERE automated IS NULL AND case_id IS NULL"
        ),
        0
    );

    // The daemon goes on to the end of the inbox; then the server restarts under it.
    assert!(
        support::wait_until(Duration::from_secs(300), || stored_messages(&db)
            == total as i64),
        "the daemon stored every mail"
    );
    daemon.wait_for_log("connected to the mailbox", 1, Duration::from_secs(10));
    stack.restart_imap();
    daemon.wait_for_log("connected to the mailbox", 2, Duration::from_secs(120));

    // Scraped after the reconnect and a pass on the new session: the figures are the
    // store's, as `status` and `cases` count them.
    let mut figures = None;
    assert!(
        support::wait_until(Duration::from_secs(60), || {
            figures = scrape(port).filter(|f| {
                f.get("rightsbot_imap_reconnects_total")
                    .is_some_and(|n| *n >= 1.0)
            });
            figures.is_some()
        }),
        "/metrics never showed the reconnect:\n{}",
        daemon.log()
    );
    let figures = figures.expect("scraped");
    let status = json(&config, &["status"]);
    let figure = |name: &str| figures[name];
    assert_eq!(figure("rightsbot_messages_stored_total"), total as f64);
    assert_eq!(
        figure("rightsbot_messages_stored_total"),
        status["messages_stored"].as_f64().expect("stored")
    );
    assert_eq!(
        figure("rightsbot_cases_open"),
        status["cases_open"].as_f64().expect("open")
    );
    assert_eq!(
        figure("rightsbot_drafts_waiting"),
        status["drafts_waiting"].as_f64().expect("waiting")
    );
    let listed = json(&config, &["cases"]);
    let open = listed
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| c["standing"] == "open" || c["standing"] == "triage")
        .count();
    assert_eq!(figure("rightsbot_cases_open"), open as f64);
    assert!(status["last_pass_at"].is_string(), "{status}");
    let since = figure("rightsbot_since_last_pass_seconds");
    assert!((0.0..600.0).contains(&since), "{since}");
    assert_eq!(daemon.terminate().0.code(), Some(0));

    // A reply sent over SMTP (recorded by its `sent` event, not an outbox file) checks too:
    // a request from the customer's mailbox, through Postfix, answered and sent.
    stack.send(
        "Tietopyyntö",
        "Haluan nähdä mitä tietoja minusta on.",
        "backup-send@example.test",
    );
    assert!(
        support::wait_until(Duration::from_secs(60), || json(
            &config,
            &["run", "--once"]
        )["cases_opened"]
            .as_u64()
            == Some(1)),
        "the customer's request made a case"
    );
    let customer = stack.var("MAILSTACK_CUSTOMER_ADDRESS").to_lowercase();
    let queue = support::mailstack::rightsbot(&config, &["--json", "queue"]);
    let approved = String::from_utf8_lossy(&queue.stdout)
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("a JSON line"))
        .find(|line| line["recipient"].as_str().map(str::to_lowercase) == Some(customer.clone()))
        .and_then(|line| line["draft"].as_str().map(str::to_string))
        .expect("a draft to the customer");
    json(&config, &["approve", &approved, "--by", "Sanna"]);
    let sent = json(&config, &["send", "--once"]);
    assert_eq!(sent["sent"], 1, "{sent}");
    let checked = json(&config, &["check"]);
    assert_eq!(checked["ok"], true, "{checked} after sending {approved}");
}

#[test]
fn backup_and_check_refuse_a_store_that_is_not_there_and_create_none() {
    let sandbox = Sandbox::new();
    for args in [&["check"][..], &["backup", "copy.db"][..]] {
        let message = support::assert_user_error(&sandbox.run(args));
        assert!(message.contains("no database at"), "{args:?}: {message}");
        assert!(message.contains("rightsbot.db"), "{args:?}: {message}");
    }
    assert!(!sandbox.db().exists(), "no empty store was made");
    assert!(!sandbox.path().join("copy.db").exists());
}
