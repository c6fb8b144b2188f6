//! Issue 15, fresh data and the clock's deeds, through the command line: a case whose
//! register sources were imported before its request is flagged to staff, the access copy
//! dates each source's data, a kept record whose period ends opens an erasure, and the
//! digest lists open actions per owner.

mod support;

use support::{Sandbox, example_config, repo};

/// The example shop, its register imported on 14 October 2026 and its mailbox ingested:
/// requests from 6 October to 27 November, with digests for staff.
fn shop() -> Sandbox {
    let config = example_config()
        .replace(
            "financial_year_end = \"12-31\"",
            "financial_year_end = \"06-30\"",
        )
        .replace(
            "# staff_address = \"tietosuojatiimi@",
            "staff_address = \"tietosuojatiimi@",
        );
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["--now", IMPORTED, "register", "import"]);
    let mailbox = repo().join("examples/mailbox").display().to_string();
    sandbox.ok(&["--now", IMPORTED, "ingest", &mailbox]);
    sandbox
}

const IMPORTED: &str = "2026-10-14T09:00:00+03:00";
const NOW: &str = "2026-11-30T09:00:00+02:00";

/// Juha asked for access on 7 October, before the import (fi).
const JUHA: &str = "DSR-2026-0002";
/// Sören asked for access on 8 October, before the import (sv).
const SOREN: &str = "DSR-2026-0003";
/// Pekka asked for a correction on 15 October, after the import.
const PEKKA: &str = "DSR-2026-0007";
/// Priya asked to erase her account and to stop the newsletter (on 13 October).
const PRIYA: &str = "DSR-2026-0006";

