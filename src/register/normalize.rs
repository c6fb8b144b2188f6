//! Identifiers in the one form that compares: e-mail addresses, phone numbers, names and
//! postal addresses as people write them, reduced to keys.
//!
//! The register and the mail are written by different people on different days: a webshop
//! export says `Maija.Virtanen@Example.test` and `040 123 4567`, the customer writes from
//! `maija.virtanen@example.test` and signs `+358 40 1234567`. Keys make those equal and
//! nothing more: a key never merges two addresses a mail server would deliver apart, unless
//! the config says the domain ignores plus-tags or dots. Pure; no I/O.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// What the config allows beyond the safe reductions.
#[derive(Clone, Debug, Default)]
pub struct EmailRules {
    /// Drop `+tag` from the local part (`maija+shop@` → `maija@`), for these domains only.
    pub plus_tag_domains: Vec<String>,
    /// Drop dots from the local part, for these domains only (Gmail ignores them).
    pub dotless_domains: Vec<String>,
}

impl EmailRules {
    /// The rules the register's config sets.
    pub fn of(register: &crate::config::RegisterConfig) -> EmailRules {
        let lower = |domains: &[String]| domains.iter().map(|d| d.to_lowercase()).collect();
        EmailRules {
            plus_tag_domains: lower(&register.plus_tag_domains),
            dotless_domains: lower(&register.dotless_domains),
        }
    }
}

/// Why an e-mail address is not one.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("no @ in the address")]
    NoAt,
    #[error("nothing before the @")]
    EmptyLocal,
    #[error("the domain {0:?} is not a domain name")]
    BadDomain(String),
    #[error("spaces or control characters in the address")]
    BadCharacter,
}

/// The comparable form of an e-mail address: trimmed, lowercase, domain in IDNA ASCII
/// (`jäätelö.fi` → `xn--jtel-loaa3k.fi`), plus-tags and dots removed where the rules say.
pub fn email_key(address: &str, rules: &EmailRules) -> Result<String, EmailError> {
    let address = address
        .trim()
        .trim_start_matches("mailto:")
        .trim_matches(|c| c == '<' || c == '>');
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(EmailError::BadCharacter);
    }
    let (local, domain) = address.rsplit_once('@').ok_or(EmailError::NoAt)?;
    if local.is_empty() {
        return Err(EmailError::EmptyLocal);
    }
    let domain = domain.trim_end_matches('.');
    let ascii =
        idna::domain_to_ascii(domain).map_err(|_| EmailError::BadDomain(domain.to_string()))?;
    if ascii.is_empty()
        || !ascii.contains('.')
        || ascii.starts_with('.')
        || ascii.split('.').any(str::is_empty)
    {
        return Err(EmailError::BadDomain(domain.to_string()));
    }
    let mut local = local.to_lowercase();
    if rules.plus_tag_domains.iter().any(|d| d == &ascii)
        && let Some(plus) = local.find('+')
    {
        local.truncate(plus);
    }
    if rules.dotless_domains.iter().any(|d| d == &ascii) {
        local.retain(|c| c != '.');
    }
    Ok(format!("{local}@{ascii}"))
}

/// The E.164 form of a phone number (`045 123 4567` → `+358451234567`), reading numbers
/// without a country code as numbers of `region` (ISO 3166 code, e.g. "FI"). `None` when it
/// is not a valid number there.
pub fn phone_key(number: &str, region: phonenumber::country::Id) -> Option<String> {
    let number = number.trim();
    let digits = number.chars().filter(char::is_ascii_digit).count();
    // Fewer than six digits is an extension or a postcode, never a subscriber's number.
    if !(6..=17).contains(&digits) {
        return None;
    }
    let parsed = phonenumber::parse(Some(region), number).ok()?;
    if !phonenumber::is_valid(&parsed) {
        return None;
    }
    Some(parsed.format().mode(phonenumber::Mode::E164).to_string())
}

/// The comparable form of a person's name: NFC, lowercase, diacritics folded (ä→a, å→a,
/// ø→o, ß→ss), punctuation to spaces, words in their written order, single-spaced.
/// For matching only: what is shown and sent is always the name as written.
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    let mut space = true;
    for c in name.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let mapped: &str = match c {
            'ø' | 'Ø' => "o",
            'æ' | 'Æ' => "ae",
            'ß' => "ss",
            'đ' | 'Đ' => "d",
            'ł' | 'Ł' => "l",
            _ => "",
        };
        if !mapped.is_empty() {
            key.push_str(mapped);
            space = false;
        } else if c.is_alphanumeric() {
            key.extend(c.to_lowercase());
            space = false;
        } else if !space {
            key.push(' ');
            space = true;
        }
    }
    if key.ends_with(' ') {
        key.pop();
    }
    key
}

