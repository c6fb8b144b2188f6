//! `report`: figures checked against a set of cases computed by hand.

mod support;

use support::{CONFIG, Sandbox, repo};

fn fixture(path: &str) -> String {
    repo()
        .join("tests/fixtures")
        .join(path)
        .display()
        .to_string()
}

fn lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// The pending draft of `case` with `purpose`.
fn draft_of(sandbox: &Sandbox, case: &str, purpose: &str) -> String {
    lines(&sandbox.ok(&["--json", "queue"]))
        .into_iter()
        .find(|d| d["case"] == case && d["purpose"] == purpose)
        .and_then(|d| d["draft"].as_str().map(str::to_string))
        .unwrap_or_else(|| panic!("no {purpose} draft for {case}"))
}

#[test]
fn report_figures_match_a_hand_computed_set_of_cases() {
    // The customer register is bookkeeping material here, so an erasure is refused in part.
    let config = format!(
        "{CONFIG}\n[[register.sources]]\nname = \"customers\"\nfile = \"{}\"\nbookkeeping = true\n[register.sources.columns]\ncustomer_id = \"Id\"\nname = [\"First\", \"Last\"]\nemail = \"Email\"\n",
        fixture("register/customers.csv")
    );
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["register", "import"]);
    // D: 2 Nov, fi, access, from an address on file for no one (deadline Wed 2 Dec).
    // A: 3 Nov, fi, access, on file (deadline Thu 3 Dec).
    // B: 4 Nov, sv, erasure, on file (deadline Fri 4 Dec).
    // C: 5 Nov, en, access and portability, on file (deadline Mon 7 Dec: the 5th is a Saturday).
    for mail in [
        "register/mail/namesake.eml",
        "drafts/access-on-file.eml",
        "report/erasure-sv.eml",
        "report/portability-en.eml",
    ] {
        sandbox.ok(&[
            "--now",
            "2026-11-06T08:00:00+02:00",
            "ingest",
            &fixture(mail),
        ]);
    }
    let cases = sandbox.json(&["cases"]);
    let id = |n: usize| cases[n]["id"].as_str().unwrap().to_string();
    let (d, a, b, c) = (id(0), id(1), id(2), id(3));
    assert_eq!(cases[2]["language"], "sv");
    assert_eq!(cases[3]["language"], "en");

    // A answered on 5 Nov: 2 days.
    let draft = draft_of(&sandbox, &a, "reply");
    sandbox.ok(&[
        "--now",
        "2026-11-05T12:00:00+02:00",
        "approve",
        &draft,
        "--by",
        "Sanna",
    ]);
    // B answered on 10 Dec, after its deadline: 36 days, late, a partial refusal.
    let draft = draft_of(&sandbox, &b, "reply");
    sandbox.ok(&[
        "--now",
        "2026-12-10T12:00:00+02:00",
        "approve",
        &draft,
        "--by",
        "Sanna",
    ]);
    // C extended on 20 Nov (the notice sent the same day: an extension takes effect when
    // it is told), answered on 21 Dec: 46 days, in time.
    sandbox.ok(&[
        "--now",
        "2026-11-20T12:00:00+02:00",
        "extend",
        &c,
        "--reason",
        "many orders",
        "--by",
        "Sanna",
    ]);
    let notice = draft_of(&sandbox, &c, "extension");
    sandbox.ok(&[
        "--now",
        "2026-11-20T12:05:00+02:00",
        "approve",
        &notice,
        "--by",
        "Sanna",
    ]);
    let draft = draft_of(&sandbox, &c, "reply");
    sandbox.ok(&[
        "--now",
        "2026-12-21T12:00:00+02:00",
        "approve",
        &draft,
        "--by",
        "Sanna",
    ]);
    // D is never answered: open, and overdue on 22 Dec.
    let _ = d;

    let report = sandbox.json(&[
        "--now",
        "2026-12-22T12:00:00+02:00",
        "report",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
    ]);
    assert_eq!(report["requests"], 4, "{report}");
    // C's "a copy of my data … in a machine-readable format" asks for access too.
    assert_eq!(
        cases[3]["kinds"],
        serde_json::json!(["access", "portability"])
    );
    assert_eq!(report["by_kind"]["access"], 3);
    assert_eq!(report["by_kind"]["erasure"], 1);
    assert_eq!(report["by_kind"]["portability"], 1);
    assert_eq!(report["by_kind"]["objection"], 0);
    assert_eq!(
        report["by_language"],
        serde_json::json!({"en": 1, "fi": 2, "sv": 1})
    );
    assert_eq!(report["answered"], 3);
    assert_eq!(report["days_to_answer_median"], 36.0);
    assert_eq!(report["days_to_answer_p95"], 46);
    assert_eq!(report["answered_after_deadline"], 1);
    assert_eq!(report["extended"], 1);
    // One name for it in JSON, text and CSV.
    assert_eq!(report["refused_in_part"], 1);
    assert!(report.get("refused").is_none(), "{report}");
    assert_eq!(report["open"], 1);
    assert_eq!(report["open_overdue"], 1);

    // The period is of receipt: 2–3 November holds D and A only.
    let early = sandbox.json(&[
        "--now",
        "2026-12-22T12:00:00+02:00",
        "report",
        "--to",
        "2026-11-03",
    ]);
    assert_eq!(
        (early["requests"].as_u64(), early["answered"].as_u64()),
        (Some(2), Some(1))
    );
    let csv = sandbox.ok(&["--now", "2026-12-22T12:00:00+02:00", "report", "--csv"]);
    assert!(csv.starts_with("metric,value\n"), "{csv}");
    assert!(csv.contains("\ndays_to_answer.p95,46\n"), "{csv}");
    assert!(csv.contains("\nrefused_in_part,1\n"), "{csv}");
    let text = sandbox.ok(&["--now", "2026-12-22T12:00:00+02:00", "report"]);
    assert!(text.contains("\nrefused_in_part "), "{text}");

    // A period that ends before it starts is an error, not an empty report.
    let line = support::assert_user_error(&sandbox.run(&[
        "report",
        "--from",
        "2026-11-30",
        "--to",
        "2026-11-01",
    ]));
    assert_eq!(
        line,
        "rightsbot: --from 2026-11-30 is later than --to 2026-11-01: no day is in that period"
    );
}

