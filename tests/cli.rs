//! The command line as a user meets it: the built binary in a temp dir.

mod support;

use std::fs;

use support::{Sandbox, assert_user_error, bin, repo};

fn example_mailbox() -> String {
    repo().join("examples/mailbox").display().to_string()
}

#[test]
fn deadline_follows_the_month_rule() {
    let cases = [
        // (received, months, expected)
        ("2026-01-31", 1, "2026-03-02"), // 28 Feb 2026 is a Saturday
        ("2028-01-31", 1, "2028-02-29"), // leap year
        ("2026-03-06", 1, "2026-04-07"), // Good Friday and Easter Monday 2026
        ("2026-05-19", 1, "2026-06-19"), // Midsummer Eve 2026: a working day by default
        ("2026-05-20", 1, "2026-06-22"), // Midsummer Day 2026 (a Saturday), Sunday
        ("2026-11-24", 1, "2026-12-24"), // Christmas Eve: a working day by default
        ("2026-11-25", 1, "2026-12-28"), // Christmas, Boxing Day, Sunday
        ("2026-11-06", 1, "2026-12-07"), // Independence Day 6 Dec 2026 is a Sunday anyway
        ("2026-10-15", 1, "2026-11-16"), // 15 Nov 2026 is a Sunday
        ("2026-01-31", 3, "2026-04-30"), // extended by two further months
        // 23:30 UTC on 31 March is 02:30 on 1 April in Helsinki: May Day Friday, weekend.
        ("2026-03-31T23:30:00Z", 1, "2026-05-04"),
        ("2026-03-31T20:30:00Z", 1, "2026-04-30"),
    ];
    for (received, months, expected) in cases {
        let output = bin()
            .args(["deadline", received, "--months", &months.to_string()])
            .output()
            .unwrap();
        assert!(output.status.success(), "{received}: {output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            expected,
            "{received} + {months}"
        );
    }
}

#[test]
fn deadline_json_says_what_moved_it() {
    // With the eves closed, Christmas Eve, Christmas, Boxing Day and a Sunday move it on.
    let sandbox =
        Sandbox::with_config(&support::CONFIG.replace("[store]", "eves_closed = true\n[store]"));
    let value = sandbox.json(&["deadline", "2026-11-24"]);
    assert_eq!(value["deadline"], "2026-12-28");
    assert_eq!(value["moved_from"], "2026-12-24");
    assert_eq!(value["received_on"], "2026-11-24");
}

