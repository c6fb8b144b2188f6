//! Telling Finnish, Swedish and English apart.
//!
//! The three are far apart, so frequent short words and a few word endings decide almost
//! every mail, even a one-liner ("poistakaa tietoni", "radera mig", "delete me"); the
//! letter å settles Swedish when words are few. General-purpose detectors guess wrong on
//! such short texts, and a dependency adds megabytes for three languages.

use crate::lang::Lang;

use super::fold::Folded;
use super::rules::Rules;

/// Enough words to tell the three apart; a long mail is not read to the end.
const MAX_WORDS: usize = 250;

/// The language of a mail from its subject and body, each given as written and folded.
pub fn detect(rules: &Rules, texts: [(&str, &Folded); 2]) -> Option<Lang> {
    let mut scores = [0f32; 3];
    let index = |lang: Lang| match lang {
        Lang::Fi => 0,
        Lang::Sv => 1,
        Lang::En => 2,
    };
    let mut words_seen = 0;
    for (text, folded) in texts {
        // The letter å is Swedish (and never Finnish or English).
        // Counted in the UTF-8 bytes (C3 A5, C3 85) of the first 4000 bytes.
        let head = &text.as_bytes()[..text.len().min(4000)];
        let swedish_letters = head
            .windows(2)
            .filter(|pair| pair[0] == 0xc3 && matches!(pair[1], 0xa5 | 0x85))
            .count();
        scores[index(Lang::Sv)] += 0.5 * swedish_letters.min(6) as f32;
        for word in folded
            .text
            .split(|b| !b.is_ascii_alphanumeric() && *b != b'\'')
        {
            if word.is_empty() || word.len() > 30 {
                continue;
            }
            words_seen += 1;
            if words_seen > MAX_WORDS {
                break;
            }
            if let Some(langs) = rules.words.get(word) {
                for lang in langs {
                    scores[index(*lang)] += 1.0;
                }
                continue;
            }
            if word.len() >= 5
                && let Some(&last) = word.last()
                && let Some((_, lang)) = rules.endings[usize::from(last)]
                    .iter()
                    .find(|(ending, _)| word.ends_with(ending))
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
