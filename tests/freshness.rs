//! Issue 15, fresh data, through the command line: a case whose register sources were
//! imported before its request is flagged to staff, and the access copy dates each
//! source's data.

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

    // Fresh exports imported: the flag is gone.
    sandbox.ok(&["--now", NOW, "register", "import"]);
    assert!(queued(&sandbox, PEKKA)["data_warning"].is_null());
    assert!(sandbox.json(&["--now", NOW, "show", PEKKA])["stale_sources"] == serde_json::json!([]));
}