#[test]
fn deadline_keeps_the_eves_as_working_days_unless_the_config_closes_them() {
    // Christmas Eve is not a public holiday: by default, the earlier and safe deadline.
    let output = bin().args(["deadline", "2026-11-24"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "2026-12-24");
    let sandbox = Sandbox::with_config(support::CONFIG);
    assert_eq!(sandbox.ok(&["deadline", "2026-11-24"]).trim(), "2026-12-24");
    let sandbox =
        Sandbox::with_config(&support::CONFIG.replace("[store]", "eves_closed = true\n[store]"));
    assert_eq!(sandbox.ok(&["deadline", "2026-11-24"]).trim(), "2026-12-28");
}

#[test]
fn bad_dates_and_usage() {
    let output = bin().args(["deadline", "31.1.2026"]).output().unwrap();
    let line = assert_user_error(&output);
    assert!(line.contains("\"31.1.2026\""), "{line}");
    // Usage errors exit 2.
    assert_eq!(
        bin().args(["deadline"]).output().unwrap().status.code(),
        Some(2)
    );
    assert_eq!(
        bin()
            .args(["no-such-command"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        bin()
            .args(["deadline", "2026-01-01", "--months", "0"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn help_explains_every_command() {
    for command in [
        "ingest",
        "cases",
        "show",
        "quarantine",
        "deadline",
        "config",
    ] {
        let output = bin().args([command, "--help"]).output().unwrap();
        assert!(output.status.success(), "{command}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage: rightsbot"), "{command}: {text}");
    }
    let output = bin().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Exit status"), "{text}");
}

#[test]
fn config_errors_are_one_line_with_position() {
    let sandbox =
        Sandbox::with_config(&support::CONFIG.replace("privacy_address", "privcy_address"));
    let line = assert_user_error(&sandbox.run(&["config", "check"]));
    let expected = format!(
        "rightsbot: {}:4:1: unknown key \"privcy_address\" in [controller] (did you mean \"privacy_address\"?)",
        sandbox.config.display()
    );
    assert_eq!(line, expected);
}

#[test]
fn missing_config_is_a_user_error() {
    let output = bin()
        .args(["cases"])
        .env_remove("RIGHTSBOT_CONFIG")
        .output()
        .unwrap();
    let line = assert_user_error(&output);
    assert_eq!(
        line,
        "rightsbot: no config file: pass --config FILE or set RIGHTSBOT_CONFIG"
    );

    let output = bin()
        .args(["--config", "/no/such/rightsbot.toml", "cases"])
        .output()
        .unwrap();
    let line = assert_user_error(&output);
    assert!(
        line.starts_with("rightsbot: cannot read config file /no/such/rightsbot.toml: "),
        "{line}"
    );
}

#[test]
fn config_from_the_environment() {
    let sandbox = Sandbox::new();
    let output = bin()
        .args(["config", "check"])
        .env("RIGHTSBOT_CONFIG", &sandbox.config)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("Kestokauppa Oy"));
}

#[test]
fn config_check_reports_the_store() {
    let sandbox = Sandbox::new();
    let value = sandbox.json(&["config", "check"]);
    assert_eq!(value["ok"], true);
    assert_eq!(value["timezone"], "Europe/Helsinki");
    assert_eq!(value["store"], sandbox.db().display().to_string());
    assert!(sandbox.db().exists());
}

#[test]
fn missing_input_path_is_a_user_error() {
    let sandbox = Sandbox::new();
    let line = assert_user_error(&sandbox.run(&["ingest", "/no/such/maildir"]));
    assert_eq!(line, "rightsbot: no such file or folder: /no/such/maildir");
}

#[test]
fn unreadable_folder_is_a_user_error() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    let folder = sandbox.path().join("mail");
    fs::create_dir_all(folder.join("private")).unwrap();
    fs::write(folder.join("a.eml"), "Subject: x\n\nx").unwrap();
    fs::set_permissions(folder.join("private"), fs::Permissions::from_mode(0o000)).unwrap();
    let mut command = sandbox.command(&["ingest", &folder.display().to_string()]);
    // Root reads every folder whatever its mode, so run as nobody to see the refusal.
    if unsafe { libc::geteuid() } == 0 {
        fs::set_permissions(sandbox.path(), fs::Permissions::from_mode(0o777)).unwrap();
        // nobody may not reach the build folder; a copy in the sandbox it can run.
        let program = sandbox.path().join("rightsbot");
        fs::copy(command.get_program(), &program).unwrap();
        let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
        command = std::process::Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(program)
            .args(args);
    }
    let line = assert_user_error(&command.output().unwrap());
    assert_eq!(
        line,
        format!(
            "rightsbot: cannot read folder {}: Permission denied (os error 13)",
            folder.join("private").display()
        )
    );
}

#[test]
fn locked_database_is_a_user_error() {
    let sandbox = Sandbox::new();
    sandbox.ok(&["config", "check"]);
    let holder = rusqlite::Connection::open(sandbox.db()).unwrap();
    holder
        .execute_batch(
            "BEGIN IMMEDIATE; INSERT INTO quarantine (at, origin, reason) VALUES ('x', 'y', 'z');",
        )
        .unwrap();
    let line = assert_user_error(&sandbox.run(&["ingest", &example_mailbox()]));
    assert_eq!(
        line,
        format!(
            "rightsbot: database {} is locked by another process",
            sandbox.db().display()
        )
    );
    holder.execute_batch("ROLLBACK").unwrap();
    // Once the lock is gone the same command works.
    sandbox.ok(&["ingest", &example_mailbox()]);
}

#[test]
fn ingest_is_idempotent_and_accounts_for_every_file() {
    let sandbox = Sandbox::new();
    let first = sandbox.json(&["ingest", &example_mailbox()]);
    let count = |v: &serde_json::Value, key: &str| {
        v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
    };
    let files = fs::read_dir(repo().join("examples/mailbox/cur"))
        .unwrap()
        .count()
        + fs::read_dir(repo().join("examples/mailbox/new"))
            .unwrap()
            .count();
    assert_eq!(count(&first, "seen"), files as u64);
    assert_eq!(
        count(&first, "seen"),
        count(&first, "new") + count(&first, "duplicates") + count(&first, "quarantined")
    );
    assert_eq!(
        count(&first, "new"),
        count(&first, "cases_opened")
            + count(&first, "cases_joined")
            + count(&first, "automated")
            + count(&first, "not_requests")
    );
    assert!(
        count(&first, "not_requests") >= 1,
        "the order cancellation: {first}"
    );
    assert!(
        count(&first, "quarantined") >= 1,
        "the broken example file: {first}"
    );
    assert!(
        count(&first, "cases_joined") >= 2,
        "the two example replies: {first}"
    );
    assert!(
        count(&first, "automated") >= 3,
        "auto-reply, bounce, newsletter: {first}"
    );

    let second = sandbox.json(&["ingest", &example_mailbox()]);
    assert_eq!(count(&second, "seen"), files as u64);
    assert_eq!(count(&second, "new"), 0);
    assert_eq!(count(&second, "cases_opened"), 0);
    assert_eq!(
        count(&second, "duplicates") + count(&second, "quarantined"),
        files as u64
    );

    let cases = sandbox.json(&["cases"]);
    assert_eq!(
        cases.as_array().unwrap().len() as u64,
        count(&first, "cases_opened")
    );
    let quarantine = sandbox.json(&["quarantine"]);
    assert_eq!(
        quarantine.as_array().unwrap().len() as u64,
        count(&first, "quarantined")
    );
    assert!(
        quarantine[0]["reason"]
            .as_str()
            .unwrap()
            .contains("not a mail message")
    );
}

#[test]
fn a_reply_joins_its_case_and_show_lists_the_trail() {
    let sandbox = Sandbox::new();
    let fixtures = repo().join("tests/fixtures/cases");
    sandbox.ok(&[
        "ingest",
        &fixtures.join("1-request.eml").display().to_string(),
    ]);
    let output = sandbox.json(&[
        "ingest",
        &fixtures.join("2-reply.eml").display().to_string(),
        &fixtures.join("3-token.eml").display().to_string(),
    ]);
    assert_eq!(output["cases_joined"], 2, "{output}");

    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(case["id"], "DSR-2026-0001");
    assert_eq!(case["state"], "open");
    assert_eq!(case["requester"], "aino.virtanen@example.test");
    // Received 31 Jan 2026 in Helsinki: the deadline is Monday 2 March.
    assert_eq!(case["deadline"], "2026-03-02");
    assert_eq!(case["messages"].as_array().unwrap().len(), 3);
    assert_eq!(case["messages"][0]["received_from"], "received_header");
    let kinds: Vec<&str> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "received",
            "deadline_set",
            "identity",
            "classified",
            "drafted",
            "joined",
            "classified",
            "joined",
            "classified"
        ]
    );
    assert_eq!(case["events"][1]["details"]["deadline"], "2026-03-02");

    let line = assert_user_error(&sandbox.run(&["show", "DSR-2026-0099"]));
    assert!(line.contains("no case DSR-2026-0099"), "{line}");
    assert_eq!(sandbox.run(&["show", "case-1"]).status.code(), Some(2));
}

#[test]
fn cases_count_days_left_from_now() {
    let sandbox = Sandbox::new();
    let fixtures = repo().join("tests/fixtures/cases");
    sandbox.ok(&[
        "ingest",
        &fixtures.join("1-request.eml").display().to_string(),
    ]);
    let cases = sandbox.json(&["--now", "2026-02-27T12:00:00+02:00", "cases"]);
    assert_eq!(cases[0]["days_left"], 3);
    let cases = sandbox.json(&["--now", "2026-03-05T12:00:00+02:00", "cases"]);
    assert_eq!(cases[0]["days_left"], -3);
    let table = sandbox.ok(&["--now", "2026-03-05T12:00:00+02:00", "cases"]);
    assert!(
        table.contains("DSR-2026-0001") && table.contains("3d over"),
        "{table}"
    );
}

#[test]
fn event_log_refuses_rewrites() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "ingest",
        &repo()
            .join("tests/fixtures/cases/1-request.eml")
            .display()
            .to_string(),
    ]);
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let update = conn
        .execute("UPDATE events SET actor = 'someone else'", [])
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = conn.execute("DELETE FROM events", []).unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
    let rewrite = conn
        .execute("UPDATE messages SET raw = x'00'", [])
        .unwrap_err();
    assert!(rewrite.to_string().contains("never rewritten"), "{rewrite}");
}

