//! Sending over SMTP against a real Postfix and Dovecot (scripts/mailstack): N approved
//! replies sent by `send --once`, against the same number of bare SMTP transactions of the
//! same messages through the same client; and an idle `run --once` with nothing to do.
//!
//! Targets (issue 7): sending overhead beyond the SMTP round trip < 5 ms per message; an
//! idle `run --once` < 100 ms. Issue 12: with the daemon idle, the time from `approve` (the
//! CLI, a separate process) to the reply accepted by Postfix and recorded, over 50
//! approvals: median < 3 s. Run with `cargo bench --bench send`; `RIGHTSBOT_BENCH_MESSAGES`
//! sets N (default 300). The figures are printed, not asserted.

#[path = "support/mailstack.rs"]
mod mailstack;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let count: usize = std::env::var("RIGHTSBOT_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    mailstack::with_mailstack(|stack| measure(stack, count));
}

fn run(config: &Path, args: &[&str]) -> (Duration, serde_json::Value) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_rightsbot"))
        .arg("--config")
        .arg(config)
        .arg("--json")
        .args(args)
        .output()
        .expect("run rightsbot");
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let last = String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .unwrap_or("null")
        .to_string();
    (
        elapsed,
        serde_json::from_str(&last).unwrap_or(serde_json::Value::Null),
    )
}

fn measure(stack: &Path, count: usize) {
    let customer = mailstack::var(stack, "MAILSTACK_CUSTOMER_ADDRESS");
    let request_user = mailstack::var(stack, "MAILSTACK_REQUEST_USER");
    std::fs::write(
        stack.join("customers.csv"),
        format!("Id,Name,Email\n1,Asiakas Esimerkki,{customer}\n"),
    )
    .expect("csv");
    let config = stack.join("rightsbot.toml");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str("\n[[register.sources]]\nname = \"customers\"\nfile = \"customers.csv\"\n[register.sources.columns]\ncustomer_id = \"Id\"\nname = \"Name\"\nemail = \"Email\"\n");
    std::fs::write(&config, text).expect("config");
    run(&config, &["register", "import"]);

    // N requests from the customer, straight into the request Maildir.
    let new = stack.join("mail").join(&request_user).join("new");
    std::fs::create_dir_all(&new).expect("maildir");
    for i in 0..count {
        let mail = format!(
            "From: Asiakas <{customer}>\r\nTo: request\r\nSubject: Tietopyyntö {i}\r\nMessage-ID: <bench-send-{i}@example.test>\r\n\
             Date: Mon, 23 Nov 2026 10:00:00 +0200\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Haluan nähdä mitä tietoja minusta on.\r\n"
        );
        std::fs::write(new.join(format!("{i}.bench:2,")), mail).expect("mail");
    }
    let (_, report) = run(&config, &["run", "--once"]);
    println!(
        "{} requests became cases with drafts ({report})",
        report["cases_opened"]
    );

    // Approve every reply draft, as staff would.
    let loaded = rightsbot::config::Config::load(&config).expect("config");
    let mut store =
        rightsbot::store::Store::open(&loaded.store.path, &Default::default()).expect("store");
    let now = jiff::Timestamp::now();
    let queue = store.pending_drafts().expect("queue");
    let batch = store.begin().expect("batch");
    let bench = rightsbot::app::Staff::new("Bench").expect("a name");
    let mut samples = Vec::new();
    for entry in &queue {
        let approved = rightsbot::approve::approve(
            &batch,
            entry.draft,
            &bench,
            &loaded.controller.privacy_address,
            false,
            now,
        )
        .expect("approve");
        if samples.len() < count {
            samples.push(rightsbot::draft::message::for_draft(&approved, &loaded).expect("bytes"));
        }
    }
    batch.commit().expect("commit");
    drop(store);

    let (sending, report) = run(&config, &["send", "--once"]);
    let sent = report["sent"].as_u64().unwrap_or(0) as usize;
    println!(
        "send --once: {sent} replies in {sending:.2?} ({:.2} ms each, whole process)",
        ms(sending) / sent.max(1) as f64
    );

    // The same messages through the same SMTP client, nothing else.
    let smtp = loaded.smtp.as_ref().expect("[smtp]");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _inside = runtime.enter();
    let mailer = rightsbot::send::Mailer::new(smtp, loaded.sender_address()).expect("mailer");
    let started = Instant::now();
    runtime.block_on(async {
        for bytes in &samples {
            assert!(
                matches!(
                    mailer.send(&customer, bytes).await,
                    rightsbot::smtp::Outcome::Accepted
                ),
                "bare SMTP"
            );
        }
    });
    let bare = started.elapsed();
    println!(
        "bare SMTP:   {} messages in {bare:.2?} ({:.2} ms each)",
        samples.len(),
        ms(bare) / samples.len().max(1) as f64
    );
    println!(
        "overhead beyond the SMTP round trip: {:.2} ms per message (target < 5 ms)",
        (ms(sending) - ms(bare)) / sent.max(1) as f64
    );

    // Nothing to do: an idle pass.
    let mut idle: Vec<Duration> = (0..7).map(|_| run(&config, &["run", "--once"]).0).collect();
    idle.sort();
    println!(
        "idle run --once: median {:.1} ms, best {:.1} ms (target < 100 ms)",
        ms(idle[3]),
        ms(idle[0])
    );

    approval_latency(&config, &new, &customer, &loaded.store.path);
}

