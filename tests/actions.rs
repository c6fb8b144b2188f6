//! The action list of a case through the command line: what each right asks to be done,
//! a reply that reports only what is recorded as done, and the suppression list.

mod support;

use support::{Sandbox, assert_user_error, example_config, repo};

/// The example shop with a financial year that ends on 30 June.
fn shop() -> Sandbox {
    let config = example_config().replace(
        "financial_year_end = \"12-31\"",
        "financial_year_end = \"06-30\"",
    );
    let sandbox = Sandbox::with_config(&config);
    let at = ["--now", "2026-10-14T09:00:00+03:00"];
    sandbox.ok(&[at[0], at[1], "register", "import"]);
    let mailbox = repo().join("examples/mailbox").display().to_string();
    sandbox.ok(&[at[0], at[1], "ingest", &mailbox]);
    sandbox
}

const NOW: &str = "2026-10-14T09:00:00+03:00";

/// Priya asked to erase her account and to stop the newsletter (DSR-2026-0006).
const PRIYA: &str = "DSR-2026-0006";

fn lines(sandbox: &Sandbox, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["--json", "--now", NOW];
    all.extend_from_slice(args);
    sandbox
        .ok(&all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn actions(sandbox: &Sandbox, case: &str) -> Vec<serde_json::Value> {
    lines(sandbox, &["actions", case])
}

/// The action of `kind` in `source` (and with `target`, when given).
fn action<'a>(
    list: &'a [serde_json::Value],
    kind: &str,
    source: &str,
    target: Option<&str>,
) -> &'a serde_json::Value {
    list.iter()
        .find(|a| {
            a["kind"] == kind && a["source"] == source && target.is_none_or(|t| a["target"] == t)
        })
        .unwrap_or_else(|| panic!("no {kind} in {source}: {list:#?}"))
}

/// The draft of the case still waiting, and its text.
fn pending(sandbox: &Sandbox, case: &str) -> (String, String) {
    let queue = lines(sandbox, &["queue"]);
    let draft = queue
        .iter()
        .find(|d| d["case"] == case && d["purpose"] == "reply")
        .unwrap_or_else(|| panic!("no draft of {case} waiting: {queue:#?}"))["draft"]
        .as_str()
        .expect("draft id")
        .to_string();
    let shown = sandbox.json(&["--now", NOW, "show", &draft]);
    (draft, shown["body"].as_str().expect("body").to_string())
}

fn at(sandbox: &Sandbox, args: &[&str]) -> String {
    let mut all = vec!["--now", NOW];
    all.extend_from_slice(args);
    sandbox.ok(&all)
}