#[test]
fn raw_bytes_are_kept_exactly() {
    let sandbox = Sandbox::new();
    let path = repo().join("tests/fixtures/cases/1-request.eml");
    sandbox.ok(&["ingest", &path.display().to_string()]);
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let raw: Vec<u8> = conn
        .query_row("SELECT raw FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw, fs::read(&path).unwrap());
}

#[test]
fn oversize_messages_are_listed_and_left_in_place() {
    let sandbox = Sandbox::with_config(&format!(
        "{}\n[ingest]\nmax_message_bytes = 2000\n",
        support::CONFIG
    ));
    let big = sandbox.path().join("big.eml");
    let mut text = String::from("From: a@example.test\nSubject: big\n\n");
    text.push_str(&"Poistakaa tietoni. ".repeat(200));
    fs::write(&big, &text).unwrap();
    let summary = sandbox.json(&["ingest", &big.display().to_string()]);
    assert_eq!(summary["quarantined"], 1);
    assert_eq!(summary["new"], 0);
    let quarantine = sandbox.json(&["quarantine"]);
    assert_eq!(
        quarantine[0]["reason"],
        format!("message too large: {} bytes (limit 2000)", text.len())
    );
    assert!(
        quarantine[0]["message"].is_null(),
        "not read, so not stored"
    );
    assert!(big.exists());
}

#[test]
fn classify_prints_one_json_line_per_file_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let request = dir.path().join("request.eml");
    fs::write(&request, "From: a@example.test\nSubject: Tietojen poisto\n\nPoistakaa tietoni ja lopettakaa uutiskirjeet.\n").unwrap();
    let auto = repo().join("tests/fixtures/mail/auto-submitted.eml");
    let broken = repo().join("tests/fixtures/mail/not-a-mail.bin");
    let missing = dir.path().join("missing.eml");
    let output = bin()
        .current_dir(dir.path())
        .env_remove("RIGHTSBOT_CONFIG")
        .args(["classify", "--json"])
        .args([&request, &auto, &broken, &missing])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["file"], request.display().to_string());
    assert_eq!(
        lines[0]["kinds"],
        serde_json::json!(["erasure", "direct_marketing_optout"])
    );
    assert_eq!(lines[0]["language"], "fi");
    assert_eq!(lines[0]["triage"], false);
    assert_eq!(lines[0]["automated"], false);
    assert!(
        lines[0]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "erasure")
    );
    assert_eq!(lines[1]["automated"], true);
    assert_eq!(lines[1]["kinds"], serde_json::json!([]));
    assert!(
        lines[2]["error"].as_str().unwrap().contains("not a mail"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3]["error"]
            .as_str()
            .unwrap()
            .starts_with("cannot read"),
        "{}",
        lines[3]
    );
    assert!(!dir.path().join("rightsbot.db").exists());
}

