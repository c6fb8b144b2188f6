//! A daemon started for a test, with its log (JSON lines on stderr) read as it is
//! written, so a test acts when the daemon says it has reached a point instead of after a
//! guessed delay.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::bin;

/// A daemon with its log (JSON lines on stderr) read as it is written, so a test can act
/// when the daemon says it has reached a point instead of after a guessed delay.
pub struct Daemon {
    pub child: Child,
    log: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Daemon {
    pub fn start(config: &Path) -> Daemon {
        let mut child = bin()
            .arg("--config")
            .arg(config)
            .args(["--log-format", "json", "run"])
            // Debug for our own target: "pass timing" closes every pass.
            .env("RIGHTSBOT_LOG", "info,rightsbot=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start daemon");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let writer = Arc::clone(&log);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut log = writer.lock().expect("log");
                log.push_str(&line);
                log.push('\n');
            }
        });
        Daemon {
            child,
            log,
            reader: Some(reader),
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }

    /// How many log lines contain `needle`.
    pub fn logged(&self, needle: &str) -> usize {
        self.log().lines().filter(|l| l.contains(needle)).count()
    }

    /// Waits (up to `limit`) until `count` log lines contain `needle`.
    pub fn wait_for_log(&self, needle: &str, count: usize, limit: Duration) {
        let started = Instant::now();
        while started.elapsed() < limit && self.logged(needle) < count {
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(
            self.logged(needle) >= count,
            "the daemon never logged {needle:?} {count} times:\n{}",
            self.log()
        );
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("wait");
    }

    /// SIGTERM, the exit status, and the whole log.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let status = terminate(&mut self.child);
        if let Some(reader) = self.reader.take() {
            reader.join().expect("log reader");
        }
        (status, self.log())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn terminate(child: &mut Child) -> std::process::ExitStatus {
    // SAFETY: kill(2) on a child we spawned and have not waited for.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    wait_exit(child, "daemon did not stop on SIGTERM")
}

/// Waits (up to a minute, polling) for `child` to exit; `why` names what failed if it does
/// not.
pub fn wait_exit(child: &mut Child, why: &str) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{why}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
