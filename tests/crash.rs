//! Nothing lost, nothing twice: kill -9 in the middle of an ingest, run it again, and every
//! message is stored exactly once, every case whole.

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::Sandbox;
use support::corpus::generate_maildir;

#[test]
fn kill_during_ingest_then_rerun_leaves_one_copy_of_everything() {
    let sandbox = Sandbox::new();
    let maildir = sandbox.path().join("maildir");
    let expected = generate_maildir(&maildir, 3000, 7);
    let maildir_arg = maildir.display().to_string();

    // Kill at two different points: the second run resumes where the first was cut.
    for wait_for_messages in [200, 1200] {
        let mut child = sandbox
            .command(&["ingest", &maildir_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            if stored_messages(&sandbox) >= wait_for_messages
                || started.elapsed() > Duration::from_secs(60)
            {
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL: no chance to clean up
        child.wait().unwrap();
    }
    let before = stored_messages(&sandbox);
    assert!(
        before > 0 && before < expected.messages as i64,
        "the kills landed mid-ingest ({before} stored)"
    );

    let rerun = sandbox.json(&["ingest", &maildir_arg]);
    assert_eq!(rerun["seen"], expected.messages);
    assert_eq!(
        rerun["new"].as_i64().unwrap() + rerun["duplicates"].as_i64().unwrap(),
        expected.messages as i64
    );
    assert_eq!(rerun["duplicates"].as_i64().unwrap(), before);

    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(
        count("SELECT COUNT(*) FROM messages"),
        expected.messages as i64
    );
    assert_eq!(
        count("SELECT COUNT(DISTINCT message_id) FROM messages"),
        expected.messages as i64
    );
    assert_eq!(count("SELECT COUNT(*) FROM cases"), expected.opened as i64);
    assert_eq!(
        count("SELECT COUNT(*) FROM messages WHERE automated IS NOT NULL"),
        expected.automated as i64
    );
    // Every case whole: numbered without gaps, with its first message and both opening events.
    assert_eq!(count("SELECT MAX(seq) FROM cases"), expected.opened as i64);
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.case_id = c.id)"
        ),
        0
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM events WHERE kind = 'received'"),
        expected.opened as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM events WHERE kind = 'deadline_set'"),
        expected.opened as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM events WHERE kind = 'joined'"),
        expected.joined as i64
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM messages WHERE automated IS NULL AND case_id IS NULL"),
        0,
        "every human message belongs to a case"
    );

    // And once more: nothing new at all.
    let again = sandbox.json(&["ingest", &maildir_arg]);
    assert_eq!(again["new"], 0);
    assert_eq!(again["duplicates"], expected.messages);
}

fn stored_messages(sandbox: &Sandbox) -> i64 {
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        sandbox.db(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return 0;
    };
    conn.query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .unwrap_or(0)
}

/// A register import killed halfway leaves the previous snapshot whole, and the next import
/// replaces it cleanly.
#[test]
fn kill_during_register_import_keeps_the_previous_snapshot() {
    let csv = |rows: usize| {
        let mut text = String::from("Id,Email\n");
        for i in 0..rows {
            text.push_str(&format!("{i},person{i}@example.test\n"));
        }
        text
    };
    let config = format!(
        "{}\n[[register.sources]]\nname = \"customers\"\nfile = \"customers.csv\"\n[register.sources.columns]\ncustomer_id = \"Id\"\nemail = \"Email\"\n",
        support::CONFIG
    );
    let sandbox = Sandbox::with_config(&config);
    let file = sandbox.path().join("customers.csv");
    std::fs::write(&file, csv(3)).unwrap();
    sandbox.ok(&["register", "import"]);
    let held = || -> i64 {
        let out = sandbox.json(&["register", "sources"]);
        out["entries"].as_i64().unwrap()
    };
    assert_eq!(held(), 3);

    std::fs::write(&file, csv(400_000)).unwrap();
    let mut child = sandbox
        .command(&["register", "import"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import's transaction has written a good part of the new snapshot.
    let wal = sandbox.path().join("rightsbot.db-wal");
    let started = Instant::now();
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 4 << 20
        && started.elapsed() < Duration::from_secs(60)
        && child.try_wait().unwrap().is_none()
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import ended before it could be killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(held(), 3, "the previous snapshot, whole");

    std::fs::write(&file, csv(10)).unwrap();
    sandbox.ok(&["register", "import"]);
    assert_eq!(held(), 10);
}
