//! Classifier speed: rule compilation at start-up, and classification alone (mails already
//! parsed) on one core, over the labelled corpus and the example mailbox repeated.
//!
//! Targets (issue 18): ≥ 25,000 mails/s on one core for typical 1–3 KB mails; rule
//! compilation < 50 ms. Run with `cargo bench --bench classify`. Printed, not asserted: the
//! figures move with the machine's load, so compare builds interleaved on the same machine.

#[path = "../tests/support/corpus.rs"]
mod corpus;

use std::time::{Duration, Instant};

use rightsbot::classify::Classifier;
use rightsbot::parse::Mail;

fn main() {
    let mut compile_times = Vec::new();
    for _ in 0..11 {
        let started = Instant::now();
        let classifier = Classifier::new().expect("rules compile");
        compile_times.push(started.elapsed());
        drop(classifier);
    }
    compile_times.sort();
    println!(
        "rule compilation: median {:.1?}, min {:.1?} (11 runs)",
        compile_times[5], compile_times[0]
    );

    let classifier = Classifier::new().expect("rules compile");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut mails = Vec::new();
    for dir in [
        "tests/corpus",
        "examples/mailbox/cur",
        "examples/mailbox/new",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).expect("list") {
            let path = entry.expect("entry").path();
            let Ok(raw) = std::fs::read(&path) else {
                continue;
            };
            if let Ok(mail) = rightsbot::parse::parse(&raw) {
                mails.push(mail);
            }
        }
    }

    // BENCH_CORPUS=labelled or =generated measures that one only (for a profiler).
    let only = std::env::var("BENCH_CORPUS").ok();
    if only.as_deref() != Some("generated") {
        run(&classifier, "labelled corpus + examples", &mails);
    }
    if only.as_deref() == Some("labelled") {
        return;
    }

    // Typical 1–3 KB customer mails: the generated load-test mailbox (fi/sv/en, plain,
    // quoted-printable, base64, HTML).
    let dir = tempfile::tempdir().expect("temp dir");
    corpus::generate_maildir(dir.path(), 2000, 11);
    let mut generated = Vec::new();
    for sub in ["cur", "new"] {
        for entry in std::fs::read_dir(dir.path().join(sub)).expect("list") {
            let raw = std::fs::read(entry.expect("entry").path()).expect("read");
            if let Ok(mail) = rightsbot::parse::parse(&raw) {
                generated.push(mail);
            }
        }
    }
    run(&classifier, "generated 1–3 KB mails", &generated);
}

fn run(classifier: &Classifier, label: &str, mails: &[Mail]) {
    let bytes: usize = mails.iter().map(|m| m.subject.len() + m.text.len()).sum();
    // Warm up (regexes compile on first use), then classify for at least two seconds.
    classify_all(classifier, mails);
    let started = Instant::now();
    let cpu_started = thread_cpu_ticks();
    let mut count = 0usize;
    // BENCH_MAILS=N classifies exactly N mails, for counting instructions under valgrind
    // (`valgrind --tool=cachegrind`), which a busy machine does not disturb.
    let fixed: Option<usize> = std::env::var("BENCH_MAILS")
        .ok()
        .and_then(|v| v.parse().ok());
    while count < fixed.unwrap_or(100_000)
        || (fixed.is_none() && started.elapsed() < Duration::from_secs(2))
    {
        count += measured(classifier, mails);
    }
    let elapsed = started.elapsed();
    let cpu = thread_cpu_ticks()
        .zip(cpu_started)
        .map(|(end, start)| end - start);
    // On a busy machine the wall clock counts time spent waiting for a core; the thread's
    // own CPU time (in 10 ms ticks) does not.
    let on_cpu = cpu.map_or(String::new(), |ticks| {
        format!(
            "; on CPU {:.0} mails/s",
            count as f64 / (ticks as f64 / 100.0)
        )
    });
    println!(
        "{label}: {} mails of {} bytes on average: {:.0} mails/s on one core ({:.1} µs each){on_cpu}",
        mails.len(),
        bytes / mails.len().max(1),
        count as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / count as f64
    );
}

fn classify_all(classifier: &Classifier, mails: &[Mail]) -> usize {
    for mail in mails {
        std::hint::black_box(classifier.classify(mail));
    }
    mails.len()
}

/// The measured passes, apart from the warm-up so a profiler can count them alone
/// (`valgrind --tool=callgrind --toggle-collect=classify::measured`).
#[inline(never)]
fn measured(classifier: &Classifier, mails: &[Mail]) -> usize {
    classify_all(classifier, mails)
}

/// This thread's user and system time in clock ticks (1/100 s on Linux), if readable.
fn thread_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}
