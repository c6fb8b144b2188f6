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

#[test]
fn the_clock_query_names_the_clock_events_as_they_are_stored() {
    use crate::vocabulary::EventKind;
    let sql = suspended_clock_sql!();
    for kind in [EventKind::ClockSuspended, EventKind::ClockResumed] {
        assert!(sql.contains(&format!("'{}'", kind.as_str())), "{kind:?}");
    }
}

/// A store with one case and one pending draft (`D1`) in an open batch, for the tests of
/// what the triggers refuse.
fn with_a_draft(store: &mut Store) -> (Batch<'_>, crate::ids::DraftId) {
    let batch = store.begin().unwrap();
    let case = batch
        .open_case(
            &NewCase {
                year: 2026,
                state: CaseState::Open,
                received_at: now(),
                requester: Some("a@example.test"),
                requester_name: None,
                subject: "x",
                deadline: jiff::civil::date(2026, 12, 2),
                kinds: &[],
                language: None,
            },
            now(),
        )
        .unwrap();
    let composed = crate::vocabulary::Composed {
        purpose: crate::vocabulary::Purpose::Reply,
        language: crate::lang::Lang::En,
        recipient: Some("a@example.test".to_string()),
        recipient_note: "on file".to_string(),
        subject: "Your request".to_string(),
        body: "Hello.".to_string(),
        attachments: Vec::new(),
        personal_data: true,
        refusal: false,
        claims: None,
    };
    let draft = batch
        .insert_draft(&NewDraft {
            case,
            replaces: None,
            composed: &composed,
            in_reply_to: None,
            references: &[],
            actor: "rightsbot",
            now: now(),
        })
        .unwrap();
    (batch, draft)
}

