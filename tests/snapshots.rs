//! What staff read: the human output of the main commands, pinned with insta.

mod support;

use support::{Sandbox, repo};

/// insta with the sandbox and repository paths replaced, so snapshots hold across machines.
macro_rules! assert_output_snapshot {
    ($sandbox:expr, $name:expr, $text:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.add_filter(
            &regex_escape(&$sandbox.path().display().to_string()),
            "[SANDBOX]",
        );
        settings.add_filter(&regex_escape(&repo().display().to_string()), "[REPO]");
        // Rule names carry their position in the rule files, which moves as rules are added.
        settings.add_filter(r#""rule":"[^"]*""#, r#""rule":"[RULE]""#);
        // A one-time token's hash is random by design.
        settings.add_filter(
            r#""token_sha256":"[0-9a-f]{64}""#,
            r#""token_sha256":"[HASH]""#,
        );
        settings.bind(|| insta::assert_snapshot!($name, $text));
    }};
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

const NOW: &str = "2026-11-27T12:00:00+02:00";

#[test]
fn example_ingest_and_cases() {
    let sandbox = Sandbox::with_config(&support::example_config());
    let mailbox = repo().join("examples/mailbox").display().to_string();
    let import = sandbox.ok(&["--now", NOW, "register", "import"]);
    assert_output_snapshot!(sandbox, "example_register_import", import);
    let ingest = sandbox.ok(&["--now", NOW, "ingest", &mailbox]);
    assert_output_snapshot!(sandbox, "example_ingest", ingest);
    let show = sandbox.ok(&["--now", NOW, "show", "DSR-2026-0001"]);
    assert_output_snapshot!(sandbox, "example_show_first_case", show);
    // Matched by a phone number and an order, from an address not on file.
    let show = sandbox.ok(&["--now", NOW, "show", "DSR-2026-0016"]);
    assert_output_snapshot!(sandbox, "example_show_needs_verification", show);
    let queue = sandbox.ok(&["--now", NOW, "queue"]);
    assert_output_snapshot!(sandbox, "example_queue", queue);
    let quarantine = sandbox.ok(&["--now", NOW, "quarantine"]);
    assert_output_snapshot!(sandbox, "example_quarantine", quarantine);
}

#[test]
fn config_error_texts() {
    let broken = [
        ("unknown_key", support::CONFIG.replace("name =", "nmae =")),
        (
            "bad_language",
            support::CONFIG.replace("[store]", "default_language = \"de\"\n[store]"),
        ),
        (
            "bad_timezone",
            support::CONFIG.replace("[store]", "timezone = \"Europe/Helsinky\"\n[store]"),
        ),
        (
            "wrong_type",
            support::CONFIG.replace("busy_timeout_ms = 300", "busy_timeout_ms = \"soon\""),
        ),
        (
            "missing_key",
            support::CONFIG.replace("business_id = \"1234567-1\"\n", ""),
        ),
        (
            "secret_in_file",
            format!("{}[ingest]\nsmtp_password = \"hunter2\"\n", support::CONFIG),
        ),
        ("syntax", support::CONFIG.replace("[store]", "[store")),
    ];
    let mut report = String::new();
    for (name, text) in broken {
        let sandbox = Sandbox::with_config(&text);
        let output = sandbox.run(&["config", "check"]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr)
            .replace(&sandbox.config.display().to_string(), "rightsbot.toml");
        report.push_str(&format!("{name}: {stderr}"));
    }
    insta::assert_snapshot!("config_errors", report);
}