#[test]
fn non_requests_wait_in_the_inbox_until_staff_open_them() {
    let sandbox = Sandbox::new();
    let mail = sandbox.path().join("order.eml");
    fs::write(
        &mail,
        "From: Timo <timo@example.test>\nSubject: Tilaus 10234\nMessage-ID: <order-1@example.test>\n\
         Date: Mon, 2 Nov 2026 10:00:00 +0200\n\nPerukaa tilaus 10234, tilasin vahingossa.\n",
    )
    .unwrap();
    let summary = sandbox.json(&["ingest", &mail.display().to_string()]);
    assert_eq!(summary["cases_opened"], 0);
    assert_eq!(summary["not_requests"], 1);
    assert_eq!(summary["new"], 1);
    let inbox = sandbox.json(&["inbox"]);
    assert_eq!(inbox.as_array().unwrap().len(), 1);
    let key = inbox[0]["message"].as_str().unwrap().to_string();
    assert_eq!(inbox[0]["disposition"], "not_a_request");

    // Staff decide it is an erasure request after all.
    let line = assert_user_error(&sandbox.run(&["open", &key, "--kinds", "erasure", "--by", " "]));
    assert!(line.contains("--by is required"), "{line}");
    let opened = sandbox.json(&["open", &key, "--kinds", "erasure", "--by", "Sanna"]);
    assert_eq!(opened["case"], "DSR-2026-0001");
    assert_eq!(sandbox.json(&["inbox"]).as_array().unwrap().len(), 0);
    let line =
        assert_user_error(&sandbox.run(&["open", &key, "--kinds", "erasure", "--by", "Sanna"]));
    assert!(
        line.contains("already belongs to case DSR-2026-0001"),
        "{line}"
    );
    // By Message-ID works too, and an unknown kind is a usage error.
    assert_eq!(
        sandbox
            .run(&[
                "open",
                "<order-1@example.test>",
                "--kinds",
                "erase",
                "--by",
                "Sanna"
            ])
            .status
            .code(),
        Some(2)
    );

    let reclassified = sandbox.json(&[
        "reclassify",
        "DSR-2026-0001",
        "--kinds",
        "erasure,direct_marketing_optout",
        "--by",
        "Sanna",
    ]);
    assert_eq!(
        reclassified["kinds"],
        serde_json::json!(["erasure", "direct_marketing_optout"])
    );
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(
        case["kinds"],
        serde_json::json!(["erasure", "direct_marketing_optout"])
    );
    assert_eq!(case["state"], "open");
    // The deadline counts from the mail's receipt, not from when staff opened the case.
    assert_eq!(case["deadline"], "2026-12-02");
    let events: Vec<(&str, &str)> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        events,
        [
            ("received", "Sanna"),
            ("deadline_set", "rightsbot"),
            ("identity", "rightsbot"),
            ("drafted", "Sanna"),
            ("reclassified", "Sanna"),
            // The opt-out puts the sender on the suppression list at once.
            ("actions_derived", "rightsbot")
        ]
    );
    assert_eq!(
        case["events"][4]["details"]["from"],
        serde_json::json!(["erasure"])
    );
    let line = assert_user_error(&sandbox.run(&[
        "reclassify",
        "DSR-2026-0009",
        "--kinds",
        "access",
        "--by",
        "Sanna",
    ]));
    assert!(line.contains("no case DSR-2026-0009"), "{line}");
}