/// The message SQLite's RAISE gave, for a write a trigger must refuse.
fn refused(batch: &Batch<'_>, sql: &str) -> String {
    match batch.tx.execute(sql, []) {
        Ok(rows) => panic!("{sql}: the store allowed it ({rows} rows)"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn a_draft_text_is_never_rewritten() {
    let (_dir, mut store) = temp_store();
    let (batch, _) = with_a_draft(&mut store);
    for column in [
        "case_id = 2",
        "replaces = 1",
        "purpose = 'not_found'",
        "language = 'fi'",
        "recipient = 'b@example.test'",
        "recipient_note = 'x'",
        "subject = 'other'",
        "body = 'other'",
        "attachments = '[]'",
        "personal_data = 0",
        "refusal = 1",
        "in_reply_to = '<x@example.test>'",
        "references_ids = '[]'",
        "created_at = '2020-01-01T00:00:00Z'",
        "created_by = 'someone'",
    ] {
        let message = refused(&batch, &format!("UPDATE drafts SET {column} WHERE id = 1"));
        assert!(
            message.contains("a draft is never rewritten"),
            "{column}: {message}"
        );
    }
    // What may change, changes: its state.
    batch
        .set_draft_state(
            crate::ids::DraftId(1),
            DraftState::Rejected,
            now(),
            "Sanna",
            Some("tone"),
        )
        .unwrap();
}

#[test]
fn a_decided_draft_never_returns_to_pending() {
    let (_dir, mut store) = temp_store();
    let (batch, draft) = with_a_draft(&mut store);
    batch
        .set_draft_state(draft, DraftState::Approved, now(), "Sanna", None)
        .unwrap();
    let message = refused(&batch, "UPDATE drafts SET state = 'pending' WHERE id = 1");
    assert!(message.contains("never returns to pending"), "{message}");
    // Through the store's own function too: refused, with SQLite's reason as the cause.
    let err = batch
        .set_draft_state(draft, DraftState::Pending, now(), "Sanna", None)
        .unwrap_err();
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    assert!(
        cause.is_some_and(|c| c.contains("never returns to pending")),
        "{err:?}"
    );
}

#[test]
fn an_approved_draft_keeps_its_message_id_and_its_seal() {
    let (_dir, mut store) = temp_store();
    let (batch, draft) = with_a_draft(&mut store);
    batch
        .set_draft_message_id(draft, "<one@example.test>", "seal-1")
        .unwrap();
    let message = refused(
        &batch,
        "UPDATE drafts SET message_id = '<two@example.test>' WHERE id = 1",
    );
    assert!(message.contains("keeps its Message-ID"), "{message}");
    let message = refused(&batch, "UPDATE drafts SET seal = 'seal-2' WHERE id = 1");
    assert!(message.contains("keeps its seal"), "{message}");
    let message = refused(&batch, "UPDATE drafts SET message_id = NULL WHERE id = 1");
    assert!(message.contains("keeps its Message-ID"), "{message}");
}

#[test]
fn queued_mail_is_never_rewritten() {
    let (_dir, mut store) = temp_store();
    let (batch, _) = with_a_draft(&mut store);
    batch
        .queue_mail(
            &NewMail {
                kind: MailKind::Review,
                case: None,
                recipient: "staff@example.test",
                message_id: "<review@example.test>",
                seal: "seal",
                bytes: b"Subject: review\r\n\r\nbody\r\n",
                outbox_file: None,
            },
            now(),
        )
        .unwrap();
    for column in [
        "kind = 'digest'",
        "case_id = 1",
        "recipient = 'other@example.test'",
        "message_id = '<other@example.test>'",
        "seal = 'other'",
        "bytes = x'00'",
        "created_at = '2020-01-01T00:00:00Z'",
    ] {
        let message = refused(&batch, &format!("UPDATE outgoing_mail SET {column}"));
        assert!(
            message.contains("queued mail is never rewritten"),
            "{column}: {message}"
        );
    }
}

/// A cached statement is compiled once: SQLite would otherwise re-plan every statement
/// with `column = ?` each time rusqlite returns it to the cache (issue 14's ingest
/// regression: a fifth of its time went to compiling the same queries again).
#[test]
fn a_cached_statement_is_not_compiled_again_on_each_use() {
    fn reprepares(conn: &Connection) -> i32 {
        let mut statement = conn
            .prepare_cached(
                "SELECT COUNT(*) FROM events e JOIN cases c ON e.case_id = c.id
                 WHERE c.year = ?1 AND c.seq = ?2 AND e.kind = ?3",
            )
            .unwrap();
        statement
            .query_row(rusqlite::params![2026, 7, "opened"], |r| r.get::<_, i64>(0))
            .unwrap();
        statement.get_status(rusqlite::StatementStatus::RePrepare)
    }
    for read_only in [false, true] {
        let (dir, store) = temp_store();
        let store = if read_only {
            drop(store);
            Store::open_read_only(
                &dir.path().join("db/rightsbot.db"),
                &StoreOptions::default(),
            )
            .unwrap()
        } else {
            store
        };
        for _ in 0..5 {
            reprepares(&store.conn);
        }
        assert_eq!(reprepares(&store.conn), 0, "read only: {read_only}");
    }
}

/// One case and the message it began with, in the first schema's columns (every later
/// schema takes them): its events are each test's own.
const AINO: &str = "INSERT INTO cases (id, year, seq, state, received_at, requester, requester_name, subject, deadline, opened_at)
     VALUES (1, 2026, 7, 'open', '2026-03-02T08:00:00Z', 'aino@example.test', 'Aino', 'Tietopyyntö', '2026-04-02', '2026-03-02T08:01:00Z');
     INSERT INTO messages (id, raw_sha256, message_id, raw, size, origin, received_at, received_from, stored_at, from_address, subject, case_id)
     VALUES (1, x'00', 'one@example.test', x'41', 1, 'file', '2026-03-02T08:00:00Z', 'received', '2026-03-02T08:01:00Z', 'aino@example.test', 'Tietopyyntö', 1);";

/// A store left at each older schema, holding a case written in the first schema's shape,
/// opens with this build: every later migration runs over existing rows, the case reads
/// back, and `check` finds the triggers as an empty store gets them.
#[test]
fn a_store_at_each_older_schema_migrates_forward_with_its_rows() {
    for version in 1..schema::LATEST {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, &path, 1).unwrap();
        conn.execute_batch(&format!(
            "{AINO}
             INSERT INTO events (case_id, at, actor, kind, details)
             VALUES (1, '2026-03-02T08:01:00Z', 'rightsbot', 'received', '{{}}'),
                    (1, '2026-03-02T08:01:00Z', 'rightsbot', 'deadline_set', '{{}}');"
        ))
        .unwrap();
        schema::migrate_to(&mut conn, &path, version).unwrap();
        let found: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(found, version);
        drop(conn);

        let store = Store::open(&path, &StoreOptions::default())
            .unwrap_or_else(|err| panic!("schema {version}: {err}"));
        assert_eq!(store.schema_version().unwrap(), schema::LATEST);
        let cases = store.cases().unwrap();
        assert_eq!(cases.len(), 1, "schema {version}");
        assert_eq!(cases[0].id, "DSR-2026-0007");
        assert_eq!(store.totals().unwrap().messages, 1);
        let checked = store.check().unwrap();
        assert_eq!(checked.problems, Vec::new(), "schema {version}");
        assert_eq!((checked.cases, checked.events), (1, 2));
    }
}

/// Two writers may commit to one case in the opposite order of their clocks by a moment (a
/// command stamps its events when it starts, the daemon commits meanwhile): `check` takes
/// that as the healthy store it is, but still reports a trail that runs back further.
#[test]
fn check_allows_two_writers_clocks_a_moment_apart_but_not_a_trail_running_back() {
    for (third, problems) in [
        // 20 s before the latest event (the second), 5 s after the first.
        ("2026-03-02T08:01:40Z", 0),
        // Ten minutes back: not two clocks overlapping.
        ("2026-03-02T07:52:00Z", 1),
    ] {
        let (_dir, store) = temp_store();
        store
            .conn
            .execute_batch(&format!(
                "{AINO}
                 INSERT INTO events (case_id, at, actor, kind, details)
                 VALUES (1, '2026-03-02T08:01:35Z', 'rightsbot', 'received', '{{}}'),
                        (1, '2026-03-02T08:02:00Z', 'rightsbot', 'deadline_set', '{{}}'),
                        (1, '{third}', 'Sanna', 'reclassified', '{{}}');"
            ))
            .unwrap();
        let checked = store.check().unwrap();
        assert_eq!(checked.events, 3, "{third}");
        assert_eq!(
            checked.problems.len(),
            problems,
            "{third}: {:?}",
            checked.problems
        );
    }
}

/// A backup finishes while another connection keeps committing, and the copy is whole: the
/// writes restart the step-by-step copy, and after a few restarts the rest goes in one
/// read snapshot instead of chasing the writer for ever.
#[test]
fn a_backup_finishes_while_another_connection_keeps_writing() {
    use std::sync::atomic::{AtomicBool, Ordering};

    let (dir, store) = temp_store();
    let path = dir.path().join("db/rightsbot.db");
    let filler = "x".repeat(3000);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        // About 2 MB, so the copy takes several steps.
        for i in 0..700 {
            conn.execute(
                "INSERT INTO quarantine (at, origin, reason) VALUES ('2026-11-02T08:00:00Z', ?1, 'filler')",
                [format!("{i}{filler}")],
            )
            .unwrap();
        }
    }
    let stop = AtomicBool::new(false);
    let target = dir.path().join("copy.db");
    let backed_up = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.busy_timeout(Duration::from_secs(5)).unwrap();
            let mut written = 0;
            while !stop.load(Ordering::Relaxed) {
                conn.execute(
                    "INSERT INTO quarantine (at, origin, reason) VALUES ('2026-11-02T08:00:00Z', ?1, 'written meanwhile')",
                    [format!("w{written}")],
                )
                .unwrap();
                written += 1;
            }
            written
        });
        let backed_up = store.back_up_to(&target, false, Duration::from_secs(30));
        stop.store(true, Ordering::Relaxed);
        assert!(writer.join().unwrap() > 0);
        backed_up
    })
    .unwrap();
    assert_eq!(backed_up.path, target);
    // However busy the writer, the copy stops chasing it after a few restarts.
    assert!(backed_up.restarts <= 4, "{}", backed_up.restarts);
    let copy = Store::open(&target, &StoreOptions::default()).unwrap();
    let copied = copy.totals().unwrap().quarantined;
    assert!(copied >= 700, "{copied}");
    assert_eq!(copy.check().unwrap().problems, Vec::new());
    // Never over an existing file without being told to.
    let again = store.back_up_to(&target, false, Duration::from_secs(30));
    assert!(
        matches!(again, Err(BackupError::Exists { .. })),
        "{again:?}"
    );
    assert!(
        store
            .back_up_to(&target, true, Duration::from_secs(30))
            .is_ok()
    );
}