#[test]
fn reminders_come_at_seven_three_and_one_working_days_and_when_overdue_each_once() {
    // The daily recap (tested below) comes from 20:00 here, after these 08:00 digests.
    let config = format!(
        "{CONFIG}\n[reminders]\nstaff_address = \"tiimi@kestokauppa.example.test\"\ndaily_hour = 20\n\n[[register.sources]]\nname = \"customers\"\nfile = \"{}\"\n[register.sources.columns]\ncustomer_id = \"Id\"\nname = [\"First\", \"Last\"]\nemail = \"Email\"\n",
        fixture("register/customers.csv")
    );
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["register", "import"]);
    // Received Tuesday 3 November 2026: the deadline is Thursday 3 December.
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &fixture("drafts/access-on-file.eml"),
    ]);
    let remind = |now: &str| sandbox.json(&["--now", now, "remind"]);
    let digests = || {
        std::fs::read_dir(sandbox.path().join("outbox"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let thresholds = |value: &serde_json::Value| -> Vec<String> {
        value["reminders"]
            .as_array()
            .map(|r| {
                r.iter()
                    .map(|r| r["threshold"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };

    // Nine working days left: only the draft waiting is news.
    let first = remind("2026-11-20T08:00:00+02:00");
    assert_eq!(thresholds(&first), Vec::<String>::new(), "{first}");
    assert_eq!(first["drafts_waiting"].as_array().unwrap().len(), 1);
    assert!(
        remind("2026-11-20T16:00:00+02:00")["digest"].is_null(),
        "nothing new, no digest"
    );
    // Tuesday 24 Nov: seven working days left.
    let seven = remind("2026-11-24T08:00:00+02:00");
    assert_eq!(thresholds(&seven), ["7_working_days"]);
    let body = std::fs::read_to_string(seven["digest"].as_str().unwrap()).unwrap();
    // RFC 3834: made by the bot on its own, not an answer to anything.
    assert!(body.contains("Auto-Submitted: auto-generated"), "{body}");
    assert!(body.contains("rightsbot extend DSR-2026-0001"), "{body}");
    assert!(remind("2026-11-25T08:00:00+02:00")["digest"].is_null());
    // Monday 30 Nov: three; Wednesday 2 Dec: one; Friday 4 Dec: overdue.
    assert_eq!(
        thresholds(&remind("2026-11-30T08:00:00+02:00")),
        ["3_working_days"]
    );
    assert_eq!(
        thresholds(&remind("2026-12-02T08:00:00+02:00")),
        ["1_working_day"]
    );
    assert!(remind("2026-12-03T08:00:00+02:00")["digest"].is_null());
    assert_eq!(
        thresholds(&remind("2026-12-04T08:00:00+02:00")),
        ["overdue"]
    );
    for again in ["2026-12-04T12:00:00+02:00", "2026-12-10T08:00:00+02:00"] {
        assert!(remind(again)["digest"].is_null(), "{again}");
    }
    assert_eq!(digests(), 5, "draft waiting, 7, 3, 1, overdue: each once");
}

/// Issue 12, item 8: what recurs (a draft still waiting, a case still overdue) is told once
/// each working day from the configured hour; with approval by mail, a new draft's review
/// mail is its notice and the digest does not repeat it; Finnish digests speak Finnish.
#[test]
fn a_waiting_draft_is_recapped_each_working_day_in_the_staff_language() {
    let config = format!(
        "{CONFIG}\n[reminders]\nstaff_address = \"tiimi@kestokauppa.example.test\"\n\n[approval_by_mail]\nenabled = true\nstaff_address = \"tiimi@kestokauppa.example.test\"\napprovers = [\"sanna@kestokauppa.example.test\"]\n\n[[register.sources]]\nname = \"customers\"\nfile = \"{}\"\n[register.sources.columns]\ncustomer_id = \"Id\"\nname = [\"First\", \"Last\"]\nemail = \"Email\"\n",
        fixture("register/customers.csv")
    );
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["register", "import"]);
    // Received Tuesday 3 November 2026: the deadline is Thursday 3 December.
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &fixture("drafts/access-on-file.eml"),
    ]);
    let remind = |now: &str| sandbox.json(&["--now", now, "remind"]);
    // The text as a mail client shows it (the file is quoted-printable).
    let body = |value: &serde_json::Value| -> String {
        let raw = std::fs::read(value["digest"].as_str().expect("a digest file")).expect("digest");
        rightsbot::parse::parse(&raw).expect("a mail").text
    };
    // Before the hour: the review mail was the new draft's notice; nothing to say.
    assert!(remind("2026-11-04T07:00:00+02:00")["digest"].is_null());
    // From the hour, once that day: the recap lists the draft still waiting.
    let recap = remind("2026-11-04T09:00:00+02:00");
    assert_eq!(
        recap["recap"]["drafts_waiting"][0]["draft"], "D1",
        "{recap}"
    );
    assert!(
        body(&recap).contains("Hyväksyntää odottaa yhä"),
        "{}",
        body(&recap)
    );
    assert!(remind("2026-11-04T15:00:00+02:00")["digest"].is_null());
    // Saturday: no working day, no recap. Monday: again.
    assert!(remind("2026-11-07T09:00:00+02:00")["digest"].is_null());
    assert!(remind("2026-11-09T09:00:00+02:00")["recap"].is_object());
    // One working day left: said in Finnish, the right named in Finnish.
    let one = remind("2026-12-02T09:00:00+02:00");
    let text = body(&one);
    assert!(text.contains("1 työpäivä jäljellä, tarkastus"), "{text}");
    assert!(!text.contains("access"), "{text}");
    // Past the deadline: the draft is marked, the case listed as overdue.
    let overdue = remind("2026-12-04T09:00:00+02:00");
    assert_eq!(
        overdue["recap"]["drafts_waiting"][0]["overdue"], true,
        "{overdue}"
    );
    assert_eq!(
        overdue["recap"]["overdue"][0]["case"], "DSR-2026-0001",
        "{overdue}"
    );
}

/// One meaning of open, answered, closed and overdue (`case::Standing`): `status`, `report`
/// and `cases` count the same cases, and an answered or closed case is never "over".
#[test]
fn status_report_and_cases_agree_on_open_answered_and_overdue() {
    let config = format!(
        "{CONFIG}\n[[register.sources]]\nname = \"customers\"\nfile = \"{}\"\n[register.sources.columns]\ncustomer_id = \"Id\"\nname = [\"First\", \"Last\"]\nemail = \"Email\"\n",
        fixture("register/customers.csv")
    );
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["register", "import"]);
    // E: 31 Jan, never answered: open and long overdue. D: 2 Nov, from an address on file
    // for no one. A: 3 Nov, on file. B: 4 Nov. C: 5 Nov.
    for mail in [
        "cases/1-request.eml",
        "register/mail/namesake.eml",
        "drafts/access-on-file.eml",
        "report/erasure-sv.eml",
        "report/portability-en.eml",
    ] {
        sandbox.ok(&[
            "--now",
            "2026-11-06T08:00:00+02:00",
            "ingest",
            &fixture(mail),
        ]);
    }
    let cases = sandbox.json(&["cases"]);
    let id = |n: usize| cases[n]["id"].as_str().unwrap().to_string();
    let (e, d, a, b, c) = (id(0), id(1), id(2), id(3), id(4));
    let approve = |draft: &str, now: &str| {
        sandbox.ok(&["--now", now, "approve", draft, "--by", "Sanna"]);
    };
    // D gets word that nothing was found: an answer.
    approve(
        &draft_of(&sandbox, &d, "not_found"),
        "2026-11-09T12:00:00+02:00",
    );
    // A gets its reply, after the deadline has passed: answered, never overdue after.
    approve(
        &draft_of(&sandbox, &a, "reply"),
        "2026-12-10T12:00:00+02:00",
    );
    // B is closed unanswered (withdrawn): closed, never overdue.
    sandbox.ok(&[
        "--now",
        "2026-11-10T12:00:00+02:00",
        "close",
        &b,
        "--by",
        "Sanna",
        "--outcome",
        "withdrawn by the requester",
    ]);
    // C is extended and told so: the notice moves the deadline and answers nothing.
    sandbox.ok(&[
        "--now",
        "2026-11-20T12:00:00+02:00",
        "extend",
        &c,
        "--reason",
        "many orders",
        "--by",
        "Sanna",
    ]);
    approve(
        &draft_of(&sandbox, &c, "extension"),
        "2026-11-20T12:05:00+02:00",
    );

    let now = "2026-12-22T12:00:00+02:00";
    let ids = |value: serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let open = ids(sandbox.json(&["--now", now, "cases", "--open"]));
    let overdue = ids(sandbox.json(&["--now", now, "cases", "--overdue"]));
    assert_eq!(open, [e.as_str(), c.as_str()]);
    assert_eq!(overdue, [e.as_str()]);
    assert_eq!(
        ids(sandbox.json(&["--now", now, "cases", "--state", "answered"])),
        [d.as_str(), a.as_str()]
    );
    assert_eq!(
        ids(sandbox.json(&["--now", now, "cases", "--state", "closed"])),
        [b.as_str()]
    );
    let all = sandbox.json(&["--now", now, "cases"]);
    let answered: Vec<bool> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["answered"].as_bool().unwrap())
        .collect();
    assert_eq!(answered, [false, true, true, false, false]);

    let status = sandbox.json(&["--now", now, "status"]);
    assert_eq!(status["cases_open"], 2, "{status}");
    assert_eq!(status["cases_overdue"], 1, "{status}");
    let report = sandbox.json(&["--now", now, "report"]);
    assert_eq!(report["open"], 2, "{report}");
    assert_eq!(report["open_overdue"], 1, "{report}");
    assert_eq!(report["answered"], 2, "{report}");

    // The table says so too: only E is "over"; A and D show the day of their answer.
    let table = sandbox.ok(&["--now", now, "cases"]);
    for line in table.lines().skip(1) {
        let over = line.contains("d over");
        assert_eq!(over, line.starts_with(&e), "{line}");
        if line.starts_with(&a) {
            assert!(line.contains("answered 2026-12-10"), "{line}");
        }
    }
    assert!(table.contains("ANSWERED"), "{table}");
}