fn lines(sandbox: &Sandbox, now: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["--json", "--now", now];
    all.extend_from_slice(args);
    sandbox
        .ok(&all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The queue line of the case's draft waiting.
fn queued(sandbox: &Sandbox, case: &str) -> serde_json::Value {
    let queue = lines(sandbox, NOW, &["queue"]);
    queue
        .into_iter()
        .find(|d| d["case"] == case)
        .unwrap_or_else(|| panic!("no draft of {case} waiting"))
}

#[test]
fn a_case_whose_sources_were_imported_before_its_request_is_flagged_to_staff() {
    let sandbox = shop();
    // Each source says when its export was last imported.
    let sources = lines(&sandbox, NOW, &["register", "sources"]);
    assert!(
        sources
            .iter()
            .all(|s| s["imported_at"] == "2026-10-14T06:00:00Z"),
        "{sources:#?}"
    );

    // Pekka wrote after the import: his case, its draft and the queue say so.
    let case = sandbox.json(&["--now", NOW, "show", PEKKA]);
    let warning = case["data_warning"].as_str().expect("a warning");
    assert!(
        warning.starts_with("import fresh exports first: webshop_customers"),
        "{warning}"
    );
    assert!(
        case["stale_sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["source"] == "webshop_customers"
                && s["imported_at"] == "2026-10-14T06:00:00Z"),
        "{case}"
    );
    let text = sandbox.ok(&["--now", NOW, "show", PEKKA]);
    assert!(
        text.contains("register   import fresh exports first: webshop_customers (imported 2026-10-14 09:00, before the request)"),
        "{text}"
    );
    let line = queued(&sandbox, PEKKA);
    assert_eq!(line["data_warning"].as_str(), Some(warning), "{line}");
    let draft = line["draft"].as_str().unwrap().to_string();
    assert_eq!(
        sandbox.json(&["--now", NOW, "show", &draft])["data_warning"].as_str(),
        Some(warning)
    );
    assert!(
        sandbox
            .ok(&["--now", NOW, "show", &draft])
            .contains("import fresh exports first: webshop_customers"),
    );
    assert!(
        sandbox
            .ok(&["--now", NOW, "queue"])
            .contains("        import fresh exports first: webshop_customers"),
    );

    // Juha wrote before it: nothing to say; his access copy dates the data.
    assert!(queued(&sandbox, JUHA)["data_warning"].is_null());
    assert!(sandbox.json(&["--now", NOW, "show", JUHA])["data_warning"].is_null());
    let body = |case: &str| {
        let draft = queued(&sandbox, case)["draft"]
            .as_str()
            .unwrap()
            .to_string();
        sandbox.json(&["--now", NOW, "show", &draft])["body"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        body(JUHA).contains("Tiedot 14.10.2026 tilanteen mukaan:"),
        "{}",
        body(JUHA)
    );
    assert!(
        body(SOREN).contains("Uppgifterna per den 14 oktober 2026:"),
        "{}",
        body(SOREN)
    );

    // The digest lists the flagged cases, once.
    let digest = sandbox.json(&["--now", NOW, "remind"]);
    let file = digest["digest"].as_str().expect("a digest");
    let raw = std::fs::read(file).expect("the digest file");
    let text = rightsbot::parse::parse(&raw).expect("a mail").text;
    assert!(
        text.contains("Rekisteritiedot ovat pyyntöä vanhempia"),
        "{text}"
    );
    assert!(
        text.contains(&format!("- {PEKKA} (saapui 15.10.2026): webshop_customers")),
        "{text}"
    );
    assert!(!text.contains(&format!("- {JUHA} (saapui")), "{text}");
    let again = sandbox.json(&["--now", "2026-11-30T12:00:00+02:00", "remind"]);
    assert!(again["digest"].is_null(), "told once: {again}");

    // Fresh exports imported: the flag is gone.
    sandbox.ok(&["--now", NOW, "register", "import"]);
    assert!(queued(&sandbox, PEKKA)["data_warning"].is_null());
    assert!(sandbox.json(&["--now", NOW, "show", PEKKA])["stale_sources"] == serde_json::json!([]));
}

/// The case's action of `kind` in `source` with `target`, if any.
fn find_action(
    sandbox: &Sandbox,
    now: &str,
    case: &str,
    kind: &str,
    source: &str,
    target: &str,
) -> Option<serde_json::Value> {
    lines(sandbox, now, &["actions", case])
        .into_iter()
        .find(|a| a["kind"] == kind && a["source"] == source && a["target"] == target)
}

#[test]
fn a_kept_record_whose_end_date_passes_opens_an_erasure_once() {
    let sandbox = shop();
    // Priya's order of 26.5.2025 is a voucher of the financial year ending 30.6.2025:
    // kept until 31.12.2031; that of 28.11.2025 until 31.12.2032.
    let keep =
        find_action(&sandbox, NOW, PRIYA, "keep", "orders", "2031-12-31").expect("the kept order");
    sandbox.ok(&[
        "--now",
        NOW,
        "done",
        PRIYA,
        keep["action"].as_str().unwrap(),
        "--by",
        "Sanna",
        "--note",
        "restricted in the books",
    ]);
    // On the last day it is still kept.
    sandbox.ok(&["--now", "2031-12-31T09:00:00+02:00", "remind"]);
    assert!(
        find_action(
            &sandbox,
            NOW,
            PRIYA,
            "erase",
            "orders",
            "kept until 2031-12-31"
        )
        .is_none()
    );

    // The day after, the clock opens its erasure, and the digest lists it.
    let after = "2032-01-02T09:00:00+02:00";
    let digest = sandbox.json(&["--now", after, "remind"]);
    let file = digest["digest"].as_str().expect("a digest");
    let raw = std::fs::read(file).expect("the digest file");
    let text = rightsbot::parse::parse(&raw).expect("a mail").text;
    let erase = find_action(
        &sandbox,
        after,
        PRIYA,
        "erase",
        "orders",
        "kept until 2031-12-31",
    )
    .expect("an erasure opened");
    assert_eq!(erase["state"], "open");
    assert_eq!(erase["owner"], "accounting");
    assert_eq!(erase["records"], serde_json::json!(["order 10259"]));
    assert!(
        text.contains("Säilytettyjen tietojen säilytysaika on päättynyt"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "- {PRIYA} {}: orders, order 10259, säilytettiin 31.12.2031 asti (accounting)",
            erase["action"].as_str().unwrap()
        )),
        "{text}"
    );
    // The record kept until the end of 2032 is not due yet.
    assert!(
        find_action(
            &sandbox,
            after,
            PRIYA,
            "erase",
            "orders",
            "kept until 2032-12-31"
        )
        .is_none()
    );
    let case = sandbox.json(&["--now", after, "show", PRIYA]);
    let ended: Vec<&serde_json::Value> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "keep_ended")
        .collect();
    assert!(
        ended
            .iter()
            .any(|e| e["details"]["until"] == "2031-12-31" && e["details"]["source"] == "orders"),
        "{ended:#?}"
    );

    // Once: the next day opens nothing more, and matching the case again keeps it open.
    let count = |now: &str| {
        lines(&sandbox, now, &["actions", PRIYA])
            .iter()
            .filter(|a| a["target"] == "kept until 2031-12-31")
            .count()
    };
    sandbox.ok(&["--now", "2032-01-05T09:00:00+02:00", "remind"]);
    assert_eq!(count("2032-01-05T09:00:00+02:00"), 2, "orders and shipping");
    sandbox.ok(&["--now", "2032-01-05T10:00:00+02:00", "match", PRIYA]);
    assert_eq!(
        find_action(
            &sandbox,
            "2032-01-05T10:00:00+02:00",
            PRIYA,
            "erase",
            "orders",
            "kept until 2031-12-31"
        )
        .expect("still there")["state"],
        "open"
    );
}

#[test]
fn the_daily_recap_lists_open_actions_by_owner_until_they_are_done() {
    let sandbox = shop();
    // Monday 30 November from 8:00: the day's recap.
    let recap = sandbox.json(&["--now", NOW, "remind"]);
    let groups = recap["recap"]["open_actions"]
        .as_array()
        .expect("open actions");
    let owners: Vec<&str> = groups
        .iter()
        .map(|g| g["owner"].as_str().unwrap_or("(no owner)"))
        .collect();
    // The identity card DSR-2026-0008 sent is the team's to delete: no source owns it.
    assert_eq!(
        owners,
        ["accounting", "customer service", "marketing", "(no owner)"]
    );
    let of = |owner: &str| -> Vec<serde_json::Value> {
        groups.iter().find(|g| g["owner"] == owner).unwrap()["actions"]
            .as_array()
            .unwrap()
            .clone()
    };
    let erase = of("customer service")
        .into_iter()
        .find(|a| a["case"] == PRIYA && a["kind"] == "erase")
        .expect("Priya's account to erase");
    assert_eq!(erase["source"], "webshop_customers");
    let raw = std::fs::read(recap["digest"].as_str().unwrap()).unwrap();
    let text = rightsbot::parse::parse(&raw).expect("a mail").text;
    assert!(
        text.contains("Avoimet toimenpiteet vastuutahoittain"),
        "{text}"
    );
    let number = erase["action"].as_str().unwrap().to_string();
    assert!(
        text.contains(
            "customer service:
- DSR-2026-0001 A1: poista, webshop_customers
"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!("- {PRIYA} {number}: poista, webshop_customers\n")),
        "{text}"
    );
    // Once a day: not again that afternoon.
    assert!(sandbox.json(&["--now", "2026-11-30T15:00:00+02:00", "remind"])["digest"].is_null());

    // Done, it leaves the next day's list.
    sandbox.ok(&["--now", NOW, "done", PRIYA, &number, "--by", "Sanna"]);
    let tuesday = sandbox.json(&["--now", "2026-12-01T09:00:00+02:00", "remind"]);
    let listed = tuesday["recap"]["open_actions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["actions"].as_array().unwrap().clone())
        .any(|a| a["case"] == PRIYA && a["action"] == number.as_str());
    assert!(!listed, "{tuesday}");
}
