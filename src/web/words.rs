//! The console in the staff member's language: its words (from `templates/web/words.toml`,
//! embedded) and its dates, written the way Finnish, Swedish and English readers write them.
//! Times are in the controller's time zone. Pure: no clock, no store.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::lang::Lang;

const WORDS: &str = include_str!("../../templates/web/words.toml");

/// Every word of the console in each language.
pub(super) struct Words {
    by_language: BTreeMap<Lang, BTreeMap<String, String>>,
    /// The same, as template values (built once: a page only clones a handle).
    values: BTreeMap<Lang, minijinja::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum WordsError {
    #[error("templates/web/words.toml cannot be read")]
    Toml(#[source] toml::de::Error),
    #[error("templates/web/words.toml: [{language}] lacks {key}")]
    Missing { language: Lang, key: String },
}

impl Words {
    pub(super) fn load() -> Result<Words, WordsError> {
        let by_language: BTreeMap<Lang, BTreeMap<String, String>> =
            toml::from_str(WORDS).map_err(WordsError::Toml)?;
        // English is the reference: every language has each of its words, and no other.
        let reference = by_language.get(&Lang::En).cloned().unwrap_or_default();
        for language in Lang::ALL {
            let words = by_language.get(&language);
            for key in reference.keys() {
                if words.is_none_or(|w| !w.contains_key(key)) {
                    return Err(WordsError::Missing {
                        language,
                        key: key.clone(),
                    });
                }
            }
            if let Some(extra) = words
                .into_iter()
                .flat_map(|w| w.keys())
                .find(|key| !reference.contains_key(*key))
            {
                return Err(WordsError::Missing {
                    language: Lang::En,
                    key: extra.clone(),
                });
            }
        }
        let values = by_language
            .iter()
            .map(|(language, words)| {
                (
                    *language,
                    minijinja::Value::from(minijinja::value::Serde(words)),
                )
            })
            .collect();
        Ok(Words {
            by_language,
            values,
        })
    }

    /// A word; its key when missing (which `load` rules out).
    pub(super) fn get<'a>(&'a self, language: Lang, key: &'a str) -> &'a str {
        self.by_language
            .get(&language)
            .and_then(|words| words.get(key))
            .map_or(key, String::as_str)
    }

    /// A word with `{n}` or `{id}` filled in.
    pub(super) fn fill(&self, language: Lang, key: &str, value: &str) -> String {
        self.get(language, key)
            .replace("{n}", value)
            .replace("{id}", value)
    }

    /// All the words of a language, for a template (`w.queue_title`).
    pub(super) fn value(&self, language: Lang) -> minijinja::Value {
        self.values.get(&language).cloned().unwrap_or_default()
    }
}

/// A day as its readers write it: 14.10.2026, 14 oktober 2026, 14 October 2026 — the
/// same way the letters write it.
pub fn date(language: Lang, day: Date) -> String {
    crate::draft::dates::format(day, language)
}

/// An instant in the controller's zone: 14.10.2026 klo 9.05, 14 oktober 2026 kl. 09.05,
/// 14 October 2026, 09:05.
pub fn instant(language: Lang, at: Timestamp, zone: &TimeZone) -> String {
    let local = at.to_zoned_datetime(zone.clone());
    let day = date(language, local.date());
    let (hour, minute) = (local.hour(), local.minute());
    match language {
        Lang::Fi => format!("{day} klo {hour}.{minute:02}"),
        Lang::Sv => format!("{day} kl. {hour:02}.{minute:02}"),
        Lang::En => format!("{day}, {hour:02}:{minute:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Lang, Words, date, instant};

    #[test]
    fn every_language_has_every_word() {
        let words = Words::load().expect("the words load");
        assert_eq!(words.get(Lang::Fi, "nav_queue"), "Jono");
        assert_eq!(words.get(Lang::Sv, "nav_queue"), "Kö");
        assert_eq!(
            words.fill(Lang::En, "days_left", "3"),
            "3 working days left"
        );
    }

    #[test]
    fn dates_are_written_as_their_readers_write_them() {
        let day: jiff::civil::Date = "2026-10-04".parse().expect("a day");
        assert_eq!(date(Lang::Fi, day), "4.10.2026");
        assert_eq!(date(Lang::Sv, day), "4 oktober 2026");
        assert_eq!(date(Lang::En, day), "4 October 2026");
        let at: jiff::Timestamp = "2026-10-14T06:05:00Z".parse().expect("an instant");
        let zone = jiff::tz::TimeZone::get("Europe/Helsinki").expect("zone");
        assert_eq!(instant(Lang::Fi, at, &zone), "14.10.2026 klo 9.05");
        assert_eq!(instant(Lang::Sv, at, &zone), "14 oktober 2026 kl. 09.05");
        assert_eq!(instant(Lang::En, at, &zone), "14 October 2026, 09:05");
    }
}
