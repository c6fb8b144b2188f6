//! The second reader: a linear model over the word stems of a whole mail, which names a
//! right the rules missed beside the rights they found, for a person to confirm.
//!
//! Rules know the wordings someone wrote them for. A customer who asks for a second right in
//! words nobody foresaw ("och kan ni slut skicka dom där sms:en") would get a reply to half
//! the request, and nothing would tell staff. The model has read every labelled mail under
//! `tests/` (`cargo run --release --example train_model`, which writes `rules/model.tsv`) and
//! knows which stems go with which right, whatever the sentence around them.
//!
//! It only adds: a right to a mail in which the rules found another right, never to one they
//! found none in (the net and triage catch those), and never a right whose phrases an
//! `unless` cancelled ("älkää poistako tiliäni"). What it adds is weak evidence, so the case
//! goes to a person, with the sentence that weighs most for that right as the evidence.
//!
//! Features are the first [`STEM`] letters of each word, present or not (so "poistakaa",
//! "poistaa" and "poistamaan" share one weight, and a long mail's repeats count once).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::fold::{Folded, words};
use super::rules::{RuleError, WordHasher};
use super::stamps::Stamps;
use crate::vocabulary::RequestKind;

/// How many leading letters of a word are its stem.
pub const STEM: usize = 5;

/// A right is added when the model gives it at least this probability.
const THRESHOLD: f32 = 0.9;

/// ... and the sentence that weighs most for it, read alone, at least this probability.
const SENTENCE_THRESHOLD: f32 = 0.8;

const RIGHTS: usize = RequestKind::ALL.len();

/// The model `train_model` wrote, embedded at build time.
const EMBEDDED: &str = include_str!("../../rules/model.tsv");

/// The header line of `rules/model.tsv`: the column order of the weights.
const BIAS: &str = "*bias*";

type StemMap = HashMap<u32, u32, BuildHasherDefault<WordHasher>>;

pub struct Model {
    /// A stem's row in `weights`.
    rows: StemMap,
    weights: Vec<[f32; RIGHTS]>,
    bias: [f32; RIGHTS],
}

/// One labelled mail, as the classifier reads it: its subject (empty for a reply) and new
/// text.
pub struct Example {
    pub subject: String,
    pub body: String,
    pub kinds: Vec<RequestKind>,
}

/// A letter's or digit's six-bit code in a stem key; 0 for every other byte (a word ends).
static CODES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = match b {
            b'a'..=b'z' => b - b'a' + 1,
            b'0'..=b'9' => b - b'0' + 27,
            _ => 0,
        };
        byte += 1;
    }
    table
};

/// A stem as a number: up to [`STEM`] letters or digits, six bits each.
fn stem_key(word: &[u8]) -> u32 {
    word.iter().take(STEM).fold(0, |key, &byte| {
        (key << 6) | u32::from(CODES[usize::from(byte)])
    })
}

/// Calls `found` with the stem key of every word of folded text (runs of ASCII letters and
/// digits), in one pass over its bytes: the second reader reads every byte of a mail.
fn stem_keys(text: &[u8], mut found: impl FnMut(u32)) {
    let mut key = 0u32;
    let mut length = 0;
    for &byte in text {
        let code = CODES[usize::from(byte)];
        if code != 0 {
            if length < STEM {
                key = (key << 6) | u32::from(code);
            }
            length += 1;
        } else if length > 0 {
            found(key);
            key = 0;
            length = 0;
        }
    }
    if length > 0 {
        found(key);
    }
}

thread_local! {
    /// Which rows the current text has counted already.
    static SEEN: std::cell::RefCell<Stamps> = std::cell::RefCell::new(Stamps::default());
}

impl Model {
    pub fn embedded() -> Result<Model, RuleError> {
        Model::parse("rules/model.tsv", EMBEDDED)
    }

