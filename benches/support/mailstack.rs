//! A throwaway Dovecot + Postfix for a bench (scripts/mailstack), stopped however the bench
//! ends.

use std::path::Path;
use std::process::Command;

/// Starts a mailstack in a temp dir, runs `measure` on it, and stops it, also on a panic.
pub fn with_mailstack(measure: impl FnOnce(&Path) + std::panic::UnwindSafe) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stack = tempfile::tempdir().expect("temp dir");
    let up = Command::new(root.join("scripts/mailstack"))
        .arg("up")
        .arg(stack.path())
        .status()
        .expect("mailstack");
    assert!(up.success(), "mailstack up failed");
    let path = stack.path().to_path_buf();
    let result = std::panic::catch_unwind(move || measure(&path));
    let _ = Command::new(root.join("scripts/mailstack"))
        .arg("down")
        .arg(stack.path())
        .status();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

/// A value the mailstack wrote to its `env` file (`MAILSTACK_CUSTOMER_ADDRESS`, …).
pub fn var(stack: &Path, name: &str) -> String {
    std::fs::read_to_string(stack.join("env"))
        .expect("env")
        .lines()
        .find_map(|l| {
            l.trim_start_matches("export ")
                .strip_prefix(&format!("{name}="))
                .map(|v| v.trim_matches(['"', '\'']).to_string())
        })
        .expect("a mailstack variable")
}
