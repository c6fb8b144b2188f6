//! Drafting speed: rendering one reply, and `queue --json` over ten thousand open cases.
//!
//! Targets (issue 6): rendering a draft < 1 ms; `queue --json` < 100 ms with 10,000 open
//! cases. Run with `cargo bench --bench drafts`; `RIGHTSBOT_BENCH_MESSAGES` changes how
//! many mails are generated for the queue. The figures are printed, not asserted.

#[path = "../tests/support/corpus.rs"]
mod corpus;

use std::process::Command;
use std::time::{Duration, Instant};

use rightsbot::classify::RequestKind;
use rightsbot::config::Config;
use rightsbot::draft::{CaseFacts, IdentityFacts, Purpose, Templates, compose};
use rightsbot::ids::CaseId;
use rightsbot::lang::Lang;
use rightsbot::matching::{IdentityAction, IdentityOutcome};
use rightsbot::register::Entry;

fn main() {
    render();
    actions_and_draft();
    queue();
}

/// Issue 15: deriving the actions and drafting the reply for a case with 50 matched
/// entries across the example's 4 sources (target < 5 ms).
fn actions_and_draft() {
    use rightsbot::store::ActionRecord;
    use rightsbot::vocabulary::{ActionKind, ActionNumber, ActionState};
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(repo.join("config.example.toml")).expect("example config");
    let config =
        Config::parse(&text, &repo.join("config.example.toml"), &repo).expect("example config");
    let templates = Templates::new(None);
    let sources = ["webshop_customers", "orders", "newsletter", "shipping"];
    let entries: Vec<Entry> = (0..50)
        .map(|i| {
            let source = match i {
                0 => sources[0],
                1 => sources[2],
                i if i % 2 == 0 => sources[1],
                _ => sources[3],
            };
            Entry {
                id: i,
                source: source.to_string(),
                line: i as u64 + 2,
                email: Some("aino@example.test".to_string()),
                email_key: Some("aino@example.test".to_string()),
                name: Some("Aino Aaltonen".to_string()),
                customer_id: Some("10042".to_string()),
                order: Some(format!("{}", 20_000 + i)),
                created: Some(format!("20{:02}-0{}-15", 20 + i % 6, 1 + i % 9)),
                other: vec![("Summa".to_string(), "49,90".to_string())],
                ..Entry::default()
            }
        })
        .collect();
    let kinds = [
        RequestKind::Access,
        RequestKind::Erasure,
        RequestKind::DirectMarketingOptout,
    ];
    let identity = IdentityFacts {
        outcome: IdentityOutcome::Verified,
        action: IdentityAction::Reply,
        clock_waits: false,
        reply_to_on_file: Some("aino@example.test"),
        entries: &entries,
    };
    let mut times = Vec::new();
    let mut count = 0;
    for i in 0..500u32 {
        let started = Instant::now();
        let planned = rightsbot::actions::derive(
            &rightsbot::actions::Request {
                kinds: &kinds,
                sender: Some("aino@example.test"),
                entries: &entries,
                today: jiff::civil::date(2026, 12, 4),
                documents: &[],
            },
            &config.register,
        );
        let actions: Vec<ActionRecord> = planned
            .into_iter()
            .enumerate()
            .map(|(n, p)| ActionRecord {
                case: "DSR-2026-0042".to_string(),
                case_id: CaseId {
                    year: 2026,
                    seq: 42,
                },
                number: ActionNumber(n as u32 + 1),
                state: if p.kind == ActionKind::Suppress {
                    ActionState::Done
                } else {
                    ActionState::Open
                },
                kind: p.kind,
                source: p.source,
                target: p.target,
                until: p.until,
                entries: p.entries,
                records: p.records,
                owner: p.owner,
                why: p.why,
                reason: None,
                note: None,
                decided_by: None,
                decided_at: None,
                created_at: jiff::Timestamp::UNIX_EPOCH,
            })
            .collect();
        let case = CaseFacts {
            id: CaseId {
                year: 2026,
                seq: i + 1,
            },
            kinds: &kinds,
            language: Lang::ALL[i as usize % 3],
            received: jiff::civil::date(2026, 11, 30),
            deadline: jiff::civil::date(2026, 12, 30),
            subject: "Pyyntö",
            sender: Some("aino@example.test"),
            actions: &actions,
            commit_by: jiff::civil::date(2026, 12, 30),
            data_as_of: &rightsbot::draft::UNDATED,
        };
        let composed =
            compose(Purpose::Reply, &case, &identity, None, &config, &templates).expect("renders");
        times.push(started.elapsed());
        count = actions.len();
        assert!(composed.body.len() > 1000);
    }
    times.sort();
    println!(
        "derive the actions ({count}) and draft the reply for 50 entries in 4 sources: p50 {:.3} ms, p99 {:.3} ms (max {:.3} ms)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 99 / 100]),
        ms(times[times.len() - 1]),
    );
}