#[test]
fn an_erasure_reply_promises_what_is_open_and_reports_what_is_done() {
    let sandbox = shop();
    let list = actions(&sandbox, PRIYA);
    let erase = action(&list, "erase", "webshop_customers", Some(""));
    assert_eq!(erase["state"], "open");
    assert_eq!(erase["owner"], "customer service");
    // Vouchers: the order of 26.5.2025 (financial year ending 30.6.2025) and that of
    // 28.11.2025 (ending 30.6.2026) are kept until the end of 2031 and of 2032.
    assert_eq!(
        action(&list, "keep", "orders", Some("2031-12-31"))["records"],
        serde_json::json!(["order 10259"])
    );
    assert_eq!(
        action(&list, "keep", "orders", Some("2032-12-31"))["records"],
        serde_json::json!(["order 10270"])
    );
    // A kept delivery keeps what the Act needs; its phone and tracking code go.
    let fields = action(&list, "erase", "shipping", None)["target"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        fields.contains("Puhelin") && fields.contains("Lähetystunnus"),
        "{fields}"
    );
    // Art. 19 only for the recipients of erased data: Klarna received only kept orders.
    let notified: Vec<&str> = list
        .iter()
        .filter(|a| a["kind"] == "notify")
        .map(|a| a["target"].as_str().unwrap())
        .collect();
    assert!(
        notified.contains(&"MyCashFlow (webshop platform)"),
        "{notified:?}"
    );
    assert!(
        notified.iter().all(|n| !n.starts_with("Klarna")),
        "{notified:?}"
    );
    // The opt-out put her address on the suppression list at once.
    assert_eq!(action(&list, "suppress", "", None)["state"], "done");

    let (draft, body) = pending(&sandbox, PRIYA);
    assert!(!body.contains("We have erased"), "{body}");
    assert!(body.contains("We will erase your personal data"), "{body}");
    assert!(
        body.contains("order 10270; until 31 December 2032"),
        "{body}"
    );
    assert!(body.contains("We will tell the recipients"), "{body}");
    assert!(!body.contains("Klarna"), "{body}");

    // A person writes that the data was erased: with actions open that needs the
    // approver's confirmation, named in one line.
    let edited_text = sandbox.path().join("edited.txt");
    std::fs::write(
        &edited_text,
        body.replace("We will erase", "We have erased"),
    )
    .unwrap();
    at(
        &sandbox,
        &[
            "edit",
            &draft,
            "--by",
            "Sanna",
            "--body-file",
            edited_text.to_str().unwrap(),
        ],
    );
    let (edited, _) = pending(&sandbox, PRIYA);
    let refused = assert_user_error(&sandbox.run(&[
        "--now",
        NOW,
        "approve",
        &edited,
        "--by",
        "Sanna",
        "--read-flagged",
    ]));
    assert!(
        refused.contains("open actions") && refused.contains("A1 erase in webshop_customers"),
        "{refused}"
    );
    assert!(refused.contains("--open-actions-confirmed"), "{refused}");
    // Rejected: the bot's own text comes back once the deed is done.
    at(
        &sandbox,
        &[
            "reject",
            &edited,
            "--by",
            "Sanna",
            "--reason",
            "says erased too early",
        ],
    );
    at(
        &sandbox,
        &[
            "reclassify",
            PRIYA,
            "--kinds",
            "erasure,direct_marketing_optout",
            "--by",
            "Sanna",
        ],
    );

    // Staff erase the account and tell its recipients; the reply is drafted again.
    let number = |a: &serde_json::Value| a["action"].as_str().unwrap().to_string();
    let list = actions(&sandbox, PRIYA);
    let done = at(
        &sandbox,
        &[
            "done",
            PRIYA,
            &number(action(&list, "erase", "webshop_customers", Some(""))),
            "--note",
            "deleted in the admin",
            "--by",
            "Sanna",
        ],
    );
    assert!(done.contains("register entries erased"), "{done}");
    // MyCashFlow has a contact: its Art. 19 notice is drafted for approval, holding only
    // what finds her records; sending it does the action.
    assert!(
        done.contains("an Art. 19 notice drafted for approval"),
        "{done}"
    );
    let notice = lines(&sandbox, &["queue"])
        .into_iter()
        .find(|d| d["case"] == PRIYA && d["purpose"] == "recipient_notice")
        .expect("a notice waiting");
    assert_eq!(notice["recipient"], "privacy@mycashflow.example.test");
    let notice_id = notice["draft"].as_str().unwrap().to_string();
    let shown = sandbox.json(&["--now", NOW, "show", &notice_id]);
    let text = shown["body"].as_str().unwrap();
    assert!(
        text.contains("customer number 10191")
            && text.contains("e-mail priya.r@webmail.example.test"),
        "{text}"
    );
    assert!(
        text.contains("we have erased their personal data"),
        "{text}"
    );
    for private in ["Priya", "Raman", "Kuoritakki"] {
        assert!(!text.contains(private), "{private} in the notice: {text}");
    }
    at(&sandbox, &["approve", &notice_id, "--by", "Sanna"]);
    let list = actions(&sandbox, PRIYA);
    let notified = action(
        &list,
        "notify",
        "webshop_customers",
        Some("MyCashFlow (webshop platform)"),
    );
    assert_eq!(notified["state"], "done", "{notified}");
    // EmCe has no contact configured: its owner tells it and records that.
    let emce = number(action(
        &list,
        "notify",
        "webshop_customers",
        Some("EmCe (webshop service provider)"),
    ));
    at(&sandbox, &["done", PRIYA, &emce, "--by", "Sanna"]);
    let (draft, body) = pending(&sandbox, PRIYA);
    assert!(body.contains("We have erased your personal data from the following registers:\nCustomer register (webshop)."), "{body}");
    assert!(body.contains("We have told the recipients"), "{body}");
    assert!(
        body.contains("  - MyCashFlow (webshop platform), processor"),
        "{body}"
    );
    // The newsletter is still to be erased: promised, not claimed.
    assert!(body.contains("We will erase your personal data from the following registers by\n13 November 2026: Newsletter subscribers."), "{body}");
    // The bot's draft states as done only what is done: it is approved without more.
    at(
        &sandbox,
        &["approve", &draft, "--by", "Sanna", "--read-flagged"],
    );

    // Her kept orders stay in the register, restricted; an import does not withhold them.
    let found = at(
        &sandbox,
        &[
            "register",
            "find",
            "--email",
            "priya.r@webmail.example.test",
        ],
    );
    assert!(found.contains("10270"), "{found}");
    let import = sandbox.json(&["--now", NOW, "register", "import", "orders"]);
    let report = if import.is_array() {
        import[0].clone()
    } else {
        import
    };
    assert_eq!(report["withheld"], 0, "{report}");
}