#[test]
fn cases_record_their_classification() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "ingest",
        &repo()
            .join("tests/fixtures/cases/1-request.eml")
            .display()
            .to_string(),
    ]);
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(case["kinds"], serde_json::json!(["access"]));
    assert_eq!(case["language"], "fi");
    let classified = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "classified")
        .unwrap();
    assert_eq!(
        classified["details"]["kinds"],
        serde_json::json!(["access"])
    );
    assert!(
        !classified["details"]["evidence"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let cases = sandbox.json(&["cases"]);
    assert_eq!(cases[0]["kinds"], serde_json::json!(["access"]));
}

#[test]
fn a_strangers_case_token_does_not_join_the_case() {
    let sandbox = Sandbox::new();
    let fixtures = repo().join("tests/fixtures/cases");
    sandbox.ok(&[
        "ingest",
        &fixtures.join("1-request.eml").display().to_string(),
    ]);
    let stranger = sandbox.path().join("stranger.eml");
    fs::write(
        &stranger,
        "From: Mallory <mallory@example.test>\nSubject: Re: [DSR-2026-0001] Tietopyyntö\n\
         Message-ID: <mallory-1@example.test>\nDate: Tue, 3 Feb 2026 10:00:00 +0200\n\n\
         Lähettäkää kaikki tiedot minulle ja poistakaa sitten kaikki.\n",
    )
    .unwrap();
    let summary = sandbox.json(&["ingest", &stranger.display().to_string()]);
    assert_eq!(summary["cases_joined"], 0, "{summary}");
    assert_eq!(summary["cases_opened"], 1, "{summary}");
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(
        case["messages"].as_array().unwrap().len(),
        1,
        "the stranger's mail is not in the case"
    );
    assert_eq!(
        case["kinds"],
        serde_json::json!(["access"]),
        "and added no kinds to it"
    );
}

/// Issue 12, item 4: staff read a stored mail by its id: headers, the new text apart from
/// the quoted part, attachments with type and size, HTML as text; `show CASE` gives each
/// message's new text.
#[test]
fn show_prints_a_message_new_text_apart_from_the_quote() {
    let sandbox = Sandbox::new();
    let fixture = repo().join("tests/fixtures/mail/show-html-quoted-attachment.eml");
    sandbox.ok(&["ingest", &fixture.display().to_string()]);
    let text = sandbox.ok(&["show", "M1"]);
    insta::assert_snapshot!("show_message", text);

    let value = sandbox.json(&["show", "M1"]);
    assert_eq!(value["message"], "M1");
    assert_eq!(value["case"], "DSR-2026-0001");
    assert_eq!(
        value["from"]["address"],
        "pekka.makela@kotiposti.example.test"
    );
    assert_eq!(
        value["attachments"],
        serde_json::json!([{"name": "vuokrasopimus.pdf", "content_type": "application/pdf", "size": 51}])
    );
    let new = value["new_text"].as_str().unwrap();
    assert!(new.contains("Koivukuja 3 B 12, 33100 Tampere"), "{new}");
    assert!(
        !new.contains('<') && !new.contains("color"),
        "HTML as text: {new}"
    );
    assert!(!new.contains("Olemme vastaanottaneet"), "{new}");
    let quoted = value["quoted_text"].as_str().unwrap();
    assert!(
        quoted.contains("Olemme vastaanottaneet pyyntönne."),
        "{quoted}"
    );

    let case = sandbox.ok(&["show", "DSR-2026-0001"]);
    assert!(
        case.contains("      | päivittäkää osoitteeni: Koivukuja 3 B 12, 33100 Tampere."),
        "{case}"
    );
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(case["messages"][0]["message"], "M1");
    assert!(
        case["messages"][0]["new_text"]
            .as_str()
            .unwrap()
            .contains("Koivukuja")
    );

    let line = assert_user_error(&sandbox.run(&["show", "M9"]));
    assert!(line.starts_with("rightsbot: no message M9"), "{line}");
}

/// A one-connection SMTP server that greets, answers EHLO, NOOP and QUIT, and says which
/// commands it was given.
fn fake_smtp_server() -> (u16, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    let handle = std::thread::spawn(move || {
        let mut commands = Vec::new();
        let Ok((stream, _)) = listener.accept() else {
            return commands;
        };
        let mut writer = stream.try_clone().expect("a second handle");
        let _ = writer.write_all(b"220 fake.example.test ESMTP\r\n");
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
            commands.push(verb.clone());
            let answer: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 fake.example.test\r\n",
                "QUIT" => b"221 bye\r\n",
                _ => b"250 ok\r\n",
            };
            let _ = writer.write_all(answer);
            if verb == "QUIT" {
                break;
            }
        }
        commands
    });
    (port, handle)
}

