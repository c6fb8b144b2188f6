//! Trains the classifier's second reader (`src/classify/model.rs`) on the labelled sets
//! under `tests/` and writes `rules/model.tsv`, which the build embeds. A test
//! (`tests/classify_corpus.rs`) checks that the embedded file is what this writes.
//!
//! ```text
//! cargo run --release --example train_model            # writes rules/model.tsv
//! cargo run --release --example train_model -- OUT.tsv # writes elsewhere, to compare
//! ```
//!
//! The public corpus (`../shared/corpus/public`) is not read: it is what outside checks
//! score.

#[path = "../tests/support/labelled.rs"]
mod labelled;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::args_os()
        .nth(1)
        .map_or_else(|| root.join("rules/model.tsv"), PathBuf::from);
    let mails = match labelled::training_mails(&root.join("tests")) {
        Ok(mails) => mails,
        Err(err) => {
            eprintln!("train_model: {err}");
            return ExitCode::FAILURE;
        }
    };
    let text = rightsbot::classify::train_second_reader(&mails);
    if let Err(err) = std::fs::write(&out, text) {
        eprintln!("train_model: cannot write {}: {err}", out.display());
        return ExitCode::FAILURE;
    }
    println!("{} labelled mails -> {}", mails.len(), out.display());
    ExitCode::SUCCESS
}
