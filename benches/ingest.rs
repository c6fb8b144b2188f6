//! Ingest throughput and memory: generates a 10,000-message Maildir of ~4 KB mixed mail,
//! ingests it with the release binary into a fresh store, then ingests it again.
//!
//! Targets (issue 2): first ingest ≥ 5,000 messages/s with peak RSS < 100 MB; re-ingest
//! ≥ 20,000 messages/s, on a 2-core machine. Run with `cargo bench --bench ingest`;
//! `RIGHTSBOT_BENCH_MESSAGES` changes the count. To compare builds on a busy machine,
//! `RIGHTSBOT_BENCH_BIN=old:new` (paths, `:`-separated) alternates them over
//! `RIGHTSBOT_BENCH_ROUNDS` rounds (default 1) on the same Maildir and prints each one's
//! best and median. The figures are printed, not asserted.

#[path = "support/rss.rs"]
mod rss;

#[path = "../tests/support/corpus.rs"]
mod corpus;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let count: usize = std::env::var("RIGHTSBOT_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rounds: usize = std::env::var("RIGHTSBOT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let binaries: Vec<String> = std::env::var("RIGHTSBOT_BENCH_BIN")
        .map(|list| list.split(':').map(str::to_string).collect())
        .unwrap_or_else(|_| vec![env!("CARGO_BIN_EXE_rightsbot").to_string()]);
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

    let mut times: Vec<Vec<(Duration, Duration)>> = vec![Vec::new(); binaries.len()];
    for round in 0..rounds {
        for (index, binary) in binaries.iter().enumerate() {
            let store = dir.path().join("bench.db");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", store.display()));
            }
            let config = dir.path().join("rightsbot.toml");
            std::fs::write(
                &config,
                "[controller]\nname = \"Bench Oy\"\nbusiness_id = \"1234567-1\"\nprivacy_address = \"p@example.test\"\n\
                 [store]\npath = \"bench.db\"\n",
            )
            .expect("write config");
            let mut pair = [Duration::ZERO; 2];
            for (slot, label) in ["first ingest", "re-ingest"].into_iter().enumerate() {
                let started = Instant::now();
                let (summary, peak_kb) = ingest(binary, &config, &maildir);
                let elapsed = started.elapsed();
                pair[slot] = elapsed;
                println!(
                    "{label:>12}: {count} messages in {:.2?} = {:>6.0} messages/s, peak RSS {:.1} MB   {}",
                    elapsed,
                    count as f64 / elapsed.as_secs_f64(),
                    peak_kb as f64 / 1024.0,
                    if round == 0 { summary.trim() } else { "" }
                );
            }
            times[index].push((pair[0], pair[1]));
            if round == 0 && index == 0 {
                let db = std::fs::metadata(&store).map(|m| m.len()).unwrap_or(0);
                println!("store: {:.1} MB; expected {expected:?}", db as f64 / 1e6);
            }
        }
    }
    if rounds > 1 || binaries.len() > 1 {
        for (binary, runs) in binaries.iter().zip(&mut times) {
            let rate = |d: Duration| count as f64 / d.as_secs_f64();
            let mut first: Vec<Duration> = runs.iter().map(|r| r.0).collect();
            let mut again: Vec<Duration> = runs.iter().map(|r| r.1).collect();
            first.sort();
            again.sort();
            println!(
                "{binary}: first ingest best {:.0}/s median {:.0}/s; re-ingest best {:.0}/s median {:.0}/s ({} rounds)",
                rate(first[0]),
                rate(first[first.len() / 2]),
                rate(again[0]),
                rate(again[again.len() / 2]),
                runs.len()
            );
        }
    }
}

/// Runs one `ingest` and returns its JSON summary and its own peak RSS in KB.
fn ingest(binary: &str, config: &Path, maildir: &Path) -> (String, i64) {
    let output = tempfile::NamedTempFile::new().expect("temp file");
    let (status, peak_kb) = rss::run_measured(
        Command::new(binary)
            .arg("--config")
            .arg(config)
            .args(["--json", "ingest"])
            .arg(maildir)
            .stdout(output.reopen().expect("reopen"))
            .stderr(Stdio::inherit()),
    );
    assert!(status.success(), "ingest failed: {status}");
    (
        std::fs::read_to_string(output.path()).expect("summary"),
        peak_kb,
    )
}