/// The words of a name key, each once, sorted: "Virtanen Maija" and "Maija Virtanen" are
/// the same set.
pub fn name_tokens(key: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = key.split(' ').filter(|t| !t.is_empty()).collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// Whether two names can be the same person: one's words are all among the other's
/// ("Maija Virtanen" and "Maija Liisa Virtanen"), in any order. An empty name says nothing
/// and is compatible with every name.
pub fn names_compatible(a: &str, b: &str) -> bool {
    let (a, b) = (name_tokens(a), name_tokens(b));
    if a.is_empty() || b.is_empty() {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.iter().all(|t| long.binary_search(t).is_ok())
}

/// The comparable form of a postal address: the name key of it (street words, postcode,
/// town), which makes "Mannerheimintie 5 A 12, 00100 HELSINKI" and "mannerheimintie 5 a
/// 12 00100 Helsinki" equal.
pub fn address_key(address: &str) -> String {
    name_key(address)
}

/// The Finnish (and Swedish, five-digit) postcodes in a text, for corroborating an
/// address on file.
pub fn postcodes(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|word| word.len() == 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> EmailRules {
        EmailRules {
            plus_tag_domains: vec!["gmail.com".to_string()],
            dotless_domains: vec!["gmail.com".to_string()],
        }
    }

    #[test]
    fn email_keys_fold_case_space_and_unicode_domains() {
        let none = EmailRules::default();
        assert_eq!(
            email_key("  Maija.Virtanen@Example.TEST ", &none).as_deref(),
            Ok("maija.virtanen@example.test")
        );
        assert_eq!(
            email_key("<anna@jäätelö.fi>", &none).as_deref(),
            Ok("anna@xn--jtel-loaa3k.fi")
        );
        assert_eq!(
            email_key("matti.example.test", &none),
            Err(EmailError::NoAt)
        );
        assert_eq!(
            email_key("@example.test", &none),
            Err(EmailError::EmptyLocal)
        );
        assert!(matches!(
            email_key("matti@localhost", &none),
            Err(EmailError::BadDomain(_))
        ));
        assert_eq!(
            email_key("matti virtanen@example.test", &none),
            Err(EmailError::BadCharacter)
        );
    }

    #[test]
    fn plus_tags_and_dots_only_where_configured() {
        assert_eq!(
            email_key("M.Virtanen+shop@gmail.com", &rules()).as_deref(),
            Ok("mvirtanen@gmail.com")
        );
        assert_eq!(
            email_key("m.virtanen+shop@example.test", &rules()).as_deref(),
            Ok("m.virtanen+shop@example.test")
        );
    }

    #[test]
    fn phone_numbers_become_e164() {
        let fi = phonenumber::country::Id::FI;
        for written in [
            "045 123 4567",
            "+358451234567",
            "+358 45 123 4567",
            "045-1234567",
        ] {
            assert_eq!(
                phone_key(written, fi).as_deref(),
                Some("+358451234567"),
                "{written}"
            );
        }
        assert_eq!(
            phone_key("+46 70 123 45 67", fi).as_deref(),
            Some("+46701234567")
        );
        assert_eq!(phone_key("00100", fi), None);
        assert_eq!(phone_key("not a number", fi), None);
    }

    #[test]
    fn names_fold_for_matching_only() {
        assert_eq!(name_key("Sören  Åkesson"), "soren akesson");
        assert_eq!(name_key("Anna-Liisa HEIKKINEN"), "anna liisa heikkinen");
        assert_eq!(name_key("Søren Ærø"), "soren aero");
        // NFD and NFC spellings of the same name give the same key.
        assert_eq!(name_key("Ma\u{0308}kela\u{0308}"), name_key("Mäkelä"));
        assert!(names_compatible("maija virtanen", "virtanen maija"));
        assert!(names_compatible("maija virtanen", "maija liisa virtanen"));
        assert!(names_compatible("", "maija virtanen"));
        assert!(!names_compatible("maija virtanen", "matti virtanen"));
    }

    #[test]
    fn postcodes_are_five_digit_words() {
        let found: Vec<_> = postcodes("Kotikatu 5, 00100 Helsinki, puh 0401234567").collect();
        assert_eq!(found, ["00100"]);
    }
}
