use jiff::Timestamp;

use super::*;
use crate::vocabulary::CaseState;

fn now() -> Timestamp {
    "2026-11-02T08:00:00Z".parse().unwrap()
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &dir.path().join("db/rightsbot.db"),
        &StoreOptions::default(),
    )
    .unwrap();
    (dir, store)
}

#[test]
fn migrates_an_empty_database_and_reopens() {
    let (dir, store) = temp_store();
    let version: i64 = store
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::LATEST);
    drop(store);
    let again = Store::open(
        &dir.path().join("db/rightsbot.db"),
        &StoreOptions::default(),
    )
    .unwrap();
    assert_eq!(again.totals().unwrap(), Totals::default());
}

#[test]
fn refuses_a_newer_schema() {
    let (dir, store) = temp_store();
    store.conn.pragma_update(None, "user_version", 99).unwrap();
    drop(store);
    let err = Store::open(
        &dir.path().join("db/rightsbot.db"),
        &StoreOptions::default(),
    )
    .err()
    .unwrap();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
}

#[test]
fn a_second_writer_gets_locked_not_a_panic() {
    let (dir, mut first) = temp_store();
    let options = StoreOptions {
        busy_timeout: Duration::from_millis(50),
    };
    let mut second = Store::open(&dir.path().join("db/rightsbot.db"), &options).unwrap();
    let _held = first.begin().unwrap();
    let err = second.begin().err().unwrap();
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");
    assert!(
        err.to_string().ends_with("is locked by another process"),
        "{err}"
    );
}

#[test]
fn cases_are_numbered_per_year() {
    let (_dir, mut store) = temp_store();
    let batch = store.begin().unwrap();
    let new_case = |year| NewCase {
        year,
        state: CaseState::Triage,
        received_at: now(),
        requester: Some("a@example.test"),
        requester_name: None,
        subject: "x",
        deadline: jiff::civil::date(2026, 12, 2),
        kinds: &[],
        language: None,
    };
    assert_eq!(
        batch.open_case(&new_case(2026), now()).unwrap().to_string(),
        "DSR-2026-0001"
    );
    assert_eq!(
        batch.open_case(&new_case(2026), now()).unwrap().to_string(),
        "DSR-2026-0002"
    );
    assert_eq!(
        batch.open_case(&new_case(2027), now()).unwrap().to_string(),
        "DSR-2027-0001"
    );
    batch.commit().unwrap();
    let ids: Vec<String> = store.cases().unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(ids, ["DSR-2026-0001", "DSR-2026-0002", "DSR-2027-0001"]);
}

#[test]
fn an_uncommitted_batch_leaves_nothing() {
    let (_dir, mut store) = temp_store();
    {
        let batch = store.begin().unwrap();
        batch
            .quarantine("somewhere", "a reason", None, now())
            .unwrap();
        // Dropped without commit, as when the process dies mid-batch.
    }
    assert_eq!(store.totals().unwrap().quarantined, 0);
}

#[test]
fn quarantining_twice_keeps_one_entry() {
    let (_dir, mut store) = temp_store();
    let batch = store.begin().unwrap();
    batch
        .quarantine("file.eml", "cannot read", None, now())
        .unwrap();
    batch
        .quarantine("file.eml", "cannot read", None, now())
        .unwrap();
    batch.commit().unwrap();
    assert_eq!(store.quarantine().unwrap().len(), 1);
}

#[test]
fn the_answer_query_counts_the_purposes_that_answer() {
    let sql = answered_at_sql!();
    for purpose in crate::vocabulary::Purpose::ALL {
        assert_eq!(
            sql.contains(&format!("'{}'", purpose.as_str())),
            purpose.answers_request(),
            "{purpose:?}"
        );
    }
}
