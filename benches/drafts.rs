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
    queue();
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
