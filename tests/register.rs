//! The register through the command line: importing CSV exports, finding people, the
//! identity outcome of each case, tombstones of erased people, retention.

mod support;

use std::fs;

use support::{CONFIG, Sandbox, assert_user_error, repo};

fn fixture(name: &str) -> String {
    repo()
        .join("tests/fixtures/register")
        .join(name)
        .display()
        .to_string()
}

fn mail(name: &str) -> String {
    fixture(&format!("mail/{name}"))
}

/// The test config with three sources: a UTF-8 customer file with broken rows, a Latin-1
/// shipping file, and a semicolon order file whose delimiter is not configured.
fn config_with(customers: &str) -> String {
    format!(
        r#"{CONFIG}
[identity]
trusted_authserv_ids = ["mx.test.example.test"]

[[register.sources]]
name = "customers"
file = "{customers}"
[register.sources.columns]
customer_id = "Id"
name = ["First", "Last"]
email = "Email"
phone = "Phone"
address = ["Street", "Postcode", "City"]

[[register.sources]]
name = "shipping"
file = "{shipping}"
encoding = "latin-1"
delimiter = ";"
[register.sources.columns]
name = "Vastaanottaja"
address = "Osoite"
phone = "Puhelin"
email = "Sähköposti"
order = "Tilaus"

[[register.sources]]
name = "orders"
file = "{orders}"
[register.sources.columns]
order = "Order"
customer_id = "Customer"
email = "Email"
"#,
        customers = customers,
        shipping = fixture("shipping-latin1.csv"),
        orders = fixture("orders-semicolon.csv"),
    )
}

fn sandbox() -> Sandbox {
    Sandbox::with_config(&config_with(&fixture("customers.csv")))
}

fn lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// `register find --json` with these options: the entries found.
fn find(sandbox: &Sandbox, options: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["--json", "register", "find"];
    args.extend_from_slice(options);
    lines(&sandbox.ok(&args))
}

fn import(sandbox: &Sandbox) -> Vec<serde_json::Value> {
    lines(&sandbox.ok(&["--json", "register", "import"]))
}

/// Ingests one mail and returns its case's `show --json`.
fn case_of(sandbox: &Sandbox, mail_name: &str) -> serde_json::Value {
    let before = sandbox.json(&["cases"]).as_array().map_or(0, Vec::len);
    sandbox.ok(&["ingest", &mail(mail_name)]);
    let cases = sandbox.json(&["cases"]);
    let cases = cases.as_array().expect("a list of cases");
    assert_eq!(cases.len(), before + 1, "{mail_name} opened no case");
    let id = cases[before]["id"].as_str().expect("an id").to_string();
    sandbox.json(&["show", &id])
}

