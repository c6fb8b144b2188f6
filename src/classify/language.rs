//! Telling Finnish, Swedish and English apart.
//!
//! The three are far apart, so frequent short words and a few word endings decide almost
//! every mail, even a one-liner ("poistakaa tietoni", "radera mig", "delete me"); the
//! letter å settles Swedish when words are few. General-purpose detectors guess wrong on
//! such short texts, and a dependency adds megabytes for three languages.

use crate::lang::Lang;

use super::fold::Folded;
use super::rules::{Rules, lang_bit, tail_key, word_key};

/// Enough words to tell the three apart; a long mail is not read to the end.
const MAX_WORDS: usize = 250;

/// The bytes of a word for detection (letters, digits, the apostrophe of "don't"), as a
/// table: every byte up to the word limit is looked up.
static WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'\'';
        byte += 1;
    }
    table
};

/// The words of folded text, in order.
fn words(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at
            + text[at..]
                .iter()
                .position(|&b| WORD_BYTES[usize::from(b)])?;
        let len = text[start..]
            .iter()
            .position(|&b| !WORD_BYTES[usize::from(b)])
            .unwrap_or(text.len() - start);
        at = start + len;
        Some(&text[start..at])
    })
}

/// The language of a mail from its subject and body, folded.
pub fn detect(rules: &Rules, texts: [&Folded; 2]) -> Option<Lang> {
    let mut scores = [0f32; 3];
    let index = |lang: Lang| match lang {
        Lang::Fi => 0,
        Lang::Sv => 1,
        Lang::En => 2,
    };
    let mut words_seen = 0;
    for folded in texts {
        // The letter å is Swedish (and never Finnish or English).
        scores[index(Lang::Sv)] += 0.5 * folded.swedish_letters.min(6) as f32;
        for word in words(&folded.text) {
            if word.len() > 30 {
                continue;
            }
            words_seen += 1;
            if words_seen > MAX_WORDS {
                break;
            }
            if let Some(langs) = word_key(word).and_then(|key| rules.words.get(&key)) {
                for lang in [Lang::Fi, Lang::Sv, Lang::En] {
                    if langs & lang_bit(lang) != 0 {
                        scores[index(lang)] += 1.0;
                    }
                }
                continue;
            }
            if word.len() >= 5
                && let Some(&last) = word.last()
                && let tail = tail_key(word)
                && let Some((_, _, lang)) = rules.endings[usize::from(last)]
                    .iter()
                    .find(|&&(ending, mask, _)| tail & mask == ending)
            {
                scores[index(*lang)] += 0.4;
            }
        }
    }
    let mut ranked = [
        (scores[0], Lang::Fi),
        (scores[1], Lang::Sv),
        (scores[2], Lang::En),
    ];
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (best, lang) = ranked[0];
    let second = ranked[1].0;
    if best < 1.0 || best - second < 0.5 {
        return None;
    }
    Some(lang)
}
