//! Shared helpers for the integration tests: run the built binary in a temp dir.
#![allow(dead_code)]

pub mod corpus;
pub mod daemon;
pub mod mailstack;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rightsbot"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp dir with a config whose store lives inside it.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

pub const CONFIG: &str = r#"[controller]
name = "Kestokauppa Oy"
business_id = "1234567-1"
privacy_address = "tietosuoja@kestokauppa.example.test"

[store]
path = "rightsbot.db"
busy_timeout_ms = 300
"#;

/// `config.example.toml` as a sandbox can use it: the store in the sandbox, the example
/// register's files where they are in the repository.
pub fn example_config() -> String {
    let text =
        std::fs::read_to_string(repo().join("config.example.toml")).expect("the example config");
    text.replace("path = \"rightsbot-example.db\"", "path = \"rightsbot.db\"")
        .replace(
            "file = \"examples/",
            &format!("file = \"{}/examples/", repo().display()),
        )
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox::with_config(CONFIG)
    }

    pub fn with_config(text: &str) -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("rightsbot.toml");
        std::fs::write(&config, text).expect("write config");
        Sandbox { dir, config }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("rightsbot.db")
    }

    /// Runs `rightsbot --config <sandbox config> ARGS...` in the sandbox.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run rightsbot")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = bin();
        command
            .current_dir(self.path())
            .arg("--config")
            .arg(&self.config)
            .args(args);
        command
            .env_remove("RIGHTSBOT_CONFIG")
            .env_remove("RIGHTSBOT_LOG");
        command
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "rightsbot {args:?} failed with {:?}\nstdout: {}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }
}

/// Asserts a failed run: exit 1 and exactly one stderr line starting with `rightsbot: `.
pub fn assert_user_error(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "not one line: {stderr}");
    assert!(stderr.starts_with("rightsbot: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr.trim_end().to_string()
}

/// A child process ended when the test ends, however it ends: a failed assertion must not
/// leave a server holding the test's output open.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A child process started in a process group of its own, ended with everything it
/// started when the test ends, however it ends: chromedriver's Chromium outlives a killed
/// chromedriver unless its group is killed too.
pub struct RunningGroup(std::process::Child);

impl RunningGroup {
    pub fn spawn(command: &mut std::process::Command) -> std::io::Result<RunningGroup> {
        use std::os::unix::process::CommandExt;
        command.process_group(0).spawn().map(RunningGroup)
    }
}

impl Drop for RunningGroup {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group of a child we spawned and have not waited
        // for, so its id (the group's) is not reused.
        unsafe { libc::kill(-(self.0.id() as i32), libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

/// A TCP port on 127.0.0.1 nothing listens on just now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Polls `ready` every 50 ms until it holds or `limit` passes; whether it held. Tests wait for
/// an observable condition (a row, a folder count) this way, never for a fixed time.
pub fn wait_until(limit: std::time::Duration, mut ready: impl FnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if ready() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    ready()
}