#[test]
fn a_draft_with_a_fill_in_marker_cannot_be_approved() {
    let sandbox = shop();
    let (draft, body) = pending(&sandbox, "DSR-2026-0002");
    let edited_text = sandbox.path().join("edited.txt");
    std::fs::write(
        &edited_text,
        format!("{body}\nYour new address: [[write the address]]\n"),
    )
    .unwrap();
    at(
        &sandbox,
        &[
            "edit",
            &draft,
            "--by",
            "Sanna",
            "--body-file",
            edited_text.to_str().unwrap(),
        ],
    );
    let (edited, _) = pending(&sandbox, "DSR-2026-0002");
    let refused =
        assert_user_error(&sandbox.run(&["--now", NOW, "approve", &edited, "--by", "Sanna"]));
    assert!(
        refused.contains("fill-in marker ([[write the address]])"),
        "{refused}"
    );
}

#[test]
fn an_opt_out_from_an_ambiguous_sender_is_suppressed_at_once_and_exported() {
    let sandbox = shop();
    // DSR-2026-0011: "no more ads" from an address whose details fit more than one person.
    let case = sandbox.json(&["--now", NOW, "show", "DSR-2026-0011"]);
    assert_eq!(case["identity"]["outcome"], "ambiguous");
    let list = actions(&sandbox, "DSR-2026-0011");
    assert_eq!(action(&list, "suppress", "", None)["state"], "done");
    assert_eq!(
        action(&list, "stop_marketing", "newsletter", None)["state"],
        "open"
    );
    let csv = at(&sandbox, &["suppression", "export", "--csv"]);
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("address,case,added_at"));
    assert!(
        csv.contains("jaska.salonen@example.test,DSR-2026-0011,"),
        "{csv}"
    );
    // The open actions of every case, per owner, for the people who do them.
    let open = at(&sandbox, &["actions", "--open"]);
    assert!(
        open.contains("DSR-2026-0011") && open.contains("owner: marketing"),
        "{open}"
    );
    // A hold needs its reason; a done action stays done.
    let number = action(&list, "stop_marketing", "newsletter", None)["action"]
        .as_str()
        .unwrap()
        .to_string();
    at(
        &sandbox,
        &["done", "DSR-2026-0011", &number, "--by", "Sanna"],
    );
    let again = assert_user_error(&sandbox.run(&[
        "--now",
        NOW,
        "not-needed",
        "DSR-2026-0011",
        &number,
        "--reason",
        "x",
        "--by",
        "Sanna",
    ]));
    assert!(again.contains("is done"), "{again}");
    let unknown = assert_user_error(&sandbox.run(&[
        "--now",
        NOW,
        "done",
        "DSR-2026-0011",
        "A99",
        "--by",
        "Sanna",
    ]));
    assert!(unknown.contains("has no action A99"), "{unknown}");
}

#[test]
fn a_newsletter_import_flags_a_suppressed_address() {
    let sandbox = shop();
    // Karin unsubscribed (DSR-2026-0004); the next newsletter export still lists her.
    let report = sandbox.json(&["--now", NOW, "register", "import", "newsletter"]);
    let report = if report.is_array() {
        report[0].clone()
    } else {
        report
    };
    assert!(report["suppressed"].as_u64().unwrap() >= 1, "{report}");
}

