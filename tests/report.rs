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
    // C extended on 20 Nov, answered on 21 Dec: 46 days, in time.
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
    assert_eq!(report["refused"], 1);
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
}

#[test]
fn reminders_come_at_seven_three_and_one_working_days_and_when_overdue_each_once() {
    let config = format!(
        "{CONFIG}\n[reminders]\nstaff_address = \"tiimi@kestokauppa.example.test\"\n\n[[register.sources]]\nname = \"customers\"\nfile = \"{}\"\n[register.sources.columns]\ncustomer_id = \"Id\"\nname = [\"First\", \"Last\"]\nemail = \"Email\"\n",
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
