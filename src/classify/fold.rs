//! Folding text for matching: lowercase ASCII, diacritics removed, with a map back to the
//! original so evidence can quote what the sender wrote.
//!
//! Customers write "poistakaa tietoni", "poistakaa tietoni" without the dots, "TIETONI",
//! "rekisterista"; folding makes one rule match them all, and makes the text pure ASCII so
//! the regex engine can use its fastest (DFA) path with ASCII word boundaries.

/// Folded text and, for each folded byte, the byte offset in the original where its
/// character started.
pub struct Folded {
    pub text: Vec<u8>,
    /// How many times the letter å (or Å) occurs in the first 4000 bytes of the original:
    /// Swedish, and never Finnish or English. Counted here, where non-ASCII letters are
    /// decoded anyway.
    pub swedish_letters: usize,
    origin: Vec<u32>,
    original_len: usize,
}

impl Folded {
    pub fn new(original: &str) -> Folded {
        let mut text = Vec::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        let bytes = original.as_bytes();
        let mut at = 0;
        let mut swedish_letters = 0;
        // Mail text is mostly ASCII: runs of it are folded a run at a time, and only the
        // rest is decoded as characters.
        while at < bytes.len() {
            let run = bytes[at..].iter().take_while(|b| b.is_ascii()).count();
            if run > 0 {
                text.extend(bytes[at..at + run].iter().map(u8::to_ascii_lowercase));
                origin.extend(at as u32..(at + run) as u32);
                at += run;
                continue;
            }
            let offset = at as u32;
            let Some(c) = original[at..].chars().next() else {
                break;
            };
            at += c.len_utf8();
            if matches!(c, 'å' | 'Å') && offset < 4000 {
                swedish_letters += 1;
            }
            let replacement: &str = match c {
                'ä' | 'Ä' | 'å' | 'Å' | 'á' | 'Á' | 'à' | 'À' | 'â' | 'Â' | 'ã' | 'Ã' | 'æ'
                | 'Æ' => "a",
                'ö' | 'Ö' | 'ø' | 'Ø' | 'ó' | 'Ó' | 'ò' | 'Ò' | 'ô' | 'Ô' | 'õ' | 'Õ' => {
                    "o"
                }
                'é' | 'É' | 'è' | 'È' | 'ê' | 'Ê' | 'ë' | 'Ë' => "e",
                'ü' | 'Ü' | 'ú' | 'Ú' | 'ù' | 'Ù' | 'û' | 'Û' => "u",
                'í' | 'Í' | 'ì' | 'Ì' | 'î' | 'Î' | 'ï' | 'Ï' => "i",
                'ç' | 'Ç' => "c",
                'ñ' | 'Ñ' => "n",
                'š' | 'Š' => "s",
                'ž' | 'Ž' => "z",
                'ß' => "ss",
                'ÿ' | 'ý' | 'Ý' => "y",
                // Typographic apostrophes and quotes: "don’t" must match "don't".
                '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{00B4}' => "'",
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => "\"",
                '\u{2013}' | '\u{2014}' | '\u{2212}' => "-",
                '\u{2026}' => "...",
                // List bullets, so list items read as sentences of their own.
                '\u{2022}' | '\u{25CF}' | '\u{25E6}' | '\u{2023}' | '\u{2043}' => "*",
                // A pasted form's boxes read as the ASCII ones: "☐ Rättelse" is an option
                // not ticked, "☒ Radering" one ticked.
                '\u{2610}' | '\u{25A1}' | '\u{25FB}' | '\u{2B1C}' => "[ ]",
                '\u{2611}' | '\u{2612}' | '\u{2713}' | '\u{2714}' | '\u{2717}' | '\u{2718}'
                | '\u{25A0}' | '\u{25FC}' | '\u{2B1B}' => "[x]",
                _ => " ",
            };
            for byte in replacement.bytes() {
                text.push(byte);
                origin.push(offset);
            }
        }
        Folded {
            text,
            swedish_letters,
            origin,
            original_len: original.len(),
        }
    }

    /// The original byte range that folded bytes `start..end` came from.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        let from = self
            .origin
            .get(start)
            .copied()
            .map_or(self.original_len, |o| o as usize);
        let to = self
            .origin
            .get(end)
            .copied()
            .map_or(self.original_len, |o| o as usize);
        (from, to.max(from))
    }
}

/// The words of folded text: runs of ASCII letters and digits.
pub fn words(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|b| !b.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_maps_back() {
        let original = "Poistakaa TIETONI rekisteristä – kiitos’";
        let folded = Folded::new(original);
        assert_eq!(
            String::from_utf8(folded.text.clone()).unwrap(),
            "poistakaa tietoni rekisterista - kiitos'"
        );
        let start = 18;
        let end = start + "rekisterista".len();
        let (a, b) = folded.original_range(start, end);
        assert_eq!(&original[a..b], "rekisteristä");
    }
}
