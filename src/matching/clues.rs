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
    /// Words with digits in them that may be an order or customer number, as written,
    /// with what the words before them call them.
    pub references: Vec<Reference>,
}

/// A number the requester gives, and what they call it.
#[derive(Debug, PartialEq, Eq)]
pub struct Reference {
    pub number: String,
    pub kind: ReferenceKind,
}

/// What a number in the text is said to be. Customer numbers and order numbers are
/// different series that may share values, so each is looked up only among its own kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceKind {
    Order,
    Customer,
    /// Nothing before it says: it may be either.
    Unnamed,
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
// The words that name a number's kind, folded to lowercase ASCII-insensitive stems, in the
// three languages: "tilausnumero 123", "asiakasnro 123", "ordernummer", "kundnummer",
// "order no.", "customer number", "beställning".
static ORDER_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(tilau|order|beställ|bestall|köp|osto)\w*(?:\s+(?:no|nr|num|number|nro|id)\.?)?[\s:#.-]*$")
        .expect("a valid order-word pattern")
});
static CUSTOMER_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(asiakas|kund|customer|client|account|tili)\w*(?:\s+(?:no|nr|num|number|nro|id)\.?)?[\s:#.-]*$")
        .expect("a valid customer-word pattern")
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
    let mut phone_spans = Vec::new();
    for found in PHONE.find_iter(text) {
        phone_spans.push(found.range());
        if let Some(key) = normalize::phone_key(found.as_str(), region)
            && !clues.phones.contains(&key)
            && clues.phones.len() < LIMIT
        {
            clues.phones.push(key);
        }
    }
    for found in REFERENCE.find_iter(text) {
        // The groups of a phone number are not order numbers.
        if phone_spans
            .iter()
            .any(|span| span.start < found.end() && found.start() < span.end)
        {
            continue;
        }
        let word = found.as_str().trim_start_matches('#');
        let digits = word.chars().filter(char::is_ascii_digit).count();
        // Three digits at least: "order 4" is a count, "#10231" a number.
        if digits >= 3
            && !clues.references.iter().any(|r| r.number == word)
            && clues.references.len() < LIMIT
        {
            clues.references.push(Reference {
                number: word.to_string(),
                kind: kind_before(&text[..found.start()]),
            });
        }
    }
    clues
}

/// What the few words just before a number call it ("asiakasnumeroni on 10231").
fn kind_before(before: &str) -> ReferenceKind {
    // The last 40 bytes, cut at a character boundary, and the filler words people put
    // between the name and the number ("is", "on", "är", "oli", "was", my/minun).
    let mut start = before.len().saturating_sub(40);
    while !before.is_char_boundary(start) {
        start += 1;
    }
    let mut tail = before[start..].trim_end();
    loop {
        let trimmed = ["is", "was", "on", "oli", "är", "var", "#"]
            .iter()
            .find_map(|filler| {
                tail.strip_suffix(filler)
                    .filter(|rest| rest.is_empty() || rest.ends_with(char::is_whitespace))
            });
        match trimmed {
            Some(rest) => tail = rest.trim_end(),
            None => break,
        }
    }
    if ORDER_WORD.is_match(tail) {
        ReferenceKind::Order
    } else if CUSTOMER_WORD.is_match(tail) {
        ReferenceKind::Customer
    } else {
        ReferenceKind::Unnamed
    }
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
        assert_eq!(
            clues.references,
            [
                Reference {
                    number: "2024-10057".to_string(),
                    kind: ReferenceKind::Order
                },
                Reference {
                    number: "10231".to_string(),
                    kind: ReferenceKind::Customer
                }
            ]
        );
    }

    #[test]
    fn a_number_is_named_by_the_words_before_it() {
        for (text, kind) in [
            ("asiakasnumeroni on 10231", ReferenceKind::Customer),
            ("Kundnummer: 10231", ReferenceKind::Customer),
            ("my customer no. 10231", ReferenceKind::Customer),
            ("tilausnumero 10231", ReferenceKind::Order),
            ("Beställning nr 10231", ReferenceKind::Order),
            ("order #10231", ReferenceKind::Order),
            ("my order number is 10231", ReferenceKind::Order),
            ("numero 10231", ReferenceKind::Unnamed),
        ] {
            let clues = find(
                text,
                &[],
                &EmailRules::default(),
                phonenumber::country::Id::FI,
            );
            assert_eq!(clues.references[0].kind, kind, "{text}");
        }
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