/// Issue 12, item 9: config check says what the mail sections set up, never a secret, and
/// with --connect tries the servers and says what happened.
#[test]
fn config_check_reports_the_mail_sections_and_tries_the_servers() {
    let (smtp_port, server) = fake_smtp_server();
    // A port nothing listens on, for the IMAP server that is down.
    let imap_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "{}\n[mailbox]\nhost = \"127.0.0.1\"\nport = {imap_port}\ntls = \"none\"\nuser = \"tietosuoja\"\npassword_env = \"RB_TEST_IMAP_PASSWORD\"\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\ntls = \"none\"\nuser = \"tietosuoja\"\npassword_env = \"RB_TEST_SMTP_PASSWORD\"\nsent_copy = \"tietosuoja+Sent@kestokauppa.example.test\"\n\n[reminders]\nstaff_address = \"tiimi@kestokauppa.example.test\"\n\n[approval_by_mail]\nenabled = true\nstaff_address = \"tiimi@kestokauppa.example.test\"\napprovers = [\"sanna@kestokauppa.example.test\"]\n",
        support::CONFIG
    );
    let sandbox = Sandbox::with_config(&config);
    let output = sandbox
        .command(&["config", "check", "--connect"])
        .env("RB_TEST_IMAP_PASSWORD", "imap-hunter2")
        .env("RB_TEST_SMTP_PASSWORD", "smtp-hunter2")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(75), "IMAP is down: {text}");
    assert!(!text.contains("hunter2"), "{text}");
    for expected in [
        format!(
            "mailbox     tietosuoja@127.0.0.1:{imap_port} (tls none), password from $RB_TEST_IMAP_PASSWORD; reads INBOX"
        ),
        format!(
            "smtp        127.0.0.1:{smtp_port} (tls none), user tietosuoja, password from $RB_TEST_SMTP_PASSWORD"
        ),
        "reminders   digests to tiimi@kestokauppa.example.test".to_string(),
        "approval    by mail: review mails to tiimi@kestokauppa.example.test, approvers sanna@kestokauppa.example.test".to_string(),
        format!("connect     imap 127.0.0.1:{imap_port}: failed: "),
        format!("connect     smtp 127.0.0.1:{smtp_port}: ok, the server greeted us (no TLS)"),
    ] {
        assert!(
            text.contains(&expected),
            "{expected:?} not in\n{text}"
        );
    }
    let commands = server.join().unwrap();
    assert_eq!(
        commands.first().map(String::as_str),
        Some("EHLO"),
        "{commands:?}"
    );
    assert!(
        !commands.iter().any(|c| c == "MAIL" || c == "AUTH"),
        "{commands:?}"
    );

    // Without --connect nothing is tried; JSON names the same settings.
    let value = sandbox.json(&["config", "check"]);
    assert_eq!(value["smtp"]["password"], "from $RB_TEST_SMTP_PASSWORD");
    assert_eq!(value["mailbox"]["processed_folder"], "Processed");
    assert_eq!(
        value["reminders"]["staff_address"],
        "tiimi@kestokauppa.example.test"
    );
    assert_eq!(value["approval_by_mail"]["enabled"], true);
    assert!(value["connect"].is_null());
}

