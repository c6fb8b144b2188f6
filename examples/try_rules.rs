//! Tries rule files without rebuilding: classifies mails with the rules read from a folder
//! (`RULES_DIR`, default `rules/`) and prints what `rightsbot classify --json` prints, so
//! `../shared/tools/score-classify` can score a rule change at once.
//!
//! ```text
//! cargo build --release --example try_rules
//! RULES_DIR=rules ../shared/tools/score-classify target/release/examples/try_rules tests/holdout11
//! ```
//!
//! Arguments are those of `rightsbot classify --json FILE...`; the words before the files
//! are ignored.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rightsbot::classify::Classifier;

fn main() -> ExitCode {
    let dir = std::env::var_os("RULES_DIR").map_or_else(|| PathBuf::from("rules"), PathBuf::from);
    let classifier = match Classifier::from_rule_dir(&dir) {
        Ok(classifier) => classifier,
        Err(err) => {
            eprintln!("try_rules: {err}");
            if let Some(source) = std::error::Error::source(&err) {
                eprintln!("  {source}");
            }
            return ExitCode::FAILURE;
        }
    };
    for file in std::env::args().skip(1).filter(|a| a.ends_with(".eml")) {
        let outcome = std::fs::read(Path::new(&file))
            .map_err(|err| format!("cannot read: {err}"))
            .and_then(|raw| rightsbot::parse::parse(&raw).map_err(|err| err.to_string()))
            .map(|mail| classifier.classify(&mail));
        let line = match outcome {
            Ok(classification) => classification.json_line(&file),
            Err(error) => serde_json::json!({ "file": file, "error": error }),
        };
        println!("{line}");
    }
    ExitCode::SUCCESS
}