fn render() {
    let repo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(repo.join("tests/fixtures/drafts/rightsbot.toml"))
        .expect("the fixture config");
    let config = Config::parse(&text, &repo.join("rightsbot.toml"), &repo).expect("config");
    let templates = Templates::new(None);
    let entries: Vec<Entry> = (0..6)
        .map(|i| Entry {
            id: i,
            source: if i == 0 { "customers" } else { "orders" }.to_string(),
            line: i as u64 + 2,
            email: Some("aino@example.test".to_string()),
            email_key: Some("aino@example.test".to_string()),
            name: Some("Aino Aaltonen".to_string()),
            order: Some(format!("2099{i}")),
            other: vec![("Summa".to_string(), "49,90".to_string())],
            ..Entry::default()
        })
        .collect();
    let kinds = [
        RequestKind::Access,
        RequestKind::Erasure,
        RequestKind::DirectMarketingOptout,
    ];
    let identity = IdentityFacts {
        outcome: IdentityOutcome::Verified,
        action: IdentityAction::Reply,
        clock_waits: false,
        reply_to_on_file: Some("aino@example.test"),
        entries: &entries,
    };
    let mut times = Vec::new();
    for i in 0..2000 {
        let case = CaseFacts {
            id: CaseId {
                year: 2026,
                seq: i + 1,
            },
            kinds: &kinds,
            language: Lang::ALL[i as usize % 3],
            received: jiff::civil::date(2026, 4, 9),
            deadline: jiff::civil::date(2026, 5, 11),
            subject: "Pyyntö",
            sender: Some("aino@example.test"),
            actions: &[],
            commit_by: jiff::civil::date(2026, 5, 11),
            data_as_of: &rightsbot::draft::UNDATED,
        };
        let started = Instant::now();
        let composed =
            compose(Purpose::Reply, &case, &identity, None, &config, &templates).expect("renders");
        times.push(started.elapsed());
        assert!(composed.body.len() > 1000);
    }
    times.sort();
    println!(
        "render a combined reply (access + erasure + opt-out, 6 entries): p50 {:.3} ms, p99 {:.3} ms (max {:.3} ms)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 99 / 100]),
        ms(times[times.len() - 1]),
    );
}

fn queue() {
    let count: usize = std::env::var("RIGHTSBOT_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(11_200);
    let dir = tempfile::tempdir().expect("temp dir");
    let maildir = dir.path().join("maildir");
    corpus::generate_maildir(&maildir, count, 11);
    let config = dir.path().join("rightsbot.toml");
    std::fs::write(
        &config,
        "[controller]\nname = \"Bench Oy\"\nbusiness_id = \"1234567-1\"\nprivacy_address = \"p@example.test\"\n\
         [store]\npath = \"bench.db\"\n",
    )
    .expect("write config");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_rightsbot"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .expect("run rightsbot");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let started = Instant::now();
    run(&["--json", "ingest", &maildir.display().to_string()]);
    let ingest = started.elapsed();
    let mut times = Vec::new();
    let mut lines = 0;
    for _ in 0..7 {
        let started = Instant::now();
        let out = run(&["--json", "queue"]);
        times.push(started.elapsed());
        lines = out.iter().filter(|&&b| b == b'\n').count();
    }
    times.sort();
    println!(
        "queue --json with {lines} drafts waiting ({count} mails ingested and drafted in {:.2?}): median {:.1} ms, best {:.1} ms (whole process)",
        ingest,
        ms(times[times.len() / 2]),
        ms(times[0]),
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