/// Issue 12, item 9: ids are read only as printed, and a case given for a draft gets its
/// drafts named.
#[test]
fn ids_are_read_only_as_printed_and_a_case_is_not_a_draft() {
    let sandbox = Sandbox::new();
    let fixture = repo().join("tests/fixtures/mail/show-html-quoted-attachment.eml");
    sandbox.ok(&["ingest", &fixture.display().to_string()]);
    sandbox.ok(&["show", "D1"]);
    for command in [
        vec!["show", "d1"],
        vec!["show", "D01"],
        vec!["show", "m1"],
        vec!["approve", "d1", "--by", "Sanna"],
        vec!["approve", "D01", "--by", "Sanna"],
        vec!["reject", "d1", "--by", "Sanna", "--reason", "x"],
        vec!["edit", "D01", "--by", "Sanna", "--body-file", "x.txt"],
    ] {
        let output = sandbox.run(&command);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {output:?}");
    }
    let line = assert_user_error(&sandbox.run(&["approve", "DSR-2026-0001", "--by", "Sanna"]));
    assert_eq!(
        line,
        "rightsbot: DSR-2026-0001: that is a case; its drafts are: D1"
    );
    assert_eq!(sandbox.json(&["show", "D1"])["state"], "pending");
}

/// Runs `command` as nobody (root may write any file), from a copy of the binary nobody can
/// reach; the sandbox must be readable by all.
fn as_nobody(sandbox: &Sandbox, command: std::process::Command) -> std::process::Command {
    let program = sandbox.path().join("rightsbot");
    if !program.exists() {
        fs::copy(command.get_program(), &program).expect("copy the binary");
    }
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let mut nobody = std::process::Command::new("setpriv");
    nobody
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(program)
        .args(args)
        .current_dir(sandbox.path())
        .env_remove("RIGHTSBOT_LOG");
    nobody
}