fn followup(name: &str) -> String {
    repo()
        .join("tests/fixtures/followups")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn a_follow_up_after_the_answer_gets_the_answer_it_needs_and_no_more() {
    let sandbox = shop();
    // Juha's access request is answered (without SMTP the outbox counts as sent).
    let (draft, _) = pending(&sandbox, "DSR-2026-0002");
    at(
        &sandbox,
        &["approve", &draft, "--by", "Sanna", "--read-flagged"],
    );
    let waiting = |s: &Sandbox| -> Vec<String> {
        lines(s, &["queue"])
            .into_iter()
            .filter(|d| d["case"] == "DSR-2026-0002")
            .map(|d| d["draft"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(waiting(&sandbox).is_empty());
    // "Thank you" asks for nothing: no reply, least of all the data copy again.
    let later = ["--now", "2026-10-26T12:00:00+02:00"];
    sandbox.ok(&[later[0], later[1], "ingest", &followup("thanks.eml")]);
    assert!(waiting(&sandbox).is_empty(), "{:?}", waiting(&sandbox));
    // Stop the newsletter too: a reply about that alone, threaded to the follow-up.
    let later = ["--now", "2026-10-27T12:00:00+02:00"];
    sandbox.ok(&[later[0], later[1], "ingest", &followup("newsletter.eml")]);
    let drafts = waiting(&sandbox);
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    let shown = sandbox.json(&[later[0], later[1], "show", &drafts[0]]);
    let body = shown["body"].as_str().unwrap();
    assert!(body.contains("suoramarkkinointiin"), "{body}");
    assert!(!body.contains("Tilaukset"), "the data copy again: {body}");
    assert_eq!(
        shown["in_reply_to"], "followup-newsletter-5c90@posti.example.test",
        "{shown:#}"
    );
}

/// A shell script the test writes: it records its arguments (one per line) and the
/// environment it got, prints a line, and exits with `code`.
fn recorder(sandbox: &Sandbox, name: &str, code: i32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = sandbox.path().join(name);
    let log = sandbox.path().join(format!("{name}.log"));
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{log}'\nenv | grep '^RIGHTSBOT_\\|^HOME=' | sort >> '{log}'\necho \"{name}: handled $#\"\necho 'a warning' >&2\nexit {code}\n",
            log = log.display()
        ),
    )
    .expect("write the recorder script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .expect("make it executable");
    script
}

#[test]
fn a_source_command_carries_out_an_action_once_asked_and_never_through_a_shell() {
    let dir = tempfile::tempdir().unwrap();
    let erase = dir.path().join("erase-customer");
    let unsubscribe = dir.path().join("unsubscribe");
    let config = example_config()
        .replace(
            "owner = \"customer service\"\n",
            &format!(
                "owner = \"customer service\"\non_erase = [\"{}\", \"--email={{email}}\", \"{{name}}; rm -rf /\", \"{{case}}\"]\n",
                erase.display()
            ),
        )
        .replace(
            "owner = \"marketing\"\n",
            &format!(
                "owner = \"marketing\"\non_suppress = [\"{}\", \"{{email}}\"]\n",
                unsubscribe.display()
            ),
        );
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["--now", NOW, "register", "import"]);
    let mailbox = repo().join("examples/mailbox").display().to_string();
    sandbox.ok(&["--now", NOW, "ingest", &mailbox]);
    // The scripts are written where the sandbox's config points.
    let written = recorder(&sandbox, "erase-customer", 0);
    std::fs::copy(&written, &erase).unwrap();
    let written = recorder(&sandbox, "unsubscribe", 3);
    std::fs::copy(&written, &unsubscribe).unwrap();

    let list = actions(&sandbox, PRIYA);
    let number = |kind: &str, source: &str, target: Option<&str>| {
        action(&list, kind, source, target)["action"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let erase_action = number("erase", "webshop_customers", Some(""));
    let stop_action = number("stop_marketing", "newsletter", None);

    // Asked: the command ran once for her one entry, each placeholder one argument.
    let out = at(&sandbox, &["do", PRIYA, &erase_action, "--by", "tiina"]);
    assert!(out.contains("exit 0"), "{out}");
    assert!(out.contains("erase-customer: handled 3"), "{out}");
    let log = std::fs::read_to_string(sandbox.path().join("erase-customer.log")).unwrap();
    let mut args = log.lines();
    let email = args.next().unwrap();
    assert!(email.starts_with("--email=priya"), "{log}");
    assert!(args.next().unwrap().ends_with("; rm -rf /"), "{log}");
    assert_eq!(args.next(), Some(PRIYA), "{log}");
    assert!(
        log.contains(&format!("RIGHTSBOT_ACTION={erase_action}")),
        "{log}"
    );
    assert!(log.contains("RIGHTSBOT_SOURCE=webshop_customers"), "{log}");
    // A clean environment: nothing of the operator's own leaks into the command.
    assert!(!log.contains("HOME="), "{log}");
    let after = actions(&sandbox, PRIYA);
    let done = action(&after, "erase", "webshop_customers", Some(""));
    assert_eq!(done["state"], "done");
    assert_eq!(done["decided_by"], "tiina");
    assert!(
        done["note"]
            .as_str()
            .unwrap()
            .contains("erase-customer: handled 3"),
        "{done}"
    );
    // Done is done: asking again is refused.
    let again = sandbox.run(&["--now", NOW, "do", PRIYA, &erase_action, "--by", "tiina"]);
    assert!(assert_user_error(&again).contains("only an open action"));

    // A failing command leaves the action open, says so in one line, and is recorded.
    let failed = sandbox.run(&["--now", NOW, "do", PRIYA, &stop_action, "--by", "tiina"]);
    assert_eq!(failed.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&failed.stdout);
    assert!(
        stdout.contains("exit 3") && stdout.contains("a warning"),
        "{stdout}"
    );
    assert_user_error(&failed);
    let after = actions(&sandbox, PRIYA);
    assert_eq!(
        action(&after, "stop_marketing", "newsletter", None)["state"],
        "open"
    );
    let shown = sandbox.json(&["--now", NOW, "show", PRIYA]);
    let ran: Vec<&serde_json::Value> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "command_ran")
        .collect();
    assert_eq!(ran.len(), 2, "{shown:#}");
    assert_eq!(ran[1]["details"]["succeeded"], false);
    assert_eq!(ran[1]["details"]["runs"][0]["exit"], 3);

    // A source without a command says how to record it by hand.
    let list = actions(&sandbox, PRIYA);
    let keep = action(&list, "erase", "shipping", None)["action"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = sandbox.run(&["--now", NOW, "do", PRIYA, &keep, "--by", "tiina"]);
    let line = assert_user_error(&refused);
    assert!(
        line.contains("no command") && line.contains("rightsbot done"),
        "{line}"
    );
}

#[test]
fn an_identity_document_is_removed_from_the_stored_mail_once_identity_is_decided() {
    let sandbox = shop();
    let passport = followup("passport.eml");
    at(&sandbox, &["ingest", &passport]);
    let list = actions(&sandbox, PRIYA);
    let deletes: Vec<&serde_json::Value> = list.iter().filter(|a| a["kind"] == "delete").collect();
    // The passport photo, not the order confirmation beside it.
    assert_eq!(deletes.len(), 1, "{list:#?}");
    let delete = deletes[0];
    let records = delete["records"][0].as_str().unwrap();
    assert!(
        records.ends_with(": passport-priya.jpg (image/jpeg)"),
        "{records}"
    );
    let message = records.split(':').next().unwrap().to_string();
    let number = delete["action"].as_str().unwrap().to_string();
    let before = sandbox.json(&["--now", NOW, "show", &message]);
    let names = |shown: &serde_json::Value| -> Vec<String> {
        shown["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(names(&before), ["passport-priya.jpg", "order-10270.pdf"]);
    // It is housekeeping, not the reply's subject.
    let (_, body) = pending(&sandbox, PRIYA);
    assert!(!body.contains("passport"), "{body}");

    let out = at(&sandbox, &["done", PRIYA, &number, "--by", "Sanna"]);
    assert!(out.contains("done"), "{out}");
    let after = sandbox.json(&["--now", NOW, "show", &message]);
    assert_eq!(names(&after), ["removed.txt", "order-10270.pdf"]);
    let list = actions(&sandbox, PRIYA);
    let done = list
        .iter()
        .find(|a| a["action"] == number.as_str())
        .unwrap();
    assert_eq!(done["state"], "done");
    let note = done["note"].as_str().unwrap();
    assert!(
        note.starts_with("removed passport-priya.jpg (image/jpeg,") && note.contains("SHA-256"),
        "{note}"
    );
    // Derived again, nothing new is asked; the mail delivered again is still a duplicate
    // (the original's hash is kept).
    assert_eq!(list.iter().filter(|a| a["kind"] == "delete").count(), 1);
    let again = lines(&sandbox, &["ingest", &passport]).pop().unwrap();
    assert_eq!(again["duplicates"], 1, "{again}");
    assert_eq!(again["new"], 0, "{again}");
    // The store refuses any other rewrite of a stored mail.
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let refused = conn.execute(
        "UPDATE messages SET raw = X'00' WHERE id = ?1",
        [message.trim_start_matches('M').parse::<i64>().unwrap()],
    );
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("a stored message is never rewritten")
    );
}
