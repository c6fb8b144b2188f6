//! Offline intake over hostile paths: symlink cycles, FIFOs and devices named `.eml`. Each
//! run must end (it is killed and the test fails after a generous limit), count every file
//! once and quarantine what is not a regular file with its reason.

mod support;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use support::{Sandbox, repo};

/// Runs `ingest PATH` with a 2 GiB address-space cap (so a run that reads without end fails
/// instead of taking the machine's memory) and fails the test if it has not ended within
/// two minutes.
fn ingest(sandbox: &Sandbox, path: &Path) -> Output {
    let mut command = sandbox.command(&["--json", "ingest", &path.display().to_string()]);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 2 << 30,
                rlim_max: 2 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("start ingest");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().expect("kill");
            child.wait().expect("wait");
            panic!("ingest of {} did not end", path.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn summary(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "ingest failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON summary")
}

fn a_request(folder: &Path, name: &str) {
    let mail = std::fs::read(repo().join("tests/fixtures/mail/auth-results.eml")).expect("fixture");
    std::fs::write(folder.join(name), mail).expect("write mail");
}

#[test]
fn a_symlink_cycle_ends_and_counts_each_file_once() {
    let sandbox = Sandbox::new();
    let top = sandbox.path().join("mails");
    let deeper = top.join("deeper");
    std::fs::create_dir_all(&deeper).unwrap();
    a_request(&top, "one.eml");
    a_request(&deeper, "two.eml");
    // A cycle back to the top, a link to the folder itself, and a second name for a file.
    std::os::unix::fs::symlink("..", deeper.join("up")).unwrap();
    std::os::unix::fs::symlink(".", top.join("here")).unwrap();
    std::os::unix::fs::symlink("two.eml", deeper.join("two-again.eml")).unwrap();

    let result = summary(&ingest(&sandbox, &top));
    assert_eq!(result["seen"], 2, "{result}");
    assert_eq!(result["quarantined"], 0, "{result}");
}

#[test]
fn a_fifo_named_eml_is_quarantined_without_blocking() {
    let sandbox = Sandbox::new();
    let top = sandbox.path().join("mails");
    std::fs::create_dir_all(&top).unwrap();
    a_request(&top, "a-request.eml");
    let fifo = top.join("pipe.eml");
    let name = std::ffi::CString::new(fifo.display().to_string()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0, "mkfifo");

    let result = summary(&ingest(&sandbox, &top));
    assert_eq!(result["seen"], 2, "{result}");
    assert_eq!(result["quarantined"], 1, "{result}");
    let listed = sandbox.json(&["quarantine"]);
    let entry = &listed[0];
    assert_eq!(entry["origin"], fifo.display().to_string(), "{listed}");
    assert!(
        entry["reason"]
            .as_str()
            .unwrap()
            .contains("not a regular file (a FIFO)"),
        "{listed}"
    );
    // Named on its own, too.
    let again = summary(&ingest(&sandbox, &fifo));
    assert_eq!(again["quarantined"], 1, "{again}");
}

#[test]
fn a_link_to_dev_zero_is_never_read() {
    let sandbox = Sandbox::with_config(&format!(
        "{}\n[ingest]\nmax_message_bytes = 100000\n",
        support::CONFIG
    ));
    let top = sandbox.path().join("maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(top.join(sub)).unwrap();
    }
    a_request(&top.join("cur"), "1759729200.M1P1.host:2,S");
    std::os::unix::fs::symlink("/dev/zero", top.join("new/1759729300.M2P1.host")).unwrap();

    let result = summary(&ingest(&sandbox, &top));
    assert_eq!(result["seen"], 2, "{result}");
    assert_eq!(result["quarantined"], 1, "{result}");
    let listed = sandbox.json(&["quarantine"]);
    assert!(
        listed[0]["reason"]
            .as_str()
            .unwrap()
            .contains("not a regular file (a character device)"),
        "{listed}"
    );
}

#[test]
fn megabytes_of_text_are_stored_whole_and_go_to_triage() {
    let sandbox = Sandbox::new();
    let top = sandbox.path().join("mails");
    std::fs::create_dir_all(&top).unwrap();
    let mut mail = String::from(
        "From: Iso Viesti <iso@example.test>\r\nTo: tietosuoja@kestokauppa.example.test\r\n\
         Subject: Tietopyyntö\r\nMessage-ID: <huge@example.test>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         Hei, haluan nähdä mitä tietoja minusta on tallennettu.\r\n\r\n",
    );
    while mail.len() < 3 << 20 {
        mail.push_str("lokirivi: tilaus toimitus varaosa asiakas ääkkönen\r\n");
    }
    std::fs::write(top.join("huge.eml"), &mail).unwrap();

    let result = summary(&ingest(&sandbox, &top));
    assert_eq!(result["cases_opened"], 1, "{result}");
    let cases = sandbox.json(&["cases"]);
    // Only the first MiB of text was read: a person decides.
    assert_eq!(cases[0]["state"], "triage", "{cases}");
    let case = sandbox.json(&["show", cases[0]["id"].as_str().unwrap()]);
    assert_eq!(case["messages"][0]["size"], mail.len(), "{case}");
}