#[test]
fn import_keeps_good_rows_and_names_the_line_and_reason_of_each_bad_one() {
    let sandbox = sandbox();
    let reports = import(&sandbox);
    assert_eq!(reports.len(), 3);
    let customers = &reports[0];
    assert_eq!(customers["source"], "customers");
    assert_eq!(customers["rows_read"], 8);
    assert_eq!(customers["kept"], 5);
    assert_eq!(customers["rejected"], 3);
    let rejections: Vec<(u64, String)> = customers["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(rejections[0].0, 6);
    assert!(
        rejections[0]
            .1
            .starts_with("bad e-mail \"matti.example.test\""),
        "{rejections:?}"
    );
    assert_eq!(rejections[1].0, 7);
    assert!(
        rejections[1].1.starts_with("wrong number of fields: 7"),
        "{rejections:?}"
    );
    assert_eq!(rejections[2].0, 9);
    assert!(
        rejections[2].1.starts_with("bad encoding"),
        "{rejections:?}"
    );

    // The Latin-1 file reads as the names it holds.
    let shipping = &reports[1];
    assert_eq!(
        (shipping["kept"].as_u64(), shipping["rejected"].as_u64()),
        (Some(2), Some(0))
    );
    let found = find(&sandbox, &["--name", "Pekka Makela"]);
    assert_eq!(found[0]["name"], "Pekka Mäkelä");
    assert_eq!(found[0]["address"], "Hämeentie 45, 00500 Helsinki");

    // The semicolon file was told apart by its header; "19,90" stayed one field.
    let orders = &reports[2];
    assert_eq!(
        (orders["kept"].as_u64(), orders["rejected"].as_u64()),
        (Some(2), Some(0))
    );
    let found = find(&sandbox, &["--order", "9101"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["other"], serde_json::json!([["Total", "19,90"]]));

    // Re-importing replaces the snapshot: the same rows, not twice as many.
    import(&sandbox);
    let sources = lines(&sandbox.ok(&["--json", "register", "sources"]));
    let held: Vec<(String, i64)> = sources
        .iter()
        .map(|s| {
            (
                s["source"].as_str().unwrap().to_string(),
                s["entries"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        held,
        [
            ("customers".to_string(), 5),
            ("orders".to_string(), 2),
            ("shipping".to_string(), 2)
        ]
    );
}

#[test]
fn cases_opened_before_an_import_are_matched_again_on_request() {
    let sandbox = sandbox();
    sandbox.ok(&["ingest", &mail("email-case.eml"), &mail("shared.eml")]);
    let cases = sandbox.json(&["cases"]);
    assert_eq!(cases[0]["identity"], "no_match", "an empty register");
    let text = sandbox.ok(&["register", "import"]);
    assert!(
        text.contains("2 open cases were matched against the register as it was"),
        "{text}"
    );

    let results = lines(&sandbox.ok(&["--json", "match", "--open"]));
    assert_eq!(results.len(), 2);
    assert_eq!(
        (
            &results[0]["from"],
            &results[0]["to"],
            &results[0]["changed"]
        ),
        (
            &"no_match".into(),
            &"on_file_unverified".into(),
            &true.into()
        )
    );
    assert_eq!(results[1]["to"], "ambiguous");
    assert_eq!(
        sandbox.json(&["cases"])[0]["identity"],
        "on_file_unverified"
    );
    // Nothing changed since: nothing is recorded again.
    let again = sandbox.ok(&["match", "DSR-2026-0001"]);
    assert_eq!(
        again.trim(),
        "DSR-2026-0001: on_file_unverified (unchanged)"
    );
    let trail = sandbox.json(&["show", "DSR-2026-0001"]);
    let identities = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "identity")
        .count();
    assert_eq!(identities, 2);
    let line = assert_user_error(&sandbox.run(&["match", "DSR-2026-0042"]));
    assert!(line.contains("no case DSR-2026-0042"), "{line}");
}

#[test]
fn a_missing_column_fails_that_source_only_and_keeps_its_previous_snapshot() {
    let sandbox = sandbox();
    import(&sandbox);
    // A new export without the Phone column, which the config maps.
    let original = fs::read(fixture("customers.csv")).unwrap();
    let text = String::from_utf8_lossy(&original)
        .replace("Id,First,Last,Email,Phone,", "Id,First,Last,Email,Puhelin,");
    let changed = sandbox.path().join("customers-new.csv");
    fs::write(&changed, text).unwrap();
    let config = config_with(&changed.display().to_string());
    fs::write(&sandbox.config, config).unwrap();

    let output = sandbox.run(&["register", "import", "customers"]);
    let line = assert_user_error(&output);
    assert!(
        line.contains(
            "column \"Phone\" (columns.phone of source \"customers\") is not in the header"
        ),
        "{line}"
    );
    assert!(line.contains("previous snapshot is kept"), "{line}");
    // The old snapshot still answers.
    let found = find(&sandbox, &["--email", "maija.virtanen@example.test"]);
    assert_eq!(found.len(), 2, "the customer row and the order row");

    let line = assert_user_error(&sandbox.run(&["register", "import", "nosuch"]));
    assert!(line.contains("no source \"nosuch\""), "{line}");
}

#[test]
fn a_csv_file_the_config_does_not_describe_is_read_by_its_header() {
    let sandbox = Sandbox::new();
    let reports = lines(&sandbox.ok(&[
        "--json",
        "register",
        "import",
        &fixture("shipping-latin1.csv"),
    ]));
    assert_eq!(reports[0]["source"], "shipping-latin1");
    assert_eq!(
        (reports[0]["kept"].as_u64(), reports[0]["rejected"].as_u64()),
        (Some(2), Some(0))
    );
    let found = find(&sandbox, &["--phone", "040 123 4567"]);
    assert_eq!(
        found[0]["name"], "Pekka Mäkelä",
        "Latin-1 told from the bytes"
    );
    assert_eq!(found[0]["order"], "9001");
    let line = assert_user_error(&sandbox.run(&["register", "import", "nosuch.csv"]));
    assert!(line.contains("no file \"nosuch.csv\""), "{line}");
}

#[test]
fn phone_numbers_match_however_they_are_written() {
    let sandbox = sandbox();
    import(&sandbox);
    for written in ["+358451234567", "045 123 4567", "045-1234567"] {
        let found = find(&sandbox, &["--phone", written]);
        assert_eq!(found.len(), 1, "{written}");
        assert_eq!(found[0]["customer_id"], "501", "{written}");
    }
    let line = assert_user_error(&sandbox.run(&["register", "find", "--phone", "12"]));
    assert!(line.contains("not a phone number"), "{line}");
}

#[test]
fn a_sender_on_file_in_another_letter_case_is_matched() {
    let sandbox = sandbox();
    import(&sandbox);
    let case = case_of(&sandbox, "email-case.eml");
    let identity = &case["identity"];
    assert_eq!(
        case["identity"]["outcome"], "on_file_unverified",
        "{identity}"
    );
    assert_eq!(identity["action"], "reply");
    assert_eq!(identity["reply_to_on_file"], "maija.virtanen@example.test");
    let entries = identity["entries"].as_array().unwrap();
    let customer = entries.iter().find(|e| e["source"] == "customers").unwrap();
    assert_eq!(customer["customer_id"], "501");
    assert!(
        customer["fields"]
            .as_array()
            .unwrap()
            .contains(&"sender_email".into())
    );
    assert!(customer["score"].as_f64().unwrap() >= 0.8, "{customer}");
    // The namesake in Tampere is counted, never matched.
    assert!(
        entries.iter().all(|e| e["customer_id"] != "502"),
        "{identity}"
    );
    assert_eq!(identity["namesakes"], 1);
    assert!(
        identity["reason"]
            .as_str()
            .unwrap()
            .contains("customers line 2"),
        "{identity}"
    );
}

#[test]
fn a_new_address_with_a_phone_on_file_needs_verification() {
    let sandbox = sandbox();
    import(&sandbox);
    let case = case_of(&sandbox, "phone.eml");
    let identity = &case["identity"];
    assert_eq!(identity["outcome"], "needs_verification", "{identity}");
    assert_eq!(identity["action"], "ask_for_information");
    assert_eq!(identity["reply_to_on_file"], serde_json::Value::Null);
    let entries = identity["entries"].as_array().unwrap();
    assert_eq!(entries[0]["customer_id"], "501");
    assert!(
        entries[0]["fields"]
            .as_array()
            .unwrap()
            .contains(&"phone".into())
    );
    let summary = sandbox.json(&["cases"]);
    assert_eq!(summary[0]["identity"], "needs_verification");
}

/// DESIGN: while the controller waits for information it asked for, the clock is
/// suspended, not restarted: the days already run still count.
#[test]
fn a_suspended_clock_resumes_with_the_days_already_run() {
    let config = config_with(&fixture("customers.csv")).replace(
        "trusted_authserv_ids = [\"mx.test.example.test\"]",
        "trusted_authserv_ids = [\"mx.test.example.test\"]\nclock_waits_for_information = true",
    );
    let sandbox = Sandbox::with_config(&config);
    import(&sandbox);
    // Received Monday 2 November; the bot asks on Thursday 5 November: 3 days have run.
    sandbox.ok(&[
        "--now",
        "2026-11-05T09:00:00+02:00",
        "ingest",
        &mail("phone.eml"),
    ]);
    let case = sandbox.json(&[
        "--now",
        "2026-11-10T09:00:00+02:00",
        "show",
        "DSR-2026-0001",
    ]);
    assert_eq!(
        case["identity"]["clock_waits"], true,
        "{}",
        case["identity"]
    );
    assert_eq!(case["clock"], "waiting", "{case}");
    assert_eq!(case["waiting_since"], "2026-11-05", "{case}");
    assert_eq!(case["deadline"], "2026-12-02");
    let listed = sandbox.json(&["--now", "2026-12-10T09:00:00+02:00", "cases"]);
    assert_eq!(listed[0]["clock"], "waiting", "{listed}");
    assert_eq!(listed[0]["waiting_since"], "2026-11-05");
    // Waiting is not overdue, even past the deadline the clock would have had.
    let overdue = sandbox.json(&["--now", "2026-12-10T09:00:00+02:00", "cases", "--overdue"]);
    assert_eq!(overdue, serde_json::json!([]), "{overdue}");
    let status = sandbox.json(&["--now", "2026-12-10T09:00:00+02:00", "status"]);
    assert_eq!(status["cases_open"], 1, "{status}");
    assert_eq!(status["cases_overdue"], 0, "{status}");

    // The answer arrives on Friday 20 November: the clock stood still 15 days, so the
    // month's end moves from Wednesday 2 December to Thursday 17 December (3 days run
    // before, 27 after: the 30 of the month), not to a month from the answer.
    sandbox.ok(&[
        "--now",
        "2026-11-20T12:00:00+02:00",
        "ingest",
        &mail("phone-answer.eml"),
    ]);
    let case = sandbox.json(&[
        "--now",
        "2026-11-20T12:00:00+02:00",
        "show",
        "DSR-2026-0001",
    ]);
    assert_eq!(case["deadline"], "2026-12-17", "{case}");
    assert_eq!(case["clock"], "running", "{case}");
    assert_eq!(case["waiting_since"], serde_json::Value::Null);
    let events = case["events"].as_array().unwrap();
    let resumed: Vec<_> = events
        .iter()
        .filter(|e| e["kind"] == "clock_resumed")
        .collect();
    assert_eq!(resumed.len(), 1, "{case}");
    assert_eq!(resumed[0]["details"]["days_suspended"], 15);
    assert!(events.iter().all(|e| e["kind"] != "clock_restarted"));
}

#[test]
fn a_namesake_is_not_matched_by_name_alone() {
    let sandbox = sandbox();
    import(&sandbox);
    let identity = case_of(&sandbox, "namesake.eml")["identity"].clone();
    assert_eq!(identity["outcome"], "no_match", "{identity}");
    assert_eq!(identity["action"], "not_found");
    assert_eq!(identity["entries"], serde_json::json!([]));
    assert_eq!(identity["namesakes"], 2);
}

#[test]
fn a_forged_authentication_result_does_not_verify_and_a_trusted_one_does() {
    let sandbox = sandbox();
    import(&sandbox);
    let identity = case_of(&sandbox, "spoofed.eml")["identity"].clone();
    assert_eq!(identity["outcome"], "on_file_unverified", "{identity}");
    assert_eq!(identity["authentication"]["passed"], false);
    let why = identity["authentication"]["why"].as_str().unwrap();
    assert!(why.contains("mx.attacker.example.test"), "{why}");

    let identity = case_of(&sandbox, "authenticated.eml")["identity"].clone();
    assert_eq!(identity["outcome"], "verified", "{identity}");
    assert_eq!(
        identity["authentication"]["authserv_id"],
        "mx.test.example.test"
    );
}

#[test]
fn two_people_sharing_an_address_are_ambiguous() {
    let sandbox = sandbox();
    import(&sandbox);
    let identity = case_of(&sandbox, "shared.eml")["identity"].clone();
    assert_eq!(identity["outcome"], "ambiguous", "{identity}");
    assert_eq!(identity["action"], "ask_for_information");
    let reason = identity["reason"].as_str().unwrap();
    assert!(
        reason.contains("Jari Salonen") && reason.contains("Sari Salonen"),
        "{reason}"
    );
    // Without naming entries, recording the erasure is refused: it would erase both.
    sandbox.ok(&["ingest", &mail("email-case.eml")]);
    let line =
        assert_user_error(&sandbox.run(&["register", "erased", "DSR-2026-0001", "--by", "Sanna"]));
    assert!(line.contains("several people"), "{line}");
}

#[test]
fn an_erased_person_is_withheld_when_an_old_export_is_imported_again() {
    let sandbox = sandbox();
    import(&sandbox);
    let case = case_of(&sandbox, "email-case.eml");
    let id = case["id"].as_str().unwrap();
    let done = sandbox.json(&["register", "erased", id, "--by", "Sanna"]);
    assert_eq!(done["entries"].as_array().unwrap().len(), 2, "{done}");
    assert!(find(&sandbox, &["--email", "maija.virtanen@example.test"]).is_empty());

    let reports = import(&sandbox);
    assert_eq!(reports[0]["withheld"], 1, "{}", reports[0]);
    assert_eq!(reports[0]["withheld_rows"][0]["line"], 2);
    assert_eq!(reports[0]["withheld_rows"][0]["erased_in"], id);
    assert_eq!(reports[2]["withheld"], 1, "{}", reports[2]);
    assert!(find(&sandbox, &["--email", "maija.virtanen@example.test"]).is_empty());
    // The namesake is someone else and stays.
    assert_eq!(find(&sandbox, &["--name", "Maija Virtanen"]).len(), 1);

    let text = sandbox.ok(&["register", "import", "customers"]);
    assert!(
        text.contains(&format!(
            "line 2: withheld: this person was erased in case {id}"
        )),
        "{text}"
    );
    let trail = sandbox.json(&["show", id]);
    let kinds: Vec<&str> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"erasure_recorded"), "{kinds:?}");
}

#[test]
fn purge_lists_then_deletes_what_is_past_retention_and_records_it() {
    let sandbox = sandbox();
    import(&sandbox);
    sandbox.ok(&[
        "--now",
        "2026-11-02T12:00:00+02:00",
        "ingest",
        &mail("email-case.eml"),
        &fixture("../mail/list-id.eml"),
    ]);
    let cases = sandbox.json(&["cases"]);
    let id = cases[0]["id"].as_str().unwrap().to_string();
    sandbox.ok(&[
        "--now",
        "2026-11-10T12:00:00+02:00",
        "close",
        &id,
        "--by",
        "Sanna",
        "--outcome",
        "data erased",
    ]);

    // A year on: the closed case is inside its 36 months; the automated mail is past 90 days.
    let plan = sandbox.json(&["--now", "2027-11-10T12:00:00+02:00", "purge", "--dry-run"]);
    assert_eq!(plan["cases"], serde_json::json!([]));
    assert_eq!(plan["messages"].as_array().unwrap().len(), 1, "{plan}");
    let after_three_years = "2029-11-11T12:00:00+02:00";
    let plan = sandbox.json(&["--now", after_three_years, "purge", "--dry-run"]);
    assert_eq!(plan["cases"][0]["case"], id.as_str());
    assert_eq!(
        sandbox.json(&["cases"]).as_array().unwrap().len(),
        1,
        "a dry run deletes nothing"
    );

    let done = sandbox.json(&["--now", after_three_years, "purge", "--by", "Sanna"]);
    assert_eq!(done["cases"][0]["case"], id.as_str());
    assert_eq!(done["messages"].as_array().unwrap().len(), 1, "{done}");
    assert_eq!(done["messages"][0]["disposition"], "automated");
    assert!(done["events_deleted"].as_i64().unwrap() >= 4, "{done}");
    assert_eq!(sandbox.json(&["cases"]), serde_json::json!([]));
    let line = assert_user_error(&sandbox.run(&["show", &id]));
    assert!(line.contains("no case"), "{line}");
    // The purge itself is on record: when, who, which case numbers, how much went.
    let db = rusqlite::Connection::open(sandbox.db()).unwrap();
    let (actor, purged, messages): (String, String, i64) = db
        .query_row("SELECT actor, cases, messages FROM purges", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((actor.as_str(), messages), ("Sanna", 2));
    assert_eq!(purged, format!("[\"{id}\"]"));
    let again = sandbox.json(&["--now", after_three_years, "purge", "--dry-run"]);
    assert_eq!(again["cases"], serde_json::json!([]));
    assert_eq!(again["messages"], serde_json::json!([]));
}

#[test]
fn register_config_errors_name_the_line_and_key() {
    let bad_encoding = config_with(&fixture("customers.csv"))
        .replace("encoding = \"latin-1\"", "encoding = \"latin-9000\"");
    let sandbox = Sandbox::with_config(&bad_encoding);
    let line = assert_user_error(&sandbox.run(&["config", "check"]));
    assert!(line.contains("unknown encoding \"latin-9000\""), "{line}");
    let line_no = bad_encoding
        .lines()
        .position(|l| l.contains("latin-9000"))
        .unwrap()
        + 1;
    assert!(line.contains(&format!(":{line_no}:")), "{line}");

    let twice =
        config_with(&fixture("customers.csv")).replace("name = \"orders\"", "name = \"customers\"");
    let sandbox = Sandbox::with_config(&twice);
    let line = assert_user_error(&sandbox.run(&["config", "check"]));
    assert!(
        line.contains("source \"customers\" is named twice"),
        "{line}"
    );

    let nothing = config_with(&fixture("customers.csv")).replace(
        "order = \"Order\"\ncustomer_id = \"Customer\"\nemail = \"Email\"\n",
        "created = \"Total\"\n",
    );
    let sandbox = Sandbox::with_config(&nothing);
    let line = assert_user_error(&sandbox.run(&["config", "check"]));
    assert!(line.contains("maps none of columns.email"), "{line}");
}

/// An opt-out from an address two people share is `ambiguous`, but stopping marketing to
/// the address that asked discloses nothing: the reply confirms the stop to that address,
/// with no one's data, and the case cannot be put off by an extension (Art. 21(3)).
#[test]
fn an_optout_from_an_ambiguous_sender_is_answered_without_an_identity_request_and_never_extended() {
    // Even where the clock waits for information, nothing is waited for here.
    let sandbox = Sandbox::with_config(&config_with(&fixture("customers.csv")).replace(
        "trusted_authserv_ids = [\"mx.test.example.test\"]",
        "trusted_authserv_ids = [\"mx.test.example.test\"]\nclock_waits_for_information = true",
    ));
    import(&sandbox);
    let case = case_of(&sandbox, "shared-optout.eml");
    assert_eq!(
        case["identity"]["outcome"], "ambiguous",
        "{}",
        case["identity"]
    );
    let drafts = case["drafts"].as_array().expect("drafts");
    assert_eq!(drafts.len(), 1, "{case}");
    assert_eq!(drafts[0]["purpose"], "reply", "{case}");
    assert_eq!(drafts[0]["recipient"], "perhe.salonen@example.test");
    assert_eq!(drafts[0]["personal_data"], false);
    assert!(
        case["events"]
            .as_array()
            .expect("events")
            .iter()
            .all(|e| e["kind"] != "clock_suspended" && e["kind"] != "confirmation_asked"),
        "{case}"
    );
    let id = case["id"].as_str().expect("an id");
    let output = sandbox.run(&["extend", id, "--reason", "we are busy", "--by", "Sanna"]);
    let message = assert_user_error(&output);
    assert!(
        message.contains(id) && message.contains("never extended"),
        "{message}"
    );
    let case = sandbox.json(&["show", id]);
    assert!(
        case["events"]
            .as_array()
            .expect("events")
            .iter()
            .all(|e| e["kind"] != "extended"),
        "{case}"
    );
}

/// `rightsbot verify`: staff confirmed who asks (a call to the number on file); the case
/// answers to the address on file, its clock resumes with the days already run, and the
/// reply is drafted again, to that address only.
#[test]
fn a_verification_staff_record_makes_the_case_verified_and_redrafts_it() {
    let config = config_with(&fixture("customers.csv")).replace(
        "trusted_authserv_ids = [\"mx.test.example.test\"]",
        "trusted_authserv_ids = [\"mx.test.example.test\"]\nclock_waits_for_information = true",
    );
    let sandbox = Sandbox::with_config(&config);
    import(&sandbox);
    sandbox.ok(&[
        "--now",
        "2026-11-02T12:00:00+02:00",
        "ingest",
        &mail("phone.eml"),
    ]);
    let output = sandbox.run(&["verify", "DSR-2026-0001", "--by", "Sanna", "--note", " "]);
    assert!(assert_user_error(&output).contains("--note"));
    let out = sandbox.ok(&[
        "--now",
        "2026-11-09T12:00:00+02:00",
        "verify",
        "DSR-2026-0001",
        "--by",
        "Sanna",
        "--note",
        "called the number on file",
    ]);
    assert!(out.contains("verified by Sanna"), "{out}");
    let case = sandbox.json(&[
        "--now",
        "2026-11-09T12:00:00+02:00",
        "show",
        "DSR-2026-0001",
    ]);
    assert_eq!(
        case["identity"]["outcome"], "verified",
        "{}",
        case["identity"]
    );
    assert_eq!(case["clock"], "running");
    // 2 December moved by the 7 days waited: Wednesday 9 December.
    assert_eq!(case["deadline"], "2026-12-09", "{case}");
    let drafts = case["drafts"].as_array().unwrap();
    let last = drafts.last().unwrap();
    assert_eq!(last["purpose"], "reply", "{case}");
    assert_eq!(last["personal_data"], true);
    assert_ne!(last["recipient"], "maija.uusi@webmail.example.test");
    assert!(
        case["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "verified" && e["actor"] == "Sanna"),
        "{case}"
    );
    // The details of a shared address point to no one address: nothing to verify.
    let shared = case_of(&sandbox, "shared.eml");
    let id = shared["id"].as_str().unwrap();
    let output = sandbox.run(&["verify", id, "--by", "Sanna", "--note", "called"]);
    let message = assert_user_error(&output);
    assert!(
        message.contains(id) && message.contains("ambiguous"),
        "{message}"
    );
}

/// The details of phone.eml (a phone number on file) match Maija Virtanen, whose address
/// on file is not the sender's. Her address on file is asked to confirm (no personal data,
/// no approval); the sender gets the not-found text; her authenticated "yes" verifies the
/// case, and the reply is drafted again, to her address on file only.
#[test]
fn a_needs_verification_case_asks_the_address_on_file_and_its_yes_verifies_the_case() {
    let sandbox = sandbox();
    import(&sandbox);
    sandbox.ok(&[
        "--now",
        "2026-11-02T12:00:00+02:00",
        "ingest",
        &mail("phone.eml"),
    ]);
    let outbox = sandbox.path().join("outbox");
    let confirmation = fs::read_dir(&outbox)
        .expect("an outbox")
        .map(|e| e.expect("an entry").path())
        .find(|p| p.to_string_lossy().contains("confirm-DSR-2026-0001"))
        .expect("a request for confirmation in the outbox");
    let text = fs::read_to_string(&confirmation).expect("the confirmation");
    assert!(text.contains("To: maija.virtanen@example.test"), "{text}");
    for personal in ["Maija", "Virtanen", "451234567", "Kotikatu", "maija.uusi"] {
        assert!(
            !text
                .split("\r\n\r\n")
                .skip(1)
                .collect::<String>()
                .contains(personal),
            "{personal} in {text}"
        );
    }
    let token = text
        .split("rightsbot-confirm:")
        .nth(1)
        .map(|rest| rest[..32].to_string())
        .expect("a token in the subject");
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert!(
        case["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "confirmation_asked"),
        "{case}"
    );
    // The sender's reply says nothing of Maija.
    assert_eq!(case["drafts"][0]["purpose"], "identity_needed", "{case}");

    // A stranger answering with the token confirms nothing.
    let answer = |from: &str, authenticated: bool, body: &str, id: &str| {
        let auth = if authenticated {
            "Authentication-Results: mx.test.example.test; spf=pass smtp.mailfrom=example.test; dkim=pass header.d=example.test header.s=s1; dmarc=pass (p=reject) header.from=example.test\r\n"
        } else {
            ""
        };
        let path = sandbox.path().join(format!("{id}.eml"));
        fs::write(
            &path,
            format!(
                "{auth}From: <{from}>\r\nTo: tietosuoja@kestokauppa.example.test\r\n\
                 Subject: Re: Vahvistakaa tietosuojapyyntö [DSR-2026-0001] rightsbot-confirm:{token}\r\n\
                 Date: Tue, 03 Nov 2026 09:00:00 +0200\r\nMessage-ID: <{id}@example.test>\r\n\
                 MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            ),
        )
        .expect("write the answer");
        path.display().to_string()
    };
    sandbox.ok(&[
        "--now",
        "2026-11-03T09:00:00+02:00",
        "ingest",
        &answer("maija.uusi@webmail.example.test", true, "KYLLÄ", "stranger"),
    ]);
    sandbox.ok(&[
        "--now",
        "2026-11-03T09:00:00+02:00",
        "ingest",
        &answer("maija.virtanen@example.test", false, "KYLLÄ", "forged"),
    ]);
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(case["identity"]["outcome"], "needs_verification");
    let refused: Vec<_> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "confirmation_refused")
        .map(|e| e["details"]["why"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(refused.len(), 2, "{case}");
    assert!(refused[0].contains("address on file"), "{refused:?}");
    assert!(refused[1].contains("authenticate"), "{refused:?}");

    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &answer(
            "maija.virtanen@example.test",
            true,
            "Kyllä, pyyntö on minun.",
            "yes",
        ),
    ]);
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(
        case["identity"]["outcome"], "verified",
        "{}",
        case["identity"]
    );
    let last = case["drafts"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["purpose"], "reply", "{case}");
    assert_eq!(last["recipient"], "maija.virtanen@example.test");
    assert_eq!(last["personal_data"], true);
    // The answer is no request of its own.
    assert_eq!(sandbox.json(&["cases"]).as_array().unwrap().len(), 1);
}

/// The address on file is compared as the register compares addresses: where the config
/// says a domain ignores dots, the request for confirmation still goes to the address as
/// it is on file, and an answer from it counts.
#[test]
fn a_confirmation_goes_to_the_address_as_on_file_and_its_answer_counts_however_dotted() {
    let config = config_with(&fixture("customers.csv")).replacen(
        "[[register.sources]]",
        "[register]\ndotless_domains = [\"example.test\"]\n\n[[register.sources]]",
        1,
    );
    let sandbox = Sandbox::with_config(&config);
    import(&sandbox);
    sandbox.ok(&[
        "--now",
        "2026-11-02T12:00:00+02:00",
        "ingest",
        &mail("phone.eml"),
    ]);
    let confirmation = fs::read_dir(sandbox.path().join("outbox"))
        .expect("an outbox")
        .map(|e| e.expect("an entry").path())
        .find(|p| p.to_string_lossy().contains("confirm-DSR-2026-0001"))
        .expect("a request for confirmation in the outbox");
    let text = fs::read_to_string(&confirmation).expect("the confirmation");
    assert!(text.contains("To: maija.virtanen@example.test"), "{text}");
    let token = text
        .split("rightsbot-confirm:")
        .nth(1)
        .map(|rest| rest[..32].to_string())
        .expect("a token in the subject");
    let path = sandbox.path().join("yes.eml");
    fs::write(
        &path,
        format!(
            "Authentication-Results: mx.test.example.test; spf=pass smtp.mailfrom=example.test; dkim=pass header.d=example.test header.s=s1; dmarc=pass (p=reject) header.from=example.test\r\n\
             From: <Maija.Virtanen@example.test>\r\nTo: tietosuoja@kestokauppa.example.test\r\n\
             Subject: Re: Vahvistakaa tietosuojapyyntö [DSR-2026-0001] rightsbot-confirm:{token}\r\n\
             Date: Tue, 03 Nov 2026 09:00:00 +0200\r\nMessage-ID: <yes@example.test>\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKyllä\r\n"
        ),
    )
    .expect("write the answer");
    sandbox.ok(&[
        "--now",
        "2026-11-03T09:00:00+02:00",
        "ingest",
        &path.display().to_string(),
    ]);
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(
        case["identity"]["outcome"], "verified",
        "{}",
        case["events"]
    );
}
