//! The identifiers a requester gives in their text: another e-mail address ("my old address
//! was …"), a phone number, an order or customer number.

use std::sync::LazyLock;

use regex::Regex;

use crate::register::normalize::{self, EmailRules};

/// What the text offers for finding the person.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Clues {
    /// E-mail keys other than the sender's and the controller's.
    pub emails: Vec<String>,
    /// Phone numbers in E.164.
    pub phones: Vec<String>,
    /// Words with digits in them that may be an order or customer number, as written.
    pub references: Vec<String>,
}

/// At most this many of each kind are looked up, so a mail full of numbers costs little.
const LIMIT: usize = 12;

// Word boundaries are ASCII ((?-u:\b)) so the regexes run on the fast lazy DFA: a Unicode
// boundary would force the slow engine over every Finnish and Swedish letter. The patterns
// are constants, so `expect` cannot fire on input; the unit tests compile every one.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+").expect("a valid e-mail pattern")
});
// A number as people write it: international (+358, 00358) or national, which in Finland
// and Sweden always starts with the trunk prefix 0. "2024-10057" is an order, not a phone.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+|(?-u:\b)0)[0-9][0-9 \-/().]{4,18}[0-9](?-u:\b)")
        .expect("a valid phone pattern")
});
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\b[a-z]{0,4}[#-]?[0-9][a-z0-9_-]{2,24}\b")
        .expect("a valid reference pattern")
});

/// Finds the clues in `text`, leaving out the addresses in `ignore` (the sender's and the
/// controller's own, which identify no one new).
pub fn find(
    text: &str,
    ignore: &[&str],
    rules: &EmailRules,
    region: phonenumber::country::Id,
) -> Clues {
    let mut clues = Clues::default();
    for found in EMAIL.find_iter(text) {
        let written = found.as_str().trim_end_matches(['.', '-']);
        if let Ok(key) = normalize::email_key(written, rules)
            && !ignore.contains(&key.as_str())
            && !clues.emails.contains(&key)
            && clues.emails.len() < LIMIT
        {
            clues.emails.push(key);
        }
    }
    for found in PHONE.find_iter(text) {
        if let Some(key) = normalize::phone_key(found.as_str(), region)
            && !clues.phones.contains(&key)
            && clues.phones.len() < LIMIT
        {
            clues.phones.push(key);
        }
    }
    for found in REFERENCE.find_iter(text) {
        let word = found.as_str().trim_start_matches('#');
        let digits = word.chars().filter(char::is_ascii_digit).count();
        // Three digits at least: "order 4" is a count, "#10231" a number.
        if digits >= 3
            && !clues.references.iter().any(|r| r == word)
            && clues.references.len() < LIMIT
        {
            clues.references.push(word.to_string());
        }
    }
    clues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_old_addresses_phones_and_order_numbers() {
        let text = "Hei, vanha osoitteeni oli Maija.V@Vanha.example.test. Puhelin 040 123 4567. \
                    Tilaus #2024-10057, asiakasnumero 10231. Lähetä vastaus: tietosuoja@kestokauppa.example.test";
        let clues = find(
            text,
            &["tietosuoja@kestokauppa.example.test"],
            &EmailRules::default(),
            phonenumber::country::Id::FI,
        );
        assert_eq!(clues.emails, ["maija.v@vanha.example.test"]);
        assert_eq!(clues.phones, ["+358401234567"]);
        assert!(
            clues.references.contains(&"2024-10057".to_string()),
            "{clues:?}"
        );
        assert!(clues.references.contains(&"10231".to_string()), "{clues:?}");
    }

    #[test]
    fn plain_text_has_no_clues() {
        let clues = find(
            "Please delete all my data.",
            &[],
            &EmailRules::default(),
            phonenumber::country::Id::FI,
        );
        assert_eq!(clues, Clues::default());
    }
}
