//! Ingest throughput and memory: generates a 10,000-message Maildir of ~4 KB mixed mail,
//! ingests it with the release binary into a fresh store, then ingests it again.
//!
//! Targets (issue 2): first ingest ≥ 5,000 messages/s with peak RSS < 100 MB; re-ingest
//! ≥ 20,000 messages/s, on a 2-core machine. Run with `cargo bench --bench ingest`;
//! `RIGHTSBOT_BENCH_MESSAGES` changes the count. The figures are printed, not asserted.

#[path = "support/rss.rs"]
mod rss;

#[path = "../tests/support/corpus.rs"]
mod corpus;

use std::process::Command;
use std::time::Instant;

fn main() {
    let count: usize = std::env::var("RIGHTSBOT_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let maildir = dir.path().join("maildir");
    let started = Instant::now();
    let expected = corpus::generate_maildir(&maildir, count, 42);
    let bytes: u64 = ["cur", "new"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(maildir.join(sub)).expect("list"))
        .map(|entry| entry.expect("entry").metadata().expect("metadata").len())
        .sum();
    println!(
        "generated {count} messages, {:.1} MB ({:.0} bytes each) in {:.2?}",
        bytes as f64 / 1e6,
        bytes as f64 / count as f64,
        started.elapsed()
    );
    let config = dir.path().join("rightsbot.toml");
    std::fs::write(
        &config,
        "[controller]\nname = \"Bench Oy\"\nbusiness_id = \"1234567-1\"\nprivacy_address = \"p@example.test\"\n\
         [store]\npath = \"bench.db\"\n",
    )
    .expect("write config");

    for label in ["first ingest", "re-ingest"] {
        let started = Instant::now();
        let output = Command::new(env!("CARGO_BIN_EXE_rightsbot"))
            .arg("--config")
            .arg(&config)
            .args(["--json", "ingest"])
            .arg(&maildir)
            .output()
            .expect("run rightsbot");
        let elapsed = started.elapsed();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let summary = String::from_utf8_lossy(&output.stdout);
        println!(
            "{label:>12}: {count} messages in {:.2?} = {:>6.0} messages/s, peak RSS {:.1} MB   {}",
            elapsed,
            count as f64 / elapsed.as_secs_f64(),
            rss::peak_rss_of_children_kb() as f64 / 1024.0,
            summary.trim()
        );
    }
    let db = std::fs::metadata(dir.path().join("bench.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!("store: {:.1} MB; expected {expected:?}", db as f64 / 1e6);
}
