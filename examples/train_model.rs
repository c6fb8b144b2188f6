//! Trains the classifier's second reader (`src/classify/model.rs`) on the labelled sets
//! under `tests/` and writes `rules/model.tsv` (the mail model) and `rules/sentences.tsv`
//! (the sentence model), which the build embeds, and counts their words into
//! `rules/frequent.tsv` (which words of a rule are rare, to choose its trigger words). A
//! test (`tests/classify_corpus.rs`) checks that the embedded files are what this writes.
//!
//! ```text
//! cargo run --release --example train_model          # writes all three into rules/
//! cargo run --release --example train_model -- DIR   # writes them into DIR, to compare
//! cargo run --release --example train_model -- DIR SETS  # trains on the sets under SETS
//! ```
//!
//! Training on fewer sets (a folder of links to some of them) measures what the models
//! would read in a set they have not seen.
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
        .map_or_else(|| root.join("rules"), PathBuf::from);
    let sets = std::env::args_os()
        .nth(2)
        .map_or_else(|| root.join("tests"), PathBuf::from);
    let mails = match labelled::training_mails(&sets) {
        Ok(mails) => mails,
        Err(err) => {
            eprintln!("train_model: {err}");
            return ExitCode::FAILURE;
        }
    };
    let models = [
        (
            "model.tsv",
            rightsbot::classify::train_second_reader(&mails),
        ),
        (
            "sentences.tsv",
            rightsbot::classify::train_sentence_reader(&mails),
        ),
        (
            "frequent.tsv",
            rightsbot::classify::count_frequent_words(&mails),
        ),
    ];
    for (name, text) in models {
        let path = out.join(name);
        if let Err(err) = std::fs::write(&path, text) {
            eprintln!("train_model: cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        println!("{} labelled mails -> {}", mails.len(), path.display());
    }
    ExitCode::SUCCESS
}