#[test]
fn read_only_commands_work_on_a_database_this_user_cannot_write() {
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "runs as root to become nobody"
    );
    let sandbox = Sandbox::new();
    sandbox.ok(&["ingest", &example_mailbox()]);
    // The folder and the file are root's: nobody may read them, not write them.
    fs::set_permissions(sandbox.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(sandbox.db(), fs::Permissions::from_mode(0o644)).unwrap();
    for args in [
        &["cases"][..],
        &["--json", "cases"],
        &["show", "DSR-2026-0001"],
        &["queue"],
        &["inbox"],
        &["quarantine"],
        &["report"],
        &["status"],
        &["register", "sources"],
    ] {
        let output = as_nobody(&sandbox, sandbox.command(args)).output().unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = as_nobody(&sandbox, sandbox.command(&["--json", "cases"]))
        .output()
        .unwrap();
    let cases: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(cases[0]["id"], "DSR-2026-0001");
    // A command that writes still says why it cannot.
    let line = assert_user_error(
        &as_nobody(
            &sandbox,
            sandbox.command(&["close", "DSR-2026-0001", "--by", "x"]),
        )
        .output()
        .unwrap(),
    );
    assert!(line.contains("read-only"), "{line}");
}

#[test]
fn a_corrupt_database_is_one_clean_line() {
    let sandbox = Sandbox::new();
    sandbox.ok(&["ingest", &example_mailbox()]);
    // A value no rightsbot wrote: terminal escapes, a line break, a bell, and length.
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let garbage = format!("\u{1b}[31mopen\nclosed\u{7}{}", "x".repeat(5000));
    conn.execute("UPDATE cases SET state = ?1 WHERE seq = 1", [&garbage])
        .unwrap();
    drop(conn);
    let line = assert_user_error(&sandbox.run(&["cases"]));
    assert!(
        !line.contains('\u{1b}') && !line.contains('\u{7}'),
        "{line:?}"
    );
    assert!(line.len() < 300, "{line}");
    let expected = format!(
        "rightsbot: database {}: cases.state is corrupt: \"\\u{{1b}}[31mopen\\nclosed\\u{{7}}xxx",
        sandbox.db().display()
    );
    assert!(line.starts_with(&expected), "{line}");

    // Not a database at all.
    fs::write(sandbox.db(), [0x1b, b'[', b'2', b'J', 0, 0xff].repeat(1000)).unwrap();
    for name in ["rightsbot.db-wal", "rightsbot.db-shm"] {
        let _ = fs::remove_file(sandbox.path().join(name));
    }
    let line = assert_user_error(&sandbox.run(&["cases"]));
    assert_eq!(
        line,
        format!(
            "rightsbot: cannot open database {}: file is not a database",
            sandbox.db().display()
        )
    );
}