    /// Reads `rules/model.tsv` from `dir`, or the embedded model when the folder has none.
    pub fn from_dir(dir: &std::path::Path) -> Result<Model, RuleError> {
        let path = dir.join("model.tsv");
        match std::fs::read_to_string(&path) {
            Ok(text) => Model::parse(&path.display().to_string(), &text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Model::embedded(),
            Err(err) => Err(RuleError::File {
                file: path.display().to_string(),
                message: err.to_string(),
            }),
        }
    }

    /// Parses the model file: a line per stem, the stem and one weight per right in
    /// [`RequestKind::ALL`] order, tab-separated; `*bias*` holds the intercepts.
    pub(super) fn parse(file: &str, text: &str) -> Result<Model, RuleError> {
        let mut model = Model {
            rows: StemMap::default(),
            weights: Vec::new(),
            bias: [0.0; RIGHTS],
        };
        let error = |line: usize, message: &str| RuleError::File {
            file: file.to_string(),
            message: format!("line {line}: {message}"),
        };
        for (number, line) in text.lines().enumerate() {
            let number = number + 1;
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut fields = line.split('\t');
            let stem = fields.next().unwrap_or_default();
            let mut row = [0.0f32; RIGHTS];
            let mut count = 0;
            for field in fields {
                let slot = row
                    .get_mut(count)
                    .ok_or_else(|| error(number, "more weights than rights"))?;
                *slot = field
                    .parse()
                    .map_err(|_| error(number, &format!("{field:?} is not a number")))?;
                count += 1;
            }
            if count != RIGHTS {
                return Err(error(
                    number,
                    &format!("{count} weights, expected {RIGHTS}"),
                ));
            }
            if stem == BIAS {
                model.bias = row;
                continue;
            }
            let valid = !stem.is_empty()
                && stem.len() <= STEM
                && stem
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if !valid {
                return Err(error(number, &format!("{stem:?} is not a stem")));
            }
            model
                .rows
                .insert(stem_key(stem.as_bytes()), model.weights.len() as u32);
            model.weights.push(row);
        }
        Ok(model)
    }

    /// The sum of the weights of the distinct stems in `texts`, per right (no intercept).
    fn sums(&self, texts: &[&[u8]]) -> [f32; RIGHTS] {
        let mut sums = [0.0f32; RIGHTS];
        SEEN.with_borrow_mut(|seen| {
            seen.begin(self.weights.len());
            for text in texts {
                stem_keys(text, |key| {
                    let Some(&row) = self.rows.get(&key) else {
                        return;
                    };
                    if !seen.mark(row as usize) {
                        return;
                    }
                    for (sum, weight) in sums.iter_mut().zip(&self.weights[row as usize]) {
                        *sum += weight;
                    }
                });
            }
        });
        sums
    }

    /// The rights the model reads in `texts` (folded subject and body) with at least
    /// [`THRESHOLD`] probability, each with that probability.
    pub fn rights(&self, texts: &[&[u8]]) -> Vec<(RequestKind, f32)> {
        let sums = self.sums(texts);
        RequestKind::ALL
            .iter()
            .enumerate()
            .filter_map(|(right, &kind)| {
                let probability = sigmoid(self.bias[right] + sums[right]);
                (probability >= THRESHOLD).then_some((kind, probability))
            })
            .collect()
    }

    /// Of `sentences` (folded), the index of the one whose stems weigh most for `kind`,
    /// if that sentence alone reads as asking for it with at least [`SENTENCE_THRESHOLD`]
    /// probability.
    pub fn heaviest(&self, kind: RequestKind, sentences: &[&[u8]]) -> Option<usize> {
        let right = RequestKind::ALL.iter().position(|&k| k == kind)?;
        sentences
            .iter()
            .enumerate()
            .map(|(index, sentence)| (index, self.sums(&[sentence])[right]))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .filter(|&(_, sum)| sigmoid(self.bias[right] + sum) >= SENTENCE_THRESHOLD)
            .map(|(index, _)| index)
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
}

/// Trains the model on `examples` by logistic regression, one binary model per right
/// (stochastic gradient descent, L2-regularised, a fixed shuffle so the file is the same on
/// every run), and returns the text of `rules/model.tsv`.
pub fn train(examples: &[Example]) -> String {
    const EPOCHS: usize = 15;
    const L2: f32 = 1e-3;
    // Stems in first-seen order; each example as its distinct stems' rows.
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut stems: Vec<Vec<u8>> = Vec::new();
    let rows: Vec<(Vec<usize>, [f32; RIGHTS])> = examples
        .iter()
        .map(|example| {
            let subject = Folded::new(&example.subject);
            let body = Folded::new(&example.body);
            let mut features: Vec<usize> = words(&subject.text)
                .chain(words(&body.text))
                .map(|word| {
                    let stem = word[..word.len().min(STEM)].to_vec();
                    *index.entry(stem.clone()).or_insert_with(|| {
                        stems.push(stem);
                        stems.len() - 1
                    })
                })
                .collect();
            features.sort_unstable();
            features.dedup();
            let mut labels = [0.0f32; RIGHTS];
            for (slot, kind) in labels.iter_mut().zip(RequestKind::ALL) {
                *slot = if example.kinds.contains(&kind) {
                    1.0
                } else {
                    0.0
                };
            }
            (features, labels)
        })
        .collect();
    let mut weights = vec![[0.0f32; RIGHTS]; stems.len()];
    let mut bias = [0.0f32; RIGHTS];
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut random = 0x2545_f491_4f6c_dd1d_u64;
    for epoch in 0..EPOCHS {
        // Fisher–Yates with xorshift: the same order on every machine.
        for i in (1..order.len()).rev() {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            order.swap(i, (random % (i as u64 + 1)) as usize);
        }
        let rate = 0.5 / (1.0 + epoch as f32);
        for &example in &order {
            let (features, labels) = &rows[example];
            for right in 0..RIGHTS {
                let z = bias[right] + features.iter().map(|&f| weights[f][right]).sum::<f32>();
                let gradient = labels[right] - sigmoid(z);
                bias[right] += rate * gradient;
                for &f in features {
                    let weight = &mut weights[f][right];
                    *weight = *weight * (1.0 - rate * L2) + rate * gradient;
                }
            }
        }
    }
    let mut out = String::from(
        "# The second reader's weights (src/classify/model.rs), written by\n\
         # `cargo run --release --example train_model` from the labelled sets under tests/.\n\
         # Do not edit by hand: add labelled mails and train again.\n\
         # stem, then one weight per right:",
    );
    for kind in RequestKind::ALL {
        out.push(' ');
        out.push_str(kind.as_str());
    }
    out.push('\n');
    let line = |out: &mut String, stem: &str, row: &[f32; RIGHTS]| {
        out.push_str(stem);
        for weight in row {
            out.push_str(&format!("\t{weight:.3}"));
        }
        out.push('\n');
    };
    line(&mut out, BIAS, &bias);
    let mut kept: Vec<(&[u8], &[f32; RIGHTS])> = stems
        .iter()
        .zip(&weights)
        // Weights this small change no decision; leaving them out keeps the file short.
        .filter(|(_, row)| row.iter().any(|w| w.abs() >= 0.05))
        .map(|(stem, row)| (stem.as_slice(), row))
        .collect();
    kept.sort_by_key(|(stem, _)| *stem);
    for (stem, row) in kept {
        line(&mut out, &String::from_utf8_lossy(stem), row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_share_a_key_and_differ_from_other_stems() {
        assert_eq!(stem_key(b"poistakaa"), stem_key(b"poist"));
        assert_ne!(stem_key(b"poist"), stem_key(b"poista"[..4].as_ref()));
        assert_ne!(stem_key(b"sms"), stem_key(b"smsa"));
        assert_ne!(stem_key(b"a1"), stem_key(b"ab"));
    }

    #[test]
    fn one_pass_over_the_bytes_finds_the_stems_of_the_words() {
        let text = b"poistakaa, mun tiedot! sms-viestit 2026 ja x";
        let mut keys = Vec::new();
        stem_keys(text, |key| keys.push(key));
        let expected: Vec<u32> = words(text).map(stem_key).collect();
        assert_eq!(keys, expected);
        assert_eq!(keys.len(), 8);
    }

    #[test]
    fn the_embedded_model_parses() {
        let model = Model::embedded().unwrap();
        assert!(model.weights.len() > 1000, "{} stems", model.weights.len());
    }

    #[test]
    fn bad_lines_say_where() {
        let err = Model::parse("m.tsv", "*bias*\t1\t2\n").err().unwrap();
        assert_eq!(err.to_string(), "m.tsv: line 1: 2 weights, expected 8");
        let err = Model::parse("m.tsv", "# x\nPoist\t0\t0\t0\t0\t0\t0\t0\t0\n")
            .err()
            .unwrap();
        assert_eq!(err.to_string(), "m.tsv: line 2: \"Poist\" is not a stem");
    }

    #[test]
    fn learns_a_stem_for_a_right_and_counts_a_repeat_once() {
        let example = |body: &str, kinds: &[RequestKind]| Example {
            subject: String::new(),
            body: body.to_string(),
            kinds: kinds.to_vec(),
        };
        let mut examples = Vec::new();
        for _ in 0..20 {
            examples.push(example(
                "lopettakaa tekstarit",
                &[RequestKind::DirectMarketingOptout],
            ));
            examples.push(example("missä tilaukseni on", &[]));
        }
        let model = Model::parse("trained", &train(&examples)).unwrap();
        let text = Folded::new("Ja ne tekstarit, tekstarit, tekstarit");
        let rights = model.rights(&[&text.text]);
        assert_eq!(rights.len(), 1, "{rights:?}");
        assert_eq!(rights[0].0, RequestKind::DirectMarketingOptout);
        let order = Folded::new("missä tilaukseni on");
        assert!(model.rights(&[&order.text]).is_empty());
        let sentences: [&[u8]; 2] = [b"kiitos", b"ne tekstarit"];
        assert_eq!(
            model.heaviest(RequestKind::DirectMarketingOptout, &sentences),
            Some(1)
        );
    }
}
