//! Labelled sets: a folder with `labels.tsv` (`file`, `labels`, `language`, ...) beside its
//! `.eml` files. Read by the corpus tests and by `examples/train_model.rs`, which trains the
//! classifier's second reader on every set under `tests/`.

use std::path::{Path, PathBuf};

use rightsbot::classify::{Classifier, LabelledMail};

#[allow(dead_code)] // The trainer reads no language.
pub struct Labelled {
    pub file: String,
    /// Label codes; empty for `none`.
    pub kinds: Vec<String>,
    pub language: String,
}

pub fn read_labels(dir: &Path) -> Result<Vec<Labelled>, String> {
    let path = dir.join("labels.tsv");
    let text = std::fs::read_to_string(&path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    text.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            let columns: Vec<&str> = line.split('\t').collect();
            let [file, labels, language, ..] = columns[..] else {
                return Err(format!(
                    "{}:{}: fewer than 3 columns",
                    path.display(),
                    number + 1
                ));
            };
            Ok(Labelled {
                file: file.to_string(),
                kinds: labels
                    .split(',')
                    .map(str::trim)
                    .filter(|k| !k.is_empty() && *k != "none")
                    .map(str::to_string)
                    .collect(),
                language: language.trim().to_string(),
            })
        })
        .collect()
}

/// Every labelled mail of every set under `tests` (sets in name order), as the classifier
/// reads it: what the second reader is trained on.
#[allow(dead_code)] // Not every includer trains.
pub fn training_mails(tests: &Path) -> Result<Vec<LabelledMail>, String> {
    let mut sets: Vec<PathBuf> = std::fs::read_dir(tests)
        .map_err(|err| format!("cannot list {}: {err}", tests.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.join("labels.tsv").is_file())
        .collect();
    sets.sort();
    let classifier = Classifier::new().map_err(|err| err.to_string())?;
    let mut mails = Vec::new();
    for set in sets {
        for labelled in read_labels(&set)? {
            let kinds = labelled
                .kinds
                .iter()
                .map(|k| k.parse())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|err| format!("{}: {}: {err}", set.display(), labelled.file))?;
            let path = set.join(&labelled.file);
            let raw = std::fs::read(&path)
                .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
            let mail = rightsbot::parse::parse(&raw)
                .map_err(|err| format!("{}: {err}", path.display()))?;
            mails.push(classifier.labelled(&mail, kinds));
        }
    }
    Ok(mails)
}