/// 50 drafts approved one by one from the CLI while the daemon idles on a quiet mailbox:
/// from the start of `approve` to the reply recorded sent (the server took it).
fn approval_latency(config: &Path, new: &Path, customer: &str, database: &Path) {
    const ROUNDS: usize = 50;
    for i in 0..ROUNDS {
        let mail = format!(
            "From: Asiakas <{customer}>\r\nTo: request\r\nSubject: Tietopyyntö L{i}\r\nMessage-ID: <bench-latency-{i}@example.test>\r\n\
             Date: Mon, 23 Nov 2026 10:00:00 +0200\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Haluan nähdä mitä tietoja minusta on.\r\n"
        );
        std::fs::write(new.join(format!("latency-{i}.bench:2,")), mail).expect("mail");
    }
    run(config, &["run", "--once"]);
    let store = rightsbot::store::Store::open(database, &Default::default()).expect("store");
    let drafts: Vec<String> = store
        .pending_drafts()
        .expect("queue")
        .iter()
        .map(|d| d.draft.to_string())
        .take(ROUNDS)
        .collect();
    drop(store);
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_rightsbot"))
        .arg("--config")
        .arg(config)
        .arg("run")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("daemon");
    let reader = rusqlite::Connection::open(database).expect("reader");
    let state = |draft: &str| -> String {
        let id: i64 = draft.trim_start_matches('D').parse().expect("draft id");
        reader
            .query_row("SELECT state FROM drafts WHERE id = ?1", [id], |r| r.get(0))
            .unwrap_or_default()
    };
    // Let the daemon settle into IDLE first.
    std::thread::sleep(Duration::from_secs(3));
    let mut latencies = Vec::with_capacity(drafts.len());
    for draft in &drafts {
        let started = Instant::now();
        run(config, &["approve", draft, "--by", "Bench"]);
        while state(draft) != "sent" {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{draft} never went"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        latencies.push(started.elapsed());
    }
    let _ = daemon.kill();
    let _ = daemon.wait();
    latencies.sort();
    println!(
        "approve (CLI) to accepted by Postfix, daemon idle, {} approvals: median {:.0} ms, p95 {:.0} ms (target: median < 3 s)",
        latencies.len(),
        ms(latencies[latencies.len() / 2]),
        ms(latencies[(latencies.len() * 95).div_ceil(100).saturating_sub(1)])
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
