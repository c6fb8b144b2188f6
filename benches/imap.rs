//! IMAP intake against a real Dovecot (scripts/mailstack): 10,000 ~4 KB mails waiting in
//! the inbox (written straight into its Maildir: APPEND is slow), `run --once` turns them
//! into stored messages and cases; compared with offline `ingest` of the same mails and
//! with a bare UID FETCH loop over the same server. Also the idle daemon's RSS.
//!
//! Targets (issue 4): IMAP ≥ 80 % of the offline rate; idle RSS < 30 MB. Needs dovecot and
//! postfix installed (scripts/test installs them). Run with `cargo bench --bench imap`.

#[path = "../tests/support/corpus.rs"]
mod corpus;
#[path = "support/mailstack.rs"]
mod mailstack;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn main() {
    let count: usize = std::env::var("RIGHTSBOT_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    mailstack::with_mailstack(|stack| measure(stack, count));
}

fn measure(stack: &Path, count: usize) {
    let bin = env!("CARGO_BIN_EXE_rightsbot");
    let config = stack.join("rightsbot.toml");
    if let Ok(batch) = std::env::var("RIGHTSBOT_BENCH_BATCH") {
        let text = std::fs::read_to_string(&config).expect("config");
        std::fs::write(
            &config,
            text.replace("[mailbox]", &format!("[mailbox]\nbatch_size = {batch}")),
        )
        .expect("config");
    }
    let user = mailstack::var(stack, "MAILSTACK_REQUEST_USER");
    let maildir = stack.join("mail").join(&user);
    let expected = corpus::generate_maildir(&maildir, count, 42);
    Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&maildir)
        .status()
        .expect("chown");

    // The same mails, offline, into a separate store.
    let offline = tempfile::tempdir().expect("temp dir");
    corpus::generate_maildir(&offline.path().join("maildir"), count, 42);
    std::fs::write(
        offline.path().join("rightsbot.toml"),
        "[controller]\nname = \"Bench Oy\"\nbusiness_id = \"1234567-1\"\nprivacy_address = \"p@example.test\"\n",
    )
    .expect("config");
    let started = Instant::now();
    let status = Command::new(bin)
        .arg("--config")
        .arg(offline.path().join("rightsbot.toml"))
        .args(["--json", "ingest"])
        .arg(offline.path().join("maildir"))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("ingest");
    assert!(status.success());
    let offline_rate = count as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let output = Command::new(bin)
        .arg("--config")
        .arg(&config)
        .args(["--json", "run", "--once"])
        .output()
        .expect("run");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let imap_elapsed = started.elapsed();
    let imap_rate = count as f64 / imap_elapsed.as_secs_f64();
    println!("{} mails ({:?})", count, expected);
    println!("offline ingest : {offline_rate:>7.0} mails/s");
    for line in String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains("pass timing"))
    {
        println!(
            "  {}",
            line.split("rightsbot::daemon: ").last().unwrap_or(line)
        );
    }
    println!(
        "IMAP run --once: {imap_rate:>7.0} mails/s ({:.0} % of offline) in {imap_elapsed:.2?}   {}",
        100.0 * imap_rate / offline_rate,
        String::from_utf8_lossy(&output.stdout).trim()
    );

    // A bare UID FETCH of every body, over the same connection settings, for scale.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let loaded = rightsbot::config::Config::load(&config).expect("config");
    let mailbox = loaded.mailbox.expect("mailbox");
    let password = mailbox.password().expect("password");
    let fetch_rate = runtime.block_on(async {
        let mut source = rightsbot::intake::imap::ImapSource::connect(&mailbox, &password)
            .await
            .expect("connect");
        source
            .select(&mailbox.processed_folder)
            .await
            .expect("select");
        let uids = source.uids().await.expect("uids");
        let started = Instant::now();
        let mut fetched = 0usize;
        for chunk in uids.chunks(500) {
            fetched += source.fetch(chunk, u64::MAX).await.expect("fetch").len();
        }
        let rate = fetched as f64 / started.elapsed().as_secs_f64();
        source.logout().await;
        rate
    });
    println!("bare UID FETCH : {fetch_rate:>7.0} mails/s");

    // The idle daemon's memory.
    let mut child = Command::new(bin)
        .arg("--config")
        .arg(&config)
        .arg("run")
        .env("RIGHTSBOT_LOG", "info,rightsbot=debug")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("daemon");
    // Idle once its first pass is over ("pass timing" closes every pass), however long
    // that took on this machine.
    let log = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut lines = std::io::BufRead::lines(log);
    let idle = lines.any(|line| line.is_ok_and(|l| l.contains("pass timing")));
    assert!(idle, "the daemon ended before its first pass");
    // Keep draining its log so the daemon never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .unwrap_or("VmRSS: ?")
        .to_string();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .unwrap_or("VmHWM: ?")
        .to_string();
    println!("idle daemon    : {rss} ({peak})");
    let _ = child.kill();
    let _ = child.wait();
}
